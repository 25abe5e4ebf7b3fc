/* httpapp — a tiny HTTP app for lifecycle tests and the demo. Listens on
 * 127.0.0.1 (port from argv[1], 0 = any), prints "ready PORT", answers every
 * request with 200 and the path, and appends one line per event to the file
 * in argv[2] (or stdout): "app: GET /path", "app: SIGTERM". It keeps serving
 * until a stop signal (TERM, INT or QUIT), then exits 0; with --ignore-term
 * it logs SIGTERM and goes on serving. With --mute it accepts connections
 * and never answers (a server that hangs); with --garbage it answers
 * something that is not HTTP and closes. With --any it listens on every
 * address, not only loopback (the app of Dockerfile.example).
 *
 * usage: httpapp PORT [EVENTS_FILE|-] [--ignore-term] [--mute] [--garbage] [--any] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int events_fd = STDOUT_FILENO;

static void event(const char *fmt, const char *arg) {
    char line[512];
    int n = snprintf(line, sizeof line, fmt, arg);
    if (n > 0 && (size_t)n < sizeof line && write(events_fd, line, (size_t)n) < 0)
        perror("httpapp: write");
}

/* The stop signals' names (no sigabbrev_np: musl, for the static build of
 * the runtime tests, lacks it). */
static const char *stop_name(unsigned signo) {
    return signo == SIGTERM ? "TERM" : signo == SIGINT ? "INT" : signo == SIGQUIT ? "QUIT" : "?";
}

static void serve(int client) {
    char req[2048];
    size_t used = 0;
    struct pollfd p = {.fd = client, .events = POLLIN};
    while (used < sizeof req - 1 && poll(&p, 1, 2000) == 1) {
        ssize_t n = read(client, req + used, sizeof req - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        req[used] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    req[used] = '\0';
    char path[256] = "?";
    if (sscanf(req, "GET %255s", path) == 1)
        event("app: GET %s\n", path);
    /* A Content-Length, so that a proxy in front can keep its client's
     * connection open (a load generator counts a close as an error). */
    char body[320], reply[512];
    int b = snprintf(body, sizeof body, "served %s by pid %d\n", path, (int)getpid());
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s",
                     b, body);
    if (n > 0 && (size_t)n < sizeof reply && write(client, reply, (size_t)n) < 0)
        perror("httpapp: reply");
    close(client);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(
            stderr,
            "usage: httpapp PORT [EVENTS_FILE|-] [--ignore-term] [--mute] [--garbage] [--any]\n");
        return 2;
    }
    int ignore_term = 0, mute = 0, garbage = 0, any = 0;
    for (int i = 3; i < argc; i++) {
        ignore_term |= strcmp(argv[i], "--ignore-term") == 0;
        mute |= strcmp(argv[i], "--mute") == 0;
        garbage |= strcmp(argv[i], "--garbage") == 0;
        any |= strcmp(argv[i], "--any") == 0;
    }
    if (argc > 2 && strcmp(argv[2], "-") != 0) {
        events_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (events_fd < 0) {
            perror(argv[2]);
            return 2;
        }
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGQUIT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)atoi(argv[1])),
                               .sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (sfd < 0 || lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(lfd, 64) != 0 || getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
        perror("httpapp");
        return 2;
    }
    printf("ready %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return 2;
        if (p[1].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                event("app: SIG%s\n", stop_name(si.ssi_signo));
                if (!(ignore_term && si.ssi_signo == SIGTERM))
                    return 0;
            }
        }
        if (p[0].revents) {
            int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0 && garbage) {
                static const char junk[] = "\x16\x03\x01 not http at all\r\n\r\n";
                if (write(c, junk, sizeof junk - 1) < 0)
                    perror("httpapp: garbage");
                close(c);
            } else if (c >= 0 && !mute) {
                serve(c); /* muted: the connection is held open, never answered */
            }
        }
    }
}
