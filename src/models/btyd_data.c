/* btyd_data.c - the BTYD calibration/holdout summary (x, t_x, T, mean repeat spend, holdout
 * purchases) per customer from the event table, and its compression into weighted patterns.
 * The table is sorted by (customer, day), so one pass over each customer's rows finds the
 * purchase days: a new day starts wherever the day number changes.
 * SPDX-License-Identifier: MIT */
#include "models/btyd_data.h"

#include "core/error.h"
#include "core/events.h" /* the table's allocator */
#include "core/ksum.h"
#include "core/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- summary ---- */

/* Summarise the rows 'lo'..'hi'-1 of one customer (first day <= 'end') into 'r'. */
static void summarize_one(const int32_t *day, const double *amt, uint64_t lo, uint64_t hi,
                          int32_t end, double unit, rt_btyd_cust *r)
{
    int32_t first = day[lo], last = first;
    uint64_t x = 0, x_star = 0;
    rt_ksum repeat = {0, 0}, holdout = {0, 0};
    uint64_t i = lo;
    while (i < hi) {
        /* One purchase day: rows i..j-1. */
        int32_t d = day[i];
        double spend = 0;
        uint64_t j = i;
        for (; j < hi && day[j] == d; j++)
            spend += amt ? amt[j] : 0;
        if (d > end) {
            x_star++;
            rt_ksum_add(&holdout, spend);
        } else if (i != lo) {
            x++;
            last = d;
            rt_ksum_add(&repeat, spend);
        }
        i = j;
    }
    r->first_day = first;
    r->x = (double)x;
    /* Differences of day numbers are exact integers; one division per time. */
    r->t_x = (double)((int64_t)last - first) / unit;
    r->T = (double)((int64_t)end - first) / unit;
    r->mbar = x > 0 && amt ? rt_ksum_value(&repeat) / (double)x : 0;
    r->x_star = (double)x_star;
    r->holdout_amount = amt ? rt_ksum_value(&holdout) : 0;
}

rt_status rt_btyd_summarize(const rt_events *ev, int32_t calibration_end, double unit_days,
                            rt_btyd_cust **out, size_t *n, rt_error *err)
{
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!ev || !out || !n)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_btyd_summarize: NULL argument");
    if (!isfinite(unit_days) || unit_days <= 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_btyd_summarize: time unit must be a positive number of days, got %g",
                       unit_days);
    size_t nc = rt_events_customers(ev);
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const double *amt = rt_events_amounts(ev);
    /* Count the customers kept first, so that the rows are allocated once, exactly. */
    size_t kept = 0;
    for (size_t c = 0; c < nc; c++)
        kept += day[off[c]] <= calibration_end;
    if (kept == 0)
        return RT_OK;
    rt_btyd_cust *rows = rt_mem_array(ev->alloc, kept, sizeof *rows);
    if (!rows)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    size_t k = 0;
    for (size_t c = 0; c < nc; c++) {
        if (day[off[c]] > calibration_end)
            continue;
        rows[k].customer = c;
        summarize_one(day, amt, off[c], off[c + 1], calibration_end, unit_days, &rows[k]);
        k++;
    }
    *out = rows;
    *n = kept;
    return RT_OK;
}

void rt_btyd_cust_free(const rt_events *ev, rt_btyd_cust *rows)
{
    if (rows && ev)
        rt_mem_free(ev->alloc, rows);
}

/* ---- compression ---- */

typedef struct key {
    double x, t_x, T;
    size_t i; /* input index: breaks ties, so the order (and each weight sum) is fixed */
} key;

static int cmp_double(double a, double b)
{
    return (a > b) - (a < b);
}

/* Order by x, t_x, T, then input index. Values are finite (checked), so this is total. */
static int cmp_key(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    int c = cmp_double(a->x, b->x);
    if (!c)
        c = cmp_double(a->t_x, b->t_x);
    if (!c)
        c = cmp_double(a->T, b->T);
    if (!c)
        c = (a->i > b->i) - (a->i < b->i);
    return c;
}

static int same_pattern(const key *a, const key *b)
{
    return a->x == b->x && a->t_x == b->t_x && a->T == b->T;
}

rt_status rt_btyd_compress(const double *x, const double *t_x, const double *T, const double *w,
                           size_t n, rt_btyd_patterns *out, rt_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (n > 0 && (!x || !t_x || !T)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_btyd_compress: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(t_x[i]) || !isfinite(T[i]))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "btyd patterns: customer %zu has a non-finite value (x = %g, t_x = %g, "
                           "T = %g)",
                           i, x[i], t_x[i], T[i]);
        if (w && !(isfinite(w[i]) && w[i] >= 0))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "btyd patterns: customer %zu has weight %g (must be finite and >= 0)", i,
                           w[i]);
    }
    if (n == 0)
        return RT_OK;
    const rt_allocator *a = NULL;
    key *keys = rt_mem_array(a, n, sizeof *keys);
    if (!keys)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        keys[i] = (key){x[i], t_x[i], T[i], i};
    qsort(keys, n, sizeof *keys, cmp_key);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        m += !same_pattern(&keys[i - 1], &keys[i]);
    rt_btyd_patterns p = {.n = m, .alloc = a};
    p.x = rt_mem_array(a, m, sizeof *p.x);
    p.t_x = rt_mem_array(a, m, sizeof *p.t_x);
    p.T = rt_mem_array(a, m, sizeof *p.T);
    p.w = rt_mem_array(a, m, sizeof *p.w);
    if (!p.x || !p.t_x || !p.T || !p.w) {
        rt_btyd_patterns_free(&p);
        rt_mem_free(a, keys);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[keys[i].i] : 1;
        if (i > 0 && same_pattern(&keys[i - 1], &keys[i])) {
            p.w[k - 1] += wi;
            continue;
        }
        p.x[k] = keys[i].x;
        p.t_x[k] = keys[i].t_x;
        p.T[k] = keys[i].T;
        p.w[k] = wi;
        k++;
    }
    rt_mem_free(a, keys);
    *out = p;
    return RT_OK;
}

void rt_btyd_patterns_free(rt_btyd_patterns *p)
{
    if (!p)
        return;
    rt_mem_free(p->alloc, p->x);
    rt_mem_free(p->alloc, p->t_x);
    rt_mem_free(p->alloc, p->T);
    rt_mem_free(p->alloc, p->w);
    memset(p, 0, sizeof *p);
}

rt_status rt_btyd_check(const char *what, const double *x, const double *t_x, const double *T,
                        const double *w, size_t n, double *wsum, rt_error *err)
{
    double xsum = 0.0;
    *wsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i], tx = t_x[i], Ti = T[i], wi = w ? w[i] : 1.0;
        if (!(xi >= 0.0) || !isfinite(xi))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s: pattern %zu: x = %g is not >= 0", what,
                           i + 1, xi);
        if (!(Ti > 0.0) || !isfinite(Ti))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s: pattern %zu: T = %g is not > 0", what,
                           i + 1, Ti);
        if (!(tx >= 0.0 && tx <= Ti))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "%s: pattern %zu: t_x = %g is outside [0, T = %g]", what, i + 1, tx, Ti);
        if (xi == 0.0 && tx != 0.0)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "%s: pattern %zu: x = 0 but t_x = %g (must be 0)", what, i + 1, tx);
        if (!(wi >= 0.0) || !isfinite(wi))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s: pattern %zu: count = %g is not >= 0",
                           what, i + 1, wi);
        *wsum += wi;
        xsum += wi * xi;
    }
    if (!(*wsum > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s: no customers", what);
    if (!(xsum > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "%s: no repeat purchases in %.0f customers; the model is not identified",
                       what, *wsum);
    return RT_OK;
}
