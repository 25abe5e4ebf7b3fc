/* src/os/process_hooks.c — a process's postStart and preStop jobs: started
 * when its lifecycle asks, cancelled when it no longer needs them, and
 * their end posted to the pod (a cancelled one's end reports nothing). An
 * exec hook is a child (hooks.c); an httpGet hook a request on the one
 * HTTP client, on the loop: it has no deadline of its own, the
 * lifecycle's phase ends it (ACT_CANCEL_HOOK). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "podinit/exit_code.h"
#include "podinit/log.h"
#include "podinit/process.h"

static const struct config_hook *hook_config(const struct proc *p, enum lifecycle_hook_id id) {
    return id == LC_HOOK_POST_START ? &p->cfg->post_start : &p->cfg->pre_stop;
}

static void post_done(struct proc *p, enum lifecycle_hook_id id, bool ok) {
    pod_post(p->sh->pod, p->index,
             (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = id, .ok = ok});
}

static void failed_to_start(struct proc *p, enum lifecycle_hook_id id, const struct config_hook *h,
                            const struct spawn_error *f) {
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    struct log_fields lf = *PROCESS_LOG_FIELDS(p, .event = "hook_failed", .hook = name);
    if (f->stage == SPAWN_STAGE_CHDIR)
        log_event(LOG_WARN, &lf, "%s%s hook failed: working directory \"%s\": %s", pre, name,
                  p->ctx.dir ? p->ctx.dir : ".", strerror(f->err));
    else if (f->stage == SPAWN_STAGE_USER)
        log_event(LOG_WARN, &lf, "%s%s hook failed: user \"%s\": %s", pre, name, p->cfg->user,
                  strerror(f->err));
    else if (f->stage == SPAWN_STAGE_EXEC)
        log_event(LOG_WARN, &lf, "%s%s hook failed: exec \"%s\": %s", pre, name, h->command[0],
                  strerror(f->err));
    else if (f->stage == SPAWN_STAGE_FORK)
        log_event(LOG_WARN, &lf, "%s%s hook failed to start: fork: %s", pre, name,
                  strerror(f->err));
    else
        log_event(LOG_WARN, &lf, "%s%s hook failed to start: %s", pre, name, strerror(f->err));
    post_done(p, id, false);
}

static void describe_url(const struct config_hook *h, char *buf, size_t len) {
    snprintf(buf, len, "http://%s:%d%s", h->host ? h->host : "127.0.0.1", h->port,
             h->path ? h->path : "/");
}

static void http_failed(struct proc *p, enum lifecycle_hook_id id, const char *why) {
    const char *name = lifecycle_hook_name(id);
    char pre[80], url[1200];
    describe_url(hook_config(p, id), url, sizeof url);
    log_event(LOG_WARN, PROCESS_LOG_FIELDS(p, .event = "hook_failed", .hook = name),
              "%s%s hook failed: GET %s: %s", process_prefix(p, pre, sizeof pre), name, url, why);
    post_done(p, id, false);
}

/* The httpGet hook's answer: success on 2xx/3xx, as Kubernetes counts it. */
static void on_http_done(void *ctx, int result, const char *why) {
    struct proc *p = ctx;
    enum lifecycle_hook_id id = p->lc->running_hook;
    if (id == LC_HOOK_NONE)
        return; /* the lifecycle no longer waits for it */
    if (!http_client_succeeded(result)) {
        http_failed(p, id, why);
        return;
    }
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "hook_done", .hook = name),
              "%s%s hook succeeded (%s)", process_prefix(p, pre, sizeof pre), name, why);
    post_done(p, id, true);
}

static void start_http(struct proc *p, enum lifecycle_hook_id id, const struct config_hook *h) {
    struct http_client_target t = {.host = h->host ? h->host : "127.0.0.1",
                                   .port = h->port,
                                   .path = h->path ? h->path : "/",
                                   .headers = h->headers,
                                   .n_headers = h->n_headers};
    int rc = http_client_start(p->hook_http, p->sh->loop, &t, 0, on_http_done, p);
    if (rc < 0) {
        char why[64];
        http_failed(p, id, http_client_why(rc, why, sizeof why));
    }
}

/* "postStart hook: exec true", "preStop hook: sleep 5.000s", ... */
static void log_hook_start(const struct proc *p, enum lifecycle_hook_id id,
                           const struct config_hook *h) {
    const char *name = lifecycle_hook_name(id);
    char what[256], pre[80];
    log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "hook_start", .hook = name), "%s%s hook: %s",
              process_prefix(p, pre, sizeof pre), name, hooks_describe(h, what, sizeof what));
}

void process_run_hook(struct proc *p, enum lifecycle_hook_id id) {
    const struct config_hook *h = hook_config(p, id);
    log_hook_start(p, id, h);
    if (h->kind == HOOK_HTTP_GET) {
        start_http(p, id, h);
        return;
    }
    struct spawn_error failure;
    pid_t pid;
    if (hooks_start(h, &p->ctx, &pid, &failure) != 0) {
        failed_to_start(p, id, h, &failure);
        return;
    }
    p->hook_pid = pid;
}

/* A sleep hook is timed by the lifecycle; only its start is said, as a
 * job's is (its end is what comes next: readiness, or the stop signal). */
void process_log_sleep_hook(const struct proc *p, enum lifecycle_hook_id id) {
    log_hook_start(p, id, hook_config(p, id));
}

void process_cancel_hook(struct proc *p, enum lifecycle_hook_id id, bool timed_out) {
    bool request = p->hook_http != NULL && http_client_busy(p->hook_http);
    if (!request && p->hook_pid <= 0)
        return;
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    log_event(LOG_WARN,
              PROCESS_LOG_FIELDS(p, .event = "hook_cancelled", .hook = name, .child = p->hook_pid),
              "%s%s hook %s: %s", process_prefix(p, pre, sizeof pre), name,
              timed_out
                  ? (id == LC_HOOK_PRE_STOP ? "still running when its time ran out" : "timed out")
                  : "no longer needed",
              request ? "closing its connection" : "killing it");
    if (request) {
        http_client_cancel(p->hook_http);
        return;
    }
    hooks_cancel(p->hook_pid); /* the lifecycle forgot it: its exit reports nothing */
    p->cancelled_hook_pid[id == LC_HOOK_PRE_STOP] = p->hook_pid;
    p->hook_pid = 0;
}

/* A hook job ended: success is exit status 0. */
void process_hook_reaped(struct proc *p, int status) {
    enum lifecycle_hook_id id = p->lc->running_hook;
    p->hook_pid = 0;
    if (id == LC_HOOK_NONE)
        return; /* the lifecycle no longer waits for it */
    const char *name = lifecycle_hook_name(id);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    int code = exit_code_of(status);
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    struct log_fields lf = *PROCESS_LOG_FIELDS(p, .event = ok ? "hook_done" : "hook_failed",
                            .hook = name,
                            .has_status = true,
                            .status = code);
    if (ok)
        log_event(LOG_INFO, &lf, "%s%s hook succeeded", pre, name);
    else
        log_event(LOG_WARN, &lf, "%s%s hook failed (status %d)", pre, name, code);
    post_done(p, id, ok);
}
