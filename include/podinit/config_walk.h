/* include/podinit/config_walk.h — the walk over a config file's JSON tree
 * that the key tables (config_keys.h) share: where it is (the JSON path),
 * the errors it collects, typed readers for values, and the check of an
 * object's members against a table of keys. Internal to the config parser. */
#ifndef PODINIT_CONFIG_WALK_H
#define PODINIT_CONFIG_WALK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podinit/config.h"

/* Errors past this many are counted, not shown. */
#define CONFIG_MAX_ERRORS 100

/* The longest list a file may give: argv words, env entries, headers. */
#define CONFIG_MAX_LIST 1024

/* Where the walk is: the file, and the JSON path of the value at hand. */
struct config_walk {
    const char *file;
    struct config_errors *errs;
    const struct config_system *sys;
    char path[256];
    size_t len;
};

/* Add one line to errs, escaping what it echoes of the file. */
void config_errors_add(struct config_errors *errs, const char *line);

/* "FILE: PATH: what" (the path "(top level)" when empty). */
void config_walk_error(struct config_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append to the path (truncated with "..." rather than overflow); returns
 * the length to give config_walk_pop to undo it. */
size_t config_walk_push(struct config_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t config_walk_push_key(struct config_walk *w, const char *key);
void config_walk_pop(struct config_walk *w, size_t old);

/* "a string", "a number", "an object", ... for messages. */
const char *config_walk_type_name(const cJSON *v);

/* ok, or an error "must be EXPECTED, got TYPE". */
bool config_walk_want_type(struct config_walk *w, const cJSON *v, cJSON_bool ok,
                           const char *expected);

/* Typed values; each reports its own error and returns false on one. */
bool config_walk_seconds(struct config_walk *w, const cJSON *v, int64_t *ms);
bool config_walk_positive_seconds(struct config_walk *w, const cJSON *v, int64_t *ms); /* > 0 */
bool config_walk_int(struct config_walk *w, const cJSON *v, int min, int max, int *out);
bool config_walk_string(struct config_walk *w, const cJSON *v, char **out); /* non-empty */
/* A signal by name or number up to max; with allow_zero, 0 means none. */
bool config_walk_signal(struct config_walk *w, const cJSON *v, bool allow_zero, int max, int *out);
/* A stop signal: received (stopSignals) or only sent (stopSignal). */
bool config_walk_stop_signal(struct config_walk *w, const cJSON *v, bool received, int *out);
/* A command line: a non-empty array of strings, the first non-empty. */
bool config_walk_argv(struct config_walk *w, const cJSON *v, char ***out);

/* Free a NULL-terminated argv and its strings (NULL is fine). */
void config_free_argv(char **argv);

/* One key of an object: fn reads its value into dst; a key podinit knows
 * but refuses has no fn and says why. */
typedef void config_key_fn(struct config_walk *w, const cJSON *v, void *dst);

struct config_key {
    const char *name;
    config_key_fn *fn;
    const char *refused; /* when fn is NULL */
};

#define CONFIG_KEY_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Check each member of obj against keys (unknown and repeated keys are
 * errors) and hand the known ones to their functions; given[k] says
 * whether keys[k] was there. False when obj is not an object (reported). */
bool config_walk_object(struct config_walk *w, const cJSON *obj, const struct config_key *keys,
                        size_t n_keys, void *dst, bool *given);

/* config_walk_object over a whole table; given has as many entries. */
#define CONFIG_WALK_KEYS(w, obj, table, dst, given)                                                \
    config_walk_object((w), (obj), (table), CONFIG_KEY_COUNT(table), (dst), (given))

/* The same, when which keys were given does not matter. */
#define CONFIG_WALK_ANY(w, obj, table, dst)                                                        \
    CONFIG_WALK_KEYS((w), (obj), (table), (dst), (bool[CONFIG_KEY_COUNT(table)]){false})

#endif
