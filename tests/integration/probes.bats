#!/usr/bin/env bats
# Readiness, liveness and startup probes of the process, podinit as PID 1:
# Kubernetes' thresholds, the health endpoint reporting them, and a probe
# target that hangs never stalling the loop.

bats_require_minimum_version 1.5.0
load common

probe() { "$PODINIT" --probe "http://127.0.0.1:$PORT$1" 2>&1; }

# Wait (bounded) until GET $1 on the health endpoint answers HTTP $2.
wait_for_http() {
    for _ in $(seq 500); do
        [[ "$(probe "$1")" == *"HTTP $2"* ]] && return 0
        sleep 0.02
    done
    echo "$1 never answered $2: $(probe "$1")" >&2
    return 1
}

@test "a failing readiness probe turns /readyz 503, and back to 200 when it passes" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/ready-flag"
    touch "$F"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"exec": {"command": ["test", "-f", "$F"]},
                      "periodSeconds": 0.2, "failureThreshold": 2}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_http /readyz 200
    rm "$F"
    wait_for_http /readyz 503
    wait_for_line "$ERR" 'readiness probe failing \(exit status 1\): not ready'
    [[ "$(probe /livez)" == *"HTTP 200" ]] # not ready is not dead: nothing restarted
    touch "$F"
    wait_for_http /readyz 200
    kill -TERM "$INIT"
    wait "$JOB"
    [ "$(grep -c '^15$' "$OUT")" = "1" ] # the app got only the stop signal
}

@test "a liveness probe that starts failing stops the process (restartPolicy Never)" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/alive-flag"
    touch "$F"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "preStopDelaySeconds": 5,
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "livenessProbe": {"exec": {"command": ["test", "-f", "$F"]},
                     "periodSeconds": 0.2, "failureThreshold": 3}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'liveness probe passing'
    rm "$F"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # the app's status: it exits 0 on its SIGTERM
    grep -q '^15$' "$OUT"
    grep -q 'liveness probe failed (exit status 1): stopping the process' "$ERR"
    not grep -q 'SIGTERM received' "$ERR" # no drain: nobody asked podinit to stop
}

@test "a startup probe gates the others; past its threshold it stops the process" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/started-flag"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "startupProbe": {"exec": {"command": ["test", "-f", "$F"]},
                    "periodSeconds": 0.2, "failureThreshold": 15},
   "readinessProbe": {"tcpSocket": {"port": $PORT}, "periodSeconds": 0.2}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    [[ "$(probe /startupz)" == *"HTTP 503"* ]]
    [[ "$(probe /readyz)" == *"HTTP 503"* ]]
    not grep -q 'readiness probe' "$ERR" # not started before the startup probe passes
    touch "$F"
    wait_for_http /startupz 200
    wait_for_http /readyz 200
    [ "$(line_no 'startup probe passing')" -lt "$(line_no 'readiness probe passing')" ]
    kill -TERM "$INIT"
    wait "$JOB"

    # never started: stopped once failureThreshold checks have failed
    rm -f "$F"
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$OUT"
    grep -q 'startup probe failed (exit status 1): stopping the process' "$ERR"
}

@test "a probe target that answers garbage is a failure, said so" {
    require_root
    "$H/httpapp" 0 - --garbage >"$BATS_TEST_TMPDIR/app" &
    app=$!
    wait_for_line "$BATS_TEST_TMPDIR/app" '^ready'
    junk=$(ready_pid "$BATS_TEST_TMPDIR/app")
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"httpGet": {"port": $junk}, "periodSeconds": 0.2, "failureThreshold": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'readiness probe failing \(not an HTTP answer\)'
    kill -TERM "$INIT"
    wait "$JOB"
    kill "$app"
}

@test "probe targets that hang or refuse are failures, never a stall" {
    require_root
    PORT=$(free_port)
    "$H/httpapp" 0 - --mute >"$BATS_TEST_TMPDIR/app" &
    app=$!
    wait_for_line "$BATS_TEST_TMPDIR/app" '^ready'
    mute=$(ready_pid "$BATS_TEST_TMPDIR/app")
    closed=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"httpGet": {"port": $mute, "path": "/hang"},
                      "periodSeconds": 0.3, "timeoutSeconds": 0.5, "failureThreshold": 1},
   "livenessProbe": {"httpGet": {"port": $closed}, "periodSeconds": 0.3,
                     "failureThreshold": 1000}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'readiness probe failing \(timed out\)'
    for s in USR1 USR2 HUP; do kill -"$s" "$INIT"; done
    wait_for_count "$OUT" '^(10|12|1)$' 3 # forwarded while the checks hang
    [[ "$(probe /livez)" == *"HTTP 200" ]] # refused checks below the threshold
    kill -TERM "$INIT"
    wait "$JOB"
    kill "$app"
}

line_no() { grep -nE "$1" "$ERR" | head -n1 | cut -d: -f1; }

@test "an exec probe killed at its timeout is still podinit's own child when reaped: never an orphan warning" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"exec": {"command": ["sleep", "5"]}, "periodSeconds": 0.3,
                      "timeoutSeconds": 0.2}}]}
EOF
    start_pid1 "$PODINIT" -w --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'readiness probe failing \(timed out\)'
    sleep 1 # a few more periods: each check is killed at its timeout, then reaped
    kill -TERM "$INIT"
    wait "$JOB"
    not grep 'orphan' "$ERR"
}
