/* src/core/json_text.c — bytes as the inside of a JSON string, valid
 * UTF-8 whatever they hold (json_text.h). */
#include "podinit/json_text.h"

#include <string.h>

/* The length of the UTF-8 unit at p (n > 0 bytes left): a well-formed
 * sequence, *cp its code point; or, ill-formed, its maximal subpart (the
 * bytes that could still have begun a sequence), *cp = -1. Overlongs,
 * surrogates and code points past U+10FFFF are ill-formed. */
static size_t utf8_unit(const unsigned char *p, size_t n, long *cp) {
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t need;
    long v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2, v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3, v = c & 0x0f;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4, v = c & 0x07;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < need; i++, lo = 0x80, hi = 0xbf) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *cp = -1;
            return i;
        }
        v = v << 6 | (p[i] & 0x3f);
    }
    *cp = v;
    return need;
}

/* A message cut at len by its buffer: drop the sequence the cut left
 * unfinished (it was whole before the cut, so not a U+FFFD). */
size_t json_text_uncut(const char *s, size_t len) {
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        unsigned char c = (unsigned char)s[len - back];
        if (c >= 0x80 && c < 0xc0)
            continue; /* a continuation byte: the unit starts further back */
        long cp;
        size_t n = utf8_unit((const unsigned char *)s + len - back, back, &cp);
        return cp < 0 && n == back && c >= 0xc2 ? len - back : len;
    }
    return len;
}

size_t json_text_put(char *out, size_t *len, size_t cap, const char *text, size_t n) {
    const unsigned char *p = (const unsigned char *)text, *end = p + n;
    while (p < end) {
        long cp;
        size_t unit = utf8_unit(p, (size_t)(end - p), &cp), k = unit;
        char esc[8];
        const char *put = (const char *)p;
        if (cp < 0) {
            put = "\xef\xbf\xbd", k = 3;
        } else if (cp == '"' || cp == '\\' || cp == '\n') {
            esc[0] = '\\', esc[1] = cp == '\n' ? 'n' : (char)cp;
            put = esc, k = 2;
        } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
            static const char hex[] = "0123456789abcdef";
            memcpy(esc, "\\u", 2);
            for (int i = 0; i < 4; i++)
                esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
            put = esc, k = 6;
        }
        if (*len + k > cap)
            break;
        memcpy(out + *len, put, k);
        *len += k;
        p += unit;
    }
    return (size_t)(p - (const unsigned char *)text);
}
