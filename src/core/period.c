/* period.c - calendar periods (day, ISO week, month, quarter, year) on day numbers. Every
 * analysis that groups by period uses these, so boundaries agree between commands.
 * SPDX-License-Identifier: MIT */
#include "core/date.h"
#include "retain.h"

#include <string.h>

/* Months since year 0 of the month holding 'day'. */
static int64_t month_index(int32_t day)
{
    int64_t y;
    unsigned m, d;
    rt_civil_from_days(day, &y, &m, &d);
    return y * 12 + (int64_t)m - 1;
}

static int32_t month_start(int64_t index)
{
    int64_t y = index >= 0 ? index / 12 : -((-index + 11) / 12);
    unsigned m = (unsigned)(index - y * 12) + 1;
    return (int32_t)rt_days_from_civil(y, m, 1);
}

/* Months in one period of kind 'p' (month-based kinds only). */
static int64_t months_of(rt_period p)
{
    return p == RT_PERIOD_QUARTER ? 3 : p == RT_PERIOD_YEAR ? 12 : 1;
}

/* Floor division for day arithmetic (weeks before 1970 included). */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* 1970-01-01 was a Thursday: the Monday before it is day -3. */
#define MONDAY0 (-3)

int32_t rt_period_floor(rt_period p, int32_t day)
{
    switch (p) {
    case RT_PERIOD_DAY:
        return day;
    case RT_PERIOD_WEEK:
        return (int32_t)(floor_div((int64_t)day - MONDAY0, 7) * 7 + MONDAY0);
    default: {
        int64_t k = months_of(p), i = month_index(day);
        return month_start(floor_div(i, k) * k);
    }
    }
}

int32_t rt_period_add(rt_period p, int32_t day, int32_t k)
{
    int32_t start = rt_period_floor(p, day);
    switch (p) {
    case RT_PERIOD_DAY:
        return start + k;
    case RT_PERIOD_WEEK:
        return start + 7 * k;
    default:
        return month_start(month_index(start) + months_of(p) * k);
    }
}

int32_t rt_period_diff(rt_period p, int32_t from, int32_t to)
{
    switch (p) {
    case RT_PERIOD_DAY:
        return to - from;
    case RT_PERIOD_WEEK:
        return (rt_period_floor(p, to) - rt_period_floor(p, from)) / 7;
    default: {
        int64_t k = months_of(p);
        return (int32_t)(floor_div(month_index(to), k) - floor_div(month_index(from), k));
    }
    }
}

static const char *const names[] = {"month", "week", "quarter", "year", "day"};

const char *rt_period_name(rt_period p)
{
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

int rt_period_parse(const char *s, rt_period *out)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (rt_period)i;
            return 0;
        }
    return -1;
}
