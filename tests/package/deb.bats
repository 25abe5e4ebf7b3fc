#!/usr/bin/env bats
# The Debian package (make deb): installed with dpkg -i, checked, and
# removed with dpkg -r, leaving the machine as it was found. When a podinit
# package (or an unpackaged /usr/bin/podinit) is there before, the file is
# skipped and that is left alone. Needs root. Every command is bounded.
# PODINIT_DEB_DIR: where make deb put the .deb (default build/deb).

bats_require_minimum_version 1.5.0

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
T=60 # the bound on any single command, in seconds
PERSONAS="tini docker-init dumb-init catatonit podman-init"

# dpkg, retried while another dpkg or apt holds the lock (a shared machine).
dpkg_retry() {
    local out rc i
    for i in $(seq 60); do
        rc=0
        out=$(timeout "$T" dpkg "$@" 2>&1) || rc=$?
        if [ "$rc" -eq 0 ] || ! grep -q 'lock' <<<"$out"; then
            printf '%s\n' "$out"
            return "$rc"
        fi
        sleep 2
    done
    printf '%s\n' "$out"
    return 1
}

pkg_status() {
    timeout "$T" dpkg-query -W -f='${Status}' podinit 2>/dev/null || true
}

# bats 1.8 cannot skip in setup_file: it exports SKIP_WHY, and each test's
# setup skips with it.
# Each persona name in /usr/bin: its inode and type, or "absent".
persona_state() {
    local f
    for f in $PERSONAS; do
        if [ -e "/usr/bin/$f" ] || [ -L "/usr/bin/$f" ]; then
            echo "$f $(stat -c '%i %F' "/usr/bin/$f")"
        else echo "$f absent"; fi
    done
}

setup_file() {
    export SKIP_WHY=""
    if [ "$(id -u)" -ne 0 ]; then SKIP_WHY="dpkg -i needs root"; return 0; fi
    local version arch status f
    version=$(timeout "$T" dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
    arch=$(timeout "$T" dpkg --print-architecture)
    export VERSION="$version"
    export DEB="${PODINIT_DEB_DIR:-$REPO/build/deb}/podinit_${version}_${arch}.deb"
    [ -f "$DEB" ] || { echo "no $DEB: run make deb first" >&2; return 1; }
    status=$(pkg_status)
    if [ -n "$status" ] && [[ "$status" != *not-installed ]]; then
        SKIP_WHY="a podinit package is already here ($status, $(dpkg-query -W -f='${Version}' podinit)): left as it is"
        return 0
    fi
    for f in /usr/bin/podinit /usr/bin/podinit-static /usr/share/man/man1/podinit.1.gz; do
        if [ -e "$f" ] || [ -L "$f" ]; then
            SKIP_WHY="$f exists and is not from a podinit package: left as it is"
            return 0
        fi
    done
    # What the persona names are before the install (a Debian tini may be).
    persona_state >"$BATS_FILE_TMPDIR/personas.before"
    touch "$BATS_FILE_TMPDIR/ours" # from here on, teardown_file removes it
    dpkg_retry -i "$DEB" >"$BATS_FILE_TMPDIR/install.log" ||
        { cat "$BATS_FILE_TMPDIR/install.log" >&2; return 1; }
}

teardown_file() {
    local status
    if [ -f "$BATS_FILE_TMPDIR/ours" ]; then
        status=$(pkg_status)
        # Also after a failed unpack ("install ok not-installed"): the purge
        # drops the selection, leaving at most "unknown ok not-installed".
        if [ -n "$status" ] && [ "$status" != "unknown ok not-installed" ]; then
            dpkg_retry --purge podinit >/dev/null
        fi
    fi
}

setup() {
    [ -z "$SKIP_WHY" ] || skip "$SKIP_WHY"
}

@test "dpkg -i installs podinit at the version of debian/changelog, configured" {
    [ "$(pkg_status)" = "install ok installed" ]
    [ "$(timeout "$T" dpkg-query -W -f='${Version}' podinit)" = "$VERSION" ]
}

@test "podinit --version and podinit-static --version give the package's version" {
    run -0 timeout "$T" /usr/bin/podinit --version
    [[ "$output" == "podinit version $VERSION - git."* ]]
    run -0 timeout "$T" /usr/bin/podinit-static --version
    [[ "$output" == "podinit version $VERSION - git."* ]]
    # podinit-static is static, podinit is not
    run -0 timeout "$T" readelf -l /usr/bin/podinit
    [[ "$output" == *"Requesting program interpreter"* ]]
    run -0 timeout "$T" readelf -l /usr/bin/podinit-static
    [[ "$output" != *"INTERP"* ]]
}

@test "man -w finds podinit's man page (and podinit-static's, a link to it); it renders" {
    run -0 timeout "$T" man -w podinit
    [ "$output" = /usr/share/man/man1/podinit.1.gz ]
    run -0 timeout "$T" man -w podinit-static # man-db follows the link
    [[ "$output" == /usr/share/man/man1/podinit*.1.gz ]]
    [ "$(readlink /usr/share/man/man1/podinit-static.1.gz)" = podinit.1.gz ]
    run -0 bash -c "set -o pipefail; MANWIDTH=80 timeout $T man podinit 2>/dev/null | tr -s ' '"
    [[ "$output" == *"podinit - an init for containers"* ]]
}

@test "the package installs no persona link: no /usr/bin/tini of its own, none changed" {
    run -0 timeout "$T" dpkg -L podinit
    local l
    for l in $PERSONAS; do
        [[ "$output" != *"/$l"$'\n'* && "$output" != *"/$l" ]]
    done
    # The persona names in /usr/bin are as they were before the install.
    persona_state >"$BATS_TEST_TMPDIR/personas.after"
    diff "$BATS_FILE_TMPDIR/personas.before" "$BATS_TEST_TMPDIR/personas.after"
    if [ -e /usr/bin/tini ]; then
        run -0 timeout "$T" dpkg -S /usr/bin/tini
        [[ "$output" != *podinit* ]]
        [ "$(readlink -f /usr/bin/tini)" != /usr/bin/podinit ]
    fi
}

@test "the docs, README.Debian and the copyright are installed" {
    local d=/usr/share/doc/podinit
    [ -f "$d/copyright" ] && [ -f "$d/changelog.gz" ] && [ -f "$d/README.md.gz" ]
    grep -q 'ln -s /usr/bin/podinit /usr/local/bin/tini' "$d/README.Debian"
    grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$d/copyright"
}

@test "the installed podinit and podinit-static run as PID 1 and pass the exit code on" {
    run -7 timeout 20 unshare --pid --fork --mount-proc --kill-child /usr/bin/podinit -- sh -c 'exit 7'
    run -7 timeout 20 unshare --pid --fork --mount-proc --kill-child /usr/bin/podinit-static -- sh -c 'exit 7'
}

@test "dpkg -r podinit removes the binaries, the man page and the docs" {
    run -0 dpkg_retry -r podinit
    [ ! -e /usr/bin/podinit ] && [ ! -e /usr/bin/podinit-static ]
    [ ! -e /usr/share/man/man1/podinit.1.gz ] && [ ! -e /usr/share/doc/podinit ]
    [[ "$(pkg_status)" != *" installed" ]]
}
