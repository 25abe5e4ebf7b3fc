/* include/podinit/pod.h — the pod: every configured process's lifecycle
 * run as one container. Pure, like the lifecycle: the shell posts what
 * happened (a stop signal, a process reaped, a hook's or probe's result,
 * the time), takes the actions out one event at a time with pod_next, and
 * carries them out. The pod holds the rules that span processes: the start
 * order (init tasks one after another, sidecars each once started, then
 * the processes), who ended the container (its shutdown cause), that the
 * others then stop at once and the sidecars after them in reverse order,
 * what is left once every process is gone, the container's exit code and
 * the readiness the health endpoint reports. */
#ifndef PODINIT_POD_H
#define PODINIT_POD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podinit/config.h"
#include "podinit/exit_code.h"
#include "podinit/lifecycle.h"

/* The events one process can have queued at once, with room to spare:
 * a start, a stop signal, a shutdown, a hook's end, three probe results,
 * its exit and the timer. */
#define POD_QUEUE_PER_PROCESS 16
/* The queue a pod of n processes needs (a stop signal's own entry too). */
#define POD_QUEUE_CAP(n) ((n)*POD_QUEUE_PER_PROCESS + 4)

struct pod_process {
    struct lifecycle lc;
    bool exit_pending; /* reaped: EV_MAIN_EXITED is fed in the round's exits step */
    int exit_status;   /* its wait status, while exit_pending */
    bool launched;     /* the shell started its first run (pod_launched) */
    bool gate_open;    /* a sidecar: it has started (its startupProbe passed), once */
    bool stop_asked;   /* a sidecar: its turn to stop came (EV_STOP_IN_TURN) */
};

/* A queued event: for procs[proc], or for the pod itself (proc < 0). */
struct pod_item {
    int proc;
    struct lifecycle_event ev;
};

/* Where a round (pod_end_round) is: the events queued are always fed
 * first; then the exits found while reaping, the timer, and the rules
 * over every process. */
enum pod_round { POD_ROUND_IDLE, POD_ROUND_EXITS, POD_ROUND_TIMER, POD_ROUND_SETTLE };

struct pod {
    struct pod_process *procs;
    size_t n;
    struct pod_item *queue; /* a ring of queue_cap items */
    size_t queue_cap, head, len;
    size_t dropped;  /* events lost to a full queue: a bug, for the shell to say */
    bool shutdown;   /* the container is stopping */
    int cause;       /* the process that ended it, -1: a stop signal (or not yet) */
    bool left_asked; /* everything left had the stop signal, once every process was gone */
    bool killed_all; /* the grace period's SIGKILL went out (said once) */
    bool gave_up;    /* the bounded wait after SIGKILL ended (said once) */
    enum pod_round round;
    bool timer_due, none_left; /* of the current round */
    int64_t stop_deadline_ms;  /* the shutdown's grace deadline, which the sidecars share */
    int stop_signo;            /* the stop signal that began it (0: a process ended it) */
};

struct pod_action {
    enum {
        POD_ACT_PROCESS,          /* act, for procs[proc] */
        POD_ACT_KILL_EVERYTHING,  /* SIGKILL to everything left, again: orphans adopted since */
        POD_ACT_ASK_WHAT_IS_LEFT, /* signo (before procs[0]'s rewrite map) to everything left */
    } kind;
    size_t proc;
    struct lifecycle_action act;
    int signo;
};

/* The most actions one pod_next returns. */
#define POD_MAX_ACTIONS 8

/* procs[n] and queue[POD_QUEUE_CAP(n)] are the caller's; cfgs[i] configures
 * procs[i]. */
void pod_init(struct pod *pod, struct pod_process *procs, const struct lifecycle_config *cfgs,
              size_t n, struct pod_item *queue, size_t queue_cap);

/* Queue ev for procs[proc] (EV_STARTED, EV_HOOK_DONE, EV_PROBE_RESULT, or
 * EV_MAIN_EXITED when a restart could not start it). */
void pod_post(struct pod *pod, size_t proc, struct lifecycle_event ev);

/* Queue ev for every process, in order. */
void pod_post_all(struct pod *pod, struct lifecycle_event ev);

/* The process the shell should start now, POD_NONE when none: the next of
 * the order (initProcesses, each once the one before has completed, for
 * an init task, or has started, for a sidecar; then all of processes),
 * never during a shutdown. The shell starts it, says so (pod_launched) and
 * posts EV_STARTED, or EV_MAIN_EXITED with the start's failure. */
#define POD_NONE SIZE_MAX
size_t pod_next_start(const struct pod *pod);
void pod_launched(struct pod *pod, size_t proc);

/* A stop signal arrived: the shutdown begins (cause: the signal) or goes
 * on; every process gets it, and once every process is gone, what is left
 * gets it too. */
void pod_stop_signal(struct pod *pod, int signo);

/* procs[proc]'s main process was reaped with wait status `status`. */
void pod_exited(struct pod *pod, size_t proc, int status);

/* The shell has reaped all it could: feed the exits, then EV_TIMER (when
 * the deadline had come), then apply the rules over every process.
 * none_left: the kernel says no child at all is left. */
void pod_end_round(struct pod *pod, bool timer_due, bool none_left);

/* Whether a round (pod_end_round with these, then pod_next) would do
 * nothing: no event queued, no exit to feed, no timer, no shutdown, no
 * process being killed, children left. A round that only forwarded
 * signals is such a round: the shell skips it, and its deadline query,
 * since nothing they derive from has changed. */
bool pod_round_idle(const struct pod *pod, bool timer_due, bool none_left);

/* Feed the next queued event (or round step) at now; writes its actions
 * into out (cap >= POD_MAX_ACTIONS) and returns how many, 0 once there is
 * nothing left to feed. The shell carries them out before the next call,
 * posting what they produce. */
size_t pod_next(struct pod *pod, int64_t now, struct pod_action *out, size_t cap);

/* Every process's lifecycle has exited: the container is done. */
bool pod_done(const struct pod *pod);

/* When the pod next needs EV_TIMER (the earliest lifecycle's), 0: never. */
int64_t pod_next_deadline(const struct pod *pod);

/* The process whose status is the container's: the one that ended it, or
 * procs[0] after an external stop (the init process last started, when
 * the stop came before the processes started). */
size_t pod_cause(const struct pod *pod);

/* The container's exit code once pod_done: the cause's status (128+N for
 * signal N; codes in success become 0), exit_post_start when its postStart
 * failed. */
int pod_exit_code(const struct pod *pod, const struct exit_code_remap *success,
                  int exit_post_start);

/* A process's probes as the prober sees them (LC_PROBE_* bits). */
struct pod_probes {
    unsigned configured, passing, failing;
};

struct pod_health {
    bool live, ready, started;
};

/* What the health endpoint reports for procs[proc]; running: its main
 * process is alive (started, not reaped). */
struct pod_health pod_process_health(const struct pod *pod, size_t proc, bool running,
                                     struct pod_probes probes);

/* Whether procs[proc] reports itself ready: RUNNING (its lifecycle's
 * readiness; probes and liveness come on top in pod_process_health). */
bool pod_process_ready(const struct pod *pod, size_t proc);

/* Whether procs[proc]'s current run has been reaped (fed or not yet). */
bool pod_process_exited(const struct pod *pod, size_t proc);

/* The wait status of procs[proc]'s last exit. */
int pod_process_last_status(const struct pod *pod, size_t proc);

/* Whether procs[proc] has exited at least once (its last exit: its
 * lifecycle's main_status). */
bool pod_process_has_exited(const struct pod *pod, size_t proc);

/* What /status and the log call procs[proc]: its kind ("process", "init",
 * "sidecar") and its state (the lifecycle's, "WAITING" before its start,
 * "COMPLETED" for an init task that succeeded). */
const char *pod_process_kind(const struct pod *pod, size_t proc);
/* An init task that exited 0: done for good, its group killed. */
bool pod_process_completed(const struct pod *pod, size_t proc);
const char *pod_process_state(const struct pod *pod, size_t proc);

/* What signo, arriving at podinit, asks of the pod (pod_config.c): a stop
 * with signo itself when it is one of stopSignals; a stop with SIGTERM when
 * it is some process's own stop signal (the image's STOPSIGNAL, which
 * Docker and the kubelet send to stop a container: that process gets its
 * stop signal, the others their usual SIGTERM); 0 when it is no stop, to
 * be forwarded. */
int pod_stop_request(const struct config *cfg, int signo);

/* How the lifecycle of configured process c sees it (pod_config.c). */
struct lifecycle_config pod_lifecycle_config(const struct config *cfg,
                                             const struct config_process *c);

#endif
