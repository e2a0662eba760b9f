/* pnbd.h - Pareto/NBD (Schmittlein, Morrison & Colombo 1987) maximum-likelihood fit on
 * compressed sufficient statistics (x, t_x, T, count), with P(alive) and the conditional
 * expected number of transactions. Internal for now; the public API and `fit` come later.
 * SPDX-License-Identifier: MIT */
#ifndef RT_PNBD_H
#define RT_PNBD_H

#include "retain.h"

#include "models/bgnbd.h" /* rt_fit */
#include "models/patsum.h"

#include <stddef.h>

/* Log-likelihood of the Pareto/NBD at natural parameters 'par' = (r, alpha, s, beta), summed
 * over n patterns weighted by 'w' (NULL = all 1): Fader, Hardie & Lee (2005), "A note on
 * deriving the Pareto/NBD model and related expressions": the likelihood with its A_0 term.
 * NaN for parameters <= 0 (or where the 2F1 series fails, see rt_log_hyp2f1_a1); no input
 * checks (rt_pnbd_fit does them). */
double rt_pnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                      const double *w, size_t n);

/* The same log-likelihood at log-parameters 'lpar' = log(r, alpha, s, beta), with its analytic
 * gradient w.r.t. 'lpar' in 'grad' (the 2F1's derivatives in its parameters by
 * rt_log_hyp2f1_a1_grad). */
double rt_pnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                           const double *T, const double *w, size_t n, double grad[4]);

/* The log-likelihood at natural parameters 'par' over the patterns of 'ps' (indexed or plain,
 * see patsum.h; an index made with 4 tables and a memo of 6), summed in parallel blocks: the
 * result does not depend on the thread count and is the same with or without the index.
 * With 'grad' non-NULL also the gradient w.r.t. the natural parameters (NaN with the value
 * for parameters <= 0). */
double rt_pnbd_loglik_ps(const rt_patsum *ps, const double par[4], double grad[4]);

/* Fit the Pareto/NBD by maximum likelihood on n patterns (x repeat purchases, t_x recency,
 * T age, w customers with that pattern; w may be NULL = 1 each) from several starts. On
 * success '*out' holds r, alpha, s, beta with SEs by the delta method from the observed
 * information on the log scale. Errors: RT_EMISUSE (NULL arrays, n = 0), RT_EDOMAIN (x < 0,
 * t_x outside [0, T], t_x != 0 with x = 0, T <= 0, w < 0, no customers, no repeat purchases),
 * RT_ENOCONV (no convergence or a flat likelihood, with the numbers). '*out' is zeroed on
 * failure. */
rt_status rt_pnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                      size_t n, rt_fit *out, rt_error *err);

/* P(alive at T | x, t_x, T) at 'par' = (r, alpha, s, beta) (FHL note, P(alive) section). NaN for
 * bad parameters. */
double rt_pnbd_palive(const double par[4], double x, double t_x, double T);

/* E[number of transactions in (T, T + t] | x, t_x, T] (FHL note, conditional expectation; its s = 1
 * limit (r+x)(beta+T)/(alpha+T) log((beta+T+t)/(beta+T)) P(alive) is reached continuously). NaN for
 * bad parameters or t < 0. */
double rt_pnbd_expected(const double par[4], double x, double t_x, double T, double t);

#endif
