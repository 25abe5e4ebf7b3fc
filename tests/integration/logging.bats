#!/usr/bin/env bats
# podinit's own log output: it never blocks PID 1 (a line that cannot be
# written now is dropped and counted), and its JSON lines are valid UTF-8
# JSON whatever bytes the message carries.

bats_require_minimum_version 1.5.0
load common

# ---- a stderr pipe nobody reads --------------------------------------------

# Start "$@" as PID 1 with stderr a FIFO that this shell holds open on fd 6
# and does not read (fd 3 is bats's own). Sets FIFO, plus what start_pid1
# sets.
start_pid1_on_fifo() {
    FIFO="$BATS_TEST_TMPDIR/stderr.fifo"
    mkfifo "$FIFO"
    exec 5<>"$FIFO" # a reader, so that opening it for writing does not block
    ERR="$FIFO" start_pid1 "$@" 5>&-
    exec 6<"$FIFO" 5>&- # the reader that stays: read-only, so EOF comes when the writers go
}

# The CPU time (user + system, in 1/100 s) PID 1 has used so far.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$INIT/stat"
}

# Fails unless every "SIGNUM flags OCTAL" line the app printed shows fd 2
# without O_NONBLOCK (04000).
app_fd_stayed_blocking() {
    local flags n=0
    while read -r _ _ flags; do
        (((8#$flags & 04000) == 0)) || { echo "the app's fd 2 became O_NONBLOCK: $flags" >&2; return 1; }
        n=$((n + 1))
    done < <(grep -E '^[0-9]+ flags ' "$OUT")
    [ "$n" -gt 0 ]
}

@test "a full stderr pipe nobody reads: SIGTERM is still forwarded and PID 1 exits with the app's status" {
    require_root
    start_pid1_on_fifo "$PODINIT" -- "$H/pipefill" 15 42
    wait_for_line "$OUT" '^full [0-9]+$'
    kill -TERM "$INIT" # logging "SIGTERM received" cannot be written now
    wait_for_line "$OUT" '^15 flags ' # forwarded all the same
    rc=0
    wait "$JOB" || rc=$? # bounded by start_pid1's timeout (124 if it hung)
    NS=""
    [ "$rc" -eq 42 ]
    app_fd_stayed_blocking
}

@test "lines dropped on a full stderr pipe are counted once writing works again; PID 1 stays idle meanwhile" {
    require_root
    start_pid1_on_fifo "$PODINIT" -- "$H/pipefill" 10 42
    wait_for_line "$OUT" '^full [0-9]+$'
    queued=$(sed -n 's/^full //p' "$OUT")
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^15 flags '
    # Shutting down with the pipe full: no spinning on the lines it cannot
    # write (a busy loop would use ~100 ticks a second).
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    [ $((after - before)) -le 20 ]
    # Drain what is queued, then make podinit log again: the app exits (USR1).
    timeout 10 head -c "$queued" <&6 >"$BATS_TEST_TMPDIR/drained"
    [ "$(wc -c <"$BATS_TEST_TMPDIR/drained")" -eq "$queued" ]
    app=$(pgrep -P "$INIT")
    kill -USR1 "$app"
    rc=0
    wait "$JOB" || rc=$?
    NS=""
    [ "$rc" -eq 42 ]
    timeout 10 cat <&6 >"$ERR.rest" # EOF: every writer is gone
    exec 6<&-
    run cat "$ERR.rest"
    # The count first, once; then the line that could be written.
    [[ "${lines[0]}" =~ ^podinit:\ [0-9]+\ log\ lines\ dropped$ ]]
    [ "$(grep -c 'log lines dropped' "$ERR.rest")" -eq 1 ]
    [ "${lines[0]#podinit: }" != "0 log lines dropped" ]
    [[ "${lines[1]}" == *"info: main process exited with status 42; exiting with 42" ]]
    app_fd_stayed_blocking
}

@test "a user who cannot reopen the root-owned stderr pipe: PID 1 still never waits on it" {
    require_root
    # A pipe (bash's, so root's, mode 0600) whose reader never reads.
    coproc HOLD { exec sleep 60; }
    PROC=$HOLD_PID
    exec {w}>&"${HOLD[1]}" # (a coproc's own fds are not passed to subshells)
    # what the unprivileged user runs, where it can reach (the checkout may not be)
    reachable_dir
    install -m 755 "$PODINIT" "$H/pipefill" "$REACH/"
    cd "$REACH"
    ERR="/dev/fd/$w" start_pid1 setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$REACH/podinit" -- "$REACH/pipefill" 15 42
    exec {w}>&-
    [ "$(awk '/^Uid:/ {print $2}' "/proc/$INIT/status")" = 65534 ]
    wait_for_line "$OUT" '^full [0-9]+$'
    kill -TERM "$INIT"
    wait_for_line "$OUT" '^15 flags '
    rc=0
    wait "$JOB" || rc=$?
    NS=""
    [ "$rc" -eq 42 ]
    app_fd_stayed_blocking
}

# ---- JSON lines ---------------------------------------------------------------

# Fails unless every line of FILE is a JSON object and the file is UTF-8.
all_json_utf8() {
    python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]' <"$1"
}

@test "JSON log lines are valid UTF-8 JSON for a program named with bytes 0xff 0xfe" {
    prog="$BATS_TEST_TMPDIR/"$'app\xff\xfe'
    ln -s /bin/true "$prog"
    run --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$prog"
    [ "$status" -eq 0 ]
    printf '%s\n' "$stderr" >"$ERR"
    [ "$(wc -l <"$ERR")" -ge 2 ] # started, exit
    all_json_utf8 "$ERR"
    grep -q '"event":"started"' "$ERR"
}

@test "JSON log lines stay valid when the message is cut, mid-character or not" {
    # exec fails, and the line names the program: 2-byte characters at odd
    # and even offsets, line separators, control characters, invalid bytes.
    for pad in "" "x"; do
        name="/nonexistent/$pad$(printf 'é%.0s' $(seq 600))"
        run -127 --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$name"
        printf '%s\n' "$stderr" >"$ERR"
        all_json_utf8 "$ERR"
    done
    name=$'/nonexistent/a\u2028b\u2029c\xc2\x85d\x1ce\tf\x7fg\xff\xfe\xc3'
    run -127 --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$name"
    printf '%s\n' "$stderr" >"$ERR"
    [ "$(wc -l <"$ERR")" -eq 1 ] # one event, one line, however it is split
    all_json_utf8 "$ERR"
}
