/* sbg.h - shifted beta-geometric (sBG) model for contractual renewals (Fader & Hardie 2007,
 * "How to project customer retention"): ML fit on one cohort's survivor counts, survival,
 * retention and the discounted expected residual lifetime (DERL, Fader & Hardie 2010); several
 * cohorts can share one fit (rt_sbg_fit_cohorts). Internal: the public API is rt_model_fit_sbg
 * (src/models/model.c).
 * SPDX-License-Identifier: MIT */
#ifndef RT_SBG_H
#define RT_SBG_H

#include "models/bgnbd.h" /* rt_fit */
#include "retain.h"

#include <stddef.h>

/* Log-likelihood of sBG at natural parameters 'par' = (alpha, beta) for one cohort:
 * 'alive'[t] customers still active at the start of period t, t = 0..len-1 (len >= 2):
 *   LL = sum_{t=1}^{T} (alive[t-1] - alive[t]) log P(T = t) + alive[T] log S(T), T = len-1,
 * with P(T = t) = B(alpha+1, beta+t-1) / B(alpha, beta), S(t) = B(alpha, beta+t) / B(alpha,
 * beta). Returns NaN for parameters <= 0; no input checks (rt_sbg_fit does them). */
double rt_sbg_loglik(const double par[2], const double *alive, size_t len);

/* The same at log-parameters 'lpar' = log(alpha, beta), with the analytic gradient w.r.t.
 * 'lpar' written to 'grad'. */
double rt_sbg_loglik_grad(const double lpar[2], const double *alive, size_t len, double grad[2]);

/* Fit sBG by maximum likelihood on one cohort's survivor counts 'alive'[0..len-1] (need not
 * be integers). On success '*out' holds the fit: par/se = (alpha, beta), n = alive[0],
 * patterns = len. Errors: RT_EMISUSE (NULL, len < 2), RT_EDOMAIN (a count negative or not
 * finite, alive[0] = 0, counts that increase, or nobody lost), RT_ENOCONV (no convergence or
 * a flat likelihood, e.g. len = 2, with the numbers). '*out' is zeroed on failure. */
rt_status rt_sbg_fit(const double *alive, size_t len, rt_fit *out, rt_error *err);

/* Fit one sBG (alpha, beta) shared by 'ncohorts' cohorts: cohort k has 'alive'[k][t]
 * customers active at the start of period t = 0..len[k]-1 (len[k] >= 2; cohorts may be
 * observed for different numbers of periods). The log-likelihood is the sum of the cohorts'
 * (rt_sbg_loglik), with its analytic gradient. On success '*out' holds the fit: n = the sum
 * of the alive[k][0], patterns = the number of (cohort, period) cells, sum of len[k].
 * rt_sbg_fit is the one-cohort case. Errors: RT_EMISUSE (NULL, ncohorts = 0, a cohort with
 * len < 2), RT_EDOMAIN (a count negative or not finite, a cohort with alive[0] = 0, counts
 * that increase: the message names the cohort, 1-based, when there are several; nobody lost
 * in any cohort), RT_ENOCONV (no convergence or a flat likelihood). '*out' is zeroed on
 * failure. */
rt_status rt_sbg_fit_cohorts(const double *const *alive, const size_t *len, size_t ncohorts,
                             rt_fit *out, rt_error *err);

/* Survival S(t) = B(alpha, beta+t) / B(alpha, beta): the share of a cohort still active at
 * the start of period t >= 0 ('par' = (alpha, beta)). NaN for bad arguments. */
double rt_sbg_survival(const double par[2], double t);

/* Retention rate r_t = S(t) / S(t-1) = (beta+t-1) / (alpha+beta+t-1), t >= 1. NaN for bad
 * arguments. */
double rt_sbg_retention(const double par[2], double t);

/* Discounted expected residual lifetime of a customer who has made 'n' >= 0 renewals, at
 * discount rate 'd' > 0 per period (Fader & Hardie 2010):
 *   DERL = (beta+n)/(alpha+beta+n) 2F1(1, beta+n+1; alpha+beta+n+1; 1/(1+d)),
 * i.e. sum_{t>=0} S(n+t+1) / S(n) / (1+d)^t. The 2F1 is summed as its power series with a
 * rigorous tail bound (z = 1/(1+d) < 1). RT_EDOMAIN for bad 'par', 'n' or 'd'; RT_ENOCONV
 * (with the numbers) when the series has not met its tolerance after 1e6 terms, which
 * happens only for a tiny d (about 1e-5 or less). '*out' is 0 on failure. */
rt_status rt_sbg_derl(const double par[2], double n, double d, double *out, rt_error *err);

#endif
