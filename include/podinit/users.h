/* include/podinit/users.h — users and groups from /etc/passwd and
 * /etc/group, read directly (no NSS: nothing to load in a scratch image,
 * and libc's lookup code would be a tenth of the static binary). */
#ifndef PODINIT_USERS_H
#define PODINIT_USERS_H

#include <sys/types.h>

/* In a passwd-format file: the entry named name (or, when name is NULL,
 * the first with uid *uid); fills *uid and *gid. Returns 0, or -1 when
 * there is none (or the file cannot be read). */
int users_find_user(const char *file, const char *name, uid_t *uid, gid_t *gid);

/* In a group-format file: the group named name. Returns 0 or -1. */
int users_find_group(const char *file, const char *name, gid_t *gid);

#endif
