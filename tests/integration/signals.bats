#!/usr/bin/env bats
# The signals the C library reserves for its threads (32 and 33 with glibc,
# 32-34 with musl): sigaction and sigprocmask refuse them, so podinit
# blocks them by the raw system call and reads them from its signalfd. They
# never kill it, are never passed on (the application's C library reserves
# them too), and the child gets the caller's state for them back.

bats_require_minimum_version 1.5.0
load common

# The binaries under test: the glibc build, and the musl one when
# `make static` has built it from the same sources (its C library reserves
# 34 too); one older than the glibc build would be a stale one.
binaries() {
    echo "$PODINIT"
    [ ! -x "$B/podinit-static" ] || [ "$PODINIT" -nt "$B/podinit-static" ] || echo "$B/podinit-static"
}

# Whether BIN's C library reserves 34 (musl's SIGRTMIN is 35).
reserves_34() {
    [ "$1" = "$B/podinit-static" ]
}

# Send 32, 33 and 34 to the podinit at pid $1 (its log in $ERR, its app
# sigrecv writing to $OUT); then check that the reserved ones reached
# podinit and were dropped, that 34 was forwarded unless reserved, and that
# both are still running.
send_reserved() {
    local init=$1 bin=$2
    kill -32 "$init"
    kill -33 "$init"
    kill -34 "$init"
    wait_for_line "$ERR" 'dropped SIG32'
    wait_for_line "$ERR" 'dropped SIG33'
    if reserves_34 "$bin"; then
        wait_for_line "$ERR" 'dropped SIG34'
    else
        wait_for_line "$OUT" '^34$' # glibc's SIGRTMIN: an ordinary signal
    fi
    kill -0 "$init"
    kill -0 "$(ready_pid "$OUT")" # the app kept running
    run grep -cE '^3[23]$' "$OUT"
    [ "$output" = 0 ] # and never saw them
}

@test "as a subreaper, signals 32-34 neither kill podinit nor reach the app; SIGTERM still stops it" {
    for bin in $(binaries); do
        : >"$OUT"
        : >"$ERR"
        start_bg "$bin" --log-level debug -- "$H/sigrecv" --exit-on 15
        wait_for_line "$OUT" '^ready'
        send_reserved "$PROC" "$bin"
        kill -TERM "$PROC"
        rc=0
        wait "$PROC" || rc=$?
        PROC=""
        [ "$rc" -eq 0 ] # sigrecv exits 0 on TERM; podinit passes it on
        grep -q 'SIGTERM received: shutting down' "$ERR"
    done
}

@test "as PID 1, signals 32-34 from outside and inside the namespace are received, not silently lost" {
    require_root
    for bin in $(binaries); do
        start_pid1 "$bin" --log-level debug -- "$H/sigrecv" --exit-on 15
        wait_for_line "$OUT" '^ready'
        send_reserved "$INIT" "$bin"
        nsenter -t "$INIT" -p -- kill -33 1 # from inside the namespace
        wait_for_count "$ERR" 'dropped SIG33' 2
        kill -TERM "$INIT"
        wait "$JOB" # exit 0: the app stopped on TERM
        NS=""
    done
}

# Whether bit N is clear in MASK (a plain command: bats does not fail a test
# on a `! cmd` that is not its last).
mask_lacks() {
    ! mask_has "$@"
}

# Whether signal N is ignored in MASK exactly when it is in the caller's.
same_as_caller() {
    local mask=$1 signo=$2
    if mask_has "$CALLER_IGN" "$signo"; then mask_has "$mask" "$signo"; else mask_lacks "$mask" "$signo"; fi
}

@test "the child gets the caller's ignored and blocked state of 32 and 33 back" {
    require_root
    # The caller's own: GNU make, for one, runs its recipes with both ignored.
    CALLER_IGN=$(awk '/^SigIgn/ {print $2}' "/proc/$BASHPID/status")
    for runner in "timeout $T" "pid1"; do
        run $runner "$H/launch" --ignore 32 --block 33 -- "$PODINIT" -- grep -E '^Sig(Blk|Ign)' /proc/self/status
        [ "$status" -eq 0 ]
        blk=$(echo "$output" | awk '/^SigBlk/ {print $2}')
        ign=$(echo "$output" | awk '/^SigIgn/ {print $2}')
        mask_has "$ign" 32
        mask_has "$blk" 33
        mask_lacks "$blk" 32 # podinit's own blocking did not leak
        same_as_caller "$ign" 33
    done
    # and a caller that changes nothing gives a child with the caller's state
    run timeout "$T" "$H/launch" -- "$PODINIT" -- grep -E '^Sig(Blk|Ign)' /proc/self/status
    [[ "$output" == *"SigBlk:"*"0000000000000000"* ]]
    ign=$(echo "$output" | awk '/^SigIgn/ {print $2}')
    same_as_caller "$ign" 32
    same_as_caller "$ign" 33
}

@test "stop signals, -r sources and -p: every signal podinit cannot act on is refused with its reason" {
    marker="$BATS_TEST_TMPDIR/started"
    while IFS='|' read -r args reason; do
        run --separate-stderr timeout "$T" "$PODINIT" $args -- touch "$marker"
        [ "$status" -eq 2 ] || { echo "$args: status $status" >&2; false; }
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ "$stderr" == *"$reason"* ]] || { echo "$args: $stderr" >&2; false; }
        [ ! -e "$marker" ]
    done <<'EOF'
--stop-signals ABRT|podinit: --stop-signals: SIGABRT cannot be a stop signal: podinit leaves the fault signals unblocked, so one sent to it would kill it
--stop-signals TERM,SEGV|SIGSEGV cannot be a stop signal
--stop-signals 32|SIG32 cannot be a stop signal: the C library reserves it for its threads
--stop-signals 33|SIG33 cannot be a stop signal
--stop-signals KILL|SIGKILL cannot be a stop signal: it cannot be caught
--stop-signals CHLD|SIGCHLD cannot be a stop signal
--stop-signal 33|--stop-signal: SIG33 cannot be a stop signal: the C library reserves it
-r SEGV:TERM|podinit: --rewrite SEGV:TERM: SIGSEGV cannot be rewritten: podinit leaves the fault signals unblocked
-r 9:15|SIGKILL cannot be rewritten: it cannot be caught
-r CHLD:0|SIGCHLD cannot be rewritten
-p KILL|podinit: --pdeath-signal: SIGKILL cannot be the parent-death signal: it cannot be caught
-p STOP|SIGSTOP cannot be the parent-death signal
-p SEGV|SIGSEGV cannot be the parent-death signal
-p 32|SIG32 cannot be the parent-death signal
EOF
    run --separate-stderr env PODINIT_STOP_SIGNALS=INT,ABRT "$PODINIT" -- touch "$marker"
    [ "$status" -eq 2 ]
    [ "$stderr" = "podinit: PODINIT_STOP_SIGNALS: SIGABRT cannot be a stop signal: podinit leaves the fault signals unblocked, so one sent to it would kill it" ]
    [ ! -e "$marker" ]
    # a fault is fine where it is only sent, and real-time signals are fine everywhere
    run --separate-stderr timeout "$T" "$PODINIT" --check --stop-signal ABRT -p USR1 \
        --stop-signals RTMIN+3,RTMAX,TERM -- true
    [ "$status" -eq 0 ]
    [[ "$output" == *'"stopSignals": ["SIGTERM", "SIGRTMIN+3", "SIGRTMIN+'*'"]'* ]]
    [[ "$output" == *'"stopSignal": "SIGABRT"'* ]]
}

# At the default log level the relay (loop_relay) forwards inside the wait;
# the reserved signals must stay out of it as they do at debug level.
@test "at the default log level, as PID 1, signals 32-34 reserved by the C library do not reach the app" {
    require_root
    for bin in $(binaries); do
        start_pid1 "$bin" -- "$H/sigrecv" --exit-on 12
        wait_for_line "$OUT" '^ready'
        kill -32 "$INIT"
        kill -33 "$INIT"
        if reserves_34 "$bin"; then kill -34 "$INIT"; fi
        kill -USR1 "$INIT"
        wait_for_line "$OUT" '^10$' # the ones before it were taken by then
        kill -0 "$(ready_pid "$OUT")" # the app was not killed by 32 or 33
        run grep -cE '^3[234]$' "$OUT"
        [ "$output" -eq 0 ]
        kill -USR2 "$INIT"
        rc=0
        wait "$JOB" || rc=$?
        NS=""
        [ "$rc" -eq 0 ]
    done
}
