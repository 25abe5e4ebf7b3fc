#!/usr/bin/env bats
# Several processes in one container, podinit as PID 1: each in its own
# process group, stopped together, signals forwarded to each (after its own
# rewrite), and the container's exit decided by the one that ended it.

bats_require_minimum_version 1.5.0
load common

@test "two processes: one exits (restartPolicy Never), the other gets its stop signal; podinit exits with the first one's code" {
    require_root
    S="$BATS_TEST_TMPDIR/sidecar"
    write_config <<EOF
{"processes": [
  {"name": "job", "command": ["sh", "-c", "sleep 0.5; exit 7"]},
  {"name": "sidecar", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $S", "$H/sigrecv"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 7 ]
    grep -q '^ready' "$S"
    grep -q '^15$' "$S"
    grep -q 'sidecar: stopping: SIGTERM to process group' "$ERR"
    # each ran in its own process group
    [ "$(grep -c 'started ".*" as pid' "$ERR")" -eq 2 ]
}

@test "Always: one process restarts with growing delays while the other keeps running" {
    require_root
    PORT=$(free_port)
    S="$BATS_TEST_TMPDIR/main"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [
  {"name": "main", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $S", "$H/sigrecv"]},
  {"name": "flaky", "command": ["sh", "-c", "sleep 0.05; exit 3"], "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 0.2, "maxSeconds": 5}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$S" '^ready'
    main=$(ready_pid "$S")
    wait_for_line "$ERR" 'restart 3 in 0.800s'
    body=$(status_json)
    [[ "$body" == *'{"name":"main","kind":"process","state":"RUNNING","pid":'"$main"',"running":true,"ready":true,"restarts":0,"lastExit":null}'* ]]
    [[ "$body" =~ \"name\":\"flaky\",[^}]*\"restarts\":([0-9]+) ]]
    [ "${BASH_REMATCH[1]}" -ge 2 ]
    run grep -oE 'restart [0-9]+ in [0-9.]+s' "$ERR"
    [ "${lines[0]}" = "restart 1 in 0.200s" ] && [ "${lines[1]}" = "restart 2 in 0.400s" ]
    kill -TERM "$INIT"
    wait "$JOB" # processes[0]'s status on an external stop: 0
    grep -q '^15$' "$S"
}

@test "forwarded signals reach every process, except where its rewrite drops them" {
    require_root
    A="$BATS_TEST_TMPDIR/a" B="$BATS_TEST_TMPDIR/b"
    write_config <<EOF
{"processes": [
  {"name": "a", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $A", "$H/sigrecv"]},
  {"name": "b", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $B", "$H/sigrecv"],
   "signalRewrite": {"SIGUSR1": 0}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    wait_for_line "$B" '^ready'
    kill -USR1 "$INIT"
    kill -HUP "$INIT"
    wait_for_line "$A" '^1$'
    wait_for_line "$B" '^1$'
    kill -TERM "$INIT"
    wait "$JOB"
    run cat "$A"
    [ "${lines[1]}" = "10" ] && [ "${lines[2]}" = "1" ] && [ "${lines[3]}" = "15" ]
    run cat "$B"
    [ "${lines[1]}" = "1" ] && [ "${lines[2]}" = "15" ] && [ "${#lines[@]}" -eq 3 ]
}

@test "a stop signal: every process gets its stop signal after the drain; the grace covers them all" {
    require_root
    A="$BATS_TEST_TMPDIR/a" B="$BATS_TEST_TMPDIR/b"
    write_config <<EOF
{"preStopDelaySeconds": 0.5, "terminationGracePeriodSeconds": 1.5,
 "processes": [
  {"name": "a", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $A", "$H/sigrecv"]},
  {"name": "stubborn", "command": ["sh", "-c", "exec \"\$0\" > $B", "$H/sigrecv"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    wait_for_line "$B" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$ERR" 'shutting down'
    [ "$(grep -c '^15$' "$A" "$B" | awk -F: '{s += $2} END {print s}')" = "0" ] # drain: none yet
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # processes[0]'s status: it stopped cleanly
    grep -q '^15$' "$A"
    grep -q '^15$' "$B" # got it too, ignored it ...
    grep -q 'grace period over: SIGKILL to everything left' "$ERR" # ... and was killed
    [ "$(grep -c 'SIGTERM received' "$ERR")" -eq 1 ]
}

@test "a second process that cannot start: one line, exit 127, the first one is not left running" {
    write_config <<EOF
{"processes": [
  {"name": "a", "command": ["sleep", "30"]},
  {"name": "b", "command": ["/nonexistent/program"]}]}
EOF
    # as a subreaper, where nothing else would clean up after it
    run -127 timeout "$T" "$PODINIT" --config "$CFG"
    [[ "$output" == *'exec "/nonexistent/program": No such file or directory'* ]]
    pid=$(echo "$output" | sed -n 's/.*started "sleep" as pid \([0-9]*\).*/\1/p')
    [ -n "$pid" ]
    for _ in $(seq 200); do
        [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = "Z" ] && break
        sleep 0.01
    done
    [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = "Z" ]
}

@test "a process that exits during the drain does not cut the others' drain short" {
    require_root
    W="$BATS_TEST_TMPDIR/g" GO="$BATS_TEST_TMPDIR/go"
    write_config <<EOF
{"preStopDelaySeconds": 3,
 "processes": [
  {"name": "web", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $W", "$H/sigrecv"]},
  {"name": "job", "command": ["sh", "-c", "until [ -e $GO ]; do sleep 0.02; done"]}]}
EOF
    start_pid1 "$PODINIT" -v --config "$CFG"
    wait_for_line "$W" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$ERR" 'SIGTERM received'
    touch "$GO" # job ends on its own during the drain
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # web's status (processes[0]) on an external stop
    grep -q '^15$' "$W"
    # web kept serving for the whole drain: its stop signal came 3 s after SIGTERM
    at_least_apart "$(log_time "$ERR" 'web: stopping: SIGTERM')" "$(log_time "$ERR" 'SIGTERM received')" 2950
    # and job did end during the drain, before web was stopped
    job=$(sed -n 's/.*started "sh" as pid \([0-9]*\)$/\1/p' "$ERR" | sed -n 2p)
    reaped=$(grep -n "reaped pid $job " "$ERR" | cut -d: -f1)
    stopped=$(grep -n 'web: stopping: SIGTERM' "$ERR" | cut -d: -f1)
    [ -n "$reaped" ] && [ "$reaped" -lt "$stopped" ]
    not grep -q 'to everything left' "$ERR"
}

@test "a process waiting in back-off does not cut the others' drain short" {
    require_root
    W="$BATS_TEST_TMPDIR/g"
    write_config <<EOF
{"preStopDelaySeconds": 3,
 "processes": [
  {"name": "web", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $W", "$H/sigrecv"]},
  {"name": "job", "command": ["sh", "-c", "exit 1"], "restartPolicy": "OnFailure",
   "restartBackoff": {"initialSeconds": 60}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$W" '^ready'
    wait_for_line "$ERR" 'restart 1 in 60.000s'
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$W"
    at_least_apart "$(log_time "$ERR" 'web: stopping: SIGTERM')" "$(log_time "$ERR" 'SIGTERM received')" 2950
    not grep -q 'to everything left' "$ERR"
    not grep -q 'restarting "job"' "$ERR"
}
