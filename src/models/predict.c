/* predict.c - rt_predict_run: per-customer predictions and CLV of a fitted transaction model,
 * the new-customer curve and the cohort tracking curve; rt_predict_sbg: the sBG projection
 * and DERL. Predictions depend on a customer only through (x, t_x, T), so they are computed
 * once per distinct pattern, in parallel, and copied to the customers.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "models/btyd_fns.h"
#include "models/gammagamma.h"
#include "models/pattern_index.h"
#include "models/sbg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_K 20
/* The longest t and horizon, in units: the new-customer table has a row per unit. */
#define MAX_UNITS 100000.0
#define YEAR_DAYS 365.25
#define MONTH_DAYS (365.25 / 12.0)

/* What is computed per pattern.
 *
 * Every model factors the same way: with A = P(alive | x, t_x, T),
 *   E[Y(t) | x, t_x, T] = A e(x, T, t),   P(Y(t) = k) = A q_k(x, T, t) (k >= 1),
 *   P(Y(t) = 0) = 1 - A h(x, T, t),       DERT = A d(x, T),
 * because a customer who is gone buys nothing and one who is alive continues as a new
 * customer with parameters updated by (x, T) only (FHL 2005 eq. 10, Batislam et al. 2007,
 * the Pareto/NBD note, FHS 2010; BG/BB's alive-at-n and alive-at-n+1 differ by a factor of n
 * alone). t_x enters through A alone. So the expensive parts (hypergeometric functions,
 * pmfs, the monthly CLV sum) are computed once per distinct (x, T), at the reference
 * t_x = T (or 0 when x = 0), where A is largest, and each pattern multiplies them by its own
 * A. test_predict.c checks every row against the direct formulas. */
typedef struct job {
    const rt_btyd_fns *f;
    const double *par;
    const rt_cbs *cbs;
    const rt_pattern_index *idx;      /* rows -> (x, t_x, T) patterns */
    const rt_pattern_index *pair;     /* patterns -> (x, T) pairs */
    double t;                         /* horizon of 'expected' and the pmf */
    int nk;                           /* pmf entries per pattern */
    size_t nsteps;                    /* CLV steps */
    const double *step_t, *step_disc; /* nsteps: end of step j (units), its discount factor */
    double dert_rate;                 /* rate handed to f->dert */
    int threads;
    /* per pair: e, d, det ratios, h and q_k (nk entries: h, q_1, ..., q_{nk-1}); ok flag */
    double *r_e, *r_det, *r_dert, *r_q;
    unsigned char *r_ok;
    /* per pattern */
    double *palive, *expected, *pk, *det, *dert;
} job;

/* The CLV sum: expected purchases in each step, discounted. */
static double clv_sum(const job *j, double x, double tx, double T)
{
    double prev = 0.0, sum = 0.0;
    for (size_t s = 0; s < j->nsteps; s++) {
        double e = j->f->expected(j->par, x, tx, T, j->step_t[s]);
        sum += (e - prev) * j->step_disc[s];
        prev = e;
    }
    return sum;
}

static void pair_part(void *arg, int k)
{
    job *j = arg;
    size_t n = j->pair->npat;
    size_t lo = n * (size_t)k / (size_t)j->threads, hi = n * (size_t)(k + 1) / (size_t)j->threads;
    const double *par = j->par;
    for (size_t q = lo; q < hi; q++) {
        size_t r = j->idx->first[j->pair->first[q]];
        double x = j->cbs->x[r], T = j->cbs->T[r], tx = x > 0.0 ? T : 0.0;
        double a = j->f->palive(par, x, tx, T);
        j->r_ok[q] = a > 1e-200 && isfinite(a);
        if (!j->r_ok[q])
            continue;
        j->r_e[q] = j->f->expected(par, x, tx, T, j->t) / a;
        double *qk = j->r_q + q * (size_t)(j->nk ? j->nk : 1);
        for (int i = 0; i < j->nk; i++) {
            double pr = j->f->pmf(par, x, tx, T, j->t, i);
            qk[i] = i == 0 ? (1.0 - pr) / a : pr / a;
        }
        j->r_det[q] = clv_sum(j, x, tx, T) / a;
        j->r_dert[q] = j->f->dert ? j->f->dert(par, x, tx, T, j->dert_rate) / a : (double)NAN;
    }
}

static void pattern_part(void *arg, int k)
{
    job *j = arg;
    size_t npat = j->idx->npat;
    size_t lo = npat * (size_t)k / (size_t)j->threads;
    size_t hi = npat * (size_t)(k + 1) / (size_t)j->threads;
    const double *par = j->par;
    size_t nk = (size_t)j->nk;
    for (size_t p = lo; p < hi; p++) {
        size_t r = j->idx->first[p], q = j->pair->of_row[p];
        double x = j->cbs->x[r], tx = j->cbs->t_x[r], T = j->cbs->T[r];
        double a = j->f->palive(par, x, tx, T);
        j->palive[p] = a;
        if (j->r_ok[q]) {
            const double *qk = j->r_q + q * (nk ? nk : 1);
            j->expected[p] = a * j->r_e[q];
            for (size_t i = 0; i < nk; i++)
                j->pk[p * nk + i] = i == 0 ? 1.0 - a * qk[0] : a * qk[i];
            j->det[p] = a * j->r_det[q];
            j->dert[p] = a * j->r_dert[q];
            continue;
        }
        /* A underflows at the reference: the formulas directly */
        j->expected[p] = j->f->expected(par, x, tx, T, j->t);
        for (size_t i = 0; i < nk; i++)
            j->pk[p * nk + i] = j->f->pmf(par, x, tx, T, j->t, (int)i);
        j->det[p] = clv_sum(j, x, tx, T);
        j->dert[p] = j->f->dert ? j->f->dert(par, x, tx, T, j->dert_rate) : (double)NAN;
    }
}

static int good_params(const rt_model *m)
{
    if (m->npar != rt_model_npar(m->kind))
        return 0;
    for (int i = 0; i < m->npar; i++)
        if (!(m->par[i] > 0.0) || !isfinite(m->par[i]))
            return 0;
    return 1;
}

/* The default horizon: the holdout's length when known, else one year in the unit. */
static double default_horizon(const rt_btyd_fns *f, const rt_cbs *cbs, double unit)
{
    if (cbs->holdout_length > 0.0)
        return cbs->holdout_length;
    if (f->discrete)
        return 1.0;
    if (unit == RT_UNIT_WEEK)
        return 52.0;
    if (unit == RT_UNIT_DAY)
        return 365.0;
    if (unit == RT_UNIT_MONTH)
        return 12.0;
    return YEAR_DAYS / unit;
}

typedef struct plan {
    double unit;      /* days per unit (continuous models) */
    int unit_assumed; /* 1 = only one of the model and the table knew it; 2 = neither: weeks
                         assumed */
    double t, horizon, discount, margin;
    int nk;
    size_t nsteps;
    double *step_t, *step_disc;
    double dert_rate;
} plan;

static rt_status make_plan(const rt_model *m, const rt_btyd_fns *f, const rt_cbs *cbs,
                           const rt_predict_options *o, plan *pl, rt_error *err)
{
    memset(pl, 0, sizeof *pl);
    if (!f->discrete && m->unit_days > 0.0 && cbs->unit_days > 0.0 &&
        m->unit_days != cbs->unit_days)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "predict: the model was fitted in %g-day units, the summary is in %g-day "
                       "units",
                       m->unit_days, cbs->unit_days);
    pl->unit = m->unit_days > 0.0 ? m->unit_days : cbs->unit_days;
    if (!f->discrete && !(m->unit_days > 0.0 && cbs->unit_days > 0.0))
        pl->unit_assumed = pl->unit > 0.0 ? 1 : 2;
    if (!f->discrete && !(pl->unit > 0.0))
        pl->unit = RT_UNIT_WEEK;
    double def = default_horizon(f, cbs, pl->unit);
    pl->t = o->t > 0.0 ? o->t : def;
    pl->horizon = o->horizon > 0.0 ? o->horizon : pl->t;
    pl->discount = o->discount > 0.0 ? o->discount : 0.1;
    pl->margin = o->margin > 0.0 ? o->margin : 1.0;
    pl->nk = o->pk_count < 0 ? 0 : (o->pk_count == 0 ? 3 : o->pk_count);
    if (!isfinite(o->t) || o->t < 0.0 || !isfinite(o->horizon) || o->horizon < 0.0 ||
        !isfinite(o->discount) || o->discount < 0.0 || !isfinite(o->margin) || o->margin < 0.0 ||
        o->pk_count > MAX_K + 1 || !isfinite(o->mean_spend) || o->mean_spend < 0.0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "predict: bad options (t, horizon, discount, margin, mean spend must be "
                       ">= 0 and finite; pk_count <= %d)",
                       MAX_K + 1);
    if (pl->t > MAX_UNITS || pl->horizon > MAX_UNITS)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "predict: t = %g and horizon = %g must be at most %g units", pl->t,
                       pl->horizon, MAX_UNITS);
    if (f->discrete && (pl->t != floor(pl->t) || pl->horizon != floor(pl->horizon)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "predict: bgbb counts whole opportunities: t = %g and horizon = %g must "
                       "be integers",
                       pl->t, pl->horizon);
    /* CLV steps: one per opportunity (BG/BB) or per month of the horizon. */
    double step = f->discrete ? 1.0 : MONTH_DAYS / pl->unit;
    double nsteps = ceil(pl->horizon / step - 1e-9);
    if (nsteps > 1e6)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "predict: a horizon of %g units needs %.0f CLV steps (at most 1000000)",
                       pl->horizon, nsteps);
    pl->nsteps = (size_t)(nsteps < 1.0 ? 1.0 : nsteps);
    if (!o->spend && !(o->mean_spend > 0.0))
        pl->nsteps = 0; /* no spend, no CLV: nothing to sum */
    pl->step_t = rt_mem_array(NULL, pl->nsteps ? pl->nsteps : 1, sizeof *pl->step_t);
    pl->step_disc = rt_mem_array(NULL, pl->nsteps ? pl->nsteps : 1, sizeof *pl->step_disc);
    if (!pl->step_t || !pl->step_disc)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "predict: out of memory");
    for (size_t s = 0; s < pl->nsteps; s++) {
        double t = fmin((double)(s + 1) * step, pl->horizon);
        double years = f->discrete ? t : t * pl->unit / YEAR_DAYS;
        pl->step_t[s] = t;
        pl->step_disc[s] = pow(1.0 + pl->discount, -years);
    }
    /* DERT: a continuous rate per unit equivalent to the annual rate (Pareto/NBD), or the rate
     * per opportunity (BG/BB). */
    pl->dert_rate = f->discrete ? pl->discount : log1p(pl->discount) * pl->unit / YEAR_DAYS;
    return RT_OK;
}

static void plan_free(plan *pl)
{
    rt_mem_free(NULL, pl->step_t);
    rt_mem_free(NULL, pl->step_disc);
}

/* Expected spend per transaction for row i: the Gamma-Gamma conditional mean, the population
 * mean when the table has no amounts, or the caller's constant. */
static double spend_of(const rt_predict_options *o, const rt_cbs *c, size_t i)
{
    if (o->spend) {
        double mbar = c->mbar ? c->mbar[i] : 0.0;
        return rt_gg_expected_spend(o->spend->par, c->mbar ? c->x[i] : 0.0, mbar);
    }
    return o->mean_spend;
}

static const char *unit_label(double unit, int discrete)
{
    if (discrete)
        return "opportunity";
    const char *u = rt_unit_name(unit);
    return u ? u : "custom";
}

static int add_fields(rt_result *r, const rt_model *m, const rt_cbs *cbs, const plan *pl,
                      const rt_predict_options *o, const rt_btyd_fns *f, size_t npat)
{
    char buf[512];
    int bad = 0, with_spend = o->spend || o->mean_spend > 0.0;
    bad |= rt_result_add_string(r, "model", rt_model_name(m->kind));
    for (int i = 0; i < m->npar; i++) {
        snprintf(buf, sizeof buf, "params.%s", rt_model_param_name(m->kind, i));
        bad |= rt_result_add_double(r, buf, m->par[i], RT_DECIMALS_AUTO);
    }
    bad |= rt_result_add_string(r, "unit", unit_label(pl->unit, f->discrete));
    if (pl->unit_assumed == 2)
        bad |= rt_result_add_string(r, "unit_note",
                                    "neither the model nor the summary names its time unit: "
                                    "weeks assumed for the discounting");
    else if (pl->unit_assumed == 1)
        bad |= rt_result_add_string(r, "unit_note",
                                    "only one of the model and the summary names its time unit: "
                                    "the summary is assumed to be in the same unit");
    bad |= rt_result_add_double(r, "t", pl->t, RT_DECIMALS_AUTO);
    bad |= rt_result_add_int(r, "rows", (int64_t)cbs->n);
    bad |= rt_result_add_int(r, "patterns", (int64_t)npat);
    if (with_spend) {
        bad |= rt_result_add_double(r, "horizon", pl->horizon, RT_DECIMALS_AUTO);
        bad |= rt_result_add_double(r, "discount_rate", pl->discount, RT_DECIMALS_AUTO);
        bad |= rt_result_add_double(r, "margin", pl->margin, RT_DECIMALS_AUTO);
        if (o->spend) {
            bad |= rt_result_add_string(r, "spend_model", "gg");
            for (int i = 0; i < o->spend->npar; i++) {
                snprintf(buf, sizeof buf, "spend_params.%s", rt_model_param_name(RT_MODEL_GG, i));
                bad |= rt_result_add_double(r, buf, o->spend->par[i], RT_DECIMALS_AUTO);
            }
        } else {
            bad |= rt_result_add_double(r, "mean_spend", o->mean_spend, 2);
        }
        if (f->discrete)
            snprintf(buf, sizeof buf,
                     "discrete: expected transactions at each of the %zu opportunities of the "
                     "horizon x expected spend x margin, discounted at (1 + %g)^-k for "
                     "opportunity k",
                     pl->nsteps, pl->discount);
        else
            snprintf(buf, sizeof buf,
                     "discrete: expected transactions in each month (%g days) of the %g-%s "
                     "horizon x expected spend x margin, discounted at (1 + %g)^-(m/12) at the "
                     "end of month m (%zu steps)",
                     MONTH_DAYS, pl->horizon, unit_label(pl->unit, 0), pl->discount, pl->nsteps);
        bad |= rt_result_add_string(r, "clv_method", buf);
    }
    if (f->dert) {
        if (!with_spend)
            bad |= rt_result_add_double(r, "discount_rate", pl->discount, RT_DECIMALS_AUTO);
        if (f->discrete)
            snprintf(buf, sizeof buf,
                     "closed form (Fader, Hardie & Shang 2010): discounted expected residual "
                     "transactions over all future opportunities at %g per opportunity",
                     pl->discount);
        else
            snprintf(buf, sizeof buf,
                     "closed form (Fader, Hardie & Lee 2005): discounted expected residual "
                     "transactions, infinite horizon, continuous discounting at %.6g per "
                     "%s (= %g per year)",
                     pl->dert_rate, unit_label(pl->unit, 0), pl->discount);
        bad |= rt_result_add_string(r, "dert_method", buf);
    }
    snprintf(
        buf, sizeof buf,
        "p_alive = P(still active at the end of the calibration period); expected = E[purchases "
        "in the next %g %s(s)]; p_k = P(exactly k purchases in that time); expected_spend "
        "= expected value per purchase; clv = discounted expected transactions over the "
        "horizon x expected_spend x margin",
        pl->t, unit_label(pl->unit, f->discrete));
    bad |= rt_result_add_string(r, "definitions", buf);
    return bad;
}

static int add_customers(rt_result *r, const rt_cbs *c, const job *j, const plan *pl,
                         const rt_predict_options *o, const rt_btyd_fns *f)
{
    const char *cols[40];
    int dec[40];
    char names[MAX_K + 1][16];
    size_t nc = 0;
    int with_spend = o->spend || o->mean_spend > 0.0, with_dert = f->dert != NULL;
    cols[nc] = c->id ? "customer_id" : "row";
    dec[nc++] = 0;
    if (c->w) {
        cols[nc] = "weight";
        dec[nc++] = RT_DECIMALS_AUTO;
    }
    static const char *const base[] = {"frequency", "recency", "T", "p_alive", "expected"};
    for (size_t i = 0; i < 5; i++) {
        cols[nc] = base[i];
        dec[nc++] = i < 3 ? 2 : 4;
    }
    for (int k = 0; k < j->nk; k++) {
        snprintf(names[k], sizeof names[k], "p_%d", k);
        cols[nc] = names[k];
        dec[nc++] = 4;
    }
    if (with_spend) {
        cols[nc] = "expected_spend";
        dec[nc++] = 2;
        cols[nc] = "clv";
        dec[nc++] = 2;
    }
    if (with_dert) {
        cols[nc] = "dert";
        dec[nc++] = 4;
    }
    if (with_dert && with_spend) {
        cols[nc] = "clv_dert";
        dec[nc++] = 2;
    }
    int t = rt_result_add_table(r, "customers", nc, cols, dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    rt_value cell[40];
    for (size_t i = 0; i < c->n; i++) {
        size_t p = j->idx->of_row[i], n = 0;
        if (c->id)
            cell[n++] = (rt_value){.type = RT_VAL_STRING, .s = c->id[i]};
        else
            cell[n++] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)i + 1};
        if (c->w)
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->w[i]};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->x[i]};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->t_x[i]};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = c->T[i]};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = j->palive[p]};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = j->expected[p]};
        for (int k = 0; k < j->nk; k++)
            cell[n++] =
                (rt_value){.type = RT_VAL_DOUBLE, .d = j->pk[p * (size_t)j->nk + (size_t)k]};
        double sp = with_spend ? spend_of(o, c, i) : 0.0;
        if (with_spend) {
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = sp};
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = j->det[p] * sp * pl->margin};
        }
        if (with_dert)
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = j->dert[p]};
        if (with_dert && with_spend)
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = j->dert[p] * sp * pl->margin};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* E[X(t)] and P(X(t) = k) of a new customer for t = 1..ceil(max(t, horizon)) units. */
static int add_new_customer(rt_result *r, const rt_model *m, const rt_btyd_fns *f, const plan *pl)
{
    const char *cols[MAX_K + 3];
    char names[MAX_K + 1][16];
    size_t nc = 0;
    cols[nc++] = "t";
    cols[nc++] = "expected";
    for (int k = 0; k < pl->nk; k++) {
        snprintf(names[k], sizeof names[k], "p_%d", k);
        cols[nc++] = names[k];
    }
    int t = rt_result_add_table(r, "new_customer", nc, cols, NULL);
    if (t < 0)
        return -1;
    double last = ceil(fmax(pl->t, pl->horizon));
    rt_value cell[MAX_K + 3];
    for (double u = 1.0; u <= last; u += 1.0) {
        size_t n = 0;
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = u};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = f->expected_new(m->par, u)};
        for (int k = 0; k < pl->nk; k++)
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = f->pmf_new(m->par, u, k)};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* Expected cumulative repeat transactions of the cohort per unit period from the earliest
 * first purchase to the end of the prediction horizon after the calibration end. */
static rt_status add_tracking(rt_result *r, const rt_model *m, const rt_cbs *c,
                              const rt_btyd_fns *f, const plan *pl, rt_error *err)
{
    int32_t origin;
    double *start, *count;
    size_t groups;
    rt_status st = rt_btyd_first_day_groups(c, pl->unit, &origin, &start, &count, &groups, err);
    if (st != RT_OK)
        return st;
    double end = ((double)c->calibration_end + 1.0 - origin) / pl->unit + pl->t;
    size_t periods = (size_t)ceil(end - 1e-9);
    double *cum = rt_mem_array(NULL, periods ? periods : 1, sizeof *cum);
    if (!cum) {
        rt_mem_free(NULL, start);
        rt_mem_free(NULL, count);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "tracking: out of memory");
    }
    rt_btyd_tracking(f, m->par, start, count, groups, periods, cum);
    static const char *const cols[] = {"period", "period_start", "expected_incremental",
                                       "expected_cumulative"};
    static const int dec[] = {0, 0, 2, 2};
    int t = rt_result_add_table(r, "tracking", 4, cols, dec);
    int bad = t < 0;
    for (size_t p = 0; !bad && p < periods; p++) {
        int32_t day = origin + (int32_t)ceil((double)p * pl->unit - 1e-9);
        rt_value cell[4] = {{.type = RT_VAL_INT, .i = (int64_t)p + 1},
                            {.type = RT_VAL_DATE, .i = day},
                            {.type = RT_VAL_DOUBLE, .d = cum[p] - (p ? cum[p - 1] : 0.0)},
                            {.type = RT_VAL_DOUBLE, .d = cum[p]}};
        bad = rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    rt_mem_free(NULL, cum);
    rt_mem_free(NULL, start);
    rt_mem_free(NULL, count);
    return bad ? rt_fail(err, RT_ENOMEM, NULL, 0, 0, "predict: out of memory") : RT_OK;
}

rt_status rt_predict_run(const rt_model *m, const rt_cbs *cbs, const rt_predict_options *opt,
                         rt_result **out, rt_error *err)
{
    static const rt_predict_options defaults = {0};
    if (out)
        *out = NULL;
    if (!m || !cbs || !out || (cbs->n > 0 && (!cbs->x || !cbs->t_x || !cbs->T)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "predict: NULL argument");
    const rt_predict_options *o = opt ? opt : &defaults;
    const rt_btyd_fns *f = rt_btyd_fns_get(m->kind);
    if (!f)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "predict: %s is not a transaction model (use bgnbd, mbgnbd, pnbd or bgbb%s)",
                       rt_model_name(m->kind) ? rt_model_name(m->kind) : "?",
                       m->kind == RT_MODEL_SBG ? "; sbg projections come from rt_predict_sbg" : "");
    if (!good_params(m))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "predict: the %s parameters must be > 0",
                       rt_model_name(m->kind));
    if (o->spend && (o->spend->kind != RT_MODEL_GG || !good_params(o->spend)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "predict: the spend model must be a gg fit");
    if (o->spend && !(o->spend->par[1] > 1.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "predict: Gamma-Gamma q = %g <= 1: the mean spend does not exist",
                       o->spend->par[1]);
    rt_status st = rt_btyd_check_rows("predict", cbs, f->discrete, err);
    if (st != RT_OK)
        return st;
    plan pl;
    st = make_plan(m, f, cbs, o, &pl, err);
    if (st != RT_OK) {
        plan_free(&pl);
        return st;
    }
    rt_pattern_index idx;
    st = rt_pattern_index_build(cbs->x, cbs->t_x, cbs->T, cbs->n, &idx, err);
    if (st != RT_OK) {
        plan_free(&pl);
        return st;
    }
    size_t np = idx.npat ? idx.npat : 1;
    /* the (x, T) pairs of the patterns */
    rt_pattern_index pair = {0};
    double *px = rt_mem_array(NULL, np, sizeof *px), *pT = rt_mem_array(NULL, np, sizeof *pT);
    if (!px || !pT)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "predict: out of memory");
    for (size_t p = 0; st == RT_OK && p < idx.npat; p++) {
        px[p] = cbs->x[idx.first[p]];
        pT[p] = cbs->T[idx.first[p]];
    }
    if (st == RT_OK)
        st = rt_pattern_index_build(px, pT, pT, idx.npat, &pair, err);
    rt_mem_free(NULL, px);
    rt_mem_free(NULL, pT);
    if (st != RT_OK) {
        rt_pattern_index_free(&idx);
        plan_free(&pl);
        return st;
    }
    size_t nq = pair.npat ? pair.npat : 1;
    job j = {.f = f,
             .pair = &pair,
             .par = m->par,
             .cbs = cbs,
             .idx = &idx,
             .t = pl.t,
             .nk = pl.nk,
             .nsteps = pl.nsteps,
             .step_t = pl.step_t,
             .step_disc = pl.step_disc,
             .dert_rate = pl.dert_rate};
    j.palive = rt_mem_array(NULL, np, sizeof(double));
    j.expected = rt_mem_array(NULL, np, sizeof(double));
    j.pk = rt_mem_array(NULL, np * (size_t)(pl.nk ? pl.nk : 1), sizeof(double));
    j.det = rt_mem_array(NULL, np, sizeof(double));
    j.dert = rt_mem_array(NULL, np, sizeof(double));
    j.r_e = rt_mem_array(NULL, nq, sizeof(double));
    j.r_det = rt_mem_array(NULL, nq, sizeof(double));
    j.r_dert = rt_mem_array(NULL, nq, sizeof(double));
    j.r_q = rt_mem_array(NULL, nq * (size_t)(pl.nk ? pl.nk : 1), sizeof(double));
    j.r_ok = rt_mem_alloc(NULL, nq);
    rt_result *r = NULL;
    if (!j.palive || !j.expected || !j.pk || !j.det || !j.dert || !j.r_e || !j.r_det || !j.r_dert ||
        !j.r_q || !j.r_ok) {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "predict: out of memory");
        goto done;
    }
    j.threads = rt_thread_count(o->threads);
    if ((size_t)j.threads > idx.npat / 64 + 1)
        j.threads = (int)(idx.npat / 64 + 1);
    int pthreads = j.threads;
    if ((size_t)j.threads > pair.npat / 16 + 1)
        j.threads = (int)(pair.npat / 16 + 1);
    rt_parallel(j.threads, pair_part, &j);
    j.threads = pthreads;
    rt_parallel(j.threads, pattern_part, &j);
    for (size_t p = 0; p < idx.npat; p++)
        if (!isfinite(j.palive[p]) || !isfinite(j.expected[p])) {
            size_t i = idx.first[p];
            st = rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                         "predict: %s prediction not finite for frequency %g, recency %g, T %g "
                         "(outside what the formulas handle)",
                         rt_model_name(m->kind), cbs->x[i], cbs->t_x[i], cbs->T[i]);
            goto done;
        }
    r = rt_result_new(NULL, "predict");
    if (!r || add_fields(r, m, cbs, &pl, o, f, idx.npat) != 0 ||
        add_customers(r, cbs, &j, &pl, o, f) != 0 || add_new_customer(r, m, f, &pl) != 0) {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "predict: out of memory");
        goto done;
    }
    if (cbs->first_day && cbs->n > 0 && !f->discrete)
        st = add_tracking(r, m, cbs, f, &pl, err);
done:
    rt_mem_free(NULL, j.palive);
    rt_mem_free(NULL, j.expected);
    rt_mem_free(NULL, j.pk);
    rt_mem_free(NULL, j.det);
    rt_mem_free(NULL, j.dert);
    rt_mem_free(NULL, j.r_e);
    rt_mem_free(NULL, j.r_det);
    rt_mem_free(NULL, j.r_dert);
    rt_mem_free(NULL, j.r_q);
    rt_mem_free(NULL, j.r_ok);
    rt_pattern_index_free(&pair);
    rt_pattern_index_free(&idx);
    plan_free(&pl);
    if (st != RT_OK) {
        rt_result_free(r);
        return st;
    }
    *out = r;
    return RT_OK;
}

/* ---- sBG ---- */

rt_status rt_predict_sbg(const rt_model *m, const rt_survivors *s, int periods, double discount,
                         double margin, rt_result **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "sbg predict: NULL argument");
    if (m->kind != RT_MODEL_SBG || !good_params(m))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "sbg predict: needs an sbg fit with "
                       "alpha, beta > 0");
    if (periods < 0 || periods > 100000 || !isfinite(discount) || discount < 0.0 ||
        !isfinite(margin) || margin < 0.0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "sbg predict: periods must be 0..100000, discount and margin >= 0");
    size_t longest = 0, nco = s ? s->ncohorts : 0;
    for (size_t c = 0; c < nco; c++)
        longest = s->len[c] > longest ? s->len[c] : longest;
    size_t last = periods > 0 ? (size_t)periods : (longest ? longest - 1 : 0) + 5;
    double d = discount > 0.0 ? discount : 0.1;
    if (nco > 100)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "sbg predict: at most 100 cohorts can be projected side by side (%zu given)",
                       nco);
    rt_result *r = rt_result_new(NULL, "sbg-predict");
    int bad = !r;
    if (!bad) {
        bad |= rt_result_add_string(r, "model", "sbg");
        bad |= rt_result_add_double(r, "params.alpha", m->par[0], RT_DECIMALS_AUTO);
        bad |= rt_result_add_double(r, "params.beta", m->par[1], RT_DECIMALS_AUTO);
        bad |= rt_result_add_int(r, "periods", (int64_t)last);
        bad |= rt_result_add_double(r, "discount_rate", d, RT_DECIMALS_AUTO);
        if (margin > 0.0)
            bad |= rt_result_add_double(r, "margin", margin, RT_DECIMALS_AUTO);
        bad |= rt_result_add_string(
            r, "definitions",
            "survival = S(t) = B(alpha, beta + t) / B(alpha, beta), share of a cohort still "
            "active at the start of period t; retention = S(t) / S(t - 1); derl = discounted "
            "expected residual lifetime (Fader & Hardie 2010) of a customer who has made n "
            "renewals, in payments, discounted at the rate per period; value = derl x margin");
    }
    /* projection: period, survival, retention, then expected/actual per cohort */
    const char *cols[3 + 200];
    char names[200][96];
    size_t nc = 0;
    cols[nc++] = "period";
    cols[nc++] = "survival";
    cols[nc++] = "retention";
    for (size_t c = 0; c < nco; c++) {
        snprintf(names[2 * c], sizeof names[0], "%s_expected", s->name[c]);
        snprintf(names[2 * c + 1], sizeof names[0], "%s_actual", s->name[c]);
        cols[nc++] = names[2 * c];
        cols[nc++] = names[2 * c + 1];
    }
    int t = bad ? -1 : rt_result_add_table(r, "projection", nc, cols, NULL);
    bad |= t < 0 || rt_result_set_main(r, (size_t)t) != 0;
    rt_value cell[3 + 200];
    for (size_t p = 0; !bad && p <= last; p++) {
        size_t n = 0;
        double sv = rt_sbg_survival(m->par, (double)p);
        cell[n++] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)p};
        cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = sv};
        cell[n++] = p ? (rt_value){.type = RT_VAL_DOUBLE, .d = rt_sbg_retention(m->par, (double)p)}
                      : (rt_value){.type = RT_VAL_NULL};
        for (size_t c = 0; c < nco; c++) {
            cell[n++] = (rt_value){.type = RT_VAL_DOUBLE, .d = s->alive[c][0] * sv};
            cell[n++] = p < s->len[c] ? (rt_value){.type = RT_VAL_DOUBLE, .d = s->alive[c][p]}
                                      : (rt_value){.type = RT_VAL_NULL};
        }
        bad |= rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    static const char *const dcols[] = {"renewals", "derl", "value"};
    size_t dn = margin > 0.0 ? 3 : 2;
    int td = bad ? -1 : rt_result_add_table(r, "derl", dn, dcols, NULL);
    bad |= td < 0;
    rt_status st = RT_OK;
    for (size_t n = 0; !bad && n <= (longest ? longest - 1 : last); n++) {
        double v;
        st = rt_sbg_derl(m->par, (double)n, d, &v, err);
        if (st != RT_OK)
            break;
        rt_value dc[3] = {{.type = RT_VAL_INT, .i = (int64_t)n},
                          {.type = RT_VAL_DOUBLE, .d = v},
                          {.type = RT_VAL_DOUBLE, .d = v * margin}};
        bad |= rt_result_table_add_row(r, (size_t)td, dc) != 0;
    }
    if (st == RT_OK && bad)
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "sbg predict: out of memory");
    if (st != RT_OK) {
        rt_result_free(r);
        return st;
    }
    *out = r;
    return RT_OK;
}
