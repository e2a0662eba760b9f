/* bgbb.h - BG/BB (beta-geometric / beta-Bernoulli; Fader, Hardie & Shang 2010, Marketing
 * Science 29(6)) maximum-likelihood fit for discrete transaction opportunities, on
 * compressed (x, t_x, n, count) patterns. Internal for now; the public API and the `fit`
 * command come later.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BGBB_H
#define RT_BGBB_H

#include "models/bgnbd.h" /* rt_fit */
#include "retain.h"

#include <stddef.h>

/* Log-likelihood of BG/BB at natural parameters 'par' = (alpha, beta, gamma, delta), summed
 * over 'npat' patterns: x transactions in n opportunities, the last at opportunity t_x (0 when
 * x = 0), 'w' customers with that pattern (NULL = 1 each). FHS 2010, individual likelihood:
 *   L = B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
 *       + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d),
 * evaluated by log-sum-exp. Returns NaN for parameters <= 0; no input checks (rt_bgbb_fit
 * does them). */
double rt_bgbb_loglik(const double par[4], const double *x, const double *t_x, const double *n,
                      const double *w, size_t npat);

/* The same at log-parameters 'lpar', with the analytic gradient w.r.t. 'lpar' in 'grad'. */
double rt_bgbb_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                           const double *n, const double *w, size_t npat, double grad[4]);

/* Fit BG/BB by maximum likelihood from several starting points. x, t_x, n must be integers
 * with 0 <= x <= t_x <= n, 1 <= n <= 1e6, and t_x = 0 exactly when x = 0; 'w' (NULL = 1 each)
 * >= 0. On success '*out' holds (alpha, beta, gamma, delta), SEs by the delta method,
 * n = sum of w, patterns = npat. Errors: RT_EMISUSE (NULL arrays, npat = 0), RT_EDOMAIN
 * (bad patterns, no customers, no transactions at all), RT_ENOCONV (no convergence or a
 * flat likelihood, with the numbers). '*out' is zeroed on failure. */
rt_status rt_bgbb_fit(const double *x, const double *t_x, const double *n, const double *w,
                      size_t npat, rt_fit *out, rt_error *err);

#endif
