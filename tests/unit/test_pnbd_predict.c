/* test_pnbd_predict.c - Pareto/NBD predictions (src/models/pnbd_predict.c) against numerical
 * integration written from the model's assumptions (tests/quad.h): over the lifetime for the
 * new customer's pmf, over the posterior of (lambda, mu) for the conditional pmf, over time
 * for DERT; and the pmfs' own sums and means.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/pnbd.h"
#include "models/pnbd_predict.h"
#include "quad.h"

/* CDNOW, FHL 2005 ("RFM and CLV", and the Pareto/NBD note): r, alpha, s, beta */
static const double cdnow[4] = {0.5534, 10.5776, 0.6061, 11.6650};

/* Parameter sets: CDNOW (alpha < beta), alpha > beta, alpha = beta, s = 1, alpha << beta and
 * alpha >> beta (the pmf's series at kap = 0.98 and 0.99). */
static const double sets[6][4] = {{0.5534, 10.5776, 0.6061, 11.6650},
                                  {0.5534, 10.5776, 0.6061, 3.0},
                                  {1.5, 7.0, 2.5, 7.0},
                                  {0.8, 3.0, 1.0, 20.0},
                                  {2.0, 1.0, 1.5, 50.0},
                                  {0.3, 100.0, 0.4, 1.0}};

/* ---- new customer ---- */

typedef struct new_ctx {
    double r, al, s, be, t;
    int k;
} new_ctx;

/* log NBD(k; u) = log Gamma(r+k)/(Gamma(r) k!) (alpha/(alpha+u))^r (u/(alpha+u))^k */
static double log_nbd(double r, double al, double u, int k)
{
    return lgamma(r + k) - lgamma(r) - lgamma(k + 1.0) - r * log1p(u / al) +
           (k ? k * (log(u) - log(al + u)) : 0.0);
}

/* NBD(k; u) s beta^s (beta+u)^-(s+1) at u = t v, times t: the customer dies at u (the Lomax
 * density of the exponential-gamma lifetime) having bought k times by then. */
static double died_integrand(double v, double lv, double l1v, void *vc)
{
    new_ctx *c = vc;
    (void)v, (void)l1v;
    double u = c->t * exp(lv);
    return exp(log_nbd(c->r, c->al, u, c->k) + log(c->s) + c->s * log(c->be) -
               (c->s + 1.0) * log(c->be + u)) *
           c->t;
}

static double quad_pmf_new(const double p[4], double t, int k)
{
    new_ctx c = {p[0], p[1], p[2], p[3], t, k};
    double alive = exp(log_nbd(p[0], p[1], t, k) - p[2] * log1p(t / p[3]));
    return alive + quad01(died_integrand, &c, 128);
}

static void new_customer_pmf_matches_quadrature_over_the_lifetime(void)
{
    const double ts[3] = {1, 39, 300};
    const int ks[6] = {0, 1, 2, 7, 40, 200};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 3; j++)
            for (int m = 0; m < 6; m++) {
                double q = quad_pmf_new(sets[i], ts[j], ks[m]);
                double e = rt_pnbd_pmf_new(sets[i], ts[j], ks[m]);
                /* tanh-sinh at per_unit 128 is near machine precision for this smooth
                 * integrand; both sides form logs of size up to ~1000 (k = 200), costing
                 * ~1e-13 relative: 1e-11. Below 1e-290 only "tiny" is meaningful. */
                if (q > 1e-290)
                    CHECK_NEAR(e, q, 1e-11);
                else
                    CHECK(e < 1e-280);
            }
    CHECK(rt_pnbd_pmf_new(cdnow, 0, 0) == 1.0 && rt_pnbd_pmf_new(cdnow, 0, 3) == 0.0);
    /* Extremes: alpha and beta 1000-fold apart with s = 200, where the series' terms and
     * their two factors span ~1e500 (the scaled sums) and need ~1e5 terms. */
    const double ext[2][4] = {{0.5, 1.0, 200.0, 1000.0}, {0.5, 1000.0, 200.0, 1.0}};
    const int kx[3] = {0, 1, 40};
    for (int i = 0; i < 2; i++)
        for (int m = 0; m < 3; m++) {
            double q = quad_pmf_new(ext[i], 300, kx[m]);
            if (q > 1e-290)
                CHECK_NEAR(rt_pnbd_pmf_new(ext[i], 300, kx[m]), q, 1e-11); /* as above */
            else
                CHECK(rt_pnbd_pmf_new(ext[i], 300, kx[m]) < 1e-280);
        }
}

/* (r / alpha) (beta / (beta + u))^s at u = t v, times t: the purchase rate of a new customer
 * at u (E[lambda] P(alive at u)). */
static double rate_integrand(double v, double lv, double l1v, void *vc)
{
    new_ctx *c = vc;
    (void)v, (void)l1v;
    double u = c->t * exp(lv);
    return c->r / c->al * exp(-c->s * log1p(u / c->be)) * c->t;
}

static void new_customer_expectation_matches_quadrature(void)
{
    const double ts[4] = {0.5, 39, 78, 3000};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 4; j++) {
            const double *p = sets[i];
            new_ctx c = {p[0], p[1], p[2], p[3], ts[j], 0};
            /* smooth integrand: tanh-sinh near machine precision; 1e-13 */
            CHECK_NEAR(rt_pnbd_expected_new(p, ts[j]), quad01(rate_integrand, &c, 128), 1e-13);
        }
    /* continuous through s = 1 */
    const double s1[4] = {0.8, 3.0, 1.0, 20.0}, s1p[4] = {0.8, 3.0, 1.0 + 1e-12, 20.0};
    CHECK_NEAR(rt_pnbd_expected_new(s1, 39), rt_pnbd_expected_new(s1p, 39), 1e-11);
    /* a new customer is one with no history */
    CHECK_NEAR(rt_pnbd_expected_new(cdnow, 39), rt_pnbd_expected(cdnow, 0, 0, 0, 39), 1e-14);
}

/* ---- conditional pmf ---- */

#define KQ 4 /* the conditional pmf is checked for k = 0 .. KQ-1 */

/* up[k] = P(Pois(m) >= k + 1) for k < KQ: for m < KQ by summing the upper terms (they fall
 * from j = KQ on) into suffix sums, else one minus the lower sum (then at least 0.43). */
static void pois_upper(double m, double up[KQ])
{
    double t = exp(-m), lower = 0.0;
    if (m >= KQ) {
        for (int k = 0; k < KQ; k++) {
            lower += t;
            t *= m / (k + 1);
            up[k] = 1.0 - lower;
        }
        return;
    }
    double pj[KQ + 1], tail = 0.0; /* pj[j] = P(Pois(m) = j), j <= KQ */
    for (int j = 0; j <= KQ; j++) {
        pj[j] = t;
        t *= m / (j + 1);
    }
    for (int j = KQ + 1; j < 1000 && t > 1e-30 * (tail + pj[KQ]); j++) {
        tail += t;
        t *= m / (j + 1);
    }
    tail += pj[KQ]; /* P(>= KQ) */
    for (int k = KQ - 1; k >= 0; k--) {
        up[k] = tail; /* P(>= k + 1) */
        tail += pj[k];
    }
}

/* P(Y(t) = k | x, t_x, T) for k < KQ by the trapezoid rule over (log lambda, log mu), with the
 * model's terms given (lambda, mu): the priors Gamma(r, alpha), Gamma(s, beta); the likelihood
 * lambda^x [e^-(lambda+mu)T + mu/(lambda+mu) (e^-(lambda+mu)t_x - e^-(lambda+mu)T)] (alive at
 * T, or died in (t_x, T]); and, alive at T, k purchases in t with probability
 * e^-mu t Pois(k; lambda t) + mu lambda^k / (lambda+mu)^(k+1) P(Pois((lambda+mu) t) >= k+1)
 * (still alive at T + t, or died at T + u, u < t, after k purchases). No posterior identity,
 * no incomplete beta. */
static void quad_pmf_conditional(const double p[4], double x, double tx, double T, double t,
                                 double out[KQ])
{
    const double h = 0.2; /* the integrand is analytic within |Im| < pi/2 of the real axis in
                           * both log variables, and the trapezoid's error ~e^(-2 pi d / h)
                           * for strips of half-width d: below 1e-15 at d = 1.2 */
    double r = p[0], al = p[1], s = p[2], be = p[3];
    long double num[KQ] = {0}, den = 0.0L; /* ~1e5 terms */
    /* the weights fall like lambda^(r+x), mu^s towards 0 (e^-22 at r+x = s = 0.55 and -40,
     * before the other factors) and double-exponentially above */
    for (double u = -80.0; u <= 6.0; u += h) {
        double lam = exp(u);
        double wl = (r + x) * u - lam * al; /* log of Gamma(r, alpha)'s lambda^r e^-alpha lambda
                                             * times lambda^x */
        for (double v = -80.0; v <= 6.0; v += h) {
            double mu = exp(v), nu = lam + mu;
            double w = exp(wl + s * v - mu * be); /* both priors, up to constants */
            if (w == 0.0)
                continue;
            double alive = exp(-nu * T);
            double dead = mu / nu * (exp(-nu * tx) - alive);
            den += (long double)(w * (alive + dead));
            double pois = exp(-mu * t - lam * t), lnu = log(nu), up[KQ];
            pois_upper(nu * t, up); /* pois = Pois(k; lambda t) e^-mu t below */
            for (int k = 0; k < KQ; k++) {
                double pk = pois + exp(v + k * u - (k + 1) * lnu) * up[k];
                num[k] += (long double)(w * alive * pk);
                pois *= lam * t / (k + 1);
            }
            num[0] += (long double)(w * dead);
        }
    }
    for (int k = 0; k < KQ; k++)
        out[k] = (double)(num[k] / den);
}

static void conditional_pmf_matches_quadrature_over_the_posterior(void)
{
    const double hist[4][4] = {
        {2, 30.43, 38.86, 39}, {0, 0, 38.86, 39}, {1, 2, 30, 10}, {6, 35, 38, 52}};
    const int pars[3] = {0, 1, 4};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            const double *p = sets[pars[i]], *c = hist[j];
            double q[KQ];
            quad_pmf_conditional(p, c[0], c[1], c[2], c[3], q);
            for (int k = 0; k < KQ; k++)
                /* the trapezoid's discretisation error is negligible at h = 0.2; the sums of
                 * ~2e5 terms in long double are good to ~1e-15: 1e-11 */
                CHECK_NEAR(rt_pnbd_pmf_conditional(p, c[0], c[1], c[2], c[3], k), q[k], 1e-11);
        }
}

/* Neumaier sums of P(k) and k P(k) over k < kmax. */
static void pmf_moments(const double p[4], const double *hist, int kmax, double *total,
                        double *mean)
{
    double s = 0, cs = 0, e = 0, ce = 0;
    for (int k = 0; k < kmax; k++) {
        double pk = hist ? rt_pnbd_pmf_conditional(p, hist[0], hist[1], hist[2], hist[3], k)
                         : rt_pnbd_pmf_new(p, 39, k);
        double kp = k * pk, ts = s + pk, te = e + kp;
        cs += fabs(s) >= fabs(pk) ? (s - ts) + pk : (pk - ts) + s;
        ce += fabs(e) >= fabs(kp) ? (e - te) + kp : (kp - te) + e;
        s = ts, e = te;
    }
    *total = s + cs, *mean = e + ce;
}

static void pmfs_sum_to_one_with_the_expected_mean(void)
{
    const double hist[5][4] = {{2, 30.43, 38.86, 39},
                               {0, 0, 38.86, 39},
                               {0, 0, 38.86, 300},
                               {30, 50, 52, 104},
                               {500, 5000, 6000, 39}};
    for (int i = 0; i < 6; i++) {
        double total, mean;
        if (i != 4) { /* alpha = 1, s = 1.5: E[X(39)] = 50 with a tail too long for 5000 */
            pmf_moments(sets[i], NULL, 5000, &total, &mean);
            /* the tail beyond 5000 is below 1e-13 for these; pmfs good to ~1e-13 */
            CHECK_NEAR(total, 1.0, 1e-12);
            CHECK_NEAR(mean, rt_pnbd_expected_new(sets[i], 39), 1e-10);
        }
        for (int j = 0; j < 5; j++) {
            const double *c = hist[j];
            pmf_moments(sets[i], c, 5000, &total, &mean);
            CHECK_NEAR(total, 1.0, 1e-12);
            double e = rt_pnbd_expected(sets[i], c[0], c[1], c[2], c[3]);
            /* tiny means (P(alive) ~ 1e-37 for the last history) agree relatively too */
            CHECK_NEAR(mean, e, 1e-10);
        }
    }
}

/* ---- DERT ---- */

typedef struct dert_ctx {
    double lead, bT, s, delta;
} dert_ctx;

/* e^(-delta u) dE[Y(u) | ...]/du = e^(-delta u) P(alive) (r+x)/(alpha+T) (1 + u/(beta+T))^-s:
 * the purchase rate u after T (E[lambda] over its posterior times P(alive at T + u | alive at
 * T) = E[e^(-mu u)] over mu's). */
static double dert_integrand(double u, double w, void *vc)
{
    dert_ctx *c = vc;
    (void)w;
    return c->lead * exp(-c->delta * u - c->s * log1p(u / c->bT));
}

static void dert_matches_the_discounted_integral(void)
{
    const double hist[4][3] = {{2, 30.43, 38.86}, {0, 0, 38.86}, {7, 35, 77.86}, {300, 2900, 3000}};
    const double deltas[4] = {0.0027, 0.0002, 0.05, 2.0}; /* z = delta (beta+T) from 2e-3 to 6e3 */
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 4; j++)
            for (int m = 0; m < 4; m++) {
                const double *p = sets[i], *c = hist[j];
                dert_ctx d = {rt_pnbd_palive(p, c[0], c[1], c[2]) * (p[0] + c[0]) / (p[1] + c[2]),
                              p[3] + c[2], p[2], deltas[m]};
                /* u = e^w over [-50, log(80 / delta)]: beyond, e^(-delta u) < e^-80; the
                 * integrand is analytic for |Im w| < pi/2: h = 0.01 is exact to rounding */
                double q = quad0inf(dert_integrand, &d, -50.0, log(80.0 / deltas[m]), 0.01);
                CHECK_NEAR(rt_pnbd_dert(p, c[0], c[1], c[2], deltas[m]), q, 1e-12);
            }
    /* delta = 0: the undiscounted total, P(alive) (r+x)/(alpha+T) (beta+T)/(s-1), finite only
     * for s > 1 */
    const double *p = sets[2];
    double want =
        rt_pnbd_palive(p, 2, 30, 40) * (p[0] + 2) / (p[1] + 40) * (p[3] + 40) / (p[2] - 1);
    CHECK_NEAR(rt_pnbd_dert(p, 2, 30, 40, 0.0), want, 1e-15);
    CHECK(rt_pnbd_dert(cdnow, 2, 30, 40, 0.0) == HUGE_VAL);
    /* and the discounted value tends to it */
    CHECK_NEAR(rt_pnbd_dert(p, 2, 30, 40, 1e-9), want, 1e-6);
}

static void predictions_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks(void)
{
    for (int k = 0; k <= 300; k += 30) {
        double pk = rt_pnbd_pmf_conditional(cdnow, 800, 5990, 6000, 5000, k);
        CHECK(isfinite(pk) && pk >= 0 && pk <= 1);
    }
    CHECK(rt_pnbd_pmf_new(cdnow, 6000, 3000) > 0);
    double d = rt_pnbd_dert(cdnow, 800, 5990, 6000, 0.0027);
    CHECK(isfinite(d) && d > 0);
}

static void invalid_input_gives_nan(void)
{
    const double bad[4] = {0.5534, 10.5776, -0.6, 11.665};
    CHECK(isnan(rt_pnbd_expected_new(bad, 39)));
    CHECK(isnan(rt_pnbd_expected_new(cdnow, -1)));
    CHECK(isnan(rt_pnbd_pmf_new(cdnow, 39, -1)));
    CHECK(isnan(rt_pnbd_pmf_new(bad, 39, 0)));
    CHECK(isnan(rt_pnbd_pmf_conditional(cdnow, 2, 40, 38, 39, 0))); /* t_x > T */
    CHECK(isnan(rt_pnbd_pmf_conditional(cdnow, 0, 5, 38, 39, 0)));  /* t_x != 0 with x = 0 */
    CHECK(isnan(rt_pnbd_dert(cdnow, 2, 30, 38, -0.1)));
    CHECK(isnan(rt_pnbd_dert(cdnow, 2, 30, 38, (double)NAN)));
}

int main(void)
{
    TEST(new_customer_pmf_matches_quadrature_over_the_lifetime);
    TEST(new_customer_expectation_matches_quadrature);
    TEST(conditional_pmf_matches_quadrature_over_the_posterior);
    TEST(pmfs_sum_to_one_with_the_expected_mean);
    TEST(dert_matches_the_discounted_integral);
    TEST(predictions_are_finite_for_hundreds_of_purchases_over_thousands_of_weeks);
    TEST(invalid_input_gives_nan);
    return test_report();
}
