/* include/podinit/reap.h — reaping every zombie, and turning a wait status
 * into the container's exit code. */
#ifndef PODINIT_REAP_H
#define PODINIT_REAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes that become 0 (tini -e). */
struct reap_remap {
    uint32_t bits[256 / 32];
};

/* Parse a -e argument: a whole number 0..255. Returns 0 or -1. */
int reap_remap_add(struct reap_remap *rm, const char *text);
bool reap_remap_has(const struct reap_remap *rm, int code);

/* The shell's convention: the exit code, or 128+N for death by signal N. */
int reap_exit_code(int wait_status);

/* reap_exit_code, then the remap. */
int reap_container_exit_code(int wait_status, const struct reap_remap *rm);

typedef void reap_fn(void *ctx, pid_t pid, int wait_status);

/* waitpid(-1, WNOHANG) until nothing is left to reap, calling on_reaped for
 * each. Returns how many were reaped, or -errno on an unexpected error.
 * ECHILD (no children at all) is not an error; *none_left (if not NULL)
 * says whether it was reached, i.e. no child of ours exists any more. */
int reap_children(reap_fn *on_reaped, void *ctx, bool *none_left);

#endif
