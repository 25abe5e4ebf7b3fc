/* src/core/config_parse.c — JSON text into struct config: the syntax
 * errors cJSON leaves vague made precise (line, column, what is there), the
 * strings a NUL would cut short named, then the key tables walked. */
#include "podinit/config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "podinit/config_keys.h"
#include "podinit/config_walk.h"

static bool only_white_space(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

/* "line L, column C" of offset in text, and a short printable excerpt;
 * with too_deep, the nesting limit cJSON stopped at there instead. */
static void syntax_error(struct config_walk *w, const char *text, size_t len, size_t offset,
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
    config_errors_add(w->errs, msg);
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
 * past CONFIG_MAX_ERRORS). Returns how many. The text is valid JSON. */
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
static void report_nul_strings(struct config_walk *w, const cJSON *node, size_t *token,
                               const struct nul_string *nul, size_t n, size_t *next) {
    int i = 0;
    for (const cJSON *c = node->child; c != NULL && *next < n; c = c->next, i++) {
        size_t old = w->len;
        if (cJSON_IsObject(node)) {
            if (nul[*next].token == (*token)++) {
                size_t shown = nul[*next].raw_len > 64 ? 64 : nul[*next].raw_len;
                config_walk_push(w, "%s%.*s%s", w->len ? "." : "", (int)shown, nul[*next].raw,
                                 shown < nul[*next].raw_len ? "..." : "");
                config_walk_error(
                    w, "the key contains \\u0000 (a NUL character), which would cut it short");
                config_walk_pop(w, old);
                (*next)++;
            }
            config_walk_push_key(w, c->string);
        } else {
            config_walk_push(w, "[%d]", i);
        }
        if (cJSON_IsString(c)) {
            if (*next < n && nul[*next].token == (*token)++) {
                config_walk_error(
                    w, "contains \\u0000 (a NUL character), which would cut the string short");
                (*next)++;
            }
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            report_nul_strings(w, c, token, nul, n, next);
        }
        config_walk_pop(w, old);
    }
}

int config_parse_text(const char *name, const char *text, size_t len,
                      const struct config_system *sys, struct config *cfg,
                      struct config_errors *errs) {
    size_t before = errs->count;
    static const struct config_system no_system = {0};
    struct config_walk w = {.file = name, .errs = errs, .sys = sys ? sys : &no_system};
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
    struct nul_string nul[CONFIG_MAX_ERRORS + 1];
    size_t n_nul = find_nul_strings(text, len, nul, sizeof nul / sizeof nul[0]);
    if (!cJSON_IsObject(root)) {
        config_walk_error(&w, "must be an object, got %s", config_walk_type_name(root));
    } else if (n_nul > 0) {
        /* A cut string is no value to check: name them, and only them. */
        size_t token = 0, next = 0;
        report_nul_strings(&w, root, &token, nul, n_nul, &next);
    } else {
        config_keys_top(&w, root, cfg);
    }
    cJSON_Delete(root);
    return (int)(errs->count - before);
}
