/* src/core/config_keys_handlers.c — the handlers of lifecycle hooks and
 * probes (exec, sleep, httpGet, tcpSocket) and a probe's timing. Which keys
 * were given is read by name (the enums below), never by table position. */
#include "podinit/config_keys.h"

#include <stdlib.h>
#include <string.h>

#include "podinit/http_message.h"

/* -- hooks -- */

static void hook_exec_command(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_argv(w, v, &((struct config_hook *)dst)->command);
}

enum { EXEC_COMMAND, EXEC_KEYS };
static const struct config_key exec_keys[EXEC_KEYS] = {
    [EXEC_COMMAND] = {"command", hook_exec_command, NULL},
};

static void hook_exec(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    bool given[CONFIG_KEY_COUNT(exec_keys)];
    h->kind = HOOK_EXEC;
    if (CONFIG_WALK_KEYS(w, v, exec_keys, h, given) && !given[EXEC_COMMAND])
        config_walk_error(w, "needs \"command\"");
}

static void hook_sleep_seconds(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_seconds(w, v, &((struct config_hook *)dst)->sleep_ms);
}

enum { SLEEP_SECONDS, SLEEP_KEYS };
static const struct config_key sleep_keys[SLEEP_KEYS] = {
    [SLEEP_SECONDS] = {"seconds", hook_sleep_seconds, NULL},
};

static void hook_sleep(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    bool given[CONFIG_KEY_COUNT(sleep_keys)];
    h->kind = HOOK_SLEEP;
    if (CONFIG_WALK_KEYS(w, v, sleep_keys, h, given) && !given[SLEEP_SECONDS])
        config_walk_error(w, "needs \"seconds\"");
}

static void http_host(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (config_walk_string(w, v, &h->host) && w->sys->is_address && !w->sys->is_address(h->host))
        config_walk_error(w, "\"%.64s\" is not an IP address or localhost (PID 1 resolves no names)",
                          h->host);
}

static void http_port(struct config_walk *w, const cJSON *v, void *dst) {
    if (cJSON_IsString(v)) {
        config_walk_error(w, "named ports need a pod spec to look them up; give the number");
        return;
    }
    (void)config_walk_int(w, v, 1, 65535, &((struct config_hook *)dst)->port);
}

static void http_path(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (!config_walk_string(w, v, &h->path))
        return;
    if (h->path[0] != '/')
        config_walk_error(w, "must start with /, got \"%.64s\"", h->path);
    else if (strpbrk(h->path, " \t\r\n") != NULL)
        config_walk_error(w, "must not contain spaces or line breaks");
}

static void http_scheme(struct config_walk *w, const cJSON *v, void *dst) {
    (void)dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strcmp(v->valuestring, "HTTPS") == 0)
        config_walk_error(w, "HTTPS is not supported (podinit has no TLS); use HTTP");
    else if (strcmp(v->valuestring, "HTTP") != 0)
        config_walk_error(w, "must be HTTP, got \"%.64s\"", v->valuestring);
}

static void header_name(struct config_walk *w, const cJSON *v, void *dst) {
    struct http_header *h = dst;
    if (!config_walk_string(w, v, &h->name))
        return;
    for (const char *c = h->name; *c; c++)
        if (*c <= ' ' || *c == ':' || *c == 127) {
            config_walk_error(w, "\"%.64s\" is not a header name", h->name);
            return;
        }
}

static void header_value(struct config_walk *w, const cJSON *v, void *dst) {
    struct http_header *h = dst;
    if (!config_walk_want_type(w, v, cJSON_IsString(v), "a string"))
        return;
    if (strpbrk(v->valuestring, "\r\n") != NULL) {
        config_walk_error(w, "must not contain line breaks");
        return;
    }
    free(h->value);
    if ((h->value = strdup(v->valuestring)) == NULL)
        config_walk_error(w, "out of memory");
}

enum { HEADER_NAME, HEADER_VALUE, HEADER_KEYS };
static const struct config_key header_keys[HEADER_KEYS] = {
    [HEADER_NAME] = {"name", header_name, NULL},
    [HEADER_VALUE] = {"value", header_value, NULL},
};

static void http_headers(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    if (!config_walk_want_type(w, v, cJSON_IsArray(v), "an array of {\"name\", \"value\"}"))
        return;
    int n = cJSON_GetArraySize(v);
    if (n > CONFIG_MAX_LIST) {
        config_walk_error(w, "has %d headers; at most %d", n, CONFIG_MAX_LIST);
        return;
    }
    h->headers = calloc((size_t)n + 1, sizeof *h->headers);
    if (h->headers == NULL) {
        config_walk_error(w, "out of memory");
        return;
    }
    int i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t old = config_walk_push(w, "[%d]", i);
        struct http_header *hd = &h->headers[h->n_headers++];
        bool given[CONFIG_KEY_COUNT(header_keys)];
        if (CONFIG_WALK_KEYS(w, item, header_keys, hd, given) &&
            !(given[HEADER_NAME] && given[HEADER_VALUE]))
            config_walk_error(w, "needs \"name\" and \"value\"");
        config_walk_pop(w, old);
    }
}

enum { HTTP_HOST, HTTP_PORT, HTTP_PATH, HTTP_SCHEME, HTTP_HEADERS, HTTP_KEYS };
static const struct config_key http_keys[HTTP_KEYS] = {
    [HTTP_HOST] = {"host", http_host, NULL},
    [HTTP_PORT] = {"port", http_port, NULL},
    [HTTP_PATH] = {"path", http_path, NULL},
    [HTTP_SCHEME] = {"scheme", http_scheme, NULL},
    [HTTP_HEADERS] = {"httpHeaders", http_headers, NULL},
};

static void hook_http_get(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = dst;
    bool given[CONFIG_KEY_COUNT(http_keys)];
    h->kind = HOOK_HTTP_GET;
    size_t before = w->errs->count;
    if (!CONFIG_WALK_KEYS(w, v, http_keys, h, given))
        return;
    if (!given[HTTP_PORT]) {
        config_walk_error(w, "needs \"port\"");
        return;
    }
    /* Each check sends this one request: if it cannot fit, every one would
     * fail. (Only when all its parts are valid: no NULL name or value.) */
    if (w->errs->count == before && w->sys->request_fits &&
        !w->sys->request_fits(h->host ? h->host : "127.0.0.1", h->port, h->path ? h->path : "/",
                              h->headers, h->n_headers))
        config_walk_error(w, "the request (path and httpHeaders) would be larger than %d bytes",
                          HTTP_REQUEST_MAX);
}

static void hook_timeout(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_hook *)dst)->timeout_ms);
}

enum {
    HOOK_KEY_EXEC,
    HOOK_KEY_HTTP_GET,
    HOOK_KEY_SLEEP,
    HOOK_KEY_TIMEOUT,
    HOOK_KEY_TCP,
    HOOK_KEYS
};
static const struct config_key hook_keys[HOOK_KEYS] = {
    [HOOK_KEY_EXEC] = {"exec", hook_exec, NULL},
    [HOOK_KEY_HTTP_GET] = {"httpGet", hook_http_get, NULL},
    [HOOK_KEY_SLEEP] = {"sleep", hook_sleep, NULL},
    [HOOK_KEY_TIMEOUT] = {"timeoutSeconds", hook_timeout, NULL},
    [HOOK_KEY_TCP] = {"tcpSocket", NULL,
                      "is not a lifecycle handler (Kubernetes ignores it); use exec, httpGet "
                      "or sleep"},
};

void config_keys_hook(struct config_walk *w, const cJSON *v, struct config_hook *h) {
    bool given[CONFIG_KEY_COUNT(hook_keys)];
    if (!CONFIG_WALK_KEYS(w, v, hook_keys, h, given))
        return;
    int handlers = given[HOOK_KEY_EXEC] + given[HOOK_KEY_HTTP_GET] + given[HOOK_KEY_SLEEP];
    /* tcpSocket, refused, has had its error: no "needs one" besides. */
    if (handlers == 0 && !given[HOOK_KEY_TCP])
        config_walk_error(w, "needs one handler: exec, httpGet or sleep");
    else if (handlers > 1)
        config_walk_error(w, "has more than one handler; give one of exec, httpGet, sleep");
    if (given[HOOK_KEY_TIMEOUT] && h->kind == HOOK_SLEEP)
        config_walk_error(w, "timeoutSeconds does not apply to a sleep handler");
}

/* -- probes -- */

static void tcp_port(struct config_walk *w, const cJSON *v, void *dst) {
    http_port(w, v, dst);
}

enum { TCP_HOST, TCP_PORT, TCP_KEYS };
static const struct config_key tcp_keys[TCP_KEYS] = {
    [TCP_HOST] = {"host", http_host, NULL},
    [TCP_PORT] = {"port", tcp_port, NULL},
};

static void probe_tcp(struct config_walk *w, const cJSON *v, void *dst) {
    struct config_hook *h = &((struct config_probe *)dst)->check;
    bool given[CONFIG_KEY_COUNT(tcp_keys)];
    h->kind = HOOK_TCP_SOCKET;
    if (CONFIG_WALK_KEYS(w, v, tcp_keys, h, given) && !given[TCP_PORT])
        config_walk_error(w, "needs \"port\"");
}

static void probe_exec(struct config_walk *w, const cJSON *v, void *dst) {
    hook_exec(w, v, &((struct config_probe *)dst)->check);
}

static void probe_http_get(struct config_walk *w, const cJSON *v, void *dst) {
    hook_http_get(w, v, &((struct config_probe *)dst)->check);
}

static void probe_initial_delay(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_seconds(w, v, &((struct config_probe *)dst)->timing.initial_delay_ms);
}

static void probe_period(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_probe *)dst)->timing.period_ms);
}

static void probe_timeout(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_probe *)dst)->timing.timeout_ms);
}

static void probe_success(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_int(w, v, 1, 1000000,
                          &((struct config_probe *)dst)->timing.success_threshold);
}

static void probe_grace(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_positive_seconds(w, v, &((struct config_probe *)dst)->grace_ms);
}

static void probe_failure(struct config_walk *w, const cJSON *v, void *dst) {
    (void)config_walk_int(w, v, 1, 1000000,
                          &((struct config_probe *)dst)->timing.failure_threshold);
}

enum {
    PROBE_EXEC,
    PROBE_HTTP_GET,
    PROBE_TCP,
    PROBE_INITIAL_DELAY,
    PROBE_PERIOD,
    PROBE_TIMEOUT,
    PROBE_SUCCESS,
    PROBE_FAILURE,
    PROBE_GRPC,
    PROBE_GRACE,
    PROBE_KEYS
};
static const struct config_key probe_keys[PROBE_KEYS] = {
    [PROBE_EXEC] = {"exec", probe_exec, NULL},
    [PROBE_HTTP_GET] = {"httpGet", probe_http_get, NULL},
    [PROBE_TCP] = {"tcpSocket", probe_tcp, NULL},
    [PROBE_INITIAL_DELAY] = {"initialDelaySeconds", probe_initial_delay, NULL},
    [PROBE_PERIOD] = {"periodSeconds", probe_period, NULL},
    [PROBE_TIMEOUT] = {"timeoutSeconds", probe_timeout, NULL},
    [PROBE_SUCCESS] = {"successThreshold", probe_success, NULL},
    [PROBE_FAILURE] = {"failureThreshold", probe_failure, NULL},
    [PROBE_GRPC] = {"grpc", NULL, "is not supported; use exec, httpGet or tcpSocket"},
    [PROBE_GRACE] = {"terminationGracePeriodSeconds", probe_grace, NULL},
};

void config_keys_probe(struct config_walk *w, const cJSON *v, struct config_probe *p,
                       bool one_success) {
    bool given[CONFIG_KEY_COUNT(probe_keys)];
    p->present = true;
    p->timing = (struct probe_timing){
        .period_ms = 10000, .timeout_ms = 1000, .success_threshold = 1, .failure_threshold = 3};
    if (!CONFIG_WALK_KEYS(w, v, probe_keys, p, given))
        return;
    int handlers = given[PROBE_EXEC] + given[PROBE_HTTP_GET] + given[PROBE_TCP];
    /* grpc, refused, has had its error: no "needs one" besides. */
    if (handlers == 0 && !given[PROBE_GRPC])
        config_walk_error(w, "needs one handler: exec, httpGet or tcpSocket");
    else if (handlers > 1)
        config_walk_error(w, "has more than one handler; give one of exec, httpGet, tcpSocket");
    /* Kubernetes refuses it there too: a readiness failure kills nothing. */
    if (!one_success && given[PROBE_GRACE]) {
        size_t old = config_walk_push_key(w, "terminationGracePeriodSeconds");
        config_walk_error(w, "is for liveness and startup probes (the kill they cause), not "
                             "readiness");
        config_walk_pop(w, old);
    }
    if (one_success && p->timing.success_threshold != 1) {
        size_t old = config_walk_push_key(w, "successThreshold");
        config_walk_error(w, "must be 1 for liveness and startup probes, got %d",
                          p->timing.success_threshold);
        config_walk_pop(w, old);
    }
}
