/* columns.h - finding the columns of a table by role from its header: each role (frequency,
 * recency, time, event, ...) takes the column the user named, else the first of its
 * recognised names that the header has, and no column serves two roles. Shared by the
 * readers of summary and survival tables; errors name the columns the file has.
 * SPDX-License-Identifier: MIT */
#ifndef RT_COLUMNS_H
#define RT_COLUMNS_H

#include "retain.h"

#include <stddef.h>

/* One role. */
typedef struct rt_column_role {
    const char *label;        /* for messages: "recency" */
    const char *want;         /* named by the user; NULL = recognise; "" = not used */
    const char *const *known; /* recognised names, NULL-terminated, in order of preference;
                                 NULL = only when named */
    int required;             /* 1 = an error when the role gets no column */
} rt_column_role;

/* "a, b, c": 'names' joined, cut with "..." to fit 'cap' bytes. */
void rt_columns_list(char *const *names, size_t n, char *buf, size_t cap);

/* Give each of the 'nroles' roles its column of the header 'names' ('ncols' of them) in
 * 'col' (-1 = none): first the roles the user named (an exact match, then ignoring case and
 * surrounding spaces), then the recognised names in order. RT_EDOMAIN, prefixed by 'src' (the
 * input's name): a named column that is missing or named for two roles, or a required role
 * without a column; the messages list the columns the file has. */
rt_status rt_columns_assign(const char *src, char *const *names, size_t ncols,
                            const rt_column_role *roles, size_t nroles, long *col, rt_error *err);

#endif
