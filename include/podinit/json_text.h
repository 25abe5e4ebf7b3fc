/* include/podinit/json_text.h — bytes as the inside of a JSON string, for
 * the log's JSON lines and the processes' JSON output: valid UTF-8
 * whatever the bytes (each ill-formed sequence, its maximal subpart,
 * becomes U+FFFD), '"' and '\\' escaped, newline as \n, the C0 and C1
 * controls, DEL, U+2028 and U+2029 as \uXXXX (so that no reader splits a
 * line there). Pure. */
#ifndef PODINIT_JSON_TEXT_H
#define PODINIT_JSON_TEXT_H

#include <stddef.h>

/* The most bytes n bytes of text can take escaped: six each (\u0001). */
#define JSON_TEXT_MAX(n) ((n)*6)

/* Appends text[0..n) escaped to out at *len, never past cap: stops at the
 * last whole unit that fits, never inside an escape or a sequence.
 * Returns how many bytes of text went in. */
size_t json_text_put(char *out, size_t *len, size_t cap, const char *text, size_t n);

/* A text cut at len by its buffer: len without the UTF-8 sequence the cut
 * left unfinished (it was whole before the cut, so not a U+FFFD). */
size_t json_text_uncut(const char *s, size_t len);

#endif
