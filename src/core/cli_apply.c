/* src/core/cli_apply.c — what each option does: one small handler per
 * option, and the environment by the persona's rules. The words of each
 * message are the ones the personas' users and tests expect. Pure. */
#include "podinit/cli_apply.h"

#include <stdlib.h>
#include <string.h>

#include "podinit/http_message.h"
#include "podinit/text.h"
#include "podinit/usage.h"

typedef enum cli_step handler(struct cli_parser *ps, const char *value, const char *label);

const char *cli_env_get(char **envp, const char *key) {
    size_t klen = strlen(key);
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=')
            return *e + klen + 1;
    return NULL;
}

const char *cli_label(const struct cli_parser *ps) {
    return ps->persona->own_label ? ps->persona->name : ps->opts->invoked_as;
}

/* ---- values ------------------------------------------------------------------ */

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

/* TINI_VERBOSITY as tini reads it (the leading number; none is 0), within
 * the levels there are. */
static int parse_verbosity(const char *text) {
    long n = strtol(text, NULL, 10);
    if (n < LOG_ERROR)
        return LOG_ERROR;
    if (n > LOG_TRACE)
        return LOG_TRACE;
    return (int)n;
}

/* ---- messages -------------------------------------------------------------------- */

/* "podinit: LABEL: SIGX cannot be ROLE: WHY", one line. */
static void refuse_signal(struct cli_parser *ps, const char *label, int sig, const char *role,
                          const char *why) {
    char name[32];
    fprintf(ps->err, "%s: %s: %s cannot be %s: %s\n", cli_label(ps), label,
            signals_name(sig, name, sizeof name), role, why);
}

/* tini's words for a bad -p or -e. */
static void fatal_bad_value(struct cli_parser *ps, const char *what, const char *value) {
    fprintf(ps->err, "[FATAL %s (%d)] Not a valid option for %s: %s\n", ps->persona->name, ps->pid,
            what, value);
}

/* ---- the handlers ------------------------------------------------------------------ */

static enum cli_step on_help(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    usage_help(ps->persona->id, ps->opts->invoked_as, ps->out, ps->err);
    return CLI_STEP_DONE;
}

static enum cli_step on_version(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    usage_version(ps->persona->id, ps->out, ps->err);
    return CLI_STEP_DONE;
}

static enum cli_step on_license(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    usage_license(ps->out);
    return CLI_STEP_DONE;
}

static enum cli_step on_verbose(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    ps->verbose_flags++;
    return CLI_STEP_GO;
}

static enum cli_step on_flag(struct cli_parser *ps, bool *field) {
    (void)ps;
    *field = true;
    return CLI_STEP_GO;
}

static enum cli_step on_subreaper(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    return on_flag(ps, &ps->opts->subreaper);
}

static enum cli_step on_warn_reap(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    return on_flag(ps, &ps->opts->warn_on_reap);
}

static enum cli_step on_group(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    return on_flag(ps, &ps->opts->signal_group);
}

static enum cli_step on_pause(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    return on_flag(ps, &ps->opts->pause);
}

static enum cli_step on_check(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    return on_flag(ps, &ps->opts->check);
}

static enum cli_step on_single_child(struct cli_parser *ps, const char *value, const char *label) {
    (void)value, (void)label;
    ps->opts->signal_group = false;
    ps->opts->setsid = false;
    return CLI_STEP_GO;
}

static enum cli_step on_pdeath(struct cli_parser *ps, const char *value, const char *label) {
    /* podinit receives it: one it cannot take would kill or stop it. */
    int s = signals_parse(value);
    const char *why = s > 0 ? signals_unusable(s, false) : NULL;
    if (s > 0 && why == NULL) {
        ps->opts->pdeath_signal = s;
        return CLI_STEP_GO;
    }
    if (ps->persona->fatal_bad_values)
        fatal_bad_value(ps, "-p", value);
    else if (s > 0)
        refuse_signal(ps, label, s, "the parent-death signal", why);
    else
        fprintf(ps->err, "podinit: -p: '%s' is not a signal name or number\n", value);
    return CLI_STEP_BAD;
}

static enum cli_step on_remap(struct cli_parser *ps, const char *value, const char *label) {
    (void)label;
    if (exit_code_remap_add(&ps->opts->remap, value) == 0)
        return CLI_STEP_GO;
    if (ps->persona->fatal_bad_values)
        fatal_bad_value(ps, "-e", value);
    else
        fprintf(ps->err, "podinit: -e takes an exit code from 0 to 255, got '%s'\n", value);
    return CLI_STEP_BAD;
}

static enum cli_step on_config(struct cli_parser *ps, const char *value, const char *label) {
    if (value[0] == '\0') {
        fprintf(ps->err, "podinit: %s needs a file name\n", label);
        return CLI_STEP_BAD;
    }
    ps->opts->config_path = value;
    return CLI_STEP_GO;
}

static enum cli_step on_probe(struct cli_parser *ps, const char *value, const char *label) {
    (void)label;
    ps->opts->probe_url = value;
    return CLI_STEP_GO;
}

/* The URL is checked here, so that a bad one is a usage error (2) before
 * anything is tried; its host may be a name (the wait resolves it). */
static enum cli_step on_wait(struct cli_parser *ps, const char *value, const char *label) {
    struct http_url u;
    char why[160];
    if (ps->opts->wait_url != NULL) {
        fprintf(ps->err, "podinit: %s takes one URL (one init task per dependency), got '%s' too\n",
                label, value);
        return CLI_STEP_BAD;
    }
    if (http_parse_url(value, &u, why, sizeof why) != 0) {
        fprintf(ps->err, "podinit: %s %s: %s\n", label, value, why);
        return CLI_STEP_BAD;
    }
    ps->opts->wait_url = value;
    return CLI_STEP_GO;
}

/* --probe needs time for its one check; --wait may have none (0: check once). */
static enum cli_step on_timeout(struct cli_parser *ps, const char *value, const char *label) {
    int64_t *ms = &ps->opts->probe_timeout_ms;
    if (parse_seconds(value, ms) == 0 && (*ms > 0 || ps->wait))
        return CLI_STEP_GO;
    fprintf(ps->err, "podinit: %s takes seconds (a decimal number %s, at most a year), got '%s'\n",
            label, ps->wait ? ">= 0" : "> 0", value);
    return CLI_STEP_BAD;
}

static enum cli_step on_header(struct cli_parser *ps, const char *value, const char *label) {
    struct cli_options *o = ps->opts;
    const char *colon = strchr(value, ':');
    if (o->n_probe_headers < CLI_MAX_PROBE_HEADERS && colon != NULL && colon != value &&
        strpbrk(value, "\r\n") == NULL && strcspn(value, " \t") > (size_t)(colon - value)) {
        o->probe_headers[o->n_probe_headers++] = value;
        return CLI_STEP_GO;
    }
    if (o->n_probe_headers == CLI_MAX_PROBE_HEADERS)
        fprintf(ps->err, "podinit: at most %d --header options\n", CLI_MAX_PROBE_HEADERS);
    else
        fprintf(ps->err, "podinit: %s takes Name:value, got '%s'\n", label, value);
    return CLI_STEP_BAD;
}

static enum cli_step on_stop_signals(struct cli_parser *ps, const char *value, const char *label) {
    int bad;
    if (parse_stop_signals(value, &ps->opts->stop_signals, &bad) == 0) {
        ps->opts->given |= CLI_GIVEN_STOP_SIGNALS;
        return CLI_STEP_GO;
    }
    if (bad > 0) {
        refuse_signal(ps, label, bad, "a stop signal", signals_unusable(bad, false));
        return CLI_STEP_BAD;
    }
    fprintf(ps->err,
            "podinit: %s takes a comma-separated list of signals a program can be "
            "asked to stop with, got '%s'\n",
            label, value);
    return CLI_STEP_BAD;
}

static enum cli_step on_seconds(struct cli_parser *ps, int64_t *dst, unsigned given,
                                const char *value, const char *label) {
    ps->opts->given |= given;
    if (parse_seconds(value, dst) == 0)
        return CLI_STEP_GO;
    fprintf(ps->err,
            "podinit: %s takes seconds (a decimal number from 0 to a year, 31536000), got '%s'\n",
            label, value);
    return CLI_STEP_BAD;
}

static enum cli_step on_grace(struct cli_parser *ps, const char *value, const char *label) {
    return on_seconds(ps, &ps->opts->grace_ms, CLI_GIVEN_GRACE, value, label);
}

static enum cli_step on_prestop_delay(struct cli_parser *ps, const char *value, const char *label) {
    return on_seconds(ps, &ps->opts->prestop_delay_ms, CLI_GIVEN_PRESTOP_DELAY, value, label);
}

static enum cli_step on_log_format(struct cli_parser *ps, const char *value, const char *label) {
    ps->opts->given |= CLI_GIVEN_LOG_FORMAT;
    if (parse_log_format(value, &ps->opts->log_json) == 0)
        return CLI_STEP_GO;
    fprintf(ps->err, "podinit: %s takes text or json, got '%s'\n", label, value);
    return CLI_STEP_BAD;
}

static enum cli_step on_log_level(struct cli_parser *ps, const char *value, const char *label) {
    ps->log_level = text_level_parse(value);
    if (ps->log_level >= 0)
        return CLI_STEP_GO;
    fprintf(ps->err, "podinit: %s takes error, warn, info, debug or trace, got '%s'\n", label,
            value);
    return CLI_STEP_BAD;
}

static enum cli_step on_stop_signal(struct cli_parser *ps, const char *value, const char *label) {
    /* Only sent, so a fault is fine (SIGABRT stops some programs). */
    int sig = signals_parse(value);
    const char *why = sig > 0 ? signals_unusable(sig, true) : NULL;
    if (sig > 0 && why == NULL) {
        ps->opts->stop_signal = sig;
        ps->opts->given |= CLI_GIVEN_STOP_SIGNAL;
        return CLI_STEP_GO;
    }
    if (sig > 0)
        refuse_signal(ps, label, sig, "a stop signal", why);
    else
        fprintf(ps->err, "podinit: %s: '%s' is not a signal name or number\n", label, value);
    return CLI_STEP_BAD;
}

static enum cli_step on_rewrite(struct cli_parser *ps, const char *value, const char *label) {
    /* A persona that blocks the faults (dumb-init: see supervisor.c's set-up)
     * receives a kill -SEGV, so it can rewrite it. */
    bool faults = ps->persona->blocks_faults;
    int from, to;
    if (signals_rewrite_parse(value, ps->persona->rewrite_numbers, &from, &to) == 0) {
        const char *why = signals_unusable(from, faults);
        if (why == NULL) {
            ps->opts->rewrite.to[from] = (signed char)to;
            return CLI_STEP_GO;
        }
        char what[48];
        snprintf(what, sizeof what, "%s %s", label, value);
        refuse_signal(ps, what, from, "rewritten", why);
    } else if (ps->persona->rewrite_numbers) {
        fprintf(ps->err,
                "Usage: -r option takes <signum>:<signum>, where <signum> is "
                "between 1 and %d.\nThis option can be specified multiple "
                "times.\nUse --help for full usage.\n",
                SIGNALS_CLASSIC_MAX);
    } else {
        fprintf(ps->err,
                "podinit: -r takes FROM:TO, signals 1-31 by name or number (TO may be "
                "0 to drop FROM), got '%s'\n",
                value);
    }
    return CLI_STEP_BAD;
}

static handler *const handlers[CLI_OPT_COUNT] = {
    [OPT_HELP] = on_help,
    [OPT_VERSION] = on_version,
    [OPT_VERBOSE] = on_verbose,
    [OPT_SUBREAPER] = on_subreaper,
    [OPT_PDEATH] = on_pdeath,
    [OPT_WARN_REAP] = on_warn_reap,
    [OPT_GROUP] = on_group,
    [OPT_SINGLE_CHILD] = on_single_child,
    [OPT_REWRITE] = on_rewrite,
    [OPT_REMAP] = on_remap,
    [OPT_LICENSE] = on_license,
    [OPT_PAUSE] = on_pause,
    [OPT_GRACE] = on_grace,
    [OPT_PRESTOP_DELAY] = on_prestop_delay,
    [OPT_STOP_SIGNAL] = on_stop_signal,
    [OPT_LOG_FORMAT] = on_log_format,
    [OPT_LOG_LEVEL] = on_log_level,
    [OPT_STOP_SIGNALS] = on_stop_signals,
    [OPT_CONFIG] = on_config,
    [OPT_CHECK] = on_check,
    [OPT_PROBE] = on_probe,
    [OPT_TIMEOUT] = on_timeout,
    [OPT_HEADER] = on_header,
    [OPT_WAIT] = on_wait,
};

enum cli_step cli_apply(struct cli_parser *ps, enum cli_opt_id id, const char *value,
                        const char *label) {
    if ((unsigned)id >= CLI_OPT_COUNT || handlers[id] == NULL)
        return CLI_STEP_GO;
    return handlers[id](ps, value, label);
}

/* ---- the environment ------------------------------------------------------------- */

static bool env_is(char **envp, const char *key, const char *want) {
    const char *v = cli_env_get(envp, key);
    return v != NULL && strcmp(v, want) == 0;
}

/* The log threshold from -v, --log-level and TINI_VERBOSITY; true when one
 * of them said something. */
static bool apply_verbosity(struct cli_parser *ps, char **envp) {
    const struct persona *p = ps->persona;
    struct cli_options *o = ps->opts;
    const char *env =
        p->env & PERSONA_ENV_TINI_VERBOSITY ? cli_env_get(envp, "TINI_VERBOSITY") : NULL;
    if (ps->log_level >= 0)
        o->verbosity = ps->log_level + ps->verbose_flags;
    else if (env != NULL && (p->env_verbosity_wins || ps->verbose_flags == 0))
        o->verbosity = parse_verbosity(env);
    else if (ps->verbose_flags > 0)
        o->verbosity = p->verbose_means_debug ? LOG_DEBUG : o->verbosity + ps->verbose_flags;
    else
        return false; /* the file's level, or the persona's default */
    return true;
}

void cli_apply_environment(struct cli_parser *ps, char **envp) {
    const struct persona *p = ps->persona;
    struct cli_options *o = ps->opts;
    if ((p->env & PERSONA_ENV_TINI_SUBREAPER) && cli_env_get(envp, "TINI_SUBREAPER"))
        o->subreaper = true;
    if ((p->env & PERSONA_ENV_TINI_KILL_GROUP) && cli_env_get(envp, "TINI_KILL_PROCESS_GROUP"))
        o->signal_group = true;
    bool given = apply_verbosity(ps, envp);
    if ((p->env & PERSONA_ENV_DUMB_INIT_DEBUG) && env_is(envp, "DUMB_INIT_DEBUG", "1") &&
        o->verbosity < LOG_DEBUG) {
        o->verbosity = LOG_DEBUG;
        given = true;
    }
    if ((p->env & PERSONA_ENV_CATATONIT_DEBUG) && cli_env_get(envp, "CATATONIT_DEBUG") &&
        o->verbosity < LOG_DEBUG) {
        o->verbosity = LOG_DEBUG; /* as catatonit: whatever its value */
        given = true;
    }
    if (given && p->log_level_from_config)
        o->given |= CLI_GIVEN_VERBOSITY;
    if ((p->env & PERSONA_ENV_DUMB_INIT_SETSID) && env_is(envp, "DUMB_INIT_SETSID", "0")) {
        o->setsid = false;
        o->signal_group = false;
    }
    /* A terminal stop in setsid mode stops the whole group (dumb-init). */
    if (p->tty_stops_stop_group && o->setsid) {
        signals_rewrite_default(&o->rewrite, SIGTSTP, SIGSTOP);
        signals_rewrite_default(&o->rewrite, SIGTTOU, SIGSTOP);
        signals_rewrite_default(&o->rewrite, SIGTTIN, SIGSTOP);
    }
    if (o->verbosity < LOG_ERROR)
        o->verbosity = LOG_ERROR;
}
