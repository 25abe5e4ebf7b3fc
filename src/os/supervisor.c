/* src/os/supervisor.c — the rounds of one loop (loop.c): the signals, the
 * health endpoint's and probes' sockets, and one deadline, the earliest of
 * what is scheduled, asked anew each round. It sleeps in the kernel with no
 * timeout while nothing is scheduled, so an idle podinit costs no wake-ups;
 * with no socket (the drop-in case) a forwarded signal costs one
 * sigtimedwait and the kill. After a SIGCHLD it reaps until waitpid says
 * nothing is left (SIGCHLDs coalesce, so their count says nothing about
 * the count of zombies).
 *
 * Each configured process has its own lifecycle (lifecycle.c, pure); this
 * file feeds them events and carries out their actions, and coordinates
 * them as one container: a stop signal goes to every process's lifecycle,
 * and a process that ends the container (its exit under restartPolicy
 * Never, a liveness failure under Never, a failed postStart) stops the
 * others at once. */
#include "podinit/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "podinit/config.h"
#include "podinit/health.h"
#include "podinit/hooks.h"
#include "podinit/lifecycle.h"
#include "podinit/log.h"
#include "podinit/pod.h"
#include "podinit/loop.h"
#include "podinit/prober.h"
#include "podinit/reap.h"
#include "podinit/signal_state.h"
#include "podinit/spawn.h"

extern char **environ;

struct supervisor;

/* One configured process and everything podinit tracks about it. */
struct proc {
    struct supervisor *sv;
    int index;
    const struct config_process *cfg;
    char **env;  /* its environment (inherited + env), or NULL: ours */
    pid_t pid; /* its latest run's (0 before it starts, and in pause mode); whether
                  that run is reaped is the pod's to say (pod_process_exited) */
    struct lifecycle *lc; /* its lifecycle, in the pod */
    /* The one hook job it may run (exec or httpGet): which hook it is, is
     * the lifecycle's running_hook (LC_HOOK_NONE once cancelled). */
    pid_t hook_pid;
    struct hooks_context ctx; /* env, dir, user for its hooks and exec probes */
    /* Probes: only when configured (nothing configured, nothing paid). */
    bool probes_on;
    struct prober *prober; /* allocated only when it has probes */
};

struct supervisor {
    const struct cli_options *opts;
    const struct config *cfg;
    char *start_dir; /* where hooks run when workingDir is not set */
    struct signal_state saved;
    bool saw_sigchld;                          /* in this round of the loop */
    bool no_children;                          /* the last reap found none at all */
    bool stop_requested;                       /* pause mode: a stop signal arrived */
    bool ignore_once[SIGNALS_CLASSIC_MAX + 1]; /* dumb-init: the tty hand-off HUP/CONT */
    struct health health;
    struct loop loop; /* the signals, the deadline, the endpoint's and probes' sockets */
    struct proc procs[CONFIG_MAX_PROCESSES];
    size_t n_procs;
    /* The processes as one container: their lifecycles, the shutdown, the
     * events waiting to be fed (never fed from inside an action). */
    struct pod pod;
    struct pod_process pod_procs[CONFIG_MAX_PROCESSES];
    struct pod_item pod_queue[POD_QUEUE_CAP(CONFIG_MAX_PROCESSES)];
};

/* Whether p's latest run has been reaped. */
static bool exited(const struct proc *p) {
    return pod_process_exited(&p->sv->pod, (size_t)p->index);
}

static bool is_tty_stop(int signo) {
    return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

static const char *proc_name(const struct proc *p) {
    return p->cfg->name ? p->cfg->name : "main";
}

/* "web: " before a process's log lines when there are several. */
static const char *prefix(const struct supervisor *sv, const struct proc *p, char *buf,
                          size_t len) {
    if (sv->n_procs < 2)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%s: ", proc_name(p));
    return buf;
}

/* Send signo (after its rewrite map) to a process, or to its group. */
static void forward_signal(struct supervisor *sv, struct proc *p, int signo) {
    const struct cli_options *o = sv->opts;
    int to = signals_rewrite_apply(&p->cfg->rewrite, signo);
    if (to != signo && to != 0)
        log_signal_rewritten(signo, to);
    if (to == 0) {
        log_signal_dropped(signo);
        return;
    }
    if (p->pid <= 0)
        return;
    pid_t target = o->signal_group ? -p->pid : p->pid;
    /* A reaped child's pid may belong to someone else by now: never signal
     * it. (dumb-init still reports the forward; its verbose output is kept.) */
    if (!(exited(p) && !o->signal_group)) {
        if (kill(target, to) < 0) {
            /* The child may have left its group (setsid, setpgid): reach it
             * directly rather than lose the signal. */
            if (errno == ESRCH && target < 0 && !exited(p))
                (void)kill(p->pid, to);
            else if (errno != ESRCH)
                log_msg(LOG_WARN, "forwarding signal %d to %d: %s", to, (int)target,
                        strerror(errno));
        }
    }
    log_signal_forwarded(to, target);
}

/* A signal the kernel raised on podinit itself for its own I/O: SIGPIPE
 * when its log pipe is gone, SIGXFSZ at a file size limit. It is ours, not
 * the application's, and is not forwarded. */
static bool raised_by_own_io(const struct loop_signal *sig) {
    return (sig->signo == SIGPIPE || sig->signo == SIGXFSZ) && sig->code == SI_USER &&
           sig->pid == getpid();
}

/* Calls fn for each child the kernel lists for podinit (orphans it adopted
 * included). Returns how many, or -1 when the list cannot be read (no /proc,
 * or a kernel without CONFIG_PROC_CHILDREN). */
static int for_each_child(void (*fn)(pid_t, void *), void *ctx) {
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

/* signo to everything left: each process's group, and as PID 1 the whole
 * namespace (kill(-1) spares the caller); as a subreaper, each child listed
 * by the kernel (orphans it adopted included). */
static void signal_everything(struct supervisor *sv, int signo) {
    for (size_t i = 0; i < sv->n_procs; i++)
        if (sv->procs[i].pid > 0 && !exited(&sv->procs[i]))
            (void)kill(-sv->procs[i].pid, signo);
    if (getpid() == 1) {
        (void)kill(-1, signo);
        return;
    }
    (void)for_each_child(signal_child, &signo);
}

/* Up to a line's worth of pids, as "12 345 ..." (for the log). */
struct pid_list {
    char text[200];
    size_t len;
    int more;
};

static void list_child(pid_t pid, void *ctx) {
    struct pid_list *l = ctx;
    char num[16];
    int n = snprintf(num, sizeof num, "%s%d", l->len > 0 ? " " : "", (int)pid);
    if (n > 0 && l->len + (size_t)n < sizeof l->text) {
        memcpy(l->text + l->len, num, (size_t)n + 1);
        l->len += (size_t)n;
    } else {
        l->more++;
    }
}

/* ACT_GIVE_UP: SIGKILL did not clear everything in the bounded wait; the
 * pids left are named (once), then podinit exits. */
static void say_what_is_left(struct supervisor *sv) {
    struct pid_list l = {.len = 0};
    if (for_each_child(list_child, &l) < 0)
        for (size_t i = 0; i < sv->n_procs; i++)
            if (sv->procs[i].pid > 0 && !exited(&sv->procs[i]))
                list_child(sv->procs[i].pid, &l);
    log_event(LOG_WARN, &(struct log_fields){.event = "abandoned", .signo = SIGKILL},
              "still running %d.%03ds after SIGKILL (not ours to kill?): pid%s %s%s; exiting",
              LIFECYCLE_KILL_WAIT_MS / 1000, LIFECYCLE_KILL_WAIT_MS % 1000,
              l.len > 0 && (strchr(l.text, ' ') || l.more) ? "s" : "",
              l.len > 0 ? l.text : "unknown", l.more > 0 ? " and more" : "");
}

/* signo, after the main process's rewrite map, to everything left: what
 * the processes left behind once they are all gone in a shutdown. */
static void ask_what_is_left(struct supervisor *sv, int signo) {
    int sig = signals_rewrite_apply(&sv->procs[0].cfg->rewrite, signo);
    if (sig == 0)
        return;
    char name[32];
    log_event(LOG_INFO, &(struct log_fields){.event = "stop", .signo = sig},
              "stopping: %s to everything left", signals_name(sig, name, sizeof name));
    signal_everything(sv, sig);
}

static void earliest(int64_t *next, int64_t t) {
    if (t != 0 && (*next == 0 || t < *next))
        *next = t;
}

/* The loop's one deadline: the earliest of the lifecycles' wake-ups, the
 * probes and the health endpoint's connection deadlines; none when nothing
 * is scheduled (an idle podinit makes no wake-ups). */
static void reschedule(struct supervisor *sv) {
    int64_t next = 0;
    earliest(&next, pod_next_deadline(&sv->pod));
    for (size_t i = 0; i < sv->n_procs; i++) {
        if (sv->procs[i].probes_on)
            earliest(&next, prober_next_wakeup(sv->procs[i].prober));
    }
    if (sv->health.listen_fd >= 0)
        earliest(&next, health_next_deadline(&sv->health));
    loop_set_deadline(&sv->loop, next);
}

static void queue_event(struct supervisor *sv, struct proc *p, struct lifecycle_event ev) {
    pod_post(&sv->pod, (size_t)p->index, ev);
}

/* ---- hooks ---------------------------------------------------------------- */

static const struct config_hook *hook_config(const struct proc *p, enum lifecycle_hook_id id) {
    return id == LC_HOOK_POST_START ? &p->cfg->post_start : &p->cfg->pre_stop;
}

static void hook_failed_to_start(struct supervisor *sv, struct proc *p, enum lifecycle_hook_id id,
                                 const struct config_hook *h, const struct spawn_error *f) {
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    prefix(sv, p, pre, sizeof pre);
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
    queue_event(sv, p, (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = id, .ok = false});
}

static void run_hook(struct supervisor *sv, struct proc *p, enum lifecycle_hook_id id,
                     int64_t now) {
    const struct config_hook *h = hook_config(p, id);
    const char *name = lifecycle_hook_name(id);
    char what[256], pre[80];
    log_event(LOG_INFO, &(struct log_fields){.event = "hook_start", .hook = name}, "%s%s hook: %s",
              prefix(sv, p, pre, sizeof pre), name, hooks_describe(h, what, sizeof what));
    int64_t left = p->lc->phase_end_ms - now;
    struct hooks_context ctx = p->ctx;
    ctx.name = name;
    ctx.timeout_ms = left > 0 ? left : 1;
    struct spawn_error failure;
    pid_t pid;
    if (hooks_start(h, &ctx, &pid, &failure) != 0) {
        hook_failed_to_start(sv, p, id, h, &failure);
        return;
    }
    p->hook_pid = pid;
}

static void cancel_hook(struct supervisor *sv, struct proc *p, enum lifecycle_hook_id id,
                        bool timed_out) {
    const char *name = lifecycle_hook_name(id);
    char pre[80];
    log_event(LOG_WARN,
              &(struct log_fields){.event = "hook_cancelled", .hook = name, .child = p->hook_pid},
              "%s%s hook %s: killing it", prefix(sv, p, pre, sizeof pre), name,
              timed_out
                  ? (id == LC_HOOK_PRE_STOP ? "still running when its time ran out" : "timed out")
                  : "no longer needed");
    hooks_cancel(p->hook_pid); /* the lifecycle forgot it: its exit reports nothing */
}

/* A hook job ended: success is exit status 0. */
static void hook_reaped(struct supervisor *sv, struct proc *p, int status) {
    enum lifecycle_hook_id id = p->lc->running_hook;
    p->hook_pid = 0;
    if (id == LC_HOOK_NONE)
        return; /* cancelled: nothing to report */
    const char *name = lifecycle_hook_name(id);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    int code = exit_code_of(status);
    char pre[80];
    prefix(sv, p, pre, sizeof pre);
    struct log_fields lf = {.event = ok ? "hook_done" : "hook_failed",
                            .hook = name,
                            .has_status = true,
                            .status = code};
    if (ok)
        log_event(LOG_INFO, &lf, "%s%s hook succeeded", pre, name);
    else
        log_event(LOG_WARN, &lf, "%s%s hook failed (status %d)", pre, name, code);
    queue_event(sv, p, (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = id, .ok = ok});
}

/* ---- starting processes --------------------------------------------------- */

static int start_process(struct supervisor *sv, struct proc *p) {
    const struct cli_options *o = sv->opts;
    bool session = o->persona == PERSONA_DUMB_INIT && o->setsid;
    char *const *argv = p->cfg->command;
    struct spawn_request req = {
        .argv = argv,
        .signals = &sv->saved,
        .isolation = session ? SPAWN_SESSION : SPAWN_PROCESS_GROUP,
        .child_note = session && log_enabled(LOG_DEBUG) ? "[dumb-init] setsid complete.\n" : NULL,
        .envp = p->env,
        .dir = p->cfg->working_dir,
        .set_user = p->cfg->user != NULL,
        .uid = p->cfg->uid,
        .gid = p->cfg->gid,
        .groups = p->cfg->groups,
        .n_groups = p->cfg->n_groups,
    };
    struct spawn_error failure;
    int rc = spawn_process(&req, &p->pid, &failure);
    if (rc == 0) {
        log_spawned(p->pid, argv[0]);
        return 0;
    }
    switch (failure.stage) {
    case SPAWN_STAGE_EXEC:
        log_exec_failed(argv[0], failure.err);
        return spawn_exit_code_for(failure.err);
    case SPAWN_STAGE_CHDIR:
        log_msg(LOG_ERROR, "workingDir \"%s\": %s", req.dir, strerror(failure.err));
        return 126;
    case SPAWN_STAGE_USER:
        log_msg(LOG_ERROR, "user \"%s\" (uid %d, gid %d): %s", p->cfg->user, (int)req.uid,
                (int)req.gid, strerror(failure.err));
        return 126;
    case SPAWN_STAGE_FORK:
        log_msg(LOG_ERROR, "cannot start \"%s\": fork: %s", argv[0], strerror(failure.err));
        return CLI_EXIT_INTERNAL;
    default:
        log_msg(LOG_ERROR, "cannot start \"%s\": %s", argv[0], strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
}

/* ACT_RESTART: the process again. A start that fails counts as an exit
 * with that code (and backs off again). */
static void restart_process(struct supervisor *sv, struct proc *p) {
    log_event(LOG_INFO, &(struct log_fields){.event = "restart"}, "restarting \"%s\" (restart %d)",
              proc_name(p), p->lc->restarts);
    int rc = start_process(sv, p);
    if (rc != 0) {
        /* No child, so no SIGCHLD will say so: the exit is fed now. */
        queue_event(sv, p, (struct lifecycle_event){.kind = EV_MAIN_EXITED, .status = (rc & 0xff) << 8});
        return;
    }
    queue_event(sv, p, (struct lifecycle_event){.kind = EV_STARTED});
}

/* The lifecycle's bit for each of the prober's kinds. */
static const unsigned probe_bits[PROBER_KINDS] = {LC_PROBE_STARTUP, LC_PROBE_READINESS,
                                                  LC_PROBE_LIVENESS};

/* ACT_PROBES: run the probes the lifecycle asks for, stop the others. */
static void set_probes(struct proc *p, unsigned want) {
    if (!p->probes_on)
        return;
    int64_t now = loop_now_ms();
    for (int k = 0; k < PROBER_KINDS; k++) {
        if (want & probe_bits[k])
            prober_start(p->prober, (enum prober_kind)k, now);
        else
            prober_stop(p->prober, (enum prober_kind)k);
    }
}

/* ---- carrying out the lifecycles' actions ---------------------------------- */

static void carry_out(struct supervisor *sv, struct proc *p, const struct lifecycle_action *act,
                      int64_t now) {
    char name[32], pre[80];
    prefix(sv, p, pre, sizeof pre);
    switch (act->kind) {
    case ACT_SET_READY:
        log_event(act->ready ? LOG_DEBUG : LOG_INFO, &(struct log_fields){.event = "readiness"},
                  "%sreadiness: %s", pre, act->ready ? "ready" : "not ready");
        break;
    case ACT_RUN_HOOK: run_hook(sv, p, act->hook, now); break;
    case ACT_CANCEL_HOOK:
        if (p->hook_pid > 0)
            cancel_hook(sv, p, act->hook, act->timed_out);
        break;
    case ACT_SIGNAL_APP: {
        /* A process already gone is not signalled itself (its pid may be
         * someone else's by now), nor is everything: the others keep their
         * drain, and what is left is the pod's to stop once every process is
         * gone (the pod's POD_ACT_ASK_WHAT_IS_LEFT). Its group may still have members: a
         * pgid is not handed out again while one is left (else ESRCH). */
        if (exited(p)) {
            int sig = signals_rewrite_apply(&p->cfg->rewrite, act->signo);
            if (sv->opts->signal_group && p->pid > 0 && sig != 0 && kill(-p->pid, sig) == 0)
                log_event(LOG_INFO, &(struct log_fields){.event = "stop", .signo = sig},
                          "%sstopping: %s to what is left of process group %d", pre,
                          signals_name(sig, name, sizeof name), (int)p->pid);
            break;
        }
        struct log_fields lf = {.event = "stop", .signo = act->signo, .child = p->pid};
        log_event(LOG_INFO, &lf, "%sstopping: %s to %s %d", pre,
                  signals_name(act->signo, name, sizeof name),
                  sv->opts->signal_group ? "process group" : "pid", (int)p->pid);
        forward_signal(sv, p, act->signo);
        break;
    }
    case ACT_KILL_ALL:
        /* once, however many processes reach their deadline (the pod's rule) */
        log_event(LOG_WARN, &(struct log_fields){.event = "kill", .signo = SIGKILL},
                  "grace period over: SIGKILL to everything left");
        signal_everything(sv, SIGKILL);
        break;
    case ACT_KILL_APP:
        if (!exited(p)) {
            log_event(LOG_WARN,
                      &(struct log_fields){.event = "kill", .signo = SIGKILL, .child = p->pid},
                      "%sgrace period over: SIGKILL to process group %d", pre, (int)p->pid);
            (void)kill(-p->pid, SIGKILL);
        }
        break;
    case ACT_BACKOFF:
        log_event(LOG_INFO, &(struct log_fields){.event = "backoff", .child = p->pid},
                  "\"%s\" exited (status %d): restart %d in %d.%03ds", proc_name(p),
                  exit_code_of(pod_process_last_status(&sv->pod, (size_t)p->index)), act->restart_number, (int)(act->delay_ms / 1000),
                  (int)(act->delay_ms % 1000));
        break;
    case ACT_RESTART: restart_process(sv, p); break;
    case ACT_PROBES: set_probes(p, act->probes); break;
    case ACT_GIVE_UP:
        if (!act->restart_abandoned) {
            say_what_is_left(sv);
            break;
        }
        log_event(LOG_WARN, &(struct log_fields){.event = "abandoned", .child = p->pid},
                  "%sstill running %d.%03ds after SIGKILL (not ours to kill?): pid %d cannot be "
                  "restarted; stopping the container",
                  pre, LIFECYCLE_KILL_WAIT_MS / 1000, LIFECYCLE_KILL_WAIT_MS % 1000, (int)p->pid);
        break;
    case ACT_EXIT: break; /* the container exits when every lifecycle has */
    }
}

static void carry_out_pod(struct supervisor *sv, const struct pod_action *a, int64_t now) {
    switch (a->kind) {
    case POD_ACT_PROCESS: carry_out(sv, &sv->procs[a->proc], &a->act, now); break;
    case POD_ACT_KILL_EVERYTHING: signal_everything(sv, SIGKILL); break;
    case POD_ACT_ASK_WHAT_IS_LEFT: ask_what_is_left(sv, a->signo); break;
    }
}

static void carry_out_pod(struct supervisor *sv, const struct pod_action *a, int64_t now);

/* Feed the pod what is queued, carry out each event's actions, then what
 * those produced, in order: a lifecycle is never re-entered while its
 * actions are carried out. */
static void feed_pending(struct supervisor *sv) {
    struct pod_action acts[POD_MAX_ACTIONS];
    size_t n;
    int64_t now;
    while ((n = pod_next(&sv->pod, now = loop_now_ms(), acts, POD_MAX_ACTIONS)) > 0)
        for (size_t i = 0; i < n; i++)
            carry_out_pod(sv, &acts[i], now);
    if (sv->pod.dropped > 0) {
        log_msg(LOG_ERROR, "%zu lifecycle events lost (queue full)", sv->pod.dropped);
        sv->pod.dropped = 0;
    }
}

static void feed_all(struct supervisor *sv, struct lifecycle_event ev) {
    pod_post_all(&sv->pod, ev);
    feed_pending(sv);
}

/* ---- signals --------------------------------------------------------------- */

static bool is_stop_signal(const struct supervisor *sv, int signo) {
    return signo >= 1 && signo <= 64 && (sv->cfg->stop_signals & (UINT64_C(1) << (signo - 1)));
}

static void stop_signal_received(struct supervisor *sv, int signo) {
    char name[32];
    const struct config *c = sv->cfg;
    struct log_fields lf = {.event = "stop_signal", .signo = signo};
    if (!sv->pod.shutdown) {
        log_event(LOG_INFO, &lf,
                  "%s received: shutting down (drain %lld.%03llds, grace %lld.%03llds)",
                  signals_name(signo, name, sizeof name), (long long)(c->prestop_delay_ms / 1000),
                  (long long)(c->prestop_delay_ms % 1000), (long long)(c->grace_ms / 1000),
                  (long long)(c->grace_ms % 1000));
    } else {
        log_event(LOG_INFO, &lf, "%s received again while %s",
                  signals_name(signo, name, sizeof name),
                  lifecycle_state_name(sv->procs[0].lc->state));
    }
    pod_stop_signal(&sv->pod, signo);
    feed_pending(sv);
}

static void handle_signal(struct supervisor *sv, int signo) {
    const struct cli_options *o = sv->opts;
    log_signal_received(signo);
    if (signo == SIGCHLD)
        return; /* the reaping pass after the signals handles it */
    if (o->pause) {
        if (signo == SIGTERM || signo == SIGINT)
            sv->stop_requested = true;
        return;
    }
    if (signo <= SIGNALS_CLASSIC_MAX && sv->ignore_once[signo]) {
        sv->ignore_once[signo] = false;
        log_msg(LOG_DEBUG, "Ignoring tty hand-off signal %d.", signo);
        return;
    }
    if (o->lifecycle && is_stop_signal(sv, signo)) {
        stop_signal_received(sv, signo);
        return;
    }
    /* tini ignores these two so a write to a terminal it no longer owns
     * cannot stop it; they are not forwarded there. */
    if (o->persona == PERSONA_TINI && (signo == SIGTTIN || signo == SIGTTOU))
        return;
    for (size_t i = 0; i < sv->n_procs; i++)
        forward_signal(sv, &sv->procs[i], signo);
    /* dumb-init: a terminal stop suspends the init too, so the shell that
     * started it sees the job stop; SIGCONT wakes it and is forwarded. */
    if (o->persona == PERSONA_DUMB_INIT && is_tty_stop(signo) && getpid() != 1) {
        log_msg(LOG_DEBUG, "Suspending self due to TTY signal.");
        (void)kill(getpid(), SIGSTOP);
    }
}

/* A signal from the loop: SIGCHLD says a reaping pass is due this round. */
static void on_signal(void *ctx, const struct loop_signal *sig) {
    struct supervisor *sv = ctx;
    if (raised_by_own_io(sig))
        return;
    if (sig->signo == SIGCHLD)
        sv->saw_sigchld = true;
    handle_signal(sv, sig->signo);
}

/* ---- reaping ---------------------------------------------------------------- */

static void on_reaped(void *ctx, pid_t pid, int status) {
    struct supervisor *sv = ctx;
    int64_t now = loop_now_ms();
    for (size_t i = 0; i < sv->n_procs; i++) {
        struct proc *p = &sv->procs[i];
        if (p->hook_pid > 0 && pid == p->hook_pid) {
            hook_reaped(sv, p, status);
            return;
        }
        if (p->probes_on && prober_on_reaped(p->prober, pid, status, now))
            return;
    }
    for (size_t i = 0; i < sv->n_procs; i++) {
        struct proc *p = &sv->procs[i];
        if (p->pid != 0 && pid == p->pid && !exited(p)) {
            log_reaped(pid, status, true);
            pod_exited(&sv->pod, i, status); /* fed after the pass (pod_end_round) */
            return;
        }
    }
    log_reaped(pid, status, false);
    if (sv->opts->warn_on_reap) {
        if (sv->opts->persona == PERSONA_TINI)
            log_msg(LOG_WARN, "Reaped zombie process with pid=%d", (int)pid);
        else
            log_msg(LOG_WARN, "reaped orphaned process %d", (int)pid);
    }
}

/* The program is gone: what tini, dumb-init and catatonit do before
 * exiting. */
static int finish(struct supervisor *sv) {
    const struct cli_options *o = sv->opts;
    struct proc *p = &sv->procs[0];
    int status = pod_process_last_status(&sv->pod, 0);
    int code = exit_code_container(status, &sv->cfg->success_exit_codes);
    /* Whatever is left of the child's group gets SIGTERM (dumb-init's
     * behaviour; tini leaves that to the kernel's kill of the namespace). */
    if (o->persona != PERSONA_TINI && (o->signal_group || o->persona == PERSONA_DUMB_INIT))
        forward_signal(sv, p, SIGTERM);
    log_main_exited(status, code);
    return code;
}

/* Every lifecycle has exited: podinit's exit code, said in the log. */
static int container_exit_code(struct supervisor *sv) {
    int code = pod_exit_code(&sv->pod, &sv->cfg->success_exit_codes, CLI_EXIT_POST_START);
    const struct proc *p = &sv->procs[pod_cause(&sv->pod)];
    if (p->lc->failed_hook == LC_HOOK_POST_START) {
        log_event(LOG_ERROR,
                  &(struct log_fields){
                      .event = "exit", .hook = "postStart", .has_status = true, .status = code},
                  "%s%spostStart hook failed: the container was stopped; exiting with %d",
                  sv->n_procs > 1 ? proc_name(p) : "", sv->n_procs > 1 ? ": " : "", code);
        return code;
    }
    if (sv->pod.gave_up && !p->lc->main_exited)
        log_event(LOG_ERROR,
                  &(struct log_fields){.event = "exit", .has_status = true, .status = code},
                  "%s%smain process not reaped; exiting with %d",
                  sv->n_procs > 1 ? proc_name(p) : "", sv->n_procs > 1 ? ": " : "", code);
    else
        log_main_exited(p->lc->main_status, code);
    return code;
}

/* ---- set-up ------------------------------------------------------------------ */

static void become_subreaper(const struct cli_options *o) {
    if (getpid() == 1)
        return;
    if (o->subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        log_msg(LOG_WARN, "cannot become a child subreaper: %s", strerror(errno));
    int bit = 0;
    if (o->warn_subreaper && (prctl(PR_GET_CHILD_SUBREAPER, &bit) != 0 || bit != 1))
        log_subreaper_missing();
}

/* -p: a signal when our parent dies; if it already has, deliver it now. */
static int arm_parent_death_signal(int signo) {
    if (signo == 0)
        return 0;
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, signo) != 0)
        return -errno;
    if (getppid() != parent)
        (void)kill(getpid(), signo);
    return 0;
}

/* dumb-init's setsid mode: let go of the terminal so the child's new session
 * can take it. A session leader doing so sends itself SIGHUP and SIGCONT,
 * which must not reach the child. */
static void release_terminal(struct supervisor *sv) {
    if (ioctl(STDIN_FILENO, TIOCNOTTY) == -1) {
        log_msg(LOG_DEBUG, "Unable to detach from controlling tty (errno=%d %s).", errno,
                strerror(errno));
    } else if (getsid(0) == getpid()) {
        log_msg(LOG_DEBUG, "Detached from controlling tty, ignoring the first SIGHUP and "
                           "SIGCONT.");
        sv->ignore_once[SIGHUP] = true;
        sv->ignore_once[SIGCONT] = true;
    } else {
        log_msg(LOG_DEBUG, "Detached from controlling tty, but was not session leader.");
    }
}

static struct health_status health_status_cb(void *ctx, struct health_process *out);

/* A closed 0, 1 or 2 would be taken by the next fd podinit opens (the
 * signalfd, a health socket), and a child's write to its "stderr" would
 * land there. Each is held with /dev/null, close-on-exec, so a child still
 * finds it closed, as the caller left it. Filled in order, so open(2)
 * returns the fd being filled. */
static void hold_closed_standard_fds(void) {
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int held = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (held < 0) {
            log_msg(LOG_WARN, "holding closed fd %d with /dev/null: %s", fd, strerror(errno));
            return;
        }
    }
}

static int setup(struct supervisor *sv) {
    hold_closed_standard_fds();
    sigset_t handled;
    /* dumb-init forwards a kill(2)ed SIGSEGV too; tini and podinit leave the
     * faults unblocked. */
    int rc = signal_state_take_over(&sv->saved, &handled, sv->opts->persona == PERSONA_DUMB_INIT);
    if (rc < 0) {
        log_msg(LOG_ERROR, "taking over signals: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    rc = loop_init(&sv->loop, &handled, on_signal, sv);
    if (rc < 0) {
        log_msg(LOG_ERROR, "signals: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    rc = arm_parent_death_signal(sv->opts->pdeath_signal);
    if (rc < 0) {
        log_msg(LOG_ERROR, "setting the parent death signal: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    become_subreaper(sv->opts);
    if (sv->cfg->health_listen != NULL) {
        char why[160];
        rc = health_start(&sv->health, &sv->loop, sv->cfg->health_listen, sv->n_procs,
                          health_status_cb, sv, why, sizeof why);
        if (rc != 0) {
            log_msg(LOG_ERROR, "health.listen %s: %s", sv->cfg->health_listen, why);
            return CLI_EXIT_USAGE;
        }
        log_event(LOG_INFO, &(struct log_fields){.event = "health"},
                  "health endpoint on http://%s (/livez /readyz /startupz /status)",
                  sv->cfg->health_listen);
    }
    return 0;
}

/* ---- probes and health ------------------------------------------------------- */

/* p's probes as the pod reads them: one LC_PROBE_* bit each. */
static struct pod_probes probes_of(const struct proc *p) {
    struct pod_probes pr = {0, 0, 0};
    if (!p->probes_on)
        return pr;
    for (int k = 0; k < PROBER_KINDS; k++) {
        if (!prober_configured(p->prober, (enum prober_kind)k))
            continue;
        enum probe_result r = prober_result(p->prober, (enum prober_kind)k);
        pr.configured |= probe_bits[k];
        pr.passing |= r == PROBE_PASSING ? probe_bits[k] : 0u;
        pr.failing |= r == PROBE_FAILING ? probe_bits[k] : 0u;
    }
    return pr;
}

/* What the health endpoint reports: the pod's rules over every process. */
static struct health_status health_status_of(const struct supervisor *sv,
                                             struct health_process *out) {
    struct health_status st = {.state = lifecycle_state_name(sv->procs[0].lc->state),
                               .live = true,
                               .ready = true,
                               .started = true,
                               .procs = out,
                               .n_procs = sv->n_procs};
    for (size_t i = 0; i < sv->n_procs; i++) {
        const struct proc *p = &sv->procs[i];
        bool running = p->pid > 0 && !exited(p);
        struct pod_health h = pod_process_health(&sv->pod, i, running, probes_of(p));
        bool has_exited = pod_process_has_exited(&sv->pod, i);
        st.live = st.live && h.live;
        st.ready = st.ready && h.ready;
        st.started = st.started && h.started;
        out[i] = (struct health_process){
            .name = proc_name(p),
            .state = lifecycle_state_name(p->lc->state),
            .pid = running ? p->pid : 0,
            .ready = h.ready,
            .restarts = p->lc->restarts,
            .exited = has_exited,
            .last_exit = has_exited ? exit_code_of(pod_process_last_status(&sv->pod, i)) : 0,
        };
    }
    return st;
}

static struct health_status health_status_cb(void *ctx, struct health_process *out) {
    return health_status_of(ctx, out);
}

/* A probe's result changed: logged; the lifecycle decides what it means
 * (the startup probe's opens the others; a failed liveness or startup
 * probe stops the process). Readiness only feeds the health endpoint. */
static void on_probe_change(void *ctx, enum prober_kind kind, enum probe_result r,
                            const char *why) {
    struct proc *p = ctx;
    struct supervisor *sv = p->sv;
    const char *name = prober_kind_name(kind);
    char pre[80];
    prefix(sv, p, pre, sizeof pre);
    struct log_fields lf = {.event = r == PROBE_PASSING ? "probe_passing" : "probe_failing",
                            .child = p->pid};
    bool ok = r == PROBE_PASSING;
    if (ok)
        log_event(LOG_INFO, &lf, "%s%s probe passing (%s)", pre, name, why);
    else if (kind == PROBER_READINESS)
        log_event(LOG_WARN, &lf, "%sreadiness probe failing (%s): not ready", pre, why);
    else
        log_event(LOG_WARN, &lf, "%s%s probe failed (%s): stopping the process", pre, name, why);
    queue_event(
        sv, p,
        (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = probe_bits[kind], .ok = ok});
}

/* How the lifecycle sees a configured hook. */
static struct lifecycle_hook lifecycle_hook_of(const struct config_hook *h, bool post_start) {
    switch (h->kind) {
    case HOOK_SLEEP: return (struct lifecycle_hook){LC_HOOK_SLEEP, h->sleep_ms};
    case HOOK_EXEC:
    case HOOK_HTTP_GET:
        return (struct lifecycle_hook){LC_HOOK_JOB, h->timeout_ms > 0 ? h->timeout_ms
                                                    : post_start      ? CONFIG_POST_START_TIMEOUT_MS
                                                                      : 0};
    default: return (struct lifecycle_hook){LC_HOOK_ABSENT, 0};
    }
}

/* How the lifecycle sees configured process c. */
static struct lifecycle_config lifecycle_config_of(const struct config *cfg,
                                                   const struct config_process *c) {
    return (struct lifecycle_config){
                               .prestop_delay_ms = cfg->prestop_delay_ms,
                               .grace_ms = cfg->grace_ms,
                               .stop_signal = c->stop_signal,
                               .post_start = lifecycle_hook_of(&c->post_start, true),
                               .pre_stop = lifecycle_hook_of(&c->pre_stop, false),
                               .restart = (enum lifecycle_restart)c->restart,
                               .backoff_initial_ms = c->backoff_initial_ms,
                               .backoff_max_ms = c->backoff_max_ms,
                               .backoff_reset_ms = c->backoff_reset_ms,
                               .probes = (c->startup.present ? LC_PROBE_STARTUP : 0u) |
                                         (c->readiness.present ? LC_PROBE_READINESS : 0u) |
                                         (c->liveness.present ? LC_PROBE_LIVENESS : 0u),
                           };
}

/* Everything about process i that does not need the loop yet. */
static int init_proc(struct supervisor *sv, size_t i) {
    struct proc *p = &sv->procs[i];
    const struct config_process *c = &sv->cfg->processes[i];
    *p = (struct proc){.sv = sv, .index = (int)i, .cfg = c, .lc = &sv->pod.procs[i].lc};
    if (c->n_env > 0) {
        p->env = config_environment(c, environ);
        if (p->env == NULL) {
            log_msg(LOG_ERROR, "building the environment: %s", strerror(ENOMEM));
            return CLI_EXIT_INTERNAL;
        }
    }
    p->probes_on = c->readiness.present || c->liveness.present || c->startup.present;
    if (p->probes_on && (p->prober = calloc(1, sizeof *p->prober)) == NULL) {
        log_msg(LOG_ERROR, "probes: %s", strerror(ENOMEM));
        return CLI_EXIT_INTERNAL;
    }
    bool execs = c->post_start.kind == HOOK_EXEC || c->pre_stop.kind == HOOK_EXEC || p->probes_on;
    /* Hooks run where the app was started, after podinit has left it. */
    if (c->working_dir == NULL && execs && sv->start_dir == NULL)
        sv->start_dir = getcwd(NULL, 0);
    p->ctx = (struct hooks_context){.name = "probe",
                                    .signals = &sv->saved,
                                    .envp = p->env,
                                    .dir = c->working_dir ? c->working_dir : sv->start_dir,
                                    .set_user = c->user != NULL,
                                    .uid = c->uid,
                                    .gid = c->gid,
                                    .groups = c->groups,
                                    .n_groups = c->n_groups};
    /* Now, not once the loop runs: a start that fails before then still
     * stops the probes (prober_stop_all), and finds no socket open. */
    if (p->probes_on)
        prober_init(p->prober, c, &sv->loop, &p->ctx, on_probe_change, p);
    return 0;
}

static int run(struct supervisor *sv);

int supervisor_run(const struct cli_options *opts, const struct config *cfg) {
    struct supervisor sv = {.opts = opts,
                            .cfg = cfg,
                            .loop = {.epfd = -1, .sigfd = -1},
                            .no_children = true, /* until a reap says otherwise */
                            .health = {.listen_fd = -1},
                            .n_procs = opts->persona == PERSONA_PODINIT ? cfg->n_processes : 1};
    int threshold = opts->persona == PERSONA_PODINIT ? cfg->log_level : opts->verbosity;
    log_init(opts->persona, threshold, loop_now_ms(), cfg->log_json);
    struct lifecycle_config lcs[CONFIG_MAX_PROCESSES];
    for (size_t i = 0; i < sv.n_procs; i++)
        lcs[i] = lifecycle_config_of(cfg, &cfg->processes[i]);
    pod_init(&sv.pod, sv.pod_procs, lcs, sv.n_procs, sv.pod_queue, POD_QUEUE_CAP(sv.n_procs));
    int rc = 0;
    for (size_t i = 0; i < sv.n_procs && rc == 0; i++)
        rc = init_proc(&sv, i);
    if (rc == 0)
        rc = run(&sv);
    for (size_t i = 0; i < sv.n_procs; i++) {
        if (sv.procs[i].prober != NULL)
            prober_stop_all(sv.procs[i].prober);
        free(sv.procs[i].prober);
        free(sv.procs[i].env);
    }
    health_stop(&sv.health);
    loop_close(&sv.loop);
    free(sv.start_dir);
    return rc;
}

/* ---- the loop ------------------------------------------------------------------ */

/* After the reaping pass: the pod is fed what happened (the exits, the
 * timer) and applies its rules. Returns true when the container is done. */
static bool advance(struct supervisor *sv, bool timer_fired, bool none_left) {
    pod_end_round(&sv->pod, timer_fired, none_left);
    feed_pending(sv);
    return pod_done(&sv->pod);
}

/* Reaping after a SIGCHLD is enough: one stays pending (blocked) while a
 * zombie is left, whenever it died, before the first round included. The
 * other rounds need none: children vanish only by our reaping. When the
 * last pass found none at all, a child forked since cannot be assumed
 * either way, so each round reaps (one waitpid, and only then). */
static void reap_round(struct supervisor *sv, bool *none_left) {
    *none_left = false;
    if (!sv->saw_sigchld && !sv->no_children)
        return;
    int reaped = reap_children(on_reaped, sv, none_left);
    if (reaped < 0)
        log_msg(LOG_ERROR, "waitpid: %s", strerror(-reaped));
    sv->no_children = *none_left;
}

/* One wait in the loop, the timers' work when the deadline has come, the
 * reaping. Returns 0, or podinit's exit code when waiting failed. */
static int wait_round(struct supervisor *sv, bool *timer_fired, bool *none_left) {
    reschedule(sv);
    sv->saw_sigchld = false;
    int rc = loop_wait(&sv->loop);
    if (rc < 0) {
        log_msg(LOG_ERROR, "waiting: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    *timer_fired = rc == 1;
    if (*timer_fired) {
        int64_t now = loop_now_ms();
        health_expire(&sv->health, now);
        for (size_t i = 0; i < sv->n_procs; i++)
            if (sv->procs[i].probes_on)
                prober_tick(sv->procs[i].prober, now);
    }
    reap_round(sv, none_left);
    return 0;
}

static int run(struct supervisor *sv) {
    const struct cli_options *opts = sv->opts;
    int rc = setup(sv);
    if (rc != 0)
        return rc;
    if (!opts->pause) {
        if (opts->persona == PERSONA_DUMB_INIT && opts->setsid)
            release_terminal(sv);
        for (size_t i = 0; i < sv->n_procs; i++) {
            rc = start_process(sv, &sv->procs[i]);
            if (rc != 0) {
                /* Nothing half-started: the ones already running are
                 * stopped (SIGKILL: they have barely begun). */
                signal_everything(sv, SIGKILL);
                return rc;
            }
        }
        if (opts->lifecycle)
            feed_all(sv, (struct lifecycle_event){.kind = EV_STARTED});
    } else {
        log_msg(LOG_INFO, "pause mode: waiting for SIGTERM or SIGINT");
    }
    /* Pin no mount: the children keep the caller's working directory. */
    if (chdir("/") != 0)
        log_msg(LOG_DEBUG, "chdir /: %s", strerror(errno));

    for (;;) {
        bool timer_fired, none_left;
        rc = wait_round(sv, &timer_fired, &none_left);
        if (rc != 0)
            return rc;
        if (!opts->lifecycle) {
            if (exited(&sv->procs[0]))
                return finish(sv);
        } else if (!opts->pause && advance(sv, timer_fired, none_left)) {
            return container_exit_code(sv);
        }
        if (sv->stop_requested) {
            log_msg(LOG_INFO, "stop signal received in pause mode; exiting");
            return 0;
        }
    }
}
