/* tests/unit/test_health.c — what the health endpoint answers, request by
 * request, and the listen addresses it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/health.h"
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

/* Eight processes with the longest names the config takes (63), every
 * field at its widest. */
static struct health_process widest[8];
static struct health_status widest_status(void) {
    static char names[8][64];
    static char state[HEALTH_MAX_STATE + 1];
    memset(state, 'S', HEALTH_MAX_STATE);
    for (int i = 0; i < 8; i++) {
        snprintf(names[i], sizeof names[i], "p%c-%060d", '0' + i, 0);
        widest[i] = (struct health_process){.name = names[i],
                                            .state = state,
                                            .pid = -2147483647 - 1,
                                            .restarts = -2147483647 - 1,
                                            .exited = true,
                                            .last_exit = -2147483647 - 1};
    }
    return (struct health_status){.state = state, .procs = widest, .n_procs = 8};
}

/* The body after the headers, and that its length is the Content-Length. */
static const char *body_of(const char *answer, size_t len) {
    const char *body = strstr(answer, "\r\n\r\n");
    const char *cl = strstr(answer, "Content-Length: ");
    assert_non_null(body);
    assert_non_null(cl);
    body += 4;
    assert_int_equal(strtoul(cl + 16, NULL, 10), len - (size_t)(body - answer));
    return body;
}

/* The cap from the processes' names holds /status at its widest, exactly:
 * whole, with its exact Content-Length, and one byte less is not enough. */
static void the_answer_cap_fits_the_widest_status(void **state) {
    (void)state;
    struct health_status st = widest_status();
    size_t cap = health_answer_max(&st);
    char *buf = malloc(cap);
    size_t n = health_respond("GET /status HTTP/1.1\r\n\r\n", 24, false, &st, buf, cap);
    assert_int_equal(n, cap - 1); /* and its NUL */
    assert_true(n > 1024);
    buf[n] = '\0';
    const char *body = body_of(buf, n);
    assert_non_null(strstr(body, "{\"name\":\"p7-000000000000000000000000000000000000000000000000"
                                 "000000000000\",\"state\":\"SSSSSSSSSSSSSSS\""));
    assert_string_equal(body + strlen(body) - 4, "}]}\n");
    /* a longer state than it was sized for: a 500, not a cut answer */
    widest[3].state = "XXXXXXXXXXXXXXXX";
    n = health_respond("GET /status HTTP/1.1\r\n\r\n", 24, false, &st, buf, cap);
    assert_true(n > 0 && n < cap);
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

/* A port nothing listens on, below the ephemeral range (as the bats tests
 * pick theirs), for an endpoint on 127.0.0.1. */
static int start_endpoint(struct health *h, const struct health_status *st, int epfd,
                          struct sockaddr_in *to) {
    char spec[32], err[160];
    for (int i = 0; i < 50; i++) {
        int port = 20000 + rand() % 12768;
        snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
        if (health_start(h, spec, st, epfd, err, sizeof err) == 0) {
            *to = (struct sockaddr_in){.sin_family = AF_INET,
                                       .sin_port = htons((uint16_t)port),
                                       .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            return 0;
        }
        assert_string_equal(err, "Address already in use");
    }
    return -1;
}

static int connect_to(const struct sockaddr_in *to, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (rcvbuf > 0)
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf), 0);
    assert_int_equal(connect(fd, (const struct sockaddr *)to, sizeof *to), 0);
    return fd;
}

/* What the loop does: each ready socket's event to the endpoint. */
static int pump(struct health *h, int epfd, const struct health_status *st, int ms) {
    struct epoll_event ev[8];
    int n = epoll_wait(epfd, ev, 8, ms);
    for (int i = 0; i < n; i++)
        health_on_event(h, ev[i].data.u64, 0, st);
    return n;
}

/* A client that reads slowly: the answer waits in the connection, sent as
 * the socket takes it (never blocking, never cut), then the close. */
static void a_slow_reader_gets_the_whole_answer(void **state) {
    (void)state;
    struct health h;
    struct sockaddr_in to;
    struct health_status st = widest_status();
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    assert_int_equal(start_endpoint(&h, &st, epfd, &to), 0);
    int client = connect_to(&to, 1);
    assert_int_equal(pump(&h, epfd, &st, 1000), 1); /* accepted */
    int slot = 0;
    while (slot < HEALTH_MAX_CONNS && h.conns[slot].fd < 0)
        slot++;
    assert_true(slot < HEALTH_MAX_CONNS);
    /* Fill the connection's socket so that the answer cannot go at once. */
    int small = 1;
    assert_int_equal(setsockopt(h.conns[slot].fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    static char junk[65536];
    memset(junk, 'J', sizeof junk);
    size_t queued = 0;
    ssize_t w;
    while ((w = send(h.conns[slot].fd, junk, sizeof junk, MSG_DONTWAIT)) > 0)
        queued += (size_t)w;
    assert_true(w < 0 && errno == EAGAIN);
    const char req[] = "GET /status HTTP/1.1\r\n\r\n";
    assert_int_equal(send(client, req, sizeof req - 1, 0), (ssize_t)sizeof req - 1);
    for (int i = 0; i < 100 && !h.conns[slot].answering; i++)
        pump(&h, epfd, &st, 10);
    assert_true(h.conns[slot].answering); /* the socket is full: the answer waits */
    static char got[1 << 20];
    size_t used = 0;
    for (int i = 0; i < 2000; i++) {
        pump(&h, epfd, &st, 1);
        struct pollfd pfd = {.fd = client, .events = POLLIN};
        if (poll(&pfd, 1, 1) != 1)
            continue;
        ssize_t r = recv(client, got + used, 512, MSG_DONTWAIT); /* slowly */
        if (r == 0)
            break;
        assert_true(r > 0 || errno == EAGAIN);
        used += r > 0 ? (size_t)r : 0;
        assert_true(used < sizeof got - 512);
    }
    assert_true(used > queued);
    got[used] = '\0';
    const char *answer = got + queued;
    assert_memory_equal(answer, "HTTP/1.1 200 OK\r\n", 17);
    const char *body = body_of(answer, used - queued);
    assert_non_null(strstr(body, "\"name\":\"p7-"));
    assert_int_equal(body[strlen(body) - 2], '}');
    close(client);
    health_stop(&h);
    close(epfd);
}

/* accept failing for want of fds must not leave the listener readable in
 * a level-triggered loop (a spin): it is set aside, then watched again. */
static void out_of_fds_the_listener_is_set_aside(void **state) {
    (void)state;
    struct health h;
    struct sockaddr_in to;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    assert_int_equal(start_endpoint(&h, &up, epfd, &to), 0);
    int client = connect_to(&to, 0);
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    int next = dup(0); /* the lowest free fd: the limit, so that none is left */
    assert_true(next >= 0);
    close(next);
    low = (struct rlimit){.rlim_cur = (rlim_t)next, .rlim_max = saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int woken = pump(&h, epfd, &up, 1000); /* accept: EMFILE */
    int again = pump(&h, epfd, &up, 0);    /* a spin would be woken again */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(woken, 1);
    assert_int_equal(again, 0);
    int64_t resume = health_next_deadline(&h);
    assert_true(resume > 0);
    health_expire(&h, resume);
    assert_int_equal(pump(&h, epfd, &up, 1000), 1); /* watched again: accepted now */
    const char req[] = "GET /livez HTTP/1.1\r\n\r\n";
    assert_int_equal(send(client, req, sizeof req - 1, 0), (ssize_t)sizeof req - 1);
    assert_int_equal(pump(&h, epfd, &up, 1000), 1);
    char got[512];
    ssize_t r = recv(client, got, sizeof got - 1, 0);
    assert_true(r > 0);
    got[r] = '\0';
    assert_non_null(strstr(got, "HTTP/1.1 200 OK"));
    close(client);
    health_stop(&h);
    close(epfd);
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
        cmocka_unit_test(the_answer_cap_fits_the_widest_status),
        cmocka_unit_test(status_is_never_cut),
        cmocka_unit_test(every_other_answer_fits_in_256_bytes),
        cmocka_unit_test(every_lifecycle_state_fits),
        cmocka_unit_test(a_slow_reader_gets_the_whole_answer),
        cmocka_unit_test(out_of_fds_the_listener_is_set_aside),
        cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
