/* tests/fuzz/fuzz_health.c — any bytes as a request to the health
 * endpoint, and as a listen address: an answer that fits, or a refusal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/health.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const struct health_process proc = {.name = "web", .state = "RUNNING", .pid = 7};
    static const struct health_status st = {.state = "RUNNING",
                                            .live = true,
                                            .ready = true,
                                            .started = true,
                                            .procs = &proc,
                                            .n_procs = 1};
    char out[HEALTH_MAX_ANSWER];
    size_t len = size < HEALTH_MAX_REQUEST ? size : HEALTH_MAX_REQUEST;
    size_t n =
        health_respond((const char *)data, len, size > HEALTH_MAX_REQUEST, &st, out, sizeof out);
    if (n == 0 || n >= sizeof out || memcmp(out, "HTTP/1.1 ", 9) != 0)
        abort(); /* every request gets a whole answer */
    char *spec = fuzz_text(data, size);
    if (spec == NULL)
        return 0;
    char err[160];
    health_parse_listen(spec, err, sizeof err);
    free(spec);
    return 0;
}
