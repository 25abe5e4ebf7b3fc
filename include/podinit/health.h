/* include/podinit/health.h — the health endpoint: GET /livez, /readyz,
 * /startupz (200 or 503) and /status (JSON), served from the event loop
 * without ever blocking it. Hard limits: HEALTH_MAX_CONNS connections (the
 * oldest is dropped for a new one), HEALTH_MAX_REQUEST bytes per request,
 * HEALTH_READ_MS to send it, HEALTH_WRITE_MS to take the answer; the last
 * HEALTH_FD_RESERVE fds below RLIMIT_NOFILE are never its own. */
#ifndef PODINIT_HEALTH_H
#define PODINIT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HEALTH_MAX_CONNS 32
#define HEALTH_MAX_REQUEST 1024
#define HEALTH_READ_MS 2000
#define HEALTH_WRITE_MS 2000
/* fds below RLIMIT_NOFILE a connection never takes: what spawning an exec
 * probe or hook (a pipe), an httpGet or tcpSocket probe (a socket each)
 * and the timer need must not be eaten by a crowd of clients. */
#define HEALTH_FD_RESERVE 8
/* How long the listener is set aside when accept runs out of fds or
 * memory (sooner when one of its connections closes). */
#define HEALTH_PAUSE_MS 500
/* The longest state name /status is sized for (lifecycle's are shorter). */
#define HEALTH_MAX_STATE 15

/* epoll tags (data.u64) of the endpoint's sockets: above any fd number. */
#define HEALTH_TAG_LISTEN (UINT64_C(1) << 40)
#define HEALTH_TAG_CONN (UINT64_C(2) << 40) /* | the connection's slot */
#define HEALTH_TAG_MASK (UINT64_C(3) << 40)

/* One process, as /status shows it. */
struct health_process {
    const char *name;  /* letters, digits, '-', '_', '.' (the config checks) */
    const char *state; /* its lifecycle state's name, at most HEALTH_MAX_STATE */
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
 * the size limit) into out. Pure. Returns its length (< cap: there is room
 * for a NUL), never a cut answer: a /status that does not fit is a 500,
 * and 0 means not even that fits. */
size_t health_respond(const char *req, size_t len, bool too_long, const struct health_status *st,
                      char *out, size_t cap);

/* The cap health_respond needs for any answer about st's processes (their
 * number and names), whatever their states, pids and counters. */
size_t health_answer_max(const struct health_status *st);

struct health_conn {
    int fd; /* -1: free */
    int64_t deadline_ms;
    bool answering; /* the request is read; buf holds what is left to send */
    size_t used;    /* bytes in buf: of the request, or of the answer */
    size_t sent;    /* answering: how many of them have gone */
    char *buf;      /* max(HEALTH_MAX_REQUEST, the answer cap) bytes */
};

struct health {
    int listen_fd; /* -1: off */
    int epfd;
    bool paused;               /* the listener is out of the epoll set */
    int64_t resume_ms;         /* paused: when it goes back */
    int fd_limit;              /* a connection's fd is below it (RLIMIT_NOFILE - reserve) */
    size_t answer_cap;         /* health_answer_max of the processes, at start */
    char *answer;              /* answer_cap bytes: where each answer is written */
    struct health_conn *conns; /* HEALTH_MAX_CONNS, allocated by health_start */
    char *mem;                 /* the buffers of the connections and the answer */
};

/* Bind and listen (non-blocking, close-on-exec) and add to epfd; st gives
 * the processes /status will show, to size the answers once. Returns 0,
 * or -1 with the reason in err (nothing left open). */
int health_start(struct health *h, const char *spec, const struct health_status *st, int epfd,
                 char *err, size_t errlen);

/* A readiness event on one of the endpoint's sockets. */
void health_on_event(struct health *h, uint64_t tag, int64_t now_ms,
                     const struct health_status *st);

/* The earliest connection deadline, or 0 when no connection is open. */
int64_t health_next_deadline(const struct health *h);

/* Close the connections whose time is up. */
void health_expire(struct health *h, int64_t now_ms);

void health_stop(struct health *h);

#endif
