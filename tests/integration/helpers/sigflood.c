/* sigflood — queue real-time signals on a process until its queue is full.
 * Usage: sigflood PID COUNT SIGNUM...
 * Sends up to COUNT signals with sigqueue(3), the SIGNUMs in turn, and
 * stops early once 1000 have been refused with EAGAIN (the queue limit,
 * RLIMIT_SIGPENDING, reached). Prints "sent N, refused M". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sigflood PID COUNT SIGNUM...\n");
        return 2;
    }
    pid_t pid = (pid_t)atoi(argv[1]);
    long count = atol(argv[2]), sent = 0, refused = 0;
    int nsig = argc - 3;
    union sigval v = {0};
    for (long i = 0; i < count && refused < 1000; i++) {
        if (sigqueue(pid, atoi(argv[3 + i % nsig]), v) == 0)
            sent++;
        else if (errno == EAGAIN)
            refused++;
        else {
            perror("sigflood: sigqueue");
            return 1;
        }
    }
    printf("sent %ld, refused %ld\n", sent, refused);
    return 0;
}
