/* bgnbd.h - BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin
 * 2007) maximum-likelihood fits on compressed sufficient statistics (x, t_x, T, count).
 * Internal for now; the public API and the `fit` command come later.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BGNBD_H
#define RT_BGNBD_H

#include "models/optim.h"
#include "models/patsum.h"
#include "retain.h"

#include <stddef.h>

/* Log-likelihood of BG/NBD ('modified' = 0; FHL 2005 eq. 6) or MBG/NBD ('modified' = 1) at
 * natural parameters 'par' = (r, alpha, a, b), summed over n patterns weighted by 'w' (NULL
 * = all 1). Returns NaN for parameters <= 0; no input checks (rt_bgnbd_fit does them). */
double rt_bgnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                       const double *w, size_t n, int modified);

/* The same log-likelihood at log-parameters 'lpar' = log(r, alpha, a, b), with its analytic
 * gradient w.r.t. 'lpar' written to 'grad'. */
double rt_bgnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                            const double *T, const double *w, size_t n, int modified,
                            double grad[4]);

/* The same log-likelihood at natural parameters 'par' over the patterns of 'ps' (indexed or
 * plain, see patsum.h), summed in parallel blocks: the result does not depend on the thread
 * count, and is the same with or without the index. With 'grad' non-NULL also the gradient
 * w.r.t. the natural parameters (NaN with the value for parameters <= 0). */
double rt_bgnbd_loglik_ps(const rt_patsum *ps, const double par[4], int modified, double grad[4]);

/* Fit BG/NBD or MBG/NBD by maximum likelihood on n patterns (x repeat purchases, t_x
 * recency, T age, w customers with that pattern; w may be NULL = 1 each) from several
 * starting points. On success '*out' holds the fit. Errors: RT_EMISUSE (NULL arrays, n = 0),
 * RT_EDOMAIN (x < 0, t_x outside [0, T], t_x != 0 with x = 0, T <= 0, w < 0, no customers,
 * or no repeat purchases at all), RT_ENOCONV (no convergence or a flat likelihood, with the
 * numbers). '*out' is zeroed on failure. */
rt_status rt_bgnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                       size_t n, int modified, rt_fit *out, rt_error *err);

#endif
