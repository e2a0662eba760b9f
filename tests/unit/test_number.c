/* test_number.c - rt_parse_double against strtod, bit for bit, and rt_parse_int64
 * (src/core/number.c). Inputs sit right against a PROT_NONE page to catch over-reads.
 * SPDX-License-Identifier: MIT */
#include "core/number.h"
#include "harness.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- helpers ---- */

#include "guard.h"

/* The same bits (so -0.0 differs from 0.0). */
static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* What strtod makes of the NUL-terminated 'text' of length 'n': 0 and '*v' when it reads
 * all of it without ERANGE, else -1. */
static int reference(const char *text, size_t n, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(text, &end);
    return end == text + n && errno != ERANGE ? 0 : -1;
}

/* Compare rt_parse_double with strtod on the NUL-terminated 'text' of length 'n', the
 * input placed against the guard page. Returns 1 when they agree. */
static int agrees(const char *text, size_t n)
{
    double want, got = 1.0;
    int want_rc = reference(text, n, &want);
    int rc = rt_parse_double(at_guard(text, n), n, &got);
    if (rc != want_rc)
        return 0;
    return rc == 0 ? same_bits(got, want) : same_bits(got, 0.0);
}

/* Check agreement on one string, printing it (cut) on failure. */
static void check_agrees(const char *text)
{
    int ok = agrees(text, strlen(text));
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  input \"%.80s\"\n", text);
}

/* Check that 'text' is accepted with exactly 'value'. */
static void check_value(const char *text, double value)
{
    double got;
    int rc = rt_parse_double(at_guard(text, strlen(text)), strlen(text), &got);
    CHECK(rc == 0);
    CHECK(rc == 0 && same_bits(got, value));
    if (rc != 0 || !same_bits(got, value))
        fprintf(stderr, "  input \"%s\": rc %d, %.17g\n", text, rc, got);
}

/* Check that 'text' is rejected and '*out' is set to 0. */
static void check_rejects(const char *text)
{
    double got = 1.0;
    int rc = rt_parse_double(at_guard(text, strlen(text)), strlen(text), &got);
    CHECK(rc == -1);
    CHECK(same_bits(got, 0.0));
    if (rc != -1)
        fprintf(stderr, "  input \"%.80s\" was accepted as %.17g\n", text, got);
}

/* splitmix64: a small seeded generator, so the random cases are the same on every run. */
static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rng(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A uniform integer in [lo, hi]. */
static int rnd(int lo, int hi)
{
    return lo + (int)(rng() % (uint64_t)(hi - lo + 1));
}

/* Append 'count' random digits to 'p'; the first is non-zero when 'lead' is set. */
static char *put_digits(char *p, int count, int lead)
{
    for (int i = 0; i < count; i++)
        *p++ = (char)('0' + (i == 0 && lead ? rnd(1, 9) : rnd(0, 9)));
    return p;
}

/* Append an optional sign: none, '+' or '-'. */
static char *put_sign(char *p)
{
    int r = rnd(0, 5);
    if (r == 0)
        *p++ = '+';
    else if (r <= 2)
        *p++ = '-';
    return p;
}

/* Append an exponent marker, optional sign and 'e' in decimal. */
static char *put_exponent(char *p, int e)
{
    *p++ = rnd(0, 1) ? 'e' : 'E';
    if (e < 0)
        *p++ = '-';
    else if (rnd(0, 3) == 0)
        *p++ = '+';
    return p + sprintf(p, "%d", e < 0 ? -e : e);
}

/* Append a mantissa of 'ndig' digits with the '.' at a random place (or none). */
static char *put_mantissa(char *p, int ndig)
{
    int dot = rnd(-1, ndig); /* -1: no dot */
    for (int i = 0; i < ndig; i++) {
        if (i == dot)
            *p++ = '.';
        *p++ = (char)('0' + rnd(0, 9));
    }
    if (dot == ndig)
        *p++ = '.';
    return p;
}

/* Write one random decimal string of a random shape into 'buf'; returns its length. */
static size_t random_number(char *buf)
{
    char *p = buf;
    uint64_t bits;
    double d;
    switch (rnd(0, 11)) {
    case 0: /* a price: "12.34" */
        p = put_sign(p);
        p = put_digits(p, rnd(1, 6), 0);
        *p++ = '.';
        p = put_digits(p, rnd(1, 2), 0);
        break;
    case 1: /* an integer of up to 19 digits */
        p = put_sign(p);
        p = put_digits(p, rnd(1, 19), 1);
        break;
    case 2: /* integers around 2^53 and beyond 19 digits */
        p = put_sign(p);
        p = put_digits(p, rnd(15, 26), 1);
        break;
    case 3: /* long mantissas, 20 to 60 digits */
        p = put_sign(p);
        p = put_mantissa(p, rnd(20, 60));
        break;
    case 4: /* scientific, full range */
        p = put_sign(p);
        p = put_mantissa(p, rnd(1, 20));
        p = put_exponent(p, rnd(-340, 320));
        break;
    case 5: /* near the bottom: denormals and underflow */
        p = put_mantissa(p, rnd(1, 25));
        p = put_exponent(p, rnd(-345, -300));
        break;
    case 6: /* near the top: overflow */
        p = put_mantissa(p, rnd(1, 25));
        p = put_exponent(p, rnd(290, 312));
        break;
    case 7: /* random doubles printed to round-trip */
        bits = rng();
        memcpy(&d, &bits, sizeof d);
        if (isnan(d) || isinf(d))
            d = 1.5;
        p += sprintf(p, "%.*g", rnd(1, 17), d);
        break;
    case 8: /* random doubles printed with more digits than they hold: near halfway */
        bits = rng();
        memcpy(&d, &bits, sizeof d);
        if (isnan(d) || isinf(d))
            d = 0.1;
        p += sprintf(p, "%.*e", rnd(17, 40), d);
        break;
    case 9: /* leading and trailing zeros */
        p = put_sign(p);
        memset(p, '0', 30);
        p += rnd(1, 30);
        p = put_mantissa(p, rnd(1, 18));
        memset(p, '0', 30);
        p += rnd(0, 30);
        if (rnd(0, 1))
            p = put_exponent(p, rnd(-40, 40));
        break;
    case 10: /* short decimals in the fast-path range, "0.1", "123.456e7" */
        p = put_sign(p);
        p = put_mantissa(p, rnd(1, 9));
        if (rnd(0, 1))
            p = put_exponent(p, rnd(-25, 25));
        break;
    default: /* exponents with many digits */
        p = put_mantissa(p, rnd(1, 5));
        *p++ = 'e';
        *p++ = rnd(0, 1) ? '-' : '+';
        memset(p, '0', 20);
        p += rnd(0, 20);
        p = put_digits(p, rnd(1, 4), 0);
        break;
    }
    if (p == buf || (p - buf == 1 && (buf[0] == '.' || buf[0] == '+' || buf[0] == '-')))
        *p++ = '7'; /* keep every string well-formed */
    *p = '\0';
    return (size_t)(p - buf);
}

/* ---- a tiny decimal bignum for exact halfway points ---- */

#define LIMBS 128 /* base 1e9: room for 1150 digits; 2^54 * 5^1075 has 768 */

typedef struct big {
    uint32_t limb[LIMBS]; /* little-endian, base 1e9 */
    int n;                /* limbs in use */
} big;

/* 'b' *= 'k' (k < 2^32). */
static void big_mul(big *b, uint32_t k)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->limb[i] * k + carry;
        b->limb[i] = (uint32_t)(t % 1000000000);
        carry = t / 1000000000;
    }
    while (carry) {
        b->limb[b->n++] = (uint32_t)(carry % 1000000000);
        carry /= 1000000000;
    }
}

/* 'b' -= 1 ('b' > 0). */
static void big_dec(big *b)
{
    for (int i = 0; i < b->n; i++) {
        if (b->limb[i] > 0) {
            b->limb[i]--;
            break;
        }
        b->limb[i] = 999999999;
    }
    while (b->n > 1 && b->limb[b->n - 1] == 0)
        b->n--;
}

/* Write 'b' in decimal to 'p'; returns the end. */
static char *big_put(char *p, const big *b)
{
    p += sprintf(p, "%u", (unsigned)b->limb[b->n - 1]);
    for (int i = b->n - 2; i >= 0; i--)
        p += sprintf(p, "%09u", (unsigned)b->limb[i]);
    return p;
}

/* Write the exact value halfway between positive finite 'x' and the next double up as
 * "<digits>e<exp>" followed by 'zeros' zeros and then 'tail' ("" for the exact halfway,
 * "1" for just above); with 'below' the digits are decremented and tail follows, giving a
 * value just below. Returns the length. */
static size_t halfway_text(double x, int zeros, const char *tail, int below, char *buf)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof x);
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    int bexp = (int)(bits >> 52);
    uint64_t m = bexp ? frac | (UINT64_C(1) << 52) : frac;
    int e = (bexp ? bexp - 1075 : -1074) - 1; /* halfway = (2m + 1) * 2^e */
    uint64_t h = 2 * m + 1;
    big b = {{(uint32_t)(h % 1000000000), (uint32_t)(h / 1000000000 % 1000000000),
              (uint32_t)(h / 1000000000 / 1000000000)},
             3};
    while (b.n > 1 && b.limb[b.n - 1] == 0)
        b.n--;
    int dexp = 0;
    for (int k = e; k > 0; k -= 29)
        big_mul(&b, UINT32_C(1) << (k > 29 ? 29 : k));
    for (int k = -e; k > 0; k -= 13) { /* 2^-k = 5^k / 10^k */
        uint32_t f = 1;
        for (int j = 0; j < (k > 13 ? 13 : k); j++)
            f *= 5;
        big_mul(&b, f);
    }
    if (e < 0)
        dexp = e;
    if (below)
        big_dec(&b);
    char *p = big_put(buf, &b);
    memset(p, '0', (size_t)zeros);
    p += zeros;
    size_t tl = strlen(tail);
    memcpy(p, tail, tl);
    p += tl;
    dexp -= zeros + (int)tl;
    p += sprintf(p, "e%d", dexp);
    return (size_t)(p - buf);
}

/* ---- rt_parse_double ---- */

static void parse_double_reads_plain_numbers(void)
{
    check_value("0", 0.0);
    check_value("-0", -0.0);
    check_value("-0.0", -0.0);
    check_value("+0e5", 0.0);
    check_value("12.34", 12.34);
    check_value("-12.34", -12.34);
    check_value("+7", 7.0);
    check_value(".5", 0.5);
    check_value("5.", 5.0);
    check_value("5.e3", 5000.0);
    check_value("1E3", 1000.0);
    check_value("1e+3", 1000.0);
    check_value("2.5e-3", 0.0025);
    check_value("0.1", 0.1);
    check_value("9007199254740993", 9007199254740992.0); /* 2^53 + 1 rounds to even */
    check_value("1e300", 1e300);
    check_value("1e23", 1e23);
    check_value("00000000000000000000000000001.5", 1.5);
    check_value("1.7976931348623157e308", 1.7976931348623157e308);
}

static void parse_double_matches_strtod_on_hard_cases(void)
{
    static const char *const cases[] = {
        "9007199254740993",
        "9007199254740992",
        "9007199254740994",
        "9007199254740995",
        "18014398509481985",
        "0.1",
        "0.30000000000000004",
        "-0.0",
        "1e300",
        "1e-300",
        "1e-320",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e308",
        "1e309",
        "-1e309",
        "1e-400",
        "1e22",
        "1e23",
        "123456789012345678901234567890",
        "0.000000000000000000000000000001",
        "7.2057594037927933e16",
        "3.4028236692093846346e38",
        "8.98846567431158e307",
        "5e-324",
        "-5e-324",
        "1e-323",
        "0e999999999999999999999",
        "1e-99999999999999999999",
        "1e99999999999999999999",
        "1000000000000000000000000000000000000000000e-42",
        "0.000000000000000000000000000000000000000001e42",
        "4503599627370496.5",
        "4503599627370497.5",
        "2251799813685248.25",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649"
        "017977587207096330286416692887910946555547851940402630657488671505820681908902000708383"
        "676273854845817711531764475730270069855571366959622842914819860834936475292719074168444"
        "365510704342711559699508093042880177904174497791.9999999999999999999999999999999999",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649"
        "017977587207096330286416692887910946555547851940402630657488671505820681908902000708383"
        "676273854845817711531764475730270069855571366959622842914819860834936475292719074168444"
        "365510704342711559699508093042880177904174497792",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_agrees(cases[i]);
}

static void parse_double_matches_strtod_on_a_million_random_strings(void)
{
    char buf[256];
    long mismatches = 0, accepted = 0;
    rng_state = UINT64_C(20240331);
    for (long i = 0; i < 1000000; i++) {
        size_t n = random_number(buf);
        if (!agrees(buf, n)) {
            if (mismatches++ < 10)
                fprintf(stderr, "  mismatch on \"%s\"\n", buf);
        }
        double v;
        accepted += reference(buf, n, &v) == 0;
    }
    CHECK(mismatches == 0);
    CHECK(accepted > 800000); /* most shapes give valid, in-range numbers */
}

static void parse_double_rounds_long_halfway_cases_like_strtod(void)
{
    /* Exact halfway points have up to 767 significant digits; with extra zeros the input
     * passes the 800 digits the slow path keeps, so the sticky digit decides. */
    static char buf[4096];
    long mismatches = 0;
    rng_state = UINT64_C(77);
    for (int i = 0; i < 600; i++) {
        uint64_t bits;
        double x;
        switch (i % 4) {
        case 0: /* any positive finite double */
            bits = rng() >> 1;
            break;
        case 1: /* denormals */
            bits = rng() >> 12;
            break;
        case 2: /* the smallest normals */
            bits = (UINT64_C(1) << 52) + (rng() >> 30);
            break;
        default: /* near the top */
            bits = (UINT64_C(0x7fe) << 52) | (rng() >> 12);
            break;
        }
        memcpy(&x, &bits, sizeof x);
        if (isinf(x) || isnan(x) || x == 0.0)
            continue;
        int zeros = rnd(0, 900);
        size_t n;
        n = halfway_text(x, 0, "", 0, buf);
        mismatches += !agrees(buf, n);
        n = halfway_text(x, zeros, "1", 0, buf);
        mismatches += !agrees(buf, n);
        n = halfway_text(x, zeros, "", 0, buf);
        mismatches += !agrees(buf, n);
        n = halfway_text(x, 0, "999999999999999999999999999999", 1, buf);
        mismatches += !agrees(buf, n);
        if (mismatches && i < 20)
            fprintf(stderr, "  mismatch near %.17g\n", x);
    }
    CHECK(mismatches == 0);
}

static void parse_double_handles_inputs_of_several_kilobytes(void)
{
    static char buf[12000];
    /* 0.000...0001 with 5000 zeros underflows: strtod says ERANGE, so do we */
    strcpy(buf, "0.");
    memset(buf + 2, '0', 5000);
    strcpy(buf + 5002, "1");
    check_agrees(buf);
    /* the same with an exponent that brings it back to 1 */
    strcpy(buf + 5003, "e5001");
    check_agrees(buf);
    check_value(buf, 1.0);
    /* 1 followed by 3000 zeros, scaled back down */
    buf[0] = '1';
    memset(buf + 1, '0', 3000);
    strcpy(buf + 3001, "e-3000");
    check_value(buf, 1.0);
    /* 3000 random digits with the point in the middle */
    rng_state = 5;
    char *p = put_digits(buf, 1500, 1);
    *p++ = '.';
    p = put_digits(p, 1500, 0);
    strcpy(p, "e-1200");
    check_agrees(buf);
    /* a 10000-digit integer overflows */
    p = put_digits(buf, 10000, 1);
    *p = '\0';
    check_agrees(buf);
    check_rejects(buf);
}

static void parse_double_rejects_malformed_text(void)
{
    static const char *const bad[] = {
        "",      " ",        "1 ",           " 1",    "\t1",   "1\n",   "+",     "-",
        ".",     "+.",       "-.",           "e5",    ".e5",   "1e",    "1e+",   "1e-",
        "1.2.3", "1..2",     "1,5",          "12,5",  "1,000", "1_000", "1'000", "0x10",
        "0X1p3", "inf",      "-inf",         "nan",   "NaN",   "1e5.5", "--1",   "+-1",
        "1-",    "1d",       "1f",           "1e5e5", "e",     "$12",   "12%",   "1 000",
        "1e 5",  "\xd9\xa1", "\xef\xbc\x91",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_rejects(bad[i]);
}

static void parse_double_rejects_overflow_and_strtod_underflow(void)
{
    check_rejects("1e309");
    check_rejects("-1e309");
    check_rejects("1.8e308");
    check_rejects("1e99999999999999999999");
    /* underflow follows strtod exactly: rejected where it sets ERANGE */
    check_agrees("1e-400");
    check_agrees("1e-320");
    check_agrees("-2.5e-324");
    check_value("0e-400", 0.0);
    check_value("2.2250738585072014e-308", 2.2250738585072014e-308); /* smallest normal */
}

static void parse_double_reads_only_its_slice(void)
{
    const char *text = "12.5e3xyz";
    double v;
    CHECK(rt_parse_double(text, 4, &v) == 0 && same_bits(v, 12.5));
    CHECK(rt_parse_double(text, 6, &v) == 0 && same_bits(v, 12500.0));
    CHECK(rt_parse_double(text, 5, &v) == -1);
    CHECK(rt_parse_double(text, 0, &v) == -1);
    /* every prefix of a long form, each against the guard page */
    const char *full = "-123456789012345678901234.5678901234e-12";
    for (size_t n = 0; n <= strlen(full); n++) {
        (void)rt_parse_double(at_guard(full, n), n, &v);
    }
    CHECK(1); /* reaching here means no over-read */
}

static void parse_double_ignores_the_locale(void)
{
    /* Where a locale with a decimal comma is installed, '.' must still be the point. */
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (setlocale(LC_NUMERIC, names[i])) {
            check_value("12.5", 12.5);
            check_value("0.30000000000000004", 0.30000000000000004);
            check_value("1.00000000000000000000000001", 1.0);
            check_rejects("12,5");
            setlocale(LC_NUMERIC, "C");
            break;
        }
    }
    CHECK(1);
}

/* ---- rt_parse_int64 ---- */

static void parse_int64_reads_signed_integers(void)
{
    struct {
        const char *text;
        int64_t value;
    } cases[] = {
        {"0", 0},
        {"-0", 0},
        {"+5", 5},
        {"-17", -17},
        {"0007", 7},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
        {"-9223372036854775807", -INT64_MAX},
        {"000000000000000000000000009223372036854775807", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 1;
        const char *t = cases[i].text;
        CHECK(rt_parse_int64(at_guard(t, strlen(t)), strlen(t), &v) == 0);
        CHECK(v == cases[i].value);
    }
}

static void parse_int64_rejects_overflow_and_malformed_text(void)
{
    static const char *const bad[] = {"9223372036854775808",
                                      "-9223372036854775809",
                                      "99999999999999999999",
                                      "",
                                      "-",
                                      "+",
                                      "1.0",
                                      " 1",
                                      "1 ",
                                      "1e3",
                                      "--1",
                                      "0x1",
                                      "1,000",
                                      "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 1;
        const char *t = bad[i];
        CHECK(rt_parse_int64(at_guard(t, strlen(t)), strlen(t), &v) == -1);
        CHECK(v == 0);
    }
}

int main(void)
{
    TEST(parse_double_reads_plain_numbers);
    TEST(parse_double_matches_strtod_on_hard_cases);
    TEST(parse_double_matches_strtod_on_a_million_random_strings);
    TEST(parse_double_rounds_long_halfway_cases_like_strtod);
    TEST(parse_double_handles_inputs_of_several_kilobytes);
    TEST(parse_double_rejects_malformed_text);
    TEST(parse_double_rejects_overflow_and_strtod_underflow);
    TEST(parse_double_reads_only_its_slice);
    TEST(parse_double_ignores_the_locale);
    TEST(parse_int64_reads_signed_integers);
    TEST(parse_int64_rejects_overflow_and_malformed_text);
    guard_release();
    return test_report();
}
