/* fwdlat — signal-forward latency through an init.
 *   fwdlat child FIFO      run under the init: report each SIGUSR1's arrival
 *   fwdlat driver COUNT PID FIFO [PID FIFO]...
 *                          send COUNT SIGUSR1 to each PID (an init, or the
 *                          child itself as the floor), one target after the
 *                          other in every turn (the first target rotating),
 *                          so that the machine's drift hits all alike; print
 *                          a line "median_us p99_us" of send-to-arrival
 *                          times per target, in the order given
 * CLOCK_MONOTONIC is shared across PID namespaces, so both ends compare. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static int child(const char *fifo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int fd = open(fifo, O_WRONLY);
    if (fd < 0)
        return 1;
    int64_t ready = 0;
    if (write(fd, &ready, sizeof ready) != sizeof ready)
        return 1;
    for (;;) {
        if (sigwaitinfo(&set, NULL) < 0 && errno != EINTR)
            return 1;
        int64_t t = now_ns();
        if (write(fd, &t, sizeof t) != sizeof t)
            return 0; /* the driver is gone */
    }
}

struct target {
    pid_t pid;
    int fd;
    int64_t *lat;
};

/* One signal through one target: its latency in ns, or -1. */
static int64_t forward_once(const struct target *t) {
    int64_t t0 = now_ns(), arrived;
    if (kill(t->pid, SIGUSR1) != 0)
        return -1;
    if (read(t->fd, &arrived, sizeof arrived) != sizeof arrived)
        return -1;
    return arrived - t0;
}

static int driver(int count, int n, char **pid_fifo) {
    struct target *t = calloc((size_t)n, sizeof *t);
    if (t == NULL || count <= 0)
        return 1;
    for (int k = 0; k < n; k++) {
        int64_t ready;
        t[k].pid = (pid_t)atoi(pid_fifo[2 * k]);
        t[k].fd = open(pid_fifo[2 * k + 1], O_RDONLY);
        t[k].lat = calloc((size_t)count, sizeof *t[k].lat);
        if (t[k].fd < 0 || t[k].lat == NULL ||
            read(t[k].fd, &ready, sizeof ready) != sizeof ready)
            return 1;
    }
    for (int i = 0; i < count; i++)
        for (int j = 0; j < n; j++) {
            struct target *x = &t[(i + j) % n];
            if ((x->lat[i] = forward_once(x)) < 0)
                return 1;
            struct timespec gap = {0, 200000};
            nanosleep(&gap, NULL);
        }
    for (int k = 0; k < n; k++) {
        qsort(t[k].lat, (size_t)count, sizeof *t[k].lat, cmp_int64);
        printf("%.1f %.1f\n", t[k].lat[count / 2] / 1000.0,
               t[k].lat[(count * 99) / 100] / 1000.0);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return child(argv[2]);
    if (argc >= 5 && argc % 2 == 1 && strcmp(argv[1], "driver") == 0)
        return driver(atoi(argv[2]), (argc - 3) / 2, argv + 3);
    fprintf(stderr, "usage: fwdlat child FIFO | fwdlat driver COUNT PID FIFO [PID FIFO]...\n");
    return 2;
}
