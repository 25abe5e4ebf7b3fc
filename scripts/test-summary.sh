#!/bin/sh
# Count what a `make test` log says: cmocka's summaries, bats' TAP lines
# (by section: "== integration tests", "== runtime tests", "== rollout",
# "== cross tests (ARCHES)", "== deb tests"),
# the fuzz targets. Prints a line per kind and a closing total.
log=${1:?usage: test-summary.sh LOG}
unit_pass=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
unit_fail=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
fuzz_pass=$(grep -cE '^fuzz [a-z]+: .* no crash$' "$log")
fuzz_fail=$(grep -cE '^fuzz [a-z]+: FAILED' "$log")
# bats TAP lines per section: "SECTION PASSED FAILED SKIPPED"
bats_counts() {
    awk -v want="$1" '
        /^== integration tests$/ { sec = "integration" }
        /^== runtime tests$/     { sec = "runtime" }
        /^== rollout$/           { sec = "rollout" }
        /^== cross tests/        { sec = "cross" }
        /^== deb tests$/         { sec = "deb" }
        sec != want { next }
        /^ok [0-9]+ .*# skip/ { k++; next }
        /^ok [0-9]+ /         { p++; next }
        /^not ok [0-9]+ /     { f++ }
        END { print p + 0, f + 0, k + 0 }' "$log"
}
echo "fuzz: $fuzz_pass targets ran clean, $fuzz_fail failed"
echo "unit: $unit_pass passed, $unit_fail failed"
pass=$unit_pass fail=$unit_fail skip=0
for sec in integration runtime rollout cross deb; do
    set -- $(bats_counts "$sec")
    if [ "$sec" = integration ] || grep -qE "^== $sec( tests)?( \(.*\))?$" "$log"; then
        echo "$sec: $1 passed, $2 failed, $3 skipped"
    fi
    pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
done
grep -E '^(runtime tests|rollout|cross tests|deb tests): skipped' "$log"
echo "total: $pass passed, $fail failed, $skip skipped"
