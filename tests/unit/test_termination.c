/* tests/unit/test_termination.c — the termination message's text for each
 * way a container ends, the pod driven with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>
#include <string.h>

#include "pod_fixture.h"
#include "podinit/termination.h"

static const struct lifecycle_config app = {.grace_ms = 10000};
static const struct exit_code_remap none = {{0}};

static const char *message(const struct fixture *f, const char *name) {
    static char buf[TERMINATION_MESSAGE_MAX];
    size_t n = termination_message(&f->pod, name, pod_exit_code(&f->pod, &none, 3), buf,
                                   sizeof buf);
    assert_int_equal(n, strlen(buf));
    assert_int_equal(buf[n - 1], '\n');
    assert_null(memchr(buf, '\n', n - 1)); /* one line */
    return buf;
}

static void an_exit_of_its_own(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, app, 1);
    reaped(&f, 0, EXITED(3), 100, true);
    assert_true(pod_done(&f.pod));
    assert_string_equal(message(&f, "web"), "\"web\" exited with status 3; exit code 3\n");
}

static void an_external_stop(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, app, 1);
    stop_signal(&f, SIGTERM, 100);
    reaped(&f, 0, SIGTERM, 200, true);
    assert_string_equal(message(&f, "web"),
                        "stopped by SIGTERM: \"web\" killed by SIGTERM; exit code 143\n");
}

static void a_grace_expiry(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, app, 1);
    stop_signal(&f, SIGTERM, 100);
    round_at(&f, 10100, true, false);
    reaped(&f, 0, SIGKILL, 10110, true);
    assert_true(pod_done(&f.pod));
    assert_string_equal(message(&f, "web"),
                        "stopped by SIGTERM: \"web\" killed by SIGKILL; grace period expired: "
                        "SIGKILL to everything left; exit code 137\n");
}

static void a_liveness_failure(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = app;
    cfg.probes = LC_PROBE_LIVENESS;
    start_same(&f, cfg, 1);
    pod_post(&f.pod, 0,
             (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = LC_PROBE_LIVENESS});
    run(&f, 500);
    reaped(&f, 0, SIGTERM, 600, true);
    assert_string_equal(message(&f, "web"),
                        "\"web\" liveness probe failed, killed by SIGTERM; exit code 143\n");
}

static void a_post_start_failure(void **state) {
    (void)state;
    struct fixture f;
    struct lifecycle_config cfg = app;
    cfg.post_start = (struct lifecycle_hook){LC_HOOK_JOB, 0};
    start_same(&f, cfg, 1);
    pod_post(&f.pod, 0,
             (struct lifecycle_event){.kind = EV_HOOK_DONE, .hook = LC_HOOK_POST_START});
    run(&f, 500);
    reaped(&f, 0, EXITED(0), 600, true);
    assert_string_equal(message(&f, "web"),
                        "\"web\" postStart hook failed, exited with status 0; exit code 3\n");
}

static void an_init_task_failure(void **state) {
    (void)state;
    struct fixture f;
    start(&f,
          (struct lifecycle_config[]){app, {.grace_ms = 10000, .role = LC_ROLE_INIT_TASK}}, 2);
    reaped(&f, 1, EXITED(7), 100, true);
    assert_string_equal(message(&f, "migrate"),
                        "init task \"migrate\" exited with status 7; exit code 7\n");
}

static void a_long_name_is_cut_to_the_cap(void **state) {
    (void)state;
    struct fixture f;
    start_same(&f, app, 1);
    reaped(&f, 0, EXITED(1), 100, true);
    char buf[24];
    size_t n = termination_message(&f.pod, "a-rather-long-name", 1, buf, sizeof buf);
    assert_int_equal(n, sizeof buf - 1);
    assert_int_equal(buf[n - 1], '\n');
    assert_int_equal(buf[n], '\0');
    assert_int_equal(termination_message(&f.pod, "x", 1, buf, 0), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_exit_of_its_own),     cmocka_unit_test(an_external_stop),
        cmocka_unit_test(a_grace_expiry),         cmocka_unit_test(a_liveness_failure),
        cmocka_unit_test(a_post_start_failure),   cmocka_unit_test(an_init_task_failure),
        cmocka_unit_test(a_long_name_is_cut_to_the_cap),
    };
    return cmocka_run_group_tests_name("termination", tests, NULL, NULL);
}
