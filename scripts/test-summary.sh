#!/bin/sh
# Count what a `make test` log says: cmocka's summaries and bats' TAP lines.
# Prints one closing line: "total: N passed, N failed, N skipped".
log=${1:?usage: test-summary.sh LOG}
unit_pass=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
unit_fail=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
bats_skip=$(grep -E '^ok [0-9]+ .*# skip' "$log" | wc -l)
bats_pass=$(($(grep -E '^ok [0-9]+ ' "$log" | wc -l) - bats_skip))
bats_fail=$(grep -E '^not ok [0-9]+ ' "$log" | wc -l)
fuzz_pass=$(grep -cE '^fuzz [a-z]+: .* no crash$' "$log")
fuzz_fail=$(grep -cE '^fuzz [a-z]+: FAILED' "$log")
echo "fuzz: $fuzz_pass targets ran clean, $fuzz_fail failed"
echo "unit: $unit_pass passed, $unit_fail failed"
echo "integration: $bats_pass passed, $bats_fail failed, $bats_skip skipped"
echo "total: $((unit_pass + bats_pass)) passed, $((unit_fail + bats_fail)) failed, $bats_skip skipped"
