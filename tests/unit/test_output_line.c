/* tests/unit/test_output_line.c — a process's output cut into lines
 * (whole lines, long ones in pieces, the last without a newline) and each
 * formatted as "name | line" or one JSON object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdlib.h>
#include <string.h>

#include "podinit/output_line.h"

/* Feeds data in chunks of `chunk` bytes; the lines, joined with '|'. */
static char *lines_of(const char *data, size_t n, size_t chunk, bool end) {
    static struct output_splitter s;
    static char joined[4 * OUTPUT_LINE_MAX];
    memset(&s, 0, sizeof s);
    size_t j = 0, off = 0;
    while (off < n || (end && (output_split_end(&s), s.ready))) {
        size_t k = off < n ? output_split(&s, data + off, n - off < chunk ? n - off : chunk) : 0;
        off += k;
        if (s.ready) {
            assert_true(j + s.line_len + 1 < sizeof joined);
            memcpy(joined + j, s.buf, s.line_len);
            j += s.line_len;
            joined[j++] = '|';
            output_line_done(&s);
        } else if (off >= n && !end) {
            break;
        }
    }
    joined[j] = '\0';
    return joined;
}

static void lines_come_whole_however_the_reads_cut_them(void **state) {
    (void)state;
    const char text[] = "GET /\nPOST /x\n\nlast";
    for (size_t chunk = 1; chunk <= sizeof text; chunk++) {
        assert_string_equal(lines_of(text, sizeof text - 1, chunk, false), "GET /|POST /x||");
        assert_string_equal(lines_of(text, sizeof text - 1, chunk, true), "GET /|POST /x||last|");
    }
    assert_string_equal(lines_of("", 0, 1, true), ""); /* nothing: no empty last line */
}

static void a_long_line_is_split_between_sequences(void **state) {
    (void)state;
    size_t n = OUTPUT_LINE_MAX + 10;
    char *data = malloc(n + 1);
    assert_non_null(data);
    memset(data, 'a', n);
    /* a two-byte é straddling the cut */
    data[OUTPUT_LINE_MAX - 1] = (char)0xc3;
    data[OUTPUT_LINE_MAX] = (char)0xa9;
    data[n] = '\n';
    struct output_splitter *s = calloc(1, sizeof *s);
    assert_non_null(s);
    size_t taken = output_split(s, data, n + 1);
    assert_int_equal(taken, OUTPUT_LINE_MAX);
    assert_true(s->ready);
    assert_int_equal(s->line_len, OUTPUT_LINE_MAX - 1); /* the é goes with the next piece */
    output_line_done(s);
    assert_int_equal(output_split(s, data, 0), 0);
    taken = output_split(s, data + OUTPUT_LINE_MAX, n + 1 - OUTPUT_LINE_MAX);
    assert_int_equal(taken, n + 1 - OUTPUT_LINE_MAX);
    assert_true(s->ready);
    assert_int_equal(s->line_len, 11);
    assert_memory_equal(s->buf, "\xc3\xa9" "aaaaaaaaa", 11);
    free(s);
    free(data);
}

static void nothing_is_taken_while_a_line_waits(void **state) {
    (void)state;
    struct output_splitter s = {.len = 0};
    assert_int_equal(output_split(&s, "a\nb\n", 4), 2);
    assert_int_equal(output_split(&s, "b\n", 2), 0); /* back-pressure: the caller keeps it */
    output_line_done(&s);
    assert_int_equal(output_split(&s, "b\n", 2), 2);
    assert_memory_equal(s.buf, "b", 1);
}

static void prefix_lines(void **state) {
    (void)state;
    char out[64];
    size_t n = output_format(OUTPUT_PREFIX, "web", OUTPUT_STDERR, 0, "GET /", 5, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "web | GET /\n", 12);
    assert_int_equal(output_format(OUTPUT_PREFIX, "web", OUTPUT_STDOUT, 0, "GET /", 5, out, 11), 0);
}

static void json_lines_are_valid_whatever_the_bytes(void **state) {
    (void)state;
    char out[256];
    size_t n = output_format(OUTPUT_JSON, "web", OUTPUT_STDOUT, 1764770000123, "a \"q\" \xff\x01", 8,
                             out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "{\"time\":1764770000.123,\"process\":\"web\",\"stream\":\"stdout\","
                             "\"msg\":\"a \\\"q\\\" \xef\xbf\xbd\\u0001\"}\n");
    n = output_format(OUTPUT_JSON, "db", OUTPUT_STDERR, 5, "", 0, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "{\"time\":0.005,\"process\":\"db\",\"stream\":\"stderr\",\"msg\":\"\"}\n");
    assert_int_equal(output_format(OUTPUT_JSON, "db", OUTPUT_STDERR, 5, "x", 1, out, 40), 0);
    assert_int_equal(output_format(OUTPUT_INHERIT, "db", OUTPUT_STDERR, 5, "x", 1, out, 40), 0);
}

static void the_widest_line_fits_the_bound(void **state) {
    (void)state;
    const char *name = "p-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    size_t cap = output_format_max(name);
    char *line = malloc(OUTPUT_LINE_MAX), *out = malloc(cap);
    assert_non_null(line);
    assert_non_null(out);
    memset(line, 0x01, OUTPUT_LINE_MAX); /* each byte its widest escape */
    assert_true(output_format(OUTPUT_JSON, name, OUTPUT_STDERR, INT64_MAX, line, OUTPUT_LINE_MAX,
                              out, cap) > 0);
    assert_true(output_format(OUTPUT_PREFIX, name, OUTPUT_STDERR, 0, line, OUTPUT_LINE_MAX, out,
                              cap) > 0);
    free(line);
    free(out);
}

static void the_dropped_note(void **state) {
    (void)state;
    char out[256];
    size_t n = output_format_dropped(OUTPUT_PREFIX, "web", OUTPUT_STDOUT, 0, 3, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "podinit: 3 lines of web dropped\n");
    n = output_format_dropped(OUTPUT_JSON, "web", OUTPUT_STDERR, 1500, 1, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "{\"time\":1.500,\"process\":\"web\",\"stream\":\"stderr\","
                             "\"dropped\":1,\"msg\":\"podinit: 1 line of web dropped\"}\n");
    assert_int_equal(output_format_dropped(OUTPUT_JSON, "web", OUTPUT_STDERR, 1500, 1, out, 60), 0);
}

static void modes_by_name(void **state) {
    (void)state;
    assert_int_equal(output_mode_parse("inherit"), OUTPUT_INHERIT);
    assert_int_equal(output_mode_parse("prefix"), OUTPUT_PREFIX);
    assert_int_equal(output_mode_parse("json"), OUTPUT_JSON);
    assert_int_equal(output_mode_parse("JSON"), -1);
    assert_string_equal(output_mode_name(OUTPUT_PREFIX), "prefix");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_come_whole_however_the_reads_cut_them),
        cmocka_unit_test(a_long_line_is_split_between_sequences),
        cmocka_unit_test(nothing_is_taken_while_a_line_waits),
        cmocka_unit_test(prefix_lines),
        cmocka_unit_test(json_lines_are_valid_whatever_the_bytes),
        cmocka_unit_test(the_widest_line_fits_the_bound),
        cmocka_unit_test(the_dropped_note),
        cmocka_unit_test(modes_by_name),
    };
    return cmocka_run_group_tests_name("output_line", tests, NULL, NULL);
}
