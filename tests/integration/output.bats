#!/usr/bin/env bats
# "output": "prefix" and "json", podinit as PID 1: each process's lines on
# podinit's own stdout and stderr with its name (or as JSON), whole, never
# stalling PID 1 however much a process writes.

bats_require_minimum_version 1.5.0
load common

# NAME's script: N numbered lines on stdout and on stderr, then a last
# line without a newline on stdout.
lines_of() {
    printf "i=1; while [ \$i -le %d ]; do echo %s out \$i; echo %s err \$i >&2; i=\$((i+1)); done; printf '%s last'" "$2" "$1" "$1" "$1"
}

@test "prefix: every line of two processes once, with its name, on its own stream; a last line without newline too" {
    require_root
    write_config <<EOF
{"processes": [
  {"name": "web", "output": "prefix", "command": ["sh", "-c", "$(lines_of web 300); sleep 0.5"]},
  {"name": "db", "output": "prefix", "command": ["sh", "-c", "$(lines_of db 300); sleep 5"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    for p in web db; do
        [ "$(grep -c "^$p | $p out [0-9]*\$" "$OUT")" -eq 300 ]
        [ "$(grep -c "^$p | $p err [0-9]*\$" "$ERR")" -eq 300 ]
        not grep -q "$p err" "$OUT"
        not grep -q "$p out" "$ERR"
        # in order, each once
        [ "$(grep "^$p | $p out" "$OUT" | sed 's/.* //' | tr '\n' ' ')" = "$(seq 1 300 | tr '\n' ' ')" ]
    done
    grep -qx 'web | web last' "$OUT" # web ended on its own: its last line flushed
}

@test "json: every line one object with time, process, stream and msg; valid UTF-8 whatever the bytes" {
    require_root
    write_config <<EOF
{"processes": [{"name": "api", "output": "json",
  "command": ["sh", "-c", "echo 'plain'; printf 'bad \\\\377 byte\\\\n'; echo 'to stderr' >&2; printf 'tab\\\\there \"q\"\\\\n'; printf 'no newline'"]}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    run -0 timeout 10 python3 - "$OUT" "$ERR" <<'EOF'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], 'rb').read().decode('utf-8').splitlines()]
err = [json.loads(l) for l in open(sys.argv[2], 'rb').read().decode('utf-8').splitlines()
       if l.startswith('{')]
msgs = [o["msg"] for o in out]
assert msgs == ["plain", "bad \ufffd byte", 'tab\there "q"', "no newline"], msgs
assert all(o["process"] == "api" and o["stream"] == "stdout" and isinstance(o["time"], float)
           for o in out), out
assert [o["msg"] for o in err if o.get("process") == "api"] == ["to stderr"], err
assert all(o["stream"] == "stderr" for o in err if o.get("process") == "api")
EOF
}

@test "50 MB into a stdout nobody reads: signals still pass within a second, SIGTERM ends it within the grace, RSS stays small" {
    require_root
    S="$BATS_TEST_TMPDIR/sig"
    GO="$BATS_TEST_TMPDIR/go" # the flood starts once podinit's idle RSS is read
    write_config <<EOF
{"terminationGracePeriodSeconds": 10,
 "processes": [{"name": "flood", "output": "prefix",
  "command": ["sh", "-c", "while [ ! -e $GO ]; do sleep 0.02; done; yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | head -c 50000000; echo flooded >$BATS_TEST_TMPDIR/done; exec \"\$0\" --exit-on 15 > $S", "$H/sigrecv"]}]}
EOF
    # stdout: a pipe whose reader never reads
    timeout "$T" unshare --pid --fork --mount-proc --kill-child "$PODINIT" --config "$CFG" 2>"$ERR" | sleep "$T" &
    JOB=$!
    for _ in $(seq 500); do
        INIT=$(pgrep -f "^$PODINIT --config $CFG\$" | head -n1)
        [ -n "$INIT" ] && break
        sleep 0.01
    done
    [ -n "$INIT" ]
    sleep 0.2
    before=$(awk '/^VmRSS:/ {print $2}' "/proc/$INIT/status")
    : >"$GO"
    wait_for_line "$S" '^ready'
    after=$(awk '/^VmRSS:/ {print $2}' "/proc/$INIT/status")
    echo "# RSS idle $before KiB, after 50 MB $after KiB" >&3
    # Bounded buffers: the flood adds little. (An ASan build starts near
    # 9 MiB, so the bound is on the growth; the plain build's total too.)
    [ "$after" -le $((before + 1024)) ]
    ldd "$PODINIT" 2>/dev/null | grep -q libasan || [ "$after" -lt 4096 ]
    kill -HUP "$INIT"
    t0=$(date +%s%N)
    wait_for_line "$S" '^1$'
    [ $((($(date +%s%N) - t0) / 1000000)) -lt 1000 ]
    assert_idle "$INIT" 1 5
    t0=$(date +%s%N)
    kill -TERM "$INIT"
    for _ in $(seq 1000); do kill -0 "$INIT" 2>/dev/null || break; sleep 0.01; done
    not kill -0 "$INIT" 2>/dev/null
    [ $((($(date +%s%N) - t0) / 1000000)) -lt 10000 ]
    grep -q '^15$' "$S"
    kill "$JOB" 2>/dev/null || true
}

@test "lines stdout could not take are dropped and counted; the count comes before the next line written" {
    require_root
    R="$BATS_TEST_TMPDIR/read"
    write_config <<EOF
{"processes": [{"name": "burst", "output": "prefix",
  "command": ["sh", "-c", "yes 'a line of the burst' | head -n 100000; sleep 5; echo after; sleep 0.5"]}]}
EOF
    # the reader starts 2 s late: the pipe fills, the rest of the burst is dropped
    rc=0
    timeout "$T" unshare --pid --fork --mount-proc --kill-child "$PODINIT" --config "$CFG" 2>"$ERR" \
        > >(sleep 2; cat >"$R") || rc=$?
    [ "$rc" -eq 0 ]
    for _ in $(seq 300); do grep -q 'burst | after' "$R" 2>/dev/null && break; sleep 0.01; done
    kept=$(grep -c '^burst | a line of the burst$' "$R")
    [ "$kept" -gt 0 ] && [ "$kept" -lt 100000 ]
    note=$(grep -n '^podinit: [0-9]* lines of burst dropped$' "$R")
    [ -n "$note" ]
    n=$(sed 's/.*podinit: \([0-9]*\) lines.*/\1/' <<<"$note")
    [ $((kept + n)) -eq 100000 ] # every line: written, or counted
    [ "$(tail -n1 "$R")" = 'burst | after' ]
    [ "$(tail -n2 "$R" | head -n1)" = "${note#*:}" ]
}

@test "hooks and exec probes of a process follow its output" {
    require_root
    write_config <<EOF
{"processes": [{"name": "web", "output": "prefix",
  "command": ["sh", "-c", "sleep 1"],
  "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "echo from the hook; echo hook err >&2"]}}},
  "readinessProbe": {"exec": {"command": ["sh", "-c", "echo from the probe"]}, "periodSeconds": 0.2}}]}
EOF
    rc=0
    pid1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    grep -qx 'web | from the hook' "$OUT"
    grep -qx 'web | hook err' "$ERR"
    grep -qx 'web | from the probe' "$OUT"
}

@test "output: --check prints it; a bad value is one line" {
    echo '{"processes": [{"command": ["true"], "output": "prefix"}]}' >"$BATS_TEST_TMPDIR/c.json"
    run -0 "$PODINIT" --check --config "$BATS_TEST_TMPDIR/c.json"
    [[ "$output" == *'"output": "prefix"'* ]]
    echo '{"processes": [{"command": ["true"], "output": "syslog"}]}' >"$BATS_TEST_TMPDIR/c.json"
    run -2 "$PODINIT" --check --config "$BATS_TEST_TMPDIR/c.json"
    [ "$output" = "$BATS_TEST_TMPDIR/c.json: processes[0].output: must be inherit, prefix or json, got \"syslog\"" ]
}

@test "output by SIGIO: a process's writes are never passed on to it as SIGIO; one sent with kill is; idle, PID 1 sleeps; after a restart too" {
    require_root
    F="$BATS_TEST_TMPDIR/ran"
    write_config <<EOF
{"processes": [
  {"name": "app", "output": "prefix",
   "command": ["sh", "-c", "i=0; while [ \$i -lt 300 ]; do echo line \$i; i=\$((i+1)); done; exec \"\$0\" --exit-on 15", "$H/sigrecv"]},
  {"name": "crash", "output": "prefix", "restartPolicy": "Always",
   "restartBackoff": {"initialSeconds": 0.2, "maxSeconds": 0.2},
   "command": ["sh", "-c", "echo run >>$F; echo once; [ \$(wc -l <$F) -ge 2 ] && exec sleep 300; exit 1"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^app \| ready'
    wait_for_count "$OUT" '^crash \| once$' 2 # restarted once, now sleeping
    [ "$(grep -c '^app | line [0-9]*$' "$OUT")" -eq 300 ]
    # ~300 writes raised SIGIO at podinit: none reached the app as a signal
    not grep -q '^app | 29$' "$OUT"
    # a forwarded signal still goes through (and its line comes back)
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^app \| 10$'
    not grep -q '^app | 29$' "$OUT"
    # nothing written, nothing to do: PID 1 sleeps (a spin shows ~100 a second)
    assert_idle "$INIT" 2 5
    kill -IO "$INIT" # the user's SIGIO is forwarded as any signal
    wait_for_line "$OUT" '^app \| 29$'
    [ "$(grep -c '^app | 29$' "$OUT")" -eq 1 ]
    # and it waits in sigtimedwait: no epoll set was ever opened
    [ "$(find "/proc/$INIT/fd" -lname 'anon_inode:\[eventpoll\]' | wc -l)" -eq 0 ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "a SIGIO sent with kill while a process floods its output reaches the process every time" {
    require_root
    S="$BATS_TEST_TMPDIR/sig"
    # The flood ignores SIGIO (forwarded to the whole group); sigrecv
    # writes what it gets to a file of its own.
    write_config <<EOF
{"processes": [{"name": "app", "output": "prefix",
  "command": ["sh", "-c", "(trap '' IO; exec yes flood) & exec \"\$0\" --exit-on 15 >$S", "$H/sigrecv"]}]}
EOF
    OUT=/dev/null # the flood's lines: nobody needs them
    # On one CPU the flood writes whenever podinit is not running: a SIGIO
    # of the pipe would always be pending (and taken first) if it were on.
    taskset -cp 0 "$BASHPID" >/dev/null
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$S" '^ready'
    for i in $(seq 20); do
        kill -IO "$INIT"
        wait_for_count "$S" '^29$' "$i" # each one, before the next is sent
    done
    [ "$(grep -c '^29$' "$S")" -eq 20 ]
    kill -TERM "$INIT"
    wait "$JOB"
}

# A pipe's SIGIO is raised on podinit's thread, and a thread's own pending
# signals are taken before the process's: were it left on during a flood,
# one would always be pending and SIGTERM and SIGCHLD never taken (on one
# CPU podinit ran on, unstoppable, until the timeout's SIGKILL).
@test "an output flood on one CPU holds back neither SIGTERM nor a process's exit" {
    require_root
    taskset -cp 0 "$BASHPID" >/dev/null
    write_config <<EOF
{"processes": [{"name": "app", "output": "prefix", "command": ["yes", "flood"]}]}
EOF
    OUT=/dev/null
    start_pid1 "$PODINIT" --config "$CFG"
    sleep 1 # the flood under way
    local t0=$SECONDS rc=0
    kill -TERM "$INIT"
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ] # yes died of the forwarded SIGTERM; not 124 (the timeout)
    [ $((SECONDS - t0)) -le 10 ]
    # an exit during a flood is reaped and ends the container with its code
    write_config <<EOF
{"processes": [{"name": "app", "output": "prefix", "command": ["yes", "flood"]},
  {"name": "short", "command": ["sh", "-c", "sleep 1; exit 3"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    t0=$SECONDS rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 3 ]
    [ $((SECONDS - t0)) -le 11 ]
    grep -q 'short.*exited with status 3' "$ERR"
}

# Not its owner, a non-root podinit cannot reopen a root 0600 FIFO as its
# own non-blocking description; it writes when poll finds room. Room for
# PIPE_BUF is not room for a 10 KB line: written whole, the line blocked
# PID 1 (SIGTERM unhandled) until someone drained the FIFO.
@test "stdout a FIFO podinit cannot reopen: long lines never block it; SIGTERM still ends it" {
    require_root
    reachable_dir
    install -m 755 "$PODINIT" "$REACH/podinit"
    local fifo="$REACH/fifo" hold rc=0
    mkfifo -m 600 "$fifo"
    exec {hold}<>"$fifo" # a reader that never reads
    cat >"$REACH/podinit.json" <<EOF
{"processes": [{"name": "web", "output": "prefix", "command": ["sh", "-c",
  "i=0; while [ \$i -lt 20 ]; do head -c 10000 /dev/zero | tr '\\\\0' x; echo; i=\$((i+1)); done; echo done >&2; exec sleep 30"]}]}
EOF
    cd "$REACH"
    # opened by root (sh), written by nobody (podinit, after setpriv)
    start_pid1 sh -c 'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" --config "$1" >"$2"' \
        "$REACH/podinit" "$REACH/podinit.json" "$fifo"
    wait_for_line "$ERR" '^web \| done$' # its 200 KB went by: what did not fit was dropped
    kill -TERM "$INIT"
    wait "$JOB" || rc=$?
    exec {hold}>&-
    [ "$rc" -eq 143 ]
}
