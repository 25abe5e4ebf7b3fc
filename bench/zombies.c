/* zombies N — run as the init's child: make N orphans that all exit at the
 * same moment, and time how long the init takes to reap them.
 * Prints "reap_ms peak_zombies". Must run as the only child of PID 1. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Processes in this PID namespace, besides PID 1 and us. */
static int others(void) {
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            n++;
    if (d)
        closedir(d);
    return n - 2;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    int gate[2];
    if (pipe(gate) != 0)
        return 1;
    pid_t mid = fork();
    if (mid == 0) {
        close(gate[1]);
        for (int i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                char c;
                (void)read(gate[0], &c, 1); /* returns when the gate closes */
                _exit(0);
            }
            if (p < 0)
                _exit(1);
        }
        _exit(0); /* its children become orphans of PID 1 */
    }
    close(gate[0]);
    waitpid(mid, NULL, 0);
    while (others() < n) /* all orphans alive and adopted */
        usleep(1000);
    int64_t t0 = now_us();
    close(gate[1]); /* every orphan exits now */
    int peak = 0;
    for (;;) {
        int left = others();
        if (left > peak)
            peak = left;
        if (left <= 0)
            break;
        usleep(1000);
    }
    printf("%.1f %d\n", (now_us() - t0) / 1000.0, peak);
    return 0;
}
