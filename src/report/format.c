/* format.c - number and date formatting for the report writers. printf follows the locale's
 * decimal separator (we never call setlocale, but the program may have), so every number is
 * rewritten to use '.' before anyone sees it.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Turn 'n' (the return of snprintf into a RT_FMT_BUF buffer) into a length. */
static size_t clamp_len(int n)
{
    if (n < 0)
        return 0;
    return (size_t)n < RT_FMT_BUF ? (size_t)n : RT_FMT_BUF - 1;
}

/* Rewrite printf's output for a finite number in 'buf' (length 'n') so its decimal point is
 * '.': any byte that is not a digit, a sign or an exponent letter belongs to the locale's
 * separator (which may be several bytes) and the run becomes one '.'. No grouping flag is
 * ever used, so nothing else can appear. Returns the new length. */
static size_t fix_point(char *buf, size_t n)
{
    size_t o = 0;
    int in_sep = 0;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E') {
            buf[o++] = c;
            in_sep = 0;
        } else if (!in_sep) {
            buf[o++] = '.';
            in_sep = 1;
        }
    }
    buf[o] = '\0';
    return o;
}

size_t rt_fmt_double(double v, char *buf)
{
    size_t n = clamp_len(snprintf(buf, RT_FMT_BUF, "%.15g", v));
    /* strtod reads the locale's separator too, so the check runs before the rewrite. */
    if (strtod(buf, NULL) != v)
        n = clamp_len(snprintf(buf, RT_FMT_BUF, "%.17g", v));
    return fix_point(buf, n);
}

/* Drop trailing zeros after a decimal point in 'buf' (length 'n'), and the point itself if
 * nothing follows it; returns the new length. */
static size_t strip_zeros(char *buf, size_t n)
{
    if (!memchr(buf, '.', n))
        return n;
    while (n > 0 && buf[n - 1] == '0')
        n--;
    if (n > 0 && buf[n - 1] == '.')
        n--;
    buf[n] = '\0';
    return n;
}

/* Remove the sign from a printed negative number that rounded to zero ("-0.00" -> "0.00"). */
static size_t drop_negative_zero(char *buf, size_t n)
{
    if (n == 0 || buf[0] != '-' || strpbrk(buf, "123456789"))
        return n;
    memmove(buf, buf + 1, n);
    return n - 1;
}

size_t rt_fmt_double_human(double v, int decimals, char *buf)
{
    double a = fabs(v);
    size_t n;
    if (a >= 1e15 || (decimals < 0 && a != 0 && a < 1e-4)) {
        /* Beyond ordinary magnitudes the exponent form is the readable one. */
        n = fix_point(buf, clamp_len(snprintf(buf, RT_FMT_BUF, "%.4g", v)));
    } else if (decimals >= 0) {
        int d = decimals > 17 ? 17 : decimals; /* %.17f of anything below 1e15 fits */
        n = fix_point(buf, clamp_len(snprintf(buf, RT_FMT_BUF, "%.*f", d, v)));
    } else {
        /* About 4 significant digits, but never fewer than the integer digits and at most
         * two decimals for thousands and up: money amounts stay whole and readable. */
        int d = 2;
        if (a < 1000)
            d = a == 0 ? 0 : 3 - (int)floor(log10(a));
        n = fix_point(buf, clamp_len(snprintf(buf, RT_FMT_BUF, "%.*f", d, v)));
        n = strip_zeros(buf, n);
    }
    return drop_negative_zero(buf, n);
}

size_t rt_fmt_int(int64_t v, char *buf)
{
    return clamp_len(snprintf(buf, RT_FMT_BUF, "%" PRId64, v));
}

size_t rt_fmt_date(int64_t day, char *buf)
{
    if (day < INT32_MIN || day > INT32_MAX) {
        buf[0] = '\0';
        return 0;
    }
    rt_date_format((int32_t)day, buf);
    return strlen(buf);
}
