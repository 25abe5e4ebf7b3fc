/* src/http.c — GET a URL and read its status line, all under one deadline:
 * a non-blocking socket and poll(2) for every step, so a peer that accepts
 * and never answers cannot hold the caller past its time. */
#include "podinit/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "podinit/version.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline. Returns 0 or -errno. */
static int wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n > 0)
            return 0;
    }
}

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

static int connect_to(const struct sockaddr *sa, socklen_t sa_len, int64_t deadline) {
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, sa, sa_len) == 0)
        return fd;
    int err = errno;
    if (err == EINPROGRESS) {
        err = -wait_for(fd, POLLOUT, deadline);
        socklen_t len = sizeof err;
        if (err == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err == 0)
            return fd;
    }
    close(fd);
    return -err;
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            int rc = wait_for(fd, POLLOUT, deadline);
            if (rc < 0)
                return rc;
            continue;
        }
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
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

static int read_status(int fd, int64_t deadline) {
    char buf[256];
    size_t used = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + used, sizeof buf - 1 - used, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            int rc = wait_for(fd, POLLIN, deadline);
            if (rc < 0)
                return rc;
            continue;
        }
        if (n < 0)
            return -errno;
        used += (size_t)n;
        buf[used] = '\0';
        if (n == 0 || memchr(buf, '\n', used) != NULL || used == sizeof buf - 1)
            return used == 0 ? -ECONNRESET : http_status_of(buf);
    }
}

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

int http_get(const char *host, int port, const char *path, const struct http_header *headers,
             size_t n_headers, int64_t timeout_ms) {
    int64_t deadline = now_ms() + timeout_ms;
    char request[HTTP_REQUEST_MAX];
    int len = http_request(host, port, path, headers, n_headers, request, sizeof request);
    if (len < 0)
        return len;

    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (http_address(host, port, &addr, &addr_len) != 0)
        return -EHOSTUNREACH;
    int fd = connect_to((const struct sockaddr *)&addr, addr_len, deadline);
    if (fd < 0)
        return fd;
    int rc = send_all(fd, request, (size_t)len, deadline);
    if (rc == 0)
        rc = read_status(fd, deadline);
    close(fd);
    return rc;
}

int http_tcp_check(const char *host, int port, int64_t timeout_ms) {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (http_address(host, port, &addr, &addr_len) != 0)
        return -EHOSTUNREACH;
    int fd = connect_to((const struct sockaddr *)&addr, addr_len, now_ms() + timeout_ms);
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}
