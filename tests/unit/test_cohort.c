/* test_cohort.c - rt_cohort_run (src/metrics/cohort.c) against a brute-force loop on random
 * logs written to a temporary CSV (refunds netted and dropped, same-day repeats, lapses,
 * customers acquired on the last day, year ends), every period x window x mode x metric and
 * several thread counts; a hand-computed case; option and input errors; and fault injection
 * (every allocation failure returns RT_ENOMEM cleanly and leaks nothing).
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a temporary file ---- */

static char tmppath[64];

/* Write 'text' to the temporary file (made on first use); returns its path. */
static const char *write_temp(const char *text)
{
    if (!tmppath[0]) {
        snprintf(tmppath, sizeof tmppath, "/tmp/retain-test-cohort-XXXXXX");
        int fd = mkstemp(tmppath);
        if (fd < 0) {
            perror("mkstemp");
            exit(2);
        }
        close(fd);
    }
    FILE *f = fopen(tmppath, "wb");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(tmppath);
        exit(2);
    }
    return tmppath;
}

static int32_t day_of(const char *iso)
{
    int32_t d = 0;
    if (rt_date_parse(iso, &d) != 0)
        fprintf(stderr, "bad date %s\n", iso);
    return d;
}

/* The cell of column 'name' in row 'row' of the table called 'table'. A missing table or
 * column gives an RT_VAL_NULL value with '*ok' cleared. */
static rt_value cell(const rt_result *r, const char *table, size_t row, const char *name, int *ok)
{
    rt_value none = {0};
    for (size_t t = 0; t < rt_result_table_count(r); t++) {
        if (strcmp(rt_result_table_name(r, t), table) != 0)
            continue;
        for (size_t c = 0; c < rt_result_table_cols(r, t); c++)
            if (strcmp(rt_result_table_col_name(r, t, c), name) == 0 &&
                row < rt_result_table_rows(r, t))
                return rt_result_table_cell(r, t, row, c);
    }
    *ok = 0;
    return none;
}

static size_t rows_of(const rt_result *r, const char *table)
{
    for (size_t t = 0; t < rt_result_table_count(r); t++)
        if (strcmp(rt_result_table_name(r, t), table) == 0)
            return rt_result_table_rows(r, t);
    return (size_t)-1;
}

/* ---- random logs ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* One (customer, day) with a purchase, after netting: events and revenue. */
typedef struct cday {
    int32_t day;
    int n;
    double rev, mag; /* mag: sum of |amounts|, the scale of rounding error in rev */
} cday;

#define MAXC 48
#define MAXD 40

typedef struct logset {
    int ncust;
    int nday[MAXC]; /* purchase days of each customer (0: refunds only, not a customer) */
    cday d[MAXC][MAXD];
    char *csv;
} logset;

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        char *p = realloc(*buf, *cap);
        if (!p)
            exit(2);
        *buf = p;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* Add a row for customer 'c' on 'day' with 'cents' to the log and to the brute-force days
 * (a negative amount nets into a purchase day or is dropped, decided once all rows are in). */
typedef struct raw {
    int c;
    int32_t day;
    long cents;
} raw;

static int by_cust_day(const void *a, const void *b)
{
    const raw *x = a, *y = b;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

/* A random log: up to MAXC customers acquired over a random span around a year end, each
 * with purchases that may repeat the same day, lapse and return; refunds on purchase days
 * and on days without one; a customer buying only on the data's last day. */
static void make_log(logset *L, uint64_t seed)
{
    rng_state = seed * 0x9E3779B97F4A7C15u + 1;
    raw rows[MAXC * MAXD];
    size_t nr = 0;
    int32_t base = day_of("2024-11-20") + (int32_t)rnd(60);
    int32_t span = 5 + (int32_t)rnd(seed % 3 == 0 ? 30 : 200);
    L->ncust = 1 + (int)rnd(MAXC - 1);
    int32_t last = base;
    for (int c = 0; c < L->ncust; c++) {
        int32_t d = base + (int32_t)rnd((unsigned)span);
        int k = 1 + (int)rnd(12);
        for (int e = 0; e < k && nr < MAXC * MAXD - 4; e++) {
            long cents = (long)rnd(20000);
            if (rnd(10) == 0)
                cents = -cents - 1; /* a refund: netted if the day has a purchase */
            rows[nr++] = (raw){c, d, cents};
            last = d > last ? d : last;
            unsigned step = rnd(8);
            d += step < 3 ? 0 : step < 6 ? (int32_t)rnd(20) : (int32_t)rnd(120); /* lapses */
            if (d > base + span)
                break;
        }
    }
    /* Someone acquired on the last day. */
    if (L->ncust < MAXC && rnd(2)) {
        rows[nr++] = (raw){L->ncust, last, 1234};
        L->ncust++;
    }
    /* Shuffle the file order: the loader must sort. */
    for (size_t i = nr; i > 1; i--) {
        size_t j = rnd((unsigned)i);
        raw t = rows[i - 1];
        rows[i - 1] = rows[j];
        rows[j] = t;
    }
    size_t len = 0, cap = 0;
    L->csv = NULL;
    append(&L->csv, &len, &cap, "customer_id,date,amount\n");
    for (size_t i = 0; i < nr; i++) {
        char line[96], date[16];
        rt_date_format(rows[i].day, date);
        long a = rows[i].cents < 0 ? -rows[i].cents : rows[i].cents;
        snprintf(line, sizeof line, "K%03d,%s,%s%ld.%02ld\n", rows[i].c, date,
                 rows[i].cents < 0 ? "-" : "", a / 100, a % 100);
        append(&L->csv, &len, &cap, line);
    }
    /* The brute-force days: per customer and day, events = non-negative rows; revenue =
     * every row of the day when it has one, else the day does not exist (dropped). */
    qsort(rows, nr, sizeof *rows, by_cust_day);
    memset(L->nday, 0, sizeof L->nday);
    for (size_t i = 0; i < nr;) {
        size_t j = i;
        int n = 0;
        double rev = 0, mag = 0;
        for (; j < nr && rows[j].c == rows[i].c && rows[j].day == rows[i].day; j++) {
            double a = (double)rows[j].cents / 100;
            n += rows[j].cents >= 0;
            rev += a;
            mag += a < 0 ? -a : a;
        }
        if (n > 0 && L->nday[rows[i].c] < MAXD)
            L->d[rows[i].c][L->nday[rows[i].c]++] = (cday){rows[i].day, n, rev, mag};
        i = j;
    }
}

/* ---- the brute force ---- */

static const int32_t rolling_len[] = {30, 7, 91, 365, 1}; /* by rt_period */

/* Calendar offset of 'd' from the period starting 'cs': walk period by period. */
static int walk_offset(rt_period p, int32_t cs, int32_t d)
{
    int k = 0;
    while (rt_period_add(p, cs, k + 1) <= d)
        k++;
    return k;
}

/* The brute-force value of cell (cohort starting 'start', offset 'k'): over the cohort's
 * members and their purchase days at offset k (on) or >= k (on-or-after), the customers
 * active, the events, or the revenue; '*mag' gets the revenue's scale (sum of |amounts|). */
static double brute_value(const logset *L, const rt_cohort_options *o, const int32_t *cs,
                          int32_t start, int k, double *mag)
{
    int32_t len = o->window == RT_WINDOW_ROLLING ? rolling_len[o->period] : 0;
    double v = 0;
    *mag = 0;
    for (int c = 0; c < L->ncust; c++) {
        if (!L->nday[c] || cs[c] != start)
            continue;
        int active = 0;
        for (int j = 0; j < L->nday[c]; j++) {
            const cday *e = &L->d[c][j];
            int kk = len ? (e->day - L->d[c][0].day) / len : walk_offset(o->period, start, e->day);
            if (kk == k || (o->mode == RT_COHORT_ON_OR_AFTER && kk > k)) {
                active = 1;
                if (o->metric == RT_COHORT_ORDERS)
                    v += e->n;
                if (o->metric == RT_COHORT_REVENUE) {
                    v += e->rev;
                    *mag += e->mag;
                }
            }
        }
        if (o->metric == RT_COHORT_CUSTOMERS)
            v += active;
    }
    return v;
}

/* Compare one configuration's result with the brute force; returns the mismatches (and
 * prints the first). */
static int compare(const logset *L, const rt_cohort_options *o, const rt_result *r, uint64_t seed)
{
    rt_period p = o->period;
    int32_t len = o->window == RT_WINDOW_ROLLING ? rolling_len[p] : 0;
    int32_t end = INT32_MIN;
    for (int c = 0; c < L->ncust; c++)
        if (L->nday[c])
            end = L->d[c][L->nday[c] - 1].day > end ? L->d[c][L->nday[c] - 1].day : end;
    /* Cohort starts of the customers, and the distinct starts in order. */
    int32_t cs[MAXC], starts[MAXC];
    int ns = 0;
    for (int c = 0; c < L->ncust; c++) {
        if (!L->nday[c])
            continue;
        cs[c] = rt_period_floor(p, L->d[c][0].day);
        int seen = 0;
        for (int s = 0; s < ns; s++)
            seen |= starts[s] == cs[c];
        if (!seen)
            starts[ns++] = cs[c];
    }
    for (int a = 1; a < ns; a++) /* insertion sort */
        for (int b = a; b > 0 && starts[b - 1] > starts[b]; b--) {
            int32_t t = starts[b];
            starts[b] = starts[b - 1];
            starts[b - 1] = t;
        }
    int bad = 0, ok = 1;
    size_t x = 0;
    /* Per offset sums for the average: cohorts, size, value, offset-0 value, magnitude. */
    double avg[5][400];
    memset(avg, 0, sizeof avg);
    int maxk = 0;
    if (rows_of(r, "cohorts") != (size_t)ns) {
        fprintf(stderr, "seed %llu: %zu cohorts, expected %d\n", (unsigned long long)seed,
                rows_of(r, "cohorts"), ns);
        return 1;
    }
    for (int s = 0; s < ns; s++) {
        int size = 0;
        for (int c = 0; c < L->ncust; c++)
            size += L->nday[c] && cs[c] == starts[s];
        /* Complete offsets: the whole period c + k, or every member's window k, ends by
         * 'end'. */
        int K = 0;
        for (;; K++) {
            int complete = 1;
            if (!len)
                complete = rt_period_add(p, starts[s], K + 1) - 1 <= end;
            for (int c = 0; len && c < L->ncust; c++)
                if (L->nday[c] && cs[c] == starts[s] && L->d[c][0].day + (K + 1) * len - 1 > end)
                    complete = 0;
            if (!complete)
                break;
        }
        bad += cell(r, "cohorts", (size_t)s, "cohort", &ok).i != starts[s];
        bad += cell(r, "cohorts", (size_t)s, "cohort_size", &ok).i != size;
        bad += cell(r, "cohorts", (size_t)s, "complete_offsets", &ok).i != K;
        double v0 = 0, m0 = 0;
        for (int k = 0; k < K; k++) {
            double mag;
            double v = brute_value(L, o, cs, starts[s], k, &mag);
            if (k == 0) {
                v0 = v;
                m0 = mag;
            }
            /* Counts are exact; revenue differs from the loader's and retain's order of
             * addition by a few ulps of the magnitude: 1e-9 of it is far above that and far
             * below a cent. A rate v / v0 inherits both errors, relative to |v0|; for counts
             * the 1e-9 relative slack only allows for the division, done the same way. */
            double tol = o->metric == RT_COHORT_REVENUE ? 1e-9 * (mag + 1) : 0;
            double got = cell(r, "cells", x, "value", &ok).type == RT_VAL_INT
                             ? (double)cell(r, "cells", x, "value", &ok).i
                             : cell(r, "cells", x, "value", &ok).d;
            double rate = cell(r, "cells", x, "rate", &ok).d;
            int here =
                cell(r, "cells", x, "cohort", &ok).i != starts[s] ||
                cell(r, "cells", x, "offset", &ok).i != k ||
                cell(r, "cells", x, "cohort_size", &ok).i != size || fabs(got - v) > tol ||
                (v0 != 0 && fabs(rate - v / v0) > 1e-9 * (fabs(v / v0) + (mag + m0) / fabs(v0))) ||
                (v0 == 0 && isfinite(rate));
            if (o->metric != RT_COHORT_CUSTOMERS)
                here |= fabs(cell(r, "cells", x, "per_customer", &ok).d - v / size) > tol / size;
            if (here && !bad)
                fprintf(stderr,
                        "seed %llu period %d window %d mode %d metric %d: cohort %d offset %d: "
                        "got value %.17g rate %.17g, expected %.17g (size %d)\n",
                        (unsigned long long)seed, (int)p, (int)o->window, (int)o->mode,
                        (int)o->metric, (int)starts[s], k, got, rate, v, size);
            bad += here;
            x++;
            if (k < 400) {
                avg[0][k] += 1;
                avg[1][k] += size;
                avg[2][k] += v;
                avg[3][k] += v0;
                avg[4][k] += mag + m0;
            }
        }
        maxk = K > maxk ? K : maxk;
    }
    bad += rows_of(r, "cells") != x;
    bad += rows_of(r, "average") != (size_t)maxk;
    for (int k = 0; k < maxk && k < 400; k++) {
        double tol = o->metric == RT_COHORT_REVENUE ? 1e-9 * (avg[4][k] + 1) : 0;
        double got = cell(r, "average", (size_t)k, "value", &ok).type == RT_VAL_INT
                         ? (double)cell(r, "average", (size_t)k, "value", &ok).i
                         : cell(r, "average", (size_t)k, "value", &ok).d;
        double rate = cell(r, "average", (size_t)k, "rate", &ok).d, want = avg[2][k] / avg[3][k];
        bad += cell(r, "average", (size_t)k, "offset", &ok).i != k;
        bad += cell(r, "average", (size_t)k, "cohorts", &ok).i != (int64_t)avg[0][k];
        bad += cell(r, "average", (size_t)k, "cohort_size", &ok).i != (int64_t)avg[1][k];
        bad += fabs(got - avg[2][k]) > tol;
        bad += isfinite(want)
                   ? fabs(rate - want) > 1e-9 * (fabs(want) + avg[4][k] / fabs(avg[3][k]))
                   : isfinite(rate);
        if (o->metric != RT_COHORT_CUSTOMERS)
            bad += fabs(cell(r, "average", (size_t)k, "per_customer", &ok).d -
                        avg[2][k] / avg[1][k]) > tol / avg[1][k];
    }
    return bad + !ok;
}

/* For many random logs, every configuration agrees with the brute force, with 1 to 4
 * threads. */
static void cohort_matches_brute_force_on_random_logs(void)
{
    int configs = 0, bad_configs = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        logset *L = calloc(1, sizeof *L);
        if (!L)
            exit(2);
        make_log(L, seed);
        rt_events *ev;
        rt_error err;
        rt_load_options lo = {.threads = 1};
        if (rt_events_read(write_temp(L->csv), &lo, &ev, &err) != RT_OK) {
            fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, err.msg);
            CHECK(0);
            free(L->csv);
            free(L);
            continue;
        }
        for (int p = 0; p < 5; p++)
            for (int w = 0; w < 2; w++)
                for (int m = 0; m < 2; m++)
                    for (int mt = 0; mt < 3; mt++) {
                        rt_cohort_options o = {.period = (rt_period)p,
                                               .window = (rt_cohort_window)w,
                                               .mode = (rt_cohort_mode)m,
                                               .metric = (rt_cohort_metric)mt,
                                               .threads = 1 + (int)((seed + (uint64_t)mt) % 4)};
                        rt_result *r;
                        configs++;
                        if (rt_cohort_run(ev, &o, &r, &err) != RT_OK) {
                            fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, err.msg);
                            bad_configs++;
                            continue;
                        }
                        bad_configs += compare(L, &o, r, seed) != 0;
                        rt_result_free(r);
                    }
        rt_events_free(ev);
        free(L->csv);
        free(L);
    }
    CHECK(configs == 40 * 60);
    CHECK(bad_configs == 0);
}

/* The first rows of tests/data/small.csv worked by hand: January's cohort (C001, C002,
 * C003, C005) has 3 customers back in February (C005 is not) and 3 in March; April ends on
 * the 28th, so it is censored; the March cohort (C004) has only offset 0; April's (C006)
 * has no complete cell. Orders on or after: January's customers placed 15 orders in all (C001
 * 5, C002 4, C003 4, C005 2). */
static void cohort_small_log_by_hand(void)
{
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read("tests/data/small.csv", NULL, &ev, &err) == RT_OK);
    rt_cohort_options o = {0};
    rt_result *r;
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_OK);
    int ok = 1;
    CHECK(rows_of(r, "cells") == 4);
    CHECK(cell(r, "cells", 0, "cohort", &ok).i == day_of("2024-01-01"));
    CHECK(cell(r, "cells", 0, "value", &ok).i == 4);
    CHECK(cell(r, "cells", 1, "value", &ok).i == 3);
    CHECK(cell(r, "cells", 2, "value", &ok).i == 3);
    CHECK_NEAR(cell(r, "cells", 2, "rate", &ok).d, 0.75, 0);
    CHECK(cell(r, "cells", 3, "cohort", &ok).i == day_of("2024-03-01"));
    CHECK(cell(r, "cohorts", 2, "complete_offsets", &ok).i == 0);
    CHECK(cell(r, "average", 0, "cohort_size", &ok).i == 5);
    CHECK(ok);
    int found;
    CHECK(rt_result_get(r, "last_date", &found).i == day_of("2024-04-28") && found);
    CHECK(rt_result_main_table(r) == 0);
    rt_result_free(r);
    o.metric = RT_COHORT_ORDERS;
    o.mode = RT_COHORT_ON_OR_AFTER;
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_OK);
    CHECK(cell(r, "cells", 0, "value", &ok).i == 15);
    CHECK_NEAR(cell(r, "cells", 0, "per_customer", &ok).d, 3.75, 0);
    CHECK(ok);
    rt_result_free(r);
    rt_events_free(ev);
}

/* The same answer, bit for bit, whatever the thread count (revenue included: the merge of
 * compensated sums is exact for these few cents). */
static void cohort_is_the_same_for_every_thread_count(void)
{
    logset *L = calloc(1, sizeof *L);
    if (!L)
        exit(2);
    make_log(L, 77);
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read(write_temp(L->csv), NULL, &ev, &err) == RT_OK);
    rt_cohort_options o = {
        .period = RT_PERIOD_WEEK, .metric = RT_COHORT_REVENUE, .mode = RT_COHORT_ON_OR_AFTER};
    rt_result *one;
    CHECK(rt_cohort_run(ev, &o, &one, &err) == RT_OK);
    int same = 1;
    for (int t = 2; t <= 64; t *= 2) {
        o.threads = t;
        rt_result *r;
        CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_OK);
        size_t n = rows_of(one, "cells");
        same &= rows_of(r, "cells") == n;
        for (size_t i = 0; i < n && same; i++) {
            int ok = 1;
            same &= cell(r, "cells", i, "value", &ok).d == cell(one, "cells", i, "value", &ok).d;
            same &= ok;
        }
        rt_result_free(r);
    }
    CHECK(same);
    rt_result_free(one);
    rt_events_free(ev);
    free(L->csv);
    free(L);
}

/* Bad calls and unusable input: a clear status and no result. */
static void cohort_rejects_bad_calls_and_inputs(void)
{
    rt_events *ev;
    rt_error err;
    rt_result *r = (rt_result *)&err; /* must be reset to NULL */
    CHECK(rt_cohort_run(NULL, NULL, &r, &err) == RT_EMISUSE && r == NULL);
    CHECK(rt_events_read(write_temp("customer_id,date\nA,2024-01-01\nB,2024-02-03\n"), NULL, &ev,
                         &err) == RT_OK);
    CHECK(rt_cohort_run(ev, NULL, NULL, &err) == RT_EMISUSE);
    rt_cohort_options o = {.period = (rt_period)9};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EMISUSE && r == NULL);
    o = (rt_cohort_options){.metric = (rt_cohort_metric)3};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EMISUSE);
    o = (rt_cohort_options){.mode = (rt_cohort_mode)-1};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EMISUSE);
    o = (rt_cohort_options){.window = (rt_cohort_window)2};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EMISUSE);
    o = (rt_cohort_options){.metric = RT_COHORT_REVENUE};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EDOMAIN && r == NULL);
    CHECK(strstr(err.msg, "amount column") != NULL);
    /* Without amounts, customers and orders work; NULL options mean the defaults (monthly
     * cohorts: February is not complete on the 3rd, so only January's offset 0 is a cell). */
    CHECK(rt_cohort_run(ev, NULL, &r, &err) == RT_OK && rows_of(r, "cells") == 1);
    rt_result_free(r);
    rt_events_free(ev);
    /* Daily cohorts over 60 years: about 2.4e8 cells, refused before allocating them. */
    CHECK(rt_events_read(write_temp("customer_id,date\nA,1960-01-01\nB,2020-01-01\n"), NULL, &ev,
                         &err) == RT_OK);
    o = (rt_cohort_options){.period = RT_PERIOD_DAY};
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_EDOMAIN && r == NULL);
    CHECK(strstr(err.msg, "longer period") != NULL);
    o.period = RT_PERIOD_MONTH; /* 721 monthly cohorts are fine */
    CHECK(rt_cohort_run(ev, &o, &r, &err) == RT_OK && rows_of(r, "cohorts") == 2);
    rt_result_free(r);
    rt_events_free(ev);
}

/* ---- fault injection ---- */

/* An allocator that fails allocation number 'fail_at' (0 = never) and counts live blocks. */
typedef struct hook {
    pthread_mutex_t lock;
    long calls, fail_at, live;
} hook;

#define HDR 16 /* keeps the caller's blocks aligned like malloc's */

/* Count one more allocation; returns 1 when it is the one to fail. */
static int hook_fails(hook *h)
{
    pthread_mutex_lock(&h->lock);
    int fail = ++h->calls == h->fail_at;
    pthread_mutex_unlock(&h->lock);
    return fail;
}

static void hook_live(hook *h, long delta)
{
    pthread_mutex_lock(&h->lock);
    h->live += delta;
    pthread_mutex_unlock(&h->lock);
}

static void *hook_alloc(void *ud, size_t size)
{
    if (hook_fails(ud))
        return NULL;
    unsigned char *p = malloc(size + HDR);
    if (p)
        hook_live(ud, 1);
    return p ? p + HDR : NULL;
}

static void *hook_resize(void *ud, void *ptr, size_t size)
{
    if (!ptr)
        return hook_alloc(ud, size);
    if (hook_fails(ud))
        return NULL;
    unsigned char *p = realloc((unsigned char *)ptr - HDR, size + HDR);
    return p ? p + HDR : NULL;
}

static void hook_release(void *ud, void *ptr)
{
    if (!ptr)
        return;
    free((unsigned char *)ptr - HDR);
    hook_live(ud, -1);
}

/* Fail allocation k = 1, 2, ... of rt_cohort_run until it succeeds: every failure is
 * RT_ENOMEM with no result and no block left behind. */
static void cohort_fails_cleanly_when_memory_runs_out(void)
{
    hook h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    rt_allocator a = {hook_alloc, hook_resize, hook_release, &h};
    rt_load_options lo = {.allocator = &a, .threads = 1};
    rt_events *ev;
    rt_error err;
    CHECK(rt_events_read("tests/data/small.csv", &lo, &ev, &err) == RT_OK);
    long live = h.live, failures = 0;
    int clean = 1;
    for (long k = 1; k < 10000; k++) {
        rt_cohort_options o = {.metric = RT_COHORT_REVENUE, .threads = 2};
        rt_result *r;
        h.fail_at = h.calls + k;
        rt_status st = rt_cohort_run(ev, &o, &r, &err);
        if (st == RT_OK) {
            rt_result_free(r);
            break;
        }
        failures++;
        clean &= st == RT_ENOMEM && r == NULL && h.live == live;
    }
    h.fail_at = 0;
    CHECK(failures >= 5); /* the row and day tables, the parts, the sums, the result */
    CHECK(clean);
    CHECK(h.live == live);
    rt_events_free(ev);
    CHECK(h.live == 0);
}

int main(void)
{
    TEST(cohort_matches_brute_force_on_random_logs);
    TEST(cohort_small_log_by_hand);
    TEST(cohort_is_the_same_for_every_thread_count);
    TEST(cohort_rejects_bad_calls_and_inputs);
    TEST(cohort_fails_cleanly_when_memory_runs_out);
    if (tmppath[0])
        unlink(tmppath);
    return test_report();
}
