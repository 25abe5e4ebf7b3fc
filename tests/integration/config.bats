#!/usr/bin/env bats
# The JSON config and the lifecycle hooks, podinit as PID 1 of a PID
# namespace: the drain keeps the app serving, preStop runs before the stop
# signal, the grace period ends in SIGKILL for every descendant, postStart
# failures stop the container, --check reports good and bad files.

bats_require_minimum_version 1.5.0
load common

# GET http://127.0.0.1:PORT/PATH with bash's /dev/tcp; fails unless 200.
http_get() {
    local reply
    reply=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
        printf "GET %s HTTP/1.0\r\n\r\n" "$1" >&3; cat <&3' "$1" "$2") || return 1
    [[ "$reply" == "HTTP/1.0 200 OK"* ]]
}

# The number of the first line of FILE matching the regex (fails if none).
line_of() {
    local n
    n=$(grep -nE "$2" "$1" | head -n1 | cut -d: -f1)
    [ -n "$n" ] || { echo "no /$2/ in $1:" >&2; cat "$1" >&2; return 1; }
    echo "$n"
}

@test "drain: the app keeps answering after SIGTERM; preStop runs next; the stop signal comes last" {
    require_root
    EV="$BATS_TEST_TMPDIR/events"
    write_config <<EOF
{
  "terminationGracePeriodSeconds": 20,
  "preStopDelaySeconds": 1,
  "processes": [{
    "command": ["$H/httpapp", "0", "$EV"],
    "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c",
      "echo 'hook: preStop start' >> $EV; sleep 0.3; echo 'hook: preStop end' >> $EV"]}}}
  }]
}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    port=$(ready_pid "$OUT")
    http_get "$port" /before
    echo "test: SIGTERM sent" >>"$EV"
    kill -TERM "$INIT"
    for i in 1 2 3; do
        http_get "$port" "/during-drain-$i" # still served
    done
    wait "$JOB" # the app exits 0 on SIGTERM; so does podinit
    sent=$(line_of "$EV" '^test: SIGTERM sent')
    served=$(line_of "$EV" '^app: GET /during-drain-1')
    served3=$(line_of "$EV" '^app: GET /during-drain-3')
    hook_start=$(line_of "$EV" '^hook: preStop start')
    hook_end=$(line_of "$EV" '^hook: preStop end')
    stopped=$(line_of "$EV" '^app: SIGTERM')
    [ "$sent" -lt "$served" ] && [ "$served" -lt "$hook_start" ]
    [ "$served3" -lt "$stopped" ]
    [ "$hook_start" -lt "$hook_end" ] && [ "$hook_end" -lt "$stopped" ]
    # and podinit told the same story, in the same order
    run grep -nE 'SIGTERM received|not ready|preStop hook: exec|preStop hook succeeded|stopping: SIGTERM|exiting with 0' "$ERR"
    [ "${#lines[@]}" -eq 6 ]
    [[ "${lines[2]}" == *"preStop hook: exec sh -c"* ]]
    [[ "${lines[3]}" == *"preStop hook succeeded"* ]]
    [[ "${lines[4]}" == *"stopping: SIGTERM to process group"* ]]
}

@test "grace deadline: an app ignoring SIGTERM and its daemonised grandchild are SIGKILLed; exit 137" {
    require_root
    D="$BATS_TEST_TMPDIR/daemon"
    # the main process double-forks a daemon into its own session, then
    # becomes sigrecv (which ignores TERM: it only records it)
    write_config <<EOF
{"terminationGracePeriodSeconds": 1,
 "processes": [{"command": ["sh", "-c", "(setsid \"\$0\" > \"\$1\" &); exec \"\$0\"", "$H/sigrecv", "$D"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG" --log-level debug
    wait_for_line "$OUT" '^ready'
    wait_for_line "$D" '^ready'
    daemon=$(ready_pid "$D")
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^15$' # the app got TERM and ignored it
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ]
    grep -q 'grace period over: SIGKILL to everything left' "$ERR"
    # podinit itself reaped the daemon, killed, before it exited
    grep -q "reaped pid $daemon (status 137)" "$ERR"
    [ "$(line_of "$ERR" "reaped pid $daemon")" -lt "$(line_of "$ERR" 'exiting with 137')" ]
}

@test "stopSignal and signalRewrite from the config reach the app" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "3"], "stopSignal": "SIGQUIT"}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait "$JOB"
    [ "$(grep -c '^15$' "$OUT")" = "0" ] && grep -q '^3$' "$OUT"

    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "3"],
                "signalRewrite": {"SIGTERM": "SIGQUIT", "SIGUSR1": 0}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -USR1 "$INIT" # dropped
    kill -HUP "$INIT"  # passed on as it is
    wait_for_line "$OUT" '^1$'
    kill -TERM "$INIT"
    wait "$JOB"
    run cat "$OUT"
    [ "${lines[1]}" = "1" ] && [ "${lines[2]}" = "3" ] && [ "${#lines[@]}" -eq 3 ]
}

@test "postStart failure stops the app; podinit exits 3 naming the hook" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c",
    "for i in \$(seq 200); do grep -q ^ready $OUT && exit 4; sleep 0.02; done; exit 4"]}}}}]}
EOF
    # (the hook fails once the app is ready to record the signal it gets)
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 3 ]
    grep -q '^15$' "$OUT" # the app was asked to stop
    grep -q 'postStart hook failed (status 4)' "$ERR"
    [ "$(tail -n1 "$ERR" | sed 's/^podinit: [0-9.]*s //')" = "error: postStart hook failed: the container was stopped; exiting with 3" ]

    # a postStart that outlives its timeoutSeconds is killed, and is a failure
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"postStart": {"exec": {"command": ["sleep", "30"]}, "timeoutSeconds": 0.5}}}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 3 ]
    grep -q 'postStart hook timed out: killing it' "$ERR"

    # a hook program that does not exist is a failure with its reason
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"postStart": {"exec": {"command": ["/nonexistent/warm"]}}}}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 3 ]
    grep -q 'postStart hook failed: exec "/nonexistent/warm": No such file or directory' "$ERR"
}

@test "a postStart that succeeds lets the app run; the app's exit status is podinit's" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "sleep 0.5; exit 6"],
  "lifecycle": {"postStart": {"sleep": {"seconds": 0.1}}}}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 6 ]
}

@test "sleep hooks are logged as exec hooks are: postStart before readiness, preStop before the stop signal" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"postStart": {"sleep": {"seconds": 0.2}}, "preStop": {"sleep": {"seconds": 0.3}}}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'postStart hook: sleep 0.200s'
    kill -TERM "$INIT"
    wait "$JOB"
    run grep -nE 'postStart hook: sleep|SIGTERM received|preStop hook: sleep|stopping: SIGTERM' "$ERR"
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[0]}" == *"postStart hook: sleep 0.200s"* ]]
    [[ "${lines[1]}" == *"SIGTERM received"* ]]
    [[ "${lines[2]}" == *"preStop hook: sleep 0.300s"* ]]
    [[ "${lines[3]}" == *"stopping: SIGTERM to process group"* ]]
}

@test "preStop hooks that fail, or do not exist, are logged and the shutdown completes" {
    require_root
    for hook in '{"exec": {"command": ["/nonexistent/deregister"]}}' \
                '{"exec": {"command": ["sh", "-c", "exit 9"]}}' \
                '{"httpGet": {"port": '"$(free_port)"', "path": "/drain"}}'; do
        write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"], "lifecycle": {"preStop": $hook}}]}
EOF
        start_pid1 "$PODINIT" --config "$CFG"
        wait_for_line "$OUT" '^ready'
        kill -TERM "$INIT"
        wait "$JOB" # exit 0: the app stopped cleanly
        grep -qE 'preStop hook failed' "$ERR"
        grep -q 'stopping: SIGTERM' "$ERR"
    done
    grep -q 'Connection refused' "$ERR" # the httpGet says why
}

@test "an httpGet hook is a request on the loop, not a child: one that gets no answer is cut at its timeout, signals go on meanwhile" {
    require_root
    "$H/httpapp" 0 - --mute >"$BATS_TEST_TMPDIR/app" &
    app=$!
    wait_for_line "$BATS_TEST_TMPDIR/app" '^ready'
    mute=$(ready_pid "$BATS_TEST_TMPDIR/app")
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"postStart": {"httpGet": {"port": $mute, "path": "/hang"}, "timeoutSeconds": 3}}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'postStart hook: httpGet'
    # while the request hangs, PID 1's only child is the app
    [ "$(pgrep -c -P "$INIT")" -eq 1 ]
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$'
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 3 ]
    grep -q 'postStart hook timed out: closing its connection' "$ERR"
    kill "$app"
}

@test "an httpGet preStop reaches the app before its stop signal" {
    require_root
    EV="$BATS_TEST_TMPDIR/events"
    port=$(free_port)
    write_config <<EOF
{"processes": [{"command": ["$H/httpapp", "$port", "$EV"],
  "lifecycle": {"preStop": {"httpGet": {"port": $port, "path": "/drain",
                            "httpHeaders": [{"name": "X-Why", "value": "shutdown"}]}}}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait "$JOB"
    [ "$(line_of "$EV" '^app: GET /drain')" -lt "$(line_of "$EV" '^app: SIGTERM')" ]
    grep -q 'preStop hook succeeded' "$ERR"
}

@test "env and workingDir reach the app and its hooks; a program after -- replaces the command" {
    require_root
    R="$BATS_TEST_TMPDIR/result"
    mkdir -p "$BATS_TEST_TMPDIR/work"
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "echo \"app \$MODE \$PATH_KEPT \$(pwd)\" >> $R; sleep 1"],
  "env": {"MODE": "prod"}, "workingDir": "$BATS_TEST_TMPDIR/work",
  "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "echo \"hook \$MODE \$(pwd)\" >> $R"]}}}}]}
EOF
    PATH_KEPT=yes pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR"
    grep -qx "app prod yes $BATS_TEST_TMPDIR/work" "$R"
    grep -qx "hook prod $BATS_TEST_TMPDIR/work" "$R" # the app lives long enough for it
    rm -f "$R"
    pid1 "$PODINIT" --config "$CFG" -- sh -c "echo \"cli \$MODE\" >> $R" >"$OUT" 2>"$ERR"
    [ "$(grep -v '^hook' "$R")" = "cli prod" ]
}

@test "a workingDir that does not exist: one line, exit 126" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["true"], "workingDir": "/nonexistent/dir"}]}
EOF
    run -126 pid1 "$PODINIT" --config "$CFG"
    [[ "$output" == *'error: workingDir "/nonexistent/dir": No such file or directory'* ]]
}

@test "--check prints the effective config, defaults filled in, with command line and environment on top" {
    marker="$BATS_TEST_TMPDIR/started"
    write_config <<EOF
{"terminationGracePeriodSeconds": 30, "preStopDelaySeconds": 1,
 "processes": [{"command": ["touch", "$marker"], "stopSignal": "QUIT"}]}
EOF
    run --separate-stderr env PODINIT_PRESTOP_DELAY=2.5 "$PODINIT" --check --config "$CFG" --grace-period 7
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ ! -e "$marker" ]
    [[ "$output" == *'"terminationGracePeriodSeconds": 7,'* ]] # command line
    [[ "$output" == *'"preStopDelaySeconds": 2.5,'* ]]         # environment
    [[ "$output" == *'"stopSignal": "SIGQUIT"'* ]]                # file
    [[ "$output" == *'"stopSignals": ["SIGINT", "SIGTERM"]'* ]]    # default
    # what it prints is itself a valid config that prints the same
    echo "$output" >"$BATS_TEST_TMPDIR/effective.json"
    run --separate-stderr "$PODINIT" --check --config "$BATS_TEST_TMPDIR/effective.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"terminationGracePeriodSeconds": 7,'* ]]
}

@test "--check, --version and --help on a closed or full stdout: exit 1 and one line naming the cause (the personas: 0, as their tools)" {
    for args in "--check -- true" --version --help; do
        # shellcheck disable=SC2086 # the arguments, one word each
        run --separate-stderr bash -c 'exec "$@" >&-' _ "$PODINIT" $args
        echo "$args closed: $status $stderr"
        [ "$status" -eq 1 ]
        [ "$stderr" = "podinit: stdout: Bad file descriptor" ]
        # shellcheck disable=SC2086
        run --separate-stderr bash -c 'exec "$@" >/dev/full' _ "$PODINIT" $args
        echo "$args full: $status $stderr"
        [ "$status" -eq 1 ]
        [ "$stderr" = "podinit: stdout: No space left on device" ]
    done
    # the personas answer as their tools do: exit 0 whatever stdout is
    for tool in tini dumb-init catatonit; do
        run --separate-stderr bash -c 'exec "$@" >&-' _ "$B/$tool" --version
        echo "$tool closed: $status $stderr"
        [ "$status" -eq 0 ]
        [[ "$stderr" != *"stdout:"* ]]
    done
}

@test "--check and a normal start on bad files: every error with file and path, exit 2, nothing started" {
    marker="$BATS_TEST_TMPDIR/started"
    write_config <<EOF
{"terminationGracePeriodSeconds": -5, "health": {},
 "processes": [{"command": ["touch", "$marker"], "stopSignal": "SIGNOPE",
                "lifecycle": {"preStop": {"exec": {"cmd": ["x"]}}}}]}
EOF
    for mode in --check ""; do
        run --separate-stderr "$PODINIT" $mode --config "$CFG"
        [ "$status" -eq 2 ]
        [ ! -e "$marker" ]
        [ "${#stderr_lines[@]}" -eq 5 ]
        [[ "$stderr" == *"$CFG: terminationGracePeriodSeconds: must be >= 0, got -5"* ]]
        [[ "$stderr" == *"$CFG: health: needs \"listen\""* ]]
        [[ "$stderr" == *"$CFG: processes[0].stopSignal: \"SIGNOPE\" is not a signal"* ]]
        [[ "$stderr" == *"$CFG: processes[0].lifecycle.preStop.exec.cmd: unknown key"* ]]
        [[ "$stderr" == *"$CFG: processes[0].lifecycle.preStop.exec: needs \"command\""* ]]
    done
    printf '{\n  "processes": [\n    {"command": ["touch", "%s"]},,\n  ]\n}\n' "$marker" >"$CFG"
    run --separate-stderr "$PODINIT" --config "$CFG"
    [ "$status" -eq 2 ]
    [[ "$stderr" == "$CFG:3:"*": invalid JSON near ','"* ]]
    [ ! -e "$marker" ]
    run --separate-stderr "$PODINIT" --config "$BATS_TEST_TMPDIR/missing.json" -- touch "$marker"
    [ "$status" -eq 2 ]
    [ "$stderr" = "$BATS_TEST_TMPDIR/missing.json: cannot read the config file: No such file or directory" ]
    [ ! -e "$marker" ]
    run --separate-stderr env PODINIT_CONFIG="$BATS_TEST_TMPDIR/missing.json" "$PODINIT" touch "$marker"
    [ "$status" -eq 2 ]
    [ ! -e "$marker" ]
}

@test "json logs: one object per line with event, signal and status fields" {
    require_root
    write_config <<EOF
{"log": {"format": "json"}, "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait "$JOB"
    while read -r line; do
        [[ "$line" == '{"time":'*'"msg":"'*'"}' ]]
    done <"$ERR"
    grep -q '"event":"stop_signal","pid":1,"signal":"SIGTERM"' "$ERR"
    grep -q '"event":"exit","pid":1,"status":0' "$ERR"
}

@test "the examples are valid configs" {
    ex="$BATS_TEST_DIRNAME/../../examples"
    for f in "$ex"/*.json; do
        run --separate-stderr "$PODINIT" --check --config "$f"
        [ "$status" -eq 0 ] || { echo "$f: $stderr" >&2; false; }
    done
    # the config inside the Kubernetes manifest, the program coming from args
    sed -n '/podinit.json: |/,/^---/p' "$ex/kubernetes-pod.yaml" | sed '1d;$d' >"$BATS_TEST_TMPDIR/k8s.json"
    run --separate-stderr "$PODINIT" --check --config "$BATS_TEST_TMPDIR/k8s.json" -- /app/server
    [ "$status" -eq 0 ]
    [[ "$output" == *'"path": "/drain"'* ]]
}

@test "config edges: each bad file gets one line naming the file, path and cause, exit 2, quickly" {
    marker="$BATS_TEST_TMPDIR/started"
    # check FILE EXPECTED: --check and a normal start refuse it with that one line
    check() {
        local mode
        for mode in --check ""; do
            run --separate-stderr timeout 10 "$PODINIT" $mode --config "$1" -- touch "$marker"
            [ "$status" -eq 2 ] || { echo "$1 $mode: status $status: $stderr" >&2; return 1; }
            [ "$stderr" = "$2" ] || { echo "$1 $mode: got: $stderr" >&2; return 1; }
            [ ! -e "$marker" ]
        done
    }
    # a FIFO nobody writes to: no hang, and what it is
    mkfifo "$BATS_TEST_TMPDIR/fifo.json"
    check "$BATS_TEST_TMPDIR/fifo.json" "$BATS_TEST_TMPDIR/fifo.json: cannot read the config file: it is a FIFO, not a regular file"
    check "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR: cannot read the config file: it is a directory, not a regular file"
    # \u0000 would cut the string short
    printf '{"processes": [{"command": ["%s", "a\\u0000b"]}]}\n' "$H/sigrecv" >"$BATS_TEST_TMPDIR/nul.json"
    check "$BATS_TEST_TMPDIR/nul.json" "$BATS_TEST_TMPDIR/nul.json: processes[0].command[1]: contains \\u0000 (a NUL character), which would cut the string short"
    write_config <<<'{"processes": []}'
    check "$CFG" "$CFG: processes: must list at least one process"
    # control characters in what is echoed are escaped: one line, no escape sequence
    printf '{"log": {"format": "\\u001b[2J\\u001b]0;owned\\u0007\\n"}}\n' >"$CFG"
    check "$CFG" "$CFG: log.format: must be \"text\" or \"json\", got \"\\x1b[2J\\x1b]0;owned\\x07\\n\""
    # cJSON's nesting limit is named
    { printf '%.0s[' $(seq 1001); printf '%.0s]' $(seq 1001); } >"$CFG"
    check "$CFG" "$CFG:1:1001: nested deeper than 1000 levels, the JSON parser's limit"
    printf ' \n\t\n' >"$CFG"
    check "$CFG" "$CFG: invalid JSON: the file is only white space"
    : >"$CFG"
    check "$CFG" "$CFG: invalid JSON: the file is empty"
    # a header that cannot fit in the probe's request is refused at load
    printf '{"processes": [{"command": ["true"], "readinessProbe": {"httpGet": {"port": 80, "httpHeaders": [{"name": "X", "value": "%09000d"}]}}}]}\n' 0 >"$CFG"
    check "$CFG" "$CFG: processes[0].readinessProbe.httpGet: the request (path and httpHeaders) would be larger than 8192 bytes"
}

@test "--check output reads back as the same config, real-time signals included" {
    write_config <<EOF
{"stopSignals": ["SIGRTMIN+3", "RTMAX", "rtmin", "TERM"],
 "processes": [{"name": "a", "command": ["a"], "stopSignal": "RTMAX-1", "signalRewrite": {"USR1": "RTMIN"}},
               {"name": "b", "command": ["b"], "stopSignal": "SIGABRT", "env": {"K": "tab\\tquote\\"é"}}]}
EOF
    [ "$?" -eq 0 ]
    run --separate-stderr "$PODINIT" --check --config "$CFG"
    # the rewrite target is 1-31: RTMIN there is an error; drop it and go on
    [ "$status" -eq 2 ]
    sed -i 's/, "signalRewrite": {"USR1": "RTMIN"}//' "$CFG"
    run --separate-stderr "$PODINIT" --check --config "$CFG"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"stopSignals": ["SIGTERM", "SIGRTMIN", "SIGRTMIN+3", "SIGRTMIN+'*'"]'* ]]
    echo "$output" >"$BATS_TEST_TMPDIR/first.json"
    run --separate-stderr "$PODINIT" --check --config "$BATS_TEST_TMPDIR/first.json"
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat "$BATS_TEST_TMPDIR/first.json")" ]
    # a reserved signal, which printed as "SIG33" and did not read back, is refused
    write_config <<<'{"stopSignals": [33], "processes": [{"command": ["a"], "stopSignal": 32}]}'
    run --separate-stderr "$PODINIT" --check --config "$CFG"
    [ "$status" -eq 2 ]
    [ "${stderr_lines[0]}" = "$CFG: stopSignals[0]: SIG33 cannot be a stop signal: the C library reserves it for its threads" ]
    [ "${stderr_lines[1]}" = "$CFG: processes[0].stopSignal: SIG32 cannot be a stop signal: the C library reserves it for its threads" ]
}
