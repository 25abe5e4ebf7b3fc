/* include/podinit/probe_client.h — `podinit --probe URL`: one HTTP GET or
 * TCP connect, exit 0 or 1, for Docker HEALTHCHECK and Kubernetes exec
 * probes in images without curl. */
#ifndef PODINIT_PROBE_CLIENT_H
#define PODINIT_PROBE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "podinit/http_message.h"

/* Parse url into *u (http_parse_url) and check that its host is an
 * address. Returns 0, or -1 with a reason in err. */
int probe_client_parse_url(const char *url, struct http_url *u, char *err, size_t errlen);

/* Probe url within timeout_ms, sending headers ("Name: value" each, as
 * --header gives them) with an http:// request; one line on out (success)
 * or err (failure). Returns the exit code: 0 success, 1 failure of any
 * kind (a bad URL too: Docker's HEALTHCHECK reserves 2). */
int probe_client_run(const char *url, int64_t timeout_ms, const char *const *headers,
                     size_t n_headers, FILE *out, FILE *err);

#endif
