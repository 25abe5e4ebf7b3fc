/* src/os/reap.c — reap every zombie. */
#include "podinit/reap.h"

#include <errno.h>
#include <sys/wait.h>


int reap_children(reap_fn *on_reaped, void *ctx, bool *none_left) {
    int reaped = 0;
    if (none_left)
        *none_left = false;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            reaped++;
            on_reaped(ctx, pid, status);
            continue;
        }
        if (pid == 0)
            return reaped;
        if (errno == EINTR)
            continue;
        if (errno == ECHILD) {
            if (none_left)
                *none_left = true;
            return reaped;
        }
        return -errno;
    }
}
