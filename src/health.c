/* src/health.c — the health endpoint. Every socket is non-blocking and
 * every read is bounded; a connection gets HEALTH_READ_MS to send one
 * request of at most HEALTH_MAX_REQUEST bytes, then one answer and close.
 * When every slot is taken, the oldest connection makes room: a crowd of
 * idle clients cannot lock out the next well-formed request. */
#include "podinit/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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

static size_t answer(char *out, size_t cap, int code, const char *reason, const char *type,
                     const char *body) {
    int n = snprintf(out, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
                     code, reason, type, strlen(body), body);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

static size_t probe_answer(char *out, size_t cap, bool ok, const char *what) {
    char body[64];
    snprintf(body, sizeof body, "%s: %s\n", what, ok ? "ok" : "failing");
    return ok ? answer(out, cap, 200, "OK", "text/plain", body)
              : answer(out, cap, 503, "Service Unavailable", "text/plain", body);
}

static size_t status_answer(char *out, size_t cap, const struct health_status *st) {
    char body[HEALTH_MAX_ANSWER - 256];
    size_t used = 0;
    int n = snprintf(body, sizeof body,
                     "{\"state\":\"%s\",\"live\":%s,\"ready\":%s,\"started\":%s,"
                     "\"processes\":[",
                     st->state, st->live ? "true" : "false", st->ready ? "true" : "false",
                     st->started ? "true" : "false");
    used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < st->n_procs && used < sizeof body; i++) {
        const struct health_process *p = &st->procs[i];
        char last[16] = "null";
        if (p->exited)
            snprintf(last, sizeof last, "%d", p->last_exit);
        n = snprintf(body + used, sizeof body - used,
                     "%s{\"name\":\"%.63s\",\"state\":\"%s\",\"pid\":%d,\"running\":%s,"
                     "\"ready\":%s,\"restarts\":%d,\"lastExit\":%s}",
                     i ? "," : "", p->name, p->state, (int)p->pid, p->pid > 0 ? "true" : "false",
                     p->ready ? "true" : "false", p->restarts, last);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < sizeof body)
        snprintf(body + used, sizeof body - used, "]}\n");
    return answer(out, cap, 200, "OK", "application/json", body);
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

int health_start(struct health *h, const char *spec, int epfd, char *err, size_t errlen) {
    *h = (struct health){.listen_fd = -1, .epfd = epfd};
    struct sockaddr_storage addr;
    socklen_t len;
    if (parse_listen(spec, &addr, &len, err, errlen) != 0)
        return -1;
    h->conns = calloc(HEALTH_MAX_CONNS, sizeof *h->conns);
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = HEALTH_TAG_LISTEN};
    if (h->conns == NULL || fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 64) != 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        snprintf(err, errlen, "%s", strerror(h->conns == NULL ? ENOMEM : errno));
        if (fd >= 0)
            close(fd);
        free(h->conns);
        h->conns = NULL;
        return -1;
    }
    for (size_t i = 0; i < HEALTH_MAX_CONNS; i++)
        h->conns[i].fd = -1;
    h->listen_fd = fd;
    return 0;
}

static void conn_close(struct health_conn *c) {
    if (c->fd >= 0)
        close(c->fd); /* also leaves the epoll set */
    c->fd = -1;
    c->used = 0;
}

/* A free slot, or the oldest connection's, closed to make room. */
static struct health_conn *free_slot(struct health *h) {
    struct health_conn *oldest = &h->conns[0];
    for (size_t i = 0; i < HEALTH_MAX_CONNS; i++) {
        if (h->conns[i].fd < 0)
            return &h->conns[i];
        if (h->conns[i].deadline_ms < oldest->deadline_ms)
            oldest = &h->conns[i];
    }
    conn_close(oldest);
    return oldest;
}

static void accept_all(struct health *h, int64_t now) {
    /* A bounded batch per wake-up: the loop has signals to read too. */
    for (int n = 0; n < 64; n++) {
        int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or an error on one pending connection */
        struct health_conn *c = free_slot(h);
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

static void serve(struct health_conn *c, const struct health_status *st) {
    for (;;) {
        ssize_t n = read(c->fd, c->buf + c->used, sizeof c->buf - c->used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return; /* the rest later, within its deadline */
        if (n <= 0) {
            conn_close(c); /* closed by the client, or an error */
            return;
        }
        c->used += (size_t)n;
        bool full = c->used == sizeof c->buf;
        if (!full && !request_complete(c))
            continue;
        char out[1024];
        size_t len =
            health_respond(c->buf, c->used, full && !request_complete(c), st, out, sizeof out);
        /* Small enough for any socket buffer; a client that does not read
         * loses the rest rather than hold us. */
        (void)send(c->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        conn_close(c);
        return;
    }
}

void health_on_event(struct health *h, uint64_t tag, int64_t now, const struct health_status *st) {
    if (h->listen_fd < 0)
        return;
    if (tag == HEALTH_TAG_LISTEN) {
        accept_all(h, now);
        return;
    }
    uint64_t slot = tag & ~HEALTH_TAG_MASK;
    if (slot < HEALTH_MAX_CONNS && h->conns[slot].fd >= 0)
        serve(&h->conns[slot], st);
}

int64_t health_next_deadline(const struct health *h) {
    int64_t next = 0;
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0 && (next == 0 || h->conns[i].deadline_ms < next))
            next = h->conns[i].deadline_ms;
    return next;
}

void health_expire(struct health *h, int64_t now) {
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        if (h->conns[i].fd >= 0 && now >= h->conns[i].deadline_ms)
            conn_close(&h->conns[i]);
}

void health_stop(struct health *h) {
    for (size_t i = 0; h->conns && i < HEALTH_MAX_CONNS; i++)
        conn_close(&h->conns[i]);
    if (h->listen_fd >= 0)
        close(h->listen_fd);
    free(h->conns);
    *h = (struct health){.listen_fd = -1};
}
