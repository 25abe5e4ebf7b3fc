#!/bin/bash
# scripts/build-image.sh [--docker-host URL] [--source URL] [--tmp DIR] BINARY OUTDIR
#
# The podinit image (make image): image/Dockerfile, FROM scratch with only
# BINARY at /podinit, built offline (no registry, no network) and tagged
# podinit:VERSION and podinit:latest, VERSION being what `BINARY --version`
# reports ("podinit version 0.1.0 - git.HASH" gives 0.1.0; the hash goes in
# the revision label). Saved with both tags to OUTDIR/podinit-image-VERSION.tar,
# for `docker load -i`.
#
# The Docker engine is one of the script's own, started the way the runtime
# tests start theirs: dockerd with its state in a temp dir under DIR (/tmp by
# default: the unix socket's path must stay short), no bridge, no iptables.
# It is stopped and the temp dir removed when the script ends, also on
# failure or interruption; only the processes it started are signalled.
# --docker-host URL uses a running engine instead (the tags stay there).
# --source URL adds the label org.opencontainers.image.source.
set -euo pipefail

usage() {
    echo "usage: $0 [--docker-host URL] [--source URL] [--tmp DIR] BINARY OUTDIR" >&2
    exit 2
}

host="" source="" tmp=/tmp
while [ $# -gt 0 ]; do
    case $1 in
    --docker-host) host=${2:?}; shift 2 ;;
    --source) source=${2-}; shift 2 ;;
    --tmp) tmp=${2:?}; shift 2 ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || usage
bin=$1 out=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
T=120 # the bound on each docker command, in seconds

line=$("$bin" --version)
version=$(echo "$line" | sed -n 's/^podinit version \([^ ]*\) - git\.[^ ]*$/\1/p')
revision=$(echo "$line" | sed -n 's/^podinit version [^ ]* - git\.\([^ ]*\)$/\1/p')
if [ -z "$version" ]; then
    echo "build-image: '$bin --version' printed '$line', not 'podinit version X - git.HASH'" >&2
    exit 1
fi

D="" dockerd_pid=""

# Stop the engine this script started (TERM, then KILL after 30 s; its
# containerd too, if it outlives it) and remove its state.
cleanup() {
    local rc=$? pid _
    trap - EXIT INT TERM
    if [ -n "$dockerd_pid" ]; then
        kill -TERM "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$dockerd_pid" 2>/dev/null || true
        pid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
            grep -qF "$D/exec" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$dockerd_pid" 2>/dev/null || true
    fi
    if [ -n "$D" ]; then
        # mounts the engine left behind, deepest first
        awk -v d="$D/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
            while read -r m; do umount -l "$m" 2>/dev/null || true; done
        rm -rf "$D"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

D=$(mktemp -d "$tmp/podinit-image.XXXXXX")
unset DOCKER_CONTEXT
if [ -n "$host" ]; then
    export DOCKER_HOST=$host
else
    if [ "$(id -u)" -ne 0 ]; then
        echo "build-image: starting a Docker engine needs root (or: --docker-host URL)" >&2
        exit 1
    fi
    command -v dockerd >/dev/null || { echo "build-image: no dockerd (Debian: docker.io)" >&2; exit 1; }
    export DOCKER_HOST="unix://$D/sock"
    dockerd --data-root "$D/data" --exec-root "$D/exec" -H "$DOCKER_HOST" \
        --pidfile "$D/pid" --bridge=none --iptables=false --ip6tables=false \
        >"$D/log" 2>&1 </dev/null &
    dockerd_pid=$!
    for _ in $(seq 300); do
        timeout 5 docker version >/dev/null 2>&1 && break
        kill -0 "$dockerd_pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! timeout 5 docker version >/dev/null 2>&1; then
        echo "build-image: dockerd did not start:" >&2
        tail -n 5 "$D/log" >&2
        exit 1
    fi
    echo "build-image: dockerd $dockerd_pid, state in $D"
fi

# The build context: the Dockerfile and the binary, nothing else.
mkdir "$D/ctx"
cp "$repo/image/Dockerfile" "$D/ctx/Dockerfile"
cp "$bin" "$D/ctx/podinit"
chmod 0755 "$D/ctx/podinit"
labels=()
[ -z "$source" ] || labels=(--label "org.opencontainers.image.source=$source")
# The classic builder (a newer docker CLI warns that it is deprecated: its
# messages are shown only if the build fails).
if ! DOCKER_BUILDKIT=0 timeout "$T" docker build -q --network none \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" "${labels[@]}" \
    -t "podinit:$version" -t podinit:latest "$D/ctx" >"$D/build.log" 2>&1; then
    cat "$D/build.log" >&2
    exit 1
fi

mkdir -p "$out"
tar="$out/podinit-image-$version.tar"
timeout "$T" docker save -o "$tar.tmp" "podinit:$version" podinit:latest
chmod 0644 "$tar.tmp"
mv "$tar.tmp" "$tar"
echo "build-image: podinit:$version (and podinit:latest), $(docker image inspect -f '{{.Size}}' \
    "podinit:$version") bytes, saved to $tar ($(stat -c %s "$tar") bytes)"
