# shellcheck shell=bash disable=SC2154 # here, work and B: set by the caller
# bench/common.sh — sourced by bench/run, bench/rounds and bench/fwdcost:
# the inits compared and how each is invoked, the tools built once into a
# work directory, and how an init is started as PID 1 of its own PID
# namespace. Expects B (the build dir), here (bench/) and work (a temp dir).

# The measuring tools, compiled into $work unless already there.
bench_tools() {
    local t
    for t in "$@"; do
        [ -x "$work/$t" ] || cc -O2 -o "$work/$t" "$here/$t.c"
    done
}

# podinit with one readiness probe every second (a TCP connect to a closed
# port): it should wake once a second for it, and no more.
# podinit with the lifecycle configured (postStart, drain, preStop): once
# the postStart hook is done, it must idle with no timer either.
# podinit passing its program's output on (idle here: fwdlat's child
# writes nothing): the pipes are read on SIGIO, so the loop stays in
# sigtimedwait.
bench_configs() {
    cat >"$work/prefix.json" <<'JSON'
{"processes": [{"output": "prefix"}]}
JSON
    cat >"$work/probe.json" <<'JSON'
{"processes": [{"readinessProbe": {"tcpSocket": {"port": 1}, "periodSeconds": 1}}]}
JSON
    cat >"$work/hooks.json" <<'JSON'
{"preStopDelaySeconds": 1,
 "processes": [{"lifecycle": {"postStart": {"exec": {"command": ["true"]}},
                              "preStop": {"sleep": {"seconds": 1}}}}]}
JSON
}

# How each init is invoked before the program (name -> command line).
declare -A init_cmd=(
    [tini]="/usr/bin/tini --"
    [tini-static]="/usr/bin/tini-static --"
    [dumb-init]="/usr/bin/dumb-init --"
    [catatonit]="/usr/bin/catatonit --"
    [podinit]="$B/podinit --"
    [podinit-static]="$B/podinit-static --"
    [podinit+config]="$B/podinit --config $work/hooks.json --"
    [podinit+probe]="$B/podinit --config $work/probe.json --"
    [podinit+prefix]="$B/podinit --config $work/prefix.json --"
    # podinit's dumb-init persona: its child in a new session, as under
    # dumb-init (with sched autogroup a session is its own scheduling group,
    # which changes the wake-up order: compare like with like)
    [podinit-as-dumb-init]="$B/dumb-init --"
)
# The binary of each (the first word of its command line).
init_bin() { local c=${init_cmd[$1]}; echo "${c%% *}"; }

# The inits of the interleaved rounds and of the forward cost: podinit,
# its static build if it is built, and the three it is compared with.
# ROUND_INITS (names from init_cmd, space-separated) chooses others.
round_inits() {
    local n
    if [ -n "${ROUND_INITS:-}" ]; then
        for n in $ROUND_INITS; do
            [ -n "${init_cmd[$n]:-}" ] || { echo "bench: unknown init $n" >&2; return 1; }
            echo "$n"
        done
        return 0
    fi
    echo podinit
    if [ -x "$B/podinit-static" ]; then echo podinit-static; else
        echo "bench: $B/podinit-static not built (make static): left out" >&2; fi
    printf '%s\n' tini dumb-init catatonit
}

# podinit logs two info lines per run by default; the others are silent.
export TINI_VERBOSITY=1

# Start "$@" as PID 1 in the background, in this shell (so that it can be
# waited for): sets JOB, unshare's pid (kill it to end the namespace), and
# PID1, the init's pid (host view; empty if it never started).
# BENCH_SESSION=1 (the default): the init leads a session of its own, as
# runc's init does (nsexec.c's stage 2 calls setsid before it execs the
# container's process): a target does not share the driver's session, nor
# with it the kernel's autogroup (a scheduling group per session, for tasks
# in the root cgroup). BENCH_SESSION=0: the driver's session, as before.
start_init() {
    CG=""
    [ "${BENCH_SESSION:-1}" = 0 ] || set -- setsid "$@"
    if [ "$BENCH_CGROUPS" = 1 ]; then
        CG=$(cgroup_new) || return 1
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" \
            unshare --pid --fork --mount-proc --kill-child "$@" >/dev/null 2>&1 &
    else
        unshare --pid --fork --mount-proc --kill-child "$@" >/dev/null 2>&1 &
    fi
    JOB=$! PID1=""
    for _ in $(seq 500); do
        PID1=$(pgrep -P "$JOB" | head -n1 || true)
        [ -n "$PID1" ] && break
        sleep 0.01
    done
}

# End the namespace of the last start_init (--kill-child takes PID 1 with
# unshare), and wait for it: the next measurement starts on a quiet CPU.
stop_init() {
    kill -KILL "$JOB" 2>/dev/null || true
    wait "$JOB" 2>/dev/null || true
    for _ in $(seq 100); do
        if [ -z "$PID1" ] || [ ! -e "/proc/$PID1" ] ||
            grep -q '^State:.*Z' "/proc/$PID1/status" 2>/dev/null; then break; fi
        sleep 0.01
    done
    [ -z "${CG:-}" ] || cgroup_remove "$CG"
}

# BENCH_CGROUPS=1: each target (the floor, each init) in a CPU cgroup of
# its own, as a container runtime puts each container. The kernel's
# autogroup (a scheduling group per session) applies only to tasks in the
# root group: outside containers, an init whose child runs in a session of
# its own (dumb-init's setsid) has that child preempt it on every wake-up,
# inside a container's cgroup it does not. Cgroup v1's cpu hierarchy or
# v2 with the cpu controller enabled; removed when the target ends.
# BENCH_CGROUPS=0: the root group. Unset (auto): 1 where there is a cpu
# controller, else 0 and one line that says so.
cgroup_base() {
    if [ -d /sys/fs/cgroup/cpu ] && [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
        echo /sys/fs/cgroup/cpu/podinit-bench
    elif grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
        echo /sys/fs/cgroup/podinit-bench
    else
        return 1
    fi
}
case "${BENCH_CGROUPS:-auto}" in
0 | 1) ;;
*)
    if cgroup_base >/dev/null; then BENCH_CGROUPS=1; else
        BENCH_CGROUPS=0
        echo "bench: no cpu cgroup controller here: the targets run in the root group" >&2
    fi
    ;;
esac
export BENCH_CGROUPS
CG_SEQ=0
cgroup_new() {
    local base
    base=$(cgroup_base) || {
        echo "bench: BENCH_CGROUPS=1: no cpu cgroup controller here" >&2
        return 1
    }
    mkdir -p "$base" || return 1
    [ ! -e "$base/cgroup.subtree_control" ] || echo +cpu >"$base/cgroup.subtree_control" 2>/dev/null
    CG_SEQ=$((CG_SEQ + 1))
    local dir="$base/$BASHPID-$CG_SEQ"
    mkdir "$dir" && echo "$dir"
}
cgroup_remove() {
    for _ in $(seq 100); do rmdir "$1" 2>/dev/null && break; sleep 0.01; done
    rmdir "$(dirname "$1")" 2>/dev/null || true
}

# The median of the numbers on stdin, one a line (lower middle if even).
median() { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }
