/* tests/fuzz/fuzz_config.c — any bytes as a config file: a config or
 * errors, never a crash, a hang or a leak; what validates also prints. */
#include <stdint.h>
#include <stdio.h>

#include "podinit/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct config cfg;
    struct config_errors errs = {0};
    config_init(&cfg);
    int n = config_parse("fuzz.json", (const char *)data, size, &cfg, &errs);
    if (n == 0 && config_validate(&cfg, false, &errs) == 0) {
        FILE *sink = fopen("/dev/null", "w");
        if (sink != NULL) {
            config_print(&cfg, sink);
            fclose(sink);
        }
    }
    config_free(&cfg);
    config_errors_free(&errs);
    return 0;
}
