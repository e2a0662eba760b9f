/* attrs.c - customer attribute tables (tier, loyalty member, region ...): a CSV with a header,
 * one row per customer id, every cell kept as text, found by id through an open-addressing
 * hash table. Read record by record with rt_csv_rows_read (files, "-", gzip); bad input
 * stops the read with a message "name:line:col: ..." as the event loader words it.
 * SPDX-License-Identifier: MIT */
#include "core/dict.h"
#include "core/error.h"
#include "core/mem.h"
#include "io/columns.h"
#include "io/csv.h"
#include "io/csv_rows.h"
#include "retain.h"

#include <stdint.h>
#include <string.h>

#define MAX_COLUMNS 4096

/* Customer id columns recognised without a name, in order of preference: the event loader's
 * list (load.c), so that both files are read alike. */
static const char *const id_names[] = {"customer_id", "customer",    "cust_id",
                                       "user_id",     "client_id",   "customerid",
                                       "userid",      "customer id", NULL};

struct rt_attrs {
    const rt_allocator *alloc;
    size_t ncols, nrows;
    size_t idcol; /* the customer id column */
    char **names; /* ncols header names, unescaped */
    char *text;   /* every cell, unescaped and NUL-terminated, row after row */
    size_t text_len, text_cap;
    size_t *cell;    /* nrows * ncols offsets into 'text' */
    size_t cell_cap; /* cells allocated */
    uint64_t *slots; /* (hash >> 32) << 32 | (row + 1); 0 = empty */
    size_t mask;     /* slots - 1 (a power of two) */
};

/* What the index build needs of a row: the hash of its id, and where the id stands for a
 * duplicate message. */
typedef struct rowinfo {
    uint64_t hash;
    long line, col;
} rowinfo;

/* The read in progress. */
typedef struct reader {
    rt_attrs *a;
    const rt_allocator *alloc;
    const char *name;    /* for messages */
    const char *want_id; /* the customer column asked for, or NULL */
    char delim;
    rowinfo *row; /* per row: the id's hash and position */
    size_t row_cap;
    int have_header;
} reader;

/* ---- the table ---- */

void rt_attrs_free(rt_attrs *a)
{
    if (!a)
        return;
    const rt_allocator *al = a->alloc;
    for (size_t i = 0; a->names && i < a->ncols; i++)
        rt_mem_free(al, a->names[i]);
    rt_mem_free(al, a->names);
    rt_mem_free(al, a->text);
    rt_mem_free(al, a->cell);
    rt_mem_free(al, a->slots);
    rt_mem_free(al, a);
}

size_t rt_attrs_rows(const rt_attrs *a)
{
    return a ? a->nrows : 0;
}

size_t rt_attrs_columns(const rt_attrs *a)
{
    return a ? a->ncols : 0;
}

const char *rt_attrs_column_name(const rt_attrs *a, size_t col)
{
    return a && col < a->ncols ? a->names[col] : NULL;
}

const char *rt_attrs_value(const rt_attrs *a, size_t row, size_t col)
{
    if (!a || row >= a->nrows || col >= a->ncols)
        return NULL;
    return a->text + a->cell[row * a->ncols + col];
}

/* The column named 'name': an exact match first, then ignoring case and surrounding spaces. */
static long find_column(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    for (size_t i = 0; i < n; i++)
        if (rt_csv_same_name(names[i], name))
            return (long)i;
    return -1;
}

long rt_attrs_column(const rt_attrs *a, const char *name)
{
    if (!a || !name)
        return -1;
    return find_column(a->names, a->ncols, name);
}

/* The row whose id has hash 'h' and is the 'len' bytes at 'id', or -1. */
static long lookup(const rt_attrs *a, uint64_t h, const char *id, size_t len)
{
    if (!a->slots)
        return -1;
    uint64_t tag = h >> 32 << 32, slot;
    for (size_t i = (size_t)h & a->mask; (slot = a->slots[i]) != 0; i = (i + 1) & a->mask) {
        if ((slot & 0xffffffff00000000ULL) != tag)
            continue;
        size_t row = (size_t)(slot & 0xffffffffu) - 1;
        const char *s = a->text + a->cell[row * a->ncols + a->idcol];
        if (memcmp(s, id, len) == 0 && s[len] == '\0')
            return (long)row;
    }
    return -1;
}

long rt_attrs_find(const rt_attrs *a, const char *id, size_t len)
{
    if (!a || !id)
        return -1;
    return lookup(a, rt_hash(id, len), id, len);
}

/* Add row 'row' (its id has hash 'h') to the index, which has room. Returns -1, or the row
 * that already has the same id (then nothing is added). */
static long insert(rt_attrs *a, uint64_t h, size_t row)
{
    const char *id = a->text + a->cell[row * a->ncols + a->idcol];
    uint64_t tag = h >> 32 << 32, slot;
    size_t i = (size_t)h & a->mask;
    for (; (slot = a->slots[i]) != 0; i = (i + 1) & a->mask) {
        if ((slot & 0xffffffff00000000ULL) != tag)
            continue;
        size_t other = (size_t)(slot & 0xffffffffu) - 1;
        if (strcmp(a->text + a->cell[other * a->ncols + a->idcol], id) == 0)
            return (long)other;
    }
    a->slots[i] = tag | (uint64_t)(row + 1);
    return -1;
}

/* ---- reading ---- */

/* Append field 'f', unescaped and NUL-terminated, to the text; its offset goes to '*off'.
 * Returns 0 or -1 when out of memory. */
static int add_text(rt_attrs *a, const rt_allocator *al, const rt_csv_field *f, size_t *off)
{
    size_t need = a->text_len + f->len + 1;
    if (need > a->text_cap) {
        size_t cap = a->text_cap ? a->text_cap : 4096;
        while (cap < need)
            cap *= 2;
        char *t = rt_mem_resize(al, a->text, cap);
        if (!t)
            return -1;
        a->text = t;
        a->text_cap = cap;
    }
    char *dst = a->text + a->text_len;
    memcpy(dst, f->p, f->len);
    uint32_t len = f->len;
    if (f->flags & RT_CSV_ESCAPED)
        len = rt_csv_unescape(dst, len);
    dst[len] = '\0';
    *off = a->text_len;
    a->text_len += (size_t)len + 1;
    return 0;
}

/* Take the header record: the column names and the customer id column. */
static rt_status take_header(reader *R, const rt_csv_row *rec, rt_error *err)
{
    rt_attrs *a = R->a;
    if (rec->n > MAX_COLUMNS)
        return rt_fail(err, RT_EDOMAIN, R->name, rec->line, 0, "more than %d columns in the header",
                       MAX_COLUMNS);
    a->names = rt_mem_calloc(R->alloc, rec->n, sizeof *a->names);
    if (!a->names)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    a->ncols = rec->n;
    for (size_t i = 0; i < rec->n; i++) {
        const rt_csv_field *f = &rec->f[i];
        char *s = rt_mem_alloc(R->alloc, (size_t)f->len + 1);
        if (!s)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        memcpy(s, f->p, f->len);
        uint32_t len = f->len;
        if (f->flags & RT_CSV_ESCAPED)
            len = rt_csv_unescape(s, len);
        s[len] = '\0';
        a->names[i] = s;
    }
    long col = -1;
    if (R->want_id) {
        col = find_column(a->names, a->ncols, R->want_id);
    } else {
        for (int k = 0; id_names[k] && col < 0; k++)
            for (size_t i = 0; i < a->ncols && col < 0; i++)
                if (rt_csv_same_name(a->names[i], id_names[k]))
                    col = (long)i;
    }
    if (col < 0) {
        char cols[300];
        rt_columns_list(a->names, a->ncols, cols, sizeof cols);
        if (R->want_id)
            return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                           "column '%s' (customer id) not found; the columns are: %s", R->want_id,
                           cols);
        return rt_fail(err, RT_EDOMAIN, R->name, 0, 0,
                       "no customer id column (looked for customer_id, customer, cust_id, "
                       "user_id, client_id); the columns are: %s",
                       cols);
    }
    a->idcol = (size_t)col;
    R->have_header = 1;
    return RT_OK;
}

/* Take one data record on line 'line'. */
static rt_status take_row(reader *R, const rt_csv_row *rec, rt_error *err)
{
    rt_attrs *a = R->a;
    const rt_allocator *al = R->alloc;
    long line = rec->line;
    if (rec->n != a->ncols)
        return rt_fail(err, RT_EPARSE, R->name, line, 0,
                       "expected %zu fields (as in the header), found %zu", a->ncols, rec->n);
    const rt_csv_field *fid = &rec->f[a->idcol];
    if (fid->len == 0) {
        long eline, ecol;
        rt_csv_row_pos(rec, a->idcol, &eline, &ecol);
        return rt_fail(err, RT_EPARSE, R->name, eline, ecol, "column '%s': empty customer id",
                       a->names[a->idcol]);
    }
    if (a->nrows >= UINT32_MAX - 1)
        return rt_fail(err, RT_EDOMAIN, R->name, line, 0, "more than %u rows",
                       (unsigned)(UINT32_MAX - 2));
    size_t row = a->nrows;
    if (rt_mem_grow(al, (void **)&R->row, &R->row_cap, row + 1, sizeof *R->row) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    if ((row + 1) * a->ncols > a->cell_cap) {
        size_t cap = a->cell_cap ? a->cell_cap / a->ncols : 0;
        if (rt_mem_grow(al, (void **)&a->cell, &cap, row + 1, a->ncols * sizeof *a->cell) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        a->cell_cap = cap * a->ncols;
    }
    for (size_t i = 0; i < a->ncols; i++)
        if (add_text(a, al, &rec->f[i], &a->cell[row * a->ncols + i]) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    const char *id = a->text + a->cell[row * a->ncols + a->idcol];
    rowinfo *ri = &R->row[row];
    ri->hash = rt_hash(id, strlen(id));
    rt_csv_row_pos(rec, a->idcol, &ri->line, &ri->col);
    a->nrows++;
    return RT_OK;
}

/* Build the hash index over the rows read, in row order, so that the first duplicate found is
 * the first in the input. The slots of the row 16 ahead are prefetched: for a table of
 * millions of rows nearly every insertion is a cache miss. Returns RT_EPARSE for a duplicate
 * id (naming both lines), RT_ENOMEM. */
static rt_status build_index(reader *R, rt_error *err)
{
    rt_attrs *a = R->a;
    size_t n = a->nrows, m = 64;
    while (m < 2 * n) /* at most half full */
        m *= 2;
    rt_mem_free(R->alloc, a->slots);
    a->slots = rt_mem_calloc(R->alloc, m, sizeof *a->slots);
    if (!a->slots)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    a->mask = m - 1;
    for (size_t r = 0; r < n; r++) {
        if (r + 16 < n)
            __builtin_prefetch(&a->slots[(size_t)R->row[r + 16].hash & a->mask], 1);
        long dup = insert(a, R->row[r].hash, r);
        if (dup >= 0) {
            const char *id = a->text + a->cell[r * a->ncols + a->idcol];
            char q[200];
            rt_quote(id, strlen(id), 40, q);
            return rt_fail(err, RT_EPARSE, R->name, R->row[r].line, R->row[r].col,
                           "column '%s': duplicate customer id %s (first on line %ld)",
                           a->names[a->idcol], q, R->row[dup].line);
        }
    }
    return RT_OK;
}

/* The rt_csv_rows_read callback: the header first, then the data records. */
static rt_status take(void *ud, const rt_csv_row *row, rt_error *err)
{
    reader *R = ud;
    return R->have_header ? take_row(R, row, err) : take_header(R, row, err);
}

rt_status rt_attrs_read(const char *path, const rt_attrs_options *opt, rt_attrs **out,
                        rt_error *err)
{
    rt_attrs_options defaults = {0};
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_attrs_read: NULL argument");
    if (!opt)
        opt = &defaults;
    reader R = {
        .alloc = opt->allocator,
        .name = opt->name                ? opt->name
                : strcmp(path, "-") == 0 ? "<stdin>"
                                         : path,
        .want_id = opt->customer_col,
        .delim = opt->delim ? opt->delim : ',',
    };
    if (R.delim == '"' || R.delim == '\n' || R.delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    if (R.want_id && !*R.want_id)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "the customer id column needs a name");
    R.a = rt_mem_calloc(R.alloc, 1, sizeof *R.a);
    rt_status st = RT_OK;
    if (R.a)
        R.a->alloc = R.alloc;
    else
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    /* one field more than the limit, so that take_header can name it */
    if (st == RT_OK)
        st = rt_csv_rows_read(path, R.name, R.delim, MAX_COLUMNS + 1, R.alloc, take, &R, err);
    if (st == RT_EPARSE) {
        /* A duplicate among the rows before the bad record comes first in the input. */
        rt_error dup;
        if (build_index(&R, &dup) == RT_EPARSE && err)
            *err = dup;
    }
    if (st == RT_OK)
        st = build_index(&R, err);
    if (st == RT_OK && !R.have_header)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "empty input: no header line");
    if (st == RT_OK && R.a->nrows == 0)
        st = rt_fail(err, RT_EDOMAIN, R.name, 0, 0, "no data rows after the header");
    rt_mem_free(R.alloc, R.row);
    if (st != RT_OK) {
        rt_attrs_free(R.a);
        return st;
    }
    *out = R.a;
    return RT_OK;
}
