#!/usr/bin/env bats
# The health endpoint (health.listen): /livez /readyz /startupz /status,
# readiness off the moment a stop signal arrives, and no client able to
# stall PID 1.

bats_require_minimum_version 1.5.0
load common

probe() { "$PODINIT" --probe "http://127.0.0.1:$PORT$1" 2>&1; }

# GET $1 on 127.0.0.1:$PORT read to the end (the server closes): prints
# "length=L body=B" (the Content-Length header, the bytes after the
# headers), then the body's JSON: its process names, one a line. Fails
# when the body is not JSON.
get_json() {
    timeout 10 python3 - "$PORT" "$1" <<'EOF'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
s.sendall(b"GET " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
length = [l.split(b":", 1)[1].strip().decode() for l in head.split(b"\r\n")
          if l.lower().startswith(b"content-length:")]
print(f"length={','.join(length)} body={len(body)}")
for p in json.loads(body)["processes"]:
    print(p["name"])
EOF
}

# N connections to 127.0.0.1:$PORT, opened at once and held S seconds
# (they send nothing), then closed; "holding" and "closed" on stdout.
hold_connections() {
    timeout 30 python3 - "$PORT" "$1" "$2" <<'EOF'
import socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    socks.append(s)
print("holding", flush=True)
time.sleep(secs)
for s in socks:
    s.close()
print("closed", flush=True)
EOF
}

# CPU time of pid $1 (user + system, ticks of 1/100 s).
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}

@test "/readyz turns 503 the moment SIGTERM arrives, before the app gets any signal" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"preStopDelaySeconds": 3, "health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "command": ["$H/sigrecv", "--exit-on", "15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    [[ "$(probe /readyz)" == *"HTTP 200" ]]
    [[ "$(probe /livez)" == *"HTTP 200" ]]
    [[ "$(probe /startupz)" == *"HTTP 200" ]]
    kill -TERM "$INIT"
    wait_for_line "$ERR" 'readiness: not ready'
    [[ "$(probe /readyz)" == *"HTTP 503 (not 2xx or 3xx)" ]]
    [[ "$(probe /livez)" == *"HTTP 200" ]] # still alive, still serving
    [ "$(grep -c '^15$' "$OUT")" = "0" ]   # and not yet signalled
    wait "$JOB"
    grep -q '^15$' "$OUT"
}

@test "/status is JSON with the state and the process" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "command": ["$H/sigrecv", "--exit-on", "15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    body=$(status_json)
    pid=$(ready_pid "$OUT")
    [ "$body" = '{"state":"RUNNING","live":true,"ready":true,"started":true,"processes":[{"name":"web","kind":"process","state":"RUNNING","pid":'"$pid"',"running":true,"ready":true,"restarts":0,"lastExit":null}]}' ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/status with 64 processes of 63-character names (4 of them sidecars): whole JSON, exact Content-Length" {
    require_root
    PORT=$(free_port)
    procs="" sidecars="" names="" sidecar_names=""
    for i in $(seq 0 63); do
        name=$(name63 "$i")
        [ "${#name}" -eq 63 ]
        if [ "$i" -lt 60 ]; then
            procs+="${procs:+,}{\"name\": \"$name\", \"command\": [\"$H/sigrecv\", \"--exit-on\", \"15\"]}"
            names+="$name"$'\n'
        else
            sidecars+="${sidecars:+,}{\"name\": \"$name\", \"restartPolicy\": \"Always\", \"command\": [\"$H/sigrecv\", \"--exit-on\", \"15\"]}"
            sidecar_names+="$name"$'\n'
        fi
    done
    names+="$sidecar_names" # /status lists processes, then initProcesses
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "initProcesses": [$sidecars], "processes": [$procs]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_count "$OUT" '^ready' 64
    run --separate-stderr get_json /status
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    first=${lines[0]}
    [[ "$first" =~ ^length=([0-9]+)\ body=([0-9]+)$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    [ "${BASH_REMATCH[1]}" -gt 8192 ]
    [ "$(printf '%s\n' "${lines[@]:1}")" = "${names%$'\n'}" ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "RLIMIT_NOFILE 16 and 60 clients holding connections: no spin, the exec probe keeps passing" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 0.2,
                      "failureThreshold": 1}}]}
EOF
    # only fds 0-2 inherited, as in a container: 13 left for podinit
    start_pid1 prlimit --nofile=16:16 "$H/launch" --close-fds -- "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'readiness probe passing'
    C="$BATS_TEST_TMPDIR/clients"
    hold_connections 60 6 >"$C" &
    clients=$!
    wait_for_line "$C" '^holding'
    sleep 0.5 # the crowd reaches the listener
    before=$(cpu_ticks "$INIT")
    sleep 2
    after=$(cpu_ticks "$INIT")
    echo "PID 1 used $((after - before)) ticks in 2 s"
    [ $((after - before)) -le 20 ] # a spin costs ~100 a second
    [[ "$(probe /readyz)" == *"HTTP 200" ]] # answered while the crowd holds
    wait "$clients"
    [ "$(grep -cE "probe failing|probe failed|Too many open files" "$ERR")" = 0 ]
    for _ in $(seq 100); do
        [[ "$(probe /readyz)" == *"HTTP 200" ]] && break
        sleep 0.1
    done
    [[ "$(probe /readyz)" == *"HTTP 200" ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "200 idle, garbage and oversized connections: signals, reaping and /livez still work" {
    require_root
    PORT=$(free_port)
    O="$BATS_TEST_TMPDIR/orphan"
    # the app leaves an orphan behind (reaped by podinit when it exits)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"command": ["sh", "-c", "(sleep 1 & echo \$! > $O); exec \"\$0\" --exit-on 15", "$H/sigrecv"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG" --log-level debug
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    fds=()
    for _ in $(seq 200); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        fds+=("$fd")
    done
    # on the newest connections, the ones podinit still holds (the oldest
    # make room for new ones once its 32 slots are taken)
    for i in $(seq 170 184); do printf '\x16\x03\x01 garbage, no newline' >&"${fds[$i]}"; done
    for i in $(seq 185 199); do head -c 3000 /dev/zero | tr '\0' A >&"${fds[$i]}" 2>/dev/null || true; done
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$'                                   # forwarded
    wait_for_line "$ERR" "reaped pid $(cat "$O") " # the orphan (killed by the USR1), reaped
    [[ "$(probe /livez)" == *"HTTP 200" ]]                       # a good request is answered
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "a health address that cannot be bound: one line, exit 2, nothing started" {
    PORT=$(free_port)
    "$H/httpapp" "$PORT" - >"$BATS_TEST_TMPDIR/app" &
    app=$!
    wait_for_line "$BATS_TEST_TMPDIR/app" '^ready'
    marker="$BATS_TEST_TMPDIR/started"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "processes": [{"command": ["touch", "$marker"]}]}
EOF
    run --separate-stderr timeout "$T" "$PODINIT" --config "$CFG"
    kill "$app"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"error: health.listen 127.0.0.1:$PORT: Address already in use" ]]
    [ ! -e "$marker" ]
}
