/* tests/unit/lifecycle_fixture.h — one lifecycle driven with a fake clock,
 * for the lifecycle's tests: events in, the last step's actions kept. */
#ifndef PODINIT_TEST_LIFECYCLE_FIXTURE_H
#define PODINIT_TEST_LIFECYCLE_FIXTURE_H

#include "podinit/lifecycle.h"

#define EXITED(code) (((code)&0xff) << 8)

struct run {
    struct lifecycle lc;
    struct lifecycle_action out[8];
    size_t n;
};

static inline void feed(struct run *r, int kind, int arg, int64_t now) {
    struct lifecycle_event ev = {.kind = kind, .signo = arg, .status = arg};
    r->n = lifecycle_step(&r->lc, &ev, now, r->out, 8);
}

static inline void hook_done(struct run *r, enum lifecycle_hook_id hook, bool ok, int64_t now) {
    struct lifecycle_event ev = {.kind = EV_HOOK_DONE, .hook = hook, .ok = ok};
    r->n = lifecycle_step(&r->lc, &ev, now, r->out, 8);
}

static inline void probe_result(struct run *r, unsigned probe, bool ok, int64_t now) {
    struct lifecycle_event ev = {.kind = EV_PROBE_RESULT, .probe = probe, .ok = ok};
    r->n = lifecycle_step(&r->lc, &ev, now, r->out, 8);
}

/* A lifecycle with cfg, its main process started at time 0. */
static inline void start_with(struct run *r, struct lifecycle_config cfg) {
    lifecycle_init(&r->lc, &cfg);
    feed(r, EV_STARTED, 0, 0);
}

/* The action of that kind in the last step, or NULL. */
static inline const struct lifecycle_action *find(const struct run *r, int kind) {
    for (size_t i = 0; i < r->n; i++)
        if ((int)r->out[i].kind == kind)
            return &r->out[i];
    return NULL;
}

#endif
