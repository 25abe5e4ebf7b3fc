/* tests/unit/test_lifecycle_kill.c — the kubelet's killContainer inside the
 * container, with a fake clock: a liveness (or startup) probe's failure
 * and a failed postStart run the preStop hook, then the stop signal, then
 * SIGKILL at the grace — the probe's own terminationGracePeriodSeconds when
 * it has one — and the restart under the policy; the kubelet's back-off by
 * default; a process's own stop signal arriving at podinit is a stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>

#include "lifecycle_fixture.h"
#include "podinit/pod.h"

static const struct lifecycle_hook job = {LC_HOOK_JOB, 0};

static struct lifecycle_config probed(enum lifecycle_restart policy) {
    return (struct lifecycle_config){.grace_ms = 30000,
                                     .prestop_delay_ms = 5000,
                                     .restart = policy,
                                     .backoff_initial_ms = 1000,
                                     .backoff_max_ms = 300000,
                                     .backoff_reset_ms = 600000,
                                     .probes = LC_PROBE_LIVENESS | LC_PROBE_STARTUP};
}

static void a_liveness_kill_runs_pre_stop_then_the_stop_signal_then_restarts(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.pre_stop = job;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, true, 500);
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    assert_int_equal(find(&r, ACT_SET_READY)->ready, false);
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_PRE_STOP); /* no drain delay */
    assert_null(find(&r, ACT_SIGNAL_APP));                         /* the hook first */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);       /* the hook's limit: the grace */
    hook_done(&r, LC_HOOK_PRE_STOP, true, 1400);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 31000);
    feed(&r, EV_MAIN_EXITED, SIGTERM, 1600);
    assert_int_equal(r.lc.state, LC_BACKOFF);
    feed(&r, EV_TIMER, 0, lifecycle_next_deadline(&r.lc));
    assert_non_null(find(&r, ACT_RESTART));
}

static void a_failing_pre_stop_does_not_hold_the_restart(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.pre_stop = (struct lifecycle_hook){LC_HOOK_JOB, 2000}; /* its own limit */
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, false, 1000); /* the startup probe, past its threshold */
    assert_int_equal(r.lc.state, LC_RESTARTING);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000);
    feed(&r, EV_TIMER, 0, 3000);
    assert_non_null(find(&r, ACT_CANCEL_HOOK));
    assert_true(find(&r, ACT_CANCEL_HOOK)->timed_out);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGTERM);
    hook_done(&r, LC_HOOK_PRE_STOP, false, 3010); /* the cancelled one: no second signal */
    assert_int_equal(r.n, 0);
}

static void the_probe_grace_bounds_the_kill_it_causes(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.liveness_grace_ms = 1000; /* the pod's is 30 s */
    cfg.pre_stop = job;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, true, 100);
    probe_result(&r, LC_PROBE_LIVENESS, false, 2000);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000);
    feed(&r, EV_TIMER, 0, 3000); /* the preStop hangs, the app ignores everything */
    assert_non_null(find(&r, ACT_CANCEL_HOOK));
    assert_non_null(find(&r, ACT_KILL_APP));
    feed(&r, EV_MAIN_EXITED, SIGKILL, 3050);
    assert_int_equal(r.lc.state, LC_BACKOFF);
}

static void the_startup_probe_has_its_own_grace_too(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.liveness_grace_ms = 1000;
    cfg.startup_grace_ms = 4000;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, false, 2000);
    assert_non_null(find(&r, ACT_SIGNAL_APP)); /* no preStop: the stop signal at once */
    assert_int_equal(lifecycle_next_deadline(&r.lc), 6000);
}

static void without_a_probe_grace_the_pods_applies(void **state) {
    (void)state;
    struct run r;
    start_with(&r, probed(LC_RESTART_ON_FAILURE));
    probe_result(&r, LC_PROBE_STARTUP, true, 100);
    probe_result(&r, LC_PROBE_LIVENESS, false, 2000);
    assert_int_equal(lifecycle_next_deadline(&r.lc), 32000);
}

static void a_liveness_failure_under_never_runs_pre_stop_and_stops_the_container(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_NEVER);
    cfg.pre_stop = job;
    cfg.liveness_grace_ms = 2000;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, true, 100);
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    assert_int_equal(r.lc.state, LC_DRAINING); /* the pod reads it as ending the container */
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_PRE_STOP); /* no drain delay */
    assert_null(find(&r, ACT_SIGNAL_APP));
    hook_done(&r, LC_HOOK_PRE_STOP, true, 1500);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_non_null(find(&r, ACT_SIGNAL_APP));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 3000); /* the probe's grace */
    feed(&r, EV_TIMER, 0, 3000);
    assert_non_null(find(&r, ACT_KILL_ALL));
}

static void a_failed_post_start_under_always_is_stopped_and_restarted(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.post_start = job;
    cfg.pre_stop = job;
    start_with(&r, cfg);
    assert_int_equal(r.lc.state, LC_STARTING);
    hook_done(&r, LC_HOOK_POST_START, false, 700);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    assert_int_equal(find(&r, ACT_RUN_HOOK)->hook, LC_HOOK_PRE_STOP); /* killContainer's preStop */
    hook_done(&r, LC_HOOK_PRE_STOP, true, 800);
    assert_non_null(find(&r, ACT_SIGNAL_APP));
    assert_int_equal(lifecycle_next_deadline(&r.lc), 30700); /* the pod's grace */
    feed(&r, EV_MAIN_EXITED, SIGTERM, 900);
    assert_int_equal(r.lc.state, LC_BACKOFF);
    feed(&r, EV_TIMER, 0, lifecycle_next_deadline(&r.lc));
    assert_non_null(find(&r, ACT_RESTART));
    feed(&r, EV_STARTED, 0, 2000);
    hook_done(&r, LC_HOOK_POST_START, true, 2100); /* the second run's postStart passes */
    assert_int_equal(r.lc.state, LC_RUNNING);
    assert_int_equal(r.lc.end == LC_END_POST_START, false); /* no exit 3 later */
}

static void a_failed_post_start_under_on_failure_is_restarted(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ON_FAILURE);
    cfg.post_start = (struct lifecycle_hook){LC_HOOK_JOB, 500};
    start_with(&r, cfg);
    feed(&r, EV_TIMER, 0, 500); /* its time limit */
    assert_true(find(&r, ACT_CANCEL_HOOK)->timed_out);
    assert_int_equal(r.lc.state, LC_RESTARTING);
    feed(&r, EV_MAIN_EXITED, EXITED(0), 600); /* a clean exit after the kill still restarts */
    assert_int_equal(r.lc.state, LC_BACKOFF);
}

static void a_failed_post_start_under_never_stops_the_container_with_3(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_NEVER);
    cfg.post_start = job;
    cfg.pre_stop = job;
    start_with(&r, cfg);
    hook_done(&r, LC_HOOK_POST_START, false, 700);
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_null(find(&r, ACT_RUN_HOOK)); /* as before: no preStop */
    assert_int_equal(r.lc.end, LC_END_POST_START);
}

static void a_stop_during_a_kill_for_restart_ends_it_without_restart(void **state) {
    (void)state;
    struct run r;
    struct lifecycle_config cfg = probed(LC_RESTART_ALWAYS);
    cfg.pre_stop = job;
    start_with(&r, cfg);
    probe_result(&r, LC_PROBE_STARTUP, true, 100);
    probe_result(&r, LC_PROBE_LIVENESS, false, 1000);
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 1200); /* while its preStop runs */
    assert_int_equal(r.lc.state, LC_TERMINATING);
    assert_non_null(find(&r, ACT_CANCEL_HOOK));
    assert_non_null(find(&r, ACT_SIGNAL_APP));
    feed(&r, EV_MAIN_EXITED, SIGTERM, 1300);
    assert_null(find(&r, ACT_BACKOFF));
}

static void the_default_back_off_is_the_kubelets(void **state) {
    (void)state;
    struct config cfg;
    assert_int_equal(config_init(&cfg), 0);
    cfg.processes[0].restart = RESTART_ALWAYS;
    struct run r;
    start_with(&r, pod_lifecycle_config(&cfg, &cfg.processes[0]));
    const int64_t want[] = {10000, 20000, 40000, 80000, 160000, 300000, 300000};
    int64_t t = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        feed(&r, EV_MAIN_EXITED, EXITED(1), t += 1000);
        assert_int_equal(find(&r, ACT_BACKOFF)->delay_ms, want[i]);
        feed(&r, EV_TIMER, 0, t += want[i]);
        feed(&r, EV_STARTED, 0, t);
    }
    feed(&r, EV_MAIN_EXITED, EXITED(1), t += 600000); /* ten minutes of running: over again */
    assert_int_equal(find(&r, ACT_BACKOFF)->delay_ms, 10000);
    config_free(&cfg);
}

static void a_process_stop_signal_at_podinit_is_a_stop(void **state) {
    (void)state;
    struct config cfg;
    assert_int_equal(config_init(&cfg), 0);
    cfg.processes[0].stop_signal = SIGQUIT; /* nginx's STOPSIGNAL */
    assert_int_equal(pod_stop_request(&cfg, SIGTERM), SIGTERM); /* stopSignals: as received */
    assert_int_equal(pod_stop_request(&cfg, SIGINT), SIGINT);
    assert_int_equal(pod_stop_request(&cfg, SIGQUIT), SIGTERM); /* a stop: the others get TERM */
    assert_int_equal(pod_stop_request(&cfg, SIGHUP), 0);       /* forwarded */
    assert_int_equal(pod_stop_request(&cfg, SIGUSR1), 0);
    assert_int_equal(pod_stop_request(&cfg, 0), 0);
    assert_int_equal(pod_stop_request(&cfg, 65), 0);
    cfg.processes[0].stop_signal = 0; /* a JVM's SIGQUIT thread dump stays a forward */
    assert_int_equal(pod_stop_request(&cfg, SIGQUIT), 0);
    /* the process with it gets it; one without gets what the pod asks */
    struct run r;
    start_with(&r, (struct lifecycle_config){.grace_ms = 30000, .stop_signal = SIGQUIT});
    feed(&r, EV_STOP_SIGNAL, SIGTERM, 100);
    assert_int_equal(find(&r, ACT_SIGNAL_APP)->signo, SIGQUIT);
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_liveness_kill_runs_pre_stop_then_the_stop_signal_then_restarts),
        cmocka_unit_test(a_failing_pre_stop_does_not_hold_the_restart),
        cmocka_unit_test(the_probe_grace_bounds_the_kill_it_causes),
        cmocka_unit_test(the_startup_probe_has_its_own_grace_too),
        cmocka_unit_test(without_a_probe_grace_the_pods_applies),
        cmocka_unit_test(a_liveness_failure_under_never_runs_pre_stop_and_stops_the_container),
        cmocka_unit_test(a_failed_post_start_under_always_is_stopped_and_restarted),
        cmocka_unit_test(a_failed_post_start_under_on_failure_is_restarted),
        cmocka_unit_test(a_failed_post_start_under_never_stops_the_container_with_3),
        cmocka_unit_test(a_stop_during_a_kill_for_restart_ends_it_without_restart),
        cmocka_unit_test(the_default_back_off_is_the_kubelets),
        cmocka_unit_test(a_process_stop_signal_at_podinit_is_a_stop),
    };
    return cmocka_run_group_tests_name("lifecycle_kill", tests, NULL, NULL);
}
