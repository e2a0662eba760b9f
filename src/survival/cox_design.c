/* cox_design.c - from an rt_survdata to the Cox model's covariate matrix: missing values
 * dropped (R's na.omit), numeric covariates copied, categorical covariates dummy-coded
 * against the most frequent level (or the one given), strata numbered. Levels are compared
 * as text and sorted numerically when all of them are numbers, else bytewise; the dummy
 * columns follow that order, named "column=level".
 * SPDX-License-Identifier: MIT */
#include "survival/cox_design.h"
#include "survival/survdata.h"

#include "core/dict.h"
#include "core/error.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- levels of a text column ---- */

typedef struct levels {
    const char *const *text; /* the column */
    uint32_t *slot;          /* open addressing: level + 1, 0 = empty */
    size_t mask;
    size_t n, cap;
    size_t *first; /* data row where each level first appears */
    size_t *count; /* rows used with each level */
} levels;

static void levels_free(levels *l)
{
    rt_mem_free(NULL, l->slot);
    rt_mem_free(NULL, l->first);
    rt_mem_free(NULL, l->count);
    memset(l, 0, sizeof *l);
}

/* Double the hash table of 'l'. Returns 0 or -1 (out of memory). */
static int levels_rehash(levels *l)
{
    size_t size = l->slot ? (l->mask + 1) * 2 : 64;
    uint32_t *s = rt_mem_calloc(NULL, size, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; l->slot && i <= l->mask; i++) {
        if (!l->slot[i])
            continue;
        const char *t = l->text[l->first[l->slot[i] - 1]];
        size_t h = (size_t)rt_hash(t, strlen(t)) & (size - 1);
        while (s[h])
            h = (h + 1) & (size - 1);
        s[h] = l->slot[i];
    }
    rt_mem_free(NULL, l->slot);
    l->slot = s;
    l->mask = size - 1;
    return 0;
}

/* The level of data row 'row' of 'l', added when new. Returns the level, or -1 when out of
 * memory. */
static long levels_intern(levels *l, size_t row)
{
    if (!l->slot || (l->n + 1) * 2 > l->mask + 1)
        if (levels_rehash(l) != 0)
            return -1;
    const char *t = l->text[row];
    size_t len = strlen(t), h = (size_t)rt_hash(t, len) & l->mask;
    for (; l->slot[h]; h = (h + 1) & l->mask) {
        uint32_t v = l->slot[h] - 1;
        if (strcmp(l->text[l->first[v]], t) == 0) {
            l->count[v]++;
            return (long)v;
        }
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        size_t *f = rt_mem_resize(NULL, l->first, cap * sizeof *f);
        if (!f)
            return -1;
        l->first = f;
        size_t *c = rt_mem_resize(NULL, l->count, cap * sizeof *c);
        if (!c)
            return -1;
        l->count = c;
        l->cap = cap;
    }
    l->first[l->n] = row;
    l->count[l->n] = 1;
    l->slot[h] = (uint32_t)(l->n + 1);
    return (long)l->n++;
}

/* ---- one covariate ---- */

typedef struct covar {
    size_t col;       /* column of the data */
    int categorical;  /* dummy-coded */
    levels lv;        /* categorical: the levels seen in the rows used */
    uint32_t *code;   /* categorical: level of each data row (used rows only) */
    uint32_t *rank;   /* categorical: level -> position in the sorted order */
    uint32_t ref;     /* categorical: the reference level */
    size_t first_col; /* its first design column */
} covar;

/* The column of 'd' named 'name', or -1. */
static long find_column(const rt_survdata *d, const char *name)
{
    for (size_t c = 0; c < d->ncols; c++)
        if (d->col_name[c] && strcmp(d->col_name[c], name) == 0)
            return (long)c;
    return -1;
}

/* The error for a column 'name' that 'd' lacks, naming the columns it has. */
static rt_status no_column(const rt_survdata *d, const char *what, const char *name, rt_error *err)
{
    char list[300];
    size_t at = 0;
    list[0] = 0;
    for (size_t c = 0; c < d->ncols && at < sizeof list; c++) {
        int k = snprintf(list + at, sizeof list - at, "%s%s", c ? ", " : "", d->col_name[c]);
        if (k < 0 || (size_t)k >= sizeof list - at) {
            memcpy(list + sizeof list - 5, ", ...", 5);
            list[sizeof list - 1] = 0;
            break;
        }
        at += (size_t)k;
    }
    char q[4 * 40 + 8];
    rt_quote(name, strlen(name), 40, q);
    return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "cox: no %s column %s (columns: %s)", what, q,
                   d->ncols ? list : "none besides time and event");
}

/* Order levels: numerically when every level is a finite number, else bytewise. */
typedef struct level_key {
    const char *text;
    double num;
    uint32_t level;
} level_key;

static int cmp_num(const void *a, const void *b)
{
    const level_key *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->level < y->level ? -1 : x->level > y->level);
}

static int cmp_text(const void *a, const void *b)
{
    const level_key *x = a, *y = b;
    return strcmp(x->text, y->text);
}

/* Decide the type of covariate 'cv' ('ref' = its reference level or NULL) over the rows kept
 * by 'use', and for a categorical one find its levels, their order and the reference. */
static rt_status classify(const rt_survdata *d, covar *cv, const char *ref,
                          const unsigned char *use, rt_error *err)
{
    const char *name = d->col_name[cv->col];
    const char *const *text = d->text[cv->col];
    const double *num = d->num[cv->col];
    long first_num = -1, first_text = -1;
    for (size_t i = 0; i < d->n && (first_num < 0 || first_text < 0); i++) {
        if (!use[i])
            continue;
        if (isfinite(num[i])) {
            if (first_num < 0)
                first_num = (long)i;
        } else if (first_text < 0) {
            first_text = (long)i;
        }
    }
    cv->categorical = ref != NULL || first_num < 0;
    if (!cv->categorical && first_text < 0)
        return RT_OK;
    if (!cv->categorical) {
        char q[4 * 40 + 8];
        const char *t = text[first_text];
        rt_quote(t, strlen(t), 40, q);
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: covariate '%s', row %ld: expected a number, got %s (other rows "
                       "hold numbers; give a reference level to use it as categorical)",
                       name, first_text + 1, q);
    }
    cv->lv.text = text;
    if (!(cv->code = rt_mem_array(NULL, d->n, sizeof *cv->code)))
        goto oom;
    for (size_t i = 0; i < d->n; i++) {
        if (!use[i])
            continue;
        long v = levels_intern(&cv->lv, i);
        if (v < 0)
            goto oom;
        cv->code[i] = (uint32_t)v;
    }
    size_t nl = cv->lv.n;
    if (nl > RT_COX_MAX_LEVELS)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: covariate '%s' has %zu distinct values, more than the %d levels a "
                       "categorical covariate may have (an identifier?)",
                       name, nl, RT_COX_MAX_LEVELS);
    if (nl < 2) {
        char q[4 * 40 + 8];
        const char *t = text[cv->lv.first[0]];
        rt_quote(t, strlen(t), 40, q);
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: categorical covariate '%s' has a single level (%s) in the %zu "
                       "rows used",
                       name, q, cv->lv.count[0]);
    }
    level_key *key = rt_mem_array(NULL, nl, sizeof *key);
    if (!key || !(cv->rank = rt_mem_array(NULL, nl, sizeof *cv->rank))) {
        rt_mem_free(NULL, key);
        goto oom;
    }
    int numeric = 1;
    for (size_t v = 0; v < nl; v++) {
        size_t row = cv->lv.first[v];
        key[v] = (level_key){text[row], num[row], (uint32_t)v};
        numeric &= isfinite(num[row]) != 0;
    }
    qsort(key, nl, sizeof *key, numeric ? cmp_num : cmp_text);
    for (size_t k = 0; k < nl; k++)
        cv->rank[key[k].level] = (uint32_t)k;
    long want = -1;
    if (ref) {
        for (size_t v = 0; v < nl && want < 0; v++)
            if (strcmp(text[cv->lv.first[v]], ref) == 0)
                want = (long)v;
    } else {
        /* the most frequent level; among equally frequent ones the first in level order */
        for (size_t k = 0; k < nl; k++) {
            uint32_t v = key[k].level;
            if (want < 0 || cv->lv.count[v] > cv->lv.count[want])
                want = (long)v;
        }
    }
    if (want < 0) {
        char list[200], q[4 * 40 + 8];
        size_t at = 0;
        for (size_t k = 0; k < nl && at < sizeof list - 8; k++) {
            int w = snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "", key[k].text);
            if (w < 0 || (size_t)w >= sizeof list - at) {
                strcpy(list + sizeof list - 8, ", ...");
                break;
            }
            at += (size_t)w;
        }
        rt_mem_free(NULL, key);
        rt_quote(ref, strlen(ref), 40, q);
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: reference level %s of covariate '%s' does not occur (levels: %s)", q,
                       name, list);
    }
    cv->ref = (uint32_t)want;
    rt_mem_free(NULL, key);
    return RT_OK;
oom:
    return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Name the design columns and describe the reference levels. Returns 0 or -1 (out of
 * memory). */
static int name_columns(const rt_survdata *d, covar *cv, size_t ncov, rt_cox_design *des)
{
    size_t refs_len = 0;
    for (size_t c = 0; c < ncov; c++) {
        const char *cname = d->col_name[cv[c].col];
        if (!cv[c].categorical) {
            if (!(des->name[cv[c].first_col] = rt_mem_strdup(NULL, cname)))
                return -1;
            continue;
        }
        const char *const *text = d->text[cv[c].col];
        for (size_t v = 0; v < cv[c].lv.n; v++) {
            if (v == cv[c].ref)
                continue;
            uint32_t k = cv[c].rank[v] - (cv[c].rank[v] > cv[c].rank[cv[c].ref]);
            const char *lv = text[cv[c].lv.first[v]];
            size_t len = strlen(cname) + strlen(lv) + 2;
            char *s = rt_mem_alloc(NULL, len);
            if (!s)
                return -1;
            snprintf(s, len, "%s=%s", cname, lv);
            des->name[cv[c].first_col + k] = s;
            des->dummy[cv[c].first_col + k] = 1;
        }
        refs_len += strlen(cname) + strlen(text[cv[c].lv.first[cv[c].ref]]) + 3;
    }
    if (refs_len == 0)
        return 0;
    if (!(des->refs = rt_mem_alloc(NULL, refs_len)))
        return -1;
    size_t at = 0;
    for (size_t c = 0; c < ncov; c++) {
        if (!cv[c].categorical)
            continue;
        const char *lv = d->text[cv[c].col][cv[c].lv.first[cv[c].ref]];
        int w = snprintf(des->refs + at, refs_len - at, "%s%s=%s", at ? ", " : "",
                         d->col_name[cv[c].col], lv);
        at += (size_t)w;
    }
    return 0;
}

/* Check the time and event of the rows used. */
static rt_status check_outcome(const rt_survdata *d, const unsigned char *use, rt_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        if (!use[i])
            continue;
        if (!isfinite(d->time[i]) || d->time[i] < 0)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "cox: row %zu: the time %g is not a finite number >= 0", i + 1,
                           d->time[i]);
        if (d->event[i] > 1)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "cox: row %zu: the event is %d, expected 0 or 1", i + 1,
                           (int)d->event[i]);
    }
    return RT_OK;
}

/* Fill the matrix, outcome, strata and row map of 'des' from the rows kept by 'use'. */
static rt_status fill(const rt_survdata *d, covar *cv, size_t ncov, const levels *strata,
                      const uint32_t *scode, const unsigned char *use, rt_cox_design *des)
{
    size_t n = des->n, p = des->p;
    des->x = rt_mem_array(NULL, n, p * sizeof *des->x);
    des->time = rt_mem_array(NULL, n, sizeof *des->time);
    des->event = rt_mem_array(NULL, n, 1);
    des->row = rt_mem_array(NULL, n, sizeof *des->row);
    if (strata)
        des->stratum = rt_mem_array(NULL, n, sizeof *des->stratum);
    if (!des->x || !des->time || !des->event || !des->row || (strata && !des->stratum))
        return RT_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!use[i])
            continue;
        double *xr = des->x + k * p;
        for (size_t c = 0; c < ncov; c++) {
            if (!cv[c].categorical) {
                xr[cv[c].first_col] = d->num[cv[c].col][i];
                continue;
            }
            size_t nd = cv[c].lv.n - 1;
            uint32_t rref = cv[c].rank[cv[c].ref], r = cv[c].rank[cv[c].code[i]];
            for (size_t j = 0; j < nd; j++)
                xr[cv[c].first_col + j] = 0;
            if (r != rref)
                xr[cv[c].first_col + r - (r > rref)] = 1;
        }
        des->time[k] = d->time[i];
        des->event[k] = d->event[i];
        des->row[k] = i;
        if (strata)
            des->stratum[k] = scode[i];
        k++;
    }
    return RT_OK;
}

rt_status rt_cox_design_build(const rt_survdata *d, const rt_cox_options *o, rt_cox_design *out,
                              rt_error *err)
{
    if (!out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: bad arguments");
    memset(out, 0, sizeof *out);
    if (!d || !o || (o->ncov && !o->covariates) || !d->time || !d->event ||
        (d->ncols && (!d->col_name || !d->text || !d->num)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: bad arguments");
    if (o->ncov == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "cox: no covariates given");
    if (d->entry)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: entry times (left truncation) are not supported");
    rt_status st = RT_OK;
    size_t ncov = o->ncov;
    covar *cv = rt_mem_calloc(NULL, ncov, sizeof *cv);
    unsigned char *use = rt_mem_array(NULL, d->n, 1);
    levels strata = {0};
    uint32_t *scode = NULL;
    long scol = -1;
    if (!cv || !use)
        goto oom;
    for (size_t c = 0; c < ncov; c++) {
        long col = o->covariates[c] ? find_column(d, o->covariates[c]) : -1;
        if (!o->covariates[c]) {
            st = rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox: covariate name %zu is NULL", c + 1);
            goto out;
        }
        if (col < 0) {
            st = no_column(d, "covariate", o->covariates[c], err);
            goto out;
        }
        cv[c].col = (size_t)col;
    }
    if (o->strata && (scol = find_column(d, o->strata)) < 0) {
        st = no_column(d, "strata", o->strata, err);
        goto out;
    }
    /* rows with a missing covariate or stratum are left out, as by R's na.omit */
    for (size_t i = 0; i < d->n; i++) {
        int ok = scol < 0 || !rt_sv_missing(d->text[scol][i]);
        for (size_t c = 0; c < ncov && ok; c++)
            ok = !rt_sv_missing(d->text[cv[c].col][i]);
        use[i] = (unsigned char)ok;
        out->n += (size_t)ok;
    }
    out->dropped = d->n - out->n;
    if (out->n == 0) {
        st = rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                     "cox: no rows left: each of the %zu rows has a missing covariate%s", d->n,
                     scol >= 0 ? " or stratum" : "");
        goto out;
    }
    if ((st = check_outcome(d, use, err)) != RT_OK)
        goto out;
    for (size_t c = 0; c < ncov; c++) {
        const char *ref = o->ref ? o->ref[c] : NULL;
        if ((st = classify(d, &cv[c], ref, use, err)) != RT_OK)
            goto out;
        cv[c].first_col = out->p;
        out->p += cv[c].categorical ? cv[c].lv.n - 1 : 1;
    }
    if (scol >= 0) {
        strata.text = d->text[scol];
        if (!(scode = rt_mem_array(NULL, d->n, sizeof *scode)))
            goto oom;
        for (size_t i = 0; i < d->n; i++) {
            if (!use[i])
                continue;
            long v = levels_intern(&strata, i);
            if (v < 0)
                goto oom;
            scode[i] = (uint32_t)v;
        }
        out->nstrata = strata.n;
    }
    out->name = rt_mem_calloc(NULL, out->p, sizeof *out->name);
    out->dummy = rt_mem_calloc(NULL, out->p, 1);
    if (!out->name || !out->dummy || name_columns(d, cv, ncov, out) != 0)
        goto oom;
    if (fill(d, cv, ncov, scol >= 0 ? &strata : NULL, scode, use, out) != RT_OK)
        goto oom;
    goto out;
oom:
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
out:
    for (size_t c = 0; cv && c < ncov; c++) {
        levels_free(&cv[c].lv);
        rt_mem_free(NULL, cv[c].code);
        rt_mem_free(NULL, cv[c].rank);
    }
    levels_free(&strata);
    rt_mem_free(NULL, scode);
    rt_mem_free(NULL, cv);
    rt_mem_free(NULL, use);
    if (st != RT_OK)
        rt_cox_design_free(out);
    return st;
}

void rt_cox_design_free(rt_cox_design *des)
{
    if (!des)
        return;
    for (size_t j = 0; des->name && j < des->p; j++)
        rt_mem_free(NULL, des->name[j]);
    rt_mem_free(NULL, des->name);
    rt_mem_free(NULL, des->dummy);
    rt_mem_free(NULL, des->refs);
    rt_mem_free(NULL, des->x);
    rt_mem_free(NULL, des->time);
    rt_mem_free(NULL, des->event);
    rt_mem_free(NULL, des->stratum);
    rt_mem_free(NULL, des->row);
    memset(des, 0, sizeof *des);
}
