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

@test "--probe against a name that does not resolve: 1, naming it; bad URLs: 1 with the reason" {
    # the resolver's own words vary (and wait.bats pins them with its own
    # hosts file): one line that names the name, within the 1 s default
    run --separate-stderr -1 timeout 10 "$PODINIT" --probe "http://no-such-host.invalid:80/"
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == "podinit: probe http://no-such-host.invalid:80/: no-such-host.invalid: "* ]]
    run --separate-stderr -1 "$PODINIT" --probe "https://127.0.0.1/"
    [[ "$stderr" == *"https is not supported"* ]]
    # --timeout or --header without --probe starts nothing: a usage error of podinit
    run -2 "$PODINIT" --timeout 1 true
}

@test "--probe usage errors exit 1, the first line naming the error, never 2 (Docker's HEALTHCHECK reserves 2)" {
    url=http://127.0.0.1:1/
    headers=()
    for i in $(seq 17); do headers+=(--header "X-$i: v"); done
    while IFS='|' read -r args expected; do
        eval "set -- $args"
        run --separate-stderr timeout "$T" "$PODINIT" "$@"
        [ "$status" -eq 1 ] || { echo "$args: status $status: $stderr" >&2; false; }
        [[ "${stderr_lines[0]}" == "$expected"* ]] || { echo "$args: $stderr" >&2; false; }
        [ -z "$output" ]
    done <<EOF
--probe $url --timeout 0|podinit: --timeout takes seconds (a decimal number > 0, at most a year), got '0'
--timeout 0 --probe $url|podinit: --timeout takes seconds (a decimal number > 0, at most a year), got '0'
--probe $url --timeout soon|podinit: --timeout takes seconds
--probe $url --header novalue|podinit: --header takes Name:value, got 'novalue'
--probe $url --header ':v'|podinit: --header takes Name:value
--probe $url ${headers[*]@Q}|podinit: at most 16 --header options
--probe|podinit: option '--probe' needs a value
--probe $url --timeout|podinit: option '--timeout' needs a value
--probe $url --yolo|podinit: unknown option '--yolo'
--yolo --probe $url|podinit: unknown option '--yolo'
--probe $url -x|podinit: unknown option '-x'
--probe $url true|podinit: --probe runs no program, but 'true' was given
--probe ''|podinit: --probe : takes http://
--probe ftp://127.0.0.1/|podinit: --probe ftp://127.0.0.1/: takes http://
--probe http://127.0.0.1:99999/|podinit: --probe http://127.0.0.1:99999/: the port must be a number from 1 to 65535
EOF
    # headers too large for the request: refused, 1, before connecting
    big=$(printf '%0500d' 0)
    hs=()
    for i in $(seq 16); do hs+=(--header "X-$i: $big"); done
    run --separate-stderr timeout "$T" "$PODINIT" --probe "$url" "${hs[@]}"
    [ "$status" -eq 1 ]
    [ "$stderr" = "podinit: --header: the request would be larger than 8192 bytes" ]
    # PODINIT_* variables are for running programs: a bad one does not fail the probe
    start_app
    run --separate-stderr env PODINIT_GRACE_PERIOD=soon PODINIT_STOP_SIGNALS=KILL \
        "$PODINIT" --probe "http://127.0.0.1:$PORT/"
    [ "$status" -eq 0 ]
}
