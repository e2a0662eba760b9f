/* test_json.c - the strict JSON reader (src/io/json.c): every value type, escapes and UTF-8,
 * numbers bit for bit against strtod (denormals included), every error message with its
 * line and column, the depth limit, duplicate keys, files, allocation failure at every step,
 * and input against a guard page.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "guard.h"
#include "io/json.h"
#include "tmpfiles.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parse 'text' (its strlen) named "t.json"; the document or NULL with 'err' filled. Each input
 * is placed against a guard page, so an over-read crashes. */
static rt_json_doc *parse(const char *text, rt_error *err)
{
    size_t n = strlen(text);
    rt_json_doc *d = NULL;
    rt_json_parse(at_guard(text, n), n, "t.json", NULL, &d, err);
    return d;
}

/* Check that 'text' fails with RT_EPARSE and exactly the message 'msg'. */
static void check_error(const char *text, const char *msg)
{
    rt_error err = {0};
    rt_json_doc *d = parse(text, &err);
    CHECK(d == NULL);
    CHECK(err.code == RT_EPARSE);
    CHECK_STREQ(err.msg, msg);
    rt_json_free(d);
}

/* The number 'text' parses to, bit for bit (NaN when it does not parse). */
static double number_of(const char *text)
{
    rt_error err = {0};
    rt_json_doc *d = parse(text, &err);
    double v = d && rt_json_root(d)->type == RT_JSON_NUMBER ? rt_json_root(d)->num : (double)NAN;
    rt_json_free(d);
    return v;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- values ---- */

static void parses_every_value_type_with_positions(void)
{
    rt_error err = {0};
    rt_json_doc *d = parse("{\"a\": [1, -2.5e1, true, false, null],\n"
                           "  \"b\": {\"c\": \"x\"}, \"\": {}, \"e\": []}",
                           &err);
    CHECK(d != NULL);
    if (!d)
        return;
    const rt_json *r = rt_json_root(d);
    CHECK(r->type == RT_JSON_OBJECT && r->n == 4 && r->key == NULL);
    CHECK(r->line == 1 && r->column == 1);
    const rt_json *a = rt_json_get(r, "a");
    CHECK(a && a->type == RT_JSON_ARRAY && a->n == 5 && a->line == 1 && a->column == 7);
    if (a && a->n == 5) {
        CHECK(a->items[0].type == RT_JSON_NUMBER && a->items[0].num == 1.0);
        CHECK(a->items[1].num == -25.0 && a->items[1].column == 11);
        CHECK(a->items[2].type == RT_JSON_TRUE && a->items[3].type == RT_JSON_FALSE);
        CHECK(a->items[4].type == RT_JSON_NULL && a->items[0].key == NULL);
    }
    const rt_json *b = rt_json_get(r, "b");
    CHECK(b && b->type == RT_JSON_OBJECT && b->line == 2 && b->column == 8);
    const rt_json *c = rt_json_get(b, "c");
    CHECK(c && c->type == RT_JSON_STRING && c->len == 1 && strcmp(c->str, "x") == 0);
    CHECK(c && c->line == 2 && c->column == 14 && strcmp(c->key, "c") == 0);
    const rt_json *empty_key = rt_json_get(r, "");
    CHECK(empty_key && empty_key->type == RT_JSON_OBJECT && empty_key->n == 0);
    CHECK(rt_json_get(r, "e") && rt_json_get(r, "e")->n == 0);
    CHECK(rt_json_get(r, "missing") == NULL && rt_json_get(a, "a") == NULL);
    CHECK(rt_json_get(NULL, "a") == NULL);
    CHECK_STREQ(rt_json_name(d), "t.json");
    rt_json_free(d);
    rt_json_free(NULL);
    /* Any value can be the root; whitespace and a byte order mark around it are fine. */
    d = parse("\xEF\xBB\xBF \t\r\n 42 \n", &err);
    CHECK(d && rt_json_root(d)->num == 42.0 && rt_json_root(d)->line == 2);
    rt_json_free(d);
    CHECK_STREQ(rt_json_type_name(RT_JSON_OBJECT), "object");
    CHECK_STREQ(rt_json_type_name(RT_JSON_NULL), "null");
}

static void strings_unescape_and_keep_utf8(void)
{
    rt_error err = {0};
    rt_json_doc *d =
        parse("[\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", "
              "\"\\ud83d\\ude00\", \"a\\u0000b\", \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"]",
              &err);
    CHECK(d != NULL);
    if (!d)
        return;
    const rt_json *r = rt_json_root(d);
    CHECK(r->n == 5);
    CHECK_STREQ(r->items[0].str, "q\" b\\ s/ \b\f\n\r\t");
    CHECK_STREQ(r->items[1].str, "\xC3\xA9\xE2\x82\xAC"); /* U+00E9, U+20AC */
    CHECK_STREQ(r->items[2].str, "\xF0\x9F\x98\x80");     /* U+1F600 from a surrogate pair */
    CHECK(r->items[3].len == 3 && memcmp(r->items[3].str, "a\0b", 4) == 0);
    CHECK_STREQ(r->items[4].str, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    rt_json_free(d);
}

/* ---- numbers ---- */

static void numbers_match_strtod_bit_for_bit(void)
{
    /* Doubles spread over the whole range (random bit patterns, NaN/Inf skipped), written
     * with %.17g (which round-trips) and with %.15g (which need not): the reader must give
     * strtod's value bit for bit, denormals included. */
    uint64_t s = 88172645463325252u;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
        double v;
        uint64_t bits = i < 2000 ? s >> 12 : s; /* the first 2000 are denormals */
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        char t[64];
        for (int k = 0; k < 2; k++) {
            snprintf(t, sizeof t, k ? "%.15g" : "%.17g", v);
            double got = number_of(t), want = strtod(t, NULL);
            if (!same_bits(got, want) || (k == 0 && !same_bits(got, v)))
                bad++;
        }
    }
    CHECK(bad == 0);
    /* Edge values. */
    CHECK(same_bits(number_of("4.9406564584124654e-324"), DBL_TRUE_MIN));
    CHECK(same_bits(number_of("2.2250738585072009e-308"), DBL_MIN - DBL_TRUE_MIN));
    CHECK(same_bits(number_of("1.7976931348623157e308"), DBL_MAX));
    CHECK(same_bits(number_of("1e-400"), 0.0));
    CHECK(same_bits(number_of("-1e-400"), -0.0));
    CHECK(same_bits(number_of("-0"), -0.0));
    CHECK(same_bits(number_of("0.000000000000000000000000000000000000000001e-300"),
                    strtod("1e-342", NULL)));
    CHECK(number_of("123456789012345678901234567890") == 1.2345678901234568e29);
    CHECK(number_of("1E+2") == 100.0 && number_of("1e-2") == 0.01);
}

static void invalid_numbers_are_errors(void)
{
    check_error("01", "t.json:1:1: invalid number \"01\"");
    check_error("[1.]", "t.json:1:2: invalid number \"1.\"");
    check_error(".5", "t.json:1:1: expected a JSON value, got \".\"");
    check_error("+1", "t.json:1:1: expected a JSON value, got \"+\"");
    check_error("-", "t.json:1:1: invalid number \"-\"");
    check_error("1e", "t.json:1:1: invalid number \"1e\"");
    check_error("1e+", "t.json:1:1: invalid number \"1e+\"");
    check_error("0x10", "t.json:1:1: invalid number \"0x10\"");
    check_error("1.5.2", "t.json:1:1: invalid number \"1.5.2\"");
    check_error("NaN", "t.json:1:1: expected a JSON value, got \"NaN\"");
    check_error("-Infinity", "t.json:1:1: invalid number \"-Infinity\"");
    check_error("[1e309]", "t.json:1:2: number \"1e309\" is outside the range of a double");
    check_error("-1e400", "t.json:1:1: number \"-1e400\" is outside the range of a double");
}

/* ---- errors ---- */

static void syntax_errors_say_what_and_where(void)
{
    check_error("", "t.json:1:1: expected a JSON value, got end of input");
    check_error("  \n ", "t.json:2:2: expected a JSON value, got end of input");
    check_error("{\"a\": 1,}", "t.json:1:9: trailing comma before '}'");
    check_error("[1, 2,]", "t.json:1:7: trailing comma before ']'");
    check_error("[1 2]", "t.json:1:4: expected ',' or ']' in an array, got \"2\"");
    check_error("{\"a\" 1}", "t.json:1:6: expected ':' after an object key, got \"1\"");
    check_error("{1: 2}", "t.json:1:2: expected a string key in an object, got \"1\"");
    check_error("{'a': 1}", "t.json:1:2: expected a string key in an object, got \"'\"");
    check_error("{\"a\": 1", "t.json:1:8: expected ',' or '}' in an object, got end of input");
    check_error("[", "t.json:1:2: expected a JSON value, got end of input");
    check_error("[1,", "t.json:1:4: expected a JSON value, got end of input");
    check_error("\"abc", "t.json:1:1: unterminated string");
    check_error("[\"a\\", "t.json:1:2: unterminated string");
    check_error("\"a\nb\"",
                "t.json:1:3: control character 0x0A in a string (write it as an escape)");
    check_error("\"\\x\"", "t.json:1:2: invalid escape: backslash followed by \"x\"");
    check_error("\"\\u12\"", "t.json:1:2: invalid \\u escape (need 4 hex digits)");
    check_error("\"\\ud800\"", "t.json:1:2: unpaired surrogate \\uD800 in a string");
    check_error("\"\\ud800\\u0041\"", "t.json:1:2: unpaired surrogate \\uD800 in a string");
    check_error("\"x\\udc00\"", "t.json:1:3: unpaired surrogate \\uDC00 in a string");
    check_error("\"\xC3\x28\"", "t.json:1:2: invalid UTF-8 in a string (byte 0xC3)");
    check_error("\"\xED\xA0\x80\"", "t.json:1:2: invalid UTF-8 in a string (byte 0xED)");
    check_error("\"\xC0\x80\"", "t.json:1:2: invalid UTF-8 in a string (byte 0xC0)");
    check_error("\"\xF0\x9F\x98\"", "t.json:1:2: invalid UTF-8 in a string (byte 0xF0)");
    check_error("tru", "t.json:1:1: expected a JSON value, got \"tru\"");
    check_error("[nulls]", "t.json:1:2: expected a JSON value, got \"nulls\"");
    check_error("True", "t.json:1:1: expected a JSON value, got \"True\"");
    check_error("{} x", "t.json:1:4: unexpected \"x\" after the JSON value");
    check_error("1 2", "t.json:1:3: unexpected \"2\" after the JSON value");
    check_error("[\xE9]", "t.json:1:2: expected a JSON value, got byte 0xE9");
    check_error("[1] // c", "t.json:1:5: unexpected \"/\" after the JSON value");
    /* Lines count '\n'; columns count bytes from the line start. */
    check_error("{\n  \"model\": \"bgnbd\",\n  \"params\": {\"r\": tru}\n}",
                "t.json:3:19: expected a JSON value, got \"tru\"");
    check_error("{\r\n\t\"a\": [1,\r\n\t\t2 3]}",
                "t.json:3:5: expected ',' or ']' in an array, got \"3\"");
}

static void repeated_keys_are_errors(void)
{
    check_error("{\"a\": 1, \"b\": 2, \"a\": 3}", "t.json:1:23: duplicate key \"a\" in an object");
    /* Keys are compared as unescaped bytes. */
    check_error("{\"a\": 1, \"\\u0061\": 2}", "t.json:1:20: duplicate key \"a\" in an object");
    /* A large object goes through the sorted check; the first repeat in input order is named. */
    char text[2048];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "\"k%02d\": %d, ", i, i);
    snprintf(text + n, sizeof text - n, "\"k30\": 0, \"k07\": 0}");
    char want[128];
    /* After the '{', 10 members of 10 bytes and 30 of 11, then "k30": at column 432; its
     * value at 439. */
    snprintf(want, sizeof want, "t.json:1:439: duplicate key \"k30\" in an object");
    check_error(text, want);
    /* The same keys in different objects are fine. */
    rt_error err = {0};
    rt_json_doc *d = parse("[{\"a\": 1}, {\"a\": 2}, {\"b\": {\"a\": 3}, \"a\": 4}]", &err);
    CHECK(d != NULL);
    rt_json_free(d);
}

static void nesting_is_limited(void)
{
    char deep[2 * RT_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < RT_JSON_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < RT_JSON_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    rt_error err = {0};
    rt_json_doc *d = parse(deep, &err);
    CHECK(d != NULL); /* exactly the limit */
    rt_json_free(d);
    memmove(deep + 1, deep, n + 1);
    deep[0] = '[';
    deep[n + 1] = ']';
    deep[n + 2] = '\0';
    char want[96];
    snprintf(want, sizeof want, "t.json:1:%d: containers nested deeper than %d levels",
             RT_JSON_MAX_DEPTH + 1, RT_JSON_MAX_DEPTH);
    check_error(deep, want);
    /* Far deeper input stops at the same place, without deep recursion. */
    static char deeper[60001];
    memset(deeper, '{', 60000);
    d = parse(deeper, &err);
    CHECK(d == NULL && err.code == RT_EPARSE);
}

static void bad_arguments_are_misuse(void)
{
    rt_json_doc *d = (rt_json_doc *)1;
    rt_error err = {0};
    CHECK(rt_json_parse(NULL, 3, NULL, NULL, &d, &err) == RT_EMISUSE && d == NULL);
    CHECK(rt_json_parse("1", 1, NULL, NULL, NULL, &err) == RT_EMISUSE);
    /* No name: messages say "<json>". */
    CHECK(rt_json_parse("[", 1, NULL, NULL, &d, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "<json>:1:2: expected a JSON value, got end of input");
    CHECK(err.line == 1 && err.column == 2);
    /* The length is respected: the text need not end in a NUL. */
    CHECK(rt_json_parse("[1]]]", 3, NULL, NULL, &d, &err) == RT_OK);
    rt_json_free(d);
}

/* ---- files ---- */

static void reads_files_and_reports_missing_ones(void)
{
    const char *path = write_text("m.json", "{\"model\": \"gg\"}\n");
    rt_json_doc *d = NULL;
    rt_error err = {0};
    CHECK(rt_json_read(path, NULL, NULL, &d, &err) == RT_OK);
    CHECK(d && rt_json_get(rt_json_root(d), "model") &&
          strcmp(rt_json_get(rt_json_root(d), "model")->str, "gg") == 0);
    CHECK(d && strcmp(rt_json_name(d), path) == 0);
    rt_json_free(d);
    path = write_text("bad.json", "{\"model\": gg}\n");
    CHECK(rt_json_read(path, "params", NULL, &d, &err) == RT_EPARSE && d == NULL);
    CHECK_STREQ(err.msg, "params:1:11: expected a JSON value, got \"gg\"");
    CHECK(rt_json_read("/nonexistent/m.json", NULL, NULL, &d, &err) == RT_EIO && d == NULL);
    CHECK_STREQ(err.msg, "cannot open '/nonexistent/m.json': No such file or directory");
    CHECK(err.sys_errno != 0);
    /* A file larger than one read. */
    static char big[300000];
    size_t n = 0;
    big[n++] = '[';
    while (n < sizeof big - 16)
        n += (size_t)snprintf(big + n, sizeof big - n, "%zu,", n);
    big[n - 1] = ']';
    big[n] = '\0';
    path = write_text("big.json", big);
    CHECK(rt_json_read(path, NULL, NULL, &d, &err) == RT_OK);
    CHECK(d && rt_json_root(d)->n > 40000 && rt_json_root(d)->items[1].num == 3.0);
    rt_json_free(d);
}

/* ---- allocation failure ---- */

typedef struct fault {
    long calls, fail_at, live;
} fault;

static void *fault_alloc(void *ud, size_t n)
{
    fault *s = ud;
    if (++s->calls == s->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        s->live++;
    return p;
}

static void *fault_resize(void *ud, void *p, size_t n)
{
    fault *s = ud;
    if (++s->calls == s->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        s->live++;
    return q;
}

static void fault_release(void *ud, void *p)
{
    fault *s = ud;
    if (p)
        s->live--;
    free(p);
}

static void allocation_failure_at_every_step_is_clean(void)
{
    /* Big strings and many members: arena blocks of their own, stack and buffer growth, the
     * sorted duplicate check. */
    static char text[40000];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\"s\": \"");
    for (int i = 0; i < 5000; i++)
        text[n++] = 'a';
    n += (size_t)snprintf(text + n, sizeof text - n, "\", \"o\": {");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"k%d\": [%d, \"v\"]", i ? ", " : "", i,
                              i);
    snprintf(text + n, sizeof text - n, "}}");
    fault s = {0};
    rt_allocator a = {fault_alloc, fault_resize, fault_release, &s};
    int ok = 0;
    long k;
    for (k = 1; k < 10000 && !ok; k++) {
        s.calls = 0;
        s.fail_at = k;
        rt_json_doc *d = NULL;
        rt_error err = {0};
        rt_status st = rt_json_parse(text, strlen(text), "a.json", &a, &d, &err);
        ok = st == RT_OK;
        CHECK(ok || (st == RT_ENOMEM && d == NULL && strcmp(err.msg, "out of memory") == 0));
        if (ok)
            CHECK(rt_json_get(rt_json_get(rt_json_root(d), "o"), "k99")->items[0].num == 99.0);
        rt_json_free(d);
        CHECK(s.live == 0);
    }
    CHECK(ok);
    CHECK(k > 5); /* the document, the name's block, big string, stack, buffer all failed */
}

int main(void)
{
    TEST(parses_every_value_type_with_positions);
    TEST(strings_unescape_and_keep_utf8);
    TEST(numbers_match_strtod_bit_for_bit);
    TEST(invalid_numbers_are_errors);
    TEST(syntax_errors_say_what_and_where);
    TEST(repeated_keys_are_errors);
    TEST(nesting_is_limited);
    TEST(bad_arguments_are_misuse);
    TEST(reads_files_and_reports_missing_ones);
    TEST(allocation_failure_at_every_step_is_clean);
    guard_release();
    remove_files();
    return test_report();
}
