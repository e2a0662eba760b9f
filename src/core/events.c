/* events.c - the event table: the one sort of the pipeline and the getters. Rows arrive in
 * input order with packed customer codes; a counting sort by customer (customers numbered by
 * first appearance) scatters each column once, then each customer's slice is put in time
 * order. After this, every analysis is a linear pass over contiguous slices.
 * SPDX-License-Identifier: MIT */
#include "core/events.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <string.h>

#define NONE UINT32_MAX

static void find_span(rt_events *ev);

/* ---- renumbering by first appearance ---- */

/* Turn the dictionary 'd' of field 'f' into the table's string table, renumbering its codes
 * column by first appearance (customers: also count events per customer into offsets). */
static rt_status finish_dict(rt_events *ev, rt_dict *d, int f, uint32_t **cmap, rt_error *err)
{
    rt_dict_drop_index(d); /* its memory is better spent on the string table */
    size_t space = rt_dict_code_space(d);
    uint32_t *map = rt_mem_array(ev->alloc, space ? space : 1, sizeof *map);
    if (!map)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    size_t n = rt_dict_number(d, map);
    if (rt_dict_finish(d, map, n, &ev->dict[f]) != 0) {
        rt_mem_free(ev->alloc, map);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rt_dict_release(d);
    if (f == RT_FIELD_CUSTOMER) {
        ev->ncust = n;
        *cmap = map; /* the customer codes are renumbered by the counting sort */
        return RT_OK;
    }
    uint32_t *codes = ev->code[f];
    for (size_t i = 0; i < ev->n; i++)
        codes[i] = map[codes[i]];
    rt_mem_free(ev->alloc, map);
    return RT_OK;
}

/* ---- the counting sort ---- */

/* A stable counting sort by customer in parallel: part k of the rows counts its customers
 * (renumbering the packed codes on the way), the counts become per-part cursors, then part
 * k writes each row's target position over its customer number. */
typedef struct count_job {
    rt_events *ev;
    const uint32_t *map; /* packed customer code -> customer number */
    uint32_t **cnt;      /* per part: counts, then cursors */
    int parts;
} count_job;

static void count_part(void *arg, int k)
{
    count_job *j = arg;
    rt_events *ev = j->ev;
    size_t lo = ev->n * (size_t)k / (size_t)j->parts,
           hi = ev->n * (size_t)(k + 1) / (size_t)j->parts;
    uint32_t *codes = ev->code[RT_FIELD_CUSTOMER], *cnt = j->cnt[k];
    for (size_t i = lo; i < hi; i++) {
        uint32_t c = j->map[codes[i]];
        codes[i] = c;
        cnt[c]++;
    }
}

static void position_part(void *arg, int k)
{
    count_job *j = arg;
    rt_events *ev = j->ev;
    size_t lo = ev->n * (size_t)k / (size_t)j->parts,
           hi = ev->n * (size_t)(k + 1) / (size_t)j->parts;
    uint32_t *codes = ev->code[RT_FIELD_CUSTOMER], *cur = j->cnt[k];
    for (size_t i = lo; i < hi; i++)
        codes[i] = cur[codes[i]]++;
}

/* Fill the offsets and replace the customer codes by each row's sorted position. The parts
 * are limited so their counters take at most about 4 bytes per event. */
static rt_status positions(rt_events *ev, const uint32_t *map, int threads, rt_error *err)
{
    uint32_t *cnt[64] = {0};
    int parts = threads;
    while (parts > 1 && (size_t)parts * ev->ncust > ev->n)
        parts--;
    rt_status st = RT_OK;
    ev->offsets = rt_mem_array(ev->alloc, ev->ncust + 1, sizeof *ev->offsets);
    for (int k = 0; k < parts && ev->offsets; k++)
        if (!(cnt[k] = rt_mem_calloc(ev->alloc, ev->ncust ? ev->ncust : 1, sizeof *cnt[k])))
            break;
    if (!ev->offsets || !cnt[parts - 1]) {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    count_job j = {ev, map, cnt, parts};
    rt_parallel(parts, count_part, &j);
    uint64_t run = 0;
    for (size_t c = 0; c < ev->ncust; c++) {
        ev->offsets[c] = run;
        for (int k = 0; k < parts; k++) {
            uint32_t n = cnt[k][c];
            cnt[k][c] = (uint32_t)run;
            run += n;
        }
    }
    ev->offsets[ev->ncust] = run;
    rt_parallel(parts, position_part, &j);
out:
    for (int k = 0; k < parts; k++)
        rt_mem_free(ev->alloc, cnt[k]);
    return st;
}

typedef struct scatter_job {
    const uint32_t *pos;
    size_t n;
    int threads;
    const void *src;
    void *dst;
    size_t width; /* 4 or 8 bytes */
} scatter_job;

static void scatter_part(void *arg, int k)
{
    scatter_job *j = arg;
    size_t lo = j->n * (size_t)k / (size_t)j->threads;
    size_t hi = j->n * (size_t)(k + 1) / (size_t)j->threads;
    if (j->width == 8) {
        const uint64_t *s = j->src;
        uint64_t *d = j->dst;
        for (size_t i = lo; i < hi; i++)
            d[j->pos[i]] = s[i];
    } else {
        const uint32_t *s = j->src;
        uint32_t *d = j->dst;
        for (size_t i = lo; i < hi; i++)
            d[j->pos[i]] = s[i];
    }
}

/* Replace column '*col' by its scattered copy (dst[pos[i]] = src[i]), written into '*spare',
 * a free buffer of this width (allocated on first use); the old column becomes the spare.
 * Reusing buffers saves the kernel zeroing fresh pages for every column. */
static int scatter(rt_events *ev, const uint32_t *pos, void **col, void **spare, size_t width,
                   int threads)
{
    if (!*col)
        return 0;
    if (!*spare && !(*spare = rt_mem_array(ev->alloc, ev->n, width)))
        return -1;
    scatter_job j = {pos, ev->n, threads, *col, *spare, width};
    rt_parallel(threads, scatter_part, &j);
    void *old = *col;
    *col = *spare;
    *spare = old;
    return 0;
}

/* Put the two halves of each amount back together into the amount column. */
static int join_amounts(rt_events *ev)
{
    ev->amount = rt_mem_array(ev->alloc, ev->n, sizeof *ev->amount);
    if (!ev->amount)
        return -1;
    for (size_t i = 0; i < ev->n; i++) {
        uint64_t bits = (uint64_t)ev->amount_half[1][i] << 32 | ev->amount_half[0][i];
        memcpy(&ev->amount[i], &bits, 8);
    }
    for (int h = 0; h < 2; h++) {
        rt_mem_free(ev->alloc, ev->amount_half[h]);
        ev->amount_half[h] = NULL;
    }
    return 0;
}

/* ---- time order within each customer ---- */

static uint64_t key(const rt_events *ev, size_t i)
{
    return (uint64_t)((int64_t)ev->day[i] + 0x80000000LL) << 17 |
           (uint64_t)(ev->sec ? ev->sec[i] : 0);
}

typedef struct sort_job {
    rt_events *ev;
    int threads;
    int failed;
} sort_job;

/* Stable merge sort of idx[0..n) by keys k[] using 'tmp'. */
static void merge_sort(uint32_t *idx, uint32_t *tmp, const uint64_t *k, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = k[idx[b]] < k[idx[a]] ? idx[b++] : idx[a++];
            while (a < mid)
                tmp[o++] = idx[a++];
            while (b < hi)
                tmp[o++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

/* Apply the permutation 'idx' (new position j takes old row lo + idx[j]) to one column. */
static void permute(void *col, size_t width, size_t lo, const uint32_t *idx, size_t n,
                    unsigned char *scratch)
{
    if (!col)
        return;
    unsigned char *c = (unsigned char *)col + lo * width;
    for (size_t j = 0; j < n; j++)
        memcpy(scratch + j * width, c + (size_t)idx[j] * width, width);
    memcpy(c, scratch, n * width);
}

static void sort_part(void *arg, int k)
{
    sort_job *j = arg;
    rt_events *ev = j->ev;
    size_t c0 = ev->ncust * (size_t)k / (size_t)j->threads;
    size_t c1 = ev->ncust * (size_t)(k + 1) / (size_t)j->threads;
    uint64_t *keys = NULL;
    uint32_t *idx = NULL, *tmp = NULL;
    unsigned char *scratch = NULL;
    size_t cap = 0;
    for (size_t c = c0; c < c1; c++) {
        size_t lo = ev->offsets[c], n = ev->offsets[c + 1] - lo;
        size_t i = 1;
        while (i < n && key(ev, lo + i - 1) <= key(ev, lo + i))
            i++;
        if (i >= n)
            continue;
        if (n > cap) {
            rt_mem_free(ev->alloc, keys);
            rt_mem_free(ev->alloc, idx);
            rt_mem_free(ev->alloc, tmp);
            rt_mem_free(ev->alloc, scratch);
            cap = n;
            keys = rt_mem_array(ev->alloc, cap, sizeof *keys);
            idx = rt_mem_array(ev->alloc, cap, sizeof *idx);
            tmp = rt_mem_array(ev->alloc, cap, sizeof *tmp);
            scratch = rt_mem_array(ev->alloc, cap, 8);
            if (!keys || !idx || !tmp || !scratch) {
                j->failed = 1;
                break;
            }
        }
        for (size_t m = 0; m < n; m++) {
            keys[m] = key(ev, lo + m);
            idx[m] = (uint32_t)m;
        }
        merge_sort(idx, tmp, keys, n);
        permute(ev->day, 4, lo, idx, n, scratch);
        permute(ev->sec, 4, lo, idx, n, scratch);
        permute(ev->amount, 8, lo, idx, n, scratch);
        for (int f = 1; f < RT_NFIELDS; f++)
            permute(ev->code[f], 4, lo, idx, n, scratch);
    }
    rt_mem_free(ev->alloc, keys);
    rt_mem_free(ev->alloc, idx);
    rt_mem_free(ev->alloc, tmp);
    rt_mem_free(ev->alloc, scratch);
}

/* ---- refunds ---- */

/* Net each negative amount into the first non-negative event of the same customer and day;
 * drop refunds with no such event. Compacts the columns and drops customers left empty. */
static rt_status net_refunds(rt_events *ev, rt_error *err)
{
    size_t w = 0, cw = 0;
    uint64_t start = 0;
    rt_strtab *ct = &ev->dict[RT_FIELD_CUSTOMER];
    uint32_t soff = 0;
    for (size_t c = 0; c < ev->ncust; c++) {
        size_t lo = ev->offsets[c], hi = ev->offsets[c + 1];
        for (size_t i = lo; i < hi;) {
            size_t e = i;
            while (e < hi && ev->day[e] == ev->day[i])
                e++;
            size_t keep = SIZE_MAX;
            double refund = 0;
            for (size_t m = i; m < e; m++) {
                if (ev->amount[m] < 0)
                    refund += ev->amount[m];
                else if (keep == SIZE_MAX)
                    keep = m;
            }
            for (size_t m = i; m < e; m++) {
                if (ev->amount[m] < 0) {
                    if (keep == SIZE_MAX)
                        ev->stats.rows_dropped++;
                    continue;
                }
                ev->day[w] = ev->day[m];
                if (ev->sec)
                    ev->sec[w] = ev->sec[m];
                ev->amount[w] = ev->amount[m] + (m == keep ? refund : 0);
                for (int f = 1; f < RT_NFIELDS; f++)
                    if (ev->code[f])
                        ev->code[f][w] = ev->code[f][m];
                w++;
            }
            if (keep != SIZE_MAX)
                ev->stats.refund_netted += refund;
            i = e;
        }
        if (w > start) {
            /* Keep customer c as number cw, moving its id string down. */
            uint32_t len = ct->off[c + 1] - ct->off[c];
            memmove(ct->data + soff, ct->data + ct->off[c], len);
            ct->off[cw] = soff;
            soff += len;
            ev->offsets[cw] = start;
            cw++;
            start = w;
        }
    }
    ev->offsets[cw] = w;
    ct->off[cw] = soff;
    ct->n = cw;
    ev->ncust = cw;
    ev->n = w;
    ev->stats.rows_used = ev->stats.rows_read - ev->stats.rows_rejected - ev->stats.rows_dropped;
    if (w == 0)
        return rt_fail(err, RT_EDOMAIN, ev->source, 0, 0,
                       "no usable rows: every row is a refund without a same-day purchase");
    return RT_OK;
}

rt_status rt_events_finish(rt_events *ev, rt_dict *dicts, int threads, rt_refund_policy refunds,
                           rt_error *err)
{
    if (ev->n >= UINT32_MAX)
        return rt_fail(err, RT_EDOMAIN, ev->source, 0, 0,
                       "more than 4294967294 events in one table");
    uint32_t *cmap = NULL;
    rt_status st = RT_OK;
    for (int f = 0; f < RT_NFIELDS && st == RT_OK; f++)
        if (ev->code[f])
            st = finish_dict(ev, &dicts[f], f, &cmap, err);
    if (st == RT_OK)
        st = positions(ev, cmap, threads, err);
    rt_mem_free(ev->alloc, cmap);
    if (st != RT_OK)
        return st;
    uint32_t *pos = ev->code[RT_FIELD_CUSTOMER];
    /* Every column is 4 bytes wide (amounts in two halves), so one spare buffer serves all:
     * the peak is the columns plus 4 bytes per event. */
    void *spare = NULL;
    int bad = scatter(ev, pos, (void **)&ev->day, &spare, 4, threads) ||
              scatter(ev, pos, (void **)&ev->sec, &spare, 4, threads) ||
              scatter(ev, pos, (void **)&ev->amount_half[0], &spare, 4, threads) ||
              scatter(ev, pos, (void **)&ev->amount_half[1], &spare, 4, threads);
    for (int f = 1; f < RT_NFIELDS && !bad; f++)
        bad = scatter(ev, pos, (void **)&ev->code[f], &spare, 4, threads);
    rt_mem_free(ev->alloc, spare);
    if (bad)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_mem_free(ev->alloc, pos);
    ev->code[RT_FIELD_CUSTOMER] = NULL;
    if (ev->amount_half[0] && join_amounts(ev) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    sort_job sj = {ev, threads, 0};
    rt_parallel(threads, sort_part, &sj);
    if (sj.failed)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    ev->stats.rows_used = ev->stats.rows_read - ev->stats.rows_rejected - ev->stats.rows_dropped;
    if (refunds == RT_REFUNDS_NET && ev->amount && ev->stats.refund_rows > 0) {
        rt_status st2 = net_refunds(ev, err);
        if (st2 != RT_OK)
            return st2;
    }
    find_span(ev);
    return RT_OK;
}

/* ---- getters ---- */

void rt_events_free(rt_events *ev)
{
    if (!ev)
        return;
    const rt_allocator *a = ev->alloc;
    rt_mem_free(a, ev->offsets);
    rt_mem_free(a, ev->day);
    rt_mem_free(a, ev->sec);
    rt_mem_free(a, ev->amount);
    rt_mem_free(a, ev->amount_half[0]);
    rt_mem_free(a, ev->amount_half[1]);
    for (int f = 0; f < RT_NFIELDS; f++) {
        rt_mem_free(a, ev->code[f]);
        rt_strtab_release(&ev->dict[f], a);
        rt_mem_free(a, ev->colname[f]);
    }
    rt_mem_free(a, ev->date_col);
    rt_mem_free(a, ev->amount_col);
    rt_mem_free(a, ev->source);
    rt_mem_free(a, ev);
}

size_t rt_events_count(const rt_events *ev)
{
    return ev->n;
}

size_t rt_events_customers(const rt_events *ev)
{
    return ev->ncust;
}

const uint64_t *rt_events_offsets(const rt_events *ev)
{
    return ev->offsets;
}

const int32_t *rt_events_days(const rt_events *ev)
{
    return ev->day;
}

int32_t rt_events_first_day(const rt_events *ev)
{
    return ev->first_day;
}

int32_t rt_events_last_day(const rt_events *ev)
{
    return ev->last_day;
}

/* The data's first and last day: each customer's slice is in time order. */
static void find_span(rt_events *ev)
{
    ev->first_day = INT32_MAX;
    ev->last_day = INT32_MIN;
    for (size_t c = 0; c < ev->ncust; c++) {
        if (ev->day[ev->offsets[c]] < ev->first_day)
            ev->first_day = ev->day[ev->offsets[c]];
        if (ev->day[ev->offsets[c + 1] - 1] > ev->last_day)
            ev->last_day = ev->day[ev->offsets[c + 1] - 1];
    }
}

const int32_t *rt_events_seconds(const rt_events *ev)
{
    return ev->sec;
}

const double *rt_events_amounts(const rt_events *ev)
{
    return ev->amount;
}

const uint32_t *rt_events_codes(const rt_events *ev, rt_field f)
{
    if ((int)f <= RT_FIELD_CUSTOMER || (int)f >= RT_NFIELDS)
        return NULL;
    return ev->code[f];
}

size_t rt_events_dict_size(const rt_events *ev, rt_field f)
{
    if ((int)f < 0 || (int)f >= RT_NFIELDS)
        return 0;
    return ev->dict[f].n;
}

const char *rt_events_string(const rt_events *ev, rt_field f, uint32_t code, size_t *len)
{
    if ((int)f < 0 || (int)f >= RT_NFIELDS || code >= ev->dict[f].n)
        return NULL;
    const rt_strtab *t = &ev->dict[f];
    if (len)
        *len = (size_t)(t->off[code + 1] - t->off[code] - 1);
    return t->data + t->off[code];
}

const char *rt_events_column(const rt_events *ev, rt_field f)
{
    if ((int)f < 0 || (int)f >= RT_NFIELDS)
        return NULL;
    return ev->colname[f];
}

const char *rt_events_amount_column(const rt_events *ev)
{
    return ev->amount_col;
}

const char *rt_events_date_column(const rt_events *ev)
{
    return ev->date_col;
}

const rt_load_stats *rt_events_stats(const rt_events *ev)
{
    return &ev->stats;
}

const char *rt_events_source(const rt_events *ev)
{
    return ev->source;
}
