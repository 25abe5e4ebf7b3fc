#!/usr/bin/env bats
# podinit in Docker: a dockerd started here (state in a temp dir, no bridge,
# no iptables), images made offline (a busybox-static rootfs, and a Debian
# minbase from debootstrap for Dockerfile.example's build stage), removed
# with the daemon at the end.

load common

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
TEST_IMAGE=podinit-rt-busybox:latest
BASE_IMAGE=podinit-rt-build-base:bookworm
EXAMPLE_IMAGE=podinit-rt-example:latest
APP_IMAGE=podinit-rt-app:latest # FROM the busybox image, COPY --from=podinit:VERSION
POD_IMAGE=podinit-rt-pod:latest # FROM the busybox image, with an init task and a sidecar
# make image's tag: what podinit-static --version reports (0.1.0 of
# "podinit version 0.1.0 - git.HASH")
IMAGE_VERSION=$("$STATIC" --version 2>/dev/null | sed -n 's/^podinit version \([^ ]*\) - git\..*$/\1/p')

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    command -v dockerd >/dev/null || return 0
    # A short path: the daemon's unix socket must fit in 108 bytes.
    DK=$(mktemp -d /tmp/podinit-dockerd.XXXXXX)
    export DK DOCKER_HOST="unix://$DK/sock"
    dockerd --data-root "$DK/data" --exec-root "$DK/exec" -H "$DOCKER_HOST" \
        --pidfile "$DK/pid" --bridge=none --iptables=false --ip6tables=false \
        --init-path "$STATIC" >"$DK/log" 2>&1 3>&- &
    for _ in $(seq 300); do
        timeout 5 docker version >/dev/null 2>&1 && break
        sleep 0.1
    done
    timeout 5 docker version >/dev/null 2>&1 || return 0
    touch "$DK/up"
    make_rootfs "$DK/busybox"
    tar -C "$DK/busybox" -c . | timeout "$T" docker import - "$TEST_IMAGE" >/dev/null
}

teardown_file() {
    [ -n "${DK:-}" ] || return 0
    if [ -f "$DK/up" ]; then
        # shellcheck disable=SC2046
        timeout "$T" docker rm -f $(docker ps -aq) >/dev/null 2>&1 || true
        timeout "$T" docker rmi -f "$EXAMPLE_IMAGE" "$TEST_IMAGE" "$BASE_IMAGE" "$APP_IMAGE" "$POD_IMAGE" \
            "podinit:$IMAGE_VERSION" podinit:latest >/dev/null 2>&1 || true
    fi
    local pid
    pid=$(cat "$DK/pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$DK"
}

setup() {
    require_root
    command -v dockerd >/dev/null || skip "docker.io is not installed"
    [ -f "$DK/up" ] || skip "dockerd did not start: $(tail -n1 "$DK/log" 2>/dev/null)"
    NAME="podinit-rt-$$-$BATS_TEST_NUMBER"
}

teardown() {
    [ -n "${NAME:-}" ] && timeout "$T" docker rm -f "$NAME" "$NAME-2" >/dev/null 2>&1 || true
    [ -z "${IMG_TMP:-}" ] || rm -rf "$IMG_TMP"
}

# Wait (bounded) until `docker inspect -f FORMAT` of the container says WANT.
wait_inspect() {
    local format=$1 want=$2 got=""
    for _ in $(seq 600); do
        got=$(docker inspect -f "$format" "$NAME" 2>/dev/null || true)
        [ "$got" = "$want" ] && return 0
        sleep 0.1
    done
    echo "$NAME: $format is '$got', not '$want'" >&2
    docker logs "$NAME" >&2 || true
    return 1
}

# Dockerfile.example's build stage needs a Debian image with the build
# tools; there is no registry here, so make one with debootstrap (kept in
# the build directory between runs) and import it.
build_base_image() {
    local root="$B/debootstrap-bookworm"
    if [ ! -f "$root/.complete" ]; then
        command -v debootstrap >/dev/null || return 1
        rm -rf "$root.tmp"
        timeout 900 debootstrap --variant=minbase \
            --include=make,gcc,libc6-dev,musl-tools,dpkg-dev,libcjson-dev \
            bookworm "$root.tmp" http://deb.debian.org/debian >"$B/debootstrap.log" 2>&1 || return 1
        rm -rf "$root" && mv "$root.tmp" "$root" && touch "$root/.complete"
    fi
    tar -C "$root" --exclude=./.complete -c . | timeout 300 docker import - "$BASE_IMAGE" >/dev/null
}

@test "docker: Dockerfile.example builds offline into a FROM scratch image with podinit as PID 1" {
    [ -f "$REPO/build/cjson-src/cjson/cJSON.c" ] || skip "no cJSON source in build/ (run make static)"
    build_base_image || skip "no Debian base image: debootstrap failed ($(tail -n1 "$B/debootstrap.log" 2>/dev/null))"
    DOCKER_BUILDKIT=0 timeout 600 docker build -q --network none --build-arg BUILD_BASE="$BASE_IMAGE" \
        -f "$REPO/Dockerfile.example" -t "$EXAMPLE_IMAGE" "$REPO" >/dev/null
    # only the two binaries and the config, nothing of Debian
    docker create --name "$NAME" "$EXAMPLE_IMAGE" >/dev/null
    files=$(docker export "$NAME" | tar -t | grep -vE '^(dev|proc|sys|etc/(hosts|hostname|resolv.conf|mtab))?/?$|^(dev|proc|sys)/|^\.dockerenv$' | sort | tr '\n' ' ')
    [ "$files" = "app etc/ etc/podinit.json podinit " ]
    [ "$(docker inspect -f '{{json .Config.Entrypoint}}' "$EXAMPLE_IMAGE")" = '["/podinit","--"]' ]
}

@test "docker run: the app serves, the HEALTHCHECK turns healthy, docker stop -t 10 drains and exits 0" {
    docker image inspect "$EXAMPLE_IMAGE" >/dev/null 2>&1 || skip "the example image was not built"
    docker run -d --name "$NAME" --network none "$EXAMPLE_IMAGE" >/dev/null
    wait_inspect '{{.State.Health.Status}}' healthy
    run timeout "$T" docker exec "$NAME" /podinit --probe http://127.0.0.1:8080/hello
    [ "$status" -eq 0 ]
    [[ "$output" == *"HTTP 200"* ]]
    start=$(now)
    timeout "$T" docker stop -t 10 "$NAME" >/dev/null
    end=$(now)
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 0 ]
    docker logs "$NAME" >"$BATS_TEST_TMPDIR/log" 2>&1
    assert_order "$BATS_TEST_TMPDIR/log" '"signal":"SIGTERM"' 'not ready' \
        'stopping: SIGTERM' 'exiting with 0'
    # the config's 2 s drain, well before docker's own 10 s
    not elapsed_below "$end" "$start" 2
    elapsed_below "$end" "$start" 9
}

@test "docker stop: the app's own exit code comes out of the container" {
    docker run -d --name "$NAME" --network none "$TEST_IMAGE" \
        /podinit -- sh -c 'trap "exit 7" TERM; echo up; while :; do sleep 0.1; done' >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -q '^up$' && break; sleep 0.1; done
    timeout "$T" docker stop -t 10 "$NAME" >/dev/null
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 7 ]
}

@test "docker run --init: podinit is docker-init (dockerd --init-path), docker kill -s HUP reaches the app" {
    # docker info reads `docker-init --version`: tini's format, with the hash
    [ "$(docker info -f "{{.InitCommit.ID}}")" = "$("$STATIC" --version | sed -n "s/.* - git\\.//p")" ]
    docker run -d --init --name "$NAME" --network none "$TEST_IMAGE" /h/sigrecv >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -q '^ready' && break; sleep 0.1; done
    [ "$(docker exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')" = "/sbin/docker-init -- /h/sigrecv " ]
    timeout "$T" docker kill -s HUP "$NAME" >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -qx 1 && break; sleep 0.1; done
    docker logs "$NAME" 2>&1 | grep -qx 1 # SIGHUP is 1
    timeout "$T" docker kill -s TERM "$NAME" >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -qx 15 && break; sleep 0.1; done
    docker logs "$NAME" 2>&1 | grep -qx 15
}

@test "docker run -it: a shell under podinit has job control on the container's terminal" {
    command -v script >/dev/null || skip "script(1) is not installed"
    out=$(printf 'echo "flags=[$-]"\nexit 0\n' | SHELL=/bin/sh timeout "$T" \
        script -qec "docker run -i -t --rm --name $NAME --network none $TEST_IMAGE /podinit -- sh -i" /dev/null)
    flags=$(echo "$out" | tr -d '\r' | sed -n 's/^.*flags=\[\([a-zA-Z]*\)\].*$/\1/p' | tail -n1)
    [[ "$flags" == *m* ]]
}

# make image runs scripts/build-image.sh on the static build; so does this
# test, on the binary under test, with the script's own dockerd (not this
# file's), so make test-runtime needs no archive built beforehand. The archive
# is then loaded here, as a user would on another machine.
@test "make image: podinit:VERSION built offline by a dockerd of its own, saved, docker load -i gives an image of only /podinit" {
    [ -n "$IMAGE_VERSION" ]
    IMG_TMP=$(mktemp -d /tmp/podinit-rt-image.XXXXXX) # short: the script's socket goes in it
    mkdir "$IMG_TMP/state"
    DOCKER_HOST="" timeout 300 "$REPO/scripts/build-image.sh" --tmp "$IMG_TMP/state" \
        --source https://example.org/podinit "$STATIC" "$IMG_TMP/out" >"$IMG_TMP/log" 2>&1 ||
        { cat "$IMG_TMP/log" >&2; false; }
    tar="$IMG_TMP/out/podinit-image-$IMAGE_VERSION.tar"
    [ -f "$tar" ]
    # the script's dockerd is gone and its state removed
    [ -z "$(ls -A "$IMG_TMP/state")" ]
    ! pgrep -f "$IMG_TMP/state/" >/dev/null
    ! docker image inspect "podinit:$IMAGE_VERSION" >/dev/null 2>&1
    timeout "$T" docker load -i "$tar" >/dev/null
    id=$(docker image inspect -f '{{.Id}}' "podinit:$IMAGE_VERSION")
    [ "$(docker image inspect -f '{{.Id}}' podinit:latest)" = "$id" ]
    [ "$(docker image inspect -f '{{json .Config.Entrypoint}}' "podinit:$IMAGE_VERSION")" = '["/podinit","--"]' ]
    label() { docker image inspect -f "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "podinit:$IMAGE_VERSION"; }
    [ "$(label version)" = "$IMAGE_VERSION" ]
    [ "$(label revision)" = "$("$STATIC" --version | sed -n 's/.* - git\.//p')" ]
    [ "$(label licenses)" = MIT ]
    [ "$(label source)" = https://example.org/podinit ]
    # the binary, byte for byte, and nothing else
    [ "$(docker image inspect -f '{{.Size}}' "podinit:$IMAGE_VERSION")" -eq "$(stat -c %s "$STATIC")" ]
    docker create --name "$NAME" "podinit:$IMAGE_VERSION" >/dev/null
    files=$(docker export "$NAME" | tar -t | grep -vE '^(dev|proc|sys|etc)?/?$|^(dev|proc|sys)/|^etc/(hosts|hostname|resolv.conf|mtab)$|^\.dockerenv$' | sort | tr '\n' ' ')
    [ "$files" = "podinit " ]
    docker export "$NAME" | tar -xO podinit | cmp - "$STATIC"
    [ "$(timeout "$T" docker run --rm --network none --entrypoint /podinit "podinit:$IMAGE_VERSION" --version)" = \
        "$("$STATIC" --version)" ]
}

@test "COPY --from=podinit:VERSION /podinit into an app image: the app's exit code comes out, docker stop reaches it" {
    docker image inspect "podinit:$IMAGE_VERSION" >/dev/null 2>&1 || skip "podinit:$IMAGE_VERSION was not loaded"
    mkdir "$BATS_TEST_TMPDIR/app"
    # the busybox image's own /podinit removed first: the one that runs is the COPY's
    printf '%s\n' "FROM $TEST_IMAGE" 'RUN ["/bin/rm", "/podinit"]' \
        "COPY --from=podinit:$IMAGE_VERSION /podinit /podinit" 'ENTRYPOINT ["/podinit", "--"]' \
        >"$BATS_TEST_TMPDIR/app/Dockerfile"
    DOCKER_BUILDKIT=0 timeout 300 docker build -q --network none -t "$APP_IMAGE" \
        "$BATS_TEST_TMPDIR/app" >"$BATS_TEST_TMPDIR/build.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/build.log" >&2; false; }
    run timeout "$T" docker run --name "$NAME-2" --network none "$APP_IMAGE" sh -c 'exit 7'
    [ "$status" -eq 7 ]
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME-2")" -eq 7 ]
    docker run -d --name "$NAME" --network none "$APP_IMAGE" /h/sigrecv --exit-on 15 >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -q '^ready' && break; sleep 0.1; done
    [ "$(docker exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')" = "/podinit -- /h/sigrecv --exit-on 15 " ]
    start=$(now)
    timeout "$T" docker stop -t 30 "$NAME" >/dev/null
    end=$(now)
    # sigrecv got SIGTERM (15) through podinit and exited 0, long before docker's SIGKILL
    docker logs "$NAME" 2>&1 | grep -qx 15
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 0 ]
    elapsed_below "$end" "$start" 20
}

@test "docker: an image with an init task, a sidecar and the app: they start in order; docker stop stops the app, then the sidecar" {
    mkdir "$BATS_TEST_TMPDIR/pod"
    cat >"$BATS_TEST_TMPDIR/pod/podinit.json" <<'EOF'
{"terminationGracePeriodSeconds": 20,
 "initProcesses": [
   {"name": "migrate", "command": ["sh", "-c", "echo migrated >/tmp/migrated; echo task done"]},
   {"name": "proxy", "restartPolicy": "Always", "command": ["/h/sigrecv", "--exit-on", "15"],
    "startupProbe": {"exec": {"command": ["true"]}, "periodSeconds": 0.2}}],
 "processes": [
   {"name": "app", "command": ["sh", "-c",
     "cat /tmp/migrated; trap 'echo app stopping; sleep 1; echo app done; exit 0' TERM; echo app up; while :; do sleep 0.1; done"]}]}
EOF
    printf '%s\n' "FROM $TEST_IMAGE" 'COPY podinit.json /etc/podinit.json' \
        'ENTRYPOINT ["/podinit", "--config", "/etc/podinit.json"]' >"$BATS_TEST_TMPDIR/pod/Dockerfile"
    DOCKER_BUILDKIT=0 timeout 300 docker build -q --network none -t "$POD_IMAGE" \
        "$BATS_TEST_TMPDIR/pod" >"$BATS_TEST_TMPDIR/build.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/build.log" >&2; false; }
    docker run -d --name "$NAME" --network none "$POD_IMAGE" >/dev/null
    for _ in $(seq 300); do docker logs "$NAME" 2>&1 | grep -q '^app up$' && break; sleep 0.1; done
    O="$BATS_TEST_TMPDIR/out" E="$BATS_TEST_TMPDIR/err" # each stream keeps its order
    docker logs "$NAME" >"$O" 2>"$E"
    # the task ran to its end, then the sidecar started and passed its
    # startup probe, then the app (which sees what the task left)
    assert_order "$E" 'migrate: init task completed' 'proxy: started' \
        'proxy: startup probe passing' 'app: started'
    assert_order "$O" '^task done$' '^ready' '^migrated$' '^app up$'
    timeout "$T" docker stop -t 30 "$NAME" >/dev/null
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 0 ]
    docker logs "$NAME" >"$O" 2>"$E"
    # the app first (it takes a second to stop); the sidecar gets its
    # SIGTERM (15) only once the app is gone
    assert_order "$E" 'app: stopping: SIGTERM' 'proxy: stopping: SIGTERM' 'exiting with 0'
    assert_order "$O" '^app stopping$' '^app done$' '^15$'
    [ "$(grep -c '^15$' "$O")" -eq 1 ]
}
