/* number.h - strict number parsing on (pointer, length) slices, for the CSV loader (load.c).
 * rt_parse_double gives exactly strtod's correctly rounded value but accepts only plain
 * decimal text ([+-]digits[.digits][e[+-]digits]); it never allocates and ignores the locale.
 * SPDX-License-Identifier: MIT */
#ifndef RT_NUMBER_H
#define RT_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Parse the whole slice 's'/'n' (not NUL-terminated; never read past 'n') as a decimal
 * number: optional sign, digits with at most one '.', at least one digit, optional exponent
 * 'e'/'E' with optional sign and at least one digit. No whitespace, separators, hex, inf or
 * nan. Returns 0 and the value strtod would give, or -1 ('*out' = 0) when the text is not
 * such a number or strtod would report ERANGE (overflow, or an inexact denormal/zero). */
int rt_parse_double(const char *s, size_t n, double *out);

/* Parse the whole slice as an optionally signed decimal integer ('+' or '-', then digits).
 * Returns 0, or -1 ('*out' = 0) when malformed or outside int64_t. */
int rt_parse_int64(const char *s, size_t n, int64_t *out);

#endif
