/* src/core/lifecycle_restart.c — a process's restarts (lifecycle.h):
 * whether its policy restarts it, the back-off and its limit, and the
 * kubelet's killContainer when a probe or its postStart fails. The steps
 * it shares with lifecycle.c are in lifecycle_steps.h. Pure. */
#include "podinit/lifecycle.h"

#include <signal.h>

#include "lifecycle_steps.h"

/* Whether a process that exited with wait status `status` is restarted.
 * A liveness stop counts as a failure. */
bool lc_restarts_after(const struct lifecycle *lc, int status, bool liveness) {
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

void lc_enter_backoff(struct lifecycle *lc, int64_t now, struct out *o) {
    lc_cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        lc_set_ready(lc, o, false);
    int64_t delay = backoff_delay(lc);
    lc->state = LC_BACKOFF;
    lc->phase_end_ms = now + delay;
    lc_emit(o, (struct lifecycle_action){
                .kind = ACT_BACKOFF, .delay_ms = delay, .restart_number = lc->restarts + 1});
}

/* The process exited and its policy restarts it: a run that lasted
 * backoff_reset_ms starts the count over; backoff_limit restarts in a row
 * and this exit is final, as under Never (Kubernetes Job's backoffLimit). */
void lc_restart_or_fail(struct lifecycle *lc, int64_t now, struct out *o) {
    if (now - lc->run_started_ms >= lc->cfg.backoff_reset_ms)
        lc->crashes = 0;
    if (lc->cfg.backoff_limit > 0 && lc->crashes >= lc->cfg.backoff_limit) {
        lc_emit(o, (struct lifecycle_action){.kind = ACT_BACKOFF_LIMIT});
        lc->end = LC_END_BACKOFF_LIMIT;
        lc_stop_now(lc, now, o);
        return;
    }
    lc_enter_backoff(lc, now, o);
}

/* A run counts from the restart: one that never starts (exec failed) is
 * a short run, not one as long as the back-off before it. */
void lc_restart(struct lifecycle *lc, int64_t now, struct out *o) {
    lc->restarts++;
    lc->run_started_ms = now;
    lc->startup_passed = false;
    lc->in_pre_stop = false;
    lc->state = LC_STARTING;
    lc->started = false;
    lc->main_exited = false;
    lc->phase_end_ms = 0;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_RESTART});
}

/* RESTARTING: its preStop is over (or there is none): the stop signal. */
void lc_signal_to_restart(struct lifecycle *lc, struct out *o) {
    lc->in_pre_stop = false;
    lc_emit(o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = lc_app_stop_signal(lc)});
}

/* Stop the process to restart it, as the kubelet's killContainer does:
 * its preStop hook, then its stop signal, SIGKILL to its group when
 * grace_ms is over; restarted (back-off) once it is gone. No drain: the
 * drain is for a stop someone asked for, while the container's endpoints
 * are taken out; this process alone has failed, and is not ready already. */
static void kill_to_restart(struct lifecycle *lc, int64_t now, int64_t grace_ms, struct out *o) {
    lc_cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        lc_set_ready(lc, o, false);
    lc->state = LC_RESTARTING;
    lc->app_killed = false;
    lc->in_pre_stop = false;
    lc->deadline_ms = now + grace_ms;
    if (!lc_pre_stop(lc, now, o))
        lc_signal_to_restart(lc, o);
}

/* The process failed its liveness probe (or its startup probe for good):
 * killed as the kubelet kills it, within that probe's own grace if it has
 * one; restarted under its policy, else the container stops. */
void lc_liveness_failed(struct lifecycle *lc, unsigned probe, int64_t now, struct out *o) {
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
    lc->end = probe == LC_PROBE_STARTUP ? LC_END_STARTUP : LC_END_LIVENESS;
    lc_cancel_hook(lc, o, false);
    if (lc->state == LC_RUNNING)
        lc_set_ready(lc, o, false);
    lc->state = LC_DRAINING;
    lc->deadline_ms = now + grace;
    lc_begin_pre_stop(lc, now, o);
}


/* Under a restart policy, as the kubelet's killContainer: stopped (its
 * preStop, its stop signal, the grace) and restarted with the back-off;
 * under Never the container stops, exit 3. */
void lc_post_start_failed(struct lifecycle *lc, int64_t now, struct out *o, bool timed_out) {
    lc_cancel_hook(lc, o, timed_out);
    if (lc->cfg.restart != LC_RESTART_NEVER) {
        kill_to_restart(lc, now, lc->cfg.grace_ms, o);
        return;
    }
    lc->end = LC_END_POST_START;
    lc_stop_now(lc, now, o);
}
