/* load.c - reading a CSV event log into an rt_events table: the hot path of every command.
 * The input is read in large blocks. Each block is cut into one range per thread at line
 * starts; threads tokenize and convert their ranges (phase 1), a range whose guessed start
 * was inside a quoted field is redone from where its predecessor really stopped, then each
 * thread interns the strings of one dictionary shard for the whole block (phase 2).
 * SPDX-License-Identifier: MIT */
#include "core/date.h"
#include "core/error.h"
#include "core/events.h"
#include "core/ksum.h"
#include "core/mem.h"
#include "core/number.h"
#include "core/parallel.h"
#include "io/csv.h"
#include "io/source.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_RECORD ((size_t)1 << 30)
#define MAX_COLUMNS 4096
#define SMALL_DICT 65536   /* fields with fewer strings are looked up read-only in phase 1 */
#define PENDING UINT32_MAX /* a small field's string not found: added after phase 2 */

/* Column roles: the first five are the rt_field string columns. */
enum { R_CUSTOMER = 0, R_CHANNEL, R_PRODUCT, R_ORDER, R_EXTRA, R_DATE, R_AMOUNT, R_NROLES };

static const char *const role_option[R_NROLES] = {"--customer", "--channel", "--product", "--order",
                                                  "--by",       "--date",    "--amount"};
static const char *const role_what[R_NROLES] = {"customer id", "channel", "product", "order id",
                                                "extra field", "date",    "amount"};
/* Header names recognised without a flag, in order of preference (case-insensitive). */
static const char *const role_names[R_NROLES][10] = {
    {"customer_id", "customer", "cust_id", "user_id", "client_id", "customerid", "userid",
     "customer id", NULL},
    {"channel", NULL},
    {"product", "product_id", "sku", "item", NULL},
    {"order_id", "order", "orderid", "order id", "transaction_id", NULL},
    {NULL}, /* the extra field is only ever named */
    {"date", "order_date", "purchase_date", "timestamp", "created_at", "event_time", "time", NULL},
    {"amount", "revenue", "total", "price", "value", "sales", NULL},
};

enum { DATE_ISO, DATE_EPOCH, DATE_FORMAT };

typedef struct strref {
    const char *p; /* into the block's data, or into the range's escape chunks */
    uint32_t len;
    uint64_t h;
} strref;

/* A chunk of unescaped copies of quoted fields with "" inside. The input buffer is never
 * written: a range parsed on a guessed start may be wrong and another thread reads it. */
typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk;

typedef struct reject {
    uint64_t line; /* relative to the range */
    long col;
    char *text;
    size_t len;
    char *why;
} reject;

typedef struct u32vec {
    uint32_t *p;
    size_t n, cap;
} u32vec;

/* A small field's string not found in phase 1, to be added after phase 2. */
typedef struct pending {
    uint32_t row; /* in the range */
    strref s;
} pending;

typedef struct pendvec {
    pending *p;
    size_t n, cap;
} pendvec;

/* A cache of recent small-field strings of at most 8 bytes: the bytes and the code. */
typedef struct short_hit {
    uint64_t key;
    uint32_t len1; /* length + 1; 0 = empty */
    uint32_t code;
} short_hit;

#define SHORT_CACHE 256

/* One thread's share of a block and what it made of it. */
typedef struct range {
    const char *begin, *limit, *stop;
    uint64_t lines; /* '\n' bytes consumed */
    size_t rows, cap;
    size_t seen, dropped, refund_rows;
    rt_ksum refund_sum;
    int32_t *day, *sec;
    double *amt;
    strref *str[RT_NFIELDS];
    uint32_t *code[RT_NFIELDS]; /* codes of the small fields, found read-only in phase 1 */
    int any_time;
    char date_text[32]; /* the last date field parsed and its value: logs repeat dates */
    uint32_t date_len;
    rt_datetime date_value;
    rt_status status; /* first fatal error (RT_OK = none) */
    uint64_t err_line;
    long err_col;
    char err_msg[400];
    reject *rej;
    size_t nrej, rejcap;
    chunk *esc; /* unescaped fields of this block, newest chunk first */
    u32vec list[RT_NFIELDS][RT_DICT_MAX_SHARDS]; /* rows whose string a shard owns (phase 2) */
    pendvec pend[RT_NFIELDS];                    /* small fields: strings not found in phase 1 */
    short_hit cache[RT_NFIELDS][SHORT_CACHE];    /* small fields: codes stay valid all load */
} range;

typedef struct loader {
    const rt_load_options *opt;
    const rt_allocator *a;
    const char *name;
    char delim;
    int col[R_NROLES]; /* header index of each role, -1 = absent */
    char *hname[R_NROLES];
    size_t ncols;
    int date_mode;
    rt_datefmt fmt;
    int threads;
    range r[64];
    int nr;           /* ranges in the current block */
    const char *data; /* current block */
    const char *data_end;
    int eof;
    rt_events *ev;
    rt_dict dict[RT_NFIELDS];
    int small[RT_NFIELDS]; /* this block, field f is looked up read-only (see phase 2) */
    uint64_t line_base;    /* lines before the block's data */
    size_t row_base;       /* rows kept before the block */
    int phase2_failed;
    rt_ksum refunds; /* sum of negative amounts so far */
} loader;

/* ---- phase 1: tokenize and convert one range ---- */

/* Line (relative to the range) and column of 'at' inside the record that starts at 'start'
 * on relative line 'line'. */
static void position(const char *start, const char *at, uint64_t line, uint64_t *out_line,
                     long *out_col)
{
    const char *ls = start;
    for (const char *q = start; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    *out_line = line;
    *out_col = (long)(at - ls) + 1;
}

/* Record a bad row: fatal (stop the range) unless skipping bad rows, then a reject entry.
 * Returns 1 if the range must stop. */
static int bad_row(loader *L, range *r, const rt_csv_rec *rec, uint64_t line, const char *at,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int bad_row(loader *L, range *r, const rt_csv_rec *rec, uint64_t line, const char *at,
                   const char *fmt, ...)
{
    uint64_t eline = line;
    long ecol = 0;
    if (at)
        position(rec->start, at, line, &eline, &ecol);
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!L->opt->skip_bad_rows) {
        r->status = RT_EPARSE;
        r->err_line = eline;
        r->err_col = ecol;
        memcpy(r->err_msg, msg, sizeof msg);
        return 1;
    }
    if (rt_mem_grow(L->a, (void **)&r->rej, &r->rejcap, r->nrej + 1, sizeof *r->rej))
        goto oom;
    reject *j = &r->rej[r->nrej];
    j->line = eline;
    j->col = ecol;
    j->len = (size_t)(rec->stop - rec->start);
    j->text = rt_mem_alloc(L->a, j->len + 1);
    j->why = rt_mem_strdup(L->a, msg);
    if (!j->text || !j->why) {
        rt_mem_free(L->a, j->text);
        rt_mem_free(L->a, j->why);
        goto oom;
    }
    memcpy(j->text, rec->start, j->len);
    j->text[j->len] = '\0';
    r->nrej++;
    return 0;
oom:
    r->status = RT_ENOMEM;
    return 1;
}

static int grow_range(loader *L, range *r)
{
    size_t cap = r->cap ? r->cap * 2 : 4096;
    void *p;
#define GROW(field)                                                                                \
    do {                                                                                           \
        p = rt_mem_resize(L->a, r->field, cap * sizeof *r->field);                                 \
        if (!p)                                                                                    \
            return -1;                                                                             \
        r->field = p;                                                                              \
    } while (0)
    GROW(day);
    GROW(sec);
    GROW(amt);
    for (int f = 0; f < RT_NFIELDS; f++)
        if (L->col[f] >= 0) {
            GROW(str[f]);
            GROW(code[f]);
        }
#undef GROW
    r->cap = cap;
    return 0;
}

/* Room for a copy of the 'len' bytes at 'p' in the range's escape chunks; NULL when out of
 * memory. */
static char *unescaped_copy(loader *L, range *r, const char *p, uint32_t len)
{
    chunk *c = r->esc;
    if (!c || c->cap - c->used < len) {
        size_t cap = len > 65536 ? len : 65536;
        c = rt_mem_alloc(L->a, sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = r->esc;
        c->used = 0;
        c->cap = cap;
        r->esc = c;
    }
    char *out = c->data + c->used;
    memcpy(out, p, len);
    c->used += len;
    return out;
}

/* Parse the date field 'fd' by the loader's date mode; NULL on success, else the reason. */
static const char *parse_date(const loader *L, const rt_csv_field *fd, rt_datetime *dt)
{
    switch (L->date_mode) {
    case DATE_EPOCH:
        return rt_date_parse_epoch(fd->p, fd->len, dt);
    case DATE_FORMAT:
        return rt_date_parse_fmt(&L->fmt, fd->p, fd->len, dt);
    default:
        return rt_date_parse_iso(fd->p, fd->len, dt);
    }
}

/* The code of small field 'k' for row 'i': from the range's cache of short strings, else a
 * read-only dictionary lookup (the dictionaries do not change during phase 1), else PENDING
 * with the string kept for add_pending. Returns 1 if out of memory. */
static int small_code(loader *L, range *r, int k, size_t i, const char *p, uint32_t len)
{
    short_hit *hit = NULL;
    uint64_t key = 0;
    if (len <= 8) {
        if (p + 8 <= L->data_end && p >= L->data) {
            /* One 8-byte load, masked to the field: a variable-length copy into 'key' would
             * cost a call and a stalled store-to-load forward on every row. */
            memcpy(&key, p, 8);
            key &= len == 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
        } else {
            for (uint32_t b = 0; b < len; b++)
                key |= (uint64_t)(unsigned char)p[b] << (8 * b);
        }
        hit = &r->cache[k][((key ^ len) * 0x9e3779b97f4a7c15ULL) >> 56];
        if (hit->len1 == len + 1 && hit->key == key) {
            r->code[k][i] = hit->code;
            return 0;
        }
    }
    uint64_t h = rt_hash(p, len);
    if (rt_dict_find(&L->dict[k], h, p, len, &r->code[k][i])) {
        if (hit)
            *hit = (short_hit){key, len + 1, r->code[k][i]};
        return 0;
    }
    r->code[k][i] = PENDING;
    pendvec *v = &r->pend[k];
    if (v->n == v->cap && rt_mem_grow(L->a, (void **)&v->p, &v->cap, v->n + 1, sizeof *v->p)) {
        r->status = RT_ENOMEM;
        return 1;
    }
    v->p[v->n++] = (pending){(uint32_t)i, {p, len, h}};
    return 0;
}

/* Convert one tokenized record into the range's columns. Returns 1 if the range must stop. */
static int convert(loader *L, range *r, const rt_csv_rec *rec, rt_csv_field *f, uint64_t line)
{
    char q[200];
    if (rec->n != L->ncols)
        return bad_row(L, r, rec, line, NULL, "expected %zu fields (as in the header), found %zu",
                       L->ncols, rec->n);
    const rt_csv_field *fd = &f[L->col[R_DATE]];
    rt_datetime dt;
    const char *why = NULL;
    if (fd->len > 0 && fd->len == r->date_len && memcmp(fd->p, r->date_text, fd->len) == 0) {
        dt = r->date_value;
    } else if (!(why = parse_date(L, fd, &dt)) && fd->len <= sizeof r->date_text) {
        memcpy(r->date_text, fd->p, fd->len);
        r->date_len = fd->len;
        r->date_value = dt;
    }
    if (why) {
        rt_quote(fd->p, fd->len, 40, q);
        const char *at = fd->flags ? fd->p - 1 : fd->p;
        if (L->date_mode == DATE_FORMAT && strcmp(why, "does not match the date format") == 0)
            return bad_row(L, r, rec, line, at, "column '%s': expected a date like \"%s\", got %s",
                           L->hname[R_DATE], L->opt->date_format, q);
        return bad_row(L, r, rec, line, at, "column '%s': %s, got %s", L->hname[R_DATE], why, q);
    }
    double amt = 0;
    if (L->col[R_AMOUNT] >= 0) {
        const rt_csv_field *fa = &f[L->col[R_AMOUNT]];
        if (rt_parse_double(fa->p, fa->len, &amt) != 0) {
            rt_quote(fa->p, fa->len, 40, q);
            return bad_row(L, r, rec, line, fa->flags ? fa->p - 1 : fa->p,
                           "column '%s': expected a number, got %s", L->hname[R_AMOUNT], q);
        }
    }
    const rt_csv_field *fc = &f[L->col[R_CUSTOMER]];
    if (fc->len == 0)
        return bad_row(L, r, rec, line, fc->flags ? fc->p - 1 : fc->p,
                       "column '%s': empty customer id", L->hname[R_CUSTOMER]);
    r->seen++;
    if (amt < 0) {
        r->refund_rows++;
        rt_ksum_add(&r->refund_sum, amt);
        if (L->opt->refunds == RT_REFUNDS_DROP) {
            r->dropped++;
            return 0;
        }
    }
    if (r->rows == r->cap && grow_range(L, r) != 0) {
        r->status = RT_ENOMEM;
        return 1;
    }
    size_t i = r->rows++;
    r->day[i] = dt.day;
    r->sec[i] = dt.sec;
    r->any_time |= dt.has_time;
    r->amt[i] = amt;
    for (int k = 0; k < RT_NFIELDS; k++) {
        if (L->col[k] < 0)
            continue;
        const rt_csv_field *fs = &f[L->col[k]];
        const char *p = fs->p;
        uint32_t len = fs->len;
        if (fs->flags & RT_CSV_ESCAPED) {
            char *copy = unescaped_copy(L, r, p, len);
            if (!copy) {
                r->status = RT_ENOMEM;
                return 1;
            }
            len = rt_csv_unescape(copy, len);
            p = copy;
        }
        if (L->small[k]) {
            if (small_code(L, r, k, i, p, len) != 0)
                return 1;
            continue;
        }
        uint64_t h = rt_hash(p, len);
        r->str[k][i] = (strref){p, len, h};
        {
            u32vec *v = &r->list[k][rt_dict_shard_of(&L->dict[k], h)];
            if (v->n == v->cap && rt_mem_grow(L->a, (void **)&v->p, &v->cap, v->n + 1, 4)) {
                r->status = RT_ENOMEM;
                return 1;
            }
            v->p[v->n++] = (uint32_t)i;
        }
    }
    return 0;
}

/* Tokenize and convert the records of 'r' that start before its limit. */
static void parse_range(loader *L, range *r)
{
    rt_csv_field f[MAX_COLUMNS + 1];
    size_t cap = L->ncols + 1;
    const char *p = r->begin;
    while (p < r->limit) {
        rt_csv_rec rec;
        rt_csv_rc rc = rt_csv_next(p, L->data_end, L->eof, L->delim, f, cap, &rec);
        if (rc == RT_CSV_MORE)
            break;
        uint64_t line = r->lines + 1;
        if (rc == RT_CSV_BAD) {
            /* Skip to the end of the line the error is on (for an unterminated quote at the
             * end of the input: the rest of the line it opened on). */
            const char *nl = memchr(rec.bad_at, '\n', (size_t)(L->data_end - rec.bad_at));
            if (!nl && !L->eof)
                break; /* the rest of the line is not read yet: carried to the next block */
            rec.stop = nl ? nl : L->data_end;
            rec.next = nl ? nl + 1 : L->data_end;
            if (rec.stop > rec.start && rec.stop[-1] == '\r')
                rec.stop--;
            if (bad_row(L, r, &rec, line, rec.bad_at, "%s", rec.why))
                break;
            for (const char *q = rec.start; q < rec.next; q++)
                r->lines += *q == '\n';
            p = rec.next;
            continue;
        }
        const char *nul = memchr(rec.start, '\0', (size_t)(rec.next - rec.start));
        if (nul) {
            position(rec.start, nul, line, &r->err_line, &r->err_col);
            snprintf(r->err_msg, sizeof r->err_msg, "NUL byte: this is not a text file");
            r->status = RT_EPARSE;
            break;
        }
        if (!rt_csv_blank(&rec, f) && convert(L, r, &rec, f, line))
            break;
        r->lines += rec.newlines;
        p = rec.next;
    }
    r->stop = p;
}

static void reset_range(loader *L, range *r)
{
    while (r->esc) {
        chunk *next = r->esc->next;
        rt_mem_free(L->a, r->esc);
        r->esc = next;
    }
    for (size_t i = 0; i < r->nrej; i++) {
        rt_mem_free(L->a, r->rej[i].text);
        rt_mem_free(L->a, r->rej[i].why);
    }
    r->nrej = 0;
    r->lines = 0;
    r->rows = r->seen = r->dropped = r->refund_rows = 0;
    r->refund_sum = (rt_ksum){0, 0};
    r->any_time = 0;
    r->status = RT_OK;
    for (int f = 0; f < RT_NFIELDS; f++) {
        r->pend[f].n = 0;
        for (int k = 0; k < RT_DICT_MAX_SHARDS; k++)
            r->list[f][k].n = 0;
    }
}

static void free_range(loader *L, range *r)
{
    reset_range(L, r);
    rt_mem_free(L->a, r->rej);
    rt_mem_free(L->a, r->day);
    rt_mem_free(L->a, r->sec);
    rt_mem_free(L->a, r->amt);
    for (int f = 0; f < RT_NFIELDS; f++) {
        rt_mem_free(L->a, r->str[f]);
        rt_mem_free(L->a, r->code[f]);
        rt_mem_free(L->a, r->pend[f].p);
        for (int k = 0; k < RT_DICT_MAX_SHARDS; k++)
            rt_mem_free(L->a, r->list[f][k].p);
    }
    memset(r, 0, sizeof *r);
}

static void phase1(void *arg, int k)
{
    loader *L = arg;
    parse_range(L, &L->r[k]);
}

/* ---- phase 2: intern the block's strings, one dictionary shard per thread ---- */

/* Intern the strings of field 'f' owned by shard 'k' for the whole block, range by range in
 * row order. Phase 1 listed the rows of each shard, so the lookups can be software-pipelined:
 * the slot of the string 16 ahead is prefetched, then the entry of the one 8 ahead. */
static int intern_field(loader *L, int f, int k)
{
    rt_dict *d = &L->dict[f];
    size_t row = L->row_base;
    for (int j = 0; j < L->nr; j++) {
        const range *r = &L->r[j];
        const strref *s = r->str[f];
        const uint32_t *idx = r->list[f][k].p;
        size_t n = r->list[f][k].n;
        uint32_t *out = L->ev->code[f] + row;
        for (size_t i = 0; i < n; i++) {
            if (i + 16 < n)
                rt_dict_prefetch(d, k, s[idx[i + 16]].h);
            if (i + 8 < n)
                rt_dict_prefetch_entry(d, k, s[idx[i + 8]].h);
            const strref *x = &s[idx[i]];
            if (rt_dict_intern(d, k, x->h, x->p, x->len, (uint32_t)(row + idx[i]), &out[idx[i]]))
                return -1;
        }
        row += r->rows;
    }
    return 0;
}

/* A field with few distinct strings (channels, products) is looked up read-only in phase 1,
 * by every thread for its own range; the few strings not found are added here, after phase
 * 2, in row order. Sharding such a field would leave one thread doing most of the work. */
static int add_pending(loader *L, int f)
{
    rt_dict *d = &L->dict[f];
    size_t base = L->row_base;
    for (int j = 0; j < L->nr; j++) {
        const pendvec *v = &L->r[j].pend[f];
        uint32_t *out = L->ev->code[f] + base;
        for (size_t m = 0; m < v->n; m++) {
            const pending *q = &v->p[m];
            if (rt_dict_intern(d, rt_dict_shard_of(d, q->s.h), q->s.h, q->s.p, q->s.len,
                               (uint32_t)(base + q->row), &out[q->row]) != 0)
                return -1;
        }
        base += L->r[j].rows;
    }
    return 0;
}

static void phase2(void *arg, int k)
{
    loader *L = arg;
    for (int f = 0; f < RT_NFIELDS; f++) {
        if (L->col[f] < 0)
            continue;
        if (!L->small[f] && intern_field(L, f, k) != 0)
            L->phase2_failed = 1;
    }
}

/* ---- the block loop ---- */

static int grow_columns(loader *L, size_t need, int want_sec)
{
    rt_events *ev = L->ev;
    if (want_sec && !ev->sec) {
        ev->sec = rt_mem_calloc(L->a, ev->cap ? ev->cap : 1, sizeof *ev->sec);
        if (!ev->sec)
            return -1;
    }
    if (need <= ev->cap)
        return 0;
    size_t cap = ev->cap ? ev->cap : 65536;
    while (cap < need)
        cap *= 2;
    void *p;
#define GROW(field)                                                                                \
    do {                                                                                           \
        if (ev->field) {                                                                           \
            p = rt_mem_resize(L->a, ev->field, cap * sizeof *ev->field);                           \
            if (!p)                                                                                \
                return -1;                                                                         \
            ev->field = p;                                                                         \
        }                                                                                          \
    } while (0)
    GROW(day);
    GROW(sec);
    GROW(amount_half[0]);
    GROW(amount_half[1]);
    for (int f = 0; f < RT_NFIELDS; f++)
        GROW(code[f]);
#undef GROW
    ev->cap = cap;
    return 0;
}

/* Line number (1-based, absolute) of relative line 'rel' of range 'k'. */
static uint64_t abs_line(const loader *L, int k, uint64_t rel)
{
    uint64_t base = L->line_base;
    for (int j = 0; j < k; j++)
        base += L->r[j].lines;
    return base + rel;
}

/* Hand the block's rejected rows to the callback, in input order. */
static rt_status emit_rejects(loader *L, rt_error *err)
{
    for (int k = 0; k < L->nr; k++) {
        range *r = &L->r[k];
        for (size_t i = 0; i < r->nrej; i++) {
            reject *j = &r->rej[i];
            uint64_t line = abs_line(L, k, j->line);
            L->ev->stats.rows_rejected++;
            if (!L->opt->on_reject)
                continue;
            char why[480];
            if (j->col > 0)
                snprintf(why, sizeof why, "%llu:%ld: %s", (unsigned long long)line, j->col, j->why);
            else
                snprintf(why, sizeof why, "%llu: %s", (unsigned long long)line, j->why);
            if (L->opt->on_reject(L->opt->reject_ud, (long)line, j->text, j->len, why) != 0)
                return rt_fail(err, RT_EIO, L->name, 0, 0, "could not write a rejected row");
        }
    }
    return RT_OK;
}

/* Process the complete records of the block [data, data_end); returns where the first
 * incomplete record starts in '*stop'. */
static rt_status process_block(loader *L, const char **stop, rt_error *err)
{
    size_t len = (size_t)(L->data_end - L->data);
    int nr = len < ((size_t)1 << 20) ? 1 : L->threads;
    for (int f = 0; f < RT_NFIELDS; f++) /* fixed for the block: phase 1 lists by shard */
        L->small[f] = f != RT_FIELD_CUSTOMER && rt_dict_size(&L->dict[f]) < SMALL_DICT;
    L->nr = nr;
    for (int k = 0; k < nr; k++) {
        range *r = &L->r[k];
        reset_range(L, r);
        const char *b = L->data + len * (size_t)k / (size_t)nr;
        if (k > 0) {
            const char *nl = memchr(b, '\n', (size_t)(L->data_end - b));
            b = nl ? nl + 1 : L->data_end;
        }
        r->begin = b;
    }
    for (int k = 0; k < nr; k++)
        L->r[k].limit = k + 1 < nr ? L->r[k + 1].begin : L->data_end;
    rt_parallel(nr, phase1, L);
    /* A range whose guessed start was not where its predecessor stopped (a line break inside
     * quotes) is parsed again from the right place. */
    for (int k = 0; k < nr; k++) {
        range *r = &L->r[k];
        if (k > 0 && r->begin != L->r[k - 1].stop) {
            reset_range(L, r);
            r->begin = L->r[k - 1].stop;
            parse_range(L, r);
        }
        if (r->status == RT_ENOMEM)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        if (r->status != RT_OK) {
            uint64_t line = abs_line(L, k, r->err_line);
            return rt_fail(err, r->status, L->name, (long)line, r->err_col, "%s", r->err_msg);
        }
    }
    *stop = L->r[nr - 1].stop;

    size_t rows = 0;
    int any_time = 0;
    for (int k = 0; k < nr; k++) {
        rows += L->r[k].rows;
        any_time |= L->r[k].any_time;
    }
    rt_events *ev = L->ev;
    if (ev->n + rows >= UINT32_MAX)
        return rt_fail(err, RT_EDOMAIN, L->name, 0, 0, "more than %u events in one table",
                       UINT32_MAX - 1);
    if (grow_columns(L, ev->n + rows, any_time) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    size_t at = ev->n;
    for (int k = 0; k < nr; k++) {
        range *r = &L->r[k];
        ev->stats.rows_read += r->seen + r->nrej;
        ev->stats.rows_dropped += r->dropped;
        ev->stats.refund_rows += r->refund_rows;
        rt_ksum_merge(&L->refunds, &r->refund_sum);
        ev->stats.refund_amount = rt_ksum_value(&L->refunds);
        if (r->rows == 0)
            continue; /* its columns may never have been allocated */
        memcpy(ev->day + at, r->day, r->rows * sizeof *r->day);
        if (ev->sec)
            memcpy(ev->sec + at, r->sec, r->rows * sizeof *r->sec);
        if (ev->amount_half[0])
            for (size_t i = 0; i < r->rows; i++) {
                uint64_t bits;
                memcpy(&bits, &r->amt[i], 8);
                ev->amount_half[0][at + i] = (uint32_t)bits;
                ev->amount_half[1][at + i] = (uint32_t)(bits >> 32);
            }
        for (int f = 0; f < RT_NFIELDS; f++)
            if (L->col[f] >= 0 && L->small[f])
                memcpy(ev->code[f] + at, r->code[f], r->rows * sizeof *r->code[f]);
        at += r->rows;
    }
    L->row_base = ev->n;
    L->phase2_failed = 0;
    rt_parallel(L->threads, phase2, L);
    for (int f = 0; f < RT_NFIELDS && !L->phase2_failed; f++)
        if (L->col[f] >= 0 && L->small[f] && add_pending(L, f) != 0)
            L->phase2_failed = 1;
    if (L->phase2_failed)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0,
                       "out of memory (or more than 4 billion distinct strings)");
    ev->n += rows;
    rt_status st = emit_rejects(L, err);
    for (int k = 0; k < nr; k++)
        L->line_base += L->r[k].lines;
    return st;
}

/* ---- the header ---- */

static int same_name(const char *a, size_t alen, const char *b)
{
    while (alen && isspace((unsigned char)*a)) {
        a++;
        alen--;
    }
    while (alen && isspace((unsigned char)a[alen - 1]))
        alen--;
    return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

/* "a, b, c" list of the header's names into 'buf'. */
static void list_columns(char **names, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 8 < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + (cap > 5 ? cap - 5 : 0), 5, "...");
            return;
        }
        len += (size_t)w;
    }
}

static const char *role_flag_value(const rt_load_options *o, int role)
{
    switch (role) {
    case R_CUSTOMER:
        return o->customer_col;
    case R_CHANNEL:
        return o->channel_col;
    case R_PRODUCT:
        return o->product_col;
    case R_ORDER:
        return o->order_col;
    case R_EXTRA:
        return o->extra_col;
    case R_DATE:
        return o->date_col;
    default:
        return o->amount_col;
    }
}

/* Find each role's column in the header names. */
static rt_status map_columns(loader *L, char **names, size_t n, rt_error *err)
{
    char cols[300];
    list_columns(names, n, cols, sizeof cols);
    for (int role = 0; role < R_NROLES; role++) {
        L->col[role] = -1;
        const char *want = role_flag_value(L->opt, role);
        if (want && !*want) {
            if (role == R_CUSTOMER || role == R_DATE)
                return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s needs a column name",
                               role_option[role]);
            continue;
        }
        if (want) {
            for (size_t i = 0; i < n && L->col[role] < 0; i++)
                if (strcmp(names[i], want) == 0)
                    L->col[role] = (int)i;
            for (size_t i = 0; i < n && L->col[role] < 0; i++)
                if (same_name(names[i], strlen(names[i]), want))
                    L->col[role] = (int)i;
            if (L->col[role] < 0)
                return rt_fail(err, RT_EDOMAIN, L->name, 0, 0,
                               "column '%s' (%s) not found; the columns are: %s", want,
                               role_option[role], cols);
            continue;
        }
        for (int c = 0; role_names[role][c] && L->col[role] < 0; c++)
            for (size_t i = 0; i < n && L->col[role] < 0; i++)
                if (same_name(names[i], strlen(names[i]), role_names[role][c]))
                    L->col[role] = (int)i;
        if (L->col[role] < 0 && (role == R_CUSTOMER || role == R_DATE))
            return rt_fail(err, RT_EDOMAIN, L->name, 0, 0,
                           "no %s column (looked for %s, ...); name it with %s COL. The columns "
                           "are: %s",
                           role_what[role], role_names[role][0], role_option[role], cols);
    }
    for (int a = 0; a < R_NROLES; a++)
        for (int b = a + 1; b < R_NROLES; b++)
            if (L->col[a] >= 0 && L->col[a] == L->col[b])
                return rt_fail(err, RT_EDOMAIN, L->name, 0, 0,
                               "column '%s' is used both as the %s and as the %s; choose with %s "
                               "or %s",
                               names[L->col[a]], role_what[a], role_what[b], role_option[a],
                               role_option[b]);
    return RT_OK;
}

/* Parse the header record at the start of the data. Returns RT_OK with '*next' set, or
 * RT_OK with '*next' NULL when the header is not complete in the buffer yet. */
static rt_status parse_header(loader *L, const char **next, rt_error *err)
{
    rt_csv_field *f = rt_mem_array(L->a, MAX_COLUMNS + 1, sizeof *f);
    char **names = rt_mem_calloc(L->a, MAX_COLUMNS, sizeof *names);
    rt_status st = RT_OK;
    *next = NULL;
    if (!f || !names) {
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    const char *p = L->data;
    rt_csv_rec rec;
    uint64_t blank = 0; /* blank lines before the header */
    for (;;) {
        if (p == L->data_end) {
            if (L->eof)
                st = rt_fail(err, RT_EDOMAIN, L->name, 0, 0, "empty input: no header line");
            goto out;
        }
        rt_csv_rc rc = rt_csv_next(p, L->data_end, L->eof, L->delim, f, MAX_COLUMNS + 1, &rec);
        if (rc == RT_CSV_MORE)
            goto out;
        if (rc == RT_CSV_BAD) {
            uint64_t line;
            long col;
            position(rec.start, rec.bad_at, blank + 1, &line, &col);
            st = rt_fail(err, RT_EPARSE, L->name, (long)line, col, "%s", rec.why);
            goto out;
        }
        if (memchr(rec.start, '\0', (size_t)(rec.next - rec.start))) {
            st = rt_fail(err, RT_EPARSE, L->name, 0, 0, "NUL byte: this is not a text file");
            goto out;
        }
        if (!rt_csv_blank(&rec, f))
            break;
        blank += rec.newlines;
        p = rec.next;
    }
    if (rec.n > MAX_COLUMNS) {
        st = rt_fail(err, RT_EDOMAIN, L->name, (long)blank + 1, 0,
                     "more than %d columns in the header", MAX_COLUMNS);
        goto out;
    }
    for (size_t i = 0; i < rec.n; i++) {
        names[i] = rt_mem_alloc(L->a, f[i].len + 1);
        if (!names[i]) {
            st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        memcpy(names[i], f[i].p, f[i].len);
        uint32_t len = f[i].len;
        if (f[i].flags & RT_CSV_ESCAPED)
            len = rt_csv_unescape(names[i], len);
        names[i][len] = '\0';
    }
    L->ncols = rec.n;
    st = map_columns(L, names, rec.n, err);
    if (st != RT_OK)
        goto out;
    for (int role = 0; role < R_NROLES; role++) {
        if (L->col[role] < 0)
            continue;
        L->hname[role] = rt_mem_strdup(L->a, names[L->col[role]]);
        if (!L->hname[role]) {
            st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
    }
    L->line_base += blank + rec.newlines;
    *next = rec.next;
out:
    if (names)
        for (size_t i = 0; i < MAX_COLUMNS && names[i]; i++)
            rt_mem_free(L->a, names[i]);
    rt_mem_free(L->a, names);
    rt_mem_free(L->a, f);
    return st;
}

/* ---- the entry point ---- */

static rt_status setup(loader *L, const char *path, const rt_load_options *opt, rt_error *err)
{
    L->opt = opt;
    L->a = opt->allocator;
    L->name = opt->name ? opt->name : strcmp(path, "-") == 0 ? "<stdin>" : path;
    L->delim = opt->delim ? opt->delim : ',';
    if (L->delim == '"' || L->delim == '\n' || L->delim == '\r')
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0,
                       "the delimiter cannot be a quote or a line end");
    L->threads = rt_thread_count(opt->threads);
    L->date_mode = DATE_ISO;
    if (opt->date_format && *opt->date_format) {
        if (strcmp(opt->date_format, "epoch") == 0) {
            L->date_mode = DATE_EPOCH;
        } else if (strcmp(opt->date_format, "iso") != 0) {
            char why[256];
            if (rt_datefmt_compile(opt->date_format, &L->fmt, why, sizeof why) != 0)
                return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "%s", why);
            L->date_mode = DATE_FORMAT;
        }
    }
    for (int f = 0; f < RT_NFIELDS; f++)
        rt_dict_init(&L->dict[f], L->threads, L->a);
    return RT_OK;
}

/* Free the per-block scratch. */
static void free_scratch(loader *L)
{
    for (int k = 0; k < 64; k++)
        free_range(L, &L->r[k]);
}

static void cleanup(loader *L)
{
    free_scratch(L);
    for (int f = 0; f < RT_NFIELDS; f++)
        rt_dict_release(&L->dict[f]);
    for (int role = 0; role < R_NROLES; role++)
        rt_mem_free(L->a, L->hname[role]);
}

/* Allocate the table and record the column names chosen. */
static rt_status new_table(loader *L, rt_error *err)
{
    rt_events *ev = rt_mem_calloc(L->a, 1, sizeof *ev);
    if (!ev)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    L->ev = ev;
    ev->alloc = L->a;
    ev->source = rt_mem_strdup(L->a, L->name);
    ev->day = rt_mem_alloc(L->a, sizeof *ev->day);
    int ok = ev->source && ev->day;
    if (L->col[R_AMOUNT] >= 0)
        for (int h = 0; h < 2; h++)
            ok &= (ev->amount_half[h] = rt_mem_alloc(L->a, sizeof *ev->amount_half[h])) != NULL;
    for (int f = 0; f < RT_NFIELDS; f++) {
        if (L->col[f] < 0)
            continue;
        ok &= (ev->code[f] = rt_mem_alloc(L->a, sizeof *ev->code[f])) != NULL;
        ok &= (ev->colname[f] = rt_mem_strdup(L->a, L->hname[f])) != NULL;
    }
    ok &= (ev->date_col = rt_mem_strdup(L->a, L->hname[R_DATE])) != NULL;
    if (L->col[R_AMOUNT] >= 0)
        ok &= (ev->amount_col = rt_mem_strdup(L->a, L->hname[R_AMOUNT])) != NULL;
    if (!ok)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    return RT_OK;
}

rt_status rt_events_read(const char *path, const rt_load_options *opt, rt_events **out,
                         rt_error *err)
{
    rt_load_options defaults = {0};
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_events_read: NULL argument");
    if (!opt)
        opt = &defaults;
    loader *L = calloc(1, sizeof *L); /* ~0.5 MB of fixed bookkeeping; the hook is for data */
    if (!L)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    rt_source *src = NULL;
    char *buf = NULL;
    size_t cap = RT_LOAD_BLOCK, len = 0;
    int header_done = 0;
    rt_status st = setup(L, path, opt, err);
    if (st == RT_OK)
        st = rt_source_open(path, L->name, L->a, &src, err);
    if (st == RT_OK && !(buf = rt_mem_alloc(L->a, cap)))
        st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    int first = 1;
    while (st == RT_OK) {
        size_t got = 0;
        if (!L->eof) {
            st = rt_source_read(src, buf + len, cap - len, &got, err);
            if (st != RT_OK)
                break;
            if (len + got < cap)
                L->eof = 1;
        }
        len += got;
        L->data = buf;
        L->data_end = buf + len;
        if (first && len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            L->data += 3;
        first = 0;
        const char *stop = NULL;
        if (!header_done) {
            st = parse_header(L, &stop, err);
            if (st == RT_OK && stop) {
                header_done = 1;
                st = new_table(L, err);
                L->data = stop;
            }
        }
        if (st == RT_OK && header_done && L->data < L->data_end)
            st = process_block(L, &stop, err);
        if (st != RT_OK)
            break;
        if (!stop)
            stop = L->data;
        size_t rest = (size_t)(L->data_end - stop);
        if (L->eof && (rest == 0 || header_done))
            break;
        if (rest == len) {
            /* Nothing complete in a full buffer: one record is larger than it. */
            if (cap >= MAX_RECORD) {
                st = rt_fail(err, RT_EPARSE, L->name, (long)L->line_base + 1, 0,
                             "a record longer than %zu bytes", MAX_RECORD);
                break;
            }
            char *nb = rt_mem_resize(L->a, buf, cap * 2);
            if (!nb) {
                st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            buf = nb;
            cap *= 2;
        } else {
            memmove(buf, stop, rest);
        }
        len = rest;
    }
    rt_source_close(src);
    rt_mem_free(L->a, buf);
    free_scratch(L); /* before the sort, which needs the memory */
    if (st == RT_OK && !header_done)
        st = rt_fail(err, RT_EDOMAIN, L->name, 0, 0, "empty input: no header line");
    if (st == RT_OK && L->ev->stats.rows_read == 0)
        st = rt_fail(err, RT_EDOMAIN, L->name, 0, 0, "no data rows after the header");
    if (st == RT_OK && L->ev->n == 0)
        st = rt_fail(err, RT_EDOMAIN, L->name, 0, 0,
                     "no usable rows: %llu read, %llu rejected, %llu dropped",
                     (unsigned long long)L->ev->stats.rows_read,
                     (unsigned long long)L->ev->stats.rows_rejected,
                     (unsigned long long)L->ev->stats.rows_dropped);
    if (st == RT_OK)
        st = rt_events_finish(L->ev, L->dict, L->threads, opt->refunds, err);
    if (st == RT_OK) {
        *out = L->ev;
        L->ev = NULL;
    }
    rt_events_free(L->ev);
    cleanup(L);
    free(L);
    return st;
}
