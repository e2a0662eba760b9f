/* satisfaction.c - `retain satisfaction`: what a satisfaction score is worth. Joins a customer
 * table (score, optional survey date, segment and stated intent) to the event log and, for
 * the customers observed for the whole horizon after their survey, reports retention, future
 * purchases and spend per score level, the rank correlation of score and future purchases,
 * spend and retention per score point, per segment, and intent against behaviour.
 * Cells are parsed serially in row order (so the first bad row is always the one reported),
 * the customers' future purchases are counted in parallel, and every sum is taken in row
 * order afterwards, so the output never depends on the thread count.
 * SPDX-License-Identifier: MIT */
#include "core/dict.h"
#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/number.h"
#include "core/parallel.h"
#include "core/result.h"
#include "metrics/assoc.h"
#include "retain.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Why a row of the customer table is or is not analysed; the first reason that applies. */
enum {
    ROW_NO_SCORE = 0, /* empty score cell */
    ROW_NO_DATE,      /* empty survey-date cell (date column only) */
    ROW_NO_EVENTS,    /* no events in the log (the state of every candidate until matched) */
    ROW_AFTER,        /* first purchase after the survey date */
    ROW_CENSORED,     /* survey + horizon after the data's last day */
    ROW_OK            /* eligible */
};

static const char *const nps_names[3] = {"detractor", "passive", "promoter"};

/* ---- per-row cells ---- */

typedef struct rows {
    size_t n;
    uint8_t *state;
    double *score;
    int32_t *survey;
    int8_t *intent; /* 1, 0, or -1 when empty (or no intent column) */
    uint32_t *seg;  /* segment number (by column), else 0 */
    uint32_t *fut;  /* distinct purchase days in (survey, survey + horizon] */
    double *spend;  /* their amounts */
} rows;

static void rows_free(rows *w)
{
    rt_mem_free(NULL, w->state);
    rt_mem_free(NULL, w->score);
    rt_mem_free(NULL, w->survey);
    rt_mem_free(NULL, w->intent);
    rt_mem_free(NULL, w->seg);
    rt_mem_free(NULL, w->fut);
    rt_mem_free(NULL, w->spend);
}

static int rows_alloc(rows *w, size_t n)
{
    size_t m = n ? n : 1;
    w->n = n;
    w->state = rt_mem_array(NULL, m, sizeof *w->state);
    w->score = rt_mem_array(NULL, m, sizeof *w->score);
    w->survey = rt_mem_array(NULL, m, sizeof *w->survey);
    w->intent = rt_mem_array(NULL, m, sizeof *w->intent);
    w->seg = rt_mem_calloc(NULL, m, sizeof *w->seg);
    w->fut = rt_mem_calloc(NULL, m, sizeof *w->fut);
    w->spend = rt_mem_calloc(NULL, m, sizeof *w->spend);
    return w->state && w->score && w->survey && w->intent && w->seg && w->fut && w->spend ? 0 : -1;
}

/* The customer id of row 'r': the text of a column that rt_attrs_find maps back to 'r' (the
 * id column does; any other column that does holds the same text). */
static const char *row_id(const rt_attrs *a, size_t r)
{
    for (size_t c = 0; c < rt_attrs_columns(a); c++) {
        const char *v = rt_attrs_value(a, r, c);
        if (rt_attrs_find(a, v, strlen(v)) == (long)r)
            return v;
    }
    return "?";
}

/* Fail with "name: customer 'id': column 'col': expected <what>, got "text"". */
static rt_status bad_cell(rt_error *err, const char *name, const rt_attrs *a, size_t r, long col,
                          const char *what)
{
    char id[4 * 40 + 8], got[4 * 40 + 8];
    const char *idtext = row_id(a, r), *text = rt_attrs_value(a, r, (size_t)col);
    rt_quote(idtext, strlen(idtext), 40, id);
    rt_quote(text, strlen(text), 40, got);
    return rt_fail(err, RT_EPARSE, name, 0, 0, "customer %s: column '%s': expected %s, got %s", id,
                   rt_attrs_column_name(a, (size_t)col), what, got);
}

/* Stated intent: 1/0, yes/no, y/n, true/false in any case; -1 when empty, -2 when none. */
static int parse_intent(const char *s)
{
    static const char *const yes[] = {"1", "yes", "y", "true"}, *const no[] = {"0", "no", "n",
                                                                               "false"};
    if (!*s)
        return -1;
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -2;
}

/* The columns of the options, found in the customer table (-1 = not used). */
typedef struct cols {
    long score, date, by, intent;
} colset;

/* Parse every row's cells into 'w' and number the segments ('*nseg' of them; '*seg_text'
 * (caller frees) holds the first row's text of each). Errors point at the first bad row. */
static rt_status parse_rows(const rt_satisfaction_options *o, const colset *c, const char *name,
                            rows *w, const char ***seg_text, size_t *nseg, rt_error *err)
{
    const rt_attrs *a = o->attrs;
    size_t n = w->n, nslots = 64, nv = 0;
    uint32_t *slot = NULL;
    const char **vals = NULL;
    *seg_text = NULL;
    *nseg = 0;
    if (c->by >= 0) {
        while (nslots < 2 * n)
            nslots *= 2;
        slot = rt_mem_calloc(NULL, nslots, sizeof *slot); /* segment number + 1; 0 = free */
        vals = rt_mem_array(NULL, n ? n : 1, sizeof *vals);
        if (!slot || !vals) {
            rt_mem_free(NULL, slot);
            rt_mem_free(NULL, vals);
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    rt_status st = RT_OK;
    for (size_t r = 0; r < n && st == RT_OK; r++) {
        const char *s = rt_attrs_value(a, r, (size_t)c->score);
        w->state[r] = ROW_NO_EVENTS;
        w->survey[r] = o->as_of;
        w->intent[r] = -1;
        if (!*s) {
            w->state[r] = ROW_NO_SCORE;
        } else if (rt_parse_double(s, strlen(s), &w->score[r]) != 0 || !isfinite(w->score[r])) {
            st = bad_cell(err, name, a, r, c->score, "a number");
            break;
        } else if (o->kind == RT_SCORE_NPS &&
                   (w->score[r] != floor(w->score[r]) || w->score[r] < 0 || w->score[r] > 10)) {
            st = bad_cell(err, name, a, r, c->score, "an NPS score, a whole number from 0 to 10");
            break;
        }
        if (c->date >= 0) {
            const char *d = rt_attrs_value(a, r, (size_t)c->date);
            if (!*d) {
                if (w->state[r] == ROW_NO_EVENTS)
                    w->state[r] = ROW_NO_DATE;
            } else if (rt_date_parse(d, &w->survey[r]) != 0) {
                st = bad_cell(err, name, a, r, c->date, "a date YYYY-MM-DD");
                break;
            }
        }
        if (c->intent >= 0) {
            int v = parse_intent(rt_attrs_value(a, r, (size_t)c->intent));
            if (v == -2) {
                st = bad_cell(err, name, a, r, c->intent, "1/0, yes/no, y/n or true/false");
                break;
            }
            w->intent[r] = (int8_t)v;
        }
        if (c->by >= 0) {
            const char *v = rt_attrs_value(a, r, (size_t)c->by);
            size_t i = (size_t)rt_hash(v, strlen(v)) & (nslots - 1);
            while (slot[i] != 0 && strcmp(vals[slot[i] - 1], v) != 0)
                i = (i + 1) & (nslots - 1);
            if (slot[i] == 0) {
                vals[nv] = v;
                slot[i] = (uint32_t)++nv;
            }
            w->seg[r] = slot[i] - 1;
        }
    }
    rt_mem_free(NULL, slot);
    if (st != RT_OK) {
        rt_mem_free(NULL, vals);
        return st;
    }
    *seg_text = vals;
    *nseg = c->by >= 0 ? nv : 1;
    return RT_OK;
}

/* ---- the future purchases, in parallel ---- */

typedef struct job {
    const rt_events *ev;
    const rt_attrs *attrs;
    int threads;
    int64_t last_day, horizon;
    rows *w;
    uint64_t without_row[64]; /* event customers with no row, per thread */
} job;

/* Classify the candidate rows of customers [c0, c1) of part 'k' and count their future
 * purchase days and spend. Each row belongs to at most one customer (ids are unique in both
 * tables), so the parts write disjoint entries. */
static void run_part(void *arg, int k)
{
    job *j = arg;
    const rt_events *ev = j->ev;
    size_t nc = rt_events_customers(ev);
    size_t c0 = nc * (size_t)k / (size_t)j->threads, c1 = nc * (size_t)(k + 1) / (size_t)j->threads;
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const double *amt = rt_events_amounts(ev);
    rows *w = j->w;
    uint64_t without = 0;
    for (size_t c = c0; c < c1; c++) {
        size_t len;
        const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, &len);
        long row = rt_attrs_find(j->attrs, id, len);
        if (row < 0) {
            without++;
            continue;
        }
        if (w->state[row] != ROW_NO_EVENTS)
            continue; /* no score or no survey date */
        uint64_t lo = off[c], hi = off[c + 1];
        int64_t s = w->survey[row], end = s + j->horizon;
        if (day[lo] > s) {
            w->state[row] = ROW_AFTER;
            continue;
        }
        if (end > j->last_day) {
            w->state[row] = ROW_CENSORED;
            continue;
        }
        w->state[row] = ROW_OK;
        uint32_t days = 0;
        int64_t prev = s;
        rt_ksum spend = {0, 0};
        for (uint64_t m = lo; m < hi && day[m] <= end; m++) {
            if (day[m] <= s)
                continue;
            days += day[m] != prev; /* events are in day order: count each day once */
            prev = day[m];
            if (amt)
                rt_ksum_add(&spend, amt[m]);
        }
        w->fut[row] = days;
        w->spend[row] = rt_ksum_value(&spend);
    }
    j->without_row[k] = without;
}

/* ---- the statistics of a group of eligible customers ---- */

/* An eligible customer. */
typedef struct rec {
    double score, fut, spend, retained; /* retained: 1 when fut > 0, else 0 */
    uint32_t level, seg;
    int intent;
} rec;

/* Per-level totals. */
typedef struct lvl {
    uint64_t customers, retained, purchases;
    rt_ksum spend;
} lvl;

/* What a group (all customers, or one segment) reports besides its level rows. */
typedef struct gstats {
    uint64_t n, retained, purchases;
    rt_ksum spend;
    rt_corr rho;                /* Spearman of score and future purchase days */
    double spp, spp_se;         /* spend per score point: slope of spend on score */
    double rpp, rpp_se;         /* retention per score point */
    double nps, nps_lo, nps_hi; /* NPS mode only; else NaN */
} gstats;

/* Scratch for the group statistics: four arrays of the largest group's size. */
typedef struct scratch {
    double *x, *y, *s, *r;
} scratch;

/* Fill 'lv' (nlev entries) and 'g' from the 'n' records 'rc'. Returns 0, or -1 when out of
 * memory. */
static int analyse(const rec *rc, size_t n, size_t nlev, int nps, int has_amount, lvl *lv,
                   gstats *g, scratch *sc)
{
    memset(lv, 0, nlev * sizeof *lv);
    memset(g, 0, sizeof *g);
    uint64_t prom = 0, detr = 0;
    for (size_t i = 0; i < n; i++) {
        lvl *l = &lv[rc[i].level];
        l->customers++;
        l->retained += rc[i].fut > 0;
        l->purchases += (uint64_t)rc[i].fut;
        rt_ksum_add(&l->spend, rc[i].spend);
        g->n++;
        g->retained += rc[i].fut > 0;
        g->purchases += (uint64_t)rc[i].fut;
        rt_ksum_add(&g->spend, rc[i].spend);
        prom += rc[i].score >= 9;
        detr += rc[i].score <= 6;
        sc->x[i] = rc[i].score;
        sc->y[i] = rc[i].fut;
        sc->s[i] = rc[i].spend;
        sc->r[i] = rc[i].retained;
    }
    if (rt_spearman(sc->x, sc->y, n, &g->rho) != 0)
        return -1;
    g->spp = g->spp_se = (double)NAN;
    if (has_amount)
        rt_ols_slope(sc->x, sc->s, n, &g->spp, &g->spp_se);
    rt_ols_slope(sc->x, sc->r, n, &g->rpp, &g->rpp_se);
    g->nps = g->nps_lo = g->nps_hi = (double)NAN;
    if (nps && n > 0) {
        /* NPS = 100 (P - D) / n; Wald interval with var = (p_P + p_D - (p_P - p_D)^2) / n */
        double pp = (double)prom / (double)n, pd = (double)detr / (double)n, d = pp - pd;
        double se = sqrt((pp + pd - d * d) / (double)n);
        g->nps = 100.0 * d;
        g->nps_lo = 100.0 * fmax(d - RT_Z975 * se, -1.0); /* small n: keep within +-100 */
        g->nps_hi = 100.0 * fmin(d + RT_Z975 * se, 1.0);
    }
    return 0;
}

/* ---- the result ---- */

typedef struct ctx {
    rt_result *r;
    int nps;
    int has_amount;
    const double *levels; /* ordinal: the distinct scores ascending */
    size_t nlev;
    const char *level_col, *seg_col;
} ctx;

/* Append the level rows of one group to table 't'; 'seg' is the segment's text, or NULL for
 * the table without a segment column. Levels without customers are left out; lift is
 * against the lowest level present. */
static int add_level_rows(const ctx *x, int t, const char *seg, const lvl *lv)
{
    double base = (double)NAN;
    for (size_t k = 0; k < x->nlev; k++)
        if (lv[k].customers) {
            base = (double)lv[k].retained / (double)lv[k].customers;
            break;
        }
    for (size_t k = 0; k < x->nlev; k++) {
        const lvl *l = &lv[k];
        if (!l->customers)
            continue;
        rt_value cell[10];
        size_t c = 0;
        double n = (double)l->customers, ret = (double)l->retained / n, lo, hi;
        rt_wilson((double)l->retained, n, &lo, &hi);
        if (seg)
            cell[c++] = (rt_value){.type = RT_VAL_STRING, .s = seg};
        if (x->nps)
            cell[c++] = (rt_value){.type = RT_VAL_STRING, .s = nps_names[k]};
        else
            cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = x->levels[k]};
        cell[c++] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)l->customers};
        cell[c++] = (rt_value){.type = RT_VAL_INT, .i = (int64_t)l->retained};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = ret};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = lo};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = hi};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = (double)l->purchases / n};
        cell[c++] = (rt_value){.type = x->has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL,
                               .d = rt_ksum_value(&l->spend) / n};
        cell[c++] = (rt_value){.type = RT_VAL_DOUBLE, .d = base > 0 ? ret / base : (double)NAN};
        if (rt_result_table_add_row(x->r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* Add a level table named 'name' (with a segment column when 'with_seg'); returns its index
 * or -1. */
static int level_table(const ctx *x, const char *name, int with_seg)
{
    const char *cols[] = {"",
                          "",
                          "customers",
                          "retained",
                          "retention",
                          "retention_lo",
                          "retention_hi",
                          "mean_future_purchases",
                          "mean_future_spend",
                          "lift"};
    const int dec[] = {RT_DECIMALS_AUTO, RT_DECIMALS_AUTO, 0, 0, 4, 4, 4, 3, 2, 3};
    cols[0] = x->seg_col;
    cols[1] = x->level_col;
    size_t skip = with_seg ? 0 : 1;
    return rt_result_add_table(x->r, name, 10 - skip, cols + skip, dec + skip);
}

static int add_segment_row(const ctx *x, int t, const char *seg, const gstats *g)
{
    double n = (double)g->n;
    rt_value cell[12] = {
        {.type = RT_VAL_STRING, .s = seg},
        {.type = RT_VAL_INT, .i = (int64_t)g->n},
        {.type = RT_VAL_INT, .i = (int64_t)g->retained},
        {.type = RT_VAL_DOUBLE, .d = (double)g->retained / n},
        {.type = RT_VAL_DOUBLE, .d = g->rho.r},
        {.type = RT_VAL_DOUBLE, .d = g->rho.lo},
        {.type = RT_VAL_DOUBLE, .d = g->rho.hi},
        {.type = x->has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = g->spp},
        {.type = x->has_amount ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = g->spp_se},
        {.type = RT_VAL_DOUBLE, .d = g->rpp},
        {.type = RT_VAL_DOUBLE, .d = g->rpp_se},
        {.type = x->nps ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = g->nps},
    };
    return rt_result_table_add_row(x->r, (size_t)t, cell);
}

static int segment_table(const ctx *x)
{
    const char *cols[] = {x->seg_col,
                          "customers",
                          "retained",
                          "retention",
                          "spearman",
                          "spearman_lo",
                          "spearman_hi",
                          "spend_per_point",
                          "spend_per_point_se",
                          "retention_per_point",
                          "retention_per_point_se",
                          "nps"};
    const int dec[] = {RT_DECIMALS_AUTO, 0, 0, 4, 4, 4, 4, 2, 2, 4, 4, 1};
    return rt_result_add_table(x->r, "segments", 12, cols, dec);
}

/* The 2x2 table of stated intent against a purchase in the horizon, and the phi
 * coefficient into '*phi'. n[i][b]: intent i (0 no, 1 yes), bought b. */
static int add_intent(const ctx *x, const uint64_t n[2][2])
{
    const char *cols[] = {"stated_intent", "customers",       "bought",         "not_bought",
                          "bought_share",  "bought_share_lo", "bought_share_hi"};
    const int dec[] = {RT_DECIMALS_AUTO, 0, 0, 0, 4, 4, 4};
    int t = rt_result_add_table(x->r, "intent", 7, cols, dec);
    if (t < 0)
        return -1;
    for (int i = 1; i >= 0; i--) {
        uint64_t tot = n[i][0] + n[i][1];
        double lo, hi;
        rt_wilson((double)n[i][1], (double)tot, &lo, &hi);
        rt_value cell[7] = {
            {.type = RT_VAL_STRING, .s = i ? "yes" : "no"},
            {.type = RT_VAL_INT, .i = (int64_t)tot},
            {.type = RT_VAL_INT, .i = (int64_t)n[i][1]},
            {.type = RT_VAL_INT, .i = (int64_t)n[i][0]},
            {.type = RT_VAL_DOUBLE, .d = (double)n[i][1] / (double)tot},
            {.type = RT_VAL_DOUBLE, .d = lo},
            {.type = RT_VAL_DOUBLE, .d = hi},
        };
        if (rt_result_table_add_row(x->r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* The name of a column of ours that holds 'want' unless it is empty or clashes with one of
 * the table's fixed columns (then 'fallback'). */
static const char *col_name(const char *want, const char *fallback, const char *other)
{
    static const char *const fixed[] = {"customers",
                                        "retained",
                                        "retention",
                                        "retention_lo",
                                        "retention_hi",
                                        "mean_future_purchases",
                                        "mean_future_spend",
                                        "lift",
                                        "spearman",
                                        "spearman_lo",
                                        "spearman_hi",
                                        "spend_per_point",
                                        "spend_per_point_se",
                                        "retention_per_point",
                                        "retention_per_point_se",
                                        "nps"};
    if (!want || !*want || (other && strcmp(want, other) == 0))
        return fallback;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(want, fixed[i]) == 0)
            return fallback;
    return want;
}

static const char definitions[] =
    "the customer table (one row per customer, joined on the customer id, exact text) gives "
    "each customer a score and a survey date (one date for all, or a column); a row is "
    "eligible when it has a score (and a survey date), its customer has events, the first "
    "purchase on or before the survey date, and survey date + horizon <= last_date (the "
    "data's last day), so that every eligible customer is observed for the whole horizon; "
    "rows failing a test are counted under the first that applies: rows_without_score, "
    "rows_without_survey_date, rows_without_events, first_purchase_after_survey, censored "
    "(horizon past last_date); customers_without_row = customers of the event log with no row; "
    "future purchases = distinct purchase days in (survey date, survey date + horizon]; future "
    "spend = the sum of their amounts (after refund netting; null without an amount column); "
    "retained = at least one future purchase; per level (each distinct score; NPS: detractor "
    "0-6, passive 7-8, promoter 9-10): customers, retained, retention = retained / customers "
    "with Wilson's 95% interval, mean future purchases and spend, lift = retention / retention "
    "of the lowest level present (null when that is 0); spearman = Spearman's rank correlation "
    "of score and future purchases (average ranks for ties) with a 95% interval tanh(atanh(r) "
    "-+ 1.96 sqrt((1 + r^2/2) / (n - 3))) (Bonett & Wright 2000); spend_per_point = least-squares "
    "slope of future spend on the score (raw 0-10 for NPS) with its classical standard error "
    "sqrt(RSS / (n - 2) / Sxx); retention_per_point = the same slope for retained (0/1); nps = "
    "100 (promoters - detractors) / customers with a Wald 95% interval, var = (p_promoter + "
    "p_detractor - (p_promoter - p_detractor)^2) / n, cut to [-100, 100]; by = the same per "
    "segment (rows by eligible customers descending, then value); intent: eligible customers with "
    "a stated "
    "intent (1/0, yes/no, y/n, true/false; empty = intent_missing) cross-tabulated against "
    "retained, phi = (n11 n00 - n10 n01) / sqrt(product of the four margins), bought_share "
    "with Wilson's 95% interval; days are UTC";

/* "a, b, c": the columns of 'a', cut with "..." to fit 'cap' bytes. */
static void column_list(const rt_attrs *a, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < rt_attrs_columns(a); c++) {
        int w = snprintf(buf + len, cap - len, "%s%s", c ? ", " : "", rt_attrs_column_name(a, c));
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + cap - 5, 5, "...");
            return;
        }
        len += (size_t)w;
    }
}

/* Find the column named 'want' (NULL = not used: -1) into '*col'. */
static rt_status find_col(const rt_attrs *a, const char *name, const char *want, const char *what,
                          long *col, rt_error *err)
{
    *col = -1;
    if (!want)
        return RT_OK;
    if (!*want)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_satisfaction_run: empty %s name", what);
    *col = rt_attrs_column(a, want);
    if (*col >= 0)
        return RT_OK;
    char list[300];
    column_list(a, list, sizeof list);
    return rt_fail(err, RT_EDOMAIN, name, 0, 0, "no %s '%s'; the columns are: %s", what, want,
                   list);
}

static rt_status check_options(const rt_satisfaction_options *o, const char *name, colset *c,
                               rt_error *err)
{
    if (!o->attrs || !o->score_col)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_satisfaction_run: a customer table and a score column are required");
    if ((o->has_as_of != 0) == (o->date_col != NULL))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "rt_satisfaction_run: give the survey date as as_of or date_col (one)");
    if (o->horizon < 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_satisfaction_run: horizon %ld < 0",
                       (long)o->horizon);
    if (o->kind != RT_SCORE_ORDINAL && o->kind != RT_SCORE_NPS)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_satisfaction_run: unknown score kind");
    rt_status st;
    if ((st = find_col(o->attrs, name, o->score_col, "score column", &c->score, err)) ||
        (st = find_col(o->attrs, name, o->date_col, "survey-date column", &c->date, err)) ||
        (st = find_col(o->attrs, name, o->by, "segment column", &c->by, err)) ||
        (st = find_col(o->attrs, name, o->intent_col, "intent column", &c->intent, err)))
        return st;
    return RT_OK;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Segment order: eligible customers descending, then text. */
typedef struct segkey {
    uint64_t n;
    const char *text;
    uint32_t id;
} segkey;

static int by_size(const void *a, const void *b)
{
    const segkey *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* Everything after the per-row pass: the records, levels, statistics and the result. */
typedef struct state {
    const rt_satisfaction_options *o;
    const rt_events *ev;
    rows w;
    const char **seg_text;
    size_t nseg;
    uint64_t count[ROW_OK + 1]; /* rows per state */
    uint64_t without_row;
    rec *rc;
    size_t n;
    double *levels;
    size_t nlev;
    lvl *lv;
    scratch sc;
    segkey *keys;
    rec *sorted;
} state;

static void state_free(state *s)
{
    rows_free(&s->w);
    rt_mem_free(NULL, (void *)s->seg_text);
    rt_mem_free(NULL, s->rc);
    rt_mem_free(NULL, s->levels);
    rt_mem_free(NULL, s->lv);
    rt_mem_free(NULL, s->sc.x);
    rt_mem_free(NULL, s->sc.y);
    rt_mem_free(NULL, s->sc.s);
    rt_mem_free(NULL, s->sc.r);
    rt_mem_free(NULL, s->keys);
    rt_mem_free(NULL, s->sorted);
}

/* Gather the eligible rows as records in row order and find the levels. -1 = out of memory. */
static int gather(state *s)
{
    const rows *w = &s->w;
    size_t n = (size_t)s->count[ROW_OK], m = n ? n : 1;
    s->rc = rt_mem_array(NULL, m, sizeof *s->rc);
    s->sc.x = rt_mem_array(NULL, m, sizeof *s->sc.x);
    s->sc.y = rt_mem_array(NULL, m, sizeof *s->sc.y);
    s->sc.s = rt_mem_array(NULL, m, sizeof *s->sc.s);
    s->sc.r = rt_mem_array(NULL, m, sizeof *s->sc.r);
    if (!s->rc || !s->sc.x || !s->sc.y || !s->sc.s || !s->sc.r)
        return -1;
    size_t k = 0;
    for (size_t r = 0; r < w->n; r++) {
        if (w->state[r] != ROW_OK)
            continue;
        s->rc[k] = (rec){.score = w->score[r],
                         .fut = (double)w->fut[r],
                         .spend = w->spend[r],
                         .retained = w->fut[r] > 0,
                         .seg = w->seg[r],
                         .intent = w->intent[r]};
        s->sc.x[k++] = w->score[r];
    }
    s->n = k;
    if (s->o->kind == RT_SCORE_NPS) {
        s->nlev = 3;
        for (size_t i = 0; i < k; i++)
            s->rc[i].level = s->rc[i].score <= 6 ? 0 : s->rc[i].score <= 8 ? 1 : 2;
    } else {
        qsort(s->sc.x, k, sizeof *s->sc.x, by_double);
        size_t nl = 0;
        for (size_t i = 0; i < k; i++)
            if (nl == 0 || s->sc.x[i] != s->sc.x[nl - 1])
                s->sc.x[nl++] = s->sc.x[i];
        s->levels = rt_mem_array(NULL, nl ? nl : 1, sizeof *s->levels);
        if (!s->levels)
            return -1;
        memcpy(s->levels, s->sc.x, nl * sizeof *s->levels);
        s->nlev = nl;
        for (size_t i = 0; i < k; i++) {
            const double *p = bsearch(&s->rc[i].score, s->levels, nl, sizeof *s->levels, by_double);
            s->rc[i].level = (uint32_t)(p - s->levels);
        }
    }
    s->lv = rt_mem_array(NULL, s->nlev, sizeof *s->lv);
    return s->lv ? 0 : -1;
}

/* The error when no row is eligible: how many fell out where. */
static rt_status none_eligible(const state *s, const char *name, rt_error *err)
{
    const uint64_t *c = s->count;
    char last[16], latest[16];
    int32_t last_day = rt_events_last_day(s->ev), h = s->o->horizon ? s->o->horizon : 365;
    rt_date_format(last_day, last);
    rt_date_format((int32_t)(last_day - h), latest);
    return rt_fail(err, RT_EDOMAIN, name, 0, 0,
                   "no eligible customers: of %zu rows, %llu have no score, %llu no survey date, "
                   "%llu no events, %llu first bought after the survey date, %llu are censored "
                   "(the data end on %s, so a %ld-day horizon needs a survey date on or before "
                   "%s)",
                   s->w.n, (unsigned long long)c[ROW_NO_SCORE], (unsigned long long)c[ROW_NO_DATE],
                   (unsigned long long)c[ROW_NO_EVENTS], (unsigned long long)c[ROW_AFTER],
                   (unsigned long long)c[ROW_CENSORED], last, (long)h, latest);
}

/* The per-segment tables. -1 = out of memory. */
static int add_segments(state *s, const ctx *x)
{
    size_t nseg = s->nseg;
    s->keys = rt_mem_calloc(NULL, nseg, sizeof *s->keys);
    s->sorted = rt_mem_array(NULL, s->n ? s->n : 1, sizeof *s->sorted);
    size_t *start = rt_mem_calloc(NULL, nseg + 1, sizeof *start);
    uint32_t *rank = rt_mem_array(NULL, nseg, sizeof *rank);
    int bad = !s->keys || !s->sorted || !start || !rank;
    if (!bad) {
        for (size_t v = 0; v < nseg; v++)
            s->keys[v] = (segkey){0, s->seg_text[v], (uint32_t)v};
        for (size_t i = 0; i < s->n; i++)
            s->keys[s->rc[i].seg].n++;
        qsort(s->keys, nseg, sizeof *s->keys, by_size);
        for (size_t v = 0; v < nseg; v++) {
            rank[s->keys[v].id] = (uint32_t)v;
            start[v + 1] = start[v] + s->keys[v].n;
        }
        /* counting sort by segment rank, stable: row order within a segment */
        for (size_t i = 0; i < s->n; i++)
            s->sorted[start[rank[s->rc[i].seg]]++] = s->rc[i];
        int ts = segment_table(x), tl = level_table(x, "segment_levels", 1);
        bad = ts < 0 || tl < 0 || rt_result_set_main(x->r, (size_t)tl) != 0;
        size_t b = 0;
        for (size_t v = 0; v < nseg && !bad && s->keys[v].n; v++) {
            gstats g;
            size_t len = (size_t)s->keys[v].n;
            bad = analyse(s->sorted + b, len, s->nlev, x->nps, x->has_amount, s->lv, &g, &s->sc) ||
                  add_segment_row(x, ts, s->keys[v].text, &g) ||
                  add_level_rows(x, tl, s->keys[v].text, s->lv);
            b += len;
        }
    }
    rt_mem_free(NULL, start);
    rt_mem_free(NULL, rank);
    return bad ? -1 : 0;
}

/* Build the result. -1 = out of memory. */
static int build(state *s, const char *name, rt_result **out)
{
    const rt_satisfaction_options *o = s->o;
    const rt_events *ev = s->ev;
    int32_t h = o->horizon ? o->horizon : 365, last_day = rt_events_last_day(ev);
    rt_result *r = rt_result_new(NULL, "satisfaction");
    if (!r)
        return -1;
    *out = r;
    ctx x = {.r = r,
             .nps = o->kind == RT_SCORE_NPS,
             .has_amount = rt_events_amounts(ev) != NULL,
             .levels = s->levels,
             .nlev = s->nlev};
    x.seg_col = col_name(o->by, "segment", NULL);
    x.level_col = x.nps ? "nps_group" : col_name(o->score_col, "level", x.seg_col);
    gstats g;
    if (analyse(s->rc, s->n, s->nlev, x.nps, x.has_amount, s->lv, &g, &s->sc) != 0)
        return -1;
    const uint64_t *c = s->count;
    int bad = 0;
    bad |= rt_result_add_string(r, "source", rt_events_source(ev));
    bad |= rt_result_add_string(r, "customer_table", name);
    bad |= rt_result_add_string(r, "score_column", o->score_col);
    bad |= rt_result_add_string(r, "score_kind", x.nps ? "nps" : "ordinal");
    bad |= o->has_as_of ? rt_result_add_date(r, "survey_date", o->as_of)
                        : rt_result_add_null(r, "survey_date");
    bad |= rt_result_add_string(r, "survey_date_column", o->date_col);
    bad |= rt_result_add_int(r, "horizon_days", h);
    bad |= rt_result_add_date(r, "last_date", last_day);
    bad |= rt_result_add_date(r, "latest_survey_date", (int32_t)(last_day - h));
    bad |= rt_result_add_int(r, "customers", (int64_t)rt_events_customers(ev));
    bad |= rt_result_add_int(r, "customers_without_row", (int64_t)s->without_row);
    bad |= rt_result_add_int(r, "rows", (int64_t)s->w.n);
    bad |= rt_result_add_int(r, "rows_without_score", (int64_t)c[ROW_NO_SCORE]);
    bad |= rt_result_add_int(r, "rows_without_survey_date", (int64_t)c[ROW_NO_DATE]);
    bad |= rt_result_add_int(r, "rows_without_events", (int64_t)c[ROW_NO_EVENTS]);
    bad |= rt_result_add_int(r, "first_purchase_after_survey", (int64_t)c[ROW_AFTER]);
    bad |= rt_result_add_int(r, "censored", (int64_t)c[ROW_CENSORED]);
    bad |= rt_result_add_int(r, "eligible", (int64_t)g.n);
    bad |= rt_result_add_int(r, "retained", (int64_t)g.retained);
    bad |= rt_result_add_double(r, "retention", (double)g.retained / (double)g.n, 4);
    bad |= rt_result_add_double(r, "mean_future_purchases", (double)g.purchases / (double)g.n, 3);
    if (x.has_amount)
        bad |=
            rt_result_add_double(r, "mean_future_spend", rt_ksum_value(&g.spend) / (double)g.n, 2);
    else
        bad |= rt_result_add_null(r, "mean_future_spend");
    bad |= rt_result_add_double(r, "spearman", g.rho.r, 4);
    bad |= rt_result_add_double(r, "spearman_lo", g.rho.lo, 4);
    bad |= rt_result_add_double(r, "spearman_hi", g.rho.hi, 4);
    if (x.has_amount) {
        bad |= rt_result_add_double(r, "spend_per_point", g.spp, 2);
        bad |= rt_result_add_double(r, "spend_per_point_se", g.spp_se, 2);
    } else {
        bad |= rt_result_add_null(r, "spend_per_point");
        bad |= rt_result_add_null(r, "spend_per_point_se");
    }
    bad |= rt_result_add_double(r, "retention_per_point", g.rpp, 4);
    bad |= rt_result_add_double(r, "retention_per_point_se", g.rpp_se, 4);
    if (x.nps) {
        bad |= rt_result_add_double(r, "nps", g.nps, 1);
        bad |= rt_result_add_double(r, "nps_lo", g.nps_lo, 1);
        bad |= rt_result_add_double(r, "nps_hi", g.nps_hi, 1);
    } else {
        bad |= rt_result_add_null(r, "nps");
        bad |= rt_result_add_null(r, "nps_lo");
        bad |= rt_result_add_null(r, "nps_hi");
    }
    /* intent: the 2x2 counts over eligible customers with an answer */
    uint64_t tab[2][2] = {{0, 0}, {0, 0}}, missing = 0;
    for (size_t i = 0; i < s->n && o->intent_col; i++) {
        if (s->rc[i].intent < 0)
            missing++;
        else
            tab[s->rc[i].intent][s->rc[i].fut > 0]++;
    }
    bad |= rt_result_add_string(r, "intent_column", o->intent_col);
    if (o->intent_col) {
        double n11 = (double)tab[1][1], n10 = (double)tab[1][0], n01 = (double)tab[0][1],
               n00 = (double)tab[0][0];
        double margins = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00);
        double phi = margins > 0 ? (n11 * n00 - n10 * n01) / sqrt(margins) : (double)NAN;
        bad |= rt_result_add_int(r, "intent_customers", (int64_t)(s->n - missing));
        bad |= rt_result_add_int(r, "intent_missing", (int64_t)missing);
        bad |= rt_result_add_double(r, "intent_phi", phi, 4);
    } else {
        bad |= rt_result_add_null(r, "intent_customers");
        bad |= rt_result_add_null(r, "intent_missing");
        bad |= rt_result_add_null(r, "intent_phi");
    }
    bad |= rt_result_add_string(r, "by", o->by);
    bad |= rt_result_add_string(r, "definitions", definitions);
    if (bad)
        return -1;
    int t = level_table(&x, "levels", 0);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0 || add_level_rows(&x, t, NULL, s->lv) != 0)
        return -1;
    if (o->by && add_segments(s, &x) != 0)
        return -1;
    if (o->intent_col && add_intent(&x, tab) != 0)
        return -1;
    return 0;
}

rt_status rt_satisfaction_run(const rt_events *ev, const rt_satisfaction_options *opt,
                              rt_result **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!ev || !opt || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_satisfaction_run: NULL argument");
    const char *name = opt->attrs_name ? opt->attrs_name : "customer table";
    colset c;
    rt_status st = check_options(opt, name, &c, err);
    if (st != RT_OK)
        return st;
    state s = {.o = opt, .ev = ev};
    rt_result *r = NULL;
    if (rows_alloc(&s.w, rt_attrs_rows(opt->attrs)) != 0)
        goto oom;
    st = parse_rows(opt, &c, name, &s.w, &s.seg_text, &s.nseg, err);
    if (st != RT_OK)
        goto done;
    job j = {.ev = ev,
             .attrs = opt->attrs,
             .last_day = rt_events_last_day(ev),
             .horizon = opt->horizon ? opt->horizon : 365,
             .w = &s.w};
    size_t nc = rt_events_customers(ev);
    j.threads = rt_thread_count(opt->threads);
    if ((size_t)j.threads > nc)
        j.threads = nc ? (int)nc : 1;
    rt_parallel(j.threads, run_part, &j);
    for (int k = 0; k < j.threads; k++)
        s.without_row += j.without_row[k];
    for (size_t i = 0; i < s.w.n; i++)
        s.count[s.w.state[i]]++;
    if (s.count[ROW_OK] == 0) {
        st = none_eligible(&s, name, err);
        goto done;
    }
    if (gather(&s) != 0 || build(&s, name, &r) != 0)
        goto oom;
    goto done;
oom:
    rt_result_free(r);
    r = NULL;
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
done:
    state_free(&s);
    *out = r;
    return st;
}
