/* cox.c - rt_cox_run: the Cox proportional hazards model as a result. The design comes from
 * cox_design.c, the fit from cox_fit.c; this file adds the tests' p-values and the hazard
 * ratios and lays out the result (kind "cox", main table "coefficients") as R's
 * summary(coxph(...)) reports them.
 * SPDX-License-Identifier: MIT */
#include "core/distrib.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"
#include "survival/cox_design.h"
#include "survival/cox_fit.h"

#include <math.h>
#include <string.h>

#define Z975 1.959963984540054 /* qnorm(0.975) */

static const char definitions[] =
    "Cox proportional hazards by Newton-Raphson on the log partial likelihood as R's "
    "coxph (start at 0, step halving, converged when |1 - loglik_old / loglik_new| <= tol); "
    "ties: efron or breslow; strata: a separate baseline hazard per stratum; successive "
    "distinct times less than 1.5e-8 apart (absolutely or relative to the mean distinct "
    "time) are merged as R's aeqSurv; rows with a missing covariate or stratum (an "
    "empty, blank or NA value) are left out (dropped_missing), as R's na.omit; categorical "
    "covariates: one 0/1 column per level other than the reference (references); hr = "
    "exp(coef); z = coef / se; p two-sided; hr_lower95, hr_upper95 = exp(coef -/+ 1.96 se); "
    "with robust standard errors (robust_se, R's coxph(robust = TRUE): the sandwich of the "
    "score residuals) z, p and the interval use robust_se and the Wald test the robust "
    "variance; concordance: Harrell's C of the linear predictor (R's concordance(): "
    "comparable pairs have the shorter time an event, or equal times with the other "
    "censored, within a stratum; C = (concordant + tied_risk / 2) / (concordant + "
    "discordant + tied_risk); pairs tied in time are not comparable; se by R's "
    "infinitesimal jackknife)";

/* Append "name_chisq", "name_df" and "name_p". */
static int add_test(rt_result *r, const char *name, double chisq, size_t df)
{
    char key[48];
    int bad = 0;
    snprintf(key, sizeof key, "%s_chisq", name);
    bad |= rt_result_add_double(r, key, chisq, RT_DECIMALS_AUTO);
    snprintf(key, sizeof key, "%s_df", name);
    bad |= rt_result_add_int(r, key, (int64_t)df);
    snprintf(key, sizeof key, "%s_p", name);
    bad |= rt_result_add_double(r, key, rt_chisq_upper(chisq, (double)df), RT_DECIMALS_AUTO);
    return bad;
}

/* The coefficients table (the main table). */
static int add_coefficients(rt_result *r, const rt_cox_design *des, const rt_cox_fit *fit)
{
    static const char *const plain[] = {"term", "coef", "hr",         "se",
                                        "z",    "p",    "hr_lower95", "hr_upper95"};
    static const char *const robust[] = {"term", "coef", "hr",         "se",        "robust_se",
                                         "z",    "p",    "hr_lower95", "hr_upper95"};
    size_t nc = fit->rvar ? 9 : 8, p = fit->p;
    int t = rt_result_add_table(r, "coefficients", nc, fit->rvar ? robust : plain, NULL);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    for (size_t a = 0; a < p; a++) {
        double b = fit->beta[a], se = sqrt(fit->var[a * p + a]);
        double rse = fit->rvar ? sqrt(fit->rvar[a * p + a]) : (double)NAN,
               use = fit->rvar ? rse : se;
        double z = b / use;
        rt_value cell[9];
        size_t c = 0;
        cell[c++] = (rt_value){.type = RT_VAL_STRING, .s = des->name[a]};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = b};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = exp(b)};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = se};
        if (fit->rvar)
            cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = rse};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = z};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = erfc(fabs(z) / sqrt(2.0))};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = exp(b - Z975 * use)};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = exp(b + Z975 * use)};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

static int build(rt_result *r, const rt_cox_design *des, const rt_cox_fit *fit,
                 const rt_cox_options *opt, double tol)
{
    int bad = 0;
    size_t p = fit->p;
    bad |= rt_result_add_int(r, "n", (int64_t)des->n);
    bad |= rt_result_add_int(r, "events", (int64_t)fit->events);
    bad |= rt_result_add_int(r, "dropped_missing", (int64_t)des->dropped);
    bad |= rt_result_add_string(r, "ties", opt->ties == RT_TIES_BRESLOW ? "breslow" : "efron");
    bad |= rt_result_add_string(r, "strata", opt->strata);
    bad |= rt_result_add_int(r, "n_strata", (int64_t)(opt->strata ? des->nstrata : 1));
    bad |= rt_result_add_string(r, "references", des->refs);
    bad |= rt_result_add_string(r, "variance", fit->rvar ? "robust" : "model");
    bad |= rt_result_add_int(r, "iterations", fit->iter);
    bad |= rt_result_add_double(r, "tol", tol, RT_DECIMALS_AUTO);
    bad |= rt_result_add_double(r, "loglik_null", fit->loglik0, RT_DECIMALS_AUTO);
    bad |= rt_result_add_double(r, "loglik", fit->loglik, RT_DECIMALS_AUTO);
    bad |= rt_result_add_double(r, "aic", -2 * fit->loglik + 2 * (double)p, RT_DECIMALS_AUTO);
    bad |= add_test(r, "lr", 2 * (fit->loglik - fit->loglik0), p);
    bad |= add_test(r, "wald", fit->wald, p);
    bad |= add_test(r, "score", fit->score, p);
    if (fit->rvar)
        bad |= add_test(r, "robust_score", fit->rscore, p);
    const rt_concordance *c = &fit->conc;
    bad |= rt_result_add_double(r, "concordance", c->c, RT_DECIMALS_AUTO);
    bad |= rt_result_add_double(r, "concordance_se", c->se, RT_DECIMALS_AUTO);
    bad |= rt_result_add_int(r, "concordant", (int64_t)c->concordant);
    bad |= rt_result_add_int(r, "discordant", (int64_t)c->discordant);
    bad |= rt_result_add_int(r, "tied_risk", (int64_t)c->tied_x);
    bad |= rt_result_add_int(r, "tied_time", (int64_t)c->tied_y);
    bad |= rt_result_add_int(r, "tied_risk_time", (int64_t)c->tied_xy);
    bad |= rt_result_add_string(r, "definitions", definitions);
    if (bad)
        return -1;
    return add_coefficients(r, des, fit);
}

rt_status rt_cox_run(const rt_survdata *data, const rt_cox_options *opt, rt_result **out,
                     rt_error *err)
{
    if (!out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: bad arguments");
    *out = NULL;
    if (!data || !opt)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: bad arguments");
    if (opt->ties != RT_TIES_EFRON && opt->ties != RT_TIES_BRESLOW)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: unknown ties method %d", (int)opt->ties);
    if (opt->max_iter < 0 || opt->tol < 0 || !(opt->tol == opt->tol))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "cox: max_iter (%d) and tol (%g) must not be negative", opt->max_iter,
                       opt->tol);
    rt_cox_design des;
    rt_status st = rt_cox_design_build(data, opt, &des, err);
    if (st != RT_OK)
        return st;
    rt_cox_fit_in in = {
        .n = des.n,
        .p = des.p,
        .x = des.x,
        .time = des.time,
        .event = des.event,
        .stratum = des.stratum,
        .nstrata = des.nstrata,
        .name = (const char *const *)des.name,
        .efron = opt->ties != RT_TIES_BRESLOW,
        .robust = opt->robust != 0,
        .max_iter = opt->max_iter ? opt->max_iter : 20,
        .eps = opt->tol > 0 ? opt->tol : 1e-9,
        .threads = rt_thread_count(opt->threads),
    };
    rt_cox_fit fit;
    st = rt_cox_fit_run(&in, &fit, err);
    if (st != RT_OK) {
        rt_cox_design_free(&des);
        return st;
    }
    rt_result *r = rt_result_new(NULL, "cox");
    if (!r || build(r, &des, &fit, opt, in.eps) != 0) {
        rt_result_free(r);
        r = NULL;
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rt_cox_fit_free(&fit);
    rt_cox_design_free(&des);
    *out = r;
    return st;
}
