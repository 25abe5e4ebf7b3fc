/* tests/unit/test_config_init.c — initProcesses and the size of the
 * process tables: parsed in their order after processes, sized by the
 * file up to CONFIG_MAX_PROCESSES in all, the init tasks' own rules
 * checked with the merged config, printed by --check. */
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
#include "podinit/pod.h"

static int parse(const char *json, struct config *cfg, struct config_errors *errs) {
    assert_int_equal(config_init(cfg), 0);
    *errs = (struct config_errors){0};
    return config_parse("test.json", json, strlen(json), cfg, errs);
}

/* {"KEY": [{"name": "pN", "command": ["true"]}, ...]} with n entries,
 * the names starting at first. */
static void list_json(char *buf, size_t len, const char *key, int n, int first) {
    size_t at = (size_t)snprintf(buf, len, "\"%s\": [", key);
    for (int i = 0; i < n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s{\"name\": \"p%d\", \"command\": [\"true\"]}",
                               i ? ", " : "", first + i);
    if (at < len)
        snprintf(buf + at, len - at, "]");
}

static char *pod_json(int n_apps, int n_init) {
    static char apps[8192], inits[8192], all[16500];
    list_json(apps, sizeof apps, "processes", n_apps, 0);
    list_json(inits, sizeof inits, "initProcesses", n_init, n_apps);
    snprintf(all, sizeof all, "{%s%s%s}", n_init ? inits : "", n_init ? ", " : "", apps);
    return all;
}

static void both_lists_in_one_table_processes_first(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    /* initProcesses given before processes in the file */
    assert_int_equal(parse(pod_json(2, 3), &cfg, &errs), 0);
    assert_int_equal(cfg.n_processes, 2);
    assert_int_equal(cfg.n_init, 3);
    assert_int_equal(config_count(&cfg), 5);
    assert_string_equal(cfg.processes[0].name, "p0");
    assert_false(cfg.processes[1].init);
    assert_string_equal(cfg.processes[2].name, "p2");
    assert_true(cfg.processes[2].init);
    assert_string_equal(cfg.processes[4].name, "p4");
    assert_int_equal(cfg.processes[4].backoff_initial_ms, 10000); /* the defaults */
    char at[32];
    config_process_path(&cfg, 3, at, sizeof at);
    assert_string_equal(at, "initProcesses[1]");
    config_free(&cfg);
    config_errors_free(&errs);
}

static void more_than_eight_processes_run(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(pod_json(12, 0), &cfg, &errs), 0);
    assert_int_equal(cfg.n_processes, 12);
    assert_string_equal(cfg.processes[11].name, "p11");
    config_free(&cfg);
    assert_int_equal(parse(pod_json(CONFIG_MAX_PROCESSES - 4, 4), &cfg, &errs), 0);
    assert_int_equal(config_count(&cfg), CONFIG_MAX_PROCESSES);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void the_bound_counts_both_lists(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_not_equal(parse(pod_json(CONFIG_MAX_PROCESSES + 1, 0), &cfg, &errs), 0);
    assert_non_null(strstr(errs.text, "test.json: processes: at most 64 processes in all"));
    config_free(&cfg);
    config_errors_free(&errs);
    assert_int_not_equal(parse(pod_json(CONFIG_MAX_PROCESSES - 1, 2), &cfg, &errs), 0);
    assert_non_null(strstr(errs.text, "at most 64 processes in all (processes and initProcesses)"));
    config_free(&cfg);
    config_errors_free(&errs);
}

static int validate(const char *json, char **text) {
    struct config cfg;
    struct config_errors errs;
    int n = parse(json, &cfg, &errs);
    if (n == 0)
        n = config_validate(&cfg, true, &errs);
    *text = errs.text ? strdup(errs.text) : NULL;
    config_free(&cfg);
    config_errors_free(&errs);
    return n;
}

static void an_init_task_has_no_probes_or_hooks(void **state) {
    (void)state;
    char *text;
    assert_int_equal(validate("{\"initProcesses\": [{\"name\": \"t\", \"command\": [\"x\"], "
                              "\"readinessProbe\": {\"exec\": {\"command\": [\"true\"]}}}], "
                              "\"processes\": [{\"name\": \"m\", \"command\": [\"y\"]}]}",
                              &text),
                     1);
    assert_non_null(strstr(text, "test.json: initProcesses[0].readinessProbe: an init task runs "
                                 "to completion: probes and hooks are for sidecars"));
    free(text);
    assert_int_equal(validate("{\"initProcesses\": [{\"name\": \"t\", \"command\": [\"x\"], "
                              "\"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": 1}}}}], "
                              "\"processes\": [{\"name\": \"m\", \"command\": [\"y\"]}]}",
                              &text),
                     1);
    assert_non_null(strstr(text, "initProcesses[0].lifecycle.preStop: an init task"));
    free(text);
    /* a sidecar may have both */
    assert_int_equal(validate("{\"initProcesses\": [{\"name\": \"s\", \"command\": [\"x\"], "
                              "\"restartPolicy\": \"Always\", "
                              "\"startupProbe\": {\"exec\": {\"command\": [\"true\"]}}, "
                              "\"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": 1}}}}], "
                              "\"processes\": [{\"name\": \"m\", \"command\": [\"y\"]}]}",
                              &text),
                     0);
    free(text);
    /* an init process needs its own program: the command line is the main one's */
    assert_int_equal(validate("{\"initProcesses\": [{\"name\": \"t\"}], "
                              "\"processes\": [{\"name\": \"m\", \"command\": [\"y\"]}]}",
                              &text),
                     1);
    assert_non_null(strstr(text, "test.json: initProcesses[0].command: no program to run"));
    free(text);
}

static void the_lifecycle_sees_the_role(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(
        parse("{\"preStopDelaySeconds\": 2, \"initProcesses\": ["
              "{\"name\": \"t\", \"command\": [\"x\"], \"restartPolicy\": \"OnFailure\"}, "
              "{\"name\": \"s\", \"command\": [\"x\"], \"restartPolicy\": \"Always\"}], "
              "\"processes\": [{\"name\": \"m\", \"command\": [\"y\"]}]}",
              &cfg, &errs),
        0);
    struct lifecycle_config m = pod_lifecycle_config(&cfg, &cfg.processes[0]);
    struct lifecycle_config t = pod_lifecycle_config(&cfg, &cfg.processes[1]);
    struct lifecycle_config s = pod_lifecycle_config(&cfg, &cfg.processes[2]);
    assert_int_equal(m.role, LC_ROLE_APP);
    assert_int_equal(t.role, LC_ROLE_INIT_TASK);
    assert_int_equal(s.role, LC_ROLE_SIDECAR);
    /* the drain is the processes' (they serve); not the init processes' */
    assert_int_equal(m.prestop_delay_ms, 2000);
    assert_int_equal(t.prestop_delay_ms, 0);
    assert_int_equal(s.prestop_delay_ms, 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void check_prints_init_processes_first(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(pod_json(1, 2), &cfg, &errs), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(config_print(&cfg, f), 0);
    fclose(f);
    char *init = strstr(buf, "\"initProcesses\": [");
    char *procs = strstr(buf, "\"processes\": [");
    assert_non_null(init);
    assert_non_null(procs);
    assert_true(init < procs);
    assert_true(strstr(init, "\"p1\"") < strstr(init, "\"p2\""));
    assert_true(strstr(init, "\"p2\"") < procs);
    free(buf);
    config_free(&cfg);
    config_errors_free(&errs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_lists_in_one_table_processes_first),
        cmocka_unit_test(more_than_eight_processes_run),
        cmocka_unit_test(the_bound_counts_both_lists),
        cmocka_unit_test(an_init_task_has_no_probes_or_hooks),
        cmocka_unit_test(the_lifecycle_sees_the_role),
        cmocka_unit_test(check_prints_init_processes_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
