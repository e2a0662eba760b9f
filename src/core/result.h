/* result.h - building an rt_result: the typed fields and tables every analysis returns and
 * every writer prints. Strings and names are copied into the result's arena, so callers may
 * pass temporaries. After a failed add (-1) the result is unchanged in content and still valid.
 * SPDX-License-Identifier: MIT */
#ifndef RT_RESULT_H
#define RT_RESULT_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Decimals hint meaning "automatic" (about 4 significant digits in the human table). */
#define RT_DECIMALS_AUTO (-1)
/* Decimals hint of a field the human table leaves out because a table of the result shows the
 * same numbers (a fit's params.*, se.*, ci95.* beside its 'parameters' table); CSV and JSON
 * print it as usual. */
#define RT_DECIMALS_HIDDEN (-2)

/* A new empty result of kind 'kind' (copied; NULL means ""), allocating through 'a' (NULL =
 * malloc). The caller owns it (rt_result_free). NULL when out of memory. */
rt_result *rt_result_new(const rt_allocator *a, const char *kind);

/* Append a scalar field named 'name' (copied). Each returns 0, or -1 when out of memory or
 * 'r'/'name' is NULL. 'decimals' is the digits shown after the point in the human table
 * (RT_DECIMALS_AUTO = automatic); CSV and JSON always print the round-trip form. A NULL 's'
 * adds a null field. */
int rt_result_add_int(rt_result *r, const char *name, int64_t v);
int rt_result_add_double(rt_result *r, const char *name, double v, int decimals);
int rt_result_add_string(rt_result *r, const char *name, const char *s);
int rt_result_add_date(rt_result *r, const char *name, int32_t day);
int rt_result_add_null(rt_result *r, const char *name);

/* Append an empty table named 'name' with 'ncols' (>= 1) columns named 'colnames' and shown
 * with 'decimals' (ncols hints, or NULL for all automatic); all copied. Returns the table
 * index (>= 0), or -1 when out of memory or an argument is NULL or zero. */
int rt_result_add_table(rt_result *r, const char *name, size_t ncols, const char *const *colnames,
                        const int *decimals);

/* Append one row to table 't': 'cells' holds ncols values. Strings are copied (an
 * RT_VAL_STRING cell with a NULL 's' becomes null); a date cell keeps its day in 'i' and must
 * fit in int32_t. Returns 0, or -1 when out of memory, 't' is out of range or a cell's type is
 * unknown; on -1 no row is added. */
int rt_result_table_add_row(rt_result *r, size_t t, const rt_value *cells);

/* Make table 't' the result's main table: the one CSV output holds (see rt_result_write).
 * Returns 0, or -1 when 't' is out of range. */
int rt_result_set_main(rt_result *r, size_t t);

/* For the writers: the decimals hint of field 'i' or of column 'c' of table 't'
 * (RT_DECIMALS_AUTO when out of range), and the allocator the result was made with (NULL =
 * malloc), for scratch memory. */
int rt_result_field_decimals(const rt_result *r, size_t i);
int rt_result_table_col_decimals(const rt_result *r, size_t t, size_t c);
const rt_allocator *rt_result_allocator(const rt_result *r);

#endif
