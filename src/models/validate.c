/* validate.c - rt_validate_run: calibration/holdout validation of a transaction model. The
 * model is fitted on the calibration columns of the summary, then its conditional
 * expectations over the holdout are compared with what the customers did, per calibration
 * frequency (0..6, 7+), in total, and period by period (tracking curves) when the log is at
 * hand.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/mem.h"
#include "core/result.h"
#include "models/btyd_fns.h"
#include "models/pattern_index.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NBINS 8 /* x = 0..6 and 7+ */

/* Actual repeat transactions per unit period (distinct purchase days after each customer's
 * first, for customers first seen by the calibration end), periods counted from 'origin'. */
static void actual_tracking(const rt_events *ev, int32_t cal_end, int32_t origin, double unit,
                            size_t periods, double *inc)
{
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    size_t nc = rt_events_customers(ev);
    memset(inc, 0, periods * sizeof *inc);
    for (size_t c = 0; c < nc; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        if (lo == hi || day[lo] > cal_end)
            continue;
        int32_t prev = day[lo];
        for (uint64_t e = lo + 1; e < hi; e++) {
            if (day[e] == prev)
                continue;
            prev = day[e];
            double p = floor((double)(day[e] - origin) / unit);
            if (p >= 0.0 && p < (double)periods)
                inc[(size_t)p] += 1.0;
        }
    }
}

static rt_status add_tracking(rt_result *r, const rt_cbs *c, const rt_events *ev, const rt_model *m,
                              const rt_btyd_fns *f, rt_error *err)
{
    int32_t origin;
    double *start, *count;
    size_t groups;
    double unit = c->unit_days;
    rt_status st = rt_btyd_first_day_groups(c, unit, &origin, &start, &count, &groups, err);
    if (st != RT_OK)
        return st;
    /* whole periods up to the last day of the data; a partial last period is left out */
    size_t periods = (size_t)floor(((double)c->data_end + 1.0 - origin) / unit + 1e-9);
    size_t np = periods ? periods : 1;
    double *cum = rt_mem_array(NULL, np, sizeof *cum), *inc = rt_mem_array(NULL, np, sizeof *inc);
    int bad = !cum || !inc;
    if (!bad) {
        rt_btyd_tracking(f, m->par, start, count, groups, periods, cum);
        actual_tracking(ev, c->calibration_end, origin, unit, periods, inc);
    }
    static const char *const cols[] = {"period",
                                       "period_start",
                                       "holdout",
                                       "actual_incremental",
                                       "expected_incremental",
                                       "actual_cumulative",
                                       "expected_cumulative"};
    static const int dec[] = {0, 0, 0, 0, 2, 0, 2};
    int t = bad ? -1 : rt_result_add_table(r, "tracking", 7, cols, dec);
    bad |= t < 0;
    double acum = 0.0;
    for (size_t p = 0; !bad && p < periods; p++) {
        int32_t d0 = origin + (int32_t)ceil((double)p * unit - 1e-9);
        acum += inc[p];
        rt_value cell[7] = {{.type = RT_VAL_INT, .i = (int64_t)p + 1},
                            {.type = RT_VAL_DATE, .i = d0},
                            {.type = RT_VAL_INT, .i = d0 > c->calibration_end},
                            {.type = RT_VAL_DOUBLE, .d = inc[p]},
                            {.type = RT_VAL_DOUBLE, .d = cum[p] - (p ? cum[p - 1] : 0.0)},
                            {.type = RT_VAL_DOUBLE, .d = acum},
                            {.type = RT_VAL_DOUBLE, .d = cum[p]}};
        bad |= rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    if (!bad) {
        int32_t next = origin + (int32_t)ceil((double)periods * unit - 1e-9);
        if (next <= c->data_end)
            bad |= rt_result_add_string(r, "tracking_note",
                                        "the last, partial period of the data is left out of "
                                        "the tracking table");
    }
    rt_mem_free(NULL, cum);
    rt_mem_free(NULL, inc);
    rt_mem_free(NULL, start);
    rt_mem_free(NULL, count);
    return bad ? rt_fail(err, RT_ENOMEM, NULL, 0, 0, "validate: out of memory") : RT_OK;
}

rt_status rt_validate_run(const rt_cbs *cbs, const rt_events *ev, const rt_validate_options *opt,
                          rt_result **out, rt_error *err)
{
    static const rt_validate_options defaults = {0};
    if (out)
        *out = NULL;
    if (!cbs || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "validate: NULL argument");
    const rt_validate_options *o = opt ? opt : &defaults;
    if (!cbs->x_star || !(cbs->holdout_length > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "validate: the summary has no holdout period (set a calibration end "
                       "before the last day of the data, or give holdout_frequency and the "
                       "holdout length)");
    rt_model fitted;
    const rt_model *m = o->model;
    if (!m) {
        rt_status st = rt_model_fit(o->kind, cbs, &fitted, err);
        if (st != RT_OK)
            return st;
        m = &fitted;
    }
    const rt_btyd_fns *f = rt_btyd_fns_get(m->kind);
    if (!f)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "validate: %s is not a transaction model (bgnbd, mbgnbd, pnbd, bgbb)",
                       rt_model_name(m->kind) ? rt_model_name(m->kind) : "?");
    if (!f->discrete && m->unit_days > 0.0 && cbs->unit_days > 0.0 &&
        m->unit_days != cbs->unit_days)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "validate: the model was fitted in %g-day units, the summary is in %g-day "
                       "units",
                       m->unit_days, cbs->unit_days);
    rt_status st = rt_btyd_check_rows("validate", cbs, f->discrete, err);
    if (st != RT_OK)
        return st;
    rt_pattern_index idx;
    st = rt_pattern_index_build(cbs->x, cbs->t_x, cbs->T, cbs->n, &idx, err);
    if (st != RT_OK)
        return st;
    double *e = rt_mem_array(NULL, idx.npat ? idx.npat : 1, sizeof *e);
    if (!e) {
        rt_pattern_index_free(&idx);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "validate: out of memory");
    }
    double hl = cbs->holdout_length;
    for (size_t p = 0; p < idx.npat; p++) {
        size_t i = idx.first[p];
        e[p] = f->expected(m->par, cbs->x[i], cbs->t_x[i], cbs->T[i], hl);
        if (!isfinite(e[p])) {
            st = rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                         "validate: expectation not finite for frequency %g, recency %g, T %g",
                         cbs->x[i], cbs->t_x[i], cbs->T[i]);
            break;
        }
    }
    /* bins; with weights, x_star holds the row's total and the row mean is compared */
    double cust[NBINS] = {0}, act[NBINS] = {0}, exp_[NBINS] = {0};
    double wsum = 0.0, atot = 0.0, etot = 0.0, abs_err = 0.0;
    for (size_t i = 0; st == RT_OK && i < cbs->n; i++) {
        double w = cbs->w ? cbs->w[i] : 1.0;
        if (!(w > 0.0))
            continue;
        size_t b = cbs->x[i] >= NBINS - 1 ? NBINS - 1 : (size_t)cbs->x[i];
        double ei = e[idx.of_row[i]];
        cust[b] += w;
        act[b] += cbs->x_star[i];
        exp_[b] += w * ei;
        wsum += w;
        atot += cbs->x_star[i];
        etot += w * ei;
        abs_err += w * fabs(cbs->x_star[i] / w - ei);
    }
    rt_result *r = NULL;
    if (st != RT_OK)
        goto done;
    r = rt_result_new(NULL, "validate");
    int bad = !r;
    char buf[64];
    if (!bad) {
        bad |= rt_result_add_string(r, "model", rt_model_name(m->kind));
        for (int i = 0; i < m->npar; i++) {
            snprintf(buf, sizeof buf, "params.%s", rt_model_param_name(m->kind, i));
            bad |= rt_result_add_double(r, buf, m->par[i], RT_DECIMALS_AUTO);
        }
        bad |= rt_result_add_double(r, "loglik", m->loglik, 2);
        const char *u = f->discrete ? "opportunity" : rt_unit_name(cbs->unit_days);
        bad |= rt_result_add_string(r, "unit", u ? u : (cbs->unit_days > 0 ? "custom" : "unknown"));
        if (cbs->first_day && !f->discrete)
            bad |= rt_result_add_date(r, "calibration_end", cbs->calibration_end);
        bad |= rt_result_add_double(r, "holdout_length", hl, RT_DECIMALS_AUTO);
        bad |= rt_result_add_double(r, "customers", wsum, 0);
        bad |= rt_result_add_double(r, "actual_total", atot, 2);
        bad |= rt_result_add_double(r, "expected_total", etot, 2);
        bad |= rt_result_add_double(r, "total_pct_error",
                                    atot > 0 ? 100.0 * (etot - atot) / atot : (double)NAN, 2);
        bad |= rt_result_add_double(r, "mae", wsum > 0 ? abs_err / wsum : (double)NAN, 4);
        bad |= rt_result_add_string(
            r, "definitions",
            "expected = E[holdout purchases | calibration x, t_x, T] of the model fitted on the "
            "calibration period; mae = mean over customers of |actual - expected|; "
            "total_pct_error = 100 (expected_total - actual_total) / actual_total; frequency "
            "bins are the calibration repeat purchases x");
    }
    static const char *const cols[] = {"frequency", "customers", "actual_mean", "expected_mean"};
    static const int dec[] = {0, 0, 4, 4};
    int t = bad ? -1 : rt_result_add_table(r, "by_frequency", 4, cols, dec);
    bad |= t < 0 || rt_result_set_main(r, (size_t)t) != 0;
    for (size_t b = 0; !bad && b < NBINS; b++) {
        snprintf(buf, sizeof buf, b == NBINS - 1 ? "%zu+" : "%zu", b);
        rt_value cell[4] = {
            {.type = RT_VAL_STRING, .s = buf},
            {.type = RT_VAL_DOUBLE, .d = cust[b]},
            {.type = RT_VAL_DOUBLE, .d = cust[b] > 0 ? act[b] / cust[b] : (double)NAN},
            {.type = RT_VAL_DOUBLE, .d = cust[b] > 0 ? exp_[b] / cust[b] : (double)NAN}};
        bad |= rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    if (bad)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "validate: out of memory");
    else if (ev && cbs->first_day && cbs->n > 0 && !f->discrete && cbs->unit_days > 0.0)
        st = add_tracking(r, cbs, ev, m, f, err);
done:
    rt_mem_free(NULL, e);
    rt_pattern_index_free(&idx);
    if (st != RT_OK) {
        rt_result_free(r);
        return st;
    }
    *out = r;
    return RT_OK;
}
