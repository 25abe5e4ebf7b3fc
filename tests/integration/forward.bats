#!/usr/bin/env bats
# The forward path. When one process takes the signals that are only ever
# forwarded, the wait passes them on itself (the relay, loop_relay); it is
# set again before each wait from the processes as they are then. These
# check that it follows them: a restart, a process that left its group,
# two processes, a completed init task, the debug log, and a flood.

bats_require_minimum_version 1.5.0
load common

@test "after a restart, a forwarded signal reaches the new run" {
    require_root
    D=$BATS_TEST_TMPDIR
    # the first run exits 1 at once; the second is sigrecv
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "[ -e '$D/ran' ] || { touch '$D/ran'; exit 1; }; exec '$H/sigrecv' --exit-on 12"],
   "restartPolicy": "OnFailure", "restartBackoff": {"initialSeconds": 0.2, "maxSeconds": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'restart 1 in 0.200s'
    wait_for_line "$OUT" '^ready'
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$'
    kill -HUP "$INIT"
    wait_for_line "$OUT" '^1$'
    kill -USR2 "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ] # sigrecv exited on USR2: every signal reached the new run
}

@test "a program that moved to another process group still gets the signals" {
    require_root
    # It forks a member of a new group, joins that group and execs
    # sigrecv: its own group is gone, so kill(-pid) says ESRCH and podinit
    # signals it by its pid.
    prog='my $k = fork // die "fork: $!";
          if ($k == 0) { setpgrp(0, 0); exec "sleep", "60"; }
          select(undef, undef, undef, 0.2);
          setpgrp(0, $k) or die "setpgid: $!";
          exec @ARGV or die "exec: $!"'
    start_pid1 "$PODINIT" -- perl -e "$prog" "$H/sigrecv" --exit-on 12
    wait_for_line "$OUT" '^ready'
    app=$(ready_pid "$OUT")
    [ "$(ps -o pgid= -p "$app" | tr -d ' ')" != "$app" ] # it left its group
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$'
    kill -USR2 "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
}

@test "two processes both get each forwarded signal; after an init task, the app gets it" {
    require_root
    D=$BATS_TEST_TMPDIR
    write_config <<EOF
{"processes": [{"name": "a", "command": ["sh", "-c", "exec '$H/sigrecv' > '$D/a'"]},
               {"name": "b", "command": ["sh", "-c", "exec '$H/sigrecv' > '$D/b'"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$D/a" '^ready'
    wait_for_line "$D/b" '^ready'
    kill -USR1 "$INIT"
    wait_for_line "$D/a" '^10$'
    wait_for_line "$D/b" '^10$'
    kill -KILL "$NS"
    wait "$JOB" || true

    write_config <<EOF
{"initProcesses": [{"name": "setup", "command": ["true"]}],
 "processes": [{"name": "app", "command": ["$H/sigrecv", "--exit-on", "12"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$'
    kill -USR2 "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 0 ]
}

@test "at log level debug every forward is logged, one line each" {
    require_root
    start_pid1 "$PODINIT" --log-level debug -- "$H/sigrecv" --exit-on 12
    wait_for_line "$OUT" '^ready'
    for n in 1 2 3; do
        kill -USR1 "$INIT"
        wait_for_count "$OUT" '^10$' "$n"
    done
    kill -USR2 "$INIT"
    wait "$JOB"
    [ "$(grep -c 'forwarded SIGUSR1 to process group' "$ERR")" -eq 3 ]
    [ "$(grep -c 'received SIGUSR1' "$ERR")" -eq 3 ]
}

@test "a flood of forwarded signals holds back neither a process's exit nor the grace period's SIGKILL" {
    require_root
    flood() { # two senders of USR1 and HUP to PID 1, until it is gone
        (while kill -USR1 "$INIT" 2>/dev/null; do :; done) &
        (while kill -HUP "$INIT" 2>/dev/null; do :; done) &
    }
    start_pid1 "$PODINIT" -- sh -c 'trap "" USR1 HUP; sleep 1; exit 3'
    flood
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 3 ] # the exit came through (not 124, the timeout)

    write_config <<EOF
{"terminationGracePeriodSeconds": 1,
 "processes": [{"command": ["sh", "-c", "trap '' TERM USR1 HUP; echo up; while :; do sleep 0.1; done"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^up$'
    flood
    sleep 0.5
    kill -TERM "$INIT"
    start=$(date +%s)
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 137 ] # SIGKILLed at the grace period's end
    [ $(($(date +%s) - start)) -le 10 ]
}
