/* src/core/config_walk.c — the walk over a config file's JSON tree: the
 * JSON path, the errors (escaped, counted, capped), typed readers for
 * values, and the check of an object against its table of keys. */
#include "podinit/config_walk.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/signals.h"

#define MAX_SECONDS (365.0 * 24 * 3600)

/* ---- errors ------------------------------------------------------------- */

void config_errors_free(struct config_errors *errs) {
    free(errs->text);
    *errs = (struct config_errors){0};
}

/* The length of the UTF-8 sequence at s (NUL-terminated), or 0 when it is
 * not one or is a C1 control (U+0080-U+009F), which a terminal may obey. */
static size_t utf8_printable(const unsigned char *s) {
    unsigned c = s[0];
    size_t n = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* the NUL ends the check too */
    if ((c == 0xc2 && s[1] < 0xa0) || (c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
        return 0; /* C1, overlong, a surrogate, beyond U+10FFFF */
    return n;
}

/* Add one line. What it echoes of the file is escaped here, once for all
 * messages: control characters and bytes that are not UTF-8 become \n, \t,
 * \r or \xNN, so a file can neither split an error over lines nor send the
 * terminal an escape sequence. */
void config_errors_add(struct config_errors *errs, const char *line) {
    errs->count++;
    if (errs->count > CONFIG_MAX_ERRORS + 1)
        return;
    if (errs->count == CONFIG_MAX_ERRORS + 1)
        line = "too many errors; the rest are not shown";
    size_t n = strlen(line);
    if (errs->len + 4 * n + 2 > errs->cap) { /* \xNN: 4 bytes for 1 */
        size_t cap = errs->cap ? errs->cap * 2 : 1024;
        while (cap < errs->len + 4 * n + 2)
            cap *= 2;
        char *text = realloc(errs->text, cap);
        if (text == NULL)
            return; /* the count still says something was wrong */
        errs->text = text;
        errs->cap = cap;
    }
    char *out = errs->text + errs->len;
    for (const unsigned char *c = (const unsigned char *)line; *c;) {
        size_t k = *c >= 0x80 ? utf8_printable(c) : *c >= 0x20 && *c != 0x7f;
        if (k > 0) {
            memcpy(out, c, k);
            out += k;
            c += k;
            continue;
        }
        static const char hex[] = "0123456789abcdef";
        *out++ = '\\';
        if (*c == '\n' || *c == '\t' || *c == '\r') {
            *out++ = *c == '\n' ? 'n' : *c == '\t' ? 't' : 'r';
        } else {
            *out++ = 'x';
            *out++ = hex[*c >> 4];
            *out++ = hex[*c & 15];
        }
        c++;
    }
    errs->len = (size_t)(out - errs->text);
    errs->text[errs->len++] = '\n';
    errs->text[errs->len] = '\0';
}

/* ---- the path ----------------------------------------------------------- */

void config_walk_error(struct config_walk *w, const char *fmt, ...) {
    char what[512], line[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: %s: %s", w->file, w->len ? w->path : "(top level)", what);
    config_errors_add(w->errs, line);
}

/* Append to the path, truncating (with "...") rather than overflow. */
size_t config_walk_push(struct config_walk *w, const char *fmt, ...) {
    size_t old = w->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->path + w->len, sizeof w->path - w->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof w->path - w->len) {
        w->len = sizeof w->path - 1;
        memcpy(w->path + w->len - 3, "...", 3);
    } else {
        w->len += (size_t)n;
    }
    return old;
}

size_t config_walk_push_key(struct config_walk *w, const char *key) {
    /* Long keys (typos can be anything) are shortened in messages. */
    return config_walk_push(w, "%s%.64s%s", w->len ? "." : "", key, strlen(key) > 64 ? "..." : "");
}

void config_walk_pop(struct config_walk *w, size_t old) {
    w->len = old;
    w->path[old] = '\0';
}

const char *config_walk_type_name(const cJSON *v) {
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    return "something else";
}

/* ---- values ------------------------------------------------------------- */

bool config_walk_want_type(struct config_walk *w, const cJSON *v, cJSON_bool ok,
                           const char *expected) {
    if (!ok)
        config_walk_error(w, "must be %s, got %s", expected, config_walk_type_name(v));
    return ok;
}

/* Seconds (fractions allowed) into milliseconds. */
bool config_walk_seconds(struct config_walk *w, const cJSON *v, int64_t *ms) {
    if (!config_walk_want_type(w, v, cJSON_IsNumber(v), "a number of seconds"))
        return false;
    double s = v->valuedouble;
    if (!isfinite(s)) {
        config_walk_error(w, "must be a finite number of seconds");
        return false;
    }
    if (s < 0) {
        config_walk_error(w, "must be >= 0, got %g", s);
        return false;
    }
    if (s > MAX_SECONDS) {
        config_walk_error(w, "must be at most a year (%.0f seconds), got %g", MAX_SECONDS, s);
        return false;
    }
    *ms = (int64_t)(s * 1000.0 + 0.5);
    return true;
}

bool config_walk_positive_seconds(struct config_walk *w, const cJSON *v, int64_t *ms) {
    if (!config_walk_seconds(w, v, ms))
        return false;
    if (*ms == 0) {
        if (v->valuedouble > 0) /* rounds to 0 ms */
            config_walk_error(w, "must be at least 0.001 (a millisecond), got %g", v->valuedouble);
        else
            config_walk_error(w, "must be > 0");
        return false;
    }
    return true;
}

bool config_walk_int(struct config_walk *w, const cJSON *v, int min, int max, int *out) {
    if (!config_walk_want_type(w, v, cJSON_IsNumber(v), "a whole number"))
        return false;
    double d = v->valuedouble;
    /* The range first: converting 1e79 to an integer is undefined. */
    if (!isfinite(d) || d < min || d > max) {
        config_walk_error(w, "must be from %d to %d, got %.15g", min, max, d);
        return false;
    }
    if (d != (double)(int)d) {
        config_walk_error(w, "must be a whole number, got %.15g", d);
        return false;
    }
    *out = (int)d;
    return true;
}

bool config_walk_string(struct config_walk *w, const cJSON *v, char **out) {
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return false;
    if (v->valuestring[0] == '\0') {
        config_walk_error(w, "must not be empty");
        return false;
    }
    char *s = strdup(v->valuestring);
    if (s == NULL) {
        config_walk_error(w, "out of memory");
        return false;
    }
    free(*out);
    *out = s;
    return true;
}

/* A signal by name ("SIGTERM", "term", "RTMIN+1") or number. With
 * allow_zero, 0 means "none" (a dropped rewrite). */
bool config_walk_signal(struct config_walk *w, const cJSON *v, bool allow_zero, int max, int *out) {
    int sig = -1;
    if (cJSON_IsNumber(v)) {
        if (!config_walk_int(w, v, allow_zero ? 0 : 1, max, &sig))
            return false;
    } else if (cJSON_IsString(v)) {
        sig = signals_parse(v->valuestring);
        if (sig < 0 || sig > max) {
            config_walk_error(w, "\"%.64s\" is not a signal%s", v->valuestring,
                              max == SIGNALS_CLASSIC_MAX ? " from 1 to 31" : "");
            return false;
        }
    } else {
        config_walk_error(w, "must be a signal name or number, got %s", config_walk_type_name(v));
        return false;
    }
    *out = sig;
    return true;
}

/* A stop signal: with received, one podinit receives (stopSignals);
 * otherwise one it only sends (stopSignal), where a fault is fine. */
bool config_walk_stop_signal(struct config_walk *w, const cJSON *v, bool received, int *out) {
    int sig;
    if (!config_walk_signal(w, v, false, received ? 64 : SIGRTMAX, &sig))
        return false;
    const char *why = signals_unusable(sig, !received);
    if (why != NULL) {
        char name[32];
        config_walk_error(w, "%s cannot be a stop signal: %s", signals_name(sig, name, sizeof name),
                          why);
        return false;
    }
    *out = sig;
    return true;
}

void config_free_argv(char **argv) {
    if (argv)
        for (char **p = argv; *p; p++)
            free(*p);
    free(argv);
}

/* A non-empty array of strings, the first non-empty: a command line. */
bool config_walk_argv(struct config_walk *w, const cJSON *v, char ***out) {
    if (!config_walk_want_type(w, v, cJSON_IsArray(v), "an array of strings"))
        return false;
    int n = cJSON_GetArraySize(v);
    if (n == 0) {
        config_walk_error(w, "must not be empty: the program to run comes first");
        return false;
    }
    if (n > CONFIG_MAX_LIST) {
        config_walk_error(w, "has %d words; at most %d", n, CONFIG_MAX_LIST);
        return false;
    }
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (argv == NULL) {
        config_walk_error(w, "out of memory");
        return false;
    }
    bool ok = true;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = config_walk_push(w, "[%d]", i);
        if (!cJSON_IsString(item)) {
            config_walk_error(w, "must be a string, got %s", config_walk_type_name(item));
            ok = false;
        } else if (i == 0 && item->valuestring[0] == '\0') {
            config_walk_error(w, "the program name must not be empty");
            ok = false;
        } else if ((argv[i] = strdup(item->valuestring)) == NULL) {
            config_walk_error(w, "out of memory");
            ok = false;
        }
        config_walk_pop(w, old);
    }
    if (!ok) {
        /* Not free_argv: a bad word left a NULL hole before the end. */
        for (int k = 0; k < n; k++)
            free(argv[k]);
        free(argv);
        return false;
    }
    config_free_argv(*out);
    *out = argv;
    return true;
}

/* Check each member of obj against keys (unknown and repeated keys are
 * errors) and hand the known ones to their functions. Returns a bitmask of
 * the keys present (at most 32 per table). */
/* ---- objects ------------------------------------------------------------ */

bool config_walk_object(struct config_walk *w, const cJSON *obj, const struct config_key *keys,
                        size_t n_keys, void *dst, bool *given) {
    for (size_t k = 0; k < n_keys; k++)
        given[k] = false;
    if (!config_walk_want_type(w, obj, cJSON_IsObject(obj), "an object"))
        return false;
    for (const cJSON *m = obj->child; m; m = m->next) {
        size_t old = config_walk_push_key(w, m->string);
        size_t k = 0;
        while (k < n_keys && strcmp(keys[k].name, m->string) != 0)
            k++;
        if (k == n_keys) {
            config_walk_error(w, "unknown key");
        } else if (given[k]) {
            config_walk_error(w, "duplicate key (given more than once)");
        } else {
            given[k] = true;
            if (keys[k].fn)
                keys[k].fn(w, m, dst);
            else
                config_walk_error(w, "%s", keys[k].refused);
        }
        config_walk_pop(w, old);
    }
    return true;
}
