/* format.h - what the report writers share: number and date formatting with '.' as the
 * decimal point whatever the locale, and the three writers rt_result_write dispatches to.
 * Writers format results; they never compute statistics.
 * SPDX-License-Identifier: MIT */
#ifndef RT_FORMAT_H
#define RT_FORMAT_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Size of a buffer that holds any formatted number or date, with its NUL. */
#define RT_FMT_BUF 64

/* Machine form of a finite double 'v': "%.15g", or "%.17g" when that does not read back as
 * the same double. Writes a NUL-terminated string to 'buf' and returns its length. */
size_t rt_fmt_double(double v, char *buf);

/* Human form of a finite double 'v' with 'decimals' digits after the point ("%.*f"), or, for
 * decimals < 0, about 4 significant digits without trailing zeros and without an exponent
 * for magnitudes in [1e-4, 1e15) (1234567.89 gives "1234567.89", 0.0123456 "0.01235"). */
size_t rt_fmt_double_human(double v, int decimals, char *buf);

/* Decimal form of 'v'. */
size_t rt_fmt_int(int64_t v, char *buf);

/* "YYYY-MM-DD" for a date value ('day' days since 1970-01-01); returns 0 (and writes "")
 * when 'day' does not fit in int32_t. */
size_t rt_fmt_date(int64_t day, char *buf);

/* The writers. Each writes 'r' to 'f' and leaves error checking (ferror) to the caller.
 * The CSV and table writers need scratch memory: they return RT_ENOMEM (filling 'err') if
 * that fails, else RT_OK. */
rt_status rt_report_write_csv(const rt_result *r, FILE *f, rt_error *err);
void rt_report_write_json(const rt_result *r, FILE *f);
rt_status rt_report_write_table(const rt_result *r, FILE *f, rt_error *err);

#endif
