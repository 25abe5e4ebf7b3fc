#!/usr/bin/env bats
# Storms, podinit as PID 1: a flood of signals and a flood of orphans. It
# survives, keeps forwarding and reaping, does not grow, and still shuts
# down with the right exit code.

bats_require_minimum_version 1.5.0
load common

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

@test "10,000 signals of mixed kinds: podinit survives, forwards each kind, then stops on SIGTERM" {
    require_root
    start_pid1 "$PODINIT" -- "$H/sigrecv" --exit-on 15
    wait_for_line "$OUT" '^ready'
    rt=$(($(kill -l RTMIN) + 2))
    for _ in $(seq 2000); do
        kill -USR1 "$INIT"
        kill -USR2 "$INIT"
        kill -HUP "$INIT"
        kill -WINCH "$INIT"
        kill -"$rt" "$INIT"
    done
    [ -d "/proc/$INIT" ] # alive
    # classic signals coalesce on the way; each kind arrives, and the queued
    # real-time ones arrive one for one unless the queue limit was hit
    for s in 10 12 1 28; do wait_for_line "$OUT" "^$s\$"; done
    wait_for_line "$OUT" "^$rt\$"
    kill -TERM "$INIT"
    wait "$JOB" # sigrecv exits 0 on TERM, and so does podinit
    [ "$(grep -c "^$rt\$" "$OUT")" -ge 1000 ]
}

@test "20,000 short-lived orphans: all reaped, no zombie left, podinit does not grow" {
    require_root
    # Two forks per orphan: about 35 s on a quiet 2-core VM, so this test
    # has its own, longer bound.
    T=300
    start_pid1 "$PODINIT" -- sh -c "sleep 0.5; '$H/orphanstorm' 20000 && sleep 300"
    sleep 0.3
    before=$(rss_kib "$INIT")
    for _ in $(seq 300); do # up to 5 minutes: a busy machine forks slowly
        grep -q '^orphanstorm: 20000$' "$OUT" && break
        sleep 1
    done
    grep -q '^orphanstorm: 20000$' "$OUT"
    # every orphan reaped: no zombie left in the namespace (bounded wait)
    zombies=""
    for _ in $(seq 500); do
        zombies=$(for p in $(pgrep -P "$INIT"); do awk '{print $3}' "/proc/$p/stat" 2>/dev/null; done | grep -c Z || true)
        [ "$zombies" = "0" ] && break
        sleep 0.02
    done
    [ "$zombies" = "0" ]
    after=$(rss_kib "$INIT")
    echo "# RSS before $before KiB, after $after KiB" >&3
    [ "$after" -le $((before + 64)) ] # no growth beyond noise
    kill -TERM "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    [ "$rc" -eq 143 ] # sh killed by the TERM
}

# The pending-signal limit (RLIMIT_SIGPENDING) counts the signals queued on
# every process of a uid: a flood to fill it runs PID 1 as a uid of this
# run's own, so that root's other processes keep their queue. The limit:
# 100,000 where root may raise it (CAP_SYS_RESOURCE), else the host's (its
# default follows the RAM). At 96,367 reading the whole queue before a
# round took 23-35 s, at 30,000 0.8 s (the kernel's walk makes it
# quadratic): below 70,000 the bounds below could not tell the old loops
# from the new (3 s against their ~12 s there, 30 ms for the new).
FLOOD_UID=$((40000 + $$ % 20000))
flood_limit() {
    if prlimit --sigpending=100000:100000 true 2>/dev/null; then
        FLOOD_LIMIT=100000
        return 0
    fi
    FLOOD_LIMIT=$(ulimit -Hi)
    [ "$FLOOD_LIMIT" = unlimited ] && FLOOD_LIMIT=100000
    ((FLOOD_LIMIT > 100000)) && FLOOD_LIMIT=100000
    ((FLOOD_LIMIT >= 70000)) || skip "a pending-signal limit of $FLOOD_LIMIT is too small for the flood to tell"
}

# start_flooded_pid1 [ARGS...]: podinit ARGS -- sigrecv as PID 1, stopped
# (allowed from the parent namespace) while its queue fills up to the
# limit with two real-time signals interleaved, so that every dequeue
# walks that queue; SIGCONT is the caller's. Sets JOB and INIT as
# start_pid1 does.
start_flooded_pid1() {
    flood_limit
    [ -n "${REACH:-}" ] || reachable_dir
    install -m 755 "$PODINIT" "$REACH/podinit"
    install -m 755 "$H/sigrecv" "$REACH/sigrecv"
    cd "$REACH"
    start_pid1 prlimit --sigpending="$FLOOD_LIMIT:$FLOOD_LIMIT" \
        setpriv --reuid="$FLOOD_UID" --regid="$FLOOD_UID" --clear-groups \
        "$REACH/podinit" "$@" -- "$REACH/sigrecv" --exit-on 15
    wait_for_line "$OUT" '^ready'
    rt=$(kill -l RTMIN)
    kill -STOP "$INIT"
    wait_for_state "$INIT" T
    "$H/sigflood" "$INIT" $((FLOOD_LIMIT + 5000)) $((rt + 1)) $((rt + 2)) >"$BATS_TEST_TMPDIR/flood"
    cat "$BATS_TEST_TMPDIR/flood" >&3
    grep -Eq 'refused [1-9]' "$BATS_TEST_TMPDIR/flood" # the queue was full
}

# SIGTERM on top of the flood, PID 1 continued: it must stop, see its
# program exit and end within a bound.
term_ends_it() {
    kill -TERM "$INIT"
    start=$(date +%s%N)
    kill -CONT "$INIT"
    rc=0
    wait "$JOB" || rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "# SIGTERM to exit: $ms ms" >&3
    [ "$rc" -eq 0 ] # sigrecv exits 0 on TERM, and so does podinit
    [ "$ms" -lt 3000 ] # a few ms
}

health_config() {
    PORT=$(free_port)
    cat >"$REACH/c.json" <<JSON
{"health": {"listen": "127.0.0.1:$PORT"}}
JSON
}

@test "a full signal queue does not hold back SIGTERM and the exit (no fd watched: sigtimedwait)" {
    require_root
    start_flooded_pid1
    term_ends_it
}

@test "a full signal queue does not hold back SIGTERM and the exit (health endpoint: the signalfd)" {
    require_root
    reachable_dir
    health_config
    start_flooded_pid1 --config "$REACH/c.json"
    term_ends_it
}

@test "a full queue of relayed signals does not hold back the health endpoint's answers" {
    require_root
    reachable_dir
    health_config
    start_flooded_pid1 --config "$REACH/c.json"
    start=$(date +%s%N)
    kill -CONT "$INIT"
    code=$("$PODINIT" --probe "http://127.0.0.1:$PORT/livez" --timeout 4 2>&1)
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "# /livez answered in $ms ms: $code" >&3
    [[ "$code" == *"HTTP 200"* ]]
    [ "$ms" -lt 4000 ]
    kill -TERM "$INIT"
    wait "$JOB"
}
