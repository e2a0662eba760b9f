/* survdata.h - how an rt_survdata holds its memory, shared by its three builders: the table
 * reader (survdata_read.c), tenure from events and from subscriptions (tenure.c). A builder
 * fills the record row by row (text cells as offsets into one growing text block), then
 * rt_survdata_publish turns offsets into pointers, parses every cell as a number and points
 * the public fields at the arrays. Internal: not installed.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SURVIVAL_SURVDATA_H
#define RT_SURVIVAL_SURVDATA_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Where a table came from: what rt_survdata_result reports as its source. */
typedef enum { SV_TABLE = 0, SV_EVENTS, SV_SUBSCRIPTIONS } rt_sv_source;

/* What an rt_survdata owns (its priv_); every array allocated with rt_mem_* (NULL allocator).
 * While building, rows are appended with their text cells and ids as offsets (row-major);
 * rt_survdata_publish makes column-major pointers of them. */
typedef struct rt_sv_mem {
    size_t n, cap;        /* rows, room in the row arrays */
    double *time, *entry; /* entry NULL = none */
    unsigned char *event;
    int32_t *start;             /* NULL = none */
    size_t *idoff;              /* building: offsets of the ids in 'text'; NULL = none */
    const char **id;            /* published: the ids */
    size_t ncols;               /* further columns */
    char **col_name;            /* 'ncols' names, each its own allocation */
    size_t *celloff;            /* building: n * ncols offsets into 'text', row-major */
    const char **cells;         /* published: n * ncols pointers, column-major */
    const char *const **colptr; /* published: ncols pointers to the columns in 'cells' */
    double *nums;               /* published: ncols * n numbers, column-major */
    const double **numptr;      /* published: ncols pointers into 'nums' */
    char *text;                 /* every string, NUL-terminated, one after the other */
    size_t text_len, text_cap;
    /* for rt_survdata_result */
    rt_sv_source source;
    int32_t observed_end, active_window;
    size_t excluded, unmatched;
    int has_attrs;
} rt_sv_mem;

/* A new empty table; '*mem' receives its memory record. The text block starts with an empty
 * string at offset 0 (so offset 0 is ""). NULL when out of memory. */
rt_survdata *rt_survdata_new(rt_sv_mem **mem);

/* Set the further columns' names (copied). Returns 0 or -1 (out of memory). */
int rt_sv_set_columns(rt_sv_mem *m, size_t ncols, const char *const *names);

/* Make room for row 'm->n' in the row arrays (time, event, and entry, start, id, cells when
 * 'with_entry', 'with_start', 'with_id'; the first call decides). Returns 0 or -1. */
int rt_sv_reserve(rt_sv_mem *m, int with_entry, int with_start, int with_id);

/* Append 'len' bytes of 's' (and a NUL) to the text block; '*off' receives the offset (0 for an
 * empty string). Returns 0 or -1 (out of memory). */
int rt_sv_text(rt_sv_mem *m, const char *s, size_t len, size_t *off);

/* Finish the table of 'm->n' rows: cells become column-major pointers, every cell is parsed as
 * a number (NaN when empty or not one), the public fields point at the arrays. Returns 0 or
 * -1 (out of memory; the table stays freeable). */
int rt_survdata_publish(rt_survdata *s);

/* Is the cell text 's' a missing value (R's NA): empty, blank or "NA"? Rows with a missing
 * group, stratum or covariate are left out, as R's na.omit. */
int rt_sv_missing(const char *s);

#endif
