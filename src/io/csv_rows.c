/* csv_rows.c - read a whole CSV input record by record (see csv_rows.h): blocks from the
 * source, an incomplete record carried over to the next block, the tokenizer's errors and NUL
 * bytes reported where they are. The attribute reader (attrs.c) and the model and survival
 * table readers all read through it.
 * SPDX-License-Identifier: MIT */
#include "io/csv_rows.h"

#include "core/error.h"
#include "core/mem.h"
#include "io/source.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MAX_RECORD ((size_t)1 << 30)
#define FIRST_BLOCK ((size_t)1 << 20)

/* The read in progress. */
typedef struct reader {
    const char *name;
    char delim;
    size_t max_fields;
    rt_csv_field *f; /* max_fields + 1 */
    rt_csv_row_fn fn;
    void *ud;
    const rt_allocator *alloc;
    long index; /* records handed over so far */
} reader;

/* Line and column of 'at' in the record that starts at 'start' on line 'line'. */
static void position(const char *start, const char *at, long line, long *out_line, long *out_col)
{
    const char *ls = start;
    for (const char *q = start; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    *out_line = line;
    *out_col = (long)(at - ls) + 1;
}

void rt_csv_row_pos(const rt_csv_row *row, size_t i, long *line, long *col)
{
    const rt_csv_field *f = &row->f[i];
    position(row->rec->start, f->flags ? f->p - 1 : f->p, row->line, line, col);
}

size_t rt_csv_field_copy(const rt_csv_field *f, char *dst)
{
    memcpy(dst, f->p, f->len);
    uint32_t len = f->len;
    if (f->flags & RT_CSV_ESCAPED)
        len = rt_csv_unescape(dst, len);
    dst[len] = '\0';
    return len;
}

int rt_csv_same_name(const char *name, const char *want)
{
    size_t len = strlen(name);
    while (len && isspace((unsigned char)*name)) {
        name++;
        len--;
    }
    while (len && isspace((unsigned char)name[len - 1]))
        len--;
    return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Tokenize the records of [*p, end) ('final': no bytes follow), advancing '*p' past each
 * record taken and '*lines' by its line ends. Stops at an incomplete record. */
static rt_status take_records(reader *R, const char **p, const char *end, int final, long *lines,
                              rt_error *err)
{
    while (*p < end) {
        rt_csv_rec rec;
        rt_csv_rc rc = rt_csv_next(*p, end, final, R->delim, R->f, R->max_fields + 1, &rec);
        if (rc == RT_CSV_MORE)
            return RT_OK;
        long line = *lines + 1, eline, ecol;
        if (rc == RT_CSV_BAD) {
            position(rec.start, rec.bad_at, line, &eline, &ecol);
            return rt_fail(err, RT_EPARSE, R->name, eline, ecol, "%s", rec.why);
        }
        const char *nul = memchr(rec.start, '\0', (size_t)(rec.next - rec.start));
        if (nul) {
            position(rec.start, nul, line, &eline, &ecol);
            return rt_fail(err, RT_EPARSE, R->name, eline, ecol,
                           "NUL byte: this is not a text file");
        }
        if (!rt_csv_blank(&rec, R->f)) {
            if (rec.n > R->max_fields)
                return rt_fail(err, RT_EPARSE, R->name, line, 0, "more than %zu fields",
                               R->max_fields);
            rt_csv_row row = {R->f, rec.n, &rec, line, R->index++};
            rt_status st = R->fn(R->ud, &row, err);
            if (st != RT_OK)
                return st;
        }
        *lines += (long)rec.newlines;
        *p = rec.next;
    }
    return RT_OK;
}

/* Read the whole input through 'src' in blocks, carrying an incomplete record over. */
static rt_status read_all(reader *R, rt_source *src, rt_error *err)
{
    size_t cap = FIRST_BLOCK, len = 0;
    char *buf = rt_mem_alloc(R->alloc, cap);
    if (!buf)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    long lines = 0;
    int eof = 0, first = 1;
    rt_status st = RT_OK;
    while (st == RT_OK && !eof) {
        if (len == cap) { /* one record fills the buffer */
            if (cap >= MAX_RECORD) {
                st = rt_fail(err, RT_EPARSE, R->name, lines + 1, 0,
                             "a record longer than %zu bytes", MAX_RECORD);
                break;
            }
            char *nb = rt_mem_resize(R->alloc, buf, cap * 2);
            if (!nb) {
                st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = 0;
        st = rt_source_read(src, buf + len, cap - len, &got, err);
        if (st != RT_OK)
            break;
        eof = got == 0;
        len += got;
        const char *p = buf;
        if (first && len >= 3) {
            if (memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
                p += 3;
            first = 0;
        } else if (first && !eof) {
            continue; /* too few bytes yet to tell whether a byte-order mark starts them */
        }
        st = take_records(R, &p, buf + len, eof, &lines, err);
        size_t rest = (size_t)(buf + len - p);
        memmove(buf, p, rest);
        len = rest;
    }
    rt_mem_free(R->alloc, buf);
    return st;
}

rt_status rt_csv_rows_read(const char *path, const char *name, char delim, size_t max_fields,
                           const rt_allocator *alloc, rt_csv_row_fn fn, void *ud, rt_error *err)
{
    reader R = {
        .name = name, .delim = delim, .max_fields = max_fields, .fn = fn, .ud = ud, .alloc = alloc};
    R.f = rt_mem_array(alloc, max_fields + 1, sizeof *R.f);
    if (!R.f)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_source *src = NULL;
    rt_status st = rt_source_open(path, name, alloc, &src, err);
    if (st == RT_OK)
        st = read_all(&R, src, err);
    rt_source_close(src);
    rt_mem_free(alloc, R.f);
    return st;
}
