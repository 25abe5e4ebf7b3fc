/* tests/fuzz/fuzz_http.c — any bytes as an HTTP status line (what a probe
 * target answers: a status, or not HTTP, and never "not HTTP" early for a
 * status line), as a request's path and header (it fits or is refused) and
 * as a --probe URL: its parts, or a refusal. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/http_message.h"
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
    /* the client's early "not HTTP" never refuses a real status line */
    if (code > 0 && !http_status_may_follow(text, strlen(text)))
        abort();
    /* as a path and a header value: the request fits, whole, or is refused */
    static char out[512];
    struct http_header h = {"X-Fuzz", text};
    int n = http_request("::1", 80, text, &h, 1, out, sizeof out);
    if (n != -E2BIG && (n <= 0 || (size_t)n >= sizeof out || strlen(out) != (size_t)n))
        abort();
    struct http_url t;
    char err[200];
    if (probe_client_parse_url(text, &t, err, sizeof err) == 0 &&
        (t.port < 1 || t.port > 65535 || (!t.tcp && t.path[0] != '/')))
        abort();
    free(text);
    return 0;
}
