/* include/podinit/children.h — what is left in the container, as the kernel
 * lists podinit's children: signalling it all at the end of a shutdown, and
 * naming what would not die. */
#ifndef PODINIT_CHILDREN_H
#define PODINIT_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

/* Calls fn for each child the kernel lists for podinit (orphans it adopted
 * included). Returns how many, or -1 when the list cannot be read (no /proc,
 * or a kernel without CONFIG_PROC_CHILDREN). */
int children_for_each(void (*fn)(pid_t pid, void *ctx), void *ctx);

/* signo to everything but podinit: as PID 1 the whole namespace (kill(-1)
 * spares the caller); as a subreaper each listed child and the group it
 * leads. */
void children_signal_all(int signo);

/* Up to a line's worth of pids, "12 345 ...", for the log. */
struct children_list {
    char text[200];
    size_t len;
    int more; /* pids that did not fit */
};

void children_list_add(pid_t pid, void *list);

#endif
