#!/usr/bin/env bats
# The shutdown lifecycle of the podinit persona: drain delay, the stop
# signal, the grace period and SIGKILL for everything left.

bats_require_minimum_version 1.5.0
load common

@test "after SIGTERM the app is left alone for --prestop-delay, then gets SIGTERM" {
    require_root
    start_pid1 "$PODINIT" --prestop-delay 1.5 -- "$H/sigrecv" --exit-on 15
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$ERR" 'readiness: not ready'
    sleep 0.3 # well inside the 1.5 s drain: the app must not have been signalled
    run grep -c '^15$' "$OUT"
    [ "$output" = "0" ]
    wait_for_line "$OUT" '^15$'
    wait "$JOB" # sigrecv exits 0 on TERM; so does podinit
    # the log tells the story in order
    run grep -nE 'SIGTERM received|readiness: not ready|stopping: SIGTERM|exiting with 0' "$ERR"
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[0]}" == *"SIGTERM received: shutting down (drain 1.500s, grace 30.000s)"* ]]
    [[ "${lines[1]}" == *"readiness: not ready"* ]]
    [[ "${lines[2]}" == *"stopping: SIGTERM to process group"* ]]
}

@test "a second SIGTERM during the drain skips the rest of it" {
    require_root
    start_pid1 "$PODINIT" --prestop-delay 30 --grace-period 60 -- "$H/sigrecv" --exit-on 15
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$ERR" 'readiness: not ready'
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^15$' # long before the 60 s drain would end
    wait "$JOB"
}

@test "--stop-signal replaces the signal the app is stopped with; later stop signals are forwarded" {
    require_root
    start_pid1 "$PODINIT" --stop-signal SIGQUIT -- "$H/sigrecv" --exit-on 2
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^3$'
    kill -INT "$INIT" # while terminating: forwarded as it is
    wait_for_line "$OUT" '^2$'
    wait "$JOB"
}

@test "at the end of the grace period an app that ignores SIGTERM is SIGKILLed: 137" {
    require_root
    start_pid1 "$PODINIT" --grace-period 1 -- "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^15$' # it got TERM, and ignored it
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ]
    grep -q 'grace period over: SIGKILL to everything left' "$ERR"
}

@test "as a subreaper, a daemonised grandchild that ignores SIGTERM is SIGKILLed at the deadline" {
    # main: starts a daemon in its own session (out of the main group), exits 3
    script='setsid "$0" > "$1" & for _ in $(seq 1000); do grep -q ready "$1" 2>/dev/null && break; sleep 0.01; done; exit 3'
    start_bg "$PODINIT" --grace-period 1 -- sh -c "$script" "$H/sigrecv" "$BATS_TEST_TMPDIR/d"
    wait_for_line "$BATS_TEST_TMPDIR/d" '^ready'
    daemon=$(ready_pid "$BATS_TEST_TMPDIR/d")
    rc=0
    wait "$PROC" || rc=$?
    PROC=""
    [ "$rc" -eq 3 ] # the main process's status
    grep -q 'grace period over: SIGKILL to everything left' "$ERR"
    # podinit waited for it and killed it: it is gone (not even a zombie of ours)
    [ ! -e "/proc/$daemon" ] || [ "$(awk '{print $3}' "/proc/$daemon/stat")" = "Z" ]
}

@test "when the main process exits on its own, the rest of its group gets SIGTERM first" {
    script='"$0" --exit-on 15 > "$1" & for _ in $(seq 1000); do grep -q ready "$1" 2>/dev/null && break; sleep 0.01; done; exit 4'
    start_bg "$PODINIT" --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$BATS_TEST_TMPDIR/g"
    rc=0
    wait "$PROC" || rc=$?
    PROC=""
    [ "$rc" -eq 4 ]
    grep -q '^15$' "$BATS_TEST_TMPDIR/g" # it was asked to stop, and did, before the deadline
    not grep -q 'grace period over' "$ERR"
}

@test "bad lifecycle options and environment: one line, exit 2, nothing started" {
    marker="$BATS_TEST_TMPDIR/started"
    for args in "--grace-period -1" "--grace-period abc" "--prestop-delay 1e999" "--stop-signal KILL" "--stop-signal NOPE"; do
        run timeout "$T" "$PODINIT" $args touch "$marker"
        [ "$status" -eq 2 ]
        [[ "${lines[0]}" == podinit:* ]]
        [ ! -e "$marker" ]
    done
    run env PODINIT_GRACE_PERIOD=soon timeout "$T" "$PODINIT" touch "$marker"
    [ "$status" -eq 2 ]
    [[ "${lines[0]}" == "podinit: PODINIT_GRACE_PERIOD takes seconds"* ]]
    [ ! -e "$marker" ]
}

@test "--log-format json: every line podinit writes is one JSON object" {
    require_root
    start_pid1 "$PODINIT" --log-format json -v -- "$H/sigrecv" --exit-on 15
    wait_for_line "$OUT" '^ready'
    kill -TERM "$INIT"
    wait "$JOB"
    [ -s "$ERR" ]
    # no line that is not {"time":…,"level":…,["event":…,]"pid":1,[fields,]"msg":"…"}
    # with well-escaped strings
    not grep -vE '^\{"time":[0-9]+\.[0-9]{3},"level":"(error|warn|info|debug|trace)",("event":"[a-z_]+",)?"pid":1,("[a-zA-Z]+":("([^"\\]|\\.)*"|-?[0-9]+|true|false),)*"msg":"([^"\\]|\\.)*"\}$' "$ERR"
    grep -q '"msg":"SIGTERM received: shutting down' "$ERR"
    grep -q '"msg":"main process exited with status 0; exiting with 0"' "$ERR"
}

@test "when the main process exits, a daemon outside its group is asked to stop too, before any SIGKILL" {
    # the daemon leaves the group (setsid) and stops on TERM; even with -c
    script='setsid "$0" --exit-on 15 > "$1" & for _ in $(seq 1000); do grep -q ready "$1" 2>/dev/null && break; sleep 0.01; done; exit 5'
    for mode in "" "-c"; do
        rm -f "$BATS_TEST_TMPDIR/d"
        start_bg "$PODINIT" $mode --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$BATS_TEST_TMPDIR/d"
        rc=0
        wait "$PROC" || rc=$?
        PROC=""
        [ "$rc" -eq 5 ]
        grep -q '^15$' "$BATS_TEST_TMPDIR/d"
        grep -q 'stopping: SIGTERM to everything left' "$ERR"
        not grep -q 'grace period over' "$ERR" # it stopped well before the 20 s deadline
    done
}

@test "after a stop, a daemon outside the main's group is asked to stop once the main is gone (PID 1)" {
    require_root
    G="$BATS_TEST_TMPDIR/g"
    script='setsid "$0" --exit-on 15 > "$1" & exec "$0" --exit-on 15'
    start_pid1 "$PODINIT" --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$G"
    wait_for_line "$G" '^ready'
    wait_for_line "$OUT" '^ready'
    started=$SECONDS
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # the main process's status
    grep -q '^15$' "$G"
    grep -q 'stopping: SIGTERM to everything left' "$ERR"
    not grep -q 'grace period over' "$ERR"
    [ $((SECONDS - started)) -lt 10 ] # not the 20 s grace period
}

@test "after a stop, a daemon outside the main's group is asked to stop once the main is gone (subreaper)" {
    G="$BATS_TEST_TMPDIR/g"
    script='setsid "$0" --exit-on 15 > "$1" & exec "$0" --exit-on 15'
    start_bg "$PODINIT" --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$G"
    wait_for_line "$G" '^ready'
    wait_for_line "$OUT" '^ready'
    started=$SECONDS
    kill -TERM "$PROC"
    rc=0
    wait "$PROC" || rc=$?
    PROC=""
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$G"
    grep -q 'stopping: SIGTERM to everything left' "$ERR"
    not grep -q 'grace period over' "$ERR"
    [ $((SECONDS - started)) -lt 10 ]
}

@test "a daemon left behind by a preStop hook is asked to stop once the main is gone" {
    require_root
    G="$BATS_TEST_TMPDIR/g"
    write_config <<EOF
{"terminationGracePeriodSeconds": 20,
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "lifecycle": {"preStop": {"exec": {"command":
     ["sh", "-c", "\"\$0\" --exit-on 15 > \"\$1\" & until grep -q ready \"\$1\"; do sleep 0.01; done",
      "$H/sigrecv", "$G"]}}}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    started=$SECONDS
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q 'preStop hook succeeded' "$ERR"
    grep -q '^15$' "$G" # the hook's daemon was asked to stop
    not grep -q 'grace period over' "$ERR"
    [ $((SECONDS - started)) -lt 10 ]
}

@test "a process SIGKILL cannot reach: podinit waits a bounded time, names it, and exits" {
    require_root
    # A non-root PID 1 and a setuid-root daemon it cannot signal (EPERM).
    # Everything the unprivileged podinit runs is copied where it can reach.
    reachable_dir
    D=$REACH
    install -m 4755 "$H/rootd" "$D/rootd"
    install -m 755 "$PODINIT" "$D/podinit"
    install -m 755 "$H/sigrecv" "$D/sigrecv"
    cd "$D"
    script='"$0" 60 & exec "$1" --exit-on 15'
    start_pid1 setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$D/podinit" --grace-period 1 -- sh -c "$script" "$D/rootd" "$D/sigrecv"
    wait_for_line "$OUT" '^rootd [0-9]+ uid [0-9]+$'
    grep -q 'uid 0$' "$OUT" || skip "setuid has no effect here (nosuid, no_new_privs)"
    wait_for_line "$OUT" '^ready'
    daemon=$(sed -n 's/^rootd \([0-9]*\) .*/\1/p' "$OUT")
    started=$SECONDS
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # the main process's status: it did stop
    grep -q 'grace period over: SIGKILL to everything left' "$ERR"
    grep -Eq "still running 5.000s after SIGKILL .*: pid $daemon; exiting" "$ERR"
    [ $((SECONDS - started)) -lt 20 ] # grace 1 s + the 5 s wait, not the daemon's 60 s
}

@test "a second stop signal after the main is gone reaches what is left" {
    require_root
    G="$BATS_TEST_TMPDIR/g"
    # the daemon ignores TERM (it only records it) and stops on INT
    script='setsid "$0" --exit-on 2 > "$1" & exec "$0" --exit-on 15'
    start_pid1 "$PODINIT" --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$G"
    wait_for_line "$G" '^ready'
    wait_for_line "$OUT" '^ready'
    started=$SECONDS
    kill -TERM "$INIT"
    wait_for_line "$G" '^15$' # asked once the main was gone; ignored
    kill -INT "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
    grep -q '^2$' "$G"
    not grep -q 'grace period over' "$ERR"
    [ $((SECONDS - started)) -lt 10 ]
}

@test "as a subreaper, a daemon's own children are asked to stop with it (its process group)" {
    G="$BATS_TEST_TMPDIR/g"
    # a setsid'd shell (a group leader, adopted by podinit once the main is
    # gone) whose child is not podinit's to list
    inner='"$0" --exit-on 15 > "$1"; exit 0'
    script='setsid sh -c "$2" "$0" "$1" & exec "$0" --exit-on 15'
    start_bg "$PODINIT" --grace-period 20 -- sh -c "$script" "$H/sigrecv" "$G" "$inner"
    wait_for_line "$G" '^ready'
    wait_for_line "$OUT" '^ready'
    started=$SECONDS
    kill -TERM "$PROC"
    rc=0
    wait "$PROC" || rc=$?
    PROC=""
    [ "$rc" -eq 0 ]
    grep -q '^15$' "$G"
    not grep -q 'grace period over' "$ERR"
    [ $((SECONDS - started)) -lt 10 ]
}

@test "a liveness restart whose SIGKILL cannot reach the process stops the container, bounded" {
    require_root
    reachable_dir
    D=$REACH
    install -m 4755 "$H/rootd" "$D/rootd"
    install -m 755 "$PODINIT" "$D/podinit"
    cat >"$D/podinit.json" <<EOF
{"terminationGracePeriodSeconds": 1,
 "processes": [{"command": ["$D/rootd", "60"], "restartPolicy": "Always",
   "livenessProbe": {"exec": {"command": ["test", "!", "-e", "$D/fail"]}, "periodSeconds": 0.2,
                     "failureThreshold": 1}}]}
EOF
    cd "$D"
    start_pid1 setpriv --reuid=65534 --regid=65534 --clear-groups "$D/podinit" --config "$D/podinit.json"
    wait_for_line "$OUT" '^rootd [0-9]+ uid [0-9]+$'
    grep -q 'uid 0$' "$OUT" || skip "setuid has no effect here (nosuid, no_new_privs)"
    touch "$D/fail" # only now: before its setresuid, podinit could still signal it
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ] # never reaped
    grep -q 'liveness probe failed' "$ERR"
    grep -Eq 'still running 5.000s after SIGKILL .*cannot be restarted; stopping the container' "$ERR"
    grep -Eq 'main process not reaped; exiting with 137' "$ERR"
    not grep -q 'restarting "' "$ERR"
}

@test "a restart whose fork fails backs off and tries again" {
    require_root
    # a uid of this run's own (RLIMIT_NPROC counts its processes
    # system-wide) may have 4; once the program has exited, forkfill takes
    # what podinit left, so the restart's fork fails (EAGAIN).
    local uid=$((40000 + $$ % 20000))
    reachable_dir
    install -m 755 "$PODINIT" "$REACH/podinit"
    install -m 755 "$H/forkfill" "$REACH/forkfill"
    cat >"$REACH/podinit.json" <<EOF
{"processes": [{"command": ["sh", "-c", "$REACH/forkfill \$\$ & exit 1"], "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 3, "maxSeconds": 3}}]}
EOF
    cd "$REACH"
    start_pid1 prlimit --nproc=4:4 setpriv --reuid="$uid" --regid="$uid" --clear-groups \
        "$REACH/podinit" --config "$REACH/podinit.json"
    wait_for_line "$OUT" '^forkfill [0-9]+ \(limit reached\)'
    wait_for_line "$ERR" 'cannot start "sh": fork: Resource temporarily unavailable'
    wait_for_line "$ERR" 'restart 2 in 3.000s' # it went on
    kill -TERM "$INIT"
    wait "$JOB" || true
    grep -q 'SIGTERM received' "$ERR"
}

@test "two hooks cancelled before either is reaped: both still known as podinit's own, no orphan warning" {
    require_root
    write_config <<EOF
{"processes": [{"command": ["$H/sigrecv", "--exit-on", "2"],
  "lifecycle": {"postStart": {"exec": {"command": ["sleep", "30"]}},
                "preStop": {"exec": {"command": ["sleep", "30"]}}}}]}
EOF
    start_pid1 "$PODINIT" -w --config "$CFG"
    wait_for_line "$ERR" 'postStart hook: exec'
    # both stop signals in one wake-up (SIGINT, the lower, read first): the
    # postStart is cancelled, the preStop starts, and the second stop signal
    # cancels it too; the app gets the SIGINT
    kill -STOP "$INIT"
    kill -TERM "$INIT"
    kill -INT "$INIT"
    kill -CONT "$INIT"
    wait "$JOB"
    grep -q 'postStart hook no longer needed: killing it' "$ERR"
    grep -q 'preStop hook no longer needed: killing it' "$ERR"
    not grep 'orphan' "$ERR"
}
