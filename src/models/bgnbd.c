/* bgnbd.c - BG/NBD and MBG/NBD log-likelihood, analytic gradient and ML fit on compressed
 * (x, t_x, T, count) patterns. BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers
 * the easy way", eq. 6; MBG/NBD: Batislam, Denizel & Filiztekin (2007). Reference: CDNOW,
 * r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4292 (tests/unit/test_bgnbd.c).
 * SPDX-License-Identifier: MIT */
#include "models/bgnbd.h"

#include "core/error.h"
#include "models/optim.h"
#include "core/ksum.h"
#include "models/btyd_data.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

/* ---- helpers ---- */

/* log(1 + e^d) without overflow. */
static double log1pexp(double d)
{
    return d > 0 ? d + log1p(exp(-d)) : log1p(exp(d));
}

/* 1 / (1 + e^-d) without overflow. */
static double sigmoid(double d)
{
    if (d >= 0)
        return 1.0 / (1.0 + exp(-d));
    double e = exp(d);
    return e / (1.0 + e);
}

/* ---- likelihood ---- */

/* One pattern's log-likelihood at (r, alpha, a, b); with 'g' non-NULL also its gradient
 * w.r.t. the natural parameters. With m = 1 for MBG/NBD and 0 for BG/NBD:
 *   l = lgG(r+x) - lgG(r) + r log(alpha) + [lgG(b+x+m) - lgG(a+b+x+m) - lgG(b) + lgG(a+b)]
 *       - (r+x) log(alpha+T) + [x > 0 or m] log(1 + e^D),
 *   D = log(a) - log(b+x+m-1) + (r+x) (log(alpha+T) - log(alpha+t_x)).
 * The bracket is log B(a, b+x+m) / B(a, b); e^D is the ratio of the "alive at T" term to the
 * "dropped out after the last purchase" term of eq. 6, so the two-term sum never overflows. */
static double pattern_ll(const double p[4], double x, double tx, double T, int m, double g[4])
{
    double r = p[0], al = p[1], a = p[2], b = p[3];
    double lat = log(al + T);
    double ll = rt_lgamma(r + x) - rt_lgamma(r) + r * log(al) + rt_lgamma(b + x + m) -
                rt_lgamma(a + b + x + m) - rt_lgamma(b) + rt_lgamma(a + b) - (r + x) * lat;
    double s = 0.0, dlog = 0.0, c = b + x + m - 1.0;
    int two = x > 0 || m;
    if (two) {
        dlog = lat - log(al + tx);
        double d = log(a) - log(c) + (r + x) * dlog;
        ll += log1pexp(d);
        s = sigmoid(d);
    }
    if (g) {
        double dab = rt_digamma(a + b) - rt_digamma(a + b + x + m);
        g[0] = rt_digamma(r + x) - rt_digamma(r) + log(al) - lat + s * dlog;
        g[1] = r / al - (r + x) / (al + T) +
               (two ? s * (r + x) * (1.0 / (al + T) - 1.0 / (al + tx)) : 0.0);
        g[2] = dab + (two ? s / a : 0.0);
        g[3] = dab + rt_digamma(b + x + m) - rt_digamma(b) - (two ? s / c : 0.0);
    }
    return ll;
}

double rt_bgnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                       const double *w, size_t n, int modified)
{
    rt_ksum sum = {0, 0};
    for (int j = 0; j < 4; j++)
        if (!(par[j] > 0.0) || !isfinite(par[j]))
            return (double)NAN;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi != 0.0)
            rt_ksum_add(&sum, wi * pattern_ll(par, x[i], t_x[i], T[i], modified != 0, NULL));
    }
    return rt_ksum_value(&sum);
}

double rt_bgnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                            const double *T, const double *w, size_t n, int modified,
                            double grad[4])
{
    double p[4], g[4];
    rt_ksum sum = {0, 0}, gs[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    for (int j = 0; j < 4; j++)
        p[j] = exp(lpar[j]);
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0.0)
            continue;
        rt_ksum_add(&sum, wi * pattern_ll(p, x[i], t_x[i], T[i], modified != 0, g));
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
    const double *x, *t_x, *T, *w;
    size_t n;
    int modified;
    double wsum;
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w), so that the tolerance on |grad| does not
 * depend on the number of customers. Log-parameters beyond +-30 are outside the domain
 * (e^30 ~ 1e13): it stops runaway searches on flat likelihoods from overflowing. */
static double objective(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    for (int j = 0; j < 4; j++)
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
    double ll = rt_bgnbd_loglik_grad(theta, c->x, c->t_x, c->T, c->w, c->n, c->modified, grad);
    for (int j = 0; j < 4; j++)
        grad[j] = -grad[j] / c->wsum;
    return -ll / c->wsum;
}

rt_status rt_bgnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                       size_t n, int modified, rt_fit *out, rt_error *err)
{
    const char *what = modified ? "mbgnbd fit" : "bgnbd fit";
    fit_ctx c = {x, t_x, T, w, n, modified != 0, 0.0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !t_x || !T || !out || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s: bad arguments", what);
    if ((st = rt_btyd_check(what, x, t_x, T, w, n, &c.wsum, err)) != RT_OK)
        return st;

    /* Starts: all parameters 1 (as lifetimes does), then alpha at the mean T / 10 (alpha is
     * on the time scale of T), then a low-r / high-b corner. */
    double tmean = 0.0;
    for (size_t i = 0; i < n; i++)
        tmean += (w ? w[i] : 1.0) * T[i];
    tmean /= c.wsum;
    double la = log(fmax(tmean / 10.0, 1e-3));
    const double starts[3 * 4] = {0, 0, 0, 0, 0, la, 0, 0, log(0.2), la, log(0.5), log(3.0)};
    st = rt_optim_minimize(what, objective, &c, 4, starts, 3, NULL, &r, err);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, n, out);
    return RT_OK;
}
