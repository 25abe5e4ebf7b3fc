/* launch — start a program with a chosen signal state and fd table.
 * Usage: launch [--ignore SIGNUM]... [--block SIGNUM]... [--close-fds]
 *               [--keep FD]... [--argv0 NAME] [--no-argv] [--broken-stderr]
 *               -- PROGRAM [ARGS...]
 * --close-fds closes every fd above 2 except the --keep ones. --no-argv
 * execs PROGRAM with an empty argument vector (argc == 0). --broken-stderr
 * makes stderr a pipe nobody reads (writes fail with EPIPE and SIGPIPE). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* The kernel's signal mask: the C library refuses 32 and 33 (musl: 32-34),
 * which the tests need too. */
#define WORD_BITS (8 * sizeof(unsigned long))
static unsigned long kmask[_NSIG / 8 / sizeof(unsigned long)];

/* SIG_IGN by the raw system call, for the signals sigaction refuses. Only
 * the handler is set (the rest zero), which every layout but MIPS's reads
 * as SIG_IGN with no flags. */
static int ignore_raw(int sig) {
    unsigned long act[8] = {(unsigned long)SIG_IGN};
    return (int)syscall(SYS_rt_sigaction, sig, act, NULL, sizeof kmask);
}

static void close_fds(const int *keep, int nkeep) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        perror("opendir");
        exit(1);
    }
    int self = dirfd(d), fds[1024], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 1024)
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
            fds[n++] = atoi(e->d_name);
    for (int i = 0; i < n; i++) {
        int fd = fds[i], kept = fd <= 2 || fd == self;
        for (int k = 0; k < nkeep; k++)
            kept |= keep[k] == fd;
        if (!kept)
            close(fd);
    }
    closedir(d);
}

int main(int argc, char **argv) {
    int keep[64], nkeep = 0, do_close = 0, no_argv = 0, broken_stderr = 0, i = 1;
    const char *argv0 = NULL;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc)
            break;
        if (strcmp(argv[i], "--ignore") == 0) {
            int s = atoi(argv[++i]);
            if (signal(s, SIG_IGN) == SIG_ERR && ignore_raw(s) != 0) {
                perror("rt_sigaction");
                return 1;
            }
        } else if (strcmp(argv[i], "--block") == 0) {
            int s = atoi(argv[++i]);
            if (s >= 1 && s <= 64)
                kmask[(s - 1) / WORD_BITS] |= 1UL << ((s - 1) % WORD_BITS);
        } else if (strcmp(argv[i], "--keep") == 0 && nkeep < 64)
            keep[nkeep++] = atoi(argv[++i]);
        else if (strcmp(argv[i], "--argv0") == 0)
            argv0 = argv[++i];
        else if (strcmp(argv[i], "--close-fds") == 0)
            do_close = 1;
        else if (strcmp(argv[i], "--no-argv") == 0)
            no_argv = 1;
        else if (strcmp(argv[i], "--broken-stderr") == 0)
            broken_stderr = 1;
        else
            break;
    }
    if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
        fprintf(stderr, "usage: launch [OPTIONS] -- PROGRAM [ARGS...]\n");
        return 2;
    }
    char **prog = &argv[i + 1];
    if (do_close)
        close_fds(keep, nkeep);
    if (broken_stderr) {
        int p[2];
        if (pipe(p) != 0 || dup2(p[1], 2) < 0) {
            perror("pipe");
            return 1;
        }
        close(p[0]);
        close(p[1]);
    }
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, kmask, NULL, sizeof kmask) != 0) {
        perror("rt_sigprocmask");
        return 1;
    }
    const char *path = prog[0];
    if (no_argv) {
        char *empty[] = {NULL};
        execve(path, empty, environ);
    } else {
        if (argv0)
            prog[0] = (char *)argv0;
        execvp(path, prog);
    }
    perror(path);
    return 127;
}
