/* src/os/probe_client.c — the probe client: parse the URL, run the one HTTP
 * client on a loop of its own under one deadline, say what happened in one
 * line. */
#include "podinit/probe_client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "podinit/options.h"
#include "podinit/http.h"
#include "podinit/http_client.h"

int probe_client_parse_url(const char *url, struct http_url *u, char *err, size_t errlen) {
    if (http_parse_url(url, u, err, errlen) != 0)
        return -1;
    struct sockaddr_storage addr;
    socklen_t alen;
    if (http_address(u->host, u->port, &addr, &alen) != 0) {
        snprintf(err, errlen, "\"%s\" is not an IP address or localhost (podinit does no DNS)",
                 u->host);
        return -1;
    }
    return 0;
}

#define HEADER_MAX 512

/* "Name: value" strings into headers (name and value cut in place from a
 * copy in store). Returns how many, or -1 for one too long. */
static int split_headers(const char *const *given, size_t n, char store[][HEADER_MAX],
                         struct http_header *headers) {
    for (size_t i = 0; i < n; i++) {
        if (strlen(given[i]) >= HEADER_MAX)
            return -1;
        strcpy(store[i], given[i]);
        char *colon = strchr(store[i], ':');
        char *value = colon != NULL ? colon + 1 : store[i] + strlen(store[i]);
        if (colon != NULL)
            *colon = '\0';
        value += strspn(value, " \t");
        headers[i] = (struct http_header){store[i], value};
    }
    return (int)n;
}

/* The failure line's reason for result. */
static const char *failure(int result, const char *why, char *buf, size_t len) {
    if (result > 0)
        snprintf(buf, len, "HTTP %d (not 2xx or 3xx)", result);
    else if (result == -EPROTO)
        snprintf(buf, len, "the answer is not HTTP");
    else
        snprintf(buf, len, "%s", why);
    return buf;
}

int probe_client_run(const char *url, int64_t timeout_ms, const char *const *given, size_t n_given,
                     FILE *out, FILE *err) {
    struct http_url u;
    char why[200];
    if (probe_client_parse_url(url, &u, why, sizeof why) != 0) {
        fprintf(err, "podinit: --probe %s: %s\n", url, why);
        return CLI_EXIT_PROBE; /* Docker reserves 2: every failure is 1 */
    }
    static char store[CLI_MAX_PROBE_HEADERS][HEADER_MAX];
    struct http_header headers[CLI_MAX_PROBE_HEADERS];
    if (n_given > CLI_MAX_PROBE_HEADERS) {
        fprintf(err, "podinit: at most %d --header options\n", CLI_MAX_PROBE_HEADERS);
        return CLI_EXIT_PROBE;
    }
    int n = split_headers(given, n_given, store, headers);
    if (n < 0) {
        fprintf(err, "podinit: --header: longer than %d bytes\n", HEADER_MAX - 1);
        return CLI_EXIT_PROBE;
    }
    struct http_client_target t = {u.host, u.port, u.tcp ? NULL : u.path, headers, (size_t)n};
    int result = http_client_run(&t, timeout_ms, why, sizeof why);
    if (result == -E2BIG) { /* refused before connecting */
        fprintf(err, "podinit: --header: the request would be larger than %d bytes\n",
                HTTP_REQUEST_MAX);
        return CLI_EXIT_PROBE;
    }
    if (http_client_succeeded(result)) {
        fprintf(out, "podinit: probe %s: %s\n", url, why);
        return 0;
    }
    char line[200];
    fprintf(err, "podinit: probe %s: %s\n", url, failure(result, why, line, sizeof line));
    return CLI_EXIT_PROBE;
}
