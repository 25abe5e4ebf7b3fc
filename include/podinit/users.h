/* include/podinit/users.h — users and groups from /etc/passwd and
 * /etc/group, read directly (no NSS: nothing to load in a scratch image,
 * and libc's lookup code would be a tenth of the static binary). */
#ifndef PODINIT_USERS_H
#define PODINIT_USERS_H

#include <stddef.h>
#include <sys/types.h>

/* Names longer than this never match (nor does a field with a NUL byte). */
#define USERS_NAME_MAX 255

/* A file larger than this is refused (-EFBIG), not read in part. */
#define USERS_MAX_FILE_BYTES (64L * 1024 * 1024)

/* The kernel's limit on supplementary groups (NGROUPS_MAX of
 * <linux/limits.h> since Linux 2.6.4; musl's sysconf says 32). */
#define USERS_MAX_GROUPS 65536

/* In a passwd-format file: the first entry named name (or, when name is
 * NULL, the first with uid *uid); fills *uid, *gid and, when found_name is
 * not NULL, the entry's name (USERS_NAME_MAX + 1 bytes). Returns 0, -ENOENT
 * when there is none, or -errno when the file cannot be read. */
int users_find_user(const char *file, const char *name, uid_t *uid, gid_t *gid, char *found_name);

/* In a group-format file: the group named name. Returns 0, -ENOENT or
 * -errno as users_find_user. */
int users_find_group(const char *file, const char *name, gid_t *gid);

/* The supplementary groups of user name, as Docker gives them: primary,
 * and every group of a group-format file whose member list names the user;
 * each gid once, sorted. A missing file names no one. Returns how many,
 * with *groups malloc'ed; -E2BIG when there are more than max; or -errno
 * when the file cannot be read. */
int users_groups(const char *file, const char *name, gid_t primary, size_t max, gid_t **groups);

#endif
