/* src/core/log_format.c — a log line's bytes in each persona's style, and
 * podinit's JSON lines: valid UTF-8 whatever the message holds, bounded.
 * Pure (log.c writes the lines). */
#include "podinit/log_format.h"

#include <stdio.h>
#include <string.h>

#include "podinit/json_text.h"
#include "podinit/signals.h"

static const char *const tini_tags[] = {"FATAL", "WARN ", "INFO ", "DEBUG", "TRACE"};

unsigned log_format_needs(enum persona_log_style style, bool json) {
    if (json)
        return LOG_NEEDS_PID | LOG_NEEDS_TIME;
    switch (style) {
    case LOG_STYLE_TINI:
    case LOG_STYLE_CATATONIT: return LOG_NEEDS_PID;
    case LOG_STYLE_DUMB_INIT: return 0;
    default: return LOG_NEEDS_TIME;
    }
}

/* ---- text ---------------------------------------------------------------------- */

static int text_prefix(char *line, size_t cap, enum persona_log_style style, enum log_level level,
                       const struct log_stamp *st) {
    switch (style) {
    case LOG_STYLE_TINI:
        return snprintf(line, cap, "[%s tini (%d)] ", tini_tags[level], st->pid);
    case LOG_STYLE_DUMB_INIT: return snprintf(line, cap, "[dumb-init] ");
    case LOG_STYLE_CATATONIT:
        return snprintf(line, cap, "%s (catatonit:%d): ",
                        level == LOG_ERROR  ? "ERROR"
                        : level == LOG_WARN ? "WARN"
                                            : "DEBUG",
                        st->pid);
    default:
        return snprintf(line, cap, "podinit: %lld.%03llds %s: ", (long long)(st->elapsed_ms / 1000),
                        (long long)(st->elapsed_ms % 1000), text_level_name(level));
    }
}

size_t log_format_text(char *line, size_t cap, enum persona_log_style style, enum log_level level,
                       const struct log_stamp *st, const char *fmt, va_list ap) {
    cap--; /* room for the newline */
    if ((unsigned)level > LOG_TRACE)
        level = LOG_TRACE;
    int n = text_prefix(line, cap, style, level, st);
    if (n < 0)
        return 0;
    size_t used = (size_t)n < cap ? (size_t)n : cap - 1; /* what snprintf kept */
    int m = vsnprintf(line + used, cap - used, fmt, ap);
    if (m > 0)
        used += (size_t)m < cap - used ? (size_t)m : cap - used - 1;
    /* dumb-init's format strings carry their own newline. */
    if (used == 0 || line[used - 1] != '\n')
        line[used++] = '\n';
    return used;
}

/* ---- JSON ---------------------------------------------------------------------- */
/* A line being built; full once something did not fit. */
struct out {
    char *p;
    size_t len, cap;
    bool full;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...) {
    if (o->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len)
        o->full = true;
    else
        o->len += (size_t)n;
}

/* text[0..n) as the inside of a JSON string, leaving `keep` bytes of room
 * (json_text.h). */
static void out_json_text(struct out *o, const char *text, size_t n, size_t keep) {
    if (!o->full && o->cap >= keep)
        (void)json_text_put(o->p, &o->len, o->cap - keep, text, n);
}

static void out_json_field(struct out *o, const char *name, const char *value) {
    out_printf(o, ",\"%s\":\"", name);
    out_json_text(o, value, strlen(value), 0);
    out_printf(o, "\"");
}

/* {"time":1.234,"level":"info","event":"stop_signal","pid":1,"signal":"SIGTERM",
 * "msg":"..."}: the fields an event has, then its sentence. Returns the
 * line's length, 0 when it could not be built. */
static size_t json_line(char *line, size_t cap, enum log_level level, const struct log_fields *f,
                        const struct log_stamp *st, unsigned long long dropped, const char *msg,
                        size_t msg_len) {
    struct out o = {.p = line, .cap = cap};
    int64_t t = st->elapsed_ms;
    out_printf(&o, "{\"time\":%lld.%03lld,\"level\":\"%s\"", (long long)(t / 1000),
               (long long)(t % 1000), text_level_name(level));
    char sig[32];
    if (f && f->event)
        out_json_field(&o, "event", f->event);
    out_printf(&o, ",\"pid\":%d", st->pid);
    if (f && f->process)
        out_json_field(&o, "process", f->process);
    if (f && f->kind)
        out_json_field(&o, "kind", f->kind);
    if (f && f->state)
        out_json_field(&o, "state", f->state);
    if (f && f->child > 0)
        out_printf(&o, ",\"child\":%d", (int)f->child);
    if (f && f->signo > 0)
        out_json_field(&o, "signal", signals_name(f->signo, sig, sizeof sig));
    if (f && f->has_status)
        out_printf(&o, ",\"status\":%d", f->status);
    if (f && f->hook)
        out_json_field(&o, "hook", f->hook);
    if (dropped > 0)
        out_printf(&o, ",\"dropped\":%llu", dropped);
    out_printf(&o, ",\"msg\":\"");
    if (o.full || o.len + 3 > cap)
        return 0; /* cannot happen with the fields above; never write a torn object */
    out_json_text(&o, msg, msg_len, 3);
    memcpy(line + o.len, "\"}\n", 3);
    return o.len + 3;
}

size_t log_format_json(char *line, size_t cap, enum log_level level, const struct log_fields *f,
                       const struct log_stamp *st, const char *fmt, va_list ap) {
    char msg[LOG_FORMAT_MSG_MAX];
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    if (m < 0)
        return 0;
    size_t len = (size_t)m;
    if (len >= sizeof msg)
        len = json_text_uncut(msg, sizeof msg - 1);
    return json_line(line, cap, level, f, st, 0, msg, len);
}

size_t log_format_dropped(char *line, size_t cap, bool json, const struct log_stamp *st,
                          unsigned long long n) {
    char msg[64];
    int m = snprintf(msg, sizeof msg, "%llu log lines dropped", n);
    if (m < 0 || (size_t)m >= sizeof msg)
        return 0;
    if (json)
        return json_line(line, cap, LOG_WARN, &(struct log_fields){.event = "log_dropped"}, st, n,
                         msg, (size_t)m);
    int k = snprintf(line, cap, "podinit: %s\n", msg);
    return k > 0 && (size_t)k < cap ? (size_t)k : 0;
}
