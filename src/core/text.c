/* src/core/text.c — whole decimal numbers, seconds, base names and the
 * log-level names: the one copy of each. Pure. */
#include "podinit/text.h"

#include <stdio.h>
#include <string.h>

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

void text_seconds(int64_t ms, char *buf, size_t len) {
    snprintf(buf, len, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    /* 5.000 -> 5, 0.250 -> 0.25 */
    char *dot = strchr(buf, '.');
    if (dot == NULL)
        return; /* cut short by len */
    char *end = buf + strlen(buf);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0';
}

const char *text_base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};
#define N_LEVELS (sizeof level_names / sizeof level_names[0])

const char *text_level_name(int level) {
    return level_names[level < 0 ? 0 : (size_t)level >= N_LEVELS ? N_LEVELS - 1 : (size_t)level];
}

int text_level_parse(const char *name) {
    for (size_t i = 0; i < N_LEVELS; i++)
        if (strcmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}
