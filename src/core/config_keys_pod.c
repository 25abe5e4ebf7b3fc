/* src/core/config_keys_pod.c — the keys of a process (its command, its
 * environment, user, signals, hooks, probes and restarts) and of the top
 * level (the pod's timing, stop signals, exit codes, log, health). */
#include "podinit/config_keys.h"

#include <stdlib.h>
#include <string.h>

#include "podinit/signals.h"
#include "podinit/text.h"

/* -- a process -- */

static void lc_post_start(struct config_walk *w, const cJSON *v, void *dst) {
    config_keys_hook(w, v, &((struct config_process *)dst)->post_start);
}

static void lc_pre_stop(struct config_walk *w, const cJSON *v, void *dst) {
    config_keys_hook(w, v, &((struct config_process *)dst)->pre_stop);
}

/* stopSignal, and lifecycle.stopSignal (KEP-4960) with the same meaning:
 * either, or both when they agree. */
static void set_stop_signal(struct config_walk *w, const cJSON *v, struct config_process *p,
                            const char *other) {
    int sig = 0;
    if (!config_walk_stop_signal(w, v, false, &sig))
        return;
    if (p->stop_signal != 0 && p->stop_signal != sig) {
        char a[32], b[32];
        config_walk_error(w, "is %s but %s is %s: give one of them",
                          signals_name(sig, a, sizeof a), other,
                          signals_name(p->stop_signal, b, sizeof b));
        return;
    }
    p->stop_signal = sig;
}

static void lc_stop_signal(struct config_walk *w, const cJSON *v, void *dst) {
    set_stop_signal(w, v, dst, "stopSignal");
}

static const struct config_key lifecycle_keys[] = {
    {"postStart", lc_post_start, NULL},
    {"preStop", lc_pre_stop, NULL},
    {"stopSignal", lc_stop_signal, NULL},
};

static void proc_lifecycle(struct config_walk *w, const cJSON *v, void *dst) {
    (void)CONFIG_WALK_ANY(w, v, lifecycle_keys, dst);
}

static void proc_name(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!config_walk_string(w, v, &p->name))
        return;
    /* It appears in logs and in /status's JSON: keep it plain. */
    if (strlen(p->name) > 63 ||
        strspn(p->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
            strlen(p->name))
        config_walk_error(w, "must be letters, digits, '-', '_' or '.' (at most 63), got \"%.64s\"",
                          p->name);
}

static void proc_command(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_argv(w, v, &((struct config_process *)dst)->command);
}

static void proc_working_dir(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (config_walk_string(w, v, &p->working_dir) && p->working_dir[0] != '/')
        config_walk_error(w, "must be an absolute path, got \"%.64s\"", p->working_dir);
}

static void proc_stop_signal(struct config_walk *w, const cJSON *v, void *dst) {
    set_stop_signal(w, v, dst, "lifecycle.stopSignal");
}

static void proc_env(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!config_walk_want_type(w, v, cJSON_IsObject(v), "an object of \"NAME\": \"value\""))
        return;
    int n = cJSON_GetArraySize(v);
    if (n > CONFIG_MAX_LIST) {
        config_walk_error(w, "has %d variables; at most %d", n, CONFIG_MAX_LIST);
        return;
    }
    p->env = calloc((size_t)n + 1, sizeof *p->env);
    if (p->env == NULL) {
        config_walk_error(w, "out of memory");
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        size_t old = config_walk_push_key(w, m->string);
        bool repeated = false;
        for (const cJSON *e = v->child; e != m; e = e->next)
            repeated = repeated || strcmp(e->string, m->string) == 0;
        if (repeated)
            config_walk_error(w, "duplicate key (given more than once)");
        else if (m->string[0] == '\0' || strchr(m->string, '=') != NULL)
            config_walk_error(w, "is not a variable name (empty, or contains '=')");
        else if (!cJSON_IsString(m))
            config_walk_error(w, "must be a string, got %s (quote numbers, as Kubernetes wants)",
                              config_walk_type_name(m));
        else {
            size_t kl = strlen(m->string), vl = strlen(m->valuestring);
            char *kv = malloc(kl + vl + 2);
            if (kv == NULL) {
                config_walk_error(w, "out of memory");
            } else {
                memcpy(kv, m->string, kl);
                kv[kl] = '=';
                memcpy(kv + kl + 1, m->valuestring, vl + 1);
                p->env[p->n_env++] = kv;
            }
        }
        config_walk_pop(w, old);
    }
}

static void proc_signal_rewrite(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!config_walk_want_type(w, v, cJSON_IsObject(v), "an object of \"SIGNAL\": \"SIGNAL\" or 0"))
        return;
    bool seen[SIGNALS_CLASSIC_MAX + 1] = {false};
    for (const cJSON *m = v->child; m; m = m->next) {
        size_t old = config_walk_push_key(w, m->string);
        int from = signals_parse(m->string), to;
        char name[32];
        if (from < 1 || from > SIGNALS_CLASSIC_MAX)
            config_walk_error(w, "\"%.64s\" is not a signal from 1 to 31", m->string);
        else if (seen[from])
            config_walk_error(w, "rewrites the same signal twice");
        else if (signals_unusable(from, false) != NULL)
            config_walk_error(w, "%s cannot be rewritten: %s",
                              signals_name(from, name, sizeof name), signals_unusable(from, false));
        else if (config_walk_signal(w, m, true, SIGNALS_CLASSIC_MAX, &to)) {
            seen[from] = true;
            p->rewrite.to[from] = (signed char)to;
        }
        config_walk_pop(w, old);
    }
}

static void proc_user(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    char why[512];
    if (config_walk_string(w, v, &p->user) && w->sys->resolve_user &&
        w->sys->resolve_user(p->user, p, why, sizeof why) != 0)
        config_walk_error(w, "%s", why);
}

static void proc_readiness(struct config_walk *w, const cJSON *v, void *dst) {
    config_keys_probe(w, v, &((struct config_process *)dst)->readiness, false);
}

static void proc_liveness(struct config_walk *w, const cJSON *v, void *dst) {
    config_keys_probe(w, v, &((struct config_process *)dst)->liveness, true);
}

static void proc_startup(struct config_walk *w, const cJSON *v, void *dst) {
    config_keys_probe(w, v, &((struct config_process *)dst)->startup, true);
}

/* -- restarts -- */

static void proc_restart_policy(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "Never") == 0)
        p->restart = RESTART_NEVER;
    else if (strcmp(v->valuestring, "OnFailure") == 0)
        p->restart = RESTART_ON_FAILURE;
    else if (strcmp(v->valuestring, "Always") == 0)
        p->restart = RESTART_ALWAYS;
    else
        config_walk_error(w, "must be Never, OnFailure or Always, got \"%.64s\"", v->valuestring);
}

static void backoff_initial(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_process *)dst)->backoff_initial_ms);
}

static void backoff_max(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_process *)dst)->backoff_max_ms);
}

static void backoff_reset(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_process *)dst)->backoff_reset_ms);
}

static const struct config_key backoff_keys[] = {{"initialSeconds", backoff_initial, NULL},
                                                 {"maxSeconds", backoff_max, NULL},
                                                 {"resetAfterSeconds", backoff_reset, NULL}};

static void proc_restart_backoff(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (CONFIG_WALK_ANY(w, v, backoff_keys, p) && p->backoff_max_ms < p->backoff_initial_ms) {
        size_t old = config_walk_push_key(w, "maxSeconds");
        config_walk_error(w, "must be at least initialSeconds");
        config_walk_pop(w, old);
    }
}

/* Kubernetes Job's name and meaning: restarts in a row before the process
 * counts as failed. Bounded like the probes' thresholds: a million
 * restarts is years of back-off, far past any use. */
static void proc_backoff_limit(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_int(w, v, 0, 1000000, &((struct config_process *)dst)->backoff_limit);
}

static void proc_output(struct config_walk *w, const cJSON *v, void *dst) {
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    int mode = output_mode_parse(v->valuestring);
    if (mode < 0)
        config_walk_error(w, "must be inherit, prefix or json, got \"%.64s\"", v->valuestring);
    else
        ((struct config_process *)dst)->output = (enum output_mode)mode;
}

static const struct config_key process_keys[] = {
    {"name", proc_name, NULL},
    {"command", proc_command, NULL},
    {"env", proc_env, NULL},
    {"workingDir", proc_working_dir, NULL},
    {"stopSignal", proc_stop_signal, NULL},
    {"signalRewrite", proc_signal_rewrite, NULL},
    {"lifecycle", proc_lifecycle, NULL},
    {"user", proc_user, NULL},
    {"restartPolicy", proc_restart_policy, NULL},
    {"restartBackoff", proc_restart_backoff, NULL},
    {"backoffLimit", proc_backoff_limit, NULL},
    {"output", proc_output, NULL},
    {"readinessProbe", proc_readiness, NULL},
    {"livenessProbe", proc_liveness, NULL},
    {"startupProbe", proc_startup, NULL},
};

/* -- the top level -- */

static void top_grace(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_seconds(w, v, &((struct config *)dst)->grace_ms);
}

static void top_prestop_delay(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_seconds(w, v, &((struct config *)dst)->prestop_delay_ms);
}

static void top_stop_signals(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!config_walk_want_type(w, v, cJSON_IsArray(v), "an array of signals"))
        return;
    if (cJSON_GetArraySize(v) == 0) {
        config_walk_error(w, "must name at least one signal");
        return;
    }
    uint64_t set = 0;
    bool ok = true;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = config_walk_push(w, "[%d]", i);
        int sig;
        if (config_walk_stop_signal(w, item, true, &sig))
            set |= UINT64_C(1) << (sig - 1);
        else
            ok = false;
        config_walk_pop(w, old);
    }
    if (ok)
        cfg->stop_signals = set;
}

static void top_success_codes(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!config_walk_want_type(w, v, cJSON_IsArray(v), "an array of exit codes"))
        return;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = config_walk_push(w, "[%d]", i);
        int code;
        if (config_walk_int(w, item, 0, 255, &code))
            cfg->success_exit_codes.bits[code / 32] |= 1u << (code % 32);
        config_walk_pop(w, old);
    }
}

static void log_format(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "text") == 0 || strcmp(v->valuestring, "json") == 0)
        cfg->log_json = v->valuestring[0] == 'j';
    else
        config_walk_error(w, "must be \"text\" or \"json\", got \"%.64s\"", v->valuestring);
}

static void log_level(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    int level = text_level_parse(v->valuestring);
    if (level >= 0) {
        cfg->log_level = level;
        return;
    }
    config_walk_error(w, "must be error, warn, info, debug or trace, got \"%.64s\"",
                      v->valuestring);
}

static const struct config_key log_keys[] = {{"format", log_format, NULL},
                                             {"level", log_level, NULL}};

static void top_log(struct config_walk *w, const cJSON *v, void *dst) {
    (void)CONFIG_WALK_ANY(w, v, log_keys, dst);
}

/* The list at processes[first..first + *n) becomes items long (the
 * initProcesses after it moved along); the new entries get the defaults.
 * false: out of memory, nothing changed. */
static bool resize_list(struct config *cfg, bool init, size_t items) {
    size_t n_apps = init ? cfg->n_processes : items, n_init = init ? items : cfg->n_init;
    size_t old_total = config_count(cfg), total = n_apps + n_init;
    struct config_process *p = cfg->processes;
    if (total > old_total && (p = realloc(p, total * sizeof *p)) == NULL)
        return false;
    cfg->processes = p;
    /* Only grows: a list is given once in a file, over the defaults. */
    if (!init && n_apps > cfg->n_processes)
        memmove(&p[n_apps], &p[cfg->n_processes], cfg->n_init * sizeof *p);
    size_t first = init ? cfg->n_processes + cfg->n_init : cfg->n_processes;
    size_t last = init ? total : n_apps;
    for (size_t i = first; i < last; i++)
        config_process_init(&p[i]);
    cfg->n_processes = n_apps;
    cfg->n_init = n_init;
    return true;
}

/* processes or initProcesses: an array of processes, parsed in place. */
static void process_list(struct config_walk *w, const cJSON *v, struct config *cfg, bool init) {
    if (!config_walk_want_type(w, v, cJSON_IsArray(v), "an array of processes"))
        return;
    int n = cJSON_GetArraySize(v);
    if (n == 0 && !init) {
        config_walk_error(w, "must list at least one process");
        return;
    }
    size_t others = init ? cfg->n_processes : cfg->n_init;
    if ((size_t)n + others > CONFIG_MAX_PROCESSES) {
        config_walk_error(w, "at most %d processes in all (processes and initProcesses)",
                          CONFIG_MAX_PROCESSES);
        return;
    }
    if ((size_t)n > (init ? cfg->n_init : cfg->n_processes) && !resize_list(cfg, init, (size_t)n)) {
        config_walk_error(w, "out of memory");
        return;
    }
    size_t base = init ? cfg->n_processes : 0;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = config_walk_push(w, "[%d]", i);
        struct config_process *p = &cfg->processes[base + (size_t)i];
        p->init = init;
        (void)CONFIG_WALK_ANY(w, item, process_keys, p);
        config_walk_pop(w, old);
    }
    if (!init)
        cfg->own_command = cfg->processes[0].command != NULL;
}

static void top_processes(struct config_walk *w, const cJSON *v, void *dst) {
    process_list(w, v, dst, false);
}

static void top_init_processes(struct config_walk *w, const cJSON *v, void *dst) {
    process_list(w, v, dst, true);
}

/* Several processes are told apart by name: each needs its own, unique
 * across processes and initProcesses. */
/* What a process is called: its name; the sole one of processes may go
 * without (a program given after --, beside initProcesses): "main". */
static const char *name_of(const struct config *cfg, size_t i) {
    const char *name = cfg->processes[i].name;
    return name == NULL && i == 0 && cfg->n_processes == 1 ? "main" : name;
}

static void check_names(struct config_walk *w, const struct config *cfg) {
    size_t n = config_count(cfg);
    for (size_t a = 0; n > 1 && a < n; a++) {
        const char *name = name_of(cfg, a);
        char at[32], other[32];
        config_process_path(cfg, a, at, sizeof at);
        size_t old = config_walk_push(w, "%s", at);
        if (name == NULL) {
            config_walk_error(w, "needs a \"name\" (there are several processes)");
        } else {
            for (size_t b = 0; b < a; b++)
                if (name_of(cfg, b) && strcmp(name_of(cfg, b), name) == 0) {
                    size_t o2 = config_walk_push_key(w, "name");
                    config_process_path(cfg, b, other, sizeof other);
                    config_walk_error(w, "\"%.64s\" is the name of %s too", name, other);
                    config_walk_pop(w, o2);
                    break;
                }
        }
        config_walk_pop(w, old);
    }
}

static void health_listen(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    char why[160];
    if (config_walk_string(w, v, &cfg->health_listen) && w->sys->check_listen &&
        w->sys->check_listen(cfg->health_listen, why, sizeof why) != 0)
        config_walk_error(w, "%s, got \"%.64s\"", why, cfg->health_listen);
}

enum { HEALTH_LISTEN, HEALTH_KEYS };
static const struct config_key health_keys[HEALTH_KEYS] = {
    [HEALTH_LISTEN] = {"listen", health_listen, NULL},
};

static void top_health(struct config_walk *w, const cJSON *v, void *dst) {
    bool given[CONFIG_KEY_COUNT(health_keys)];
    if (CONFIG_WALK_KEYS(w, v, health_keys, dst, given) && !given[HEALTH_LISTEN])
        config_walk_error(w, "needs \"listen\" (\"0.0.0.0:8086\")");
}

static void top_termination_message_path(struct config_walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (v->valuestring[0] != '\0' && v->valuestring[0] != '/') {
        config_walk_error(w, "must be an absolute path (or \"\" for none), got \"%.64s\"",
                          v->valuestring);
        return;
    }
    char *path = strdup(v->valuestring); /* "": none */
    if (path == NULL) {
        config_walk_error(w, "out of memory");
        return;
    }
    free(cfg->termination_message_path);
    cfg->termination_message_path = path;
}

static const struct config_key top_keys[] = {
    {"terminationGracePeriodSeconds", top_grace, NULL},
    {"preStopDelaySeconds", top_prestop_delay, NULL},
    {"stopSignals", top_stop_signals, NULL},
    {"successExitCodes", top_success_codes, NULL},
    {"log", top_log, NULL},
    {"processes", top_processes, NULL},
    {"initProcesses", top_init_processes, NULL},
    {"health", top_health, NULL},
    {"terminationMessagePath", top_termination_message_path, NULL},
};

void config_keys_top(struct config_walk *w, const cJSON *root, struct config *cfg) {
    (void)CONFIG_WALK_ANY(w, root, top_keys, cfg);
    check_names(w, cfg);
}
