/* summary.c - `retain summary`: a first look at an event log in one parallel pass over the
 * customers' slices. Each thread keeps a mergeable partial state (counts, a compensated
 * revenue sum, a histogram of inter-purchase gaps, per-channel/product totals); the merge
 * gives exact figures, the median gap included, whatever the thread count.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Totals of one channel or product value. */
typedef struct dim_total {
    rt_ksum revenue;
    uint64_t events, customers;
    uint32_t stamp; /* last customer counted + 1 (per thread) */
} dim_total;

typedef struct part {
    uint64_t purchase_days, repeaters, one_timers, gaps;
    int32_t first, last;
    rt_ksum revenue;
    uint64_t *gap_hist; /* gap_hist[g] = gaps of g days */
    dim_total *dim[2];  /* channel, product */
    unsigned char *order_seen;
    int failed;
} part;

typedef struct job {
    const rt_events *ev;
    int threads;
    int32_t min_day, max_day;
    size_t ndim[2];
    part *parts;
} job;

static const rt_field dim_field[2] = {RT_FIELD_CHANNEL, RT_FIELD_PRODUCT};

/* Summarise customers [c0, c1) into part 'k'. */
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
    const uint32_t *order = rt_events_codes(ev, RT_FIELD_ORDER);
    const uint32_t *codes[2] = {rt_events_codes(ev, RT_FIELD_CHANNEL),
                                rt_events_codes(ev, RT_FIELD_PRODUCT)};
    p->first = INT32_MAX;
    p->last = INT32_MIN;
    for (size_t c = c0; c < c1; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        uint64_t days = 1;
        for (uint64_t i = lo + 1; i < hi; i++) {
            if (day[i] != day[i - 1]) {
                days++;
                p->gap_hist[day[i] - day[i - 1]]++;
                p->gaps++;
            }
        }
        p->purchase_days += days;
        if (days >= 2)
            p->repeaters++;
        else
            p->one_timers++;
        if (day[lo] < p->first)
            p->first = day[lo];
        if (day[hi - 1] > p->last)
            p->last = day[hi - 1];
        for (uint64_t i = lo; i < hi; i++) {
            double a = amt ? amt[i] : 0;
            if (amt)
                rt_ksum_add(&p->revenue, a);
            if (order)
                p->order_seen[order[i]] = 1;
            for (int d = 0; d < 2; d++) {
                if (!codes[d])
                    continue;
                dim_total *t = &p->dim[d][codes[d][i]];
                t->events++;
                if (amt)
                    rt_ksum_add(&t->revenue, a);
                if (t->stamp != (uint32_t)c + 1) {
                    t->stamp = (uint32_t)c + 1;
                    t->customers++;
                }
            }
        }
    }
}

/* The median of the gaps in the merged histogram 'h' (n gaps). */
static double hist_median(const uint64_t *h, size_t len, uint64_t n)
{
    if (n == 0)
        return (double)NAN;
    uint64_t lo_rank = (n - 1) / 2, hi_rank = n / 2, seen = 0;
    double lo = (double)NAN, hi = (double)NAN;
    for (size_t g = 0; g < len; g++) {
        if (seen <= lo_rank && lo_rank < seen + h[g])
            lo = (double)g;
        if (seen <= hi_rank && hi_rank < seen + h[g]) {
            hi = (double)g;
            break;
        }
        seen += h[g];
    }
    return (lo + hi) / 2;
}

typedef struct rank_item {
    uint32_t code;
    double revenue;
    uint64_t events, customers;
} rank_item;

static int by_revenue(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    if (x->events != y->events)
        return x->events > y->events ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

/* Add the table of the 'top' channels or products by revenue (then events, then first
 * appearance) with their revenue share. */
static int add_top(rt_result *r, const rt_events *ev, int d, const dim_total *tot, size_t n,
                   int top, double revenue, int has_amount)
{
    const rt_allocator *a = rt_result_allocator(r);
    rank_item *items = rt_mem_array(a, n ? n : 1, sizeof *items);
    if (!items)
        return -1;
    size_t m = 0; /* values seen only on refund rows that were netted or dropped: left out */
    for (size_t i = 0; i < n; i++)
        if (tot[i].events > 0)
            items[m++] = (rank_item){(uint32_t)i, rt_ksum_value(&tot[i].revenue), tot[i].events,
                                     tot[i].customers};
    n = m;
    qsort(items, n, sizeof *items, by_revenue);
    const char *dname = d == 0 ? "channel" : "product";
    const char *cols[] = {dname, "revenue", "revenue_share", "events", "customers"};
    const int dec[] = {RT_DECIMALS_AUTO, 2, 3, 0, 0};
    int t = rt_result_add_table(r, d == 0 ? "top_channels" : "top_products", 5, cols, dec);
    int bad = t < 0;
    for (size_t i = 0; i < n && (int)i < top && !bad; i++) {
        rt_value cell[5] = {
            {.type = RT_VAL_STRING, .s = rt_events_string(ev, dim_field[d], items[i].code, NULL)},
            {.type = has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = items[i].revenue},
            {.type = has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = items[i].revenue / revenue},
            {.type = RT_VAL_INT, .i = (int64_t)items[i].events},
            {.type = RT_VAL_INT, .i = (int64_t)items[i].customers},
        };
        bad = rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    rt_mem_free(a, items);
    return bad ? -1 : 0;
}

static const char definitions[] =
    "orders = distinct order ids if an order column is given, else events (rows after "
    "refund netting); purchase_days = distinct (customer, day) pairs; aov = revenue / orders; "
    "purchase_frequency = orders / customers; repeat_rate = customers with >= 2 purchase days "
    "/ customers; one_time_customers = customers with exactly 1 purchase day; "
    "median_interpurchase_days = median gap between consecutive purchase days of the same "
    "customer; top_channels/top_products: revenue, events (rows) and distinct customers per "
    "value, by revenue then events; days are UTC";

/* Allocate the per-thread state. */
static int alloc_parts(job *j, const rt_allocator *a, size_t span)
{
    const rt_events *ev = j->ev;
    for (int k = 0; k < j->threads; k++) {
        part *p = &j->parts[k];
        p->gap_hist = rt_mem_calloc(a, span, sizeof *p->gap_hist);
        if (!p->gap_hist)
            return -1;
        for (int d = 0; d < 2; d++) {
            if (!rt_events_codes(ev, dim_field[d]))
                continue;
            p->dim[d] = rt_mem_calloc(a, j->ndim[d] ? j->ndim[d] : 1, sizeof *p->dim[d]);
            if (!p->dim[d])
                return -1;
        }
        if (rt_events_codes(ev, RT_FIELD_ORDER)) {
            size_t n = rt_events_dict_size(ev, RT_FIELD_ORDER);
            p->order_seen = rt_mem_calloc(a, n ? n : 1, 1);
            if (!p->order_seen)
                return -1;
        }
    }
    return 0;
}

static void free_parts(job *j, const rt_allocator *a)
{
    for (int k = 0; k < j->threads; k++) {
        rt_mem_free(a, j->parts[k].gap_hist);
        rt_mem_free(a, j->parts[k].dim[0]);
        rt_mem_free(a, j->parts[k].dim[1]);
        rt_mem_free(a, j->parts[k].order_seen);
    }
}

/* "customer=customer_id, date=date, ..." */
static void describe_columns(const rt_events *ev, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "customer=%s, date=%s", rt_events_column(ev, RT_FIELD_CUSTOMER),
                     rt_events_date_column(ev));
    const char *amount = rt_events_amount_column(ev);
    if (amount && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, ", amount=%s", amount);
    static const char *const label[] = {"", "channel", "product", "order"};
    for (int f = 1; f < 4 && n >= 0 && (size_t)n < cap; f++) {
        const char *c = rt_events_column(ev, (rt_field)f);
        if (c)
            n += snprintf(buf + n, cap - (size_t)n, ", %s=%s", label[f], c);
    }
}

/* Merge the parts and add every field and table to 'r'. */
static int build(rt_result *r, job *j, size_t span, int top)
{
    const rt_events *ev = j->ev;
    const rt_load_stats *st = rt_events_stats(ev);
    part *m = &j->parts[0];
    for (int k = 1; k < j->threads; k++) {
        part *p = &j->parts[k];
        m->purchase_days += p->purchase_days;
        m->repeaters += p->repeaters;
        m->one_timers += p->one_timers;
        m->gaps += p->gaps;
        if (p->first < m->first)
            m->first = p->first;
        if (p->last > m->last)
            m->last = p->last;
        rt_ksum_merge(&m->revenue, &p->revenue);
        for (size_t g = 0; g < span; g++)
            m->gap_hist[g] += p->gap_hist[g];
        for (int d = 0; d < 2; d++)
            for (size_t i = 0; m->dim[d] && i < j->ndim[d]; i++) {
                rt_ksum_merge(&m->dim[d][i].revenue, &p->dim[d][i].revenue);
                m->dim[d][i].events += p->dim[d][i].events;
                m->dim[d][i].customers += p->dim[d][i].customers;
            }
        if (m->order_seen) {
            size_t n = rt_events_dict_size(ev, RT_FIELD_ORDER);
            for (size_t i = 0; i < n; i++)
                m->order_seen[i] |= p->order_seen[i];
        }
    }
    size_t customers = rt_events_customers(ev);
    uint64_t orders = rt_events_count(ev);
    if (m->order_seen) {
        orders = 0;
        size_t n = rt_events_dict_size(ev, RT_FIELD_ORDER);
        for (size_t i = 0; i < n; i++)
            orders += m->order_seen[i];
    }
    int has_amount = rt_events_amounts(ev) != NULL;
    double revenue = has_amount ? rt_ksum_value(&m->revenue) : (double)NAN;
    char cols[600];
    describe_columns(ev, cols, sizeof cols);
    int bad = 0;
    bad |= rt_result_add_string(r, "source", rt_events_source(ev));
    bad |= rt_result_add_int(r, "rows_read", (int64_t)st->rows_read);
    bad |= rt_result_add_int(r, "rows_used", (int64_t)st->rows_used);
    bad |= rt_result_add_int(r, "rows_rejected", (int64_t)st->rows_rejected);
    bad |= rt_result_add_int(r, "rows_dropped", (int64_t)st->rows_dropped);
    bad |= rt_result_add_int(r, "refund_rows", (int64_t)st->refund_rows);
    bad |= rt_result_add_double(r, "refund_amount", st->refund_amount, 2);
    bad |= rt_result_add_double(r, "refund_netted", st->refund_netted, 2);
    bad |= rt_result_add_int(r, "events", (int64_t)rt_events_count(ev));
    bad |= rt_result_add_int(r, "customers", (int64_t)customers);
    bad |= rt_result_add_int(r, "orders", (int64_t)orders);
    bad |= rt_result_add_int(r, "purchase_days", (int64_t)m->purchase_days);
    bad |= rt_result_add_date(r, "first_date", m->first);
    bad |= rt_result_add_date(r, "last_date", m->last);
    bad |= rt_result_add_int(r, "span_days", (int64_t)m->last - m->first + 1);
    bad |= rt_result_add_double(r, "revenue", revenue, 2);
    bad |= rt_result_add_double(r, "aov", revenue / (double)orders, 2);
    bad |= rt_result_add_double(r, "purchase_frequency", (double)orders / (double)customers, 3);
    bad |= rt_result_add_double(r, "repeat_rate", (double)m->repeaters / (double)customers, 4);
    bad |= rt_result_add_int(r, "repeat_customers", (int64_t)m->repeaters);
    bad |= rt_result_add_int(r, "one_time_customers", (int64_t)m->one_timers);
    bad |= rt_result_add_double(r, "median_interpurchase_days",
                                hist_median(m->gap_hist, span, m->gaps), 1);
    bad |= rt_result_add_string(r, "columns", cols);
    bad |= rt_result_add_string(r, "definitions", definitions);
    for (int d = 0; d < 2 && !bad; d++)
        if (m->dim[d])
            bad |= add_top(r, ev, d, m->dim[d], j->ndim[d], top, revenue, has_amount);
    return bad ? -1 : 0;
}

rt_status rt_summary_run(const rt_events *ev, const rt_summary_options *opt, rt_result **out,
                         rt_error *err)
{
    rt_summary_options defaults = {0};
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_summary_run: NULL argument");
    if (!opt)
        opt = &defaults;
    const rt_allocator *a = NULL;
    job j = {.ev = ev, .threads = rt_thread_count(opt->threads)};
    size_t nc = rt_events_customers(ev);
    if ((size_t)j.threads > nc)
        j.threads = nc ? (int)nc : 1;
    part parts[64];
    memset(parts, 0, sizeof parts);
    j.parts = parts;
    /* The span bounds every gap, so the histogram needs no growth. */
    int32_t lo = rt_events_first_day(ev), hi = rt_events_last_day(ev);
    size_t span = nc ? (size_t)((int64_t)hi - lo + 1) : 1;
    for (int d = 0; d < 2; d++)
        j.ndim[d] = rt_events_dict_size(ev, dim_field[d]);
    rt_result *r = NULL;
    rt_status st = RT_OK;
    if (alloc_parts(&j, a, span) != 0) {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    rt_parallel(j.threads, run_part, &j);
    r = rt_result_new(a, "summary");
    if (!r || build(r, &j, span, opt->top > 0 ? opt->top : 10) != 0) {
        rt_result_free(r);
        r = NULL;
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
out:
    free_parts(&j, a);
    *out = r;
    return st;
}
