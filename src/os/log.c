/* src/os/log.c — log lines in each persona's style (log_format.c builds
 * them), written without ever blocking PID 1. */
#include "podinit/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "podinit/exit_code.h"
#include "podinit/hot.h"
#include "podinit/loop.h" /* the one millisecond clock */
#include "podinit/signals.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008 /* the kernel's value; musl does not define it */
#endif

enum { LINE_MAX_BYTES = LOG_FORMAT_LINE_MAX };

static enum persona_log_style log_style = LOG_STYLE_PODINIT;
static bool log_info_on_stdout;
static int log_threshold = LOG_INFO;
static int64_t log_start_ms;
static bool log_json;

/* ---- output: whole lines, never a wait ------------------------------------------ */

/* How a stream is written, decided once by looking at what it is. The app
 * shares the stream's file description, so its flags are never changed. */
enum sink_way {
    SINK_UNSET,    /* not looked at yet */
    SINK_CLOSED,   /* closed at start: its number may be reused, write nothing */
    SINK_PLAIN,    /* a regular file or a device that does not wait: write(2) */
    SINK_REOPENED, /* a pipe, FIFO or terminal: write(2) on our own
                    * O_NONBLOCK description of it (open of /proc/self/fd/N) */
    SINK_SEND,     /* a socket: send(2) with MSG_DONTWAIT */
    SINK_NOWAIT,   /* a pipe that could not be reopened (EACCES when not its
                    * owner, no /proc...): pwritev2(RWF_NOWAIT) on it */
    SINK_POLLED,   /* no way above (a FIFO, a terminal; RWF_NOWAIT is for
                    * pipes, Linux 6.4 on): write(2) when poll(2) finds room */
};

struct sink {
    int fd;  /* the stream: 2, or 1 for tini's INFO and DEBUG */
    int own; /* SINK_REOPENED: our description, O_CLOEXEC, never 0-2 */
    enum sink_way way;
    unsigned long long dropped;  /* lines not written since the last one that was */
    size_t pending, pending_off; /* the end of a line begun, written before anything else */
    char rest[LINE_MAX_BYTES];
    char *big_rest; /* the end of a longer line (a process's output line), when there is one */
    size_t big_cap;
};

/* Where the end of the line begun is kept. */
static char *rest_of(struct sink *s) {
    return s->pending > sizeof s->rest ? s->big_rest : s->rest;
}

/* Every log line dropped since start, for /metrics. */
static unsigned long long dropped_total;

static void sink_dropped(struct sink *s) {
    s->dropped++;
    dropped_total++;
}

unsigned long long log_lines_dropped(void) {
    return dropped_total;
}

static struct sink sinks[2] = {{.fd = STDERR_FILENO, .own = -1}, {.fd = STDOUT_FILENO, .own = -1}};

/* A second description of the pipe, FIFO or terminal at fd, non-blocking
 * and close-on-exec; -1 when there is none (no /proc, EMFILE, ENXIO for a
 * FIFO without a reader, EACCES...). */
static int reopen_nonblocking(int fd, const struct stat *st) {
    /* Only a stream open for writing: the read end of a pipe reopened
     * for writing would put podinit's lines into the app's input. */
    int mode = fcntl(fd, F_GETFL);
    if (mode < 0 || ((mode & O_ACCMODE) != O_WRONLY && (mode & O_ACCMODE) != O_RDWR))
        return -1;
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int own;
    do
        own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    while (own < 0 && errno == EINTR);
    if (own < 0)
        return -1;
    if (own <= STDERR_FILENO) { /* 0, 1 or 2 was closed: leave it so */
        int high = fcntl(own, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        close(own);
        if (high < 0)
            return -1;
        own = high;
    }
    struct stat again;
    if (fstat(own, &again) != 0 || again.st_dev != st->st_dev || again.st_ino != st->st_ino) {
        close(own); /* not the same file after all */
        return -1;
    }
    return own;
}

static void sink_open(struct sink *s) {
    if (s->own >= 0)
        close(s->own);
    s->own = -1;
    s->dropped = 0;
    s->pending = s->pending_off = 0;
    struct stat st;
    if (fstat(s->fd, &st) != 0) {
        s->way = SINK_CLOSED;
        return;
    }
    bool fifo = S_ISFIFO(st.st_mode), tty = S_ISCHR(st.st_mode) && isatty(s->fd);
    int ptn;
    if (S_ISSOCK(st.st_mode))
        s->way = SINK_SEND;
    else if (!fifo && !tty)
        s->way = SINK_PLAIN;
    else if (tty && ioctl(s->fd, TIOCGPTN, &ptn) == 0)
        s->way = SINK_POLLED; /* a pty master: reopening it would make a new pty */
    else if ((s->own = reopen_nonblocking(s->fd, &st)) >= 0)
        s->way = SINK_REOPENED;
    else
        s->way = fifo ? SINK_NOWAIT : SINK_POLLED; /* NOWAIT: until the kernel says no */
}

static bool has_room(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* pwritev2(fd, buf, len, -1, RWF_NOWAIT): EAGAIN instead of a wait, for
 * this write only. The raw syscall: musl before 1.2.5 has no wrapper. */
static ssize_t write_nowait(int fd, const char *buf, size_t len) {
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    return (ssize_t)syscall(SYS_pwritev2, fd, &iov, 1, -1L, -1L, RWF_NOWAIT);
}

/* Write what can be written now; returns how much was. */
static size_t sink_try(struct sink *s, const char *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n;
        if (s->way == SINK_SEND) {
            n = send(s->fd, buf + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
        } else if (s->way == SINK_NOWAIT) {
            n = write_nowait(s->fd, buf + done, len - done);
            if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EPIPE) {
                s->way = SINK_POLLED; /* EOPNOTSUPP (a FIFO; a pipe before 6.4), ENOSYS */
                continue;
            }
        } else if (s->way == SINK_POLLED) {
            /* POLLOUT promises room for a write of PIPE_BUF on a FIFO, not
             * for the whole of a long line: a chunk at a time, each after a
             * poll. (A terminal's promise is smaller, and an app writing to
             * the same stream may take the room first: the residue of a
             * stream podinit could not reopen.) */
            if (!has_room(s->fd))
                break;
            size_t chunk = len - done < PIPE_BUF ? len - done : PIPE_BUF;
            n = write(s->fd, buf + done, chunk);
        } else {
            n = write(s->way == SINK_REOPENED ? s->own : s->fd, buf + done, len - done);
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EAGAIN (full), or a stream that is gone: dropped */
        done += (size_t)n;
    }
    return done;
}

/* Start buf: false when nothing of it could be written; what a partial
 * write left is kept, to finish before anything else. */
static bool sink_start(struct sink *s, const char *buf, size_t len) {
    size_t done = sink_try(s, buf, len);
    if (done == 0)
        return false;
    if (done < len) {
        size_t left = len - done;
        if (left > sizeof s->rest && left > s->big_cap) {
            char *more = realloc(s->big_rest, left); /* at most one line's: bounded */
            if (more == NULL)
                return true; /* the line stays torn; nothing better to do */
            s->big_rest = more;
            s->big_cap = left;
        }
        s->pending = left;
        s->pending_off = 0;
        memcpy(rest_of(s), buf + done, left);
    }
    return true;
}

static struct log_stamp stamp(void);

/* One line, whole, or dropped and counted. The count goes out first, as its
 * own line, as soon as a line can be written again. */
static void sink_line(struct sink *s, const char *line, size_t len) {
    if (s->way == SINK_UNSET)
        sink_open(s);
    if (s->way == SINK_CLOSED)
        return;
    if (s->pending > 0) {
        s->pending_off += sink_try(s, rest_of(s) + s->pending_off, s->pending - s->pending_off);
        if (s->pending_off < s->pending) {
            sink_dropped(s);
            return;
        }
        s->pending = s->pending_off = 0;
    }
    if (s->dropped > 0) {
        char note[LINE_MAX_BYTES];
        struct log_stamp st = log_json ? stamp() : (struct log_stamp){0};
        size_t n = log_format_dropped(note, sizeof note, log_json, &st, s->dropped);
        if (n == 0 || !sink_start(s, note, n)) {
            sink_dropped(s);
            return;
        }
        s->dropped = 0;
        if (s->pending > 0) { /* the note is not finished: this line waits no more */
            sink_dropped(s);
            return;
        }
    }
    if (!sink_start(s, line, len))
        sink_dropped(s);
}

bool log_output_line(enum output_stream stream, const char *line, size_t len) {
    struct sink *s = stream == OUTPUT_STDERR ? &sinks[0] : &sinks[1];
    if (s->way == SINK_UNSET)
        sink_open(s);
    if (s->way == SINK_CLOSED)
        return false;
    if (s->pending > 0) {
        s->pending_off += sink_try(s, rest_of(s) + s->pending_off, s->pending - s->pending_off);
        if (s->pending_off < s->pending)
            return false;
        s->pending = s->pending_off = 0;
    }
    return sink_start(s, line, len);
}

void log_init(enum cli_persona persona, int threshold, int64_t start_ms, bool json) {
    const struct persona *p = persona_of(persona);
    log_style = p->log_style;
    log_info_on_stdout = p->info_on_stdout;
    log_threshold = threshold;
    log_start_ms = start_ms;
    log_json = json && p->json_log;
    sink_open(&sinks[0]);
    if (log_info_on_stdout) {
        sink_open(&sinks[1]);
    } else {
        if (sinks[1].own >= 0)
            close(sinks[1].own);
        sinks[1] = (struct sink){.fd = STDOUT_FILENO, .own = -1}; /* not used */
    }
}

bool log_enabled(enum log_level level) {
    return (int)level <= log_threshold;
}

/* What the line's style needs of the pid and the clock, and no more: a
 * getpid(2) per line only where the line shows it. */
static struct log_stamp stamp(void) {
    unsigned needs = log_format_needs(log_style, log_json);
    return (struct log_stamp){
        .pid = needs & LOG_NEEDS_PID ? (int)getpid() : 0,
        .elapsed_ms = needs & LOG_NEEDS_TIME ? loop_now_ms() - log_start_ms : 0,
    };
}

static void emit(enum log_level level, const struct log_fields *f, const char *fmt, va_list ap) {
    int saved_errno = errno; /* a log line changes nothing for its caller */
    char line[LINE_MAX_BYTES];
    struct log_stamp st = stamp();
    struct sink *out = &sinks[0];
    size_t n;
    if (log_json) {
        n = log_format_json(line, sizeof line, level, f, &st, fmt, ap);
    } else {
        n = log_format_text(line, sizeof line, log_style, level, &st, fmt, ap);
        /* tini prints INFO and below on stdout, warnings and errors on stderr. */
        if (log_info_on_stdout && level >= LOG_INFO)
            out = &sinks[1];
    }
    if (n > 0)
        sink_line(out, line, n);
    errno = saved_errno;
}

void log_msg(enum log_level level, const char *fmt, ...) {
    if (!log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(level, NULL, fmt, ap);
    va_end(ap);
}

void log_event(enum log_level level, const struct log_fields *fields, const char *fmt, ...) {
    if (!log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(level, fields, fmt, ap);
    va_end(ap);
}

void log_spawned(const struct log_fields *fields, const char *pre, pid_t pid,
                 const char *program) {
    switch (log_style) {
    case LOG_STYLE_TINI:
        log_msg(LOG_INFO, "Spawned child process '%s' with pid '%d'", program, (int)pid);
        break;
    case LOG_STYLE_DUMB_INIT: log_msg(LOG_DEBUG, "Child spawned with PID %d.", (int)pid); break;
    default:
        log_event(LOG_INFO, fields, "%sstarted \"%s\" as pid %d", pre, program, (int)pid);
    }
}

void log_exec_failed(const char *program, int err) {
    switch (log_style) {
    case LOG_STYLE_TINI: log_msg(LOG_ERROR, "exec %s failed: %s", program, strerror(err)); break;
    case LOG_STYLE_DUMB_INIT: log_msg(LOG_ERROR, "%s: %s", program, strerror(err)); break;
    case LOG_STYLE_CATATONIT: log_msg(LOG_ERROR, "failed to exec pid1: %s", strerror(err)); break;
    default: log_msg(LOG_ERROR, "exec \"%s\": %s", program, strerror(err));
    }
}

PODINIT_HOT void log_signal_received(int signo) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    switch (log_style) {
    case LOG_STYLE_TINI:
        if (signo == SIGCHLD)
            log_msg(LOG_DEBUG, "Received SIGCHLD");
        else
            log_msg(LOG_DEBUG, "Passing signal: '%s'", strsignal(signo));
        break;
    case LOG_STYLE_DUMB_INIT: log_msg(LOG_DEBUG, "Received signal %d.", signo); break;
    default:
        if (signo != SIGCHLD)
            log_msg(LOG_DEBUG, "received %s", signals_name(signo, name, sizeof name));
    }
}

void log_signal_rewritten(int from, int to) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char a[32], b[32];
    if (log_style == LOG_STYLE_DUMB_INIT)
        log_msg(LOG_DEBUG, "Translating signal %d to %d.", from, to);
    else
        log_msg(LOG_DEBUG, "rewriting %s to %s", signals_name(from, a, sizeof a),
                signals_name(to, b, sizeof b));
}

PODINIT_HOT void log_signal_forwarded(int signo, pid_t target) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    if (log_style == LOG_STYLE_DUMB_INIT)
        log_msg(LOG_DEBUG, "Forwarded signal %d to children.", signo);
    else if (log_style != LOG_STYLE_TINI)
        log_msg(LOG_DEBUG, "forwarded %s to %s %d", signals_name(signo, name, sizeof name),
                target < 0 ? "process group" : "pid", (int)(target < 0 ? -target : target));
}

void log_signal_dropped(int signo) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    if (log_style == LOG_STYLE_DUMB_INIT)
        log_msg(LOG_DEBUG, "Not forwarding signal %d to children (ignored).", signo);
    else
        log_msg(LOG_DEBUG, "dropped %s (rewritten to 0)", signals_name(signo, name, sizeof name));
}

void log_reaped(pid_t pid, int wait_status, bool is_main) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    switch (log_style) {
    case LOG_STYLE_TINI: log_msg(LOG_DEBUG, "Reaped child with pid: '%d'", (int)pid); break;
    case LOG_STYLE_DUMB_INIT:
        if (WIFEXITED(wait_status))
            log_msg(LOG_DEBUG, "A child with PID %d exited with exit status %d.", (int)pid,
                    WEXITSTATUS(wait_status));
        else
            log_msg(LOG_DEBUG, "A child with PID %d was terminated by signal %d.", (int)pid,
                    WTERMSIG(wait_status));
        break;
    default:
        if (!is_main)
            log_msg(LOG_DEBUG, "reaped pid %d (status %d)", (int)pid,
                    exit_code_of(wait_status));
    }
}

void log_main_exited(const char *pre, int wait_status, int exit_code) {
    char name[32];
    switch (log_style) {
    case LOG_STYLE_TINI:
        if (WIFEXITED(wait_status))
            log_msg(LOG_INFO, "Main child exited normally (with status '%d')",
                    WEXITSTATUS(wait_status));
        else
            log_msg(LOG_INFO, "Main child exited with signal (with signal '%s')",
                    strsignal(WTERMSIG(wait_status)));
        break;
    case LOG_STYLE_DUMB_INIT:
        log_msg(LOG_DEBUG, "Child exited with status %d. Goodbye.", exit_code_of(wait_status));
        break;
    default: {
        struct log_fields f = {.event = "exit", .has_status = true, .status = exit_code};
        if (WIFEXITED(wait_status)) {
            log_event(LOG_INFO, &f, "%smain process exited with status %d; exiting with %d", pre,
                      WEXITSTATUS(wait_status), exit_code);
        } else {
            f.signo = WTERMSIG(wait_status);
            log_event(LOG_INFO, &f, "%smain process killed by %s; exiting with %d", pre,
                      signals_name(WTERMSIG(wait_status), name, sizeof name), exit_code);
        }
    }
    }
}

void log_subreaper_missing(void) {
    /* The phrase "zombie reaping won't work" is what tini's users (and its
     * test suite) look for; the rest is ours. */
    log_msg(LOG_WARN, "Tini is not PID 1 and not a child subreaper: orphaned processes will not be "
                      "re-parented to it, so zombie reaping won't work.\n"
                      "Pass -s or set TINI_SUBREAPER to make it a subreaper, or run it as PID 1.");
}
