#!/usr/bin/env bash
# make demo: an app under podinit as PID 1 of its own PID namespace. It
# leaves an orphan behind (podinit reaps it). A SIGTERM arrives from outside
# the namespace: podinit marks the pod not ready, lets the app keep serving
# through a 2-second drain, then passes the SIGTERM on; the app shuts down
# and podinit exits with its status. Everything podinit does is logged (-v).
set -euo pipefail
B=${1:?usage: demo.sh BUILD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/app.sh" <<'APP'
#!/bin/sh
echo "app: started as pid $$, serving"
sh -c 'sleep 0.3 &' # leaves an orphan behind for the init to reap
trap 'echo "app: got SIGTERM, finishing in-flight requests"; sleep 0.5; echo "app: bye"; exit 0' TERM
while :; do sleep 0.5 & wait $!; echo "app: serving"; done
APP
chmod +x "$work/app.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
    say "podinit -v --prestop-delay 2 --grace-period 10 -- app.sh, as PID 1 of a new PID namespace"
    timeout 30 unshare --pid --fork --mount-proc --kill-child "$B/podinit" -v --prestop-delay 2 \
        --grace-period 10 -- "$work/app.sh" &
    job=$!
    for _ in $(seq 200); do
        ns=$(pgrep -P "$job" | head -n1 || true)
        init=${ns:+$(pgrep -P "$ns" | head -n1 || true)}
        [ -n "${init:-}" ] && break
        sleep 0.01
    done
else
    say "not root: podinit -v -- app.sh as a subreaper (PID 1 needs root)"
    timeout 30 "$B/podinit" -v --prestop-delay 2 --grace-period 10 -- "$work/app.sh" &
    job=$!
    init=$job
fi
sleep 2
say "kill -TERM $init   (podinit, from outside the namespace): the app keeps serving for 2 s"
kill -TERM "$init"
status=0
wait "$job" || status=$?
say "podinit exited with $status (the app's status)"
