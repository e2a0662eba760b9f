/* test_period.c - calendar periods (src/core/period.c) against a brute-force walk over every
 * day from 1900 to 2100, with ISO weeks and year ends.
 * SPDX-License-Identifier: MIT */
#include "core/date.h"
#include "harness.h"
#include "retain.h"

static int32_t day_of(int y, unsigned m, unsigned d)
{
    return (int32_t)rt_days_from_civil(y, m, d);
}

/* Walking day by day, a period starts where the calendar says it does: weeks on Mondays,
 * months on the 1st, quarters in Jan/Apr/Jul/Oct, years on Jan 1; floor, add and diff agree
 * with a counter kept along the walk. */
static void periods_agree_with_a_day_by_day_walk(void)
{
    const rt_period kinds[] = {RT_PERIOD_DAY, RT_PERIOD_WEEK, RT_PERIOD_MONTH, RT_PERIOD_QUARTER,
                               RT_PERIOD_YEAR};
    int32_t lo = day_of(1900, 1, 1), hi = day_of(2100, 12, 31);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        rt_period p = kinds[k];
        int32_t start = rt_period_floor(p, lo), index = 0, bad = 0;
        for (int32_t d = lo; d <= hi; d++) {
            int64_t y;
            unsigned m, dd;
            rt_civil_from_days(d, &y, &m, &dd);
            int weekday = (int)(((int64_t)d + 3) % 7 + 7) % 7; /* 0 = Monday */
            int starts = p == RT_PERIOD_DAY       ? 1
                         : p == RT_PERIOD_WEEK    ? weekday == 0
                         : p == RT_PERIOD_MONTH   ? dd == 1
                         : p == RT_PERIOD_QUARTER ? dd == 1 && (m - 1) % 3 == 0
                                                  : dd == 1 && m == 1;
            if (starts && d != lo) {
                index++;
                bad += rt_period_add(p, start, 1) != d;
                start = d;
            }
            bad += rt_period_floor(p, d) != start;
            bad += rt_period_diff(p, lo, d) != index;
            bad += rt_period_add(p, lo, index) != start;
            bad += rt_period_add(p, d, -index) != rt_period_floor(p, lo);
        }
        CHECK(bad == 0);
    }
}

static void weeks_cross_year_ends_on_mondays(void)
{
    /* 2024-12-30 is a Monday: its week runs into 2025; 2021-01-03 (Sunday) belongs to the
     * week starting 2020-12-28. */
    CHECK(rt_period_floor(RT_PERIOD_WEEK, day_of(2025, 1, 1)) == day_of(2024, 12, 30));
    CHECK(rt_period_floor(RT_PERIOD_WEEK, day_of(2021, 1, 3)) == day_of(2020, 12, 28));
    CHECK(rt_period_floor(RT_PERIOD_WEEK, day_of(1970, 1, 1)) == day_of(1969, 12, 29));
    CHECK(rt_period_diff(RT_PERIOD_WEEK, day_of(2024, 12, 29), day_of(2024, 12, 30)) == 1);
    CHECK(rt_period_add(RT_PERIOD_QUARTER, day_of(2024, 11, 15), 1) == day_of(2025, 1, 1));
    CHECK(rt_period_add(RT_PERIOD_MONTH, day_of(2024, 3, 31), -1) == day_of(2024, 2, 1));
    CHECK(rt_period_diff(RT_PERIOD_YEAR, day_of(2023, 12, 31), day_of(2024, 1, 1)) == 1);
}

static void period_names_round_trip(void)
{
    const char *names[] = {"day", "week", "month", "quarter", "year"};
    for (int i = 0; i < 5; i++) {
        rt_period p;
        CHECK(rt_period_parse(names[i], &p) == 0);
        CHECK_STREQ(rt_period_name(p), names[i]);
    }
    rt_period p = RT_PERIOD_WEEK;
    CHECK(rt_period_parse("fortnight", &p) == -1);
    CHECK(rt_period_parse(NULL, &p) == -1);
    CHECK(p == RT_PERIOD_WEEK);
}

int main(void)
{
    TEST(periods_agree_with_a_day_by_day_walk);
    TEST(weeks_cross_year_ends_on_mondays);
    TEST(period_names_round_trip);
    return test_report();
}
