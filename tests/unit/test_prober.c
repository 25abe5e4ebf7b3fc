/* tests/unit/test_prober.c — socket probes on the loop: a tcpSocket check
 * watched while in flight and unwatched when done, an httpGet check that
 * sends its request and reads the status line, and a stop that leaves no
 * socket watched. Against a listener on 127.0.0.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/loop.h"
#include "podinit/prober.h"

#include "listener_fixture.h"

struct change {
    int n;
    enum prober_kind kind;
    enum probe_result result;
    char why[64];
};

static void on_change(void *ctx, enum prober_kind kind, enum probe_result r, const char *why) {
    struct change *c = ctx;
    c->n++;
    c->kind = kind;
    c->result = r;
    snprintf(c->why, sizeof c->why, "%s", why);
}

struct rig {
    struct loop loop;
    struct config_process proc;
    struct hooks_context exec_ctx;
    struct prober pr;
    struct change change;
};

/* A readiness probe of check, started: its first check under way. */
static void set_up_check(struct rig *r, struct config_hook check) {
    memset(r, 0, sizeof *r);
    sigset_t none;
    sigemptyset(&none);
    assert_int_equal(loop_init(&r->loop, &none, NULL, NULL), 0);
    r->proc.readiness = (struct config_probe){
        .check = check,
        .present = true,
        .timing = {.period_ms = 10000, .timeout_ms = 5000, .success_threshold = 1,
                   .failure_threshold = 1}};
    prober_init(&r->pr, &r->proc, &r->loop, &r->exec_ctx, on_change, &r->change);
    int64_t now = loop_now_ms();
    prober_start(&r->pr, PROBER_READINESS, now);
    prober_tick(&r->pr, now);
}

static void set_up(struct rig *r, enum config_hook_kind kind, int port) {
    set_up_check(r, (struct config_hook){.kind = kind, .port = port});
}

/* Rounds of the loop until the result changes (bounded). */
static void wait_for_change(struct rig *r) {
    loop_set_deadline(&r->loop, loop_now_ms() + 5000);
    while (r->change.n == 0 && loop_wait(&r->loop) == 0)
        ;
}

/* The check's connection, accepted, and its whole request (up to the
 * blank line) read into req[cap] while the loop runs the prober (bounded). */
static int accept_request(struct rig *r, int lfd, char *req, size_t cap) {
    loop_set_deadline(&r->loop, loop_now_ms() + 5000);
    int client = accept(lfd, NULL, NULL);
    assert_true(client >= 0);
    size_t got = 0;
    while (got < 4 || memcmp(req + got - 4, "\r\n\r\n", 4) != 0) {
        assert_int_equal(loop_wait(&r->loop), 0);
        ssize_t n = recv(client, req + got, cap - 1 - got, MSG_DONTWAIT);
        got += n > 0 ? (size_t)n : 0;
        assert_true(got < cap - 1);
    }
    req[got] = '\0';
    return client;
}

static void tcp_socket_check_is_watched_while_in_flight(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    struct rig r;
    set_up(&r, HOOK_TCP_SOCKET, port);
    assert_int_equal(r.loop.n_active, 1); /* the connecting socket */
    wait_for_change(&r);
    assert_int_equal(r.change.n, 1);
    assert_int_equal(r.change.kind, PROBER_READINESS);
    assert_int_equal(r.change.result, PROBE_PASSING);
    assert_string_equal(r.change.why, "connected");
    assert_int_equal(r.loop.n_active, 0); /* done: unwatched and closed */
    assert_true(prober_next_wakeup(&r.pr) > 0); /* the next period */
    prober_stop_all(&r.pr);
    loop_close(&r.loop);
    close(lfd);
}

static void http_get_check_reads_the_status_line(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    struct rig r;
    set_up(&r, HOOK_HTTP_GET, port);
    /* Connected and the request sent: then it waits for the answer. */
    char req[512];
    int client = accept_request(&r, lfd, req, sizeof req);
    assert_non_null(strstr(req, "GET / HTTP/1."));
    assert_int_equal(r.change.n, 0);
    const char answer[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(send(client, answer, sizeof answer - 1, 0), (ssize_t)sizeof answer - 1);
    wait_for_change(&r);
    assert_int_equal(r.change.n, 1);
    assert_int_equal(r.change.result, PROBE_FAILING);
    assert_string_equal(r.change.why, "HTTP 503");
    assert_int_equal(r.loop.n_active, 0);
    close(client);
    prober_stop_all(&r.pr);
    loop_close(&r.loop);
    close(lfd);
}

/* The request limit is the one the config loader checks
 * (HTTP_REQUEST_MAX), not a smaller buffer of the prober's own: a request
 * of 5000 bytes goes out whole. */
static void a_large_request_the_config_allows_is_sent_whole(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    static char value[5000];
    memset(value, 'a', sizeof value - 1);
    struct http_header h = {"X-Large", value};
    struct rig r;
    struct config_hook check = {.kind = HOOK_HTTP_GET, .port = port, .path = "/big"};
    check.headers = &h;
    check.n_headers = 1;
    set_up_check(&r, check);
    assert_int_equal(r.change.n, 0); /* under way, not refused */
    static char req[HTTP_REQUEST_MAX];
    int client = accept_request(&r, lfd, req, sizeof req);
    assert_non_null(strstr(req, "GET /big HTTP/1.1\r\n"));
    assert_non_null(strstr(req, value));
    const char answer[] = "HTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(send(client, answer, sizeof answer - 1, 0), (ssize_t)sizeof answer - 1);
    wait_for_change(&r);
    assert_int_equal(r.change.result, PROBE_PASSING);
    assert_string_equal(r.change.why, "HTTP 200");
    close(client);
    prober_stop_all(&r.pr);
    loop_close(&r.loop);
    close(lfd);
}

static void a_stopped_check_leaves_nothing_watched(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    struct rig r;
    set_up(&r, HOOK_HTTP_GET, port);
    assert_int_equal(r.loop.n_active, 1);
    prober_stop(&r.pr, PROBER_READINESS);
    assert_int_equal(r.loop.n_active, 0);
    loop_set_deadline(&r.loop, loop_now_ms() + 50);
    assert_int_equal(loop_wait(&r.loop), 1); /* nothing wakes it */
    assert_int_equal(r.change.n, 0);
    assert_int_equal(prober_next_wakeup(&r.pr), 0);
    loop_close(&r.loop);
    close(lfd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_socket_check_is_watched_while_in_flight),
        cmocka_unit_test(http_get_check_reads_the_status_line),
        cmocka_unit_test(a_large_request_the_config_allows_is_sent_whole),
        cmocka_unit_test(a_stopped_check_leaves_nothing_watched),
    };
    return cmocka_run_group_tests_name("prober", tests, NULL, NULL);
}
