/* src/os/setup.c — podinit's own set-up, before the first child. */
#include "podinit/setup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "podinit/log.h"

/* A closed 0, 1 or 2 would be taken by the next fd podinit opens (the
 * signalfd, a health socket), and a child's write to its "stderr" would
 * land there. Held with /dev/null, close-on-exec, a child still finds it
 * closed, as the caller left it. Filled in order, so open(2) returns the
 * fd being filled. */
unsigned setup_hold_closed_standard_fds(void) {
    unsigned closed = 0;
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        closed |= 1u << fd;
        int held = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (held < 0) {
            log_msg(LOG_WARN, "holding closed fd %d with /dev/null: %s", fd, strerror(errno));
            break;
        }
    }
    return closed;
}

int setup_parent_death_signal(int signo) {
    if (signo == 0)
        return 0;
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, signo) != 0)
        return -errno;
    if (getppid() != parent)
        (void)kill(getpid(), signo);
    return 0;
}

void setup_subreaper(bool subreaper, bool warn_missing) {
    if (getpid() == 1)
        return;
    if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        log_msg(LOG_WARN, "cannot become a child subreaper: %s", strerror(errno));
    int bit = 0;
    if (warn_missing && (prctl(PR_GET_CHILD_SUBREAPER, &bit) != 0 || bit != 1))
        log_subreaper_missing();
}

/* A session leader giving up its terminal sends itself SIGHUP and SIGCONT. */
bool setup_release_terminal(void) {
    if (ioctl(STDIN_FILENO, TIOCNOTTY) == -1) {
        log_msg(LOG_DEBUG, "Unable to detach from controlling tty (errno=%d %s).", errno,
                strerror(errno));
        return false;
    }
    if (getsid(0) == getpid()) {
        log_msg(LOG_DEBUG, "Detached from controlling tty, ignoring the first SIGHUP and "
                           "SIGCONT.");
        return true;
    }
    log_msg(LOG_DEBUG, "Detached from controlling tty, but was not session leader.");
    return false;
}
