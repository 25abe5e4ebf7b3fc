/* tests/unit/test_pod.c — the rules that span processes (docs/lifecycle.md,
 * "Several processes"), with a fake clock: the pod is fed as the shell
 * feeds it, and what it asks for is recorded in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>

#include "pod_fixture.h"

static const struct lifecycle_config plain = {.grace_ms = 10000};

static void a_stop_signal_drains_every_process_together(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.prestop_delay_ms = 2000, .grace_ms = 10000}, 3);
    stop_signal(&f, SIGTERM, 1000);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(f.procs[i].lc.state, LC_DRAINING);
    assert_true(f.pod.shutdown);
    assert_int_equal(f.pod.cause, -1);
    assert_int_equal(find(&f, -1, ACT_SIGNAL_APP), -1); /* all keep serving */
    assert_int_equal(pod_next_deadline(&f.pod), 3000);
    round_at(&f, 3000, true, false);
    assert_int_equal(count(&f, -1, ACT_SIGNAL_APP), 3); /* then each its stop signal */
}

static void a_process_that_exits_on_its_own_stops_the_others_at_once(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.prestop_delay_ms = 5000, .grace_ms = 10000}, 3);
    reaped(&f, 1, EXITED(4), 500, false);
    assert_int_equal(f.pod.cause, 1);
    assert_true(f.pod.shutdown);
    /* the others: their stop signal now, no drain */
    assert_true(find(&f, 0, ACT_SIGNAL_APP) >= 0);
    assert_true(find(&f, 2, ACT_SIGNAL_APP) >= 0);
    assert_int_equal(f.procs[0].lc.state, LC_TERMINATING);
    assert_int_equal(f.procs[2].lc.state, LC_TERMINATING);
    /* the grace counts from that exit */
    assert_int_equal(pod_next_deadline(&f.pod), 10500);
}

/* Two processes; the second restarts Always after 0.1 s (at most 1 s). */
static void start_with_restarting_second(struct fixture *f) {
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[1].restart = LC_RESTART_ALWAYS;
    cfgs[1].backoff_initial_ms = 100;
    cfgs[1].backoff_max_ms = 1000;
    cfgs[1].backoff_reset_ms = 5000;
    start(f, cfgs, 2);
}

static void a_restarting_process_does_not_end_the_container(void **state) {
    (void)state;
    struct fixture f;
    start_with_restarting_second(&f);
    reaped(&f, 1, EXITED(1), 500, false);
    assert_false(f.pod.shutdown);
    assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
    assert_int_equal(f.procs[0].lc.state, LC_RUNNING);
    assert_int_equal(find(&f, 0, ACT_SIGNAL_APP), -1);
    round_at(&f, 600, true, false);
    assert_true(find(&f, 1, ACT_RESTART) >= 0);
    assert_int_equal(f.procs[1].lc.state, LC_RUNNING);
}

static void a_liveness_failure_under_never_ends_the_container(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[1].probes = LC_PROBE_LIVENESS;
    start(&f, cfgs, 2);
    pod_post(&f.pod, 1,
             (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = LC_PROBE_LIVENESS});
    run(&f, 700);
    assert_int_equal(f.pod.cause, 1);
    assert_int_equal(f.procs[0].lc.state, LC_TERMINATING);
}

static void a_liveness_failure_under_never_with_pre_stop_ends_the_container_at_once(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[1].probes = LC_PROBE_LIVENESS;
    cfgs[1].pre_stop = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start(&f, cfgs, 2);
    pod_post(&f.pod, 1,
             (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = LC_PROBE_LIVENESS});
    run(&f, 700);
    assert_int_equal(f.procs[1].lc.state, LC_DRAINING); /* its preStop runs */
    assert_true(find(&f, 1, ACT_RUN_HOOK) >= 0);
    assert_true(f.pod.shutdown);
    assert_int_equal(f.pod.cause, 1);
    assert_int_equal(f.procs[0].lc.state, LC_TERMINATING); /* the other: its stop now */
}

static void a_failed_post_start_ends_the_container_with_its_code(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[1].post_start = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start(&f, cfgs, 2);
    assert_int_equal(f.procs[1].lc.state, LC_STARTING);
    pod_post(&f.pod, 1, (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = LC_HOOK_POST_START});
    run(&f, 100);
    assert_int_equal(f.pod.cause, 1);
    reaped(&f, 0, EXITED(0), 200, false);
    reaped(&f, 1, SIGTERM, 300, true);
    assert_true(pod_done(&f.pod));
    struct exit_code_remap none = {{0}};
    assert_int_equal(pod_exit_code(&f.pod, &none, 3), 3);
}

static void the_first_process_to_stop_is_the_cause_not_a_later_one(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 3);
    pod_exited(&f.pod, 2, EXITED(7));
    pod_exited(&f.pod, 1, EXITED(9));
    round_at(&f, 100, false, false);
    /* both exits found in one pass are fed in process order */
    assert_int_equal(f.pod.cause, 1);
    reaped(&f, 0, SIGTERM, 200, true);
    assert_true(pod_done(&f.pod));
    struct exit_code_remap none = {{0}};
    assert_int_equal(pod_exit_code(&f.pod, &none, 3), 9);
}

static void after_an_external_stop_the_first_process_gives_the_code(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 2);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 1, EXITED(5), 200, false);
    assert_int_equal(f.pod.cause, -1); /* a drain exit does not become the cause */
    reaped(&f, 0, EXITED(0), 300, true);
    assert_true(pod_done(&f.pod));
    struct exit_code_remap none = {{0}}, ok5 = {{0}};
    assert_int_equal(pod_exit_code(&f.pod, &none, 3), 0);
    assert_int_equal(pod_cause(&f.pod), 0);
    exit_code_remap_add(&ok5, "143");
    f.procs[0].lc.main_status = SIGTERM;
    assert_int_equal(pod_exit_code(&f.pod, &ok5, 3), 0);    /* a success code */
    assert_int_equal(pod_exit_code(&f.pod, &none, 3), 143); /* 128 + SIGTERM */
}

static void no_exit_while_any_child_is_left(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 2);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 0, EXITED(0), 200, false);
    reaped(&f, 1, EXITED(0), 300, false); /* an orphan is still there */
    assert_false(pod_done(&f.pod));
    round_at(&f, 400, false, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(count(&f, -1, ACT_EXIT), 2);
}

static void what_is_left_gets_the_stop_signal_once_every_process_is_gone(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[0].stop_signal = SIGQUIT;
    start(&f, cfgs, 2);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 0, EXITED(0), 200, false);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 0); /* one is still running */
    reaped(&f, 1, EXITED(0), 300, false);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 1);
    assert_int_equal(f.seen[f.n_seen - 1].signo, SIGQUIT); /* processes[0]'s stop signal */
    round_at(&f, 400, false, false);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 1); /* once */
}

static void a_later_stop_signal_goes_to_what_is_left(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 1);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 0, EXITED(0), 200, false);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 1);
    stop_signal(&f, SIGINT, 300);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 2);
    assert_int_equal(f.seen[f.n_seen - 1].signo, SIGINT);
}

static void nothing_left_means_nothing_to_ask(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 1);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 0, EXITED(0), 200, true);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 0);
    assert_true(pod_done(&f.pod));
}

static void the_grace_periods_sigkill_is_said_once_and_repeated_for_orphans(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.grace_ms = 1000}, 3);
    stop_signal(&f, SIGTERM, 0);
    round_at(&f, 1000, true, false);
    assert_int_equal(count(&f, -1, ACT_KILL_ALL), 1); /* three deadlines, one SIGKILL */
    assert_int_equal(count_pod(&f, POD_ACT_KILL_EVERYTHING), 1);
    round_at(&f, 1100, false, false); /* an orphan adopted since: killed too */
    assert_int_equal(count_pod(&f, POD_ACT_KILL_EVERYTHING), 2);
    assert_int_equal(count(&f, -1, ACT_KILL_ALL), 1);
}

static void the_give_up_after_sigkill_is_said_once(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.grace_ms = 1000}, 2);
    stop_signal(&f, SIGTERM, 0);
    round_at(&f, 1000, true, false);
    round_at(&f, 1000 + LIFECYCLE_KILL_WAIT_MS, true, false);
    assert_int_equal(count(&f, -1, ACT_GIVE_UP), 1);
    assert_true(f.pod.gave_up);
    assert_true(pod_done(&f.pod)); /* the container exits anyway */
    struct exit_code_remap none = {{0}};
    assert_int_equal(pod_exit_code(&f.pod, &none, 3), 137); /* as if SIGKILL had reached it */
}

static void an_exit_is_fed_after_the_hook_results_of_the_same_pass(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = plain;
    cfg.post_start = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start_same(&f, cfg, 1);
    /* the hook succeeded and the app exited, found in one reaping pass */
    pod_post(
        &f.pod, 0,
        (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = LC_HOOK_POST_START, .ok = true});
    pod_exited(&f.pod, 0, EXITED(2));
    round_at(&f, 100, false, true);
    int ready = find(&f, 0, ACT_SET_READY);
    assert_true(ready >= 0 && f.seen[ready].act.ready);
    assert_int_equal(f.procs[0].lc.end == LC_END_POST_START, false); /* not a postStart failure */
}

static void the_timer_reaches_every_process_after_the_exits(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.prestop_delay_ms = 1000, .grace_ms = 5000}, 2);
    stop_signal(&f, SIGTERM, 0);
    /* at the drain's end, process 1 was also reaped: its exit comes first,
     * so its lifecycle terminates on the exit, not on the timer */
    pod_exited(&f.pod, 1, EXITED(0));
    round_at(&f, 1000, true, false);
    int exit_sig = find(&f, 1, ACT_SIGNAL_APP);
    int timer_sig = find(&f, 0, ACT_SIGNAL_APP);
    assert_true(exit_sig >= 0 && timer_sig >= 0);
    assert_true(exit_sig < timer_sig);
}

static void readiness_is_every_process_running_and_passing(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[1].probes = LC_PROBE_READINESS | LC_PROBE_STARTUP;
    start(&f, cfgs, 2);
    struct pod_probes none = {0, 0, 0};
    struct pod_probes pending = {LC_PROBE_READINESS | LC_PROBE_STARTUP, 0, 0};
    struct pod_probes passing = {LC_PROBE_READINESS | LC_PROBE_STARTUP,
                                 LC_PROBE_READINESS | LC_PROBE_STARTUP, 0};
    assert_true(pod_process_health(&f.pod, 0, true, none).ready);
    assert_false(pod_process_health(&f.pod, 0, false, none).ready); /* not running */
    assert_false(pod_process_health(&f.pod, 0, false, none).live);
    assert_false(pod_process_health(&f.pod, 1, true, pending).ready);
    assert_false(pod_process_health(&f.pod, 1, true, pending).started);
    assert_true(pod_process_health(&f.pod, 1, true, passing).ready);
    stop_signal(&f, SIGTERM, 100); /* draining: not ready, still live */
    assert_false(pod_process_health(&f.pod, 1, true, passing).ready);
    assert_true(pod_process_health(&f.pod, 1, true, passing).live);
    assert_false(pod_process_ready(&f.pod, 0));
}

static void a_failing_liveness_probe_is_not_live(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = plain;
    cfg.probes = LC_PROBE_LIVENESS;
    start_same(&f, cfg, 1);
    struct pod_probes failing = {LC_PROBE_LIVENESS, 0, LC_PROBE_LIVENESS};
    struct pod_probes unknown = {LC_PROBE_LIVENESS, 0, 0};
    assert_false(pod_process_health(&f.pod, 0, true, failing).live);
    assert_true(pod_process_health(&f.pod, 0, true, unknown).live);  /* not yet failed */
    assert_true(pod_process_health(&f.pod, 0, true, unknown).ready); /* no readiness probe */
}

static void a_process_starting_is_neither_started_nor_ready(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = plain;
    cfg.post_start = (struct lifecycle_hook){LC_HOOK_SLEEP, 1000};
    start_same(&f, cfg, 1);
    struct pod_probes none = {0, 0, 0};
    assert_false(pod_process_health(&f.pod, 0, true, none).started);
    assert_false(pod_process_health(&f.pod, 0, true, none).ready);
    assert_true(pod_process_health(&f.pod, 0, true, none).live);
    round_at(&f, 1000, true, false);
    assert_true(pod_process_health(&f.pod, 0, true, none).ready);
}

static void has_exited_survives_a_restart(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = plain;
    cfg.restart = LC_RESTART_ALWAYS;
    cfg.backoff_initial_ms = 100;
    cfg.backoff_max_ms = 100;
    cfg.backoff_reset_ms = 1000;
    start_same(&f, cfg, 1);
    assert_false(pod_process_has_exited(&f.pod, 0));
    reaped(&f, 0, EXITED(3), 100, false);
    assert_true(pod_process_has_exited(&f.pod, 0));
    round_at(&f, 200, true, false); /* restarted */
    assert_int_equal(f.procs[0].lc.state, LC_RUNNING);
    assert_true(pod_process_has_exited(&f.pod, 0));
    assert_int_equal(f.procs[0].lc.main_status, EXITED(3)); /* its last exit */
}

static void a_restart_that_cannot_start_counts_as_an_exit(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfgs[2] = {plain, plain};
    cfgs[0].restart = LC_RESTART_ON_FAILURE;
    cfgs[0].backoff_initial_ms = 100;
    cfgs[0].backoff_max_ms = 100;
    cfgs[0].backoff_reset_ms = 1000;
    start(&f, cfgs, 2);
    reaped(&f, 0, EXITED(1), 100, false);
    /* the shell could not start it again: its exit is posted directly */
    pod_end_round(&f.pod, true, false);
    struct pod_action out[POD_MAX_ACTIONS];
    size_t n = pod_next(&f.pod, 200, out, POD_MAX_ACTIONS);
    assert_true(n > 0 && out[0].act.kind == ACT_RESTART);
    pod_post(&f.pod, 0, (struct lifecycle_event){.kind = EV_MAIN_EXITED, .status = EXITED(127)});
    run(&f, 200);
    assert_int_equal(f.procs[0].lc.state, LC_BACKOFF); /* and it backs off again */
    assert_false(f.pod.shutdown);
}

static void a_full_queue_is_counted_not_overrun(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 1);
    for (size_t i = 0; i < POD_QUEUE_CAP(MAXP) + 5; i++)
        pod_post(&f.pod, 0, (struct lifecycle_event){.kind = EV_TIMER});
    assert_int_equal(f.pod.dropped, 5);
    run(&f, 0);
    assert_int_equal(f.pod.len, 0);
    pod_post(&f.pod, 7, (struct lifecycle_event){.kind = EV_TIMER}); /* no such process */
    assert_int_equal(f.pod.len, 0);
}

static void a_second_stop_signal_while_draining_is_obeyed(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, (struct lifecycle_config){.prestop_delay_ms = 5000, .grace_ms = 10000}, 2);
    stop_signal(&f, SIGTERM, 0);
    assert_int_equal(count(&f, -1, ACT_SIGNAL_APP), 0);
    stop_signal(&f, SIGINT, 100);
    assert_int_equal(count(&f, -1, ACT_SIGNAL_APP), 2);
    assert_int_equal(f.pod.cause, -1);
}

/* A round with nothing new (a forwarded signal's) is idle, and a round
 * then does nothing at all: the shell may skip it. */
static void a_round_with_nothing_new_is_idle_and_does_nothing(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, plain, 2);
    assert_true(pod_round_idle(&f.pod, false, false));
    int64_t deadline = pod_next_deadline(&f.pod);
    round_at(&f, 1000, false, false);
    assert_int_equal(f.n_seen, 0);
    assert_int_equal(f.procs[0].lc.state, LC_RUNNING);
    assert_int_equal(pod_next_deadline(&f.pod), deadline);
    assert_true(pod_round_idle(&f.pod, false, false));
    /* the timer, or no child left, is something to feed */
    assert_false(pod_round_idle(&f.pod, true, false));
    assert_false(pod_round_idle(&f.pod, false, true));
}

static void an_exit_an_event_or_a_shutdown_is_not_idle(void **state) {
    (void)state;
    struct fixture f;
    start_with_restarting_second(&f);
    pod_exited(&f.pod, 1, EXITED(1)); /* reaped, not yet fed */
    assert_false(pod_round_idle(&f.pod, false, false));
    round_at(&f, 500, false, false);
    assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
    assert_true(pod_round_idle(&f.pod, false, false)); /* its back-off is the timer's */
    pod_post(
        &f.pod, 0,
        (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = LC_PROBE_READINESS, .ok = true});
    assert_false(pod_round_idle(&f.pod, false, false)); /* queued */
    run(&f, 550);
    assert_true(pod_round_idle(&f.pod, false, false));
    f.procs[0].lc.state = LC_KILLING; /* each round SIGKILLs what was adopted since */
    assert_false(pod_round_idle(&f.pod, false, false));
    f.procs[0].lc.state = LC_RUNNING;
    stop_signal(&f, SIGTERM, 600);
    assert_false(pod_round_idle(&f.pod, false, false)); /* a shutdown's rules apply each round */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stop_signal_drains_every_process_together),
        cmocka_unit_test(a_process_that_exits_on_its_own_stops_the_others_at_once),
        cmocka_unit_test(a_restarting_process_does_not_end_the_container),
        cmocka_unit_test(a_liveness_failure_under_never_ends_the_container),
        cmocka_unit_test(a_liveness_failure_under_never_with_pre_stop_ends_the_container_at_once),
        cmocka_unit_test(a_failed_post_start_ends_the_container_with_its_code),
        cmocka_unit_test(the_first_process_to_stop_is_the_cause_not_a_later_one),
        cmocka_unit_test(after_an_external_stop_the_first_process_gives_the_code),
        cmocka_unit_test(no_exit_while_any_child_is_left),
        cmocka_unit_test(what_is_left_gets_the_stop_signal_once_every_process_is_gone),
        cmocka_unit_test(a_later_stop_signal_goes_to_what_is_left),
        cmocka_unit_test(nothing_left_means_nothing_to_ask),
        cmocka_unit_test(the_grace_periods_sigkill_is_said_once_and_repeated_for_orphans),
        cmocka_unit_test(the_give_up_after_sigkill_is_said_once),
        cmocka_unit_test(an_exit_is_fed_after_the_hook_results_of_the_same_pass),
        cmocka_unit_test(the_timer_reaches_every_process_after_the_exits),
        cmocka_unit_test(readiness_is_every_process_running_and_passing),
        cmocka_unit_test(a_failing_liveness_probe_is_not_live),
        cmocka_unit_test(a_process_starting_is_neither_started_nor_ready),
        cmocka_unit_test(has_exited_survives_a_restart),
        cmocka_unit_test(a_restart_that_cannot_start_counts_as_an_exit),
        cmocka_unit_test(a_full_queue_is_counted_not_overrun),
        cmocka_unit_test(a_second_stop_signal_while_draining_is_obeyed),
        cmocka_unit_test(a_round_with_nothing_new_is_idle_and_does_nothing),
        cmocka_unit_test(an_exit_an_event_or_a_shutdown_is_not_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
