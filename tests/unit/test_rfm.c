/* test_rfm.c - rt_rfm_run and rt_rfm_rules_read through the public API on logs written to a
 * temporary folder. Every score is checked against a brute-force count (score = 1 + floor(5 k
 * / n), k = customers with a strictly smaller value, found by comparing every pair) on heavily
 * tied data: all frequencies equal, two distinct values, runs of equal values that start on or
 * straddle a quintile edge, tiny n; the raw values against what the generator wrote; segments
 * against the R rfm package's vectors transcribed here; the summary against sums over the
 * per-customer rows; the same output for every thread count; and every error.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- the temporary folder ---- */

#include "tmpfiles.h"

/* ---- a growable text buffer ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        exit(2);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            exit(2);
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
}

/* ---- a generated log and what it should give ---- */

#define MAXC 3000

/* Per customer, as the generator wrote it: the expected raw values as of the as-of date. */
typedef struct expect {
    int scored; /* has an event on or before as_of */
    int32_t recency;
    int32_t frequency;
    double spend, monetary;
} expect;

typedef struct log {
    buf text;
    size_t n; /* customers written */
    int32_t as_of;
    expect e[MAXC];
} log_t;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

static const int32_t DAY0 = 19723; /* 2024-01-01 */

/* Start a log with the header; as-of date 'as_of'. */
static void log_start(log_t *g, int32_t as_of)
{
    free(g->text.p);
    memset(g, 0, sizeof *g);
    g->as_of = as_of;
    putf(&g->text, "customer_id,date,amount\n");
}

/* Add customer number 'g->n' with the 'k' purchase days 'days' (any order, distinct) and the
 * amount 'amt[i]' on each; amounts are binary-exact so every sum is exact. */
static void log_customer(log_t *g, int k, const int32_t *days, const double *amt)
{
    expect *e = &g->e[g->n];
    int32_t last = INT32_MIN;
    for (int i = 0; i < k; i++) {
        char d[16];
        rt_date_format(days[i], d);
        putf(&g->text, "c%05zu,%s,%.2f\n", g->n, d, amt[i]);
        if (days[i] > g->as_of)
            continue;
        e->scored = 1;
        e->frequency++;
        e->spend += amt[i];
        if (days[i] > last)
            last = days[i];
    }
    if (e->scored) {
        e->recency = g->as_of - last;
        e->monetary = e->spend / e->frequency;
    }
    g->n++;
}

/* A customer with 'k' purchase days ending 'recency' days before as_of, spending 'per_day'
 * on each. */
static void log_simple(log_t *g, int k, int32_t recency, double per_day)
{
    int32_t days[16];
    double amt[16];
    for (int i = 0; i < k; i++) {
        days[i] = g->as_of - recency - 3 * i;
        amt[i] = per_day;
    }
    log_customer(g, k, days, amt);
}

/* ---- reading a result ---- */

typedef struct row {
    const char *id;
    int64_t recency, frequency, r, f, m, score;
    double monetary;
    const char *segment;
} row;

/* The per-customer rows of 'res' (main table "scores"); '*n' rows. Caller frees. */
static row *rows_of(const rt_result *res, size_t *n)
{
    long t = rt_result_main_table(res);
    *n = 0;
    if (t < 0 || strcmp(rt_result_table_name(res, (size_t)t), "scores") != 0)
        return NULL;
    size_t rows = rt_result_table_rows(res, (size_t)t);
    row *out = calloc(rows ? rows : 1, sizeof *out);
    if (!out)
        exit(2);
    for (size_t i = 0; i < rows; i++) {
        rt_value v[9];
        for (size_t c = 0; c < 9; c++)
            v[c] = rt_result_table_cell(res, (size_t)t, i, c);
        out[i] = (row){v[0].s, v[1].i, v[2].i, v[4].i, v[5].i, v[6].i, v[7].i, v[3].d, v[8].s};
    }
    *n = rows;
    return out;
}

/* The field 'name' of 'res' (an RT_VAL_NULL value if absent, 'found' says). */
static rt_value field(const rt_result *res, const char *name, int *found)
{
    return rt_result_get(res, name, found);
}

static rt_result *run(const char *path, const rt_rfm_options *opt)
{
    rt_events *ev;
    rt_error err;
    if (rt_events_read(path, NULL, &ev, &err) != RT_OK) {
        fprintf(stderr, "load %s: %s\n", path, err.msg);
        exit(2);
    }
    rt_result *res = (rt_result *)(uintptr_t)1;
    rt_status st = rt_rfm_run(ev, opt, &res, &err);
    rt_events_free(ev);
    if (st != RT_OK) {
        fprintf(stderr, "rfm %s: %s\n", path, err.msg);
        CHECK(st == RT_OK);
        CHECK(res == NULL);
        return NULL;
    }
    return res;
}

/* ---- the brute-force reference ---- */

/* The R rfm package's table, as its vectors (rfm_segment() example and vignettes). */
static const char *const r_names[10] = {"Champions",          "Loyal Customers",
                                        "Potential Loyalist", "New Customers",
                                        "Promising",          "Need Attention",
                                        "About To Sleep",     "At Risk",
                                        "Can't Lose Them",    "Lost"};
static const int r_recency_lower[10] = {4, 2, 3, 4, 3, 2, 2, 1, 1, 1};
static const int r_recency_upper[10] = {5, 5, 5, 5, 4, 3, 3, 2, 1, 2};
static const int r_frequency_lower[10] = {4, 3, 1, 1, 1, 2, 1, 2, 4, 1};
static const int r_frequency_upper[10] = {5, 5, 3, 1, 1, 3, 2, 5, 5, 2};
static const int *const r_monetary_lower = r_frequency_lower;
static const int *const r_monetary_upper = r_frequency_upper;

static const char *r_segment(int64_t r, int64_t f, int64_t m)
{
    for (int i = 0; i < 10; i++)
        if (r >= r_recency_lower[i] && r <= r_recency_upper[i] && f >= r_frequency_lower[i] &&
            f <= r_frequency_upper[i] && m >= r_monetary_lower[i] && m <= r_monetary_upper[i])
            return r_names[i];
    return "Others";
}

/* 1 + floor(5 k / n) with k counted by comparing every pair. */
static int64_t brute_score(size_t k, size_t n)
{
    return 1 + (int64_t)(5 * k / n);
}

/* Check every row of 'res' against the expected raw values in 'g', the scores against a
 * brute-force count, the segments against the R table (when 'r_table'), the cut fields
 * against the extremes per score. */
static void check_against_brute_force(const rt_result *res, const log_t *g, int r_table)
{
    size_t n;
    row *rw = rows_of(res, &n);
    size_t scored = 0;
    for (size_t c = 0; c < g->n; c++)
        scored += (size_t)g->e[c].scored;
    CHECK(rw != NULL);
    CHECK(n == scored);
    int found;
    CHECK(field(res, "customers", &found).i == (int64_t)scored && found);
    CHECK(field(res, "customers_after_as_of", &found).i == (int64_t)(g->n - scored) && found);
    CHECK(field(res, "as_of", &found).i == g->as_of && found);
    int bad_raw = 0, bad_score = 0, bad_seg = 0;
    int64_t rcut[5], fcut[5];
    double mcut[5];
    int have[3][5] = {{0}};
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)strtoul(rw[i].id + 1, NULL, 10);
        /* rows come in order of first appearance, which is the generator's order */
        bad_raw += i > 0 && c <= prev;
        prev = c;
        const expect *e = &g->e[c];
        bad_raw += !e->scored || rw[i].recency != e->recency || rw[i].frequency != e->frequency ||
                   rw[i].monetary != e->monetary;
        size_t kr = 0, kf = 0, km = 0;
        for (size_t j = 0; j < n; j++) {
            kr += rw[j].recency > rw[i].recency;
            kf += rw[j].frequency < rw[i].frequency;
            km += rw[j].monetary < rw[i].monetary;
        }
        int64_t r = brute_score(kr, n), f = brute_score(kf, n), m = brute_score(km, n);
        bad_score +=
            rw[i].r != r || rw[i].f != f || rw[i].m != m || rw[i].score != 100 * r + 10 * f + m;
        if (r_table)
            bad_seg += strcmp(rw[i].segment, r_segment(r, f, m)) != 0;
        if (!have[0][r - 1] || rw[i].recency > rcut[r - 1])
            rcut[r - 1] = rw[i].recency;
        if (!have[1][f - 1] || rw[i].frequency < fcut[f - 1])
            fcut[f - 1] = rw[i].frequency;
        if (!have[2][m - 1] || rw[i].monetary < mcut[m - 1])
            mcut[m - 1] = rw[i].monetary;
        have[0][r - 1] = have[1][f - 1] = have[2][m - 1] = 1;
    }
    CHECK(bad_raw == 0);
    CHECK(bad_score == 0);
    CHECK(bad_seg == 0);
    for (int s = 0; s < 5; s++) {
        char name[24];
        snprintf(name, sizeof name, "r_cut_%d", s + 1);
        rt_value v = field(res, name, &found);
        CHECK(found &&
              (have[0][s] ? v.type == RT_VAL_INT && v.i == rcut[s] : v.type == RT_VAL_NULL));
        snprintf(name, sizeof name, "f_cut_%d", s + 1);
        v = field(res, name, &found);
        CHECK(found &&
              (have[1][s] ? v.type == RT_VAL_INT && v.i == fcut[s] : v.type == RT_VAL_NULL));
        snprintf(name, sizeof name, "m_cut_%d", s + 1);
        v = field(res, name, &found);
        CHECK(found &&
              (have[2][s] ? v.type == RT_VAL_DOUBLE && v.d == mcut[s] : v.type == RT_VAL_NULL));
    }
    free(rw);
}

/* The scores of the rows of 'res' for dimension 'd' (0 r, 1 f, 2 m), in row order, as a
 * string of digits (for exact expectations in the small cases). */
static void scores_string(const rt_result *res, int d, char *out, size_t cap)
{
    size_t n;
    row *rw = rows_of(res, &n);
    size_t i = 0;
    for (; i < n && i + 1 < cap; i++)
        out[i] = (char)('0' + (d == 0 ? rw[i].r : d == 1 ? rw[i].f : rw[i].m));
    out[i] = '\0';
    free(rw);
}

/* ---- tests: scores ---- */

static rt_rfm_options as_of_opt(int32_t as_of)
{
    rt_rfm_options o = {0};
    o.has_as_of = 1;
    o.as_of = as_of;
    return o;
}

static log_t g; /* large: static */

static void rfm_scores_match_brute_force_on_random_tied_data(void)
{
    static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 24, 25, 26, 99, 100, 101, 1000};
    static const double amounts[] = {0, 5, 10, 12.5, 20, 20, 40};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        rng_state = 1000 + s;
        int32_t as_of = DAY0 + 60;
        log_start(&g, as_of);
        for (size_t c = 0; c < sizes[s]; c++) {
            int k = 1 + (int)rnd(4); /* 1-4 days: frequency is heavily tied */
            int32_t days[8];
            double amt[8];
            int32_t start = DAY0 + (int32_t)rnd(8) * 5; /* few distinct last days */
            for (int i = 0; i < k; i++) {
                days[i] = start + 7 * i;
                amt[i] = amounts[rnd(7)];
            }
            /* some purchases after the as-of date: ignored, or the whole customer left out */
            if (rnd(5) == 0)
                days[k - 1] = as_of + 1 + (int32_t)rnd(30);
            if (sizes[s] > 3 && rnd(17) == 0)
                for (int i = 0; i < k; i++)
                    days[i] = as_of + 1 + i;
            log_customer(&g, k, days, amt);
        }
        char name[32];
        snprintf(name, sizeof name, "random-%zu.csv", sizes[s]);
        const char *path = write_text(name, g.text.p);
        rt_rfm_options o = as_of_opt(as_of);
        size_t scored = 0;
        for (size_t c = 0; c < g.n; c++)
            scored += (size_t)g.e[c].scored;
        if (scored == 0)
            continue;
        rt_result *res = run(path, &o);
        CHECK(res != NULL);
        if (!res)
            continue;
        check_against_brute_force(res, &g, 1);
        rt_result_free(res);
    }
}

static void rfm_all_frequencies_equal_get_score_1(void)
{
    log_start(&g, DAY0 + 100);
    for (int c = 0; c < 12; c++)
        log_simple(&g, 2, c % 4, 10 + c);
    rt_rfm_options o = as_of_opt(g.as_of);
    rt_result *res = run(write_text("equal-f.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    char s[64];
    scores_string(res, 1, s, sizeof s);
    CHECK_STREQ(s, "111111111111");
    int found;
    CHECK(field(res, "f_cut_1", &found).i == 2);
    CHECK(field(res, "f_cut_2", &found).type == RT_VAL_NULL);
    CHECK(field(res, "f_cut_5", &found).type == RT_VAL_NULL);
    /* recency: 3 customers each at 0, 1, 2, 3 days: k = 9, 6, 3, 0 larger -> 4, 3, 2, 1 */
    scores_string(res, 0, s, sizeof s);
    CHECK_STREQ(s, "432143214321");
    rt_result_free(res);
}

static void rfm_two_distinct_values_split_at_their_rank(void)
{
    /* n = 10: frequency 1 (k = 0, score 1) or 3 (k = 5, score 1 + 25/10 = 3); monetary 5 or
     * 7.5 on alternate customers. */
    log_start(&g, DAY0 + 100);
    for (int c = 0; c < 10; c++)
        log_simple(&g, c < 5 ? 1 : 3, 1, c % 2 ? 7.5 : 5);
    rt_rfm_options o = as_of_opt(g.as_of);
    rt_result *res = run(write_text("two-values.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    char s[64];
    scores_string(res, 1, s, sizeof s);
    CHECK_STREQ(s, "1111133333");
    scores_string(res, 2, s, sizeof s);
    CHECK_STREQ(s, "1313131313");
    scores_string(res, 0, s, sizeof s); /* all equal recency: k = 0 for everyone */
    CHECK_STREQ(s, "1111111111");
    rt_result_free(res);
}

static void rfm_runs_on_quintile_edges_get_whole_quintiles(void)
{
    /* n = 25, five runs of 5 equal frequencies: the runs start at k = 0, 5, 10, 15, 20, exactly
     * the edges, so they get 1, 2, 3, 4, 5. */
    log_start(&g, DAY0 + 100);
    for (int c = 0; c < 25; c++)
        log_simple(&g, 1 + c / 5, 0, 1);
    rt_rfm_options o = as_of_opt(g.as_of);
    rt_result *res = run(write_text("edges.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    char s[64];
    scores_string(res, 1, s, sizeof s);
    CHECK_STREQ(s, "1111122222333334444455555");
    rt_result_free(res);

    /* n = 10 distinct values: two per quintile. */
    log_start(&g, DAY0 + 100);
    for (int c = 0; c < 10; c++)
        log_simple(&g, 1, 9 - c, 1 + c);
    o = as_of_opt(g.as_of);
    res = run(write_text("distinct.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    scores_string(res, 2, s, sizeof s);
    CHECK_STREQ(s, "1122334455");
    scores_string(res, 0, s, sizeof s); /* recency 9..0: the most recent get 5 */
    CHECK_STREQ(s, "1122334455");
    int found;
    CHECK(field(res, "r_cut_5", &found).i == 1); /* recency 0 and 1 get r = 5 */
    CHECK(field(res, "r_cut_1", &found).i == 9);
    CHECK(field(res, "m_cut_3", &found).d == 5);
    rt_result_free(res);
}

static void rfm_run_straddling_an_edge_takes_the_lower_score(void)
{
    /* n = 10, frequencies 1 1 1 2 2 2 2 2 3 3: the run of 2s starts at k = 3 (score 2) and
     * covers the edges at 4 and 6; the 3s start at k = 8 (score 5); 3 and 4 stay empty. */
    static const int fr[10] = {1, 1, 1, 2, 2, 2, 2, 2, 3, 3};
    log_start(&g, DAY0 + 100);
    for (int c = 0; c < 10; c++)
        log_simple(&g, fr[c], 2, 10);
    rt_rfm_options o = as_of_opt(g.as_of);
    rt_result *res = run(write_text("straddle.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    char s[64];
    scores_string(res, 1, s, sizeof s);
    CHECK_STREQ(s, "1112222255");
    int found;
    CHECK(field(res, "f_cut_2", &found).i == 2);
    CHECK(field(res, "f_cut_3", &found).type == RT_VAL_NULL);
    CHECK(field(res, "f_cut_4", &found).type == RT_VAL_NULL);
    CHECK(field(res, "f_cut_5", &found).i == 3);
    rt_result_free(res);
}

static void rfm_one_or_two_customers(void)
{
    log_start(&g, DAY0 + 10);
    log_simple(&g, 2, 3, 4);
    rt_rfm_options o = as_of_opt(g.as_of);
    rt_result *res = run(write_text("one.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    size_t n;
    row *rw = rows_of(res, &n);
    CHECK(n == 1 && rw[0].score == 111 && strcmp(rw[0].segment, "Lost") == 0);
    free(rw);
    rt_result_free(res);

    /* two: the larger value has k = 1, 1 + 5/2 = 3 */
    log_start(&g, DAY0 + 10);
    log_simple(&g, 1, 3, 4);
    log_simple(&g, 2, 1, 8);
    res = run(write_text("two.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 1);
    rw = rows_of(res, &n);
    CHECK(n == 2 && rw[0].score == 111 && rw[1].score == 333);
    free(rw);
    rt_result_free(res);
}

static void rfm_negative_zero_and_zero_spend_tie(void)
{
    /* "-0.00" is a purchase of -0.0 (not a refund); it must tie with "0". A refund larger
     * than the day's purchases gives a negative monetary, the lowest. */
    const char *path = write_text("zeros.csv", "customer_id,date,amount\n"
                                               "a,2024-03-01,0\n"
                                               "b,2024-03-01,-0.00\n"
                                               "c,2024-03-01,5\n"
                                               "c,2024-03-01,-8\n"
                                               "d,2024-03-01,1\n"
                                               "e,2024-03-01,0.00\n");
    rt_rfm_options o = as_of_opt(DAY0 + 70);
    rt_result *res = run(path, &o);
    CHECK(res != NULL);
    if (!res)
        return;
    size_t n;
    row *rw = rows_of(res, &n);
    CHECK(n == 5);
    /* monetary: a 0, b 0, c -3, d 1, e 0: k = 1, 1, 0, 4, 1 of n = 5 */
    CHECK(n == 5 && rw[0].m == 2 && rw[1].m == 2 && rw[2].m == 1 && rw[3].m == 5 && rw[4].m == 2);
    CHECK(n == 5 && rw[2].monetary == -3);
    free(rw);
    rt_result_free(res);
}

/* ---- tests: the as-of date ---- */

static void rfm_as_of_cuts_later_events_and_counts_left_out_customers(void)
{
    const char *path = write_text("asof.csv", "customer_id,date,amount\n"
                                              "a,2024-01-10,10\n"
                                              "a,2024-01-20,20\n"
                                              "a,2024-02-01,1000\n" /* after: ignored */
                                              "b,2024-02-05,7\n"    /* only after: left out */
                                              "c,2024-01-31,3\n"    /* on the as-of day */
                                              "c,2024-01-31,4\n"
                                              "d,2024-01-01,2\n");
    int32_t as_of;
    CHECK(rt_date_parse("2024-01-31", &as_of) == 0);
    rt_rfm_options o = as_of_opt(as_of);
    rt_result *res = run(path, &o);
    CHECK(res != NULL);
    if (!res)
        return;
    int found;
    CHECK(field(res, "customers", &found).i == 3);
    CHECK(field(res, "customers_after_as_of", &found).i == 1);
    CHECK(field(res, "events", &found).i == 5);
    CHECK(field(res, "events_after_as_of", &found).i == 2);
    CHECK(field(res, "revenue", &found).d == 39);
    CHECK_STREQ(field(res, "as_of_rule", &found).s, "given");
    size_t n;
    row *rw = rows_of(res, &n);
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STREQ(rw[0].id, "a");
        CHECK(rw[0].recency == 11 && rw[0].frequency == 2 && rw[0].monetary == 15);
        CHECK_STREQ(rw[1].id, "c");
        CHECK(rw[1].recency == 0 && rw[1].frequency == 1 && rw[1].monetary == 7);
        CHECK(rw[2].recency == 30 && rw[2].frequency == 1 && rw[2].monetary == 2);
    }
    free(rw);
    rt_result_free(res);

    /* the default: the day after the last event (2024-02-05), everything counts */
    rt_rfm_options d = {0};
    res = run(path, &d);
    CHECK(res != NULL);
    if (!res)
        return;
    CHECK(field(res, "as_of", &found).i == as_of + 6);
    CHECK_STREQ(field(res, "as_of_rule", &found).s, "the day after the last event");
    CHECK(field(res, "customers", &found).i == 4);
    CHECK(field(res, "customers_after_as_of", &found).i == 0);
    CHECK(field(res, "events_after_as_of", &found).i == 0);
    rw = rows_of(res, &n);
    CHECK(n == 4 && rw[0].recency == 5 && rw[0].frequency == 3 && rw[0].monetary == 1030.0 / 3);
    CHECK(n == 4 && rw[1].recency == 1 && rw[2].recency == 6 && rw[3].recency == 36);
    free(rw);
    rt_result_free(res);
}

static void rfm_as_of_before_every_event_is_an_error(void)
{
    const char *path = write_text("early.csv", "customer_id,date,amount\na,2024-01-10,1\n");
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &ev, &err) == RT_OK);
    rt_rfm_options o = as_of_opt(DAY0);
    rt_result *res = (rt_result *)(uintptr_t)1;
    CHECK(rt_rfm_run(ev, &o, &res, &err) == RT_EDOMAIN);
    CHECK(res == NULL);
    char want[256];
    snprintf(want, sizeof want,
             "%s: no customer has an event on or before the as-of date 2024-01-01", path);
    CHECK_STREQ(err.msg, want);
    rt_events_free(ev);
}

/* ---- tests: segments and the summary ---- */

static void rfm_default_rules_are_the_r_package_table(void)
{
    log_start(&g, DAY0 + 10);
    log_simple(&g, 1, 1, 1);
    rt_result *res = run(write_text("rules.csv", g.text.p), NULL);
    CHECK(res != NULL);
    if (!res)
        return;
    int found;
    CHECK_STREQ(field(res, "ruleset", &found).s, "rfm");
    size_t t = 0;
    while (t < rt_result_table_count(res) && strcmp(rt_result_table_name(res, t), "rules") != 0)
        t++;
    CHECK(t < rt_result_table_count(res));
    CHECK(rt_result_table_rows(res, t) == 10);
    int bad = 0;
    for (size_t i = 0; i < 10 && rt_result_table_rows(res, t) == 10; i++) {
        bad += strcmp(rt_result_table_cell(res, t, i, 0).s, r_names[i]) != 0;
        const int v[6] = {r_recency_lower[i],   r_recency_upper[i],  r_frequency_lower[i],
                          r_frequency_upper[i], r_monetary_lower[i], r_monetary_upper[i]};
        for (size_t c = 0; c < 6; c++)
            bad += rt_result_table_cell(res, t, i, c + 1).i != v[c];
    }
    CHECK(bad == 0);
    rt_result_free(res);
}

/* The segment of the only customer of a log whose scores are 'r', 'f', 'm' is looked up; for
 * that we need every score combination: build 125 customers? Simpler: the rf-grid must put
 * every (r, f) square in exactly one segment, checked on its rules table. */
static void rfm_rf_grid_partitions_the_recency_frequency_squares(void)
{
    log_start(&g, DAY0 + 10);
    log_simple(&g, 1, 1, 1);
    rt_rfm_options o = {0};
    o.ruleset = RT_RFM_RULES_RF_GRID;
    rt_result *res = run(write_text("grid.csv", g.text.p), &o);
    CHECK(res != NULL);
    if (!res)
        return;
    size_t t = 0;
    while (t < rt_result_table_count(res) && strcmp(rt_result_table_name(res, t), "rules") != 0)
        t++;
    CHECK(t < rt_result_table_count(res));
    int cover[6][6] = {{0}};
    size_t rows = rt_result_table_rows(res, t);
    CHECK(rows == 10);
    for (size_t i = 0; i < rows; i++) {
        int64_t v[6];
        for (size_t c = 0; c < 6; c++)
            v[c] = rt_result_table_cell(res, t, i, c + 1).i;
        CHECK(v[4] == 1 && v[5] == 5);
        for (int64_t r = v[0]; r <= v[1]; r++)
            for (int64_t f = v[2]; f <= v[3]; f++)
                cover[r][f]++;
    }
    int once = 0;
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            once += cover[r][f] == 1;
    CHECK(once == 25);
    /* the single customer: r = f = 1 -> Hibernating */
    size_t n;
    row *rw = rows_of(res, &n);
    CHECK(n == 1 && strcmp(rw[0].segment, "Hibernating") == 0);
    free(rw);
    rt_result_free(res);
}

static void rfm_custom_rules_first_match_wins_and_summary_adds_up(void)
{
    /* overlapping rules; "Top" on two rules; a rule named Others */
    static const rt_rfm_rule rules[] = {
        {"Top", 4, 5, 4, 5, 1, 5},    {"Recent", 4, 5, 1, 5, 1, 5}, {"Top", 1, 3, 5, 5, 5, 5},
        {"Others", 1, 1, 1, 1, 1, 1}, {"Mid", 2, 3, 1, 5, 1, 5},
    };
    rng_state = 77;
    log_start(&g, DAY0 + 200);
    for (int c = 0; c < 400; c++) {
        int k = 1 + (int)rnd(6);
        int32_t days[8];
        double amt[8];
        int32_t start = DAY0 + (int32_t)rnd(150);
        for (int i = 0; i < k; i++) {
            days[i] = start + 3 * i;
            amt[i] = (double)rnd(50) * 0.25;
        }
        log_customer(&g, k, days, amt);
    }
    const char *path = write_text("custom.csv", g.text.p);
    rt_rfm_options o = as_of_opt(g.as_of);
    o.ruleset = RT_RFM_RULES_CUSTOM;
    o.rules = rules;
    o.nrules = sizeof rules / sizeof rules[0];
    rt_result *res = run(path, &o);
    CHECK(res != NULL);
    if (!res)
        return;
    check_against_brute_force(res, &g, 0);
    size_t n;
    row *rw = rows_of(res, &n);
    /* brute force: first matching rule, per customer; totals per segment name */
    static const char *const names[4] = {"Top", "Recent", "Others", "Mid"};
    double cust[4] = {0}, rev[4] = {0}, rec[4] = {0}, fr[4] = {0}, mon[4] = {0}, total = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *want = "Others";
        for (size_t k = 0; k < o.nrules; k++) {
            const rt_rfm_rule *u = &rules[k];
            if (rw[i].r >= u->r_lo && rw[i].r <= u->r_hi && rw[i].f >= u->f_lo &&
                rw[i].f <= u->f_hi && rw[i].m >= u->m_lo && rw[i].m <= u->m_hi) {
                want = u->segment;
                break;
            }
        }
        bad += strcmp(rw[i].segment, want) != 0;
        int s = 0;
        while (strcmp(names[s], want) != 0)
            s++;
        cust[s]++;
        rev[s] += rw[i].monetary * (double)rw[i].frequency;
        rec[s] += (double)rw[i].recency;
        fr[s] += (double)rw[i].frequency;
        mon[s] += rw[i].monetary;
        total += rw[i].monetary * (double)rw[i].frequency;
    }
    CHECK(bad == 0);
    free(rw);
    rt_result_free(res);

    o.summary = 1;
    res = run(path, &o);
    CHECK(res != NULL);
    if (!res)
        return;
    long t = rt_result_main_table(res);
    CHECK(t >= 0 && strcmp(rt_result_table_name(res, (size_t)t), "segments") == 0);
    CHECK(rt_result_table_rows(res, (size_t)t) == 4); /* Top, Recent, Others, Mid */
    for (size_t s = 0; s < 4 && rt_result_table_rows(res, (size_t)t) == 4; s++) {
        rt_value v[8];
        for (size_t c = 0; c < 8; c++)
            v[c] = rt_result_table_cell(res, (size_t)t, s, c);
        CHECK_STREQ(v[0].s, names[s]);
        CHECK(v[1].i == (int64_t)cust[s]);
        /* counts and exact integer sums: one IEEE division on both sides */
        CHECK(v[2].d == cust[s] / (double)n);
        CHECK(cust[s] == 0 || v[5].d == rec[s] / cust[s]);
        CHECK(cust[s] == 0 || v[6].d == fr[s] / cust[s]);
        /* money: amounts are multiples of 0.25, so every spend is exact in binary; the test
         * rebuilds it as monetary * frequency, which is off by an ulp or so, and sums in
         * another order: 1e-12 is far above that and far below any real difference */
        CHECK_NEAR(v[3].d, rev[s], 1e-12);
        CHECK_NEAR(v[4].d, rev[s] / total, 1e-12);
        if (cust[s] > 0)
            CHECK_NEAR(v[7].d, mon[s] / cust[s], 1e-12);
        else
            CHECK(v[5].type == RT_VAL_DOUBLE && isnan(v[5].d));
    }
    int found;
    CHECK_STREQ(field(res, "ruleset", &found).s, "custom");
    CHECK_NEAR(field(res, "revenue", &found).d, total, 1e-12);
    rt_result_free(res);
}

/* ---- tests: threads, options and errors ---- */

static void rfm_same_output_for_every_thread_count(void)
{
    rng_state = 4242;
    log_start(&g, DAY0 + 300);
    for (int c = 0; c < MAXC; c++) {
        int k = 1 + (int)rnd(5);
        int32_t days[8];
        double amt[8];
        int32_t start = DAY0 + (int32_t)rnd(300);
        for (int i = 0; i < k; i++) {
            days[i] = start + (int32_t)rnd(40) * i;
            amt[i] = (double)rnd(4000) / 100;
        }
        log_customer(&g, k, days, amt);
    }
    const char *path = write_text("threads.csv", g.text.p);
    rt_rfm_options o = as_of_opt(g.as_of);
    o.threads = 1;
    rt_result *ref = run(path, &o);
    CHECK(ref != NULL);
    if (!ref)
        return;
    int bad = 0;
    static const int threads[] = {2, 3, 7, 64};
    for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
        o.threads = threads[k];
        rt_result *res = run(path, &o);
        CHECK(res != NULL);
        if (!res)
            continue;
        size_t t = (size_t)rt_result_main_table(res);
        CHECK(rt_result_table_rows(res, t) == rt_result_table_rows(ref, t));
        for (size_t i = 0; i < rt_result_table_rows(ref, t); i++)
            for (size_t c = 0; c < 9; c++) {
                rt_value a = rt_result_table_cell(ref, t, i, c),
                         b = rt_result_table_cell(res, t, i, c);
                bad +=
                    a.type != b.type || a.i != b.i || a.d != b.d || (a.s && strcmp(a.s, b.s) != 0);
            }
        for (size_t i = 0; i < rt_result_field_count(ref); i++) {
            rt_value a = rt_result_field(ref, i), b = rt_result_field(res, i);
            bad += a.type != b.type || a.i != b.i || a.d != b.d || (a.s && strcmp(a.s, b.s) != 0);
        }
        rt_result_free(res);
    }
    CHECK(bad == 0);
    rt_result_free(ref);
}

static void rfm_needs_an_amount_column(void)
{
    const char *path = write_text("noamount.csv", "customer_id,date\na,2024-01-10\n");
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &ev, &err) == RT_OK);
    rt_result *res = (rt_result *)(uintptr_t)1;
    CHECK(rt_rfm_run(ev, NULL, &res, &err) == RT_EDOMAIN);
    CHECK(res == NULL);
    char want[300];
    snprintf(want, sizeof want,
             "%s: rfm needs an amount column for monetary (none found; name it with --amount "
             "COL)",
             path);
    CHECK_STREQ(err.msg, want);
    rt_events_free(ev);
}

static void rfm_rejects_bad_options(void)
{
    const char *path = write_text("opts.csv", "customer_id,date,amount\na,2024-01-10,1\n");
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &ev, &err) == RT_OK);
    rt_result *res = (rt_result *)(uintptr_t)1;
    CHECK(rt_rfm_run(NULL, NULL, &res, &err) == RT_EMISUSE && res == NULL);
    CHECK(rt_rfm_run(ev, NULL, NULL, &err) == RT_EMISUSE);
    CHECK(rt_rfm_run(ev, NULL, NULL, NULL) == RT_EMISUSE);
    rt_rfm_options o = {0};
    o.ruleset = RT_RFM_RULES_CUSTOM;
    CHECK(rt_rfm_run(ev, &o, &res, &err) == RT_EMISUSE && res == NULL);
    CHECK_STREQ(err.msg, "rt_rfm_run: custom rule set without rules");
    struct {
        rt_rfm_rule rule;
        const char *msg;
    } bad[] = {
        {{"x", 0, 5, 1, 5, 1, 5}, "rt_rfm_run: rule 1 (x): r range 0-5 is not within 1-5"},
        {{"x", 1, 5, 1, 6, 1, 5}, "rt_rfm_run: rule 1 (x): f range 1-6 is not within 1-5"},
        {{"x", 1, 5, 1, 5, 4, 3}, "rt_rfm_run: rule 1 (x): m range 4-3 is not within 1-5"},
        {{NULL, 1, 5, 1, 5, 1, 5}, "rt_rfm_run: rule 1 has no segment name"},
        {{"", 1, 5, 1, 5, 1, 5}, "rt_rfm_run: rule 1 has no segment name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.rules = &bad[i].rule;
        o.nrules = 1;
        res = (rt_result *)(uintptr_t)1;
        CHECK(rt_rfm_run(ev, &o, &res, &err) == RT_EMISUSE && res == NULL);
        CHECK_STREQ(err.msg, bad[i].msg);
    }
    o.ruleset = (rt_rfm_ruleset)7;
    CHECK(rt_rfm_run(ev, &o, &res, &err) == RT_EMISUSE && res == NULL);
    CHECK_STREQ(err.msg, "rt_rfm_run: unknown rule set 7");
    rt_events_free(ev);
}

/* ---- tests: the rules file ---- */

static void rules_read_accepts_a_good_file(void)
{
    /* BOM, CRLF, blank lines, spaces, a quoted name with a comma and a quote, upper-case
     * header names */
    const char *path = write_text("good-rules.csv", "\xEF\xBB\xBFSegment, R_LO ,r_hi,f_lo,f_hi,"
                                                    "m_lo,m_hi\r\n"
                                                    "\r\n"
                                                    "Best,5,5,4,5,1,5\r\n"
                                                    "\"Big, \"\"recent\"\"\", 4 ,5,1,5,4,5\r\n"
                                                    "\n"
                                                    "  Rest  ,1,5,1,5,1,5");
    rt_rfm_rule *rules = (rt_rfm_rule *)(uintptr_t)1;
    size_t n = 99;
    rt_error err;
    CHECK(rt_rfm_rules_read(path, &rules, &n, &err) == RT_OK);
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STREQ(rules[0].segment, "Best");
        CHECK(rules[0].r_lo == 5 && rules[0].r_hi == 5 && rules[0].f_lo == 4 &&
              rules[0].f_hi == 5 && rules[0].m_lo == 1 && rules[0].m_hi == 5);
        CHECK_STREQ(rules[1].segment, "Big, \"recent\"");
        CHECK(rules[1].r_lo == 4 && rules[1].m_lo == 4);
        CHECK_STREQ(rules[2].segment, "Rest");
    }
    rt_rfm_rules_free(rules, n);
    rt_rfm_rules_free(NULL, 0);
}

static void rules_read_reports_every_error(void)
{
    static const struct {
        const char *name, *text;
        rt_status st;
        const char *msg; /* after "path:" */
    } cases[] = {
        {"empty.csv", "", RT_EDOMAIN,
         " empty rules file: expected the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi and one "
         "rule per line"},
        {"blank.csv", "\n\n", RT_EDOMAIN,
         " empty rules file: expected the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi and one "
         "rule per line"},
        {"header-only.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\n", RT_EDOMAIN,
         " no rules after the header"},
        {"short-header.csv", "segment,r_lo,r_hi\nx,1,2\n", RT_EPARSE,
         "1: expected the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi; found 3 columns"},
        {"wrong-header.csv", "\nsegment,r_lo,r_hi,f_low,f_hi,m_lo,m_hi\n", RT_EPARSE,
         "2:19: header column 4 must be 'f_lo', got \"f_low\""},
        {"fields.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,5,1,5,1\n", RT_EPARSE,
         "2: expected 7 fields (as in the header), found 6"},
        {"zero.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,0,5,1,5,1,5\n", RT_EPARSE,
         "2:3: column 'r_lo': expected a score 1-5, got \"0\""},
        {"six.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,5,1,5,1,6\n", RT_EPARSE,
         "2:13: column 'm_hi': expected a score 1-5, got \"6\""},
        {"text.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,5,one,5,1,5\n", RT_EPARSE,
         "2:7: column 'f_lo': expected a score 1-5, got \"one\""},
        {"empty-score.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,,1,5,1,5\n", RT_EPARSE,
         "2:5: column 'r_hi': expected a score 1-5, got \"\""},
        {"decimal.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,5,1,5,1.0,5\n", RT_EPARSE,
         "2:11: column 'm_lo': expected a score 1-5, got \"1.0\""},
        {"reversed.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx,1,5,4,2,1,5\n", RT_EPARSE,
         "2:9: column 'f_hi': 2 is below f_lo = 4"},
        {"noname.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nok,1,5,1,5,1,5\n  ,1,5,1,5,1,5\n",
         RT_EPARSE, "3:1: column 'segment': empty segment name"},
        {"quote.csv", "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\n\"x\"y,1,5,1,5,1,5\n", RT_EPARSE,
         "2:4: unexpected character after closing quote"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = write_text(cases[i].name, cases[i].text);
        rt_rfm_rule *rules = (rt_rfm_rule *)(uintptr_t)1;
        size_t n = 99;
        rt_error err;
        rt_status st = rt_rfm_rules_read(path, &rules, &n, &err);
        CHECK(st == cases[i].st);
        CHECK(rules == NULL && n == 0);
        char want[512];
        snprintf(want, sizeof want, "%s:%s", path, cases[i].msg);
        CHECK_STREQ(err.msg, want);
    }
    /* a NUL byte anywhere */
    static const char nul[] = "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\nx\0,1,5,1,5,1,5\n";
    const char *path = write_file("nul.csv", nul, sizeof nul - 1);
    rt_rfm_rule *rules;
    size_t n;
    rt_error err;
    char want[512];
    CHECK(rt_rfm_rules_read(path, &rules, &n, &err) == RT_EPARSE);
    snprintf(want, sizeof want, "%s: NUL byte: this is not a text file", path);
    CHECK_STREQ(err.msg, want);
    /* I/O: a missing file, a folder */
    CHECK(rt_rfm_rules_read("/nonexistent/rules.csv", &rules, &n, &err) == RT_EIO);
    CHECK(rules == NULL && n == 0 && err.sys_errno != 0);
    CHECK(rt_rfm_rules_read(tmpdir, &rules, &n, &err) == RT_EIO);
    CHECK(rt_rfm_rules_read(NULL, &rules, &n, &err) == RT_EMISUSE);
    CHECK(rt_rfm_rules_read("x", NULL, &n, NULL) == RT_EMISUSE);
}

static void rules_read_refuses_a_large_file(void)
{
    buf b = {0};
    putf(&b, "segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi\n");
    while (b.len <= ((size_t)1 << 20))
        putf(&b, "a rule with a long name to fill the file quickly,1,5,1,5,1,5\n");
    const char *path = write_file("big-rules.csv", b.p, b.len);
    free(b.p);
    rt_rfm_rule *rules;
    size_t n;
    rt_error err;
    CHECK(rt_rfm_rules_read(path, &rules, &n, &err) == RT_EDOMAIN);
    char want[300];
    snprintf(want, sizeof want,
             "%s: a rules file must be smaller than 1048576 bytes: is this the event log?", path);
    CHECK_STREQ(err.msg, want);
}

int main(void)
{
    TEST(rfm_scores_match_brute_force_on_random_tied_data);
    TEST(rfm_all_frequencies_equal_get_score_1);
    TEST(rfm_two_distinct_values_split_at_their_rank);
    TEST(rfm_runs_on_quintile_edges_get_whole_quintiles);
    TEST(rfm_run_straddling_an_edge_takes_the_lower_score);
    TEST(rfm_one_or_two_customers);
    TEST(rfm_negative_zero_and_zero_spend_tie);
    TEST(rfm_as_of_cuts_later_events_and_counts_left_out_customers);
    TEST(rfm_as_of_before_every_event_is_an_error);
    TEST(rfm_default_rules_are_the_r_package_table);
    TEST(rfm_rf_grid_partitions_the_recency_frequency_squares);
    TEST(rfm_custom_rules_first_match_wins_and_summary_adds_up);
    TEST(rfm_same_output_for_every_thread_count);
    TEST(rfm_needs_an_amount_column);
    TEST(rfm_rejects_bad_options);
    TEST(rules_read_accepts_a_good_file);
    TEST(rules_read_reports_every_error);
    TEST(rules_read_refuses_a_large_file);
    free(g.text.p);
    remove_files();
    return test_report();
}
