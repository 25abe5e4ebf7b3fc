/* tests/unit/test_http_client.c — the one HTTP client on a real loop,
 * against a listener of the test's own on 127.0.0.1: the test plays the
 * server (accepts, reads, answers in pieces, or never), the loop moves the
 * client on. Refused, timed out, a split reply, one that is not HTTP,
 * 2xx/3xx/4xx, a request too large, a send that does not fit at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/http_client.h"
#include "podinit/loop.h"

#include "listener_fixture.h"

struct outcome {
    int n;
    int result;
    char why[64];
};

static void on_done(void *ctx, int result, const char *why) {
    struct outcome *o = ctx;
    o->n++;
    o->result = result;
    snprintf(o->why, sizeof o->why, "%s", why);
}

struct rig {
    struct loop loop;
    struct http_client c;
    struct outcome out;
    int lfd, port, server; /* the listener, its port, the accepted side */
};

static void set_up(struct rig *r) {
    memset(r, 0, sizeof *r);
    sigset_t none;
    sigemptyset(&none);
    assert_int_equal(loop_init(&r->loop, &none, NULL, NULL), 0);
    http_client_init(&r->c);
    r->lfd = listener(&r->port);
    r->server = -1;
}

static void tear_down(struct rig *r) {
    http_client_cancel(&r->c);
    assert_int_equal(r->loop.n_active, 0); /* nothing left watched */
    if (r->server >= 0)
        close(r->server);
    if (r->lfd >= 0)
        close(r->lfd);
    loop_close(&r->loop);
}

static int start(struct rig *r, const char *path, const struct http_header *h, size_t n,
                 int64_t timeout_ms) {
    struct http_client_target t = {"127.0.0.1", r->port, path, h, n};
    return http_client_start(&r->c, &r->loop, &t, loop_now_ms() + timeout_ms, on_done, &r->out);
}

/* Loop rounds for up to ms, or until the client is done; the client's
 * deadline enforced as an owner does (http_client_expire). */
static void run_for(struct rig *r, int64_t ms) {
    int64_t until = loop_now_ms() + ms;
    while (r->out.n == 0 && loop_now_ms() < until) {
        int64_t d = http_client_deadline(&r->c);
        loop_set_deadline(&r->loop, d != 0 && d < until ? d : until);
        assert_true(loop_wait(&r->loop) >= 0);
        (void)http_client_expire(&r->c, loop_now_ms());
    }
}

/* Accept the client (its connect is done by the kernel) and read the
 * whole request into buf (NUL-terminated); its length. */
static size_t serve_request(struct rig *r, char *buf, size_t cap) {
    size_t got = 0;
    while (got < 4 || memcmp(buf + got - 4, "\r\n\r\n", 4) != 0) {
        run_for(r, 20); /* the client sends as the loop lets it */
        if (r->server < 0)
            r->server = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        ssize_t n = r->server < 0 ? 0 : recv(r->server, buf + got, cap - 1 - got, 0);
        got += n > 0 ? (size_t)n : 0;
        assert_true(got < cap - 1);
        assert_int_equal(r->out.n, 0);
    }
    buf[got] = '\0';
    return got;
}

static void answer(struct rig *r, const char *text) {
    assert_int_equal(send(r->server, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* GET path, answered with reply; the result. */
static int get_answered(const char *reply, char *why, size_t len) {
    struct rig r;
    char req[1024];
    set_up(&r);
    assert_int_equal(start(&r, "/ready", NULL, 0, 5000), 0);
    serve_request(&r, req, sizeof req);
    assert_non_null(strstr(req, "GET /ready HTTP/1.1\r\n"));
    answer(&r, reply);
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_false(http_client_busy(&r.c));
    assert_int_equal(http_client_deadline(&r.c), 0);
    snprintf(why, len, "%s", r.out.why);
    int result = r.out.result;
    tear_down(&r);
    return result;
}

static void statuses_2xx_and_3xx_succeed_4xx_does_not(void **state) {
    (void)state;
    char why[64];
    int code = get_answered("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", why, sizeof why);
    assert_int_equal(code, 200);
    assert_string_equal(why, "HTTP 200");
    assert_true(http_client_succeeded(code));
    code = get_answered("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n", why, sizeof why);
    assert_int_equal(code, 302);
    assert_true(http_client_succeeded(code));
    code = get_answered("HTTP/1.1 404 Not Found\r\n\r\n", why, sizeof why);
    assert_int_equal(code, 404);
    assert_string_equal(why, "HTTP 404");
    assert_false(http_client_succeeded(code));
    assert_false(http_client_succeeded(503));
    assert_false(http_client_succeeded(-ETIMEDOUT));
}

static void a_reply_that_is_not_http_fails_even_before_its_line_ends(void **state) {
    (void)state;
    char why[64];
    assert_int_equal(get_answered("SSH-2.0-OpenSSH_9.2\r\n", why, sizeof why), -EPROTO);
    assert_string_equal(why, "not an HTTP answer");
    /* No line end and the peer stays: known from the first bytes, not at
     * the deadline (get_answered's is 5 s; run_for would time out). */
    struct rig r;
    char req[1024];
    set_up(&r);
    assert_int_equal(start(&r, "/", NULL, 0, 60000), 0);
    serve_request(&r, req, sizeof req);
    answer(&r, "garb");
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, -EPROTO);
    tear_down(&r);
    assert_int_equal(get_answered("HTTP/1.1 2000 OK\r\n", why, sizeof why), -EPROTO);
}

static void a_reply_split_over_many_reads_is_put_together(void **state) {
    (void)state;
    static const char *const parts[] = {"H", "TTP/1", ".1 2", "04", " No Content\r\n\r\n"};
    struct rig r;
    char req[1024];
    set_up(&r);
    assert_int_equal(start(&r, "/", NULL, 0, 5000), 0);
    serve_request(&r, req, sizeof req);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        assert_int_equal(r.out.n, 0); /* not decided on a part */
        answer(&r, parts[i]);
        run_for(&r, i + 1 < sizeof parts / sizeof parts[0] ? 30 : 5000);
    }
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, 204);
    tear_down(&r);
}

static void a_peer_that_closes_without_an_answer_fails(void **state) {
    (void)state;
    struct rig r;
    char req[1024];
    set_up(&r);
    assert_int_equal(start(&r, "/", NULL, 0, 5000), 0);
    serve_request(&r, req, sizeof req);
    close(r.server);
    r.server = -1;
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, -ECONNRESET);
    assert_string_equal(r.out.why, "closed without an answer");
    tear_down(&r);
}

static void a_server_that_never_answers_times_out_at_the_deadline(void **state) {
    (void)state;
    struct rig r;
    set_up(&r); /* the listener's backlog takes the connection; nobody answers */
    int64_t before = loop_now_ms();
    assert_int_equal(start(&r, "/", NULL, 0, 200), 0);
    int64_t deadline = http_client_deadline(&r.c);
    assert_true(deadline >= before + 200 && deadline <= loop_now_ms() + 200);
    assert_false(http_client_expire(&r.c, deadline - 1)); /* not yet */
    assert_int_equal(r.out.n, 0);
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, -ETIMEDOUT);
    assert_string_equal(r.out.why, "timed out");
    assert_true(loop_now_ms() >= deadline);
    assert_int_equal(r.loop.n_active, 0);
    assert_false(http_client_expire(&r.c, deadline + 1000)); /* idle: nothing to end */
    assert_int_equal(r.out.n, 1);
    tear_down(&r);
}

/* Deadline 0: none; the owner's own timer ends it (a hook's phase). */
static void with_no_deadline_only_the_owner_ends_a_check(void **state) {
    (void)state;
    struct rig r;
    set_up(&r);
    struct http_client_target t = {"127.0.0.1", r.port, "/", NULL, 0};
    assert_int_equal(http_client_start(&r.c, &r.loop, &t, 0, on_done, &r.out), 0);
    assert_int_equal(http_client_deadline(&r.c), 0);
    run_for(&r, 100);
    assert_false(http_client_expire(&r.c, loop_now_ms() + 1000000));
    assert_true(http_client_busy(&r.c));
    assert_int_equal(r.out.n, 0);
    http_client_cancel(&r.c); /* no result: done is not called */
    assert_false(http_client_busy(&r.c));
    assert_int_equal(r.out.n, 0);
    tear_down(&r);
}

static void a_refused_connect_fails_with_the_reason(void **state) {
    (void)state;
    struct rig r;
    set_up(&r);
    close(r.lfd); /* nothing listens on the port now */
    r.lfd = -1;
    int rc = start(&r, "/", NULL, 0, 5000);
    if (rc == 0) /* refused later, through the loop */
        run_for(&r, 5000);
    int result = rc != 0 ? rc : r.out.result;
    assert_int_equal(result, -ECONNREFUSED);
    assert_int_equal(r.out.n, rc != 0 ? 0 : 1); /* done only for a check under way */
    char why[64];
    assert_string_equal(http_client_why(result, why, sizeof why), "Connection refused");
    tear_down(&r);
}

static void a_tcp_check_connects_and_sends_nothing(void **state) {
    (void)state;
    struct rig r;
    set_up(&r);
    assert_int_equal(start(&r, NULL, NULL, 0, 5000), 0);
    assert_int_equal(r.loop.n_active, 1);
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, 0);
    assert_string_equal(r.out.why, "connected");
    assert_true(http_client_succeeded(0));
    r.server = accept4(r.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    assert_true(r.server >= 0);
    char b;
    assert_int_equal(recv(r.server, &b, 1, 0), 0); /* closed, nothing sent */
    tear_down(&r);
}

static void a_request_too_large_is_refused_before_connecting(void **state) {
    (void)state;
    static char big[HTTP_REQUEST_MAX];
    memset(big, 'v', sizeof big - 1);
    struct http_header h = {"X-Big", big};
    struct rig r;
    set_up(&r);
    assert_int_equal(start(&r, "/", &h, 1, 5000), -E2BIG);
    assert_false(http_client_busy(&r.c));
    assert_int_equal(r.loop.n_active, 0);
    char why[64];
    assert_string_equal(http_client_why(-E2BIG, why, sizeof why), "request too large");
    /* not an address: refused too, no DNS */
    struct http_client_target t = {"db.example", r.port, "/", NULL, 0};
    assert_int_equal(http_client_start(&r.c, &r.loop, &t, loop_now_ms() + 5000, on_done, &r.out),
                     -EINVAL);
    assert_int_equal(r.out.n, 0);
    tear_down(&r);
}

/* A request larger than the socket takes at once: sent in several writes
 * as the server reads, each byte once, then answered. */
static void a_request_that_does_not_fit_at_once_is_sent_in_parts(void **state) {
    (void)state;
    static char value[7000], req[HTTP_REQUEST_MAX + 1];
    memset(value, 'a', sizeof value - 1);
    struct http_header h = {"X-Fill", value};
    struct rig r;
    set_up(&r);
    int small = 1; /* the kernel's minimum, both ways */
    assert_int_equal(setsockopt(r.lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    assert_int_equal(start(&r, "/", &h, 1, 10000), 0);
    assert_int_equal(setsockopt(r.c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    run_for(&r, 100); /* connected, then stuck: the server reads nothing yet */
    assert_int_equal(r.c.state, HTTP_CLIENT_SENDING);
    assert_true(r.c.off > 0 && r.c.off < r.c.len);
    size_t len = serve_request(&r, req, sizeof req);
    assert_int_equal(len, r.c.off);
    assert_memory_equal(req, r.c.buf, len); /* what was built, whole */
    answer(&r, "HTTP/1.1 200 OK\r\n\r\n");
    run_for(&r, 5000);
    assert_int_equal(r.out.result, 200);
    tear_down(&r);
}

/* done may start the client again: it is idle by then. */
static struct rig *again_rig;
static void start_again(void *ctx, int result, const char *why) {
    on_done(ctx, result, why);
    struct http_client_target t = {"127.0.0.1", again_rig->port, NULL, NULL, 0};
    assert_int_equal(
        http_client_start(&again_rig->c, &again_rig->loop, &t, loop_now_ms() + 5000, on_done, ctx),
        0);
}

static void done_may_start_the_next_check(void **state) {
    (void)state;
    struct rig r;
    set_up(&r);
    again_rig = &r;
    struct http_client_target t = {"127.0.0.1", r.port, NULL, NULL, 0};
    assert_int_equal(
        http_client_start(&r.c, &r.loop, &t, loop_now_ms() + 5000, start_again, &r.out), 0);
    assert_int_equal(http_client_start(&r.c, &r.loop, &t, loop_now_ms() + 5000, on_done, &r.out),
                     -EBUSY);
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_true(http_client_busy(&r.c)); /* the second check, under way */
    assert_int_equal(r.loop.n_active, 1);
    r.out.n = 0;
    run_for(&r, 5000);
    assert_int_equal(r.out.n, 1);
    assert_int_equal(r.out.result, 0);
    tear_down(&r);
}

static void run_checks_on_a_loop_of_its_own(void **state) {
    (void)state;
    int port, lfd = listener(&port);
    struct http_client_target t = {"localhost", port, NULL, NULL, 0};
    char why[64];
    assert_int_equal(http_client_run(&t, 5000, why, sizeof why), 0);
    assert_string_equal(why, "connected");
    t.path = "/";
    int64_t before = loop_now_ms();
    assert_int_equal(http_client_run(&t, 100, why, sizeof why), -ETIMEDOUT); /* never accepted */
    assert_true(loop_now_ms() - before >= 100);
    assert_string_equal(why, "timed out");
    t.host = "no.such.host";
    assert_int_equal(http_client_run(&t, 100, why, sizeof why), -EINVAL);
    assert_string_equal(why, "bad address");
    close(lfd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_2xx_and_3xx_succeed_4xx_does_not),
        cmocka_unit_test(a_reply_that_is_not_http_fails_even_before_its_line_ends),
        cmocka_unit_test(a_reply_split_over_many_reads_is_put_together),
        cmocka_unit_test(a_peer_that_closes_without_an_answer_fails),
        cmocka_unit_test(a_server_that_never_answers_times_out_at_the_deadline),
        cmocka_unit_test(with_no_deadline_only_the_owner_ends_a_check),
        cmocka_unit_test(a_refused_connect_fails_with_the_reason),
        cmocka_unit_test(a_tcp_check_connects_and_sends_nothing),
        cmocka_unit_test(a_request_too_large_is_refused_before_connecting),
        cmocka_unit_test(a_request_that_does_not_fit_at_once_is_sent_in_parts),
        cmocka_unit_test(done_may_start_the_next_check),
        cmocka_unit_test(run_checks_on_a_loop_of_its_own),
    };
    return cmocka_run_group_tests_name("http_client", tests, NULL, NULL);
}
