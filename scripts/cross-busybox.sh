#!/bin/sh
# Debian's busybox-static for each architecture named, as the child the cross
# tests run under qemu-user: apt-get download + dpkg-deb -x, nothing
# installed. Leaves DIR/busybox-ARCH (the binary). Needs the architecture
# known to apt (scripts/multiarch.sh).
set -eu
dir=$1
shift
mkdir -p "$dir/debs"
for a in "$@"; do
    [ -x "$dir/busybox-$a" ] && continue
    (cd "$dir/debs" && rm -f busybox-static_*_"$a".deb &&
        apt-get -qq -o APT::Sandbox::User=root download "busybox-static:$a" >/dev/null)
    rm -rf "$dir/x-$a"
    dpkg-deb -x "$dir"/debs/busybox-static_*_"$a".deb "$dir/x-$a"
    mv "$dir/x-$a/bin/busybox" "$dir/busybox-$a"
    rm -rf "$dir/x-$a"
done
