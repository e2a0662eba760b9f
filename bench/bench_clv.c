/* bench_clv.c - `retain predict`'s work on 1M customers, after the summary: rt_predict_run
 * (P(alive), expected purchases, P(k) for k = 0..2, Gamma-Gamma spend, 12-month CLV) and
 * writing its 1M-row CSV. Usage: bench_clv LOG [runs]; LOG is the cached bench/data/fit1m.csv.
 * Prints the median wall time of each step and PASS/MISS against 1 s for rt_predict_run.
 * SPDX-License-Identifier: MIT */
#include <retain.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_clv LOG [runs]\n");
        return 1;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1 || runs > 50)
        runs = 3;
    rt_error err;
    rt_events *ev;
    rt_load_options lo = {.channel_col = "", .product_col = "", .order_col = ""};
    double t0 = now();
    if (rt_events_read(argv[1], &lo, &ev, &err) != RT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t1 = now();
    rt_cbs *c;
    rt_cbs_options co = {0};
    if (rt_cbs_from_events(ev, &co, &c, &err) != RT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t2 = now();
    rt_model m, g;
    if (rt_model_fit(RT_MODEL_BGNBD, c, &m, &err) != RT_OK ||
        rt_model_fit(RT_MODEL_GG, c, &g, &err) != RT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("log: %s, %zu customers; load %.3f s, summary %.3f s\n", argv[1], c->n, t1 - t0,
           t2 - t1);
    double pt[50], wt[50];
    size_t rows = 0;
    for (int i = 0; i < runs; i++) {
        rt_predict_options po = {.spend = &g, .margin = 0.3};
        rt_result *r;
        double a = now();
        if (rt_predict_run(&m, c, &po, &r, &err) != RT_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double b = now();
        FILE *f = fopen("/dev/null", "w");
        if (!f || rt_result_write(r, f, RT_FORMAT_CSV, &err) != RT_OK) {
            fprintf(stderr, "cannot write /dev/null\n");
            return 1;
        }
        fclose(f);
        double e = now();
        long mt = rt_result_main_table(r);
        rows = mt >= 0 ? rt_result_table_rows(r, (size_t)mt) : 0;
        int found;
        rt_value np = rt_result_get(r, "patterns", &found);
        if (i == 0)
            printf("  %zu rows, %lld (x, t_x, T) patterns\n", rows, (long long)np.i);
        rt_result_free(r);
        pt[i] = b - a;
        wt[i] = e - b;
    }
    qsort(pt, (size_t)runs, sizeof pt[0], cmp);
    qsort(wt, (size_t)runs, sizeof wt[0], cmp);
    double pm = pt[runs / 2], wm = wt[runs / 2];
    printf("  rt_predict_run (BG/NBD + Gamma-Gamma, CLV): median %.3f s: %s (target 1 s)\n", pm,
           pm <= 1.0 ? "PASS" : "MISS");
    printf("  CSV of the %zu rows (13 columns) to /dev/null: median %.3f s\n", rows, wm);
    rt_cbs_free(c);
    rt_events_free(ev);
    return 0;
}
