/* special_pred.h - special functions for the BTYD predictions, mostly continued fractions: the
 * regularized incomplete beta function (NBD tails, the Pareto/NBD pmf), the Stieltjes transform
 * of the gamma distribution (Pareto/NBD DERT), 2F1(1, b; c; -y) (BG/BB DERT) and
 * log Gamma(y + e) - log Gamma(y) accurate for small e (BG/BB expectations). Internal to
 * src/models; NaN, never an abort, outside the documented domain.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SPECIAL_PRED_H
#define RT_SPECIAL_PRED_H

/* log I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1], with
 * y = 1 - x passed separately so that it keeps its digits when x is near 1 (|x + y - 1| must
 * be below 1e-12). '*log_comp' (may be NULL) receives log(1 - I_x(a, b)) = log I_y(b, a).
 * Whichever of the two is below about 1/2 comes from the continued fraction DLMF 8.17.22 and
 * keeps its relative accuracy however small it is (up to ~1e-16 times the size of its log,
 * e.g. 5e-14 for a tail of 1e-200); the other is log1p(-that). NaN outside the domain or when
 * the fraction does not converge (it needs O(sqrt(max(a, b))) terms). */
double rt_log_betainc(double a, double b, double x, double y, double *log_comp);

/* B(a, b) I_x(a, b) / (x^a y^b) = x^-a y^-b (integral of u^(a-1) (1-u)^(b-1) over [0, x]),
 * y = 1 - x as above, 0 < x < 1: the incomplete beta integral scaled by its size at the upper
 * end, which does not underflow for a in the thousands (it is at least about 1 / (a y)).
 * NaN as rt_log_betainc. */
double rt_betainc_scaled(double a, double b, double x, double y);

/* log of rt_betainc_scaled, for when the scaled integral itself overflows (y^b below 1e-308,
 * say b = 200 and y = 0.003). */
double rt_log_betainc_scaled(double a, double b, double x, double y);

/* Q(s, z) = E[z / (z + Y)] with Y ~ Gamma(s, 1), for s > 0 and z >= 0; equal to
 * z^s e^z Gamma(1 - s, z) = z^s U(s, s, z), U Tricomi's confluent hypergeometric function
 * (DLMF 8.5.3). In (0, 1], increasing in z, Q(s, 0) = 0. Methods: Legendre's continued
 * fraction for Gamma(a, z) (DLMF 8.9.2) for z >= 1 or s >= 15, where it converges in at most
 * ~300 terms; for z < 1 and s < 15 the series
 *   Q = z^s e^z Gamma(1 - s) - z e^z sum_n (-z)^n / (n! (n + 1 - s)),
 * whose two parts have poles at integer s; the two poles are combined in closed form (with
 * expm1), so integer s needs no special case. Accuracy ~1e-15 relative (vs mpmath). */
double rt_gamma_stieltjes(double s, double z);

/* 2F1(1, b; c; -y) for 0 < b < c and y >= 0: E[1 / (1 + y u)] with u ~ Beta(b, c - b), in
 * (0, 1]. Gauss's continued fraction (DLMF 15.7, with the parameters shifted so that every
 * partial numerator is positive: a Stieltjes fraction, stable at any y); about 18 sqrt(y)
 * terms for large y, NaN when 1e7 terms do not converge (y beyond ~3e11) or outside the domain. */
double rt_hyp2f1_one_neg(double b, double c, double y);

/* log Gamma(y + e) - log Gamma(y) for y > 0, y + e > 0 and |e| <= 1000, with full relative
 * accuracy as e -> 0 (where the plain difference of lgammas keeps only absolute accuracy
 * ~1e-16 |lgamma|). The integer part of e is a rising product (log of few partial products),
 * the fraction f the difference of Stirling series (DLMF 5.11.8) after the recurrence up to
 * y >= 30; cost O(|e| + 30). NaN outside the domain. */
double rt_lgamma_shift(double y, double e);

/* log B(a, b) for a, b > 0. When the smaller argument m is at most 30 and the larger one M at
 * least 30, as log Gamma(m) - rt_lgamma_shift(M, m): absolute error ~1e-16 |log B|, where
 * lgamma(a) + lgamma(b) - lgamma(a+b) keeps only ~1e-16 lgamma(a+b) (5e-13 at 800). */
double rt_lbeta_acc(double a, double b);

/* log Gamma(y + e) - log Gamma(y) (y, y + e > 0): rt_lgamma_shift when y >= 30 and |e| <= 1000,
 * where two large lgammas would cancel (absolute error ~1e-16 |e log y| instead of ~1e-16
 * lgamma(y + e); cost O(|e|) multiplications); plain lgammas otherwise. */
double rt_lgamma_diff(double y, double e);

/* log B(a, b+k) / B(a, b) = rt_lgamma_diff(b, k) - rt_lgamma_diff(a+b, k). */
double rt_lbeta_ratio(double a, double b, double k);

#endif
