/* columns.c - header columns by role (see columns.h).
 * SPDX-License-Identifier: MIT */
#include "io/columns.h"

#include "core/error.h"
#include "io/csv_rows.h"

#include <stdio.h>
#include <string.h>

void rt_columns_list(char *const *names, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + cap - 5, 5, "...");
            return;
        }
        len += (size_t)w;
    }
}

/* The column named 'name' that no role has taken yet: an exact match first, then ignoring
 * case and surrounding spaces; -1 when none. */
static long find_column(char *const *names, size_t ncols, const long *col, size_t nroles,
                        const char *name)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ncols; i++) {
            int taken = 0;
            for (size_t k = 0; k < nroles; k++)
                taken |= col[k] == (long)i;
            if (taken)
                continue;
            if (pass == 0 ? strcmp(names[i], name) == 0 : rt_csv_same_name(names[i], name))
                return (long)i;
        }
    return -1;
}

rt_status rt_columns_assign(const char *src, char *const *names, size_t ncols,
                            const rt_column_role *roles, size_t nroles, long *col, rt_error *err)
{
    char cols[300];
    rt_columns_list(names, ncols, cols, sizeof cols);
    for (size_t k = 0; k < nroles; k++)
        col[k] = -1;
    for (size_t k = 0; k < nroles; k++) {
        const char *want = roles[k].want;
        if (!want || !want[0])
            continue;
        col[k] = find_column(names, ncols, col, nroles, want);
        if (col[k] >= 0)
            continue;
        for (size_t j = 0; j < k; j++)
            if (roles[j].want && strcmp(roles[j].want, want) == 0)
                return rt_fail(err, RT_EDOMAIN, src, 0, 0,
                               "column '%s' is named for both the %s and the %s", want,
                               roles[j].label, roles[k].label);
        return rt_fail(err, RT_EDOMAIN, src, 0, 0,
                       "column '%s' (%s) not found; the columns are: %s", want, roles[k].label,
                       cols);
    }
    for (size_t k = 0; k < nroles; k++) {
        const char *const *known = roles[k].known;
        if (roles[k].want || !known) /* named, or "" = not used, or only when named */
            continue;
        for (size_t j = 0; known[j] && col[k] < 0; j++)
            col[k] = find_column(names, ncols, col, nroles, known[j]);
        if (col[k] < 0 && roles[k].required) {
            char looked[200];
            size_t len = 0;
            looked[0] = '\0';
            for (size_t j = 0; known[j] && len < sizeof looked; j++)
                len += (size_t)snprintf(looked + len, sizeof looked - len, "%s%s", j ? ", " : "",
                                        known[j]);
            return rt_fail(err, RT_EDOMAIN, src, 0, 0,
                           "no %s column (looked for %s); the columns are: %s", roles[k].label,
                           looked, cols);
        }
    }
    return RT_OK;
}
