/* include/podinit/output_line.h — a process's output as podinit passes it
 * on ("output": "prefix" or "json"): the bytes read from its pipe cut into
 * lines, each then formatted to be written whole, with one write. Pure:
 * the shell reads the pipes and writes the lines. */
#ifndef PODINIT_OUTPUT_LINE_H
#define PODINIT_OUTPUT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_mode { OUTPUT_INHERIT, OUTPUT_PREFIX, OUTPUT_JSON };
enum output_stream { OUTPUT_STDOUT, OUTPUT_STDERR };

/* A line longer than this is passed on in pieces of at most this many
 * bytes, each cut between two UTF-8 sequences when the bytes are UTF-8. */
#define OUTPUT_LINE_MAX 16384

/* One stream of one process: the line being gathered. */
struct output_splitter {
    char buf[OUTPUT_LINE_MAX];
    size_t len;      /* bytes gathered */
    size_t line_len; /* when ready: the line's bytes, buf[0..line_len), no newline */
    bool ready;      /* a line waits: format and write it, then output_line_done */
};

/* Takes bytes of data[0..n) until a line is ready (a newline, which is
 * taken and not kept, or OUTPUT_LINE_MAX bytes); returns how many it took.
 * Takes none while a line waits. */
size_t output_split(struct output_splitter *s, const char *data, size_t n);

/* The waiting line has been passed on: the next one may gather. */
void output_line_done(struct output_splitter *s);

/* The stream ended (the pipe's end of file): a last line without a newline
 * is ready, if there is one. */
void output_split_end(struct output_splitter *s);

/* The line as written: prefix "NAME | LINE\n"; json
 * {"time":T,"process":"NAME","stream":"stdout","msg":"LINE"}\n, valid
 * UTF-8 whatever the bytes (json_text.h); time_ms: the wall clock, as
 * seconds since the epoch with milliseconds. Returns its length; 0 when
 * it does not fit cap, which output_format_max(name) always does. */
size_t output_format(enum output_mode mode, const char *name, enum output_stream stream,
                     int64_t time_ms, const char *line, size_t len, char *out, size_t cap);

/* The note that n lines were dropped, in the mode's form: "podinit: N
 * lines of NAME dropped\n", or that as the msg of a JSON line with
 * "dropped":N. Fits output_format_max(name) too; 0 when it does not fit. */
size_t output_format_dropped(enum output_mode mode, const char *name, enum output_stream stream,
                             int64_t time_ms, unsigned long long n, char *out, size_t cap);

/* The room any line of up to OUTPUT_LINE_MAX bytes takes, formatted. */
size_t output_format_max(const char *name);

/* "inherit", "prefix", "json" as an output_mode, or -1. */
int output_mode_parse(const char *text);
const char *output_mode_name(enum output_mode mode);

#endif
