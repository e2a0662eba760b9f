/* bgbb_predict.h - BG/BB predictions at given parameters (alpha, beta, gamma, delta) (Fader,
 * Hardie & Shang 2010, "Customer-base analysis in a discrete-time noncontractual setting",
 * Marketing Science 29(6)): a customer alive at opportunity t buys with probability p ~
 * Beta(alpha, beta) and dies at the start of each opportunity with probability theta ~
 * Beta(gamma, delta). A history is x purchases in n opportunities, the last at t_x: integers
 * with 0 <= x <= t_x <= n, t_x = 0 exactly when x = 0. Internal to src/models; NaN, never an
 * abort, for invalid input.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BGBB_PREDICT_H
#define RT_BGBB_PREDICT_H

/* P(alive at opportunity n + 1 | x, t_x, n) = B(alpha+x, beta+n-x)/B(alpha, beta)
 * B(gamma, delta+n+1)/B(gamma, delta) / L(x, t_x, n) (FHS 2010, the P(alive) expression; BTYD's
 * bgbb.PAlive). Computed from the log-odds of L's "died" part to its "alive" part: the n - t_x
 * died terms by a ratio recurrence (no lgamma per term), the Beta ratios without cancelling
 * lgammas, so n in the thousands keeps ~1e-12 relative accuracy. */
double rt_bgbb_palive(const double par[4], double x, double t_x, double n);

/* E[X(n)] = alpha/(alpha+beta) delta/(gamma-1) [1 - Gamma(gamma+delta) Gamma(1+delta+n) /
 * (Gamma(1+delta) Gamma(gamma+delta+n))] for a new customer (FHS 2010), n >= 0 real; the
 * gamma -> 1 limit is reached continuously (see bgbb_predict.c). NaN for n < 0. */
double rt_bgbb_expected_new(const double par[4], double n);

/* P(X(n) = k) for a new customer, n a non-negative integer (FHS 2010):
 *   C(n,k) B(alpha+k, beta+n-k)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
 *   + sum_{i=k}^{n-1} C(i,k) B(alpha+k, beta+i-k)/B(alpha,beta) B(gamma+1, delta+i)/B(gamma,delta),
 * 0 for k > n. Sums n - k terms by a ratio recurrence (O(n) time). NaN for invalid input. */
double rt_bgbb_pmf_new(const double par[4], double n, int k);

/* E[X(n, n + nstar) | x, t_x, n], the purchases in the next 'nstar' opportunities (FHS 2010):
 * P(alive at n) (alpha+x)/(alpha+beta+n) (delta+n)/(gamma-1) [1 - Gamma(gamma+delta+n)
 * Gamma(1+delta+n+nstar) / (Gamma(1+delta+n) Gamma(gamma+delta+n+nstar))], nstar >= 0 real. */
double rt_bgbb_conditional_expected(const double par[4], double x, double t_x, double n,
                                    double nstar);

/* P(X(n, n + nstar) = k | x, t_x, n), nstar a non-negative integer. Alive at n the posterior is
 * p ~ Beta(alpha+x, beta+n-x), theta ~ Beta(gamma, delta+n), and the customer goes on as a new
 * one, so P = (1 - P(alive at n)) [k = 0] + P(alive at n) P(X(nstar) = k; alpha+x, beta+n-x,
 * gamma, delta+n); 1 - P(alive at n) is summed from its own terms, not by subtraction. */
double rt_bgbb_pmf_conditional(const double par[4], double x, double t_x, double n, double nstar,
                               int k);

/* DERT(d | x, t_x, n) = sum_{j >= 1} P(purchase at n + j | x, t_x, n) / (1 + d)^j for a discount
 * rate d >= 0 per opportunity (FHS 2010's DERT: B(alpha+x+1, beta+n-x)/B(alpha,beta)
 * B(gamma, delta+n+1) / (B(gamma,delta) (1+d)) 2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / L),
 * computed as P(alive at n) (alpha+x)/(alpha+beta+n) D/(gamma+D) 2F1(1, gamma; gamma+D+1; -1/d)
 * / d with D = delta + n (Pfaff's transformation of the same function; rt_hyp2f1_one_neg).
 * The fraction needs ~18 / sqrt(d) terms (60 at d = 0.1). At d = 0 the last two factors become
 * D/(gamma-1) for gamma > 1 (the undiscounted total) and the result is +inf for gamma <= 1.
 * NaN for invalid input, d < 0, or 0 < d < ~3e-12 (beyond 1e7 terms). */
double rt_bgbb_dert(const double par[4], double x, double t_x, double n, double d);

#endif
