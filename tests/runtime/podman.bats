#!/usr/bin/env bats
# podinit under podman (runtime runc, storage in a temp dir): --init with
# --init-path (the podman-init persona), and the example Pod manifest played
# with `podman kube play`.
#
# Debian 12's podman 4.3 ignores a Pod's terminationGracePeriodSeconds
# (read since podman 4.7) and `podman kube down` SIGKILLs at once (fixed
# in 5.1), so the graceful stop is `podman pod stop -t GRACE`, what the
# kubelet does with the Pod's grace; `kube down` then removes the pod.

load common

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
IMAGE=localhost/podinit-rt-web:latest

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    command -v podman >/dev/null || return 0
    PM=$(mktemp -d /tmp/podinit-podman.XXXXXX)
    export PM CONTAINERS_CONF="$PM/containers.conf" CONTAINERS_STORAGE_CONF="$PM/storage.conf"
    # This machine's hard nofile limit is below podman's default; crun
    # cannot drive hybrid cgroups: runc.
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n' \
        >"$CONTAINERS_CONF"
    printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' "$PM" "$PM" \
        >"$CONTAINERS_STORAGE_CONF"
    make_rootfs "$PM/rootfs"
    # the example manifest's app: /app/server --port 8080
    mkdir -p "$PM/rootfs/app"
    printf '#!/bin/sh\nexec /h/httpapp 8080 - --any\n' >"$PM/rootfs/app/server"
    chmod +x "$PM/rootfs/app/server"
    tar -C "$PM/rootfs" -c . | timeout "$T" podman import -q - "$IMAGE" >/dev/null &&
        touch "$PM/up"
}

teardown_file() {
    [ -n "${PM:-}" ] || return 0
    if [ -f "$PM/up" ]; then
        timeout "$T" podman pod rm -f -a >/dev/null 2>&1 || true
        timeout "$T" podman rm -f -a >/dev/null 2>&1 || true
        timeout "$T" podman rmi -f -a >/dev/null 2>&1 || true
        timeout "$T" podman system reset -f >/dev/null 2>&1 || true
    fi
    rm -rf "$PM"
}

setup() {
    require_root
    command -v podman >/dev/null || skip "podman is not installed"
    [ -f "$PM/up" ] || skip "podman could not import an image"
    NAME="podinit-rt-$$-$BATS_TEST_NUMBER"
}

teardown() {
    [ -n "${NAME:-}" ] && timeout "$T" podman rm -f "$NAME" >/dev/null 2>&1 || true
    [ -f "${KUBE:-/nonexistent}" ] && timeout "$T" podman kube down "$KUBE" >/dev/null 2>&1 || true
}

# Wait (bounded) until the container's logs have a line matching the regex.
wait_for_log() {
    for _ in $(seq 300); do
        podman logs "$1" 2>&1 | grep -Eq "$2" && return 0
        sleep 0.1
    done
    echo "no /$2/ in the logs of $1:" >&2
    podman logs "$1" >&2 || true
    return 1
}

@test "podman run --init --init-path: podinit is podman-init, signals reach the app, stop gives its code" {
    timeout "$T" podman run -d --name "$NAME" --network none --init --init-path "$STATIC" "$IMAGE" \
        sh -c 'trap "echo got-hup" HUP; trap "exit 5" TERM; echo up; while :; do sleep 0.1; done' >/dev/null
    wait_for_log "$NAME" '^up$'
    [ "$(podman exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')" = "/run/podman-init -- sh -c trap \"echo got-hup\" HUP; trap \"exit 5\" TERM; echo up; while :; do sleep 0.1; done " ]
    timeout "$T" podman kill -s HUP "$NAME" >/dev/null
    wait_for_log "$NAME" '^got-hup$'
    start=$(now)
    timeout "$T" podman stop -t 10 "$NAME" >/dev/null
    end=$(now)
    [ "$(podman inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 5 ]
    elapsed_below "$end" "$start" 9 # the app's exit, not podman's SIGKILL
}

@test "podman kube play: the example Pod runs under podinit, probes pass, a stop with the Pod's grace drains" {
    # the example manifest with shorter times (drain 10 -> 1 s, podinit's
    # grace 40 -> 7 s, the Pod's 45 -> 9 s) and no port mappings, which
    # podman refuses without a bridge network
    KUBE="$BATS_TEST_TMPDIR/pod.yaml"
    sed -e "s|example/web:latest|$IMAGE|" \
        -e 's|"terminationGracePeriodSeconds": 40|"terminationGracePeriodSeconds": 7|' \
        -e 's|"preStopDelaySeconds": 10|"preStopDelaySeconds": 1|' \
        -e 's|terminationGracePeriodSeconds: 45|terminationGracePeriodSeconds: 9|' \
        -e '/^      ports:/,/containerPort: 8086/d' -e 's/port: health }/port: 8086 }/' \
        "$REPO/examples/kubernetes-pod.yaml" >"$KUBE"
    grace=$(sed -n 's/^  terminationGracePeriodSeconds: \([0-9]*\)$/\1/p' "$KUBE")
    [ "$grace" -eq 9 ]
    timeout "$T" podman kube play --network none "$KUBE" >/dev/null 2>&1
    wait_for_log web-web 'readiness probe passing'
    run timeout "$T" podman exec web-web /podinit --probe http://127.0.0.1:8086/readyz
    [ "$status" -eq 0 ]
    start=$(now)
    timeout "$T" podman pod stop -t "$grace" web >/dev/null 2>&1
    end=$(now)
    [ "$(podman inspect -f '{{.State.ExitCode}}' web-web)" -eq 0 ]
    podman logs web-web >"$BATS_TEST_TMPDIR/log" 2>&1
    assert_order "$BATS_TEST_TMPDIR/log" 'SIGTERM received' 'readiness: not ready' \
        'GET /drain' 'stopping: SIGTERM' 'exiting with 0'
    not elapsed_below "$end" "$start" 1 # the drain
    elapsed_below "$end" "$start" "$grace"
    timeout "$T" podman kube down "$KUBE" >/dev/null 2>&1
    not podman pod exists web
}

@test "podman kube play: lifecycle.stopSignal (KEP-4960) and a liveness probe's own grace (KEP-2238) under podinit" {
    # one process stops with SIGQUIT; another ignores SIGTERM, and when its
    # liveness fails podinit kills it within the probe's 1 s, not the 10 s
    # of the pod, and restarts it
    KUBE="$BATS_TEST_TMPDIR/pod.yaml"
    cat >"$KUBE" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: kep-podinit
data:
  podinit.json: |
    {
      "terminationGracePeriodSeconds": 10,
      "processes": [
        {"name": "quit", "command": ["/h/sigrecv", "--exit-on", "3"],
         "lifecycle": {"stopSignal": "SIGQUIT"}},
        {"name": "stuck", "restartPolicy": "Always", "restartBackoff": {"initialSeconds": 0.1},
         "command": ["/bin/sh", "-c", "rm -f /tmp/fail; echo stuck up; trap '' TERM; sleep 1000"],
         "livenessProbe": {"exec": {"command": ["/bin/test", "!", "-f", "/tmp/fail"]},
                           "initialDelaySeconds": 0.5, "periodSeconds": 0.2, "failureThreshold": 1,
                           "terminationGracePeriodSeconds": 1}}
      ]
    }
---
apiVersion: v1
kind: Pod
metadata:
  name: kep
spec:
  terminationGracePeriodSeconds: 15
  containers:
    - name: app
      image: $IMAGE
      command: ["/podinit", "--config", "/etc/podinit/podinit.json"]
      volumeMounts:
        - name: podinit
          mountPath: /etc/podinit
  volumes:
    - name: podinit
      configMap:
        name: kep-podinit
EOF
    timeout "$T" podman kube play --network none "$KUBE" >/dev/null 2>&1
    wait_for_log kep-app 'stuck up'
    wait_for_log kep-app '^ready '
    sleep 0.7 # past the probe's initial delay
    start=$(now)
    timeout "$T" podman exec kep-app /bin/touch /tmp/fail
    for _ in $(seq 200); do
        [ "$(podman logs kep-app 2>&1 | grep -c 'stuck up')" -ge 2 ] && break
        sleep 0.05
    done
    end=$(now)
    podman logs kep-app >"$BATS_TEST_TMPDIR/log" 2>&1
    [ "$(grep -c 'stuck up' "$BATS_TEST_TMPDIR/log")" -ge 2 ]
    assert_order "$BATS_TEST_TMPDIR/log" 'stuck: liveness probe failed' 'stuck: stopping: SIGTERM' \
        'SIGKILL' 'restarting "stuck"'
    not elapsed_below "$end" "$start" 0.9 # the probe's grace, waited for
    elapsed_below "$end" "$start" 6        # and not the pod's 10 s
    timeout "$T" podman pod stop -t 15 kep >/dev/null 2>&1
    podman logs kep-app >"$BATS_TEST_TMPDIR/log" 2>&1
    grep -qx '3' "$BATS_TEST_TMPDIR/log" # quit: its SIGQUIT
    not grep -qx '15' "$BATS_TEST_TMPDIR/log"
    [ "$(podman inspect -f '{{.State.ExitCode}}' kep-app)" -eq 0 ]
    timeout "$T" podman kube down "$KUBE" >/dev/null 2>&1
}
