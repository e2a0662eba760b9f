/* write_table.c - a result as aligned text for a terminal: the fields as "name  value" lines,
 * then each table after a blank line as its name, a header, a dashed rule and the rows.
 * Numbers are right-aligned, text left-aligned; null and NaN show as "-". Widths count UTF-8
 * characters, so wide (CJK) characters can still misalign a column.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/mem.h"
#include "core/error.h"
#include "core/result.h"

#include <math.h>
#include <string.h>

/* Columns up to this many get their layout on the stack; wider tables allocate. */
#define STACK_COLS 32

typedef struct col {
    size_t width; /* in characters, header included */
    int right;    /* 1 = numbers only: right-aligned */
} col;

/* The text of 'v' for a human: a string from the result ('*raw' = 1, escaped when printed),
 * or a number or date formatted into 'buf' with 'decimals' ('*raw' = 0), or "-" for null. */
static const char *render(rt_value v, int decimals, char *buf, int *raw)
{
    *raw = 0;
    switch (v.type) {
    case RT_VAL_NULL:
        break;
    case RT_VAL_INT:
        rt_fmt_int(v.i, buf);
        return buf;
    case RT_VAL_DOUBLE:
        if (!isfinite(v.d))
            break;
        rt_fmt_double_human(v.d, decimals, buf);
        return buf;
    case RT_VAL_DATE:
        if (rt_fmt_date(v.i, buf) == 0)
            break;
        return buf;
    case RT_VAL_STRING:
        *raw = 1;
        return v.s;
    }
    return "-";
}

/* How a byte of a raw string prints: the escape for a control character, else NULL. */
static const char *escape_of(unsigned char c, char *esc)
{
    static const char hex[] = "0123456789abcdef";
    if (c >= 0x20 && c != 0x7f)
        return NULL;
    if (c == '\n')
        return "\\n";
    if (c == '\t')
        return "\\t";
    if (c == '\r')
        return "\\r";
    esc[0] = '\\';
    esc[1] = 'x';
    esc[2] = hex[c >> 4];
    esc[3] = hex[c & 15];
    esc[4] = '\0';
    return esc;
}

/* Display width of 's' as printed by put_text: UTF-8 continuation bytes take no column and
 * control characters are shown escaped (a terminal must not act on them). */
static size_t text_width(const char *s, int raw)
{
    size_t w = 0;
    char esc[8];
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *e = raw ? escape_of(*p, esc) : NULL;
        if (e)
            w += strlen(e);
        else if ((*p & 0xC0) != 0x80)
            w++;
    }
    return w;
}

/* Print 's'; for a 'raw' string from the result, control characters as escapes. */
static void put_text(FILE *f, const char *s, int raw)
{
    char esc[8];
    const char *run = s;
    if (raw) {
        for (; *s; s++) {
            const char *e = escape_of((unsigned char)*s, esc);
            if (e) {
                fwrite(run, 1, (size_t)(s - run), f);
                fputs(e, f);
                run = s + 1;
            }
        }
    }
    fputs(run, f);
}

static void put_spaces(FILE *f, size_t n)
{
    while (n--)
        putc(' ', f);
}

/* Print one grid cell 's' in column 'c' of a 'nc'-column table laid out by 'cols'; the last
 * column is not padded on the right, so lines carry no trailing blanks. */
static void put_cell(FILE *f, const col *cols, size_t c, size_t nc, const char *s, int raw)
{
    size_t w = text_width(s, raw), pad = cols[c].width > w ? cols[c].width - w : 0;
    if (c)
        fputs("  ", f);
    if (cols[c].right)
        put_spaces(f, pad);
    put_text(f, s, raw);
    if (!cols[c].right && c + 1 < nc)
        put_spaces(f, pad);
}

#define LINE_WIDTH 100 /* long text fields are wrapped to this width */

/* Print 's' (no control characters) starting at column 'indent', wrapped at spaces so lines
 * stay within LINE_WIDTH; continuation lines are indented to 'indent'. A word longer than a
 * line is printed whole. */
static void put_wrapped(FILE *f, const char *s, size_t indent)
{
    size_t room = LINE_WIDTH > indent + 20 ? LINE_WIDTH - indent : 20, at = 0;
    while (*s) {
        size_t sp = 0;
        while (s[sp] == ' ')
            sp++;
        size_t len = strcspn(s + sp, " ");
        if (len == 0)
            break; /* trailing blanks */
        if (at > 0 && at + 1 + len > room) {
            putc('\n', f);
            put_spaces(f, indent);
            at = 0;
        } else if (at > 0) {
            putc(' ', f);
            at++;
        }
        fwrite(s + sp, 1, len, f);
        at += len;
        s += sp + len;
    }
}

/* Does 's' hold a control character (which put_text shows escaped, so no wrapping)? */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Print the fields of 'r' as "name  value" lines, names padded to the longest; long text
 * values wrap. */
static void put_fields(FILE *f, const rt_result *r)
{
    size_t nf = rt_result_field_count(r), wmax = 0;
    for (size_t i = 0; i < nf; i++) {
        if (rt_result_field_decimals(r, i) == RT_DECIMALS_HIDDEN)
            continue;
        size_t w = text_width(rt_result_field_name(r, i), 1);
        wmax = w > wmax ? w : wmax;
    }
    for (size_t i = 0; i < nf; i++) {
        if (rt_result_field_decimals(r, i) == RT_DECIMALS_HIDDEN)
            continue;
        const char *name = rt_result_field_name(r, i);
        char buf[RT_FMT_BUF];
        int raw;
        const char *s = render(rt_result_field(r, i), rt_result_field_decimals(r, i), buf, &raw);
        put_text(f, name, 1);
        put_spaces(f, wmax - text_width(name, 1) + 2);
        if (raw && wmax + 2 + text_width(s, raw) > LINE_WIDTH && !has_control(s))
            put_wrapped(f, s, wmax + 2);
        else
            put_text(f, s, raw);
        putc('\n', f);
    }
}

/* Measure table 't' of 'r' into 'cols': each column's width and whether it holds only
 * numbers (nulls aside). */
static void measure(const rt_result *r, size_t t, col *cols)
{
    size_t nc = rt_result_table_cols(r, t), rows = rt_result_table_rows(r, t);
    for (size_t c = 0; c < nc; c++) {
        cols[c].width = text_width(rt_result_table_col_name(r, t, c), 1);
        cols[c].right = 1;
    }
    for (size_t row = 0; row < rows; row++) {
        for (size_t c = 0; c < nc; c++) {
            rt_value v = rt_result_table_cell(r, t, row, c);
            char buf[RT_FMT_BUF];
            int raw;
            const char *s = render(v, rt_result_table_col_decimals(r, t, c), buf, &raw);
            size_t w = text_width(s, raw);
            cols[c].width = w > cols[c].width ? w : cols[c].width;
            if (v.type == RT_VAL_STRING || v.type == RT_VAL_DATE)
                cols[c].right = 0;
        }
    }
}

/* Print table 't' of 'r': its name, the header, a dashed rule and the rows. */
static void put_grid(FILE *f, const rt_result *r, size_t t, const col *cols)
{
    size_t nc = rt_result_table_cols(r, t), rows = rt_result_table_rows(r, t);
    put_text(f, rt_result_table_name(r, t), 1);
    putc('\n', f);
    for (size_t c = 0; c < nc; c++)
        put_cell(f, cols, c, nc, rt_result_table_col_name(r, t, c), 1);
    putc('\n', f);
    for (size_t c = 0; c < nc; c++) {
        if (c)
            fputs("  ", f);
        for (size_t k = 0; k < cols[c].width; k++)
            putc('-', f);
    }
    putc('\n', f);
    for (size_t row = 0; row < rows; row++) {
        for (size_t c = 0; c < nc; c++) {
            char buf[RT_FMT_BUF];
            int raw;
            const char *s = render(rt_result_table_cell(r, t, row, c),
                                   rt_result_table_col_decimals(r, t, c), buf, &raw);
            put_cell(f, cols, c, nc, s, raw);
        }
        putc('\n', f);
    }
}

rt_status rt_report_write_table(const rt_result *r, FILE *f, rt_error *err)
{
    size_t nt = rt_result_table_count(r), maxc = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t nc = rt_result_table_cols(r, t);
        maxc = nc > maxc ? nc : maxc;
    }
    col stack[STACK_COLS], *cols = stack;
    if (maxc > STACK_COLS) {
        cols = rt_mem_array(rt_result_allocator(r), maxc, sizeof *cols);
        if (!cols)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory (table layout)");
    }
    put_fields(f, r);
    for (size_t t = 0; t < nt; t++) {
        if (t > 0 || rt_result_field_count(r) > 0)
            putc('\n', f);
        measure(r, t, cols);
        put_grid(f, r, t, cols);
    }
    if (cols != stack)
        rt_mem_free(rt_result_allocator(r), cols);
    return RT_OK;
}
