/* src/core/exit_code.c — wait statuses as exit codes, and the codes that
 * count as success (tini -e, successExitCodes). Pure. */
#include "podinit/exit_code.h"

#include "podinit/text.h"

int exit_code_remap_add(struct exit_code_remap *rm, const char *text) {
    long v = text_parse_number(text, 0, 255);
    if (v < 0)
        return -1;
    rm->bits[v / 32] |= UINT32_C(1) << (v % 32);
    return 0;
}

bool exit_code_remap_has(const struct exit_code_remap *rm, int code) {
    if (code < 0 || code > 255)
        return false;
    return (rm->bits[code / 32] >> (code % 32)) & 1u;
}

/* Linux's wait status: the low 7 bits are the terminating signal (0: a
 * normal exit, whose code is the next byte; 0x7f: stopped). */
int exit_code_of(int wait_status) {
    int sig = wait_status & 0x7f;
    if (sig == 0)
        return (wait_status >> 8) & 0xff;
    if (sig != 0x7f)
        return (EXIT_CODE_SIGNALLED + sig) & 0xff;
    return 1; /* stopped/continued are never reported: we do not ask for them */
}

int exit_code_container(int wait_status, const struct exit_code_remap *rm) {
    int code = exit_code_of(wait_status);
    return exit_code_remap_has(rm, code) ? 0 : code;
}
