/* result.c - the rt_result object: ordered scalar fields plus named tables, built by the
 * analyses and read by the writers. Names and strings live in an arena that rt_result_free
 * drops in one sweep; fields, tables and cells are checked growable arrays.
 * SPDX-License-Identifier: MIT */
#include "core/result.h"

#include "core/mem.h"

#include <limits.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

/* ---- storage ---- */

/* One arena block; its data follows the header, aligned for any object. */
typedef struct block {
    struct block *next;
    size_t used, cap; /* bytes of data used and available */
} block;

#define ARENA_ALIGN alignof(max_align_t)
#define BLOCK_HDR ((sizeof(block) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)
#define BLOCK_SIZE ((size_t)4096)

typedef struct field {
    const char *name;
    rt_value v; /* v.s points into the arena */
    int decimals;
} field;

/* A cell without its type: tables keep types in a parallel byte array, 9 bytes a cell. */
typedef union cell {
    int64_t i;
    double d;
    const char *s;
} cell;

typedef struct table {
    const char *name;
    size_t ncols;
    const char **cols;    /* ncols names, in the arena */
    int *decimals;        /* ncols hints, in the arena */
    cell *cells;          /* rows * ncols, row-major */
    unsigned char *types; /* rows * ncols rt_val_type values, parallel to 'cells' */
    size_t rows;
    size_t cells_cap, types_cap; /* capacities, counted in rows */
} table;

#define STR_CACHE 64

struct rt_result {
    rt_allocator hook;     /* copy of the caller's allocator, so it need not outlive us */
    const rt_allocator *a; /* &hook, or NULL for malloc */
    const char *kind;
    field *fields;
    size_t nfields, fields_cap;
    table *tables;
    size_t ntables, tables_cap;
    size_t main_plus1;                 /* the main table + 1; 0 = the fields are the answer */
    const char *cache_from[STR_CACHE]; /* see arena_strdup */
    const char *cache_copy[STR_CACHE];
    block *blocks; /* arena; the head is the block being filled */
};

/* Take 'n' bytes aligned to 'align' (a power of two, at most ARENA_ALIGN) from the arena of
 * 'r'. Large requests get a block of their own behind the head, so the head keeps filling.
 * Returns NULL when out of memory. */
static void *arena_alloc(rt_result *r, size_t n, size_t align)
{
    block *b = r->blocks;
    if (b) {
        size_t off = (b->used + align - 1) & ~(align - 1);
        if (off <= b->cap && n <= b->cap - off) {
            b->used = off + n;
            return (char *)b + BLOCK_HDR + off;
        }
    }
    int own = n > BLOCK_SIZE / 4;
    size_t cap = own ? n : BLOCK_SIZE;
    if (cap > SIZE_MAX - BLOCK_HDR)
        return NULL;
    block *nb = rt_mem_alloc(r->a, BLOCK_HDR + cap);
    if (!nb)
        return NULL;
    nb->cap = cap;
    nb->used = n;
    if (own && b) {
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        r->blocks = nb;
    }
    return (char *)nb + BLOCK_HDR;
}

/* Copy 's' into the arena. A string passed again from the same address with the same text
 * (a segment or channel name on every row of a per-customer table) is stored once: a small
 * cache keyed by the caller's pointer, checked against the text, so a reused buffer with new
 * text is still copied. */
static const char *arena_strdup(rt_result *r, const char *s)
{
    size_t slot = ((uintptr_t)s >> 3) % STR_CACHE;
    if (r->cache_from[slot] == s && strcmp(r->cache_copy[slot], s) == 0)
        return r->cache_copy[slot];
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(r, n, 1);
    if (p) {
        memcpy(p, s, n);
        r->cache_from[slot] = s;
        r->cache_copy[slot] = p;
    }
    return p;
}

/* ---- building ---- */

rt_result *rt_result_new(const rt_allocator *a, const char *kind)
{
    rt_result *r = rt_mem_alloc(a, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    if (a) {
        r->hook = *a;
        r->a = &r->hook;
    }
    r->kind = kind && *kind ? arena_strdup(r, kind) : "";
    if (!r->kind) {
        rt_result_free(r);
        return NULL;
    }
    return r;
}

/* Check a caller's value: a known type, and a date that fits the day range. */
static int value_ok(const rt_value *v)
{
    switch (v->type) {
    case RT_VAL_NULL:
    case RT_VAL_INT:
    case RT_VAL_DOUBLE:
    case RT_VAL_STRING:
        return 1;
    case RT_VAL_DATE:
        return v->i >= INT32_MIN && v->i <= INT32_MAX;
    }
    return 0;
}

/* Append field 'name' = 'v' to 'r', copying the name and any string. All allocation happens
 * before the field count changes, so a failure leaves 'r' as it was (save arena slack). */
static int add_field(rt_result *r, const char *name, rt_value v, int decimals)
{
    if (!r || !name || !value_ok(&v))
        return -1;
    void *p = r->fields;
    if (rt_mem_grow(r->a, &p, &r->fields_cap, r->nfields + 1, sizeof(field)) != 0)
        return -1;
    r->fields = p;
    const char *nm = arena_strdup(r, name);
    if (!nm)
        return -1;
    if (v.type == RT_VAL_STRING) {
        if (!v.s) {
            v.type = RT_VAL_NULL;
        } else if (!(v.s = arena_strdup(r, v.s))) {
            return -1;
        }
    }
    field *f = &r->fields[r->nfields++];
    f->name = nm;
    f->v = v;
    f->decimals = decimals == RT_DECIMALS_HIDDEN ? decimals
                  : decimals < 0                 ? RT_DECIMALS_AUTO
                                                 : decimals;
    return 0;
}

int rt_result_add_int(rt_result *r, const char *name, int64_t v)
{
    rt_value x = {.type = RT_VAL_INT, .i = v};
    return add_field(r, name, x, RT_DECIMALS_AUTO);
}

int rt_result_add_double(rt_result *r, const char *name, double v, int decimals)
{
    rt_value x = {.type = RT_VAL_DOUBLE, .d = v};
    return add_field(r, name, x, decimals);
}

int rt_result_add_string(rt_result *r, const char *name, const char *s)
{
    rt_value x = {.type = RT_VAL_STRING, .s = s};
    return add_field(r, name, x, RT_DECIMALS_AUTO);
}

int rt_result_add_date(rt_result *r, const char *name, int32_t day)
{
    rt_value x = {.type = RT_VAL_DATE, .i = day};
    return add_field(r, name, x, RT_DECIMALS_AUTO);
}

int rt_result_add_null(rt_result *r, const char *name)
{
    rt_value x = {.type = RT_VAL_NULL};
    return add_field(r, name, x, RT_DECIMALS_AUTO);
}

int rt_result_add_table(rt_result *r, const char *name, size_t ncols, const char *const *colnames,
                        const int *decimals)
{
    if (!r || !name || !colnames || ncols == 0 || r->ntables >= INT_MAX)
        return -1;
    for (size_t c = 0; c < ncols; c++)
        if (!colnames[c])
            return -1;
    if (ncols > SIZE_MAX / sizeof(char *))
        return -1;
    void *p = r->tables;
    if (rt_mem_grow(r->a, &p, &r->tables_cap, r->ntables + 1, sizeof(table)) != 0)
        return -1;
    r->tables = p;
    table t = {0};
    t.ncols = ncols;
    t.name = arena_strdup(r, name);
    t.cols = arena_alloc(r, ncols * sizeof(char *), alignof(char *));
    t.decimals = arena_alloc(r, ncols * sizeof(int), alignof(int));
    if (!t.name || !t.cols || !t.decimals)
        return -1;
    for (size_t c = 0; c < ncols; c++) {
        if (!(t.cols[c] = arena_strdup(r, colnames[c])))
            return -1;
        int d = decimals ? decimals[c] : RT_DECIMALS_AUTO;
        t.decimals[c] = d < 0 ? RT_DECIMALS_AUTO : d;
    }
    r->tables[r->ntables] = t;
    return (int)r->ntables++;
}

int rt_result_table_add_row(rt_result *r, size_t t, const rt_value *cells)
{
    if (!r || !cells || t >= r->ntables)
        return -1;
    table *tb = &r->tables[t];
    size_t nc = tb->ncols;
    for (size_t c = 0; c < nc; c++)
        if (!value_ok(&cells[c]))
            return -1;
    if (nc > SIZE_MAX / sizeof(cell))
        return -1;
    void *p = tb->cells;
    if (rt_mem_grow(r->a, &p, &tb->cells_cap, tb->rows + 1, nc * sizeof(cell)) != 0)
        return -1;
    tb->cells = p;
    p = tb->types;
    if (rt_mem_grow(r->a, &p, &tb->types_cap, tb->rows + 1, nc) != 0)
        return -1;
    tb->types = p;
    cell *out = tb->cells + tb->rows * nc;
    unsigned char *ty = tb->types + tb->rows * nc;
    for (size_t c = 0; c < nc; c++) {
        const rt_value *v = &cells[c];
        rt_val_type type = v->type;
        switch (type) {
        case RT_VAL_NULL:
            out[c].i = 0;
            break;
        case RT_VAL_INT:
        case RT_VAL_DATE:
            out[c].i = v->i;
            break;
        case RT_VAL_DOUBLE:
            out[c].d = v->d;
            break;
        case RT_VAL_STRING:
            if (!v->s) {
                type = RT_VAL_NULL;
                out[c].i = 0;
            } else if (!(out[c].s = arena_strdup(r, v->s))) {
                return -1; /* the row is not counted; copied strings stay in the arena */
            }
            break;
        }
        ty[c] = (unsigned char)type;
    }
    tb->rows++;
    return 0;
}

/* ---- reading ---- */

void rt_result_free(rt_result *r)
{
    if (!r)
        return;
    rt_allocator hook = r->hook; /* 'r' itself is released with it, last */
    const rt_allocator *a = r->a ? &hook : NULL;
    for (size_t t = 0; t < r->ntables; t++) {
        rt_mem_free(a, r->tables[t].cells);
        rt_mem_free(a, r->tables[t].types);
    }
    rt_mem_free(a, r->tables);
    rt_mem_free(a, r->fields);
    for (block *b = r->blocks, *next; b; b = next) {
        next = b->next;
        rt_mem_free(a, b);
    }
    rt_mem_free(a, r);
}

const char *rt_result_kind(const rt_result *r)
{
    return r ? r->kind : NULL;
}

size_t rt_result_field_count(const rt_result *r)
{
    return r ? r->nfields : 0;
}

const char *rt_result_field_name(const rt_result *r, size_t i)
{
    return r && i < r->nfields ? r->fields[i].name : NULL;
}

rt_value rt_result_field(const rt_result *r, size_t i)
{
    rt_value none = {.type = RT_VAL_NULL};
    return r && i < r->nfields ? r->fields[i].v : none;
}

int rt_result_field_decimals(const rt_result *r, size_t i)
{
    return r && i < r->nfields ? r->fields[i].decimals : RT_DECIMALS_AUTO;
}

rt_value rt_result_get(const rt_result *r, const char *name, int *found)
{
    if (r && name) {
        for (size_t i = 0; i < r->nfields; i++) {
            if (strcmp(r->fields[i].name, name) == 0) {
                if (found)
                    *found = 1;
                return r->fields[i].v;
            }
        }
    }
    if (found)
        *found = 0;
    rt_value none = {.type = RT_VAL_NULL};
    return none;
}

size_t rt_result_table_count(const rt_result *r)
{
    return r ? r->ntables : 0;
}

const char *rt_result_table_name(const rt_result *r, size_t t)
{
    return r && t < r->ntables ? r->tables[t].name : NULL;
}

size_t rt_result_table_rows(const rt_result *r, size_t t)
{
    return r && t < r->ntables ? r->tables[t].rows : 0;
}

size_t rt_result_table_cols(const rt_result *r, size_t t)
{
    return r && t < r->ntables ? r->tables[t].ncols : 0;
}

const char *rt_result_table_col_name(const rt_result *r, size_t t, size_t c)
{
    if (!r || t >= r->ntables || c >= r->tables[t].ncols)
        return NULL;
    return r->tables[t].cols[c];
}

int rt_result_table_col_decimals(const rt_result *r, size_t t, size_t c)
{
    if (!r || t >= r->ntables || c >= r->tables[t].ncols)
        return RT_DECIMALS_AUTO;
    return r->tables[t].decimals[c];
}

/* The cell at ('row', 'c') of table 't' as an rt_value; null when out of range. */
rt_value rt_result_table_cell(const rt_result *r, size_t t, size_t row, size_t c)
{
    rt_value v = {.type = RT_VAL_NULL};
    if (!r || t >= r->ntables)
        return v;
    const table *tb = &r->tables[t];
    if (row >= tb->rows || c >= tb->ncols)
        return v;
    size_t k = row * tb->ncols + c;
    v.type = (rt_val_type)tb->types[k];
    switch (v.type) {
    case RT_VAL_NULL:
        break;
    case RT_VAL_INT:
    case RT_VAL_DATE:
        v.i = tb->cells[k].i;
        break;
    case RT_VAL_DOUBLE:
        v.d = tb->cells[k].d;
        break;
    case RT_VAL_STRING:
        v.s = tb->cells[k].s;
        break;
    }
    return v;
}

const rt_allocator *rt_result_allocator(const rt_result *r)
{
    return r ? r->a : NULL;
}

int rt_result_set_main(rt_result *r, size_t t)
{
    if (!r || t >= r->ntables)
        return -1;
    r->main_plus1 = t + 1;
    return 0;
}

int rt_result_select(rt_result *r, const char *name)
{
    if (!r || !name)
        return -1;
    for (size_t t = 0; t < r->ntables; t++)
        if (strcmp(rt_result_table_name(r, t), name) == 0)
            return rt_result_set_main(r, t);
    return -1;
}

long rt_result_main_table(const rt_result *r)
{
    return r && r->main_plus1 ? (long)r->main_plus1 - 1 : -1;
}
