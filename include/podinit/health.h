/* include/podinit/health.h — the health endpoint: GET /livez, /readyz,
 * /startupz (200 or 503) and /status (JSON), served from the event loop
 * without ever blocking it. Hard limits: HEALTH_MAX_CONNS connections (the
 * oldest is dropped for a new one), HEALTH_MAX_REQUEST bytes per request,
 * HEALTH_READ_MS to send it. */
#ifndef PODINIT_HEALTH_H
#define PODINIT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HEALTH_MAX_CONNS 32
#define HEALTH_MAX_REQUEST 1024
#define HEALTH_READ_MS 2000

/* epoll tags (data.u64) of the endpoint's sockets: above any fd number. */
#define HEALTH_TAG_LISTEN (UINT64_C(1) << 40)
#define HEALTH_TAG_CONN (UINT64_C(2) << 40) /* | the connection's slot */
#define HEALTH_TAG_MASK (UINT64_C(3) << 40)

/* One process, as /status shows it. */
struct health_process {
    const char *name;  /* letters, digits, '-', '_', '.' (the config checks) */
    const char *state; /* its lifecycle state's name */
    pid_t pid;         /* 0 when not running */
    bool ready;
    int restarts;
    bool exited;
    int last_exit; /* exit code (128+N for signal N) when exited */
};

/* What the endpoint reports; filled by the supervisor on each request. */
struct health_status {
    const char *state;         /* the container's: the main process's lifecycle state */
    bool live, ready, started; /* every process's */
    const struct health_process *procs;
    size_t n_procs;
};

/* Parse "ADDR:PORT" ("0.0.0.0:8086", "127.0.0.1:8086", "[::]:8086",
 * ":8086" for every IPv4 address). Returns 0, or -1 with a reason. */
int health_parse_listen(const char *spec, char *err, size_t errlen);

/* The whole HTTP answer to one request (req[0..len), complete or cut at
 * the size limit) into out. Pure. Returns its length (always < cap). */
size_t health_respond(const char *req, size_t len, bool too_long, const struct health_status *st,
                      char *out, size_t cap);

/* The largest answer health_respond writes (8 processes in /status). */
#define HEALTH_MAX_ANSWER 3072

struct health_conn {
    int fd; /* -1: free */
    int64_t deadline_ms;
    size_t used;
    char buf[HEALTH_MAX_REQUEST];
};

struct health {
    int listen_fd; /* -1: off */
    int epfd;
    struct health_conn *conns; /* HEALTH_MAX_CONNS, allocated by health_start */
};

/* Bind and listen (non-blocking, close-on-exec) and add to epfd. Returns
 * 0, or -1 with the reason in err (nothing left open). */
int health_start(struct health *h, const char *spec, int epfd, char *err, size_t errlen);

/* A readiness event on one of the endpoint's sockets. */
void health_on_event(struct health *h, uint64_t tag, int64_t now_ms,
                     const struct health_status *st);

/* The earliest connection deadline, or 0 when no connection is open. */
int64_t health_next_deadline(const struct health *h);

/* Close the connections whose time is up. */
void health_expire(struct health *h, int64_t now_ms);

void health_stop(struct health *h);

#endif
