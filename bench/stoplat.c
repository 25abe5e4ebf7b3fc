/* stoplat — shutdown latency of an init: SIGTERM to the init, until its
 * PID namespace is gone (the child, `sleep`, dies of the forwarded SIGTERM;
 * no drain is configured).
 *   stoplat N CMD...   run `unshare --pid --fork --mount-proc --kill-child
 *                      CMD... sleep 1000` N times; print "median_us p99_us" */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* The first child of pid (unshare's only child: the init), or 0. */
static pid_t child_of(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "re");
    int c = 0;
    if (f) {
        if (fscanf(f, "%d", &c) != 1)
            c = 0;
        fclose(f);
    }
    return (pid_t)c;
}

/* Whether the init has started its own child (the sleep). */
static int has_child(pid_t init) {
    return child_of(init) != 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: stoplat N CMD...\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n <= 0)
        return 2;
    int64_t *lat = calloc((size_t)n, sizeof *lat);
    char **args = calloc((size_t)argc + 8, sizeof *args);
    if (!lat || !args)
        return 1;
    int a = 0;
    const char *pre[] = {"unshare", "--pid", "--fork", "--mount-proc", "--kill-child"};
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
        args[a++] = (char *)pre[i];
    for (int i = 2; i < argc; i++)
        args[a++] = argv[i];
    args[a++] = "sleep";
    args[a++] = "1000";
    args[a] = NULL;
    for (int i = 0; i < n; i++) {
        pid_t ns = fork();
        if (ns < 0)
            return 1;
        if (ns == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, 1);
                dup2(null, 2);
            }
            execvp(args[0], args);
            _exit(127);
        }
        pid_t init = 0;
        for (int t = 0; t < 5000 && !(init && has_child(init)); t++) {
            init = child_of(ns);
            usleep(1000);
        }
        usleep(20000); /* let the init reach its wait */
        int64_t t0 = now_ns();
        if (!init || kill(init, SIGTERM) != 0) {
            kill(ns, SIGKILL);
            waitpid(ns, NULL, 0);
            fprintf(stderr, "stoplat: no init\n");
            return 1;
        }
        while (waitpid(ns, NULL, 0) < 0 && errno == EINTR)
            ;
        lat[i] = now_ns() - t0;
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp_int64);
    printf("%lld %lld\n", (long long)(lat[n / 2] / 1000),
           (long long)(lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000));
    return 0;
}
