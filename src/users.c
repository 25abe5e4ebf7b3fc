/* src/users.c — passwd and group files, line by line: "name:x:id:..." */
#include "podinit/users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/text.h"

#define MAX_DB_BYTES (1024 * 1024)

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *buf = malloc(MAX_DB_BYTES + 1);
    size_t len = 0;
    while (buf != NULL && len < MAX_DB_BYTES) {
        ssize_t n = read(fd, buf + len, MAX_DB_BYTES - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

/* Cut a ':'-separated line into at most 4 fields. Returns how many. */
static int split(char *line, char *f[4]) {
    int n = 0;
    for (char *p = line; n < 4; n++) {
        f[n] = p;
        p = strchr(p, ':');
        if (p == NULL)
            return n + 1;
        *p++ = '\0';
    }
    return n;
}

/* The first line of file whose name is name (or, when name is NULL, whose
 * id is want_id): its id (field 2) and field 3 (the passwd gid; -1 when it
 * is not a number). Returns 0 when one matched. */
static int scan(const char *file, const char *name, long want_id, long *id, long *third) {
    char *db = slurp(file);
    if (db == NULL)
        return -1;
    int rc = -1;
    for (char *line = db, *next; line != NULL && *line != '\0' && rc != 0; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        char *f[4];
        int n = line[0] == '#' ? 0 : split(line, f);
        if (n < 3)
            continue;
        long v = text_parse_number(f[2], 0, 0x7ffffffe);
        if (v < 0 || (name != NULL ? strcmp(f[0], name) != 0 : v != want_id))
            continue;
        *id = v;
        *third = n >= 4 ? text_parse_number(f[3], 0, 0x7ffffffe) : -1;
        rc = 0;
    }
    free(db);
    return rc;
}

int users_find_user(const char *file, const char *name, uid_t *uid, gid_t *gid) {
    long id, g;
    if (scan(file, name, name ? -1 : (long)*uid, &id, &g) != 0 || g < 0)
        return -1;
    *uid = (uid_t)id;
    *gid = (gid_t)g;
    return 0;
}

int users_find_group(const char *file, const char *name, gid_t *gid) {
    long id, unused;
    if (scan(file, name, -1, &id, &unused) != 0)
        return -1;
    *gid = (gid_t)id;
    return 0;
}
