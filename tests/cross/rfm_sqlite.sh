#!/bin/sh
# rfm_sqlite.sh - recompute every column `retain rfm` prints per customer (CSV) and every
# number of `retain rfm --summary --format json` with sqlite3, straight from the raw CSV.
#
# The SQL shares no code with retain: sqlite's importer reads the CSV, date() gives the UTC
# day, a purchase day is a (customer, day) with a non-negative row, whose spend is the sum of
# that day's rows (--refunds net: a refund nets into a purchase of the same day; a refund on a
# day without one is dropped) or of its non-negative rows (--refunds drop). Only days on or
# before the as-of date count (default: the day after the last purchase day).
# Scores are the documented rule, written with window functions: k = rank() - 1 is the number
# of customers with a strictly smaller value (ORDER BY recency DESC for r: a strictly larger
# recency), score = 1 + 5 k / n in integer arithmetic. Segments come from the rule tables
# below, transcribed from the R rfm package's vectors (and the r x f grid) independently of
# retain's source, and evaluated as "the rule with the lowest line number that holds the
# scores, else Others".
#
# Which monetary values the ranks use: sqlite's own where the amounts are whole numbers (every
# sum is then exact in binary, so sqlite's values equal retain's bit for bit and the ranks are
# computed fully independently); retain's printed values where amounts have cents (the two
# sums may differ in the last bit, which could reorder two customers with equal true means;
# the printed values are checked against sqlite's separately, within a tolerance).
#
# Data sets:
#   sim        `retain simulate --customers 3000 --days 730 --seed 5` (cents), default as-of
#              and rules.
#   sim-mid    the same log as of 2024-04-01 (in the acquisition period: later events ignored,
#              customers acquired later left out), --segments rf-grid.
#   int        the simulated log with whole-number amounts, edited with awk: same-day repeat
#              purchases, partial refunds netted into the day, refunds larger than the day's
#              purchases (negative monetary), refunds on days without a purchase (dropped), then
#              shuffled; a custom rules file (quoted name with a comma, a name used by two
#              rules, a rule named Others, rules that overlap).
#   int-drop   the same with --refunds drop.
#   hand       hand-made: a customer who lapses and returns, same-day repeats with a refund,
#              a refund larger than the purchase, purchases on 2024-12-31 and 2025-01-01, a
#              purchase on the as-of day (recency 0, acquired on the last day), a customer
#              whose only purchase is after the as-of date, a later purchase ignored, a
#              refund-only customer; as of 2025-01-05, then with the default as-of.
#   ties       20 customers who all buy on exactly 2 days (every f is 1), two distinct spends,
#              recency runs that start exactly on quintile edges and runs that straddle them.
#
# Prints "ok NAME" or "FAIL NAME: ..." per check, then "N passed, N failed"; exits non-zero if
# anything failed. Works under dash; BUILD selects the build (build/asan too).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin rfm_sqlite

# ---- rule tables (transcribed from the R rfm package's rfm_segment() example vectors:
# segment_names, recency_lower/upper, frequency_lower/upper, monetary = frequency bounds) ----

cat >"$tmp/rules-rfm.csv" <<'EOF'
segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi
Champions,4,5,4,5,4,5
Loyal Customers,2,5,3,5,3,5
Potential Loyalist,3,5,1,3,1,3
New Customers,4,5,1,1,1,1
Promising,3,4,1,1,1,1
Need Attention,2,3,2,3,2,3
About To Sleep,2,3,1,2,1,2
At Risk,1,2,2,5,2,5
Can't Lose Them,1,1,4,5,4,5
Lost,1,2,1,2,1,2
EOF
# The r x f grid: keys r f of the common regex map, m unrestricted.
cat >"$tmp/rules-rf-grid.csv" <<'EOF'
segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi
Hibernating,1,2,1,2,1,5
At Risk,1,2,3,4,1,5
Can't Lose Them,1,2,5,5,1,5
About To Sleep,3,3,1,2,1,5
Need Attention,3,3,3,3,1,5
Loyal Customers,3,4,4,5,1,5
Promising,4,4,1,1,1,5
New Customers,5,5,1,1,1,5
Potential Loyalists,4,5,2,3,1,5
Champions,5,5,4,5,1,5
EOF
# A user's file: overlapping rules (first wins), one name on two rules, a rule named Others
# (merged with the fallback), a quoted name with a comma.
cat >"$tmp/rules-custom.csv" <<'EOF'
segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi
Top,5,5,4,5,1,5
"Big, recent",4,5,1,5,4,5
Top,4,4,5,5,5,5
Others,1,1,1,1,1,1
Sleeping,1,2,1,3,1,5
Mid,2,4,2,4,2,4
EOF

# ---- data ----

if ! "$RETAIN" simulate --customers 3000 --days 730 --seed 5 -o "$tmp/sim.csv" \
    2>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi

# Whole-number amounts and edits keyed to the input line number n (so any awk gives the same
# file); shuffled by the key (m * 7919) mod 1000003, a permutation of the output lines m.
# Columns: customer_id,date,amount,channel,product.
awk -F, '
function out(line) {
    m++
    printf "%d\t%s\n", (m * 7919) % 1000003, line
}
NR == 1 { next }
{
    n = NR - 1
    a = int($3 + 0.5)
    out($1 "," $2 "," a "," $4 "," $5)
    # A second purchase the same day.
    if (n % 7 == 0)
        out($1 "," $2 "," (a + 3) "," $4 "," $5)
    # A partial refund the same day: netted.
    if (n % 13 == 0 && a >= 2)
        out($1 "," $2 "," (-int(a / 2)) "," $4 "," $5)
    # A refund larger than the purchase the same day: the day spend is negative.
    if (n % 97 == 0)
        out($1 "," $2 "," (-a - 40) "," $4 "," $5)
    # A refund in 2028, outside the log: no purchase that day, dropped (2028 is a leap year).
    if (n % 31 == 0)
        out($1 ",2028" substr($2, 5) ",-5," $4 "," $5)
}' "$tmp/sim.csv" | sort -n | cut -f 2- >"$tmp/body"
head -n 1 "$tmp/sim.csv" | cat - "$tmp/body" >"$tmp/int.csv"

cat >"$tmp/hand.csv" <<'EOF'
customer_id,date,amount
LAPSE,2024-01-10,20.00
F01,2024-12-01,5.00
SAMEDAY,2024-12-20,10.00
BIGREFUND,2024-12-01,10.00
YEAREND,2024-12-31,12.34
LAPSE,2024-11-30,30.00
SAMEDAY,2024-12-20 09:00:00,15.50
BIGREFUND,2024-12-01,-25.00
SAMEDAY,2024-12-20 18:00:00,-5.50
YEAREND,2025-01-01,12.34
LASTDAY,2025-01-05,99.99
LATE,2025-01-06,50.00
MIXED,2024-06-01,5.00
MIXED,2025-01-10,500.00
REFUNDONLY,2024-07-01,-3.00
F02,2024-12-02,7.50
F02,2024-12-03,7.50
F03,2024-10-15,44.10
F04,2024-12-31,12.34
F04,2025-01-01,12.34
F05,2024-08-08,1.00
F05,2024-09-09,2.00
F05,2024-10-10,3.00
F06,2025-01-04,0.00
EOF

# ties: 20 customers, each buying on exactly 2 days (the second day is their last); spend per
# day 10 (T01-T10) or 30 (T11-T20); last days give recency runs of 4, 4, 3, 5, 2, 2 customers
# as of 2024-03-01 (runs starting on the edges k = 0, 4, 8 and crossing 12 and 16).
awk 'BEGIN {
    print "customer_id,date,amount"
    split("4 4 3 5 2 2", run, " ")
    c = 0
    for (g = 1; g <= 6; g++)
        for (i = 0; i < run[g]; i++) {
            c++
            amt = c <= 10 ? 10 : 30
            printf "T%02d,2024-01-01,%d\n", c, amt
            printf "T%02d,2024-02-%02d,%d\n", c, 10 + 2 * g, amt
        }
}' >"$tmp/ties.csv"

# ---- one comparison ----

# SQL showing the value of column $1 in a message: sqlite prints a REAL with 15 digits, so
# show all 17.
show() {
    echo "CASE WHEN typeof($1) = 'real' THEN printf('%!.17g', $1)
          WHEN typeof($1) = 'null' THEN 'null' ELSE $1 END"
}

# check LABEL CSV RULES NET AS_OF OWN [retain options...]
#   RULES: the rules CSV matching the options; NET: 1 for --refunds net, 0 for drop; AS_OF:
#   'YYYY-MM-DD' as given to --as-of, or NULL; OWN: 1 = rank sqlite's own monetary values
#   (whole-number amounts), 0 = rank retain's printed ones.
check() {
    label=$1 csv=$2 rules=$3 net=$4 asof=$5 own=$6
    shift 6
    if ! "$RETAIN" rfm --format csv "$@" "$csv" >"$tmp/$label.out.csv" 2>"$tmp/$label.err" ||
        ! "$RETAIN" rfm --summary --format json "$@" "$csv" >"$tmp/$label.json" \
            2>>"$tmp/$label.err"; then
        fail_setup "$label: retain rfm $* failed: $(cat "$tmp/$label.err")"
        return
    fi
    if [ "$asof" = NULL ]; then asof_sql=NULL; else asof_sql="'$asof'"; fi
    if [ "$own" = 1 ]; then mon_src="c.monetary"; else mon_src="CAST(o.monetary AS REAL)"; fi
    {
        echo ".mode csv"
        echo ".import '$csv' raw"
        echo ".import '$tmp/$label.out.csv' o"
        echo ".import '$rules' rules"
        echo ".mode list"
        echo ".headers off"
        printf "CREATE TABLE j(doc TEXT);\nINSERT INTO j VALUES('"
        sed "s/'/''/g" "$tmp/$label.json"
        printf "');\n"
        cat <<EOF
CREATE TABLE g AS
SELECT rowid AS id, customer_id AS cust, date(date) AS day, CAST(amount AS REAL) AS amt
FROM raw;
-- Purchase days and their spend ('mag': the sum of magnitudes, the scale of rounding error).
CREATE TABLE cd AS
SELECT cust, day,
       CASE WHEN $net THEN total(amt) ELSE total(CASE WHEN amt >= 0 THEN amt END) END AS spend,
       total(CASE WHEN $net OR amt >= 0 THEN abs(amt) END) AS mag
FROM g GROUP BY cust, day HAVING sum(amt >= 0) > 0;
CREATE TABLE p AS
SELECT coalesce($asof_sql, (SELECT date(max(day), '+1 day') FROM cd)) AS as_of;
CREATE TABLE c AS
SELECT cust, CAST(round(julianday(p.as_of) - julianday(max(day))) AS INTEGER) AS recency,
       count(*) AS frequency, total(spend) AS spend, total(spend) / count(*) AS monetary,
       total(mag) AS mag
FROM cd, p WHERE cd.day <= p.as_of GROUP BY cust;
-- The values ranked: recency and frequency are exact integers on both sides.
CREATE TABLE v AS
SELECT c.cust, c.recency, c.frequency, $mon_src AS mon
FROM c LEFT JOIN o ON o.customer_id = c.cust;
CREATE TABLE s AS
SELECT cust, recency, frequency, mon,
       1 + 5 * (rank() OVER (ORDER BY recency DESC) - 1) / n AS r,
       1 + 5 * (rank() OVER (ORDER BY frequency) - 1) / n AS f,
       1 + 5 * (rank() OVER (ORDER BY mon) - 1) / n AS m
FROM v, (SELECT count(*) AS n FROM c);
CREATE TABLE ru AS
SELECT rowid AS k, segment, CAST(r_lo AS INTEGER) AS r_lo, CAST(r_hi AS INTEGER) AS r_hi,
       CAST(f_lo AS INTEGER) AS f_lo, CAST(f_hi AS INTEGER) AS f_hi,
       CAST(m_lo AS INTEGER) AS m_lo, CAST(m_hi AS INTEGER) AS m_hi
FROM rules;
CREATE TABLE want_c AS
SELECT s.*, 100 * r + 10 * f + m AS score,
       coalesce((SELECT segment FROM ru WHERE s.r BETWEEN r_lo AND r_hi
                 AND s.f BETWEEN f_lo AND f_hi AND s.m BETWEEN m_lo AND m_hi
                 ORDER BY k LIMIT 1), 'Others') AS segment,
       c.spend, c.mag, c.monetary AS monetary_sql
FROM s JOIN c USING (cust);

-- ---- the per-customer CSV, column by column ----
-- The rows: the same customers, once each.
SELECT CASE WHEN (SELECT count(*) FROM o) = (SELECT count(*) FROM want_c)
             AND (SELECT count(DISTINCT customer_id) FROM o) = (SELECT count(*) FROM o)
             AND NOT EXISTS (SELECT 1 FROM o WHERE customer_id NOT IN (SELECT cust FROM c))
            THEN 'ok $label.csv.rows'
            ELSE 'FAIL $label.csv.rows: retain ' || (SELECT count(*) FROM o) || ', sqlite '
                 || (SELECT count(*) FROM want_c) END;
-- Integer and text columns compare as text (retain prints integers without a decimal point).
CREATE TABLE cmp AS
SELECT 'recency_days' AS col, o.customer_id AS id, o.recency_days AS got,
       CAST(w.recency AS TEXT) AS want FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'frequency', o.customer_id, o.frequency, CAST(w.frequency AS TEXT)
FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'r', o.customer_id, o.r, CAST(w.r AS TEXT) FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'f', o.customer_id, o.f, CAST(w.f AS TEXT) FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'm', o.customer_id, o.m, CAST(w.m AS TEXT) FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'score', o.customer_id, o.score, CAST(w.score AS TEXT)
FROM o JOIN want_c w ON w.cust = o.customer_id
UNION ALL SELECT 'segment', o.customer_id, o.segment, w.segment
FROM o JOIN want_c w ON w.cust = o.customer_id
-- Monetary: a mean of a few sums. sqlite's total() adds naively (error at most
-- (terms - 1) * 2^-53 * sum|x|, a few 1e-15 of the magnitudes for these short sums), retain
-- compensates; 1e-12 of max(|value|, sum|x| / days) covers that and the decimal round trip
-- with a wide margin and still catches a cent off on any of these amounts.
UNION ALL SELECT 'monetary', o.customer_id, o.monetary,
       CASE WHEN abs(CAST(o.monetary AS REAL) - w.monetary_sql)
                 <= 1e-12 * max(abs(w.monetary_sql), w.mag / w.frequency)
                 AND o.monetary GLOB '*[0-9]*' AND NOT o.monetary GLOB '*[^0-9.e+-]*'
            THEN o.monetary ELSE $(show w.monetary_sql) END
FROM o JOIN want_c w ON w.cust = o.customer_id;
SELECT CASE WHEN bad = 0 THEN 'ok $label.csv.' || col || ' (' || n || ' customers)'
            ELSE 'FAIL $label.csv.' || col || ': ' || bad || ' of ' || n || ' differ, first '
                 || first END
FROM (SELECT col, count(*) AS n, sum(got IS NOT want) AS bad,
             (SELECT id || ': retain ' || coalesce(got, 'null') || ', sqlite '
                     || coalesce(want, 'null')
              FROM cmp c2 WHERE c2.col = cmp.col AND got IS NOT want LIMIT 1) AS first
      FROM cmp GROUP BY col ORDER BY min(rowid));

-- ---- the summary JSON ----
-- Segments in rule order (each name once, at its first rule), then Others unless a rule has
-- that name.
CREATE TABLE segs AS
SELECT segment, row_number() OVER (ORDER BY k) - 1 AS i FROM (
    SELECT segment, min(k) AS k FROM ru GROUP BY segment
    UNION ALL
    SELECT 'Others', 1e9 WHERE NOT EXISTS (SELECT 1 FROM ru WHERE segment = 'Others'));
CREATE TABLE agg AS
SELECT segs.segment, segs.i, count(w.cust) AS customers, total(w.spend) AS revenue,
       total(w.mag) AS mag, total(w.recency) AS rec, total(w.frequency) AS freq,
       total(w.monetary_sql) AS mon, total(w.mag / w.frequency) AS mon_mag
FROM segs LEFT JOIN want_c w ON w.segment = segs.segment GROUP BY segs.segment, segs.i;
CREATE TABLE tot AS
SELECT count(*) AS n, total(spend) AS revenue, total(mag) AS mag FROM want_c;

-- What to compare: name, JSON path, expected value, tolerance (NULL = exact), scale.
-- Money: as above, sqlite's naive total() over up to ~10^4 day totals errs by at most about
-- 1e-12 of the sum of magnitudes; 1e-9 of it leaves a margin of ~1000 and still catches a
-- cent off in the 1e5 totals. Ratios of exact counts and means of exact integers come from the
-- same IEEE division on both sides: 1e-12 allows only for the JSON decimal round trip.
CREATE TABLE want(ord INTEGER PRIMARY KEY, name TEXT, path TEXT, val, tol REAL, scale REAL);
INSERT INTO want(name, path, val, tol, scale)
SELECT 'as_of', '\$.as_of', as_of, NULL, NULL FROM p UNION ALL
SELECT 'events', '\$.events',
       (SELECT count(*) FROM g JOIN cd USING (cust, day), p WHERE amt >= 0 AND day <= as_of),
       NULL, NULL UNION ALL
SELECT 'events_after_as_of', '\$.events_after_as_of',
       (SELECT count(*) FROM g JOIN cd USING (cust, day), p WHERE amt >= 0 AND day > as_of),
       NULL, NULL UNION ALL
SELECT 'customers', '\$.customers', n, NULL, NULL FROM tot UNION ALL
SELECT 'customers_after_as_of', '\$.customers_after_as_of',
       (SELECT count(DISTINCT cust) FROM cd) - n, NULL, NULL FROM tot UNION ALL
SELECT 'revenue', '\$.revenue', revenue, 1e-9, mag FROM tot;
-- Cut points: the largest recency with each r, the smallest frequency and monetary with each
-- f and m; null for an empty score.
WITH k(s) AS (VALUES (1), (2), (3), (4), (5))
INSERT INTO want(name, path, val, tol, scale)
SELECT 'r_cut_' || s, '\$.r_cut_' || s, (SELECT max(recency) FROM want_c WHERE r = s), NULL,
       NULL FROM k UNION ALL
SELECT 'f_cut_' || s, '\$.f_cut_' || s, (SELECT min(frequency) FROM want_c WHERE f = s), NULL,
       NULL FROM k UNION ALL
SELECT 'm_cut_' || s, '\$.m_cut_' || s, (SELECT min(mon) FROM want_c WHERE m = s), 1e-12,
       (SELECT max(mag / frequency) FROM want_c WHERE m = s) FROM k;
-- The rules table: the file's rows.
INSERT INTO want(name, path, val, tol, scale)
SELECT 'rules[' || (k - 1) || '].' || col, '\$.rules[' || (k - 1) || '].' || col, val, NULL, NULL
FROM (SELECT k, 'segment' AS col, segment AS val, 0 AS o FROM ru UNION ALL
      SELECT k, 'r_lo', r_lo, 1 FROM ru UNION ALL SELECT k, 'r_hi', r_hi, 2 FROM ru UNION ALL
      SELECT k, 'f_lo', f_lo, 3 FROM ru UNION ALL SELECT k, 'f_hi', f_hi, 4 FROM ru UNION ALL
      SELECT k, 'm_lo', m_lo, 5 FROM ru UNION ALL SELECT k, 'm_hi', m_hi, 6 FROM ru
      ORDER BY k, o);
-- The segments table, one row per segment in order.
INSERT INTO want(name, path, val, tol, scale)
SELECT 'segments[' || i || '].' || col, '\$.segments[' || i || '].' || col, val, tol, scale
FROM (SELECT a.i, c.o, c.col,
             CASE c.col WHEN 'segment' THEN a.segment WHEN 'customers' THEN a.customers
                        WHEN 'share' THEN CAST(a.customers AS REAL) / t.n
                        WHEN 'revenue' THEN a.revenue
                        WHEN 'revenue_share' THEN a.revenue / t.revenue
                        WHEN 'mean_recency_days' THEN a.rec / nullif(a.customers, 0)
                        WHEN 'mean_frequency' THEN a.freq / nullif(a.customers, 0)
                        ELSE a.mon / nullif(a.customers, 0) END AS val,
             CASE WHEN c.col IN ('segment', 'customers') THEN NULL
                  WHEN c.col IN ('revenue', 'revenue_share', 'mean_monetary') THEN 1e-9
                  ELSE 1e-12 END AS tol,
             CASE c.col WHEN 'revenue' THEN a.mag
                        WHEN 'revenue_share' THEN (a.mag + abs(a.revenue / t.revenue) * t.mag)
                                                  / abs(t.revenue)
                        WHEN 'mean_monetary' THEN a.mon_mag / nullif(a.customers, 0) END AS scale
      FROM agg a, tot t,
           (SELECT 0 AS o, 'segment' AS col UNION ALL SELECT 1, 'customers' UNION ALL
            SELECT 2, 'share' UNION ALL SELECT 3, 'revenue' UNION ALL
            SELECT 4, 'revenue_share' UNION ALL SELECT 5, 'mean_recency_days' UNION ALL
            SELECT 6, 'mean_frequency' UNION ALL SELECT 7, 'mean_monetary') c
      ORDER BY a.i, c.o);

CREATE TABLE res AS
SELECT w.ord, w.name, w.val AS want, json_extract(j.doc, w.path) AS got,
       json_type(j.doc, w.path) AS jtype, w.tol, w.scale
FROM want w, j;
SELECT CASE WHEN (want IS NULL AND jtype = 'null')
              OR (tol IS NULL AND jtype IS NOT NULL AND got IS want)
              OR (tol IS NOT NULL AND jtype IN ('integer', 'real') AND want IS NOT NULL
                  AND abs(got - want) <= tol * max(abs(want), coalesce(scale, 0)))
            THEN 'ok $label.' || name
            ELSE 'FAIL $label.' || name || ': retain '
                 || CASE WHEN jtype IS NULL THEN '(missing)' ELSE $(show got) END
                 || ', sqlite ' || $(show want) END
FROM res ORDER BY ord;
-- Table lengths.
SELECT CASE WHEN json_array_length(doc, '\$.' || t) IS n THEN 'ok $label.' || t || '.rows'
            ELSE 'FAIL $label.' || t || '.rows: retain '
                 || coalesce(json_array_length(doc, '\$.' || t), '(missing)') || ', sqlite ' || n
            END
FROM j, (SELECT 'rules' AS t, count(*) AS n FROM ru UNION ALL
         SELECT 'segments', count(*) FROM segs);
-- Nothing numeric left unchecked.
SELECT 'FAIL $label.unchecked: ' || replace(fullkey, '"', '') || ' = ' || coalesce(atom, 'null')
FROM j, json_tree(j.doc)
WHERE type IN ('integer', 'real', 'null')
  AND replace(fullkey, '"', '') NOT IN (SELECT path FROM want);
EOF
    } >"$tmp/$label.sql"
    cross_sql "$label" "$tmp/$label.sql" 1
}

check sim "$tmp/sim.csv" "$tmp/rules-rfm.csv" 1 NULL 0
check sim-mid "$tmp/sim.csv" "$tmp/rules-rf-grid.csv" 1 2024-04-01 0 \
    --as-of 2024-04-01 --segments rf-grid
check int "$tmp/int.csv" "$tmp/rules-custom.csv" 1 NULL 1 --segments "$tmp/rules-custom.csv"
check int-drop "$tmp/int.csv" "$tmp/rules-rfm.csv" 0 NULL 1 --refunds drop --threads 3
check hand "$tmp/hand.csv" "$tmp/rules-rfm.csv" 1 2025-01-05 0 --as-of 2025-01-05
check hand-default "$tmp/hand.csv" "$tmp/rules-rf-grid.csv" 1 NULL 0 --segments rf-grid
check ties "$tmp/ties.csv" "$tmp/rules-rfm.csv" 1 2024-03-01 1 --as-of 2024-03-01 --threads 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
