#!/usr/bin/env bats
# podinit's own log output: its JSON lines are valid UTF-8 JSON whatever
# bytes the message carries.

bats_require_minimum_version 1.5.0
load common

# ---- JSON lines ---------------------------------------------------------------

# Fails unless every line of FILE is a JSON object and the file is UTF-8.
all_json_utf8() {
    python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]' <"$1"
}

@test "JSON log lines are valid UTF-8 JSON for a program named with bytes 0xff 0xfe" {
    prog="$BATS_TEST_TMPDIR/"$'app\xff\xfe'
    ln -s /bin/true "$prog"
    run --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$prog"
    [ "$status" -eq 0 ]
    printf '%s\n' "$stderr" >"$ERR"
    [ "$(wc -l <"$ERR")" -ge 2 ] # started, exit
    all_json_utf8 "$ERR"
    grep -q '"event":"started"' "$ERR"
}

@test "JSON log lines stay valid when the message is cut, mid-character or not" {
    # exec fails, and the line names the program: 2-byte characters at odd
    # and even offsets, line separators, control characters, invalid bytes.
    for pad in "" "x"; do
        name="/nonexistent/$pad$(printf 'é%.0s' $(seq 600))"
        run -127 --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$name"
        printf '%s\n' "$stderr" >"$ERR"
        all_json_utf8 "$ERR"
    done
    name=$'/nonexistent/a\u2028b\u2029c\xc2\x85d\x1ce\tf\x7fg\xff\xfe\xc3'
    run -127 --separate-stderr timeout "$T" "$PODINIT" --log-format json -- "$name"
    printf '%s\n' "$stderr" >"$ERR"
    [ "$(wc -l <"$ERR")" -eq 1 ] # one event, one line, however it is split
    all_json_utf8 "$ERR"
}
