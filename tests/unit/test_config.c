/* tests/unit/test_config.c — the config file: every key's type, range and
 * default; merging with the command line and the rules checked after; what
 * --check prints; reading the file. Bad files: test_config_errors.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podinit/config.h"
#include "podinit/log.h"

#define SIGBIT(s) (UINT64_C(1) << ((s)-1))

static int parse(const char *json, struct config *cfg, struct config_errors *errs) {
    config_init(cfg);
    *errs = (struct config_errors){0};
    return config_parse("test.json", json, strlen(json), cfg, errs);
}

static void defaults_are_kubernetes_defaults(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{}", &cfg, &errs), 0);
    assert_int_equal(cfg.grace_ms, 30000);
    assert_int_equal(cfg.prestop_delay_ms, 0);
    assert_true(cfg.stop_signals == (SIGBIT(SIGTERM) | SIGBIT(SIGINT)));
    assert_false(cfg.log_json);
    assert_int_equal(cfg.log_level, LOG_INFO);
    assert_null(cfg.processes[0].command);
    assert_int_equal(cfg.processes[0].stop_signal, 0); /* the signal received */
    assert_int_equal(cfg.processes[0].post_start.kind, HOOK_NONE);
    assert_int_equal(cfg.processes[0].pre_stop.kind, HOOK_NONE);
    for (int s = 1; s <= 31; s++)
        assert_int_equal(cfg.processes[0].rewrite.to[s], -1);
    for (int c = 0; c < 256; c++)
        assert_false(exit_code_remap_has(&cfg.success_exit_codes, c));
    config_free(&cfg);
    config_errors_free(&errs);
}

static const char full[] =
    "{\n"
    "  \"terminationGracePeriodSeconds\": 45,\n"
    "  \"preStopDelaySeconds\": 0.2,\n"
    "  \"stopSignals\": [\"SIGTERM\", \"quit\", 10],\n"
    "  \"successExitCodes\": [143, 0, 7],\n"
    "  \"log\": {\"format\": \"json\", \"level\": \"debug\"},\n"
    "  \"processes\": [{\n"
    "    \"name\": \"web\",\n"
    "    \"command\": [\"/app/server\", \"--port\", \"8080\"],\n"
    "    \"env\": {\"MODE\": \"prod\", \"EMPTY\": \"\"},\n"
    "    \"workingDir\": \"/app\",\n"
    "    \"stopSignal\": \"SIGQUIT\",\n"
    "    \"signalRewrite\": {\"SIGWINCH\": 0, \"TERM\": \"SIGQUIT\", \"10\": 12},\n"
    "    \"readinessProbe\": {\"httpGet\": {\"port\": 8080, \"path\": \"/ready\"},\n"
    "                       \"periodSeconds\": 1, \"failureThreshold\": 2},\n"
    "    \"livenessProbe\": {\"tcpSocket\": {\"port\": 8080}},\n"
    "    \"startupProbe\": {\"exec\": {\"command\": [\"test\", \"-f\", \"/tmp/up\"]}},\n"
    "    \"lifecycle\": {\n"
    "      \"postStart\": {\"httpGet\": {\"port\": 8080, \"path\": \"/warm\",\n"
    "                     \"httpHeaders\": [{\"name\": \"X-A\", \"value\": \"b c\"}]},\n"
    "                     \"timeoutSeconds\": 2.5},\n"
    "      \"preStop\": {\"exec\": {\"command\": [\"/app/deregister\", \"now\"]}}\n"
    "    }\n"
    "  }]\n"
    "}\n";

static void every_key_is_read(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(full, &cfg, &errs), 0);
    assert_int_equal(cfg.grace_ms, 45000);
    assert_int_equal(cfg.prestop_delay_ms, 200); /* fractions of seconds */
    assert_true(cfg.stop_signals == (SIGBIT(SIGTERM) | SIGBIT(SIGQUIT) | SIGBIT(10)));
    assert_true(exit_code_remap_has(&cfg.success_exit_codes, 143));
    assert_true(exit_code_remap_has(&cfg.success_exit_codes, 7));
    assert_false(exit_code_remap_has(&cfg.success_exit_codes, 1));
    assert_true(cfg.log_json);
    assert_int_equal(cfg.log_level, LOG_DEBUG);
    const struct config_process *p = &cfg.processes[0];
    assert_string_equal(p->name, "web");
    assert_string_equal(p->command[0], "/app/server");
    assert_string_equal(p->command[2], "8080");
    assert_null(p->command[3]);
    assert_int_equal(p->n_env, 2);
    assert_string_equal(p->env[0], "MODE=prod");
    assert_string_equal(p->env[1], "EMPTY=");
    assert_string_equal(p->working_dir, "/app");
    assert_int_equal(p->stop_signal, SIGQUIT);
    assert_int_equal(p->rewrite.to[SIGWINCH], 0);
    assert_int_equal(p->rewrite.to[SIGTERM], SIGQUIT);
    assert_int_equal(p->rewrite.to[10], 12);
    assert_int_equal(p->rewrite.to[SIGHUP], -1);
    assert_int_equal(p->post_start.kind, HOOK_HTTP_GET);
    assert_int_equal(p->post_start.port, 8080);
    assert_null(p->post_start.host); /* 127.0.0.1 when used */
    assert_string_equal(p->post_start.path, "/warm");
    assert_int_equal(p->post_start.n_headers, 1);
    assert_string_equal(p->post_start.headers[0].name, "X-A");
    assert_string_equal(p->post_start.headers[0].value, "b c");
    assert_int_equal(p->post_start.timeout_ms, 2500);
    assert_int_equal(p->pre_stop.kind, HOOK_EXEC);
    assert_string_equal(p->pre_stop.command[1], "now");
    assert_int_equal(p->restart, RESTART_NEVER); /* the default */
    assert_int_equal(p->backoff_initial_ms, 10000); /* the kubelet's */
    assert_int_equal(p->backoff_max_ms, 300000);
    assert_int_equal(p->backoff_reset_ms, 600000);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void probes_take_kubernetes_defaults(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"x\"],"
                           " \"readinessProbe\": {\"httpGet\": {\"port\": 80}, "
                           "\"periodSeconds\": 0.5, \"successThreshold\": 2},"
                           " \"livenessProbe\": {\"tcpSocket\": {\"port\": 81, "
                           "\"host\": \"::1\"}}}]}",
                           &cfg, &errs),
                     0);
    const struct config_probe *r = &cfg.processes[0].readiness, *l = &cfg.processes[0].liveness;
    assert_true(r->present);
    assert_int_equal(r->check.kind, HOOK_HTTP_GET);
    assert_int_equal(r->timing.period_ms, 500);
    assert_int_equal(r->timing.success_threshold, 2);
    assert_int_equal(r->timing.initial_delay_ms, 0);
    assert_int_equal(r->timing.timeout_ms, 1000);
    assert_int_equal(r->timing.failure_threshold, 3);
    assert_true(l->present);
    assert_int_equal(l->check.kind, HOOK_TCP_SOCKET);
    assert_string_equal(l->check.host, "::1");
    assert_int_equal(l->check.port, 81);
    assert_int_equal(l->timing.period_ms, 10000);
    assert_false(cfg.processes[0].startup.present);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void users_by_name_or_number(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"user\": \"root\"}]}", &cfg, &errs), 0);
    assert_int_equal(cfg.processes[0].uid, 0);
    assert_int_equal(cfg.processes[0].gid, 0);
    config_free(&cfg);
    assert_int_equal(parse("{\"processes\": [{\"user\": \"4242:4343\"}]}", &cfg, &errs), 0);
    assert_int_equal(cfg.processes[0].uid, 4242); /* numbers need no passwd entry */
    assert_int_equal(cfg.processes[0].gid, 4343);
    assert_string_equal(cfg.processes[0].user, "4242:4343");
    config_free(&cfg);
    assert_int_equal(parse("{\"processes\": [{\"user\": \"4242\"}]}", &cfg, &errs), 0);
    assert_int_equal(cfg.processes[0].gid, 0); /* no entry, no group: 0, as Docker */
    config_free(&cfg);
    assert_int_equal(parse("{\"processes\": [{\"user\": \"root:0\"}]}", &cfg, &errs), 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void several_processes_are_read_in_order(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"name\": \"web\", \"command\": [\"w\"]},"
                           " {\"name\": \"side.car-2\", \"command\": [\"s\", \"-x\"],"
                           " \"restartPolicy\": \"Always\", \"stopSignal\": \"INT\"}]}",
                           &cfg, &errs),
                     0);
    assert_int_equal(cfg.n_processes, 2);
    assert_string_equal(cfg.processes[1].name, "side.car-2");
    assert_string_equal(cfg.processes[1].command[1], "-x");
    assert_int_equal(cfg.processes[1].restart, RESTART_ALWAYS);
    assert_int_equal(cfg.processes[1].stop_signal, SIGINT);
    assert_int_equal(cfg.processes[1].rewrite.to[SIGHUP], -1);
    assert_int_equal(cfg.processes[1].backoff_initial_ms, 10000); /* defaults for each */
    /* -- PROGRAM replaces the first's command only; -r and --stop-signal apply to all */
    char *argv[] = {"/bin/true", NULL};
    struct cli_options o = {.command = argv, .given = CLI_GIVEN_STOP_SIGNAL,
                            .stop_signal = SIGUSR2};
    signals_rewrite_init(&o.rewrite);
    o.rewrite.to[SIGHUP] = 0;
    config_apply_cli(&cfg, &o);
    assert_ptr_equal(cfg.processes[0].command, argv);
    assert_string_equal(cfg.processes[1].command[0], "s");
    assert_int_equal(cfg.processes[1].stop_signal, SIGUSR2);
    assert_int_equal(cfg.processes[1].rewrite.to[SIGHUP], 0);
    assert_int_equal(config_validate(&cfg, true, &errs), 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void sleep_hook_and_numbers_as_signals(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"x\"], \"stopSignal\": 3,"
                           " \"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": 5}}}}]}",
                           &cfg, &errs),
                     0);
    assert_int_equal(cfg.processes[0].stop_signal, SIGQUIT);
    assert_int_equal(cfg.processes[0].pre_stop.kind, HOOK_SLEEP);
    assert_int_equal(cfg.processes[0].pre_stop.sleep_ms, 5000);
    assert_int_equal(config_validate(&cfg, true, &errs), 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void command_line_and_environment_win_over_the_file(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(full, &cfg, &errs), 0);
    char *argv[] = {"/bin/true", NULL};
    struct cli_options o = {.persona = PERSONA_PODINIT,
                            .command = argv,
                            .given = CLI_GIVEN_GRACE | CLI_GIVEN_STOP_SIGNAL,
                            .grace_ms = 5000,
                            .stop_signal = SIGUSR1,
                            .prestop_delay_ms = 9999 /* not given: the file's stays */};
    signals_rewrite_init(&o.rewrite);
    o.rewrite.to[SIGWINCH] = SIGHUP; /* -r wins for that signal only */
    exit_code_remap_add(&o.remap, "3");   /* -e joins successExitCodes */
    config_apply_cli(&cfg, &o);
    assert_int_equal(cfg.grace_ms, 5000);
    assert_int_equal(cfg.prestop_delay_ms, 200);
    assert_int_equal(cfg.processes[0].stop_signal, SIGUSR1);
    assert_true(cfg.log_json); /* not given: the file's */
    assert_int_equal(cfg.processes[0].rewrite.to[SIGWINCH], SIGHUP);
    assert_int_equal(cfg.processes[0].rewrite.to[SIGTERM], SIGQUIT);
    assert_true(exit_code_remap_has(&cfg.success_exit_codes, 3));
    assert_true(exit_code_remap_has(&cfg.success_exit_codes, 143));
    assert_ptr_equal(cfg.processes[0].command, argv);          /* the program after -- */
    assert_string_equal(cfg.processes[0].env[0], "MODE=prod"); /* the rest of processes[0] stays */
    config_free(&cfg);
    config_errors_free(&errs);
}

static char *print_to_string(const struct config *cfg) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(config_print(cfg, f), 0);
    fclose(f);
    return text;
}

static void printed_config_reads_back_the_same(void **state) {
    (void)state;
    struct config a, b;
    struct config_errors errs;
    assert_int_equal(parse(full, &a, &errs), 0);
    char *first = print_to_string(&a);
    assert_non_null(strstr(first, "\"terminationGracePeriodSeconds\": 45"));
    assert_non_null(strstr(first, "\"preStopDelaySeconds\": 0.2"));
    assert_int_equal(parse(first, &b, &errs), 0);
    char *second = print_to_string(&b);
    assert_string_equal(first, second);
    free(first);
    free(second);
    config_free(&a);
    config_free(&b);
    config_errors_free(&errs);
}

/* Real-time signals by every name, a fault as a stop signal sent: what
 * --check prints reads back as the same config. */
static void printed_signals_read_back_the_same(void **state) {
    (void)state;
    struct config a, b;
    struct config_errors errs;
    assert_int_equal(
        parse("{\"stopSignals\": [\"SIGRTMIN+3\", \"RTMAX\", \"rtmax-2\", 34, \"TERM\"],"
              " \"processes\": [{\"name\": \"a\", \"command\": [\"a\"], \"stopSignal\": \"RTMAX\","
              " \"signalRewrite\": {\"USR1\": \"SIGSYS\", \"28\": 0}},"
              " {\"name\": \"b\", \"command\": [\"b\"], \"stopSignal\": \"ABRT\"}]}",
              &a, &errs),
        0);
    char *first = print_to_string(&a);
    assert_non_null(strstr(first, "\"SIGRTMIN+3\""));
    assert_non_null(strstr(first, "\"stopSignal\": \"SIGABRT\""));
    if (parse(first, &b, &errs) != 0)
        fail_msg("%s\ndoes not read back: %s", first, errs.text);
    char *second = print_to_string(&b);
    assert_string_equal(first, second);
    assert_true(a.stop_signals == b.stop_signals);
    assert_int_equal(b.processes[0].stop_signal, SIGRTMAX);
    free(first);
    free(second);
    config_free(&a);
    config_free(&b);
    config_errors_free(&errs);
}

static void defaults_are_printed_filled_in(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"app\"], \"lifecycle\": "
                           "{\"postStart\": {\"exec\": {\"command\": [\"w\"]}}}}]}",
                           &cfg, &errs),
                     0);
    char *text = print_to_string(&cfg);
    assert_non_null(strstr(text, "\"terminationGracePeriodSeconds\": 30,"));
    assert_non_null(strstr(text, "\"preStopDelaySeconds\": 0,"));
    assert_non_null(strstr(text, "\"stopSignals\": [\"SIGINT\", \"SIGTERM\"]"));
    assert_non_null(strstr(text, "\"format\": \"text\""));
    assert_non_null(strstr(text, "\"level\": \"info\""));
    assert_non_null(strstr(text, "\"timeoutSeconds\": 30")); /* postStart's default */
    free(text);
    config_free(&cfg);
    config_errors_free(&errs);
}

/* backoffLimit: 0 (no limit) unless given, and then printed and read back;
 * a bad value is one error naming the key. */
static void backoff_limit_is_read_and_printed_when_set(void **state) {
    (void)state;
    struct config a, b;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"a\"]}]}", &a, &errs), 0);
    assert_int_equal(a.processes[0].backoff_limit, 0);
    char *text = print_to_string(&a);
    assert_null(strstr(text, "backoffLimit"));
    free(text);
    config_free(&a);
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"a\"], \"restartPolicy\": "
                           "\"Always\", \"backoffLimit\": 2}]}",
                           &a, &errs),
                     0);
    assert_int_equal(a.processes[0].backoff_limit, 2);
    text = print_to_string(&a);
    assert_non_null(strstr(text, "\"backoffLimit\": 2"));
    assert_int_equal(parse(text, &b, &errs), 0);
    assert_int_equal(b.processes[0].backoff_limit, 2);
    free(text);
    config_free(&a);
    config_free(&b);
    assert_int_equal(
        parse("{\"processes\": [{\"command\": [\"a\"], \"backoffLimit\": -1}]}", &a, &errs), 1);
    assert_int_equal(errs.count, 1);
    assert_string_equal(
        errs.text, "test.json: processes[0].backoffLimit: must be from 0 to 1000000, got -1\n");
    config_free(&a);
    config_errors_free(&errs);
}

static void environment_is_inherited_then_overridden(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(
        parse("{\"processes\": [{\"env\": {\"B\": \"new\", \"C\": \"3\"}}]}", &cfg, &errs), 0);
    char *base[] = {"A=1", "B=old", "BB=2", NULL};
    char **env = config_environment(&cfg.processes[0], base);
    assert_non_null(env);
    assert_string_equal(env[0], "A=1");
    assert_string_equal(env[1], "BB=2"); /* B's prefix is not B */
    assert_string_equal(env[2], "B=new");
    assert_string_equal(env[3], "C=3");
    assert_null(env[4]);
    free(env);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void rules_across_keys_are_checked_after_merging(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    /* a preStop that cannot fit in the grace period */
    assert_int_equal(parse("{\"preStopDelaySeconds\": 5, \"processes\": [{\"command\": [\"a\"], "
                           "\"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": 30}}}}]}",
                           &cfg, &errs),
                     0);
    assert_int_equal(config_validate(&cfg, true, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json: processes[0].lifecycle.preStop: "
                                      "preStopDelaySeconds (5) + preStop (30) is longer than "
                                      "terminationGracePeriodSeconds (30)"));
    config_free(&cfg);
    config_errors_free(&errs);
    /* a drain longer than the grace */
    assert_int_equal(parse("{\"preStopDelaySeconds\": 40.5, \"processes\": [{\"command\": "
                           "[\"a\"]}]}",
                           &cfg, &errs),
                     0);
    assert_int_equal(config_validate(&cfg, true, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json: preStopDelaySeconds: 40.5 is longer than "
                                      "terminationGracePeriodSeconds (30)"));
    config_free(&cfg);
    config_errors_free(&errs);
    /* no program anywhere */
    assert_int_equal(parse("{\"processes\": [{\"name\": \"x\"}]}", &cfg, &errs), 0);
    assert_int_equal(config_validate(&cfg, true, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json: processes[0].command: no program to run"));
    assert_int_equal(config_validate(&cfg, false, &errs), 0); /* pause mode needs none */
    config_free(&cfg);
    config_errors_free(&errs);
}

static void unreadable_files_are_named(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs = {0};
    config_init(&cfg);
    assert_int_equal(config_load_file("/nonexistent/podinit.json", &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "/nonexistent/podinit.json: cannot read the config file: "
                                      "No such file or directory"));
    config_errors_free(&errs);
    /* only a regular file: a FIFO with no writer must not hang the load */
    assert_int_equal(config_load_file("/", &cfg, &errs), 1);
    assert_string_equal(errs.text,
                        "/: cannot read the config file: it is a directory, not a regular file\n");
    config_errors_free(&errs);
    assert_int_equal(config_load_file("/dev/null", &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "/dev/null: cannot read the config file: it is a character "
                                      "device, not a regular file"));
    config_errors_free(&errs);
    char fifo[] = "/tmp/podinit-test-fifo-XXXXXX";
    assert_non_null(mkdtemp(fifo));
    char path[64];
    snprintf(path, sizeof path, "%s/p", fifo);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(20); /* the bug was a hang: die rather than wait forever */
    int rc = config_load_file(path, &cfg, &errs);
    alarm(0);
    unlink(path);
    rmdir(fifo);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(errs.text, "/p: cannot read the config file: it is a FIFO, not a "
                                      "regular file"));
    config_errors_free(&errs);
    config_free(&cfg);
}

static void a_file_is_read_whole(void **state) {
    (void)state;
    char path[] = "/tmp/podinit-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, full, sizeof full - 1), (ssize_t)(sizeof full - 1));
    close(fd);
    struct config cfg;
    struct config_errors errs = {0};
    config_init(&cfg);
    assert_int_equal(config_load_file(path, &cfg, &errs), 0);
    assert_string_equal(cfg.processes[0].name, "web");
    unlink(path);
    config_free(&cfg);
    config_errors_free(&errs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_kubernetes_defaults),
        cmocka_unit_test(every_key_is_read),
        cmocka_unit_test(probes_take_kubernetes_defaults),
        cmocka_unit_test(users_by_name_or_number),
        cmocka_unit_test(several_processes_are_read_in_order),
        cmocka_unit_test(sleep_hook_and_numbers_as_signals),
        cmocka_unit_test(command_line_and_environment_win_over_the_file),
        cmocka_unit_test(printed_config_reads_back_the_same),
        cmocka_unit_test(printed_signals_read_back_the_same),
        cmocka_unit_test(defaults_are_printed_filled_in),
        cmocka_unit_test(backoff_limit_is_read_and_printed_when_set),
        cmocka_unit_test(environment_is_inherited_then_overridden),
        cmocka_unit_test(rules_across_keys_are_checked_after_merging),
        cmocka_unit_test(unreadable_files_are_named),
        cmocka_unit_test(a_file_is_read_whole),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
