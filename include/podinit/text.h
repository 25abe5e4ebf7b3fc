/* include/podinit/text.h — whole decimal numbers from text, without
 * strtol (whose generic scanner would add 1.5 KB to the static build). */
#ifndef PODINIT_TEXT_H
#define PODINIT_TEXT_H

/* text as a whole decimal number (digits only: no sign, space or base
 * prefix) in [lo, hi], or -1. lo must be >= 0. */
long text_parse_number(const char *text, long lo, long hi);

#endif
