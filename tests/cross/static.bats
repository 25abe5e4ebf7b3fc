#!/usr/bin/env bats
# The static builds of make static-all (build/podinit-static-ARCH), each run
# with a child of its own architecture (Debian's busybox-static:ARCH, from
# scripts/cross-busybox.sh). Run by `make test-cross`, which installs and
# builds everything first; STATIC_ARCHES names the architectures to test.
#
# A foreign binary runs under qemu-user called explicitly (qemu-ARCH-static
# BINARY): binfmt_misc is not relied on. So podinit's child is
# `qemu-ARCH-static busybox-ARCH ...`: without binfmt the host kernel cannot
# exec a foreign ELF, and emulated podinit's execve is the host's. The host's
# own architecture (and i386 on amd64, when the kernel runs it) runs natively.
#
# As PID 1: `unshare --pid --fork --mount-proc --kill-child qemu-ARCH-static
# podinit ...`; qemu and the emulated podinit are one process, so podinit is
# PID 1, and signals sent from the parent namespace reach it (qemu has a
# handler for each, and podinit blocks them and takes them with sigtimedwait).
# Not PID 1, qemu-user (7.2) refuses PR_SET_CHILD_SUBREAPER (EINVAL, without
# a system call), so podinit warns and runs without being a subreaper.

B=${PODINIT_BUILD:?PODINIT_BUILD must name the build directory}
X=$B/cross # busybox-ARCH
T=60       # the bound on any single command, in seconds
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# qemu-user's name for a Debian architecture.
qemu_of() {
    case $1 in
    amd64) echo x86_64 ;;
    arm64) echo aarch64 ;;
    armhf) echo arm ;;
    i386) echo i386 ;;
    ppc64el) echo ppc64le ;;
    s390x) echo s390x ;;
    *) return 1 ;;
    esac
}

# What file(1) says of an ELF executable of that architecture.
file_of() {
    case $1 in
    amd64) echo 'ELF 64-bit LSB executable, x86-64' ;;
    arm64) echo 'ELF 64-bit LSB executable, ARM aarch64' ;;
    armhf) echo 'ELF 32-bit LSB executable, ARM, EABI5' ;;
    i386) echo 'ELF 32-bit LSB executable, Intel 80386' ;;
    ppc64el) echo 'ELF 64-bit LSB executable, 64-bit PowerPC' ;;
    s390x) echo 'ELF 64-bit MSB executable, IBM S/390' ;;
    *) return 1 ;;
    esac
}

# use ARCH: skip unless ARCH is tested; set PI (the binary), BB (busybox)
# and E (an array: what runs ARCH's binaries here, empty when native).
use() {
    local host
    [[ " ${STATIC_ARCHES:-} " == *" $1 "* ]] || skip "$1 not in STATIC_ARCHES"
    ARCH=$1
    PI=$B/podinit-static-$1
    BB=$X/busybox-$1
    host=$(dpkg --print-architecture)
    E=()
    if [ "$1" = "$host" ]; then
        :
    elif [ "$host:$1" = amd64:i386 ] && timeout 10 "$BB" true 2>/dev/null; then
        :
    else
        E=("qemu-$(qemu_of "$1")-static")
    fi
}

# The first child of PID (waits up to 10 s for it to appear).
child_of() {
    local c i
    for i in $(seq 200); do
        c=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
        c=${c%% *}
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.05
    done
    echo "no child of $1" >&2
    return 1
}

# Wait up to 30 s for a line of FILE matching REGEX.
wait_for_line() {
    local i
    for i in $(seq 600); do
        grep -qE "$2" "$1" && return 0
        sleep 0.05
    done
    echo "no /$2/ in $1:" >&2
    cat "$1" >&2
    return 1
}

setup() {
    BG=()
    OUT=$BATS_TEST_TMPDIR/out
}

# Whatever a test started and left running: by pid (unshare --kill-child
# takes the namespace with it).
teardown() {
    local p
    for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}

# pid1 CMD...: CMD as PID 1 of a new PID namespace.
pid1() {
    timeout $T unshare --pid --fork --mount-proc --kill-child "$@"
}

# forward SIG MODE: podinit (MODE pid1 or plain) runs a busybox child that
# traps SIG; SIG sent to podinit from outside reaches it and its exit code
# comes back through podinit.
forward() {
    local sig=$1 mode=$2 code rc=0 init
    BG=()
    code=$([ "$sig" = USR1 ] && echo 42 || echo 43)
    local cmd=("${E[@]}" "$PI" -- "${E[@]}" "$BB" sh -c \
        "trap 'echo got $sig; exit $code' $sig; echo ready; sleep $T & wait \$!")
    if [ "$mode" = pid1 ]; then
        timeout $T unshare --pid --fork --mount-proc --kill-child "${cmd[@]}" >"$OUT" 2>&1 &
        BG+=($!)
        BG+=("$(child_of "${BG[0]}")") # unshare
        init=$(child_of "${BG[1]}")
    else
        timeout $T "${cmd[@]}" >"$OUT" 2>&1 &
        BG+=($!)
        init=$(child_of "${BG[0]}")
    fi
    BG+=("$init")
    wait_for_line "$OUT" '^ready$'
    kill -"$sig" "$init"
    wait "${BG[0]}" || rc=$?
    if [ "$rc" -ne "$code" ] || ! grep -qx "got $sig" "$OUT"; then
        echo "$ARCH $mode: SIG$sig: exit $rc (want $code); output:" >&2
        cat "$OUT" >&2
        return 1
    fi
}

# Each architecture's checks.
check_file() {
    run file "$PI"
    [ "$status" -eq 0 ]
    [[ "$output" == *"$(file_of "$ARCH")"* ]] || { echo "$output"; return 1; }
    [[ "$output" == *"statically linked"* ]] || { echo "$output"; return 1; }
    grep -qx "[0-9a-f]\{64\}  podinit-static-$ARCH" "$B/SHA256SUMS"
    (cd "$B" && grep "  podinit-static-$ARCH\$" SHA256SUMS | timeout $T sha256sum -c --quiet -)
}

check_version() {
    local hash
    hash=$(git -C "$REPO" rev-parse --short=7 HEAD)
    run timeout $T "${E[@]}" "$PI" --version
    [ "$status" -eq 0 ]
    [[ "$output" == "podinit version "*" - git.$hash" ]] || { echo "$output"; return 1; }
}

check_exit() {
    # Not PID 1.
    run timeout $T "${E[@]}" "$PI" -- "${E[@]}" "$BB" sh -c 'exit 7'
    [ "$status" -eq 7 ] || { echo "not PID 1: exit $status: $output"; return 1; }
    # PID 1: the child sees podinit as its parent, pid 1.
    run pid1 "${E[@]}" "$PI" -- "${E[@]}" "$BB" sh -c '[ "$PPID" = 1 ] && exit 7; echo "ppid $PPID"'
    [ "$status" -eq 7 ] || { echo "PID 1: exit $status: $output"; return 1; }
    # Death by a signal: 128+9.
    run pid1 "${E[@]}" "$PI" -- "${E[@]}" "$BB" sh -c 'kill -KILL $$'
    [ "$status" -eq 137 ] || { echo "PID 1, SIGKILL: exit $status: $output"; return 1; }
}

# The child is of ARCH: busybox says which machine it runs as.
check_child_arch() {
    run timeout $T "${E[@]}" "$PI" -- "${E[@]}" "$BB" uname -m
    [ "$status" -eq 0 ]
    local want
    case $ARCH in
    amd64 | i386) want='x86_64|i[3-6]86' ;;
    arm64) want=aarch64 ;;
    armhf) want=armv7l ;;
    ppc64el) want=ppc64le ;;
    s390x) want=s390x ;;
    esac
    grep -qxE "$want" <<<"$output" || { echo "$output"; return 1; }
}

@test "static-all builds with the flags of make static" {
    local want got a
    # The compiler's words starting with -, but for -o and cJSON's -I.
    flags() { sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' |
        grep -oE '(^|&& *)(musl-gcc|[a-z0-9_]+-linux-musl[a-z]*-gcc) -static .*' |
        tr ' ' '\n' | grep -E '^-' | grep -vE '^-(I.*cjson.*|o)$'; }
    want=$(make -C "$REPO" --no-print-directory -n static | flags)
    [ -n "$want" ]
    for a in $STATIC_ARCHES; do
        got=$(make -C "$REPO" --no-print-directory -B -n "build/podinit-static-$a" | flags)
        [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); return 1; }
    done
}

@test "the host's podinit-static-ARCH is byte for byte make static's podinit-static" {
    local host
    host=$(dpkg --print-architecture)
    [[ " $STATIC_ARCHES " == *" $host "* ]] || skip "$host not in STATIC_ARCHES"
    [ -f "$B/podinit-static" ] || skip "no $B/podinit-static"
    cmp "$B/podinit-static" "$B/podinit-static-$host"
}

@test "amd64: static x86-64 ELF, in SHA256SUMS" { use amd64; check_file; }
@test "amd64: --version" { use amd64; check_version; }
@test "amd64: child of its architecture" { use amd64; check_child_arch; }
@test "amd64: exit code through podinit (PID 1 and not)" { use amd64; check_exit; }
@test "amd64: SIGUSR1 and SIGTERM forwarded (PID 1)" { use amd64; forward USR1 pid1; forward TERM pid1; }
@test "amd64: SIGUSR1 forwarded (not PID 1)" { use amd64; forward USR1 plain; }

@test "arm64: static aarch64 ELF, in SHA256SUMS" { use arm64; check_file; }
@test "arm64: --version" { use arm64; check_version; }
@test "arm64: child of its architecture" { use arm64; check_child_arch; }
@test "arm64: exit code through podinit (PID 1 and not)" { use arm64; check_exit; }
@test "arm64: SIGUSR1 and SIGTERM forwarded (PID 1)" { use arm64; forward USR1 pid1; forward TERM pid1; }
@test "arm64: SIGUSR1 forwarded (not PID 1)" { use arm64; forward USR1 plain; }

@test "armhf: static ARM EABI5 ELF, in SHA256SUMS" { use armhf; check_file; }
@test "armhf: --version" { use armhf; check_version; }
@test "armhf: child of its architecture" { use armhf; check_child_arch; }
@test "armhf: exit code through podinit (PID 1 and not)" { use armhf; check_exit; }
@test "armhf: SIGUSR1 and SIGTERM forwarded (PID 1)" { use armhf; forward USR1 pid1; forward TERM pid1; }
@test "armhf: SIGUSR1 forwarded (not PID 1)" { use armhf; forward USR1 plain; }

@test "i386: static 80386 ELF, in SHA256SUMS" { use i386; check_file; }
@test "i386: --version" { use i386; check_version; }
@test "i386: child of its architecture" { use i386; check_child_arch; }
@test "i386: exit code through podinit (PID 1 and not)" { use i386; check_exit; }
@test "i386: SIGUSR1 and SIGTERM forwarded (PID 1)" { use i386; forward USR1 pid1; forward TERM pid1; }
@test "i386: SIGUSR1 forwarded (not PID 1)" { use i386; forward USR1 plain; }

@test "ppc64el: static PowerPC64 LE ELF, in SHA256SUMS" { use ppc64el; check_file; }
@test "ppc64el: --version" { use ppc64el; check_version; }
@test "ppc64el: child of its architecture" { use ppc64el; check_child_arch; }
@test "ppc64el: exit code through podinit (PID 1 and not)" { use ppc64el; check_exit; }
@test "ppc64el: SIGUSR1 and SIGTERM forwarded (PID 1)" { use ppc64el; forward USR1 pid1; forward TERM pid1; }
@test "ppc64el: SIGUSR1 forwarded (not PID 1)" { use ppc64el; forward USR1 plain; }

@test "s390x: static S/390 ELF, in SHA256SUMS" { use s390x; check_file; }
@test "s390x: --version" { use s390x; check_version; }
@test "s390x: child of its architecture" { use s390x; check_child_arch; }
@test "s390x: exit code through podinit (PID 1 and not)" { use s390x; check_exit; }
@test "s390x: SIGUSR1 and SIGTERM forwarded (PID 1)" { use s390x; forward USR1 pid1; forward TERM pid1; }
@test "s390x: SIGUSR1 forwarded (not PID 1)" { use s390x; forward USR1 plain; }
