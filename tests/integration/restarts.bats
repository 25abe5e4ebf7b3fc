#!/usr/bin/env bats
# restartPolicy and its back-off, podinit as PID 1: restarts seen through
# /status and the log, liveness failures restarting the process, and no
# restart once a shutdown has begun.

bats_require_minimum_version 1.5.0
load common

# Wait (bounded) until /status shows at least N restarts.
wait_for_restarts() {
    for _ in $(seq 500); do
        [[ "$(status_json)" =~ \"restarts\":([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$1" ] && return 0
        sleep 0.02
    done
    echo "never $1 restarts: $(status_json)" >&2
    return 1
}

# Wait (bounded) until /status matches the glob pattern *$1*.
wait_for_status() {
    for _ in $(seq 500); do
        [[ "$(status_json)" == *$1* ]] && return 0
        sleep 0.02
    done
    echo "/status never matched $1: $(status_json)" >&2
    return 1
}

@test "Always: a crashing process is restarted with doubling delays; /status counts them" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "crashy",
   "command": ["sh", "-c", "trap 'exit 3' TERM; sleep 0.05; exit 3"],
   "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.2, "maxSeconds": 5}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'health endpoint on'
    wait_for_restarts 3
    # Stop it while it waits for restart 4 (1.6 s): the status is then its
    # last exit's, not a SIGTERM's (the trap covers a stop that lands late).
    wait_for_status '"state":"BACKOFF"'
    [[ "$(status_json)" == *'"name":"crashy"'*'"lastExit":3}'* ]]
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 3 ] # the last exit's status
    # the delays doubled, in order, and restarts followed them
    run grep -oE 'restart [0-9]+ in [0-9.]+s' "$ERR"
    [ "${lines[0]}" = "restart 1 in 0.200s" ]
    [ "${lines[1]}" = "restart 2 in 0.400s" ]
    [ "${lines[2]}" = "restart 3 in 0.800s" ]
    [ "$(grep -c 'restarting "crashy"' "$ERR")" -ge 3 ]
    not grep -q 'restarting "crashy"' <(sed -n '/SIGTERM received/,$p' "$ERR") # none after the stop
}

@test "OnFailure: a clean exit ends the container; Never: any exit does" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "exit 0"], "restartPolicy": "OnFailure"}]}
EOF
    run -0 pid1 "$PODINIT" --config "$CFG"
    [[ "$output" != *restarting* ]]
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "exit 5"]}]}
EOF
    run -5 pid1 "$PODINIT" --config "$CFG"
    [[ "$output" != *restarting* ]]
}

@test "a liveness probe that starts failing restarts the process (restartPolicy Always)" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/alive"
    touch "$F"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"], "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 0.1},
   "livenessProbe": {"exec": {"command": ["test", "-f", "$F"]}, "periodSeconds": 0.2,
                     "failureThreshold": 2}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    first=$(ready_pid "$OUT")
    wait_for_line "$ERR" 'liveness probe passing'
    rm "$F"
    wait_for_line "$ERR" 'liveness probe failed \(exit status 1\): stopping the process'
    touch "$F" # healthy again after the restart
    wait_for_restarts 1
    wait_for_count "$OUT" '^ready' 2
    second=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$OUT" | tail -n1)
    [ "$second" != "$first" ]
    [[ "$(status_json)" == *"\"pid\":$second,\"running\":true,\"ready\":true,\"restarts\":1"* ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "after a restart PID 1 is idle again: no wake-ups while the process runs" {
    require_root
    F="$BATS_TEST_TMPDIR/ran-once"
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "[ -e $F ] && exec sleep 30; touch $F; exit 1"],
   "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.2}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'restarting "main" \(restart 1\)'
    sleep 0.5 # the second run is in its sleep
    assert_idle "$INIT" 2 10
    not grep -q 'restart 2' "$ERR"
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ]
}

@test "a crash loop costs PID 1 next to nothing between restarts" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "sleep 0.1; exit 1"], "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 0.2, "maxSeconds": 0.2}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'restart 2 in'
    assert_idle "$INIT" 2 15 # about 7 restarts: a fork and an exec each
    wait_for_line "$ERR" "restart 9 in"
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    # its last exit's status, or SIGTERM's if the stop caught it running
    [ "$rc" -eq 1 ] || [ "$rc" -eq 143 ]
}

@test "after a liveness restart PID 1 is idle again" {
    require_root
    F="$BATS_TEST_TMPDIR/alive"
    touch "$F"
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"], "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 0.1},
   "livenessProbe": {"exec": {"command": ["test", "-f", "$F"]}, "periodSeconds": 0.5,
                     "failureThreshold": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'liveness probe passing'
    rm "$F"
    wait_for_line "$ERR" 'liveness probe failed'
    touch "$F"
    wait_for_count "$OUT" '^ready' 2
    wait_for_count "$ERR" 'liveness probe passing' 2
    # a probe every 0.5 s: a fork and an exec each, nothing in between
    assert_idle "$INIT" 2 10
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "backoffLimit 2 (Always): exactly three runs, then podinit exits with the last status" {
    require_root
    RUNS="$BATS_TEST_TMPDIR/runs"
    write_config <<EOF
{"processes": [{"name": "web", "command": ["sh", "-c", "echo run >> $RUNS; exit 3"],
   "restartPolicy": "Always", "backoffLimit": 2,
   "restartBackoff": {"initialSeconds": 0.05, "maxSeconds": 0.1}}]}
EOF
    run -3 pid1 "$PODINIT" --config "$CFG"
    [ "$(wc -l <"$RUNS")" -eq 3 ]
    [ "$(grep -c 'restarting "web"' <<<"$output")" -eq 2 ]
    [[ "$output" == *'"web" restarted 2 times without a run of 600s (backoffLimit 2): giving up, exit status 3'* ]]
    not grep -q 'restart 3 in' <<<"$output" # no restart announced after the give-up
    run -3 pid1 "$PODINIT" --config "$CFG" --log-format json
    grep '"event":"backoff_limit"' <<<"$output" | grep -q '"status":3'
}

@test "backoffLimit (OnFailure): the others are stopped and the last run's status comes out" {
    require_root
    RUNS="$BATS_TEST_TMPDIR/runs"
    EV="$BATS_TEST_TMPDIR/events"
    UP="$BATS_TEST_TMPDIR/app-up"
    # each run of the job fails with a status of its own, 11 then 12, once
    # the app has its trap (bounded wait)
    write_config <<EOF
{"processes": [
  {"name": "app", "command": ["sh", "-c",
     "trap 'echo app: TERM >> $EV; exit 0' TERM; touch $UP; sleep 30 & wait"]},
  {"name": "job", "command": ["sh", "-c",
     "for i in \$(seq 1000); do [ -e $UP ] && break; sleep 0.01; done; echo run >> $RUNS; exit \$((10 + \$(wc -l < $RUNS)))"],
   "restartPolicy": "OnFailure", "backoffLimit": 1,
   "restartBackoff": {"initialSeconds": 0.05, "resetAfterSeconds": 5}}]}
EOF
    run -12 pid1 "$PODINIT" --config "$CFG"
    [ "$(wc -l <"$RUNS")" -eq 2 ]
    [[ "$output" == *'"job" restarted 1 time without a run of 5s (backoffLimit 1): giving up, exit status 12'* ]]
    [ "$(cat "$EV")" = "app: TERM" ] # the app was asked to stop, once
}

@test "backoffLimit: a run of resetAfterSeconds starts the count over" {
    require_root
    RUNS="$BATS_TEST_TMPDIR/runs"
    # run 2 lasts past resetAfterSeconds (1 s): the count starts over at
    # its exit, so runs 3 and 4 are the two restarts in a row, 4 the last
    # (without the reset, run 3 would be the last)
    write_config <<EOF
{"processes": [{"command": ["sh", "-c",
     "echo run >> $RUNS; [ \$(wc -l < $RUNS) -eq 2 ] && sleep 2; exit 4"],
   "restartPolicy": "Always", "backoffLimit": 2,
   "restartBackoff": {"initialSeconds": 0.05, "maxSeconds": 0.1, "resetAfterSeconds": 1}}]}
EOF
    run -4 pid1 "$PODINIT" --config "$CFG"
    [ "$(wc -l <"$RUNS")" -eq 4 ]
    [[ "$output" == *'restarted 2 times without a run of 1s (backoffLimit 2): giving up, exit status 4'* ]]
}

@test "backoffLimit: --check prints it when set; a bad value is one line naming the key" {
    write_config <<EOF
{"processes": [{"command": ["app"], "restartPolicy": "Always", "backoffLimit": 6}]}
EOF
    run -0 --separate-stderr "$PODINIT" --check --config "$CFG"
    [[ "$output" == *'"backoffLimit": 6'* ]]
    write_config <<EOF
{"processes": [{"command": ["app"], "restartPolicy": "Always"}]}
EOF
    run -0 --separate-stderr "$PODINIT" --check --config "$CFG"
    [[ "$output" != *backoffLimit* ]] # 0, the default: no limit
    for bad in -1 1.5 '"3"' 1e9; do
        write_config <<EOF
{"processes": [{"command": ["app"], "restartPolicy": "Always", "backoffLimit": $bad}]}
EOF
        run -2 --separate-stderr "$PODINIT" --check --config "$CFG"
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ "$stderr" == "$CFG: processes[0].backoffLimit: must be "* ]]
    done
}
