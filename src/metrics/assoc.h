/* assoc.h - small association statistics for the metrics: the Wilson score interval of a
 * proportion, Spearman's rank correlation with average ranks for ties and a Fisher-z
 * interval (Bonett & Wright 2000), and the least-squares slope of y on x with its standard
 * error. Plain arrays in, numbers out; NaN where a statistic is undefined.
 * SPDX-License-Identifier: MIT */
#ifndef RT_ASSOC_H
#define RT_ASSOC_H

#include <stddef.h>

/* The 97.5% point of the standard normal, for every 95% interval here. */
#define RT_Z975 1.959963984540054

/* Wilson's (1927) 95% score interval for 'k' successes in 'n' trials, into '*lo', '*hi'
 * (NaN when n = 0). */
void rt_wilson(double k, double n, double *lo, double *hi);

/* Average ranks (1..n; tied values share the mean of their positions) of x[0..n-1] into
 * 'rank'. Returns 0, or -1 when out of memory. */
int rt_avg_ranks(const double *x, size_t n, double *rank);

typedef struct rt_corr {
    double r;      /* the correlation; NaN when n < 2 or either variable is constant */
    double lo, hi; /* 95% interval; NaN when r is NaN or n <= 3 */
} rt_corr;

/* Spearman's rho of x and y (n pairs): Pearson's correlation of their average ranks, so
 * ties are handled as R's cor(method = "spearman") does. The interval is tanh(atanh(r) -+
 * 1.96 se) with Bonett & Wright's (2000) se = sqrt((1 + r^2 / 2) / (n - 3)). Returns 0, or
 * -1 when out of memory. */
int rt_spearman(const double *x, const double *y, size_t n, rt_corr *out);

/* The least-squares slope of y on x (with intercept) over n points and its classical
 * standard error sqrt(RSS / (n - 2) / Sxx), both by two-pass centred sums. NaN when n < 3 or
 * x is constant. */
void rt_ols_slope(const double *x, const double *y, size_t n, double *slope, double *se);

#endif
