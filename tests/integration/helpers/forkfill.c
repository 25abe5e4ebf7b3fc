/* forkfill — use up the caller's RLIMIT_NPROC once its parent is gone.
 * Waits until its parent is no longer PARENT (it exited: this one was
 * re-parented), then forks children that sleep for SECONDS (default 30)
 * until fork fails (at most 64), and sleeps too. Prints "forkfill N (why)".
 * Usage: forkfill PARENT [SECONDS] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: forkfill PARENT [SECONDS]\n");
        return 2;
    }
    pid_t parent = (pid_t)strtol(argv[1], NULL, 10);
    unsigned seconds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 30;
    for (int i = 0; i < 3000 && getppid() == parent; i++)
        usleep(10000);
    int made = 0;
    for (; made < 64; made++) {
        pid_t pid = fork();
        if (pid == 0) {
            sleep(seconds);
            _exit(0);
        }
        if (pid < 0)
            break;
    }
    printf("forkfill %d (%s)\n", made, errno == EAGAIN ? "limit reached" : "other error");
    fflush(stdout);
    while (seconds > 0)
        seconds = sleep(seconds);
    return 0;
}
