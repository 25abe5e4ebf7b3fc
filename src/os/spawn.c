/* src/spawn.c — fork and exec with only async-signal-safe calls in between.
 * Everything the child needs (candidate paths, the /bin/sh fallback argv) is
 * prepared before fork; failures come back to the parent as an errno over a
 * close-on-exec pipe. */
#include "podinit/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "podinit/io.h"

extern char **environ;

/* The places execvp would try, in order. */
struct exec_plan {
    char **paths;   /* NULL-terminated */
    char **sh_argv; /* "/bin/sh", <path>, argv[1..], NULL: for ENOEXEC, as execvp does */
};

static void plan_free(struct exec_plan *plan) {
    if (plan->paths)
        for (char **p = plan->paths; *p; p++)
            free(*p);
    free(plan->paths);
    free(plan->sh_argv);
}

/* PATH as the child will see it. */
static const char *path_of(char *const *envp) {
    if (envp == NULL)
        return getenv("PATH");
    for (; *envp; envp++)
        if (strncmp(*envp, "PATH=", 5) == 0)
            return *envp + 5;
    return NULL;
}

static int plan_build(struct exec_plan *plan, char *const *argv, char *const *envp) {
    const char *name = argv[0];
    size_t argc = 0;
    while (argv[argc])
        argc++;
    plan->paths = NULL;
    plan->sh_argv = calloc(argc + 2, sizeof *plan->sh_argv);
    if (plan->sh_argv == NULL)
        return -ENOMEM;
    plan->sh_argv[0] = (char *)"/bin/sh";
    for (size_t i = 1; i < argc; i++)
        plan->sh_argv[i + 1] = argv[i];

    if (strchr(name, '/') != NULL) {
        plan->paths = calloc(2, sizeof *plan->paths);
        if (plan->paths == NULL || (plan->paths[0] = strdup(name)) == NULL)
            return -ENOMEM;
        return 0;
    }
    const char *path = path_of(envp);
    if (path == NULL)
        path = "/bin:/usr/bin"; /* glibc's execvp default */
    size_t count = 1;
    for (const char *c = path; *c; c++)
        count += *c == ':';
    plan->paths = calloc(count + 1, sizeof *plan->paths);
    if (plan->paths == NULL)
        return -ENOMEM;
    size_t namelen = strlen(name), n = 0;
    for (const char *dir = path;; n++) {
        const char *end = strchrnul(dir, ':');
        size_t dirlen = (size_t)(end - dir);
        if (dirlen == 0) { /* an empty element means the current directory */
            dir = ".";
            dirlen = 1;
        }
        char *p = malloc(dirlen + 1 + namelen + 1);
        if (p == NULL)
            return -ENOMEM;
        memcpy(p, dir, dirlen);
        p[dirlen] = '/';
        memcpy(p + dirlen + 1, name, namelen + 1);
        plan->paths[n] = p;
        if (*end == '\0')
            break;
        dir = end + 1;
    }
    return 0;
}

static __attribute__((noreturn)) void child_fail(int report_fd, enum spawn_stage stage, int err) {
    struct spawn_error e = {stage, err};
    io_write_all(report_fd, &e, sizeof e);
    _exit(stage == SPAWN_STAGE_EXEC ? spawn_exit_code_for(err) : 126);
}

/* In the child: envp's LISTEN_PID entry, if any, now names the child
 * (sd_listen_fds(3) takes the fds only where LISTEN_PID is its own pid).
 * The array is the child's own copy after fork; the string is static. */
static void listen_pid_to_self(char *const *envp) {
    static char entry[32] = "LISTEN_PID=";
    static const char key[] = "LISTEN_PID=";
    char digits[16];
    int n = 0;
    for (unsigned long v = (unsigned long)getpid(); n == 0 || v > 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    size_t at = sizeof key - 1;
    while (n > 0)
        entry[at++] = digits[--n];
    entry[at] = '\0';
    for (char **e = (char **)envp; *e; e++) {
        size_t i = 0;
        while (i < sizeof key - 1 && (*e)[i] == key[i])
            i++;
        if (i == sizeof key - 1) {
            *e = entry;
            return;
        }
    }
}

/* In the child: fd as to (open across exec). dup2 onto itself is a no-op
 * that would leave it close-on-exec. 0 or -1 (errno set). */
static int move_fd(int fd, int to) {
    if (fd != to)
        return dup2(fd, to) < 0 ? -1 : 0;
    return fcntl(to, F_SETFD, 0);
}

/* In the child: a debug note on stderr only if it can take it now. PID 1
 * waits for this child's exec: a full stderr must not hold both. The note
 * is short (under PIPE_BUF: one write, whole or not at all on a pipe). */
static void note_if_writable(const char *note) {
    struct pollfd pf = {.fd = STDERR_FILENO, .events = POLLOUT};
    if (poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT))
        (void)!write(STDERR_FILENO, note, strlen(note));
}

/* Runs in the child: no malloc, no stdio, no locks. */
static __attribute__((noreturn)) void child_exec(const struct spawn_request *req,
                                                 const struct exec_plan *plan, int report_fd) {
    char *const *envp = req->envp ? req->envp : environ;
    if (req->listen_pid)
        listen_pid_to_self(envp);
    /* The copies stay open across exec (the originals are close-on-exec). */
    if (req->redirect &&
        (move_fd(req->out_fd, STDOUT_FILENO) < 0 || move_fd(req->err_fd, STDERR_FILENO) < 0))
        child_fail(report_fd, SPAWN_STAGE_OUTPUT, errno);
    if (req->isolation == SPAWN_SESSION) {
        if (setsid() < 0)
            child_fail(report_fd, SPAWN_STAGE_SETSID, errno);
        (void)ioctl(STDIN_FILENO, TIOCSCTTY, 0); /* no terminal is fine */
    } else if (req->isolation == SPAWN_BACKGROUND_GROUP) {
        (void)setpgid(0, 0); /* a hook: its own group, the terminal stays the app's */
    } else {
        (void)setpgid(0, 0);
        /* Take the terminal's foreground. SIGTTOU is still blocked here, so a
         * background group may do this. No terminal (ENOTTY) is fine. */
        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
    }
    if (req->child_note)
        note_if_writable(req->child_note);
    /* Groups first: once the uid is dropped, setgid is no longer allowed. */
    if (req->set_user && (setgroups(req->n_groups, req->groups) != 0 || setgid(req->gid) != 0 ||
                          setuid(req->uid) != 0))
        child_fail(report_fd, SPAWN_STAGE_USER, errno);
    if (req->dir != NULL && chdir(req->dir) != 0)
        child_fail(report_fd, SPAWN_STAGE_CHDIR, errno);
    signal_state_restore_in_child(req->signals);

    int err = ENOENT;
    bool saw_eacces = false;
    for (char **p = plan->paths; *p; p++) {
        execve(*p, req->argv, envp);
        err = errno;
        if (err == ENOEXEC) {
            plan->sh_argv[1] = *p;
            execve("/bin/sh", plan->sh_argv, envp);
            err = errno;
            break;
        }
        if (err == EACCES) {
            saw_eacces = true;
            continue;
        }
        if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV && err != ETIMEDOUT)
            break;
    }
    if (saw_eacces && (err == ENOENT || err == ENOTDIR))
        err = EACCES;
    child_fail(report_fd, SPAWN_STAGE_EXEC, err);
}

int spawn_exit_code_for(int exec_errno) {
    return exec_errno == ENOENT || exec_errno == ENOTDIR ? 127 : 126;
}

int spawn_process(const struct spawn_request *req, pid_t *pid_out, struct spawn_error *failure) {
    *failure = (struct spawn_error){SPAWN_STAGE_NONE, 0};
    struct exec_plan plan;
    int rc = plan_build(&plan, req->argv, req->envp);
    if (rc < 0) {
        plan_free(&plan);
        failure->err = -rc;
        return rc;
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        rc = -errno;
        plan_free(&plan);
        failure->err = -rc;
        return rc;
    }
    pid_t pid = fork();
    if (pid < 0) {
        rc = -errno;
        *failure = (struct spawn_error){SPAWN_STAGE_FORK, errno};
        close(report[0]);
        close(report[1]);
        plan_free(&plan);
        return rc;
    }
    if (pid == 0) {
        close(report[0]);
        child_exec(req, &plan, report[1]);
    }
    close(report[1]);
    plan_free(&plan);
    /* Also from this side, so the group exists whichever runs first. */
    if (req->isolation != SPAWN_SESSION)
        (void)setpgid(pid, pid);

    struct spawn_error err = {SPAWN_STAGE_EXEC, EIO};
    size_t got = 0;
    while (got < sizeof err) {
        ssize_t n = read(report[0], (char *)&err + got, sizeof err - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(report[0]);
    if (got == 0) { /* closed by a successful exec */
        *pid_out = pid;
        return 0;
    }
    if (got != sizeof err)
        err = (struct spawn_error){SPAWN_STAGE_EXEC, EIO};
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *failure = err;
    return -err.err;
}
