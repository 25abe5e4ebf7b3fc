/* src/text.c — whole decimal numbers from text. */
#include "podinit/text.h"

#include <stddef.h>

long text_parse_number(const char *text, long lo, long hi) {
    if (text == NULL || text[0] == '\0')
        return -1;
    long v = 0;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (*c - '0');
        if (v > hi)
            return -1; /* also stops any overflow */
    }
    return v < lo ? -1 : v;
}
