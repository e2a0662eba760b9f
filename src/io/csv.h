/* csv.h - RFC 4180 tokenizer over an in-memory buffer. It hands out (ptr, len) slices of the
 * buffer and knows no types (picohttpparser's way). Quoted fields, "" escapes, delimiters and
 * newlines inside quotes, CRLF or LF, and a final record without a line end are handled; a
 * record cut by the end of the buffer is reported as incomplete so the caller can read on.
 * SPDX-License-Identifier: MIT */
#ifndef RT_CSV_H
#define RT_CSV_H

#include <stddef.h>
#include <stdint.h>

enum { RT_CSV_QUOTED = 1, RT_CSV_ESCAPED = 2 }; /* field flags */

typedef struct rt_csv_field {
    const char *p; /* first byte of the value (after an opening quote) */
    uint32_t len;  /* length of the raw value (escapes not yet undone) */
    uint32_t flags;
} rt_csv_field;

typedef enum { RT_CSV_ROW, RT_CSV_MORE, RT_CSV_BAD } rt_csv_rc;

typedef struct rt_csv_rec {
    size_t n;          /* fields in the record (may exceed the array given; only 'cap' kept) */
    const char *start; /* record text: [start, stop), without its line end */
    const char *stop;
    const char *next;   /* where the next record begins */
    uint32_t newlines;  /* '\n' bytes consumed, the terminator included */
    const char *bad_at; /* RT_CSV_BAD: the offending byte */
    const char *why;    /* RT_CSV_BAD: static reason */
} rt_csv_rec;

/* Tokenize the record at 'p' (< 'end'). 'final' says no bytes follow 'end'. Fields go to
 * 'f' (capacity 'cap'). Returns RT_CSV_ROW, RT_CSV_MORE when the record runs past 'end' and
 * more input may follow, or RT_CSV_BAD (unterminated quote at the end of input, or a
 * character after a closing quote). */
rt_csv_rc rt_csv_next(const char *p, const char *end, int final, char delim, rt_csv_field *f,
                      size_t cap, rt_csv_rec *rec);

/* Undo the "" escapes of a quoted field in place; returns the new length. */
uint32_t rt_csv_unescape(char *p, uint32_t len);

/* Is the record a blank line (one empty unquoted field)? */
int rt_csv_blank(const rt_csv_rec *rec, const rt_csv_field *f);

#endif
