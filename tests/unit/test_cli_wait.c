/* tests/unit/test_cli_wait.c — `podinit --wait URL [--timeout S]` on the
 * command line: what it takes (names too), its default and --timeout 0,
 * and each bad input with its one line and exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/cli.h"

#include "cli_fixture.h" /* after podinit/cli.h, which it needs */

static void wait_takes_a_url_and_a_timeout(void **state) {
    (void)state;
    struct run r;
    parse(&r, "podinit", "--wait", "tcp://db:5432");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.wait_url, "tcp://db:5432");
    assert_null(r.o.probe_url);
    assert_null(r.o.command);
    assert_int_equal(r.o.probe_timeout_ms, CLI_WAIT_DEFAULT_TIMEOUT_MS);
    assert_int_equal(CLI_WAIT_DEFAULT_TIMEOUT_MS, 30000);
    assert_string_equal(r.err, "");
    done(&r);
    parse(&r, "podinit", "--wait=http://db.example:8080/ready?x=1", "--timeout", "60");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_string_equal(r.o.wait_url, "http://db.example:8080/ready?x=1");
    assert_int_equal(r.o.probe_timeout_ms, 60000);
    done(&r);
    /* --timeout before --wait, a fraction, and 0: one check */
    parse(&r, "podinit", "--timeout=0.25", "--wait", "http://[::1]/");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_int_equal(r.o.probe_timeout_ms, 250);
    done(&r);
    parse(&r, "podinit", "--wait", "tcp://10.0.0.1:1", "--timeout", "0");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_int_equal(r.o.probe_timeout_ms, 0);
    done(&r);
    /* headers go with an http:// wait as with --probe */
    parse(&r, "podinit", "--wait", "http://app/", "--header", "Host: app.example");
    assert_int_equal(r.outcome, CLI_RUN);
    assert_int_equal(r.o.n_probe_headers, 1);
    done(&r);
    /* the PODINIT_* variables of PID 1's environment are not read: an init
     * task inherits them */
    char *env[] = {"PODINIT_GRACE_PERIOD=soon", "PODINIT_CONFIG=/nowhere.json", NULL};
    parse_env(&r, env, "podinit", "--wait", "tcp://db:5432", NULL);
    assert_int_equal(r.outcome, CLI_RUN);
    assert_null(r.o.config_path);
    done(&r);
    /* help still exits 0 */
    parse(&r, "podinit", "--wait", "tcp://db:5432", "--help");
    assert_int_equal(r.outcome, CLI_EXIT);
    assert_int_equal(r.code, 0);
    done(&r);
}

static void wait_bad_urls_exit_2(void **state) {
    (void)state;
    static const struct {
        const char *url, *why;
    } bad[] = {
        {"", "--wait : takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT"},
        {"db:5432", "--wait db:5432: takes http://"},
        {"https://db/", "https is not supported"},
        {"ftp://db/", "--wait ftp://db/: takes http://"},
        {"tcp://db", "--wait tcp://db: tcp:// takes HOST:PORT and nothing else"},
        {"tcp://db:", "the port must be a number from 1 to 65535"},
        {"tcp://db:0", "the port must be a number from 1 to 65535"},
        {"tcp://db:65536", "the port must be a number from 1 to 65535"},
        {"tcp://db:99999999999", "the port must be a number from 1 to 65535"},
        {"http://db:x/", "the port must be a number from 1 to 65535"},
        {"tcp://:5432", "no host"},
        {"tcp://db:5432/x", "tcp:// takes HOST:PORT and nothing else"},
        {"http://db/a b", "spaces"},
        {"http://[::1/", "closing ']'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run r;
        parse(&r, "podinit", "--wait", bad[i].url);
        if (r.outcome != CLI_EXIT || r.code != CLI_EXIT_USAGE ||
            strstr(r.err, bad[i].why) == NULL || strncmp(r.err, "podinit: --wait ", 16) != 0)
            fail_msg("%s: code %d, got '%s'", bad[i].url, r.code, r.err);
        done(&r);
    }
}

static void wait_bad_timeouts_and_combinations_exit_2(void **state) {
    (void)state;
    struct run r;
    const char *url = "tcp://db:5432";
    const char *bad[] = {"-1", "soon", "", "1e3", "1s", "0x10", "31536001", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(&r, "podinit", "--wait", url, "--timeout", bad[i]);
        assert_usage_error(&r, CLI_EXIT_USAGE, "--timeout takes seconds (a decimal number >= 0, at most a year), got '");
        parse(&r, "podinit", "--timeout", bad[i], "--wait", url);
        assert_usage_error(&r, CLI_EXIT_USAGE, "--timeout takes seconds (a decimal number >= 0, at most a year)");
    }
    parse(&r, "podinit", "--wait");
    assert_usage_error(&r, CLI_EXIT_USAGE, "option '--wait' needs a value");
    parse(&r, "podinit", "--wait", url, "--timeout");
    assert_usage_error(&r, CLI_EXIT_USAGE, "option '--timeout' needs a value");
    parse(&r, "podinit", "--wait", url, "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--wait runs no program, but 'true' was given");
    parse(&r, "podinit", "--wait", url, "--", "app", "--flag");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--wait runs no program, but 'app' was given");
    parse(&r, "podinit", "--wait", url, "--wait", "tcp://cache:6379");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--wait takes one URL");
    parse(&r, "podinit", "--wait", url, "--yolo");
    assert_usage_error(&r, CLI_EXIT_USAGE, "unknown option '--yolo'");
    parse(&r, "podinit", "--timeout", "1", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE,
                       "--timeout and --header go with --probe URL or --wait URL");
    parse(&r, "podinit", "--header", "X: y", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE,
                       "--timeout and --header go with --probe URL or --wait URL");
    /* with --probe: refused, and --probe's rule holds (never 2: Docker's
     * HEALTHCHECK reserves it) */
    parse(&r, "podinit", "--wait", url, "--probe", "http://127.0.0.1/");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--wait and --probe do not go together");
    parse(&r, "podinit", "--probe", "http://127.0.0.1/", "--wait", url);
    assert_usage_error(&r, CLI_EXIT_PROBE, "--wait and --probe do not go together");
    /* --probe keeps its own --timeout rule: > 0 */
    parse(&r, "podinit", "--probe", "http://127.0.0.1/", "--timeout", "0");
    assert_usage_error(&r, CLI_EXIT_PROBE, "--timeout takes seconds (a decimal number > 0, at most a year), got '0'");
    /* "--wait" as another option's value, or after the program, is no wait */
    parse(&r, "podinit", "--stop-signal", "--wait", "true");
    assert_usage_error(&r, CLI_EXIT_USAGE, "--stop-signal: '--wait' is not a signal");
    parse(&r, "podinit", "--", "app", "--wait", url);
    assert_int_equal(r.outcome, CLI_RUN);
    assert_null(r.o.wait_url);
    done(&r);
}

/* The personas have no --wait, as they have no --probe: their tool's words
 * for an unknown option, their tool's exit code. */
static void personas_have_no_wait(void **state) {
    (void)state;
    const char *names[] = {"tini", "docker-init", "dumb-init", "catatonit", "podman-init"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct run w, p;
        parse(&w, names[i], "--wait", "tcp://db:5432");
        parse(&p, names[i], "--probe", "tcp://db:5432");
        assert_int_equal(w.outcome, CLI_EXIT);
        assert_int_equal(w.code, p.code);
        assert_int_not_equal(w.code, 0);
        assert_non_null(strstr(w.err, "'--wait'"));
        assert_null(w.o.wait_url);
        done(&w);
        done(&p);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wait_takes_a_url_and_a_timeout),
        cmocka_unit_test(wait_bad_urls_exit_2),
        cmocka_unit_test(wait_bad_timeouts_and_combinations_exit_2),
        cmocka_unit_test(personas_have_no_wait),
    };
    return cmocka_run_group_tests_name("cli_wait", tests, NULL, NULL);
}
