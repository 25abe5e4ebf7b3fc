/* tests/unit/cli_fixture.h — what the command-line tests share: a parse
 * of a NULL-terminated argument list into a struct run (options, outcome,
 * exit code, what was written to out and err) and the check of a usage
 * error. Included after cmocka.h, stdio.h, stdlib.h, string.h, unistd.h
 * and podinit/cli.h. */
#ifndef PODINIT_TEST_CLI_FIXTURE_H
#define PODINIT_TEST_CLI_FIXTURE_H

struct run {
    struct cli_options o;
    enum cli_outcome outcome;
    int code;
    char *out, *err;
};

#define MAX_ARGS 32

/* Parse a NULL-terminated list of arguments with the given environment. */
static void parse_env(struct run *r, char **envp, ...) {
    static char *argv[MAX_ARGS];
    va_list ap;
    va_start(ap, envp);
    int argc = 0;
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && argc < MAX_ARGS - 1)
        argv[argc++] = a;
    assert_null(a); /* the list fitted */
    argv[argc] = NULL;
    va_end(ap);
    size_t outlen, errlen;
    FILE *out = open_memstream(&r->out, &outlen);
    FILE *err = open_memstream(&r->err, &errlen);
    assert_non_null(out);
    assert_non_null(err);
    r->outcome = cli_parse(argc, argv, envp, (int)getpid(), out, err, &r->o, &r->code);
    fclose(out);
    fclose(err);
}

static char *no_env[] = {NULL};
#define parse(r, ...) parse_env(r, no_env, __VA_ARGS__, NULL)

static void done(struct run *r) {
    free(r->out);
    free(r->err);
}

static void assert_usage_error(struct run *r, int code, const char *needle) {
    assert_int_equal(r->outcome, CLI_EXIT);
    assert_int_equal(r->code, code);
    assert_non_null(strstr(r->err, needle));
    assert_string_equal(r->out, "");
    done(r);
}

#endif
