/* pnbd.c - Pareto/NBD log-likelihood, ML fit on compressed (x, t_x, T, count) patterns,
 * P(alive) and conditional expectations. Schmittlein, Morrison & Colombo (1987); formulas
 * from Fader, Hardie & Lee's note "A note on deriving the Pareto/NBD model and related
 * expressions" (2005). Reference: CDNOW, r = 0.553, alpha = 10.578, s = 0.606,
 * beta = 11.669, LL = -9595.0 (tests/unit/test_pnbd.c). The gradient is numerical.
 * SPDX-License-Identifier: MIT */
#include "models/pnbd.h"

#include "core/error.h"
#include "models/optim.h"
#include "models/btyd_data.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

/* log(e^u + e^v), either may be -inf. */
static double logaddexp(double u, double v)
{
    double m = fmax(u, v);
    if (m == -HUGE_VAL)
        return m;
    return m + log1p(exp(-fabs(u - v)));
}

/* Neumaier-compensated running sum. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double v)
{
    double t = k->s + v;
    if (fabs(k->s) >= fabs(v))
        k->c += (k->s - t) + v;
    else
        k->c += (v - t) + k->s;
    k->s = t;
}

/* ---- likelihood ---- */

/* The parts of one pattern's likelihood, all logs:
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r) [ e^l1 + s / (r+s+x) A_0 ],
 *   l1 = -(r+x) log(alpha+T) - s log(beta+T)          (alive at T),
 *   A_0 = F(t_x) - F(T), with, for alpha >= beta,
 *     F(t) = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t)) / (alpha+t)^(r+s+x),
 *   and for alpha < beta
 *     F(t) = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t)) / (beta+t)^(r+s+x).
 * s / (r+s+x) A_0 is the integral over the death time in (t_x, T]; F is decreasing in t, so
 * A_0 >= 0, and A_0 = 0 at t_x = T. Writes log of the prefactor to '*pre', l1 to '*l1' and
 * log(s / (r+s+x) A_0) to '*l2' (-inf when A_0 = 0). */
static void pattern_parts(const double p[4], double x, double tx, double T, double *pre, double *l1,
                          double *l2)
{
    double r = p[0], al = p[1], s = p[2], be = p[3];
    double a = r + s + x, m, b, d;
    if (al >= be)
        m = al, b = s + 1.0, d = al - be;
    else
        m = be, b = r + x, d = be - al;
    double f1 = rt_log_hyp2f1_a1(a, b, d / (m + tx)) - a * log(m + tx);
    double f2 = rt_log_hyp2f1_a1(a, b, d / (m + T)) - a * log(m + T);
    *pre = rt_lgamma(r + x) - rt_lgamma(r) + r * log(al) + s * log(be);
    *l1 = -(r + x) * log(al + T) - s * log(be + T);
    /* log(F(t_x) - F(T)); rounding can make f2 >= f1 when t_x is within ~1e-13 of T. */
    *l2 = f1 > f2 ? log(s / a) + f1 + log(-expm1(f2 - f1)) : -HUGE_VAL;
    if (isnan(f1) || isnan(f2))
        *l2 = (double)NAN;
}

static int bad_par(const double par[4])
{
    for (int j = 0; j < 4; j++)
        if (!(par[j] > 0.0) || !isfinite(par[j]))
            return 1;
    return 0;
}

double rt_pnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                      const double *w, size_t n)
{
    ksum sum = {0, 0};
    if (bad_par(par))
        return (double)NAN;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, pre, l1, l2;
        if (wi == 0.0)
            continue;
        pattern_parts(par, x[i], t_x[i], T[i], &pre, &l1, &l2);
        ksum_add(&sum, wi * (pre + logaddexp(l1, l2)));
    }
    return sum.s + sum.c;
}

/* Log-likelihood at log-parameters 'lp'. */
static double loglik_log(const double lp[4], const double *x, const double *t_x, const double *T,
                         const double *w, size_t n)
{
    double p[4];
    for (int j = 0; j < 4; j++)
        p[j] = exp(lp[j]);
    return rt_pnbd_loglik(p, x, t_x, T, w, n);
}

double rt_pnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                           const double *T, const double *w, size_t n, double grad[4])
{
    /* Five-point stencil f' = (-f(+2h) + 8 f(+h) - 8 f(-h) + f(-2h)) / 12h: error
     * h^4 f^(5) / 30 + ~eps |f| / h, both ~1e-13 |f| at h = 1e-3 on the log scale. */
    const double h = 1e-3, off[4] = {2.0, 1.0, -1.0, -2.0}, wt[4] = {-1.0, 8.0, -8.0, 1.0};
    double ll = loglik_log(lpar, x, t_x, T, w, n);
    for (int j = 0; j < 4; j++) {
        double q[4] = {lpar[0], lpar[1], lpar[2], lpar[3]}, g = 0.0;
        for (int k = 0; k < 4; k++) {
            q[j] = lpar[j] + off[k] * h;
            g += wt[k] * loglik_log(q, x, t_x, T, w, n);
        }
        grad[j] = g / (12.0 * h);
    }
    return ll;
}

double rt_pnbd_palive(const double par[4], double x, double t_x, double T)
{
    double pre, l1, l2;
    if (bad_par(par))
        return (double)NAN;
    pattern_parts(par, x, t_x, T, &pre, &l1, &l2);
    /* e^l1 / (e^l1 + e^l2) = 1 / (1 + e^(l2 - l1)) */
    double d = l2 - l1;
    if (d == -HUGE_VAL)
        return 1.0;
    return d > 0 ? exp(-d) / (1.0 + exp(-d)) : 1.0 / (1.0 + exp(d));
}

double rt_pnbd_expected(const double par[4], double x, double t_x, double T, double t)
{
    if (bad_par(par) || !(t >= 0.0))
        return (double)NAN;
    double r = par[0], al = par[1], s = par[2], be = par[3];
    /* (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive); with
     * L = log((beta+T)/(beta+T+t)) <= 0 the bracket over (s-1) is -expm1((s-1) L) / (s-1),
     * which tends to -L as s -> 1. */
    double L = -log1p(t / (be + T)), sm1 = s - 1.0;
    double k = fabs(sm1) < 1e-10 ? -L : -expm1(sm1 * L) / sm1;
    return (r + x) * (be + T) / (al + T) * k * rt_pnbd_palive(par, x, t_x, T);
}

/* ---- fit ---- */

typedef struct fit_ctx {
    const double *x, *t_x, *T, *w;
    size_t n;
    double wsum;
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w). Log-parameters beyond +-30 are outside the
 * domain, so that runaway searches on flat likelihoods do not overflow. */
static double objective(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    for (int j = 0; j < 4; j++)
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
    double ll = rt_pnbd_loglik_grad(theta, c->x, c->t_x, c->T, c->w, c->n, grad);
    for (int j = 0; j < 4; j++)
        grad[j] = -grad[j] / c->wsum;
    return isnan(ll) ? HUGE_VAL : -ll / c->wsum;
}

rt_status rt_pnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                      size_t n, rt_fit *out, rt_error *err)
{
    const char *what = "pnbd fit";
    fit_ctx c = {x, t_x, T, w, n, 0.0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !t_x || !T || !out || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s: bad arguments", what);
    if ((st = rt_btyd_check(what, x, t_x, T, w, n, &c.wsum, err)) != RT_OK)
        return st;

    /* Starts: all parameters 1 (as BTYD does), then alpha and beta at the mean T / 10 (both
     * are on the time scale of T), then low shapes with those scales. */
    double tmean = 0.0;
    for (size_t i = 0; i < n; i++)
        tmean += (w ? w[i] : 1.0) * T[i];
    tmean /= c.wsum;
    double la = log(fmax(tmean / 10.0, 1e-3)), lh = log(0.5);
    const double starts[3 * 4] = {0, 0, 0, 0, 0, la, 0, la, lh, la, lh, la};
    st = rt_optim_minimize(what, objective, &c, 4, starts, 3, NULL, &r, err);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, n, out);
    return RT_OK;
}
