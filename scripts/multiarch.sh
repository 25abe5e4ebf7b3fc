#!/bin/sh
# Let apt install packages of other architectures (musl-dev:arm64,
# busybox-static:armhf, ...): dpkg --add-architecture for each Debian
# architecture named that dpkg does not know yet, then one apt-get update.
# As root only; otherwise one line naming what is missing, and failure.
set -eu
native=$(dpkg --print-architecture)
missing=""
for a in "$@"; do
    [ "$a" = "$native" ] && continue
    dpkg --print-foreign-architectures | grep -qx "$a" || missing="$missing $a"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "podinit: dpkg lacks the architectures$missing (run as root, or: sudo dpkg --add-architecture ...)" >&2
    exit 1
fi
for a in $missing; do
    echo "podinit: dpkg --add-architecture $a" >&2
    dpkg --add-architecture "$a"
done
apt-get update -qq >/dev/null
