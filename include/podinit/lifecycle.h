/* include/podinit/lifecycle.h — the pod lifecycle as a pure state machine.
 * It never reads the clock and makes no syscall: the caller passes the time
 * in and carries the actions out (supervisor.c). */
#ifndef PODINIT_LIFECYCLE_H
#define PODINIT_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


enum lifecycle_state {
    LC_STARTING, /* the postStart hook runs */
    LC_RUNNING,
    LC_DRAINING,    /* not ready; the drain delay, then the preStop hook */
    LC_TERMINATING, /* the app has its stop signal; waiting for everything to exit */
    LC_KILLING,     /* the grace period is over: SIGKILL, then a bounded wait */
    LC_EXITED,     /* for good; an init task that succeeded ends here at its exit */
    LC_RESTARTING, /* a probe or its postStart failed: the process is being stopped (its
                      preStop, its stop signal), to be restarted */
    LC_BACKOFF,    /* the process exited and waits for its restart */
};

enum lifecycle_restart { LC_RESTART_NEVER, LC_RESTART_ON_FAILURE, LC_RESTART_ALWAYS };

enum lifecycle_hook_id { LC_HOOK_NONE, LC_HOOK_POST_START, LC_HOOK_PRE_STOP };

/* Why the process stopped for good on its own account (and so may have
 * ended the container): the termination message and exit 3 read it. */
enum lifecycle_end {
    LC_END_NONE,          /* it did not: a stop signal, another process */
    LC_END_EXITED,        /* its own exit, not restarted */
    LC_END_LIVENESS,      /* its liveness probe failed, under Never */
    LC_END_STARTUP,       /* its startup probe failed for good, under Never */
    LC_END_POST_START,    /* its postStart hook failed, under Never: exit 3 */
    LC_END_BACKOFF_LIMIT, /* it exited past its backoffLimit */
    LC_END_UNKILLABLE,    /* SIGKILL for its restart could not reach it */
};

/* What the process is to the pod: one of `processes`, or of
 * `initProcesses`: an init task (runs to completion) or a sidecar (its
 * restart policy Always: runs beside the processes, stopped after them). */
enum lifecycle_role { LC_ROLE_APP, LC_ROLE_INIT_TASK, LC_ROLE_SIDECAR };

/* How the lifecycle sees a hook: a sleep it times itself, or a job the
 * supervisor runs (exec, httpGet) and reports back with EV_HOOK_DONE. */
struct lifecycle_hook {
    enum { LC_HOOK_ABSENT, LC_HOOK_SLEEP, LC_HOOK_JOB } kind;
    int64_t duration_ms; /* SLEEP: how long; JOB: its time limit (0: none of its own) */
};

struct lifecycle_config {
    int64_t prestop_delay_ms; /* keep serving this long after the first stop signal */
    int64_t grace_ms;         /* from the first stop signal (or the main exit) to SIGKILL */
    int stop_signal;          /* sent to the app; 0 = the signal received (SIGTERM on main exit) */
    struct lifecycle_hook post_start, pre_stop;
    enum lifecycle_restart restart;
    int64_t backoff_initial_ms; /* the first restart's delay, doubled each time */
    int64_t backoff_max_ms;     /* up to this */
    int64_t backoff_reset_ms;   /* a run this long starts the doubling over */
    int backoff_limit;          /* this many restarts in a row (no run of backoff_reset_ms
                                   between them) and the next exit is final; 0: no limit */
    unsigned probes;            /* LC_PROBE_* configured */
    int64_t liveness_grace_ms;  /* the grace of a kill its liveness probe causes; 0: grace_ms */
    int64_t startup_grace_ms;   /* the same for its startup probe */
    enum lifecycle_role role;
};

/* Probes, as bits: which are configured, and which should run. */
enum { LC_PROBE_STARTUP = 1, LC_PROBE_READINESS = 2, LC_PROBE_LIVENESS = 4 };

struct lifecycle {
    struct lifecycle_config cfg;
    enum lifecycle_state state;
    bool started;                        /* EV_STARTED seen */
    enum lifecycle_hook_id running_hook; /* a JOB hook started and not yet done */
    bool in_pre_stop; /* DRAINING: the delay is over, the preStop hook runs; RESTARTING: it runs */
    int received_signal;                 /* the stop signal that started the shutdown */
    int64_t phase_end_ms;                /* STARTING/DRAINING/BACKOFF: when the current step ends;
                                            KILLING: when the wait after SIGKILL ends */
    int64_t deadline_ms;                 /* DRAINING/TERMINATING: when the grace period ends */
    bool main_exited;
    int main_status;                    /* wait status of the main process */
    enum lifecycle_end end;             /* why it stopped on its own account, if it did */
    int restarts;                       /* how many times the process was restarted */
    int crashes;                        /* restarts since the last long-enough run */
    int64_t run_started_ms;             /* when the current run started */
    bool startup_passed;                /* this run's startup probe has passed */
    unsigned probes_running;            /* LC_PROBE_* last asked for (ACT_PROBES) */
    bool app_killed; /* RESTARTING: the grace is over, SIGKILL sent (phase_end_ms: the wait) */
};

/* How long podinit waits for the dead after the grace period's SIGKILL
 * before it exits anyway: SIGKILL may not reach everything (EPERM). */
#define LIFECYCLE_KILL_WAIT_MS 5000

struct lifecycle_event {
    enum {
        EV_STARTED,      /* the main process is running */
        EV_STOP_SIGNAL,  /* signo: a stop signal arrived */
        EV_MAIN_EXITED,  /* status: the main process was reaped */
        EV_ALL_EXITED,   /* no child is left at all */
        EV_TIMER,        /* the armed timer fired (or any wake-up at a later time) */
        EV_HOOK_DONE,    /* hook: a JOB hook finished; ok: whether it succeeded */
        EV_SHUTDOWN_NOW, /* another process ended the container: stop, no drain, no restart */
        EV_PROBE_RESULT, /* probe (LC_PROBE_*) changed to ok (passing) or not (failing) */
        EV_STOP_IN_TURN, /* a sidecar's turn to stop (the pod's processes are gone): its preStop,
                            then its stop signal (signo: the one received, 0: none); no drain;
                            deadline_ms: the shutdown's grace deadline, shared; exited: its
                            main process is gone already, so no preStop */
    } kind;
    int signo;
    int status;
    enum lifecycle_hook_id hook;
    bool ok;
    unsigned probe; /* EV_PROBE_RESULT: one LC_PROBE_* bit */
    int64_t deadline_ms;
    bool exited;
};

struct lifecycle_action {
    enum {
        ACT_SET_READY,   /* ready: the process's readiness changed */
        ACT_RUN_HOOK,    /* hook: start it (a JOB); report with EV_HOOK_DONE */
        ACT_SLEEP_HOOK,  /* hook: its sleep began, timed here (nothing runs): for the log */
        ACT_CANCEL_HOOK, /* hook: kill it (its whole process group); timed_out: why */
        ACT_SIGNAL_APP,  /* signo: to the main process (group) */
        ACT_KILL_ALL,    /* SIGKILL (signo) to everything left */
        ACT_KILL_APP,    /* SIGKILL (signo) to the process's group (a restart's grace is over) */
        ACT_BACKOFF,     /* delay_ms before restart number restart_number (for the log) */
        ACT_RESTART,     /* start the process again; then feed EV_STARTED (or its exit) */
        ACT_PROBES,      /* probes: the LC_PROBE_* that should run now (others stop) */
        ACT_GIVE_UP,     /* SIGKILL did not clear everything in the bounded wait: say so;
                            restart_abandoned: a restart is given up (else the container exits) */
        ACT_EXIT,        /* exit_status: the main wait status; hook: the hook that failed, if any */
        ACT_COMPLETED,   /* an init task succeeded (exit_status 0): the next may start */
        /* The process exited after backoff_limit restarts in a row: it has failed, no
         * restart; the container stops, as after an exit under Never (say so). */
        ACT_BACKOFF_LIMIT,
    } kind;
    int signo;
    enum lifecycle_hook_id hook;
    bool ready;
    bool timed_out;
    bool restart_abandoned;
    unsigned probes;
    int restart_number;
    int64_t delay_ms;
    int exit_status;
};

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_config *cfg);

/* Feed one event at time now_ms; writes at most cap actions into out and
 * returns how many (8 is always enough). */
size_t lifecycle_step(struct lifecycle *lc, const struct lifecycle_event *ev, int64_t now_ms,
                      struct lifecycle_action *out, size_t cap);

/* When the lifecycle next needs EV_TIMER (ms, the caller's clock), 0:
 * never. Derived from the state, so no wake-up outlives its reason; an
 * EV_TIMER at or after it always moves the state on. */
int64_t lifecycle_next_deadline(const struct lifecycle *lc);

/* The signal the process is (or would be) asked to stop with. */
int lifecycle_stop_signal(const struct lifecycle *lc);

const char *lifecycle_state_name(enum lifecycle_state state);
const char *lifecycle_hook_name(enum lifecycle_hook_id hook);

#endif
