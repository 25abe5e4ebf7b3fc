/* include/podinit/hooks.h — an exec lifecycle hook as a child process in
 * its own process group: the caller reaps it like any other child, and
 * cancels it by killing its group. (An httpGet hook is a request on the
 * loop: process_hooks.c.) */
#ifndef PODINIT_HOOKS_H
#define PODINIT_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "podinit/config.h"
#include "podinit/signal_state.h"
#include "podinit/spawn.h"

struct hooks_context {
    const struct signal_state *signals; /* handed back to an exec hook */
    char *const *envp;                   /* the process's environment */
    const char *dir;                     /* its working directory */
    bool set_user;                       /* exec: run as the process's user */
    uid_t uid;
    gid_t gid;
    const gid_t *groups; /* and its supplementary groups */
    size_t n_groups;
    bool redirect; /* its output through podinit: the process's pipes */
    int out_fd, err_fd;
};

/* Start exec hook h. Returns 0 with *pid set, or -errno with
 * *failure saying what failed (nothing is left running). */
int hooks_start(const struct config_hook *h, const struct hooks_context *ctx, pid_t *pid,
                struct spawn_error *failure);

/* "exec /app/deregister --now", "httpGet http://127.0.0.1:8080/drain", "sleep 5s" */
const char *hooks_describe(const struct config_hook *h, char *buf, size_t len);

/* Kill the hook's whole process group. */
void hooks_cancel(pid_t pid);

#endif
