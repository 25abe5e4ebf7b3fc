/* include/podinit/usage.h — the texts each persona prints: help, version,
 * license, and the usage lines that follow a command-line error. Pure. */
#ifndef PODINIT_USAGE_H
#define PODINIT_USAGE_H

#include <stdio.h>

#include "podinit/persona.h"

/* -h/--help: podinit, tini and catatonit print on out; dumb-init on err. */
void usage_help(enum cli_persona persona, const char *invoked_as, FILE *out, FILE *err);

/* --version: "podinit version X - git.HASH", tini's and catatonit's
 * docker-init forms on out; dumb-init's "dumb-init vX" on err. */
void usage_version(enum cli_persona persona, FILE *out, FILE *err);

void usage_license(FILE *out);

/* The short usage line after an option error (dumb-init prints none). */
void usage_hint(enum cli_persona persona, const char *invoked_as, FILE *err);

/* No program was given (catatonit's message carries pid, podinit's own). */
void usage_missing_program(enum cli_persona persona, const char *invoked_as, int pid, FILE *err);

#endif
