/* order.c - stable radix ordering of doubles: each key is mapped to an unsigned integer with
 * the same order (sign bit flipped for positives, all bits for negatives) and sorted by 11-bit
 * digits, least significant first, skipping digits that every key shares.
 * SPDX-License-Identifier: MIT */
#include "survival/order.h"

#include "core/mem.h"

#include <string.h>

#define DIGIT_BITS 11
#define DIGITS 6 /* 6 * 11 >= 64 */
#define BINS (1u << DIGIT_BITS)

/* The unsigned integer that sorts like 'x' (x + 0.0 turns -0.0 into +0.0). */
static uint64_t order_key(double x)
{
    double y = x + 0.0;
    uint64_t u;
    memcpy(&u, &y, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

int rt_order_doubles(const double *key, size_t n, uint32_t *idx, const rt_allocator *a)
{
    if (n == 0)
        return 0;
    uint64_t *k0 = rt_mem_array(a, n, sizeof *k0), *k1 = rt_mem_array(a, n, sizeof *k1);
    uint32_t *i1 = rt_mem_array(a, n, sizeof *i1);
    size_t *hist = rt_mem_calloc(a, (size_t)DIGITS * BINS, sizeof *hist);
    if (!k0 || !k1 || !i1 || !hist) {
        rt_mem_free(a, k0);
        rt_mem_free(a, k1);
        rt_mem_free(a, i1);
        rt_mem_free(a, hist);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = order_key(key[i]);
        k0[i] = u;
        idx[i] = (uint32_t)i;
        for (int d = 0; d < DIGITS; d++)
            hist[(size_t)d * BINS + ((u >> (d * DIGIT_BITS)) & (BINS - 1))]++;
    }
    uint64_t *ks = k0, *kd = k1;
    uint32_t *is = idx, *id = i1;
    for (int d = 0; d < DIGITS; d++) {
        size_t *h = hist + (size_t)d * BINS;
        unsigned shift = (unsigned)(d * DIGIT_BITS);
        if (h[(ks[0] >> shift) & (BINS - 1)] == n)
            continue; /* every key has this digit */
        size_t sum = 0;
        for (size_t b = 0; b < BINS; b++) {
            size_t c = h[b];
            h[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = h[(ks[i] >> shift) & (BINS - 1)]++;
            kd[at] = ks[i];
            id[at] = is[i];
        }
        uint64_t *kt = ks;
        ks = kd;
        kd = kt;
        uint32_t *it = is;
        is = id;
        id = it;
    }
    if (is != idx)
        memcpy(idx, is, n * sizeof *idx);
    rt_mem_free(a, k0);
    rt_mem_free(a, k1);
    rt_mem_free(a, i1);
    rt_mem_free(a, hist);
    return 0;
}

int rt_order_by_code(uint32_t *idx, size_t n, const uint32_t *code, size_t ncodes,
                     const rt_allocator *a)
{
    if (n == 0 || ncodes <= 1)
        return 0;
    size_t *start = rt_mem_calloc(a, ncodes + 1, sizeof *start);
    uint32_t *tmp = rt_mem_array(a, n, sizeof *tmp);
    if (!start || !tmp) {
        rt_mem_free(a, start);
        rt_mem_free(a, tmp);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        start[code[idx[i]] + 1]++;
    for (size_t c = 0; c < ncodes; c++)
        start[c + 1] += start[c];
    for (size_t i = 0; i < n; i++)
        tmp[start[code[idx[i]]]++] = idx[i];
    memcpy(idx, tmp, n * sizeof *idx);
    rt_mem_free(a, start);
    rt_mem_free(a, tmp);
    return 0;
}
