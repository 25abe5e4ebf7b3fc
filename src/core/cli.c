/* src/core/cli.c — the command line of every persona: which options each
 * accepts, how they are spelt and in what order they are read. What an
 * option does is cli_apply.c's; how a persona differs is its row in
 * persona.c. Pure: it reads argv and envp, writes help and errors to the
 * streams it is given, and starts nothing. */
#include "podinit/cli.h"

#include <string.h>

#include "podinit/cli_apply.h"
#include "podinit/config.h"
#include "podinit/usage.h"

struct opt_spec {
    char short_name;       /* 0: long only */
    const char *long_name; /* NULL: short only */
    bool takes_value;
    enum cli_opt_id id;
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
    {0, "wait", true, OPT_WAIT},
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

/* Each persona's options: its tool's, spelt as that tool spells them. */
static const struct opt_spec *const opt_tables[PERSONA_COUNT] = {
    [PERSONA_PODINIT] = podinit_opts,
    [PERSONA_TINI] = tini_opts,
    [PERSONA_DUMB_INIT] = dumb_init_opts,
    [PERSONA_CATATONIT] = catatonit_opts,
};

enum cli_persona cli_persona_of(const char *argv0) {
    return persona_named(argv0);
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

/* ---- errors ------------------------------------------------------------------ */

static void unknown_option(struct cli_parser *ps, const char *arg, char short_name) {
    if (!ps->persona->getopt_wording) {
        if (short_name)
            fprintf(ps->err, "%s: unknown option '-%c'\n", cli_label(ps), short_name);
        else
            fprintf(ps->err, "%s: unknown option '%s'\n", cli_label(ps), arg);
    } else if (short_name) {
        fprintf(ps->err, "%s: invalid option -- '%c'\n", cli_label(ps), short_name);
    } else {
        fprintf(ps->err, "%s: unrecognized option '%s'\n", cli_label(ps), arg);
    }
    usage_hint(ps->persona->id, ps->opts->invoked_as, ps->err);
}

static void missing_value(struct cli_parser *ps, const struct opt_spec *spec, bool as_long) {
    if (!ps->persona->getopt_wording) {
        if (as_long)
            fprintf(ps->err, "%s: option '--%s' needs a value\n", cli_label(ps), spec->long_name);
        else
            fprintf(ps->err, "%s: option '-%c' needs a value\n", cli_label(ps), spec->short_name);
    } else if (as_long) {
        fprintf(ps->err, "%s: option '--%s' requires an argument\n", cli_label(ps),
                spec->long_name);
    } else {
        fprintf(ps->err, "%s: option requires an argument -- '%c'\n", cli_label(ps),
                spec->short_name);
    }
    usage_hint(ps->persona->id, ps->opts->invoked_as, ps->err);
}

/* A usage error of the parse itself (not of a value): podinit's words (fmt
 * with at most one %s, for arg), its usage lines, exit code. */
static enum cli_outcome refuse(FILE *err, int *exit_code, int code, const char *fmt,
                               const char *arg) {
    fprintf(err, fmt, arg);
    usage_hint(PERSONA_PODINIT, "podinit", err);
    *exit_code = code;
    return CLI_EXIT;
}

/* ---- reading the options ------------------------------------------------------ */

/* Apply an option from the command line: named as it was written, and noted
 * so that its PODINIT_* variable does not override it. False: the parse
 * ends here, *exit_code set. */
static bool apply_arg(struct cli_parser *ps, const struct opt_spec *spec, const char *value,
                      int *exit_code) {
    char label[40];
    if (spec->long_name)
        snprintf(label, sizeof label, "--%s", spec->long_name);
    else
        snprintf(label, sizeof label, "-%c", spec->short_name);
    ps->given[spec->id] = true;
    enum cli_step step = cli_apply(ps, spec->id, value, label);
    *exit_code = step == CLI_STEP_BAD ? ps->usage_exit : 0;
    return step == CLI_STEP_GO;
}

/* Whether the options (up to "--" or the first program word, each
 * option's value skipped as parse_options skips it) ask for client (--probe
 * or --wait): the probe client runs no program, and --probe's usage errors
 * exit 1, not 2. */
static bool asks_for(enum cli_opt_id client, const struct opt_spec *table, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
            return false;
        if (a[1] == '-') {
            size_t len = strcspn(a + 2, "=");
            const struct opt_spec *spec = find_long(table, a + 2, len);
            if (spec != NULL && spec->id == client)
                return true;
            if (spec != NULL && spec->takes_value && a[2 + len] == '\0')
                i++;
            continue;
        }
        for (int j = 1; a[j] != '\0'; j++) {
            const struct opt_spec *spec = find_short(table, a[j]);
            if (spec != NULL && spec->takes_value) {
                i += a[j + 1] == '\0';
                break;
            }
        }
    }
    return false;
}

/* "--name", "--name=value" or "--name value" at argv[*i]; *i is left on
 * the last argument used. */
static bool parse_long(struct cli_parser *ps, const struct opt_spec *table, int argc, char **argv,
                       int *i, int *exit_code) {
    const char *a = argv[*i], *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct opt_spec *spec = find_long(table, name, len);
    if (spec == NULL || (eq && !spec->takes_value)) {
        unknown_option(ps, a, 0);
        *exit_code = ps->usage_exit;
        return false;
    }
    const char *value = NULL;
    if (spec->takes_value) {
        if (eq) {
            value = eq + 1;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            missing_value(ps, spec, true);
            *exit_code = ps->usage_exit;
            return false;
        }
    }
    return apply_arg(ps, spec, value, exit_code);
}

/* "-abc", "-pVALUE" or "-p VALUE" at argv[*i]; *i is left on the last
 * argument used. */
static bool parse_short(struct cli_parser *ps, const struct opt_spec *table, int argc, char **argv,
                        int *i, int *exit_code) {
    const char *a = argv[*i];
    for (int j = 1; a[j] != '\0'; j++) {
        const struct opt_spec *spec = find_short(table, a[j]);
        if (spec == NULL) {
            unknown_option(ps, a, a[j]);
            *exit_code = ps->usage_exit;
            return false;
        }
        if (!spec->takes_value) {
            if (!apply_arg(ps, spec, NULL, exit_code))
                return false;
            continue;
        }
        const char *value;
        if (a[j + 1] != '\0') {
            value = a + j + 1;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            missing_value(ps, spec, false);
            *exit_code = ps->usage_exit;
            return false;
        }
        return apply_arg(ps, spec, value, exit_code);
    }
    return true;
}

/* Options stop at "--" or at the first argument that is not an option.
 * Returns the index of the first program argument, or -1 when the parse
 * ends (*exit_code set). */
static int parse_options(struct cli_parser *ps, const struct opt_spec *table, int argc,
                         char **argv, int *exit_code) {
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        bool go = a[1] == '-' ? parse_long(ps, table, argc, argv, &i, exit_code)
                              : parse_short(ps, table, argc, argv, &i, exit_code);
        if (!go)
            return -1;
    }
    return i;
}

static void set_defaults(struct cli_options *o, const struct persona *p, char *argv0) {
    memset(o, 0, sizeof *o);
    o->persona = p->id;
    o->invoked_as = argv0 ? argv0 : "podinit";
    signals_rewrite_init(&o->rewrite);
    o->verbosity = p->verbosity;
    o->subreaper = p->subreaper;
    o->warn_subreaper = p->warn_subreaper;
    o->signal_group = p->signal_group;
    o->setsid = p->setsid;
    o->lifecycle = p->lifecycle;
    o->grace_ms = CONFIG_DEFAULT_GRACE_MS; /* Kubernetes' terminationGracePeriodSeconds default */
}

/* PODINIT_* variables: each sets the long option of the same name where
 * the command line did not, through the same checks and messages. Returns
 * false (message written, *exit_code set) on a bad value. */
static bool apply_podinit_environment(struct cli_parser *ps, char **envp, int *exit_code) {
    static const struct {
        const char *var;
        enum cli_opt_id id;
    } vars[] = {
        {"PODINIT_GRACE_PERIOD", OPT_GRACE},      {"PODINIT_PRESTOP_DELAY", OPT_PRESTOP_DELAY},
        {"PODINIT_STOP_SIGNAL", OPT_STOP_SIGNAL}, {"PODINIT_LOG_FORMAT", OPT_LOG_FORMAT},
        {"PODINIT_LOG_LEVEL", OPT_LOG_LEVEL},     {"PODINIT_STOP_SIGNALS", OPT_STOP_SIGNALS},
        {"PODINIT_CONFIG", OPT_CONFIG},
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = cli_env_get(envp, vars[i].var);
        if (v == NULL || ps->given[vars[i].id])
            continue;
        enum cli_step step = cli_apply(ps, vars[i].id, v, vars[i].var);
        if (step != CLI_STEP_GO) {
            *exit_code = step == CLI_STEP_BAD ? ps->usage_exit : 0;
            return false;
        }
    }
    return true;
}

/* After the options: the program to run, or why there is none. */
static enum cli_outcome take_program(struct cli_parser *ps, int argc, char **argv, int first,
                                     int *exit_code) {
    struct cli_options *o = ps->opts;
    bool has_program = first < argc;
    if (o->wait_url != NULL) {
        if (o->probe_url != NULL)
            return refuse(ps->err, exit_code, ps->usage_exit,
                          "podinit: --wait and --probe do not go together: give one%s\n", "");
        if (has_program)
            return refuse(ps->err, exit_code, CLI_EXIT_USAGE,
                          "podinit: --wait runs no program, but '%s' was given (run it after "
                          "the wait, e.g. as the next process)\n",
                          argv[first]);
        if (!ps->given[OPT_TIMEOUT])
            o->probe_timeout_ms = CLI_WAIT_DEFAULT_TIMEOUT_MS;
        o->command = NULL;
        return CLI_RUN;
    }
    if (o->probe_url != NULL) {
        if (has_program)
            return refuse(ps->err, exit_code, CLI_EXIT_PROBE,
                          "podinit: --probe runs no program, but '%s' was given\n", argv[first]);
        if (o->probe_timeout_ms == 0)
            o->probe_timeout_ms = 1000; /* Kubernetes' timeoutSeconds default */
        o->command = NULL;
        return CLI_RUN;
    }
    if (o->pause) {
        if (has_program && !ps->persona->pause_ignores_program)
            return refuse(ps->err, exit_code, CLI_EXIT_USAGE,
                          "podinit: -P (pause) runs no program, but '%s' was given\n", argv[first]);
        o->command = NULL;
    } else if (!has_program && (o->config_path != NULL || o->check)) {
        o->command = NULL; /* processes[0].command names it (checked with the config) */
    } else if (!has_program) {
        usage_missing_program(ps->persona->id, o->invoked_as, ps->pid, ps->err);
        *exit_code = ps->usage_exit;
        return CLI_EXIT;
    } else if (argv[first][0] == '\0') {
        fprintf(ps->err, "%s: the program name is empty\n", cli_label(ps));
        *exit_code = ps->usage_exit;
        return CLI_EXIT;
    } else {
        o->command = &argv[first];
    }
    return CLI_RUN;
}

enum cli_outcome cli_parse(int argc, char **argv, char **envp, int pid, FILE *out, FILE *err,
                           struct cli_options *opts, int *exit_code) {
    char *argv0 = argc > 0 && argv != NULL ? argv[0] : NULL;
    const struct persona *persona = persona_of(persona_named(argv0));
    const struct opt_spec *table = opt_tables[persona->id];
    set_defaults(opts, persona, argv0);
    *exit_code = 0;
    if (argv0 == NULL)
        return refuse(err, exit_code, CLI_EXIT_USAGE,
                      "podinit: empty argument list (argv[0] is missing)\n", NULL);
    bool probe = asks_for(OPT_PROBE, table, argc, argv);
    bool wait = asks_for(OPT_WAIT, table, argc, argv);
    struct cli_parser ps = {.opts = opts,
                            .persona = persona,
                            .out = out,
                            .err = err,
                            .pid = pid,
                            .usage_exit = probe ? CLI_EXIT_PROBE : persona->usage_exit,
                            .log_level = -1,
                            .wait = wait};
    int first = parse_options(&ps, table, argc, argv, exit_code);
    if (first < 0)
        return CLI_EXIT;
    /* The PODINIT_* variables configure a run, not a probe or a wait: those
     * run in the same container (HEALTHCHECK, an init task, with PID 1's
     * environment) and must not fail on them. */
    bool client = opts->probe_url != NULL || opts->wait_url != NULL;
    if ((persona->env & PERSONA_ENV_PODINIT) && !probe && !wait &&
        !apply_podinit_environment(&ps, envp, exit_code))
        return CLI_EXIT;
    if (!client && (ps.given[OPT_TIMEOUT] || ps.given[OPT_HEADER]))
        return refuse(err, exit_code, CLI_EXIT_USAGE,
                      "podinit: --timeout and --header go with --probe URL or --wait URL\n", NULL);
    if (take_program(&ps, argc, argv, first, exit_code) == CLI_EXIT)
        return CLI_EXIT;
    if (!client)
        cli_apply_environment(&ps, envp);
    return CLI_RUN;
}
