/* cohort.c - `retain cohort`: the acquisition-cohort matrix (DESIGN.md 4.4) in one parallel
 * pass over the customers' slices. Each thread adds into its own copy of a jagged matrix (one
 * row per cohort, one cell per offset the data can reach); the merge adds the copies, "on or
 * after" becomes a suffix sum of per-offset counts, and only complete cells are written:
 * censored cells are absent, never 0.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/events.h" /* the table's allocator */
#include "core/ksum.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A matrix larger than this many cells is refused (RT_EDOMAIN): daily cohorts over decades
 * would need gigabytes and print hundreds of millions of rows. */
#define MAX_CELLS ((size_t)50 << 20)

/* The per-thread copies of the matrix together stay under this many bytes; beyond it fewer
 * threads are used (the pass is cheap next to the load). */
#define MAX_THREAD_BYTES ((size_t)256 << 20)

/* One thread's partial matrix and cohort totals. */
typedef struct part {
    uint64_t *cnt;       /* per cell: customers or orders (NULL for revenue) */
    rt_ksum *sum;        /* per cell: revenue (NULL otherwise) */
    uint64_t *size;      /* per cohort: customers */
    int32_t *last_first; /* per cohort: the latest first-event day of its customers */
} part;

typedef struct job {
    const rt_events *ev;
    rt_cohort_options o;
    int threads;
    int32_t lo;    /* the data's first day: cohort 0 is the period holding it */
    int32_t end;   /* the data's last day: cells ending after it are censored */
    int32_t len;   /* rolling window length in days; 0 for calendar windows */
    size_t ncoh;   /* cohorts: periods from the one holding 'lo' to the one holding 'end' */
    size_t *row;   /* row[i] = index of cell (i, 0); row[ncoh] = cells */
    int32_t *pidx; /* pidx[d - lo] = index of the period holding day d, for lo <= d <= end */
    size_t cells;  /* row[ncoh] */
    size_t reach;  /* the longest row */
    part *parts;
} job;

/* Rolling window lengths in days, by rt_period. */
static int32_t rolling_days(rt_period p)
{
    switch (p) {
    case RT_PERIOD_DAY:
        return 1;
    case RT_PERIOD_WEEK:
        return 7;
    case RT_PERIOD_MONTH:
        return 30;
    case RT_PERIOD_QUARTER:
        return 91;
    case RT_PERIOD_YEAR:
        return 365;
    }
    return 0;
}

/* Add customers [c0, c1) of thread 'k' into its part. An event's offset is its calendar
 * period's distance from the first event's period, or whole windows of 'len' days since the
 * first event. */
static void run_part(void *arg, int k)
{
    job *j = arg;
    const rt_events *ev = j->ev;
    part *p = &j->parts[k];
    size_t nc = rt_events_customers(ev);
    size_t c0 = nc * (size_t)k / (size_t)j->threads, c1 = nc * (size_t)(k + 1) / (size_t)j->threads;
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const double *amt = rt_events_amounts(ev);
    rt_cohort_metric metric = j->o.metric;
    int on = j->o.mode == RT_COHORT_ON;
    int32_t len = j->len;
    for (size_t c = c0; c < c1; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        int32_t first = day[lo];
        size_t i = (size_t)j->pidx[first - j->lo];
        assert(i < j->ncoh);
        p->size[i]++;
        if (first > p->last_first[i])
            p->last_first[i] = first;
        size_t base = j->row[i];
        int64_t kk = 0, prev = -1;
        for (uint64_t e = lo; e < hi; e++) {
            int32_t d = day[e];
            kk = len ? ((int64_t)d - first) / len : (int64_t)j->pidx[d - j->lo] - (int64_t)i;
            assert(kk >= 0 && base + (size_t)kk < j->row[i + 1]);
            if (metric == RT_COHORT_REVENUE) {
                rt_ksum_add(&p->sum[base + (size_t)kk], amt[e]);
            } else if (metric == RT_COHORT_ORDERS) {
                p->cnt[base + (size_t)kk]++;
            } else if (on && kk != prev) {
                p->cnt[base + (size_t)kk]++;
                prev = kk;
            }
        }
        /* On or after: count the customer once, at their last offset; the suffix sum in
         * merge() then counts them at every offset up to it. */
        if (metric == RT_COHORT_CUSTOMERS && !on)
            p->cnt[base + (size_t)kk]++;
    }
}

/* ---- setup ---- */

/* Find the data's first and last day and lay out the jagged matrix: cohort i can reach
 * offsets 0 .. ncoh-1-i (calendar) or (end - start of cohort i) / len (rolling). Returns 0,
 * -1 when out of memory, or 1 when the matrix would exceed MAX_CELLS. */
static int layout(job *j, const rt_allocator *a)
{
    const rt_events *ev = j->ev;
    size_t nc = rt_events_customers(ev);
    int32_t lo = rt_events_first_day(ev), hi = rt_events_last_day(ev);
    j->lo = lo;
    j->end = hi;
    j->ncoh = nc ? (size_t)rt_period_diff(j->o.period, lo, hi) + 1 : 0;
    j->row = rt_mem_array(a, j->ncoh + 1, sizeof *j->row);
    size_t span = nc ? (size_t)((int64_t)hi - lo + 1) : 1;
    j->pidx = rt_mem_array(a, span, sizeof *j->pidx);
    if (!j->row || !j->pidx)
        return -1;
    /* A day-to-period table: one walk over the span instead of calendar arithmetic per
     * event (month-based periods need a civil-date conversion each). */
    int32_t index = 0, next = nc ? rt_period_add(j->o.period, lo, 1) : 0;
    for (size_t x = 0; nc && x < span; x++) {
        int32_t d = lo + (int32_t)x;
        if (d == next) {
            index++;
            next = rt_period_add(j->o.period, d, 1);
        }
        j->pidx[x] = index;
    }
    assert(!nc || (size_t)index + 1 == j->ncoh);
    size_t cells = 0;
    for (size_t i = 0; i < j->ncoh; i++) {
        j->row[i] = cells;
        size_t n = j->ncoh - i;
        if (j->len) {
            int32_t start = rt_period_add(j->o.period, lo, (int32_t)i);
            n = (size_t)(((int64_t)hi - start) / j->len) + 1;
        }
        if (n > MAX_CELLS - cells)
            return 1;
        cells += n;
        j->reach = n > j->reach ? n : j->reach;
    }
    j->row[j->ncoh] = cells;
    j->cells = cells;
    return 0;
}

/* Allocate the per-thread state; returns 0 or -1 when out of memory. */
static int alloc_parts(job *j, const rt_allocator *a)
{
    for (int k = 0; k < j->threads; k++) {
        part *p = &j->parts[k];
        size_t cells = j->cells ? j->cells : 1, ncoh = j->ncoh ? j->ncoh : 1;
        if (j->o.metric == RT_COHORT_REVENUE)
            p->sum = rt_mem_calloc(a, cells, sizeof *p->sum);
        else
            p->cnt = rt_mem_calloc(a, cells, sizeof *p->cnt);
        p->size = rt_mem_calloc(a, ncoh, sizeof *p->size);
        p->last_first = rt_mem_array(a, ncoh, sizeof *p->last_first);
        if ((!p->sum && !p->cnt) || !p->size || !p->last_first)
            return -1;
        for (size_t i = 0; i < ncoh; i++)
            p->last_first[i] = INT32_MIN;
    }
    return 0;
}

static void free_parts(job *j, const rt_allocator *a)
{
    for (int k = 0; k < j->threads && j->parts; k++) {
        rt_mem_free(a, j->parts[k].cnt);
        rt_mem_free(a, j->parts[k].sum);
        rt_mem_free(a, j->parts[k].size);
        rt_mem_free(a, j->parts[k].last_first);
    }
}

/* ---- merge and output ---- */

/* Add every part into part 0; in on-or-after mode, then take suffix sums along each
 * cohort's row: of the per-offset orders or revenue, or of the customers counted at their
 * last offset, so that cell k covers every offset >= k. */
static void merge(job *j)
{
    part *m = &j->parts[0];
    for (int k = 1; k < j->threads; k++) {
        part *p = &j->parts[k];
        for (size_t x = 0; x < j->cells; x++) {
            if (m->cnt)
                m->cnt[x] += p->cnt[x];
            else
                rt_ksum_merge(&m->sum[x], &p->sum[x]);
        }
        for (size_t i = 0; i < j->ncoh; i++) {
            m->size[i] += p->size[i];
            if (p->last_first[i] > m->last_first[i])
                m->last_first[i] = p->last_first[i];
        }
    }
    if (j->o.mode != RT_COHORT_ON_OR_AFTER)
        return;
    for (size_t i = 0; i < j->ncoh; i++) {
        for (size_t x = j->row[i + 1] - 1; x > j->row[i]; x--) {
            if (m->cnt)
                m->cnt[x - 1] += m->cnt[x];
            else
                rt_ksum_merge(&m->sum[x - 1], &m->sum[x]);
        }
    }
}

/* Complete offsets of cohort 'i' (cells 0 .. n-1 are complete): calendar, the periods before
 * the one holding end + 1, i.e. those that end on or before 'end'; rolling, the windows k
 * with last_first + (k + 1) * len - 1 <= end, so that every customer's window k is observed. */
static size_t complete_offsets(const job *j, size_t i)
{
    int32_t start = rt_period_add(j->o.period, j->lo, (int32_t)i);
    int64_t n;
    if (j->len)
        n = ((int64_t)j->end - j->parts[0].last_first[i] + 1) / j->len;
    else
        n = rt_period_diff(j->o.period, start, j->end + 1);
    size_t reach = j->row[i + 1] - j->row[i];
    return n <= 0 ? 0 : (size_t)n < reach ? (size_t)n : reach;
}

/* The value of cell 'x' as a double (counts are exact below 2^53). */
static double cell_value(const part *m, size_t x)
{
    return m->cnt ? (double)m->cnt[x] : rt_ksum_value(&m->sum[x]);
}

/* A result cell for a value: an integer for counts, a double for revenue. */
static rt_value value_cell(const part *m, size_t x)
{
    if (m->cnt)
        return (rt_value){.type = RT_VAL_INT, .i = (int64_t)m->cnt[x]};
    return (rt_value){.type = RT_VAL_DOUBLE, .d = rt_ksum_value(&m->sum[x])};
}

static rt_value dbl(double d)
{
    return (rt_value){.type = RT_VAL_DOUBLE, .d = d};
}

static rt_value i64(int64_t i)
{
    return (rt_value){.type = RT_VAL_INT, .i = i};
}

static const char *const metric_names[] = {"customers", "orders", "revenue"};
static const char *const mode_names[] = {"on", "on-or-after"};
static const char *const window_names[] = {"calendar", "rolling"};

/* The definitions used, for the result's "definitions" field. */
static void describe(const job *j, char *buf, size_t cap)
{
    const char *per = rt_period_name(j->o.period);
    const char *what = j->o.metric == RT_COHORT_CUSTOMERS ? "customers of the cohort with an event"
                       : j->o.metric == RT_COHORT_ORDERS
                           ? "events (rows after refund netting; not distinct order ids, not "
                             "purchase days) of the cohort's customers"
                           : "revenue (sum of amounts, refunds netted) of the cohort's customers";
    const char *when = j->o.mode == RT_COHORT_ON
                           ? "at offset k"
                           : "at any offset >= k, up to last_date (a partial last period "
                             "included)";
    char offset[200], complete[200];
    if (j->len) {
        snprintf(offset, sizeof offset,
                 "offset k of an event = floor((day - the customer's first day) / %d) (rolling "
                 "windows of %d days from each customer's own first event)",
                 (int)j->len, (int)j->len);
        snprintf(complete, sizeof complete,
                 "cell (c, k) is complete when window k of every customer of cohort c ends on or "
                 "before last_date (latest first day in c + %d * (k + 1) - 1 <= last_date)",
                 (int)j->len);
    } else {
        snprintf(offset, sizeof offset,
                 "offset k of an event = calendar %ss from the cohort's %s to the event's", per,
                 per);
        snprintf(complete, sizeof complete,
                 "cell (c, k) is complete when the whole %s c + k ends on or before last_date",
                 per);
    }
    snprintf(buf, cap,
             "cohort = the calendar %s of a customer's first event (the first cohort may be "
             "partial when the data starts inside it); %s; value = %s %s; cohort_size = the "
             "cohort's customers; rate = value / the cohort's value at offset 0%s; %s; cells "
             "that are not complete are censored: absent, never 0; average = per offset over "
             "the cohorts whose cell is complete: cohort_size and value summed, rate = summed "
             "value / summed offset-0 value%s; days are UTC",
             per, offset, what, when,
             j->o.metric == RT_COHORT_CUSTOMERS ? " (retention)"
                                                : "; per_customer = value / cohort_size",
             complete,
             j->o.metric == RT_COHORT_CUSTOMERS ? " (retention weighted by cohort size)"
                                                : ", per_customer = summed value / summed "
                                                  "cohort_size");
}

/* The per-offset sums behind the average table. */
typedef struct avg_acc {
    uint64_t cohorts, size;
    rt_ksum value, base;
} avg_acc;

/* Add the cells, average and cohorts tables and every field to 'r'. 'acc' has room for the
 * longest row. */
static int build(rt_result *r, const job *j, avg_acc *acc)
{
    const part *m = &j->parts[0];
    int per_cust = j->o.metric != RT_COHORT_CUSTOMERS;
    int vdec = j->o.metric == RT_COHORT_REVENUE ? 2 : 0;
    int pdec = j->o.metric == RT_COHORT_REVENUE ? 2 : 3;
    const char *cols[] = {"cohort", "offset", "cohort_size", "value", "rate", "per_customer"};
    const int dec[] = {RT_DECIMALS_AUTO, 0, 0, vdec, 4, pdec};
    size_t nc = per_cust ? 6 : 5;
    int tc = rt_result_add_table(r, "cells", nc, cols, dec);
    const char *acols[] = {"offset", "cohorts", "cohort_size", "value", "rate", "per_customer"};
    const int adec[] = {0, 0, 0, vdec, 4, pdec};
    int ta = rt_result_add_table(r, "average", nc, acols, adec);
    const char *ccols[] = {"cohort", "cohort_size", "complete_offsets"};
    int tk = rt_result_add_table(r, "cohorts", 3, ccols, NULL);
    if (tc < 0 || ta < 0 || tk < 0 || rt_result_set_main(r, (size_t)tc) != 0)
        return -1;
    size_t maxk = 0, ncells = 0, ncohorts = 0;
    for (size_t i = 0; i < j->ncoh; i++) {
        if (m->size[i] == 0)
            continue; /* no customer was acquired in this period */
        ncohorts++;
        int32_t start = rt_period_add(j->o.period, j->lo, (int32_t)i);
        size_t n = complete_offsets(j, i), x0 = j->row[i];
        rt_value kc[3] = {
            {.type = RT_VAL_DATE, .i = start}, i64((int64_t)m->size[i]), i64((int64_t)n)};
        if (rt_result_table_add_row(r, (size_t)tk, kc) != 0)
            return -1;
        double base = cell_value(m, x0), size = (double)m->size[i];
        for (size_t k = 0; k < n; k++) {
            double v = cell_value(m, x0 + k);
            rt_value cell[6] = {{.type = RT_VAL_DATE, .i = start},
                                i64((int64_t)k),
                                i64((int64_t)m->size[i]),
                                value_cell(m, x0 + k),
                                dbl(v / base),
                                dbl(v / size)};
            if (rt_result_table_add_row(r, (size_t)tc, cell) != 0)
                return -1;
            avg_acc *a = &acc[k];
            a->cohorts++;
            a->size += m->size[i];
            rt_ksum_add(&a->value, v);
            rt_ksum_add(&a->base, base);
        }
        ncells += n;
        maxk = n > maxk ? n : maxk;
    }
    for (size_t k = 0; k < maxk; k++) {
        const avg_acc *a = &acc[k];
        double v = rt_ksum_value(&a->value);
        rt_value cell[6] = {i64((int64_t)k),
                            i64((int64_t)a->cohorts),
                            i64((int64_t)a->size),
                            m->cnt ? i64((int64_t)v) : dbl(v),
                            dbl(v / rt_ksum_value(&a->base)),
                            dbl(v / (double)a->size)};
        if (rt_result_table_add_row(r, (size_t)ta, cell) != 0)
            return -1;
    }
    char def[1500];
    describe(j, def, sizeof def);
    int bad = 0;
    int has = rt_events_customers(j->ev) > 0;
    bad |= rt_result_add_string(r, "source", rt_events_source(j->ev));
    bad |= rt_result_add_string(r, "metric", metric_names[j->o.metric]);
    bad |= rt_result_add_string(r, "mode", mode_names[j->o.mode]);
    bad |= rt_result_add_string(r, "window", window_names[j->o.window]);
    bad |= rt_result_add_string(r, "period", rt_period_name(j->o.period));
    bad |=
        j->len ? rt_result_add_int(r, "window_days", j->len) : rt_result_add_null(r, "window_days");
    bad |= has ? rt_result_add_date(r, "first_date", j->lo) : rt_result_add_null(r, "first_date");
    bad |= has ? rt_result_add_date(r, "last_date", j->end) : rt_result_add_null(r, "last_date");
    bad |= rt_result_add_int(r, "customers", (int64_t)rt_events_customers(j->ev));
    bad |= rt_result_add_int(r, "events", (int64_t)rt_events_count(j->ev));
    bad |= rt_result_add_int(r, "cohort_count", (int64_t)ncohorts);
    bad |= rt_result_add_int(r, "cell_count", (int64_t)ncells);
    bad |= rt_result_add_string(r, "definitions", def);
    return bad ? -1 : 0;
}

/* Check the options; returns a message for the first bad one, or NULL. */
static const char *bad_option(const rt_cohort_options *o)
{
    if ((unsigned)o->period > RT_PERIOD_DAY)
        return "period";
    if ((unsigned)o->metric > RT_COHORT_REVENUE)
        return "metric";
    if ((unsigned)o->mode > RT_COHORT_ON_OR_AFTER)
        return "mode";
    if ((unsigned)o->window > RT_WINDOW_ROLLING)
        return "window";
    return NULL;
}

rt_status rt_cohort_run(const rt_events *ev, const rt_cohort_options *opt, rt_result **out,
                        rt_error *err)
{
    rt_cohort_options defaults = {0};
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_cohort_run: NULL argument");
    if (!opt)
        opt = &defaults;
    const char *bad = bad_option(opt);
    if (bad)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_cohort_run: invalid %s option", bad);
    if (opt->metric == RT_COHORT_REVENUE && !rt_events_amounts(ev))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "%s: revenue cohorts need an amount column, and the input has none",
                       rt_events_source(ev));
    const rt_allocator *a = ev->alloc;
    job j = {.ev = ev, .o = *opt, .threads = rt_thread_count(opt->threads)};
    j.len = opt->window == RT_WINDOW_ROLLING ? rolling_days(opt->period) : 0;
    size_t nc = rt_events_customers(ev);
    rt_result *r = NULL;
    avg_acc *acc = NULL;
    part parts[64];
    memset(parts, 0, sizeof parts);
    rt_status st = RT_OK;
    int lay = layout(&j, a);
    if (lay > 0) {
        st = rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                     "%s: the cohort matrix would have more than %zu cells (%zu %s cohorts); "
                     "use a longer period",
                     rt_events_source(ev), MAX_CELLS, j.ncoh, rt_period_name(opt->period));
        goto out;
    }
    if (lay < 0)
        goto nomem;
    /* Fewer threads when the copies of a large matrix would cost more than they save. */
    size_t cell_bytes = opt->metric == RT_COHORT_REVENUE ? sizeof(rt_ksum) : sizeof(uint64_t);
    size_t bytes = j.cells * cell_bytes + j.ncoh * (sizeof(uint64_t) + sizeof(int32_t)) + 1;
    if ((size_t)j.threads > MAX_THREAD_BYTES / bytes)
        j.threads = (int)(MAX_THREAD_BYTES / bytes);
    if ((size_t)j.threads > nc)
        j.threads = (int)nc;
    if (j.threads < 1)
        j.threads = 1;
    j.parts = parts;
    if (alloc_parts(&j, a) != 0)
        goto nomem;
    rt_parallel(j.threads, run_part, &j);
    merge(&j);
    acc = rt_mem_calloc(a, j.reach ? j.reach : 1, sizeof *acc);
    r = rt_result_new(a, "cohort");
    if (!acc || !r || build(r, &j, acc) != 0)
        goto nomem;
    goto out;
nomem:
    rt_result_free(r);
    r = NULL;
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
out:
    rt_mem_free(a, acc);
    free_parts(&j, a);
    rt_mem_free(a, j.row);
    rt_mem_free(a, j.pidx);
    *out = r;
    return st;
}
