/* include/podinit/io.h — writing everything, safely anywhere: used between
 * fork and exec (the logger has its own non-blocking writer). */
#ifndef PODINIT_IO_H
#define PODINIT_IO_H

#include <stddef.h>

/* write(2) until all len bytes are out, retrying EINTR and partial writes;
 * gives up silently on any other error (a log must never stop PID 1).
 * Async-signal-safe. */
void io_write_all(int fd, const void *buf, size_t len);

#endif
