/* include/podinit/supervisor.h — the event loop: the only place that waits.
 * It turns kernel events (signals, child exits) into forwarding, reaping and
 * finally podinit's exit code. */
#ifndef PODINIT_SUPERVISOR_H
#define PODINIT_SUPERVISOR_H

#include "podinit/options.h"
#include "podinit/config.h"

/* Take over the signals, start the program (unless pausing), supervise it
 * as cfg says, and return the exit code podinit must exit with. */
int supervisor_run(const struct cli_options *opts, const struct config *cfg);

#endif
