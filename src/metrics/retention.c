/* retention.c - `retain retention`: customer retention rate per calendar period (DESIGN.md
 * 4.2) in one parallel pass over the customers' slices. Period p's S and E are read at the
 * boundaries k = p and k = p + 1 (boundary k is the day before period k starts). A customer is
 * active at a contiguous run of boundaries after each burst of purchases, so each run adds
 * +1/-1 to per-thread difference arrays indexed by boundary; prefix sums of the merged arrays
 * give S, E and the identity counts exactly, whatever the thread count.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* Days per year for annualized_churn: 365, so that a 365-day year period annualizes to its
 * own churn rate. */
#define YEAR_DAYS 365.0

/* Per-thread arrays cost 4 * 8 bytes per period; with very many periods (day periods over
 * centuries) fewer threads keep the total near this bound. */
#define PART_BYTES_MAX ((size_t)64 << 20)

/* The calendar grid the pass reads: 'nper' periods starting at start[0..nper-1], period p
 * being [start[p], start[p + 1]). */
typedef struct grid {
    size_t nper;
    const int32_t *start; /* nper + 1 entries */
    const uint32_t *pidx; /* pidx[x - start[0]] = period holding day x, x < start[nper] */
} grid;

/* One thread's counts, each array nper + 2 long (boundaries run 0..nper, plus one past). */
typedef struct part {
    int64_t *active; /* difference array: customers active at boundary k */
    int64_t *kept;   /* difference array: customers active at boundaries p and p + 1 */
    int64_t *born;   /* born[p]: customers whose first event is in period p (N) */
    int64_t *born_e; /* ... of whom active at boundary p + 1 (new and active at period end) */
} part;

typedef struct job {
    const rt_events *ev;
    const grid *g;
    int64_t window;
    int threads;
    part *parts;
} job;

/* The boundaries covered by the days [s, t] (s inside the grid): k_lo..k_hi, where boundary k
 * is the day start[k] - 1. Sets '*lo' > '*hi' when there is none. */
static void boundary_range(const grid *g, int64_t s, int64_t t, int64_t *lo, int64_t *hi)
{
    int32_t base = g->start[0];
    int64_t end = (int64_t)g->start[g->nper] - 1; /* the last boundary's day */
    if (t > end)
        t = end;
    uint32_t qs = g->pidx[s - base], qt = g->pidx[t - base];
    *lo = (int64_t)qs + 1; /* the end of s's period is the first boundary on or after s */
    *hi = (int64_t)qt + (t == (int64_t)g->start[qt + 1] - 1);
}

/* Customer state while walking its purchase days. */
typedef struct walk {
    int64_t run_lo, run_hi; /* pending run of active boundaries (run_lo < 0: none yet) */
    int seen_run;           /* a run has been found (the first decides born_e) */
    uint32_t born;          /* period of the first event */
} walk;

/* Add the boundary run [lo, hi] to the difference arrays: active at k = lo..hi, and kept
 * (active at both ends) over periods lo..hi-1. */
static void add_run(part *p, int64_t lo, int64_t hi)
{
    p->active[lo]++;
    p->active[hi + 1]--;
    p->kept[lo]++;
    p->kept[hi]--;
}

/* The customer was active on every day of [s, t] (a maximal interval): add the boundaries it
 * covers to the pending run, or flush the pending run when they do not touch it. */
static void add_days(part *p, const grid *g, walk *w, int64_t s, int64_t t)
{
    int64_t lo, hi;
    boundary_range(g, s, t, &lo, &hi);
    if (lo > hi)
        return;
    if (!w->seen_run) {
        w->seen_run = 1;
        /* A new customer is inactive at every boundary before its first event, so it is
         * active at the end of its first period exactly when its first run starts there. */
        if (lo == (int64_t)w->born + 1)
            p->born_e[w->born]++;
    }
    /* Intervals are separated by an inactive day, so runs never overlap; they may touch
     * (active at boundary k, lapsed within the period, active again at k + 1). */
    assert(w->run_lo < 0 || lo > w->run_hi);
    if (w->run_lo >= 0 && lo == w->run_hi + 1) {
        w->run_hi = hi;
        return;
    }
    if (w->run_lo >= 0)
        add_run(p, w->run_lo, w->run_hi);
    w->run_lo = lo;
    w->run_hi = hi;
}

/* Count customers [c0, c1) of thread 'k' into part 'k'. */
static void run_part(void *arg, int k)
{
    job *j = arg;
    const grid *g = j->g;
    part *p = &j->parts[k];
    size_t nc = rt_events_customers(j->ev);
    size_t c0 = nc * (size_t)k / (size_t)j->threads, c1 = nc * (size_t)(k + 1) / (size_t)j->threads;
    const uint64_t *off = rt_events_offsets(j->ev);
    const int32_t *day = rt_events_days(j->ev);
    int64_t W = j->window;
    for (size_t c = c0; c < c1; c++) {
        uint64_t lo = off[c], hi = off[c + 1];
        walk w = {.run_lo = -1, .run_hi = -1, .born = g->pidx[day[lo] - g->start[0]]};
        p->born[w.born]++;
        /* Active on day t iff an event in (t - W, t]: each purchase day e covers [e, e+W-1];
         * merge the covers of consecutive purchase days while they overlap or touch. */
        int64_t s = day[lo], t = s + W - 1;
        for (uint64_t i = lo + 1; i < hi; i++) {
            int64_t e = day[i];
            if (e <= t + 1) {
                t = e + W - 1;
                continue;
            }
            add_days(p, g, &w, s, t);
            s = e;
            t = e + W - 1;
        }
        add_days(p, g, &w, s, t);
        if (w.run_lo >= 0)
            add_run(p, w.run_lo, w.run_hi);
    }
}

/* ---- the result ---- */

static const char definitions[] =
    "active at day t = an event in (t - W, t], W = active_window days; per calendar period "
    "[a, b) (period_start = a, period_end = b - 1, inclusive): S = customers active at a - 1, "
    "E = active at b - 1, N = customers whose first event is in [a, b); crr = (E - N) / S, "
    "churn_rate = 1 - crr (null when S = 0; E - N counts returning lapsed customers and may be "
    "negative when new customers lapse within the period); retained = active at a - 1 and at "
    "b - 1; reactivated = active at b - 1, not at a - 1, first event before a; lost = active "
    "at a - 1, not at b - 1; so E = retained + reactivated + new customers active at b - 1; "
    "identity_retention = retained / S; full_history = 0 when a - first_date < W (S and E may "
    "then miss customers whose earlier events precede the data); periods run from the one "
    "holding first_date to the last one ending on or before last_date: a last period ending "
    "after last_date is omitted (omitted_period_start/end), since its E would count customers "
    "who may still buy before it ends as lapsed; days are UTC";

static const char annual_definitions[] =
    "days = b - a; daily_churn = 1 - crr^(1/days); annualized_churn = 1 - crr^(365/days) "
    "(churn over k periods = 1 - (1 - churn_rate)^k); both null when crr is null or negative";

/* The merged counts of period p, from the prefix sums. */
typedef struct row {
    int64_t S, E, N, retained, born_e;
} row;

static rt_value ival(int64_t v)
{
    return (rt_value){.type = RT_VAL_INT, .i = v};
}

/* A double cell, null when not finite. */
static rt_value dval(double v)
{
    return (rt_value){.type = isfinite(v) ? RT_VAL_DOUBLE : RT_VAL_NULL, .d = v};
}

/* Append period 'p' (counts 'x') to table 't'. */
static int add_row(rt_result *r, int t, const grid *g, size_t p, const row *x, int32_t first,
                   int64_t window, int annualize)
{
    int32_t a = g->start[p], b = g->start[p + 1];
    double crr = x->S > 0 ? (double)(x->E - x->N) / (double)x->S : (double)NAN;
    double idr = x->S > 0 ? (double)x->retained / (double)x->S : (double)NAN;
    rt_value cell[15] = {
        {.type = RT_VAL_DATE, .i = a},
        {.type = RT_VAL_DATE, .i = b - 1},
        ival(x->S),
        ival(x->N),
        ival(x->E),
        dval(crr),
        dval(1 - crr),
        ival(x->retained),
        ival(x->E - x->retained - x->born_e),
        ival(x->S - x->retained),
        dval(idr),
        ival((int64_t)a - first >= window),
    };
    if (annualize) {
        double days = (double)b - a;
        int ok = crr >= 0; /* false for NaN too */
        cell[12] = ival((int64_t)b - a);
        cell[13] = dval(ok ? 1 - pow(crr, 1 / days) : (double)NAN);
        cell[14] = dval(ok ? 1 - pow(crr, YEAR_DAYS / days) : (double)NAN);
    }
    return rt_result_table_add_row(r, (size_t)t, cell);
}

/* Build the result from the merged part 'm' (prefix sums taken here). */
static int build(rt_result *r, const rt_events *ev, const grid *g, part *m, int32_t first,
                 int32_t last, const rt_retention_options *opt, int64_t window)
{
    size_t n = g->nper;
    /* The last period is complete when it ends on the data's last day. */
    size_t rows = (int64_t)g->start[n] - 1 > last ? n - 1 : n;
    static const char *const cols[] = {"period_start",
                                       "period_end",
                                       "S",
                                       "N",
                                       "E",
                                       "crr",
                                       "churn_rate",
                                       "retained",
                                       "reactivated",
                                       "lost",
                                       "identity_retention",
                                       "full_history",
                                       "days",
                                       "daily_churn",
                                       "annualized_churn"};
    static const int dec[] = {0, 0, 0, 0, 0, 4, 4, 0, 0, 0, 4, 0, 0, 6, 4};
    int bad = 0, short_history = 0;
    for (size_t p = 0; p < rows; p++)
        short_history += (int64_t)g->start[p] - first < window;
    bad |= rt_result_add_string(r, "source", rt_events_source(ev));
    bad |= rt_result_add_string(r, "period", rt_period_name(opt->period));
    bad |= rt_result_add_int(r, "active_window", window);
    bad |= rt_result_add_int(r, "customers", (int64_t)rt_events_customers(ev));
    bad |= rt_result_add_int(r, "events", (int64_t)rt_events_count(ev));
    bad |= rt_result_add_date(r, "first_date", first);
    bad |= rt_result_add_date(r, "last_date", last);
    bad |= rt_result_add_int(r, "periods", (int64_t)rows);
    bad |= rt_result_add_int(r, "periods_without_full_history", short_history);
    if (rows < n) {
        bad |= rt_result_add_date(r, "omitted_period_start", g->start[n - 1]);
        bad |= rt_result_add_date(r, "omitted_period_end", g->start[n] - 1);
    } else {
        bad |= rt_result_add_null(r, "omitted_period_start");
        bad |= rt_result_add_null(r, "omitted_period_end");
    }
    bad |= rt_result_add_string(r, "definitions", definitions);
    if (opt->annualize)
        bad |= rt_result_add_string(r, "annualized_definitions", annual_definitions);
    if (bad)
        return -1;
    int t = rt_result_add_table(r, "retention", opt->annualize ? 15 : 12, cols, dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    int64_t act = 0, kept = 0;
    for (size_t p = 0; p < rows; p++) {
        act += m->active[p];
        kept += m->kept[p];
        row x = {.S = act,
                 .E = act + m->active[p + 1],
                 .N = m->born[p],
                 .retained = kept,
                 .born_e = m->born_e[p]};
        if (add_row(r, t, g, p, &x, first, window, opt->annualize) != 0)
            return -1;
    }
    return 0;
}

/* ---- setup ---- */

/* Fill the grid: the periods from the one holding 'first' to the one holding 'last', and the
 * day -> period table. Returns 0, or -1 when out of memory or the span is too large. */
static int make_grid(grid *g, rt_period per, int32_t first, int32_t last, int32_t **start,
                     uint32_t **pidx)
{
    int32_t n = rt_period_diff(per, first, last) + 1;
    int32_t a0 = rt_period_floor(per, first);
    *start = rt_mem_array(NULL, (size_t)n + 1, sizeof **start);
    if (!*start)
        return -1;
    for (int32_t p = 0; p <= n; p++)
        (*start)[p] = rt_period_add(per, a0, p);
    size_t span = (size_t)((int64_t)(*start)[n] - a0);
    *pidx = rt_mem_array(NULL, span, sizeof **pidx);
    if (!*pidx)
        return -1;
    for (int32_t p = 0; p < n; p++)
        for (int64_t x = (*start)[p]; x < (*start)[p + 1]; x++)
            (*pidx)[x - a0] = (uint32_t)p;
    g->nper = (size_t)n;
    g->start = *start;
    g->pidx = *pidx;
    return 0;
}

static void free_parts(part *parts, int threads)
{
    for (int k = 0; k < threads; k++)
        rt_mem_free(NULL, parts[k].active);
}

/* One zeroed block per thread holding its four arrays. */
static int alloc_parts(part *parts, int threads, size_t nper)
{
    size_t len = nper + 2;
    for (int k = 0; k < threads; k++) {
        int64_t *b = rt_mem_calloc(NULL, 4 * len, sizeof *b);
        if (!b)
            return -1;
        parts[k] = (part){b, b + len, b + 2 * len, b + 3 * len};
    }
    return 0;
}

static void merge_parts(part *parts, int threads, size_t nper)
{
    part *m = &parts[0];
    for (int k = 1; k < threads; k++)
        for (size_t i = 0; i < 4 * (nper + 2); i++)
            m->active[i] += parts[k].active[i]; /* the four arrays are one block */
}

rt_status rt_retention_run(const rt_events *ev, const rt_retention_options *opt, rt_result **out,
                           rt_error *err)
{
    rt_retention_options defaults = {0};
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_retention_run: NULL argument");
    if (!opt)
        opt = &defaults;
    if ((unsigned)opt->period > (unsigned)RT_PERIOD_DAY)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "retention: unknown period %d",
                       (int)opt->period);
    if (opt->active_window < 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "retention: the active window must be a positive number of days, got %ld",
                       (long)opt->active_window);
    int64_t window = opt->active_window ? opt->active_window : 90;
    size_t nc = rt_events_customers(ev);
    int32_t first = rt_events_first_day(ev), last = rt_events_last_day(ev);
    if (nc == 0) /* rt_events_read never makes an empty table */
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "retention: no events");
    grid g = {0};
    int32_t *start = NULL;
    uint32_t *pidx = NULL;
    part parts[64];
    memset(parts, 0, sizeof parts);
    rt_result *r = NULL;
    rt_status st = RT_OK;
    int threads = rt_thread_count(opt->threads);
    if ((size_t)threads > nc)
        threads = (int)nc;
    if (make_grid(&g, opt->period, first, last, &start, &pidx) != 0)
        goto oom;
    size_t per_thread = 4 * sizeof(int64_t) * (g.nper + 2);
    if ((size_t)threads * per_thread > PART_BYTES_MAX)
        threads = per_thread >= PART_BYTES_MAX ? 1 : (int)(PART_BYTES_MAX / per_thread);
    if (alloc_parts(parts, threads, g.nper) != 0)
        goto oom;
    job j = {.ev = ev, .g = &g, .window = window, .threads = threads, .parts = parts};
    rt_parallel(threads, run_part, &j);
    merge_parts(parts, threads, g.nper);
    r = rt_result_new(NULL, "retention");
    if (!r)
        goto oom;
    if (build(r, ev, &g, &parts[0], first, last, opt, window) != 0)
        goto oom;
    goto done;
oom:
    rt_result_free(r);
    r = NULL;
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
done:
    free_parts(parts, threads);
    rt_mem_free(NULL, start);
    rt_mem_free(NULL, pidx);
    *out = r;
    return st;
}
