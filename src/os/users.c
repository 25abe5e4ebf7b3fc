/* src/users.c — passwd and group files, line by line: "name:x:id:...".
 * The file is streamed through a small buffer, so neither its size nor a
 * line's length is bounded by a buffer: only fields are, and a field
 * longer than any name is marked and never matches. */
#include "podinit/users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "podinit/text.h"

#define FIELDS 4

/* The first four fields of a line. With a member to look for, the fourth
 * (a group's member list) is checked name by name instead of kept. */
struct line {
    char field[FIELDS][USERS_NAME_MAX + 1];
    size_t len[FIELDS];
    bool bad[FIELDS]; /* too long, or has a NUL byte */
    size_t n;         /* the fields the line has, up to FIELDS */
    bool member;      /* its member list names the member looked for */
};

/* Called for each line that is not empty or a comment; true stops the scan. */
typedef bool line_fn(const struct line *l, void *ctx);

struct scanner {
    struct line l;
    const char *member; /* or NULL */
    size_t field;       /* the one being read; may pass FIELDS */
    size_t bytes;       /* of this line so far */
    bool comment;
    line_fn *fn;
    void *ctx;
};

static void line_reset(struct scanner *s) {
    for (size_t i = 0; i < FIELDS; i++) {
        s->l.field[i][0] = '\0';
        s->l.len[i] = 0;
        s->l.bad[i] = false;
    }
    s->l.member = false;
    s->field = 0;
    s->bytes = 0;
    s->comment = false;
}

/* The member name just read (field 3 so far) ends here. */
static void member_end(struct scanner *s) {
    struct line *l = &s->l;
    if (!l->bad[3] && strcmp(l->field[3], s->member) == 0)
        l->member = true;
    l->field[3][0] = '\0';
    l->len[3] = 0;
    l->bad[3] = false;
}

static bool line_end(struct scanner *s) {
    bool stop = false;
    if (s->bytes > 0 && !s->comment) {
        if (s->field == 3 && s->member != NULL)
            member_end(s);
        s->l.n = s->field < FIELDS ? s->field + 1 : FIELDS;
        stop = s->fn(&s->l, s->ctx);
    }
    line_reset(s);
    return stop;
}

/* One byte of the file; true when the scan is to stop. */
static bool feed(struct scanner *s, char c) {
    struct line *l = &s->l;
    if (c == '\n')
        return line_end(s);
    if (s->bytes++ == 0 && c == '#')
        s->comment = true;
    if (s->comment)
        return false;
    size_t f = s->field;
    if (c == ':' || (c == ',' && f == 3 && s->member != NULL)) {
        if (f == 3 && s->member != NULL)
            member_end(s);
        if (c == ':')
            s->field++;
    } else if (f < FIELDS) {
        if (c == '\0' || l->len[f] == USERS_NAME_MAX) {
            l->bad[f] = true;
        } else {
            l->field[f][l->len[f]++] = c;
            l->field[f][l->len[f]] = '\0';
        }
    }
    return false;
}

/* Every line of file through fn until it returns true. Returns 0, or
 * -errno when the file cannot be read (-EFBIG: too large). */
static int scan(const char *file, const char *member, line_fn *fn, void *ctx) {
    /* O_NONBLOCK: a FIFO put there must not hold PID 1 up */
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct scanner s = {.member = member, .fn = fn, .ctx = ctx};
    line_reset(&s);
    char buf[8192];
    long total = 0;
    int rc = 0;
    for (bool stop = false; !stop;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0) {
            line_end(&s); /* a last line without a newline */
            break;
        }
        if ((total += n) > USERS_MAX_FILE_BYTES) {
            rc = -EFBIG;
            break;
        }
        for (ssize_t i = 0; i < n && !stop; i++)
            stop = feed(&s, buf[i]);
    }
    close(fd);
    return rc;
}

/* Field i as an id, or -1. */
static long id_of(const struct line *l, size_t i) {
    return i < l->n && !l->bad[i] ? text_parse_number(l->field[i], 0, 0x7ffffffe) : -1;
}

struct find {
    const char *name; /* or NULL: by id */
    long want_id;
    bool found;
    long id, third; /* fields 2 and 3 of the line found */
    char found_name[USERS_NAME_MAX + 1];
};

static bool find_line(const struct line *l, void *ctx) {
    struct find *q = ctx;
    long id = id_of(l, 2);
    if (id < 0 ||
        (q->name != NULL ? l->bad[0] || strcmp(l->field[0], q->name) != 0 : id != q->want_id))
        return false;
    q->found = true;
    q->id = id;
    q->third = id_of(l, 3);
    memcpy(q->found_name, l->field[0], l->len[0] + 1);
    return true;
}

static int find(const char *file, struct find *q) {
    int rc = scan(file, NULL, find_line, q);
    return rc < 0 ? rc : q->found ? 0 : -ENOENT;
}

int users_find_user(const char *file, const char *name, uid_t *uid, gid_t *gid, char *found_name) {
    struct find q = {.name = name, .want_id = name ? -1 : (long)*uid};
    int rc = find(file, &q);
    if (rc == 0 && q.third < 0)
        rc = -ENOENT; /* no usable gid: as if absent */
    if (rc != 0)
        return rc;
    *uid = (uid_t)q.id;
    *gid = (gid_t)q.third;
    if (found_name != NULL)
        memcpy(found_name, q.found_name, strlen(q.found_name) + 1);
    return 0;
}

int users_find_group(const char *file, const char *name, gid_t *gid) {
    struct find q = {.name = name, .want_id = -1};
    int rc = find(file, &q);
    if (rc == 0)
        *gid = (gid_t)q.id;
    return rc;
}

/* -- supplementary groups -- */

struct gid_set {
    gid_t *v;
    size_t n, alloc, max;
    int err;
};

static int gid_cmp(const void *a, const void *b) {
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return (x > y) - (x < y);
}

/* Sort, and keep each gid once. */
static void gid_compact(struct gid_set *g) {
    if (g->n == 0)
        return;
    qsort(g->v, g->n, sizeof *g->v, gid_cmp);
    size_t k = 1;
    for (size_t i = 1; i < g->n; i++)
        if (g->v[i] != g->v[k - 1])
            g->v[k++] = g->v[i];
    g->n = k;
}

/* Repeats are dropped whenever the array fills, so it never holds much
 * more than max distinct gids, however often a group is listed. */
static int gid_add(struct gid_set *g, gid_t id) {
    if (g->n == g->alloc) {
        gid_compact(g);
        if (g->n > g->max)
            return -E2BIG;
        if (g->n >= g->alloc / 2) {
            size_t alloc = g->alloc ? g->alloc * 2 : 32;
            gid_t *v = alloc <= SIZE_MAX / sizeof *v ? realloc(g->v, alloc * sizeof *v) : NULL;
            if (v == NULL)
                return -ENOMEM;
            g->v = v;
            g->alloc = alloc;
        }
    }
    g->v[g->n++] = id;
    return 0;
}

static bool group_line(const struct line *l, void *ctx) {
    struct gid_set *g = ctx;
    long id = id_of(l, 2);
    if (!l->member || id < 0)
        return false;
    g->err = gid_add(g, (gid_t)id);
    return g->err != 0;
}

int users_groups(const char *file, const char *name, gid_t primary, size_t max, gid_t **groups) {
    struct gid_set g = {.max = max};
    int rc = gid_add(&g, primary);
    if (rc == 0) {
        rc = scan(file, name, group_line, &g);
        if (rc == -ENOENT || rc == -ENOTDIR)
            rc = 0; /* no group file: no one is a member */
        if (rc == 0)
            rc = g.err;
    }
    if (rc == 0) {
        gid_compact(&g);
        if (g.n > max)
            rc = -E2BIG;
    }
    if (rc != 0) {
        free(g.v);
        return rc;
    }
    *groups = g.v;
    return (int)g.n;
}
