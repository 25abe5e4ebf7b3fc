/* src/main.c — parse the command line, load and merge the configuration,
 * then hand over to the supervisor. Nothing starts unless all of it is
 * valid. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "podinit/cli.h"
#include "podinit/config.h"
#include "podinit/probe_client.h"
#include "podinit/setup.h"
#include "podinit/supervisor.h"

extern char **environ;

/* podinit's --help, --version and --check answer on stdout: a closed one,
 * or one a write failed on (a full disk), is an error, as for any tool.
 * (The personas answer as their tools do: those exit 0 either way.) */
static int stdout_done(int code, unsigned closed_fds) {
    int err = fflush(stdout) == 0 ? 0 : errno;
    if (err == 0 && (closed_fds & 1u << STDOUT_FILENO))
        err = EBADF;
    if (err == 0 && ferror(stdout))
        err = EIO;
    if (err == 0)
        return code;
    fprintf(stderr, "podinit: stdout: %s\n", strerror(err));
    return code == 0 ? CLI_EXIT_INTERNAL : code;
}

int main(int argc, char **argv) {
    struct cli_options opts;
    int code;
    /* First: a closed stdin, stdout or stderr must not be taken by the
     * first file, socket or pipe podinit opens (and be written to). */
    unsigned closed_fds = setup_hold_closed_standard_fds();
    if (cli_parse(argc, argv, environ, (int)getpid(), stdout, stderr, &opts, &code) == CLI_EXIT)
        return code == 0 && opts.persona == PERSONA_PODINIT ? stdout_done(code, closed_fds) : code;
    if (opts.wait_url != NULL)
        return probe_client_wait(opts.wait_url, opts.probe_timeout_ms, opts.probe_headers,
                                 opts.n_probe_headers, stdout, stderr);
    if (opts.probe_url != NULL)
        return probe_client_run(opts.probe_url, opts.probe_timeout_ms, opts.probe_headers,
                                opts.n_probe_headers, stdout, stderr);
    struct config cfg;
    struct config_errors errs = {0};
    if (config_init(&cfg) != 0) {
        fputs("podinit: the configuration: out of memory\n", stderr);
        return CLI_EXIT_INTERNAL;
    }
    if (opts.config_path != NULL)
        config_load_file(opts.config_path, &cfg, &errs);
    config_apply_cli(&cfg, &opts);
    /* The others run only their command: nothing of a config to check. */
    if (errs.count == 0 && persona_of(opts.persona)->runs_config_processes)
        config_validate(&cfg, !opts.pause, &errs);
    if (errs.count > 0) {
        fputs(errs.text ? errs.text : "podinit: out of memory\n", stderr);
        config_errors_free(&errs);
        config_free(&cfg);
        return CLI_EXIT_USAGE;
    }
    if (opts.check) {
        code = config_print(&cfg, stdout) == 0 ? 0 : CLI_EXIT_INTERNAL;
        config_free(&cfg);
        return stdout_done(code, closed_fds);
    }
    /* Nothing buffered may be duplicated into the child by fork. */
    fflush(stdout);
    code = supervisor_run(&opts, &cfg);
    config_free(&cfg);
    return code;
}
