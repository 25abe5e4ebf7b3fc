/* tests/fuzz/fuzz_signals.c — any text as a signal name and as a -r
 * rewrite spec (both syntaxes): a signal, a rewrite, or a refusal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/signals.h"
#include "podinit/text.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_text(data, size);
    if (text == NULL)
        return 0;
    int sig = signals_parse(text);
    if (sig != -1 && (sig < 1 || sig > SIGRTMAX))
        abort(); /* the contract: a signal number, or -1 */
    struct signals_rewrite rw;
    signals_rewrite_init(&rw);
    signals_rewrite_add(&rw, text, false);
    signals_rewrite_add(&rw, text, true);
    for (int s = 1; s <= SIGNALS_CLASSIC_MAX; s++)
        if (rw.to[s] < -1 || rw.to[s] > SIGNALS_CLASSIC_MAX)
            abort();
    long v = text_parse_number(text, 0, 65535);
    if (v < -1 || v > 65535)
        abort();
    free(text);
    return 0;
}
