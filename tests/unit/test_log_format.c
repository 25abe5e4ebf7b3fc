/* tests/unit/test_log_format.c — a log line's bytes, without any output:
 * each persona's prefix, the newline rule, the bounds, podinit's JSON and
 * the dropped-lines note, with a fixed pid and clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "podinit/log_format.h"

static const struct log_stamp st = {.pid = 42, .elapsed_ms = 61234};

static char line[LOG_FORMAT_LINE_MAX];

static size_t text(size_t cap, enum persona_log_style style, enum log_level level,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t text(size_t cap, enum persona_log_style style, enum log_level level,
                   const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    memset(line, 'X', sizeof line);
    size_t n = log_format_text(line, cap, style, level, &st, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && n < cap);
    line[n] = '\0';
    return n;
}

static size_t json(enum log_level level, const struct log_fields *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t json(enum log_level level, const struct log_fields *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = log_format_json(line, sizeof line, level, f, &st, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && n < sizeof line);
    line[n] = '\0';
    return n;
}

static void each_style_has_its_prefix(void **state) {
    (void)state;
    text(sizeof line, LOG_STYLE_PODINIT, LOG_WARN, "hello %d", 7);
    assert_string_equal(line, "podinit: 61.234s warn: hello 7\n");
    text(sizeof line, LOG_STYLE_TINI, LOG_INFO, "Spawned");
    assert_string_equal(line, "[INFO  tini (42)] Spawned\n");
    text(sizeof line, LOG_STYLE_TINI, LOG_ERROR, "x");
    assert_string_equal(line, "[FATAL tini (42)] x\n");
    text(sizeof line, LOG_STYLE_DUMB_INIT, LOG_DEBUG, "Received signal %d.", 15);
    assert_string_equal(line, "[dumb-init] Received signal 15.\n");
    text(sizeof line, LOG_STYLE_CATATONIT, LOG_ERROR, "failed");
    assert_string_equal(line, "ERROR (catatonit:42): failed\n");
    text(sizeof line, LOG_STYLE_CATATONIT, LOG_WARN, "w");
    assert_string_equal(line, "WARN (catatonit:42): w\n");
    text(sizeof line, LOG_STYLE_CATATONIT, LOG_TRACE, "t");
    assert_string_equal(line, "DEBUG (catatonit:42): t\n");
}

static void a_message_newline_is_not_doubled(void **state) {
    (void)state;
    text(sizeof line, LOG_STYLE_DUMB_INIT, LOG_DEBUG, "setsid complete.\n");
    assert_string_equal(line, "[dumb-init] setsid complete.\n");
    text(sizeof line, LOG_STYLE_PODINIT, LOG_INFO, "two\nlines");
    assert_string_equal(line, "podinit: 61.234s info: two\nlines\n");
}

static void a_long_line_is_cut_and_still_ends_the_line(void **state) {
    (void)state;
    size_t n = text(32, LOG_STYLE_DUMB_INIT, LOG_DEBUG, "%s", "0123456789012345678901234567890");
    assert_int_equal(n, 31); /* cap 32: 30 bytes kept, the newline; no more */
    assert_string_equal(line, "[dumb-init] 012345678901234567\n");
    /* a prefix longer than the line: cut, never past the end */
    n = text(8, LOG_STYLE_PODINIT, LOG_INFO, "msg");
    assert_int_equal(n, 7);
    assert_string_equal(line, "podini\n");
    assert_int_equal(line[8], 'X');
}

static void which_styles_need_pid_and_time(void **state) {
    (void)state;
    assert_int_equal(log_format_needs(LOG_STYLE_PODINIT, false), LOG_NEEDS_TIME);
    assert_int_equal(log_format_needs(LOG_STYLE_TINI, false), LOG_NEEDS_PID);
    assert_int_equal(log_format_needs(LOG_STYLE_DUMB_INIT, false), 0);
    assert_int_equal(log_format_needs(LOG_STYLE_CATATONIT, false), LOG_NEEDS_PID);
    assert_int_equal(log_format_needs(LOG_STYLE_PODINIT, true), LOG_NEEDS_PID | LOG_NEEDS_TIME);
}

static void json_lines_carry_their_fields(void **state) {
    (void)state;
    json(LOG_INFO, &(struct log_fields){.event = "exit", .has_status = true, .status = 143},
         "main process killed by %s", "SIGTERM");
    assert_string_equal(line, "{\"time\":61.234,\"level\":\"info\",\"event\":\"exit\",\"pid\":42,"
                              "\"status\":143,\"msg\":\"main process killed by SIGTERM\"}\n");
    json(LOG_WARN, &(struct log_fields){.child = 7, .signo = 15, .hook = "preStop"}, "q\"\\\n");
    assert_string_equal(line, "{\"time\":61.234,\"level\":\"warn\",\"pid\":42,\"child\":7,"
                              "\"signal\":\"SIGTERM\",\"hook\":\"preStop\",\"msg\":\"q\\\"\\\\\\n\"}\n");
    json(LOG_INFO,
         &(struct log_fields){
             .event = "stop", .process = "proxy", .kind = "sidecar", .state = "TERMINATING",
             .child = 3, .signo = 15},
         "proxy: stopping");
    assert_string_equal(line, "{\"time\":61.234,\"level\":\"info\",\"event\":\"stop\",\"pid\":42,"
                              "\"process\":\"proxy\",\"kind\":\"sidecar\",\"state\":\"TERMINATING\","
                              "\"child\":3,\"signal\":\"SIGTERM\",\"msg\":\"proxy: stopping\"}\n");
    json(LOG_DEBUG, NULL, "bad \xff byte");
    assert_non_null(strstr(line, "\"msg\":\"bad \xef\xbf\xbd byte\"}\n"));
}

static void a_long_json_message_is_cut_at_a_whole_sequence(void **state) {
    (void)state;
    char msg[LOG_FORMAT_MSG_MAX + 8];
    memset(msg, 'a', sizeof msg);
    /* "é" (2 bytes) straddling the message buffer's end */
    msg[LOG_FORMAT_MSG_MAX - 2] = '\xc3';
    msg[LOG_FORMAT_MSG_MAX - 1] = '\xa9';
    msg[sizeof msg - 1] = '\0';
    size_t n = json(LOG_INFO, NULL, "%s", msg);
    assert_memory_equal(line + n - 5, "aa\"}\n", 5); /* the cut sequence dropped, not U+FFFD */
    assert_null(strstr(line, "\xef\xbf\xbd"));
}

static void the_dropped_note_in_both_formats(void **state) {
    (void)state;
    size_t n = log_format_dropped(line, sizeof line, false, &st, 3);
    assert_int_equal(n, strlen("podinit: 3 log lines dropped\n"));
    assert_memory_equal(line, "podinit: 3 log lines dropped\n", n);
    n = log_format_dropped(line, sizeof line, true, &st, 3);
    line[n] = '\0';
    assert_string_equal(line, "{\"time\":61.234,\"level\":\"warn\",\"event\":\"log_dropped\","
                              "\"pid\":42,\"dropped\":3,\"msg\":\"3 log lines dropped\"}\n");
    assert_int_equal(log_format_dropped(line, 10, false, &st, 3), 0); /* does not fit */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_style_has_its_prefix),
        cmocka_unit_test(a_message_newline_is_not_doubled),
        cmocka_unit_test(a_long_line_is_cut_and_still_ends_the_line),
        cmocka_unit_test(which_styles_need_pid_and_time),
        cmocka_unit_test(json_lines_carry_their_fields),
        cmocka_unit_test(a_long_json_message_is_cut_at_a_whole_sequence),
        cmocka_unit_test(the_dropped_note_in_both_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
