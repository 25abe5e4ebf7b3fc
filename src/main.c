/* src/main.c — parse the command line, then hand over to the supervisor. */
#include <stdio.h>

#include "podinit/cli.h"
#include "podinit/supervisor.h"

extern char **environ;

int main(int argc, char **argv) {
    struct cli_options opts;
    int code;
    if (cli_parse(argc, argv, environ, stdout, stderr, &opts, &code) == CLI_EXIT)
        return code;
    /* Nothing buffered may be duplicated into the child by fork. */
    fflush(stdout);
    return supervisor_run(&opts);
}
