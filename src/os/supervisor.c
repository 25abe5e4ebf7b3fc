/* src/os/supervisor.c — the rounds of one loop (loop.c): the signals, the
 * sockets (health endpoint, probes, httpGet hooks), and one deadline, the
 * earliest of what is scheduled, asked anew each round. It sleeps in the
 * kernel with no timeout while nothing is scheduled (an idle podinit costs
 * no wake-ups); with no socket (the drop-in case) a forwarded signal costs
 * one sigtimedwait and the kill. After a SIGCHLD it reaps until waitpid says
 * nothing is left (SIGCHLDs coalesce, so their count says nothing about
 * the count of zombies).
 *
 * The rules live in the pod (pod.c, pure): this file turns kernel events
 * into the pod's events, and carries out the pod's actions, through each
 * process (process.c) or, for what spans them, here. */
#include "podinit/supervisor.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "podinit/hot.h"
#include "podinit/lifecycle.h"
#include "podinit/log.h"
#include "podinit/reap.h"
#include "podinit/setup.h"
#include "supervisor_parts.h"

static bool is_tty_stop(int signo) {
    return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

/* A signal the kernel raised on podinit itself for its own I/O: SIGPIPE
 * when its log pipe is gone, SIGXFSZ at a file size limit. It is ours, not
 * the application's, and is not forwarded. */
static bool raised_by_own_io(const struct loop_signal *sig) {
    return (sig->signo == SIGPIPE || sig->signo == SIGXFSZ) && sig->code == SI_USER &&
           sig->pid == getpid();
}

/* ---- what spans the processes ----------------------------------------------- */

static void signal_everything(struct supervisor *sv, int signo) {
    processes_signal_everything(sv->procs, sv->n_procs, signo);
}

static void carry_out(struct supervisor *sv, const struct pod_action *a) {
    if (a->kind == POD_ACT_KILL_EVERYTHING) {
        signal_everything(sv, SIGKILL);
    } else if (a->kind == POD_ACT_ASK_WHAT_IS_LEFT) {
        processes_ask_what_is_left(sv->procs, sv->n_procs, a->signo);
    } else if (a->act.kind == ACT_KILL_ALL) {
        /* once, however many processes reach their deadline (the pod's rule) */
        log_event(LOG_WARN, &(struct log_fields){.event = "kill", .signo = SIGKILL},
                  "grace period over: SIGKILL to everything left");
        signal_everything(sv, SIGKILL);
    } else if (a->act.kind == ACT_GIVE_UP && !a->act.restart_abandoned) {
        processes_say_what_is_left(sv->procs, sv->n_procs);
    } else {
        process_carry_out(&sv->procs[a->proc], &a->act);
    }
}

/* Feed the pod what is queued, carry out each event's actions, then what
 * those produced, in order: a lifecycle is never re-entered while its
 * actions are carried out. */
PODINIT_HOT static void feed_pending(struct supervisor *sv) {
    struct pod_action acts[POD_MAX_ACTIONS];
    size_t n;
    while ((n = pod_next(&sv->pod, loop_now_ms(), acts, POD_MAX_ACTIONS)) > 0)
        for (size_t i = 0; i < n; i++)
            carry_out(sv, &acts[i]);
    if (sv->pod.dropped > 0) {
        log_msg(LOG_ERROR, "%zu lifecycle events lost (queue full)", sv->pod.dropped);
        sv->pod.dropped = 0;
    }
}

static void earliest(int64_t *next, int64_t t) {
    if (t != 0 && (*next == 0 || t < *next))
        *next = t;
}

/* The loop's one deadline: the earliest of the lifecycles' wake-ups, the
 * probes and the health endpoint's connection deadlines; none when nothing
 * is scheduled (an idle podinit makes no wake-ups). */
static void reschedule(struct supervisor *sv) {
    int64_t next = pod_next_deadline(&sv->pod);
    for (size_t i = 0; i < sv->n_procs; i++)
        if (sv->procs[i].prober != NULL)
            earliest(&next, prober_next_wakeup(sv->procs[i].prober));
    if (sv->health.listen_fd >= 0)
        earliest(&next, health_next_deadline(&sv->health));
    loop_set_deadline(&sv->loop, next);
}

/* ---- signals --------------------------------------------------------------- */

/* signo asks the pod to stop with stop_as (pod_stop_request). */
static void stop_signal_received(struct supervisor *sv, int signo, int stop_as) {
    char name[32];
    const struct config *c = sv->cfg;
    struct log_fields lf = {.event = "stop_signal", .signo = signo};
    if (!sv->pod.shutdown)
        log_event(LOG_INFO, &lf,
                  "%s received: shutting down (drain %lld.%03llds, grace %lld.%03llds)",
                  signals_name(signo, name, sizeof name), (long long)(c->prestop_delay_ms / 1000),
                  (long long)(c->prestop_delay_ms % 1000), (long long)(c->grace_ms / 1000),
                  (long long)(c->grace_ms % 1000));
    else
        log_event(LOG_INFO, &lf, "%s received again while %s",
                  signals_name(signo, name, sizeof name),
                  pod_process_state(&sv->pod, pod_cause(&sv->pod)));
    pod_stop_signal(&sv->pod, stop_as);
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
    int stop_as = o->lifecycle ? pod_stop_request(sv->cfg, signo) : 0;
    if (stop_as != 0) {
        stop_signal_received(sv, signo, stop_as);
        return;
    }
    /* tini ignores these two so a write to a terminal it no longer owns
     * cannot stop it; they are not forwarded there. */
    if (sv->persona->ignores_tty_io_signals && (signo == SIGTTIN || signo == SIGTTOU))
        return;
    sv->signals_forwarded++;
    for (size_t i = 0; i < sv->n_procs; i++)
        process_forward(&sv->procs[i], signo);
    /* dumb-init: a terminal stop suspends the init too, so the shell that
     * started it sees the job stop; SIGCONT wakes it and is forwarded. */
    if (sv->persona->suspends_on_tty_stop && is_tty_stop(signo) && getpid() != 1) {
        log_msg(LOG_DEBUG, "Suspending self due to TTY signal.");
        (void)kill(getpid(), SIGSTOP);
    }
}

/* ---- the relay: a forward inside the wait ------------------------------------ */

/* Never relayed: podinit's own (SIGCHLD; SIGIO, SIGPIPE, SIGXFSZ its I/O
 * may raise), the terminal's stops and I/O (personas act on those), and
 * the ones the C library reserves. */
static bool never_relayed(int signo) {
    switch (signo) {
    case SIGCHLD:
    case SIGIO:
    case SIGPIPE:
    case SIGXFSZ:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU: return true;
    default: return signals_reserved(signo);
    }
}

/* What handle_signal, whatever the state, only forwards: what podinit
 * took over, but no stop request and none never relayed. */
static void set_plain_signals(struct supervisor *sv) {
    sv->plain_signals = 0;
    for (int s = 1; s <= 64; s++)
        if (sigismember(&sv->loop.signals, s) == 1 && !never_relayed(s) &&
            !(sv->opts->lifecycle && pod_stop_request(sv->cfg, s) != 0))
            sv->plain_signals |= UINT64_C(1) << (s - 1);
}

/* The coming wait's relay (loop_relay): the signals handle_signal would
 * only forward, as they are, to one process alone, with nothing to log.
 * The wait then forwards them itself (issue 12: the fewest instructions
 * between the signal and the kill); anything else ends the relay. */
PODINIT_HOT static void set_relay(struct supervisor *sv) {
    if (sv->opts->pause || log_enabled(LOG_DEBUG))
        return;
    const struct proc *to = NULL;
    pid_t target = 0, or_else = 0;
    for (size_t i = 0; i < sv->n_procs; i++) {
        pid_t e, t = process_forward_target(&sv->procs[i], &e);
        if (t == 0)
            continue;
        if (to != NULL)
            return; /* two or more: handle_signal forwards to each */
        to = &sv->procs[i];
        target = t;
        or_else = e;
    }
    if (to == NULL)
        return;
    uint64_t set = sv->plain_signals;
    for (int s = 1; s <= SIGNALS_CLASSIC_MAX; s++)
        if (sv->ignore_once[s] || signals_rewrite_apply(&to->cfg->rewrite, s) != s)
            set &= ~(UINT64_C(1) << (s - 1));
    loop_relay(&sv->loop, set, target, or_else);
}

/* A signal from the loop: SIGCHLD says a reaping pass is due this round. */
PODINIT_HOT static void on_signal(void *ctx, const struct loop_signal *sig) {
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
    sv->reaped++;
    int i = processes_claim_reaped(sv->procs, sv->n_procs, pid, status, loop_now_ms());
    if (i == PROCESSES_JOB)
        return;
    log_reaped(pid, status, i >= 0);
    if (i >= 0) {
        process_output_ended(&sv->procs[i]);     /* what it wrote comes before what follows */
        pod_exited(&sv->pod, (size_t)i, status); /* fed after the pass (pod_end_round) */
        return;
    }
    if (sv->opts->warn_on_reap)
        log_msg(LOG_WARN, sv->persona->reap_warning, (int)pid);
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

/* ---- the end ----------------------------------------------------------------- */

/* The program is gone: what tini, dumb-init and catatonit do before
 * exiting. */
static int finish(struct supervisor *sv) {
    const struct cli_options *o = sv->opts;
    int status = pod_process_last_status(&sv->pod, 0);
    int code = exit_code_container(status, &sv->cfg->success_exit_codes);
    /* Whatever is left of the child's group gets SIGTERM (dumb-init's
     * behaviour; tini leaves that to the kernel's kill of the namespace). */
    enum persona_term_on_exit term = sv->persona->term_on_exit;
    if (term == TERM_ON_EXIT_ALWAYS || (term == TERM_ON_EXIT_WITH_SIGNAL_GROUP && o->signal_group))
        process_forward(&sv->procs[0], SIGTERM);
    log_main_exited("", status, code);
    return code;
}

/* ---- the loop ----------------------------------------------------------------- */

/* One wait in the loop, the timers' work when the deadline has come, the
 * reaping. *quiet: no timer, no fd's callback, no SIGCHLD (an exec probe's
 * or a hook's end) in it: nothing a deadline derives from has changed
 * but, perhaps, the pod (pod_round_idle tells). Returns 0, or podinit's
 * exit code when waiting failed. */
PODINIT_HOT static int wait_round(struct supervisor *sv, bool *timer_fired, bool *none_left,
                                  bool *quiet) {
    if (!sv->settled)
        reschedule(sv);
    sv->saw_sigchld = false;
    unsigned long callbacks = sv->loop.callbacks;
    set_relay(sv);
    int rc = loop_wait(&sv->loop);
    if (rc < 0) {
        log_msg(LOG_ERROR, "waiting: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    *timer_fired = rc == 1;
    *quiet = !*timer_fired && !sv->saw_sigchld && sv->loop.callbacks == callbacks;
    if (*timer_fired) {
        int64_t now = loop_now_ms();
        health_expire(&sv->health, now);
        for (size_t i = 0; i < sv->n_procs; i++)
            if (sv->procs[i].prober != NULL)
                prober_tick(sv->procs[i].prober, now);
    }
    reap_round(sv, none_left);
    return 0;
}

/* Start what the pod says is due, in its order; *started counts them.
 * In the container's first start a failure stops what has started
 * (SIGKILL: it has barely begun; nothing half-started) and is podinit's
 * exit code; later (after init tasks) it counts as the process's exit
 * with that code, and the pod's rules stop the container in order. */
PODINIT_HOT static int start_due(struct supervisor *sv, bool first, size_t *started) {
    size_t i;
    *started = 0;
    while ((i = pod_next_start(&sv->pod)) != POD_NONE) {
        pod_launched(&sv->pod, i);
        (*started)++;
        int rc = process_start(&sv->procs[i]);
        if (rc != 0 && first) {
            signal_everything(sv, SIGKILL);
            return rc;
        }
        if (sv->opts->lifecycle)
            pod_post(&sv->pod, i,
                     rc == 0 ? (struct lifecycle_event){.kind = EV_STARTED}
                             : (struct lifecycle_event){.kind = EV_MAIN_EXITED,
                                                        .status = (rc & 0xff) << 8});
    }
    return 0;
}

/* What is due started and fed, until the pod waits for something (an init
 * task's end, a sidecar's startup probe). */
static void start_rest(struct supervisor *sv) {
    size_t started;
    do {
        feed_pending(sv);
        (void)start_due(sv, false, &started);
    } while (started > 0);
}

/* The container's first processes started, or none left running. */
static int start_all(struct supervisor *sv) {
    if (sv->shared.new_session && setup_release_terminal()) {
        sv->ignore_once[SIGHUP] = true;
        sv->ignore_once[SIGCONT] = true;
    }
    size_t started;
    int rc = start_due(sv, true, &started);
    if (rc != 0)
        return rc;
    if (sv->opts->lifecycle)
        start_rest(sv);
    return 0;
}

static int run(struct supervisor *sv) {
    const struct cli_options *opts = sv->opts;
    int rc = sv_setup(sv, on_signal);
    if (rc != 0)
        return rc;
    set_plain_signals(sv);
    if (opts->pause)
        log_msg(LOG_INFO, "pause mode: waiting for SIGTERM or SIGINT");
    else if ((rc = start_all(sv)) != 0)
        return rc;
    /* Pin no mount: the children keep the caller's working directory. */
    if (chdir("/") != 0)
        log_msg(LOG_DEBUG, "chdir /: %s", strerror(errno));
    for (;;) {
        bool timer_fired, none_left, quiet;
        rc = wait_round(sv, &timer_fired, &none_left, &quiet);
        if (rc != 0)
            return rc;
        if (!opts->lifecycle || opts->pause) {
            sv->settled = quiet;
            if (!opts->lifecycle && process_exited(&sv->procs[0]))
                return finish(sv);
        } else {
            /* The pod is fed what happened (the exits, the timer) and
             * applies its rules; a round that only forwarded signals has
             * nothing to feed it (pod_round_idle). */
            sv->settled = quiet && pod_round_idle(&sv->pod, timer_fired, none_left);
            if (!sv->settled) {
                pod_end_round(&sv->pod, timer_fired, none_left);
                start_rest(sv);
                if (pod_done(&sv->pod))
                    return processes_exit_code(sv->procs, sv->cfg);
            }
        }
        if (sv->stop_requested) {
            log_msg(LOG_INFO, "stop signal received in pause mode; exiting");
            return 0;
        }
    }
}

PODINIT_HOT int supervisor_run(const struct cli_options *opts, const struct config *cfg) {
    struct supervisor sv;
    int rc = sv_build(&sv, opts, cfg);
    if (rc == 0)
        rc = run(&sv);
    sv_teardown(&sv);
    return rc;
}
