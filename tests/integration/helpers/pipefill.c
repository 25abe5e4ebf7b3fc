/* pipefill — an app that fills the stderr pipe it shares with its init.
 * Usage: pipefill EXIT_ON_SIGNUM EXIT_CODE
 * Fills fd 2 (a pipe or FIFO) until not one more byte fits, through a
 * second, non-blocking description of it, so that fd 2's own stays as it
 * was (when it cannot open one, not owning the pipe, fd 2 is made
 * non-blocking for the filling only). Prints on stdout "full BYTES" (the
 * bytes queued, FIONREAD), then one
 * line "SIGNUM flags OCTAL" per signal received (OCTAL: fd 2's file status
 * flags, from /proc/self/fdinfo/2), and exits with EXIT_CODE after
 * EXIT_ON_SIGNUM. Every signal is blocked and taken with sigwaitinfo. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* fd 2's "flags:" line from fdinfo, as written there (octal). */
static void fd2_flags(char *out, size_t cap) {
    snprintf(out, cap, "?");
    FILE *f = fopen("/proc/self/fdinfo/2", "re");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "flags: %63s", out) == 1)
            break;
    fclose(f);
}

static int fill(void) {
    int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC), flags = -1;
    if (fd < 0 && errno == EACCES) {
        flags = fcntl(STDERR_FILENO, F_GETFL);
        if (flags < 0 || fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK) != 0)
            return -1;
        fd = dup(STDERR_FILENO);
    }
    if (fd < 0) {
        perror("pipefill: reopening fd 2");
        return -1;
    }
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    /* Big writes, then single bytes into what room is left. */
    for (size_t size = sizeof chunk; size >= 1; size = size > 1 ? 1 : 0) {
        for (;;) {
            ssize_t n = write(fd, chunk, size);
            if (n >= 0)
                continue;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            perror("pipefill: write");
            close(fd);
            return -1;
        }
    }
    close(fd);
    if (flags >= 0 && fcntl(STDERR_FILENO, F_SETFL, flags) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: pipefill EXIT_ON_SIGNUM EXIT_CODE\n");
        return 2;
    }
    int exit_on = atoi(argv[1]), code = atoi(argv[2]);
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, NULL) != 0) {
        perror("sigprocmask");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (fill() != 0)
        return 1;
    int queued = -1;
    if (ioctl(STDERR_FILENO, FIONREAD, &queued) != 0) {
        perror("pipefill: FIONREAD");
        return 1;
    }
    printf("full %d\n", queued);
    for (;;) {
        siginfo_t si;
        int s = sigwaitinfo(&all, &si);
        if (s < 0) {
            if (errno == EINTR)
                continue;
            perror("sigwaitinfo");
            return 1;
        }
        char flags[64];
        fd2_flags(flags, sizeof flags);
        printf("%d flags %s\n", s, flags);
        if (s == exit_on)
            return code;
    }
}
