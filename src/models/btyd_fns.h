/* btyd_fns.h - the prediction formulas of each transaction model behind one table of function
 * pointers, so predict.c and validate.c treat BG/NBD, MBG/NBD, Pareto/NBD and BG/BB alike.
 * Internal to src/models.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BTYD_FNS_H
#define RT_BTYD_FNS_H

#include "retain.h"

typedef struct rt_btyd_fns {
    /* P(alive at T | x, t_x, T) */
    double (*palive)(const double *par, double x, double t_x, double T);
    /* E[Y(t) | x, t_x, T]: purchases in (T, T + t] */
    double (*expected)(const double *par, double x, double t_x, double T, double t);
    /* P(Y(t) = k | x, t_x, T) */
    double (*pmf)(const double *par, double x, double t_x, double T, double t, int k);
    /* E[X(t)] and P(X(t) = k) for a customer who made a first purchase at 0 */
    double (*expected_new)(const double *par, double t);
    double (*pmf_new)(const double *par, double t, int k);
    /* Discounted expected residual transactions (closed form, infinite horizon), or NULL:
     * Pareto/NBD takes a continuous rate per unit, BG/BB a rate per opportunity. */
    double (*dert)(const double *par, double x, double t_x, double T, double rate);
    int discrete; /* 1 = time counts opportunities (BG/BB) */
} rt_btyd_fns;

/* The formulas of a transaction model (bgnbd, mbgnbd, pnbd, bgbb), NULL for sbg and gg. */
const rt_btyd_fns *rt_btyd_fns_get(rt_model_kind kind);

/* Expected cumulative repeat transactions of a whole cohort with staggered first purchases:
 * cum[p - 1] for p = 1..periods is the sum over groups g of count[g] E[X(p - start[g])]
 * (0 where p <= start[g]), 'start' being each group's first purchase in units after the
 * origin. NaN entries when a formula fails. */
void rt_btyd_tracking(const rt_btyd_fns *f, const double *par, const double *start,
                      const double *count, size_t groups, size_t periods, double *cum);

/* Group the rows of 'c' (which must have first_day, n > 0) by first purchase day: '*origin' =
 * the earliest day; 'start'[g] = (day - origin) / unit and 'count'[g] = customers (weights
 * summed) of each day with customers, in day order; '*groups' of them. The caller frees
 * '*start' and '*count' with rt_mem_free(NULL, ...). Errors: RT_ENOMEM. */
rt_status rt_btyd_first_day_groups(const rt_cbs *c, double unit, int32_t *origin, double **start,
                                   double **count, size_t *groups, rt_error *err);

/* Check that every row of 'c' is a summary the formulas take: finite, 0 <= t_x <= T, t_x = 0
 * when x = 0, T > 0 (or T = 0 with x = 0 for continuous time); for discrete models ('discrete'
 * = 1) whole numbers with x <= t_x. RT_EDOMAIN names the first bad row, prefixed by 'what'. */
rt_status rt_btyd_check_rows(const char *what, const rt_cbs *c, int discrete, rt_error *err);

#endif
