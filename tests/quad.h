/* quad.h - numerical integration for the model tests, written independently of the library:
 * tanh-sinh quadrature on (0, 1) (and (0, t)), and the trapezoid rule on (0, inf) after
 * u = e^w. Both converge geometrically for the analytic integrands of the BTYD models, the
 * first despite the endpoint singularities of Beta densities.
 * SPDX-License-Identifier: MIT */
#ifndef RT_TEST_QUAD_H
#define RT_TEST_QUAD_H

#include <math.h>

/* An integrand on (0, 1) evaluated at x, given also log x and log(1 - x) (both formed from
 * the substitution's own logs, so neither loses digits near its endpoint). */
typedef double (*quad01_fn)(double x, double lx, double l1x, void *ctx);

/* log(1 + e^d) without overflow. */
static inline double quad_log1pexp(double d)
{
    return d > 0 ? d + log1p(exp(-d)) : log1p(exp(d));
}

/* Integral of f over (0, 1) by tanh-sinh: x = 1 / (1 + exp(-pi sinh s)), dx = pi cosh(s)
 * x (1 - x) ds, trapezoid in s with step 1/'per_unit' over [-5, 5] (at s = +-5, x (1 - x) <
 * e^-230). per_unit = 128 is near machine precision for Beta-type integrands; 64 costs half
 * and is good to ~1e-13. */
__attribute__((unused)) static double quad01(quad01_fn f, void *ctx, int per_unit)
{
    const double pi = 3.14159265358979323846, h = 1.0 / per_unit;
    double s = 0.0;
    for (int k = -5 * per_unit; k <= 5 * per_unit; k++) {
        double sk = k * h, xk = pi * sinh(sk);
        double lx = -quad_log1pexp(-xk), l1x = -quad_log1pexp(xk);
        double x = exp(lx);
        s += f(x, lx, l1x, ctx) * exp(lx + l1x) * pi * cosh(sk);
    }
    return s * h;
}

/* An integrand on (0, inf) at u = e^w (w passed too). */
typedef double (*quad0inf_fn)(double u, double w, void *ctx);

/* Integral of f over (0, inf) as the integral of f(e^w) e^w over w in [wlo, whi] by the
 * trapezoid rule with step h: exponentially accurate when f(e^w) e^w is analytic in a strip
 * around the real axis and negligible beyond the ends. */
__attribute__((unused)) static double quad0inf(quad0inf_fn f, void *ctx, double wlo, double whi,
                                               double h)
{
    double s = 0.0;
    int n = (int)ceil((whi - wlo) / h);
    for (int k = 0; k <= n; k++) {
        double w = wlo + k * h, u = exp(w);
        s += f(u, w, ctx) * u * (k == 0 || k == n ? 0.5 : 1.0);
    }
    return s * h;
}

#endif
