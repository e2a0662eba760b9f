/* bench_predict.c - time per call of the BTYD prediction formulas
 * (src/models/{bgnbd,pnbd,bgbb}_predict.c) at CDNOW-like and donations-like inputs: `make
 * build/bench/bench_predict` and run it. Each figure is the mean over 200,000 calls with slightly
 * varying inputs (so nothing is hoisted). SPDX-License-Identifier: MIT */
#include "models/bgbb_predict.h"
#include "models/bgnbd_predict.h"
#include "models/pnbd.h"
#include "models/pnbd_predict.h"

#include <stdio.h>
#include <time.h>

#define CALLS 200000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const double bg[4] = {0.242595, 4.413602, 0.792922, 2.425907}; /* FHL 2005, CDNOW */
static const double pn[4] = {0.5534, 10.5776, 0.6061, 11.6650};       /* FHL 2005, CDNOW */
static const double bb[4] = {1.203522, 0.749716, 0.656718, 2.783442}; /* FHS 2010, donors */

/* One case: a name and a function of the call index. */
typedef struct bench_case {
    const char *name;
    double (*fn)(int i);
} bench_case;

/* 'j' jitters the recency by up to 6e-9 so that every call computes. */
#define J(i) (1e-9 * (double)((i) % 7))

static double f1(int i)
{
    return rt_bgnbd_expected_new(bg, 39 + J(i));
}
static double f2(int i)
{
    return rt_bgnbd_pmf_new(bg, 39 + J(i), 2);
}
static double f3(int i)
{
    return rt_bgnbd_palive(bg, 2, 30.43 + J(i), 38.86);
}
static double f4(int i)
{
    return rt_bgnbd_conditional_expected(bg, 2, 30.43 + J(i), 38.86, 39);
}
static double f5(int i)
{
    return rt_bgnbd_pmf_conditional(bg, 0, 2, 30.43 + J(i), 38.86, 39, 2);
}
static double f6(int i)
{
    return rt_mbgnbd_expected_new(bg, 39 + J(i));
}
static double f7(int i)
{
    return rt_mbgnbd_pmf_new(bg, 39 + J(i), 2);
}
static double f8(int i)
{
    return rt_mbgnbd_palive(bg, 2, 30.43 + J(i), 38.86);
}
static double f9(int i)
{
    return rt_mbgnbd_conditional_expected(bg, 2, 30.43 + J(i), 38.86, 39);
}
static double f10(int i)
{
    return rt_bgnbd_pmf_conditional(bg, 1, 2, 30.43 + J(i), 38.86, 39, 2);
}
static double f11(int i)
{
    return rt_pnbd_expected_new(pn, 39 + J(i));
}
static double f12(int i)
{
    return rt_pnbd_pmf_new(pn, 39 + J(i), 2);
}
static double f13(int i)
{
    return rt_pnbd_palive(pn, 2, 30.43 + J(i), 38.86);
}
static double f14(int i)
{
    return rt_pnbd_pmf_conditional(pn, 2, 30.43 + J(i), 38.86, 39, 2);
}
static double f15(int i)
{
    return rt_pnbd_dert(pn, 2, 30.43 + J(i), 38.86, 0.0027);
}
static double f16(int i)
{
    return rt_pnbd_dert(pn, 2, 30.43 + J(i), 38.86, 0.05);
}
static double f17(int i)
{
    return rt_bgbb_palive(bb, 2, 4, 6 + 0 * J(i));
}
static double f18(int i)
{
    return rt_bgbb_expected_new(bb, 5 + J(i));
}
static double f19(int i)
{
    return rt_bgbb_pmf_new(bb, 5, 2 + 0 * i);
}
static double f20(int i)
{
    return rt_bgbb_conditional_expected(bb, 2, 4, 6, 5 + 0 * J(i));
}
static double f21(int i)
{
    return rt_bgbb_pmf_conditional(bb, 2, 4, 6, 5, 2 + 0 * i);
}
static double f22(int i)
{
    return rt_bgbb_dert(bb, 2, 4, 6, 0.1 + J(i));
}
static double f23(int i)
{
    return rt_bgbb_conditional_expected(bb, 5, 10, 52, 52 + 0 * J(i));
}

int main(void)
{
    const bench_case cases[] = {
        {"bgnbd expected_new (t = 39)", f1},
        {"bgnbd pmf_new (k = 2)", f2},
        {"bgnbd palive", f3},
        {"bgnbd conditional_expected", f4},
        {"bgnbd pmf_conditional (k = 2)", f5},
        {"mbgnbd expected_new", f6},
        {"mbgnbd pmf_new (k = 2)", f7},
        {"mbgnbd palive", f8},
        {"mbgnbd conditional_expected", f9},
        {"mbgnbd pmf_conditional (k = 2)", f10},
        {"pnbd expected_new", f11},
        {"pnbd pmf_new (k = 2)", f12},
        {"pnbd palive (pnbd.c)", f13},
        {"pnbd pmf_conditional (k = 2)", f14},
        {"pnbd dert (delta = 0.0027, z = 0.14)", f15},
        {"pnbd dert (delta = 0.05, z = 2.5)", f16},
        {"bgbb palive (n = 6)", f17},
        {"bgbb expected_new (n = 5 + jitter)", f18},
        {"bgbb pmf_new (n = 5, k = 2)", f19},
        {"bgbb conditional_expected (n* = 5)", f20},
        {"bgbb pmf_conditional (k = 2)", f21},
        {"bgbb dert (d = 0.1)", f22},
        {"bgbb conditional_expected (n = n* = 52)", f23},
    };
    volatile double sink = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double t0 = now(), acc = 0;
        for (int i = 0; i < CALLS; i++)
            acc += cases[c].fn(i);
        sink += acc;
        printf("%-42s %7.3f us/call\n", cases[c].name, (now() - t0) / CALLS * 1e6);
    }
    (void)sink;
    return 0;
}
