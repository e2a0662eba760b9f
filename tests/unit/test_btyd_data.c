/* test_btyd_data.c - the BTYD summary (src/models/btyd_data.c): every CDNOW customer's x, t_x,
 * T, x* and mean repeat spend against BTYD's unrounded reference (cdnowSummary_cbs.csv), a
 * hand-made log with every rule spelled out (same-day merges, netted refunds, exclusions,
 * the inclusive calibration end), a random log against a brute-force count, the pattern
 * compression, misuse errors and a failing allocator.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include "core/date.h"
#include "models/btyd_data.h"

#include <stdint.h>
#include <stdlib.h>

#include "tmpfiles.h"

/* The CSV reference files hold R's 15 significant digits (write.csv), so a value read back
 * can differ from the exact quotient by up to 5e-15 relative; 1e-12 leaves room for that
 * and for the one-rounding division here, and still catches any off-by-one-day error (at
 * least 1/272 relative for CDNOW). */
#define REL 1e-12

static int32_t ymd(int y, unsigned m, unsigned d)
{
    return (int32_t)rt_days_from_civil(y, m, d);
}

/* ---- CDNOW against BTYD ---- */

#define CDNOW_ELOG "../shared/data/cdnowElog.csv"
#define CDNOW_CBS "../shared/data/cdnowSummary_cbs.csv"
#define CDNOW_N 2357

typedef struct cbs_row {
    double x, t_x, T, x_star, m_x;
    int seen;
} cbs_row;

/* Read cdnowSummary_cbs.csv (cust,x,t.x,T.cal,x.star,m.x) into 'ref[cust - 1]'; returns the
 * number of rows, or -1 if the file cannot be read or a line is malformed. */
static int read_cbs(cbs_row *ref)
{
    FILE *f = fopen(CDNOW_CBS, "r");
    if (!f)
        return -1;
    char line[256];
    int rows = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "cust,x,t.x,T.cal,x.star,m.x", 27) != 0)
        rows = -1;
    while (rows >= 0 && fgets(line, sizeof line, f)) {
        int cust;
        cbs_row r = {0};
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf,%lf", &cust, &r.x, &r.t_x, &r.T, &r.x_star, &r.m_x) !=
                6 ||
            cust < 1 || cust > CDNOW_N) {
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

static rt_events *load_cdnow(const char *customer_col)
{
    rt_load_options o = {0};
    o.customer_col = customer_col;
    o.date_col = "date";
    o.date_format = "%Y%m%d";
    o.amount_col = "sales";
    o.product_col = "";
    o.channel_col = "";
    o.order_col = "";
    o.threads = 1;
    rt_events *ev = NULL;
    rt_error err;
    if (rt_events_read(CDNOW_ELOG, &o, &ev, &err) != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    return ev;
}

static void cdnow_summary_matches_btyd_for_every_customer(void)
{
    static cbs_row ref[CDNOW_N];
    CHECK(read_cbs(ref) == CDNOW_N);
    /* The same log by masterid (the customer id we summarise by) and by sampleid (the
     * reference's cust): the ids are one-to-one, so both number the customers alike, and
     * the sampleid table tells which reference row customer c is. */
    rt_events *ev = load_cdnow("masterid");
    rt_events *by_sample = load_cdnow("sampleid");
    CHECK(ev && by_sample);
    if (!ev || !by_sample)
        goto out;
    size_t nc = rt_events_customers(ev);
    CHECK(nc == CDNOW_N);
    CHECK(rt_events_customers(by_sample) == nc);
    CHECK(memcmp(rt_events_offsets(ev), rt_events_offsets(by_sample),
                 (nc + 1) * sizeof(uint64_t)) == 0);
    int32_t end = ymd(1997, 9, 30);
    CHECK(end == 10134); /* 1997-01-01 is day 9862; + 272 */
    rt_btyd_cust *rows = NULL;
    size_t n = 0;
    rt_error err;
    CHECK(rt_btyd_summarize(ev, end, RT_BTYD_WEEK, &rows, &n, &err) == RT_OK);
    CHECK(n == nc); /* everyone's first purchase is in the first quarter of 1997 */
    double sum_x = 0, sum_x_star = 0;
    int matched = 0, bad = 0;
    for (size_t i = 0; rows && i < n; i++) {
        const rt_btyd_cust *r = &rows[i];
        CHECK(r->customer == i);
        int cust =
            atoi(rt_events_string(by_sample, RT_FIELD_CUSTOMER, (uint32_t)r->customer, NULL));
        if (cust < 1 || cust > CDNOW_N || !ref[cust - 1].seen) {
            bad++;
            continue;
        }
        const cbs_row *e = &ref[cust - 1];
        int before = test_failed;
        CHECK(r->x == e->x);
        CHECK(r->x_star == e->x_star);
        CHECK_NEAR(r->t_x, e->t_x, REL);
        CHECK_NEAR(r->T, e->T, REL);
        CHECK_NEAR(r->mbar, e->m_x, REL);
        if (test_failed != before && bad++ < 3)
            fprintf(stderr, "  customer %s (cust %d) differs\n",
                    rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)r->customer, NULL), cust);
        matched++;
        sum_x += r->x;
        sum_x_star += r->x_star;
    }
    CHECK(bad == 0);
    CHECK(matched == CDNOW_N);
    CHECK(sum_x == 2457);
    CHECK(sum_x_star == 1882);
    /* Customer 1 in full: purchases 1997-01-01 29.33, 01-18 29.73, 08-02 14.96, 12-12 26.48. */
    if (rows) {
        CHECK(rows[0].first_day == ymd(1997, 1, 1));
        CHECK_NEAR(rows[0].t_x, 213.0 / 7, REL);
        CHECK_NEAR(rows[0].T, 272.0 / 7, REL);
        CHECK_NEAR(rows[0].holdout_amount, 26.48, REL);
    }
    rt_btyd_cust_free(ev, rows);
out:
    rt_events_free(ev);
    rt_events_free(by_sample);
}

/* ---- a hand-made log ---- */

static rt_events *load_text(const char *name, const char *text)
{
    rt_load_options o = {0};
    o.threads = 1;
    rt_events *ev = NULL;
    rt_error err;
    if (rt_events_read(write_text(name, text), &o, &ev, &err) != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    return ev;
}

static const char hand_log[] = "customer_id,date,amount\n"
                               "a,2024-01-01,10\n"
                               "a,2024-01-01,5\n"  /* same day: one purchase of 15 */
                               "a,2024-01-08,20\n" /* repeat 1 */
                               "a,2024-01-15,30\n"
                               "a,2024-01-15,-5\n" /* refund netted: repeat 2 of 25 */
                               "b,2024-02-05,40\n" /* first seen after the end: excluded */
                               "a,2024-02-10,7\n"
                               "a,2024-02-10,3\n" /* holdout: one purchase of 10 */
                               "c,2024-01-31,8\n" /* on the end day: calibration, T = 0 */
                               "d,2024-01-10,4\n"
                               "d,2024-02-01,6\n" /* the day after the end: holdout */
                               "d,2024-02-20,1\n"
                               "e,2024-02-02,2\n" /* holdout purchases only: excluded */
                               "e,2024-02-09,2\n"
                               "f,2024-01-03,1\n"
                               "f,2024-01-31,9\n"; /* repeat on the end day itself */

static void hand_made_log_gives_the_counts_spelled_out(void)
{
    rt_events *ev = load_text("hand.csv", hand_log);
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_btyd_cust *r = NULL;
    size_t n = 0;
    rt_error err;
    CHECK(rt_btyd_summarize(ev, ymd(2024, 1, 31), RT_BTYD_DAY, &r, &n, &err) == RT_OK);
    CHECK(n == 4);
    CHECK(rt_events_customers(ev) - n == 2); /* b and e excluded */
    if (r && n == 4) {
        /* a (customer 0) */
        CHECK(r[0].customer == 0);
        CHECK(r[0].first_day == ymd(2024, 1, 1));
        CHECK(r[0].x == 2);
        CHECK(r[0].t_x == 14);
        CHECK(r[0].T == 30);
        CHECK_NEAR(r[0].mbar, (20 + 25) / 2.0, REL);
        CHECK(r[0].x_star == 1);
        CHECK_NEAR(r[0].holdout_amount, 10, REL);
        /* c (customer 2: b is 1) */
        CHECK(r[1].customer == 2);
        CHECK(r[1].x == 0 && r[1].t_x == 0 && r[1].T == 0 && r[1].mbar == 0);
        CHECK(r[1].x_star == 0 && r[1].holdout_amount == 0);
        /* d */
        CHECK(r[2].customer == 3);
        CHECK(r[2].x == 0 && r[2].t_x == 0 && r[2].T == 21 && r[2].mbar == 0);
        CHECK(r[2].x_star == 2);
        CHECK_NEAR(r[2].holdout_amount, 7, REL);
        /* f */
        CHECK(r[3].customer == 5);
        CHECK(r[3].x == 1 && r[3].t_x == 28 && r[3].T == 28);
        CHECK_NEAR(r[3].mbar, 9, REL);
    }
    rt_btyd_cust_free(ev, r);

    /* The same log in weeks and in months (30.4375 days). */
    CHECK(rt_btyd_summarize(ev, ymd(2024, 1, 31), RT_BTYD_WEEK, &r, &n, &err) == RT_OK);
    if (r && n == 4) {
        CHECK_NEAR(r[0].t_x, 2, REL);
        CHECK_NEAR(r[0].T, 30.0 / 7, REL);
    }
    rt_btyd_cust_free(ev, r);
    CHECK(RT_BTYD_MONTH == 30.4375);
    CHECK(rt_btyd_summarize(ev, ymd(2024, 1, 31), RT_BTYD_MONTH, &r, &n, &err) == RT_OK);
    if (r && n == 4)
        CHECK_NEAR(r[2].T, 21 / 30.4375, REL);
    rt_btyd_cust_free(ev, r);

    /* An end before every first purchase keeps nobody; one after the data has no holdout. */
    r = (rt_btyd_cust *)(uintptr_t)1;
    n = 99;
    CHECK(rt_btyd_summarize(ev, ymd(2023, 12, 31), RT_BTYD_DAY, &r, &n, &err) == RT_OK);
    CHECK(r == NULL && n == 0);
    CHECK(rt_btyd_summarize(ev, ymd(2024, 12, 31), RT_BTYD_DAY, &r, &n, &err) == RT_OK);
    CHECK(n == 6);
    for (size_t i = 0; r && i < n; i++)
        CHECK(r[i].x_star == 0 && r[i].holdout_amount == 0);
    if (r && n == 6)
        CHECK(r[0].x == 3 && r[0].t_x == 40 && r[0].T == 365);
    rt_btyd_cust_free(ev, r);
    rt_events_free(ev);
}

static void log_without_amounts_has_zero_spend(void)
{
    rt_events *ev = load_text("noamt.csv", "customer_id,date\n"
                                           "a,2024-01-01\n"
                                           "a,2024-01-05\n"
                                           "a,2024-01-05\n"
                                           "a,2024-03-01\n");
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_btyd_cust *r = NULL;
    size_t n = 0;
    CHECK(rt_btyd_summarize(ev, ymd(2024, 1, 31), RT_BTYD_DAY, &r, &n, NULL) == RT_OK);
    CHECK(n == 1);
    if (r)
        CHECK(r[0].x == 1 && r[0].t_x == 4 && r[0].mbar == 0 && r[0].x_star == 1 &&
              r[0].holdout_amount == 0);
    rt_btyd_cust_free(ev, r);
    rt_events_free(ev);
}

/* ---- a random log against brute force ---- */

#define RC 300 /* customers */
#define RE 12  /* at most this many events each */

typedef struct gen_cust {
    int ne;
    int32_t day[RE];
    int cents[RE];
} gen_cust;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* The summary of 'g' counted the slow way: for each event, is its day new (no earlier
 * event of the same day)? */
static rt_btyd_cust brute_force(const gen_cust *g, int32_t end, double unit)
{
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (int i = 0; i < g->ne; i++)
        if (g->day[i] < first)
            first = g->day[i];
    rt_btyd_cust r = {0};
    r.first_day = first;
    double repeat = 0;
    for (int i = 0; i < g->ne; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= g->day[j] == g->day[i];
        if (dup)
            continue;
        int cents = 0;
        for (int j = 0; j < g->ne; j++)
            if (g->day[j] == g->day[i])
                cents += g->cents[j];
        if (g->day[i] > end) {
            r.x_star++;
            r.holdout_amount += cents / 100.0;
        } else if (g->day[i] != first) {
            r.x++;
            repeat += cents / 100.0;
            if (g->day[i] > last)
                last = g->day[i];
        }
    }
    r.t_x = r.x > 0 ? (last - first) / unit : 0;
    r.T = (end - first) / unit;
    r.mbar = r.x > 0 ? repeat / r.x : 0;
    return r;
}

static void random_log_matches_brute_force_count(void)
{
    static gen_cust g[RC];
    int32_t base = ymd(2023, 1, 1), end = base + 60;
    size_t total = 0;
    for (int c = 0; c < RC; c++) {
        g[c].ne = 1 + (int)rnd(RE);
        for (int i = 0; i < g[c].ne; i++) {
            g[c].day[i] = base + (int32_t)rnd(i > 0 && rnd(3) == 0 ? 5 : 100);
            g[c].cents[i] = 1 + (int)rnd(10000);
        }
        total += (size_t)g[c].ne;
    }
    /* Write the rows in random order, so the loader's sort is exercised too. */
    size_t *order = malloc(total * sizeof *order);
    char *text = malloc(total * 40 + 64);
    CHECK(order && text);
    if (!order || !text) {
        free(order);
        free(text);
        return;
    }
    for (size_t i = 0, k = 0; i < RC; i++)
        for (int e = 0; e < g[i].ne; e++)
            order[k++] = i * RE + (size_t)e;
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = rnd((uint32_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    size_t len = (size_t)sprintf(text, "customer_id,date,amount\n");
    for (size_t k = 0; k < total; k++) {
        const gen_cust *c = &g[order[k] / RE];
        int e = (int)(order[k] % RE);
        int64_t y;
        unsigned m, d;
        rt_civil_from_days(c->day[e], &y, &m, &d);
        len += (size_t)sprintf(text + len, "c%zu,%04d-%02u-%02u,%d.%02d\n", order[k] / RE, (int)y,
                               m, d, c->cents[e] / 100, c->cents[e] % 100);
    }
    rt_events *ev = load_text("random.csv", text);
    free(order);
    free(text);
    CHECK(ev != NULL);
    if (!ev)
        return;
    const double units[] = {RT_BTYD_DAY, RT_BTYD_WEEK, RT_BTYD_MONTH};
    for (int u = 0; u < 3; u++) {
        rt_btyd_cust *r = NULL;
        size_t n = 0;
        CHECK(rt_btyd_summarize(ev, end, units[u], &r, &n, NULL) == RT_OK);
        size_t want_n = 0;
        for (int c = 0; c < RC; c++)
            want_n += brute_force(&g[c], end, units[u]).first_day <= end;
        CHECK(n == want_n);
        int mismatches = 0;
        for (size_t i = 0; r && i < n; i++) {
            int before = test_failed;
            const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)r[i].customer, NULL);
            rt_btyd_cust want = brute_force(&g[atoi(id + 1)], end, units[u]);
            CHECK(i == 0 || r[i].customer > r[i - 1].customer);
            CHECK(r[i].first_day == want.first_day);
            CHECK(r[i].x == want.x && r[i].x_star == want.x_star);
            CHECK(r[i].t_x == want.t_x && r[i].T == want.T);
            /* Sums of the same cents in another order: equal to a few ulps. */
            CHECK_NEAR(r[i].mbar, want.mbar, REL);
            CHECK_NEAR(r[i].holdout_amount, want.holdout_amount, REL);
            if (test_failed != before && mismatches++ < 3)
                fprintf(stderr, "  customer %s (unit %g) differs\n", id, units[u]);
        }
        rt_btyd_cust_free(ev, r);
    }
    rt_events_free(ev);
}

/* ---- compression ---- */

static void compression_groups_identical_triples_in_sorted_order(void)
{
    const double x[] = {2, 0, 2, 1, 0, 2, 1, 2};
    const double tx[] = {5, 0, 5, 3, 0, 4, 3, 5};
    const double T[] = {9, 9, 9, 8, 7, 9, 8, 10};
    const double w[] = {1, 2, 3, 4, 5, 6, 7, 8};
    rt_btyd_patterns p;
    CHECK(rt_btyd_compress(x, tx, T, NULL, 8, &p, NULL) == RT_OK);
    /* (0,0,7) 1, (0,0,9) 1, (1,3,8) 2, (2,4,9) 1, (2,5,9) 2, (2,5,10) 1 */
    const double ex[] = {0, 0, 1, 2, 2, 2}, et[] = {0, 0, 3, 4, 5, 5}, eT[] = {7, 9, 8, 9, 9, 10};
    const double ew[] = {1, 1, 2, 1, 2, 1}, eww[] = {5, 2, 11, 6, 4, 8};
    CHECK(p.n == 6);
    for (size_t i = 0; p.n == 6 && i < 6; i++)
        CHECK(p.x[i] == ex[i] && p.t_x[i] == et[i] && p.T[i] == eT[i] && p.w[i] == ew[i]);
    rt_btyd_patterns_free(&p);
    CHECK(p.n == 0 && p.x == NULL);
    CHECK(rt_btyd_compress(x, tx, T, w, 8, &p, NULL) == RT_OK);
    CHECK(p.n == 6);
    for (size_t i = 0; p.n == 6 && i < 6; i++)
        CHECK(p.w[i] == eww[i]);
    rt_btyd_patterns_free(&p);
    rt_btyd_patterns_free(NULL);
    /* No customers: no patterns. */
    CHECK(rt_btyd_compress(NULL, NULL, NULL, NULL, 0, &p, NULL) == RT_OK);
    CHECK(p.n == 0 && p.x == NULL && p.w == NULL);
}

static void compression_of_cdnow_keeps_every_customer(void)
{
    rt_events *ev = load_cdnow("masterid");
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_btyd_cust *r = NULL;
    size_t n = 0;
    CHECK(rt_btyd_summarize(ev, ymd(1997, 9, 30), RT_BTYD_WEEK, &r, &n, NULL) == RT_OK);
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T);
    CHECK(r && x && tx && T);
    if (r && x && tx && T) {
        for (size_t i = 0; i < n; i++) {
            x[i] = r[i].x;
            tx[i] = r[i].t_x;
            T[i] = r[i].T;
        }
        rt_btyd_patterns p;
        CHECK(rt_btyd_compress(x, tx, T, NULL, n, &p, NULL) == RT_OK);
        CHECK(p.n > 0 && p.n < n);
        double total = 0, sx = 0;
        int sorted = 1;
        for (size_t i = 0; i < p.n; i++) {
            total += p.w[i];
            sx += p.w[i] * p.x[i];
            /* Strictly increasing (x, t_x, T): sorted, and no pattern twice. */
            if (i > 0 &&
                !(p.x[i - 1] < p.x[i] ||
                  (p.x[i - 1] == p.x[i] &&
                   (p.t_x[i - 1] < p.t_x[i] || (p.t_x[i - 1] == p.t_x[i] && p.T[i - 1] < p.T[i])))))
                sorted = 0;
        }
        CHECK(sorted);
        CHECK(total == (double)n);
        CHECK(sx == 2457);
        /* Every customer finds its pattern, and each pattern's weight is its count. */
        int found = 1;
        for (size_t i = 0; i < n && found; i++) {
            size_t lo = 0, hi = p.n;
            while (lo < hi) { /* binary search on the sorted patterns */
                size_t mid = lo + (hi - lo) / 2;
                int less = p.x[mid] < x[i] ||
                           (p.x[mid] == x[i] &&
                            (p.t_x[mid] < tx[i] || (p.t_x[mid] == tx[i] && p.T[mid] < T[i])));
                if (less)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            found = lo < p.n && p.x[lo] == x[i] && p.t_x[lo] == tx[i] && p.T[lo] == T[i];
        }
        CHECK(found);
        rt_btyd_patterns_free(&p);
    }
    free(x);
    free(tx);
    free(T);
    rt_btyd_cust_free(ev, r);
    rt_events_free(ev);
}

/* ---- errors ---- */

static void bad_arguments_are_rejected_with_empty_outputs(void)
{
    rt_events *ev = load_text("misuse.csv", "customer_id,date,amount\na,2024-01-01,1\n");
    CHECK(ev != NULL);
    if (!ev)
        return;
    rt_btyd_cust *r = (rt_btyd_cust *)(uintptr_t)1;
    size_t n = 7;
    rt_error err;
    CHECK(rt_btyd_summarize(NULL, 0, 7, &r, &n, &err) == RT_EMISUSE);
    CHECK(r == NULL && n == 0);
    CHECK(rt_btyd_summarize(ev, 0, 7, NULL, &n, &err) == RT_EMISUSE);
    CHECK(rt_btyd_summarize(ev, 0, 7, &r, NULL, &err) == RT_EMISUSE);
    const double bad_units[] = {0, -7, (double)NAN, (double)INFINITY};
    for (int i = 0; i < 4; i++) {
        r = (rt_btyd_cust *)(uintptr_t)1;
        n = 7;
        CHECK(rt_btyd_summarize(ev, ymd(2024, 2, 1), bad_units[i], &r, &n, &err) == RT_EMISUSE);
        CHECK(r == NULL && n == 0);
        CHECK(strstr(err.msg, "time unit") != NULL);
    }
    rt_events_free(ev);

    const double x[] = {1, 2}, tx[] = {1, (double)NAN}, T[] = {3, 4}, w[] = {1, -1};
    const double ok[] = {1, 1};
    rt_btyd_patterns p;
    CHECK(rt_btyd_compress(x, tx, T, NULL, 2, &p, &err) == RT_EDOMAIN);
    CHECK(p.n == 0 && p.x == NULL);
    CHECK_STREQ(err.msg, "btyd patterns: customer 1 has a non-finite value (x = 2, t_x = nan, "
                         "T = 4)");
    CHECK(rt_btyd_compress(x, ok, T, w, 2, &p, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "btyd patterns: customer 1 has weight -1 (must be finite and >= 0)");
    CHECK(rt_btyd_compress(NULL, ok, T, NULL, 2, &p, &err) == RT_EMISUSE);
    CHECK(rt_btyd_compress(x, ok, T, NULL, 2, NULL, &err) == RT_EMISUSE);
}

/* ---- a failing allocator ---- */

typedef struct hook {
    long calls, fail_at, live; /* fail_at: 1-based call to fail; 0 = never */
} hook;

static void *hook_alloc(void *ud, size_t size)
{
    hook *h = ud;
    if (++h->calls == h->fail_at)
        return NULL;
    void *p = malloc(size);
    h->live += p != NULL;
    return p;
}

static void *hook_resize(void *ud, void *ptr, size_t size)
{
    hook *h = ud;
    if (++h->calls == h->fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    h->live += p && !ptr;
    return p;
}

static void hook_release(void *ud, void *ptr)
{
    hook *h = ud;
    if (ptr)
        h->live--;
    free(ptr);
}

/* The rows come from the table's allocator: failing it gives RT_ENOMEM, no rows, no leak. */
static void summary_fails_cleanly_when_allocation_fails(void)
{
    hook h = {0};
    rt_allocator a = {hook_alloc, hook_resize, hook_release, &h};
    rt_load_options o = {0};
    o.threads = 1;
    o.allocator = &a;
    rt_events *ev = NULL;
    CHECK(rt_events_read(write_text("faults.csv", hand_log), &o, &ev, NULL) == RT_OK);
    if (!ev)
        return;
    long live = h.live;
    for (long k = 1; k <= 2; k++) {
        h.calls = 0;
        h.fail_at = k;
        rt_btyd_cust *r = (rt_btyd_cust *)(uintptr_t)1;
        size_t n = 7;
        rt_error err;
        rt_status st = rt_btyd_summarize(ev, ymd(2024, 1, 31), RT_BTYD_DAY, &r, &n, &err);
        if (k == 1) {
            CHECK(st == RT_ENOMEM && r == NULL && n == 0);
            CHECK_STREQ(err.msg, "out of memory");
            CHECK(h.live == live);
        } else {
            CHECK(st == RT_OK && r != NULL && n == 4);
            CHECK(h.calls == 1); /* one allocation in all */
            CHECK(h.live == live + 1);
            rt_btyd_cust_free(ev, r);
            CHECK(h.live == live);
        }
    }
    rt_events_free(ev);
    CHECK(h.live == 0);
}

int main(void)
{
    TEST(cdnow_summary_matches_btyd_for_every_customer);
    TEST(hand_made_log_gives_the_counts_spelled_out);
    TEST(log_without_amounts_has_zero_spend);
    TEST(random_log_matches_brute_force_count);
    TEST(compression_groups_identical_triples_in_sorted_order);
    TEST(compression_of_cdnow_keeps_every_customer);
    TEST(bad_arguments_are_rejected_with_empty_outputs);
    TEST(summary_fails_cleanly_when_allocation_fails);
    remove_files();
    return test_report();
}
