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

/* ---- /metrics: Prometheus' text format ------------------------------------ */

static void family(struct sink *s, const char *name, const char *type, const char *help) {
    put(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A process's labels. Names and kinds are [A-Za-z0-9._-] (the config
 * checks), so nothing in them needs the format's escapes. */
#define LABELS "process=\"%s\",kind=\"%s\""
#define LABEL_ARGS(p) (p)->name, (p)->kind ? (p)->kind : "process"

static void metrics_body(struct sink *s, const struct health_status *st) {
    static const char *const probe_names[3] = {"startup", "readiness", "liveness"};
    family(s, "podinit_process_up", "gauge", "Whether the process is running.");
    for (size_t i = 0; i < st->n_procs; i++)
        put(s, "podinit_process_up{" LABELS "} %d\n", LABEL_ARGS(&st->procs[i]),
            st->procs[i].pid > 0);
    family(s, "podinit_process_ready", "gauge", "Whether the process counts as ready.");
    for (size_t i = 0; i < st->n_procs; i++)
        put(s, "podinit_process_ready{" LABELS "} %d\n", LABEL_ARGS(&st->procs[i]),
            st->procs[i].ready);
    family(s, "podinit_process_restarts_total", "counter", "Restarts of the process.");
    for (size_t i = 0; i < st->n_procs; i++)
        put(s, "podinit_process_restarts_total{" LABELS "} %d\n", LABEL_ARGS(&st->procs[i]),
            st->procs[i].restarts);
    family(s, "podinit_process_last_exit_code", "gauge",
           "The exit code of the process's last exit (128+N for signal N); none before one.");
    for (size_t i = 0; i < st->n_procs; i++)
        if (st->procs[i].exited)
            put(s, "podinit_process_last_exit_code{" LABELS "} %d\n", LABEL_ARGS(&st->procs[i]),
                st->procs[i].last_exit);
    family(s, "podinit_probe_failures_total", "counter",
           "Times the probe went failing (failureThreshold checks failed in a row).");
    for (size_t i = 0; i < st->n_procs; i++)
        for (int k = 0; k < 3; k++)
            if (st->procs[i].probes & (1u << k))
                put(s, "podinit_probe_failures_total{" LABELS ",probe=\"%s\"} %llu\n",
                    LABEL_ARGS(&st->procs[i]), probe_names[k], st->procs[i].probe_failures[k]);
    family(s, "podinit_container_live", "gauge", "Whether /livez answers 200.");
    put(s, "podinit_container_live %d\n", st->live);
    family(s, "podinit_container_ready", "gauge", "Whether /readyz answers 200.");
    put(s, "podinit_container_ready %d\n", st->ready);
    family(s, "podinit_container_state", "gauge", "The container's state (the main process's).");
    put(s, "podinit_container_state{state=\"%s\"} 1\n", st->state);
    const struct health_counters *c = &st->counters;
    family(s, "podinit_signals_forwarded_total", "counter", "Signals podinit passed on.");
    put(s, "podinit_signals_forwarded_total %llu\n", c->signals_forwarded);
    family(s, "podinit_zombies_reaped_total", "counter", "Children podinit reaped, of all kinds.");
    put(s, "podinit_zombies_reaped_total %llu\n", c->zombies_reaped);
    family(s, "podinit_log_lines_dropped_total", "counter",
           "podinit's log lines its stderr could not take.");
    put(s, "podinit_log_lines_dropped_total %llu\n", c->log_lines_dropped);
    family(s, "podinit_output_lines_dropped_total", "counter",
           "Processes' output lines (output prefix or json) podinit could not pass on.");
    put(s, "podinit_output_lines_dropped_total %llu\n", c->output_lines_dropped);
}

/* Content-Length comes first: the body is measured (a dry run), then
 * written after it. Too big for cap is a 500, never a cut body. */
static size_t measured_answer(char *out, size_t cap, const struct health_status *st,
                              const char *type, void (*body_of)(struct sink *,
                                                                const struct health_status *)) {
    struct sink body = {0};
    body_of(&body, st);
    struct sink s = {.out = out, .cap = cap};
    head(&s, 200, "OK", type, body.len);
    body_of(&s, st);
    size_t n = body.failed ? 0 : written(&s);
    return n > 0 ? n
                 : answer(out, cap, 500, "Internal Server Error", "text/plain", "answer too large\n");
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
    /* /metrics at its widest: every counter at its largest, every probe */
    struct sink m = {0};
    struct health_status w = {.state = state, .n_procs = 0, .counters = {ULLONG_MAX, ULLONG_MAX,
                                                                        ULLONG_MAX, ULLONG_MAX}};
    metrics_body(&m, &w);
    struct sink none = {0}; /* the same without processes, to take off each */
    metrics_body(&none, &(struct health_status){.state = ""});
    for (size_t i = 0; i < st->n_procs; i++) {
        struct health_process p = {.name = st->procs[i].name,
                                   .kind = "sidecar",
                                   .pid = 1,
                                   .ready = true,
                                   .restarts = INT_MIN,
                                   .exited = true,
                                   .last_exit = INT_MIN,
                                   .probes = 7,
                                   .probe_failures = {ULLONG_MAX, ULLONG_MAX, ULLONG_MAX}};
        struct sink one = {0};
        metrics_body(&one, &(struct health_status){.state = "", .procs = &p, .n_procs = 1});
        m.len += one.len - none.len; /* what this process adds */
    }
    struct sink mh = {0};
    head(&mh, 200, "OK", HEALTH_METRICS_TYPE, m.len);
    if (mh.len + m.len + 1 > n)
        n = mh.len + m.len + 1;
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
        return measured_answer(out, cap, st, "application/json", status_body);
    if (IS("/metrics"))
        return measured_answer(out, cap, st, HEALTH_METRICS_TYPE, metrics_body);
#undef IS
    return answer(out, cap, 404, "Not Found", "text/plain",
                  "not found: /livez /readyz /startupz /status /metrics\n");
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
