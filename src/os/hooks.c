/* src/hooks.c — starting and cancelling lifecycle hooks. They run as
 * children so that the event loop never blocks on one: an exec hook is the
 * command itself, an httpGet hook a forked copy of podinit doing one GET. */
#include "podinit/hooks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "podinit/http.h"
#include "podinit/log.h"

/* The forked httpGet child: one request, the answer as the exit status. */
static __attribute__((noreturn)) void http_hook_child(const struct config_hook *h,
                                                      const struct hooks_context *ctx) {
    log_after_fork();
    const char *host = h->host ? h->host : "127.0.0.1";
    const char *path = h->path ? h->path : "/";
    int code = http_get(host, h->port, path, h->headers, h->n_headers, ctx->timeout_ms);
    if (code >= 0 && HTTP_SUCCESS(code))
        _exit(0);
    if (code >= 0)
        log_msg(LOG_WARN, "%s hook: GET http://%s:%d%s answered %d", ctx->name, host, h->port, path,
                code);
    else
        log_msg(LOG_WARN, "%s hook: GET http://%s:%d%s: %s", ctx->name, host, h->port, path,
                strerror(-code));
    _exit(1);
}

int hooks_start(const struct config_hook *h, const struct hooks_context *ctx, pid_t *pid,
                struct spawn_error *failure) {
    *failure = (struct spawn_error){SPAWN_STAGE_NONE, 0};
    if (h->kind == HOOK_EXEC) {
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
        };
        return spawn_process(&req, pid, failure);
    }
    if (h->kind != HOOK_HTTP_GET) {
        failure->err = EINVAL;
        return -EINVAL;
    }
    /* Nothing buffered may be written twice. */
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        *failure = (struct spawn_error){SPAWN_STAGE_FORK, errno};
        return -errno;
    }
    if (child == 0) {
        (void)setpgid(0, 0);
        http_hook_child(h, ctx);
    }
    (void)setpgid(child, child);
    *pid = child;
    return 0;
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
