/* src/health.c — the health endpoint. Every socket is non-blocking and
 * every read is bounded; a connection gets HEALTH_READ_MS to send one
 * request of at most HEALTH_MAX_REQUEST bytes, then one answer and close.
 * When every slot is taken, the oldest connection makes room: a crowd of
 * idle clients cannot lock out the next well-formed request. */
#include "podinit/health.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "podinit/http.h"
#include "podinit/text.h"

/* ---- the listen address -------------------------------------------------- */

static int parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len, char *err,
                        size_t errlen) {
    memset(addr, 0, sizeof *addr);
    const char *colon = strrchr(spec, ':');
    if (colon == NULL) {
        snprintf(err, errlen, "takes ADDRESS:PORT (\"0.0.0.0:8086\", \"[::]:8086\")");
        return -1;
    }
    long port = text_parse_number(colon + 1, 1, 65535);
    if (port < 0) {
        snprintf(err, errlen, "the port must be a number from 1 to 65535");
        return -1;
    }
    char host[64];
    size_t hlen = (size_t)(colon - spec);
    if (hlen >= 2 && spec[0] == '[' && colon[-1] == ']') {
        spec++;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        snprintf(err, errlen, "the address is too long");
        return -1;
    }
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    /* The same address forms the HTTP client takes, but a listen address
     * is never a name: "localhost" is refused here. ":8086" is every IPv4
     * address. */
    if (strcmp(host, "localhost") != 0 &&
        http_address(hlen == 0 ? "0.0.0.0" : host, (int)port, addr, len) == 0)
        return 0;
    snprintf(err, errlen, "\"%s\" is not an IP address", host);
    return -1;
}

int health_parse_listen(const char *spec, char *err, size_t errlen) {
    struct sockaddr_storage addr;
    socklen_t len;
    return parse_listen(spec, &addr, &len, err, errlen);
}

/* ---- answers ------------------------------------------------------------- */

/* Text into out[0..cap), counting what does not fit too: len is the
 * length the text needs, so a dry run (cap 0) measures it. */
struct sink {
    char *out;
    size_t cap, len;
    bool failed; /* an encoding error: the count is wrong */
};

static void put(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct sink *s, const char *fmt, ...) {
    bool room = s->len < s->cap;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? s->out + s->len : NULL, room ? s->cap - s->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        s->failed = true;
    else
        s->len += (size_t)n;
}

/* The length written, or 0 when it did not all fit (with its NUL). */
static size_t written(const struct sink *s) {
    return !s->failed && s->len < s->cap ? s->len : 0;
}

static void head(struct sink *s, int code, const char *reason, const char *type, size_t body_len) {
    put(s,
        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
        "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        code, reason, type, body_len);
}

static size_t answer(char *out, size_t cap, int code, const char *reason, const char *type,
                     const char *body) {
    struct sink s = {.out = out, .cap = cap};
    head(&s, code, reason, type, strlen(body));
    put(&s, "%s", body);
    return written(&s);
}

static size_t probe_answer(char *out, size_t cap, bool ok, const char *what) {
    char body[64];
    snprintf(body, sizeof body, "%s: %s\n", what, ok ? "ok" : "failing");
    return ok ? answer(out, cap, 200, "OK", "text/plain", body)
              : answer(out, cap, 503, "Service Unavailable", "text/plain", body);
}

static const char *boolean(bool b) {
    return b ? "true" : "false";
}

/* /status's body: its opening, one object per process, its close. */
static void status_open(struct sink *s, const char *state, bool live, bool ready, bool started) {
    put(s, "{\"state\":\"%s\",\"live\":%s,\"ready\":%s,\"started\":%s,\"processes\":[", state,
        boolean(live), boolean(ready), boolean(started));
}

static void status_process(struct sink *s, size_t i, const struct health_process *p) {
    char last[16] = "null";
    if (p->exited)
        snprintf(last, sizeof last, "%d", p->last_exit);
    put(s,
        "%s{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"running\":%s,\"ready\":%s,"
        "\"restarts\":%d,\"lastExit\":%s}",
        i ? "," : "", p->name, p->state, (int)p->pid, boolean(p->pid > 0), boolean(p->ready),
        p->restarts, last);
}

static void status_close(struct sink *s) {
    put(s, "]}\n");
}

static void status_body(struct sink *s, const struct health_status *st) {
    status_open(s, st->state, st->live, st->ready, st->started);
    for (size_t i = 0; i < st->n_procs; i++)
        status_process(s, i, &st->procs[i]);
    status_close(s);
}

/* Content-Length comes first: the body is measured (a dry run), then
 * written after it. Too big for cap is a 500, never a cut body. */
static size_t status_answer(char *out, size_t cap, const struct health_status *st) {
    struct sink body = {0};
    status_body(&body, st);
    struct sink s = {.out = out, .cap = cap};
    head(&s, 200, "OK", "application/json", body.len);
    status_body(&s, st);
    size_t n = body.failed ? 0 : written(&s);
    return n > 0
               ? n
               : answer(out, cap, 500, "Internal Server Error", "text/plain", "status too large\n");
}

/* Every answer but /status's (the errors, /livez and the like) is shorter. */
#define SHORT_ANSWER_MAX 256

size_t health_answer_max(const struct health_status *st) {
    /* /status with every field at its widest: the longest state, INT_MIN
     * for each number, false for each flag. */
    char state[HEALTH_MAX_STATE + 1];
    memset(state, 'X', HEALTH_MAX_STATE);
    state[HEALTH_MAX_STATE] = '\0';
    struct sink body = {0};
    status_open(&body, state, false, false, false);
    for (size_t i = 0; i < st->n_procs; i++)
        status_process(&body, i,
                       &(struct health_process){.name = st->procs[i].name,
                                                .state = state,
                                                .pid = (pid_t)INT_MIN,
                                                .restarts = INT_MIN,
                                                .exited = true,
                                                .last_exit = INT_MIN});
    status_close(&body);
    struct sink all = {0};
    head(&all, 200, "OK", "application/json", body.len);
    size_t n = all.len + body.len + 1; /* and the NUL */
    return n > SHORT_ANSWER_MAX ? n : SHORT_ANSWER_MAX;
}

size_t health_respond(const char *req, size_t len, bool too_long, const struct health_status *st,
                      char *out, size_t cap) {
    if (too_long)
        return answer(out, cap, 431, "Request Header Fields Too Large", "text/plain",
                      "request too large\n");
    /* "METHOD SP PATH SP HTTP/1.x" on the first line. req is not
     * NUL-terminated: every look stays inside [req, line_end). */
    const char *eol = memchr(req, '\n', len);
    const char *line_end = eol ? eol : req + len;
    const char *sp1 = memchr(req, ' ', (size_t)(line_end - req));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
    if (eol == NULL || sp1 == NULL || sp2 == NULL || line_end - (sp2 + 1) < 7 ||
        memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
        return answer(out, cap, 400, "Bad Request", "text/plain", "bad request\n");
    if ((size_t)(sp1 - req) != 3 || memcmp(req, "GET", 3) != 0)
        return answer(out, cap, 405, "Method Not Allowed", "text/plain", "GET only\n");
    size_t plen = (size_t)(sp2 - sp1 - 1);
    const char *path = sp1 + 1;
    size_t q = 0;
    while (q < plen && path[q] != '?')
        q++; /* a query string is ignored */
#define IS(p) (q == sizeof(p) - 1 && memcmp(path, p, q) == 0)
    if (IS("/livez"))
        return probe_answer(out, cap, st->live, "live");
    if (IS("/readyz"))
        return probe_answer(out, cap, st->ready, "ready");
    if (IS("/startupz"))
        return probe_answer(out, cap, st->started, "started");
    if (IS("/status"))
        return status_answer(out, cap, st);
#undef IS
    return answer(out, cap, 404, "Not Found", "text/plain",
                  "not found: /livez /readyz /startupz /status\n");
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

int health_start(struct health *h, const char *spec, const struct health_status *st, int epfd,
                 char *err, size_t errlen) {
    *h = (struct health){.listen_fd = -1, .epfd = epfd};
    struct sockaddr_storage addr;
    socklen_t len;
    if (parse_listen(spec, &addr, &len, err, errlen) != 0)
        return -1;
    /* Sized once from the processes: nothing is allocated per request. A
     * connection's buffer holds its request, then what is left of its
     * answer while a slow client takes it. */
    h->answer_cap = health_answer_max(st);
    size_t conn_cap = h->answer_cap > HEALTH_MAX_REQUEST ? h->answer_cap : HEALTH_MAX_REQUEST;
    h->conns = calloc(HEALTH_MAX_CONNS, sizeof *h->conns);
    h->mem = malloc(HEALTH_MAX_CONNS * conn_cap + h->answer_cap);
    int fd = -1;
    if (h->conns != NULL && h->mem != NULL)
        fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = HEALTH_TAG_LISTEN};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 64) != 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        snprintf(err, errlen, "%s", strerror(h->mem == NULL || h->conns == NULL ? ENOMEM : errno));
        if (fd >= 0)
            close(fd);
        free(h->conns);
        free(h->mem);
        *h = (struct health){.listen_fd = -1};
        return -1;
    }
    for (size_t i = 0; i < HEALTH_MAX_CONNS; i++)
        h->conns[i] = (struct health_conn){.fd = -1, .buf = h->mem + i * conn_cap};
    h->answer = h->mem + HEALTH_MAX_CONNS * conn_cap;
    h->fd_limit = fd_limit();
    h->listen_fd = fd;
    return 0;
}

/* The listener back in the epoll set (it was set aside for want of fds or
 * memory); when that fails too, it tries again later. */
static void resume(struct health *h, int64_t now) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = HEALTH_TAG_LISTEN};
    if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->listen_fd, &ev) == 0 || errno == EEXIST)
        h->paused = false;
    else
        h->resume_ms = now + HEALTH_PAUSE_MS;
}

/* Out of the epoll set: a level-triggered listener whose accept fails
 * would wake the loop again at once, for ever. */
static void pause_listener(struct health *h, int64_t now) {
    if (epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->listen_fd, NULL) != 0 && errno != ENOENT)
        return; /* cannot happen: the fd is ours and valid */
    h->paused = true;
    h->resume_ms = now + HEALTH_PAUSE_MS;
}

/* Closing frees an fd: a listener set aside for want of one comes back. */
static void conn_close(struct health *h, struct health_conn *c, int64_t now) {
    if (c->fd >= 0)
        close(c->fd); /* also leaves the epoll set */
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
        struct epoll_event ev = {.events = EPOLLIN,
                                 .data.u64 = HEALTH_TAG_CONN | (uint64_t)(c - h->conns)};
        if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->used = 0;
        c->deadline_ms = now + HEALTH_READ_MS;
    }
}

static bool request_complete(const struct health_conn *c) {
    for (size_t i = 0; i + 1 < c->used; i++)
        if (c->buf[i] == '\n' &&
            (c->buf[i + 1] == '\n' ||
             (c->buf[i + 1] == '\r' && i + 2 < c->used && c->buf[i + 2] == '\n')))
            return true;
    return false;
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
 * in the connection's buffer for EPOLLOUT, within HEALTH_WRITE_MS. */
static void send_answer(struct health *h, struct health_conn *c, size_t len, int64_t now) {
    size_t sent = 0;
    if (send_some(c->fd, h->answer, len, &sent) == 1) {
        struct epoll_event ev = {.events = EPOLLOUT,
                                 .data.u64 = HEALTH_TAG_CONN | (uint64_t)(c - h->conns)};
        if (epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
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

static void serve(struct health *h, struct health_conn *c, int64_t now,
                  const struct health_status *st) {
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
        if (!full && !request_complete(c))
            continue;
        size_t len = health_respond(c->buf, c->used, full && !request_complete(c), st, h->answer,
                                    h->answer_cap);
        if (len == 0)
            conn_close(h, c, now); /* cannot happen: answer_cap holds every answer */
        else
            send_answer(h, c, len, now);
        return;
    }
}

void health_on_event(struct health *h, uint64_t tag, int64_t now, const struct health_status *st) {
    if (h->listen_fd < 0)
        return;
    if (tag == HEALTH_TAG_LISTEN) {
        if (!h->paused) /* a wake-up from before it was set aside */
            accept_all(h, now);
        return;
    }
    uint64_t slot = tag & ~HEALTH_TAG_MASK;
    if (slot < HEALTH_MAX_CONNS && h->conns[slot].fd >= 0)
        serve(h, &h->conns[slot], now, st);
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
        if (h->conns[i].fd >= 0)
            close(h->conns[i].fd);
    if (h->listen_fd >= 0)
        close(h->listen_fd);
    free(h->conns);
    free(h->mem);
    *h = (struct health){.listen_fd = -1};
}
