/* include/podinit/http.h — a minimal blocking HTTP/1.1 GET client with a
 * hard deadline, for httpGet hooks (run in a forked child, never in the
 * event loop). */
#ifndef PODINIT_HTTP_H
#define PODINIT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct http_header {
    char *name, *value;
};

/* The largest request http_get sends (request line and headers). */
#define HTTP_REQUEST_MAX 8192

/* GET http://host:port/path with extra headers; connecting, sending and
 * reading the status line all end by timeout_ms. Returns the status code
 * (100..599), or -errno (-ETIMEDOUT, -ECONNREFUSED, -EPROTO for a reply that
 * is not HTTP, -EHOSTUNREACH when host is not an address). */
int http_get(const char *host, int port, const char *path, const struct http_header *headers,
             size_t n_headers, int64_t timeout_ms);

/* The GET request for path (Host, User-Agent, the headers, Connection:
 * close) into out. Returns its length, or -E2BIG. */
int http_request(const char *host, int port, const char *path, const struct http_header *headers,
                 size_t n_headers, char *out, size_t cap);

/* "HTTP/1.x NNN ..." (NUL-terminated) -> NNN, or -EPROTO. */
int http_status_of(const char *line);

/* Connect to host:port within timeout_ms, then close. Returns 0 or -errno. */
int http_tcp_check(const char *host, int port, int64_t timeout_ms);

/* host: an IPv4 or IPv6 address, or "localhost" (127.0.0.1); no DNS.
 * Returns 0 or -EINVAL. */
int http_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len);

/* 2xx and 3xx count as success, as Kubernetes counts them. */
#define HTTP_SUCCESS(code) ((code) >= 200 && (code) < 400)

#endif
