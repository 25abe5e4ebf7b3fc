/* src/supervisor.c — one epoll loop over a signalfd. It sleeps in the kernel
 * with no timeout while nothing is scheduled, so an idle podinit costs no
 * wake-ups. After every wake-up it reads every queued signal, then reaps
 * until waitpid says nothing is left (SIGCHLDs coalesce, so the count of
 * signals says nothing about the count of zombies). */
#include "podinit/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "podinit/config.h"
#include "podinit/health.h"
#include "podinit/hooks.h"
#include "podinit/lifecycle.h"
#include "podinit/log.h"
#include "podinit/prober.h"
#include "podinit/reap.h"
#include "podinit/signals.h"
#include "podinit/spawn.h"

extern char **environ;

struct supervisor {
    const struct cli_options *opts;
    const struct config *cfg;
    char **child_env; /* the process's environment (inherited + env) */
    char *start_dir;  /* where hooks run when workingDir is not set */
    struct signals_saved saved;
    int sigfd, epfd;
    pid_t child; /* the main process; 0 in pause mode */
    bool child_exited;
    bool exited_once; /* the process has exited at least once (its status is kept) */
    int child_status;
    bool stop_requested;                       /* pause mode: a stop signal arrived */
    bool ignore_once[SIGNALS_CLASSIC_MAX + 1]; /* dumb-init: the tty hand-off HUP/CONT */
    /* podinit persona: the shutdown lifecycle and its one timer (created on
     * first use, so an idle podinit has no timer at all). */
    struct lifecycle lc;
    int timerfd;
    int64_t lc_timer_at; /* the lifecycle's wake-up, 0: none */
    int64_t armed_at;    /* what the timerfd is set to, 0: disarmed */
    bool ready;          /* the lifecycle's readiness (ACT_SET_READY) */
    struct health health;
    /* Probes: only when configured (nothing configured, nothing paid). */
    bool probes_on;
    bool probes_started;
    struct hooks_context probe_ctx;
    struct prober prober;
    bool main_reported; /* EV_MAIN_EXITED fed */
    bool done;          /* ACT_EXIT seen */
    int exit_status;    /* its wait status */
    enum lifecycle_hook_id failed_hook;
    /* The one hook job that may run (exec or httpGet), and its results
     * waiting to be fed (never fed from inside an action: see feed()). */
    pid_t hook_pid;
    enum lifecycle_hook_id hook_id; /* LC_HOOK_NONE once cancelled */
    struct lifecycle_event pending[4];
    size_t n_pending;
};

static int64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_tty_stop(int signo) {
    return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

/* Send signo (after the rewrite map) to the child, or to its group. */
static void forward_signal(struct supervisor *sv, int signo) {
    const struct cli_options *o = sv->opts;
    int to = signals_rewrite_apply(&sv->cfg->process.rewrite, signo);
    if (to != signo && to != 0)
        log_signal_rewritten(signo, to);
    if (to == 0) {
        log_signal_dropped(signo);
        return;
    }
    pid_t target = o->signal_group ? -sv->child : sv->child;
    /* A reaped child's pid may belong to someone else by now: never signal
     * it. (dumb-init still reports the forward; its verbose output is kept.) */
    if (!(sv->child_exited && !o->signal_group)) {
        if (kill(target, to) < 0) {
            /* The child may have left its group (setsid, setpgid): reach it
             * directly rather than lose the signal. */
            if (errno == ESRCH && target < 0 && !sv->child_exited)
                (void)kill(sv->child, to);
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
static bool raised_by_own_io(const struct signalfd_siginfo *si) {
    return (si->ssi_signo == SIGPIPE || si->ssi_signo == SIGXFSZ) && si->ssi_code == SI_USER &&
           si->ssi_pid == (uint32_t)getpid();
}

/* signo to everything left: the main group, and as PID 1 the whole
 * namespace (kill(-1) spares the caller); as a subreaper, each child listed
 * by the kernel (orphans it adopted included). */
static void signal_everything(struct supervisor *sv, int signo) {
    if (sv->child > 0)
        (void)kill(-sv->child, signo);
    if (getpid() == 1) {
        (void)kill(-1, signo);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[4096];
    long pid = 0;
    bool in_number = false;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                if (pid < 100000000) /* pids are below 2^22 */
                    pid = pid * 10 + (buf[i] - '0');
                in_number = true;
            } else if (in_number) {
                (void)kill((pid_t)pid, signo);
                pid = 0;
                in_number = false;
            }
        }
    }
    if (in_number)
        (void)kill((pid_t)pid, signo);
    close(fd);
}

/* The one timerfd, set to the earliest of what is scheduled: the
 * lifecycle's wake-up and the health endpoint's connection deadlines.
 * Disarmed when nothing is (an idle podinit makes no wake-ups). */
static void arm_timer(struct supervisor *sv, int64_t at_ms) {
    if (sv->timerfd < 0) {
        sv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)sv->timerfd};
        if (sv->timerfd < 0 || epoll_ctl(sv->epfd, EPOLL_CTL_ADD, sv->timerfd, &ev) != 0) {
            log_msg(LOG_ERROR, "timer: %s; shutdown deadlines cannot be kept", strerror(errno));
            return;
        }
    }
    struct itimerspec its = {
        .it_value = {.tv_sec = at_ms / 1000, .tv_nsec = (at_ms % 1000) * 1000000}};
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1; /* zero would disarm it */
    if (timerfd_settime(sv->timerfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
        log_msg(LOG_ERROR, "arming the timer: %s", strerror(errno));
}

static void reschedule(struct supervisor *sv) {
    int64_t next = sv->lc_timer_at;
    int64_t h = sv->health.listen_fd >= 0 ? health_next_deadline(&sv->health) : 0;
    if (h != 0 && (next == 0 || h < next))
        next = h;
    int64_t p = sv->probes_on ? prober_next_wakeup(&sv->prober) : 0;
    if (p != 0 && (next == 0 || p < next))
        next = p;
    if (next == sv->armed_at)
        return;
    sv->armed_at = next;
    if (next != 0)
        arm_timer(sv, next);
    else if (sv->timerfd >= 0 &&
             timerfd_settime(sv->timerfd, 0, &(struct itimerspec){{0, 0}, {0, 0}}, NULL) != 0)
        log_msg(LOG_ERROR, "disarming the timer: %s", strerror(errno));
}

static const struct config_hook *hook_config(const struct supervisor *sv,
                                             enum lifecycle_hook_id id) {
    return id == LC_HOOK_POST_START ? &sv->cfg->process.post_start : &sv->cfg->process.pre_stop;
}

static void queue_event(struct supervisor *sv, struct lifecycle_event ev) {
    if (sv->n_pending < sizeof sv->pending / sizeof sv->pending[0])
        sv->pending[sv->n_pending++] = ev;
}

static void hook_failed_to_start(struct supervisor *sv, enum lifecycle_hook_id id,
                                 const struct config_hook *h, const struct spawn_error *f) {
    const char *name = lifecycle_hook_name(id);
    struct log_fields lf = {.event = "hook_failed", .hook = name};
    if (f->stage == SPAWN_STAGE_CHDIR)
        log_event(LOG_WARN, &lf, "%s hook failed: workingDir \"%s\": %s", name,
                  sv->cfg->process.working_dir, strerror(f->err));
    else if (f->stage == SPAWN_STAGE_USER)
        log_event(LOG_WARN, &lf, "%s hook failed: user \"%s\": %s", name, sv->cfg->process.user,
                  strerror(f->err));
    else if (f->stage == SPAWN_STAGE_EXEC)
        log_event(LOG_WARN, &lf, "%s hook failed: exec \"%s\": %s", name, h->command[0],
                  strerror(f->err));
    else
        log_event(LOG_WARN, &lf, "%s hook failed to start: %s", name, strerror(f->err));
    queue_event(sv, (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = id, .ok = false});
}

static void run_hook(struct supervisor *sv, enum lifecycle_hook_id id, int64_t now) {
    const struct config_hook *h = hook_config(sv, id);
    const char *name = lifecycle_hook_name(id);
    char what[256];
    log_event(LOG_INFO, &(struct log_fields){.event = "hook_start", .hook = name}, "%s hook: %s",
              name, hooks_describe(h, what, sizeof what));
    int64_t left = sv->lc.phase_end_ms - now;
    struct hooks_context ctx = {
        .name = name,
        .signals = &sv->saved,
        .envp = sv->child_env,
        .dir = sv->cfg->process.working_dir ? sv->cfg->process.working_dir : sv->start_dir,
        .timeout_ms = left > 0 ? left : 1,
        .set_user = sv->cfg->process.user != NULL,
        .uid = sv->cfg->process.uid,
        .gid = sv->cfg->process.gid,
    };
    struct spawn_error failure;
    pid_t pid;
    if (hooks_start(h, &ctx, &pid, &failure) != 0) {
        hook_failed_to_start(sv, id, h, &failure);
        return;
    }
    sv->hook_pid = pid;
    sv->hook_id = id;
}

static void cancel_hook(struct supervisor *sv, enum lifecycle_hook_id id, bool timed_out) {
    const char *name = lifecycle_hook_name(id);
    log_event(LOG_WARN,
              &(struct log_fields){.event = "hook_cancelled", .hook = name, .child = sv->hook_pid},
              "%s hook %s: killing it", name,
              timed_out
                  ? (id == LC_HOOK_PRE_STOP ? "still running when its time ran out" : "timed out")
                  : "no longer needed");
    hooks_cancel(sv->hook_pid);
    sv->hook_id = LC_HOOK_NONE; /* its exit, when reaped, reports nothing */
}

static const char *process_name(const struct supervisor *sv) {
    return sv->cfg->process.name ? sv->cfg->process.name : "main";
}

static int start_child(struct supervisor *sv);

/* ACT_RESTART: the process again. A start that fails counts as an exit
 * with that code (and backs off again). */
static void restart_child(struct supervisor *sv) {
    sv->child_exited = false;
    sv->main_reported = false;
    log_event(LOG_INFO, &(struct log_fields){.event = "restart"}, "restarting \"%s\" (restart %d)",
              process_name(sv), sv->lc.restarts);
    int rc = start_child(sv);
    if (rc != 0) {
        sv->child_exited = true;
        sv->child_status = (rc & 0xff) << 8;
        return;
    }
    queue_event(sv, (struct lifecycle_event){.kind = EV_STARTED});
}

static void carry_out(struct supervisor *sv, const struct lifecycle_action *act, int64_t now) {
    char name[32];
    switch (act->kind) {
    case ACT_SET_READY:
        sv->ready = act->value != 0;
        log_event(act->value ? LOG_DEBUG : LOG_INFO, &(struct log_fields){.event = "readiness"},
                  "readiness: %s", act->value ? "ready" : "not ready");
        break;
    case ACT_RUN_HOOK: run_hook(sv, act->hook, now); break;
    case ACT_CANCEL_HOOK:
        if (sv->hook_id == act->hook && sv->hook_pid > 0)
            cancel_hook(sv, act->hook, act->value != 0);
        break;
    case ACT_ARM_TIMER: sv->lc_timer_at = act->at_ms; break;
    case ACT_DISARM_TIMER: sv->lc_timer_at = 0; break;
    case ACT_SIGNAL_APP: {
        struct log_fields lf = {.event = "stop", .signo = act->signo};
        if (sv->child_exited) {
            /* The main process is gone: what is left, wherever it is, is
             * asked to stop (a daemon that left the group too). */
            int sig = signals_rewrite_apply(&sv->cfg->process.rewrite, act->signo);
            if (sig == 0)
                break;
            lf.signo = sig;
            log_event(LOG_INFO, &lf, "stopping: %s to everything left",
                      signals_name(sig, name, sizeof name));
            signal_everything(sv, sig);
            break;
        }
        lf.child = sv->child;
        log_event(LOG_INFO, &lf, "stopping: %s to %s %d",
                  signals_name(act->signo, name, sizeof name),
                  sv->opts->signal_group ? "process group" : "pid", (int)sv->child);
        forward_signal(sv, act->signo);
        break;
    }
    case ACT_KILL_ALL:
        log_event(LOG_WARN, &(struct log_fields){.event = "kill", .signo = SIGKILL},
                  "grace period over: SIGKILL to everything left");
        signal_everything(sv, SIGKILL);
        break;
    case ACT_KILL_APP:
        if (!sv->child_exited) {
            log_event(LOG_WARN,
                      &(struct log_fields){.event = "kill", .signo = SIGKILL, .child = sv->child},
                      "grace period over: SIGKILL to process group %d", (int)sv->child);
            (void)kill(-sv->child, SIGKILL);
        }
        break;
    case ACT_BACKOFF:
        log_event(LOG_INFO, &(struct log_fields){.event = "backoff", .child = sv->child},
                  "\"%s\" exited (status %d): restart %d in %d.%03ds", process_name(sv),
                  reap_exit_code(sv->child_status), act->signo, act->value / 1000,
                  act->value % 1000);
        break;
    case ACT_RESTART: restart_child(sv); break;
    case ACT_EXIT:
        sv->done = true;
        sv->exit_status = act->value;
        sv->failed_hook = act->hook;
        break;
    }
}

/* Feed one event, carry out its actions, then any hook results those
 * actions produced (a hook that could not start), in order: the lifecycle
 * is never re-entered while its actions are being carried out. */
static void feed_pending(struct supervisor *sv) {
    while (sv->n_pending > 0) {
        struct lifecycle_event next = sv->pending[0];
        memmove(&sv->pending[0], &sv->pending[1], --sv->n_pending * sizeof sv->pending[0]);
        struct lifecycle_action acts[8];
        int64_t now = monotonic_ms();
        size_t n = lifecycle_step(&sv->lc, &next, now, acts, 8);
        for (size_t i = 0; i < n; i++)
            carry_out(sv, &acts[i], now);
    }
}

static void feed_event(struct supervisor *sv, struct lifecycle_event ev) {
    queue_event(sv, ev);
    feed_pending(sv);
}

static void feed(struct supervisor *sv, int kind, int arg) {
    feed_event(sv, (struct lifecycle_event){.kind = kind, .signo = arg, .status = arg});
}

static bool is_stop_signal(const struct supervisor *sv, int signo) {
    return signo >= 1 && signo <= 64 && (sv->cfg->stop_signals & (UINT64_C(1) << (signo - 1)));
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
        char name[32];
        const struct config *c = sv->cfg;
        struct log_fields lf = {.event = "stop_signal", .signo = signo};
        if (sv->lc.state == LC_RUNNING || sv->lc.state == LC_STARTING ||
            sv->lc.state == LC_BACKOFF || sv->lc.state == LC_RESTARTING)
            log_event(LOG_INFO, &lf,
                      "%s received: shutting down (drain %lld.%03llds, grace %lld.%03llds)",
                      signals_name(signo, name, sizeof name),
                      (long long)(c->prestop_delay_ms / 1000),
                      (long long)(c->prestop_delay_ms % 1000), (long long)(c->grace_ms / 1000),
                      (long long)(c->grace_ms % 1000));
        else
            log_event(LOG_INFO, &lf, "%s received again while %s",
                      signals_name(signo, name, sizeof name), lifecycle_state_name(sv->lc.state));
        feed(sv, EV_STOP_SIGNAL, signo);
        return;
    }
    /* tini ignores these two so a write to a terminal it no longer owns
     * cannot stop it; they are not forwarded there. */
    if (o->persona == PERSONA_TINI && (signo == SIGTTIN || signo == SIGTTOU))
        return;
    forward_signal(sv, signo);
    /* dumb-init: a terminal stop suspends the init too, so the shell that
     * started it sees the job stop; SIGCONT wakes it and is forwarded. */
    if (o->persona == PERSONA_DUMB_INIT && is_tty_stop(signo) && getpid() != 1) {
        log_msg(LOG_DEBUG, "Suspending self due to TTY signal.");
        (void)kill(getpid(), SIGSTOP);
    }
}

static void drain_signals(struct supervisor *sv) {
    struct signalfd_siginfo si[16];
    for (;;) {
        ssize_t n = read(sv->sigfd, si, sizeof si);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                log_msg(LOG_ERROR, "reading signals: %s", strerror(errno));
            return;
        }
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
            if (raised_by_own_io(&si[i]))
                continue;
            handle_signal(sv, (int)si[i].ssi_signo);
        }
        if ((size_t)n < sizeof si)
            return;
    }
}

/* A hook job ended: success is exit status 0. */
static void hook_reaped(struct supervisor *sv, int status) {
    enum lifecycle_hook_id id = sv->hook_id;
    sv->hook_pid = 0;
    sv->hook_id = LC_HOOK_NONE;
    if (id == LC_HOOK_NONE)
        return; /* cancelled: nothing to report */
    const char *name = lifecycle_hook_name(id);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    int code = reap_exit_code(status);
    struct log_fields lf = {.event = ok ? "hook_done" : "hook_failed",
                            .hook = name,
                            .has_status = true,
                            .status = code};
    if (ok)
        log_event(LOG_INFO, &lf, "%s hook succeeded", name);
    else
        log_event(LOG_WARN, &lf, "%s hook failed (status %d)", name, code);
    queue_event(sv, (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = id, .ok = ok});
}

static void on_reaped(void *ctx, pid_t pid, int status) {
    struct supervisor *sv = ctx;
    if (sv->hook_pid > 0 && pid == sv->hook_pid) {
        hook_reaped(sv, status);
        return;
    }
    if (sv->probes_on && prober_on_reaped(&sv->prober, pid, status, monotonic_ms()))
        return;
    bool is_main = sv->child != 0 && pid == sv->child && !sv->child_exited;
    log_reaped(pid, status, is_main);
    if (is_main) {
        sv->child_exited = true;
        sv->exited_once = true;
        sv->child_status = status;
    } else if (sv->opts->warn_on_reap) {
        if (sv->opts->persona == PERSONA_TINI)
            log_msg(LOG_WARN, "Reaped zombie process with pid=%d", (int)pid);
        else
            log_msg(LOG_WARN, "reaped orphaned process %d", (int)pid);
    }
}

/* The main process is gone: what each persona does before exiting. */
static int finish(struct supervisor *sv) {
    const struct cli_options *o = sv->opts;
    int code = reap_container_exit_code(sv->child_status, &sv->cfg->success_exit_codes);
    /* Whatever is left of the child's group gets SIGTERM (dumb-init's
     * behaviour; tini leaves that to the kernel's kill of the namespace). */
    if (o->persona != PERSONA_TINI && (o->signal_group || o->persona == PERSONA_DUMB_INIT))
        forward_signal(sv, SIGTERM);
    log_main_exited(sv->child_status, code);
    return code;
}

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

static int start_child(struct supervisor *sv) {
    const struct cli_options *o = sv->opts;
    bool session = o->persona == PERSONA_DUMB_INIT && o->setsid;
    char *const *argv = sv->cfg->process.command;
    struct spawn_request req = {
        .argv = argv,
        .signals = &sv->saved,
        .isolation = session ? SPAWN_SESSION : SPAWN_PROCESS_GROUP,
        .child_note = session && log_enabled(LOG_DEBUG) ? "[dumb-init] setsid complete.\n" : NULL,
        .envp = sv->child_env,
        .dir = sv->cfg->process.working_dir,
        .set_user = sv->cfg->process.user != NULL,
        .uid = sv->cfg->process.uid,
        .gid = sv->cfg->process.gid,
    };
    struct spawn_error failure;
    int rc = spawn_process(&req, &sv->child, &failure);
    if (rc == 0) {
        log_spawned(sv->child, argv[0]);
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
        log_msg(LOG_ERROR, "user \"%s\" (uid %d, gid %d): %s", sv->cfg->process.user, (int)req.uid,
                (int)req.gid, strerror(failure.err));
        return 126;
    default:
        log_msg(LOG_ERROR, "cannot start \"%s\": %s", argv[0], strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
}

static int setup(struct supervisor *sv) {
    sigset_t handled;
    /* dumb-init forwards a kill(2)ed SIGSEGV too; tini and podinit leave the
     * faults unblocked. */
    int rc = signals_take_over(&sv->saved, &handled, sv->opts->persona == PERSONA_DUMB_INIT);
    if (rc < 0) {
        log_msg(LOG_ERROR, "taking over signals: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    sv->sigfd = signals_open_fd(&handled);
    if (sv->sigfd < 0) {
        log_msg(LOG_ERROR, "signalfd: %s", strerror(-sv->sigfd));
        return CLI_EXIT_INTERNAL;
    }
    sv->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)sv->sigfd};
    if (sv->epfd < 0 || epoll_ctl(sv->epfd, EPOLL_CTL_ADD, sv->sigfd, &ev) != 0) {
        log_msg(LOG_ERROR, "epoll: %s", strerror(errno));
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
        if (health_start(&sv->health, sv->cfg->health_listen, sv->epfd, why, sizeof why) != 0) {
            log_msg(LOG_ERROR, "health.listen %s: %s", sv->cfg->health_listen, why);
            return CLI_EXIT_USAGE;
        }
        log_event(LOG_INFO, &(struct log_fields){.event = "health"},
                  "health endpoint on http://%s (/livez /readyz /startupz /status)",
                  sv->cfg->health_listen);
    }
    return 0;
}

/* What the health endpoint reports, from the supervisor's state. */
static struct health_status health_status_of(const struct supervisor *sv) {
    bool running = sv->child > 0 && !sv->child_exited;
    const struct prober *pr = &sv->prober;
    bool on = sv->probes_on;
    bool started = !(on && prober_configured(pr, PROBER_STARTUP) &&
                     prober_result(pr, PROBER_STARTUP) != PROBE_PASSING);
    bool ready_probe = !(on && prober_configured(pr, PROBER_READINESS) &&
                         prober_result(pr, PROBER_READINESS) != PROBE_PASSING);
    bool live_probe = !(on && prober_result(pr, PROBER_LIVENESS) == PROBE_FAILING);
    return (struct health_status){
        .state = lifecycle_state_name(sv->lc.state),
        .live = running && sv->lc.state != LC_KILLING && live_probe,
        .ready = sv->ready && running && started && ready_probe,
        .started = sv->lc.state != LC_STARTING && started,
        .name = sv->cfg->process.name ? sv->cfg->process.name : "main",
        .pid = running ? sv->child : 0,
        .restarts = sv->lc.restarts,
        .exited = sv->exited_once,
        .last_exit = sv->exited_once ? reap_exit_code(sv->child_status) : 0,
    };
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

/* A probe's result changed. */
static void on_probe_change(void *ctx, enum prober_kind kind, enum probe_result r,
                            const char *why) {
    struct supervisor *sv = ctx;
    const char *name = prober_kind_name(kind);
    struct log_fields lf = {.event = r == PROBE_PASSING ? "probe_passing" : "probe_failing",
                            .child = sv->child};
    if (r == PROBE_PASSING) {
        log_event(LOG_INFO, &lf, "%s probe passing (%s)", name, why);
        if (kind == PROBER_STARTUP) {
            int64_t now = monotonic_ms();
            prober_stop(&sv->prober, PROBER_STARTUP); /* done: the others take over */
            prober_start(&sv->prober, PROBER_READINESS, now);
            prober_start(&sv->prober, PROBER_LIVENESS, now);
        }
        return;
    }
    if (kind == PROBER_READINESS) {
        log_event(LOG_WARN, &lf, "readiness probe failing (%s): not ready", why);
        return;
    }
    /* A failed liveness probe, or a startup probe past its threshold. With
     * restartPolicy Never (the only one yet) the container stops. */
    log_event(LOG_WARN, &lf, "%s probe failed (%s): stopping the process", name, why);
    queue_event(sv, (struct lifecycle_event){.kind = EV_LIVENESS_FAILED});
}

/* Probes run while the process counts as started and runs: they stop when
 * it exits or a shutdown begins, and start over after a restart. */
static void update_probes(struct supervisor *sv) {
    if (!sv->probes_on)
        return;
    if (!sv->probes_started && sv->lc.state == LC_RUNNING) {
        sv->probes_started = true;
        int64_t now = monotonic_ms();
        if (prober_configured(&sv->prober, PROBER_STARTUP)) {
            prober_start(&sv->prober, PROBER_STARTUP, now);
        } else {
            prober_start(&sv->prober, PROBER_READINESS, now);
            prober_start(&sv->prober, PROBER_LIVENESS, now);
        }
    } else if (sv->probes_started && sv->lc.state != LC_RUNNING) {
        prober_stop_all(&sv->prober);
        sv->probes_started = false;
    }
}

static int run(struct supervisor *sv);

int supervisor_run(const struct cli_options *opts, const struct config *cfg) {
    struct supervisor sv = {.opts = opts,
                            .cfg = cfg,
                            .sigfd = -1,
                            .epfd = -1,
                            .timerfd = -1,
                            .health = {.listen_fd = -1}};
    int threshold = opts->persona == PERSONA_PODINIT ? cfg->log_level : opts->verbosity;
    log_init(opts->persona, threshold, monotonic_ms(), cfg->log_json);
    lifecycle_init(&sv.lc, &(struct lifecycle_config){
                               .prestop_delay_ms = cfg->prestop_delay_ms,
                               .grace_ms = cfg->grace_ms,
                               .stop_signal = cfg->process.stop_signal,
                               .post_start = lifecycle_hook_of(&cfg->process.post_start, true),
                               .pre_stop = lifecycle_hook_of(&cfg->process.pre_stop, false),
                               .restart = (enum lifecycle_restart)cfg->process.restart,
                               .backoff_initial_ms = cfg->process.backoff_initial_ms,
                               .backoff_max_ms = cfg->process.backoff_max_ms,
                               .backoff_reset_ms = cfg->process.backoff_reset_ms,
                           });
    if (cfg->process.n_env > 0) {
        sv.child_env = config_environment(&cfg->process, environ);
        if (sv.child_env == NULL) {
            log_msg(LOG_ERROR, "building the environment: %s", strerror(ENOMEM));
            return CLI_EXIT_INTERNAL;
        }
    }
    /* Hooks run where the app was started, after podinit has left it. */
    if (cfg->process.working_dir == NULL &&
        (cfg->process.post_start.kind == HOOK_EXEC || cfg->process.pre_stop.kind == HOOK_EXEC))
        sv.start_dir = getcwd(NULL, 0);
    const struct config_process *p = &cfg->process;
    if (p->readiness.present || p->liveness.present || p->startup.present) {
        sv.probes_on = true;
        sv.probe_ctx =
            (struct hooks_context){.name = "probe",
                                   .signals = &sv.saved,
                                   .envp = sv.child_env,
                                   .dir = p->working_dir ? p->working_dir : sv.start_dir};
        if (p->working_dir == NULL && sv.start_dir == NULL)
            sv.probe_ctx.dir = sv.start_dir = getcwd(NULL, 0);
    }
    int rc = run(&sv);
    if (sv.probes_on)
        prober_stop_all(&sv.prober);
    health_stop(&sv.health);
    free(sv.child_env);
    free(sv.start_dir);
    return rc;
}

static int run(struct supervisor *sv) {
    const struct cli_options *opts = sv->opts;
    int rc = setup(sv);
    if (rc != 0)
        return rc;
    if (sv->probes_on)
        prober_init(&sv->prober, &sv->cfg->process, sv->epfd, &sv->probe_ctx, on_probe_change, sv);
    if (!opts->pause) {
        if (opts->persona == PERSONA_DUMB_INIT && opts->setsid)
            release_terminal(sv);
        rc = start_child(sv);
        if (rc != 0)
            return rc;
        if (opts->lifecycle)
            feed(sv, EV_STARTED, 0);
    } else {
        log_msg(LOG_INFO, "pause mode: waiting for SIGTERM or SIGINT");
    }
    /* Pin no mount: the child keeps the caller's working directory. */
    if (chdir("/") != 0)
        log_msg(LOG_DEBUG, "chdir /: %s", strerror(errno));

    for (;;) {
        update_probes(sv);
        reschedule(sv);
        struct epoll_event ev[16];
        int n = epoll_wait(sv->epfd, ev, 16, -1);
        if (n < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, "epoll_wait: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
        bool timer_fired = false;
        /* Signals first: whatever else woke us, they are never delayed. */
        drain_signals(sv);
        for (int i = 0; i < n; i++) {
            uint64_t tag = ev[i].data.u64;
            if (sv->timerfd >= 0 && tag == (uint64_t)sv->timerfd) {
                uint64_t expirations;
                while (read(sv->timerfd, &expirations, sizeof expirations) < 0 && errno == EINTR)
                    ;
                timer_fired = true;
                sv->armed_at = 0; /* a one-shot timer: it fired */
            } else if (tag & HEALTH_TAG_MASK) {
                struct health_status st = health_status_of(sv);
                health_on_event(&sv->health, tag, monotonic_ms(), &st);
            } else if ((tag & PROBER_TAG_MASK) && sv->probes_on) {
                prober_on_event(&sv->prober, tag, ev[i].events, monotonic_ms());
            }
        }
        if (timer_fired) {
            health_expire(&sv->health, monotonic_ms());
            if (sv->probes_on)
                prober_tick(&sv->prober, monotonic_ms());
        }
        bool none_left;
        int reaped = reap_children(on_reaped, sv, &none_left);
        if (reaped < 0)
            log_msg(LOG_ERROR, "waitpid: %s", strerror(-reaped));
        if (!opts->lifecycle) {
            if (sv->child_exited)
                return finish(sv);
        } else if (!opts->pause) {
            feed_pending(sv); /* hook results found while reaping */
            if (sv->child_exited && !sv->main_reported) {
                sv->main_reported = true;
                feed(sv, EV_MAIN_EXITED, sv->child_status);
            }
            if (timer_fired)
                feed(sv, EV_TIMER, 0);
            if (sv->lc.state == LC_KILLING && !none_left)
                signal_everything(sv, SIGKILL); /* orphans adopted since */
            if (sv->child_exited && none_left)
                feed(sv, EV_ALL_EXITED, 0);
            if (sv->done) {
                if (sv->failed_hook == LC_HOOK_POST_START) {
                    log_event(LOG_ERROR,
                              &(struct log_fields){.event = "exit",
                                                   .hook = "postStart",
                                                   .has_status = true,
                                                   .status = CLI_EXIT_POST_START},
                              "postStart hook failed: the container was stopped; exiting "
                              "with %d",
                              CLI_EXIT_POST_START);
                    return CLI_EXIT_POST_START;
                }
                int code = reap_container_exit_code(sv->exit_status, &sv->cfg->success_exit_codes);
                log_main_exited(sv->exit_status, code);
                return code;
            }
        }
        if (sv->stop_requested) {
            log_msg(LOG_INFO, "stop signal received in pause mode; exiting");
            return 0;
        }
    }
}
