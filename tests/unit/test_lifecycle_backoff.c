/* tests/unit/test_lifecycle_backoff.c — backoffLimit with a fake clock:
 * after that many restarts in a row the next exit is final and ends the
 * container with its status; a long run starts the count over; 0 is no
 * limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>

#include "lifecycle_fixture.h"

/* A lifecycle under policy with backoffLimit limit (1 s doubling to 300 s,
 * reset after 600 s), its process started at time 0. */
static void start(struct run *r, enum lifecycle_restart policy, int limit) {
    lifecycle_init(&r->lc, &(struct lifecycle_config){.grace_ms = 30000,
                                                      .restart = policy,
                                                      .backoff_initial_ms = 1000,
                                                      .backoff_max_ms = 300000,
                                                      .backoff_reset_ms = 600000,
                                                      .backoff_limit = limit});
    feed(r, EV_STARTED, 0, 0);
}

/* The process exits with status at now and is restarted after its
 * back-off; returns when the new run started. */
static int64_t restarted(struct run *r, int status, int64_t now) {
    feed(r, EV_MAIN_EXITED, status, now);
    assert_null(find(r, ACT_BACKOFF_LIMIT));
    assert_int_equal(r->lc.state, LC_BACKOFF);
    int64_t at = now + find(r, ACT_BACKOFF)->delay_ms;
    feed(r, EV_TIMER, 0, at);
    assert_non_null(find(r, ACT_RESTART));
    feed(r, EV_STARTED, 0, at);
    assert_int_equal(r->lc.state, LC_RUNNING);
    return at;
}

/* The process exits with status at now and that is final: the container
 * stops (no restart), and exits with that status once all is gone. */
static void gives_up(struct run *r, int status, int64_t now) {
    feed(r, EV_MAIN_EXITED, status, now);
    assert_non_null(find(r, ACT_BACKOFF_LIMIT));
    assert_null(find(r, ACT_BACKOFF));
    assert_int_equal(r->lc.state, LC_TERMINATING); /* what the pod reads as "ends the container" */
    assert_int_equal(lifecycle_next_deadline(&r->lc), now + 30000); /* the grace from now */
    feed(r, EV_TIMER, 0, now + 1000); /* its restart time passes: nothing */
    assert_null(find(r, ACT_RESTART));
    feed(r, EV_ALL_EXITED, 0, now + 1000);
    assert_int_equal(r->lc.state, LC_EXITED);
    assert_int_equal(find(r, ACT_EXIT)->exit_status, status);
}

static void always_gives_up_after_the_limit(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 2);
    int64_t t = restarted(&r, EXITED(3), 100); /* run 1 */
    t = restarted(&r, EXITED(3), t + 100);     /* run 2 */
    gives_up(&r, EXITED(3), t + 100);          /* run 3: three in all */
    assert_int_equal(r.lc.restarts, 2);
    assert_int_equal(r.lc.crashes, 2);
}

static void the_status_is_the_last_runs(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 2);
    int64_t t = restarted(&r, EXITED(1), 100);
    t = restarted(&r, SIGSEGV, t + 100); /* killed by a signal counts as a run too */
    gives_up(&r, EXITED(0), t + 100);    /* Always: even a clean exit, with its status 0 */
    start(&r, LC_RESTART_ALWAYS, 1);
    t = restarted(&r, EXITED(4), 100);
    gives_up(&r, SIGKILL, t + 100);
}

static void on_failure_counts_failures(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ON_FAILURE, 2);
    int64_t t = restarted(&r, EXITED(3), 100);
    t = restarted(&r, EXITED(7), t + 100);
    gives_up(&r, EXITED(9), t + 100);
    /* a success before the limit ends the container as it always does */
    start(&r, LC_RESTART_ON_FAILURE, 2);
    t = restarted(&r, EXITED(3), 100);
    feed(&r, EV_MAIN_EXITED, EXITED(0), t + 100);
    assert_null(find(&r, ACT_BACKOFF_LIMIT));
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_ALL_EXITED, 0, t + 100);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(0));
}

static void a_long_run_starts_the_count_over(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 2);
    int64_t t = restarted(&r, EXITED(3), 100);
    t = restarted(&r, EXITED(3), t + 100);
    /* this run lasted resetAfterSeconds: a first restart again, 1 s */
    feed(&r, EV_MAIN_EXITED, EXITED(3), t + 600000);
    assert_null(find(&r, ACT_BACKOFF_LIMIT));
    assert_int_equal(find(&r, ACT_BACKOFF)->delay_ms, 1000);
    feed(&r, EV_TIMER, 0, t + 601000);
    feed(&r, EV_STARTED, 0, t + 601000);
    t = restarted(&r, EXITED(3), t + 601100); /* two in a row since the long run */
    gives_up(&r, EXITED(3), t + 100);
    assert_int_equal(r.lc.restarts, 4);
    /* just short of the reset time is still in a row */
    start(&r, LC_RESTART_ALWAYS, 1);
    t = restarted(&r, EXITED(3), 100);
    gives_up(&r, EXITED(3), t + 599999);
}

static void zero_is_no_limit(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 0);
    int64_t t = 0;
    for (int i = 0; i < 100; i++)
        t = restarted(&r, EXITED(3), t + 100);
    assert_int_equal(r.lc.restarts, 100);
}

/* A restart whose start fails (no EV_STARTED: the exec error is posted as
 * its exit) is a short run, however long its back-off was. */
static void a_start_that_fails_counts_as_a_short_run(void **state) {
    (void)state;
    struct run r;
    lifecycle_init(&r.lc, &(struct lifecycle_config){.grace_ms = 30000,
                                                     .restart = LC_RESTART_ALWAYS,
                                                     .backoff_initial_ms = 1000,
                                                     .backoff_max_ms = 300000,
                                                     .backoff_reset_ms = 3000,
                                                     .backoff_limit = 3});
    feed(&r, EV_STARTED, 0, 0);
    int64_t t = 100;
    for (int i = 0; i < 3; i++) {
        feed(&r, EV_MAIN_EXITED, EXITED(127), t);
        assert_int_equal(r.lc.state, LC_BACKOFF);
        t += find(&r, ACT_BACKOFF)->delay_ms; /* 1, 2, 4 s: the last outlasts the reset */
        feed(&r, EV_TIMER, 0, t);
        assert_non_null(find(&r, ACT_RESTART));
    }
    feed(&r, EV_MAIN_EXITED, EXITED(127), t); /* at once, as process.c posts it */
    assert_non_null(find(&r, ACT_BACKOFF_LIMIT));
}

/* A restart for a failed liveness probe counts as one. */
static void liveness_restarts_count(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 1);
    struct lifecycle_event fail = {.kind = EV_PROBE_RESULT, .probe = LC_PROBE_LIVENESS};
    r.n = lifecycle_step(&r.lc, &fail, 1000, r.out, 8);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    feed(&r, EV_MAIN_EXITED, SIGTERM, 1100);
    assert_int_equal(r.lc.state, LC_BACKOFF);
    feed(&r, EV_TIMER, 0, 2100);
    feed(&r, EV_STARTED, 0, 2100);
    r.n = lifecycle_step(&r.lc, &fail, 3000, r.out, 8);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    gives_up(&r, SIGTERM, 3100);
}

/* A stop signal during the last run is a shutdown as before: no give-up. */
static void a_shutdown_is_not_a_give_up(void **state) {
    (void)state;
    struct run r;
    start(&r, LC_RESTART_ALWAYS, 1);
    int64_t t = restarted(&r, EXITED(3), 100);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, t + 100);
    feed(&r, EV_MAIN_EXITED, EXITED(0), t + 200);
    assert_null(find(&r, ACT_BACKOFF_LIMIT));
    feed(&r, EV_ALL_EXITED, 0, t + 200);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(always_gives_up_after_the_limit),
        cmocka_unit_test(the_status_is_the_last_runs),
        cmocka_unit_test(on_failure_counts_failures),
        cmocka_unit_test(a_long_run_starts_the_count_over),
        cmocka_unit_test(zero_is_no_limit),
        cmocka_unit_test(a_start_that_fails_counts_as_a_short_run),
        cmocka_unit_test(liveness_restarts_count),
        cmocka_unit_test(a_shutdown_is_not_a_give_up),
    };
    return cmocka_run_group_tests_name("lifecycle_backoff", tests, NULL, NULL);
}
