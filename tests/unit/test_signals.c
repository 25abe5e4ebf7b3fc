/* tests/unit/test_signals.c — signal names and the rewrite map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "podinit/signal_state.h"

static void names_with_or_without_sig_in_any_case(void **state) {
    (void)state;
    assert_int_equal(signals_parse("TERM"), SIGTERM);
    assert_int_equal(signals_parse("SIGTERM"), SIGTERM);
    assert_int_equal(signals_parse("sigterm"), SIGTERM);
    assert_int_equal(signals_parse("Term"), SIGTERM);
    assert_int_equal(signals_parse("SIGKILL"), SIGKILL);
    assert_int_equal(signals_parse("winch"), SIGWINCH);
    assert_int_equal(signals_parse("CHLD"), SIGCHLD);
    assert_int_equal(signals_parse("USR2"), SIGUSR2);
}

static void numbers_and_realtime(void **state) {
    (void)state;
    assert_int_equal(signals_parse("15"), 15);
    assert_int_equal(signals_parse("1"), 1);
    assert_int_equal(signals_parse("RTMIN"), SIGRTMIN);
    assert_int_equal(signals_parse("SIGRTMIN+3"), SIGRTMIN + 3);
    assert_int_equal(signals_parse("rtmax"), SIGRTMAX);
    assert_int_equal(signals_parse("RTMAX-2"), SIGRTMAX - 2);
    assert_int_equal(signals_parse("64"), SIGRTMAX);
}

static void rejects_what_names_no_signal(void **state) {
    (void)state;
    const char *bad[] = {"", "0", "65", "-1", "15x", "SIG", "NOTASIGNAL", "RTMIN-1",
                         "RTMAX+1", "RTMIN+", "RTMIN+99", " 15", "TERM ", "99999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(signals_parse(bad[i]), -1);
    assert_int_equal(signals_parse(NULL), -1);
}

static void names_round_trip(void **state) {
    (void)state;
    char buf[32];
    assert_string_equal(signals_name(SIGTERM, buf, sizeof buf), "SIGTERM");
    assert_string_equal(signals_name(SIGRTMIN, buf, sizeof buf), "SIGRTMIN");
    assert_string_equal(signals_name(SIGRTMIN + 2, buf, sizeof buf), "SIGRTMIN+2");
    assert_string_equal(signals_name(99, buf, sizeof buf), "SIG99");
    for (int s = 1; s <= SIGRTMAX; s++) {
        if (s > 31 && s < SIGRTMIN)
            continue;
        assert_int_equal(signals_parse(signals_name(s, buf, sizeof buf)), s);
    }
    char tiny[4];
    signals_name(SIGTERM, tiny, sizeof tiny); /* truncates, never overflows */
    assert_string_equal(tiny, "SIG");
}

static void rewrite_map_maps_drops_and_passes(void **state) {
    (void)state;
    struct signals_rewrite rw;
    signals_rewrite_init(&rw);
    for (int s = 1; s <= 64; s++) /* the C library's own are never passed on */
        assert_int_equal(signals_rewrite_apply(&rw, s), signals_reserved(s) ? 0 : s);
    assert_int_equal(signals_rewrite_add(&rw, "15:3", true), 0);
    assert_int_equal(signals_rewrite_add(&rw, "28:0", true), 0);
    assert_int_equal(signals_rewrite_add(&rw, "1:31", true), 0);
    assert_int_equal(signals_rewrite_add(&rw, "31:1", true), 0);
    assert_int_equal(signals_rewrite_apply(&rw, 15), 3);
    assert_int_equal(signals_rewrite_apply(&rw, 28), 0);
    assert_int_equal(signals_rewrite_apply(&rw, 1), 31);
    assert_int_equal(signals_rewrite_apply(&rw, 31), 1);
    assert_int_equal(signals_rewrite_apply(&rw, 2), 2);
    assert_int_equal(signals_rewrite_apply(&rw, SIGRTMIN), SIGRTMIN);
    /* a later rule for the same signal replaces the earlier one */
    assert_int_equal(signals_rewrite_add(&rw, "15:2", true), 0);
    assert_int_equal(signals_rewrite_apply(&rw, 15), 2);
}

static void rewrite_names_only_when_allowed(void **state) {
    (void)state;
    struct signals_rewrite rw;
    signals_rewrite_init(&rw);
    assert_int_equal(signals_rewrite_add(&rw, "TERM:QUIT", false), 0);
    assert_int_equal(signals_rewrite_add(&rw, "SIGWINCH:0", false), 0);
    assert_int_equal(signals_rewrite_apply(&rw, SIGTERM), SIGQUIT);
    assert_int_equal(signals_rewrite_apply(&rw, SIGWINCH), 0);
    assert_int_equal(signals_rewrite_add(&rw, "TERM:QUIT", true), -1);
}

static void rewrite_rejects_malformed_specs(void **state) {
    (void)state;
    struct signals_rewrite rw;
    signals_rewrite_init(&rw);
    const char *bad[] = {"", "15", ":", "15:", ":3", "0:1", "1:32", "32:1", "15::12",
                         "15:derp", "herp:derp", "15:3:4", "-1:3", "15:-1", "RTMIN:1",
                         "1:RTMIN", "0000000000000000000000000000000001:2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(signals_rewrite_add(&rw, bad[i], false), -1);
        assert_int_equal(signals_rewrite_add(&rw, bad[i], true), -1);
    }
    for (int s = 1; s <= 31; s++)
        assert_int_equal(signals_rewrite_apply(&rw, s), s); /* nothing half-applied */
}

static void rewrite_default_yields_to_explicit(void **state) {
    (void)state;
    struct signals_rewrite rw;
    signals_rewrite_init(&rw);
    assert_int_equal(signals_rewrite_add(&rw, "20:15", true), 0);
    signals_rewrite_default(&rw, SIGTSTP, SIGSTOP);
    signals_rewrite_default(&rw, SIGTTIN, SIGSTOP);
    assert_int_equal(signals_rewrite_apply(&rw, SIGTSTP), SIGTERM);
    assert_int_equal(signals_rewrite_apply(&rw, SIGTTIN), SIGSTOP);
}

static void reserved_and_unusable_signals(void **state) {
    (void)state;
    /* the C library's own: 32 and 33 (glibc), up to 34 (musl) */
    assert_true(signals_reserved(32));
    assert_true(signals_reserved(33));
    assert_true(signals_reserved(SIGRTMIN - 1));
    assert_false(signals_reserved(SIGRTMIN));
    assert_false(signals_reserved(31));
    assert_false(signals_reserved(SIGTERM));
    /* what podinit cannot act on when it arrives, and why */
    assert_non_null(strstr(signals_unusable(SIGKILL, false), "cannot be caught"));
    assert_non_null(strstr(signals_unusable(SIGSTOP, true), "cannot be caught"));
    assert_non_null(strstr(signals_unusable(SIGCHLD, true), "child"));
    assert_non_null(strstr(signals_unusable(32, true), "C library"));
    assert_non_null(strstr(signals_unusable(33, false), "C library"));
    int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        assert_non_null(strstr(signals_unusable(faults[i], false), "would kill it"));
        assert_null(signals_unusable(faults[i], true)); /* blocked (dumb-init), or only sent */
    }
    int fine[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGWINCH, SIGRTMIN, SIGRTMAX};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
        assert_null(signals_unusable(fine[i], false));
    assert_non_null(signals_unusable(0, true));
    assert_non_null(signals_unusable(SIGRTMAX + 1, true));
}

/* The kernel's blocked mask of this process, from /proc/self/status. */
static unsigned long long blocked_now(void) {
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    unsigned long long mask = 0;
    bool found = false;
    while (fgets(line, sizeof line, f))
        found = found || sscanf(line, "SigBlk: %llx", &mask) == 1;
    fclose(f);
    assert_true(found);
    return mask;
}

#define BIT(s) (1ULL << ((s)-1))

/* The C library refuses to block 32 and 33: podinit must block them anyway
 * (they would kill it) and give the child exactly the caller's mask. */
static void take_over_blocks_reserved_signals_and_gives_the_mask_back(void **state) {
    (void)state;
    unsigned long raw[_NSIG / 8 / sizeof(unsigned long)] = {0};
    raw[(33 - 1) / (8 * sizeof(unsigned long))] |= 1UL << ((33 - 1) % (8 * sizeof(unsigned long)));
    assert_int_equal(syscall(SYS_rt_sigprocmask, SIG_SETMASK, raw, NULL, sizeof raw), 0);
    unsigned long long caller = blocked_now();
    assert_true(caller & BIT(33));

    struct signal_state saved;
    sigset_t handled;
    assert_int_equal(signal_state_take_over(&saved, &handled, false), 0);
    unsigned long long ours = blocked_now();
    assert_true(ours & BIT(32));
    assert_true(ours & BIT(33));
    assert_true(ours & BIT(SIGTERM));
    assert_false(ours & BIT(SIGSEGV)); /* a fault in podinit stays a crash */

    signal_state_restore_in_child(&saved);
    assert_true(blocked_now() == caller);
    memset(raw, 0, sizeof raw);
    assert_int_equal(syscall(SYS_rt_sigprocmask, SIG_SETMASK, raw, NULL, sizeof raw), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_with_or_without_sig_in_any_case),
        cmocka_unit_test(numbers_and_realtime),
        cmocka_unit_test(rejects_what_names_no_signal),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(rewrite_map_maps_drops_and_passes),
        cmocka_unit_test(rewrite_names_only_when_allowed),
        cmocka_unit_test(rewrite_rejects_malformed_specs),
        cmocka_unit_test(rewrite_default_yields_to_explicit),
        cmocka_unit_test(reserved_and_unusable_signals),
        cmocka_unit_test(take_over_blocks_reserved_signals_and_gives_the_mask_back),
    };
    return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
