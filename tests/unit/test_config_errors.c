/* tests/unit/test_config_errors.c — bad config files: each reported with
 * the file, the JSON path and the cause, all of them and not only the
 * first, escaped, and syntax errors located by line and column. */
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

static int parse(const char *json, struct config *cfg, struct config_errors *errs) {
    config_init(cfg);
    *errs = (struct config_errors){0};
    return config_parse("test.json", json, strlen(json), cfg, errs);
}

/* ---- bad files ---------------------------------------------------------- */

struct bad {
    const char *json;
    const char *expected; /* a line of the report contains this */
};

static const struct bad bad_files[] = {
    /* not JSON: line and column */
    {"{\n  \"terminationGracePeriodSeconds\": 30\n  \"preStopDelaySeconds\": 1\n}",
     "test.json:3:3: invalid JSON near '\"preStopDelaySeconds'"},
    {"", "test.json: invalid JSON: the file is empty"},
    {" \n\t\r\n ", "test.json: invalid JSON: the file is only white space"},
    {"{\"processes\": [", "test.json:1:16: invalid JSON: unexpected end of file"},
    {"{\"a\": 1", "test.json:1:8: invalid JSON: unexpected end of file"},
    {"{\"a\": \"x}", "test.json:1:10: invalid JSON: unexpected end of file"},
    {"{} x", "test.json:1:4: invalid JSON near 'x'"},
    {"{\"a\": NaN}", "test.json:1:7: invalid JSON near 'NaN}'"},
    {"[]", "test.json: (top level): must be an object, got an array"},
    /* wrong types, ranges, non-finite */
    {"{\"terminationGracePeriodSeconds\": \"30\"}",
     "test.json: terminationGracePeriodSeconds: must be a number of seconds, got a string"},
    {"{\"terminationGracePeriodSeconds\": -1}",
     "test.json: terminationGracePeriodSeconds: must be >= 0, got -1"},
    {"{\"preStopDelaySeconds\": 1e999}",
     "test.json: preStopDelaySeconds: must be a finite number of seconds"},
    {"{\"preStopDelaySeconds\": 1e9}", "test.json: preStopDelaySeconds: must be at most a year"},
    {"{\"processes\": {}}", "test.json: processes: must be an array of processes, got an object"},
    {"{\"processes\": []}", "test.json: processes: must list at least one process"},
    /* \u0000 would cut a string short (cJSON decodes it into a NUL) */
    {"{\"processes\": [{\"name\": \"web\\u0000x\"}]}",
     "test.json: processes[0].name: contains \\u0000 (a NUL character), which would cut the "
     "string short"},
    {"{\"processes\": [{\"command\": [\"/app\", \"--flag\\u0000; rm -rf /\"]}]}",
     "test.json: processes[0].command[1]: contains \\u0000"},
    {"{\"processes\": [{\"env\": {\"A\": \"\\u0000\"}}]}",
     "test.json: processes[0].env.A: contains \\u0000"},
    {"{\"processes\": [{\"env\": {\"PATH\\u0000X\": \"/bin\"}}]}",
     "test.json: processes[0].env.PATH\\u0000X: the key contains \\u0000 (a NUL character)"},
    {"{\"log\": {\"format\": \"json\\u0000\", \"level\": \"\\\\u0000 is fine escaped\"}}",
     "test.json: log.format: contains \\u0000"},
    {"{\"successExitCodes\": [256]}",
     "test.json: successExitCodes[0]: must be from 0 to 255, got 256"},
    {"{\"successExitCodes\": [1.5]}", "test.json: successExitCodes[0]: must be a whole number"},
    /* found by fuzz_config: a bad word in the middle of a command leaked the
     * words after it (valgrind runs this file too) */
    {"{\"processes\": [{\"command\": [\"/app/server\", 25, \"--port\", \"8080\"]}]}",
     "test.json: processes[0].command[1]: must be a string, got a number"},
    /* found by fuzz_config: a huge number where an integer goes (was undefined behaviour) */
    {"{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": 32e78}}}]}",
     "test.json: processes[0].readinessProbe.httpGet.port: must be from 1 to 65535, got 3.2e+79"},
    {"{\"log\": {\"format\": \"xml\"}}", "test.json: log.format: must be \"text\" or \"json\""},
    {"{\"log\": {\"level\": \"verbose\"}}",
     "test.json: log.level: must be error, warn, info, debug or trace"},
    /* unknown keys at any depth, duplicates */
    {"{\"gracePeriod\": 3}", "test.json: gracePeriod: unknown key"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"exec\": {\"cmd\": [\"x\"]}}}}]}",
     "test.json: processes[0].lifecycle.preStop.exec.cmd: unknown key"},
    {"{\"terminationGracePeriodSeconds\": 1, \"terminationGracePeriodSeconds\": 2}",
     "test.json: terminationGracePeriodSeconds: duplicate key"},
    {"{\"processes\": [{\"env\": {\"A\": \"1\", \"A\": \"2\"}}]}",
     "test.json: processes[0].env.A: duplicate key"},
    {"{\"health\": {\"listen\": \"8086\"}}", "test.json: health.listen: takes ADDRESS:PORT"},
    {"{\"health\": {\"listen\": \"0.0.0.0:0\"}}",
     "test.json: health.listen: the port must be a number from 1 to 65535"},
    {"{\"health\": {\"listen\": \"example.com:80\"}}",
     "test.json: health.listen: \"example.com\" is not an IP address"},
    {"{\"health\": {}}", "test.json: health: needs \"listen\""},
    {"{\"health\": {\"listen\": \":1\", \"port\": 2}}", "test.json: health.port: unknown key"},
    {"{\"processes\": [{\"user\": \"no-such-user-here\"}]}",
     "test.json: processes[0].user: no user \"no-such-user-here\" in /etc/passwd"},
    {"{\"processes\": [{\"user\": \"0:no-such-group-here\"}]}",
     "test.json: processes[0].user: no group \"no-such-group-here\" in /etc/group"},
    {"{\"processes\": [{\"user\": \"1000:\"}]}",
     "test.json: processes[0].user: takes USER[:GROUP], names or numbers"},
    /* the probe's own grace (KEP-2238), lifecycle.stopSignal (KEP-4960) */
    {"{\"processes\": [{\"readinessProbe\": {\"exec\": {\"command\": [\"x\"]}, "
     "\"terminationGracePeriodSeconds\": 5}}]}",
     "test.json: processes[0].readinessProbe.terminationGracePeriodSeconds: is for liveness and "
     "startup probes (the kill they cause), not readiness"},
    {"{\"processes\": [{\"livenessProbe\": {\"exec\": {\"command\": [\"x\"]}, "
     "\"terminationGracePeriodSeconds\": 0}}]}",
     "test.json: processes[0].livenessProbe.terminationGracePeriodSeconds: must be > 0"},
    {"{\"processes\": [{\"stopSignal\": \"TERM\", \"lifecycle\": {\"stopSignal\": \"QUIT\"}}]}",
     "test.json: processes[0].lifecycle.stopSignal: is SIGQUIT but stopSignal is SIGTERM: give one "
     "of them"},
    {"{\"processes\": [{\"lifecycle\": {\"stopSignal\": \"QUIT\"}, \"stopSignal\": \"INT\"}]}",
     "test.json: processes[0].stopSignal: is SIGINT but lifecycle.stopSignal is SIGQUIT: give one "
     "of them"},
    {"{\"processes\": [{\"lifecycle\": {\"stopSignal\": \"KILL\"}}]}",
     "test.json: processes[0].lifecycle.stopSignal: SIGKILL cannot be a stop signal"},
    {"{\"processes\": [{\"restartPolicy\": \"always\"}]}",
     "test.json: processes[0].restartPolicy: must be Never, OnFailure or Always, got \"always\""},
    {"{\"processes\": [{\"restartBackoff\": {\"initialSeconds\": 10, \"maxSeconds\": 5}}]}",
     "test.json: processes[0].restartBackoff.maxSeconds: must be at least initialSeconds"},
    {"{\"processes\": [{\"restartBackoff\": {\"initialSeconds\": 0}}]}",
     "test.json: processes[0].restartBackoff.initialSeconds: must be > 0"},
    {"{\"processes\": [{\"backoffLimit\": -1}]}",
     "test.json: processes[0].backoffLimit: must be from 0 to 1000000, got -1"},
    {"{\"processes\": [{\"backoffLimit\": 2.5}]}",
     "test.json: processes[0].backoffLimit: must be a whole number, got 2.5"},
    {"{\"processes\": [{\"backoffLimit\": 1000001}]}",
     "test.json: processes[0].backoffLimit: must be from 0 to 1000000, got 1000001"},
    {"{\"processes\": [{\"backoffLimit\": 1e300}]}",
     "test.json: processes[0].backoffLimit: must be from 0 to 1000000, got 1e+300"},
    {"{\"processes\": [{\"backoffLimit\": \"2\"}]}",
     "test.json: processes[0].backoffLimit: must be a whole number, got a string"},
    /* probes */
    {"{\"processes\": [{\"readinessProbe\": {}}]}",
     "test.json: processes[0].readinessProbe: needs one handler: exec, httpGet or tcpSocket"},
    {"{\"processes\": [{\"readinessProbe\": {\"tcpSocket\": {\"port\": 1}, "
     "\"periodSeconds\": 0}}]}",
     "test.json: processes[0].readinessProbe.periodSeconds: must be > 0"},
    {"{\"processes\": [{\"readinessProbe\": {\"tcpSocket\": {\"port\": 1}, "
     "\"periodSeconds\": 0.0004}}]}",
     "test.json: processes[0].readinessProbe.periodSeconds: must be at least 0.001 (a "
     "millisecond), got 0.0004"},
    {"{\"processes\": [{\"livenessProbe\": {\"tcpSocket\": {\"port\": 1}, "
     "\"failureThreshold\": 0}}]}",
     "test.json: processes[0].livenessProbe.failureThreshold: must be from 1 to 1000000, got 0"},
    {"{\"processes\": [{\"livenessProbe\": {\"tcpSocket\": {\"port\": 1}, "
     "\"successThreshold\": 2}}]}",
     "test.json: processes[0].livenessProbe.successThreshold: must be 1 for liveness and startup"},
    {"{\"processes\": [{\"startupProbe\": {\"grpc\": {\"port\": 1}}}]}",
     "test.json: processes[0].startupProbe.grpc: is not supported"},
    {"{\"processes\": [{\"readinessProbe\": {\"tcpSocket\": {\"host\": \"::1\"}}}]}",
     "test.json: processes[0].readinessProbe.tcpSocket: needs \"port\""},
    {"{\"processes\": [{\"readinessProbe\": {\"tcpSocket\": {\"port\": 1}, "
     "\"exec\": {\"command\": [\"x\"]}}}]}",
     "test.json: processes[0].readinessProbe: has more than one handler"},
    {"{\"processes\": [{\"readinessProbe\": {\"exec\": {\"command\": [\"x\"]}, "
     "\"timeoutSeconds\": -1}}]}",
     "test.json: processes[0].readinessProbe.timeoutSeconds: must be >= 0, got -1"},
    {"{\"processes\": [{\"command\": [\"a\"]}, {\"command\": [\"b\"]}]}",
     "test.json: processes[1]: needs a \"name\" (there are several processes)"},
    {"{\"processes\": [{\"name\": \"a\", \"command\": [\"a\"]}, {\"name\": \"a\", "
     "\"command\": [\"b\"]}]}",
     "test.json: processes[1].name: \"a\" is the name of processes[0] too"},
    {"{\"processes\": [{\"name\": \"web server\"}]}",
     "test.json: processes[0].name: must be letters, digits, '-', '_' or '.'"},
    {"{\"initProcesses\": {}}", "test.json: initProcesses: must be an array of processes"},
    {"{\"initProcesses\": [{\"name\": \"a\", \"command\": [\"x\"]}], "
     "\"processes\": [{\"name\": \"a\", \"command\": [\"y\"]}]}",
     "test.json: initProcesses[0].name: \"a\" is the name of processes[0] too"},
    {"{\"initProcesses\": [{\"command\": [\"x\"]}]}",
     "test.json: initProcesses[0]: needs a \"name\" (there are several processes)"},
    /* commands */
    {"{\"processes\": [{\"command\": []}]}", "test.json: processes[0].command: must not be empty"},
    {"{\"processes\": [{\"command\": [\"a\", 1]}]}",
     "test.json: processes[0].command[1]: must be a string, got a number"},
    {"{\"processes\": [{\"command\": [\"\"]}]}",
     "test.json: processes[0].command[0]: the program name must not be empty"},
    {"{\"processes\": [{\"command\": \"/app/server\"}]}",
     "test.json: processes[0].command: must be an array of strings, got a string"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"exec\": {\"command\": []}}}}]}",
     "test.json: processes[0].lifecycle.preStop.exec.command: must not be empty"},
    /* signals */
    {"{\"processes\": [{\"stopSignal\": \"SIGFOO\"}]}",
     "test.json: processes[0].stopSignal: \"SIGFOO\" is not a signal"},
    {"{\"processes\": [{\"stopSignal\": \"KILL\"}]}",
     "test.json: processes[0].stopSignal: SIGKILL cannot be a stop signal"},
    {"{\"stopSignals\": []}", "test.json: stopSignals: must name at least one signal"},
    {"{\"stopSignals\": [\"TERM\", \"NOPE\"]}",
     "test.json: stopSignals[1]: \"NOPE\" is not a signal"},
    {"{\"processes\": [{\"signalRewrite\": {\"SIGFOO\": 0}}]}",
     "test.json: processes[0].signalRewrite.SIGFOO: \"SIGFOO\" is not a signal from 1 to 31"},
    {"{\"processes\": [{\"signalRewrite\": {\"TERM\": \"RTMIN\"}}]}",
     "test.json: processes[0].signalRewrite.TERM: \"RTMIN\" is not a signal from 1 to 31"},
    /* signals podinit must receive: never one it cannot take */
    {"{\"stopSignals\": [\"TERM\", \"ABRT\"]}",
     "test.json: stopSignals[1]: SIGABRT cannot be a stop signal: podinit leaves the fault "
     "signals unblocked, so one sent to it would kill it"},
    {"{\"stopSignals\": [11]}", "test.json: stopSignals[0]: SIGSEGV cannot be a stop signal"},
    {"{\"stopSignals\": [32]}",
     "test.json: stopSignals[0]: SIG32 cannot be a stop signal: the C library reserves it"},
    {"{\"stopSignals\": [\"33\"]}", "test.json: stopSignals[0]: SIG33 cannot be a stop signal"},
    {"{\"stopSignals\": [\"STOP\"]}",
     "test.json: stopSignals[0]: SIGSTOP cannot be a stop signal: it cannot be caught"},
    {"{\"stopSignals\": [\"CHLD\"]}", "test.json: stopSignals[0]: SIGCHLD cannot be a stop signal"},
    {"{\"processes\": [{\"stopSignal\": 33}]}",
     "test.json: processes[0].stopSignal: SIG33 cannot be a stop signal: the C library reserves"},
    {"{\"processes\": [{\"signalRewrite\": {\"SIGSEGV\": \"TERM\"}}]}",
     "test.json: processes[0].signalRewrite.SIGSEGV: SIGSEGV cannot be rewritten: podinit "
     "leaves the fault signals unblocked"},
    {"{\"processes\": [{\"signalRewrite\": {\"KILL\": \"TERM\"}}]}",
     "test.json: processes[0].signalRewrite.KILL: SIGKILL cannot be rewritten: it cannot be "
     "caught"},
    /* the other process fields */
    {"{\"processes\": [{\"env\": {\"N\": 1}}]}",
     "test.json: processes[0].env.N: must be a string, got a number"},
    {"{\"processes\": [{\"workingDir\": \"app\"}]}",
     "test.json: processes[0].workingDir: must be an absolute path"},
    /* hooks */
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {}}}]}",
     "test.json: processes[0].lifecycle.preStop: needs one handler: exec, httpGet or sleep"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": 1}, "
     "\"exec\": {\"command\": [\"x\"]}}}}]}",
     "test.json: processes[0].lifecycle.preStop: has more than one handler"},
    {"{\"processes\": [{\"lifecycle\": {\"postStart\": {\"httpGet\": {\"path\": \"/\"}}}}]}",
     "test.json: processes[0].lifecycle.postStart.httpGet: needs \"port\""},
    {"{\"processes\": [{\"lifecycle\": {\"postStart\": {\"httpGet\": {\"port\": 70000}}}}]}",
     "test.json: processes[0].lifecycle.postStart.httpGet.port: must be from 1 to 65535"},
    {"{\"processes\": [{\"lifecycle\": {\"postStart\": {\"httpGet\": {\"port\": \"http\"}}}}]}",
     "test.json: processes[0].lifecycle.postStart.httpGet.port: named ports"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"httpGet\": {\"port\": 1, \"path\": "
     "\"ready\"}}}}]}",
     "test.json: processes[0].lifecycle.preStop.httpGet.path: must start with /"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"httpGet\": {\"port\": 1, \"scheme\": "
     "\"HTTPS\"}}}}]}",
     "test.json: processes[0].lifecycle.preStop.httpGet.scheme: HTTPS is not supported"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"httpGet\": {\"port\": 1, "
     "\"httpHeaders\": [{\"name\": \"X\", \"value\": \"a\\r\\nb\"}]}}}}]}",
     "test.json: processes[0].lifecycle.preStop.httpGet.httpHeaders[0].value: must not contain "
     "line breaks"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"sleep\": {\"seconds\": -2}}}}]}",
     "test.json: processes[0].lifecycle.preStop.sleep.seconds: must be >= 0, got -2"},
    {"{\"processes\": [{\"lifecycle\": {\"postStart\": {\"exec\": {\"command\": [\"x\"]}, "
     "\"timeoutSeconds\": 0}}}]}",
     "test.json: processes[0].lifecycle.postStart.timeoutSeconds: must be > 0"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"tcpSocket\": {\"port\": 1}}}}]}",
     "test.json: processes[0].lifecycle.preStop.tcpSocket: is not a lifecycle handler"},
    {"{\"processes\": [{\"lifecycle\": {\"preStop\": {\"httpGet\": {\"port\": 1, \"host\": "
     "\"db.example\"}}}}]}",
     "test.json: processes[0].lifecycle.preStop.httpGet.host: \"db.example\" is not an IP "
     "address or localhost"},
    {"{\"processes\": [{\"lifecycle\": {\"preStart\": {}}}]}",
     "test.json: processes[0].lifecycle.preStart: unknown key"},
};

static void each_bad_file_names_file_path_and_cause(void **state) {
    (void)state;
    assert_true(sizeof bad_files / sizeof bad_files[0] >= 25);
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
        struct config cfg;
        struct config_errors errs;
        int n = parse(bad_files[i].json, &cfg, &errs);
        if (n < 1 || errs.text == NULL || strstr(errs.text, bad_files[i].expected) == NULL)
            fail_msg("bad file %zu: %s\nexpected: %s\ngot: %s", i, bad_files[i].json,
                     bad_files[i].expected, errs.text ? errs.text : "(nothing)");
        config_free(&cfg);
        config_errors_free(&errs);
    }
}

static void every_error_is_reported_not_only_the_first(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    int n = parse("{\"terminationGracePeriodSeconds\": -1, \"typo\": 1,"
                  " \"processes\": [{\"stopSignal\": \"NOPE\", \"command\": []}]}",
                  &cfg, &errs);
    assert_int_equal(n, 4);
    size_t lines = 0;
    for (const char *c = errs.text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 4);
    config_free(&cfg);
    config_errors_free(&errs);
}

/* Errors show file bytes only escaped (no control character reaches the
 * terminal, one error is one line) and only as much as locates the error. */
static void error_messages_escape_what_they_echo(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    int n = parse("{\"typo\\u001b]0;owned\\u0007\\n\": 1, \"log\": {\"format\": \"\\u001b[2J\\r\"},"
                  " \"processes\": [{\"restartPolicy\": \"\\u00c2\\u0085\\u0080x\"}]}",
                  &cfg, &errs);
    assert_int_equal(n, 3);
    size_t lines = 0;
    for (const unsigned char *c = (const unsigned char *)errs.text; *c; c++) {
        lines += *c == '\n';
        if ((*c < 0x20 && *c != '\n') || *c == 0x7f)
            fail_msg("a control character 0x%02x in:\n%s", *c, errs.text);
    }
    assert_int_equal(lines, 3);
    assert_non_null(strstr(errs.text, "test.json: typo\\x1b]0;owned\\x07\\n: unknown key\n"));
    assert_non_null(strstr(errs.text, "test.json: log.format: must be \"text\" or \"json\", got "
                                      "\"\\x1b[2J\\r\"\n"));
    /* C1 controls (U+0080-U+009F) are escaped too; other UTF-8 is kept */
    assert_non_null(strstr(errs.text, "got \"\xc3\x82"
                                      "\\xc2\\x85\\xc2\\x80x\""));
    config_free(&cfg);
    config_errors_free(&errs);
    /* bytes that are not UTF-8 come out as \xNN; a long value is cut */
    char json[400];
    snprintf(json, sizeof json, "{\"log\": {\"level\": \"\xff\xfe%0300d\"}}", 0);
    assert_int_equal(parse(json, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "got \"\\xff\\xfe000"));
    assert_true(strlen(errs.text) < 200);
    config_free(&cfg);
    config_errors_free(&errs);
}

/* \u0000 is found by the text, each string named by its path, keys too;
 * "\\u0000" (an escaped backslash) is no NUL. */
static void nul_escapes_are_named_and_only_they(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"x\"], \"env\": {\"A\": "
                           "\"\\u0000\", \"B\\\\u0000\": \"\\\\\\u0000\"}}]}",
                           &cfg, &errs),
                     2);
    assert_non_null(strstr(errs.text, "test.json: processes[0].env.A: contains \\u0000"));
    assert_non_null(strstr(errs.text, "test.json: processes[0].env.B\\u0000: contains \\u0000"));
    config_free(&cfg);
    config_errors_free(&errs);
    assert_int_equal(parse("{\"processes\": [{\"command\": [\"x\"], \"env\": {\"A\": "
                           "\"\\\\u0000\"}}]}",
                           &cfg, &errs),
                     0);
    assert_string_equal(cfg.processes[0].env[0], "A=\\u0000");
    config_free(&cfg);
    config_errors_free(&errs);
    /* a key and its value, in document order; in an unknown key too */
    assert_int_equal(
        parse("{\"x\\u0000\": [\"\\u0000\"], \"successExitCodes\": [\"a\\u0000\"]}", &cfg, &errs),
        3);
    assert_string_equal(errs.text,
                        "test.json: x\\u0000: the key contains \\u0000 (a NUL character), which "
                        "would cut it short\n"
                        "test.json: x[0]: contains \\u0000 (a NUL character), which would cut the "
                        "string short\n"
                        "test.json: successExitCodes[0]: contains \\u0000 (a NUL character), which "
                        "would cut the string short\n");
    config_free(&cfg);
    config_errors_free(&errs);
}

/* cJSON stops at 1000 levels: say so, not "invalid JSON". */
static void the_nesting_limit_is_named(void **state) {
    (void)state;
    char json[2 * 1001 + 1];
    memset(json, '[', 1001);
    memset(json + 1001, ']', 1001);
    json[2002] = '\0';
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(json, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json:1:1001: nested deeper than 1000 levels, "
                                      "the JSON parser's limit"));
    config_free(&cfg);
    config_errors_free(&errs);
    /* 1000 levels parse (and are refused for what they are) */
    json[1000] = ']';
    json[2001] = '\0';
    memmove(json + 1000, json + 1001, 1001);
    assert_int_equal(parse(json, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "must be an object, got an array"));
    config_free(&cfg);
    config_errors_free(&errs);
    /* a syntax error before the deep part is still the syntax error */
    char early[2200] = "{\"a\": ,";
    memset(early + 7, '[', 1050);
    memset(early + 7 + 1050, ']', 1050);
    early[7 + 2100] = '}';
    assert_int_equal(parse(early, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json:1:7: invalid JSON near ',[[["));
    config_free(&cfg);
    config_errors_free(&errs);
}

/* httpGet sends one request of at most HTTP_REQUEST_MAX bytes: a path or
 * headers that cannot fit would fail every probe, so they fail the load. */
static void a_request_too_large_for_the_buffer_is_refused(void **state) {
    (void)state;
    static char json[20000], big[9000];
    memset(big, 'a', sizeof big - 1);
    snprintf(json, sizeof json,
             "{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": 80, "
             "\"httpHeaders\": [{\"name\": \"X\", \"value\": \"%s\"}]}}}]}",
             big);
    struct config cfg;
    struct config_errors errs;
    assert_int_equal(parse(json, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json: processes[0].readinessProbe.httpGet: the "
                                      "request (path and httpHeaders) would be larger than "
                                      "8192 bytes\n"));
    config_free(&cfg);
    config_errors_free(&errs);
    snprintf(json, sizeof json,
             "{\"processes\": [{\"lifecycle\": {\"preStop\": {\"httpGet\": {\"port\": 80, "
             "\"path\": \"/%s\"}}}}]}",
             big);
    assert_int_equal(parse(json, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "processes[0].lifecycle.preStop.httpGet: the request"));
    config_free(&cfg);
    config_errors_free(&errs);
    /* one that fits is fine */
    big[7000] = '\0';
    snprintf(json, sizeof json,
             "{\"processes\": [{\"readinessProbe\": {\"httpGet\": {\"port\": 80, "
             "\"httpHeaders\": [{\"name\": \"X\", \"value\": \"%s\"}]}}}]}",
             big);
    assert_int_equal(parse(json, &cfg, &errs), 0);
    config_free(&cfg);
    config_errors_free(&errs);
}

static void a_nul_byte_is_not_json(void **state) {
    (void)state;
    struct config cfg;
    struct config_errors errs = {0};
    config_init(&cfg);
    assert_int_equal(config_parse("test.json", "{}\0{}", 5, &cfg, &errs), 1);
    assert_non_null(strstr(errs.text, "test.json:1:3: invalid JSON"));
    config_free(&cfg);
    config_errors_free(&errs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_bad_file_names_file_path_and_cause),
        cmocka_unit_test(every_error_is_reported_not_only_the_first),
        cmocka_unit_test(error_messages_escape_what_they_echo),
        cmocka_unit_test(nul_escapes_are_named_and_only_they),
        cmocka_unit_test(the_nesting_limit_is_named),
        cmocka_unit_test(a_request_too_large_for_the_buffer_is_refused),
        cmocka_unit_test(a_nul_byte_is_not_json),
    };
    return cmocka_run_group_tests_name("config_errors", tests, NULL, NULL);
}
