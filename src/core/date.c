/* date.c - day numbers, ISO 8601 / epoch / strptime-style parsing, and date formatting.
 * Parsers work on slices (never reading past 'n'), keep no state, and return a static reason
 * on failure that the loader appends to "column 'date': ". The plain YYYY-MM-DD case is the hot
 * path of every load: it is a handful of byte tests and one rt_days_from_civil call.
 * SPDX-License-Identifier: MIT */
#include "core/date.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

/* ---- reasons (static, so callers may keep the pointer) ---- */

static const char bad_iso[] = "expected a date like 2024-03-31 or 2024-03-31 14:05:00";
static const char bad_epoch[] = "expected epoch seconds (an integer)";
static const char bad_fmt[] = "does not match the date format";
static const char bad_year[] = "year must be 0001-9999";
static const char bad_month[] = "month must be 01-12";
static const char bad_day[] = "day does not exist in that month";
static const char bad_yday[] = "day of year does not exist in that year";
static const char bad_hour[] = "hour must be 00-23";
static const char bad_hour12[] = "hour must be 01-12 with AM/PM";
static const char bad_minute[] = "minute must be 00-59";
static const char bad_second[] = "second must be 00-60";
static const char bad_zone[] = "time zone offset out of range";
static const char bad_epoch_range[] = "epoch seconds out of range";

#define SECS_PER_DAY 86400

/* ---- calendar ---- */

/* Howard Hinnant's days_from_civil: count in 400-year eras of 146097 days, with years
 * starting on March 1 so the leap day is the last day of the (shifted) year. */
int64_t rt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                          /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
    return era * 146097 + doe - 719468;                   /* 0000-03-01 .. 1970-01-01 */
}

/* Howard Hinnant's civil_from_days, the exact inverse of rt_days_from_civil. */
void rt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    unsigned mm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = mm;
    *y = yoe + era * 400 + (mm <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29u : dim[m];
}

/* ---- small scanners ---- */

/* The value of digit 'c', or something above 9 when 'c' is not a digit. */
static inline unsigned dig(char c)
{
    return (unsigned)(unsigned char)c - (unsigned)'0';
}

/* Read the two digits at 'p' into '*v'; returns 0, or -1 if either is not a digit. */
static inline int two_digits(const char *p, unsigned *v)
{
    unsigned a = dig(p[0]), b = dig(p[1]);
    if (a > 9 || b > 9)
        return -1;
    *v = a * 10 + b;
    return 0;
}

/* Match a zone designator at 's' ('n' bytes left): Z, +HH:MM, +HHMM, or '-' for '+'. Stores
 * the sign (-1, 0 for Z, +1) and the unchecked parts; returns the bytes used, 0 if none. */
static size_t match_zone(const char *s, size_t n, int *sign, unsigned *hh, unsigned *mm)
{
    *sign = 0;
    *hh = *mm = 0;
    if (n >= 1 && s[0] == 'Z')
        return 1;
    if (n < 5 || (s[0] != '+' && s[0] != '-') || two_digits(s + 1, hh))
        return 0;
    *sign = s[0] == '-' ? -1 : 1;
    if (s[3] == ':')
        return n >= 6 && two_digits(s + 4, mm) == 0 ? 6 : 0;
    return two_digits(s + 3, mm) == 0 ? 5 : 0;
}

/* Check a zone offset and return it in seconds east of UTC, or -1 (never a real offset, as
 * those are whole minutes) when it is out of range. */
static int32_t zone_seconds(int sign, unsigned hh, unsigned mm)
{
    if (hh > 23 || mm > 59)
        return -1;
    return (int32_t)sign * (int32_t)(hh * 3600 + mm * 60);
}

/* Split seconds since the epoch 't' into a day and a second of the day, flooring. */
static void split_seconds(int64_t t, rt_datetime *out)
{
    int64_t day = t / SECS_PER_DAY, sec = t % SECS_PER_DAY;
    if (sec < 0) {
        sec += SECS_PER_DAY;
        day--;
    }
    out->day = (int32_t)day;
    out->sec = (int32_t)sec;
}

/* Fill '*out' from a checked local date and time and a zone offset 'off' (seconds east). */
static void set_datetime(rt_datetime *out, int64_t y, unsigned m, unsigned d, unsigned hh,
                         unsigned mi, unsigned ss, int32_t off, int has_time)
{
    int64_t day = rt_days_from_civil(y, m, d);
    if (ss == 60)
        ss = 59; /* a leap second: keep it inside its minute */
    int32_t sec = (int32_t)(hh * 3600 + mi * 60 + ss);
    if (off == 0) {
        out->day = (int32_t)day;
        out->sec = sec;
    } else {
        split_seconds(day * SECS_PER_DAY + sec - off, out);
    }
    out->has_time = has_time;
}

/* Check the ranges shared by the ISO and format parsers; returns NULL or a reason. */
static const char *check_fields(int64_t y, unsigned m, unsigned d, unsigned hh, unsigned mi,
                                unsigned ss)
{
    if (y < 1 || y > 9999)
        return bad_year;
    if (m < 1 || m > 12)
        return bad_month;
    if (d < 1 || d > days_in_month(y, m))
        return bad_day;
    if (hh > 23)
        return bad_hour;
    if (mi > 59)
        return bad_minute;
    if (ss > 60)
        return bad_second;
    return NULL;
}

/* ---- ISO 8601 and epoch ---- */

/* The plain date is the hot path: fixed positions, eight digit tests, no loops. Structure
 * is checked first, so "2024-13-01x" is malformed rather than a bad month. */
const char *rt_date_parse_iso(const char *s, size_t n, rt_datetime *out)
{
    out->day = out->sec = 0;
    out->has_time = 0;
    if (n < 10 || s[4] != '-' || s[7] != '-')
        return bad_iso;
    unsigned y0 = dig(s[0]), y1 = dig(s[1]), y2 = dig(s[2]), y3 = dig(s[3]);
    unsigned m0 = dig(s[5]), m1 = dig(s[6]), d0 = dig(s[8]), d1 = dig(s[9]);
    if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9)
        return bad_iso;
    int64_t y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
    unsigned m = m0 * 10 + m1, d = d0 * 10 + d1;
    unsigned hh = 0, mi = 0, ss = 0;
    int zsign = 0;
    unsigned zh = 0, zm = 0;
    if (n > 10) {
        if ((s[10] != ' ' && s[10] != 'T') || n < 16 || two_digits(s + 11, &hh) || s[13] != ':' ||
            two_digits(s + 14, &mi))
            return bad_iso;
        size_t i = 16;
        if (i < n && s[i] == ':') {
            if (n - i < 3 || two_digits(s + i + 1, &ss))
                return bad_iso;
            i += 3;
            if (i < n && s[i] == '.') {
                size_t start = ++i;
                while (i < n && dig(s[i]) <= 9)
                    i++;
                if (i == start)
                    return bad_iso;
            }
        }
        if (i < n) {
            size_t used = match_zone(s + i, n - i, &zsign, &zh, &zm);
            if (used == 0 || i + used != n)
                return bad_iso;
        }
    }
    const char *why = check_fields(y, m, d, hh, mi, ss);
    if (why)
        return why;
    int32_t off = zone_seconds(zsign, zh, zm); /* 0 without a zone or for Z */
    if (off == -1)
        return bad_zone;
    set_datetime(out, y, m, d, hh, mi, ss, off, n > 10);
    return NULL;
}

/* Parse an optionally '-'-signed run of digits filling all of 's'/'n' into '*v'. Returns 0,
 * -1 when it is not such a run, or 1 when the magnitude is beyond any int32 day. */
static int scan_epoch(const char *s, size_t n, int64_t *v)
{
    /* 2^31 days is about 1.9e14 s; stop accumulating well before uint64 could overflow. */
    const uint64_t cap = UINT64_C(1000000000000000000);
    size_t i = n > 0 && s[0] == '-' ? 1 : 0;
    uint64_t u = 0;
    if (i == n)
        return -1;
    for (size_t k = i; k < n; k++) {
        unsigned d = dig(s[k]);
        if (d > 9)
            return -1;
        if (u < cap)
            u = u * 10 + d;
    }
    if (u >= UINT64_C(1000000000000000)) /* 1e15 s is far past the int32 day range */
        return 1;
    *v = i ? -(int64_t)u : (int64_t)u;
    return 0;
}

/* Turn epoch seconds 't' into '*out', or return a reason when the day leaves int32. */
static const char *epoch_to_datetime(int64_t t, rt_datetime *out)
{
    int64_t day = t / SECS_PER_DAY - (t % SECS_PER_DAY < 0);
    if (day < INT32_MIN || day > INT32_MAX)
        return bad_epoch_range;
    split_seconds(t, out);
    out->has_time = 1;
    return NULL;
}

/* Epoch seconds: the whole slice is one integer; the day is floored, so -1 is 1969-12-31. */
const char *rt_date_parse_epoch(const char *s, size_t n, rt_datetime *out)
{
    int64_t t = 0;
    out->day = out->sec = 0;
    out->has_time = 0;
    int rc = scan_epoch(s, n, &t);
    if (rc < 0)
        return bad_epoch;
    if (rc > 0)
        return bad_epoch_range;
    return epoch_to_datetime(t, out);
}

/* ---- strptime-style formats ---- */

/* Write "<head>date format \"<fmt>\"<tail>" into 'why' (may be NULL); always returns -1. */
static int compile_fail(char *why, size_t whylen, const char *head, const char *fmt,
                        const char *tail)
{
    char q[4 * 40 + 8];
    if (!why || whylen == 0)
        return -1;
    rt_quote(fmt, strlen(fmt), 40, q);
    snprintf(why, whylen, "%sdate format %s%s", head, q, tail);
    return -1;
}

/* Append one item to 'f': conversion 'op', or the literal byte 'lit' when 'op' is 0.
 * Returns -1 when the format is already full. */
static int add_item(rt_datefmt *f, unsigned char op, char lit)
{
    if (f->count >= RT_DATEFMT_MAX)
        return -1;
    f->op[f->count] = op;
    f->lit[f->count] = lit;
    f->count++;
    return 0;
}

/* Append the expansion 'seq' of %F or %T: letters are conversions, anything else literal. */
static int add_expansion(rt_datefmt *f, const char *seq)
{
    for (; *seq; seq++) {
        int letter = (*seq >= 'a' && *seq <= 'z') || (*seq >= 'A' && *seq <= 'Z');
        if (add_item(f, letter ? (unsigned char)*seq : 0, letter ? 0 : *seq) != 0)
            return -1;
    }
    return 0;
}

/* The field a conversion sets, so that duplicates and missing parts can be found. */
enum {
    F_YEAR,
    F_MONTH,
    F_DAY,
    F_YDAY,
    F_HOUR,
    F_AMPM,
    F_MIN,
    F_SEC,
    F_ZONE,
    F_FRAC,
    F_EPOCH,
    F_COUNT
};

static int field_of(unsigned char op)
{
    switch (op) {
    case 'Y':
    case 'y':
        return F_YEAR;
    case 'm':
    case 'b':
        return F_MONTH;
    case 'd':
    case 'e':
        return F_DAY;
    case 'j':
        return F_YDAY;
    case 'H':
    case 'I':
        return F_HOUR;
    case 'p':
        return F_AMPM;
    case 'M':
        return F_MIN;
    case 'S':
        return F_SEC;
    case 'z':
        return F_ZONE;
    case 'f':
        return F_FRAC;
    default:
        return F_EPOCH; /* 's' */
    }
}

/* Check that the items of 'f' name a whole date with each field at most once, and set
 * f->has_time. Returns 0, or -1 with the reason in 'why'. */
static int check_named_fields(rt_datefmt *f, const char *fmt, char *why, size_t whylen)
{
    static const char *const names[F_COUNT] = {
        "the year",   "the month",  "the day",       "the day of year",    "the hour",     "AM/PM",
        "the minute", "the second", "the time zone", "fractional seconds", "epoch seconds"};
    int seen[F_COUNT] = {0};
    int twelve = 0; /* %I seen */
    for (unsigned i = 0; i < f->count; i++) {
        if (f->op[i] == 0)
            continue;
        int k = field_of(f->op[i]);
        if (seen[k]) {
            char tail[64];
            snprintf(tail, sizeof tail, " names %s twice", names[k]);
            return compile_fail(why, whylen, "", fmt, tail);
        }
        seen[k] = 1;
        twelve |= f->op[i] == 'I';
    }
    f->has_time = (unsigned char)(seen[F_HOUR] || seen[F_MIN] || seen[F_SEC] || seen[F_EPOCH]);
    if (seen[F_EPOCH]) {
        for (int k = 0; k < F_COUNT; k++)
            if (seen[k] && k != F_EPOCH && k != F_FRAC)
                return compile_fail(why, whylen, "", fmt,
                                    " mixes %s with other date or time fields");
        return 0;
    }
    if (twelve != seen[F_AMPM])
        return compile_fail(why, whylen, "", fmt,
                            twelve ? " has %I without %p" : " has %p without %I");
    if (seen[F_YDAY] && (seen[F_MONTH] || seen[F_DAY]))
        return compile_fail(why, whylen, "", fmt, " has %j together with a month or day");
    if (!seen[F_YEAR] || !(seen[F_YDAY] || (seen[F_MONTH] && seen[F_DAY])))
        return compile_fail(why, whylen, "", fmt,
                            " has no %d/%j or no month/year: it must name a whole date");
    return 0;
}

/* Append the items of conversion letter 'c' to 'f'. Returns 0, -1 when 'f' is full, or -2
 * for an unknown conversion. */
static int add_conversion(rt_datefmt *f, char c)
{
    switch (c) {
    case '%':
        return add_item(f, 0, '%');
    case 'F':
        return add_expansion(f, "Y-m-d");
    case 'T':
        return add_expansion(f, "H:M:S");
    case 'B':
    case 'h':
        return add_item(f, 'b', 0);
    case 'Y':
    case 'y':
    case 'm':
    case 'd':
    case 'e':
    case 'b':
    case 'j':
    case 'H':
    case 'I':
    case 'p':
    case 'M':
    case 'S':
    case 'z':
    case 'f':
    case 's':
        return add_item(f, (unsigned char)c, 0);
    default:
        return -2;
    }
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Expand 'fmt' into items (%F and %T into five each), then check the fields it names. On
 * failure '*out' is left empty, so parsing with it matches nothing. */
int rt_datefmt_compile(const char *fmt, rt_datefmt *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    if (why && whylen)
        why[0] = '\0';
    if (!fmt) {
        if (why && whylen)
            snprintf(why, whylen, "no date format given");
        return -1;
    }
    int rc = 0;
    for (const char *p = fmt; *p && rc == 0; p++) {
        if (*p != '%') {
            rc = add_item(out, 0, *p);
        } else if (p[1] == '\0') {
            memset(out, 0, sizeof *out);
            return compile_fail(why, whylen, "", fmt, " ends with a lone '%'");
        } else {
            rc = add_conversion(out, *++p);
            if (rc == -2) {
                unsigned char u = (unsigned char)*p;
                char head[48];
                if (u >= 0x20 && u < 0x7f)
                    snprintf(head, sizeof head, "unknown conversion '%%%c' in ", *p);
                else
                    snprintf(head, sizeof head, "unknown conversion '%%\\x%02x' in ", u);
                memset(out, 0, sizeof *out);
                return compile_fail(why, whylen, head, fmt, "");
            }
        }
    }
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return compile_fail(why, whylen, "", fmt,
                            " is too long (more than " STR(RT_DATEFMT_MAX) " items)");
    }
    if (check_named_fields(out, fmt, why, whylen) != 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

/* Read 'lo' to 'hi' digits at s[*i] (greedily, never past 'n') into '*v' and advance '*i'.
 * Returns 0, or -1 when fewer than 'lo' digits are there. */
static int read_digits(const char *s, size_t n, size_t *i, unsigned lo, unsigned hi, unsigned *v)
{
    size_t k = *i;
    unsigned val = 0, count = 0;
    while (count < hi && k < n && dig(s[k]) <= 9) {
        val = val * 10 + dig(s[k]);
        k++;
        count++;
    }
    if (count < lo)
        return -1;
    *i = k;
    *v = val;
    return 0;
}

/* ASCII lower case, independent of the locale. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* Compare 'len' bytes of 's' with lower-case 'word', ignoring ASCII case. */
static int same_word(const char *s, const char *word, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (lower(s[k]) != word[k])
            return 0;
    return 1;
}

/* Match an English month name or its 3-letter abbreviation at s[*i]; the full name wins.
 * Stores the month 1..12 in '*m' and advances '*i'; returns 0, or -1 when none matches. */
static int match_month(const char *s, size_t n, size_t *i, unsigned *m)
{
    static const char *const names[12] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    size_t left = n - *i;
    for (unsigned k = 0; k < 12; k++) {
        size_t len = strlen(names[k]);
        if (left >= len && same_word(s + *i, names[k], len)) {
            *i += len;
            *m = k + 1;
            return 0;
        }
    }
    for (unsigned k = 0; k < 12; k++) {
        if (left >= 3 && same_word(s + *i, names[k], 3)) {
            *i += 3;
            *m = k + 1;
            return 0;
        }
    }
    return -1;
}

/* What a format match has read so far; zero until a conversion sets it. */
typedef struct parsed {
    int64_t year, epoch;
    unsigned mon, mday, yday, hour, min, sec, zh, zm;
    int pm;        /* -1 without %p, else 0 = AM, 1 = PM */
    int zsign;     /* match_zone's sign */
    int epoch_rc;  /* scan_epoch's result, -2 without %s */
    int have_yday; /* %j was matched */
} parsed;

/* Match conversion 'op' at s[*i], storing what it reads in '*r'. Returns 0, or -1. */
static int match_conversion(unsigned char op, const char *s, size_t n, size_t *i, parsed *r)
{
    unsigned v = 0;
    size_t k = *i;
    switch (op) {
    case 'Y':
        if (read_digits(s, n, i, 4, 4, &v))
            return -1;
        r->year = v;
        return 0;
    case 'y':
        if (read_digits(s, n, i, 2, 2, &v))
            return -1;
        r->year = v >= 69 ? 1900 + v : 2000 + v; /* the POSIX pivot */
        return 0;
    case 'm':
        return read_digits(s, n, i, 1, 2, &r->mon);
    case 'b':
        return match_month(s, n, i, &r->mon);
    case 'e':
        if (*i < n && s[*i] == ' ')
            (*i)++;
        return read_digits(s, n, i, 1, 2, &r->mday);
    case 'd':
        return read_digits(s, n, i, 1, 2, &r->mday);
    case 'j':
        r->have_yday = 1;
        return read_digits(s, n, i, 1, 3, &r->yday);
    case 'H':
    case 'I':
        return read_digits(s, n, i, 1, 2, &r->hour);
    case 'M':
        return read_digits(s, n, i, 2, 2, &r->min);
    case 'S':
        return read_digits(s, n, i, 2, 2, &r->sec);
    case 'p':
        if (n - k < 2 || lower(s[k + 1]) != 'm' || (lower(s[k]) != 'a' && lower(s[k]) != 'p'))
            return -1;
        r->pm = lower(s[k]) == 'p';
        *i = k + 2;
        return 0;
    case 'z': {
        size_t used = match_zone(s + k, n - k, &r->zsign, &r->zh, &r->zm);
        *i = k + used;
        return used ? 0 : -1;
    }
    case 'f':
        while (k < n && dig(s[k]) <= 9)
            k++;
        if (k == *i)
            return -1;
        *i = k;
        return 0;
    default: /* 's' */
        if (k < n && s[k] == '-')
            k++;
        while (k < n && dig(s[k]) <= 9)
            k++;
        r->epoch_rc = scan_epoch(s + *i, k - *i, &r->epoch);
        *i = k;
        return r->epoch_rc < 0 ? -1 : 0;
    }
}

/* Match every item in order, then range-check the fields: a mismatch anywhere wins over a
 * bad value, so the message is about the shape before it is about the numbers. */
const char *rt_date_parse_fmt(const rt_datefmt *f, const char *s, size_t n, rt_datetime *out)
{
    parsed r;
    memset(&r, 0, sizeof r);
    r.pm = -1;
    r.epoch_rc = -2;
    out->day = out->sec = 0;
    out->has_time = 0;
    size_t i = 0;
    for (unsigned k = 0; k < f->count; k++) {
        if (f->op[k] == 0) {
            if (i >= n || s[i] != f->lit[k])
                return bad_fmt;
            i++;
        } else if (match_conversion(f->op[k], s, n, &i, &r) != 0) {
            return bad_fmt;
        }
    }
    if (i != n || f->count == 0)
        return bad_fmt;
    if (r.epoch_rc > 0)
        return bad_epoch_range;
    if (r.epoch_rc == 0)
        return epoch_to_datetime(r.epoch, out);

    if (r.year < 1 || r.year > 9999)
        return bad_year;
    if (r.have_yday) { /* the compiler allows no month or day together with %j */
        if (r.yday < 1 || r.yday > (is_leap(r.year) ? 366u : 365u))
            return bad_yday;
        int64_t y;
        rt_civil_from_days(rt_days_from_civil(r.year, 1, 1) + r.yday - 1, &y, &r.mon, &r.mday);
    }
    if (r.pm >= 0) {
        if (r.hour < 1 || r.hour > 12)
            return bad_hour12;
        r.hour = r.hour % 12 + (r.pm ? 12u : 0u);
    }
    const char *why = check_fields(r.year, r.mon, r.mday, r.hour, r.min, r.sec);
    if (why)
        return why;
    int32_t off = zone_seconds(r.zsign, r.zh, r.zm);
    if (off == -1)
        return bad_zone;
    set_datetime(out, r.year, r.mon, r.mday, r.hour, r.min, r.sec, off, f->has_time);
    return NULL;
}

/* ---- formatting ---- */

/* Write year 'y' with at least four digits, '-' first when negative; returns the end. */
static char *put_year(char *p, int64_t y)
{
    char tmp[24];
    int k = 0;
    uint64_t u = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
    if (y < 0)
        *p++ = '-';
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (k < 4)
        tmp[k++] = '0';
    while (k)
        *p++ = tmp[--k];
    return p;
}

/* Write 'v' (0..99) as two digits. */
static char *put2(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* The widest output is "-5877641-06-23" (14 bytes + NUL), for day INT32_MIN. */
void rt_date_format(int32_t day, char *buf)
{
    int64_t y;
    unsigned m, d;
    rt_civil_from_days(day, &y, &m, &d);
    char *p = put_year(buf, y);
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p = '\0';
}

/* The public strict parser: exactly ten bytes before the NUL (strnlen never reads past it),
 * then the ISO date path. */
int rt_date_parse(const char *s, int32_t *day)
{
    rt_datetime dt;
    if (day)
        *day = 0;
    if (!s || !day || strnlen(s, 11) != 10)
        return -1;
    if (rt_date_parse_iso(s, 10, &dt) != NULL)
        return -1;
    *day = dt.day;
    return 0;
}

/* "HH:MM:SS" of 'sec' taken modulo a day, so a negative value counts back from midnight. */
void rt_time_format(int32_t sec, char *buf)
{
    int32_t t = sec % SECS_PER_DAY;
    if (t < 0)
        t += SECS_PER_DAY;
    char *p = put2(buf, (unsigned)(t / 3600));
    *p++ = ':';
    p = put2(p, (unsigned)(t / 60 % 60));
    *p++ = ':';
    p = put2(p, (unsigned)(t % 60));
    *p = '\0';
}
