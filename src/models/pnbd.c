/* pnbd.c - Pareto/NBD log-likelihood, ML fit on compressed (x, t_x, T, count) patterns,
 * P(alive) and conditional expectations. Schmittlein, Morrison & Colombo (1987); formulas
 * from Fader, Hardie & Lee's note "A note on deriving the Pareto/NBD model and related
 * expressions" (2005). Reference: CDNOW, r = 0.553, alpha = 10.578, s = 0.606,
 * beta = 11.669, LL = -9595.0 (tests/unit/test_pnbd.c). The gradient is analytic.
 * SPDX-License-Identifier: MIT */
#include "models/pnbd.h"

#include "core/error.h"
#include "models/btyd_data.h"
#include "models/optim.h"
#include "models/patsum.h"
#include "models/special.h"

#include <math.h>
#include <string.h>

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

/* ---- the likelihood sum ---- */

/* One evaluation over the patterns. Per pattern (see pattern_parts) the log-likelihood is
 * pre + log(e^l1 + e^l2) with l2 = log(s/a) + log(F(t_x) - F(T)), F(t) = e^f(t). What depends
 * on x alone (pre, a, log(s/a), their derivatives) is computed once per run of equal x (the
 * patterns come sorted by x); f(t) and its gradient once per distinct (x, t) and thread when
 * the patterns are indexed (a per-thread memo over the distinct times, each entry tagged with
 * its x), else once per (x, t_x) run and once per pattern for T; logs and reciprocals of
 * (alpha + t), (beta + t) come from tables over the distinct times. Each value is computed by the
 * same expressions on every path, so the sum is the same, bit for bit, with or without the index
 * and for any thread count.
 *
 * Gradient, w.r.t. the natural parameters: f(t) = log 2F1(a, b; a+1; z) - a log(m + t) with
 * a = r+s+x and, for alpha >= beta, m = alpha, b = s+1, z = (alpha-beta)/(alpha+t), so
 * dz/dalpha = (beta+t)/(alpha+t)^2, dz/dbeta = -1/(alpha+t); for alpha < beta, m = beta,
 * b = r+x, z = (beta-alpha)/(beta+t), dz/dalpha = -1/(beta+t), dz/dbeta = (alpha+t)/(beta+t)^2.
 * Both branches are one smooth function of the parameters (they agree where alpha = beta,
 * z = 0), so the gradient is continuous across them. d log(F1 - F2) = (dF1 - e dF2) / (1 - e)
 * with e = F2/F1, and the two terms are weighted by their shares of e^l1 + e^l2. */
typedef struct eval_ctx {
    const rt_patsum *ps;
    double r, al, s, be;
    int grad, abig;            /* gradient wanted; alpha >= beta */
    double dd;                 /* |alpha - beta| */
    double lgr, psr, lal, lbe; /* lgG(r), psi(r), log alpha, log beta */
} eval_ctx;

/* The per-x part of a pattern's terms. */
typedef struct xterms {
    double x, a, hb, rx; /* r+s+x, the 2F1's b, r+x */
    double pre, lsa;     /* prefactor, log(s/a) */
    double dpre[4], dlsa[4];
} xterms;

static void xterms_set(const eval_ctx *c, double x, xterms *t)
{
    t->x = x;
    t->rx = c->r + x;
    t->a = c->r + c->s + x;
    t->hb = c->abig ? c->s + 1.0 : c->r + x;
    t->pre = rt_lgamma(c->r + x) - c->lgr + c->r * c->lal + c->s * c->lbe;
    t->lsa = log(c->s / t->a);
    if (c->grad) {
        t->dpre[0] = rt_digamma(c->r + x) - c->psr + c->lal;
        t->dpre[1] = c->r / c->al;
        t->dpre[2] = c->lbe;
        t->dpre[3] = c->s / c->be;
        t->dlsa[0] = -1.0 / t->a;
        t->dlsa[1] = 0.0;
        t->dlsa[2] = 1.0 / c->s - 1.0 / t->a;
        t->dlsa[3] = 0.0;
    }
}

/* Log, and reciprocal, of (alpha + t) and (beta + t) at time 't', from the tables when the
 * patterns are indexed ('j' is t's index) or computed. */
typedef struct tvals {
    double lal, lbe, ial, ibe;
} tvals;

static void tvals_get(const eval_ctx *c, double t, uint32_t j, tvals *v)
{
    const rt_patsum *ps = c->ps;
    if (ps->nt) {
        v->lal = ps->tab[j];
        v->lbe = ps->tab[ps->nt + j];
        v->ial = ps->tab[2 * ps->nt + j];
        v->ibe = ps->tab[3 * ps->nt + j];
    } else {
        v->lal = log(c->al + t);
        v->lbe = log(c->be + t);
        v->ial = 1.0 / (c->al + t);
        v->ibe = 1.0 / (c->be + t);
    }
}

static void fill_tables(void *vctx, size_t lo, size_t hi)
{
    eval_ctx *c = vctx;
    const rt_patsum *ps = c->ps;
    for (size_t j = lo; j < hi; j++) {
        double t = ps->t[j];
        ps->tab[j] = log(c->al + t);
        ps->tab[ps->nt + j] = log(c->be + t);
        ps->tab[2 * ps->nt + j] = 1.0 / (c->al + t);
        ps->tab[3 * ps->nt + j] = 1.0 / (c->be + t);
    }
}

/* f(t) into f[0] and, with c->grad, its gradient into f[1..4]. */
static void f_of_t(const eval_ctx *c, const xterms *xt, double t, const tvals *v, double f[5])
{
    double mt = c->abig ? c->al + t : c->be + t, lmt = c->abig ? v->lal : v->lbe;
    double z = c->dd / mt, d[3];
    if (!c->grad) {
        f[0] = rt_log_hyp2f1_a1(xt->a, xt->hb, z) - xt->a * lmt;
        return;
    }
    f[0] = rt_log_hyp2f1_a1_grad(xt->a, xt->hb, z, d) - xt->a * lmt;
    if (c->abig) {
        double im = v->ial;
        f[1] = d[0] - lmt;
        f[2] = d[2] * (c->be + t) * im * im - xt->a * im;
        f[3] = d[0] + d[1] - lmt;
        f[4] = -d[2] * im;
    } else {
        double im = v->ibe;
        f[1] = d[0] + d[1] - lmt;
        f[2] = -d[2] * im;
        f[3] = d[0] - lmt;
        f[4] = d[2] * (c->al + t) * im * im - xt->a * im;
    }
}

/* Compute f at time index 'j' into the memo entry 'm' (x, then f and its gradient). Kept out
 * of line: the hits in f_memo are the common case. */
static __attribute__((noinline)) void memo_fill(const eval_ctx *c, const xterms *xt, int th,
                                                uint32_t j, double *m)
{
    const rt_patsum *ps = c->ps;
    tvals v;
    tvals_get(c, ps->t[j], j, &v);
    f_of_t(c, xt, ps->t[j], &v, m + 1);
    m[0] = xt->x;
    ps->stamp[(size_t)th * ps->nt + j] = ps->epoch[th];
}

/* f at time index 'j' through the thread's memo (indexed patterns only): entry j holds x and
 * f(t_j) for that x, valid in the evaluation whose epoch it is stamped with. */
static inline const double *f_memo(const eval_ctx *c, const xterms *xt, int th, uint32_t j)
{
    const rt_patsum *ps = c->ps;
    size_t k = (size_t)th * ps->nt + j;
    double *m = ps->memo + k * (size_t)ps->nmemo;
    if (ps->stamp[k] != ps->epoch[th] || m[0] != xt->x)
        memo_fill(c, xt, th, j, m);
    return m + 1;
}

/* One pattern's log-likelihood into '*ll' and gradient into 'g' (with c->grad), given f at
 * t_x and T ('f1', 'f2'; unused when 'same', t_x = T) and the tables at T.
 * With l2 - l1 = K + log(1 - e), K = log(s/a) + f1 - l1 and e = F2/F1 = e^(f2 - f1):
 *   ll = pre + l1 + log(1 + R), R = e^(l2 - l1) = e^K (1 - e),
 * and the gradient is dpre + w1 dl1 + w2 (dlog(s/a) + (df1 - e df2) / (1 - e)), with shares
 * w1 = 1 / (1 + R), w2 = R / (1 + R), so w2 / (1 - e) = e^K / (1 + R): three transcendental
 * calls and one division per pattern. log(1 + R) is taken as log(u), u = 1 + R rounded: its
 * absolute error, ~1e-16, is below the rounding of the other terms. Where e^K could overflow
 * (K >= 700: dead for sure) the same is done in logs. */
static void pattern_sum(const eval_ctx *c, const xterms *xt, int same, const double *f1,
                        const double *f2, const tvals *vT, double *ll, double g[4])
{
    double l1 = -xt->rx * vT->lal - c->s * vT->lbe;
    double d21 = same ? 0.0 : f2[0] - f1[0];
    double dl1[4] = {-vT->lal, -xt->rx * vT->ial, -vT->lbe, -c->s * vT->ibe};
    if (isnan(d21)) {
        *ll = (double)NAN;
        for (int j = 0; j < 4 && c->grad; j++)
            g[j] = (double)NAN;
        return;
    }
    /* As in pattern_parts: F(t_x) - F(T) is 0 at t_x = T, and rounding can make f2 >= f1
     * when t_x is within ~1e-13 of T: then only the "alive" term is left. */
    if (!(d21 < 0.0)) {
        *ll = xt->pre + l1;
        for (int j = 0; j < 4 && c->grad; j++)
            g[j] = xt->dpre[j] + dl1[j];
        return;
    }
    /* 1 - e without cancellation: expm1 near e = 1, plain exp (cheaper) below e = 0.6. */
    double e, m1;
    if (d21 < -0.5) {
        e = exp(d21);
        m1 = 1.0 - e;
    } else {
        m1 = -expm1(d21);
        e = 1.0 - m1;
    }
    double K = xt->lsa + f1[0] - l1, w1, w2, c2;
    if (K < 700.0) {
        double eK = exp(K), R = eK * m1, u = 1.0 + R;
        *ll = xt->pre + l1 + log(u);
        if (!c->grad)
            return;
        double iu = 1.0 / u;
        w1 = iu, w2 = R * iu, c2 = eK * iu;
    } else {
        double dl = K + log(m1), ed = exp(-fabs(dl)), u = 1.0 + ed, iu = 1.0 / u;
        *ll = xt->pre + l1 + (dl > 0 ? dl : 0.0) + log(u);
        w2 = dl > 0 ? iu : ed * iu;
        w1 = 1.0 - w2, c2 = w2 / m1;
    }
    if (!c->grad)
        return;
    for (int j = 0; j < 4; j++)
        g[j] = xt->dpre[j] + w1 * dl1[j] + w2 * xt->dlsa[j] + c2 * (f1[j + 1] - e * f2[j + 1]);
}

/* Sum the patterns lo..hi-1: acc[0] the log-likelihood, acc[1..4] its gradient (c->grad),
 * in plain runs of RT_PATSUM_RUN added to the compensated sums (patsum.h). */
static void sum_block(void *vctx, int th, int first, size_t lo, size_t hi, rt_ksum *acc)
{
    const eval_ctx *c = vctx;
    const rt_patsum *ps = c->ps;
    int memo = ps->nt && ps->nmemo;
    int k = c->grad ? 5 : 1;
    xterms xt;
    double fx[5] = {0}, fT[5], g[4] = {0}, ll;
    double cx = (double)NAN, ctx = (double)NAN; /* the (x, t_x) of fx (plain path) */
    xterms_set(c, ps->x[lo], &xt);
    /* A new evaluation: the thread's memo entries from earlier ones are stale. */
    if (memo && first)
        ps->epoch[th]++;
    for (size_t i0 = lo; i0 < hi; i0 += RT_PATSUM_RUN) {
        size_t i1 = hi - i0 > RT_PATSUM_RUN ? i0 + RT_PATSUM_RUN : hi;
        double part[5] = {0, 0, 0, 0, 0};
        for (size_t i = i0; i < i1; i++) {
            double wi = ps->w ? ps->w[i] : 1.0, x = ps->x[i], tx = ps->t_x[i], T = ps->T[i];
            if (wi == 0.0)
                continue;
            if (x != xt.x)
                xterms_set(c, x, &xt);
            int same = !(tx < T);
            uint32_t jT = ps->nt ? ps->iT[i] : 0, jx = ps->nt ? ps->itx[i] : 0;
            tvals vT;
            tvals_get(c, T, jT, &vT);
            const double *f1 = fx, *f2 = fT;
            if (same) {
                /* no death-time integral */
            } else if (memo) {
                f1 = f_memo(c, &xt, th, jx);
                f2 = f_memo(c, &xt, th, jT);
            } else {
                if (!(x == cx && tx == ctx)) {
                    tvals vx;
                    tvals_get(c, tx, 0, &vx);
                    f_of_t(c, &xt, tx, &vx, fx);
                    cx = x, ctx = tx;
                }
                f_of_t(c, &xt, T, &vT, fT);
            }
            pattern_sum(c, &xt, same, f1, f2, &vT, &ll, g);
            part[0] += wi * ll;
            for (int j = 1; j < k; j++)
                part[j] += wi * g[j - 1];
        }
        for (int j = 0; j < k; j++)
            rt_ksum_add(&acc[j], part[j]);
    }
}

double rt_pnbd_loglik_ps(const rt_patsum *ps, const double par[4], double grad[4])
{
    double out[5];
    if (bad_par(par)) {
        if (grad)
            grad[0] = grad[1] = grad[2] = grad[3] = (double)NAN;
        return (double)NAN;
    }
    eval_ctx c = {.ps = ps, .r = par[0], .al = par[1], .s = par[2], .be = par[3]};
    c.grad = grad != NULL;
    c.abig = c.al >= c.be;
    c.dd = c.abig ? c.al - c.be : c.be - c.al;
    c.lgr = rt_lgamma(c.r);
    c.psr = grad ? rt_digamma(c.r) : 0.0;
    c.lal = log(c.al);
    c.lbe = log(c.be);
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

double rt_pnbd_loglik(const double par[4], const double *x, const double *t_x, const double *T,
                      const double *w, size_t n)
{
    rt_patsum ps;
    rt_patsum_plain(&ps, x, t_x, T, w, n, 0);
    return rt_pnbd_loglik_ps(&ps, par, NULL);
}

double rt_pnbd_loglik_grad(const double lpar[4], const double *x, const double *t_x,
                           const double *T, const double *w, size_t n, double grad[4])
{
    rt_patsum ps;
    double p[4];
    for (int j = 0; j < 4; j++)
        p[j] = exp(lpar[j]);
    rt_patsum_plain(&ps, x, t_x, T, w, n, 0);
    double ll = rt_pnbd_loglik_ps(&ps, p, grad);
    /* Chain rule to the log scale: dl/dlog p = p dl/dp. */
    for (int j = 0; j < 4; j++)
        grad[j] *= p[j];
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
    rt_patsum ps;
    double wsum;
} fit_ctx;

/* The optimiser's objective: -loglik / sum(w). Log-parameters beyond +-30 are outside the
 * domain, so that runaway searches on flat likelihoods do not overflow. */
static double objective(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    double p[4];
    for (int j = 0; j < 4; j++) {
        if (!(fabs(theta[j]) <= 30.0))
            return HUGE_VAL;
        p[j] = exp(theta[j]);
    }
    double ll = rt_pnbd_loglik_ps(&c->ps, p, grad);
    /* Chain rule to the log scale, dl/dlog p = p dl/dp, and the scaling. */
    for (int j = 0; j < 4; j++)
        grad[j] = -p[j] * grad[j] / c->wsum;
    return isnan(ll) ? HUGE_VAL : -ll / c->wsum;
}

rt_status rt_pnbd_fit(const double *x, const double *t_x, const double *T, const double *w,
                      size_t n, rt_fit *out, rt_error *err)
{
    const char *what = "pnbd fit";
    fit_ctx c = {.wsum = 0.0};
    rt_optim_result r;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!x || !t_x || !T || !out || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s: bad arguments", what);
    if ((st = rt_btyd_check(what, x, t_x, T, w, n, &c.wsum, err)) != RT_OK)
        return st;
    /* Four tables per distinct time (log and reciprocal of alpha + t and beta + t) and a memo
     * of x, f and its gradient (6 values) per distinct time and thread. */
    if ((st = rt_patsum_prepare(&c.ps, x, t_x, T, w, n, 0, 4, 6, err)) != RT_OK)
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
    rt_patsum_free(&c.ps);
    if (st != RT_OK)
        return st;

    rt_optim_fill_fit(&r, c.wsum, n, out);
    return RT_OK;
}
