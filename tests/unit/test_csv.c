/* test_csv.c - the RFC 4180 tokenizer rt_csv_next on its own (src/io/csv.c): field slices and
 * flags, record bounds and newline counts, RT_CSV_MORE for records cut by the end of the
 * buffer, RT_CSV_BAD, rt_csv_unescape and rt_csv_blank. Every input is copied so that its last
 * byte is the last readable byte before a PROT_NONE page: a one-byte over-read crashes.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "io/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- the guard page ---- */

#include "guard.h"

/* ---- helpers ---- */

#define CAP 8

typedef struct parsed {
    rt_csv_rc rc;
    rt_csv_rec rec;
    rt_csv_field f[CAP];
    const char *base; /* where the input was placed */
    size_t n;         /* its length */
} parsed;

/* Tokenize the first record of the first 'n' bytes of 'text' (placed at the guard page). */
static parsed run(const char *text, size_t n, int final, char delim)
{
    parsed r;
    memset(&r, 0, sizeof r);
    r.base = at_guard(text, n);
    r.n = n;
    r.rc = rt_csv_next(r.base, r.base + n, final, delim, r.f, CAP, &r.rec);
    return r;
}

static parsed run_s(const char *text, int final)
{
    return run(text, strlen(text), final, ',');
}

/* Does field 'i' hold exactly 'want' (raw, escapes not undone) with flags 'flags'? */
static int field_is(const parsed *r, size_t i, const char *want, uint32_t flags)
{
    if (i >= r->rec.n || i >= CAP)
        return 0;
    const rt_csv_field *f = &r->f[i];
    return f->len == strlen(want) && memcmp(f->p, want, f->len) == 0 && f->flags == flags;
}

/* Offsets of the record's stop and next from the start of the input. */
static size_t stop_at(const parsed *r)
{
    return (size_t)(r->rec.stop - r->base);
}

static size_t next_at(const parsed *r)
{
    return (size_t)(r->rec.next - r->base);
}

/* ---- plain records ---- */

static void csv_splits_a_simple_record(void)
{
    parsed r = run_s("a,bc,def\nx", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 3);
    CHECK(field_is(&r, 0, "a", 0));
    CHECK(field_is(&r, 1, "bc", 0));
    CHECK(field_is(&r, 2, "def", 0));
    CHECK(r.rec.start == r.base);
    CHECK(stop_at(&r) == 8);
    CHECK(next_at(&r) == 9);
    CHECK(r.rec.newlines == 1);
    CHECK(r.rec.bad_at == NULL && r.rec.why == NULL);
    /* The slices point into the input. */
    CHECK(r.f[1].p == r.base + 2);
}

static void csv_accepts_a_final_record_without_a_line_end(void)
{
    parsed r = run_s("a,b", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 1, "b", 0));
    CHECK(stop_at(&r) == 3 && next_at(&r) == 3);
    CHECK(r.rec.newlines == 0);
}

static void csv_handles_crlf_line_ends(void)
{
    parsed r = run_s("a,b\r\nc", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 1, "b", 0));
    CHECK(stop_at(&r) == 3); /* the CR is not part of the record */
    CHECK(next_at(&r) == 5);
    CHECK(r.rec.newlines == 1);

    /* A final record ending in a lone CR: the CR is the line end. */
    r = run_s("a,b\r", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(field_is(&r, 1, "b", 0));
    CHECK(stop_at(&r) == 3 && next_at(&r) == 4);
    CHECK(r.rec.newlines == 0);

    /* The same after a quoted field. */
    r = run_s("a,\"b\"\r\nc", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(field_is(&r, 1, "b", RT_CSV_QUOTED));
    CHECK(stop_at(&r) == 5 && next_at(&r) == 7);
    CHECK(r.rec.newlines == 1);
    r = run_s("a,\"b\"\r", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(field_is(&r, 1, "b", RT_CSV_QUOTED));
    CHECK(next_at(&r) == 6);
}

static void csv_keeps_empty_fields(void)
{
    parsed r = run_s(",,\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 3);
    CHECK(field_is(&r, 0, "", 0) && field_is(&r, 1, "", 0) && field_is(&r, 2, "", 0));

    r = run_s("a,", 1); /* a trailing delimiter at the end of input: one more empty field */
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 1, "", 0));
    CHECK(next_at(&r) == 2);

    r = run_s("\"\",x\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(field_is(&r, 0, "", RT_CSV_QUOTED));
    CHECK(field_is(&r, 1, "x", 0));
}

static void csv_keeps_a_lone_cr_and_inner_quotes_of_unquoted_fields_as_data(void)
{
    parsed r = run_s("a\rb,c\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 0, "a\rb", 0));
    CHECK(r.rec.newlines == 1);

    r = run_s("ab\"c,d\"\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 0, "ab\"c", 0));
    CHECK(field_is(&r, 1, "d\"", 0));
}

static void csv_uses_the_delimiter_it_is_given(void)
{
    parsed r = run("a,b\tc;d\t\"e\tf\"\n", 14, 0, '\t');
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 3);
    CHECK(field_is(&r, 0, "a,b", 0));
    CHECK(field_is(&r, 1, "c;d", 0));
    CHECK(field_is(&r, 2, "e\tf", RT_CSV_QUOTED));

    r = run("x;\"y;z\";", 8, 1, ';');
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 3);
    CHECK(field_is(&r, 1, "y;z", RT_CSV_QUOTED));
    CHECK(field_is(&r, 2, "", 0));
}

/* ---- quoted fields ---- */

static void csv_reads_delimiters_inside_quotes(void)
{
    parsed r = run_s("\"a,b\",c\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 0, "a,b", RT_CSV_QUOTED));
    CHECK(r.f[0].p == r.base + 1); /* after the opening quote */
    CHECK(field_is(&r, 1, "c", 0));
}

static void csv_flags_escaped_quotes_and_keeps_them_raw(void)
{
    parsed r = run_s("\"say \"\"hi\"\"\",\"\"\"\"\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 0, "say \"\"hi\"\"", RT_CSV_QUOTED | RT_CSV_ESCAPED));
    CHECK(field_is(&r, 1, "\"\"", RT_CSV_QUOTED | RT_CSV_ESCAPED));
    CHECK(stop_at(&r) == 17 && next_at(&r) == 18);
}

static void csv_counts_newlines_inside_quotes(void)
{
    parsed r = run_s("\"a\nb\",\"c\r\nd\"\"\ne\"\nnext", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 2);
    CHECK(field_is(&r, 0, "a\nb", RT_CSV_QUOTED));
    CHECK(field_is(&r, 1, "c\r\nd\"\"\ne", RT_CSV_QUOTED | RT_CSV_ESCAPED));
    CHECK(r.rec.newlines == 4); /* three inside quotes, one line end */
    CHECK(stop_at(&r) == 16 && next_at(&r) == 17);
}

static void csv_reads_a_lone_quoted_field(void)
{
    parsed r = run_s("\"\"", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.rec.n == 1);
    CHECK(field_is(&r, 0, "", RT_CSV_QUOTED));
    CHECK(next_at(&r) == 2);

    r = run_s("\"x\"", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(field_is(&r, 0, "x", RT_CSV_QUOTED));
}

/* ---- records cut by the end of the buffer ---- */

/* Non-final cuts that must ask for more input. */
static void csv_asks_for_more_when_a_record_is_cut(void)
{
    static const char *const cuts[] = {
        "a",           /* inside an unquoted field */
        "a,",          /* right after a delimiter */
        "a,b\r",       /* right after a CR: a CRLF may follow */
        "\"ab",        /* inside a quoted field */
        "\"ab\"",      /* right after a quote: it may be the first half of "" */
        "\"a\"\"",     /* right after an escaped quote */
        "\"a\"\"b\"",  /* right after the closing quote of an escaped field */
        "\"a\"\r",     /* a CR after a closing quote */
        "x,\"a\nb",    /* a line end inside quotes */
        "\"a\",\"b\"", /* the second of two quoted fields */
        "a\rb",        /* a lone CR inside an unquoted field */
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        parsed r = run_s(cuts[i], 0);
        CHECK(r.rc == RT_CSV_MORE);
        if (r.rc != RT_CSV_MORE)
            fprintf(stderr, "  input %zu was not reported as incomplete\n", i);
    }
}

/* The same cuts with nothing to follow are complete records. */
static void csv_completes_cut_records_at_the_end_of_input(void)
{
    parsed r = run_s("\"ab\"", 1);
    CHECK(r.rc == RT_CSV_ROW && field_is(&r, 0, "ab", RT_CSV_QUOTED));
    r = run_s("\"a\"\"\"", 1);
    CHECK(r.rc == RT_CSV_ROW && field_is(&r, 0, "a\"\"", RT_CSV_QUOTED | RT_CSV_ESCAPED));
    r = run_s("a,b\r", 1);
    CHECK(r.rc == RT_CSV_ROW && r.rec.n == 2 && field_is(&r, 1, "b", 0));
    r = run_s("a\rb", 1);
    CHECK(r.rc == RT_CSV_ROW && field_is(&r, 0, "a\rb", 0));
}

/* Every proper prefix of a record (terminator included) is incomplete when more may follow;
 * the whole record, alone or followed by anything, gives the same fields. */
static void csv_prefixes_of_a_record_are_incomplete(void)
{
    static const char *const records[] = {
        "a,b,c\n",
        "a,b,c\r\n",
        "\"a,b\",\"c\"\"d\",e\r\n",
        "\"multi\nline\r\n\",x\n",
        ",,\"\"\n",
        "a\rb,\"\"\"\"\n",
        "\n",
        "\r\n",
    };
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const char *rec = records[i];
        size_t len = strlen(rec);
        parsed whole = run(rec, len, 0, ',');
        CHECK(whole.rc == RT_CSV_ROW);
        CHECK(next_at(&whole) == len);
        size_t n = whole.rec.n;
        size_t fo[CAP], fl[CAP];
        uint32_t ff[CAP];
        for (size_t k = 0; k < n && k < CAP; k++) {
            fo[k] = (size_t)(whole.f[k].p - whole.base);
            fl[k] = whole.f[k].len;
            ff[k] = whole.f[k].flags;
        }
        size_t stop = stop_at(&whole);
        uint32_t nl = whole.rec.newlines;
        int bad = 0;
        for (size_t k = 1; k < len; k++) {
            parsed r = run(rec, k, 0, ',');
            bad |= r.rc != RT_CSV_MORE;
            r = run(rec, k, 1, ','); /* must not read past the cut either */
            bad |= r.rc == RT_CSV_MORE;
        }
        CHECK(!bad);
        /* Followed by more text, alone and final: the same record. */
        char buf[128];
        snprintf(buf, sizeof buf, "%sz,z", rec);
        for (int mode = 0; mode < 3; mode++) {
            parsed r = mode == 0   ? run(buf, strlen(buf), 0, ',')
                       : mode == 1 ? run(buf, strlen(buf), 1, ',')
                                   : run(rec, len, 1, ',');
            int same = r.rc == RT_CSV_ROW && r.rec.n == n && stop_at(&r) == stop &&
                       next_at(&r) == len && r.rec.newlines == nl;
            for (size_t k = 0; same && k < n && k < CAP; k++)
                same = (size_t)(r.f[k].p - r.base) == fo[k] && r.f[k].len == fl[k] &&
                       r.f[k].flags == ff[k];
            CHECK(same);
            if (!same)
                fprintf(stderr, "  record %zu, mode %d differs\n", i, mode);
        }
    }
}

/* Unquoted fields of every length from 0 to 80 (the scanner may look at 16 bytes at a time)
 * ending right at the guard page, with the stop byte at every position. */
static void csv_scans_long_unquoted_fields_up_to_the_end(void)
{
    char text[128];
    int bad = 0;
    for (size_t len = 0; len <= 80; len++) {
        for (size_t i = 0; i < len; i++)
            text[i] = (char)('a' + i % 26);
        /* The field alone, final and not. */
        if (len > 0) {
            parsed r = run(text, len, 1, ',');
            bad |= r.rc != RT_CSV_ROW || r.rec.n != 1 || r.f[0].len != len;
            r = run(text, len, 0, ',');
            bad |= r.rc != RT_CSV_MORE;
        }
        /* Followed by each kind of stop byte, then one more field. */
        static const char stops[] = {',', '\n', '\r'};
        for (size_t s = 0; s < 3; s++) {
            text[len] = stops[s];
            text[len + 1] = 'z';
            parsed r = run(text, len + 2, 1, ',');
            size_t want_n = stops[s] == ',' ? 2 : 1;
            if (stops[s] == '\r') /* a lone CR inside a field is data */
                bad |= r.rc != RT_CSV_ROW || r.rec.n != 1 || r.f[0].len != len + 2;
            else
                bad |= r.rc != RT_CSV_ROW || r.rec.n != want_n || r.f[0].len != len;
            /* The stop byte as the very last readable byte. */
            r = run(text, len + 1, 0, ',');
            bad |= stops[s] == '\n' ? r.rc != RT_CSV_ROW : r.rc != RT_CSV_MORE;
        }
    }
    CHECK(!bad);
    /* A delimiter found past the first 16 bytes, in a record of several long fields. */
    const char *rec = "0123456789abcdefghij,0123456789abcdefghijklmnopqrstuvwxyz0123456789\r\n";
    parsed r = run_s(rec, 0);
    CHECK(r.rc == RT_CSV_ROW && r.rec.n == 2);
    CHECK(r.f[0].len == 20 && r.f[1].len == 46);
    CHECK(next_at(&r) == strlen(rec) && r.rec.newlines == 1);
}

/* ---- bad records ---- */

static void csv_rejects_an_unterminated_quote_at_the_end_of_input(void)
{
    parsed r = run_s("a,\"bc\nd,e", 1);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base + 2); /* the opening quote */
    CHECK(r.rec.why && strcmp(r.rec.why, "unterminated quoted field") == 0);
    CHECK(r.rec.newlines == 1);
    CHECK(r.rec.start == r.base);

    r = run_s("\"", 1);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base);

    r = run_s("\"a\"\"", 1); /* an escaped quote, then the end */
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.why && strcmp(r.rec.why, "unterminated quoted field") == 0);
}

static void csv_rejects_a_character_after_a_closing_quote(void)
{
    parsed r = run_s("a,\"b\"x,c\n", 1);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base + 5);
    CHECK(r.rec.why && strcmp(r.rec.why, "unexpected character after closing quote") == 0);
    CHECK(r.rec.newlines == 0);

    /* Also when more input may follow: the verdict does not depend on it. */
    r = run_s("\"b\" ,c", 0);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base + 3);

    /* A CR after a closing quote that is neither a line end nor the end of input. */
    r = run_s("\"b\"\rx\n", 1);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base + 3);

    /* After a multi-line quoted field: the newlines consumed so far are counted. */
    r = run_s("\"a\nb\nc\"!\n", 1);
    CHECK(r.rc == RT_CSV_BAD);
    CHECK(r.rec.bad_at == r.base + 7);
    CHECK(r.rec.newlines == 2);
}

/* ---- capacity ---- */

static void csv_counts_fields_beyond_the_capacity_without_storing_them(void)
{
    rt_csv_field f[3];
    rt_csv_rec rec;
    memset(f, 0, sizeof f);
    f[2].len = 12345; /* sentinel */
    const char *text = "a,b,c,d,e\n";
    const char *p = at_guard(text, strlen(text));
    rt_csv_rc rc = rt_csv_next(p, p + strlen(text), 1, ',', f, 2, &rec);
    CHECK(rc == RT_CSV_ROW);
    CHECK(rec.n == 5);
    CHECK(f[0].len == 1 && f[0].p == p && f[1].p == p + 2);
    CHECK(f[2].len == 12345);
    CHECK(rec.next == p + strlen(text));
}

/* ---- several records in a row ---- */

static void csv_walks_a_buffer_record_by_record(void)
{
    const char *text = "h1,h2\r\n"
                       "1,\"two\nlines\"\r\n"
                       "\n"
                       "3,\"\"\"q\"\"\"\n"
                       "4,last";
    size_t n = strlen(text);
    const char *p = at_guard(text, n), *end = p + n;
    rt_csv_field f[CAP];
    rt_csv_rec rec;
    size_t rows = 0, blanks = 0;
    uint32_t lines = 0;
    const char *second[5] = {"h2", "two\nlines", NULL, "\"\"q\"\"", "last"};
    while (p < end) {
        rt_csv_rc rc = rt_csv_next(p, end, 1, ',', f, CAP, &rec);
        CHECK(rc == RT_CSV_ROW);
        if (rc != RT_CSV_ROW)
            break;
        CHECK(rec.start == p);
        CHECK(rec.next > p && rec.next <= end);
        if (rt_csv_blank(&rec, f)) {
            blanks++;
        } else if (rows < 5 && second[rows + blanks]) {
            const char *want = second[rows + blanks];
            CHECK(rec.n == 2 && f[1].len == strlen(want) && memcmp(f[1].p, want, f[1].len) == 0);
            rows++;
        }
        lines += rec.newlines;
        p = rec.next;
    }
    CHECK(p == end);
    CHECK(rows == 4);
    CHECK(blanks == 1);
    CHECK(lines == 5);
}

/* ---- blank lines ---- */

static void csv_blank_is_only_an_empty_unquoted_single_field(void)
{
    parsed r = run_s("\nx", 1);
    CHECK(r.rc == RT_CSV_ROW && rt_csv_blank(&r.rec, r.f));
    CHECK(r.rec.newlines == 1 && next_at(&r) == 1);
    r = run_s("\r\nx", 1);
    CHECK(r.rc == RT_CSV_ROW && rt_csv_blank(&r.rec, r.f));
    CHECK(next_at(&r) == 2);
    r = run_s("\"\"\n", 1);
    CHECK(r.rc == RT_CSV_ROW && !rt_csv_blank(&r.rec, r.f));
    r = run_s(",\n", 1);
    CHECK(r.rc == RT_CSV_ROW && !rt_csv_blank(&r.rec, r.f));
    r = run_s(" \n", 1);
    CHECK(r.rc == RT_CSV_ROW && !rt_csv_blank(&r.rec, r.f));
}

/* ---- rt_csv_unescape ---- */

static void check_unescape(const char *raw, const char *want)
{
    char buf[64];
    uint32_t len = (uint32_t)strlen(raw);
    memcpy(buf, raw, len);
    uint32_t got = rt_csv_unescape(buf, len);
    int ok = got == strlen(want) && memcmp(buf, want, got) == 0;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  unescape(\"%s\") = \"%.*s\", expected \"%s\"\n", raw, (int)got, buf,
                want);
}

static void csv_unescape_undoes_doubled_quotes(void)
{
    check_unescape("", "");
    check_unescape("abc", "abc");
    check_unescape("\"\"", "\"");
    check_unescape("say \"\"hi\"\"", "say \"hi\"");
    check_unescape("\"\"\"\"", "\"\"");
    check_unescape("a\"\"\"\"b", "a\"\"b");
    check_unescape("\"\"x\"\"", "\"x\"");
    check_unescape("x\ny\"\"", "x\ny\"");
}

static void csv_unescape_reads_only_its_slice(void)
{
    /* The raw value ends with one half of a pair at the guard: the next byte is not read. */
    char *p = at_guard("ab\"", 3);
    CHECK(rt_csv_unescape(p, 3) == 3);
    CHECK(memcmp(p, "ab\"", 3) == 0);
    p = at_guard("\"\"", 2);
    CHECK(rt_csv_unescape(p, 2) == 1);
    CHECK(p[0] == '"');
}

/* A tokenized escaped field, unescaped, gives the RFC 4180 value. */
static void csv_tokenize_then_unescape_gives_the_value(void)
{
    parsed r = run_s("\"a \"\"quoted\"\", value\",b\n", 1);
    CHECK(r.rc == RT_CSV_ROW);
    CHECK(r.f[0].flags == (RT_CSV_QUOTED | RT_CSV_ESCAPED));
    uint32_t len = rt_csv_unescape((char *)r.f[0].p, r.f[0].len);
    CHECK(len == 17 && memcmp(r.f[0].p, "a \"quoted\", value", len) == 0);
}

int main(void)
{
    TEST(csv_splits_a_simple_record);
    TEST(csv_accepts_a_final_record_without_a_line_end);
    TEST(csv_handles_crlf_line_ends);
    TEST(csv_keeps_empty_fields);
    TEST(csv_keeps_a_lone_cr_and_inner_quotes_of_unquoted_fields_as_data);
    TEST(csv_uses_the_delimiter_it_is_given);
    TEST(csv_reads_delimiters_inside_quotes);
    TEST(csv_flags_escaped_quotes_and_keeps_them_raw);
    TEST(csv_counts_newlines_inside_quotes);
    TEST(csv_reads_a_lone_quoted_field);
    TEST(csv_asks_for_more_when_a_record_is_cut);
    TEST(csv_completes_cut_records_at_the_end_of_input);
    TEST(csv_prefixes_of_a_record_are_incomplete);
    TEST(csv_scans_long_unquoted_fields_up_to_the_end);
    TEST(csv_rejects_an_unterminated_quote_at_the_end_of_input);
    TEST(csv_rejects_a_character_after_a_closing_quote);
    TEST(csv_counts_fields_beyond_the_capacity_without_storing_them);
    TEST(csv_walks_a_buffer_record_by_record);
    TEST(csv_blank_is_only_an_empty_unquoted_single_field);
    TEST(csv_unescape_undoes_doubled_quotes);
    TEST(csv_unescape_reads_only_its_slice);
    TEST(csv_tokenize_then_unescape_gives_the_value);
    guard_release();
    return test_report();
}
