/* riskset.c - rows grouped and sorted by time (see riskset.h): groups found with a hash of
 * their texts, times sorted by an LSD radix sort on order-preserving 64-bit keys (passes
 * whose digit is the same for every key are skipped, so integer tenures cost two or three
 * passes), then a stable counting sort by group. O(n) time, no comparisons of doubles.
 * SPDX-License-Identifier: MIT */
#include "survival/riskset.h"

#include "core/dict.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"
#include "survival/survdata.h"

#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS 11
#define NDIGITS 6 /* 6 x 11 bits cover 64 */
#define NBUCKETS (1u << DIGIT_BITS)
#define NO_GROUP UINT32_MAX

/* ---- sorting ---- */

/* An unsigned key with the order of the double 'x' (not NaN; -0 counts as 0). */
static uint64_t order_key(double x)
{
    if (x == 0)
        x = 0; /* -0 and 0 are the same time */
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b >> 63 ? ~b : b | (uint64_t)1 << 63;
}

/* Sort the 'n' pairs (key[i], idx[i]) by key, stably, with scratch 'tk', 'ti' (n each). The
 * sorted pairs end up in 'key'/'idx'. 'cnt' holds NDIGITS * NBUCKETS counters. */
static void radix_sort(uint64_t *key, uint32_t *idx, size_t n, uint64_t *tk, uint32_t *ti,
                       size_t *cnt)
{
    memset(cnt, 0, NDIGITS * NBUCKETS * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < NDIGITS; d++)
            cnt[d * NBUCKETS + ((key[i] >> (d * DIGIT_BITS)) & (NBUCKETS - 1))]++;
    uint64_t *sk = key, *dk = tk;
    uint32_t *si = idx, *di = ti;
    for (unsigned d = 0; d < NDIGITS; d++) {
        size_t *c = cnt + d * NBUCKETS;
        if (n == 0 || c[(key[0] >> (d * DIGIT_BITS)) & (NBUCKETS - 1)] == n)
            continue; /* every key has this digit */
        size_t sum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            size_t b = (sk[i] >> (d * DIGIT_BITS)) & (NBUCKETS - 1);
            size_t j = c[b]++;
            dk[j] = sk[i];
            di[j] = si[i];
        }
        uint64_t *xk = sk;
        sk = dk;
        dk = xk;
        uint32_t *xi = si;
        si = di;
        di = xi;
    }
    if (sk != key) {
        memcpy(key, sk, n * sizeof *key);
        memcpy(idx, si, n * sizeof *idx);
    }
}

/* ---- groups ---- */

/* A group while they are found: its label, hash, value as a number, final rank. */
typedef struct glabel {
    const char *s;
    uint64_t h;
    double v;
    int by_number; /* every label is a number: order by 'v' first */
    uint32_t g;    /* the group's number in order of appearance */
} glabel;

/* Order of two labels: as numbers when all labels are (then bytewise on a tie), else
 * bytewise. */
static int label_cmp(const void *a, const void *b)
{
    const glabel *x = a, *y = b;
    if (x->by_number && x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return strcmp(x->s, y->s);
}

/* Put 'n' groups ('lab') into a fresh slot table of 'nslot' entries (a power of two). */
static void fill_slots(uint32_t *slot, size_t nslot, const glabel *lab, size_t n)
{
    for (size_t g = 0; g < n; g++) {
        size_t k = (size_t)lab[g].h & (nslot - 1);
        while (slot[k])
            k = (k + 1) & (nslot - 1);
        slot[k] = (uint32_t)(g + 1);
    }
}

/* The groups of column 'col' of 'd': gid[i] (NO_GROUP for an empty value: counted in
 * '*excluded'), numbered in the order of their labels, which '*label' ('*ng') receives.
 * Returns 0 or -1 (out of memory). */
static int find_groups(const rt_survdata *d, long col, uint32_t *gid, const char ***label,
                       size_t *ng, size_t *excluded)
{
    const char *const *text = d->text[col];
    glabel *lab = NULL;
    size_t n = 0, cap = 0, nslot = 64;
    uint32_t *slot = rt_mem_calloc(NULL, nslot, sizeof *slot), *rank = NULL;
    const char *prev = NULL;
    uint32_t prev_g = NO_GROUP;
    int rc = -1;
    *excluded = 0;
    for (size_t i = 0; slot && i < d->n; i++) {
        const char *s = text[i];
        if (rt_sv_missing(s)) {
            gid[i] = NO_GROUP;
            ++*excluded;
            continue;
        }
        if (prev && (s == prev || strcmp(s, prev) == 0)) { /* runs of one value are common */
            gid[i] = prev_g;
            continue;
        }
        uint64_t h = rt_hash(s, strlen(s));
        size_t k = (size_t)h & (nslot - 1);
        while (slot[k] && !(lab[slot[k] - 1].h == h && strcmp(lab[slot[k] - 1].s, s) == 0))
            k = (k + 1) & (nslot - 1);
        if (!slot[k]) { /* a new group */
            if (rt_mem_grow(NULL, (void **)&lab, &cap, n + 1, sizeof *lab) != 0)
                goto done;
            lab[n] = (glabel){.s = s, .h = h, .g = (uint32_t)n};
            slot[k] = (uint32_t)++n;
            if (2 * n > nslot) { /* keep the table at most half full */
                uint32_t *s2 = rt_mem_calloc(NULL, 2 * nslot, sizeof *s2);
                if (!s2)
                    goto done;
                nslot *= 2;
                fill_slots(s2, nslot, lab, n);
                rt_mem_free(NULL, slot);
                slot = s2;
            }
            gid[i] = (uint32_t)(n - 1);
        } else {
            gid[i] = slot[k] - 1;
        }
        prev = s;
        prev_g = gid[i];
    }
    if (!slot || !(rank = rt_mem_array(NULL, n ? n : 1, sizeof *rank)) ||
        !(*label = rt_mem_array(NULL, n ? n : 1, sizeof **label)))
        goto done;
    int by_number = 1;
    for (size_t g = 0; g < n; g++)
        by_number &= rt_parse_double(lab[g].s, strlen(lab[g].s), &lab[g].v) == 0;
    for (size_t g = 0; g < n; g++)
        lab[g].by_number = by_number;
    if (n > 1)
        qsort(lab, n, sizeof *lab, label_cmp);
    for (size_t r = 0; r < n; r++) {
        rank[lab[r].g] = (uint32_t)r;
        (*label)[r] = lab[r].s;
    }
    for (size_t i = 0; i < d->n; i++)
        if (gid[i] != NO_GROUP)
            gid[i] = rank[gid[i]];
    *ng = n;
    rc = 0;
done:
    rt_mem_free(NULL, lab);
    rt_mem_free(NULL, slot);
    rt_mem_free(NULL, rank);
    return rc;
}

/* ---- building ---- */

void rt_riskset_free(rt_riskset *rs)
{
    rt_mem_free(NULL, (void *)rs->label);
    rt_mem_free(NULL, rs->gstart);
    rt_mem_free(NULL, rs->time);
    rt_mem_free(NULL, rs->event);
    rt_mem_free(NULL, rs->entry);
    rt_mem_free(NULL, rs->ptime);
    rt_mem_free(NULL, rs->pevent);
    rt_mem_free(NULL, rs->pgroup);
    rt_mem_free(NULL, rs->pentry);
    rt_mem_free(NULL, rs->pentry_group);
    memset(rs, 0, sizeof *rs);
}

/* Scratch of one build. */
typedef struct scratch {
    uint32_t *gid; /* per data row */
    uint64_t *key, *tk;
    uint32_t *idx, *ti;
    size_t *cnt; /* radix counters */
    size_t *pos; /* ngroups: where the next row of each group goes */
} scratch;

/* Sort the used rows by the values 'v' (times or entries): 'idx' (n) receives the data rows
 * in increasing order of 'v' (pooled), then 'ti' the same rows stably by group. */
static void sort_by(const rt_survdata *d, const double *v, const rt_riskset *rs, scratch *S)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (S->gid[i] != NO_GROUP) {
            S->key[n] = order_key(v[i]);
            S->idx[n++] = (uint32_t)i;
        }
    radix_sort(S->key, S->idx, n, S->tk, S->ti, S->cnt);
    memcpy(S->pos, rs->gstart, rs->ngroups * sizeof *S->pos);
    for (size_t j = 0; j < n; j++)
        S->ti[S->pos[S->gid[S->idx[j]]]++] = S->idx[j];
}

rt_status rt_riskset_build(const rt_survdata *d, long bycol, int pooled, rt_riskset *rs,
                           rt_error *err)
{
    memset(rs, 0, sizeof *rs);
    if (d->n >= UINT32_MAX)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "too many rows for a survival curve (%zu; at most 4294967294)", d->n);
    size_t n = d->n ? d->n : 1;
    scratch S = {0};
    S.gid = rt_mem_array(NULL, n, sizeof *S.gid);
    S.key = rt_mem_array(NULL, n, sizeof *S.key);
    S.tk = rt_mem_array(NULL, n, sizeof *S.tk);
    S.idx = rt_mem_array(NULL, n, sizeof *S.idx);
    S.ti = rt_mem_array(NULL, n, sizeof *S.ti);
    S.cnt = rt_mem_array(NULL, NDIGITS * NBUCKETS, sizeof *S.cnt);
    rt_status st = RT_OK;
    if (!S.gid || !S.key || !S.tk || !S.idx || !S.ti || !S.cnt)
        goto nomem;
    if (bycol >= 0) {
        if (find_groups(d, bycol, S.gid, &rs->label, &rs->ngroups, &rs->excluded) != 0)
            goto nomem;
    } else {
        memset(S.gid, 0, n * sizeof *S.gid);
        rs->label = rt_mem_array(NULL, 1, sizeof *rs->label);
        if (!rs->label)
            goto nomem;
        rs->label[0] = "";
        rs->ngroups = 1;
    }
    rs->n = d->n - rs->excluded;
    if (rs->n == 0) {
        st = rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                     "no rows with a value in the group column (all %zu empty)", d->n);
        goto fail;
    }
    rs->gstart = rt_mem_calloc(NULL, rs->ngroups + 1, sizeof *rs->gstart);
    rs->time = rt_mem_array(NULL, rs->n, sizeof *rs->time);
    rs->event = rt_mem_array(NULL, rs->n, sizeof *rs->event);
    if (!rs->gstart || !rs->time || !rs->event)
        goto nomem;
    for (size_t i = 0; i < d->n; i++)
        if (S.gid[i] != NO_GROUP)
            rs->gstart[S.gid[i] + 1]++;
    for (size_t g = 0; g < rs->ngroups; g++)
        rs->gstart[g + 1] += rs->gstart[g];
    if (!(S.pos = rt_mem_array(NULL, rs->ngroups, sizeof *S.pos)))
        goto nomem;
    sort_by(d, d->time, rs, &S);
    for (size_t j = 0; j < rs->n; j++) {
        rs->time[j] = d->time[S.ti[j]] == 0 ? 0 : d->time[S.ti[j]];
        rs->event[j] = d->event[S.ti[j]];
    }
    if (pooled) {
        rs->ptime = rt_mem_array(NULL, rs->n, sizeof *rs->ptime);
        rs->pevent = rt_mem_array(NULL, rs->n, sizeof *rs->pevent);
        rs->pgroup = rt_mem_array(NULL, rs->n, sizeof *rs->pgroup);
        if (!rs->ptime || !rs->pevent || !rs->pgroup)
            goto nomem;
        for (size_t j = 0; j < rs->n; j++) {
            rs->ptime[j] = d->time[S.idx[j]] == 0 ? 0 : d->time[S.idx[j]];
            rs->pevent[j] = d->event[S.idx[j]];
            rs->pgroup[j] = S.gid[S.idx[j]];
        }
    }
    if (d->entry) {
        rs->entry = rt_mem_array(NULL, rs->n, sizeof *rs->entry);
        if (!rs->entry)
            goto nomem;
        sort_by(d, d->entry, rs, &S);
        for (size_t j = 0; j < rs->n; j++)
            rs->entry[j] = d->entry[S.ti[j]];
        if (pooled) {
            rs->pentry = rt_mem_array(NULL, rs->n, sizeof *rs->pentry);
            rs->pentry_group = rt_mem_array(NULL, rs->n, sizeof *rs->pentry_group);
            if (!rs->pentry || !rs->pentry_group)
                goto nomem;
            for (size_t j = 0; j < rs->n; j++) {
                rs->pentry[j] = d->entry[S.idx[j]];
                rs->pentry_group[j] = S.gid[S.idx[j]];
            }
        }
    }
    goto done;
nomem:
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
fail:
    rt_riskset_free(rs);
done:
    rt_mem_free(NULL, S.gid);
    rt_mem_free(NULL, S.key);
    rt_mem_free(NULL, S.tk);
    rt_mem_free(NULL, S.idx);
    rt_mem_free(NULL, S.ti);
    rt_mem_free(NULL, S.cnt);
    rt_mem_free(NULL, S.pos);
    return st;
}
