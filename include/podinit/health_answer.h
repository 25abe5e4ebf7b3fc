/* include/podinit/health_answer.h — what the health endpoint says, as pure
 * functions: the answer to a request (GET /livez, /readyz, /startupz,
 * /status), the room any answer needs, whether a request is complete, and
 * the listen address split into host and port. No socket here (health.h). */
#ifndef PODINIT_HEALTH_ANSWER_H
#define PODINIT_HEALTH_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The longest state name /status is sized for (lifecycle's are shorter). */
#define HEALTH_MAX_STATE 15

/* One process, as /status shows it. */
struct health_process {
    const char *name;  /* letters, digits, '-', '_', '.' (the config checks) */
    const char *kind;  /* "process", "init" or "sidecar" (NULL: "process") */
    const char *state; /* its lifecycle state's name, at most HEALTH_MAX_STATE */
    pid_t pid;         /* 0 when not running */
    bool ready;
    int restarts;
    bool exited;
    int last_exit; /* exit code (128+N for signal N) when exited */
    unsigned probes; /* configured: 1 startup, 2 readiness, 4 liveness (as LC_PROBE_*) */
    unsigned long long probe_failures[3]; /* by that order: times each went failing */
};

/* podinit's own counters, since it started, for /metrics. */
struct health_counters {
    unsigned long long signals_forwarded, zombies_reaped, log_lines_dropped, output_lines_dropped;
};

/* What the endpoint reports; asked of the supervisor on each request. */
struct health_status {
    const char *state;         /* the container's: the main process's lifecycle state */
    bool live, ready, started; /* every process's */
    const struct health_process *procs;
    size_t n_procs;
    struct health_counters counters;
};

/* /metrics: the Prometheus text exposition format, version 0.0.4. */
#define HEALTH_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The whole HTTP answer to one request (req[0..len), complete or cut at
 * the size limit) into out. Returns its length (< cap: there is room for
 * a NUL), never a cut answer: a /status or /metrics that does not fit is a 500, and 0
 * means not even that fits. */
size_t health_respond(const char *req, size_t len, bool too_long, const struct health_status *st,
                      char *out, size_t cap);

/* The cap health_respond needs for any answer about st's processes (their
 * number and names), whatever their states, pids and counters. */
size_t health_answer_max(const struct health_status *st);

/* Whether req[0..len) holds a whole request head (an empty line ends it,
 * "\n\n" or "\n\r\n"). */
bool health_request_complete(const char *req, size_t len);

/* "ADDR:PORT" ("0.0.0.0:8086", "[::]:8086", ":8086") split into the host
 * (brackets removed, "" for ":PORT") and the port, 1 to 65535. Returns 0,
 * or -1 with a reason in err. Whether the host is an address is the
 * caller's to check. */
int health_split_listen(const char *spec, char *host, size_t hostcap, int *port, char *err,
                        size_t errlen);

#endif
