/* logrank.h - the k-sample log-rank test (R's survdiff with rho = 0) over sorted risk sets,
 * for rt_km_run. Internal.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SURVIVAL_LOGRANK_H
#define RT_SURVIVAL_LOGRANK_H

#include "survival/riskset.h"

typedef struct rt_logrank {
    size_t k;      /* groups */
    size_t *n;     /* rows per group */
    double *obs;   /* observed events per group */
    double *expct; /* expected events per group */
    double *var;   /* k x k variance of O - E, row-major */
    double chisq;  /* NaN when the variance matrix is singular */
    int df;        /* groups with expected > 0, minus 1 */
    double p;      /* upper tail of chi-square(df) at chisq */
} rt_logrank;

/* The log-rank test of the groups of 'rs' (built with 'pooled'): at each distinct event time
 * t with d events among n at risk (n_k in group k; with entries, the rows with entry < t <=
 * time), E_k += d n_k / n and V_kl += d (n - d) / (n - 1) (n_k / n) (delta_kl - n_l / n);
 * chisq = (O - E)' V^-1 (O - E) over the groups with E > 0, the first of them left out.
 * Errors: RT_ENOMEM. */
rt_status rt_logrank_run(const rt_riskset *rs, rt_logrank *out, rt_error *err);
void rt_logrank_free(rt_logrank *lr);

#endif
