#!/usr/bin/env bash
# make demo: a small HTTP app under podinit as PID 1 of its own PID
# namespace, driven by a JSON config: a postStart hook, a 2-second drain, a
# preStop hook, a 10-second grace period. A client polls the app every
# quarter second. A SIGTERM arrives from outside the namespace: podinit marks
# the pod not ready, the app keeps answering through the drain, the preStop
# hook runs, then the app gets its SIGTERM and exits; podinit exits with its
# status. Every step is logged.
set -euo pipefail
B=${1:?usage: demo.sh BUILD_DIR}
work=$(mktemp -d)
client=""
cleanup() {
    [ -n "$client" ] && kill "$client" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A port nothing listens on yet.
port=""
for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "demo: no free port found" >&2; exit 1; }

cat >"$work/podinit.json" <<EOF
{
  "terminationGracePeriodSeconds": 10,
  "preStopDelaySeconds": 2,
  "processes": [{
    "name": "web",
    "command": ["$B/helpers/httpapp", "$port"],
    "env": {"MODE": "demo"},
    "lifecycle": {
      "postStart": {"exec": {"command": ["sh", "-c", "echo 'postStart: warming the cache'"]}},
      "preStop": {"exec": {"command": ["sh", "-c",
        "echo 'preStop: deregistering from the load balancer'; sleep 0.5; echo 'preStop: done'"]}}
    }
  }]
}
EOF

# GET / every 0.25 s, one line per answer (or refusal).
poll() {
    local n=0 reply
    while :; do
        n=$((n + 1))
        if reply=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
                printf "GET /req-$1 HTTP/1.0\r\n\r\n" >&3 && tail -n1 <&3' "$port" "$n" 2>/dev/null); then
            echo "client: $reply"
        else
            echo "client: request $n refused (nothing listening)"
        fi
        sleep 0.25
    done
}

say "the config ($work/podinit.json)"
cat "$work/podinit.json"

if [ "$(id -u)" -eq 0 ]; then
    say "podinit --config podinit.json, as PID 1 of a new PID namespace"
    timeout 30 unshare --pid --fork --mount-proc --kill-child "$B/podinit" \
        --config "$work/podinit.json" &
    job=$!
    init=""
    for _ in $(seq 200); do
        ns=$(pgrep -P "$job" | head -n1 || true)
        init=${ns:+$(pgrep -P "$ns" | head -n1 || true)}
        [ -n "${init:-}" ] && break
        sleep 0.01
    done
else
    say "not root: podinit --config podinit.json as a subreaper (PID 1 needs root)"
    timeout 30 "$B/podinit" --config "$work/podinit.json" &
    job=$!
    init=$job
fi
sleep 0.5
poll &
client=$!
sleep 1.2
say "kill -TERM $init   (podinit, from outside): the app keeps answering through the 2 s drain"
kill -TERM "$init"
status=0
wait "$job" || status=$?
sleep 0.3
kill "$client" 2>/dev/null || true
wait "$client" 2>/dev/null || true
client=""
say "podinit exited with $status (the app's status)"
