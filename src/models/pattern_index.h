/* pattern_index.h - number the distinct (x, t_x, T) rows of a customer summary, so that
 * predictions are computed once per pattern and copied to every customer that shares it.
 * Internal to src/models (predict.c, validate.c).
 * SPDX-License-Identifier: MIT */
#ifndef RT_PATTERN_INDEX_H
#define RT_PATTERN_INDEX_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rt_pattern_index {
    size_t npat;      /* distinct patterns */
    uint32_t *of_row; /* n entries: the pattern of each row */
    size_t *first;    /* npat entries: the first row with each pattern (patterns are numbered
                         in order of first appearance) */
} rt_pattern_index;

/* Index the 'n' rows (x[i], t_x[i], T[i]); rows are equal when the three doubles are equal
 * (+0 and -0 alike). One hash pass, O(n) expected. Returns RT_OK, RT_ENOMEM, or RT_EMISUSE
 * when n >= 2^32. On failure '*out' is zeroed. */
rt_status rt_pattern_index_build(const double *x, const double *t_x, const double *T, size_t n,
                                 rt_pattern_index *out, rt_error *err);
void rt_pattern_index_free(rt_pattern_index *p);

#endif
