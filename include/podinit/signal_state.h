/* include/podinit/signal_state.h — the signal mask and dispositions podinit
 * takes over at start, and gives back to each child before exec. */
#ifndef PODINIT_SIGNAL_STATE_H
#define PODINIT_SIGNAL_STATE_H

#include <signal.h>
#include <stdbool.h>

#include "podinit/signals.h"

/* What the caller handed us, so a child can get it back. */
struct signal_state {
    sigset_t mask;    /* the caller's blocked set */
    sigset_t ignored; /* signals that were SIG_IGN when we started */
};

/* Block every signal except the synchronous faults (SEGV, BUS, FPE, ILL,
 * ABRT, TRAP, SYS), the reserved ones included (by the system call, which
 * the C library's wrappers would filter), and reset ignored dispositions
 * (those of the reserved signals stay as they are) to default (an ignored
 * signal is discarded before a signalfd sees it; an ignored SIGCHLD would
 * make the kernel reap for us). With block_faults, as dumb-init does, the
 * faults are blocked too so that a kill(2) of one is forwarded; a real fault
 * still kills us, since the kernel unblocks a forced fault signal. Fills
 * *handled with the set the signalfd must read. Returns 0 or -errno. */
int signal_state_take_over(struct signal_state *saved, sigset_t *handled, bool block_faults);

/* In a forked child, before exec: ignored dispositions and the mask (the
 * reserved signals' bits too) back as the caller had them.
 * Async-signal-safe. */
void signal_state_restore_in_child(const struct signal_state *saved);

/* What dumb-init hands its children: it sets a handler on each of 1-31 (exec
 * resets it to the default) and unblocks every signal in the child, so what
 * the caller ignored among 1-31 and its whole mask stop at dumb-init. The
 * C library's reserved signals, which its calls never touch, and ignored
 * real-time signals stay as the caller had them. */
void signal_state_hand_on_defaults(struct signal_state *saved);

/* A non-blocking, close-on-exec signalfd for *handled, or -errno. */
int signal_state_open_fd(const sigset_t *handled);

#endif
