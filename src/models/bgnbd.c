/* bgnbd.c - BG/NBD and MBG/NBD log-likelihood, analytic gradient and ML fit on compressed
 * (x, t_x, T, count) patterns. BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers
 * the easy way", eq. 6; MBG/NBD: Batislam, Denizel & Filiztekin (2007). Reference: CDNOW,
 * r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4292 (tests/unit/test_bgnbd.c).
 * SPDX-License-Identifier: MIT */
#include "models/bgnbd.h"

#include "core/error.h"
#include "core/ksum.h"
#include "models/btyd_data.h"
#include "models/optim.h"
#include "models/patsum.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

/* ---- helpers ---- */

/* log(1 + e^d) into '*l' and 1 / (1 + e^-d) into '*sg' with one exp and one log, without
 * overflow. log(1 + e), e = e^-|d| in (0, 1], is taken as log(u), u = 1 + e rounded: its
 * absolute error, ~1e-16, is below the rounding of the other terms of the log-likelihood,
 * and log is much cheaper than log1p. */
static void log1pexp_sigmoid(double d, double *l, double *sg)
{
    double e = exp(-fabs(d)), u = 1.0 + e, iu = 1.0 / u; /* e in (0, 1] */
    *l = (d > 0 ? d : 0.0) + log(u);
    *sg = d >= 0 ? iu : e * iu;
}

/* ---- likelihood ---- */

/* One evaluation: the parameters, what depends on them alone, and the tables.
 * Per pattern, with m = 1 for MBG/NBD and 0 for BG/NBD (FHL 2005 eq. 6):
 *   l = lgG(r+x) - lgG(r) + r log(alpha) + [lgG(b+x+m) - lgG(a+b+x+m) - lgG(b) + lgG(a+b)]
 *       - (r+x) log(alpha+T) + [x > 0 or m] log(1 + e^D),
 *   D = log(a) - log(b+x+m-1) + (r+x) (log(alpha+T) - log(alpha+t_x)).
 * The bracket is log B(a, b+x+m) / B(a, b); e^D is the ratio of the "dropped out after the
 * last purchase" term of eq. 6 to the "alive at T" term, so the two-term sum never overflows.
 * Gradient: dl/dD = sigmoid(D) = s, dD/dr = log(alpha+T) - log(alpha+t_x), dD/dalpha =
 * (r+x) (1/(alpha+T) - 1/(alpha+t_x)), dD/da = 1/a, dD/db = -1/(b+x+m-1).
 * Everything but log(alpha+T), log(alpha+t_x) and D depends on x alone, so it is computed
 * once per run of equal x (the patterns come sorted by x); log(alpha+t) and 1/(alpha+t) come
 * from tables over the distinct times when the patterns are indexed. The values are the same,
 * bit for bit, either way. */
typedef struct eval_ctx {
    const rt_patsum *ps;
    double r, al, a, b;
    int m, grad;
    double la, lal, lgr, lgab, lgb, psr, psab; /* log a, log alpha, lgG(r), ... */
} eval_ctx;

/* The per-x part of one pattern's log-likelihood and gradient. */
typedef struct xterms {
    double x, rx, base, lac, ic; /* r+x, the x-only part of l, log a - log c, 1/c */
    double g0, g1, g2, g3;       /* the x-only parts of the gradient */
    int two;                     /* x > 0 or m: the second term of eq. 6 is there */
} xterms;

static void xterms_set(const eval_ctx *c, double x, xterms *t)
{
    double r = c->r, a = c->a, b = c->b, m = c->m;
    double c1 = b + x + m - 1.0;
    t->x = x;
    t->rx = r + x;
    t->base = rt_lgamma(r + x) - c->lgr + r * c->lal + rt_lgamma(b + x + m) -
              rt_lgamma(a + b + x + m) - c->lgb + c->lgab;
    t->two = x > 0 || c->m;
    t->lac = t->two ? c->la - log(c1) : 0.0;
    t->ic = t->two ? 1.0 / c1 : 0.0;
    if (c->grad) {
        double dab = c->psab - rt_digamma(a + b + x + m);
        t->g0 = rt_digamma(r + x) - c->psr + c->lal;
        t->g1 = r / c->al;
        t->g2 = dab;
        t->g3 = dab + rt_digamma(b + x + m) - rt_digamma(b);
    }
}

/* Tables over the distinct times lo..hi-1: log(alpha + t), then 1 / (alpha + t). */
static void fill_tables(void *vctx, size_t lo, size_t hi)
{
    eval_ctx *c = vctx;
    const rt_patsum *ps = c->ps;
    double *lt = ps->tab, *it = ps->tab + ps->nt;
    for (size_t j = lo; j < hi; j++) {
        lt[j] = log(c->al + ps->t[j]);
        it[j] = 1.0 / (c->al + ps->t[j]);
    }
}

/* Sum the patterns lo..hi-1: acc[0] the log-likelihood, acc[1..4] its gradient w.r.t. the
 * natural parameters (when c->grad). Plain sums over runs of RT_PATSUM_RUN patterns are
 * added to the compensated sums (see patsum.h). */
static void sum_block(void *vctx, int th, int first, size_t lo, size_t hi, rt_ksum *acc)
{
    const eval_ctx *c = vctx;
    const rt_patsum *ps = c->ps;
    const double *lt = ps->nt ? ps->tab : NULL, *it = ps->nt ? ps->tab + ps->nt : NULL;
    const double ia = 1.0 / c->a;
    xterms xt;
    (void)th, (void)first;
    xterms_set(c, ps->x[lo], &xt);
    for (size_t i0 = lo; i0 < hi; i0 += RT_PATSUM_RUN) {
        size_t i1 = hi - i0 > RT_PATSUM_RUN ? i0 + RT_PATSUM_RUN : hi;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0;
        for (size_t i = i0; i < i1; i++) {
            double wi = ps->w ? ps->w[i] : 1.0;
            if (wi == 0.0)
                continue;
            if (ps->x[i] != xt.x)
                xterms_set(c, ps->x[i], &xt);
            double lat = lt ? lt[ps->iT[i]] : log(c->al + ps->T[i]);
            double ll = xt.base - xt.rx * lat, s = 0.0, dlog = 0.0, dinv = 0.0;
            if (xt.two) {
                double ltx = lt ? lt[ps->itx[i]] : log(c->al + ps->t_x[i]), l1pe;
                dlog = lat - ltx;
                log1pexp_sigmoid(xt.lac + xt.rx * dlog, &l1pe, &s);
                ll += l1pe;
            }
            s0 += wi * ll;
            if (!c->grad)
                continue;
            double iT = it ? it[ps->iT[i]] : 1.0 / (c->al + ps->T[i]);
            if (xt.two)
                dinv = iT - (it ? it[ps->itx[i]] : 1.0 / (c->al + ps->t_x[i]));
            s1 += wi * (xt.g0 - lat + s * dlog);
            s2 += wi * (xt.g1 - xt.rx * iT + s * xt.rx * dinv);
            s3 += wi * (xt.g2 + s * ia);
            s4 += wi * (xt.g3 - s * xt.ic);
        }
        rt_ksum_add(&acc[0], s0);
        if (c->grad) {
            rt_ksum_add(&acc[1], s1);
            rt_ksum_add(&acc[2], s2);
            rt_ksum_add(&acc[3], s3);
            rt_ksum_add(&acc[4], s4);
        }
    }
}

double rt_bgnbd_loglik_ps(const rt_patsum *ps, const double par[4], int modified, double grad[4])
{
    double out[5];
    for (int j = 0; j < 4; j++)
        if (!(par[j] > 0.0) || !isfinite(par[j])) {
            if (grad)
                grad[0] = grad[1] = grad[2] = grad[3] = (double)NAN;
            return (double)NAN;
        }
    eval_ctx c = {.ps = ps, .r = par[0], .al = par[1], .a = par[2], .b = par[3]};
    c.m = modified != 0;
    c.grad = grad != NULL;
    c.la = log(c.a);
    c.lal = log(c.al);
    c.lgr = rt_lgamma(c.r);
    c.lgab = rt_lgamma(c.a + c.b);
    c.lgb = rt_lgamma(c.b);
    if (grad) {
        c.psr = rt_digamma(c.r);
        c.psab = rt_digamma(c.a + c.b);
    }
    if (ps->n == 0) {
        if (grad)
            grad[0] = grad[1] = grad[2] = grad[3] = 0.0;
        return 0.0;
    }
    rt_patsum_run(ps, grad ? 5 : 1, sum_block, ps->nt ? fill_tables : NULL, &c, out);
    if (grad)
        for (int j = 0; j < 4; j++)
            grad[j] = out[j + 1];
    return out[0];
}

double rt_bgnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                       const double *w, size_t n, int modified)
{
    rt_patsum ps;
    rt_patsum_plain(&ps, x, t_x, T, w, n, 0);
    return rt_bgnbd_loglik_ps(&ps, par, modified, NULL);
}

double rt_bgnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                            const double *T, const double *w, size_t n, int modified,
                            double grad[4])
{
    rt_patsum ps;
    double p[4];
    for (int j = 0; j < 4; j++)
        p[j] = exp(lpar[j]);
    rt_patsum_plain(&ps, x, t_x, T, w, n, 0);
    double ll = rt_bgnbd_loglik_ps(&ps, p, modified, grad);
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    for (int j = 0; j < 4; j++)
        grad[j] *= p[j];
    return ll;
}

/* ---- fit ---- */

typedef struct fit_ctx {
    rt_patsum ps;
    int modified;
    double wsum;
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w), so that the tolerance on |grad| does not
 * depend on the number of customers. Log-parameters beyond +-30 are outside the domain
 * (e^30 ~ 1e13): it stops runaway searches on flat likelihoods from overflowing. */
static double objective(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    double p[4];
    for (int j = 0; j < 4; j++) {
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
        p[j] = exp(theta[j]);
    }
    double ll = rt_bgnbd_loglik_ps(&c->ps, p, c->modified, grad);
    /* Chain rule to the log scale, dl/dlog p = p dl/dp, and the scaling. */
    for (int j = 0; j < 4; j++)
        grad[j] = -p[j] * grad[j] / c->wsum;
    return -ll / c->wsum;
}

rt_status rt_bgnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                       size_t n, int modified, rt_fit *out, rt_error *err)
{
    const char *what = modified ? "mbgnbd fit" : "bgnbd fit";
    fit_ctx c = {.modified = modified != 0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !t_x || !T || !out || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s: bad arguments", what);
    if ((st = rt_btyd_check(what, x, t_x, T, w, n, &c.wsum, err)) != RT_OK)
        return st;
    /* Two tables per distinct time: log(alpha + t) and 1 / (alpha + t). */
    if ((st = rt_patsum_prepare(&c.ps, x, t_x, T, w, n, 0, 2, 0, err)) != RT_OK)
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
    rt_patsum_free(&c.ps);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, n, out);
    return RT_OK;
}
