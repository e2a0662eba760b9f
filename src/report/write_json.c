/* write_json.c - a result as one JSON object: each field as "name": value, then each table as
 * "name": [ {row}, ... ], one row object per line. The output is always valid JSON: control
 * characters are escaped and invalid UTF-8 becomes U+FFFD; NaN, Inf and null are null.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/result.h"

#include <math.h>

/* Length (1-4) of the well-formed UTF-8 sequence starting at 's', or 0 when it is ill-formed,
 * with '*bad' set to the length of its maximal ill-formed subpart, the bytes one U+FFFD
 * replaces (Unicode 15, 3.9). 's' is NUL-terminated, and NUL is never a continuation byte. */
static size_t utf8_seq(const unsigned char *s, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF; /* range of the second byte */
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t k = 1; k < len; k++) {
        if (s[k] < lo || s[k] > hi) {
            *bad = k;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

/* Write 'str' as a JSON string: runs of plain bytes go out whole; '"', '\\' and control
 * characters are escaped, and each ill-formed UTF-8 subpart becomes U+FFFD. */
static void put_string(FILE *f, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *run = s;
    putc('"', f);
    while (*s) {
        unsigned char c = *s;
        size_t skip = 1;
        if (c >= 0x80) {
            size_t len = utf8_seq(s, &skip);
            if (len) {
                s += len;
                continue;
            }
        } else if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
            s++;
            continue;
        }
        fwrite(run, 1, (size_t)(s - run), f);
        switch (c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\b':
            fputs("\\b", f);
            break;
        case '\f':
            fputs("\\f", f);
            break;
        default:
            if (c < 0x80) {
                fputs("\\u00", f);
                putc(hex[c >> 4], f);
                putc(hex[c & 15], f);
            } else {
                fputs("\xEF\xBF\xBD", f); /* U+FFFD */
            }
        }
        s += skip;
        run = s;
    }
    fwrite(run, 1, (size_t)(s - run), f);
    putc('"', f);
}

/* Write value 'v' as a JSON value; dates are "YYYY-MM-DD" strings. */
static void put_value(FILE *f, rt_value v)
{
    char buf[RT_FMT_BUF];
    size_t n;
    switch (v.type) {
    case RT_VAL_INT:
        n = rt_fmt_int(v.i, buf);
        fwrite(buf, 1, n, f);
        return;
    case RT_VAL_DOUBLE:
        if (!isfinite(v.d))
            break;
        n = rt_fmt_double(v.d, buf);
        fwrite(buf, 1, n, f);
        return;
    case RT_VAL_DATE:
        if (rt_fmt_date(v.i, buf) == 0)
            break;
        put_string(f, buf);
        return;
    case RT_VAL_STRING:
        put_string(f, v.s);
        return;
    case RT_VAL_NULL:
        break;
    }
    fputs("null", f);
}

/* Write table 't' of 'r' as an array of row objects, after its key. */
static void put_table(FILE *f, const rt_result *r, size_t t)
{
    size_t nc = rt_result_table_cols(r, t), rows = rt_result_table_rows(r, t);
    if (rows == 0) {
        fputs("[]", f);
        return;
    }
    fputs("[\n", f);
    for (size_t row = 0; row < rows; row++) {
        fputs("    {", f);
        for (size_t c = 0; c < nc; c++) {
            if (c)
                fputs(", ", f);
            put_string(f, rt_result_table_col_name(r, t, c));
            fputs(": ", f);
            put_value(f, rt_result_table_cell(r, t, row, c));
        }
        fputs(row + 1 < rows ? "},\n" : "}\n", f);
    }
    fputs("  ]", f);
}

void rt_report_write_json(const rt_result *r, FILE *f)
{
    size_t nf = rt_result_field_count(r), nt = rt_result_table_count(r);
    if (nf + nt == 0) {
        fputs("{}\n", f);
        return;
    }
    fputs("{\n", f);
    for (size_t i = 0; i < nf; i++) {
        fputs("  ", f);
        put_string(f, rt_result_field_name(r, i));
        fputs(": ", f);
        put_value(f, rt_result_field(r, i));
        fputs(i + 1 < nf + nt ? ",\n" : "\n", f);
    }
    for (size_t t = 0; t < nt; t++) {
        fputs("  ", f);
        put_string(f, rt_result_table_name(r, t));
        fputs(": ", f);
        put_table(f, r, t);
        fputs(t + 1 < nt ? ",\n" : "\n", f);
    }
    fputs("}\n", f);
}
