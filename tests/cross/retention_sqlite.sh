#!/bin/sh
# retention_sqlite.sh - recompute every number `retain retention --format json` prints with
# sqlite3, applying the definitions literally for each (period, customer) pair, and compare.
#
# The SQL shares no code with retain: it reads the CSV with sqlite's importer, takes the UTC
# day of a timestamp from sqlite's date(), builds the calendar periods with date() modifiers
# ('weekday 0', '-6 days' for ISO weeks; 'start of month', '+1 month', ...), and decides
# "active at day t" with an EXISTS over the customer's purchase days in (t - W, t]. Purchase
# days are the days with a non-negative amount: a refund row is netted into a same-day
# purchase or dropped, so it never makes a purchase day (a refund-only customer is no
# customer at all).
#
# Data sets:
#   sim      `retain simulate --customers 1200 --days 640 --seed 23 --times`
#   edited   sim edited with awk: same-day repeats, refunds on a purchase day (netted), refunds
#            a few days later (netted or dropped, depending on the data) and in 2028 (dropped)
#   edge     hand-written: customers who lapse and return, same-day repeats, a netted and a
#            dropped refund, a refund-only customer, a zero amount, a zone offset moving the
#            UTC day, a month without events, ISO weeks across the 2024/2025 year end, customers
#            acquired on the last day, and a last period that is complete or partial depending
#            on the period kind.
# Each set runs with several periods, windows W (1 day to more than a year), thread counts,
# with and without --annualize.
#
# Prints "ok NAME" or "FAIL NAME: retain X, sqlite Y" per check, then "N passed, N failed";
# exits non-zero if anything failed. Works under dash; BUILD selects the build.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin retention_sqlite

# ---- data ----

if ! "$RETAIN" simulate --customers 1200 --days 640 --seed 23 --times \
    -o "$tmp/sim.csv" 2>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi

# Columns: customer_id,date,amount,channel,product; dates "YYYY-MM-DD HH:MM:SS". Every edit is
# keyed to the input line number, so the file is the same under any awk.
awk -F, '
NR == 1 { print; next }
{
    n = NR - 1
    day = substr($2, 1, 10)
    print
    if (n % 7 == 0)
        print $1 "," day " 23:00:00,1.00," $4 "," $5
    if (n % 11 == 0)
        print $1 "," day " 23:30:00,-" $3 "," $4 "," $5
    if (n % 5 == 0 && substr($2, 9, 2) + 0 < 26)
        print $1 "," substr($2, 1, 8) sprintf("%02d", substr($2, 9, 2) + 3) " 12:00:00,-1.50," $4 "," $5
    if (n % 13 == 0)
        print $1 ",2028" substr($2, 5) ",-2.00," $4 "," $5
}' "$tmp/sim.csv" >"$tmp/edited.csv"

cat >"$tmp/edge.csv" <<'EOF'
customer_id,date,amount
L,2024-10-03,10
L,2024-10-03 18:00:00,4
L,2024-10-20,5
L,2025-02-14,7
M,2024-10-01,3
M,2025-04-29,3
R,2024-11-05,20
R,2024-11-05,-5
R,2024-12-20,-3
X,2024-12-01,-9
Y,2024-12-29,1
Y,2024-12-30,1
Y,2025-01-05,1
Y,2025-01-06,1
Z,2024-12-31 23:30:00-05:00,3
W,2024-12-28,2
W,2025-01-12,2
Q,2025-01-15,0
N1,2025-04-30,2
N2,2025-04-30,2
N2,2025-04-30,-1
EOF

# ---- one comparison ----

# SQL showing the value of column $1 in a message: sqlite prints a REAL with 15 digits, so
# show all 17.
show() {
    echo "CASE WHEN typeof($1) = 'real' THEN printf('%!.17g', $1)
          WHEN typeof($1) = 'null' THEN 'null' ELSE $1 END"
}

# check LABEL CSV PERIOD W ANNUALIZE [retain options...]
check() {
    label=$1 csv=$2 per=$3 W=$4 ann=$5
    shift 5
    annflag=
    [ "$ann" = 1 ] && annflag=--annualize
    if ! "$RETAIN" retention --format json --period "$per" --active-window "$W" $annflag "$@" \
        "$csv" >"$tmp/$label.json" 2>"$tmp/$label.err"; then
        fail_setup "$label: retain retention $* failed: $(cat "$tmp/$label.err")"
        return
    fi
    case $per in
    day) start="d0" step="'+1 day'" ;;
    week) start="date(d0, 'weekday 0', '-6 days')" step="'+7 days'" ;;
    month) start="date(d0, 'start of month')" step="'+1 month'" ;;
    quarter) start="date(d0, 'start of month', '-' || ((CAST(strftime('%m', d0) AS INTEGER) - 1) % 3) || ' months')"
        step="'+3 months'" ;;
    year) start="date(d0, 'start of year')" step="'+1 year'" ;;
    esac
    {
        echo ".mode csv"
        echo ".import '$csv' raw"
        echo ".mode list"
        echo ".headers off"
        printf "CREATE TABLE j(doc TEXT);\nINSERT INTO j VALUES('"
        sed "s/'/''/g" "$tmp/$label.json"
        echo "');"
        cat <<EOF
-- Purchase days (day = days since 1970-01-01, UTC): rows with a non-negative amount.
CREATE TABLE ev AS
SELECT customer_id AS cust, CAST(julianday(date(date)) - 2440587.5 AS INTEGER) AS day
FROM raw WHERE CAST(amount AS REAL) >= 0;
CREATE TABLE pd AS SELECT DISTINCT cust, day FROM ev;
CREATE INDEX pd_i ON pd(cust, day);
CREATE TABLE cust AS SELECT cust, min(day) AS first FROM pd GROUP BY cust;
CREATE TABLE lim AS SELECT min(day) AS first, max(day) AS last FROM pd;
-- Period starts from the one holding the first day until one past the last day.
CREATE TABLE starts AS
WITH RECURSIVE p(k, a) AS (
    SELECT 0, $start FROM (SELECT date(2440587.5 + first) AS d0 FROM lim)
    UNION ALL
    SELECT k + 1, date(a, $step) FROM p, lim WHERE julianday(a) - 2440587.5 <= lim.last)
SELECT k, CAST(julianday(a) - 2440587.5 AS INTEGER) AS a FROM p;
CREATE TABLE per AS
SELECT s1.k, s1.a, s2.a AS b, s2.a - 1 <= lim.last AS complete
FROM starts s1 JOIN starts s2 ON s2.k = s1.k + 1, lim WHERE s1.a <= lim.last;
-- The definitions, per complete period and customer.
CREATE TABLE pc AS
SELECT q.k, c.cust,
       EXISTS (SELECT 1 FROM pd WHERE pd.cust = c.cust
               AND pd.day > q.a - 1 - $W AND pd.day <= q.a - 1) AS s,
       EXISTS (SELECT 1 FROM pd WHERE pd.cust = c.cust
               AND pd.day > q.b - 1 - $W AND pd.day <= q.b - 1) AS e,
       c.first >= q.a AND c.first < q.b AS born
FROM per q, cust c WHERE q.complete;
CREATE TABLE rows AS
SELECT q.k, q.a, q.b, sum(s) AS S, sum(born) AS N, sum(e) AS E, sum(s AND e) AS retained,
       sum(e AND NOT s AND NOT born) AS reactivated, sum(s AND NOT e) AS lost,
       CASE WHEN sum(s) > 0 THEN CAST(sum(e) - sum(born) AS REAL) / sum(s) END AS crr,
       CASE WHEN sum(s) > 0 THEN CAST(sum(s AND e) AS REAL) / sum(s) END AS idr,
       q.a - lim.first >= $W AS full_history
FROM per q JOIN pc USING (k), lim GROUP BY q.k;

-- What to compare: name, JSON path, expected value, tolerance (NULL = exact), scale.
-- Ratios of exact counts come out of the same IEEE division on both sides, 1 - x and pow()
-- out of the same operations (pow from the same libm); 1e-12 allows only for the decimal
-- round trip through the JSON text (sqlite's text-to-double is not always correctly
-- rounded). The scale of churn_rate and daily/annualized churn is 1: their error is that of
-- crr (at most 1 in absolute value where it matters) carried through 1 - x.
CREATE TABLE want(ord INTEGER PRIMARY KEY, name TEXT, path TEXT, val, tol REAL, scale REAL);
INSERT INTO want(name, path, val, tol, scale)
SELECT 'source', '\$.source', '$csv', NULL, NULL UNION ALL
SELECT 'period', '\$.period', '$per', NULL, NULL UNION ALL
SELECT 'active_window', '\$.active_window', $W, NULL, NULL UNION ALL
SELECT 'customers', '\$.customers', (SELECT count(*) FROM cust), NULL, NULL UNION ALL
SELECT 'events', '\$.events', (SELECT count(*) FROM ev), NULL, NULL UNION ALL
SELECT 'first_date', '\$.first_date', date(2440587.5 + first), NULL, NULL FROM lim UNION ALL
SELECT 'last_date', '\$.last_date', date(2440587.5 + last), NULL, NULL FROM lim UNION ALL
SELECT 'periods', '\$.periods', (SELECT count(*) FROM per WHERE complete), NULL, NULL
UNION ALL
SELECT 'periods_without_full_history', '\$.periods_without_full_history',
       (SELECT count(*) FROM rows WHERE NOT full_history), NULL, NULL UNION ALL
SELECT 'omitted_period_start', '\$.omitted_period_start',
       (SELECT date(2440587.5 + a) FROM per WHERE NOT complete), NULL, NULL UNION ALL
SELECT 'omitted_period_end', '\$.omitted_period_end',
       (SELECT date(2440587.5 + b - 1) FROM per WHERE NOT complete), NULL, NULL;
INSERT INTO want(name, path, val, tol, scale)
SELECT 'retention[' || k || '].' || col, '\$.retention[' || k || '].' || col, val, tol, 1
FROM (
    SELECT r.k, c.i, c.col,
           CASE c.col
           WHEN 'period_start' THEN date(2440587.5 + r.a)
           WHEN 'period_end' THEN date(2440587.5 + r.b - 1)
           WHEN 'S' THEN r.S WHEN 'N' THEN r.N WHEN 'E' THEN r.E
           WHEN 'crr' THEN r.crr
           WHEN 'churn_rate' THEN 1.0 - r.crr
           WHEN 'retained' THEN r.retained WHEN 'reactivated' THEN r.reactivated
           WHEN 'lost' THEN r.lost
           WHEN 'identity_retention' THEN r.idr
           WHEN 'full_history' THEN r.full_history
           WHEN 'days' THEN r.b - r.a
           WHEN 'daily_churn' THEN CASE WHEN r.crr >= 0 THEN 1.0 - pow(r.crr, 1.0 / (r.b - r.a)) END
           WHEN 'annualized_churn' THEN
                CASE WHEN r.crr >= 0 THEN 1.0 - pow(r.crr, 365.0 / (r.b - r.a)) END
           END AS val,
           CASE WHEN c.col IN ('crr', 'churn_rate', 'identity_retention', 'daily_churn',
                               'annualized_churn') THEN 1e-12 END AS tol
    FROM rows r,
         (SELECT 0 AS i, 'period_start' AS col UNION ALL SELECT 1, 'period_end' UNION ALL
          SELECT 2, 'S' UNION ALL SELECT 3, 'N' UNION ALL SELECT 4, 'E' UNION ALL
          SELECT 5, 'crr' UNION ALL SELECT 6, 'churn_rate' UNION ALL SELECT 7, 'retained'
          UNION ALL SELECT 8, 'reactivated' UNION ALL SELECT 9, 'lost' UNION ALL
          SELECT 10, 'identity_retention' UNION ALL SELECT 11, 'full_history' UNION ALL
          SELECT 12, 'days' WHERE $ann UNION ALL SELECT 13, 'daily_churn' WHERE $ann
          UNION ALL SELECT 14, 'annualized_churn' WHERE $ann) c
    ORDER BY r.k, c.i);

CREATE TABLE res AS
SELECT w.ord, w.name, w.val AS want, json_extract(j.doc, w.path) AS got,
       json_type(j.doc, w.path) AS jtype, w.tol, w.scale, w.path
FROM want w, j;

SELECT CASE WHEN (tol IS NULL AND jtype IS NOT NULL AND got IS want)
              OR (tol IS NOT NULL AND want IS NULL AND jtype = 'null')
              OR (tol IS NOT NULL AND jtype IN ('integer', 'real') AND want IS NOT NULL
                  AND abs(got - want) <= tol * max(abs(want), scale))
            THEN 'ok $label.' || name
            ELSE 'FAIL $label.' || name || ': retain '
                 || CASE WHEN jtype IS NULL THEN '(missing)' ELSE $(show got) END
                 || ', sqlite ' || $(show want) END
FROM res ORDER BY ord;
-- One row per complete period, and a number of columns that depends on --annualize.
SELECT CASE WHEN json_array_length(doc, '\$.retention') IS n
            THEN 'ok $label.retention.rows'
            ELSE 'FAIL $label.retention.rows: retain '
                 || coalesce(json_array_length(doc, '\$.retention'), '(missing)')
                 || ', sqlite ' || n END
FROM j, (SELECT count(*) AS n FROM per WHERE complete);
-- (sqlite quotes some keys in fullkey, e.g. "period_start": compare without the quotes.)
SELECT 'FAIL $label.extra-column: ' || replace(fullkey, '"', '')
FROM j, json_tree(j.doc, '\$.retention')
WHERE type NOT IN ('object', 'array') AND replace(fullkey, '"', '') NOT IN (SELECT path FROM want);
-- Nothing numeric left unchecked at the top level.
SELECT 'FAIL $label.unchecked: ' || replace(fullkey, '"', '') || ' = ' || coalesce(atom, 'null')
FROM j, json_each(j.doc)
WHERE type IN ('integer', 'real', 'null')
  AND replace(fullkey, '"', '') NOT IN (SELECT path FROM want);
EOF
    } >"$tmp/$label.sql"
    cross_sql "$label" "$tmp/$label.sql" 1
}

check sim-month-90 "$tmp/sim.csv" month 90 1
check sim-month-1 "$tmp/sim.csv" month 1 0 --threads 3
check sim-week-28 "$tmp/sim.csv" week 28 1 --threads 1
check sim-quarter-180 "$tmp/sim.csv" quarter 180 1
check sim-year-365 "$tmp/sim.csv" year 365 0 --threads 2
check sim-day-14 "$tmp/sim.csv" day 14 1
check edited-month-30 "$tmp/edited.csv" month 30 1
check edited-week-7 "$tmp/edited.csv" week 7 0 --threads 5
check edited-quarter-400 "$tmp/edited.csv" quarter 400 1
check edge-day-3 "$tmp/edge.csv" day 3 1
check edge-week-7 "$tmp/edge.csv" week 7 1 --threads 4
check edge-week-1 "$tmp/edge.csv" week 1 0
check edge-month-30 "$tmp/edge.csv" month 30 1 --threads 1
check edge-month-90 "$tmp/edge.csv" month 90 0 --threads 2
check edge-quarter-60 "$tmp/edge.csv" quarter 60 1
check edge-year-400 "$tmp/edge.csv" year 400 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
