/* src/os/config_file.c — the config file from disk, and what parsing it
 * asks of the system: users and groups (/etc/passwd, /etc/group), and
 * addresses and requests as http.c and health.c make them. The parsing
 * itself is pure (src/core/config_parse.c). */
#include "podinit/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podinit/config_walk.h"
#include "podinit/health.h"
#include "podinit/http.h"
#include "podinit/text.h"
#include "podinit/users.h"

#define MAX_FILE_BYTES (1024 * 1024)

/* "UID[:GID]" numbers, or names from /etc/passwd and /etc/group; without
 * a group, the user's own (or 0 for a uid that has no passwd entry, as
 * Docker does). Supplementary groups as Docker's USER (runc's GetExecUser)
 * gives them: for a passwd entry (by name, or a uid alone) without a group,
 * its own and those /etc/group lists it in; with a group given, none.
 * Returns 0 or -1 with a reason. */
static int resolve_user(const char *spec, struct config_process *p, char *why, size_t len) {
    char user[USERS_NAME_MAX + 1], group[USERS_NAME_MAX + 1] = "", name[USERS_NAME_MAX + 1];
    const char *colon = strchr(spec, ':');
    size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (ulen == 0 || ulen >= sizeof user ||
        (colon && (colon[1] == '\0' || strlen(colon + 1) >= sizeof group))) {
        snprintf(why, len, "takes USER[:GROUP], names or numbers");
        return -1;
    }
    memcpy(user, spec, ulen);
    user[ulen] = '\0';
    if (colon)
        strcpy(group, colon + 1);
    long n = text_parse_number(user, 0, 0x7ffffffe);
    p->uid = (uid_t)(n >= 0 ? n : 0);
    p->gid = 0;
    int rc = users_find_user("/etc/passwd", n >= 0 ? NULL : user, &p->uid, &p->gid, name);
    if (rc != 0 && (n < 0 || rc != -ENOENT)) { /* a uid alone needs no entry */
        if (rc == -ENOENT)
            snprintf(why, len, "no user \"%s\" in /etc/passwd", user);
        else
            snprintf(why, len, "/etc/passwd: %s", strerror(-rc));
        return -1;
    }
    if (colon) {
        long g = text_parse_number(group, 0, 0x7ffffffe);
        gid_t named;
        int grc = g < 0 ? users_find_group("/etc/group", group, &named) : 0;
        if (grc == -ENOENT)
            snprintf(why, len, "no group \"%s\" in /etc/group", group);
        else if (grc != 0)
            snprintf(why, len, "/etc/group: %s", strerror(-grc));
        if (grc != 0)
            return -1;
        p->gid = g >= 0 ? (gid_t)g : named;
    } else if (rc == 0) {
        int k = users_groups("/etc/group", name, p->gid, USERS_MAX_GROUPS, &p->groups);
        if (k == -E2BIG)
            snprintf(why, len,
                     "\"%s\" is in more than %d groups in /etc/group (the kernel's limit)", name,
                     USERS_MAX_GROUPS);
        else if (k < 0)
            snprintf(why, len, "/etc/group: %s", strerror(-k));
        if (k < 0)
            return -1;
        p->n_groups = (size_t)k;
    }
    return 0;
}

static bool is_address(const char *host) {
    struct sockaddr_storage addr;
    socklen_t len;
    return http_address(host, 80, &addr, &len) == 0;
}

static bool request_fits(const char *host, int port, const char *path,
                         const struct http_header *headers, size_t n_headers) {
    static char request[HTTP_REQUEST_MAX];
    return http_request(host, port, path, headers, n_headers, request, sizeof request) >= 0;
}

static const struct config_system real_system = {
    .resolve_user = resolve_user,
    .is_address = is_address,
    .check_listen = health_parse_listen,
    .request_fits = request_fits,
};

int config_parse(const char *name, const char *text, size_t len, struct config *cfg,
                 struct config_errors *errs) {
    return config_parse_text(name, text, len, &real_system, cfg, errs);
}

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t mode) {
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "something else";
}

int config_load_file(const char *path, struct config *cfg, struct config_errors *errs) {
    char line[600];
    /* O_NONBLOCK: opening a FIFO nobody writes to would block forever;
     * O_NOCTTY: a terminal named by mistake must not become ours. Only a
     * regular file is read (for one, O_NONBLOCK changes nothing). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(line, sizeof line, "%s: cannot read the config file: %s", path, strerror(errno));
        config_errors_add(errs, line);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(line, sizeof line, "%s: cannot read the config file: it is %s, not a regular file",
                 path, file_kind(st.st_mode));
        config_errors_add(errs, line);
        close(fd);
        return 1;
    }
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t len = 0;
    int err = buf == NULL ? ENOMEM : 0;
    while (err == 0) {
        ssize_t n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = errno;
        else if (n == 0)
            break;
        else if ((len += (size_t)n) > MAX_FILE_BYTES)
            err = EFBIG;
    }
    close(fd);
    if (err != 0) {
        snprintf(line, sizeof line, "%s: cannot read the config file: %s", path,
                 err == EFBIG ? "larger than 1 MiB" : strerror(err));
        config_errors_add(errs, line);
        free(buf);
        return 1;
    }
    int rc = config_parse(path, buf, len, cfg, errs);
    free(buf);
    return rc;
}
