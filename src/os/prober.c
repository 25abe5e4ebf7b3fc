/* src/prober.c — the checks behind readiness, liveness and startup probes.
 * Nothing here waits: socket checks are the HTTP client's, moved on by the
 * loop; an exec check is a child whose exit is the answer. A check that
 * outlives its timeout is a failure and is killed or closed. */
#include "podinit/prober.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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
        http_client_init(&pr->slot[k].http);
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
static void abandon(struct prober_slot *s) {
    if (s->pid > 0) {
        (void)kill(-s->pid, SIGKILL); /* reaped later, as any child; ignored then */
        s->abandoned_pid = s->pid;
    }
    s->pid = 0;
    http_client_cancel(&s->http);
}

static void finish(struct prober *pr, enum prober_kind kind, bool ok, const char *why,
                   int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    abandon(s);
    enum probe_result r = probe_record(&s->st, &s->cfg->timing, ok, now);
    if (r != PROBE_UNKNOWN && pr->on_change)
        pr->on_change(pr->ctx, kind, r, why);
}

void prober_stop(struct prober *pr, enum prober_kind kind) {
    abandon(&pr->slot[kind]);
    probe_stop(&pr->slot[kind].st);
}

void prober_stop_all(struct prober *pr) {
    for (int k = 0; k < PROBER_KINDS; k++)
        prober_stop(pr, (enum prober_kind)k);
}

/* The client's answer: the check's result. */
static void on_http_done(void *ctx, int result, const char *why) {
    struct prober_slot *s = ctx;
    finish(s->owner, s->kind, http_client_succeeded(result), why, loop_now_ms());
}

static void start_socket_check(struct prober *pr, enum prober_kind kind, int64_t now) {
    struct prober_slot *s = &pr->slot[kind];
    const struct config_hook *c = &s->cfg->check;
    struct http_client_target t = {
        .host = c->host ? c->host : "127.0.0.1",
        .port = c->port,
        .path = c->kind == HOOK_HTTP_GET ? (c->path ? c->path : "/") : NULL,
        .headers = c->headers,
        .n_headers = c->n_headers,
    };
    /* Its timeout is the probe's (prober_tick), as for an exec check. */
    int rc =
        http_client_start(&s->http, pr->loop, &t, now + s->cfg->timing.timeout_ms, on_http_done, s);
    if (rc < 0) {
        char why[64];
        finish(pr, kind, false, http_client_why(rc, why, sizeof why), now);
    }
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

bool prober_on_reaped(struct prober *pr, pid_t pid, int status, int64_t now) {
    for (int k = 0; k < PROBER_KINDS; k++) {
        struct prober_slot *s = &pr->slot[k];
        if (s->abandoned_pid > 0 && s->abandoned_pid == pid) {
            s->abandoned_pid = 0; /* its result was already decided */
            return true;
        }
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
