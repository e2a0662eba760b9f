/* bgbb_predict.c - BG/BB predictions (Fader, Hardie & Shang 2010): P(alive), E[X(n)] and
 * P(X(n) = k) for a new customer, the conditional expectation and pmf, and DERT. The
 * likelihood's and the pmf's sums over the opportunity of death are run by ratio recurrences
 * (one division per term instead of lgammas); everything is combined in log space. References:
 * FHS's donations P(alive) 0.11 / 0.59 / 0.93 and the 1995 cohort's holdout
 * (tests/unit/test_bgbb_predict.c).
 * SPDX-License-Identifier: MIT */
#include "models/bgbb_predict.h"

#include "models/btyd_args.h"
#include "models/special.h"
#include "models/special_pred.h"

#include <math.h>

#define BGBB_MAX_N 1e7      /* opportunities accepted; bounds the O(n) sums */
#define SUM_SHIFT_MAX 256.0 /* E factors sum log1p over at most this many opportunities */

static int count_ok(double v)
{
    return v >= 0 && v <= BGBB_MAX_N && v == floor(v);
}

static int history_ok(double x, double t_x, double n)
{
    return count_ok(x) && count_ok(t_x) && count_ok(n) && x <= t_x && t_x <= n &&
           (x == 0) == (t_x == 0);
}

/* log of the odds "died before n" : "alive at n" given (x, t_x, n), from the two parts of
 * the likelihood (FHS 2010):
 *   A, alive through n:  B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d),
 *   D, died in one of the opportunities t_x + 1 .. n (after being alive at t_x + i):
 *      sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d).
 * Only ratios are formed: A / D_0 = B(a+x, b+n-x)/B(a+x, b+t_x-x) B(g, d+n)/B(g, d+t_x)
 * (g+d+t_x)/g by rt_lbeta_ratio (no lgamma of size n cancels), and D / D_0 by the recurrence
 * term_{i+1} = term_i (b+t_x-x+i)/(a+b+t_x+i) (d+t_x+i)/(g+d+t_x+i+1) < 1, which neither
 * overflows nor needs a logarithm per term and stops once the rest cannot matter. -inf when
 * t_x = n (no opportunity left to have died in). */
static double log_dead_odds(const double p[4], double x, double tx, double n)
{
    double a = p[0], b = p[1], g = p[2], d = p[3], m = n - tx;
    if (m == 0)
        return -HUGE_VAL;
    double la_d0 =
        rt_lbeta_ratio(a + x, b + tx - x, m) + rt_lbeta_ratio(g, d + tx, m) + log((g + d + tx) / g);
    double sum = 1.0, term = 1.0;
    for (double i = 0; i + 1.0 < m; i += 1.0) {
        term *= (b + tx - x + i) / (a + b + tx + i) * (d + tx + i) / (g + d + tx + i + 1.0);
        sum += term;
        if (term * (m - i) <= 1e-17 * sum) /* the rest are smaller still */
            break;
    }
    return log(sum) - la_d0;
}

/* P(alive at n) and P(dead by n) from the log-odds 'ld'. */
static double alive_of(double ld)
{
    return ld > 0 ? exp(-ld) / (1.0 + exp(-ld)) : 1.0 / (1.0 + exp(ld));
}

/* log P(X(m) = k) for a new customer at 'p', m a non-negative integer, 0 <= k <= m: the alive
 * term C(m,k) B(a+k, b+m-k)/B(a,b) B(g, d+m)/B(g,d) log-added to the sum over the opportunity
 * i + 1 (i = k .. m-1) at whose start the customer died, whose first term is
 * B(a+k, b)/B(a,b) B(g+1, d+k)/B(g,d) and term i+1 = term i (i+1)/(i+1-k) (b+i-k)/(a+b+i)
 * (d+i)/(g+d+i+1), rescaled when large (the binomial factor makes the terms rise before they
 * fall). The Beta and binomial ratios go through rt_lgamma_diff, so posterior parameters in the
 * thousands lose nothing to cancelling lgammas. */
static double log_pmf_new(const double p[4], double m, int k)
{
    double a = p[0], b = p[1], g = p[2], d = p[3], kk = (double)k;
    double lak = rt_lgamma_diff(a, kk);
    double lchoose = rt_lgamma_diff(m - kk + 1.0, kk) - rt_lgamma(kk + 1.0);
    double lalive = lchoose + lak + rt_lgamma_diff(b, m - kk) - rt_lgamma_diff(a + b, m) +
                    rt_lbeta_ratio(g, d, m);
    if (kk == m)
        return lalive;
    double sum = 1.0, term = 1.0, lscale = 0.0;
    for (double i = kk; i + 1.0 < m; i += 1.0) {
        term *=
            (i + 1.0) / (i + 1.0 - kk) * (b + i - kk) / (a + b + i) * (d + i) / (g + d + i + 1.0);
        sum += term;
        if (sum > 1e250) {
            sum *= 1e-250, term *= 1e-250;
            lscale += 250.0 * M_LN10;
        }
    }
    double ldead = lak - rt_lgamma_diff(a + b, kk) + log(g / (g + d)) +
                   rt_lbeta_ratio(g + 1.0, d, kk) + log(sum) + lscale;
    return rt_logaddexp(lalive, ldead);
}

/* D/(g-1) [1 - Gamma(g+D) Gamma(1+D+m) / (Gamma(1+D) Gamma(g+D+m))], the expected purchases in
 * m opportunities of a customer alive now, per unit of E[p], with theta ~ Beta(g, D). With
 * e = 1 - g the ratio is e^G, G = log Gamma(y2+e)/Gamma(y2) - log Gamma(y1+e)/Gamma(y1),
 * y1 = g+D, y2 = y1+m, so the factor is D expm1(G)/e: exact as g -> 1 (limit D (psi(1+D+m) -
 * psi(1+D))) when G keeps relative accuracy. For integer m <= SUM_SHIFT_MAX, G is summed as
 * sum_j log1p(e/(y1+j)); otherwise from rt_lgamma_shift (|e| <= 1000, so gamma <= 1001) or
 * plain lgammas (absolute error ~1e-16 lgamma(D+m) in G). */
static double expect_factor(double g, double D, double m)
{
    if (m == 0)
        return 0.0;
    double e = 1.0 - g, y1 = g + D, G = 0.0;
    if (e == 0.0)
        return D * (rt_digamma(1.0 + D + m) - rt_digamma(1.0 + D));
    if (m <= SUM_SHIFT_MAX && m == floor(m)) {
        for (double j = 0; j < m; j += 1.0)
            G += log1p(e / (y1 + j));
    } else if (fabs(e) <= 1000.0) {
        G = rt_lgamma_shift(y1 + m, e) - rt_lgamma_shift(y1, e);
    } else {
        G = rt_lgamma(1.0 + D + m) - rt_lgamma(y1 + m) - rt_lgamma(1.0 + D) + rt_lgamma(y1);
    }
    return D * expm1(G) / e;
}

double rt_bgbb_palive(const double par[4], double x, double t_x, double n)
{
    if (!rt_btyd_params_ok(par) || !history_ok(x, t_x, n))
        return (double)NAN;
    /* alive at n + 1 = alive at n, then survived one more draw: (d+n)/(g+d+n) */
    double g = par[2], d = par[3];
    return alive_of(log_dead_odds(par, x, t_x, n)) * (d + n) / (g + d + n);
}

double rt_bgbb_expected_new(const double par[4], double n)
{
    if (!rt_btyd_params_ok(par) || !(n >= 0) || !isfinite(n))
        return (double)NAN;
    return par[0] / (par[0] + par[1]) * expect_factor(par[2], par[3], n);
}

double rt_bgbb_pmf_new(const double par[4], double n, int k)
{
    if (!rt_btyd_params_ok(par) || !count_ok(n) || k < 0)
        return (double)NAN;
    if ((double)k > n)
        return 0.0;
    return exp(log_pmf_new(par, n, k));
}

double rt_bgbb_conditional_expected(const double par[4], double x, double t_x, double n,
                                    double nstar)
{
    if (!rt_btyd_params_ok(par) || !history_ok(x, t_x, n) || !(nstar >= 0) || !isfinite(nstar))
        return (double)NAN;
    double a = par[0], b = par[1];
    double palive = alive_of(log_dead_odds(par, x, t_x, n)); /* alive at n */
    return palive * (a + x) / (a + b + n) * expect_factor(par[2], par[3] + n, nstar);
}

double rt_bgbb_pmf_conditional(const double par[4], double x, double t_x, double n, double nstar,
                               int k)
{
    if (!rt_btyd_params_ok(par) || !history_ok(x, t_x, n) || !count_ok(nstar) || k < 0)
        return (double)NAN;
    if ((double)k > nstar)
        return 0.0;
    double ld = log_dead_odds(par, x, t_x, n);
    const double post[4] = {par[0] + x, par[1] + n - x, par[2], par[3] + n};
    double p = alive_of(ld) * exp(log_pmf_new(post, nstar, k));
    return k == 0 ? alive_of(-ld) + p : p;
}

double rt_bgbb_dert(const double par[4], double x, double t_x, double n, double d)
{
    if (!rt_btyd_params_ok(par) || !history_ok(x, t_x, n) || !(d >= 0) || !isfinite(d))
        return (double)NAN;
    double a = par[0], b = par[1], g = par[2], D = par[3] + n;
    double lead = alive_of(log_dead_odds(par, x, t_x, n)) * (a + x) / (a + b + n);
    /* sum_{j>=1} E[(1-theta)^j] / (1+d)^j = E[(1-theta) / (d+theta)], theta ~ Beta(g, D),
     * = D/(g+D) E[1/(d+theta)] under Beta(g, D+1) = D/(g+D) 2F1(1, g; g+D+1; -1/d) / d. */
    if (d == 0.0)
        return g > 1.0 ? lead * D / (g - 1.0) : HUGE_VAL;
    return lead * D / (g + D) * rt_hyp2f1_one_neg(g, g + D + 1.0, 1.0 / d) / d;
}
