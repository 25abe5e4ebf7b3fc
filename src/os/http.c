/* src/os/http.c — addresses as podinit takes them (no DNS), and http_get:
 * the one HTTP client run to its end in a process that waits for nothing
 * else (an httpGet hook's forked child). */
#include "podinit/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "podinit/http_client.h"

/* Addresses only, no DNS: hooks and probes talk to the container itself,
 * and a resolver would be a tenth of the static binary. */
int http_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len) {
    memset(addr, 0, sizeof *addr);
    if (port < 1 || port > 65535)
        return -EINVAL;
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return 0;
    }
    return -EINVAL;
}

int http_get(const char *host, int port, const char *path, const struct http_header *headers,
             size_t n_headers, int64_t timeout_ms) {
    struct http_client_target t = {host, port, path, headers, n_headers};
    char why[64];
    return http_client_run(&t, timeout_ms, why, sizeof why);
}
