/* include/podinit/process.h — one configured process as the shell runs it:
 * its runs, its hook job, its probes, the signals it is sent. It carries
 * out its lifecycle's actions and posts what happened to the pod; which
 * run is reaped and what it means are the pod's and lifecycle's to say. */
#ifndef PODINIT_PROCESS_H
#define PODINIT_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "podinit/config.h"
#include "podinit/health_answer.h"
#include "podinit/hooks.h"
#include "podinit/http_client.h"
#include "podinit/lifecycle.h"
#include "podinit/loop.h"
#include "podinit/pod.h"
#include "podinit/prober.h"
#include "podinit/signal_state.h"

/* What every process shares, set once by the supervisor. */
struct process_shared {
    struct pod *pod;                     /* where events are posted */
    struct loop *loop;                   /* probes' and httpGet hooks' sockets */
    const struct signal_state *signals;  /* handed back to each child */
    bool signal_group;                   /* signals go to the process group */
    bool new_session;                    /* dumb-init's setsid: each run gets a session */
    const char *session_note;            /* the child's debug line once it has it, or NULL */
    bool named;                          /* several processes: log lines carry the name */
    bool listen_pid;                     /* socket activation: each run's LISTEN_PID its own */
    char *start_dir;                     /* where hooks run without workingDir (owned) */
};

struct proc {
    const struct process_shared *sh;
    size_t index;                     /* in the pod */
    const struct config_process *cfg;
    char **env;                       /* its environment (inherited + env), or NULL: ours */
    pid_t pid;                        /* its latest run's (0 before it starts, and in pause
                                         mode); whether that run is reaped is the pod's to say */
    struct lifecycle *lc;             /* its lifecycle, in the pod */
    /* The one hook job it may run: an exec hook's child, or an httpGet
     * hook's request; which hook it is, is the lifecycle's running_hook.
     * A cancelled child is killed and kept apart until reaped (one for
     * each hook: postStart, preStop), so its exit is never taken for the
     * next hook's, nor for an orphan's. */
    pid_t hook_pid;
    pid_t cancelled_hook_pid[2];
    struct http_client *hook_http; /* only when a hook is httpGet */
    struct hooks_context ctx;         /* env, dir, user for its hooks and exec probes */
    struct prober *prober;            /* only when it has probes (nothing configured, nothing paid) */
    struct process_output *output;    /* only with "output" prefix or json */
    unsigned long long probe_failures[PROBER_KINDS]; /* times each probe went failing */
};

/* Everything about process index that does not need the loop running.
 * Returns 0, or podinit's exit code (the failure logged). */
int process_init(struct proc *p, struct process_shared *sh, size_t index,
                 const struct config_process *c);
void process_free(struct proc *p);

/* Whether podinit was socket-activated (LISTEN_FDS set, LISTEN_PID its
 * own pid): then a child must see its own pid there to take the fds. */
bool process_socket_activated(void);

/* "main", or its configured name. */
const char *process_name(const struct proc *p);

/* "web: " before its log lines when there are several processes, else "". */
const char *process_prefix(const struct proc *p, char *buf, size_t len);

/* Its log lines' JSON fields, with (when there are several processes) its
 * name, kind and current state; the rest as given. */
#define PROCESS_LOG_FIELDS(p, ...)                                                                 \
    (&(struct log_fields){.process = (p)->sh->named ? process_name(p) : NULL,                      \
                          .kind = (p)->sh->named ? pod_process_kind((p)->sh->pod, (p)->index) : NULL, \
                          .state = (p)->sh->named ? pod_process_state((p)->sh->pod, (p)->index)     \
                                                  : NULL,                                          \
                          __VA_ARGS__})

/* Whether its latest run has been reaped. */
bool process_exited(const struct proc *p);

/* Start a run. Returns 0, or the exit code its failure means (logged). */
int process_start(struct proc *p);

/* signo, after its rewrite map, to it or its group. */
void process_forward(struct proc *p, int signo);

/* Where process_forward's kill goes: its group (-pgid) or its pid; 0 for
 * nowhere (never started, a completed init task, or reaped with no group
 * to reach: its pid may be someone else's by now). *or_else: the pid to
 * try when the group is gone (it may have left it), 0 for none. */
pid_t process_forward_target(const struct proc *p, pid_t *or_else);

/* Carry out one of its lifecycle's actions (not ACT_KILL_ALL, nor the
 * container's ACT_GIVE_UP: those span the pod). */
void process_carry_out(struct proc *p, const struct lifecycle_action *act);

/* A reaped child: true when it was this process's hook or exec probe
 * (its result posted or recorded). */
bool process_reaped_job(struct proc *p, pid_t pid, int status, int64_t now);

/* Its probes as the pod reads them. */
struct pod_probes process_probes(const struct proc *p);

/* The hooks (process_hooks.c). */
void process_run_hook(struct proc *p, enum lifecycle_hook_id id);
void process_log_sleep_hook(const struct proc *p, enum lifecycle_hook_id id);
void process_cancel_hook(struct proc *p, enum lifecycle_hook_id id, bool timed_out); /* if running */
void process_hook_reaped(struct proc *p, int status);

/* The probes (process_probes.c). */
int process_probes_init(struct proc *p);
void process_set_probes(struct proc *p, unsigned want);

/* Its output through podinit, "output": "prefix" or "json"
 * (process_output.c): two pipes, made once and kept by podinit across its
 * runs, read on the loop; each line passed on whole, or dropped and
 * counted when podinit's stdout or stderr cannot take it now (never a
 * wait). Its hooks and exec probes write into the same pipes. */
int process_output_open(struct proc *p); /* 0, or the exit code of its failure (logged) */
int process_output_watch(struct proc *p); /* on the loop, once it runs: the same */
void process_output_ended(struct proc *p); /* its run was reaped: what it wrote, to the end */
void process_output_close(struct proc *p); /* the last of it passed on, as far as it goes */
unsigned long long process_output_dropped_total(void); /* every process's, since start */

/* The processes taken together (processes.c). */

/* Whose child pid was: a process's hook or exec probe (handled, and
 * PROCESSES_JOB), the run of procs[i] (i, for the pod to be told), or none
 * of theirs (an orphan). */
enum { PROCESSES_JOB = -1, PROCESSES_NOT_OURS = -2 };
int processes_claim_reaped(struct proc *procs, size_t n, pid_t pid, int status, int64_t now);

/* signo to each process's group still running, then to everything the
 * kernel lists (children.c). */
void processes_signal_everything(const struct proc *procs, size_t n, int signo);

/* The bounded wait after SIGKILL is over: the pids left, named once. */
void processes_say_what_is_left(const struct proc *procs, size_t n);

/* What the health endpoint reports: the pod's rules over each process
 * (out[n] is the caller's). */
struct health_status processes_health(const struct proc *procs, size_t n,
                                      struct health_process *out);

/* A shutdown: signo (after procs[0]'s rewrite map) to everything left
 * once every process is gone. */
void processes_ask_what_is_left(const struct proc *procs, size_t n, int signo);

/* Every lifecycle has exited: the container's exit code (a failed
 * postStart gives CLI_EXIT_POST_START), said in the log and in the
 * termination message (cfg's terminationMessagePath). */
int processes_exit_code(const struct proc *procs, const struct config *cfg);

#endif
