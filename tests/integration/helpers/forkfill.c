/* forkfill — use up the caller's RLIMIT_NPROC once its parent is gone.
 * Waits until its parent is no longer PARENT (it exited: this one was
 * re-parented), then forks children that sleep for SECONDS (default 30)
 * until fork fails, and goes on taking every slot that comes free for
 * those seconds (at most 64 children). Prints "forkfill N (why)" at the
 * first failure.
 * Usage: forkfill PARENT [SECONDS] */
#include <errno.h>
#include <stdbool.h>
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
    /* Fill to the limit, then keep taking any slot that comes free (the
     * parent counts until it is reaped, just after the re-parenting). */
    int made = 0;
    bool said = false;
    for (unsigned ticks = 0; made < 64 && ticks < seconds * 100; ticks++) {
        pid_t pid = fork();
        if (pid == 0) {
            sleep(seconds);
            _exit(0);
        }
        if (pid > 0) {
            made++;
            continue;
        }
        if (!said) {
            printf("forkfill %d (%s)\n", made, errno == EAGAIN ? "limit reached" : "other error");
            fflush(stdout);
            said = true;
        }
        usleep(10000);
    }
    while (seconds > 0)
        seconds = sleep(seconds);
    return 0;
}
