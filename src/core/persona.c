/* src/core/persona.c — the personas' table: each row is what one tool does
 * differently (docs/cli.md, "Personas", says the same in prose). */
#include "podinit/persona.h"

#include <string.h>

#include "podinit/exit_code.h"
#include "podinit/text.h"

static const struct persona personas[PERSONA_COUNT] = {
    [PERSONA_PODINIT] =
        {
            .id = PERSONA_PODINIT,
            .name = "podinit",
            .invoked_as = {NULL},
            .verbosity = LOG_INFO,
            .subreaper = true,
            .signal_group = true,
            .lifecycle = true,
            .env = PERSONA_ENV_PODINIT | PERSONA_ENV_TINI_VERBOSITY | PERSONA_ENV_DUMB_INIT_DEBUG |
                   PERSONA_ENV_DUMB_INIT_SETSID,
            .usage_exit = CLI_EXIT_USAGE,
            .own_label = true,
            .term_on_exit = TERM_ON_EXIT_WITH_SIGNAL_GROUP,
            .listen_pid_to_child = true,
            .runs_config_processes = true,
            .log_level_from_config = true,
            .reap_warning = "reaped orphaned process %d",
            .log_style = LOG_STYLE_PODINIT,
            .json_log = true,
        },
    [PERSONA_TINI] =
        {
            .id = PERSONA_TINI,
            .name = "tini",
            .invoked_as = {"tini", "docker-init", NULL},
            .verbosity = LOG_WARN,
            .warn_subreaper = true,
            .env = PERSONA_ENV_TINI_SUBREAPER | PERSONA_ENV_TINI_KILL_GROUP |
                   PERSONA_ENV_TINI_VERBOSITY,
            .env_verbosity_wins = true,
            .usage_exit = 1,
            .getopt_wording = true,
            .fatal_bad_values = true,
            .hint_by_base_name = true,
            .ignores_tty_io_signals = true,
            .term_on_exit = TERM_ON_EXIT_NEVER,
            .reap_warning = "Reaped zombie process with pid=%d",
            .log_style = LOG_STYLE_TINI,
            .info_on_stdout = true,
        },
    [PERSONA_DUMB_INIT] =
        {
            .id = PERSONA_DUMB_INIT,
            .name = "dumb-init",
            .invoked_as = {"dumb-init", NULL},
            .verbosity = LOG_ERROR,
            .signal_group = true,
            .setsid = true,
            .env = PERSONA_ENV_DUMB_INIT_DEBUG | PERSONA_ENV_DUMB_INIT_SETSID,
            .verbose_means_debug = true,
            .usage_exit = 1,
            .getopt_wording = true,
            .rewrite_numbers = true,
            .texts_on_stderr = true,
            .setsid_starts_session = true,
            .session_note = "[dumb-init] setsid complete.\n",
            .tty_stops_stop_group = true,
            .suspends_on_tty_stop = true,
            .blocks_faults = true,
            .child_gets_default_signals = true,
            .term_on_exit = TERM_ON_EXIT_ALWAYS,
            .reap_warning = "reaped orphaned process %d",
            .log_style = LOG_STYLE_DUMB_INIT,
        },
    [PERSONA_CATATONIT] =
        {
            .id = PERSONA_CATATONIT,
            .name = "catatonit",
            .invoked_as = {"catatonit", "podman-init", NULL},
            .verbosity = LOG_WARN,
            .subreaper = true,
            .pause_ignores_program = true,
            .usage_exit = 1,
            .getopt_wording = true,
            .env = PERSONA_ENV_CATATONIT_DEBUG,
            .term_on_exit = TERM_ON_EXIT_WITH_SIGNAL_GROUP,
            .listen_pid_to_child = true,
            .reap_warning = "reaped orphaned process %d",
            .log_style = LOG_STYLE_CATATONIT,
        },
};

const struct persona *persona_of(enum cli_persona id) {
    if ((unsigned)id >= PERSONA_COUNT)
        return &personas[PERSONA_PODINIT];
    return &personas[id];
}

enum cli_persona persona_named(const char *argv0) {
    if (argv0 == NULL)
        return PERSONA_PODINIT;
    const char *name = text_base_name(argv0);
    for (size_t i = 0; i < PERSONA_COUNT; i++)
        for (const char *const *p = personas[i].invoked_as; *p != NULL; p++)
            if (strncmp(name, *p, strlen(*p)) == 0)
                return personas[i].id;
    return PERSONA_PODINIT;
}
