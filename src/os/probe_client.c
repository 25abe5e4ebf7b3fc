/* src/os/probe_client.c — the probe client: parse the URL, resolve its host
 * when it is a name, run the one HTTP client on a loop of its own under one
 * deadline, say what happened in one line; `--wait` does that again and
 * again until it succeeds or its time is up. This is its own short-lived
 * process, never PID 1: it may block, and it is the one place that resolves
 * names. */
#include "podinit/probe_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "podinit/http.h"
#include "podinit/http_client.h"
#include "podinit/io.h"
#include "podinit/options.h"

int probe_client_parse_url(const char *url, struct http_url *u, char *err, size_t errlen) {
    return http_parse_url(url, u, err, errlen);
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

/* ---- names ---------------------------------------------------------------------- */

#define MAX_ADDRS 8

/* What the resolver's child found: the addresses in text, for the client
 * (which takes addresses only), or getaddrinfo's error. */
struct resolved {
    int gai;    /* 0, or getaddrinfo's EAI_* */
    int errnum; /* with EAI_SYSTEM */
    int n;
    char addr[MAX_ADDRS][64]; /* INET6_ADDRSTRLEN, or a host of struct http_url */
};

/* In the resolver's child: getaddrinfo (blocking: /etc/hosts, then the
 * resolv.conf servers as the C library does it), its answers into *r. */
static void lookup(const char *host, struct resolved *r) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list;
    memset(r, 0, sizeof *r);
    r->gai = getaddrinfo(host, NULL, &hints, &list);
    r->errnum = errno;
    if (r->gai != 0)
        return;
    for (struct addrinfo *a = list; a != NULL && r->n < MAX_ADDRS; a = a->ai_next) {
        const void *at = a->ai_family == AF_INET
                             ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                             : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) &&
            inet_ntop(a->ai_family, at, r->addr[r->n], sizeof r->addr[0]) != NULL)
            r->n++;
    }
    freeaddrinfo(list);
}

/* Read len bytes from fd within ms; returns how many came (fewer: EOF, an
 * error, or the time ran out). */
static size_t read_within(int fd, void *buf, size_t len, int64_t deadline_ms) {
    size_t got = 0;
    while (got < len) {
        int64_t left = deadline_ms - loop_now_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = left > 0 ? poll(&p, 1, left > 60000 ? 60000 : (int)left) : 0;
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            break;
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* Resolve host by deadline_ms (loop_now_ms' clock) in a child of its own,
 * so that a resolver that does not answer costs no more than the time
 * left: at the deadline the child is killed. Returns 0 with the addresses
 * in *r, or -1 with the reason in why. */
static int resolve(const char *host, int64_t deadline_ms, struct resolved *r, char *why,
                   size_t len) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, len, "%s: cannot resolve: pipe: %s", host, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, len, "%s: cannot resolve: fork: %s", host, strerror(errno));
        close(fds[0]), close(fds[1]);
        return -1;
    }
    if (pid == 0) { /* single-threaded: the child may do anything */
        close(fds[0]);
        lookup(host, r);
        io_write_all(fds[1], r, sizeof *r); /* < PIPE_BUF: in one piece */
        _exit(0);
    }
    close(fds[1]);
    bool whole = read_within(fds[0], r, sizeof *r, deadline_ms) == sizeof *r;
    close(fds[0]);
    if (!whole)
        (void)kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    if (!whole) {
        snprintf(why, len, "%s: no answer from the resolver in time", host);
        return -1;
    }
    if (r->gai != 0 || r->n == 0) {
        const char *what = r->gai == EAI_SYSTEM ? strerror(r->errnum)
                           : r->gai != 0        ? gai_strerror(r->gai)
                                                : "no IPv4 or IPv6 address";
        snprintf(why, len, "%s: %s", host, what);
        return -1;
    }
    return 0;
}

/* ---- one check ------------------------------------------------------------------- */

/* What a check sends: the --header options and, for a name, a Host header
 * that carries the name (the client is given the address). */
struct request {
    const struct http_url *u;
    struct http_header headers[CLI_MAX_PROBE_HEADERS + 1];
    size_t n_given;
    char host_header[sizeof(((struct http_url *)0)->host) + 8]; /* NAME:PORT */
};

/* One check of the URL by deadline_ms: an address is checked as it is; a
 * name is resolved, then each of its addresses checked in turn until one
 * succeeds. Returns the client's result (-EADDRNOTAVAIL: the name did not
 * resolve), its words in why. */
static int check_once(struct request *q, int64_t deadline_ms, char *why, size_t len) {
    const struct http_url *u = q->u;
    struct sockaddr_storage ss;
    socklen_t sl;
    struct resolved r;
    size_t n = q->n_given;
    if (http_address(u->host, u->port, &ss, &sl) == 0) {
        r.n = 1;
        snprintf(r.addr[0], sizeof r.addr[0], "%s", u->host);
    } else if (resolve(u->host, deadline_ms, &r, why, len) != 0) {
        return -EADDRNOTAVAIL;
    } else {
        bool own = false;
        for (size_t i = 0; i < n; i++)
            own = own || strcasecmp(q->headers[i].name, "Host") == 0;
        snprintf(q->host_header, sizeof q->host_header, "%s:%d", u->host, u->port);
        if (!own)
            q->headers[n++] = (struct http_header){"Host", q->host_header};
    }
    int result = -ETIMEDOUT;
    for (int i = 0; i < r.n; i++) {
        int64_t left = deadline_ms - loop_now_ms();
        if (left <= 0)
            break;
        struct http_client_target t = {r.addr[i], u->port, u->tcp ? NULL : u->path, q->headers, n};
        result = http_client_run(&t, left, why, len);
        if (http_client_succeeded(result) || result == -E2BIG)
            break;
    }
    if (result == -ETIMEDOUT)
        snprintf(why, len, "no answer in time");
    return result;
}

/* The request for url: its URL parsed into *u and its headers split.
 * Returns 0, or -1 with the one line written on err. */
static int prepare(const char *url, const char *flag, struct http_url *u, const char *const *given,
                   size_t n_given, struct request *q, FILE *err) {
    static char store[CLI_MAX_PROBE_HEADERS][HEADER_MAX];
    char why[200];
    if (probe_client_parse_url(url, u, why, sizeof why) != 0) {
        fprintf(err, "podinit: %s %s: %s\n", flag, url, why);
        return -1;
    }
    if (n_given > CLI_MAX_PROBE_HEADERS) {
        fprintf(err, "podinit: at most %d --header options\n", CLI_MAX_PROBE_HEADERS);
        return -1;
    }
    if (split_headers(given, n_given, store, q->headers) < 0) {
        fprintf(err, "podinit: --header: longer than %d bytes\n", HEADER_MAX - 1);
        return -1;
    }
    q->u = u;
    q->n_given = n_given;
    return 0;
}

static void too_big(FILE *err) {
    fprintf(err, "podinit: --header: the request would be larger than %d bytes\n",
            HTTP_REQUEST_MAX);
}

int probe_client_run(const char *url, int64_t timeout_ms, const char *const *given, size_t n_given,
                     FILE *out, FILE *err) {
    struct http_url u;
    struct request q;
    if (prepare(url, "--probe", &u, given, n_given, &q, err) != 0)
        return CLI_EXIT_PROBE; /* Docker reserves 2: every failure is 1 */
    char why[200], line[200];
    int result = check_once(&q, loop_now_ms() + timeout_ms, why, sizeof why);
    if (result == -E2BIG) { /* refused before connecting */
        too_big(err);
        return CLI_EXIT_PROBE;
    }
    if (http_client_succeeded(result)) {
        fprintf(out, "podinit: probe %s: %s\n", url, why);
        return 0;
    }
    if (result == -ETIMEDOUT)
        snprintf(why, sizeof why, "timed out");
    fprintf(err, "podinit: probe %s: %s\n", url, failure(result, why, line, sizeof line));
    return CLI_EXIT_PROBE;
}

/* ---- --wait ------------------------------------------------------------------------ */

/* ms as seconds for a message: "60s", "1.5s", "0.25s". */
static const char *seconds(int64_t ms, char *buf, size_t len) {
    int n = snprintf(buf, len, "%lld.%03d", (long long)(ms / 1000), (int)(ms % 1000));
    if (n <= 0 || (size_t)n >= len - 1)
        return buf;
    while (buf[n - 1] == '0')
        n--;
    if (buf[n - 1] == '.')
        n--;
    buf[n] = 's';
    buf[n + 1] = '\0';
    return buf;
}

static void sleep_until(int64_t at_ms) {
    for (int64_t left; (left = at_ms - loop_now_ms()) > 0;) {
        struct timespec ts = {left / 1000, (long)(left % 1000) * 1000000};
        if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
            return;
    }
}

int probe_client_wait(const char *url, int64_t timeout_ms, const char *const *given, size_t n_given,
                      FILE *out, FILE *err) {
    struct http_url u;
    struct request q;
    if (prepare(url, "--wait", &u, given, n_given, &q, err) != 0)
        return CLI_EXIT_USAGE;
    int64_t start = loop_now_ms();
    int64_t deadline = start + (timeout_ms > 0 ? timeout_ms : PROBE_CLIENT_WAIT_ONCE_MS);
    char why[200], line[200], took[32];
    for (;;) {
        int64_t began = loop_now_ms();
        int64_t by = deadline - began > PROBE_CLIENT_WAIT_ATTEMPT_MS
                         ? began + PROBE_CLIENT_WAIT_ATTEMPT_MS
                         : deadline;
        int result = check_once(&q, by, why, sizeof why);
        if (result == -E2BIG) {
            too_big(err);
            return CLI_EXIT_USAGE;
        }
        if (http_client_succeeded(result)) {
            fprintf(out, "podinit: --wait %s: %s after %s\n", url, why,
                    seconds(loop_now_ms() - start, took, sizeof took));
            return 0;
        }
        failure(result, why, line, sizeof line);
        if (timeout_ms == 0 || loop_now_ms() >= deadline)
            break;
        int64_t next = began + PROBE_CLIENT_WAIT_INTERVAL_MS;
        sleep_until(next < deadline ? next : deadline);
        if (loop_now_ms() >= deadline)
            break;
    }
    if (timeout_ms == 0)
        fprintf(err, "podinit: --wait %s: %s (--timeout 0: one check)\n", url, line);
    else
        fprintf(err, "podinit: --wait %s: timed out after %s: %s\n", url,
                seconds(timeout_ms, took, sizeof took), line);
    return 1;
}
