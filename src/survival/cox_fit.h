/* cox_fit.h - the Cox partial-likelihood fit on a covariate matrix: Newton-Raphson with R's
 * step halving, Efron or Breslow ties, strata, the score, Wald and likelihood-ratio
 * statistics, the robust (sandwich) variance and the concordance of the linear predictor.
 * It takes plain arrays (cox_design.c makes them) and returns numbers; cox.c makes the result.
 * SPDX-License-Identifier: MIT */
#ifndef RT_COX_FIT_H
#define RT_COX_FIT_H

#include "retain.h"
#include "survival/concordance.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rt_cox_fit_in {
    size_t n, p;
    const double *x; /* n * p, row-major */
    const double *time;
    const unsigned char *event;
    const uint32_t *stratum; /* stratum codes below nstrata, or NULL for one stratum */
    size_t nstrata;
    const char *const *name; /* p column names, for messages */
    int efron;               /* 1 = Efron's approximation for ties, 0 = Breslow's */
    int robust;              /* 1 = also the robust variance and score test */
    int max_iter;            /* >= 1 */
    double eps;              /* convergence: |1 - loglik_old / loglik_new| <= eps */
    int threads;             /* >= 1 */
} rt_cox_fit_in;

typedef struct rt_cox_fit {
    size_t p, events;
    double *beta;           /* p coefficients */
    double *var;            /* p * p: inverse of the information at beta */
    double *rvar;           /* p * p robust (sandwich) variance, or NULL */
    double loglik0, loglik; /* at beta = 0 and at beta */
    double score;           /* score test at beta = 0 (df p) */
    double wald;            /* beta' var^-1 beta (the robust variance when robust) */
    double rscore;          /* robust score test at beta = 0, or NaN */
    int iter;
    rt_concordance conc;
} rt_cox_fit;

/* Fit the model. On success 'out' owns its arrays (rt_cox_fit_free). Errors: RT_ENOCONV (no
 * convergence in max_iter iterations; a singular design or information, naming the columns;
 * a coefficient that may be infinite, as R warns "Loglik converged before variable"),
 * RT_EDOMAIN (no events), RT_ENOMEM. */
rt_status rt_cox_fit_run(const rt_cox_fit_in *in, rt_cox_fit *out, rt_error *err);

void rt_cox_fit_free(rt_cox_fit *f);

#endif
