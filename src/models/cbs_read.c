/* cbs_read.c - a per-customer summary table read from CSV: `retain rfm-summary`'s output,
 * lifetimes' and BTYD's CDNOW summaries, pattern tables with a count column (donations). The
 * columns are found by name (the lists below, case-insensitive) unless named in the options;
 * every value is checked (numbers, x a whole number, 0 <= t_x <= T) and a bad one is
 * reported as "name:line:col: column 'recency': ...".
 * SPDX-License-Identifier: MIT */
#include "models/cbs.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"
#include "io/columns.h"
#include "io/csv_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_COLUMNS 4096

/* The roles of columns; the double columns come first, in the order of rt_cbs_mem's. */
enum { R_X, R_TX, R_T, R_MBAR, R_W, R_XSTAR, R_HOLDOUT, R_ID, NROLE };

static const char *const role_label[NROLE] = {"frequency",
                                              "recency",
                                              "T",
                                              "monetary value",
                                              "weight",
                                              "holdout frequency",
                                              "holdout monetary value",
                                              "customer id"};

/* Names recognised per role, in order of preference (rt_cbs_read_options in retain.h). */
static const char *const known[NROLE][8] = {
    [R_ID] = {"customer_id", "customer", "cust", "id"},
    [R_X] = {"frequency", "x"},
    [R_TX] = {"recency", "t_x", "t.x"},
    [R_T] = {"T", "T.cal", "T_cal", "n.cal", "n_cal", "periods", "n"},
    [R_MBAR] = {"monetary_value", "m.x", "zbar", "mbar"},
    [R_W] = {"weight", "weights", "count", "custs"},
    [R_XSTAR] = {"holdout_frequency", "x.star"},
    [R_HOLDOUT] = {"holdout_monetary"},
};

static int required(int role)
{
    return role == R_X || role == R_TX || role == R_T;
}

/* The read in progress. */
typedef struct reader {
    const char *name; /* for messages */
    const char *want[NROLE];
    char **names; /* header names, unescaped */
    size_t ncols;
    long col[NROLE]; /* column of each role, -1 = absent */
    size_t n, cap;   /* rows read, room in the arrays */
    double *v[R_ID]; /* the double columns present */
    size_t *idoff;   /* per row: offset of its id in 'text' */
    char *text;
    size_t text_len, text_cap;
} reader;

/* Give every role its column: the ones named in the options first, then the recognised
 * names. */
static rt_status assign_columns(reader *R, rt_error *err)
{
    rt_column_role roles[NROLE];
    for (int k = 0; k < NROLE; k++)
        roles[k] = (rt_column_role){role_label[k], R->want[k], known[k], required(k)};
    rt_status st = rt_columns_assign(R->name, R->names, R->ncols, roles, NROLE, R->col, err);
    if (st != RT_OK)
        return st;
    if (R->col[R_HOLDOUT] >= 0 && R->col[R_XSTAR] < 0)
        return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                       "column '%s' (holdout monetary value) needs a holdout frequency column "
                       "(holdout_frequency or x.star)",
                       R->names[R->col[R_HOLDOUT]]);
    return RT_OK;
}

/* Take the header record: the column names and the roles. */
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
    return assign_columns(R, err);
}

/* Make room for row 'R->n' in every column present. Returns 0 or -1. */
static int grow(reader *R)
{
    if (R->n < R->cap)
        return 0;
    size_t cap = R->cap ? R->cap * 2 : 1024;
    if (cap > SIZE_MAX / sizeof(double))
        return -1;
    for (int k = 0; k < R_ID; k++) {
        if (R->col[k] < 0)
            continue;
        double *p = rt_mem_resize(NULL, R->v[k], cap * sizeof *p);
        if (!p)
            return -1;
        R->v[k] = p;
    }
    if (R->col[R_ID] >= 0) {
        size_t *p = rt_mem_resize(NULL, R->idoff, cap * sizeof *p);
        if (!p)
            return -1;
        R->idoff = p;
    }
    R->cap = cap;
    return 0;
}

/* Fail at field 'i' of 'row' (column of role 'k'): "name:line:col: column 'c': <what> got
 * "text"". */
static rt_status bad_value(const reader *R, const rt_csv_row *row, int k, const char *what,
                           rt_error *err)
{
    size_t i = (size_t)R->col[k];
    long line, col;
    rt_csv_row_pos(row, i, &line, &col);
    char q[4 * 40 + 8];
    rt_quote(row->f[i].p, row->f[i].len, 40, q);
    return rt_fail(err, RT_EPARSE, R->name, line, col, "column '%s': %s, got %s", R->names[i], what,
                   q);
}

/* Append the id of 'row' to the text. */
static rt_status take_id(reader *R, const rt_csv_row *row, rt_error *err)
{
    const rt_csv_field *f = &row->f[R->col[R_ID]];
    if (f->len == 0)
        return bad_value(R, row, R_ID, "expected a customer id", err);
    size_t need = R->text_len + f->len + 1;
    if (need > R->text_cap && rt_mem_grow(NULL, (void **)&R->text, &R->text_cap, need, 1) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    R->idoff[R->n] = R->text_len;
    R->text_len += rt_csv_field_copy(f, R->text + R->text_len) + 1;
    return RT_OK;
}

/* Check the values of the row just parsed ('v[k]' for the roles present). */
static rt_status check_row(const reader *R, const rt_csv_row *row, const double *v, rt_error *err)
{
    if (v[R_X] < 0 || v[R_X] != floor(v[R_X]))
        return bad_value(R, row, R_X, "expected a whole number >= 0", err);
    if (v[R_T] < 0)
        return bad_value(R, row, R_T, "expected a number >= 0", err);
    if (v[R_TX] < 0 || v[R_TX] > v[R_T]) {
        char what[120];
        snprintf(what, sizeof what, "expected a number from 0 to T = %.15g", v[R_T]);
        return bad_value(R, row, R_TX, what, err);
    }
    if (v[R_X] == 0 && v[R_TX] != 0)
        return bad_value(R, row, R_TX, "expected 0 when the frequency is 0", err);
    if (R->col[R_W] >= 0 && v[R_W] < 0)
        return bad_value(R, row, R_W, "expected a number >= 0", err);
    if (R->col[R_XSTAR] >= 0 && v[R_XSTAR] < 0)
        return bad_value(R, row, R_XSTAR, "expected a number >= 0", err);
    return RT_OK;
}

/* Take one data record. */
static rt_status take_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    if (row->n != R->ncols)
        return rt_fail(err, RT_EPARSE, R->name, row->line, 0,
                       "expected %zu fields (as in the header), found %zu", R->ncols, row->n);
    if (grow(R) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    double v[R_ID] = {0};
    for (int k = 0; k < R_ID; k++) {
        if (R->col[k] < 0)
            continue;
        const rt_csv_field *f = &row->f[R->col[k]];
        if (rt_parse_double(f->p, f->len, &v[k]) != 0)
            return bad_value(R, row, k, "expected a number", err);
    }
    rt_status st = check_row(R, row, v, err);
    if (st == RT_OK && R->col[R_ID] >= 0)
        st = take_id(R, row, err);
    if (st != RT_OK)
        return st;
    for (int k = 0; k < R_ID; k++)
        if (R->col[k] >= 0)
            R->v[k][R->n] = v[k];
    R->n++;
    return RT_OK;
}

static rt_status take(void *ud, const rt_csv_row *row, rt_error *err)
{
    reader *R = ud;
    return row->index == 0 ? take_header(R, row, err) : take_row(R, row, err);
}

/* Hand the columns read over to a new table. Returns 0 or -1 (out of memory). */
static int build(reader *R, rt_cbs **out)
{
    rt_cbs_mem *m = NULL;
    rt_cbs *c = rt_cbs_new(&m);
    if (!c)
        return -1;
    for (int k = 0; k < R_ID; k++) {
        m->col[k] = R->v[k]; /* R_X .. R_HOLDOUT are CBS_X .. CBS_HOLDOUT */
        R->v[k] = NULL;
    }
    if (R->col[R_ID] >= 0) {
        m->text = R->text;
        R->text = NULL;
        m->id = rt_mem_array(NULL, R->n, sizeof *m->id);
        if (!m->id) {
            rt_cbs_free(c);
            return -1;
        }
        for (size_t i = 0; i < R->n; i++)
            m->id[i] = m->text + R->idoff[i];
    }
    rt_cbs_publish(c, R->n);
    *out = c;
    return 0;
}

rt_status rt_cbs_read(const char *path, const rt_cbs_read_options *opt, rt_cbs **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_cbs_read: NULL argument");
    rt_cbs_read_options o = {0};
    if (opt)
        o = *opt;
    char delim = o.delim ? o.delim : ',';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    if (!(isfinite(o.unit_days) && o.unit_days >= 0) ||
        !(isfinite(o.holdout_length) && o.holdout_length >= 0))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_cbs_read: unit_days and holdout_length must be finite and >= 0");
    reader R = {.name = o.name ? o.name : strcmp(path, "-") == 0 ? "<stdin>" : path};
    const char *want[NROLE] = {o.x_col,      o.t_x_col,    o.T_col,       o.mbar_col,
                               o.weight_col, o.x_star_col, o.holdout_col, o.id_col};
    for (int k = 0; k < NROLE; k++) {
        R.want[k] = want[k];
        R.col[k] = -1;
        if (required(k) && want[k] && !want[k][0])
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "the %s column needs a name",
                           role_label[k]);
    }
    rt_status st = rt_csv_rows_read(path, R.name, delim, MAX_COLUMNS, NULL, take, &R, err);
    if (st == RT_OK && !R.names)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "empty input: no header line");
    if (st == RT_OK && R.n == 0)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "no data rows after the header");
    if (st == RT_OK && build(&R, out) != 0)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == RT_OK) {
        (*out)->unit_days = o.unit_days;
        (*out)->holdout_length = (*out)->x_star ? o.holdout_length : 0;
    }
    for (size_t i = 0; R.names && i < R.ncols; i++)
        rt_mem_free(NULL, R.names[i]);
    rt_mem_free(NULL, R.names);
    for (int k = 0; k < R_ID; k++)
        rt_mem_free(NULL, R.v[k]);
    rt_mem_free(NULL, R.idoff);
    rt_mem_free(NULL, R.text);
    return st;
}
