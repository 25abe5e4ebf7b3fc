/* src/supervisor.c — one epoll loop over a signalfd. It sleeps in the kernel
 * with no timeout while nothing is scheduled, so an idle podinit costs no
 * wake-ups. After every wake-up it reads every queued signal, then reaps
 * until waitpid says nothing is left (SIGCHLDs coalesce, so the count of
 * signals says nothing about the count of zombies). */
#include "podinit/supervisor.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "podinit/lifecycle.h"
#include "podinit/log.h"
#include "podinit/reap.h"
#include "podinit/signals.h"
#include "podinit/spawn.h"

struct supervisor {
    const struct cli_options *opts;
    struct signals_saved saved;
    int sigfd, epfd;
    pid_t child;       /* the main process; 0 in pause mode */
    bool child_exited;
    int child_status;
    bool stop_requested; /* pause mode: a stop signal arrived */
    bool ignore_once[SIGNALS_CLASSIC_MAX + 1]; /* dumb-init: the tty hand-off HUP/CONT */
    /* podinit persona: the shutdown lifecycle and its one timer (created on
     * first use, so an idle podinit has no timer at all). */
    struct lifecycle lc;
    int timerfd;
    bool main_reported; /* EV_MAIN_EXITED fed */
    bool done;          /* ACT_EXIT seen */
    int exit_status;    /* its wait status */
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
    int to = signals_rewrite_apply(&o->rewrite, signo);
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
    return (si->ssi_signo == SIGPIPE || si->ssi_signo == SIGXFSZ) &&
           si->ssi_code == SI_USER && si->ssi_pid == (uint32_t)getpid();
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

static void arm_timer(struct supervisor *sv, int64_t at_ms) {
    if (sv->timerfd < 0) {
        sv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv->timerfd};
        if (sv->timerfd < 0 || epoll_ctl(sv->epfd, EPOLL_CTL_ADD, sv->timerfd, &ev) != 0) {
            log_msg(LOG_ERROR, "timer: %s; shutdown deadlines cannot be kept", strerror(errno));
            return;
        }
    }
    struct itimerspec its = {.it_value = {.tv_sec = at_ms / 1000,
                                          .tv_nsec = (at_ms % 1000) * 1000000}};
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1; /* zero would disarm it */
    if (timerfd_settime(sv->timerfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
        log_msg(LOG_ERROR, "arming the timer: %s", strerror(errno));
}

static void carry_out(struct supervisor *sv, const struct lifecycle_action *act) {
    char name[32];
    switch (act->kind) {
    case ACT_SET_READY:
        log_msg(LOG_INFO, "readiness: %s", act->value ? "ready" : "not ready");
        break;
    case ACT_ARM_TIMER:
        arm_timer(sv, act->at_ms);
        break;
    case ACT_SIGNAL_APP:
        if (sv->child_exited) {
            /* The main process is gone: what is left, wherever it is, is
             * asked to stop (a daemon that left the group too). */
            int sig = signals_rewrite_apply(&sv->opts->rewrite, act->signo);
            if (sig == 0)
                break;
            log_msg(LOG_INFO, "stopping: %s to everything left",
                    signals_name(sig, name, sizeof name));
            signal_everything(sv, sig);
            break;
        }
        log_msg(LOG_INFO, "stopping: %s to %s %d", signals_name(act->signo, name, sizeof name),
                sv->opts->signal_group ? "process group" : "pid", (int)sv->child);
        forward_signal(sv, act->signo);
        break;
    case ACT_KILL_ALL:
        log_msg(LOG_WARN, "grace period over: SIGKILL to everything left");
        signal_everything(sv, SIGKILL);
        break;
    case ACT_EXIT:
        sv->done = true;
        sv->exit_status = act->value;
        break;
    }
}

static void feed(struct supervisor *sv, int kind, int arg) {
    struct lifecycle_event ev = {.kind = kind, .signo = arg, .status = arg};
    struct lifecycle_action acts[8];
    size_t n = lifecycle_step(&sv->lc, &ev, monotonic_ms(), acts, 8);
    for (size_t i = 0; i < n; i++)
        carry_out(sv, &acts[i]);
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
    if (o->lifecycle && (signo == SIGTERM || signo == SIGINT)) {
        char name[32];
        /* Whole milliseconds, printed without floating point (which would
         * double the size of the static build). */
        if (sv->lc.state == LC_RUNNING)
            log_msg(LOG_INFO, "%s received: shutting down (drain %lld.%03llds, grace %lld.%03llds)",
                    signals_name(signo, name, sizeof name),
                    (long long)(o->prestop_delay_ms / 1000), (long long)(o->prestop_delay_ms % 1000),
                    (long long)(o->grace_ms / 1000), (long long)(o->grace_ms % 1000));
        else
            log_msg(LOG_INFO, "%s received again while %s",
                    signals_name(signo, name, sizeof name),
                    lifecycle_state_name(sv->lc.state));
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

static void on_reaped(void *ctx, pid_t pid, int status) {
    struct supervisor *sv = ctx;
    bool is_main = sv->child != 0 && pid == sv->child && !sv->child_exited;
    log_reaped(pid, status, is_main);
    if (is_main) {
        sv->child_exited = true;
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
    int code = reap_container_exit_code(sv->child_status, &o->remap);
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
    struct spawn_request req = {
        .argv = o->command,
        .signals = &sv->saved,
        .isolation = session ? SPAWN_SESSION : SPAWN_PROCESS_GROUP,
        .child_note = session && log_enabled(LOG_DEBUG) ? "[dumb-init] setsid complete.\n" : NULL,
    };
    int exec_errno;
    int rc = spawn_process(&req, &sv->child, &exec_errno);
    if (rc == 0) {
        log_spawned(sv->child, o->command[0]);
        return 0;
    }
    if (exec_errno != 0) {
        log_exec_failed(o->command[0], exec_errno);
        return spawn_exit_code_for(exec_errno);
    }
    log_msg(LOG_ERROR, "cannot start \"%s\": %s", o->command[0], strerror(-rc));
    return CLI_EXIT_INTERNAL;
}

static int setup(struct supervisor *sv) {
    sigset_t handled;
    /* dumb-init forwards a kill(2)ed SIGSEGV too; tini and podinit leave the
     * faults unblocked. */
    int rc = signals_take_over(&sv->saved, &handled,
                               sv->opts->persona == PERSONA_DUMB_INIT);
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
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv->sigfd};
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
    return 0;
}

int supervisor_run(const struct cli_options *opts) {
    struct supervisor sv = {.opts = opts, .sigfd = -1, .epfd = -1, .timerfd = -1};
    log_init(opts->persona, opts->verbosity, monotonic_ms(), opts->log_json);
    lifecycle_init(&sv.lc, &(struct lifecycle_config){.prestop_delay_ms = opts->prestop_delay_ms,
                                                      .grace_ms = opts->grace_ms,
                                                      .stop_signal = opts->stop_signal});
    int rc = setup(&sv);
    if (rc != 0)
        return rc;
    if (!opts->pause) {
        if (opts->persona == PERSONA_DUMB_INIT && opts->setsid)
            release_terminal(&sv);
        rc = start_child(&sv);
        if (rc != 0)
            return rc;
    } else {
        log_msg(LOG_INFO, "pause mode: waiting for SIGTERM or SIGINT");
    }
    /* Pin no mount: the child keeps the caller's working directory. */
    if (chdir("/") != 0)
        log_msg(LOG_DEBUG, "chdir /: %s", strerror(errno));

    for (;;) {
        struct epoll_event ev[4];
        int n = epoll_wait(sv.epfd, ev, 4, -1);
        if (n < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, "epoll_wait: %s", strerror(errno));
            return CLI_EXIT_INTERNAL;
        }
        bool timer_fired = false;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.fd == sv.timerfd) {
                uint64_t expirations;
                while (read(sv.timerfd, &expirations, sizeof expirations) < 0 && errno == EINTR)
                    ;
                timer_fired = true;
            }
        }
        drain_signals(&sv);
        bool none_left;
        int reaped = reap_children(on_reaped, &sv, &none_left);
        if (reaped < 0)
            log_msg(LOG_ERROR, "waitpid: %s", strerror(-reaped));
        if (!opts->lifecycle) {
            if (sv.child_exited)
                return finish(&sv);
        } else if (!opts->pause) {
            if (sv.child_exited && !sv.main_reported) {
                sv.main_reported = true;
                feed(&sv, EV_MAIN_EXITED, sv.child_status);
            }
            if (timer_fired)
                feed(&sv, EV_TIMER, 0);
            if (sv.lc.state == LC_KILLING && !none_left)
                signal_everything(&sv, SIGKILL); /* orphans adopted since */
            if (sv.child_exited && none_left)
                feed(&sv, EV_ALL_EXITED, 0);
            if (sv.done) {
                int code = reap_container_exit_code(sv.exit_status, &opts->remap);
                log_main_exited(sv.exit_status, code);
                return code;
            }
        }
        if (sv.stop_requested) {
            log_msg(LOG_INFO, "stop signal received in pause mode; exiting");
            return 0;
        }
    }
}
