/* tests/unit/test_log.c — the log line formats: podinit's JSON lines (valid
 * UTF-8 JSON whatever the message holds, bounded) and the personas' prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "podinit/log.h"

/* The log settings the captures use. */
static enum cli_persona persona = PERSONA_PODINIT;
static int threshold = LOG_INFO;
static bool json;

static void use(enum cli_persona p, int level, bool as_json) {
    persona = p, threshold = level, json = as_json;
}

/* Everything readable on fd now, NUL-terminated, without waiting. */
static size_t read_now(int fd, char *buf, size_t cap) {
    int fl = fcntl(fd, F_GETFL);
    assert_true(fl >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    assert_int_equal(fcntl(fd, F_SETFL, fl), 0);
    buf[got] = '\0';
    return got;
}

/* Run one log call with fd (1 or 2) a fresh pipe; returns what was written.
 * The logger looks at its streams when log_init runs, so it runs on each
 * side of the call. */
static char captured[8192];

static const char *capture_fd_of(int fd, void (*call)(void)) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(fd);
    assert_true(saved >= 0);
    assert_true(dup2(p[1], fd) >= 0);
    close(p[1]);
    log_init(persona, threshold, 0, json);
    call();
    assert_true(dup2(saved, fd) >= 0);
    close(saved);
    log_init(persona, threshold, 0, json); /* lets go of the pipe */
    read_now(p[0], captured, sizeof captured);
    close(p[0]);
    return captured;
}

static const char *capture_stderr_of(void (*call)(void)) {
    return capture_fd_of(STDERR_FILENO, call);
}

/* Is s[0..n) well-formed UTF-8 (no overlong, surrogate, or > U+10FFFF)? */
static bool is_utf8(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (need == 0 || c > 0xf4 || i + need > n)
            return false;
        unsigned long v = need == 1 ? c : c & (0x7f >> need);
        for (unsigned k = 1; k < need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            v = v << 6 | (s[i + k] & 0x3f);
        }
        if ((need == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (need == 4 && (v < 0x10000 || v > 0x10ffff)))
            return false;
        i += need;
    }
    return true;
}

/* The msg field of a JSON line, as written (escapes and all). */
static const char *msg_of(const char *line) {
    const char *m = strstr(line, ",\"msg\":\"");
    assert_non_null(m);
    return m + 8;
}

/* ---- JSON lines ---------------------------------------------------------------- */

static void say_awkward_things(void) {
    log_msg(LOG_WARN, "quote \" backslash \\ newline \n tab \t bell \a done");
}

static void json_lines_escape_everything(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "{\"time\":", 8) == 0);
    const char *rest = strstr(out, ",\"level\":\"warn\",\"pid\":");
    assert_non_null(rest);
    assert_string_equal(msg_of(rest), "quote \\\" backslash \\\\ newline \\n tab \\u0009 bell "
                                      "\\u0007 done\"}\n");
}

static void say_invalid_utf8(void) {
    /* 0xff 0xfe; an overlong '/'; a surrogate; past U+10FFFF; a lone
     * continuation byte; a sequence cut short by 'A'; then good text. */
    log_msg(LOG_INFO, "a\xff\xfe|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe2\x82"
                      "A|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void json_lines_replace_invalid_utf8(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_invalid_utf8);
    assert_true(is_utf8(out, strlen(out)));
#define R "\xef\xbf\xbd" /* U+FFFD, for each maximal subpart */
    assert_string_equal(msg_of(out), "a" R R "|" R R "|" R R R "|" R R R R "|" R "|" R
                                     "A|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}\n");
#undef R
}

static void say_controls(void) {
    /* U+0085 (NEL), DEL, U+2028, U+2029, a file separator, a NUL */
    log_msg(LOG_INFO, "%s%c%s", "\xc2\x85|\x7f|\xe2\x80\xa8|\xe2\x80\xa9|\x1c|", 0, "end");
}

static void json_lines_escape_controls_and_line_separators(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_controls);
    assert_string_equal(msg_of(out), "\\u0085|\\u007f|\\u2028|\\u2029|\\u001c|\\u0000end\"}\n");
}

static void say_too_much(void) {
    char big[3000];
    memset(big, '"', sizeof big - 1); /* every byte doubles when escaped */
    big[sizeof big - 1] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_lines_are_bounded_and_still_closed(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_too_much);
    size_t len = strlen(out);
    assert_true(len <= 1024);
    assert_string_equal(out + len - 3, "\"}\n");
    assert_int_equal(out[len - 4], '"'); /* cut after a whole escape, never inside one */
    assert_int_equal(out[len - 5], '\\');
}

static void say_many_controls(void) {
    char big[1000];
    memset(big, 1, sizeof big - 1); /* \u0001: 6 bytes each */
    big[sizeof big - 1] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_lines_cut_between_unicode_escapes(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *msg = msg_of(capture_stderr_of(say_many_controls));
    size_t len = strlen(msg);
    assert_true(len > 3);
    assert_string_equal(msg + len - 3, "\"}\n");
    assert_int_equal((len - 3) % 6, 0); /* whole escapes only */
    for (size_t i = 0; i + 3 < len; i += 6)
        assert_memory_equal(msg + i, "\\u0001", 6);
}

/* A message of 2-byte characters after `pad` ASCII bytes, longer than a line. */
static size_t pad;

static void say_many_two_byte_chars(void) {
    char big[2400];
    memset(big, 'x', pad);
    size_t i = pad;
    while (i + 2 < sizeof big)
        big[i++] = '\xc3', big[i++] = '\xa9'; /* é */
    big[i] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_cuts_never_split_a_character(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    for (pad = 0; pad < 4; pad++) {
        const char *out = capture_stderr_of(say_many_two_byte_chars);
        size_t len = strlen(out);
        assert_true(len <= 1024);
        assert_true(is_utf8(out, len));
        assert_null(strstr(out, "\xef\xbf\xbd")); /* cut, not replaced */
        assert_string_equal(out + len - 3, "\"}\n");
    }
}

/* The message buffer (768 bytes) keeps 767 before the line is built: ASCII,
 * then a character the cut splits, after its first or its second byte. */
static size_t ascii;
static const char *split;

static void say_cut_by_the_message_buffer(void) {
    char big[800];
    memset(big, 'y', ascii);
    snprintf(big + ascii, sizeof big - ascii, "%s%s", split, split);
    log_msg(LOG_INFO, "%s", big);
}

static void json_message_cut_drops_the_split_character(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const struct {
        size_t ascii;
        const char *split;
    } cases[] = {
        {766, "\xc3\xa9"}, {765, "\xe2\x82\xac"}, {766, "\xe2\x82\xac"}, {764, "\xf0\x9f\x98\x80"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ascii = cases[i].ascii, split = cases[i].split;
        const char *msg = msg_of(capture_stderr_of(say_cut_by_the_message_buffer));
        size_t len = strlen(msg);
        assert_true(is_utf8(msg, len));
        assert_null(strstr(msg, "\xef\xbf\xbd")); /* cut away, not replaced */
        assert_int_equal(len, ascii + 3);
        assert_string_equal(msg + ascii, "\"}\n");
    }
}

/* ---- text lines and personas ---------------------------------------------------- */

static void say_info(void) {
    log_msg(LOG_INFO, "hello");
}

static void say_debug(void) {
    log_msg(LOG_DEBUG, "hidden");
}

static void levels_and_persona_prefixes(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    assert_string_equal(capture_stderr_of(say_debug), ""); /* above the threshold */
    const char *out = capture_stderr_of(say_info);
    assert_true(strncmp(out, "podinit: ", 9) == 0);
    assert_non_null(strstr(out, " info: hello\n"));
    use(PERSONA_DUMB_INIT, LOG_DEBUG, true); /* json is podinit's only */
    assert_string_equal(capture_stderr_of(say_debug), "[dumb-init] hidden\n");
    use(PERSONA_TINI, LOG_WARN, false);
    out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "[WARN  tini (", 13) == 0);
    use(PERSONA_TINI, LOG_INFO, false); /* tini's INFO goes to stdout */
    out = capture_fd_of(STDOUT_FILENO, say_info);
    assert_true(strncmp(out, "[INFO  tini (", 13) == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_lines_escape_everything),
        cmocka_unit_test(json_lines_replace_invalid_utf8),
        cmocka_unit_test(json_lines_escape_controls_and_line_separators),
        cmocka_unit_test(json_lines_are_bounded_and_still_closed),
        cmocka_unit_test(json_lines_cut_between_unicode_escapes),
        cmocka_unit_test(json_cuts_never_split_a_character),
        cmocka_unit_test(json_message_cut_drops_the_split_character),
        cmocka_unit_test(levels_and_persona_prefixes),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
