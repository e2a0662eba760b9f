/* loyalty.c - `retain loyalty`: repeat rate, retention at 30/90/365 days, orders and revenue
 * per customer, and the share of repeat purchases made in the same value again, for each
 * value of a channel, product, extra events column or customer attribute. One parallel pass
 * over the customers' slices; each customer counts once, in the group of its first purchase
 * event (cohort-entry semantics) or of its attribute value. Per-thread group totals merge.
 * SPDX-License-Identifier: MIT */
#include "core/dict.h"
#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { NWIN = 3 };
static const int32_t window[NWIN] = {30, 90, 365};

/* Per-thread per-group state. 32-bit counts are enough, for the totals over all threads
 * too: the event table holds fewer than 2^32 events, so no group count can reach it. */
typedef struct gpart {
    uint32_t customers, repeaters;
    uint32_t observed[NWIN], retained[NWIN];
    uint32_t orders, repeat_events, same_events;
    rt_ksum revenue;
} gpart;

/* A group in the result: its totals over all threads (still below 2^32, as above) and its
 * value, borrowed from the events or the attribute table. */
typedef struct group {
    gpart t;
    const char *value;
} group;

typedef struct job {
    const rt_events *ev;
    int threads;
    int64_t last_day;      /* the data's last day */
    const uint32_t *codes; /* event dimension: group = code of the first event; else NULL */
    const rt_attrs *attrs; /* attribute dimension: group = row_group[row of the customer] */
    const uint32_t *row_group;
    size_t ngroups;
    gpart *parts[64];
    uint64_t matched[64]; /* customers found in the attribute table, per thread */
} job;

/* Count customers [c0, c1) of part 'k' into their groups. */
static void run_part(void *arg, int k)
{
    job *j = arg;
    const rt_events *ev = j->ev;
    size_t nc = rt_events_customers(ev);
    size_t c0 = nc * (size_t)k / (size_t)j->threads, c1 = nc * (size_t)(k + 1) / (size_t)j->threads;
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const double *amt = rt_events_amounts(ev);
    const uint32_t *codes = j->codes;
    gpart *gp = j->parts[k];
    uint64_t matched = 0;
    for (size_t c = c0; c < c1; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        uint32_t g;
        if (codes) {
            g = codes[lo]; /* the first event: earliest day and second, then input order */
        } else {
            size_t len;
            const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, &len);
            long row = rt_attrs_find(j->attrs, id, len);
            if (row < 0)
                continue; /* unmatched: in no group */
            matched++;
            g = j->row_group[row];
        }
        gpart *s = &gp[g];
        int64_t first = day[lo];
        uint64_t i = lo + 1; /* the first event on a later day: the repeat purchases start here */
        while (i < hi && day[i] == first)
            i++;
        s->customers++;
        s->orders += (uint32_t)(hi - lo);
        if (i < hi)
            s->repeaters++;
        for (int w = 0; w < NWIN; w++) {
            if (first + window[w] > j->last_day)
                continue; /* not observed for that long */
            s->observed[w]++;
            if (i < hi && day[i] - first <= window[w])
                s->retained[w]++;
        }
        s->repeat_events += (uint32_t)(hi - i);
        if (codes) {
            uint32_t same = 0;
            for (uint64_t m = i; m < hi; m++)
                same += codes[m] == g;
            s->same_events += same;
        }
        if (amt) {
            rt_ksum sum = {0, 0};
            for (uint64_t m = lo; m < hi; m++)
                rt_ksum_add(&sum, amt[m]);
            rt_ksum_merge(&s->revenue, &sum);
        }
    }
    j->matched[k] = matched;
}

/* ---- the attribute values ---- */

/* Number the distinct values of column 'col' of 'a' (in row order): '*row_group' (one entry
 * per row, caller frees) receives each row's number and '*values' (caller frees) the first
 * row's text of each number. Returns the count, or -1 when out of memory. */
static long number_values(const rt_attrs *a, size_t col, uint32_t **row_group, const char ***values)
{
    size_t n = rt_attrs_rows(a), nslots = 64, nv = 0;
    while (nslots < 2 * n)
        nslots *= 2;
    uint32_t *slot = rt_mem_calloc(NULL, nslots, sizeof *slot); /* value number + 1; 0 = free */
    uint32_t *rg = rt_mem_array(NULL, n ? n : 1, sizeof *rg);
    const char **vals = rt_mem_array(NULL, n ? n : 1, sizeof *vals);
    if (!slot || !rg || !vals) {
        rt_mem_free(NULL, slot);
        rt_mem_free(NULL, rg);
        rt_mem_free(NULL, vals);
        return -1;
    }
    for (size_t r = 0; r < n; r++) {
        const char *v = rt_attrs_value(a, r, col);
        size_t i = (size_t)rt_hash(v, strlen(v)) & (nslots - 1);
        while (slot[i] != 0 && strcmp(vals[slot[i] - 1], v) != 0)
            i = (i + 1) & (nslots - 1);
        if (slot[i] == 0) {
            vals[nv] = v;
            slot[i] = (uint32_t)++nv;
        }
        rg[r] = slot[i] - 1;
    }
    rt_mem_free(NULL, slot);
    *row_group = rg;
    *values = vals;
    return (long)nv;
}

/* ---- the result ---- */

static int by_customers(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->t.customers != b->t.customers)
        return a->t.customers > b->t.customers ? -1 : 1;
    return strcmp(a->value, b->value);
}

static const char event_definitions[] =
    "cohort-entry semantics: each customer counts once, for the value v of their first "
    "purchase event (the earliest by day and time of day, then input order; refunds are netted "
    "into purchases and are not events); customers = customers whose first purchase was in v; "
    "repeat_rate = share of them with >= 2 purchase days; retention_D (D = 30, 90, 365) = "
    "share of the observed_D customers with another purchase day in (first day, first day + "
    "D]; observed_D = customers whose first day + D <= last_date (the data's last day); "
    "orders_per_customer = events (rows after refund netting) / customers; "
    "revenue_per_customer = sum of the customers' amounts / customers (null without an amount "
    "column); same_value_repeat_share = of the group's repeat purchases (every event of its "
    "customers on a day after their first purchase day), the share whose value is v again "
    "(null when there are none); rows by customers descending, then value; days are UTC";

static const char attr_definitions[] =
    "each customer counts once, for their value v of the attribute column in the customer "
    "table, joined on the customer id (exact text); customers without a row there are counted "
    "in unmatched_customers and belong to no group, attribute rows whose id has no events in "
    "attribute_rows_without_events; customers = customers with value v; repeat_rate = share of "
    "them with >= 2 purchase days; retention_D (D = 30, 90, 365) = share of the observed_D "
    "customers with another purchase day in (first day, first day + D], first day = the day "
    "of the customer's first purchase; observed_D = customers whose first day + D <= "
    "last_date (the data's last day); orders_per_customer = events (rows after refund netting) "
    "/ customers; revenue_per_customer = sum of the customers' amounts / customers (null "
    "without an amount column); same_value_repeat_share is null: an attribute is constant per "
    "customer, so every repeat purchase is 'in v' again and the share says nothing; rows by "
    "customers descending, then value; days are UTC";

/* The value column's name: the dimension's, unless it is empty or clashes with another
 * column (then "value"). */
static const char *value_name(const char *dim, const char *const *cols, size_t ncols)
{
    if (!dim || !*dim)
        return "value";
    for (size_t c = 1; c < ncols; c++)
        if (strcmp(cols[c], dim) == 0)
            return "value";
    return dim;
}

static int add_rows(rt_result *r, const char *dim, group *g, size_t n, int has_amount,
                    int has_share)
{
    const char *cols[] = {"",
                          "customers",
                          "repeat_rate",
                          "retention_30",
                          "observed_30",
                          "retention_90",
                          "observed_90",
                          "retention_365",
                          "observed_365",
                          "orders_per_customer",
                          "revenue_per_customer",
                          "same_value_repeat_share"};
    enum { NCOLS = sizeof cols / sizeof cols[0] };
    const int dec[NCOLS] = {RT_DECIMALS_AUTO, 0, 4, 4, 0, 4, 0, 4, 0, 3, 2, 4};
    cols[0] = value_name(dim, cols, NCOLS);
    int t = rt_result_add_table(r, "loyalty", NCOLS, cols, dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const gpart *x = &g[i].t;
        double cust = (double)x->customers;
        rt_value cell[NCOLS];
        cell[0] = (rt_value){.type = RT_VAL_STRING, .s = g[i].value};
        cell[1] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)x->customers};
        cell[2] = (rt_value){.type = RT_VAL_DOUBLE, .d = (double)x->repeaters / cust};
        for (int w = 0; w < NWIN; w++) {
            /* 0 / 0 is NaN: written as null when no customer was observed that long */
            cell[3 + 2 * w] = (rt_value){.type = RT_VAL_DOUBLE,
                                         .d = (double)x->retained[w] / (double)x->observed[w]};
            cell[4 + 2 * w] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)x->observed[w]};
        }
        cell[9] = (rt_value){.type = RT_VAL_DOUBLE, .d = (double)x->orders / cust};
        cell[10] = (rt_value){.type = has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL,
                              .d = rt_ksum_value(&x->revenue) / cust};
        cell[11] = (rt_value){.type = has_share ? RT_VAL_DOUBLE : RT_VAL_NULL,
                              .d = (double)x->same_events / (double)x->repeat_events};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* ---- the entry point ---- */

/* Check the options and find the groups: the event codes, or the attribute column's values. */
static rt_status prepare(job *j, const rt_loyalty_options *opt, long *col, rt_error *err)
{
    const rt_events *ev = j->ev;
    if (opt->attrs) {
        if (!opt->attr_col)
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_loyalty_run: attrs without attr_col");
        *col = rt_attrs_column(opt->attrs, opt->attr_col);
        if (*col < 0) {
            char cols[300];
            size_t len = 0;
            cols[0] = '\0';
            for (size_t c = 0; c < rt_attrs_columns(opt->attrs) && len + 8 < sizeof cols; c++) {
                int w = snprintf(cols + len, sizeof cols - len, "%s%s", c ? ", " : "",
                                 rt_attrs_column_name(opt->attrs, c));
                if (w < 0 || (size_t)w >= sizeof cols - len) {
                    snprintf(cols + sizeof cols - 5, 5, "...");
                    break;
                }
                len += (size_t)w;
            }
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "the customer attributes have no column '%s'; they are: %s",
                           opt->attr_col, cols);
        }
        return RT_OK;
    }
    static const char *const what[] = {"", "channel", "product", "", "extra"};
    static const char *const flag[] = {"", "--channel", "--product", "", "--by"};
    if (opt->by != RT_FIELD_CHANNEL && opt->by != RT_FIELD_PRODUCT && opt->by != RT_FIELD_EXTRA)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_loyalty_run: 'by' must be the channel, product or extra field");
    j->codes = rt_events_codes(ev, opt->by);
    if (!j->codes)
        return rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                       "no %s column; name it with %s COL", what[opt->by], flag[opt->by]);
    j->ngroups = rt_events_dict_size(ev, opt->by);
    return RT_OK;
}

rt_status rt_loyalty_run(const rt_events *ev, const rt_loyalty_options *opt, rt_result **out,
                         rt_error *err)
{
    if (out)
        *out = NULL;
    if (!ev || !opt || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_loyalty_run: NULL argument");
    job j = {.ev = ev, .attrs = opt->attrs};
    long col = -1;
    rt_status st = prepare(&j, opt, &col, err);
    if (st != RT_OK)
        return st;
    uint32_t *row_group = NULL;
    const char **values = NULL;
    group *g = NULL;
    rt_result *r = NULL;
    if (opt->attrs) {
        long nv = number_values(opt->attrs, (size_t)col, &row_group, &values);
        if (nv < 0)
            goto oom;
        j.row_group = row_group;
        j.ngroups = (size_t)nv;
    }
    size_t nc = rt_events_customers(ev);
    int32_t first_day = rt_events_first_day(ev), last_day = rt_events_last_day(ev);
    j.last_day = last_day;
    /* Threads: no more than customers, and the per-thread group arrays stay small even when
     * the field has millions of values (an id-like column). */
    size_t ng = j.ngroups ? j.ngroups : 1;
    size_t max_threads = ((size_t)1 << 22) / ng;
    j.threads = rt_thread_count(opt->threads);
    if ((size_t)j.threads > max_threads)
        j.threads = max_threads ? (int)max_threads : 1;
    if ((size_t)j.threads > nc)
        j.threads = nc ? (int)nc : 1;
    for (int k = 0; k < j.threads; k++)
        if (!(j.parts[k] = rt_mem_calloc(NULL, ng, sizeof *j.parts[k])))
            goto oom;
    rt_parallel(j.threads, run_part, &j);
    /* Merge into part 0, then keep the values with customers (an id-like field may have
     * millions of values, few of them first purchases). */
    gpart *m = j.parts[0];
    size_t n = 0;
    for (size_t v = 0; v < j.ngroups; v++) {
        for (int k = 1; k < j.threads; k++) {
            const gpart *p = &j.parts[k][v];
            m[v].customers += p->customers;
            m[v].repeaters += p->repeaters;
            for (int w = 0; w < NWIN; w++) {
                m[v].observed[w] += p->observed[w];
                m[v].retained[w] += p->retained[w];
            }
            m[v].orders += p->orders;
            m[v].repeat_events += p->repeat_events;
            m[v].same_events += p->same_events;
            rt_ksum_merge(&m[v].revenue, &p->revenue);
        }
        n += m[v].customers > 0;
    }
    g = rt_mem_array(NULL, n ? n : 1, sizeof *g);
    if (!g)
        goto oom;
    n = 0;
    for (size_t v = 0; v < j.ngroups; v++)
        if (m[v].customers > 0)
            g[n++] = (group){m[v],
                             values ? values[v] : rt_events_string(ev, opt->by, (uint32_t)v, NULL)};
    qsort(g, n, sizeof *g, by_customers);
    uint64_t matched = 0, grouped = 0;
    for (int k = 0; k < j.threads; k++)
        matched += j.matched[k];
    for (size_t i = 0; i < n; i++)
        grouped += g[i].t.customers;
    r = rt_result_new(NULL, "loyalty");
    if (!r)
        goto oom;
    const char *dim = opt->attrs                    ? rt_attrs_column_name(opt->attrs, (size_t)col)
                      : opt->by == RT_FIELD_CHANNEL ? "channel"
                      : opt->by == RT_FIELD_PRODUCT ? "product"
                                                    : rt_events_column(ev, RT_FIELD_EXTRA);
    int bad = 0;
    bad |= rt_result_add_string(r, "source", rt_events_source(ev));
    bad |= rt_result_add_string(r, "by", dim);
    bad |= rt_result_add_string(r, "grouping",
                                opt->attrs ? "customer attribute" : "first purchase event");
    bad |= rt_result_add_int(r, "customers", (int64_t)nc);
    bad |= rt_result_add_int(r, "grouped_customers", (int64_t)grouped);
    bad |= rt_result_add_int(r, "unmatched_customers", (int64_t)(nc - grouped));
    if (opt->attrs) {
        size_t rows = rt_attrs_rows(opt->attrs);
        bad |= rt_result_add_int(r, "attribute_rows", (int64_t)rows);
        bad |= rt_result_add_int(r, "attribute_rows_without_events", (int64_t)(rows - matched));
    } else {
        bad |= rt_result_add_null(r, "attribute_rows");
        bad |= rt_result_add_null(r, "attribute_rows_without_events");
    }
    bad |= rt_result_add_int(r, "values", (int64_t)n);
    bad |= rt_result_add_int(r, "events", (int64_t)rt_events_count(ev));
    bad |= rt_result_add_date(r, "first_date", first_day);
    bad |= rt_result_add_date(r, "last_date", last_day);
    bad |=
        rt_result_add_string(r, "definitions", opt->attrs ? attr_definitions : event_definitions);
    if (bad || add_rows(r, dim, g, n, rt_events_amounts(ev) != NULL, !opt->attrs) != 0)
        goto oom;
    goto done;
oom:
    rt_result_free(r);
    r = NULL;
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
done:
    for (int k = 0; k < 64; k++)
        rt_mem_free(NULL, j.parts[k]);
    rt_mem_free(NULL, g);
    rt_mem_free(NULL, row_group);
    rt_mem_free(NULL, values);
    *out = r;
    return st;
}
