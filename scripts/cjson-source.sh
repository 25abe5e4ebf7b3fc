#!/bin/sh
# Fetch cJSON's Debian source package (the same version and security patches
# as the libcjson-dev in use) into DIR, for the static musl build: Debian
# ships no libcjson.a. apt checks the files against the signed Sources index
# (so dpkg-source need not check the .dsc signature, which wants debian-keyring).
# Uses its own source list and state in DIR: the system's apt setup is not
# touched. Prints the directory holding cJSON.c and cJSON.h.
set -eu
dir=$1
out="$dir/cjson"
if [ -f "$out/cJSON.c" ]; then
    echo "$out"
    exit 0
fi
mkdir -p "$dir/apt/lists/partial" "$dir/apt/sources.list.d" "$dir/dl"
version=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null || true)
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
cat >"$dir/apt/sources.list.d/deb-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$dir/apt/sources.list.d
 -o Dir::State::Lists=$dir/apt/lists -o APT::Sandbox::User=root -qq"
# shellcheck disable=SC2086
apt-get $apt_opts update >/dev/null
# shellcheck disable=SC2086
(cd "$dir/dl" && apt-get $apt_opts source --download-only "cjson${version:+=$version}" >/dev/null)
rm -rf "$dir/dl/src"
dpkg-source -q --no-check -x "$dir"/dl/cjson_*.dsc "$dir/dl/src" >/dev/null
mkdir -p "$out/include/cjson"
cp "$dir/dl/src/cJSON.c" "$out/cJSON.c"
cp "$dir/dl/src/cJSON.h" "$out/include/cjson/cJSON.h"
cp "$dir/dl/src/cJSON.h" "$out/cJSON.h"
cp "$dir/dl/src/LICENSE" "$out/LICENSE"
echo "$out"
