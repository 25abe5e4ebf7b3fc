/* src/os/termination_log.c — the termination message into its file
 * (termination.h): only a file that exists, never waiting. */
#include "podinit/termination.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "podinit/log.h"

void termination_log_write(const char *path, const char *msg, size_t len) {
    if (path == NULL || path[0] == '\0')
        return;
    /* No O_CREAT: the kubelet mounts it; outside Kubernetes there is none.
     * O_NONBLOCK: a FIFO with no reader fails at once (ENXIO), never waits. */
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT)
            log_msg(LOG_WARN, "termination message: %s: %s", path, strerror(errno));
        return;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, msg + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_msg(LOG_WARN, "termination message: %s: %s", path,
                    n < 0 ? strerror(errno) : "nothing written");
            break;
        }
        off += (size_t)n;
    }
    if (close(fd) < 0 && errno != EINTR)
        log_msg(LOG_WARN, "termination message: %s: %s", path, strerror(errno));
}
