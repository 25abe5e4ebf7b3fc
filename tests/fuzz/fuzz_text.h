/* tests/fuzz/fuzz_text.h — a fuzz input as a C string: the parsers under
 * test take NUL-terminated text, libFuzzer gives bytes. */
#ifndef FUZZ_TEXT_H
#define FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of data[0..size) with a NUL after it (free it), or NULL. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (text != NULL) {
        memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
