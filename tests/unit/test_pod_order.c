/* tests/unit/test_pod_order.c — initProcesses across the pod, with a fake
 * clock (docs/lifecycle.md, "Init tasks and sidecars"): the start order,
 * a sidecar's startup probe gating the next, the reverse stop with each
 * sidecar waiting for the one after it, the one grace deadline they all
 * share, an init task's failure and retry. procs[0] is the app; the init
 * processes follow it in their order, as the configuration lays them out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>
#include <string.h>

#include "pod_fixture.h"

static const struct lifecycle_config app = {.grace_ms = 10000};
static const struct lifecycle_config task = {.grace_ms = 10000, .role = LC_ROLE_INIT_TASK};
static const struct lifecycle_config retried_task = {.grace_ms = 10000,
                                                     .role = LC_ROLE_INIT_TASK,
                                                     .restart = LC_RESTART_ON_FAILURE,
                                                     .backoff_initial_ms = 100,
                                                     .backoff_max_ms = 1000,
                                                     .backoff_reset_ms = 5000};
static const struct lifecycle_config sidecar = {.grace_ms = 10000,
                                                .role = LC_ROLE_SIDECAR,
                                                .restart = LC_RESTART_ALWAYS,
                                                .backoff_initial_ms = 100,
                                                .backoff_max_ms = 1000,
                                                .backoff_reset_ms = 5000};

static const struct exit_code_remap no_success = {{0}};

static void assert_launched(const struct fixture *f, const size_t *order, size_t n) {
    assert_int_equal(f->n_launched, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f->launched[i], order[i]);
}

static void init_tasks_run_one_after_another_before_the_app(void **state) {
    (void)state;
    struct fixture f;
    start(&f, (struct lifecycle_config[]){app, task, task}, 3);
    assert_launched(&f, (size_t[]){1}, 1);
    reaped(&f, 1, EXITED(0), 100, true); /* no child left in between: still no end */
    assert_int_equal(f.procs[1].lc.state, LC_EXITED);
    assert_true(find(&f, 1, ACT_COMPLETED) >= 0);
    assert_launched(&f, (size_t[]){1, 2}, 2);
    reaped(&f, 2, EXITED(0), 200, true);
    assert_launched(&f, (size_t[]){1, 2, 0}, 3);
    assert_false(f.pod.shutdown);
    assert_false(pod_done(&f.pod));
    assert_int_equal(f.procs[0].lc.state, LC_RUNNING);
    assert_int_equal(count_pod(&f, POD_ACT_ASK_WHAT_IS_LEFT), 0);
}

static void a_failing_init_task_ends_the_container_before_the_app_starts(void **state) {
    (void)state;
    struct fixture f;
    start(&f, (struct lifecycle_config[]){app, task, task}, 3);
    reaped(&f, 1, EXITED(7), 100, true);
    assert_true(f.pod.shutdown);
    assert_int_equal(f.pod.cause, 1);
    assert_launched(&f, (size_t[]){1}, 1); /* neither the next task nor the app */
    assert_true(pod_done(&f.pod));
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 7);
    /* successExitCodes read the processes' ends, not a failed task's */
    struct exit_code_remap seven = {{0}};
    seven.bits[0] = 1u << 7;
    assert_int_equal(pod_exit_code(&f.pod, &seven, 3), 7);
    assert_int_equal(count(&f, 1, ACT_SET_READY), 0); /* a task's readiness is never said */
}

static void an_init_task_under_on_failure_is_retried_until_it_succeeds(void **state) {
    (void)state;
    struct fixture f;
    start(&f, (struct lifecycle_config[]){app, retried_task}, 2);
    int64_t t = 0;
    for (int run_no = 1; run_no <= 3; run_no++) {
        reaped(&f, 1, EXITED(1), t += 50, true);
        assert_false(f.pod.shutdown);
        assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
        /* alive meanwhile: no liveness runs during the init phase */
        assert_true(pod_process_health(&f.pod, 1, false, (struct pod_probes){0}).live);
        assert_launched(&f, (size_t[]){1}, 1); /* the app waits */
        round_at(&f, t = pod_next_deadline(&f.pod), true, true);
        assert_int_equal(count(&f, 1, ACT_RESTART), run_no);
    }
    reaped(&f, 1, EXITED(0), t + 50, true);
    assert_int_equal(f.procs[1].lc.state, LC_EXITED);
    assert_launched(&f, (size_t[]){1, 0}, 2);
    assert_false(f.pod.shutdown);
}

static void an_init_task_past_its_backoff_limit_ends_the_container(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config limited = retried_task;
    limited.backoff_limit = 1;
    start(&f, (struct lifecycle_config[]){app, limited}, 2);
    reaped(&f, 1, EXITED(2), 50, true);
    round_at(&f, pod_next_deadline(&f.pod), true, true);
    assert_int_equal(count(&f, 1, ACT_RESTART), 1);
    reaped(&f, 1, EXITED(3), 500, false); /* the second run: the last */
    assert_true(find(&f, 1, ACT_BACKOFF_LIMIT) >= 0);
    assert_true(f.pod.shutdown);
    round_at(&f, 510, false, true);
    assert_true(pod_done(&f.pod));
    assert_launched(&f, (size_t[]){1}, 1);
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 3);
}

static void a_sidecar_lets_the_next_start_once_its_startup_probe_passes(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config probed = sidecar;
    probed.probes = LC_PROBE_STARTUP;
    start(&f, (struct lifecycle_config[]){app, probed, sidecar}, 3);
    assert_launched(&f, (size_t[]){1}, 1);
    assert_int_equal(f.procs[1].lc.state, LC_RUNNING); /* running, not yet started */
    pod_post(&f.pod, 1,
             (struct lifecycle_event){
                 .kind = EV_PROBE_RESULT, .probe = LC_PROBE_STARTUP, .ok = true});
    run(&f, 3000);
    /* the second sidecar has no startup probe: started at once, then the app */
    assert_launched(&f, (size_t[]){1, 2, 0}, 3);
}

static void a_sidecar_with_a_post_start_hook_holds_the_next_until_it_ends(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config hooked = sidecar;
    hooked.post_start = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start(&f, (struct lifecycle_config[]){app, hooked}, 2);
    assert_true(find(&f, 1, ACT_RUN_HOOK) >= 0 || f.procs[1].lc.running_hook == LC_HOOK_POST_START);
    assert_launched(&f, (size_t[]){1}, 1);
    pod_post(&f.pod, 1,
             (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = LC_HOOK_POST_START, .ok = true});
    run(&f, 400);
    assert_launched(&f, (size_t[]){1, 0}, 2);
}

/* app, sidecar 1, sidecar 2, all running. */
static void start_two_sidecars(struct fixture *f, struct lifecycle_config the_app) {
    start(f, (struct lifecycle_config[]){the_app, sidecar, sidecar}, 3);
    assert_launched(f, (size_t[]){1, 2, 0}, 3);
}

static void on_a_stop_signal_the_app_stops_first_then_the_sidecars_in_reverse(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, (struct lifecycle_config){.prestop_delay_ms = 2000, .grace_ms = 10000});
    stop_signal(&f, SIGTERM, 1000);
    assert_int_equal(f.procs[0].lc.state, LC_DRAINING);
    assert_int_equal(f.procs[1].lc.state, LC_RUNNING); /* the sidecars serve the drain */
    assert_int_equal(f.procs[2].lc.state, LC_RUNNING);
    round_at(&f, 3000, true, false);
    assert_true(find(&f, 0, ACT_SIGNAL_APP) >= 0);
    assert_int_equal(find(&f, 2, ACT_SIGNAL_APP), -1);
    reaped(&f, 0, EXITED(0), 3100, false);
    /* the last sidecar first, the other waits for it */
    int second = find(&f, 2, ACT_SIGNAL_APP);
    assert_true(second >= 0);
    assert_int_equal(f.seen[second].act.signo, SIGTERM);
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1);
    round_at(&f, 5000, false, false); /* a wake-up while it takes its time */
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1);
    reaped(&f, 2, EXITED(0), 5100, false);
    assert_true(find(&f, 1, ACT_SIGNAL_APP) > second);
    reaped(&f, 1, EXITED(0), 5200, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(count(&f, -1, ACT_RESTART), 0);
    assert_int_equal(count(&f, -1, ACT_BACKOFF), 0);
    assert_int_equal(count(&f, -1, ACT_KILL_ALL), 0);
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 0);
}

static void a_sidecar_gets_its_pre_stop_hook_in_its_turn(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config hooked = sidecar;
    hooked.pre_stop = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start(&f, (struct lifecycle_config[]){app, hooked}, 2);
    stop_signal(&f, SIGTERM, 1000);
    assert_int_equal(find(&f, 1, ACT_RUN_HOOK), -1);
    reaped(&f, 0, EXITED(0), 1100, false);
    int hook = find(&f, 1, ACT_RUN_HOOK);
    assert_true(hook >= 0);
    assert_int_equal(f.seen[hook].act.hook, LC_HOOK_PRE_STOP);
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1); /* the hook first */
    pod_post(&f.pod, 1,
             (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = LC_HOOK_PRE_STOP, .ok = true});
    run(&f, 1500);
    assert_true(find(&f, 1, ACT_SIGNAL_APP) > hook);
}

static void the_sidecars_share_the_one_grace_deadline(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, app);
    stop_signal(&f, SIGTERM, 1000); /* the deadline: 11000 */
    reaped(&f, 0, EXITED(0), 9000, false);
    assert_true(find(&f, 2, ACT_SIGNAL_APP) >= 0);
    assert_int_equal(f.procs[2].lc.deadline_ms, 11000); /* not 9000 + its own grace */
    assert_int_equal(pod_next_deadline(&f.pod), 11000);
    round_at(&f, 10999, false, false);
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1); /* still waits for the other */
    round_at(&f, 11000, true, false);
    assert_int_equal(count(&f, -1, ACT_KILL_ALL), 1); /* once for all */
    assert_int_equal(f.procs[1].lc.state, LC_KILLING); /* its turn came with the deadline */
    assert_int_equal(f.procs[2].lc.state, LC_KILLING);
    reaped(&f, 2, SIGKILL, 11010, false);
    reaped(&f, 1, SIGKILL, 11020, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 0); /* the app's status */
}

static void a_sidecar_is_killed_at_the_deadline_even_when_the_app_is_not_gone(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, app);
    stop_signal(&f, SIGTERM, 1000);
    assert_int_equal(pod_next_deadline(&f.pod), 11000);
    round_at(&f, 11000, true, false); /* the app ignored it */
    assert_int_equal(count(&f, -1, ACT_KILL_ALL), 1);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(f.procs[i].lc.state, LC_KILLING);
}

static void the_app_ending_by_itself_stops_the_sidecars_in_reverse_with_its_status(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, app);
    reaped(&f, 0, EXITED(5), 500, false);
    assert_int_equal(f.pod.cause, 0);
    assert_true(find(&f, 2, ACT_SIGNAL_APP) >= 0);
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1);
    assert_int_equal(pod_next_deadline(&f.pod), 10500); /* the grace from that exit */
    reaped(&f, 2, EXITED(0), 600, false);
    assert_true(find(&f, 1, ACT_SIGNAL_APP) >= 0);
    reaped(&f, 1, EXITED(0), 700, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 5);
}

static void a_crashing_sidecar_restarts_and_the_app_is_untouched(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, app);
    reaped(&f, 1, EXITED(1), 500, false);
    assert_false(f.pod.shutdown);
    assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
    round_at(&f, pod_next_deadline(&f.pod), true, false);
    assert_int_equal(count(&f, 1, ACT_RESTART), 1);
    assert_int_equal(f.procs[1].lc.state, LC_RUNNING);
    assert_int_equal(find(&f, 0, ACT_SIGNAL_APP), -1);
    assert_int_equal(find(&f, 2, ACT_SIGNAL_APP), -1);
    assert_int_equal(f.procs[0].lc.state, LC_RUNNING);
    assert_int_equal(f.n_launched, 3); /* a restart, not a second launch */
}

static void a_sidecar_exiting_in_the_shutdown_before_its_turn_is_not_restarted(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config hooked = sidecar;
    hooked.pre_stop = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start(&f, (struct lifecycle_config[]){{.prestop_delay_ms = 5000, .grace_ms = 10000}, hooked},
          2);
    stop_signal(&f, SIGTERM, 1000);
    reaped(&f, 1, EXITED(0), 2000, false); /* while the app drains */
    assert_int_equal(count(&f, 1, ACT_BACKOFF), 0);
    assert_int_equal(find(&f, 1, ACT_RUN_HOOK), -1);    /* no preStop for what is gone */
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1);  /* nor a signal to its reaped pid */
    assert_true(f.procs[1].lc.main_exited);
    round_at(&f, 6000, true, false);
    assert_true(find(&f, 0, ACT_SIGNAL_APP) >= 0);
    reaped(&f, 0, EXITED(0), 6100, true);
    assert_true(pod_done(&f.pod));
    assert_int_equal(count(&f, 1, ACT_RESTART), 0);
}

static void a_sidecar_in_its_backoff_at_the_stop_is_not_restarted(void **state) {
    (void)state;
    struct fixture f;
    start_two_sidecars(&f, app);
    reaped(&f, 1, EXITED(1), 500, false);
    assert_int_equal(f.procs[1].lc.state, LC_BACKOFF);
    stop_signal(&f, SIGTERM, 550);
    assert_int_equal(f.procs[1].lc.state, LC_TERMINATING); /* nothing runs: no wait */
    assert_int_equal(f.procs[2].lc.state, LC_RUNNING);
    round_at(&f, 700, true, false); /* its back-off's end passes */
    assert_int_equal(count(&f, 1, ACT_RESTART), 0);
    reaped(&f, 0, EXITED(0), 800, false);
    reaped(&f, 2, EXITED(0), 900, true);
    assert_true(pod_done(&f.pod));
}

static void a_stop_during_an_init_task_ends_the_container_with_its_status(void **state) {
    (void)state;
    struct fixture f;
    start(&f, (struct lifecycle_config[]){app, sidecar, task}, 3);
    assert_launched(&f, (size_t[]){1, 2}, 2);
    stop_signal(&f, SIGTERM, 100);
    assert_true(find(&f, 2, ACT_SIGNAL_APP) >= 0); /* the task, no drain */
    assert_int_equal(find(&f, 1, ACT_SIGNAL_APP), -1);
    reaped(&f, 2, SIGTERM, 200, false);
    assert_true(find(&f, 1, ACT_SIGNAL_APP) >= 0); /* then the sidecar */
    reaped(&f, 1, EXITED(0), 300, true);
    assert_true(pod_done(&f.pod));
    assert_launched(&f, (size_t[]){1, 2}, 2); /* the app never */
    assert_int_equal(pod_exit_code(&f.pod, &no_success, 3), 128 + SIGTERM);
}

static void health_and_state_of_waiting_and_completed_processes(void **state) {
    (void)state;
    struct fixture f;
    start(&f, (struct lifecycle_config[]){app, task, sidecar}, 3);
    struct pod_probes none = {0};
    struct pod_health waiting = pod_process_health(&f.pod, 0, false, none);
    assert_true(waiting.live);
    assert_false(waiting.ready);
    assert_false(waiting.started);
    assert_string_equal(pod_process_state(&f.pod, 0), "WAITING");
    assert_string_equal(pod_process_state(&f.pod, 2), "WAITING");
    assert_string_equal(pod_process_kind(&f.pod, 0), "process");
    assert_string_equal(pod_process_kind(&f.pod, 1), "init");
    assert_string_equal(pod_process_kind(&f.pod, 2), "sidecar");
    reaped(&f, 1, EXITED(0), 100, false);
    struct pod_health done = pod_process_health(&f.pod, 1, false, none);
    assert_true(done.live && done.ready && done.started);
    assert_string_equal(pod_process_state(&f.pod, 1), "COMPLETED");
    assert_string_equal(pod_process_state(&f.pod, 2), "RUNNING");
    assert_string_equal(pod_process_state(&f.pod, 0), "RUNNING");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_tasks_run_one_after_another_before_the_app),
        cmocka_unit_test(a_failing_init_task_ends_the_container_before_the_app_starts),
        cmocka_unit_test(an_init_task_under_on_failure_is_retried_until_it_succeeds),
        cmocka_unit_test(an_init_task_past_its_backoff_limit_ends_the_container),
        cmocka_unit_test(a_sidecar_lets_the_next_start_once_its_startup_probe_passes),
        cmocka_unit_test(a_sidecar_with_a_post_start_hook_holds_the_next_until_it_ends),
        cmocka_unit_test(on_a_stop_signal_the_app_stops_first_then_the_sidecars_in_reverse),
        cmocka_unit_test(a_sidecar_gets_its_pre_stop_hook_in_its_turn),
        cmocka_unit_test(the_sidecars_share_the_one_grace_deadline),
        cmocka_unit_test(a_sidecar_is_killed_at_the_deadline_even_when_the_app_is_not_gone),
        cmocka_unit_test(the_app_ending_by_itself_stops_the_sidecars_in_reverse_with_its_status),
        cmocka_unit_test(a_crashing_sidecar_restarts_and_the_app_is_untouched),
        cmocka_unit_test(a_sidecar_exiting_in_the_shutdown_before_its_turn_is_not_restarted),
        cmocka_unit_test(a_sidecar_in_its_backoff_at_the_stop_is_not_restarted),
        cmocka_unit_test(a_stop_during_an_init_task_ends_the_container_with_its_status),
        cmocka_unit_test(health_and_state_of_waiting_and_completed_processes),
    };
    return cmocka_run_group_tests_name("pod_order", tests, NULL, NULL);
}
