/* bgnbd_predict.h - BG/NBD and MBG/NBD predictions at given parameters (r, alpha, a, b): for a
 * new customer E[X(t)] and P(X(t) = k); given a history (x, t_x, T), P(alive), E[Y(t) | ...] and
 * P(Y(t) = k | ...) (Fader, Hardie & Lee 2005, eqs. 7, 8 and 10; FHL's note "Computing P(alive)
 * using the BG/NBD model"; Batislam, Denizel & Filiztekin 2007 for MBG/NBD). Internal to
 * src/models; results are NaN, never an abort, for invalid input. A history needs
 * 0 <= t_x <= T, t_x = 0 when x = 0; x need not be an integer.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BGNBD_PREDICT_H
#define RT_BGNBD_PREDICT_H

/* Expected repeat transactions in (0, t] of a customer who made a first purchase at 0 (FHL
 * 2005 eq. 7). 'par' = (r, alpha, a, b), all > 0; t >= 0. NaN for invalid input, or when the
 * 2F1 falls in a case rt_hyp2f1 does not implement (t / (alpha + t) > 0.99 with r - a within
 * 1e-6 of an integer). */
double rt_bgnbd_expected_new(const double par[4], double t);

/* Expected transactions in (T, T + t] of a customer with x repeat purchases, the last at t_x,
 * observed over (0, T] (FHL 2005 eq. 10). Needs 0 <= t_x <= T, t_x = 0 when x = 0, t >= 0.
 * Computed in log space: finite for x in the hundreds and T in the thousands. NaN as for
 * rt_bgnbd_expected_new (there the ratio is t / (alpha + T + t)). */
double rt_bgnbd_conditional_expected(const double par[4], double x, double t_x, double T, double t);

/* P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha +
 * t_x))^(r + x)) (FHL note "Computing P(alive) using the BG/NBD model"); 1 for x = 0. NaN for
 * invalid input. */
double rt_bgnbd_palive(const double par[4], double x, double t_x, double T);

/* P(X(t) = k) for a new customer, FHL 2005 eq. 8:
 *   B(a, b+k)/B(a, b) NBD(k) + [k > 0] B(a+1, b+k-1)/B(a, b) P(NBD >= k),
 * NBD(k) = Gamma(r+k)/(Gamma(r) k!) (alpha/(alpha+t))^r (t/(alpha+t))^k, its tail by the
 * incomplete beta function I_{t/(alpha+t)}(k, r) (so no 1 - sum cancels). In log space, with
 * the Gamma and Beta ratios formed without cancelling lgammas: ~1e-12 relative, finite for k in
 * the thousands. t >= 0, k >= 0, else NaN. */
double rt_bgnbd_pmf_new(const double par[4], double t, int k);

/* MBG/NBD: the customer may also drop out right after the first purchase, so
 * E[X(t)] = b/(a+b) E_BG/NBD[X(t); r, alpha, a, b+1] (Batislam et al. 2007:
 * b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]) and
 * P(X(t) = k) = [k = 0] a/(a+b) + b/(a+b) P_BG/NBD(X(t) = k; r, alpha, a, b+1). NaN as above. */
double rt_mbgnbd_expected_new(const double par[4], double t);
double rt_mbgnbd_pmf_new(const double par[4], double t, int k);

/* MBG/NBD P(alive at T | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)), for
 * x = 0 too (Batislam et al. 2007). NaN for invalid input. */
double rt_mbgnbd_palive(const double par[4], double x, double t_x, double T);

/* MBG/NBD E[Y(t) | x, t_x, T] = P(alive) (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 * 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))] (Batislam et al. 2007), computed as
 * rt_bgnbd_conditional_expected is; NaN likewise. */
double rt_mbgnbd_conditional_expected(const double par[4], double x, double t_x, double T,
                                      double t);

/* P(Y(t) = k | x, t_x, T), Y(t) the purchases in (T, T + t], for BG/NBD ('modified' = 0) or
 * MBG/NBD ('modified' = 1). Given alive at T the posterior of (lambda, p) is Gamma(r+x,
 * alpha+T) x Beta(a, b+x+m), m = 'modified', and a live customer buys as a new BG/NBD customer
 * (the dropout coin after the last purchase has been thrown), so
 *   P(Y(t) = k | ...) = (1 - P(alive)) [k = 0] + P(alive) P_BG/NBD(X(t) = k; r+x, alpha+T, a,
 *   b+x+m),
 * both parts positive (1 - P(alive) is formed directly, not by subtraction). NaN for invalid
 * input or k < 0. */
double rt_bgnbd_pmf_conditional(const double par[4], int modified, double x, double t_x, double T,
                                double t, int k);

#endif
