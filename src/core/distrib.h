/* distrib.h - the chi-square upper tail and the standard normal quantile, shared by the
 * survival tests and intervals.
 * SPDX-License-Identifier: MIT */
#ifndef RT_DISTRIB_H
#define RT_DISTRIB_H

/* P(X > x) for X chi-square with 'df' > 0 degrees of freedom (1 for x <= 0; NaN for NaN or
 * df <= 0): erfc for df = 1, else the regularised upper incomplete gamma Q(df/2, x/2) by its
 * series or continued fraction in log space. */
double rt_chisq_upper(double x, double df);

/* The standard normal quantile at 'p' in (0, 1), to about one ulp of R's qnorm. */
double rt_norm_quantile(double p);

#endif
