/* tests/unit/test_health_answer.c — what the health endpoint answers,
 * request by request (pure: no socket), the room its answers need, when a
 * request is complete, and the listen address's two parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/health.h"
#include "podinit/health_answer.h"
#include "podinit/lifecycle.h"

static const struct health_process web = {.name = "web", .state = "RUNNING", .pid = 7,
                                          .ready = true};
static const struct health_status up = {.state = "RUNNING", .live = true, .ready = true,
                                        .started = true, .procs = &web, .n_procs = 1};

static char out[4096];

static const char *respond(const char *req, const struct health_status *st) {
    size_t n = health_respond(req, strlen(req), false, st, out, sizeof out);
    assert_true(n < sizeof out);
    out[n] = '\0';
    return out;
}

static void each_path_answers_200_or_503(void **state) {
    (void)state;
    assert_non_null(strstr(respond("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n", &up),
                           "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "\r\n\r\nlive: ok\n"));
    assert_non_null(strstr(respond("GET /readyz HTTP/1.0\r\n\r\n", &up), "HTTP/1.1 200 OK"));
    assert_non_null(strstr(respond("GET /startupz?verbose HTTP/1.1\r\n\r\n", &up), "200 OK"));
    struct health_status draining = up;
    draining.ready = false;
    draining.state = "DRAINING";
    assert_non_null(strstr(respond("GET /readyz HTTP/1.1\r\n\r\n", &draining),
                           "HTTP/1.1 503 Service Unavailable"));
    assert_non_null(strstr(out, "ready: failing\n"));
    assert_non_null(strstr(respond("GET /livez HTTP/1.1\r\n\r\n", &draining), "200 OK"));
    struct health_status starting = up;
    starting.started = false;
    assert_non_null(strstr(respond("GET /startupz HTTP/1.1\r\n\r\n", &starting), "503"));
}

static void status_is_json_of_the_state_and_the_process(void **state) {
    (void)state;
    respond("GET /status HTTP/1.1\r\n\r\n", &up);
    assert_non_null(strstr(out, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(out, "{\"state\":\"RUNNING\",\"live\":true,\"ready\":true,"
                                "\"started\":true,\"processes\":[{\"name\":\"web\","
                                "\"kind\":\"process\",\"state\":\"RUNNING\",\"pid\":7,\"running\":true,"
                                "\"ready\":true,\"restarts\":0,\"lastExit\":null}]}\n"));
    struct health_process two[2] = {web, {.name = "sidecar", .kind = "sidecar", .state = "BACKOFF", .restarts = 3,
                                          .exited = true, .last_exit = 143}};
    struct health_status both = up;
    both.procs = two;
    both.n_procs = 2;
    respond("GET /status HTTP/1.1\r\n\r\n", &both);
    assert_non_null(strstr(out, "},{\"name\":\"sidecar\",\"kind\":\"sidecar\",\"state\":\"BACKOFF\",\"pid\":0,"
                                "\"running\":false,\"ready\":false,\"restarts\":3,"
                                "\"lastExit\":143}]}\n"));
    /* eight processes with the longest names still fit */
    struct health_process many[8];
    for (int i = 0; i < 8; i++)
        many[i] = (struct health_process){
            .name = "a-name-of-sixty-three-characters-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            .state = "TERMINATING", .pid = 4194304, .restarts = 2147483647, .exited = true,
            .last_exit = 255};
    both.procs = many;
    both.n_procs = 8;
    respond("GET /status HTTP/1.1\r\n\r\n", &both);
    assert_non_null(strstr(out, "\"lastExit\":255}]}\n"));
}

static void anything_else_gets_an_error_status(void **state) {
    (void)state;
    assert_non_null(strstr(respond("POST /livez HTTP/1.1\r\n\r\n", &up), "HTTP/1.1 405"));
    assert_non_null(strstr(respond("GET /nope HTTP/1.1\r\n\r\n", &up), "HTTP/1.1 404"));
    assert_non_null(strstr(respond("GET /livezz HTTP/1.1\r\n\r\n", &up), "HTTP/1.1 404"));
    assert_non_null(strstr(respond("\x16\x03\x01garbage\r\n\r\n", &up), "HTTP/1.1 400"));
    assert_non_null(strstr(respond("GET /livez\r\n\r\n", &up), "HTTP/1.1 400"));
    assert_non_null(strstr(respond("GET /livez SPDY/3\r\n\r\n", &up), "HTTP/1.1 400"));
    size_t n = health_respond("GET /aaaa", 9, true, &up, out, sizeof out);
    out[n] = '\0';
    assert_non_null(strstr(out, "HTTP/1.1 431"));
    /* every answer closes the connection and says how long it is */
    assert_non_null(strstr(out, "Connection: close\r\n"));
    assert_non_null(strstr(out, "Content-Length: 18\r\n"));
}

/* Found by fuzz_health: requests are not NUL-terminated; no look may go
 * past the first line (ASan in the fuzzer caught a read past the end). */
static void requests_are_read_within_their_length(void **state) {
    (void)state;
    static const char crash[] = {'E', 'T', (char)0xd8, (char)0xdd, (char)0xd0, (char)0x95, ' ',
                                 'H', 'T', 'T', '1', ' ', '.', 'P', '/', '\n'};
    char *copy = malloc(sizeof crash); /* exactly its length: ASan sees any overrun */
    memcpy(copy, crash, sizeof crash);
    size_t n = health_respond(copy, sizeof crash, false, &up, out, sizeof out);
    out[n] = '\0';
    assert_non_null(strstr(out, "HTTP/1.1 400"));
    memcpy(copy, "GET / HTTP/1.\n", 14);
    n = health_respond(copy, 14, false, &up, out, sizeof out);
    out[n] = '\0';
    assert_non_null(strstr(out, "HTTP/1.1 404")); /* a whole line, read in bounds */
    free(copy);
}

#include "health_fixture.h"

/* The cap from the processes' names holds /status at its widest: whole,
 * with its exact Content-Length; a /status wider than it was sized for is
 * a 500, never cut. */
static void the_answer_cap_fits_the_widest_status(void **state) {
    (void)state;
    struct health_status st = widest_status();
    size_t cap = health_answer_max(&st);
    char *buf = malloc(cap);
    size_t n = health_respond("GET /status HTTP/1.1\r\n\r\n", 24, false, &st, buf, cap);
    assert_true(n > 1024 && n < cap); /* and its NUL (/metrics sets the cap: it is wider) */
    buf[n] = '\0';
    const char *body = body_of(buf, n);
    assert_non_null(strstr(body, "{\"name\":\"p7-000000000000000000000000000000000000000000000000"
                                 "000000000000\",\"kind\":\"process\",\"state\":\"SSSSSSSSSSSSSSS\""));
    assert_string_equal(body + strlen(body) - 4, "}]}\n");
    /* a longer state than it was sized for: a 500, not a cut answer */
    widest[3].state = "XXXXXXXXXXXXXXXX";
    size_t exact = n + 1;
    n = health_respond("GET /status HTTP/1.1\r\n\r\n", 24, false, &st, buf, exact);
    assert_true(n > 0 && n < exact);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "HTTP/1.1 500 Internal Server Error\r\n"));
    body_of(buf, n);
    free(buf);
    /* fewer and shorter names, a smaller cap; never below the other answers' */
    struct health_status one = up;
    assert_true(health_answer_max(&one) < health_answer_max(&st));
    one.n_procs = 0;
    assert_true(health_answer_max(&one) >= 256);
}

/* /metrics: the exact text of a small case, every family with HELP and
 * TYPE, a process's labels on each of its samples. */
static void metrics_are_prometheus_text(void **state) {
    (void)state;
    struct health_process two[2] = {
        {.name = "web", .kind = "process", .state = "RUNNING", .pid = 7, .ready = true,
         .restarts = 2, .exited = true, .last_exit = 137, .probes = 2 | 4,
         .probe_failures = {0, 3, 1}},
        {.name = "db", .kind = "sidecar", .state = "BACKOFF"}};
    struct health_status st = {.state = "RUNNING", .live = true, .ready = false, .started = true,
                               .procs = two, .n_procs = 2,
                               .counters = {.signals_forwarded = 5, .zombies_reaped = 11,
                                            .log_lines_dropped = 0,
                                            .output_lines_dropped = 18446744073709551615ull}};
    respond("GET /metrics HTTP/1.1\r\n\r\n", &st);
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    const char *body = body_of(out, strlen(out));
    assert_string_equal(
        body,
        "# HELP podinit_process_up Whether the process is running.\n"
        "# TYPE podinit_process_up gauge\n"
        "podinit_process_up{process=\"web\",kind=\"process\"} 1\n"
        "podinit_process_up{process=\"db\",kind=\"sidecar\"} 0\n"
        "# HELP podinit_process_ready Whether the process counts as ready.\n"
        "# TYPE podinit_process_ready gauge\n"
        "podinit_process_ready{process=\"web\",kind=\"process\"} 1\n"
        "podinit_process_ready{process=\"db\",kind=\"sidecar\"} 0\n"
        "# HELP podinit_process_restarts_total Restarts of the process.\n"
        "# TYPE podinit_process_restarts_total counter\n"
        "podinit_process_restarts_total{process=\"web\",kind=\"process\"} 2\n"
        "podinit_process_restarts_total{process=\"db\",kind=\"sidecar\"} 0\n"
        "# HELP podinit_process_last_exit_code The exit code of the process's last exit "
        "(128+N for signal N); none before one.\n"
        "# TYPE podinit_process_last_exit_code gauge\n"
        "podinit_process_last_exit_code{process=\"web\",kind=\"process\"} 137\n"
        "# HELP podinit_probe_failures_total Times the probe went failing "
        "(failureThreshold checks failed in a row).\n"
        "# TYPE podinit_probe_failures_total counter\n"
        "podinit_probe_failures_total{process=\"web\",kind=\"process\",probe=\"readiness\"} 3\n"
        "podinit_probe_failures_total{process=\"web\",kind=\"process\",probe=\"liveness\"} 1\n"
        "# HELP podinit_container_live Whether /livez answers 200.\n"
        "# TYPE podinit_container_live gauge\n"
        "podinit_container_live 1\n"
        "# HELP podinit_container_ready Whether /readyz answers 200.\n"
        "# TYPE podinit_container_ready gauge\n"
        "podinit_container_ready 0\n"
        "# HELP podinit_container_state The container's state (the main process's).\n"
        "# TYPE podinit_container_state gauge\n"
        "podinit_container_state{state=\"RUNNING\"} 1\n"
        "# HELP podinit_signals_forwarded_total Signals podinit passed on.\n"
        "# TYPE podinit_signals_forwarded_total counter\n"
        "podinit_signals_forwarded_total 5\n"
        "# HELP podinit_zombies_reaped_total Children podinit reaped, of all kinds.\n"
        "# TYPE podinit_zombies_reaped_total counter\n"
        "podinit_zombies_reaped_total 11\n"
        "# HELP podinit_log_lines_dropped_total podinit's log lines its stderr could not take.\n"
        "# TYPE podinit_log_lines_dropped_total counter\n"
        "podinit_log_lines_dropped_total 0\n"
        "# HELP podinit_output_lines_dropped_total Processes' output lines (output prefix or "
        "json) podinit could not pass on.\n"
        "# TYPE podinit_output_lines_dropped_total counter\n"
        "podinit_output_lines_dropped_total 18446744073709551615\n");
    /* GET only, as for every path */
    assert_non_null(strstr(respond("POST /metrics HTTP/1.1\r\n\r\n", &st), "HTTP/1.1 405"));
    assert_non_null(strstr(respond("GET /nope HTTP/1.1\r\n\r\n", &st), "/metrics"));
}

/* The cap holds /metrics at its widest too: every probe, every counter
 * and number at its largest; whole, never cut. */
static void the_answer_cap_fits_the_widest_metrics(void **state) {
    (void)state;
    struct health_status st = widest_status();
    for (size_t i = 0; i < st.n_procs; i++) {
        widest[i].kind = "sidecar";
        widest[i].pid = 1;
        widest[i].probes = 7;
        for (int k = 0; k < 3; k++)
            widest[i].probe_failures[k] = 18446744073709551615ull;
    }
    st.counters = (struct health_counters){18446744073709551615ull, 18446744073709551615ull,
                                           18446744073709551615ull, 18446744073709551615ull};
    size_t cap = health_answer_max(&st);
    char *buf = malloc(cap);
    size_t n = health_respond("GET /metrics HTTP/1.1\r\n\r\n", 25, false, &st, buf, cap);
    assert_true(n > 0 && n < cap);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
    const char *body = body_of(buf, n);
    assert_string_equal(body + strlen(body) - 21, "18446744073709551615\n");
    assert_int_equal(n, cap - 1); /* /metrics is the widest answer: sized exactly */
    free(buf);
}

/* Whatever the room, never a cut answer: a whole one, with its length. */
static void status_is_never_cut(void **state) {
    (void)state;
    struct health_status st = widest_status();
    static char small[1024];
    size_t n = health_respond("GET /status HTTP/1.1\r\n\r\n", 24, false, &st, small, sizeof small);
    assert_true(n > 0 && n < sizeof small);
    small[n] = '\0';
    assert_non_null(strstr(small, "HTTP/1.1 500"));
    body_of(small, n);
}

/* The other answers fit the floor health_answer_max never goes below. */
static void every_other_answer_fits_in_256_bytes(void **state) {
    (void)state;
    static const char *const reqs[] = {
        "GET /livez HTTP/1.1\r\n\r\n",    "GET /readyz HTTP/1.1\r\n\r\n",
        "GET /startupz HTTP/1.1\r\n\r\n", "GET /nope HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\n\r\n",        "garbage\r\n\r\n"};
    struct health_status down = up;
    down.live = down.ready = down.started = false;
    char buf[256];
    for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
        assert_true(health_respond(reqs[i], strlen(reqs[i]), false, &up, buf, sizeof buf) > 0);
        assert_true(health_respond(reqs[i], strlen(reqs[i]), false, &down, buf, sizeof buf) > 0);
    }
    assert_true(health_respond("GET /", 5, true, &up, buf, sizeof buf) > 0); /* 431 */
}

/* /status is sized for states of at most HEALTH_MAX_STATE characters. */
static void every_lifecycle_state_fits(void **state) {
    (void)state;
    for (int s = LC_STARTING; s <= LC_BACKOFF; s++)
        assert_true(strlen(lifecycle_state_name((enum lifecycle_state)s)) <= HEALTH_MAX_STATE);
}

static void a_request_ends_at_an_empty_line(void **state) {
    (void)state;
    const char crlf[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_true(health_request_complete(crlf, sizeof crlf - 1));
    assert_false(health_request_complete(crlf, sizeof crlf - 2)); /* the last \n not yet */
    assert_true(health_request_complete("GET / HTTP/1.0\n\n", 16));
    assert_false(health_request_complete("GET / HTTP/1.0\n", 15));
    assert_false(health_request_complete("GET / HTTP/1.1\r\nHost: x\r\n", 25));
    assert_false(health_request_complete("", 0));
    /* Only the bytes given count: a terminator past len is not seen. */
    assert_false(health_request_complete("GET /\n\n", 6));
}

static void listen_specs_split_into_host_and_port(void **state) {
    (void)state;
    char host[64], err[160];
    int port = 0;
    assert_int_equal(health_split_listen("0.0.0.0:8086", host, sizeof host, &port, err, sizeof err),
                     0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 8086);
    assert_int_equal(health_split_listen("[::1]:1", host, sizeof host, &port, err, sizeof err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 1);
    assert_int_equal(health_split_listen(":65535", host, sizeof host, &port, err, sizeof err), 0);
    assert_string_equal(host, "");
    assert_int_equal(port, 65535);
    assert_int_equal(health_split_listen("8086", host, sizeof host, &port, err, sizeof err), -1);
    assert_non_null(strstr(err, "takes ADDRESS:PORT"));
    assert_int_equal(health_split_listen("x:0", host, sizeof host, &port, err, sizeof err), -1);
    assert_non_null(strstr(err, "from 1 to 65535"));
    assert_int_equal(health_split_listen("x:", host, sizeof host, &port, err, sizeof err), -1);
    char small[4];
    assert_int_equal(health_split_listen("1.2.3.4:80", small, sizeof small, &port, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "too long"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_path_answers_200_or_503),
        cmocka_unit_test(status_is_json_of_the_state_and_the_process),
        cmocka_unit_test(anything_else_gets_an_error_status),
        cmocka_unit_test(requests_are_read_within_their_length),
        cmocka_unit_test(the_answer_cap_fits_the_widest_status),
        cmocka_unit_test(status_is_never_cut),
        cmocka_unit_test(metrics_are_prometheus_text),
        cmocka_unit_test(the_answer_cap_fits_the_widest_metrics),
        cmocka_unit_test(every_other_answer_fits_in_256_bytes),
        cmocka_unit_test(every_lifecycle_state_fits),
        cmocka_unit_test(a_request_ends_at_an_empty_line),
        cmocka_unit_test(listen_specs_split_into_host_and_port),
    };
    return cmocka_run_group_tests_name("health_answer", tests, NULL, NULL);
}
