# Shared set-up for the runtime tests: podinit-static as the PID 1 of real
# containers (runc, Docker, podman). Every runtime command is bounded by a
# timeout; every container, image and daemon a test starts is removed by
# name or pid in teardown, also when the test fails.

# The integration tests' helpers (B, wait_for_line, ...); each runtime file
# defines its own setup and teardown.
source "$BATS_TEST_DIRNAME/../integration/common.bash"

STATIC="$B/podinit-static"
SH="$B/static-helpers" # the test helpers, linked statically for the images
T=60                   # the bound on any single runtime command, in seconds

require_root() {
    [ "$(id -u)" -eq 0 ] || skip "runtime tests need root"
}

# A busybox-static root file system in DIR with podinit at /podinit and the
# static helpers in /h.
make_rootfs() {
    local dir=$1 applet
    mkdir -p "$dir/bin" "$dir/h" "$dir/tmp" "$dir/proc" "$dir/dev" "$dir/sys" "$dir/etc"
    cp /bin/busybox "$dir/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
    done
    cp "$STATIC" "$dir/podinit"
    cp "$SH"/* "$dir/h/"
    echo 'root:x:0:0:root:/:/bin/sh' >"$dir/etc/passwd"
    echo 'root:x:0:' >"$dir/etc/group"
}

# Seconds since the epoch, with fractions.
now() {
    date +%s.%N
}

# Whether A - B (seconds) is below LIMIT.
elapsed_below() {
    awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { exit !(a - b < l) }'
}

# The line number of the first line of FILE matching the regex (0: none).
line_of() {
    grep -nE "$2" "$1" | head -n1 | cut -d: -f1 | grep . || echo 0
}

# Assert that the regexes match lines of FILE in this order.
assert_order() {
    local file=$1 prev=0 n pattern
    shift
    for pattern in "$@"; do
        n=$(line_of "$file" "$pattern")
        if [ "$n" -eq 0 ] || [ "$n" -le "$prev" ]; then
            echo "/$pattern/ missing or out of order in $file:" >&2
            cat "$file" >&2
            return 1
        fi
        prev=$n
    done
}
