/* tests/unit/test_users.c — passwd and group files read line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "podinit/users.h"

static char passwd[] = "/tmp/podinit-passwd-XXXXXX", group[] = "/tmp/podinit-group-XXXXXX";

static void write_file(char *path, const char *text) {
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    write_file(passwd, "# a comment\nroot:x:0:0:root:/root:/bin/sh\nbroken line\n"
                       "nogid:x:7:\napp:x:1000:1001:App:/app:/bin/false\n"
                       "big:x:99999999999:1:\nweb:x:33:33::/var/www:/bin/sh");
    write_file(group, "root:x:0:\nstaff:x:50:app,web\nweird:x:notanumber:\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(passwd);
    unlink(group);
    return 0;
}

static void users_by_name_and_by_uid(void **state) {
    (void)state;
    uid_t uid = 0;
    gid_t gid = 0;
    assert_int_equal(users_find_user(passwd, "app", &uid, &gid), 0);
    assert_int_equal(uid, 1000);
    assert_int_equal(gid, 1001);
    assert_int_equal(users_find_user(passwd, "web", &uid, &gid), 0); /* last line, no newline */
    assert_int_equal(uid, 33);
    uid = 1000;
    assert_int_equal(users_find_user(passwd, NULL, &uid, &gid), 0);
    assert_int_equal(gid, 1001);
    assert_int_equal(users_find_user(passwd, "nobody-here", &uid, &gid), -1);
    assert_int_equal(users_find_user(passwd, "nogid", &uid, &gid), -1); /* no gid field */
    assert_int_equal(users_find_user(passwd, "big", &uid, &gid), -1);   /* out of range */
    assert_int_equal(users_find_user(passwd, "broken line", &uid, &gid), -1);
    assert_int_equal(users_find_user("/nonexistent/passwd", "root", &uid, &gid), -1);
}

static void groups_by_name(void **state) {
    (void)state;
    gid_t gid = 0;
    assert_int_equal(users_find_group(group, "staff", &gid), 0);
    assert_int_equal(gid, 50);
    assert_int_equal(users_find_group(group, "weird", &gid), -1);
    assert_int_equal(users_find_group(group, "app", &gid), -1); /* a member is not a group */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(users_by_name_and_by_uid),
        cmocka_unit_test(groups_by_name),
    };
    return cmocka_run_group_tests_name("users", tests, setup, teardown);
}
