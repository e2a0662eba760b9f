/* test_recovery.c - parameter recovery of the model fitters. Part 1: on summaries simulated
 * directly in continuous time (x, t_x, T drawn from each model here, no rounding to days),
 * the true parameters fall inside the fits' 95% intervals about 95% of the time (BG/NBD,
 * Pareto/NBD, BG/BB, Gamma-Gamma). Part 2: the bias that rounding purchases to whole days
 * adds, on logs written by rt_simulate and summarised by rt_btyd_summarize.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "harness.h"
#include "models/bgbb.h"
#include "models/bgnbd.h"
#include "models/btyd_data.h"
#include "models/gammagamma.h"
#include "models/pnbd.h"
#include "retain.h"
#include "sim/rng.h"
#include "tmpfiles.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NCUST = 20000 };

/* Seeds per model: each fit gives 4 intervals (Gamma-Gamma 3), so 20 seeds give 80 (60).
 * With the analytic Pareto/NBD gradient every model runs 20 seeds (the whole test takes a
 * few seconds at -O2). Under AddressSanitizer, which checks memory rather than statistics,
 * Pareto/NBD and the rounding part run fewer seeds (the tolerances follow the number of
 * intervals). The environment variable RECOVERY_SEEDS overrides every count (e.g.
 * RECOVERY_SEEDS=100 for a closer look). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif
enum { SEEDS = 20, PNBD_SEEDS = UNDER_ASAN ? 4 : 20, ROUND_SEEDS = UNDER_ASAN ? 4 : 8 };

/* The number of seeds to run: RECOVERY_SEEDS if set to a positive number, else 'def'. */
static int seeds(int def)
{
    const char *e = getenv("RECOVERY_SEEDS");
    int v = e ? atoi(e) : 0;
    return v > 0 ? v : def;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- a continuous-time summary simulator, independent of rt_simulate ---- */

/* One data set of 'n' customers: x repeat purchases, t_x the last one's time, T the time
 * observed (weeks; BG/BB: counts of opportunities), mbar the mean spend of the x repeat
 * purchases (0 when x = 0). */
typedef struct sample {
    size_t n;
    double *x, *t_x, *T, *mbar;
} sample;

static int sample_alloc(sample *s, size_t n)
{
    s->n = n;
    s->x = calloc(n, sizeof *s->x);
    s->t_x = calloc(n, sizeof *s->t_x);
    s->T = calloc(n, sizeof *s->T);
    s->mbar = calloc(n, sizeof *s->mbar);
    return s->x && s->t_x && s->T && s->mbar ? 0 : -1;
}

static void sample_free(sample *s)
{
    free(s->x);
    free(s->t_x);
    free(s->T);
    free(s->mbar);
}

/* Observation lengths in part 1: 13 cohort ages T = 4, 8, ..., 52 weeks, equally likely (a
 * year of four-weekly cohorts; customers without repeat purchases then share 13 patterns,
 * which keeps the Pareto/NBD fit affordable). */
static double draw_T(rt_rng *g)
{
    return 4.0 * (double)(1 + rt_rng_below(g, 13));
}

/* BG/NBD (FHL 2005): lambda ~ Gamma(r, alpha), p ~ Beta(a, b); purchases at rate lambda,
 * after each repeat purchase the customer leaves with probability p. 'par' = (r, alpha, a, b). */
static void sim_bgnbd(rt_rng *g, const double par[4], sample *s)
{
    for (size_t i = 0; i < s->n; i++) {
        double T = draw_T(g);
        double lambda = rt_rng_gamma(g, par[0]) / par[1];
        double p = rt_rng_beta(g, par[2], par[3]);
        double t = 0.0, x = 0.0, tx = 0.0;
        for (;;) {
            t += rt_rng_exp(g) / lambda; /* lambda = 0: +inf */
            if (!(t <= T))
                break;
            x += 1.0;
            tx = t;
            if (rt_rng_uniform(g) < p)
                break;
        }
        s->x[i] = x;
        s->t_x[i] = tx;
        s->T[i] = T;
    }
}

/* Pareto/NBD (SMC 1987): lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta); purchases at rate
 * lambda over a lifetime ~ Exp(mu). 'par' = (r, alpha, s, beta). */
static void sim_pnbd(rt_rng *g, const double par[4], sample *s)
{
    for (size_t i = 0; i < s->n; i++) {
        double T = draw_T(g);
        double lambda = rt_rng_gamma(g, par[0]) / par[1];
        double mu = rt_rng_gamma(g, par[2]) / par[3];
        double end = fmin(rt_rng_exp(g) / mu, T);
        double t = 0.0, x = 0.0, tx = 0.0;
        for (;;) {
            t += rt_rng_exp(g) / lambda;
            if (!(t <= end))
                break;
            x += 1.0;
            tx = t;
        }
        s->x[i] = x;
        s->t_x[i] = tx;
        s->T[i] = T;
    }
}

/* BG/BB (FHS 2010): p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta); at each of n
 * opportunities a living customer dies with probability theta, else buys with probability
 * p. n is 6 (FHS's donation data), 12, 18 or 24. 'par' = (alpha, beta, gamma, delta). */
static void sim_bgbb(rt_rng *g, const double par[4], sample *s)
{
    for (size_t i = 0; i < s->n; i++) {
        int n = 6 * (1 + (int)rt_rng_below(g, 4));
        double p = rt_rng_beta(g, par[0], par[1]);
        double theta = rt_rng_beta(g, par[2], par[3]);
        double x = 0.0, tx = 0.0;
        for (int t = 1; t <= n; t++) {
            if (rt_rng_uniform(g) < theta)
                break;
            if (rt_rng_uniform(g) < p) {
                x += 1.0;
                tx = t;
            }
        }
        s->x[i] = x;
        s->t_x[i] = tx;
        s->T[i] = n;
    }
}

/* Gamma-Gamma (FHL 2005b): per customer with x > 0, nu ~ Gamma(q, gamma) and x spends
 * ~ Gamma(p, nu); mbar is their mean. 'par' = (p, q, gamma). */
static void sim_spend(rt_rng *g, const double par[3], sample *s)
{
    for (size_t i = 0; i < s->n; i++) {
        s->mbar[i] = 0.0;
        if (s->x[i] == 0.0)
            continue;
        double nu = rt_rng_gamma(g, par[1]) / par[2], sum = 0.0;
        for (double j = 0; j < s->x[i]; j++)
            sum += rt_rng_gamma(g, par[0]) / nu;
        s->mbar[i] = sum / s->x[i];
    }
}

/* ---- fits ---- */

typedef enum { M_BGNBD, M_PNBD, M_BGBB, M_GG } model;
static const char *const model_names[4] = {"bgnbd", "pnbd", "bgbb", "gg"};

/* Fit 'm' on 's' (compressed into patterns first, as the fit API expects; Gamma-Gamma on
 * the rows as they are). Returns the status; the fit goes to '*f'. */
static rt_status fit_sample(model m, const sample *s, rt_fit *f, rt_error *err)
{
    if (m == M_GG)
        return rt_gg_fit(s->x, s->mbar, NULL, s->n, f, err);
    rt_btyd_patterns p;
    rt_status st = rt_btyd_compress(s->x, s->t_x, s->T, NULL, s->n, &p, err);
    if (st != RT_OK)
        return st;
    if (m == M_BGNBD)
        st = rt_bgnbd_fit(p.x, p.t_x, p.T, p.w, p.n, 0, f, err);
    else if (m == M_PNBD)
        st = rt_pnbd_fit(p.x, p.t_x, p.T, p.w, p.n, f, err);
    else
        st = rt_bgbb_fit(p.x, p.t_x, p.T, p.w, p.n, f, err);
    rt_btyd_patterns_free(&p);
    return st;
}

/* The 95% interval of parameter j as the API reports it: exp(log p -/+ 1.959964 se / p),
 * the Wald interval of log p (se(log p) = se / p by the delta method). */
static void interval(const rt_fit *f, int j, double *lo, double *hi)
{
    double h = 1.959964 * f->se[j] / f->par[j];
    *lo = f->par[j] * exp(-h);
    *hi = f->par[j] * exp(h);
}

/* ---- part 1: coverage ---- */

/* Truths: the published CDNOW estimates (BG/NBD: FHL 2005; Pareto/NBD: FHL's note; Gamma-
 * Gamma: FHL 2005b) and FHS 2010's donation estimates (BG/BB). */
static const double truth_bgnbd[4] = {0.243, 4.414, 0.793, 2.426};
static const double truth_pnbd[4] = {0.553, 10.578, 0.606, 11.669};
static const double truth_bgbb[4] = {1.204, 0.750, 0.657, 2.783};
static const double truth_gg[3] = {6.25, 3.74, 15.44};

typedef struct coverage {
    int fits, failed, intervals, covered;
    int covered_par[4];
    double z_sum[4]; /* sum of (estimate - truth) / se, to show any systematic bias */
    double seconds;
} coverage;

/* Simulate and fit model 'm' for seeds 1..nseeds; tally the intervals that hold the truth. */
static void run_coverage(model m, int nseeds, coverage *c)
{
    memset(c, 0, sizeof *c);
    const double *truth = m == M_BGNBD  ? truth_bgnbd
                          : m == M_PNBD ? truth_pnbd
                          : m == M_BGBB ? truth_bgbb
                                        : truth_gg;
    int npar = m == M_GG ? 3 : 4;
    sample s;
    if (sample_alloc(&s, NCUST) != 0) {
        CHECK(0 /* out of memory */);
        sample_free(&s);
        return;
    }
    for (int seed = 1; seed <= nseeds; seed++) {
        rt_rng g;
        rt_rng_seed(&g, (uint64_t)seed, 100 + (uint64_t)m); /* one stream per model and seed */
        if (m == M_BGNBD || m == M_GG)
            sim_bgnbd(&g, truth_bgnbd, &s);
        else if (m == M_PNBD)
            sim_pnbd(&g, truth_pnbd, &s);
        else
            sim_bgbb(&g, truth_bgbb, &s);
        if (m == M_GG)
            sim_spend(&g, truth_gg, &s);
        rt_fit f;
        rt_error err;
        double t0 = now();
        rt_status st = fit_sample(m, &s, &f, &err);
        c->seconds += now() - t0;
        c->fits++;
        if (st != RT_OK) {
            c->failed++;
            fprintf(stderr, "%s seed %d: %s\n", model_names[m], seed, err.msg);
            continue;
        }
        for (int j = 0; j < npar; j++) {
            double lo, hi;
            interval(&f, j, &lo, &hi);
            int in = lo <= truth[j] && truth[j] <= hi;
            c->intervals++;
            c->covered += in;
            c->covered_par[j] += in;
            c->z_sum[j] += (f.par[j] - truth[j]) / f.se[j];
        }
    }
    sample_free(&s);
}

static void print_coverage(model m, const coverage *c)
{
    int npar = m == M_GG ? 3 : 4;
    printf("recovery %-5s: %d fits, coverage %d/%d = %.3f (per parameter", model_names[m], c->fits,
           c->covered, c->intervals, c->intervals ? (double)c->covered / c->intervals : 0.0);
    for (int j = 0; j < npar; j++)
        printf(" %d/%d", c->covered_par[j], c->fits - c->failed);
    printf("; mean z");
    for (int j = 0; j < npar; j++)
        printf(" %+.2f", c->fits > c->failed ? c->z_sum[j] / (c->fits - c->failed) : 0.0);
    printf("), %.2f s per fit\n", c->fits ? c->seconds / c->fits : 0.0);
}

/* The tolerance. With K intervals that each hold the truth with probability 0.95, the count
 * covered is Binomial(K, 0.95) if they were independent: mean 0.95 K, sd sqrt(0.0475 K)
 * (80 intervals: sd 1.95, i.e. 2.4 points of coverage). The four intervals of one fit are
 * correlated (the estimates are), which widens the spread, and the Wald interval on the log
 * scale is only asymptotically exact. So accept coverage >= 0.95 - 0.10 for 80 intervals
 * (4 binomial sds) and a proportionally wider band, 0.95 - 4 sd, for fewer; the upper end is
 * 1 (over-coverage from slightly wide intervals would be harmless). A fitter with standard
 * errors too small by a third covers ~0.80, and a bias of one SE ~0.83: both fail. */
static void check_coverage(const coverage *c)
{
    CHECK(c->failed == 0);
    if (c->intervals == 0)
        return;
    double k = c->intervals, cov = c->covered / k;
    double lo = 0.95 - fmax(0.10, 4.0 * sqrt(0.95 * 0.05 / k));
    CHECK(cov >= lo);
    if (cov < lo)
        fprintf(stderr, "coverage %.3f below %.3f\n", cov, lo);
}

static void recovery_bgnbd_intervals_cover_the_truth(void)
{
    coverage c;
    run_coverage(M_BGNBD, seeds(SEEDS), &c);
    print_coverage(M_BGNBD, &c);
    check_coverage(&c);
}

static void recovery_pnbd_intervals_cover_the_truth(void)
{
    coverage c;
    run_coverage(M_PNBD, seeds(PNBD_SEEDS), &c);
    print_coverage(M_PNBD, &c);
    check_coverage(&c);
}

static void recovery_bgbb_intervals_cover_the_truth(void)
{
    coverage c;
    run_coverage(M_BGBB, seeds(SEEDS), &c);
    print_coverage(M_BGBB, &c);
    check_coverage(&c);
}

static void recovery_gg_intervals_cover_the_truth(void)
{
    coverage c;
    run_coverage(M_GG, seeds(SEEDS), &c);
    print_coverage(M_GG, &c);
    check_coverage(&c);
}

/* ---- part 2: rounding to whole days ---- */

/* rt_simulate writes whole days, and rt_btyd_summarize merges same-day purchases into one
 * and measures t_x and T in whole days from the first purchase day to the calibration end
 * (the log's last day). Three BG/NBD fits per seed, all with the design of rt_simulate's
 * defaults (first purchase uniform over the first 91 of 365 days, the CDNOW parameters):
 *  - "days": the log from rt_simulate, read back and summarised;
 *  - "own days": this file's continuous-time customers rounded to days here (the same
 *    merging and day arithmetic, computed independently);
 *  - "continuous": the same continuous-time customers without rounding.
 * Measured (8 seeds of 20000): rounding biases r by about +2% and alpha by about +5% (1 to
 * 1.8 standard errors at this size; a and b move < 1%). The cause is the merging of
 * same-day purchases, which thins the heaviest buyers (rounding T or t_x alone moves
 * nothing measurable); the bias is fixed in relative terms, so it grows in standard errors
 * with the number of customers. */
#define LOG_DAYS 365.0 /* rt_simulate's defaults */
#define ACQ_DAYS 91.0

typedef struct bias {
    int fits;
    double rel[4]; /* sum of estimate / truth - 1 */
    double z[4];   /* sum of (estimate - truth) / se */
    double rse[4]; /* sum of se / estimate */
    double zmax;   /* largest |z| of any single fit */
} bias;

static void bias_add(bias *b, const rt_fit *f, const double *truth)
{
    b->fits++;
    for (int j = 0; j < 4; j++) {
        double z = (f->par[j] - truth[j]) / f->se[j];
        b->rel[j] += f->par[j] / truth[j] - 1.0;
        b->z[j] += z;
        b->rse[j] += f->se[j] / f->par[j];
        b->zmax = fmax(b->zmax, fabs(z));
    }
}

static void bias_print(const char *what, const bias *b)
{
    int k = b->fits;
    printf("rounding %-10s: %d fits, mean relative bias (r alpha a b)", what, k);
    for (int j = 0; j < 4; j++)
        printf(" %+.4f", k ? b->rel[j] / k : 0.0);
    printf(", mean z");
    for (int j = 0; j < 4; j++)
        printf(" %+.2f", k ? b->z[j] / k : 0.0);
    printf(", max |z| %.2f, mean se/estimate", b->zmax);
    for (int j = 0; j < 4; j++)
        printf(" %.4f", k ? b->rse[j] / k : 0.0);
    printf("\n");
}

/* BG/NBD customers of rt_simulate's design in continuous time (days), summarised two ways:
 * 'exact' in weeks without rounding (T = (365 - t0) / 7), and 'days' as a day-level log
 * gives them (x = repeat purchase days other than the first day, t_x = (last day - first
 * day) / 7, T = (364 - first day) / 7). */
static void sim_bgnbd_days(rt_rng *g, const double par[4], sample *exact, sample *days)
{
    for (size_t i = 0; i < exact->n; i++) {
        double t0 = ACQ_DAYS * rt_rng_uniform(g);
        double rate = rt_rng_gamma(g, par[0]) / par[1] / 7.0; /* per day */
        double p = rt_rng_beta(g, par[2], par[3]);
        double t = t0, last = t0, day0 = floor(t0), lastday = day0, x = 0.0, xd = 0.0;
        for (;;) {
            t += rt_rng_exp(g) / rate;
            if (!(t < LOG_DAYS))
                break;
            x += 1.0;
            last = t;
            if (floor(t) != lastday) {
                xd += 1.0;
                lastday = floor(t);
            }
            if (rt_rng_uniform(g) < p)
                break;
        }
        exact->x[i] = x;
        exact->t_x[i] = (last - t0) / 7.0;
        exact->T[i] = (LOG_DAYS - t0) / 7.0;
        days->x[i] = xd;
        days->t_x[i] = (lastday - day0) / 7.0;
        days->T[i] = (LOG_DAYS - 1.0 - day0) / 7.0;
    }
}

/* Fit BG/NBD on the log rt_simulate writes for 'seed' (20000 customers, 365 days from
 * 2024-01-01, arrivals over the first 91 days, the default BG/NBD parameters), read back
 * through a temporary file and summarised in weeks up to the log's last day. */
static rt_status fit_simulated_log(uint64_t seed, rt_fit *f, rt_error *err)
{
    rt_sim_options o = {0};
    o.customers = NCUST;
    o.seed = seed;
    const char *path = tmp_path("log.csv");
    FILE *out = fopen(path, "w");
    if (!out)
        return rt_fail(err, RT_EIO, NULL, 0, 0, "cannot write %s", path);
    rt_status st = rt_simulate(&o, out, NULL, NULL, err);
    if (fclose(out) != 0 && st == RT_OK)
        st = rt_fail(err, RT_EIO, NULL, 0, 0, "cannot write %s", path);
    rt_events *ev = NULL;
    if (st == RT_OK)
        st = rt_events_read(path, NULL, &ev, err);
    if (st != RT_OK)
        return st;
    rt_btyd_cust *rows = NULL;
    size_t n = 0;
    int32_t end = 19723 + (int32_t)LOG_DAYS - 1; /* 2024-12-30, the log's last day */
    st = rt_btyd_summarize(ev, end, RT_BTYD_WEEK, &rows, &n, err);
    sample s = {0, NULL, NULL, NULL, NULL};
    if (st == RT_OK && sample_alloc(&s, n) != 0)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == RT_OK) {
        for (size_t i = 0; i < n; i++) {
            s.x[i] = rows[i].x;
            s.t_x[i] = rows[i].t_x;
            s.T[i] = rows[i].T;
        }
        CHECK(n == NCUST);
        st = fit_sample(M_BGNBD, &s, f, err);
    }
    sample_free(&s);
    rt_btyd_cust_free(ev, rows);
    rt_events_free(ev);
    return st;
}

/* Fit 'm' = BG/NBD on 's' and add it to 'b'; a failure is a test failure. */
static void fit_into(const char *what, int seed, const sample *s, bias *b)
{
    rt_fit f;
    rt_error err;
    rt_status st = fit_sample(M_BGNBD, s, &f, &err);
    CHECK(st == RT_OK);
    if (st == RT_OK)
        bias_add(b, &f, truth_bgnbd);
    else
        fprintf(stderr, "%s seed %d: %s\n", what, seed, err.msg);
}

/* Tolerances, with k = 8 independent fits per kind (4 under ASan):
 *  - continuous: the MLE is consistent, so the mean z is N(0, 1/k) up to O(1/sqrt(n))
 *    terms: |mean z| < 4 / sqrt(k) = 1.41 (fails ~1 in 16000 runs); any one fit's |z| <
 *    4.5 (32 values, P(some |z| > 4.5) ~ 2e-4).
 *  - days against own days: the same rounding of the same model, so the two mean z differ
 *    by noise only, sd sqrt(2 / k): |difference| < 4 sqrt(2 / k) = 2.0. This checks
 *    rt_simulate, rt_events_read and rt_btyd_summarize against an independent rounding.
 *  - days against the truth: |mean relative bias| < 0.07 + 4 sd, sd = (mean se / estimate)
 *    / sqrt(k) the sampling sd of the mean (8 fits: 0.6%, 1.0%, 2.3%, 3.0% for r, alpha,
 *    a, b); 0.07 is the room for the rounding bias itself (+5% measured for alpha). */
static void rounding_to_days_biases_bgnbd_little(void)
{
    bias days, own, cont;
    memset(&days, 0, sizeof days);
    memset(&own, 0, sizeof own);
    memset(&cont, 0, sizeof cont);
    sample exact, rounded;
    if (sample_alloc(&exact, NCUST) != 0 || sample_alloc(&rounded, NCUST) != 0) {
        CHECK(0 /* out of memory */);
        sample_free(&exact);
        sample_free(&rounded);
        return;
    }
    int k = seeds(ROUND_SEEDS);
    double t0 = now();
    for (int seed = 1; seed <= k; seed++) {
        rt_fit f;
        rt_error err;
        rt_status st = fit_simulated_log((uint64_t)seed, &f, &err);
        CHECK(st == RT_OK);
        if (st == RT_OK)
            bias_add(&days, &f, truth_bgnbd);
        else
            fprintf(stderr, "days seed %d: %s\n", seed, err.msg);

        rt_rng g;
        rt_rng_seed(&g, (uint64_t)seed, 200);
        sim_bgnbd_days(&g, truth_bgnbd, &exact, &rounded);
        fit_into("own days", seed, &rounded, &own);
        fit_into("continuous", seed, &exact, &cont);
    }
    sample_free(&exact);
    sample_free(&rounded);
    bias_print("days", &days);
    bias_print("own days", &own);
    bias_print("continuous", &cont);
    printf("rounding: %.1f s for %d seeds\n", now() - t0, k);
    CHECK(days.fits == k && own.fits == k && cont.fits == k);
    if (days.fits != k || own.fits != k || cont.fits != k)
        return;
    for (int j = 0; j < 4; j++) {
        CHECK(fabs(cont.z[j] / k) < 4.0 / sqrt(k));
        CHECK(fabs(days.z[j] / k - own.z[j] / k) < 4.0 * sqrt(2.0 / k));
        CHECK(fabs(days.rel[j] / k) < 0.07 + 4.0 * days.rse[j] / k / sqrt(k));
    }
    CHECK(cont.zmax < 4.5);
}

int main(void)
{
    TEST(recovery_bgnbd_intervals_cover_the_truth);
    TEST(recovery_pnbd_intervals_cover_the_truth);
    TEST(recovery_bgbb_intervals_cover_the_truth);
    TEST(recovery_gg_intervals_cover_the_truth);
    TEST(rounding_to_days_biases_bgnbd_little);
    remove_files();
    return test_report();
}
