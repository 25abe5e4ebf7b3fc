#!/usr/bin/env bats
# Socket activation, podinit as PID 1: with LISTEN_FDS set and LISTEN_PID
# naming podinit, the child's LISTEN_PID is its own pid (as catatonit does
# since 0.1.6, for podman's socket activation), in the podinit and
# catatonit personas; tini's and dumb-init's leave it as it is.

bats_require_minimum_version 1.5.0
load common

# "LISTEN_PID PID" as the child sees them, run under init "$1" as PID 1
# with LISTEN_PID=$2.
seen_by_child() {
    pid1 env LISTEN_FDS=1 LISTEN_PID="$2" "$1" -- sh -c 'echo "$LISTEN_PID $$"' 2>/dev/null
}

@test "LISTEN_FDS=1 LISTEN_PID=1: the child sees its own pid, in the podinit and catatonit personas" {
    require_root
    for init in "$PODINIT" "$B/catatonit"; do
        run -0 seen_by_child "$init" 1
        read -r listen self <<<"$output"
        [ "$listen" = "$self" ]
        [ "$self" != 1 ]
    done
}

@test "LISTEN_PID naming another process, or no LISTEN_FDS: left as it is" {
    require_root
    run -0 seen_by_child "$PODINIT" 77
    [ "${output%% *}" = 77 ]
    run -0 --separate-stderr pid1 env LISTEN_PID=1 "$PODINIT" -- sh -c 'echo "$LISTEN_PID"'
    [ "$output" = 1 ]
}

@test "tini and dumb-init personas leave LISTEN_PID alone" {
    require_root
    for init in "$B/tini" "$B/dumb-init"; do
        run -0 seen_by_child "$init" 1
        [ "${output%% *}" = 1 ]
    done
}

@test "several processes and a restart: each run sees its own pid" {
    require_root
    A="$BATS_TEST_TMPDIR/a" C="$BATS_TEST_TMPDIR/b"
    write_config <<EOF
{"processes": [
  {"name": "a", "command": ["sh", "-c", "echo \"\$LISTEN_PID \$\$\" >>$A; sleep 0.5"]},
  {"name": "b", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.05},
   "command": ["sh", "-c", "echo \"\$LISTEN_PID \$\$\" >>$C"]}]}
EOF
    rc=0
    pid1 env LISTEN_FDS=2 LISTEN_PID=1 "$PODINIT" --config "$CFG" >"$OUT" 2>"$ERR" || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(wc -l <"$C")" -ge 2 ]
    while read -r listen self; do [ "$listen" = "$self" ]; done <"$A"
    while read -r listen self; do [ "$listen" = "$self" ]; done <"$C"
    # the runs had pids of their own
    [ "$(cut -d' ' -f2 "$C" | sort -u | wc -l)" -eq "$(wc -l <"$C")" ]
}

@test "CATATONIT_DEBUG, set to anything, gives catatonit's debug lines" {
    require_root
    run -0 pid1 env CATATONIT_DEBUG= "$B/catatonit" -- true
    [[ "$output" == *"DEBUG (catatonit"* ]]
    run -0 pid1 "$B/catatonit" -- true
    [[ "$output" != *"DEBUG"* ]]
}
