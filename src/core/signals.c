/* src/core/signals.c — signal names, the rewrite map, and which signals
 * podinit can act on. Pure. */
#include "podinit/signals.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "podinit/hot.h"
#include "podinit/text.h"

static const struct {
    const char *name; /* without the SIG prefix */
    int signo;
} signal_table[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int signals_parse(const char *text) {
    if (text == NULL || text[0] == '\0')
        return -1;
    if (isdigit((unsigned char)text[0]))
        return (int)text_parse_number(text, 1, SIGRTMAX);
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
        if (strcasecmp(name, signal_table[i].name) == 0)
            return signal_table[i].signo;
    /* RTMIN, RTMIN+N, RTMAX, RTMAX-N */
    int base, sign;
    if (strncasecmp(name, "RTMIN", 5) == 0) {
        base = SIGRTMIN;
        sign = 1;
    } else if (strncasecmp(name, "RTMAX", 5) == 0) {
        base = SIGRTMAX;
        sign = -1;
    } else {
        return -1;
    }
    const char *rest = name + 5;
    if (*rest == '\0')
        return base;
    if (*rest != (sign > 0 ? '+' : '-'))
        return -1;
    long off = text_parse_number(rest + 1, 0, SIGRTMAX - SIGRTMIN);
    if (off < 0)
        return -1;
    return base + sign * (int)off;
}

const char *signals_name(int signo, char *buf, size_t len) {
    if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
        if (signo == SIGRTMIN)
            snprintf(buf, len, "SIGRTMIN");
        else
            snprintf(buf, len, "SIGRTMIN+%d", signo - SIGRTMIN);
        return buf;
    }
    for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++) {
        if (signal_table[i].signo == signo) {
            snprintf(buf, len, "SIG%s", signal_table[i].name);
            return buf;
        }
    }
    snprintf(buf, len, "SIG%d", signo);
    return buf;
}

void signals_rewrite_init(struct signals_rewrite *rw) {
    memset(rw->to, -1, sizeof rw->to);
}

/* One side of "s:r": a number in [lo, 31], or (unless numbers_only) a name. */
static int parse_rewrite_side(const char *text, int lo, bool numbers_only) {
    if (isdigit((unsigned char)text[0]))
        return (int)text_parse_number(text, lo, SIGNALS_CLASSIC_MAX);
    if (numbers_only)
        return -1;
    int s = signals_parse(text);
    return s >= 1 && s <= SIGNALS_CLASSIC_MAX ? s : -1;
}

int signals_rewrite_parse(const char *spec, bool numbers_only, int *from, int *to) {
    char buf[32];
    size_t len = strlen(spec);
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, spec, len + 1);
    char *colon = strchr(buf, ':');
    if (colon == NULL)
        return -1;
    *colon = '\0';
    *from = parse_rewrite_side(buf, 1, numbers_only);
    *to = parse_rewrite_side(colon + 1, 0, numbers_only);
    return *from < 1 || *to < 0 ? -1 : 0;
}

int signals_rewrite_add(struct signals_rewrite *rw, const char *spec, bool numbers_only) {
    int from, to;
    if (signals_rewrite_parse(spec, numbers_only, &from, &to) != 0)
        return -1;
    rw->to[from] = (signed char)to;
    return 0;
}

void signals_rewrite_default(struct signals_rewrite *rw, int from, int to) {
    if (from >= 1 && from <= SIGNALS_CLASSIC_MAX && rw->to[from] == -1)
        rw->to[from] = (signed char)to;
}

PODINIT_HOT int signals_rewrite_apply(const struct signals_rewrite *rw, int signo) {
    if (signals_reserved(signo))
        return 0;
    if (signo < 1 || signo > SIGNALS_CLASSIC_MAX || rw->to[signo] == -1)
        return signo;
    return rw->to[signo];
}

bool signals_reserved(int signo) {
    return signo > SIGNALS_CLASSIC_MAX && signo < SIGRTMIN;
}

/* Faults raised by our own code must stay deliverable, or a bug in PID 1
 * would spin instead of dying visibly. */
bool signals_is_fault(int signo) {
    switch (signo) {
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGABRT:
    case SIGTRAP:
    case SIGSYS: return true;
    default: return false;
    }
}

const char *signals_unusable(int signo, bool faults_ok) {
    if (signo < 1 || signo > SIGRTMAX)
        return "it is not a signal";
    if (signo == SIGKILL || signo == SIGSTOP)
        return "it cannot be caught";
    if (signo == SIGCHLD)
        return "it is podinit's own (it reports a child's exit)";
    if (signals_reserved(signo))
        return "the C library reserves it for its threads";
    if (signals_is_fault(signo) && !faults_ok)
        return "podinit leaves the fault signals unblocked, so one sent to it would kill it";
    return NULL;
}
