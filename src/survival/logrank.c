/* logrank.c - the k-sample log-rank test (Mantel 1966; R survival's survdiff, rho = 0): one
 * pass over all rows in time order keeping the number at risk per group, the hypergeometric
 * variance of the observed-minus-expected events, and the chi-square statistic solved on all
 * groups but the first with expected events. With entries (left truncation) the risk sets are
 * those of rt_km_run (entry < t <= time). Checked against survdiff on waltons and lung.
 * SPDX-License-Identifier: MIT */
#include "survival/logrank.h"

#include "core/distrib.h"
#include "core/error.h"
#include "core/mem.h"

#include <math.h>
#include <string.h>

/* ---- the test ---- */

void rt_logrank_free(rt_logrank *lr)
{
    rt_mem_free(NULL, lr->n);
    rt_mem_free(NULL, lr->obs);
    rt_mem_free(NULL, lr->expct);
    rt_mem_free(NULL, lr->var);
    memset(lr, 0, sizeof *lr);
}

/* Solve the m x m system 'a' x = 'b' (row-major, both overwritten; x in 'b') by Gaussian
 * elimination with partial pivoting. Returns 0, or -1 when 'a' is singular. */
static int solve(double *a, double *b, size_t m)
{
    double scale = 0;
    for (size_t i = 0; i < m * m; i++)
        scale = fmax(scale, fabs(a[i]));
    for (size_t c = 0; c < m; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < m; r++)
            if (fabs(a[r * m + c]) > fabs(a[p * m + c]))
                p = r;
        if (!(fabs(a[p * m + c]) > scale * 1e-13))
            return -1;
        if (p != c) {
            for (size_t j = 0; j < m; j++) {
                double t = a[c * m + j];
                a[c * m + j] = a[p * m + j];
                a[p * m + j] = t;
            }
            double t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (size_t r = c + 1; r < m; r++) {
            double f = a[r * m + c] / a[c * m + c];
            for (size_t j = c; j < m; j++)
                a[r * m + j] -= f * a[c * m + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = m; c-- > 0;) {
        double s = b[c];
        for (size_t j = c + 1; j < m; j++)
            s -= a[c * m + j] * b[j];
        b[c] = s / a[c * m + c];
    }
    return 0;
}

/* The statistic from O, E and V: over the groups with E > 0, all but the first. */
static int statistic(rt_logrank *lr)
{
    size_t k = lr->k, m = 0;
    size_t *use = rt_mem_array(NULL, k, sizeof *use);
    if (!use)
        return -1;
    for (size_t g = 0; g < k; g++)
        if (lr->expct[g] > 0)
            use[m++] = g;
    lr->df = (int)m - 1;
    if (m < 2) {
        lr->chisq = 0; /* as survdiff: nothing to compare */
        lr->p = (double)NAN;
        rt_mem_free(NULL, use);
        return 0;
    }
    m--;
    double *a = rt_mem_array(NULL, m * m, sizeof *a), *b = rt_mem_array(NULL, m, sizeof *b);
    if (!a || !b) {
        rt_mem_free(NULL, a);
        rt_mem_free(NULL, b);
        rt_mem_free(NULL, use);
        return -1;
    }
    double *u = rt_mem_array(NULL, m, sizeof *u);
    int bad = !u;
    for (size_t i = 0; !bad && i < m; i++) {
        size_t gi = use[i + 1];
        u[i] = b[i] = lr->obs[gi] - lr->expct[gi];
        for (size_t j = 0; j < m; j++)
            a[i * m + j] = lr->var[gi * k + use[j + 1]];
    }
    if (!bad) {
        if (solve(a, b, m) == 0) {
            double chi = 0;
            for (size_t i = 0; i < m; i++)
                chi += b[i] * u[i];
            lr->chisq = chi;
            lr->p = rt_chisq_upper(chi, (double)lr->df);
        } else {
            lr->chisq = lr->p = (double)NAN;
        }
    }
    rt_mem_free(NULL, u);
    rt_mem_free(NULL, a);
    rt_mem_free(NULL, b);
    rt_mem_free(NULL, use);
    return bad ? -1 : 0;
}

/* Add the contributions of one event time: 'd' events among 'n' at risk, 'nk' per group
 * ('live' lists the groups with nk > 0, 'nlive' of them). */
static void add_time(rt_logrank *lr, const double *nk, const uint32_t *live, size_t nlive, double d,
                     double n)
{
    size_t k = lr->k;
    double w = n > 1 ? d * (n - d) / (n - 1) : 0;
    for (size_t a = 0; a < nlive; a++) {
        size_t g = live[a];
        double pg = nk[g] / n;
        lr->expct[g] += d * pg;
        if (w == 0)
            continue;
        lr->var[g * k + g] += w * pg * (1 - pg);
        for (size_t b = a + 1; b < nlive; b++) {
            size_t h = live[b];
            double c = w * pg * (nk[h] / n);
            lr->var[g * k + h] -= c;
            lr->var[h * k + g] -= c;
        }
    }
}

rt_status rt_logrank_run(const rt_riskset *rs, rt_logrank *lr, rt_error *err)
{
    memset(lr, 0, sizeof *lr);
    size_t k = rs->ngroups, n = rs->n;
    lr->k = k;
    lr->n = rt_mem_calloc(NULL, k, sizeof *lr->n);
    lr->obs = rt_mem_calloc(NULL, k, sizeof *lr->obs);
    lr->expct = rt_mem_calloc(NULL, k, sizeof *lr->expct);
    lr->var = k <= SIZE_MAX / k ? rt_mem_calloc(NULL, k * k, sizeof *lr->var) : NULL;
    double *nk = rt_mem_calloc(NULL, k, sizeof *nk); /* at risk per group */
    uint32_t *live = rt_mem_array(NULL, k, sizeof *live);
    size_t *where = rt_mem_array(NULL, k, sizeof *where); /* position of a group in 'live' */
    int bad = !lr->n || !lr->obs || !lr->expct || !lr->var || !nk || !live || !where;
    size_t nlive = 0;
    double at_risk = 0;
    if (!bad) {
        for (size_t g = 0; g < k; g++) {
            lr->n[g] = rs->gstart[g + 1] - rs->gstart[g];
            if (!rs->pentry && lr->n[g] > 0) { /* without entries everyone is at risk at 0 */
                nk[g] = (double)lr->n[g];
                where[g] = nlive;
                live[nlive++] = (uint32_t)g;
            }
        }
        at_risk = rs->pentry ? 0 : (double)n;
    }
    size_t e = 0; /* next entry to add */
    for (size_t j = 0; !bad && j < n;) {
        double t = rs->ptime[j];
        for (; rs->pentry && e < n && rs->pentry[e] < t; e++) { /* entered before t */
            size_t g = rs->pentry_group[e];
            if (nk[g]++ == 0) {
                where[g] = nlive;
                live[nlive++] = (uint32_t)g;
            }
            at_risk++;
        }
        size_t j2 = j;
        double d = 0;
        for (; j2 < n && rs->ptime[j2] == t; j2++)
            d += rs->pevent[j2];
        if (d > 0)
            add_time(lr, nk, live, nlive, d, at_risk);
        for (size_t i = j; i < j2; i++) { /* they leave the risk set after t */
            size_t g = rs->pgroup[i];
            lr->obs[g] += rs->pevent[i];
            at_risk--;
            if (--nk[g] == 0) { /* drop g from 'live': move the last one into its place */
                size_t w = where[g];
                live[w] = live[--nlive];
                where[live[w]] = w;
            }
        }
        j = j2;
    }
    rt_mem_free(NULL, nk);
    rt_mem_free(NULL, live);
    rt_mem_free(NULL, where);
    if (bad || statistic(lr) != 0) {
        rt_logrank_free(lr);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return RT_OK;
}
