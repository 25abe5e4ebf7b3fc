/* src/log.c — log lines in each persona's format. */
#include "podinit/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "podinit/io.h"
#include "podinit/signals.h"

static enum cli_persona log_persona = PERSONA_PODINIT;
static int log_threshold = LOG_INFO;
static int64_t log_start_ms;
static bool log_json;

void log_init(enum cli_persona persona, int threshold, int64_t start_ms, bool json) {
    log_persona = persona;
    log_threshold = threshold;
    log_start_ms = start_ms;
    log_json = json && persona == PERSONA_PODINIT;
}

bool log_enabled(enum log_level level) {
    return (int)level <= log_threshold;
}

static int64_t now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return log_start_ms;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const tini_tags[] = {"FATAL", "WARN ", "INFO ", "DEBUG", "TRACE"};
static const char *const podinit_tags[] = {"error", "warn", "info", "debug", "trace"};

/* Append text to dst[*used..cap) as the inside of a JSON string; stops
 * (truncating) rather than overflow. */
static void json_escape(char *dst, size_t *used, size_t cap, const char *text) {
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[7];
        size_t n = 0;
        if (*p == '"' || *p == '\\') {
            esc[n++] = '\\';
            esc[n++] = (char)*p;
        } else if (*p == '\n') {
            esc[n++] = '\\';
            esc[n++] = 'n';
        } else if (*p < 0x20) {
            memcpy(esc, "\\u00", 4);
            n = 4;
            esc[n++] = hex[*p >> 4];
            esc[n++] = hex[*p & 15];
        } else {
            esc[n++] = (char)*p;
        }
        if (*used + n > cap)
            return;
        memcpy(dst + *used, esc, n);
        *used += n;
    }
}

/* {"time":1.234,"level":"info","event":"stop_signal","pid":1,"signal":"SIGTERM",
 * "msg":"..."}: the fields an event has, then its sentence. */
static void emit_json(enum log_level level, const struct log_fields *f, const char *fmt,
                      va_list ap) {
    char msg[768], line[1024];
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        return;
    int64_t t = now_ms() - log_start_ms;
    int n = snprintf(line, sizeof line, "{\"time\":%lld.%03lld,\"level\":\"%s\"",
                     (long long)(t / 1000), (long long)(t % 1000), podinit_tags[level]);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    size_t used = (size_t)n;
    char sig[32];
    if (f && f->event)
        used += (size_t)snprintf(line + used, sizeof line - used, ",\"event\":\"%s\"", f->event);
    used += (size_t)snprintf(line + used, sizeof line - used, ",\"pid\":%d", (int)getpid());
    if (f && f->child > 0)
        used += (size_t)snprintf(line + used, sizeof line - used, ",\"child\":%d", (int)f->child);
    if (f && f->signo > 0)
        used += (size_t)snprintf(line + used, sizeof line - used, ",\"signal\":\"%s\"",
                                 signals_name(f->signo, sig, sizeof sig));
    if (f && f->has_status)
        used += (size_t)snprintf(line + used, sizeof line - used, ",\"status\":%d", f->status);
    if (f && f->hook)
        used += (size_t)snprintf(line + used, sizeof line - used, ",\"hook\":\"%s\"", f->hook);
    if (used + 10 >= sizeof line)
        return; /* cannot happen with the fields above; never write a torn object */
    memcpy(line + used, ",\"msg\":\"", 8);
    used += 8;
    json_escape(line, &used, sizeof line - 3, msg);
    memcpy(line + used, "\"}\n", 3);
    io_write_all(STDERR_FILENO, line, used + 3);
}

static void emit(enum log_level level, const struct log_fields *f, const char *fmt, va_list ap) {
    if (log_json) {
        emit_json(level, f, fmt, ap);
        return;
    }
    char line[1024];
    size_t cap = sizeof line - 1; /* room for the newline */
    int n;
    int fd = STDERR_FILENO;
    switch (log_persona) {
    case PERSONA_TINI:
        /* tini prints INFO and below on stdout, warnings and errors on stderr. */
        if (level >= LOG_INFO)
            fd = STDOUT_FILENO;
        n = snprintf(line, cap, "[%s tini (%d)] ", tini_tags[level], (int)getpid());
        break;
    case PERSONA_DUMB_INIT: n = snprintf(line, cap, "[dumb-init] "); break;
    case PERSONA_CATATONIT:
        n = snprintf(line, cap, "%s (catatonit:%d): ",
                     level == LOG_ERROR  ? "ERROR"
                     : level == LOG_WARN ? "WARN"
                                         : "DEBUG",
                     (int)getpid());
        break;
    default: {
        int64_t t = now_ms() - log_start_ms;
        n = snprintf(line, cap, "podinit: %lld.%03llds %s: ", (long long)(t / 1000),
                     (long long)(t % 1000), podinit_tags[level]);
        break;
    }
    }
    if (n < 0)
        return;
    size_t used = (size_t)n < cap ? (size_t)n : cap;
    int m = vsnprintf(line + used, cap - used, fmt, ap);
    if (m > 0)
        used += (size_t)m < cap - used ? (size_t)m : cap - used - 1;
    /* dumb-init's format strings carry their own newline. */
    if (used == 0 || line[used - 1] != '\n')
        line[used++] = '\n';
    io_write_all(fd, line, used);
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

void log_spawned(pid_t pid, const char *program) {
    switch (log_persona) {
    case PERSONA_TINI:
        log_msg(LOG_INFO, "Spawned child process '%s' with pid '%d'", program, (int)pid);
        break;
    case PERSONA_DUMB_INIT: log_msg(LOG_DEBUG, "Child spawned with PID %d.", (int)pid); break;
    default:
        log_event(LOG_INFO, &(struct log_fields){.event = "started", .child = pid},
                  "started \"%s\" as pid %d", program, (int)pid);
    }
}

void log_exec_failed(const char *program, int err) {
    switch (log_persona) {
    case PERSONA_TINI: log_msg(LOG_ERROR, "exec %s failed: %s", program, strerror(err)); break;
    case PERSONA_DUMB_INIT: log_msg(LOG_ERROR, "%s: %s", program, strerror(err)); break;
    case PERSONA_CATATONIT: log_msg(LOG_ERROR, "failed to exec pid1: %s", strerror(err)); break;
    default: log_msg(LOG_ERROR, "exec \"%s\": %s", program, strerror(err));
    }
}

void log_signal_received(int signo) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    switch (log_persona) {
    case PERSONA_TINI:
        if (signo == SIGCHLD)
            log_msg(LOG_DEBUG, "Received SIGCHLD");
        else
            log_msg(LOG_DEBUG, "Passing signal: '%s'", strsignal(signo));
        break;
    case PERSONA_DUMB_INIT: log_msg(LOG_DEBUG, "Received signal %d.", signo); break;
    default:
        if (signo != SIGCHLD)
            log_msg(LOG_DEBUG, "received %s", signals_name(signo, name, sizeof name));
    }
}

void log_signal_rewritten(int from, int to) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char a[32], b[32];
    if (log_persona == PERSONA_DUMB_INIT)
        log_msg(LOG_DEBUG, "Translating signal %d to %d.", from, to);
    else
        log_msg(LOG_DEBUG, "rewriting %s to %s", signals_name(from, a, sizeof a),
                signals_name(to, b, sizeof b));
}

void log_signal_forwarded(int signo, pid_t target) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    if (log_persona == PERSONA_DUMB_INIT)
        log_msg(LOG_DEBUG, "Forwarded signal %d to children.", signo);
    else if (log_persona != PERSONA_TINI)
        log_msg(LOG_DEBUG, "forwarded %s to %s %d", signals_name(signo, name, sizeof name),
                target < 0 ? "process group" : "pid", (int)(target < 0 ? -target : target));
}

void log_signal_dropped(int signo) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    char name[32];
    if (log_persona == PERSONA_DUMB_INIT)
        log_msg(LOG_DEBUG, "Not forwarding signal %d to children (ignored).", signo);
    else
        log_msg(LOG_DEBUG, "dropped %s (rewritten to 0)", signals_name(signo, name, sizeof name));
}

void log_reaped(pid_t pid, int wait_status, bool is_main) {
    if (!log_enabled(LOG_DEBUG))
        return; /* every persona logs these at debug: skip the formatting */
    switch (log_persona) {
    case PERSONA_TINI: log_msg(LOG_DEBUG, "Reaped child with pid: '%d'", (int)pid); break;
    case PERSONA_DUMB_INIT:
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
                    WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
                                           : 128 + WTERMSIG(wait_status));
    }
}

void log_main_exited(int wait_status, int exit_code) {
    char name[32];
    switch (log_persona) {
    case PERSONA_TINI:
        if (WIFEXITED(wait_status))
            log_msg(LOG_INFO, "Main child exited normally (with status '%d')",
                    WEXITSTATUS(wait_status));
        else
            log_msg(LOG_INFO, "Main child exited with signal (with signal '%s')",
                    strsignal(WTERMSIG(wait_status)));
        break;
    case PERSONA_DUMB_INIT:
        log_msg(LOG_DEBUG, "Child exited with status %d. Goodbye.",
                WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status));
        break;
    default: {
        struct log_fields f = {.event = "exit", .has_status = true, .status = exit_code};
        if (WIFEXITED(wait_status)) {
            log_event(LOG_INFO, &f, "main process exited with status %d; exiting with %d",
                      WEXITSTATUS(wait_status), exit_code);
        } else {
            f.signo = WTERMSIG(wait_status);
            log_event(LOG_INFO, &f, "main process killed by %s; exiting with %d",
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
