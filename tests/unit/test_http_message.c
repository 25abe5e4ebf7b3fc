/* tests/unit/test_http_message.c — the pure HTTP parts: the request as it
 * is sent and its one size limit, the status line, the early "not HTTP",
 * and the --probe URL's syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "podinit/http_message.h"
#include "podinit/version.h"

static void the_request_is_a_get_with_host_and_the_headers(void **state) {
    (void)state;
    char out[HTTP_REQUEST_MAX];
    struct http_header h[] = {{"X-Probe", "yes"}, {"Accept-Language", "en"}};
    int n = http_request("127.0.0.1", 8080, "/ready?x=1", h, 2, out, sizeof out);
    const char *want = "GET /ready?x=1 HTTP/1.1\r\n"
                       "Host: 127.0.0.1:8080\r\n"
                       "X-Probe: yes\r\n"
                       "Accept-Language: en\r\n"
                       "User-Agent: podinit/" PODINIT_VERSION "\r\n"
                       "Accept: */*\r\n"
                       "Connection: close\r\n\r\n";
    assert_string_equal(out, want);
    assert_int_equal(n, (int)strlen(want));
    /* an IPv6 host in brackets; a Host header of the caller's replaces ours */
    assert_true(http_request("::1", 9, "/", NULL, 0, out, sizeof out) > 0);
    assert_non_null(strstr(out, "\r\nHost: [::1]:9\r\n"));
    struct http_header host = {"host", "app.internal"};
    assert_true(http_request("127.0.0.1", 80, "/", &host, 1, out, sizeof out) > 0);
    assert_null(strstr(out, "Host: 127.0.0.1"));
    assert_non_null(strstr(out, "\r\nhost: app.internal\r\n"));
}

/* One limit: a request fits when it and its NUL fit in the buffer. */
static void a_request_one_byte_too_long_is_e2big(void **state) {
    (void)state;
    char out[HTTP_REQUEST_MAX];
    int n = http_request("127.0.0.1", 80, "/", NULL, 0, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(http_request("127.0.0.1", 80, "/", NULL, 0, out, (size_t)n + 1), n);
    assert_int_equal(http_request("127.0.0.1", 80, "/", NULL, 0, out, (size_t)n), -E2BIG);
    static char value[HTTP_REQUEST_MAX];
    memset(value, 'v', sizeof value - 1);
    struct http_header big = {"X", value};
    assert_int_equal(http_request("127.0.0.1", 80, "/", &big, 1, out, sizeof out), -E2BIG);
    /* "X: " value CRLF to a request of HTTP_REQUEST_MAX - 1 bytes: fits */
    size_t at = HTTP_REQUEST_MAX - 1 - (size_t)n - 5;
    value[at] = '\0';
    assert_int_equal(http_request("127.0.0.1", 80, "/", &big, 1, out, sizeof out),
                     HTTP_REQUEST_MAX - 1);
    value[at] = 'v'; /* one more: not */
    value[at + 1] = '\0';
    assert_int_equal(http_request("127.0.0.1", 80, "/", &big, 1, out, sizeof out), -E2BIG);
}

static void status_lines_give_their_code(void **state) {
    (void)state;
    assert_int_equal(http_status_of("HTTP/1.1 200 OK\r\n"), 200);
    assert_int_equal(http_status_of("HTTP/1.0 503 Service Unavailable"), 503);
    assert_int_equal(http_status_of("HTTP/1.1 204\r\n"), 204);
    assert_int_equal(http_status_of("HTTP/1.1 302"), 302);
    static const char *const bad[] = {
        "",
        "HTTP/1.1",
        "HTTP/2 200 OK",
        "HTTP/1.1 20",
        "HTTP/1.1 2000 OK",
        "http/1.1 200 OK",
        "HTTP/1.1 600 X",
        "HTTP/1.1  200",
        "SSH-2.0-OpenSSH",
        "HTTP/1.x 200 OK",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (http_status_of(bad[i]) != -EPROTO)
            fail_msg("\"%s\": %d, not -EPROTO", bad[i], http_status_of(bad[i]));
}

static void a_start_no_status_line_has_is_known_early(void **state) {
    (void)state;
    assert_true(http_status_may_follow("", 0));
    assert_true(http_status_may_follow("H", 1));
    assert_true(http_status_may_follow("HTTP/1", 6));
    assert_true(http_status_may_follow("HTTP/1.1 2", 10));
    assert_false(http_status_may_follow("SSH", 3));
    assert_false(http_status_may_follow("HTTP/2", 6));
    assert_false(http_status_may_follow("h", 1));
}

static void urls_are_split_into_their_parts(void **state) {
    (void)state;
    struct http_url u;
    char err[200];
    assert_int_equal(http_parse_url("http://127.0.0.1:8080/ready?x=1", &u, err, 200), 0);
    assert_false(u.tcp);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/ready?x=1");
    assert_int_equal(http_parse_url("http://[fe80::1]", &u, err, 200), 0);
    assert_string_equal(u.host, "fe80::1");
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/");
    assert_int_equal(http_parse_url("tcp://[::1]:5432/", &u, err, 200), 0);
    assert_true(u.tcp);
    assert_int_equal(u.port, 5432);
    /* syntax only: whether the host is an address is the shell's question */
    assert_int_equal(http_parse_url("http://db.example:81/x", &u, err, 200), 0);
    assert_string_equal(u.host, "db.example");
}

static void bad_urls_say_why(void **state) {
    (void)state;
    static char long_host[100], long_path[1100];
    snprintf(long_host, sizeof long_host, "http://%070d/", 0);
    memset(long_path, 'p', sizeof long_path - 1);
    memcpy(long_path, "http://1.2.3.4/", 15);
    static const struct {
        const char *url, *why;
    } bad[] = {
        {"https://127.0.0.1/", "https is not supported"},
        {"", "takes http://"},
        {"http://", "no host"},
        {long_host, "host name too long"},
        {"http://127.0.0.1:/", "from 1 to 65535"},
        {"http://127.0.0.1:123456789/", "from 1 to 65535"},
        {"http://127.0.0.1:-1/", "from 1 to 65535"},
        {"http://[::1]x/", "unexpected text after the host"},
        {"http://[::1", "closing ']'"},
        {long_path, "too long"},
        {"http://127.0.0.1/a\r\nX: y", "line breaks"},
        {"tcp://127.0.0.1", "tcp:// takes HOST:PORT"},
        {"tcp://127.0.0.1:1/x", "tcp:// takes HOST:PORT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_url u;
        char err[200] = "";
        if (http_parse_url(bad[i].url, &u, err, sizeof err) != -1 ||
            strstr(err, bad[i].why) == NULL)
            fail_msg("%.40s: expected '%s', got '%s'", bad[i].url, bad[i].why, err);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_request_is_a_get_with_host_and_the_headers),
        cmocka_unit_test(a_request_one_byte_too_long_is_e2big),
        cmocka_unit_test(status_lines_give_their_code),
        cmocka_unit_test(a_start_no_status_line_has_is_known_early),
        cmocka_unit_test(urls_are_split_into_their_parts),
        cmocka_unit_test(bad_urls_say_why),
    };
    return cmocka_run_group_tests_name("http_message", tests, NULL, NULL);
}
