/* test_cbs.c - the public per-customer summary (src/models/cbs.c, cbs_read.c): CDNOW from
 * its event log against BTYD's unrounded cbs and lifetimes' rounded summary for every
 * customer, every summary file in shared/data read back with spot values and column sums
 * from the files themselves, the CSV round trip bit for bit, time units, the holdout rules,
 * and the exact error messages.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include "core/date.h"

#include <stdint.h>
#include <stdlib.h>

#include "tmpfiles.h"

/* BTYD's CSV holds R's 15 significant digits, so a value read back can differ from the
 * exact quotient by up to 5e-15 relative; 1e-12 leaves room for that and for our one
 * division, and still catches an off-by-one-day error (at least 1/272 relative here). */
#define REL 1e-12

#define DATA "../shared/data/"
#define CDNOW_N 2357

static int32_t ymd(int y, unsigned m, unsigned d)
{
    return (int32_t)rt_days_from_civil(y, m, d);
}

/* ---- reference files, parsed here with sscanf (independently of rt_cbs_read) ---- */

typedef struct ref_row {
    double x, t_x, T, x_star, m_x;
    int seen;
} ref_row;

/* cdnowSummary_cbs.csv (cust,x,t.x,T.cal,x.star,m.x) into 'ref[cust - 1]'; returns rows or
 * -1. */
static int read_btyd_cbs(ref_row *ref)
{
    FILE *f = fopen(DATA "cdnowSummary_cbs.csv", "r");
    if (!f)
        return -1;
    char line[256];
    int rows = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "cust,x,t.x,T.cal,x.star,m.x", 27) != 0)
        rows = -1;
    while (rows >= 0 && fgets(line, sizeof line, f)) {
        int cust;
        ref_row r = {0};
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf,%lf", &cust, &r.x, &r.t_x, &r.T, &r.x_star, &r.m_x) !=
                6 ||
            cust < 1 || cust > CDNOW_N || ref[cust - 1].seen) {
            rows = -1;
            break;
        }
        r.seen = 1;
        ref[cust - 1] = r;
        rows++;
    }
    fclose(f);
    return rows;
}

/* cdnow_customers_summary.csv (ID,frequency,recency,T; 2 decimals) into 'ref[ID - 1]'. */
static int read_lifetimes(ref_row *ref)
{
    FILE *f = fopen(DATA "cdnow_customers_summary.csv", "r");
    if (!f)
        return -1;
    char line[256];
    int rows = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "ID,frequency,recency,T", 22) != 0)
        rows = -1;
    while (rows >= 0 && fgets(line, sizeof line, f)) {
        int id;
        ref_row r = {0};
        if (sscanf(line, "%d,%lf,%lf,%lf", &id, &r.x, &r.t_x, &r.T) != 4 || id < 1 ||
            id > CDNOW_N || ref[id - 1].seen) {
            rows = -1;
            break;
        }
        r.seen = 1;
        ref[id - 1] = r;
        rows++;
    }
    fclose(f);
    return rows;
}

/* The CDNOW event log by BTYD's customer number (sampleid), amounts in 'sales'. */
static rt_events *load_cdnow(void)
{
    rt_load_options o = {0};
    o.customer_col = "sampleid";
    o.date_col = "date";
    o.date_format = "%Y%m%d";
    o.amount_col = "sales";
    o.product_col = o.channel_col = o.order_col = "";
    o.threads = 1;
    rt_events *ev = NULL;
    rt_error err;
    if (rt_events_read(DATA "cdnowElog.csv", &o, &ev, &err) != RT_OK)
        fprintf(stderr, "  %s\n", err.msg);
    return ev;
}

/* CDNOW summarised in weeks with calibration end 1997-09-30 (BTYD's and lifetimes' split). */
static rt_cbs *cdnow_cbs(double unit)
{
    rt_events *ev = load_cdnow();
    if (!ev)
        return NULL;
    rt_cbs_options o = {
        .unit_days = unit, .has_calibration_end = 1, .calibration_end = ymd(1997, 9, 30)};
    rt_cbs *c = NULL;
    rt_error err;
    if (rt_cbs_from_events(ev, &o, &c, &err) != RT_OK)
        fprintf(stderr, "  %s\n", err.msg);
    rt_events_free(ev); /* the table must not need the events any more */
    return c;
}

/* ---- (a) CDNOW from events ---- */

static void cdnow_from_events_equals_btyd_and_lifetimes(void)
{
    static ref_row btyd[CDNOW_N], lt[CDNOW_N];
    CHECK(read_btyd_cbs(btyd) == CDNOW_N);
    CHECK(read_lifetimes(lt) == CDNOW_N);
    rt_cbs *c = cdnow_cbs(0); /* 0 = weeks */
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(c->n == CDNOW_N);
    CHECK(c->id && c->x_star && c->mbar && c->holdout_amount && c->first_day && !c->w);
    CHECK(c->unit_days == 7);
    CHECK(c->calibration_end == ymd(1997, 9, 30));
    CHECK(c->data_end == ymd(1998, 6, 30));
    CHECK(c->holdout_length == 39); /* 273 days: 1997-10-01..1998-06-30 */
    CHECK(c->excluded == 0);
    double sx = 0, sxs = 0;
    int bad = 0;
    for (size_t i = 0; c->id && i < c->n; i++) {
        int cust = atoi(c->id[i]);
        if (cust < 1 || cust > CDNOW_N || !btyd[cust - 1].seen || !lt[cust - 1].seen) {
            bad++;
            continue;
        }
        const ref_row *e = &btyd[cust - 1], *l = &lt[cust - 1];
        int before = test_failed;
        CHECK(c->x[i] == e->x);
        CHECK(c->x_star[i] == e->x_star);
        CHECK_NEAR(c->t_x[i], e->t_x, REL);
        CHECK_NEAR(c->T[i], e->T, REL);
        /* m.x is printed to 15 significant digits: 1e-13 relative covers that. */
        CHECK_NEAR(c->mbar[i], e->m_x, 1e-13);
        /* lifetimes rounds to 2 decimals; times are k/7 weeks, never halfway (k*100/7 has a
         * fraction that is a multiple of 1/7), so the rounding is unambiguous: compare the
         * rounded value to 1e-9 absolute (far below the 0.01 step). */
        CHECK(c->x[i] == l->x);
        CHECK(fabs(round(c->t_x[i] * 100) / 100 - l->t_x) < 1e-9);
        CHECK(fabs(round(c->T[i] * 100) / 100 - l->T) < 1e-9);
        if (test_failed != before && bad++ < 3)
            fprintf(stderr, "  customer %s differs\n", c->id[i]);
        sx += c->x[i];
        sxs += c->x_star[i];
    }
    CHECK(bad == 0);
    CHECK(sx == 2457 && sxs == 1882); /* shared/data/README.md */
    /* Customer 1: purchases 1997-01-01 29.33, 01-18 29.73, 08-02 14.96, 12-12 26.48. */
    CHECK_STREQ(c->id[0], "1");
    CHECK(c->first_day[0] == ymd(1997, 1, 1));
    CHECK_NEAR(c->t_x[0], 213.0 / 7, 1e-15); /* one division either way */
    CHECK_NEAR(c->mbar[0], (29.73 + 14.96) / 2, 1e-15);
    CHECK_NEAR(c->holdout_amount[0], 26.48, 1e-15);
    rt_cbs_free(c);
}

/* Days and months scale the same day differences: customer 1's t_x is 213 days, T 272. */
static void units_day_and_month_scale_the_day_counts(void)
{
    rt_cbs *d = cdnow_cbs(RT_UNIT_DAY), *m = cdnow_cbs(RT_UNIT_MONTH);
    CHECK(d && m);
    if (d && m) {
        CHECK(d->t_x[0] == 213 && d->T[0] == 272 && d->holdout_length == 273);
        /* A month is 365.25 / 12 = 30.4375 days, exactly representable: 213 / 30.4375 is one
         * rounding, 213 * 12 / 365.25 two; 4 ulps (1e-15) covers both. */
        CHECK(RT_UNIT_MONTH == 30.4375);
        CHECK_NEAR(m->t_x[0], 213 * 12 / 365.25, 1e-15);
        CHECK_NEAR(m->T[0], 272 * 12 / 365.25, 1e-15);
        CHECK_NEAR(m->holdout_length, 273 * 12 / 365.25, 1e-15);
        CHECK(m->unit_days == RT_UNIT_MONTH);
        /* Counts and amounts do not depend on the unit. */
        int same = 1;
        for (size_t i = 0; i < d->n; i++)
            same &= d->x[i] == m->x[i] && d->x_star[i] == m->x_star[i] && d->mbar[i] == m->mbar[i];
        CHECK(same);
    }
    rt_cbs_free(d);
    rt_cbs_free(m);
    double u = 0;
    CHECK(rt_unit_parse("day", &u) == 0 && u == 1);
    CHECK(rt_unit_parse("week", &u) == 0 && u == 7);
    CHECK(rt_unit_parse("month", &u) == 0 && u == 30.4375);
    CHECK(rt_unit_parse("weeks", &u) == -1 && rt_unit_parse(NULL, &u) == -1);
    CHECK_STREQ(rt_unit_name(7), "week");
    CHECK_STREQ(rt_unit_name(RT_UNIT_MONTH), "month");
    CHECK(rt_unit_name(14) == NULL);
}

/* ---- a hand-made log ---- */

static rt_events *load_text(const char *name, const char *text)
{
    rt_load_options o = {0};
    o.threads = 1;
    rt_events *ev = NULL;
    rt_error err;
    if (rt_events_read(write_text(name, text), &o, &ev, &err) != RT_OK)
        fprintf(stderr, "  %s\n", err.msg);
    return ev;
}

static const char hand_log[] = "customer_id,date,amount\n"
                               "a,2024-01-01,10\n"
                               "a,2024-01-01,5\n"  /* same day: one purchase of 15 */
                               "a,2024-01-08,20\n" /* repeat 1 */
                               "a,2024-01-15,30\n" /* repeat 2 */
                               "b,2024-02-05,40\n" /* first seen after the end: excluded */
                               "a,2024-02-10,7\n"
                               "a,2024-02-10,3\n" /* holdout: one purchase of 10 */
                               "c,2024-01-31,8\n" /* on the end day: calibration, T = 0 */
                               "d,2024-01-10,4\n"
                               "d,2024-02-01,6\n"  /* the day after the end: holdout */
                               "d,2024-02-29,1\n"; /* the last day of the data */

static void hand_log_holdout_and_exclusions(void)
{
    rt_events *ev = load_text("hand.csv", hand_log);
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_cbs_options o = {
        .unit_days = RT_UNIT_DAY, .has_calibration_end = 1, .calibration_end = ymd(2024, 1, 31)};
    rt_cbs *c = NULL;
    rt_error err;
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_OK);
    rt_events_free(ev);
    if (!c)
        return;
    CHECK(c->n == 3 && c->excluded == 1);
    CHECK(c->holdout_length == 29); /* 2024-02-01..02-29 */
    CHECK(c->data_end == ymd(2024, 2, 29));
    if (c->n == 3) {
        CHECK_STREQ(c->id[0], "a");
        CHECK(c->x[0] == 2 && c->t_x[0] == 14 && c->T[0] == 30);
        CHECK(c->mbar[0] == 25 && c->x_star[0] == 1 && c->holdout_amount[0] == 10);
        CHECK_STREQ(c->id[1], "c");
        CHECK(c->x[1] == 0 && c->t_x[1] == 0 && c->T[1] == 0 && c->x_star[1] == 0);
        CHECK_STREQ(c->id[2], "d");
        CHECK(c->x[2] == 0 && c->T[2] == 21 && c->x_star[2] == 2 && c->holdout_amount[2] == 7);
        CHECK(c->first_day[2] == ymd(2024, 1, 10));
    }
    /* The result: columns and fields as documented. */
    rt_result *r = NULL;
    CHECK(rt_cbs_result(c, &r, &err) == RT_OK);
    if (r) {
        CHECK_STREQ(rt_result_kind(r), "rfm-summary");
        long t = rt_result_main_table(r);
        CHECK(t == 0);
        static const char *const cols[] = {
            "customer_id",    "frequency",         "recency",          "T",
            "monetary_value", "holdout_frequency", "holdout_monetary", "first_purchase"};
        CHECK(rt_result_table_cols(r, 0) == 8);
        for (size_t k = 0; k < 8 && rt_result_table_cols(r, 0) == 8; k++)
            CHECK_STREQ(rt_result_table_col_name(r, 0, k), cols[k]);
        CHECK(rt_result_table_rows(r, 0) == 3);
        int found;
        CHECK_STREQ(rt_result_get(r, "unit", &found).s, "day");
        CHECK(rt_result_get(r, "calibration_end", &found).i == ymd(2024, 1, 31));
        CHECK(rt_result_get(r, "holdout_length", &found).d == 29);
        CHECK(rt_result_get(r, "customers", &found).i == 3);
        CHECK(rt_result_get(r, "excluded", &found).i == 1);
        CHECK(rt_result_get(r, "repeat_purchases", &found).d == 2);
        CHECK(rt_result_get(r, "holdout_purchases", &found).d == 3);
        rt_result_free(r);
    }
    rt_cbs_free(c);
}

static void calibration_end_rules(void)
{
    rt_events *ev = load_text("hand2.csv", hand_log);
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_cbs *c = NULL;
    rt_error err;
    /* No calibration end: the data's last day, no holdout. */
    CHECK(rt_cbs_from_events(ev, NULL, &c, &err) == RT_OK);
    if (c) {
        CHECK(c->n == 4 && c->excluded == 0 && !c->x_star && !c->holdout_amount);
        CHECK(c->holdout_length == 0 && c->calibration_end == ymd(2024, 2, 29));
        CHECK(c->unit_days == 7);
        CHECK_NEAR(c->T[0], 59.0 / 7, 1e-15); /* 2024-01-01..02-29 */
    }
    rt_cbs_free(c);
    /* After the last day: allowed, T runs to it, no holdout. */
    rt_cbs_options o = {
        .unit_days = 1, .has_calibration_end = 1, .calibration_end = ymd(2024, 12, 31)};
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_OK);
    if (c) {
        CHECK(!c->x_star && c->holdout_length == 0);
        CHECK(c->T[0] == 365 && c->x[0] == 3 && c->t_x[0] == 40);
    }
    rt_cbs_free(c);
    /* Before the first event: an error naming both days. */
    o.calibration_end = ymd(2023, 12, 31);
    c = (rt_cbs *)&o;
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_EDOMAIN);
    CHECK(c == NULL);
    char want[300];
    snprintf(want, sizeof want,
             "%s: the calibration end 2023-12-31 is before the first event (2024-01-01)",
             tmp_path("hand2.csv"));
    CHECK_STREQ(err.msg, want);
    /* On the first day: one customer, T = 0. */
    o.calibration_end = ymd(2024, 1, 1);
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_OK);
    CHECK(c && c->n == 1 && c->T[0] == 0 && c->excluded == 3);
    rt_cbs_free(c);
    /* Bad units. */
    o.unit_days = -1;
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_EMISUSE);
    o.unit_days = (double)NAN;
    CHECK(rt_cbs_from_events(ev, &o, &c, &err) == RT_EMISUSE);
    CHECK(rt_cbs_from_events(NULL, &o, &c, &err) == RT_EMISUSE);
    rt_events_free(ev);
}

static void log_without_amounts_has_no_spend_columns(void)
{
    rt_events *ev = load_text("noamt.csv", "customer_id,date\n"
                                           "a,2024-01-01\n"
                                           "a,2024-01-05\n"
                                           "a,2024-01-05\n"
                                           "a,2024-03-01\n");
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_cbs_options o = {
        .unit_days = 1, .has_calibration_end = 1, .calibration_end = ymd(2024, 1, 31)};
    rt_cbs *c = NULL;
    CHECK(rt_cbs_from_events(ev, &o, &c, NULL) == RT_OK);
    rt_events_free(ev);
    if (c) {
        CHECK(!c->mbar && !c->holdout_amount && c->x_star);
        CHECK(c->x[0] == 1 && c->t_x[0] == 4 && c->x_star[0] == 1);
        rt_result *r = NULL;
        CHECK(rt_cbs_result(c, &r, NULL) == RT_OK);
        if (r) {
            CHECK(rt_result_table_cols(r, 0) == 6); /* id, x, t_x, T, x*, first purchase */
            CHECK_STREQ(rt_result_table_col_name(r, 0, 4), "holdout_frequency");
        }
        rt_result_free(r);
    }
    rt_cbs_free(c);
}

/* ---- (b) reading summary files ---- */

static rt_cbs *read_cbs(const char *path, const rt_cbs_read_options *o)
{
    rt_cbs *c = NULL;
    rt_error err;
    if (rt_cbs_read(path, o, &c, &err) != RT_OK)
        fprintf(stderr, "  %s\n", err.msg);
    return c;
}

static double sum(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; v && i < n; i++)
        s += v[i];
    return s;
}

static double wsum(const double *v, const double *w, size_t n)
{
    double s = 0;
    for (size_t i = 0; v && w && i < n; i++)
        s += v[i] * w[i];
    return s;
}

static void reads_btyd_cbs_exactly(void)
{
    static ref_row ref[CDNOW_N];
    CHECK(read_btyd_cbs(ref) == CDNOW_N);
    rt_cbs_read_options o = {.unit_days = 7, .holdout_length = 39};
    rt_cbs *c = read_cbs(DATA "cdnowSummary_cbs.csv", &o);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(c->n == CDNOW_N && c->id && c->mbar && c->x_star && !c->w && !c->holdout_amount);
    CHECK(!c->first_day && c->unit_days == 7 && c->holdout_length == 39);
    int same = 1;
    for (size_t i = 0; i < c->n; i++) {
        const ref_row *e = &ref[i]; /* the file lists cust 1..2357 in order */
        same &= atoi(c->id[i]) == (int)i + 1 && c->x[i] == e->x && c->t_x[i] == e->t_x &&
                c->T[i] == e->T && c->x_star[i] == e->x_star && c->mbar[i] == e->m_x;
    }
    CHECK(same); /* strtod and our parser give the same correctly rounded doubles */
    CHECK(sum(c->x, c->n) == 2457 && sum(c->x_star, c->n) == 1882);
    rt_cbs_free(c);
}

static void reads_lifetimes_summaries(void)
{
    rt_cbs *c = read_cbs(DATA "cdnow_customers_summary.csv", NULL);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->n == CDNOW_N && c->id && !c->mbar && !c->x_star && !c->w);
        CHECK(c->unit_days == 0 && c->holdout_length == 0);
        CHECK(sum(c->x, c->n) == 2457);
        /* First line: 1,2,30.43,38.86 */
        CHECK_STREQ(c->id[0], "1");
        CHECK(c->x[0] == 2 && c->t_x[0] == 30.43 && c->T[0] == 38.86);
    }
    rt_cbs_free(c);
    c = read_cbs(DATA "cdnow_customers_summary_with_transactions.csv", NULL);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->n == CDNOW_N && c->mbar); /* no trailing newline: the last row counts */
        CHECK(sum(c->x, c->n) == 2457);
        size_t buyers = 0;
        for (size_t i = 0; i < c->n; i++)
            buyers += c->x[i] > 0;
        CHECK(buyers == 946); /* README: the Gamma-Gamma fitting set */
        CHECK(c->mbar[0] == 22.35 && c->t_x[1] == 1.71);
        CHECK_STREQ(c->id[c->n - 1], "2357");
    }
    rt_cbs_free(c);
}

static void reads_donation_patterns_with_weights(void)
{
    rt_cbs *c = read_cbs(DATA "donations.csv", NULL);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->n == 22 && !c->id && c->w && !c->x_star && !c->mbar);
        CHECK(sum(c->w, c->n) == 11104);
        CHECK(c->x[0] == 0 && c->t_x[0] == 0 && c->T[0] == 6 && c->w[0] == 3464);
        CHECK(c->x[21] == 6 && c->t_x[21] == 6 && c->w[21] == 1203);
        /* Repeat donations 1996-2001: sum of x times the donors of each pattern. */
        CHECK(wsum(c->x, c->w, c->n) ==
              1 * (1091 + 277 + 129 + 78 + 119 + 129) + 2 * (613 + 255 + 155 + 173 + 234) +
                  3 * (322 + 181 + 225 + 357) + 4 * (240 + 284 + 512) + 5 * (335 + 728) + 6 * 1203);
    }
    rt_cbs_free(c);
    c = read_cbs(DATA "donationsSummary_rf_matrix.csv", NULL);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->n == 22 && !c->id && c->w && c->x_star);
        CHECK(sum(c->w, c->n) == 11104);
        CHECK(sum(c->x_star, c->n) == 13260); /* README: group totals */
        CHECK(c->x[0] == 6 && c->w[0] == 1203 && c->x_star[0] == 4252);
        CHECK(c->T[21] == 6 && c->x_star[21] == 604);
    }
    rt_cbs_free(c);
}

/* ---- (c) round trip ---- */

/* Write 'c' as `retain rfm-summary` CSV to 'name' and read it back. */
static rt_cbs *round_trip(const rt_cbs *c, const char *name)
{
    rt_result *r = NULL;
    if (rt_cbs_result(c, &r, NULL) != RT_OK)
        return NULL;
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "w");
    int ok = f && rt_result_write(r, f, RT_FORMAT_CSV, NULL) == RT_OK;
    if (f)
        ok &= fclose(f) == 0;
    rt_result_free(r);
    rt_cbs_read_options o = {.unit_days = c->unit_days, .holdout_length = c->holdout_length};
    return ok ? read_cbs(path, &o) : NULL;
}

static int same_column(const double *a, const double *b, size_t n)
{
    if (!a || !b)
        return a == b;
    return memcmp(a, b, n * sizeof *a) == 0;
}

static void csv_round_trip_is_bit_for_bit(void)
{
    rt_cbs *c = cdnow_cbs(RT_UNIT_MONTH); /* months: times with long binary fractions */
    CHECK(c != NULL);
    if (!c)
        return;
    rt_cbs *b = round_trip(c, "rt.csv");
    CHECK(b != NULL);
    if (b) {
        CHECK(b->n == c->n);
        CHECK(same_column(b->x, c->x, c->n) && same_column(b->t_x, c->t_x, c->n));
        CHECK(same_column(b->T, c->T, c->n) && same_column(b->mbar, c->mbar, c->n));
        CHECK(same_column(b->x_star, c->x_star, c->n));
        CHECK(same_column(b->holdout_amount, c->holdout_amount, c->n));
        CHECK(!b->w && !b->first_day);
        CHECK(b->unit_days == c->unit_days && b->holdout_length == c->holdout_length);
        int ids = 1;
        for (size_t i = 0; i < c->n; i++)
            ids &= strcmp(b->id[i], c->id[i]) == 0;
        CHECK(ids);
    }
    rt_cbs_free(b);
    rt_cbs_free(c);
    /* Weighted patterns without ids keep their weights. */
    c = read_cbs(DATA "donationsSummary_rf_matrix.csv", NULL);
    b = c ? round_trip(c, "rt2.csv") : NULL;
    CHECK(b != NULL);
    if (b) {
        CHECK(b->n == c->n && !b->id && same_column(b->w, c->w, c->n));
        CHECK(same_column(b->x, c->x, c->n) && same_column(b->x_star, c->x_star, c->n));
    }
    rt_cbs_free(b);
    rt_cbs_free(c);
}

/* ---- (d) errors ---- */

/* Read 'text' as file 'name'; returns the status and leaves the message in 'err'. */
static rt_status read_text(const char *name, const char *text, const rt_cbs_read_options *o,
                           rt_error *err)
{
    rt_cbs *c = (rt_cbs *)err; /* must come back NULL */
    rt_status st = rt_cbs_read(write_text(name, text), o, &c, err);
    if (st != RT_OK)
        CHECK(c == NULL);
    rt_cbs_free(c);
    return st;
}

static void read_errors_point_at_the_input(void)
{
    rt_error err;
    rt_cbs_read_options o = {.name = "s.csv"};
    CHECK(read_text("e1.csv", "customer_id,frequency,recency,T\na,1,2,3\nb,1,x,3\n", &o, &err) ==
          RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:3:5: column 'recency': expected a number, got \"x\"");
    CHECK(err.line == 3 && err.column == 5);
    CHECK(read_text("e2.csv", "id,x,t_x,T\na,1.5,1,3\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:3: column 'x': expected a whole number >= 0, got \"1.5\"");
    CHECK(read_text("e3.csv", "id,x,t_x,T\na,-1,0,3\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:3: column 'x': expected a whole number >= 0, got \"-1\"");
    CHECK(read_text("e4.csv", "id,x,t_x,T\na,1,4,3.5\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:5: column 't_x': expected a number from 0 to T = 3.5, got \"4\"");
    CHECK(read_text("e5.csv", "id,x,t_x,T\na,0,1,3\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:5: column 't_x': expected 0 when the frequency is 0, got \"1\"");
    CHECK(read_text("e6.csv", "x,t.x,n.cal,custs\n1,1,6,5\n0,0,6,-2\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:3:7: column 'custs': expected a number >= 0, got \"-2\"");
    CHECK(read_text("e7.csv", "id,x,t_x,T\na,1,1,-3\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:7: column 'T': expected a number >= 0, got \"-3\"");
    CHECK(read_text("e8.csv", "id,x,t_x,T\n\"\",1,1,3\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:1: column 'id': expected a customer id, got \"\"");
    CHECK(read_text("e9.csv", "id,x,t_x,T\na,1,1\n", &o, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2: expected 4 fields (as in the header), found 3");
    CHECK(read_text("e10.csv", "ID,frequency,recency\n1,0,0\n", &o, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: no T column (looked for T, T.cal, T_cal, n.cal, n_cal, periods, "
                         "n); the columns are: ID, frequency, recency");
    o.x_col = "purchases";
    CHECK(read_text("e11.csv", "ID,frequency,recency,T\n1,0,0,1\n", &o, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg,
                "s.csv: column 'purchases' (frequency) not found; the columns are: ID, frequency, "
                "recency, T");
    o.x_col = NULL;
    CHECK(read_text("e12.csv", "ID,frequency,recency,T,holdout_monetary\n1,0,0,1,3\n", &o, &err) ==
          RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: column 'holdout_monetary' (holdout monetary value) needs a "
                         "holdout frequency column (holdout_frequency or x.star)");
    CHECK(read_text("e13.csv", "ID,frequency,recency,T\n", &o, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: no data rows after the header");
    CHECK(read_text("e14.csv", "\n\n", &o, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: empty input: no header line");
    o.x_col = "";
    CHECK(read_text("e15.csv", "id,x,t_x,T\na,1,1,3\n", &o, &err) == RT_EMISUSE);
    o.x_col = NULL;
    /* A nonexistent file names the path. */
    rt_cbs *c = NULL;
    CHECK(rt_cbs_read(DATA "no-such-summary.csv", NULL, &c, &err) == RT_EIO && c == NULL);
    CHECK(strstr(err.msg, "no-such-summary.csv") != NULL);
}

static void read_options_name_and_skip_columns(void)
{
    rt_error err;
    /* Explicit names override recognition; "" leaves an optional column out; quoted fields,
     * CRLF and a byte-order mark are read as anywhere else. */
    const char *text = "\xEF\xBB\xBF"
                       "who,n_buys,last,age,monetary_value\r\n"
                       "\"x,1\",2,1.5,3,10\r\n"
                       "y,0,0,2,0\r\n";
    rt_cbs_read_options o = {
        .id_col = "who", .x_col = "n_buys", .t_x_col = "last", .T_col = "AGE", .mbar_col = ""};
    rt_cbs *c = NULL;
    CHECK(rt_cbs_read(write_text("opt.csv", text), &o, &c, &err) == RT_OK);
    if (c) {
        CHECK(c->n == 2 && !c->mbar && c->id);
        CHECK_STREQ(c->id[0], "x,1");
        CHECK(c->x[0] == 2 && c->t_x[0] == 1.5 && c->T[0] == 3 && c->T[1] == 2);
    }
    rt_cbs_free(c);
    /* Recognition is case-insensitive and skips a column already taken. */
    c = NULL;
    CHECK(rt_cbs_read(write_text("case.csv", "CUST,X,T.X,t.cal,M.X\n1,1,1,2,5\n"), NULL, &c,
                      &err) == RT_OK);
    if (c)
        CHECK(c->n == 1 && c->mbar && c->mbar[0] == 5 && c->T[0] == 2 && c->t_x[0] == 1);
    rt_cbs_free(c);
}

int main(void)
{
    TEST(cdnow_from_events_equals_btyd_and_lifetimes);
    TEST(units_day_and_month_scale_the_day_counts);
    TEST(hand_log_holdout_and_exclusions);
    TEST(calibration_end_rules);
    TEST(log_without_amounts_has_no_spend_columns);
    TEST(reads_btyd_cbs_exactly);
    TEST(reads_lifetimes_summaries);
    TEST(reads_donation_patterns_with_weights);
    TEST(csv_round_trip_is_bit_for_bit);
    TEST(read_errors_point_at_the_input);
    TEST(read_options_name_and_skip_columns);
    remove_files();
    return test_report();
}
