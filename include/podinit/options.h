/* include/podinit/options.h — what the command line and the environment
 * asked for, as plain fields: the parser (cli.h) fills them in, the config
 * merge and the supervisor read them. No persona logic here: persona.h says
 * what each persona does with them. */
#ifndef PODINIT_OPTIONS_H
#define PODINIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podinit/exit_code.h"
#include "podinit/persona.h"
#include "podinit/signals.h"

/* Which of podinit's settings the command line or a PODINIT_* variable
 * gave: those win over the config file. */
enum {
    CLI_GIVEN_GRACE = 1 << 0,
    CLI_GIVEN_PRESTOP_DELAY = 1 << 1,
    CLI_GIVEN_STOP_SIGNAL = 1 << 2,
    CLI_GIVEN_STOP_SIGNALS = 1 << 3,
    CLI_GIVEN_LOG_FORMAT = 1 << 4,
    CLI_GIVEN_VERBOSITY = 1 << 5,
};

#define CLI_MAX_PROBE_HEADERS 16
#define CLI_WAIT_DEFAULT_TIMEOUT_MS 30000 /* --wait without --timeout */

struct cli_options {
    enum cli_persona persona;
    const char *invoked_as;         /* argv[0] as given, for usage lines */
    char **command;                 /* the program and its arguments; NULL in pause mode, or
                                       when the config file names it */
    int verbosity;                  /* a log threshold (see log.h), persona-specific default */
    bool subreaper;                 /* become a child subreaper when not PID 1 */
    bool warn_subreaper;            /* tini: warn when zombies cannot reach us */
    bool warn_on_reap;              /* tini -w */
    bool signal_group;              /* forward to the child's process group */
    bool setsid;                    /* dumb-init: the child gets a new session */
    bool pause;                     /* -P: no child, wait for a stop signal */
    int pdeath_signal;              /* -p, 0 = none */
    struct exit_code_remap remap;   /* -e */
    struct signals_rewrite rewrite; /* -r */
    /* The shutdown lifecycle (podinit persona only; the others keep their
     * tool's behaviour). */
    bool lifecycle;
    int64_t grace_ms;         /* --grace-period, PODINIT_GRACE_PERIOD (default 30 s) */
    int64_t prestop_delay_ms; /* --prestop-delay, PODINIT_PRESTOP_DELAY (default 0) */
    int stop_signal;          /* --stop-signal, PODINIT_STOP_SIGNAL (0: the one received) */
    uint64_t stop_signals;    /* --stop-signals: bit (s - 1) for signal s */
    bool log_json;            /* --log-format json, PODINIT_LOG_FORMAT=json */
    unsigned given;           /* CLI_GIVEN_* */
    const char *config_path;  /* --config, PODINIT_CONFIG */
    bool check;               /* --check: validate, print the effective config, exit */
    /* --probe URL or --wait URL, [--timeout S] [--header K:V]...: the probe
     * client, once or retried until it succeeds (URL checked by the parse). */
    const char *probe_url;
    const char *wait_url;
    /* --wait: 0 checks once */
    int64_t probe_timeout_ms;
    const char *probe_headers[CLI_MAX_PROBE_HEADERS]; /* "Name: value" as given */
    size_t n_probe_headers;
};

#endif
