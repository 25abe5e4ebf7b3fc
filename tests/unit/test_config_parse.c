/* tests/unit/test_config_parse.c — the pure config parser on its own: text
 * in, struct config and errors out, with the system (users, addresses, the
 * request's size) given by the test instead of /etc/passwd and http.c; and
 * the walker the key tables share, with a table of the test's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/config.h"
#include "podinit/config_walk.h"

/* What the fake system was asked, and what it answers. */
static struct {
    int users_asked, addresses_asked, listens_asked, requests_asked;
    char user_spec[64], host[64], listen[64], request_host[64], request_path[64];
    int request_port;
    size_t request_headers;
    bool refuse; /* every answer is no */
} fake;

static int fake_resolve_user(const char *spec, struct config_process *p, char *why, size_t len) {
    fake.users_asked++;
    snprintf(fake.user_spec, sizeof fake.user_spec, "%s", spec);
    if (fake.refuse) {
        snprintf(why, len, "the fake knows no \"%s\"", spec);
        return -1;
    }
    p->uid = 1234;
    p->gid = 5678;
    return 0;
}

static bool fake_is_address(const char *host) {
    fake.addresses_asked++;
    snprintf(fake.host, sizeof fake.host, "%s", host);
    return !fake.refuse;
}

static int fake_check_listen(const char *spec, char *why, size_t len) {
    fake.listens_asked++;
    snprintf(fake.listen, sizeof fake.listen, "%s", spec);
    if (fake.refuse)
        snprintf(why, len, "the fake listens nowhere");
    return fake.refuse ? -1 : 0;
}

static bool fake_request_fits(const char *host, int port, const char *path,
                              const struct http_header *headers, size_t n_headers) {
    (void)headers;
    fake.requests_asked++;
    snprintf(fake.request_host, sizeof fake.request_host, "%s", host);
    snprintf(fake.request_path, sizeof fake.request_path, "%s", path);
    fake.request_port = port;
    fake.request_headers = n_headers;
    return !fake.refuse;
}

static const struct config_system fake_system = {
    .resolve_user = fake_resolve_user,
    .is_address = fake_is_address,
    .check_listen = fake_check_listen,
    .request_fits = fake_request_fits,
};

static int parse_with(const struct config_system *sys, const char *json, struct config *cfg,
                      struct config_errors *errs) {
    config_init(cfg);
    *errs = (struct config_errors){0};
    return config_parse_text("pure.json", json, strlen(json), sys, cfg, errs);
}

static int setup(void **state) {
    (void)state;
    memset(&fake, 0, sizeof fake);
    return 0;
}

static void the_user_is_resolved_by_the_system_given(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(
        parse_with(&fake_system, "{\"processes\": [{\"user\": \"app:staff\"}]}", &cfg, &errs), 0);
    assert_int_equal(fake.users_asked, 1);
    assert_string_equal(fake.user_spec, "app:staff");
    assert_int_equal(cfg.processes[0].uid, 1234);
    assert_int_equal(cfg.processes[0].gid, 5678);
    assert_string_equal(cfg.processes[0].user, "app:staff");
    config_free(&cfg);
    config_errors_free(&errs);
}

static void the_systems_reasons_are_the_messages(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    fake.refuse = true;
    assert_int_equal(parse_with(&fake_system,
                                "{\"health\": {\"listen\": \"here:1\"},"
                                " \"processes\": [{\"user\": \"ghost\","
                                " \"readinessProbe\": {\"tcpSocket\": {\"host\": \"nowhere\","
                                " \"port\": 1}}}]}",
                                &cfg, &errs),
                     3);
    /* In the order of the file, as before the parser was pure. */
    assert_string_equal(errs.text,
                        "pure.json: health.listen: the fake listens nowhere, got \"here:1\"\n"
                        "pure.json: processes[0].user: the fake knows no \"ghost\"\n"
                        "pure.json: processes[0].readinessProbe.tcpSocket.host: \"nowhere\" is "
                        "not an IP address or localhost (PID 1 resolves no names)\n");
    assert_string_equal(fake.host, "nowhere");
    assert_string_equal(fake.listen, "here:1");
    config_free(&cfg);
    config_errors_free(&errs);
}

static void without_a_system_nothing_is_asked(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse_with(NULL,
                                "{\"health\": {\"listen\": \"anything\"}, \"processes\": [{"
                                "\"user\": \"anyone\", \"readinessProbe\": {\"httpGet\": "
                                "{\"host\": \"anyhost\", \"port\": 80}}}]}",
                                &cfg, &errs),
                     0);
    assert_string_equal(cfg.processes[0].user, "anyone");
    assert_string_equal(cfg.processes[0].readiness.check.host, "anyhost");
    assert_string_equal(cfg.health_listen, "anything");
    config_free(&cfg);
    config_errors_free(&errs);
}

static void the_request_is_sized_with_the_defaults_filled_in(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse_with(&fake_system,
                                "{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": "
                                "8080, \"httpHeaders\": [{\"name\": \"A\", \"value\": \"b\"}]}}}]}",
                                &cfg, &errs),
                     0);
    assert_int_equal(fake.requests_asked, 1);
    assert_string_equal(fake.request_host, "127.0.0.1");
    assert_string_equal(fake.request_path, "/");
    assert_int_equal(fake.request_port, 8080);
    assert_int_equal(fake.request_headers, 1);
    assert_null(cfg.processes[0].readiness.check.host); /* the default stays implicit */
    config_free(&cfg);
    config_errors_free(&errs);
    fake.refuse = true;
    assert_int_equal(parse_with(&fake_system,
                                "{\"processes\": [{\"lifecycle\": {\"postStart\": {\"httpGet\": "
                                "{\"port\": 1, \"path\": \"/x\"}}}}]}",
                                &cfg, &errs),
                     1);
    assert_string_equal(errs.text, "pure.json: processes[0].lifecycle.postStart.httpGet: the "
                                   "request (path and httpHeaders) would be larger than 8192 "
                                   "bytes\n");
    assert_string_equal(fake.request_path, "/x");
    config_free(&cfg);
    config_errors_free(&errs);
}

static void a_request_with_bad_parts_is_not_sized(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse_with(&fake_system,
                                "{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": 1,"
                                " \"path\": \"no-slash\"}}}]}",
                                &cfg, &errs),
                     1);
    assert_int_equal(fake.requests_asked, 0);
    config_free(&cfg);
    config_errors_free(&errs);
    assert_int_equal(parse_with(&fake_system,
                                "{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"path\": "
                                "\"/\"}}}]}",
                                &cfg, &errs),
                     1);
    assert_string_equal(errs.text, "pure.json: processes[0].readinessProbe.httpGet: needs "
                                   "\"port\"\n");
    assert_int_equal(fake.requests_asked, 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

/* Each JSON text with the one error it gives, in full. */
static const struct {
    const char *json, *error;
} handler_cases[] = {
    /* a refused handler has its own error and counts as the one given */
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"tcpSocket\": {\"port\": 1}}}}]}",
     "pure.json: processes[0].lifecycle.preStop.tcpSocket: is not a lifecycle handler "
     "(Kubernetes ignores it); use exec, httpGet or sleep\n"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"tcpSocket\": {}, \"sleep\": "
     "{\"seconds\": 1}}}}]}",
     "pure.json: processes[0].lifecycle.preStop.tcpSocket: is not a lifecycle handler "
     "(Kubernetes ignores it); use exec, httpGet or sleep\n"},
    {"{\"processes\": [{\"startupProbe\": {\"grpc\": {}}}]}",
     "pure.json: processes[0].startupProbe.grpc: is not supported; use exec, httpGet or "
     "tcpSocket\n"},
    /* a key that is no handler does not stand in for one */
    {"{\"processes\": [{\"startupProbe\": {\"terminationGracePeriodSeconds\": 1}}]}",
     "pure.json: processes[0].startupProbe: needs one handler: exec, httpGet or tcpSocket\n"},
    {"{\"processes\": [{\"lifecycle\": {\"postStart\": {\"timeoutSeconds\": 1}}}]}",
     "pure.json: processes[0].lifecycle.postStart: needs one handler: exec, httpGet or sleep\n"},
    /* timeoutSeconds before the sleep it does not apply to */
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"timeoutSeconds\": 0, \"sleep\": "
     "{\"seconds\": 1}}}}]}",
     "pure.json: processes[0].lifecycle.preStop.timeoutSeconds: must be > 0\n"
     "pure.json: processes[0].lifecycle.preStop: timeoutSeconds does not apply to a sleep "
     "handler\n"},
    {"{\"processes\": [{\"livenessProbe\": {\"exec\": {\"command\": [\"x\"]}, \"httpGet\": "
     "{\"port\": 1}, \"tcpSocket\": {\"port\": 2}}}]}",
     "pure.json: processes[0].livenessProbe: has more than one handler; give one of exec, "
     "httpGet, tcpSocket\n"},
    {"{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": 1, \"httpHeaders\": "
     "[{\"value\": \"v\"}]}}}]}",
     "pure.json: processes[0].readinessProbe.httpGet.httpHeaders[0]: needs \"name\" and "
     "\"value\"\n"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"exec\": {}}}}]}",
     "pure.json: processes[0].lifecycle.preStop.exec: needs \"command\"\n"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"sleep\": []}}}]}",
     "pure.json: processes[0].lifecycle.preStop.sleep: must be an object, got an array\n"},
};

static void handlers_are_told_apart_by_name(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof handler_cases / sizeof handler_cases[0]; i++) {
        struct config cfg;
        struct config_errors errs;
        int n = parse_with(&fake_system, handler_cases[i].json, &cfg, &errs);
        if (errs.text == NULL || strcmp(errs.text, handler_cases[i].error) != 0)
            fail_msg("%s\nwanted: %sgot: %s", handler_cases[i].json, handler_cases[i].error,
                     errs.text ? errs.text : "(nothing)\n");
        assert_true(n >= 1);
        config_free(&cfg);
        config_errors_free(&errs);
    }
}

/* -- the walker, with a table of the test's own -- */

static int seen_values[4], n_seen;

static void read_number(struct config_walk *w, const cJSON *v, void *dst) {
    (void)dst;
    int value;
    if (config_walk_int(w, v, 0, 9, &value) && n_seen < 4)
        seen_values[n_seen++] = value;
}

enum { KEY_A, KEY_B, KEY_OLD, TEST_KEYS };
static const struct config_key test_keys[TEST_KEYS] = {
    [KEY_A] = {"a", read_number, NULL},
    [KEY_B] = {"b", read_number, NULL},
    [KEY_OLD] = {"old", NULL, "is gone; use b"},
};

static void walk_text(const char *json, bool *given, bool *was_object, struct config_errors *errs) {
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    struct config_walk w = {.file = "t.json", .errs = errs};
    size_t old = config_walk_push_key(&w, "top");
    *was_object = CONFIG_WALK_KEYS(&w, root, test_keys, NULL, given);
    config_walk_pop(&w, old);
    assert_int_equal(w.len, 0);
    cJSON_Delete(root);
}

static void the_walker_says_which_keys_were_given(void **state) {
    (void)state;
    bool given[CONFIG_KEY_COUNT(test_keys)] = {true, true, true}; /* the walk clears them */
    bool was_object;
    struct config_errors errs = {0};
    n_seen = 0;
    walk_text("{\"b\": 3, \"old\": 1, \"b\": 4, \"c\": 5, \"b\": 11}", given, &was_object, &errs);
    assert_true(was_object);
    assert_false(given[KEY_A]);
    assert_true(given[KEY_B]);
    assert_true(given[KEY_OLD]);
    assert_int_equal(n_seen, 1); /* the first b only */
    assert_int_equal(seen_values[0], 3);
    assert_int_equal(errs.count, 4);
    assert_string_equal(errs.text, "t.json: top.old: is gone; use b\n"
                                   "t.json: top.b: duplicate key (given more than once)\n"
                                   "t.json: top.c: unknown key\n"
                                   "t.json: top.b: duplicate key (given more than once)\n");
    config_errors_free(&errs);
    walk_text("[1]", given, &was_object, &errs);
    assert_false(was_object);
    assert_false(given[KEY_B]);
    assert_string_equal(errs.text, "t.json: top: must be an object, got an array\n");
    config_errors_free(&errs);
}

static void the_path_is_cut_short_not_overflowed(void **state) {
    (void)state;
    struct config_errors errs = {0};
    struct config_walk w = {.file = "t.json", .errs = &errs};
    char key[100];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    for (int i = 0; i < 10; i++)
        config_walk_push_key(&w, key);
    assert_int_equal(w.len, sizeof w.path - 1);
    assert_int_equal(strlen(w.path), sizeof w.path - 1);
    assert_memory_equal(w.path + w.len - 3, "...", 3);
    config_walk_pop(&w, 0);
    config_walk_error(&w, "at the top");
    assert_string_equal(errs.text, "t.json: (top level): at the top\n");
    config_errors_free(&errs);
}

static void errors_past_the_cap_are_counted_not_shown(void **state) {
    (void)state;
    struct config_errors errs = {0};
    for (int i = 0; i < CONFIG_MAX_ERRORS + 5; i++)
        config_errors_add(&errs, "x");
    assert_int_equal(errs.count, CONFIG_MAX_ERRORS + 5);
    size_t lines = 0;
    for (const char *c = errs.text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, CONFIG_MAX_ERRORS + 1);
    assert_non_null(strstr(errs.text, "x\ntoo many errors; the rest are not shown\n"));
    config_errors_free(&errs);
}

static void the_default_grace_is_named(void **state) {
    (void)state;
    struct config cfg;
    config_init(&cfg);
    assert_int_equal(cfg.grace_ms, CONFIG_DEFAULT_GRACE_MS);
    assert_int_equal(CONFIG_DEFAULT_GRACE_MS, 30000); /* Kubernetes' */
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(the_user_is_resolved_by_the_system_given, setup),
        cmocka_unit_test_setup(the_systems_reasons_are_the_messages, setup),
        cmocka_unit_test_setup(without_a_system_nothing_is_asked, setup),
        cmocka_unit_test_setup(the_request_is_sized_with_the_defaults_filled_in, setup),
        cmocka_unit_test_setup(a_request_with_bad_parts_is_not_sized, setup),
        cmocka_unit_test_setup(handlers_are_told_apart_by_name, setup),
        cmocka_unit_test(the_walker_says_which_keys_were_given),
        cmocka_unit_test(the_path_is_cut_short_not_overflowed),
        cmocka_unit_test(errors_past_the_cap_are_counted_not_shown),
        cmocka_unit_test(the_default_grace_is_named),
    };
    return cmocka_run_group_tests_name("config_parse", tests, NULL, NULL);
}
