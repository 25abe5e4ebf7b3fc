/* src/lifecycle.c — the pod lifecycle as Kubernetes runs it, inside the
 * container: postStart before the app counts as running; on the first stop
 * signal the pod is marked not ready and the grace period starts; the app
 * keeps serving through the drain delay and the preStop hook; then it gets
 * its stop signal; when the grace period ends everything left gets SIGKILL.
 * Pure: events and the time come in, actions go out. */
#include "podinit/lifecycle.h"

#include "lifecycle_steps.h"

#include <signal.h>

#include "podinit/hot.h"

void lc_emit(struct out *o, struct lifecycle_action act) {
    if (o->n < o->cap)
        o->a[o->n++] = act;
}

/* An init task serves nothing: its readiness is never said. */
void lc_set_ready(const struct lifecycle *lc, struct out *o, bool ready) {
    if (lc->cfg.role != LC_ROLE_INIT_TASK)
        lc_emit(o, (struct lifecycle_action){.kind = ACT_SET_READY, .ready = ready});
}

/* ACT_EXIT's hook: the one whose failure ended the container. */
static enum lifecycle_hook_id failed_hook(const struct lifecycle *lc) {
    return lc->end == LC_END_POST_START ? LC_HOOK_POST_START : LC_HOOK_NONE;
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
    lc_emit(o, (struct lifecycle_action){.kind = ACT_RUN_HOOK, .hook = hook});
}

/* A hook begins: a job is run (and waited for), a sleep is timed here and
 * only said. */
static void begin_hook(struct lifecycle *lc, struct out *o, enum lifecycle_hook_id hook,
                       const struct lifecycle_hook *h) {
    if (h->kind == LC_HOOK_JOB)
        run_hook(lc, o, hook);
    else
        lc_emit(o, (struct lifecycle_action){.kind = ACT_SLEEP_HOOK, .hook = hook});
}

/* A hook still running is killed (its result no longer matters). */
void lc_cancel_hook(struct lifecycle *lc, struct out *o, bool timed_out) {
    if (lc->running_hook == LC_HOOK_NONE)
        return;
    lc_emit(o, (struct lifecycle_action){
                .kind = ACT_CANCEL_HOOK, .hook = lc->running_hook, .timed_out = timed_out});
    lc->running_hook = LC_HOOK_NONE;
}

int lc_app_stop_signal(const struct lifecycle *lc) {
    if (lc->cfg.stop_signal > 0)
        return lc->cfg.stop_signal;
    return lc->received_signal > 0 ? lc->received_signal : SIGTERM;
}

static void become_running(struct lifecycle *lc, struct out *o) {
    lc->state = LC_RUNNING;
    lc->phase_end_ms = 0;
    lc_set_ready(lc, o, true);
}

/* The app gets its stop signal; from here only the deadline matters. */
static void terminate(struct lifecycle *lc, struct out *o) {
    lc_cancel_hook(lc, o, false);
    lc->state = LC_TERMINATING;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = lc_app_stop_signal(lc)});
}

/* SIGKILL cannot fail to kill, but it can fail to reach (EPERM for a
 * setuid-root descendant of a non-root PID 1; a subreaper that cannot list
 * its children): the wait for the dead is bounded too. */
static void kill_all(struct lifecycle *lc, int64_t now, struct out *o) {
    lc_cancel_hook(lc, o, true);
    lc->state = LC_KILLING;
    lc->phase_end_ms = now + LIFECYCLE_KILL_WAIT_MS;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_KILL_ALL, .signo = SIGKILL});
}

/* The bounded wait after SIGKILL is over and something is still there:
 * the container ends anyway, with the main process's status, or as if
 * SIGKILL had reached it. */
static void give_up(struct lifecycle *lc, struct out *o) {
    if (!lc->main_exited)
        lc->main_status = SIGKILL; /* a wait status: killed by signal 9 */
    lc->state = LC_EXITED;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_GIVE_UP});
    lc_emit(o, (struct lifecycle_action){
                .kind = ACT_EXIT, .exit_status = lc->main_status, .hook = failed_hook(lc)});
}

/* Shutdown without a drain (the main process exited, or postStart
 * failed): the grace period starts now. */
void lc_stop_now(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->deadline_ms = now + lc->cfg.grace_ms;
    if (lc->state == LC_RUNNING)
        lc_set_ready(lc, o, false);
    terminate(lc, o);
}

static void start(struct lifecycle *lc, int64_t now, struct out *o) {
    const struct lifecycle_hook *h = &lc->cfg.post_start;
    lc->run_started_ms = now;
    if (h->kind == LC_HOOK_ABSENT || (h->kind == LC_HOOK_SLEEP && h->duration_ms <= 0)) {
        become_running(lc, o);
        return;
    }
    lc->phase_end_ms = h->duration_ms > 0 ? now + h->duration_ms : 0;
    begin_hook(lc, o, LC_HOOK_POST_START, h);
}

/* The preStop hook starts (false: there is none). It spends from the
 * grace period and is cut off at its end. */
bool lc_pre_stop(struct lifecycle *lc, int64_t now, struct out *o) {
    const struct lifecycle_hook *h = &lc->cfg.pre_stop;
    if (h->kind == LC_HOOK_ABSENT || (h->kind == LC_HOOK_SLEEP && h->duration_ms <= 0))
        return false;
    lc->in_pre_stop = true;
    lc->phase_end_ms =
        h->duration_ms > 0 ? min64(now + h->duration_ms, lc->deadline_ms) : lc->deadline_ms;
    begin_hook(lc, o, LC_HOOK_PRE_STOP, h);
    return true;
}

void lc_begin_pre_stop(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->in_pre_stop = true; /* DRAINING: the delay is over */
    if (!lc_pre_stop(lc, now, o))
        terminate(lc, o);
}

/* An init task exited 0 and is not restarted: done, for good. */
static void complete(struct lifecycle *lc, struct out *o) {
    /* No not-ready: an init task's readiness counts for nothing. */
    lc_cancel_hook(lc, o, false);
    lc->state = LC_EXITED;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_COMPLETED, .exit_status = lc->main_status});
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
        lc_cancel_hook(lc, o, false);
        lc->state = LC_TERMINATING;
        return;
    }
    if (lc->state == LC_BACKOFF || lc->state == LC_RESTARTING) {
        terminate(lc, o); /* nothing to have a preStop for */
        return;
    }
    lc_cancel_hook(lc, o, false); /* a postStart still running */
    if (lc->state == LC_RUNNING)
        lc_set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    lc_begin_pre_stop(lc, now, o);
}

static void start_shutdown(struct lifecycle *lc, int signo, int64_t now, struct out *o) {
    lc_cancel_hook(lc, o, false); /* a postStart still running */
    lc->received_signal = signo;
    lc->deadline_ms = now + lc->cfg.grace_ms;
    lc_set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    lc->in_pre_stop = false;
    if (lc->cfg.prestop_delay_ms > 0) {
        lc->phase_end_ms = min64(now + lc->cfg.prestop_delay_ms, lc->deadline_ms);
    } else {
        lc_begin_pre_stop(lc, now, o);
    }
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
        lc_emit(o, (struct lifecycle_action){.kind = ACT_PROBES, .probes = want});
    }
}

PODINIT_HOT int64_t lifecycle_next_deadline(const struct lifecycle *lc) {
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
    return lc_app_stop_signal(lc);
}

static void on_timer(struct lifecycle *lc, int64_t now, struct out *o) {
    switch (lc->state) {
    case LC_STARTING:
        if (lc->phase_end_ms == 0 || now < lc->phase_end_ms)
            break;
        if (lc->cfg.post_start.kind == LC_HOOK_SLEEP)
            become_running(lc, o);
        else if (lc->running_hook == LC_HOOK_POST_START)
            lc_post_start_failed(lc, now, o, true);
        break;
    case LC_DRAINING:
        if (now >= lc->deadline_ms)
            kill_all(lc, now, o);
        else if (now < lc->phase_end_ms)
            break;
        else if (!lc->in_pre_stop)
            lc_begin_pre_stop(lc, now, o);
        else {
            lc_cancel_hook(lc, o, true); /* its own time limit */
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
            lc_cancel_hook(lc, o, true); /* a preStop still running */
            lc->in_pre_stop = false;
            lc->app_killed = true; /* once: then its exit, or the bounded wait */
            lc->phase_end_ms = now + LIFECYCLE_KILL_WAIT_MS;
            lc_emit(o, (struct lifecycle_action){.kind = ACT_KILL_APP, .signo = SIGKILL});
        } else if (lc->app_killed && now >= lc->phase_end_ms) {
            /* SIGKILL did not reach it: it cannot be restarted, so the
             * container stops, as after a liveness failure under Never. */
            lc_emit(o, (struct lifecycle_action){.kind = ACT_GIVE_UP, .restart_abandoned = true});
            lc->end = LC_END_UNKILLABLE;
            lc_stop_now(lc, now, o);
        } else if (lc->in_pre_stop && now >= lc->phase_end_ms) {
            lc_cancel_hook(lc, o, true); /* its own time limit (nothing, for a sleep) */
            lc_signal_to_restart(lc, o);
        }
        break;
    case LC_BACKOFF:
        if (now >= lc->phase_end_ms)
            lc_restart(lc, now, o);
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
            lc_post_start_failed(lc, now, o, false);
    } else if (ev->hook == LC_HOOK_PRE_STOP && lc->state == LC_DRAINING) {
        terminate(lc, o); /* a failed preStop is logged by the caller; shutdown goes on */
    } else if (ev->hook == LC_HOOK_PRE_STOP && lc->state == LC_RESTARTING) {
        lc_signal_to_restart(lc, o);
    }
}

/* Its main process was reaped with wait status `status`. */
static void on_main_exited(struct lifecycle *lc, int status, int64_t now, struct out *o) {
    bool up = lc->state == LC_STARTING || lc->state == LC_RUNNING;
    lc->main_exited = true;
    lc->main_status = status;
    if (up && lc->cfg.role == LC_ROLE_INIT_TASK && status == 0) {
        complete(lc, o);
    } else if (up && lc_restarts_after(lc, status, false)) {
        lc_restart_or_fail(lc, now, o);
    } else if (lc->state == LC_RESTARTING) {
        lc_restart_or_fail(lc, now, o); /* stopped for its restart */
    } else if (up) {
        lc->end = LC_END_EXITED;
        lc_stop_now(lc, now, o); /* exited on its own: stop the rest, no drain */
    } else if (lc->state == LC_DRAINING) {
        terminate(lc, o); /* nothing left to drain for */
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
            lc_emit(&o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = ev->signo});
        break;
    case EV_MAIN_EXITED: on_main_exited(lc, ev->status, now, &o); break;
    case EV_ALL_EXITED:
        if (lc->main_exited && (lc->state == LC_TERMINATING || lc->state == LC_KILLING)) {
            lc->state = LC_EXITED;
            lc_emit(&o, (struct lifecycle_action){
                         .kind = ACT_EXIT, .exit_status = lc->main_status, .hook = failed_hook(lc)});
        }
        break;
    case EV_TIMER: on_timer(lc, now, &o); break;
    case EV_HOOK_DONE: on_hook_done(lc, ev, now, &o); break;
    case EV_SHUTDOWN_NOW:
        if (lc->state == LC_STARTING || lc->state == LC_RUNNING)
            lc_stop_now(lc, now, &o);
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
            lc_liveness_failed(lc, ev->probe, now, &o); /* a startup probe past its threshold too */
        break;
    }
    sync_probes(lc, &o);
    return o.n;
}
