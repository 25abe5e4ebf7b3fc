/* src/reap.c — reap every zombie; decode wait statuses into exit codes. */
#include "podinit/reap.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "podinit/text.h"

int reap_remap_add(struct reap_remap *rm, const char *text) {
    long v = text_parse_number(text, 0, 255);
    if (v < 0)
        return -1;
    rm->bits[v / 32] |= UINT32_C(1) << (v % 32);
    return 0;
}

bool reap_remap_has(const struct reap_remap *rm, int code) {
    if (code < 0 || code > 255)
        return false;
    return (rm->bits[code / 32] >> (code % 32)) & 1u;
}

int reap_exit_code(int wait_status) {
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return (128 + WTERMSIG(wait_status)) & 0xff;
    return 1; /* stopped/continued are never reported: we do not ask for them */
}

int reap_container_exit_code(int wait_status, const struct reap_remap *rm) {
    int code = reap_exit_code(wait_status);
    return reap_remap_has(rm, code) ? 0 : code;
}

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
