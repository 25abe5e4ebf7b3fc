/* storm — a signal storm through an init.
 *   storm child FIFO          run under the init: count SIGRTMIN+2 until
 *                             SIGRTMIN+3 comes, then write the count to FIFO
 *   storm driver PID FIFO N   send N SIGRTMIN+2 to PID (the init) as fast as
 *                             possible, then one SIGRTMIN+3; print
 *                             "survived forwarded" (survived: 1 when the
 *                             init was still there after the storm)
 * Real-time signals queue instead of coalescing, and a reader takes the
 * lowest-numbered pending signal first, so the end marker arrives after
 * every storm signal the init forwarded. An init that does not forward
 * real-time signals forwards 0 (the driver gives up after 5 s). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int child(const char *fifo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigaddset(&set, SIGRTMIN + 3);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return 1;
    int fd = open(fifo, O_WRONLY);
    if (fd < 0)
        return 1;
    long count = 0;
    if (write(fd, &count, sizeof count) != (ssize_t)sizeof count) /* ready */
        return 1;
    for (;;) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig < 0 && errno != EINTR)
            return 1;
        if (sig == SIGRTMIN + 2)
            count++;
        if (sig == SIGRTMIN + 3)
            break;
    }
    return write(fd, &count, sizeof count) == (ssize_t)sizeof count ? 0 : 1;
}

static int driver(pid_t init, const char *fifo, long n) {
    int fd = open(fifo, O_RDONLY | O_CLOEXEC);
    long count = -1;
    if (fd < 0 || read(fd, &count, sizeof count) != (ssize_t)sizeof count)
        return 1;
    for (long i = 0; i < n; i++)
        if (kill(init, SIGRTMIN + 2) != 0 && errno != EAGAIN)
            break;
    int survived = kill(init, 0) == 0;
    if (survived && kill(init, SIGRTMIN + 3) != 0)
        survived = 0;
    count = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (survived && poll(&p, 1, 5000) == 1 &&
        read(fd, &count, sizeof count) != (ssize_t)sizeof count)
        count = 0;
    printf("%d %ld\n", survived, count);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && argv[1][0] == 'c')
        return child(argv[2]);
    if (argc == 5 && argv[1][0] == 'd')
        return driver((pid_t)atoi(argv[2]), argv[3], atol(argv[4]));
    fprintf(stderr, "usage: storm child FIFO | storm driver PID FIFO N\n");
    return 2;
}
