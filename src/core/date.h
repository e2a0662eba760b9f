/* date.h - calendar arithmetic and date/time parsing on (pointer, length) slices.
 * The CSV loader (load.c) calls these once per date field, so the ISO path never allocates,
 * never touches the locale and never reads past 'n'. Results are UTC day numbers (days since
 * 1970-01-01, proleptic Gregorian) plus seconds since midnight; failures return a static reason.
 * SPDX-License-Identifier: MIT */
#ifndef RT_DATE_H
#define RT_DATE_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of the proleptic Gregorian date 'y'-'m'-'d' ('m' 1..12, 'd' 1..31,
 * not checked against the month). Valid for |y| < 2^50. */
int64_t rt_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The inverse of rt_days_from_civil: the date of day 'z' (|z| < 2^60). */
void rt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* A parsed date or timestamp, always in UTC. */
typedef struct rt_datetime {
    int32_t day;  /* days since 1970-01-01 */
    int32_t sec;  /* seconds since midnight, 0..86399 */
    int has_time; /* 1 if the text had a time of day */
} rt_datetime;

/* Parse an ISO 8601 date or timestamp: YYYY-MM-DD, optionally followed by ' ' or 'T',
 * HH:MM or HH:MM:SS, fractional seconds (truncated; only after seconds), and 'Z', +HH:MM or
 * +HHMM (converted to UTC, which can move the day). Years 0001..9999; second 60 reads as 59.
 * Returns NULL and fills '*out', or returns a static reason and leaves '*out' zeroed. */
const char *rt_date_parse_iso(const char *s, size_t n, rt_datetime *out);

/* Parse integer seconds since 1970-01-01T00:00:00Z (optional leading '-'); has_time = 1.
 * Returns NULL, or a static reason ('*out' zeroed). */
const char *rt_date_parse_epoch(const char *s, size_t n, rt_datetime *out);

/* Most items a compiled date format may hold (%F and %T count as five each). */
#define RT_DATEFMT_MAX 63

/* A compiled strptime-style format: a fixed list of items, no allocation. Fill it with
 * rt_datefmt_compile; the fields are private to date.c. */
typedef struct rt_datefmt {
    unsigned char op[RT_DATEFMT_MAX]; /* conversion letter, or 0 for a literal byte */
    char lit[RT_DATEFMT_MAX];         /* the byte a literal item matches */
    unsigned char count;              /* items in use */
    unsigned char has_time;           /* the format names a time of day (or %s) */
} rt_datefmt;

/* Compile 'fmt' into '*out'. Returns 0, or -1 with a NUL-terminated message in 'why'
 * ('whylen' bytes; may be NULL/0), e.g. "unknown conversion '%q' in date format \"%q-%m\"".
 * The format must name a whole date (year, month and day; or year and %j; or %s). */
int rt_datefmt_compile(const char *fmt, rt_datefmt *out, char *why, size_t whylen);

/* Parse the slice 's'/'n' with the compiled format 'f'; the whole slice must match.
 * Returns NULL and fills '*out', or a static reason ("does not match the date format",
 * "month must be 01-12", ...) with '*out' zeroed. */
const char *rt_date_parse_fmt(const rt_datefmt *f, const char *s, size_t n, rt_datetime *out);

/* Write 'sec' (taken modulo 86400) as "HH:MM:SS" plus NUL into 'buf' (at least 9 bytes). */
void rt_time_format(int32_t sec, char *buf);

#endif
