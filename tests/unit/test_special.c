/* test_special.c - digamma and 2F1 (src/models/special.c) against closed forms, Gauss's sum
 * and a long double power series summed to convergence.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/special.h"

#define EULER_GAMMA 0.57721566490153286061

/* 2F1(a, b; c; z) by its power series in long double, |z| < 1, until the terms are below
 * 1e-22 of the sum (after the parameters are past their sign changes). */
static long double ref_series(double ad, double bd, double cd, double zd)
{
    long double a = (long double)ad, b = (long double)bd, c = (long double)cd, z = (long double)zd;
    long double sum = 1.0L, t = 1.0L;
    for (int n = 0; n < 2000000; n++) {
        t *= z * (a + n) * (b + n) / ((c + n) * (n + 1));
        sum += t;
        if (t == 0.0L)
            break;
        if (n > 10 && a + n > 0 && b + n > 0 && fabsl(t) < 1e-22L * fabsl(sum))
            break;
    }
    return sum;
}

static void digamma_matches_known_values(void)
{
    /* psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2, psi(2) = 1 - gamma: the asymptotic series
     * after the recurrence is good to ~1e-15 here, so 1e-13 relative. */
    CHECK_NEAR(rt_digamma(1.0), -EULER_GAMMA, 1e-13);
    CHECK_NEAR(rt_digamma(0.5), -EULER_GAMMA - 2.0 * log(2.0), 1e-13);
    CHECK_NEAR(rt_digamma(2.0), 1.0 - EULER_GAMMA, 1e-13);
    /* psi(1/4) = -gamma - pi/2 - 3 log 2 (Gauss's digamma theorem). */
    CHECK_NEAR(rt_digamma(0.25), -EULER_GAMMA - M_PI / 2 - 3.0 * log(2.0), 1e-13);
    /* The recurrence psi(x + 1) = psi(x) + 1/x across the switch to the series at 6. */
    const double xs[5] = {0.3, 2.7, 5.5, 10.5, 250.25};
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(rt_digamma(xs[i] + 1.0), rt_digamma(xs[i]) + 1.0 / xs[i], 1e-13);
    CHECK(isnan(rt_digamma(0.0)) && isnan(rt_digamma(-1.5)));
}

static void hyp2f1_matches_log_closed_form(void)
{
    /* 2F1(1, 1; 2; z) = -log(1 - z) / z: c - a - b = 0, the integer case, so z > 0.5 is
     * summed directly up to 0.99 and z < 0 goes through Pfaff (argument z / (z - 1)). */
    const double zs[7] = {0.3, -0.4, 0.8, 0.98, -0.7, -3.0, -40.0};
    for (int i = 0; i < 7; i++)
        CHECK_NEAR(rt_hyp2f1(1, 1, 2, zs[i]), -log1p(-zs[i]) / zs[i], 1e-14);
    rt_hyp_flag fl;
    CHECK(isnan(rt_hyp2f1_ex(1, 1, 2, 0.995, &fl)) && fl == RT_HYP_UNSUPPORTED);
}

static void hyp2f1_matches_power_closed_form(void)
{
    /* 2F1(a, b; b; z) = (1 - z)^-a; c - a - b = -a is not an integer, so 0.9 < z < 1 (and
     * z < -9 after Pfaff) uses the 1 - z connection formula. */
    const double zs[8] = {0.2, 0.45, 0.7, 0.97, 0.999999, -0.3, -5.0, -1e4};
    for (int i = 0; i < 8; i++) {
        CHECK_NEAR(rt_hyp2f1(0.3, 1.7, 1.7, zs[i]), pow(1.0 - zs[i], -0.3), 1e-13);
        CHECK_NEAR(rt_hyp2f1(2.6, 0.45, 0.45, zs[i]), pow(1.0 - zs[i], -2.6), 1e-13);
    }
}

static void hyp2f1_matches_asin_and_asinh(void)
{
    /* 2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z (c - a - b = 1/2: connection formula above 0.9);
     * 2F1(1/2, 1/2; 3/2; -y^2) = asinh(y) / y (Pfaff, then c - a - b = 0: series). */
    const double zs[5] = {0.1, 0.6, 0.9, 0.995, 0.99999};
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(rt_hyp2f1(0.5, 0.5, 1.5, zs[i] * zs[i]), asin(zs[i]) / zs[i], 1e-13);
    const double ys[4] = {0.3, 1.0, 2.0, 7.0};
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(rt_hyp2f1(0.5, 0.5, 1.5, -ys[i] * ys[i]), asinh(ys[i]) / ys[i], 1e-13);
}

static void hyp2f1_at_one_is_gauss_sum_and_the_limit_agrees(void)
{
    /* Gauss: 2F1(a, b; c; 1) = G(c) G(c-a-b) / (G(c-a) G(c-b)) for c > a + b. Values from
     * tgamma; the limit z -> 1 from the connection formula differs by O((1 - z)^(c-a-b)). */
    const double a = 0.3, b = 0.4, c = 1.5, d = c - a - b;
    double gauss = tgamma(c) * tgamma(d) / (tgamma(c - a) * tgamma(c - b));
    CHECK_NEAR(rt_hyp2f1(a, b, c, 1.0), gauss, 1e-13);
    CHECK_NEAR(rt_hyp2f1(a, b, c, 1.0 - 1e-12), gauss, 1e-8); /* (1e-12)^0.8 ~ 2.5e-10 */
    /* 2F1(1, 1; 3; 1) = 2 (c - a - b = 1, integer: Gauss's sum still applies at z = 1). */
    CHECK_NEAR(rt_hyp2f1(1, 1, 3, 1.0), 2.0, 1e-13);
    rt_hyp_flag fl;
    CHECK(isnan(rt_hyp2f1_ex(1, 1, 2, 1.0, &fl)) && fl == RT_HYP_DOMAIN); /* diverges */
    CHECK(isnan(rt_hyp2f1_ex(1, 1, 2, 1.5, &fl)) && fl == RT_HYP_DOMAIN);
    CHECK(isnan(rt_hyp2f1_ex(1, 1, -2, 0.5, &fl)) && fl == RT_HYP_DOMAIN);
    CHECK(rt_hyp2f1_ex(1, 1, 2, 0.25, &fl) > 0 && fl == RT_HYP_OK);
}

static void hyp2f1_matches_long_double_series(void)
{
    /* General parameters: series (z >= 0) and Pfaff (z < 0). The reference is the defining
     * series in long double (64-bit mantissa) to 1e-22; where all terms have one sign our
     * value is good to a few ulps, so 1e-13; 1e-12 where the series is long (z >= 0.6: up
     * to ~500 terms of accumulated rounding) or large (12.5, 3.5; 13.5: terms up to ~1e3). */
    const double cases[][5] = {
        {1.3, 2.7, 4.1, 0.45, 1e-13},   {0.7, 1.9, 2.2, -0.4, 1e-13},
        {1.5, 2.25, 3.1, -0.9, 1e-13},  {2.5, 0.6, 3.9, 0.3, 1e-13},
        {-0.5, 1.5, 2.5, -0.45, 1e-13}, {2.5, 0.6, 3.9, 0.8, 1e-12},
        {0.5, 1.5, 1.25, 0.93, 1e-12},  {3.2, 1.1, 5.05, 0.75, 1e-12},
        {12.5, 3.5, 13.5, 0.6, 1e-12},  {0.25, 0.75, 2.0, 0.9, 1e-12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *k = cases[i];
        long double ref = ref_series(k[0], k[1], k[2], k[3]);
        CHECK_NEAR(rt_hyp2f1(k[0], k[1], k[2], k[3]), (double)ref, k[4]);
    }
}

static void hyp2f1_polynomial_cases_terminate(void)
{
    /* a = -3: a cubic in z, exact. */
    const double zs[3] = {0.3, -2.0, 0.9};
    for (int i = 0; i < 3; i++) {
        double z = zs[i];
        double p = 1.0 + (-3.0 * 2.0 / 1.5) * z +
                   (-3.0 * -2.0 * 2.0 * 3.0) / (1.5 * 2.5 * 2.0) * z * z +
                   (-3.0 * -2.0 * -1.0 * 2.0 * 3.0 * 4.0) / (1.5 * 2.5 * 3.5 * 6.0) * z * z * z;
        CHECK_NEAR(rt_hyp2f1(-3.0, 2.0, 1.5, z), p, 1e-13);
    }
}

static void log_hyp2f1_a1_matches_direct_series_for_large_parameters(void)
{
    /* log 2F1(a, b; a + 1; z) for the Pareto/NBD shapes, a = r + s + x with x in the hundreds:
     * the direct series has terms up to ~(1 - z)^-b (1e250 at b = 250, z = 0.9), fine in long
     * double; ours goes through Euler's transformation with terms below z^n. Agreement
     * 1e-13 relative on the log (|log F| up to ~600). */
    const double cases[][3] = {{300.6, 250.5, 0.3}, {300.6, 250.5, 0.9}, {301.1, 1.6, 0.97},
                               {1.2, 0.55, 0.5},    {1.2, 0.55, 0.999},  {2.2, 1.6, 0.0},
                               {800.7, 800.1, 0.2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *k = cases[i];
        long double ref = logl(ref_series(k[0], k[1], k[0] + 1.0, k[2]));
        double v = rt_log_hyp2f1_a1(k[0], k[1], k[2]);
        CHECK(fabs(v - (double)ref) <= 1e-13 * fmax(1.0, fabs((double)ref)));
    }
    /* And against rt_hyp2f1 where that does not overflow. */
    CHECK_NEAR(rt_log_hyp2f1_a1(3.3, 1.4, 0.7), log(rt_hyp2f1(3.3, 1.4, 4.3, 0.7)), 1e-12);
    CHECK(isnan(rt_log_hyp2f1_a1(1.0, 2.5, 0.5)));  /* b >= a + 1 */
    CHECK(isnan(rt_log_hyp2f1_a1(1.0, 0.5, 1.0)));  /* z = 1 */
    CHECK(isnan(rt_log_hyp2f1_a1(1.0, 0.5, -0.1))); /* z < 0 */
}

/* log 2F1(a, b; a + 1; z) by the direct long double series (no Euler transformation). */
static long double ref_log_a1(long double a, long double b, long double z)
{
    return logl(ref_series((double)a, (double)b, (double)(a + 1.0L), (double)z));
}

/* d/dv of a smooth g at v by the five-point stencil in long double: error h^4 g^(5) / 30 plus
 * rounding ~1e-19 |g| / h. */
static long double five_point(long double (*g)(long double v, const long double *k),
                              const long double *k, long double v, long double h)
{
    return (-g(v + 2 * h, k) + 8 * g(v + h, k) - 8 * g(v - h, k) + g(v - 2 * h, k)) / (12 * h);
}

static long double g_of_a(long double v, const long double *k)
{
    return ref_log_a1(v, k[1], k[2]);
}

static long double g_of_b(long double v, const long double *k)
{
    return ref_log_a1(k[0], v, k[2]);
}

static void log_hyp2f1_a1_grad_matches_long_double_references(void)
{
    /* The value against rt_log_hyp2f1_a1 (same series, a stricter stop: ~1e-16 apart); d/dz
     * against the closed form d/dz 2F1(a, b; c; z) = (a b / c) 2F1(a+1, b+1; c+1; z) from long
     * double series; d/da, d/db against five-point differences of the direct long double
     * series (h = 1e-3 relative to max(1, a or b): truncation ~1e-13, rounding ~1e-16, of the
     * value's scale). Cases: the Pareto/NBD shapes with x from 0 to the hundreds, z from 0 to
     * 0.99, and b near a + 1 (a tiny first series parameter a + 1 - b). Tolerance 1e-9 of
     * max(1, |derivative|): what the 1e-17 stopping rule and the references support with
     * room. The parameters are exact in double, so the references see the same ones. */
    const double cases[][3] = {{1.3, 1.6, 0.4},     {1.3, 1.6, 0.0},   {1.3, 0.55, 0.97},
                               {0.2, 1.19, 0.5},    {301.1, 1.6, 0.6}, {300.6, 250.5, 0.3},
                               {300.6, 250.5, 0.9}, {2.2, 1.6, 0.999}, {50.5, 50.25, 0.05},
                               {0.05, 0.02, 0.99},  {0.3, 1.299, 0.6}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double a = cases[i][0], b = cases[i][1], z = cases[i][2], d[3];
        double v = rt_log_hyp2f1_a1_grad(a, b, z, d);
        CHECK_NEAR(v, rt_log_hyp2f1_a1(a, b, z), 1e-14);
        long double al = (long double)a, bl = (long double)b, k[3] = {al, bl, (long double)z};
        long double da = five_point(g_of_a, k, al, 1e-3L * fmaxl(1.0L, al));
        long double db = five_point(g_of_b, k, bl, 1e-3L * fmaxl(1.0L, bl));
        long double dz = al * bl / (al + 1.0L) * ref_series(a + 1.0, b + 1.0, a + 2.0, z) /
                         ref_series(a, b, a + 1.0, z);
        CHECK(fabs(d[0] - (double)da) <= 1e-9 * fmax(1.0, fabs((double)da)));
        CHECK(fabs(d[1] - (double)db) <= 1e-9 * fmax(1.0, fabs((double)db)));
        CHECK(fabs(d[2] - (double)dz) <= 1e-9 * fmax(1.0, fabs((double)dz)));
        if (fabs(d[0] - (double)da) > 1e-9 * fmax(1.0, fabs((double)da)) ||
            fabs(d[1] - (double)db) > 1e-9 * fmax(1.0, fabs((double)db)) ||
            fabs(d[2] - (double)dz) > 1e-9 * fmax(1.0, fabs((double)dz)))
            fprintf(stderr, "  case %zu: %.17g %.17g %.17g vs %.17Lg %.17Lg %.17Lg\n", i, d[0],
                    d[1], d[2], da, db, dz);
    }
    double d[3];
    CHECK(isnan(rt_log_hyp2f1_a1_grad(1.0, 2.5, 0.5, d)) && isnan(d[0]) && isnan(d[2]));
    CHECK(isnan(rt_log_hyp2f1_a1_grad(1.0, 0.5, 1.0, d)) && isnan(d[1]));
}

int main(void)
{
    TEST(digamma_matches_known_values);
    TEST(hyp2f1_matches_log_closed_form);
    TEST(hyp2f1_matches_power_closed_form);
    TEST(hyp2f1_matches_asin_and_asinh);
    TEST(hyp2f1_at_one_is_gauss_sum_and_the_limit_agrees);
    TEST(hyp2f1_matches_long_double_series);
    TEST(hyp2f1_polynomial_cases_terminate);
    TEST(log_hyp2f1_a1_matches_direct_series_for_large_parameters);
    TEST(log_hyp2f1_a1_grad_matches_long_double_references);
    return test_report();
}
