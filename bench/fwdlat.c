/* fwdlat — signal-forward latency through an init.
 *   fwdlat child FIFO             run under the init: report each SIGUSR1's arrival
 *   fwdlat driver PID FIFO COUNT  send COUNT SIGUSR1 to PID (the init), print
 *                                 "median_us p99_us" of send-to-arrival times
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

static int driver(pid_t init, const char *fifo, int count) {
    int fd = open(fifo, O_RDONLY);
    if (fd < 0)
        return 1;
    int64_t t;
    if (read(fd, &t, sizeof t) != sizeof t)
        return 1;
    int64_t *lat = calloc((size_t)count, sizeof *lat);
    if (!lat)
        return 1;
    for (int i = 0; i < count; i++) {
        int64_t t0 = now_ns();
        if (kill(init, SIGUSR1) != 0)
            return 1;
        if (read(fd, &t, sizeof t) != sizeof t)
            return 1;
        lat[i] = t - t0;
        struct timespec gap = {0, 200000};
        nanosleep(&gap, NULL);
    }
    qsort(lat, (size_t)count, sizeof *lat, cmp_int64);
    printf("%.1f %.1f\n", lat[count / 2] / 1000.0, lat[(count * 99) / 100] / 1000.0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return child(argv[2]);
    if (argc == 5 && strcmp(argv[1], "driver") == 0)
        return driver((pid_t)atoi(argv[2]), argv[3], atoi(argv[4]));
    fprintf(stderr, "usage: fwdlat child FIFO | fwdlat driver PID FIFO COUNT\n");
    return 2;
}
