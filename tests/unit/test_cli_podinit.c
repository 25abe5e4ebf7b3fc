/* tests/unit/test_cli_podinit.c — podinit's own options on the command line
 * and in PODINIT_* variables: the shutdown lifecycle, the signals it can and
 * cannot take, --probe's usage errors, the log options. */
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

static void podinit_lifecycle_options(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "true");
    assert_true(r.o.lifecycle);
    assert_int_equal(r.o.grace_ms, 30000);
    assert_int_equal(r.o.prestop_delay_ms, 0);
    assert_int_equal(r.o.stop_signal, 0);
    done(&r);
    parse(&r, "podinit", "--grace-period", "2.5", "--prestop-delay=0.2", "--stop-signal", "quit",
          "true");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_int_equal(r.o.grace_ms, 2500);
    assert_int_equal(r.o.prestop_delay_ms, 200);
    assert_int_equal(r.o.stop_signal, SIGQUIT);
    done(&r);
    const struct { const char *text; int64_t ms; } durations[] = {
        {"0", 0}, {"30", 30000}, {".5", 500}, {"0.2", 200}, {"1.", 1000}, {"0.0004", 0},
        {"0.0005", 1}, {"2.9999", 3000}, {"31536000", 31536000000}, {"007", 7000}};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        parse(&r, "podinit", "--grace-period", durations[i].text, "true");
        assert_int_equal(r.outcome, CLI_RUN);
        assert_int_equal(r.o.grace_ms, durations[i].ms);
        done(&r);
    }
    /* environment below the command line */
    char *env[] = {"PODINIT_GRACE_PERIOD=7", "PODINIT_PRESTOP_DELAY=3", "PODINIT_STOP_SIGNAL=INT",
                   NULL};
    parse_env(&r, env, "podinit", "--grace-period", "1", "true", NULL);
    assert_int_equal(r.o.grace_ms, 1000);
    assert_int_equal(r.o.prestop_delay_ms, 3000);
    assert_int_equal(r.o.stop_signal, SIGINT);
    done(&r);
    /* the other personas keep their tool's behaviour */
    parse(&r, "tini", "true");
    assert_false(r.o.lifecycle);
    done(&r);
    parse(&r, "dumb-init", "true");
    assert_false(r.o.lifecycle);
    done(&r);
    parse(&r, "tini", "--grace-period", "1", "true");
    assert_usage_error(&r, 1, "unrecognized option '--grace-period'");
}

static void podinit_lifecycle_bad_input(void **state) {
    (void)state;
    struct run r;
    const char *bad[] = {"-1", "abc", "", ".", "1.2.3", "1e999", "nan", "inf", "1s", "31536001",
                         "31536000.001", "0x10", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(&r, "podinit", "--grace-period", bad[i], "true");
        assert_usage_error(&r, CLI_EXIT_USAGE, "--grace-period takes seconds");
        parse(&r, "podinit", "--prestop-delay", bad[i], "true");
        assert_usage_error(&r, CLI_EXIT_USAGE, "--prestop-delay takes seconds");
    }
    const char *badsig[] = {"KILL", "STOP", "CHLD", "NOPE", "0"};
    for (size_t i = 0; i < sizeof badsig / sizeof badsig[0]; i++) {
        parse(&r, "podinit", "--stop-signal", badsig[i], "true");
        assert_usage_error(&r, CLI_EXIT_USAGE, "--stop-signal");
    }
    char *env1[] = {"PODINIT_GRACE_PERIOD=soon", NULL};
    parse_env(&r, env1, "podinit", "true", NULL);
    assert_usage_error(&r, CLI_EXIT_USAGE, "PODINIT_GRACE_PERIOD takes seconds");
    char *env2[] = {"PODINIT_PRESTOP_DELAY=-2", NULL};
    parse_env(&r, env2, "podinit", "true", NULL);
    assert_usage_error(&r, CLI_EXIT_USAGE, "PODINIT_PRESTOP_DELAY takes seconds");
    char *env3[] = {"PODINIT_STOP_SIGNAL=KILL", NULL};
    parse_env(&r, env3, "podinit", "true", NULL);
    assert_usage_error(&r, CLI_EXIT_USAGE, "PODINIT_STOP_SIGNAL");
    /* a bad variable is not an error when the command line overrides it */
    parse_env(&r, env1, "podinit", "--grace-period", "3", "true", NULL);
    assert_int_equal(r.outcome, CLI_RUN);
    done(&r);
}

/* Stop signals, -r sources and -p are received by podinit: each signal it
 * cannot take is refused in one line naming it and why. */
static void signals_podinit_cannot_take_are_refused(void **state) {
    (void)state;
    struct run r;
    static const struct {
        const char *opt, *value, *expected;
    } bad[] = {
        {"--stop-signals", "ABRT",
         "podinit: --stop-signals: SIGABRT cannot be a stop signal: podinit leaves the fault "
         "signals unblocked, so one sent to it would kill it\n"},
        {"--stop-signals", "TERM,SEGV", "SIGSEGV cannot be a stop signal: podinit leaves"},
        {"--stop-signals", "BUS", "SIGBUS cannot be a stop signal"},
        {"--stop-signals", "FPE", "SIGFPE cannot be a stop signal"},
        {"--stop-signals", "ILL", "SIGILL cannot be a stop signal"},
        {"--stop-signals", "TRAP", "SIGTRAP cannot be a stop signal"},
        {"--stop-signals", "SYS", "SIGSYS cannot be a stop signal"},
        {"--stop-signals", "32",
         "podinit: --stop-signals: SIG32 cannot be a stop signal: the C "
         "library reserves it for its threads\n"},
        {"--stop-signals", "INT,33", "SIG33 cannot be a stop signal: the C library"},
        {"--stop-signals", "KILL", "SIGKILL cannot be a stop signal: it cannot be caught\n"},
        {"--stop-signals", "STOP", "SIGSTOP cannot be a stop signal: it cannot be caught\n"},
        {"--stop-signals", "CHLD", "SIGCHLD cannot be a stop signal: it is podinit's own"},
        {"--stop-signals", "TERM,NOPE", "--stop-signals takes a comma-separated list"},
        {"--stop-signal", "33",
         "podinit: --stop-signal: SIG33 cannot be a stop signal: the C "
         "library reserves it"},
        {"--stop-signal", "KILL", "SIGKILL cannot be a stop signal: it cannot be caught"},
        {"--stop-signal", "NOPE", "podinit: --stop-signal: 'NOPE' is not a signal name or number"},
        {"-r", "SEGV:TERM",
         "podinit: --rewrite SEGV:TERM: SIGSEGV cannot be rewritten: podinit "
         "leaves the fault signals unblocked, so one sent to it would kill it\n"},
        {"-r", "6:0", "SIGABRT cannot be rewritten"},
        {"-r", "9:15", "podinit: --rewrite 9:15: SIGKILL cannot be rewritten: it cannot be caught"},
        {"-r", "STOP:TERM", "SIGSTOP cannot be rewritten"},
        {"-r", "CHLD:0", "SIGCHLD cannot be rewritten"},
        {"-p", "KILL",
         "podinit: --pdeath-signal: SIGKILL cannot be the parent-death signal: it "
         "cannot be caught\n"},
        {"-p", "STOP", "SIGSTOP cannot be the parent-death signal"},
        {"-p", "SEGV", "SIGSEGV cannot be the parent-death signal: podinit leaves"},
        {"-p", "32", "SIG32 cannot be the parent-death signal: the C library"},
        {"-p", "CHLD", "SIGCHLD cannot be the parent-death signal"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(&r, "podinit", bad[i].opt, bad[i].value, "true");
        if (r.outcome != CLI_EXIT || r.code != CLI_EXIT_USAGE ||
            strstr(r.err, bad[i].expected) == NULL ||
            strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
            fail_msg("%s %s: expected '%s', got code %d: '%s'", bad[i].opt, bad[i].value,
                     bad[i].expected, r.code, r.err);
        done(&r);
    }
    char *env[] = {"PODINIT_STOP_SIGNALS=INT,ABRT", NULL};
    parse_env(&r, env, "podinit", "true", NULL);
    assert_usage_error(&r, CLI_EXIT_USAGE,
                       "podinit: PODINIT_STOP_SIGNALS: SIGABRT cannot be a stop signal");
}

/* The same rules in the other personas, and what podinit can take. */
static void signals_the_personas_take_or_refuse(void **state) {
    (void)state;
    struct run r;
    /* tini's -p: tini's words */
    parse(&r, "tini", "-p", "SIGKILL", "true");
    assert_usage_error(&r, 1, "Not a valid option for -p: SIGKILL");
    /* dumb-init blocks the faults and forwards a kill -SEGV: it may rewrite
     * one, but not what it never receives */
    parse(&r, "dumb-init", "-r", "11:15", "-r", "31:1", "echo");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGSEGV), SIGTERM);
    done(&r);
    parse(&r, "dumb-init", "-r", "9:15", "echo");
    assert_usage_error(&r, 1, "dumb-init: --rewrite 9:15: SIGKILL cannot be rewritten");

    /* what podinit can take: real-time signals; a fault where it is only sent */
    parse(&r, "podinit", "--stop-signals", "RTMIN+3,RTMAX,TERM", "--stop-signal", "ABRT", "-p",
          "RTMIN", "-r", "HUP:SEGV", "true");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_true(r.o.stop_signals ==
                ((UINT64_C(1) << (SIGRTMIN + 2)) | (UINT64_C(1) << (SIGRTMAX - 1)) |
                 (UINT64_C(1) << (SIGTERM - 1))));
    assert_int_equal(r.o.stop_signal, SIGABRT);
    assert_int_equal(r.o.pdeath_signal, SIGRTMIN);
    assert_int_equal(signals_rewrite_apply(&r.o.rewrite, SIGHUP), SIGSEGV);
    done(&r);
}

/* --probe never exits 2, which Docker's HEALTHCHECK reserves: its usage
 * errors are failures (1) like any other, wherever --probe stands. */
static void probe_usage_errors_exit_1(void **state) {
    (void)state;
    struct run r;
    const char *url = "http://127.0.0.1:8080/ready";
    parse(&r, "podinit", "--probe", url, "--timeout", "0");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--timeout takes seconds (a decimal number > 0, at most a year), got '0'");
    parse(&r, "podinit", "--timeout", "0", "--probe", url);
    assert_usage_error(&r, CLI_EXIT_PROBE, "--timeout takes seconds");
    parse(&r, "podinit", "--timeout=0", "--probe=http://127.0.0.1/");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--timeout takes seconds");
    parse(&r, "podinit", "--probe", url, "--header", "novalue");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--header takes Name:value, got 'novalue'");
    parse(&r, "podinit", "--probe", url, "--header", "X: a\r\nInjected: b");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--header takes Name:value");
    static char *argv17[2 + 2 * 17 + 1];
    argv17[0] = "podinit";
    argv17[1] = "--probe=http://127.0.0.1/";
    for (int i = 0; i < 17; i++) {
        argv17[2 + 2 * i] = "--header";
        argv17[3 + 2 * i] = "X-N: v";
    }
    size_t ol, el;
    FILE *out = open_memstream(&r.out, &ol), *err = open_memstream(&r.err, &el);
    r.outcome = cli_parse(2 + 2 * 17, argv17, no_env, (int)getpid(), out, err, &r.o, &r.code);
    fclose(out);
    fclose(err);
    assert_usage_error(&r, CLI_EXIT_PROBE, "at most 16 --header options");
    parse(&r, "podinit", "--probe");
    assert_usage_error(&r, CLI_EXIT_PROBE, "option '--probe' needs a value");
    parse(&r, "podinit", "--probe", url, "--timeout");
    assert_usage_error(&r, CLI_EXIT_PROBE, "option '--timeout' needs a value");
    parse(&r, "podinit", "--probe", url, "--yolo");
    assert_usage_error(&r, CLI_EXIT_PROBE, "unknown option '--yolo'");
    parse(&r, "podinit", "--yolo", "--probe", url);
    assert_usage_error(&r, CLI_EXIT_PROBE, "unknown option '--yolo'");
    parse(&r, "podinit", "-vx", "--probe", url);
    assert_usage_error(&r, CLI_EXIT_PROBE, "unknown option '-x'");
    parse(&r, "podinit", "--probe", url, "true");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--probe runs no program, but 'true' was given");
    parse(&r, "podinit", "--grace-period", "soon", "--probe", url);
    assert_usage_error(&r, CLI_EXIT_PROBE, "--grace-period takes seconds");
    /* the PODINIT_* variables configure a run, not the probe */
    char *env[] = {"PODINIT_GRACE_PERIOD=soon", "PODINIT_STOP_SIGNALS=KILL", NULL};
    parse_env(&r, env, "podinit", "--probe", url, NULL);
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.probe_url, url);
    assert_int_equal(r.o.probe_timeout_ms, 1000);
    done(&r);
    /* "--probe" as the value of another option, or after the program, is no probe */
    parse(&r, "podinit", "-r", "--probe", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "-r takes FROM:TO");
    parse(&r, "podinit", "--stop-signals=KILL", "--", "app", "--probe", url);
    assert_usage_error(&r, CLI_EXIT_USAGE, "SIGKILL cannot be a stop signal");
    parse(&r, "podinit", "--timeout", "1", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--timeout and --header go with --probe URL");
    /* help still exits 0 */
    parse(&r, "podinit", "--probe", url, "--help");
    assert_int_equal(r.code, 0);
    done(&r);
}

static void podinit_log_options(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "true");
    assert_false(r.o.log_json);
    done(&r);
    parse(&r, "podinit", "--log-format", "json", "--log-level=warn", "true");
    assert_true(r.o.log_json);
    assert_int_equal(r.o.verbosity, LOG_WARN);
    done(&r);
    parse(&r, "podinit", "--log-level", "error", "-v", "true"); /* -v counts on top */
    assert_int_equal(r.o.verbosity, LOG_WARN);
    done(&r);
    char *env[] = {"PODINIT_LOG_FORMAT=json", "PODINIT_LOG_LEVEL=debug", "TINI_VERBOSITY=0", NULL};
    parse_env(&r, env, "podinit", "true", NULL);
    assert_true(r.o.log_json);
    assert_int_equal(r.o.verbosity, LOG_DEBUG);
    done(&r);
    parse_env(&r, env, "podinit", "--log-format", "text", "--log-level", "info", "true", NULL);
    assert_false(r.o.log_json); /* the command line wins */
    assert_int_equal(r.o.verbosity, LOG_INFO);
    done(&r);
    parse(&r, "podinit", "--log-format", "yaml", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--log-format takes text or json, got 'yaml'");
    parse(&r, "podinit", "--log-level", "loud", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--log-level takes error, warn, info, debug or trace");
    char *bad[] = {"PODINIT_LOG_LEVEL=INFO", NULL};
    parse_env(&r, bad, "podinit", "true", NULL);
    assert_usage_error(&r, CLI_EXIT_USAGE, "PODINIT_LOG_LEVEL takes");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(podinit_lifecycle_options),
        cmocka_unit_test(podinit_lifecycle_bad_input),
        cmocka_unit_test(signals_podinit_cannot_take_are_refused),
        cmocka_unit_test(signals_the_personas_take_or_refuse),
        cmocka_unit_test(probe_usage_errors_exit_1),
        cmocka_unit_test(podinit_log_options),
    };
    return cmocka_run_group_tests_name("cli_podinit", tests, NULL, NULL);
}
