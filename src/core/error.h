/* error.h - filling rt_error: one helper, rt_fail, used at every failure site.
 * SPDX-License-Identifier: MIT */
#ifndef RT_ERROR_H
#define RT_ERROR_H

#include "retain.h"

/* Fill 'err' (may be NULL) with 'code' and a message "path:line:col: <fmt>" (the position
 * parts are left out when 'path' is NULL or 'line'/'col' is 0), and return 'code'. */
rt_status rt_fail(rt_error *err, rt_status code, const char *path, long line, long col,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Like rt_fail with RT_EIO, appending ": strerror(e)" and setting sys_errno. */
rt_status rt_fail_errno(rt_error *err, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear 'err' (may be NULL) to RT_OK. */
void rt_error_clear(rt_error *err);

/* Quote 'len' bytes of 's' for a message: at most 'max' input bytes, control characters and
 * '"' and '\\' escaped, "..." appended when cut. Writes a NUL-terminated string to 'out'
 * (which holds at least 4 * max + 8 bytes). */
void rt_quote(const char *s, size_t len, size_t max, char *out);

#endif
