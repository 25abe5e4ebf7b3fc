/* include/podinit/log.h — what podinit says, in the voice of the persona it
 * runs as: podinit's own lines, tini's "[INFO  tini (1)]", dumb-init's
 * "[dumb-init]" or catatonit's "ERROR (catatonit:1):". Each line is formatted
 * into a bounded buffer (1 KiB) and written without ever waiting: stderr
 * (and tini's stdout) is shared with the app, so its file description is
 * left as it is and podinit writes through its own non-blocking one (a pipe,
 * FIFO or terminal, reopened from /proc/self/fd), or else with
 * pwritev2(RWF_NOWAIT) (a pipe) or after poll(2); send(MSG_DONTWAIT) on a
 * socket, plain write(2) to a file. A line that cannot be written now is
 * dropped and counted; "podinit: N log lines dropped" comes before the next
 * line that can be. A line begun is finished before anything else. */
#ifndef PODINIT_LOG_H
#define PODINIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "podinit/log_format.h" /* struct log_fields */
#include "podinit/output_line.h" /* enum output_stream */
#include "podinit/persona.h"
#include "podinit/text.h"       /* enum log_level */

/* json: podinit's own lines as one JSON object each (other personas keep
 * their tool's format), valid UTF-8 whatever the message holds. Looks at
 * stderr (and, for tini, stdout) and decides how to write each; a stream
 * closed now is never written to. Call again after changing them. */
void log_init(enum cli_persona persona, int threshold, int64_t start_ms, bool json);

bool log_enabled(enum log_level level);

/* A free-form line in the persona's format. log_msg and log_event are cold:
 * a forwarded signal logs nothing by default, and the compiler moves the
 * branches that call them out of the code around them (include/podinit/hot.h). */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), cold));

/* A lifecycle event: a sentence, plus its fields (log_format.h) in JSON. */
void log_event(enum log_level level, const struct log_fields *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));

/* A process's output line (output_line.h) onto podinit's stdout or stderr,
 * whole with one write as far as the stream takes it (the end of a line it
 * took only in part goes out before anything else); false: dropped, as the
 * stream cannot take it now. Never waits. */
bool log_output_line(enum output_stream stream, const char *line, size_t len);

/* Every log line podinit dropped since it started (a full stderr). */
unsigned long long log_lines_dropped(void);

/* Events whose wording the personas' users (and test suites) rely on. */
/* fields: event "started", the child's pid (and the process, when named). */
void log_spawned(const struct log_fields *fields, const char *pre, pid_t pid,
                 const char *program);
void log_exec_failed(const char *program, int err);
void log_signal_received(int signo);
void log_signal_rewritten(int from, int to);
void log_signal_forwarded(int signo, pid_t target);
void log_signal_dropped(int signo);
void log_reaped(pid_t pid, int wait_status, bool is_main);
void log_main_exited(const char *pre, int wait_status, int exit_code);
void log_subreaper_missing(void);

#endif
