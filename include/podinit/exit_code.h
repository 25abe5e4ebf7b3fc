/* include/podinit/exit_code.h — a wait status as the shell's exit code,
 * and the codes that count as success. */
#ifndef PODINIT_EXIT_CODE_H
#define PODINIT_EXIT_CODE_H

#include <stdbool.h>
#include <stdint.h>

/* 128+N: the shell's code for a death by signal N. */
#define EXIT_CODE_SIGNALLED 128

/* Exit codes that become 0 (tini -e, successExitCodes). */
struct exit_code_remap {
    uint32_t bits[256 / 32];
};

/* Parse a -e argument: a whole number 0..255. Returns 0 or -1. */
int exit_code_remap_add(struct exit_code_remap *rm, const char *text);
bool exit_code_remap_has(const struct exit_code_remap *rm, int code);

/* The exit code, or 128+N for death by signal N. */
int exit_code_of(int wait_status);

/* exit_code_of, then the remap. */
int exit_code_container(int wait_status, const struct exit_code_remap *rm);

#endif
