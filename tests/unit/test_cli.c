/* tests/unit/test_cli.c — the command line of every persona: each flag, the
 * environment rules, and every malformed input ending in a clear error.
 * podinit's own lifecycle, signal, probe and log options are in
 * test_cli_podinit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/cli.h"
#include "podinit/log.h"
#include "cli_fixture.h"

static void persona_follows_invocation_name(void **state) {
    (void)state;
    assert_int_equal(cli_persona_of("podinit"), PERSONA_PODINIT);
    assert_int_equal(cli_persona_of("/usr/bin/podinit"), PERSONA_PODINIT);
    assert_int_equal(cli_persona_of("/sbin/tini"), PERSONA_TINI);
    assert_int_equal(cli_persona_of("tini-static"), PERSONA_TINI);
    assert_int_equal(cli_persona_of("/sbin/docker-init"), PERSONA_TINI);
    assert_int_equal(cli_persona_of("/usr/bin/dumb-init"), PERSONA_DUMB_INIT);
    assert_int_equal(cli_persona_of("catatonit"), PERSONA_CATATONIT);
    assert_int_equal(cli_persona_of("/run/podman-init"), PERSONA_CATATONIT);
    assert_int_equal(cli_persona_of(NULL), PERSONA_PODINIT);
}

static void podinit_defaults(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "sleep", "1");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.command[0], "sleep");
    assert_string_equal(r.o.command[1], "1");
    assert_null(r.o.command[2]);
    assert_true(r.o.signal_group);
    assert_true(r.o.subreaper);
    assert_false(r.o.warn_subreaper);
    assert_false(r.o.setsid);
    assert_false(r.o.pause);
    assert_int_equal(r.o.verbosity, LOG_INFO);
    assert_int_equal(r.o.pdeath_signal, 0);
    assert_false(exit_code_remap_has(&r.o.remap, 0));
    done(&r);
}

static void podinit_every_flag(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "-c", "-vv", "-s", "-w", "-p", "SIGHUP", "-r", "TERM:QUIT", "-r", "28:0",
          "-e", "143", "-e3", "--", "app", "-x");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_false(r.o.signal_group);
    assert_int_equal(r.o.verbosity, LOG_INFO + 2);
    assert_true(r.o.subreaper);
    assert_true(r.o.warn_on_reap);
    assert_int_equal(r.o.pdeath_signal, SIGHUP);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTERM), SIGQUIT);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGWINCH), 0);
    assert_true(exit_code_remap_has(&r.o.remap, 143));
    assert_true(exit_code_remap_has(&r.o.remap, 3));
    assert_false(exit_code_remap_has(&r.o.remap, 4));
    assert_string_equal(r.o.command[0], "app");
    assert_string_equal(r.o.command[1], "-x");
    done(&r);

    parse(&r, "podinit", "--single-child", "--verbose", "--pdeath-signal=term",
          "--rewrite", "1:31", "--remap-exit=7", "--warn-on-reap", "--subreaper", "true");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_false(r.o.signal_group);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    assert_int_equal(r.o.pdeath_signal, SIGTERM);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, 1), 31);
    assert_true(exit_code_remap_has(&r.o.remap, 7));
    done(&r);

    parse(&r, "podinit", "-c", "-g", "true");
    assert_true(r.o.signal_group); /* the last word wins */
    done(&r);
    parse(&r, "podinit", "--process-group", "true");
    assert_true(r.o.signal_group);
    done(&r);
}

static void options_stop_at_first_non_option(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "sh", "-c", "exit 3");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.command[0], "sh");
    assert_string_equal(r.o.command[1], "-c");
    assert_true(r.o.signal_group); /* -c went to sh, not to podinit */
    done(&r);
    parse(&r, "podinit", "--", "-v");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.command[0], "-v");
    done(&r);
}

static void podinit_help_version_license(void **state) {
    (void)state;
    struct run r;
    const char *help[] = {"-h", "--help"};
    for (int i = 0; i < 2; i++) {
        parse(&r, "podinit", help[i], "ignored");
        assert_int_equal(r.outcome, CLI_EXIT);
        assert_int_equal(r.code, 0);
        assert_non_null(strstr(r.out, "Usage: podinit"));
        assert_non_null(strstr(r.out, "--rewrite"));
        done(&r);
    }
    const char *ver[] = {"-V", "--version"};
    for (int i = 0; i < 2; i++) {
        parse(&r, "podinit", ver[i]);
        assert_int_equal(r.code, 0);
        /* docker info wants a " - git.HASH" suffix */
        assert_non_null(strstr(r.out, "podinit version "));
        assert_non_null(strstr(r.out, " - git."));
        done(&r);
    }
    const char *lic[] = {"-l", "-L", "--license"};
    for (int i = 0; i < 3; i++) {
        parse(&r, "podinit", lic[i]);
        assert_int_equal(r.code, 0);
        assert_non_null(strstr(r.out, "MIT License"));
        done(&r);
    }
}

static void podinit_pause_mode(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "-P");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_true(r.o.pause);
    assert_null(r.o.command);
    done(&r);
    parse(&r, "podinit", "--pause", "sleep", "1");
    assert_usage_error(&r, CLI_EXIT_USAGE, "runs no program");
}

static void podinit_bad_input(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "--yolo", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "unknown option '--yolo'");
    parse(&r, "podinit", "-x", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "unknown option '-x'");
    parse(&r, "podinit", "--verbose=3", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "unknown option '--verbose=3'");
    parse(&r, "podinit");
    assert_usage_error(&r, CLI_EXIT_USAGE, "no program to run");
    parse(&r, "podinit", "-v", "--");
    assert_usage_error(&r, CLI_EXIT_USAGE, "no program to run");
    parse(&r, "podinit", "");
    assert_usage_error(&r, CLI_EXIT_USAGE, "program name is empty");
    parse(&r, "podinit", "-e", "300", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "-e takes an exit code from 0 to 255, got '300'");
    parse(&r, "podinit", "-e", "-1", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got '-1'");
    parse(&r, "podinit", "-e", "12abc", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got '12abc'");
    parse(&r, "podinit", "-e");
    assert_usage_error(&r, CLI_EXIT_USAGE, "option '-e' needs a value");
    parse(&r, "podinit", "--remap-exit");
    assert_usage_error(&r, CLI_EXIT_USAGE, "option '--remap-exit' needs a value");
    parse(&r, "podinit", "-r", "15", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got '15'");
    parse(&r, "podinit", "-r", "1:32", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got '1:32'");
    parse(&r, "podinit", "-r", "0:1", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got '0:1'");
    parse(&r, "podinit", "-r", "RTMIN:1", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "got 'RTMIN:1'");
    parse(&r, "podinit", "-p", "NOTASIGNAL", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "'NOTASIGNAL' is not a signal");
    parse(&r, "podinit", "-p", "0", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "'0' is not a signal");
}

static void empty_argv_is_refused(void **state) {
    (void)state;
    struct run r;
    size_t ol, el;
    FILE *out = open_memstream(&r.out, &ol), *err = open_memstream(&r.err, &el);
    char *argv[] = {NULL};
    r.outcome = cli_parse(0, argv, no_env, (int)getpid(), out, err, &r.o, &r.code);
    fclose(out);
    fclose(err);
    assert_usage_error(&r, CLI_EXIT_USAGE, "empty argument list");
}

static void podinit_environment(void **state) {
    (void)state;
    struct run r;
    char *env1[] = {"TINI_VERBOSITY=0", "DUMB_INIT_SETSID=0", NULL};
    parse_env(&r, env1, "podinit", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_ERROR);
    assert_false(r.o.signal_group);
    done(&r);
    char *env2[] = {"DUMB_INIT_DEBUG=1", NULL};
    parse_env(&r, env2, "podinit", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    done(&r);
    /* CATATONIT_DEBUG, set to anything (empty too), as catatonit reads it;
     * only in its persona */
    char *env_cat[] = {"CATATONIT_DEBUG=", NULL};
    parse_env(&r, env_cat, "catatonit", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    done(&r);
    parse_env(&r, env_cat, "podinit", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_INFO);
    done(&r);
    /* the command line wins over the environment */
    char *env3[] = {"TINI_VERBOSITY=0", NULL};
    parse_env(&r, env3, "podinit", "-v", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    done(&r);
    /* a longer key that merely starts with the name does not count */
    char *env4[] = {"TINI_VERBOSITYX=0", NULL};
    parse_env(&r, env4, "podinit", "true", NULL);
    assert_int_equal(r.o.verbosity, LOG_INFO);
    done(&r);
}


static void tini_flags_and_defaults(void **state) {
    (void)state;
    struct run r;
    parse(&r, "tini", "sleep", "1");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_false(r.o.signal_group);
    assert_false(r.o.subreaper);
    assert_true(r.o.warn_subreaper);
    assert_int_equal(r.o.verbosity, LOG_WARN);
    done(&r);
    parse(&r, "/sbin/tini", "-s", "-g", "-w", "-vv", "-p", "SIGTERM", "-e", "3", "--", "x");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_true(r.o.subreaper);
    assert_true(r.o.signal_group);
    assert_true(r.o.warn_on_reap);
    assert_int_equal(r.o.verbosity, LOG_WARN + 2);
    assert_int_equal(r.o.pdeath_signal, SIGTERM);
    assert_true(exit_code_remap_has(&r.o.remap, 3));
    done(&r);
}

static void tini_environment(void **state) {
    (void)state;
    struct run r;
    char *env[] = {"TINI_SUBREAPER=", "TINI_KILL_PROCESS_GROUP=1", "TINI_VERBOSITY=3", NULL};
    parse_env(&r, env, "tini", "-v", "x", NULL);
    assert_true(r.o.subreaper);
    assert_true(r.o.signal_group);
    assert_int_equal(r.o.verbosity, 3); /* tini: the variable replaces the -v count */
    done(&r);
}

static void tini_messages(void **state) {
    (void)state;
    struct run r;
    parse(&r, "tini", "--version");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "tini version 0.19.0 - git."));
    done(&r);
    parse(&r, "tini", "-h");
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "Usage: tini [OPTIONS] PROGRAM -- [ARGS] | --version"));
    done(&r);
    parse(&r, "tini", "-l");
    assert_non_null(strstr(r.out, "MIT License"));
    done(&r);
    parse(&r, "tini", "-e", "300", "true");
    assert_usage_error(&r, 1, "Not a valid option for -e: 300");
    parse(&r, "tini", "-p", "NOPE", "true");
    assert_usage_error(&r, 1, "Not a valid option for -p: NOPE");
    parse(&r, "tini", "-c", "true"); /* dumb-init's flag is not tini's */
    assert_usage_error(&r, 1, "invalid option -- 'c'");
    parse(&r, "tini");
    assert_usage_error(&r, 1, "Usage: tini");
}

static void dumb_init_flags_and_environment(void **state) {
    (void)state;
    struct run r;
    parse(&r, "dumb-init", "echo", "hi");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_true(r.o.setsid);
    assert_true(r.o.signal_group);
    assert_false(r.o.subreaper);
    assert_int_equal(r.o.verbosity, LOG_ERROR);
    /* setsid mode: a terminal stop becomes SIGSTOP for the group */
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTSTP), SIGSTOP);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTTIN), SIGSTOP);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTTOU), SIGSTOP);
    done(&r);
    parse(&r, "dumb-init", "-c", "-v", "-r", "20:1", "echo");
    assert_false(r.o.setsid);
    assert_false(r.o.signal_group);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTSTP), SIGHUP);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTTIN), SIGTTIN);
    done(&r);
    parse(&r, "dumb-init", "--single-child", "--verbose", "--rewrite=15:3", "echo");
    assert_false(r.o.setsid);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, 15), 3);
    done(&r);
    char *env[] = {"DUMB_INIT_SETSID=0", "DUMB_INIT_DEBUG=1", NULL};
    parse_env(&r, env, "dumb-init", "echo", NULL);
    assert_false(r.o.setsid);
    assert_false(r.o.signal_group);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGTSTP), SIGTSTP);
    done(&r);
    char *env_off[] = {"DUMB_INIT_SETSID=1", "DUMB_INIT_DEBUG=0", NULL};
    parse_env(&r, env_off, "dumb-init", "echo", NULL);
    assert_true(r.o.setsid);
    assert_int_equal(r.o.verbosity, LOG_ERROR);
    done(&r);
}

static void dumb_init_messages(void **state) {
    (void)state;
    struct run r;
    parse(&r, "dumb-init");
    assert_int_equal(r.code, 1);
    assert_string_equal(r.err, "Usage: dumb-init [option] program [args]\n"
                               "Try dumb-init --help for full usage.\n");
    done(&r);
    parse(&r, "dumb-init", "--help");
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "");
    assert_true(strncmp(r.err, "dumb-init v1.2.5\nUsage: dumb-init [option] command", 49) == 0);
    done(&r);
    parse(&r, "dumb-init", "-V");
    assert_int_equal(r.code, 0);
    assert_string_equal(r.err, "dumb-init v1.2.5\n");
    done(&r);
    parse(&r, "dumb-init", "--yolo", "/bin/true");
    assert_int_equal(r.code, 1);
    assert_string_equal(r.err, "dumb-init: unrecognized option '--yolo'\n");
    done(&r);
    static const char rewrite_help[] =
        "Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31.\n"
        "This option can be specified multiple times.\nUse --help for full usage.\n";
    const char *bad[] = {"", "herp", "herp:derp", "15", "15::12", "15:derp", "0", "1:32",
                         "TERM:INT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(&r, "dumb-init", "-r", bad[i], "echo");
        assert_int_equal(r.outcome, CLI_EXIT);
        assert_int_equal(r.code, 1);
        assert_string_equal(r.err, rewrite_help);
        done(&r);
    }
    parse(&r, "dumb-init", "-r");
    assert_usage_error(&r, 1, "option requires an argument -- 'r'");
}

static void catatonit_flags_and_messages(void **state) {
    (void)state;
    struct run r;
    parse(&r, "catatonit", "sleep", "1");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_false(r.o.signal_group);
    assert_true(r.o.subreaper);
    done(&r);
    parse(&r, "catatonit", "-g", "--", "sleep");
    assert_true(r.o.signal_group);
    done(&r);
    parse(&r, "podman-init", "-P", "ignored");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_true(r.o.pause);
    assert_null(r.o.command);
    done(&r);
    parse(&r, "catatonit", "-V");
    assert_string_equal(r.out, "tini version 0.1.7_catatonit\n");
    done(&r);
    parse(&r, "catatonit", "--version");
    assert_int_equal(r.code, 0);
    done(&r);
    parse(&r, "catatonit", "-L");
    assert_non_null(strstr(r.out, "MIT License"));
    done(&r);
    parse(&r, "catatonit", "-h");
    assert_non_null(strstr(r.out, "usage: catatonit [-ghLPV]"));
    done(&r);
    parse(&r, "catatonit");
    assert_usage_error(&r, 1, "missing program name");
    parse(&r, "catatonit", "--yolo");
    assert_usage_error(&r, 1, "unrecognized option '--yolo'");
}


int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(persona_follows_invocation_name),
        cmocka_unit_test(podinit_defaults),
        cmocka_unit_test(podinit_every_flag),
        cmocka_unit_test(options_stop_at_first_non_option),
        cmocka_unit_test(podinit_help_version_license),
        cmocka_unit_test(podinit_pause_mode),
        cmocka_unit_test(podinit_bad_input),
        cmocka_unit_test(empty_argv_is_refused),
        cmocka_unit_test(podinit_environment),
        cmocka_unit_test(tini_flags_and_defaults),
        cmocka_unit_test(tini_environment),
        cmocka_unit_test(tini_messages),
        cmocka_unit_test(dumb_init_flags_and_environment),
        cmocka_unit_test(dumb_init_messages),
        cmocka_unit_test(catatonit_flags_and_messages),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
