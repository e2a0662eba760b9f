/* rfm_rules.c - reading a user's RFM segment rules from a small CSV file (`retain rfm
 * --segments FILE`): a header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi, then one rule per line.
 * Strict like the event loader: every bad line stops the read with "path:line:col: what".
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/mem.h"
#include "io/csv.h"
#include "io/source.h"
#include "retain.h"

#include <string.h>
#include <strings.h>

#define RULES_MAX_BYTES ((size_t)1 << 20) /* a rules file is a few lines; refuse a log */
#define RULES_MAX 10000

static const char *const header[7] = {"segment", "r_lo", "r_hi", "f_lo", "f_hi", "m_lo", "m_hi"};

/* Read all of 'path' into '*buf' ('*len' bytes, NUL-terminated). */
static rt_status slurp(const char *path, char **buf, size_t *len, rt_error *err)
{
    rt_source *src;
    rt_status st = rt_source_open(path, path, NULL, &src, err);
    if (st != RT_OK)
        return st;
    size_t cap = 4096, n = 0;
    char *b = rt_mem_alloc(NULL, cap);
    while (b && st == RT_OK) {
        size_t got = 0;
        st = rt_source_read(src, b + n, cap - n - 1, &got, err);
        if (st != RT_OK || got == 0)
            break;
        n += got;
        if (n > RULES_MAX_BYTES) {
            st = rt_fail(err, RT_EDOMAIN, path, 0, 0,
                         "a rules file must be smaller than %zu bytes: is this the event log?",
                         RULES_MAX_BYTES);
            break;
        }
        if (cap - n - 1 == 0) {
            char *nb = rt_mem_resize(NULL, b, cap * 2);
            if (!nb)
                break;
            b = nb;
            cap *= 2;
        }
    }
    rt_source_close(src);
    if (st == RT_OK && (!b || cap - n - 1 == 0))
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    if (st != RT_OK) {
        rt_mem_free(NULL, b);
        return st;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return RT_OK;
}

/* The 1-based byte column of 'at' on its line, the record starting at 'start'; '*line'
 * (the record's first line) moves on past any line break inside the record before 'at'. */
static long column_of(const char *start, const char *at, long *line)
{
    const char *ls = start;
    for (const char *q = start; q < at; q++)
        if (*q == '\n') {
            ++*line;
            ls = q + 1;
        }
    return (long)(at - ls) + 1;
}

/* The text of field 'f' with "" escapes undone and surrounding spaces trimmed, into 'out'
 * ('cap' bytes, cut if longer). Returns its length. */
static size_t field_text(const rt_csv_field *f, char *out, size_t cap)
{
    size_t n = f->len < cap - 1 ? f->len : cap - 1;
    memcpy(out, f->p, n);
    if (f->flags & RT_CSV_ESCAPED)
        n = rt_csv_unescape(out, (uint32_t)n);
    size_t a = 0;
    while (a < n && (out[a] == ' ' || out[a] == '\t'))
        a++;
    while (n > a && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    memmove(out, out + a, n - a);
    out[n - a] = '\0';
    return n - a;
}

/* Where field 'f' starts: the opening quote of a quoted field. */
static const char *field_start(const rt_csv_field *f)
{
    return f->flags & RT_CSV_QUOTED ? f->p - 1 : f->p;
}

/* Check the header record ('rec', fields 'f') against the expected column names. */
static rt_status check_header(const char *path, long line, const rt_csv_rec *rec,
                              const rt_csv_field *f, rt_error *err)
{
    if (rec->n != 7)
        return rt_fail(err, RT_EPARSE, path, line, 0,
                       "expected the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi; found %zu "
                       "column%s",
                       rec->n, rec->n == 1 ? "" : "s");
    for (int c = 0; c < 7; c++) {
        char name[64], q[4 * 40 + 8];
        size_t len = field_text(&f[c], name, sizeof name);
        if (len == strlen(header[c]) && strcasecmp(name, header[c]) == 0)
            continue;
        long l = line, col = column_of(rec->start, field_start(&f[c]), &l);
        rt_quote(f[c].p, f[c].len, 40, q);
        return rt_fail(err, RT_EPARSE, path, l, col, "header column %d must be '%s', got %s", c + 1,
                       header[c], q);
    }
    return RT_OK;
}

/* Parse one rule from the record ('rec', fields 'f', on line 'line') into 'r' (its segment
 * name allocated). */
static rt_status parse_rule(const char *path, long line, const rt_csv_rec *rec,
                            const rt_csv_field *f, rt_rfm_rule *r, rt_error *err)
{
    if (rec->n != 7)
        return rt_fail(err, RT_EPARSE, path, line, 0,
                       "expected 7 fields (as in the header), found %zu", rec->n);
    int v[6];
    for (int c = 1; c < 7; c++) {
        char text[16];
        size_t len = field_text(&f[c], text, sizeof text);
        long l = line, col = column_of(rec->start, field_start(&f[c]), &l);
        if (len != 1 || text[0] < '1' || text[0] > '5' || f[c].len >= sizeof text) {
            char q[4 * 40 + 8];
            rt_quote(f[c].p, f[c].len, 40, q);
            return rt_fail(err, RT_EPARSE, path, l, col,
                           "column '%s': expected a score 1-5, got %s", header[c], q);
        }
        v[c - 1] = text[0] - '0';
        if (c % 2 == 0 && v[c - 1] < v[c - 2])
            return rt_fail(err, RT_EPARSE, path, l, col, "column '%s': %d is below %s = %d",
                           header[c], v[c - 1], header[c - 1], v[c - 2]);
    }
    char *name = rt_mem_alloc(NULL, (size_t)f[0].len + 1);
    if (!name)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    size_t len = field_text(&f[0], name, (size_t)f[0].len + 1);
    if (len == 0) {
        rt_mem_free(NULL, name);
        long l = line, col = column_of(rec->start, field_start(&f[0]), &l);
        return rt_fail(err, RT_EPARSE, path, l, col, "column 'segment': empty segment name");
    }
    *r = (rt_rfm_rule){name, v[0], v[1], v[2], v[3], v[4], v[5]};
    return RT_OK;
}

void rt_rfm_rules_free(rt_rfm_rule *rules, size_t n)
{
    if (!rules)
        return;
    for (size_t i = 0; i < n; i++)
        rt_mem_free(NULL, (void *)(uintptr_t)rules[i].segment);
    rt_mem_free(NULL, rules);
}

rt_status rt_rfm_rules_read(const char *path, rt_rfm_rule **rules, size_t *n, rt_error *err)
{
    if (rules)
        *rules = NULL;
    if (n)
        *n = 0;
    if (!path || !rules || !n)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_rules_read: NULL argument");
    char *buf;
    size_t len;
    rt_status st = slurp(path, &buf, &len, err);
    if (st != RT_OK)
        return st;
    const char *p = buf, *end = buf + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    rt_rfm_rule *out = NULL;
    size_t count = 0, cap = 0;
    long line = 1;
    int have_header = 0;
    if (memchr(buf, '\0', len))
        st = rt_fail(err, RT_EPARSE, path, 0, 0, "NUL byte: this is not a text file");
    while (st == RT_OK && p < end) {
        rt_csv_field f[8];
        rt_csv_rec rec;
        if (rt_csv_next(p, end, 1, ',', f, 8, &rec) == RT_CSV_BAD) {
            long l = line, col = column_of(rec.start, rec.bad_at, &l);
            st = rt_fail(err, RT_EPARSE, path, l, col, "%s", rec.why);
            break;
        }
        if (!rt_csv_blank(&rec, f)) {
            if (!have_header) {
                st = check_header(path, line, &rec, f, err);
                have_header = 1;
            } else if (count == RULES_MAX) {
                st = rt_fail(err, RT_EDOMAIN, path, line, 0, "more than %d rules", RULES_MAX);
            } else if (rt_mem_grow(NULL, (void **)&out, &cap, count + 1, sizeof *out) != 0) {
                st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
            } else {
                st = parse_rule(path, line, &rec, f, &out[count], err);
                count += st == RT_OK;
            }
        }
        line += (long)rec.newlines;
        p = rec.next;
    }
    rt_mem_free(NULL, buf);
    if (st == RT_OK && !have_header)
        st = rt_fail(err, RT_EDOMAIN, path, 0, 0,
                     "empty rules file: expected the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,"
                     "m_hi and one rule per line");
    else if (st == RT_OK && count == 0)
        st = rt_fail(err, RT_EDOMAIN, path, 0, 0, "no rules after the header");
    if (st != RT_OK) {
        rt_rfm_rules_free(out, count);
        return st;
    }
    *rules = out;
    *n = count;
    return RT_OK;
}
