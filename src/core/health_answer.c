/* src/core/health_answer.c — the health endpoint's answers, pure: the
 * text of each answer, the room they need (measured once, so nothing is
 * allocated per request), and the parts of a request's and a listen
 * address's syntax the endpoint needs. */
#include "podinit/health_answer.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "podinit/text.h"

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
        "%s{\"name\":\"%s\",\"kind\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"running\":%s,"
        "\"ready\":%s,\"restarts\":%d,\"lastExit\":%s}",
        i ? "," : "", p->name, p->kind ? p->kind : "process", p->state, (int)p->pid, boolean(p->pid > 0), boolean(p->ready),
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
                                                .kind = "sidecar", /* the longest */
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

bool health_request_complete(const char *req, size_t len) {
    for (size_t i = 0; i + 1 < len; i++)
        if (req[i] == '\n' &&
            (req[i + 1] == '\n' || (req[i + 1] == '\r' && i + 2 < len && req[i + 2] == '\n')))
            return true;
    return false;
}

int health_split_listen(const char *spec, char *host, size_t hostcap, int *port, char *err,
                        size_t errlen) {
    const char *colon = strrchr(spec, ':');
    if (colon == NULL) {
        snprintf(err, errlen, "takes ADDRESS:PORT (\"0.0.0.0:8086\", \"[::]:8086\")");
        return -1;
    }
    long p = text_parse_number(colon + 1, 1, 65535);
    if (p < 0) {
        snprintf(err, errlen, "the port must be a number from 1 to 65535");
        return -1;
    }
    size_t hlen = (size_t)(colon - spec);
    if (hlen >= 2 && spec[0] == '[' && colon[-1] == ']') {
        spec++;
        hlen -= 2;
    }
    if (hlen >= hostcap) {
        snprintf(err, errlen, "the address is too long");
        return -1;
    }
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}
