/* concordance.h - Harrell's C of a risk score against right-censored survival times, with
 * R survival's conventions (concordance(), the "Concordance" of coxph): pair counts, ties
 * and the infinitesimal-jackknife standard error, in O(n log n).
 * SPDX-License-Identifier: MIT */
#ifndef RT_CONCORDANCE_H
#define RT_CONCORDANCE_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rt_concordance {
    double concordant; /* comparable pairs where the earlier event has the higher score */
    double discordant; /* ... the lower score */
    double tied_x;     /* comparable pairs with equal scores */
    double tied_y;     /* pairs of events at the same time with different scores */
    double tied_xy;    /* pairs of events at the same time with equal scores */
    double c;          /* (concordant + tied_x / 2) / (concordant + discordant + tied_x) */
    double se;         /* its standard error (R's infinitesimal jackknife, sqrt(var)) */
} rt_concordance;

/* Concordance of 'score' (higher = higher risk, as a Cox linear predictor) with the times.
 * The rows come in strata, stratum s being rows [sstart[s], sstart[s+1]) (sstart has
 * nstrata + 1 entries; sstart[nstrata] == n), sorted by time ascending within each stratum;
 * only pairs within a stratum count. A pair (i, j) is comparable when i has an event and
 * time_i < time_j, or time_i == time_j and j is censored (censorings at an event time count
 * as later). Scores must not be NaN; n below 2^32. 'threads' >= 1. With no comparable pair,
 * c and se are NaN. Returns RT_OK or RT_ENOMEM. */
rt_status rt_concordance_run(size_t n, const double *time, const unsigned char *event,
                             const size_t *sstart, size_t nstrata, const double *score, int threads,
                             rt_concordance *out);

#endif
