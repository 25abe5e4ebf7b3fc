/* include/podinit/probe_client.h — `podinit --probe URL`: one HTTP GET or
 * TCP connect, exit 0 or 1, for Docker HEALTHCHECK and Kubernetes exec
 * probes in images without curl; `podinit --wait URL`: the same check
 * retried until it succeeds, for an init task that waits for a dependency.
 * A host may be a name: resolved here (getaddrinfo: /etc/hosts and
 * resolv.conf), in this short-lived process only, never in PID 1. */
#ifndef PODINIT_PROBE_CLIENT_H
#define PODINIT_PROBE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "podinit/http_message.h"

/* --wait: the pause from one check's start to the next, the most one check
 * may take, and the time of the one check of --timeout 0. */
#define PROBE_CLIENT_WAIT_INTERVAL_MS 250
#define PROBE_CLIENT_WAIT_ATTEMPT_MS 5000
#define PROBE_CLIENT_WAIT_ONCE_MS 1000

/* Parse url into *u (http_parse_url; the host may be an address or a
 * name). Returns 0, or -1 with a reason in err. */
int probe_client_parse_url(const char *url, struct http_url *u, char *err, size_t errlen);

/* Probe url within timeout_ms, sending headers ("Name: value" each, as
 * --header gives them) with an http:// request; one line on out (success)
 * or err (failure). Returns the exit code: 0 success, 1 failure of any
 * kind (a bad URL too: Docker's HEALTHCHECK reserves 2). */
int probe_client_run(const char *url, int64_t timeout_ms, const char *const *headers,
                     size_t n_headers, FILE *out, FILE *err);

/* Check url as probe_client_run does, again every
 * PROBE_CLIENT_WAIT_INTERVAL_MS (a name that does not resolve is retried
 * too), each check bounded by the time left, until one succeeds (one line
 * on out, 0) or timeout_ms has passed (one line on err naming the last
 * error, 1); timeout_ms 0: one check. A URL or headers it cannot send: 2. */
int probe_client_wait(const char *url, int64_t timeout_ms, const char *const *headers,
                      size_t n_headers, FILE *out, FILE *err);

#endif
