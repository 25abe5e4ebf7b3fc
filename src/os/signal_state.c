/* src/os/signal_state.c — the signal state podinit takes over at start
 * (mask and dispositions) and hands back to each child before exec. */
#include "podinit/signal_state.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A sigset_t as the kernel reads it: glibc and musl both hand the first
 * _NSIG / 8 bytes of one to the system calls unchanged, one bit per signal
 * in unsigned longs. Their sigaddset and sigprocmask refuse or filter the
 * reserved signals, so these set and apply such bits directly. */
#define KERNEL_SET_BYTES (_NSIG / 8)
#define WORD_BITS (8 * sizeof(unsigned long))

static void kernel_set_add(sigset_t *set, int signo) {
    unsigned long words[KERNEL_SET_BYTES / sizeof(unsigned long)];
    memcpy(words, set, sizeof words);
    words[(signo - 1) / WORD_BITS] |= 1UL << ((signo - 1) % WORD_BITS);
    memcpy(set, words, sizeof words);
}

/* sigprocmask without the C library's filter. Async-signal-safe. */
static int kernel_sigprocmask(int how, const sigset_t *set, sigset_t *old) {
    return (int)syscall(SYS_rt_sigprocmask, how, set, old, (size_t)KERNEL_SET_BYTES);
}

int signal_state_take_over(struct signal_state *saved, sigset_t *handled, bool block_faults) {
    sigfillset(handled);
    sigemptyset(&saved->ignored);
    for (int s = 1; s <= SIGRTMAX; s++) {
        if ((signals_is_fault(s) && !block_faults) || s == SIGKILL || s == SIGSTOP) {
            sigdelset(handled, s);
            continue;
        }
        /* Left unblocked, these kill podinit (default action) or are lost
         * as PID 1. Their dispositions stay the caller's: the child inherits
         * them as they are. */
        if (signals_reserved(s)) {
            kernel_set_add(handled, s);
            continue;
        }
        struct sigaction old;
        if (sigaction(s, NULL, &old) != 0)
            return -errno;
        if (old.sa_handler == SIG_IGN) {
            sigaddset(&saved->ignored, s);
            struct sigaction dfl = {.sa_handler = SIG_DFL};
            if (sigaction(s, &dfl, NULL) != 0)
                return -errno;
        }
    }
    sigemptyset(&saved->mask);
    if (kernel_sigprocmask(SIG_SETMASK, handled, &saved->mask) != 0)
        return -errno;
    return 0;
}

void signal_state_restore_in_child(const struct signal_state *saved) {
    struct sigaction ign = {.sa_handler = SIG_IGN};
    for (int s = 1; s <= SIGRTMAX; s++)
        if (!signals_reserved(s) && sigismember(&saved->ignored, s) == 1)
            (void)sigaction(s, &ign, NULL);
    (void)kernel_sigprocmask(SIG_SETMASK, &saved->mask, NULL);
}

void signal_state_hand_on_defaults(struct signal_state *saved) {
    for (int s = 1; s <= SIGRTMAX; s++) {
        if (signals_reserved(s))
            continue;
        (void)sigdelset(&saved->mask, s);
        if (s <= SIGNALS_CLASSIC_MAX)
            (void)sigdelset(&saved->ignored, s);
    }
}

int signal_state_open_fd(const sigset_t *handled) {
    /* glibc's and musl's signalfd pass the set through unfiltered. */
    int fd = signalfd(-1, handled, SFD_NONBLOCK | SFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}
