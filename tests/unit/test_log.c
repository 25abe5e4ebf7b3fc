/* tests/unit/test_log.c — the log line formats: podinit's JSON lines (valid
 * JSON whatever the message holds, bounded) and the personas' prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "podinit/log.h"

/* Run one log call with stderr captured; returns what was written. */
static char captured[4096];

static const char *capture_stderr_of(void (*call)(void)) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(p[1], STDERR_FILENO) >= 0);
    call();
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(p[1]);
    ssize_t n = read(p[0], captured, sizeof captured - 1);
    close(p[0]);
    captured[n > 0 ? n : 0] = '\0';
    return captured;
}

static void say_awkward_things(void) {
    log_msg(LOG_WARN, "quote \" backslash \\ newline \n tab \t bell \a done");
}

static void json_lines_escape_everything(void **state) {
    (void)state;
    log_init(PERSONA_PODINIT, LOG_INFO, 0, true);
    const char *out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "{\"time\":", 8) == 0);
    const char *rest = strstr(out, ",\"level\":\"warn\",\"pid\":");
    assert_non_null(rest);
    const char *msg = strstr(rest, ",\"msg\":\"");
    assert_non_null(msg);
    assert_string_equal(msg, ",\"msg\":\"quote \\\" backslash \\\\ newline \\n tab \\u0009 bell "
                             "\\u0007 done\"}\n");
}

static void say_too_much(void) {
    char big[3000];
    memset(big, '"', sizeof big - 1); /* every byte doubles when escaped */
    big[sizeof big - 1] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_lines_are_bounded_and_still_closed(void **state) {
    (void)state;
    log_init(PERSONA_PODINIT, LOG_INFO, 0, true);
    const char *out = capture_stderr_of(say_too_much);
    size_t len = strlen(out);
    assert_true(len <= 1024);
    assert_string_equal(out + len - 3, "\"}\n");
    assert_int_equal(out[len - 4], '"'); /* cut after a whole escape, never inside one */
    assert_int_equal(out[len - 5], '\\');
}

static void say_info(void) {
    log_msg(LOG_INFO, "hello");
}

static void say_debug(void) {
    log_msg(LOG_DEBUG, "hidden");
}

static void levels_and_persona_prefixes(void **state) {
    (void)state;
    log_init(PERSONA_PODINIT, LOG_INFO, 0, false);
    assert_string_equal(capture_stderr_of(say_debug), ""); /* above the threshold */
    const char *out = capture_stderr_of(say_info);
    assert_true(strncmp(out, "podinit: ", 9) == 0);
    assert_non_null(strstr(out, " info: hello\n"));
    log_init(PERSONA_DUMB_INIT, LOG_DEBUG, 0, true); /* json is podinit's only */
    assert_string_equal(capture_stderr_of(say_debug), "[dumb-init] hidden\n");
    log_init(PERSONA_TINI, LOG_WARN, 0, false);
    out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "[WARN  tini (", 13) == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_lines_escape_everything),
        cmocka_unit_test(json_lines_are_bounded_and_still_closed),
        cmocka_unit_test(levels_and_persona_prefixes),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
