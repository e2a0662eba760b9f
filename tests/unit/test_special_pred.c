/* test_special_pred.c - the prediction formulas' special functions (src/models/special_pred.c)
 * against closed forms, brute-force sums, numerical integration (tests/quad.h) and reference
 * values computed with mpmath at 50 digits (the values are committed, not mpmath).
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/special_pred.h"
#include "quad.h"

/* ---- incomplete beta ---- */

static void betainc_matches_closed_forms(void)
{
    /* I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b, also far in the tails. The value is
     * exp of a sum of logs of size L (here up to 230), each good to ~1e-16 relative, so it
     * carries ~1e-16 L relative error, and so does its complement's log1p: 1e-13. */
    double lc, l;
    l = rt_log_betainc(50.0, 1.0, 0.01, 0.99, &lc);
    CHECK_NEAR(l, 50.0 * log(0.01), 1e-14); /* a log: relative to L itself */
    CHECK_NEAR(lc, log1p(-pow(0.01, 50.0)), 1e-13);
    l = rt_log_betainc(1.0, 300.0, 0.2, 0.8, &lc);
    CHECK_NEAR(lc, 300.0 * log(0.8), 1e-14);
    CHECK_NEAR(l, log1p(-pow(0.8, 300.0)), 1e-13);
    l = rt_log_betainc(2.5, 1.0, 0.999, 0.001, &lc);
    CHECK_NEAR(l, 2.5 * log(0.999), 1e-13);
    CHECK_NEAR(lc, log(-expm1(2.5 * log1p(-0.001))), 1e-13);
    CHECK(rt_log_betainc(2.0, 3.0, 0.0, 1.0, &lc) == -HUGE_VAL && lc == 0.0);
    CHECK(rt_log_betainc(2.0, 3.0, 1.0, 0.0, &lc) == 0.0 && lc == -HUGE_VAL);
}

/* P(N >= k) for N ~ NBD(r, p), integer r, by the brute-force lower sum in long double, and
 * the upper sum when the tail is small: the same quantity as I_{1-p}(k, r). */
static double nbd_tail(int r, double p, int k)
{
    long double q = 1.0L - (long double)p, lower = 0.0L, t = powl((long double)p, r);
    for (int j = 0; j < k; j++) {
        lower += t;
        t *= q * (long double)(r + j) / (long double)(j + 1);
    }
    if (lower < 0.5L)
        return (double)(1.0L - lower);
    long double upper = 0.0L;
    for (int j = k; j < k + 100000 && t > 1e-30L * upper; j++) {
        upper += t;
        t *= q * (long double)(r + j) / (long double)(j + 1);
    }
    return (double)upper;
}

static void betainc_is_the_nbd_tail(void)
{
    const int rs[3] = {1, 3, 20}, ks[4] = {1, 5, 40, 200};
    const double ps[3] = {0.9, 0.3, 0.02};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int m = 0; m < 4; m++) {
                double want = nbd_tail(rs[i], ps[j], ks[m]);
                if (!(want > 1e-280))
                    continue;
                double got = exp(rt_log_betainc(ks[m], rs[i], 1.0 - ps[j], ps[j], NULL));
                /* long double sums are good to ~1e-18 per term. The prefactor
                 * x^a y^b / B(a, b) comes from logs of size L up to ~600 here, costing
                 * ~1e-16 L relative (and 3x more in a complement of 0.23): 1e-12. */
                CHECK_NEAR(got, want, 1e-12);
            }
}

typedef struct beta_ctx {
    double a, b, x;
} beta_ctx;

/* u^(a-1) (1-u)^(b-1) at u = x v, times x (the integral over (0, x) mapped onto (0, 1)). */
static double beta_integrand(double v, double lv, double l1v, void *vc)
{
    beta_ctx *c = vc;
    (void)l1v;
    return exp((c->a - 1.0) * (log(c->x) + lv) + (c->b - 1.0) * log1p(-c->x * v)) * c->x;
}

static void betainc_scaled_matches_quadrature(void)
{
    const double cases[5][3] = {
        {1.5, 0.8, 0.3}, {3.0, 1.1, 0.95}, {200.0, 1.0, 0.99}, {0.4, 6.0, 0.01}, {11.0, 0.6, 0.5}};
    for (int i = 0; i < 5; i++) {
        beta_ctx c = {cases[i][0], cases[i][1], cases[i][2]};
        double q = quad01(beta_integrand, &c, 128) / (pow(c.x, c.a) * pow(1.0 - c.x, c.b));
        /* tanh-sinh at per_unit 128 is near machine precision here: 1e-12 */
        CHECK_NEAR(rt_betainc_scaled(c.a, c.b, c.x, 1.0 - c.x), q, 1e-12);
    }
}

/* ---- gamma Stieltjes transform ---- */

typedef struct q_ctx {
    double s, z;
} q_ctx;

/* e^-v (1 + v/z)^-s: Q(s, z) is its integral over v in (0, inf). */
static double q_integrand(double v, double w, void *vc)
{
    q_ctx *c = vc;
    (void)w;
    return exp(-v - c->s * log1p(v / c->z));
}

static void gamma_stieltjes_matches_mpmath(void)
{
    /* z^s e^z Gamma(1 - s, z) by mpmath (gammainc) at 50 digits; rounded to 20. */
    const double ref[11][3] = {
        {0.606, 0.03, 0.19945955191474922206}, {0.606, 0.1373, 0.39100613456611826811},
        {1.0, 0.1, 0.20146425447084517466},    {1.0, 1e-6, 0.000013238309131365002902},
        {2.0, 0.5, 0.26927234187906738279},    {3.0, 0.9, 0.27826149311002476008},
        {0.5, 2.0, 0.84273845857610894645},    {1.5, 10.0, 0.87826774139446546085},
        {7.25, 0.2, 0.030835064640040757176},  {20.0, 0.001, 0.000052628655142748109827},
        {0.05, 50.0, 0.99902018765081150022}};
    for (int i = 0; i < 11; i++)
        /* the series and the fraction each lose a few ulps: 1e-14 */
        CHECK_NEAR(rt_gamma_stieltjes(ref[i][0], ref[i][1]), ref[i][2], 1e-14);
}

static void gamma_stieltjes_matches_quadrature_and_closed_forms(void)
{
    const double ss[8] = {0.1, 0.5, 0.606, 1.0, 1.0 + 1e-9, 2.0 - 3e-6, 4.5, 16.0};
    const double zs[6] = {1e-5, 0.01, 0.3, 0.999, 1.0, 40.0};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 6; j++) {
            q_ctx c = {ss[i], zs[j]};
            /* w = log v over [-60, 5] with step 0.01: the integrand falls like e^w below and
             * double-exponentially above; its nearest singularity is at Im w = pi, so the
             * trapezoid's error is ~e^(-2 pi^2 / h): 1e-13 covers the summation's rounding. */
            double q = quad0inf(q_integrand, &c, -60.0, 5.0, 0.01);
            CHECK_NEAR(rt_gamma_stieltjes(ss[i], zs[j]), q, 1e-13);
        }
    /* s = 1/2: sqrt(pi z) e^z erfc(sqrt z) (Gamma(1/2, z) = sqrt(pi) erfc(sqrt z)). */
    const double pi = 3.14159265358979323846;
    for (double z = 0.001; z < 0.9; z *= 3.0)
        CHECK_NEAR(rt_gamma_stieltjes(0.5, z), sqrt(pi * z) * exp(z) * erfc(sqrt(z)), 1e-14);
    CHECK(rt_gamma_stieltjes(0.7, 0.0) == 0.0);
    CHECK(isnan(rt_gamma_stieltjes(0.0, 1.0)));
    CHECK(isnan(rt_gamma_stieltjes(1.0, -1.0)));
}

/* ---- 2F1(1, b; c; -y) ---- */

typedef struct h_ctx {
    double b, c, y;
} h_ctx;

/* 1 / (1 + y u) times the Beta(b, c - b) density, without its normalising constant. */
static double h_integrand(double u, double lu, double l1u, void *vc)
{
    h_ctx *c = vc;
    return exp((c->b - 1.0) * lu + (c->c - c->b - 1.0) * l1u) / (1.0 + c->y * u);
}

static void hyp2f1_one_neg_matches_quadrature_series_and_log(void)
{
    const double cases[6][3] = {{0.657, 4.44, 10.0}, {0.657, 9.44, 1000.0}, {2.5, 3.0, 0.3},
                                {1.0, 1.5, 1e5},     {0.2, 2000.0, 50.0},   {30.0, 31.0, 5.0}};
    for (int i = 0; i < 6; i++) {
        h_ctx c = {cases[i][0], cases[i][1], cases[i][2]}, c0 = c;
        c0.y = 0.0; /* the density's own integral normalises (lgammas of 2000 would cost
                     * 1e-12) */
        double q = quad01(h_integrand, &c, 128) / quad01(h_integrand, &c0, 128);
        /* tanh-sinh resolves the pole at u = -1/y next to the endpoint: 1e-12 */
        CHECK_NEAR(rt_hyp2f1_one_neg(c.b, c.c, c.y), q, 1e-12);
    }
    /* 2F1(1, 1; 2; -y) = log(1 + y) / y */
    for (double y = 1e-3; y < 1e6; y *= 7.0)
        CHECK_NEAR(rt_hyp2f1_one_neg(1.0, 2.0, y), log1p(y) / y, 1e-14);
    /* the power series for y < 1: sum (b)_m / (c)_m (-y)^m */
    double b = 0.657, cc = 7.44, y = 0.4, t = 1.0, s = 1.0;
    for (int m = 0; m < 200; m++) {
        t *= (b + m) / (cc + m) * -y;
        s += t;
    }
    CHECK_NEAR(rt_hyp2f1_one_neg(b, cc, y), s, 1e-14);
    CHECK(rt_hyp2f1_one_neg(0.5, 1.5, 0.0) == 1.0);
    CHECK(isnan(rt_hyp2f1_one_neg(2.0, 1.5, 1.0))); /* c <= b */
}

/* ---- log Gamma(y + e) - log Gamma(y) ---- */

static void lgamma_shift_matches_mpmath_and_lgamma(void)
{
    /* mpmath loggamma(y + e) - loggamma(y) at 50 digits */
    const double ref[12][3] = {{0.3, 1e-9, -3.5025242160774510825e-9},
                               {3.7834, -0.343282, -0.39097147376139669974},
                               {29.5, 1e-6, 3.3673453811165865714e-6},
                               {1000.5, -0.2, -1.3815310627979596789},
                               {6.783442, -1e-12, -1.8389686453633726058e-12},
                               {1e6, 0.656718, 9.0728943498854541424},
                               {35.0, 20.5, 77.740678617642690338},
                               {40.0, -25.3, -82.239719254774748269},
                               {0.3, 29.0, 67.800505030523813869},
                               {800.0, 30.0, 201.07553877027132535},
                               {30.5, -0.999, -3.3810229007424237402},
                               {1e5, -999.5, -11502.152252988594737}};
    for (int i = 0; i < 12; i++)
        /* rising products and Stirling's series, a few roundings each: 1e-14 */
        CHECK_NEAR(rt_lgamma_shift(ref[i][0], ref[i][1]), ref[i][2], 1e-14);
    /* log B(3, 800) and log B(29.7, 31) by mpmath */
    CHECK_NEAR(rt_lbeta_acc(3.0, 800.0), -19.364434102042855, 1e-15);
    CHECK_NEAR(rt_lbeta_acc(29.7, 31.0), -42.496647666582760, 1e-14);
    /* e = 1, 2: log y, log y (y + 1), on both sides of the Stirling threshold 30 */
    const double ys[4] = {0.5, 12.25, 30.0, 4321.5};
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(rt_lgamma_shift(ys[i], 1.0), log(ys[i]), 1e-14);
        CHECK_NEAR(rt_lgamma_shift(ys[i], 2.0), log(ys[i] * (ys[i] + 1.0)), 1e-14);
    }
    CHECK(rt_lgamma_shift(5.0, 0.0) == 0.0);
    CHECK(isnan(rt_lgamma_shift(0.5, -0.6)));
}

int main(void)
{
    TEST(betainc_matches_closed_forms);
    TEST(betainc_is_the_nbd_tail);
    TEST(betainc_scaled_matches_quadrature);
    TEST(gamma_stieltjes_matches_mpmath);
    TEST(gamma_stieltjes_matches_quadrature_and_closed_forms);
    TEST(hyp2f1_one_neg_matches_quadrature_series_and_log);
    TEST(lgamma_shift_matches_mpmath_and_lgamma);
    return test_report();
}
