/* tests/unit/test_persona.c — the personas' table: the names that choose
 * each, and the rows' rules that the parser, the log and the supervisor
 * read (docs/cli.md, "Personas", says the same in prose). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "podinit/exit_code.h"
#include "podinit/persona.h"
#include "podinit/text.h"

static void every_row_is_its_own_persona(void **state) {
    (void)state;
    for (int i = 0; i < PERSONA_COUNT; i++) {
        const struct persona *p = persona_of((enum cli_persona)i);
        assert_int_equal(p->id, i);
        assert_non_null(p->name);
        assert_non_null(p->reap_warning);
        assert_true(p->usage_exit == 1 || p->usage_exit == CLI_EXIT_USAGE);
    }
    /* out of range: podinit's row, never past the table */
    assert_int_equal(persona_of((enum cli_persona)PERSONA_COUNT)->id, PERSONA_PODINIT);
    assert_int_equal(persona_of((enum cli_persona)-1)->id, PERSONA_PODINIT);
}

static void names_choose_the_persona(void **state) {
    (void)state;
    assert_int_equal(persona_named("podinit"), PERSONA_PODINIT);
    assert_int_equal(persona_named("/sbin/tini"), PERSONA_TINI);
    assert_int_equal(persona_named("tini-static"), PERSONA_TINI);
    assert_int_equal(persona_named("docker-init"), PERSONA_TINI);
    assert_int_equal(persona_named("/usr/bin/dumb-init"), PERSONA_DUMB_INIT);
    assert_int_equal(persona_named("catatonit"), PERSONA_CATATONIT);
    assert_int_equal(persona_named("/run/podman-init"), PERSONA_CATATONIT);
    /* the base name is what counts, and only its start */
    assert_int_equal(persona_named("/tini/podinit"), PERSONA_PODINIT);
    assert_int_equal(persona_named("mytini"), PERSONA_PODINIT);
    assert_int_equal(persona_named(""), PERSONA_PODINIT);
    assert_int_equal(persona_named(NULL), PERSONA_PODINIT);
}

static void defaults_follow_each_tool(void **state) {
    (void)state;
    const struct persona *pod = persona_of(PERSONA_PODINIT), *tini = persona_of(PERSONA_TINI),
                         *dumb = persona_of(PERSONA_DUMB_INIT),
                         *cat = persona_of(PERSONA_CATATONIT);
    assert_int_equal(pod->verbosity, LOG_INFO);
    assert_int_equal(tini->verbosity, LOG_WARN);
    assert_int_equal(dumb->verbosity, LOG_ERROR);
    assert_int_equal(cat->verbosity, LOG_WARN);
    /* subreaper: podinit and catatonit; tini only when asked, and warns */
    assert_true(pod->subreaper && cat->subreaper);
    assert_false(tini->subreaper || dumb->subreaper);
    assert_true(tini->warn_subreaper);
    assert_false(pod->warn_subreaper || dumb->warn_subreaper || cat->warn_subreaper);
    /* the group: podinit and dumb-init; a session: dumb-init's only */
    assert_true(pod->signal_group && dumb->signal_group);
    assert_false(tini->signal_group || cat->signal_group);
    assert_true(dumb->setsid && dumb->setsid_starts_session);
    assert_false(pod->setsid || tini->setsid || cat->setsid);
    assert_true(pod->lifecycle);
    assert_false(tini->lifecycle || dumb->lifecycle || cat->lifecycle);
}

static void environment_rules(void **state) {
    (void)state;
    unsigned pod = persona_of(PERSONA_PODINIT)->env, tini = persona_of(PERSONA_TINI)->env,
             dumb = persona_of(PERSONA_DUMB_INIT)->env, cat = persona_of(PERSONA_CATATONIT)->env;
    assert_int_equal(pod, PERSONA_ENV_PODINIT | PERSONA_ENV_TINI_VERBOSITY |
                              PERSONA_ENV_DUMB_INIT_DEBUG | PERSONA_ENV_DUMB_INIT_SETSID);
    assert_int_equal(tini, PERSONA_ENV_TINI_SUBREAPER | PERSONA_ENV_TINI_KILL_GROUP |
                               PERSONA_ENV_TINI_VERBOSITY);
    assert_int_equal(dumb, PERSONA_ENV_DUMB_INIT_DEBUG | PERSONA_ENV_DUMB_INIT_SETSID);
    assert_int_equal(cat, PERSONA_ENV_CATATONIT_DEBUG);
    /* socket activation: the child's own LISTEN_PID in podinit's and
     * catatonit's ways, the environment as it is in tini's and dumb-init's */
    assert_true(persona_of(PERSONA_PODINIT)->listen_pid_to_child);
    assert_true(persona_of(PERSONA_CATATONIT)->listen_pid_to_child);
    assert_false(persona_of(PERSONA_TINI)->listen_pid_to_child);
    assert_false(persona_of(PERSONA_DUMB_INIT)->listen_pid_to_child);
    /* tini: TINI_VERBOSITY replaces -v; podinit: -v wins over it */
    assert_true(persona_of(PERSONA_TINI)->env_verbosity_wins);
    assert_false(persona_of(PERSONA_PODINIT)->env_verbosity_wins);
    assert_true(persona_of(PERSONA_DUMB_INIT)->verbose_means_debug);
}

static void usage_errors_and_wording(void **state) {
    (void)state;
    assert_int_equal(persona_of(PERSONA_PODINIT)->usage_exit, CLI_EXIT_USAGE);
    for (int i = PERSONA_TINI; i < PERSONA_COUNT; i++) {
        const struct persona *p = persona_of((enum cli_persona)i);
        assert_int_equal(p->usage_exit, 1);
        assert_true(p->getopt_wording);
        assert_false(p->own_label);
    }
    assert_true(persona_of(PERSONA_PODINIT)->own_label);
    assert_false(persona_of(PERSONA_PODINIT)->getopt_wording);
    assert_true(persona_of(PERSONA_TINI)->fatal_bad_values);
    assert_true(persona_of(PERSONA_TINI)->hint_by_base_name);
    assert_true(persona_of(PERSONA_DUMB_INIT)->rewrite_numbers);
    assert_true(persona_of(PERSONA_DUMB_INIT)->texts_on_stderr);
    assert_false(persona_of(PERSONA_PODINIT)->texts_on_stderr);
    assert_true(persona_of(PERSONA_CATATONIT)->pause_ignores_program);
    assert_false(persona_of(PERSONA_PODINIT)->pause_ignores_program);
}

static void supervisor_rules(void **state) {
    (void)state;
    const struct persona *pod = persona_of(PERSONA_PODINIT), *tini = persona_of(PERSONA_TINI),
                         *dumb = persona_of(PERSONA_DUMB_INIT),
                         *cat = persona_of(PERSONA_CATATONIT);
    assert_int_equal(tini->term_on_exit, TERM_ON_EXIT_NEVER);
    assert_int_equal(dumb->term_on_exit, TERM_ON_EXIT_ALWAYS);
    assert_int_equal(cat->term_on_exit, TERM_ON_EXIT_WITH_SIGNAL_GROUP);
    assert_int_equal(pod->term_on_exit, TERM_ON_EXIT_WITH_SIGNAL_GROUP);
    assert_true(tini->ignores_tty_io_signals);
    assert_false(pod->ignores_tty_io_signals || dumb->ignores_tty_io_signals);
    assert_true(dumb->suspends_on_tty_stop && dumb->blocks_faults && dumb->tty_stops_stop_group);
    assert_false(pod->suspends_on_tty_stop || pod->blocks_faults || tini->blocks_faults);
    assert_true(dumb->child_gets_default_signals);
    assert_false(pod->child_gets_default_signals || tini->child_gets_default_signals ||
                 cat->child_gets_default_signals);
    assert_string_equal(dumb->session_note, "[dumb-init] setsid complete.\n");
    assert_null(pod->session_note);
    assert_true(pod->runs_config_processes && pod->log_level_from_config);
    assert_false(tini->runs_config_processes || dumb->log_level_from_config);
    assert_string_equal(tini->reap_warning, "Reaped zombie process with pid=%d");
    assert_string_equal(pod->reap_warning, "reaped orphaned process %d");
    assert_string_equal(cat->reap_warning, "reaped orphaned process %d");
}

static void log_styles(void **state) {
    (void)state;
    assert_int_equal(persona_of(PERSONA_PODINIT)->log_style, LOG_STYLE_PODINIT);
    assert_int_equal(persona_of(PERSONA_TINI)->log_style, LOG_STYLE_TINI);
    assert_int_equal(persona_of(PERSONA_DUMB_INIT)->log_style, LOG_STYLE_DUMB_INIT);
    assert_int_equal(persona_of(PERSONA_CATATONIT)->log_style, LOG_STYLE_CATATONIT);
    for (int i = 0; i < PERSONA_COUNT; i++) {
        const struct persona *p = persona_of((enum cli_persona)i);
        assert_int_equal(p->info_on_stdout, i == PERSONA_TINI);
        assert_int_equal(p->json_log, i == PERSONA_PODINIT);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_is_its_own_persona),
        cmocka_unit_test(names_choose_the_persona),
        cmocka_unit_test(defaults_follow_each_tool),
        cmocka_unit_test(environment_rules),
        cmocka_unit_test(usage_errors_and_wording),
        cmocka_unit_test(supervisor_rules),
        cmocka_unit_test(log_styles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
