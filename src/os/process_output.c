/* src/os/process_output.c — a process's stdout and stderr through podinit
 * ("output": "prefix" or "json", process.h): read from its pipes on the
 * loop, cut into lines and formatted (output_line.h), each written whole
 * onto podinit's own stdout or stderr, never waited for: a line the stream
 * cannot take now is dropped and counted, and "podinit: N lines of NAME
 * dropped" goes out before the next line that is written. Memory is
 * bounded: a line being gathered per stream, one formatted line for all. */
#include "podinit/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "podinit/cli.h"
#include "podinit/log.h"

struct output_pipe {
    int rfd, wfd; /* podinit reads rfd; wfd is the process's stdout or stderr */
    struct output_splitter split;
};

struct process_output {
    struct proc *p;
    struct output_pipe pipes[2]; /* OUTPUT_STDOUT, OUTPUT_STDERR */
    unsigned long long dropped;  /* lines not written since the last that was */
    bool watched;                /* on the loop (it runs once the processes are set up) */
};

/* A read's worth, and how many reads one wake-up takes before the loop
 * serves the rest (a flood waits its turn; signals and timers do not). */
enum { READ_CHUNK = 4096, READS_PER_WAKE = 16 };

/* The formatted line, one for every process: it is written (or dropped)
 * before the next is formatted. */
static char *line_buf;
static size_t line_cap;

/* Every line dropped, of every process, since start (/metrics). */
static unsigned long long dropped_total;

unsigned long long process_output_dropped_total(void) {
    return dropped_total;
}

static void dropped(struct process_output *o) {
    o->dropped++;
    dropped_total++;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool room_for(const char *name) {
    size_t need = output_format_max(name);
    if (need <= line_cap)
        return true;
    char *more = realloc(line_buf, need);
    if (more == NULL)
        return false;
    line_buf = more;
    line_cap = need;
    return true;
}

static void pass_on(struct process_output *o, enum output_stream st) {
    struct output_splitter *sp = &o->pipes[st].split;
    const char *name = process_name(o->p);
    enum output_mode mode = o->p->cfg->output;
    if (!room_for(name)) {
        dropped(o);
        return;
    }
    int64_t now = wall_ms();
    if (o->dropped > 0) {
        size_t n = output_format_dropped(mode, name, st, now, o->dropped, line_buf, line_cap);
        if (n == 0 || !log_output_line(st, line_buf, n)) {
            dropped(o);
            return;
        }
        o->dropped = 0;
    }
    size_t n = output_format(mode, name, st, now, sp->buf, sp->line_len, line_buf, line_cap);
    if (n == 0 || !log_output_line(st, line_buf, n))
        dropped(o);
}

static void feed(struct process_output *o, enum output_stream st, const char *data, size_t n) {
    struct output_splitter *sp = &o->pipes[st].split;
    for (size_t off = 0; off < n;) {
        off += output_split(sp, data + off, n - off);
        if (sp->ready) {
            pass_on(o, st);
            output_line_done(sp);
        }
    }
}

/* Reads what is there, at most `reads` times; false once the pipe is dry. */
static bool pump(struct process_output *o, enum output_stream st, int reads) {
    char buf[READ_CHUNK];
    for (int r = 0; r < reads;) {
        ssize_t n = read(o->pipes[st].rfd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; /* EAGAIN: dry (EOF cannot come: podinit holds the write end) */
        feed(o, st, buf, (size_t)n);
        r++;
    }
    return true;
}

static void on_readable(void *ctx, int fd, uint32_t events) {
    (void)events;
    struct process_output *o = ctx;
    (void)pump(o, fd == o->pipes[OUTPUT_STDERR].rfd ? OUTPUT_STDERR : OUTPUT_STDOUT,
               READS_PER_WAKE);
}

/* A pipe podinit reads without waiting and the process writes to as to
 * any pipe (a blocking write end: a process that outruns podinit waits as
 * it would for any reader). Both close-on-exec: a child gets its copy by
 * dup2 onto 1 or 2, nothing else. */
static int open_pipe(struct output_pipe *op) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    int fl = fcntl(fds[0], F_GETFL);
    if (fl < 0 || fcntl(fds[0], F_SETFL, fl | O_NONBLOCK) < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    op->rfd = fds[0];
    op->wfd = fds[1];
    return 0;
}

int process_output_open(struct proc *p) {
    if (p->cfg->output == OUTPUT_INHERIT)
        return 0;
    struct process_output *o = calloc(1, sizeof *o);
    if (o == NULL) {
        log_msg(LOG_ERROR, "%s: output: %s", process_name(p), strerror(ENOMEM));
        return CLI_EXIT_INTERNAL;
    }
    o->p = p;
    o->pipes[0].rfd = o->pipes[0].wfd = o->pipes[1].rfd = o->pipes[1].wfd = -1;
    p->output = o;
    int rc = 0;
    for (int st = 0; st < 2 && rc == 0; st++)
        rc = open_pipe(&o->pipes[st]);
    if (rc != 0) {
        log_msg(LOG_ERROR, "%s: output: its pipes: %s", process_name(p), strerror(-rc));
        return CLI_EXIT_INTERNAL;
    }
    p->ctx.redirect = true;
    p->ctx.out_fd = o->pipes[OUTPUT_STDOUT].wfd;
    p->ctx.err_fd = o->pipes[OUTPUT_STDERR].wfd;
    return 0;
}

int process_output_watch(struct proc *p) {
    struct process_output *o = p->output;
    if (o == NULL || o->watched)
        return 0;
    for (int st = 0; st < 2; st++) {
        /* By SIGIO: an idle process with output costs the loop nothing, and
         * a forwarded signal stays one sigtimedwait (epoll, if that fails). */
        int rc = loop_watch_signalled(p->sh->loop, o->pipes[st].rfd, on_readable, o);
        if (rc != 0)
            rc = loop_watch(p->sh->loop, o->pipes[st].rfd, LOOP_IN, on_readable, o);
        if (rc != 0) {
            log_msg(LOG_ERROR, "%s: output: watching its pipe: %s", process_name(p), strerror(-rc));
            return CLI_EXIT_INTERNAL;
        }
    }
    o->watched = true;
    return 0;
}

/* All of it that is in the pipe now (bounded: what a process left running
 * can write faster than podinit reads), then a last line without newline. */
static void finish(struct process_output *o) {
    for (int st = 0; st < 2; st++) {
        if (o->pipes[st].rfd < 0)
            continue;
        (void)pump(o, (enum output_stream)st, 1024); /* at most 4 MiB */
        output_split_end(&o->pipes[st].split);
        if (o->pipes[st].split.ready) {
            pass_on(o, (enum output_stream)st);
            output_line_done(&o->pipes[st].split);
        }
    }
}

void process_output_ended(struct proc *p) {
    if (p->output != NULL)
        finish(p->output);
}

void process_output_close(struct proc *p) {
    struct process_output *o = p->output;
    if (o == NULL)
        return;
    finish(o);
    for (int st = 0; st < 2; st++) {
        if (o->pipes[st].rfd >= 0) {
            if (o->watched)
                loop_unwatch(p->sh->loop, o->pipes[st].rfd);
            close(o->pipes[st].rfd);
        }
        if (o->pipes[st].wfd >= 0)
            close(o->pipes[st].wfd);
    }
    free(o);
    p->output = NULL;
}
