#!/usr/bin/env bats
# The zero-downtime proof. HAProxy (loopback only) balances wrk's load over
# two replicas of a small HTTP app, each under an init as PID 1 in its own
# PID namespace, and health-checks every replica each 100 ms. Like
# kube-proxy, it neither retries nor redispatches: a request sent to a
# replica that stopped listening fails. A rolling update replaces each
# replica in turn (start the new one, wait until HAProxy sends it traffic,
# SIGTERM the old one), ROLLOUTS times, under load.
#   (a) podinit with a 1 s drain; HAProxy checks podinit's /readyz, which
#       turns 503 the moment SIGTERM arrives while the app keeps serving;
#   (b) the same app under Debian's tini, checked on the app itself: the
#       app stops listening at once.
# (a) must lose no request; (b) shows that the set-up sees lost requests.

load ../integration/common

ROLLOUTS=${ROLLOUTS:-5}
LOAD_SECONDS=${LOAD_SECONDS:-60}

setup() {
    require_root
    for tool in haproxy wrk tini curl; do
        command -v "$tool" >/dev/null || skip "$tool is not installed"
    done
    D="$BATS_TEST_TMPDIR"
    PIDS=() HAPROXY=""
}

teardown() {
    local p
    for p in "${PIDS[@]}" $HAPROXY ${WRK:-}; do
        kill -KILL "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}

# Start replica SLOT (0-3) of VARIANT (podinit|tini) as PID 1 of a new PID
# namespace; its app listens on APP[SLOT], podinit's endpoint on HEALTH[SLOT].
# Sets INIT_OF[SLOT] to the init's pid, seen from here.
start_replica() {
    local slot=$1 variant=$2 ns="" init=""
    if [ "$variant" = podinit ]; then
        cat >"$D/replica$slot.json" <<JSON
{ "preStopDelaySeconds": 1, "terminationGracePeriodSeconds": 10,
  "health": { "listen": "127.0.0.1:${HEALTH[$slot]}" },
  "processes": [{ "command": ["$H/httpapp", "${APP[$slot]}", "/dev/null"],
                  "readinessProbe": { "tcpSocket": { "port": ${APP[$slot]} }, "periodSeconds": 1 } }] }
JSON
        unshare --pid --fork --mount-proc --kill-child "$PODINIT" --config "$D/replica$slot.json" \
            >>"$D/replicas.log" 2>&1 3>&- &
    else
        unshare --pid --fork --mount-proc --kill-child tini -- "$H/httpapp" "${APP[$slot]}" /dev/null \
            >>"$D/replicas.log" 2>&1 3>&- &
    fi
    PIDS+=($!)
    UNSHARE_OF[$slot]=$!
    for _ in $(seq 500); do
        init=$(pgrep -P "${UNSHARE_OF[$slot]}" | head -n1) && [ -n "$init" ] && break
        sleep 0.01
    done
    [ -n "$init" ] || { echo "replica $slot did not start" >&2; return 1; }
    INIT_OF[$slot]=$init
}

# HAProxy's view of server sSLOT: UP, DOWN, ...
server_status() {
    curl -s "http://127.0.0.1:$STATS/stats;csv" | awk -F, -v s="s$1" '$1 == "be" && $2 == s { print $18 }'
}

wait_status() {
    local slot=$1 want=$2 got=""
    for _ in $(seq 1000); do
        got=$(server_status "$slot")
        [ "${got%% *}" = "$want" ] && return 0
        sleep 0.02
    done
    echo "server s$slot stayed '$got', not $want" >&2
    return 1
}

# SIGTERM the replica in SLOT and wait (bounded) until its namespace is gone.
stop_replica() {
    local slot=$1
    kill -TERM "${INIT_OF[$slot]}"
    for _ in $(seq 1500); do
        kill -0 "${UNSHARE_OF[$slot]}" 2>/dev/null || return 0
        sleep 0.01
    done
    echo "replica $slot did not stop" >&2
    return 1
}

# One run of VARIANT: HAProxy, two replicas, wrk for LOAD_SECONDS, ROLLOUTS
# rolling updates under that load. Sets FAILED: non-2xx responses plus
# socket errors. (Not in a $(subshell): teardown must see the pids.)
run_rollouts() {
    local variant=$1 slot i
    FE=$(free_port) STATS=$(free_port)
    for slot in 0 1 2 3; do APP[$slot]=$(free_port); HEALTH[$slot]=$(free_port); done
    {
        printf 'global\n  maxconn 2000\n'
        printf 'defaults\n  mode http\n  retries 0\n  option http-server-close\n'
        printf '  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n'
        printf 'frontend fe\n  bind 127.0.0.1:%s\n  default_backend be\n' "$FE"
        printf 'listen stats\n  bind 127.0.0.1:%s\n  stats enable\n  stats uri /stats\n' "$STATS"
        printf 'backend be\n  balance roundrobin\n'
        if [ "$variant" = podinit ]; then
            printf '  option httpchk GET /readyz\n'
        else
            printf '  option httpchk GET /\n'
        fi
        printf '  default-server inter 100 fall 1 rise 1\n'
        for slot in 0 1 2 3; do
            if [ "$variant" = podinit ]; then
                printf '  server s%s 127.0.0.1:%s check port %s\n' "$slot" "${APP[$slot]}" "${HEALTH[$slot]}"
            else
                printf '  server s%s 127.0.0.1:%s check\n' "$slot" "${APP[$slot]}"
            fi
        done
    } >"$D/haproxy.cfg"
    haproxy -f "$D/haproxy.cfg" -db >"$D/haproxy.log" 2>&1 3>&- &
    HAPROXY=$!
    PIDS+=($HAPROXY)
    local live=(0 1) spare=(2 3)
    start_replica 0 "$variant"
    start_replica 1 "$variant"
    for slot in 0 1; do wait_status "$slot" UP; done
    for slot in 2 3; do wait_status "$slot" DOWN; done

    wrk -t 2 -c 8 -d "${LOAD_SECONDS}s" "http://127.0.0.1:$FE/" >"$D/wrk.out" 2>&1 3>&- &
    WRK=$!
    sleep 1
    for _ in $(seq "$ROLLOUTS"); do
        for i in 0 1; do
            start_replica "${spare[$i]}" "$variant"
            wait_status "${spare[$i]}" UP
            stop_replica "${live[$i]}"
            slot=${live[$i]} live[$i]=${spare[$i]} spare[$i]=$slot
        done
    done
    sleep 1
    # the load must have covered every rollout
    kill -0 "$WRK" 2>/dev/null || { echo "the load ended before the rollouts did" >&2; return 1; }
    kill -INT "$WRK"
    wait "$WRK" || true
    WRK=""
    local requests non2xx errors
    requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$D/wrk.out")
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p' "$D/wrk.out")
    errors=$(sed -n 's/^ *Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\)/\1 \2 \3 \4/p' "$D/wrk.out" |
        awk '{ print $1 + $2 + $3 + $4 }')
    [ -n "$requests" ] || { cat "$D/wrk.out" >&2; return 1; }
    echo "$variant: $ROLLOUTS rollouts, $requests requests, $((${non2xx:-0} + ${errors:-0})) failed (non-2xx ${non2xx:-0}, socket errors ${errors:-0})" >&3
    FAILED=$((${non2xx:-0} + ${errors:-0}))
}

@test "rollout with podinit's drain: no request fails" {
    run_rollouts podinit
    [ "$FAILED" -eq 0 ]
}

@test "rollout under plain tini (no drain): requests fail, so the set-up can see failures" {
    run_rollouts tini
    [ "$FAILED" -gt 0 ]
}
