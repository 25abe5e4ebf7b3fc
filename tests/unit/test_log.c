/* tests/unit/test_log.c — the log line formats: podinit's JSON lines (valid
 * UTF-8 JSON whatever the message holds, bounded), the personas' prefixes,
 * and the output that never waits: a line that cannot be written now is
 * dropped and counted, the stream's own file description left as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "podinit/log.h"

/* A test that blocked in a write would hang: SIGALRM ends it instead. */
enum { HANG_SECONDS = 10 };

/* The log settings the captures use. */
static enum cli_persona persona = PERSONA_PODINIT;
static int threshold = LOG_INFO;
static bool json;

static void use(enum cli_persona p, int level, bool as_json) {
    persona = p, threshold = level, json = as_json;
}

/* Everything readable on fd now, NUL-terminated, without waiting. */
static size_t read_now(int fd, char *buf, size_t cap) {
    int fl = fcntl(fd, F_GETFL);
    assert_true(fl >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    assert_int_equal(fcntl(fd, F_SETFL, fl), 0);
    buf[got] = '\0';
    return got;
}

/* Run one log call with fd (1 or 2) a fresh pipe; returns what was written.
 * The logger looks at its streams when log_init runs, so it runs on each
 * side of the call. */
static char captured[8192];

static const char *capture_fd_of(int fd, void (*call)(void)) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(fd);
    assert_true(saved >= 0);
    assert_true(dup2(p[1], fd) >= 0);
    close(p[1]);
    log_init(persona, threshold, 0, json);
    call();
    assert_true(dup2(saved, fd) >= 0);
    close(saved);
    log_init(persona, threshold, 0, json); /* lets go of the pipe */
    read_now(p[0], captured, sizeof captured);
    close(p[0]);
    return captured;
}

static const char *capture_stderr_of(void (*call)(void)) {
    return capture_fd_of(STDERR_FILENO, call);
}

/* Is s[0..n) well-formed UTF-8 (no overlong, surrogate, or > U+10FFFF)? */
static bool is_utf8(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], need = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (need == 0 || c > 0xf4 || i + need > n)
            return false;
        unsigned long v = need == 1 ? c : c & (0x7f >> need);
        for (unsigned k = 1; k < need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            v = v << 6 | (s[i + k] & 0x3f);
        }
        if ((need == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (need == 4 && (v < 0x10000 || v > 0x10ffff)))
            return false;
        i += need;
    }
    return true;
}

/* The msg field of a JSON line, as written (escapes and all). */
static const char *msg_of(const char *line) {
    const char *m = strstr(line, ",\"msg\":\"");
    assert_non_null(m);
    return m + 8;
}

/* ---- JSON lines ---------------------------------------------------------------- */

static void say_awkward_things(void) {
    log_msg(LOG_WARN, "quote \" backslash \\ newline \n tab \t bell \a done");
}

static void json_lines_escape_everything(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "{\"time\":", 8) == 0);
    const char *rest = strstr(out, ",\"level\":\"warn\",\"pid\":");
    assert_non_null(rest);
    assert_string_equal(msg_of(rest), "quote \\\" backslash \\\\ newline \\n tab \\u0009 bell "
                                      "\\u0007 done\"}\n");
}

static void say_invalid_utf8(void) {
    /* 0xff 0xfe; an overlong '/'; a surrogate; past U+10FFFF; a lone
     * continuation byte; a sequence cut short by 'A'; then good text. */
    log_msg(LOG_INFO, "a\xff\xfe|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe2\x82"
                      "A|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void json_lines_replace_invalid_utf8(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_invalid_utf8);
    assert_true(is_utf8(out, strlen(out)));
#define R "\xef\xbf\xbd" /* U+FFFD, for each maximal subpart */
    assert_string_equal(msg_of(out), "a" R R "|" R R "|" R R R "|" R R R R "|" R "|" R
                                     "A|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}\n");
#undef R
}

static void say_controls(void) {
    /* U+0085 (NEL), DEL, U+2028, U+2029, a file separator, a NUL */
    log_msg(LOG_INFO, "%s%c%s", "\xc2\x85|\x7f|\xe2\x80\xa8|\xe2\x80\xa9|\x1c|", 0, "end");
}

static void json_lines_escape_controls_and_line_separators(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_controls);
    assert_string_equal(msg_of(out), "\\u0085|\\u007f|\\u2028|\\u2029|\\u001c|\\u0000end\"}\n");
}

static void say_too_much(void) {
    char big[3000];
    memset(big, '"', sizeof big - 1); /* every byte doubles when escaped */
    big[sizeof big - 1] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_lines_are_bounded_and_still_closed(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = capture_stderr_of(say_too_much);
    size_t len = strlen(out);
    assert_true(len <= 1024);
    assert_string_equal(out + len - 3, "\"}\n");
    assert_int_equal(out[len - 4], '"'); /* cut after a whole escape, never inside one */
    assert_int_equal(out[len - 5], '\\');
}

static void say_many_controls(void) {
    char big[1000];
    memset(big, 1, sizeof big - 1); /* \u0001: 6 bytes each */
    big[sizeof big - 1] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_lines_cut_between_unicode_escapes(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *msg = msg_of(capture_stderr_of(say_many_controls));
    size_t len = strlen(msg);
    assert_true(len > 3);
    assert_string_equal(msg + len - 3, "\"}\n");
    assert_int_equal((len - 3) % 6, 0); /* whole escapes only */
    for (size_t i = 0; i + 3 < len; i += 6)
        assert_memory_equal(msg + i, "\\u0001", 6);
}

/* A message of 2-byte characters after `pad` ASCII bytes, longer than a line. */
static size_t pad;

static void say_many_two_byte_chars(void) {
    char big[2400];
    memset(big, 'x', pad);
    size_t i = pad;
    while (i + 2 < sizeof big)
        big[i++] = '\xc3', big[i++] = '\xa9'; /* é */
    big[i] = '\0';
    log_msg(LOG_ERROR, "%s", big);
}

static void json_cuts_never_split_a_character(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    for (pad = 0; pad < 4; pad++) {
        const char *out = capture_stderr_of(say_many_two_byte_chars);
        size_t len = strlen(out);
        assert_true(len <= 1024);
        assert_true(is_utf8(out, len));
        assert_null(strstr(out, "\xef\xbf\xbd")); /* cut, not replaced */
        assert_string_equal(out + len - 3, "\"}\n");
    }
}

/* The message buffer (768 bytes) keeps 767 before the line is built: ASCII,
 * then a character the cut splits, after its first or its second byte. */
static size_t ascii;
static const char *split;

static void say_cut_by_the_message_buffer(void) {
    char big[800];
    memset(big, 'y', ascii);
    snprintf(big + ascii, sizeof big - ascii, "%s%s", split, split);
    log_msg(LOG_INFO, "%s", big);
}

static void json_message_cut_drops_the_split_character(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const struct {
        size_t ascii;
        const char *split;
    } cases[] = {
        {766, "\xc3\xa9"}, {765, "\xe2\x82\xac"}, {766, "\xe2\x82\xac"}, {764, "\xf0\x9f\x98\x80"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ascii = cases[i].ascii, split = cases[i].split;
        const char *msg = msg_of(capture_stderr_of(say_cut_by_the_message_buffer));
        size_t len = strlen(msg);
        assert_true(is_utf8(msg, len));
        assert_null(strstr(msg, "\xef\xbf\xbd")); /* cut away, not replaced */
        assert_int_equal(len, ascii + 3);
        assert_string_equal(msg + ascii, "\"}\n");
    }
}

/* ---- text lines and personas ---------------------------------------------------- */

static void say_info(void) {
    log_msg(LOG_INFO, "hello");
}

static void say_debug(void) {
    log_msg(LOG_DEBUG, "hidden");
}

static void levels_and_persona_prefixes(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    assert_string_equal(capture_stderr_of(say_debug), ""); /* above the threshold */
    const char *out = capture_stderr_of(say_info);
    assert_true(strncmp(out, "podinit: ", 9) == 0);
    assert_non_null(strstr(out, " info: hello\n"));
    use(PERSONA_DUMB_INIT, LOG_DEBUG, true); /* json is podinit's only */
    assert_string_equal(capture_stderr_of(say_debug), "[dumb-init] hidden\n");
    use(PERSONA_TINI, LOG_WARN, false);
    out = capture_stderr_of(say_awkward_things);
    assert_true(strncmp(out, "[WARN  tini (", 13) == 0);
    use(PERSONA_TINI, LOG_INFO, false); /* tini's INFO goes to stdout */
    out = capture_fd_of(STDOUT_FILENO, say_info);
    assert_true(strncmp(out, "[INFO  tini (", 13) == 0);
}

/* ---- never waiting on a stream ------------------------------------------------- */

/* Fill the pipe whose write end is w until not one byte more fits, leaving
 * w's flags as they were. */
static void fill_pipe(int w) {
    int fl = fcntl(w, F_GETFL);
    assert_int_equal(fcntl(w, F_SETFL, fl | O_NONBLOCK), 0);
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    while (write(w, chunk, sizeof chunk) > 0)
        ;
    while (write(w, chunk, 1) > 0)
        ;
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(fcntl(w, F_SETFL, fl), 0);
}

static void drain(int r) {
    static char sink[1 << 17];
    read_now(r, sink, sizeof sink);
}

static enum log_level say_level = LOG_WARN;

static void say_one(void) {
    log_msg(say_level, "one");
}

static void say_two(void) {
    log_msg(say_level, "two");
}

static void say_three(void) {
    log_msg(say_level, "three");
}

/* Reopening fails with EMFILE while every fd below the limit is in use. */
static struct rlimit nofile_was;

static void use_up_fds(void) {
    int lowest = dup(STDERR_FILENO);
    assert_true(lowest >= 0);
    close(lowest);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &nofile_was), 0);
    struct rlimit none = nofile_was;
    none.rlim_cur = (rlim_t)lowest;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
}

/* With stream fd a full pipe: two lines are dropped, not waited for; once
 * drained, the next line comes after the count. The stream's description
 * stays blocking. Returns what was read after the drain. */
static const char *dropped_on_full_pipe(int fd, bool fifo, bool no_fds) {
    int p[2];
    if (fifo) {
        char path[] = "/tmp/podinit-test-log-XXXXXX";
        assert_non_null(mkdtemp(path));
        char name[sizeof path + 8];
        snprintf(name, sizeof name, "%s/fifo", path);
        assert_int_equal(mkfifo(name, 0600), 0);
        p[0] = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        p[1] = open(name, O_WRONLY | O_CLOEXEC);
        unlink(name);
        rmdir(path);
        assert_true(p[0] >= 0 && p[1] >= 0);
        int fl = fcntl(p[0], F_GETFL); /* read_now sets it again */
        assert_int_equal(fcntl(p[0], F_SETFL, fl & ~O_NONBLOCK), 0);
    } else {
        assert_int_equal(pipe(p), 0);
    }
    int saved = dup(fd);
    assert_true(dup2(p[1], fd) >= 0);
    close(p[1]);
    if (no_fds)
        use_up_fds();
    log_init(persona, threshold, 0, json);
    if (no_fds)
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &nofile_was), 0);
    fill_pipe(fd);
    alarm(HANG_SECONDS);
    say_one();
    say_two();
    alarm(0);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* the app's fd as it was */
    drain(p[0]);
    say_three();
    assert_true(dup2(saved, fd) >= 0);
    close(saved);
    log_init(persona, threshold, 0, json);
    read_now(p[0], captured, sizeof captured);
    close(p[0]);
    return captured;
}

static void a_full_pipe_drops_and_counts(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    const char *out = dropped_on_full_pipe(STDERR_FILENO, false, false);
    assert_true(strncmp(out, "podinit: 2 log lines dropped\npodinit: ", 38) == 0);
    assert_string_equal(strchr(out, '\n') + strlen(strchr(out, '\n')) - 13, " warn: three\n");
    assert_int_equal(strchr(strchr(out, '\n') + 1, '\n')[1], '\0'); /* two lines, no more */
}

static void a_full_pipe_drops_and_counts_in_json(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, true);
    const char *out = dropped_on_full_pipe(STDERR_FILENO, false, false);
    const char *second = strchr(out, '\n') + 1;
    assert_true(strncmp(out, "{\"time\":", 8) == 0);
    assert_non_null(strstr(out, ",\"level\":\"warn\",\"event\":\"log_dropped\",\"pid\":"));
    assert_true(strstr(out, ",\"dropped\":2,\"msg\":\"2 log lines dropped\"}\n") ==
                second - strlen(",\"dropped\":2,\"msg\":\"2 log lines dropped\"}\n"));
    assert_string_equal(msg_of(second), "three\"}\n");
}

/* tini's INFO lines go to stdout, which must not stop PID 1 either. */
static void a_full_stdout_pipe_in_the_tini_persona(void **state) {
    (void)state;
    use(PERSONA_TINI, LOG_INFO, false);
    say_level = LOG_INFO;
    const char *out = dropped_on_full_pipe(STDOUT_FILENO, false, false);
    say_level = LOG_WARN;
    assert_true(strncmp(out, "podinit: 2 log lines dropped\n[INFO  tini (", 42) == 0);
    assert_string_equal(strchr(out, ']'), "] three\n");
}

static void close_stdin_and_stdout(void) {
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
}

/* With 0 and 1 closed, the logger's own description lands above 2, and is
 * close-on-exec. */
static void the_reopened_fd_is_cloexec_and_not_standard(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    int in = dup(STDIN_FILENO), out = dup(STDOUT_FILENO);
    assert_true(in >= 0 && out >= 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(p[1], STDERR_FILENO) >= 0);
    close(p[1]);
    close_stdin_and_stdout();
    log_init(persona, threshold, 0, json);
    bool closed0 = fcntl(STDIN_FILENO, F_GETFD) < 0, closed1 = fcntl(STDOUT_FILENO, F_GETFD) < 0;
    struct stat pst, st;
    assert_int_equal(fstat(p[0], &pst), 0);
    int found = -1, flags = 0;
    for (int fd = 3; fd < 1024; fd++)
        if (fd != p[0] && fd != saved && fd != in && fd != out && fstat(fd, &st) == 0 &&
            st.st_ino == pst.st_ino && st.st_dev == pst.st_dev) {
            found = fd;
            flags = fcntl(fd, F_GETFD);
        }
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    close(in), close(out);
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_init(persona, threshold, 0, json);
    close(p[0]);
    assert_true(closed0 && closed1);
    assert_true(found > STDERR_FILENO);
    assert_true(flags & FD_CLOEXEC);
}

/* fd 2 closed at start: nothing is ever written to whatever takes its
 * number later. */
static void a_closed_stderr_stays_unwritten(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    close(STDERR_FILENO);
    log_init(persona, threshold, 0, json);
    say_one();                                   /* no crash, nowhere to go */
    assert_true(dup2(p[1], STDERR_FILENO) >= 0); /* something else gets number 2 */
    close(p[1]);
    say_two();
    assert_int_equal(read_now(p[0], captured, sizeof captured), 0);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(p[0]);
    log_init(persona, threshold, 0, json);
}

/* A partial write (here a file size limit) is finished before anything
 * else: never half a line followed by another. */
static void a_partial_write_is_finished_first(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    char path[] = "/tmp/podinit-test-log-XXXXXX";
    int f = mkstemp(path);
    assert_true(f >= 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(f, STDERR_FILENO) >= 0);
    log_init(persona, threshold, 0, json);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 20;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    say_one(); /* 20 bytes of it */
    say_two(); /* nothing: dropped */
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    say_three(); /* the rest of one, the count, three */
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_init(persona, threshold, 0, json);
    char buf[512];
    ssize_t n = pread(f, buf, sizeof buf - 1, 0);
    close(f);
    assert_true(n > 0);
    buf[n] = '\0';
    char *second = strchr(buf, '\n') + 1, *third = strchr(second, '\n') + 1;
    assert_true(strncmp(buf, "podinit: ", 9) == 0);
    assert_true(strstr(buf, " warn: one\n") == second - 11);
    assert_true(strncmp(second, "podinit: 1 log lines dropped\n", 29) == 0 && third == second + 29);
    assert_non_null(strstr(third, " warn: three\n"));
    assert_int_equal(strchr(third, '\n')[1], '\0'); /* and nothing more */
}

/* A socket (journald's stdout, a log agent's): send(MSG_DONTWAIT), the
 * socket's description left blocking. */
static void a_full_socket_drops_and_counts(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(sv[1], STDERR_FILENO) >= 0);
    close(sv[1]);
    log_init(persona, threshold, 0, json);
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    while (send(STDERR_FILENO, chunk, sizeof chunk, MSG_DONTWAIT) > 0)
        ;
    while (send(STDERR_FILENO, chunk, 1, MSG_DONTWAIT) > 0)
        ;
    alarm(HANG_SECONDS);
    say_one();
    alarm(0);
    assert_int_equal(fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK, 0);
    static char junk[1 << 20];
    read_now(sv[0], junk, sizeof junk);
    say_three();
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_init(persona, threshold, 0, json);
    read_now(sv[0], captured, sizeof captured);
    close(sv[0]);
    assert_true(strncmp(captured, "podinit: 1 log lines dropped\npodinit: ", 38) == 0);
    assert_non_null(strstr(captured, " warn: three\n"));
}

/* A terminal whose output is stopped (Ctrl-S): a write to it would wait. */
static void a_stopped_terminal_drops_and_counts(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
        skip();
    int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(s >= 0);
    struct termios t;
    assert_int_equal(tcgetattr(s, &t), 0);
    t.c_oflag &= ~(tcflag_t)OPOST; /* bytes as written, no \r\n */
    assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(s, STDERR_FILENO) >= 0);
    log_init(persona, threshold, 0, json);
    assert_int_equal(tcflow(s, TCOOFF), 0);
    alarm(HANG_SECONDS);
    say_one();
    alarm(0);
    assert_int_equal(tcflow(s, TCOON), 0);
    say_three();
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_init(persona, threshold, 0, json);
    read_now(m, captured, sizeof captured);
    close(s);
    close(m);
    assert_true(strncmp(captured, "podinit: 1 log lines dropped\npodinit: ", 38) == 0);
    assert_non_null(strstr(captured, " warn: three\n"));
}

/* No way to reopen (here EMFILE; as a user who does not own the pipe,
 * EACCES): a pipe is written with RWF_NOWAIT, a FIFO (which has no
 * RWF_NOWAIT) only when poll(2) finds room. Neither waits when full. */
static void without_a_reopen_a_full_pipe_still_drops(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    for (int fifo = 0; fifo <= 1; fifo++) {
        const char *out = dropped_on_full_pipe(STDERR_FILENO, fifo, true);
        assert_true(strncmp(out, "podinit: 2 log lines dropped\npodinit: ", 38) == 0);
        assert_non_null(strstr(out, " warn: three\n"));
    }
}

/* A FIFO, reopened: the FIFOs of a Kubernetes or Docker log pipeline. */
static void a_full_fifo_drops_and_counts(void **state) {
    (void)state;
    use(PERSONA_PODINIT, LOG_INFO, false);
    const char *out = dropped_on_full_pipe(STDERR_FILENO, true, false);
    assert_true(strncmp(out, "podinit: 2 log lines dropped\npodinit: ", 38) == 0);
    assert_non_null(strstr(out, " warn: three\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_lines_escape_everything),
        cmocka_unit_test(json_lines_replace_invalid_utf8),
        cmocka_unit_test(json_lines_escape_controls_and_line_separators),
        cmocka_unit_test(json_lines_are_bounded_and_still_closed),
        cmocka_unit_test(json_lines_cut_between_unicode_escapes),
        cmocka_unit_test(json_cuts_never_split_a_character),
        cmocka_unit_test(json_message_cut_drops_the_split_character),
        cmocka_unit_test(levels_and_persona_prefixes),
        cmocka_unit_test(a_full_pipe_drops_and_counts),
        cmocka_unit_test(a_full_pipe_drops_and_counts_in_json),
        cmocka_unit_test(a_full_stdout_pipe_in_the_tini_persona),
        cmocka_unit_test(the_reopened_fd_is_cloexec_and_not_standard),
        cmocka_unit_test(a_closed_stderr_stays_unwritten),
        cmocka_unit_test(a_partial_write_is_finished_first),
        cmocka_unit_test(a_full_socket_drops_and_counts),
        cmocka_unit_test(a_stopped_terminal_drops_and_counts),
        cmocka_unit_test(a_full_fifo_drops_and_counts),
        cmocka_unit_test(without_a_reopen_a_full_pipe_still_drops),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
