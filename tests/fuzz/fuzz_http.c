/* tests/fuzz/fuzz_http.c — any bytes as an HTTP status line (what a probe
 * target answers) and as a --probe URL: a status, or a refusal. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/http.h"
#include "podinit/probe_client.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_text(data, size);
    if (text == NULL)
        return 0;
    int code = http_status_of(text);
    if (code != -EPROTO && (code < 100 || code > 599))
        abort();
    struct http_url t;
    char err[200];
    if (probe_client_parse_url(text, &t, err, sizeof err) == 0 &&
        (t.port < 1 || t.port > 65535 || (!t.tcp && t.path[0] != '/')))
        abort();
    free(text);
    return 0;
}
