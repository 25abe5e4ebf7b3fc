/* include/podinit/config.h — the effective configuration: a JSON file
 * (parsed with cJSON, checked key by key), the PODINIT_* environment and the
 * command line, merged in that order of increasing precedence. Loaded once
 * at start into plain structs; the JSON tree does not outlive the load.
 * The parsing, merging and rules are pure (src/core/config_*.c); reading the
 * file and asking the system about users and addresses is src/os/config_file.c. */
#ifndef PODINIT_CONFIG_H
#define PODINIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "podinit/options.h"
#include "podinit/exit_code.h"
#include "podinit/http_message.h"
#include "podinit/output_line.h"
#include "podinit/probe.h"
#include "podinit/signals.h"

/* A handler: a lifecycle hook (Kubernetes' LifecycleHandler) is exec, sleep
 * or httpGet; a probe's check is exec, httpGet or tcpSocket. */
enum config_hook_kind { HOOK_NONE, HOOK_EXEC, HOOK_SLEEP, HOOK_HTTP_GET, HOOK_TCP_SOCKET };

struct config_hook {
    enum config_hook_kind kind;
    char **command;   /* exec: NULL-terminated argv */
    int64_t sleep_ms; /* sleep */
    char *host;       /* httpGet: default 127.0.0.1 */
    int port;         /* httpGet: 1..65535 */
    char *path;       /* httpGet: default "/" */
    struct http_header *headers;
    size_t n_headers;
    int64_t timeout_ms; /* podinit's timeoutSeconds; 0 = the default (see docs) */
};

/* A probe: a check (exec, httpGet or tcpSocket; check.host/port for
 * tcpSocket too) and Kubernetes' timing fields. */
struct config_probe {
    struct config_hook check;
    bool present;
    struct probe_timing timing;
    int64_t grace_ms; /* liveness, startup: terminationGracePeriodSeconds of the kill it causes
                         (KEP-2238); 0: the pod's */
};

struct config_process {
    char *name;
    char **command; /* NULL-terminated; from the file or the command line */
    char **env;     /* "K=V" strings added to (or replacing in) the inherited environment */
    size_t n_env;
    char *working_dir; /* NULL: the caller's */
    int stop_signal;   /* stopSignal or lifecycle.stopSignal; 0: the stop signal received */
    char *user;        /* as given ("1000:1000", "www-data", "app:staff"), or NULL */
    uid_t uid;         /* resolved at load, when user is set */
    gid_t gid;
    gid_t *groups; /* its supplementary groups, n_groups of them (0: none) */
    size_t n_groups;
    struct signals_rewrite rewrite;
    struct config_hook post_start, pre_stop;
    struct config_probe readiness, liveness, startup;
    enum { RESTART_NEVER, RESTART_ON_FAILURE, RESTART_ALWAYS } restart;
    int64_t backoff_initial_ms, backoff_max_ms, backoff_reset_ms; /* 10 s, 300 s, 600 s */
    bool init; /* listed in initProcesses: an init task, or a sidecar under restartPolicy Always */
    int backoff_limit; /* backoffLimit: restarts in a row, then the exit is final; 0: no limit */
    enum output_mode output; /* its stdout and stderr: inherited, or through podinit */
};

/* How many processes (processes and initProcesses together) one podinit
 * runs, at most: each costs PID 1 its tables and, with probes, its timers. */
#define CONFIG_MAX_PROCESSES 64

/* Kubernetes' terminationGracePeriodSeconds default. */
#define CONFIG_DEFAULT_GRACE_MS 30000

struct config {
    const char *source; /* the file's name, or NULL */
    int64_t grace_ms;
    int64_t prestop_delay_ms;
    uint64_t stop_signals; /* bit (s - 1) for signal s */
    struct exit_code_remap success_exit_codes;
    bool log_json;
    int log_level;       /* enum log_level */
    char *health_listen; /* "ADDR:PORT" of the health endpoint, or NULL (off) */
    char *termination_message_path; /* NULL: TERMINATION_DEFAULT_PATH; "": none */
    /* processes[0..n_processes) are `processes` (processes[0] is the main
     * one), then processes[n_processes..n_processes + n_init) are
     * `initProcesses`, in their order: one allocation, sized by the file. */
    struct config_process *processes;
    size_t n_processes; /* at least 1 */
    size_t n_init;
    bool own_command; /* processes[0].command was allocated by the load */
};

/* Every process, initProcesses included. */
static inline size_t config_count(const struct config *cfg) {
    return cfg->n_processes + cfg->n_init;
}

/* The postStart timeout when timeoutSeconds is not given. */
#define CONFIG_POST_START_TIMEOUT_MS 30000

/* Errors are collected, not stopped at the first: one line each, "FILE:
 * PATH: what is wrong". */
struct config_errors {
    char *text;
    size_t len, cap;
    size_t count;
};

void config_errors_free(struct config_errors *errs);

/* Defaults: grace 30 s, no drain, stop signals TERM and INT, text at info,
 * one process. Returns 0, or -ENOMEM (then cfg has no process). */
int config_init(struct config *cfg);

/* A process's defaults (back-off 1 s doubling to 300 s, reset after 600 s). */
void config_process_init(struct config_process *p);

/* What parsing asks of the system, handed in by the caller so that the
 * parser stays pure: config_parse gives the real answers (src/os/config_file.c),
 * a test may give its own. A NULL member (or a NULL sys) accepts what it
 * would check. */
struct config_system {
    /* "USER[:GROUP]" into p->uid, gid, groups and n_groups; 0, or -1 with
     * the reason in why. */
    int (*resolve_user)(const char *spec, struct config_process *p, char *why, size_t len);
    /* host is an IP address or localhost (podinit does no DNS). */
    bool (*is_address)(const char *host);
    /* The health endpoint's "ADDR:PORT"; 0, or -1 with the reason in why. */
    int (*check_listen)(const char *spec, char *why, size_t len);
    /* An httpGet check's request fits in HTTP_REQUEST_MAX bytes. */
    bool (*request_fits)(const char *host, int port, const char *path,
                         const struct http_header *headers, size_t n_headers);
};

/* Parse JSON text (name is used in messages), asking sys what only the
 * system knows. Returns 0, or the number of errors added to errs. *cfg holds
 * what was valid; free it either way. */
int config_parse_text(const char *name, const char *text, size_t len,
                      const struct config_system *sys, struct config *cfg,
                      struct config_errors *errs);

/* config_parse_text with the real system: /etc/passwd, /etc/group, and
 * addresses and requests as http.c, health.c and http_message.c make them. */
int config_parse(const char *name, const char *text, size_t len, struct config *cfg,
                 struct config_errors *errs);

/* Read path (bounded size) and parse it. */
int config_load_file(const char *path, struct config *cfg, struct config_errors *errs);

/* The command line and PODINIT_* values (those opts says were given) win
 * over the file; -r entries win per signal, -e codes join successExitCodes. */
void config_apply_cli(struct config *cfg, const struct cli_options *opts);

/* Rules across keys, checked on the merged result: a program to run (when
 * need_program), a drain and preStop that fit in the grace period. Returns
 * the number of errors. */
int config_validate(const struct config *cfg, bool need_program, struct config_errors *errs);

/* The effective configuration as JSON (defaults filled in), newline-ended. */
int config_print(const struct config *cfg, FILE *out);

/* The environment a child of process gets: base with process->env applied.
 * A NULL-terminated array whose strings belong to base or to the config;
 * free the array itself. NULL when out of memory. */
char **config_environment(const struct config_process *process, char **base);

void config_free(struct config *cfg);

/* Where processes[i] is in the file: "processes[2]", "initProcesses[0]". */
void config_process_path(const struct config *cfg, size_t i, char *buf, size_t len);

#endif
