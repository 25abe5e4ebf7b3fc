#!/usr/bin/env bats
# The user a process runs as (`user`): uid, gid and supplementary groups of
# the process, its exec hooks and its exec probes, as Docker's USER gives
# them. The test's user lives in copies of /etc/passwd and /etc/group that
# are bind-mounted over the real ones inside the test's own mount namespace
# (unshare --mount-proc makes one, private): the machine's files are never
# changed. Everything the unprivileged user runs or writes is in a
# directory it can reach: the checkout and bats' temp dirs may not be (a
# root user's home is 0700).

bats_require_minimum_version 1.5.0
load common

# D: a directory every user can reach, with
#   record: appends "ROLE UID:GID:GROUPS" to D/ids, GROUPS being the kernel's
#           supplementary list (/proc/self/status, sorted by the kernel);
#   passwd, group: the machine's, plus podinit-app (uid 4711, group 4711),
#           a member of 4801 (listed twice, under two names) and 4802.
make_users() {
    D=$(mktemp -d /tmp/podinit-users.XXXXXX)
    chmod 755 "$D"
    : >"$D/ids"
    chmod 666 "$D/ids"
    cat >"$D/record" <<'EOF'
#!/bin/sh
set -- "$1" $(sed -n 's/^Groups://p' /proc/self/status)
role=$1
shift
echo "$role $(id -u):$(id -g):$*" >>"${0%/*}/ids"
EOF
    chmod 755 "$D/record"
    { cat /etc/passwd; echo "podinit-app:x:4711:4711::/nonexistent:/bin/sh"; } >"$D/passwd"
    { cat /etc/group; printf '%s\n' "pgapp:x:4711:" "pgone:x:4801:podinit-app" \
        "pgtwo:x:4802:someone,podinit-app,other" "pgone-again:x:4801:podinit-app" \
        "pgnot:x:4803:podinit-application,xpodinit-app,podinit-ap" "pgstaff:x:4804:"; } >"$D/group"
}

# Inside a new mount namespace, runs "$@" from D with D's passwd and group
# files in place: sh -c "$WITH_USERS" "$D" PROGRAM ARGS...
WITH_USERS='mount --bind "$0/passwd" /etc/passwd && mount --bind "$0/group" /etc/group &&
    cd "$0" && exec "$@"'

# D is removed whatever the test's outcome, after common.bash's teardown.
eval "common_$(declare -f teardown)"
teardown() {
    common_teardown
    [ -z "${D:-}" ] || rm -rf "$D"
}

@test "user by name: the process, its exec hooks and exec probes get the groups /etc/group lists" {
    require_root
    make_users
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "$D/record app; exec sleep 30"],
  "user": "podinit-app",
  "readinessProbe": {"exec": {"command": ["$D/record", "probe"]}, "periodSeconds": 0.2},
  "lifecycle": {"postStart": {"exec": {"command": ["$D/record", "postStart"]}},
                "preStop": {"exec": {"command": ["$D/record", "preStop"]}}}}]}
EOF
    start_pid1 sh -c "$WITH_USERS" "$D" "$PODINIT" --config "$CFG"
    wait_for_line "$D/ids" '^app '
    wait_for_line "$D/ids" '^postStart '
    wait_for_line "$D/ids" '^probe '
    kill -TERM "$INIT"
    wait "$JOB" || true
    run cat "$D/ids"
    # primary 4711, then each group naming podinit-app once; pgnot only
    # names look-alikes
    want="4711:4711:4711 4801 4802"
    [[ "$output" == *"app $want"* ]]
    [[ "$output" == *"postStart $want"* ]]
    [[ "$output" == *"probe $want"* ]]
    [[ "$output" == *"preStop $want"* ]]
    [ -z "$(grep -v " $want\$" <<<"$output")" ]
}

@test "user with an explicit group, or as numbers: the groups Docker gives each form" {
    require_root
    make_users
    # USER[:GROUP] -> uid:gid:supplementary groups of the app and its hook
    for c in "podinit-app:pgstaff 4711:4804:" "podinit-app:4804 4711:4804:" \
        "4711:4804 4711:4804:" "65534:4321 65534:4321:" \
        "4711 4711:4711:4711 4801 4802" "4712 4712:0:"; do
        spec=${c%% *} want=${c#* }
        : >"$D/ids"
        # the app waits (bounded) for its hook's line, so both always run
        write_config <<EOF
{"processes": [{"command": ["sh", "-c", "$D/record app; for i in \$(seq 300); do grep -q ^hook $D/ids && exit 0; sleep 0.1; done; exit 1"],
  "user": "$spec",
  "lifecycle": {"postStart": {"exec": {"command": ["$D/record", "hook"]}}}}]}
EOF
        run --separate-stderr pid1 sh -c "$WITH_USERS" "$D" "$PODINIT" --config "$CFG"
        [ "$status" -eq 0 ] || { echo "$spec: $status $stderr" >&2; false; }
        run cat "$D/ids"
        [ "$output" = "app $want"$'\n'"hook $want" ] ||
            [ "$output" = "hook $want"$'\n'"app $want" ] || { echo "$spec: $output" >&2; false; }
    done
}

@test "user: --check prints it as given, and the printed config loads the same" {
    require_root
    make_users
    write_config <<EOF
{"processes": [{"name": "a", "command": ["true"], "user": "podinit-app"},
               {"name": "b", "command": ["true"], "user": "podinit-app:pgstaff"}]}
EOF
    run --separate-stderr timeout "$T" unshare --mount sh -c "$WITH_USERS" "$D" sh -c \
        '"$0" --check --config "$1" >printed && "$0" --check --config printed' "$PODINIT" "$CFG"
    first=$(cat "$D/printed")
    [ "$status" -eq 0 ]
    [[ "$first" == *'"user": "podinit-app"'* ]]
    [[ "$first" == *'"user": "podinit-app:pgstaff"'* ]]
    [ "$output" = "$first" ]
}

@test "user in more groups than the kernel allows: a config error, nothing starts; at the limit, it runs with all" {
    require_root
    make_users
    # 65,533 more groups naming podinit-app: with its own and 4801, 4802,
    # exactly the kernel's 65,536, and the app runs with all of them
    seq 100000 165532 | sed 's/.*/g&:x:&:podinit-app/' >>"$D/group"
    write_config <<EOF
{"processes": [{"command": ["sh", "-c", "sed -n s/^Groups://p /proc/self/status | wc -w >$D/ids"],
  "user": "podinit-app"}]}
EOF
    run --separate-stderr pid1 sh -c "$WITH_USERS" "$D" "$PODINIT" --config "$CFG"
    [ "$status" -eq 0 ]
    [ "$(cat "$D/ids")" -eq 65536 ]
    # one more: refused at load
    : >"$D/ids"
    echo "g165533:x:165533:podinit-app" >>"$D/group"
    run --separate-stderr pid1 sh -c "$WITH_USERS" "$D" "$PODINIT" --config "$CFG"
    [ "$status" -eq 2 ]
    [ "$stderr" = "$CFG: processes[0].user: \"podinit-app\" is in more than 65536 groups in /etc/group (the kernel's limit)" ]
    [ ! -s "$D/ids" ]
}

@test "user: one that does not exist, or that cannot be applied, starts nothing" {
    marker="$BATS_TEST_TMPDIR/started"
    write_config <<EOF
{"processes": [{"command": ["touch", "$marker"], "user": "no-such-user-here"}]}
EOF
    run --separate-stderr "$PODINIT" --config "$CFG"
    [ "$status" -eq 2 ]
    [ "$stderr" = "$CFG: processes[0].user: no user \"no-such-user-here\" in /etc/passwd" ]
    [ ! -e "$marker" ]
    # podinit without the right to change users: the program is never run
    D=$(mktemp -d /tmp/podinit-user.XXXXXX)
    chmod 777 "$D"
    printf '{"processes": [{"command": ["touch", "%s/started"], "user": "0:0"}]}\n' "$D" >"$D/c.json"
    chmod 644 "$D/c.json"
    # a copy of podinit the unprivileged user can reach, run from there
    cp "$PODINIT" "$D/podinit"
    run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
        sh -c 'cd "$0" && exec ./podinit --config c.json' "$D"
    [ "$status" -eq 126 ]
    [[ "$stderr" == *'error: user "0:0" (uid 0, gid 0): Operation not permitted' ]]
    [ ! -e "$D/started" ]
}
