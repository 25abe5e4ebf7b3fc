#!/usr/bin/env bats
# podinit-static as the PID 1 of a runc container (busybox-static rootfs):
# `runc kill TERM` drains and stops it gracefully; an app that ignores
# SIGTERM is SIGKILLed at podinit's grace; orphans are reaped inside.

load common

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    make_rootfs "$BATS_FILE_TMPDIR/rootfs"
}

setup() {
    require_root
    command -v runc >/dev/null || skip "runc is not installed"
    ID="podinit-rt-$$-$BATS_TEST_NUMBER"
    BUNDLE="$BATS_TEST_TMPDIR/bundle"
    OUT="$BATS_TEST_TMPDIR/out"
    RC="$BATS_TEST_TMPDIR/rc"
}

teardown() {
    [ -n "${ID:-}" ] && runc delete --force "$ID" >/dev/null 2>&1 || true
}

# Run "$@" as the container's process in the background (stdout and stderr
# to $OUT, the exit code to $RC when it ends), and wait until it runs.
runc_start() {
    mkdir -p "$BUNDLE"
    (cd "$BUNDLE" && runc spec)
    local args
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --arg root "$BATS_FILE_TMPDIR/rootfs" --argjson args "$args" \
        '.root.path = $root | .process.terminal = false | .process.args = $args' \
        "$BUNDLE/config.json" >"$BUNDLE/config.new"
    mv "$BUNDLE/config.new" "$BUNDLE/config.json"
    # (bats runs with set -e: keep a failing status from ending the subshell)
    (rc=0 && timeout "$T" runc run --bundle "$BUNDLE" "$ID" >"$OUT" 2>&1 || rc=$? && echo "$rc" >"$RC") &
    for _ in $(seq 1000); do
        [ "$(runc state "$ID" 2>/dev/null | jq -r .status)" = running ] && return 0
        sleep 0.01
    done
    echo "container $ID did not start:" >&2
    cat "$OUT" >&2
    return 1
}

# Wait (bounded) for the container to end; prints its exit code.
runc_wait() {
    for _ in $(seq 3000); do
        [ -s "$RC" ] && cat "$RC" && return 0
        sleep 0.01
    done
    echo "container $ID did not end:" >&2
    cat "$OUT" >&2
    return 1
}

@test "runc: kill TERM drains, forwards, and the container exits 0 within the grace" {
    runc_start /podinit -v --prestop-delay 1 --grace-period 10 -- /h/httpapp 8080
    wait_for_line "$OUT" '^ready 8080$'
    start=$(now)
    runc kill "$ID" TERM
    rc=$(runc_wait)
    end=$(now)
    [ "$rc" -eq 0 ]
    # (podinit logs the forward just after sending it: the app's line may
    # come first)
    assert_order "$OUT" 'received SIGTERM' 'readiness: not ready' \
        'stopping: SIGTERM to process group' 'exiting with 0'
    # the app's line comes through its own stream (runc copies each): only
    # its order against the drain, 1 s earlier, is certain
    assert_order "$OUT" 'readiness: not ready' '^app: SIGTERM$'
    # the drain is honoured, and the grace (10 s) is not used up
    not elapsed_below "$end" "$start" 1
    elapsed_below "$end" "$start" 10
}

@test "runc: an app that ignores SIGTERM is SIGKILLed at podinit's grace" {
    runc_start /podinit -v --grace-period 2 -- /h/httpapp 8080 - --ignore-term
    wait_for_line "$OUT" '^ready 8080$'
    start=$(now)
    runc kill "$ID" TERM
    rc=$(runc_wait)
    end=$(now)
    [ "$rc" -eq 137 ]
    assert_order "$OUT" '^app: SIGTERM$' 'grace period over: SIGKILL'
    not elapsed_below "$end" "$start" 2
    elapsed_below "$end" "$start" 15
}

@test "runc: orphans are reaped inside the container, none left as zombies" {
    runc_start /podinit -- sh -c '/h/orphans 300 1 && echo orphans-ok; exec sleep 60'
    wait_for_line "$OUT" '^orphans-ok$'
    zombies=$(timeout "$T" runc exec "$ID" ps -o stat | grep -c '^Z' || true)
    [ "$zombies" -eq 0 ]
    runc kill "$ID" TERM
    rc=$(runc_wait)
    [ "$rc" -eq 143 ] # sleep died of SIGTERM
}
