/* bgbb.c - BG/BB log-likelihood, analytic gradient and ML fit on compressed (x, t_x, n, count)
 * patterns. Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
 * noncontractual setting", Marketing Science 29(6), the individual likelihood. Reference: the 1995
 * donor cohort, alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783 (tests/unit/test_bgbb.c).
 * SPDX-License-Identifier: MIT */
#include "models/bgbb.h"

#include "core/error.h"
#include "core/ksum.h"
#include "models/optim.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

#define BGBB_MAX_N 1e6 /* opportunities per customer; bounds the per-pattern loop */

/* ---- likelihood ---- */

/* A running log-sum-exp of terms e^l with, per term, the derivative of l w.r.t. the four
 * parameters: keeps max m, s = sum e^(l - m) and gs = sum e^(l - m) dl, rescaling both when
 * a larger l arrives. At the end log L = m + log s and d log L = gs / s. */
typedef struct lse {
    double m, s, gs[4];
} lse;

static void lse_add(lse *e, double l, const double dl[4])
{
    if (l > e->m) {
        double f = exp(e->m - l); /* 0 for the first term, when m = -inf */
        e->s *= f;
        for (int j = 0; j < 4; j++)
            e->gs[j] *= f;
        e->m = l;
    }
    double wt = exp(l - e->m);
    e->s += wt;
    if (dl)
        for (int j = 0; j < 4; j++)
            e->gs[j] += wt * dl[j];
}

/* One pattern's log-likelihood at 'p' = (alpha, beta, gamma, delta); with 'g' non-NULL also
 * its gradient w.r.t. the natural parameters. Each term of the likelihood is
 *   lB(a+x, b+m-x) + lB(g+e, d+m) - lB(a,b) - lB(g,d),
 * with (m, e) = (n, 0) for "alive through n" and (t_x+i, 1) for "died after t_x+i". */
static double pattern_ll(const double p[4], double x, double tx, double n, double g[4])
{
    double a = p[0], b = p[1], ga = p[2], de = p[3];
    lse e = {-HUGE_VAL, 0.0, {0, 0, 0, 0}};
    double dl[4], pax = 0, pab = 0, pgd = 0, pg = 0, pg1 = 0;
    if (g) {
        pax = rt_digamma(a + x);
        pab = rt_digamma(a + b);
        pgd = rt_digamma(ga + de);
        pg = rt_digamma(ga);
        pg1 = rt_digamma(ga + 1.0);
    }
    long nterms = (long)(n - tx);
    for (long i = -1; i < nterms; i++) {
        double m = i < 0 ? n : tx + (double)i, ex = i < 0 ? 0.0 : 1.0;
        double l = rt_lbeta(a + x, b + m - x) + rt_lbeta(ga + ex, de + m);
        if (g) {
            double pabm = rt_digamma(a + b + m), pgdm = rt_digamma(ga + de + ex + m);
            dl[0] = pax - pabm;
            dl[1] = rt_digamma(b + m - x) - pabm;
            dl[2] = (i < 0 ? pg : pg1) - pgdm;
            dl[3] = rt_digamma(de + m) - pgdm;
        }
        lse_add(&e, l, g ? dl : NULL);
    }
    if (g) {
        g[0] = e.gs[0] / e.s - (rt_digamma(a) - pab);
        g[1] = e.gs[1] / e.s - (rt_digamma(b) - pab);
        g[2] = e.gs[2] / e.s - (pg - pgd);
        g[3] = e.gs[3] / e.s - (rt_digamma(de) - pgd);
    }
    return e.m + log(e.s) - rt_lbeta(a, b) - rt_lbeta(ga, de);
}

double rt_bgbb_loglik(const double par[4], const double *x, const double *t_x, const double *n,
                      const double *w, size_t npat)
{
    rt_ksum sum = {0, 0};
    for (int j = 0; j < 4; j++)
        if (!(par[j] > 0.0) || !isfinite(par[j]))
            return (double)NAN;
    for (size_t i = 0; i < npat; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi != 0.0)
            rt_ksum_add(&sum, wi * pattern_ll(par, x[i], t_x[i], n[i], NULL));
    }
    return rt_ksum_value(&sum);
}

double rt_bgbb_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                           const double *n, const double *w, size_t npat, double grad[4])
{
    double p[4], g[4];
    rt_ksum sum = {0, 0}, gs[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    for (int j = 0; j < 4; j++)
        p[j] = exp(lpar[j]);
    for (size_t i = 0; i < npat; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0.0)
            continue;
        rt_ksum_add(&sum, wi * pattern_ll(p, x[i], t_x[i], n[i], g));
        for (int j = 0; j < 4; j++)
            rt_ksum_add(&gs[j], wi * g[j]);
    }
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    for (int j = 0; j < 4; j++)
        grad[j] = p[j] * rt_ksum_value(&gs[j]);
    return rt_ksum_value(&sum);
}

/* ---- fit ---- */

typedef struct fit_ctx {
    const double *x, *t_x, *n, *w;
    size_t npat;
    double wsum;
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w). Log-parameters beyond +-30 are outside the
 * domain, which stops runaway searches on flat likelihoods. */
static double objective(const double *theta, double *grad, void *vctx)
{
    const fit_ctx *c = vctx;
    for (int j = 0; j < 4; j++)
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
    double ll = rt_bgbb_loglik_grad(theta, c->x, c->t_x, c->n, c->w, c->npat, grad);
    for (int j = 0; j < 4; j++)
        grad[j] = -grad[j] / c->wsum;
    return -ll / c->wsum;
}

static int is_count(double v)
{
    return v >= 0.0 && v <= BGBB_MAX_N && v == floor(v);
}

/* Check the patterns; fills 'c->wsum'. */
static rt_status check_input(fit_ctx *c, rt_error *err)
{
    double xsum = 0.0;
    c->wsum = 0.0;
    for (size_t i = 0; i < c->npat; i++) {
        double x = c->x[i], tx = c->t_x[i], n = c->n[i], w = c->w ? c->w[i] : 1.0;
        if (!is_count(n) || n < 1.0)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: pattern %zu: n = %g is not an integer in [1, %g]", i + 1, n,
                           BGBB_MAX_N);
        if (!is_count(x) || !is_count(tx) || x > tx || tx > n)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: pattern %zu: need integers 0 <= x <= t_x <= n, got x = "
                           "%g, t_x = %g, n = %g",
                           i + 1, x, tx, n);
        if (x == 0.0 && tx != 0.0)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: pattern %zu: x = 0 but t_x = %g (must be 0)", i + 1, tx);
        if (!(w >= 0.0) || !isfinite(w))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: pattern %zu: count = %g is not >= 0", i + 1, w);
        c->wsum += w;
        xsum += w * x;
    }
    if (!(c->wsum > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "bgbb fit: no customers");
    if (!(xsum > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "bgbb fit: no transactions in %.0f customers; the model is not identified",
                       c->wsum);
    return RT_OK;
}

rt_status rt_bgbb_fit(const double *x, const double *t_x, const double *n, const double *w,
                      size_t npat, rt_fit *out, rt_error *err)
{
    fit_ctx c = {x, t_x, n, w, npat, 0.0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !t_x || !n || !out || npat == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "bgbb fit: bad arguments");
    if ((st = check_input(&c, err)) != RT_OK)
        return st;

    /* Starts: all parameters 1 (uniform p and theta), then a low-churn and a high-churn
     * corner. */
    const double starts[3 * 4] = {0,        0,        0,        0, log(0.5), log(0.5),
                                  log(0.5), log(3.0), log(2.0), 0, 0,        log(0.3)};
    st = rt_optim_minimize("bgbb fit", objective, &c, 4, starts, 3, NULL, &r, err);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, npat, out);
    return RT_OK;
}
