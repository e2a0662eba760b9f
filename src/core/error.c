/* error.c - building error messages that point at the input.
 * SPDX-License-Identifier: MIT */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *rt_status_name(rt_status code)
{
    switch (code) {
    case RT_OK:
        return "ok";
    case RT_ENOMEM:
        return "out of memory";
    case RT_EIO:
        return "I/O error";
    case RT_EPARSE:
        return "bad input";
    case RT_EDOMAIN:
        return "unusable input";
    case RT_ENOCONV:
        return "no convergence";
    case RT_EMISUSE:
        return "API misuse";
    }
    return "unknown error";
}

void rt_error_clear(rt_error *err)
{
    if (!err)
        return;
    err->code = RT_OK;
    err->sys_errno = 0;
    err->line = err->column = 0;
    err->msg[0] = '\0';
}

/* Write the "path:line:col: " prefix of a message into 'buf'; returns its length. */
static size_t prefix(char *buf, size_t cap, const char *path, long line, long col)
{
    int n = 0;
    if (path && line > 0 && col > 0)
        n = snprintf(buf, cap, "%s:%ld:%ld: ", path, line, col);
    else if (path && line > 0)
        n = snprintf(buf, cap, "%s:%ld: ", path, line);
    else if (path)
        n = snprintf(buf, cap, "%s: ", path);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

rt_status rt_fail(rt_error *err, rt_status code, const char *path, long line, long col,
                  const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->sys_errno = 0;
    err->line = line;
    err->column = col;
    size_t n = prefix(err->msg, sizeof err->msg, path, line, col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof err->msg - n, fmt, ap);
    va_end(ap);
    return code;
}

rt_status rt_fail_errno(rt_error *err, int e, const char *fmt, ...)
{
    if (!err)
        return RT_EIO;
    err->code = RT_EIO;
    err->sys_errno = e;
    err->line = err->column = 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof err->msg)
        snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(e));
    return RT_EIO;
}

void rt_quote(const char *s, size_t len, size_t max, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t take = len < max ? len : max;
    char *o = out;
    *o++ = '"';
    for (size_t i = 0; i < take; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (c == '\r') {
            *o++ = '\\';
            *o++ = 'r';
        } else if (c == '\t') {
            *o++ = '\\';
            *o++ = 't';
        } else if (c < 0x20 || c == 0x7f) {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    if (take < len) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
}
