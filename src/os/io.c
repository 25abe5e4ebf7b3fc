/* src/io.c — write(2) in full, or not at all. */
#include "podinit/io.h"

#include <errno.h>
#include <unistd.h>

void io_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}
