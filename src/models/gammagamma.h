/* gammagamma.h - Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader &
 * Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): ML fit of (p, q, gamma) on the
 * mean repeat-purchase spend mbar of customers with x > 0, conditional expected spend, and the
 * frequency-spend correlation the model assumes away. Internal for now.
 * SPDX-License-Identifier: MIT */
#ifndef RT_GAMMAGAMMA_H
#define RT_GAMMAGAMMA_H

#include "models/bgnbd.h" /* rt_fit */
#include "retain.h"

#include <stddef.h>

/* Rows with x = 0 carry no spend information (mbar is conventionally 0 there) and are left out
 * of every function below; a whole customer summary can be passed as is. Rows with x > 0
 * must have mbar > 0: the fit rejects them otherwise (RT_EDOMAIN). */

/* Log-likelihood of the Gamma-Gamma model at natural parameters 'par' = (p, q, gamma): the
 * sum over rows with x > 0 of w times log f(mbar | p, q, gamma, x), the density of the mean of
 * x gamma(p, nu) spends with nu ~ gamma(q, gamma) (Fader & Hardie 2013). 'w' may be
 * NULL (all 1). Returns NaN for parameters <= 0; no input checks (rt_gg_fit does them). */
double rt_gg_loglik(const double par[3], const double *x, const double *mbar, const double *w,
                    size_t n);

/* The same log-likelihood at log-parameters 'lpar' = log(p, q, gamma), with its analytic
 * gradient w.r.t. 'lpar' written to 'grad'. */
double rt_gg_loglik_grad(const double lpar[3], const double *x, const double *mbar, const double *w,
                         size_t n, double grad[3]);

/* Fit (p, q, gamma) by maximum likelihood on n rows (x repeat purchases, mbar their mean value,
 * w customers with that pair; w may be NULL = 1 each; rows with x = 0 are skipped). On
 * success '*out' holds the fit: par/se = (p, q, gamma), se by the delta method from the log
 * scale, n = customers with x > 0, patterns = rows with x > 0 and w > 0. Errors: RT_EMISUSE
 * (NULL arrays or out, n = 0), RT_EDOMAIN (x < 0 or not finite, mbar <= 0 or not finite where
 * x > 0, w < 0 or not finite, no customer with x > 0), RT_ENOCONV (no convergence or a flat
 * likelihood, with the numbers). '*out' is zeroed on failure. */
rt_status rt_gg_fit(const double *x, const double *mbar, const double *w, size_t n, rt_fit *out,
                    rt_error *err);

/* E[M | x, mbar] = (gamma + mbar x) p / (p x + q - 1) (Fader & Hardie 2013; FHL 2005): the
 * expected mean spend per future transaction of a customer with x repeat purchases of mean
 * value mbar. With x = 0 it is the population mean p gamma / (q - 1). NaN when q <= 1 (the
 * mean does not exist), for parameters <= 0, x < 0 or mbar < 0. */
double rt_gg_expected_spend(const double par[3], double x, double mbar);

/* Weighted Pearson correlation between x and mbar over rows with x > 0 (w = customers, NULL =
 * 1 each; two-pass). The model assumes spend independent of frequency; a value far from 0
 * says it does not fit. NaN with fewer than two such customers or a constant x or mbar. */
double rt_gg_correlation(const double *x, const double *mbar, const double *w, size_t n);

#endif
