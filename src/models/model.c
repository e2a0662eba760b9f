/* model.c - the public face of the buy-till-you-die models: names and parameters of the six
 * models, fitting on a customer summary (rows checked and named, compressed into distinct
 * patterns, handed to the fitters) or on survivor counts (sBG), the fit as a result, and a
 * fit saved as that result's JSON and read back bit for bit. The fitters themselves are in
 * bgnbd.c, pnbd.c, bgbb.c, sbg.c and gammagamma.c.
 * SPDX-License-Identifier: MIT */
#include "retain.h"

#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/result.h"
#include "io/json.h"
#include "models/bgbb.h"
#include "models/bgnbd.h"
#include "models/btyd_data.h"
#include "models/gammagamma.h"
#include "models/pnbd.h"
#include "models/sbg.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define Z95 1.959964               /* the 97.5% normal quantile of the 95% intervals */
#define BGBB_MAX_OPPORTUNITIES 1e6 /* bgbb.c's bound on opportunities per customer */

/* ---- names ---- */

static const struct {
    const char *name;
    int npar;
    const char *par[4];
} models[] = {
    [RT_MODEL_BGNBD] = {"bgnbd", 4, {"r", "alpha", "a", "b"}},
    [RT_MODEL_MBGNBD] = {"mbgnbd", 4, {"r", "alpha", "a", "b"}},
    [RT_MODEL_PNBD] = {"pnbd", 4, {"r", "alpha", "s", "beta"}},
    [RT_MODEL_BGBB] = {"bgbb", 4, {"alpha", "beta", "gamma", "delta"}},
    [RT_MODEL_SBG] = {"sbg", 2, {"alpha", "beta"}},
    [RT_MODEL_GG] = {"gg", 3, {"p", "q", "gamma"}},
};

#define NMODELS (sizeof models / sizeof models[0])

static int valid_kind(rt_model_kind k)
{
    return (unsigned)k < NMODELS;
}

const char *rt_model_name(rt_model_kind k)
{
    return valid_kind(k) ? models[k].name : NULL;
}

int rt_model_parse(const char *s, rt_model_kind *out)
{
    for (size_t k = 0; s && out && k < NMODELS; k++)
        if (strcmp(s, models[k].name) == 0) {
            *out = (rt_model_kind)k;
            return 0;
        }
    return -1;
}

int rt_model_npar(rt_model_kind k)
{
    return valid_kind(k) ? models[k].npar : 0;
}

const char *rt_model_param_name(rt_model_kind k, int i)
{
    return valid_kind(k) && i >= 0 && i < models[k].npar ? models[k].par[i] : NULL;
}

/* The three time units by name (a private copy of rt_unit_name's table, so that this file
 * does not depend on the summary code): days per unit, exactly as RT_UNIT_* define them. */
static const struct {
    const char *name;
    double days;
} units[] = {{"day", RT_UNIT_DAY}, {"week", RT_UNIT_WEEK}, {"month", RT_UNIT_MONTH}};

static const char *unit_name(double days)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (days == units[i].days)
            return units[i].name;
    return NULL;
}

/* ---- criteria ---- */

double rt_model_aic(const rt_model *m)
{
    if (!m)
        return (double)NAN;
    return 2.0 * m->npar - 2.0 * m->loglik;
}

double rt_model_bic(const rt_model *m)
{
    if (!m || !(m->n > 0.0) || !isfinite(m->n))
        return (double)NAN;
    return m->npar * log(m->n) - 2.0 * m->loglik;
}

/* ---- fit ---- */

/* The 95% interval of a positive parameter 'p' with standard error 'se', symmetric on the log
 * scale (the delta method there): exp(log p -/+ Z95 se / p). NaN bounds when 'se' is NaN. */
static void interval(double p, double se, double *lo, double *hi)
{
    double h = Z95 * se / p;
    *lo = exp(log(p) - h);
    *hi = exp(log(p) + h);
}

/* Fill 'out' from the internal fit 'fit' of model 'kind' over 'n' customers. */
static void fill(rt_model_kind kind, const rt_fit *fit, double n, double unit_days,
                 double correlation, rt_model *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->npar = fit->npar;
    for (int j = 0; j < fit->npar && j < 4; j++) {
        out->par[j] = fit->par[j];
        out->se[j] = fit->se[j];
        interval(fit->par[j], fit->se[j], &out->ci_lo[j], &out->ci_hi[j]);
    }
    out->loglik = fit->loglik;
    out->n = n;
    out->patterns = fit->patterns;
    out->iterations = fit->iterations;
    out->converged = 1;
    out->grad_norm = fit->grad_norm;
    out->unit_days = unit_days;
    out->correlation = correlation;
}

/* "row 17" or, when the table has ids, "row 17 (customer \"C042\")" for row 'i' (0-based). */
static const char *row_name(const rt_cbs *c, size_t i, char *buf, size_t cap)
{
    const char *id = c->id ? c->id[i] : NULL;
    if (id) {
        char q[4 * 40 + 8];
        rt_quote(id, strlen(id), 40, q);
        snprintf(buf, cap, "row %zu (customer %s)", i + 1, q);
    } else {
        snprintf(buf, cap, "row %zu", i + 1);
    }
    return buf;
}

static int is_whole(double v)
{
    return isfinite(v) && v == floor(v);
}

/* Check row 'i' of 'c' for model 'kind' (not sBG); the message names the row. */
static rt_status check_row(rt_model_kind kind, const rt_cbs *c, size_t i, rt_error *err)
{
    const char *what = models[kind].name;
    char rn[256];
    double x = c->x[i], w = c->w ? c->w[i] : 1.0;
    if (!(w >= 0.0) || !isfinite(w))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s fit: %s: weight = %g is not >= 0", what,
                       row_name(c, i, rn, sizeof rn), w);
    if (!(x >= 0.0) || !isfinite(x))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s fit: %s: x = %g is not >= 0", what,
                       row_name(c, i, rn, sizeof rn), x);
    if (kind == RT_MODEL_GG) {
        double m = c->mbar[i];
        if (x > 0.0 && (!(m > 0.0) || !isfinite(m)))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "gg fit: %s: monetary value = %g is not > 0 (x = %g); the spend model "
                           "needs positive amounts",
                           row_name(c, i, rn, sizeof rn), m, x);
        return RT_OK;
    }
    double tx = c->t_x[i], T = c->T[i];
    if (kind == RT_MODEL_BGBB) {
        if (!is_whole(x) || !is_whole(tx) || !is_whole(T))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: %s: x = %g, t_x = %g, n = %g must be whole numbers (BG/BB "
                           "counts transactions in discrete opportunities)",
                           row_name(c, i, rn, sizeof rn), x, tx, T);
        if (!(T >= 1.0 && T <= BGBB_MAX_OPPORTUNITIES) || x > tx || tx > T)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "bgbb fit: %s: need 0 <= x <= t_x <= n and 1 <= n <= %g, got x = %g, "
                           "t_x = %g, n = %g",
                           row_name(c, i, rn, sizeof rn), BGBB_MAX_OPPORTUNITIES, x, tx, T);
    } else {
        if (!(T >= 0.0) || !isfinite(T) || (T == 0.0 && x > 0.0))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s fit: %s: T = %g is not > 0", what,
                           row_name(c, i, rn, sizeof rn), T);
        if (!(tx >= 0.0 && tx <= T))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "%s fit: %s: t_x = %g is outside [0, T = %g]", what,
                           row_name(c, i, rn, sizeof rn), tx, T);
    }
    if (x == 0.0 && tx != 0.0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s fit: %s: x = 0 but t_x = %g (must be 0)",
                       what, row_name(c, i, rn, sizeof rn), tx);
    return RT_OK;
}

/* The Gamma-Gamma rows (x, mbar, w) with x > 0 and w > 0, compressed into distinct (x, mbar)
 * pairs: 'p->x' holds x, 'p->t_x' mbar (and 'p->T' x again: rt_btyd_compress groups
 * triples). */
static rt_status gg_patterns(const rt_cbs *c, rt_btyd_patterns *p, rt_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->x[i] > 0.0 && (!c->w || c->w[i] > 0.0);
    if (k == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "gg fit: no customers with repeat purchases (x > 0)");
    double *x = rt_mem_array(NULL, k, sizeof *x), *m = rt_mem_array(NULL, k, sizeof *m);
    double *w = rt_mem_array(NULL, k, sizeof *w);
    rt_status st = RT_ENOMEM;
    if (x && m && w) {
        k = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->x[i] > 0.0 && (!c->w || c->w[i] > 0.0)) {
                x[k] = c->x[i];
                m[k] = c->mbar[i];
                w[k++] = c->w ? c->w[i] : 1.0;
            }
        st = rt_btyd_compress(x, m, x, w, k, p, err);
    } else {
        rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rt_mem_free(NULL, x);
    rt_mem_free(NULL, m);
    rt_mem_free(NULL, w);
    return st;
}

/* The (x, t_x, T) patterns of a transaction model. Customers with T = 0 (first purchase on
 * the calibration end, so x = 0) have likelihood 1 under every model: they are left out. */
static rt_status transaction_patterns(const rt_cbs *c, rt_btyd_patterns *p, rt_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->T[i] > 0.0;
    if (k == c->n)
        return rt_btyd_compress(c->x, c->t_x, c->T, c->w, c->n, p, err);
    if (k == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "fit: every customer has T = 0 (first purchase on the calibration end)");
    double *x = rt_mem_array(NULL, k, sizeof *x), *tx = rt_mem_array(NULL, k, sizeof *tx);
    double *T = rt_mem_array(NULL, k, sizeof *T), *w = rt_mem_array(NULL, k, sizeof *w);
    rt_status st;
    if (x && tx && T && w) {
        k = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->T[i] > 0.0) {
                x[k] = c->x[i];
                tx[k] = c->t_x[i];
                T[k] = c->T[i];
                w[k++] = c->w ? c->w[i] : 1.0;
            }
        st = rt_btyd_compress(x, tx, T, w, k, p, err);
    } else {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rt_mem_free(NULL, x);
    rt_mem_free(NULL, tx);
    rt_mem_free(NULL, T);
    rt_mem_free(NULL, w);
    return st;
}

rt_status rt_model_fit(rt_model_kind kind, const rt_cbs *cbs, rt_model *out, rt_error *err)
{
    rt_btyd_patterns p = {0};
    rt_fit fit;
    rt_status st;

    if (out)
        memset(out, 0, sizeof *out);
    if (!cbs || !out || !valid_kind(kind))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_model_fit: %s",
                       valid_kind(kind) ? "NULL argument" : "unknown model");
    if (kind == RT_MODEL_SBG)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "sbg is fitted on survivor counts per period: use rt_model_fit_sbg");
    const char *what = models[kind].name;
    if (cbs->n > 0 && (!cbs->x || (kind != RT_MODEL_GG && (!cbs->t_x || !cbs->T))))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s fit: the summary has no x, t_x or T", what);
    if (kind == RT_MODEL_GG && !cbs->mbar)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "gg fit: the data has no amounts (monetary_value)");
    if (cbs->n == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "%s fit: no customers", what);
    for (size_t i = 0; i < cbs->n; i++)
        if ((st = check_row(kind, cbs, i, err)) != RT_OK)
            return st;

    if (kind == RT_MODEL_GG)
        st = gg_patterns(cbs, &p, err);
    else
        st = transaction_patterns(cbs, &p, err);
    if (st != RT_OK)
        return st;

    switch (kind) {
    case RT_MODEL_BGNBD:
    case RT_MODEL_MBGNBD:
        st = rt_bgnbd_fit(p.x, p.t_x, p.T, p.w, p.n, kind == RT_MODEL_MBGNBD, &fit, err);
        break;
    case RT_MODEL_PNBD:
        st = rt_pnbd_fit(p.x, p.t_x, p.T, p.w, p.n, &fit, err);
        break;
    case RT_MODEL_BGBB:
        st = rt_bgbb_fit(p.x, p.t_x, p.T, p.w, p.n, &fit, err);
        break;
    case RT_MODEL_GG:
        st = rt_gg_fit(p.x, p.t_x, p.w, p.n, &fit, err);
        break;
    case RT_MODEL_SBG:
        st = RT_EMISUSE; /* refused above */
        break;
    }
    if (st == RT_OK) {
        rt_ksum n = {0, 0};
        for (size_t i = 0; i < p.n; i++)
            rt_ksum_add(&n, p.w[i]);
        double unit = kind == RT_MODEL_BGBB || !(cbs->unit_days > 0.0) || !isfinite(cbs->unit_days)
                          ? 0.0
                          : cbs->unit_days;
        double corr = kind == RT_MODEL_GG ? rt_gg_correlation(p.x, p.t_x, p.w, p.n) : (double)NAN;
        fill(kind, &fit, rt_ksum_value(&n), unit, corr, out);
    }
    rt_btyd_patterns_free(&p);
    return st;
}

rt_status rt_model_fit_sbg(const rt_survivors *s, rt_model *out, rt_error *err)
{
    rt_fit fit;
    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !out || (s->ncohorts > 0 && (!s->len || !s->alive)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_model_fit_sbg: NULL argument");
    if (s->ncohorts == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "sbg fit: no cohorts");
    rt_status st = rt_sbg_fit_cohorts(s->alive, s->len, s->ncohorts, &fit, err);
    if (st != RT_OK)
        return st;
    rt_ksum n = {0, 0};
    for (size_t k = 0; k < s->ncohorts; k++)
        rt_ksum_add(&n, s->alive[k][0]);
    fill(RT_MODEL_SBG, &fit, rt_ksum_value(&n), 0.0, (double)NAN, out);
    return RT_OK;
}

/* ---- the fit as a result ---- */

/* Add the fields and the table of 'm' to 'r'; returns 0, or -1 when out of memory. */
static int add_fit(rt_result *r, const rt_model *m)
{
    const int dec = RT_DECIMALS_AUTO;
    int k = m->npar, bad = 0;
    char name[64];
    const char *unit = unit_name(m->unit_days);
    bad |= rt_result_add_string(r, "model", models[m->kind].name);
    if (unit)
        bad |= rt_result_add_string(r, "unit", unit);
    else if (m->unit_days > 0.0 && isfinite(m->unit_days))
        bad |= rt_result_add_double(r, "unit", m->unit_days, dec); /* days per unit */
    else
        bad |= rt_result_add_null(r, "unit");
    for (int j = 0; j < k; j++) {
        snprintf(name, sizeof name, "params.%s", models[m->kind].par[j]);
        bad |= rt_result_add_double(r, name, m->par[j], RT_DECIMALS_HIDDEN);
    }
    for (int j = 0; j < k; j++) {
        snprintf(name, sizeof name, "se.%s", models[m->kind].par[j]);
        bad |= rt_result_add_double(r, name, m->se[j], RT_DECIMALS_HIDDEN);
    }
    for (int j = 0; j < k; j++) {
        snprintf(name, sizeof name, "ci95.%s.low", models[m->kind].par[j]);
        bad |= rt_result_add_double(r, name, m->ci_lo[j], RT_DECIMALS_HIDDEN);
        snprintf(name, sizeof name, "ci95.%s.high", models[m->kind].par[j]);
        bad |= rt_result_add_double(r, name, m->ci_hi[j], RT_DECIMALS_HIDDEN);
    }
    bad |= rt_result_add_double(r, "loglik", m->loglik, dec);
    bad |= rt_result_add_double(r, "aic", rt_model_aic(m), dec);
    bad |= rt_result_add_double(r, "bic", rt_model_bic(m), dec);
    bad |= rt_result_add_double(r, "n", m->n, dec);
    bad |= rt_result_add_int(r, "patterns", (int64_t)m->patterns);
    bad |= rt_result_add_int(r, "iterations", m->iterations);
    bad |= rt_result_add_int(r, "converged", m->converged != 0);
    bad |= rt_result_add_double(r, "grad_norm", m->grad_norm, dec);
    if (m->kind == RT_MODEL_GG)
        bad |= rt_result_add_double(r, "correlation", m->correlation, dec);

    static const char *const cols[] = {"parameter", "estimate", "se", "ci95_low", "ci95_high"};
    int t = rt_result_add_table(r, "parameters", 5, cols, NULL);
    if (t < 0)
        return -1;
    for (int j = 0; j < k; j++) {
        rt_value row[5] = {{.type = RT_VAL_STRING, .s = models[m->kind].par[j]},
                           {.type = RT_VAL_DOUBLE, .d = m->par[j]},
                           {.type = RT_VAL_DOUBLE, .d = m->se[j]},
                           {.type = RT_VAL_DOUBLE, .d = m->ci_lo[j]},
                           {.type = RT_VAL_DOUBLE, .d = m->ci_hi[j]}};
        bad |= rt_result_table_add_row(r, (size_t)t, row);
    }
    return bad ? -1 : 0;
}

rt_status rt_model_result(const rt_model *m, rt_result **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_model_result: NULL argument");
    if (!valid_kind(m->kind) || m->npar != models[m->kind].npar)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_model_result: not a fitted model (kind %d with %d parameters)",
                       (int)m->kind, m->npar);
    rt_result *r = rt_result_new(NULL, "fit");
    if (!r || add_fit(r, m) != 0) {
        rt_result_free(r);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = r;
    return RT_OK;
}

/* ---- save and load ---- */

rt_status rt_model_save(const rt_model *m, FILE *f, rt_error *err)
{
    rt_result *r;
    if (!f)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_model_save: NULL file");
    rt_status st = rt_model_result(m, &r, err);
    if (st != RT_OK)
        return st;
    st = rt_result_write(r, f, RT_FORMAT_JSON, err);
    rt_result_free(r);
    return st;
}

typedef struct loader {
    const char *name; /* the file's name in messages */
    rt_error *err;
} loader;

/* Fail with 'code' pointing at value 'at' of the file. */
__attribute__((format(printf, 4, 5))) static rt_status
bad_value(const loader *L, rt_status code, const rt_json *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rt_fail(L->err, code, L->name, at->line, at->column, "%s", msg);
}

/* "a number", "a string", "an object" ... for messages. */
static const char *a_type(const rt_json *v)
{
    switch (v->type) {
    case RT_JSON_NULL:
        return "null";
    case RT_JSON_FALSE:
    case RT_JSON_TRUE:
        return "a boolean";
    case RT_JSON_NUMBER:
        return "a number";
    case RT_JSON_STRING:
        return "a string";
    case RT_JSON_ARRAY:
        return "an array";
    case RT_JSON_OBJECT:
        return "an object";
    }
    return "a value";
}

/* Optional object member 'key' of 'obj' (NULL when 'obj' is NULL) that must be an object
 * when present: '*out' is it or NULL. 'path' names it in messages. */
static rt_status opt_object(const loader *L, const rt_json *obj, const char *key, const char *path,
                            const rt_json **out)
{
    const rt_json *v = rt_json_get(obj, key);
    *out = NULL;
    if (!v || v->type == RT_JSON_NULL)
        return RT_OK;
    if (v->type != RT_JSON_OBJECT)
        return bad_value(L, RT_EPARSE, v, "\"%s\" must be an object, got %s", path, a_type(v));
    *out = v;
    return RT_OK;
}

/* Optional number member 'key' of 'obj': missing or null gives 'dflt' ('*present' = 0),
 * another type is an error. */
static rt_status opt_number(const loader *L, const rt_json *obj, const char *key, const char *path,
                            double dflt, double *out, int *present)
{
    const rt_json *v = rt_json_get(obj, key);
    *out = dflt;
    if (present)
        *present = 0;
    if (!v || v->type == RT_JSON_NULL)
        return RT_OK;
    if (v->type != RT_JSON_NUMBER)
        return bad_value(L, RT_EPARSE, v, "\"%s\" must be a number, got %s", path, a_type(v));
    *out = v->num;
    if (present)
        *present = 1;
    return RT_OK;
}

/* Optional whole number >= 0 and <= 'max': missing or null gives 0. */
static rt_status opt_count(const loader *L, const rt_json *obj, const char *key, double max,
                           double *out)
{
    const rt_json *v = rt_json_get(obj, key);
    rt_status st = opt_number(L, obj, key, key, 0.0, out, NULL);
    if (st == RT_OK && !(*out >= 0.0 && *out <= max && *out == floor(*out)))
        return bad_value(L, RT_EDOMAIN, v, "\"%s\" = %.17g is not a whole number in [0, %.0f]", key,
                         *out, max);
    return st;
}

/* The parameters and their standard errors and intervals. */
static rt_status load_params(const loader *L, const rt_json *root, rt_model *m)
{
    const rt_json *params = rt_json_get(root, "params"), *se, *ci;
    const char *model = models[m->kind].name;
    rt_status st;
    char path[64];
    if (!params)
        return bad_value(L, RT_EPARSE, root, "no \"params\" object: not a saved model");
    if (params->type != RT_JSON_OBJECT)
        return bad_value(L, RT_EPARSE, params, "\"params\" must be an object, got %s",
                         a_type(params));
    if ((st = opt_object(L, root, "se", "se", &se)) != RT_OK ||
        (st = opt_object(L, root, "ci95", "ci95", &ci)) != RT_OK)
        return st;
    for (int j = 0; j < m->npar; j++) {
        const char *pn = models[m->kind].par[j];
        const rt_json *v = rt_json_get(params, pn), *cj;
        if (!v)
            return bad_value(L, RT_EDOMAIN, params,
                             "parameter \"%s\" of the %s model is missing from \"params\"", pn,
                             model);
        if (v->type != RT_JSON_NUMBER && v->type != RT_JSON_NULL)
            return bad_value(L, RT_EPARSE, v, "\"params.%s\" must be a number, got %s", pn,
                             a_type(v));
        if (v->type == RT_JSON_NULL)
            return bad_value(L, RT_EDOMAIN, v, "parameter \"%s\" is null (need a number > 0)", pn);
        if (!(v->num > 0.0))
            return bad_value(L, RT_EDOMAIN, v, "parameter \"%s\" = %.17g is not > 0", pn, v->num);
        m->par[j] = v->num;
        snprintf(path, sizeof path, "se.%s", pn);
        if ((st = opt_number(L, se, pn, path, (double)NAN, &m->se[j], NULL)) != RT_OK)
            return st;
        if (m->se[j] < 0.0)
            return bad_value(L, RT_EDOMAIN, rt_json_get(se, pn), "\"%s\" = %.17g is negative", path,
                             m->se[j]);
        /* Intervals not in the file are recomputed from the estimate and its SE. */
        double lo, hi;
        interval(m->par[j], m->se[j], &lo, &hi);
        snprintf(path, sizeof path, "ci95.%s", pn);
        if ((st = opt_object(L, ci, pn, path, &cj)) != RT_OK)
            return st;
        int has_lo = 0, has_hi = 0;
        snprintf(path, sizeof path, "ci95.%s.low", pn);
        if ((st = opt_number(L, cj, "low", path, lo, &m->ci_lo[j], &has_lo)) != RT_OK)
            return st;
        snprintf(path, sizeof path, "ci95.%s.high", pn);
        if ((st = opt_number(L, cj, "high", path, hi, &m->ci_hi[j], &has_hi)) != RT_OK)
            return st;
        /* A null bound is a NaN that was written (no SE), not a missing one. */
        if (cj && !has_lo && rt_json_get(cj, "low"))
            m->ci_lo[j] = (double)NAN;
        if (cj && !has_hi && rt_json_get(cj, "high"))
            m->ci_hi[j] = (double)NAN;
    }
    return RT_OK;
}

/* The time unit: a name, days per unit as a number, or null/missing (unknown). */
static rt_status load_unit(const loader *L, const rt_json *root, double *days)
{
    const rt_json *v = rt_json_get(root, "unit");
    *days = 0.0;
    if (!v || v->type == RT_JSON_NULL)
        return RT_OK;
    if (v->type == RT_JSON_NUMBER) {
        if (!(v->num > 0.0))
            return bad_value(L, RT_EDOMAIN, v, "\"unit\" = %.17g days is not > 0", v->num);
        *days = v->num;
        return RT_OK;
    }
    if (v->type == RT_JSON_STRING)
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (strcmp(v->str, units[i].name) == 0) {
                *days = units[i].days;
                return RT_OK;
            }
    if (v->type != RT_JSON_STRING)
        return bad_value(L, RT_EPARSE, v, "\"unit\" must be a string, got %s", a_type(v));
    char q[4 * 40 + 8];
    rt_quote(v->str, v->len, 40, q);
    return bad_value(L, RT_EDOMAIN, v, "unknown unit %s (expected day, week or month)", q);
}

/* Read the model in 'root' into 'm'. */
static rt_status load_model(const loader *L, const rt_json *root, rt_model *m)
{
    rt_status st;
    double v;
    if (root->type != RT_JSON_OBJECT)
        return bad_value(L, RT_EPARSE, root,
                         "expected an object with \"model\" and \"params\", got %s", a_type(root));
    const rt_json *model = rt_json_get(root, "model");
    if (!model)
        return bad_value(L, RT_EPARSE, root, "no \"model\" key: not a saved model");
    if (model->type != RT_JSON_STRING)
        return bad_value(L, RT_EPARSE, model, "\"model\" must be a string, got %s", a_type(model));
    if (rt_model_parse(model->str, &m->kind) != 0) {
        char q[4 * 40 + 8];
        rt_quote(model->str, model->len, 40, q);
        return bad_value(L, RT_EDOMAIN, model,
                         "unknown model %s (expected bgnbd, mbgnbd, pnbd, bgbb, sbg or gg)", q);
    }
    m->npar = models[m->kind].npar;
    if ((st = load_params(L, root, m)) != RT_OK ||
        (st = load_unit(L, root, &m->unit_days)) != RT_OK)
        return st;
    if ((st = opt_number(L, root, "loglik", "loglik", (double)NAN, &m->loglik, NULL)) != RT_OK ||
        (st = opt_number(L, root, "n", "n", 0.0, &m->n, NULL)) != RT_OK ||
        (st = opt_number(L, root, "grad_norm", "grad_norm", (double)NAN, &m->grad_norm, NULL)) !=
            RT_OK ||
        (st = opt_number(L, root, "correlation", "correlation", (double)NAN, &m->correlation,
                         NULL)) != RT_OK)
        return st;
    if (m->n < 0.0)
        return bad_value(L, RT_EDOMAIN, rt_json_get(root, "n"), "\"n\" = %.17g is negative", m->n);
    if ((st = opt_count(L, root, "patterns", 9007199254740992.0, &v)) != RT_OK)
        return st;
    m->patterns = (size_t)v;
    if ((st = opt_count(L, root, "iterations", (double)INT32_MAX, &v)) != RT_OK)
        return st;
    m->iterations = (int)v;
    const rt_json *c = rt_json_get(root, "converged");
    if (c && c->type == RT_JSON_TRUE)
        m->converged = 1;
    else if (c && c->type != RT_JSON_FALSE && c->type != RT_JSON_NULL) {
        if ((st = opt_count(L, root, "converged", 1.0, &v)) != RT_OK)
            return st;
        m->converged = (int)v;
    }
    return RT_OK;
}

rt_status rt_model_load(const char *path, rt_model *out, rt_error *err)
{
    rt_json_doc *doc = NULL;
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_model_load: NULL argument");
    rt_status st = rt_json_read(path, NULL, NULL, &doc, err);
    if (st != RT_OK)
        return st;
    loader L = {rt_json_name(doc), err};
    rt_model m;
    memset(&m, 0, sizeof m);
    st = load_model(&L, rt_json_root(doc), &m);
    rt_json_free(doc);
    if (st == RT_OK)
        *out = m;
    return st;
}
