/* test_bgnbd_predict.c - BG/NBD and MBG/NBD predictions (src/models/bgnbd_predict.c) against
 * FHL (2005)'s published CDNOW values, numerical integration over the model's mixing
 * distributions (the pmfs: over p, with the NBD's terms and tails summed by brute force), the
 * pmfs' own sums and means, and the CDNOW holdout.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/bgnbd.h"
#include "models/bgnbd_predict.h"
#include "models/special.h"

#include <stdlib.h>

#include "cdnow.h"
#include "quad.h"

static const double published[4] = {0.243, 4.414, 0.793, 2.426};

/* (1/p) (1 - (g / (g + p t))^A): the expected purchases in t of a customer alive at the start
 * with purchase rate lambda and dropout p, E[(1 - exp(-lambda p t)) / p] (FHL 2005 eq. 8)
 * averaged over lambda ~ Gamma(A, g). The p -> 0 limit is A t / g. */
static double inner(double p, double A, double g, double t)
{
    if (p == 0)
        return A * t / g;
    return -expm1(-A * log1p(p * t / g)) / p;
}

/* log(1 + e^d) without overflow. */
static double log1pexp(double d)
{
    return d > 0 ? d + log1p(exp(-d)) : log1p(exp(d));
}

/* Integral over p in (0, 1) of inner(p, A, g, t) p^(a-1) (1-p)^(b-1) by tanh-sinh quadrature
 * (p = 1 / (1 + exp(-pi sinh s)), dp = pi cosh(s) p (1 - p) ds), which converges
 * double-exponentially despite the endpoint singularities of the Beta density; p and 1 - p
 * are both formed from their logs, so neither loses digits near its endpoint. Returned
 * times B(a, b) (the caller divides by the Beta function it wants). */
static double integral(double a, double b, double A, double g, double t)
{
    const double h = 1.0 / 128, pi = 3.14159265358979323846;
    double s = 0.0;
    for (int k = -640; k <= 640; k++) { /* s in [-5, 5]: p(1-p) < e^-230 at the ends */
        double sk = k * h, xk = pi * sinh(sk);
        double lp = -log1pexp(-xk), lq = -log1pexp(xk);
        s += inner(exp(lp), A, g, t) * exp(a * lp + b * lq) * pi * cosh(sk);
    }
    return s * h;
}

/* E[X(t)] by quadrature: FHL eq. 8 averaged over Gamma(r, alpha) (analytically) and
 * Beta(a, b) (numerically). Independent of 2F1. */
static double quad_expected_new(const double p[4], double t)
{
    return integral(p[2], p[3], p[0], p[1], t) / exp(rt_lbeta(p[2], p[3]));
}

/* E[Y(t) | x, t_x, T] by quadrature over the posterior of (lambda, p): the customer is alive
 * at T with joint weight (1-p)^x lambda^x e^(-lambda T) and then buys eq. 8's amount; the
 * likelihood (FHL eq. 4) normalises. Dividing everything by B(a, b) (alpha + T)^-(r + x)
 * Gamma(r + x) alpha^r / Gamma(r): numerator integral(a, b + x, r + x, alpha + T, t), and
 * denominator B(a, b + x) + [x > 0] B(a + 1, b + x - 1) ((alpha + T) / (alpha + t_x))^(r+x). */
static double quad_conditional(const double p[4], double x, double tx, double T, double t)
{
    double r = p[0], al = p[1], a = p[2], b = p[3];
    double num = integral(a, b + x, r + x, al + T, t);
    double den = exp(rt_lbeta(a, b + x));
    if (x > 0)
        den += exp(rt_lbeta(a + 1, b + x - 1) + (r + x) * log((al + T) / (al + tx)));
    return num / den;
}

static void conditional_expectation_matches_fader_hardie_lee(void)
{
    double e = rt_bgnbd_conditional_expected(published, 2, 30.43, 38.86, 39);
    printf("E[Y(39) | 2, 30.43, 38.86] = %.6f (published 1.226)\n", e);
    /* Published to 3 decimals: within half a unit of the last digit. */
    CHECK(fabs(e - 1.226) <= 5e-4);
}

static void palive_is_one_without_repeat_purchases(void)
{
    CHECK(rt_bgnbd_palive(published, 0, 0, 38.86) == 1.0);
    CHECK(rt_bgnbd_palive(published, 0, 0, 6000) == 1.0);
    /* x > 0: the note's closed form, written directly. */
    double d =
        1.0 / (1.0 + 0.793 / (2.426 + 2 - 1) * pow((4.414 + 38.86) / (4.414 + 30.43), 0.243 + 2));
    CHECK_NEAR(rt_bgnbd_palive(published, 2, 30.43, 38.86), d, 1e-14);
    /* A purchase at T leaves P(alive) = 1 / (1 + a / (b + x - 1)). */
    CHECK_NEAR(rt_bgnbd_palive(published, 3, 20, 20), 1.0 / (1.0 + 0.793 / 4.426), 1e-14);
    /* Less likely alive the longer since the last purchase. */
    CHECK(rt_bgnbd_palive(published, 3, 10, 20) < rt_bgnbd_palive(published, 3, 15, 20));
}

static void expected_new_matches_quadrature(void)
{
    const double pars[4][4] = {{0.243, 4.414, 0.793, 2.426},
                               {2.0, 5.0, 3.1, 1.5},
                               {0.7, 2.0, 1.0 + 3e-6, 1.2}, /* inside the a = 1 band */
                               {0.5, 10.0, 1.0, 4.0}};
    const double ts[4] = {1, 39, 78, 300};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) {
            double e = rt_bgnbd_expected_new(pars[i], ts[k]);
            double q = quad_expected_new(pars[i], ts[k]);
            /* tanh-sinh with h = 1/128 is near machine precision for this analytic
             * integrand; the 2F1 connection formula (t / (alpha + t) > 0.9) can lose a few
             * digits: 1e-9 relative. Inside the a = 1 band (i >= 2) the interpolation's
             * endpoints cancel, 1 - 2F1 ~ (a - 1) t / alpha, costing eps alpha / (1e-5 t)
             * relative: 1e-7 there. */
            CHECK_NEAR(e, q, i < 2 ? 1e-9 : 1e-7);
        }
    CHECK(rt_bgnbd_expected_new(published, 0) == 0.0);
    CHECK(rt_bgnbd_expected_new(published, 78) > rt_bgnbd_expected_new(published, 39));
    /* r + x - a a whole number with t / (alpha + t) > 0.99: the hypergeometric function's
     * logarithmic case, bridged by averaging over r -/+ 1e-5 (5 digits lost to cancellation
     * at the endpoints, O(1e-10) interpolation error: 1e-8 relative) */
    const double whole[3][4] = {
        {0.5, 1.0, 0.5, 2.0}, {1.5, 2.0, 0.5, 3.0}, {2.0, 0.5, 1.0 + 1e-3, 2.0}};
    const double far[3] = {200, 1000, 5000};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) {
            double e = rt_bgnbd_expected_new(whole[i], far[k]);
            CHECK_NEAR(e, quad_expected_new(whole[i], far[k]), 1e-8);
            CHECK_NEAR(rt_bgnbd_conditional_expected(whole[i], 0, 0, 0, far[k]), e, 1e-14);
        }
}

static void conditional_expectation_matches_quadrature(void)
{
    const double cases[6][4] = {{2, 30.43, 38.86, 39}, {0, 0, 38.86, 39},   {1, 2, 30, 10},
                                {10, 35, 38, 52},      {50, 300, 400, 200}, {800, 5900, 6000, 39}};
    for (int i = 0; i < 6; i++) {
        const double *c = cases[i];
        double e = rt_bgnbd_conditional_expected(published, c[0], c[1], c[2], c[3]);
        double q = quad_conditional(published, c[0], c[1], c[2], c[3]);
        CHECK_NEAR(e, q, 1e-9); /* as in expected_new_matches_quadrature */
    }
    /* With no history (x = 0, T = 0) the conditional expectation is E[X(t)]. */
    CHECK_NEAR(rt_bgnbd_conditional_expected(published, 0, 0, 0, 39),
               rt_bgnbd_expected_new(published, 39), 1e-14);
}

static void cdnow_holdout_total_is_close_to_actual(void)
{
    double sum = 0.0, quad = 0.0, xstar = 0.0;
    for (size_t i = 0; i < cbs_pat.n; i++) {
        sum += cbs_pat.w[i] * rt_bgnbd_conditional_expected(published, cbs_pat.x[i], cbs_pat.t_x[i],
                                                            cbs_pat.T[i], 39);
        quad += cbs_pat.w[i] *
                quad_conditional(published, cbs_pat.x[i], cbs_pat.t_x[i], cbs_pat.T[i], 39);
    }
    for (size_t i = 0; i < cbs_n; i++)
        xstar += cbs_xstar[i];
    printf("CDNOW 39-week holdout: expected %.2f (quadrature %.2f), actual %.0f\n", sum, quad,
           xstar);
    CHECK(xstar == 1882.0); /* the data README */
    /* The total is the model's, not a coding slip: quadrature agrees (tolerance as in
     * conditional_expectation_matches_quadrature). */
    CHECK_NEAR(sum, quad, 1e-9);
    /* No published holdout total could be found to cite. We get 1653.9, 12.1% under the
     * actual 1882 (the per-customer value 1.226 above matches FHL, so this is the model's
     * known under-forecast of CDNOW's holdout, not an error here): a sanity bound of 15%. */
    CHECK(fabs(sum - xstar) <= 0.15 * xstar);
}

static void predictions_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks(void)
{
    const double txs[3] = {10, 3000, 6000}, ts[3] = {1, 39, 5000};
    for (int i = 0; i < 3; i++) {
        double pa = rt_bgnbd_palive(published, 800, txs[i], 6000);
        CHECK(isfinite(pa) && pa >= 0 && pa <= 1);
        for (int k = 0; k < 3; k++) {
            double e = rt_bgnbd_conditional_expected(published, 800, txs[i], 6000, ts[k]);
            CHECK(isfinite(e) && e >= 0);
        }
    }
    CHECK(isfinite(rt_bgnbd_expected_new(published, 6000)));
}

static void invalid_input_gives_nan(void)
{
    const double bad[4] = {0.243, -1, 0.793, 2.426};
    CHECK(isnan(rt_bgnbd_expected_new(bad, 39)));
    CHECK(isnan(rt_bgnbd_expected_new(published, -1)));
    CHECK(isnan(rt_bgnbd_palive(published, 2, 40, 38))); /* t_x > T */
    CHECK(isnan(rt_bgnbd_palive(published, 0, 5, 38)));  /* t_x != 0 with x = 0 */
    CHECK(isnan(rt_bgnbd_conditional_expected(bad, 2, 30, 38, 39)));
    CHECK(isnan(rt_bgnbd_conditional_expected(published, -1, 0, 38, 39)));
}

/* ---- pmfs and MBG/NBD ---- */

static const double unrounded[4] = {0.242595, 4.413602, 0.792922, 2.425907};

static void new_customer_pmf_matches_published_zero_class(void)
{
    /* P(X(39) = 0) = 0.5737864 as quoted for FHL's CDNOW fit: it is (alpha/(alpha+t))^r at the
     * published (rounded) parameters; 7 digits, so half a unit of the 7th: 5e-8. */
    CHECK(fabs(rt_bgnbd_pmf_new(published, 39, 0) - 0.5737864) <= 5e-8);
    /* At the unrounded MLE the same closed form gives 0.5743065. */
    CHECK_NEAR(rt_bgnbd_pmf_new(unrounded, 39, 0), pow(4.413602 / 43.413602, 0.242595), 1e-15);
    CHECK(fabs(rt_bgnbd_pmf_new(unrounded, 39, 0) - 0.5743065) <= 5e-8);
}

/* The NBD(R, A) pmf at j for exposure t, and its tail P(N >= k) by brute-force summation in
 * long double (the terms rise to the mode and then fall geometrically). Independent of the
 * library's incomplete beta function. */
static double nbd_pmf(double R, double A, double t, int j)
{
    return exp(lgamma(R + j) - lgamma(R) - lgamma(j + 1.0) + R * log(A / (A + t)) +
               j * log(t / (A + t)));
}

static double nbd_tail(double R, double A, double t, int k)
{
    long double sum = 0.0L;
    for (int j = k; j < k + 1000000; j++) {
        long double g = (long double)nbd_pmf(R, A, t, j);
        sum += g;
        if (j > R * t / A + 10 && g < 1e-20L * sum)
            break;
    }
    return (double)sum;
}

/* P(Y(t) = k, data) over p for BG/NBD (m = 0) or MBG/NBD (m = 1), the gamma part done by the
 * gamma-Poisson mixture and everything divided by Gamma(r+x) alpha^r / (Gamma(r)
 * (alpha+T)^(r+x)): alive at T with weight (1-p)^(x+m), then k purchases in t with
 * probability (1-p)^k NBD(k) + [k > 0] p (1-p)^(k-1) P(NBD >= k) (FHL eq. 8 given p, lambda
 * averaged over its Gamma(r+x, alpha+T) posterior); or dropped out at the last purchase
 * (weight p (1-p)^(x+m-1) ((alpha+T)/(alpha+t_x))^(r+x), when x + m > 0) and k = 0. 'k' < 0
 * gives the likelihood itself (the normaliser). */
typedef struct cpmf_ctx {
    double a, b, xm, rd; /* Beta(a, b) prior; x + m; the dead/alive rate ratio */
    double g, tail;      /* NBD(k) and P(NBD >= k) under the posterior */
    int k;
} cpmf_ctx;

static double cpmf_integrand(double p, double lp, double l1p, void *vc)
{
    cpmf_ctx *c = vc;
    (void)p;
    double prior = exp((c->a - 1.0) * lp + (c->b - 1.0) * l1p);
    double dead = c->xm > 0 ? exp(lp + (c->xm - 1.0) * l1p) * c->rd : 0.0;
    double alive = exp(c->xm * l1p);
    if (c->k < 0)
        return prior * (alive + dead);
    double fut = exp(c->k * l1p) * c->g;
    if (c->k > 0)
        fut += exp(lp + (c->k - 1.0) * l1p) * c->tail;
    return prior * (alive * fut + (c->k == 0 ? dead : 0.0));
}

static double quad_pmf_conditional(const double *pr, int m, double x, double tx, double T, double t,
                                   int k)
{
    double r = pr[0], al = pr[1];
    cpmf_ctx c = {pr[2], pr[3], x + m, pow((al + T) / (al + tx), r + x), 0, 0, -1};
    double den = quad01(cpmf_integrand, &c, 128);
    c.k = k;
    c.g = nbd_pmf(r + x, al + T, t, k);
    c.tail = nbd_tail(r + x, al + T, t, k);
    return quad01(cpmf_integrand, &c, 128) / den;
}

static void pmfs_match_quadrature(void)
{
    const double pars[3][4] = {
        {0.243, 4.414, 0.793, 2.426}, {2.0, 5.0, 3.1, 1.5}, {0.7, 2.0, 1.0, 0.4}};
    const double hist[5][3] = {
        {0, 0, 0}, {0, 0, 38.86}, {2, 30.43, 38.86}, {7, 10, 52}, {50, 300, 400}};
    const int ks[5] = {0, 1, 2, 7, 40};
    for (int i = 0; i < 3; i++)
        for (int h = 0; h < 5; h++)
            for (int m = 0; m < 2; m++)
                for (int j = 0; j < 5; j++) {
                    const double *c = hist[h];
                    double q = quad_pmf_conditional(pars[i], m, c[0], c[1], c[2], 39, ks[j]);
                    double e = rt_bgnbd_pmf_conditional(pars[i], m, c[0], c[1], c[2], 39, ks[j]);
                    /* tanh-sinh at per_unit 128 and long-double sums are near machine
                     * precision; the library's logs of size up to ~400 cost ~1e-13: 1e-11,
                     * and below 1e-300 only absolute agreement is meaningful. */
                    if (q > 1e-290)
                        CHECK_NEAR(e, q, 1e-11);
                    else
                        CHECK(e < 1e-280);
                    /* A new customer is one with no history (x = 0, T = 0). */
                    if (h == 0) {
                        double nw = m ? rt_mbgnbd_pmf_new(pars[i], 39, ks[j])
                                      : rt_bgnbd_pmf_new(pars[i], 39, ks[j]);
                        CHECK_NEAR(nw, q, 1e-11);
                    }
                }
}

/* sum_k P(k) and sum_k k P(k) over k < kmax, by Neumaier summation. */
static void pmf_moments(double (*pmf)(int k, const double *arg), const double *arg, int kmax,
                        double *total, double *mean)
{
    double s = 0, cs = 0, e = 0, ce = 0;
    for (int k = 0; k < kmax; k++) {
        double p = pmf(k, arg), kp = k * p, ts = s + p, te = e + kp;
        cs += fabs(s) >= fabs(p) ? (s - ts) + p : (p - ts) + s;
        ce += fabs(e) >= fabs(kp) ? (e - te) + kp : (kp - te) + e;
        s = ts, e = te;
    }
    *total = s + cs, *mean = e + ce;
}

/* arg = (par[4], modified, x, t_x, T, t) */
static double pmf_cond_k(int k, const double *arg)
{
    return rt_bgnbd_pmf_conditional(arg, (int)arg[4], arg[5], arg[6], arg[7], arg[8], k);
}

static double pmf_new_k(int k, const double *arg)
{
    return arg[4] != 0 ? rt_mbgnbd_pmf_new(arg, arg[8], k) : rt_bgnbd_pmf_new(arg, arg[8], k);
}

static void pmfs_sum_to_one_with_the_expected_mean(void)
{
    const double hist[5][4] = {{2, 30.43, 38.86, 39},
                               {0, 0, 38.86, 39},
                               {0, 0, 38.86, 300},
                               {30, 50, 52, 104},
                               {800, 5900, 6000, 39}};
    for (int m = 0; m < 2; m++) {
        double total, mean;
        for (int h = 0; h < 5; h++) {
            const double *c = hist[h];
            double arg[9] = {unrounded[0], unrounded[1], unrounded[2], unrounded[3], m,
                             c[0],         c[1],         c[2],         c[3]};
            pmf_moments(pmf_cond_k, arg, 4000, &total, &mean);
            double e = m ? rt_mbgnbd_conditional_expected(unrounded, c[0], c[1], c[2], c[3])
                         : rt_bgnbd_conditional_expected(unrounded, c[0], c[1], c[2], c[3]);
            /* the tails beyond 4000 are below 1e-30 for these histories; each pmf is good to
             * ~1e-13 relative, the 2F1 behind E to ~1e-12: 1e-11 */
            CHECK_NEAR(total, 1.0, 1e-12);
            CHECK_NEAR(mean, e, 1e-11);
        }
        const double ts[3] = {1, 39, 300};
        for (int i = 0; i < 3; i++) {
            double arg[9] = {unrounded[0], unrounded[1], unrounded[2], unrounded[3], m, 0, 0, 0,
                             ts[i]};
            pmf_moments(pmf_new_k, arg, 20000, &total, &mean);
            double e = m ? rt_mbgnbd_expected_new(unrounded, ts[i])
                         : rt_bgnbd_expected_new(unrounded, ts[i]);
            /* r = 0.24 gives a long tail: at t = 300 the mass beyond 20000 is ~1e-15 */
            CHECK_NEAR(total, 1.0, 1e-12);
            CHECK_NEAR(mean, e, 1e-10);
        }
    }
}

/* MBG/NBD by quadrature over p, as quad_conditional but with an extra (1-p) in the alive
 * weight (the coin thrown at the first purchase) and the dropout term present at x = 0 too. */
static double quad_mbg_conditional(const double p[4], double x, double tx, double T, double t)
{
    double r = p[0], al = p[1], a = p[2], b = p[3];
    double num = integral(a, b + x + 1, r + x, al + T, t);
    double den = exp(rt_lbeta(a, b + x + 1)) +
                 exp(rt_lbeta(a + 1, b + x) + (r + x) * log((al + T) / (al + tx)));
    return num / den;
}

typedef struct palive_ctx {
    double a, b, xm, rd;
    int alive_only;
} palive_ctx;

/* The MBG/NBD likelihood over p (as cpmf_integrand's normaliser), or its alive part. */
static double palive_integrand(double p, double lp, double l1p, void *vc)
{
    palive_ctx *c = vc;
    (void)p;
    double prior = exp((c->a - 1.0) * lp + (c->b - 1.0) * l1p);
    double alive = exp(c->xm * l1p), dead = exp(lp + (c->xm - 1.0) * l1p) * c->rd;
    return prior * (alive + (c->alive_only ? 0.0 : dead));
}

static void mbgnbd_matches_quadrature(void)
{
    const double pars[3][4] = {
        {0.243, 4.414, 0.793, 2.426}, {2.0, 5.0, 3.1, 1.5}, {0.7, 2.0, 1.0 + 3e-6, 1.2}};
    const double cases[5][4] = {{2, 30.43, 38.86, 39},
                                {0, 0, 38.86, 39},
                                {1, 2, 30, 10},
                                {10, 35, 38, 52},
                                {50, 300, 400, 200}};
    for (int i = 0; i < 3; i++) {
        const double *pr = pars[i];
        for (int j = 0; j < 5; j++) {
            const double *c = cases[j];
            double e = rt_mbgnbd_conditional_expected(pr, c[0], c[1], c[2], c[3]);
            /* as conditional_expectation_matches_quadrature (1e-7 inside the a = 1 band) */
            CHECK_NEAR(e, quad_mbg_conditional(pr, c[0], c[1], c[2], c[3]), i < 2 ? 1e-9 : 1e-7);
            palive_ctx pc = {pr[2], pr[3], c[0] + 1,
                             pow((pr[1] + c[2]) / (pr[1] + c[1]), pr[0] + c[0]), 1};
            double alive = quad01(palive_integrand, &pc, 128);
            pc.alive_only = 0;
            /* a ratio of two tanh-sinh integrals: 1e-12 */
            CHECK_NEAR(rt_mbgnbd_palive(pr, c[0], c[1], c[2]),
                       alive / quad01(palive_integrand, &pc, 128), 1e-12);
        }
        for (int k = 0; k < 3; k++) {
            double t = k == 0 ? 1 : k == 1 ? 39 : 300;
            double q = integral(pr[2], pr[3] + 1, pr[0], pr[1], t) / exp(rt_lbeta(pr[2], pr[3]));
            CHECK_NEAR(rt_mbgnbd_expected_new(pr, t), q, i < 2 ? 1e-9 : 1e-7);
        }
    }
    /* Batislam et al.'s closed forms, written out directly at x = 0 and for E[X(t)]:
     * P(alive | 0, 0, T) = 1 / (1 + a/b ((alpha+T)/alpha)^r). */
    double d = 1.0 / (1.0 + 0.793 / 2.426 * pow((4.414 + 38.86) / 4.414, 0.243));
    CHECK_NEAR(rt_mbgnbd_palive(published, 0, 0, 38.86), d, 1e-14);
    /* MBG/NBD's customers can leave at the first purchase, so they buy less than BG/NBD's. */
    CHECK(rt_mbgnbd_expected_new(published, 39) < rt_bgnbd_expected_new(published, 39));
}

static void pmfs_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks(void)
{
    for (int m = 0; m < 2; m++)
        for (int k = 0; k <= 300; k += 20) {
            double p = rt_bgnbd_pmf_conditional(unrounded, m, 800, 5990, 6000, 5000, k);
            CHECK(isfinite(p) && p >= 0 && p <= 1);
        }
    CHECK(rt_bgnbd_pmf_new(unrounded, 6000, 3000) > 0);
    CHECK(isfinite(rt_mbgnbd_palive(unrounded, 800, 10, 6000)));
}

static void pmf_invalid_input_gives_nan(void)
{
    const double bad[4] = {0.243, 4.414, 0, 2.426};
    CHECK(isnan(rt_bgnbd_pmf_new(bad, 39, 0)));
    CHECK(isnan(rt_bgnbd_pmf_new(published, 39, -1)));
    CHECK(isnan(rt_bgnbd_pmf_new(published, -1, 0)));
    CHECK(isnan(rt_mbgnbd_pmf_new(published, (double)NAN, 0)));
    CHECK(isnan(rt_mbgnbd_expected_new(bad, 39)));
    CHECK(isnan(rt_mbgnbd_palive(published, 1, 5, 4)));
    CHECK(isnan(rt_mbgnbd_conditional_expected(published, 1, 2, 4, -1)));
    CHECK(isnan(rt_bgnbd_pmf_conditional(published, 2, 1, 2, 4, 1, 0))); /* modified = 2 */
    CHECK(isnan(rt_bgnbd_pmf_conditional(published, 0, 0, 3, 4, 1, 0))); /* t_x != 0, x = 0 */
    CHECK(rt_bgnbd_pmf_new(published, 0, 0) == 1.0 && rt_bgnbd_pmf_new(published, 0, 2) == 0.0);
}

int main(void)
{
    if (load_cbs() != 0) {
        fprintf(stderr, "cannot read %s\n", CBS_PATH);
        test_failed++;
        return test_report();
    }
    CHECK(compress_cbs() == 0);
    TEST(conditional_expectation_matches_fader_hardie_lee);
    TEST(palive_is_one_without_repeat_purchases);
    TEST(expected_new_matches_quadrature);
    TEST(conditional_expectation_matches_quadrature);
    TEST(cdnow_holdout_total_is_close_to_actual);
    TEST(predictions_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks);
    TEST(invalid_input_gives_nan);
    TEST(new_customer_pmf_matches_published_zero_class);
    TEST(pmfs_match_quadrature);
    TEST(pmfs_sum_to_one_with_the_expected_mean);
    TEST(mbgnbd_matches_quadrature);
    TEST(pmfs_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks);
    TEST(pmf_invalid_input_gives_nan);
    rt_btyd_patterns_free(&cbs_pat);
    return test_report();
}
