/* tests/unit/test_users.c — passwd and group files read line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    char name[USERS_NAME_MAX + 1];
    assert_int_equal(users_find_user(passwd, "app", &uid, &gid, NULL), 0);
    assert_int_equal(uid, 1000);
    assert_int_equal(gid, 1001);
    assert_int_equal(users_find_user(passwd, "web", &uid, &gid, NULL), 0); /* no newline */
    assert_int_equal(uid, 33);
    uid = 1000;
    assert_int_equal(users_find_user(passwd, NULL, &uid, &gid, name), 0);
    assert_int_equal(gid, 1001);
    assert_string_equal(name, "app"); /* a uid's name, for its groups */
    assert_int_equal(users_find_user(passwd, "nobody-here", &uid, &gid, NULL), -ENOENT);
    assert_int_equal(users_find_user(passwd, "nogid", &uid, &gid, NULL), -ENOENT); /* no gid */
    assert_int_equal(users_find_user(passwd, "big", &uid, &gid, NULL), -ENOENT);   /* range */
    assert_int_equal(users_find_user(passwd, "broken line", &uid, &gid, NULL), -ENOENT);
    assert_int_equal(users_find_user(passwd, "# a comment", &uid, &gid, NULL), -ENOENT);
    assert_int_equal(users_find_user("/nonexistent/passwd", "root", &uid, &gid, NULL), -ENOENT);
    /* a file that cannot be read is not a missing user */
    assert_int_equal(users_find_user("/tmp", "root", &uid, &gid, NULL), -EISDIR);
}

static void groups_by_name(void **state) {
    (void)state;
    gid_t gid = 0;
    assert_int_equal(users_find_group(group, "staff", &gid), 0);
    assert_int_equal(gid, 50);
    assert_int_equal(users_find_group(group, "weird", &gid), -ENOENT);
    assert_int_equal(users_find_group(group, "app", &gid), -ENOENT); /* a member is not a group */
}

/* users_groups on a file of this text: the count, the gids in *out. */
static int groups_of(const char *text, const char *name, gid_t primary, size_t max, gid_t **out) {
    char path[] = "/tmp/podinit-groups-XXXXXX";
    write_file(path, text);
    *out = NULL;
    int n = users_groups(path, name, primary, max, out);
    unlink(path);
    return n;
}

static void supplementary_groups_of_a_user(void **state) {
    (void)state;
    gid_t *g;
    int n = groups_of("app:x:1001:\n"
                      "#hidden:x:60:app\n"         /* a comment */
                      "web:x:70:web,app,db\n"      /* in the middle of the list */
                      "look:x:80:apps,xapp,ap,,\n" /* look-alikes only */
                      "bad:x:nan:app\n"            /* no gid */
                      "short:x:90\n"               /* no member list */
                      "again:x:70:app\n"           /* 70 listed twice */
                      "staff:x:50:app\n"           /* in order of the file... */
                      "last:x:40:db,app",          /* ...no newline at the end */
                      "app", 1001, 100, &g);
    assert_int_equal(n, 4); /* each once, sorted, the primary among them */
    assert_int_equal(g[0], 40);
    assert_int_equal(g[1], 50);
    assert_int_equal(g[2], 70);
    assert_int_equal(g[3], 1001);
    free(g);
    /* no group names the user: its own only */
    assert_int_equal(groups_of("staff:x:50:web\n", "app", 1001, 100, &g), 1);
    assert_int_equal(g[0], 1001);
    free(g);
    /* the primary group listing the user too */
    assert_int_equal(groups_of("app:x:1001:app\n", "app", 1001, 100, &g), 1);
    free(g);
}

static void supplementary_groups_from_hostile_files(void **state) {
    (void)state;
    gid_t *g;
    /* a line longer than any buffer: 200,000 members, the user last; and a
     * member name too long to be any user's, starting with the user's */
    size_t members = 200000, len = members * 8 + 600;
    char *text = malloc(len);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, len, "wide:x:77:");
    for (size_t i = 0; i < members; i++)
        used += (size_t)snprintf(text + used, len - used, "u%06zu,", i);
    used += (size_t)snprintf(text + used, len - used, "app\nlong:x:78:app");
    memset(text + used, 'x', 300);
    strcpy(text + used + 300, "\n");
    assert_int_equal(groups_of(text, "app", 1001, 100, &g), 2);
    assert_int_equal(g[0], 77);
    assert_int_equal(g[1], 1001);
    free(g);
    free(text);

    /* a group listed 100,000 times is one group, even with a low limit */
    len = 100000 * 16;
    text = malloc(len);
    assert_non_null(text);
    used = 0;
    for (int i = 0; i < 100000; i++)
        used += (size_t)snprintf(text + used, len - used, "g%d:x:5:app\n", i);
    assert_int_equal(groups_of(text, "app", 1001, 2, &g), 2);
    free(g);
    free(text);

    /* a NUL byte inside a member's name: that member never matches */
    char path[] = "/tmp/podinit-groups-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "nul:x:66:ap\0p,x\nok:x:67:app\n", 28), 28);
    close(fd);
    assert_int_equal(users_groups(path, "app", 1001, 100, &g), 2);
    assert_int_equal(g[0], 67);
    free(g);
    unlink(path);
}

static void supplementary_groups_beyond_the_limit(void **state) {
    (void)state;
    gid_t *g = NULL;
    const char *three = "a:x:1:app\nb:x:2:app\nc:x:3:app\n";
    assert_int_equal(groups_of(three, "app", 1001, 4, &g), 4); /* exactly the limit */
    free(g);
    g = NULL;
    assert_int_equal(groups_of(three, "app", 1001, 3, &g), -E2BIG); /* one more: refused */
    assert_null(g);
    assert_int_equal(groups_of(three, "app", 1, 3, &g), 3); /* the primary is one of them */
    free(g);
}

static void supplementary_groups_without_a_readable_file(void **state) {
    (void)state;
    gid_t *g;
    /* no group file (a scratch image): the user's own group only */
    assert_int_equal(users_groups("/nonexistent/group", "app", 1001, 100, &g), 1);
    assert_int_equal(g[0], 1001);
    free(g);
    /* one that cannot be read is an error, never an empty list */
    assert_int_equal(users_groups("/tmp", "app", 1001, 100, &g), -EISDIR);
    /* a FIFO with no writer: read at once as empty, open never blocks */
    char dir[] = "/tmp/podinit-fifo-XXXXXX", fifo[64];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/group", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(users_groups(fifo, "app", 1001, 100, &g), 1);
    free(g);
    unlink(fifo);
    rmdir(dir);
    /* larger than the bound: refused, not read in part (a sparse file) */
    char path[] = "/tmp/podinit-groups-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, USERS_MAX_FILE_BYTES + 1), 0);
    close(fd);
    assert_int_equal(users_groups(path, "app", 1001, 100, &g), -EFBIG);
    uid_t uid = 0;
    gid_t gid;
    assert_int_equal(users_find_user(path, NULL, &uid, &gid, NULL), -EFBIG);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(users_by_name_and_by_uid),
        cmocka_unit_test(groups_by_name),
        cmocka_unit_test(supplementary_groups_of_a_user),
        cmocka_unit_test(supplementary_groups_from_hostile_files),
        cmocka_unit_test(supplementary_groups_beyond_the_limit),
        cmocka_unit_test(supplementary_groups_without_a_readable_file),
    };
    return cmocka_run_group_tests_name("users", tests, setup, teardown);
}
