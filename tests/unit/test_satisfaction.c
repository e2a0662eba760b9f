/* test_satisfaction.c - rt_satisfaction_run and its statistics (src/metrics/assoc.c).
 *  - The statistics on their own: Wilson intervals against Newcombe (1998), Spearman's rho
 *    with ties against ranks worked out by hand, least-squares slopes against the raw-sum
 *    formulas.
 *  - A hand-made log and customer table holding every kind of row (no score, no survey date,
 *    no events, first purchase after the survey, censored, eligible; customers without a
 *    row), with every expected number worked out in the comments: levels, lift, Wilson,
 *    Spearman, spend per point, segments, intent and NPS.
 *  - Bad input: missing columns, non-numeric and out-of-range scores, bad dates and intents,
 *    no eligible customer, contradictory options.
 *  - A simulated log (rt_simulate, where satisfaction falls with the dropout probability p)
 *    with a customer table built from it: every number of the result against a brute force
 *    over the raw CSV rows (not the library's event table), for 1 and 3 threads; then the
 *    size of the simulated effect: the mean p per satisfaction level against its exact value
 *    by quadrature, and the retained count per level against the expectation from each
 *    customer's true lambda and dropout date.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "metrics/assoc.h"
#include "quad.h"
#include "retain.h"
#include "tmpfiles.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- result access ---- */

static double field(const rt_result *r, const char *name)
{
    int found = 0;
    rt_value v = rt_result_get(r, name, &found);
    if (!found) {
        fprintf(stderr, "no field '%s'\n", name);
        return (double)NAN;
    }
    if (v.type == RT_VAL_INT || v.type == RT_VAL_DATE)
        return (double)v.i;
    return v.type == RT_VAL_DOUBLE ? v.d : (double)NAN; /* null as NaN */
}

static int is_null(const rt_result *r, const char *name)
{
    int found = 0;
    rt_value v = rt_result_get(r, name, &found);
    return found && v.type == RT_VAL_NULL;
}

static long table(const rt_result *r, const char *name)
{
    for (size_t t = 0; t < rt_result_table_count(r); t++)
        if (strcmp(rt_result_table_name(r, t), name) == 0)
            return (long)t;
    return -1;
}

/* Cell (row, column 'col') of table 't' as a double: NaN for null, strings as NaN. */
static double cell(const rt_result *r, long t, size_t row, const char *col)
{
    if (t < 0 || row >= rt_result_table_rows(r, (size_t)t))
        return -1e300;
    for (size_t c = 0; c < rt_result_table_cols(r, (size_t)t); c++)
        if (strcmp(rt_result_table_col_name(r, (size_t)t, c), col) == 0) {
            rt_value v = rt_result_table_cell(r, (size_t)t, row, c);
            if (v.type == RT_VAL_INT)
                return (double)v.i;
            return v.type == RT_VAL_DOUBLE ? v.d : (double)NAN;
        }
    fprintf(stderr, "no column '%s'\n", col);
    return -1e300;
}

static const char *cell_str(const rt_result *r, long t, size_t row, size_t c)
{
    if (t < 0 || row >= rt_result_table_rows(r, (size_t)t))
        return NULL;
    rt_value v = rt_result_table_cell(r, (size_t)t, row, c);
    return v.type == RT_VAL_STRING ? v.s : NULL;
}

/* Wilson's interval written out as in Newcombe (1998), eq. for method 3:
 * (2np + z^2 -+ z sqrt(z^2 + 4np(1-p))) / (2(n + z^2)). */
static void wilson_ref(double k, double n, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double p = k / n, root = z * sqrt(z * z + 4.0 * n * p * (1.0 - p));
    *lo = (2.0 * n * p + z * z - root) / (2.0 * (n + z * z));
    *hi = (2.0 * n * p + z * z + root) / (2.0 * (n + z * z));
}

/* Pearson's correlation by raw sums in long double (a different formula from the library's
 * centred, compensated sums). */
static double pearson_ref(const double *x, const double *y, size_t n)
{
    long double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        long double xi = (long double)x[i], yi = (long double)y[i];
        sx += xi;
        sy += yi;
        sxx += xi * xi;
        syy += yi * yi;
        sxy += xi * yi;
    }
    long double ln = (long double)n;
    return (double)((sxy - sx * sy / ln) / sqrtl((sxx - sx * sx / ln) * (syy - sy * sy / ln)));
}

/* ---- the statistics on their own ---- */

static void wilson_matches_newcombe(void)
{
    /* Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3 (score
     * interval without continuity correction), printed to 4 decimals: so tolerance 5e-5. */
    static const double cases[][4] = {{81, 263, 0.2553, 0.3662},
                                      {15, 148, 0.0624, 0.1605},
                                      {0, 20, 0.0000, 0.1611},
                                      {1, 29, 0.0061, 0.1718}};
    for (size_t i = 0; i < 4; i++) {
        double lo, hi, rlo, rhi;
        rt_wilson(cases[i][0], cases[i][1], &lo, &hi);
        CHECK(fabs(lo - cases[i][2]) <= 5e-5);
        CHECK(fabs(hi - cases[i][3]) <= 5e-5);
        /* and the formula written out differently: same numbers to rounding (1e-13) */
        wilson_ref(cases[i][0], cases[i][1], &rlo, &rhi);
        CHECK(fabs(lo - rlo) <= 1e-13);
        CHECK_NEAR(hi, rhi, 1e-13);
    }
    double lo, hi;
    rt_wilson(5, 5, &lo, &hi); /* k = n: upper bound exactly 1 */
    CHECK(hi == 1.0);
    CHECK_NEAR(lo, 1.0 / (1.0 + 1.959963984540054 * 1.959963984540054 / 5.0), 1e-14);
    rt_wilson(0, 0, &lo, &hi);
    CHECK(isnan(lo) && isnan(hi));
}

static void spearman_uses_average_ranks(void)
{
    /* x = 1 2 2 3 5 5 4 -> ranks 1 2.5 2.5 4 6.5 6.5 5 (the two 2s share positions 2-3, the
     * two 5s 6-7); y = 1 1 0 3 2 2 0 -> ranks 3.5 3.5 1.5 7 5.5 5.5 1.5. Deviations from the
     * mean rank 4: dx = -3 -1.5 -1.5 0 2.5 2.5 1, dy = -.5 -.5 -2.5 3 1.5 1.5 -2.5; Sxy = 11,
     * Sxx = 27, Syy = 26.5, so rho = 11 / sqrt(27 * 26.5) (R's cor(method = "spearman")
     * gives 0.41123291300083248 too). */
    const double x[] = {1, 2, 2, 3, 5, 5, 4}, y[] = {1, 1, 0, 3, 2, 2, 0};
    const double rx[] = {1, 2.5, 2.5, 4, 6.5, 6.5, 5}, ry[] = {3.5, 3.5, 1.5, 7, 5.5, 5.5, 1.5};
    double got[7];
    CHECK(rt_avg_ranks(x, 7, got) == 0);
    for (int i = 0; i < 7; i++)
        CHECK(got[i] == rx[i]); /* halves are exact */
    CHECK(rt_avg_ranks(y, 7, got) == 0);
    for (int i = 0; i < 7; i++)
        CHECK(got[i] == ry[i]);
    rt_corr c;
    CHECK(rt_spearman(x, y, 7, &c) == 0);
    double rho = 11.0 / sqrt(27.0 * 26.5);
    CHECK_NEAR(c.r, rho, 1e-14); /* a few roundings of small exact sums */
    /* Bonett & Wright (2000): se = sqrt((1 + r^2 / 2) / (n - 3)) on the atanh scale */
    double se = sqrt((1.0 + rho * rho / 2.0) / 4.0);
    double z = 0.5 * log((1.0 + rho) / (1.0 - rho));
    CHECK_NEAR(c.lo, tanh(z - 1.959963984540054 * se), 1e-13);
    CHECK_NEAR(c.hi, tanh(z + 1.959963984540054 * se), 1e-13);
    /* constant y: undefined; three points: no interval; perfect order: 1 */
    const double k[] = {2, 2, 2, 2, 2, 2, 2};
    CHECK(rt_spearman(x, k, 7, &c) == 0 && isnan(c.r) && isnan(c.lo));
    CHECK(rt_spearman(x, y, 3, &c) == 0 && !isnan(c.r) && isnan(c.lo) && isnan(c.hi));
    CHECK(rt_spearman(rx, rx, 7, &c) == 0 && c.r == 1.0);
}

static void ols_slope_matches_raw_sums(void)
{
    /* x = 1 2 2 3 5 5 4, y = 10 25 0 30 100 30 0: Sxy = 800 - 22 * 195 / 7 = 1310/7, Sxx =
     * 84 - 22^2/7 = 104/7, Syy = 12525 - 195^2/7 = 49650/7; slope = 1310/104, RSS = Syy -
     * Sxy^2/Sxx, se = sqrt(RSS / 5 / Sxx) (R's lm: 12.5961538461538, se 7.98424391458414). */
    const double x[] = {1, 2, 2, 3, 5, 5, 4}, y[] = {10, 25, 0, 30, 100, 30, 0};
    double b, se;
    rt_ols_slope(x, y, 7, &b, &se);
    double sxy = 1310.0 / 7, sxx = 104.0 / 7, syy = 49650.0 / 7;
    CHECK_NEAR(b, sxy / sxx, 1e-13);
    CHECK_NEAR(se, sqrt((syy - sxy * sxy / sxx) / 5.0 / sxx), 1e-12); /* RSS cancels ~1 digit */
    rt_ols_slope(x, y, 2, &b, &se);
    CHECK(isnan(b) && isnan(se));
    const double k[] = {3, 3, 3};
    rt_ols_slope(k, y, 3, &b, &se);
    CHECK(isnan(b) && isnan(se));
}

/* ---- the hand-made case ---- */

/* Survey 2024-06-30, horizon 30: the window is (06-30, 07-30]; Z's event makes 08-31 the
 * data's last day, so surveys up to 08-01 are observed for the whole horizon.
 *   A: one window day (07-20, 10.00)                     score 1  north  no
 *   B: 07-10 twice = one day, 25.00                       score 2  north  yes
 *   C: 06-30 (the survey day: not after it), 07-31 (past) score 2  south  yes
 *   D: 07-01, 07-15, 07-30 (the window's last day), 30.00 score 3  south  Yes
 *   E: 07-05, 07-06, 100.00                               score 5  north  y
 *   F: first purchase on the survey day; 07-02, 07-20, 30 score 5  south  false
 *   L: nothing in the window (08-01 is past it)           score 4  north  (empty)
 *   G: no score; H: no events; I: first purchase 07-01 (after the survey); J: surveyed 08-15
 *   (08-15 + 30 > 08-31: censored); K: no survey date; Z: events but no row. */
static const char small_events[] = "customer_id,date,amount\n"
                                   "A,2024-06-01,4.00\n"
                                   "A,2024-07-20,10.00\n"
                                   "B,2024-05-01,5.00\n"
                                   "B,2024-07-10,20.00\n"
                                   "B,2024-07-10,5.00\n"
                                   "C,2024-06-30,7.00\n"
                                   "C,2024-07-31,9.00\n"
                                   "D,2024-06-15,1.00\n"
                                   "D,2024-07-01,10.00\n"
                                   "D,2024-07-15,10.00\n"
                                   "D,2024-07-30,10.00\n"
                                   "E,2024-01-01,3.00\n"
                                   "E,2024-07-05,40.00\n"
                                   "E,2024-07-06,60.00\n"
                                   "F,2024-06-30,8.00\n"
                                   "F,2024-07-02,15.00\n"
                                   "F,2024-07-20,15.00\n"
                                   "L,2024-03-03,12.00\n"
                                   "L,2024-08-01,50.00\n"
                                   "G,2024-02-02,5.00\n"
                                   "I,2024-07-01,6.00\n"
                                   "J,2024-03-01,5.00\n"
                                   "J,2024-08-20,5.00\n"
                                   "K,2024-02-02,5.00\n"
                                   "Z,2024-08-31,1.00\n";

static const char small_customers[] = "customer_id,score,survey_date,region,intent,nps\n"
                                      "A,1,2024-06-30,north,no,0\n"
                                      "B,2,2024-06-30,north,yes,6\n"
                                      "C,2,2024-06-30,south,yes,7\n"
                                      "D,3,2024-06-30,south,Yes,8\n"
                                      "E,5,2024-06-30,north,y,9\n"
                                      "F,5,2024-06-30,south,false,10\n"
                                      "L,4,2024-06-30,north,,10\n"
                                      "G,,2024-06-30,north,1,\n"
                                      "H,4,2024-06-30,south,0,5\n"
                                      "I,4,2024-06-30,south,1,5\n"
                                      "J,3,2024-08-15,north,1,5\n"
                                      "K,1,,south,0,5\n";

static rt_events *load(const char *path)
{
    rt_error err;
    rt_events *ev = NULL;
    if (rt_events_read(path, NULL, &ev, &err) != RT_OK)
        fprintf(stderr, "load %s: %s\n", path, err.msg);
    return ev;
}

static rt_attrs *load_attrs(const char *path)
{
    rt_error err;
    rt_attrs *a = NULL;
    if (rt_attrs_read(path, NULL, &a, &err) != RT_OK)
        fprintf(stderr, "attrs %s: %s\n", path, err.msg);
    return a;
}

/* Check one level row: 'k' customers of which 'ret' retained, mean future purchases and
 * spend, and lift (NaN = null). Counts and means are exact small ratios (1e-15). */
static void check_level(const rt_result *r, long t, size_t row, double level, double k, double ret,
                        double fut, double spend, double lift, int has_seg)
{
    (void)has_seg; /* the segment column is found by name like the others */
    CHECK(cell(r, t, row, "score") == level);
    CHECK(cell(r, t, row, "customers") == k);
    CHECK(cell(r, t, row, "retained") == ret);
    CHECK_NEAR(cell(r, t, row, "retention"), ret / k, 1e-15);
    double lo, hi;
    wilson_ref(ret, k, &lo, &hi);
    CHECK(fabs(cell(r, t, row, "retention_lo") - lo) <= 1e-14); /* lo may be 0 */
    CHECK_NEAR(cell(r, t, row, "retention_hi"), hi, 1e-14);
    CHECK_NEAR(cell(r, t, row, "mean_future_purchases"), fut, 1e-15);
    CHECK_NEAR(cell(r, t, row, "mean_future_spend"), spend, 1e-14);
    CHECK_NEAR(cell(r, t, row, "lift"), lift, 1e-15);
}

static void small_case_by_survey_column(void)
{
    const char *ep = write_text("small-events.csv", small_events);
    const char *cp = write_text("small-customers.csv", small_customers);
    rt_events *ev = load(ep);
    rt_attrs *a = load_attrs(cp);
    CHECK(ev && a);
    if (!ev || !a)
        return;
    rt_satisfaction_options o = {.attrs = a,
                                 .score_col = "score",
                                 .date_col = "survey_date",
                                 .horizon = 30,
                                 .by = "region",
                                 .intent_col = "intent",
                                 .threads = 2};
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_satisfaction_run(ev, &o, &r, &err) == RT_OK);
    if (!r) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    int32_t d;
    rt_date_parse("2024-08-31", &d);
    CHECK(field(r, "last_date") == d);
    CHECK(field(r, "latest_survey_date") == d - 30);
    CHECK(field(r, "horizon_days") == 30);
    CHECK(is_null(r, "survey_date"));
    CHECK(field(r, "customers") == 12);
    CHECK(field(r, "customers_without_row") == 1); /* Z */
    CHECK(field(r, "rows") == 12);
    CHECK(field(r, "rows_without_score") == 1);          /* G */
    CHECK(field(r, "rows_without_survey_date") == 1);    /* K */
    CHECK(field(r, "rows_without_events") == 1);         /* H */
    CHECK(field(r, "first_purchase_after_survey") == 1); /* I */
    CHECK(field(r, "censored") == 1);                    /* J */
    CHECK(field(r, "eligible") == 7);
    CHECK(field(r, "retained") == 5);
    CHECK_NEAR(field(r, "retention"), 5.0 / 7, 1e-15);
    /* future purchase days 1 1 0 3 2 2 0 and spend 10 25 0 30 100 30 0 over A B C D E F L */
    CHECK_NEAR(field(r, "mean_future_purchases"), 9.0 / 7, 1e-15);
    CHECK_NEAR(field(r, "mean_future_spend"), 195.0 / 7, 1e-14);
    /* scores 1 2 2 3 5 5 4 against future days: the ranks of spearman_uses_average_ranks */
    double rho = 11.0 / sqrt(27.0 * 26.5), se = sqrt((1.0 + rho * rho / 2.0) / 4.0);
    double z = atanh(rho);
    CHECK_NEAR(field(r, "spearman"), rho, 1e-14);
    CHECK_NEAR(field(r, "spearman_lo"), tanh(z - 1.959963984540054 * se), 1e-13);
    CHECK_NEAR(field(r, "spearman_hi"), tanh(z + 1.959963984540054 * se), 1e-13);
    /* spend on score: see ols_slope_matches_raw_sums */
    double sxy = 1310.0 / 7, sxx = 104.0 / 7, syy = 49650.0 / 7;
    CHECK_NEAR(field(r, "spend_per_point"), sxy / sxx, 1e-13);
    CHECK_NEAR(field(r, "spend_per_point_se"), sqrt((syy - sxy * sxy / sxx) / 5 / sxx), 1e-12);
    /* retained 1 1 0 1 1 1 0: Sxy = 16 - 22 * 5 / 7 = 2/7, Syy = 5 - 25/7 = 10/7 */
    double rxy = 2.0 / 7, ryy = 10.0 / 7;
    CHECK_NEAR(field(r, "retention_per_point"), rxy / sxx, 1e-13);
    CHECK_NEAR(field(r, "retention_per_point_se"), sqrt((ryy - rxy * rxy / sxx) / 5 / sxx), 1e-12);
    CHECK(is_null(r, "nps"));
    /* intent: yes = B C D E (bought 3), no = A F (bought 2), L missing; phi = (3*0 - 1*2) /
     * sqrt(4 * 2 * 5 * 1) */
    CHECK(field(r, "intent_customers") == 6);
    CHECK(field(r, "intent_missing") == 1);
    CHECK_NEAR(field(r, "intent_phi"), -2.0 / sqrt(40.0), 1e-15);
    long ti = table(r, "intent");
    CHECK(rt_result_table_rows(r, (size_t)ti) == 2);
    CHECK_STREQ(cell_str(r, ti, 0, 0), "yes");
    CHECK(cell(r, ti, 0, "customers") == 4 && cell(r, ti, 0, "bought") == 3 &&
          cell(r, ti, 0, "not_bought") == 1);
    CHECK_NEAR(cell(r, ti, 0, "bought_share"), 0.75, 1e-15);
    double lo, hi;
    wilson_ref(3, 4, &lo, &hi);
    CHECK_NEAR(cell(r, ti, 0, "bought_share_lo"), lo, 1e-14);
    CHECK_NEAR(cell(r, ti, 0, "bought_share_hi"), hi, 1e-14);
    CHECK_STREQ(cell_str(r, ti, 1, 0), "no");
    CHECK(cell(r, ti, 1, "customers") == 2 && cell(r, ti, 1, "bought") == 2);
    CHECK_NEAR(cell(r, ti, 1, "bought_share"), 1.0, 1e-15);

    /* levels: 1 {A}, 2 {B, C}, 3 {D}, 4 {L}, 5 {E, F}; lift against level 1 (retention 1) */
    long t = table(r, "levels");
    CHECK(rt_result_table_rows(r, (size_t)t) == 5);
    check_level(r, t, 0, 1, 1, 1, 1, 10, 1, 0);
    check_level(r, t, 1, 2, 2, 1, 0.5, 12.5, 0.5, 0);
    check_level(r, t, 2, 3, 1, 1, 3, 30, 1, 0);
    check_level(r, t, 3, 4, 1, 0, 0, 0, 0, 0);
    check_level(r, t, 4, 5, 2, 2, 2, 65, 1, 0);

    /* segments: north {A B E L} first (4 customers), south {C D F} */
    long ts = table(r, "segments");
    CHECK(rt_result_table_rows(r, (size_t)ts) == 2);
    CHECK_STREQ(cell_str(r, ts, 0, 0), "north");
    CHECK(cell(r, ts, 0, "customers") == 4 && cell(r, ts, 0, "retained") == 3);
    /* north: scores 1 2 5 4 -> ranks 1 2 4 3; days 1 1 2 0 -> ranks 2.5 2.5 4 1: Sxy = 1.5,
     * Sxx = 5, Syy = 4.5 */
    CHECK_NEAR(cell(r, ts, 0, "spearman"), 1.5 / sqrt(22.5), 1e-14);
    CHECK_STREQ(cell_str(r, ts, 1, 0), "south");
    /* south: scores 2 3 5, days 0 3 2: ranks 1 2 3 vs 1 3 2: rho = 0.5, no interval (n = 3) */
    CHECK_NEAR(cell(r, ts, 1, "spearman"), 0.5, 1e-14);
    CHECK(isnan(cell(r, ts, 1, "spearman_lo")));
    /* south spend 0 30 30 on 2 3 5: mx = 10/3, Sxx = 38/9 ... slope = Sxy / Sxx with
     * Sxy = (2*0 + 3*30 + 5*30) - 10 * 60 / 3 = 40 */
    CHECK_NEAR(cell(r, ts, 1, "spend_per_point"), 40.0 / (38.0 - 100.0 / 3), 1e-13);
    long tl = table(r, "segment_levels");
    CHECK(rt_result_main_table(r) == tl);
    CHECK(rt_result_table_rows(r, (size_t)tl) == 7);
    check_level(r, tl, 0, 1, 1, 1, 1, 10, 1, 1);  /* north A */
    check_level(r, tl, 1, 2, 1, 1, 1, 25, 1, 1);  /* north B */
    check_level(r, tl, 2, 4, 1, 0, 0, 0, 0, 1);   /* north L */
    check_level(r, tl, 3, 5, 1, 1, 2, 100, 1, 1); /* north E */
    /* south: the lowest level present (2, C) retained no one: lift is null */
    check_level(r, tl, 4, 2, 1, 0, 0, 0, (double)NAN, 1);
    check_level(r, tl, 5, 3, 1, 1, 3, 30, (double)NAN, 1);
    check_level(r, tl, 6, 5, 1, 1, 2, 30, (double)NAN, 1);
    CHECK_STREQ(cell_str(r, tl, 4, 0), "south");
    rt_result_free(r);

    /* One survey date for all: J (score 3, nothing in the window) and K (score 1, nothing)
     * become eligible; I still bought first after it. */
    o.date_col = NULL;
    o.has_as_of = 1;
    rt_date_parse("2024-06-30", &o.as_of);
    o.by = NULL;
    o.intent_col = NULL;
    CHECK(rt_satisfaction_run(ev, &o, &r, &err) == RT_OK);
    if (r) {
        CHECK(field(r, "survey_date") == o.as_of);
        CHECK(field(r, "eligible") == 9);
        CHECK(field(r, "retained") == 5);
        CHECK(field(r, "rows_without_survey_date") == 0);
        CHECK(field(r, "censored") == 0);
        CHECK(field(r, "first_purchase_after_survey") == 1);
        CHECK(is_null(r, "intent_phi") && is_null(r, "by"));
        t = table(r, "levels");
        /* level 1 = {A, K}: retention 1/2, so lift of level 3 {D, J} = (1/2) / (1/2) */
        check_level(r, t, 0, 1, 2, 1, 0.5, 5, 1, 0);
        check_level(r, t, 2, 3, 2, 1, 1.5, 15, 1, 0);
        CHECK(table(r, "segments") < 0 && table(r, "intent") < 0);
        CHECK(rt_result_main_table(r) == t);
        rt_result_free(r);
    }
    rt_attrs_free(a);
    rt_events_free(ev);
}

static void small_case_nps(void)
{
    rt_events *ev = load(tmp_path("small-events.csv"));
    rt_attrs *a = load_attrs(tmp_path("small-customers.csv"));
    if (!ev || !a) {
        CHECK(0);
        return;
    }
    rt_satisfaction_options o = {.attrs = a,
                                 .score_col = "nps",
                                 .kind = RT_SCORE_NPS,
                                 .date_col = "survey_date",
                                 .horizon = 30};
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_satisfaction_run(ev, &o, &r, &err) == RT_OK);
    if (!r)
        return;
    /* A 0, B 6 detractors; C 7, D 8 passives; E 9, F 10, L 10 promoters. G has no NPS score
     * (and no satisfaction score). NPS = 100 (3 - 2) / 7, Wald se = sqrt((5/7 - (1/7)^2) / 7) */
    CHECK(field(r, "eligible") == 7);
    CHECK_NEAR(field(r, "nps"), 100.0 / 7, 1e-14);
    double se = sqrt((5.0 / 7 - 1.0 / 49) / 7);
    CHECK_NEAR(field(r, "nps_lo"), 100.0 * (1.0 / 7 - 1.959963984540054 * se), 1e-13);
    CHECK_NEAR(field(r, "nps_hi"), 100.0 * (1.0 / 7 + 1.959963984540054 * se), 1e-13);
    long t = table(r, "levels");
    CHECK(rt_result_table_rows(r, (size_t)t) == 3);
    CHECK_STREQ(rt_result_table_col_name(r, (size_t)t, 0), "nps_group");
    CHECK_STREQ(cell_str(r, t, 0, 0), "detractor");
    CHECK_STREQ(cell_str(r, t, 1, 0), "passive");
    CHECK_STREQ(cell_str(r, t, 2, 0), "promoter");
    /* detractors A B: both retained, spend (10 + 25) / 2; passives C D: 1 of 2, (0 + 30) / 2;
     * promoters E F L: 2 of 3, days (2 + 2 + 0) / 3, spend 130 / 3; lift against 1 */
    CHECK(cell(r, t, 0, "customers") == 2 && cell(r, t, 0, "retained") == 2);
    CHECK_NEAR(cell(r, t, 0, "mean_future_spend"), 17.5, 1e-15);
    CHECK_NEAR(cell(r, t, 1, "lift"), 0.5, 1e-15);
    CHECK_NEAR(cell(r, t, 2, "lift"), 2.0 / 3, 1e-15);
    CHECK_NEAR(cell(r, t, 2, "mean_future_purchases"), 4.0 / 3, 1e-15);
    CHECK_NEAR(cell(r, t, 2, "mean_future_spend"), 130.0 / 3, 1e-14);
    /* Spearman on the raw 0-10 scores 0 6 7 8 9 10 10 (ranks 1 2 3 4 5 6.5 6.5) against
     * days 1 1 0 3 2 2 0 (ranks 3.5 3.5 1.5 7 5.5 5.5 1.5): Sxy = 4, Sxx = 27.5, Syy = 26.5
     * (R: 0.14817355731532719) */
    CHECK_NEAR(field(r, "spearman"), 4.0 / sqrt(27.5 * 26.5), 1e-14);
    rt_result_free(r);
    rt_attrs_free(a);
    rt_events_free(ev);
}

/* Six promoters and one detractor: NPS = 100 * 5/7 and the Wald bound 5/7 + 1.96 sqrt((1 -
 * 25/49) / 7) = 1.23 is cut to 100. */
static void nps_interval_stays_within_100(void)
{
    rt_events *ev = load(tmp_path("small-events.csv"));
    rt_attrs *a = load_attrs(write_text("nps-high.csv", "customer_id,nps\nA,10\nB,10\nC,9\n"
                                                        "D,10\nE,9\nF,10\nL,3\n"));
    if (!ev || !a) {
        CHECK(0);
        return;
    }
    rt_satisfaction_options o = {
        .attrs = a, .score_col = "nps", .kind = RT_SCORE_NPS, .has_as_of = 1, .horizon = 30};
    rt_date_parse("2024-06-30", &o.as_of);
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_satisfaction_run(ev, &o, &r, &err) == RT_OK);
    if (r) {
        CHECK_NEAR(field(r, "nps"), 500.0 / 7, 1e-14);
        double se = sqrt((1 - 25.0 / 49) / 7);
        CHECK_NEAR(field(r, "nps_lo"), 100 * (5.0 / 7 - 1.959963984540054 * se), 1e-13);
        CHECK(field(r, "nps_hi") == 100);
        long t = table(r, "levels");
        CHECK(rt_result_table_rows(r, (size_t)t) == 2); /* no passives: no row */
        CHECK_STREQ(cell_str(r, t, 0, 0), "detractor");
        CHECK_STREQ(cell_str(r, t, 1, 0), "promoter");
    }
    rt_result_free(r);
    rt_attrs_free(a);
    rt_events_free(ev);
}

/* ---- bad input ---- */

/* Run with 'o' on the small events and customer table 'text'; expect 'want' and a message
 * containing 'msg'. */
static void expect_error(const char *text, rt_satisfaction_options o, rt_status want,
                         const char *msg)
{
    rt_events *ev = load(tmp_path("small-events.csv"));
    rt_attrs *a = load_attrs(write_text("bad-customers.csv", text));
    if (!ev || !a) {
        CHECK(0);
        rt_events_free(ev);
        rt_attrs_free(a);
        return;
    }
    o.attrs = a;
    rt_result *r = (rt_result *)&o; /* must come back NULL */
    rt_error err;
    rt_status st = rt_satisfaction_run(ev, &o, &r, &err);
    CHECK(st == want);
    CHECK(r == NULL);
    if (!strstr(err.msg, msg)) {
        CHECK(0);
        fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, msg);
    }
    rt_attrs_free(a);
    rt_events_free(ev);
}

static void bad_input_is_reported(void)
{
    int32_t as_of;
    rt_date_parse("2024-06-30", &as_of);
    rt_satisfaction_options o = {.score_col = "score",
                                 .has_as_of = 1,
                                 .as_of = as_of,
                                 .horizon = 30,
                                 .attrs_name = "cust.csv"};
    const char *head = "customer_id,score,survey_date,intent\n";
    char text[512];
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\nB,4.5x,2024-06-30,0\n", head);
    expect_error(text, o, RT_EPARSE,
                 "cust.csv: customer \"B\": column 'score': expected a number, got \"4.5x\"");
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\nB,nan,2024-06-30,0\n", head);
    expect_error(text, o, RT_EPARSE, "column 'score': expected a number, got \"nan\"");
    rt_satisfaction_options p = o;
    p.score_col = "satisfaction";
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\n", head);
    expect_error(text, p, RT_EDOMAIN,
                 "cust.csv: no score column 'satisfaction'; the columns are: customer_id, score, "
                 "survey_date, intent");
    p = o;
    p.kind = RT_SCORE_NPS;
    snprintf(text, sizeof text, "%sA,10,2024-06-30,1\nB,11,2024-06-30,0\n", head);
    expect_error(text, p, RT_EPARSE,
                 "customer \"B\": column 'score': expected an NPS score, a whole number from 0 "
                 "to 10, got \"11\"");
    snprintf(text, sizeof text, "%sA,7.5,2024-06-30,1\n", head);
    expect_error(text, p, RT_EPARSE, "got \"7.5\"");
    p = o;
    p.intent_col = "intent";
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\nB,2,2024-06-30,maybe\n", head);
    expect_error(text, p, RT_EPARSE,
                 "customer \"B\": column 'intent': expected 1/0, yes/no, y/n or true/false, got "
                 "\"maybe\"");
    p.intent_col = "intention";
    expect_error(text, p, RT_EDOMAIN, "no intent column 'intention'");
    p = o;
    p.by = "region";
    expect_error(text, p, RT_EDOMAIN, "no segment column 'region'");
    p = o;
    p.has_as_of = 0;
    p.date_col = "survey_date";
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\nB,2,30/06/2024,0\n", head);
    expect_error(text, p, RT_EPARSE,
                 "customer \"B\": column 'survey_date': expected a date YYYY-MM-DD, got "
                 "\"30/06/2024\"");
    p.date_col = "surveyed";
    expect_error(text, p, RT_EDOMAIN, "no survey-date column 'surveyed'");
    /* Everyone surveyed too late for the horizon: the counts say why. */
    p = o;
    rt_date_parse("2024-08-15", &p.as_of);
    snprintf(text, sizeof text, "%sA,1,2024-06-30,1\nB,,2024-06-30,1\nH,3,,\nI,4,,\n", head);
    expect_error(text, p, RT_EDOMAIN,
                 "cust.csv: no eligible customers: of 4 rows, 1 have no score, 0 no survey date, "
                 "1 no events, 0 first bought after the survey date, 2 are censored (the data end "
                 "on 2024-08-31, so a 30-day horizon needs a survey date on or before "
                 "2024-08-01)");
    /* Options the caller got wrong. */
    p = o;
    p.date_col = "survey_date"; /* and as_of */
    expect_error(text, p, RT_EMISUSE, "as_of or date_col");
    p = o;
    p.has_as_of = 0;
    expect_error(text, p, RT_EMISUSE, "as_of or date_col");
    p = o;
    p.horizon = -1;
    expect_error(text, p, RT_EMISUSE, "horizon");
    p = o;
    p.score_col = NULL;
    expect_error(text, p, RT_EMISUSE, "score column");
    p = o;
    p.by = "";
    expect_error(text, p, RT_EMISUSE, "empty segment column name");
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_satisfaction_run(NULL, &o, &r, &err) == RT_EMISUSE);
    CHECK(rt_satisfaction_run(NULL, NULL, NULL, NULL) == RT_EMISUSE);
}

/* ---- the simulated log against a brute force ---- */

#define NCUST 3000
#define HORIZON 120

/* Days since 1970-01-01 of "YYYY-MM-DD" (Howard Hinnant's days_from_civil), or INT32_MIN. */
static int32_t civil_days(const char *s)
{
    int y, m, d;
    if (strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return INT32_MIN;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct logrow {
    char id[16];
    int32_t day;
    double amount;
} logrow;

typedef struct simcust {
    char id[16];
    int sat;          /* 1-5 from the simulator's customer file */
    char tier[16];    /* basic, plus, premium */
    int32_t first;    /* first purchase (truth file) */
    double lambda, p; /* truth */
    int32_t dropout;  /* dropout day, or INT32_MAX when none */
    int32_t survey;   /* the survey date written to our table (INT32_MIN = empty) */
    int score_blank;  /* score written empty */
    int in_table;     /* a row in our table */
    int intent;       /* -1 empty, 0, 1 */
} simcust;

static logrow *rows_;
static size_t nrows_;
static simcust cust_[NCUST];

/* Read the raw event log rows: customer_id,date,amount,... */
static int read_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    size_t cap = 0;
    if (!fgets(line, sizeof line, f)) { /* header */
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (nrows_ == cap) {
            cap = cap ? 2 * cap : 4096;
            logrow *p = realloc(rows_, cap * sizeof *p);
            if (!p) {
                fclose(f);
                return -1;
            }
            rows_ = p;
        }
        char *id = strtok(line, ","), *date = strtok(NULL, ","), *amt = strtok(NULL, ",");
        if (!id || !date || !amt) {
            fclose(f);
            return -1;
        }
        logrow *w = &rows_[nrows_++];
        snprintf(w->id, sizeof w->id, "%s", id);
        w->day = civil_days(date);
        w->amount = strtod(amt, NULL);
    }
    fclose(f);
    return 0;
}

/* Read the truth file (customer_id,first_date,lambda,p,dropout_date,alive,nu) and the
 * customer file (customer_id,signup_date,tier,loyalty_member,satisfaction), both with the
 * customers in the same order. */
static int read_truth_and_customers(const char *truth, const char *custs)
{
    FILE *t = fopen(truth, "r"), *c = fopen(custs, "r");
    char lt[512], lc[512];
    int ok = t && c && fgets(lt, sizeof lt, t) && fgets(lc, sizeof lc, c);
    for (int i = 0; ok && i < NCUST; i++) {
        simcust *s = &cust_[i];
        ok = fgets(lt, sizeof lt, t) && fgets(lc, sizeof lc, c);
        if (!ok)
            break;
        /* truth: id, first, lambda, p, dropout (may be empty), alive, nu */
        char *f[7];
        char *p = lt;
        for (int k = 0; k < 7; k++) {
            f[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
            else if (k < 6)
                ok = 0;
        }
        if (!ok)
            break;
        snprintf(s->id, sizeof s->id, "%s", f[0]);
        s->first = civil_days(f[1]);
        s->lambda = strtod(f[2], NULL);
        s->p = strtod(f[3], NULL);
        s->dropout = *f[4] ? civil_days(f[4]) : INT32_MAX;
        char cid[32], signup[16], tier[16];
        int loyal, sat;
        ok = sscanf(lc, "%31[^,],%15[^,],%15[^,],%d,%d", cid, signup, tier, &loyal, &sat) == 5 &&
             strcmp(cid, s->id) == 0;
        snprintf(s->tier, sizeof s->tier, "%s", tier);
        s->sat = sat;
    }
    if (t)
        fclose(t);
    if (c)
        fclose(c);
    return ok ? 0 : -1;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* Our customer table: survey dates spread from 10 days before the first purchase to 629
 * after it (the later ones censored); every 37th score empty, every 41st date empty, every 53rd
 * customer left out, intent from the score with noise (every 29th empty), and three rows without
 * events. */
static const char *write_table(void)
{
    const char *path = tmp_path("sim-table.csv");
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "customer_id,satisfaction,survey_date,tier,intent\n");
    for (int i = 0; i < NCUST; i++) {
        simcust *s = &cust_[i];
        uint64_t h = mix((uint64_t)i + 17);
        s->in_table = i % 53 != 7;
        s->score_blank = i % 37 == 3;
        s->survey = i % 41 == 5 ? INT32_MIN : s->first - 10 + (int32_t)(h % 640);
        s->intent = i % 29 == 11 ? -1 : ((s->sat >= 4) ^ ((h >> 20) % 5 == 0));
        if (!s->in_table)
            continue;
        char date[16] = "";
        if (s->survey != INT32_MIN)
            rt_date_format(s->survey, date);
        fprintf(f, "%s,", s->id);
        if (!s->score_blank)
            fprintf(f, "%d", s->sat);
        fprintf(f, ",%s,%s,%s\n", date, s->tier, s->intent < 0 ? "" : s->intent ? "yes" : "no");
    }
    fprintf(f, "X1,3,2024-03-01,basic,yes\nX2,5,2024-03-01,plus,no\nX3,1,2024-03-01,premium,\n");
    return fclose(f) == 0 ? path : NULL;
}

/* One eligible customer as the brute force sees it. */
typedef struct bf {
    int sat, intent, seg; /* seg: 0 basic, 1 plus, 2 premium */
    double fut, spend;
    int idx; /* into cust_ */
} bf;

static const char *const tiers[3] = {"basic", "plus", "premium"};

typedef struct bfcounts {
    double no_score, no_date, no_events, after, censored, eligible, without_row;
} bfcounts;

/* The brute force: for each customer row, scan every log row. Returns the eligible customers
 * in table order. */
static size_t brute_force(bf *out, bfcounts *n, int32_t *last)
{
    memset(n, 0, sizeof *n);
    *last = INT32_MIN;
    for (size_t k = 0; k < nrows_; k++)
        if (rows_[k].day > *last)
            *last = rows_[k].day;
    size_t m = 0;
    for (int i = 0; i < NCUST; i++) {
        simcust *s = &cust_[i];
        int32_t first = INT32_MAX;
        for (size_t k = 0; k < nrows_; k++)
            if (strcmp(rows_[k].id, s->id) == 0 && rows_[k].day < first)
                first = rows_[k].day;
        if (!s->in_table) {
            n->without_row += first != INT32_MAX;
            continue;
        }
        if (s->score_blank) {
            n->no_score++;
            continue;
        }
        if (s->survey == INT32_MIN) {
            n->no_date++;
            continue;
        }
        if (first == INT32_MAX) {
            n->no_events++;
            continue;
        }
        if (first > s->survey) {
            n->after++;
            continue;
        }
        if ((int64_t)s->survey + HORIZON > *last) {
            n->censored++;
            continue;
        }
        /* distinct days in (survey, survey + HORIZON], and all amounts on them */
        int32_t seen[400];
        int nseen = 0;
        double spend = 0;
        for (size_t k = 0; k < nrows_; k++) {
            const logrow *w = &rows_[k];
            if (strcmp(w->id, s->id) != 0 || w->day <= s->survey || w->day > s->survey + HORIZON)
                continue;
            spend += w->amount;
            int dup = 0;
            for (int j = 0; j < nseen; j++)
                dup |= seen[j] == w->day;
            if (!dup && nseen < 400)
                seen[nseen++] = w->day;
        }
        int seg = strcmp(s->tier, "basic") == 0 ? 0 : strcmp(s->tier, "plus") == 0 ? 1 : 2;
        out[m++] = (bf){s->sat, s->intent, seg, nseen, spend, i};
    }
    n->no_events += 3; /* X1-X3 */
    n->eligible = (double)m;
    return m;
}

/* Spearman by O(n^2) rank counting: rank = 1 + #{smaller} + (#{equal} - 1) / 2. */
static double spearman_ref(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    for (size_t i = 0; i < n; i++) {
        double lx = 0, ex = 0, ly = 0, ey = 0;
        for (size_t j = 0; j < n; j++) {
            lx += x[j] < x[i];
            ex += x[j] == x[i];
            ly += y[j] < y[i];
            ey += y[j] == y[i];
        }
        rx[i] = 1 + lx + (ex - 1) / 2;
        ry[i] = 1 + ly + (ey - 1) / 2;
    }
    double r = pearson_ref(rx, ry, n);
    free(rx);
    free(ry);
    return r;
}

/* Slope and se by raw sums in long double: b = Sxy / Sxx, RSS = Syy - Sxy^2 / Sxx. */
static void ols_ref(const double *x, const double *y, size_t n, double *b, double *se)
{
    long double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, ln = (long double)n;
    for (size_t i = 0; i < n; i++) {
        long double xi = (long double)x[i], yi = (long double)y[i];
        sx += xi;
        sy += yi;
        sxx += xi * xi;
        syy += yi * yi;
        sxy += xi * yi;
    }
    long double cxx = sxx - sx * sx / ln, cxy = sxy - sx * sy / ln, cyy = syy - sy * sy / ln;
    *b = (double)(cxy / cxx);
    *se = (double)sqrtl((cyy - cxy * cxy / cxx) / (ln - 2) / cxx);
}

/* Compare one group (all eligible customers, or a segment) with the result: its level rows
 * in table 't' from row '*row' on, and its statistics (fields when 'ts' < 0, else row 'srow'
 * of the segments table). */
static void compare_group(const rt_result *r, const bf *g, size_t n, long t, size_t *row, long ts,
                          size_t srow)
{
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *sp = malloc(n * sizeof *sp),
           *rt = malloc(n * sizeof *rt);
    double cust[6] = {0}, ret[6] = {0};
    double fut[6] = {0}, spend[6] = {0};
    double retained = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = g[i].sat;
        y[i] = g[i].fut;
        sp[i] = g[i].spend;
        rt[i] = g[i].fut > 0;
        cust[g[i].sat]++;
        ret[g[i].sat] += g[i].fut > 0;
        fut[g[i].sat] += g[i].fut;
        spend[g[i].sat] += g[i].spend;
        retained += g[i].fut > 0;
    }
    double base = (double)NAN;
    for (int k = 1; k <= 5; k++) {
        if (cust[k] == 0)
            continue;
        double kn = cust[k], retention = ret[k] / kn;
        if (isnan(base))
            base = retention;
        size_t w = (*row)++;
        CHECK(cell(r, t, w, "satisfaction") == k);
        CHECK(cell(r, t, w, "customers") == kn);
        CHECK(cell(r, t, w, "retained") == ret[k]);
        CHECK_NEAR(cell(r, t, w, "retention"), retention, 1e-15);
        double lo, hi;
        wilson_ref(ret[k], kn, &lo, &hi);
        /* two algebraically equal forms of Wilson's bounds: rounding only (1e-13) */
        CHECK(fabs(cell(r, t, w, "retention_lo") - lo) <= 1e-13);
        CHECK_NEAR(cell(r, t, w, "retention_hi"), hi, 1e-13);
        CHECK_NEAR(cell(r, t, w, "mean_future_purchases"), fut[k] / kn, 1e-15);
        /* sums of cents amounts in another order: 1e-12 relative */
        CHECK_NEAR(cell(r, t, w, "mean_future_spend"), spend[k] / kn, 1e-12);
        CHECK_NEAR(cell(r, t, w, "lift"), base > 0 ? retention / base : (double)NAN, 1e-14);
    }
    double rho = spearman_ref(x, y, n), b, se, rb, rse;
    ols_ref(x, sp, n, &b, &se);
    ols_ref(x, rt, n, &rb, &rse);
    /* raw sums in long double against centred compensated sums in double: the raw form loses
     * about log10(n) digits to cancellation, so 1e-10 */
    if (ts < 0) {
        CHECK(field(r, "eligible") == (double)n);
        CHECK(field(r, "retained") == retained);
        CHECK_NEAR(field(r, "spearman"), rho, 1e-10);
        CHECK_NEAR(field(r, "spend_per_point"), b, 1e-10);
        CHECK_NEAR(field(r, "spend_per_point_se"), se, 1e-10);
        CHECK_NEAR(field(r, "retention_per_point"), rb, 1e-10);
        CHECK_NEAR(field(r, "retention_per_point_se"), rse, 1e-10);
        double z = 0.5 * log((1 + rho) / (1 - rho));
        double s = sqrt((1 + rho * rho / 2) / ((double)n - 3));
        CHECK_NEAR(field(r, "spearman_lo"), tanh(z - 1.959963984540054 * s), 1e-10);
        CHECK_NEAR(field(r, "spearman_hi"), tanh(z + 1.959963984540054 * s), 1e-10);
    } else {
        CHECK(cell(r, ts, srow, "customers") == (double)n);
        CHECK(cell(r, ts, srow, "retained") == retained);
        CHECK_NEAR(cell(r, ts, srow, "spearman"), rho, 1e-10);
        CHECK_NEAR(cell(r, ts, srow, "spend_per_point"), b, 1e-10);
        CHECK_NEAR(cell(r, ts, srow, "spend_per_point_se"), se, 1e-10);
        CHECK_NEAR(cell(r, ts, srow, "retention_per_point"), rb, 1e-10);
    }
    free(x);
    free(y);
    free(sp);
    free(rt);
}

/* Every cell of result 'r' equals the same cell of 's' (thread-count independence). */
static int same_result(const rt_result *r, const rt_result *s)
{
    if (rt_result_field_count(r) != rt_result_field_count(s) ||
        rt_result_table_count(r) != rt_result_table_count(s))
        return 0;
    for (size_t i = 0; i < rt_result_field_count(r); i++) {
        rt_value a = rt_result_field(r, i), b = rt_result_field(s, i);
        if (a.type != b.type || a.i != b.i ||
            (a.type == RT_VAL_DOUBLE && memcmp(&a.d, &b.d, sizeof a.d) != 0))
            return 0;
    }
    for (size_t t = 0; t < rt_result_table_count(r); t++) {
        if (rt_result_table_rows(r, t) != rt_result_table_rows(s, t))
            return 0;
        for (size_t w = 0; w < rt_result_table_rows(r, t); w++)
            for (size_t c = 0; c < rt_result_table_cols(r, t); c++) {
                rt_value a = rt_result_table_cell(r, t, w, c), b = rt_result_table_cell(s, t, w, c);
                if (a.type != b.type || a.i != b.i ||
                    (a.type == RT_VAL_DOUBLE && memcmp(&a.d, &b.d, sizeof a.d) != 0) ||
                    (a.type == RT_VAL_STRING && strcmp(a.s, b.s) != 0))
                    return 0;
            }
    }
    return 1;
}

/* P(satisfaction = k | p): sat = clamp(floor(5.5 - 4p + 0.75 n), 1, 5) with n ~ N(0, 1)
 * (simulate.c), so k <= 5.5 - 4p + 0.75 n < k + 1, open-ended at 1 and 5. */
static double p_sat(int k, double p)
{
    double lo = k == 1 ? -(double)INFINITY : (k - 5.5 + 4 * p) / 0.75;
    double hi = k == 5 ? (double)INFINITY : (k + 1 - 5.5 + 4 * p) / 0.75;
    return 0.5 * erfc(-hi / sqrt(2.0)) - 0.5 * erfc(-lo / sqrt(2.0));
}

typedef struct satq {
    int k, moment; /* integrand p^moment * Beta(p; a, b) density kernel * P(k | p) */
    double a, b;
} satq;

static double sat_integrand(double x, double lx, double l1x, void *ctx)
{
    const satq *q = ctx;
    double w = exp((q->a - 1) * lx + (q->b - 1) * l1x) * p_sat(q->k, x);
    return q->moment ? x * w : w;
}

static void simulated_log_matches_brute_force(void)
{
    const char *lp = tmp_path("sim-log.csv"), *tp = tmp_path("sim-truth.csv"),
               *cp = tmp_path("sim-customers.csv");
    FILE *lf = fopen(lp, "w"), *tf = fopen(tp, "w"), *cf = fopen(cp, "w");
    rt_sim_options so = {.customers = NCUST, .seed = 20240611, .days = 730};
    rt_error err;
    CHECK(lf && tf && cf && rt_simulate(&so, lf, tf, cf, &err) == RT_OK);
    if (lf)
        fclose(lf);
    if (tf)
        fclose(tf);
    if (cf)
        fclose(cf);
    if (read_log(lp) != 0 || read_truth_and_customers(tp, cp) != 0) {
        CHECK(0);
        return;
    }
    const char *table_path = write_table();
    rt_events *ev = load(lp);
    rt_attrs *a = table_path ? load_attrs(table_path) : NULL;
    if (!ev || !a) {
        CHECK(0);
        return;
    }
    rt_satisfaction_options o = {.attrs = a,
                                 .score_col = "satisfaction",
                                 .date_col = "survey_date",
                                 .horizon = HORIZON,
                                 .by = "tier",
                                 .intent_col = "intent",
                                 .threads = 1};
    rt_result *r = NULL, *r3 = NULL;
    CHECK(rt_satisfaction_run(ev, &o, &r, &err) == RT_OK);
    o.threads = 3;
    CHECK(rt_satisfaction_run(ev, &o, &r3, &err) == RT_OK);
    if (!r || !r3)
        return;
    CHECK(same_result(r, r3)); /* bit for bit: every sum is taken serially in row order */
    rt_result_free(r3);

    static bf g[NCUST];
    bfcounts n;
    int32_t last;
    size_t m = brute_force(g, &n, &last);
    CHECK(field(r, "last_date") == last);
    double in_table = 3; /* X1-X3 */
    for (int i = 0; i < NCUST; i++)
        in_table += cust_[i].in_table;
    CHECK(field(r, "rows") == in_table);
    CHECK(field(r, "rows_without_score") == n.no_score);
    CHECK(field(r, "rows_without_survey_date") == n.no_date);
    CHECK(field(r, "rows_without_events") == n.no_events);
    CHECK(field(r, "first_purchase_after_survey") == n.after);
    CHECK(field(r, "censored") == n.censored);
    CHECK(field(r, "customers_without_row") == n.without_row);
    /* every kind of row occurs, and enough customers are left to measure the effect */
    CHECK(n.no_score > 0 && n.no_date > 0 && n.after > 0 && n.censored > 0 && m > 500);

    size_t row = 0;
    compare_group(r, g, m, table(r, "levels"), &row, -1, 0);
    CHECK(row == rt_result_table_rows(r, (size_t)table(r, "levels")));
    double sumfut = 0, sumspend = 0;
    for (size_t i = 0; i < m; i++) {
        sumfut += g[i].fut;
        sumspend += g[i].spend;
    }
    CHECK_NEAR(field(r, "mean_future_purchases"), sumfut / (double)m, 1e-15);
    CHECK_NEAR(field(r, "mean_future_spend"), sumspend / (double)m, 1e-12);

    /* segments in order of customers, descending */
    static bf seg[3][NCUST];
    size_t ns[3] = {0, 0, 0};
    for (size_t i = 0; i < m; i++)
        seg[g[i].seg][ns[g[i].seg]++] = g[i];
    int order[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (ns[order[j]] > ns[order[i]] ||
                (ns[order[j]] == ns[order[i]] && strcmp(tiers[order[j]], tiers[order[i]]) < 0)) {
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    long ts = table(r, "segments"), tl = table(r, "segment_levels");
    CHECK(rt_result_table_rows(r, (size_t)ts) == 3);
    row = 0;
    for (int i = 0; i < 3; i++) {
        CHECK_STREQ(cell_str(r, ts, (size_t)i, 0), tiers[order[i]]);
        size_t before = row;
        compare_group(r, seg[order[i]], ns[order[i]], tl, &row, ts, (size_t)i);
        for (size_t w = before; w < row; w++)
            CHECK_STREQ(cell_str(r, tl, w, 0), tiers[order[i]]);
    }
    CHECK(row == rt_result_table_rows(r, (size_t)tl));

    /* intent */
    double tab[2][2] = {{0, 0}, {0, 0}}, missing = 0;
    for (size_t i = 0; i < m; i++) {
        if (g[i].intent < 0)
            missing++;
        else
            tab[g[i].intent][g[i].fut > 0]++;
    }
    CHECK(field(r, "intent_missing") == missing);
    CHECK(field(r, "intent_customers") == (double)m - missing);
    double n11 = tab[1][1], n10 = tab[1][0], n01 = tab[0][1], n00 = tab[0][0];
    /* phi as Pearson's correlation of the two 0/1 variables */
    double *iv = malloc(m * sizeof *iv), *bv = malloc(m * sizeof *bv);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (g[i].intent >= 0) {
            iv[k] = g[i].intent;
            bv[k++] = g[i].fut > 0;
        }
    CHECK_NEAR(field(r, "intent_phi"), pearson_ref(iv, bv, k), 1e-12);
    free(iv);
    free(bv);
    long ti = table(r, "intent");
    CHECK(cell(r, ti, 0, "customers") == n11 + n10 && cell(r, ti, 0, "bought") == n11);
    CHECK_NEAR(cell(r, ti, 0, "bought_share"), n11 / (n11 + n10), 1e-15);
    CHECK(cell(r, ti, 1, "customers") == n01 + n00 && cell(r, ti, 1, "bought") == n01);
    double lo, hi;
    wilson_ref(n01, n01 + n00, &lo, &hi);
    CHECK_NEAR(cell(r, ti, 1, "bought_share_lo"), lo, 1e-13);

    /* ---- the size of the simulated effect ----
     * (1) The simulator makes satisfaction fall with p ~ Beta(a, b): the mean true p per
     * level matches E[p | sat = k] by quadrature, within 4.5 standard errors of the mean. */
    const double a_ = 0.793, b_ = 2.426; /* rt_sim_options defaults */
    double sum[6] = {0}, sum2[6] = {0}, cnt[6] = {0};
    for (int i = 0; i < NCUST; i++) {
        sum[cust_[i].sat] += cust_[i].p;
        sum2[cust_[i].sat] += cust_[i].p * cust_[i].p;
        cnt[cust_[i].sat]++;
    }
    double prev = (double)INFINITY;
    for (int lev = 1; lev <= 5; lev++) {
        satq q0 = {lev, 0, a_, b_}, q1 = {lev, 1, a_, b_};
        double want = quad01(sat_integrand, &q1, 64) / quad01(sat_integrand, &q0, 64);
        CHECK(want < prev); /* a known, strictly falling relation */
        prev = want;
        if (cnt[lev] < 30)
            continue;
        double mean = sum[lev] / cnt[lev];
        double sd = sqrt((sum2[lev] - cnt[lev] * mean * mean) / (cnt[lev] - 1));
        if (fabs(mean - want) > 4.5 * sd / sqrt(cnt[lev])) {
            CHECK(0);
            fprintf(stderr, "level %d: mean p %g, expected %g (sd %g, n %g)\n", lev, mean, want, sd,
                    cnt[lev]);
        }
    }
    /* (2) Given the truth, customer i is still alive after its survey day when it had not
     * dropped out by then (BG/NBD customers leave right after a purchase), and then buys in
     * the next H days with probability 1 - exp(-lambda H / 7) (lambda per week). The
     * retained count of each level must match the sum of these probabilities within 4.5
     * binomial standard deviations. */
    double exp_ret[6] = {0}, var_ret[6] = {0}, obs_ret[6] = {0}, n_lev[6] = {0};
    for (size_t i = 0; i < m; i++) {
        const simcust *s = &cust_[g[i].idx];
        double pr = s->dropout <= s->survey ? 0.0 : -expm1(-s->lambda * HORIZON / 7.0);
        exp_ret[g[i].sat] += pr;
        var_ret[g[i].sat] += pr * (1 - pr);
        obs_ret[g[i].sat] += g[i].fut > 0;
        n_lev[g[i].sat]++;
    }
    long tlev = table(r, "levels");
    for (size_t w = 0; w < rt_result_table_rows(r, (size_t)tlev); w++) {
        int lev = (int)cell(r, tlev, w, "satisfaction");
        double got = cell(r, tlev, w, "retained");
        CHECK(got == obs_ret[lev]);
        if (fabs(got - exp_ret[lev]) > 4.5 * sqrt(var_ret[lev]) + 0.5) {
            CHECK(0);
            fprintf(stderr, "level %d: retained %g, expected %g +- %g\n", lev, got, exp_ret[lev],
                    sqrt(var_ret[lev]));
        }
    }
    /* (3) The direction: satisfied customers stay. The highest level retains more than the
     * lowest, and the rank correlation and the retention slope are positive with intervals
     * clear of 0. */
    CHECK(cell(r, tlev, rt_result_table_rows(r, (size_t)tlev) - 1, "lift") > 1);
    CHECK(field(r, "spearman_lo") > 0);
    CHECK(field(r, "retention_per_point") - 1.96 * field(r, "retention_per_point_se") > 0);
    CHECK(field(r, "spend_per_point") > 0);
    rt_result_free(r);
    rt_attrs_free(a);
    rt_events_free(ev);
    free(rows_);
}

int main(void)
{
    TEST(wilson_matches_newcombe);
    TEST(spearman_uses_average_ranks);
    TEST(ols_slope_matches_raw_sums);
    TEST(small_case_by_survey_column);
    TEST(small_case_nps);
    TEST(nps_interval_stays_within_100);
    TEST(bad_input_is_reported);
    TEST(simulated_log_matches_brute_force);
    remove_files();
    return test_report();
}
