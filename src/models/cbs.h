/* cbs.h - how an rt_cbs holds its memory, shared by the summary from events (cbs.c) and the
 * summary file reader (cbs_read.c): each array is a separate allocation that the table owns
 * once attached, and rt_cbs_free releases them all. Internal: not installed.
 * SPDX-License-Identifier: MIT */
#ifndef RT_MODELS_CBS_H
#define RT_MODELS_CBS_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* The double columns of a table, in the order of rt_cbs's fields. */
enum { CBS_X, CBS_TX, CBS_T, CBS_MBAR, CBS_W, CBS_XSTAR, CBS_HOLDOUT, CBS_NCOL };

/* What an rt_cbs owns (its priv_); arrays allocated with rt_mem_* and the NULL allocator. */
typedef struct rt_cbs_mem {
    double *col[CBS_NCOL]; /* NULL = absent */
    int32_t *first_day;
    const char **id; /* pointers into 'text' */
    char *text;      /* every id, NUL-terminated, one after the other */
} rt_cbs_mem;

/* A new empty table with every field zero; '*mem' receives its memory record, to which the
 * caller attaches arrays (the table then owns them). NULL when out of memory. */
rt_cbs *rt_cbs_new(rt_cbs_mem **mem);

/* Point the table's public arrays at those attached to its memory record; 'n' rows. */
void rt_cbs_publish(rt_cbs *c, size_t n);

#endif
