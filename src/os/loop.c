/* src/os/loop.c — the reactor: the one place podinit waits. With no fd
 * watched it sleeps in sigtimedwait (one system call per signal, the
 * drop-in case); once an fd is watched it opens an epoll set with a
 * signalfd in it and waits there whenever an fd is watched. Signalled
 * fds (signal-driven I/O) are not in epoll: their SIGIO comes with the
 * signals, either way, and a poll(2) that does not wait finds which. */
#include "podinit/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "podinit/hot.h"
#include "podinit/signal_state.h"

/* epoll data of the signalfd; a watch's is its generation << 32 | slot. */
#define SIGNAL_TAG UINT64_MAX
#define EVENTS_PER_WAIT 32

int loop_init(struct loop *l, const sigset_t *signals, loop_signal_fn *on_signal, void *ctx) {
    *l = (struct loop){
        .signals = *signals, .on_signal = on_signal, .signal_ctx = ctx, .epfd = -1, .sigfd = -1};
    return 0;
}

void loop_close(struct loop *l) {
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->sigfd >= 0)
        close(l->sigfd);
    free(l->watches);
    l->epfd = l->sigfd = -1;
    l->watches = NULL;
    l->n_watches = l->cap_watches = l->n_active = 0;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

PODINIT_HOT int64_t loop_now_ms(void) {
    return now_ns() / 1000000;
}

PODINIT_HOT void loop_set_deadline(struct loop *l, int64_t at_ms) {
    l->deadline_ms = at_ms > 0 ? at_ms : 0;
}

static bool no_signals(const sigset_t *set) {
    for (int s = 1; s < _NSIG; s++)
        if (sigismember(set, s) == 1)
            return false;
    return true;
}

/* The epoll set and the signalfd in it (none for no signals: an fd
 * spared), on the first watch. */
static int open_epoll(struct loop *l) {
    if (l->epfd >= 0)
        return 0;
    int sigfd = -1;
    if (!no_signals(&l->signals) && (sigfd = signal_state_open_fd(&l->signals)) < 0)
        return sigfd;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SIGNAL_TAG};
    if (epfd < 0 || (sigfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev) != 0)) {
        int err = errno;
        if (epfd >= 0)
            close(epfd);
        if (sigfd >= 0)
            close(sigfd);
        return -err;
    }
    l->epfd = epfd;
    l->sigfd = sigfd;
    return 0;
}

static struct loop_watch *find_watch(struct loop *l, int fd) {
    for (size_t i = 0; i < l->n_watches; i++)
        if (l->watches[i].fd == fd)
            return &l->watches[i];
    return NULL;
}

/* A free slot, the table grown when there is none; NULL: no memory. */
static struct loop_watch *free_watch(struct loop *l) {
    struct loop_watch *w = find_watch(l, -1);
    if (w != NULL)
        return w;
    if (l->n_watches == l->cap_watches) {
        size_t cap = l->cap_watches ? 2 * l->cap_watches : 8;
        struct loop_watch *grown = realloc(l->watches, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        l->watches = grown;
        l->cap_watches = cap;
    }
    w = &l->watches[l->n_watches++];
    *w = (struct loop_watch){.fd = -1};
    return w;
}

static uint64_t watch_tag(const struct loop *l, const struct loop_watch *w) {
    return (uint64_t)w->gen << 32 | (uint64_t)(w - l->watches);
}

int loop_watch(struct loop *l, int fd, uint32_t events, loop_fd_fn *fn, void *ctx) {
    if (fd < 0 || fn == NULL)
        return -EINVAL;
    struct loop_watch *w = find_watch(l, fd);
    if (w != NULL && w->signalled)
        return -EBUSY;
    int rc = open_epoll(l);
    if (rc < 0)
        return rc;
    bool added = w == NULL;
    if (added && (w = free_watch(l)) == NULL)
        return -ENOMEM;
    if (added)
        w->gen++;
    struct epoll_event ev = {.events = events, .data.u64 = watch_tag(l, w)};
    /* A watched fd the caller closed (without unwatching) left the set:
     * the same number now is a new file, added again. */
    if (added || (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT))
        rc = epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
    else
        rc = 0;
    if (rc < 0) {
        if (added)
            w->gen++;
        return rc;
    }
    if (added) {
        w->fd = fd;
        l->n_active++;
    }
    w->events = events;
    w->fn = fn;
    w->ctx = ctx;
    return 0;
}

/* O_ASYNC on or off; 0 or -errno. */
static int set_async(int fd, bool on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    int want = on ? fl | O_ASYNC : fl & ~O_ASYNC;
    return want == fl || fcntl(fd, F_SETFL, want) == 0 ? 0 : -errno;
}

int loop_watch_signalled(struct loop *l, int fd, loop_fd_fn *fn, void *ctx) {
    if (fd < 0 || fn == NULL || sigismember(&l->signals, SIGIO) != 1)
        return -EINVAL;
    struct loop_watch *w = find_watch(l, fd);
    if (w != NULL && !w->signalled)
        return -EBUSY;
    if (w == NULL) {
        /* SIGIO with its siginfo (F_SETSIG), to this thread: pending on the
         * thread, it cannot absorb (nor be absorbed by) a SIGIO sent with
         * kill, pending on the process. Both are read by sigtimedwait and
         * the signalfd alike. */
        struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = gettid()};
        if (fcntl(fd, F_SETOWN_EX, &owner) != 0 || fcntl(fd, F_SETSIG, SIGIO) != 0)
            return -errno;
        int rc = set_async(fd, true);
        if (rc < 0)
            return rc;
        if ((w = free_watch(l)) == NULL) {
            (void)set_async(fd, false);
            return -ENOMEM;
        }
        w->gen++;
        w->fd = fd;
        w->signalled = true;
        w->quiet = false;
        w->events = LOOP_IN;
        l->n_signalled++;
    }
    w->fn = fn;
    w->ctx = ctx;
    l->io_due = true; /* input that came before O_ASYNC raised no SIGIO */
    return 0;
}

void loop_unwatch(struct loop *l, int fd) {
    struct loop_watch *w = fd >= 0 ? find_watch(l, fd) : NULL;
    if (w == NULL)
        return;
    if (w->signalled) {
        (void)set_async(fd, false); /* no SIGIO for it reaches on_signal later */
        l->n_signalled--;
    } else {
        /* ENOENT or EBADF: the caller closed it first; it has left the set. */
        (void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        l->n_active--;
    }
    w->fd = -1;
    w->signalled = w->quiet = false;
    w->gen++;
}

/* glibc reports a tkill(2)ed signal as SI_USER from sigtimedwait; the
 * signalfd and musl say SI_TKILL. Both modes say SI_USER. */
static void deliver(struct loop *l, int signo, int code, pid_t pid) {
    l->relaying = false; /* what follows may change what it was set from */
    /* A SIGIO the kernel raised (POLL_IN and the like, SI_SIGIO, SI_KERNEL)
     * is a signalled fd's input, not the application's signal. (One sent
     * with kill is looked at as a reason to look at the fds too: cheap.) */
    if (signo == SIGIO && l->n_signalled > 0) {
        l->io_due = true;
        if (code > 0 || code == SI_SIGIO)
            return;
    }
    struct loop_signal sig = {
        .signo = signo, .code = code == SI_TKILL ? SI_USER : code, .pid = pid};
    if (l->on_signal != NULL)
        l->on_signal(l->signal_ctx, &sig);
}

void loop_relay(struct loop *l, uint64_t signals, pid_t to, pid_t or_else) {
    l->relay_signals = signals;
    l->relay_to = to;
    l->relay_else = or_else;
    l->relaying = true;
}

/* signo passed on by the relay, or not (then it is delivered). */
PODINIT_HOT static bool relayed(struct loop *l, int signo) {
    if (!l->relaying || signo < 1 || signo > 64 || !(l->relay_signals >> (signo - 1) & 1))
        return false;
    if (kill(l->relay_to, signo) != 0 &&
        (errno != ESRCH || l->relay_else <= 0 || kill(l->relay_else, signo) != 0))
        return false;
    l->relayed++;
    return true;
}

/* Nanoseconds left to the deadline: -1 for none, 0 when it has passed or
 * a signalled fd is due a look (take the signals, then look: no wait). */
static int64_t ns_left(const struct loop *l) {
    if (l->io_due)
        return 0;
    if (l->deadline_ms == 0)
        return -1;
    int64_t left = l->deadline_ms * 1000000 - now_ns();
    return left > 0 ? left : 0;
}

static bool deadline_passed(const struct loop *l) {
    return l->deadline_ms != 0 && loop_now_ms() >= l->deadline_ms;
}

/* A relayed signal waits again at once, unless the deadline has passed:
 * a flood of them does not hold back the timers. */
PODINIT_HOT static int wait_signal(struct loop *l) {
    for (;;) {
        int64_t left = ns_left(l);
        struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
        siginfo_t si;
        int signo = sigtimedwait(&l->signals, &si, left < 0 ? NULL : &ts);
        if (signo < 0) {
            if (errno != EAGAIN && errno != EINTR)
                return -errno;
            break;
        }
        if (!relayed(l, signo)) {
            deliver(l, signo, si.si_code, si.si_pid);
            break;
        }
        if (deadline_passed(l))
            break;
    }
    return deadline_passed(l) ? 1 : 0;
}

/* One batch of the signals queued on the signalfd, then back to the loop:
 * the signalfd stays readable, so the next wait takes the rest, beside
 * any fd that became ready meanwhile. Reading the whole queue first held
 * back a SIGCHLD or SIGTERM, and the health endpoint's answers, behind a
 * flood: with many real-time signals queued each read walks the queue in
 * the kernel (a flood of 96,000 took 23-35 s to read). */
static void drain_signalfd(struct loop *l) {
    struct signalfd_siginfo si[16];
    ssize_t n;
    do
        n = read(l->sigfd, si, sizeof si);
    while (n < 0 && errno == EINTR);
    for (size_t i = 0; n > 0 && i < (size_t)n / sizeof si[0]; i++) /* EAGAIN: none */
        if (!relayed(l, (int)si[i].ssi_signo))
            deliver(l, (int)si[i].ssi_signo, si[i].ssi_code, (pid_t)si[i].ssi_pid);
}

/* One ready fd, unless its slot was freed or taken again since. */
static void dispatch(struct loop *l, const struct epoll_event *ev) {
    size_t slot = (size_t)(ev->data.u64 & UINT32_MAX);
    uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
    if (slot >= l->n_watches || l->watches[slot].fd < 0 || l->watches[slot].gen != gen)
        return;
    struct loop_watch w = l->watches[slot]; /* the table may move under fn */
    l->callbacks++;
    w.fn(w.ctx, w.fd, ev->events);
}

static int wait_epoll(struct loop *l) {
    int64_t left = ns_left(l);
    int timeout = -1;
    if (left >= 0) {
        int64_t ms = (left + 999999) / 1000000; /* up: never before the deadline */
        timeout = ms > INT_MAX ? INT_MAX : (int)ms;
    }
    struct epoll_event ev[EVENTS_PER_WAIT];
    int n = epoll_wait(l->epfd, ev, EVENTS_PER_WAIT, timeout);
    if (n < 0 && errno != EINTR)
        return -errno;
    for (int i = 0; i < n; i++)
        if (ev[i].data.u64 == SIGNAL_TAG)
            drain_signalfd(l);
    for (int i = 0; i < n; i++)
        if (ev[i].data.u64 != SIGNAL_TAG)
            dispatch(l, &ev[i]);
    return deadline_passed(l) ? 1 : 0;
}

#define POLL_BATCH 32

/* A signalled fd with input gets no SIGIO until it is found empty again:
 * the kernel raises one on the thread at every write, and a thread's own
 * pending signals are taken before the process's, so a flood that kept
 * one pending would starve SIGTERM, SIGCHLD and any signal to forward. */
static void quieten(struct loop_watch *w) {
    if (!w->quiet && set_async(w->fd, false) == 0)
        w->quiet = true;
}

static bool has_input(short revents) {
    return (revents & (POLLIN | POLLHUP | POLLERR)) && !(revents & POLLNVAL);
}

/* Found empty: its SIGIO back on, then one more look, since input that
 * came before O_ASYNC was on raised none. Whether it has input now. */
static bool rearm(struct loop_watch *w) {
    if (!w->quiet || set_async(w->fd, true) != 0)
        return false;
    w->quiet = false;
    struct pollfd pf = {.fd = w->fd, .events = POLLIN};
    return poll(&pf, 1, 0) == 1 && has_input(pf.revents);
}

/* Each signalled fd that has input (poll, no wait) is called back. io_due
 * stays set while one had: its callback may have left some. */
static void look_at_signalled(struct loop *l) {
    l->io_due = false;
    for (size_t i = 0; i < l->n_watches;) {
        struct pollfd pf[POLL_BATCH];
        size_t slot[POLL_BATCH];
        uint32_t gen[POLL_BATCH];
        nfds_t n = 0;
        for (; i < l->n_watches && n < POLL_BATCH; i++)
            if (l->watches[i].fd >= 0 && l->watches[i].signalled) {
                pf[n] = (struct pollfd){.fd = l->watches[i].fd, .events = POLLIN};
                slot[n] = i;
                gen[n++] = l->watches[i].gen;
            }
        if (n == 0 || poll(pf, n, 0) < 0)
            continue; /* EINTR cannot come of a poll that does not wait */
        for (nfds_t k = 0; k < n; k++) {
            struct loop_watch *w = &l->watches[slot[k]];
            if (w->fd < 0 || w->gen != gen[k])
                continue; /* unwatched by a callback before it */
            short re = pf[k].revents;
            if (!has_input(re)) {
                if (rearm(w))
                    l->io_due = true; /* it came meanwhile: the next wait looks */
                continue;
            }
            quieten(w);
            l->io_due = true;
            struct loop_watch copy = *w; /* the table may move under fn */
            uint32_t ev = (re & POLLIN ? LOOP_IN : 0) | (re & POLLHUP ? LOOP_HUP : 0) |
                          (re & POLLERR ? LOOP_ERR : 0);
            l->callbacks++;
            copy.fn(copy.ctx, copy.fd, ev);
        }
    }
}

PODINIT_HOT int loop_wait(struct loop *l) {
    int rc = l->n_active == 0 ? wait_signal(l) : wait_epoll(l);
    l->relaying = false; /* it held for this wait only */
    if (rc >= 0 && l->io_due)
        look_at_signalled(l);
    return rc;
}
