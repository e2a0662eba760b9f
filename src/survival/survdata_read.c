/* survdata_read.c - a survival table read from CSV: any table with a duration and an event
 * column (rossi.csv, lung.csv, `retain tenure`'s output). The columns are found by name (the
 * lists below, case-insensitive) unless named in the options; every other column is kept as
 * text. Bad values stop the read with "name:line:col: column 'arrest': ...".
 * SPDX-License-Identifier: MIT */
#include "survival/survdata.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"
#include "io/columns.h"
#include "io/csv_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_COLUMNS 4096

enum { R_TIME, R_EVENT, R_ENTRY, R_ID, NROLE };

static const char *const role_label[NROLE] = {"time", "event", "entry", "id"};

/* Names recognised per role, in order of preference (rt_survdata_read_options in retain.h). */
static const char *const known[NROLE][9] = {
    [R_TIME] = {"duration", "time", "tenure", "T", "week", "stop"},
    [R_EVENT] = {"event", "status", "E", "churn", "churned", "arrest", "observed", "death"},
    [R_ID] = {"customer_id", "id"},
};

/* The read in progress. */
typedef struct reader {
    const char *name; /* for messages */
    const char *want[NROLE];
    char **names; /* header names, unescaped */
    size_t ncols;
    long col[NROLE]; /* column of each role, -1 = absent */
    long *further;   /* the other columns, in file order */
    size_t nfurther;
    rt_survdata *s;
    rt_sv_mem *m;
} reader;

/* Give every role its column: the ones named in the options first, then the recognised
 * names (time and event are required; entry only when named). */
static rt_status assign_columns(reader *R, rt_error *err)
{
    rt_column_role roles[NROLE];
    for (int k = 0; k < NROLE; k++)
        roles[k] =
            (rt_column_role){role_label[k], R->want[k], k == R_ENTRY ? NULL : known[k], k != R_ID};
    return rt_columns_assign(R->name, R->names, R->ncols, roles, NROLE, R->col, err);
}

/* Take the header record: the column names, the roles, the further columns. */
static rt_status take_header(reader *R, const rt_csv_row *row, rt_error *err)
{
    R->names = rt_mem_calloc(NULL, row->n, sizeof *R->names);
    R->further = rt_mem_array(NULL, row->n, sizeof *R->further);
    if (!R->names || !R->further)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    R->ncols = row->n;
    for (size_t i = 0; i < row->n; i++) {
        R->names[i] = rt_mem_alloc(NULL, (size_t)row->f[i].len + 1);
        if (!R->names[i])
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        rt_csv_field_copy(&row->f[i], R->names[i]);
    }
    rt_status st = assign_columns(R, err);
    if (st != RT_OK)
        return st;
    const char **fnames = rt_mem_array(NULL, R->ncols, sizeof *fnames);
    if (!fnames)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < R->ncols; i++) {
        int taken = 0;
        for (int k = 0; k < NROLE; k++)
            taken |= R->col[k] == (long)i;
        if (!taken) {
            fnames[R->nfurther] = R->names[i];
            R->further[R->nfurther++] = (long)i;
        }
    }
    int bad = rt_sv_set_columns(R->m, R->nfurther, fnames);
    rt_mem_free(NULL, (void *)fnames);
    return bad ? rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory") : RT_OK;
}

/* Fail at field 'i' of 'row' with 'code': "name:line:col: column 'c': <what>, got "text"". */
static rt_status bad_value(const reader *R, const rt_csv_row *row, long i, rt_status code,
                           const char *what, rt_error *err)
{
    long line, col;
    rt_csv_row_pos(row, (size_t)i, &line, &col);
    char q[4 * 40 + 8];
    rt_quote(row->f[i].p, row->f[i].len, 40, q);
    return rt_fail(err, code, R->name, line, col, "column '%s': %s, got %s", R->names[i], what, q);
}

/* Is the field 'f' the text 'word' in any case? */
static int is_word(const rt_csv_field *f, const char *word)
{
    size_t n = strlen(word);
    return f->len == n && strncasecmp(f->p, word, n) == 0;
}

/* The event flag of field 'f': 0 or 1, or -1 when it is neither. */
static int event_value(const rt_csv_field *f)
{
    double v;
    if (rt_parse_double(f->p, f->len, &v) == 0)
        return v == 0 ? 0 : v == 1 ? 1 : -1;
    if (is_word(f, "true") || is_word(f, "yes"))
        return 1;
    if (is_word(f, "false") || is_word(f, "no"))
        return 0;
    return -1;
}

/* Append the text of field 'f' to the table; '*off' receives its offset. */
static rt_status take_text(reader *R, const rt_csv_field *f, size_t *off, rt_error *err)
{
    if (f->flags & RT_CSV_ESCAPED) { /* undo the "" escapes: copy, then unescape in place */
        if (rt_sv_text(R->m, f->p, f->len, off) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        char *t = R->m->text + *off;
        uint32_t len = rt_csv_unescape(t, f->len);
        t[len] = '\0';
        R->m->text_len = *off + len + 1;
        return RT_OK;
    }
    if (rt_sv_text(R->m, f->p, f->len, off) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    return RT_OK;
}

/* Take one data record. */
static rt_status take_row(reader *R, const rt_csv_row *row, rt_error *err)
{
    rt_sv_mem *m = R->m;
    if (row->n != R->ncols)
        return rt_fail(err, RT_EPARSE, R->name, row->line, 0,
                       "expected %zu fields (as in the header), found %zu", R->ncols, row->n);
    if (rt_sv_reserve(m, R->col[R_ENTRY] >= 0, 0, R->col[R_ID] >= 0) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    double t, e = 0;
    const rt_csv_field *ft = &row->f[R->col[R_TIME]];
    if (rt_parse_double(ft->p, ft->len, &t) != 0)
        return bad_value(R, row, R->col[R_TIME], RT_EPARSE, "expected a number", err);
    if (t < 0)
        return bad_value(R, row, R->col[R_TIME], RT_EDOMAIN, "expected a number >= 0", err);
    int ev = event_value(&row->f[R->col[R_EVENT]]);
    if (ev < 0)
        return bad_value(R, row, R->col[R_EVENT], RT_EPARSE, "expected 0 or 1", err);
    if (R->col[R_ENTRY] >= 0) {
        const rt_csv_field *fe = &row->f[R->col[R_ENTRY]];
        if (rt_parse_double(fe->p, fe->len, &e) != 0)
            return bad_value(R, row, R->col[R_ENTRY], RT_EPARSE, "expected a number", err);
        if (!(e < t)) {
            char what[80];
            snprintf(what, sizeof what, "expected an entry time below the time (%.15g)", t);
            return bad_value(R, row, R->col[R_ENTRY], RT_EDOMAIN, what, err);
        }
    }
    size_t i = m->n;
    rt_status st = RT_OK;
    if (R->col[R_ID] >= 0) {
        const rt_csv_field *fi = &row->f[R->col[R_ID]];
        if (fi->len == 0)
            return bad_value(R, row, R->col[R_ID], RT_EPARSE, "expected an id", err);
        st = take_text(R, fi, &m->idoff[i], err);
    }
    for (size_t c = 0; st == RT_OK && c < R->nfurther; c++)
        st = take_text(R, &row->f[R->further[c]], &m->celloff[i * R->nfurther + c], err);
    if (st != RT_OK)
        return st;
    m->time[i] = t == 0 ? 0 : t; /* -0 reads as 0 */
    m->event[i] = (unsigned char)ev;
    if (m->entry)
        m->entry[i] = e;
    m->n++;
    return RT_OK;
}

static rt_status take(void *ud, const rt_csv_row *row, rt_error *err)
{
    reader *R = ud;
    return row->index == 0 ? take_header(R, row, err) : take_row(R, row, err);
}

rt_status rt_survdata_read(const char *path, const rt_survdata_read_options *opt, rt_survdata **out,
                           rt_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_survdata_read: NULL argument");
    rt_survdata_read_options o = {0};
    if (opt)
        o = *opt;
    char delim = o.delim ? o.delim : ',';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    if ((o.time_col && !o.time_col[0]) || (o.event_col && !o.event_col[0]))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "the time and event columns need a name");
    reader R = {.name = o.name ? o.name : strcmp(path, "-") == 0 ? "<stdin>" : path};
    const char *want[NROLE] = {o.time_col, o.event_col, o.entry_col, o.id_col};
    for (int k = 0; k < NROLE; k++) {
        R.want[k] = want[k];
        R.col[k] = -1;
    }
    if (o.entry_col && !o.entry_col[0])
        R.want[R_ENTRY] = NULL;
    R.s = rt_survdata_new(&R.m);
    if (!R.s)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_status st = rt_csv_rows_read(path, R.name, delim, MAX_COLUMNS, NULL, take, &R, err);
    if (st == RT_OK && !R.names)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "empty input: no header line");
    if (st == RT_OK && R.m->n == 0)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "no data rows after the header");
    if (st == RT_OK && rt_survdata_publish(R.s) != 0)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == RT_OK) {
        *out = R.s;
        R.s = NULL;
    }
    rt_survdata_free(R.s);
    for (size_t i = 0; R.names && i < R.ncols; i++)
        rt_mem_free(NULL, R.names[i]);
    rt_mem_free(NULL, R.names);
    rt_mem_free(NULL, R.further);
    return st;
}
