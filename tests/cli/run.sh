#!/bin/sh
# CLI golden tests. Each folder tests/cli/<case>/ holds:
#   args    the arguments to `retain`, one shell line (run from the repository root; $TMP is a
#           fresh scratch folder for the case)
#   stdin   (optional) fed to standard input; otherwise stdin is empty
#   after   (optional) a shell line run after the command; its output is appended to stdout
#           (to check a file the command wrote, e.g. `cat $TMP/rejects.csv`)
#   stdout, stderr, status   the expected output, byte for byte, and exit status
# Set UPDATE=1 to rewrite the expectations from the current behaviour (then review the diff).
# SPDX-License-Identifier: MIT
BUILD=${BUILD:-build}
RETAIN=$(pwd)/$BUILD/retain
passed=0
failed=0
for dir in tests/cli/*/; do
    case=${dir%/}
    [ -f "$case/args" ] || continue
    TMP=$(mktemp -d)
    export TMP
    args=$(cat "$case/args")
    in=/dev/null
    [ -f "$case/stdin" ] && in=$case/stdin
    eval "\"\$RETAIN\" $args" <"$in" >"$TMP/.out" 2>"$TMP/.err"
    echo $? >"$TMP/.status"
    if [ -f "$case/after" ]; then
        sh -c "$(cat "$case/after")" >>"$TMP/.out" 2>&1
    fi
    if [ -n "$UPDATE" ]; then
        cp "$TMP/.out" "$case/stdout"
        cp "$TMP/.err" "$case/stderr"
        cp "$TMP/.status" "$case/status"
    fi
    ok=1
    cmp -s "$TMP/.out" "$case/stdout" || { ok=0; echo "FAIL $case: stdout differs"; diff "$case/stdout" "$TMP/.out" | head -20; }
    cmp -s "$TMP/.err" "$case/stderr" || { ok=0; echo "FAIL $case: stderr differs"; diff "$case/stderr" "$TMP/.err" | head -20; }
    cmp -s "$TMP/.status" "$case/status" || { ok=0; echo "FAIL $case: status $(cat "$TMP/.status"), expected $(cat "$case/status")"; }
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    rm -rf "$TMP"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
