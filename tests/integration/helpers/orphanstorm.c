/* orphanstorm N — make N short-lived orphans as fast as possible: each of
 * N children forks a grandchild and exits at once, so the grandchild (alive
 * or already a zombie) is re-parented to the init, which must reap it.
 * Prints "orphanstorm: N" when done; exits 1 if a fork fails. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    for (long i = 0; i < n; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("orphanstorm: fork");
            return 1;
        }
        if (child == 0) {
            /* Every other grandchild by vfork: it has exited (a zombie) by
             * the time it is orphaned; the others may still be running.
             * vfork also halves the page-table copying of the storm. */
            pid_t grandchild = i % 2 ? vfork() : fork();
            if (grandchild == 0)
                _exit(0);
            _exit(grandchild < 0 ? 1 : 0); /* the grandchild is orphaned */
        }
        int status;
        while (waitpid(child, &status, 0) < 0)
            ;
    }
    printf("orphanstorm: %ld\n", n);
    return 0;
}
