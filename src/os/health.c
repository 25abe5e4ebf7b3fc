/* src/os/health.c — the health endpoint's sockets, on the loop. Every socket is non-blocking and
 * every read is bounded; a connection gets HEALTH_READ_MS to send one
 * request of at most HEALTH_MAX_REQUEST bytes, then one answer and close.
 * When every slot is taken, the oldest connection makes room: a crowd of
 * idle clients cannot lock out the next well-formed request. */
#include "podinit/health.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/http.h"

/* ---- the listen address -------------------------------------------------- */

static int parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len, char *err,
                        size_t errlen) {
    memset(addr, 0, sizeof *addr);
    char host[64];
    int port;
    if (health_split_listen(spec, host, sizeof host, &port, err, errlen) != 0)
        return -1;
    /* The same address forms the HTTP client takes, but a listen address
     * is never a name: "localhost" is refused here. ":8086" is every IPv4
     * address. */
    if (strcmp(host, "localhost") != 0 &&
        http_address(host[0] == '\0' ? "0.0.0.0" : host, port, addr, len) == 0)
        return 0;
    snprintf(err, errlen, "\"%s\" is not an IP address", host);
    return -1;
}

int health_parse_listen(const char *spec, char *err, size_t errlen) {
    struct sockaddr_storage addr;
    socklen_t len;
    return parse_listen(spec, &addr, &len, err, errlen);
}

/* ---- sockets -------------------------------------------------------------- */

/* The fds a connection may take: those below RLIMIT_NOFILE less the
 * reserve. Read once: a limit lowered later shows as EMFILE (a pause). */
static int fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > (rlim_t)INT_MAX)
        return INT_MAX - HEALTH_FD_RESERVE;
    return (int)rl.rlim_cur > HEALTH_FD_RESERVE ? (int)rl.rlim_cur - HEALTH_FD_RESERVE : 0;
}

static void on_listen(void *ctx, int fd, uint32_t events);
static void on_conn(void *ctx, int fd, uint32_t events);

static int open_listener(struct health *h, const struct sockaddr_storage *addr, socklen_t len) {
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1, rc = 0;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (const struct sockaddr *)addr, len) != 0 || listen(fd, 64) != 0)
        rc = -errno;
    else
        rc = loop_watch(h->loop, fd, LOOP_IN, on_listen, h);
    if (rc < 0 && fd >= 0)
        close(fd);
    return rc < 0 ? rc : fd;
}

int health_start(struct health *h, struct loop *loop, const char *spec, size_t n_procs,
                 health_status_fn *status, void *ctx, char *err, size_t errlen) {
    *h = (struct health){
        .listen_fd = -1, .loop = loop, .status = status, .status_ctx = ctx, .n_procs = n_procs};
    struct sockaddr_storage addr;
    socklen_t len;
    if (parse_listen(spec, &addr, &len, err, errlen) != 0)
        return -1;
    /* Sized once from the processes: nothing is allocated per request. A
     * connection's buffer holds its request, then what is left of its
     * answer while a slow client takes it. */
    h->procs = calloc(n_procs > 0 ? n_procs : 1, sizeof *h->procs);
    h->conns = calloc(HEALTH_MAX_CONNS, sizeof *h->conns);
    int fd = -ENOMEM;
    if (h->procs != NULL && h->conns != NULL) {
        struct health_status st = status(ctx, h->procs);
        h->answer_cap = health_answer_max(&st);
        size_t conn_cap = h->answer_cap > HEALTH_MAX_REQUEST ? h->answer_cap : HEALTH_MAX_REQUEST;
        h->mem = malloc(HEALTH_MAX_CONNS * conn_cap + h->answer_cap);
        if (h->mem != NULL) {
            for (size_t i = 0; i < HEALTH_MAX_CONNS; i++)
                h->conns[i] = (struct health_conn){.h = h, .fd = -1, .buf = h->mem + i * conn_cap};
            h->answer = h->mem + HEALTH_MAX_CONNS * conn_cap;
            fd = open_listener(h, &addr, len);
        }
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(-fd));
        free(h->procs);
        free(h->conns);
        free(h->mem);
        *h = (struct health){.listen_fd = -1};
        return -1;
    }
    h->fd_limit = fd_limit();
    h->listen_fd = fd;
    return 0;
}

/* The listener watched again (it was set aside for want of fds or
 * memory); when that fails too, it tries again later. */
static void resume(struct health *h, int64_t now) {
    if (loop_watch(h->loop, h->listen_fd, LOOP_IN, on_listen, h) == 0)
        h->paused = false;
    else
        h->resume_ms = now + HEALTH_PAUSE_MS;
}

/* Not watched: a level-triggered listener whose accept fails would wake
 * the loop again at once, for ever. */
static void pause_listener(struct health *h, int64_t now) {
    loop_unwatch(h->loop, h->listen_fd);
    h->paused = true;
    h->resume_ms = now + HEALTH_PAUSE_MS;
}

/* Closing frees an fd: a listener set aside for want of one comes back. */
static void conn_close(struct health *h, struct health_conn *c, int64_t now) {
    if (c->fd >= 0) {
        loop_unwatch(h->loop, c->fd);
        close(c->fd);
    }
    c->fd = -1;
    c->used = c->sent = 0;
    c->answering = false;
    if (h->paused)
        resume(h, now);
}

static struct health_conn *oldest_conn(struct health *h) {
    struct health_conn *oldest = NULL;
    for (size_t i = 0; i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0 &&
            (oldest == NULL || h->conns[i].deadline_ms < oldest->deadline_ms))
            oldest = &h->conns[i];
    return oldest;
}

/* A free slot, or the oldest connection's, closed to make room. */
static struct health_conn *free_slot(struct health *h, int64_t now) {
    for (size_t i = 0; i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd < 0)
            return &h->conns[i];
    struct health_conn *oldest = oldest_conn(h);
    conn_close(h, oldest, now);
    return oldest;
}

/* A new connection whose fd is in the reserve: the oldest connection
 * makes room, as for a slot, and the new one moves down to the number it
 * frees. With none to close it is refused (closed): a crowd can neither
 * eat the reserve nor lock out the next request. Returns the fd, or -1. */
static int below_reserve(struct health *h, int fd, int64_t now) {
    struct health_conn *oldest = oldest_conn(h);
    int low = -1;
    if (oldest != NULL) {
        conn_close(h, oldest, now);
        low = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* the lowest free: the one just closed */
    }
    close(fd);
    if (low >= h->fd_limit) {
        close(low);
        low = -1;
    }
    return low;
}

/* Errors of one pending connection (accept(2) passes on its network
 * errors): the next may do. The others are about us: out of fds or memory. */
static bool connection_error(int err) {
    return err == EINTR || err == ECONNABORTED || err == EPROTO || err == ENETDOWN ||
           err == ENOPROTOOPT || err == EHOSTDOWN || err == ENONET || err == EHOSTUNREACH ||
           err == EOPNOTSUPP || err == ENETUNREACH || err == EPERM;
}

static void accept_all(struct health *h, int64_t now) {
    /* A bounded batch per wake-up: the loop has signals to read too. */
    for (int n = 0; n < 64; n++) {
        int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && errno == EAGAIN)
            return;
        if (fd < 0 && connection_error(errno))
            continue;
        if (fd < 0) { /* EMFILE, ENFILE, ENOBUFS, ENOMEM: it would stay readable */
            pause_listener(h, now);
            return;
        }
        if (fd >= h->fd_limit && (fd = below_reserve(h, fd, now)) < 0)
            continue;
        struct health_conn *c = free_slot(h, now);
        if (loop_watch(h->loop, fd, LOOP_IN, on_conn, c) != 0) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->used = 0;
        c->deadline_ms = now + HEALTH_READ_MS;
    }
}

/* Send what the socket takes now: 0 when all of data[*sent..len) has gone,
 * 1 when the rest must wait for room, -1 on an error (the client left). */
static int send_some(int fd, const char *data, size_t len, size_t *sent) {
    while (*sent < len) {
        ssize_t n = send(fd, data + *sent, len - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        if (n <= 0)
            return -1;
        *sent += (size_t)n;
    }
    return 0;
}

/* The answer goes out as the socket takes it; what does not fit now waits
 * in the connection's buffer for LOOP_OUT, within HEALTH_WRITE_MS. */
static void send_answer(struct health *h, struct health_conn *c, size_t len, int64_t now) {
    size_t sent = 0;
    if (send_some(c->fd, h->answer, len, &sent) == 1) {
        if (loop_watch(h->loop, c->fd, LOOP_OUT, on_conn, c) == 0) {
            memcpy(c->buf, h->answer + sent, len - sent);
            c->used = len - sent;
            c->sent = 0;
            c->answering = true;
            c->deadline_ms = now + HEALTH_WRITE_MS;
            return;
        }
    }
    conn_close(h, c, now); /* all of it sent (the kernel delivers it), or the client left */
}

/* The answer to the request read, with the status as it is now. */
static void answer_request(struct health *h, struct health_conn *c, bool too_long, int64_t now) {
    struct health_status st = h->status(h->status_ctx, h->procs);
    size_t len = health_respond(c->buf, c->used, too_long, &st, h->answer, h->answer_cap);
    if (len == 0)
        conn_close(h, c, now); /* cannot happen: answer_cap holds every answer */
    else
        send_answer(h, c, len, now);
}

static void serve(struct health *h, struct health_conn *c, int64_t now) {
    if (c->answering) {
        if (send_some(c->fd, c->buf, c->used, &c->sent) != 1)
            conn_close(h, c, now);
        return;
    }
    for (;;) {
        ssize_t n = read(c->fd, c->buf + c->used, HEALTH_MAX_REQUEST - c->used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return; /* the rest later, within its deadline */
        if (n <= 0) {
            conn_close(h, c, now); /* closed by the client, or an error */
            return;
        }
        c->used += (size_t)n;
        bool full = c->used == HEALTH_MAX_REQUEST;
        bool complete = health_request_complete(c->buf, c->used);
        if (!full && !complete)
            continue;
        answer_request(h, c, full && !complete, now);
        return;
    }
}

static void on_listen(void *ctx, int fd, uint32_t events) {
    struct health *h = ctx;
    (void)fd;
    (void)events;
    if (!h->paused)
        accept_all(h, loop_now_ms());
}

static void on_conn(void *ctx, int fd, uint32_t events) {
    struct health_conn *c = ctx;
    (void)events;
    if (c->fd == fd)
        serve(c->h, c, loop_now_ms());
}

int64_t health_next_deadline(const struct health *h) {
    int64_t next = h->paused ? h->resume_ms : 0;
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0 && (next == 0 || h->conns[i].deadline_ms < next))
            next = h->conns[i].deadline_ms;
    return next;
}

void health_expire(struct health *h, int64_t now) {
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0 && now >= h->conns[i].deadline_ms)
            conn_close(h, &h->conns[i], now);
    if (h->paused && now >= h->resume_ms)
        resume(h, now);
}

void health_stop(struct health *h) {
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0) {
            loop_unwatch(h->loop, h->conns[i].fd);
            close(h->conns[i].fd);
        }
    if (h->listen_fd >= 0) {
        loop_unwatch(h->loop, h->listen_fd);
        close(h->listen_fd);
    }
    free(h->procs);
    free(h->conns);
    free(h->mem);
    *h = (struct health){.listen_fd = -1};
}
