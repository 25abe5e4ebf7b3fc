/* tests/unit/test_lifecycle.c — every timing rule of the shutdown, with a
 * fake clock: fast, exact, no sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>

#include "lifecycle_fixture.h"

static void start(struct run *r, int64_t delay_ms, int64_t grace_ms, int stop_signal) {
    start_with(r, (struct lifecycle_config){.prestop_delay_ms = delay_ms,
                                            .grace_ms = grace_ms,
                                            .stop_signal = stop_signal});
}

static const struct lifecycle_hook job = {LC_HOOK_JOB, 0};

static void drain_keeps_the_app_untouched_until_the_delay_ends(void **state) {
    (void)state;
    struct run r;
    start(&r, 2000, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 1000);
    assert_int_equal(r.lc.state, LC_DRAINING);
    assert_non_null(find(&r, ACT_SET_READY));
    assert_int_equal(find(&r, ACT_SET_READY)->ready, 0); /* readiness off at once */
    assert_null(find(&r, ACT_SIGNAL_APP));               /* the app keeps serving */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000);
    feed(&r, EV_TIMER, 0, 2999); /* early wake-up: nothing */
    assert_int_equal(r.n, 0);
    feed(&r, EV_TIMER, 0, 3000);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    /* the grace counts from the stop signal, not from the end of the drain */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);
}

static void no_delay_signals_the_app_at_once(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGINT, 5);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGINT); /* the signal received */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30005);
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
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30000); /* same deadline */
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
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, 9);
}

static void drain_longer_than_grace_ends_in_sigkill_at_the_deadline(void **state) {
    (void)state;
    struct run r;
    start(&r, 60000, 10000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 10000);
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
    assert_int_equal(lifecycle_next_deadline(&r.lc), 20100);
    feed(&r, EV_ALL_EXITED, 0, 150);
    assert_int_equal(r.lc.state, LC_EXITED);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(3));
}

static void leftovers_that_ignore_the_signal_are_killed_at_the_deadline(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 2000, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 0);
    feed(&r, EV_TIMER, 0, 2000);
    assert_non_null(find(&r, ACT_KILL_ALL));
    feed(&r, EV_ALL_EXITED, 0, 2001);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(0));
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

/* The index of the first action of that kind, or -1: to assert orders. */
static int position(const struct run *r, int kind) {
    for (size_t i = 0; i < r->n; i++)
        if ((int)r->out[i].kind == kind)
            return (int)i;
    return -1;
}

static void post_start_runs_before_the_app_counts_as_ready(void **state) {
    (void)state;
    struct run r;
    start_with(&r,
               (struct lifecycle_config){.grace_ms = 30000, .post_start = {LC_HOOK_JOB, 30000}});
    assert_int_equal(r.lc.state, LC_STARTING);
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_POST_START);
    assert_null(find(&r, ACT_SET_READY));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30000); /* its time limit */
    hook_done(&r, LC_HOOK_POST_START, true, 400);
    assert_int_equal(r.lc.state, LC_RUNNING);
    assert_int_equal(find(&r, ACT_SET_READY)->ready, 1);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 0); /* idle: no wake-up at 30 s */
}

static void without_post_start_the_app_is_ready_at_once(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    assert_int_equal(r.lc.state, LC_RUNNING);
    assert_int_equal(find(&r, ACT_SET_READY)->ready, 1);
}

static void post_start_failure_stops_the_app_and_names_the_hook_at_exit(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 5000,
                                             .prestop_delay_ms = 2000,
                                             .pre_stop = job,
                                             .post_start = {LC_HOOK_JOB, 30000}});
    hook_done(&r, LC_HOOK_POST_START, false, 100);
    /* no drain, no preStop: the app is stopped at once, grace from now */
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_null(find(&r, ACT_RUN_HOOK));
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 5100);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 200);
    feed(&r, EV_ALL_EXITED, 0, 200);
    assert_int_equal(find(&r, ACT_EXIT)->hook, LC_HOOK_POST_START);
}

static void post_start_timeout_is_a_failure_and_the_hook_is_killed(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .post_start = {LC_HOOK_JOB, 2000}});
    feed(&r, EV_TIMER, 0, 1999);
    assert_int_equal(r.n, 0);
    feed(&r, EV_TIMER, 0, 2000);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->hook, LC_HOOK_POST_START);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->timed_out, 1); /* timed out */
    assert_true(position(&r, ACT_CANCEL_HOOK) < position(&r, ACT_SIGNAL_APP));
    assert_int_equal(r.lc.end, LC_END_POST_START);
    hook_done(&r, LC_HOOK_POST_START, true, 2001); /* too late: ignored */
    assert_int_equal(r.n, 0);
    assert_int_equal(r.lc.state, LC_TERMINATING);
}

static void post_start_sleep_delays_readiness(void **state) {
    (void)state;
    struct run r;
    start_with(&r,
               (struct lifecycle_config){.grace_ms = 30000, .post_start = {LC_HOOK_SLEEP, 1500}});
    assert_null(find(&r, ACT_RUN_HOOK));
    assert_int_equal(find(&r, ACT_SLEEP_HOOK)->hook, LC_HOOK_POST_START); /* for the log */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 1500);
    feed(&r, EV_TIMER, 0, 1500);
    assert_int_equal(r.lc.state, LC_RUNNING);
    assert_int_equal(find(&r, ACT_SET_READY)->ready, 1);
}

static void stop_signal_during_post_start_kills_it_and_shuts_down(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000,
                                             .prestop_delay_ms = 1000,
                                             .post_start = {LC_HOOK_JOB, 30000}});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 500);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->hook, LC_HOOK_POST_START);
    assert_int_equal(r.lc.state, LC_DRAINING);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 1500);
    assert_int_equal(r.lc.end == LC_END_POST_START, false); /* not a failure: exit as the app does */
}

static void pre_stop_runs_after_the_drain_and_before_the_stop_signal(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){
                       .grace_ms = 30000, .prestop_delay_ms = 1000, .pre_stop = job});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    assert_null(find(&r, ACT_RUN_HOOK)); /* the drain comes first */
    feed(&r, EV_TIMER, 0, 1000);
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_PRE_STOP);
    assert_null(find(&r, ACT_SIGNAL_APP));                   /* the app still serves */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30000); /* cut off at the deadline */
    feed(&r, EV_TIMER, 0, 1200);                             /* a stray wake-up changes nothing */
    assert_int_equal(r.n, 0);
    hook_done(&r, LC_HOOK_PRE_STOP, true, 1700);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30000); /* grace from the first signal */
}

static void failing_pre_stop_is_reported_and_shutdown_goes_on(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .pre_stop = job});
    feed(&r, EV_STOP_SIGNAL, SIGINT, 0);
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_PRE_STOP);
    hook_done(&r, LC_HOOK_PRE_STOP, false, 10);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGINT);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 20);
    feed(&r, EV_ALL_EXITED, 0, 20);
    assert_int_equal(find(&r, ACT_EXIT)->hook, LC_HOOK_NONE); /* not podinit's failure */
}

static void pre_stop_longer_than_the_grace_is_cut_off(void **state) {
    (void)state;
    struct run r;
    start_with(
        &r, (struct lifecycle_config){.grace_ms = 5000, .prestop_delay_ms = 1000, .pre_stop = job});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_TIMER, 0, 1000);
    feed(&r, EV_TIMER, 0, 5000);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->hook, LC_HOOK_PRE_STOP);
    assert_non_null(find(&r, ACT_KILL_ALL));
    assert_int_equal(r.lc.state, LC_KILLING);
}

static void pre_stop_with_its_own_timeout_gives_up_before_the_deadline(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .pre_stop = {LC_HOOK_JOB, 3000}});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000);
    feed(&r, EV_TIMER, 0, 3000);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->timed_out, 1);
    assert_true(position(&r, ACT_CANCEL_HOOK) < position(&r, ACT_SIGNAL_APP));
    assert_null(find(&r, ACT_KILL_ALL));
}

static void pre_stop_sleep_adds_to_the_drain(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000,
                                             .prestop_delay_ms = 1000,
                                             .pre_stop = {LC_HOOK_SLEEP, 2000}});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_TIMER, 0, 1000);
    assert_null(find(&r, ACT_SIGNAL_APP));
    assert_null(find(&r, ACT_RUN_HOOK)); /* a sleep is timed here, nothing runs */
    assert_int_equal(find(&r, ACT_SLEEP_HOOK)->hook, LC_HOOK_PRE_STOP); /* for the log */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000);
    feed(&r, EV_TIMER, 0, 3000);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
}

static void second_stop_signal_during_pre_stop_kills_the_hook(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .pre_stop = job});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 100);
    assert_int_equal(find(&r, ACT_CANCEL_HOOK)->timed_out, 0);
    assert_true(position(&r, ACT_CANCEL_HOOK) < position(&r, ACT_SIGNAL_APP));
    assert_int_equal(r.lc.state, LC_TERMINATING);
}

static void main_exit_during_pre_stop_ends_it(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .pre_stop = job});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(3), 100);
    assert_non_null(find(&r, ACT_CANCEL_HOOK));
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_ALL_EXITED, 0, 150);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(3));
}

static void exit_status_is_the_main_process_status(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 30000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_MAIN_EXITED, SIGTERM, 10); /* killed by SIGTERM: wait status 15 */
    assert_null(find(&r, ACT_EXIT));       /* others may be left */
    feed(&r, EV_ALL_EXITED, 0, 20);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, SIGTERM);
    assert_int_equal(find(&r, ACT_EXIT)->hook, LC_HOOK_NONE);
}

static void liveness_failure_stops_the_process_without_a_drain(void **state) {
    (void)state;
    struct run r;
    start(&r, 5000, 30000, SIGQUIT);
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_int_equal(find(&r, ACT_SET_READY)->ready, 0);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGQUIT); /* its stop signal */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);    /* grace from now */
    probe_result(&r, LC_PROBE_LIVENESS, false, 2000);           /* once is enough */
    assert_int_equal(r.n, 0);
    feed(&r, EV_MAIN_EXITED, SIGQUIT, 2500);
    feed(&r, EV_ALL_EXITED, 0, 2500);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, SIGQUIT); /* the process's status */
}

static struct lifecycle_config restarting(enum lifecycle_restart policy) {
    return (struct lifecycle_config){.grace_ms = 30000,
                                     .restart = policy,
                                     .backoff_initial_ms = 1000,
                                     .backoff_max_ms = 300000,
                                     .backoff_reset_ms = 600000};
}

/* The process exits with status at now; returns the restart delay. */
static int64_t crash(struct run *r, int status, int64_t now) {
    feed(r, EV_MAIN_EXITED, status, now);
    assert_int_equal(r->lc.state, LC_BACKOFF);
    int64_t delay = find(r, ACT_BACKOFF)->delay_ms;
    assert_int_equal(lifecycle_next_deadline(&r->lc), now + delay);
    feed(r, EV_ALL_EXITED, 0, now); /* nothing left is not an exit while restarting */
    assert_null(find(r, ACT_EXIT));
    feed(r, EV_TIMER, 0, now + delay);
    assert_non_null(find(r, ACT_RESTART));
    assert_int_equal(r->lc.state, LC_STARTING);
    feed(r, EV_STARTED, 0, now + delay);
    assert_int_equal(r->lc.state, LC_RUNNING);
    return delay;
}

static void always_restarts_with_a_doubling_capped_backoff(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    int64_t now = 0, expected[] = {1000,  2000,   4000,   8000,   16000, 32000,
                                   64000, 128000, 256000, 300000, 300000};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        int64_t d = crash(&r, EXITED(0), now + 10); /* even a clean exit, with Always */
        assert_int_equal(d, expected[i]);
        now += 10 + d;
    }
    assert_int_equal(r.lc.restarts, 11);
}

static void a_long_run_resets_the_backoff(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    assert_int_equal(crash(&r, EXITED(1), 100), 1000);
    assert_int_equal(crash(&r, EXITED(1), 1200), 2000);
    /* this run lasted 10 minutes: back to the first delay */
    assert_int_equal(crash(&r, EXITED(1), 3200 + 600000), 1000);
}

static void on_failure_restarts_only_failures(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ON_FAILURE));
    crash(&r, EXITED(3), 100);
    crash(&r, SIGKILL, 2000);                  /* killed by a signal is a failure too */
    feed(&r, EV_MAIN_EXITED, EXITED(0), 9000); /* success: the container stops */
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_ALL_EXITED, 0, 9000);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(0));
}

static void no_restart_once_shutdown_began(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 100);
    feed(&r, EV_MAIN_EXITED, EXITED(1), 200);
    assert_null(find(&r, ACT_BACKOFF));
    feed(&r, EV_ALL_EXITED, 0, 200);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(1));
    /* and a stop signal while waiting to restart cancels the restart */
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    feed(&r, EV_MAIN_EXITED, EXITED(2), 100);
    assert_int_equal(r.lc.state, LC_BACKOFF);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 500);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_TIMER, 0, 1100); /* the restart time passes: nothing */
    assert_null(find(&r, ACT_RESTART));
    feed(&r, EV_ALL_EXITED, 0, 1200);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(2)); /* the last exit's status */
}

static void liveness_failure_with_always_stops_then_restarts(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);
    feed(&r, EV_TIMER, 0, 31000); /* it ignored its stop signal */
    assert_non_null(find(&r, ACT_KILL_APP));
    assert_null(find(&r, ACT_KILL_ALL)); /* only its own group */
    feed(&r, EV_MAIN_EXITED, SIGKILL, 31001);
    assert_int_equal(r.lc.state, LC_BACKOFF);
    assert_int_equal(find(&r, ACT_BACKOFF)->delay_ms, 1000);
}

static void another_process_ending_the_container_stops_this_one_at_once(void **state) {
    (void)state;
    struct run r;
    start(&r, 5000, 30000, SIGQUIT);
    feed(&r, EV_SHUTDOWN_NOW, 0, 1000);
    assert_int_equal(r.lc.state, LC_TERMINATING); /* no drain */
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGQUIT);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);
    /* waiting to restart: no restart, the stop goes to what is left */
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    feed(&r, EV_MAIN_EXITED, EXITED(1), 100);
    feed(&r, EV_SHUTDOWN_NOW, 0, 200);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    feed(&r, EV_TIMER, 0, 1100);
    assert_null(find(&r, ACT_RESTART));
    feed(&r, EV_ALL_EXITED, 0, 1200);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(1));
}

static void a_startup_probe_gates_readiness_and_liveness(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000,
                                             .post_start = {LC_HOOK_JOB, 30000},
                                             .probes = LC_PROBE_STARTUP | LC_PROBE_READINESS |
                                                       LC_PROBE_LIVENESS});
    assert_null(find(&r, ACT_PROBES)); /* not during postStart */
    hook_done(&r, LC_HOOK_POST_START, true, 100);
    assert_int_equal(find(&r, ACT_PROBES)->probes, LC_PROBE_STARTUP); /* only it, first */
    probe_result(&r, LC_PROBE_READINESS, true, 150); /* a stray result changes nothing */
    assert_null(find(&r, ACT_PROBES));
    probe_result(&r, LC_PROBE_STARTUP, true, 200);
    assert_int_equal(find(&r, ACT_PROBES)->probes, LC_PROBE_READINESS | LC_PROBE_LIVENESS);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 300);
    assert_int_equal(find(&r, ACT_PROBES)->probes, 0); /* none during a shutdown */
}

static void without_a_startup_probe_the_others_start_at_once(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .probes = LC_PROBE_LIVENESS});
    assert_int_equal(find(&r, ACT_PROBES)->probes, LC_PROBE_LIVENESS);
    struct run none;
    start(&none, 0, 30000, 0);
    assert_null(find(&none, ACT_PROBES)); /* nothing configured, nothing asked */
}

static void a_startup_probe_failing_for_good_is_a_liveness_failure(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .probes = LC_PROBE_STARTUP});
    probe_result(&r, LC_PROBE_STARTUP, false, 5000);
    assert_int_equal(r.lc.state, LC_TERMINATING); /* Never: the container stops */
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(find(&r, ACT_PROBES)->probes, 0);
}

static void probes_start_over_after_a_restart(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = restarting(LC_RESTART_ALWAYS);
    cfg.probes = LC_PROBE_STARTUP | LC_PROBE_LIVENESS;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, true, 100);
    probe_result(&r, LC_PROBE_LIVENESS, false, 2000);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    assert_int_equal(find(&r, ACT_PROBES)->probes, 0);
    feed(&r, EV_MAIN_EXITED, SIGTERM, 2100);
    feed(&r, EV_TIMER, 0, 3100);
    assert_non_null(find(&r, ACT_RESTART));
    feed(&r, EV_STARTED, 0, 3100);
    assert_int_equal(find(&r, ACT_PROBES)->probes, LC_PROBE_STARTUP); /* from the start */
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

static void nothing_is_scheduled_once_a_restart_is_running(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    crash(&r, EXITED(1), 100);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 0); /* idle: no wake-up at all */
    /* and between the restart and its EV_STARTED */
    feed(&r, EV_MAIN_EXITED, EXITED(1), 5000);
    feed(&r, EV_TIMER, 0, lifecycle_next_deadline(&r.lc));
    assert_non_null(find(&r, ACT_RESTART));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 0);
}

static void a_liveness_restart_leaves_nothing_scheduled(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    feed(&r, EV_TIMER, 0, 31000);
    assert_non_null(find(&r, ACT_KILL_APP));
    /* SIGKILL once, then its exit, or the end of the bounded wait */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000 + LIFECYCLE_KILL_WAIT_MS);
    feed(&r, EV_TIMER, 0, 31010);
    assert_int_equal(r.n, 0);
    feed(&r, EV_MAIN_EXITED, SIGKILL, 31020);
    feed(&r, EV_TIMER, 0, lifecycle_next_deadline(&r.lc));
    feed(&r, EV_STARTED, 0, 32020);
    assert_int_equal(r.lc.state, LC_RUNNING);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 0);
}

static void the_wait_after_sigkill_is_bounded(void **state) {
    (void)state;
    struct run r;
    start(&r, 0, 1000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_TIMER, 0, 1000);
    assert_non_null(find(&r, ACT_KILL_ALL));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 1000 + LIFECYCLE_KILL_WAIT_MS);
    feed(&r, EV_TIMER, 0, 1000 + LIFECYCLE_KILL_WAIT_MS - 1);
    assert_int_equal(r.n, 0);
    feed(&r, EV_TIMER, 0, 1000 + LIFECYCLE_KILL_WAIT_MS); /* SIGKILL reached nothing */
    assert_non_null(find(&r, ACT_GIVE_UP));
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, SIGKILL); /* as if it had: 137 */
    assert_int_equal(r.lc.state, LC_EXITED);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 0);
    /* the main process was reaped, something else was not: its own status */
    start(&r, 0, 1000, 0);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 0);
    feed(&r, EV_MAIN_EXITED, EXITED(4), 10);
    feed(&r, EV_TIMER, 0, 1000);
    feed(&r, EV_TIMER, 0, 1000 + LIFECYCLE_KILL_WAIT_MS);
    assert_int_equal(find(&r, ACT_EXIT)->exit_status, EXITED(4));
}

static void a_restart_sigkill_cannot_reach_stops_the_container(void **state) {
    (void)state;
    struct run r;
    start_with(&r, restarting(LC_RESTART_ALWAYS));
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    feed(&r, EV_TIMER, 0, 31000);
    assert_non_null(find(&r, ACT_KILL_APP));
    feed(&r, EV_TIMER, 0, 31000 + LIFECYCLE_KILL_WAIT_MS); /* still not reaped */
    assert_non_null(find(&r, ACT_GIVE_UP));
    assert_int_equal(find(&r, ACT_GIVE_UP)->restart_abandoned, 1); /* the restart, not the container */
    assert_null(find(&r, ACT_EXIT));
    assert_int_equal(r.lc.state, LC_TERMINATING); /* stop signal and grace, as under Never */
    assert_non_null(find(&r, ACT_SIGNAL_APP));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 36000 + 30000);
}

static void a_sleep_hook_of_zero_seconds_is_no_wait(void **state) {
    (void)state;
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000,
                                             .post_start = {LC_HOOK_SLEEP, 0},
                                             .pre_stop = {LC_HOOK_SLEEP, 0}});
    assert_int_equal(r.lc.state, LC_RUNNING); /* not stuck in STARTING */
    assert_null(find(&r, ACT_SLEEP_HOOK)); /* no sleep to speak of */
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 100);
    assert_int_equal(r.lc.state, LC_TERMINATING); /* the stop signal at once */
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_null(find(&r, ACT_SLEEP_HOOK));
}

/* The class of bug behind a busy PID 1: a deadline left in the past. Over
 * many random event sequences, whenever the lifecycle asks for a time that
 * has come, an EV_TIMER then moves it on, within a few steps. */
static void no_deadline_is_ever_left_in_the_past(void **state) {
    (void)state;
    uint32_t seed = 12345;
    const struct lifecycle_hook hooks[] = {{LC_HOOK_ABSENT, 0},
                                           {LC_HOOK_SLEEP, 300},
                                           {LC_HOOK_SLEEP, 0},
                                           {LC_HOOK_JOB, 0},
                                           {LC_HOOK_JOB, 400}};
    for (int round = 0; round < 3000; round++) {
#define RND(n) ((seed = seed * 1103515245u + 12345u), (int)((seed >> 16) % (n)))
        struct run r;
        /* one draw per statement: the order of the draws is fixed */
        struct lifecycle_config cfg = {.backoff_max_ms = 1000, .backoff_reset_ms = 5000};
        cfg.prestop_delay_ms = RND(3) * 500;
        cfg.grace_ms = RND(3) * 1000;
        cfg.post_start = hooks[RND(5)];
        cfg.pre_stop = hooks[RND(5)];
        cfg.restart = (enum lifecycle_restart)RND(3);
        cfg.backoff_initial_ms = 100 + RND(3) * 100;
        cfg.probes = (unsigned)RND(8);
        lifecycle_init(&r.lc, &cfg);
        int64_t now = 0;
        for (int step = 0; step < 40; step++) {
            now += RND(700);
            struct lifecycle_event ev = {.kind = RND(8)};
            ev.signo = SIGTERM;
            ev.status = RND(2) ? EXITED(RND(3)) : SIGKILL;
            ev.hook = (enum lifecycle_hook_id)RND(3);
            ev.ok = RND(2);
            ev.probe = 1u << RND(3);
            r.n = lifecycle_step(&r.lc, &ev, now, r.out, 8);
            assert_true(r.n < 8); /* the cap of 8 is never reached: nothing dropped */
            for (int fired = 0;; fired++) {
                int64_t at = lifecycle_next_deadline(&r.lc);
                if (at == 0 || at > now)
                    break;
                assert_true(fired < 4); /* else: a wake-up that changes nothing */
                feed(&r, EV_TIMER, 0, now);
            }
            /* and nothing waits with no deadline but for an event that
             * will come: the process's start or exit, or a hook's end */
            if (lifecycle_next_deadline(&r.lc) == 0) {
                enum lifecycle_state st = r.lc.state;
                assert_true(st == LC_RUNNING || st == LC_EXITED ||
                            (st == LC_STARTING &&
                             (!r.lc.started || r.lc.running_hook == LC_HOOK_POST_START)));
            }
        }
#undef RND
    }
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
        cmocka_unit_test(post_start_runs_before_the_app_counts_as_ready),
        cmocka_unit_test(without_post_start_the_app_is_ready_at_once),
        cmocka_unit_test(post_start_failure_stops_the_app_and_names_the_hook_at_exit),
        cmocka_unit_test(post_start_timeout_is_a_failure_and_the_hook_is_killed),
        cmocka_unit_test(post_start_sleep_delays_readiness),
        cmocka_unit_test(stop_signal_during_post_start_kills_it_and_shuts_down),
        cmocka_unit_test(pre_stop_runs_after_the_drain_and_before_the_stop_signal),
        cmocka_unit_test(failing_pre_stop_is_reported_and_shutdown_goes_on),
        cmocka_unit_test(pre_stop_longer_than_the_grace_is_cut_off),
        cmocka_unit_test(pre_stop_with_its_own_timeout_gives_up_before_the_deadline),
        cmocka_unit_test(pre_stop_sleep_adds_to_the_drain),
        cmocka_unit_test(second_stop_signal_during_pre_stop_kills_the_hook),
        cmocka_unit_test(main_exit_during_pre_stop_ends_it),
        cmocka_unit_test(exit_status_is_the_main_process_status),
        cmocka_unit_test(liveness_failure_stops_the_process_without_a_drain),
        cmocka_unit_test(always_restarts_with_a_doubling_capped_backoff),
        cmocka_unit_test(a_long_run_resets_the_backoff),
        cmocka_unit_test(on_failure_restarts_only_failures),
        cmocka_unit_test(no_restart_once_shutdown_began),
        cmocka_unit_test(liveness_failure_with_always_stops_then_restarts),
        cmocka_unit_test(another_process_ending_the_container_stops_this_one_at_once),
        cmocka_unit_test(a_startup_probe_gates_readiness_and_liveness),
        cmocka_unit_test(without_a_startup_probe_the_others_start_at_once),
        cmocka_unit_test(a_startup_probe_failing_for_good_is_a_liveness_failure),
        cmocka_unit_test(probes_start_over_after_a_restart),
        cmocka_unit_test(no_exit_before_the_main_process_is_gone),
        cmocka_unit_test(nothing_happens_twice_after_exit),
        cmocka_unit_test(nothing_is_scheduled_once_a_restart_is_running),
        cmocka_unit_test(a_liveness_restart_leaves_nothing_scheduled),
        cmocka_unit_test(the_wait_after_sigkill_is_bounded),
        cmocka_unit_test(a_restart_sigkill_cannot_reach_stops_the_container),
        cmocka_unit_test(a_sleep_hook_of_zero_seconds_is_no_wait),
        cmocka_unit_test(no_deadline_is_ever_left_in_the_past),
        cmocka_unit_test(actions_never_overflow_the_buffer),
    };
    return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
