#!/usr/bin/env bats
# Faults around PID 1: no more processes, children that misbehave, a
# hostile health client, hooks and probes that hang, a config changed under
# podinit's feet. Each ends in a clear result, never a crash or a hang.
# (A daemon that leaves the group and the main process exiting:
# lifecycle.bats; 10,000 signals and the orphan storm: storm.bats.)

bats_require_minimum_version 1.5.0
load common

probe() { "$PODINIT" --probe "http://127.0.0.1:$PORT$1" 2>&1; }

# RLIMIT_NPROC counts every process of a uid, system-wide: the fork-failure
# tests run as a uid of this run's own (not nobody, whom other tests and
# other runs use), with no passwd entry.
NPROC_UID=$((40000 + $$ % 20000))

# Run "$@" as NPROC_UID with at most NPROC processes (root is not held by
# RLIMIT_NPROC).
as_own_uid_with_nproc() {
    local nproc=$1
    shift
    timeout "$T" prlimit --nproc="$nproc" setpriv --reuid="$NPROC_UID" --regid="$NPROC_UID" \
        --clear-groups "$@"
}

# The processes of NPROC_UID.
own_uid_procs() { pgrep -c -u "$NPROC_UID" || true; }

@test "fork failure (RLIMIT_NPROC reached): one line naming the cause, exit 1, nothing left" {
    require_root
    [ "$(own_uid_procs)" -eq 0 ] || skip "uid $NPROC_UID already runs processes"
    # podinit itself is the one process allowed: the program cannot be
    # forked. (Under SANITIZE=1, LeakSanitizer's exit check needs a thread,
    # which this limit forbids too: leaks are checked by the other tests.)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        run --separate-stderr as_own_uid_with_nproc 1 "$PODINIT" -- /bin/true
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *'cannot start "/bin/true": fork: Resource temporarily unavailable'* ]]
    [ "$(own_uid_procs)" -eq 0 ]
}

@test "fork failure for a hook at run time: postStart fails, the app is stopped, exit 3, no hang" {
    require_root
    [ "$(own_uid_procs)" -eq 0 ] || skip "uid $NPROC_UID already runs processes"
    # a config file any uid can read (the test's own directory may not be)
    CFG=$(mktemp /tmp/podinit-nproc.XXXXXX.json)
    printf '%s\n' '{"processes": [{"command": ["sleep", "30"],' \
        '  "lifecycle": {"postStart": {"exec": {"command": ["true"]}}}}]}' >"$CFG"
    chmod 644 "$CFG"
    # two processes: podinit and the app; the hook cannot be forked
    run --separate-stderr as_own_uid_with_nproc 2 "$PODINIT" --config "$CFG"
    [ "$status" -eq 3 ]
    rm -f "$CFG"
    [[ "$stderr" == *"postStart hook failed to start: fork: Resource temporarily unavailable"* ]]
    [[ "$stderr" == *"postStart hook failed: the container was stopped; exiting with 3"* ]]
    [ "$(own_uid_procs)" -eq 0 ]
}

@test "a child that closes its stdout and stderr: its exit code passes, podinit still logs" {
    require_root
    run --separate-stderr pid1 "$PODINIT" -- sh -c 'exec >&- 2>&-; sleep 0.2; exit 4'
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"main process exited with status 4; exiting with 4"* ]]
}

@test "podinit with its own stdout and stderr closed: still reaps, forwards and exits right" {
    require_root
    run pid1 sh -c 'exec >&- 2>&-; exec "$0" -- sh -c "exit 6"' "$PODINIT"
    [ "$status" -eq 6 ]
}

@test "a child that stops itself: no hang; a forwarded SIGCONT wakes it; a stopped app is SIGKILLed at the grace" {
    require_root
    # stops itself, and exits 9 once continued
    start_pid1 "$PODINIT" -- sh -c 'echo stopping; kill -STOP $$; echo woke; exit 9'
    wait_for_line "$OUT" '^stopping$'
    child=$(pgrep -P "$INIT" | head -n1)
    wait_for_state "$child" T
    [ -d "/proc/$INIT" ]
    kill -CONT "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 9 ]
    grep -q '^woke$' "$OUT"

    # stopped when the stop signal comes: the TERM stays pending, the
    # deadline's SIGKILL ends it
    start_pid1 "$PODINIT" --grace-period 1 -- sh -c 'echo stopping; kill -STOP $$; exit 0'
    wait_for_line "$OUT" '^stopping$'
    child=$(pgrep -P "$INIT" | head -n1)
    wait_for_state "$child" T
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ]
    grep -q 'grace period over: SIGKILL' "$ERR"
}

@test "the health endpoint under a slowloris client and 1,000 connections: forwarding and reaping go on" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    # slowloris: 40 connections (more than the endpoint's 32: the oldest are
    # dropped), each sending a byte now and then, never a whole request
    fds=()
    for _ in $(seq 40); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        fds+=("$fd")
    done
    for round in 1 2 3; do
        for fd in "${fds[@]}"; do (trap '' PIPE; printf 'G' >&"$fd") 2>/dev/null || true; done
        # meanwhile: a signal is forwarded ...
        kill -USR1 "$INIT"
        wait_for_count "$OUT" '^10$' "$round"
    done
    # ... 1,000 connection attempts, opened and dropped ...
    for _ in $(seq 1000); do
        exec {c}<>"/dev/tcp/127.0.0.1/$PORT" && exec {c}>&-
    done
    # ... orphans are reaped (the helper runs in the namespace, under PID 1)
    nsenter -t "$INIT" -p -m "$H/orphans" 200 1
    kill -USR2 "$INIT"
    wait_for_line "$OUT" '^12$'
    # and the endpoint still answers a real client
    [[ "$(probe /readyz)" == *"HTTP 200" ]]
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "a probe that hangs with children: killed at its timeout, its children too, nothing left" {
    # as a subreaper (not PID 1), so anything left over would still be seen;
    # the sleeps carry this run's pid, so another run's are not counted
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "readinessProbe": {"exec": {"command": ["sh", "-c", "sleep 1001.$$ & sleep 1002.$$"]},
                     "periodSeconds": 60, "timeoutSeconds": 0.5, "failureThreshold": 1}}]}
EOF
    start_bg "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'readiness probe failing'
    for _ in $(seq 200); do
        pgrep -f "sleep 100[12]\\.$$" >/dev/null || break
        sleep 0.05
    done
    not pgrep -f "sleep 100[12]\\.$$"
    # no zombie child of podinit
    for p in $(pgrep -P "$PROC"); do [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ]; done
    kill -TERM "$PROC"
    wait "$PROC"
}

@test "a preStop hook that hangs with children: killed at its timeout, the shutdown goes on, exit 0" {
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
  "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "sleep 1003.$$ & sleep 1004.$$"]},
                            "timeoutSeconds": 0.5}}}]}
EOF
    start_bg "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$PROC"
    rc=0
    wait "$PROC" || rc=$?
    PROC=""
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$OUT" # the app got its stop signal after the hook
    grep -q 'preStop hook still running when its time ran out: killing it' "$ERR"
    not pgrep -f "sleep 100[34]\\.$$" # this run's (the pid in them)
}

@test "the config file deleted or rewritten after start changes nothing" {
    require_root
    write_config <<EOF
{"terminationGracePeriodSeconds": 10,
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"], "stopSignal": "SIGTERM"}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    # rewritten: a long drain and another stop signal; then deleted. A HUP
    # is forwarded, not a reload.
    printf '{"preStopDelaySeconds": 30, "processes": [{"command": ["false"], "stopSignal": "SIGQUIT"}]}\n' >"$CFG"
    kill -HUP "$INIT"
    wait_for_line "$OUT" '^1$'
    rm -f "$CFG"
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$OUT" # SIGTERM at once, not SIGQUIT after 30 s
    not grep -q '^3$' "$OUT"
}

@test "podinit started with fds 0-2 closed keeps its own fds off them; the child still finds them closed" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "processes": [{"command": ["sleep", "30"]}]}
EOF
    start_pid1 sh -c 'exec <&- >&- 2>&-; exec "$0" --config "$1"' "$PODINIT" "$CFG"
    child=$(child_named sleep) || true
    [ -n "$child" ]
    # PID 1's 0, 1 and 2 are /dev/null, not its signalfd or a socket
    for fd in 0 1 2; do
        [ "$(readlink "/proc/$INIT/fd/$fd")" = /dev/null ]
    done
    # and the child has none of 0-2, as the caller left them
    [ -z "$(ls "/proc/$child/fd" | grep -x '[012]')" ]
    kill -TERM "$INIT"
    wait "$JOB" || true
}

# The output pipes are opened before the loop starts: they must not take a
# closed 0 or 1 either. (They did: a's pipe became podinit's own stdout, b's
# lines went into it and came back as a's, for ever, at 100% CPU; and a
# program whose pipe was fd 1 started with its stdout closed.)
@test "podinit with stdin and stdout closed: output pipes stay off 0-2, no feedback loop, the programs' stdout works" {
    require_root
    write_config <<EOF
{"processes": [
  {"name": "a", "output": "prefix", "command": ["sh", "-c", "echo to-stdout && echo wrote >$BATS_TEST_TMPDIR/a; exec sleep 30"]},
  {"name": "b", "output": "prefix", "command": ["sh", "-c", "sleep 0.2; echo from-b; echo done-b >&2; exec sleep 30"]}]}
EOF
    start_pid1 sh -c 'exec <&- >&-; exec "$0" --config "$1"' "$PODINIT" "$CFG"
    wait_for_line "$ERR" '^b \| done-b$'
    [ "$(cat "$BATS_TEST_TMPDIR/a")" = wrote ]
    for fd in 0 1; do
        [ "$(readlink "/proc/$INIT/fd/$fd")" = /dev/null ]
    done
    assert_idle "$INIT" 2 5
    local rc=0
    kill -TERM "$INIT"
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ]
}
