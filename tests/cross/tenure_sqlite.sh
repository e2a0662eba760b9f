#!/bin/sh
# tenure_sqlite.sh - recompute `retain tenure` and the counts and survival of `retain survival`
# with sqlite3 from the definitions, on a simulated log with timestamps and its customer
# attributes, and compare row by row.
#
# The SQL shares no code with retain: sqlite's date() and julianday() give the days, the
# first and last purchase (on or before the observation end E) come from min/max per
# customer, churned = last + W <= E (DESIGN.md 4.1: no purchase in (E - W, E]), duration =
# last + W - first when churned, else E - first; customers first seen after E are left out;
# attributes by a left join (every 7th customer has none). Then, from retain's own tenure
# table, the Kaplan-Meier counts (at risk = durations >= t, events and censorings at t) and
# S(t) = exp(sum over times <= t of ln(1 - d/n)), computed with window functions.
#
# Prints "ok NAME" or "FAIL NAME: ..." per check, then "N passed, N failed"; exits non-zero
# if anything failed. Works under dash; BUILD selects the build.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin tenure_sqlite

if ! "$RETAIN" simulate --customers 900 --days 540 --seed 31 --times \
    --customers-out "$tmp/cust_all.csv" -o "$tmp/sim.csv" 2>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi
awk -F, 'NR == 1 || (NR - 1) % 7 != 0' "$tmp/cust_all.csv" >"$tmp/cust.csv"

# check LABEL W END: END is a date or "" (the data's last day).
check() {
    label=$1 w=$2 end=$3
    if [ -n "$end" ]; then
        set -- --observed-end "$end"
    else
        set --
    fi
    if ! "$RETAIN" tenure --format csv --active-window "$w" --customers "$tmp/cust.csv" "$@" \
        "$tmp/sim.csv" >"$tmp/$label.csv" 2>"$tmp/$label.err"; then
        fail_setup "$label: retain tenure failed: $(cat "$tmp/$label.err")"
        return
    fi
    if ! "$RETAIN" survival --format csv "$tmp/$label.csv" >"$tmp/$label.km.csv" \
        2>"$tmp/$label.km.err"; then
        fail_setup "$label: retain survival failed: $(cat "$tmp/$label.km.err")"
        return
    fi
    cat >"$tmp/$label.sql" <<EOF
.mode csv
.import '$tmp/sim.csv' raw
.import '$tmp/cust.csv' attrs
.import '$tmp/$label.csv' got
.import '$tmp/$label.km.csv' km
.mode list
.headers off
CREATE TABLE e AS SELECT customer_id AS cust, date(date) AS day FROM raw;
CREATE TABLE endday AS
SELECT CASE WHEN '$end' = '' THEN max(day) ELSE '$end' END AS d FROM e;
CREATE TABLE want AS
SELECT c.cust, c.first,
       CASE WHEN julianday(c.last) + $w <= julianday(x.d)
            THEN CAST(julianday(c.last) + $w - julianday(c.first) AS INTEGER)
            ELSE CAST(julianday(x.d) - julianday(c.first) AS INTEGER) END AS duration,
       julianday(c.last) + $w <= julianday(x.d) AS event,
       coalesce(a.tier, '') AS tier, coalesce(a.satisfaction, '') AS sat
FROM (SELECT cust, min(day) AS first,
             max(CASE WHEN day <= (SELECT d FROM endday) THEN day END) AS last
      FROM e GROUP BY cust) c
CROSS JOIN endday x
LEFT JOIN attrs a ON a.customer_id = c.cust
WHERE c.first <= x.d;
SELECT CASE WHEN (SELECT count(*) FROM want) = (SELECT count(*) FROM got)
                 AND (SELECT count(*) FROM want) > 0
       THEN 'ok $label rows' ELSE 'FAIL $label rows: retain ' || (SELECT count(*) FROM got)
            || ', sqlite ' || (SELECT count(*) FROM want) END;
SELECT CASE WHEN count(*) = 0 THEN 'ok $label tenure'
       ELSE 'FAIL $label tenure: ' || count(*) || ' rows differ, e.g. ' || min(w.cust) END
FROM want w LEFT JOIN got g ON g.customer_id = w.cust
WHERE g.customer_id IS NULL OR g.start != w.first OR CAST(g.duration AS INTEGER) != w.duration
   OR CAST(g.event AS INTEGER) != w.event OR g.tier != w.tier OR g.satisfaction != w.sat;
-- Kaplan-Meier from retain's tenure table.
CREATE TABLE t AS
SELECT CAST(duration AS REAL) AS t, sum(CAST(event AS INTEGER)) AS d,
       sum(1 - CAST(event AS INTEGER)) AS c
FROM got GROUP BY 1;
CREATE TABLE k AS
SELECT t, d, c, (SELECT count(*) FROM got WHERE CAST(duration AS REAL) >= t.t) AS n FROM t;
CREATE TABLE ks AS
SELECT t, d, c, n,
       exp(sum(CASE WHEN d < n THEN ln(1 - CAST(d AS REAL) / n) ELSE -1e308 END)
           OVER (ORDER BY t)) AS s
FROM k;
SELECT CASE WHEN (SELECT count(*) FROM ks) = (SELECT count(*) FROM km)
       THEN 'ok $label km rows' ELSE 'FAIL $label km rows: retain ' || (SELECT count(*) FROM km)
            || ', sqlite ' || (SELECT count(*) FROM ks) END;
-- exp of a sum of logs against a running product: agreement to 1e-9 relative is far beyond
-- rounding (about 1e-13 here) and far below any counting error (at least 1/n).
SELECT CASE WHEN count(*) = 0 THEN 'ok $label km'
       ELSE 'FAIL $label km: ' || count(*) || ' times differ, e.g. t = ' || min(ks.t) END
FROM ks LEFT JOIN km ON CAST(km.time AS REAL) = ks.t
WHERE km.time IS NULL OR CAST(km.at_risk AS INTEGER) != ks.n
   OR CAST(km.events AS INTEGER) != ks.d OR CAST(km.censored AS INTEGER) != ks.c
   OR abs(CAST(km.survival AS REAL) - ks.s) > 1e-9 * ks.s;
EOF
    cross_sql "$label" "$tmp/$label.sql" 4
}

check w90 90 ""
check w7 7 ""
check w365 365 ""
check w30-mid 30 2024-07-15
check w90-after 90 2025-09-01
check w1-early 1 2024-02-01

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
