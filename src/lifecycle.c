/* src/lifecycle.c — shutdown as Kubernetes runs it, inside the container:
 * the first stop signal marks the pod not ready and starts the grace
 * period; the app keeps serving through the drain delay; then it gets its
 * stop signal; at the end of the grace period everything left gets SIGKILL.
 * Pure: time comes in, actions go out. */
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

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_config *cfg) {
    *lc = (struct lifecycle){.cfg = *cfg, .state = LC_RUNNING};
}

const char *lifecycle_state_name(enum lifecycle_state state) {
    static const char *const names[] = {"RUNNING", "DRAINING", "TERMINATING", "KILLING",
                                        "EXITED"};
    return state <= LC_EXITED ? names[state] : "?";
}

static int app_stop_signal(const struct lifecycle *lc) {
    if (lc->cfg.stop_signal > 0)
        return lc->cfg.stop_signal;
    return lc->received_signal > 0 ? lc->received_signal : SIGTERM;
}

/* The app gets its stop signal; from here only the deadline matters. */
static void terminate(struct lifecycle *lc, struct out *o) {
    lc->state = LC_TERMINATING;
    emit(o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = app_stop_signal(lc)});
    emit(o, (struct lifecycle_action){.kind = ACT_ARM_TIMER, .at_ms = lc->deadline_ms});
}

static void kill_all(struct lifecycle *lc, struct out *o) {
    lc->state = LC_KILLING;
    emit(o, (struct lifecycle_action){.kind = ACT_KILL_ALL, .signo = SIGKILL});
}

static void start_shutdown(struct lifecycle *lc, int signo, int64_t now, struct out *o) {
    lc->received_signal = signo;
    lc->deadline_ms = now + lc->cfg.grace_ms;
    emit(o, (struct lifecycle_action){.kind = ACT_SET_READY, .value = 0});
    if (lc->cfg.prestop_delay_ms > 0) {
        /* A drain longer than the grace ends at the deadline, in SIGKILL,
         * as a preStop that outlasts the grace does in Kubernetes. */
        int64_t end = now + lc->cfg.prestop_delay_ms;
        lc->state = LC_DRAINING;
        lc->drain_end_ms = end < lc->deadline_ms ? end : lc->deadline_ms;
        emit(o, (struct lifecycle_action){.kind = ACT_ARM_TIMER, .at_ms = lc->drain_end_ms});
    } else {
        terminate(lc, o);
    }
}

size_t lifecycle_step(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now,
                      struct lifecycle_action *actions, size_t cap) {
    struct out o = {actions, 0, cap};
    switch (ev->kind) {
    case EV_STOP_SIGNAL:
        if (lc->state == LC_RUNNING)
            start_shutdown(lc, ev->signo, now, &o);
        else if (lc->state == LC_DRAINING)
            terminate(lc, &o); /* an impatient operator is obeyed */
        else if (lc->state == LC_TERMINATING)
            emit(&o, (struct lifecycle_action){.kind = ACT_SIGNAL_APP, .signo = ev->signo});
        break;
    case EV_MAIN_EXITED:
        lc->main_exited = true;
        lc->main_status = ev->status;
        if (lc->state == LC_RUNNING) {
            /* Exited on its own: stop the rest, no drain. */
            lc->deadline_ms = now + lc->cfg.grace_ms;
            emit(&o, (struct lifecycle_action){.kind = ACT_SET_READY, .value = 0});
            terminate(lc, &o);
        } else if (lc->state == LC_DRAINING) {
            terminate(lc, &o); /* nothing left to drain for */
        }
        break;
    case EV_ALL_EXITED:
        if (lc->main_exited && lc->state != LC_EXITED) {
            lc->state = LC_EXITED;
            emit(&o, (struct lifecycle_action){.kind = ACT_EXIT, .value = lc->main_status});
        }
        break;
    case EV_TIMER:
        if ((lc->state == LC_DRAINING || lc->state == LC_TERMINATING) &&
            now >= lc->deadline_ms)
            kill_all(lc, &o);
        else if (lc->state == LC_DRAINING && now >= lc->drain_end_ms)
            terminate(lc, &o);
        break;
    }
    return o.n;
}
