/* concordance.c - Harrell's C in O(n log n) with counts over the ranks of the score
 * (R survival's concordancefit with timewt "n"). Two independent passes, which may run on
 * two threads: from the last time down, each event is compared with everyone still at risk
 * (the pair counts, and each event's share of them); from the first time up, each row is
 * compared with the events before it (its share as the later member). Counts are exact
 * integers, so the result does not depend on the thread count.
 * Variance: R's dfbeta form, var = sum_i dfbeta_i^2 / 4 with
 * dfbeta_i = (c_i - d_i) / npair - somer / npair * (c_i + d_i + t_i), where c_i, d_i, t_i
 * are the concordant, discordant and score-tied comparable pairs row i belongs to.
 * SPDX-License-Identifier: MIT */
#include "survival/concordance.h"

#include "core/mem.h"
#include "core/parallel.h"
#include "survival/order.h"

#include <math.h>
#include <string.h>

typedef struct job {
    size_t n, nstrata;
    const double *time;
    const unsigned char *event;
    const size_t *sstart;
    const uint32_t *rank;  /* dense rank of the score within its stratum, 1-based */
    const uint32_t *nrank; /* distinct scores per stratum */
    uint32_t maxrank;
    double *inf_down; /* n * 3: c, d, t of each event as the earlier member */
    double *inf_up;   /* n * 3: c, d, t of each row as the later member */
    double count[5];  /* concordant, discordant, tied_x, tied_y, tied_xy */
    int failed;
} job;

/* ---- counts over ranks 1..k ---- */

/* A count per rank plus a Fenwick tree over blocks of BLOCK ranks: "how many below r" walks
 * the small block tree (it stays in cache) and adds up at most BLOCK - 1 neighbouring counts,
 * instead of walking a tree over all ranks. */
#define BLOCK 64

typedef struct counter {
    uint32_t k, nb;
    uint32_t *eq; /* k + 1 counts, eq[r] for rank r (eq[0] unused) */
    uint32_t *fw; /* nb + 1: Fenwick tree over block totals, block b at index b + 1 */
} counter;

static int counter_init(counter *c, uint32_t maxrank)
{
    c->eq = rt_mem_array(NULL, (size_t)maxrank + 1, sizeof *c->eq);
    c->fw = rt_mem_array(NULL, (size_t)maxrank / BLOCK + 2, sizeof *c->fw);
    return c->eq && c->fw ? 0 : -1;
}

static void counter_free(counter *c)
{
    rt_mem_free(NULL, c->eq);
    rt_mem_free(NULL, c->fw);
}

/* Empty, for ranks 1..k. */
static void counter_reset(counter *c, uint32_t k)
{
    c->k = k;
    c->nb = k / BLOCK + 1;
    memset(c->eq, 0, ((size_t)k + 1) * sizeof *c->eq);
    memset(c->fw, 0, ((size_t)c->nb + 1) * sizeof *c->fw);
}

static void counter_add(counter *c, uint32_t r)
{
    c->eq[r]++;
    for (uint32_t b = r / BLOCK + 1; b <= c->nb; b += b & -b)
        c->fw[b]++;
}

/* Entries with rank < r. */
static uint64_t counter_below(const counter *c, uint32_t r)
{
    uint64_t s = 0;
    uint32_t blk = r / BLOCK;
    for (uint32_t b = blk; b > 0; b -= b & -b)
        s += c->fw[b];
    for (uint32_t q = blk * BLOCK; q < r; q++)
        s += c->eq[q];
    return s;
}

/* From the last time down: each event against the rows with a later time or censored at its
 * time. Fills the pair counts and 'inf_down'. */
static void pass_down(job *j)
{
    counter tree = {0};
    uint32_t *dr = rt_mem_array(NULL, j->n ? j->n : 1, sizeof *dr); /* ranks of tied events */
    uint32_t *cnt = rt_mem_calloc(NULL, (size_t)j->maxrank + 1, sizeof *cnt);
    if (counter_init(&tree, j->maxrank) != 0 || !dr || !cnt) {
        j->failed = 1;
        goto out;
    }
    double conc = 0, disc = 0, tx = 0, ty = 0, txy = 0;
    for (size_t s = 0; s < j->nstrata; s++) {
        uint32_t k = j->nrank[s];
        counter_reset(&tree, k);
        uint64_t in = 0;
        size_t lo = j->sstart[s];
        for (size_t b = j->sstart[s + 1]; b > lo;) {
            size_t a = b - 1;
            while (a > lo && j->time[a - 1] == j->time[b - 1])
                a--;
            for (size_t i = a; i < b; i++)
                if (!j->event[i]) {
                    counter_add(&tree, j->rank[i]);
                    in++;
                }
            size_t nd = 0;
            for (size_t i = a; i < b; i++) {
                if (!j->event[i])
                    continue;
                uint32_t r = j->rank[i];
                uint64_t below = counter_below(&tree, r), upto = below + tree.eq[r];
                double *f = j->inf_down + 3 * i;
                f[0] = (double)below;       /* lower score later: concordant */
                f[1] = (double)(in - upto); /* higher score later: discordant */
                f[2] = (double)(upto - below);
                conc += f[0];
                disc += f[1];
                tx += f[2];
                dr[nd++] = r;
            }
            if (nd > 1) { /* pairs of these events: equal scores (tied_xy) or not */
                double same = 0;
                for (size_t q = 0; q < nd; q++)
                    same += cnt[dr[q]]++;
                for (size_t q = 0; q < nd; q++)
                    cnt[dr[q]] = 0;
                txy += same;
                ty += (double)nd * (double)(nd - 1) / 2 - same;
            }
            for (size_t q = 0; q < nd; q++)
                counter_add(&tree, dr[q]);
            in += nd;
            b = a;
        }
    }
    j->count[0] = conc;
    j->count[1] = disc;
    j->count[2] = tx;
    j->count[3] = ty;
    j->count[4] = txy;
out:
    counter_free(&tree);
    rt_mem_free(NULL, dr);
    rt_mem_free(NULL, cnt);
}

/* From the first time up: each row against the events before it (at its own time too when
 * the row is censored). Fills 'inf_up'. */
static void pass_up(job *j)
{
    counter tree = {0};
    if (counter_init(&tree, j->maxrank) != 0) {
        j->failed = 1;
        counter_free(&tree);
        return;
    }
    for (size_t s = 0; s < j->nstrata; s++) {
        uint32_t k = j->nrank[s];
        counter_reset(&tree, k);
        uint64_t in = 0;
        size_t hi = j->sstart[s + 1];
        for (size_t a = j->sstart[s]; a < hi;) {
            size_t b = a + 1;
            while (b < hi && j->time[b] == j->time[a])
                b++;
            for (int pass = 0; pass < 2; pass++) {
                /* pass 0: events, before this time's events join; pass 1: censored rows */
                for (size_t i = a; i < b; i++) {
                    if ((j->event[i] != 0) != (pass == 0))
                        continue;
                    uint32_t r = j->rank[i];
                    uint64_t below = counter_below(&tree, r), upto = below + tree.eq[r];
                    double *f = j->inf_up + 3 * i;
                    f[0] = (double)(in - upto); /* earlier event with a higher score */
                    f[1] = (double)below;
                    f[2] = (double)(upto - below);
                }
                if (pass == 0)
                    for (size_t i = a; i < b; i++)
                        if (j->event[i]) {
                            counter_add(&tree, j->rank[i]);
                            in++;
                        }
            }
            a = b;
        }
    }
    counter_free(&tree);
}

static void run_pass(void *arg, int k)
{
    job *j = arg;
    if (k == 0)
        pass_down(j);
    else
        pass_up(j);
}

/* Dense ranks (1-based) of 'score' within each stratum. Returns 0 or -1 (out of memory). */
static int rank_scores(job *j, const double *score, uint32_t *rank, uint32_t *nrank)
{
    size_t n = j->n;
    uint32_t *idx = rt_mem_array(NULL, n, sizeof *idx), *code = NULL;
    if (!idx || rt_order_doubles(score, n, idx, NULL) != 0)
        goto fail;
    if (j->nstrata > 1) {
        if (!(code = rt_mem_array(NULL, n, sizeof *code)))
            goto fail;
        for (size_t s = 0; s < j->nstrata; s++)
            for (size_t i = j->sstart[s]; i < j->sstart[s + 1]; i++)
                code[i] = (uint32_t)s;
        if (rt_order_by_code(idx, n, code, j->nstrata, NULL) != 0)
            goto fail;
    }
    j->maxrank = 0;
    for (size_t s = 0, at = 0; s < j->nstrata; s++) {
        size_t m = j->sstart[s + 1] - j->sstart[s];
        uint32_t r = 0;
        for (size_t q = 0; q < m; q++, at++) {
            if (q == 0 || score[idx[at]] != score[idx[at - 1]])
                r++;
            rank[idx[at]] = r;
        }
        nrank[s] = r;
        if (r > j->maxrank)
            j->maxrank = r;
    }
    rt_mem_free(NULL, idx);
    rt_mem_free(NULL, code);
    return 0;
fail:
    rt_mem_free(NULL, idx);
    rt_mem_free(NULL, code);
    return -1;
}

rt_status rt_concordance_run(size_t n, const double *time, const unsigned char *event,
                             const size_t *sstart, size_t nstrata, const double *score, int threads,
                             rt_concordance *out)
{
    memset(out, 0, sizeof *out);
    job j = {.n = n, .nstrata = nstrata, .time = time, .event = event, .sstart = sstart};
    uint32_t *rank = rt_mem_array(NULL, n ? n : 1, sizeof *rank);
    uint32_t *nrank = rt_mem_array(NULL, nstrata ? nstrata : 1, sizeof *nrank);
    j.inf_down = rt_mem_calloc(NULL, n ? n : 1, 3 * sizeof(double));
    j.inf_up = rt_mem_calloc(NULL, n ? n : 1, 3 * sizeof(double));
    rt_status st = RT_ENOMEM;
    if (!rank || !nrank || !j.inf_down || !j.inf_up || rank_scores(&j, score, rank, nrank) != 0)
        goto out;
    j.rank = rank;
    j.nrank = nrank;
    rt_parallel(threads > 1 ? 2 : 1, run_pass, &j);
    if (threads <= 1)
        pass_up(&j);
    if (j.failed)
        goto out;
    out->concordant = j.count[0];
    out->discordant = j.count[1];
    out->tied_x = j.count[2];
    out->tied_y = j.count[3];
    out->tied_xy = j.count[4];
    double npair = j.count[0] + j.count[1] + j.count[2];
    if (npair > 0) {
        double somer = (j.count[0] - j.count[1]) / npair, var = 0;
        for (size_t i = 0; i < n; i++) {
            const double *a = j.inf_down + 3 * i, *b = j.inf_up + 3 * i;
            double c = a[0] + b[0], d = a[1] + b[1], t = a[2] + b[2];
            double dfb = (c - d) / npair - somer / npair * (c + d + t);
            var += dfb * dfb;
        }
        out->c = (somer + 1) / 2;
        out->se = sqrt(var / 4);
    } else {
        out->c = out->se = (double)NAN;
    }
    st = RT_OK;
out:
    rt_mem_free(NULL, rank);
    rt_mem_free(NULL, nrank);
    rt_mem_free(NULL, j.inf_down);
    rt_mem_free(NULL, j.inf_up);
    return st;
}
