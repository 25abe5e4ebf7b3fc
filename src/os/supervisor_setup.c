/* src/os/supervisor_setup.c — what the supervisor's rounds need before
 * the first and after the last: the process tables and the pod, the
 * signals taken over, the health endpoint; then their teardown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/lifecycle.h"
#include "podinit/log.h"
#include "podinit/setup.h"
#include "supervisor_parts.h"

/* ---- health ------------------------------------------------------------------ */

static struct health_status health_status_of(void *ctx, struct health_process *out) {
    const struct supervisor *sv = ctx;
    struct health_status st = processes_health(sv->procs, sv->n_procs, out);
    st.counters = (struct health_counters){.signals_forwarded = sv->signals_forwarded + sv->loop.relayed,
                                           .zombies_reaped = sv->reaped,
                                           .log_lines_dropped = log_lines_dropped(),
                                           .output_lines_dropped = process_output_dropped_total()};
    return st;
}

static int start_health(struct supervisor *sv) {
    const char *listen = sv->cfg->health_listen;
    char why[160];
    int rc = health_start(&sv->health, &sv->loop, listen, sv->n_procs, health_status_of, sv, why,
                          sizeof why);
    if (rc != 0) {
        log_msg(LOG_ERROR, "health.listen %s: %s", listen, why);
        return CLI_EXIT_USAGE;
    }
    log_event(LOG_INFO, &(struct log_fields){.event = "health"},
              "health endpoint on http://%s (/livez /readyz /startupz /status /metrics)", listen);
    return 0;
}

/* ---- set-up ------------------------------------------------------------------ */

int sv_setup(struct supervisor *sv, loop_signal_fn *on_signal) {
    sigset_t handled;
    /* dumb-init forwards a kill(2)ed SIGSEGV too; tini and podinit leave the
     * faults unblocked. */
    int rc = signal_state_take_over(&sv->saved, &handled, sv->persona->blocks_faults);
    if (rc < 0) {
        log_msg(LOG_ERROR, "taking over signals: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    if (sv->persona->child_gets_default_signals)
        signal_state_hand_on_defaults(&sv->saved);
    rc = loop_init(&sv->loop, &handled, on_signal, sv);
    if (rc < 0) {
        log_msg(LOG_ERROR, "signals: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    rc = setup_parent_death_signal(sv->opts->pdeath_signal);
    if (rc < 0) {
        log_msg(LOG_ERROR, "setting the parent death signal: %s", strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    setup_subreaper(sv->opts->subreaper, sv->opts->warn_subreaper);
    return sv->cfg->health_listen != NULL ? start_health(sv) : 0;
}

/* ---- the tables and their teardown ---------------------------------------------- */

int sv_build(struct supervisor *sv, const struct cli_options *opts, const struct config *cfg) {
    const struct persona *persona = persona_of(opts->persona);
    bool all = persona->runs_config_processes;
    *sv = (struct supervisor){.opts = opts,
                              .persona = persona,
                              .cfg = cfg,
                              .loop = {.epfd = -1, .sigfd = -1},
                              .no_children = true, /* until a reap says otherwise */
                              .health = {.listen_fd = -1},
                              .n_procs = all ? config_count(cfg) : 1};
    log_init(opts->persona, persona->log_level_from_config ? cfg->log_level : opts->verbosity,
             loop_now_ms(), cfg->log_json);
    sv->shared = (struct process_shared){
        .pod = &sv->pod,
        .loop = &sv->loop,
        .signals = &sv->saved,
        .signal_group = opts->signal_group,
        .new_session = persona->setsid_starts_session && opts->setsid,
        .session_note = persona->session_note,
        .named = sv->n_procs > 1,
        .listen_pid = persona->listen_pid_to_child && process_socket_activated()};
    size_t n = sv->n_procs;
    sv->procs = calloc(n, sizeof *sv->procs);
    sv->pod_procs = calloc(n, sizeof *sv->pod_procs);
    sv->pod_queue = calloc(POD_QUEUE_CAP(n), sizeof *sv->pod_queue);
    struct lifecycle_config *lcs = calloc(n, sizeof *lcs);
    int rc = 0;
    if (sv->procs == NULL || sv->pod_procs == NULL || sv->pod_queue == NULL || lcs == NULL) {
        log_msg(LOG_ERROR, "the process tables: %s", strerror(ENOMEM));
        rc = CLI_EXIT_INTERNAL;
        n = 0; /* nothing was initialised */
    }
    for (size_t i = 0; i < n; i++)
        lcs[i] = pod_lifecycle_config(cfg, &cfg->processes[i]);
    if (rc == 0)
        pod_init(&sv->pod, sv->pod_procs, lcs, n, sv->pod_queue, POD_QUEUE_CAP(n));
    free(lcs);
    for (; sv->n_inited < n && rc == 0; sv->n_inited++)
        rc = process_init(&sv->procs[sv->n_inited], &sv->shared, sv->n_inited,
                          &cfg->processes[sv->n_inited]);
    return rc;
}

void sv_teardown(struct supervisor *sv) {
    for (size_t i = 0; i < sv->n_inited; i++)
        process_free(&sv->procs[i]);
    health_stop(&sv->health);
    loop_close(&sv->loop);
    free(sv->shared.start_dir);
    free(sv->procs);
    free(sv->pod_procs);
    free(sv->pod_queue);
}
