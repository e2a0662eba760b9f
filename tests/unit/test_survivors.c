/* test_survivors.c - the sBG input (src/models/survivors.c): Fader & Hardie's (2007) two
 * published survival curves read in all four layouts (their percentage table, pymc-marketing's
 * per-customer file, a long table and generated subscriptions) give the published counts,
 * the subscription rules on a hand-made case, and the exact error messages.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include "core/date.h"

#include <stdint.h>
#include <stdlib.h>

#include "tmpfiles.h"

#define DATA "../shared/data/"

/* Fader & Hardie (2007), Table 1: customers of a cohort of 1000 still active at the start of
 * years 0..12. */
static const double regular[13] = {1000, 631, 468, 382, 326, 289, 262,
                                   241,  223, 207, 194, 183, 173};
static const double highend[13] = {1000, 869, 743, 653, 593, 551, 517,
                                   491,  468, 445, 427, 409, 394};

static int32_t ymd(int y, unsigned m, unsigned d)
{
    return (int32_t)rt_days_from_civil(y, m, d);
}

static rt_survivors *read_surv(const char *path, const rt_survivors_options *o)
{
    rt_survivors *s = NULL;
    rt_error err;
    if (rt_survivors_read(path, o, &s, &err) != RT_OK)
        fprintf(stderr, "  %s\n", err.msg);
    return s;
}

/* The cohort of 's' named 'name', or -1. */
static long find(const rt_survivors *s, const char *name)
{
    for (size_t i = 0; s && i < s->ncohorts; i++)
        if (strcmp(s->name[i], name) == 0)
            return (long)i;
    return -1;
}

/* Does cohort 'k' of 's' hold the first 'len' counts of 'want' exactly? */
static int holds(const rt_survivors *s, long k, const double *want, size_t len)
{
    if (!s || k < 0 || s->len[k] != len)
        return 0;
    for (size_t t = 0; t < len; t++)
        if (s->alive[k][t] != want[t])
            return 0;
    return 1;
}

static void wide_percentages_rescale_to_the_published_counts(void)
{
    rt_survivors_options o = {.cohort_size = 1000};
    rt_survivors *s = read_surv(DATA "fader_hardie_2007_retention.csv", &o);
    CHECK(s && s->ncohorts == 2);
    if (!s || s->ncohorts != 2)
        goto out;
    CHECK_STREQ(s->name[0], "regular_pct_alive");
    CHECK_STREQ(s->name[1], "highend_pct_alive");
    CHECK(s->len[0] == 13 && s->len[1] == 13);
    /* A percentage with one decimal (63.1) is not a double exactly; times 1000 / 100 = 10 it
     * is off by at most one rounding of the input and one of the product: 2 ulps, so 1e-14
     * relative is ample and still far below the 1e-3 a wrong count would show. */
    for (size_t t = 0; t < 13; t++) {
        CHECK_NEAR(s->alive[0][t], regular[t], 1e-14);
        CHECK_NEAR(s->alive[1][t], highend[t], 1e-14);
    }
    rt_survivors_free(s);
    /* Without cohort_size the values are taken as counts; --cohorts picks columns. */
    o = (rt_survivors_options){.cohorts = "highend_pct_alive"};
    s = read_surv(DATA "fader_hardie_2007_retention.csv", &o);
    CHECK(s && s->ncohorts == 1);
    if (s && s->ncohorts == 1) {
        CHECK_STREQ(s->name[0], "highend_pct_alive");
        CHECK(s->alive[0][0] == 100 && s->alive[0][1] == 86.9 && s->alive[0][12] == 39.4);
    }
out:
    rt_survivors_free(s);
}

static void pymc_customer_file_gives_the_published_counts(void)
{
    rt_survivors *s = read_surv(DATA "sbg_paper.csv", NULL);
    CHECK(s && s->ncohorts == 2);
    /* recency r = the last year subscribed: alive[t] = customers with r > t, t = 0..7. */
    CHECK(holds(s, find(s, "regular"), regular, 8));
    CHECK(holds(s, find(s, "highend"), highend, 8));
    CHECK(find(s, "highend") == 0); /* file order: ids 1-1000 are high end */
    rt_survivors_free(s);
    /* The same against the percentage file, read independently. */
    rt_survivors_options o = {.cohort_size = 1000};
    rt_survivors *w = read_surv(DATA "fader_hardie_2007_retention.csv", &o);
    s = read_surv(DATA "sbg_paper.csv", NULL);
    CHECK(w && s);
    if (w && s && w->ncohorts == 2 && s->ncohorts == 2) {
        long r = find(s, "regular"), h = find(s, "highend");
        for (size_t t = 0; t < 8 && r >= 0 && h >= 0; t++) {
            CHECK_NEAR(s->alive[r][t], w->alive[0][t], 1e-14); /* as above */
            CHECK_NEAR(s->alive[h][t], w->alive[1][t], 1e-14);
        }
    }
    rt_survivors_free(w);
    rt_survivors_free(s);
    /* One cohort picked by name. */
    rt_survivors_options p = {.cohorts = "regular"};
    s = read_surv(DATA "sbg_paper.csv", &p);
    CHECK(s && s->ncohorts == 1 && holds(s, 0, regular, 8));
    rt_survivors_free(s);
}

static void long_table_in_any_order(void)
{
    /* The published counts, periods shuffled, as a long table typed from the paper. */
    char text[4096] = "cohort,period,alive\n";
    size_t len = strlen(text);
    static const int order[8] = {3, 0, 7, 1, 5, 2, 6, 4};
    for (int i = 0; i < 8; i++) {
        int t = order[i];
        len +=
            (size_t)snprintf(text + len, sizeof text - len, "regular,%d,%.0f\nhigh end,%d,%.0f\n",
                             t, regular[t], t, highend[t]);
    }
    rt_survivors *s = read_surv(write_text("long.csv", text), NULL);
    CHECK(s && s->ncohorts == 2);
    CHECK(holds(s, find(s, "regular"), regular, 8));
    CHECK(holds(s, find(s, "high end"), highend, 8));
    rt_survivors_free(s);
    /* Percentages rescaled per cohort. */
    s = read_surv(write_text("long2.csv", "cohort,period,alive\nA,0,50\nA,1,25\nA,2,5\n"),
                  &(rt_survivors_options){.cohort_size = 200});
    CHECK(s && s->ncohorts == 1);
    if (s && s->ncohorts == 1)
        CHECK(s->alive[0][0] == 200 && s->alive[0][1] == 100 && s->alive[0][2] == 20);
    rt_survivors_free(s);
}

/* Write 1000 subscriptions per cohort that reproduce the published counts: the d_t customers
 * lost in year t end (t - 1) years and 100 days after their start (they lasted t - 1 whole
 * years), the survivors of year 7 have no end. Regular start 2000-01-01, high end 2001-01-01. */
static const char *write_subscriptions(void)
{
    size_t cap = 200000, len = 0;
    char *text = malloc(cap);
    if (!text)
        exit(2);
    len += (size_t)snprintf(text, cap, "customer_id,start,end\n");
    const double *curve[2] = {regular, highend};
    int32_t start[2] = {ymd(2000, 1, 1), ymd(2001, 1, 1)};
    int id = 0;
    for (int c = 0; c < 2; c++) {
        char s[16], e[16];
        rt_date_format(start[c], s);
        for (int t = 1; t <= 7; t++) {
            rt_date_format(start[c] + (int32_t)((t - 1) * 365.25) + 100, e);
            for (int k = 0; k < (int)(curve[c][t - 1] - curve[c][t]); k++)
                len += (size_t)snprintf(text + len, cap - len, "%d,%s,%s\n", ++id, s, e);
        }
        for (int k = 0; k < (int)curve[c][7]; k++)
            len += (size_t)snprintf(text + len, cap - len, "%d,%s,\n", ++id, s);
    }
    const char *path = write_file("subs.csv", text, len);
    free(text);
    return path;
}

static void generated_subscriptions_give_the_published_counts(void)
{
    /* Yearly periods; observed to 2007-08-01: the regular cohort (start 2000-01-01) spans
     * floor(2769 / 365.25) + 1 = 8 periods, the high end one (2001-01-01) 7. */
    rt_survivors_options o = {.period_days = 365.25, .observed_end = ymd(2007, 8, 1)};
    rt_survivors *s = read_surv(write_subscriptions(), &o);
    CHECK(s && s->ncohorts == 2);
    if (s && s->ncohorts == 2) {
        CHECK_STREQ(s->name[0], "2000-01-01");
        CHECK_STREQ(s->name[1], "2000-12-31"); /* s0 + 365.25 days, rounded down */
        CHECK(holds(s, 0, regular, 8));
        CHECK(holds(s, 1, highend, 7));
    }
    rt_survivors_free(s);
}

static void subscription_rules_on_a_hand_made_case(void)
{
    /* Periods of 30 days from s0 = 2024-01-01 (day D); observed to D + 100. */
    const char *text = "id,start_date,end_date\n"
                       "a,2024-01-01,2024-01-30\n" /* 29 days: lasted 0 periods */
                       "b,2024-01-01,2024-01-31\n" /* 30 days: lasted 1 */
                       "c,2024-01-11,\n"           /* active */
                       "d,2024-01-30,2024-04-05\n" /* D+29 to D+95: 66 days, lasted 2 */
                       "h,2024-01-06,2024-05-30\n" /* ends after the observed end: active */
                       "e,2024-01-31,\n"           /* D+30: cohort 1 */
                       "f,2024-03-06,2024-03-11\n" /* D+65: cohort 2, lasted 0 */
                       "g,2024-04-05,\n";          /* D+95: cohort 3, one period: left out */
    int32_t D = ymd(2024, 1, 1);
    rt_survivors_options o = {.period_days = 30, .observed_end = D + 100};
    rt_survivors *s = read_surv(write_text("hand.csv", text), &o);
    CHECK(s && s->ncohorts == 3);
    if (s && s->ncohorts == 3) {
        /* Cohort 0's latest start is D + 29: floor(71 / 30) + 1 = 3 periods, so every member
         * was observable for all of them. */
        static const double c0[] = {5, 4, 3}, c1[] = {1, 1, 1}, c2[] = {1, 0};
        CHECK_STREQ(s->name[0], "2024-01-01");
        CHECK(holds(s, 0, c0, 3));
        CHECK_STREQ(s->name[1], "2024-01-31");
        CHECK(holds(s, 1, c1, 3)); /* D + 30 to D + 100: floor(70 / 30) + 1 */
        CHECK_STREQ(s->name[2], "2024-03-01");
        CHECK(holds(s, 2, c2, 2)); /* D + 65 to D + 100: floor(35 / 30) + 1 */
    }
    rt_survivors_free(s);
    /* By default the observed end is the latest date seen (h's end, D + 150). */
    o.observed_end = 0;
    s = read_surv(write_text("hand.csv", text), &o);
    CHECK(s && s->ncohorts == 4);
    if (s && s->ncohorts == 4) {
        /* Cohort 0: floor((150 - 29) / 30) + 1 = 5 periods; h lasted floor(145 / 30) = 4. */
        static const double c0[] = {5, 4, 3, 2, 2};
        CHECK(holds(s, 0, c0, 5));
        CHECK(s->len[3] == 2); /* g: floor(55 / 30) + 1 */
    }
    rt_survivors_free(s);
    /* The default period is 365.25 / 12 = 30.4375 days: e (D + 30) joins cohort 0, f (D + 65)
     * is in cohort 2, which begins at D + 60.875 -> 2024-03-01, g (D + 95) in cohort 3 at
     * D + 91.3125 -> 2024-04-01. */
    s = read_surv(write_text("hand.csv", text), NULL);
    CHECK(s && s->ncohorts == 3);
    if (s && s->ncohorts == 3) {
        CHECK_STREQ(s->name[0], "2024-01-01");
        CHECK(s->alive[0][0] == 6);
        CHECK_STREQ(s->name[1], "2024-03-01");
        CHECK_STREQ(s->name[2], "2024-04-01");
    }
    rt_survivors_free(s);
}

/* ---- errors ---- */

static rt_status fails(const char *text, const rt_survivors_options *opt, rt_error *err)
{
    rt_survivors_options o = {.name = "s.csv"};
    if (opt) {
        o = *opt;
        o.name = "s.csv";
    }
    rt_survivors *s = (rt_survivors *)err;
    rt_status st = rt_survivors_read(write_text("bad.csv", text), &o, &s, err);
    if (st != RT_OK)
        CHECK(s == NULL);
    rt_survivors_free(s);
    return st;
}

static void errors_point_at_the_input(void)
{
    rt_error err;
    CHECK(fails("year,a,b\n0,100,100\n1,x,50\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:3:3: column 'a': expected a number, got \"x\"");
    CHECK(fails("year,a,b\n0,100,100\n1,90,50\n2,95,40\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg,
                "s.csv:4:3: column 'a': survivors cannot increase: expected at most 90, got "
                "\"95\"");
    CHECK(fails("t,a\n0,100\n1,\n2,50\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:4:3: column 'a': expected an empty cell: only the last periods "
                         "of a cohort may be missing, got \"50\"");
    CHECK(fails("period,a\n0,100\n2,50\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:3:1: column 'period': expected period 1 (periods run 0, 1, 2, "
                         "... in order), got \"2\"");
    CHECK(fails("period,a\n0,0\n1,0\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:3: column 'a': expected customers in period 0, got \"0\"");
    CHECK(fails("period,a,b\n0,10,10\n1,5,\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: cohort 'b' is observed for 1 period; sBG needs 2 or more");
    CHECK(fails("period,a\n0,10\n1,5\n", &(rt_survivors_options){.cohorts = "a,z"}, &err) ==
          RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: cohort column 'z' not found; the columns are: period, a");
    CHECK(fails("week,a\n0,10\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: cannot tell the layout from the header (columns: week, a): "
                         "expected wide (period, year or t first, then one column per cohort), "
                         "long (cohort, period, alive), customers (recency, T, optional cohort) "
                         "or subscriptions (start, end)");
    CHECK(fails("week,a\n0,10\n", &(rt_survivors_options){.layout = RT_SURVIVORS_WIDE}, &err) ==
          RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: wide layout: the first column must be period, year or t, "
                         "followed by one column per cohort; the columns are: week, a");
    CHECK(fails("cohort,period,n\nA,0,1\n", &(rt_survivors_options){.layout = RT_SURVIVORS_LONG},
                &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg,
                "s.csv: long layout: no alive column (alive); the columns are: cohort, period, n");
    CHECK(fails("cohort,period,alive\nA,0,10\nA,1,8\nA,1,7\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:4: cohort 'A': period 1 appears twice (also on line 3)");
    CHECK(fails("cohort,period,alive\nA,0,10\nA,2,8\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg,
                "s.csv: cohort 'A': period 1 is missing (periods must run 0, 1, 2, ... without "
                "gaps)");
    CHECK(fails("cohort,period,alive\nA,1,12\nA,0,10\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:5: column 'alive': cohort 'A': survivors cannot increase: 12 "
                         "in period 1 after 10 in period 0");
    CHECK(fails("cohort,period,alive\nA,0.5,12\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:3: column 'period': expected a whole number >= 0, got \"0.5\"");
    CHECK(fails("customer_id,recency,T,cohort\n1,1,8,A\n2,9,8,A\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg,
                "s.csv:3:3: column 'recency': expected a whole number from 1 to T = 8, got \"9\"");
    CHECK(fails("customer_id,recency,T,cohort\n1,1,8,A\n2,2,7,B\n3,2,7,A\n", NULL, &err) ==
          RT_EPARSE);
    CHECK_STREQ(err.msg,
                "s.csv:4:5: column 'T': expected T = 8 for cohort 'A' (as on line 2), got \"7\"");
    CHECK(fails("recency,T\n1,1\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: cohort 'all' is observed for 1 period; sBG needs 2 or more");
    CHECK(fails("recency,T,cohorts\n1,3,A\n", &(rt_survivors_options){.cohorts = "B"}, &err) ==
          RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: cohort 'B' not found");
    CHECK(fails("id,start,end\n1,2024-01-01,2024-13-01\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(
        err.msg,
        "s.csv:2:14: column 'end': expected a date YYYY-MM-DD or empty, got \"2024-13-01\"");
    CHECK(fails("id,start,end\n1,2024-02-01,2024-01-01\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2:14: column 'end': expected an end on or after the start, got "
                         "\"2024-01-01\"");
    CHECK(fails("id,start,end\n1,2024-02-01,\n",
                &(rt_survivors_options){.observed_end = ymd(2024, 1, 1)}, &err) == RT_EDOMAIN);
    CHECK_STREQ(
        err.msg,
        "s.csv:2: the subscription starts on 2024-02-01, after the observed end 2024-01-01");
    CHECK(fails("id,start,end\n1,2024-02-01,\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: no cohort is observed for 2 periods of 30.4375 days or more "
                         "(observed end 2024-02-01)");
    CHECK(fails("period,a\n", NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "s.csv: no data rows after the header");
    CHECK(fails("period,a\n0,1,2\n", NULL, &err) == RT_EPARSE);
    CHECK_STREQ(err.msg, "s.csv:2: expected 2 fields (as in the header), found 3");
    CHECK(fails("period,a\n0,1\n", &(rt_survivors_options){.period_days = -1}, &err) == RT_EMISUSE);
    CHECK(fails("period,a\n0,1\n", &(rt_survivors_options){.cohort_size = -1}, &err) == RT_EMISUSE);
    CHECK(fails("period,a\n0,1\n", &(rt_survivors_options){.layout = (rt_survivors_layout)9},
                &err) == RT_EMISUSE);
}

int main(void)
{
    TEST(wide_percentages_rescale_to_the_published_counts);
    TEST(pymc_customer_file_gives_the_published_counts);
    TEST(long_table_in_any_order);
    TEST(generated_subscriptions_give_the_published_counts);
    TEST(subscription_rules_on_a_hand_made_case);
    TEST(errors_point_at_the_input);
    remove_files();
    return test_report();
}
