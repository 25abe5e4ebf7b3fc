/* src/core/http_message.c — what podinit's HTTP client says and reads:
 * the one GET request (bounded by HTTP_REQUEST_MAX for every user), the
 * status line of the answer, and the --probe URL. Pure: the sockets are
 * src/os/http_client.c's. */
#include "podinit/http_message.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "podinit/text.h"
#include "podinit/version.h"

int http_request(const char *host, int port, const char *path, const struct http_header *headers,
                 size_t n_headers, char *out, size_t cap) {
    bool own_host = false;
    for (size_t i = 0; i < n_headers; i++)
        own_host = own_host || strcasecmp(headers[i].name, "Host") == 0;
    int len = snprintf(out, cap, "GET %s HTTP/1.1\r\n", path);
    if (!own_host && len > 0 && (size_t)len < cap)
        len += snprintf(out + len, cap - (size_t)len, "Host: %s%s%s:%d\r\n",
                        strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
    for (size_t i = 0; i < n_headers && len > 0 && (size_t)len < cap; i++)
        len +=
            snprintf(out + len, cap - (size_t)len, "%s: %s\r\n", headers[i].name, headers[i].value);
    if (len > 0 && (size_t)len < cap)
        len += snprintf(out + len, cap - (size_t)len,
                        "User-Agent: podinit/%s\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                        PODINIT_VERSION);
    if (len < 0 || (size_t)len >= cap)
        return -E2BIG;
    return len;
}

int http_status_of(const char *line) {
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return -EPROTO;
    const char *c = line + 9;
    if (c[0] < '1' || c[0] > '5' || c[1] < '0' || c[1] > '9' || c[2] < '0' || c[2] > '9' ||
        (c[3] != ' ' && c[3] != '\r' && c[3] != '\n' && c[3] != '\0'))
        return -EPROTO;
    return (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
}

bool http_status_may_follow(const char *reply, size_t n) {
    static const char start[] = "HTTP/1.";
    return strncmp(reply, start, n < sizeof start - 1 ? n : sizeof start - 1) == 0;
}

static int url_error(char *err, size_t errlen, const char *why) {
    snprintf(err, errlen, "%s", why);
    return -1;
}

/* The scheme: where the authority starts, or NULL. */
static const char *url_scheme(const char *url, struct http_url *u) {
    if (strncmp(url, "http://", 7) == 0) {
        u->port = 80;
        return url + 7;
    }
    if (strncmp(url, "tcp://", 6) == 0) {
        u->tcp = true;
        return url + 6;
    }
    return NULL;
}

/* HOST or [IPv6] into u->host; *after: the text past it. */
static int url_host(const char *rest, struct http_url *u, const char **after, char *err,
                    size_t errlen) {
    const char *host_end;
    if (rest[0] == '[') {
        host_end = strchr(rest, ']');
        if (host_end == NULL)
            return url_error(err, errlen, "an IPv6 address needs its closing ']'");
        rest++;
        *after = host_end + 1;
    } else {
        host_end = rest + strcspn(rest, ":/");
        *after = host_end;
    }
    size_t hlen = (size_t)(host_end - rest);
    if (hlen == 0 || hlen >= sizeof u->host)
        return url_error(err, errlen, "no host, or a host name too long");
    memcpy(u->host, rest, hlen);
    u->host[hlen] = '\0';
    return 0;
}

/* ":PORT" from after up to path, if there. */
static int url_port(const char *after, const char *path, struct http_url *u, char *err,
                    size_t errlen) {
    if (*after != ':')
        return after == path ? 0 : url_error(err, errlen, "unexpected text after the host");
    char port[8];
    size_t plen = (size_t)(path - after - 1);
    long p = -1;
    if (plen > 0 && plen < sizeof port) {
        memcpy(port, after + 1, plen);
        port[plen] = '\0';
        p = text_parse_number(port, 1, 65535);
    }
    if (p < 0)
        return url_error(err, errlen, "the port must be a number from 1 to 65535");
    u->port = (int)p;
    return 0;
}

int http_parse_url(const char *url, struct http_url *u, char *err, size_t errlen) {
    memset(u, 0, sizeof *u);
    const char *rest = url_scheme(url, u), *after;
    if (rest == NULL)
        return url_error(err, errlen,
                         "takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT "
                         "(https is not supported)");
    if (url_host(rest, u, &after, err, errlen) != 0)
        return -1;
    const char *path = after + strcspn(after, "/");
    if (url_port(after, path, u, err, errlen) != 0)
        return -1;
    if (u->tcp) {
        if (*after != ':' || (*path != '\0' && strcmp(path, "/") != 0))
            return url_error(err, errlen, "tcp:// takes HOST:PORT and nothing else");
        return 0;
    }
    if (strlen(path) >= sizeof u->path || strpbrk(path, " \t\r\n") != NULL)
        return url_error(err, errlen, "the path is too long or has spaces or line breaks");
    strcpy(u->path, *path ? path : "/");
    return 0;
}
