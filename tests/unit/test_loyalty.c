/* test_loyalty.c - rt_loyalty_run against a brute-force recomputation. Random logs are made
 * in memory (same-day repeats with ties in time, refunds netted or dropped, customers with only
 * refunds, customers acquired on the last day, a year boundary), written as CSV and loaded;
 * the brute force works from the rows in memory, not from the loaded table, with the
 * definitions written out plainly: nets refunds itself, finds each customer's first event by
 * (day, second, input order), and scans all events per group. Every cell of every row is
 * compared, for channel, product, an extra column and a customer attribute, for 1-7 threads.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- files ---- */

static char tmpdir[64];

/* The path of 'name' in the temporary folder, in a static buffer (copy it to keep it). */
static const char *tmp_path(const char *name)
{
    static char path[256];
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/retain-test-loyalty-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

/* ---- the random log ---- */

#define MAXROWS 4000
#define MAXCUST 400

typedef struct row {
    int cust; /* customer number; the id is "c<cust>" */
    int32_t day;
    int32_t sec;
    long cents; /* amount in cents; negative = refund */
    int chan, prod, region;
} row;

static const char *const chan_name[] = {"web", "app", "store"};
static const char *const region_name[] = {"north", "", "south", "east, \"coast\""};

typedef struct log {
    row r[MAXROWS];
    int n;
    int ncust;
} log_t;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

/* A log of about 'n' rows over 'span' days from 'start'. */
static void make_log(log_t *g, uint64_t seed, int n, int ncust, int32_t start, int32_t span)
{
    rng_state = seed;
    g->n = 0;
    g->ncust = ncust;
    while (g->n < n - 8) {
        int c = (int)rnd((uint32_t)ncust);
        int32_t d = start + (int32_t)rnd((uint32_t)span);
        int burst = 1 + (rnd(4) == 0) * (int)rnd(3); /* same-day repeats */
        for (int b = 0; b < burst && g->n < n - 8; b++) {
            row *x = &g->r[g->n++];
            x->cust = c;
            x->day = d;
            x->sec = rnd(5) == 0 ? 43200 : (int32_t)rnd(86400); /* ties at noon */
            x->cents = (long)rnd(20000);
            if (rnd(8) == 0)
                x->cents = -(long)rnd(30000) - 1; /* a refund, netted or dropped */
            x->chan = (int)rnd(3);
            x->prod = (int)rnd(6);
            x->region = (int)rnd(4);
            /* some customers repeat in the same channel and product */
            if (c % 3 == 0 && b > 0) {
                x->chan = x[-1].chan;
                x->prod = x[-1].prod;
            }
        }
    }
    /* A customer with only refunds (no events), and one acquired on the last day. */
    g->r[g->n++] = (row){ncust, start + 3, 100, -500, 0, 0, 0};
    g->r[g->n++] = (row){ncust + 1, start + span - 1, 100, 700, 1, 1, 1};
    g->ncust = ncust + 2;
}

static void write_log(const log_t *g, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fprintf(f, "customer_id,date,amount,channel,product,region\n");
    for (int i = 0; i < g->n; i++) {
        const row *x = &g->r[i];
        char date[16];
        rt_date_format(x->day, date);
        long a = x->cents < 0 ? -x->cents : x->cents;
        const char *reg = region_name[x->region];
        fprintf(f, "c%d,%s %02d:%02d:%02d,%s%ld.%02ld,%s,P%d,", x->cust, date, x->sec / 3600,
                x->sec / 60 % 60, x->sec % 60, x->cents < 0 ? "-" : "", a / 100, a % 100,
                chan_name[x->chan], x->prod);
        if (strchr(reg, ',')) /* quoted, with the quotes doubled */
            fprintf(f, "\"east, \"\"coast\"\"\"\n");
        else
            fprintf(f, "%s\n", reg);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* ---- the brute force ---- */

typedef struct ev_t {
    int cust;
    int32_t day, sec;
    int idx; /* input order */
    double amount;
    char value[64];
} ev_t;

typedef struct want_row {
    char value[64];
    long customers, repeaters, observed[3], retained[3], orders, repeat_events, same;
    double revenue;
} want_row;

static const int32_t win[3] = {30, 90, 365};

/* The value of row 'x' in dimension 'dim' (0 channel, 1 product, 2 region). */
static void value_of(const row *x, int dim, char *out)
{
    if (dim == 0)
        snprintf(out, 64, "%s", chan_name[x->chan]);
    else if (dim == 1)
        snprintf(out, 64, "P%d", x->prod);
    else
        snprintf(out, 64, "%s", region_name[x->region]);
}

/* The events after applying the refund policy: refunds never are events; with 'net' each
 * customer-day's refunds are added to the first purchase of that day by (second, input). */
static int brute_events(const log_t *g, int dim, int net, ev_t *out)
{
    int n = 0;
    for (int i = 0; i < g->n; i++) {
        const row *x = &g->r[i];
        if (x->cents < 0)
            continue;
        ev_t *e = &out[n++];
        e->cust = x->cust;
        e->day = x->day;
        e->sec = x->sec;
        e->idx = i;
        e->amount = (double)x->cents / 100;
        value_of(x, dim, e->value);
    }
    if (!net)
        return n;
    for (int i = 0; i < g->n; i++) {
        const row *x = &g->r[i];
        if (x->cents >= 0)
            continue;
        ev_t *first = NULL;
        for (int k = 0; k < n; k++) {
            ev_t *e = &out[k];
            if (e->cust != x->cust || e->day != x->day)
                continue;
            if (!first || e->sec < first->sec || (e->sec == first->sec && e->idx < first->idx))
                first = e;
        }
        if (first)
            first->amount += (double)x->cents / 100;
    }
    return n;
}

/* Does event 'a' come before 'b' by (day, second, input order)? */
static int before(const ev_t *a, const ev_t *b)
{
    if (a->day != b->day)
        return a->day < b->day;
    if (a->sec != b->sec)
        return a->sec < b->sec;
    return a->idx < b->idx;
}

/* The expected rows. 'attr' (NULL = group by the first event's value) gives each customer's
 * attribute value, or NULL for a customer with no row. Returns the row count. */
static int brute(const ev_t *e, int n, int ncust, const char *const *attr, want_row *w,
                 long *unmatched)
{
    int nw = 0;
    int32_t last = INT32_MIN;
    for (int k = 0; k < n; k++)
        if (e[k].day > last)
            last = e[k].day;
    *unmatched = 0;
    for (int c = 0; c < ncust; c++) {
        const ev_t *first = NULL;
        for (int k = 0; k < n; k++)
            if (e[k].cust == c && (!first || before(&e[k], first)))
                first = &e[k];
        if (!first)
            continue; /* no events */
        const char *v = first->value;
        if (attr) {
            v = attr[c];
            if (!v) {
                ++*unmatched;
                continue;
            }
        }
        want_row *r = NULL;
        for (int i = 0; i < nw; i++)
            if (strcmp(w[i].value, v) == 0)
                r = &w[i];
        if (!r) {
            r = &w[nw++];
            memset(r, 0, sizeof *r);
            snprintf(r->value, sizeof r->value, "%s", v);
        }
        r->customers++;
        int later_day = 0;
        int32_t f = first->day;
        for (int k = 0; k < n; k++) {
            if (e[k].cust != c)
                continue;
            r->orders++;
            r->revenue += e[k].amount;
            if (e[k].day > f) {
                later_day = 1;
                r->repeat_events++;
                r->same += strcmp(e[k].value, v) == 0;
            }
        }
        r->repeaters += later_day;
        for (int d = 0; d < 3; d++) {
            if (f + win[d] > last)
                continue;
            r->observed[d]++;
            int hit = 0;
            for (int k = 0; k < n; k++)
                if (e[k].cust == c && e[k].day > f && e[k].day <= f + win[d])
                    hit = 1;
            r->retained[d] += hit;
        }
    }
    return nw;
}

/* ---- comparing ---- */

static double num(rt_value v)
{
    if (v.type == RT_VAL_INT)
        return (double)v.i;
    if (v.type == RT_VAL_DOUBLE)
        return v.d;
    return (double)NAN;
}

static double ratio(long a, long b)
{
    return b ? (double)a / (double)b : (double)NAN;
}

/* Compare result 'r' with the expected rows 'w' (in any order; 'r' must be sorted). */
static void compare(const rt_result *r, want_row *w, int nw, int attr, const char *what)
{
    long t = rt_result_main_table(r);
    CHECK(t >= 0);
    if (t < 0)
        return;
    size_t rows = rt_result_table_rows(r, (size_t)t);
    CHECK(rows == (size_t)nw);
    CHECK(rt_result_table_cols(r, (size_t)t) == 12);
    int bad = 0;
    for (size_t i = 0; i < rows && i < (size_t)nw; i++) {
        rt_value v = rt_result_table_cell(r, (size_t)t, i, 0);
        const want_row *x = NULL;
        for (int k = 0; k < nw; k++)
            if (v.type == RT_VAL_STRING && strcmp(w[k].value, v.s) == 0)
                x = &w[k];
        if (!x) {
            bad++;
            continue;
        }
        if (i > 0) { /* customers descending, then value */
            rt_value pv = rt_result_table_cell(r, (size_t)t, i - 1, 0);
            int64_t pc = rt_result_table_cell(r, (size_t)t, i - 1, 1).i;
            if (!(pc > x->customers || (pc == x->customers && strcmp(pv.s, v.s) < 0)))
                bad++;
        }
        double c = (double)x->customers;
        double want[12] = {0,
                           c,
                           (double)x->repeaters / c,
                           ratio(x->retained[0], x->observed[0]),
                           (double)x->observed[0],
                           ratio(x->retained[1], x->observed[1]),
                           (double)x->observed[1],
                           ratio(x->retained[2], x->observed[2]),
                           (double)x->observed[2],
                           (double)x->orders / c,
                           x->revenue / c,
                           attr ? (double)NAN : ratio(x->same, x->repeat_events)};
        for (int col = 1; col < 12; col++) {
            double got = num(rt_result_table_cell(r, (size_t)t, i, (size_t)col));
            /* Counts and count ratios: the same IEEE division on both sides, exact. Revenue:
             * sums of a few hundred two-decimal amounts in different orders (naive here,
             * compensated in retain) differ by a few ulps of the sum; 1e-12 is far above that
             * and far below a cent. */
            double tol = col == 10 ? 1e-12 * (fabs(want[col]) + 1) : 0;
            int same = (isnan(got) && isnan(want[col])) || fabs(got - want[col]) <= tol;
            if (!same) {
                if (bad < 5)
                    fprintf(stderr, "  %s: value '%s' column %d: got %.17g, want %.17g\n", what,
                            x->value, col, got, want[col]);
                bad++;
            }
        }
    }
    CHECK(bad == 0);
}

static int64_t field_int(const rt_result *r, const char *name)
{
    int found = 0;
    rt_value v = rt_result_get(r, name, &found);
    CHECK(found);
    return v.type == RT_VAL_INT || v.type == RT_VAL_DATE ? v.i : -1;
}

/* ---- tests ---- */

static void loyalty_matches_brute_force_by_event_value(void)
{
    static log_t g;
    static ev_t ev[MAXROWS];
    static want_row w[64];
    const rt_field fields[3] = {RT_FIELD_CHANNEL, RT_FIELD_PRODUCT, RT_FIELD_EXTRA};
    int32_t start;
    rt_date_parse("2023-09-15", &start); /* over a year boundary, 400 days */
    for (uint64_t seed = 1; seed <= 6; seed++) {
        make_log(&g, seed, seed % 2 ? 3000 : 600, seed % 2 ? 300 : 40, start, 400);
        const char *path = tmp_path("log.csv");
        write_log(&g, path);
        for (int net = 0; net <= 1; net++) {
            rt_load_options lo = {.extra_col = "region",
                                  .refunds = net ? RT_REFUNDS_NET : RT_REFUNDS_DROP};
            rt_events *e;
            rt_error err;
            CHECK(rt_events_read(path, &lo, &e, &err) == RT_OK);
            for (int d = 0; d < 3; d++) {
                int n = brute_events(&g, d, net, ev);
                long unmatched;
                int nw = brute(ev, n, g.ncust, NULL, w, &unmatched);
                for (int threads = 1; threads <= 7; threads += 2) {
                    rt_loyalty_options o = {.by = fields[d], .threads = threads};
                    rt_result *r = NULL;
                    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_OK);
                    if (!r)
                        continue;
                    char what[64];
                    snprintf(what, sizeof what, "seed %d net %d dim %d threads %d", (int)seed, net,
                             d, threads);
                    compare(r, w, nw, 0, what);
                    CHECK(field_int(r, "customers") == (int64_t)rt_events_customers(e));
                    CHECK(field_int(r, "grouped_customers") == (int64_t)rt_events_customers(e));
                    CHECK(field_int(r, "unmatched_customers") == 0);
                    CHECK(field_int(r, "values") == nw);
                    rt_result_free(r);
                }
            }
            rt_events_free(e);
        }
    }
}

static void loyalty_matches_brute_force_by_attribute(void)
{
    static log_t g;
    static ev_t ev[MAXROWS];
    static want_row w[64];
    static const char *attr[MAXCUST + 2];
    static const char *const tiers[] = {"gold", "basic", "", "Basic"};
    int32_t start;
    rt_date_parse("2024-01-01", &start);
    make_log(&g, 99, 3000, 300, start, 500);
    char lpath[256];
    snprintf(lpath, sizeof lpath, "%s", tmp_path("alog.csv"));
    write_log(&g, lpath);
    /* The table: every customer but each 7th, plus 25 ids with no events; columns in an
     * order that puts the id second. */
    char apath[256];
    snprintf(apath, sizeof apath, "%s", tmp_path("attrs.csv"));
    FILE *f = fopen(apath, "w");
    if (!f)
        exit(2);
    fprintf(f, "tier,cust_id\n");
    long rows = 0;
    for (int c = 0; c < g.ncust; c++) {
        attr[c] = NULL;
        if (c % 7 == 3)
            continue;
        attr[c] = tiers[(c * 5) % 4];
        fprintf(f, "%s,c%d\n", attr[c], c);
        rows++;
    }
    for (int k = 0; k < 25; k++, rows++)
        fprintf(f, "gold,ghost%d\n", k);
    fclose(f);
    rt_attrs *a;
    rt_error err;
    CHECK(rt_attrs_read(apath, NULL, &a, &err) == RT_OK);
    rt_events *e;
    CHECK(rt_events_read(lpath, NULL, &e, &err) == RT_OK);
    if (!a || !e)
        exit(2); /* nothing below can run */
    int n = brute_events(&g, 0, 1, ev);
    long unmatched;
    int nw = brute(ev, n, g.ncust, attr, w, &unmatched);
    CHECK(unmatched > 10);
    /* Customers with events that have a row: the rest of the rows have no events. */
    long matched = (long)rt_events_customers(e) - unmatched;
    for (int threads = 1; threads <= 4; threads++) {
        rt_loyalty_options o = {.attrs = a, .attr_col = "TIER", .threads = threads};
        rt_result *r = NULL;
        CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_OK);
        if (!r)
            continue;
        compare(r, w, nw, 1, "attribute");
        CHECK(field_int(r, "unmatched_customers") == unmatched);
        CHECK(field_int(r, "grouped_customers") == matched);
        CHECK(field_int(r, "attribute_rows") == rows);
        CHECK(field_int(r, "attribute_rows_without_events") == rows - matched);
        long t = rt_result_main_table(r);
        CHECK_STREQ(rt_result_table_col_name(r, (size_t)t, 0), "tier");
        rt_result_free(r);
    }
    rt_events_free(e);
    rt_attrs_free(a);
}

/* Hand-made: the first purchase of a day is the earliest by time, then by input order;
 * events on the first day are not repeat purchases; retention windows are (first, first+D]
 * and customers are observed for D days only when first + D <= the last day. */
static void loyalty_follows_the_definitions_on_a_small_log(void)
{
    const char *path = tmp_path("small.csv");
    FILE *f = fopen(path, "w");
    if (!f)
        exit(2);
    fprintf(f, "customer_id,date,amount,channel\n"
               /* A: first event 09:00 in app (web comes first in the file), a web event on
                * the first day (not a repeat), back on day 30 (app) and day 31 (web). */
               "A,2024-01-01 10:00:00,5,web\n"
               "A,2024-01-01 09:00:00,10,app\n"
               "A,2024-01-31 12:00:00,7,app\n"
               "A,2024-02-01 12:00:00,-2,app\n" /* refund netted into the web purchase */
               "A,2024-02-01 12:00:00,3,web\n"
               /* B: two events in the same second: the first in the file (web) wins. */
               "B,2024-01-05 08:00:00,1,web\n"
               "B,2024-01-05 08:00:00,1,app\n"
               /* C: one purchase on the last day. */
               "C,2024-03-01,4,app\n");
    fclose(f);
    rt_events *e;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &e, &err) == RT_OK);
    rt_loyalty_options o = {.by = RT_FIELD_CHANNEL};
    rt_result *r = NULL;
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_OK);
    rt_events_free(e);
    if (!r)
        return;
    long t = rt_result_main_table(r);
    CHECK(rt_result_table_rows(r, (size_t)t) == 2);
    /* app: A and C. web: B. Last day 2024-03-01 (day 60 after A's first day). */
    CHECK_STREQ(rt_result_table_cell(r, (size_t)t, 0, 0).s, "app");
    CHECK(rt_result_table_cell(r, (size_t)t, 0, 1).i == 2);
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 0, 2).d, 0.5, 0);
    /* retention_30: A returned on day 30 (inside (0, 30]); C is not observed for 30 days. */
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 0, 3).d, 1.0, 0);
    CHECK(rt_result_table_cell(r, (size_t)t, 0, 4).i == 1);
    /* Nobody observed for 90 days: null. */
    CHECK(rt_result_table_cell(r, (size_t)t, 0, 5).type == RT_VAL_DOUBLE &&
          isnan(rt_result_table_cell(r, (size_t)t, 0, 5).d));
    CHECK(rt_result_table_cell(r, (size_t)t, 0, 6).i == 0);
    /* orders: A 4 events (the refund row is not one), C 1: 5 / 2. Revenue (10+5+7+3-2+4)/2. */
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 0, 9).d, 2.5, 0);
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 0, 10).d, 13.5, 0);
    /* Repeat purchases of A: app (Jan 31), web (Feb 1): half in app again. */
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 0, 11).d, 0.5, 0);
    CHECK_STREQ(rt_result_table_cell(r, (size_t)t, 1, 0).s, "web");
    CHECK(rt_result_table_cell(r, (size_t)t, 1, 1).i == 1);
    CHECK_NEAR(rt_result_table_cell(r, (size_t)t, 1, 2).d, 0.0, 0);
    /* B has no repeat purchase: the share is null. */
    CHECK(isnan(rt_result_table_cell(r, (size_t)t, 1, 11).d));
    int found;
    rt_value last = rt_result_get(r, "last_date", &found);
    CHECK(found && last.type == RT_VAL_DATE);
    char buf[16];
    rt_date_format((int32_t)last.i, buf);
    CHECK_STREQ(buf, "2024-03-01");
    rt_result_free(r);
}

static void loyalty_reports_bad_options(void)
{
    const char *path = tmp_path("plain.csv");
    FILE *f = fopen(path, "w");
    if (!f)
        exit(2);
    fprintf(f, "customer_id,date,customers\na,2024-01-01,x\nb,2024-01-02,y\n");
    fclose(f);
    rt_events *e;
    rt_error err;
    rt_load_options lo = {.amount_col = "", .extra_col = "customers"};
    CHECK(rt_events_read(path, &lo, &e, &err) == RT_OK);
    rt_result *r = (rt_result *)(uintptr_t)1;
    rt_loyalty_options o = {.by = RT_FIELD_CHANNEL};
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_EDOMAIN);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "no channel column") != NULL);
    o.by = RT_FIELD_PRODUCT;
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_EDOMAIN);
    o.by = RT_FIELD_ORDER;
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_EMISUSE);
    o.by = RT_FIELD_CUSTOMER;
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_EMISUSE);
    CHECK(rt_loyalty_run(NULL, &o, &r, &err) == RT_EMISUSE);
    CHECK(rt_loyalty_run(e, NULL, &r, &err) == RT_EMISUSE);
    CHECK(rt_loyalty_run(e, &o, NULL, &err) == RT_EMISUSE);
    /* An extra column named like an output column: the value column is called "value";
     * without amounts revenue_per_customer is null. */
    o.by = RT_FIELD_EXTRA;
    CHECK(rt_loyalty_run(e, &o, &r, &err) == RT_OK);
    if (r) {
        long t = rt_result_main_table(r);
        CHECK_STREQ(rt_result_table_col_name(r, (size_t)t, 0), "value");
        CHECK(rt_result_table_cell(r, (size_t)t, 0, 10).type == RT_VAL_NULL);
        CHECK_STREQ(rt_result_table_cell(r, (size_t)t, 0, 0).s, "x");
        rt_result_free(r);
    }
    /* An attribute column that is not there; attrs without a column. */
    const char *ap = tmp_path("a.csv");
    f = fopen(ap, "w");
    if (!f)
        exit(2);
    fprintf(f, "customer_id,tier\na,1\n");
    fclose(f);
    rt_attrs *a;
    CHECK(rt_attrs_read(ap, NULL, &a, &err) == RT_OK);
    rt_loyalty_options oa = {.attrs = a, .attr_col = "region"};
    CHECK(rt_loyalty_run(e, &oa, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "the customer attributes have no column 'region'; they are: "
                         "customer_id, tier");
    oa.attr_col = NULL;
    CHECK(rt_loyalty_run(e, &oa, &r, &err) == RT_EMISUSE);
    rt_attrs_free(a);
    rt_events_free(e);
}

int main(void)
{
    TEST(loyalty_follows_the_definitions_on_a_small_log);
    TEST(loyalty_matches_brute_force_by_event_value);
    TEST(loyalty_matches_brute_force_by_attribute);
    TEST(loyalty_reports_bad_options);
    const char *files[] = {"log.csv", "alog.csv", "attrs.csv", "small.csv", "plain.csv", "a.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tmp_path(files[i]));
    rmdir(tmpdir);
    return test_report();
}
