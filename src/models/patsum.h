/* patsum.h - the sums over (x, t_x, T, count) patterns behind the BG/NBD, MBG/NBD and
 * Pareto/NBD likelihoods: the patterns are cut into fixed blocks that threads sum in parallel
 * and that are combined in block order, so a sum does not depend on the thread count; and,
 * once per fit, an index of the distinct times (t_x and T values) so that each evaluation
 * takes its logs of (scale + t) once per distinct time, not once per pattern.
 * SPDX-License-Identifier: MIT */
#ifndef RT_PATSUM_H
#define RT_PATSUM_H

#include "retain.h"

#include "core/ksum.h"

#include <stddef.h>
#include <stdint.h>

#define RT_PATSUM_MAXK 8 /* values summed per pattern (log-likelihood and gradient) */

/* The models add RT_PATSUM_RUN consecutive pattern terms in plain double, then that partial
 * sum into a compensated one (blocked summation): the error stays near RT_PATSUM_RUN * eps
 * relative to the sum of |terms| however many patterns there are, at a fraction of the cost of
 * compensating every term. Runs start at block starts, so they do not depend on threads. */
#define RT_PATSUM_RUN 64

/* The patterns of one fit. The arrays x, t_x, T, w are borrowed (w may be NULL: 1 each).
 * Without an index (rt_patsum_plain) nt is 0 and the pointers below are NULL. */
typedef struct rt_patsum {
    const double *x, *t_x, *T, *w;
    size_t n;
    int threads;        /* at most this many threads, >= 1 */
    size_t nt;          /* distinct times */
    double *t;          /* the nt distinct values among t_x and T, in order of first appearance */
    uint32_t *itx, *iT; /* per pattern: t_x[i] = t[itx[i]], T[i] = t[iT[i]] */
    double *tab;        /* ntab * nt scratch for the model's per-evaluation tables */
    int ntab;
    /* Per-thread scratch of the model: threads * nt * nmemo doubles and threads * nt stamps
     * (a memo of per-(x, time) values; NULL when nmemo is 0). */
    double *memo;
    uint64_t *stamp;
    uint64_t *epoch; /* per thread: a counter the model uses to invalidate its memo */
    int nmemo;
} rt_patsum;

/* Set up 'p' over the patterns without an index (nothing is allocated; free is a no-op).
 * 'threads' 0 means one per online core. */
void rt_patsum_plain(rt_patsum *p, const double *x, const double *t_x, const double *T,
                     const double *w, size_t n, int threads);

/* Like rt_patsum_plain, plus the index of distinct times, 'ntab' tables of nt doubles, and a
 * memo of 'nmemo' doubles per distinct time per thread ('nmemo' may be 0). On success 'p'
 * owns its arrays (rt_patsum_free); n = 0 gives the plain form. Errors: RT_ENOMEM, and
 * RT_EDOMAIN when there are 2^32 - 1 distinct times or more. On failure 'p' is zeroed. */
rt_status rt_patsum_prepare(rt_patsum *p, const double *x, const double *t_x, const double *T,
                            const double *w, size_t n, int threads, int ntab, int nmemo,
                            rt_error *err);

/* Release what rt_patsum_prepare allocated and zero 'p'. NULL is a no-op. */
void rt_patsum_free(rt_patsum *p);

/* Sum 'k' values over the patterns lo..hi-1 into 'acc' (k sums, zeroed by the caller) on
 * thread 'th'; 'first' is 1 for the first block a thread sums in this call. Threads take
 * blocks in no fixed order: a block's sums must depend on its patterns only. */
typedef void (*rt_patsum_fn)(void *ctx, int th, int first, size_t lo, size_t hi, rt_ksum *acc);

/* Fill entries lo..hi-1 of the model's tables (p->tab) for the current parameters. */
typedef void (*rt_patsum_tab_fn)(void *ctx, size_t lo, size_t hi);

/* Compute 'k' (<= RT_PATSUM_MAXK) sums over all patterns into 'out': when 'p' has an index
 * and 'tab' is not NULL, first tab() over the distinct times (split among the threads), then
 * fn() over fixed blocks of patterns (their size depends on n only), which the threads take
 * as they become free, each block into its own compensated sums, which are added in block
 * order. The result is therefore the
 * same, bit for bit, for any thread count, provided fn's per-pattern values are. */
void rt_patsum_run(const rt_patsum *p, int k, rt_patsum_fn fn, rt_patsum_tab_fn tab, void *ctx,
                   double *out);

#endif
