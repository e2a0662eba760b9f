/* test_simulate.c - rt_simulate: determinism, row format and order, the truth and customer
 * files, each model's moments (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB) against closed forms
 * computed here, option and write errors.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "models/bgnbd_predict.h"
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

/* ---- the other transaction models ---- */

/* Quadrature for the closed forms below, independent of the model code.
 * E[f(p)] for p ~ Beta(a, b) by tanh-sinh quadrature: p = 1 / (1 + exp(-pi sinh u)) turns
 * the density's endpoint singularities into a doubly exponentially decaying integrand, and
 * the trapezoid rule in u (step 1/64 on [-4.5, 4.5]) then converges to ~1e-12 for the
 * smooth f used here (checked below against E[p] and FHL 2005 eq. 7). log p and log(1 - p)
 * come straight from u, so the density stays exact next to 0 and 1. */
typedef double (*beta_fn)(double p, const double *k);

static double beta_expect(beta_fn f, const double *k, double a, double b)
{
    const double h = 1.0 / 64, lb = lgamma(a) + lgamma(b) - lgamma(a + b);
    double sum = 0.0;
    for (int i = -288; i <= 288; i++) {
        double u = i * h, v = M_PI * sinh(u);
        double lp = -log1p(exp(-v)), lq = -log1p(exp(v)); /* log p, log(1 - p) */
        /* dp/du = pi cosh(u) p (1 - p) */
        double w = M_PI * cosh(u) * exp(a * lp + b * lq - lb);
        if (w > 0.0)
            sum += w * f(exp(lp), k);
    }
    return sum * h;
}

static double f_identity(double p, const double *k)
{
    (void)k;
    return p;
}

/* BG/NBD: E[X(t) | p] = (1 - E[exp(-lambda p t)]) / p with E over lambda ~ Gamma(r, alpha)
 * = (alpha / (alpha + p t))^r (FHL 2005 sec. 3). k = (r, alpha, t). */
static double f_bgnbd(double p, const double *k)
{
    double one_minus = -expm1(-k[0] * log1p(p * k[2] / k[1]));
    return one_minus / p;
}

/* MBG/NBD: with probability p the customer leaves at the first purchase, else it is a
 * BG/NBD customer: E[X(t) | p] = (1 - p) f_bgnbd. */
static double f_mbgnbd(double p, const double *k)
{
    return (1.0 - p) * f_bgnbd(p, k);
}

/* Mean over the arrival time u ~ U(0, 1) day of 'g' at T = (days - u) / 7 weeks, by the
 * midpoint rule on 16 points: g is smooth and nearly linear over one day, so the rule's
 * error (~ g'' / (12 * 16^2) days^2) is below 1e-7 of g here. */
static double mean_over_arrival(double (*g)(double T, const double *k), const double *k,
                                double days)
{
    double s = 0.0;
    for (int i = 0; i < 16; i++)
        s += g((days - (i + 0.5) / 16.0) / 7.0, k);
    return s / 16.0;
}

/* k = (r, alpha, t ignored, a, b) */
static double ex_bgnbd(double T, const double *k)
{
    double kk[3] = {k[0], k[1], T};
    return beta_expect(f_bgnbd, kk, k[3], k[4]);
}

static double ex_mbgnbd(double T, const double *k)
{
    double kk[3] = {k[0], k[1], T};
    return beta_expect(f_mbgnbd, kk, k[3], k[4]);
}

/* MBG/NBD: no repeat purchase in (0, T] = left at the first purchase, or alive and no purchase:
 * a/(a+b) + b/(a+b) (alpha / (alpha + T))^r. k = (r, alpha, -, a, b). */
static double zero_mbgnbd(double T, const double *k)
{
    double r = k[0], al = k[1], a = k[3], b = k[4];
    return a / (a + b) + b / (a + b) * pow(al / (al + T), r);
}

/* Pareto/NBD: E[X(T)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + T))^(s - 1)]
 * (Schmittlein et al. 1987; FHL's note). k = (r, alpha, s, beta). */
static double ex_pnbd(double T, const double *k)
{
    double r = k[0], al = k[1], s = k[2], be = k[3];
    return r * be / (al * (s - 1.0)) * (1.0 - pow(be / (be + T), s - 1.0));
}

/* The same from its definition: E[X(T) | lambda, mu] = lambda E[min(tau, T)], and
 * E[min(tau, T)] = int_0^T P(tau > u) du = int_0^T (beta / (beta + u))^s du over mu, by
 * Simpson's rule on 4000 intervals (smooth integrand: error ~1e-12 relative). */
static double ex_pnbd_by_integration(double T, const double *k)
{
    double r = k[0], al = k[1], s = k[2], be = k[3];
    int n = 4000;
    double h = T / n, sum = 0.0;
    for (int i = 0; i <= n; i++) {
        double w = i == 0 || i == n ? 1.0 : i % 2 ? 4.0 : 2.0;
        sum += w * pow(be / (be + i * h), s);
    }
    return r / al * sum * h / 3.0;
}

/* Pareto/NBD: still alive after T weeks: E[exp(-mu T)] = (beta / (beta + T))^s. */
static double alive_pnbd(double T, const double *k)
{
    return pow(k[3] / (k[3] + T), k[2]);
}

/* BG/BB: E[X(n)] = alpha/(alpha+beta) delta/(gamma-1) [1 - G(gamma+delta) G(1+delta+n) /
 * (G(gamma+delta+n) G(1+delta))] (Fader, Hardie & Shang 2010, eq. 9). k = (a, b, g, d). */
static double ex_bgbb(double n, const double *k)
{
    double a = k[0], b = k[1], g = k[2], d = k[3];
    double ratio = exp(lgamma(g + d) + lgamma(1 + d + n) - lgamma(g + d + n) - lgamma(1 + d));
    return a / (a + b) * d / (g - 1.0) * (1.0 - ratio);
}

/* BG/BB: P(alive at opportunity t) = E[(1 - theta)^t] = B(gamma, delta + t) / B(gamma, delta). */
static double alive_bgbb(double t, const double *k)
{
    double g = k[2], d = k[3];
    return exp(lgamma(d + t) - lgamma(g + d + t) - lgamma(d) + lgamma(g + d));
}

/* The same E[X(n)] from its definition: E[p] sum_{t=1..n} P(alive at t). */
static double ex_bgbb_by_sum(double n, const double *k)
{
    double s = 0.0;
    for (int t = 1; t <= (int)n; t++)
        s += alive_bgbb(t, k);
    return k[0] / (k[0] + k[1]) * s;
}

static void quadrature_matches_known_closed_forms(void)
{
    /* E[p] = a / (a + b) on both sides of shape 1. */
    CHECK_NEAR(beta_expect(f_identity, NULL, 0.793, 2.426), 0.793 / 3.219, 1e-10);
    CHECK_NEAR(beta_expect(f_identity, NULL, 0.657, 2.783), 0.657 / 3.44, 1e-10);
    CHECK_NEAR(beta_expect(f_identity, NULL, 1.204, 0.75), 1.204 / 1.954, 1e-10);
    /* FHL 2005 eq. 7 (through 2F1) against the integral of E[X(t) | p]; CDNOW parameters,
     * t = 52 and 39 weeks. 1e-8: the quadrature's ~1e-12 plus rt_hyp2f1's series tolerance. */
    const double par[4] = {0.243, 4.414, 0.793, 2.426};
    const double k[5] = {0.243, 4.414, 0, 0.793, 2.426};
    CHECK_NEAR(ex_bgnbd(52.0, k), rt_bgnbd_expected_new(par, 52.0), 1e-8);
    CHECK_NEAR(ex_bgnbd(39.0, k), rt_bgnbd_expected_new(par, 39.0), 1e-8);
    /* Pareto/NBD closed form against its integral (CDNOW Pareto/NBD parameters and s > 1). */
    const double kp[4] = {0.553, 10.578, 0.606, 11.669}, kq[4] = {1.5, 3.0, 2.5, 20.0};
    CHECK_NEAR(ex_pnbd(52.0, kp), ex_pnbd_by_integration(52.0, kp), 1e-9);
    CHECK_NEAR(ex_pnbd(30.0, kq), ex_pnbd_by_integration(30.0, kq), 1e-9);
    /* BG/BB closed form against the plain sum (rounding only: 1e-10). */
    const double kb[4] = {1.204, 0.750, 0.657, 2.783}, kc[4] = {2.0, 1.0, 3.0, 5.0};
    CHECK_NEAR(ex_bgbb(52.0, kb), ex_bgbb_by_sum(52.0, kb), 1e-10);
    CHECK_NEAR(ex_bgbb(11.0, kc), ex_bgbb_by_sum(11.0, kc), 1e-10);
}

/* One run of a model, tallied per customer from the log and the truth file. */
typedef struct mrun {
    size_t n;
    long *rows;
    int32_t *first, *last, *dropout; /* dropout: INT32_MIN when alive */
    double *par1, *par2;
    long bad;           /* malformed rows, rows out of order or outside the log */
    long off_grid;      /* BG/BB: purchases not on an opportunity day, or two on one */
    int32_t start, end; /* first and last day of the log */
} mrun;

static void mrun_free(mrun *m)
{
    free(m->rows);
    free(m->first);
    free(m->last);
    free(m->dropout);
    free(m->par1);
    free(m->par2);
}

/* Simulate 'o' (customers, days, start, model set; opportunity_days for BG/BB) and tally it.
 * 'header' is the truth file's expected header line. */
static mrun model_run(const rt_sim_options *o, const char *header)
{
    mrun m;
    memset(&m, 0, sizeof m);
    size_t n = m.n = (size_t)o->customers;
    m.rows = calloc(n, sizeof *m.rows);
    m.first = calloc(n, sizeof *m.first);
    m.last = calloc(n, sizeof *m.last);
    m.dropout = calloc(n, sizeof *m.dropout);
    m.par1 = calloc(n, sizeof *m.par1);
    m.par2 = calloc(n, sizeof *m.par2);
    m.start = o->start_day ? o->start_day : 19723; /* 2024-01-01 */
    m.end = m.start + (o->days ? o->days : 365) - 1;
    run r = simulate(o, 1, 0);
    CHECK(r.st == RT_OK);
    if (r.st != RT_OK || !m.rows || !m.first || !m.last || !m.dropout || !m.par1 || !m.par2) {
        m.bad = 1;
        run_free(&r);
        return m;
    }
    int od = o->opportunity_days ? o->opportunity_days : 7;
    char *p = r.log, *line;
    next_line(&p);
    int32_t prev = INT32_MIN;
    while ((line = next_line(&p))) {
        char *f[6];
        unsigned long long id;
        int32_t d = split(line, f, 5) == 5 ? day_of(f[1]) : INT32_MIN;
        if (d == INT32_MIN || !is_code(f[0], 'C', 8, &id) || id < 1 || id > n || d < prev ||
            d < m.start || d > m.end) {
            m.bad++;
            continue;
        }
        prev = d;
        size_t i = (size_t)id - 1;
        if (m.rows[i]++ == 0) {
            m.first[i] = d;
        } else if (o->model == RT_MODEL_BGBB) {
            m.off_grid += (d - m.first[i]) % od != 0 || d == m.last[i];
        }
        m.last[i] = d;
    }
    p = r.truth;
    CHECK_STREQ(next_line(&p), header);
    size_t i = 0;
    while ((line = next_line(&p))) {
        char *f[8];
        if (i == n || split(line, f, 7) != 7) {
            m.bad++;
            break;
        }
        m.par1[i] = strtod(f[2], NULL);
        m.par2[i] = strtod(f[3], NULL);
        int alive = strcmp(f[5], "1") == 0;
        m.dropout[i] = alive ? INT32_MIN : day_of(f[4]);
        if (alive ? f[4][0] != '\0' : strcmp(f[5], "0") != 0 || m.dropout[i] == INT32_MIN)
            m.bad++;
        if (day_of(f[1]) != m.first[i])
            m.bad++;
        i++;
    }
    CHECK(i == n);
    run_free(&r);
    return m;
}

/* Sample mean and its standard error (two-pass variance) of the repeat purchases rows - 1. */
static void repeat_mean(const mrun *m, double *mean, double *se)
{
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < m->n; i++)
        s += (double)(m->rows[i] - 1);
    s /= (double)m->n;
    for (size_t i = 0; i < m->n; i++) {
        double d = (double)(m->rows[i] - 1) - s;
        ss += d * d;
    }
    *mean = s;
    *se = sqrt(ss / (double)(m->n - 1) / (double)m->n);
}

/* Check a share 'count / n' against probability 'p' within 4 binomial standard errors. */
static void check_share(long count, size_t n, double p)
{
    double se = sqrt(p * (1.0 - p) / (double)n);
    CHECK_NEAR((double)count / (double)n, p, 4.0 * se / p);
}

/* Check a sample mean of 'x' against 'mu' within 4 standard errors, 'sd' the model's sd. */
static void check_mean(const double *x, size_t n, double mu, double sd)
{
    CHECK_NEAR(mean_of(x, n), mu, 4.0 * sd / sqrt((double)n) / mu);
}

/* Statistical checks: every tolerance is 4 standard errors of the statistic (the sample's
 * own sd for means of purchase counts, the binomial sd for shares, the prior's sd for the
 * latent parameters). All customers arrive on day 0 (acquisition_days 1) and are watched
 * for (365 - u) / 7 weeks, u ~ U(0, 1). */
enum { MODEL_N = 200000 };

static void simulate_bgnbd_mean_repeats_match_eq7(void)
{
    /* The shared BG/NBD run ('big'): repeat purchases per customer against FHL 2005 eq. 7
     * averaged over the arrival time. */
    const double k[5] = {0.243, 4.414, 0, 0.793, 2.426};
    double s = 0.0, ss = 0.0;
    for (long i = 0; i < BIG; i++)
        s += (double)(big_seen[i].rows - 1);
    s /= BIG;
    for (long i = 0; i < BIG; i++)
        ss += ((double)(big_seen[i].rows - 1) - s) * ((double)(big_seen[i].rows - 1) - s);
    double se = sqrt(ss / (BIG - 1) / BIG), expect = mean_over_arrival(ex_bgnbd, k, 365);
    CHECK_NEAR(s, expect, 4 * se / expect);
}

static void simulate_mbgnbd_matches_its_closed_forms(void)
{
    const double r = 0.243, al = 4.414, a = 0.793, b = 2.426;
    const double k[5] = {r, al, 0, a, b};
    rt_sim_options o = {0};
    o.model = RT_MODEL_MBGNBD;
    o.customers = MODEL_N;
    o.seed = 77;
    o.acquisition_days = 1;
    mrun m = model_run(&o, "customer_id,first_date,lambda,p,dropout_date,alive,nu");
    CHECK(m.bad == 0);
    double mean, se;
    repeat_mean(&m, &mean, &se);
    double expect = mean_over_arrival(ex_mbgnbd, k, 365);
    CHECK_NEAR(mean, expect, 4 * se / expect);
    /* No repeat purchase, and leaving right at the first purchase (one row, dropout on the
     * first day: a customer that buys again the same day has two rows). */
    long zero = 0, at_first = 0, bad = 0;
    for (size_t i = 0; i < m.n; i++) {
        zero += m.rows[i] == 1;
        at_first += m.rows[i] == 1 && m.dropout[i] == m.first[i];
        /* Dropout follows a purchase: it is on the customer's last purchase day. */
        bad += m.dropout[i] != INT32_MIN && m.dropout[i] != m.last[i];
    }
    CHECK(bad == 0);
    check_share(zero, m.n, mean_over_arrival(zero_mbgnbd, k, 365));
    check_share(at_first, m.n, a / (a + b));
    /* The latent parameters keep their priors: lambda ~ Gamma(r, alpha), p ~ Beta(a, b). */
    check_mean(m.par1, m.n, r / al, sqrt(r) / al);
    check_mean(m.par2, m.n, a / (a + b), sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))));
    mrun_free(&m);
}

static void simulate_pnbd_matches_its_closed_forms(void)
{
    /* The defaults are the CDNOW Pareto/NBD estimates (r and alpha not set). */
    const double k[4] = {0.553, 10.578, 0.606, 11.669};
    rt_sim_options o = {0};
    o.model = RT_MODEL_PNBD;
    o.customers = MODEL_N;
    o.seed = 78;
    o.acquisition_days = 1;
    mrun m = model_run(&o, "customer_id,first_date,lambda,mu,dropout_date,alive,nu");
    CHECK(m.bad == 0);
    double mean, se;
    repeat_mean(&m, &mean, &se);
    double expect = mean_over_arrival(ex_pnbd, k, 365);
    CHECK_NEAR(mean, expect, 4 * se / expect);
    long alive = 0, bad = 0;
    for (size_t i = 0; i < m.n; i++) {
        alive += m.dropout[i] == INT32_MIN;
        /* No purchase after the end of the lifetime. */
        bad += m.dropout[i] != INT32_MIN && m.dropout[i] < m.last[i];
    }
    CHECK(bad == 0);
    check_share(alive, m.n, mean_over_arrival(alive_pnbd, k, 365));
    check_mean(m.par1, m.n, k[0] / k[1], sqrt(k[0]) / k[1]);
    check_mean(m.par2, m.n, k[2] / k[3], sqrt(k[2]) / k[3]);
    mrun_free(&m);
}

/* Pareto/NBD with s > 1 (a finite mean lifetime) and user-set r, alpha over a shorter log. */
static void simulate_pnbd_with_other_parameters(void)
{
    const double k[4] = {1.5, 3.0, 2.5, 20.0};
    rt_sim_options o = {0};
    o.model = RT_MODEL_PNBD;
    o.customers = MODEL_N / 4;
    o.seed = 79;
    o.days = 140;
    o.acquisition_days = 1;
    o.r = k[0];
    o.alpha = k[1];
    o.s = k[2];
    o.beta = k[3];
    mrun m = model_run(&o, "customer_id,first_date,lambda,mu,dropout_date,alive,nu");
    CHECK(m.bad == 0);
    double mean, se;
    repeat_mean(&m, &mean, &se);
    double expect = mean_over_arrival(ex_pnbd, k, 140);
    CHECK_NEAR(mean, expect, 4 * se / expect);
    long alive = 0;
    for (size_t i = 0; i < m.n; i++)
        alive += m.dropout[i] == INT32_MIN;
    check_share(alive, m.n, mean_over_arrival(alive_pnbd, k, 140));
    mrun_free(&m);
}

/* BG/BB: with opportunities every 7 days and arrival on day 0, every customer has n = 52
 * opportunities inside the 365-day log (7 * 52 = 364 < 365 - u), the 53rd falls outside. */
static void simulate_bgbb_matches_its_closed_forms(void)
{
    const double k[4] = {1.204, 0.750, 0.657, 2.783}; /* the defaults */
    rt_sim_options o = {0};
    o.model = RT_MODEL_BGBB;
    o.customers = MODEL_N;
    o.seed = 80;
    o.acquisition_days = 1;
    o.r = -1; /* BG/NBD parameters are ignored under BG/BB */
    mrun m = model_run(&o, "customer_id,first_date,p,theta,dropout_date,alive,nu");
    CHECK(m.bad == 0);
    CHECK(m.off_grid == 0);
    double mean, se;
    repeat_mean(&m, &mean, &se);
    double expect = ex_bgbb(52, k);
    CHECK_NEAR(mean, expect, 4 * se / expect);
    long alive = 0, bad = 0;
    for (size_t i = 0; i < m.n; i++) {
        alive += m.dropout[i] == INT32_MIN;
        /* A dead customer died at an opportunity after its last purchase. */
        if (m.dropout[i] != INT32_MIN)
            bad += m.dropout[i] <= m.last[i] || (m.dropout[i] - m.first[i]) % 7 != 0 ||
                   m.dropout[i] > m.end;
    }
    CHECK(bad == 0);
    check_share(alive, m.n, alive_bgbb(52, k));
    double a = k[0], b = k[1], g = k[2], d = k[3];
    check_mean(m.par1, m.n, a / (a + b), sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))));
    check_mean(m.par2, m.n, g / (g + d), sqrt(g * d / ((g + d) * (g + d) * (g + d + 1))));
    mrun_free(&m);
}

/* BG/BB with another opportunity spacing: 10 days over 120 days (n = 11 for u in (0, 1):
 * 10 * 11 = 110 < 120 - u and 120 > 120 - u) and other parameters, gamma > 1. */
static void simulate_bgbb_with_other_spacing(void)
{
    const double k[4] = {2.0, 1.0, 3.0, 5.0};
    rt_sim_options o = {0};
    o.model = RT_MODEL_BGBB;
    o.customers = MODEL_N / 4;
    o.seed = 81;
    o.days = 120;
    o.acquisition_days = 1;
    o.opportunity_days = 10;
    o.bb_alpha = k[0];
    o.bb_beta = k[1];
    o.bb_gamma = k[2];
    o.bb_delta = k[3];
    mrun m = model_run(&o, "customer_id,first_date,p,theta,dropout_date,alive,nu");
    CHECK(m.bad == 0);
    CHECK(m.off_grid == 0);
    double mean, se;
    repeat_mean(&m, &mean, &se);
    double expect = ex_bgbb(11, k);
    CHECK_NEAR(mean, expect, 4 * se / expect);
    long alive = 0;
    for (size_t i = 0; i < m.n; i++)
        alive += m.dropout[i] == INT32_MIN;
    check_share(alive, m.n, alive_bgbb(11, k));
    mrun_free(&m);
}

/* Every model: the same seed gives the same bytes; arrivals spread over the default period
 * and the truth stays consistent with the log. */
static void simulate_every_model_is_deterministic_and_consistent(void)
{
    static const rt_model_kind kinds[4] = {RT_MODEL_BGNBD, RT_MODEL_MBGNBD, RT_MODEL_PNBD,
                                           RT_MODEL_BGBB};
    for (int j = 0; j < 4; j++) {
        rt_sim_options o = {0};
        o.model = kinds[j];
        o.customers = 3000;
        o.seed = 123;
        o.with_times = 1;
        run a = simulate(&o, 1, 1), b = simulate(&o, 1, 1);
        CHECK(a.st == RT_OK && b.st == RT_OK);
        CHECK(a.log_len > 3000 * 40 && a.log_len == b.log_len &&
              memcmp(a.log, b.log, a.log_len) == 0);
        CHECK(a.truth_len == b.truth_len && memcmp(a.truth, b.truth, a.truth_len) == 0);
        CHECK(a.cust_len == b.cust_len && memcmp(a.cust, b.cust, a.cust_len) == 0);
        /* Timestamps are in time order (fixed width: text order is time order). */
        char *p = a.log, *line, prev[20] = "";
        long unordered = 0;
        next_line(&p);
        while ((line = next_line(&p))) {
            char *f[6];
            if (split(line, f, 5) == 5) {
                unordered += strcmp(f[1], prev) < 0;
                snprintf(prev, sizeof prev, "%s", f[1]);
            }
        }
        CHECK(unordered == 0);
        run_free(&a);
        run_free(&b);
    }
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

    /* Model options: each model checks only its own parameters. */
    memset(&o, 0, sizeof o);
    o.model = RT_MODEL_SBG;
    expect_error(&o, RT_EDOMAIN, "simulate: model must be bgnbd, mbgnbd, pnbd or bgbb, got sbg");
    o.model = (rt_model_kind)42;
    expect_error(&o, RT_EDOMAIN, "simulate: model must be bgnbd, mbgnbd, pnbd or bgbb, got 42");
    o.model = RT_MODEL_PNBD;
    o.s = -1;
    expect_error(&o, RT_EDOMAIN, "simulate: s must be > 0, got -1");
    o.s = 0;
    o.beta = (double)INFINITY;
    expect_error(&o, RT_EDOMAIN, "simulate: beta must be finite, got inf");
    o.beta = 0;
    o.alpha = -2;
    expect_error(&o, RT_EDOMAIN, "simulate: alpha must be > 0, got -2");
    o.alpha = 0;
    o.model = RT_MODEL_MBGNBD;
    o.a = -3;
    expect_error(&o, RT_EDOMAIN, "simulate: a must be > 0, got -3");
    o.model = RT_MODEL_BGBB; /* 'a' is ignored now */
    o.bb_alpha = (double)NAN;
    expect_error(&o, RT_EDOMAIN, "simulate: bb_alpha must be > 0, got nan");
    o.bb_alpha = 0;
    o.bb_delta = -1;
    expect_error(&o, RT_EDOMAIN, "simulate: bb_delta must be > 0, got -1");
    o.bb_delta = 0;
    o.opportunity_days = -7;
    expect_error(&o, RT_EDOMAIN, "simulate: opportunity_days must be >= 1, got -7");
    o.opportunity_days = 0;
    o.s = -1; /* a Pareto/NBD field: ignored under BG/BB */
    o.customers = 10;
    run ok = simulate(&o, 0, 0);
    CHECK(ok.st == RT_OK);
    run_free(&ok);

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
    TEST(quadrature_matches_known_closed_forms);
    TEST(simulate_bgnbd_mean_repeats_match_eq7);
    TEST(simulate_mbgnbd_matches_its_closed_forms);
    TEST(simulate_pnbd_matches_its_closed_forms);
    TEST(simulate_pnbd_with_other_parameters);
    TEST(simulate_bgbb_matches_its_closed_forms);
    TEST(simulate_bgbb_with_other_spacing);
    TEST(simulate_every_model_is_deterministic_and_consistent);
    TEST(simulate_rejects_impossible_options);
    TEST(simulate_reports_write_errors_with_errno);
    run_free(&big);
    return test_report();
}
