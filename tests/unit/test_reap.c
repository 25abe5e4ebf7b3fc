/* tests/unit/test_reap.c — wait statuses to exit codes, the -e remap, and
 * the reaping loop against real children. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "podinit/exit_code.h"
#include "podinit/reap.h"

/* Wait statuses as the kernel encodes them. */
#define EXITED(code) (((code) & 0xff) << 8)
#define KILLED(sig) ((sig) & 0x7f)

static void exit_codes_pass_through(void **state) {
    (void)state;
    int codes[] = {0, 1, 2, 127, 255};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        assert_int_equal(exit_code_of(EXITED(codes[i])), codes[i]);
}

static void death_by_signal_is_128_plus_n(void **state) {
    (void)state;
    assert_int_equal(exit_code_of(KILLED(SIGTERM)), 143);
    assert_int_equal(exit_code_of(KILLED(SIGHUP)), 129);
    assert_int_equal(exit_code_of(KILLED(SIGQUIT)), 131);
    assert_int_equal(exit_code_of(KILLED(SIGKILL)), 137);
    assert_int_equal(exit_code_of(KILLED(SIGQUIT) | 0x80), 131); /* core dumped */
}

static void remap_turns_listed_codes_into_zero(void **state) {
    (void)state;
    struct exit_code_remap rm = {0};
    assert_int_equal(exit_code_remap_add(&rm, "143"), 0);
    assert_int_equal(exit_code_remap_add(&rm, "0"), 0);
    assert_int_equal(exit_code_remap_add(&rm, "255"), 0);
    assert_int_equal(exit_code_container(KILLED(SIGTERM), &rm), 0);
    assert_int_equal(exit_code_container(EXITED(255), &rm), 0);
    assert_int_equal(exit_code_container(EXITED(1), &rm), 1);
    assert_int_equal(exit_code_container(KILLED(SIGKILL), &rm), 137);
    for (int c = 0; c < 256; c++)
        assert_int_equal(exit_code_remap_has(&rm, c), c == 0 || c == 143 || c == 255);
    assert_false(exit_code_remap_has(&rm, -1));
    assert_false(exit_code_remap_has(&rm, 256));
}

static void remap_rejects_non_codes(void **state) {
    (void)state;
    struct exit_code_remap rm = {0};
    const char *bad[] = {"", "256", "300", "-1", "+1", " 1", "1 ", "0x10", "abc",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(exit_code_remap_add(&rm, bad[i]), -1);
    assert_int_equal(exit_code_remap_add(&rm, NULL), -1);
    for (int c = 0; c < 256; c++)
        assert_false(exit_code_remap_has(&rm, c));
}

struct seen {
    int count;
    int sum_codes;
};

static void count_reaped(void *ctx, pid_t pid, int status) {
    (void)pid;
    struct seen *s = ctx;
    s->count++;
    s->sum_codes += exit_code_of(status);
}

static void reaps_every_exited_child_and_reports_its_status(void **state) {
    (void)state;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            /* exec, so a checker following forks (valgrind) does not
             * replace the exit code with its own */
            char cmd[16];
            snprintf(cmd, sizeof cmd, "exit %d", i % 3);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
    }
    struct seen s = {0};
    int total = 0;
    /* Children exit at their own pace: poll, bounded, until all 20 came back. */
    for (int tries = 0; tries < 500 && total < 20; tries++) {
        int n = reap_children(count_reaped, &s, NULL);
        assert_true(n >= 0);
        total += n;
        if (total < 20)
            usleep(10000);
    }
    assert_int_equal(total, 20);
    assert_int_equal(s.count, 20);
    int expect = 0;
    for (int i = 0; i < 20; i++)
        expect += i % 3;
    assert_int_equal(s.sum_codes, expect);
    /* nothing left: not an error, and said so */
    bool none_left = false;
    assert_int_equal(reap_children(count_reaped, &s, &none_left), 0);
    assert_true(none_left);
    pid_t sleeper = fork();
    if (sleeper == 0) {
        pause();
        _exit(0);
    }
    assert_int_equal(reap_children(count_reaped, &s, &none_left), 0);
    assert_false(none_left); /* a live child is still ours */
    kill(sleeper, SIGKILL);
    waitpid(sleeper, NULL, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_codes_pass_through),
        cmocka_unit_test(death_by_signal_is_128_plus_n),
        cmocka_unit_test(remap_turns_listed_codes_into_zero),
        cmocka_unit_test(remap_rejects_non_codes),
        cmocka_unit_test(reaps_every_exited_child_and_reports_its_status),
    };
    return cmocka_run_group_tests_name("reap", tests, NULL, NULL);
}
