/* tests/unit/test_probe.c — probe periods and thresholds with a fake
 * clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include "podinit/probe.h"

static const struct probe_timing k8s = {.initial_delay_ms = 0, .period_ms = 10000,
                                        .timeout_ms = 1000, .success_threshold = 1,
                                        .failure_threshold = 3};

static void first_check_after_the_initial_delay_then_every_period(void **state) {
    (void)state;
    struct probe_timing t = k8s;
    t.initial_delay_ms = 5000;
    struct probe_state st;
    probe_start(&st, &t, 1000);
    assert_int_equal(probe_next_wakeup(&st, &t), 6000);
    assert_false(probe_begin(&st, 5999));
    assert_true(probe_begin(&st, 6000));
    assert_false(probe_begin(&st, 6000)); /* one at a time */
    assert_int_equal(probe_next_wakeup(&st, &t), 7000); /* its timeout */
    probe_record(&st, &t, true, 6300);
    assert_int_equal(probe_next_wakeup(&st, &t), 16000); /* from the start of the check */
    assert_false(probe_begin(&st, 15999));
    assert_true(probe_begin(&st, 16000));
}

static void failure_threshold_failures_in_a_row_make_it_fail(void **state) {
    (void)state;
    struct probe_state st;
    probe_start(&st, &k8s, 0);
    int64_t now = 0;
    assert_true(probe_begin(&st, now));
    assert_int_equal(probe_record(&st, &k8s, true, now), PROBE_PASSING);
    for (int i = 0; i < 2; i++) {
        now += 10000;
        assert_true(probe_begin(&st, now));
        assert_int_equal(probe_record(&st, &k8s, false, now), PROBE_UNKNOWN); /* no change */
        assert_int_equal(st.result, PROBE_PASSING);
    }
    now += 10000;
    assert_true(probe_begin(&st, now));
    assert_int_equal(probe_record(&st, &k8s, false, now), PROBE_FAILING);
    /* one success brings it back (successThreshold 1) */
    now += 10000;
    assert_true(probe_begin(&st, now));
    assert_int_equal(probe_record(&st, &k8s, true, now), PROBE_PASSING);
}

static void a_success_resets_the_failure_count(void **state) {
    (void)state;
    struct probe_state st;
    probe_start(&st, &k8s, 0);
    bool results[] = {false, false, true, false, false};
    int64_t now = 0;
    for (size_t i = 0; i < sizeof results; i++, now += 10000) {
        assert_true(probe_begin(&st, now));
        probe_record(&st, &k8s, results[i], now);
        assert_int_not_equal(st.result, PROBE_FAILING);
    }
}

static void success_threshold_successes_in_a_row_make_it_pass(void **state) {
    (void)state;
    struct probe_timing t = k8s;
    t.success_threshold = 3;
    t.period_ms = 1000;
    struct probe_state st;
    probe_start(&st, &t, 0);
    bool results[] = {true, true, false, true, true};
    int64_t now = 0;
    for (size_t i = 0; i < sizeof results; i++, now += 1000) {
        assert_true(probe_begin(&st, now));
        assert_int_equal(probe_record(&st, &t, results[i], now), PROBE_UNKNOWN);
    }
    assert_true(probe_begin(&st, now));
    assert_int_equal(probe_record(&st, &t, true, now), PROBE_PASSING);
}

static void a_slow_check_is_followed_at_once_and_a_stopped_probe_ignores_results(void **state) {
    (void)state;
    struct probe_timing t = k8s;
    t.period_ms = 1000;
    t.timeout_ms = 5000;
    struct probe_state st;
    probe_start(&st, &t, 0);
    assert_true(probe_begin(&st, 0));
    probe_record(&st, &t, true, 3000); /* took longer than the period */
    assert_int_equal(probe_next_wakeup(&st, &t), 3000);
    assert_true(probe_begin(&st, 3000));
    probe_stop(&st);
    assert_int_equal(probe_record(&st, &t, false, 3100), PROBE_UNKNOWN);
    assert_int_equal(probe_next_wakeup(&st, &t), 0);
    assert_false(probe_begin(&st, 99999));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_check_after_the_initial_delay_then_every_period),
        cmocka_unit_test(failure_threshold_failures_in_a_row_make_it_fail),
        cmocka_unit_test(a_success_resets_the_failure_count),
        cmocka_unit_test(success_threshold_successes_in_a_row_make_it_pass),
        cmocka_unit_test(a_slow_check_is_followed_at_once_and_a_stopped_probe_ignores_results),
    };
    return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
