/* src/probe_client.c — the probe client: parse the URL, make one request
 * under one deadline, say what happened in one line. */
#include "podinit/probe_client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "podinit/http.h"
#include "podinit/text.h"

int probe_client_parse_url(const char *url, struct probe_target *t, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    const char *rest;
    if (strncmp(url, "http://", 7) == 0) {
        rest = url + 7;
        t->port = 80;
    } else if (strncmp(url, "tcp://", 6) == 0) {
        rest = url + 6;
        t->tcp = true;
    } else {
        snprintf(err, errlen,
                 "takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT "
                 "(https is not supported)");
        return -1;
    }
    const char *host_end, *after;
    if (rest[0] == '[') { /* [IPv6] */
        host_end = strchr(rest, ']');
        if (host_end == NULL) {
            snprintf(err, errlen, "an IPv6 address needs its closing ']'");
            return -1;
        }
        rest++;
        after = host_end + 1;
    } else {
        host_end = rest + strcspn(rest, ":/");
        after = host_end;
    }
    size_t hlen = (size_t)(host_end - rest);
    if (hlen == 0 || hlen >= sizeof t->host) {
        snprintf(err, errlen, "no host, or a host name too long");
        return -1;
    }
    memcpy(t->host, rest, hlen);
    t->host[hlen] = '\0';
    const char *path = after + strcspn(after, "/");
    if (*after == ':') {
        char port[8];
        size_t plen = (size_t)(path - after - 1);
        long p = -1;
        if (plen > 0 && plen < sizeof port) {
            memcpy(port, after + 1, plen);
            port[plen] = '\0';
            p = text_parse_number(port, 1, 65535);
        }
        if (p < 0) {
            snprintf(err, errlen, "the port must be a number from 1 to 65535");
            return -1;
        }
        t->port = (int)p;
    } else if (after != path) {
        snprintf(err, errlen, "unexpected text after the host");
        return -1;
    }
    if (t->tcp) {
        if (*after != ':' || (*path != '\0' && strcmp(path, "/") != 0)) {
            snprintf(err, errlen, "tcp:// takes HOST:PORT and nothing else");
            return -1;
        }
    } else {
        if (strlen(path) >= sizeof t->path || strpbrk(path, " \t\r\n") != NULL) {
            snprintf(err, errlen, "the path is too long or has spaces or line breaks");
            return -1;
        }
        strcpy(t->path, *path ? path : "/");
    }
    struct sockaddr_storage addr;
    socklen_t alen;
    if (http_address(t->host, t->port, &addr, &alen) != 0) {
        snprintf(err, errlen, "\"%s\" is not an IP address or localhost (podinit does no DNS)",
                 t->host);
        return -1;
    }
    return 0;
}

/* "Name: value" strings into headers (name and value cut in place from a
 * copy). Returns how many, or -1. */
static int split_headers(const struct cli_options *o, char store[][512],
                         struct http_header *headers) {
    for (size_t i = 0; i < o->n_probe_headers; i++) {
        if (strlen(o->probe_headers[i]) >= 512)
            return -1;
        strcpy(store[i], o->probe_headers[i]);
        char *colon = strchr(store[i], ':');
        *colon = '\0';
        char *value = colon + 1;
        value += strspn(value, " \t");
        headers[i] = (struct http_header){store[i], value};
    }
    return (int)o->n_probe_headers;
}

int probe_client_run(const struct cli_options *o, FILE *out, FILE *err) {
    struct probe_target t;
    char why[200];
    if (probe_client_parse_url(o->probe_url, &t, why, sizeof why) != 0) {
        fprintf(err, "podinit: --probe %s: %s\n", o->probe_url, why);
        return CLI_EXIT_PROBE; /* Docker reserves 2: every failure is 1 */
    }
    static char store[CLI_MAX_PROBE_HEADERS][512];
    struct http_header headers[CLI_MAX_PROBE_HEADERS];
    int n = split_headers(o, store, headers);
    if (n < 0) {
        fprintf(err, "podinit: --header: longer than 511 bytes\n");
        return CLI_EXIT_PROBE;
    }
    static char request[HTTP_REQUEST_MAX];
    if (!t.tcp &&
        http_request(t.host, t.port, t.path, headers, (size_t)n, request, sizeof request) < 0) {
        fprintf(err, "podinit: --header: the request would be larger than %d bytes\n",
                HTTP_REQUEST_MAX);
        return CLI_EXIT_PROBE;
    }
    if (t.tcp) {
        int rc = http_tcp_check(t.host, t.port, o->probe_timeout_ms);
        if (rc == 0) {
            fprintf(out, "podinit: probe %s: connected\n", o->probe_url);
            return 0;
        }
        fprintf(err, "podinit: probe %s: %s\n", o->probe_url,
                rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
        return CLI_EXIT_PROBE;
    }
    int code = http_get(t.host, t.port, t.path, headers, (size_t)n, o->probe_timeout_ms);
    if (code >= 0 && HTTP_SUCCESS(code)) {
        fprintf(out, "podinit: probe %s: HTTP %d\n", o->probe_url, code);
        return 0;
    }
    if (code >= 0)
        fprintf(err, "podinit: probe %s: HTTP %d (not 2xx or 3xx)\n", o->probe_url, code);
    else if (code == -EPROTO)
        fprintf(err, "podinit: probe %s: the answer is not HTTP\n", o->probe_url);
    else
        fprintf(err, "podinit: probe %s: %s\n", o->probe_url,
                code == -ETIMEDOUT ? "timed out" : strerror(-code));
    return CLI_EXIT_PROBE;
}
