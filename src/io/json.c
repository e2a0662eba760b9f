/* json.c - strict JSON reader: recursive descent with a depth limit, every node, key and string
 * in one arena that rt_json_free drops in one sweep. Children of open containers wait on one
 * scratch stack and move to the arena, contiguous, when their container closes. Numbers go
 * through the exact parser of core/number.h; errors carry the byte's line and column.
 * SPDX-License-Identifier: MIT */
#include "io/json.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"

#include <errno.h>
#include <math.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the document and its arena ---- */

typedef struct block {
    struct block *next;
    size_t used, cap; /* bytes of data used and available */
} block;

#define ARENA_ALIGN alignof(max_align_t)
#define BLOCK_HDR ((sizeof(block) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)
#define BLOCK_SIZE ((size_t)8192)

struct rt_json_doc {
    rt_allocator hook;     /* copy of the caller's allocator */
    const rt_allocator *a; /* &hook, or NULL for malloc */
    block *blocks;         /* the head is the block being filled */
    rt_json root;
    const char *name; /* in the arena */
};

/* 'n' bytes aligned to 'align' (a power of two <= ARENA_ALIGN) from the arena of 'd'; large
 * requests get a block of their own behind the head. NULL when out of memory. */
static void *arena_alloc(rt_json_doc *d, size_t n, size_t align)
{
    block *b = d->blocks;
    if (b) {
        size_t off = (b->used + align - 1) & ~(align - 1);
        if (off <= b->cap && n <= b->cap - off) {
            b->used = off + n;
            return (char *)b + BLOCK_HDR + off;
        }
    }
    int own = n > BLOCK_SIZE / 4;
    size_t cap = own ? n : BLOCK_SIZE;
    if (cap > SIZE_MAX - BLOCK_HDR)
        return NULL;
    block *nb = rt_mem_alloc(d->a, BLOCK_HDR + cap);
    if (!nb)
        return NULL;
    nb->cap = cap;
    nb->used = n;
    if (own && b) {
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        d->blocks = nb;
    }
    return (char *)nb + BLOCK_HDR;
}

/* A NUL-terminated copy of 'len' bytes of 's' in the arena, or NULL. */
static char *arena_strndup(rt_json_doc *d, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(d, len + 1, 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void rt_json_free(rt_json_doc *d)
{
    if (!d)
        return;
    rt_allocator hook = d->hook; /* 'd' itself is released with it, last */
    const rt_allocator *a = d->a ? &hook : NULL;
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        rt_mem_free(a, b);
    }
    rt_mem_free(a, d);
}

const rt_json *rt_json_root(const rt_json_doc *d)
{
    return d ? &d->root : NULL;
}

const char *rt_json_name(const rt_json_doc *d)
{
    return d ? d->name : NULL;
}

const rt_json *rt_json_get(const rt_json *obj, const char *key)
{
    if (!obj || !key || obj->type != RT_JSON_OBJECT)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < obj->n; i++)
        if (obj->items[i].key_len == len && memcmp(obj->items[i].key, key, len) == 0)
            return &obj->items[i];
    return NULL;
}

const char *rt_json_type_name(rt_json_type t)
{
    switch (t) {
    case RT_JSON_NULL:
        return "null";
    case RT_JSON_FALSE:
        return "false";
    case RT_JSON_TRUE:
        return "true";
    case RT_JSON_NUMBER:
        return "number";
    case RT_JSON_STRING:
        return "string";
    case RT_JSON_ARRAY:
        return "array";
    case RT_JSON_OBJECT:
        return "object";
    }
    return "value";
}

/* ---- the parser ---- */

typedef struct parser {
    const char *text, *p, *end;
    const char *line_start; /* first byte of the line holding 'p' */
    long line;
    rt_json_doc *doc;
    rt_json *stack; /* children of the open containers */
    size_t sp, stack_cap;
    char *buf; /* the string being unescaped */
    size_t blen, buf_cap;
    int depth;
    rt_error *err;
} parser;

/* Fail with 'code' at byte 'at' of the text: line and column are counted from the start
 * (errors are rare, so no position is tracked for them while parsing). Returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(parser *P, rt_status code, const char *at,
                                                      const char *fmt, ...)
{
    long line = 1;
    const char *ls = P->text;
    for (const char *q = P->text; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rt_fail(P->err, code, P->doc->name, line, (long)(at - ls) + 1, "%s", msg);
    return -1;
}

static int fail_nomem(parser *P)
{
    rt_fail(P->err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    return -1;
}

/* Describe the input at 'at' for a message: "end of input", a quoted ASCII character, or the
 * hex value of another byte. Writes into 'buf' (at least 32 bytes). */
static const char *got(const parser *P, const char *at, char *buf)
{
    unsigned char c;
    if (at >= P->end)
        return "end of input";
    c = (unsigned char)*at;
    if (c >= 0x80) {
        snprintf(buf, 32, "byte 0x%02X", c);
        return buf;
    }
    rt_quote(at, 1, 1, buf);
    return buf;
}

/* Skip whitespace, counting lines (raw newlines occur nowhere else in valid JSON). */
static void skip_ws(parser *P)
{
    while (P->p < P->end) {
        char c = *P->p;
        if (c == '\n') {
            P->line++;
            P->line_start = P->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        P->p++;
    }
}

static int buf_put(parser *P, const char *s, size_t n)
{
    if (n == 0)
        return 0;
    void *grown = P->buf;
    if (P->blen + n < P->blen || rt_mem_grow(P->doc->a, &grown, &P->buf_cap, P->blen + n, 1) != 0)
        return fail_nomem(P);
    P->buf = grown;
    memcpy(P->buf + P->blen, s, n);
    P->blen += n;
    return 0;
}

/* Length (1-4) of the well-formed UTF-8 sequence at 's' (before 'end'), or 0 when it is
 * ill-formed or cut short (Unicode 15, table 3-7: no overlongs, surrogates or > U+10FFFF). */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if (s[k] < lo || s[k] > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

/* The value of four hex digits at 's' (before 'end'), or -1. */
static long hex4(const char *s, const char *end)
{
    long v = 0;
    if (end - s < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Append code point 'cp' (valid, not a surrogate) as UTF-8. */
static int put_code_point(parser *P, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_put(P, u, n);
}

/* Parse the \u escape at 'q' (pointing at the backslash), a surrogate pair included, append
 * its UTF-8 and return the bytes consumed, or 0 after an error. */
static size_t parse_u_escape(parser *P, const char *q)
{
    long hi = hex4(q + 2, P->end);
    if (hi < 0) {
        fail(P, RT_EPARSE, q, "invalid \\u escape (need 4 hex digits)");
        return 0;
    }
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        fail(P, RT_EPARSE, q, "unpaired surrogate \\u%04lX in a string", hi);
        return 0;
    }
    if (hi < 0xD800 || hi > 0xDBFF)
        return put_code_point(P, (unsigned long)hi) == 0 ? 6 : 0;
    long lo = P->end - q >= 8 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8, P->end) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        fail(P, RT_EPARSE, q, "unpaired surrogate \\u%04lX in a string", hi);
        return 0;
    }
    unsigned long cp =
        0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
    return put_code_point(P, cp) == 0 ? 12 : 0;
}

/* Parse the string at P->p (a '"') into a NUL-terminated arena copy '*out' of '*len' bytes. */
static int parse_string(parser *P, const char **out, size_t *len)
{
    const char *open = P->p, *q = P->p + 1;
    P->blen = 0;
    for (;;) {
        const char *run = q;
        while (q < P->end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' &&
               *q != '\\')
            q++;
        if (buf_put(P, run, (size_t)(q - run)) != 0)
            return -1;
        if (q >= P->end)
            return fail(P, RT_EPARSE, open, "unterminated string");
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            q++;
            break;
        }
        if (c < 0x20)
            return fail(P, RT_EPARSE, q,
                        "control character 0x%02X in a string (write it as an escape)", c);
        if (c >= 0x80) {
            size_t n = utf8_len((const unsigned char *)q, (const unsigned char *)P->end);
            if (n == 0)
                return fail(P, RT_EPARSE, q, "invalid UTF-8 in a string (byte 0x%02X)", c);
            if (buf_put(P, q, n) != 0)
                return -1;
            q += n;
            continue;
        }
        /* A backslash. */
        if (q + 1 >= P->end)
            return fail(P, RT_EPARSE, open, "unterminated string");
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *e = q[1] ? strchr(from, q[1]) : NULL;
        if (e) {
            if (buf_put(P, &to[e - from], 1) != 0)
                return -1;
            q += 2;
        } else if (q[1] == 'u') {
            size_t n = parse_u_escape(P, q);
            if (n == 0)
                return -1;
            q += n;
        } else {
            char b[32];
            return fail(P, RT_EPARSE, q, "invalid escape: backslash followed by %s",
                        got(P, q + 1, b));
        }
    }
    char *s = arena_strndup(P->doc, P->buf ? P->buf : "", P->blen);
    if (!s)
        return fail_nomem(P);
    *out = s;
    *len = P->blen;
    P->p = q;
    return 0;
}

/* Whether the 'n' bytes at 's' are a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number_syntax(const char *s, size_t n)
{
    size_t i = 0, start;
#define DIGIT(k) ((k) < n && s[k] >= '0' && s[k] <= '9')
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (DIGIT(i))
        while (DIGIT(i))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        start = ++i;
        while (DIGIT(i))
            i++;
        if (i == start)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        start = i;
        while (DIGIT(i))
            i++;
        if (i == start)
            return 0;
    }
#undef DIGIT
    return i == n;
}

/* Significant digits the underflow path keeps; the rest must be zeros. */
#define KEEP_DIGITS 800

/* The value of the valid JSON number 's'/'n' that rt_parse_double refused (it reports
 * overflow and inexact underflow alike): rewritten as "[-]<digits>e<exp>", which has no
 * decimal point and so reads the same in every locale, and handed to strtod, whose underflow
 * result (a denormal or zero) is the correctly rounded value. Returns 0, or -1 for an
 * overflow or more than KEEP_DIGITS significant digits. */
static int parse_beyond_range(const char *s, size_t n, double *out)
{
    char buf[KEEP_DIGITS + 32];
    size_t len = 0, i = 0, kept = 0;
    long long exp10 = 0, nfrac = 0;
    int frac = 0;
    if (s[0] == '-')
        buf[len++] = s[i++];
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            frac = 1;
            continue;
        }
        nfrac += frac;
        if (kept == 0 && s[i] == '0')
            continue;
        if (kept == KEEP_DIGITS)
            return -1;
        buf[len++] = s[i];
        kept++;
    }
    if (i < n) {
        int neg = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            neg = s[i++] == '-';
        for (; i < n; i++)
            if (exp10 < 1000000000LL) /* far beyond any double either way */
                exp10 = exp10 * 10 + (s[i] - '0');
        if (neg)
            exp10 = -exp10;
    }
    snprintf(buf + len, sizeof buf - len, "e%lld", exp10 - nfrac);
    int saved = errno;
    double v = strtod(buf, NULL);
    errno = saved;
    if (isinf(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_number(parser *P, rt_json *v)
{
    const char *s = P->p, *q = s;
    /* The whole token, so that "01", "1.5.2" or "12abc" are reported whole. */
    while (q < P->end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                          (*q >= 'A' && *q <= 'Z') || *q == '.' || *q == '+' || *q == '-'))
        q++;
    size_t n = (size_t)(q - s);
    char quoted[4 * 40 + 8];
    if (!number_syntax(s, n)) {
        rt_quote(s, n, 40, quoted);
        return fail(P, RT_EPARSE, s, "invalid number %s", quoted);
    }
    if (rt_parse_double(s, n, &v->num) != 0 && parse_beyond_range(s, n, &v->num) != 0) {
        rt_quote(s, n, 40, quoted);
        return fail(P, RT_EPARSE, s, "number %s is outside the range of a double", quoted);
    }
    v->type = RT_JSON_NUMBER;
    P->p = q;
    return 0;
}

/* true, false or null at P->p; anything else starting with a letter is an error. */
static int parse_word(parser *P, rt_json *v)
{
    static const struct {
        const char *w;
        rt_json_type t;
    } words[] = {{"true", RT_JSON_TRUE}, {"false", RT_JSON_FALSE}, {"null", RT_JSON_NULL}};
    const char *s = P->p, *q = s;
    while (q < P->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                          (*q >= '0' && *q <= '9') || *q == '_'))
        q++;
    size_t n = (size_t)(q - s);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].w) == n && memcmp(words[i].w, s, n) == 0) {
            v->type = words[i].t;
            P->p = q;
            return 0;
        }
    char quoted[4 * 40 + 8];
    rt_quote(s, n, 40, quoted);
    return fail(P, RT_EPARSE, s, "expected a JSON value, got %s", quoted);
}

static int parse_value(parser *P, rt_json *v);

/* Order members by key bytes, then by position in the input. */
static int cmp_member(const void *pa, const void *pb)
{
    const rt_json *a = *(const rt_json *const *)pa, *b = *(const rt_json *const *)pb;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);
    if (!c)
        c = (a->key_len > b->key_len) - (a->key_len < b->key_len);
    if (!c)
        c = (a > b) - (a < b);
    return c;
}

/* The later of two members with the same key among the 'n' at 'm', or NULL. Small objects
 * are compared pairwise, larger ones through a sorted array of pointers ('*nomem' set when
 * that cannot be allocated). */
static const rt_json *find_duplicate(parser *P, const rt_json *m, size_t n, int *nomem)
{
    *nomem = 0;
    if (n <= 16) {
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++)
                if (m[i].key_len == m[j].key_len && memcmp(m[i].key, m[j].key, m[j].key_len) == 0)
                    return &m[j];
        return NULL;
    }
    const rt_json **s = rt_mem_array(P->doc->a, n, sizeof *s);
    if (!s) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = &m[i];
    qsort(s, n, sizeof *s, cmp_member);
    const rt_json *dup = NULL;
    for (size_t i = 1; i < n; i++)
        if (s[i]->key_len == s[i - 1]->key_len &&
            memcmp(s[i]->key, s[i - 1]->key, s[i]->key_len) == 0 && (!dup || s[i] < dup))
            dup = s[i]; /* the first repeat in input order */
    rt_mem_free(P->doc->a, s);
    return dup;
}

/* Close the container 'v' whose children are the stack entries from 'base' up: check an
 * object's keys for repeats, then move the children to the arena. */
static int close_container(parser *P, rt_json *v, size_t base)
{
    size_t n = P->sp - base;
    rt_json *items = P->stack + base;
    if (v->type == RT_JSON_OBJECT && n > 1) {
        int nomem;
        const rt_json *dup = find_duplicate(P, items, n, &nomem);
        if (nomem)
            return fail_nomem(P);
        if (dup) {
            char quoted[4 * 40 + 8];
            rt_quote(dup->key, dup->key_len, 40, quoted);
            /* Point at the repeated member's value: the key's position is not kept. */
            long line = dup->line, col = dup->column;
            rt_fail(P->err, RT_EPARSE, P->doc->name, line, col, "duplicate key %s in an object",
                    quoted);
            return -1;
        }
    }
    if (n > 0) {
        if (n > SIZE_MAX / sizeof(rt_json))
            return fail_nomem(P);
        rt_json *copy = arena_alloc(P->doc, n * sizeof(rt_json), alignof(rt_json));
        if (!copy)
            return fail_nomem(P);
        memcpy(copy, items, n * sizeof(rt_json));
        v->items = copy;
    }
    v->n = n;
    P->sp = base;
    return 0;
}

/* Parse the array or object at P->p into 'v'. */
static int parse_container(parser *P, rt_json *v)
{
    int is_obj = *P->p == '{';
    char close = is_obj ? '}' : ']', b[32];
    const char *what = is_obj ? "object" : "array";
    size_t base = P->sp;
    if (++P->depth > RT_JSON_MAX_DEPTH)
        return fail(P, RT_EPARSE, P->p, "containers nested deeper than %d levels",
                    RT_JSON_MAX_DEPTH);
    v->type = is_obj ? RT_JSON_OBJECT : RT_JSON_ARRAY;
    P->p++;
    skip_ws(P);
    if (P->p < P->end && *P->p == close) {
        P->p++;
        P->depth--;
        return close_container(P, v, base);
    }
    for (;;) {
        rt_json item;
        memset(&item, 0, sizeof item);
        skip_ws(P);
        if (is_obj) {
            if (P->p >= P->end || *P->p != '"')
                return fail(P, RT_EPARSE, P->p, "expected a string key in an object, got %s",
                            got(P, P->p, b));
            if (parse_string(P, &item.key, &item.key_len) != 0)
                return -1;
            skip_ws(P);
            if (P->p >= P->end || *P->p != ':')
                return fail(P, RT_EPARSE, P->p, "expected ':' after an object key, got %s",
                            got(P, P->p, b));
            P->p++;
        }
        if (parse_value(P, &item) != 0)
            return -1;
        if (P->sp == P->stack_cap) {
            void *grown = P->stack;
            if (rt_mem_grow(P->doc->a, &grown, &P->stack_cap, P->sp + 1, sizeof(rt_json)) != 0)
                return fail_nomem(P);
            P->stack = grown;
        }
        P->stack[P->sp++] = item;
        skip_ws(P);
        if (P->p < P->end && *P->p == ',') {
            P->p++;
            skip_ws(P);
            if (P->p < P->end && *P->p == close)
                return fail(P, RT_EPARSE, P->p, "trailing comma before '%c'", close);
            continue;
        }
        if (P->p < P->end && *P->p == close) {
            P->p++;
            break;
        }
        return fail(P, RT_EPARSE, P->p, "expected ',' or '%c' in an %s, got %s", close, what,
                    got(P, P->p, b));
    }
    P->depth--;
    return close_container(P, v, base);
}

static int parse_value(parser *P, rt_json *v)
{
    char b[32];
    skip_ws(P);
    v->line = P->line;
    v->column = (long)(P->p - P->line_start) + 1;
    if (P->p >= P->end)
        return fail(P, RT_EPARSE, P->p, "expected a JSON value, got end of input");
    char c = *P->p;
    if (c == '{' || c == '[')
        return parse_container(P, v);
    if (c == '"') {
        v->type = RT_JSON_STRING;
        return parse_string(P, &v->str, &v->len);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(P, v);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return parse_word(P, v);
    return fail(P, RT_EPARSE, P->p, "expected a JSON value, got %s", got(P, P->p, b));
}

rt_status rt_json_parse(const char *text, size_t len, const char *name, const rt_allocator *a,
                        rt_json_doc **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!out || (!text && len > 0))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_json_parse: NULL argument");
    if (!text)
        text = "";
    rt_json_doc *d = rt_mem_alloc(a, sizeof *d);
    if (!d)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    memset(d, 0, sizeof *d);
    if (a) {
        d->hook = *a;
        d->a = &d->hook;
    }
    const char *nm = name ? name : "<json>";
    if (!(d->name = arena_strndup(d, nm, strlen(nm)))) {
        rt_json_free(d);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    parser P = {.text = text,
                .p = text,
                .end = text + len,
                .line_start = text,
                .line = 1,
                .doc = d,
                .err = err};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        P.p += 3; /* a byte order mark */
    int bad = parse_value(&P, &d->root);
    if (!bad) {
        char b[32];
        skip_ws(&P);
        if (P.p < P.end)
            bad = fail(&P, RT_EPARSE, P.p, "unexpected %s after the JSON value", got(&P, P.p, b));
    }
    rt_mem_free(d->a, P.stack);
    rt_mem_free(d->a, P.buf);
    if (bad) {
        rt_status code = err ? err->code : RT_EPARSE;
        rt_json_free(d);
        return code;
    }
    *out = d;
    return RT_OK;
}

rt_status rt_json_read(const char *path, const char *name, const rt_allocator *a, rt_json_doc **out,
                       rt_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_json_read: NULL argument");
    int is_stdin = strcmp(path, "-") == 0;
    if (!name)
        name = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return rt_fail_errno(err, errno, "cannot open '%s'", name);
    void *grown = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    errno = 0;
    for (;;) {
        if (rt_mem_grow(a, &grown, &cap, len + 65536, 1) != 0) {
            if (!is_stdin)
                fclose(f);
            rt_mem_free(a, buf);
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
        }
        buf = grown;
        size_t got_n = fread(buf + len, 1, cap - len, f);
        len += got_n;
        if (got_n == 0)
            break;
    }
    int e = errno, bad = ferror(f);
    if (!is_stdin)
        fclose(f);
    if (bad) {
        rt_mem_free(a, buf);
        return rt_fail_errno(err, e ? e : EIO, "cannot read '%s'", name);
    }
    rt_status st = rt_json_parse(buf, len, name, a, out, err);
    rt_mem_free(a, buf);
    return st;
}
