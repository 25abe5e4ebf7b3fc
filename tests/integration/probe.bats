#!/usr/bin/env bats
# The probe client, `podinit --probe URL`: exit 0 on success, 1 on any
# failure with one line saying why (Docker's HEALTHCHECK reserves 2).

bats_require_minimum_version 1.5.0
load common

# Start helpers/httpapp with ARGS in the background; sets APP and PORT.
start_app() {
    "$H/httpapp" 0 - "$@" >"$BATS_TEST_TMPDIR/app" &
    APP=$!
    wait_for_line "$BATS_TEST_TMPDIR/app" '^ready'
    PORT=$(ready_pid "$BATS_TEST_TMPDIR/app")
}

teardown() {
    [ -z "${APP:-}" ] || kill "$APP" 2>/dev/null || true
}

@test "--probe http:// against a live server: 0 and the status (with a --header too)" {
    start_app
    run --separate-stderr "$PODINIT" --probe "http://127.0.0.1:$PORT/ready" --header "X-Probe: yes"
    [ "$status" -eq 0 ]
    [ "$output" = "podinit: probe http://127.0.0.1:$PORT/ready: HTTP 200" ]
    grep -q '^app: GET /ready$' "$BATS_TEST_TMPDIR/app"
    run -0 "$PODINIT" --probe "http://localhost:$PORT"
    run -0 "$PODINIT" --probe "tcp://127.0.0.1:$PORT"
}

@test "--probe against a dead server and a closed port: 1, connection refused" {
    start_app
    kill "$APP"
    wait "$APP" || true
    APP=""
    run --separate-stderr -1 "$PODINIT" --probe "http://127.0.0.1:$PORT/ready"
    [ "$stderr" = "podinit: probe http://127.0.0.1:$PORT/ready: Connection refused" ]
    run --separate-stderr -1 "$PODINIT" --probe "tcp://127.0.0.1:$PORT"
    [ "$stderr" = "podinit: probe tcp://127.0.0.1:$PORT: Connection refused" ]
}

@test "--probe with a timeout on a server that never answers: 1, timed out, on time" {
    start_app --mute
    start=$(date +%s%N)
    run --separate-stderr -1 timeout 10 "$PODINIT" --probe "http://127.0.0.1:$PORT/" --timeout 0.5
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$stderr" = "podinit: probe http://127.0.0.1:$PORT/: timed out" ]
    [ "$elapsed_ms" -lt 5000 ] # a generous bound: it gave up, it did not hang
}

@test "--probe against a host name: 1, it says podinit does no DNS; bad URLs: 1 with the reason" {
    run --separate-stderr -1 "$PODINIT" --probe "http://no-such-host.invalid:80/"
    [[ "$stderr" == *'"no-such-host.invalid" is not an IP address or localhost (podinit does no DNS)' ]]
    run --separate-stderr -1 "$PODINIT" --probe "https://127.0.0.1/"
    [[ "$stderr" == *"https is not supported"* ]]
    # flags that only make sense with --probe, and a program with it, are usage errors
    run -2 "$PODINIT" --timeout 1 true
    run -2 "$PODINIT" --probe http://127.0.0.1/ true
    run -2 "$PODINIT" --probe http://127.0.0.1/ --header novalue
}
