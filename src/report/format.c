/* format.c - number and date formatting for the report writers. printf follows the locale's
 * decimal separator (we never call setlocale, but the program may have), so every number is
 * rewritten to use '.' before anyone sees it.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include <float.h>
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

/* Digits of 'u' written backwards ending at 'end'; returns the first digit's position. */
static char *digits_back(uint64_t u, char *end)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

/* The fast path of rt_fmt_double: most report values (money, rates rounded by nobody) are a
 * short decimal t / 10^k. With |t| < 2^53 and k <= 22 both are exact doubles and their IEEE
 * quotient is the correctly rounded value of t / 10^k, which is what strtod returns for the
 * text; so if the quotient is 'v', the text reads back as 'v'. The first such k (up to 6)
 * gives the shortest such text, which is also what "%.15g" prints in this range: 'v' is
 * within half an ulp of a decimal with at most 15 significant digits. Returns 0 when the
 * fast path does not apply. */
static size_t short_decimal(double v, char *buf)
{
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (int k = 0; k < 7; k++) {
        double t = nearbyint(a * pow10[k]);
        if (t >= 1e15) /* more than 15 significant digits: not what %.15g would print */
            return 0;
        if (t / pow10[k] != a)
            continue;
        char tmp[32], *end = tmp + sizeof tmp, *p = digits_back((uint64_t)t, end);
        while (end - p <= k) /* at least one digit before the point */
            *--p = '0';
        char *o = buf;
        if (v < 0)
            *o++ = '-';
        size_t whole = (size_t)(end - p) - (size_t)k;
        memcpy(o, p, whole);
        o += whole;
        if (k > 0) {
            *o++ = '.';
            memcpy(o, p + whole, (size_t)k);
            o += k;
        }
        *o = '\0';
        return (size_t)(o - buf);
    }
    return 0;
}

/* 'v' (|v| in [1e-4, 1e15)) rounded to 'prec' (15 or 17) significant digits: '*digits' and
 * the decimal exponent of the first digit. The scaling runs in long double, whose 64-bit
 * mantissa holds every 10^n used exactly and leaves the product within 1/256 of a unit of the
 * last digit; a product that close to a rounding tie is refused (returns 0) and printf
 * decides. Where long double is no wider than double, always refused. */
static int round_digits(double a, int prec, uint64_t *digits, int *exp10)
{
    if (LDBL_MANT_DIG < 64)
        return 0;
    static const long double pow10l[] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,
                                         1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L,
                                         1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L};
    /* the decimal exponent from the binary one: a in [2^(b-1), 2^b) puts log10(a) in
     * [(b-1) log10(2), b log10(2)), so this is the exponent or one less (the loop corrects) */
    int b;
    (void)frexp(a, &b);
    int e = (int)floor((double)(b - 1) * 0.30102999566398120);
    for (int tries = 0; tries < 2; tries++) {
        int n = prec - 1 - e;
        if (n < 0 || n > 22)
            return 0;
        long double m = (long double)a * pow10l[n];
        if (m >= pow10l[prec]) {
            e++;
            continue;
        }
        if (m < pow10l[prec - 1]) {
            e--;
            continue;
        }
        long double fl = floorl(m), frac = m - fl;
        if (fabsl(frac - 0.5L) < 0.01L)
            return 0;
        uint64_t d = (uint64_t)fl + (frac > 0.5L);
        if (d >= (uint64_t)pow10l[prec]) { /* 9.99...5 rounded up to 10.00... */
            d /= 10;
            e++;
        }
        *digits = d;
        *exp10 = e;
        return 1;
    }
    return 0;
}

/* "%.<prec>g" text of digits 'd' ('prec' of them) with first-digit exponent 'e' in [-4,
 * prec): plain notation, trailing zeros (and a bare point) dropped. */
static size_t put_plain(int neg, uint64_t d, int prec, int e, char *buf)
{
    char dig[24], *end = dig + sizeof dig, *p = digits_back(d, end);
    (void)prec;
    size_t nd = (size_t)(end - p);
    while (nd > 1 && p[nd - 1] == '0') /* trailing zeros are never printed by %g */
        nd--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (e < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int z = -1; z > e; z--)
            *o++ = '0';
        memcpy(o, p, nd);
        o += nd;
    } else {
        size_t whole = (size_t)e + 1;
        for (size_t i = 0; i < whole; i++)
            *o++ = i < nd ? p[i] : '0';
        if (nd > whole) {
            *o++ = '.';
            memcpy(o, p + whole, nd - whole);
            o += nd - whole;
        }
    }
    *o = '\0';
    return (size_t)(o - buf);
}

/* The second fast path: "%.15g" if it reads back, else "%.17g", both computed by
 * round_digits; the read-back test is exact because 15 digits over 10^n (n <= 22) is
 * Clinger's fast case, where one IEEE division is the correctly rounded value. */
static size_t round_trip_digits(double v, char *buf)
{
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    static const double pow10d[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t d;
    int e;
    if (!round_digits(a, 15, &d, &e))
        return 0;
    int n = 14 - e;
    if (n >= 0 && n <= 22 && (double)d / pow10d[n] == a)
        return put_plain(v < 0, d, 15, e, buf);
    if (!round_digits(a, 17, &d, &e))
        return 0;
    return put_plain(v < 0, d, 17, e, buf);
}

size_t rt_fmt_double(double v, char *buf)
{
    size_t fast = short_decimal(v, buf);
    if (!fast)
        fast = round_trip_digits(v, buf);
    if (fast)
        return fast;
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
    char tmp[24], *end = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = digits_back(u, end);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(end - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
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
