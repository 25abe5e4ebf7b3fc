/* tests/fuzz/fuzz_health.c — any bytes as a request to the health
 * endpoint, and as a listen address: a whole answer in the cap the
 * endpoint sizes, with its exact Content-Length, or a refusal. */
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
    /* the cap for this one process (/metrics is its widest answer) */
    static char *out;
    static size_t cap;
    if (out == NULL && (out = malloc(cap = health_answer_max(&st))) == NULL)
        abort();
    if (cap > 4096)
        abort(); /* one process cannot need more */
    size_t len = size < HEALTH_MAX_REQUEST ? size : HEALTH_MAX_REQUEST;
    size_t n = health_respond((const char *)data, len, size > HEALTH_MAX_REQUEST, &st, out, cap);
    if (n == 0 || n >= cap || memcmp(out, "HTTP/1.1 ", 9) != 0)
        abort(); /* every request gets a whole answer */
    out[n] = '\0';
    const char *cl = strstr(out, "\r\nContent-Length: ");
    const char *body = strstr(out, "\r\n\r\n");
    if (cl == NULL || body == NULL || strtoul(cl + 18, NULL, 10) != n - (size_t)(body + 4 - out))
        abort(); /* and says exactly how long it is */
    char *spec = fuzz_text(data, size);
    if (spec == NULL)
        return 0;
    char err[160];
    health_parse_listen(spec, err, sizeof err);
    free(spec);
    return 0;
}
