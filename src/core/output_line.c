/* src/core/output_line.c — a process's output cut into lines and
 * formatted (output_line.h). */
#include "podinit/output_line.h"

#include <stdio.h>
#include <string.h>

#include "podinit/json_text.h"

size_t output_split(struct output_splitter *s, const char *data, size_t n) {
    size_t taken = 0;
    while (!s->ready && taken < n) {
        char c = data[taken++];
        if (c == '\n') {
            s->ready = true;
            s->line_len = s->len;
            break;
        }
        s->buf[s->len++] = c;
        if (s->len == OUTPUT_LINE_MAX) {
            /* a piece, cut between two sequences; what the cut leaves
             * begins the next */
            s->ready = true;
            s->line_len = json_text_uncut(s->buf, s->len);
            if (s->line_len == 0)
                s->line_len = s->len;
        }
    }
    return taken;
}

void output_line_done(struct output_splitter *s) {
    if (!s->ready)
        return;
    memmove(s->buf, s->buf + s->line_len, s->len - s->line_len);
    s->len -= s->line_len;
    s->line_len = 0;
    s->ready = false;
}

void output_split_end(struct output_splitter *s) {
    if (!s->ready && s->len > 0) {
        s->ready = true;
        s->line_len = s->len;
    }
}

static bool put(char *out, size_t *len, size_t cap, const char *s, size_t n) {
    if (*len + n > cap)
        return false;
    memcpy(out + *len, s, n);
    *len += n;
    return true;
}

size_t output_format(enum output_mode mode, const char *name, enum output_stream stream,
                     int64_t time_ms, const char *line, size_t len, char *out, size_t cap) {
    size_t n = 0;
    if (mode == OUTPUT_PREFIX) {
        if (!put(out, &n, cap, name, strlen(name)) || !put(out, &n, cap, " | ", 3) ||
            !put(out, &n, cap, line, len) || !put(out, &n, cap, "\n", 1))
            return 0;
        return n;
    }
    if (mode != OUTPUT_JSON || time_ms < 0)
        return 0;
    char head[64];
    int h = snprintf(head, sizeof head, "{\"time\":%lld.%03lld,\"process\":\"",
                     (long long)(time_ms / 1000), (long long)(time_ms % 1000));
    const char *mid = stream == OUTPUT_STDERR ? "\",\"stream\":\"stderr\",\"msg\":\""
                                              : "\",\"stream\":\"stdout\",\"msg\":\"";
    if (h < 0 || (size_t)h >= sizeof head || !put(out, &n, cap, head, (size_t)h) ||
        json_text_put(out, &n, cap, name, strlen(name)) != strlen(name) ||
        !put(out, &n, cap, mid, strlen(mid)) || json_text_put(out, &n, cap, line, len) != len ||
        !put(out, &n, cap, "\"}\n", 3))
        return 0;
    return n;
}

size_t output_format_dropped(enum output_mode mode, const char *name, enum output_stream stream,
                             int64_t time_ms, unsigned long long n, char *out, size_t cap) {
    char note[128 + 64];
    int k = snprintf(note, sizeof note, "podinit: %llu line%s of %.64s dropped", n,
                     n == 1 ? "" : "s", name);
    if (k < 0 || (size_t)k >= sizeof note)
        return 0;
    if (mode == OUTPUT_PREFIX) {
        size_t len = 0;
        return put(out, &len, cap, note, (size_t)k) && put(out, &len, cap, "\n", 1) ? len : 0;
    }
    size_t len = output_format(mode, name, stream, time_ms, note, (size_t)k, out, cap);
    /* the count as a field of its own, before msg */
    char field[40];
    int f = snprintf(field, sizeof field, "\"dropped\":%llu,", n);
    /* msg is last: "msg":" + the note (plain text: a name is [A-Za-z0-9._-])
     * + "}\n */
    size_t tail = 7 + (size_t)k + 3;
    if (len < tail || f < 0 || len + (size_t)f > cap || memcmp(out + len - tail, "\"msg\":\"", 7))
        return 0;
    size_t at = len - tail;
    memmove(out + at + (size_t)f, out + at, len - at);
    memcpy(out + at, field, (size_t)f);
    return len + (size_t)f;
}

size_t output_format_max(const char *name) {
    /* json at its widest: the head with the widest time, the name and the
     * line each escaped at their widest, the rest */
    return 64 + JSON_TEXT_MAX(strlen(name)) + 40 + JSON_TEXT_MAX((size_t)OUTPUT_LINE_MAX) + 3;
}

static const char *const mode_names[] = {"inherit", "prefix", "json"};

int output_mode_parse(const char *text) {
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(text, mode_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *output_mode_name(enum output_mode mode) {
    return (size_t)mode < sizeof mode_names / sizeof mode_names[0] ? mode_names[mode] : "?";
}
