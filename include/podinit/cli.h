/* include/podinit/cli.h — the command line and environment, for podinit and
 * for the tools it stands in for (chosen by the name it was invoked as).
 * Pure: argv and envp in, struct cli_options (options.h) out; what differs
 * between the personas is their row in persona.h. */
#ifndef PODINIT_CLI_H
#define PODINIT_CLI_H

#include <stdio.h>

#include "podinit/exit_code.h"
#include "podinit/options.h"
#include "podinit/persona.h"

enum cli_outcome { CLI_RUN, CLI_EXIT };

/* The persona that an invocation name selects. */
enum cli_persona cli_persona_of(const char *argv0);

/* Parse argv and envp (NULL-terminated "K=V" strings); pid is podinit's own,
 * for the messages that carry it. On CLI_RUN, *opts is ready. On CLI_EXIT,
 * help, version or an error has been written to out/err and *exit_code says
 * how to leave; nothing has been started. */
enum cli_outcome cli_parse(int argc, char **argv, char **envp, int pid, FILE *out, FILE *err,
                           struct cli_options *opts, int *exit_code);

#endif
