/* tests/unit/test_loop.c — the reactor against real signals, pipes and the
 * clock: both ways of waiting (sigtimedwait with no fd watched, epoll over
 * a signalfd with fds), the deadline, and callbacks that change the watch
 * set under the loop. The signals are blocked, as podinit blocks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* after what it needs */
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "podinit/loop.h"

struct seen {
    int n;
    struct loop_signal sig[8];
};

static void on_signal(void *ctx, const struct loop_signal *sig) {
    struct seen *s = ctx;
    if (s->n < 8)
        s->sig[s->n] = *sig;
    s->n++;
}

struct call {
    int n, fd;
    uint32_t events;
    struct loop *l;
    int other;         /* an fd this callback unwatches, -1: none */
    int rewatch;       /* an fd it watches after that, -1: none */
    struct call *next; /* what that watch calls */
};

static void on_fd(void *ctx, int fd, uint32_t events) {
    struct call *c = ctx;
    c->n++;
    c->fd = fd;
    c->events = events;
    if (c->other >= 0)
        loop_unwatch(c->l, c->other);
    if (c->rewatch >= 0)
        assert_int_equal(loop_watch(c->l, c->rewatch, LOOP_IN, on_fd, c->next), 0);
}

static sigset_t usr_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGIO);         /* for the signalled watches */
    sigaddset(&set, SIGRTMIN + 1);  /* queued, not merged: for floods */
    return set;
}

static int setup(void **state) {
    static struct seen seen;
    static struct loop l;
    seen = (struct seen){0};
    sigset_t set = usr_signals();
    assert_int_equal(loop_init(&l, &set, on_signal, &seen), 0);
    state[0] = &l;
    return 0;
}

/* Nothing left pending for the next test. */
static int teardown(void **state) {
    struct loop *l = state[0];
    loop_close(l);
    sigset_t set = usr_signals();
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) > 0)
        ;
    return 0;
}

static struct seen *seen_of(struct loop *l) {
    return l->signal_ctx;
}

static void make_pipe(int p[2]) {
    assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
}

static void close_pipe(int p[2]) {
    close(p[0]);
    close(p[1]);
}

static void signal_without_fds_comes_with_code_and_sender(void **state) {
    struct loop *l = state[0];
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGUSR1);
    assert_int_equal(s->sig[0].code, SI_USER);
    assert_int_equal(s->sig[0].pid, getpid());
    assert_int_equal(l->epfd, -1); /* no epoll for signals alone */
    assert_int_equal(l->sigfd, -1);
}

static void signal_with_fds_comes_with_code_and_sender(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_true(l->epfd >= 0 && l->sigfd >= 0);
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGUSR2);
    assert_int_equal(s->sig[0].code, SI_USER);
    assert_int_equal(s->sig[0].pid, getpid());
    assert_int_equal(c.n, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* With fds, one wait takes every pending signal, before any callback. */
static struct loop *order_loop;
static void first_signals_then_fds(void *ctx, int fd, uint32_t events) {
    (void)fd;
    (void)events;
    *(int *)ctx = seen_of(order_loop)->n;
}

static void every_pending_signal_before_the_callbacks(void **state) {
    struct loop *l = state[0];
    order_loop = l;
    int p[2], signals_at_callback = -1;
    make_pipe(p);
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, first_signals_then_fds, &signals_at_callback), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(seen_of(l)->n, 2);
    assert_int_equal(signals_at_callback, 2);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

static void deadline_is_kept_never_early(struct loop *l) {
    int64_t at = loop_now_ms() + 30;
    loop_set_deadline(l, at);
    int rc;
    while ((rc = loop_wait(l)) == 0)
        ; /* only a spurious wake-up (none expected) would come back here */
    assert_int_equal(rc, 1);
    assert_true(loop_now_ms() >= at);
    assert_true(loop_now_ms() < at + 2000);
    assert_int_equal(seen_of(l)->n, 0);
}

static void deadline_without_fds(void **state) {
    struct loop *l = state[0];
    /* One wait, no early return. */
    int64_t at = loop_now_ms() + 30;
    loop_set_deadline(l, at);
    assert_int_equal(loop_wait(l), 1);
    assert_true(loop_now_ms() >= at);
    deadline_is_kept_never_early(l);
}

static void deadline_with_fds(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    int64_t at = loop_now_ms() + 30;
    loop_set_deadline(l, at);
    assert_int_equal(loop_wait(l), 1); /* rounded up: not a millisecond early */
    assert_true(loop_now_ms() >= at);
    deadline_is_kept_never_early(l);
    assert_int_equal(c.n, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* A deadline already past: due at once, and a pending signal still taken. */
static void past_deadline_is_due_at_once(void **state) {
    struct loop *l = state[0];
    loop_set_deadline(l, loop_now_ms() - 10);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(seen_of(l)->n, 1);
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(seen_of(l)->n, 2);
    loop_set_deadline(l, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

static void readable_pipe_calls_back(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.fd, p[0]);
    assert_true(c.events & LOOP_IN);
    assert_int_equal(l->n_active, 1);
    loop_unwatch(l, p[0]);
    assert_int_equal(l->n_active, 0);
    close_pipe(p);
}

static void callback_unwatches_its_own_fd(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call c = {.rewatch = -1, .l = l};
    c.other = p[0];
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(l->n_active, 0);
    /* Still readable, but no longer watched: the deadline ends the wait. */
    loop_set_deadline(l, loop_now_ms() + 20);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(c.n, 1);
    close_pipe(p);
}

/* Both readable; whichever is called first unwatches the other, whose
 * event, already read, must be dropped. */
static void callback_unwatches_another_fd(void **state) {
    struct loop *l = state[0];
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    struct call ca = {.other = b[0], .rewatch = -1, .l = l};
    struct call cb = {.other = a[0], .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, a[0], LOOP_IN, on_fd, &ca), 0);
    assert_int_equal(loop_watch(l, b[0], LOOP_IN, on_fd, &cb), 0);
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "x", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(ca.n + cb.n, 1);
    assert_int_equal(l->n_active, 1);
    loop_unwatch(l, a[0]);
    loop_unwatch(l, b[0]);
    close_pipe(a);
    close_pipe(b);
}

/* The freed slot is taken again in the same round, by a new fd: the old
 * event must not reach the new watch. */
static void event_for_a_reused_slot_is_dropped(void **state) {
    struct loop *l = state[0];
    int a[2], b[2], fresh[2];
    make_pipe(a);
    make_pipe(b);
    make_pipe(fresh); /* never readable */
    struct call cf = {.other = -1, .rewatch = -1, .l = l};
    struct call ca = {.other = b[0], .rewatch = fresh[0], .next = &cf, .l = l};
    struct call cb = {.other = a[0], .rewatch = fresh[0], .next = &cf, .l = l};
    assert_int_equal(loop_watch(l, a[0], LOOP_IN, on_fd, &ca), 0);
    assert_int_equal(loop_watch(l, b[0], LOOP_IN, on_fd, &cb), 0);
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "x", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(ca.n + cb.n, 1);
    assert_int_equal(cf.n, 0);
    assert_int_equal(l->n_watches, 2); /* the fresh fd took the freed slot */
    loop_unwatch(l, a[0]);
    loop_unwatch(l, b[0]);
    loop_unwatch(l, fresh[0]);
    close_pipe(a);
    close_pipe(b);
    close_pipe(fresh);
}

static void rewatch_changes_events_and_callback(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call in = {.other = -1, .rewatch = -1, .l = l};
    struct call out = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[1], LOOP_IN, on_fd, &in), 0); /* a write end: never */
    loop_set_deadline(l, loop_now_ms() + 20);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(in.n, 0);
    assert_int_equal(loop_watch(l, p[1], LOOP_OUT, on_fd, &out), 0);
    assert_int_equal(l->n_active, 1);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(in.n, 0);
    assert_int_equal(out.n, 1);
    assert_true(out.events & LOOP_OUT);
    loop_set_deadline(l, 0);
    loop_unwatch(l, p[1]);
    close_pipe(p);
}

#define MANY 100
static void many_watches_grow_the_table(void **state) {
    struct loop *l = state[0];
    static int p[MANY][2];
    static struct call c[MANY];
    for (int i = 0; i < MANY; i++) {
        make_pipe(p[i]);
        c[i] = (struct call){.other = -1, .rewatch = -1, .l = l};
        assert_int_equal(loop_watch(l, p[i][0], LOOP_IN, on_fd, &c[i]), 0);
    }
    assert_int_equal(l->n_active, MANY);
    assert_true(l->cap_watches >= MANY);
    assert_int_equal(write(p[77][1], "x", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(c[i].n, i == 77);
    assert_int_equal(c[77].fd, p[77][0]);
    for (int i = 0; i < MANY; i++) {
        loop_unwatch(l, p[i][0]);
        close_pipe(p[i]);
    }
    assert_int_equal(l->n_active, 0);
}

static void close_closes_only_its_own_fds(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    int epfd = l->epfd, sigfd = l->sigfd;
    assert_true(fcntl(epfd, F_GETFD) & FD_CLOEXEC);
    assert_true(fcntl(sigfd, F_GETFD) & FD_CLOEXEC);
    loop_close(l);
    assert_int_equal(fcntl(epfd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(fcntl(sigfd, F_GETFD), -1);
    assert_true(fcntl(p[0], F_GETFD) >= 0);
    assert_true(fcntl(p[1], F_GETFD) >= 0);
    assert_int_equal(l->epfd, -1);
    assert_int_equal(l->n_active, 0);
    close_pipe(p);
}

static void on_alarm(int signo) {
    (void)signo;
}

/* A signal outside the set, with a handler, interrupts the wait: not a
 * failure, not a signal of ours, and not the deadline. */
static void interrupted(struct loop *l) {
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = {.it_value = {.tv_usec = 30000}};
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    int64_t at = loop_now_ms() + 10000;
    loop_set_deadline(l, at);
    assert_int_equal(loop_wait(l), 0);
    assert_true(loop_now_ms() < at);
    assert_int_equal(seen_of(l)->n, 0);
    loop_set_deadline(l, 0);
}

static void eintr_is_not_a_failure(void **state) {
    struct loop *l = state[0];
    interrupted(l);
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    interrupted(l);
    assert_int_equal(c.n, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

static void bad_fds_are_refused(void **state) {
    struct loop *l = state[0];
    assert_int_equal(loop_watch(l, -1, LOOP_IN, on_fd, NULL), -EINVAL);
    int closed = 19999; /* below RLIMIT_NOFILE here, never opened */
    assert_int_equal(fcntl(closed, F_GETFD), -1);
    assert_int_equal(loop_watch(l, closed, LOOP_IN, on_fd, NULL), -EBADF);
    assert_int_equal(l->n_active, 0);
    loop_unwatch(l, closed); /* not watched: nothing happens */
    loop_unwatch(l, -1);
}

/* ---- signalled watches (signal-driven I/O) ------------------------------ */

/* Reads at most `per_call` bytes a call: a callback that leaves some. */
struct reader {
    int n;
    size_t per_call, got;
    uint32_t events;
};

static void read_some(void *ctx, int fd, uint32_t events) {
    struct reader *r = ctx;
    char buf[64];
    r->n++;
    r->events = events;
    ssize_t n = read(fd, buf, r->per_call < sizeof buf ? r->per_call : sizeof buf);
    if (n > 0)
        r->got += (size_t)n;
}

static int64_t elapsed_ms(int64_t since) {
    return loop_now_ms() - since;
}

/* A write raises SIGIO; the loop takes it in sigtimedwait (no epoll), does
 * not pass it on as a signal, and calls the reader back. */
static void signalled_pipe_wakes_the_loop_without_epoll(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 64};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_true(fcntl(p[0], F_GETFL) & O_ASYNC);
    struct f_owner_ex owner;
    assert_int_equal(fcntl(p[0], F_GETOWN_EX, &owner), 0);
    assert_int_equal(owner.type, F_OWNER_TID); /* the thread's, not the process's */
    assert_int_equal(owner.pid, gettid());
    assert_int_equal(loop_wait(l), 0); /* the first look, nothing there */
    assert_int_equal(r.n, 0);
    assert_int_equal(write(p[1], "abc", 3), 3);
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    assert_int_equal(sigismember(&pending, SIGIO), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.got, 3);
    assert_true(r.events & LOOP_IN);
    assert_int_equal(seen_of(l)->n, 0); /* the kernel's SIGIO is not the app's */
    assert_int_equal(l->epfd, -1);
    assert_int_equal(l->n_active, 0);
    /* idle again: the next wait sleeps to its deadline, no callback */
    assert_int_equal(loop_wait(l), 0); /* the look after the one that read */
    loop_set_deadline(l, loop_now_ms() + 50);
    int64_t t0 = loop_now_ms();
    assert_int_equal(loop_wait(l), 1);
    assert_true(elapsed_ms(t0) >= 50);
    assert_int_equal(r.n, 1);
    loop_set_deadline(l, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* A callback that reads only part is called again on the next waits, with
 * no new SIGIO, until the pipe is dry; none of those waits sleeps. */
static void input_left_behind_is_looked_at_again(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 1};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_int_equal(write(p[1], "abc", 3), 3);
    loop_set_deadline(l, loop_now_ms() + 10000);
    int64_t t0 = loop_now_ms();
    for (int i = 0; i < 3; i++)
        assert_int_equal(loop_wait(l), 0);
    assert_int_equal(r.got, 3);
    assert_int_equal(loop_wait(l), 0); /* dry: the look finds nothing */
    assert_int_equal(r.n, 3);
    assert_true(elapsed_ms(t0) < 5000); /* never slept to the deadline */
    loop_set_deadline(l, loop_now_ms() + 30);
    assert_int_equal(loop_wait(l), 1); /* and now it does */
    loop_set_deadline(l, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

static bool sigio_pending(void) {
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    return sigismember(&pending, SIGIO) == 1;
}

/* While a pipe has input its SIGIO is off (a flood would keep one pending
 * on the thread, taken before any signal sent to the process); found
 * empty, it is on again, and a signal sent meanwhile is taken first. */
static void a_pipe_with_input_raises_no_sigio_until_dry(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 1};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_int_equal(loop_wait(l), 0); /* the first look: nothing */
    assert_int_equal(write(p[1], "ab", 2), 2);
    assert_true(sigio_pending());
    assert_int_equal(loop_wait(l), 0); /* the SIGIO; read 1 of 2 */
    assert_int_equal(r.got, 1);
    assert_false(fcntl(p[0], F_GETFL) & O_ASYNC);
    assert_int_equal(write(p[1], "cd", 2), 2);
    assert_false(sigio_pending()); /* quiet while it has input */
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1); /* the signal came through the flood */
    assert_int_equal(s->sig[0].signo, SIGUSR1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(loop_wait(l), 0); /* the other 3 bytes, the dry look */
    assert_int_equal(r.got, 4);
    assert_true(fcntl(p[0], F_GETFL) & O_ASYNC); /* dry: SIGIO is back on */
    assert_int_equal(write(p[1], "e", 1), 1);
    assert_true(sigio_pending());
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(r.got, 5);
    assert_int_equal(loop_wait(l), 0); /* dry again */
    loop_unwatch(l, p[0]);
    assert_false(fcntl(p[0], F_GETFL) & O_ASYNC);
    close_pipe(p);
}

/* Input written before the watch raised no SIGIO: the first wait looks. */
static void input_before_the_watch_is_read(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    assert_int_equal(write(p[1], "early", 5), 5);
    struct reader r = {.per_call = 64};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    loop_set_deadline(l, loop_now_ms() + 10000);
    int64_t t0 = loop_now_ms();
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(r.got, 5);
    assert_true(elapsed_ms(t0) < 5000);
    loop_set_deadline(l, 0);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* A SIGIO sent with kill is the application's: passed on, with its sender
 * (and the fds looked at, since it may have taken the kernel's place). */
static void a_sigio_sent_with_kill_is_passed_on(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 64};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(kill(getpid(), SIGIO), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGIO);
    assert_int_equal(s->sig[0].code, SI_USER);
    assert_int_equal(s->sig[0].pid, getpid());
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* Found by review: the kernel's SIGIO pending when the user's comes must
 * not absorb it (the kernel's is the thread's, kill's the process's). */
static void a_sigio_sent_while_input_is_pending_is_not_lost(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 64};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(write(p[1], "x", 1), 1); /* the kernel's SIGIO, pending */
    assert_int_equal(kill(getpid(), SIGIO), 0);
    loop_set_deadline(l, loop_now_ms() + 100); /* the last wait: nothing left */
    for (int i = 0; i < 3; i++)
        assert_true(loop_wait(l) >= 0);
    loop_set_deadline(l, 0);
    assert_int_equal(r.got, 1);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGIO);
    assert_int_equal(s->sig[0].code, SI_USER);
    loop_unwatch(l, p[0]);
    close_pipe(p);
}

/* Beside an fd in epoll, the SIGIO comes through the signalfd: both
 * callbacks are called in one wait. */
static void signalled_and_epoll_watches_together(void **state) {
    struct loop *l = state[0];
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    struct reader r = {.per_call = 64};
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch_signalled(l, a[0], read_some, &r), 0);
    assert_int_equal(loop_watch(l, b[0], LOOP_IN, on_fd, &c), 0);
    assert_int_equal(loop_wait(l), 0); /* the first look */
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "y", 1), 1);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(r.got, 1);
    assert_int_equal(c.n, 1);
    assert_int_equal(seen_of(l)->n, 0);
    loop_unwatch(l, b[0]);
    loop_unwatch(l, a[0]);
    close_pipe(a);
    close_pipe(b);
}

/* Unwatched, the fd raises no SIGIO; each kind of watch refuses the other;
 * a loop that does not read SIGIO refuses signalled watches. */
static void signalled_watches_end_cleanly_and_refuse_mixing(void **state) {
    struct loop *l = state[0];
    int p[2];
    make_pipe(p);
    struct reader r = {.per_call = 64};
    struct call c = {.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0);
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), -EBUSY);
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), 0); /* again: fine */
    assert_int_equal(l->n_signalled, 1);
    loop_unwatch(l, p[0]);
    assert_int_equal(l->n_signalled, 0);
    assert_false(fcntl(p[0], F_GETFL) & O_ASYNC);
    assert_int_equal(write(p[1], "x", 1), 1);
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    assert_int_equal(sigismember(&pending, SIGIO), 0);
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_int_equal(loop_watch_signalled(l, p[0], read_some, &r), -EBUSY);
    loop_unwatch(l, p[0]);
    assert_int_equal(loop_watch_signalled(l, -1, read_some, &r), -EINVAL);
    struct loop other;
    sigset_t no_sigio;
    sigemptyset(&no_sigio);
    sigaddset(&no_sigio, SIGUSR1);
    assert_int_equal(loop_init(&other, &no_sigio, NULL, NULL), 0);
    assert_int_equal(loop_watch_signalled(&other, p[0], read_some, &r), -EINVAL);
    loop_close(&other);
    close_pipe(p);
}

/* ---- the relay ------------------------------------------------------------- */

/* A child that reports each usr signal it takes on a pipe (*rd). */
static pid_t receiver(int *rd) {
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves none behind */
        sigset_t set = usr_signals();
        for (;;) {
            unsigned char c = (unsigned char)sigwaitinfo(&set, NULL);
            if (write(p[1], &c, 1) != 1)
                _exit(1);
        }
    }
    close(p[1]);
    *rd = p[0];
    return pid;
}

/* The next signal the receiver reported, -1 after 5 s without one. */
static int received(int rd) {
    struct pollfd pf = {.fd = rd, .events = POLLIN};
    unsigned char c;
    if (poll(&pf, 1, 5000) != 1 || read(rd, &c, 1) != 1)
        return -1;
    return c;
}

static void end_receiver(pid_t pid, int rd) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(rd);
}

static uint64_t only(int signo) {
    return UINT64_C(1) << (signo - 1);
}

/* The relay with an fd watched: a pipe in the loop and a receiver. */
struct relay_rig {
    int p[2], rd;
    pid_t child;
    struct call c;
};

static void rig_up(struct loop *l, struct relay_rig *g) {
    make_pipe(g->p);
    g->c = (struct call){.other = -1, .rewatch = -1, .l = l};
    assert_int_equal(loop_watch(l, g->p[0], LOOP_IN, on_fd, &g->c), 0);
    g->child = receiver(&g->rd);
}

static void rig_down(struct loop *l, struct relay_rig *g) {
    end_receiver(g->child, g->rd);
    loop_unwatch(l, g->p[0]);
    close_pipe(g->p);
}

/* USR1 (taken first: the lowest) goes to the target inside the wait, which
 * then takes USR2 and returns with it; the relay held for that wait only. */
static void relayed_signal_goes_to_the_target_inside_the_wait(void **state) {
    struct loop *l = state[0];
    int rd;
    pid_t child = receiver(&rd);
    uint64_t usr1 = only(SIGUSR1);
    loop_relay(l, usr1, child, 0);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGUSR2);
    assert_int_equal(l->relayed, 1);
    assert_int_equal(received(rd), SIGUSR1);
    assert_int_equal(kill(getpid(), SIGUSR1), 0); /* no relay set: delivered */
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(s->n, 2);
    assert_int_equal(s->sig[1].signo, SIGUSR1);
    assert_int_equal(l->relayed, 1);
    end_receiver(child, rd);
}

/* With fds watched the signalfd's signals are relayed the same way. */
static void relay_with_fds(void **state) {
    struct loop *l = state[0];
    struct relay_rig g;
    rig_up(l, &g);
    uint64_t usr1 = only(SIGUSR1);
    loop_relay(l, usr1, g.child, 0);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->sig[0].signo, SIGUSR2);
    assert_int_equal(l->relayed, 1);
    assert_int_equal(received(g.rd), SIGUSR1);
    rig_down(l, &g);
}

/* A group that is gone (ESRCH): the pid instead. A target that is gone
 * with no pid to try: the signal is delivered, not lost. */
static void relay_falls_back_to_the_pid_then_to_delivery(void **state) {
    struct loop *l = state[0];
    int rd;
    pid_t child = receiver(&rd); /* in our group: no group of its own */
    uint64_t usr1 = only(SIGUSR1);
    loop_relay(l, usr1, -child, child);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(l->relayed, 1);
    assert_int_equal(received(rd), SIGUSR1);
    end_receiver(child, rd); /* reaped: its pid is nobody's */
    loop_relay(l, usr1, -child, 0);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 0);
    struct seen *s = seen_of(l);
    assert_int_equal(s->n, 2);
    assert_int_equal(s->sig[1].signo, SIGUSR1);
    assert_int_equal(l->relayed, 1);
}

/* With an fd watched, a wait reads one batch of the signalfd (16), relays
 * it, then calls back the ready fds: a flood of relayed signals does not
 * hold back the fds; the next wait takes the rest. */
static void a_flood_of_relayed_signals_does_not_hold_back_the_fds(void **state) {
    struct loop *l = state[0];
    struct relay_rig g;
    rig_up(l, &g);
    int rt = SIGRTMIN + 1;
    for (int i = 0; i < 20; i++)
        assert_int_equal(sigqueue(getpid(), rt, (union sigval){.sival_int = i}), 0);
    assert_int_equal(write(g.p[1], "x", 1), 1);
    loop_relay(l, only(rt), g.child, 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(l->relayed, 16);
    assert_int_equal(g.c.n, 1); /* in the same wait */
    loop_relay(l, only(rt), g.child, 0);
    assert_int_equal(loop_wait(l), 0);
    assert_int_equal(l->relayed, 20);
    assert_int_equal(seen_of(l)->n, 0); /* none delivered, none lost */
    for (int i = 0; i < 20; i++)
        assert_int_equal(received(g.rd), rt);
    rig_down(l, &g);
}

/* Past the deadline, a wait that relayed a signal says the timers are due. */
static void relay_past_the_deadline_returns_due(void **state) {
    struct loop *l = state[0];
    int rd;
    pid_t child = receiver(&rd);
    uint64_t usr1 = only(SIGUSR1);
    loop_set_deadline(l, loop_now_ms() - 1);
    loop_relay(l, usr1, child, 0);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(loop_wait(l), 1);
    assert_int_equal(seen_of(l)->n, 0);
    assert_int_equal(l->relayed, 1);
    assert_int_equal(received(rd), SIGUSR1);
    end_receiver(child, rd);
}

/* A loop that reads no signals spares the signalfd. */
static void no_signals_no_signalfd(void **state) {
    (void)state;
    struct loop l;
    sigset_t none;
    sigemptyset(&none);
    assert_int_equal(loop_init(&l, &none, NULL, NULL), 0);
    int p[2];
    make_pipe(p);
    struct call c = {.other = -1, .rewatch = -1, .l = &l};
    assert_int_equal(loop_watch(&l, p[0], LOOP_IN, on_fd, &c), 0);
    assert_true(l.epfd >= 0);
    assert_int_equal(l.sigfd, -1);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(loop_wait(&l), 0);
    assert_int_equal(c.n, 1);
    loop_unwatch(&l, p[0]);
    loop_close(&l);
    close_pipe(p);
}

int main(void) {
    sigset_t set = usr_signals();
    sigprocmask(SIG_BLOCK, &set, NULL);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(signal_without_fds_comes_with_code_and_sender),
        T(signal_with_fds_comes_with_code_and_sender),
        T(every_pending_signal_before_the_callbacks),
        T(deadline_without_fds),
        T(deadline_with_fds),
        T(past_deadline_is_due_at_once),
        T(readable_pipe_calls_back),
        T(callback_unwatches_its_own_fd),
        T(callback_unwatches_another_fd),
        T(event_for_a_reused_slot_is_dropped),
        T(rewatch_changes_events_and_callback),
        T(many_watches_grow_the_table),
        T(close_closes_only_its_own_fds),
        T(eintr_is_not_a_failure),
        T(bad_fds_are_refused),
        T(signalled_pipe_wakes_the_loop_without_epoll),
        T(input_left_behind_is_looked_at_again),
        T(a_pipe_with_input_raises_no_sigio_until_dry),
        T(input_before_the_watch_is_read),
        T(a_sigio_sent_with_kill_is_passed_on),
        T(a_sigio_sent_while_input_is_pending_is_not_lost),
        T(signalled_and_epoll_watches_together),
        T(signalled_watches_end_cleanly_and_refuse_mixing),
        T(relayed_signal_goes_to_the_target_inside_the_wait),
        T(relay_with_fds),
        T(relay_falls_back_to_the_pid_then_to_delivery),
        T(relay_past_the_deadline_returns_due),
        T(a_flood_of_relayed_signals_does_not_hold_back_the_fds),
        cmocka_unit_test(no_signals_no_signalfd),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
