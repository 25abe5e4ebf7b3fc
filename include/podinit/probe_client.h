/* include/podinit/probe_client.h — `podinit --probe URL`: one HTTP GET or
 * TCP connect, exit 0 or 1, for Docker HEALTHCHECK and Kubernetes exec
 * probes in images without curl. */
#ifndef PODINIT_PROBE_CLIENT_H
#define PODINIT_PROBE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "podinit/cli.h"

struct probe_target {
    bool tcp;      /* tcp://HOST:PORT; otherwise http://HOST[:PORT][/PATH] */
    char host[64]; /* an address or "localhost", brackets removed */
    int port;
    char path[1024];
};

/* Parse url into *t. Returns 0, or -1 with a reason in err. */
int probe_client_parse_url(const char *url, struct probe_target *t, char *err, size_t errlen);

/* Run the probe opts asks for; one line on out (success) or err (failure).
 * Returns the exit code: 0 success, 1 failure of any kind (a bad URL
 * too: Docker's HEALTHCHECK reserves 2). */
int probe_client_run(const struct cli_options *opts, FILE *out, FILE *err);

#endif
