/* orphans — leave COUNT orphaned processes behind and check that REAPER
 * adopts and reaps them all.
 * Usage: orphans COUNT REAPER_PID
 * Each orphan reports the parent it was re-parented to over a pipe, then
 * exits. Exits 0 when every orphan was adopted by REAPER_PID and no zombie
 * child of REAPER_PID is left within 20 s; 1 otherwise, saying why. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int zombie_children_of(pid_t reaper) {
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *p = strrchr(buf, ')'); /* comm may hold spaces */
        char state;
        int ppid;
        if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && state == 'Z' && ppid == reaper)
            n++;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: orphans COUNT REAPER_PID\n");
        return 2;
    }
    int count = atoi(argv[1]);
    pid_t reaper = (pid_t)atoi(argv[2]);
    int report[2];
    if (pipe(report) != 0) {
        perror("pipe");
        return 1;
    }
    for (int i = 0; i < count; i++) {
        pid_t mid = fork();
        if (mid < 0) {
            perror("fork");
            return 1;
        }
        if (mid == 0) {
            pid_t first = getpid();
            pid_t orphan = fork();
            if (orphan == 0) {
                while (getppid() == first) /* until our parent is gone */
                    usleep(1000);
                int adopted = (int)getppid();
                if (write(report[1], &adopted, sizeof adopted) != sizeof adopted)
                    _exit(1);
                _exit(0);
            }
            _exit(0);
        }
        while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    close(report[1]);
    int wrong = 0, got = 0, adopted;
    while (read(report[0], &adopted, sizeof adopted) == sizeof adopted) {
        got++;
        if (adopted != reaper)
            wrong++;
    }
    if (got != count || wrong != 0) {
        fprintf(stderr, "orphans: %d of %d reported; %d adopted by another pid than %d\n", got,
                count, wrong, (int)reaper);
        return 1;
    }
    for (int i = 0; i < 2000; i++) {
        int z = zombie_children_of(reaper);
        if (z == 0) {
            printf("orphans: %d adopted by %d and reaped\n", count, (int)reaper);
            return 0;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "orphans: %d zombies of %d left after 20 s\n", zombie_children_of(reaper),
            (int)reaper);
    return 1;
}
