/* tests/unit/listener_fixture.h — what the socket tests share: a listener
 * of the test's own. Included after cmocka.h, arpa/inet.h, netinet/in.h
 * and sys/socket.h. */
#ifndef PODINIT_TEST_LISTENER_FIXTURE_H
#define PODINIT_TEST_LISTENER_FIXTURE_H

/* A listener on an ephemeral port of 127.0.0.1; its port in *port. */
static int listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

#endif
