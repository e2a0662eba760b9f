/* assoc.c - Wilson intervals, Spearman's rho with its Fisher-z interval, and least-squares
 * slopes (see assoc.h). Sums over many points are compensated (ksum.h) and centred first,
 * so the results do not depend on how large the values are.
 * SPDX-License-Identifier: MIT */
#include "metrics/assoc.h"
#include "core/ksum.h"
#include "core/mem.h"

#include <math.h>
#include <stdlib.h>

void rt_wilson(double k, double n, double *lo, double *hi)
{
    if (!(n > 0)) {
        *lo = *hi = (double)NAN;
        return;
    }
    /* Wilson (1927): (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) */
    const double z = RT_Z975, z2 = z * z;
    double p = k / n, den = 1.0 + z2 / n;
    double mid = p + z2 / (2.0 * n);
    double half = z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    *lo = (mid - half) / den;
    *hi = (mid + half) / den;
    if (*lo < 0.0 || k == 0) /* the exact bound at k = 0 is 0; rounding leaves ~1e-17 */
        *lo = 0.0;
    if (*hi > 1.0 || k == n)
        *hi = 1.0;
}

typedef struct pair {
    double v;
    size_t i;
} pair;

static int by_value(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int rt_avg_ranks(const double *x, size_t n, double *rank)
{
    pair *p = rt_mem_array(NULL, n ? n : 1, sizeof *p);
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++)
        p[i] = (pair){x[i], i};
    qsort(p, n, sizeof *p, by_value);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && p[b].v == p[a].v)
            b++;
        /* positions a+1 .. b (1-based) share their mean */
        double r = ((double)a + 1.0 + (double)b) / 2.0;
        for (size_t k = a; k < b; k++)
            rank[p[k].i] = r;
        a = b;
    }
    rt_mem_free(NULL, p);
    return 0;
}

/* Pearson's correlation of x and y by centred sums; NaN when either is constant. */
static double pearson(const double *x, const double *y, size_t n)
{
    rt_ksum sx = {0, 0}, sy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        rt_ksum_add(&sx, x[i]);
        rt_ksum_add(&sy, y[i]);
    }
    double mx = rt_ksum_value(&sx) / (double)n, my = rt_ksum_value(&sy) / (double)n;
    rt_ksum xx = {0, 0}, yy = {0, 0}, xy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        rt_ksum_add(&xx, dx * dx);
        rt_ksum_add(&yy, dy * dy);
        rt_ksum_add(&xy, dx * dy);
    }
    double vx = rt_ksum_value(&xx), vy = rt_ksum_value(&yy);
    if (!(vx > 0) || !(vy > 0))
        return (double)NAN;
    double r = rt_ksum_value(&xy) / sqrt(vx * vy);
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r; /* rounding past +-1 */
}

int rt_spearman(const double *x, const double *y, size_t n, rt_corr *out)
{
    out->r = out->lo = out->hi = (double)NAN;
    if (n < 2)
        return 0;
    double *rx = rt_mem_array(NULL, n, sizeof *rx), *ry = rt_mem_array(NULL, n, sizeof *ry);
    if (!rx || !ry || rt_avg_ranks(x, n, rx) != 0 || rt_avg_ranks(y, n, ry) != 0) {
        rt_mem_free(NULL, rx);
        rt_mem_free(NULL, ry);
        return -1;
    }
    double r = pearson(rx, ry, n);
    rt_mem_free(NULL, rx);
    rt_mem_free(NULL, ry);
    out->r = r;
    if (isnan(r) || n <= 3)
        return 0;
    /* Bonett & Wright (2000), Psychometrika 65(1) 23-28: var(atanh r_s) ~ (1 + r^2/2)/(n-3) */
    double se = sqrt((1.0 + r * r / 2.0) / ((double)n - 3.0));
    double z = atanh(r);
    out->lo = tanh(z - RT_Z975 * se);
    out->hi = tanh(z + RT_Z975 * se);
    return 0;
}

void rt_ols_slope(const double *x, const double *y, size_t n, double *slope, double *se)
{
    *slope = *se = (double)NAN;
    if (n < 3)
        return;
    rt_ksum sx = {0, 0}, sy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        rt_ksum_add(&sx, x[i]);
        rt_ksum_add(&sy, y[i]);
    }
    double mx = rt_ksum_value(&sx) / (double)n, my = rt_ksum_value(&sy) / (double)n;
    rt_ksum xx = {0, 0}, xy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx;
        rt_ksum_add(&xx, dx * dx);
        rt_ksum_add(&xy, dx * (y[i] - my));
    }
    double sxx = rt_ksum_value(&xx);
    if (!(sxx > 0))
        return;
    double b = rt_ksum_value(&xy) / sxx;
    rt_ksum rss = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - my - b * (x[i] - mx);
        rt_ksum_add(&rss, e * e);
    }
    *slope = b;
    *se = sqrt(rt_ksum_value(&rss) / ((double)n - 2.0) / sxx);
}
