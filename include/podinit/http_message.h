/* include/podinit/http_message.h — the pure parts of podinit's HTTP client:
 * the GET request it sends, the status line it reads back, and the URLs
 * `podinit --probe` takes. No I/O: the socket side is http_client.h. */
#ifndef PODINIT_HTTP_MESSAGE_H
#define PODINIT_HTTP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

struct http_header {
    char *name, *value;
};

/* The largest request podinit sends (request line and headers), for every
 * user: probes, hooks, --probe; the config loader refuses larger ones. */
#define HTTP_REQUEST_MAX 8192

/* 2xx and 3xx count as success, as Kubernetes counts them. */
#define HTTP_SUCCESS(code) ((code) >= 200 && (code) < 400)

/* The GET request for path (Host, the headers, User-Agent, Accept,
 * Connection: close) into out. Returns its length, or -E2BIG when it does
 * not fit in cap bytes (its NUL included). */
int http_request(const char *host, int port, const char *path, const struct http_header *headers,
                 size_t n_headers, char *out, size_t cap);

/* "HTTP/1.x NNN ..." (NUL-terminated) -> NNN, or -EPROTO. Reads at most
 * HTTP_STATUS_PREFIX bytes. */
int http_status_of(const char *line);

/* How many bytes of a reply decide its status ("HTTP/1.1 200 "). */
#define HTTP_STATUS_PREFIX 13

/* Whether the first n bytes of a reply can still begin a status line:
 * false is an answer that is not HTTP, known before the line ends. */
bool http_status_may_follow(const char *reply, size_t n);

/* A --probe URL: http://HOST[:PORT][/PATH] or tcp://HOST:PORT. */
struct http_url {
    bool tcp;
    char host[64]; /* brackets of an IPv6 address removed; not checked here */
    int port;      /* 80 by default for http:// */
    char path[1024];
};

/* Parse url into *u (syntax only: whether host is an address is the
 * caller's to check). Returns 0, or -1 with a reason in err. */
int http_parse_url(const char *url, struct http_url *u, char *err, size_t errlen);

#endif
