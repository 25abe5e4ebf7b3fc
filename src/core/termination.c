/* src/core/termination.c — the termination message's text (termination.h). */
#include "podinit/termination.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "podinit/signals.h"

struct line {
    char *p;
    size_t len, cap;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...) {
    if (l->len + 1 >= l->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n < l->cap - l->len ? (size_t)n : l->cap - l->len - 1;
}

static const char *what_happened(enum lifecycle_end end) {
    switch (end) {
    case LC_END_LIVENESS: return "liveness probe failed";
    case LC_END_STARTUP: return "startup probe failed";
    case LC_END_POST_START: return "postStart hook failed";
    case LC_END_BACKOFF_LIMIT: return "backoffLimit reached";
    case LC_END_UNKILLABLE: return "SIGKILL could not reach it for its restart";
    default: return NULL;
    }
}

size_t termination_message(const struct pod *pod, const char *name, int exit_code, char *buf,
                           size_t cap) {
    if (cap == 0)
        return 0;
    struct line l = {buf, 0, cap};
    buf[0] = '\0';
    char sig[32];
    size_t who = pod_cause(pod);
    const struct lifecycle *lc = pod->n > 0 ? &pod->procs[who].lc : NULL;
    if (pod->cause < 0 && pod->stop_signo > 0)
        add(&l, "stopped by %s: ", signals_name(pod->stop_signo, sig, sizeof sig));
    const char *kind = pod->n > 0 ? pod_process_kind(pod, who) : "process";
    add(&l, "%s\"%s\"",
        strcmp(kind, "init") == 0 ? "init task " : strcmp(kind, "sidecar") == 0 ? "sidecar " : "",
        name ? name : "main");
    const char *what = lc ? what_happened(lc->end) : NULL;
    if (what)
        add(&l, " %s,", what);
    if (lc == NULL || !lc->main_exited)
        add(&l, " not reaped");
    else if ((lc->main_status & 0x7f) == 0) /* the wait status of a normal exit */
        add(&l, " exited with status %d", (lc->main_status >> 8) & 0xff);
    else
        add(&l, " killed by %s", signals_name(lc->main_status & 0x7f, sig, sizeof sig));
    if (pod->killed_all)
        add(&l, "; grace period expired: SIGKILL to everything left");
    add(&l, "; exit code %d", exit_code);
    /* one line, whatever a name held, and always its newline */
    for (size_t i = 0; i < l.len; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    if (l.len + 1 >= cap)
        l.len = cap - 2 < l.len ? cap - 2 : l.len;
    buf[l.len++] = '\n';
    buf[l.len] = '\0';
    return l.len;
}
