/* include/podinit/text.h — small text helpers shared by the parsers and the
 * log: whole decimal numbers without strtol (whose generic scanner would add
 * 1.5 KB to the static build), seconds as text, a path's last part, and the
 * log-level names. Pure. */
#ifndef PODINIT_TEXT_H
#define PODINIT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* text as a whole decimal number (digits only: no sign, space or base
 * prefix) in [lo, hi], or -1. lo must be >= 0. */
long text_parse_number(const char *text, long lo, long hi);

/* ms as seconds, shortest form: 5000 -> "5", 250 -> "0.25". */
void text_seconds(int64_t ms, char *buf, size_t len);

/* What follows the last '/' of path (all of it when there is none). */
const char *text_base_name(const char *path);

/* A message is shown when its level <= the threshold. The numbers follow
 * tini's verbosity, so TINI_VERBOSITY and -v mean the same everywhere. */
enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };

/* "error", "warn", "info", "debug", "trace" (out-of-range levels clamp). */
const char *text_level_name(int level);

/* The level a name says, or -1. */
int text_level_parse(const char *name);

#endif
