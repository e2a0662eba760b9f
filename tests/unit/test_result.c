/* test_result.c - rt_result building and the CSV, JSON and table writers, byte for byte;
 * round-tripping doubles; a failing FILE; and allocation failure at every step of a build.
 * SPDX-License-Identifier: MIT */
#include "harness.h"

#include "core/result.h"
#include "report/format.h"
#include "retain.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* math.h's NAN and INFINITY are floats; -Wdouble-promotion wants the conversion spelled out. */
#define DNAN ((double)NAN)
#define DINF ((double)INFINITY)

/* The bytes rt_result_write produces for 'r' in format 'fmt' (caller frees), checking that
 * the write succeeded. */
static char *render(const rt_result *r, rt_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    if (!f)
        return NULL;
    rt_error err = {0};
    CHECK(rt_result_write(r, f, fmt, &err) == RT_OK);
    CHECK(fclose(f) == 0);
    return buf;
}

/* Check that 'r' written as 'fmt' is exactly 'want'. */
static void check_output(const rt_result *r, rt_format fmt, const char *want)
{
    char *got = render(r, fmt);
    CHECK_STREQ(got, want);
    free(got);
}

/* An allocator that fails the 'fail_at'-th request (alloc or resize, counted from 1; 0 =
 * never) and counts live blocks, so a leak shows even without ASan. */
typedef struct fault {
    long calls, fail_at;
    long live;
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

/* ---- building and reading ---- */

static void result_getters_return_copies_of_what_was_added(void)
{
    char name[16] = "customers", text[16] = "hello";
    rt_result *r = rt_result_new(NULL, "summary");
    CHECK(r != NULL);
    CHECK(rt_result_add_int(r, name, 42) == 0);
    CHECK(rt_result_add_string(r, "greeting", text) == 0);
    CHECK(rt_result_add_double(r, "rate", 0.25, 2) == 0);
    CHECK(rt_result_add_date(r, "first", 19723) == 0);
    CHECK(rt_result_add_null(r, "nothing") == 0);
    CHECK(rt_result_add_string(r, "null_string", NULL) == 0);
    strcpy(name, "changed");
    strcpy(text, "changed");

    CHECK_STREQ(rt_result_kind(r), "summary");
    CHECK(rt_result_field_count(r) == 6);
    CHECK_STREQ(rt_result_field_name(r, 0), "customers");
    CHECK(rt_result_field(r, 0).type == RT_VAL_INT && rt_result_field(r, 0).i == 42);
    CHECK_STREQ(rt_result_field(r, 1).s, "hello");
    CHECK(rt_result_field(r, 2).type == RT_VAL_DOUBLE && rt_result_field(r, 2).d == 0.25);
    CHECK(rt_result_field_decimals(r, 2) == 2);
    CHECK(rt_result_field(r, 3).type == RT_VAL_DATE && rt_result_field(r, 3).i == 19723);
    CHECK(rt_result_field(r, 4).type == RT_VAL_NULL);
    CHECK(rt_result_field(r, 5).type == RT_VAL_NULL);
    CHECK(rt_result_field_name(r, 6) == NULL);
    CHECK(rt_result_field(r, 6).type == RT_VAL_NULL);

    int found = -1;
    CHECK(rt_result_get(r, "rate", &found).d == 0.25 && found == 1);
    CHECK(rt_result_get(r, "absent", &found).type == RT_VAL_NULL && found == 0);
    CHECK(rt_result_get(r, "customers", NULL).i == 42);

    const char *cols[] = {"id", "label"};
    int t = rt_result_add_table(r, "rows", 2, cols, NULL);
    CHECK(t == 0);
    rt_value row[2] = {{.type = RT_VAL_INT, .i = 7}, {.type = RT_VAL_STRING, .s = text}};
    CHECK(rt_result_table_add_row(r, 0, row) == 0);
    strcpy(text, "again");
    CHECK(rt_result_table_add_row(r, 0, row) == 0);
    strcpy(text, "gone");
    CHECK(rt_result_table_count(r) == 1);
    CHECK_STREQ(rt_result_table_name(r, 0), "rows");
    CHECK(rt_result_table_rows(r, 0) == 2);
    CHECK(rt_result_table_cols(r, 0) == 2);
    CHECK_STREQ(rt_result_table_col_name(r, 0, 1), "label");
    CHECK(rt_result_table_col_name(r, 0, 2) == NULL);
    CHECK(rt_result_table_col_decimals(r, 0, 0) == RT_DECIMALS_AUTO);
    CHECK(rt_result_table_cell(r, 0, 1, 0).i == 7);
    CHECK_STREQ(rt_result_table_cell(r, 0, 0, 1).s, "changed");
    CHECK_STREQ(rt_result_table_cell(r, 0, 1, 1).s, "again");
    CHECK(rt_result_table_cell(r, 0, 2, 0).type == RT_VAL_NULL);
    CHECK(rt_result_table_cell(r, 1, 0, 0).type == RT_VAL_NULL);
    CHECK(rt_result_table_name(r, 1) == NULL);
    rt_result_free(r);
    rt_result_free(NULL);
}

static void result_rejects_bad_arguments_and_stays_usable(void)
{
    rt_result *r = rt_result_new(NULL, NULL);
    CHECK(r != NULL);
    CHECK_STREQ(rt_result_kind(r), "");
    const char *cols[] = {"a", NULL};
    CHECK(rt_result_add_int(r, NULL, 1) == -1);
    CHECK(rt_result_add_int(NULL, "x", 1) == -1);
    CHECK(rt_result_add_table(r, "t", 0, cols, NULL) == -1);
    CHECK(rt_result_add_table(r, "t", 2, cols, NULL) == -1);
    CHECK(rt_result_add_table(r, NULL, 1, cols, NULL) == -1);
    int decimals[] = {-7};
    CHECK(rt_result_add_table(r, "t", 1, cols, decimals) == 0);
    CHECK(rt_result_set_main(r, 1) == -1);
    CHECK(rt_result_set_main(r, 0) == 0);
    CHECK(rt_result_table_col_decimals(r, 0, 0) == RT_DECIMALS_AUTO);
    rt_value bad_type = {.type = (rt_val_type)99};
    rt_value bad_day = {.type = RT_VAL_DATE, .i = (int64_t)INT32_MAX + 1};
    rt_value good = {.type = RT_VAL_INT, .i = 1};
    CHECK(rt_result_table_add_row(r, 0, &bad_type) == -1);
    CHECK(rt_result_table_add_row(r, 0, &bad_day) == -1);
    CHECK(rt_result_table_add_row(r, 1, &good) == -1);
    CHECK(rt_result_table_add_row(r, 0, NULL) == -1);
    CHECK(rt_result_table_rows(r, 0) == 0);
    CHECK(rt_result_field_count(r) == 0);
    check_output(r, RT_FORMAT_CSV, "a\n");
    rt_result_free(r);
}

static void result_holds_many_rows_and_long_strings(void)
{
    rt_result *r = rt_result_new(NULL, "big");
    char *longs = malloc(10001);
    CHECK(longs != NULL);
    if (!r || !longs) {
        free(longs);
        rt_result_free(r);
        return;
    }
    memset(longs, 'x', 10000);
    longs[10000] = '\0';
    CHECK(rt_result_add_string(r, "long", longs) == 0);
    const char *cols[] = {"i", "s"};
    CHECK(rt_result_add_table(r, "t", 2, cols, NULL) == 0);
    for (int i = 0; i < 5000; i++) {
        char s[32];
        snprintf(s, sizeof s, "row %d", i);
        rt_value row[2] = {{.type = RT_VAL_INT, .i = i}, {.type = RT_VAL_STRING, .s = s}};
        CHECK(rt_result_table_add_row(r, 0, row) == 0);
        if (i == 2500)
            CHECK(rt_result_add_string(r, "long2", longs) == 0);
    }
    CHECK(rt_result_table_rows(r, 0) == 5000);
    CHECK_STREQ(rt_result_table_cell(r, 0, 4999, 1).s, "row 4999");
    CHECK_STREQ(rt_result_table_cell(r, 0, 1234, 1).s, "row 1234");
    CHECK(strlen(rt_result_field(r, 0).s) == 10000);
    CHECK(strcmp(rt_result_get(r, "long2", NULL).s, longs) == 0);
    free(longs);
    rt_result_free(r);
}

/* ---- CSV ---- */

static void csv_quotes_fields_with_delimiter_quote_or_line_end(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    const char *cols[] = {"name", "a,b"};
    CHECK(rt_result_add_table(r, "t", 2, cols, NULL) == 0);
    CHECK(rt_result_set_main(r, 0) == 0);
    const char *texts[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "\"", ""};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        rt_value row[2] = {{.type = RT_VAL_STRING, .s = texts[i]},
                           {.type = RT_VAL_INT, .i = (int64_t)i - 1}};
        CHECK(rt_result_table_add_row(r, 0, row) == 0);
    }
    check_output(r, RT_FORMAT_CSV,
                 "name,\"a,b\"\n"
                 "plain,-1\n"
                 "\"a,b\",0\n"
                 "\"say \"\"hi\"\"\",1\n"
                 "\"two\nlines\",2\n"
                 "\"cr\r\",3\n"
                 "\"\"\"\",4\n"
                 ",5\n");
    rt_result_free(r);
}

static void csv_writes_only_the_main_table(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    CHECK(rt_result_add_int(r, "ignored", 1) == 0);
    const char *c1[] = {"x"}, *c2[] = {"y"};
    CHECK(rt_result_add_table(r, "first", 1, c1, NULL) == 0);
    CHECK(rt_result_add_table(r, "second", 1, c2, NULL) == 1);
    CHECK(rt_result_main_table(r) == -1);
    check_output(r, RT_FORMAT_CSV, "ignored\n1\n"); /* no main table: the fields */
    CHECK(rt_result_set_main(r, 0) == 0);
    CHECK(rt_result_main_table(r) == 0);
    rt_value v = {.type = RT_VAL_INT, .i = 5};
    CHECK(rt_result_table_add_row(r, 1, &v) == 0);
    check_output(r, RT_FORMAT_CSV, "x\n");
    CHECK(rt_result_table_add_row(r, 0, &v) == 0);
    check_output(r, RT_FORMAT_CSV, "x\n5\n");
    CHECK(rt_result_set_main(r, 1) == 0);
    check_output(r, RT_FORMAT_CSV, "y\n5\n");
    rt_result_free(r);
}

static void csv_without_table_writes_fields_as_header_and_value_line(void)
{
    rt_result *r = rt_result_new(NULL, "summary");
    check_output(r, RT_FORMAT_CSV, "");
    CHECK(rt_result_add_int(r, "customers", 1200) == 0);
    CHECK(rt_result_add_double(r, "aov", 12.5, 2) == 0);
    CHECK(rt_result_add_date(r, "first day", 19723) == 0);
    CHECK(rt_result_add_string(r, "note", "a, b") == 0);
    CHECK(rt_result_add_null(r, "missing") == 0);
    CHECK(rt_result_add_double(r, "nan", DNAN, 2) == 0);
    check_output(r, RT_FORMAT_CSV,
                 "customers,aov,first day,note,missing,nan\n"
                 "1200,12.5,2024-01-01,\"a, b\",,\n");
    rt_result_free(r);
}

static void csv_writes_null_nan_and_inf_as_empty_fields(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    const char *cols[] = {"a", "b", "c", "d"};
    CHECK(rt_result_add_table(r, "t", 4, cols, NULL) == 0);
    CHECK(rt_result_set_main(r, 0) == 0);
    rt_value row[4] = {{.type = RT_VAL_NULL},
                       {.type = RT_VAL_DOUBLE, .d = DNAN},
                       {.type = RT_VAL_DOUBLE, .d = DINF},
                       {.type = RT_VAL_DOUBLE, .d = -DINF}};
    CHECK(rt_result_table_add_row(r, 0, row) == 0);
    check_output(r, RT_FORMAT_CSV, "a,b,c,d\n,,,\n");
    rt_result_free(r);
}

/* ---- doubles ---- */

static void machine_output_round_trips_doubles(void)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {1 / 3.0, "0.33333333333333331"},
        {1e300, "1e+300"},
        {5e-324, "4.94065645841247e-324"},
        {-0.0, "-0"},
        {123456789.125, "123456789.125"},
        {2.0 / 3.0, "0.66666666666666663"},
        {-1234.5, "-1234.5"},
        {1e21, "1e+21"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[RT_FMT_BUF];
        size_t n = rt_fmt_double(cases[i].v, buf);
        CHECK_STREQ(buf, cases[i].text);
        CHECK(n == strlen(buf));
        double back = strtod(buf, NULL);
        CHECK(back == cases[i].v && !signbit(back) == !signbit(cases[i].v));

        /* The same text in both machine formats. */
        rt_result *r = rt_result_new(NULL, "t");
        CHECK(rt_result_add_double(r, "v", cases[i].v, 2) == 0);
        char want[128];
        snprintf(want, sizeof want, "v\n%s\n", cases[i].text);
        check_output(r, RT_FORMAT_CSV, want);
        snprintf(want, sizeof want, "{\n  \"v\": %s\n}\n", cases[i].text);
        check_output(r, RT_FORMAT_JSON, want);
        rt_result_free(r);
    }
}

static void human_doubles_follow_the_decimals_hint(void)
{
    static const struct {
        double v;
        int decimals;
        const char *text;
    } cases[] = {
        {2.5, 2, "2.50"},
        {1234567.891, 2, "1234567.89"},
        {0.5, 0, "0"},
        {-0.001, 2, "0.00"},
        {3.0, 1, "3.0"},
        {1234567.891, -1, "1234567.89"},
        {1234567.0, -1, "1234567"},
        {3.14159, -1, "3.142"},
        {0.0123456, -1, "0.01235"},
        {42.0, -1, "42"},
        {1.5, -1, "1.5"},
        {999.99, -1, "1000"},
        {0.0, -1, "0"},
        {-0.0, -1, "0"},
        {-2.25, -1, "-2.25"},
        {1e-5, -1, "1e-05"},
        {2.5e15, -1, "2.5e+15"},
        {2.5e15, 2, "2.5e+15"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[RT_FMT_BUF];
        size_t n = rt_fmt_double_human(cases[i].v, cases[i].decimals, buf);
        CHECK_STREQ(buf, cases[i].text);
        CHECK(n == strlen(buf));
    }
}

/* printf follows LC_NUMERIC; the writers must still print '.'. Runs only where a locale with
 * a ',' separator is installed (the library itself never calls setlocale). */
static void decimal_point_is_a_dot_in_any_locale(void)
{
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8",
                                  "fr_FR.utf8",  "nl_NL.UTF-8", "ru_RU.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !got; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (!got)
        return;
    rt_result *r = rt_result_new(NULL, "t");
    CHECK(rt_result_add_double(r, "v", 1.5, 2) == 0);
    CHECK(rt_result_add_double(r, "w", 1 / 3.0, -1) == 0);
    check_output(r, RT_FORMAT_CSV, "v,w\n1.5,0.33333333333333331\n");
    check_output(r, RT_FORMAT_JSON, "{\n  \"v\": 1.5,\n  \"w\": 0.33333333333333331\n}\n");
    check_output(r, RT_FORMAT_TABLE, "v  1.50\nw  0.3333\n");
    rt_result_free(r);
    setlocale(LC_NUMERIC, "C");
}

/* ---- JSON ---- */

static void json_writes_fields_then_tables_as_row_objects(void)
{
    rt_result *r = rt_result_new(NULL, "demo");
    CHECK(rt_result_add_int(r, "n", 3) == 0);
    CHECK(rt_result_add_double(r, "mean", 0.1, 2) == 0);
    CHECK(rt_result_add_string(r, "name", "x\"y") == 0);
    CHECK(rt_result_add_date(r, "day", 19723) == 0);
    CHECK(rt_result_add_null(r, "missing") == 0);
    CHECK(rt_result_add_double(r, "nan", DNAN, 2) == 0);
    CHECK(rt_result_add_double(r, "inf", -DINF, 2) == 0);
    const char *cols[] = {"id", "value", "since"};
    CHECK(rt_result_add_table(r, "rows", 3, cols, NULL) == 0);
    rt_value r1[3] = {{.type = RT_VAL_INT, .i = 1},
                      {.type = RT_VAL_DOUBLE, .d = 1 / 3.0},
                      {.type = RT_VAL_DATE, .i = 0}};
    rt_value r2[3] = {
        {.type = RT_VAL_INT, .i = -2}, {.type = RT_VAL_NULL}, {.type = RT_VAL_DATE, .i = -1}};
    CHECK(rt_result_table_add_row(r, 0, r1) == 0);
    CHECK(rt_result_table_add_row(r, 0, r2) == 0);
    CHECK(rt_result_add_table(r, "empty", 1, cols, NULL) == 1);
    check_output(r, RT_FORMAT_JSON,
                 "{\n"
                 "  \"n\": 3,\n"
                 "  \"mean\": 0.1,\n"
                 "  \"name\": \"x\\\"y\",\n"
                 "  \"day\": \"2024-01-01\",\n"
                 "  \"missing\": null,\n"
                 "  \"nan\": null,\n"
                 "  \"inf\": null,\n"
                 "  \"rows\": [\n"
                 "    {\"id\": 1, \"value\": 0.33333333333333331, \"since\": \"1970-01-01\"},\n"
                 "    {\"id\": -2, \"value\": null, \"since\": \"1969-12-31\"}\n"
                 "  ],\n"
                 "  \"empty\": []\n"
                 "}\n");
    rt_result_free(r);
}

static void json_nests_dotted_field_names(void)
{
    rt_result *r = rt_result_new(NULL, "fit");
    CHECK(rt_result_add_string(r, "model", "bgnbd") == 0);
    CHECK(rt_result_add_double(r, "params.r", 0.25, 2) == 0);
    CHECK(rt_result_add_double(r, "params.alpha", 4.5, 2) == 0);
    CHECK(rt_result_add_double(r, "ci95.r.low", 0.125, 2) == 0);
    CHECK(rt_result_add_double(r, "ci95.r.high", 0.5, 2) == 0);
    CHECK(rt_result_add_double(r, "ci95.alpha.low", DNAN, 2) == 0);
    CHECK(rt_result_add_double(r, "ci95.alpha.high", 8, 2) == 0);
    CHECK(rt_result_add_int(r, "n", 7) == 0);
    const char *cols[] = {"parameter"};
    CHECK(rt_result_add_table(r, "parameters", 1, cols, NULL) == 0);
    CHECK(rt_result_table_add_row(r, 0, (rt_value[]){{.type = RT_VAL_STRING, .s = "r"}}) == 0);
    /* An object of values only goes on one line, like a table row; one holding objects puts
     * each member on a line of its own. */
    check_output(r, RT_FORMAT_JSON,
                 "{\n"
                 "  \"model\": \"bgnbd\",\n"
                 "  \"params\": {\"r\": 0.25, \"alpha\": 4.5},\n"
                 "  \"ci95\": {\n"
                 "    \"r\": {\"low\": 0.125, \"high\": 0.5},\n"
                 "    \"alpha\": {\"low\": null, \"high\": 8}\n"
                 "  },\n"
                 "  \"n\": 7,\n"
                 "  \"parameters\": [\n"
                 "    {\"parameter\": \"r\"}\n"
                 "  ]\n"
                 "}\n");
    /* CSV and the table keep the dotted names as they are. */
    check_output(r, RT_FORMAT_CSV,
                 "model,params.r,params.alpha,ci95.r.low,ci95.r.high,ci95.alpha.low,"
                 "ci95.alpha.high,n\nbgnbd,0.25,4.5,0.125,0.5,,8,7\n");
    rt_result_free(r);

    /* Fields of one group need not be consecutive: later ones join the object made where the
     * group first appears, so no key repeats. Deeper levels indent by two more spaces. */
    r = rt_result_new(NULL, "demo");
    CHECK(rt_result_add_int(r, "a.x", 1) == 0);
    CHECK(rt_result_add_int(r, "b", 2) == 0);
    CHECK(rt_result_add_int(r, "a.y", 3) == 0);
    CHECK(rt_result_add_int(r, "c.d.e.f", 4) == 0);
    CHECK(rt_result_add_int(r, "a.z.w", 5) == 0);
    CHECK(rt_result_add_string(r, "q\"\xC3\xA9.k\n", "v") == 0);
    check_output(r, RT_FORMAT_JSON,
                 "{\n"
                 "  \"a\": {\n"
                 "    \"x\": 1,\n"
                 "    \"y\": 3,\n"
                 "    \"z\": {\"w\": 5}\n"
                 "  },\n"
                 "  \"b\": 2,\n"
                 "  \"c\": {\n"
                 "    \"d\": {\n"
                 "      \"e\": {\"f\": 4}\n"
                 "    }\n"
                 "  },\n"
                 "  \"q\\\"\xC3\xA9\": {\"k\\n\": \"v\"}\n"
                 "}\n");
    rt_result_free(r);

    /* Only fields nest: a dotted table name or column name is written as it is. */
    r = rt_result_new(NULL, "demo");
    CHECK(rt_result_add_table(r, "t.u", 1, (const char *[]){"c.d"}, NULL) == 0);
    check_output(r, RT_FORMAT_JSON, "{\n  \"t.u\": []\n}\n");
    rt_result_free(r);
}

static void json_of_an_empty_result_is_an_empty_object(void)
{
    rt_result *r = rt_result_new(NULL, "nothing");
    check_output(r, RT_FORMAT_JSON, "{}\n");
    rt_result_free(r);
}

static void json_escapes_quotes_backslashes_and_control_chars(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    CHECK(rt_result_add_string(r, "s", "q\" b\\ n\n t\t r\r \b\f \x01\x1f\x7f end") == 0);
    CHECK(rt_result_add_string(r, "key\"\n", "") == 0);
    check_output(r, RT_FORMAT_JSON,
                 "{\n"
                 "  \"s\": \"q\\\" b\\\\ n\\n t\\t r\\r \\b\\f \\u0001\\u001f\\u007f end\",\n"
                 "  \"key\\\"\\n\": \"\"\n"
                 "}\n");
    rt_result_free(r);
}

static void json_keeps_valid_utf8_and_replaces_invalid_bytes(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"},                                                    /* never valid */
        {"\xc3", "\xef\xbf\xbd"},                                 /* cut at the end */
        {"\xe2\x82x", "\xef\xbf\xbdx"},                           /* one U+FFFD per subpart */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
        {"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong '/' */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"\x80\"", "\xef\xbf\xbd\\\""}, /* lone continuation, then '"' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rt_result *r = rt_result_new(NULL, "t");
        CHECK(rt_result_add_string(r, "s", cases[i].in) == 0);
        char want[128];
        snprintf(want, sizeof want, "{\n  \"s\": \"%s\"\n}\n", cases[i].out);
        check_output(r, RT_FORMAT_JSON, want);
        rt_result_free(r);
    }
}

/* ---- human table ---- */

static void table_aligns_fields_and_grid_columns(void)
{
    rt_result *r = rt_result_new(NULL, "demo");
    CHECK(rt_result_add_int(r, "customers", 1200) == 0);
    CHECK(rt_result_add_double(r, "revenue", 1234567.891, 2) == 0);
    CHECK(rt_result_add_double(r, "repeat_rate", 0.4567891, -1) == 0);
    CHECK(rt_result_add_date(r, "first_day", 19723) == 0);
    CHECK(rt_result_add_null(r, "note") == 0);
    const char *cols[] = {"channel", "revenue", "orders", "share"};
    int decimals[] = {-1, 2, -1, -1};
    CHECK(rt_result_add_table(r, "top_channels", 4, cols, decimals) == 0);
    rt_value rows[3][4] = {
        {{.type = RT_VAL_STRING, .s = "web"},
         {.type = RT_VAL_DOUBLE, .d = 1000.5},
         {.type = RT_VAL_INT, .i = 12},
         {.type = RT_VAL_DOUBLE, .d = 0.625}},
        {{.type = RT_VAL_STRING, .s = "in store"},
         {.type = RT_VAL_DOUBLE, .d = 3.25},
         {.type = RT_VAL_INT, .i = 4},
         {.type = RT_VAL_DOUBLE, .d = DNAN}},
        {{.type = RT_VAL_STRING, .s = "\xc3\xa9-shop"},
         {.type = RT_VAL_NULL},
         {.type = RT_VAL_INT, .i = 7},
         {.type = RT_VAL_DOUBLE, .d = 0.125}},
    };
    for (size_t i = 0; i < 3; i++)
        CHECK(rt_result_table_add_row(r, 0, rows[i]) == 0);
    const char *ecols[] = {"day", "note"};
    CHECK(rt_result_add_table(r, "empty", 2, ecols, NULL) == 1);
    check_output(r, RT_FORMAT_TABLE,
                 "customers    1200\n"
                 "revenue      1234567.89\n"
                 "repeat_rate  0.4568\n"
                 "first_day    2024-01-01\n"
                 "note         -\n"
                 "\n"
                 "top_channels\n"
                 "channel   revenue  orders  share\n"
                 "--------  -------  ------  -----\n"
                 "web       1000.50      12  0.625\n"
                 "in store     3.25       4      -\n"
                 "\xc3\xa9-shop          -       7  0.125\n"
                 "\n"
                 "empty\n"
                 "day  note\n"
                 "---  ----\n");
    rt_result_free(r);
}

static void table_escapes_control_chars_and_left_aligns_text_and_dates(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    const char *cols[] = {"when", "what", "n"};
    CHECK(rt_result_add_table(r, "log", 3, cols, NULL) == 0);
    rt_value a[3] = {{.type = RT_VAL_DATE, .i = 19723},
                     {.type = RT_VAL_STRING, .s = "a\tb"},
                     {.type = RT_VAL_INT, .i = 100}};
    rt_value b[3] = {{.type = RT_VAL_NULL},
                     {.type = RT_VAL_STRING, .s = "x\x01"},
                     {.type = RT_VAL_STRING, .s = "n/a"}};
    rt_value c[3] = {{.type = RT_VAL_STRING, .s = NULL},
                     {.type = RT_VAL_STRING, .s = "\r\n"},
                     {.type = RT_VAL_INT, .i = 5}};
    CHECK(rt_result_table_add_row(r, 0, a) == 0);
    CHECK(rt_result_table_add_row(r, 0, b) == 0);
    CHECK(rt_result_table_add_row(r, 0, c) == 0);
    CHECK(rt_result_table_cell(r, 0, 2, 0).type == RT_VAL_NULL);
    check_output(r, RT_FORMAT_TABLE,
                 "log\n"
                 "when        what   n\n"
                 "----------  -----  ---\n"
                 "2024-01-01  a\\tb   100\n"
                 "-           x\\x01  n/a\n"
                 "-           \\r\\n   5\n");
    rt_result_free(r);
}

/* ---- errors ---- */

static void write_to_a_full_device_returns_eio(void)
{
    rt_result *r = rt_result_new(NULL, "summary");
    CHECK(rt_result_add_int(r, "customers", 1200) == 0);
    for (int buffered = 0; buffered < 2; buffered++) {
        for (int fmt = RT_FORMAT_TABLE; fmt <= RT_FORMAT_JSON; fmt++) {
            FILE *f = fopen("/dev/full", "w");
            CHECK(f != NULL);
            if (!f)
                continue;
            if (!buffered)
                setvbuf(f, NULL, _IONBF, 0);
            rt_error err = {0};
            CHECK(rt_result_write(r, f, (rt_format)fmt, &err) == RT_EIO);
            CHECK(err.code == RT_EIO);
            CHECK(err.sys_errno == ENOSPC);
            CHECK(strstr(err.msg, "summary") != NULL);
            fclose(f); /* still open: rt_result_write never closes 'f' */
        }
    }
    rt_result_free(r);
}

static void write_rejects_null_arguments_and_unknown_formats(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    rt_error err = {0};
    CHECK(rt_result_write(NULL, stdout, RT_FORMAT_CSV, &err) == RT_EMISUSE);
    CHECK(rt_result_write(r, NULL, RT_FORMAT_CSV, &err) == RT_EMISUSE);
    CHECK(rt_result_write(r, stdout, (rt_format)42, NULL) == RT_EMISUSE);
    CHECK(err.code == RT_EMISUSE);
    rt_result_free(r);
}

/* ---- allocation failure ---- */

/* Build a small result through 'a': every kind of field, a table with string cells, and
 * names and strings of 'big' (larger than an arena block) so that arena allocations can
 * fail inside each add as well. Returns 0, or -1 at the first failure; '*out' holds whatever
 * was built (NULL if nothing). */
static int build_small(const rt_allocator *a, const char *big, rt_result **out)
{
    rt_result *r = *out = rt_result_new(a, "summary");
    if (!r)
        return -1;
    if (rt_result_add_int(r, "customers", 3) || rt_result_add_double(r, "aov", 12.5, 2) ||
        rt_result_add_string(r, "definition", "revenue / orders") ||
        rt_result_add_date(r, "first", 19723) || rt_result_add_null(r, "last") ||
        rt_result_add_string(r, "long value", big) || rt_result_add_null(r, big))
        return -1;
    const char *cols[] = {"channel", big};
    int t = rt_result_add_table(r, "channels", 2, cols, NULL);
    if (t < 0)
        return -1;
    const char *names[] = {"web", "store", big};
    for (int i = 0; i < 3; i++) {
        rt_value row[2] = {{.type = RT_VAL_STRING, .s = names[i]},
                           {.type = RT_VAL_DOUBLE, .d = 10.0 * i}};
        if (rt_result_table_add_row(r, (size_t)t, row))
            return -1;
    }
    t = rt_result_add_table(r, big, 1, cols, NULL);
    if (t < 0)
        return -1;
    return rt_result_table_add_row(r, (size_t)t, (rt_value[]){{.type = RT_VAL_STRING, .s = big}});
}

static void building_fails_cleanly_at_every_allocation(void)
{
    static char big[5000]; /* more than an arena block: each copy allocates */
    memset(big, 'b', sizeof big - 1);
    fault s = {0};
    rt_allocator a = {fault_alloc, fault_resize, fault_release, &s};
    int ok = 0;
    long k;
    for (k = 1; k < 1000 && !ok; k++) {
        s.calls = 0;
        s.fail_at = k;
        rt_result *r = NULL;
        ok = build_small(&a, big, &r) == 0;
        CHECK(ok || s.calls == k); /* a build stops at the failure it was given */
        if (!ok) {
            /* What was built before the failure is still a valid result. */
            s.fail_at = 0;
            for (int fmt = RT_FORMAT_TABLE; fmt <= RT_FORMAT_JSON && r; fmt++)
                free(render(r, (rt_format)fmt));
        }
        rt_result_free(r);
        CHECK(s.live == 0);
    }
    CHECK(ok);
    CHECK(k > 10); /* new, kind, fields, 3 big strings, tables, cells, types, ... all failed */
}

static void wide_table_layout_reports_out_of_memory(void)
{
    fault s = {0};
    rt_allocator a = {fault_alloc, fault_resize, fault_release, &s};
    rt_result *r = rt_result_new(&a, "wide");
    enum { NC = 40 };
    const char *cols[NC];
    char names[NC][16];
    rt_value row[NC];
    for (int c = 0; c < NC; c++) {
        snprintf(names[c], sizeof names[c], "c%d", c);
        cols[c] = names[c];
        row[c] = (rt_value){.type = RT_VAL_INT, .i = c};
    }
    CHECK(rt_result_add_table(r, "t", NC, cols, NULL) == 0);
    CHECK(rt_result_table_add_row(r, 0, row) == 0);
    char *text = render(r, RT_FORMAT_TABLE);
    CHECK(text && strstr(text, "c38  c39\n") && strstr(text, "38   39\n"));
    free(text);

    s.fail_at = s.calls + 1;
    rt_error err = {0};
    FILE *f = fopen("/dev/null", "w");
    CHECK(f != NULL);
    if (f) {
        CHECK(rt_result_write(r, f, RT_FORMAT_TABLE, &err) == RT_ENOMEM);
        CHECK(err.code == RT_ENOMEM);
        fclose(f);
    }
    rt_result_free(r);
    CHECK(s.live == 0);
}

/* A long text field wraps at spaces to 100 columns, continuation lines under the value; a
 * word longer than a line is kept whole; text with control characters is not wrapped. */
static void table_wraps_long_text_fields(void)
{
    rt_result *r = rt_result_new(NULL, "t");
    char words[200] = "", longword[130];
    for (int i = 0; i < 30; i++)
        strcat(words, i ? " word" : "word"); /* 30 x 5 - 1 = 149 characters */
    memset(longword, 'x', 120);
    longword[120] = '\0';
    CHECK(rt_result_add_string(r, "ab", words) == 0);
    CHECK(rt_result_add_string(r, "c", longword) == 0);
    CHECK(rt_result_add_string(r, "d", "tab\there") == 0);
    char *got = render(r, RT_FORMAT_TABLE);
    /* Values start at column 4; a line holds 96 characters: 19 words of 5 = 94, 19 x 5 - 1. */
    char want[1024] = "ab  ";
    for (int i = 0; i < 19; i++)
        strcat(want, i ? " word" : "word");
    strcat(want, "\n    ");
    for (int i = 0; i < 11; i++)
        strcat(want, i ? " word" : "word");
    strcat(want, "\nc   ");
    strcat(want, longword);
    strcat(want, "\nd   tab\\there\n");
    CHECK_STREQ(got, want);
    free(got);
    rt_result_free(r);
}

/* The reference for rt_fmt_double: "%.15g", or "%.17g" when that does not read back. */
static void reference_double(double v, char *buf)
{
    snprintf(buf, 64, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, 64, "%.17g", v);
}

/* rt_fmt_double (with its fast path for short decimals) prints exactly what the plain
 * "%.15g"/"%.17g" rule prints, on a million values of the shapes reports hold: cents, small
 * ratios, integers, values around the edges 1e-4 and 1e15 of the fast path, random doubles. */
static void fmt_double_matches_the_printf_rule(void)
{
    uint64_t x = 88172645463325252ULL;
    int bad = 0;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        switch (i % 8) {
        case 0:
            v = (double)(int64_t)(x % 2000000001) / 100 - 1e7;
            break; /* cents */
        case 1:
            v = (double)(x % 100000) / (double)(1 + x % 997);
            break; /* ratios */
        case 2:
            v = (double)(int64_t)(x >> 12) - 2e15;
            break; /* integers */
        case 3:
            v = 1e-4 * (1 + (double)(x % 1000) * 1e-6);
            break; /* low edge */
        case 4:
            v = 1e15 - (double)(x % 1000) * 0.125;
            break; /* high edge */
        case 5:
            v = (double)(x % 1000000) / 1e6;
            break; /* six decimals */
        case 6:
            v = (double)(x % 100000000) / 1e7;
            break; /* seven */
        default: {
            uint64_t bits = x & 0x7fefffffffffffffULL; /* finite, any exponent */
            memcpy(&v, &bits, 8);
        }
        }
        char got[RT_FMT_BUF], want[64];
        rt_fmt_double(v, got);
        reference_double(v, want);
        if (strcmp(got, want) != 0 && bad++ < 5)
            fprintf(stderr, "  %.17g: got %s, want %s\n", v, got, want);
    }
    CHECK(bad == 0);
    char buf[RT_FMT_BUF];
    CHECK(rt_fmt_int(INT64_MIN, buf) == 20 && strcmp(buf, "-9223372036854775808") == 0);
    CHECK(rt_fmt_int(0, buf) == 1 && strcmp(buf, "0") == 0);
    CHECK(rt_fmt_int(-7, buf) == 2 && strcmp(buf, "-7") == 0);
}

/* A table big enough for the parallel CSV path (batches of rows formatted by every thread)
 * comes out exactly as a line-by-line rendering built here with snprintf, in row order. */
static void csv_of_a_large_table_matches_a_serial_rendering(void)
{
    enum { ROWS = 150001 };
    rt_result *r = rt_result_new(NULL, "big");
    const char *cols[] = {"id", "n", "x", "day"};
    CHECK(rt_result_add_table(r, "rows", 4, cols, NULL) == 0);
    CHECK(rt_result_set_main(r, 0) == 0);
    size_t cap = (size_t)ROWS * 64 + 64, len = 0;
    char *want = malloc(cap);
    if (!r || !want) {
        free(want);
        rt_result_free(r);
        CHECK(0);
        return;
    }
    len += (size_t)snprintf(want, cap, "id,n,x,day\n");
    for (int i = 0; i < ROWS; i++) {
        char id[32];
        snprintf(id, sizeof id, i % 7 ? "C%07d" : "C,%d", i); /* some need quoting */
        double x = i % 3 ? i / 8.0 : 1.0 / (i + 3);
        rt_value row[4] = {{.type = RT_VAL_STRING, .s = id},
                           {.type = RT_VAL_INT, .i = (int64_t)i * 1000003 - 5},
                           {.type = RT_VAL_DOUBLE, .d = x},
                           {.type = i % 11 ? RT_VAL_DATE : RT_VAL_NULL, .i = 19000 + i % 900}};
        if (rt_result_table_add_row(r, 0, row) != 0)
            CHECK(0);
        char xs[64], ds[16] = "";
        snprintf(xs, sizeof xs, "%.15g", x);
        if (strtod(xs, NULL) != x)
            snprintf(xs, sizeof xs, "%.17g", x);
        if (i % 11)
            rt_date_format(19000 + i % 900, ds);
        len += (size_t)snprintf(want + len, cap - len,
                                i % 7 ? "%s,%lld,%s,%s\n" : "\"%s\",%lld,%s,%s\n", id,
                                (long long)i * 1000003 - 5, xs, ds);
    }
    char *got = render(r, RT_FORMAT_CSV);
    CHECK(got && strlen(got) == len && memcmp(got, want, len) == 0);
    free(got);
    free(want);
    rt_result_free(r);
}

int main(void)
{
    TEST(csv_of_a_large_table_matches_a_serial_rendering);
    TEST(fmt_double_matches_the_printf_rule);
    TEST(table_wraps_long_text_fields);
    TEST(result_getters_return_copies_of_what_was_added);
    TEST(result_rejects_bad_arguments_and_stays_usable);
    TEST(result_holds_many_rows_and_long_strings);
    TEST(csv_quotes_fields_with_delimiter_quote_or_line_end);
    TEST(csv_writes_only_the_main_table);
    TEST(csv_without_table_writes_fields_as_header_and_value_line);
    TEST(csv_writes_null_nan_and_inf_as_empty_fields);
    TEST(machine_output_round_trips_doubles);
    TEST(human_doubles_follow_the_decimals_hint);
    TEST(decimal_point_is_a_dot_in_any_locale);
    TEST(json_writes_fields_then_tables_as_row_objects);
    TEST(json_of_an_empty_result_is_an_empty_object);
    TEST(json_nests_dotted_field_names);
    TEST(json_escapes_quotes_backslashes_and_control_chars);
    TEST(json_keeps_valid_utf8_and_replaces_invalid_bytes);
    TEST(table_aligns_fields_and_grid_columns);
    TEST(table_escapes_control_chars_and_left_aligns_text_and_dates);
    TEST(write_to_a_full_device_returns_eio);
    TEST(write_rejects_null_arguments_and_unknown_formats);
    TEST(building_fails_cleanly_at_every_allocation);
    TEST(wide_table_layout_reports_out_of_memory);
    return test_report();
}
