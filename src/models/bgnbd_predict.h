/* bgnbd_predict.h - BG/NBD predictions at given parameters (r, alpha, a, b): E[X(t)] for a new
 * customer, the conditional expectation E[Y(t) | x, t_x, T] and P(alive | x, t_x, T)
 * (Fader, Hardie & Lee 2005, eqs. 7 and 10; FHL's note "Computing P(alive) using the BG/NBD
 * model"). Internal to src/models; results are NaN, never an abort, for invalid input.
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

#endif
