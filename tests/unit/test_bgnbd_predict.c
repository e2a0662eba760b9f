/* test_bgnbd_predict.c - BG/NBD predictions (src/models/bgnbd_predict.c) against FHL (2005)'s
 * published CDNOW value, numerical integration over the model's mixing distributions, and the
 * CDNOW holdout.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/bgnbd.h"
#include "models/bgnbd_predict.h"
#include "models/special.h"

#include <stdlib.h>

#include "cdnow.h"

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
    rt_btyd_patterns_free(&cbs_pat);
    return test_report();
}
