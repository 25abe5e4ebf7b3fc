/* fdlist — print the open file descriptors, space-separated, excluding the
 * one used to list them. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        perror("opendir");
        return 1;
    }
    int self = dirfd(d), fds[1024], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 1024) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int fd = atoi(e->d_name);
        if (fd != self)
            fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++) /* readdir order is not numeric: sort */
        for (int j = i + 1; j < n; j++)
            if (fds[j] < fds[i]) {
                int t = fds[i];
                fds[i] = fds[j];
                fds[j] = t;
            }
    for (int i = 0; i < n; i++)
        printf(i ? " %d" : "%d", fds[i]);
    printf("\n");
    return 0;
}
