/* special.c - digamma and the Gaussian hypergeometric function 2F1 for real arguments, z < 1,
 * by the power series plus the Pfaff and 1 - z transformations (DLMF 15.2, 15.8). Used by the
 * Pareto/NBD likelihood (pnbd.c); tests/unit/test_special.c checks closed forms and a long
 * double series.
 * SPDX-License-Identifier: MIT */
#include "models/special.h"

#include <math.h>
#include <stddef.h>

#define SERIES_MAX 200000  /* terms of the 2F1 series before RT_HYP_NOCONV */
#define SERIES_ZMAX 0.9    /* the plain series is used up to here (for z >= 0) */
#define FALLBACK_ZMAX 0.99 /* the series is used up to here when 15.8.4 is singular */
#define INT_TOL 1e-6       /* c - a - b this close to an integer makes 15.8.4 singular */

double rt_digamma(double x)
{
    if (!(x > 0.0))
        return (double)NAN;
    double acc = 0.0;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    /* psi(x) ~ log x - 1/2x - sum B_2k / (2k x^2k); the first omitted term is
     * 3617 / (8160 x^16) < 5e-17 at x >= 10. */
    double i2 = 1.0 / (x * x);
    return acc + log(x) - 0.5 / x -
           i2 *
               (1.0 / 12 -
                i2 * (1.0 / 120 -
                      i2 * (1.0 / 252 -
                            i2 * (1.0 / 240 - i2 * (1.0 / 132 - i2 * (691.0 / 32760 - i2 / 12))))));
}

/* 1 if 'v' is a non-positive integer (a pole of Gamma). */
static int is_pole(double v)
{
    return v <= 0.0 && v == floor(v);
}

/* The power series of 2F1(a, b; c; z), |z| < 1, c not a pole. Stops when every term left is
 * below 1e-17 of the sum: once a + n, b + n, c + n are positive, the term ratio
 * rho_n = z (a+n)(b+n) / ((c+n)(n+1)) tends monotonically to z, so the tail is at most
 * |t_n| rho / (1 - rho) with rho = max(|rho_n|, |z|). A non-positive integer a or b ends
 * the series exactly. Sets '*flag' to RT_HYP_NOCONV if SERIES_MAX terms are not enough. */
static double series(double a, double b, double c, double z, rt_hyp_flag *flag)
{
    double sum = 1.0, t = 1.0;
    for (int n = 0; n < SERIES_MAX; n++) {
        double dn = (double)n;
        double rho = z * (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0));
        t *= rho;
        sum += t;
        if (t == 0.0)
            return sum;
        if (a + dn > 0 && b + dn > 0 && c + dn > 0) {
            double rm = fmax(fabs(rho), fabs(z));
            if (rm < 1.0 && fabs(t) * rm / (1.0 - rm) <= 1e-17 * fabs(sum))
                return sum;
        }
    }
    *flag = RT_HYP_NOCONV;
    return (double)NAN;
}

/* log |Gamma(v)| and its sign, thread-safe. */
static double lgam_sign(double v, int *sign)
{
    return lgamma_r(v, sign);
}

/* Gamma(p1) Gamma(p2) / (Gamma(q1) Gamma(q2)); 0 when q1 or q2 is a pole (1/Gamma = 0).
 * p1, p2 must not be poles. Computed through log Gamma so that large arguments do not
 * overflow the factors. */
static double gamma_ratio(double p1, double p2, double q1, double q2)
{
    if (is_pole(q1) || is_pole(q2))
        return 0.0;
    int s1, s2, s3, s4;
    double l = lgam_sign(p1, &s1) + lgam_sign(p2, &s2) - lgam_sign(q1, &s3) - lgam_sign(q2, &s4);
    return (double)(s1 * s2 * s3 * s4) * exp(l);
}

/* 2F1 for 0 <= z <= 1 (after any Pfaff step): series, 15.8.4, or Gauss's sum at z = 1. */
static double hyp_unit(double a, double b, double c, double z, rt_hyp_flag *flag)
{
    double d = c - a - b;
    int d_int = fabs(d - nearbyint(d)) < INT_TOL;
    if (z == 1.0) {
        if (!(d > 0.0)) {
            *flag = RT_HYP_DOMAIN;
            return (double)NAN;
        }
        return gamma_ratio(c, d, c - a, c - b);
    }
    if (z <= SERIES_ZMAX || (d_int && z <= FALLBACK_ZMAX))
        return series(a, b, c, z, flag);
    if (d_int) {
        *flag = RT_HYP_UNSUPPORTED;
        return (double)NAN;
    }
    /* DLMF 15.8.4 with w = 1 - z < 0.5:
     *   F = G(c)G(d)/(G(c-a)G(c-b)) F(a, b; 1-d; w) + w^d G(c)G(-d)/(G(a)G(b)) F(c-a, c-b; 1+d; w).
     * 1 - d and 1 + d are not poles because d is not an integer. */
    double w = 1.0 - z;
    double g1 = gamma_ratio(c, d, c - a, c - b);
    double g2 = gamma_ratio(c, -d, a, b);
    double f1 = g1 != 0.0 ? series(a, b, 1.0 - d, w, flag) : 0.0;
    double f2 = g2 != 0.0 ? series(c - a, c - b, 1.0 + d, w, flag) : 0.0;
    if (*flag != RT_HYP_OK)
        return (double)NAN;
    return g1 * f1 + pow(w, d) * g2 * f2;
}

double rt_hyp2f1_ex(double a, double b, double c, double z, rt_hyp_flag *flag)
{
    rt_hyp_flag dummy;
    if (!flag)
        flag = &dummy;
    *flag = RT_HYP_OK;
    if (isnan(a) || isnan(b) || isnan(c) || isnan(z) || !isfinite(a) || !isfinite(b) ||
        !isfinite(c) || is_pole(c) || z > 1.0 || z == -HUGE_VAL) {
        *flag = RT_HYP_DOMAIN;
        return (double)NAN;
    }
    if (z == 0.0 || a == 0.0 || b == 0.0)
        return 1.0;
    if (z >= 0.0 || (z >= -0.5 && (is_pole(a) || is_pole(b))))
        return hyp_unit(a, b, c, z, flag);
    /* z < 0: Pfaff (DLMF 15.8.1), F(a, b; c; z) = (1 - z)^-a F(a, c - b; c; z / (z - 1)), even
     * for -0.5 <= z < 0: its series has positive terms when a, c - b, c > 0, where the direct
     * one alternates. */
    double v = hyp_unit(a, c - b, c, z / (z - 1.0), flag);
    if (*flag != RT_HYP_OK)
        return (double)NAN;
    return pow(1.0 - z, -a) * v;
}

double rt_hyp2f1(double a, double b, double c, double z)
{
    return rt_hyp2f1_ex(a, b, c, z, NULL);
}

double rt_log_hyp2f1_a1(double a, double b, double z)
{
    if (!(a > 0.0) || !(b > 0.0) || !(b < a + 1.0) || !(z >= 0.0) || !(z < 1.0))
        return (double)NAN;
    /* Euler: F(a, b; a+1; z) = (1-z)^(1-b) F(1, bb; cc; z), bb = a+1-b, cc = a+1 > bb > 0. The
     * series sum_n (bb)_n / (cc)_n z^n has positive terms with ratio
     * z (bb+n) / (cc+n) < z, so its tail after term t is below t z / (1 - z). */
    double bb = a + 1.0 - b, cc = a + 1.0;
    double sum = 1.0, t = 1.0, q = z / (1.0 - z);
    for (int n = 0; n < 1000000; n++) {
        double dn = (double)n;
        t *= z * (bb + dn) / (cc + dn);
        sum += t;
        if (t * q <= 1e-17 * sum)
            return (1.0 - b) * log1p(-z) + log(sum);
    }
    return (double)NAN;
}

double rt_log_hyp2f1_a1_grad(double a, double b, double z, double d[3])
{
    if (!(a > 0.0) || !(b > 0.0) || !(b < a + 1.0) || !(z >= 0.0) || !(z < 1.0)) {
        d[0] = d[1] = d[2] = (double)NAN;
        return (double)NAN;
    }
    /* With bb = a+1-b, cc = a+1, the Euler series S = sum_n t_n, t_n = prod_{k<n} z (bb+k) /
     * (cc+k), and log F = (1-b) log(1-z) + log S. As bb and cc both move with a:
     *   d log t_n / da = sum_{k<n} 1/(bb+k) - 1/(cc+k) = b D_n, D_n = sum_{k<n} 1/((bb+k)(cc+k)),
     *   d log t_n / db = -B_n, B_n = sum_{k<n} 1/(bb+k),
     *   d t_n / dz = n t_n / z = n u_n, u_n = t_{n-1} (bb+n-1) / (cc+n-1),
     * so d log F / da = b SD / S, d/db = -log(1-z) - SB / S, d/dz = -(1-b)/(1-z) + SN / S with
     * SD = sum t_n D_n, SB = sum t_n B_n, SN = sum n u_n: positive terms throughout.
     * Tails after term N, from t_n <= t_N z^(n-N), u_n <= t_(n-1) and increments of B, D that
     * fall with k: S: t_N q; SB: t_N (B_N q + q2 / (bb+N)); SD: t_N (D_N q + q2 / ((bb+N)
     * (cc+N))); SN: t_N (N + 1/(1-z)) / (1-z); q = z/(1-z), q2 = z/(1-z)^2. Stop when all of
     * them, as they enter the results (SD times b), are below 1e-17 S. */
    double bb = a + 1.0 - b, cc = a + 1.0, iz = 1.0 / (1.0 - z), q = z * iz, q2 = q * iz;
    double S = 1.0, t = 1.0, B = 0.0, D = 0.0, SB = 0.0, SD = 0.0, SN = 0.0;
    for (int n = 0; n < 1000000; n++) {
        double dn = (double)n, ib = 1.0 / (bb + dn), ic = 1.0 / (cc + dn);
        double u = t * (bb + dn) * ic; /* t_(n+1) / z */
        B += ib;
        D += ib * ic;
        t = z * u;
        S += t;
        SB += t * B;
        SD += t * D;
        SN += (dn + 1.0) * u;
        double tail = t * (q * (1.0 + B + b * D) + q2 * ib * (1.0 + b * ic) + (dn + 1.0 + iz) * iz);
        if (tail <= 1e-17 * S) {
            double l1z = log1p(-z);
            d[0] = b * SD / S;
            d[1] = -l1z - SB / S;
            d[2] = -(1.0 - b) * iz + SN / S;
            return (1.0 - b) * l1z + log(S);
        }
    }
    d[0] = d[1] = d[2] = (double)NAN;
    return (double)NAN;
}

double rt_lgamma(double v)
{
    int sign;
    return lgamma_r(v, &sign);
}

double rt_lbeta(double a, double b)
{
    return rt_lgamma(a) + rt_lgamma(b) - rt_lgamma(a + b);
}
