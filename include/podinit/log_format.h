/* include/podinit/log_format.h — a log line as bytes, in the persona's log
 * style: podinit's "podinit: 1.234s info: ", tini's "[INFO  tini (1)] ",
 * dumb-init's "[dumb-init] ", catatonit's "ERROR (catatonit:1): ", or
 * podinit's JSON (valid UTF-8 whatever the message holds). Each line fits
 * the buffer it is given, cut rather than overflowing. Pure: the caller
 * passes podinit's pid and the time since it started; log.h writes them. */
#ifndef PODINIT_LOG_FORMAT_H
#define PODINIT_LOG_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "podinit/persona.h"
#include "podinit/text.h" /* enum log_level */

enum { LOG_FORMAT_LINE_MAX = 1024, LOG_FORMAT_MSG_MAX = 768 };

/* What a lifecycle event is about, for the JSON format (text lines carry
 * it in their sentence). Zero/NULL fields are left out. */
struct log_fields {
    const char *event; /* a stable name: "stop_signal", "hook_failed", ... */
    pid_t child;       /* the process concerned */
    int signo;
    bool has_status;
    int status;       /* an exit code (128+N for signal N) */
    const char *hook; /* "postStart", "preStop" */
    /* With several processes: the one concerned, its kind ("process",
     * "init", "sidecar") and its state then. */
    const char *process, *kind, *state;
};

/* What a line says besides its message; each filled in only when the
 * style asks for it (log_format_needs). */
struct log_stamp {
    int pid;            /* podinit's */
    int64_t elapsed_ms; /* since podinit started */
};

enum { LOG_NEEDS_PID = 1 << 0, LOG_NEEDS_TIME = 1 << 1 };

/* LOG_NEEDS_* for a line in style (json: podinit's JSON instead). */
unsigned log_format_needs(enum persona_log_style style, bool json);

/* A text line: the style's prefix, the message (fmt, ap), a newline unless
 * the message ends with one. Returns its length, 1..cap-1 (cap >= 2). */
size_t log_format_text(char *line, size_t cap, enum persona_log_style style, enum log_level level,
                       const struct log_stamp *st, const char *fmt, va_list ap);

/* A JSON line: {"time":1.234,"level":"info","event":...,"pid":1,...,
 * "msg":"..."} and a newline; a message too long is cut at a whole UTF-8
 * sequence. Returns its length, 0 when it could not be built. */
size_t log_format_json(char *line, size_t cap, enum log_level level, const struct log_fields *f,
                       const struct log_stamp *st, const char *fmt, va_list ap);

/* "podinit: N log lines dropped", as a text line or (json) a JSON one with
 * "dropped":N. Returns its length, 0 when it does not fit. */
size_t log_format_dropped(char *line, size_t cap, bool json, const struct log_stamp *st,
                          unsigned long long n);

#endif
