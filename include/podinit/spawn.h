/* include/podinit/spawn.h — start a program as a child that leads its own
 * process group (or session), owns the terminal when there is one, and gets
 * back the caller's signal state before exec. */
#ifndef PODINIT_SPAWN_H
#define PODINIT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "podinit/signal_state.h"

enum spawn_isolation {
    SPAWN_PROCESS_GROUP,    /* setpgid + tcsetpgrp: tini, podinit */
    SPAWN_SESSION,          /* setsid + TIOCSCTTY: dumb-init's setsid mode */
    SPAWN_BACKGROUND_GROUP, /* setpgid only: a hook, which must not take the terminal */
};

struct spawn_request {
    char *const *argv;                   /* argv[0] is searched in PATH like execvp */
    const struct signal_state *signals; /* handed back to the child */
    enum spawn_isolation isolation;
    const char *child_note; /* written to stderr by the child once isolated, or NULL */
    char *const *envp;      /* the child's environment; NULL: ours */
    const char *dir;        /* the child's working directory; NULL: ours */
    bool set_user;          /* run as uid:gid with the supplementary groups given */
    uid_t uid;
    gid_t gid;
    const gid_t *groups; /* n_groups of them; 0: none */
    size_t n_groups;
    bool listen_pid;    /* socket activation: envp's LISTEN_PID= becomes the child's pid */
    bool redirect;      /* stdout and stderr become out_fd and err_fd ("output") */
    int out_fd, err_fd;
};

/* What failed: the fork itself (too many processes), or a step in the
 * child, reported back over the pipe. */
enum spawn_stage {
    SPAWN_STAGE_NONE,
    SPAWN_STAGE_FORK,
    SPAWN_STAGE_SETSID,
    SPAWN_STAGE_CHDIR,
    SPAWN_STAGE_USER,
    SPAWN_STAGE_EXEC,
    SPAWN_STAGE_OUTPUT
};

struct spawn_error {
    enum spawn_stage stage;
    int err; /* errno */
};

/* Fork and exec. Returns 0 with *pid set once the exec has succeeded (the
 * parent waits on a close-on-exec pipe, so isolation is complete when it
 * returns). Otherwise -errno, with failure->err the same errno and
 * failure->stage saying where: FORK when fork failed, a step of the child
 * (the failed child has been reaped), or NONE for the preparations before
 * the fork. */
int spawn_process(const struct spawn_request *req, pid_t *pid, struct spawn_error *failure);

/* 127 when the program was not found, 126 when it could not be executed. */
int spawn_exit_code_for(int exec_errno);

#endif
