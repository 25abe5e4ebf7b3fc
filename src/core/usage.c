/* src/core/usage.c — what each persona prints when asked (help, version,
 * license) or when the command line is wrong: the words and streams its
 * users and test suites expect, one row of texts per persona. Pure. The
 * version lines carry the commit (the Makefile rebuilds this file's object
 * when it changes). */
#include "podinit/usage.h"

#include <string.h>

#include "podinit/persona.h"
#include "podinit/text.h"
#include "podinit/version.h"

static const char license_text[] =
    "MIT License\n\n"
    "Copyright (c) 2026 The podinit authors\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    "of this software and associated documentation files (the \"Software\"), to deal\n"
    "in the Software without restriction, including without limitation the rights\n"
    "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
    "copies of the Software, and to permit persons to whom the Software is\n"
    "furnished to do so, subject to the following conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all\n"
    "copies or substantial portions of the Software.\n\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n"
    "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n"
    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n"
    "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n"
    "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n"
    "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n"
    "SOFTWARE.\n";

static const char podinit_usage[] =
    "Usage: podinit [OPTIONS] [--] PROGRAM [ARGS...]\n"
    "       podinit --config FILE [OPTIONS] [-- PROGRAM [ARGS...]]\n"
    "       podinit --check [--config FILE] [OPTIONS]\n"
    "       podinit --probe URL [--timeout S] [--header Name:value]...\n"
    "       podinit --wait URL [--timeout S] [--header Name:value]...\n";

static void print_podinit_help(FILE *f, const char *name) {
    (void)name;
    fprintf(f,
            "podinit %s - an init for containers: reaps zombies, forwards signals,\n"
            "passes the exit code on.\n\n%s\n"
            "Options:\n"
            "  -c, --single-child     Signal only the child, not its process group.\n"
            "  -g, --process-group    Signal the child's process group (the default).\n"
            "  -r, --rewrite S:R      Forward signal S as R (1-31, names allowed);\n"
            "                         R = 0 drops S. Repeatable.\n"
            "  -e, --remap-exit CODE  Exit 0 when the child exits with CODE. Repeatable.\n"
            "  -p, --pdeath-signal SIG  Receive SIG when podinit's parent dies.\n"
            "  -s, --subreaper        Register as child subreaper (automatic when not PID 1).\n"
            "  -w, --warn-on-reap     Log each reaped process that was not the child.\n"
            "  -P, --pause            Run no program: reap, and exit 0 on SIGTERM or SIGINT.\n"
            "  --config FILE          Read the JSON configuration (docs/configuration.md).\n"
            "  --check                Validate, print the effective configuration, exit.\n"
            "  --probe URL            http://HOST[:PORT][/PATH] or tcp://HOST:PORT: exit 0\n"
            "                         when it answers (2xx/3xx), 1 otherwise; HOST is an\n"
            "                         address or a name. --timeout S (default 1),\n"
            "                         --header Name:value (repeatable).\n"
            "  --wait URL             The --probe check every 250 ms until it succeeds\n"
            "                         (exit 0) or --timeout S passes (default 30; 0: once;\n"
            "                         exit 1, the last error); usage errors exit 2.\n"
            "  --grace-period S       Seconds from the first SIGTERM/SIGINT (or the\n"
            "                         program's exit) to SIGKILL for everything left\n"
            "                         (default 30; fractions allowed).\n"
            "  --prestop-delay S      Keep the program running and unsignalled for S\n"
            "                         seconds after the first SIGTERM/SIGINT (default 0).\n"
            "  --stop-signal SIG      Send SIG to the program to stop it (default: the\n"
            "                         signal received).\n"
            "  --stop-signals LIST    The signals that start a shutdown (default\n"
            "                         TERM,INT); the others are forwarded as they come.\n"
            "  --log-format F         text (default) or json (one object per line).\n"
            "  --log-level L          error, warn, info (default), debug or trace.\n"
            "  -v, --verbose          Log more (repeatable).\n"
            "  -l, -L, --license      Show the license and exit.\n"
            "  -h, --help             Show this help and exit.\n"
            "  -V, --version          Show the version and exit.\n\n"
            "Environment: PODINIT_CONFIG, PODINIT_GRACE_PERIOD, PODINIT_PRESTOP_DELAY,\n"
            "PODINIT_STOP_SIGNAL, PODINIT_STOP_SIGNALS, PODINIT_LOG_FORMAT, PODINIT_LOG_LEVEL\n"
            "(command line > environment > config file > defaults), TINI_VERBOSITY=N, "
            "TINI_KILL_PROCESS_GROUP, TINI_SUBREAPER,\n"
            "DUMB_INIT_SETSID=0 (single child), DUMB_INIT_DEBUG=1 (debug log).\n"
            "Invoked as tini, docker-init, dumb-init, catatonit or podman-init, it behaves\n"
            "as that tool. See docs/cli.md.\n",
            PODINIT_VERSION, podinit_usage);
}

static void print_tini_help(FILE *f, const char *name) {
    fprintf(f,
            "%s (tini version " COMPAT_TINI_VERSION " - git." PODINIT_GIT ", podinit)\n"
            "Usage: %s [OPTIONS] PROGRAM -- [ARGS] | --version\n\n"
            "Runs PROGRAM as its child: reaps zombies and forwards signals.\n\n"
            "Options:\n"
            "  --version     Print the version and exit.\n"
            "  -h            Print this help and exit.\n"
            "  -s            Register as a child subreaper.\n"
            "  -p SIGNAL     Receive SIGNAL when the parent dies (e.g. -p SIGKILL).\n"
            "  -v            More output; repeat for more.\n"
            "  -w            Warn about each reaped zombie.\n"
            "  -g            Forward signals to the child's process group.\n"
            "  -e EXIT_CODE  Exit 0 when the child exits with EXIT_CODE (0-255).\n"
            "  -l            Print the license and exit.\n\n"
            "Environment:\n"
            "  TINI_SUBREAPER           Register as a child subreaper.\n"
            "  TINI_VERBOSITY           Verbosity level (default: 1).\n"
            "  TINI_KILL_PROCESS_GROUP  Forward signals to the child's process group.\n\n",
            name, name);
}

/* dumb-init's help, byte for byte: its users and test suite compare it. */
static void print_dumb_init_help(FILE *f, const char *argv0) {
    fprintf(f,
            "dumb-init v" COMPAT_DUMB_INIT_VERSION "\n"
            "Usage: %s [option] command [[arg] ...]\n"
            "\n"
            "dumb-init is a simple process supervisor that forwards signals to children.\n"
            "It is designed to run as PID1 in minimal container environments.\n"
            "\n"
            "Optional arguments:\n"
            "   -c, --single-child   Run in single-child mode.\n"
            "                        In this mode, signals are only proxied to the\n"
            "                        direct child and not any of its descendants.\n"
            "   -r, --rewrite s:r    Rewrite received signal s to new signal r before proxying.\n"
            "                        To ignore (not proxy) a signal, rewrite it to 0.\n"
            "                        This option can be specified multiple times.\n"
            "   -v, --verbose        Print debugging information to stderr.\n"
            "   -h, --help           Print this help message and exit.\n"
            "   -V, --version        Print the current version and exit.\n"
            "\n"
            "Full help is available online at https://github.com/Yelp/dumb-init\n",
            argv0);
}

static const char catatonit_usage[] =
    "usage: catatonit [-ghLPV] [--] <progname> [<arguments>...]\n";

static void print_catatonit_help(FILE *f, const char *name) {
    (void)name;
    fprintf(f,
            "%s\n"
            "options:\n"
            "  -g              Forward signals to the child's process group.\n"
            "  -h              Print this help.\n"
            "  -L              Print the license.\n"
            "  -P              Pause mode: run no program, exit on SIGINT or SIGTERM.\n"
            "  -V, --version   Print the version.\n\n"
            "This is podinit %s acting as catatonit.\n",
            catatonit_usage, PODINIT_VERSION);
}

/* No program to run: each tool says so its own way. */
static void missing_podinit(FILE *err, const char *name, int pid) {
    (void)name, (void)pid;
    fprintf(err, "podinit: no program to run (give one, or --config FILE, or -P to pause)\n%s",
            podinit_usage);
}

static void missing_tini(FILE *err, const char *name, int pid) {
    (void)pid;
    print_tini_help(err, name);
}

static void missing_dumb_init(FILE *err, const char *name, int pid) {
    (void)pid;
    fprintf(err, "Usage: %s [option] program [args]\nTry %s --help for full usage.\n", name, name);
}

static void missing_catatonit(FILE *err, const char *name, int pid) {
    (void)name;
    fprintf(err, "ERROR (catatonit:%d): missing program name\n%s", pid, catatonit_usage);
}

struct texts {
    const char *version;                       /* the --version line */
    void (*help)(FILE *f, const char *name);   /* -h */
    const char *hint; /* after an option error; a printf format (%s: the name), or NULL */
    void (*missing)(FILE *err, const char *name, int pid); /* no program given */
};

static const struct texts texts[PERSONA_COUNT] = {
    [PERSONA_PODINIT] = {"podinit version " PODINIT_VERSION " - git." PODINIT_GIT "\n",
                         print_podinit_help, podinit_usage, missing_podinit},
    /* docker info parses "tini version X - git.HASH". */
    [PERSONA_TINI] = {"tini version " COMPAT_TINI_VERSION " - git." PODINIT_GIT "\n",
                      print_tini_help, "Usage: %s [OPTIONS] PROGRAM -- [ARGS] | --version\n",
                      missing_tini},
    /* dumb-init prints getopt's line only after an option error. */
    [PERSONA_DUMB_INIT] = {"dumb-init v" COMPAT_DUMB_INIT_VERSION "\n", print_dumb_init_help,
                           NULL, missing_dumb_init},
    [PERSONA_CATATONIT] = {"tini version " COMPAT_CATATONIT_VERSION "_catatonit\n",
                           print_catatonit_help, catatonit_usage, missing_catatonit},
};

/* The persona's texts, and the name they give the program by. */
static const struct texts *texts_of(enum cli_persona persona, const char *invoked_as,
                                    const char **name) {
    const struct persona *p = persona_of(persona);
    *name = p->hint_by_base_name ? text_base_name(invoked_as) : invoked_as;
    return &texts[p->id];
}

void usage_version(enum cli_persona persona, FILE *out, FILE *err) {
    fputs(texts[persona_of(persona)->id].version, persona_of(persona)->texts_on_stderr ? err : out);
}

void usage_help(enum cli_persona persona, const char *invoked_as, FILE *out, FILE *err) {
    const char *name;
    const struct texts *t = texts_of(persona, invoked_as, &name);
    t->help(persona_of(persona)->texts_on_stderr ? err : out, name);
}

void usage_license(FILE *out) {
    fputs(license_text, out);
}

void usage_hint(enum cli_persona persona, const char *invoked_as, FILE *err) {
    const char *name;
    const struct texts *t = texts_of(persona, invoked_as, &name);
    if (t->hint != NULL)
        fprintf(err, t->hint, name);
}

void usage_missing_program(enum cli_persona persona, const char *invoked_as, int pid, FILE *err) {
    const char *name;
    texts_of(persona, invoked_as, &name)->missing(err, name, pid);
}
