/* ksum.h - Neumaier's compensated summation, for every long sum of amounts (STYLE.md §6):
 * its error does not grow with the number of terms, so sums agree across thread counts to
 * the last digit or so.
 * SPDX-License-Identifier: MIT */
#ifndef RT_KSUM_H
#define RT_KSUM_H

#include <math.h>

typedef struct rt_ksum {
    double s, c; /* running sum and compensation */
} rt_ksum;

static inline void rt_ksum_add(rt_ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

/* Add another partial sum. */
static inline void rt_ksum_merge(rt_ksum *k, const rt_ksum *o)
{
    rt_ksum_add(k, o->s);
    rt_ksum_add(k, o->c);
}

static inline double rt_ksum_value(const rt_ksum *k)
{
    return k->s + k->c;
}

#endif
