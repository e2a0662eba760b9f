/* patsum.c - parallel, thread-count-independent sums over BTYD patterns, and the index of
 * distinct times (an open-addressing hash on the doubles' bits) that lets the models compute
 * log(scale + t) once per distinct time. Used by bgnbd.c and pnbd.c.
 * SPDX-License-Identifier: MIT */
#include "models/patsum.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <stdatomic.h>
#include <string.h>

#define BLOCK_MIN 4096 /* patterns per block at least: smaller sums are not worth a thread */
#define MAX_BLOCKS 256 /* blocks at most, so that their partial sums fit on the stack */

void rt_patsum_plain(rt_patsum *p, const double *x, const double *t_x, const double *T,
                     const double *w, size_t n, int threads)
{
    memset(p, 0, sizeof *p);
    p->x = x, p->t_x = t_x, p->T = T, p->w = w, p->n = n;
    p->threads = rt_thread_count(threads);
}

void rt_patsum_free(rt_patsum *p)
{
    if (!p)
        return;
    rt_mem_free(NULL, p->t);
    rt_mem_free(NULL, p->itx);
    rt_mem_free(NULL, p->iT);
    rt_mem_free(NULL, p->tab);
    rt_mem_free(NULL, p->memo);
    rt_mem_free(NULL, p->stamp);
    rt_mem_free(NULL, p->epoch);
    memset(p, 0, sizeof *p);
}

/* ---- index of distinct times ---- */

typedef struct tindex {
    uint32_t *slot; /* cap entries: 0 = empty, else 1 + index into t */
    size_t cap;     /* a power of two */
    double *t;      /* distinct values */
    size_t nt, tcap;
} tindex;

static uint64_t bits_of(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0; /* -0.0 and 0.0 are the same time */
    memcpy(&u, &v, sizeof u);
    return u;
}

static size_t slot_of(uint64_t u, size_t cap)
{
    u ^= u >> 31;
    u *= 0x9e3779b97f4a7c15u;
    return (size_t)(u >> 17) & (cap - 1);
}

/* Double the slot table and re-insert every value. Returns -1 on allocation failure. */
static int grow_slots(tindex *ix)
{
    size_t cap = ix->cap ? 2 * ix->cap : 1024;
    uint32_t *s = rt_mem_calloc(NULL, cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t j = 0; j < ix->nt; j++) {
        size_t h = slot_of(bits_of(ix->t[j]), cap);
        while (s[h])
            h = (h + 1) & (cap - 1);
        s[h] = (uint32_t)(j + 1);
    }
    rt_mem_free(NULL, ix->slot);
    ix->slot = s;
    ix->cap = cap;
    return 0;
}

/* The index of 'v' in ix->t, adding it when new; -1 on allocation failure or 2^32 - 1
 * distinct values. */
static int64_t lookup(tindex *ix, double v)
{
    uint64_t u = bits_of(v);
    size_t h = slot_of(u, ix->cap);
    for (;;) {
        uint32_t s = ix->slot[h];
        if (!s)
            break;
        if (bits_of(ix->t[s - 1]) == u)
            return s - 1;
        h = (h + 1) & (ix->cap - 1);
    }
    if (ix->nt >= UINT32_MAX - 1)
        return -1;
    if (rt_mem_grow(NULL, (void **)&ix->t, &ix->tcap, ix->nt + 1, sizeof *ix->t) != 0)
        return -1;
    ix->t[ix->nt] = v;
    ix->slot[h] = (uint32_t)(++ix->nt);
    /* Keep the load factor at most 1/2, so probes stay short. */
    if (2 * ix->nt > ix->cap && grow_slots(ix) != 0)
        return -1;
    return (int64_t)ix->nt - 1;
}

rt_status rt_patsum_prepare(rt_patsum *p, const double *x, const double *t_x, const double *T,
                            const double *w, size_t n, int threads, int ntab, int nmemo,
                            rt_error *err)
{
    tindex ix = {0};
    rt_patsum_plain(p, x, t_x, T, w, n, threads);
    if (n == 0)
        return RT_OK; /* nothing to index: the plain form */
    p->itx = rt_mem_array(NULL, n, sizeof *p->itx);
    p->iT = rt_mem_array(NULL, n, sizeof *p->iT);
    if (!p->itx || !p->iT || grow_slots(&ix) != 0)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        int64_t a = lookup(&ix, t_x[i]), b = a < 0 ? -1 : lookup(&ix, T[i]);
        if (a < 0 || b < 0) {
            if (ix.nt >= UINT32_MAX - 1) {
                rt_mem_free(NULL, ix.slot);
                rt_mem_free(NULL, ix.t);
                rt_patsum_free(p);
                return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "too many distinct times");
            }
            goto nomem;
        }
        p->itx[i] = (uint32_t)a;
        p->iT[i] = (uint32_t)b;
    }
    rt_mem_free(NULL, ix.slot);
    ix.slot = NULL;
    p->t = ix.t;
    ix.t = NULL;
    p->nt = ix.nt;
    p->ntab = ntab;
    p->nmemo = nmemo;
    size_t nt = p->nt ? p->nt : 1, th = (size_t)p->threads;
    if (ntab > 0 && !(p->tab = rt_mem_array(NULL, nt * (size_t)ntab, sizeof *p->tab)))
        goto nomem;
    if (nmemo > 0) {
        /* nt * nmemo * th cannot overflow where the index itself fitted in memory: nt <= 2n,
         * nmemo and th are small; rt_mem_array checks the last product anyway. */
        p->memo = rt_mem_array(NULL, nt * (size_t)nmemo * th, sizeof *p->memo);
        p->stamp = rt_mem_calloc(NULL, nt * th, sizeof *p->stamp);
        p->epoch = rt_mem_calloc(NULL, th, sizeof *p->epoch);
        if (!p->memo || !p->stamp || !p->epoch)
            goto nomem;
    }
    return RT_OK;
nomem:
    rt_mem_free(NULL, ix.slot);
    rt_mem_free(NULL, ix.t);
    rt_patsum_free(p);
    return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- the parallel sum ---- */

typedef struct run_ctx {
    const rt_patsum *p;
    int k, nth;
    rt_patsum_fn fn;
    rt_patsum_tab_fn tab;
    void *ctx;
    size_t bs, nb;                            /* block size, number of blocks */
    atomic_size_t next;                       /* the next block to sum */
    rt_ksum part[MAX_BLOCKS][RT_PATSUM_MAXK]; /* per block */
} run_ctx;

/* Thread 'th' fills its share of the tables. */
static void tab_worker(void *arg, int th)
{
    run_ctx *c = arg;
    size_t nt = c->p->nt, lo = nt * (size_t)th / (size_t)c->nth;
    size_t hi = nt * (size_t)(th + 1) / (size_t)c->nth;
    if (lo < hi)
        c->tab(c->ctx, lo, hi);
}

/* Thread 'th' takes the next block until none is left (so that uneven blocks even out),
 * summing each into its own partial sums. */
static void sum_worker(void *arg, int th)
{
    run_ctx *c = arg;
    int first = 1;
    for (;;) {
        size_t b = atomic_fetch_add(&c->next, 1);
        if (b >= c->nb)
            break;
        size_t lo = b * c->bs, hi = lo + c->bs < c->p->n ? lo + c->bs : c->p->n;
        for (int j = 0; j < c->k; j++)
            c->part[b][j] = (rt_ksum){0, 0};
        c->fn(c->ctx, th, first, lo, hi, c->part[b]);
        first = 0;
    }
}

void rt_patsum_run(const rt_patsum *p, int k, rt_patsum_fn fn, rt_patsum_tab_fn tab, void *ctx,
                   double *out)
{
    run_ctx c;
    c.p = p, c.k = k, c.fn = fn, c.tab = tab, c.ctx = ctx;
    /* The blocks depend on n only, never on the thread count. */
    c.bs = (p->n + MAX_BLOCKS - 1) / MAX_BLOCKS;
    if (c.bs < BLOCK_MIN)
        c.bs = BLOCK_MIN;
    c.nb = (p->n + c.bs - 1) / c.bs;
    if (tab && p->nt > 0) {
        /* A thread for fewer than 1024 logs costs more than it saves. */
        size_t want = p->nt / 1024 + 1;
        c.nth = want < (size_t)p->threads ? (int)want : p->threads;
        rt_parallel(c.nth, tab_worker, &c);
    }
    c.nth = c.nb < (size_t)p->threads ? (int)c.nb : p->threads;
    atomic_init(&c.next, 0);
    if (c.nth > 0)
        rt_parallel(c.nth, sum_worker, &c);
    for (int j = 0; j < k; j++) {
        rt_ksum s = {0, 0};
        for (size_t b = 0; b < c.nb; b++)
            rt_ksum_merge(&s, &c.part[b][j]);
        out[j] = rt_ksum_value(&s);
    }
}
