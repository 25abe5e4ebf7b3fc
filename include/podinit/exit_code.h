/* include/podinit/exit_code.h — a wait status as the shell's exit code,
 * the codes that count as success, and podinit's own exit codes. */
#ifndef PODINIT_EXIT_CODE_H
#define PODINIT_EXIT_CODE_H

#include <stdbool.h>
#include <stdint.h>

/* Exit codes of podinit's own failures (documented in docs/cli.md); the
 * exec failures 126/127 come from spawn_exit_code_for(). */
enum {
    CLI_EXIT_INTERNAL = 1,   /* a syscall podinit needs failed */
    CLI_EXIT_USAGE = 2,      /* bad command line or configuration (podinit persona; the
                                others use 1: persona.h's usage_exit) */
    CLI_EXIT_POST_START = 3, /* the postStart hook failed or timed out */
    CLI_EXIT_PROBE = 1,      /* --probe: every failure, usage errors included (Docker's
                                HEALTHCHECK reserves 2) */
};

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
