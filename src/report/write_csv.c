/* write_csv.c - a result as RFC 4180 CSV: its main table (header line, then rows) or, when
 * it has none, its fields as one header line and one value line. Lines end in "\n". Null,
 * NaN and Inf are empty fields; doubles use the round-trip form. Per-customer tables run to
 * millions of rows, so rows are formatted into memory by all threads, a batch at a time, each
 * thread writing its part (one fwrite) as soon as the parts before it are out.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define BATCH_ROWS 65536    /* rows one thread formats before the batch is written */
#define PARALLEL_ROWS 65536 /* smaller tables are formatted by the calling thread alone */

/* Text being built; 'failed' is set (and later appends ignored) when growing fails. */
typedef struct sbuf {
    const rt_allocator *a;
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

/* Make room for 'n' more bytes; returns 0 (and marks the buffer failed) when it cannot. */
static int reserve(sbuf *b, size_t n)
{
    if (b->failed)
        return 0;
    if (b->len + n <= b->cap)
        return 1;
    if (rt_mem_grow(b->a, (void **)&b->p, &b->cap, b->len + n, 1) != 0) {
        b->failed = 1;
        return 0;
    }
    return 1;
}

static void put(sbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void put_char(sbuf *b, char c)
{
    if (b->len < b->cap || reserve(b, 1))
        b->p[b->len++] = c;
}

/* 's' as one CSV field, quoted (with '"' doubled) only when it holds a ',', '"', CR or LF. */
static void put_text(sbuf *b, const char *s)
{
    size_t plain = strcspn(s, ",\"\r\n");
    if (!s[plain]) {
        put(b, s, plain);
        return;
    }
    put_char(b, '"');
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put(b, s, (size_t)(q - s) + 1);
        put_char(b, '"');
    }
    put(b, s, strlen(s));
    put_char(b, '"');
}

/* Value 'v' as one CSV field; numbers and dates are formatted in place. */
static void put_value(sbuf *b, rt_value v)
{
    if (v.type == RT_VAL_STRING) {
        put_text(b, v.s);
        return;
    }
    if (!reserve(b, RT_FMT_BUF))
        return;
    char *at = b->p + b->len;
    switch (v.type) {
    case RT_VAL_INT:
        b->len += rt_fmt_int(v.i, at);
        break;
    case RT_VAL_DOUBLE:
        if (isfinite(v.d))
            b->len += rt_fmt_double(v.d, at);
        break;
    case RT_VAL_DATE:
        b->len += rt_fmt_date(v.i, at);
        break;
    default:
        break;
    }
}

/* Rows [lo, hi) of table 't' ('nc' columns). */
static void put_rows(sbuf *b, const rt_result *r, size_t t, size_t nc, size_t lo, size_t hi)
{
    for (size_t row = lo; row < hi; row++) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                put_char(b, ',');
            put_value(b, rt_result_table_cell(r, t, row, c));
        }
        put_char(b, '\n');
    }
}

/* One batch: part k formats rows base + k * BATCH_ROWS ... into out[k], then writes them as
 * soon as parts 0..k-1 have written theirs, so one part's write overlaps the others'
 * formatting. */
typedef struct batch {
    const rt_result *r;
    size_t t, nc, rows, base;
    sbuf *out;
    FILE *f;
    pthread_mutex_t lock;
    pthread_cond_t done;
    int turn; /* the part whose write is next */
} batch;

/* Write the buffer and empty it. */
static void flush(sbuf *b, FILE *f)
{
    if (b->len && !b->failed)
        fwrite(b->p, 1, b->len, f);
    b->len = 0;
}

static void format_part(void *arg, int k)
{
    batch *j = arg;
    size_t lo = j->base + (size_t)k * BATCH_ROWS;
    size_t hi = lo + BATCH_ROWS < j->rows ? lo + BATCH_ROWS : j->rows;
    if (lo < hi)
        put_rows(&j->out[k], j->r, j->t, j->nc, lo, hi);
    pthread_mutex_lock(&j->lock);
    while (j->turn != k)
        pthread_cond_wait(&j->done, &j->lock);
    flush(&j->out[k], j->f);
    j->turn++;
    pthread_cond_broadcast(&j->done);
    pthread_mutex_unlock(&j->lock);
}

rt_status rt_report_write_csv(const rt_result *r, FILE *f, rt_error *err)
{
    const rt_allocator *a = rt_result_allocator(r);
    sbuf out[64];
    for (int k = 0; k < 64; k++)
        out[k] = (sbuf){.a = a};
    long main = rt_result_main_table(r);
    if (main < 0) {
        size_t nf = rt_result_field_count(r);
        for (size_t i = 0; i < nf; i++) {
            put_text(&out[0], rt_result_field_name(r, i));
            put_char(&out[0], i + 1 < nf ? ',' : '\n');
        }
        for (size_t i = 0; i < nf; i++) {
            put_value(&out[0], rt_result_field(r, i));
            put_char(&out[0], i + 1 < nf ? ',' : '\n');
        }
    } else {
        size_t t = (size_t)main, nc = rt_result_table_cols(r, t);
        size_t rows = rt_result_table_rows(r, t);
        for (size_t c = 0; c < nc; c++) {
            put_text(&out[0], rt_result_table_col_name(r, t, c));
            put_char(&out[0], c + 1 < nc ? ',' : '\n');
        }
        if (rows < PARALLEL_ROWS) {
            put_rows(&out[0], r, t, nc, 0, rows);
        } else {
            flush(&out[0], f);
            int parts = rt_thread_count(0);
            batch j = {.r = r, .t = t, .nc = nc, .rows = rows, .out = out, .f = f};
            pthread_mutex_init(&j.lock, NULL);
            pthread_cond_init(&j.done, NULL);
            for (; j.base < rows && !out[0].failed; j.base += (size_t)parts * BATCH_ROWS) {
                j.turn = 0;
                rt_parallel(parts, format_part, &j);
                for (int k = 0; k < parts; k++)
                    out[0].failed |= out[k].failed;
            }
            pthread_cond_destroy(&j.done);
            pthread_mutex_destroy(&j.lock);
        }
    }
    int failed = out[0].failed;
    if (!failed)
        flush(&out[0], f);
    for (int k = 0; k < 64; k++)
        rt_mem_free(a, out[k].p);
    if (failed)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory while writing CSV");
    return RT_OK;
}
