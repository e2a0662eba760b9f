/* gammagamma.c - Gamma-Gamma spend model: log-likelihood of the mean repeat spend, analytic
 * gradient, ML fit on (x, mbar, count) rows, conditional expected spend and the x-mbar
 * correlation. Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4); Fader & Hardie (2013),
 * "The Gamma-Gamma Model of Monetary Value". Reference: CDNOW, p = 6.25, q = 3.74,
 * gamma = 15.44 on 946 customers with x > 0 (tests/unit/test_gammagamma.c).
 * SPDX-License-Identifier: MIT */
#include "models/gammagamma.h"

#include "core/error.h"
#include "models/optim.h"
#include "core/ksum.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

/* ---- likelihood ---- */

/* One row's log-likelihood at (p, q, gamma), x > 0, mbar > 0; with 'g' non-NULL also its
 * gradient w.r.t. the natural parameters. Fader & Hardie (2013), marginal density of mbar:
 *   f(mbar | x) = G(px + q) / (G(px) G(q)) gamma^q mbar^(px-1) x^px / (gamma + mbar x)^(px+q)
 * written with s = mbar x as
 *   l = lgG(px+q) - lgG(px) - lgG(q) - log(mbar) - px log1p(gamma / s) - q log1p(s / gamma),
 * so that no large logs cancel (px log(s) - (px+q) log(gamma + s) + q log(gamma)). */
static double row_ll(const double par[3], double x, double mbar, double g[3])
{
    double p = par[0], q = par[1], gam = par[2];
    double px = p * x, s = mbar * x;
    double lg_s = log1p(gam / s), ls_g = log1p(s / gam);
    double ll = rt_lgamma(px + q) - rt_lgamma(px) - rt_lgamma(q) - log(mbar) - px * lg_s - q * ls_g;
    if (g) {
        double dpq = rt_digamma(px + q);
        g[0] = x * (dpq - rt_digamma(px) - lg_s);
        g[1] = dpq - rt_digamma(q) - ls_g;
        g[2] = q / gam - (px + q) / (gam + s);
    }
    return ll;
}

double rt_gg_loglik(const double par[3], const double *x, const double *mbar, const double *w,
                    size_t n)
{
    rt_ksum sum = {0, 0};
    for (int j = 0; j < 3; j++)
        if (!(par[j] > 0.0) || !isfinite(par[j]))
            return (double)NAN;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi != 0.0 && x[i] != 0.0)
            rt_ksum_add(&sum, wi * row_ll(par, x[i], mbar[i], NULL));
    }
    return rt_ksum_value(&sum);
}

double rt_gg_loglik_grad(const double lpar[3], const double *x, const double *mbar, const double *w,
                         size_t n, double grad[3])
{
    double p[3], g[3];
    rt_ksum sum = {0, 0}, gs[3] = {{0, 0}, {0, 0}, {0, 0}};
    for (int j = 0; j < 3; j++)
        p[j] = exp(lpar[j]);
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0.0 || x[i] == 0.0)
            continue;
        rt_ksum_add(&sum, wi * row_ll(p, x[i], mbar[i], g));
        for (int j = 0; j < 3; j++)
            rt_ksum_add(&gs[j], wi * g[j]);
    }
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    for (int j = 0; j < 3; j++)
        grad[j] = p[j] * rt_ksum_value(&gs[j]);
    return rt_ksum_value(&sum);
}

/* ---- predictions and diagnostics ---- */

double rt_gg_expected_spend(const double par[3], double x, double mbar)
{
    double p = par[0], q = par[1], gam = par[2];
    if (!(p > 0.0 && gam > 0.0 && q > 1.0) || !isfinite(p) || !isfinite(q) || !isfinite(gam))
        return (double)NAN;
    if (!(x >= 0.0 && mbar >= 0.0) || !isfinite(x) || !isfinite(mbar))
        return (double)NAN;
    return (gam + mbar * x) * p / (p * x + q - 1.0);
}

double rt_gg_correlation(const double *x, const double *mbar, const double *w, size_t n)
{
    double ws = 0.0, mx = 0.0, mm = 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (x[i] > 0.0 && wi > 0.0)
            ws += wi, mx += wi * x[i], mm += wi * mbar[i];
    }
    if (!(ws >= 2.0))
        return (double)NAN;
    mx /= ws;
    mm /= ws;
    /* Second pass on deviations from the means (never E[xy] - E[x]E[y]). */
    rt_ksum sxx = {0, 0}, smm = {0, 0}, sxm = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!(x[i] > 0.0 && wi > 0.0))
            continue;
        double dx = x[i] - mx, dm = mbar[i] - mm;
        rt_ksum_add(&sxx, wi * dx * dx);
        rt_ksum_add(&smm, wi * dm * dm);
        rt_ksum_add(&sxm, wi * dx * dm);
    }
    double vx = sxx.s + sxx.c, vm = smm.s + smm.c;
    if (!(vx > 0.0 && vm > 0.0))
        return (double)NAN;
    return (sxm.s + sxm.c) / sqrt(vx * vm);
}

/* ---- fit ---- */

typedef struct fit_ctx {
    const double *x, *mbar, *w;
    size_t n;
    double wsum;     /* customers with x > 0 */
    double msum;     /* their total mean spend, for the starting points */
    size_t patterns; /* rows with x > 0 and w > 0 */
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w), so that the tolerance on |grad| does not
 * depend on the number of customers. Log-parameters beyond +-30 are outside the domain: it
 * stops runaway searches on flat likelihoods from overflowing. */
static double objective(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    for (int j = 0; j < 3; j++)
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
    double ll = rt_gg_loglik_grad(theta, c->x, c->mbar, c->w, c->n, grad);
    for (int j = 0; j < 3; j++)
        grad[j] = -grad[j] / c->wsum;
    return -ll / c->wsum;
}

/* Check the rows; fills the sums in 'c'. Rows with x = 0 are skipped whatever their mbar
 * (summaries write 0 there); a row with x > 0 and mbar <= 0 (refunds, free orders) is an
 * error rather than silently dropped, because the gamma spend model cannot describe it. */
static rt_status check_input(fit_ctx *c, rt_error *err)
{
    c->wsum = c->msum = 0.0;
    c->patterns = 0;
    for (size_t i = 0; i < c->n; i++) {
        double x = c->x[i], m = c->mbar[i], w = c->w ? c->w[i] : 1.0;
        if (!(x >= 0.0) || !isfinite(x))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "gg fit: row %zu: x = %g is not >= 0",
                           i + 1, x);
        if (!(w >= 0.0) || !isfinite(w))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "gg fit: row %zu: count = %g is not >= 0",
                           i + 1, w);
        if (x == 0.0)
            continue;
        if (!(m > 0.0) || !isfinite(m))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "gg fit: row %zu: mean spend = %g is not > 0 (x = %g)", i + 1, m, x);
        if (w > 0.0) {
            c->wsum += w;
            c->msum += w * m;
            c->patterns++;
        }
    }
    if (!(c->wsum > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "gg fit: no customers with repeat purchases (x > 0)");
    return RT_OK;
}

rt_status rt_gg_fit(const double *x, const double *mbar, const double *w, size_t n, rt_fit *out,
                    rt_error *err)
{
    fit_ctx c = {x, mbar, w, n, 0.0, 0.0, 0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !mbar || !out || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "gg fit: bad arguments");
    if ((st = check_input(&c, err)) != RT_OK)
        return st;

    /* Starts: all parameters 1 (as lifetimes does), then two points whose population mean
     * p gamma / (q - 1) equals the observed mean spend (gamma is on the money scale). */
    double mmean = c.msum / c.wsum;
    const double starts[3 * 3] = {0,          0,        0,        log(2.0),        log(3.0),
                                  log(mmean), log(5.0), log(5.0), log(mmean * 0.8)};
    st = rt_optim_minimize("gg fit", objective, &c, 3, starts, 3, NULL, &r, err);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, c.patterns, out);
    return RT_OK;
}
