/* tests/unit/test_health.c — the health endpoint's sockets on the loop
 * (a slow reader, running out of fds) and the listen addresses it takes
 * (what it answers: test_health_answer.c). */
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/health.h"
#include "podinit/loop.h"

static const struct health_process web = {.name = "web", .state = "RUNNING", .pid = 7,
                                          .ready = true};
static const struct health_status up = {.state = "RUNNING", .live = true, .ready = true,
                                        .started = true, .procs = &web, .n_procs = 1};

#include "health_fixture.h"

/* A port nothing listens on, below the ephemeral range (as the bats tests
 * pick theirs), for an endpoint on 127.0.0.1. */
/* The status the endpoint is asked for: the one ctx points at. */
static struct health_status status_of(void *ctx, struct health_process *procs) {
    (void)procs;
    return *(const struct health_status *)ctx;
}

static int start_endpoint(struct health *h, struct health_status *st, struct loop *l,
                          struct sockaddr_in *to) {
    char spec[32], err[160];
    for (int i = 0; i < 50; i++) {
        int port = 20000 + rand() % 12768;
        snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
        if (health_start(h, l, spec, st->n_procs, status_of, st, err, sizeof err) == 0) {
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

/* One round of the loop, if something is ready within ms: returns 1 when
 * it was (its callbacks ran), 0 when nothing was. */
static int pump(struct loop *l, int ms) {
    struct pollfd pfd = {.fd = l->epfd, .events = POLLIN};
    int ready = l->epfd >= 0 ? poll(&pfd, 1, ms) : 0;
    assert_true(ready >= 0);
    if (ready == 1) {
        loop_set_deadline(l, loop_now_ms()); /* what is ready, without waiting */
        assert_true(loop_wait(l) >= 0);
    }
    return ready;
}

static void start_loop(struct loop *l) {
    sigset_t none;
    sigemptyset(&none);
    assert_int_equal(loop_init(l, &none, NULL, NULL), 0);
}

/* A client that reads slowly: the answer waits in the connection, sent as
 * the socket takes it (never blocking, never cut), then the close. */
static void a_slow_reader_gets_the_whole_answer(void **state) {
    (void)state;
    struct health h;
    struct sockaddr_in to;
    struct health_status st = widest_status();
    struct loop l;
    start_loop(&l);
    assert_int_equal(start_endpoint(&h, &st, &l, &to), 0);
    int client = connect_to(&to, 1);
    assert_int_equal(pump(&l, 1000), 1); /* accepted */
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
        pump(&l, 10);
    assert_true(h.conns[slot].answering); /* the socket is full: the answer waits */
    static char got[1 << 20];
    size_t used = 0;
    for (int i = 0; i < 2000; i++) {
        pump(&l, 1);
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
    loop_close(&l);
}

/* accept failing for want of fds must not leave the listener readable in
 * a level-triggered loop (a spin): it is set aside, then watched again. */
static void out_of_fds_the_listener_is_set_aside(void **state) {
    (void)state;
    struct health h;
    struct sockaddr_in to;
    struct loop l;
    start_loop(&l);
    struct health_status st = up;
    assert_int_equal(start_endpoint(&h, &st, &l, &to), 0);
    int client = connect_to(&to, 0);
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    int next = dup(0); /* the lowest free fd: the limit, so that none is left */
    assert_true(next >= 0);
    close(next);
    low = (struct rlimit){.rlim_cur = (rlim_t)next, .rlim_max = saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int woken = pump(&l, 1000); /* accept: EMFILE */
    int again = pump(&l, 0);    /* a spin would be woken again */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(woken, 1);
    assert_int_equal(again, 0);
    int64_t resume = health_next_deadline(&h);
    assert_true(resume > 0);
    health_expire(&h, resume);
    assert_int_equal(pump(&l, 1000), 1); /* watched again: accepted now */
    const char req[] = "GET /livez HTTP/1.1\r\n\r\n";
    assert_int_equal(send(client, req, sizeof req - 1, 0), (ssize_t)sizeof req - 1);
    assert_int_equal(pump(&l, 1000), 1);
    char got[512];
    ssize_t r = recv(client, got, sizeof got - 1, 0);
    assert_true(r > 0);
    got[r] = '\0';
    assert_non_null(strstr(got, "HTTP/1.1 200 OK"));
    close(client);
    health_stop(&h);
    loop_close(&l);
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
        cmocka_unit_test(a_slow_reader_gets_the_whole_answer),
        cmocka_unit_test(out_of_fds_the_listener_is_set_aside),
        cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
