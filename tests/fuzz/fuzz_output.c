/* tests/fuzz/fuzz_output.c — any bytes as a process's output, read in
 * pieces of any size: every line comes out whole, at most OUTPUT_LINE_MAX
 * bytes, nothing lost or added; each formatted JSON line is one line of
 * valid UTF-8 that cJSON reads back to the same process and text (the
 * text's valid UTF-8 kept as it was). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "podinit/output_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s[0..n) is well-formed UTF-8 (no overlong, surrogate, or past
 * U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need, lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return 0;
        }
        for (unsigned k = 1; k <= need; k++, lo = 0x80, hi = 0xbf)
            if (i + k >= n || s[i + k] < lo || s[i + k] > hi)
                return 0;
        i += need + 1;
    }
    return 1;
}

static void check_line(const char *line, size_t len) {
    static char out[80 + 6 * 8 + 40 + 6 * OUTPUT_LINE_MAX + 3];
    if (output_format_max("web") > sizeof out)
        abort();
    size_t n = output_format(OUTPUT_JSON, "web", OUTPUT_STDOUT, 1234, line, len, out, sizeof out);
    if (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n - 1) != NULL)
        abort(); /* one whole line */
    if (!valid_utf8((const unsigned char *)out, n))
        abort();
    cJSON *o = cJSON_ParseWithLength(out, n);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "msg");
    const cJSON *proc = cJSON_GetObjectItemCaseSensitive(o, "process");
    if (!cJSON_IsString(msg) || !cJSON_IsString(proc) || strcmp(proc->valuestring, "web") != 0)
        abort();
    /* text that was valid UTF-8 with no NUL comes back as it was */
    if (valid_utf8((const unsigned char *)line, len) && memchr(line, '\0', len) == NULL &&
        (strlen(msg->valuestring) != len || memcmp(msg->valuestring, line, len) != 0))
        abort();
    cJSON_Delete(o);
    size_t p = output_format(OUTPUT_PREFIX, "web", OUTPUT_STDOUT, 0, line, len, out, sizeof out);
    if (p != len + 7 || out[p - 1] != '\n' || memcmp(out + 6, line, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct output_splitter s;
    memset(&s, 0, sizeof s);
    /* the first byte chooses the read size, the rest is the output */
    size_t chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
    const char *text = (const char *)data + (size > 0), *end = (const char *)data + size;
    size_t out_bytes = 0, newlines = 0;
    for (const char *p = text; p < end;) {
        size_t want = (size_t)(end - p) < chunk ? (size_t)(end - p) : chunk;
        size_t took = output_split(&s, p, want);
        p += took;
        if (s.ready) {
            if (s.line_len > OUTPUT_LINE_MAX || memchr(s.buf, '\n', s.line_len) != NULL)
                abort();
            check_line(s.buf, s.line_len);
            out_bytes += s.line_len;
            output_line_done(&s);
        } else if (took == 0) {
            abort(); /* no line waits, yet nothing was taken: a stall */
        }
    }
    output_split_end(&s);
    if (s.ready) {
        check_line(s.buf, s.line_len);
        out_bytes += s.line_len;
        output_line_done(&s);
    }
    for (const char *p = text; p < end; p++)
        newlines += *p == '\n';
    if (out_bytes + newlines != (size_t)(end - text) || s.len != 0)
        abort(); /* every byte passed on but the newlines, none added */
    return 0;
}
