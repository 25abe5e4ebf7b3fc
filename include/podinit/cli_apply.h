/* include/podinit/cli_apply.h — inside the command-line parser (cli.h): the
 * options every persona's table may name, the state of one parse, and what
 * each option does to struct cli_options (src/core/cli_apply.c, one small
 * handler per option). Pure. */
#ifndef PODINIT_CLI_APPLY_H
#define PODINIT_CLI_APPLY_H

#include <stdbool.h>
#include <stdio.h>

#include "podinit/options.h"
#include "podinit/persona.h"

enum cli_opt_id {
    OPT_HELP,
    OPT_VERSION,
    OPT_VERBOSE,
    OPT_SUBREAPER,
    OPT_PDEATH,
    OPT_WARN_REAP,
    OPT_GROUP,
    OPT_SINGLE_CHILD,
    OPT_REWRITE,
    OPT_REMAP,
    OPT_LICENSE,
    OPT_PAUSE,
    OPT_GRACE,
    OPT_PRESTOP_DELAY,
    OPT_STOP_SIGNAL,
    OPT_LOG_FORMAT,
    OPT_LOG_LEVEL,
    OPT_STOP_SIGNALS,
    OPT_CONFIG,
    OPT_CHECK,
    OPT_PROBE,
    OPT_TIMEOUT,
    OPT_HEADER,
    OPT_WAIT,
};
#define CLI_OPT_COUNT (OPT_WAIT + 1)

/* State of one parse: where to write, and how this persona complains. */
struct cli_parser {
    struct cli_options *opts;
    const struct persona *persona;
    FILE *out, *err;
    int pid;        /* podinit's, for the messages that carry it */
    int usage_exit; /* exit code of a usage error */
    int verbose_flags;
    bool given[CLI_OPT_COUNT]; /* options the command line set */
    int log_level;             /* --log-level / PODINIT_LOG_LEVEL, or -1 */
    bool wait;                 /* --wait is among the options: --timeout may be 0 */
};

/* What an option's handler says. */
enum cli_step {
    CLI_STEP_GO,   /* applied: go on */
    CLI_STEP_DONE, /* help, version, license: printed, exit 0 */
    CLI_STEP_BAD,  /* a bad value: the message is written, exit with usage_exit */
};

/* Apply one option, from the command line or (podinit's own long options)
 * from its PODINIT_* variable; label names the source in messages
 * ("--grace-period", "-p", "PODINIT_GRACE_PERIOD"). */
enum cli_step cli_apply(struct cli_parser *ps, enum cli_opt_id id, const char *value,
                        const char *label);

/* The environment, by the persona's rules (after the command line: it wins
 * where both speak, but for tini's TINI_VERBOSITY). */
void cli_apply_environment(struct cli_parser *ps, char **envp);

/* The value of key in envp, or NULL. */
const char *cli_env_get(char **envp, const char *key);

/* The name error messages begin with: "podinit", or argv[0]. */
const char *cli_label(const struct cli_parser *ps);

#endif
