#!/bin/sh
# bench/run.sh - time `retain summary` on a cached ~10-million-event log (make bench).
# The log is simulated once into bench/data/ (git-ignored) and reused; delete it to regenerate.
# Prints one line per figure: the wc -l floor, best and median wall time of 5 runs, MB/s, peak
# RSS, PASS/MISS against the targets, the same timing for a gzip -1 copy, then retention,
# cohort and rfm end to end against 1.5 x the summary's median; then the BTYD fits
# (bench/bench_fit.c: BG/NBD, MBG/NBD, Pareto/NBD on 1,000,000 simulated customers, cached
# as bench/data/fit1m.csv) against 1 s each and `retain predict` on the same customers
# (bench/bench_clv.c, then the command end to end); Kaplan-Meier with and without groups and
# the log-rank test (bench/bench_km.c, 1,000,000 customers generated in memory) against 10x
# R's survfit (1.7 s) and survdiff (2.0 s); and Cox proportional hazards and the concordance
# (bench/bench_cox.c: 1,000,000 generated customers with integer tenures) against a tenth of
# R survival's times (coxph 11.3 s, concordance 4.0 s).
# MB are 10^6 bytes throughout (RSS is also shown in MiB). The wall target is judged on the
# median. Other work on the machine skews the figures: run it on an idle one.
# Usage: sh bench/run.sh [BUILD]   (BUILD defaults to build; BENCH_CUSTOMERS overrides N)
# SPDX-License-Identifier: MIT
set -eu

BUILD=${1:-build}
RETAIN=$BUILD/retain
DATA=bench/data
CSV=$DATA/events10m.csv
GZ=$CSV.gz
N=${BENCH_CUSTOMERS:-2800000} # gives close to 10,000,000 data rows with --days 1095 --seed 7
RUNS=5
GZ_RUNS=3
TARGET_S=1.0
TARGET_MB=400
TIME=/usr/bin/time

die() {
    echo "bench: $*" >&2
    exit 1
}

[ -x "$RETAIN" ] || die "$RETAIN not found; run make first"
[ -x "$TIME" ] || die "$TIME not found; run scripts/install-deps (package 'time')"
mkdir -p "$DATA"

# Generate into a temporary name, so an interrupted run leaves no half-written log behind.
if [ ! -s "$CSV" ]; then
    echo "bench: simulating $CSV (--customers $N --days 1095 --seed 7), once"
    "$RETAIN" simulate --customers "$N" --days 1095 --seed 7 -o "$CSV.tmp"
    mv "$CSV.tmp" "$CSV"
fi
if [ ! -s "$GZ" ]; then
    echo "bench: compressing $GZ (gzip -1 -k), once"
    gzip -1 -k -f "$CSV" # gzip removes a partial output when interrupted
fi

now() { date +%s.%N; }
# Median of the numbers on stdin (one per line); the mean of the middle two for an even count.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -g | head -n 1; }

bytes=$(wc -c <"$CSV")
rows=$(($(wc -l <"$CSV") - 1))
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
cat "$CSV" >/dev/null # warm the page cache
cat "$GZ" >/dev/null

# Time 'n' runs of `retain ARGS... FILE` (output to a scratch file) under /usr/bin/time -v.
# Wall time is taken with a nanosecond clock around each run (time -v prints only
# centiseconds); peak RSS is time -v's "Maximum resident set size". Leaves one "wall rss_kb"
# line per run in $DATA/runs.txt. Usage: time_cmd N FILE ARGS...
time_cmd() {
    n=$1
    file=$2
    shift 2
    : >"$DATA/runs.txt"
    i=0
    while [ "$i" -lt "$n" ]; do
        t0=$(now)
        if ! "$TIME" -v -o "$DATA/time.txt" "$RETAIN" "$@" "$file" \
            >"$DATA/out.txt" 2>"$DATA/stderr.txt"; then
            cat "$DATA/stderr.txt" >&2
            die "retain $* $file failed"
        fi
        t1=$(now)
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$DATA/time.txt")
        echo "$t0 $t1 $rss" | awk '{ printf "%.3f %d\n", $2 - $1, $3 }' >>"$DATA/runs.txt"
        i=$((i + 1))
    done
}

echo "machine: $(nproc) cores, $(uname -m), $(awk '/^model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)"
echo "file: $CSV, $rows data rows, $mb MB (generated with --customers $N --days 1095 --seed 7)"

wbest=
for i in 1 2 3; do
    t0=$(now)
    wc -l "$CSV" >/dev/null
    t1=$(now)
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    wbest=$(printf '%s\n%s\n' "${wbest:-$w}" "$w" | best)
done
echo "wc -l floor (best of 3): $wbest s, $(awk -v b="$bytes" -v t="$wbest" 'BEGIN { printf "%.0f", b / 1e6 / t }') MB/s"

echo "command: $RETAIN summary --format json $CSV (x$RUNS, page cache warm)"
time_cmd "$RUNS" "$CSV" summary --format json
sbest=$(cut -d' ' -f1 "$DATA/runs.txt" | best)
smed=$(cut -d' ' -f1 "$DATA/runs.txt" | median)
rss_kb=$(cut -d' ' -f2 "$DATA/runs.txt" | sort -n | tail -n 1)
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
echo "summary wall best: $sbest s"
echo "summary wall median: $smed s"
echo "summary throughput (best): $(awk -v b="$bytes" -v t="$sbest" 'BEGIN { printf "%.0f", b / 1e6 / t }') MB/s"
echo "summary throughput (median): $(awk -v b="$bytes" -v t="$smed" 'BEGIN { printf "%.0f", b / 1e6 / t }') MB/s"
echo "summary peak RSS (max of runs): $rss_mb MB ($(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }') MiB)"
echo "target wall <= $TARGET_S s (median): $(awk -v t="$smed" -v m="$TARGET_S" 'BEGIN { print (t <= m) ? "PASS" : "MISS" }')"
echo "target RSS <= $TARGET_MB MB (10^6 bytes): $(awk -v r="$rss_mb" -v m="$TARGET_MB" 'BEGIN { print (r <= m) ? "PASS" : "MISS" }')"

gzmb=$(wc -c <"$GZ" | awk '{ printf "%.1f", $1 / 1e6 }')
echo "gzip file: $GZ, $gzmb MB (gzip -1)"
echo "command: $RETAIN summary --format json $GZ (x$GZ_RUNS)"
time_cmd "$GZ_RUNS" "$GZ" summary --format json
gbest=$(cut -d' ' -f1 "$DATA/runs.txt" | best)
gmed=$(cut -d' ' -f1 "$DATA/runs.txt" | median)
grss=$(cut -d' ' -f2 "$DATA/runs.txt" | sort -n | tail -n 1 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')
echo "gzip summary wall best: $gbest s"
echo "gzip summary wall median: $gmed s"
echo "gzip summary throughput (best, uncompressed MB): $(awk -v b="$bytes" -v t="$gbest" 'BEGIN { printf "%.0f", b / 1e6 / t }') MB/s"
echo "gzip summary peak RSS: $grss MB"
# The analyses of issue 3, end to end (load included), against 1.5 x the summary's median.
echo "analyses (x3 each, end to end, median; target <= 1.5 x summary median = $(awk -v m="$smed" 'BEGIN { printf "%.3f", 1.5 * m }') s):"
for args in "retention --format csv" "retention --period week --annualize --format csv" \
    "cohort --format csv" "cohort --period week --window rolling --metric revenue --format csv" \
    "rfm --summary --format csv" "rfm --format csv"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    time_cmd 3 "$CSV" $args
    med=$(cut -d' ' -f1 "$DATA/runs.txt" | median)
    rss=$(cut -d' ' -f2 "$DATA/runs.txt" | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 * 1024 / 1e6 }')
    echo "  $args: $med s, $(awk -v t="$med" -v m="$smed" 'BEGIN { printf "%.2f", t / m }') x summary, peak $rss MB: $(awk -v t="$med" -v m="$smed" 'BEGIN { print (t <= 1.5 * m) ? "PASS" : "MISS" }')"
done
rm -f "$DATA/time.txt" "$DATA/stderr.txt" "$DATA/runs.txt" "$DATA/out.txt" "$DATA/summary.json"

# The BTYD fits of issue 4 on the compressed (x, t_x, T) patterns of 1M customers, in weeks
# and in days: bench_fit times the summary, the compression and each fit (median of 3).
FIT=$BUILD/bench/bench_fit
[ -x "$FIT" ] || die "$FIT not found; run make bench"
echo "BTYD fits (target: each fit <= 1 s wall, median of 3, after the summary):"
"$FIT" "$DATA/fit1m.csv" "${FIT_CUSTOMERS:-1000000}" 3 || die "bench_fit failed"

# Issue 4's `retain predict` on the same 1M customers: the library call after the summary
# (bench_clv), then the command end to end with saved BG/NBD and Gamma-Gamma fits.
CLV=$BUILD/bench/bench_clv
[ -x "$CLV" ] || die "$CLV not found; run make bench"
echo "BTYD predict + CLV on 1M customers:"
"$CLV" "$DATA/fit1m.csv" 3 || die "bench_clv failed"
"$RETAIN" fit --model bgnbd --params-out "$DATA/bgnbd.json" "$DATA/fit1m.csv" >/dev/null ||
    die "fit bgnbd failed"
"$RETAIN" fit --model gg --params-out "$DATA/gg.json" "$DATA/fit1m.csv" >/dev/null ||
    die "fit gg failed"
time_cmd 3 "$DATA/fit1m.csv" predict --params "$DATA/bgnbd.json" --spend-params "$DATA/gg.json" \
    --format csv
med=$(cut -d' ' -f1 "$DATA/runs.txt" | median)
rss=$(cut -d' ' -f2 "$DATA/runs.txt" | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 * 1024 / 1e6 }')
echo "  retain predict end to end (load, summary, predict, 1M-row CSV): $med s, peak $rss MB"
rm -f "$DATA/time.txt" "$DATA/stderr.txt" "$DATA/runs.txt" "$DATA/out.txt" "$DATA/bgnbd.json" \
    "$DATA/gg.json"

# Kaplan-Meier and the log-rank test of issue 5 on 1M generated customers (integer tenures,
# about 55% churned, 4 tiers), the table built in memory: bench_km times rt_km_run alone.
KM=$BUILD/bench/bench_km
[ -x "$KM" ] || die "$KM not found; run make bench"
echo "survival curves (target: 10x faster than R's survfit 1.7 s and survdiff 2.0 s):"
"$KM" "${KM_CUSTOMERS:-1000000}" 5 || die "bench_km failed"

# Cox PH of issue 5 on 1,000,000 customers generated in memory (integer tenures 1..72, about
# 55% events, 10 model columns): Efron, Breslow, Efron with robust se, Efron on one thread,
# and the concordance alone (sort by time included).
COX=$BUILD/bench/bench_cox
[ -x "$COX" ] || die "$COX not found; run make bench"
echo "Cox PH (targets: Efron fit <= 1.13 s and concordance <= 0.40 s wall, median of 3):"
"$COX" "${COX_CUSTOMERS:-1000000}" 3 || die "bench_cox failed"
