/* km.c - Kaplan-Meier survival curves with R survival's conventions (survfit, print.survfit,
 * summary.survfit): per group and distinct time the number at risk, events, censorings,
 * S(t) = prod (1 - d/n), Greenwood's variance and the log, log-log or plain interval; the
 * median with its interval; S at requested times; and, with groups, the log-rank test
 * (logrank.c). One sort (riskset.c), then linear passes. Checked against R 4 / survival 3.5
 * on lung, waltons, rossi, stanford_heart (tests/unit/test_km.c).
 * SPDX-License-Identifier: MIT */
#include "core/distrib.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/result.h"
#include "survival/logrank.h"
#include "survival/riskset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- curves ---- */

/* The curve rows of every group; group g owns rows first[g] .. first[g+1]-1. */
typedef struct curves {
    size_t rows;
    size_t *first;
    double *time;
    size_t *n, *d, *c; /* at risk, events, censored */
    double *surv;
    double *varsum; /* sum of d / (n (n - d)) so far; +inf once n = d */
} curves;

static void curves_free(curves *k)
{
    rt_mem_free(NULL, k->first);
    rt_mem_free(NULL, k->time);
    rt_mem_free(NULL, k->n);
    rt_mem_free(NULL, k->d);
    rt_mem_free(NULL, k->c);
    rt_mem_free(NULL, k->surv);
    rt_mem_free(NULL, k->varsum);
}

/* Distinct times of each group: first[g + 1] - first[g]. */
static void count_rows(const rt_riskset *rs, size_t *first)
{
    first[0] = 0;
    for (size_t g = 0; g < rs->ngroups; g++) {
        size_t m = 0;
        for (size_t j = rs->gstart[g]; j < rs->gstart[g + 1]; j++)
            m += j == rs->gstart[g] || rs->time[j] != rs->time[j - 1];
        first[g + 1] = first[g] + m;
    }
}

/* The curve of group 'g' into rows k->first[g]...: one pass over its times; with entries, a
 * second pointer over its sorted entries counts who entered before each time. */
static void one_curve(const rt_riskset *rs, size_t g, curves *k)
{
    size_t lo = rs->gstart[g], hi = rs->gstart[g + 1], row = k->first[g];
    size_t left = hi - lo; /* rows with time >= t (all entered when there are no entries) */
    size_t entered = 0, e = lo;
    double s = 1, v = 0;
    for (size_t j = lo; j < hi;) {
        double t = rs->time[j];
        size_t d = 0, c = 0;
        for (; j < hi && rs->time[j] == t; j++)
            rs->event[j] ? d++ : c++;
        size_t n = left;
        if (rs->entry) { /* at risk: entry < t <= time = entered before t - gone before t */
            for (; e < hi && rs->entry[e] < t; e++)
                entered++;
            n = entered - (hi - lo - left);
        }
        if (d > 0) {
            s *= (double)(n - d) / (double)n;
            v += n > d ? (double)d / ((double)n * (double)(n - d)) : (double)INFINITY;
        }
        k->time[row] = t;
        k->n[row] = n;
        k->d[row] = d;
        k->c[row] = c;
        k->surv[row] = s;
        k->varsum[row] = v;
        row++;
        left -= d + c;
    }
}

static int build_curves(const rt_riskset *rs, curves *k)
{
    memset(k, 0, sizeof *k);
    if (!(k->first = rt_mem_array(NULL, rs->ngroups + 1, sizeof *k->first)))
        return -1;
    count_rows(rs, k->first);
    size_t m = k->rows = k->first[rs->ngroups];
    k->time = rt_mem_array(NULL, m, sizeof *k->time);
    k->n = rt_mem_array(NULL, m, sizeof *k->n);
    k->d = rt_mem_array(NULL, m, sizeof *k->d);
    k->c = rt_mem_array(NULL, m, sizeof *k->c);
    k->surv = rt_mem_array(NULL, m, sizeof *k->surv);
    k->varsum = rt_mem_array(NULL, m, sizeof *k->varsum);
    if (!k->time || !k->n || !k->d || !k->c || !k->surv || !k->varsum)
        return -1;
    for (size_t g = 0; g < rs->ngroups; g++)
        one_curve(rs, g, k);
    return 0;
}

/* ---- intervals ---- */

/* The interval of S = 's' with R's std.err 'se' (of log S) at normal quantile 'z', as R's
 * survfit_confint: NaN (R's NA) where the transform is undefined. */
static void interval(rt_ci_type ci, double s, double se, double z, double *lo, double *hi)
{
    switch (ci) {
    case RT_CI_PLAIN: {
        double w = se * s * z; /* NaN at S = 0 (se = inf), as R */
        *lo = isnan(w) ? (double)(double)NAN : fmax(s - w, 0);
        *hi = isnan(w) ? (double)(double)NAN : fmin(s + w, 1);
        return;
    }
    case RT_CI_LOG:
        if (s == 0) {
            *lo = *hi = (double)NAN;
            return;
        }
        *lo = exp(log(s) - z * se);
        *hi = fmin(exp(log(s) + z * se), 1);
        return;
    case RT_CI_LOGLOG:
    default:
        if (s == 0 || s == 1) {
            *lo = *hi = (double)NAN;
            return;
        }
        double w = z * se / log(s), ll = log(-log(s));
        *lo = exp(-exp(ll - w));
        *hi = exp(-exp(ll + w));
        return;
    }
}

/* ---- medians ---- */

/* R's print.survfit median ("minmin"): over the rows [lo, hi) whose value 'y' is not NaN and
 * below 0.5 + tol, the first one's time, or midway to the next lower value's time when the
 * first equals 0.5 within tol. NaN when the curve never gets there. */
static double minmin(const double *y, const double *time, size_t lo, size_t hi)
{
    const double tol = 1.4901161193847656e-08; /* sqrt(DBL_EPSILON), R's tolerance */
    size_t j = lo;
    while (j < hi && !(y[j] < 0.5 + tol)) /* NaN fails the test and is skipped */
        j++;
    if (j == hi)
        return (double)NAN;
    if (fabs(y[j] - 0.5) < tol)
        for (size_t i = j + 1; i < hi; i++)
            if (y[i] < y[j]) /* NaN compares false, as R's which() skips NA */
                return (time[j] + time[i]) / 2;
    return time[j];
}

/* ---- the result ---- */

/* What the result builders share. */
typedef struct km_ctx {
    const rt_survdata *data;
    const rt_km_options *o;
    const rt_riskset *rs;
    const curves *k;
    double z;
    int grouped;
    double *se, *lo, *hi; /* per curve row: R's std.err and the interval */
} km_ctx;

static const char *const ci_name[] = {"log-log", "log", "plain"};

/* A value cell: NaN and infinities become null. */
static rt_value num(double v)
{
    return isfinite(v) ? (rt_value){.type = RT_VAL_DOUBLE, .d = v}
                       : (rt_value){.type = RT_VAL_NULL};
}

static rt_value count(size_t v)
{
    return (rt_value){.type = RT_VAL_INT, .i = (int64_t)v};
}

/* Add a table whose first column is "group" when grouped; returns its index or -1. */
static int add_table(rt_result *r, const km_ctx *x, const char *name, const char *const *cols,
                     const int *dec, size_t ncols)
{
    const char *names[16];
    int decs[16];
    size_t k = 0;
    if (x->grouped) {
        names[k] = "group";
        decs[k++] = RT_DECIMALS_AUTO;
    }
    for (size_t i = 0; i < ncols; i++) {
        names[k] = cols[i];
        decs[k++] = dec[i];
    }
    return rt_result_add_table(r, name, k, names, decs);
}

static int add_curve_table(rt_result *r, const km_ctx *x)
{
    static const char *const cols[] = {"time",    "at_risk", "events", "censored",   "survival",
                                       "std_err", "lower",   "upper",  "std_err_log"};
    static const int dec[] = {RT_DECIMALS_AUTO, 0, 0, 0, 4, 4, 4, 4, 4};
    int t = add_table(r, x, "curve", cols, dec, 9);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    const curves *k = x->k;
    for (size_t g = 0; g < x->rs->ngroups; g++)
        for (size_t i = k->first[g]; i < k->first[g + 1]; i++) {
            rt_value cell[10];
            size_t c = 0;
            if (x->grouped)
                cell[c++] = (rt_value){.type = RT_VAL_STRING, .s = x->rs->label[g]};
            cell[c++] = num(k->time[i]);
            cell[c++] = count(k->n[i]);
            cell[c++] = count(k->d[i]);
            cell[c++] = count(k->c[i]);
            cell[c++] = num(k->surv[i]);
            cell[c++] = num(k->surv[i] * x->se[i]);
            cell[c++] = num(x->lo[i]);
            cell[c++] = num(x->hi[i]);
            cell[c++] = num(x->se[i]);
            if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
                return -1;
        }
    return 0;
}

static int add_median_table(rt_result *r, const km_ctx *x)
{
    static const char *const cols[] = {"n", "events", "median", "lower", "upper"};
    static const int dec[] = {0, 0, RT_DECIMALS_AUTO, RT_DECIMALS_AUTO, RT_DECIMALS_AUTO};
    int t = add_table(r, x, "medians", cols, dec, 5);
    if (t < 0)
        return -1;
    const curves *k = x->k;
    for (size_t g = 0; g < x->rs->ngroups; g++) {
        size_t a = k->first[g], b = k->first[g + 1], events = 0;
        for (size_t i = a; i < b; i++)
            events += k->d[i];
        rt_value cell[6];
        size_t c = 0;
        if (x->grouped)
            cell[c++] = (rt_value){.type = RT_VAL_STRING, .s = x->rs->label[g]};
        cell[c++] = count(x->rs->gstart[g + 1] - x->rs->gstart[g]);
        cell[c++] = count(events);
        cell[c++] = num(minmin(k->surv, k->time, a, b));
        cell[c++] = num(minmin(x->lo, k->time, a, b));
        cell[c++] = num(minmin(x->hi, k->time, a, b));
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* The "at" rows of group 'g' at the sorted times 'at' (R's summary(fit, times = at)). */
static int add_at_rows(rt_result *r, int t, const km_ctx *x, size_t g, const double *at, size_t nat)
{
    const curves *k = x->k;
    size_t a = k->first[g], b = k->first[g + 1];
    size_t prev = a; /* rows a .. prev-1 were counted at an earlier requested time */
    for (size_t q = 0; q < nat; q++) {
        double tq = at[q];
        size_t i1 = a; /* rows with time <= tq: a .. i1-1 */
        while (i1 < b && k->time[i1] <= tq)
            i1++;
        size_t i2 = a; /* the first row with time >= tq */
        while (i2 < b && k->time[i2] < tq)
            i2++;
        size_t d = 0, c = 0;
        for (size_t i = prev; i < i1; i++) {
            d += k->d[i];
            c += k->c[i];
        }
        if (i1 > prev)
            prev = i1;
        rt_value cell[10];
        size_t n = 0;
        if (x->grouped)
            cell[n++] = (rt_value){.type = RT_VAL_STRING, .s = x->rs->label[g]};
        cell[n++] = num(tq);
        cell[n++] = count(i2 < b ? k->n[i2] : 0);
        cell[n++] = count(d);
        cell[n++] = count(c);
        if (tq > k->time[b - 1]) { /* after the last time: not estimable */
            for (int j = 0; j < 4; j++)
                cell[n++] = (rt_value){.type = RT_VAL_NULL};
        } else if (i1 == a) { /* before the first time: R's survfit0 row */
            cell[n++] = num(1);
            cell[n++] = num(0);
            cell[n++] = num(1);
            cell[n++] = num(1);
        } else {
            size_t i = i1 - 1;
            cell[n++] = num(k->surv[i]);
            cell[n++] = num(k->surv[i] * x->se[i]);
            cell[n++] = num(x->lo[i]);
            cell[n++] = num(x->hi[i]);
        }
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* Sort 'v' (n) increasingly; insertion sort, as the list of requested times is short. */
static void sort_doubles(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double t = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

static int add_at_table(rt_result *r, const km_ctx *x)
{
    static const char *const cols[] = {"time",     "at_risk", "events", "censored",
                                       "survival", "std_err", "lower",  "upper"};
    static const int dec[] = {RT_DECIMALS_AUTO, 0, 0, 0, 4, 4, 4, 4};
    size_t nat = x->o->nat;
    double *at = rt_mem_array(NULL, nat, sizeof *at);
    if (!at)
        return -1;
    memcpy(at, x->o->at, nat * sizeof *at);
    sort_doubles(at, nat);
    int t = add_table(r, x, "at", cols, dec, 8), bad = t < 0;
    for (size_t g = 0; !bad && g < x->rs->ngroups; g++)
        bad = add_at_rows(r, t, x, g, at, nat) != 0;
    rt_mem_free(NULL, at);
    return bad ? -1 : 0;
}

static int add_logrank(rt_result *r, const km_ctx *x, const rt_logrank *lr)
{
    static const char *const cols[] = {"n", "observed", "expected", "variance", "oe2_e", "oe2_v"};
    static const int dec[] = {0, RT_DECIMALS_AUTO, 4, 4, 4, 4};
    int t = add_table(r, x, "logrank", cols, dec, 6);
    if (t < 0)
        return -1;
    for (size_t g = 0; g < lr->k; g++) {
        double oe = lr->obs[g] - lr->expct[g], v = lr->var[g * lr->k + g];
        rt_value cell[7] = {{.type = RT_VAL_STRING, .s = x->rs->label[g]},
                            count(lr->n[g]),
                            num(lr->obs[g]),
                            num(lr->expct[g]),
                            num(v),
                            num(oe * oe / lr->expct[g]),
                            num(oe * oe / v)};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

static const char definitions[] =
    "Kaplan-Meier as R survival's survfit: at each distinct time t (censoring times included) "
    "at_risk n = rows with time >= t (with entries: entry < t <= time), events d, censored "
    "(events count first at a tie), survival S = prod (1 - d/n), std_err = S sqrt(sum d / (n "
    "(n - d))) (Greenwood), std_err_log = sqrt(sum d / (n (n - d))) (R's std.err), interval "
    "lower/upper at 'level' on the 'ci' scale; median = first time with S <= 0.5 (midway to "
    "the next time when S = 0.5), its interval from the lower and upper curves (print.survfit); "
    "at: S at requested times, at_risk at the first time >= t, events and censored since the "
    "previous requested time (summary.survfit); logrank: survdiff (rho = 0), observed O, "
    "expected E, variance V, chisq on the groups with E > 0, df = those groups - 1";

static int add_fields(rt_result *r, const km_ctx *x, const rt_logrank *lr, long bycol)
{
    size_t events = 0;
    for (size_t i = 0; i < x->k->rows; i++)
        events += x->k->d[i];
    int bad = rt_result_add_int(r, "n", (int64_t)x->rs->n);
    bad |= rt_result_add_int(r, "events", (int64_t)events);
    bad |= rt_result_add_int(r, "censored", (int64_t)(x->rs->n - events));
    bad |= rt_result_add_int(r, "groups", (int64_t)x->rs->ngroups);
    bad |= rt_result_add_int(r, "excluded", (int64_t)x->rs->excluded);
    bad |= rt_result_add_string(r, "by", bycol >= 0 ? x->data->col_name[bycol] : NULL);
    bad |= rt_result_add_string(r, "ci", ci_name[x->o->ci]);
    bad |= rt_result_add_double(r, "level", x->o->level, RT_DECIMALS_AUTO);
    if (lr) {
        bad |= rt_result_add_double(r, "chisq", lr->chisq, 4);
        bad |= rt_result_add_int(r, "df", lr->df);
        bad |= rt_result_add_double(r, "p", lr->p, RT_DECIMALS_AUTO);
    } else {
        bad |= rt_result_add_null(r, "chisq");
        bad |= rt_result_add_null(r, "df");
        bad |= rt_result_add_null(r, "p");
    }
    bad |= rt_result_add_string(r, "definitions", definitions);
    return bad;
}

/* ---- checks ---- */

/* "a, b, c": the further columns of 'd', cut with "..." to fit 'cap' bytes. */
static void list_columns(const rt_survdata *d, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->ncols; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", d->col_name[i]);
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + cap - 5, 5, "...");
            return;
        }
        len += (size_t)w;
    }
}

/* The further column named 'name' (exact, else ignoring case), or -1. */
static long find_column(const rt_survdata *d, const char *name)
{
    for (size_t c = 0; c < d->ncols; c++)
        if (strcmp(d->col_name[c], name) == 0)
            return (long)c;
    for (size_t c = 0; c < d->ncols; c++)
        if (strcasecmp(d->col_name[c], name) == 0)
            return (long)c;
    return -1;
}

/* Check a table (perhaps filled by the caller) and the options. */
static rt_status check(const rt_survdata *d, const rt_km_options *o, long *bycol, rt_error *err)
{
    if ((d->n > 0 && (!d->time || !d->event)) || (d->ncols > 0 && (!d->col_name || !d->text)) ||
        (o->nat > 0 && !o->at))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_km_run: NULL array");
    if (!(o->level > 0 && o->level < 1))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_km_run: the confidence level must be between 0 and 1, got %g", o->level);
    if ((unsigned)o->ci > RT_CI_PLAIN)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_km_run: unknown interval type %d",
                       (int)o->ci);
    for (size_t q = 0; q < o->nat; q++)
        if (!isfinite(o->at[q]))
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                           "rt_km_run: a requested time is not finite");
    if (d->n == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "no rows");
    for (size_t i = 0; i < d->n; i++) {
        if (!(d->time[i] >= 0) || isinf(d->time[i]))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "row %zu: the time must be a finite number >= 0, got %g", i + 1,
                           d->time[i]);
        if (d->event[i] > 1)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "row %zu: the event must be 0 or 1, got %d",
                           i + 1, d->event[i]);
        if (d->entry && !(d->entry[i] < d->time[i] && !isinf(d->entry[i])))
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "row %zu: the entry time must be below the time (%g), got %g", i + 1,
                           d->time[i], d->entry[i]);
    }
    *bycol = -1;
    if (o->by) {
        *bycol = find_column(d, o->by);
        if (*bycol < 0) {
            char cols[300];
            list_columns(d, cols, sizeof cols);
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "no column '%s' to group by; the columns are: %s", o->by,
                           d->ncols ? cols : "(none besides time and event)");
        }
    }
    return RT_OK;
}

rt_status rt_km_run(const rt_survdata *data, const rt_km_options *opt, rt_result **out,
                    rt_error *err)
{
    if (out)
        *out = NULL;
    if (!data || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_km_run: NULL argument");
    rt_km_options o = {0};
    if (opt)
        o = *opt;
    if (o.level == 0)
        o.level = 0.95;
    long bycol;
    rt_status st = check(data, &o, &bycol, err);
    if (st != RT_OK)
        return st;
    rt_riskset rs;
    st = rt_riskset_build(data, bycol, bycol >= 0, &rs, err);
    if (st != RT_OK)
        return st;
    curves k;
    km_ctx x = {.data = data, .o = &o, .rs = &rs, .k = &k, .grouped = bycol >= 0};
    x.z = rt_norm_quantile(1 - (1 - o.level) / 2);
    rt_logrank lr = {0};
    rt_result *r = NULL;
    int bad = build_curves(&rs, &k) != 0;
    if (!bad) {
        x.se = rt_mem_array(NULL, k.rows, sizeof *x.se);
        x.lo = rt_mem_array(NULL, k.rows, sizeof *x.lo);
        x.hi = rt_mem_array(NULL, k.rows, sizeof *x.hi);
        bad = !x.se || !x.lo || !x.hi;
    }
    for (size_t i = 0; !bad && i < k.rows; i++) {
        x.se[i] = sqrt(k.varsum[i]);
        interval(o.ci, k.surv[i], x.se[i], x.z, &x.lo[i], &x.hi[i]);
    }
    if (!bad && bycol >= 0) {
        st = rt_logrank_run(&rs, &lr, err);
        bad = st != RT_OK;
    }
    if (!bad) {
        r = rt_result_new(NULL, "survival");
        bad = !r || add_fields(r, &x, bycol >= 0 ? &lr : NULL, bycol) != 0 ||
              add_curve_table(r, &x) != 0 || add_median_table(r, &x) != 0 ||
              (o.nat > 0 && add_at_table(r, &x) != 0) ||
              (bycol >= 0 && add_logrank(r, &x, &lr) != 0);
    }
    rt_mem_free(NULL, x.se);
    rt_mem_free(NULL, x.lo);
    rt_mem_free(NULL, x.hi);
    curves_free(&k);
    rt_logrank_free(&lr);
    rt_riskset_free(&rs);
    if (bad) {
        rt_result_free(r);
        return st != RT_OK ? st : rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = r;
    return RT_OK;
}
