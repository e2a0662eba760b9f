#!/bin/sh
# Run the whole suite: every unit-test binary, the CLI goldens and the examples.
# Each part prints "N passed, N failed"; this script adds them up and prints the total last.
# SPDX-License-Identifier: MIT
BUILD=${BUILD:-build}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add the counts from the last "N passed, N failed" line in $log; a part that printed none
# (it crashed) counts as one failure.
tally() {
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ] || [ "$1" -ne 0 -a "$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')" = 0 ]; then
        echo "FAIL $2 (exit $1, no clean summary line)"
        failed=$((failed + 1))
    fi
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed 's/ passed.*//')
        f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
        passed=$((passed + p))
        failed=$((failed + f))
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1
    rc=$?
    sed "s|^|$(basename "$t"): |" "$log" | grep -v ' passed, 0 failed$' || true
    tally $rc "$(basename "$t")"
    echo "$(basename "$t"): $(grep -E '^[0-9]+ passed' "$log" | tail -n 1)"
done

BUILD="$BUILD" sh tests/cli/run.sh >"$log" 2>&1
rc=$?
grep -v ' passed, 0 failed$' "$log" | grep -v '^[0-9]* passed' || true
tally $rc cli
echo "cli goldens: $(grep -E '^[0-9]+ passed' "$log" | tail -n 1)"

# Cross-checks against independent tools (tests/cross/*.sh): show failures and notes, not the
# "ok" lines.
for t in tests/cross/*.sh; do
    [ -f "$t" ] || continue
    BUILD="$BUILD" sh "$t" >"$log" 2>&1
    rc=$?
    grep -v '^ok ' "$log" | grep -v '^[0-9]* passed' || true
    tally $rc "$(basename "$t")"
    echo "cross $(basename "$t" .sh): $(grep -E '^[0-9]+ passed' "$log" | tail -n 1)"
done

for e in "$BUILD"/examples/*; do
    [ -x "$e" ] || continue
    if "$e" tests/data/small.csv >"$log" 2>&1; then
        passed=$((passed + 1))
    else
        echo "FAIL example $(basename "$e")"
        cat "$log"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
