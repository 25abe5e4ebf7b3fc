/* src/core/config_merge.c — the configuration as a whole: its defaults,
 * the command line merged over the file, the rules checked on the merged
 * result, the environment it gives a child, and freeing it. */
#include "podinit/config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/config_walk.h"
#include "podinit/text.h"

void config_process_init(struct config_process *p) {
    *p = (struct config_process){
        .backoff_initial_ms = 10000, /* the kubelet's CrashLoopBackOff */
        .backoff_max_ms = 300000,
        .backoff_reset_ms = 600000,
    };
    signals_rewrite_init(&p->rewrite);
}

int config_init(struct config *cfg) {
    *cfg = (struct config){
        .grace_ms = CONFIG_DEFAULT_GRACE_MS,
        .stop_signals = (UINT64_C(1) << (SIGTERM - 1)) | (UINT64_C(1) << (SIGINT - 1)),
        .log_level = LOG_INFO,
    };
    cfg->processes = malloc(sizeof *cfg->processes);
    if (cfg->processes == NULL)
        return -ENOMEM;
    cfg->n_processes = 1;
    config_process_init(&cfg->processes[0]);
    return 0;
}

/* ---- merging and rules across keys -------------------------------------- */

void config_apply_cli(struct config *cfg, const struct cli_options *o) {
    if (o->given & CLI_GIVEN_GRACE)
        cfg->grace_ms = o->grace_ms;
    if (o->given & CLI_GIVEN_PRESTOP_DELAY)
        cfg->prestop_delay_ms = o->prestop_delay_ms;
    for (size_t i = 0; i < cfg->n_processes; i++) {
        struct config_process *p = &cfg->processes[i];
        if (o->given & CLI_GIVEN_STOP_SIGNAL)
            p->stop_signal = o->stop_signal;
        for (int s = 1; s <= SIGNALS_CLASSIC_MAX; s++)
            if (o->rewrite.to[s] >= 0)
                p->rewrite.to[s] = o->rewrite.to[s];
    }
    if (o->given & CLI_GIVEN_STOP_SIGNALS)
        cfg->stop_signals = o->stop_signals;
    if (o->given & CLI_GIVEN_LOG_FORMAT)
        cfg->log_json = o->log_json;
    if (o->given & CLI_GIVEN_VERBOSITY)
        cfg->log_level = o->verbosity;
    for (size_t i = 0; i < sizeof o->remap.bits / sizeof o->remap.bits[0]; i++)
        cfg->success_exit_codes.bits[i] |= o->remap.bits[i];
    if (o->command != NULL) {
        if (cfg->own_command)
            config_free_argv(cfg->processes[0].command);
        cfg->processes[0].command = o->command;
        cfg->own_command = false;
    }
}

/* An init task runs to completion before the next starts, so, as for
 * Kubernetes' init containers, it has no probes and no hooks: those are
 * for sidecars (restartPolicy Always). */
static void init_task_rules(struct config_walk *w, const struct config_process *p,
                            const char *at) {
    const char *what = p->readiness.present                ? "readinessProbe"
                       : p->liveness.present               ? "livenessProbe"
                       : p->startup.present                ? "startupProbe"
                       : p->post_start.kind != HOOK_NONE ? "lifecycle.postStart"
                       : p->pre_stop.kind != HOOK_NONE   ? "lifecycle.preStop"
                                                           : NULL;
    if (what == NULL)
        return;
    config_walk_push(w, "%s.%s", at, what);
    config_walk_error(w, "an init task runs to completion: probes and hooks are for sidecars "
                         "(restartPolicy: Always)");
    config_walk_pop(w, 0);
}

int config_validate(const struct config *cfg, bool need_program, struct config_errors *errs) {
    size_t before = errs->count;
    static const struct config_system no_system = {0};
    struct config_walk w = {
        .file = cfg->source ? cfg->source : "podinit", .errs = errs, .sys = &no_system};
    for (size_t i = 0; i < config_count(cfg); i++) {
        const struct config_process *p = &cfg->processes[i];
        char at[64], list[32];
        config_process_path(cfg, i, list, sizeof list);
        if ((need_program || i > 0) && p->command == NULL) {
            snprintf(at, sizeof at, "%s.command", list);
            config_walk_push(&w, "%s", at);
            config_walk_error(&w, i == 0 ? "no program to run: give one after -- or here"
                                         : "no program to run");
            config_walk_pop(&w, 0);
        }
        if (p->init && p->restart != RESTART_ALWAYS)
            init_task_rules(&w, p, list);
        /* A drain and a preStop that cannot finish inside the grace
         * period would always end in SIGKILL: refuse them up front. */
        int64_t pre_stop =
            p->pre_stop.kind == HOOK_SLEEP ? p->pre_stop.sleep_ms : p->pre_stop.timeout_ms;
        if (cfg->prestop_delay_ms + pre_stop <= cfg->grace_ms || (pre_stop == 0 && i > 0))
            continue;
        char a[32], b[32], c[32];
        text_seconds(cfg->prestop_delay_ms, a, sizeof a);
        text_seconds(pre_stop, b, sizeof b);
        text_seconds(cfg->grace_ms, c, sizeof c);
        if (pre_stop > 0) {
            snprintf(at, sizeof at, "%s.lifecycle.preStop", list);
            config_walk_push(&w, "%s", at);
            config_walk_error(&w,
                              "preStopDelaySeconds (%s) + preStop (%s) is longer than "
                              "terminationGracePeriodSeconds (%s)",
                              a, b, c);
        } else {
            config_walk_push(&w, "preStopDelaySeconds");
            config_walk_error(&w, "%s is longer than terminationGracePeriodSeconds (%s)", a, c);
        }
        config_walk_pop(&w, 0);
    }
    return (int)(errs->count - before);
}

/* ---- the child's environment --------------------------------------------- */

static bool same_name(const char *a, const char *b) {
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    return la == lb && strncmp(a, b, la) == 0;
}

char **config_environment(const struct config_process *p, char **base) {
    size_t nb = 0;
    while (base && base[nb])
        nb++;
    char **env = calloc(nb + p->n_env + 1, sizeof *env);
    if (env == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < nb; i++) {
        bool replaced = false;
        for (size_t j = 0; j < p->n_env && !replaced; j++)
            replaced = same_name(base[i], p->env[j]);
        if (!replaced)
            env[n++] = base[i];
    }
    for (size_t j = 0; j < p->n_env; j++)
        env[n++] = p->env[j];
    return env;
}

static void hook_free(struct config_hook *h) {
    config_free_argv(h->command);
    free(h->host);
    free(h->path);
    for (size_t i = 0; i < h->n_headers; i++) {
        free(h->headers[i].name);
        free(h->headers[i].value);
    }
    free(h->headers);
}

void config_process_path(const struct config *cfg, size_t i, char *buf, size_t len) {
    if (i < cfg->n_processes)
        snprintf(buf, len, "processes[%zu]", i);
    else
        snprintf(buf, len, "initProcesses[%zu]", i - cfg->n_processes);
}

void config_free(struct config *cfg) {
    for (size_t k = 0; cfg->processes != NULL && k < config_count(cfg); k++) {
        struct config_process *p = &cfg->processes[k];
        free(p->name);
        if (k > 0 || cfg->own_command)
            config_free_argv(p->command); /* processes[0]'s may be the command line's */
        for (size_t i = 0; i < p->n_env; i++)
            free(p->env[i]);
        free(p->env);
        free(p->working_dir);
        free(p->user);
        free(p->groups);
        hook_free(&p->post_start);
        hook_free(&p->pre_stop);
        hook_free(&p->readiness.check);
        hook_free(&p->liveness.check);
        hook_free(&p->startup.check);
    }
    free(cfg->health_listen);
    free(cfg->termination_message_path);
    free(cfg->processes);
    *cfg = (struct config){0};
}
