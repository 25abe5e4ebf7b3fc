/* include/podinit/signals.h — signal names, the rewrite map, and taking over
 * the process's signal state (and giving it back to a child before exec). */
#ifndef PODINIT_SIGNALS_H
#define PODINIT_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Classic signals are 1..31; the rewrite map covers only those, as dumb-init's. */
#define SIGNALS_CLASSIC_MAX 31

/* Parse "TERM", "SIGTERM", "sigterm", "15", "RTMIN", "SIGRTMIN+3", "RTMAX-1".
 * Returns the signal number (1..SIGRTMAX) or -1 when the text names none. */
int signals_parse(const char *text);

/* Write the signal's name ("SIGTERM", "SIGRTMIN+2", "SIG99") into buf. */
const char *signals_name(int signo, char *buf, size_t len);

/* Rewrite map: to[s] == -1 leaves s alone, 0 drops it, else replaces it. */
struct signals_rewrite {
    signed char to[SIGNALS_CLASSIC_MAX + 1];
};

void signals_rewrite_init(struct signals_rewrite *rw);

/* Parse "s:r". With numbers_only (dumb-init) both sides are plain numbers;
 * otherwise names are accepted too. s is 1..31, r is 0..31. Returns 0 or -1. */
int signals_rewrite_parse(const char *spec, bool numbers_only, int *from, int *to);

/* Parse "s:r" and add it to the map. Returns 0 or -1. */
int signals_rewrite_add(struct signals_rewrite *rw, const char *spec, bool numbers_only);

/* Set from -> to unless a rewrite for from was already given. */
void signals_rewrite_default(struct signals_rewrite *rw, int from, int to);

/* The signal to send for signo: itself, its replacement, or 0 (drop); 0
 * for the reserved signals, always. */
int signals_rewrite_apply(const struct signals_rewrite *rw, int signo);

/* The signals the C library reserves for its threads: 32 up to SIGRTMIN
 * (32-33 with glibc, 32-34 with musl). podinit blocks and reads them like
 * the rest, so that they never kill it, and passes none on: the
 * application's C library reserves them too. */
bool signals_reserved(int signo);

/* Why podinit cannot act on signo when it arrives (as a stop signal, the
 * source of a rewrite, the parent-death signal) or send it to stop a
 * program, as a clause ("it cannot be caught"); NULL when it can. With
 * faults_ok the synchronous faults are fine: the signal is only sent, or
 * the persona blocks them (dumb-init). */
const char *signals_unusable(int signo, bool faults_ok);

/* What the caller handed us, so a child can get it back. */
struct signals_saved {
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
int signals_take_over(struct signals_saved *saved, sigset_t *handled, bool block_faults);

/* In a forked child, before exec: ignored dispositions and the mask (the
 * reserved signals' bits too) back as the caller had them.
 * Async-signal-safe. */
void signals_restore_in_child(const struct signals_saved *saved);

/* A non-blocking, close-on-exec signalfd for *handled, or -errno. */
int signals_open_fd(const sigset_t *handled);

#endif
