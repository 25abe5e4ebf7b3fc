/* include/podinit/loop.h — the reactor, in the manner of redis's ae.c: the
 * one place podinit waits. It watches file descriptors (a callback each),
 * one deadline and the signals podinit took over, and knows nothing about
 * pods. It waits in the cheapest way for what is watched: with no fd
 * watched (the drop-in case) in sigtimedwait, one system call per signal;
 * once an fd is watched, in epoll over a signalfd (both opened then, kept
 * until loop_close; sigtimedwait again whenever no fd is watched). An fd
 * watched by signal-driven I/O (loop_watch_signalled: the processes'
 * output pipes) does not count: the kernel says it has input with a SIGIO,
 * taken with the other signals, so the loop stays in sigtimedwait. */
#ifndef PODINIT_LOOP_H
#define PODINIT_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a watched fd is ready for (the epoll bits). */
enum { LOOP_IN = 0x001, LOOP_OUT = 0x004, LOOP_ERR = 0x008, LOOP_HUP = 0x010 };

/* A signal as it arrived: who sent it matters (SIGPIPE raised by our own
 * write is not the application's). */
struct loop_signal {
    int signo;
    int code;  /* si_code: SI_USER (kill, and tkill as the C library folds it), SI_KERNEL, ... */
    pid_t pid; /* the sender, for SI_USER / SI_QUEUE */
};

typedef void loop_fd_fn(void *ctx, int fd, uint32_t events);
typedef void loop_signal_fn(void *ctx, const struct loop_signal *sig);

struct loop_watch {
    int fd; /* -1: a free slot */
    uint32_t events;
    loop_fd_fn *fn;
    void *ctx;
    uint32_t gen;   /* bumped when the slot is taken or freed: an event read
                     * for an earlier use of the slot is dropped */
    bool signalled; /* by SIGIO (loop_watch_signalled), not in epoll */
    bool quiet;     /* signalled, O_ASYNC off while it has input (loop.c) */
};

struct loop {
    sigset_t signals; /* what podinit took over (blocked), read here */
    loop_signal_fn *on_signal;
    void *signal_ctx;
    int epfd;  /* -1 until the first fd is watched */
    int sigfd; /* the signals as an fd, for epoll; -1 until then, or for no signals */
    struct loop_watch *watches; /* allocated as fds are watched */
    size_t n_watches, cap_watches;
    size_t n_active;         /* watches in epoll (fd >= 0, not signalled) */
    size_t n_signalled;      /* signalled watches */
    bool io_due;             /* a SIGIO came, or a signalled fd was readable at
                              * the last look: look again before waiting */
    int64_t deadline_ms;     /* CLOCK_MONOTONIC ms; 0: none */
    unsigned long callbacks; /* fd callbacks made so far: did a wait run any */
    /* The relay of the coming wait (loop_relay); relayed counts them all. */
    uint64_t relay_signals; /* bit signo - 1 */
    pid_t relay_to, relay_else;
    bool relaying;
    unsigned long long relayed;
};

/* Prepare to read the signals in *signals (already blocked by the caller).
 * Opens nothing yet. Returns 0 or -errno. */
int loop_init(struct loop *l, const sigset_t *signals, loop_signal_fn *on_signal, void *ctx);

/* Close every fd the loop opened; watched fds stay the caller's. */
void loop_close(struct loop *l);

/* Watch fd for events (LOOP_IN/LOOP_OUT), or change what it is watched
 * for; fn(ctx, fd, ready) is called when it is ready. Returns 0 or -errno
 * (-EBUSY: fd is watched by loop_watch_signalled). */
int loop_watch(struct loop *l, int fd, uint32_t events, loop_fd_fn *fn, void *ctx);

/* Watch fd for input by signal-driven I/O (F_SETOWN, F_SETSIG SIGIO,
 * O_ASYNC): the kernel raises SIGIO when it gets input, so with only such
 * fds watched the loop still waits in sigtimedwait. For a pipe whose read
 * end only podinit holds; SIGIO must be among the loop's signals. A SIGIO
 * the kernel raised is then not passed to on_signal (one sent with kill
 * is, as before); after any SIGIO, and at once after this call, every
 * signalled fd poll(2) finds readable gets fn(ctx, fd, LOOP_IN...), and
 * again on each wait while one still is (a callback may read only part).
 * While it has input its SIGIO is off, so that a flood cannot keep one
 * always pending ahead of the other signals; it is back on once the fd is
 * found empty. Returns 0 or -errno (-EBUSY: fd is watched by loop_watch). */
int loop_watch_signalled(struct loop *l, int fd, loop_fd_fn *fn, void *ctx);

/* Stop watching fd (before the caller closes it; a signalled one gets its
 * O_ASYNC cleared). A callback may unwatch
 * any fd, its own included; an event already read for it is dropped. */
void loop_unwatch(struct loop *l, int fd);

/* The one deadline (the caller's earliest), 0 for none. */
void loop_set_deadline(struct loop *l, int64_t at_ms);

/* CLOCK_MONOTONIC in milliseconds: podinit's one clock. */
int64_t loop_now_ms(void);

/* For the coming loop_wait only: the signals in `signals` (bit signo - 1,
 * 1 to 64) are passed on to `to` (a pid, or -pgid) as they are taken,
 * inside the wait, with no on_signal call (the drop-in case's forward:
 * the wait and one kill; in sigtimedwait the wait goes on, in epoll it
 * returns after its batch). When kill says ESRCH, to `or_else` if it is
 * > 0 (the process left its group). A relay that fails otherwise hands that signal to
 * on_signal, as any other. The caller sets it again before each wait,
 * from what it knows then, so it is never stale. */
void loop_relay(struct loop *l, uint64_t signals, pid_t to, pid_t or_else);

/* Wait once, until a signal, a watched fd or the deadline (never past it:
 * the wait is rounded up, so it does not wake early and spin); then call
 * on_signal for the signals taken (signals first: whatever else woke the
 * loop, they are never delayed; with no fd watched one per wait, the next
 * is taken at once by the next wait), then the ready fds' callbacks.
 * Relayed signals do not end a wait in sigtimedwait, unless the deadline
 * has passed; in epoll one batch of the signalfd (16) is read per wait.
 * Returns 1 when the deadline has passed (now >= deadline: the caller's
 * timers are due), 0 otherwise (EINTR included), or -errno when waiting
 * failed. */
int loop_wait(struct loop *l);

#endif
