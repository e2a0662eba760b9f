/* test_simulate.c - rt_simulate: determinism, row format and order, the truth and customer
 * files, the model's moments against their closed forms, option and write errors.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"
#include "sim/rng.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The outputs of one run, each a NUL-terminated malloc'ed string (NULL when not asked for). */
typedef struct run {
    rt_status st;
    rt_error err;
    char *log, *truth, *cust;
    size_t log_len, truth_len, cust_len;
} run;

/* Run rt_simulate into memory streams; 'want_truth'/'want_cust' ask for the side files. */
static run simulate(const rt_sim_options *o, int want_truth, int want_cust)
{
    run r;
    memset(&r, 0, sizeof r);
    FILE *lf = open_memstream(&r.log, &r.log_len);
    FILE *tf = want_truth ? open_memstream(&r.truth, &r.truth_len) : NULL;
    FILE *cf = want_cust ? open_memstream(&r.cust, &r.cust_len) : NULL;
    r.st = rt_simulate(o, lf, tf, cf, &r.err);
    fclose(lf);
    if (tf)
        fclose(tf);
    if (cf)
        fclose(cf);
    return r;
}

static void run_free(run *r)
{
    free(r->log);
    free(r->truth);
    free(r->cust);
}

/* Split the next line off '*p' in place: returns it NUL-terminated, or NULL at the end. */
static char *next_line(char **p)
{
    char *s = *p;
    if (!s || !*s)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

/* Split 'line' on commas in place into at most 'max' fields; returns the field count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *s = line;;) {
        if (n == max)
            return max + 1;
        f[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            return n;
        *c = '\0';
        s = c + 1;
    }
}

/* Whether 's' is 'prefix' followed by exactly 'width' digits; the number goes to '*v'. */
static int is_code(const char *s, char prefix, size_t width, unsigned long long *v)
{
    if (s[0] != prefix || strlen(s + 1) != width)
        return 0;
    for (size_t i = 1; i <= width; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    *v = strtoull(s + 1, NULL, 10);
    return 1;
}

/* Whether 's' is an amount with exactly two decimals and > 0. */
static int is_amount(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || dot == s || strlen(dot + 1) != 2)
        return 0;
    for (const char *c = s; *c; c++)
        if (c != dot && (*c < '0' || *c > '9'))
            return 0;
    return strtod(s, NULL) > 0.0;
}

/* The day of a "YYYY-MM-DD" field (its first 10 bytes), or INT32_MIN if it is not a date. */
static int32_t day_of(const char *s)
{
    char buf[11];
    int32_t d;
    if (strlen(s) < 10)
        return INT32_MIN;
    memcpy(buf, s, 10);
    buf[10] = '\0';
    return rt_date_parse(buf, &d) == 0 ? d : INT32_MIN;
}

/* ---- the random number generator ---- */

/* Tolerances below are 4 standard errors of the statistic for the stated number of draws. */
static void rng_normal_has_standard_moments_and_tails(void)
{
    enum { N = 1000000 };
    rt_rng g;
    rt_rng_seed(&g, 1, 99);
    double m = 0, m2 = 0;
    long beyond196 = 0, beyond35 = 0, inside05 = 0;
    for (long i = 0; i < N; i++) {
        double z = rt_rng_normal(&g);
        double d = z - m;
        m += d / (double)(i + 1); /* Welford */
        m2 += d * (z - m);
        beyond196 += fabs(z) > 1.959963984540054;
        beyond35 += z > 3.5; /* only the tail sampler reaches past 3.44 */
        inside05 += fabs(z) < 0.5;
    }
    CHECK(fabs(m) < 4 / sqrt(N));
    CHECK(fabs(m2 / (N - 1) - 1) < 4 * sqrt(2.0 / N));
    CHECK(fabs((double)beyond196 / N - 0.05) < 4 * sqrt(0.05 * 0.95 / N));
    CHECK(fabs((double)inside05 / N - 0.38292492254802624) < 4 * sqrt(0.25 / N));
    /* P(Z > 3.5) = 2.3263e-4: expect 233 +- 61 (4 sd of a Poisson count). */
    CHECK(labs(beyond35 - 233) < 61);
}

/* Gamma(k, 1) has mean k and variance k, on both sides of the shape-1 boost. */
static void rng_gamma_and_beta_match_their_moments(void)
{
    enum { N = 200000 };
    static const double shapes[] = {0.243, 1.0, 6.25};
    rt_rng g;
    rt_rng_seed(&g, 7, 1);
    for (int s = 0; s < 3; s++) {
        double k = shapes[s], m = 0, m2 = 0;
        for (long i = 0; i < N; i++) {
            double x = rt_rng_gamma(&g, k), d = x - m;
            m += d / (double)(i + 1);
            m2 += d * (x - m);
        }
        CHECK_NEAR(m, k, 4 * sqrt(k / N) / k);
        /* Var of the sample variance ~ (mu4 - sigma^4) / n, mu4 = 3k^2 + 6k for a gamma. */
        CHECK_NEAR(m2 / (N - 1), k, 4 * sqrt((3 * k * k + 6 * k - k * k) / N) / k);
    }
    /* Beta(0.793, 2.426): mean a/(a+b); the log-space path for shapes below 1. */
    double a = 0.793, b = 2.426, m = 0;
    for (long i = 0; i < N; i++)
        m += rt_rng_beta(&g, a, b);
    m /= N;
    double sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    CHECK_NEAR(m, a / (a + b), 4 * sd / sqrt(N) / (a / (a + b)));
}

static void rng_discrete_follows_its_weights(void)
{
    enum { N = 300000 };
    const double cdf[4] = {1, 1, 3, 6}; /* weights 1, 0, 2, 3 */
    long count[4] = {0, 0, 0, 0};
    rt_rng g;
    rt_rng_seed(&g, 5, 5);
    for (long i = 0; i < N; i++)
        count[rt_rng_discrete(&g, cdf, 4)]++;
    CHECK(count[1] == 0);
    for (int k = 0; k < 4; k++) {
        double p = (cdf[k] - (k ? cdf[k - 1] : 0)) / 6;
        CHECK(fabs((double)count[k] / N - p) <= 4 * sqrt(p * (1 - p) / N));
    }
}

static void rng_streams_differ_and_repeat(void)
{
    rt_rng a, b, c;
    rt_rng_seed(&a, 1, 1);
    rt_rng_seed(&b, 1, 2);
    rt_rng_seed(&c, 1, 1);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rt_rng_next(&a), y = rt_rng_next(&b), z = rt_rng_next(&c);
        same_ab += x == y;
        same_ac += x == z;
    }
    CHECK(same_ab == 0);
    CHECK(same_ac == 100);
    double u = rt_rng_uniform(&a);
    CHECK(u > 0 && u < 1);
}

/* ---- determinism ---- */

static void simulate_same_seed_gives_identical_bytes(void)
{
    rt_sim_options o = {0};
    o.customers = 500;
    o.seed = 11;
    o.with_times = 1;
    o.with_orders = 1;
    run a = simulate(&o, 1, 1), b = simulate(&o, 1, 1);
    CHECK(a.st == RT_OK && b.st == RT_OK);
    CHECK(a.log_len > 1000 && a.log_len == b.log_len && memcmp(a.log, b.log, a.log_len) == 0);
    CHECK(a.truth_len == b.truth_len && memcmp(a.truth, b.truth, a.truth_len) == 0);
    CHECK(a.cust_len == b.cust_len && memcmp(a.cust, b.cust, a.cust_len) == 0);
    run_free(&a);
    run_free(&b);
}

static void simulate_different_seed_gives_different_log(void)
{
    rt_sim_options o = {0};
    o.customers = 500;
    o.seed = 11;
    run a = simulate(&o, 1, 0);
    o.seed = 12;
    run b = simulate(&o, 1, 0);
    CHECK(a.st == RT_OK && b.st == RT_OK);
    CHECK(a.log_len != b.log_len || memcmp(a.log, b.log, a.log_len) != 0);
    CHECK(a.truth_len != b.truth_len || memcmp(a.truth, b.truth, a.truth_len) != 0);
    run_free(&a);
    run_free(&b);
}

static void simulate_log_does_not_depend_on_side_files(void)
{
    rt_sim_options o = {0};
    o.customers = 800;
    o.seed = 5;
    run a = simulate(&o, 0, 0), b = simulate(&o, 1, 1), c = simulate(&o, 0, 1);
    CHECK(a.st == RT_OK && b.st == RT_OK && c.st == RT_OK);
    CHECK(a.log_len == b.log_len && memcmp(a.log, b.log, a.log_len) == 0);
    CHECK(a.log_len == c.log_len && memcmp(a.log, c.log, a.log_len) == 0);
    run_free(&a);
    run_free(&b);
    run_free(&c);
}

/* A customer's parameters come from its own stream: customer 7 is the same person whether
 * there are 50 customers or 500 (only its arrival time moves). */
static void simulate_customer_draws_do_not_depend_on_customer_count(void)
{
    rt_sim_options o = {0};
    o.seed = 3;
    o.customers = 50;
    run a = simulate(&o, 1, 0);
    o.customers = 500;
    run b = simulate(&o, 1, 0);
    CHECK(a.st == RT_OK && b.st == RT_OK);
    char *pa = a.truth, *pb = b.truth;
    next_line(&pa);
    next_line(&pb);
    int same = 0;
    for (int i = 0; i < 50; i++) {
        char *fa[8], *fb[8];
        char *la = next_line(&pa), *lb = next_line(&pb);
        if (!la || !lb || split(la, fa, 7) != 7 || split(lb, fb, 7) != 7)
            break;
        same += strcmp(fa[0], fb[0]) == 0 && strcmp(fa[2], fb[2]) == 0 &&
                strcmp(fa[3], fb[3]) == 0 && strcmp(fa[6], fb[6]) == 0;
    }
    CHECK(same == 50);
    run_free(&a);
    run_free(&b);
}

/* ---- format and order ---- */

static void simulate_rows_parse_and_are_in_time_order(void)
{
    rt_sim_options o = {0};
    o.customers = 2000;
    o.seed = 9;
    o.with_orders = 1;
    run r = simulate(&o, 0, 0);
    CHECK(r.st == RT_OK);
    int32_t start, prev = INT32_MIN;
    rt_date_parse("2024-01-01", &start);
    char *p = r.log;
    CHECK_STREQ(next_line(&p), "customer_id,date,amount,channel,product,order_id");
    long rows = 0, bad = 0, unordered = 0, bad_order = 0;
    char *line;
    while ((line = next_line(&p))) {
        char *f[8];
        unsigned long long id, prod, ord;
        rows++;
        if (split(line, f, 6) != 6) {
            bad++;
            continue;
        }
        int32_t d = day_of(f[1]);
        int chan_ok = !strcmp(f[3], "web") || !strcmp(f[3], "app") || !strcmp(f[3], "store") ||
                      !strcmp(f[3], "phone");
        if (!is_code(f[0], 'C', 8, &id) || id < 1 || id > 2000 || strlen(f[1]) != 10 || d < start ||
            d >= start + 365 || !is_amount(f[2]) || !chan_ok || !is_code(f[4], 'P', 4, &prod) ||
            prod < 1 || prod > 200)
            bad++;
        if (!is_code(f[5], 'O', 10, &ord) || ord != (unsigned long long)rows)
            bad_order++;
        if (d < prev)
            unordered++;
        prev = d;
    }
    CHECK(rows > 2000); /* everyone buys once, some buy again */
    CHECK(bad == 0);
    CHECK(bad_order == 0);
    CHECK(unordered == 0);
    run_free(&r);
}

static void simulate_timestamps_are_well_formed_and_ordered(void)
{
    rt_sim_options o = {0};
    o.customers = 3000;
    o.seed = 4;
    rt_date_parse("2023-03-10", &o.start_day);
    o.days = 30;
    o.acquisition_days = 30;
    o.r = 2.0; /* frequent buyers, so many share a day */
    o.alpha = 1.0;
    o.with_times = 1;
    o.channels = 8;
    o.products = 12000;
    run r = simulate(&o, 0, 0);
    CHECK(r.st == RT_OK);
    char *p = r.log;
    CHECK_STREQ(next_line(&p), "customer_id,date,amount,channel,product");
    static const char *const names[] = {"web",         "app",     "store",    "phone",
                                        "marketplace", "partner", "channel7", "channel8"};
    char prev[20] = "";
    long rows = 0, bad = 0, unordered = 0, seen_channel8 = 0;
    char *line;
    while ((line = next_line(&p))) {
        char *f[8];
        unsigned long long id, prod;
        rows++;
        if (split(line, f, 5) != 5) {
            bad++;
            continue;
        }
        const char *ts = f[1];
        int chan_ok = 0;
        for (int k = 0; k < 8; k++)
            chan_ok |= strcmp(f[3], names[k]) == 0;
        seen_channel8 += strcmp(f[3], "channel8") == 0;
        int32_t d = day_of(ts);
        if (!is_code(f[0], 'C', 8, &id) || strlen(ts) != 19 || ts[10] != ' ' || ts[13] != ':' ||
            ts[16] != ':' || d < o.start_day || d >= o.start_day + 30 ||
            (ts[11] - '0') * 10 + (ts[12] - '0') > 23 || ts[14] > '5' || ts[17] > '5' || !chan_ok ||
            !is_code(f[4], 'P', 5, &prod) || prod < 1 || prod > 12000 || !is_amount(f[2]))
            bad++;
        if (strcmp(ts, prev) < 0) /* fixed width, so text order is time order */
            unordered++;
        snprintf(prev, sizeof prev, "%s", ts);
    }
    CHECK(rows > 10000);
    CHECK(bad == 0);
    CHECK(unordered == 0);
    CHECK(seen_channel8 > 0);
    run_free(&r);
}

static void simulate_one_channel_and_product_are_used_everywhere(void)
{
    rt_sim_options o = {0};
    o.customers = 200;
    o.channels = 1;
    o.products = 1;
    run r = simulate(&o, 0, 0);
    CHECK(r.st == RT_OK);
    char *p = r.log, *line;
    next_line(&p);
    long bad = 0;
    while ((line = next_line(&p))) {
        char *f[6];
        bad += split(line, f, 5) != 5 || strcmp(f[3], "web") != 0 || strcmp(f[4], "P0001") != 0;
    }
    CHECK(bad == 0);
    run_free(&r);
}

/* Zero everywhere means the documented defaults: 1000 customers arriving over the first 91
 * days of a 365-day log starting 2024-01-01. */
static void simulate_null_options_use_the_defaults(void)
{
    run r = simulate(NULL, 1, 0);
    CHECK(r.st == RT_OK);
    int32_t start;
    rt_date_parse("2024-01-01", &start);
    char *p = r.truth, *line;
    next_line(&p);
    long rows = 0, bad = 0;
    while ((line = next_line(&p))) {
        char *f[8];
        rows++;
        int32_t d = split(line, f, 7) == 7 ? day_of(f[1]) : INT32_MIN;
        bad += d < start || d >= start + 91;
    }
    CHECK(rows == 1000);
    CHECK(bad == 0);
    run_free(&r);
}

/* ---- truth and customer files ---- */

/* Per customer, from the event log: rows, first and last day. */
typedef struct seen {
    long rows;
    int32_t first, last;
} seen;

/* Tally the log 'text' (modified in place) into 'cs' (indexed by customer number - 1). */
static void tally_log(char *text, seen *cs, size_t n)
{
    char *p = text, *line;
    next_line(&p);
    while ((line = next_line(&p))) {
        char *f[7];
        if (split(line, f, 6) < 5)
            continue;
        unsigned long long id = strtoull(f[0] + 1, NULL, 10);
        if (id < 1 || id > n)
            continue;
        seen *c = &cs[id - 1];
        int32_t d = day_of(f[1]);
        if (c->rows++ == 0)
            c->first = d;
        c->last = d;
    }
}

static void simulate_side_files_have_one_consistent_row_per_customer(void)
{
    enum { N = 3000 };
    rt_sim_options o = {0};
    o.customers = N;
    o.seed = 21;
    run r = simulate(&o, 1, 1);
    CHECK(r.st == RT_OK);
    static seen cs[N];
    memset(cs, 0, sizeof cs);
    tally_log(r.log, cs, N);
    int32_t start = (int32_t)19723; /* 2024-01-01 */

    char *p = r.truth, *line;
    CHECK_STREQ(next_line(&p), "customer_id,first_date,lambda,p,dropout_date,alive,nu");
    long rows = 0, bad = 0, dropped = 0;
    while ((line = next_line(&p))) {
        char *f[8], want[24];
        rows++;
        snprintf(want, sizeof want, "C%08ld", rows);
        if (split(line, f, 7) != 7 || strcmp(f[0], want) != 0 || rows > N) {
            bad++;
            continue;
        }
        const seen *c = &cs[rows - 1];
        int32_t first = day_of(f[1]);
        double lambda = strtod(f[2], NULL), pr = strtod(f[3], NULL), nu = strtod(f[6], NULL);
        int alive = strcmp(f[5], "1") == 0;
        if (!alive && strcmp(f[5], "0") != 0)
            bad++;
        if (first != c->first || !(lambda >= 0) || !(pr >= 0 && pr <= 1) || !(nu >= 0))
            bad++;
        if (alive) {
            bad += f[4][0] != '\0';
        } else {
            /* Dropout follows a repeat purchase: the customer's last row, never its first. */
            dropped++;
            bad += day_of(f[4]) != c->last || c->rows < 2 || c->last >= start + 365;
        }
    }
    CHECK(rows == N);
    CHECK(bad == 0);
    CHECK(dropped > N / 20);

    p = r.cust;
    CHECK_STREQ(next_line(&p), "customer_id,signup_date,tier,loyalty_member,satisfaction");
    rows = bad = 0;
    while ((line = next_line(&p))) {
        char *f[6], want[24];
        rows++;
        snprintf(want, sizeof want, "C%08ld", rows);
        if (split(line, f, 5) != 5 || strcmp(f[0], want) != 0 || rows > N) {
            bad++;
            continue;
        }
        int32_t signup = day_of(f[1]), first = cs[rows - 1].first;
        int tier_ok = !strcmp(f[2], "basic") || !strcmp(f[2], "plus") || !strcmp(f[2], "premium");
        int sat = atoi(f[4]);
        if (signup > first || signup < first - 30 || !tier_ok ||
            (strcmp(f[3], "0") != 0 && strcmp(f[3], "1") != 0) || strlen(f[4]) != 1 || sat < 1 ||
            sat > 5)
            bad++;
    }
    CHECK(rows == N);
    CHECK(bad == 0);
    run_free(&r);
}

/* ---- the model ---- */

/* One large run shared by the statistical tests below. Customers all arrive on day 0
 * (acquisition_days 1), so each is watched for T = 365 - U days, U ~ U(0,1). */
enum { BIG = 200000 };
static run big;
static seen big_seen[BIG];
static double big_lambda[BIG], big_p[BIG], big_nu[BIG], big_first_amount[BIG];
static int big_alive[BIG], big_tier[BIG], big_loyal[BIG], big_sat[BIG];

static void big_run(void)
{
    rt_sim_options o = {0};
    o.customers = BIG;
    o.seed = 2024;
    o.acquisition_days = 1;
    big = simulate(&o, 1, 1);
    CHECK(big.st == RT_OK);
    /* The log: rows and first amount per customer. */
    char *p = big.log, *line;
    next_line(&p);
    while ((line = next_line(&p))) {
        char *f[6];
        if (split(line, f, 5) != 5)
            continue;
        unsigned long long id = strtoull(f[0] + 1, NULL, 10);
        if (id < 1 || id > BIG)
            continue;
        if (big_seen[id - 1].rows++ == 0)
            big_first_amount[id - 1] = strtod(f[2], NULL);
    }
    long i = 0;
    p = big.truth;
    next_line(&p);
    while (i < BIG && (line = next_line(&p))) {
        char *f[8];
        if (split(line, f, 7) != 7)
            break;
        big_lambda[i] = strtod(f[2], NULL);
        big_p[i] = strtod(f[3], NULL);
        big_nu[i] = strtod(f[6], NULL);
        big_alive[i] = f[5][0] == '1';
        i++;
    }
    CHECK(i == BIG);
    i = 0;
    p = big.cust;
    next_line(&p);
    while (i < BIG && (line = next_line(&p))) {
        char *f[6];
        if (split(line, f, 5) != 5)
            break;
        big_tier[i] = f[2][0] == 'b' ? 0 : f[2][1] == 'l' ? 1 : 2;
        big_loyal[i] = f[3][0] == '1';
        big_sat[i] = atoi(f[4]);
        i++;
    }
    CHECK(i == BIG);
}

static double mean_of(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/* Every tolerance here is four standard errors of the sample mean, sd / sqrt(n) with the sd
 * of the model's own distribution: a correct simulator fails about once in 16000 runs per
 * check (and with a fixed seed, never), while a wrong rate/scale or shape is off by far more. */
static void simulate_parameter_means_match_the_priors(void)
{
    const double n = BIG, r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, q = 3.74, g = 15.44;
    /* lambda ~ Gamma(r, alpha): mean r/alpha, sd sqrt(r)/alpha. */
    double se = sqrt(r) / alpha / sqrt(n);
    CHECK_NEAR(mean_of(big_lambda, BIG), r / alpha, 4 * se / (r / alpha));
    /* p ~ Beta(a, b): mean a/(a+b), variance ab / ((a+b)^2 (a+b+1)). */
    double mp = a / (a + b);
    se = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))) / sqrt(n);
    CHECK_NEAR(mean_of(big_p, BIG), mp, 4 * se / mp);
    /* nu ~ Gamma(q, gamma): mean q/gamma, sd sqrt(q)/gamma. */
    se = sqrt(q) / g / sqrt(n);
    CHECK_NEAR(mean_of(big_nu, BIG), q / g, 4 * se / (q / g));
}

/* A first purchase's amount is Gamma(p, nu) with nu ~ Gamma(q, gamma): mean p gamma/(q-1);
 * variance p E[1/nu^2] + p^2 Var(1/nu) with E[1/nu^2] = gamma^2/((q-1)(q-2)) and
 * Var(1/nu) = gamma^2/((q-1)^2 (q-2)). Rounding to cents moves the mean by < 0.005. */
static void simulate_first_amounts_match_gamma_gamma(void)
{
    const double ps = 6.25, q = 3.74, g = 15.44;
    double mean = ps * g / (q - 1);
    double var = ps * g * g / ((q - 1) * (q - 2)) + ps * ps * g * g / ((q - 1) * (q - 1) * (q - 2));
    double se = sqrt(var / BIG);
    CHECK_NEAR(mean_of(big_first_amount, BIG), mean, 4 * se / mean);
}

/* BG/NBD: a customer makes no repeat purchase in (0, T] with probability
 * E[exp(-lambda T)] = (alpha / (alpha + T))^r (Fader, Hardie & Lee 2005, eq. 7 at x = 0,
 * since dropout only follows a repeat purchase). T = (365 - 0.5) / 7 weeks; the spread of
 * arrivals over one day moves the answer by < 2e-4, well inside the binomial 4 SE (~0.0045). */
static void simulate_zero_repeat_share_matches_bgnbd(void)
{
    const double r = 0.243, alpha = 4.414, T = (365.0 - 0.5) / 7.0;
    double expect = pow(alpha / (alpha + T), r);
    long zero = 0;
    for (long i = 0; i < BIG; i++)
        zero += big_seen[i].rows == 1;
    double share = (double)zero / BIG;
    double se = sqrt(expect * (1 - expect) / BIG);
    CHECK_NEAR(share, expect, 4 * se / expect);
}

/* Satisfaction = clamp(round(5 - 4p + N(0, 0.75^2)), 1, 5): its correlation with p is about
 * -0.7 (Var 4p = 0.70 against noise 0.56 plus rounding 0.08); -0.5 leaves a wide margin
 * against a sampling error of ~0.002. Dropped-out customers must be rarer among the
 * satisfied. */
static void simulate_satisfied_customers_drop_out_less(void)
{
    double ms = 0, mp = 0;
    for (long i = 0; i < BIG; i++) {
        ms += big_sat[i];
        mp += big_p[i];
    }
    ms /= BIG;
    mp /= BIG;
    double sxy = 0, sxx = 0, syy = 0;
    long hi = 0, hi_drop = 0, lo = 0, lo_drop = 0;
    for (long i = 0; i < BIG; i++) {
        double x = big_sat[i] - ms, y = big_p[i] - mp;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
        if (big_sat[i] >= 4) {
            hi++;
            hi_drop += !big_alive[i];
        } else if (big_sat[i] <= 2) {
            lo++;
            lo_drop += !big_alive[i];
        }
    }
    double corr = sxy / sqrt(sxx * syy);
    CHECK(corr < -0.5);
    CHECK(hi > 1000 && lo > 1000);
    CHECK((double)hi_drop / (double)hi < 0.8 * ((double)lo_drop / (double)lo));
}

/* Tiers are cut at the normal 60% and 90% points of a score whose distribution is only
 * roughly normal (log lambda is skewed), hence "about 60/30/10": +-5 points. Premium
 * customers buy more often and are more often loyalty members (0.25/0.45/0.70 by design). */
static void simulate_tiers_follow_purchase_rate(void)
{
    long count[3] = {0, 0, 0}, loyal[3] = {0, 0, 0};
    double lam[3] = {0, 0, 0};
    for (long i = 0; i < BIG; i++) {
        count[big_tier[i]]++;
        loyal[big_tier[i]] += big_loyal[i];
        lam[big_tier[i]] += big_lambda[i];
    }
    CHECK(fabs((double)count[0] / BIG - 0.6) < 0.05);
    CHECK(fabs((double)count[1] / BIG - 0.3) < 0.05);
    CHECK(fabs((double)count[2] / BIG - 0.1) < 0.05);
    CHECK(lam[0] / (double)count[0] < lam[1] / (double)count[1]);
    CHECK(lam[1] / (double)count[1] < lam[2] / (double)count[2]);
    /* Binomial sd of each loyalty share is below 0.005 with these counts. */
    CHECK(fabs((double)loyal[0] / (double)count[0] - 0.25) < 0.02);
    CHECK(fabs((double)loyal[2] / (double)count[2] - 0.70) < 0.03);
}

/* ---- errors ---- */

/* Run with 'o' and expect 'code' with message 'msg' and nothing written. */
static void expect_error(const rt_sim_options *o, rt_status code, const char *msg)
{
    run r = simulate(o, 1, 1);
    CHECK(r.st == code);
    CHECK_STREQ(r.err.msg, msg);
    CHECK(r.log_len == 0 && r.truth_len == 0 && r.cust_len == 0);
    run_free(&r);
}

static void simulate_rejects_impossible_options(void)
{
    rt_sim_options o = {0};
    o.r = -1;
    expect_error(&o, RT_EDOMAIN, "simulate: r must be > 0, got -1");
    o.r = 0;
    o.alpha = (double)NAN;
    expect_error(&o, RT_EDOMAIN, "simulate: alpha must be > 0, got nan");
    o.alpha = 0;
    o.b = (double)INFINITY;
    expect_error(&o, RT_EDOMAIN, "simulate: b must be finite, got inf");
    o.b = 0;
    o.gamma_gg = -0.5;
    expect_error(&o, RT_EDOMAIN, "simulate: gamma_gg must be > 0, got -0.5");
    o.gamma_gg = 0;
    o.days = -5;
    expect_error(&o, RT_EDOMAIN, "simulate: days must be >= 1, got -5");
    o.days = 365;
    o.acquisition_days = 400;
    expect_error(&o, RT_EDOMAIN, "simulate: acquisition_days must be <= days (365), got 400");
    o.acquisition_days = -1;
    expect_error(&o, RT_EDOMAIN, "simulate: acquisition_days must be >= 1, got -1");
    o.acquisition_days = 0;
    o.channels = 1001;
    expect_error(&o, RT_EDOMAIN, "simulate: channels must be 1..1000, got 1001");
    o.channels = -1;
    expect_error(&o, RT_EDOMAIN, "simulate: channels must be 1..1000, got -1");
    o.channels = 0;
    o.products = 1000001;
    expect_error(&o, RT_EDOMAIN, "simulate: products must be 1..1000000, got 1000001");
    o.products = 0;
    rt_date_parse("9999-12-01", &o.start_day);
    expect_error(&o, RT_EDOMAIN,
                 "simulate: the log must lie within 0001-01-01..9999-12-31, got 365 days "
                 "from 9999-12-01");

    rt_error err;
    CHECK(rt_simulate(NULL, NULL, NULL, NULL, &err) == RT_EMISUSE);
    CHECK(rt_simulate(NULL, NULL, NULL, NULL, NULL) == RT_EMISUSE);
}

static void simulate_reports_write_errors_with_errno(void)
{
    FILE *full = fopen("/dev/full", "w");
    if (!full) /* not Linux: nothing to test with */
        return;
    rt_sim_options o = {0};
    o.customers = 20000;
    rt_error err;
    CHECK(rt_simulate(&o, full, NULL, NULL, &err) == RT_EIO);
    CHECK(err.sys_errno == ENOSPC);
    CHECK_STREQ(err.msg, "simulate: cannot write the event log: No space left on device");
    fclose(full);

    /* The log is fine; the truth file fails. */
    full = fopen("/dev/full", "w");
    FILE *sink = fopen("/dev/null", "w");
    if (full && sink) {
        CHECK(rt_simulate(&o, sink, full, NULL, &err) == RT_EIO);
        CHECK(err.sys_errno == ENOSPC);
        CHECK_STREQ(err.msg, "simulate: cannot write the truth file: No space left on device");
    }
    if (full)
        fclose(full);
    if (sink)
        fclose(sink);
}

int main(void)
{
    TEST(rng_normal_has_standard_moments_and_tails);
    TEST(rng_gamma_and_beta_match_their_moments);
    TEST(rng_discrete_follows_its_weights);
    TEST(rng_streams_differ_and_repeat);
    TEST(simulate_same_seed_gives_identical_bytes);
    TEST(simulate_different_seed_gives_different_log);
    TEST(simulate_log_does_not_depend_on_side_files);
    TEST(simulate_customer_draws_do_not_depend_on_customer_count);
    TEST(simulate_rows_parse_and_are_in_time_order);
    TEST(simulate_timestamps_are_well_formed_and_ordered);
    TEST(simulate_one_channel_and_product_are_used_everywhere);
    TEST(simulate_null_options_use_the_defaults);
    TEST(simulate_side_files_have_one_consistent_row_per_customer);
    TEST(big_run);
    TEST(simulate_parameter_means_match_the_priors);
    TEST(simulate_first_amounts_match_gamma_gamma);
    TEST(simulate_zero_repeat_share_matches_bgnbd);
    TEST(simulate_satisfied_customers_drop_out_less);
    TEST(simulate_tiers_follow_purchase_rate);
    TEST(simulate_rejects_impossible_options);
    TEST(simulate_reports_write_errors_with_errno);
    run_free(&big);
    return test_report();
}
