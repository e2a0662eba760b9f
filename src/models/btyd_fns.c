/* btyd_fns.c - the per-model prediction table and the cohort tracking curve.
 * SPDX-License-Identifier: MIT */
#include "models/btyd_fns.h"

#include "models/bgbb_predict.h"
#include "models/bgnbd_predict.h"
#include "models/pnbd.h"
#include "models/pnbd_predict.h"

#include "core/error.h"
#include "core/mem.h"

#include <math.h>
#include <stdint.h>

static double bg_pmf(const double *p, double x, double t_x, double T, double t, int k)
{
    return rt_bgnbd_pmf_conditional(p, 0, x, t_x, T, t, k);
}

static double mbg_pmf(const double *p, double x, double t_x, double T, double t, int k)
{
    return rt_bgnbd_pmf_conditional(p, 1, x, t_x, T, t, k);
}

static const rt_btyd_fns bgnbd = {rt_bgnbd_palive,
                                  rt_bgnbd_conditional_expected,
                                  bg_pmf,
                                  rt_bgnbd_expected_new,
                                  rt_bgnbd_pmf_new,
                                  NULL,
                                  0};
static const rt_btyd_fns mbgnbd = {rt_mbgnbd_palive,
                                   rt_mbgnbd_conditional_expected,
                                   mbg_pmf,
                                   rt_mbgnbd_expected_new,
                                   rt_mbgnbd_pmf_new,
                                   NULL,
                                   0};
static const rt_btyd_fns pnbd = {rt_pnbd_palive,
                                 rt_pnbd_expected,
                                 rt_pnbd_pmf_conditional,
                                 rt_pnbd_expected_new,
                                 rt_pnbd_pmf_new,
                                 rt_pnbd_dert,
                                 0};
static const rt_btyd_fns bgbb = {rt_bgbb_palive,
                                 rt_bgbb_conditional_expected,
                                 rt_bgbb_pmf_conditional,
                                 rt_bgbb_expected_new,
                                 rt_bgbb_pmf_new,
                                 rt_bgbb_dert,
                                 1};

const rt_btyd_fns *rt_btyd_fns_get(rt_model_kind kind)
{
    switch (kind) {
    case RT_MODEL_BGNBD:
        return &bgnbd;
    case RT_MODEL_MBGNBD:
        return &mbgnbd;
    case RT_MODEL_PNBD:
        return &pnbd;
    case RT_MODEL_BGBB:
        return &bgbb;
    default:
        return NULL;
    }
}

void rt_btyd_tracking(const rt_btyd_fns *f, const double *par, const double *start,
                      const double *count, size_t groups, size_t periods, double *cum)
{
    for (size_t p = 1; p <= periods; p++) {
        double s = 0.0;
        for (size_t g = 0; g < groups; g++) {
            double t = (double)p - start[g];
            if (t > 0.0)
                s += count[g] * f->expected_new(par, t);
        }
        cum[p - 1] = s;
    }
}

/* Group the customers by first purchase day: start (units after the earliest) and count. */
rt_status rt_btyd_first_day_groups(const rt_cbs *c, double unit, int32_t *origin, double **start,
                                   double **count, size_t *groups, rt_error *err)
{
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < c->n; i++) {
        lo = c->first_day[i] < lo ? c->first_day[i] : lo;
        hi = c->first_day[i] > hi ? c->first_day[i] : hi;
    }
    size_t span = (size_t)((int64_t)hi - lo + 1);
    double *cnt = rt_mem_calloc(NULL, span, sizeof *cnt);
    double *st = rt_mem_array(NULL, span, sizeof *st);
    if (!cnt || !st) {
        rt_mem_free(NULL, cnt);
        rt_mem_free(NULL, st);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "tracking: out of memory");
    }
    for (size_t i = 0; i < c->n; i++)
        cnt[c->first_day[i] - lo] += c->w ? c->w[i] : 1.0;
    size_t g = 0;
    for (size_t d = 0; d < span; d++)
        if (cnt[d] > 0.0) {
            st[g] = (double)d / unit;
            cnt[g++] = cnt[d];
        }
    *origin = lo;
    *start = st;
    *count = cnt;
    *groups = g;
    return RT_OK;
}

rt_status rt_btyd_check_rows(const char *what, const rt_cbs *c, int discrete, rt_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        double x = c->x[i], tx = c->t_x[i], T = c->T[i];
        int ok = isfinite(x) && isfinite(tx) && isfinite(T) && x >= 0.0 && tx >= 0.0 && tx <= T &&
                 (T > 0.0 || (T == 0.0 && x == 0.0 && !discrete)) && (x > 0.0 || tx == 0.0);
        if (ok && discrete)
            ok = x == floor(x) && tx == floor(tx) && T == floor(T) && x <= tx;
        if (!ok)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "%s: row %zu: frequency %g, recency %g, T %g cannot be a "
                           "%s summary",
                           what, i + 1, x, tx, T, discrete ? "BG/BB (integer)" : "customer");
    }
    return RT_OK;
}
