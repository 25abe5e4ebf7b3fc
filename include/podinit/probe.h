/* include/podinit/probe.h — when a probe runs and what its results mean,
 * with Kubernetes' rules: a first run after initialDelaySeconds, then one
 * every periodSeconds; successThreshold successes in a row make it pass,
 * failureThreshold failures in a row make it fail. Pure: the caller runs
 * the check and passes the time in. */
#ifndef PODINIT_PROBE_H
#define PODINIT_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct probe_timing {
    int64_t initial_delay_ms; /* default 0 */
    int64_t period_ms;        /* default 10 s */
    int64_t timeout_ms;       /* default 1 s */
    int success_threshold;    /* default 1 */
    int failure_threshold;    /* default 3 */
};

enum probe_result { PROBE_UNKNOWN, PROBE_PASSING, PROBE_FAILING };

struct probe_state {
    bool active;             /* started and not stopped */
    bool running;            /* a check is in flight */
    int64_t next_ms;         /* when the next check is due */
    int64_t started_ms;      /* when the check in flight started */
    int successes, failures; /* in a row */
    enum probe_result result;
};

/* Start probing at now (after the initial delay). */
void probe_start(struct probe_state *st, const struct probe_timing *t, int64_t now_ms);

/* No more checks (shutdown began, or the process is gone). */
void probe_stop(struct probe_state *st);

/* Whether a check should start now; if so it is marked running. */
bool probe_begin(struct probe_state *st, int64_t now_ms);

/* The result of the check in flight (a timeout is a failure). Returns the
 * new result when it changed, else PROBE_UNKNOWN. */
enum probe_result probe_record(struct probe_state *st, const struct probe_timing *t, bool ok,
                               int64_t now_ms);

/* When the caller must wake up for this probe next: the next check, or the
 * timeout of the one in flight; 0 when inactive. */
int64_t probe_next_wakeup(const struct probe_state *st, const struct probe_timing *t);

#endif
