#!/bin/sh
# cohort_sqlite.sh - recompute every cell, average row and cohort size that
# `retain cohort --format json` prints with sqlite3, from the literal definitions, straight
# from the raw CSV, for every --period x --window x --mode x --metric, and compare.
#
# The SQL shares no code with retain. It reads the CSV with sqlite's importer; the UTC day of
# a row is sqlite's date(); a negative amount is a refund, netted into the same customer's
# same-day purchases (a day with a non-negative row) or else dropped, so an event is a
# non-negative row and a (customer, day) has revenue = its non-negative amounts + its refunds.
# Periods come from sqlite's calendar: strftime('%Y', '%m'), 'start of month', 'start of
# year', ISO weeks from strftime('%w') (Monday start); rolling offsets are whole windows of
# 1/7/30/91/365 days since the customer's first day. Completeness is tested as the spec words
# it: calendar, the period c + k ends on or before the last day of the data (the period that
# holds the day after it comes later); rolling, NOT EXISTS a customer of the cohort whose
# window k ends after the last day. Values: customers = count(DISTINCT customer), orders =
# events, revenue = sum, over the cohort's events at offset k (on) or >= k (on-or-after).
#
# Data sets:
#   sim    `retain simulate --customers 1500 --days 420 --seed 5 --times` (2024-01-01 to
#          2025-02-23, so weeks and months cross a year end), edited with awk: same-day
#          repeat purchases, partial refunds on purchase days, refunds larger than the
#          purchase (a negative day), refunds on days without a purchase (dropped). Periods
#          week, month, quarter, year.
#   short  `retain simulate --customers 300 --days 75 --seed 9`: every period, day included.
#   hand   hand-made: a customer acquired on Monday 2024-12-30 (the ISO week that spans the
#          year end) who buys again that Sunday, lapses and returns; same-day repeats with a
#          refund; a refund-only customer (not a customer); a refund without a purchase; a
#          net-negative day; a zero amount; zone offsets that move the UTC day; no event at
#          all in February 2025; a customer acquired on the last day, 2025-03-31 (the end
#          of a month and a quarter, and the Monday that starts an ISO week). Every period.
#   hand2  hand plus one event on Wednesday 2025-04-02: the last week, month and quarter
#          become partial, so different cells are censored (periods week, month, quarter).
#   hand3  hand with 2025-03-31 moved to Sunday 2025-03-30: the last ISO week is complete,
#          and March lacks exactly one day (a cell that ends the day after the data must be
#          censored; periods week, month, quarter).
#
# Each cell row, average row and cohort row is one check (all its columns compared); a
# missing or extra row fails; each top-level field is one check. Prints "ok ..." or
# "FAIL ...", then "N passed, N failed". Works under dash; BUILD selects the build.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin cohort_sqlite

# ---- data ----

if ! "$RETAIN" simulate --customers 1500 --days 420 --seed 5 --times -o "$tmp/simraw.csv" \
    2>"$tmp/sim.err" ||
    ! "$RETAIN" simulate --customers 300 --days 75 --seed 9 -o "$tmp/short.csv" \
        2>>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi

# Edits keyed to the input line number n, so the file is the same under any awk. Columns:
# customer_id,date,amount,channel,product; dates "YYYY-MM-DD HH:MM:SS".
awk -F, '
function money(x) { return sprintf("%.2f", x) }
NR == 1 { print; next }
{
    n = NR - 1
    day = substr($2, 1, 10)
    print
    # A second purchase the same day (same-day repeat: one more event, same active period).
    if (n % 7 == 0)
        print $1 "," day " 23:00:00," money($3 / 3 + 0.5) "," $4 "," $5
    # A partial refund later the same day: netted.
    if (n % 13 == 0)
        print $1 "," day " 23:30:00," money(-$3 * 0.4 - 0.01) "," $4 "," $5
    # A refund larger than the purchase, earlier the same day: the day nets negative.
    if (n % 53 == 0)
        print $1 "," day " 00:00:01," money(-$3 * 2 - 1) "," $4 "," $5
    # A refund in 2027, when the customer buys nothing: dropped.
    if (n % 31 == 0)
        print $1 ",2027" substr($2, 5) "," money(-$3 - 1) "," $4 "," $5
}' "$tmp/simraw.csv" >"$tmp/sim.csv"

cat >"$tmp/hand.csv" <<'EOF'
customer_id,date,amount
A,2024-12-30 09:00:00,10.00
A,2025-01-05 18:00:00,5.00
A,2025-03-10,7.50
B,2024-12-31,20.00
B,2024-12-31,15.00
B,2024-12-31 23:00:00,-5.00
B,2025-01-01,3.00
C,2025-01-15,-9.99
C,2025-01-16,-1.00
D,2025-03-31,12.00
E,2025-01-20,30.00
E,2025-01-21,-4.00
E,2025-01-22 09:00:00,25.00
E,2025-01-22 10:00:00,-40.00
E,2025-03-02,6.00
F,2024-11-15,8.00
F,2025-03-03,1.00
F,2025-03-03,2.00
G,2024-11-20,0
G,2024-12-29 23:30:00-02:00,4.00
G,2025-01-10 01:00:00+03:00,9.00
H,2024-11-30,11.00
H,2025-03-31,-11.00
H,2025-03-31,2.50
EOF
{ cat "$tmp/hand.csv"; echo "I,2025-04-02,5.00"; } >"$tmp/hand2.csv"
sed 's/2025-03-31/2025-03-30/' "$tmp/hand.csv" >"$tmp/hand3.csv"

# ---- one data set ----

# check LABEL CSV PERIODS: run retain for every configuration on CSV and compare all of them
# in one sqlite session.
check() {
    label=$1 csv=$2 periods=$3
    sql=$tmp/$label.sql
    {
        echo ".mode csv"
        echo ".import '$csv' raw"
        echo ".mode list"
        echo ".headers off"
        echo "CREATE TABLE cfg(label TEXT PRIMARY KEY, period TEXT, win TEXT, mode TEXT,"
        echo "                 metric TEXT, len INTEGER, doc TEXT);"
    } >"$sql"
    for period in $periods; do
        case $period in
        day) len=1 ;; week) len=7 ;; month) len=30 ;; quarter) len=91 ;; year) len=365 ;;
        esac
        for win in calendar rolling; do
            for mode in on on-or-after; do
                for metric in customers orders revenue; do
                    cl=$label.$period.$win.$mode.$metric
                    if ! "$RETAIN" cohort --format json --period $period --window $win \
                        --mode $mode --metric $metric "$csv" >"$tmp/out.json" \
                        2>"$tmp/out.err"; then
                        fail_setup "$cl: retain cohort failed: $(cat "$tmp/out.err")"
                        continue
                    fi
                    len_w=0
                    if [ $win = rolling ]; then len_w=$len; fi
                    printf "INSERT INTO cfg VALUES('%s', '%s', '%s', '%s', '%s', %d, '" \
                        "$cl" $period $win $mode $metric $len_w >>"$sql"
                    sed "s/'/''/g" "$tmp/out.json" >>"$sql"
                    echo "');" >>"$sql"
                done
            done
        done
    done
    cat >>"$sql" <<'EOF'
-- Good rows: these data sets have no bad rows.
CREATE TABLE g AS
SELECT rowid AS id, customer_id AS cust, date(date) AS day, CAST(amount AS REAL) AS amt
FROM raw;
-- Per customer and UTC day with a purchase (a non-negative row): events, revenue (purchases
-- plus that day's refunds) and mag, the sum of magnitudes (the scale of rounding errors).
CREATE TABLE evday AS
SELECT cust, day, sum(amt >= 0) AS n, total(amt) AS rev, total(abs(amt)) AS mag
FROM g GROUP BY cust, day HAVING max(amt >= 0) = 1;
CREATE INDEX evday_i ON evday(cust);
CREATE TABLE cust AS SELECT cust, min(day) AS first FROM evday GROUP BY cust;
-- The configurations without their documents, for joins.
CREATE TABLE conf AS SELECT label, period, win, mode, metric, len FROM cfg;
CREATE TABLE lim AS SELECT min(day) AS lo, max(day) AS hi FROM evday;
-- Day numbers (days since 1970-01-01) and, for every kind of period, each day's period
-- number and start, from the first day of the data to the day after the last.
CREATE TABLE days AS
WITH RECURSIVE d(day) AS (
    SELECT lo FROM lim UNION ALL
    SELECT date(day, '+1 day') FROM d WHERE day < (SELECT date(hi, '+1 day') FROM lim))
SELECT day, CAST(strftime('%s', day) AS INTEGER) / 86400 AS dn,
       CAST(strftime('%Y', day) AS INTEGER) AS y, CAST(strftime('%m', day) AS INTEGER) AS m,
       date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days') AS monday
FROM d;
CREATE TABLE pd AS
SELECT 'day' AS period, day, dn AS pnum, day AS pstart FROM days UNION ALL
SELECT 'week', day, (CAST(strftime('%s', monday) AS INTEGER) / 86400 - 4) / 7, monday FROM days
UNION ALL
SELECT 'month', day, y * 12 + m - 1, date(day, 'start of month') FROM days UNION ALL
SELECT 'quarter', day, (y * 12 + m - 1) / 3,
       date(day, 'start of month', '-' || ((m - 1) % 3) || ' months') FROM days UNION ALL
SELECT 'year', day, y, date(day, 'start of year') FROM days;
CREATE UNIQUE INDEX pd_i ON pd(period, day);
CREATE TABLE dnum AS SELECT day, dn FROM days;
CREATE UNIQUE INDEX dnum_i ON dnum(day);

-- Each configuration's customers with their cohort (period number and start).
CREATE TABLE cc AS
SELECT f.label, c.cust, c.first, (SELECT dn FROM dnum WHERE day = c.first) AS fdn,
       p.pnum AS cp, p.pstart AS cohort
FROM conf f, cust c JOIN pd p ON p.period = f.period AND p.day = c.first;
CREATE INDEX cc_i ON cc(label, cohort);
-- Each event day's offset: calendar periods between the cohort's and the day's, or whole
-- rolling windows since the customer's first day.
CREATE TABLE eo AS
SELECT cc.label, cc.cohort, cc.cust, e.n, e.rev, e.mag,
       CASE WHEN f.len = 0 THEN p.pnum - cc.cp
            ELSE ((SELECT dn FROM dnum WHERE day = e.day) - cc.fdn) / f.len END AS k
FROM cc CROSS JOIN conf f ON f.label = cc.label CROSS JOIN evday e ON e.cust = cc.cust
CROSS JOIN pd p ON p.period = f.period AND p.day = e.day; -- CROSS JOIN: this join order
CREATE INDEX eo_i ON eo(label, cohort, k);
CREATE TABLE coh AS
SELECT label, cohort, min(cp) AS cp, count(*) AS size FROM cc GROUP BY label, cohort;
CREATE UNIQUE INDEX coh_i ON coh(label, cohort);
CREATE TABLE ints AS
WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 1000) SELECT k FROM i;
-- The complete cells, by the spec's wording.
CREATE TABLE cells AS
SELECT h.label, h.cohort, i.k, h.size
FROM coh h JOIN conf f USING (label), ints i, lim
WHERE CASE WHEN f.len = 0
           THEN h.cp + i.k < (SELECT pnum FROM pd WHERE period = f.period
                                               AND day = date(lim.hi, '+1 day'))
           ELSE NOT EXISTS (SELECT 1 FROM cc WHERE cc.label = h.label AND cc.cohort = h.cohort
                                AND cc.fdn + (i.k + 1) * f.len - 1
                                    > (SELECT dn FROM dnum WHERE day = lim.hi)) END;
-- Their values: over the cohort's events at offset k (on) or at offsets >= k (on-or-after).
CREATE TABLE want AS
SELECT c.label, c.cohort, c.k, c.size,
       CASE f.metric WHEN 'customers' THEN count(DISTINCT e.cust)
                     WHEN 'orders' THEN coalesce(sum(e.n), 0) ELSE total(e.rev) END AS value,
       CASE f.metric WHEN 'revenue' THEN total(e.mag) ELSE 0 END AS mag
FROM cells c JOIN conf f USING (label)
LEFT JOIN eo e ON e.label = c.label AND e.cohort = c.cohort
              AND (e.k = c.k OR (f.mode = 'on-or-after' AND e.k > c.k))
GROUP BY c.label, c.cohort, c.k;
CREATE UNIQUE INDEX want_i ON want(label, cohort, k);
CREATE TABLE want0 AS SELECT label, cohort, value AS v0, mag AS mag0 FROM want WHERE k = 0;
CREATE UNIQUE INDEX want0_i ON want0(label, cohort);
CREATE TABLE wavg AS
SELECT w.label, w.k, count(*) AS cohorts, sum(w.size) AS size, sum(w.value) AS value,
       total(w.mag) AS mag, sum(z.v0) AS v0, total(z.mag0) AS mag0
FROM want w JOIN want0 z USING (label, cohort) GROUP BY w.label, w.k;
CREATE UNIQUE INDEX wavg_i ON wavg(label, k);

-- What retain printed.
CREATE TABLE got AS
SELECT f.label, json_extract(j.value, '$.cohort') AS cohort, json_extract(j.value, '$.offset') AS k,
       json_extract(j.value, '$.cohort_size') AS size, json_extract(j.value, '$.value') AS value,
       json_extract(j.value, '$.rate') AS rate, json_extract(j.value, '$.per_customer') AS pc,
       json_type(j.value, '$.per_customer') AS pc_type, j.value AS text
FROM cfg f, json_each(f.doc, '$.cells') j;
CREATE INDEX got_i ON got(label, cohort, k);
CREATE TABLE gavg AS
SELECT f.label, json_extract(j.value, '$.offset') AS k,
       json_extract(j.value, '$.cohorts') AS cohorts,
       json_extract(j.value, '$.cohort_size') AS size, json_extract(j.value, '$.value') AS value,
       json_extract(j.value, '$.rate') AS rate, json_extract(j.value, '$.per_customer') AS pc,
       json_type(j.value, '$.per_customer') AS pc_type, j.value AS text
FROM cfg f, json_each(f.doc, '$.average') j;
CREATE TABLE gcoh AS
SELECT f.label, json_extract(j.value, '$.cohort') AS cohort,
       json_extract(j.value, '$.cohort_size') AS size,
       json_extract(j.value, '$.complete_offsets') AS n, j.value AS text
FROM cfg f, json_each(f.doc, '$.cohorts') j;

-- near(got, want, scale): counts and ratios of counts must match exactly up to the JSON
-- round trip (1e-12: both sides divide the same integers in IEEE arithmetic); money may
-- differ by summation error: retain adds with Neumaier's compensated sum, sqlite's total()
-- naively, whose error is below (n - 1) * 2^-53 * sum|x| (n < 10^4 terms here, so < 1e-12
-- * sum|x|) plus about an ulp per term from decimal conversion; 1e-9 of the scale (sum of
-- magnitudes) leaves a margin of 1000 over that and still catches a cent off in a cell of
-- size 10^6. A null rate (offset-0 value 0) must be null on both sides.
-- A rate's scale: |d(v/v0)| <= (|dv| + |v/v0| |dv0|) / |v0|.
CREATE TABLE res AS
SELECT w.label || ' cells[' || coalesce(w.cohort, g.cohort) || ', '
       || coalesce(w.k, g.k) || ']' AS name,
       w.label IS NOT NULL AS has_want, g.label IS NOT NULL AS has_got,
       g.size IS w.size AS size_ok,
       CASE WHEN f.metric = 'revenue' THEN abs(g.value - w.value) <= 1e-9 * max(w.mag, 1e-300)
            ELSE g.value IS w.value END AS value_ok,
       CASE WHEN z.v0 = 0 THEN g.rate IS NULL
            WHEN f.metric = 'revenue'
            THEN abs(g.rate - w.value / z.v0)
                 <= 1e-9 * (w.mag + abs(w.value / z.v0) * z.mag0) / abs(z.v0) + 1e-300
            ELSE abs(g.rate - CAST(w.value AS REAL) / z.v0)
                 <= 1e-12 * abs(CAST(w.value AS REAL) / z.v0) END AS rate_ok,
       CASE WHEN f.metric = 'customers' THEN g.pc_type IS NULL
            WHEN f.metric = 'revenue'
            THEN abs(g.pc - w.value / w.size) <= 1e-9 * w.mag / w.size + 1e-300
            ELSE abs(g.pc - CAST(w.value AS REAL) / w.size)
                 <= 1e-12 * CAST(w.value AS REAL) / w.size END AS pc_ok,
       g.text AS text, w.value AS want_value, w.size AS want_size, z.v0 AS want_v0
FROM want w JOIN conf f USING (label) JOIN want0 z USING (label, cohort)
LEFT JOIN got g ON g.label = w.label AND g.cohort = w.cohort AND g.k = w.k
UNION ALL
SELECT g.label || ' cells[' || g.cohort || ', ' || g.k || ']', 0, 1, 0, 0, 0, 0, g.text,
       NULL, NULL, NULL
FROM got g WHERE NOT EXISTS (SELECT 1 FROM want w WHERE w.label = g.label
                                 AND w.cohort = g.cohort AND w.k = g.k);
INSERT INTO res
SELECT w.label || ' average[' || w.k || ']', 1, g.label IS NOT NULL,
       g.size IS w.size AND g.cohorts IS w.cohorts,
       CASE WHEN f.metric = 'revenue' THEN abs(g.value - w.value) <= 1e-9 * max(w.mag, 1e-300)
            ELSE g.value IS w.value END,
       CASE WHEN w.v0 = 0 THEN g.rate IS NULL
            WHEN f.metric = 'revenue'
            THEN abs(g.rate - w.value / w.v0)
                 <= 1e-9 * (w.mag + abs(w.value / w.v0) * w.mag0) / abs(w.v0) + 1e-300
            ELSE abs(g.rate - CAST(w.value AS REAL) / w.v0)
                 <= 1e-12 * abs(CAST(w.value AS REAL) / w.v0) END,
       CASE WHEN f.metric = 'customers' THEN g.pc_type IS NULL
            WHEN f.metric = 'revenue'
            THEN abs(g.pc - w.value / w.size) <= 1e-9 * w.mag / w.size + 1e-300
            ELSE abs(g.pc - CAST(w.value AS REAL) / w.size)
                 <= 1e-12 * CAST(w.value AS REAL) / w.size END,
       g.text, w.value, w.size, w.v0
FROM wavg w JOIN conf f USING (label) LEFT JOIN gavg g ON g.label = w.label AND g.k = w.k
UNION ALL
SELECT g.label || ' average[' || g.k || ']', 0, 1, 0, 0, 0, 0, g.text, NULL, NULL, NULL
FROM gavg g WHERE NOT EXISTS (SELECT 1 FROM wavg w WHERE w.label = g.label AND w.k = g.k);
-- Cohorts: every cohort with a customer, its size and its number of complete cells.
INSERT INTO res
SELECT h.label || ' cohorts[' || h.cohort || ']', 1, g.label IS NOT NULL, g.size IS h.size,
       g.n IS (SELECT count(*) FROM cells c WHERE c.label = h.label AND c.cohort = h.cohort),
       1, 1, g.text, NULL, h.size, NULL
FROM coh h LEFT JOIN gcoh g ON g.label = h.label AND g.cohort = h.cohort
UNION ALL
SELECT g.label || ' cohorts[' || g.cohort || ']', 0, 1, 0, 0, 0, 0, g.text, NULL, NULL, NULL
FROM gcoh g WHERE NOT EXISTS (SELECT 1 FROM coh h WHERE h.label = g.label
                                  AND h.cohort = g.cohort);
-- The fields.
CREATE TABLE wf AS
SELECT f.label, 'source' AS name, json_extract(f.doc, '$.source') IS NOT NULL AS ok FROM cfg f
UNION ALL SELECT f.label, 'metric', json_extract(f.doc, '$.metric') IS f.metric FROM cfg f
UNION ALL SELECT f.label, 'mode', json_extract(f.doc, '$.mode') IS f.mode FROM cfg f
UNION ALL SELECT f.label, 'window', json_extract(f.doc, '$.window') IS f.win FROM cfg f
UNION ALL SELECT f.label, 'period', json_extract(f.doc, '$.period') IS f.period FROM cfg f
UNION ALL SELECT f.label, 'window_days',
       json_extract(f.doc, '$.window_days') IS (CASE WHEN f.len = 0 THEN NULL ELSE f.len END)
       AND json_type(f.doc, '$.window_days') IS NOT NULL FROM cfg f
UNION ALL SELECT f.label, 'first_date', json_extract(f.doc, '$.first_date') IS lim.lo
FROM cfg f, lim
UNION ALL SELECT f.label, 'last_date', json_extract(f.doc, '$.last_date') IS lim.hi
FROM cfg f, lim
UNION ALL SELECT f.label, 'customers',
       json_extract(f.doc, '$.customers') IS (SELECT count(*) FROM cust) FROM cfg f
UNION ALL SELECT f.label, 'events',
       json_extract(f.doc, '$.events') IS (SELECT sum(n) FROM evday) FROM cfg f
UNION ALL SELECT f.label, 'cohort_count', json_extract(f.doc, '$.cohort_count')
       IS (SELECT count(*) FROM coh h WHERE h.label = f.label) FROM cfg f
UNION ALL SELECT f.label, 'cell_count', json_extract(f.doc, '$.cell_count')
       IS (SELECT count(*) FROM cells c WHERE c.label = f.label) FROM cfg f
UNION ALL SELECT f.label, 'definitions', json_extract(f.doc, '$.definitions') LIKE '%censored%'
FROM cfg f;
SELECT CASE WHEN ok THEN 'ok ' ELSE 'FAIL ' END || label || ' ' || name
       || CASE WHEN ok THEN '' ELSE ': got ' || coalesce(json_extract(f.doc, '$.' || name),
                                                        'null') END
FROM wf JOIN cfg f USING (label) ORDER BY label, name;
-- Nothing else in the JSON: every key is a field checked above or one of the three tables.
SELECT 'FAIL ' || f.label || ' unchecked field ' || j.key FROM cfg f, json_each(f.doc) j
WHERE j.key NOT IN ('source', 'metric', 'mode', 'window', 'period', 'window_days',
                    'first_date', 'last_date', 'customers', 'events', 'cohort_count',
                    'cell_count', 'definitions', 'cells', 'average', 'cohorts');
SELECT CASE WHEN has_want AND has_got AND size_ok AND value_ok AND rate_ok AND pc_ok
            THEN 'ok ' || name
            ELSE 'FAIL ' || name || ': '
                 || CASE WHEN NOT has_got THEN 'missing'
                         WHEN NOT has_want THEN 'not expected (censored or no cohort)'
                         ELSE 'want value ' || coalesce(want_value, 'null') || ', size '
                              || coalesce(want_size, 'null') || ', offset-0 value '
                              || coalesce(want_v0, 'null') END
                 || ', got ' || coalesce(text, '(none)') END
FROM res ORDER BY name;
EOF
    cross_sql "$label" "$sql" 1
}

check sim "$tmp/sim.csv" "week month quarter year"
check short "$tmp/short.csv" "day week month quarter year"
check hand "$tmp/hand.csv" "day week month quarter year"
check hand2 "$tmp/hand2.csv" "week month quarter"
check hand3 "$tmp/hand3.csv" "week month quarter"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
