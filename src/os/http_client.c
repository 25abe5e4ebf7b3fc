/* src/os/http_client.c — one GET or TCP connect on a non-blocking socket,
 * moved on by the reactor as the socket becomes ready: connect, send the
 * request (in as many writes as it takes), read until the status is known.
 * Nothing here waits or reads the clock but http_client_run, which is for
 * processes that have nothing else to do. */
#include "podinit/http_client.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/http.h"

/* The reply is read until its status is known (HTTP_STATUS_PREFIX bytes,
 * or less): a little more than that is taken per read, no more. */
#define REPLY_MAX 256

void http_client_init(struct http_client *c) {
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

bool http_client_busy(const struct http_client *c) {
    return c->fd >= 0;
}

int64_t http_client_deadline(const struct http_client *c) {
    return c->fd >= 0 ? c->deadline_ms : 0;
}

bool http_client_succeeded(int result) {
    return result == 0 || HTTP_SUCCESS(result);
}

const char *http_client_why(int result, char *buf, size_t len) {
    if (result == 0)
        snprintf(buf, len, "connected");
    else if (result > 0)
        snprintf(buf, len, "HTTP %d", result);
    else if (result == -ETIMEDOUT)
        snprintf(buf, len, "timed out");
    else if (result == -EPROTO)
        snprintf(buf, len, "not an HTTP answer");
    else if (result == -ECONNRESET)
        snprintf(buf, len, "closed without an answer");
    else if (result == -E2BIG)
        snprintf(buf, len, "request too large");
    else if (result == -EINVAL)
        snprintf(buf, len, "bad address");
    else
        snprintf(buf, len, "%s", strerror(-result));
    return buf;
}

void http_client_cancel(struct http_client *c) {
    if (c->fd < 0)
        return;
    loop_unwatch(c->loop, c->fd);
    close(c->fd);
    c->fd = -1;
}

/* The end: idle first, so that done may start the client again. */
static void finish(struct http_client *c, int result) {
    http_client_fn *done = c->done;
    void *ctx = c->ctx;
    char why[64];
    http_client_cancel(c);
    done(ctx, result, http_client_why(result, why, sizeof why));
}

bool http_client_expire(struct http_client *c, int64_t now_ms) {
    if (c->fd < 0 || c->deadline_ms == 0 || now_ms < c->deadline_ms)
        return false;
    finish(c, -ETIMEDOUT);
    return true;
}

static void on_ready(void *ctx, int fd, uint32_t events);

/* Watch for what the state waits for; 0 or -errno. */
static int watch(struct http_client *c) {
    uint32_t want = c->state == HTTP_CLIENT_READING ? LOOP_IN : LOOP_OUT;
    return loop_watch(c->loop, c->fd, want, on_ready, c);
}

int http_client_start(struct http_client *c, struct loop *loop, const struct http_client_target *t,
                      int64_t deadline_ms, http_client_fn *done, void *ctx) {
    if (c->fd >= 0)
        return -EBUSY;
    struct sockaddr_storage addr;
    socklen_t alen;
    if (http_address(t->host, t->port, &addr, &alen) != 0)
        return -EINVAL;
    c->tcp = t->path == NULL;
    c->len = 0;
    if (!c->tcp) {
        int n = http_request(t->host, t->port, t->path, t->headers, t->n_headers, c->buf,
                             sizeof c->buf);
        if (n < 0)
            return n;
        c->len = (size_t)n;
    }
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Non-blocking: EINTR, like EINPROGRESS, leaves the connect going on. */
    if (connect(fd, (struct sockaddr *)&addr, alen) != 0 && errno != EINPROGRESS &&
        errno != EINTR) {
        int err = errno; /* refused at once, on loopback */
        close(fd);
        return -err;
    }
    c->fd = fd;
    c->state = HTTP_CLIENT_CONNECTING;
    c->loop = loop;
    c->deadline_ms = deadline_ms;
    c->done = done;
    c->ctx = ctx;
    c->off = 0;
    int rc = watch(c);
    if (rc < 0) {
        close(fd);
        c->fd = -1;
    }
    return rc;
}

/* Connected (writable, or an error): 1 on, 0 wait, or the result (<0). */
static int connected(struct http_client *c) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err == EINPROGRESS || err == EALREADY)
        return 0;
    if (err != 0)
        return -err;
    return 1;
}

/* Send what is left of the request: 1 all sent, 0 wait, or -errno. */
static int send_more(struct http_client *c) {
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0)
            return -errno;
        c->off += (size_t)n;
    }
    return 1;
}

/* Read until the status is known: the status (>0), 0 wait, or -errno. */
static int read_more(struct http_client *c) {
    for (;;) {
        size_t room = REPLY_MAX - 1 - c->len;
        ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0 || (n == 0 && c->len == 0))
            return n == 0 ? -ECONNRESET : -errno;
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
        /* Enough for the status, the line's end, the peer's end, or a
         * start no status line has: decided now. */
        if (n == 0 || c->len >= HTTP_STATUS_PREFIX || memchr(c->buf, '\n', c->len) != NULL ||
            !http_status_may_follow(c->buf, c->len))
            return http_status_of(c->buf);
    }
}

/* Not over yet: wait for the socket (no result is this low). */
#define WAIT INT_MIN

/* One step further, as far as the socket allows: WAIT, or the result. */
static int step(struct http_client *c) {
    int rc;
    if (c->state == HTTP_CLIENT_CONNECTING) {
        if ((rc = connected(c)) <= 0)
            return rc == 0 ? WAIT : rc;
        if (c->tcp)
            return 0;
        c->state = HTTP_CLIENT_SENDING;
    }
    if (c->state == HTTP_CLIENT_SENDING) {
        if ((rc = send_more(c)) <= 0)
            return rc == 0 ? WAIT : rc;
        c->state = HTTP_CLIENT_READING;
        c->len = 0; /* the buffer now collects the reply */
        if ((rc = watch(c)) < 0)
            return rc;
    }
    rc = read_more(c);
    return rc == 0 ? WAIT : rc;
}

/* The socket is ready for what the state waits for (or has failed). */
static void on_ready(void *ctx, int fd, uint32_t events) {
    struct http_client *c = ctx;
    (void)events; /* an error shows in SO_ERROR, send or recv */
    if (c->fd < 0 || c->fd != fd)
        return;
    int result = step(c);
    if (result != WAIT)
        finish(c, result);
}

struct run {
    bool over;
    int result;
    char *why;
    size_t len;
};

static void run_done(void *ctx, int result, const char *why) {
    struct run *r = ctx;
    r->over = true;
    r->result = result;
    snprintf(r->why, r->len, "%s", why);
}

int http_client_run(const struct http_client_target *t, int64_t timeout_ms, char *why, size_t len) {
    sigset_t none;
    sigemptyset(&none); /* signals keep their dispositions: nothing is read */
    struct loop loop;
    struct http_client c;
    struct run r = {.why = why, .len = len};
    (void)loop_init(&loop, &none, NULL, NULL);
    http_client_init(&c);
    char buf[64];
    int rc = http_client_start(&c, &loop, t, loop_now_ms() + timeout_ms, run_done, &r);
    if (rc < 0)
        run_done(&r, rc, http_client_why(rc, buf, sizeof buf));
    loop_set_deadline(&loop, http_client_deadline(&c));
    while (!r.over) {
        rc = loop_wait(&loop);
        if (rc < 0) { /* the wait itself failed: nothing more will come */
            http_client_cancel(&c);
            run_done(&r, rc, http_client_why(rc, buf, sizeof buf));
        } else if (rc == 1)
            (void)http_client_expire(&c, loop_now_ms());
    }
    loop_close(&loop);
    return r.result;
}
