/* tenure.c - tenure tables (DESIGN.md 4.8): one row per customer with start, duration and
 * churn flag, from an event log (non-contractual: churned once W days pass without a
 * purchase) or from a subscriptions table (contractual: churned at the last end), joined with
 * customer attributes. The output is rt_survdata, the input of the survival commands.
 * SPDX-License-Identifier: MIT */
#include "survival/survdata.h"

#include "core/date.h"
#include "core/dict.h"
#include "core/error.h"
#include "core/mem.h"
#include "io/columns.h"
#include "io/csv_rows.h"

#include <stdio.h>
#include <string.h>

#define MAX_COLUMNS 4096
#define NO_END INT32_MAX /* a subscription without an end (still active) */

/* ---- attributes ---- */

/* The customer id column of 'a': the first column in which every row's value finds that very
 * row (ids are unique, so only the id column and exact copies of it pass); -1 for an empty
 * table. The public API has no getter for it. */
static long attrs_id_column(const rt_attrs *a)
{
    size_t rows = rt_attrs_rows(a), cols = rt_attrs_columns(a);
    for (size_t c = 0; rows > 0 && c < cols; c++) {
        size_t r = 0;
        while (r < rows) {
            const char *v = rt_attrs_value(a, r, c);
            if (rt_attrs_find(a, v, strlen(v)) != (long)r)
                break;
            r++;
        }
        if (r == rows)
            return (long)c;
    }
    return -1;
}

/* The attribute columns joined (all but the id column): their indexes in '*cols' (caller
 * frees) and count in '*n'. Returns 0 or -1 (out of memory). */
static int attrs_columns(const rt_attrs *a, long **cols, size_t *n)
{
    *cols = NULL;
    *n = 0;
    if (!a)
        return 0;
    size_t nc = rt_attrs_columns(a);
    long idc = attrs_id_column(a);
    *cols = rt_mem_array(NULL, nc ? nc : 1, sizeof **cols);
    if (!*cols)
        return -1;
    for (size_t c = 0; c < nc; c++)
        if ((long)c != idc)
            (*cols)[(*n)++] = (long)c;
    return 0;
}

/* Copy the attributes of customer 'id' ('len' bytes) into the cells of row 'i' from further
 * column 'first' on ("" when the customer has no row: counted in m->unmatched). */
static int join_row(rt_sv_mem *m, const rt_attrs *a, const long *cols, size_t ncols, size_t first,
                    size_t i, const char *id, size_t len)
{
    long row = rt_attrs_find(a, id, len);
    m->unmatched += row < 0;
    for (size_t c = 0; c < ncols; c++) {
        const char *v = row < 0 ? "" : rt_attrs_value(a, (size_t)row, (size_t)cols[c]);
        if (rt_sv_text(m, v, strlen(v), &m->celloff[i * m->ncols + first + c]) != 0)
            return -1;
    }
    return 0;
}

/* The further column names: 'lead' names (may be 0) then the attribute columns 'cols'. */
static int set_names(rt_sv_mem *m, char *const *lead, size_t nlead, const rt_attrs *a,
                     const long *cols, size_t ncols)
{
    size_t n = nlead + ncols;
    if (n == 0)
        return 0;
    const char **names = rt_mem_array(NULL, n, sizeof *names);
    if (!names)
        return -1;
    for (size_t c = 0; c < nlead; c++)
        names[c] = lead[c];
    for (size_t c = 0; c < ncols; c++)
        names[nlead + c] = rt_attrs_column_name(a, (size_t)cols[c]);
    int bad = rt_sv_set_columns(m, n, names);
    rt_mem_free(NULL, (void *)names);
    return bad;
}

/* ---- from events ---- */

/* Fill 'm' from the event table: one row per customer whose first purchase is on or before
 * 'end'. Returns 0 or -1 (out of memory). */
static int events_rows(rt_sv_mem *m, const rt_events *ev, int32_t end, int32_t w, const rt_attrs *a,
                       const long *cols, size_t ncols)
{
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    size_t nc = rt_events_customers(ev);
    for (size_t c = 0; c < nc; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        int32_t first = day[lo];
        if (first > end) {
            m->excluded++;
            continue;
        }
        while (day[hi - 1] > end) /* rows are sorted by day: the last one on or before 'end' */
            hi--;
        int32_t last = day[hi - 1];
        if (rt_sv_reserve(m, 0, 1, 1) != 0)
            return -1;
        size_t i = m->n, len = 0;
        const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, &len);
        if (rt_sv_text(m, id, len, &m->idoff[i]) != 0)
            return -1;
        int churned = (int64_t)last + w <= end;
        m->time[i] = churned ? (double)((int64_t)last + w - first) : (double)(end - first);
        m->event[i] = (unsigned char)churned;
        m->start[i] = first;
        if (a && join_row(m, a, cols, ncols, 0, i, id, len) != 0)
            return -1;
        m->n++;
    }
    return 0;
}

rt_status rt_tenure_from_events(const rt_events *ev, const rt_tenure_options *opt,
                                rt_survdata **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_tenure_from_events: NULL argument");
    rt_tenure_options o = {0};
    if (opt)
        o = *opt;
    if (o.active_window < 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_tenure_from_events: the active window must be >= 0 days, got %ld",
                       (long)o.active_window);
    int32_t w = o.active_window ? o.active_window : 90;
    int32_t first = rt_events_first_day(ev);
    int32_t end = o.has_observed_end ? o.observed_end : rt_events_last_day(ev);
    if (end < first) {
        char e[16], f[16];
        rt_date_format(end, e);
        rt_date_format(first, f);
        return rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                       "the observation end %s is before the first event (%s)", e, f);
    }
    long *cols = NULL;
    size_t ncols = 0;
    rt_sv_mem *m = NULL;
    rt_survdata *s = rt_survdata_new(&m);
    int bad = !s || attrs_columns(o.attrs, &cols, &ncols) != 0 ||
              set_names(m, NULL, 0, o.attrs, cols, ncols) != 0 ||
              events_rows(m, ev, end, w, o.attrs, cols, ncols) != 0 || rt_survdata_publish(s) != 0;
    rt_mem_free(NULL, cols);
    if (bad) {
        rt_survdata_free(s);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    m->source = SV_EVENTS;
    m->observed_end = end;
    m->active_window = w;
    m->has_attrs = o.attrs != NULL;
    *out = s;
    return RT_OK;
}

/* ---- from subscriptions ---- */

/* Customer id columns recognised, as for the event log (load.c). */
static const char *const id_names[] = {"customer_id", "customer",    "cust_id",
                                       "user_id",     "client_id",   "customerid",
                                       "userid",      "customer id", NULL};
static const char *const start_names[] = {"start", "start_date", NULL};
static const char *const end_names[] = {"end", "end_date", NULL};

/* A customer while reading: the id, the subscription rows' summary. */
typedef struct sub_cust {
    size_t idoff, idlen; /* in the reader's text */
    uint64_t hash;
    int32_t start; /* earliest start on or before E (INT32_MAX = none) */
    int32_t end;   /* latest end of those, NO_END (the largest value) when one is active */
    size_t row;    /* the row of the earliest start: its cells */
} sub_cust;

/* One subscription row kept: its customer, dates and cells (offsets into the text). */
typedef struct sub_row {
    size_t cust;
    int32_t start, end;
} sub_row;

/* The read in progress. */
typedef struct sreader {
    const char *name;
    const char *want_id;
    char **names;
    size_t ncols;
    long cid, cstart, cend; /* columns */
    long *further;          /* the other columns */
    size_t nfurther;
    sub_row *rows;
    size_t nrows, rows_cap;
    size_t *cells; /* nrows * nfurther offsets into 'text' */
    size_t cells_cap;
    char *text;
    size_t text_len, text_cap;
    sub_cust *cust;
    size_t ncust, cust_cap;
    size_t *slots; /* open addressing: customer + 1, 0 = empty */
    size_t mask;
    int32_t latest;
} sreader;

/* The first column named one of 'wants' (exact, else ignoring case), or -1. */
static long find_any(const sreader *R, const char *const *wants)
{
    for (size_t k = 0; wants[k]; k++) {
        for (size_t i = 0; i < R->ncols; i++)
            if (strcmp(R->names[i], wants[k]) == 0)
                return (long)i;
        for (size_t i = 0; i < R->ncols; i++)
            if (rt_csv_same_name(R->names[i], wants[k]))
                return (long)i;
    }
    return -1;
}

/* Find column 'what' among 'wants'; RT_EDOMAIN naming the columns when absent. */
static rt_status need(const sreader *R, const char *const *wants, const char *what, long *col,
                      rt_error *err)
{
    *col = find_any(R, wants);
    if (*col >= 0)
        return RT_OK;
    char cols[300], looked[120];
    size_t len = 0;
    looked[0] = '\0';
    for (int j = 0; wants[j]; j++)
        len += (size_t)snprintf(looked + len, sizeof looked - len, "%s%s", j ? ", " : "", wants[j]);
    rt_columns_list(R->names, R->ncols, cols, sizeof cols);
    return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                   "no %s column (looked for %s); the columns are: %s", what, looked, cols);
}

static rt_status sub_header(sreader *R, const rt_csv_row *row, rt_error *err)
{
    R->names = rt_mem_calloc(NULL, row->n, sizeof *R->names);
    R->further = rt_mem_array(NULL, row->n, sizeof *R->further);
    if (!R->names || !R->further)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    R->ncols = row->n;
    for (size_t i = 0; i < row->n; i++) {
        if (!(R->names[i] = rt_mem_alloc(NULL, (size_t)row->f[i].len + 1)))
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        rt_csv_field_copy(&row->f[i], R->names[i]);
    }
    rt_status st;
    if (R->want_id) {
        const char *one[] = {R->want_id, NULL};
        R->cid = find_any(R, one);
        if (R->cid < 0) {
            char cols[300];
            rt_columns_list(R->names, R->ncols, cols, sizeof cols);
            return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                           "column '%s' (customer id) not found; the columns are: %s", R->want_id,
                           cols);
        }
    } else if ((st = need(R, id_names, "customer id", &R->cid, err)) != RT_OK) {
        return st;
    }
    if ((st = need(R, start_names, "start", &R->cstart, err)) != RT_OK ||
        (st = need(R, end_names, "end", &R->cend, err)) != RT_OK)
        return st;
    for (size_t i = 0; i < R->ncols; i++)
        if ((long)i != R->cid && (long)i != R->cstart && (long)i != R->cend)
            R->further[R->nfurther++] = (long)i;
    return RT_OK;
}

/* Fail at field 'i' of 'row': "name:line:col: column 'c': <what>, got "text"". */
static rt_status sub_bad(const sreader *R, const rt_csv_row *row, long i, const char *what,
                         rt_error *err)
{
    long line, col;
    rt_csv_row_pos(row, (size_t)i, &line, &col);
    char q[4 * 40 + 8];
    rt_quote(row->f[i].p, row->f[i].len, 40, q);
    return rt_fail(err, RT_EPARSE, R->name, line, col, "column '%s': %s, got %s", R->names[i], what,
                   q);
}

/* Append field 'f' (escapes undone) to the reader's text; '*off' receives its offset. */
static int sub_text(sreader *R, const rt_csv_field *f, size_t *off)
{
    size_t need = R->text_len + (size_t)f->len + 1;
    if (need > R->text_cap && rt_mem_grow(NULL, (void **)&R->text, &R->text_cap, need, 1) != 0)
        return -1;
    *off = R->text_len;
    R->text_len += rt_csv_field_copy(f, R->text + R->text_len) + 1;
    return 0;
}

/* Double the customer index when it is half full. Returns 0 or -1. */
static int grow_index(sreader *R)
{
    if (R->slots && 2 * (R->ncust + 1) <= R->mask + 1)
        return 0;
    size_t cap = R->slots ? 2 * (R->mask + 1) : 1024;
    size_t *slots = rt_mem_calloc(NULL, cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t c = 0; c < R->ncust; c++) {
        size_t i = (size_t)R->cust[c].hash & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = c + 1;
    }
    rt_mem_free(NULL, R->slots);
    R->slots = slots;
    R->mask = cap - 1;
    return 0;
}

/* The customer of id field 'f' (added when new). Returns 0 or -1 (out of memory). */
static int customer_of(sreader *R, const rt_csv_field *f, size_t *cust)
{
    char small[256];
    char *id = f->len < sizeof small ? small : rt_mem_alloc(NULL, (size_t)f->len + 1);
    if (!id)
        return -1;
    size_t len = rt_csv_field_copy(f, id);
    uint64_t h = rt_hash(id, len);
    int rc = grow_index(R);
    size_t i = (size_t)h & R->mask;
    for (; rc == 0 && R->slots[i]; i = (i + 1) & R->mask) {
        const sub_cust *c = &R->cust[R->slots[i] - 1];
        if (c->hash == h && c->idlen == len && memcmp(R->text + c->idoff, id, len) == 0) {
            *cust = R->slots[i] - 1;
            goto done;
        }
    }
    if (rc == 0 && R->ncust == R->cust_cap)
        rc = rt_mem_grow(NULL, (void **)&R->cust, &R->cust_cap, R->ncust + 1, sizeof *R->cust);
    if (rc == 0) {
        size_t off = R->text_len, need = R->text_len + len + 1;
        if (need > R->text_cap)
            rc = rt_mem_grow(NULL, (void **)&R->text, &R->text_cap, need, 1);
        if (rc == 0) {
            memcpy(R->text + off, id, len + 1);
            R->text_len = need;
            R->cust[R->ncust] = (sub_cust){
                .idoff = off, .idlen = len, .hash = h, .start = INT32_MAX, .end = INT32_MIN};
            R->slots[i] = R->ncust + 1;
            *cust = R->ncust++;
        }
    }
done:
    if (id != small)
        rt_mem_free(NULL, id);
    return rc;
}

static rt_status sub_row_take(sreader *R, const rt_csv_row *row, rt_error *err)
{
    if (row->n != R->ncols)
        return rt_fail(err, RT_EPARSE, R->name, row->line, 0,
                       "expected %zu fields (as in the header), found %zu", R->ncols, row->n);
    const rt_csv_field *fi = &row->f[R->cid], *fs = &row->f[R->cstart], *fe = &row->f[R->cend];
    if (fi->len == 0)
        return sub_bad(R, row, R->cid, "expected a customer id", err);
    rt_datetime dt;
    if (rt_date_parse_iso(fs->p, fs->len, &dt) != NULL)
        return sub_bad(R, row, R->cstart, "expected a date YYYY-MM-DD", err);
    sub_row s = {.start = dt.day, .end = NO_END};
    if (fe->len > 0) {
        if (rt_date_parse_iso(fe->p, fe->len, &dt) != NULL)
            return sub_bad(R, row, R->cend, "expected a date YYYY-MM-DD or empty", err);
        if (dt.day < s.start)
            return sub_bad(R, row, R->cend, "expected an end on or after the start", err);
        s.end = dt.day;
    }
    if (customer_of(R, fi, &s.cust) != 0 ||
        rt_mem_grow(NULL, (void **)&R->rows, &R->rows_cap, R->nrows + 1, sizeof *R->rows) != 0 ||
        (R->nfurther && rt_mem_grow(NULL, (void **)&R->cells, &R->cells_cap,
                                    (R->nrows + 1) * R->nfurther, sizeof *R->cells) != 0))
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t c = 0; c < R->nfurther; c++)
        if (sub_text(R, &row->f[R->further[c]], &R->cells[R->nrows * R->nfurther + c]) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    int32_t latest = s.end != NO_END ? s.end : s.start;
    if (R->nrows == 0 || latest > R->latest)
        R->latest = latest;
    R->rows[R->nrows++] = s;
    return RT_OK;
}

static rt_status sub_take(void *ud, const rt_csv_row *row, rt_error *err)
{
    sreader *R = ud;
    return row->index == 0 ? sub_header(R, row, err) : sub_row_take(R, row, err);
}

/* Summarise the rows per customer as of 'end': earliest start, its row, latest end. */
static void sub_summarise(sreader *R, int32_t end)
{
    for (size_t r = 0; r < R->nrows; r++) {
        const sub_row *s = &R->rows[r];
        sub_cust *c = &R->cust[s->cust];
        if (s->start > end)
            continue;
        if (s->start < c->start) { /* strictly: the first row in the file wins a tie */
            c->start = s->start;
            c->row = r;
        }
        int32_t e = s->end > end ? NO_END : s->end; /* an end after E: still active */
        if (e > c->end)
            c->end = e;
    }
}

/* Build the table from the per-customer summaries. Returns 0 or -1 (out of memory). */
static int sub_build(sreader *R, rt_sv_mem *m, int32_t end, const rt_attrs *a, const long *cols,
                     size_t ncols)
{
    char **lead = rt_mem_array(NULL, R->nfurther ? R->nfurther : 1, sizeof *lead);
    if (!lead)
        return -1;
    for (size_t c = 0; c < R->nfurther; c++)
        lead[c] = R->names[R->further[c]];
    int bad = set_names(m, lead, R->nfurther, a, cols, ncols);
    rt_mem_free(NULL, lead);
    if (bad)
        return -1;
    for (size_t k = 0; k < R->ncust; k++) {
        const sub_cust *c = &R->cust[k];
        if (c->start == INT32_MAX) { /* every subscription starts after E */
            m->excluded++;
            continue;
        }
        if (rt_sv_reserve(m, 0, 1, 1) != 0)
            return -1;
        size_t i = m->n;
        const char *id = R->text + c->idoff;
        if (rt_sv_text(m, id, c->idlen, &m->idoff[i]) != 0)
            return -1;
        int churned = c->end != NO_END;
        m->time[i] = (double)((churned ? c->end : end) - c->start);
        m->event[i] = (unsigned char)churned;
        m->start[i] = c->start;
        for (size_t f = 0; f < R->nfurther; f++) {
            const char *v = R->text + R->cells[c->row * R->nfurther + f];
            if (rt_sv_text(m, v, strlen(v), &m->celloff[i * m->ncols + f]) != 0)
                return -1;
        }
        if (a && join_row(m, a, cols, ncols, R->nfurther, i, id, c->idlen) != 0)
            return -1;
        m->n++;
    }
    return 0;
}

static void sub_release(sreader *R)
{
    for (size_t i = 0; R->names && i < R->ncols; i++)
        rt_mem_free(NULL, R->names[i]);
    rt_mem_free(NULL, R->names);
    rt_mem_free(NULL, R->further);
    rt_mem_free(NULL, R->rows);
    rt_mem_free(NULL, R->cells);
    rt_mem_free(NULL, R->text);
    rt_mem_free(NULL, R->cust);
    rt_mem_free(NULL, R->slots);
}

rt_status rt_tenure_from_subscriptions(const char *path, const rt_tenure_options *opt,
                                       rt_survdata **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_tenure_from_subscriptions: NULL argument");
    rt_tenure_options o = {0};
    if (opt)
        o = *opt;
    char delim = o.delim ? o.delim : ',';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    if (o.customer_col && !o.customer_col[0])
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "the customer id column needs a name");
    sreader R = {.name = o.name                   ? o.name
                         : strcmp(path, "-") == 0 ? "<stdin>"
                                                  : path,
                 .want_id = o.customer_col};
    rt_status st = rt_csv_rows_read(path, R.name, delim, MAX_COLUMNS, NULL, sub_take, &R, err);
    if (st == RT_OK && !R.names)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "empty input: no header line");
    if (st == RT_OK && R.nrows == 0)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "no data rows after the header");
    int32_t end = o.has_observed_end ? o.observed_end : R.latest;
    int32_t first = INT32_MAX;
    for (size_t r = 0; st == RT_OK && r < R.nrows; r++)
        if (R.rows[r].start < first)
            first = R.rows[r].start;
    if (st == RT_OK && end < first) {
        char e[16], f[16];
        rt_date_format(end, e);
        rt_date_format(first, f);
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0,
                     "the observation end %s is before the first start (%s)", e, f);
    }
    if (st != RT_OK) {
        sub_release(&R);
        return st;
    }
    sub_summarise(&R, end);
    long *cols = NULL;
    size_t ncols = 0;
    rt_sv_mem *m = NULL;
    rt_survdata *s = rt_survdata_new(&m);
    int bad = !s || attrs_columns(o.attrs, &cols, &ncols) != 0 ||
              sub_build(&R, m, end, o.attrs, cols, ncols) != 0 || rt_survdata_publish(s) != 0;
    rt_mem_free(NULL, cols);
    sub_release(&R);
    if (bad) {
        rt_survdata_free(s);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    m->source = SV_SUBSCRIPTIONS;
    m->observed_end = end;
    m->has_attrs = o.attrs != NULL;
    *out = s;
    return RT_OK;
}
