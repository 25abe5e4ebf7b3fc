/* src/os/process_hooks.c — a process's postStart and preStop jobs: started
 * when its lifecycle asks, cancelled when it no longer needs them, and
 * their end posted to the pod (a cancelled one's end reports nothing). */
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
    struct log_fields lf = {.event = "hook_failed", .hook = name};
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

void process_run_hook(struct proc *p, enum lifecycle_hook_id id, int64_t now) {
    const struct config_hook *h = hook_config(p, id);
    const char *name = lifecycle_hook_name(id);
    char what[256], pre[80];
    log_event(LOG_INFO, &(struct log_fields){.event = "hook_start", .hook = name}, "%s%s hook: %s",
              process_prefix(p, pre, sizeof pre), name, hooks_describe(h, what, sizeof what));
    int64_t left = p->lc->phase_end_ms - now;
    struct hooks_context ctx = p->ctx;
    ctx.name = name;
    ctx.timeout_ms = left > 0 ? left : 1;
    struct spawn_error failure;
    pid_t pid;
    if (hooks_start(h, &ctx, &pid, &failure) != 0) {
        failed_to_start(p, id, h, &failure);
        return;
    }
    p->hook_pid = pid;
}

void process_cancel_hook(struct proc *p, enum lifecycle_hook_id id, bool timed_out) {
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    log_event(LOG_WARN,
              &(struct log_fields){.event = "hook_cancelled", .hook = name, .child = p->hook_pid},
              "%s%s hook %s: killing it", process_prefix(p, pre, sizeof pre), name,
              timed_out
                  ? (id == LC_HOOK_PRE_STOP ? "still running when its time ran out" : "timed out")
                  : "no longer needed");
    hooks_cancel(p->hook_pid); /* the lifecycle forgot it: its exit reports nothing */
    p->cancelled_hook_pid = p->hook_pid;
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
    struct log_fields lf = {.event = ok ? "hook_done" : "hook_failed",
                            .hook = name,
                            .has_status = true,
                            .status = code};
    if (ok)
        log_event(LOG_INFO, &lf, "%s%s hook succeeded", pre, name);
    else
        log_event(LOG_WARN, &lf, "%s%s hook failed (status %d)", pre, name, code);
    post_done(p, id, ok);
}
