/* include/podinit/setup.h — what podinit does to itself before it starts
 * anything: the standard fds, the parent-death signal, the subreaper bit,
 * the terminal. */
#ifndef PODINIT_SETUP_H
#define PODINIT_SETUP_H

#include <stdbool.h>

/* A closed 0, 1 or 2 is held with /dev/null (close-on-exec), so the next fd
 * podinit opens cannot take it. Returns the closed ones, bit 1 << fd. */
unsigned setup_hold_closed_standard_fds(void);

/* -p: signo when our parent dies; if it already has, delivered now.
 * 0 does nothing. Returns 0 or -errno. */
int setup_parent_death_signal(int signo);

/* Not as PID 1: become a child subreaper when asked, and warn (tini) when
 * orphans cannot reach us. */
void setup_subreaper(bool subreaper, bool warn_missing);

/* dumb-init's setsid mode: let go of the terminal so the child's new
 * session can take it. Returns true when podinit, a session leader, will
 * now get one SIGHUP and one SIGCONT of its own, which must not reach the
 * child. */
bool setup_release_terminal(void);

#endif
