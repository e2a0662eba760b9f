/* test_attrs.c - customer attribute tables (rt_attrs_*) through the public API on files
 * written to a temporary folder: columns and cells kept as text (quotes, escapes, line
 * breaks in quotes, BOM, CRLF, blank lines, gzip), the id column recognised or named, lookups
 * on a table large enough to cross the reader's blocks and grow the hash table, every error
 * message, and fault injection (each allocation failure returns RT_ENOMEM, leaks nothing).
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

/* ---- the temporary folder ---- */

#include "tmpfiles.h"

/* Read 'path' with 'opt'; on failure the table must come back NULL. */
static rt_attrs *read_ok(const char *path, const rt_attrs_options *opt)
{
    rt_attrs *a = (rt_attrs *)(uintptr_t)1;
    rt_error err;
    rt_status st = rt_attrs_read(path, opt, &a, &err);
    CHECK(st == RT_OK);
    if (st != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        CHECK(a == NULL);
        return NULL;
    }
    return a;
}

/* The cell of customer 'id' in column 'col' ("(missing)" when there is no such row). */
static const char *cell(const rt_attrs *a, const char *id, const char *col)
{
    long row = rt_attrs_find(a, id, strlen(id));
    long c = rt_attrs_column(a, col);
    if (row < 0 || c < 0)
        return "(missing)";
    return rt_attrs_value(a, (size_t)row, (size_t)c);
}

/* ---- reading ---- */

static void attrs_keeps_every_cell_as_text(void)
{
    const char *path = write_text("basic.csv", "\xEF\xBB\xBF"
                                               "region,User_ID,tier,note\r\n"
                                               "north,u1,gold,\"a, b\"\r\n"
                                               "\r\n"
                                               "south,\"u \"\"2\"\"\",,\"two\nlines\"\r\n"
                                               " east ,007,silver,\r\n"
                                               "west,u10,gold,x");
    rt_attrs *a = read_ok(path, NULL);
    if (!a)
        return;
    CHECK(rt_attrs_rows(a) == 4);
    CHECK(rt_attrs_columns(a) == 4);
    CHECK_STREQ(rt_attrs_column_name(a, 0), "region");
    CHECK_STREQ(rt_attrs_column_name(a, 1), "User_ID");
    CHECK(rt_attrs_column_name(a, 4) == NULL);
    /* Column names: exact, then ignoring case. */
    CHECK(rt_attrs_column(a, "TIER") == 2);
    CHECK(rt_attrs_column(a, "user_id") == 1);
    CHECK(rt_attrs_column(a, "nope") == -1);
    CHECK(rt_attrs_column(a, NULL) == -1);
    CHECK_STREQ(cell(a, "u1", "note"), "a, b");
    CHECK_STREQ(cell(a, "u \"2\"", "note"), "two\nlines");
    CHECK_STREQ(cell(a, "u \"2\"", "tier"), "");
    CHECK_STREQ(cell(a, "007", "region"), " east ");
    CHECK_STREQ(cell(a, "u10", "note"), "x");
    /* Ids are exact text: no trimming, no case folding, no numeric reading. */
    CHECK(rt_attrs_find(a, "7", 1) == -1);
    CHECK(rt_attrs_find(a, "U1", 2) == -1);
    CHECK(rt_attrs_find(a, "u", 1) == -1);
    CHECK(rt_attrs_find(a, "u10", 2) == 0); /* 'len' bytes: "u1" */
    CHECK(rt_attrs_find(a, "u1", 2) == 0);
    CHECK(rt_attrs_find(a, "u10", 3) == 3);
    CHECK(rt_attrs_find(a, NULL, 0) == -1);
    /* Rows in input order. */
    CHECK_STREQ(rt_attrs_value(a, 1, 0), "south");
    CHECK(rt_attrs_value(a, 4, 0) == NULL);
    CHECK(rt_attrs_value(a, 0, 4) == NULL);
    rt_attrs_free(a);
    rt_attrs_free(NULL);
    CHECK(rt_attrs_rows(NULL) == 0);
    CHECK(rt_attrs_columns(NULL) == 0);
}

static void attrs_finds_the_id_column_as_the_loader_does(void)
{
    /* customer_id is preferred over user_id wherever it stands. */
    const char *p1 = write_text("pref.csv", "user_id,x,Customer_Id\nu,1,c\n");
    rt_attrs *a = read_ok(p1, NULL);
    if (a) {
        CHECK(rt_attrs_find(a, "c", 1) == 0);
        CHECK(rt_attrs_find(a, "u", 1) == -1);
        rt_attrs_free(a);
    }
    /* A named column, also with a delimiter. */
    const char *p2 = write_text("named.tsv", "id\ttier\nk1\tgold\nk2\tbasic\n");
    rt_attrs_options o = {.delim = '\t', .customer_col = "ID"};
    a = read_ok(p2, &o);
    if (a) {
        CHECK_STREQ(cell(a, "k2", "tier"), "basic");
        rt_attrs_free(a);
    }
    /* A header of one column and blank lines, which are skipped. */
    const char *p3 = write_text("one.csv", "\n\nclient_id\n\na\n\nb\n");
    a = read_ok(p3, NULL);
    if (a) {
        CHECK(rt_attrs_rows(a) == 2);
        CHECK(rt_attrs_find(a, "b", 1) == 1);
        rt_attrs_free(a);
    }
}

static void attrs_reads_gzip_input(void)
{
    const char *path = tmp_path("attrs.csv.gz");
    gzFile gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    if (!gz)
        return;
    gzputs(gz, "customer_id,tier\nA,gold\nB,basic\n");
    gzclose(gz);
    rt_attrs *a = read_ok(path, NULL);
    if (a) {
        CHECK_STREQ(cell(a, "B", "tier"), "basic");
        rt_attrs_free(a);
    }
}

/* A table of 'n' rows with ids "id<k * 7919 mod n>" and a cell derived from k, big enough to
 * cross the reader's 1 MB first block many times, plus one row longer than that block. */
static void attrs_finds_every_row_of_a_large_table(void)
{
    size_t n = 150000, cap = 16 << 20, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        exit(2);
    len += (size_t)snprintf(buf, cap, "tier,customer_id,score\n");
    for (size_t k = 0; k < n; k++) {
        if (k == n / 2) { /* the long row: a quoted cell of 3 MB */
            len += (size_t)snprintf(buf + len, cap - len, "\"");
            memset(buf + len, 'z', 3 << 20);
            len += 3 << 20;
            len += (size_t)snprintf(buf + len, cap - len, "\",long,0\n");
        }
        len += (size_t)snprintf(buf + len, cap - len, "t%zu,id%zu,%zu\n", k % 5, (k * 7919) % n, k);
    }
    const char *path = write_file("large.csv", buf, len);
    free(buf);
    rt_attrs *a = read_ok(path, NULL);
    if (!a)
        return;
    CHECK(rt_attrs_rows(a) == n + 1);
    size_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        char id[32], want[32];
        snprintf(id, sizeof id, "id%zu", (k * 7919) % n);
        snprintf(want, sizeof want, "%zu", k);
        long row = rt_attrs_find(a, id, strlen(id));
        size_t at = k < n / 2 ? k : k + 1;
        if (row != (long)at || strcmp(rt_attrs_value(a, (size_t)row, 2), want) != 0)
            bad++;
    }
    CHECK(bad == 0);
    long row = rt_attrs_find(a, "long", 4);
    CHECK(row == (long)(n / 2));
    if (row >= 0)
        CHECK(strlen(rt_attrs_value(a, (size_t)row, 0)) == (size_t)3 << 20);
    CHECK(rt_attrs_find(a, "id150000", 8) == -1);
    rt_attrs_free(a);
}

/* ---- errors ---- */

/* Reading 'text' fails with 'code' and exactly the message 'msg' (the path shown as "f"). */
static void check_error(const char *text, const rt_attrs_options *opt, rt_status code,
                        const char *msg)
{
    const char *path = write_text("err.csv", text);
    rt_attrs_options o = opt ? *opt : (rt_attrs_options){0};
    o.name = "f";
    rt_attrs *a = (rt_attrs *)(uintptr_t)1;
    rt_error err;
    rt_status st = rt_attrs_read(path, &o, &a, &err);
    CHECK(st == code);
    CHECK(err.code == code);
    CHECK(a == NULL);
    CHECK_STREQ(err.msg, msg);
}

static void attrs_reports_where_the_input_is_bad(void)
{
    check_error("customer_id,tier\na,1\nb\n", NULL, RT_EPARSE,
                "f:3: expected 2 fields (as in the header), found 1");
    check_error("customer_id,tier\na,1\nb,2,3\n", NULL, RT_EPARSE,
                "f:3: expected 2 fields (as in the header), found 3");
    check_error("tier,customer_id\n1,a\n2,\n", NULL, RT_EPARSE,
                "f:3:3: column 'customer_id': empty customer id");
    check_error("tier,customer_id\n1,a\n2,\"\"\n", NULL, RT_EPARSE,
                "f:3:3: column 'customer_id': empty customer id");
    check_error("tier,customer_id\n1,a\n\"x\ny\",b\n2,a\n", NULL, RT_EPARSE,
                "f:5:3: column 'customer_id': duplicate customer id \"a\" (first on line 2)");
    check_error("customer_id,note\nq,\"two\nlines\"\nq,1\n", NULL, RT_EPARSE,
                "f:4:1: column 'customer_id': duplicate customer id \"q\" (first on line 2)");
    /* The first error in the input wins: a duplicate before a bad row, a bad row before a
     * duplicate. */
    check_error("customer_id,t\na,1\na,2\nb\n", NULL, RT_EPARSE,
                "f:3:1: column 'customer_id': duplicate customer id \"a\" (first on line 2)");
    check_error("customer_id,t\na,1\nb\na,2\n", NULL, RT_EPARSE,
                "f:3: expected 2 fields (as in the header), found 1");
    check_error("customer_id,t\na,1\na,2\n,3\n", NULL, RT_EPARSE,
                "f:3:1: column 'customer_id': duplicate customer id \"a\" (first on line 2)");
    check_error("", NULL, RT_EDOMAIN, "f: empty input: no header line");
    check_error("\n\n", NULL, RT_EDOMAIN, "f: empty input: no header line");
    check_error("customer_id,tier\n", NULL, RT_EDOMAIN, "f: no data rows after the header");
    check_error("customer_id,tier\n\n", NULL, RT_EDOMAIN, "f: no data rows after the header");
    check_error("id,tier\n1,2\n", NULL, RT_EDOMAIN,
                "f: no customer id column (looked for customer_id, customer, cust_id, user_id, "
                "client_id); the columns are: id, tier");
    rt_attrs_options named = {.customer_col = "cid"};
    check_error("id,tier\n1,2\n", &named, RT_EDOMAIN,
                "f: column 'cid' (customer id) not found; the columns are: id, tier");
    check_error("customer_id,tier\na,\"open\n", NULL, RT_EPARSE,
                "f:2:3: unterminated quoted field");
    check_error("customer_id,tier\na,\"x\"y\n", NULL, RT_EPARSE,
                "f:2:6: unexpected character after closing quote");
    const char nul[] = "customer_id,tier\na,b\nc,d\0e\n";
    const char *p = write_file("nul.csv", nul, sizeof nul - 1);
    rt_attrs *a;
    rt_error err;
    CHECK(rt_attrs_read(p, NULL, &a, &err) == RT_EPARSE);
    CHECK(strstr(err.msg, ":3:4: NUL byte: this is not a text file") != NULL);
    /* I/O errors and misuse. */
    CHECK(rt_attrs_read(tmp_path("does-not-exist.csv"), NULL, &a, &err) == RT_EIO);
    CHECK(a == NULL);
    CHECK(err.sys_errno != 0);
    CHECK(rt_attrs_read(tmpdir, NULL, &a, &err) == RT_EIO);
    CHECK(rt_attrs_read(NULL, NULL, &a, &err) == RT_EMISUSE);
    CHECK(rt_attrs_read(p, NULL, NULL, &err) == RT_EMISUSE);
    rt_attrs_options q = {.delim = '"'};
    CHECK(rt_attrs_read(p, &q, &a, &err) == RT_EMISUSE);
    rt_attrs_options empty = {.customer_col = ""};
    CHECK(rt_attrs_read(p, &empty, &a, NULL) == RT_EMISUSE);
}

/* ---- fault injection ---- */

/* An allocator that fails allocation number 'fail_at' (1-based; 0 = never) and counts the
 * live blocks. (Single-threaded: the reader starts no threads.) */
typedef struct hook {
    long calls, fail_at, live;
} hook;

static void *hook_alloc(void *ud, size_t size)
{
    hook *h = ud;
    if (++h->calls == h->fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        h->live++;
    return p;
}

static void *hook_resize(void *ud, void *ptr, size_t size)
{
    hook *h = ud;
    if (!ptr)
        return hook_alloc(ud, size);
    if (++h->calls == h->fail_at)
        return NULL;
    return realloc(ptr, size);
}

static void hook_release(void *ud, void *ptr)
{
    hook *h = ud;
    if (ptr) {
        h->live--;
        free(ptr);
    }
}

static void attrs_fails_cleanly_at_every_allocation(void)
{
    /* Enough rows to grow the hash table and the cell and text arrays several times. */
    char text[20000];
    size_t len = (size_t)snprintf(text, sizeof text, "customer_id,tier,\"no\"\"te\"\n");
    for (int k = 0; k < 300; k++)
        len +=
            (size_t)snprintf(text + len, sizeof text - len, "c%d,t%d,\"a\"\"%d\"\n", k, k % 3, k);
    const char *path = write_file("faults.csv", text, len);
    hook h = {0};
    rt_allocator al = {hook_alloc, hook_resize, hook_release, &h};
    rt_attrs_options o = {.allocator = &al};
    long failures = 0;
    int clean = 1, done = 0;
    for (long k = 1; k < 100000 && !done; k++) {
        h.calls = 0;
        h.fail_at = k;
        rt_attrs *a = (rt_attrs *)(uintptr_t)1;
        rt_error err;
        rt_status st = rt_attrs_read(path, &o, &a, &err);
        if (st == RT_OK) {
            CHECK(rt_attrs_rows(a) == 300);
            CHECK_STREQ(cell(a, "c299", "no\"te"), "a\"299");
            rt_attrs_free(a);
            CHECK(h.live == 0);
            CHECK(h.calls < k); /* the run that succeeded failed nothing */
            done = 1;
            break;
        }
        failures++;
        if (st != RT_ENOMEM || a != NULL || h.live != 0) {
            if (clean)
                fprintf(stderr, "  failing allocation %ld: status %d (%s), %ld live\n", k, (int)st,
                        err.msg, h.live);
            clean = 0;
            h.live = 0;
        }
    }
    CHECK(done);
    CHECK(clean);
    CHECK(failures > 10);
    /* A failing read: every allocation failure still gives RT_ENOMEM or the parse error. */
    const char *bad = write_text("faults-bad.csv", "customer_id,t\na,1\nb,2\na,3\n");
    for (long k = 0; k < 40; k++) {
        h.calls = 0;
        h.fail_at = k;
        h.live = 0;
        rt_attrs *a;
        rt_status st = rt_attrs_read(bad, &o, &a, NULL);
        CHECK(st == RT_EPARSE || st == RT_ENOMEM);
        CHECK(a == NULL);
        CHECK(h.live == 0);
    }
}

int main(void)
{
    TEST(attrs_keeps_every_cell_as_text);
    TEST(attrs_finds_the_id_column_as_the_loader_does);
    TEST(attrs_reads_gzip_input);
    TEST(attrs_finds_every_row_of_a_large_table);
    TEST(attrs_reports_where_the_input_is_bad);
    TEST(attrs_fails_cleanly_at_every_allocation);
    remove_files();
    return test_report();
}
