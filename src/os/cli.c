/* src/cli.c — the command line and environment of every persona. Pure: it
 * reads argv and envp, writes help and errors to the streams it is given,
 * and starts nothing. */
#include "podinit/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/config.h"
#include "podinit/log.h"
#include "podinit/usage.h"

enum opt_id {
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
};
#define OPT_COUNT (OPT_HEADER + 1)

struct opt_spec {
    char short_name;       /* 0: long only */
    const char *long_name; /* NULL: short only */
    bool takes_value;
    enum opt_id id;
};

static const struct opt_spec podinit_opts[] = {
    {'h', "help", false, OPT_HELP},
    {'V', "version", false, OPT_VERSION},
    {'v', "verbose", false, OPT_VERBOSE},
    {'s', "subreaper", false, OPT_SUBREAPER},
    {'p', "pdeath-signal", true, OPT_PDEATH},
    {'w', "warn-on-reap", false, OPT_WARN_REAP},
    {'g', "process-group", false, OPT_GROUP},
    {'c', "single-child", false, OPT_SINGLE_CHILD},
    {'r', "rewrite", true, OPT_REWRITE},
    {'e', "remap-exit", true, OPT_REMAP},
    {'l', "license", false, OPT_LICENSE},
    {'L', NULL, false, OPT_LICENSE},
    {'P', "pause", false, OPT_PAUSE},
    {0, "grace-period", true, OPT_GRACE},
    {0, "prestop-delay", true, OPT_PRESTOP_DELAY},
    {0, "stop-signal", true, OPT_STOP_SIGNAL},
    {0, "log-format", true, OPT_LOG_FORMAT},
    {0, "log-level", true, OPT_LOG_LEVEL},
    {0, "stop-signals", true, OPT_STOP_SIGNALS},
    {0, "config", true, OPT_CONFIG},
    {0, "check", false, OPT_CHECK},
    {0, "probe", true, OPT_PROBE},
    {0, "timeout", true, OPT_TIMEOUT},
    {0, "header", true, OPT_HEADER},
    {0, NULL, false, 0},
};

static const struct opt_spec tini_opts[] = {
    {'h', NULL, false, OPT_HELP},       {'s', NULL, false, OPT_SUBREAPER},
    {'p', NULL, true, OPT_PDEATH},      {'v', NULL, false, OPT_VERBOSE},
    {'w', NULL, false, OPT_WARN_REAP},  {'g', NULL, false, OPT_GROUP},
    {'e', NULL, true, OPT_REMAP},       {'l', NULL, false, OPT_LICENSE},
    {0, "version", false, OPT_VERSION}, {0, NULL, false, 0},
};

static const struct opt_spec dumb_init_opts[] = {
    {'h', "help", false, OPT_HELP},       {'c', "single-child", false, OPT_SINGLE_CHILD},
    {'r', "rewrite", true, OPT_REWRITE},  {'v', "verbose", false, OPT_VERBOSE},
    {'V', "version", false, OPT_VERSION}, {0, NULL, false, 0},
};

static const struct opt_spec catatonit_opts[] = {
    {'g', NULL, false, OPT_GROUP},        {'h', NULL, false, OPT_HELP},
    {'L', NULL, false, OPT_LICENSE},      {'P', NULL, false, OPT_PAUSE},
    {'V', "version", false, OPT_VERSION}, {0, NULL, false, 0},
};

static bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum cli_persona cli_persona_of(const char *argv0) {
    if (argv0 == NULL)
        return PERSONA_PODINIT;
    const char *name = text_base_name(argv0);
    if (starts_with(name, "tini") || starts_with(name, "docker-init"))
        return PERSONA_TINI;
    if (starts_with(name, "dumb-init"))
        return PERSONA_DUMB_INIT;
    if (starts_with(name, "catatonit") || starts_with(name, "podman-init"))
        return PERSONA_CATATONIT;
    return PERSONA_PODINIT;
}

static const char *env_get(char **envp, const char *key) {
    size_t klen = strlen(key);
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=')
            return *e + klen + 1;
    return NULL;
}

/* State of one parse: where to write, and how this persona complains. */
struct parser {
    struct cli_options *opts;
    FILE *out, *err;
    int usage_exit; /* exit code of a usage error */
    int verbose_flags;
    bool given[OPT_COUNT]; /* options the command line set */
    int log_level;         /* --log-level / PODINIT_LOG_LEVEL, or -1 */
};

/* "text" or "json" into *json. Returns 0 or -1. */
static int parse_log_format(const char *text, bool *json) {
    if (strcmp(text, "text") == 0 || strcmp(text, "json") == 0) {
        *json = text[0] == 'j';
        return 0;
    }
    return -1;
}

/* Seconds as a plain decimal number >= 0 ("30", "0.2"; no sign, exponent
 * or hex), at most a year, into milliseconds rounded to the nearest. Parsed
 * by hand: strtod would pull floating point into the static build. Returns
 * 0 or -1. */
static int parse_seconds(const char *text, int64_t *ms) {
    if (text == NULL || text[0] == '\0' || strspn(text, "0123456789.") != strlen(text) ||
        strchr(text, '.') != strrchr(text, '.') || strcmp(text, ".") == 0)
        return -1;
    const int64_t year_s = 365 * 24 * 3600;
    int64_t whole = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > year_s)
            return -1;
    }
    int64_t frac = 0;
    int digits = 0;
    if (*p == '.') {
        for (p++; *p != '\0'; p++, digits++) {
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
            else if (digits == 3 && *p >= '5')
                frac++; /* round half up on the fourth decimal */
        }
    }
    for (; digits < 3; digits++)
        frac *= 10;
    int64_t total = whole * 1000 + frac;
    if (total > year_s * 1000)
        return -1;
    *ms = total;
    return 0;
}

/* "TERM,INT" into a bit set (bit s-1 for signal s): signals podinit can
 * receive and act on. Returns 0, or -1 with *bad the first signal it cannot
 * take (0 when the text names none). */
static int parse_stop_signals(const char *text, uint64_t *set, int *bad) {
    uint64_t bits = 0;
    char name[32];
    *bad = 0;
    for (const char *p = text;; p++) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof name)
            return -1;
        memcpy(name, p, n);
        name[n] = '\0';
        int sig = signals_parse(name);
        if (sig < 1 || sig > 64)
            return -1;
        if (signals_unusable(sig, false) != NULL) {
            *bad = sig;
            return -1;
        }
        bits |= UINT64_C(1) << (sig - 1);
        p += n;
        if (*p == '\0')
            break;
    }
    *set = bits;
    return 0;
}

static int usage_error_code(enum cli_persona p) {
    return p == PERSONA_PODINIT ? CLI_EXIT_USAGE : 1;
}

static const char *prog_label(const struct parser *ps) {
    return ps->opts->persona == PERSONA_PODINIT ? "podinit" : ps->opts->invoked_as;
}

/* "podinit: LABEL: SIGX cannot be ROLE: WHY", one line. */
static void refuse_signal(struct parser *ps, const char *label, int sig, const char *role,
                          const char *why) {
    char name[32];
    fprintf(ps->err, "%s: %s: %s cannot be %s: %s\n", prog_label(ps), label,
            signals_name(sig, name, sizeof name), role, why);
}

static void unknown_option(struct parser *ps, const char *arg, char short_name) {
    if (ps->opts->persona == PERSONA_PODINIT) {
        if (short_name)
            fprintf(ps->err, "podinit: unknown option '-%c'\n", short_name);
        else
            fprintf(ps->err, "podinit: unknown option '%s'\n", arg);
    } else if (short_name) {
        fprintf(ps->err, "%s: invalid option -- '%c'\n", prog_label(ps), short_name);
    } else {
        fprintf(ps->err, "%s: unrecognized option '%s'\n", prog_label(ps), arg);
    }
    usage_hint(ps->opts->persona, ps->opts->invoked_as, ps->err);
}

static void missing_value(struct parser *ps, const struct opt_spec *spec, bool as_long) {
    if (ps->opts->persona == PERSONA_PODINIT) {
        if (as_long)
            fprintf(ps->err, "podinit: option '--%s' needs a value\n", spec->long_name);
        else
            fprintf(ps->err, "podinit: option '-%c' needs a value\n", spec->short_name);
    } else if (as_long) {
        fprintf(ps->err, "%s: option '--%s' requires an argument\n", prog_label(ps),
                spec->long_name);
    } else {
        fprintf(ps->err, "%s: option requires an argument -- '%c'\n", prog_label(ps),
                spec->short_name);
    }
    usage_hint(ps->opts->persona, ps->opts->invoked_as, ps->err);
}

static void tini_fatal(struct parser *ps, const char *what, const char *value) {
    fprintf(ps->err, "[FATAL tini (%d)] Not a valid option for %s: %s\n", (int)getpid(), what,
            value);
}

/* Apply one option, from the command line or (podinit's own long options)
 * from its PODINIT_* variable; label names the source in messages. Returns
 * true to go on, false when the parse ends here (help, version, license, or
 * a bad value) with *exit_code set. */
static bool apply(struct parser *ps, const struct opt_spec *spec, const char *value,
                  const char *label, int *exit_code) {
    struct cli_options *o = ps->opts;
    *exit_code = 0;
    switch (spec->id) {
    case OPT_HELP: usage_help(o->persona, o->invoked_as, ps->out, ps->err); return false;
    case OPT_VERSION: usage_version(o->persona, ps->out, ps->err); return false;
    case OPT_LICENSE: usage_license(ps->out); return false;
    case OPT_VERBOSE: ps->verbose_flags++; return true;
    case OPT_SUBREAPER: o->subreaper = true; return true;
    case OPT_WARN_REAP: o->warn_on_reap = true; return true;
    case OPT_GROUP: o->signal_group = true; return true;
    case OPT_SINGLE_CHILD:
        o->signal_group = false;
        o->setsid = false;
        return true;
    case OPT_PAUSE: o->pause = true; return true;
    case OPT_PDEATH: {
        /* podinit receives it: one it cannot take would kill or stop it. */
        int s = signals_parse(value);
        const char *why = s > 0 ? signals_unusable(s, false) : NULL;
        if (s > 0 && why == NULL) {
            o->pdeath_signal = s;
            return true;
        }
        if (o->persona == PERSONA_TINI)
            tini_fatal(ps, "-p", value);
        else if (s > 0)
            refuse_signal(ps, label, s, "the parent-death signal", why);
        else
            fprintf(ps->err, "podinit: -p: '%s' is not a signal name or number\n", value);
        *exit_code = ps->usage_exit;
        return false;
    }
    case OPT_REMAP:
        if (exit_code_remap_add(&o->remap, value) == 0)
            return true;
        if (o->persona == PERSONA_TINI)
            tini_fatal(ps, "-e", value);
        else
            fprintf(ps->err, "podinit: -e takes an exit code from 0 to 255, got '%s'\n", value);
        *exit_code = ps->usage_exit;
        return false;
    case OPT_CONFIG:
        if (value[0] == '\0') {
            fprintf(ps->err, "podinit: %s needs a file name\n", label);
            *exit_code = ps->usage_exit;
            return false;
        }
        o->config_path = value;
        return true;
    case OPT_CHECK: o->check = true; return true;
    case OPT_PROBE: o->probe_url = value; return true;
    case OPT_TIMEOUT:
        if (parse_seconds(value, &o->probe_timeout_ms) == 0 && o->probe_timeout_ms > 0)
            return true;
        fprintf(ps->err, "podinit: %s takes seconds (a number > 0), got '%s'\n", label, value);
        *exit_code = ps->usage_exit;
        return false;
    case OPT_HEADER: {
        const char *colon = strchr(value, ':');
        if (o->n_probe_headers < CLI_MAX_PROBE_HEADERS && colon != NULL && colon != value &&
            strpbrk(value, "\r\n") == NULL && strcspn(value, " \t") > (size_t)(colon - value)) {
            o->probe_headers[o->n_probe_headers++] = value;
            return true;
        }
        if (o->n_probe_headers == CLI_MAX_PROBE_HEADERS)
            fprintf(ps->err, "podinit: at most %d --header options\n", CLI_MAX_PROBE_HEADERS);
        else
            fprintf(ps->err, "podinit: %s takes Name:value, got '%s'\n", label, value);
        *exit_code = ps->usage_exit;
        return false;
    }
    case OPT_STOP_SIGNALS: {
        int bad;
        if (parse_stop_signals(value, &o->stop_signals, &bad) == 0) {
            o->given |= CLI_GIVEN_STOP_SIGNALS;
            return true;
        }
        *exit_code = ps->usage_exit;
        if (bad > 0) {
            refuse_signal(ps, label, bad, "a stop signal", signals_unusable(bad, false));
            return false;
        }
        fprintf(ps->err,
                "podinit: %s takes a comma-separated list of signals a program can be "
                "asked to stop with, got '%s'\n",
                label, value);
        return false;
    }
    case OPT_GRACE:
    case OPT_PRESTOP_DELAY: {
        int64_t *dst = spec->id == OPT_GRACE ? &o->grace_ms : &o->prestop_delay_ms;
        o->given |= spec->id == OPT_GRACE ? CLI_GIVEN_GRACE : CLI_GIVEN_PRESTOP_DELAY;
        if (parse_seconds(value, dst) == 0)
            return true;
        fprintf(ps->err, "podinit: %s takes seconds (a number >= 0), got '%s'\n", label, value);
        *exit_code = ps->usage_exit;
        return false;
    }
    case OPT_LOG_FORMAT:
        o->given |= CLI_GIVEN_LOG_FORMAT;
        if (parse_log_format(value, &o->log_json) == 0)
            return true;
        fprintf(ps->err, "podinit: %s takes text or json, got '%s'\n", label, value);
        *exit_code = ps->usage_exit;
        return false;
    case OPT_LOG_LEVEL:
        ps->log_level = text_level_parse(value);
        if (ps->log_level >= 0)
            return true;
        fprintf(ps->err, "podinit: %s takes error, warn, info, debug or trace, got '%s'\n", label,
                value);
        *exit_code = ps->usage_exit;
        return false;
    case OPT_STOP_SIGNAL: {
        /* Only sent, so a fault is fine (SIGABRT stops some programs). */
        int sig = signals_parse(value);
        const char *why = sig > 0 ? signals_unusable(sig, true) : NULL;
        if (sig > 0 && why == NULL) {
            o->stop_signal = sig;
            o->given |= CLI_GIVEN_STOP_SIGNAL;
            return true;
        }
        if (sig > 0)
            refuse_signal(ps, label, sig, "a stop signal", why);
        else
            fprintf(ps->err, "podinit: %s: '%s' is not a signal name or number\n", label, value);
        *exit_code = ps->usage_exit;
        return false;
    }
    case OPT_REWRITE: {
        /* The dumb-init persona blocks the faults (see supervisor.c's setup),
         * so it receives a kill -SEGV and can rewrite it. */
        bool dumb = o->persona == PERSONA_DUMB_INIT;
        int from, to;
        *exit_code = ps->usage_exit;
        if (signals_rewrite_parse(value, dumb, &from, &to) == 0) {
            const char *why = signals_unusable(from, dumb);
            if (why == NULL) {
                o->rewrite.to[from] = (signed char)to;
                return true;
            }
            char what[48];
            snprintf(what, sizeof what, "%s %s", label, value);
            refuse_signal(ps, what, from, "rewritten", why);
        } else if (dumb)
            fprintf(ps->err,
                    "Usage: -r option takes <signum>:<signum>, where <signum> is "
                    "between 1 and %d.\nThis option can be specified multiple "
                    "times.\nUse --help for full usage.\n",
                    SIGNALS_CLASSIC_MAX);
        else
            fprintf(ps->err,
                    "podinit: -r takes FROM:TO, signals 1-31 by name or number (TO may be "
                    "0 to drop FROM), got '%s'\n",
                    value);
        return false;
    }
    }
    return true;
}

/* An option from the command line: named as it was written, and noted so
 * that its PODINIT_* variable does not override it. */
static bool apply_arg(struct parser *ps, const struct opt_spec *spec, const char *value,
                      int *exit_code) {
    char label[40];
    if (spec->long_name)
        snprintf(label, sizeof label, "--%s", spec->long_name);
    else
        snprintf(label, sizeof label, "-%c", spec->short_name);
    ps->given[spec->id] = true;
    return apply(ps, spec, value, label, exit_code);
}

static const struct opt_spec *find_short(const struct opt_spec *t, char c) {
    for (; t->short_name || t->long_name; t++)
        if (t->short_name == c)
            return t;
    return NULL;
}

static const struct opt_spec *find_long(const struct opt_spec *t, const char *name, size_t len) {
    for (; t->short_name || t->long_name; t++)
        if (t->long_name && strlen(t->long_name) == len && strncmp(t->long_name, name, len) == 0)
            return t;
    return NULL;
}

/* Whether the options (up to "--" or the first program word, each
 * option's value skipped as parse_options skips it) ask for --probe: its
 * usage errors exit 1, not 2. */
static bool asks_for_probe(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
            return false;
        if (a[1] == '-') {
            size_t len = strcspn(a + 2, "=");
            const struct opt_spec *spec = find_long(podinit_opts, a + 2, len);
            if (spec != NULL && spec->id == OPT_PROBE)
                return true;
            if (spec != NULL && spec->takes_value && a[2 + len] == '\0')
                i++;
            continue;
        }
        for (int j = 1; a[j] != '\0'; j++) {
            const struct opt_spec *spec = find_short(podinit_opts, a[j]);
            if (spec != NULL && spec->takes_value) {
                i += a[j + 1] == '\0';
                break;
            }
        }
    }
    return false;
}

/* Options stop at "--" or at the first argument that is not an option.
 * Returns the index of the first program argument, or -1 when the parse
 * ends (*exit_code set). */
static int parse_options(struct parser *ps, const struct opt_spec *table, int argc, char **argv,
                         int *exit_code) {
    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt_spec *spec = find_long(table, name, len);
            if (spec == NULL) {
                unknown_option(ps, a, 0);
                *exit_code = ps->usage_exit;
                return -1;
            }
            const char *value = NULL;
            if (spec->takes_value) {
                if (eq)
                    value = eq + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else {
                    missing_value(ps, spec, true);
                    *exit_code = ps->usage_exit;
                    return -1;
                }
            } else if (eq) {
                unknown_option(ps, a, 0);
                *exit_code = ps->usage_exit;
                return -1;
            }
            if (!apply_arg(ps, spec, value, exit_code))
                return -1;
            i++;
            continue;
        }
        for (int j = 1; a[j] != '\0'; j++) {
            const struct opt_spec *spec = find_short(table, a[j]);
            if (spec == NULL) {
                unknown_option(ps, a, a[j]);
                *exit_code = ps->usage_exit;
                return -1;
            }
            if (spec->takes_value) {
                const char *value;
                if (a[j + 1] != '\0')
                    value = a + j + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else {
                    missing_value(ps, spec, false);
                    *exit_code = ps->usage_exit;
                    return -1;
                }
                if (!apply_arg(ps, spec, value, exit_code))
                    return -1;
                break;
            }
            if (!apply_arg(ps, spec, NULL, exit_code))
                return -1;
        }
        i++;
    }
    return i;
}

static void set_defaults(struct cli_options *o, enum cli_persona persona, char *argv0) {
    memset(o, 0, sizeof *o);
    o->persona = persona;
    o->invoked_as = argv0 ? argv0 : "podinit";
    signals_rewrite_init(&o->rewrite);
    switch (persona) {
    case PERSONA_TINI:
        o->verbosity = LOG_WARN;
        o->warn_subreaper = true;
        break;
    case PERSONA_DUMB_INIT:
        o->verbosity = LOG_ERROR;
        o->signal_group = true;
        o->setsid = true;
        break;
    case PERSONA_CATATONIT:
        o->verbosity = LOG_WARN;
        o->subreaper = true;
        break;
    default:
        o->verbosity = LOG_INFO;
        o->subreaper = true;
        o->signal_group = true;
        o->lifecycle = true;
    }
    o->grace_ms = CONFIG_DEFAULT_GRACE_MS; /* Kubernetes' terminationGracePeriodSeconds default */
}

/* PODINIT_* variables: each sets the long option of the same name where
 * the command line did not, through the same checks and messages. Returns
 * false (message written, *exit_code set) on a bad value. */
static bool apply_podinit_environment(struct parser *ps, char **envp, int *exit_code) {
    static const struct {
        const char *var;
        enum opt_id id;
    } vars[] = {
        {"PODINIT_GRACE_PERIOD", OPT_GRACE},      {"PODINIT_PRESTOP_DELAY", OPT_PRESTOP_DELAY},
        {"PODINIT_STOP_SIGNAL", OPT_STOP_SIGNAL}, {"PODINIT_LOG_FORMAT", OPT_LOG_FORMAT},
        {"PODINIT_LOG_LEVEL", OPT_LOG_LEVEL},     {"PODINIT_STOP_SIGNALS", OPT_STOP_SIGNALS},
        {"PODINIT_CONFIG", OPT_CONFIG},
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = env_get(envp, vars[i].var);
        if (v == NULL || ps->given[vars[i].id])
            continue;
        const struct opt_spec *spec = podinit_opts;
        while (spec->id != vars[i].id || spec->long_name == NULL)
            spec++; /* found: every variable has its long option in the table */
        if (!apply(ps, spec, v, vars[i].var, exit_code))
            return false;
    }
    return true;
}

/* The environment, by each tool's rules. The command line wins where both
 * speak (tini's TINI_VERBOSITY, as in tini, replaces the -v count). */
static void apply_environment(struct parser *ps, char **envp) {
    struct cli_options *o = ps->opts;
    const char *v;
    switch (o->persona) {
    case PERSONA_TINI:
        o->verbosity += ps->verbose_flags;
        if (env_get(envp, "TINI_SUBREAPER"))
            o->subreaper = true;
        if (env_get(envp, "TINI_KILL_PROCESS_GROUP"))
            o->signal_group = true;
        if ((v = env_get(envp, "TINI_VERBOSITY")) != NULL)
            o->verbosity = atoi(v);
        break;
    case PERSONA_DUMB_INIT:
        if (ps->verbose_flags > 0 ||
            ((v = env_get(envp, "DUMB_INIT_DEBUG")) != NULL && strcmp(v, "1") == 0))
            o->verbosity = LOG_DEBUG;
        if ((v = env_get(envp, "DUMB_INIT_SETSID")) != NULL && strcmp(v, "0") == 0) {
            o->setsid = false;
            o->signal_group = false;
        }
        /* A terminal stop in setsid mode stops the whole group (dumb-init). */
        if (o->setsid) {
            signals_rewrite_default(&o->rewrite, SIGTSTP, SIGSTOP);
            signals_rewrite_default(&o->rewrite, SIGTTOU, SIGSTOP);
            signals_rewrite_default(&o->rewrite, SIGTTIN, SIGSTOP);
        }
        break;
    case PERSONA_CATATONIT: o->verbosity += ps->verbose_flags; break;
    default:
        o->given |= CLI_GIVEN_VERBOSITY;
        if (ps->log_level >= 0)
            o->verbosity = ps->log_level + ps->verbose_flags;
        else if (ps->verbose_flags > 0)
            o->verbosity += ps->verbose_flags;
        else if ((v = env_get(envp, "TINI_VERBOSITY")) != NULL)
            o->verbosity = atoi(v);
        else
            o->given &= ~(unsigned)CLI_GIVEN_VERBOSITY; /* the file's level, or info */
        if ((v = env_get(envp, "DUMB_INIT_DEBUG")) != NULL && strcmp(v, "1") == 0 &&
            o->verbosity < LOG_DEBUG) {
            o->verbosity = LOG_DEBUG;
            o->given |= CLI_GIVEN_VERBOSITY;
        }
        if ((v = env_get(envp, "DUMB_INIT_SETSID")) != NULL && strcmp(v, "0") == 0)
            o->signal_group = false;
    }
    if (o->verbosity < LOG_ERROR)
        o->verbosity = LOG_ERROR;
}

enum cli_outcome cli_parse(int argc, char **argv, char **envp, FILE *out, FILE *err,
                           struct cli_options *opts, int *exit_code) {
    char *argv0 = argc > 0 && argv != NULL ? argv[0] : NULL;
    enum cli_persona persona = cli_persona_of(argv0);
    set_defaults(opts, persona, argv0);
    bool probe = argv0 != NULL && persona == PERSONA_PODINIT && asks_for_probe(argc, argv);
    struct parser ps = {.opts = opts,
                        .out = out,
                        .err = err,
                        .usage_exit = probe ? CLI_EXIT_PROBE : usage_error_code(persona),
                        .log_level = -1};
    *exit_code = 0;
    if (argv0 == NULL) {
        fprintf(err, "podinit: empty argument list (argv[0] is missing)\n");
        usage_hint(PERSONA_PODINIT, "podinit", err);
        *exit_code = CLI_EXIT_USAGE;
        return CLI_EXIT;
    }
    int first = parse_options(&ps,
                              persona == PERSONA_TINI        ? tini_opts
                              : persona == PERSONA_DUMB_INIT ? dumb_init_opts
                              : persona == PERSONA_CATATONIT ? catatonit_opts
                                                             : podinit_opts,
                              argc, argv, exit_code);
    if (first < 0)
        return CLI_EXIT;
    /* The PODINIT_* variables configure a run, not a probe: the probe runs
     * in the same container (HEALTHCHECK) and must not fail on them. */
    if (persona == PERSONA_PODINIT && !probe && !apply_podinit_environment(&ps, envp, exit_code))
        return CLI_EXIT;
    bool has_program = first < argc;
    if (opts->probe_url == NULL && (ps.given[OPT_TIMEOUT] || ps.given[OPT_HEADER])) {
        fprintf(err, "podinit: --timeout and --header go with --probe URL\n");
        usage_hint(PERSONA_PODINIT, "podinit", err);
        *exit_code = CLI_EXIT_USAGE;
        return CLI_EXIT;
    }
    if (opts->probe_url != NULL) {
        if (has_program) {
            fprintf(err, "podinit: --probe runs no program, but '%s' was given\n", argv[first]);
            usage_hint(PERSONA_PODINIT, "podinit", err);
            *exit_code = CLI_EXIT_PROBE;
            return CLI_EXIT;
        }
        if (opts->probe_timeout_ms == 0)
            opts->probe_timeout_ms = 1000; /* Kubernetes' timeoutSeconds default */
        opts->command = NULL;
        return CLI_RUN;
    }
    if (opts->pause) {
        if (has_program && persona == PERSONA_PODINIT) {
            fprintf(err, "podinit: -P (pause) runs no program, but '%s' was given\n", argv[first]);
            usage_hint(PERSONA_PODINIT, "podinit", err);
            *exit_code = CLI_EXIT_USAGE;
            return CLI_EXIT;
        }
        opts->command = NULL; /* catatonit ignores a program in pause mode */
    } else if (!has_program && (opts->config_path != NULL || opts->check)) {
        opts->command = NULL; /* processes[0].command names it (checked with the config) */
    } else if (!has_program) {
        usage_missing_program(persona, opts->invoked_as, err);
        *exit_code = ps.usage_exit;
        return CLI_EXIT;
    } else if (argv[first][0] == '\0') {
        fprintf(err, "%s: the program name is empty\n", prog_label(&ps));
        *exit_code = ps.usage_exit;
        return CLI_EXIT;
    } else {
        opts->command = &argv[first];
    }
    apply_environment(&ps, envp);
    return CLI_RUN;
}
