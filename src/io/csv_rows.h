/* csv_rows.h - a whole CSV input read record by record through a callback, for the small
 * tables the models take as input (customer summaries, survivor counts): the source (file,
 * "-", gzip), a UTF-8 byte-order mark and blank lines skipped, and the positions that error
 * messages need ("name:line:col: ..."). The first record handed over is the header.
 * SPDX-License-Identifier: MIT */
#ifndef RT_CSV_ROWS_H
#define RT_CSV_ROWS_H

#include "io/csv.h"
#include "retain.h"

#include <stddef.h>

/* One record: 'n' fields 'f' (slices of the read buffer, escapes not undone), valid only
 * during the callback. */
typedef struct rt_csv_row {
    const rt_csv_field *f;
    size_t n;
    const rt_csv_rec *rec;
    long line;  /* the line the record starts on (1-based, the header counted) */
    long index; /* 0 for the header, then 1, 2, ... for the data records */
} rt_csv_row;

/* Called once per non-blank record, in input order; a status other than RT_OK stops the read
 * and is returned. */
typedef rt_status (*rt_csv_row_fn)(void *ud, const rt_csv_row *row, rt_error *err);

/* Read 'path' ("-" = stdin; gzip recognised by its magic bytes), named 'name' in messages,
 * split at 'delim', calling 'fn' for every record; buffers come from 'alloc' (NULL = malloc).
 * A record with more than 'max_fields' fields, a malformed record or a NUL byte is RT_EPARSE;
 * RT_EIO when reading fails; RT_ENOMEM. An empty input calls 'fn' never. */
rt_status rt_csv_rows_read(const char *path, const char *name, char delim, size_t max_fields,
                           const rt_allocator *alloc, rt_csv_row_fn fn, void *ud, rt_error *err);

/* Line and column where field 'i' of 'row' starts (its opening quote when quoted). */
void rt_csv_row_pos(const rt_csv_row *row, size_t i, long *line, long *col);

/* Copy field 'f' into 'dst' (room for f->len + 1 bytes), escapes undone, NUL-terminated;
 * returns its length. */
size_t rt_csv_field_copy(const rt_csv_field *f, char *dst);

/* Does header name 'name' match 'want', ignoring case and surrounding spaces? */
int rt_csv_same_name(const char *name, const char *want);

#endif
