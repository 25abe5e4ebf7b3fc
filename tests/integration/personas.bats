#!/usr/bin/env bats
# The same binary invoked as tini/docker-init, dumb-init and
# catatonit/podman-init behaves as that tool does, so it can replace any of
# them without changing an ENTRYPOINT. Each case mirrors a behaviour that
# the tool's own test suite or documentation sets.

bats_require_minimum_version 1.5.0
load common

TINI="$B/tini"
DUMB="$B/dumb-init"

# ---- tini ---------------------------------------------------------------

@test "tini: not PID 1 and no -s: warns that zombie reaping won't work, and it doesn't" {
    run --separate-stderr env TINI_VERBOSITY=1 timeout "$T" "$TINI" -- sh -c "'$H/orphans' 20 \$PPID"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"zombie reaping won't work"* ]]
}

@test "tini: -s or TINI_SUBREAPER make it a quiet subreaper; -w reports each reaped zombie" {
    run --separate-stderr timeout "$T" "$TINI" -s -- sh -c "'$H/orphans' 20 \$PPID"
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"zombie reaping won't work"* ]]
    [[ "$stderr" != *"Reaped zombie process with pid="* ]]
    run --separate-stderr env TINI_SUBREAPER= timeout "$T" "$TINI" -- sh -c "'$H/orphans' 20 \$PPID"
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"zombie reaping won't work"* ]]
    run --separate-stderr timeout "$T" "$TINI" -s -w -- sh -c "'$H/orphans' 20 \$PPID"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"Reaped zombie process with pid="* ]]
}

@test "tini: TERM, USR1 and USR2 reach the child, and tini exits 128+N" {
    for sig in TERM:15 USR1:10 USR2:12; do
        start_bg "$TINI" -s -- sleep 100
        for _ in $(seq 500); do pgrep -P "$PROC" >/dev/null && break; sleep 0.01; done
        kill -"${sig%%:*}" "$PROC"
        rc=0
        wait "$PROC" || rc=$?
        [ "$rc" -eq $((128 + ${sig##*:})) ]
        PROC=""
    done
}

@test "tini: -g and TINI_KILL_PROCESS_GROUP signal the child's whole group; plain tini does not" {
    # sh ignores USR1 but its sleep does not: only a group signal ends both.
    # sh says when it is ready (trap set, sleep started) by creating a file.
    ready="$BATS_TEST_TMPDIR/ready"
    child='sleep 100 & trap "" USR1; : > "$0"; wait $!; exit 0'
    for variant in "-g" "env" "plain"; do
        rm -f "$ready"
        case $variant in
        -g) start_bg "$TINI" -s -g -- sh -c "$child" "$ready" ;;
        env) start_bg env TINI_KILL_PROCESS_GROUP=1 "$TINI" -s -- sh -c "$child" "$ready" ;;
        plain) start_bg "$TINI" -s -- sh -c "$child" "$ready" ;;
        esac
        for _ in $(seq 1000); do [ -e "$ready" ] && break; sleep 0.01; done
        [ -e "$ready" ]
        kill -USR1 "$PROC"
        if [ "$variant" != plain ]; then
            wait "$PROC" # sleep died of USR1, so sh went on and exited 0
            PROC=""
        fi
    done
    sleep 0.3
    kill -0 "$PROC" # plain tini: the child (sh) ignored it; nothing else got it
    kill -KILL -- -"$(pgrep -P "$PROC")" # end sh and its sleep (their own group)
}

@test "tini: -e CODE remaps exactly that code, for every code 0-255" {
    for code in $(seq 0 255); do
        "$TINI" -s -e "$code" -- sh -c "exit $code" 2>/dev/null || { echo "code $code not remapped"; false; }
    done
    others=()
    for c in $(seq 0 255); do [ "$c" -ne 77 ] && others+=(-e "$c"); done
    run -77 "$TINI" -s "${others[@]}" sh -c "exit 77"
}

@test "tini and docker-init: --version is readable by docker info" {
    for name in tini docker-init; do
        run "$B/$name" --version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^tini\ version\ [0-9.]+\ -\ git\.[0-9a-z]+$ ]]
    done
}

@test "tini: the child gets the caller's ignored (TTOU SEGV INT) and blocked (TTIN ILL TERM) signals" {
    run timeout "$T" "$H/launch" --ignore 22 --ignore 11 --ignore 2 --block 21 --block 4 --block 15 \
        -- "$TINI" -s -- cat /proc/self/status
    [ "$status" -eq 0 ]
    blk=$(echo "$output" | awk '/^SigBlk/ {print $2}')
    ign=$(echo "$output" | awk '/^SigIgn/ {print $2}')
    for s in 22 11 2; do mask_has "$ign" "$s"; done
    for s in 21 4 15; do mask_has "$blk" "$s"; done
}

@test "tini: exec failure says so in tini's words and exits 127" {
    run -127 timeout "$T" "$TINI" -s -- /does/not/exist
    [[ "$output" == *"[FATAL tini ("*")] exec /does/not/exist failed: No such file or directory"* ]]
}

@test "tini: as PID 1 it reaps orphans and passes the child's status" {
    require_root
    run pid1 "$TINI" -- "$H/orphans" 200 1
    [ "$status" -eq 0 ]
    run -3 pid1 "$TINI" -- sh -c 'exit 3'
}

# ---- dumb-init ----------------------------------------------------------

@test "dumb-init: version, help, usage and -r errors in dumb-init's words" {
    run --separate-stderr "$DUMB" -V
    [ "$status" -eq 0 ]
    [ "$stderr" = "dumb-init v1.2.5" ]
    run --separate-stderr "$DUMB" --help
    [ "$status" -eq 0 ]
    [ "${stderr_lines[1]}" = "Usage: $DUMB [option] command [[arg] ...]" ]
    run --separate-stderr "$DUMB"
    [ "$status" -eq 1 ]
    [ "${stderr_lines[0]}" = "Usage: $DUMB [option] program [args]" ]
    run --separate-stderr "$DUMB" -r 15::12 echo hi
    [ "$status" -eq 1 ]
    [ "${stderr_lines[0]}" = "Usage: -r option takes <signum>:<signum>, where <signum> is between 1 and 31." ]
    run --separate-stderr "$DUMB" --yolo /bin/true
    [ "$status" -eq 1 ]
    [ "$stderr" = "$DUMB: unrecognized option '--yolo'" ]
}

@test "dumb-init: -v traces spawn, SIGCHLD, reap, TERM to the group, goodbye, in that order" {
    run --separate-stderr "$DUMB" -v echo oh, hi
    [ "$status" -eq 0 ]
    [ "$output" = "oh, hi" ]
    [[ "$stderr" == *"[dumb-init] setsid complete."* ]]
    order=$(echo "$stderr" | grep -v 'setsid complete' | grep -v 'controlling tty' | sed -E 's/[0-9]+/N/g' | tr '\n' '|')
    [ "$order" = "[dumb-init] Child spawned with PID N.|[dumb-init] Received signal N.|[dumb-init] A child with PID N exited with exit status N.|[dumb-init] Forwarded signal N to children.|[dumb-init] Child exited with status N. Goodbye.|" ]
    run --separate-stderr "$DUMB" -v -c echo oh, hi
    [ "$status" -eq 0 ]
    [[ "$stderr" != *"setsid complete"* ]]
    [[ "$stderr" == *"Child exited with status 0. Goodbye."* ]]
}

# The child writes "setsid complete." before its exec, which PID 1 waits
# for: on a full stderr a blocking write would hold PID 1 too.
@test "dumb-init: -v with a stderr nobody reads: the child's note is dropped, PID 1 still takes SIGTERM" {
    require_root
    local fifo="$BATS_TEST_TMPDIR/full" hold rc=0
    mkfifo "$fifo"
    exec {hold}<>"$fifo" # a reader that never reads, held open
    dd if=/dev/zero of="$fifo" bs=4096 count=16 status=none # 64 KiB: full
    start_pid1 sh -c 'exec "$0" -v sleep 100 2>"$1"' "$DUMB" "$fifo"
    child=$(child_named sleep) || true
    [ -n "$child" ] # it got to its exec
    kill -TERM "$INIT"
    wait "$JOB" || rc=$?
    exec {hold}>&-
    [ "$rc" -eq 143 ]
}

@test "dumb-init: proxies every normal signal 1-31 (faults too) in both setsid modes" {
    for setsid in 1 0; do
        start_bg env DUMB_INIT_SETSID=$setsid "$DUMB" "$H/sigrecv"
        wait_for_line "$OUT" '^ready'
        for s in $(seq 1 31); do
            case $s in 9 | 17 | 19 | 20 | 21 | 22) continue ;; esac # KILL CHLD STOP TSTP TTIN TTOU
            kill -"$s" "$PROC"
            wait_for_line "$OUT" "^$s\$"
        done
        kill -KILL "$(ready_pid "$OUT")"
        wait "$PROC" || true
        PROC=""
    done
}

@test "dumb-init: -r rewrites and drops as dumb-init's suite expects" {
    start_bg "$DUMB" -r 15:2 -r 2:15 -r 3:3 "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    for pair in 15:2 3:3 18:18 2:15; do
        kill -"${pair%%:*}" "$PROC"
        wait_for_line "$OUT" "^${pair##*:}\$"
    done
    kill -KILL "$(ready_pid "$OUT")"; wait "$PROC" || true
    start_bg "$DUMB" -r 1:31 -r 31:1 "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    kill -1 "$PROC"; wait_for_line "$OUT" '^31$'
    kill -31 "$PROC"; wait_for_line "$OUT" '^1$'
    kill -KILL "$(ready_pid "$OUT")"; wait "$PROC" || true
    start_bg "$DUMB" -r 15:3 -r 2:0 -r 28:0 "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    kill -TERM "$PROC"; kill -INT "$PROC"
    wait_for_line "$OUT" '^3$'
    kill -WINCH "$PROC"; kill -HUP "$PROC"
    wait_for_line "$OUT" '^1$'
    [ "$(sed -n 3p "$OUT")" = "1" ] # INT and WINCH never arrived
}

@test "dumb-init: in setsid mode TSTP/TTIN/TTOU stop it and its child; CONT wakes both" {
    start_bg env DUMB_INIT_SETSID=1 "$DUMB" "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    child=$(ready_pid "$OUT")
    n=0
    for s in 20 21 22; do
        kill -"$s" "$PROC"
        wait_for_state "$PROC" T
        wait_for_state "$child" T
        kill -CONT "$PROC"
        wait_for_state "$PROC" S
        n=$((n + 1))
        wait_for_count "$OUT" '^18$' "$n" # the child got the CONT too
    done
    kill -KILL "$child"
}

@test "dumb-init: without setsid it forwards TSTP/TTIN/TTOU, then suspends itself" {
    start_bg env DUMB_INIT_SETSID=0 "$DUMB" "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    for s in 20 21 22; do
        kill -"$s" "$PROC"
        wait_for_line "$OUT" "^$s\$"
        wait_for_state "$PROC" T
        kill -CONT "$PROC"
        wait_for_state "$PROC" S
    done
    kill -KILL "$(ready_pid "$OUT")"
}

@test "dumb-init: explicit rewrites of TTIN/TTOU/TSTP win in setsid mode, and it still suspends" {
    start_bg env DUMB_INIT_SETSID=1 "$DUMB" -r 21:15 -r 22:2 -r 20:1 "$H/sigrecv"
    wait_for_line "$OUT" '^ready'
    for pair in 21:15 22:2 20:1; do
        kill -"${pair%%:*}" "$PROC"
        wait_for_line "$OUT" "^${pair##*:}\$"
        wait_for_state "$PROC" T
        kill -CONT "$PROC"
        wait_for_state "$PROC" S
    done
    kill -KILL "$(ready_pid "$OUT")"
}

@test "dumb-init: setsid mode gives the child its own session; -c does not" {
    run --separate-stderr "$DUMB" sh -c 'echo $(ps -o sid= -p $$) $$'
    set -- $output
    [ "$1" = "$2" ]
    run --separate-stderr "$DUMB" -c sh -c 'echo $(ps -o sid= -p $$) $$'
    set -- $output
    [ "$1" != "$2" ]
}

@test "dumb-init: when the child exits, the rest of its session gets TERM (setsid mode only)" {
    run timeout "$T" env DUMB_INIT_SETSID=1 "$DUMB" sh -c "'$H/sigrecv' --exit-on 15 > '$OUT' 2>/dev/null & sleep 1"
    [ "$status" -eq 0 ]
    wait_for_line "$OUT" '^15$'
    run timeout "$T" env DUMB_INIT_SETSID=0 "$DUMB" sh -c "'$H/sigrecv' --exit-on 1 > '$OUT' 2>/dev/null & sleep 1"
    [ "$status" -eq 0 ]
    kill -HUP "$(ready_pid "$OUT")"
    wait_for_line "$OUT" '^1$'
    [ "$(sed -n 2p "$OUT")" = "1" ] # no TERM before our HUP
}

@test "dumb-init: exit statuses, signals as 128+N, and exec failures" {
    for code in 0 1 2 32 64 127 254 255; do
        run -"$code" "$DUMB" sh -c "exit $code"
    done
    for s in 15 1 3 9; do
        run -$((128 + s)) "$DUMB" sh -c "kill -$s \$\$"
    done
    for args in "/doesnotexist" "-- /doesnotexist" "-c /doesnotexist" "--single-child -- /doesnotexist"; do
        run -127 "$DUMB" $args
        [[ "$output" == *"[dumb-init] /doesnotexist: No such file or directory"* ]]
    done
}

@test "dumb-init: the child starts with 1-31 at their default and nothing blocked, whatever the caller ignored or blocked" {
    # dumb-init sets a handler on each of 1-31 (exec resets it) and unblocks
    # every signal in its child; an ignored real-time signal stays ignored.
    # A caller that ignores QUIT (a non-interactive shell's background job)
    # must not turn the child's `kill -3 $$` into a no-op.
    for flags in "" "--single-child"; do
        run timeout "$T" "$H/launch" --ignore 2 --ignore 3 --ignore 40 --block 10 --block 15 \
            --block 40 -- "$DUMB" $flags grep -E '^Sig(Blk|Ign)' /proc/self/status
        [ "$status" -eq 0 ]
        blk=$(echo "$output" | awk '/^SigBlk/ {print $2}')
        ign=$(echo "$output" | awk '/^SigIgn/ {print $2}')
        for s in 2 3; do ! mask_has "$ign" "$s" || false; done
        mask_has "$ign" 40
        for s in 10 15 40; do ! mask_has "$blk" "$s" || false; done
    done
    run -131 timeout "$T" "$H/launch" --ignore 3 -- "$DUMB" sh -c 'kill -3 $$'
}

@test "dumb-init: under a terminal the child gets it (bash -m has job control)" {
    flags=$(shell_flags_on_pty "$DUMB")
    [[ "$flags" == *m* ]]
}

@test "dumb-init: the child starts in the caller's cwd; dumb-init holds /" {
    cd "$BATS_TEST_TMPDIR"
    # (dumb-init moves to / just after starting the child: wait, bounded)
    run --separate-stderr "$DUMB" sh -c 'for i in $(seq 500); do [ "$(readlink /proc/$PPID/cwd)" = / ] && break; sleep 0.01; done; readlink /proc/$PPID/cwd && readlink /proc/$$/cwd'
    [ "$output" = "/"$'\n'"$BATS_TEST_TMPDIR" ]
}

# ---- catatonit / podman-init ---------------------------------------------

@test "catatonit: a subreaper by default; -g signals the group; -V in docker-init form" {
    run timeout "$T" "$B/catatonit" -- sh -c "'$H/orphans' 20 \$PPID"
    [ "$status" -eq 0 ]
    run "$B/catatonit" -V
    [ "$output" = "tini version 0.1.7_catatonit" ]
    ready="$BATS_TEST_TMPDIR/ready"
    start_bg "$B/catatonit" -g -- sh -c 'sleep 100 & trap "" USR1; : > "$0"; wait $!; exit 0' "$ready"
    for _ in $(seq 1000); do [ -e "$ready" ] && break; sleep 0.01; done
    kill -USR1 "$PROC"
    wait "$PROC"
    PROC=""
}

@test "podman-init -P as PID 1: pauses through other signals, exits 0 on SIGTERM" {
    require_root
    start_pid1 "$B/podman-init" -P
    kill -HUP "$INIT"
    sleep 0.2
    kill -0 "$INIT"
    kill -TERM "$INIT"
    wait "$JOB"
}
