/* rfm.c - `retain rfm`: recency, frequency and monetary scores 1-5 by quintile, and named
 * segments (DESIGN.md 4.5). One parallel pass over the customers' slices gives each
 * customer's raw values; the quintile cut points come from one counting sort (recency,
 * frequency) or radix sort (monetary) per dimension; a second parallel pass scores and
 * segments. A score depends only on how many customers have a strictly smaller value, so
 * equal values always get equal scores and nothing depends on row order or thread count.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/result.h"
#include "retain.h"

#include <math.h>
#include <string.h>

/* ---- rule sets ---- */

/* The R rfm package's segment table, reproduced exactly and in its order. Source: the
 * rfm_segment() examples (R/rfm-segment.R) and the vignettes of rsquaredacademy/rfm
 * (vignettes/rfm-customer-level-data.Rmd, chunk "criteria"; on CRAN as
 * https://cran.r-project.org/web/packages/rfm/vignettes/rfm-customer-level-data.html):
 *   segment_names   Champions, Loyal Customers, Potential Loyalist, New Customers, Promising,
 *                   Need Attention, About To Sleep, At Risk, Can't Lose Them, Lost
 *   recency_lower   4 2 3 4 3 2 2 1 1 1     recency_upper   5 5 5 5 4 3 3 2 1 2
 *   frequency_lower 4 3 1 1 1 2 1 2 4 1     frequency_upper 5 5 3 1 1 3 2 5 5 2
 *   monetary_lower  = frequency_lower       monetary_upper  = frequency_upper
 * rfm_segment() gives each customer the first segment whose bounds hold all three scores
 * and "Others" when none does. As in R, the order shadows some rules: Potential Loyalist
 * (r 3-5, f 1-3, m 1-3) catches every New Customers and Promising score, and At Risk
 * (r 1-2, f 2-5, m 2-5) every Can't Lose Them score. */
static const rt_rfm_rule rules_rfm[] = {
    {"Champions", 4, 5, 4, 5, 4, 5},          {"Loyal Customers", 2, 5, 3, 5, 3, 5},
    {"Potential Loyalist", 3, 5, 1, 3, 1, 3}, {"New Customers", 4, 5, 1, 1, 1, 1},
    {"Promising", 3, 4, 1, 1, 1, 1},          {"Need Attention", 2, 3, 2, 3, 2, 3},
    {"About To Sleep", 2, 3, 1, 2, 1, 2},     {"At Risk", 1, 2, 2, 5, 2, 5},
    {"Can't Lose Them", 1, 1, 4, 5, 4, 5},    {"Lost", 1, 2, 1, 2, 1, 2},
};

/* The common recency x frequency grid (m is not used): the 5 x 5 (r, f) squares split into
 * ten segments, each square in exactly one, as in the widely used regex map
 * {[1-2][1-2]: hibernating, [1-2][3-4]: at_risk, [1-2]5: cant_loose, 3[1-2]: about_to_sleep,
 * 33: need_attention, [3-4][4-5]: loyal_customers, 41: promising, 51: new_customers,
 * [4-5][2-3]: potential_loyalists, 5[4-5]: champions} keyed by the string r f. */
static const rt_rfm_rule rules_rf_grid[] = {
    {"Hibernating", 1, 2, 1, 2, 1, 5},         {"At Risk", 1, 2, 3, 4, 1, 5},
    {"Can't Lose Them", 1, 2, 5, 5, 1, 5},     {"About To Sleep", 3, 3, 1, 2, 1, 5},
    {"Need Attention", 3, 3, 3, 3, 1, 5},      {"Loyal Customers", 3, 4, 4, 5, 1, 5},
    {"Promising", 4, 4, 1, 1, 1, 5},           {"New Customers", 5, 5, 1, 1, 1, 5},
    {"Potential Loyalists", 4, 5, 2, 3, 1, 5}, {"Champions", 5, 5, 4, 5, 1, 5},
};

#define OTHERS "Others"
#define NO_SCORE 255 /* code of a customer with no event on or before the as-of date */

static const char tie_rule[] =
    "score = 1 + floor(5 * k / n), where n = customers scored and k = customers with a "
    "strictly smaller value (for r: a strictly larger recency_days, so 5 = most recent); "
    "equal values always get equal scores, and a run of equal values that crosses a quintile "
    "edge takes the score of the quintile where it starts (its lowest rank), so a score can "
    "be empty; cut points: f_cut_k and m_cut_k = the smallest value with score k, r_cut_k = "
    "the largest recency_days with score k (null when no customer has score k)";

static const char definitions[] =
    "recency_days = as_of - the customer's last purchase day; frequency = purchase days "
    "(distinct days with an event) on or before as_of; monetary = net spend on or before "
    "as_of (refunds netted by the loader) / frequency; events after as_of are ignored and "
    "customers with no event on or before as_of are left out (customers_after_as_of); "
    "score = 100 r + 10 f + m; segment = the first rule whose r, f and m ranges all hold the "
    "customer's scores, Others when none does; summary: share = customers / customers "
    "scored, revenue = net spend, revenue_share = revenue / total revenue, means over the "
    "segment's customers; days are UTC";

/* ---- per-thread state ---- */

/* Totals of one segment. */
typedef struct seg_total {
    uint64_t customers;
    int64_t recency, frequency; /* sums (exact) */
    rt_ksum revenue, monetary;
} seg_total;

typedef struct part {
    /* pass 1 */
    uint64_t events, events_late, excluded;
    int32_t rmin, rmax;
    uint32_t fmax;
    rt_ksum revenue;
    size_t nonfinite; /* first customer whose spend is not finite + 1; 0 = none */
    /* pass 2 */
    uint64_t count[3][5]; /* customers per dimension and score */
    int32_t rcut[5];      /* largest recency_days per r */
    uint32_t fcut[5];     /* smallest frequency per f */
    double mcut[5];       /* smallest monetary per m */
    seg_total *seg;       /* nseg entries */
} part;

typedef struct job {
    const rt_events *ev;
    int threads;
    int32_t as_of;
    /* per customer: */
    int32_t *recency;
    uint32_t *frequency;
    double *monetary, *spend;
    unsigned char *code; /* (r-1)*25 + (f-1)*5 + (m-1), or NO_SCORE */
    /* thresholds, q = 0..3: r > q + 1 iff recency < rthr[q], f > q + 1 iff frequency >
     * fthr[q], m > q + 1 iff monetary > mthr[q] */
    int32_t rthr[4];
    uint32_t fthr[4];
    double mthr[4];
    const uint16_t *seg_of; /* 125 entries: code -> segment */
    size_t nseg;
    part *parts;
} job;

/* The customers [c0, c1) of part 'k' out of 'threads'. */
static void slice(size_t nc, int k, int threads, size_t *c0, size_t *c1)
{
    *c0 = nc * (size_t)k / (size_t)threads;
    *c1 = nc * (size_t)(k + 1) / (size_t)threads;
}

/* Pass 1: each customer's recency, purchase days and spend from the events on or before
 * the as-of date (a customer's rows are sorted by day, so the later ones are a suffix). */
static void raw_part(void *arg, int k)
{
    job *j = arg;
    part *p = &j->parts[k];
    const uint64_t *off = rt_events_offsets(j->ev);
    const int32_t *day = rt_events_days(j->ev);
    const double *amt = rt_events_amounts(j->ev);
    size_t c0, c1;
    slice(rt_events_customers(j->ev), k, j->threads, &c0, &c1);
    p->rmin = INT32_MAX;
    p->rmax = INT32_MIN;
    for (size_t c = c0; c < c1; c++) {
        uint64_t lo = off[c], hi = off[c + 1], end = hi;
        while (end > lo && day[end - 1] > j->as_of)
            end--;
        p->events_late += hi - end;
        if (end == lo) {
            p->excluded++;
            j->code[c] = NO_SCORE;
            continue;
        }
        p->events += end - lo;
        uint32_t days = 1;
        rt_ksum spend = {0, 0};
        rt_ksum_add(&spend, amt[lo]);
        for (uint64_t i = lo + 1; i < end; i++) {
            days += day[i] != day[i - 1];
            rt_ksum_add(&spend, amt[i]);
        }
        double s = rt_ksum_value(&spend);
        int32_t rec = (int32_t)((int64_t)j->as_of - day[end - 1]);
        j->recency[c] = rec;
        j->frequency[c] = days;
        j->spend[c] = s;
        /* + 0.0 turns -0.0 into +0.0, so the radix keys see one zero (the compensated sum
         * already gives +0.0; this keeps the keys' invariant whatever the sum does). */
        j->monetary[c] = s / days + 0.0;
        j->code[c] = 0;
        if (!isfinite(s) && !p->nonfinite)
            p->nonfinite = c + 1;
        rt_ksum_add(&p->revenue, s);
        if (rec < p->rmin)
            p->rmin = rec;
        if (rec > p->rmax)
            p->rmax = rec;
        if (days > p->fmax)
            p->fmax = days;
    }
}

/* Pass 2: scores, segment totals and per-score extremes (the cut points). */
static void score_part(void *arg, int k)
{
    job *j = arg;
    part *p = &j->parts[k];
    size_t c0, c1;
    slice(rt_events_customers(j->ev), k, j->threads, &c0, &c1);
    for (int s = 0; s < 5; s++) {
        p->rcut[s] = INT32_MIN;
        p->fcut[s] = UINT32_MAX;
        p->mcut[s] = (double)INFINITY;
    }
    for (size_t c = c0; c < c1; c++) {
        if (j->code[c] == NO_SCORE)
            continue;
        int32_t rec = j->recency[c];
        uint32_t fr = j->frequency[c];
        double mo = j->monetary[c];
        int r = 0, f = 0, m = 0; /* score - 1 */
        for (int q = 0; q < 4; q++) {
            r += rec < j->rthr[q];
            f += fr > j->fthr[q];
            m += mo > j->mthr[q];
        }
        j->code[c] = (unsigned char)(r * 25 + f * 5 + m);
        p->count[0][r]++;
        p->count[1][f]++;
        p->count[2][m]++;
        if (rec > p->rcut[r])
            p->rcut[r] = rec;
        if (fr < p->fcut[f])
            p->fcut[f] = fr;
        if (mo < p->mcut[m])
            p->mcut[m] = mo;
        seg_total *t = &p->seg[j->seg_of[j->code[c]]];
        t->customers++;
        t->recency += rec;
        t->frequency += fr;
        rt_ksum_add(&t->revenue, j->spend[c]);
        rt_ksum_add(&t->monetary, mo);
    }
}

/* ---- cut points ---- */

/* q_k = ceil(k n / 5), k = 1..4: a value gets a score above k exactly when at least q_k
 * customers have a strictly smaller value, i.e. when it is larger than the value of rank
 * q_k - 1 (0-based) in ascending order. */
static void quintile_ranks(size_t n, size_t q[4])
{
    for (int k = 1; k <= 4; k++)
        q[k - 1] = ((size_t)k * n + 4) / 5 - 1;
}

/* The values at ascending ranks 'rank[0..3]' (non-decreasing) of the integers whose
 * histogram over [base, base + len) is 'h'. */
static void hist_ranks(const uint32_t *h, size_t len, int64_t base, const size_t rank[4],
                       int64_t out[4])
{
    size_t seen = 0, v = 0;
    for (int q = 0; q < 4; q++) {
        while (v < len && seen + h[v] <= rank[q])
            seen += h[v++];
        out[q] = base + (int64_t)v;
    }
}

/* An unsigned key with the order of the double 'd' (no NaN; -0.0 already made +0.0). */
static uint64_t order_key(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static double key_value(uint64_t u)
{
    u = u >> 63 ? u & ~(UINT64_C(1) << 63) : ~u;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Sort the 'n' keys in 'a' (with scratch 'b' of the same size) by LSD radix, 11 bits a
 * pass; a pass where every key has the same digit is skipped. Returns the sorted array. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *b, size_t n, size_t *hist)
{
    enum { BITS = 11, BUCKETS = 1 << BITS };
    for (int shift = 0; shift < 64; shift += BITS) {
        memset(hist, 0, BUCKETS * sizeof *hist);
        for (size_t i = 0; i < n; i++)
            hist[(a[i] >> shift) & (BUCKETS - 1)]++;
        if (hist[(a[0] >> shift) & (BUCKETS - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < BUCKETS; d++) {
            size_t t = hist[d];
            hist[d] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++)
            b[hist[(a[i] >> shift) & (BUCKETS - 1)]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    return a;
}

/* Fill the thresholds of 'j' from the 'n' scored customers: counting sorts of recency
 * (over [rmin, rmax]) and frequency (over [1, fmax]), a radix sort of monetary. Returns 0,
 * or -1 when out of memory. */
static int thresholds(job *j, size_t n, int32_t rmin, int32_t rmax, uint32_t fmax)
{
    size_t nc = rt_events_customers(j->ev), rank[4];
    quintile_ranks(n, rank);
    size_t rlen = (size_t)((int64_t)rmax - rmin + 1), flen = (size_t)fmax + 1;
    uint32_t *rh = rt_mem_calloc(NULL, rlen, sizeof *rh),
             *fh = rt_mem_calloc(NULL, flen, sizeof *fh);
    uint64_t *ka = rt_mem_array(NULL, n, sizeof *ka), *kb = rt_mem_array(NULL, n, sizeof *kb);
    size_t *hist = rt_mem_array(NULL, (size_t)1 << 11, sizeof *hist);
    int bad = !rh || !fh || !ka || !kb || !hist;
    if (!bad) {
        size_t m = 0;
        for (size_t c = 0; c < nc; c++) {
            if (j->code[c] == NO_SCORE)
                continue;
            rh[j->recency[c] - rmin]++;
            fh[j->frequency[c]]++;
            ka[m++] = order_key(j->monetary[c]);
        }
        /* r: a value of descending rank q_k - 1 is the value of ascending rank n - q_k. */
        size_t rdesc[4];
        for (int q = 0; q < 4; q++)
            rdesc[q] = n - 1 - rank[3 - q];
        int64_t v[4];
        hist_ranks(rh, rlen, rmin, rdesc, v);
        for (int q = 0; q < 4; q++)
            j->rthr[q] = (int32_t)v[3 - q];
        hist_ranks(fh, flen, 0, rank, v);
        for (int q = 0; q < 4; q++)
            j->fthr[q] = (uint32_t)v[q];
        const uint64_t *s = radix_sort(ka, kb, n, hist);
        for (int q = 0; q < 4; q++)
            j->mthr[q] = key_value(s[rank[q]]);
    }
    rt_mem_free(NULL, rh);
    rt_mem_free(NULL, fh);
    rt_mem_free(NULL, ka);
    rt_mem_free(NULL, kb);
    rt_mem_free(NULL, hist);
    return bad ? -1 : 0;
}

/* ---- segments ---- */

/* Does rule 'r' hold the scores 'rs', 'fs', 'ms' (1-5)? */
static int rule_holds(const rt_rfm_rule *r, int rs, int fs, int ms)
{
    return rs >= r->r_lo && rs <= r->r_hi && fs >= r->f_lo && fs <= r->f_hi && ms >= r->m_lo &&
           ms <= r->m_hi;
}

/* Check the rules: a name, and bounds 1 <= lo <= hi <= 5 on each score. */
static rt_status check_rules(const rt_rfm_rule *rules, size_t n, rt_error *err)
{
    if (!rules || n == 0)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_run: custom rule set without rules");
    for (size_t i = 0; i < n; i++) {
        const rt_rfm_rule *r = &rules[i];
        int lo[3] = {r->r_lo, r->f_lo, r->m_lo}, hi[3] = {r->r_hi, r->f_hi, r->m_hi};
        if (!r->segment || !r->segment[0])
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_run: rule %zu has no segment name",
                           i + 1);
        for (int d = 0; d < 3; d++)
            if (lo[d] < 1 || hi[d] > 5 || lo[d] > hi[d])
                return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                               "rt_rfm_run: rule %zu (%s): %c range %d-%d is not within 1-5", i + 1,
                               r->segment, "rfm"[d], lo[d], hi[d]);
    }
    return RT_OK;
}

/* The segment names: each rule's name once, in order of first appearance, then "Others"
 * unless a rule already has that name; 'seg_of' maps each score code to its segment. 'names'
 * holds nrules + 1 entries. Returns the number of segments. */
static size_t map_segments(const rt_rfm_rule *rules, size_t nrules, const char **names,
                           uint16_t *seg_of, size_t *rule_seg)
{
    size_t nseg = 0;
    for (size_t i = 0; i < nrules; i++) {
        size_t s = 0;
        while (s < nseg && strcmp(names[s], rules[i].segment) != 0)
            s++;
        if (s == nseg)
            names[nseg++] = rules[i].segment;
        rule_seg[i] = s;
    }
    size_t others = 0;
    while (others < nseg && strcmp(names[others], OTHERS) != 0)
        others++;
    if (others == nseg)
        names[nseg++] = OTHERS;
    for (int code = 0; code < 125; code++) {
        int rs = code / 25 + 1, fs = code / 5 % 5 + 1, ms = code % 5 + 1;
        size_t s = others;
        for (size_t i = 0; i < nrules; i++)
            if (rule_holds(&rules[i], rs, fs, ms)) {
                s = rule_seg[i];
                break;
            }
        seg_of[code] = (uint16_t)s;
    }
    return nseg;
}

/* ---- the result ---- */

/* Merge the per-thread scoring state into part 0. */
static void merge_scores(job *j)
{
    part *m = &j->parts[0];
    for (int k = 1; k < j->threads; k++) {
        part *p = &j->parts[k];
        for (int s = 0; s < 5; s++) {
            for (int d = 0; d < 3; d++)
                m->count[d][s] += p->count[d][s];
            if (p->rcut[s] > m->rcut[s])
                m->rcut[s] = p->rcut[s];
            if (p->fcut[s] < m->fcut[s])
                m->fcut[s] = p->fcut[s];
            if (p->mcut[s] < m->mcut[s])
                m->mcut[s] = p->mcut[s];
        }
        for (size_t s = 0; s < j->nseg; s++) {
            seg_total *a = &m->seg[s], *b = &p->seg[s];
            a->customers += b->customers;
            a->recency += b->recency;
            a->frequency += b->frequency;
            rt_ksum_merge(&a->revenue, &b->revenue);
            rt_ksum_merge(&a->monetary, &b->monetary);
        }
    }
}

/* The cut-point fields r_cut_1..5, f_cut_1..5, m_cut_1..5 (null for an empty score). */
static int add_cuts(rt_result *r, const part *m)
{
    int bad = 0;
    char name[24]; /* "r_cut_" and an int: room for any int, so no truncation warning */
    for (int d = 0; d < 3; d++)
        for (int s = 0; s < 5; s++) {
            snprintf(name, sizeof name, "%c_cut_%d", "rfm"[d], s + 1);
            if (m->count[d][s] == 0)
                bad |= rt_result_add_null(r, name);
            else if (d == 0)
                bad |= rt_result_add_int(r, name, m->rcut[s]);
            else if (d == 1)
                bad |= rt_result_add_int(r, name, m->fcut[s]);
            else
                bad |= rt_result_add_double(r, name, m->mcut[s], 2);
        }
    return bad;
}

/* The table of the rules used. */
static int add_rules_table(rt_result *r, const rt_rfm_rule *rules, size_t n)
{
    static const char *const cols[] = {"segment", "r_lo", "r_hi", "f_lo", "f_hi", "m_lo", "m_hi"};
    int t = rt_result_add_table(r, "rules", 7, cols, NULL);
    if (t < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const rt_rfm_rule *u = &rules[i];
        int v[6] = {u->r_lo, u->r_hi, u->f_lo, u->f_hi, u->m_lo, u->m_hi};
        rt_value cell[7] = {{.type = RT_VAL_STRING, .s = u->segment}};
        for (int c = 0; c < 6; c++)
            cell[c + 1] = (rt_value){.type = RT_VAL_INT, .i = v[c]};
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* The per-segment table (the main table with 'summary'). */
static int add_segments_table(rt_result *r, const job *j, const char *const *names, double revenue,
                              size_t n)
{
    static const char *const cols[] = {"segment",        "customers",     "share",
                                       "revenue",        "revenue_share", "mean_recency_days",
                                       "mean_frequency", "mean_monetary"};
    static const int dec[] = {RT_DECIMALS_AUTO, 0, 4, 2, 4, 1, 2, 2};
    int t = rt_result_add_table(r, "segments", 8, cols, dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    for (size_t s = 0; s < j->nseg; s++) {
        const seg_total *g = &j->parts[0].seg[s];
        double k = (double)g->customers, rev = rt_ksum_value(&g->revenue);
        rt_value cell[8] = {
            {.type = RT_VAL_STRING, .s = names[s]},
            {.type = RT_VAL_INT, .i = (int64_t)g->customers},
            {.type = RT_VAL_DOUBLE, .d = k / (double)n},
            {.type = RT_VAL_DOUBLE, .d = rev},
            {.type = RT_VAL_DOUBLE, .d = rev / revenue},
            {.type = RT_VAL_DOUBLE, .d = (double)g->recency / k},
            {.type = RT_VAL_DOUBLE, .d = (double)g->frequency / k},
            {.type = RT_VAL_DOUBLE, .d = rt_ksum_value(&g->monetary) / k},
        };
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* The per-customer table, in customer order (first appearance in the input). */
static int add_scores_table(rt_result *r, const job *j, const char *const *names)
{
    static const char *const cols[] = {
        "customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "score", "segment"};
    static const int dec[] = {RT_DECIMALS_AUTO, 0, 0, 2, 0, 0, 0, 0, RT_DECIMALS_AUTO};
    int t = rt_result_add_table(r, "scores", 9, cols, dec);
    if (t < 0 || rt_result_set_main(r, (size_t)t) != 0)
        return -1;
    size_t nc = rt_events_customers(j->ev);
    rt_value cell[9];
    for (int c = 0; c < 9; c++)
        cell[c] = (rt_value){.type = RT_VAL_INT};
    cell[0].type = cell[8].type = RT_VAL_STRING;
    cell[3].type = RT_VAL_DOUBLE;
    for (size_t c = 0; c < nc; c++) {
        int code = j->code[c];
        if (code == NO_SCORE)
            continue;
        int rs = code / 25 + 1, fs = code / 5 % 5 + 1, ms = code % 5 + 1;
        cell[0].s = rt_events_string(j->ev, RT_FIELD_CUSTOMER, (uint32_t)c, NULL);
        cell[1].i = j->recency[c];
        cell[2].i = j->frequency[c];
        cell[3].d = j->monetary[c];
        cell[4].i = rs;
        cell[5].i = fs;
        cell[6].i = ms;
        cell[7].i = 100 * rs + 10 * fs + ms;
        cell[8].s = names[j->seg_of[code]];
        if (rt_result_table_add_row(r, (size_t)t, cell) != 0)
            return -1;
    }
    return 0;
}

/* Build the result from the merged state. */
static int build(rt_result *r, job *j, const rt_rfm_options *opt, const rt_rfm_rule *rules,
                 size_t nrules, const char *const *names, size_t n)
{
    part *m = &j->parts[0];
    static const char *const setname[] = {"rfm", "rf-grid", "custom"};
    double revenue = rt_ksum_value(&m->revenue);
    int bad = 0;
    bad |= rt_result_add_string(r, "source", rt_events_source(j->ev));
    bad |= rt_result_add_date(r, "as_of", j->as_of);
    bad |= rt_result_add_string(r, "as_of_rule",
                                opt->has_as_of ? "given" : "the day after the last event");
    bad |= rt_result_add_int(r, "events", (int64_t)m->events);
    bad |= rt_result_add_int(r, "events_after_as_of", (int64_t)m->events_late);
    bad |= rt_result_add_int(r, "customers", (int64_t)n);
    bad |= rt_result_add_int(r, "customers_after_as_of", (int64_t)m->excluded);
    bad |= rt_result_add_double(r, "revenue", revenue, 2);
    bad |= rt_result_add_string(r, "ruleset", setname[opt->ruleset]);
    bad |= add_cuts(r, m);
    bad |= rt_result_add_string(r, "tie_rule", tie_rule);
    bad |= rt_result_add_string(r, "definitions", definitions);
    if (bad || add_rules_table(r, rules, nrules) != 0)
        return -1;
    if (opt->summary)
        return add_segments_table(r, j, names, revenue, n);
    return add_scores_table(r, j, names);
}

/* Merge pass 1 into part 0. */
static void merge_raw(job *j)
{
    part *m = &j->parts[0];
    for (int k = 1; k < j->threads; k++) {
        part *p = &j->parts[k];
        m->events += p->events;
        m->events_late += p->events_late;
        m->excluded += p->excluded;
        if (p->rmin < m->rmin)
            m->rmin = p->rmin;
        if (p->rmax > m->rmax)
            m->rmax = p->rmax;
        if (p->fmax > m->fmax)
            m->fmax = p->fmax;
        rt_ksum_merge(&m->revenue, &p->revenue);
        if (p->nonfinite && !m->nonfinite)
            m->nonfinite = p->nonfinite;
    }
}

/* Check the options and pick the rule set. */
static rt_status pick_rules(const rt_rfm_options *opt, const rt_rfm_rule **rules, size_t *n,
                            rt_error *err)
{
    switch (opt->ruleset) {
    case RT_RFM_RULES_RFM:
        *rules = rules_rfm;
        *n = sizeof rules_rfm / sizeof rules_rfm[0];
        return RT_OK;
    case RT_RFM_RULES_RF_GRID:
        *rules = rules_rf_grid;
        *n = sizeof rules_rf_grid / sizeof rules_rf_grid[0];
        return RT_OK;
    case RT_RFM_RULES_CUSTOM:
        if (opt->nrules > UINT16_MAX - 1)
            return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_run: more than %d rules",
                           UINT16_MAX - 1);
        *rules = opt->rules;
        *n = opt->nrules;
        return check_rules(opt->rules, opt->nrules, err);
    }
    return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_run: unknown rule set %d",
                   (int)opt->ruleset);
}

/* The day after the last event of the log. */
static int32_t day_after_last(const rt_events *ev)
{
    return rt_events_last_day(ev) + 1;
}

rt_status rt_rfm_run(const rt_events *ev, const rt_rfm_options *opt, rt_result **out, rt_error *err)
{
    rt_rfm_options defaults = {0};
    if (out)
        *out = NULL;
    if (!ev || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_rfm_run: NULL argument");
    if (!opt)
        opt = &defaults;
    const rt_rfm_rule *rules = NULL;
    size_t nrules = 0;
    rt_status st = pick_rules(opt, &rules, &nrules, err);
    if (st != RT_OK)
        return st;
    if (!rt_events_amounts(ev))
        return rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                       "rfm needs an amount column for monetary (none found; name it with "
                       "--amount COL)");
    size_t nc = rt_events_customers(ev);
    job j = {.ev = ev, .threads = rt_thread_count(opt->threads)};
    if ((size_t)j.threads > nc)
        j.threads = nc ? (int)nc : 1;
    j.as_of = opt->has_as_of ? opt->as_of : day_after_last(ev);
    part parts[64];
    memset(parts, 0, sizeof parts);
    j.parts = parts;
    uint16_t seg_of[125];
    const char **names = rt_mem_array(NULL, nrules + 1, sizeof *names);
    size_t *rule_seg = rt_mem_array(NULL, nrules, sizeof *rule_seg);
    j.recency = rt_mem_array(NULL, nc, sizeof *j.recency);
    j.frequency = rt_mem_array(NULL, nc, sizeof *j.frequency);
    j.monetary = rt_mem_array(NULL, nc, sizeof *j.monetary);
    j.spend = rt_mem_array(NULL, nc, sizeof *j.spend);
    j.code = rt_mem_alloc(NULL, nc);
    rt_result *r = NULL;
    if (!names || !rule_seg || !j.recency || !j.frequency || !j.monetary || !j.spend || !j.code)
        goto oom;
    j.nseg = map_segments(rules, nrules, names, seg_of, rule_seg);
    j.seg_of = seg_of;
    for (int k = 0; k < j.threads; k++)
        if (!(parts[k].seg = rt_mem_calloc(NULL, j.nseg, sizeof *parts[k].seg)))
            goto oom;
    rt_parallel(j.threads, raw_part, &j);
    merge_raw(&j);
    size_t n = nc - parts[0].excluded;
    char when[16];
    rt_date_format(j.as_of, when);
    if (n == 0) {
        st = rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                     "no customer has an event on or before the as-of date %s", when);
        goto out;
    }
    if (parts[0].nonfinite) {
        size_t c = parts[0].nonfinite - 1;
        st = rt_fail(err, RT_EDOMAIN, rt_events_source(ev), 0, 0,
                     "customer '%s': spend is not a finite number (amounts too large)",
                     rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, NULL));
        goto out;
    }
    if (thresholds(&j, n, parts[0].rmin, parts[0].rmax, parts[0].fmax) != 0)
        goto oom;
    rt_parallel(j.threads, score_part, &j);
    merge_scores(&j);
    r = rt_result_new(NULL, "rfm");
    if (!r || build(r, &j, opt, rules, nrules, names, n) != 0)
        goto oom;
    goto out;
oom:
    rt_result_free(r);
    r = NULL;
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
out:
    for (int k = 0; k < j.threads; k++)
        rt_mem_free(NULL, parts[k].seg);
    rt_mem_free(NULL, names);
    rt_mem_free(NULL, rule_seg);
    rt_mem_free(NULL, j.recency);
    rt_mem_free(NULL, j.frequency);
    rt_mem_free(NULL, j.monetary);
    rt_mem_free(NULL, j.spend);
    rt_mem_free(NULL, j.code);
    if (st != RT_OK) {
        rt_result_free(r);
        r = NULL;
    }
    *out = r;
    return st;
}
