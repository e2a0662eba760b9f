/* write_json.c - a result as one JSON object: each field as "name": value, then each table as
 * "name": [ {row}, ... ], one row object per line. Dotted field names nest: "params.r" and
 * "params.alpha" become "params": {"r": ..., "alpha": ...}. The output is always valid JSON:
 * control characters are escaped and invalid UTF-8 becomes U+FFFD; NaN, Inf and null are null.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/result.h"

#include <math.h>
#include <string.h>

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

/* Write the first 'bytes' bytes of the NUL-terminated 'str' as a JSON string: runs of plain
 * bytes go out whole; '"', '\\' and control characters are escaped, and each ill-formed UTF-8
 * subpart becomes U+FFFD. 'bytes' must end the string or sit before a '.' (a dotted name's
 * segment): neither is a continuation byte, so no UTF-8 sequence runs past it. */
static void put_string_n(FILE *f, const char *str, size_t bytes)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *run = s, *end = s + bytes;
    putc('"', f);
    while (s < end) {
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

static void put_string(FILE *f, const char *str)
{
    put_string_n(f, str, strlen(str));
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

/* ---- dotted field names ---- */

/* A group of fields is named by the 'plen' bytes that start the name of its first field 'g'
 * (a path ending in '.'; plen = 0 for the top level). Its members, in field order, are the
 * fields whose names continue the path with a leaf segment (no more '.'), each written as a
 * value where it occurs, and subgroups, each written as an object where its first field
 * occurs: fields of a subgroup need not be consecutive, their later fields join the object
 * made at the first one, so no key repeats. (A name used both as a field and as a path, "a"
 * and "a.b", would still give the key twice; results never do that.) */

static const char *name_of(const rt_result *r, size_t i)
{
    return rt_result_field_name(r, i);
}

/* Whether field 'i' belongs to the group of field 'g' with path length 'plen'. */
static int in_group(const rt_result *r, size_t g, size_t plen, size_t i)
{
    return plen == 0 || strncmp(name_of(r, i), name_of(r, g), plen) == 0;
}

/* Whether the group ('g', 'plen') has a subgroup: then it is written one member a line. */
static int has_subgroup(const rt_result *r, size_t g, size_t plen)
{
    size_t nf = rt_result_field_count(r);
    for (size_t i = g; i < nf; i++)
        if (in_group(r, g, plen, i) && strchr(name_of(r, i) + plen, '.'))
            return 1;
    return 0;
}

/* Whether field 'i' is the first of its subgroup (the 'n'-byte segment after the path of the
 * group ('g', 'plen')). */
static int first_of_subgroup(const rt_result *r, size_t g, size_t plen, size_t i, size_t n)
{
    const char *s = name_of(r, i) + plen;
    for (size_t j = g; j < i; j++) {
        const char *t = name_of(r, j) + plen;
        if (in_group(r, g, plen, j) && strncmp(t, s, n) == 0 && t[n] == '.')
            return 0;
    }
    return 1;
}

static void put_indent(FILE *f, int depth)
{
    for (int k = 0; k < depth; k++)
        fputs("  ", f);
}

/* Write the members of group ('g', 'plen') at nesting 'depth' (the top level is 0): one a
 * line when 'multi', else on one line. '*first' says whether a member has been written. */
static void put_members(FILE *f, const rt_result *r, size_t g, size_t plen, int depth, int multi,
                        int *first)
{
    size_t nf = rt_result_field_count(r);
    for (size_t i = g; i < nf; i++) {
        if (!in_group(r, g, plen, i))
            continue;
        const char *s = name_of(r, i) + plen;
        size_t n = strcspn(s, ".");
        int leaf = s[n] == '\0';
        if (!leaf && !first_of_subgroup(r, g, plen, i, n))
            continue;
        if (multi) {
            fputs(*first ? "\n" : ",\n", f);
            put_indent(f, depth + 1);
        } else if (!*first) {
            fputs(", ", f);
        }
        *first = 0;
        put_string_n(f, s, n);
        fputs(": ", f);
        if (leaf) {
            put_value(f, rt_result_field(r, i));
        } else {
            /* Depth is bounded by the dots in a field name, which the library chooses. */
            int sub_multi = has_subgroup(r, i, plen + n + 1), sub_first = 1;
            putc('{', f);
            put_members(f, r, i, plen + n + 1, depth + 1, sub_multi, &sub_first);
            if (sub_multi) {
                putc('\n', f);
                put_indent(f, depth + 1);
            }
            putc('}', f);
        }
    }
}

void rt_report_write_json(const rt_result *r, FILE *f)
{
    size_t nf = rt_result_field_count(r), nt = rt_result_table_count(r);
    int first = 1;
    if (nf + nt == 0) {
        fputs("{}\n", f);
        return;
    }
    putc('{', f);
    put_members(f, r, 0, 0, 0, 1, &first);
    for (size_t t = 0; t < nt; t++) {
        fputs(first ? "\n  " : ",\n  ", f);
        first = 0;
        put_string(f, rt_result_table_name(r, t));
        fputs(": ", f);
        put_table(f, r, t);
    }
    fputs("\n}\n", f);
}
