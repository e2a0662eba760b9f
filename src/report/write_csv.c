/* write_csv.c - a result as RFC 4180 CSV: its first table (header line, then rows) or, when
 * it has no table, its fields as one header line and one value line. Lines end in "\n".
 * Null, NaN and Inf are empty fields; doubles use the round-trip form.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/result.h"

#include <math.h>
#include <string.h>

/* Write 's' as one CSV field, quoted (with '"' doubled) only when it holds a ',', '"', CR or
 * LF. */
static void put_text(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs_unlocked(s, f);
        return;
    }
    putc_unlocked('"', f);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        fwrite_unlocked(s, 1, (size_t)(q - s) + 1, f);
        putc_unlocked('"', f);
    }
    fputs_unlocked(s, f);
    putc_unlocked('"', f);
}

/* Write value 'v' as one CSV field. */
static void put_value(FILE *f, rt_value v)
{
    char buf[RT_FMT_BUF];
    size_t n = 0;
    switch (v.type) {
    case RT_VAL_NULL:
        break;
    case RT_VAL_INT:
        n = rt_fmt_int(v.i, buf);
        break;
    case RT_VAL_DOUBLE:
        if (isfinite(v.d))
            n = rt_fmt_double(v.d, buf);
        break;
    case RT_VAL_DATE:
        n = rt_fmt_date(v.i, buf);
        break;
    case RT_VAL_STRING:
        put_text(f, v.s);
        return;
    }
    fwrite_unlocked(buf, 1, n, f);
}

/* The stream is locked once for the whole result; the writes inside use the unlocked stdio
 * calls (millions of fields: a lock per call would cost more than the formatting). */
static void write_csv(const rt_result *r, FILE *f);

void rt_report_write_csv(const rt_result *r, FILE *f)
{
    flockfile(f);
    write_csv(r, f);
    funlockfile(f);
}

static void write_csv(const rt_result *r, FILE *f)
{
    long main = rt_result_main_table(r);
    if (main < 0) {
        size_t nf = rt_result_field_count(r);
        if (nf == 0)
            return; /* nothing at all: an empty file, not two blank lines */
        for (size_t i = 0; i < nf; i++) {
            if (i)
                putc_unlocked(',', f);
            put_text(f, rt_result_field_name(r, i));
        }
        putc_unlocked('\n', f);
        for (size_t i = 0; i < nf; i++) {
            if (i)
                putc_unlocked(',', f);
            put_value(f, rt_result_field(r, i));
        }
        putc_unlocked('\n', f);
        return;
    }
    size_t t = (size_t)main;
    size_t nc = rt_result_table_cols(r, t), rows = rt_result_table_rows(r, t);
    for (size_t c = 0; c < nc; c++) {
        if (c)
            putc_unlocked(',', f);
        put_text(f, rt_result_table_col_name(r, t, c));
    }
    putc_unlocked('\n', f);
    for (size_t row = 0; row < rows; row++) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                putc_unlocked(',', f);
            put_value(f, rt_result_table_cell(r, t, row, c));
        }
        putc_unlocked('\n', f);
    }
}
