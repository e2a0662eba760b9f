/* test_sbg.c - the shifted beta-geometric model (src/models/sbg.c) against Fader & Hardie
 * (2007) Table 1 and against independent computations (products of retention rates, direct
 * truncated DERL sums, a brute-force grid search of the summed LL of several cohorts).
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/sbg.h"

#include <stdint.h>
#include <stdlib.h>

#define RET_PATH "../shared/data/fader_hardie_2007_retention.csv"
#define NYEARS 13 /* years 0..12 in the file */
#define NFIT 8    /* fit on years 0..7 */

/* Active customers (of 1000) at the start of years 0..12. */
static double regular[NYEARS], highend[NYEARS];

/* Read year, regular_pct_alive, highend_pct_alive; a tiny parser for this file. */
static int load_retention(void)
{
    char line[256];
    int rows = 0;
    FILE *f = fopen(RET_PATH, "r");
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (rows < NYEARS && fgets(line, sizeof line, f)) {
        char *end;
        long year = strtol(line, &end, 10);
        if (year != rows || *end != ',')
            break;
        /* % of a cohort of 1000, one decimal: times 10 is an exact count after rounding. */
        regular[rows] = round(strtod(end + 1, &end) * 10.0);
        highend[rows] = round(strtod(end + 1, &end) * 10.0);
        rows++;
    }
    fclose(f);
    return rows == NYEARS ? 0 : -1;
}

/* log P(T = t) and log S(t) as plain Beta-function ratios with tgamma: independent of the
 * log-space code, fine for these small arguments. */
static double beta_fn(double a, double b)
{
    return tgamma(a) * tgamma(b) / tgamma(a + b);
}

static double direct_ll(const double p[2], const double *alive, size_t len)
{
    double a = p[0], b = p[1], ll = 0.0;
    for (size_t t = 1; t < len; t++)
        ll += (alive[t - 1] - alive[t]) * log(beta_fn(a + 1, b + (double)t - 1) / beta_fn(a, b));
    return ll + alive[len - 1] * log(beta_fn(a, b + (double)(len - 1)) / beta_fn(a, b));
}

static void retention_table_loads(void)
{
    CHECK(regular[0] == 1000.0 && highend[0] == 1000.0);
    CHECK(regular[7] == 241.0 && highend[7] == 491.0);
    CHECK(regular[12] == 173.0 && highend[12] == 394.0);
}

static void loglik_matches_direct_beta_ratios(void)
{
    const double p[2] = {0.704, 1.182}, q[2] = {2.5, 0.3};
    /* The same quantity by two routes in double precision (sums near 1e3): rounding only. */
    CHECK_NEAR(rt_sbg_loglik(p, regular, NFIT), direct_ll(p, regular, NFIT), 1e-12);
    CHECK_NEAR(rt_sbg_loglik(q, highend, NFIT), direct_ll(q, highend, NFIT), 1e-12);
    CHECK(isnan(rt_sbg_loglik((const double[2]){0.0, 1.0}, regular, NFIT)));
}

static void gradient_matches_central_differences(void)
{
    /* three fixed points and 30 random ones, log-parameters uniform on [-3, 3] */
    double pts[33][2] = {{log(0.704), log(1.182)}, {log(0.05), log(20.0)}, {log(8.0), 0.0}};
    uint64_t st = 0x9e3779b97f4a7c15u;
    for (int i = 3; i < 33; i++)
        for (int j = 0; j < 2; j++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            pts[i][j] = -3.0 + 6.0 * (double)(st >> 11) / 9007199254740992.0;
        }
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 33; i++) {
            const double *alive = c ? highend : regular;
            double g[2], gd[2];
            rt_sbg_loglik_grad(pts[i], alive, NFIT, g);
            for (int j = 0; j < 2; j++) {
                double q[2] = {pts[i][0], pts[i][1]}, h = 1e-5;
                q[j] += h;
                double fp = rt_sbg_loglik_grad(q, alive, NFIT, gd);
                q[j] -= 2 * h;
                double fm = rt_sbg_loglik_grad(q, alive, NFIT, gd);
                double num = (fp - fm) / (2 * h);
                /* Truncation h^2 f''' ~ 1e-7 plus rounding eps |f| / h ~ 1e-8 (|f| ~ 2e3). */
                CHECK(fabs(g[j] - num) <= 1e-6 * fabs(num) + 1e-5);
            }
        }
}

/* Fit one segment, compare with the published values, check the SEs independently. */
static void fit_segment(const char *name, const double *alive, const double pub[2], double pub_ll,
                        rt_fit *fit)
{
    rt_error err = {0};
    rt_status st = rt_sbg_fit(alive, NFIT, fit, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    printf("sbg %s: alpha=%.6f beta=%.6f LL=%.4f se=(%.6f, %.6f) it=%d |g|=%.1e\n", name,
           fit->par[0], fit->par[1], fit->loglik, fit->se[0], fit->se[1], fit->iterations,
           fit->grad_norm);
    /* The counts are exact (one-decimal % of 1000) and FH 2007 print 3 decimals, so the true
     * optimum lies within half a unit of the last digit, 5e-4 (plus our |grad| <= 1e-8). */
    CHECK(fabs(fit->par[0] - pub[0]) <= 5e-4);
    CHECK(fabs(fit->par[1] - pub[1]) <= 5e-4);
    /* LL is printed to one decimal: within 0.05. */
    CHECK(fabs(fit->loglik - pub_ll) <= 0.05);
    CHECK(fit->converged == 1 && fit->n == 1000 && fit->patterns == NFIT && fit->npar == 2);

    /* SEs independently: Hessian in the natural parameters by second differences of the LL
     * (function values only), inverted by hand (2 x 2). 1e-3 relative covers O(h^2) and the
     * rounding of second differences of a sum near 2e3. */
    double h[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double hi = 1e-4 * fit->par[i], hj = 1e-4 * fit->par[j], f[4];
            for (int s = 0; s < 4; s++) {
                double q[2] = {fit->par[0], fit->par[1]};
                q[i] += (s & 1) ? -hi : hi;
                q[j] += (s & 2) ? -hj : hj;
                f[s] = rt_sbg_loglik(q, alive, NFIT);
            }
            h[i * 2 + j] = -(f[0] - f[1] - f[2] + f[3]) / (4 * hi * hj);
        }
    double det = h[0] * h[3] - h[1] * h[2];
    CHECK(det > 0);
    CHECK_NEAR(fit->se[0], sqrt(h[3] / det), 1e-3);
    CHECK_NEAR(fit->se[1], sqrt(h[0] / det), 1e-3);
}

/* Projection to years 8-12: FH 2007 show the projections graphically and state no error
 * bound, so we print the errors and assert only that the projection is S(t) computed
 * independently, as S(7) times the retention rates r_8..r_t (FH 2007 eq. for r_t). */
static void check_projection(const char *name, const rt_fit *fit, const double *alive)
{
    double s = rt_sbg_survival(fit->par, 7.0), a = fit->par[0], b = fit->par[1];
    /* S(7) itself as a product of retention rates from S(0) = 1. */
    double prod = 1.0;
    for (int t = 1; t <= 7; t++)
        prod *= (b + t - 1) / (a + b + t - 1);
    CHECK_NEAR(s, prod, 1e-13);
    printf("sbg %s projection (%% alive, model - actual):", name);
    for (int t = 8; t < NYEARS; t++) {
        double r = rt_sbg_retention(fit->par, (double)t);
        CHECK_NEAR(r, (b + t - 1) / (a + b + t - 1), 1e-15);
        s *= r;
        double proj = rt_sbg_survival(fit->par, (double)t);
        /* A product of 5 rounded factors vs exp of a lgamma difference: ~1e-14. */
        CHECK_NEAR(proj, s, 1e-12);
        printf(" y%d %.1f (%+.1f)", t, 100.0 * proj, 100.0 * proj - alive[t] / 10.0);
    }
    printf("\n");
}

static void fit_reproduces_fader_hardie_2007(void)
{
    const double pub_reg[2] = {0.704, 1.182}, pub_hi[2] = {0.668, 3.806};
    rt_fit reg, hi;
    fit_segment("regular", regular, pub_reg, -1680.3, &reg);
    fit_segment("highend", highend, pub_hi, -1611.2, &hi);
    if (reg.npar == 2)
        check_projection("regular", &reg, regular);
    if (hi.npar == 2)
        check_projection("highend", &hi, highend);
}

/* DERL against a direct truncated sum of S(n+t+1) / S(n) / (1+d)^t. Each term is below
 * (1+d)^-t, so stopping when (1+d)^-t / d < 1e-17 leaves a tail below 1e-17. */
static double derl_direct(const double p[2], double n, double d)
{
    double sum = 0.0, sn = rt_sbg_survival(p, n), disc = 1.0;
    for (int t = 0; disc / d >= 1e-17; t++, disc /= 1.0 + d)
        sum += rt_sbg_survival(p, n + t + 1) / sn * disc;
    return sum;
}

static void derl_matches_direct_sum(void)
{
    const double ps[3][2] = {{0.704, 1.182}, {0.668, 3.806}, {3.0, 0.4}};
    const double ns[3] = {0, 1, 7}, ds[3] = {0.1, 0.25, 0.01};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) {
                double v;
                rt_error err = {0};
                CHECK(rt_sbg_derl(ps[i], ns[j], ds[k], &v, &err) == RT_OK);
                /* Both sums are accurate to ~1e-14 relative; the direct one accumulates
                 * exp(lgamma) rounding over up to ~4000 terms: 1e-10. */
                CHECK_NEAR(v, derl_direct(ps[i], ns[j], ds[k]), 1e-10);
            }
    /* As d grows only the t = 0 term is left: DERL -> r_{n+1} = S(n+1) / S(n). */
    double v;
    CHECK(rt_sbg_derl(ps[0], 2.0, 1e9, &v, NULL) == RT_OK);
    CHECK_NEAR(v, rt_sbg_retention(ps[0], 3.0), 1e-8);
}

static void derl_reports_bad_arguments_and_nonconvergence(void)
{
    const double p[2] = {0.704, 1.182};
    double v = 1.0;
    rt_error err = {0};
    CHECK(rt_sbg_derl(p, 0.0, 0.0, &v, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "sbg derl: discount rate d = 0 is not > 0");
    CHECK(v == 0.0);
    CHECK(rt_sbg_derl(p, -1.0, 0.1, &v, &err) == RT_EDOMAIN);
    CHECK(rt_sbg_derl((const double[2]){-1.0, 1.0}, 0.0, 0.1, &v, &err) == RT_EDOMAIN);
    CHECK(rt_sbg_derl(NULL, 0.0, 0.1, &v, &err) == RT_EMISUSE);
    /* d = 1e-7: z/(1-z) = 1e7, the series needs far more than 1e6 terms. */
    v = 1.0;
    CHECK(rt_sbg_derl(p, 0.0, 1e-7, &v, &err) == RT_ENOCONV);
    CHECK(strncmp(err.msg, "sbg derl: 2F1 series not converged after 1000000 terms", 54) == 0);
    CHECK(v == 0.0);
}

static void fit_rejects_bad_counts(void)
{
    rt_fit fit;
    rt_error err = {0};
    const double up[3] = {100, 80, 90}, flat[3] = {100, 100, 100}, neg[3] = {100, -1, 0};
    CHECK(rt_sbg_fit(up, 3, &fit, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "sbg fit: period 2: active count 90 exceeds the 80 of period 1");
    CHECK(rt_sbg_fit(flat, 3, &fit, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "sbg fit: no customer was lost in 2 periods; the model is not identified");
    CHECK(rt_sbg_fit(neg, 3, &fit, &err) == RT_EDOMAIN);
    CHECK(rt_sbg_fit(up, 1, &fit, &err) == RT_EMISUSE);
    CHECK(fit.npar == 0 && fit.loglik == 0.0);
}

static void one_period_is_a_flat_likelihood(void)
{
    /* With one period only alpha / (alpha + beta) is identified: a ridge, not a point. */
    const double two[2] = {1000, 631};
    rt_fit fit;
    rt_error err = {0};
    CHECK(rt_sbg_fit(two, 2, &fit, &err) == RT_ENOCONV);
    printf("sbg one period: %s\n", err.msg);
}

/* ---- several cohorts ---- */

/* The summed log-likelihood of several cohorts by the tgamma route (direct_ll). */
static double direct_ll_sum(const double p[2], const double *const *alive, const size_t *len,
                            size_t k)
{
    double ll = 0.0;
    for (size_t c = 0; c < k; c++)
        ll += direct_ll(p, alive[c], len[c]);
    return ll;
}

/* Brute force: maximise direct_ll_sum over (log alpha, log beta) on a 41 x 41 grid over
 * [-4, 4]^2 (step 0.2), then on 41 x 41 grids around the best point with the step cut by 10
 * each round (a coarse-to-fine search on function values only). The eighth and last grid
 * has step 2e-8 on the log scale. */
static void brute_force_optimum(const double *const *alive, const size_t *len, size_t k,
                                double best[2])
{
    double c0 = 0.0, c1 = 0.0, step = 0.2, fbest = -HUGE_VAL;
    for (int round = 0; round < 8; round++, step /= 10.0) {
        double b0 = c0, b1 = c1;
        for (int i = -20; i <= 20; i++)
            for (int j = -20; j <= 20; j++) {
                double q[2] = {exp(c0 + i * step), exp(c1 + j * step)};
                double f = direct_ll_sum(q, alive, len, k);
                if (f > fbest) {
                    fbest = f;
                    b0 = c0 + i * step;
                    b1 = c1 + j * step;
                }
            }
        c0 = b0;
        c1 = b1;
    }
    best[0] = exp(c0);
    best[1] = exp(c1);
}

/* Check a joint fit against the brute-force optimum of the summed direct LL. */
static void check_joint_fit(const char *name, const double *const *alive, const size_t *len,
                            size_t k)
{
    rt_fit fit;
    rt_error err = {0};
    rt_status st = rt_sbg_fit_cohorts(alive, len, k, &fit, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    double n0 = 0.0;
    size_t cells = 0;
    for (size_t c = 0; c < k; c++)
        n0 += alive[c][0], cells += len[c];
    CHECK(fit.n == (size_t)n0 && fit.patterns == cells && fit.npar == 2 && fit.converged == 1);
    /* The fitted LL is the sum of the cohorts' LLs by the tgamma route (rounding only). */
    CHECK_NEAR(fit.loglik, direct_ll_sum(fit.par, alive, len, k), 1e-12);
    double bf[2];
    brute_force_optimum(alive, len, k, bf);
    printf("sbg joint %s: alpha=%.6f beta=%.6f LL=%.4f; brute force rel. diff %.1e %.1e\n", name,
           fit.par[0], fit.par[1], fit.loglik, bf[0] / fit.par[0] - 1, bf[1] / fit.par[1] - 1);
    /* The grid's last step is 2e-8 on the log scale, but near the optimum the LL is flat to
     * second order, so rounding (~1e-11 on |LL| ~ 4e3 by the tgamma route) fixes the
     * brute-force argmax only to sqrt(2e-11 / curvature) ~ 3e-7 (curvature ~ 200 per log
     * unit^2: SE(log alpha) ~ 0.07): 2e-6 relative. We see differences ~ 4e-8. */
    CHECK_NEAR(fit.par[0], bf[0], 2e-6);
    CHECK_NEAR(fit.par[1], bf[1], 2e-6);
    /* And no grid point beats the fit (beyond rounding of a sum near 4e3). */
    CHECK(direct_ll_sum(bf, alive, len, k) <= fit.loglik + 1e-9 * fabs(fit.loglik));
}

static void joint_fit_of_two_cohorts_maximises_the_summed_loglik(void)
{
    const double *alive[2] = {regular, highend};
    const size_t len[2] = {NFIT, NFIT};
    check_joint_fit("regular+highend", alive, len, 2);
    /* The joint fit lies between the separate ones (one beta for a cohort with beta 1.18 and
     * one with 3.81): a sanity check on the direction, not a reference value. */
    rt_fit fit;
    CHECK(rt_sbg_fit_cohorts(alive, len, 2, &fit, NULL) == RT_OK);
    CHECK(fit.par[1] > 1.182 && fit.par[1] < 3.806);
}

static void joint_fit_with_staggered_lengths_matches_brute_force(void)
{
    /* Cohorts observed for 8, 5, 3 and 2 periods, as in a calendar table where later
     * cohorts have fewer periods so far. The third and fourth are made-up counts. */
    const double c3[3] = {500, 330, 260}, c4[2] = {400, 250};
    const double *alive[4] = {regular, highend, c3, c4};
    const size_t len[4] = {NFIT, 5, 3, 2};
    check_joint_fit("staggered", alive, len, 4);
}

static void one_cohort_fit_is_the_single_cohort_case(void)
{
    const double *alive[1] = {regular};
    const size_t len[1] = {NFIT};
    rt_fit a, b;
    CHECK(rt_sbg_fit(regular, NFIT, &a, NULL) == RT_OK);
    CHECK(rt_sbg_fit_cohorts(alive, len, 1, &b, NULL) == RT_OK);
    CHECK(a.par[0] == b.par[0] && a.par[1] == b.par[1] && a.loglik == b.loglik);
}

static void joint_fit_names_the_bad_cohort(void)
{
    const double up[3] = {100, 80, 90}, flat[3] = {100, 100, 100}, flat2[2] = {50, 50};
    const double *alive[2] = {regular, up};
    size_t len[2] = {NFIT, 3};
    rt_fit fit;
    rt_error err = {0};
    CHECK(rt_sbg_fit_cohorts(alive, len, 2, &fit, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "sbg fit: cohort 2: period 2: active count 90 exceeds the 80 of period 1");
    len[1] = 1;
    CHECK(rt_sbg_fit_cohorts(alive, len, 2, &fit, &err) == RT_EMISUSE);
    CHECK_STREQ(err.msg, "sbg fit: cohort 2: bad arguments (1 periods, need >= 2)");
    const double *none[2] = {flat, flat2};
    const size_t len2[2] = {3, 2};
    CHECK(rt_sbg_fit_cohorts(none, len2, 2, &fit, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "sbg fit: no customer was lost in 2 periods; the model is not identified");
    CHECK(rt_sbg_fit_cohorts(alive, len, 0, &fit, &err) == RT_EMISUSE);
    CHECK(fit.npar == 0 && fit.n == 0);
    /* A cohort without losses is fine next to one with losses. */
    const double *some[2] = {regular, flat};
    const size_t len3[2] = {NFIT, 3};
    CHECK(rt_sbg_fit_cohorts(some, len3, 2, &fit, &err) == RT_OK);
}

int main(void)
{
    if (load_retention() != 0) {
        fprintf(stderr, "cannot read %s\n", RET_PATH);
        test_failed++;
        return test_report();
    }
    TEST(retention_table_loads);
    TEST(loglik_matches_direct_beta_ratios);
    TEST(gradient_matches_central_differences);
    TEST(fit_reproduces_fader_hardie_2007);
    TEST(derl_matches_direct_sum);
    TEST(derl_reports_bad_arguments_and_nonconvergence);
    TEST(fit_rejects_bad_counts);
    TEST(one_period_is_a_flat_likelihood);
    TEST(joint_fit_of_two_cohorts_maximises_the_summed_loglik);
    TEST(joint_fit_with_staggered_lengths_matches_brute_force);
    TEST(one_cohort_fit_is_the_single_cohort_case);
    TEST(joint_fit_names_the_bad_cohort);
    return test_report();
}
