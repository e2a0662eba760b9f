/* special.h - special functions for the model code: digamma and the Gaussian hypergeometric
 * function 2F1 for real arguments with z < 1 (what the Pareto/NBD likelihood needs), plus a
 * log-space form of the 2F1(a, b; a + 1; z) that appears in it. Internal to src/models.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SPECIAL_H
#define RT_SPECIAL_H

/* Digamma psi(x) = d/dx log Gamma(x) for x > 0 (recurrence to x >= 10, then the asymptotic
 * series to the x^-14 term; error ~1e-15 relative away from the root near 1.46). NaN for
 * x <= 0 or NaN. */
double rt_digamma(double x);

/* log Gamma(v) through lgamma_r (glibc's lgamma writes the global 'signgam', so threads
 * must not use it); the sign is dropped: the models only call it for v > 0. */
double rt_lgamma(double v);

/* log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), for a, b > 0. */
double rt_lbeta(double a, double b);

/* Why rt_hyp2f1_ex returned what it did. */
typedef enum rt_hyp_flag {
    RT_HYP_OK = 0,      /* value computed */
    RT_HYP_DOMAIN,      /* z > 1, z = 1 with c - a - b <= 0, c a non-positive integer, NaN */
    RT_HYP_UNSUPPORTED, /* 0.99 < z' < 1 with c - a - b within 1e-6 of an integer (z' is z,
                         * or z / (z - 1) for z < 0): the logarithmic cases (DLMF 15.8.10),
                         * not implemented */
    RT_HYP_NOCONV       /* a series did not reach relative 1e-16 in 200000 terms */
} rt_hyp_flag;

/* 2F1(a, b; c; z) for real a, b, c and z <= 1. Methods (DLMF 15.2, 15.8):
 *   0 <= z <= 0.9 ....... the power series;
 *   z < 0 ............... Pfaff: (1 - z)^-a 2F1(a, c - b; c; z / (z - 1)), whose argument
 *                         lies in (0, 1), then as for z >= 0 (a terminating series, a or b
 *                         a non-positive integer, is summed directly for -0.5 <= z < 0);
 *   0.9 < z < 1 ......... the 1 - z connection formula (DLMF 15.8.4) when c - a - b is not
 *                         within 1e-6 of an integer; otherwise the power series up to
 *                         z = 0.99, and RT_HYP_UNSUPPORTED above;
 *   z = 1 ............... Gauss: Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)), c > a + b.
 * Accuracy: about 1e-14 relative where no cancellation occurs (all terms of one sign, e.g.
 * a, b, c > 0 and z >= 0); the connection formula loses about log10(1 / dist(c - a - b,
 * integers)) digits. Returns NaN with '*flag' (may be NULL) set when not RT_HYP_OK. */
double rt_hyp2f1_ex(double a, double b, double c, double z, rt_hyp_flag *flag);

/* rt_hyp2f1_ex without the flag (NaN outside what is implemented). */
double rt_hyp2f1(double a, double b, double c, double z);

/* log 2F1(a, b; a + 1; z) for a > 0, 0 < b < a + 1 and 0 <= z < 1, the form in the Pareto/NBD
 * likelihood (Fader, Hardie & Lee 2005 note, A_0). Computed as (1 - b) log(1 - z) +
 * log 2F1(1, a + 1 - b; a + 1; z) (Euler's transformation, DLMF 15.8.1), whose series has
 * positive terms falling by a ratio below z: no overflow or cancellation for a, b in the
 * hundreds. Needs about log(1e-17 (1 - z)) / log(z) terms (4e4 at z = 0.999); NaN outside
 * the region or when 1e6 terms do not suffice (z within ~4e-5 of 1). */
double rt_log_hyp2f1_a1(double a, double b, double z);

/* rt_log_hyp2f1_a1 with its partial derivatives d/da, d/db, d/dz in 'd' (the Pareto/NBD
 * likelihood's analytic gradient). The derivatives of the Euler series' terms t_n in its
 * parameters are sums of 1/(a+1-b+k) and 1/((a+1-b+k)(a+1+k)) over k < n, accumulated with
 * the terms, so every sum has positive terms; the series runs until the tail bounds of all
 * of them are below 1e-17 of the sum (a few more terms than the value alone needs). Same
 * domain, and NaN (in 'd' too) as rt_log_hyp2f1_a1. */
double rt_log_hyp2f1_a1_grad(double a, double b, double z, double d[3]);

#endif
