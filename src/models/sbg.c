/* sbg.c - shifted beta-geometric (sBG) model: log-likelihood with analytic gradient, ML fit on
 * the survivor counts of one or several cohorts (one shared alpha, beta), survival, retention and
 * DERL. Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1);
 * DERL from Fader & Hardie (2010), "Customer-base valuation in a contractual setting". Reference:
 * FH 2007 Table 1, regular alpha = 0.704, beta = 1.182, LL = -1680.3 (tests/unit/test_sbg.c).
 * SPDX-License-Identifier: MIT */
#include "models/sbg.h"

#include "core/error.h"
#include "core/ksum.h"
#include "models/optim.h"
#include "models/special.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DERL_MAX_TERMS 1000000L
#define DERL_REL_TOL 1e-15

static int good_par(const double par[2])
{
    return par[0] > 0.0 && par[1] > 0.0 && isfinite(par[0]) && isfinite(par[1]);
}

/* ---- likelihood ---- */

/* Log-likelihood at natural 'p' = (alpha, beta); with 'g' non-NULL also its gradient w.r.t.
 * the natural parameters. The FH 2007 likelihood with log P(T = t) and log S(T) as log-Beta ratios,
 * d lB(a, b) / da = psi(a) - psi(a + b). */
static double sbg_ll(const double p[2], const double *alive, size_t len, double g[2])
{
    double a = p[0], b = p[1], lb0 = rt_lbeta(a, b);
    double pab = g ? rt_digamma(a + b) : 0.0, pa = g ? rt_digamma(a) : 0.0,
           pb = g ? rt_digamma(b) : 0.0;
    rt_ksum ll = {0, 0}, ga = {0, 0}, gb = {0, 0};
    size_t T = len - 1;
    for (size_t t = 1; t <= T; t++) {
        double lost = alive[t - 1] - alive[t], tt = (double)t;
        if (lost == 0.0)
            continue;
        /* log P(T = t) = lB(a+1, b+t-1) - lB(a, b) */
        rt_ksum_add(&ll, lost * (rt_lbeta(a + 1.0, b + tt - 1.0) - lb0));
        if (g) {
            double pabt = rt_digamma(a + b + tt);
            rt_ksum_add(&ga, lost * (rt_digamma(a + 1.0) - pabt - pa + pab));
            rt_ksum_add(&gb, lost * (rt_digamma(b + tt - 1.0) - pabt - pb + pab));
        }
    }
    double left = alive[T], tT = (double)T;
    if (left != 0.0) {
        /* log S(T) = lB(a, b+T) - lB(a, b) */
        rt_ksum_add(&ll, left * (rt_lbeta(a, b + tT) - lb0));
        if (g) {
            double pabt = rt_digamma(a + b + tT);
            rt_ksum_add(&ga, left * (pab - pabt));
            rt_ksum_add(&gb, left * (rt_digamma(b + tT) - pabt - pb + pab));
        }
    }
    if (g) {
        g[0] = rt_ksum_value(&ga);
        g[1] = rt_ksum_value(&gb);
    }
    return rt_ksum_value(&ll);
}

double rt_sbg_loglik(const double par[2], const double *alive, size_t len)
{
    if (!good_par(par) || !alive || len < 2)
        return (double)NAN;
    return sbg_ll(par, alive, len, NULL);
}

double rt_sbg_loglik_grad(const double lpar[2], const double *alive, size_t len, double grad[2])
{
    double p[2] = {exp(lpar[0]), exp(lpar[1])}, g[2];
    double ll = sbg_ll(p, alive, len, g);
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    grad[0] = p[0] * g[0];
    grad[1] = p[1] * g[1];
    return ll;
}

/* ---- fit ---- */

typedef struct fit_ctx {
    const double *const *alive;
    const size_t *len;
    size_t ncohorts;
    double n; /* customers at period 0, all cohorts */
} fit_ctx;

/* The optimiser's objective: -loglik / n, the LL summed over the cohorts (per customer, so
 * the |grad| tolerance does not depend on cohort size). Log-parameters beyond +-30 are
 * outside the domain. */
static double objective(const double *theta, double *grad, void *vctx)
{
    const fit_ctx *c = vctx;
    if (!(fabs(theta[0]) <= 30.0 && fabs(theta[1]) <= 30.0))
        return HUGE_VAL;
    double p[2] = {exp(theta[0]), exp(theta[1])};
    rt_ksum ll = {0, 0}, ga = {0, 0}, gb = {0, 0};
    for (size_t k = 0; k < c->ncohorts; k++) {
        double g[2];
        rt_ksum_add(&ll, sbg_ll(p, c->alive[k], c->len[k], g));
        rt_ksum_add(&ga, g[0]);
        rt_ksum_add(&gb, g[1]);
    }
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    grad[0] = -p[0] * rt_ksum_value(&ga) / c->n;
    grad[1] = -p[1] * rt_ksum_value(&gb) / c->n;
    return -rt_ksum_value(&ll) / c->n;
}

/* Check one cohort's counts; 'cohort' is its 1-based number for messages, 0 when the fit has
 * a single cohort (the messages then name no cohort). */
static rt_status check_cohort(const double *alive, size_t len, size_t cohort, rt_error *err)
{
    char where[48] = "";
    if (cohort)
        snprintf(where, sizeof where, "cohort %zu: ", cohort);
    for (size_t t = 0; t < len; t++) {
        if (!(alive[t] >= 0.0) || !isfinite(alive[t]))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "sbg fit: %speriod %zu: active count %g is not >= 0", where, t,
                           alive[t]);
        if (t > 0 && alive[t] > alive[t - 1])
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "sbg fit: %speriod %zu: active count %g exceeds the %g of period %zu",
                           where, t, alive[t], alive[t - 1], t - 1);
    }
    if (!(alive[0] > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "sbg fit: %sno customers at period 0", where);
    return RT_OK;
}

rt_status rt_sbg_fit_cohorts(const double *const *alive, const size_t *len, size_t ncohorts,
                             rt_fit *out, rt_error *err)
{
    fit_ctx c = {alive, len, ncohorts, 0.0};
    rt_optim_result r;
    rt_status st;
    size_t cells = 0, longest = 0;
    int lost = 0;

    if (out)
        memset(out, 0, sizeof *out);
    if (!alive || !len || !out || ncohorts == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "sbg fit: bad arguments");
    for (size_t k = 0; k < ncohorts; k++) {
        if (!alive[k] || len[k] < 2) {
            if (ncohorts == 1)
                return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "sbg fit: bad arguments");
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                           "sbg fit: cohort %zu: bad arguments (%zu periods, need >= 2)", k + 1,
                           alive[k] ? len[k] : 0);
        }
        if ((st = check_cohort(alive[k], len[k], ncohorts > 1 ? k + 1 : 0, err)) != RT_OK)
            return st;
        c.n += alive[k][0];
        cells += len[k];
        lost |= alive[k][len[k] - 1] < alive[k][0];
        if (len[k] > longest)
            longest = len[k];
    }
    if (!lost)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "sbg fit: no customer was lost in %zu periods; the model is not identified",
                       longest - 1);

    /* Starts: alpha = beta = 1 (uniform churn probabilities), then a low-churn and a
     * high-churn corner. */
    const double starts[3 * 2] = {0, 0, log(0.5), log(3.0), log(2.0), log(0.5)};
    st = rt_optim_minimize("sbg fit", objective, &c, 2, starts, 3, NULL, &r, err);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.n, cells, out);
    return RT_OK;
}

rt_status rt_sbg_fit(const double *alive, size_t len, rt_fit *out, rt_error *err)
{
    return rt_sbg_fit_cohorts(&alive, &len, 1, out, err);
}

/* ---- predictions ---- */

double rt_sbg_survival(const double par[2], double t)
{
    if (!good_par(par) || !(t >= 0.0) || !isfinite(t))
        return (double)NAN;
    return exp(rt_lbeta(par[0], par[1] + t) - rt_lbeta(par[0], par[1]));
}

double rt_sbg_retention(const double par[2], double t)
{
    if (!good_par(par) || !(t >= 1.0) || !isfinite(t))
        return (double)NAN;
    return (par[1] + t - 1.0) / (par[0] + par[1] + t - 1.0);
}

/* 2F1(1, b; c; z) for c > b > 0, 0 <= z < 1 by its power series sum_k (b)_k / (c)_k z^k.
 * Successive terms shrink by z (b+k)/(c+k) < z, so the tail after term k is at most
 * term_k z / (1 - z): stop when that bound is below DERL_REL_TOL of the sum. Returns the
 * number of terms used, or -1 after DERL_MAX_TERMS with '*bound' the last tail bound. */
static long hyp2f1_1b(double b, double c, double z, double *out, double *bound)
{
    double term = 1.0, q = z / (1.0 - z);
    rt_ksum s = {0, 0};
    for (long k = 0; k < DERL_MAX_TERMS; k++) {
        rt_ksum_add(&s, term);
        *bound = term * q;
        if (*bound <= DERL_REL_TOL * rt_ksum_value(&s)) {
            *out = rt_ksum_value(&s);
            return k + 1;
        }
        term *= z * (b + (double)k) / (c + (double)k);
    }
    *out = rt_ksum_value(&s);
    return -1;
}

rt_status rt_sbg_derl(const double par[2], double n, double d, double *out, rt_error *err)
{
    if (out)
        *out = 0.0;
    if (!par || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "sbg derl: bad arguments");
    if (!good_par(par))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "sbg derl: alpha = %g, beta = %g must be > 0",
                       par[0], par[1]);
    if (!(n >= 0.0) || !isfinite(n))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "sbg derl: renewals n = %g is not >= 0", n);
    if (!(d > 0.0) || !isfinite(d))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "sbg derl: discount rate d = %g is not > 0", d);
    double a = par[0], b = par[1], f, bound;
    long terms = hyp2f1_1b(b + n + 1.0, a + b + n + 1.0, 1.0 / (1.0 + d), &f, &bound);
    if (terms < 0)
        return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                       "sbg derl: 2F1 series not converged after %ld terms (tail bound %.1e, "
                       "sum %.6g, d = %g)",
                       DERL_MAX_TERMS, bound, f, d);
    *out = (b + n) / (a + b + n) * f;
    return RT_OK;
}
