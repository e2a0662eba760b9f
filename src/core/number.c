/* number.c - strict decimal parsing for the CSV loader: rt_parse_double and rt_parse_int64.
 * Most fields (prices, counts) take Clinger's exact fast path; the rest are rewritten into a
 * canonical digits-and-exponent string on the stack and handed to strtod, so every result is
 * strtod's correctly rounded value while the syntax stays strict and the locale plays no part.
 * SPDX-License-Identifier: MIT */
#include "core/number.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

/* Significant digits kept by the slow path. A value halfway between two doubles has at most
 * 767 significant digits, so keeping 800 and standing in a single '1' for any non-zero rest
 * puts the text on the same side of every such point as the full input: same rounding, and
 * same exactness, hence the same ERANGE verdict. */
#define KEEP_DIGITS 800

/* What a scan of a syntactically valid number found. */
typedef struct scan {
    uint64_t mant; /* the first (at most 19) significant digits as an integer */
    size_t nsig;   /* significant digits, counted from the first non-zero one */
    size_t nfrac;  /* digits after the '.' */
    int64_t exp;   /* the explicit exponent, saturated near +-1e15 */
    int neg;       /* a leading '-' */
} scan;

/* The value of digit 'c', or something above 9 when 'c' is not a digit. */
static inline unsigned dig(char c)
{
    return (unsigned)(unsigned char)c - (unsigned)'0';
}

/* Count digit 'd' into 'sc', keeping the first 19 significant ones in 'sc->mant'. */
static inline void take_digit(scan *sc, unsigned d)
{
    if (sc->nsig || d) {
        if (sc->nsig < 19)
            sc->mant = sc->mant * 10 + d;
        sc->nsig++;
    }
}

/* Check the syntax of 's'/'n' and fill 'sc'. Returns 0, or -1 when it is not a number. */
static int scan_number(const char *s, size_t n, scan *sc)
{
    size_t i = 0, ndig = 0;
    unsigned d;
    sc->mant = 0;
    sc->nsig = sc->nfrac = 0;
    sc->exp = 0;
    sc->neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        sc->neg = s[i] == '-';
        i++;
    }
    for (; i < n && (d = dig(s[i])) <= 9; i++, ndig++)
        take_digit(sc, d);
    if (i < n && s[i] == '.') {
        for (i++; i < n && (d = dig(s[i])) <= 9; i++, ndig++, sc->nfrac++)
            take_digit(sc, d);
    }
    if (ndig == 0)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        int64_t e = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        size_t start = i;
        for (; i < n && (d = dig(s[i])) <= 9; i++)
            if (e < INT64_C(100000000000000)) /* beyond any double; no overflow */
                e = e * 10 + d;
        if (i == start)
            return -1;
        sc->exp = eneg ? -e : e;
    }
    return i == n ? 0 : -1;
}

/* Parse the valid number 's'/'n' (scanned into 'sc') through strtod. The text is rewritten as
 * "[-]<digits>e<exp>": leading zeros and the '.' dropped, digits past KEEP_DIGITS replaced by
 * a sticky '1' when any is non-zero. Returns 0, or -1 when strtod reports ERANGE. */
static int slow_path(const char *s, size_t n, const scan *sc, double *out)
{
    char buf[1 + KEEP_DIGITS + 1 + 2 + 24];
    size_t len = 0, kept = 0;
    int64_t dropped = 0; /* significant digits left out of 'buf' */
    int sticky = 0;      /* one of them was not '0' */
    if (sc->neg)
        buf[len++] = '-';
    for (size_t i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (dig(s[i]) > 9 || (kept == 0 && s[i] == '0'))
            continue; /* sign, '.', leading zero */
        if (kept < KEEP_DIGITS) {
            buf[len++] = s[i];
            kept++;
        } else {
            dropped++;
            sticky |= s[i] != '0';
        }
    }
    int64_t e10 = sc->exp + dropped - (int64_t)sc->nfrac;
    if (sticky) {
        buf[len++] = '1';
        e10--;
    }
    /* With at most 801 digits, any exponent past +-1e9 over- or underflows all the same. */
    if (e10 > 1000000000)
        e10 = 1000000000;
    if (e10 < -1000000000)
        e10 = -1000000000;
    buf[len++] = 'e';
    if (e10 < 0)
        buf[len++] = '-';
    uint64_t u = e10 < 0 ? (uint64_t)-e10 : (uint64_t)e10;
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (k)
        buf[len++] = tmp[--k];
    buf[len] = '\0';

    int saved = errno;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    int range = errno == ERANGE;
    errno = saved;
    if (range || end != buf + len || isinf(v))
        return -1;
    *out = v;
    return 0;
}

/* Exact powers of ten: 10^22 is the largest that a double holds exactly. */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Scan once; zero, then Clinger's fast path, then the canonical strtod fallback. */
int rt_parse_double(const char *s, size_t n, double *out)
{
    scan sc;
    *out = 0.0;
    if (scan_number(s, n, &sc) != 0)
        return -1;
    if (sc.nsig == 0) {
        *out = sc.neg ? -0.0 : 0.0;
        return 0;
    }
#if FLT_EVAL_METHOD == 0 /* double arithmetic is not carried out in a wider type */
    /* Clinger's fast path: the mantissa and 10^|e| are both exact doubles, so one IEEE
     * multiply or divide rounds the exact value once, correctly. */
    const uint64_t two53 = UINT64_C(1) << 53;
    if (sc.nsig <= 19 && sc.mant <= two53) {
        uint64_t m = sc.mant;
        int64_t e10 = sc.exp - (int64_t)sc.nfrac;
        while (e10 > 22 && m <= two53 / 10) { /* 12e30 = 12000000e25: still exact */
            m *= 10;
            e10--;
        }
        if (e10 >= -22 && e10 <= 22) {
            double v = (double)m;
            v = e10 < 0 ? v / exact_pow10[-e10] : v * exact_pow10[e10];
            *out = sc.neg ? -v : v;
            return 0;
        }
    }
#endif
    return slow_path(s, n, &sc, out);
}

/* Accumulate the magnitude in uint64_t against the limit of the sign, so INT64_MIN parses. */
int rt_parse_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    *out = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t u = 0;
    for (; i < n; i++) {
        unsigned d = dig(s[i]);
        if (d > 9 || u > (limit - d) / 10)
            return -1;
        u = u * 10 + d;
    }
    /* -(u - 1) - 1 reaches INT64_MIN without converting 2^63 to int64_t */
    *out = neg && u > 0 ? -(int64_t)(u - 1) - 1 : (int64_t)u;
    return 0;
}
