/* tests/unit/pod_fixture.h — the pod as the shell drives it, for the pod's
 * tests (test_pod.c, test_pod_order.c): a fake clock, every action
 * recorded in order, restarts and due starts carried out at once. */
#ifndef PODINIT_TEST_POD_FIXTURE_H
#define PODINIT_TEST_POD_FIXTURE_H

#include "podinit/pod.h"

#define EXITED(code) (((code)&0xff) << 8)
#define MAXP 6

struct fixture {
    struct pod pod;
    struct pod_process procs[MAXP];
    struct pod_item queue[POD_QUEUE_CAP(MAXP)];
    struct pod_action seen[256]; /* every action, in order */
    size_t n_seen;
    size_t launched[MAXP]; /* the processes the shell started, in order */
    size_t n_launched;
};

/* Take every action out, as the shell's loop does; a restart is started
 * at once (EV_STARTED posted back); then what the pod says is due to start
 * is started (EV_STARTED too), and what that leads to fed, until nothing
 * more is due. */
static inline void run(struct fixture *f, int64_t now) {
    struct pod_action out[POD_MAX_ACTIONS];
    size_t n, next;
    do {
        while ((n = pod_next(&f->pod, now, out, POD_MAX_ACTIONS)) > 0) {
            for (size_t i = 0; i < n; i++) {
                assert_true(f->n_seen < sizeof f->seen / sizeof f->seen[0]);
                f->seen[f->n_seen++] = out[i];
                if (out[i].kind == POD_ACT_PROCESS && out[i].act.kind == ACT_RESTART)
                    pod_post(&f->pod, out[i].proc, (struct lifecycle_event){.kind = EV_STARTED});
            }
        }
        while ((next = pod_next_start(&f->pod)) != POD_NONE) {
            assert_true(f->n_launched < MAXP);
            f->launched[f->n_launched++] = next;
            pod_launched(&f->pod, next);
            pod_post(&f->pod, next, (struct lifecycle_event){.kind = EV_STARTED});
        }
    } while (f->pod.len > 0);
}

/* n processes with cfgs, started at time 0 as far as the pod lets them. */
static inline void start(struct fixture *f, const struct lifecycle_config *cfgs, size_t n) {
    *f = (struct fixture){.n_seen = 0};
    pod_init(&f->pod, f->procs, cfgs, n, f->queue, POD_QUEUE_CAP(MAXP));
    run(f, 0);
    f->n_seen = 0;
}

static inline void start_same(struct fixture *f, struct lifecycle_config cfg, size_t n) {
    struct lifecycle_config cfgs[MAXP] = {cfg, cfg, cfg, cfg, cfg, cfg};
    start(f, cfgs, n);
}

/* A wake-up after reaping, as the shell ends each round. */
static inline void round_at(struct fixture *f, int64_t now, bool timer_due, bool none_left) {
    pod_end_round(&f->pod, timer_due, none_left);
    run(f, now);
}

static inline void reaped(struct fixture *f, size_t proc, int status, int64_t now, bool none_left) {
    pod_exited(&f->pod, proc, status);
    round_at(f, now, false, none_left);
}

static inline void stop_signal(struct fixture *f, int signo, int64_t now) {
    pod_stop_signal(&f->pod, signo);
    run(f, now);
}

/* Index in seen of the first action of process proc and kind (proc < 0:
 * any), from `from`; -1 when there is none. */
static inline int find_from(const struct fixture *f, int from, int proc, int kind) {
    for (size_t i = (size_t)from; i < f->n_seen; i++)
        if (f->seen[i].kind == POD_ACT_PROCESS && (int)f->seen[i].act.kind == kind &&
            (proc < 0 || (int)f->seen[i].proc == proc))
            return (int)i;
    return -1;
}

static inline int find(const struct fixture *f, int proc, int kind) {
    return find_from(f, 0, proc, kind);
}

static inline int count(const struct fixture *f, int proc, int kind) {
    int c = 0;
    for (int i = find(f, proc, kind); i >= 0; i = find_from(f, i + 1, proc, kind))
        c++;
    return c;
}

static inline int count_pod(const struct fixture *f, int kind) {
    int c = 0;
    for (size_t i = 0; i < f->n_seen; i++)
        c += (int)f->seen[i].kind == kind;
    return c;
}

#endif
