/* cdnow.h - the CDNOW calibration summary for the model tests: BTYD's unrounded per-customer
 * cbs (../shared/data/cdnowSummary_cbs.csv, relative to the repository root where tests run;
 * see ../shared/data/README.md), and its (x, t_x, T) patterns compressed with the library's
 * rt_btyd_compress.
 * SPDX-License-Identifier: MIT */
#ifndef RT_TEST_CDNOW_H
#define RT_TEST_CDNOW_H

#include "models/btyd_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CBS_PATH "../shared/data/cdnowSummary_cbs.csv"
#define NCUST_MAX 4000

/* Columns x, t.x, T.cal, x.star, m.x per customer, in file order. */
static double cbs_x[NCUST_MAX], cbs_tx[NCUST_MAX], cbs_T[NCUST_MAX], cbs_xstar[NCUST_MAX],
    cbs_m[NCUST_MAX];
static size_t cbs_n;

/* Read the file (a tiny parser for its six numeric columns). Returns 0, or -1 when the file
 * cannot be read. */
__attribute__((unused)) static int load_cbs(void)
{
    char line[512];
    FILE *f = fopen(CBS_PATH, "r");
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (cbs_n < NCUST_MAX && fgets(line, sizeof line, f)) {
        char *p = strchr(line, ','), *end;
        if (!p)
            break;
        cbs_x[cbs_n] = strtod(p + 1, &end);
        cbs_tx[cbs_n] = strtod(end + 1, &end);
        cbs_T[cbs_n] = strtod(end + 1, &end);
        cbs_xstar[cbs_n] = strtod(end + 1, &end);
        cbs_m[cbs_n] = strtod(end + 1, NULL);
        cbs_n++;
    }
    fclose(f);
    return 0;
}

/* The customers' (x, t_x, T) patterns with counts, sorted (rt_btyd_compress). */
static rt_btyd_patterns cbs_pat;

__attribute__((unused)) static int compress_cbs(void)
{
    return rt_btyd_compress(cbs_x, cbs_tx, cbs_T, NULL, cbs_n, &cbs_pat, NULL) == RT_OK ? 0 : -1;
}

#endif
