/* include/podinit/reap.h — reaping every zombie
 * (exit codes: exit_code.h). */
#ifndef PODINIT_REAP_H
#define PODINIT_REAP_H

#include <stdbool.h>
#include <sys/types.h>

typedef void reap_fn(void *ctx, pid_t pid, int wait_status);

/* waitpid(-1, WNOHANG) until nothing is left to reap, calling on_reaped for
 * each. Returns how many were reaped, or -errno on an unexpected error.
 * ECHILD (no children at all) is not an error; *none_left (if not NULL)
 * says whether it was reached, i.e. no child of ours exists any more. */
int reap_children(reap_fn *on_reaped, void *ctx, bool *none_left);

#endif
