/* csv.c - the RFC 4180 tokenizer: one record per call, slices into the caller's buffer.
 * The unquoted-field scan is the hot loop of every load; it tests a byte class table.
 * SPDX-License-Identifier: MIT */
#include "io/csv.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first byte in [q, end) that is the delimiter, LF or CR, or 'end'. Sixteen bytes at a
 * time where SSE2 is there (every x86-64); never reads at or past 'end'. */
static const char *scan_plain(const char *q, const char *end, char delim)
{
#ifdef __SSE2__
    const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');
    while (end - q >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
                                   _mm_cmpeq_epi8(x, vr));
        int m = _mm_movemask_epi8(hit);
        if (m)
            return q + __builtin_ctz((unsigned)m);
        q += 16;
    }
#endif
    while (q < end && *q != delim && *q != '\n' && *q != '\r')
        q++;
    return q;
}

/* Count '\n' bytes in [p, end). */
static uint32_t count_newlines(const char *p, const char *end)
{
    uint32_t n = 0;
    while (p < end) {
        const char *q = memchr(p, '\n', (size_t)(end - p));
        if (!q)
            break;
        n++;
        p = q + 1;
    }
    return n;
}

static void keep(rt_csv_field *f, size_t cap, size_t n, const char *p, const char *e,
                 uint32_t flags)
{
    if (n < cap) {
        f[n].p = p;
        f[n].len = (uint32_t)(e - p);
        f[n].flags = flags;
    }
}

/* Finish a record whose last field ends at 'stop' and whose terminator ends at 'next'. */
static rt_csv_rc done(rt_csv_rec *rec, size_t n, const char *stop, const char *next, uint32_t nl)
{
    rec->n = n;
    rec->stop = stop;
    rec->next = next;
    rec->newlines = nl;
    return RT_CSV_ROW;
}

static rt_csv_rc bad(rt_csv_rec *rec, const char *at, const char *why, uint32_t nl)
{
    rec->bad_at = at;
    rec->why = why;
    rec->newlines = nl;
    return RT_CSV_BAD;
}

rt_csv_rc rt_csv_next(const char *p, const char *end, int final, char delim, rt_csv_field *f,
                      size_t cap, rt_csv_rec *rec)
{
    const char *q = p;
    size_t n = 0;
    uint32_t nl = 0;
    rec->start = p;
    rec->bad_at = NULL;
    rec->why = NULL;
    for (;;) {
        if (q < end && *q == '"') {
            const char *fs = q + 1;
            uint32_t flags = RT_CSV_QUOTED;
            q = fs;
            for (;;) {
                const char *hit = memchr(q, '"', (size_t)(end - q));
                if (!hit) {
                    if (!final)
                        return RT_CSV_MORE;
                    return bad(rec, fs - 1, "unterminated quoted field",
                               nl + count_newlines(q, end));
                }
                nl += count_newlines(q, hit);
                if (hit + 1 == end && !final)
                    return RT_CSV_MORE;
                if (hit + 1 < end && hit[1] == '"') {
                    flags |= RT_CSV_ESCAPED;
                    q = hit + 2;
                    continue;
                }
                keep(f, cap, n++, fs, hit, flags);
                q = hit + 1;
                break;
            }
            if (q == end)
                return done(rec, n, q, q, nl);
            char c = *q;
            if (c == delim) {
                q++;
                continue;
            }
            if (c == '\n')
                return done(rec, n, q, q + 1, nl + 1);
            if (c == '\r') {
                if (q + 1 < end && q[1] == '\n')
                    return done(rec, n, q, q + 2, nl + 1);
                if (q + 1 == end) {
                    if (!final)
                        return RT_CSV_MORE;
                    return done(rec, n, q, end, nl);
                }
            }
            return bad(rec, q, "unexpected character after closing quote", nl);
        }
        /* Unquoted field: scan to the delimiter or the line end. A lone CR (not before LF,
         * not at the end of input) and a '"' inside the field are kept as data. */
        const char *fs = q;
        for (;;) {
            q = scan_plain(q, end, delim);
            if (q == end) {
                if (!final)
                    return RT_CSV_MORE;
                keep(f, cap, n++, fs, q, 0);
                return done(rec, n, q, q, nl);
            }
            if (*q == '\r') {
                if (q + 1 == end) {
                    if (!final)
                        return RT_CSV_MORE;
                    keep(f, cap, n++, fs, q, 0);
                    return done(rec, n, q, end, nl);
                }
                if (q[1] != '\n') {
                    q++;
                    continue;
                }
                keep(f, cap, n++, fs, q, 0);
                return done(rec, n, q, q + 2, nl + 1);
            }
            break;
        }
        keep(f, cap, n++, fs, q, 0);
        if (*q == '\n')
            return done(rec, n, q, q + 1, nl + 1);
        q++; /* delimiter */
    }
}

uint32_t rt_csv_unescape(char *p, uint32_t len)
{
    uint32_t o = 0;
    for (uint32_t i = 0; i < len; i++) {
        p[o++] = p[i];
        if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
            i++;
    }
    return o;
}

int rt_csv_blank(const rt_csv_rec *rec, const rt_csv_field *f)
{
    return rec->n == 1 && f[0].len == 0 && f[0].flags == 0;
}
