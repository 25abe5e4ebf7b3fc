/* tests/unit/test_lifecycle.c — every timing rule of the shutdown, with a
 * fake clock: fast, exact, no sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>

#include "podinit/lifecycle.h"

#define EXITED(code) (((code) & 0xff) << 8)

struct run {
    struct lifecycle lc;
    struct lifecycle_action out[8];
    size_t n;
};

static void start(struct run *r, int64_t delay_ms, int64_t grace_ms, int stop_signal) {
    lifecycle_init(&r->lc, &(struct lifecycle_config){
                               .prestop_delay_ms = delay_ms, .grace_ms = grace_ms,
                               .stop_signal = stop_signal});
    r->n = 0;
}

static void feed(struct run *r, int kind, int arg, int64_t now) {
    struct lifecycle_event ev = {.kind = kind, .signo = arg, .status = arg};
    r->n = lifecycle_step(&r->lc, &ev, now, r->out, 8);
}

/* The action of that kind, or NULL. */
static const struct lifecycle_action *find(const struct run *r, int kind) {
    for (size_t i = 0; i < r->n; i++)
        if ((int)r->out[i].kind == kind)
            return &r->out[i];
    return NULL;
}

static void drain_keeps_the_app_untouched_until_the_delay_ends(void **state) {
    (void)state;
    struct run r;
    start(&r, 2000, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 1000);
    assert_int_equal(r.lc.state, LC_DRAINING);
    assert_non_null(find(&r, ACT_SET_READY));
    assert_int_equal(find(&r, ACT_SET_READY)->value, 0); /* readiness off at once */
    assert_null(find(&r, ACT_SIGNAL_APP));                /* the app keeps serving */
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 3000);
    feed(&r, EV_TIMER, 0, 2999); /* early wake-up: nothing */
    assert_int_equal(r.n, 0);
    feed(&r, EV_TIMER, 0, 3000);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    /* the grace counts from the stop signal, not from the end of the drain */
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 31000);
}

static void no_delay_signals_the_app_at_once(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGINT, 5);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGINT); /* the signal received */
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 30005);
}

static void configured_stop_signal_replaces_the_received_one(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 10000, SIGQUIT);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGQUIT);
}

static void second_stop_signal_skips_the_rest_of_the_drain(void **state) {
    (void)state;
    struct run r;
    start(&r, 5000, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 1000);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 30000); /* same deadline */
    /* the drain timer firing later changes nothing */
    feed(&r, EV_TIMER, 0, 5000);
    assert_int_equal(r.n, 0);
}

static void stop_signal_while_terminating_is_forwarded_again(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_STOP_SIGNAL, SIGINT, 100);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGINT);
    assert_null(find(&r, ACT_KILL_ALL));
}

static void grace_deadline_kills_everything_left(void **state) {
    (void)state;
    struct run r;
    start(&r, 1000, 5000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_TIMER, 0, 1000);
    feed(&r, EV_TIMER, 0, 4999);
    assert_null(find(&r, ACT_KILL_ALL));
    feed(&r, EV_TIMER, 0, 5000);
    assert_int_equal(r.lc.state, LC_KILLING);
    assert_int_equal(find(&r, ACT_KILL_ALL)->signo, SIGKILL);
    /* then podinit exits with the main process's status once all are gone */
    feed(&r, EV_MAIN_EXITED, SIGKILL, 5001); /* wait status of death by SIGKILL */
    feed(&r, EV_ALL_EXITED, 0, 5002);
    assert_int_equal(r.lc.state, LC_EXITED);
    assert_int_equal(find(&r, ACT_EXIT)->value, 9);
}

static void drain_longer_than_grace_ends_in_sigkill_at_the_deadline(void **state) {
    (void)state;
    struct run r;
    start(&r, 60000, 10000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 10000);
    feed(&r, EV_TIMER, 0, 10000);
    assert_int_equal(r.lc.state, LC_KILLING);
    assert_null(find(&r, ACT_SIGNAL_APP));
    assert_non_null(find(&r, ACT_KILL_ALL));
}

static void main_exit_on_its_own_stops_the_rest_with_grace_and_no_drain(void **state) {
    (void)state;
    struct run r;
    start(&r, 5000, 20000, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(3), 100);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(find(&r, ACT_ARM_TIMER)->at_ms, 20100);
    feed(&r, EV_ALL_EXITED, 0, 150);
    assert_int_equal(r.lc.state, LC_EXITED);
    assert_int_equal(find(&r, ACT_EXIT)->value, EXITED(3));
}

static void leftovers_that_ignore_the_signal_are_killed_at_the_deadline(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 2000, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 0);
    feed(&r, EV_TIMER, 0, 2000);
    assert_non_null(find(&r, ACT_KILL_ALL));
    feed(&r, EV_ALL_EXITED, 0, 2001);
    assert_int_equal(find(&r, ACT_EXIT)->value, EXITED(0));
}

static void main_exit_during_drain_ends_the_drain(void **state) {
    (void)state;
    struct run r;
    start(&r, 5000, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 1000);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_non_null(find(&r, ACT_SIGNAL_APP)); /* the rest of the group */
}

static void no_exit_before_the_main_process_is_gone(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    feed(&r, EV_ALL_EXITED, 0, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.lc.state, LC_RUNNING);
}

static void nothing_happens_twice_after_exit(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 1000, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(1), 0);
    feed(&r, EV_ALL_EXITED, 0, 1);
    feed(&r, EV_ALL_EXITED, 0, 2);
    assert_int_equal(r.n, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 3);
    assert_int_equal(r.n, 0);
    feed(&r, EV_TIMER, 0, 5000);
    assert_int_equal(r.n, 0);
}

static void actions_never_overflow_the_buffer(void **state) {
    (void)state;
    struct lifecycle lc;
    struct lifecycle_action one[1];
    lifecycle_init(&lc, &(struct lifecycle_config){.grace_ms = 1000});
    struct lifecycle_event ev = {.kind = EV_STOP_SIGNAL, .signo = SIGTERM};
    assert_int_equal(lifecycle_step(&lc, &ev, 0, one, 1), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drain_keeps_the_app_untouched_until_the_delay_ends),
        cmocka_unit_test(no_delay_signals_the_app_at_once),
        cmocka_unit_test(configured_stop_signal_replaces_the_received_one),
        cmocka_unit_test(second_stop_signal_skips_the_rest_of_the_drain),
        cmocka_unit_test(stop_signal_while_terminating_is_forwarded_again),
        cmocka_unit_test(grace_deadline_kills_everything_left),
        cmocka_unit_test(drain_longer_than_grace_ends_in_sigkill_at_the_deadline),
        cmocka_unit_test(main_exit_on_its_own_stops_the_rest_with_grace_and_no_drain),
        cmocka_unit_test(leftovers_that_ignore_the_signal_are_killed_at_the_deadline),
        cmocka_unit_test(main_exit_during_drain_ends_the_drain),
        cmocka_unit_test(no_exit_before_the_main_process_is_gone),
        cmocka_unit_test(nothing_happens_twice_after_exit),
        cmocka_unit_test(actions_never_overflow_the_buffer),
    };
    return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
