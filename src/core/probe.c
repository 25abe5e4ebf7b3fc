/* src/probe.c — probe scheduling and thresholds, as Kubernetes counts
 * them. No I/O and no clock: the supervisor runs each check. */
#include "podinit/probe.h"

void probe_start(struct probe_state *st, const struct probe_timing *t, int64_t now) {
    *st = (struct probe_state){.active = true, .next_ms = now + t->initial_delay_ms};
}

void probe_stop(struct probe_state *st) {
    st->active = false;
    st->running = false;
}

bool probe_begin(struct probe_state *st, int64_t now) {
    if (!st->active || st->running || now < st->next_ms)
        return false;
    st->running = true;
    st->started_ms = now;
    return true;
}

enum probe_result probe_record(struct probe_state *st, const struct probe_timing *t, bool ok,
                               int64_t now) {
    if (!st->active || !st->running)
        return PROBE_UNKNOWN; /* a late result after a stop */
    st->running = false;
    /* The period counts from the start of the check, as the kubelet's
     * ticker does; a check that ran longer is followed at once. */
    st->next_ms = st->started_ms + t->period_ms;
    if (st->next_ms < now)
        st->next_ms = now;
    enum probe_result before = st->result;
    if (ok) {
        st->failures = 0;
        if (++st->successes >= t->success_threshold)
            st->result = PROBE_PASSING;
    } else {
        st->successes = 0;
        if (++st->failures >= t->failure_threshold)
            st->result = PROBE_FAILING;
    }
    return st->result != before ? st->result : PROBE_UNKNOWN;
}

int64_t probe_next_wakeup(const struct probe_state *st, const struct probe_timing *t) {
    if (!st->active)
        return 0;
    return st->running ? st->started_ms + t->timeout_ms : st->next_ms;
}
