#!/usr/bin/env bats
# GET /metrics on the health listener, podinit as PID 1, read by
# Prometheus' own parser (Debian's python3-prometheus-client): the
# restart counter of a crash loop counting up, probe failures, signals
# forwarded, zombies reaped, the content type, GET only.

bats_require_minimum_version 1.5.0
load common

# Debian's python3, where python3-prometheus-client is installed (a
# python3 earlier in PATH, e.g. pyenv's, does not see it).
PY=/usr/bin/python3

# GET /metrics on 127.0.0.1:$PORT, parsed by text_string_to_metric_families:
# one line per sample, "name{label=value,...} value" (labels sorted), then
# a line "families=N". Fails when the answer is not 200, not of Prometheus'
# content type, or does not parse.
metrics() {
    timeout 10 "$PY" - "$PORT" <<'EOF'
import socket, sys
from prometheus_client.parser import text_string_to_metric_families
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
assert lines[0] == "HTTP/1.1 200 OK", lines[0]
hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
assert hdr["content-type"].startswith("text/plain; version=0.0.4"), hdr
assert int(hdr["content-length"]) == len(body), (hdr, len(body))
n = 0
for fam in text_string_to_metric_families(body.decode()):
    n += 1
    assert fam.documentation, fam.name  # every family has its HELP
    for smp in fam.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(smp.labels.items()))
        print(f"{smp.name}{{{labels}}} {smp.value:g}")
print(f"families={n}")
EOF
}

# The value of sample $1 (as metrics prints it: name{labels}) in $2.
value_of() {
    awk -v k="$1" '$1 == k {print $2}' <<<"$2"
}

setup_file() {
    # make test installs it (scripts/deps.sh); by hand, say what is missing
    "$PY" -c 'import prometheus_client' 2>/dev/null ||
        echo "# metrics.bats needs python3-prometheus-client (apt-get install python3-prometheus-client)" >&3
}

@test "/metrics parses with Prometheus' parser: a crash loop's restart counter counts up, its last exit code" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [
   {"name": "web", "command": ["$H/sigrecv", "--exit-on", "15"]},
   {"name": "crash", "restartPolicy": "Always",
    "restartBackoff": {"initialSeconds": 0.1, "maxSeconds": 0.1},
    "command": ["sh", "-c", "exit 3"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    wait_for_line "$ERR" 'restart'
    run --separate-stderr metrics
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    first=$(value_of 'podinit_process_restarts_total{kind=process,process=crash}' "$output")
    [ -n "$first" ]
    [ "$(value_of 'podinit_process_last_exit_code{kind=process,process=crash}' "$output")" = 3 ]
    [ "$(value_of 'podinit_process_restarts_total{kind=process,process=web}' "$output")" = 0 ]
    [ "$(value_of 'podinit_process_up{kind=process,process=web}' "$output")" = 1 ]
    [ "$(value_of 'podinit_process_ready{kind=process,process=web}' "$output")" = 1 ]
    [ -z "$(value_of 'podinit_process_last_exit_code{kind=process,process=web}' "$output")" ]
    [ "$(value_of 'podinit_container_state{state=RUNNING}' "$output")" = 1 ]
    [ "${lines[-1]}" = "families=12" ]
    # counting up: a later scrape sees more restarts (bounded wait)
    for _ in $(seq 100); do
        run --separate-stderr metrics
        [ "$status" -eq 0 ]
        now=$(value_of 'podinit_process_restarts_total{kind=process,process=crash}' "$output")
        [ "${now%.*}" -ge $((${first%.*} + 2)) ] && break
        sleep 0.1
    done
    echo "restarts: $first, then $now"
    [ "${now%.*}" -ge $((${first%.*} + 2)) ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/metrics: a readiness probe's failures counted each time it goes failing; the container's readiness" {
    require_root
    PORT=$(free_port)
    F="$BATS_TEST_TMPDIR/ok"
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "command": ["$H/sigrecv", "--exit-on", "15"],
   "readinessProbe": {"exec": {"command": ["test", "-e", "$F"]}, "periodSeconds": 0.1,
                      "failureThreshold": 1, "successThreshold": 1}}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'health endpoint on'
    wait_for_count "$ERR" 'readiness probe failing' 1
    run --separate-stderr metrics
    [ "$status" -eq 0 ]
    [ "$(value_of 'podinit_probe_failures_total{kind=process,probe=readiness,process=web}' "$output")" = 1 ]
    [ "$(value_of 'podinit_container_ready{}' "$output")" = 0 ]
    [ "$(value_of 'podinit_container_live{}' "$output")" = 1 ]
    [ "$(value_of 'podinit_process_ready{kind=process,process=web}' "$output")" = 0 ]
    # no liveness or startup probe configured: no sample for them
    not grep -q 'probe=liveness' <<<"$output"
    : >"$F"
    wait_for_count "$ERR" 'readiness probe passing' 1
    run --separate-stderr metrics
    [ "$(value_of 'podinit_container_ready{}' "$output")" = 1 ]
    [ "$(value_of 'podinit_probe_failures_total{kind=process,probe=readiness,process=web}' "$output")" = 1 ]
    rm "$F"
    wait_for_count "$ERR" 'readiness probe failing' 2
    run --separate-stderr metrics
    [ "$(value_of 'podinit_probe_failures_total{kind=process,probe=readiness,process=web}' "$output")" = 2 ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/metrics: signals forwarded and zombies reaped count what podinit did" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "command": ["sh", "-c", "'$H/orphanstorm' 50 && exec '$H/sigrecv' --exit-on 15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$OUT" '^ready'
    wait_for_line "$ERR" 'health endpoint on'
    grep -q '^orphanstorm: 50$' "$OUT"
    run --separate-stderr metrics
    [ "$status" -eq 0 ]
    [ "$(value_of 'podinit_signals_forwarded_total{}' "$output")" = 0 ]
    # each of the 50 orphans reaped by PID 1 (bounded wait: the last may
    # still be on its way)
    for _ in $(seq 100); do
        run --separate-stderr metrics
        [ "$(value_of 'podinit_zombies_reaped_total{}' "$output")" -ge 50 ] && break
        sleep 0.05
    done
    [ "$(value_of 'podinit_zombies_reaped_total{}' "$output")" -ge 50 ]
    kill -HUP "$INIT"
    kill -USR1 "$INIT"
    wait_for_line "$OUT" '^10$' # sigrecv got USR1, after HUP
    run --separate-stderr metrics
    [ "$(value_of 'podinit_signals_forwarded_total{}' "$output")" = 2 ]
    [ "$(value_of 'podinit_log_lines_dropped_total{}' "$output")" = 0 ]
    [ "$(value_of 'podinit_output_lines_dropped_total{}' "$output")" = 0 ]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/metrics is GET only; an unknown path's 404 lists it" {
    require_root
    PORT=$(free_port)
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"},
 "processes": [{"name": "web", "command": ["$H/sigrecv", "--exit-on", "15"]}]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_line "$ERR" 'health endpoint on'
    [[ "$(http_request "POST /metrics")" == "HTTP/1.1 405 "* ]]
    [[ "$(http_request "GET /nope")" == *"/metrics"* ]]
    kill -TERM "$INIT"
    wait "$JOB"
}

@test "/metrics with 64 processes of 63-character names (4 of them sidecars): whole, parses, every process there" {
    require_root
    PORT=$(free_port)
    procs="" sidecars=""
    for i in $(seq 0 63); do
        name=$(name63 "$i")
        entry="{\"name\": \"$name\", \"command\": [\"$H/sigrecv\", \"--exit-on\", \"15\"]"
        if [ "$i" -lt 60 ]; then
            procs+="${procs:+,}$entry}"
        else
            sidecars+="${sidecars:+,}$entry, \"restartPolicy\": \"Always\"}"
        fi
    done
    write_config <<EOF
{"health": {"listen": "127.0.0.1:$PORT"}, "initProcesses": [$sidecars], "processes": [$procs]}
EOF
    start_pid1 "$PODINIT" --config "$CFG"
    wait_for_count "$OUT" '^ready' 64
    run --separate-stderr metrics
    echo "$stderr"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^podinit_process_up{kind=process,process=p[0-9]*-x*} 1$' <<<"$output")" -eq 60 ]
    [ "$(grep -c '^podinit_process_up{kind=sidecar,process=p6[0-3]-x*} 1$' <<<"$output")" -eq 4 ]
    [ "$(grep -c '^podinit_process_restarts_total{' <<<"$output")" -eq 64 ]
    kill -TERM "$INIT"
    wait "$JOB"
}
