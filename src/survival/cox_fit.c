/* cox_fit.c - Cox proportional hazards by Newton-Raphson on the exact log partial likelihood,
 * following R survival's coxfit6 step for step (start at beta = 0, R's step halving,
 * convergence when |1 - loglik_old / loglik_new| <= eps, covariates centred and scaled the
 * way coxph does), so that coefficients and iteration counts agree with R's.
 *
 * Rows are sorted once by (stratum, time). Per evaluation, everything is a pass over rows or
 * a pass over "units" (runs of whole tie groups of about UNIT_ROWS rows, never crossing a
 * stratum): risk sums are accumulated over each unit, a serial suffix sum gives every unit
 * the sums of the later units of its stratum, and each unit then walks its tie groups from
 * the last time down. Risk scores are exp(eta - max eta). The second-moment part of the
 * information is not accumulated as a running matrix: sum_g sum_j S2_gj / den_gj equals
 * sum_i r_i w_i x_i x_i' with scalar weights w_i (the cumulative sum of 1 / den over the
 * event times the row is at risk), one weighted Gram matrix per evaluation. Items (units,
 * pieces of rows) depend on the data only and their partial sums are combined in a fixed
 * order, so results do not depend on the thread count.
 *
 * Ties (Efron 1977): at a time with d events, deaths-sum D and non-dying risk set R, the terms
 * j = 0..d-1 have denominators den_j = R + (1 - j/d) D; Breslow uses den = R + D for all d.
 * The mean covariate of term j is (1 - lam_j) mR + lam_j mD with mR, mD the risk-weighted
 * means of the non-dying rows and of the dying rows and lam_j = (1 - j/d) D / den_j: the sum
 * of its outer products needs three outer products per time whatever d is, without the
 * cancellation of expanding in raw sums.
 *
 * Robust variance (R's coxph(robust = TRUE) without cluster): V (sum_i L_i L_i') V, L_i the
 * score residuals (Therneau & Grambsch 2000, sec. 7.2; Efron's terms downweight the rows dying
 * at that time by 1 - j/d, as R's coxscore2). Reference values in tests/unit/test_cox.c.
 * SPDX-License-Identifier: MIT */
#include "survival/cox_fit.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "survival/order.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define UNIT_ROWS 4096   /* rows per unit of the risk-set walk (whole tie groups) */
#define PIECE_ROWS 16384 /* rows per piece of the row-wise passes */
#define ITEM_BUDGET 8e6  /* at most this many doubles of per-item p x p matrices */
#define TOLER_CHOL 1.8189894035458617e-12 /* .Machine$double.eps^0.75: coxph.control() */
#define AEQ_TOL 1.4901161193847656e-08    /* sqrt(.Machine$double.eps): aeqSurv() */

typedef enum { S_ETA, S_EXP, S_SCAN, S_GRAM, S_RES1, S_RES2 } stage;

typedef struct fitdata {
    size_t n, p, pp;
    size_t ng, nu, npc, nstrata;
    double *x;            /* n * p, sorted, centred and scaled */
    double *time;         /* n, sorted (after R's aeqSurv) */
    unsigned char *event; /* n, sorted */
    size_t *gstart;       /* ng + 1: tie group g = rows [gstart[g], gstart[g + 1]) */
    uint32_t *grp;        /* n: tie group of each row */
    uint32_t *gdead;      /* ng: events in each group */
    unsigned char *gnew;  /* ng: 1 = the first group of a stratum */
    size_t *ustart;       /* nu + 1: unit u = groups [ustart[u], ustart[u + 1]) */
    unsigned char *unew;  /* nu: 1 = the first unit of a stratum */
    size_t *pstart;       /* npc + 1: piece k = rows [pstart[k], pstart[k + 1]) */
    uint32_t *punit;      /* npc: the unit holding each piece */
    size_t *sstart;       /* nstrata + 1: stratum s = rows [sstart[s], sstart[s + 1]) */
    double *mean, *scale; /* p: x_sorted = (x - mean) * scale, as coxfit6 */
    double *xdeath;       /* p: sum of x over the events */
    size_t ndeath;
    int efron, threads;

    /* per evaluation */
    const double *beta;
    double shift;    /* max eta */
    double *eta, *r; /* n */
    double *pmax;    /* npc */
    double *ptot;    /* npc * (p + 1): sum r, sum r x */
    double *pgram;   /* npc * pp: weighted Gram matrix (lower triangle) */
    double *usfx;    /* nu * (p + 1): sums of the later units of the stratum */
    double *ull;     /* nu: sum of log den */
    double *uu;      /* nu * p: sum of the mean covariates */
    double *uim;     /* nu * pp: sum of their outer products (lower triangle) */
    double *cg, *eg; /* ng: sum 1 / den and sum (j/d) / den; cg becomes cumulative */
    /* robust */
    double *uh;  /* nu * (p + 1): unit sums of h and a, then the prefix through the unit */
    double *ul;  /* nu * p: sum of score residuals */
    double *um;  /* nu * pp: sum of their outer products */
    double *scr; /* threads * 8 * p scratch */
    atomic_size_t next;
    stage stage;
} fitdata;

/* Per tie group: the sums over Efron's terms j = 0..d-1 that the walks need. */
typedef struct gstat {
    double logden;        /* sum log den_j */
    double c, e;          /* sum 1 / den_j, sum f_j / den_j (f_j = j / d) */
    double s1, sl;        /* sum (1 - lam_j), sum lam_j */
    double a11, a12, a22; /* sum (1 - lam)^2, lam (1 - lam), lam^2 */
    double q1, ql;        /* sum (1 - lam) / den, sum lam / den */
    double qf1, qfl;      /* sum f (1 - lam) / den, sum f lam / den */
} gstat;

/* The group sums for non-dying risk R0, dying risk D0 and d events. */
static void group_stat(double R0, double D0, uint32_t d, int efron, gstat *g)
{
    memset(g, 0, sizeof *g);
    double dd = (double)d;
    if (!efron || d == 1) {
        double den = R0 + D0, lam = den > 0 ? D0 / den : 0;
        g->logden = dd * log(den);
        g->c = dd / den;
        g->s1 = dd * (1 - lam);
        g->sl = dd * lam;
        g->a11 = dd * (1 - lam) * (1 - lam);
        g->a12 = dd * lam * (1 - lam);
        g->a22 = dd * lam * lam;
        g->q1 = g->s1 / den;
        g->ql = g->sl / den;
        return;
    }
    for (uint32_t j = 0; j < d; j++) {
        double f = (double)j / dd, w = (double)(d - j) / dd * D0, den = R0 + w;
        double lam = den > 0 ? w / den : 0, inv = 1 / den;
        g->logden += log(den);
        g->c += inv;
        g->e += f * inv;
        g->s1 += 1 - lam;
        g->sl += lam;
        g->a11 += (1 - lam) * (1 - lam);
        g->a12 += lam * (1 - lam);
        g->a22 += lam * lam;
        g->q1 += (1 - lam) * inv;
        g->ql += lam * inv;
        g->qf1 += f * (1 - lam) * inv;
        g->qfl += f * lam * inv;
    }
}

/* ---- the parallel stages ---- */

/* eta = x beta over piece 'k', and its maximum. */
static void stage_eta(fitdata *f, size_t k)
{
    size_t p = f->p;
    double mx = -(double)INFINITY;
    for (size_t i = f->pstart[k]; i < f->pstart[k + 1]; i++) {
        const double *xi = f->x + i * p;
        double e = 0;
        for (size_t a = 0; a < p; a++)
            e += xi[a] * f->beta[a];
        f->eta[i] = e;
        if (e > mx)
            mx = e;
    }
    f->pmax[k] = mx;
}

/* r = exp(eta - shift) over piece 'k', and the piece's sums of r and r x. */
static void stage_exp(fitdata *f, size_t k)
{
    size_t p = f->p;
    double *t = f->ptot + k * (p + 1);
    memset(t, 0, (p + 1) * sizeof *t);
    for (size_t i = f->pstart[k]; i < f->pstart[k + 1]; i++) {
        double r = exp(f->eta[i] - f->shift);
        const double *xi = f->x + i * p;
        f->r[i] = r;
        t[0] += r;
        for (size_t a = 0; a < p; a++)
            t[1 + a] += r * xi[a];
    }
}

/* Sums over the rows of group 'g': censored (C0, C1) and dying (D0, D1). */
static void group_sums(const fitdata *f, size_t g, double *C0, double *C1, double *D0, double *D1)
{
    size_t p = f->p;
    double c0 = 0, d0 = 0;
    memset(C1, 0, p * sizeof *C1);
    memset(D1, 0, p * sizeof *D1);
    for (size_t i = f->gstart[g]; i < f->gstart[g + 1]; i++) {
        double r = f->r[i];
        const double *xi = f->x + i * p;
        double *s = f->event[i] ? D1 : C1;
        if (f->event[i])
            d0 += r;
        else
            c0 += r;
        for (size_t a = 0; a < p; a++)
            s[a] += r * xi[a];
    }
    *C0 = c0;
    *D0 = d0;
}

/* Add w1 a a' + w2 (a b' + b a') + w3 b b' to the lower triangle of 'm'. */
static void add_outer3(double *m, size_t p, const double *a, const double *b, double w1, double w2,
                       double w3)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j <= i; j++)
            m[i * p + j] += w1 * a[i] * a[j] + w2 * (a[i] * b[j] + b[i] * a[j]) + w3 * b[i] * b[j];
}

/* The walk of unit 'u' from its last tie group down: log-likelihood, score and information
 * terms of its event times, and the per-group weights cg, eg of the Gram pass. */
static void stage_scan(fitdata *f, size_t u, double *scr)
{
    size_t p = f->p;
    double *S1 = scr, *C1 = scr + p, *D1 = scr + 2 * p, *mR = scr + 3 * p, *mD = scr + 4 * p;
    const double *sfx = f->usfx + u * (p + 1);
    double S0 = sfx[0], ll = 0;
    double *uu = f->uu + u * p, *im = f->uim + u * f->pp;
    memcpy(S1, sfx + 1, p * sizeof *S1);
    memset(uu, 0, p * sizeof *uu);
    memset(im, 0, f->pp * sizeof *im);
    for (size_t g = f->ustart[u + 1]; g-- > f->ustart[u];) {
        double C0, D0;
        group_sums(f, g, &C0, C1, &D0, D1);
        double R0 = S0 + C0;
        for (size_t a = 0; a < p; a++)
            C1[a] += S1[a]; /* now R1 */
        uint32_t d = f->gdead[g];
        f->cg[g] = f->eg[g] = 0;
        if (d) {
            gstat gs;
            group_stat(R0, D0, d, f->efron, &gs);
            ll += gs.logden;
            f->cg[g] = gs.c;
            f->eg[g] = gs.e;
            for (size_t a = 0; a < p; a++) {
                mR[a] = R0 > 0 ? C1[a] / R0 : 0;
                mD[a] = D0 > 0 ? D1[a] / D0 : 0;
                uu[a] += gs.s1 * mR[a] + gs.sl * mD[a];
            }
            add_outer3(im, p, mR, mD, gs.a11, gs.a12, gs.a22);
        }
        S0 = R0 + D0;
        for (size_t a = 0; a < p; a++)
            S1[a] = C1[a] + D1[a];
    }
    f->ull[u] = ll;
}

/* The weight of row 'i' in the Gram matrix: r_i (C_g - [event] e_g). */
static double gram_weight(const fitdata *f, size_t i)
{
    uint32_t g = f->grp[i];
    return f->r[i] * (f->cg[g] - (f->event[i] ? f->eg[g] : 0));
}

/* The weighted Gram matrix of piece 'k' (lower triangle), four rows at a time so that each
 * load and store of the accumulator serves four products. */
static void stage_gram(fitdata *f, size_t k)
{
    size_t p = f->p, i = f->pstart[k], end = f->pstart[k + 1];
    double *G = f->pgram + k * f->pp;
    memset(G, 0, f->pp * sizeof *G);
    for (; i + 4 <= end; i += 4) {
        double w0 = gram_weight(f, i), w1 = gram_weight(f, i + 1);
        double w2 = gram_weight(f, i + 2), w3 = gram_weight(f, i + 3);
        const double *x0 = f->x + i * p, *x1 = x0 + p, *x2 = x1 + p, *x3 = x2 + p;
        for (size_t a = 0; a < p; a++) {
            double v0 = w0 * x0[a], v1 = w1 * x1[a], v2 = w2 * x2[a], v3 = w3 * x3[a];
            double *Ga = G + a * p;
            for (size_t b = 0; b <= a; b++)
                Ga[b] += v0 * x0[b] + v1 * x1[b] + v2 * x2[b] + v3 * x3[b];
        }
    }
    for (; i < end; i++) {
        double w = gram_weight(f, i);
        const double *xi = f->x + i * p;
        for (size_t a = 0; a < p; a++) {
            double wa = w * xi[a];
            double *Ga = G + a * p;
            for (size_t b = 0; b <= a; b++)
                Ga[b] += wa * xi[b];
        }
    }
}

/* Score residuals, first walk: the unit's sums of h_g = sum_j 1 / den_j and of
 * a_g = sum_j mean_j / den_j. */
static void stage_res1(fitdata *f, size_t u, double *scr)
{
    size_t p = f->p;
    double *S1 = scr, *C1 = scr + p, *D1 = scr + 2 * p;
    const double *sfx = f->usfx + u * (p + 1);
    double S0 = sfx[0], *h = f->uh + u * (p + 1);
    memcpy(S1, sfx + 1, p * sizeof *S1);
    memset(h, 0, (p + 1) * sizeof *h);
    for (size_t g = f->ustart[u + 1]; g-- > f->ustart[u];) {
        double C0, D0;
        group_sums(f, g, &C0, C1, &D0, D1);
        double R0 = S0 + C0;
        for (size_t a = 0; a < p; a++)
            C1[a] += S1[a];
        uint32_t d = f->gdead[g];
        if (d) {
            gstat gs;
            group_stat(R0, D0, d, f->efron, &gs);
            h[0] += gs.c;
            for (size_t a = 0; a < p; a++) {
                double mR = R0 > 0 ? C1[a] / R0 : 0, mD = D0 > 0 ? D1[a] / D0 : 0;
                h[1 + a] += gs.q1 * mR + gs.ql * mD;
            }
        }
        S0 = R0 + D0;
        for (size_t a = 0; a < p; a++)
            S1[a] = C1[a] + D1[a];
    }
}

/* Score residuals, second walk: each row's residual L_i and the unit's sums of L_i and
 * L_i L_i'. The cumulative hazard terms H = sum of h_g and A = sum of a_g over the event
 * times up to the row's time come from the prefix through the unit less the later groups. */
static void stage_res2(fitdata *f, size_t u, double *scr)
{
    size_t p = f->p;
    double *S1 = scr, *C1 = scr + p, *D1 = scr + 2 * p, *mR = scr + 3 * p, *mD = scr + 4 * p;
    double *Al = scr + 5 * p, *A = scr + 6 * p, *L = scr + 7 * p;
    const double *sfx = f->usfx + u * (p + 1), *thru = f->uh + u * (p + 1);
    double S0 = sfx[0], Hl = 0;
    double *ul = f->ul + u * p, *um = f->um + u * f->pp;
    memcpy(S1, sfx + 1, p * sizeof *S1);
    memset(Al, 0, p * sizeof *Al);
    memset(ul, 0, p * sizeof *ul);
    memset(um, 0, f->pp * sizeof *um);
    for (size_t g = f->ustart[u + 1]; g-- > f->ustart[u];) {
        double C0, D0;
        group_sums(f, g, &C0, C1, &D0, D1);
        double R0 = S0 + C0;
        for (size_t a = 0; a < p; a++)
            C1[a] += S1[a];
        uint32_t d = f->gdead[g];
        gstat gs;
        memset(&gs, 0, sizeof gs);
        if (d)
            group_stat(R0, D0, d, f->efron, &gs);
        for (size_t a = 0; a < p; a++) {
            mR[a] = R0 > 0 ? C1[a] / R0 : 0;
            mD[a] = D0 > 0 ? D1[a] / D0 : 0;
            A[a] = thru[1 + a] - Al[a];
        }
        double H = thru[0] - Hl;
        for (size_t i = f->gstart[g]; i < f->gstart[g + 1]; i++) {
            const double *xi = f->x + i * p;
            double r = f->r[i];
            if (f->event[i]) {
                double Hd = H - gs.e;
                for (size_t a = 0; a < p; a++) {
                    double mbar = (gs.s1 * mR[a] + gs.sl * mD[a]) / (double)d;
                    double Ad = A[a] - (gs.qf1 * mR[a] + gs.qfl * mD[a]);
                    L[a] = xi[a] - mbar - r * (xi[a] * Hd - Ad);
                }
            } else {
                for (size_t a = 0; a < p; a++)
                    L[a] = -r * (xi[a] * H - A[a]);
            }
            for (size_t a = 0; a < p; a++) {
                ul[a] += L[a];
                for (size_t b = 0; b <= a; b++)
                    um[a * p + b] += L[a] * L[b];
            }
        }
        Hl += gs.c;
        for (size_t a = 0; a < p; a++) {
            Al[a] += gs.q1 * mR[a] + gs.ql * mD[a];
            S1[a] = C1[a] + D1[a];
        }
        S0 = R0 + D0;
    }
}

/* A worker: takes items of the current stage until none are left. */
static void worker(void *arg, int k)
{
    fitdata *f = arg;
    double *scr = f->scr + (size_t)k * 8 * f->p;
    size_t count = f->stage == S_SCAN || f->stage == S_RES1 || f->stage == S_RES2 ? f->nu : f->npc;
    for (;;) {
        size_t i = atomic_fetch_add(&f->next, 1);
        if (i >= count)
            return;
        switch (f->stage) {
        case S_ETA:
            stage_eta(f, i);
            break;
        case S_EXP:
            stage_exp(f, i);
            break;
        case S_SCAN:
            stage_scan(f, i, scr);
            break;
        case S_GRAM:
            stage_gram(f, i);
            break;
        case S_RES1:
            stage_res1(f, i, scr);
            break;
        case S_RES2:
            stage_res2(f, i, scr);
            break;
        }
    }
}

static void run_stage(fitdata *f, stage s)
{
    size_t count = s == S_SCAN || s == S_RES1 || s == S_RES2 ? f->nu : f->npc;
    f->stage = s;
    atomic_store(&f->next, 0);
    int t = f->threads;
    if ((size_t)t > count)
        t = (int)count;
    rt_parallel(t > 0 ? t : 1, worker, f);
}

/* ---- one evaluation ---- */

/* Risk scores at 'beta': eta, its maximum, r, and each unit's suffix sums. */
static void risk(fitdata *f, const double *beta)
{
    size_t p = f->p;
    f->beta = beta;
    run_stage(f, S_ETA);
    double mx = -(double)INFINITY;
    for (size_t k = 0; k < f->npc; k++)
        if (f->pmax[k] > mx)
            mx = f->pmax[k];
    f->shift = isfinite(mx) ? mx : 0;
    run_stage(f, S_EXP);
    /* unit totals go into usfx[u] first, then become the sums of the later units */
    memset(f->usfx, 0, f->nu * (p + 1) * sizeof *f->usfx);
    for (size_t k = 0; k < f->npc; k++) {
        double *t = f->usfx + (size_t)f->punit[k] * (p + 1);
        for (size_t a = 0; a <= p; a++)
            t[a] += f->ptot[k * (p + 1) + a];
    }
    double *next = f->scr; /* the running total of the later units */
    memset(next, 0, (p + 1) * sizeof *next);
    for (size_t u = f->nu; u-- > 0;) {
        double *t = f->usfx + u * (p + 1);
        for (size_t a = 0; a <= p; a++) {
            double own = t[a];
            t[a] = next[a];
            next[a] += own;
        }
        if (f->unew[u])
            memset(next, 0, (p + 1) * sizeof *next);
    }
}

/* Log partial likelihood, score 'u' and information 'imat' (p x p, full) at 'beta', in the
 * scaled coordinates. Returns the log-likelihood. */
static double evaluate(fitdata *f, const double *beta, double *u, double *imat)
{
    size_t p = f->p;
    risk(f, beta);
    run_stage(f, S_SCAN);
    double C = 0;
    for (size_t g = 0; g < f->ng; g++) {
        if (f->gnew[g])
            C = 0;
        C += f->cg[g];
        f->cg[g] = C;
    }
    run_stage(f, S_GRAM);
    double ll = 0;
    for (size_t a = 0; a < p; a++) {
        ll += beta[a] * f->xdeath[a];
        u[a] = f->xdeath[a];
    }
    memset(imat, 0, f->pp * sizeof *imat);
    for (size_t k = 0; k < f->npc; k++)
        for (size_t q = 0; q < f->pp; q++)
            imat[q] += f->pgram[k * f->pp + q];
    for (size_t v = 0; v < f->nu; v++) {
        ll -= f->ull[v];
        for (size_t a = 0; a < p; a++)
            u[a] -= f->uu[v * p + a];
        for (size_t q = 0; q < f->pp; q++)
            imat[q] -= f->uim[v * f->pp + q];
    }
    ll -= (double)f->ndeath * f->shift;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < a; b++)
            imat[b * p + a] = imat[a * p + b];
    return ll;
}

/* Sum of the score residuals 'sl' and of their outer products 'm' (full) at 'beta'. */
static void residuals(fitdata *f, const double *beta, double *sl, double *m)
{
    size_t p = f->p;
    risk(f, beta);
    run_stage(f, S_RES1);
    double *run = f->scr;
    memset(run, 0, (p + 1) * sizeof *run);
    for (size_t u = 0; u < f->nu; u++) {
        if (f->unew[u])
            memset(run, 0, (p + 1) * sizeof *run);
        double *h = f->uh + u * (p + 1);
        for (size_t a = 0; a <= p; a++) {
            run[a] += h[a];
            h[a] = run[a];
        }
    }
    run_stage(f, S_RES2);
    memset(sl, 0, p * sizeof *sl);
    memset(m, 0, f->pp * sizeof *m);
    for (size_t u = 0; u < f->nu; u++) {
        for (size_t a = 0; a < p; a++)
            sl[a] += f->ul[u * p + a];
        for (size_t q = 0; q < f->pp; q++)
            m[q] += f->um[u * f->pp + q];
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < a; b++)
            m[b * p + a] = m[a * p + b];
}

/* ---- linear algebra: R's cholesky2 / chsolve2 / chinv2 conventions ---- */

/* LDL' of the symmetric 'a' (p x p, full, overwritten: L below the diagonal, D on it).
 * Pivots below toler * the largest diagonal are set to 0 and flagged in 'sing' (may be
 * NULL). Returns the rank. */
static size_t chol(double *a, size_t p, double toler, unsigned char *sing)
{
    double eps = 0;
    for (size_t i = 0; i < p; i++)
        if (a[i * p + i] > eps)
            eps = a[i * p + i];
    eps = eps == 0 ? toler : eps * toler;
    size_t rank = 0;
    for (size_t i = 0; i < p; i++) {
        double piv = a[i * p + i];
        if (sing)
            sing[i] = 0;
        if (!isfinite(piv) || piv < eps) {
            a[i * p + i] = 0;
            if (sing)
                sing[i] = 1;
            continue;
        }
        rank++;
        for (size_t j = i + 1; j < p; j++) {
            double t = a[j * p + i] / piv;
            a[j * p + i] = t;
            a[j * p + j] -= t * t * piv;
            for (size_t k = j + 1; k < p; k++)
                a[k * p + j] -= t * a[k * p + i];
        }
    }
    return rank;
}

/* Solve (LDL') y = b in place, with 0 for the singular components. */
static void chsolve(const double *a, size_t p, double *b)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            b[i] -= a[i * p + j] * b[j];
    for (size_t i = p; i-- > 0;) {
        if (a[i * p + i] == 0) {
            b[i] = 0;
            continue;
        }
        b[i] /= a[i * p + i];
        for (size_t j = i + 1; j < p; j++)
            b[i] -= a[j * p + i] * b[j];
    }
}

/* The inverse of the factored matrix into 'inv' (p x p, full), by solving for each unit
 * vector; rows and columns of singular components are 0. */
static void chinv(const double *a, size_t p, double *inv)
{
    for (size_t c = 0; c < p; c++) {
        double *col = inv + c * p;
        memset(col, 0, p * sizeof *col);
        col[c] = 1;
        chsolve(a, p, col);
    }
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            inv[i * p + j] = inv[j * p + i] = (inv[i * p + j] + inv[j * p + i]) / 2;
}

/* b' M^-1 b for the symmetric 'm' (copied into 'work'), as R's coxph.wtest. */
static double wtest(const double *m, const double *b, size_t p, double *work, double *tmp)
{
    memcpy(work, m, p * p * sizeof *work);
    chol(work, p, TOLER_CHOL, NULL);
    memcpy(tmp, b, p * sizeof *tmp);
    chsolve(work, p, tmp);
    double s = 0;
    for (size_t a = 0; a < p; a++)
        s += b[a] * tmp[a];
    return s;
}

/* ---- preparing the sorted data ---- */

/* R's aeqSurv on the sorted times 'ts' (n): times closer than AEQ_TOL (absolutely, or
 * relative to the mean absolute unique time) become the first of their run. */
static void aeq_times(double *ts, size_t n)
{
    double sum = 0;
    size_t nu = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || ts[i] != ts[i - 1]) {
            sum += fabs(ts[i]);
            nu++;
        }
    double mean = sum / (double)nu, cut = ts[0], prev = ts[0];
    for (size_t i = 1; i < n; i++) {
        double y = ts[i];
        if (y != prev) {
            double dy = y - prev;
            if (!(dy <= AEQ_TOL || dy / mean <= AEQ_TOL))
                cut = y;
            prev = y;
        }
        ts[i] = cut;
    }
}

/* R's centring and scaling (coxph's nocenter = c(-1, 0, 1)): a column whose values are all
 * -1, 0 or 1 is used as it is; any other is centred at its mean and multiplied by
 * n / sum |x - mean| (1 when that sum is 0). Two passes over the rows. */
static int center_scale(const rt_cox_fit_in *in, double *mean, double *scale)
{
    size_t n = in->n, p = in->p;
    unsigned char *zero_one = rt_mem_array(NULL, p, 1);
    if (!zero_one)
        return -1;
    memset(zero_one, 1, p);
    memset(mean, 0, p * sizeof *mean);
    memset(scale, 0, p * sizeof *scale); /* sums of |x - mean| for now */
    for (size_t i = 0; i < n; i++) {
        const double *xi = in->x + i * p;
        for (size_t a = 0; a < p; a++) {
            double v = xi[a];
            zero_one[a] &= v == 0 || v == 1 || v == -1;
            mean[a] += v;
        }
    }
    for (size_t a = 0; a < p; a++)
        mean[a] = zero_one[a] ? 0 : mean[a] / (double)n;
    for (size_t i = 0; i < n; i++) {
        const double *xi = in->x + i * p;
        for (size_t a = 0; a < p; a++)
            scale[a] += fabs(xi[a] - mean[a]);
    }
    for (size_t a = 0; a < p; a++)
        scale[a] = zero_one[a] || scale[a] == 0 ? 1 : (double)n / scale[a];
    rt_mem_free(NULL, zero_one);
    return 0;
}

/* Rows of the input and their places in sorted order, for scatter_rows. */
typedef struct scatter {
    const rt_cox_fit_in *in;
    fitdata *f;
    const double *atime; /* time of each input row after aeqSurv */
    const uint32_t *pos; /* sorted place of each input row */
    int parts;
} scatter;

/* Copy slice 'k' of the input rows (of sc->parts equal slices) to their sorted places,
 * centred and scaled. */
static void scatter_rows(void *arg, int k)
{
    const scatter *sc = arg;
    const rt_cox_fit_in *in = sc->in;
    fitdata *f = sc->f;
    size_t n = in->n, p = in->p, lo = n * (size_t)k / (size_t)sc->parts,
           hi = n * (size_t)(k + 1) / (size_t)sc->parts;
    for (size_t i = lo; i < hi; i++) {
        size_t at = sc->pos[i];
        f->time[at] = sc->atime[i];
        f->event[at] = in->event[i];
        const double *xi = in->x + i * p;
        double *xo = f->x + at * p;
        for (size_t a = 0; a < p; a++)
            xo[a] = (xi[a] - f->mean[a]) * f->scale[a];
    }
}

/* Items of about 'want' rows, more when p x p matrices per item would exceed the budget. */
static size_t item_rows(size_t n, size_t pp, size_t want)
{
    double most = ITEM_BUDGET / (double)(pp ? pp : 1);
    if (most < 1)
        most = 1;
    size_t need = (size_t)ceil((double)n / most);
    return need > want ? need : want;
}

static void fitdata_free(fitdata *f)
{
    void *ptrs[] = {f->x,    f->time,   f->event,  f->gstart, f->grp,   f->gdead,
                    f->gnew, f->ustart, f->unew,   f->pstart, f->punit, f->sstart,
                    f->mean, f->scale,  f->xdeath, f->eta,    f->r,     f->pmax,
                    f->ptot, f->pgram,  f->usfx,   f->ull,    f->uu,    f->uim,
                    f->cg,   f->eg,     f->uh,     f->ul,     f->um,    f->scr};
    for (size_t i = 0; i < sizeof ptrs / sizeof *ptrs; i++)
        rt_mem_free(NULL, ptrs[i]);
}

/* Sort the rows, merge near-equal times, centre and scale, and lay out groups, units and
 * pieces. Returns 0 or -1 (out of memory). */
static int prepare(fitdata *f, const rt_cox_fit_in *in)
{
    size_t n = in->n, p = in->p;
    f->n = n;
    f->p = p;
    f->pp = p * p;
    f->efron = in->efron;
    f->threads = in->threads > 0 ? in->threads : 1;
    uint32_t *idx = rt_mem_array(NULL, n, sizeof *idx);
    double *atime = rt_mem_array(NULL, n, sizeof *atime);
    f->x = rt_mem_array(NULL, n, p * sizeof *f->x);
    f->time = rt_mem_array(NULL, n, sizeof *f->time);
    f->event = rt_mem_array(NULL, n, 1);
    f->grp = rt_mem_array(NULL, n, sizeof *f->grp);
    f->mean = rt_mem_array(NULL, p, sizeof *f->mean);
    f->scale = rt_mem_array(NULL, p, sizeof *f->scale);
    f->xdeath = rt_mem_calloc(NULL, p, sizeof *f->xdeath);
    if (!idx || !atime || !f->x || !f->time || !f->event || !f->grp || !f->mean || !f->scale ||
        !f->xdeath || rt_order_doubles(in->time, n, idx, NULL) != 0)
        goto fail;
    /* aeqSurv over all rows (R applies it before the strata split) */
    for (size_t k = 0; k < n; k++)
        f->time[k] = in->time[idx[k]];
    aeq_times(f->time, n);
    for (size_t k = 0; k < n; k++)
        atime[idx[k]] = f->time[k];
    if (in->stratum && rt_order_by_code(idx, n, in->stratum, in->nstrata, NULL) != 0)
        goto fail;
    if (center_scale(in, f->mean, f->scale) != 0)
        goto fail;
    /* scatter the rows to their sorted places: reads in order, writes at random (a gather
     * would stall on every read); threads take equal slices, each row written once */
    uint32_t *pos = rt_mem_array(NULL, n, sizeof *pos);
    if (!pos)
        goto fail;
    for (size_t k = 0; k < n; k++)
        pos[idx[k]] = (uint32_t)k;
    scatter sc = {in, f, atime, pos, n >= 65536 ? f->threads : 1};
    rt_parallel(sc.parts, scatter_rows, &sc);
    rt_mem_free(NULL, pos);
    for (size_t k = 0; k < n; k++) {
        if (!f->event[k])
            continue;
        for (size_t a = 0; a < p; a++)
            f->xdeath[a] += f->x[k * p + a];
        f->ndeath++;
    }
    /* tie groups and strata */
    size_t ng = 0, ns = 0;
    for (size_t k = 0; k < n; k++) {
        int snew = k == 0 || (in->stratum && in->stratum[idx[k]] != in->stratum[idx[k - 1]]);
        ns += (size_t)snew;
        ng += (size_t)(snew || f->time[k] != f->time[k - 1]);
    }
    f->gstart = rt_mem_array(NULL, ng + 1, sizeof *f->gstart);
    f->gdead = rt_mem_calloc(NULL, ng, sizeof *f->gdead);
    f->gnew = rt_mem_array(NULL, ng, 1);
    f->sstart = rt_mem_array(NULL, ns + 1, sizeof *f->sstart);
    if (!f->gstart || !f->gdead || !f->gnew || !f->sstart)
        goto fail;
    size_t g = 0, s = 0;
    for (size_t k = 0; k < n; k++) {
        int snew = k == 0 || (in->stratum && in->stratum[idx[k]] != in->stratum[idx[k - 1]]);
        if (snew)
            f->sstart[s++] = k;
        if (snew || f->time[k] != f->time[k - 1]) {
            f->gnew[g] = (unsigned char)snew;
            f->gstart[g++] = k;
        }
        f->grp[k] = (uint32_t)(g - 1);
        f->gdead[g - 1] += f->event[k];
    }
    f->gstart[ng] = n;
    f->sstart[ns] = n;
    f->ng = ng;
    f->nstrata = ns;
    /* units: whole groups, at least unit_rows rows unless the stratum ends */
    size_t urows = item_rows(n, f->pp, UNIT_ROWS), prows = item_rows(n, f->pp, PIECE_ROWS);
    f->ustart = rt_mem_array(NULL, ng + 1, sizeof *f->ustart);
    f->unew = rt_mem_array(NULL, ng, 1);
    if (!f->ustart || !f->unew)
        goto fail;
    size_t nu = 0, rows = 0;
    for (g = 0; g < ng; g++) {
        if (g == 0 || f->gnew[g] || rows >= urows) {
            f->unew[nu] = f->gnew[g];
            f->ustart[nu++] = g;
            rows = 0;
        }
        rows += f->gstart[g + 1] - f->gstart[g];
    }
    f->ustart[nu] = ng;
    f->nu = nu;
    /* pieces: each unit cut into runs of at most prows rows */
    size_t npc = 0;
    for (size_t u = 0; u < nu; u++) {
        size_t len = f->gstart[f->ustart[u + 1]] - f->gstart[f->ustart[u]];
        npc += (len + prows - 1) / prows;
    }
    f->pstart = rt_mem_array(NULL, npc + 1, sizeof *f->pstart);
    f->punit = rt_mem_array(NULL, npc, sizeof *f->punit);
    if (!f->pstart || !f->punit)
        goto fail;
    size_t k = 0;
    for (size_t u = 0; u < nu; u++)
        for (size_t a = f->gstart[f->ustart[u]], b = f->gstart[f->ustart[u + 1]]; a < b;
             a += prows) {
            f->pstart[k] = a;
            f->punit[k++] = (uint32_t)u;
        }
    f->pstart[npc] = n;
    f->npc = npc;
    /* work space */
    f->eta = rt_mem_array(NULL, n, sizeof *f->eta);
    f->r = rt_mem_array(NULL, n, sizeof *f->r);
    f->pmax = rt_mem_array(NULL, npc, sizeof *f->pmax);
    f->ptot = rt_mem_array(NULL, npc, (p + 1) * sizeof *f->ptot);
    f->pgram = rt_mem_array(NULL, npc, f->pp * sizeof *f->pgram);
    f->usfx = rt_mem_array(NULL, nu, (p + 1) * sizeof *f->usfx);
    f->ull = rt_mem_array(NULL, nu, sizeof *f->ull);
    f->uu = rt_mem_array(NULL, nu, p * sizeof *f->uu);
    f->uim = rt_mem_array(NULL, nu, f->pp * sizeof *f->uim);
    f->cg = rt_mem_array(NULL, ng, sizeof *f->cg);
    f->eg = rt_mem_array(NULL, ng, sizeof *f->eg);
    f->scr = rt_mem_array(NULL, (size_t)f->threads * 8, p * sizeof *f->scr);
    if (!f->eta || !f->r || !f->pmax || !f->ptot || !f->pgram || !f->usfx || !f->ull || !f->uu ||
        !f->uim || !f->cg || !f->eg || !f->scr)
        goto fail;
    rt_mem_free(NULL, idx);
    rt_mem_free(NULL, atime);
    return 0;
fail:
    rt_mem_free(NULL, idx);
    rt_mem_free(NULL, atime);
    return -1;
}

/* ---- the fit ---- */

/* A list "'a', 'b'" of the flagged column names, cut to fit 'size'. */
static void name_list(const rt_cox_fit_in *in, const unsigned char *flag, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (size_t a = 0; a < in->p; a++) {
        if (!flag[a])
            continue;
        int w = snprintf(buf + at, size - at, "%s'%s'", at ? ", " : "", in->name[a]);
        if (w < 0 || (size_t)w >= size - at) {
            if (size > 8)
                strcpy(buf + size - 8, ", ...");
            return;
        }
        at += (size_t)w;
    }
}

typedef struct newton {
    double *beta, *newbeta, *u, *imat, *fact, *tmp;
    unsigned char *sing;
} newton;

static rt_status singular(const rt_cox_fit_in *in, const unsigned char *sing, int iter,
                          rt_error *err)
{
    char names[300];
    name_list(in, sing, names, sizeof names);
    if (iter == 0)
        return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                       "cox: singular design: %s %s constant or a linear combination of the "
                       "covariates before %s; leave %s out",
                       names, strchr(names, ',') ? "are" : "is", strchr(names, ',') ? "them" : "it",
                       strchr(names, ',') ? "them" : "it");
    return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                   "cox: the information matrix became singular at iteration %d for %s: "
                   "perfect separation? (the coefficients may be infinite)",
                   iter, names);
}

/* Newton-Raphson as coxfit6. On success beta, var (inverse information), loglik and the
 * score test are set in scaled coordinates. */
static rt_status iterate(fitdata *f, const rt_cox_fit_in *in, newton *w, rt_cox_fit *out,
                         rt_error *err)
{
    size_t p = f->p;
    memset(w->beta, 0, p * sizeof *w->beta);
    out->loglik0 = evaluate(f, w->beta, w->u, w->imat);
    memcpy(w->fact, w->imat, f->pp * sizeof *w->fact);
    if (chol(w->fact, p, TOLER_CHOL, w->sing) < p)
        return singular(in, w->sing, 0, err);
    memcpy(w->tmp, w->u, p * sizeof *w->tmp);
    chsolve(w->fact, p, w->tmp);
    out->score = 0;
    for (size_t a = 0; a < p; a++) {
        out->score += w->u[a] * w->tmp[a];
        w->newbeta[a] = w->tmp[a];
    }
    if (!isfinite(out->loglik0))
        return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                       "cox: the log-likelihood at beta = 0 is not finite");
    double best = out->loglik0, newlk = best, change = 0;
    int halving = 0;
    for (int iter = 1; iter <= in->max_iter; iter++) {
        newlk = evaluate(f, w->newbeta, w->u, w->imat);
        memcpy(w->fact, w->imat, f->pp * sizeof *w->fact);
        size_t rank = chol(w->fact, p, TOLER_CHOL, w->sing);
        int notfinite = !isfinite(newlk);
        for (size_t q = 0; q < f->pp && !notfinite; q++)
            notfinite = !isfinite(w->imat[q]);
        for (size_t a = 0; a < p && !notfinite; a++)
            notfinite = !isfinite(w->u[a]);
        change = fabs(1 - best / newlk);
        if (!notfinite && change <= in->eps) {
            if (rank < p)
                return singular(in, w->sing, iter, err);
            memcpy(w->beta, w->newbeta, p * sizeof *w->beta);
            out->loglik = newlk;
            out->iter = iter;
            return RT_OK;
        }
        if (notfinite || newlk < best) {
            halving++; /* R grows more cautious while it keeps failing */
            for (size_t a = 0; a < p; a++)
                w->newbeta[a] = (w->newbeta[a] + halving * w->beta[a]) / (halving + 1.0);
        } else {
            if (rank < p)
                return singular(in, w->sing, iter, err);
            halving = 0;
            best = newlk;
            memcpy(w->tmp, w->u, p * sizeof *w->tmp);
            chsolve(w->fact, p, w->tmp);
            for (size_t a = 0; a < p; a++) {
                w->beta[a] = w->newbeta[a];
                w->newbeta[a] += w->tmp[a];
            }
        }
    }
    /* Name the coefficients still moving: the last Newton step (in w->tmp, scaled) is large
     * against the coefficient itself, R's "may be infinite" rule. */
    size_t nflag = 0;
    for (size_t a = 0; a < p; a++) {
        double step = fabs(w->tmp[a] * f->scale[a]), coef = w->newbeta[a] * f->scale[a];
        w->sing[a] = (unsigned char)(!isfinite(step) ||
                                     (step > in->eps && step > sqrt(in->eps) * fabs(coef)));
        nflag += w->sing[a];
    }
    char names[300] = "";
    if (nflag)
        name_list(in, w->sing, names, sizeof names);
    return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                   "cox: no convergence after %d iterations (log-likelihood %.10g, last "
                   "relative change %.3g, tol %g)%s%s%s%s",
                   in->max_iter, newlk, change, in->eps, nflag ? "; still growing: " : "", names,
                   nflag ? " (perfect separation? the coefficients may be infinite)" : "",
                   !nflag && fabs(newlk) < 1e-6 * fabs(out->loglik0)
                       ? ": the log-likelihood tends to 0, the covariates predict the order of "
                         "events exactly (perfect separation)"
                       : "");
}

/* R's check after convergence: a coefficient whose remaining Newton step (u' var)_j exceeds
 * eps and sqrt(eps) |beta_j| "may be infinite" (R warns "Loglik converged before variable").
 * Here it is an error naming the covariates. 'step' holds var u in scaled coordinates. */
static rt_status check_infinite(const fitdata *f, const rt_cox_fit_in *in, const double *step,
                                const double *beta_s, unsigned char *flag, rt_error *err)
{
    size_t p = f->p, nflag = 0;
    double tinf = sqrt(in->eps);
    for (size_t a = 0; a < p; a++) {
        double inf = fabs(step[a] * f->scale[a]), coef = beta_s[a] * f->scale[a];
        flag[a] = (unsigned char)(!isfinite(inf) || (inf > in->eps && inf > tinf * fabs(coef)));
        nflag += flag[a];
    }
    if (!nflag)
        return RT_OK;
    char names[300];
    name_list(in, flag, names, sizeof names);
    return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                   "cox: the coefficient%s of %s may be infinite: the log-likelihood converged "
                   "while %s still growing (perfect separation: the covariate predicts the "
                   "order of events exactly?)",
                   nflag > 1 ? "s" : "", names, nflag > 1 ? "they were" : "it was");
}

rt_status rt_cox_fit_run(const rt_cox_fit_in *in, rt_cox_fit *out, rt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!in || !in->x || !in->time || !in->event || in->p == 0 || in->n == 0 || !in->name ||
        in->max_iter < 1 || !(in->eps > 0))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "cox fit: bad arguments");
    if (in->n >= UINT32_MAX)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "cox: too many rows (%zu)", in->n);
    size_t p = in->p, events = 0;
    for (size_t i = 0; i < in->n; i++)
        events += in->event[i] != 0;
    if (events == 0)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "cox: no events among the %zu rows used (every row is censored)", in->n);
    rt_status st = RT_OK;
    fitdata f;
    memset(&f, 0, sizeof f);
    newton w = {0};
    double *sl = NULL, *m = NULL, *work = NULL;
    out->p = p;
    out->events = events;
    out->rscore = (double)NAN;
    w.beta = rt_mem_array(NULL, p, sizeof *w.beta);
    w.newbeta = rt_mem_array(NULL, p, sizeof *w.newbeta);
    w.u = rt_mem_array(NULL, p, sizeof *w.u);
    w.tmp = rt_mem_array(NULL, p, sizeof *w.tmp);
    w.sing = rt_mem_array(NULL, p, 1);
    w.imat = rt_mem_array(NULL, p, p * sizeof *w.imat);
    w.fact = rt_mem_array(NULL, p, p * sizeof *w.fact);
    out->beta = rt_mem_array(NULL, p, sizeof *out->beta);
    out->var = rt_mem_array(NULL, p, p * sizeof *out->var);
    if (!w.beta || !w.newbeta || !w.u || !w.tmp || !w.sing || !w.imat || !w.fact || !out->beta ||
        !out->var || prepare(&f, in) != 0)
        goto oom;
    if ((st = iterate(&f, in, &w, out, err)) != RT_OK)
        goto out;
    /* w.fact holds the factored information at beta: var, and the remaining step */
    chinv(w.fact, p, out->var);
    memcpy(w.tmp, w.u, p * sizeof *w.tmp);
    chsolve(w.fact, p, w.tmp);
    if ((st = check_infinite(&f, in, w.tmp, w.beta, w.sing, err)) != RT_OK)
        goto out;
    /* Wald: beta' I beta, the information being the inverse of var */
    out->wald = 0;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            out->wald += w.beta[a] * w.imat[a * p + b] * w.beta[b];
    /* concordance of the linear predictor at the fit (eta of the last evaluation) */
    if (rt_concordance_run(f.n, f.time, f.event, f.sstart, f.nstrata, f.eta, f.threads,
                           &out->conc) != RT_OK)
        goto oom;

    if (in->robust) {
        f.uh = rt_mem_array(NULL, f.nu, (p + 1) * sizeof *f.uh);
        f.ul = rt_mem_array(NULL, f.nu, p * sizeof *f.ul);
        f.um = rt_mem_array(NULL, f.nu, f.pp * sizeof *f.um);
        sl = rt_mem_array(NULL, p, sizeof *sl);
        m = rt_mem_array(NULL, p, p * sizeof *m);
        work = rt_mem_array(NULL, p, p * sizeof *work);
        out->rvar = rt_mem_array(NULL, p, p * sizeof *out->rvar);
        if (!f.uh || !f.ul || !f.um || !sl || !m || !work || !out->rvar)
            goto oom;
        residuals(&f, w.beta, sl, m);
        /* rvar = var m var */
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                double s = 0;
                for (size_t c = 0; c < p; c++)
                    s += m[a * p + c] * out->var[c * p + b];
                work[a * p + b] = s;
            }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                double s = 0;
                for (size_t c = 0; c < p; c++)
                    s += out->var[a * p + c] * work[c * p + b];
                out->rvar[a * p + b] = s;
            }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < a; b++)
                out->rvar[a * p + b] = out->rvar[b * p + a] =
                    (out->rvar[a * p + b] + out->rvar[b * p + a]) / 2;
        out->wald = wtest(out->rvar, w.beta, p, work, w.tmp);
        /* robust score test: the residuals at beta = 0 */
        memset(w.newbeta, 0, p * sizeof *w.newbeta);
        residuals(&f, w.newbeta, sl, m);
        out->rscore = wtest(m, sl, p, work, w.tmp);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                out->rvar[a * p + b] *= f.scale[a] * f.scale[b];
    }
    for (size_t a = 0; a < p; a++) {
        out->beta[a] = w.beta[a] * f.scale[a];
        for (size_t b = 0; b < p; b++)
            out->var[a * p + b] *= f.scale[a] * f.scale[b];
    }
    goto out;
oom:
    st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
out:
    fitdata_free(&f);
    rt_mem_free(NULL, w.beta);
    rt_mem_free(NULL, w.newbeta);
    rt_mem_free(NULL, w.u);
    rt_mem_free(NULL, w.tmp);
    rt_mem_free(NULL, w.sing);
    rt_mem_free(NULL, w.imat);
    rt_mem_free(NULL, w.fact);
    rt_mem_free(NULL, sl);
    rt_mem_free(NULL, m);
    rt_mem_free(NULL, work);
    if (st != RT_OK)
        rt_cox_fit_free(out);
    return st;
}

void rt_cox_fit_free(rt_cox_fit *f)
{
    if (!f)
        return;
    rt_mem_free(NULL, f->beta);
    rt_mem_free(NULL, f->var);
    rt_mem_free(NULL, f->rvar);
    f->beta = f->var = f->rvar = NULL;
}
