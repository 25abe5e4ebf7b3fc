/* include/podinit/health.h — the health endpoint: GET /livez, /readyz,
 * /startupz (200 or 503) and /status (JSON), served on the loop without
 * ever blocking it; what it says is health_answer.h's. Hard limits:
 * HEALTH_MAX_CONNS connections (the oldest is dropped for a new one),
 * HEALTH_MAX_REQUEST bytes per request, HEALTH_READ_MS to send it,
 * HEALTH_WRITE_MS to take the answer; the last HEALTH_FD_RESERVE fds below
 * RLIMIT_NOFILE are never its own. */
#ifndef PODINIT_HEALTH_H
#define PODINIT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "podinit/health_answer.h"
#include "podinit/loop.h"

#define HEALTH_MAX_CONNS 32
#define HEALTH_MAX_REQUEST 1024
#define HEALTH_READ_MS 2000
#define HEALTH_WRITE_MS 2000
/* fds below RLIMIT_NOFILE a connection never takes: what spawning an exec
 * probe or hook (a pipe) and an httpGet or tcpSocket probe (a socket each)
 * need must not be eaten by a crowd of clients. */
#define HEALTH_FD_RESERVE 8
/* How long the listener is set aside when accept runs out of fds or
 * memory (sooner when one of its connections closes). */
#define HEALTH_PAUSE_MS 500

/* What to report, asked when a request is answered (and once at start,
 * for the processes' names): fills procs (n_procs of them, as given to
 * health_start) and returns the status that points at them. */
typedef struct health_status health_status_fn(void *ctx, struct health_process *procs);

/* Parse "ADDR:PORT" ("0.0.0.0:8086", "127.0.0.1:8086", "[::]:8086",
 * ":8086" for every IPv4 address). Returns 0, or -1 with a reason. */
int health_parse_listen(const char *spec, char *err, size_t errlen);

struct health;

struct health_conn {
    struct health *h;
    int fd; /* -1: free */
    int64_t deadline_ms;
    bool answering; /* the request is read; buf holds what is left to send */
    size_t used;    /* bytes in buf: of the request, or of the answer */
    size_t sent;    /* answering: how many of them have gone */
    char *buf;      /* max(HEALTH_MAX_REQUEST, the answer cap) bytes */
};

struct health {
    int listen_fd; /* -1: off */
    struct loop *loop;
    health_status_fn *status;
    void *status_ctx;
    struct health_process *procs; /* n_procs, filled by status */
    size_t n_procs;
    bool paused;               /* the listener is not watched */
    int64_t resume_ms;         /* paused: when it is watched again */
    int fd_limit;              /* a connection's fd is below it (RLIMIT_NOFILE - reserve) */
    size_t answer_cap;         /* health_answer_max of the processes, at start */
    char *answer;              /* answer_cap bytes: where each answer is written */
    struct health_conn *conns; /* HEALTH_MAX_CONNS, allocated by health_start */
    char *mem;                 /* the buffers of the connections and the answer */
};

/* Bind and listen (non-blocking, close-on-exec), watched on loop; status
 * is asked once now, to size the answers for its n_procs processes.
 * Returns 0, or -1 with the reason in err (nothing left open). */
int health_start(struct health *h, struct loop *loop, const char *spec, size_t n_procs,
                 health_status_fn *status, void *ctx, char *err, size_t errlen);

/* The earliest connection deadline, or 0 when no connection is open. */
int64_t health_next_deadline(const struct health *h);

/* Close the connections whose time is up. */
void health_expire(struct health *h, int64_t now_ms);

/* Everything closed and unwatched (before the loop is closed). */
void health_stop(struct health *h);

#endif
