/* riskset.h - the one sort behind the Kaplan-Meier curves and the log-rank test: rows put in
 * groups (the distinct texts of a column) and sorted by time within each group, and, for the
 * log-rank test, all rows sorted by time with their group. Entries (left truncation) are
 * sorted the same way. Everything after is linear passes over these arrays. Internal.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SURVIVAL_RISKSET_H
#define RT_SURVIVAL_RISKSET_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rt_riskset {
    size_t n;             /* rows used (rows with an empty or NA group value are left out) */
    size_t excluded;      /* rows left out */
    size_t ngroups;       /* >= 1 */
    const char **label;   /* group names in order (borrowed from the data; "" without groups) */
    size_t *gstart;       /* ngroups + 1: group g holds positions gstart[g] .. gstart[g+1]-1 */
    double *time;         /* n: times, by (group, time) */
    unsigned char *event; /* n: their events */
    double *entry;        /* n: entries by (group, entry); NULL without entries */
    /* pooled, with 'pooled' only: */
    double *ptime;         /* n: all times in increasing order */
    unsigned char *pevent; /* their events */
    uint32_t *pgroup;      /* their groups */
    double *pentry;        /* n: all entries in increasing order; NULL without entries */
    uint32_t *pentry_group;
} rt_riskset;

/* Build the sorted arrays of 'd' grouped by further column 'bycol' (-1 = one group), with the
 * pooled arrays when 'pooled'. 'd' has been checked (times >= 0, entries < times, events
 * 0/1). Errors: RT_EDOMAIN (no rows left, more than 2^32 - 1 rows), RT_ENOMEM. On failure
 * 'rs' holds nothing to free. */
rt_status rt_riskset_build(const rt_survdata *d, long bycol, int pooled, rt_riskset *rs,
                           rt_error *err);
void rt_riskset_free(rt_riskset *rs);

#endif
