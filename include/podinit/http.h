/* include/podinit/http.h — addresses (no DNS), and a GET that waits for
 * its answer: http_get, for the httpGet hooks' forked child (never the
 * event loop). The HTTP itself is http_client.h and http_message.h. */
#ifndef PODINIT_HTTP_H
#define PODINIT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "podinit/http_message.h"

/* GET http://host:port/path with extra headers, on the one client
 * (http_client_run); connecting, sending and reading the status line all
 * end by timeout_ms. Returns the status code (100..599), or -errno
 * (-ETIMEDOUT, -ECONNREFUSED, -EPROTO for a reply that is not HTTP,
 * -EINVAL when host is not an address, -E2BIG for a request larger
 * than HTTP_REQUEST_MAX). */
int http_get(const char *host, int port, const char *path, const struct http_header *headers,
             size_t n_headers, int64_t timeout_ms);

/* host: an IPv4 or IPv6 address, or "localhost" (127.0.0.1); no DNS.
 * Returns 0 or -EINVAL. */
int http_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len);

#endif
