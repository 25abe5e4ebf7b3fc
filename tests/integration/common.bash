# Shared set-up for the integration tests. Every process that acts as PID 1
# runs inside `unshare --pid --fork --mount-proc --kill-child`, and every
# command is bounded by a timeout.

B="${PODINIT_BUILD:?PODINIT_BUILD must name the build directory}"
PODINIT="$B/podinit"
H="$B/helpers"
T=30 # the bound on any single command, in seconds

require_root() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for PID namespaces"
}

# Run "$@" as PID 1 of a new PID namespace, in the foreground.
pid1() {
    timeout -k 5 "$T" unshare --pid --fork --mount-proc --kill-child "$@"
}

# Whether pid would receive a SIGTERM rather than drop it, as a PID 1 with no
# handler does unless it blocks it. It may block it (SigBlk), or be waiting
# for it in sigtimedwait(2): while it waits there the kernel takes the waited
# signals out of SigBlk, yet still delivers them (it checks the mask saved
# for the wait), and podinit waits there whenever it watches no fd.
takes_sigterm() {
    local pid=$1 mask wchan
    mask=$(awk '/^SigBlk:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || mask=""
    [ -n "$mask" ] && mask_has "$mask" 15 && return 0
    wchan=$(cat "/proc/$pid/wchan" 2>/dev/null) || wchan=""
    [[ "$wchan" == do_sigtimedwait* ]]
}

# Start "$@" as PID 1 in the background, output to $OUT and $ERR. Sets JOB
# (timeout, for `wait`), NS (unshare), INIT (PID 1, seen from here) and
# INIT_READY (1 once INIT was seen to take SIGTERM, 0 if it never was).
start_pid1() {
    timeout -k 5 "$T" unshare --pid --fork --mount-proc --kill-child "$@" >"$OUT" 2>"$ERR" &
    JOB=$!
    NS="" INIT="" INIT_READY=0
    for _ in $(seq 500); do
        [ -n "$NS" ] || NS=$(pgrep -P "$JOB" | head -n1)
        [ -n "$NS" ] && INIT=$(pgrep -P "$NS" | head -n1) && [ -n "$INIT" ] && break
        kill -0 "$JOB" 2>/dev/null || break # it has already ended
        sleep 0.01
    done
    # A PID 1 drops a signal it has no handler for: until the init takes
    # SIGTERM, a test's kill -TERM would be lost. Wait (bounded) for that,
    # as for the pid. (The wait must end when it does: its time comes out
    # of the job's own timeout, and an init the timeout signals mid-test
    # ends with 124 instead of its own code.)
    if [ -n "$INIT" ]; then
        for _ in $(seq 500); do
            takes_sigterm "$INIT" && INIT_READY=1 && return 0
            kill -0 "$INIT" 2>/dev/null || break
            sleep 0.01
        done
        return 0 # an init that never takes SIGTERM: the test decides
    fi
    echo "no PID 1 appeared under timeout $JOB; its output:" >&2
    cat "$OUT" "$ERR" >&2
    return 1
}

# Start "$@" in the background, not in a namespace: sets PROC. The test's
# bounded waits and teardown's kill keep it from outliving the test.
start_bg() {
    "$@" >"$OUT" 2>"$ERR" &
    PROC=$!
}

# What a timed-out wait shows besides its file: podinit's own log (the
# test's $ERR), and whether the namespace is still there.
podinit_log_on_timeout() {
    [ -n "${ERR:-}" ] && [ -f "$ERR" ] || return 0
    echo "--- podinit's log ($ERR), job ${JOB:-none} $( [ -n "${JOB:-}" ] && kill -0 "$JOB" 2>/dev/null && echo running || echo gone):" >&2
    tail -n 40 "$ERR" >&2
}

# Wait (bounded) until FILE has a line matching the extended regex.
wait_for_line() {
    local file=$1 pattern=$2
    for _ in $(seq 1000); do
        grep -Eq "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.01
    done
    echo "timed out waiting for /$pattern/ in $file:" >&2
    cat "$file" >&2 2>/dev/null || true
    podinit_log_on_timeout
    return 1
}

# Wait (bounded) until FILE has at least N lines matching the regex.
wait_for_count() {
    local file=$1 pattern=$2 n=$3 c
    for _ in $(seq 1000); do
        c=$(grep -Ec "$pattern" "$file" 2>/dev/null) || true
        [ "${c:-0}" -ge "$n" ] && return 0
        sleep 0.01
    done
    echo "timed out waiting for $n lines /$pattern/ in $file:" >&2
    cat "$file" >&2 2>/dev/null || true
    podinit_log_on_timeout
    return 1
}

# Wait (bounded) for INIT's child named NAME (its comm) to appear; prints
# its pid, or fails when none came within 5 s.
child_named() {
    local c
    for _ in $(seq 500); do
        c=$(pgrep -P "$INIT" -x "$1") && { echo "$c"; return 0; }
        sleep 0.01
    done
    return 1
}

# The pid printed by sigrecv's "ready PID" line in FILE.
ready_pid() {
    sed -n 's/^ready \([0-9]*\)$/\1/p' "$1" | head -n1
}

# The $- flags of `INIT... bash -m` run on a pseudo-terminal by script(1):
# a shell with job control has "m" among them. `exec` makes INIT the leader
# of script's session, as in `docker run -t`; without it, whether script's
# $SHELL execs its last command decides (dash does not).
shell_flags_on_pty() {
    local out
    out=$(printf 'echo "flags=[$-]"\nexit 0\n' |
        SHELL=/bin/sh timeout "$T" script -qec "exec $* bash --norc -m" /dev/null) ||
        return 1
    echo "$out" | tr -d '\r' | sed -n 's/^.*flags=\[\([a-zA-Z]*\)\].*$/\1/p' | tail -n1
}

# Bit N (signal N) of a hex mask such as /proc/PID/status's SigBlk.
mask_has() {
    local mask=$1 signo=$2
    (( (16#$mask >> (signo - 1)) & 1 ))
}

# The test's config file, from stdin; sets CFG.
write_config() {
    CFG="$BATS_TEST_TMPDIR/podinit.json"
    cat >"$CFG"
}

# The body of GET /status on the health endpoint at 127.0.0.1:$PORT.
status_json() {
    http_request "GET /status" | tail -n1
}

# The whole answer (head and body) to "$1 HTTP/1.1" (e.g. "POST /metrics")
# from the health endpoint at 127.0.0.1:$PORT.
http_request() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"; printf "$1 HTTP/1.1\r\n\r\n" >&3; cat <&3' "$PORT" "$1"
}

# Process number $1's name with 63 characters, the most a name may have:
# p0-xxx..., p63-xx...
name63() {
    printf 'p%s-%s' "$1" "$(printf 'x%.0s' $(seq $((60 - ${#1} + 1))))"
}

# A port nothing listens on now (for configs that must name one up front),
# below the kernel's ephemeral range (32768 and up), so that no outgoing
# connection of this or another test holds it when podinit binds it.
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12768))
        ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && echo "$p" && return 0
    done
    return 1
}

# Wait (bounded) for pid to reach a State letter in /proc (T = stopped).
wait_for_state() {
    local pid=$1 want=$2
    for _ in $(seq 500); do
        [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" = "$want" ] && return 0
        sleep 0.01
    done
    echo "pid $pid never reached state $want" >&2
    return 1
}

# Succeeds when "$@" fails: instead of `! cmd`, which bats does not count
# as a failure on any but a test's last line (set -e ignores negations).
not() {
    if "$@"; then
        return 1
    fi
    return 0
}

# CPU time (user + system, in ticks of 1/100 s) that pid has used so far:
# fields 14 and 15 of /proc/PID/stat, counted after the command name.
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat") || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}

# pid stays (nearly) idle: at most max ticks of CPU over secs seconds. A
# busy loop shows about 100 ticks a second; an idle init shows 0.
assert_idle() {
    local pid=$1 secs=$2 max=$3 before after
    before=$(cpu_ticks "$pid") || return 1
    sleep "$secs"
    after=$(cpu_ticks "$pid") || return 1
    if [ $((after - before)) -gt "$max" ]; then
        echo "pid $pid used $((after - before)) ticks of CPU in ${secs}s (at most $max)" >&2
        return 1
    fi
}

# The seconds (as "12.345") of the first log line of podinit matching the
# regex in FILE: its "podinit: 12.345s level: ..." prefix.
log_time() {
    grep -E "$2" "$1" | head -n1 | sed -n 's/^podinit: \([0-9]*\.[0-9]*\)s .*/\1/p'
}

# Whether a - b >= min, for log_time values (milliseconds compared).
at_least_apart() {
    local a=${1/./} b=${2/./} min=$3
    [ -n "$a" ] && [ -n "$b" ] && [ $((10#$a - 10#$b)) -ge "$min" ]
}

# A directory that any user can reach (the checkout may live under a 0700
# home such as /root): for what a test runs as another user. Sets REACH;
# teardown removes it.
reachable_dir() {
    REACH=$(mktemp -d /tmp/podinit-test.XXXXXX) && chmod 755 "$REACH"
}

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    ERR="$BATS_TEST_TMPDIR/err"
}

teardown() {
    # Nothing a test started may outlive it.
    # unshare --kill-child takes PID 1 (and so the namespace) with it;
    # a plain background process gets TERM, then KILL.
    # An init that changed its uid (setpriv) lost unshare's parent-death
    # signal: kill it too, while it is still a namespace's PID 1 (also one
    # start_pid1 did not see in time: unshare's child).
    local p
    for p in ${INIT:-} $([ -z "${NS:-}" ] || pgrep -P "$NS" || true); do
        if grep -Eq '^NSpid:.*[[:space:]]1$' "/proc/$p/status" 2>/dev/null; then
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    if [ -n "${NS:-}" ] && kill -KILL "$NS" 2>/dev/null; then
        wait "$JOB" 2>/dev/null || true
    fi
    # A sigrecv records TERM instead of dying: end it by the pid it printed.
    local f pid
    for f in "$OUT" "$BATS_TEST_TMPDIR"/g "$BATS_TEST_TMPDIR"/c; do
        pid=$(ready_pid "$f" 2>/dev/null)
        if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sigrecv ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    [ -z "${REACH:-}" ] || rm -rf "$REACH"
    if [ -n "${PROC:-}" ] && kill -TERM "$PROC" 2>/dev/null; then
        sleep 0.2
        kill -KILL "$PROC" 2>/dev/null || true
    fi
    return 0
}
