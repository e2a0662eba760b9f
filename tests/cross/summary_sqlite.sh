#!/bin/sh
# summary_sqlite.sh - recompute every number `retain summary --format json` prints with
# sqlite3, straight from the raw CSV, and compare.
#
# The SQL below shares no code with retain: it reads the CSV with sqlite's own importer, takes
# the day of a timestamp from sqlite's date() (UTC, zone offsets applied), parses amounts with
# sqlite's text-to-real conversion, and applies the documented refund policy as a set query: a
# negative amount is netted into the same customer's same-day purchases (into the first of
# them by time of day, then input order) when that day has a non-negative row, else dropped
# and counted; with --refunds drop every negative row is dropped.
#
# Data sets:
#   sim        `retain simulate --customers 3000 --days 730 --seed 11 --orders --times`,
#              orders from --order order_id, default --top (10)
#   sim-rows   the same file with --order "" (orders = events)
#   edited     the simulated file edited with awk: line items (two rows with one order id, in
#              the same second), refunds on purchase days (partial, and larger than the
#              purchase), refunds on days without a purchase, a customer with only refunds,
#              a product seen only on a refund, zone offsets that move the UTC day, a date-only
#              row, a zero amount, quoted fields, bad rows; then shuffled. Read with
#              --skip-bad-rows --top 1000 so every channel and product row is checked.
#   edited-drop the edited file with --refunds drop.
#   tiny-even, tiny-once  hand-written: an even number of gaps with different middle values,
#              ties broken by first appearance, and no gaps at all (median null).
#
# retain's JSON goes into sqlite as a string literal (quotes doubled with sed), so nothing
# needs readfile() or python; json_extract() reads it. Every number in it must be matched by a
# check (an "unchecked" failure otherwise), and each table must have exactly min(--top, values
# with events) rows.
#
# Prints "ok NAME" or "FAIL NAME: retain X, sqlite Y" per check, then "N passed, N failed";
# exits non-zero if anything failed. Works under dash; BUILD selects the build (build/asan too).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin summary_sqlite

# ---- data ----

if ! "$RETAIN" simulate --customers 3000 --days 730 --seed 11 --orders --times \
    -o "$tmp/sim.csv" 2>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi

# The edited set. Every derived row is keyed to the input line number n, so the file is the
# same under any awk; the shuffle sorts on a key (m * 7919) mod 1000003, a permutation of the
# output line numbers m (1000003 is prime), so no two rows tie and the order is fixed too.
# Columns: customer_id,date,amount,channel,product,order_id; dates "YYYY-MM-DD HH:MM:SS"
# in 2024-2025.
awk -F, '
function out(line) {
    m++
    printf "%d\t%s\n", (m * 7919) % 1000003, line
}
function row(c, d, a, ch, p, o) {
    out(c "," d "," a "," ch "," p "," o)
}
function money(x) {
    return sprintf("%.2f", x)
}
NR == 1 { next }
{
    n = NR - 1
    day = substr($2, 1, 10)
    out($0)
    # A second line item of the same order, in the same second: orders count it once.
    if (n % 11 == 0)
        row($1, $2, money($3 / 4 + 1), $4, "P0999", $6)
    # A partial refund later the same day: netted into the purchase.
    if (n % 17 == 0 && money(-$3 * 0.4) != "-0.00")
        row($1, day " 23:59:59", money(-$3 * 0.4), $4, $5, $6)
    # A refund larger than the purchase, earlier the same day: the netted event is negative.
    if (n % 97 == 0)
        row($1, day " 00:00:01", money(-$3 * 1.5), "refund-desk", $5, "RF" n)
    # A refund in 2028, outside the log: no purchase that day, so it is dropped. (2028 is a
    # leap year, so every 2024/2025 month-day exists in it.)
    if (n % 29 == 0)
        row($1, "2028" substr($2, 5), money(-$3), $4, $5, "RD" n)
    # A refund on the next calendar day: netted or dropped depending on the data.
    if (n % 41 == 0 && substr($2, 9, 2) + 0 < 28)
        row($1, substr($2, 1, 8) sprintf("%02d", substr($2, 9, 2) + 1) " 12:00:00",
            money(-$3 / 3), $4, $5, "RN" n)
}
END {
    # A customer with nothing but refunds (and a product and order id seen nowhere else).
    row("CREFUNDONLY", "2024-05-05 10:00:00", "-12.50", "web", "PREFUNDONLY", "RX1")
    row("CREFUNDONLY", "2024-05-06 10:00:00", "-7.25", "web", "P0001", "RX2")
    # Zone offsets move the UTC day: 2024-02-29 23:30 -05:00 is 2024-03-01 04:30 UTC (netted
    # into Z1); 2024-03-10 01:00 +03:00 is 2024-03-09 22:00 UTC; a date-only row is midnight.
    row("CZONE", "2024-03-01 10:00:00", "20.00", "store", "P0002", "Z1")
    row("CZONE", "2024-02-29 23:30:00-05:00", "-5.00", "store", "P0002", "Z2")
    row("CZONE", "2024-03-10T01:00:00+03:00", "15.00", "app", "P0003", "Z3")
    row("CZONE", "2024-03-09", "-3.00", "app", "P0003", "Z4")
    row("CZONE", "2024-03-20 12:00:00Z", "0", "web", "P0002", "Z5")
    row("CZONE", "2024-03-20 13:00:00", "-4.00", "web", "P0002", "Z6")
    row("CZONE", "2024-03-20 11:00:00", "0.00", "web", "P0003", "Z7")
    # Quoted fields: the same customer as unquoted, a separator and a quote inside fields.
    out("\"C00000002\",2024-07-07 07:07:07,11.11,\"web, mobile\",P0004,Q1")
    out("\"C\"\"QUOTE\",2024-07-07 08:00:00,5.55,\"web\",P0004,Q2")
    # Bad rows (rejected with --skip-bad-rows).
    row("", "2024-05-05 10:00:00", "10.00", "web", "P0001", "B1")
    row("C00000001", "2024-02-30 10:00:00", "10.00", "web", "P0001", "B2")
    row("C00000001", "2024-13-01 10:00:00", "10.00", "web", "P0001", "B3")
    row("C00000001", "yesterday", "10.00", "web", "P0001", "B4")
    row("C00000001", "2024-05-05 25:00:00", "10.00", "web", "P0001", "B5")
    row("C00000001", "2024-05-05 10:00:00", "abc", "web", "P0001", "B6")
    row("C00000001", "2024-05-05 10:00:00", "", "web", "P0001", "B7")
    row("C00000001", "2024-05-05 10:00:00", "1.2.3", "web", "P0001", "B8")
    out("C00000001,2024-05-05 10:00:00,10.00,web")
}' "$tmp/sim.csv" | sort -n | cut -f 2- >"$tmp/body"
head -n 1 "$tmp/sim.csv" | cat - "$tmp/body" >"$tmp/edited.csv"

# Two tiny sets where the big ones are weak. tiny-even: the gaps are 10, 5 (B) and 1, 2 (A);
# the second row of a day makes no gap; so the median is the mean of two different middle
# values, 3.5. Channels and products zeta/Pz and alpha/Pa tie on revenue (30) and orders
# (4 events) and must come in order of first appearance (zeta first, not alphabetical).
# tiny-once: no customer buys on two days, so there are no gaps and the median is null.
cat >"$tmp/tiny-even.csv" <<'EOF'
customer_id,date,amount,channel,product,order_id
B,2024-01-01,10,zeta,Pz,o1
B,2024-01-11,10,zeta,Pz,o2
B,2024-01-16,6,zeta,Pz,o3
B,2024-01-16,4,zeta,Pz,o3
A,2024-01-01,10,alpha,Pa,o4
A,2024-01-02,10,alpha,Pa,o5
A,2024-01-04,4,alpha,Pa,o6
A,2024-01-04,6,alpha,Pa,o6
C,2024-01-14,0.5,mid,Pm,o7
EOF
cat >"$tmp/tiny-once.csv" <<'EOF'
customer_id,date,amount,channel,product,order_id
X,2024-02-01,3.5,web,P1,o1
Y,2024-02-03,4.25,web,P2,o2
Y,2024-02-03,1.25,app,P2,o3
EOF

# ---- one comparison ----

# SQL showing the value of column $1 in a message: sqlite prints a REAL with 15 digits, so
# show all 17.
show() {
    echo "CASE WHEN typeof($1) = 'real' THEN printf('%!.17g', $1)
          WHEN typeof($1) = 'null' THEN 'null' ELSE $1 END"
}

# check LABEL CSV HAS_ORDER NET TOP [retain options...]
#   HAS_ORDER: 1 when --order names the order column; NET: 1 for --refunds net, 0 for drop;
#   TOP: the --top in effect.
check() {
    label=$1 csv=$2 has_order=$3 net=$4 top=$5
    shift 5
    if ! "$RETAIN" summary --format json "$@" "$csv" >"$tmp/$label.json" 2>"$tmp/$label.err"; then
        fail_setup "$label: retain summary $* failed: $(cat "$tmp/$label.err")"
        return
    fi
    {
        echo ".mode csv"
        echo ".import '$csv' raw"
        echo ".mode list"
        echo ".headers off"
        printf "CREATE TABLE j(doc TEXT);\nINSERT INTO j VALUES('"
        sed "s/'/''/g" "$tmp/$label.json"
        printf "');\n"
        cat <<EOF
-- Every input row, with sqlite's reading of it. A row is bad (rejected) when it has fewer
-- fields than the header (sqlite fills the rest with NULL), an empty customer, a date that is
-- not an ISO date (sqlite's date() accepts Feb 30, so the date part must also survive a trip
-- through julianday()), or an amount that is not a plain decimal number.
CREATE TABLE r AS
SELECT rowid AS id, customer_id AS cust, channel, product, order_id,
       date(date) AS day, time(date) AS tod, CAST(amount AS REAL) AS amt,
       (order_id IS NULL OR customer_id = ''
        OR date(date) IS NULL
        OR NOT date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
        OR date(julianday(substr(date, 1, 10))) IS NOT substr(date, 1, 10)
        OR amount = '' OR amount GLOB '*[^0-9.+-]*' OR amount GLOB '*.*.*'
        OR amount GLOB '?*[+-]*' OR NOT amount GLOB '*[0-9]*') AS bad
FROM raw;
CREATE TABLE g AS SELECT * FROM r WHERE NOT bad;
-- Per customer and UTC day: is there a non-negative row, and the sum of the refunds.
CREATE TABLE cd AS
SELECT cust, day, max(amt >= 0) AS has_buy, total(CASE WHEN amt < 0 THEN amt END) AS refund
FROM g GROUP BY cust, day;
-- The events: non-negative rows; the first of a customer's day (by time of day, then input
-- order) takes that day's refunds. 'mag' is the sum of the magnitudes of the terms that make
-- up 'rev', the scale of any rounding error in it.
CREATE TABLE ev AS
WITH buys AS (
    SELECT *, row_number() OVER (PARTITION BY cust, day ORDER BY tod, id) AS k
    FROM g WHERE amt >= 0)
SELECT b.*, b.amt + CASE WHEN $net AND b.k = 1 THEN cd.refund ELSE 0 END AS rev,
       b.amt - CASE WHEN $net AND b.k = 1 THEN cd.refund ELSE 0 END AS mag
FROM buys b JOIN cd USING (cust, day);
CREATE TABLE refunds AS
SELECT g.amt, cd.has_buy AND $net AS netted FROM g JOIN cd USING (cust, day) WHERE g.amt < 0;
-- Consecutive distinct purchase days of a customer.
CREATE TABLE gaps AS
SELECT gap FROM (
    SELECT julianday(day) - lag(julianday(day)) OVER (PARTITION BY cust ORDER BY day) AS gap
    FROM (SELECT DISTINCT cust, day FROM ev))
WHERE gap IS NOT NULL;
CREATE TABLE sgap AS SELECT gap, row_number() OVER (ORDER BY gap) AS i FROM gaps;
CREATE TABLE perc AS SELECT cust, count(DISTINCT day) AS days FROM ev GROUP BY cust;

CREATE TABLE s AS SELECT
    (SELECT count(*) FROM r) AS rows_read,
    (SELECT count(*) FROM r WHERE bad) AS rows_rejected,
    (SELECT count(*) FROM refunds WHERE NOT netted) AS rows_dropped,
    (SELECT count(*) FROM ev) + (SELECT count(*) FROM refunds WHERE netted) AS rows_used,
    (SELECT count(*) FROM refunds) AS refund_rows,
    (SELECT total(amt) FROM refunds) AS refund_amount,
    (SELECT total(-amt) FROM refunds) AS refund_mag,
    (SELECT total(amt) FROM refunds WHERE netted) AS refund_netted,
    (SELECT total(-amt) FROM refunds WHERE netted) AS netted_mag,
    (SELECT count(*) FROM ev) AS events,
    (SELECT count(DISTINCT cust) FROM ev) AS customers,
    CASE WHEN $has_order THEN (SELECT count(DISTINCT order_id) FROM ev)
         ELSE (SELECT count(*) FROM ev) END AS orders,
    (SELECT count(*) FROM (SELECT DISTINCT cust, day FROM ev)) AS purchase_days,
    (SELECT min(day) FROM ev) AS first_date,
    (SELECT max(day) FROM ev) AS last_date,
    (SELECT CAST(julianday(max(day)) - julianday(min(day)) + 1 AS INTEGER) FROM ev) AS span_days,
    (SELECT total(rev) FROM ev) AS revenue,
    (SELECT total(mag) FROM ev) AS revenue_mag,
    (SELECT count(*) FROM perc WHERE days >= 2) AS repeat_customers,
    (SELECT count(*) FROM perc WHERE days = 1) AS one_time_customers,
    -- the middle value, or the mean of the two middle values (1-based ranks (n+1)/2, (n+2)/2)
    (SELECT avg(gap) FROM sgap WHERE i IN (((SELECT count(*) FROM sgap) + 1) / 2,
                                           ((SELECT count(*) FROM sgap) + 2) / 2))
        AS median_interpurchase_days;

-- Channels and products: events after netting, ranked by revenue (compared in cents, so that
-- a rounding difference cannot reorder two equal totals), then events, then first appearance
-- in the table retain builds (every good row with --refunds net; non-negative rows with drop).
CREATE TABLE dims AS
WITH seen AS (
    SELECT 'channel' AS dim, channel AS value, min(id) AS first FROM g
    WHERE $net OR amt >= 0 GROUP BY channel
    UNION ALL
    SELECT 'product', product, min(id) FROM g WHERE $net OR amt >= 0 GROUP BY product),
tot AS (
    SELECT 'channel' AS dim, channel AS value, total(rev) AS revenue, total(mag) AS mag,
           count(*) AS orders, count(DISTINCT cust) AS customers FROM ev GROUP BY channel
    UNION ALL
    SELECT 'product', product, total(rev), total(mag), count(*), count(DISTINCT cust)
    FROM ev GROUP BY product)
SELECT t.*, row_number() OVER (PARTITION BY t.dim
           ORDER BY CAST(round(t.revenue * 100) AS INTEGER) DESC, t.orders DESC, seen.first)
           - 1 AS rank
FROM tot t JOIN seen USING (dim, value);

-- What to compare: name, JSON path, expected value, tolerance (NULL = exact), scale.
-- Money: retain adds with Neumaier's compensated sum (error about one ulp of the result);
-- sqlite's total() adds naively, whose error is bounded by (n-1) * 2^-53 * sum|x|; with about
-- 10^4 rows that is about 1e-12 * sum|x|, plus an ulp or so per term from sqlite's decimal
-- conversion (not always correctly rounded). 1e-9 of max(|value|, sum|x|) leaves a margin of
-- about 1000 over that and still catches a single cent off in the 3e5 total (3e-8).
-- Rates that are ratios of exact counts come out of the same IEEE division on both sides;
-- 1e-12 allows only for the decimal round trip through the JSON text.
CREATE TABLE want(ord INTEGER PRIMARY KEY, name TEXT, path TEXT, val, tol REAL, scale REAL);
INSERT INTO want(name, path, val, tol, scale)
SELECT 'rows_read', '\$.rows_read', rows_read, NULL, NULL FROM s UNION ALL
SELECT 'rows_used', '\$.rows_used', rows_used, NULL, NULL FROM s UNION ALL
SELECT 'rows_rejected', '\$.rows_rejected', rows_rejected, NULL, NULL FROM s UNION ALL
SELECT 'rows_dropped', '\$.rows_dropped', rows_dropped, NULL, NULL FROM s UNION ALL
SELECT 'refund_rows', '\$.refund_rows', refund_rows, NULL, NULL FROM s UNION ALL
SELECT 'refund_amount', '\$.refund_amount', refund_amount, 1e-9, refund_mag FROM s UNION ALL
SELECT 'refund_netted', '\$.refund_netted', refund_netted, 1e-9, netted_mag FROM s UNION ALL
SELECT 'events', '\$.events', events, NULL, NULL FROM s UNION ALL
SELECT 'customers', '\$.customers', customers, NULL, NULL FROM s UNION ALL
SELECT 'orders', '\$.orders', orders, NULL, NULL FROM s UNION ALL
SELECT 'purchase_days', '\$.purchase_days', purchase_days, NULL, NULL FROM s UNION ALL
SELECT 'first_date', '\$.first_date', first_date, NULL, NULL FROM s UNION ALL
SELECT 'last_date', '\$.last_date', last_date, NULL, NULL FROM s UNION ALL
SELECT 'span_days', '\$.span_days', span_days, NULL, NULL FROM s UNION ALL
SELECT 'revenue', '\$.revenue', revenue, 1e-9, revenue_mag FROM s UNION ALL
SELECT 'aov', '\$.aov', revenue / orders, 1e-9, revenue_mag / orders FROM s UNION ALL
SELECT 'purchase_frequency', '\$.purchase_frequency', CAST(orders AS REAL) / customers, 1e-12, 0
FROM s UNION ALL
SELECT 'repeat_rate', '\$.repeat_rate', CAST(repeat_customers AS REAL) / customers, 1e-12, 0
FROM s UNION ALL
SELECT 'repeat_customers', '\$.repeat_customers', repeat_customers, NULL, NULL FROM s UNION ALL
SELECT 'one_time_customers', '\$.one_time_customers', one_time_customers, NULL, NULL FROM s
UNION ALL
SELECT 'median_interpurchase_days', '\$.median_interpurchase_days', median_interpurchase_days,
       NULL, NULL FROM s;
-- The tables, cell by cell, in rank order (at most --top rows).
INSERT INTO want(name, path, val, tol, scale)
SELECT name || '.' || col, path || '.' || col, val, tol, scale FROM (
    -- the name column is called after the table: "channel", "product"
    SELECT d.dim, d.rank, c.k,
           'top_' || d.dim || 's[' || d.rank || ']' AS name,
           '\$.top_' || d.dim || 's[' || d.rank || ']' AS path,
           CASE c.col WHEN 'name' THEN d.dim ELSE c.col END AS col,
           CASE c.col WHEN 'name' THEN d.value WHEN 'revenue' THEN d.revenue
                      WHEN 'revenue_share' THEN d.revenue / s.revenue
                      WHEN 'events' THEN d.orders ELSE d.customers END AS val,
           CASE WHEN c.col IN ('revenue', 'revenue_share') THEN 1e-9 END AS tol,
           CASE c.col WHEN 'revenue' THEN d.mag
                      WHEN 'revenue_share' THEN (d.mag + abs(d.revenue / s.revenue) * s.revenue_mag)
                                                / abs(s.revenue) END AS scale
    FROM dims d, s,
         (SELECT 0 AS k, 'name' AS col UNION ALL SELECT 1, 'revenue' UNION ALL
          SELECT 2, 'revenue_share' UNION ALL SELECT 3, 'events' UNION ALL
          SELECT 4, 'customers') c
    WHERE d.rank < $top
    ORDER BY d.dim, d.rank, c.k)
ORDER BY dim, rank, k;

CREATE TABLE res AS
SELECT w.ord, w.name, w.val AS want, json_extract(j.doc, w.path) AS got,
       json_type(j.doc, w.path) AS jtype, w.tol, w.scale, w.path
FROM want w, j;

SELECT CASE WHEN (tol IS NULL AND jtype IS NOT NULL AND got IS want)
              OR (tol IS NOT NULL AND jtype IN ('integer', 'real') AND want IS NOT NULL
                  AND abs(got - want) <= tol * max(abs(want), coalesce(scale, 0)))
            THEN 'ok $label.' || name
            ELSE 'FAIL $label.' || name || ': retain '
                 || CASE WHEN jtype IS NULL THEN '(missing)' ELSE $(show got) END
                 || ', sqlite ' || $(show want) END
FROM res ORDER BY ord;
-- Table lengths: min(--top, distinct values with events).
SELECT CASE WHEN json_array_length(doc, '\$.top_' || dim || 's') IS n
            THEN 'ok $label.top_' || dim || 's.rows'
            ELSE 'FAIL $label.top_' || dim || 's.rows: retain '
                 || coalesce(json_array_length(doc, '\$.top_' || dim || 's'), '(missing)')
                 || ', sqlite ' || n END
FROM j, (SELECT 'channel' AS dim, min(count(*), $top) AS n FROM dims WHERE dim = 'channel'
         UNION ALL
         SELECT 'product', min(count(*), $top) FROM dims WHERE dim = 'product');
-- Nothing numeric left unchecked: every number in the JSON (top level, or in a table row that
-- was expected; extra rows fail the .rows check above) must be one of the above.
SELECT 'FAIL $label.unchecked: ' || replace(fullkey, '"', '') || ' = ' || coalesce(atom, 'null')
FROM j, json_tree(j.doc)
WHERE type IN ('integer', 'real', 'null')
  AND replace(fullkey, '"', '') NOT IN (SELECT path FROM want)
  AND (replace(path, '"', '') = '\$'
       OR replace(path, '"', '') IN (SELECT substr(path, 1, instr(path, ']')) FROM want));
EOF
    } >"$tmp/$label.sql"
    cross_sql "$label" "$tmp/$label.sql" 1
}

check sim "$tmp/sim.csv" 1 1 10 --order order_id
check sim-rows "$tmp/sim.csv" 0 1 10 --order ""
check edited "$tmp/edited.csv" 1 1 1000 --order order_id --skip-bad-rows --top 1000
check tiny-even "$tmp/tiny-even.csv" 1 1 10 --order order_id
check tiny-once "$tmp/tiny-once.csv" 0 1 10 --order ""
check edited-drop "$tmp/edited.csv" 1 0 1000 --order order_id --skip-bad-rows --top 1000 \
    --refunds drop

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
