/* bench_km.c - time rt_km_run (Kaplan-Meier, src/survival/km.c) on 1,000,000 generated
 * customers with integer tenures (0-1095 days, heavy ties), about 55% churned and a tier
 * column with 4 levels: one curve, and one curve per tier with the log-rank test (the
 * issue's survfit and survdiff, 1.7 s and 2.0 s in R; target 10x faster). The table is built
 * in memory (a caller-filled rt_survdata), so only the analysis is timed. Prints the median
 * of RUNS runs. Usage: bench_km [customers] [runs] [csv]: with 'csv', also write the data
 * there (customer_id,tenure,churned,tier) for timing R on the same rows.
 * SPDX-License-Identifier: MIT */
#include "retain.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* xorshift64*: a uniform number in [0, 1). */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median wall time of 'runs' calls of rt_km_run on 'd' with 'o'; the last result's curve
 * rows in '*rows'. Returns -1 on failure. */
static double time_km(const rt_survdata *d, const rt_km_options *o, int runs, size_t *rows)
{
    double t[64];
    for (int i = 0; i < runs; i++) {
        rt_result *r = NULL;
        rt_error err;
        double t0 = now();
        if (rt_km_run(d, o, &r, &err) != RT_OK) {
            fprintf(stderr, "bench_km: %s\n", err.msg);
            return -1;
        }
        t[i] = now() - t0;
        *rows = rt_result_table_rows(r, (size_t)rt_result_main_table(r));
        rt_result_free(r);
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_double);
    return runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *csv = argc > 3 ? argv[3] : NULL;
    if (n == 0 || runs < 1 || runs > 64) {
        fprintf(stderr, "usage: bench_km [customers] [runs 1-64] [csv]\n");
        return 1;
    }
    static const char *tiers[4] = {"basic", "plus", "pro", "enterprise"};
    static const double share[4] = {0.5, 0.25, 0.15, 0.10};
    static const double scale[4] = {450, 600, 800, 1100}; /* mean tenure by tier, days */
    double *time = malloc(n * sizeof *time);
    unsigned char *event = malloc(n);
    const char **tier = malloc(n * sizeof *tier);
    if (!time || !event || !tier)
        return 1;
    uint64_t s = 88172645463325252ULL;
    size_t events = 0;
    for (size_t i = 0; i < n; i++) {
        double u = uniform(&s);
        int k = u < share[0] ? 0 : u < share[0] + share[1] ? 1 : u < 0.9 ? 2 : 3;
        double t = floor(-log(1 - uniform(&s)) * scale[k]);
        time[i] = t > 1095 ? 1095 : t;              /* observed for at most three years */
        event[i] = t <= 1095 && uniform(&s) < 0.65; /* churned, unless still there at 1095 */
        events += event[i];
        tier[i] = tiers[k];
    }
    if (csv) {
        FILE *f = fopen(csv, "w");
        if (!f)
            return 1;
        fprintf(f, "customer_id,tenure,churned,tier\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "c%zu,%.0f,%d,%s\n", i + 1, time[i], event[i], tier[i]);
        if (fclose(f) != 0)
            return 1;
    }
    const char *names[1] = {"tier"};
    const char *const *cols[1] = {tier};
    rt_survdata d = {
        .n = n, .time = time, .event = event, .ncols = 1, .col_name = names, .text = cols};
    printf("bench_km: %zu customers, integer tenures 0-1095 days, %.1f%% churned, 4 tiers; "
           "median of %d runs\n",
           n, 100.0 * (double)events / (double)n, runs);
    const double at[3] = {30, 90, 365};
    rt_km_options one = {.at = at, .nat = 3}, by = {.by = "tier", .at = at, .nat = 3};
    size_t rows1 = 0, rows2 = 0;
    double t1 = time_km(&d, &one, runs, &rows1), t2 = time_km(&d, &by, runs, &rows2);
    if (t1 < 0 || t2 < 0)
        return 1;
    printf("km one curve (survfit, R 1.7 s, target <= 0.17 s): %.3f s, %zu times: %s\n", t1, rows1,
           t1 <= 0.17 ? "PASS" : "MISS");
    printf("km --by tier + log-rank (survdiff, R 2.0 s, target <= 0.20 s): %.3f s, %zu rows: "
           "%s\n",
           t2, rows2, t2 <= 0.20 ? "PASS" : "MISS");
    free(time);
    free(event);
    free((void *)tier);
    return 0;
}
