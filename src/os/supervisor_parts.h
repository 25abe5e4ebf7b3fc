/* src/os/supervisor_parts.h — the supervisor's state, shared by
 * supervisor.c (the rounds of the loop) and supervisor_setup.c (its
 * tables, the signals taken over, the health endpoint, the teardown);
 * private to them (the module's header is include/podinit/supervisor.h). */
#ifndef PODINIT_SUPERVISOR_PARTS_H
#define PODINIT_SUPERVISOR_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "podinit/config.h"
#include "podinit/health.h"
#include "podinit/loop.h"
#include "podinit/options.h"
#include "podinit/persona.h"
#include "podinit/pod.h"
#include "podinit/process.h"
#include "podinit/signal_state.h"
#include "podinit/signals.h"

struct supervisor {
    const struct cli_options *opts;
    const struct persona *persona; /* what the tool podinit stands in for does differently */
    const struct config *cfg;
    struct signal_state saved;
    bool saw_sigchld;    /* in this round of the loop */
    bool settled;        /* the last round changed nothing: the deadline asked before holds */
    bool no_children;    /* the last reap found none at all */
    bool stop_requested; /* pause mode: a stop signal arrived */
    bool ignore_once[SIGNALS_CLASSIC_MAX + 1]; /* dumb-init: the tty hand-off HUP/CONT */
    uint64_t plain_signals; /* bit signo - 1: taken over and only ever forwarded
                             * (set once, from the config) */
    struct health health;
    struct loop loop; /* the signals, the deadline, the sockets */
    struct process_shared shared;
    struct proc *procs; /* n_procs of each, sized by the config */
    size_t n_procs;
    /* The processes as one container: their lifecycles, the shutdown, the
     * events waiting to be fed (never fed from inside an action). */
    struct pod pod;
    struct pod_process *pod_procs;
    struct pod_item *pod_queue;
    unsigned long long signals_forwarded, reaped; /* for /metrics (and loop.relayed) */
    size_t n_inited;                              /* procs process_init was called on (to free) */
};

/* sv for opts and cfg: the log, the process tables, the pod, each
 * process's set-up. 0, or podinit's exit code (sv_teardown still due). */
int sv_build(struct supervisor *sv, const struct cli_options *opts, const struct config *cfg);

/* The signals taken over (read by on_signal through the loop), the parent
 * death signal, the subreaper, the health endpoint. 0 or an exit code. */
int sv_setup(struct supervisor *sv, loop_signal_fn *on_signal);

/* Everything sv_build and sv_setup made, freed or closed. */
void sv_teardown(struct supervisor *sv);

#endif
