/* test_load.c - rt_events_read through the public API on files written to a temporary folder:
 * the table's order and numbering, the seconds column, refunds, the reject callback and its
 * line numbers, errors and their positions, the same table for every thread count on a ~20 MB
 * input whose range boundaries fall inside multi-line quoted fields, and fault injection
 * (every allocation failure returns RT_ENOMEM cleanly and leaks nothing).
 * SPDX-License-Identifier: MIT */
#include "core/events.h" /* RT_LOAD_BLOCK */
#include "harness.h"
#include "retain.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- the temporary folder ---- */

#include "tmpfiles.h"

/* ---- a growable byte buffer ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            fprintf(stderr, "out of memory in the test\n");
            exit(2);
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "putf: line too long\n");
        exit(2);
    }
    put(b, tmp, (size_t)n);
}

/* ---- collecting rejected rows ---- */

typedef struct rejected {
    long line;
    char *row;
    char *reason;
} rejected;

typedef struct rejects {
    rejected *r;
    size_t n, cap;
    int fail_at; /* return non-zero on this call (1-based); 0 = never */
} rejects;

static int on_reject(void *ud, long line, const char *row, size_t len, const char *reason)
{
    rejects *rj = ud;
    if (rj->n == rj->cap) {
        rj->cap = rj->cap ? rj->cap * 2 : 16;
        rj->r = realloc(rj->r, rj->cap * sizeof *rj->r);
        if (!rj->r)
            exit(2);
    }
    rejected *x = &rj->r[rj->n++];
    x->line = line;
    x->row = malloc(len + 1);
    if (!x->row)
        exit(2);
    memcpy(x->row, row, len);
    x->row[len] = '\0';
    x->reason = strdup(reason);
    return rj->fail_at > 0 && (size_t)rj->fail_at == rj->n;
}

static void rejects_free(rejects *rj)
{
    for (size_t i = 0; i < rj->n; i++) {
        free(rj->r[i].row);
        free(rj->r[i].reason);
    }
    free(rj->r);
    memset(rj, 0, sizeof *rj);
}

/* ---- checks every table must pass ---- */

/* Time order key of row i. */
static int64_t key_of(const rt_events *ev, size_t i)
{
    const int32_t *sec = rt_events_seconds(ev);
    return (int64_t)rt_events_days(ev)[i] * 86400 + (sec ? sec[i] : 0);
}

/* The invariants: counts add up, offsets partition the rows, every customer has a row, rows
 * are in time order within each customer, codes are in range. Returns 1 when all hold. */
static int table_is_sane(const rt_events *ev)
{
    const rt_load_stats *st = rt_events_stats(ev);
    int ok = st->rows_read == st->rows_used + st->rows_rejected + st->rows_dropped;
    size_t n = rt_events_count(ev), nc = rt_events_customers(ev);
    const uint64_t *off = rt_events_offsets(ev);
    ok &= off[0] == 0 && off[nc] == n;
    ok &= rt_events_dict_size(ev, RT_FIELD_CUSTOMER) == nc;
    for (size_t c = 0; c < nc && ok; c++) {
        ok &= off[c + 1] > off[c];
        for (uint64_t i = off[c] + 1; i < off[c + 1] && ok; i++)
            ok &= key_of(ev, (size_t)i - 1) <= key_of(ev, (size_t)i);
    }
    const int32_t *sec = rt_events_seconds(ev);
    for (size_t i = 0; sec && i < n && ok; i++)
        ok &= sec[i] >= 0 && sec[i] < 86400;
    for (int f = RT_FIELD_CHANNEL; f <= RT_FIELD_ORDER && ok; f++) {
        const uint32_t *codes = rt_events_codes(ev, (rt_field)f);
        size_t ds = rt_events_dict_size(ev, (rt_field)f);
        for (size_t i = 0; codes && i < n && ok; i++)
            ok &= codes[i] < ds;
    }
    return ok;
}

static rt_status load(const char *path, const rt_load_options *opt, rt_events **out, rt_error *err)
{
    memset(err, 0, sizeof *err);
    *out = (rt_events *)(uintptr_t)1; /* must be overwritten */
    rt_status st = rt_events_read(path, opt, out, err);
    if (st == RT_OK) {
        CHECK(*out != NULL);
        if (*out) {
            int sane = table_is_sane(*out);
            CHECK(sane);
        }
    } else {
        CHECK(*out == NULL);
    }
    return st;
}

static int32_t day_of(const char *iso)
{
    int32_t d = 0;
    if (rt_date_parse(iso, &d) != 0) {
        fprintf(stderr, "bad date in the test: %s\n", iso);
        exit(2);
    }
    return d;
}

static int string_is(const rt_events *ev, rt_field f, uint32_t code, const char *want)
{
    size_t len = 0;
    const char *s = rt_events_string(ev, f, code, &len);
    return s && len == strlen(want) && strcmp(s, want) == 0;
}

/* ---- order and numbering ---- */

static void load_sorts_by_customer_and_time_numbering_by_first_appearance(void)
{
    const char *path = write_text("order.csv", "customer_id,date,amount,channel,product\n"
                                               "bob,2024-01-05,5,web,p2\n"
                                               "alice,2024-01-03 10:00,1,app,p1\n"
                                               "bob,2024-01-02,2,app,p1\n"
                                               "carol,2024-01-01,7,web,p3\n"
                                               "alice,2024-01-03 09:00,3,web,p2\n"
                                               "alice,2024-01-01,4,store,p1\n"
                                               "bob,2024-01-02,6,web,p2\n");
    rt_load_options opt = {.threads = 1};
    rt_events *ev;
    rt_error err;
    CHECK(load(path, &opt, &ev, &err) == RT_OK);
    if (!ev)
        return;
    CHECK(rt_events_count(ev) == 7);
    CHECK(rt_events_customers(ev) == 3);
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 0, "bob"));
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 1, "alice"));
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 2, "carol"));
    CHECK(rt_events_string(ev, RT_FIELD_CUSTOMER, 3, NULL) == NULL);
    const uint64_t *off = rt_events_offsets(ev);
    CHECK(off[0] == 0 && off[1] == 3 && off[2] == 6 && off[3] == 7);
    /* bob: the two 2024-01-02 rows keep their input order (2 then 6), then 2024-01-05;
     * alice: 2024-01-01, then 09:00 before 10:00 on 2024-01-03; carol. */
    static const char *const days[7] = {"2024-01-02", "2024-01-02", "2024-01-05", "2024-01-01",
                                        "2024-01-03", "2024-01-03", "2024-01-01"};
    static const double amounts[7] = {2, 6, 5, 4, 3, 1, 7};
    static const int32_t secs[7] = {0, 0, 0, 0, 9 * 3600, 10 * 3600, 0};
    /* Channels by first appearance: web 0, app 1, store 2; products: p2 0, p1 1, p3 2. */
    static const uint32_t chan[7] = {1, 0, 0, 2, 0, 1, 0};
    static const uint32_t prod[7] = {1, 0, 0, 1, 0, 1, 2};
    const int32_t *day = rt_events_days(ev);
    const int32_t *sec = rt_events_seconds(ev);
    const double *amt = rt_events_amounts(ev);
    const uint32_t *ch = rt_events_codes(ev, RT_FIELD_CHANNEL);
    const uint32_t *pr = rt_events_codes(ev, RT_FIELD_PRODUCT);
    CHECK(sec != NULL && amt != NULL && ch != NULL && pr != NULL);
    CHECK(rt_events_codes(ev, RT_FIELD_ORDER) == NULL);
    CHECK(rt_events_codes(ev, RT_FIELD_CUSTOMER) == NULL);
    if (!sec || !amt || !ch || !pr) {
        rt_events_free(ev);
        return;
    }
    for (int i = 0; i < 7; i++) {
        CHECK(day[i] == day_of(days[i]));
        CHECK(sec[i] == secs[i]);
        CHECK(amt[i] == amounts[i]);
        CHECK(ch[i] == chan[i]);
        CHECK(pr[i] == prod[i]);
    }
    CHECK(rt_events_dict_size(ev, RT_FIELD_CHANNEL) == 3);
    CHECK(string_is(ev, RT_FIELD_CHANNEL, 0, "web"));
    CHECK(string_is(ev, RT_FIELD_CHANNEL, 1, "app"));
    CHECK(string_is(ev, RT_FIELD_CHANNEL, 2, "store"));
    CHECK(string_is(ev, RT_FIELD_PRODUCT, 0, "p2"));
    CHECK(string_is(ev, RT_FIELD_PRODUCT, 2, "p3"));
    CHECK(rt_events_dict_size(ev, RT_FIELD_ORDER) == 0);
    CHECK_STREQ(rt_events_column(ev, RT_FIELD_CUSTOMER), "customer_id");
    CHECK_STREQ(rt_events_column(ev, RT_FIELD_PRODUCT), "product");
    CHECK(rt_events_column(ev, RT_FIELD_ORDER) == NULL);
    CHECK_STREQ(rt_events_date_column(ev), "date");
    CHECK_STREQ(rt_events_amount_column(ev), "amount");
    CHECK_STREQ(rt_events_source(ev), path);
    const rt_load_stats *st = rt_events_stats(ev);
    CHECK(st->rows_read == 7 && st->rows_used == 7 && st->rows_rejected == 0 &&
          st->rows_dropped == 0 && st->refund_rows == 0);
    rt_events_free(ev);
}

/* The table's span is the smallest and largest day of any event, counted by brute force;
 * a refund-only customer (dropped) does not widen it. */
static void load_reports_the_span_of_the_data(void)
{
    const char *path = write_text("span.csv", "customer_id,date,amount\n"
                                              "b,2024-03-05,1\n"
                                              "a,2024-01-09,2\n"
                                              "c,2023-12-31,-4\n"
                                              "a,2024-07-01,3\n"
                                              "b,2024-02-29,5\n");
    rt_events *ev;
    rt_error err;
    CHECK(load(path, NULL, &ev, &err) == RT_OK);
    if (!ev)
        return;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    const int32_t *day = rt_events_days(ev);
    for (size_t i = 0; i < rt_events_count(ev); i++) {
        lo = day[i] < lo ? day[i] : lo;
        hi = day[i] > hi ? day[i] : hi;
    }
    int32_t jan9, jul1;
    CHECK(rt_date_parse("2024-01-09", &jan9) == 0 && rt_date_parse("2024-07-01", &jul1) == 0);
    CHECK(rt_events_first_day(ev) == lo && lo == jan9);
    CHECK(rt_events_last_day(ev) == hi && hi == jul1);
    rt_events_free(ev);
}

static void load_reads_quoted_fields_and_names_columns(void)
{
    const char *path =
        write_text("quoted.csv", "\xEF\xBB\xBF\"Who\";\"When\";Paid;\"Pro\"\"duct\"\r\n"
                                 "\"a;1\";2024-02-01;1.5;\"x \"\"y\"\"\"\r\n"
                                 "\r\n"
                                 "\"b\nc\";2024-02-02;2;\"line\r\nbreak\"");
    rt_load_options opt = {.delim = ';',
                           .customer_col = "who",
                           .date_col = "WHEN",
                           .amount_col = "Paid",
                           .product_col = "Pro\"duct",
                           .name = "q"};
    rt_events *ev;
    rt_error err;
    CHECK(load(path, &opt, &ev, &err) == RT_OK);
    if (!ev) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    CHECK(rt_events_count(ev) == 2);
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 0, "a;1"));
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 1, "b\nc"));
    CHECK(string_is(ev, RT_FIELD_PRODUCT, 0, "x \"y\""));
    CHECK(string_is(ev, RT_FIELD_PRODUCT, 1, "line\r\nbreak"));
    CHECK_STREQ(rt_events_column(ev, RT_FIELD_CUSTOMER), "Who");
    CHECK_STREQ(rt_events_column(ev, RT_FIELD_PRODUCT), "Pro\"duct");
    CHECK_STREQ(rt_events_source(ev), "q");
    CHECK(rt_events_seconds(ev) == NULL);
    CHECK(rt_events_amounts(ev)[0] == 1.5);
    rt_events_free(ev);
}

/* ---- the seconds column ---- */

static int seconds_present(const char *name, const char *text, const char *fmt)
{
    const char *path = write_text(name, text);
    rt_load_options opt = {.threads = 1, .date_format = fmt};
    rt_events *ev;
    rt_error err;
    rt_status st = load(path, &opt, &ev, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return -1;
    }
    int present = rt_events_seconds(ev) != NULL;
    rt_events_free(ev);
    return present;
}

static void load_has_seconds_only_when_the_input_has_times(void)
{
    CHECK(seconds_present("s1.csv", "customer_id,date\na,2024-01-01\nb,2024-01-02\n", NULL) == 0);
    CHECK(seconds_present("s2.csv", "customer_id,date\na,2024-01-01\nb,2024-01-02 00:00\n", NULL) ==
          1);
    CHECK(seconds_present("s3.csv", "customer_id,date\na,2024-01-01T00:00:00Z\n", NULL) == 1);
    CHECK(seconds_present("s4.csv", "customer_id,date\na,1/2/2024\n", "%d/%m/%Y") == 0);
    CHECK(seconds_present("s5.csv", "customer_id,date\na,1/2/2024 10:30\n", "%d/%m/%Y %H:%M") == 1);
    CHECK(seconds_present("s6.csv", "customer_id,date\na,86400\n", "epoch") == 1);

    /* Rows without a time get second 0 next to rows with one; the offset moves the day. */
    const char *path = write_text("s7.csv", "customer_id,date\n"
                                            "a,2024-01-02\n"
                                            "a,2024-01-02T01:30:00+02:00\n"
                                            "a,2024-01-01 23:59:59\n");
    rt_events *ev;
    rt_error err;
    CHECK(load(path, NULL, &ev, &err) == RT_OK);
    if (!ev)
        return;
    const int32_t *day = rt_events_days(ev), *sec = rt_events_seconds(ev);
    CHECK(sec != NULL);
    CHECK(rt_events_amounts(ev) == NULL);
    if (sec) {
        CHECK(day[0] == day_of("2024-01-01") && sec[0] == 23 * 3600 + 30 * 60);
        CHECK(day[1] == day_of("2024-01-01") && sec[1] == 86399);
        CHECK(day[2] == day_of("2024-01-02") && sec[2] == 0);
    }
    rt_events_free(ev);
}

/* ---- refunds ---- */

static const char refunds_csv[] = "customer_id,date,amount,product\n"
                                  "A,2024-01-01 12:00,30,p\n"
                                  "A,2024-01-01 09:00,10,q\n"
                                  "A,2024-01-01 18:00,-4,r\n"
                                  "B,2024-01-02,-5,p\n"
                                  "C,2024-01-03,-2,p\n"
                                  "B,2024-01-04,8,q\n"
                                  "D,2024-01-05,1,p\n";

static void load_nets_refunds_into_the_first_purchase_of_the_day(void)
{
    const char *path = write_text("refunds.csv", refunds_csv);
    rt_events *ev;
    rt_error err;
    CHECK(load(path, NULL, &ev, &err) == RT_OK);
    if (!ev)
        return;
    /* A's refund goes into its 09:00 purchase; B's has no purchase that day and C has only a
     * refund: both are dropped, and C disappears. */
    CHECK(rt_events_count(ev) == 4);
    CHECK(rt_events_customers(ev) == 3);
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 0, "A"));
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 1, "B"));
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 2, "D"));
    const uint64_t *off = rt_events_offsets(ev);
    CHECK(off[1] == 2 && off[2] == 3 && off[3] == 4);
    const double *amt = rt_events_amounts(ev);
    CHECK(amt[0] == 6 && amt[1] == 30 && amt[2] == 8 && amt[3] == 1);
    CHECK(rt_events_seconds(ev)[0] == 9 * 3600);
    const rt_load_stats *st = rt_events_stats(ev);
    CHECK(st->rows_read == 7);
    CHECK(st->rows_dropped == 2);
    CHECK(st->rows_used == 5);
    CHECK(st->rows_rejected == 0);
    CHECK(st->refund_rows == 3);
    CHECK(st->refund_amount == -11);
    CHECK(st->refund_netted == -4);
    rt_events_free(ev);
}

static void load_drops_every_refund_when_asked(void)
{
    const char *path = write_text("refunds.csv", refunds_csv);
    rt_load_options opt = {.refunds = RT_REFUNDS_DROP};
    rt_events *ev;
    rt_error err;
    CHECK(load(path, &opt, &ev, &err) == RT_OK);
    if (!ev)
        return;
    CHECK(rt_events_count(ev) == 4);
    CHECK(rt_events_customers(ev) == 3);
    CHECK(string_is(ev, RT_FIELD_CUSTOMER, 2, "D"));
    const double *amt = rt_events_amounts(ev);
    CHECK(amt[0] == 10 && amt[1] == 30 && amt[2] == 8 && amt[3] == 1);
    CHECK(rt_events_dict_size(ev, RT_FIELD_PRODUCT) == 2); /* r was on a refund only */
    const rt_load_stats *st = rt_events_stats(ev);
    CHECK(st->rows_read == 7 && st->rows_dropped == 3 && st->rows_used == 4);
    CHECK(st->refund_rows == 3 && st->refund_amount == -11 && st->refund_netted == 0);
    rt_events_free(ev);
}

/* ---- rejected rows ---- */

static const char rejects_csv[] = "customer_id,date,amount,product\n"    /* 1 */
                                  "A,2024-01-01,1,\"multi\n"             /* 2 */
                                  "line\r\n"                             /* 3 */
                                  "field\"\n"                            /* 4 */
                                  "B,2024-01-02,x,p\n"                   /* 5 */
                                  "\n"                                   /* 6 */
                                  "C,2024-13-01,1,p\r\n"                 /* 7 */
                                  "D,2024-01-03,1,\"q\"z\n"              /* 8 */
                                  "E,2024-01-04,2,\"ok \"\"fine\"\"\"\n" /* 9 */
                                  "F,2024-01-05,3\n"                     /* 10 */
                                  "G,2024-01-06,\"4\n"                   /* 11 */
                                  "H,2024-01-07,5,p\n";                  /* 12 */

static void load_hands_rejected_rows_to_the_callback_in_order(void)
{
    const char *path = write_text("rejects.csv", rejects_csv);
    rejects rj = {0};
    rt_load_options opt = {
        .skip_bad_rows = 1, .on_reject = on_reject, .reject_ud = &rj, .threads = 2};
    rt_events *ev;
    rt_error err;
    CHECK(load(path, &opt, &ev, &err) == RT_OK);
    static const long lines[] = {5, 7, 8, 10, 11};
    static const char *const rows[] = {"B,2024-01-02,x,p", "C,2024-13-01,1,p",
                                       "D,2024-01-03,1,\"q\"z", "F,2024-01-05,3",
                                       "G,2024-01-06,\"4"};
    static const char *const reasons[] = {
        "5:14: column 'amount': expected a number, got \"x\"",
        "7:3: column 'date': month must be 01-12, got \"2024-13-01\"",
        "8:19: unexpected character after closing quote",
        "10: expected 4 fields (as in the header), found 3",
        "11:14: unterminated quoted field",
    };
    CHECK(rj.n == 5);
    for (size_t i = 0; i < rj.n && i < 5; i++) {
        CHECK(rj.r[i].line == lines[i]);
        CHECK_STREQ(rj.r[i].row, rows[i]);
        CHECK_STREQ(rj.r[i].reason, reasons[i]);
    }
    if (ev) {
        const rt_load_stats *st = rt_events_stats(ev);
        CHECK(st->rows_read == 8 && st->rows_rejected == 5 && st->rows_used == 3);
        CHECK(rt_events_count(ev) == 3);
        CHECK(string_is(ev, RT_FIELD_CUSTOMER, 2, "H"));
        CHECK(string_is(ev, RT_FIELD_PRODUCT, 0, "multi\nline\r\nfield"));
        CHECK(string_is(ev, RT_FIELD_PRODUCT, 1, "ok \"fine\""));
        rt_events_free(ev);
    }
    rejects_free(&rj);

    /* Without a callback the rows are still counted. */
    rt_load_options quiet = {.skip_bad_rows = 1};
    CHECK(load(path, &quiet, &ev, &err) == RT_OK);
    if (ev) {
        CHECK(rt_events_stats(ev)->rows_rejected == 5);
        rt_events_free(ev);
    }
}

static void load_stops_when_the_reject_callback_fails(void)
{
    const char *path = write_text("rejects.csv", rejects_csv);
    rejects rj = {.fail_at = 2};
    rt_load_options opt = {.skip_bad_rows = 1, .on_reject = on_reject, .reject_ud = &rj};
    rt_events *ev;
    rt_error err;
    CHECK(load(path, &opt, &ev, &err) == RT_EIO);
    CHECK(err.code == RT_EIO);
    CHECK(rj.n == 2);
    CHECK(strstr(err.msg, "could not write a rejected row") != NULL);
    rejects_free(&rj);
}

/* ---- errors ---- */

/* Load 'text' with 'opt' and check the status and the complete message. */
static void check_error_n(const char *text, size_t len, const rt_load_options *opt, rt_status code,
                          long line, long col, const char *msg)
{
    const char *path = write_file("error.csv", text, len);
    rt_load_options o = opt ? *opt : (rt_load_options){0};
    o.name = "in.csv";
    rt_events *ev;
    rt_error err;
    rt_status st = load(path, &o, &ev, &err);
    CHECK(st == code);
    CHECK(err.code == code);
    CHECK(err.line == line && err.column == col);
    CHECK_STREQ(err.msg, msg);
    if (st == RT_OK)
        rt_events_free(ev);
}

static void check_error(const char *text, const rt_load_options *opt, rt_status code, long line,
                        long col, const char *msg)
{
    check_error_n(text, strlen(text), opt, code, line, col, msg);
}

static void load_reports_where_the_input_is_bad(void)
{
    check_error("customer_id,date,amount\n\"a\nb\",2024-01-01,1\nc,2024-01-02,\"12,5\"\n", NULL,
                RT_EPARSE, 4, 14, "in.csv:4:14: column 'amount': expected a number, got \"12,5\"");
    check_error("\n\ncustomer_id,date\n\na,2024-02-30\n", NULL, RT_EPARSE, 5, 3,
                "in.csv:5:3: column 'date': day does not exist in that month, got \"2024-02-30\"");
    check_error("customer_id,date\na,2024-01-01,3\n", NULL, RT_EPARSE, 2, 0,
                "in.csv:2: expected 2 fields (as in the header), found 3");
    check_error("customer_id,date\n,2024-01-01\n", NULL, RT_EPARSE, 2, 1,
                "in.csv:2:1: column 'customer_id': empty customer id");
    check_error("customer_id,date\na,\"2024-01-01\nb,2024-01-01\n", NULL, RT_EPARSE, 2, 3,
                "in.csv:2:3: unterminated quoted field");
    check_error("customer_id,\"date\"x\na,2024-01-01\n", NULL, RT_EPARSE, 1, 19,
                "in.csv:1:19: unexpected character after closing quote");
    static const char nul[] = "customer_id,date\na,2024-01-01\0\n";
    check_error_n(nul, sizeof nul - 1, NULL, RT_EPARSE, 2, 13,
                  "in.csv:2:13: NUL byte: this is not a text file");
    check_error("", NULL, RT_EDOMAIN, 0, 0, "in.csv: empty input: no header line");
    check_error("\r\n\n", NULL, RT_EDOMAIN, 0, 0, "in.csv: empty input: no header line");
    check_error("id,date\na,2024-01-01\n", NULL, RT_EDOMAIN, 0, 0,
                "in.csv: no customer id column (looked for customer_id, ...); name it with "
                "--customer COL. The columns are: id, date");
    rt_load_options dup = {.date_col = "customer_id"};
    check_error("customer_id,date\na,2024-01-01\n", &dup, RT_EDOMAIN, 0, 0,
                "in.csv: column 'customer_id' is used both as the customer id and as the date; "
                "choose with --customer or --date");
    rt_load_options quote = {.delim = '"'};
    check_error("customer_id,date\na,2024-01-01\n", &quote, RT_EMISUSE, 0, 0,
                "the delimiter cannot be a quote or a line end");
    rt_load_options fmt = {.date_format = "%Y-%m"};
    check_error("customer_id,date\na,2024-01\n", &fmt, RT_EMISUSE, 0, 0,
                "date format \"%Y-%m\" has no %d/%j or no month/year: it must name a whole date");

    rt_events *ev = (rt_events *)(uintptr_t)1;
    rt_error err;
    CHECK(rt_events_read(NULL, NULL, &ev, &err) == RT_EMISUSE);
    CHECK(ev == NULL);
    CHECK(rt_events_read("x", NULL, NULL, &err) == RT_EMISUSE);
    CHECK(rt_events_read("/nonexistent/retain.csv", NULL, &ev, NULL) == RT_EIO);
    CHECK(ev == NULL);
    CHECK(rt_events_read(tmpdir, NULL, &ev, &err) == RT_EIO);
    CHECK(err.sys_errno != 0);
}

/* Blocks in which no row is kept (regression: the loader used to copy from a range's never
 * allocated columns, memcpy(dst, NULL, 0), which UBSan reports; fixed in 9d1dc8c). */
static void load_rejects_inputs_without_a_usable_row(void)
{
    check_error("customer_id,date\n\n", NULL, RT_EDOMAIN, 0, 0,
                "in.csv: no data rows after the header");
    check_error("customer_id,date\n\r\n\n\n", NULL, RT_EDOMAIN, 0, 0,
                "in.csv: no data rows after the header");
    rt_load_options skip = {.skip_bad_rows = 1};
    check_error("customer_id,date\na,x\nb,2024-13-01\n", &skip, RT_EDOMAIN, 0, 0,
                "in.csv: no usable rows: 2 read, 2 rejected, 0 dropped");
    rt_load_options drop = {.refunds = RT_REFUNDS_DROP};
    check_error("customer_id,date,amount\na,2024-01-01,-1\n", &drop, RT_EDOMAIN, 0, 0,
                "in.csv: no usable rows: 1 read, 0 rejected, 1 dropped");
    check_error("customer_id,date,amount\na,2024-01-01,-1\na,2024-01-02,-1\n", NULL, RT_EDOMAIN, 0,
                0, "in.csv: no usable rows: every row is a refund without a same-day purchase");
}

/* ---- generated inputs for the thread tests ---- */

/* splitmix64, so the generated inputs are the same on every run. */
static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* What the generator knows about its output. */
typedef struct gen {
    buf b;
    long line;          /* line number of the next byte */
    size_t rows;        /* data rows (blank lines excluded) */
    size_t bad;         /* rows whose amount is not a number */
    long bad_lines[64]; /* the first of them */
    size_t spans;       /* records written across a range boundary */
    size_t targets;     /* boundaries aimed at */
    size_t hit;         /* boundaries whose next line end is inside quotes */
    int escapes;        /* write "" escapes in quoted fields */
} gen;

#define BLOCK RT_LOAD_BLOCK /* the loader's block size */

/* One ordinary row; a bad amount when 'bad'. */
static void gen_row(gen *g, int bad)
{
    char date[16];
    rt_date_format(day_of("2023-01-01") + (int32_t)rnd(730), date);
    putf(&g->b, "C%05u,%s", rnd(4000), date);
    if (rnd(3) == 0)
        putf(&g->b, " %02u:%02u:%02u", rnd(24), rnd(60), rnd(60));
    if (bad) {
        if (g->bad < 64)
            g->bad_lines[g->bad] = g->line;
        g->bad++;
        puts_(&g->b, ",n/a");
    } else {
        putf(&g->b, ",%s%u.%02u", rnd(40) == 0 ? "-" : "", rnd(200), rnd(100));
    }
    static const char *const ch[] = {"web", "app", "store", "phone"};
    putf(&g->b, ",%s,", ch[rnd(4)]);
    if (rnd(8) == 0)
        putf(&g->b, g->escapes ? "\"P%03u, \"\"deluxe\"\"\"" : "\"P%03u, deluxe\"", rnd(50));
    else
        putf(&g->b, "P%03u", rnd(300));
    putf(&g->b, ",O%u\n", (unsigned)(g->rows / 2));
    g->rows++;
    g->line++;
}

/* A row whose quoted product field covers byte 'target' and has its first line end after
 * it, so a range guessed to start after that line end starts inside the quotes. The lines
 * inside look like rows (one is a valid one) to give the guessed parse something to chew. */
static void gen_span(gen *g, size_t target)
{
    putf(&g->b, "S%03zu,2024-06-01 12:00:00,1.00,web,\"", g->spans);
    while (g->b.len < target + 8)
        puts_(&g->b, "filler, text ");
    puts_(&g->b, g->escapes ? "\nfake,2024-01-01,1,web,p,o1\nsay \"\"hi\"\", ok\ntail\",Ospan\n"
                            : "\nfake,2024-01-01,1,web,p,o1\nsay 'hi', ok\ntail\",Ospan\n");
    g->line += 4;
    g->rows++;
    g->spans++;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Add the guessed range starts of a block [start, start + len) for 2, 3 and 7 threads. */
static size_t add_targets(size_t *t, size_t n, size_t start, size_t len)
{
    static const size_t threads[] = {2, 3, 7};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 1; k < threads[i]; k++)
            t[n++] = start + len * k / threads[i];
    return n;
}

/* Generate a log of exactly 'total' bytes (> BLOCK) with every guessed range start of both
 * blocks inside quotes, blank lines, refunds and, 'with_bad', rows with a bad amount (one
 * right after each boundary row). */
static void generate(gen *g, size_t total, uint64_t seed, int with_bad, int escapes)
{
    memset(g, 0, sizeof *g);
    g->escapes = escapes;
    rng_state = seed;
    static const char header[] = "customer_id,date,amount,channel,product,order_id\n";
    puts_(&g->b, header);
    g->line = 2;
    size_t targets[32], nt = add_targets(targets, 0, strlen(header), BLOCK - strlen(header));
    qsort(targets, nt, sizeof *targets, cmp_size);
    size_t ti = 0, stop1 = 0;
    int block2 = 0;
    while (g->b.len < total - 400) {
        size_t start = g->b.len;
        if (ti < nt && start + 200 > targets[ti]) {
            gen_span(g, targets[ti++]);
            gen_row(g, with_bad);
        } else if (rnd(997) == 0) {
            puts_(&g->b, "\n");
            g->line++;
        } else {
            gen_row(g, with_bad && rnd(5000) == 0);
        }
        if (!block2 && g->b.len > BLOCK) {
            /* The record that does not fit in the first block starts the second one. */
            block2 = 1;
            stop1 = start;
            size_t more = add_targets(targets, nt, stop1, total - stop1) - nt;
            qsort(targets + nt, more, sizeof *targets, cmp_size);
            nt += more;
            g->targets = nt;
            /* A row that straddles the block end cannot be a boundary row: rows written so
             * far all lie before the second block's targets. */
        }
    }
    /* The last row, padded to the exact size. */
    putf(&g->b, "LAST,2024-12-31,1,web,\"");
    while (g->b.len < total - 7)
        puts_(&g->b, "x");
    puts_(&g->b, "\",Oend\n"); /* 7 bytes */
    g->rows++;
    g->line++;
    if (g->b.len != total) {
        fprintf(stderr, "generator: %zu bytes instead of %zu\n", g->b.len, total);
        exit(2);
    }
    /* Count the targets whose next line end lies inside a quoted field. */
    for (size_t i = 0; i < nt; i++) {
        /* The span rows are the only ones with line ends inside quotes; the line after the
         * guessed start is a span's internal line when it begins with "fake,". */
        const char *nl = memchr(g->b.p + targets[i], '\n', total - targets[i]);
        g->hit += nl && strncmp(nl + 1, "fake,", 5) == 0;
    }
}

/* ---- comparing two tables ---- */

static int same_strings(const rt_events *a, const rt_events *b, rt_field f)
{
    size_t n = rt_events_dict_size(a, f);
    if (n != rt_events_dict_size(b, f))
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t la, lb;
        const char *sa = rt_events_string(a, f, i, &la), *sb = rt_events_string(b, f, i, &lb);
        if (!sa || !sb || la != lb || memcmp(sa, sb, la) != 0)
            return 0;
    }
    return 1;
}

static int same_array(const void *a, const void *b, size_t n, size_t width)
{
    if (!a || !b)
        return a == b;
    return memcmp(a, b, n * width) == 0;
}

/* Compare every column, dictionary and count of two tables; report what differs. */
static int same_table(const rt_events *a, const rt_events *b, const char *what)
{
    size_t n = rt_events_count(a), nc = rt_events_customers(a);
    int ok = 1;
#define SAME(cond, name)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s: %s differs\n", what, name);                                     \
            ok = 0;                                                                                \
        }                                                                                          \
    } while (0)
    SAME(n == rt_events_count(b), "count");
    SAME(nc == rt_events_customers(b), "customers");
    if (!ok)
        return 0;
    SAME(same_array(rt_events_offsets(a), rt_events_offsets(b), nc + 1, 8), "offsets");
    SAME(same_array(rt_events_days(a), rt_events_days(b), n, 4), "days");
    SAME(same_array(rt_events_seconds(a), rt_events_seconds(b), n, 4), "seconds");
    SAME(same_array(rt_events_amounts(a), rt_events_amounts(b), n, 8), "amounts");
    for (int f = RT_FIELD_CHANNEL; f <= RT_FIELD_ORDER; f++)
        SAME(same_array(rt_events_codes(a, (rt_field)f), rt_events_codes(b, (rt_field)f), n, 4),
             "codes");
    for (int f = RT_FIELD_CUSTOMER; f <= RT_FIELD_ORDER; f++)
        SAME(same_strings(a, b, (rt_field)f), "dictionary");
    const rt_load_stats *sa = rt_events_stats(a), *sb = rt_events_stats(b);
    SAME(sa->rows_read == sb->rows_read && sa->rows_used == sb->rows_used &&
             sa->rows_rejected == sb->rows_rejected && sa->rows_dropped == sb->rows_dropped &&
             sa->refund_rows == sb->refund_rows,
         "row counts");
    SAME(sa->refund_netted == sb->refund_netted, "refund_netted");
    /* refund_amount is a plain sum taken per range, so its rounding may depend on the split;
     * the amounts have two decimals and the sum stays far below 2^53 cents, so the
     * difference is a few ulps at most. */
    SAME(fabs(sa->refund_amount - sb->refund_amount) <= 1e-9 * fabs(sa->refund_amount),
         "refund_amount");
#undef SAME
    return ok;
}

static int same_rejects(const rejects *a, const rejects *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->r[i].line != b->r[i].line || strcmp(a->r[i].row, b->r[i].row) != 0 ||
            strcmp(a->r[i].reason, b->r[i].reason) != 0)
            return 0;
    return 1;
}

/* ---- the same table for every thread count ---- */

/* Load 'path' with 'opt' for 1, 2, 3 and 7 threads and compare each table (and the rejected
 * rows) with the first; check the counts against the generator's. */
static void same_for_every_thread_count(const char *path, rt_load_options opt, const gen *g,
                                        const char *mode)
{
    static const int threads[] = {1, 2, 3, 7};
    rt_events *ref = NULL;
    rejects first = {0};
    for (int i = 0; i < 4; i++) {
        rejects rj = {0};
        opt.threads = threads[i];
        if (opt.skip_bad_rows) {
            opt.on_reject = on_reject;
            opt.reject_ud = &rj;
        }
        rt_events *ev;
        rt_error err;
        rt_status st = load(path, &opt, &ev, &err);
        CHECK(st == RT_OK);
        if (st != RT_OK) {
            fprintf(stderr, "  %s, %d threads: %s\n", mode, threads[i], err.msg);
            rejects_free(&rj);
            continue;
        }
        const rt_load_stats *s = rt_events_stats(ev);
        size_t bad = opt.skip_bad_rows ? g->bad : 0;
        CHECK(s->rows_read == g->rows);
        CHECK(s->rows_rejected == bad);
        CHECK(rj.n == bad);
        int lines_ok = rj.n == bad;
        for (size_t k = 0; k < rj.n && k < 64 && lines_ok; k++)
            lines_ok = rj.r[k].line == g->bad_lines[k] && strstr(rj.r[k].row, ",n/a,") != NULL;
        CHECK(lines_ok);
        CHECK(rt_events_seconds(ev) != NULL);
        if (rt_events_amounts(ev))
            CHECK(s->refund_rows > 0 && s->rows_dropped > 0 && s->refund_netted < 0);
        else
            CHECK(rt_events_count(ev) == g->rows && s->rows_used == g->rows);
        char what[48];
        snprintf(what, sizeof what, "%s, %d threads", mode, threads[i]);
        if (ref) {
            CHECK(same_table(ref, ev, what));
            CHECK(same_rejects(&first, &rj));
            rt_events_free(ev);
            rejects_free(&rj);
        } else {
            ref = ev;
            first = rj;
        }
    }
    if (ref) {
        /* A boundary row's product is read whole, the lines that looked like rows included. */
        int found = 0;
        for (size_t i = 0; i < rt_events_dict_size(ref, RT_FIELD_PRODUCT) && !found; i++) {
            size_t len;
            const char *s = rt_events_string(ref, RT_FIELD_PRODUCT, (uint32_t)i, &len);
            found = len > 40 && strncmp(s, "filler, text ", 13) == 0 &&
                    strstr(s, "\nfake,2024-01-01,1,web,p,o1\nsay ") != NULL &&
                    strstr(s, ", ok\ntail") == s + len - 9;
        }
        CHECK(found);
    }
    rt_events_free(ref);
    rejects_free(&first);
}

static void load_gives_the_same_table_for_every_thread_count(void)
{
    const size_t total = 20000000;
    gen g;
    /* Every guessed range start of both blocks (2, 3 and 7 threads) is aimed at and lands
     * in a quoted field. Strict, with "" escapes: the guessed parse stops at its first bad
     * row, the range is parsed again from where its predecessor stopped. */
    generate(&g, total, 42, 0, 1);
    CHECK(g.targets == 18);
    CHECK(g.hit == g.targets);
    CHECK(g.spans == g.targets);
    const char *path = write_file("big.csv", g.b.p, g.b.len);
    free(g.b.p);
    same_for_every_thread_count(path, (rt_load_options){0}, &g, "strict");

    /* With bad rows and no escapes: strict without the amount column (its bad values are then
     * not read), then skipping bad rows, where the guessed parse goes on to the range's end. */
    generate(&g, total, 43, 1, 0);
    CHECK(g.hit == g.targets);
    CHECK(g.bad > g.targets);
    path = write_file("big.csv", g.b.p, g.b.len);
    free(g.b.p);
    same_for_every_thread_count(path, (rt_load_options){.amount_col = ""}, &g, "no amount");
    same_for_every_thread_count(path, (rt_load_options){.skip_bad_rows = 1}, &g, "skipping");

    /* Regression: skipping bad rows with 2 threads or more, the guessed parse of a range that
     * starts inside quotes runs on to the range's end; it once undid "" escapes in place, so
     * the range parsed again found them undone and thousands of good rows were rejected. */
    generate(&g, total, 44, 1, 1);
    path = write_file("big.csv", g.b.p, g.b.len);
    free(g.b.p);
    same_for_every_thread_count(path, (rt_load_options){.skip_bad_rows = 1}, &g,
                                "skipping, escapes");
    unlink(path);
}

/* A fatal error deep in a split block is reported at the same place for every thread count. */
static void load_reports_the_same_first_error_for_every_thread_count(void)
{
    gen g;
    memset(&g, 0, sizeof g);
    rng_state = 7;
    puts_(&g.b, "customer_id,date,amount,channel,product,order_id\n");
    g.line = 2;
    long bad_line = 0;
    while (g.b.len < ((size_t)3 << 20)) {
        if (g.rows % 1000 == 999) {
            puts_(&g.b, "M,2024-01-01,1,web,\"two\nlines\",O\n");
            g.line += 2;
            g.rows++;
        }
        if (!bad_line && g.b.len > ((size_t)5 << 19)) {
            bad_line = g.line;
            puts_(&g.b, "BAD,2024-02-30,1,web,p,O\n");
            g.line++;
        }
        gen_row(&g, 0);
    }
    const char *path = write_file("firsterr.csv", g.b.p, g.b.len);
    static const int threads[] = {1, 2, 3, 7};
    for (int i = 0; i < 4; i++) {
        rt_load_options opt = {.threads = threads[i], .name = "f"};
        rt_events *ev;
        rt_error err;
        CHECK(load(path, &opt, &ev, &err) == RT_EPARSE);
        char want[128];
        snprintf(want, sizeof want,
                 "f:%ld:5: column 'date': day does not exist in that month, got \"2024-02-30\"",
                 bad_line);
        CHECK(err.line == bad_line && err.column == 5);
        CHECK_STREQ(err.msg, want);
    }
    free(g.b.p);
}

/* Regression: the guessed parse of a range that starts inside a quoted field once undid ""
 * escapes in place, in bytes that the real parse then reads.
 * Here the first line end after the middle of the data is inside the quoted product of row
 * S; parsed from there, the text looks like a row whose product is quoted, runs from S's
 * closing quote to the end of row T and holds a "" pair, which gets unescaped in place. */
static void load_guessed_parse_leaves_the_input_intact(void)
{
    buf b = {0};
    static const char header[] = "customer_id,date,amount,product\n";
    puts_(&b, header);
    size_t total = (size_t)3 << 20, mid = strlen(header) + (total - strlen(header)) / 2;
    while (b.len < mid - 200)
        putf(&b, "C%u,2024-01-01,1,p\n", (unsigned)(b.len % 97));
    puts_(&b, "S,2024-01-01,1,\"");
    while (b.len < mid + 8)
        puts_(&b, "x");
    puts_(&b, "\nB,2024-01-01,1,\"\n");     /* inside S's product: S ends with the quote */
    puts_(&b, "T,2024-01-02,2,p\"\"q\"\n"); /* T's product is the unquoted p""q" */
    while (b.len < total - 40)
        putf(&b, "D%u,2024-01-03,1,p\n", (unsigned)(b.len % 89));
    puts_(&b, "E,2024-01-04,1,p\n");
    const char *path = write_file("guess.csv", b.p, b.len);
    for (int threads = 1; threads <= 2; threads++) {
        rt_load_options opt = {.threads = threads};
        rt_events *ev;
        rt_error err;
        CHECK(load(path, &opt, &ev, &err) == RT_OK);
        if (!ev)
            continue;
        int found = 0;
        for (uint32_t i = 0; i < rt_events_dict_size(ev, RT_FIELD_PRODUCT); i++)
            found |= string_is(ev, RT_FIELD_PRODUCT, i, "p\"\"q\"");
        CHECK(found);
        if (!found)
            fprintf(stderr, "  threads %d: row T's product was changed\n", threads);
        rt_events_free(ev);
    }
    free(b.p);
}

/* ---- fault injection ---- */

/* An allocator that fails allocation number 'fail_at' (1-based; 0 = never) and counts the
 * live blocks. Each block has a header so that a foreign or double release is caught. */
typedef struct hook {
    pthread_mutex_t lock;
    long calls, fail_at, live, bad_release;
} hook;

#define MAGIC UINT64_C(0x5e7a11c0ffee1234)
#define HDR 16

static int hook_fail(hook *h)
{
    pthread_mutex_lock(&h->lock);
    int fail = ++h->calls == h->fail_at;
    pthread_mutex_unlock(&h->lock);
    return fail;
}

static void hook_count(hook *h, long delta)
{
    pthread_mutex_lock(&h->lock);
    h->live += delta;
    pthread_mutex_unlock(&h->lock);
}

static void *hook_alloc(void *ud, size_t size)
{
    hook *h = ud;
    if (hook_fail(h))
        return NULL;
    unsigned char *p = malloc(size + HDR);
    if (!p)
        return NULL;
    uint64_t m = MAGIC;
    memcpy(p, &m, 8);
    hook_count(h, 1);
    return p + HDR;
}

static int hook_check(hook *h, void *ptr)
{
    uint64_t m;
    memcpy(&m, (unsigned char *)ptr - HDR, 8);
    if (m != MAGIC) {
        pthread_mutex_lock(&h->lock);
        h->bad_release++;
        pthread_mutex_unlock(&h->lock);
        return 0;
    }
    return 1;
}

static void *hook_resize(void *ud, void *ptr, size_t size)
{
    hook *h = ud;
    if (!ptr)
        return hook_alloc(ud, size);
    if (!hook_check(h, ptr) || hook_fail(h))
        return NULL;
    unsigned char *p = realloc((unsigned char *)ptr - HDR, size + HDR);
    return p ? p + HDR : NULL;
}

static void hook_release(void *ud, void *ptr)
{
    hook *h = ud;
    if (!ptr || !hook_check(h, ptr))
        return;
    uint64_t zero = 0;
    memcpy((unsigned char *)ptr - HDR, &zero, 8);
    free((unsigned char *)ptr - HDR);
    hook_count(h, -1);
}

/* Fail allocation k = 1, 2, ... until the load succeeds; every failure must be RT_ENOMEM
 * with no table and no live allocation. Returns the number of failures seen. */
static long fail_each_allocation(const char *path, rt_load_options opt, const rt_events *want)
{
    hook h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    rt_allocator a = {hook_alloc, hook_resize, hook_release, &h};
    opt.allocator = &a;
    long failures = 0;
    int clean = 1;
    for (long k = 1; k < 100000; k++) {
        h.calls = 0;
        h.fail_at = k;
        rejects rj = {0};
        if (opt.on_reject)
            opt.reject_ud = &rj;
        rt_events *ev = (rt_events *)(uintptr_t)1;
        rt_error err;
        rt_status st = rt_events_read(path, &opt, &ev, &err);
        rejects_free(&rj);
        if (st == RT_OK) {
            CHECK(ev != NULL);
            if (ev) {
                CHECK(table_is_sane(ev));
                if (want)
                    CHECK(same_table(want, ev, "after fault injection"));
                rt_events_free(ev);
            }
            CHECK(h.live == 0);
            CHECK(h.bad_release == 0);
            /* The run that succeeds made no more allocations than the one that failed last. */
            CHECK(h.calls < k);
            return failures;
        }
        failures++;
        if (st != RT_ENOMEM || ev != NULL || h.live != 0 || h.bad_release != 0) {
            if (clean)
                fprintf(stderr, "  failing allocation %ld: status %d (%s), table %p, %ld live\n", k,
                        (int)st, err.msg, (void *)ev, h.live);
            clean = 0;
            h.live = 0;
            h.bad_release = 0;
        }
    }
    CHECK(clean);
    CHECK(failures < 0); /* not reached: the load never succeeded */
    return failures;
}

static void load_fails_cleanly_at_every_allocation(void)
{
    const char *path =
        write_text("faults.csv", "\xEF\xBB\xBF"
                                 "customer_id,date,amount,channel,product,order_id\r\n"
                                 "b,2024-01-05 10:00,5,web,\"p \"\"2\"\"\",o1\r\n"
                                 "a,2024-01-03,1,app,p1,o2\r\n"
                                 "b,2024-01-05 09:00,-2,app,p1,o3\r\n"
                                 "c,2024-01-01,x,web,p3,o4\r\n"
                                 "\r\n"
                                 "a,2024-01-01,4,store,\"multi\nline\",o5\r\n"
                                 "d,2024-01-02,-1,web,p1,o6\r\n"
                                 "b,2024-01-02,6,web,p2,o1\r\n");
    rejects rj = {0};
    rt_load_options base = {.skip_bad_rows = 1, .on_reject = on_reject, .reject_ud = &rj};
    for (int threads = 1; threads <= 3; threads++) {
        rt_load_options opt = base;
        opt.threads = threads;
        rt_events *want;
        rt_error err;
        CHECK(load(path, &opt, &want, &err) == RT_OK);
        rejects_free(&rj);
        long failures = fail_each_allocation(path, opt, want);
        CHECK(failures > 10);
        rt_events_free(want);
    }
    /* Dropping refunds, and a strict load of a file whose last row is bad. */
    rt_load_options drop = {.threads = 1, .refunds = RT_REFUNDS_DROP};
    const char *p2 = write_text("faults2.csv", "customer_id,date,amount\nz,2024-01-01,1\n"
                                               "y,2024-01-02,-1\n");
    CHECK(fail_each_allocation(p2, drop, NULL) > 5);
    const char *p3 = write_text("faults3.csv", "customer_id,date,amount\nz,2024-01-01,1\n"
                                               "y,2024-01-02,oops\n");
    hook h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    rt_allocator a = {hook_alloc, hook_resize, hook_release, &h};
    rt_load_options strict = {.threads = 1, .allocator = &a};
    for (long k = 0; k < 40; k++) {
        h.calls = 0;
        h.fail_at = k;
        rt_events *ev;
        rt_error err;
        rt_status st = rt_events_read(p3, &strict, &ev, &err);
        CHECK(st == RT_EPARSE || st == RT_ENOMEM);
        CHECK(ev == NULL);
        CHECK(h.live == 0);
        h.live = 0;
    }
}

int main(void)
{
    TEST(load_sorts_by_customer_and_time_numbering_by_first_appearance);
    TEST(load_reads_quoted_fields_and_names_columns);
    TEST(load_reports_the_span_of_the_data);
    TEST(load_has_seconds_only_when_the_input_has_times);
    TEST(load_nets_refunds_into_the_first_purchase_of_the_day);
    TEST(load_drops_every_refund_when_asked);
    TEST(load_hands_rejected_rows_to_the_callback_in_order);
    TEST(load_stops_when_the_reject_callback_fails);
    TEST(load_reports_where_the_input_is_bad);
    TEST(load_reports_the_same_first_error_for_every_thread_count);
    TEST(load_gives_the_same_table_for_every_thread_count);
    TEST(load_guessed_parse_leaves_the_input_intact);
    TEST(load_fails_cleanly_at_every_allocation);
    TEST(load_rejects_inputs_without_a_usable_row);
    remove_files();
    return test_report();
}
