/* src/os/hooks.c — starting and cancelling exec hooks, and how any hook is
 * described in the log. An exec hook is a child in its own process group
 * (cancelled with its children); an httpGet hook is a request on the loop
 * (process_hooks.c), never a child. */
#include "podinit/hooks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "podinit/http.h"
#include "podinit/log.h"

int hooks_start(const struct config_hook *h, const struct hooks_context *ctx, pid_t *pid,
                struct spawn_error *failure) {
    *failure = (struct spawn_error){SPAWN_STAGE_NONE, 0};
    if (h->kind != HOOK_EXEC) {
        failure->err = EINVAL;
        return -EINVAL;
    }
    struct spawn_request req = {
        .argv = h->command,
        .signals = ctx->signals,
        .isolation = SPAWN_BACKGROUND_GROUP,
        .envp = ctx->envp,
        .dir = ctx->dir,
        .set_user = ctx->set_user,
        .uid = ctx->uid,
        .gid = ctx->gid,
        .groups = ctx->groups,
        .n_groups = ctx->n_groups,
        .redirect = ctx->redirect,
        .out_fd = ctx->out_fd,
        .err_fd = ctx->err_fd,
    };
    return spawn_process(&req, pid, failure);
}

const char *hooks_describe(const struct config_hook *h, char *buf, size_t len) {
    size_t used = 0;
    switch (h->kind) {
    case HOOK_EXEC:
        used = (size_t)snprintf(buf, len, "exec");
        for (char **a = h->command; a && *a && used < len; a++)
            used += (size_t)snprintf(buf + used, len - used, " %s", *a);
        break;
    case HOOK_HTTP_GET:
        snprintf(buf, len, "httpGet http://%s:%d%s", h->host ? h->host : "127.0.0.1", h->port,
                 h->path ? h->path : "/");
        break;
    case HOOK_SLEEP:
        snprintf(buf, len, "sleep %lld.%03llds", (long long)(h->sleep_ms / 1000),
                 (long long)(h->sleep_ms % 1000));
        break;
    default: snprintf(buf, len, "none");
    }
    return buf;
}

void hooks_cancel(pid_t pid) {
    if (pid > 0)
        (void)kill(-pid, SIGKILL);
}
