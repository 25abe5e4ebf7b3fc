/* rootd — a process that its non-root parent cannot signal, for testing the
 * bounded wait after SIGKILL. Installed setuid root, it takes all three
 * uids, so a sender that is not root gets EPERM, SIGKILL included (the
 * kernel checks the target's real and saved uids). Prints "rootd PID",
 * then sleeps for the seconds given (default 30) and exits 0.
 * Usage: rootd [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    unsigned seconds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 30;
    if (geteuid() == 0 && setresuid(0, 0, 0) != 0) {
        perror("setresuid");
        return 1;
    }
    printf("rootd %d uid %d\n", (int)getpid(), (int)getuid());
    fflush(stdout);
    while (seconds > 0)
        seconds = sleep(seconds);
    return 0;
}
