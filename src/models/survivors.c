/* survivors.c - the sBG model's input: customers still active at the start of each period,
 * per cohort, read from CSV in one of four layouts (wide, long, one row per customer as
 * pymc-marketing takes it, or one row per subscription). The layout is recognised from the
 * header unless given; the rules are spelled out at rt_survivors_layout in retain.h. Every
 * bad value is reported as "name:line:col: column 'c': ...".
 * SPDX-License-Identifier: MIT */
#include "core/date.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"
#include "io/columns.h"
#include "io/csv_rows.h"
#include "retain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 4096
#define MAX_PERIODS 1000000 /* longest cohort a customers file may describe (T) */
#define NO_END INT32_MIN    /* a subscription without an end */

/* ---- the table ---- */

/* The table and the arrays it owns: 'name', 'len' and 'alive' grow together ('cap'). */
typedef struct surv_box {
    rt_survivors s;
    char **name;
    size_t *len;
    double **alive;
    size_t name_cap, len_cap, alive_cap;
} surv_box;

void rt_survivors_free(rt_survivors *s)
{
    if (!s)
        return;
    surv_box *b = (surv_box *)s;
    for (size_t i = 0; i < s->ncohorts; i++) {
        rt_mem_free(NULL, b->name[i]);
        rt_mem_free(NULL, b->alive[i]);
    }
    rt_mem_free(NULL, b->name);
    rt_mem_free(NULL, b->len);
    rt_mem_free(NULL, b->alive);
    rt_mem_free(NULL, b);
}

/* Append a cohort named 'name' with counts 'alive' ('len'), which the table adopts (it is
 * freed on failure). Returns 0 or -1 when out of memory. */
static int add_cohort(surv_box *b, const char *name, double *alive, size_t len)
{
    size_t n = b->s.ncohorts;
    char *copy = rt_mem_strdup(NULL, name);
    if (!copy || rt_mem_grow(NULL, (void **)&b->name, &b->name_cap, n + 1, sizeof *b->name) ||
        rt_mem_grow(NULL, (void **)&b->len, &b->len_cap, n + 1, sizeof *b->len) ||
        rt_mem_grow(NULL, (void **)&b->alive, &b->alive_cap, n + 1, sizeof *b->alive)) {
        rt_mem_free(NULL, copy);
        rt_mem_free(NULL, alive);
        return -1;
    }
    b->name[n] = copy;
    b->alive[n] = alive;
    b->len[n] = len;
    b->s.ncohorts = n + 1;
    b->s.name = (const char *const *)b->name;
    b->s.len = b->len;
    b->s.alive = (const double *const *)b->alive;
    return 0;
}

/* ---- reading ---- */

/* The read in progress; the layouts keep their own state in the unions' members. */
typedef struct reader {
    const char *name; /* for messages */
    const rt_survivors_options *o;
    rt_survivors_layout layout;
    char **names; /* header names */
    size_t ncols;
    surv_box *box;
    /* wide */
    long *wcol;      /* the cohort columns used */
    size_t nw;       /* how many */
    double **wv;     /* per cohort column: values per period */
    size_t *wlen;    /* per cohort column: periods with a value */
    int *wclosed;    /* per cohort column: an empty cell was seen */
    size_t rows;     /* data rows read */
    size_t rows_cap; /* room in each wv[] */
    /* long and customers: the cohort column (-1 = none) and the value columns */
    long ccol, pcol, acol;
    struct cohort {
        char *name;
        double T;     /* customers: the cohort's T (0 until its first row) */
        long T_line;  /* customers: the line T was first read on */
        double *hist; /* customers: counts per recency 1..T (index 0 unused) */
    } * coh;          /* cohorts in order of first appearance */
    size_t ncoh, coh_cap;
    size_t last_cohort; /* cohort of the previous row (rows usually come grouped) */
    /* long: one entry per row */
    struct lrow {
        size_t cohort;
        double period, alive;
        long line, col; /* where the alive value stands */
    } * lrows;
    size_t nl, nl_cap;
    /* subscriptions: one entry per row */
    struct srow {
        int32_t start, end; /* end = NO_END when still active */
        long line;
    } * srows;
    size_t ns, ns_cap;
    long scol, ecol;
    int32_t latest; /* the latest date seen */
} reader;

/* The column named 'want' (ignoring case and surrounding spaces), or -1. */
static long column(const reader *R, const char *want)
{
    for (size_t i = 0; i < R->ncols; i++)
        if (rt_csv_same_name(R->names[i], want))
            return (long)i;
    return -1;
}

/* The first of the columns named in 'wants' (NULL-terminated) that exists, or -1. */
static long column_any(const reader *R, const char *const *wants)
{
    long c = -1;
    for (size_t k = 0; wants[k] && c < 0; k++)
        c = column(R, wants[k]);
    return c;
}

static const char *const w_period[] = {"period", "year", "t", NULL};
static const char *const l_cohort[] = {"cohort", NULL};
static const char *const l_period[] = {"period", NULL};
static const char *const l_alive[] = {"alive", NULL};
static const char *const c_cohort[] = {"cohort", "cohorts", NULL};
static const char *const c_recency[] = {"recency", NULL};
static const char *const c_T[] = {"T", NULL};
static const char *const s_start[] = {"start", "start_date", NULL};
static const char *const s_end[] = {"end", "end_date", NULL};

static const char *const layout_name[] = {"auto", "wide", "long", "customers", "subscriptions"};

/* Is 'name' one of the comma-separated items of 'list'? */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return 1;
        if (!q)
            break;
        p = q + 1;
    }
    return 0;
}

/* The layout the header shows. */
static rt_survivors_layout recognise(const reader *R)
{
    if (column(R, "cohort") >= 0 && column(R, "period") >= 0 && column(R, "alive") >= 0)
        return RT_SURVIVORS_LONG;
    if (column_any(R, s_start) >= 0 && column_any(R, s_end) >= 0)
        return RT_SURVIVORS_SUBSCRIPTIONS;
    if (column(R, "recency") >= 0 && column(R, "T") >= 0)
        return RT_SURVIVORS_CUSTOMERS;
    for (size_t k = 0; w_period[k]; k++)
        if (R->ncols > 0 && rt_csv_same_name(R->names[0], w_period[k]))
            return RT_SURVIVORS_WIDE;
    return RT_SURVIVORS_AUTO;
}

/* Find a column the layout needs; RT_EDOMAIN naming it when absent. */
static rt_status need(const reader *R, const char *const *wants, const char *what, long *col,
                      rt_error *err)
{
    *col = column_any(R, wants);
    if (*col >= 0)
        return RT_OK;
    char cols[300];
    rt_columns_list(R->names, R->ncols, cols, sizeof cols);
    return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                   "%s layout: no %s column (%s); the columns are: %s", layout_name[R->layout],
                   what, wants[0], cols);
}

/* Wide layout: choose the cohort columns (all but the first, or those listed). */
static rt_status wide_header(reader *R, rt_error *err)
{
    int first_ok = 0;
    for (size_t k = 0; w_period[k]; k++)
        first_ok |= rt_csv_same_name(R->names[0], w_period[k]);
    char cols[300];
    rt_columns_list(R->names, R->ncols, cols, sizeof cols);
    if (!first_ok || R->ncols < 2)
        return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                       "wide layout: the first column must be period, year or t, followed by "
                       "one column per cohort; the columns are: %s",
                       cols);
    const char *list = R->o->cohorts;
    if (list) { /* every listed name must be a cohort column */
        for (const char *p = list; *p;) {
            const char *q = strchr(p, ',');
            size_t len = q ? (size_t)(q - p) : strlen(p);
            size_t i = 1;
            while (i < R->ncols && !(strlen(R->names[i]) == len && !memcmp(R->names[i], p, len)))
                i++;
            if (i == R->ncols)
                return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                               "cohort column '%.*s' not found; the columns are: %s", (int)len, p,
                               cols);
            if (!q)
                break;
            p = q + 1;
        }
    }
    R->wcol = rt_mem_array(NULL, R->ncols, sizeof *R->wcol);
    R->wv = rt_mem_calloc(NULL, R->ncols, sizeof *R->wv);
    R->wlen = rt_mem_calloc(NULL, R->ncols, sizeof *R->wlen);
    R->wclosed = rt_mem_calloc(NULL, R->ncols, sizeof *R->wclosed);
    if (!R->wcol || !R->wv || !R->wlen || !R->wclosed)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 1; i < R->ncols; i++)
        if (!list || listed(list, R->names[i]))
            R->wcol[R->nw++] = (long)i;
    return RT_OK;
}

/* Take the header: the names, the layout, its columns. */
static rt_status take_header(reader *R, const rt_csv_row *row, rt_error *err)
{
    R->names = rt_mem_calloc(NULL, row->n, sizeof *R->names);
    if (!R->names)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    R->ncols = row->n;
    for (size_t i = 0; i < row->n; i++) {
        R->names[i] = rt_mem_alloc(NULL, (size_t)row->f[i].len + 1);
        if (!R->names[i])
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        rt_csv_field_copy(&row->f[i], R->names[i]);
    }
    if (R->layout == RT_SURVIVORS_AUTO)
        R->layout = recognise(R);
    rt_status st = RT_OK;
    R->ccol = R->pcol = R->acol = R->scol = R->ecol = -1;
    switch (R->layout) {
    case RT_SURVIVORS_AUTO: {
        char cols[300];
        rt_columns_list(R->names, R->ncols, cols, sizeof cols);
        return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                       "cannot tell the layout from the header (columns: %s): expected wide "
                       "(period, year or t first, then one column per cohort), long (cohort, "
                       "period, alive), customers (recency, T, optional cohort) or "
                       "subscriptions (start, end)",
                       cols);
    }
    case RT_SURVIVORS_WIDE:
        return wide_header(R, err);
    case RT_SURVIVORS_LONG:
        st = need(R, l_cohort, "cohort", &R->ccol, err);
        if (st == RT_OK)
            st = need(R, l_period, "period", &R->pcol, err);
        if (st == RT_OK)
            st = need(R, l_alive, "alive", &R->acol, err);
        return st;
    case RT_SURVIVORS_CUSTOMERS:
        R->ccol = column_any(R, c_cohort);
        st = need(R, c_recency, "recency", &R->pcol, err);
        if (st == RT_OK)
            st = need(R, c_T, "T", &R->acol, err);
        return st;
    case RT_SURVIVORS_SUBSCRIPTIONS:
        st = need(R, s_start, "start", &R->scol, err);
        if (st == RT_OK)
            st = need(R, s_end, "end", &R->ecol, err);
        return st;
    }
    return RT_OK;
}

/* Fail at field 'i' of 'row': "name:line:col: column 'c': <what>, got "text"". */
static rt_status bad_field(const reader *R, const rt_csv_row *row, size_t i, const char *what,
                           rt_error *err)
{
    long line, col;
    rt_csv_row_pos(row, i, &line, &col);
    char q[4 * 40 + 8];
    rt_quote(row->f[i].p, row->f[i].len, 40, q);
    return rt_fail(err, RT_EPARSE, R->name, line, col, "column '%s': %s, got %s", R->names[i], what,
                   q);
}

/* Parse field 'i' of 'row' as a number; RT_EPARSE when it is not one. */
static rt_status number(const reader *R, const rt_csv_row *row, size_t i, double *v, rt_error *err)
{
    if (rt_parse_double(row->f[i].p, row->f[i].len, v) != 0)
        return bad_field(R, row, i, "expected a number", err);
    return RT_OK;
}

/* Wide layout: one period. */
static rt_status wide_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    double t;
    rt_status st = number(R, row, 0, &t, err);
    if (st != RT_OK)
        return st;
    if (t != (double)R->rows) {
        char what[80];
        snprintf(what, sizeof what, "expected period %zu (periods run 0, 1, 2, ... in order)",
                 R->rows);
        return bad_field(R, row, 0, what, err);
    }
    if (R->rows == R->rows_cap) {
        size_t cap = R->rows_cap ? 2 * R->rows_cap : 64;
        for (size_t k = 0; k < R->nw; k++) {
            double *p = rt_mem_resize(NULL, R->wv[k], cap * sizeof *p);
            if (!p)
                return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
            R->wv[k] = p;
        }
        R->rows_cap = cap;
    }
    for (size_t k = 0; k < R->nw; k++) {
        size_t i = (size_t)R->wcol[k];
        const rt_csv_field *f = &row->f[i];
        if (f->len == 0) {
            R->wclosed[k] = 1;
            continue;
        }
        if (R->wclosed[k])
            return bad_field(R, row, i,
                             "expected an empty cell: only the last periods of a cohort may be "
                             "missing",
                             err);
        double v;
        if ((st = number(R, row, i, &v, err)) != RT_OK)
            return st;
        if (v < 0)
            return bad_field(R, row, i, "expected a number >= 0", err);
        if (R->rows == 0 && v == 0)
            return bad_field(R, row, i, "expected customers in period 0", err);
        if (R->rows > 0 && v > R->wv[k][R->rows - 1]) {
            char what[120];
            snprintf(what, sizeof what, "survivors cannot increase: expected at most %.15g",
                     R->wv[k][R->rows - 1]);
            return bad_field(R, row, i, what, err);
        }
        R->wv[k][R->rows] = v;
        R->wlen[k]++;
    }
    R->rows++;
    return RT_OK;
}

/* The index of the cohort named by field 'f' (long and customers layouts), adding it when
 * new. Returns 0 or -1 when out of memory. */
static int cohort_of(reader *R, const rt_csv_field *f, size_t *out)
{
    char small[256], *name = small;
    if (f->len >= sizeof small && !(name = rt_mem_alloc(NULL, (size_t)f->len + 1)))
        return -1;
    rt_csv_field_copy(f, name);
    size_t k = R->last_cohort;
    if (!(k < R->ncoh && strcmp(R->coh[k].name, name) == 0))
        for (k = 0; k < R->ncoh && strcmp(R->coh[k].name, name) != 0; k++)
            ;
    int rc = 0;
    if (k == R->ncoh) { /* new */
        char *copy = rt_mem_strdup(NULL, name);
        if (!copy || rt_mem_grow(NULL, (void **)&R->coh, &R->coh_cap, k + 1, sizeof *R->coh)) {
            rt_mem_free(NULL, copy);
            rc = -1;
        } else {
            R->coh[k] = (struct cohort){.name = copy};
            R->ncoh++;
        }
    }
    if (name != small)
        rt_mem_free(NULL, name);
    R->last_cohort = k;
    *out = k;
    return rc;
}

/* Long layout: one (cohort, period, alive) row, checked later per cohort. */
static rt_status long_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    struct lrow r;
    rt_status st = number(R, row, (size_t)R->pcol, &r.period, err);
    if (st == RT_OK)
        st = number(R, row, (size_t)R->acol, &r.alive, err);
    if (st != RT_OK)
        return st;
    if (r.period < 0 || r.period != floor(r.period) || r.period >= MAX_PERIODS)
        return bad_field(R, row, (size_t)R->pcol, "expected a whole number >= 0", err);
    if (r.alive < 0)
        return bad_field(R, row, (size_t)R->acol, "expected a number >= 0", err);
    if (row->f[R->ccol].len == 0)
        return bad_field(R, row, (size_t)R->ccol, "expected a cohort name", err);
    if (cohort_of(R, &row->f[R->ccol], &r.cohort) != 0 ||
        rt_mem_grow(NULL, (void **)&R->lrows, &R->nl_cap, R->nl + 1, sizeof *R->lrows) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_csv_row_pos(row, (size_t)R->acol, &r.line, &r.col);
    R->lrows[R->nl++] = r;
    return RT_OK;
}

/* Customers layout: count the customer under its cohort and recency. */
static rt_status customer_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    double rec, T;
    rt_status st = number(R, row, (size_t)R->pcol, &rec, err);
    if (st == RT_OK)
        st = number(R, row, (size_t)R->acol, &T, err);
    if (st != RT_OK)
        return st;
    if (T < 1 || T != floor(T) || T > MAX_PERIODS)
        return bad_field(R, row, (size_t)R->acol, "expected a whole number of periods >= 1", err);
    if (rec < 1 || rec > T || rec != floor(rec)) {
        char what[100];
        snprintf(what, sizeof what, "expected a whole number from 1 to T = %.0f", T);
        return bad_field(R, row, (size_t)R->pcol, what, err);
    }
    size_t k = 0;
    static const rt_csv_field all = {"all", 3, 0};
    const rt_csv_field *cf = R->ccol >= 0 ? &row->f[R->ccol] : &all;
    if (cf->len == 0)
        return bad_field(R, row, (size_t)R->ccol, "expected a cohort name", err);
    if (cohort_of(R, cf, &k) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    struct cohort *c = &R->coh[k];
    if (!c->hist) {
        c->hist = rt_mem_calloc(NULL, (size_t)T + 1, sizeof *c->hist);
        if (!c->hist)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        c->T = T;
        c->T_line = row->line;
    } else if (T != c->T) {
        char what[160];
        snprintf(what, sizeof what, "expected T = %.0f for cohort '%.40s' (as on line %ld)", c->T,
                 c->name, c->T_line);
        return bad_field(R, row, (size_t)R->acol, what, err);
    }
    c->hist[(size_t)rec] += 1;
    return RT_OK;
}

/* Subscriptions layout: one subscription. */
static rt_status subscription_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    struct srow s = {.line = row->line};
    rt_datetime dt;
    const rt_csv_field *fs = &row->f[R->scol], *fe = &row->f[R->ecol];
    if (rt_date_parse_iso(fs->p, fs->len, &dt) != NULL)
        return bad_field(R, row, (size_t)R->scol, "expected a date YYYY-MM-DD", err);
    s.start = dt.day;
    s.end = NO_END;
    if (fe->len > 0) {
        if (rt_date_parse_iso(fe->p, fe->len, &dt) != NULL)
            return bad_field(R, row, (size_t)R->ecol, "expected a date YYYY-MM-DD or empty", err);
        if (dt.day < s.start)
            return bad_field(R, row, (size_t)R->ecol, "expected an end on or after the start", err);
        s.end = dt.day;
    }
    int32_t latest = s.end != NO_END ? s.end : s.start;
    if (R->ns == 0 || latest > R->latest)
        R->latest = latest;
    if (rt_mem_grow(NULL, (void **)&R->srows, &R->ns_cap, R->ns + 1, sizeof *R->srows) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    R->srows[R->ns++] = s;
    return RT_OK;
}

static rt_status take(void *ud, const rt_csv_row *row, rt_error *err)
{
    reader *R = ud;
    if (row->index == 0)
        return take_header(R, row, err);
    if (row->n != R->ncols)
        return rt_fail(err, RT_EPARSE, R->name, row->line, 0,
                       "expected %zu fields (as in the header), found %zu", R->ncols, row->n);
    R->rows += R->layout != RT_SURVIVORS_WIDE; /* wide_row counts its own periods */
    switch (R->layout) {
    case RT_SURVIVORS_WIDE:
        return wide_row(R, row, err);
    case RT_SURVIVORS_LONG:
        return long_row(R, row, err);
    case RT_SURVIVORS_CUSTOMERS:
        return customer_row(R, row, err);
    case RT_SURVIVORS_SUBSCRIPTIONS:
        return subscription_row(R, row, err);
    case RT_SURVIVORS_AUTO:
        break;
    }
    return RT_OK;
}

/* ---- building the cohorts ---- */

/* Rescale 'v' ('len') so that v[0] = 'size' (percentages to counts); 'size' 0 = no change. */
static void rescale(double *v, size_t len, double size)
{
    if (size <= 0)
        return;
    double f = size / v[0];
    for (size_t t = len; t-- > 0;)
        v[t] *= f;
}

/* RT_EDOMAIN for a cohort observed for fewer than two periods. */
static rt_status too_short(const reader *R, const char *cohort, size_t len, rt_error *err)
{
    return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                   "cohort '%s' is observed for %zu period%s; sBG needs 2 or more", cohort, len,
                   len == 1 ? "" : "s");
}

static rt_status build_wide(reader *R, rt_error *err)
{
    for (size_t k = 0; k < R->nw; k++) {
        const char *name = R->names[R->wcol[k]];
        if (R->wlen[k] < 2)
            return too_short(R, name, R->wlen[k], err);
        rescale(R->wv[k], R->wlen[k], R->o->cohort_size);
        if (add_cohort(R->box, name, R->wv[k], R->wlen[k]) != 0) {
            R->wv[k] = NULL;
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        }
        R->wv[k] = NULL;
    }
    return RT_OK;
}

/* Order long rows by cohort, then period, then input order. */
static int cmp_lrow(const void *pa, const void *pb)
{
    const struct lrow *a = pa, *b = pb;
    if (a->cohort != b->cohort)
        return a->cohort < b->cohort ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static rt_status build_long(reader *R, rt_error *err)
{
    qsort(R->lrows, R->nl, sizeof *R->lrows, cmp_lrow);
    for (size_t i = 0; i < R->nl;) {
        size_t k = R->lrows[i].cohort, j = i;
        for (; j < R->nl && R->lrows[j].cohort == k; j++) {
            const struct lrow *r = &R->lrows[j];
            size_t t = j - i;
            if (r->period != (double)t) {
                if (r->period < (double)t) /* the same period again */
                    return rt_fail(err, RT_EPARSE, R->name, r->line, 0,
                                   "cohort '%s': period %.0f appears twice (also on line %ld)",
                                   R->coh[k].name, r->period, R->lrows[j - 1].line);
                return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                               "cohort '%s': period %zu is missing (periods must run 0, 1, 2, "
                               "... without gaps)",
                               R->coh[k].name, t);
            }
            if (t == 0 && r->alive == 0)
                return rt_fail(err, RT_EPARSE, R->name, r->line, r->col,
                               "column '%s': cohort '%s' has no customers in period 0",
                               R->names[R->acol], R->coh[k].name);
            if (t > 0 && r->alive > R->lrows[j - 1].alive)
                return rt_fail(err, RT_EPARSE, R->name, r->line, r->col,
                               "column '%s': cohort '%s': survivors cannot increase: %.15g in "
                               "period %zu after %.15g in period %zu",
                               R->names[R->acol], R->coh[k].name, r->alive, t,
                               R->lrows[j - 1].alive, t - 1);
        }
        size_t len = j - i;
        if (!R->o->cohorts || listed(R->o->cohorts, R->coh[k].name)) {
            if (len < 2)
                return too_short(R, R->coh[k].name, len, err);
            double *v = rt_mem_array(NULL, len, sizeof *v);
            if (!v)
                return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
            for (size_t t = 0; t < len; t++)
                v[t] = R->lrows[i + t].alive;
            rescale(v, len, R->o->cohort_size);
            if (add_cohort(R->box, R->coh[k].name, v, len) != 0)
                return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        }
        i = j;
    }
    return RT_OK;
}

static rt_status build_customers(reader *R, rt_error *err)
{
    for (size_t k = 0; k < R->ncoh; k++) {
        if (R->o->cohorts && !listed(R->o->cohorts, R->coh[k].name))
            continue;
        size_t T = (size_t)R->coh[k].T;
        if (T < 2)
            return too_short(R, R->coh[k].name, T, err);
        double *v = rt_mem_array(NULL, T, sizeof *v);
        if (!v)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        /* alive[t] = customers with recency > t: sum the counts from the top down. */
        double above = 0;
        for (size_t t = T; t-- > 0;) {
            above += R->coh[k].hist[t + 1];
            v[t] = above;
        }
        if (add_cohort(R->box, R->coh[k].name, v, T) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return RT_OK;
}

/* Order subscriptions by start day, then input order. */
static int cmp_srow(const void *pa, const void *pb)
{
    const struct srow *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* One subscription cohort: rows 'r'..'r + m - 1' (cohort 'k', first day 'day0'), observed to
 * 'end'. Adds it when it spans 2 periods or more and is selected. */
static rt_status add_subscription_cohort(reader *R, const struct srow *r, size_t m, int32_t day0,
                                         int32_t end, double pd, rt_error *err)
{
    char name[16];
    rt_date_format(day0, name);
    if (R->o->cohorts && !listed(R->o->cohorts, name))
        return RT_OK;
    int32_t latest = r[m - 1].start;
    double span = floor((double)((int64_t)end - latest) / pd);
    if (span < 1)
        return RT_OK; /* observed for one period only: nothing to learn */
    size_t len = (size_t)span + 1;
    double *v = rt_mem_calloc(NULL, len, sizeof *v);
    if (!v)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < m; i++) {
        size_t lasted = len - 1; /* still active at 'end': alive in every period counted */
        if (r[i].end != NO_END && r[i].end <= end) {
            double p = floor((double)((int64_t)r[i].end - r[i].start) / pd);
            lasted = p < (double)(len - 1) ? (size_t)p : len - 1;
        }
        for (size_t t = 0; t <= lasted; t++)
            v[t] += 1;
    }
    if (add_cohort(R->box, name, v, len) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    return RT_OK;
}

static rt_status build_subscriptions(reader *R, double pd, rt_error *err)
{
    int32_t end = R->o->observed_end ? R->o->observed_end : R->latest;
    qsort(R->srows, R->ns, sizeof *R->srows, cmp_srow);
    if (R->srows[R->ns - 1].start > end) {
        char e[16], s[16];
        rt_date_format(end, e);
        rt_date_format(R->srows[R->ns - 1].start, s);
        return rt_fail(err, RT_EDOMAIN, R->name, R->srows[R->ns - 1].line, 0,
                       "the subscription starts on %s, after the observed end %s", s, e);
    }
    int32_t s0 = R->srows[0].start;
    for (size_t i = 0; i < R->ns;) {
        double k = floor((double)(R->srows[i].start - s0) / pd);
        size_t j = i + 1;
        while (j < R->ns && floor((double)(R->srows[j].start - s0) / pd) == k)
            j++;
        int32_t day0 = s0 + (int32_t)floor(k * pd);
        rt_status st = add_subscription_cohort(R, &R->srows[i], j - i, day0, end, pd, err);
        if (st != RT_OK)
            return st;
        i = j;
    }
    if (R->box->s.ncohorts == 0) {
        char e[16];
        rt_date_format(end, e);
        return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                       "no cohort is observed for 2 periods of %.15g days or more (observed end "
                       "%s)",
                       pd, e);
    }
    return RT_OK;
}

/* Every name of the comma-separated 'list' must be a cohort of the table. */
static rt_status check_listed(const reader *R, const char *list, rt_error *err)
{
    for (const char *p = list; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p), i = 0;
        const rt_survivors *s = &R->box->s;
        while (i < s->ncohorts && !(strlen(s->name[i]) == len && !memcmp(s->name[i], p, len)))
            i++;
        if (i == s->ncohorts)
            return rt_fail(err, RT_EDOMAIN, R->name, 0, 0, "cohort '%.*s' not found%s", (int)len, p,
                           R->layout == RT_SURVIVORS_SUBSCRIPTIONS
                               ? " among those observed for 2 periods or more"
                               : "");
        if (!q)
            break;
        p = q + 1;
    }
    return RT_OK;
}

static void reader_free(reader *R)
{
    for (size_t i = 0; R->names && i < R->ncols; i++)
        rt_mem_free(NULL, R->names[i]);
    rt_mem_free(NULL, R->names);
    for (size_t k = 0; R->wv && k < R->nw; k++)
        rt_mem_free(NULL, R->wv[k]);
    rt_mem_free(NULL, R->wcol);
    rt_mem_free(NULL, R->wv);
    rt_mem_free(NULL, R->wlen);
    rt_mem_free(NULL, R->wclosed);
    for (size_t k = 0; k < R->ncoh; k++) {
        rt_mem_free(NULL, R->coh[k].name);
        rt_mem_free(NULL, R->coh[k].hist);
    }
    rt_mem_free(NULL, R->coh);
    rt_mem_free(NULL, R->lrows);
    rt_mem_free(NULL, R->srows);
}

rt_status rt_survivors_read(const char *path, const rt_survivors_options *opt, rt_survivors **out,
                            rt_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_survivors_read: NULL argument");
    rt_survivors_options o = {0};
    if (opt)
        o = *opt;
    char delim = o.delim ? o.delim : ',';
    double pd = o.period_days != 0 ? o.period_days : 365.25 / 12;
    if (delim == '"' || delim == '\n' || delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    if (!isfinite(pd) || pd <= 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_survivors_read: period_days must be a positive number, got %g", pd);
    if (!isfinite(o.cohort_size) || o.cohort_size < 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_survivors_read: cohort_size must be >= 0, got %g", o.cohort_size);
    if ((unsigned)o.layout > RT_SURVIVORS_SUBSCRIPTIONS)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_survivors_read: unknown layout %d",
                       (int)o.layout);
    if (o.cohorts && !o.cohorts[0])
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_survivors_read: empty cohort list");
    reader R = {.name = o.name                   ? o.name
                        : strcmp(path, "-") == 0 ? "<stdin>"
                                                 : path,
                .o = &o,
                .layout = o.layout};
    R.box = rt_mem_calloc(NULL, 1, sizeof *R.box);
    if (!R.box)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_status st = rt_csv_rows_read(path, R.name, delim, MAX_COLUMNS, NULL, take, &R, err);
    if (st == RT_OK && !R.names)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "empty input: no header line");
    if (st == RT_OK && R.rows == 0)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "no data rows after the header");
    if (st == RT_OK) {
        switch (R.layout) {
        case RT_SURVIVORS_WIDE:
            st = build_wide(&R, err);
            break;
        case RT_SURVIVORS_LONG:
            st = build_long(&R, err);
            break;
        case RT_SURVIVORS_CUSTOMERS:
            st = build_customers(&R, err);
            break;
        case RT_SURVIVORS_SUBSCRIPTIONS:
            st = build_subscriptions(&R, pd, err);
            break;
        case RT_SURVIVORS_AUTO:
            break;
        }
    }
    if (st == RT_OK && o.cohorts && R.layout != RT_SURVIVORS_WIDE)
        st = check_listed(&R, o.cohorts, err);
    reader_free(&R);
    if (st != RT_OK) {
        rt_survivors_free(&R.box->s);
        return st;
    }
    *out = &R.box->s;
    return RT_OK;
}
