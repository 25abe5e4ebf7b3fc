/* include/podinit/persona.h — the tools podinit stands in for, as data: one
 * row per persona of everything it changes (defaults, the environment it
 * reads, its wording and exit codes, its terminal and subreaper rules, its
 * log style, what the supervisor does differently). The parser, the log,
 * the usage texts and the supervisor read the row; none of them asks which
 * persona it is. Pure. */
#ifndef PODINIT_PERSONA_H
#define PODINIT_PERSONA_H

#include <stdbool.h>

enum cli_persona { PERSONA_PODINIT, PERSONA_TINI, PERSONA_DUMB_INIT, PERSONA_CATATONIT };
#define PERSONA_COUNT (PERSONA_CATATONIT + 1)

/* The environment variables a persona reads (bits of persona.env). */
enum {
    PERSONA_ENV_PODINIT = 1 << 0,          /* PODINIT_*: each sets its long option */
    PERSONA_ENV_TINI_SUBREAPER = 1 << 1,   /* set: a subreaper */
    PERSONA_ENV_TINI_KILL_GROUP = 1 << 2,  /* TINI_KILL_PROCESS_GROUP set: signal the group */
    PERSONA_ENV_TINI_VERBOSITY = 1 << 3,   /* a number: the log threshold */
    PERSONA_ENV_DUMB_INIT_DEBUG = 1 << 4,  /* "1": at least debug */
    PERSONA_ENV_DUMB_INIT_SETSID = 1 << 5, /* "0": no session, no group */
    PERSONA_ENV_CATATONIT_DEBUG = 1 << 6,  /* set, to anything: debug */
};

/* After the main child has exited: does what is left of its process group
 * get SIGTERM before podinit exits? */
enum persona_term_on_exit {
    TERM_ON_EXIT_NEVER,             /* tini: the namespace's end kills it */
    TERM_ON_EXIT_ALWAYS,            /* dumb-init */
    TERM_ON_EXIT_WITH_SIGNAL_GROUP, /* catatonit, podinit: when signals go to the group */
};

/* How log lines read: the prefix and the events' sentences. */
enum persona_log_style {
    LOG_STYLE_PODINIT,   /* "podinit: 1.234s info: ..." (or JSON) */
    LOG_STYLE_TINI,      /* "[INFO  tini (PID)] ..." */
    LOG_STYLE_DUMB_INIT, /* "[dumb-init] ..." */
    LOG_STYLE_CATATONIT, /* "ERROR (catatonit:PID): ...", podinit's sentences */
};

struct persona {
    enum cli_persona id;
    const char *name;          /* "tini" */
    const char *invoked_as[3]; /* what an argv[0]'s base name starts with to choose it */

    /* Defaults, before the command line and environment. */
    int verbosity; /* a log threshold (enum log_level) */
    bool subreaper;
    bool warn_subreaper; /* warn when not PID 1 and not a subreaper */
    bool signal_group;
    bool setsid;
    bool lifecycle; /* the shutdown lifecycle: grace period, hooks, probes */

    /* The environment and the command line. */
    unsigned env;               /* PERSONA_ENV_* */
    bool env_verbosity_wins;    /* TINI_VERBOSITY replaces the -v count (else -v wins) */
    bool verbose_means_debug;   /* -v sets debug rather than adding a level */
    bool pause_ignores_program; /* -P with a program: ignored, not refused */

    /* Wording and exit codes of a usage error. */
    int usage_exit;
    bool own_label;          /* messages begin with the name, not argv[0] */
    bool getopt_wording;     /* "invalid option -- 'x'" rather than podinit's sentences */
    bool fatal_bad_values;   /* "[FATAL tini (PID)] Not a valid option for -p: X" */
    bool rewrite_numbers;    /* -r FROM:TO in numbers only, with dumb-init's usage text */
    bool texts_on_stderr;    /* help and version go to stderr */
    bool hint_by_base_name;  /* usage lines name the base name of argv[0], not all of it */

    /* Terminals, sessions, signals. */
    bool setsid_starts_session;  /* with setsid: the child gets its own session and the tty */
    const char *session_note;    /* the child's debug line once it has its session */
    bool tty_stops_stop_group;   /* with a session: TSTP/TTIN/TTOU become SIGSTOP */
    bool ignores_tty_io_signals; /* SIGTTIN/SIGTTOU are neither obeyed nor forwarded */
    bool suspends_on_tty_stop;   /* not PID 1: a tty stop stops podinit too */
    bool blocks_faults;          /* a kill(2)ed SIGSEGV etc. is received and forwarded */
    bool child_gets_default_signals; /* the child starts with 1-31 at their default and
                                        nothing blocked, whatever the caller ignored */
    enum persona_term_on_exit term_on_exit;
    bool listen_pid_to_child; /* socket activation: LISTEN_PID naming podinit becomes the
                                 child's own pid in its environment (catatonit 0.1.6) */

    /* The supervisor and the configuration. */
    bool runs_config_processes; /* the config's processes (else one: the command) */
    bool log_level_from_config; /* the log threshold comes from the merged config */
    const char *reap_warning;   /* -w: printf format of one reaped orphan's pid */

    /* Logging. */
    enum persona_log_style log_style;
    bool info_on_stdout; /* INFO and below on stdout, the rest on stderr */
    bool json_log;       /* --log-format json is honoured */
};

/* The row of a persona (podinit's for a value out of range). */
const struct persona *persona_of(enum cli_persona id);

/* The persona an invocation name selects (podinit's when none, or NULL). */
enum cli_persona persona_named(const char *argv0);

#endif
