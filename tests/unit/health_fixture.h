/* tests/unit/health_fixture.h — what the health tests share: the widest
 * /status there can be, and a check that an answer's body is as long as its
 * Content-Length says. Included after cmocka.h, stdio.h, stdlib.h,
 * string.h and podinit/health.h. */
#ifndef PODINIT_TEST_HEALTH_FIXTURE_H
#define PODINIT_TEST_HEALTH_FIXTURE_H

/* Eight processes with the longest names the config takes (63), every
 * field at its widest. */
static struct health_process widest[8];
static struct health_status widest_status(void) {
    static char names[8][64];
    static char state[HEALTH_MAX_STATE + 1];
    memset(state, 'S', HEALTH_MAX_STATE);
    for (int i = 0; i < 8; i++) {
        snprintf(names[i], sizeof names[i], "p%c-%060d", '0' + i, 0);
        widest[i] = (struct health_process){.name = names[i],
                                            .state = state,
                                            .pid = -2147483647 - 1,
                                            .restarts = -2147483647 - 1,
                                            .exited = true,
                                            .last_exit = -2147483647 - 1};
    }
    return (struct health_status){.state = state, .procs = widest, .n_procs = 8};
}

/* The body after the headers, and that its length is the Content-Length. */
static const char *body_of(const char *answer, size_t len) {
    const char *body = strstr(answer, "\r\n\r\n");
    const char *cl = strstr(answer, "Content-Length: ");
    assert_non_null(body);
    assert_non_null(cl);
    body += 4;
    assert_int_equal(strtoul(cl + 16, NULL, 10), len - (size_t)(body - answer));
    return body;
}

#endif
