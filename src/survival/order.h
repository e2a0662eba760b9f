/* order.h - stable ascending order of doubles by LSD radix sort, for the survival code's
 * sorts by time and by risk score (millions of rows, sorted once per fit).
 * SPDX-License-Identifier: MIT */
#ifndef RT_ORDER_H
#define RT_ORDER_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Fill 'idx' with the positions 0..n-1 ordered by 'key' ascending, equal keys in position
 * order (stable); -0.0 equals 0.0. Keys must not be NaN. n must be below 2^32. Returns 0, or
 * -1 when out of memory. */
int rt_order_doubles(const double *key, size_t n, uint32_t *idx, const rt_allocator *a);

/* Stable counting sort of 'idx' (n positions) by 'code[idx[i]]' (codes below 'ncodes'). Returns
 * 0, or -1 when out of memory. */
int rt_order_by_code(uint32_t *idx, size_t n, const uint32_t *code, size_t ncodes,
                     const rt_allocator *a);

#endif
