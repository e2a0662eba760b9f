#!/bin/sh
# loyalty_sqlite.sh - recompute every number `retain loyalty --format json` prints with
# sqlite3, straight from the raw CSV files, and compare.
#
# The SQL shares no code with retain: sqlite's importer reads the CSVs, date() and time() give
# the UTC day and time of day (zone offsets applied), and the documented rules are set queries:
# refunds (negative amounts) are never events; with --refunds net each customer-day's refunds
# are added to its first purchase by (time of day, input order), refunds on a day without a
# purchase are dropped; a customer's group is the value of their first event by (day, time,
# input order), or their row of the attribute table (LEFT JOIN: no row = unmatched); the
# second purchase day is the smallest day after the first; retention_D counts customers with
# julianday(first) + D <= julianday(last day of the data) and a second day at most D days on.
#
# Data sets:
#   sim      `retain simulate --customers 3000 --days 900 --acquisition-days 890 --times`:
#            customers arrive over most of the log, so all three windows have observed and
#            unobserved customers; the log spans two year boundaries.
#   edited   the simulated log edited with awk, then shuffled: an extra column 'region'
#            (empty values and a quoted value with a comma), same-day events at an earlier
#            time in another channel, product and region (they become first events), events
#            in the same second as another (input order decides), partial refunds (netted),
#            refunds larger than the purchase, refunds on days without a purchase (dropped),
#            a customer with nothing but refunds, zone offsets that move the UTC day, date-only
#            rows (midnight), a customer acquired on the last day. Checked with --refunds net
#            and drop, by channel, product and region.
#   attrs    the simulator's --customers-out table minus every 9th customer (unmatched), plus
#            ids with no events and the refund-only customer; by tier, loyalty_member and
#            satisfaction.
#   golden   tests/data/loyalty-events.csv and loyalty-customers.csv (the CLI goldens' data).
#
# retain's JSON goes into sqlite as a string literal (quotes doubled with sed) and is read
# with json_extract(). Every number in it must be matched by a check ("unchecked" fails
# otherwise) and the table must have exactly one row per value with customers.
#
# Prints "ok NAME" or "FAIL NAME: retain X, sqlite Y" per check, then "N passed, N failed";
# exits non-zero if anything failed. Works under dash; BUILD selects the build.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.inc"
cross_begin loyalty_sqlite

# ---- data ----

if ! "$RETAIN" simulate --customers 3000 --days 900 --acquisition-days 890 --seed 5 --times \
    --customers-out "$tmp/cust.csv" -o "$tmp/sim.csv" 2>"$tmp/sim.err"; then
    fail_setup "simulate: $(cat "$tmp/sim.err")"
    echo "$passed passed, $failed failed"
    exit 1
fi

# The edited log. Derived rows are keyed to the input line number n, so the file is the same
# under any awk; the shuffle sorts on (m * 7919) mod 1000003, a permutation of the output line
# numbers m, so the order is fixed too. Columns: customer_id,date,amount,channel,product,region.
awk -F, '
function out(line) {
    m++
    printf "%d\t%s\n", (m * 7919) % 1000003, line
}
function row(c, d, a, ch, p, r) {
    out(c "," d "," a "," ch "," p "," r)
}
function money(x) {
    return sprintf("%.2f", x)
}
NR == 1 { next }
{
    n = NR - 1
    day = substr($2, 1, 10)
    if ($2 > last)
        last = $2
    reg = n % 4 == 0 ? "north" : n % 4 == 1 ? "" : n % 4 == 2 ? "south" : "\"east, coast\""
    out($0 "," reg)
    # An earlier event the same day in another channel, product and region.
    if (n % 13 == 0)
        row($1, day " 00:00:01", money($3 / 2), "kiosk", "P9999", "west")
    # An event in the same second as this one: input order decides which is first.
    if (n % 17 == 0)
        row($1, $2, "1.00", "phone", "P0001", "north")
    # A partial refund the same day: netted.
    if (n % 19 == 0)
        row($1, day " 23:59:59", money(-$3 * 0.4), $4, $5, reg)
    # A refund larger than the purchase: the netted amount is negative.
    if (n % 101 == 0)
        row($1, day " 00:00:00", money(-$3 * 1.5), "desk", $5, "")
    # A refund in 2028, outside the log (no purchase that day): dropped. (2028 is a leap
    # year, so every month-day of the log exists in it.)
    if (n % 23 == 0)
        row($1, "2028" substr($2, 5), money(-$3), $4, $5, reg)
    # A date-only row: midnight, so first on its day unless another row is at 00:00:00.
    if (n % 29 == 0)
        row($1, day, "2.50", "mail", "P0002", "south")
}
END {
    # A customer with nothing but refunds.
    row("CREFUNDONLY", "2024-05-05 10:00:00", "-12.50", "web", "P0001", "north")
    # Zone offsets: 2024-02-29 23:30 -05:00 is 2024-03-01 04:30 UTC; 2024-03-10 01:00 +03:00
    # is 2024-03-09 22:00 UTC, earlier than the date-only row of 2024-03-10.
    row("CZONE", "2024-02-29 23:30:00-05:00", "20.00", "store", "P0002", "west")
    row("CZONE", "2024-03-01 02:00:00", "5.00", "web", "P0003", "north")
    row("CZONE", "2024-03-10T01:00:00+03:00", "15.00", "app", "P0003", "south")
    row("CZONE", "2024-03-10", "3.00", "web", "P0003", "south")
    row("CZONE", "2024-04-09 12:00:00Z", "7.00", "app", "P0002", "west")
    # A customer acquired on the last day of the data.
    row("CLAST", last, "9.00", "web", "P0004", "north")
}' "$tmp/sim.csv" | sort -n | cut -f 2- >"$tmp/body"
{ echo "customer_id,date,amount,channel,product,region"; cat "$tmp/body"; } >"$tmp/edited.csv"

# The attribute table: every 9th customer left out, ids without events added.
awk -F, 'NR == 1 { print; next }
(NR - 1) % 9 != 0 { print }
END {
    print "CREFUNDONLY,2024-01-01,gold,1,5"
    print "GHOST1,2024-01-01,basic,0,1"
    print "GHOST2,2024-01-01,\"plat, inum\",1,3"
    print "CZONE,2024-01-01,\"plat, inum\",0,4"
}' "$tmp/cust.csv" >"$tmp/attrs.csv"

# ---- one comparison ----

# SQL showing the value of column $1 in a message: sqlite prints a REAL with 15 digits, so
# show all 17.
show() {
    echo "CASE WHEN typeof($1) = 'real' THEN printf('%!.17g', $1)
          WHEN typeof($1) = 'null' THEN 'null' ELSE $1 END"
}

# check LABEL CSV DIM NET ATTRS [retain options...]
#   DIM: the events column (channel, product, region) or the attribute column (ATTRS set);
#   NET: 1 for --refunds net, 0 for drop; ATTRS: the attribute CSV or "".
check() {
    label=$1 csv=$2 dim=$3 net=$4 attrs=$5
    shift 5
    if [ -n "$attrs" ]; then
        set -- --customers "$attrs" "$@"
    fi
    if ! "$RETAIN" loyalty --format json --by "$dim" "$@" "$csv" >"$tmp/$label.json" \
        2>"$tmp/$label.err"; then
        fail_setup "$label: retain loyalty --by $dim $* failed: $(cat "$tmp/$label.err")"
        return
    fi
    if [ -n "$attrs" ]; then
        is_attr=1
        import_attrs=".import '$attrs' attrs"
        val="NULL"
        grp="a.\"$dim\""
        join="LEFT JOIN attrs a ON a.customer_id = c.cust"
    else
        is_attr=0
        import_attrs="CREATE TABLE attrs(customer_id TEXT);"
        val="\"$dim\""
        grp="c.firstval"
        join=""
    fi
    {
        echo ".mode csv"
        echo ".import '$csv' raw"
        echo "$import_attrs"
        echo ".mode list"
        echo ".headers off"
        printf "CREATE TABLE j(doc TEXT);\nINSERT INTO j VALUES('"
        sed "s/'/''/g" "$tmp/$label.json"
        printf "');\n"
        cat <<EOF
-- Every input row with sqlite's reading of it; rowid is the input order.
CREATE TABLE g AS
SELECT rowid AS id, customer_id AS cust, date(date) AS day, time(date) AS tod,
       CAST(amount AS REAL) AS amt, $val AS val
FROM raw;
CREATE TABLE cd AS
SELECT cust, day, total(CASE WHEN amt < 0 THEN amt END) AS refund FROM g GROUP BY cust, day;
-- The events: non-negative rows; with netting, the first of a customer's day (by time of
-- day, then input order) takes that day's refunds. 'mag' is the sum of the magnitudes of the
-- terms of 'rev', the scale of any rounding error in it.
CREATE TABLE ev AS
WITH buys AS (
    SELECT *, row_number() OVER (PARTITION BY cust, day ORDER BY tod, id) AS k
    FROM g WHERE amt >= 0)
SELECT b.id, b.cust, b.day, b.tod, b.val,
       b.amt + CASE WHEN $net AND b.k = 1 THEN cd.refund ELSE 0 END AS rev,
       b.amt - CASE WHEN $net AND b.k = 1 THEN cd.refund ELSE 0 END AS mag
FROM buys b JOIN cd USING (cust, day);
CREATE INDEX ev_cust ON ev(cust, day);
CREATE TABLE span AS SELECT min(day) AS first_date, max(day) AS last_date,
                            julianday(max(day)) AS jl FROM ev;
-- Per customer: the first event (day, time of day, input order) and the second purchase day.
CREATE TABLE cu AS
WITH o AS (SELECT *, row_number() OVER (PARTITION BY cust ORDER BY day, tod, id) AS k FROM ev)
SELECT o.cust, o.day AS f, o.val AS firstval,
       (SELECT min(e.day) FROM ev e WHERE e.cust = o.cust AND e.day > o.day) AS d2
FROM o WHERE k = 1;
-- The customer's group: NULL = unmatched (no attribute row).
CREATE TABLE cg AS SELECT c.*, $grp AS grp FROM cu c $join;
-- Per customer: events, revenue, repeat events (days after the first) and those in the
-- group's value again.
CREATE TABLE pc AS
SELECT c.cust, c.grp, c.f, c.d2, count(*) AS n, total(e.rev) AS rev, total(e.mag) AS mag,
       sum(e.day > c.f) AS rep, sum(e.day > c.f AND e.val = c.grp) AS same
FROM cg c JOIN ev e USING (cust) WHERE c.grp IS NOT NULL GROUP BY c.cust;
CREATE TABLE gr AS
SELECT grp AS value, count(*) AS customers, sum(d2 IS NOT NULL) AS repeaters,
       sum(julianday(f) + 30 <= jl) AS o30,
       sum(CASE WHEN julianday(f) + 30 <= jl AND julianday(d2) - julianday(f) <= 30
                THEN 1 ELSE 0 END) AS r30,
       sum(julianday(f) + 90 <= jl) AS o90,
       sum(CASE WHEN julianday(f) + 90 <= jl AND julianday(d2) - julianday(f) <= 90
                THEN 1 ELSE 0 END) AS r90,
       sum(julianday(f) + 365 <= jl) AS o365,
       sum(CASE WHEN julianday(f) + 365 <= jl AND julianday(d2) - julianday(f) <= 365
                THEN 1 ELSE 0 END) AS r365,
       sum(n) AS orders, total(rev) AS rev, total(mag) AS mag, sum(rep) AS rep,
       sum(same) AS same
FROM pc, span GROUP BY grp;
-- Rows by customers descending, then value (BINARY collation: byte order, as strcmp).
CREATE TABLE ranked AS
SELECT *, row_number() OVER (ORDER BY customers DESC, value) - 1 AS rank FROM gr;

CREATE TABLE s AS SELECT
    (SELECT count(DISTINCT cust) FROM ev) AS customers,
    (SELECT count(*) FROM pc) AS grouped,
    (SELECT count(*) FROM cg WHERE grp IS NULL) AS unmatched,
    CASE WHEN $is_attr THEN (SELECT count(*) FROM attrs) END AS attribute_rows,
    CASE WHEN $is_attr THEN (SELECT count(*) FROM attrs
                             WHERE customer_id NOT IN (SELECT cust FROM ev)) END AS without,
    (SELECT count(*) FROM gr) AS nvalues,
    (SELECT count(*) FROM ev) AS events,
    (SELECT first_date FROM span) AS first_date,
    (SELECT last_date FROM span) AS last_date;

-- What to compare: name, JSON path, expected value, tolerance (NULL = exact), scale.
-- Rates and per-customer counts are ratios of exact counts, the same IEEE division on both
-- sides; 1e-12 allows only for the decimal round trip through the JSON text (sqlite's
-- text-to-real is not always correctly rounded). Revenue: retain adds with Neumaier's
-- compensated sum, sqlite's total() naively, with error at most (n-1) * 2^-53 * sum|x|, about
-- 1e-12 * sum|x| for 10^4 rows; 1e-9 of max(|value|, sum|x| / customers) leaves a margin of
-- 1000 and still catches a cent off in a group's total. A NULL expectation (no customer
-- observed, no repeat purchase, an attribute's share) must be a JSON null.
CREATE TABLE want(ord INTEGER PRIMARY KEY, name TEXT, path TEXT, val, tol REAL, scale REAL);
INSERT INTO want(name, path, val, tol, scale)
SELECT 'customers', '\$.customers', customers, NULL, NULL FROM s UNION ALL
SELECT 'grouped_customers', '\$.grouped_customers', grouped, NULL, NULL FROM s UNION ALL
SELECT 'unmatched_customers', '\$.unmatched_customers', unmatched, NULL, NULL FROM s UNION ALL
SELECT 'attribute_rows', '\$.attribute_rows', attribute_rows, NULL, NULL FROM s UNION ALL
SELECT 'attribute_rows_without_events', '\$.attribute_rows_without_events', without, NULL,
       NULL FROM s UNION ALL
SELECT 'values', '\$.values', nvalues, NULL, NULL FROM s UNION ALL
SELECT 'events', '\$.events', events, NULL, NULL FROM s UNION ALL
SELECT 'first_date', '\$.first_date', first_date, NULL, NULL FROM s UNION ALL
SELECT 'last_date', '\$.last_date', last_date, NULL, NULL FROM s;
INSERT INTO want(name, path, val, tol, scale)
SELECT 'loyalty[' || rank || '].' || col, '\$.loyalty[' || rank || '].' || col, val, tol,
       scale
FROM (
    SELECT r.rank, c.k, c.col,
           CASE c.col WHEN '$dim' THEN r.value
                      WHEN 'customers' THEN r.customers
                      WHEN 'repeat_rate' THEN CAST(r.repeaters AS REAL) / r.customers
                      WHEN 'retention_30' THEN CAST(r.r30 AS REAL) / r.o30
                      WHEN 'observed_30' THEN r.o30
                      WHEN 'retention_90' THEN CAST(r.r90 AS REAL) / r.o90
                      WHEN 'observed_90' THEN r.o90
                      WHEN 'retention_365' THEN CAST(r.r365 AS REAL) / r.o365
                      WHEN 'observed_365' THEN r.o365
                      WHEN 'orders_per_customer' THEN CAST(r.orders AS REAL) / r.customers
                      WHEN 'revenue_per_customer' THEN r.rev / r.customers
                      WHEN 'same_value_repeat_share' THEN
                          CASE WHEN $is_attr THEN NULL ELSE CAST(r.same AS REAL) / r.rep END
           END AS val,
           CASE WHEN c.col IN ('$dim', 'customers') OR c.col LIKE 'observed%' THEN NULL
                WHEN c.col = 'revenue_per_customer' THEN 1e-9 ELSE 1e-12 END AS tol,
           CASE WHEN c.col = 'revenue_per_customer' THEN r.mag / r.customers END AS scale
    FROM ranked r,
         (SELECT 0 AS k, '$dim' AS col UNION ALL SELECT 1, 'customers' UNION ALL
          SELECT 2, 'repeat_rate' UNION ALL SELECT 3, 'retention_30' UNION ALL
          SELECT 4, 'observed_30' UNION ALL SELECT 5, 'retention_90' UNION ALL
          SELECT 6, 'observed_90' UNION ALL SELECT 7, 'retention_365' UNION ALL
          SELECT 8, 'observed_365' UNION ALL SELECT 9, 'orders_per_customer' UNION ALL
          SELECT 10, 'revenue_per_customer' UNION ALL
          SELECT 11, 'same_value_repeat_share') c
    ORDER BY r.rank, c.k);

CREATE TABLE res AS
SELECT w.ord, w.name, w.val AS want, json_extract(j.doc, w.path) AS got,
       json_type(j.doc, w.path) AS jtype, w.tol, w.scale
FROM want w, j;

SELECT CASE WHEN (want IS NULL AND jtype = 'null')
              OR (want IS NOT NULL AND tol IS NULL AND jtype IS NOT NULL AND got IS want)
              OR (want IS NOT NULL AND tol IS NOT NULL AND jtype IN ('integer', 'real')
                  AND abs(got - want) <= tol * max(abs(want), coalesce(scale, 0)))
            THEN 'ok $label.' || name
            ELSE 'FAIL $label.' || name || ': retain '
                 || CASE WHEN jtype IS NULL THEN '(missing)' ELSE $(show got) END
                 || ', sqlite ' || $(show want) END
FROM res ORDER BY ord;
-- One row per value with customers.
SELECT CASE WHEN json_array_length(doc, '\$.loyalty') IS (SELECT count(*) FROM gr)
            THEN 'ok $label.loyalty.rows'
            ELSE 'FAIL $label.loyalty.rows: retain '
                 || coalesce(json_array_length(doc, '\$.loyalty'), '(missing)')
                 || ', sqlite ' || (SELECT count(*) FROM gr) END
FROM j;
-- Nothing numeric left unchecked.
SELECT 'FAIL $label.unchecked: ' || replace(fullkey, '"', '') || ' = ' || coalesce(atom, 'null')
FROM j, json_tree(j.doc)
WHERE type IN ('integer', 'real', 'null')
  AND replace(fullkey, '"', '') NOT IN (SELECT path FROM want);
EOF
    } >"$tmp/$label.sql"
    cross_sql "$label" "$tmp/$label.sql" 20
}

check sim-channel "$tmp/sim.csv" channel 1 ""
check sim-product "$tmp/sim.csv" product 1 ""
check sim-tier "$tmp/sim.csv" tier 1 "$tmp/attrs.csv"
check sim-member "$tmp/sim.csv" loyalty_member 1 "$tmp/attrs.csv"
check sim-satisfaction "$tmp/sim.csv" satisfaction 1 "$tmp/attrs.csv" --threads 3
check edited-channel "$tmp/edited.csv" channel 1 ""
check edited-product "$tmp/edited.csv" product 1 "" --threads 5
check edited-region "$tmp/edited.csv" region 1 ""
check edited-region-drop "$tmp/edited.csv" region 0 "" --refunds drop
check edited-channel-drop "$tmp/edited.csv" channel 0 "" --refunds drop
check edited-tier "$tmp/edited.csv" tier 1 "$tmp/attrs.csv"
check golden-channel tests/data/loyalty-events.csv channel 1 ""
check golden-region tests/data/loyalty-events.csv region 1 ""
check golden-tier tests/data/loyalty-events.csv tier 1 tests/data/loyalty-customers.csv

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
