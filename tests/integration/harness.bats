#!/usr/bin/env bats
# The test harness itself (common.bash): what the other files rely on.

bats_require_minimum_version 1.5.0
load common

# start_pid1 waits for the init to take SIGTERM before a test may send it.
# When that wait cannot see it, it runs to its bound (500 rounds: seconds,
# tens of seconds on a loaded machine), all out of the job's timeout, and
# that timeout then fires mid-test (exit 124, a TERM and a CONT to the init).
@test "start_pid1 sees PID 1 take SIGTERM, in sigtimedwait (no fd watched) and in epoll (health endpoint)" {
    require_root
    # drop-in: podinit waits in sigtimedwait, SigBlk shows SIGTERM unblocked
    start_pid1 "$PODINIT" -- sleep 30
    [ "$INIT_READY" -eq 1 ]
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ]
    # a health endpoint: podinit waits in epoll, SigBlk shows SIGTERM blocked
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "processes": [{"command": ["sleep", "30"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    [ "$INIT_READY" -eq 1 ]
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ]
}

@test "takes_sigterm is false for a process that neither blocks SIGTERM nor waits for it" {
    sleep 30 &
    PROC=$!
    for _ in $(seq 100); do
        [ "$(cat "/proc/$PROC/comm")" = sleep ] &&
            [ "$(awk '/^State:/ {print $2}' "/proc/$PROC/status")" = S ] && break
        sleep 0.01
    done
    not takes_sigterm "$PROC"
}
