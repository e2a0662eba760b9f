/* harness.h - the unit-test harness: CHECK, CHECK_NEAR, CHECK_STREQ, TEST, and a closing
 * "N passed, N failed" line. Each test binary includes this once and ends with
 * `return test_report();`.
 * SPDX-License-Identifier: MIT */
#ifndef RT_HARNESS_H
#define RT_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;
static const char *test_current = "";

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, test_current,     \
                    #cond);                                                                        \
        }                                                                                          \
    } while (0)

/* |a - b| <= rel * max(|b|, 1e-300), or both NaN. */
#define CHECK_NEAR(a, b, rel)                                                                      \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b);                                                     \
        double check_tol_ = (rel) * (fabs(check_b_) > 1e-300 ? fabs(check_b_) : 1e-300);           \
        if (fabs(check_a_ - check_b_) <= check_tol_ || (isnan(check_a_) && isnan(check_b_))) {     \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            fprintf(stderr, "%s:%d: %s: %s = %.17g, expected %.17g (rel %g)\n", __FILE__,          \
                    __LINE__, test_current, #a, check_a_, check_b_, (double)(rel));                \
        }                                                                                          \
    } while (0)

#define CHECK_STREQ(a, b)                                                                          \
    do {                                                                                           \
        const char *check_sa_ = (a), *check_sb_ = (b);                                             \
        if (check_sa_ && check_sb_ && strcmp(check_sa_, check_sb_) == 0) {                         \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            fprintf(stderr, "%s:%d: %s: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__,       \
                    test_current, #a, check_sa_ ? check_sa_ : "(null)",                            \
                    check_sb_ ? check_sb_ : "(null)");                                             \
        }                                                                                          \
    } while (0)

/* Run one test function, naming it in failure messages. */
#define TEST(fn)                                                                                   \
    do {                                                                                           \
        test_current = #fn;                                                                        \
        fn();                                                                                      \
    } while (0)

static int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
