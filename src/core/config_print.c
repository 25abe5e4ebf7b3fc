/* src/config_print.c — the effective configuration as JSON, for --check.
 * Its output is itself a valid config (defaults filled in). */
#include "podinit/config.h"
#include "podinit/termination.h"
#include "podinit/text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "podinit/signals.h"

/* A small JSON writer for --check: two-space indents, short arrays on one
 * line. (cJSON's printer would pull sscanf into the static build.) */
struct json_out {
    FILE *f;
    int depth;
    bool first[12]; /* per depth (at most 8 here): nothing written at this level yet */
};

/* s[0..n) as a JSON string. */
static void json_string_n(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; c < (const unsigned char *)s + n; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static void json_string(FILE *f, const char *s) {
    json_string_n(f, s, strlen(s));
}

/* The comma, new line and indent before a member, and its key. */
static void json_member(struct json_out *j, const char *key) {
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = false;
    fprintf(j->f, "\n%*s", 2 * j->depth, "");
    if (key) {
        json_string(j->f, key);
        fputs(": ", j->f);
    }
}

static void json_open(struct json_out *j, const char *key, char bracket) {
    json_member(j, key);
    fputc(bracket, j->f);
    if (j->depth + 1 < (int)(sizeof j->first / sizeof j->first[0]))
        j->first[++j->depth] = true; /* the config is never deeper: see config_print */
}

static void json_close(struct json_out *j, char bracket) {
    bool empty = j->first[j->depth--];
    if (!empty)
        fprintf(j->f, "\n%*s", 2 * j->depth, "");
    fputc(bracket, j->f);
}

static void json_text(struct json_out *j, const char *key, const char *value) {
    json_member(j, key);
    json_string(j->f, value);
}

static void json_int(struct json_out *j, const char *key, int value) {
    json_member(j, key);
    fprintf(j->f, "%d", value);
}

static void json_seconds(struct json_out *j, const char *key, int64_t ms) {
    char text[32];
    text_seconds(ms, text, sizeof text);
    json_member(j, key);
    fputs(text, j->f);
}

static void json_argv(struct json_out *j, const char *key, char *const *argv) {
    json_member(j, key);
    fputc('[', j->f);
    for (char *const *a = argv; a && *a; a++) {
        if (a != argv)
            fputs(", ", j->f);
        json_string(j->f, *a);
    }
    fputc(']', j->f);
}

static void json_signal(struct json_out *j, const char *key, int sig) {
    char name[32];
    json_text(j, key, signals_name(sig, name, sizeof name));
}

/* A lifecycle handler, or with probe, a probe (its check and timing). */
static void json_hook(struct json_out *j, const char *key, const struct config_hook *h,
                      bool post_start, const struct config_probe *cp) {
    const struct probe_timing *probe = cp ? &cp->timing : NULL;
    json_open(j, key, '{');
    switch (h->kind) {
    case HOOK_EXEC:
        json_open(j, "exec", '{');
        json_argv(j, "command", h->command);
        json_close(j, '}');
        break;
    case HOOK_SLEEP:
        json_open(j, "sleep", '{');
        json_seconds(j, "seconds", h->sleep_ms);
        json_close(j, '}');
        break;
    case HOOK_HTTP_GET:
        json_open(j, "httpGet", '{');
        json_text(j, "host", h->host ? h->host : "127.0.0.1");
        json_int(j, "port", h->port);
        json_text(j, "path", h->path ? h->path : "/");
        json_text(j, "scheme", "HTTP");
        json_open(j, "httpHeaders", '[');
        for (size_t i = 0; i < h->n_headers; i++) {
            json_open(j, NULL, '{');
            json_text(j, "name", h->headers[i].name ? h->headers[i].name : "");
            json_text(j, "value", h->headers[i].value ? h->headers[i].value : "");
            json_close(j, '}');
        }
        json_close(j, ']');
        json_close(j, '}');
        break;
    case HOOK_TCP_SOCKET:
        json_open(j, "tcpSocket", '{');
        json_text(j, "host", h->host ? h->host : "127.0.0.1");
        json_int(j, "port", h->port);
        json_close(j, '}');
        break;
    case HOOK_NONE: break;
    }
    if (probe != NULL) {
        json_seconds(j, "initialDelaySeconds", probe->initial_delay_ms);
        json_seconds(j, "periodSeconds", probe->period_ms);
        json_seconds(j, "timeoutSeconds", probe->timeout_ms);
        json_int(j, "successThreshold", probe->success_threshold);
        json_int(j, "failureThreshold", probe->failure_threshold);
        if (cp->grace_ms > 0)
            json_seconds(j, "terminationGracePeriodSeconds", cp->grace_ms);
    } else if (h->kind != HOOK_SLEEP && (h->timeout_ms > 0 || post_start))
        json_seconds(j, "timeoutSeconds",
                     h->timeout_ms > 0 ? h->timeout_ms : CONFIG_POST_START_TIMEOUT_MS);
    json_close(j, '}');
}

static void json_process(struct json_out *jp, const struct config_process *p);

int config_print(const struct config *cfg, FILE *out) {
    struct json_out j = {.f = out, .first = {true}};
    fputc('{', out);
    j.first[++j.depth] = true;
    json_seconds(&j, "terminationGracePeriodSeconds", cfg->grace_ms);
    json_seconds(&j, "preStopDelaySeconds", cfg->prestop_delay_ms);
    json_member(&j, "stopSignals");
    fputc('[', out);
    bool first = true;
    for (int s = 1; s <= 64; s++) {
        char name[32];
        if (!(cfg->stop_signals & (UINT64_C(1) << (s - 1))))
            continue;
        fputs(first ? "" : ", ", out);
        json_string(out, signals_name(s, name, sizeof name));
        first = false;
    }
    fputc(']', out);
    json_member(&j, "successExitCodes");
    fputc('[', out);
    first = true;
    for (int c = 0; c < 256; c++) {
        if (exit_code_remap_has(&cfg->success_exit_codes, c)) {
            fprintf(out, "%s%d", first ? "" : ", ", c);
            first = false;
        }
    }
    fputc(']', out);
    json_open(&j, "log", '{');
    json_text(&j, "format", cfg->log_json ? "json" : "text");
    json_text(&j, "level", text_level_name(cfg->log_level));
    json_close(&j, '}');
    json_text(&j, "terminationMessagePath",
              cfg->termination_message_path ? cfg->termination_message_path
                                            : TERMINATION_DEFAULT_PATH);
    if (cfg->health_listen) {
        json_open(&j, "health", '{');
        json_text(&j, "listen", cfg->health_listen);
        json_close(&j, '}');
    }

    if (cfg->n_init > 0) {
        json_open(&j, "initProcesses", '[');
        for (size_t i = cfg->n_processes; i < config_count(cfg); i++)
            json_process(&j, &cfg->processes[i]);
        json_close(&j, ']');
    }
    json_open(&j, "processes", '[');
    for (size_t i = 0; i < cfg->n_processes; i++)
        json_process(&j, &cfg->processes[i]);
    json_close(&j, ']');
    json_close(&j, '}');
    fputc('\n', out);
    return ferror(out) ? -EIO : 0;
}

static void json_process(struct json_out *jp, const struct config_process *p) {
    struct json_out j = *jp;
    FILE *out = j.f;
    json_open(&j, NULL, '{');
    json_text(&j, "name", p->name ? p->name : "main");
    if (p->command)
        json_argv(&j, "command", p->command);
    json_open(&j, "env", '{');
    for (size_t i = 0; i < p->n_env; i++) {
        const char *eq = strchr(p->env[i], '=');
        json_member(&j, NULL);
        json_string_n(out, p->env[i], (size_t)(eq - p->env[i]));
        fputs(": ", out);
        json_string(out, eq + 1);
    }
    json_close(&j, '}');
    if (p->working_dir)
        json_text(&j, "workingDir", p->working_dir);
    if (p->user)
        json_text(&j, "user", p->user);
    static const char *const policies[] = {"Never", "OnFailure", "Always"};
    json_text(&j, "restartPolicy", policies[p->restart]);
    json_open(&j, "restartBackoff", '{');
    json_seconds(&j, "initialSeconds", p->backoff_initial_ms);
    json_seconds(&j, "maxSeconds", p->backoff_max_ms);
    json_seconds(&j, "resetAfterSeconds", p->backoff_reset_ms);
    json_close(&j, '}');
    if (p->backoff_limit > 0)
        json_int(&j, "backoffLimit", p->backoff_limit);
    json_text(&j, "output", output_mode_name(p->output));
    if (p->stop_signal > 0)
        json_signal(&j, "stopSignal", p->stop_signal);
    json_open(&j, "signalRewrite", '{');
    for (int s = 1; s <= SIGNALS_CLASSIC_MAX; s++) {
        char name[32];
        if (p->rewrite.to[s] < 0)
            continue;
        signals_name(s, name, sizeof name);
        if (p->rewrite.to[s] == 0)
            json_int(&j, name, 0);
        else
            json_signal(&j, name, p->rewrite.to[s]);
    }
    json_close(&j, '}');
    json_open(&j, "lifecycle", '{');
    if (p->post_start.kind != HOOK_NONE)
        json_hook(&j, "postStart", &p->post_start, true, NULL);
    if (p->pre_stop.kind != HOOK_NONE)
        json_hook(&j, "preStop", &p->pre_stop, false, NULL);
    json_close(&j, '}');
    if (p->readiness.present)
        json_hook(&j, "readinessProbe", &p->readiness.check, false, &p->readiness);
    if (p->liveness.present)
        json_hook(&j, "livenessProbe", &p->liveness.check, false, &p->liveness);
    if (p->startup.present)
        json_hook(&j, "startupProbe", &p->startup.check, false, &p->startup);
    json_close(&j, '}');
    *jp = j;
}
