/* src/prober.c — the checks behind readiness, liveness and startup probes.
 * Nothing here waits: sockets are non-blocking and progress as the loop
 * finds them ready; an exec check is a child whose exit is the answer. A check that
 * outlives its timeout is a failure and is killed or closed. */
#include "podinit/prober.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "podinit/http.h"

static const char *const kind_names[] = {"startup", "readiness", "liveness"};

void prober_init(struct prober *pr, const struct config_process *p, struct loop *loop,
                 const struct hooks_context *exec_ctx, prober_fn *on_change, void *ctx) {
    memset(pr, 0, sizeof *pr);
    pr->loop = loop;
    pr->exec_ctx = exec_ctx;
    pr->on_change = on_change;
    pr->ctx = ctx;
    const struct config_probe *cfgs[] = {&p->startup, &p->readiness, &p->liveness};
    for (int k = 0; k < PROBER_KINDS; k++) {
        pr->slot[k].cfg = cfgs[k]->present ? cfgs[k] : NULL;
        pr->slot[k].fd = -1;
        pr->slot[k].owner = pr;
        pr->slot[k].kind = (enum prober_kind)k;
    }
}

bool prober_configured(const struct prober *pr, enum prober_kind kind) {
    return pr->slot[kind].cfg != NULL;
}

enum probe_result prober_result(const struct prober *pr, enum prober_kind kind) {
    return pr->slot[kind].st.result;
}

void prober_start(struct prober *pr, enum prober_kind kind, int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    if (s->cfg != NULL && !s->st.active)
        probe_start(&s->st, &s->cfg->timing, now);
}

/* End the check in flight, if any, without a result. */
static void abandon(struct prober *pr, struct prober_slot *s) {
    if (s->pid > 0)
        (void)kill(-s->pid, SIGKILL); /* reaped later, as any child; ignored then */
    s->pid = 0;
    if (s->fd >= 0) {
        loop_unwatch(pr->loop, s->fd);
        close(s->fd);
    }
    s->fd = -1;
}

static void finish(struct prober *pr, enum prober_kind kind, bool ok, const char *why,
                   int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    abandon(pr, s);
    enum probe_result r = probe_record(&s->st, &s->cfg->timing, ok, now);
    if (r != PROBE_UNKNOWN && pr->on_change)
        pr->on_change(pr->ctx, kind, r, why);
}

void prober_stop(struct prober *pr, enum prober_kind kind) {
    abandon(pr, &pr->slot[kind]);
    probe_stop(&pr->slot[kind].st);
}

void prober_stop_all(struct prober *pr) {
    for (int k = 0; k < PROBER_KINDS; k++)
        prober_stop(pr, (enum prober_kind)k);
}

static void on_socket(void *ctx, int fd, uint32_t events);

static void start_socket_check(struct prober *pr, enum prober_kind kind, int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    const struct config_hook *c = &s->cfg->check;
    const char *host = c->host ? c->host : "127.0.0.1";
    struct sockaddr_storage addr;
    socklen_t len;
    if (http_address(host, c->port, &addr, &len) != 0) {
        finish(pr, kind, false, "bad address", now);
        return;
    }
    if (c->kind == HOOK_HTTP_GET) {
        int n = http_request(host, c->port, c->path ? c->path : "/", c->headers, c->n_headers,
                             s->buf, sizeof s->buf);
        if (n < 0) {
            finish(pr, kind, false, "request too large", now);
            return;
        }
        s->len = (size_t)n;
    }
    s->off = 0;
    s->connected = false;
    s->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        finish(pr, kind, false, strerror(errno), now);
        return;
    }
    if (connect(s->fd, (struct sockaddr *)&addr, len) != 0 && errno != EINPROGRESS) {
        finish(pr, kind, false, strerror(errno), now); /* refused at once, on loopback */
        return;
    }
    int rc = loop_watch(pr->loop, s->fd, LOOP_OUT, on_socket, s);
    if (rc < 0)
        finish(pr, kind, false, strerror(-rc), now);
}

static void start_exec_check(struct prober *pr, enum prober_kind kind, int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    struct spawn_error failure;
    pid_t pid;
    if (hooks_start(&s->cfg->check, pr->exec_ctx, &pid, &failure) != 0) {
        finish(pr, kind, false, strerror(failure.err), now);
        return;
    }
    s->pid = pid;
}

void prober_tick(struct prober *pr, int64_t now) {
    for (int k = 0; k < PROBER_KINDS; k++) {
        struct prober_slot *s = &pr->slot[k];
        if (s->cfg == NULL || !s->st.active)
            continue;
        if (s->st.running && now >= s->st.started_ms + s->cfg->timing.timeout_ms)
            finish(pr, (enum prober_kind)k, false, "timed out", now);
        if (!probe_begin(&s->st, now))
            continue;
        if (s->cfg->check.kind == HOOK_EXEC)
            start_exec_check(pr, (enum prober_kind)k, now);
        else
            start_socket_check(pr, (enum prober_kind)k, now);
    }
}

/* httpGet: send the request, then read up to the status line's end. */
static void http_progress(struct prober *pr, enum prober_kind kind, int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    while (s->off < s->len) {
        ssize_t n = send(s->fd, s->buf + s->off, s->len - s->off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) {
            finish(pr, kind, false, strerror(errno), now);
            return;
        }
        s->off += (size_t)n;
        if (s->off == s->len) {
            s->len = 0; /* the buffer now collects the answer */
            s->off = SIZE_MAX;
            int rc = loop_watch(pr->loop, s->fd, LOOP_IN, on_socket, s);
            if (rc < 0)
                finish(pr, kind, false, strerror(-rc), now);
            return;
        }
    }
    for (;;) {
        ssize_t n = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0 && s->len == 0) {
            finish(pr, kind, false, n == 0 ? "closed without an answer" : strerror(errno), now);
            return;
        }
        if (n > 0)
            s->len += (size_t)n;
        s->buf[s->len] = '\0';
        if (n > 0 && memchr(s->buf, '\n', s->len) == NULL && s->len < sizeof s->buf - 1)
            continue;
        int code = http_status_of(s->buf);
        char why[32];
        snprintf(why, sizeof why, code < 0 ? "not an HTTP answer" : "HTTP %d", code);
        finish(pr, kind, code >= 0 && HTTP_SUCCESS(code), why, now);
        return;
    }
}

/* The check's socket is ready (connected, writable, readable). */
static void on_socket(void *ctx, int fd, uint32_t events) {
    struct prober_slot *s = ctx;
    struct prober *pr = s->owner;
    enum prober_kind kind = s->kind;
    int64_t now = loop_now_ms();
    (void)events;
    if (s->fd < 0 || s->fd != fd)
        return;
    if (!s->connected) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err == EINPROGRESS || err == EALREADY)
            return;
        if (err != 0) {
            finish(pr, kind, false, strerror(err), now);
            return;
        }
        s->connected = true;
        if (s->cfg->check.kind == HOOK_TCP_SOCKET) {
            finish(pr, kind, true, "connected", now);
            return;
        }
    }
    http_progress(pr, kind, now);
}

bool prober_on_reaped(struct prober *pr, pid_t pid, int status, int64_t now) {
    for (int k = 0; k < PROBER_KINDS; k++) {
        struct prober_slot *s = &pr->slot[k];
        if (s->pid <= 0 || s->pid != pid)
            continue;
        s->pid = 0; /* reaped: nothing to kill */
        char why[32];
        if (WIFEXITED(status))
            snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
        else
            snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
        finish(pr, (enum prober_kind)k, WIFEXITED(status) && WEXITSTATUS(status) == 0, why, now);
        return true;
    }
    return false;
}

int64_t prober_next_wakeup(const struct prober *pr) {
    int64_t next = 0;
    for (int k = 0; k < PROBER_KINDS; k++) {
        const struct prober_slot *s = &pr->slot[k];
        if (s->cfg == NULL)
            continue;
        int64_t t = probe_next_wakeup(&s->st, &s->cfg->timing);
        if (t != 0 && (next == 0 || t < next))
            next = t;
    }
    return next;
}

const char *prober_kind_name(enum prober_kind kind) {
    return kind < PROBER_KINDS ? kind_names[kind] : "?";
}
