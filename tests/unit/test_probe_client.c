/* tests/unit/test_probe_client.c — the URLs `podinit --probe` and
 * `podinit --wait` take (a host may be a name), and the ones they refuse
 * with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <string.h>

#include "podinit/probe_client.h"

static void http_and_tcp_urls_are_split(void **state) {
    (void)state;
    struct http_url t;
    char err[200];
    assert_int_equal(probe_client_parse_url("http://127.0.0.1:8080/ready?x=1", &t, err, 200), 0);
    assert_false(t.tcp);
    assert_string_equal(t.host, "127.0.0.1");
    assert_int_equal(t.port, 8080);
    assert_string_equal(t.path, "/ready?x=1");
    assert_int_equal(probe_client_parse_url("http://localhost", &t, err, 200), 0);
    assert_int_equal(t.port, 80);
    assert_string_equal(t.path, "/");
    assert_int_equal(probe_client_parse_url("http://[::1]:9/", &t, err, 200), 0);
    assert_string_equal(t.host, "::1");
    assert_int_equal(t.port, 9);
    assert_int_equal(probe_client_parse_url("tcp://10.0.0.1:5432", &t, err, 200), 0);
    assert_true(t.tcp);
    assert_int_equal(t.port, 5432);
    /* a name is taken as it is: the client resolves it when it checks */
    assert_int_equal(probe_client_parse_url("tcp://db:5432", &t, err, 200), 0);
    assert_string_equal(t.host, "db");
    assert_int_equal(probe_client_parse_url("http://db.example:8080/healthz", &t, err, 200), 0);
    assert_string_equal(t.host, "db.example");
    assert_string_equal(t.path, "/healthz");
}

static void bad_urls_are_refused_with_a_reason(void **state) {
    (void)state;
    static const struct {
        const char *url, *why;
    } bad[] = {
        {"https://127.0.0.1/", "https is not supported"},
        {"127.0.0.1:80", "takes http://"},
        {"http://:80/", "no host"},
        {"http://127.0.0.1:0/", "from 1 to 65535"},
        {"http://127.0.0.1:70000/", "from 1 to 65535"},
        {"http://127.0.0.1:80x/", "from 1 to 65535"},
        {"http://[::1/", "closing ']'"},
        {"", "takes http://"},
        {"ftp://db/", "takes http://"},
        {"tcp://db", "tcp:// takes HOST:PORT"},
        {"tcp://db:", "from 1 to 65535"},
        {"tcp://db:65536", "from 1 to 65535"},
        {"tcp://db:-1", "from 1 to 65535"},
        {"tcp://:5432", "no host"},
        {"http://127.0.0.1/a b", "spaces"},
        {"tcp://127.0.0.1", "tcp:// takes HOST:PORT"},
        {"tcp://127.0.0.1:80/path", "tcp:// takes HOST:PORT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_url t;
        char err[200] = "";
        if (probe_client_parse_url(bad[i].url, &t, err, sizeof err) != -1 ||
            strstr(err, bad[i].why) == NULL)
            fail_msg("%s: expected '%s', got '%s'", bad[i].url, bad[i].why, err);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_and_tcp_urls_are_split),
        cmocka_unit_test(bad_urls_are_refused_with_a_reason),
    };
    return cmocka_run_group_tests_name("probe_client", tests, NULL, NULL);
}
