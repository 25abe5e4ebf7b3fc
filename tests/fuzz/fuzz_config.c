/* tests/fuzz/fuzz_config.c — any bytes as a config file: a config or
 * errors, never a crash, a hang or a leak; what validates also prints, and
 * what it prints (--check's output) reads back and prints the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cfg as --check prints it, or NULL. */
static char *printed(const struct config *cfg, size_t *len) {
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL)
        return NULL;
    int rc = config_print(cfg, f);
    if (fclose(f) != 0 || rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct config cfg, again;
    struct config_errors errs = {0};
    config_init(&cfg);
    config_init(&again);
    int n = config_parse("fuzz.json", (const char *)data, size, &cfg, &errs);
    if (n == 0 && config_validate(&cfg, false, &errs) == 0) {
        size_t len1, len2;
        char *first = printed(&cfg, &len1);
        if (first != NULL) {
            if (config_parse("check.json", first, len1, &again, &errs) != 0)
                abort(); /* --check printed what --check refuses */
            char *second = printed(&again, &len2);
            if (second != NULL && (len1 != len2 || memcmp(first, second, len1) != 0))
                abort(); /* and it must print the same */
            free(second);
            free(first);
        }
    }
    config_free(&cfg);
    config_free(&again);
    config_errors_free(&errs);
    return 0;
}
