/* events.h - the event table's insides, shared by the loader (load.c) and the sort
 * (events.c). Columns are plain arrays; the customer column exists only until the sort
 * replaces it with per-customer offsets.
 * SPDX-License-Identifier: MIT */
#ifndef RT_EVENTS_H
#define RT_EVENTS_H

#include "core/dict.h"
#include "retain.h"

enum { RT_NFIELDS = 5 }; /* customer, channel, product, order, extra (rt_field) */

/* The loader reads the input in blocks of this size (a record longer than a block grows
 * it). Smaller blocks cost more thread hand-offs; larger ones more scratch memory. */
#define RT_LOAD_BLOCK ((size_t)8 << 20)

struct rt_events {
    const rt_allocator *alloc;
    size_t n;                    /* events */
    size_t cap;                  /* capacity of every column while loading */
    size_t ncust;                /* customers */
    int32_t first_day, last_day; /* the data's span, set once the table is sorted */
    uint64_t *offsets;
    int32_t *day;
    int32_t *sec;               /* NULL when no row had a time of day */
    double *amount;             /* NULL without an amount column, and while loading: */
    uint32_t *amount_half[2];   /* while loading, the low and high 32 bits of each amount, so
                                   the sort moves 4-byte columns only (less peak memory) */
    uint32_t *code[RT_NFIELDS]; /* dictionary codes; [RT_FIELD_CUSTOMER] only while loading */
    rt_strtab dict[RT_NFIELDS];
    char *colname[RT_NFIELDS]; /* header names used (NULL = column absent) */
    char *date_col, *amount_col;
    char *source;
    rt_load_stats stats;
};

/* Sort the loaded rows by (customer, day, second), replacing the packed customer codes in
 * code[RT_FIELD_CUSTOMER] with offsets; number every dictionary by first appearance; net or
 * drop refunds. 'dicts' are the loader's dictionaries (released here). 'threads' >= 1. */
rt_status rt_events_finish(rt_events *ev, rt_dict *dicts, int threads, rt_refund_policy refunds,
                           rt_error *err);

#endif
