/* test_retention.c - rt_retention_run against a brute-force loop over (customer, period)
 * pairs that applies the definitions literally (active at t = an event in (t - W, t], scanned
 * event by event), on random logs with lapses, returns, same-day repeats and refunds, and on
 * a simulated log, for every period kind, several windows and thread counts; plus known
 * answers on a hand-made log, the metadata, annualized columns and option errors.
 * The brute force finds period starts with gmtime_r, not with retain's period code.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- files ---- */

static char tmpdir[64];
static char paths[16][128];
static size_t npaths;

/* Write 'text' to a new file in the temporary folder; returns its path. */
static const char *write_file(const char *text, size_t len)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/retain-test-retention-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    if (npaths == sizeof paths / sizeof paths[0]) {
        fprintf(stderr, "too many test files\n");
        exit(2);
    }
    char *path = paths[npaths];
    snprintf(path, sizeof paths[0], "%s/f%zu.csv", tmpdir, npaths);
    npaths++;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return path;
}

static void remove_files(void)
{
    for (size_t i = 0; i < npaths; i++)
        unlink(paths[i]);
    if (tmpdir[0])
        rmdir(tmpdir);
}

static rt_events *load(const char *path, int threads)
{
    rt_load_options lo = {.threads = threads};
    rt_events *ev = NULL;
    rt_error err;
    if (rt_events_read(path, &lo, &ev, &err) != RT_OK) {
        fprintf(stderr, "load %s: %s\n", path, err.msg);
        exit(2);
    }
    return ev;
}

static rt_events *load_text(const char *text, int threads)
{
    return load(write_file(text, strlen(text)), threads);
}

/* ---- the brute force ---- */

/* Is 'day' the first day of a period of kind 'p'? Decided with the C library's calendar. */
static int is_start(rt_period p, int32_t day)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    switch (p) {
    case RT_PERIOD_DAY:
        return 1;
    case RT_PERIOD_WEEK:
        return tm.tm_wday == 1;
    case RT_PERIOD_MONTH:
        return tm.tm_mday == 1;
    case RT_PERIOD_QUARTER:
        return tm.tm_mday == 1 && tm.tm_mon % 3 == 0;
    case RT_PERIOD_YEAR:
        return tm.tm_mday == 1 && tm.tm_mon == 0;
    }
    return 0;
}

/* Is customer 'c' active at day 't': an event in (t - W, t]? */
static int active(const rt_events *ev, size_t c, int64_t t, int64_t W)
{
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    for (uint64_t i = off[c]; i < off[c + 1]; i++)
        if (day[i] > t - W && day[i] <= t)
            return 1;
    return 0;
}

static int64_t cell_int(const rt_result *r, size_t row, size_t col, int *ok)
{
    rt_value v = rt_result_table_cell(r, 0, row, col);
    if (v.type != RT_VAL_INT && v.type != RT_VAL_DATE)
        *ok = 0;
    return v.i;
}

/* A double cell, NaN for null. */
static double cell_dbl(const rt_result *r, size_t row, size_t col, int *ok)
{
    rt_value v = rt_result_table_cell(r, 0, row, col);
    if (v.type == RT_VAL_NULL)
        return (double)NAN;
    if (v.type != RT_VAL_DOUBLE)
        *ok = 0;
    return v.d;
}

/* Compare two doubles that must come out of the same IEEE operations (or both be null). */
static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Check every cell and the metadata of 'r' against the definitions applied to 'ev' literally.
 * Returns the number of rows checked. */
static size_t check_brute(const rt_events *ev, const rt_result *r, rt_period per, int64_t W,
                          int annualize)
{
    size_t nc = rt_events_customers(ev);
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t c = 0; c < nc; c++)
        for (uint64_t i = off[c]; i < off[c + 1]; i++) {
            first = day[i] < first ? day[i] : first;
            last = day[i] > last ? day[i] : last;
        }
    int32_t a = first;
    while (!is_start(per, a))
        a--;
    size_t row = 0, short_history = 0;
    int ok = 1, mismatch = 0;
    while (a <= last) {
        int32_t b = a + 1;
        while (!is_start(per, b))
            b++;
        if (b - 1 > last) { /* the partial last period: omitted, and named in the fields */
            int found;
            rt_value s = rt_result_get(r, "omitted_period_start", &found);
            rt_value e = rt_result_get(r, "omitted_period_end", &found);
            CHECK(s.type == RT_VAL_DATE && s.i == a);
            CHECK(e.type == RT_VAL_DATE && e.i == b - 1);
            break;
        }
        int64_t S = 0, E = 0, N = 0, kept = 0, react = 0, lost = 0;
        for (size_t c = 0; c < nc; c++) {
            int s = active(ev, c, a - 1, W), e = active(ev, c, b - 1, W);
            int32_t f = day[off[c]];
            for (uint64_t i = off[c]; i < off[c + 1]; i++)
                f = day[i] < f ? day[i] : f;
            int born = f >= a && f < b;
            S += s;
            E += e;
            N += born;
            kept += s && e;
            react += e && !s && !born;
            lost += s && !e;
        }
        CHECK(row < rt_result_table_rows(r, 0)); /* a row for every complete period */
        if (row >= rt_result_table_rows(r, 0))
            return row;
        double crr = S ? (double)(E - N) / (double)S : (double)NAN;
        double idr = S ? (double)kept / (double)S : (double)NAN;
        mismatch |= cell_int(r, row, 0, &ok) != a;
        mismatch |= cell_int(r, row, 1, &ok) != b - 1;
        mismatch |= cell_int(r, row, 2, &ok) != S;
        mismatch |= cell_int(r, row, 3, &ok) != N;
        mismatch |= cell_int(r, row, 4, &ok) != E;
        mismatch |= !same(cell_dbl(r, row, 5, &ok), crr);
        mismatch |= !same(cell_dbl(r, row, 6, &ok), 1 - crr);
        mismatch |= cell_int(r, row, 7, &ok) != kept;
        mismatch |= cell_int(r, row, 8, &ok) != react;
        mismatch |= cell_int(r, row, 9, &ok) != lost;
        mismatch |= !same(cell_dbl(r, row, 10, &ok), idr);
        mismatch |= cell_int(r, row, 11, &ok) != (a - first >= W);
        short_history += a - first < W;
        if (annualize) {
            double days = b - a;
            double ok_crr = S && crr >= 0 ? crr : (double)NAN;
            mismatch |= cell_int(r, row, 12, &ok) != b - a;
            mismatch |= !same(cell_dbl(r, row, 13, &ok), 1 - pow(ok_crr, 1 / days));
            mismatch |= !same(cell_dbl(r, row, 14, &ok), 1 - pow(ok_crr, 365 / days));
        }
        if (mismatch) {
            fprintf(stderr, "%s: period %s W=%lld row %zu: S=%lld N=%lld E=%lld kept=%lld\n",
                    test_current, rt_period_name(per), (long long)W, row, (long long)S,
                    (long long)N, (long long)E, (long long)kept);
            CHECK(!mismatch);
            return row;
        }
        row++;
        a = b;
    }
    CHECK(ok);
    CHECK(!mismatch);
    CHECK(rt_result_table_rows(r, 0) == row);
    CHECK(rt_result_table_cols(r, 0) == (annualize ? 15u : 12u));
    CHECK(rt_result_main_table(r) == 0);
    int found;
    CHECK(rt_result_get(r, "periods", &found).i == (int64_t)row);
    CHECK(rt_result_get(r, "periods_without_full_history", &found).i == (int64_t)short_history);
    CHECK(rt_result_get(r, "active_window", &found).i == W);
    CHECK(rt_result_get(r, "first_date", &found).i == first);
    CHECK(rt_result_get(r, "last_date", &found).i == last);
    CHECK(rt_result_get(r, "customers", &found).i == (int64_t)nc);
    if (a > last) /* every period complete */
        CHECK(rt_result_get(r, "omitted_period_start", &found).type == RT_VAL_NULL);
    return row;
}

static rt_result *run(const rt_events *ev, rt_period per, int32_t W, int annualize, int threads)
{
    rt_retention_options o = {
        .period = per, .active_window = W, .annualize = annualize, .threads = threads};
    rt_result *r = NULL;
    rt_error err;
    rt_status st = rt_retention_run(ev, &o, &r, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return r;
}

/* ---- random logs ---- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((rng_state >> 33) % n);
}

/* A log of 'nc' customers over 'span' days from 2023-11-20: bursts of purchases separated
 * by lapses of up to a year, same-day repeats, refunds netted into a purchase and refunds on
 * days without one (dropped by the loader), rows in shuffled-ish order. */
static char *random_log(uint64_t seed, int nc, int span)
{
    rng_state = seed;
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    if (!s)
        exit(2);
    len += (size_t)snprintf(s, cap, "customer_id,date,amount\n");
    int32_t base = 19681; /* 2023-11-20, a Monday */
    for (int c = nc - 1; c >= 0; c--) {
        int32_t d = base + (int32_t)rnd((uint32_t)span);
        int n = 1 + (int)rnd(8);
        for (int i = 0; i < n && d < base + span; i++) {
            char date[16];
            rt_date_format(d, date);
            int kind = (int)rnd(10);
            if (len + 200 > cap) {
                cap *= 2;
                char *q = realloc(s, cap);
                if (!q)
                    exit(2);
                s = q;
            }
            len += (size_t)snprintf(s + len, cap - len, "c%d,%s,%u.5\n", c, date, rnd(100));
            if (kind == 0) /* a same-day repeat */
                len += (size_t)snprintf(s + len, cap - len, "c%d,%s,3\n", c, date);
            else if (kind == 1) /* a refund netted into today's purchase */
                len += (size_t)snprintf(s + len, cap - len, "c%d,%s,-1.25\n", c, date);
            else if (kind == 2) { /* a refund the day after: dropped unless a purchase then */
                rt_date_format(d + 1, date);
                len += (size_t)snprintf(s + len, cap - len, "c%d,%s,-2\n", c, date);
            }
            int lapse = (int)rnd(4);
            d += lapse == 0   ? (int32_t)rnd(3)
                 : lapse == 1 ? 1 + (int32_t)rnd(40)
                              : 30 + (int32_t)rnd(330);
        }
    }
    s[len] = '\0';
    return s;
}

static void random_logs_match_brute_force(void)
{
    static const rt_period pers[] = {RT_PERIOD_DAY, RT_PERIOD_WEEK, RT_PERIOD_MONTH,
                                     RT_PERIOD_QUARTER, RT_PERIOD_YEAR};
    static const int32_t windows[] = {1, 2, 7, 30, 31, 90, 365, 1000};
    for (uint64_t seed = 1; seed <= 4; seed++) {
        char *text = random_log(seed, 60 + 40 * (int)seed, seed == 4 ? 900 : 500);
        rt_events *ev = load_text(text, 2);
        free(text);
        size_t rows = 0;
        for (size_t p = 0; p < sizeof pers / sizeof pers[0]; p++)
            for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
                int threads = 1 + (int)((p + w + seed) % 5);
                rt_result *r = run(ev, pers[p], windows[w], (int)(w % 2), threads);
                rows += check_brute(ev, r, pers[p], windows[w], (int)(w % 2));
                rt_result_free(r);
            }
        CHECK(rows > 100);
        rt_events_free(ev);
    }
}

static void simulated_log_matches_brute_force(void)
{
    rt_sim_options so = {.customers = 400, .days = 800, .seed = 5, .start_day = 19700};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rt_error err;
    CHECK(f && rt_simulate(&so, f, NULL, NULL, &err) == RT_OK);
    fclose(f);
    rt_events *ev = load(write_file(buf, len), 0);
    free(buf);
    static const rt_period pers[] = {RT_PERIOD_WEEK, RT_PERIOD_MONTH, RT_PERIOD_QUARTER,
                                     RT_PERIOD_YEAR};
    for (size_t p = 0; p < 4; p++)
        for (int32_t w = 10; w <= 400; w *= 3) {
            rt_result *r = run(ev, pers[p], w, 1, 0);
            check_brute(ev, r, pers[p], w, 1);
            rt_result_free(r);
        }
    rt_events_free(ev);
}

/* ---- known answers ---- */

/* The golden log of tests/cli/retention-small-*: W = 30, months January to August 2024. */
static const char small_log[] = "customer_id,date,amount\n"
                                "B,2024-01-20,20.00\n"
                                "A,2024-01-05,10.00\n"
                                "G,2024-01-31,7.00\n"
                                "A,2024-01-05,5.00\n"
                                "C,2024-02-28,9.00\n"
                                "A,2024-02-10,12.00\n"
                                "D,2024-03-31,30.00\n"
                                "A,2024-03-15,11.00\n"
                                "D,2024-03-31,-5.00\n"
                                "E,2024-04-02,14.00\n"
                                "H,2024-05-01,4.00\n"
                                "E,2024-05-02,-4.00\n"
                                "J,2024-05-01,2.50\n"
                                "B,2024-05-10,8.00\n"
                                "G,2024-06-01,6.00\n"
                                "F,2024-06-30,3.00\n"
                                "I,2024-08-31,1.00\n";

static void hand_made_log_gives_known_answers(void)
{
    rt_events *ev = load_text(small_log, 1);
    rt_result *r = run(ev, RT_PERIOD_MONTH, 30, 1, 3);
    /* Worked out by hand (see tests/cli/retention-small-csv): S, N, E, retained,
     * reactivated, lost per month. */
    static const int64_t want[8][6] = {{0, 3, 3, 0, 0, 0}, {3, 1, 3, 2, 0, 1}, {3, 1, 2, 1, 0, 2},
                                       {2, 1, 1, 0, 0, 2}, {1, 2, 1, 0, 1, 1}, {1, 1, 2, 0, 1, 1},
                                       {2, 0, 0, 0, 0, 2}, {0, 1, 1, 0, 0, 0}};
    static const int cols[6] = {2, 3, 4, 7, 8, 9};
    CHECK(rt_result_table_rows(r, 0) == 8);
    int ok = 1;
    for (size_t p = 0; p < 8 && rt_result_table_rows(r, 0) == 8; p++)
        for (int k = 0; k < 6; k++)
            CHECK(cell_int(r, p, (size_t)cols[k], &ok) == want[p][k]);
    CHECK(ok);
    /* crr = (E - N) / S: null when S = 0, negative in May (two new customers lapse). */
    CHECK(rt_result_table_cell(r, 0, 0, 5).type == RT_VAL_NULL);
    CHECK(cell_dbl(r, 1, 5, &ok) == 2.0 / 3);
    CHECK(cell_dbl(r, 4, 5, &ok) == -1.0);
    CHECK(cell_dbl(r, 4, 6, &ok) == 2.0);
    /* February has 29 days in 2024; annualizing a crr of 0 gives churn 1, of -1 null. */
    CHECK(cell_int(r, 1, 12, &ok) == 29);
    CHECK_NEAR(cell_dbl(r, 1, 13, &ok), 1 - pow(2.0 / 3, 1.0 / 29), 1e-15);
    CHECK(cell_dbl(r, 3, 14, &ok) == 1.0);
    CHECK(rt_result_table_cell(r, 0, 4, 13).type == RT_VAL_NULL);
    /* A customer acquired on the data's last day (I) counts in the complete last period. */
    CHECK(cell_int(r, 7, 3, &ok) == 1 && cell_int(r, 7, 4, &ok) == 1);
    int found;
    CHECK(rt_result_get(r, "events", &found).i == 15);
    CHECK(rt_result_get(r, "omitted_period_start", &found).type == RT_VAL_NULL && found);
    check_brute(ev, r, RT_PERIOD_MONTH, 30, 1);
    rt_result_free(r);
    rt_events_free(ev);
}

static void week_across_year_end_omits_partial_last_week(void)
{
    rt_events *ev = load_text("customer_id,date\n"
                              "Q,2024-12-29\nP,2024-12-23\nR,2025-01-01\nP,2024-12-31\n"
                              "Q,2025-01-04\nP,2025-01-07\nS,2025-01-22\n",
                              1);
    rt_result *r = run(ev, RT_PERIOD_WEEK, 7, 0, 2);
    int ok = 1;
    CHECK(rt_result_table_rows(r, 0) == 4);
    /* ISO week 1 of 2025 runs from Monday 2024-12-30 to Sunday 2025-01-05. */
    int32_t d;
    rt_date_parse("2024-12-30", &d);
    CHECK(cell_int(r, 1, 0, &ok) == d && cell_int(r, 1, 1, &ok) == d + 6);
    /* P lapses on 2024-12-30 and comes back the next day: retained at the boundaries. */
    CHECK(cell_int(r, 1, 2, &ok) == 2 && cell_int(r, 1, 7, &ok) == 2);
    /* The week of 2025-01-13 has no events; the week of 2025-01-22 is partial. */
    CHECK(cell_int(r, 3, 2, &ok) == 1 && cell_int(r, 3, 4, &ok) == 0);
    int found;
    rt_date_parse("2025-01-20", &d);
    CHECK(rt_result_get(r, "omitted_period_start", &found).i == d);
    CHECK(ok);
    check_brute(ev, r, RT_PERIOD_WEEK, 7, 0);
    rt_result_free(r);
    rt_events_free(ev);
}

static void one_partial_period_gives_no_rows(void)
{
    rt_events *ev = load_text("customer_id,date\nA,2024-03-05\nB,2024-03-20\n", 1);
    rt_result *r = run(ev, RT_PERIOD_MONTH, 0, 0, 0);
    CHECK(rt_result_table_rows(r, 0) == 0);
    int found;
    CHECK(rt_result_get(r, "periods", &found).i == 0);
    CHECK(rt_result_get(r, "active_window", &found).i == 90); /* 0 means the default */
    rt_result_free(r);
    rt_events_free(ev);
}

static void options_are_checked(void)
{
    rt_events *ev = load_text(small_log, 1);
    rt_result *r = (rt_result *)1;
    rt_error err;
    rt_retention_options o = {.active_window = -1};
    CHECK(rt_retention_run(ev, &o, &r, &err) == RT_EMISUSE && r == NULL);
    CHECK(strstr(err.msg, "active window") != NULL);
    o = (rt_retention_options){.period = (rt_period)42};
    r = (rt_result *)1;
    CHECK(rt_retention_run(ev, &o, &r, &err) == RT_EMISUSE && r == NULL);
    CHECK(rt_retention_run(NULL, &o, &r, &err) == RT_EMISUSE && r == NULL);
    CHECK(rt_retention_run(ev, NULL, NULL, NULL) == RT_EMISUSE);
    /* NULL options: month, W = 90. */
    CHECK(rt_retention_run(ev, NULL, &r, NULL) == RT_OK && r != NULL);
    int found;
    CHECK_STREQ(rt_result_get(r, "period", &found).s, "month");
    check_brute(ev, r, RT_PERIOD_MONTH, 90, 0);
    rt_result_free(r);
    rt_events_free(ev);
}

int main(void)
{
    TEST(hand_made_log_gives_known_answers);
    TEST(week_across_year_end_omits_partial_last_week);
    TEST(one_partial_period_gives_no_rows);
    TEST(options_are_checked);
    TEST(random_logs_match_brute_force);
    TEST(simulated_log_matches_brute_force);
    remove_files();
    return test_report();
}
