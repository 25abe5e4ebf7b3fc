/* tests/unit/test_health.c — what the health endpoint answers, request by
 * request, and the listen addresses it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdlib.h>
#include <string.h>

#include "podinit/health.h"

static const struct health_process web = {.name = "web", .state = "RUNNING", .pid = 7,
                                          .ready = true};
static const struct health_status up = {.state = "RUNNING", .live = true, .ready = true,
                                        .started = true, .procs = &web, .n_procs = 1};

static char out[HEALTH_MAX_ANSWER];

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
                                "\"state\":\"RUNNING\",\"pid\":7,\"running\":true,"
                                "\"ready\":true,\"restarts\":0,\"lastExit\":null}]}\n"));
    struct health_process two[2] = {web, {.name = "sidecar", .state = "BACKOFF", .restarts = 3,
                                          .exited = true, .last_exit = 143}};
    struct health_status both = up;
    both.procs = two;
    both.n_procs = 2;
    respond("GET /status HTTP/1.1\r\n\r\n", &both);
    assert_non_null(strstr(out, "},{\"name\":\"sidecar\",\"state\":\"BACKOFF\",\"pid\":0,"
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

static void listen_addresses(void **state) {
    (void)state;
    char err[160];
    assert_int_equal(health_parse_listen("0.0.0.0:8086", err, sizeof err), 0);
    assert_int_equal(health_parse_listen("127.0.0.1:1", err, sizeof err), 0);
    assert_int_equal(health_parse_listen("[::]:8086", err, sizeof err), 0);
    assert_int_equal(health_parse_listen(":8086", err, sizeof err), 0);
    assert_int_equal(health_parse_listen("8086", err, sizeof err), -1);
    assert_non_null(strstr(err, "takes ADDRESS:PORT"));
    assert_int_equal(health_parse_listen("0.0.0.0:65536", err, sizeof err), -1);
    assert_non_null(strstr(err, "from 1 to 65535"));
    assert_int_equal(health_parse_listen("localhost:8086", err, sizeof err), -1);
    assert_non_null(strstr(err, "\"localhost\" is not an IP address"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_path_answers_200_or_503),
        cmocka_unit_test(status_is_json_of_the_state_and_the_process),
        cmocka_unit_test(anything_else_gets_an_error_status),
        cmocka_unit_test(requests_are_read_within_their_length),
        cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
