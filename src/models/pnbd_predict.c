/* pnbd_predict.c - Pareto/NBD predictions: E[X(t)] and P(X(t) = k) for a new customer, the
 * conditional pmf and DERT (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", eq. 2). P(alive) and E[Y(t) | ...] are pnbd.c's. The pmf is
 * summed as a positive series rather than FHL's expression with alternating sums of 2F1s
 * (note "Deriving an expression for P(X(t) = x) under the Pareto/NBD model"), which cancels for
 * small t or large k. References: tests/unit/test_pnbd_predict.c (quadrature over the
 * lifetime, Monte Carlo, the DERT integral).
 * SPDX-License-Identifier: MIT */
#include "models/pnbd_predict.h"

#include "models/btyd_args.h"
#include "models/special_pred.h"
#include "models/pnbd.h"
#include "models/special.h"

#include <math.h>

#define PMF_TERMS_MAX 1000000 /* terms of the pmf's series before giving up */

/* Sums of positive terms c_m S_m whose two factors run over hundreds of orders of magnitude
 * in opposite directions (see log_died_*): each factor is kept in [1e-100, 1e100] by its own
 * log scale, and the total in units e^lt of the largest term scale seen. */
typedef struct scaled {
    double v, lv; /* the factor is v e^lv */
} scaled;

#define SCALE_STEP (100.0 * M_LN10)

/* Bring 'x' back into [1e-100, 1e100]; returns 1 if its scale changed. */
static int renorm(scaled *x)
{
    if (x->v > 1e100) {
        x->v *= 1e-100, x->lv += SCALE_STEP;
        return 1;
    }
    if (x->v < 1e-100 && x->v > 0) {
        x->v *= 1e100, x->lv -= SCALE_STEP;
        return 1;
    }
    return 0;
}

typedef struct sum2 {
    double total, lt; /* the sum is total e^lt */
    double f;         /* e^(lc + lS - lt) for the current factor scales */
} sum2;

/* Add c S to 's'; 'rescaled' says whether either factor's scale changed since the last add. */
static void sum2_add(sum2 *s, const scaled *c, const scaled *S, int rescaled)
{
    double l = c->lv + S->lv;
    if (rescaled || s->f == 0.0) {
        if (l > s->lt) {
            s->total *= exp(s->lt - l);
            s->lt = l;
        }
        s->f = exp(l - s->lt);
    }
    s->total += c->v * S->v * s->f;
}

/* The "died before t" part of P(X(t) = k), with C = Gamma(r+k) / (Gamma(r) k!):
 *   I = C s alpha^r beta^s integral_0^t u^k (alpha+u)^-(r+k) (beta+u)^-(s+1) du.
 * Substituting v = u / (alpha + u) (v_t = t / (alpha + t), w = 1 - v_t, a = k + 1, b = r + s):
 *   I = C s alpha beta^s integral_0^v_t v^k (1-v)^(b-1) (beta + (alpha - beta) v)^-(s+1) dv,
 * and the last factor is expanded in a series of positive terms whose exponent s + 1 does not
 * grow with k. Both branches return log I (log C passed as 'lc'). */

/* alpha >= beta: beta + (alpha-beta) v = alpha (1 - kap (1 - v)), kap = 1 - beta/alpha, so
 *   I = C s (beta/alpha)^s sum_m (s+1)_m kap^m / m! P_m,  P_m = integral_0^v_t v^k
 *   (1-v)^(b+m-1) dv.
 * S_m = P_m / (v_t^a w^b) starts from rt_log_betainc_scaled and follows S_{m+1} = ((b+m) S_m +
 * w^m) / (a+b+m) (integration by parts, positive terms), S_m <= S_0; the terms' ratio
 * kap (s+1+m)/(m+1) falls to kap, which bounds the tail. */
static double log_died_ge(double r, double al, double s, double be, double t, double k, double lc)
{
    double v = t / (al + t), w = al / (al + t), a = k + 1.0, b = r + s, kap = (al - be) / al;
    /* S_0 may be beyond double range (w^b tiny) and falls by as much as c_m rises */
    scaled S = {1.0, rt_log_betainc_scaled(a, b, v, w)}, c = {1.0, 0.0};
    sum2 sum = {0.0, S.lv, 0.0};
    double wm = 1.0, eS = exp(-S.lv); /* w^m, and 1 in S's units */
    if (isnan(S.lv))
        return (double)NAN;
    sum2_add(&sum, &c, &S, 1);
    for (int m = 0;; m++) {
        if (m == PMF_TERMS_MAX)
            return (double)NAN;
        double dm = (double)m, rho = kap * (s + 1.0 + dm) / (dm + 1.0);
        /* the rest is at most c_m S_m rho / (1 - rho) */
        if (rho < 1.0 && c.v * S.v * sum.f * rho / (1.0 - rho) <= 1e-17 * sum.total)
            break;
        S.v = ((b + dm) * S.v + wm * eS) / (a + b + dm);
        wm *= w;
        c.v *= rho;
        int re = renorm(&S);
        if (re)
            eS = exp(-S.lv);
        re |= renorm(&c);
        sum2_add(&sum, &c, &S, re);
    }
    return lc + log(s) + s * log(be / al) + a * log(v) - b * log1p(t / al) + log(sum.total) +
           sum.lt;
}

/* alpha < beta: beta + (alpha-beta) v = beta (1 - kap v), kap = 1 - alpha/beta, so
 *   I = C s (alpha/beta) sum_m (s+1)_m kap^m / m! P'_m,  P'_m = integral_0^v_t v^(k+m)
 *   (1-v)^(b-1) dv <= v_t^m P'_0.
 * With g_m = (s+1)_m (kap v_t)^m / m! and S'_m = P'_m / (v_t^(a+m) w^b) <= S'_0, the sum is
 * v_t^a w^b sum_m g_m S'_m. The last index M comes from the g_m alone (their ratio
 * kap v_t (s+1+m)/(m+1) falls, bounding the tail against the largest g_m); S'_M comes from
 * rt_log_betainc_scaled and S'_{m-1} = ((a+m-1+b) v_t S'_m + 1) / (a+m-1) runs downwards, adding
 * positive terms (the upward direction would subtract). */
static double log_died_lt(double r, double al, double s, double be, double t, double k, double lc)
{
    double v = t / (al + t), w = al / (al + t), a = k + 1.0, b = r + s;
    double q = (be - al) / be * v, gmax = 1.0; /* the largest g_m so far, in g's units */
    scaled g = {1.0, 0.0};
    int M = 0;
    for (;; M++) {
        if (M == PMF_TERMS_MAX)
            return (double)NAN;
        /* the sum is at least gmax S'_peak >= gmax S'_M, the rest at most g S'_M rho/(1-rho) */
        double rho = q * (s + 1.0 + (double)M) / ((double)M + 1.0);
        if (rho < 1.0 && g.v * rho / (1.0 - rho) <= 1e-17 * gmax)
            break;
        g.v *= rho;
        gmax = fmax(gmax, g.v);
        double old = g.lv;
        if (renorm(&g)) /* gmax / g stays below ~1e17 / (1 - rho): no overflow */
            gmax *= exp(old - g.lv);
    }
    /* S'_M, then S'_m growing downwards (S'_0 may be beyond double range when w^b is tiny)
     * while g_m falls from its peak */
    scaled S = {1.0, rt_log_betainc_scaled(a + (double)M, b, v, w)};
    sum2 sum = {0.0, g.lv + S.lv, 0.0};
    if (isnan(S.lv))
        return (double)NAN;
    double eS = exp(-S.lv); /* 1 in S's units */
    sum2_add(&sum, &g, &S, 1);
    for (int m = M; m > 0; m--) {
        double am = a + (double)m - 1.0;
        S.v = ((am + b) * v * S.v + eS) / am;
        g.v *= (double)m / (q * (s + (double)m));
        int re = renorm(&S);
        if (re)
            eS = exp(-S.lv);
        re |= renorm(&g);
        sum2_add(&sum, &g, &S, re);
    }
    return lc + log(s) + log(al / be) + a * log(v) - b * log1p(t / al) + log(sum.total) + sum.lt;
}

/* log P(X(t) = k) for a new customer at (r, al, s, be), t > 0: the log-sum of "alive at t"
 * NBD(k; t) (be / (be + t))^s and log_died. */
static double log_pmf_new(double r, double al, double s, double be, double t, int k)
{
    double kk = (double)k;
    double lc = rt_lgamma_diff(r, kk) - rt_lgamma(kk + 1.0); /* log C; r may be r + x */
    double lalive = lc - r * log1p(t / al) - s * log1p(t / be);
    if (k > 0)
        lalive += kk * (log(t) - log(al + t));
    double ldied =
        al >= be ? log_died_ge(r, al, s, be, t, kk, lc) : log_died_lt(r, al, s, be, t, kk, lc);
    return rt_logaddexp(lalive, ldied);
}

double rt_pnbd_expected_new(const double par[4], double t)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t))
        return (double)NAN;
    double r = par[0], al = par[1], s = par[2], be = par[3];
    /* r beta / alpha (1 - (beta/(beta+t))^(s-1)) / (s-1) = r beta / alpha (-expm1((s-1) L)) /
     * (s-1), L = log(beta/(beta+t)); expm1 keeps it exact as s -> 1, where it tends to -L. */
    double L = -log1p(t / be), sm1 = s - 1.0;
    double f = sm1 == 0.0 ? -L : -expm1(sm1 * L) / sm1;
    return r * be / al * f;
}

double rt_pnbd_pmf_new(const double par[4], double t, int k)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t) || k < 0)
        return (double)NAN;
    if (t == 0)
        return k == 0 ? 1.0 : 0.0;
    return exp(log_pmf_new(par[0], par[1], par[2], par[3], t, k));
}

double rt_pnbd_pmf_conditional(const double par[4], double x, double t_x, double T, double t, int k)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T) || !(t >= 0) || !isfinite(t) ||
        k < 0)
        return (double)NAN;
    if (t == 0)
        return k == 0 ? 1.0 : 0.0;
    double pa = rt_pnbd_palive(par, x, t_x, T);
    double p = pa * exp(log_pmf_new(par[0] + x, par[1] + T, par[2], par[3] + T, t, k));
    return k == 0 ? (1.0 - pa) + p : p;
}

double rt_pnbd_dert(const double par[4], double x, double t_x, double T, double delta)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T) || !(delta >= 0) ||
        !isfinite(delta))
        return (double)NAN;
    double r = par[0], al = par[1], s = par[2], bT = par[3] + T;
    double lead = rt_pnbd_palive(par, x, t_x, T) * (r + x) / (al + T);
    double inv; /* E[1 / (delta + mu)], mu ~ Gamma(s, beta + T) */
    if (delta == 0.0)
        inv = s > 1.0 ? bT / (s - 1.0) : HUGE_VAL;
    else
        inv = rt_gamma_stieltjes(s, delta * bT) / delta;
    return lead * inv;
}
