/* fuzz_csv.c - libFuzzer target for the CSV tokenizer and the event loader.
 * (a) rt_csv_next over the whole input (final=1) checking slice invariants, then again fed in
 * random pieces (final=0) the way a block reader does, checking that every record it returns
 * is the one the one-shot pass returned; (b) the bytes as a file through rt_events_read with
 * skip_bad_rows off and on (and once with a failing allocator), freeing everything.
 * Build and run: make fuzz [FUZZ_SECONDS=300]. A crash lands in build/fuzz/crash-*; keep it
 * as a regression input in tests/data/fuzz/, which make fuzz replays first.
 * SPDX-License-Identifier: MIT */
#include "io/csv.h"
#include "retain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the process with a message: libFuzzer records the input as a crash. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csv: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_FIELDS 64

/* ---- a small deterministic RNG seeded from the input, so crashes reproduce ---- */

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* ---- (a) the tokenizer ---- */

/* Check what rt_csv_next said about the record at 'p' in [p, end). */
static void check_record(const char *p, const char *end, int final, rt_csv_rc rc,
                         const rt_csv_rec *rec, const rt_csv_field *f, size_t cap)
{
    REQUIRE(rc == RT_CSV_ROW || rc == RT_CSV_MORE || rc == RT_CSV_BAD);
    REQUIRE(!(final && rc == RT_CSV_MORE));
    if (rc == RT_CSV_MORE)
        return;
    REQUIRE(rec->start == p);
    if (rc == RT_CSV_BAD) {
        REQUIRE(rec->why != NULL);
        REQUIRE(rec->bad_at >= p && rec->bad_at < end);
        return;
    }
    REQUIRE(rec->n >= 1);
    REQUIRE(rec->start <= rec->stop && rec->stop <= rec->next && rec->next <= end);
    REQUIRE(rec->next > rec->start); /* progress */
    /* The terminator is "\n", "\r\n", nothing at the end, or a lone '\r' at the end. */
    size_t tl = (size_t)(rec->next - rec->stop);
    if (tl == 0)
        REQUIRE(rec->next == end);
    else if (tl == 1)
        REQUIRE(*rec->stop == '\n' || (*rec->stop == '\r' && rec->next == end));
    else
        REQUIRE(tl == 2 && rec->stop[0] == '\r' && rec->stop[1] == '\n');
    uint32_t nl = 0;
    for (const char *q = rec->start; q < rec->next; q++)
        nl += *q == '\n';
    REQUIRE(nl == rec->newlines);
    size_t kept = rec->n < cap ? rec->n : cap;
    const char *prev = rec->start;
    for (size_t i = 0; i < kept; i++) {
        const char *fp = f[i].p;
        REQUIRE(fp >= prev && fp <= rec->stop);
        REQUIRE(f[i].len <= (size_t)(rec->stop - fp));
        REQUIRE((f[i].flags & ~(uint32_t)(RT_CSV_QUOTED | RT_CSV_ESCAPED)) == 0);
        if (f[i].flags & RT_CSV_QUOTED)
            REQUIRE(fp > rec->start && fp[-1] == '"' && fp[f[i].len] == '"');
        else
            REQUIRE(f[i].flags == 0);
        prev = fp + f[i].len;
    }
    (void)rt_csv_blank(rec, f);
}

/* Undo the escapes of each escaped field on a copy and check the length only shrinks. */
static void check_unescape(const rt_csv_rec *rec, const rt_csv_field *f, size_t cap)
{
    char tmp[256];
    size_t kept = rec->n < cap ? rec->n : cap;
    for (size_t i = 0; i < kept; i++) {
        if (!(f[i].flags & RT_CSV_ESCAPED) || f[i].len > sizeof tmp)
            continue;
        memcpy(tmp, f[i].p, f[i].len);
        REQUIRE(rt_csv_unescape(tmp, f[i].len) < f[i].len);
    }
}

/* Where the next record starts after a bad one: past the line end at or after 'bad_at'. */
static const char *skip_bad(const rt_csv_rec *rec, const char *end)
{
    const char *nl = memchr(rec->bad_at, '\n', (size_t)(end - rec->bad_at));
    return nl ? nl + 1 : end;
}

/* Tokenize [buf, end) in one pass with final=1. */
static void csv_one_pass(const char *buf, const char *end, char delim, size_t cap)
{
    rt_csv_field f[MAX_FIELDS];
    const char *p = buf;
    while (p < end) {
        rt_csv_rec rec;
        rt_csv_rc rc = rt_csv_next(p, end, 1, delim, f, cap, &rec);
        check_record(p, end, 1, rc, &rec, f, cap);
        if (rc == RT_CSV_BAD) {
            p = skip_bad(&rec, end);
            continue;
        }
        check_unescape(&rec, f, cap);
        p = rec.next;
    }
}

/* Tokenize [buf, end) as a reader would see it: only a random prefix is available and
 * 'final' is 0 until the whole input is. Every ROW or BAD must match the one-shot answer. */
static void csv_pieces(const char *buf, const char *end, char delim, size_t cap, uint64_t *rng)
{
    rt_csv_field f[MAX_FIELDS], g[MAX_FIELDS];
    size_t size = (size_t)(end - buf);
    const char *p = buf;
    const char *cut = buf;
    size_t steps = 0;
    while (p < end) {
        REQUIRE(++steps <= 4 * size + 4); /* progress */
        if (cut <= p || (next_rand(rng) & 1)) {
            /* Make more bytes available: a small step, or a jump. */
            size_t avail = (size_t)(end - cut);
            size_t step =
                (next_rand(rng) & 3) ? 1 + next_rand(rng) % 8 : next_rand(rng) % (avail + 1);
            cut = (size_t)(end - cut) <= step ? end : cut + step;
            if (cut <= p)
                cut = p + 1;
        }
        int final = cut == end;
        rt_csv_rec rec, full;
        rt_csv_rc rc = rt_csv_next(p, cut, final, delim, f, cap, &rec);
        check_record(p, cut, final, rc, &rec, f, cap);
        if (rc == RT_CSV_MORE) {
            REQUIRE(cut < end);
            cut = cut + 1 + next_rand(rng) % (size_t)(end - cut);
            continue;
        }
        rt_csv_rc rc_full = rt_csv_next(p, end, 1, delim, g, cap, &full);
        REQUIRE(rc == rc_full);
        if (rc == RT_CSV_BAD) {
            REQUIRE(rec.bad_at == full.bad_at);
            p = skip_bad(&full, end);
            continue;
        }
        REQUIRE(rec.n == full.n && rec.stop == full.stop && rec.next == full.next);
        REQUIRE(rec.newlines == full.newlines);
        size_t kept = rec.n < cap ? rec.n : cap;
        for (size_t i = 0; i < kept; i++)
            REQUIRE(f[i].p == g[i].p && f[i].len == g[i].len && f[i].flags == g[i].flags);
        p = rec.next;
    }
}

/* ---- (b) the loader ---- */

/* An allocator that fails from the 'fail_at'-th call on (0 = never) and counts live blocks,
 * so a path that leaks through the hook is caught at once. The loader's worker threads
 * allocate too, hence the atomics. */
typedef struct fail_alloc {
    size_t calls, fail_at;
    long live;
} fail_alloc;

/* The loader's 16 MB read buffer is the same every call; AddressSanitizer maps, poisons and
 * unmaps a fresh one each time, which made the fuzzer spend 85% of its time in page faults.
 * So one large block is kept and handed out again, poisoned while not in use and past the
 * size asked for, so overruns and use after free are still caught. */
#define BIG_MIN ((size_t)1 << 20)
static char *big;
static size_t big_cap, big_len; /* allocated; asked for by the current user */
static int big_used;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef POISON
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static void *big_take(size_t size)
{
    if (size < BIG_MIN || __atomic_exchange_n(&big_used, 1, __ATOMIC_ACQUIRE))
        return NULL;
    if (size > big_cap) {
        UNPOISON(big, big_cap);
        free(big);
        big = malloc(size);
        big_cap = big ? size : 0;
        if (!big) {
            __atomic_store_n(&big_used, 0, __ATOMIC_RELEASE);
            return NULL;
        }
    }
    UNPOISON(big, size);
    POISON(big + size, big_cap - size);
    big_len = size;
    return big;
}

static void big_give_back(void)
{
    POISON(big, big_cap);
    __atomic_store_n(&big_used, 0, __ATOMIC_RELEASE);
}

static int fa_fails(fail_alloc *fa)
{
    return fa->fail_at && __atomic_add_fetch(&fa->calls, 1, __ATOMIC_RELAXED) >= fa->fail_at;
}

static void *fa_alloc(void *ud, size_t size)
{
    fail_alloc *fa = ud;
    if (fa_fails(fa))
        return NULL;
    void *p = big_take(size);
    if (!p)
        p = malloc(size ? size : 1);
    if (p)
        __atomic_add_fetch(&fa->live, 1, __ATOMIC_RELAXED);
    return p;
}

static void *fa_resize(void *ud, void *ptr, size_t size)
{
    fail_alloc *fa = ud;
    if (!ptr)
        return fa_alloc(ud, size);
    if (fa_fails(fa))
        return NULL;
    if (ptr == big) {
        void *p = malloc(size ? size : 1); /* move out of the cached block */
        if (!p)
            return NULL;
        memcpy(p, big, size < big_len ? size : big_len);
        big_give_back();
        return p;
    }
    return realloc(ptr, size ? size : 1);
}

static void fa_release(void *ud, void *ptr)
{
    fail_alloc *fa = ud;
    if (!ptr)
        return;
    __atomic_sub_fetch(&fa->live, 1, __ATOMIC_RELAXED);
    if (ptr == big)
        big_give_back();
    else
        free(ptr);
}

static int count_reject(void *ud, long line, const char *row, size_t len, const char *reason)
{
    REQUIRE(line >= 1 && row != NULL && reason != NULL);
    REQUIRE(row[len] == '\0'); /* a NUL-terminated copy (a bad row may hold NUL bytes) */
    (*(uint64_t *)ud)++;
    return 0;
}

/* Check the documented invariants of a loaded table, then summarise it. */
static void check_events(const rt_events *ev, uint64_t rejected_seen, int skip)
{
    size_t n = rt_events_count(ev), nc = rt_events_customers(ev);
    const uint64_t *off = rt_events_offsets(ev);
    const int32_t *day = rt_events_days(ev);
    const int32_t *sec = rt_events_seconds(ev);
    const rt_load_stats *st = rt_events_stats(ev);
    REQUIRE(n >= 1 && nc >= 1 && nc <= n);
    REQUIRE(off[0] == 0 && off[nc] == n);
    for (size_t c = 0; c < nc; c++) {
        REQUIRE(off[c] < off[c + 1]); /* every customer has an event */
        size_t len = 0;
        const char *id = rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)c, &len);
        REQUIRE(id != NULL && strlen(id) == len);
        for (uint64_t i = off[c] + 1; i < off[c + 1]; i++)
            REQUIRE(day[i - 1] < day[i] ||
                    (day[i - 1] == day[i] && (!sec || sec[i - 1] <= sec[i])));
    }
    REQUIRE(rt_events_string(ev, RT_FIELD_CUSTOMER, (uint32_t)nc, NULL) == NULL);
    REQUIRE(st->rows_read == st->rows_used + st->rows_rejected + st->rows_dropped);
    REQUIRE(st->rows_rejected == rejected_seen);
    REQUIRE(skip || st->rows_rejected == 0);
    for (int fld = RT_FIELD_CHANNEL; fld <= RT_FIELD_ORDER; fld++) {
        const uint32_t *codes = rt_events_codes(ev, (rt_field)fld);
        size_t nd = rt_events_dict_size(ev, (rt_field)fld);
        if (!codes)
            continue;
        for (size_t i = 0; i < n; i++)
            REQUIRE(codes[i] < nd);
    }
}

/* Load 'path' with 'base' plus 'skip', failing allocation 'fail_at' (0 = none); summarise
 * the table if 'summarise' (its cost grows with the date span, so only once per input). */
static void load_once(const char *path, const rt_load_options *base, int skip, size_t fail_at,
                      int summarise)
{
    rt_load_options o = *base;
    fail_alloc fa = {0, fail_at, 0};
    rt_allocator a = {fa_alloc, fa_resize, fa_release, &fa};
    uint64_t rejected = 0;
    rt_error err;
    rt_events *ev = NULL;
    o.skip_bad_rows = skip;
    o.on_reject = count_reject;
    o.reject_ud = &rejected;
    o.allocator = &a;
    memset(&err, 0, sizeof err);
    rt_status st = rt_events_read(path, &o, &ev, &err);
    if (st == RT_OK) {
        REQUIRE(ev != NULL);
        check_events(ev, rejected, skip);
        rt_summary_options so = {0, 1};
        rt_result *res = NULL;
        if (summarise && rt_summary_run(ev, &so, &res, NULL) == RT_OK)
            rt_result_free(res);
        rt_events_free(ev);
    } else {
        REQUIRE(ev == NULL);
        REQUIRE(err.code == st && memchr(err.msg, '\0', sizeof err.msg) && err.msg[0]);
        REQUIRE(fail_at || st != RT_ENOMEM);
        REQUIRE(st == RT_ENOMEM || st == RT_EPARSE || st == RT_EDOMAIN || st == RT_EIO);
    }
    REQUIRE(fa.live == 0); /* everything allocated through the hook was released */
}

static void fuzz_loader(const uint8_t *data, size_t size, uint64_t *rng)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_csv", 0);
        REQUIRE(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    REQUIRE(ftruncate(fd, 0) == 0);
    REQUIRE(pwrite(fd, data, size, 0) == (ssize_t)size);

    static const char *const formats[] = {NULL,    NULL,       NULL,
                                          "epoch", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"};
    uint64_t r = next_rand(rng);
    rt_load_options o;
    memset(&o, 0, sizeof o);
    o.delim = (r & 7) == 0 ? ';' : 0;
    o.date_format = formats[(r >> 3) % 6];
    o.refunds = (r >> 6) & 1 ? RT_REFUNDS_DROP : RT_REFUNDS_NET;
    o.threads = 1 + (int)((r >> 7) & 1);
    load_once(path, &o, 0, 0, 0);
    load_once(path, &o, 1, 0, 1);
    load_once(path, &o, (int)((r >> 8) & 1), 1 + next_rand(rng) % 64, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t rng = hash_bytes(data, size);
    /* An exact-size copy, so a read past the end is caught by AddressSanitizer. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    static const char delims[] = {',', ',', ',', ';', '\t', '|'};
    char delim = delims[next_rand(&rng) % sizeof delims];
    static const size_t caps[] = {MAX_FIELDS, 8, 3, 1};
    size_t cap = caps[next_rand(&rng) % 4];
    csv_one_pass(buf, buf + size, delim, cap);
    for (int i = 0; i < 3; i++)
        csv_pieces(buf, buf + size, delim, cap, &rng);
    free(buf);
    fuzz_loader(data, size, &rng);
    return 0;
}
