/* include/podinit/signals.h — signal names, the rewrite map, and which
 * signals podinit can act on (pure: src/core/signals.c). */
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

/* The synchronous faults (SEGV, BUS, FPE, ILL, ABRT, TRAP, SYS): raised by
 * a program's own code, they must stay deliverable to it. */
bool signals_is_fault(int signo);

#endif
