/* tests/unit/test_text.c — whole numbers from text: digits only, bounds
 * kept, no overflow whatever the length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include "podinit/text.h"

static void digits_within_bounds_are_numbers(void **state) {
    (void)state;
    assert_int_equal(text_parse_number("0", 0, 255), 0);
    assert_int_equal(text_parse_number("255", 0, 255), 255);
    assert_int_equal(text_parse_number("007", 0, 255), 7);
    assert_int_equal(text_parse_number("64", 1, 64), 64);
}

static void anything_else_is_refused(void **state) {
    (void)state;
    const char *bad[] = {"", "-1", "+1", " 1", "1 ", "0x10", "1e2", "1.0", "abc", "256"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(text_parse_number(bad[i], 0, 255), -1);
    assert_int_equal(text_parse_number("0", 1, 64), -1);
    assert_int_equal(text_parse_number(NULL, 0, 255), -1);
    assert_int_equal(text_parse_number("99999999999999999999999999999999", 0, 255), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digits_within_bounds_are_numbers),
        cmocka_unit_test(anything_else_is_refused),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
