/* btyd_data.h - the per-customer calibration/holdout summary that every buy-till-you-die model
 * is fitted on (DESIGN.md 4.6), and its compression into distinct (x, t_x, T) patterns with
 * counts, so that a fit costs one likelihood term per pattern, not per customer.
 * Internal: not installed, no public API yet. Sits between the event table and model_*.c.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BTYD_DATA_H
#define RT_BTYD_DATA_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Time units, as days per unit. A month is the mean month of the 365.25-day Julian year,
 * 365.25 / 12 = 30.4375 days, so 12 months make one year; it is a fixed length, never a
 * calendar month (times are differences of day numbers divided by the unit). */
#define RT_BTYD_DAY 1.0
#define RT_BTYD_WEEK 7.0
#define RT_BTYD_MONTH (365.25 / 12.0)

/* One customer's summary. Same-day events are one purchase (their amounts summed). With
 * 'first' the customer's first purchase day and 'end' the calibration end (inclusive):
 * calibration purchases are those on days <= end, holdout purchases those after it, up to the
 * end of the data. All times are in units of 'unit_days'. */
typedef struct rt_btyd_cust {
    size_t customer;       /* index of the customer in the event table (0..customers-1) */
    int32_t first_day;     /* first purchase, days since 1970-01-01 */
    double x;              /* repeat purchase days in the calibration period */
    double t_x;            /* (last calibration purchase day - first) / unit; 0 when x = 0 */
    double T;              /* (end - first) / unit */
    double mbar;           /* mean amount of the x repeat purchase days; 0 when x = 0 or the
                              table has no amounts */
    double x_star;         /* purchase days after 'end' */
    double holdout_amount; /* amount of those purchase days; 0 without amounts */
} rt_btyd_cust;

/* Summarise every customer of 'ev' whose first purchase is on or before 'calibration_end'
 * (days since 1970-01-01, inclusive: T counts whole days from the first purchase day to that
 * day, as BTYD's T.cal does). One row per such customer, in the table's customer order;
 * customers first seen after the calibration end are left out, so rt_events_customers(ev) -
 * '*n' of them were excluded, and row.customer gives each row's table index. One linear pass
 * over each customer's rows. On success '*out' owns '*n' rows (free with rt_btyd_cust_free,
 * passing the same 'ev'; allocated through the table's allocator); '*out' is NULL when no
 * customer qualifies. Errors: RT_EMISUSE for a NULL argument or a 'unit_days' that is not
 * finite and > 0, RT_ENOMEM. On failure '*out' is NULL and '*n' 0. */
rt_status rt_btyd_summarize(const rt_events *ev, int32_t calibration_end, double unit_days,
                            rt_btyd_cust **out, size_t *n, rt_error *err);

/* Release rows from rt_btyd_summarize on 'ev'. NULL is a no-op. */
void rt_btyd_cust_free(const rt_events *ev, rt_btyd_cust *rows);

/* Distinct (x, t_x, T) patterns with their total weight, sorted by x, then t_x, then T. */
typedef struct rt_btyd_patterns {
    size_t n;                  /* patterns */
    double *x, *t_x, *T;       /* n entries each */
    double *w;                 /* summed weight (customer count when no weights were given) */
    const rt_allocator *alloc; /* what the arrays were allocated with */
} rt_btyd_patterns;

/* Group the 'n' triples (x[i], t_x[i], T[i]) that are identical (compared as doubles, so
 * equal values computed the same way group together) and sum their weights 'w' ('w' may be
 * NULL: weight 1 each). The order is deterministic (sorted by x, t_x, T) and so are the
 * weight sums (added in input order). On success '*out' owns its arrays (free with
 * rt_btyd_patterns_free); n == 0 gives zero patterns and NULL arrays. Errors: RT_EMISUSE for
 * NULL arrays (with n > 0) or 'out'; RT_EDOMAIN for a NaN or infinite value or a negative
 * weight (the message gives its index); RT_ENOMEM. On failure '*out' is zeroed. */
rt_status rt_btyd_compress(const double *x, const double *t_x, const double *T, const double *w,
                           size_t n, rt_btyd_patterns *out, rt_error *err);

/* Release the arrays of 'p' and zero it. NULL is a no-op. */
void rt_btyd_patterns_free(rt_btyd_patterns *p);

/* Check transaction-model patterns (x, t_x, T, weight w; w NULL = 1 each) before a fit:
 * x >= 0, T > 0, 0 <= t_x <= T, t_x = 0 when x = 0, w >= 0, some customers and some repeat
 * purchases. '*wsum' receives the total weight. RT_EDOMAIN names the first bad pattern,
 * prefixed by 'what' (e.g. "bgnbd fit"). */
rt_status rt_btyd_check(const char *what, const double *x, const double *t_x, const double *T,
                        const double *w, size_t n, double *wsum, rt_error *err);

#endif
