/* src/os/children.c — podinit's children as the kernel lists them. */
#include "podinit/children.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int children_for_each(void (*fn)(pid_t pid, void *ctx), void *ctx) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[4096];
    long pid = 0;
    bool in_number = false;
    int count = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                if (pid < 100000000) /* pids are below 2^22 */
                    pid = pid * 10 + (buf[i] - '0');
                in_number = true;
            } else if (in_number) {
                fn((pid_t)pid, ctx);
                count++;
                pid = 0;
                in_number = false;
            }
        }
    }
    if (in_number) {
        fn((pid_t)pid, ctx);
        count++;
    }
    close(fd);
    return count;
}

/* A child, and the group it leads: a daemon's workers stay in its group
 * while it lives, and are not podinit's children to be listed. */
static void signal_child(pid_t pid, void *ctx) {
    int signo = *(const int *)ctx;
    (void)kill(pid, signo);
    if (getpgid(pid) == pid)
        (void)kill(-pid, signo);
}

void children_signal_all(int signo) {
    if (getpid() == 1) {
        (void)kill(-1, signo);
        return;
    }
    (void)children_for_each(signal_child, &signo);
}

void children_list_add(pid_t pid, void *list) {
    struct children_list *l = list;
    char num[16];
    int n = snprintf(num, sizeof num, "%s%d", l->len > 0 ? " " : "", (int)pid);
    if (n > 0 && l->len + (size_t)n < sizeof l->text) {
        memcpy(l->text + l->len, num, (size_t)n + 1);
        l->len += (size_t)n;
    } else {
        l->more++;
    }
}
