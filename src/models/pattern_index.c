/* pattern_index.c - distinct (x, t_x, T) rows by open addressing on the three values' bits.
 * SPDX-License-Identifier: MIT */
#include "models/pattern_index.h"

#include "core/error.h"
#include "core/mem.h"

#include <string.h>

static uint64_t bits(double v)
{
    uint64_t u;
    v += 0.0; /* -0 -> +0 */
    memcpy(&u, &v, sizeof u);
    return u;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

rt_status rt_pattern_index_build(const double *x, const double *t_x, const double *T, size_t n,
                                 rt_pattern_index *out, rt_error *err)
{
    if (!out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "pattern index: NULL output");
    memset(out, 0, sizeof *out);
    if ((n > 0 && (!x || !t_x || !T)) || n >= UINT32_MAX)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "pattern index: bad arguments");
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint32_t *slot = rt_mem_calloc(NULL, cap, sizeof *slot); /* pattern + 1, 0 = empty */
    out->of_row = rt_mem_array(NULL, n ? n : 1, sizeof *out->of_row);
    out->first = rt_mem_array(NULL, n ? n : 1, sizeof *out->first);
    if (!slot || !out->of_row || !out->first) {
        rt_mem_free(NULL, slot);
        rt_pattern_index_free(out);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "pattern index: out of memory");
    }
    size_t mask = cap - 1, npat = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = bits(x[i]), b = bits(t_x[i]), c = bits(T[i]);
        size_t h = (size_t)mix(a ^ mix(b ^ mix(c))) & mask;
        for (;;) {
            uint32_t s = slot[h];
            if (s == 0) {
                slot[h] = (uint32_t)(npat + 1);
                out->first[npat] = i;
                out->of_row[i] = (uint32_t)npat++;
                break;
            }
            size_t f = out->first[s - 1];
            if (bits(x[f]) == a && bits(t_x[f]) == b && bits(T[f]) == c) {
                out->of_row[i] = s - 1;
                break;
            }
            h = (h + 1) & mask;
        }
    }
    rt_mem_free(NULL, slot);
    out->npat = npat;
    return RT_OK;
}

void rt_pattern_index_free(rt_pattern_index *p)
{
    if (!p)
        return;
    rt_mem_free(NULL, p->of_row);
    rt_mem_free(NULL, p->first);
    memset(p, 0, sizeof *p);
}
