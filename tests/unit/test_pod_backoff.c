/* tests/unit/test_pod_backoff.c — backoffLimit across the pod, with a fake
 * clock: a process past its limit ends the container as a process that
 * stops on its own does (the others stopped at once, its last status the
 * exit code); the others are untouched while it is within its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>

#include "podinit/pod.h"

#define EXITED(code) (((code)&0xff) << 8)
#define MAXP 2

struct fixture {
    struct pod pod;
    struct pod_process procs[MAXP];
    struct pod_item queue[POD_QUEUE_CAP(MAXP)];
    int restarts_seen, limits_seen, signals_to_web;
};

/* Take every action out, as the shell's loop does; a restart is started
 * at once (EV_STARTED posted back). */
static void run(struct fixture *f, int64_t now) {
    struct pod_action out[POD_MAX_ACTIONS];
    size_t n;
    while ((n = pod_next(&f->pod, now, out, POD_MAX_ACTIONS)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (out[i].kind != POD_ACT_PROCESS)
                continue;
            if (out[i].act.kind == ACT_RESTART) {
                f->restarts_seen++;
                pod_post(&f->pod, out[i].proc, (struct lifecycle_event){.kind = EV_STARTED});
            }
            f->limits_seen += out[i].act.kind == ACT_BACKOFF_LIMIT;
            f->signals_to_web += out[i].act.kind == ACT_SIGNAL_APP && out[i].proc == 0;
        }
    }
}

static void round_at(struct fixture *f, int64_t now, bool timer_due, bool none_left) {
    pod_end_round(&f->pod, timer_due, none_left);
    run(f, now);
}

/* procs[0] "web" runs on (Never); procs[1] crashes, Always, backoffLimit 2. */
static void start(struct fixture *f) {
    struct lifecycle_config web = {.grace_ms = 10000};
    struct lifecycle_config crashy = {.grace_ms = 10000,
                                      .restart = LC_RESTART_ALWAYS,
                                      .backoff_initial_ms = 100,
                                      .backoff_max_ms = 1000,
                                      .backoff_reset_ms = 5000,
                                      .backoff_limit = 2};
    struct lifecycle_config cfgs[MAXP] = {web, crashy};
    *f = (struct fixture){.restarts_seen = 0};
    pod_init(&f->pod, f->procs, cfgs, MAXP, f->queue, POD_QUEUE_CAP(MAXP));
    for (size_t i = 0; i < MAXP; i++) /* both started, as the shell does */
        pod_launched(&f->pod, i);
    pod_post_all(&f->pod, (struct lifecycle_event){.kind = EV_STARTED});
    run(f, 0);
}

static void past_its_limit_a_process_ends_the_container(void **state) {
    (void)state;
    struct fixture f;
    start(&f);
    int64_t t = 0;
    for (int run_no = 1; run_no <= 2; run_no++) { /* runs 1 and 2: restarted */
        pod_exited(&f.pod, 1, EXITED(3));
        round_at(&f, t += 50, false, false);
        assert_false(f.pod.shutdown);
        assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
        round_at(&f, t = pod_next_deadline(&f.pod), true, false);
        assert_int_equal(f.procs[1].lc.state, LC_RUNNING);
    }
    assert_int_equal(f.restarts_seen, 2);
    assert_int_equal(f.signals_to_web, 0); /* web untouched so far */
    pod_exited(&f.pod, 1, EXITED(3));      /* run 3: the last */
    round_at(&f, t += 50, false, false);
    assert_int_equal(f.limits_seen, 1);
    assert_true(f.pod.shutdown);
    assert_int_equal(f.pod.cause, 1);
    assert_int_equal(f.signals_to_web, 1); /* stopped at once, no drain */
    assert_int_equal(f.procs[0].lc.state, LC_TERMINATING);
    assert_int_equal(pod_next_deadline(&f.pod), t + 10000); /* the grace from that exit */
    pod_exited(&f.pod, 0, SIGTERM);
    round_at(&f, t + 100, false, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(f.restarts_seen, 2); /* three runs in all */
    struct exit_code_remap none = {{0}};
    assert_int_equal(pod_exit_code(&f.pod, &none, 99), 3); /* the last run's status */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(past_its_limit_a_process_ends_the_container),
    };
    return cmocka_run_group_tests_name("pod_backoff", tests, NULL, NULL);
}
