/* bgnbd_predict.c - BG/NBD and MBG/NBD predictions: E[X(t)] (Fader, Hardie & Lee 2005, eq. 7),
 * P(X(t) = k) (eq. 8), the conditional expectation (eq. 10), P(alive) (FHL note "Computing
 * P(alive) using the BG/NBD model") and the conditional pmf; MBG/NBD after Batislam, Denizel &
 * Filiztekin (2007). The expectations need 1 - (1 - z)^A 2F1(A, B; C; z); Pfaff's transformation
 * turns it into 1 - 2F1(a - 1, A; C; w), w <= 0, with no large power to overflow. The pmfs are
 * sums of two positive terms in log space, the NBD tail an incomplete beta function. References:
 * CDNOW, E[Y(39) | 2, 30.43, 38.86] = 1.226 and P(X(39) = 0) = 0.5737864 for a new customer
 * (tests/unit/test_bgnbd_predict.c).
 * SPDX-License-Identifier: MIT */
#include "models/bgnbd_predict.h"

#include "models/btyd_args.h"
#include "models/special_pred.h"
#include "models/special.h"

#include <math.h>
#include <stddef.h>

/* Half-width of the band around a = 1 where (1 - 2F1) / (a - 1) is a 0/0 form and is
 * interpolated instead: the error is O(h^2) ~ 1e-10 from the curvature in a plus
 * eps / h ~ 1e-11 from cancellation at the band's edges. */
#define A_ONE_BAND 1e-5

/* Step in r around the logarithmic case of the hypergeometric function (see expect_factor). */
#define R_STEP 1e-5

/* log(1 + e^d) without overflow. */
static double log1pexp(double d)
{
    return d > 0 ? d + log1p(exp(-d)) : log1p(exp(d));
}

/* (a + b + x - 1) / (a - 1) [1 - (g / (g + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1;
 * t / (g + t))] with g = alpha + T, the common factor of eqs. 7 (x = 0, T = 0) and 10. By
 * Pfaff (DLMF 15.8.1) the bracket is 1 - 2F1(r + x, a - 1; a + b + x - 1; -t / g), whose
 * parameters are swapped so that rt_hyp2f1's own Pfaff step leaves the power (1 - w)^(1 - a),
 * moderate even for x in the hundreds. */
static double expect_factor(double r, double a, double b, double x, double g, double t)
{
    double c = a + b + x - 1.0;
    rt_hyp_flag flag;
    double f = rt_hyp2f1_ex(a - 1.0, r + x, c, -t / g, &flag);
    if (flag == RT_HYP_UNSUPPORTED) {
        /* r + x - a within 1e-6 of an integer and t / (g + t) > 0.99: the logarithmic case
         * of the 1 - z connection, which rt_hyp2f1 does not implement. The function is smooth
         * in r: average its values at r -/+ R_STEP, where the connection formula holds
         * (about 5 digits lost to cancellation there, and an O(R_STEP^2) interpolation error:
         * ~1e-10 relative). */
        double lo = rt_hyp2f1(a - 1.0, r - R_STEP + x, c, -t / g);
        double hi = rt_hyp2f1(a - 1.0, r + R_STEP + x, c, -t / g);
        f = 0.5 * (lo + hi);
    }
    return c / (a - 1.0) * (1.0 - f);
}

/* expect_factor, interpolated linearly across a = 1 where it is 0/0 (the function is smooth
 * in 'a' there). */
static double expect_factor_any_a(double r, double a, double b, double x, double g, double t)
{
    if (fabs(a - 1.0) >= A_ONE_BAND)
        return expect_factor(r, a, b, x, g, t);
    double lo = expect_factor(r, 1.0 - A_ONE_BAND, b, x, g, t);
    double hi = expect_factor(r, 1.0 + A_ONE_BAND, b, x, g, t);
    return lo + (hi - lo) * (a - (1.0 - A_ONE_BAND)) / (2.0 * A_ONE_BAND);
}

/* log of the odds of "dropped out at the last purchase" vs alive at T: log(a / (b + x + m - 1))
 * + (r + x) log((alpha + T) / (alpha + t_x)), m = 1 for MBG/NBD, whose customers can also drop
 * out at the first purchase; -inf (never dropped out) for BG/NBD with x = 0. */
static double log_dead_odds(const double par[4], int m, double x, double t_x, double T)
{
    double r = par[0], al = par[1], a = par[2], b = par[3];
    if (x == 0 && m == 0)
        return -HUGE_VAL;
    return log(a) - log(b + x + m - 1.0) + (r + x) * (log(al + T) - log(al + t_x));
}

/* log P(X(t) = k) for a new BG/NBD customer with parameters (r, al, a, b), t > 0 (FHL eq. 8):
 * the log-sum of l1 = log B(a, b+k)/B(a, b) + log NBD(k) (still alive after k purchases) and
 * l2 = log B(a+1, b+k-1)/B(a, b) + log P(NBD >= k) (dropped out at the k-th), the NBD tail
 * P(N >= k) = I_q(k, r), q = t / (al + t) (N's lower sum is I_{1-q}(r, k)). */
static double log_pmf_bg(double r, double al, double a, double b, double t, int k)
{
    double lw = -log1p(t / al); /* log(al / (al + t)) */
    if (k == 0)
        return r * lw;
    double kk = (double)k, q = t / (al + t), w = al / (al + t);
    double lnb = rt_lgamma_diff(r, kk) - rt_lgamma(kk + 1.0) + r * lw + kk * log(q);
    double l1 = rt_lbeta_ratio(a, b, kk) + lnb;
    /* B(a+1, b+k-1) / B(a, b) = a/(a+b) B(a+1, b+k-1) / B(a+1, b) */
    double l2 =
        log(a / (a + b)) + rt_lbeta_ratio(a + 1.0, b, kk - 1.0) + rt_log_betainc(kk, r, q, w, NULL);
    return rt_logaddexp(l1, l2);
}

double rt_bgnbd_expected_new(const double par[4], double t)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t))
        return (double)NAN;
    if (t == 0)
        return 0.0;
    return expect_factor_any_a(par[0], par[2], par[3], 0.0, par[1], t);
}

double rt_bgnbd_palive(const double par[4], double x, double t_x, double T)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T))
        return (double)NAN;
    if (x == 0)
        return 1.0;
    return exp(-log1pexp(log_dead_odds(par, 0, x, t_x, T)));
}

/* Eq. 10 = eq. 7's factor at (r + x, alpha + T, b + x) times P(alive): its denominator
 * 1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x) is 1 / P(alive). */
double rt_bgnbd_conditional_expected(const double par[4], double x, double t_x, double T, double t)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T) || !(t >= 0) || !isfinite(t))
        return (double)NAN;
    if (t == 0)
        return 0.0;
    double e = expect_factor_any_a(par[0], par[2], par[3], x, par[1] + T, t);
    return e * rt_bgnbd_palive(par, x, t_x, T);
}

/* ---- pmfs and MBG/NBD ---- */

double rt_bgnbd_pmf_new(const double par[4], double t, int k)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t) || k < 0)
        return (double)NAN;
    if (t == 0)
        return k == 0 ? 1.0 : 0.0;
    return exp(log_pmf_bg(par[0], par[1], par[2], par[3], t, k));
}

double rt_mbgnbd_expected_new(const double par[4], double t)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t))
        return (double)NAN;
    if (t == 0)
        return 0.0;
    double a = par[2], b = par[3];
    return b / (a + b) * expect_factor_any_a(par[0], a, b + 1.0, 0.0, par[1], t);
}

double rt_mbgnbd_pmf_new(const double par[4], double t, int k)
{
    if (!rt_btyd_params_ok(par) || !(t >= 0) || !isfinite(t) || k < 0)
        return (double)NAN;
    if (t == 0)
        return k == 0 ? 1.0 : 0.0;
    double a = par[2], b = par[3];
    double alive = b / (a + b) * exp(log_pmf_bg(par[0], par[1], a, b + 1.0, t, k));
    return k == 0 ? a / (a + b) + alive : alive;
}

double rt_mbgnbd_palive(const double par[4], double x, double t_x, double T)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T))
        return (double)NAN;
    return exp(-log1pexp(log_dead_odds(par, 1, x, t_x, T)));
}

double rt_mbgnbd_conditional_expected(const double par[4], double x, double t_x, double T, double t)
{
    if (!rt_btyd_params_ok(par) || !rt_btyd_history_ok(x, t_x, T) || !(t >= 0) || !isfinite(t))
        return (double)NAN;
    if (t == 0)
        return 0.0;
    double e = expect_factor_any_a(par[0], par[2], par[3] + 1.0, x, par[1] + T, t);
    return e * rt_mbgnbd_palive(par, x, t_x, T);
}

double rt_bgnbd_pmf_conditional(const double par[4], int modified, double x, double t_x, double T,
                                double t, int k)
{
    if (!rt_btyd_params_ok(par) || (modified != 0 && modified != 1) ||
        !rt_btyd_history_ok(x, t_x, T) || !(t >= 0) || !isfinite(t) || k < 0)
        return (double)NAN;
    if (t == 0)
        return k == 0 ? 1.0 : 0.0;
    double d = log_dead_odds(par, modified, x, t_x, T);
    double lalive = -log1pexp(d); /* log P(alive); log(1 - P(alive)) = -log1pexp(-d) */
    double lp = log_pmf_bg(par[0] + x, par[1] + T, par[2], par[3] + x + modified, t, k);
    double p = exp(lalive + lp);
    return k == 0 ? exp(-log1pexp(-d)) + p : p;
}
