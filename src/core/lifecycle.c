/* src/lifecycle.c — the pod lifecycle as Kubernetes runs it, inside the
 * container: postStart before the app counts as running; on the first stop
 * signal the pod is marked not ready and the grace period starts; the app
 * keeps serving through the drain delay and the preStop hook; then it gets
 * its stop signal; when the grace period ends everything left gets SIGKILL.
 * Pure: events and the time come in, actions go out. */
#include "podinit/lifecycle.h"

#include <signal.h>

struct out {
    struct lifecycle_action *a;
    size_t n, cap;
};

static void emit(struct out *o, struct lifecycle_action act) {
    if (o->n < o->cap)
        o->a[o->n++] = act;
}

/* An init task serves nothing: its readiness is never said. */
static void set_ready(const struct lifecycle *lc, struct out *o, bool ready) {
    if (lc->cfg.role != LC_ROLE_INIT_TASK)
        emit(o, (struct lifecycle_action){.kind = ACT_SET_READY, .ready = ready});
}

static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_config *cfg) {
    *lc = (struct lifecycle){.cfg = *cfg, .state = LC_STARTING};
}

const char *lifecycle_state_name(enum lifecycle_state state) {
    static const char *const names[] = {"STARTING", "RUNNING", "DRAINING",   "TERMINATING",
                                        "KILLING",  "EXITED",  "RESTARTING", "BACKOFF"};
    return state <= LC_BACKOFF ? names[state] : "?";
}

const char *lifecycle_hook_name(enum lifecycle_hook_id hook) {
    return hook == LC_HOOK_POST_START ? "postStart" : hook == LC_HOOK_PRE_STOP ? "preStop" : "-";
}

static void run_hook(struct lifecycle *lc, struct out *o, enum lifecycle_hook_id hook) {
    lc->running_hook = hook;
    emit(o, (struct lifecycle_action){.kind = ACT_RUN_HOOK, .hook = hook});
}

/* A hook still running is killed (its result no longer matters). */
static void cancel_hook(struct lifecycle *lc, struct out *o, bool timed_out) {
    if (lc->running_hook == LC_HOOK_NONE)
        return;
    emit(o, (struct lifecycle_action){
                .kind = ACT_CANCEL_HOOK, .hook = lc->running_hook, .timed_out = timed_out});
    lc->running_hook = LC_HOOK_NONE;
}

static int app_stop_signal(const struct lifecycle *lc) {
    if (lc->cfg.stop_signal > 0)
        return lc->cfg.stop_signal;
    return lc->received_signal > 0 ? lc->received_signal : SIGTERM;
}

static void become_running(struct lifecycle *lc, struct out *o) {
    lc->state = LC_RUNNING;
    lc->phase_end_ms = 0;
    set_ready(lc, o, true);
}

/* The app gets its stop signal; from here only the deadline matters. */
static void terminate(struct lifecycle *lc, struct out *o) {
    cancel_hook(lc, o, false);
    lc->state = LC_TERMINATING;
    emit(o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = app_stop_signal(lc)});
}

/* SIGKILL cannot fail to kill, but it can fail to reach (EPERM for a
 * setuid-root descendant of a non-root PID 1; a subreaper that cannot list
 * its children): the wait for the dead is bounded too. */
static void kill_all(struct lifecycle *lc, int64_t now, struct out *o) {
    cancel_hook(lc, o, true);
    lc->state = LC_KILLING;
    lc->phase_end_ms = now + LIFECYCLE_KILL_WAIT_MS;
    emit(o, (struct lifecycle_action){.kind = ACT_KILL_ALL, .signo = SIGKILL});
}

/* The bounded wait after SIGKILL is over and something is still there:
 * the container ends anyway, with the main process's status, or as if
 * SIGKILL had reached it. */
static void give_up(struct lifecycle *lc, struct out *o) {
    if (!lc->main_exited)
        lc->main_status = SIGKILL; /* a wait status: killed by signal 9 */
    lc->state = LC_EXITED;
    emit(o, (struct lifecycle_action){.kind = ACT_GIVE_UP});
    emit(o, (struct lifecycle_action){
                .kind = ACT_EXIT, .exit_status = lc->main_status, .hook = lc->failed_hook});
}

/* Shutdown without a drain (the main process exited, or postStart
 * failed): the grace period starts now. */
static void stop_now(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->deadline_ms = now + lc->cfg.grace_ms;
    if (lc->state == LC_RUNNING)
        set_ready(lc, o, false);
    terminate(lc, o);
}

static void kill_to_restart(struct lifecycle *lc, int64_t now, int64_t grace_ms, struct out *o);

/* Under a restart policy, as the kubelet's killContainer: stopped (its
 * preStop, its stop signal, the grace) and restarted with the back-off;
 * under Never the container stops, exit 3. */
static void post_start_failed(struct lifecycle *lc, int64_t now, struct out *o, bool timed_out) {
    cancel_hook(lc, o, timed_out);
    if (lc->cfg.restart != LC_RESTART_NEVER) {
        kill_to_restart(lc, now, lc->cfg.grace_ms, o);
        return;
    }
    lc->failed_hook = LC_HOOK_POST_START;
    stop_now(lc, now, o);
}

static void start(struct lifecycle *lc, int64_t now, struct out *o) {
    const struct lifecycle_hook *h = &lc->cfg.post_start;
    lc->run_started_ms = now;
    if (h->kind == LC_HOOK_ABSENT || (h->kind == LC_HOOK_SLEEP && h->duration_ms <= 0)) {
        become_running(lc, o);
        return;
    }
    lc->phase_end_ms = h->duration_ms > 0 ? now + h->duration_ms : 0;
    if (h->kind == LC_HOOK_JOB)
        run_hook(lc, o, LC_HOOK_POST_START);
}

/* The preStop hook starts (false: there is none). It spends from the
 * grace period and is cut off at its end. */
static bool pre_stop(struct lifecycle *lc, int64_t now, struct out *o) {
    const struct lifecycle_hook *h = &lc->cfg.pre_stop;
    if (h->kind == LC_HOOK_ABSENT || (h->kind == LC_HOOK_SLEEP && h->duration_ms <= 0))
        return false;
    lc->in_pre_stop = true;
    lc->phase_end_ms =
        h->duration_ms > 0 ? min64(now + h->duration_ms, lc->deadline_ms) : lc->deadline_ms;
    if (h->kind == LC_HOOK_JOB)
        run_hook(lc, o, LC_HOOK_PRE_STOP);
    return true;
}

static void begin_pre_stop(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->in_pre_stop = true; /* DRAINING: the delay is over */
    if (!pre_stop(lc, now, o))
        terminate(lc, o);
}

/* An init task exited 0 and is not restarted: done, for good. */
static void complete(struct lifecycle *lc, struct out *o) {
    /* No not-ready: an init task's readiness counts for nothing. */
    cancel_hook(lc, o, false);
    lc->state = LC_EXITED;
    emit(o, (struct lifecycle_action){.kind = ACT_COMPLETED, .exit_status = lc->main_status});
}

/* EV_STOP_IN_TURN: a sidecar stops after the pod's processes, within the
 * shutdown's deadline: its preStop hook, then its stop signal. */
static void stop_in_turn(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now,
                         struct out *o) {
    if (lc->state != LC_STARTING && lc->state != LC_RUNNING && lc->state != LC_BACKOFF &&
        lc->state != LC_RESTARTING)
        return;
    if (ev->signo > 0)
        lc->received_signal = ev->signo;
    lc->deadline_ms = ev->deadline_ms;
    if (now >= lc->deadline_ms) {
        kill_all(lc, now, o);
        return;
    }
    if (lc->main_exited || ev->exited) {
        /* Gone already: no preStop, and no signal to a reaped pid (what it
         * left in its group is what is left, asked once all are gone). */
        cancel_hook(lc, o, false);
        lc->state = LC_TERMINATING;
        return;
    }
    if (lc->state == LC_BACKOFF || lc->state == LC_RESTARTING) {
        terminate(lc, o); /* nothing to have a preStop for */
        return;
    }
    cancel_hook(lc, o, false); /* a postStart still running */
    if (lc->state == LC_RUNNING)
        set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    begin_pre_stop(lc, now, o);
}

static void start_shutdown(struct lifecycle *lc, int signo, int64_t now, struct out *o) {
    cancel_hook(lc, o, false); /* a postStart still running */
    lc->received_signal = signo;
    lc->deadline_ms = now + lc->cfg.grace_ms;
    set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    lc->in_pre_stop = false;
    if (lc->cfg.prestop_delay_ms > 0) {
        lc->phase_end_ms = min64(now + lc->cfg.prestop_delay_ms, lc->deadline_ms);
    } else {
        begin_pre_stop(lc, now, o);
    }
}

/* Whether a process that exited with wait status `status` is restarted.
 * A liveness stop counts as a failure. */
static bool restarts_after(const struct lifecycle *lc, int status, bool liveness) {
    switch (lc->cfg.restart) {
    case LC_RESTART_ALWAYS: return true;
    case LC_RESTART_ON_FAILURE: return liveness || status != 0;
    default: return false;
    }
}

/* Kubernetes' CrashLoopBackOff shape: initial, doubling, capped (a long
 * run has set crashes back to 0: it starts over). */
static int64_t backoff_delay(struct lifecycle *lc) {
    int64_t d = lc->cfg.backoff_initial_ms;
    for (int i = 0; i < lc->crashes && d < lc->cfg.backoff_max_ms; i++)
        d *= 2;
    lc->crashes++;
    return d < lc->cfg.backoff_max_ms ? d : lc->cfg.backoff_max_ms;
}

static void enter_backoff(struct lifecycle *lc, int64_t now, struct out *o) {
    cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        set_ready(lc, o, false);
    int64_t delay = backoff_delay(lc);
    lc->state = LC_BACKOFF;
    lc->phase_end_ms = now + delay;
    emit(o, (struct lifecycle_action){
                .kind = ACT_BACKOFF, .delay_ms = delay, .restart_number = lc->restarts + 1});
}

/* The process exited and its policy restarts it: a run that lasted
 * backoff_reset_ms starts the count over; backoff_limit restarts in a row
 * and this exit is final, as under Never (Kubernetes Job's backoffLimit). */
static void restart_or_fail(struct lifecycle *lc, int64_t now, struct out *o) {
    if (now - lc->run_started_ms >= lc->cfg.backoff_reset_ms)
        lc->crashes = 0;
    if (lc->cfg.backoff_limit > 0 && lc->crashes >= lc->cfg.backoff_limit) {
        emit(o, (struct lifecycle_action){.kind = ACT_BACKOFF_LIMIT});
        stop_now(lc, now, o);
        return;
    }
    enter_backoff(lc, now, o);
}

/* A run counts from the restart: one that never starts (exec failed) is
 * a short run, not one as long as the back-off before it. */
static void restart(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->restarts++;
    lc->run_started_ms = now;
    lc->startup_passed = false;
    lc->in_pre_stop = false;
    lc->state = LC_STARTING;
    lc->started = false;
    lc->main_exited = false;
    lc->phase_end_ms = 0;
    emit(o, (struct lifecycle_action){.kind = ACT_RESTART});
}

/* RESTARTING: its preStop is over (or there is none): the stop signal. */
static void signal_to_restart(struct lifecycle *lc, struct out *o) {
    lc->in_pre_stop = false;
    emit(o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = app_stop_signal(lc)});
}

/* Stop the process to restart it, as the kubelet's killContainer does:
 * its preStop hook, then its stop signal, SIGKILL to its group when
 * grace_ms is over; restarted (back-off) once it is gone. No drain: the
 * drain is for a stop someone asked for, while the container's endpoints
 * are taken out; this process alone has failed, and is not ready already. */
static void kill_to_restart(struct lifecycle *lc, int64_t now, int64_t grace_ms, struct out *o) {
    cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        set_ready(lc, o, false);
    lc->state = LC_RESTARTING;
    lc->app_killed = false;
    lc->in_pre_stop = false;
    lc->deadline_ms = now + grace_ms;
    if (!pre_stop(lc, now, o))
        signal_to_restart(lc, o);
}

/* The process failed its liveness probe (or its startup probe for good):
 * killed as the kubelet kills it, within that probe's own grace if it has
 * one; restarted under its policy, else the container stops. */
static void liveness_failed(struct lifecycle *lc, unsigned probe, int64_t now, struct out *o) {
    if (lc->state != LC_STARTING && lc->state != LC_RUNNING)
        return;
    int64_t grace = probe == LC_PROBE_STARTUP ? lc->cfg.startup_grace_ms : lc->cfg.liveness_grace_ms;
    if (grace <= 0)
        grace = lc->cfg.grace_ms;
    if (lc->cfg.restart != LC_RESTART_NEVER) {
        kill_to_restart(lc, now, grace, o);
        return;
    }
    /* The container stops, this process by its preStop and stop signal. */
    cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    lc->deadline_ms = now + grace;
    begin_pre_stop(lc, now, o);
}

/* Which probes should run: the startup probe first (if any), then the
 * other two; none outside RUNNING (no probe during a postStart, a
 * shutdown or a back-off). */
static void sync_probes(struct lifecycle *lc, struct out *o) {
    unsigned want = 0;
    if (lc->state == LC_RUNNING)
        want = (lc->cfg.probes & LC_PROBE_STARTUP) && !lc->startup_passed
                   ? LC_PROBE_STARTUP
                   : lc->cfg.probes & (LC_PROBE_READINESS | LC_PROBE_LIVENESS);
    if (want != lc->probes_running) {
        lc->probes_running = want;
        emit(o, (struct lifecycle_action){.kind = ACT_PROBES, .probes = want});
    }
}

int64_t lifecycle_next_deadline(const struct lifecycle *lc) {
    switch (lc->state) {
    case LC_STARTING:
        /* A postStart sleep, or a postStart job's time limit. */
        return lc->started && (lc->cfg.post_start.kind == LC_HOOK_SLEEP ||
                               lc->running_hook == LC_HOOK_POST_START)
                   ? lc->phase_end_ms
                   : 0;
    case LC_DRAINING: return min64(lc->phase_end_ms, lc->deadline_ms);
    case LC_TERMINATING: return lc->deadline_ms;
    case LC_KILLING:
    case LC_BACKOFF: return lc->phase_end_ms;
    case LC_RESTARTING:
        return lc->app_killed    ? lc->phase_end_ms
               : lc->in_pre_stop ? min64(lc->phase_end_ms, lc->deadline_ms)
                                 : lc->deadline_ms;
    default: return 0; /* RUNNING, EXITED: only an event moves them */
    }
}

int lifecycle_stop_signal(const struct lifecycle *lc) {
    return app_stop_signal(lc);
}

static void on_timer(struct lifecycle *lc, int64_t now, struct out *o) {
    switch (lc->state) {
    case LC_STARTING:
        if (lc->phase_end_ms == 0 || now < lc->phase_end_ms)
            break;
        if (lc->cfg.post_start.kind == LC_HOOK_SLEEP)
            become_running(lc, o);
        else if (lc->running_hook == LC_HOOK_POST_START)
            post_start_failed(lc, now, o, true);
        break;
    case LC_DRAINING:
        if (now >= lc->deadline_ms)
            kill_all(lc, now, o);
        else if (now < lc->phase_end_ms)
            break;
        else if (!lc->in_pre_stop)
            begin_pre_stop(lc, now, o);
        else {
            cancel_hook(lc, o, true); /* its own time limit */
            terminate(lc, o);
        }
        break;
    case LC_TERMINATING:
        if (now >= lc->deadline_ms)
            kill_all(lc, now, o);
        break;
    case LC_KILLING:
        if (now >= lc->phase_end_ms)
            give_up(lc, o);
        break;
    case LC_RESTARTING:
        if (!lc->app_killed && now >= lc->deadline_ms) {
            cancel_hook(lc, o, true); /* a preStop still running */
            lc->in_pre_stop = false;
            lc->app_killed = true; /* once: then its exit, or the bounded wait */
            lc->phase_end_ms = now + LIFECYCLE_KILL_WAIT_MS;
            emit(o, (struct lifecycle_action){.kind = ACT_KILL_APP, .signo = SIGKILL});
        } else if (lc->app_killed && now >= lc->phase_end_ms) {
            /* SIGKILL did not reach it: it cannot be restarted, so the
             * container stops, as after a liveness failure under Never. */
            emit(o, (struct lifecycle_action){.kind = ACT_GIVE_UP, .restart_abandoned = true});
            stop_now(lc, now, o);
        } else if (lc->in_pre_stop && now >= lc->phase_end_ms) {
            cancel_hook(lc, o, true); /* its own time limit (nothing, for a sleep) */
            signal_to_restart(lc, o);
        }
        break;
    case LC_BACKOFF:
        if (now >= lc->phase_end_ms)
            restart(lc, now, o);
        break;
    default: break;
    }
}

static void on_hook_done(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now,
                         struct out *o) {
    if (ev->hook == LC_HOOK_NONE || ev->hook != lc->running_hook)
        return; /* cancelled already: its result no longer counts */
    lc->running_hook = LC_HOOK_NONE;
    if (ev->hook == LC_HOOK_POST_START && lc->state == LC_STARTING) {
        if (ev->ok)
            become_running(lc, o);
        else
            post_start_failed(lc, now, o, false);
    } else if (ev->hook == LC_HOOK_PRE_STOP && lc->state == LC_DRAINING) {
        terminate(lc, o); /* a failed preStop is logged by the caller; shutdown goes on */
    } else if (ev->hook == LC_HOOK_PRE_STOP && lc->state == LC_RESTARTING) {
        signal_to_restart(lc, o);
    }
}

size_t lifecycle_step(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now,
                      struct lifecycle_action *actions, size_t cap) {
    struct out o = {actions, 0, cap};
    switch (ev->kind) {
    case EV_STARTED:
        if (lc->state == LC_STARTING && !lc->started) {
            lc->started = true;
            start(lc, now, &o);
        }
        break;
    case EV_STOP_SIGNAL:
        if (lc->state == LC_BACKOFF || lc->state == LC_RESTARTING) {
            /* No restart once a shutdown begins; nothing serves, no drain. */
            lc->received_signal = ev->signo;
            lc->deadline_ms = now + lc->cfg.grace_ms;
            terminate(lc, &o);
        } else if (lc->state == LC_STARTING || lc->state == LC_RUNNING)
            start_shutdown(lc, ev->signo, now, &o);
        else if (lc->state == LC_DRAINING)
            terminate(lc, &o); /* an impatient operator is obeyed */
        else if (lc->state == LC_TERMINATING)
            emit(&o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = ev->signo});
        break;
    case EV_MAIN_EXITED:
        lc->main_exited = true;
        lc->main_status = ev->status;
        if ((lc->state == LC_STARTING || lc->state == LC_RUNNING) &&
            lc->cfg.role == LC_ROLE_INIT_TASK && ev->status == 0)
            complete(lc, &o);
        else if ((lc->state == LC_STARTING || lc->state == LC_RUNNING) &&
                 restarts_after(lc, ev->status, false))
            restart_or_fail(lc, now, &o);
        else if (lc->state == LC_RESTARTING)
            restart_or_fail(lc, now, &o); /* stopped for its liveness failure */
        else if (lc->state == LC_STARTING || lc->state == LC_RUNNING)
            stop_now(lc, now, &o); /* exited on its own: stop the rest, no drain */
        else if (lc->state == LC_DRAINING)
            terminate(lc, &o); /* nothing left to drain for */
        break;
    case EV_ALL_EXITED:
        if (lc->main_exited && (lc->state == LC_TERMINATING || lc->state == LC_KILLING)) {
            lc->state = LC_EXITED;
            emit(&o, (struct lifecycle_action){
                         .kind = ACT_EXIT, .exit_status = lc->main_status, .hook = lc->failed_hook});
        }
        break;
    case EV_TIMER: on_timer(lc, now, &o); break;
    case EV_HOOK_DONE: on_hook_done(lc, ev, now, &o); break;
    case EV_SHUTDOWN_NOW:
        if (lc->state == LC_STARTING || lc->state == LC_RUNNING)
            stop_now(lc, now, &o);
        else if (lc->state == LC_DRAINING || lc->state == LC_BACKOFF ||
                 lc->state == LC_RESTARTING) {
            lc->deadline_ms = now + lc->cfg.grace_ms;
            terminate(lc, &o);
        }
        break;
    case EV_STOP_IN_TURN: stop_in_turn(lc, ev, now, &o); break;
    case EV_PROBE_RESULT:
        if (lc->state != LC_RUNNING)
            break; /* a late result: probes only count while running */
        if (ev->probe == LC_PROBE_STARTUP && ev->ok)
            lc->startup_passed = true; /* the others take over */
        else if ((ev->probe == LC_PROBE_STARTUP || ev->probe == LC_PROBE_LIVENESS) && !ev->ok)
            liveness_failed(lc, ev->probe, now, &o); /* a startup probe past its threshold too */
        break;
    }
    sync_probes(lc, &o);
    return o.n;
}
