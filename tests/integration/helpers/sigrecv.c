/* sigrecv — print each signal received, one number per line.
 * Usage: sigrecv [--exit-on SIGNUM]
 * Blocks every catchable signal and takes them with sigwaitinfo, so even
 * SIGTERM and SIGINT are recorded instead of ending it. Prints
 * "ready <pid>" first. Exits 0 after printing SIGNUM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int exit_on = 0;
    if (argc == 3 && strcmp(argv[1], "--exit-on") == 0)
        exit_on = atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: sigrecv [--exit-on SIGNUM]\n");
        return 2;
    }
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, NULL) != 0) {
        perror("sigprocmask");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ready %d\n", (int)getpid());
    for (;;) {
        siginfo_t si;
        int s = sigwaitinfo(&all, &si);
        if (s < 0) {
            if (errno == EINTR)
                continue;
            perror("sigwaitinfo");
            return 1;
        }
        printf("%d\n", s);
        if (s == exit_on)
            return 0;
    }
}
