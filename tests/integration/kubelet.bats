#!/usr/bin/env bats
# Kubernetes fidelity, podinit as PID 1: what the kubelet does on a
# liveness failure (preStop, stop signal, the probe's own grace, restart),
# on a failed postStart under a restart policy, with lifecycle.stopSignal
# and an image's STOPSIGNAL, and its default back-off.

bats_require_minimum_version 1.5.0
load common

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    ERR="$BATS_TEST_TMPDIR/err"
    L="$BATS_TEST_TMPDIR/log"
}

probe() { "$PODINIT" --probe "http://127.0.0.1:$PORT$1" 2>&1; }

# Milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

@test "a liveness failure runs preStop, then the stop signal, then the restart" {
    require_root
    F="$BATS_TEST_TMPDIR/fail"
    write_config <<EOF
{"processes": [{"name": "web", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
  "command": ["sh", "-c", "trap 'echo term >>$L; kill \$! 2>/dev/null; exit 0' TERM; echo start >>$L; sleep 1000 & wait"],
  "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "rm -f $F; echo prestop >>$L"]}}},
  "livenessProbe": {"exec": {"command": ["test", "!", "-f", "$F"]}, "periodSeconds": 0.2, "failureThreshold": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^start'
    touch "$F"
    wait_for_count "$L" '^start' 2
    [ "$(head -n4 "$L" | tr '\n' ' ')" = "start prestop term start " ]
    grep -q 'liveness probe failed' "$ERR"
    grep -q 'preStop hook: exec' "$ERR"
    not grep -q 'SIGTERM received' "$ERR" # nobody asked podinit to stop
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "a TERM-ignoring app under a liveness probe with terminationGracePeriodSeconds 1 is killed and restarted in seconds, the pod's grace 30" {
    require_root
    F="$BATS_TEST_TMPDIR/fail"
    write_config <<EOF
{"terminationGracePeriodSeconds": 30,
 "processes": [{"name": "stuck", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
  "command": ["sh", "-c", "rm -f $F; trap '' TERM; echo start >>$L; sleep 1000"],
  "livenessProbe": {"exec": {"command": ["test", "!", "-f", "$F"]}, "initialDelaySeconds": 0.5,
                    "periodSeconds": 0.2, "failureThreshold": 1, "terminationGracePeriodSeconds": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^start'
    sleep 0.6
    t0=$(now_ms)
    touch "$F"
    wait_for_count "$L" '^start' 2
    took=$(($(now_ms) - t0))
    echo "restarted after ${took}ms" >&2
    [ "$took" -ge 1000 ] && [ "$took" -lt 8000 ] # the probe's 1 s, not the pod's 30
    grep -q 'SIGKILL' "$ERR"
    kill -TERM "$INIT"
    wait "$JOB" || true
}

@test "--check shows a probe's terminationGracePeriodSeconds, and refuses it on a readiness probe" {
    write_config <<EOF
{"processes": [{"command": ["true"],
  "livenessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 3}}]}
EOF
    run -0 "$PODINIT" --check --config "$CFG"
    [[ "$output" == *'"terminationGracePeriodSeconds": 3'* ]]
    "$PODINIT" --check --config "$CFG" >"$BATS_TEST_TMPDIR/printed.json"
    run -0 "$PODINIT" --check --config "$BATS_TEST_TMPDIR/printed.json"
    write_config <<EOF
{"processes": [{"command": ["true"],
  "readinessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 3}}]}
EOF
    run -2 "$PODINIT" --check --config "$CFG"
    [[ "$output" == *'readinessProbe.terminationGracePeriodSeconds: is for liveness and startup probes'* ]]
}

@test "lifecycle.stopSignal SIGQUIT stops the app with QUIT; one different from stopSignal is an error" {
    require_root
    A="$BATS_TEST_TMPDIR/app"
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "exec \"\$0\" --exit-on 3 > $A", "$H/sigrecv"],
  "lifecycle": {"stopSignal": "SIGQUIT"}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    kill -TERM "$INIT"
    wait "$JOB"
    [ "$(sed -n 2p "$A")" = 3 ]
    run -0 "$PODINIT" --check --config "$CFG"
    [[ "$output" == *'"stopSignal": "SIGQUIT"'* ]]
    echo '{"processes": [{"command": ["true"], "stopSignal": "TERM", "lifecycle": {"stopSignal": "QUIT"}}]}' >"$CFG"
    run -2 "$PODINIT" --check --config "$CFG"
    [[ "$output" == *'processes[0].lifecycle.stopSignal: is SIGQUIT but stopSignal is SIGTERM: give one of them'* ]]
}

@test "the image's STOPSIGNAL (SIGQUIT) at PID 1 drains when a process stops with it: 503 at once, the app untouched for the delay" {
    require_root
    PORT=$(free_port)
    A="$BATS_TEST_TMPDIR/app" B="$BATS_TEST_TMPDIR/other"
    write_config <<EOF
{"preStopDelaySeconds": 2, "health": {"listen": "127.0.0.1:$PORT"},
 "processes": [
  {"name": "nginx", "command": ["sh", "-c", "exec \"\$0\" --exit-on 3 > $A", "$H/sigrecv"], "stopSignal": "SIGQUIT"},
  {"name": "other", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $B", "$H/sigrecv"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    wait_for_line "$B" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    [[ "$(probe /readyz)" == *"HTTP 200"* ]]
    t0=$(now_ms)
    kill -QUIT "$INIT"
    wait_for_line "$ERR" 'SIGQUIT received: shutting down'
    [[ "$(probe /readyz)" == *"HTTP 503"* ]]
    sleep 0.5
    [ "$(wc -l <"$A")" -eq 1 ] # the drain: nothing sent yet
    [ "$(wc -l <"$B")" -eq 1 ]
    rc=0
    wait "$JOB" || rc=$?
    took=$(($(now_ms) - t0))
    [ "$rc" -eq 0 ]
    [ "$took" -ge 1900 ]
    [ "$(sed -n 2p "$A")" = 3 ]  # its own stop signal
    [ "$(sed -n 2p "$B")" = 15 ] # the other: SIGTERM, not QUIT
}

@test "SIGQUIT that no process stops with is forwarded at once, as before" {
    require_root
    A="$BATS_TEST_TMPDIR/app"
    write_config <<EOF
{"preStopDelaySeconds": 5,
 "processes": [{"command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $A", "$H/sigrecv"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    kill -QUIT "$INIT"
    wait_for_line "$A" '^3$'
    not grep -q 'shutting down' "$ERR"
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "postStart failing once under Always: the process is stopped and restarted, the container lives on" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/once"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
  "command": ["sh", "-c", "trap 'echo term >>$L; kill \$! 2>/dev/null; exit 0' TERM; echo start >>$L; sleep 1000 & wait"],
  "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "[ -f $F ] || { i=0; until grep -q start $L || [ \$i -ge 500 ]; do sleep 0.01; i=\$((i+1)); done; touch $F; exit 1; }"]}}}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_count "$L" '^start' 2
    grep -q 'postStart hook failed' "$ERR"
    for _ in $(seq 250); do [[ "$(probe /readyz)" == *"HTTP 200"* ]] && break; sleep 0.02; done
    [[ "$(probe /readyz)" == *"HTTP 200"* ]]
    [[ "$(status_json)" == *'"restarts":1'* ]]
    [ "$(head -n3 "$L" | tr '\n' ' ')" = "start term start " ]
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # not 3: the restart policy took it
}

@test "postStart failing under Never still stops the container with 3" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["sleep", "100"], "lifecycle": {"postStart": {"exec": {"command": ["false"]}}}}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 3 ]
}

@test "--check shows the kubelet's back-off by default: 10, 300, 600" {
    run -0 "$PODINIT" --check -- true
    [[ "$output" == *'"initialSeconds": 10,'* ]]
    [[ "$output" == *'"maxSeconds": 300,'* ]]
    [[ "$output" == *'"resetAfterSeconds": 600'* ]]
}

@test "the termination message holds the cause and the code: an exit, a liveness failure, a grace expiry; no file, none written" {
    require_root
    M="$BATS_TEST_TMPDIR/termination-log"
    F="$BATS_TEST_TMPDIR/fail"
    : >"$M"
    write_config <<EOF
{"terminationMessagePath": "$M",
 "processes": [{"name": "web", "command": ["sh", "-c", "sleep 0.2; exit 3"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 3 ]
    [ "$(cat "$M")" = '"web" exited with status 3; exit code 3' ]

    write_config <<EOF
{"terminationMessagePath": "$M",
 "processes": [{"name": "web", "command": ["sleep", "100"],
  "livenessProbe": {"exec": {"command": ["test", "!", "-f", "$F"]}, "periodSeconds": 0.2, "failureThreshold": 1}}]}
EOF
    touch "$F"
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 143 ]
    [ "$(cat "$M")" = '"web" liveness probe failed, killed by SIGTERM; exit code 143' ]

    write_config <<EOF
{"terminationMessagePath": "$M", "terminationGracePeriodSeconds": 0.5,
 "processes": [{"name": "web", "command": ["sh", "-c", "trap '' TERM; echo up; sleep 100"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^up'
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ]
    [ "$(cat "$M")" = 'stopped by SIGTERM: "web" killed by SIGKILL; grace period expired: SIGKILL to everything left; exit code 137' ]

    # the default path is only written when it exists; a missing one is not created
    rm -f "$M"
    echo "{\"terminationMessagePath\": \"$M\", \"processes\": [{\"command\": [\"true\"]}]}" >"$CFG"
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR"
    [ ! -e "$M" ]
    not grep -q 'termination message' "$ERR"
    run -0 "$PODINIT" --check -- true
    [[ "$output" == *'"terminationMessagePath": "/dev/termination-log"'* ]]
    echo '{"terminationMessagePath": "relative/path"}' >"$CFG"
    run -2 "$PODINIT" --check --config "$CFG" -- true
    [[ "$output" == *'terminationMessagePath: must be an absolute path'* ]]
}
