/* src/config.c — the JSON config file, checked key by key against a table
 * per object, with every error collected (file, JSON path, cause) so that a
 * bad file is reported whole and starts nothing. */
#include "podinit/config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podinit/health.h"
#include "podinit/log.h"
#include "podinit/text.h"
#include "podinit/users.h"

#define MAX_FILE_BYTES (1024 * 1024)
#define MAX_ERRORS 100
#define MAX_SECONDS (365.0 * 24 * 3600)
#define MAX_LIST 1024 /* env entries, headers, argv words */

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
static void errors_add(struct config_errors *errs, const char *line) {
    errs->count++;
    if (errs->count > MAX_ERRORS + 1)
        return;
    if (errs->count == MAX_ERRORS + 1)
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

/* Where the walk is: the file, and the JSON path of the value at hand. */
struct walk {
    const char *file;
    struct config_errors *errs;
    char path[256];
    size_t len;
};

static void errorf(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void errorf(struct walk *w, const char *fmt, ...) {
    char what[512], line[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: %s: %s", w->file, w->len ? w->path : "(top level)", what);
    errors_add(w->errs, line);
}

/* Append to the path, truncating (with "...") rather than overflow. */
static size_t path_push(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(struct walk *w, const char *fmt, ...) {
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

static size_t path_push_key(struct walk *w, const char *key) {
    /* Long keys (typos can be anything) are shortened in messages. */
    return path_push(w, "%s%.64s%s", w->len ? "." : "", key, strlen(key) > 64 ? "..." : "");
}

static void path_pop(struct walk *w, size_t old) {
    w->len = old;
    w->path[old] = '\0';
}

static const char *type_name(const cJSON *v) {
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

static bool want_type(struct walk *w, const cJSON *v, cJSON_bool ok, const char *expected) {
    if (!ok)
        errorf(w, "must be %s, got %s", expected, type_name(v));
    return ok;
}

/* Seconds (fractions allowed) into milliseconds. */
static bool get_seconds(struct walk *w, const cJSON *v, int64_t *ms) {
    if (!want_type(w, v, cJSON_IsNumber(v), "a number of seconds"))
        return false;
    double s = v->valuedouble;
    if (!isfinite(s)) {
        errorf(w, "must be a finite number of seconds");
        return false;
    }
    if (s < 0) {
        errorf(w, "must be >= 0, got %g", s);
        return false;
    }
    if (s > MAX_SECONDS) {
        errorf(w, "must be at most a year (%.0f seconds), got %g", MAX_SECONDS, s);
        return false;
    }
    *ms = (int64_t)(s * 1000.0 + 0.5);
    return true;
}

static bool get_int(struct walk *w, const cJSON *v, int min, int max, int *out) {
    if (!want_type(w, v, cJSON_IsNumber(v), "a whole number"))
        return false;
    double d = v->valuedouble;
    /* The range first: converting 1e79 to an integer is undefined. */
    if (!isfinite(d) || d < min || d > max) {
        errorf(w, "must be from %d to %d, got %g", min, max, d);
        return false;
    }
    if (d != (double)(int)d) {
        errorf(w, "must be a whole number, got %g", d);
        return false;
    }
    *out = (int)d;
    return true;
}

static bool get_string(struct walk *w, const cJSON *v, char **out) {
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return false;
    if (v->valuestring[0] == '\0') {
        errorf(w, "must not be empty");
        return false;
    }
    char *s = strdup(v->valuestring);
    if (s == NULL) {
        errorf(w, "out of memory");
        return false;
    }
    free(*out);
    *out = s;
    return true;
}

/* A signal by name ("SIGTERM", "term", "RTMIN+1") or number. With
 * allow_zero, 0 means "none" (a dropped rewrite). */
static bool get_signal(struct walk *w, const cJSON *v, bool allow_zero, int max, int *out) {
    int sig = -1;
    if (cJSON_IsNumber(v)) {
        if (!get_int(w, v, allow_zero ? 0 : 1, max, &sig))
            return false;
    } else if (cJSON_IsString(v)) {
        sig = signals_parse(v->valuestring);
        if (sig < 0 || sig > max) {
            errorf(w, "\"%.64s\" is not a signal%s", v->valuestring,
                   max == SIGNALS_CLASSIC_MAX ? " from 1 to 31" : "");
            return false;
        }
    } else {
        errorf(w, "must be a signal name or number, got %s", type_name(v));
        return false;
    }
    *out = sig;
    return true;
}

/* A stop signal: with received, one podinit receives (stopSignals);
 * otherwise one it only sends (stopSignal), where a fault is fine. */
static bool get_stop_signal(struct walk *w, const cJSON *v, bool received, int *out) {
    int sig;
    if (!get_signal(w, v, false, received ? 64 : SIGRTMAX, &sig))
        return false;
    const char *why = signals_unusable(sig, !received);
    if (why != NULL) {
        char name[32];
        errorf(w, "%s cannot be a stop signal: %s", signals_name(sig, name, sizeof name), why);
        return false;
    }
    *out = sig;
    return true;
}

static void free_argv(char **argv) {
    if (argv)
        for (char **p = argv; *p; p++)
            free(*p);
    free(argv);
}

/* A non-empty array of strings, the first non-empty: a command line. */
static bool get_argv(struct walk *w, const cJSON *v, char ***out) {
    if (!want_type(w, v, cJSON_IsArray(v), "an array of strings"))
        return false;
    int n = cJSON_GetArraySize(v);
    if (n == 0) {
        errorf(w, "must not be empty: the program to run comes first");
        return false;
    }
    if (n > MAX_LIST) {
        errorf(w, "has %d words; at most %d", n, MAX_LIST);
        return false;
    }
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (argv == NULL) {
        errorf(w, "out of memory");
        return false;
    }
    bool ok = true;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = path_push(w, "[%d]", i);
        if (!cJSON_IsString(item)) {
            errorf(w, "must be a string, got %s", type_name(item));
            ok = false;
        } else if (i == 0 && item->valuestring[0] == '\0') {
            errorf(w, "the program name must not be empty");
            ok = false;
        } else if ((argv[i] = strdup(item->valuestring)) == NULL) {
            errorf(w, "out of memory");
            ok = false;
        }
        path_pop(w, old);
    }
    if (!ok) {
        /* Not free_argv: a bad word left a NULL hole before the end. */
        for (int k = 0; k < n; k++)
            free(argv[k]);
        free(argv);
        return false;
    }
    free_argv(*out);
    *out = argv;
    return true;
}

/* ---- objects ------------------------------------------------------------ */

typedef void key_fn(struct walk *w, const cJSON *v, void *dst);

struct key_spec {
    const char *name;
    key_fn *fn;          /* NULL: known but not supported yet */
    const char *not_yet; /* why it is refused, when fn is NULL */
};

#define NOT_YET(key)                                                                               \
    { key, NULL, "is not supported yet (it comes with supervision)" }

/* Check each member of obj against keys (unknown and repeated keys are
 * errors) and hand the known ones to their functions. Returns a bitmask of
 * the keys present (at most 32 per table). */
static unsigned walk_object(struct walk *w, const cJSON *obj, const struct key_spec *keys,
                            size_t n_keys, void *dst) {
    if (!want_type(w, obj, cJSON_IsObject(obj), "an object"))
        return 0;
    unsigned seen = 0;
    for (const cJSON *m = obj->child; m; m = m->next) {
        size_t old = path_push_key(w, m->string);
        size_t k = 0;
        while (k < n_keys && strcmp(keys[k].name, m->string) != 0)
            k++;
        if (k == n_keys) {
            errorf(w, "unknown key");
        } else if (seen & (1u << k)) {
            errorf(w, "duplicate key (given more than once)");
        } else {
            seen |= 1u << k;
            if (keys[k].fn)
                keys[k].fn(w, m, dst);
            else
                errorf(w, "%s", keys[k].not_yet);
        }
        path_pop(w, old);
    }
    return seen;
}

/* -- hooks -- */

static void hook_exec_command(struct walk *w, const cJSON *v, void *dst) {
    (void)get_argv(w, v, &((struct config_hook *)dst)->command);
}

static const struct key_spec exec_keys[] = {{"command", hook_exec_command, NULL}};

static void hook_exec(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    h->kind = HOOK_EXEC;
    if (!(walk_object(w, v, exec_keys, 1, h) & 1) && cJSON_IsObject(v))
        errorf(w, "needs \"command\"");
}

static void hook_sleep_seconds(struct walk *w, const cJSON *v, void *dst) {
    (void)get_seconds(w, v, &((struct config_hook *)dst)->sleep_ms);
}

static const struct key_spec sleep_keys[] = {{"seconds", hook_sleep_seconds, NULL}};

static void hook_sleep(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    h->kind = HOOK_SLEEP;
    if (!(walk_object(w, v, sleep_keys, 1, h) & 1) && cJSON_IsObject(v))
        errorf(w, "needs \"seconds\"");
}

static void http_host(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    struct sockaddr_storage addr;
    socklen_t len;
    if (get_string(w, v, &h->host) && http_address(h->host, 80, &addr, &len) != 0)
        errorf(w, "\"%.64s\" is not an IP address or localhost (podinit does no DNS)", h->host);
}

static void http_port(struct walk *w, const cJSON *v, void *dst) {
    if (cJSON_IsString(v)) {
        errorf(w, "named ports need a pod spec to look them up; give the number");
        return;
    }
    (void)get_int(w, v, 1, 65535, &((struct config_hook *)dst)->port);
}

static void http_path(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (!get_string(w, v, &h->path))
        return;
    if (h->path[0] != '/')
        errorf(w, "must start with /, got \"%.64s\"", h->path);
    else if (strpbrk(h->path, " \t\r\n") != NULL)
        errorf(w, "must not contain spaces or line breaks");
}

static void http_scheme(struct walk *w, const cJSON *v, void *dst) {
    (void)dst;
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "HTTPS") == 0)
        errorf(w, "HTTPS is not supported (podinit has no TLS); use HTTP");
    else if (strcmp(v->valuestring, "HTTP") != 0)
        errorf(w, "must be HTTP, got \"%.64s\"", v->valuestring);
}

static void header_name(struct walk *w, const cJSON *v, void *dst) {
    struct http_header *h = dst;
    if (!get_string(w, v, &h->name))
        return;
    for (const char *c = h->name; *c; c++)
        if (*c <= ' ' || *c == ':' || *c == 127) {
            errorf(w, "\"%.64s\" is not a header name", h->name);
            return;
        }
}

static void header_value(struct walk *w, const cJSON *v, void *dst) {
    struct http_header *h = dst;
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strpbrk(v->valuestring, "\r\n") != NULL) {
        errorf(w, "must not contain line breaks");
        return;
    }
    free(h->value);
    if ((h->value = strdup(v->valuestring)) == NULL)
        errorf(w, "out of memory");
}

static const struct key_spec header_keys[] = {{"name", header_name, NULL},
                                              {"value", header_value, NULL}};

static void http_headers(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (!want_type(w, v, cJSON_IsArray(v), "an array of {\"name\", \"value\"}"))
        return;
    int n = cJSON_GetArraySize(v);
    if (n > MAX_LIST) {
        errorf(w, "has %d headers; at most %d", n, MAX_LIST);
        return;
    }
    h->headers = calloc((size_t)n + 1, sizeof *h->headers);
    if (h->headers == NULL) {
        errorf(w, "out of memory");
        return;
    }
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = path_push(w, "[%d]", i);
        struct http_header *hd = &h->headers[h->n_headers++];
        unsigned seen = walk_object(w, item, header_keys, 2, hd);
        if (cJSON_IsObject(item) && seen != 3)
            errorf(w, "needs \"name\" and \"value\"");
        path_pop(w, old);
    }
}

static const struct key_spec http_keys[] = {
    {"host", http_host, NULL},     {"port", http_port, NULL},           {"path", http_path, NULL},
    {"scheme", http_scheme, NULL}, {"httpHeaders", http_headers, NULL},
};

static void hook_http_get(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    h->kind = HOOK_HTTP_GET;
    size_t before = w->errs->count;
    if (!(walk_object(w, v, http_keys, 5, h) & 2)) {
        if (cJSON_IsObject(v))
            errorf(w, "needs \"port\"");
        return;
    }
    /* Each check sends this one request: if it cannot fit, every one would
     * fail. (Only when all its parts are valid: no NULL name or value.) */
    static char request[HTTP_REQUEST_MAX];
    if (w->errs->count == before &&
        http_request(h->host ? h->host : "127.0.0.1", h->port, h->path ? h->path : "/", h->headers,
                     h->n_headers, request, sizeof request) < 0)
        errorf(w, "the request (path and httpHeaders) would be larger than %d bytes",
               HTTP_REQUEST_MAX);
}

static void hook_timeout(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (get_seconds(w, v, &h->timeout_ms) && h->timeout_ms == 0)
        errorf(w, "must be > 0");
}

static const struct key_spec hook_keys[] = {
    {"exec", hook_exec, NULL},
    {"httpGet", hook_http_get, NULL},
    {"sleep", hook_sleep, NULL},
    {"timeoutSeconds", hook_timeout, NULL},
    {"tcpSocket", NULL,
     "is not a lifecycle handler (Kubernetes ignores it); use exec, httpGet "
     "or sleep"},
};

static void walk_hook(struct walk *w, const cJSON *v, struct config_hook *h) {
    unsigned seen = walk_object(w, v, hook_keys, 5, h);
    unsigned handlers = seen & 7u;
    if (!cJSON_IsObject(v))
        return;
    if (handlers == 0 && !(seen & 16u))
        errorf(w, "needs one handler: exec, httpGet or sleep");
    else if (handlers != 0 && (handlers & (handlers - 1)) != 0)
        errorf(w, "has more than one handler; give one of exec, httpGet, sleep");
    if ((seen & 8u) && h->kind == HOOK_SLEEP)
        errorf(w, "timeoutSeconds does not apply to a sleep handler");
}

static void lc_post_start(struct walk *w, const cJSON *v, void *dst) {
    walk_hook(w, v, &((struct config_process *)dst)->post_start);
}

static void lc_pre_stop(struct walk *w, const cJSON *v, void *dst) {
    walk_hook(w, v, &((struct config_process *)dst)->pre_stop);
}

static const struct key_spec lifecycle_keys[] = {{"postStart", lc_post_start, NULL},
                                                 {"preStop", lc_pre_stop, NULL}};

/* -- a process -- */

static void proc_lifecycle(struct walk *w, const cJSON *v, void *dst) {
    (void)walk_object(w, v, lifecycle_keys, 2, dst);
}

static void proc_name(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!get_string(w, v, &p->name))
        return;
    /* It appears in logs and in /status's JSON: keep it plain. */
    if (strlen(p->name) > 63 ||
        strspn(p->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
            strlen(p->name))
        errorf(w, "must be letters, digits, '-', '_' or '.' (at most 63), got \"%.64s\"", p->name);
}

static void proc_command(struct walk *w, const cJSON *v, void *dst) {
    (void)get_argv(w, v, &((struct config_process *)dst)->command);
}

static void proc_working_dir(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (get_string(w, v, &p->working_dir) && p->working_dir[0] != '/')
        errorf(w, "must be an absolute path, got \"%.64s\"", p->working_dir);
}

static void proc_stop_signal(struct walk *w, const cJSON *v, void *dst) {
    (void)get_stop_signal(w, v, false, &((struct config_process *)dst)->stop_signal);
}

static void proc_env(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!want_type(w, v, cJSON_IsObject(v), "an object of \"NAME\": \"value\""))
        return;
    int n = cJSON_GetArraySize(v);
    if (n > MAX_LIST) {
        errorf(w, "has %d variables; at most %d", n, MAX_LIST);
        return;
    }
    p->env = calloc((size_t)n + 1, sizeof *p->env);
    if (p->env == NULL) {
        errorf(w, "out of memory");
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        size_t old = path_push_key(w, m->string);
        bool repeated = false;
        for (const cJSON *e = v->child; e != m; e = e->next)
            repeated = repeated || strcmp(e->string, m->string) == 0;
        if (repeated)
            errorf(w, "duplicate key (given more than once)");
        else if (m->string[0] == '\0' || strchr(m->string, '=') != NULL)
            errorf(w, "is not a variable name (empty, or contains '=')");
        else if (!cJSON_IsString(m))
            errorf(w, "must be a string, got %s (quote numbers, as Kubernetes wants)",
                   type_name(m));
        else {
            size_t kl = strlen(m->string), vl = strlen(m->valuestring);
            char *kv = malloc(kl + vl + 2);
            if (kv == NULL) {
                errorf(w, "out of memory");
            } else {
                memcpy(kv, m->string, kl);
                kv[kl] = '=';
                memcpy(kv + kl + 1, m->valuestring, vl + 1);
                p->env[p->n_env++] = kv;
            }
        }
        path_pop(w, old);
    }
}

static void proc_signal_rewrite(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!want_type(w, v, cJSON_IsObject(v), "an object of \"SIGNAL\": \"SIGNAL\" or 0"))
        return;
    bool seen[SIGNALS_CLASSIC_MAX + 1] = {false};
    for (const cJSON *m = v->child; m; m = m->next) {
        size_t old = path_push_key(w, m->string);
        int from = signals_parse(m->string), to;
        char name[32];
        if (from < 1 || from > SIGNALS_CLASSIC_MAX)
            errorf(w, "\"%.64s\" is not a signal from 1 to 31", m->string);
        else if (seen[from])
            errorf(w, "rewrites the same signal twice");
        else if (signals_unusable(from, false) != NULL)
            errorf(w, "%s cannot be rewritten: %s", signals_name(from, name, sizeof name),
                   signals_unusable(from, false));
        else if (get_signal(w, m, true, SIGNALS_CLASSIC_MAX, &to)) {
            seen[from] = true;
            p->rewrite.to[from] = (signed char)to;
        }
        path_pop(w, old);
    }
}

/* -- the user a process runs as -- */

/* "UID[:GID]" numbers, or names from /etc/passwd and /etc/group; without
 * a group, the user's own (or 0 for a uid that has no passwd entry, as
 * Docker does). Supplementary groups as Docker's USER (runc's GetExecUser)
 * gives them: for a passwd entry (by name, or a uid alone) without a group,
 * its own and those /etc/group lists it in; with a group given, none.
 * Returns 0 or -1 with a reason. */
static int resolve_user(const char *spec, struct config_process *p, char *why, size_t len) {
    char user[USERS_NAME_MAX + 1], group[USERS_NAME_MAX + 1] = "", name[USERS_NAME_MAX + 1];
    const char *colon = strchr(spec, ':');
    size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (ulen == 0 || ulen >= sizeof user ||
        (colon && (colon[1] == '\0' || strlen(colon + 1) >= sizeof group))) {
        snprintf(why, len, "takes USER[:GROUP], names or numbers");
        return -1;
    }
    memcpy(user, spec, ulen);
    user[ulen] = '\0';
    if (colon)
        strcpy(group, colon + 1);
    long n = text_parse_number(user, 0, 0x7ffffffe);
    p->uid = (uid_t)(n >= 0 ? n : 0);
    p->gid = 0;
    int rc = users_find_user("/etc/passwd", n >= 0 ? NULL : user, &p->uid, &p->gid, name);
    if (rc != 0 && (n < 0 || rc != -ENOENT)) { /* a uid alone needs no entry */
        if (rc == -ENOENT)
            snprintf(why, len, "no user \"%s\" in /etc/passwd", user);
        else
            snprintf(why, len, "/etc/passwd: %s", strerror(-rc));
        return -1;
    }
    if (colon) {
        long g = text_parse_number(group, 0, 0x7ffffffe);
        gid_t named;
        int grc = g < 0 ? users_find_group("/etc/group", group, &named) : 0;
        if (grc == -ENOENT)
            snprintf(why, len, "no group \"%s\" in /etc/group", group);
        else if (grc != 0)
            snprintf(why, len, "/etc/group: %s", strerror(-grc));
        if (grc != 0)
            return -1;
        p->gid = g >= 0 ? (gid_t)g : named;
    } else if (rc == 0) {
        int k = users_groups("/etc/group", name, p->gid, USERS_MAX_GROUPS, &p->groups);
        if (k == -E2BIG)
            snprintf(why, len,
                     "\"%s\" is in more than %d groups in /etc/group (the kernel's limit)", name,
                     USERS_MAX_GROUPS);
        else if (k < 0)
            snprintf(why, len, "/etc/group: %s", strerror(-k));
        if (k < 0)
            return -1;
        p->n_groups = (size_t)k;
    }
    return 0;
}

static void proc_user(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    char why[512];
    if (get_string(w, v, &p->user) && resolve_user(p->user, p, why, sizeof why))
        errorf(w, "%s", why);
}

/* -- probes -- */

static void tcp_port(struct walk *w, const cJSON *v, void *dst) {
    http_port(w, v, dst);
}

static const struct key_spec tcp_keys[] = {{"host", http_host, NULL}, {"port", tcp_port, NULL}};

static void probe_tcp(struct walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    h->kind = HOOK_TCP_SOCKET;
    if (!(walk_object(w, v, tcp_keys, 2, h) & 2) && cJSON_IsObject(v))
        errorf(w, "needs \"port\"");
}

static void probe_seconds(struct walk *w, const cJSON *v, int64_t *ms, bool positive) {
    if (get_seconds(w, v, ms) && positive && *ms == 0)
        errorf(w, "must be > 0");
}

static void probe_initial_delay(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_probe *)dst)->timing.initial_delay_ms, false);
}

static void probe_period(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_probe *)dst)->timing.period_ms, true);
}

static void probe_timeout(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_probe *)dst)->timing.timeout_ms, true);
}

static void probe_success(struct walk *w, const cJSON *v, void *dst) {
    (void)get_int(w, v, 1, 1000000, &((struct config_probe *)dst)->timing.success_threshold);
}

static void probe_failure(struct walk *w, const cJSON *v, void *dst) {
    (void)get_int(w, v, 1, 1000000, &((struct config_probe *)dst)->timing.failure_threshold);
}

/* The handler functions take the probe as its check (its first member). */
static const struct key_spec probe_keys[] = {
    {"exec", hook_exec, NULL},
    {"httpGet", hook_http_get, NULL},
    {"tcpSocket", probe_tcp, NULL},
    {"initialDelaySeconds", probe_initial_delay, NULL},
    {"periodSeconds", probe_period, NULL},
    {"timeoutSeconds", probe_timeout, NULL},
    {"successThreshold", probe_success, NULL},
    {"failureThreshold", probe_failure, NULL},
    {"grpc", NULL, "is not supported; use exec, httpGet or tcpSocket"},
    {"terminationGracePeriodSeconds", NULL, "is not supported on a probe; set the top-level one"},
};

static void walk_probe(struct walk *w, const cJSON *v, struct config_probe *p, bool one_success) {
    p->present = true;
    p->timing = (struct probe_timing){
        .period_ms = 10000, .timeout_ms = 1000, .success_threshold = 1, .failure_threshold = 3};
    unsigned seen = walk_object(w, v, probe_keys, sizeof probe_keys / sizeof probe_keys[0], p);
    unsigned handlers = seen & 7u;
    if (!cJSON_IsObject(v))
        return;
    if (handlers == 0 && !(seen & (1u << 8)))
        errorf(w, "needs one handler: exec, httpGet or tcpSocket");
    else if ((handlers & (handlers - 1)) != 0)
        errorf(w, "has more than one handler; give one of exec, httpGet, tcpSocket");
    if (one_success && p->timing.success_threshold != 1) {
        size_t old = path_push_key(w, "successThreshold");
        errorf(w, "must be 1 for liveness and startup probes, got %d", p->timing.success_threshold);
        path_pop(w, old);
    }
}

static void proc_readiness(struct walk *w, const cJSON *v, void *dst) {
    walk_probe(w, v, &((struct config_process *)dst)->readiness, false);
}

static void proc_liveness(struct walk *w, const cJSON *v, void *dst) {
    walk_probe(w, v, &((struct config_process *)dst)->liveness, true);
}

static void proc_startup(struct walk *w, const cJSON *v, void *dst) {
    walk_probe(w, v, &((struct config_process *)dst)->startup, true);
}

/* -- restarts -- */

static void proc_restart_policy(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "Never") == 0)
        p->restart = RESTART_NEVER;
    else if (strcmp(v->valuestring, "OnFailure") == 0)
        p->restart = RESTART_ON_FAILURE;
    else if (strcmp(v->valuestring, "Always") == 0)
        p->restart = RESTART_ALWAYS;
    else
        errorf(w, "must be Never, OnFailure or Always, got \"%.64s\"", v->valuestring);
}

static void backoff_initial(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_process *)dst)->backoff_initial_ms, true);
}

static void backoff_max(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_process *)dst)->backoff_max_ms, true);
}

static void backoff_reset(struct walk *w, const cJSON *v, void *dst) {
    probe_seconds(w, v, &((struct config_process *)dst)->backoff_reset_ms, true);
}

static const struct key_spec backoff_keys[] = {{"initialSeconds", backoff_initial, NULL},
                                               {"maxSeconds", backoff_max, NULL},
                                               {"resetAfterSeconds", backoff_reset, NULL}};

static void proc_restart_backoff(struct walk *w, const cJSON *v, void *dst) {
    struct config_process *p = dst;
    (void)walk_object(w, v, backoff_keys, 3, p);
    if (cJSON_IsObject(v) && p->backoff_max_ms < p->backoff_initial_ms) {
        size_t old = path_push_key(w, "maxSeconds");
        errorf(w, "must be at least initialSeconds");
        path_pop(w, old);
    }
}

static const struct key_spec process_keys[] = {
    {"name", proc_name, NULL},
    {"command", proc_command, NULL},
    {"env", proc_env, NULL},
    {"workingDir", proc_working_dir, NULL},
    {"stopSignal", proc_stop_signal, NULL},
    {"signalRewrite", proc_signal_rewrite, NULL},
    {"lifecycle", proc_lifecycle, NULL},
    {"user", proc_user, NULL},
    {"restartPolicy", proc_restart_policy, NULL},
    {"restartBackoff", proc_restart_backoff, NULL},
    {"readinessProbe", proc_readiness, NULL},
    {"livenessProbe", proc_liveness, NULL},
    {"startupProbe", proc_startup, NULL},
};

/* -- the top level -- */

static void top_grace(struct walk *w, const cJSON *v, void *dst) {
    (void)get_seconds(w, v, &((struct config *)dst)->grace_ms);
}

static void top_prestop_delay(struct walk *w, const cJSON *v, void *dst) {
    (void)get_seconds(w, v, &((struct config *)dst)->prestop_delay_ms);
}

static void top_stop_signals(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!want_type(w, v, cJSON_IsArray(v), "an array of signals"))
        return;
    if (cJSON_GetArraySize(v) == 0) {
        errorf(w, "must name at least one signal");
        return;
    }
    uint64_t set = 0;
    bool ok = true;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = path_push(w, "[%d]", i);
        int sig;
        if (get_stop_signal(w, item, true, &sig))
            set |= UINT64_C(1) << (sig - 1);
        else
            ok = false;
        path_pop(w, old);
    }
    if (ok)
        cfg->stop_signals = set;
}

static void top_success_codes(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!want_type(w, v, cJSON_IsArray(v), "an array of exit codes"))
        return;
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = path_push(w, "[%d]", i);
        int code;
        if (get_int(w, item, 0, 255, &code))
            cfg->success_exit_codes.bits[code / 32] |= 1u << (code % 32);
        path_pop(w, old);
    }
}

static void log_format(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "text") == 0 || strcmp(v->valuestring, "json") == 0)
        cfg->log_json = v->valuestring[0] == 'j';
    else
        errorf(w, "must be \"text\" or \"json\", got \"%.64s\"", v->valuestring);
}

static void log_level(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    int level = text_level_parse(v->valuestring);
    if (level >= 0) {
        cfg->log_level = level;
        return;
    }
    errorf(w, "must be error, warn, info, debug or trace, got \"%.64s\"", v->valuestring);
}

static const struct key_spec log_keys[] = {{"format", log_format, NULL},
                                           {"level", log_level, NULL}};

static void top_log(struct walk *w, const cJSON *v, void *dst) {
    (void)walk_object(w, v, log_keys, 2, dst);
}

static void top_processes(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    if (!want_type(w, v, cJSON_IsArray(v), "an array of processes"))
        return;
    if (v->child == NULL) {
        errorf(w, "must list at least one process");
        return;
    }
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = path_push(w, "[%d]", i);
        if (i < CONFIG_MAX_PROCESSES) {
            (void)walk_object(w, item, process_keys, sizeof process_keys / sizeof process_keys[0],
                              &cfg->processes[i]);
        } else if (i == CONFIG_MAX_PROCESSES) {
            errorf(w, "at most %d processes", CONFIG_MAX_PROCESSES);
        }
        path_pop(w, old);
    }
    cfg->own_command = cfg->processes[0].command != NULL;
    if (i > 1)
        cfg->n_processes = i < CONFIG_MAX_PROCESSES ? (size_t)i : CONFIG_MAX_PROCESSES;
    /* Several processes are told apart by name: each needs its own. */
    for (size_t a = 0; cfg->n_processes > 1 && a < cfg->n_processes; a++) {
        const char *name = cfg->processes[a].name;
        size_t old = path_push(w, "[%zu]", a);
        if (name == NULL) {
            errorf(w, "needs a \"name\" (there are several processes)");
        } else {
            for (size_t b = 0; b < a; b++)
                if (cfg->processes[b].name && strcmp(cfg->processes[b].name, name) == 0) {
                    size_t o2 = path_push_key(w, "name");
                    errorf(w, "\"%.64s\" is the name of processes[%zu] too", name, b);
                    path_pop(w, o2);
                    break;
                }
        }
        path_pop(w, old);
    }
}

static void health_listen(struct walk *w, const cJSON *v, void *dst) {
    struct config *cfg = dst;
    char why[160];
    if (get_string(w, v, &cfg->health_listen) &&
        health_parse_listen(cfg->health_listen, why, sizeof why) != 0)
        errorf(w, "%s, got \"%.64s\"", why, cfg->health_listen);
}

static const struct key_spec health_keys[] = {{"listen", health_listen, NULL}};

static void top_health(struct walk *w, const cJSON *v, void *dst) {
    if (!(walk_object(w, v, health_keys, 1, dst) & 1) && cJSON_IsObject(v))
        errorf(w, "needs \"listen\" (\"0.0.0.0:8086\")");
}

static const struct key_spec top_keys[] = {
    {"terminationGracePeriodSeconds", top_grace, NULL},
    {"preStopDelaySeconds", top_prestop_delay, NULL},
    {"stopSignals", top_stop_signals, NULL},
    {"successExitCodes", top_success_codes, NULL},
    {"log", top_log, NULL},
    {"processes", top_processes, NULL},
    {"health", top_health, NULL},
};

/* ---- loading ------------------------------------------------------------ */

void config_init(struct config *cfg) {
    *cfg = (struct config){
        .grace_ms = 30000, /* Kubernetes' terminationGracePeriodSeconds */
        .stop_signals = (UINT64_C(1) << (SIGTERM - 1)) | (UINT64_C(1) << (SIGINT - 1)),
        .log_level = LOG_INFO,
    };
    cfg->n_processes = 1;
    for (size_t i = 0; i < CONFIG_MAX_PROCESSES; i++) {
        struct config_process *p = &cfg->processes[i];
        signals_rewrite_init(&p->rewrite);
        p->backoff_initial_ms = 1000; /* Kubernetes' shape, faster start */
        p->backoff_max_ms = 300000;
        p->backoff_reset_ms = 600000;
    }
}

static bool only_white_space(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

/* "line L, column C" of offset in text, and a short printable excerpt;
 * with too_deep, the nesting limit cJSON stopped at there instead. */
static void syntax_error(struct walk *w, const char *text, size_t len, size_t offset,
                         bool too_deep) {
    int line = 1, col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char near[24];
    size_t n = 0;
    for (size_t i = offset; i < len && n < 20 && text[i] != '\n'; i++)
        near[n++] = (text[i] >= ' ' && text[i] < 127) ? text[i] : '?';
    near[n] = '\0';
    char msg[700];
    if (len == 0)
        snprintf(msg, sizeof msg, "%s: invalid JSON: the file is empty", w->file);
    else if (only_white_space(text, len))
        snprintf(msg, sizeof msg, "%s: invalid JSON: the file is only white space", w->file);
    else if (too_deep)
        snprintf(msg, sizeof msg, "%s:%d:%d: nested deeper than %d levels, the JSON parser's limit",
                 w->file, line, col, CJSON_NESTING_LIMIT);
    else if (offset >= len)
        snprintf(msg, sizeof msg, "%s:%d:%d: invalid JSON: unexpected end of file", w->file, line,
                 col);
    else
        snprintf(msg, sizeof msg, "%s:%d:%d: invalid JSON near '%s'", w->file, line, col, near);
    errors_add(w->errs, msg);
}

/* The nesting of text, outside strings: where it first goes deeper than
 * cJSON's limit (len: never; cJSON gives up there, which is no syntax
 * error), and whether it ends inside an unclosed string, array or object
 * (cJSON reports that where the unclosed value began; the end is clearer). */
struct nesting {
    size_t too_deep_at;
    bool unclosed;
};

static struct nesting nesting_of(const char *text, size_t len) {
    struct nesting n = {.too_deep_at = len};
    long depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > CJSON_NESTING_LIMIT && n.too_deep_at == len)
                n.too_deep_at = i;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    n.unclosed = in_string || depth > 0;
    return n;
}

/* A string token of the text that holds the escape \u0000. */
struct nul_string {
    size_t token;    /* the how-manyth string token of the text, keys included */
    const char *raw; /* its text between the quotes, as written */
    size_t raw_len;
};

/* The string tokens holding \u0000, in order, at most cap (more would be
 * past MAX_ERRORS). Returns how many. The text is valid JSON. */
static size_t find_nul_strings(const char *text, size_t len, struct nul_string *out, size_t cap) {
    size_t n = 0, token = 0;
    for (size_t i = 0; i < len && n < cap; i++) {
        if (text[i] != '"')
            continue;
        size_t start = ++i;
        bool nul = false;
        for (; i < len && text[i] != '"'; i++) {
            if (text[i] == '\\') {
                nul = nul || (len - i >= 6 && memcmp(text + i + 1, "u0000", 5) == 0);
                i++;
            }
        }
        if (nul)
            out[n++] = (struct nul_string){token, text + start, i - start};
        token++;
    }
    return n;
}

/* The tree in document order (an object's key, then its value), counting
 * strings as find_nul_strings counted tokens, to name the path of each. */
static void report_nul_strings(struct walk *w, const cJSON *node, size_t *token,
                               const struct nul_string *nul, size_t n, size_t *next) {
    int i = 0;
    for (const cJSON *c = node->child; c != NULL && *next < n; c = c->next, i++) {
        size_t old = w->len;
        if (cJSON_IsObject(node)) {
            if (nul[*next].token == (*token)++) {
                size_t shown = nul[*next].raw_len > 64 ? 64 : nul[*next].raw_len;
                path_push(w, "%s%.*s%s", w->len ? "." : "", (int)shown, nul[*next].raw,
                          shown < nul[*next].raw_len ? "..." : "");
                errorf(w, "the key contains \\u0000 (a NUL character), which would cut it short");
                path_pop(w, old);
                (*next)++;
            }
            path_push_key(w, c->string);
        } else {
            path_push(w, "[%d]", i);
        }
        if (cJSON_IsString(c)) {
            if (*next < n && nul[*next].token == (*token)++) {
                errorf(w, "contains \\u0000 (a NUL character), which would cut the string short");
                (*next)++;
            }
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            report_nul_strings(w, c, token, nul, n, next);
        }
        path_pop(w, old);
    }
}

int config_parse(const char *name, const char *text, size_t len, struct config *cfg,
                 struct config_errors *errs) {
    size_t before = errs->count;
    struct walk w = {.file = name, .errs = errs};
    cfg->source = name;
    if (memchr(text, '\0', len) != NULL) {
        syntax_error(&w, text, len, (size_t)((const char *)memchr(text, '\0', len) - text), false);
        return (int)(errs->count - before);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (root != NULL) {
        /* Only white space may follow the value. */
        size_t off = (size_t)(end - text);
        while (off < len && strchr(" \t\r\n", text[off]) != NULL)
            off++;
        if (off < len) {
            cJSON_Delete(root);
            syntax_error(&w, text, len, off, false);
            return (int)(errs->count - before);
        }
    } else {
        size_t off = end != NULL && end >= text ? (size_t)(end - text) : len;
        struct nesting n = nesting_of(text, len);
        if (n.too_deep_at <= off)
            syntax_error(&w, text, len, n.too_deep_at, true);
        else
            syntax_error(&w, text, len, n.unclosed ? len : off, false);
        return (int)(errs->count - before);
    }
    struct nul_string nul[MAX_ERRORS + 1];
    size_t n_nul = find_nul_strings(text, len, nul, sizeof nul / sizeof nul[0]);
    if (!cJSON_IsObject(root)) {
        errorf(&w, "must be an object, got %s", type_name(root));
    } else if (n_nul > 0) {
        /* A cut string is no value to check: name them, and only them. */
        size_t token = 0, next = 0;
        report_nul_strings(&w, root, &token, nul, n_nul, &next);
    } else {
        (void)walk_object(&w, root, top_keys, sizeof top_keys / sizeof top_keys[0], cfg);
    }
    cJSON_Delete(root);
    return (int)(errs->count - before);
}

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t mode) {
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "something else";
}

int config_load_file(const char *path, struct config *cfg, struct config_errors *errs) {
    char line[600];
    /* O_NONBLOCK: opening a FIFO nobody writes to would block forever;
     * O_NOCTTY: a terminal named by mistake must not become ours. Only a
     * regular file is read (for one, O_NONBLOCK changes nothing). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(line, sizeof line, "%s: cannot read the config file: %s", path, strerror(errno));
        errors_add(errs, line);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(line, sizeof line, "%s: cannot read the config file: it is %s, not a regular file",
                 path, file_kind(st.st_mode));
        errors_add(errs, line);
        close(fd);
        return 1;
    }
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t len = 0;
    int err = buf == NULL ? ENOMEM : 0;
    while (err == 0) {
        ssize_t n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = errno;
        else if (n == 0)
            break;
        else if ((len += (size_t)n) > MAX_FILE_BYTES)
            err = EFBIG;
    }
    close(fd);
    if (err != 0) {
        snprintf(line, sizeof line, "%s: cannot read the config file: %s", path,
                 err == EFBIG ? "larger than 1 MiB" : strerror(err));
        errors_add(errs, line);
        free(buf);
        return 1;
    }
    int rc = config_parse(path, buf, len, cfg, errs);
    free(buf);
    return rc;
}

/* ---- merging and rules across keys -------------------------------------- */

void config_apply_cli(struct config *cfg, const struct cli_options *o) {
    if (o->given & CLI_GIVEN_GRACE)
        cfg->grace_ms = o->grace_ms;
    if (o->given & CLI_GIVEN_PRESTOP_DELAY)
        cfg->prestop_delay_ms = o->prestop_delay_ms;
    for (size_t i = 0; i < cfg->n_processes; i++) {
        struct config_process *p = &cfg->processes[i];
        if (o->given & CLI_GIVEN_STOP_SIGNAL)
            p->stop_signal = o->stop_signal;
        for (int s = 1; s <= SIGNALS_CLASSIC_MAX; s++)
            if (o->rewrite.to[s] >= 0)
                p->rewrite.to[s] = o->rewrite.to[s];
    }
    if (o->given & CLI_GIVEN_STOP_SIGNALS)
        cfg->stop_signals = o->stop_signals;
    if (o->given & CLI_GIVEN_LOG_FORMAT)
        cfg->log_json = o->log_json;
    if (o->given & CLI_GIVEN_VERBOSITY)
        cfg->log_level = o->verbosity;
    for (size_t i = 0; i < sizeof o->remap.bits / sizeof o->remap.bits[0]; i++)
        cfg->success_exit_codes.bits[i] |= o->remap.bits[i];
    if (o->command != NULL) {
        if (cfg->own_command)
            free_argv(cfg->processes[0].command);
        cfg->processes[0].command = o->command;
        cfg->own_command = false;
    }
}

int config_validate(const struct config *cfg, bool need_program, struct config_errors *errs) {
    size_t before = errs->count;
    struct walk w = {.file = cfg->source ? cfg->source : "podinit", .errs = errs};
    for (size_t i = 0; i < cfg->n_processes; i++) {
        const struct config_process *p = &cfg->processes[i];
        char at[64];
        if ((need_program || i > 0) && p->command == NULL) {
            snprintf(at, sizeof at, "processes[%zu].command", i);
            path_push(&w, "%s", at);
            errorf(&w,
                   i == 0 ? "no program to run: give one after -- or here" : "no program to run");
            path_pop(&w, 0);
        }
        /* A drain and a preStop that cannot finish inside the grace
         * period would always end in SIGKILL: refuse them up front. */
        int64_t pre_stop =
            p->pre_stop.kind == HOOK_SLEEP ? p->pre_stop.sleep_ms : p->pre_stop.timeout_ms;
        if (cfg->prestop_delay_ms + pre_stop <= cfg->grace_ms || (pre_stop == 0 && i > 0))
            continue;
        char a[32], b[32], c[32];
        text_seconds(cfg->prestop_delay_ms, a, sizeof a);
        text_seconds(pre_stop, b, sizeof b);
        text_seconds(cfg->grace_ms, c, sizeof c);
        if (pre_stop > 0) {
            snprintf(at, sizeof at, "processes[%zu].lifecycle.preStop", i);
            path_push(&w, "%s", at);
            errorf(&w,
                   "preStopDelaySeconds (%s) + preStop (%s) is longer than "
                   "terminationGracePeriodSeconds (%s)",
                   a, b, c);
        } else {
            path_push(&w, "preStopDelaySeconds");
            errorf(&w, "%s is longer than terminationGracePeriodSeconds (%s)", a, c);
        }
        path_pop(&w, 0);
    }
    return (int)(errs->count - before);
}

/* ---- the child's environment --------------------------------------------- */

static bool same_name(const char *a, const char *b) {
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    return la == lb && strncmp(a, b, la) == 0;
}

char **config_environment(const struct config_process *p, char **base) {
    size_t nb = 0;
    while (base && base[nb])
        nb++;
    char **env = calloc(nb + p->n_env + 1, sizeof *env);
    if (env == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < nb; i++) {
        bool replaced = false;
        for (size_t j = 0; j < p->n_env && !replaced; j++)
            replaced = same_name(base[i], p->env[j]);
        if (!replaced)
            env[n++] = base[i];
    }
    for (size_t j = 0; j < p->n_env; j++)
        env[n++] = p->env[j];
    return env;
}

static void hook_free(struct config_hook *h) {
    free_argv(h->command);
    free(h->host);
    free(h->path);
    for (size_t i = 0; i < h->n_headers; i++) {
        free(h->headers[i].name);
        free(h->headers[i].value);
    }
    free(h->headers);
}

void config_free(struct config *cfg) {
    for (size_t k = 0; k < CONFIG_MAX_PROCESSES; k++) {
        struct config_process *p = &cfg->processes[k];
        free(p->name);
        if (k > 0 || cfg->own_command)
            free_argv(p->command); /* processes[0]'s may be the command line's */
        for (size_t i = 0; i < p->n_env; i++)
            free(p->env[i]);
        free(p->env);
        free(p->working_dir);
        free(p->user);
        free(p->groups);
        hook_free(&p->post_start);
        hook_free(&p->pre_stop);
        hook_free(&p->readiness.check);
        hook_free(&p->liveness.check);
        hook_free(&p->startup.check);
    }
    free(cfg->health_listen);
    config_init(cfg);
}
