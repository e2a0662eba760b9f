/* bench_cox.c - time rt_cox_run (Efron, Breslow, Efron with robust se) and the concordance on
 * generated data: CUSTOMERS customers with integer tenures 1..72 (heavy ties), about 55%
 * events, 10 model columns (6 continuous covariates, 2 binary, one categorical with three
 * levels as text). The data are generated in memory from a fixed seed. Run by bench/run.sh
 * (make bench). Targets (issue 5): 10x faster than R's coxph (11.3 s, Efron) and
 * concordance (4.0 s) on 1M customers, i.e. 1.13 s and 0.40 s.
 * Usage: bench_cox [CUSTOMERS [RUNS [CSV]]]  (defaults 1000000, 3; CSV: also write the data
 * there, for timing R on the same rows)
 * SPDX-License-Identifier: MIT */
#include "retain.h"

#include "core/parallel.h"
#include "survival/concordance.h"
#include "survival/order.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED 20240605u
#define MAX_TENURE 72
#define NUM 8              /* numeric columns: 6 continuous, 2 binary */
#define TARGET_FIT_S 1.13  /* R coxph Efron 11.3 s / 10 */
#define TARGET_CONC_S 0.40 /* R concordance 4.0 s / 10 */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* splitmix64: a fixed, seedable stream */
static uint64_t rng;

static double unif(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

typedef struct data {
    size_t n;
    double *time;
    unsigned char *event;
    double *num[NUM + 1];
    const char **text[NUM + 1];
    char (*buf)[24];
    const char *names[NUM + 1];
    rt_survdata sd;
} data;

static const char *const plan_names[] = {"Basic", "Plus", "Premium"};

/* Tenure in months: the churn hazard per month is 0.04 exp(x beta); censoring uniform over
 * 1..72 months (the customer's time since signing up). */
static int generate(data *d, size_t n)
{
    static const double beta[NUM] = {0.30, -0.20, 0.10, 0.05, -0.15, 0.25, 0.40, -0.50};
    static const double plan_beta[3] = {0, -0.3, -0.6};
    memset(d, 0, sizeof *d);
    d->n = n;
    d->time = malloc(n * sizeof *d->time);
    d->event = malloc(n);
    d->buf = malloc(n * NUM * sizeof *d->buf);
    if (!d->time || !d->event || !d->buf)
        return -1;
    for (int c = 0; c <= NUM; c++) {
        d->num[c] = malloc(n * sizeof *d->num[c]);
        d->text[c] = malloc(n * sizeof *d->text[c]);
        if (!d->num[c] || !d->text[c])
            return -1;
    }
    static const char *const names[NUM + 1] = {"x1", "x2", "x3", "x4",  "x5",
                                               "x6", "b1", "b2", "plan"};
    memcpy(d->names, names, sizeof names);
    rng = SEED;
    size_t events = 0;
    for (size_t i = 0; i < n; i++) {
        double eta = 0;
        for (int c = 0; c < NUM; c++) {
            double v = c < 6 ? gauss() : (unif() < (c == 6 ? 0.3 : 0.6) ? 1 : 0);
            if (c < 6)
                v = round(v * 1000) / 1000; /* as if read from a CSV with 3 decimals */
            eta += beta[c] * v;
            d->num[c][i] = v;
            snprintf(d->buf[i * NUM + (size_t)c], sizeof d->buf[0], "%g", v);
            d->text[c][i] = d->buf[i * NUM + (size_t)c];
        }
        double u = unif();
        int plan = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
        eta += plan_beta[plan];
        d->text[NUM][i] = plan_names[plan];
        d->num[NUM][i] = (double)NAN;
        double rate = 0.04 * exp(eta), t = ceil(-log(unif()) / rate);
        double cens = 1 + floor(unif() * MAX_TENURE);
        d->event[i] = t <= cens;
        d->time[i] = t <= cens ? t : cens;
        events += d->event[i];
    }
    d->sd = (rt_survdata){.n = n,
                          .time = d->time,
                          .event = d->event,
                          .ncols = NUM + 1,
                          .col_name = d->names,
                          .text = (const char *const *const *)d->text,
                          .num = (const double *const *)d->num};
    printf("data: %zu customers, %zu events (%.1f%%), integer tenures 1..%d months, "
           "10 model columns (6 continuous, 2 binary, plan: 3 levels as text)\n",
           n, events, 100.0 * (double)events / (double)n, MAX_TENURE);
    return 0;
}

static void data_free(data *d)
{
    for (int c = 0; c <= NUM; c++) {
        free(d->num[c]);
        free(d->text[c]);
    }
    free(d->time);
    free(d->event);
    free(d->buf);
}

static int write_csv(const data *d, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "time,event");
    for (int c = 0; c <= NUM; c++)
        fprintf(f, ",%s", d->names[c]);
    fputc('\n', f);
    for (size_t i = 0; i < d->n; i++) {
        fprintf(f, "%g,%d", d->time[i], d->event[i]);
        for (int c = 0; c <= NUM; c++)
            fprintf(f, ",%s", d->text[c][i]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}

static const char *const covariates[NUM + 1] = {"x1", "x2", "x3", "x4",  "x5",
                                                "x6", "b1", "b2", "plan"};

/* Time 'runs' fits; prints the median and returns it (negative on failure). */
static double time_fit(const data *d, const char *label, rt_ties ties, int robust, int runs,
                       int threads, double *coef)
{
    rt_cox_options o = {.covariates = covariates,
                        .ncov = NUM + 1,
                        .ties = ties,
                        .robust = robust,
                        .threads = threads};
    double t[16];
    rt_result *r = NULL;
    for (int k = 0; k < runs; k++) {
        rt_error err;
        rt_result_free(r);
        r = NULL;
        double t0 = now();
        if (rt_cox_run(&d->sd, &o, &r, &err) != RT_OK) {
            fprintf(stderr, "bench_cox: %s\n", err.msg);
            return -1;
        }
        t[k] = now() - t0;
    }
    int found;
    double med = median(t, runs);
    printf("cox %-15s %d threads: median %.3f s, best %.3f s (%d runs); %lld iterations, "
           "loglik %.10g, concordance %.6f\n",
           label, threads, med, t[0], runs, (long long)rt_result_get(r, "iterations", &found).i,
           rt_result_get(r, "loglik", &found).d, rt_result_get(r, "concordance", &found).d);
    size_t tb = (size_t)rt_result_main_table(r);
    printf("  coef:");
    for (size_t a = 0; a < rt_result_table_rows(r, tb); a++) {
        printf(" %s %.6f", rt_result_table_cell(r, tb, a, 0).s,
               rt_result_table_cell(r, tb, a, 1).d);
        if (coef && a < NUM + 2)
            coef[a] = rt_result_table_cell(r, tb, a, 1).d;
    }
    printf("\n");
    rt_result_free(r);
    return med;
}

/* Time the concordance alone on the fitted linear predictor ('coef': the 10 Efron
 * coefficients): sorting by time plus rt_concordance_run, what R's concordance(fit) does. */
static double time_concordance(const data *d, const double *coef, int runs, int threads)
{
    size_t n = d->n;
    double *score = malloc(n * sizeof *score), *ts = malloc(n * sizeof *ts);
    double *sc = malloc(n * sizeof *sc), t[16];
    unsigned char *ev = malloc(n);
    uint32_t *idx = malloc(n * sizeof *idx);
    if (!score || !ts || !sc || !ev || !idx)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double e = 0;
        for (int c = 0; c < NUM; c++)
            e += coef[c] * d->num[c][i];
        score[i] = e + coef[NUM] * (d->text[NUM][i] == plan_names[1]) +
                   coef[NUM + 1] * (d->text[NUM][i] == plan_names[2]);
    }
    rt_concordance c;
    for (int k = 0; k < runs; k++) {
        double t0 = now();
        size_t sstart[2] = {0, n};
        if (rt_order_doubles(d->time, n, idx, NULL) != 0)
            return -1;
        for (size_t q = 0; q < n; q++) {
            ts[q] = d->time[idx[q]];
            ev[q] = d->event[idx[q]];
            sc[q] = score[idx[q]];
        }
        if (rt_concordance_run(n, ts, ev, sstart, 1, sc, threads, &c) != RT_OK)
            return -1;
        t[k] = now() - t0;
    }
    double med = median(t, runs);
    printf("concordance      %d threads: median %.3f s, best %.3f s (%d runs); C = %.6f "
           "(se %.6f), concordant %.0f, discordant %.0f, tied risk %.0f, tied time %.0f\n",
           threads, med, t[0], runs, c.c, c.se, c.concordant, c.discordant, c.tied_x, c.tied_y);
    free(score);
    free(ts);
    free(sc);
    free(ev);
    free(idx);
    return med;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (n < 10 || runs < 1 || runs > 16) {
        fprintf(stderr, "usage: bench_cox [CUSTOMERS [RUNS [CSV]]]\n");
        return 2;
    }
    data d;
    if (generate(&d, n) != 0) {
        fprintf(stderr, "bench_cox: out of memory\n");
        return 1;
    }
    if (argc > 3 && write_csv(&d, argv[3]) != 0) {
        fprintf(stderr, "bench_cox: cannot write %s\n", argv[3]);
        return 1;
    }
    int threads = rt_thread_count(0);
    double coef[NUM + 2];
    double efron = time_fit(&d, "efron", RT_TIES_EFRON, 0, runs, threads, coef);
    double breslow = time_fit(&d, "breslow", RT_TIES_BRESLOW, 0, runs, threads, NULL);
    double robust = time_fit(&d, "efron+robust", RT_TIES_EFRON, 1, runs, threads, NULL);
    double one = time_fit(&d, "efron", RT_TIES_EFRON, 0, runs, 1, NULL);
    double conc = efron < 0 ? -1 : time_concordance(&d, coef, runs, threads);
    data_free(&d);
    if (efron < 0 || breslow < 0 || robust < 0 || one < 0 || conc < 0)
        return 1;
    printf("target cox efron <= %.2f s (R coxph 11.3 s / 10), median: %s\n", TARGET_FIT_S,
           efron <= TARGET_FIT_S ? "PASS" : "MISS");
    printf("target concordance <= %.2f s (R concordance 4.0 s / 10), median: %s\n", TARGET_CONC_S,
           conc <= TARGET_CONC_S ? "PASS" : "MISS");
    return 0;
}
