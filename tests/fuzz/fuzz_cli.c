/* tests/fuzz/fuzz_cli.c — any bytes as a command line (NUL-separated
 * arguments; the first byte picks the persona): parsed or refused with a
 * message, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/cli.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {"podinit", "tini", "dumb-init", "catatonit"};
    if (size == 0 || size > 4096)
        return 0;
    char *buf = fuzz_text(data + 1, size - 1);
    if (buf == NULL)
        return 0;
    char *argv[66];
    int argc = 0;
    argv[argc++] = (char *)names[data[0] % 4];
    for (char *p = buf; p < buf + size - 1 && argc < 64; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    char *envp[] = {"PODINIT_GRACE_PERIOD=5", NULL};
    FILE *sink = fopen("/dev/null", "w");
    if (sink != NULL) {
        struct cli_options opts;
        int code;
        cli_parse(argc, argv, envp, 1, sink, sink, &opts, &code);
        fclose(sink);
    }
    free(buf);
    return 0;
}
