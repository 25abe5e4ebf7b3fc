/* src/os/process.c — one configured process: its runs, the signals it is
 * sent, and its lifecycle's actions carried out (hooks: process_hooks.c;
 * probes: process_probes.c). */
#include "podinit/process.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/exit_code.h"
#include "podinit/hot.h"
#include "podinit/log.h"
#include "podinit/spawn.h"

extern char **environ;

int process_init(struct proc *p, struct process_shared *sh, size_t index,
                 const struct config_process *c) {
    *p = (struct proc){.sh = sh, .index = index, .cfg = c, .lc = &sh->pod->procs[index].lc};
    if (c->n_env > 0) {
        p->env = config_environment(c, environ);
        if (p->env == NULL) {
            log_msg(LOG_ERROR, "building the environment: %s", strerror(ENOMEM));
            return CLI_EXIT_INTERNAL;
        }
    }
    bool probes = c->readiness.present || c->liveness.present || c->startup.present;
    bool execs = c->post_start.kind == HOOK_EXEC || c->pre_stop.kind == HOOK_EXEC || probes;
    /* Hooks run where the app was started, after podinit has left it. */
    if (c->working_dir == NULL && execs && sh->start_dir == NULL)
        sh->start_dir = getcwd(NULL, 0);
    p->ctx = (struct hooks_context){.signals = sh->signals,
                                    .envp = p->env,
                                    .dir = c->working_dir ? c->working_dir : sh->start_dir,
                                    .set_user = c->user != NULL,
                                    .uid = c->uid,
                                    .gid = c->gid,
                                    .groups = c->groups,
                                    .n_groups = c->n_groups};
    if (c->post_start.kind == HOOK_HTTP_GET || c->pre_stop.kind == HOOK_HTTP_GET) {
        p->hook_http = malloc(sizeof *p->hook_http);
        if (p->hook_http == NULL) {
            log_msg(LOG_ERROR, "httpGet hooks: %s", strerror(ENOMEM));
            return CLI_EXIT_INTERNAL;
        }
        http_client_init(p->hook_http);
    }
    int rc = process_output_open(p);
    if (rc != 0)
        return rc;
    return probes ? process_probes_init(p) : 0;
}

void process_free(struct proc *p) {
    process_output_close(p);
    if (p->prober != NULL)
        prober_stop_all(p->prober);
    if (p->hook_http != NULL)
        http_client_cancel(p->hook_http);
    free(p->prober);
    free(p->hook_http);
    free(p->env);
    p->prober = NULL;
    p->hook_http = NULL;
    p->env = NULL;
}

bool process_socket_activated(void) {
    const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
    if (fds == NULL || pid == NULL)
        return false;
    long n = text_parse_number(pid, 1, INT32_MAX);
    return n > 0 && n == (long)getpid();
}

const char *process_name(const struct proc *p) {
    return p->cfg->name ? p->cfg->name : "main";
}

const char *process_prefix(const struct proc *p, char *buf, size_t len) {
    if (!p->sh->named)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%s: ", process_name(p));
    return buf;
}

PODINIT_HOT bool process_exited(const struct proc *p) {
    return pod_process_exited(p->sh->pod, p->index);
}

static void post(struct proc *p, struct lifecycle_event ev) {
    pod_post(p->sh->pod, p->index, ev);
}

/* What a run that could not start means, said in the log. */
static int start_failed(const struct proc *p, const struct spawn_request *req,
                        const struct spawn_error *f, int rc) {
    const char *program = req->argv[0];
    switch (f->stage) {
    case SPAWN_STAGE_EXEC: log_exec_failed(program, f->err); return spawn_exit_code_for(f->err);
    case SPAWN_STAGE_CHDIR:
        log_msg(LOG_ERROR, "workingDir \"%s\": %s", req->dir, strerror(f->err));
        return 126;
    case SPAWN_STAGE_USER:
        log_msg(LOG_ERROR, "user \"%s\" (uid %d, gid %d): %s", p->cfg->user, (int)req->uid,
                (int)req->gid, strerror(f->err));
        return 126;
    case SPAWN_STAGE_FORK:
        log_msg(LOG_ERROR, "cannot start \"%s\": fork: %s", program, strerror(f->err));
        return CLI_EXIT_INTERNAL;
    default:
        log_msg(LOG_ERROR, "cannot start \"%s\": %s", program, strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
}

int process_start(struct proc *p) {
    int out = process_output_watch(p);
    if (out != 0)
        return out;
    bool session = p->sh->new_session;
    struct spawn_request req = {
        .argv = p->cfg->command,
        .signals = p->sh->signals,
        .isolation = session ? SPAWN_SESSION : SPAWN_PROCESS_GROUP,
        .child_note = session && log_enabled(LOG_DEBUG) ? p->sh->session_note : NULL,
        .envp = p->env,
        .dir = p->cfg->working_dir,
        .set_user = p->cfg->user != NULL,
        .uid = p->cfg->uid,
        .gid = p->cfg->gid,
        .groups = p->cfg->groups,
        .n_groups = p->cfg->n_groups,
        .listen_pid = p->sh->listen_pid,
        .redirect = p->ctx.redirect,
        .out_fd = p->ctx.out_fd,
        .err_fd = p->ctx.err_fd,
    };
    struct spawn_error failure;
    int rc = spawn_process(&req, &p->pid, &failure);
    if (rc != 0)
        return start_failed(p, &req, &failure, rc);
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    log_spawned(PROCESS_LOG_FIELDS(p, .event = "started", .child = p->pid), pre, p->pid,
                req.argv[0]);
    return 0;
}

/* ACT_RESTART: the process again. A start that fails counts as an exit
 * with that code (and backs off again). */
static void restart(struct proc *p) {
    log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "restart"), "restarting \"%s\" (restart %d)",
              process_name(p), p->lc->restarts);
    int rc = process_start(p);
    if (rc != 0) {
        /* No child, so no SIGCHLD will say so: the exit is posted now. */
        post(p, (struct lifecycle_event){.kind = EV_MAIN_EXITED, .status = (rc & 0xff) << 8});
        return;
    }
    post(p, (struct lifecycle_event){.kind = EV_STARTED});
}

PODINIT_HOT pid_t process_forward_target(const struct proc *p, pid_t *or_else) {
    *or_else = 0;
    if (p->pid <= 0 || pod_process_completed(p->sh->pod, p->index))
        return 0; /* a completed init task's group is gone */
    bool exited = process_exited(p);
    if (!p->sh->signal_group)
        return exited ? 0 : p->pid;
    if (!exited)
        *or_else = p->pid;
    return -p->pid;
}

PODINIT_HOT void process_forward(struct proc *p, int signo) {
    int to = signals_rewrite_apply(&p->cfg->rewrite, signo);
    if (to != signo && to != 0)
        log_signal_rewritten(signo, to);
    if (to == 0) {
        log_signal_dropped(signo);
        return;
    }
    if (p->pid <= 0 || pod_process_completed(p->sh->pod, p->index))
        return;
    /* A reaped child is not signalled (target 0), but dumb-init still
     * reports the forward (its verbose output is kept). */
    pid_t or_else, target = process_forward_target(p, &or_else);
    if (target != 0 && kill(target, to) < 0) {
        if (errno == ESRCH && or_else > 0)
            (void)kill(or_else, to);
        else if (errno != ESRCH)
            log_msg(LOG_WARN, "forwarding signal %d to %d: %s", to, (int)target, strerror(errno));
    }
    log_signal_forwarded(to, p->sh->signal_group ? -p->pid : p->pid);
}

/* ACT_SIGNAL_APP. A process already gone is not signalled itself (its pid
 * may be someone else's by now), nor is everything: the others keep their
 * drain, and what is left is the pod's to stop once every process is gone
 * (POD_ACT_ASK_WHAT_IS_LEFT). Its group may still have members: a pgid is
 * not handed out again while one is left (else ESRCH). */
static void signal_app(struct proc *p, int signo, const char *pre) {
    char name[32];
    if (process_exited(p)) {
        int sig = signals_rewrite_apply(&p->cfg->rewrite, signo);
        if (p->sh->signal_group && p->pid > 0 && sig != 0 && kill(-p->pid, sig) == 0)
            log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "stop", .signo = sig),
                      "%sstopping: %s to what is left of process group %d", pre,
                      signals_name(sig, name, sizeof name), (int)p->pid);
        return;
    }
    log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "stop", .signo = signo, .child = p->pid),
              "%sstopping: %s to %s %d", pre, signals_name(signo, name, sizeof name),
              p->sh->signal_group ? "process group" : "pid", (int)p->pid);
    process_forward(p, signo);
}

static void kill_app(struct proc *p, const char *pre) {
    if (process_exited(p))
        return;
    log_event(LOG_WARN, PROCESS_LOG_FIELDS(p, .event = "kill", .signo = SIGKILL, .child = p->pid),
              "%sgrace period over: SIGKILL to process group %d", pre, (int)p->pid);
    (void)kill(-p->pid, SIGKILL);
}

static void log_backoff(const struct proc *p, const struct lifecycle_action *act) {
    int status = pod_process_last_status(p->sh->pod, p->index);
    log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "backoff", .child = p->pid),
              "\"%s\" exited (status %d): restart %d in %d.%03ds", process_name(p),
              exit_code_of(status), act->restart_number, (int)(act->delay_ms / 1000),
              (int)(act->delay_ms % 1000));
}

/* ACT_BACKOFF_LIMIT: the count, the reset time and the status are the
 * lifecycle's (crashes is backoff_limit by now). */
static void log_backoff_limit(const struct proc *p) {
    const struct lifecycle *lc = p->lc;
    int code = exit_code_of(pod_process_last_status(p->sh->pod, p->index));
    long long reset = (long long)lc->cfg.backoff_reset_ms;
    char secs[32];
    if (reset % 1000 == 0)
        snprintf(secs, sizeof secs, "%llds", reset / 1000);
    else
        snprintf(secs, sizeof secs, "%lld.%03llds", reset / 1000, reset % 1000);
    log_event(LOG_ERROR,
              PROCESS_LOG_FIELDS(p, 
                  .event = "backoff_limit", .child = p->pid, .has_status = true, .status = code),
              "\"%s\" restarted %d time%s without a run of %s (backoffLimit %d): giving up, exit "
              "status %d",
              process_name(p), lc->crashes, lc->crashes == 1 ? "" : "s", secs,
              lc->cfg.backoff_limit, code);
}

static void log_restart_abandoned(const struct proc *p, const char *pre) {
    log_event(LOG_WARN, PROCESS_LOG_FIELDS(p, .event = "abandoned", .child = p->pid),
              "%sstill running %d.%03ds after SIGKILL (not ours to kill?): pid %d cannot be "
              "restarted; stopping the container",
              pre, LIFECYCLE_KILL_WAIT_MS / 1000, LIFECYCLE_KILL_WAIT_MS % 1000, (int)p->pid);
}

void process_carry_out(struct proc *p, const struct lifecycle_action *act) {
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    switch (act->kind) {
    case ACT_SET_READY:
        log_event(act->ready ? LOG_DEBUG : LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "readiness"),
                  "%sreadiness: %s", pre, act->ready ? "ready" : "not ready");
        break;
    case ACT_RUN_HOOK: process_run_hook(p, act->hook); break;
    case ACT_SLEEP_HOOK: process_log_sleep_hook(p, act->hook); break;
    case ACT_CANCEL_HOOK: process_cancel_hook(p, act->hook, act->timed_out); break;
    case ACT_SIGNAL_APP: signal_app(p, act->signo, pre); break;
    case ACT_KILL_APP: kill_app(p, pre); break;
    case ACT_BACKOFF: log_backoff(p, act); break;
    case ACT_RESTART: restart(p); break;
    case ACT_BACKOFF_LIMIT: log_backoff_limit(p); break;
    case ACT_PROBES: process_set_probes(p, act->probes); break;
    case ACT_GIVE_UP:
        if (act->restart_abandoned)
            log_restart_abandoned(p, pre);
        break;
    case ACT_COMPLETED:
        log_event(LOG_INFO, PROCESS_LOG_FIELDS(p, .event = "completed"),
                  "%sinit task completed (status 0)", pre);
        /* As a container's end takes all in it: nothing the task left in
         * its group runs on beside what comes next. */
        if (p->pid > 0 && kill(-p->pid, SIGKILL) < 0 && errno != ESRCH)
            log_msg(LOG_WARN, "%sSIGKILL to process group %d: %s", pre, (int)p->pid,
                    strerror(errno));
        break;
    case ACT_KILL_ALL: /* the pod's */
    case ACT_EXIT: break; /* the container exits when every lifecycle has */
    }
}

bool process_reaped_job(struct proc *p, pid_t pid, int status, int64_t now) {
    if (p->hook_pid > 0 && pid == p->hook_pid) {
        process_hook_reaped(p, status);
        return true;
    }
    for (size_t i = 0; i < 2; i++) {
        if (p->cancelled_hook_pid[i] > 0 && pid == p->cancelled_hook_pid[i]) {
            p->cancelled_hook_pid[i] = 0; /* cancelled: nothing to report */
            return true;
        }
    }
    return p->prober != NULL && prober_on_reaped(p->prober, pid, status, now);
}
