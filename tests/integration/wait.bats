#!/usr/bin/env bats
# `podinit --wait URL [--timeout S]`: the probe client's check, retried
# until it succeeds (0) or the time is up (1, one line naming the last
# error); bad input exits 2. Names are resolved through /etc/hosts: each
# test that needs one runs in a mount namespace of its own (`unshare
# --mount`) with a temporary hosts file bound over /etc/hosts there, so the
# real one is never touched.

bats_require_minimum_version 1.5.0
load common

NAME=db.podinit-wait.test

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    ERR="$BATS_TEST_TMPDIR/err"
    HOSTS="$BATS_TEST_TMPDIR/hosts"
    NSS="$BATS_TEST_TMPDIR/nsswitch.conf"
    GO="$BATS_TEST_TMPDIR/go"
    SRV_LOG="$BATS_TEST_TMPDIR/server"
    printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$NAME" >"$HOSTS"
    # glibc: names from the hosts file only, so a missing name fails at
    # once and the same way on any machine (musl reads no nsswitch.conf)
    printf 'hosts: files\n' >"$NSS"
    SRV="" WAITER=""
}

teardown() {
    [ -z "$SRV" ] || kill "$SRV" 2>/dev/null || true
    [ -z "$WAITER" ] || kill "$WAITER" 2>/dev/null || true
}

# Run BIN ARGS... in a mount namespace of its own where $HOSTS is
# /etc/hosts and $NSS /etc/nsswitch.conf, bounded by $T.
with_hosts() {
    timeout "$T" unshare --mount sh -c \
        'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && shift 2 &&
         exec "$@"' sh "$HOSTS" "$NSS" "$@"
}

# A TCP port that refuses connections until $GO exists, then listens (a
# database that comes up later). It holds the port from the start (bound,
# not listening: a connect is refused), so no one else can take it. Sets
# SRV and PORT.
start_late_listener() {
    timeout "$T" python3 -c '
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
s.listen(16)
print("listening", flush=True)
while True:
    s.accept()[0].close()
' "$GO" >"$SRV_LOG" &
    SRV=$!
    wait_for_line "$SRV_LOG" '^[0-9]+$'
    PORT=$(head -n1 "$SRV_LOG")
}

# An HTTP server that answers 503 until $GO exists, then 200; each request
# is logged as "CODE PATH HOST". Sets SRV and PORT.
start_late_http() {
    timeout "$T" python3 -c '
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if os.path.exists(sys.argv[1]) else 503
        with open(sys.argv[2], "a") as f:
            f.write("%d %s %s\n" % (code, self.path, self.headers.get("Host")))
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
' "$GO" "$BATS_TEST_TMPDIR/requests" >"$SRV_LOG" &
    SRV=$!
    wait_for_line "$SRV_LOG" '^[0-9]+$'
    PORT=$(head -n1 "$SRV_LOG")
}

# Wait for the background waiter; sets STATUS.
finish_waiter() {
    STATUS=0
    wait "$WAITER" || STATUS=$?
    WAITER=""
}

# (a) and (e): --wait tcp://NAME:PORT with NAME from /etc/hosts, on a
# listener that appears a second after the wait began.
wait_for_late_listener() {
    local bin=$1
    start_late_listener
    with_hosts "$bin" --wait "tcp://$NAME:$PORT" --timeout 20 >"$OUT" 2>"$ERR" &
    WAITER=$!
    sleep 1
    : >"$GO" # the listener comes up now, after the wait began
    finish_waiter
    [ "$STATUS" -eq 0 ] || { cat "$OUT" "$ERR" >&2; false; }
    grep -q '^listening$' "$SRV_LOG"
    [[ "$(cat "$OUT")" =~ ^"podinit: --wait tcp://$NAME:$PORT: connected after "[0-9.]+s$ ]]
    [ ! -s "$ERR" ]
    not grep -q "$NAME" /etc/hosts # the real one was not touched
}

@test "--wait tcp://NAME:PORT, NAME from /etc/hosts: succeeds on a listener that appears later" {
    require_root
    wait_for_late_listener "$PODINIT"
}

@test "--wait http://NAME:PORT/PATH: retries through 503 until 200; the Host header names the name" {
    require_root
    start_late_http
    with_hosts "$PODINIT" --wait "http://$NAME:$PORT/ready" --timeout 20 >"$OUT" 2>"$ERR" &
    WAITER=$!
    wait_for_line "$BATS_TEST_TMPDIR/requests" '^503 ' # it got a 503 and goes on
    : >"$GO"
    finish_waiter
    [ "$STATUS" -eq 0 ] || { cat "$OUT" "$ERR" >&2; false; }
    [[ "$(cat "$OUT")" =~ ^"podinit: --wait http://$NAME:$PORT/ready: HTTP 200 after "[0-9.]+s$ ]]
    [ ! -s "$ERR" ]
    # every request was for the path, with the name in Host; 503s, then one 200
    run -0 cat "$BATS_TEST_TMPDIR/requests"
    [ "${lines[-1]}" = "200 /ready $NAME:$PORT" ]
    for l in "${lines[@]:0:${#lines[@]}-1}"; do [ "$l" = "503 /ready $NAME:$PORT" ]; done
    # --probe takes names too, and says the status
    run --separate-stderr with_hosts "$PODINIT" --probe "http://$NAME:$PORT/ready"
    [ "$status" -eq 0 ]
    [ "$output" = "podinit: probe http://$NAME:$PORT/ready: HTTP 200" ]
}

@test "--wait retries a name that does not resolve yet: it succeeds once /etc/hosts has it" {
    require_root
    start_late_listener
    : >"$GO"
    wait_for_line "$SRV_LOG" '^listening$'
    printf '127.0.0.1 localhost\n' >"$HOSTS"
    with_hosts "$PODINIT" --wait "tcp://$NAME:$PORT" --timeout 20 >"$OUT" 2>"$ERR" &
    WAITER=$!
    sleep 1
    # in place (the same file is bound over /etc/hosts): DNS comes up late
    printf '127.0.0.1 %s\n' "$NAME" >>"$HOSTS"
    finish_waiter
    [ "$STATUS" -eq 0 ] || { cat "$OUT" "$ERR" >&2; false; }
    grep -q "connected after" "$OUT"
}

@test "--wait times out: exit 1, one line with the last error, well within a generous bound" {
    start_late_listener # bound, never listening: every connect is refused
    start=$(date +%s%N)
    run --separate-stderr -1 timeout "$T" "$PODINIT" --wait "tcp://127.0.0.1:$PORT" --timeout 1
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$stderr" = "podinit: --wait tcp://127.0.0.1:$PORT: timed out after 1s: Connection refused" ]
    [ -z "$output" ]
    [ "$elapsed_ms" -ge 1000 ] # it waited the whole second, and then
    [ "$elapsed_ms" -lt 5000 ] # gave up: it did not hang
    # http://, a fraction of a second, a server that answers 503 throughout
    start_late_http
    run --separate-stderr -1 timeout "$T" "$PODINIT" --wait "http://localhost:$PORT/" --timeout 1.5
    [ "$stderr" = "podinit: --wait http://localhost:$PORT/: timed out after 1.5s: HTTP 503 (not 2xx or 3xx)" ]
    # not a busy loop: a check every 250 ms, so at most 7 in 1.5 s (a busy
    # loop makes hundreds)
    n=$(wc -l <"$BATS_TEST_TMPDIR/requests")
    [ "$n" -ge 1 ] && [ "$n" -le 7 ] || { echo "$n requests in 1.5 s" >&2; false; }
    # --timeout 0: one check
    run --separate-stderr -1 timeout "$T" "$PODINIT" --wait "http://127.0.0.1:$PORT/x" --timeout 0
    [ "$stderr" = "podinit: --wait http://127.0.0.1:$PORT/x: HTTP 503 (not 2xx or 3xx) (--timeout 0: one check)" ]
    [ "$(wc -l <"$BATS_TEST_TMPDIR/requests")" -eq $((n + 1)) ]
}

@test "--wait on a name that never resolves: exit 1 after the timeout, naming the name's error" {
    require_root
    bad=nosuch.podinit-wait.invalid
    start=$(date +%s%N)
    run --separate-stderr -1 with_hosts "$PODINIT" --wait "tcp://$bad:5432" --timeout 1
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "${#stderr_lines[@]}" -eq 1 ]
    # glibc's words for a name the hosts file lacks
    [ "$stderr" = "podinit: --wait tcp://$bad:5432: timed out after 1s: $bad: Name or service not known" ]
    [ "$elapsed_ms" -ge 1000 ]
    [ "$elapsed_ms" -lt 5000 ]
    # --probe: the same reason, once, exit 1
    run --separate-stderr -1 with_hosts "$PODINIT" --probe "http://$bad/"
    [ "$stderr" = "podinit: probe http://$bad/: $bad: Name or service not known" ]
}

@test "--wait as an init task of podinit as PID 1: the app starts once the dependency is up" {
    require_root
    start_late_listener
    write_config <<EOF
{"initProcesses": [{"name": "wait-db",
                    "command": ["$PODINIT", "--wait", "tcp://$NAME:$PORT", "--timeout", "20"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "echo app up; exit 7"]}]}
EOF
    timeout "$T" unshare --mount --pid --fork --mount-proc --kill-child sh -c \
        'mount --bind "$1" /etc/hosts && exec "$2" --config "$3"' sh "$HOSTS" "$PODINIT" "$CFG" \
        >"$OUT" 2>"$ERR" &
    WAITER=$!
    sleep 1
    not grep -q 'app up' "$OUT" # still waiting for the database
    : >"$GO"
    finish_waiter
    [ "$STATUS" -eq 7 ] || { cat "$OUT" "$ERR" >&2; false; } # the app's status
    grep -q "podinit: --wait tcp://$NAME:$PORT: connected after" "$OUT"
    grep -q '^app up$' "$OUT"
}

# The musl build, as in a FROM scratch image: make static if it is not
# built (or older than the glibc build), skip if that cannot be done here.
static_build() {
    STATIC="$B/podinit-static"
    if [ ! -x "$STATIC" ] || [ "$PODINIT" -nt "$STATIC" ]; then
        timeout 300 make -s -C "$BATS_TEST_DIRNAME/../.." BUILD="$B" static >/dev/null 2>&1 ||
            skip "$STATIC is not built and 'make static' failed here (no musl-gcc?)"
    fi
}

@test "the static (musl) build resolves names through /etc/hosts too, and names a missing one" {
    require_root
    static_build
    wait_for_late_listener "$STATIC"
    bad=nosuch.podinit-wait.invalid
    run --separate-stderr -1 with_hosts "$STATIC" --wait "tcp://$bad:5432" --timeout 1
    [ "${#stderr_lines[@]}" -eq 1 ]
    # musl's words when its DNS servers say no, or ours when none answers
    [[ "$stderr" =~ ^"podinit: --wait tcp://$bad:5432: timed out after 1s: $bad: "(Name\ does\ not\ resolve|no\ answer\ from\ the\ resolver\ in\ time|Name\ could\ not\ be\ resolved\ at\ this\ time)$ ]]
}

@test "--wait bad input: one line each, exit 2, nothing tried" {
    while IFS='|' read -r args expected; do
        eval "set -- $args"
        run --separate-stderr timeout "$T" "$PODINIT" "$@"
        [ "$status" -eq 2 ] || { echo "$args: status $status: $stderr" >&2; false; }
        [[ "${stderr_lines[0]}" == "$expected"* ]] || { echo "$args: $stderr" >&2; false; }
        [ -z "$output" ]
    done <<'EOF'
--wait|podinit: option '--wait' needs a value
--wait ''|podinit: --wait : takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT
--wait ftp://db/|podinit: --wait ftp://db/: takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT
--wait https://db/|podinit: --wait https://db/: takes http://HOST[:PORT][/PATH] or tcp://HOST:PORT (https is not supported)
--wait tcp://db|podinit: --wait tcp://db: tcp:// takes HOST:PORT and nothing else
--wait tcp://db:0|podinit: --wait tcp://db:0: the port must be a number from 1 to 65535
--wait tcp://db:65536|podinit: --wait tcp://db:65536: the port must be a number from 1 to 65535
--wait tcp://db:5432 --timeout -1|podinit: --timeout takes seconds (a decimal number >= 0, at most a year), got '-1'
--wait tcp://db:5432 --timeout soon|podinit: --timeout takes seconds (a decimal number >= 0, at most a year), got 'soon'
--wait tcp://db:5432 --timeout 99999999999|podinit: --timeout takes seconds (a decimal number >= 0, at most a year), got '99999999999'
--timeout 1e3 --wait tcp://db:5432|podinit: --timeout takes seconds (a decimal number >= 0, at most a year), got '1e3'
--wait tcp://db:5432 --timeout|podinit: option '--timeout' needs a value
--wait tcp://db:5432 true|podinit: --wait runs no program, but 'true' was given
--wait tcp://db:5432 -- sh -c 'exit 0'|podinit: --wait runs no program, but 'sh' was given
--wait tcp://db:5432 --wait tcp://cache:6379|podinit: --wait takes one URL
--timeout 5 true|podinit: --timeout and --header go with --probe URL or --wait URL
EOF
    # with --probe: refused, with --probe's code (1: Docker's HEALTHCHECK reserves 2)
    run --separate-stderr -1 "$PODINIT" --wait tcp://db:5432 --probe http://127.0.0.1/
    [ "${stderr_lines[0]}" = "podinit: --wait and --probe do not go together: give one" ]
    # the personas have no --wait, as they have no --probe: their own words and code
    for p in tini dumb-init catatonit; do
        run --separate-stderr "$B/$p" --wait tcp://db:5432
        [[ "$stderr" == *"'--wait'"* ]] || { echo "$p: $stderr" >&2; false; }
        want=$status
        run --separate-stderr "$B/$p" --probe tcp://db:5432
        [ "$status" -eq "$want" ]
        [ "$status" -ne 0 ]
        [[ "$stderr" == *"'--probe'"* ]]
    done
}
