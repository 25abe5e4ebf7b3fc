/* include/podinit/lifecycle.h — the pod lifecycle as a pure state machine.
 * It never reads the clock and makes no syscall: the caller passes the time
 * in and carries the actions out (supervisor.c). */
#ifndef PODINIT_LIFECYCLE_H
#define PODINIT_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lifecycle_state { LC_RUNNING, LC_DRAINING, LC_TERMINATING, LC_KILLING, LC_EXITED };

struct lifecycle_config {
    int64_t prestop_delay_ms; /* keep serving this long after the first stop signal */
    int64_t grace_ms;         /* from the first stop signal (or the main exit) to SIGKILL */
    int stop_signal;          /* sent to the app; 0 = the signal received (SIGTERM on main exit) */
};

struct lifecycle {
    struct lifecycle_config cfg;
    enum lifecycle_state state;
    int received_signal;  /* the stop signal that started the shutdown */
    int64_t drain_end_ms; /* DRAINING: when the drain is over */
    int64_t deadline_ms;  /* DRAINING/TERMINATING: when the grace period ends */
    bool main_exited;
    int main_status;      /* wait status of the main process */
};

struct lifecycle_event {
    enum {
        EV_STOP_SIGNAL,  /* signo: a stop signal arrived */
        EV_MAIN_EXITED,  /* status: the main process was reaped */
        EV_ALL_EXITED,   /* no child is left at all */
        EV_TIMER,        /* the armed timer fired (or any wake-up at a later time) */
    } kind;
    int signo;
    int status;
};

struct lifecycle_action {
    enum {
        ACT_SET_READY,    /* value: 1 ready, 0 not ready */
        ACT_ARM_TIMER,    /* at_ms: wake up then (the latest arm replaces earlier ones) */
        ACT_SIGNAL_APP,   /* signo: to the main process (group) */
        ACT_KILL_ALL,     /* SIGKILL to everything left */
        ACT_EXIT,         /* value: the wait status to exit with */
    } kind;
    int signo;
    int value;
    int64_t at_ms;
};

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_config *cfg);

/* Feed one event at time now_ms; writes at most cap actions into out and
 * returns how many. */
size_t lifecycle_step(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now_ms,
                      struct lifecycle_action *out, size_t cap);

const char *lifecycle_state_name(enum lifecycle_state state);

#endif
