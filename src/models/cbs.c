/* cbs.c - the per-customer summary every BTYD model is fitted on (DESIGN.md 4.6) as public
 * API: built from an event table over the internal rt_btyd_summarize (btyd_data.c), turned
 * into a result (`retain rfm-summary`), freed. The table owns copies of everything it shows
 * (ids included), so it outlives the event table it came from.
 * SPDX-License-Identifier: MIT */
#include "models/cbs.h"

#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/result.h"
#include "models/btyd_data.h"

#include <math.h>
#include <string.h>

/* ---- units ---- */

static const struct {
    const char *name;
    double days;
} units[] = {{"day", RT_UNIT_DAY}, {"week", RT_UNIT_WEEK}, {"month", RT_UNIT_MONTH}};

int rt_unit_parse(const char *s, double *unit_days)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (s && strcmp(s, units[i].name) == 0) {
            *unit_days = units[i].days;
            return 0;
        }
    return -1;
}

const char *rt_unit_name(double unit_days)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (unit_days == units[i].days)
            return units[i].name;
    return NULL;
}

/* ---- the table's memory ---- */

/* The table and its memory record in one allocation. */
typedef struct cbs_box {
    rt_cbs c;
    rt_cbs_mem m;
} cbs_box;

rt_cbs *rt_cbs_new(rt_cbs_mem **mem)
{
    cbs_box *b = rt_mem_calloc(NULL, 1, sizeof *b);
    if (!b)
        return NULL;
    b->c.priv_ = &b->m;
    *mem = &b->m;
    return &b->c;
}

void rt_cbs_publish(rt_cbs *c, size_t n)
{
    rt_cbs_mem *m = c->priv_;
    c->n = n;
    c->id = m->id;
    c->x = m->col[CBS_X];
    c->t_x = m->col[CBS_TX];
    c->T = m->col[CBS_T];
    c->mbar = m->col[CBS_MBAR];
    c->w = m->col[CBS_W];
    c->x_star = m->col[CBS_XSTAR];
    c->holdout_amount = m->col[CBS_HOLDOUT];
    c->first_day = m->first_day;
}

void rt_cbs_free(rt_cbs *c)
{
    if (!c)
        return;
    rt_cbs_mem *m = c->priv_;
    for (int k = 0; k < CBS_NCOL; k++)
        rt_mem_free(NULL, m->col[k]);
    rt_mem_free(NULL, m->first_day);
    rt_mem_free(NULL, (void *)m->id);
    rt_mem_free(NULL, m->text);
    rt_mem_free(NULL, c); /* the box: 'c' is its first member */
}

/* ---- from events ---- */

/* Copy the ids of the summarised customers 'rows' ('n') into one block of text. Returns 0 or
 * -1 when out of memory. */
static int copy_ids(rt_cbs_mem *m, const rt_events *ev, const rt_btyd_cust *rows, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)rows[i].customer, &len);
        total += len + 1;
    }
    m->text = rt_mem_alloc(NULL, total);
    m->id = rt_mem_array(NULL, n, sizeof *m->id);
    if (!m->text || !m->id)
        return -1;
    char *p = m->text;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *s = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)rows[i].customer, &len);
        memcpy(p, s, len);
        p[len] = '\0';
        m->id[i] = p;
        p += len + 1;
    }
    return 0;
}

/* Fill the table 'c' (memory 'm') from the 'n' summary rows. Returns 0 or -1 (out of memory). */
static int fill(rt_cbs *c, rt_cbs_mem *m, const rt_events *ev, const rt_btyd_cust *rows, size_t n,
                int amounts, int holdout)
{
    int want[CBS_NCOL] = {1, 1, 1, amounts, 0, holdout, amounts && holdout};
    for (int k = 0; k < CBS_NCOL; k++)
        if (want[k] && !(m->col[k] = rt_mem_array(NULL, n, sizeof(double))))
            return -1;
    if (!(m->first_day = rt_mem_array(NULL, n, sizeof *m->first_day)))
        return -1;
    if (copy_ids(m, ev, rows, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const rt_btyd_cust *r = &rows[i];
        m->col[CBS_X][i] = r->x;
        m->col[CBS_TX][i] = r->t_x;
        m->col[CBS_T][i] = r->T;
        if (amounts)
            m->col[CBS_MBAR][i] = r->mbar;
        if (holdout)
            m->col[CBS_XSTAR][i] = r->x_star;
        if (amounts && holdout)
            m->col[CBS_HOLDOUT][i] = r->holdout_amount;
        m->first_day[i] = r->first_day;
    }
    rt_cbs_publish(c, n);
    return 0;
}

rt_status rt_cbs_from_events(const rt_events *ev, const rt_cbs_options *opt, rt_cbs **out,
                             rt_error *err)
{
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_cbs_from_events: NULL argument");
    rt_cbs_options o = {0};
    if (opt)
        o = *opt;
    double unit = o.unit_days == 0 ? RT_UNIT_WEEK : o.unit_days;
    if (!isfinite(unit) || unit <= 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_cbs_from_events: the time unit must be a positive number of days, "
                       "got %g",
                       unit);
    int32_t first = rt_events_first_day(ev), last = rt_events_last_day(ev);
    int32_t end = o.has_calibration_end ? o.calibration_end : last;
    if (end < first) {
        char e[16], f[16];
        rt_date_format(end, e);
        rt_date_format(first, f);
        return rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                       "the calibration end %s is before the first event (%s)", e, f);
    }
    rt_btyd_cust *rows = NULL;
    size_t n = 0;
    rt_status st = rt_btyd_summarize(ev, end, unit, &rows, &n, err);
    if (st != RT_OK)
        return st;
    /* end >= first: the customer of the first event is always kept, so n >= 1. */
    int amounts = rt_events_amounts(ev) != NULL, holdout = end < last;
    rt_cbs_mem *m = NULL;
    rt_cbs *c = rt_cbs_new(&m);
    if (!c || fill(c, m, ev, rows, n, amounts, holdout) != 0) {
        rt_btyd_cust_free(ev, rows);
        rt_cbs_free(c);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rt_btyd_cust_free(ev, rows);
    c->unit_days = unit;
    c->holdout_length = holdout ? (double)((int64_t)last - end) / unit : 0;
    c->calibration_end = end;
    c->data_end = last;
    c->excluded = rt_events_customers(ev) - n;
    *out = c;
    return RT_OK;
}

/* ---- as a result ---- */

static const char definitions[] =
    "frequency = repeat purchases in the calibration period: purchase days after the first "
    "(events on one day are one purchase, amounts summed); recency = time from the first "
    "purchase to the last calibration purchase (0 when frequency = 0); T = time from the "
    "first purchase to the calibration end (inclusive); monetary_value = mean value of the "
    "repeat purchases (0 when frequency = 0); holdout_frequency, holdout_monetary = purchases "
    "and their value after the calibration end, up to data_end; times in units of unit_days "
    "days; customers whose first purchase is after the calibration end are excluded";

/* The column set of the main table. */
typedef struct colset {
    const char *name[10];
    int dec[10];
    size_t n;
} colset;

static void add_col(colset *s, const char *name, int dec)
{
    s->name[s->n] = name;
    s->dec[s->n] = dec;
    s->n++;
}

/* The main table: one row per table row, the columns present in 'c'. */
static int add_rows(rt_result *r, const rt_cbs *c)
{
    colset s = {0};
    if (c->id)
        add_col(&s, "customer_id", RT_DECIMALS_AUTO);
    add_col(&s, "frequency", 0);
    add_col(&s, "recency", 2);
    add_col(&s, "T", 2);
    if (c->mbar)
        add_col(&s, "monetary_value", 2);
    if (c->w)
        add_col(&s, "weight", RT_DECIMALS_AUTO);
    if (c->x_star)
        add_col(&s, "holdout_frequency", 0);
    if (c->x_star && c->holdout_amount)
        add_col(&s, "holdout_monetary", 2);
    if (c->first_day)
        add_col(&s, "first_purchase", RT_DECIMALS_AUTO);
    int t = rt_result_add_table(r, "summary", s.n, s.name, s.dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    rt_value cell[10];
    for (size_t i = 0; i < c->n; i++) {
        size_t k = 0;
        if (c->id)
            cell[k++] = (rt_value){.type = RT_VAL_STRING, .s = c->id[i]};
        cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->x[i]};
        cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->t_x[i]};
        cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->T[i]};
        if (c->mbar)
            cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->mbar[i]};
        if (c->w)
            cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->w[i]};
        if (c->x_star)
            cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->x_star[i]};
        if (c->x_star && c->holdout_amount)
            cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->holdout_amount[i]};
        if (c->first_day)
            cell[k++] = (rt_value){.type = RT_VAL_DATE, .i = c->first_day[i]};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* The fields: unit, dates, holdout, counts, definitions. */
static int add_fields(rt_result *r, const rt_cbs *c)
{
    rt_ksum wsum = {0, 0}, xsum = {0, 0}, xstar = {0, 0};
    for (size_t i = 0; i < c->n; i++) {
        double w = c->w ? c->w[i] : 1;
        rt_ksum_add(&wsum, w);
        rt_ksum_add(&xsum, w * c->x[i]);
        if (c->x_star)
            rt_ksum_add(&xstar, c->x_star[i]);
    }
    int bad = 0, events = c->first_day != NULL;
    bad |= rt_result_add_string(r, "unit", rt_unit_name(c->unit_days));
    if (c->unit_days > 0)
        bad |= rt_result_add_double(r, "unit_days", c->unit_days, RT_DECIMALS_AUTO);
    else
        bad |= rt_result_add_null(r, "unit_days");
    if (events) {
        bad |= rt_result_add_date(r, "calibration_end", c->calibration_end);
        bad |= rt_result_add_date(r, "data_end", c->data_end);
    } else {
        bad |= rt_result_add_null(r, "calibration_end");
        bad |= rt_result_add_null(r, "data_end");
    }
    bad |= rt_result_add_double(r, "holdout_length", c->holdout_length, RT_DECIMALS_AUTO);
    if (c->unit_days > 0)
        bad |= rt_result_add_double(r, "holdout_days", c->holdout_length * c->unit_days,
                                    RT_DECIMALS_AUTO);
    else
        bad |= rt_result_add_null(r, "holdout_days");
    bad |= rt_result_add_int(r, "rows", (int64_t)c->n);
    if (c->w)
        bad |= rt_result_add_double(r, "customers", rt_ksum_value(&wsum), RT_DECIMALS_AUTO);
    else
        bad |= rt_result_add_int(r, "customers", (int64_t)c->n);
    bad |= rt_result_add_int(r, "excluded", (int64_t)c->excluded);
    bad |= rt_result_add_double(r, "repeat_purchases", rt_ksum_value(&xsum), RT_DECIMALS_AUTO);
    if (c->x_star)
        bad |=
            rt_result_add_double(r, "holdout_purchases", rt_ksum_value(&xstar), RT_DECIMALS_AUTO);
    else
        bad |= rt_result_add_null(r, "holdout_purchases");
    bad |= rt_result_add_string(r, "definitions", definitions);
    return bad;
}

rt_status rt_cbs_result(const rt_cbs *c, rt_result **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!c || !out || (c->n > 0 && (!c->x || !c->t_x || !c->T)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_cbs_result: NULL argument");
    rt_result *r = rt_result_new(NULL, "rfm-summary");
    if (!r || add_fields(r, c) != 0 || add_rows(r, c) != 0) {
        rt_result_free(r);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = r;
    return RT_OK;
}
