#!/usr/bin/env bats
# initProcesses, podinit as PID 1: init tasks run one after another before
# the processes, sidecars (restartPolicy Always) start in order, each once
# started, and stop in reverse after the processes. Each process records
# what happens to it in one shared file, in the order it happens.

bats_require_minimum_version 1.5.0
load common

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    ERR="$BATS_TEST_TMPDIR/err"
    L="$BATS_TEST_TMPDIR/log"
    SVC="$BATS_TEST_TMPDIR/svc.sh"
    # svc.sh NAME [FLAG]: notes its start; with FLAG, a second later notes
    # it and creates FLAG (what a startup probe waits for); on SIGTERM it
    # takes 0.3 s, noting the signal and then its exit, so that whoever is
    # stopped after it is seen to wait for it.
    cat >"$SVC" <<EOF
name=\$1 flag=\${2:-}
trap 'echo "\$name term" >>"$L"; sleep 0.3; echo "\$name exit" >>"$L"; kill \$! 2>/dev/null; exit 0' TERM
echo "\$name start" >>"$L"
if [ -n "\$flag" ]; then sleep 1; echo "\$name flag" >>"$L"; : >"\$flag"; fi
sleep 1000 & wait
EOF
}

# The JSON for a process named $1 running svc.sh (more arguments: svc.sh's).
svc() {
    local name=$1
    shift
    printf '{"name": "%s", "command": ["sh", "%s", "%s"' "$name" "$SVC" "$name"
    for a in "$@"; do printf ', "%s"' "$a"; done
    printf ']'
}

# The lines of $L that are not starts, one string.
stops() { grep -v ' start$' "$L" | tr '\n' ' '; }

probe() { "$PODINIT" --probe "http://127.0.0.1:$PORT$1" 2>&1; }

@test "init tasks run in order, each to its end, before the app" {
    require_root
    write_config <<EOF
{"initProcesses": [
  {"name": "t1", "command": ["sh", "-c", "echo 't1 start' >>$L; sleep 0.5; echo 't1 end' >>$L"]},
  {"name": "t2", "command": ["sh", "-c", "echo 't2 start' >>$L"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "echo 'app start' >>$L"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(tr '\n' ' ' <"$L")" = "t1 start t1 end t2 start app start " ]
    [ "$(grep -c 'init task completed (status 0)' "$ERR")" -eq 2 ]
}

@test "a failing init task: nothing after it starts, podinit exits with its status" {
    require_root
    write_config <<EOF
{"initProcesses": [
  {"name": "t1", "command": ["sh", "-c", "echo 't1 start' >>$L"]},
  {"name": "t2", "command": ["sh", "-c", "echo 't2 start' >>$L; exit 7"]},
  {"name": "t3", "command": ["sh", "-c", "echo 't3 start' >>$L"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "echo 'app start' >>$L"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 7 ]
    [ "$(tr '\n' ' ' <"$L")" = "t1 start t2 start " ]
    grep -q 'main process exited with status 7; exiting with 7' "$ERR"
}

@test "an init task under OnFailure is retried with the back-off until it succeeds" {
    require_root
    C="$BATS_TEST_TMPDIR/count"
    write_config <<EOF
{"initProcesses": [
  {"name": "migrate", "restartPolicy": "OnFailure", "restartBackoff": {"initialSeconds": 0.1},
   "command": ["sh", "-c", "echo run >>$C; [ \$(wc -l <$C) -ge 3 ]"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "echo \"app start after \$(wc -l <$C)\" >>$L"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(wc -l <"$C")" -eq 3 ]
    [ "$(cat "$L")" = "app start after 3" ]
    grep -q '"migrate" exited (status 1): restart 2 in 0.200s' "$ERR"
}

@test "two sidecars start in order, each once its startup probe passes, the app after both" {
    require_root
    PORT=$(free_port)
    F1="$BATS_TEST_TMPDIR/flag1" F2="$BATS_TEST_TMPDIR/flag2"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "initProcesses": [
  $(svc side1 "$F1"), "restartPolicy": "Always",
   "startupProbe": {"exec": {"command": ["test", "-f", "$F1"]}, "periodSeconds": 0.2,
                    "failureThreshold": 50}},
  $(svc side2 "$F2"), "restartPolicy": "Always",
   "startupProbe": {"exec": {"command": ["test", "-f", "$F2"]}, "periodSeconds": 0.2,
                    "failureThreshold": 50}}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^side1 start'
    body=$(status_json) # side1 runs, not yet started: the others wait
    [[ "$body" == *'"name":"side1","kind":"sidecar","state":"RUNNING"'* ]]
    [[ "$body" == *'"name":"side2","kind":"sidecar","state":"WAITING"'* ]]
    wait_for_line "$L" '^app start'
    [ "$(tr '\n' ' ' <"$L")" = "side1 start side1 flag side2 start side2 flag app start " ]
    grep -q 'side2: startup probe passing' "$ERR"
    [ "$(grep -n 'side2: started' "$ERR" | cut -d: -f1)" -gt "$(grep -n 'side1: startup probe passing' "$ERR" | cut -d: -f1)" ]
    [[ "$(status_json)" == *'"name":"app","kind":"process","state":"RUNNING"'* ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "on SIGTERM the app stops first, then the sidecars in reverse, each after the one before has exited; exit 0" {
    require_root
    write_config <<EOF
{"initProcesses": [$(svc side1), "restartPolicy": "Always"}, $(svc side2), "restartPolicy": "Always"}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^app start'
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(stops)" = "app term app exit side2 term side2 exit side1 term side1 exit " ]
}

@test "the app ending by itself stops the sidecars in reverse, and its status is podinit's" {
    require_root
    write_config <<EOF
{"initProcesses": [$(svc side1), "restartPolicy": "Always"}, $(svc side2), "restartPolicy": "Always"}],
 "processes": [{"name": "app", "command": ["sh", "-c", "sleep 0.5; echo 'app exit' >>$L; exit 5"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 5 ]
    [ "$(stops)" = "app exit side2 term side2 exit side1 term side1 exit " ]
}

@test "a sidecar that ignores its stop holds the next until the one grace deadline; then SIGKILL for all" {
    require_root
    write_config <<EOF
{"terminationGracePeriodSeconds": 2,
 "initProcesses": [$(svc side1), "restartPolicy": "Always"},
  {"name": "stubborn", "restartPolicy": "Always",
   "command": ["sh", "-c", "trap 'echo stubborn term >>$L' TERM; echo 'stubborn start' >>$L; while :; do sleep 0.05; done"]}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^app start'
    start=$(date +%s%N)
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$rc" -eq 0 ] # the app's own status
    # side1 never had its turn: stubborn held it until the deadline
    [ "$(stops)" = "app term app exit stubborn term " ]
    grep -q 'grace period' "$ERR"
    [ "$elapsed_ms" -ge 1900 ] && [ "$elapsed_ms" -lt 10000 ]
}

@test "a crashing sidecar restarts while the app runs untouched" {
    require_root
    C="$BATS_TEST_TMPDIR/count" A="$BATS_TEST_TMPDIR/app"
    write_config <<EOF
{"initProcesses": [
  {"name": "flaky", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
   "command": ["sh", "-c", "echo run >>$C; sleep 0.2; exit 1"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "exec \"\$0\" --exit-on 15 > $A", "$H/sigrecv"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$A" '^ready'
    app=$(ready_pid "$A")
    wait_for_count "$C" '^run$' 3
    kill -0 "$app"
    [ "$(cat "$A")" = "ready $app" ] # no signal reached it
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$A"
    grep -q '"flaky" exited (status 1): restart 2' "$ERR"
}

@test "a sidecar's readiness counts in /readyz" {
    require_root
    PORT=$(free_port)
    R="$BATS_TEST_TMPDIR/ready"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "initProcesses": [$(svc proxy), "restartPolicy": "Always",
   "readinessProbe": {"exec": {"command": ["test", "-f", "$R"]}, "periodSeconds": 0.2}}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^app start'
    wait_for_line "$ERR" 'health endpoint on'
    sleep 0.5
    [[ "$(probe /readyz)" == *"HTTP 503"* ]]
    touch "$R"
    for _ in $(seq 250); do [[ "$(probe /readyz)" == *"HTTP 200"* ]] && break; sleep 0.02; done
    [[ "$(probe /readyz)" == *"HTTP 200"* ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/status shows an init task running and the app waiting, then the task completed" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/go"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "initProcesses": [{"name": "wait", "command": ["sh", "-c", "while [ ! -f $F ]; do sleep 0.05; done"]}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'health endpoint on'
    body=$(status_json)
    [[ "$body" == *'"name":"wait","kind":"init","state":"RUNNING"'* ]]
    [[ "$body" == *'"name":"app","kind":"process","state":"WAITING","pid":0,"running":false'* ]]
    [[ "$(probe /readyz)" == *"HTTP 503"* ]]
    touch "$F"
    wait_for_line "$L" '^app start'
    body=$(status_json)
    [[ "$body" == *'"name":"wait","kind":"init","state":"COMPLETED"'* ]]
    [[ "$body" == *'"name":"app","kind":"process","state":"RUNNING"'* ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "a stop during an init task: the app never starts, podinit exits with the task's status" {
    require_root
    write_config <<EOF
{"initProcesses": [{"name": "slow", "command": ["sh", "-c", "trap 'kill \$! 2>/dev/null; exit 9' TERM; echo 'slow start' >>$L; sleep 1000 & wait"]}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^slow start'
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 9 ]
    [ "$(cat "$L")" = "slow start" ]
}

@test "12 processes: 2 init tasks, 2 sidecars, 8 apps run; the sidecars stop last, in reverse" {
    require_root
    PORT=$(free_port)
    apps=""
    for i in 1 2 3 4 5 6 7 8; do apps="$apps${apps:+, }$(svc "app$i")}"; done
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "initProcesses": [
  {"name": "t1", "command": ["true"]}, {"name": "t2", "command": ["true"]},
  $(svc side1), "restartPolicy": "Always"}, $(svc side2), "restartPolicy": "Always"}],
 "processes": [$apps]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_count "$L" 'app[0-9] start$' 8
    body=$(status_json)
    [ "$(grep -o '"kind":"init","state":"COMPLETED"' <<<"$body" | wc -l)" -eq 2 ]
    [ "$(grep -o '"kind":"sidecar","state":"RUNNING"' <<<"$body" | wc -l)" -eq 2 ]
    [ "$(grep -o '"kind":"process","state":"RUNNING"' <<<"$body" | wc -l)" -eq 8 ]
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(grep -c 'app[0-9] exit$' "$L")" -eq 8 ]
    [ "$(grep -v ' start$' "$L" | tail -n4 | tr '\n' ' ')" = "side2 term side2 exit side1 term side1 exit " ]
}

@test "--check prints initProcesses before processes; bad lists are one clear line each" {
    write_config <<EOF
{"initProcesses": [{"name": "t", "command": ["true"]}, {"name": "s", "restartPolicy": "Always", "command": ["sleep", "9"]}],
 "processes": [{"name": "app", "command": ["true"]}]}
EOF
    run -0 "$PODINIT" --check --config "$CFG"
    init_at=$(grep -n '"initProcesses"' <<<"$output" | cut -d: -f1)
    procs_at=$(grep -n '"processes"' <<<"$output" | cut -d: -f1)
    [ -n "$init_at" ] && [ "$init_at" -lt "$procs_at" ]
    # a program after -- beside initProcesses needs no name
    echo '{"initProcesses": [{"name": "s", "restartPolicy": "Always", "command": ["sleep", "9"]}]}' >"$CFG"
    run -0 "$PODINIT" --check --config "$CFG" -- true

    bad() {
        echo "$1" >"$CFG"
        run -2 "$PODINIT" --check --config "$CFG"
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *"$2"* ]]
    }
    bad '{"initProcesses": [{"name": "a", "command": ["true"]}], "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses[0].name: "a" is the name of processes[0] too'
    bad '{"initProcesses": [{"name": "t", "command": ["true"], "readinessProbe": {"exec": {"command": ["true"]}}}], "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses[0].readinessProbe: an init task runs to completion'
    bad '{"initProcesses": [{"name": "t", "command": ["true"], "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}}], "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses[0].lifecycle'
    bad '{"initProcesses": [{"name": "t"}], "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses[0].command: no program to run'
    bad '{"initProcesses": [{"command": ["true"]}], "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses[0]: needs a "name"'
    bad '{"initProcesses": {"name": "t"}, "processes": [{"name": "a", "command": ["true"]}]}' \
        'initProcesses'
    many=$(for i in $(seq 60); do printf '{"name": "i%d", "command": ["true"]},' "$i"; done)
    bad "{\"initProcesses\": [${many%,}], \"processes\": [$(for i in 1 2 3 4 5; do printf '{"name": "p%d", "command": ["true"]}' "$i"; [ $i -lt 5 ] && printf ,; done)]}" \
        'at most 64 processes in all'
}

@test "PID 1 stays idle once the init tasks are done and the sidecars run, and after a sidecar's restart" {
    require_root
    C="$BATS_TEST_TMPDIR/count" F="$BATS_TEST_TMPDIR/flag"
    write_config <<EOF
{"initProcesses": [
  {"name": "t1", "command": ["true"]},
  {"name": "side", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
   "startupProbe": {"exec": {"command": ["test", "-f", "$F"]}, "periodSeconds": 0.1, "failureThreshold": 100},
   "command": ["sh", "-c", "echo run >>$C; touch $F; [ \$(wc -l <$C) -ge 2 ] && exec sleep 1000; sleep 0.2; exit 1"]}],
 "processes": [$(svc app)}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^app start'
    wait_for_count "$C" '^run$' 2 # restarted once, then it stays
    sleep 0.3
    assert_idle "$INIT" 2 10
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
}

@test "the JSON log names each line's process with its kind and state" {
    require_root
    write_config <<EOF
{"log": {"format": "json"},
 "initProcesses": [{"name": "t1", "command": ["true"]},
  {"name": "side", "restartPolicy": "Always", "command": ["sleep", "100"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "sleep 0.3; exit 4"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 4 ]
    run -0 timeout 10 python3 -c '
import json, sys
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "process" in o:
        seen.add((o["event"], o["process"], o["kind"], o["state"]))
for want in [("started", "t1", "init", "STARTING"), ("completed", "t1", "init", "COMPLETED"),
             ("started", "side", "sidecar", "STARTING"), ("stop", "side", "sidecar", "TERMINATING"),
             ("started", "app", "process", "STARTING")]:
    assert want in seen, (want, sorted(seen))
' "$ERR"
}

@test "what a completed init task left in its group is killed, and no forwarded signal goes its way" {
    require_root
    write_config <<EOF
{"initProcesses": [{"name": "t1", "command": ["sh", "-c", "(trap 'echo leftover HUP >>$L' HUP; echo \$\$ >$BATS_TEST_TMPDIR/left; while :; do sleep 0.1; done) & sleep 0.2"]}],
 "processes": [{"name": "app", "command": ["sh", "-c", "trap 'echo app HUP >>$L' HUP; trap 'exit 0' TERM; echo 'app start' >>$L; while :; do sleep 0.1; done"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$L" '^app start'
    wait_for_line "$ERR" 'init task completed'
    kill -HUP "$INIT"
    wait_for_line "$L" '^app HUP'
    sleep 0.3
    not grep -q 'leftover' "$L"
    # the namespace holds podinit and the app's shell (and its sleep), no leftover loop
    [ "$(pgrep -c -P "$INIT")" -eq 1 ]
    kill -TERM "$INIT"
    wait "$JOB"
}
