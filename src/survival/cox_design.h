/* cox_design.h - the covariate matrix of a Cox model: the rows of an rt_survdata with no
 * missing value, numeric covariates as they are and categorical ones dummy-coded against a
 * reference level, plus the stratum of each row. The fit (cox_fit.c) never sees the table.
 * SPDX-License-Identifier: MIT */
#ifndef RT_COX_DESIGN_H
#define RT_COX_DESIGN_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Most levels a categorical covariate may have (each becomes a column of the model). */
#define RT_COX_MAX_LEVELS 1000

typedef struct rt_cox_design {
    size_t n;       /* rows used */
    size_t dropped; /* rows left out because a covariate or the stratum was missing */
    size_t p;       /* design columns */
    double *x;      /* n * p, row-major, rows in data order */
    double *time;   /* n */
    unsigned char *event;
    uint32_t *stratum; /* n stratum codes, or NULL without strata */
    size_t nstrata;
    size_t *row;          /* n: the data row (0-based) of each row used */
    char **name;          /* p column names: "age", "tgrade=III" */
    unsigned char *dummy; /* p: 1 for a dummy column of a categorical covariate */
    char *refs;           /* "tgrade=II, menostat=Post" (categorical covariates and their
                             reference levels), or NULL when there are none */
} rt_cox_design;

/* Build the design of 'o->covariates' (and 'o->strata', 'o->ref') over 'd'. A value is
 * missing when its text is empty, blank or "NA"; such rows are dropped (counted in
 * 'dropped'), as R's na.omit does. A covariate is numeric when every value used is a finite
 * number, categorical when none is or when a reference level is given for it; a column
 * mixing numbers and text is an error. On failure '*out' is zeroed. Errors: RT_EDOMAIN (an
 * unknown column, no rows left, a single level, too many levels, an unknown reference level,
 * a mixed column, a bad time or event), RT_EMISUSE, RT_ENOMEM. */
rt_status rt_cox_design_build(const rt_survdata *d, const rt_cox_options *o, rt_cox_design *out,
                              rt_error *err);

void rt_cox_design_free(rt_cox_design *des);

#endif
