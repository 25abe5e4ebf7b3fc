#!/usr/bin/env bats
# make install: the binary, the persona links and the man page, under
# DESTDIR and PREFIX.

bats_require_minimum_version 1.5.0
load common

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"

@test "make install DESTDIR PREFIX installs the binary, the links and a man page that renders" {
    D="$BATS_TEST_TMPDIR/root"
    run make -s -C "$REPO" install BUILD="$B" DESTDIR="$D" PREFIX=/opt/podinit
    [ "$status" -eq 0 ]
    [ -x "$D/opt/podinit/bin/podinit" ]
    for l in tini docker-init dumb-init catatonit podman-init; do
        [ "$(readlink "$D/opt/podinit/bin/$l")" = podinit ]
    done
    # the installed links run the personas
    [[ "$("$D/opt/podinit/bin/docker-init" --version)" == "tini version 0.19.0 - git."* ]]
    [ "$("$D/opt/podinit/bin/dumb-init" --version 2>&1)" = "dumb-init v1.2.5" ]
    run bash -c "set -o pipefail; MANWIDTH=80 man -l '$D/opt/podinit/share/man/man1/podinit.1' | tr -s ' '"
    [ "$status" -eq 0 ]
    [[ "$output" == *"podinit - an init for containers"* ]]
    [[ "$output" == *"--prestop-delay"* ]]
}

@test "make install INSTALL_LINKS= installs no persona link" {
    D="$BATS_TEST_TMPDIR/root"
    run make -s -C "$REPO" install BUILD="$B" DESTDIR="$D" INSTALL_LINKS=
    [ "$status" -eq 0 ]
    [ -x "$D/usr/local/bin/podinit" ]
    [ "$(ls "$D/usr/local/bin")" = podinit ]
}
