/* include/podinit/http_client.h — podinit's one HTTP client: a GET (or a
 * bare TCP connect) on a non-blocking socket, driven by the reactor
 * (loop.h). The caller owns the object (no allocation) and the clock: the
 * client says when its deadline is and the caller, who arms the loop's one
 * timer, calls http_client_expire once it has passed. Used by the probes
 * (prober.c), the httpGet hooks (process_hooks.c) and `podinit --probe`. */
#ifndef PODINIT_HTTP_CLIENT_H
#define PODINIT_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podinit/http_message.h"
#include "podinit/loop.h"

/* What to check. The strings are copied into the request at start. */
struct http_client_target {
    const char *host; /* an IP address or "localhost" (no DNS) */
    int port;
    const char *path; /* NULL: a tcpSocket check (connect, then close) */
    const struct http_header *headers;
    size_t n_headers;
};

/* The result, once: 0 (a TCP check connected), the status code (100..599),
 * or -errno: -ETIMEDOUT, -ECONNREFUSED..., -EPROTO (an answer that is not
 * HTTP), -ECONNRESET (closed without an answer). why says it in a few words
 * ("connected", "HTTP 503", "timed out", "not an HTTP answer", ...); it is
 * valid during the call only. The client is idle again when this runs: it
 * may be started again from here. */
typedef void http_client_fn(void *ctx, int result, const char *why);

struct http_client {
    int fd; /* -1: idle */
    enum { HTTP_CLIENT_CONNECTING, HTTP_CLIENT_SENDING, HTTP_CLIENT_READING } state;
    bool tcp;
    struct loop *loop;
    int64_t deadline_ms;
    http_client_fn *done;
    void *ctx;
    size_t off, len;            /* sending: sent and total; reading: received */
    char buf[HTTP_REQUEST_MAX]; /* the request, then the reply's start */
};

/* An idle client (call once before anything else). */
void http_client_init(struct http_client *c);

/* Start checking t, to end by deadline_ms (loop_now_ms' clock; 0: none, for
 * an owner whose own timer cancels it). Returns 0:
 * under way, done will be called once (unless cancelled); or -errno, done
 * never called: -EBUSY (already under way), -EINVAL (host is not an
 * address), -E2BIG (the request is larger than HTTP_REQUEST_MAX),
 * -ECONNREFUSED or another error of socket/connect/loop_watch. */
int http_client_start(struct http_client *c, struct loop *loop, const struct http_client_target *t,
                      int64_t deadline_ms, http_client_fn *done, void *ctx);

/* Stop a check under way, without a result (nothing if idle). */
void http_client_cancel(struct http_client *c);

bool http_client_busy(const struct http_client *c);

/* When the check under way must end, or 0 (idle, or no deadline): for the
 * owner's timer. */
int64_t http_client_deadline(const struct http_client *c);

/* At now_ms at or past the deadline (one was given): the check ends with
 * -ETIMEDOUT, done called. Returns whether it did. */
bool http_client_expire(struct http_client *c, int64_t now_ms);

/* Success as Kubernetes counts it: connected, or a 2xx/3xx status. */
bool http_client_succeeded(int result);

/* A result (a status, 0, or -errno, those of start included) in words. */
const char *http_client_why(int result, char *buf, size_t len);

/* Check t on a loop of its own until done or timeout_ms: for a process
 * that does nothing else (`podinit --probe`).
 * Returns the result; its words in why. */
int http_client_run(const struct http_client_target *t, int64_t timeout_ms, char *why, size_t len);

#endif
