/* test_pnbd.c - Pareto/NBD (src/models/pnbd.c) on CDNOW against Fader, Hardie & Lee (2005)
 * and BTYD, and its likelihood against two independent long double evaluations.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "models/optim.h"
#include "models/pnbd.h"

#include <stdint.h>
#include <stdlib.h>

#include "cdnow.h"

/* ---- independent evaluations in long double ---- */

/* 2F1(a, b; c; z) by the defining series, 0 <= z < 1, terms to 1e-22 of the sum. */
static long double ref_2f1(long double a, long double b, long double c, long double z)
{
    long double sum = 1.0L, t = 1.0L;
    for (int n = 0; n < 2000000; n++) {
        t *= z * (a + n) * (b + n) / ((c + n) * (n + 1));
        sum += t;
        if (n > 10 && t < 1e-22L * sum)
            break;
    }
    return sum;
}

/* Route 1: FHL's likelihood with A_0 from the original 2F1 (no Euler transformation),
 * summed directly, all in long double logs. */
static long double ref_ll_2f1(const double p[4], double xd, double txd, double Td)
{
    long double x = (long double)xd, tx = (long double)txd, T = (long double)Td;
    long double r = (long double)p[0], al = (long double)p[1], s = (long double)p[2];
    long double be = (long double)p[3], a = r + s + x, m, b, d;
    if (al >= be)
        m = al, b = s + 1, d = al - be;
    else
        m = be, b = r + x, d = be - al;
    long double lf1 = logl(ref_2f1(a, b, a + 1, d / (m + tx))) - a * logl(m + tx);
    long double lf2 = logl(ref_2f1(a, b, a + 1, d / (m + T))) - a * logl(m + T);
    long double l1 = -(r + x) * logl(al + T) - s * logl(be + T);
    long double la0 = lf1 + logl(1.0L - expl(lf2 - lf1)); /* -inf when t_x = T */
    long double l2 = logl(s / a) + la0;
    long double mx = l1 > l2 ? l1 : l2;
    return lgammal(r + x) - lgammal(r) + r * logl(al) + s * logl(be) + mx +
           logl(expl(l1 - mx) + expl(l2 - mx));
}

/* Route 2: the death-time integral s/(r+s+x) A_0 = int_{t_x}^T s (al+u)^-(r+x) (be+u)^-(s+1) du
 * by composite Simpson (4000 panels) in long double, relative to the l1 term, on
 * v = log(c + u), c = min(al, be): the integrand peaks at u = 0 on the scale of c, which the
 * substitution spreads over a unit of v (du = (c + u) dv). */
static long double ref_ll_quad(const double p[4], double xd, double txd, double Td)
{
    long double x = (long double)xd, tx = (long double)txd, T = (long double)Td;
    long double r = (long double)p[0], al = (long double)p[1], s = (long double)p[2];
    long double be = (long double)p[3], c = al < be ? al : be;
    long double l1 = -(r + x) * logl(al + T) - s * logl(be + T), sum = 0.0L;
    const int np = 4000;
    long double v0 = logl(c + tx), h = (logl(c + T) - v0) / np;
    for (int k = 0; k <= np; k++) {
        long double u = expl(v0 + k * h) - c, wk = (k == 0 || k == np) ? 1 : (k % 2 ? 4 : 2);
        long double lf = logl(s) - (r + x) * logl(al + u) - (s + 1) * logl(be + u) + logl(c + u);
        sum += wk * expl(lf - l1);
    }
    long double rel = sum * h / 3.0L; /* (s / (r+s+x) A_0) / e^l1 */
    return lgammal(r + x) - lgammal(r) + r * logl(al) + s * logl(be) + l1 + log1pl(rel);
}

/* ---- tests ---- */

static const double published[4] = {0.553, 10.578, 0.606, 11.669};
static const double btyd[4] = {0.5533971, 10.5801985, 0.6060625, 11.6562237};

static void cdnow_summary_loads_and_compresses(void)
{
    double xs = 0.0, ws = 0.0;
    CHECK(cbs_n == 2357);
    CHECK(cbs_pat.n > 0 && cbs_pat.n < cbs_n);
    for (size_t i = 0; i < cbs_pat.n; i++)
        xs += cbs_pat.w[i] * cbs_pat.x[i], ws += cbs_pat.w[i];
    CHECK(xs == 2457.0 && ws == 2357.0); /* the data README */
}

static void loglik_matches_two_independent_evaluations(void)
{
    /* Over all CDNOW patterns at the published point (alpha < beta branch) and at points in
     * the alpha >= beta branch. The 2F1 route differs from ours only in rounding (1e-12
     * relative on a sum ~1e4); Simpson with 4000 panels of h <= 2e-3 in v has error
     * ~h^4 ~ 1e-11 of the A_0 term, itself a fraction of L: same tolerance. */
    const double pts[3][4] = {
        {0.553, 10.578, 0.606, 11.669}, {0.553, 10.578, 0.606, 2.5}, {1.4, 0.8, 2.2, 0.05}};
    for (int k = 0; k < 3; k++) {
        long double a = 0.0L, b = 0.0L;
        for (size_t i = 0; i < cbs_pat.n; i++) {
            a += (long double)cbs_pat.w[i] *
                 ref_ll_2f1(pts[k], cbs_pat.x[i], cbs_pat.t_x[i], cbs_pat.T[i]);
            b += (long double)cbs_pat.w[i] *
                 ref_ll_quad(pts[k], cbs_pat.x[i], cbs_pat.t_x[i], cbs_pat.T[i]);
        }
        double ll = rt_pnbd_loglik(pts[k], cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n);
        CHECK_NEAR(ll, (double)a, 1e-12);
        CHECK_NEAR(ll, (double)b, 1e-12);
    }
    /* Patterns vs customers: the same sum. */
    CHECK_NEAR(rt_pnbd_loglik(published, cbs_x, cbs_tx, cbs_T, NULL, cbs_n),
               rt_pnbd_loglik(published, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n),
               1e-12);
}

static void loglik_at_published_point_is_minus_9595(void)
{
    /* FHL report LL = -9595.0 at their estimates (one decimal: +-0.05). */
    double ll = rt_pnbd_loglik(published, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n);
    printf("pnbd LL at published = %.6f, at BTYD = %.6f\n", ll,
           rt_pnbd_loglik(btyd, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n));
    CHECK(fabs(ll - -9595.0) <= 0.05);
}

static void loglik_is_stable_for_hundreds_of_purchases_over_thousands_of_weeks(void)
{
    /* x up to 800, T up to 6000, both branches; against the long double 2F1 route (whose
     * series terms reach ~(1-z)^-(r+x), fine in long double's range). |LL| ~ 1e4 here. */
    const double x[4] = {350, 800, 0, 120}, tx[4] = {2950, 4000, 0, 15},
                 T[4] = {3000, 5000, 6000, 4000};
    const double pts[2][4] = {{0.553, 10.578, 0.606, 11.669}, {0.553, 30.0, 0.606, 1.5}};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 4; i++) {
            double ll = rt_pnbd_loglik(pts[k], &x[i], &tx[i], &T[i], NULL, 1);
            /* L is a density in the purchase times, so x = 120 in 15 weeks gives LL > 0. */
            CHECK(isfinite(ll));
            CHECK_NEAR(ll, (double)ref_ll_2f1(pts[k], x[i], tx[i], T[i]), 1e-11);
        }
        double g[4], lp[4];
        for (int j = 0; j < 4; j++)
            lp[j] = log(pts[k][j]);
        rt_pnbd_loglik_grad(lp, x, tx, T, NULL, 4, g);
        for (int j = 0; j < 4; j++)
            CHECK(isfinite(g[j]));
    }
}

static void gradient_agrees_with_plain_central_differences(void)
{
    /* The analytic gradient vs a two-point difference with h = 1e-5: truncation h^2 f''' / 6
     * is ~1e-10 |f|'s scale and rounding eps |f| / h ~ 1e-7 (|f| ~ 1e4), well inside 1e-4. */
    const double lp[4] = {log(0.553), log(10.578), log(0.606), log(11.669)};
    double g[4], gd[4];
    rt_pnbd_loglik_grad(lp, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n, g);
    for (int j = 0; j < 4; j++) {
        double q[4] = {lp[0], lp[1], lp[2], lp[3]}, h = 1e-5;
        q[j] = lp[j] + h;
        double fp =
            rt_pnbd_loglik_grad(q, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n, gd);
        q[j] = lp[j] - h;
        double fm =
            rt_pnbd_loglik_grad(q, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n, gd);
        CHECK(fabs(g[j] - (fp - fm) / (2 * h)) <= 1e-6 * fabs(g[j]) + 1e-4);
    }
}

/* xorshift64: a fixed stream of test points. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}

/* Log-uniform in [lo, hi]. */
static double log_uniform(double lo, double hi)
{
    return exp(log(lo) + uniform() * (log(hi) - log(lo)));
}

/* d/dlog p_j of the long double reference (ref_ll_2f1) at log-parameters 'lp', five-point:
 * error h^4 f^(5) / 30 ~ 3e-14 f^(5) at h = 1e-3, plus rounding ~1e-19 |f| / h. */
static long double ref_dlog(const double lp[4], int j, double x, double tx, double T)
{
    const double h = 1e-3, off[4] = {2, 1, -1, -2}, wt[4] = {-1, 8, -8, 1};
    long double g = 0.0L;
    for (int k = 0; k < 4; k++) {
        double p[4];
        for (int i = 0; i < 4; i++)
            p[i] = exp(lp[i] + (i == j ? off[k] * h : 0.0));
        g += (long double)wt[k] * ref_ll_2f1(p, x, tx, T);
    }
    return g / (12.0L * (long double)h);
}

static void gradient_matches_long_double_differences_at_random_points(void)
{
    /* 60 random parameter points (r, s in [0.05, 5], alpha, beta in [0.1, 100], log-uniform;
     * one in four with beta = alpha, one in four with beta = alpha (1 + 1e-6), so both
     * branches and the seam between them), each with patterns from x = 0 to 300 and T from 1
     * to 3000, t_x anywhere in (0, T], t_x = T and t_x just below T included. The reference
     * differentiates the independent long double likelihood numerically, with errors ~1e-12
     * of |f| (|f| up to ~2e3 here); our gradient's rounding is ~1e-13 of the terms it adds;
     * the largest difference seen is 4e-12. Tolerance 1e-10 of max(1, |f|), with |f| the
     * pattern's |log-likelihood|. */
    const double pats[][3] = {{0, 0, 1},         {0, 0, 3000},     {1, 0.5, 1},      {1, 20, 30},
                              {3, 29.9, 30},     {5, 500, 500},    {50, 100, 500},   {120, 15, 400},
                              {300, 2950, 3000}, {300, 100, 3000}, {7, 2999.5, 3000}};
    const size_t np = sizeof pats / sizeof pats[0];
    int bad = 0;
    for (int k = 0; k < 60; k++) {
        double p[4] = {log_uniform(0.05, 5), log_uniform(0.1, 100), log_uniform(0.05, 5),
                       log_uniform(0.1, 100)};
        if (k % 4 == 1)
            p[3] = p[1];
        else if (k % 4 == 2)
            p[3] = p[1] * (1.0 + 1e-6);
        double lp[4] = {log(p[0]), log(p[1]), log(p[2]), log(p[3])};
        for (size_t i = 0; i < np; i++) {
            double g[4];
            double ll = rt_pnbd_loglik_grad(lp, &pats[i][0], &pats[i][1], &pats[i][2], NULL, 1, g);
            double scale = fmax(1.0, fabs(ll));
            for (int j = 0; j < 4; j++) {
                long double ref = ref_dlog(lp, j, pats[i][0], pats[i][1], pats[i][2]);
                int ok = fabs(g[j] - (double)ref) <= 1e-10 * scale;
                CHECK(ok);
                if (!ok && bad++ < 10)
                    fprintf(stderr, "  p = %g %g %g %g, pattern %zu, j %d: %.17g vs %.17Lg\n", p[0],
                            p[1], p[2], p[3], i, j, g[j], ref);
            }
        }
    }
}

/* Random patterns sorted by x, t_x, T (as rt_btyd_compress leaves them), on a day grid in
 * weeks so that times repeat: 'n' of them with weights 1..5. */
static void random_patterns(size_t n, double *x, double *tx, double *T, double *w)
{
    double xv = 0;
    for (size_t i = 0; i < n; i++) {
        if (uniform() < 0.002)
            xv += 1 + floor(uniform() * 20);
        x[i] = xv;
        T[i] = (1 + floor(uniform() * 700)) / 7.0;
        tx[i] = xv == 0 ? 0.0 : floor(uniform() * (T[i] * 7.0 + 1)) / 7.0;
        w[i] = 1 + floor(uniform() * 5);
    }
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void threaded_and_indexed_sums_equal_the_plain_one_bit_for_bit(void)
{
    /* The patterns are cut into blocks that depend on n only; each block is summed the same
     * way whichever thread takes it, and the blocks are added in order, so the thread count
     * cannot change a bit. The index (tables of log and 1 / (scale + t), a memo of f per
     * distinct time) computes each value by the same expressions as the plain path, so it
     * cannot either. 30000 patterns make 8 blocks. */
    enum { N = 30000 };
    static double x[N], tx[N], T[N], w[N];
    random_patterns(N, x, tx, T, w);
    const double pts[2][4] = {{0.553, 10.578, 0.606, 11.669}, {0.8, 3.0, 1.2, 0.9}};
    for (int k = 0; k < 2; k++) {
        double g0[4], ll0;
        rt_patsum ps;
        rt_patsum_plain(&ps, x, tx, T, w, N, 1);
        ll0 = rt_pnbd_loglik_ps(&ps, pts[k], g0);
        CHECK(isfinite(ll0));
        const int threads[4] = {2, 3, 8, 1};
        for (int t = 0; t < 4; t++) {
            double g[4], ll;
            for (int idx = 0; idx < 2; idx++) {
                rt_error err = {0};
                if (idx)
                    CHECK(rt_patsum_prepare(&ps, x, tx, T, w, N, threads[t], 4, 6, &err) == RT_OK);
                else
                    rt_patsum_plain(&ps, x, tx, T, w, N, threads[t]);
                /* Twice: the second call finds the memo filled by the first. */
                for (int rep = 0; rep < 2; rep++) {
                    ll = rt_pnbd_loglik_ps(&ps, pts[k], g);
                    CHECK(same_bits(ll, ll0));
                    for (int j = 0; j < 4; j++)
                        CHECK(same_bits(g[j], g0[j]));
                    CHECK(same_bits(rt_pnbd_loglik_ps(&ps, pts[k], NULL),
                                    rt_pnbd_loglik(pts[k], x, tx, T, w, N)));
                }
                rt_patsum_free(&ps);
            }
        }
        /* And the sum is the sum: against the patterns one at a time, in long double. */
        long double ref = 0.0L;
        for (size_t i = 0; i < N; i++)
            ref += (long double)w[i] * ref_ll_2f1(pts[k], x[i], tx[i], T[i]);
        CHECK_NEAR(ll0, (double)ref, 1e-12); /* rounding of a sum of 3e4 terms near 1e5 */
    }
}

static void pnbd_fit_reproduces_fader_hardie_lee_cdnow(void)
{
    rt_fit fit;
    rt_error err = {0};
    rt_status st = rt_pnbd_fit(cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n, &fit, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    printf("pnbd: r=%.6f alpha=%.6f s=%.6f beta=%.6f LL=%.6f it=%d |g|=%.1e\n", fit.par[0],
           fit.par[1], fit.par[2], fit.par[3], fit.loglik, fit.iterations, fit.grad_norm);
    printf("pnbd se: %.6f %.6f %.6f %.6f\n", fit.se[0], fit.se[1], fit.se[2], fit.se[3]);
    CHECK(fit.converged == 1 && fit.grad_norm <= 1e-8);
    CHECK(fit.n == 2357 && fit.patterns == cbs_pat.n && fit.npar == 4);
    /* The optimum beats both published points, and FHL's LL -9595.0 is ours to one decimal. */
    CHECK(fit.loglik >=
          rt_pnbd_loglik(published, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n));
    CHECK(fit.loglik >=
          rt_pnbd_loglik(btyd, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n));
    CHECK(fabs(fit.loglik - -9595.0) <= 0.05);
    /* FHL publish 3 decimals, so their optimum lies within 5e-4 of each value; our optimum's
     * own position error is |grad| / curvature: the flattest direction is log beta (SE 6.2
     * on 11.67, curvature of -LL/W ~ 1.5e-3), so |grad| <= 1e-8 places beta within ~1e-4:
     * 5e-4 for r, alpha, s and 1e-3 for beta. We get 0.553277, 10.577683, 0.606240,
     * 11.668735, LL -9594.9762. BTYD's estimate stops short along that flat ridge (its LL
     * is 2e-5 lower, beta 0.012 away): 1e-3 for r, s, 5e-3 for alpha, 0.02 for beta. */
    for (int j = 0; j < 3; j++)
        CHECK(fabs(fit.par[j] - published[j]) <= 5e-4);
    CHECK(fabs(fit.par[3] - published[3]) <= 1e-3);
    CHECK(fabs(fit.par[0] - btyd[0]) <= 1e-3 && fabs(fit.par[2] - btyd[2]) <= 1e-3);
    CHECK(fabs(fit.par[1] - btyd[1]) <= 5e-3 && fabs(fit.par[3] - btyd[3]) <= 2e-2);
    /* The delta-method SEs against the natural-scale Hessian of the LL by second differences
     * of function values, inverted (1e-3 relative: O(h^2) and rounding of a sum ~1e4). */
    double hm[16], inv[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double hi = 1e-4 * fit.par[i], hj = 1e-4 * fit.par[j], f[4];
            for (int k = 0; k < 4; k++) {
                double q[4] = {fit.par[0], fit.par[1], fit.par[2], fit.par[3]};
                q[i] += (k & 1) ? -hi : hi;
                q[j] += (k & 2) ? -hj : hj;
                f[k] = rt_pnbd_loglik(q, cbs_pat.x, cbs_pat.t_x, cbs_pat.T, cbs_pat.w, cbs_pat.n);
            }
            hm[i * 4 + j] = -(f[0] - f[1] - f[2] + f[3]) / (4 * hi * hj);
        }
    CHECK(rt_optim_spd_inverse(4, hm, inv) == 0);
    for (int j = 0; j < 4; j++)
        CHECK_NEAR(fit.se[j], sqrt(inv[j * 4 + j]), 1e-3);
    for (int j = 0; j < 4; j++)
        CHECK(isfinite(fit.se[j]) && fit.se[j] > 0);
}

static void palive_and_expectation_behave(void)
{
    /* t_x = T: nothing unobserved, so P(alive) = 1. */
    CHECK(rt_pnbd_palive(published, 3, 20, 20) == 1.0);
    /* P(alive) vs the long double route: 1 / (1 + e^(l2 - l1)) recomputed from it. */
    double x = 2, tx = 30.4285714285714, T = 38.8571428571429;
    long double l = ref_ll_2f1(published, x, tx, T);
    long double r = (long double)published[0], al = (long double)published[1];
    long double sh = (long double)published[2], be = (long double)published[3];
    long double xl = (long double)x, Tl = (long double)T;
    long double lalive = lgammal(r + xl) - lgammal(r) + r * logl(al) + sh * logl(be) -
                         (r + xl) * logl(al + Tl) - sh * logl(be + Tl);
    CHECK_NEAR(rt_pnbd_palive(published, x, tx, T), (double)expl(lalive - l), 1e-12);
    /* Longer silence, lower P(alive); more purchases with the same recency, lower too. */
    CHECK(rt_pnbd_palive(published, 0, 0, 10) > rt_pnbd_palive(published, 0, 0, 30));
    CHECK(rt_pnbd_palive(published, 2, 5, 38) > rt_pnbd_palive(published, 8, 5, 38));
    /* Expectation: 0 at t = 0, increasing in t, continuous through s = 1. */
    CHECK(rt_pnbd_expected(published, x, tx, T, 0.0) == 0.0);
    CHECK(rt_pnbd_expected(published, x, tx, T, 39) > rt_pnbd_expected(published, x, tx, T, 10));
    double p1[4] = {0.553, 10.578, 1.0, 11.669}, p2[4] = {0.553, 10.578, 1.0 + 1e-7, 11.669};
    CHECK_NEAR(rt_pnbd_expected(p1, x, tx, T, 39), rt_pnbd_expected(p2, x, tx, T, 39), 1e-6);
    /* For a customer with t_x = T (alive for sure) the expectation is the unconditional NBD
     * rate under the posterior: (r+x)/(al+T) per unit time times E[(1-e^(-mu t))/mu], which
     * for small t is ~ t (r+x)/(al+T). */
    double e = rt_pnbd_expected(published, 3, 20, 20, 1e-6);
    CHECK_NEAR(e, 1e-6 * (published[0] + 3) / (published[1] + 20), 1e-5);
    printf("pnbd: P(alive) cust 1 = %.6f, E[X(39)] = %.6f\n", rt_pnbd_palive(published, x, tx, T),
           rt_pnbd_expected(published, x, tx, T, 39));
}

static void fit_rejects_bad_input(void)
{
    const double x[3] = {0, 0, 0}, tx[3] = {0, 0, 0}, T[3] = {10, 20, 30}, w[3] = {5, 1, 2};
    rt_fit fit;
    rt_error err = {0};
    CHECK(rt_pnbd_fit(x, tx, T, w, 3, &fit, &err) == RT_EDOMAIN);
    CHECK(strstr(err.msg, "no repeat purchases") != NULL);
    const double x2[2] = {1, 0}, tx2[2] = {5, 0}, T2[2] = {4, 3};
    CHECK(rt_pnbd_fit(x2, tx2, T2, NULL, 2, &fit, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "pnbd fit: pattern 1: t_x = 5 is outside [0, T = 4]");
    CHECK(rt_pnbd_fit(NULL, tx2, T2, NULL, 2, &fit, &err) == RT_EMISUSE);
    CHECK(fit.npar == 0 && fit.loglik == 0.0);
    const double bad[4] = {0.5, -1, 0.5, 1};
    CHECK(isnan(rt_pnbd_loglik(bad, x, tx, T, NULL, 3)));
}

int main(void)
{
    if (load_cbs() != 0) {
        fprintf(stderr, "cannot read %s\n", CBS_PATH);
        test_failed++;
        return test_report();
    }
    CHECK(compress_cbs() == 0);
    TEST(cdnow_summary_loads_and_compresses);
    TEST(loglik_matches_two_independent_evaluations);
    TEST(loglik_at_published_point_is_minus_9595);
    TEST(loglik_is_stable_for_hundreds_of_purchases_over_thousands_of_weeks);
    TEST(gradient_agrees_with_plain_central_differences);
    TEST(gradient_matches_long_double_differences_at_random_points);
    TEST(threaded_and_indexed_sums_equal_the_plain_one_bit_for_bit);
    TEST(pnbd_fit_reproduces_fader_hardie_lee_cdnow);
    TEST(palive_and_expectation_behave);
    TEST(fit_rejects_bad_input);
    rt_btyd_patterns_free(&cbs_pat);
    return test_report();
}
