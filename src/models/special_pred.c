/* special_pred.c - continued fractions (modified Lentz) and series for the prediction formulas: the
 * incomplete beta function, the gamma distribution's Stieltjes transform z^s e^z Gamma(1-s, z),
 * 2F1(1, b; c; -y), and log Gamma(y + e) / Gamma(y) by Stirling's series. Used by bgnbd_predict.c,
 * pnbd_predict.c and bgbb_predict.c; tests/unit/test_special_pred.c checks them against quadrature,
 * closed forms and series. SPDX-License-Identifier: MIT */
#include "models/special_pred.h"

#include "models/special.h"

#include <math.h>

#define CF_MAX 10000000 /* terms of a continued fraction before giving up (~50 ms) */
#define CF_TOL                                                                                     \
    1e-15               /* Lentz stops when a step changes the value by less than this: a few      \
                         * ulps, as the steps of long fractions settle in rounding noise */
#define SERIES_S_MAX 15 /* rt_gamma_stieltjes uses its series only below this s (and z < 1) */

/* Partial numerator k >= 1 of a fraction 1 / (1 + a_1 / (1 + a_2 / (1 + ...))), given the
 * parameters 'p'. */
typedef double (*cf_coef)(int k, const double *p);

/* The fraction 1 / (1 + a_1 / (1 + a_2 / ...)) by the modified Lentz algorithm (Thompson &
 * Barnett 1986): the convergents' ratio is tracked as C_k D_k, so no convergent is formed
 * and nothing overflows. NaN if CF_MAX terms do not reach CF_TOL. */
static double cf_eval(cf_coef coef, const double *p)
{
    const double tiny = 1e-300;
    double f = 1.0, c = 1.0, d = 0.0;
    for (int k = 1; k <= CF_MAX; k++) {
        double a = coef(k, p);
        d = 1.0 + a * d;
        if (fabs(d) < tiny)
            d = tiny;
        d = 1.0 / d;
        c = 1.0 + a / c;
        if (fabs(c) < tiny)
            c = tiny;
        double step = c * d;
        f *= step;
        if (fabs(step - 1.0) <= CF_TOL)
            return 1.0 / f;
    }
    return (double)NAN;
}

/* log(1 - e^l) for l <= 0 (Maechler's log1mexp: the branch keeps the digits of both). */
static double log1mexp(double l)
{
    return l > -M_LN2 ? log(-expm1(l)) : log1p(-exp(l));
}

/* ---- incomplete beta ---- */

/* DLMF 8.17.22: d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),
 * d_{2m} = m (b-m) x / ((a+2m-1)(a+2m)); p = (a, b, x). */
static double beta_coef(int k, const double *p)
{
    double a = p[0], b = p[1], x = p[2], m = (double)(k / 2);
    if (k & 1)
        return -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    return m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
}

static int beta_args_ok(double a, double b, double x, double y)
{
    return a > 0 && b > 0 && isfinite(a) && isfinite(b) && x >= 0 && y >= 0 &&
           fabs(x + y - 1.0) <= 1e-12;
}

/* The fraction of DLMF 8.17.22 for I_x(a, b) and whether the arguments were swapped to
 * I_y(b, a) (when x > (a + 1) / (a + b + 2), beyond which the fraction converges slowly):
 * then the return value belongs to the complement. 0 < x < 1. */
static double beta_fraction(double a, double b, double x, double y, int *swapped)
{
    *swapped = x > (a + 1.0) / (a + b + 2.0);
    double p[3] = {a, b, x};
    if (*swapped)
        p[0] = b, p[1] = a, p[2] = y;
    return cf_eval(beta_coef, p);
}

double rt_log_betainc(double a, double b, double x, double y, double *log_comp)
{
    double dummy;
    if (!log_comp)
        log_comp = &dummy;
    *log_comp = (double)NAN;
    if (!beta_args_ok(a, b, x, y))
        return (double)NAN;
    if (x == 0.0) {
        *log_comp = 0.0;
        return -HUGE_VAL;
    }
    if (y == 0.0) {
        *log_comp = -HUGE_VAL;
        return 0.0;
    }
    int sw;
    double f = beta_fraction(a, b, x, y, &sw);
    /* log of x^a y^b / (a B(a, b)) f, with the roles swapped when 'sw'. */
    double aa = sw ? b : a;
    double direct = a * log(x) + b * log(y) - log(aa) - rt_lbeta_acc(a, b) + log(f);
    if (direct > 0.0) /* rounding, when the value is 1 to the last bit */
        direct = 0.0;
    if (sw) {
        *log_comp = direct;
        return log1mexp(direct);
    }
    *log_comp = log1mexp(direct);
    return direct;
}

double rt_log_betainc_scaled(double a, double b, double x, double y)
{
    if (!beta_args_ok(a, b, x, y) || !(x > 0.0) || !(y > 0.0))
        return (double)NAN;
    int sw;
    double f = beta_fraction(a, b, x, y, &sw);
    if (!sw)
        return log(f / a); /* x^a y^b / (a B) f times B / (x^a y^b) */
    /* B (1 - I_y(b, a)) / (x^a y^b), the complement being y^b x^a / (b B) f. */
    double lb = rt_lbeta_acc(a, b), lc = a * log(x) + b * log(y) - log(b) - lb + log(f);
    return lb - a * log(x) - b * log(y) + log1mexp(fmin(lc, 0.0));
}

double rt_betainc_scaled(double a, double b, double x, double y)
{
    return exp(rt_log_betainc_scaled(a, b, x, y));
}

/* ---- Stieltjes transform of the gamma distribution ---- */

/* Legendre's fraction, DLMF 8.9.2, divided through by z: Q = 1 / (1 + (s/z) / (1 + (1/z) /
 * (1 + ((1+s)/z) / (1 + (2/z) / ...)))): a_{2j+1} = (j + s) / z, a_{2j+2} = (j + 1) / z,
 * all positive. p = (s, z). */
static double gamma_coef(int k, const double *p)
{
    double j = (double)((k - 1) / 2);
    return (k & 1) ? (j + p[0]) / p[1] : (j + 1.0) / p[1];
}

/* log Gamma(1 + e) for |e| <= 1/2, accurate relative to its size even for tiny e: 1 + e is
 * rounded, so the rounding d - e (|d - e| <= 2^-53) is put back to first order with
 * psi(1 + d). */
static double lgamma1p(double e)
{
    int sg;
    double one = 1.0 + e, d = one - 1.0; /* d exact (Sterbenz) */
    return lgamma_r(one, &sg) + (e - d) * rt_digamma(one);
}

/* The series of rt_gamma_stieltjes for 0 < z < 1 (and s < SERIES_S_MAX): by DLMF 8.2.1 and
 * 8.7.1, continued analytically to 1 - s <= 0,
 *   Q = z^s e^z Gamma(1 - s) - z e^z sum_k (-z)^k / (k! (k + 1 - s)).
 * For s >= 1/2, with m the nearest integer, n = m - 1 and e = m - s in [-1/2, 1/2], the term
 * k = n has the pole 1 / e that Gamma(1 - s) = Gamma(e - n) cancels; the two are combined in
 * closed form: z^(s-1) Gamma(1-s) - (-z)^n / (n! e) = (-z)^n / n! expm1(G) / e with
 *   G = -e log z + log Gamma(1 + e) - sum_{j=1..n} log(1 - e/j),
 * (Gamma(e - n) = (-1)^n Gamma(1 + e) / (e prod_j (j - e))), whose limit at e = 0 is
 * -log z - gamma_E + H_n. No interpolation or cancellation near integer s is left. Terms fall
 * like z^k / k! once k > s. */
static double gamma_series(double s, double z)
{
    double m = nearbyint(s), pole = 0.0, lz = log(z);
    int n = -1; /* the index of the term with the pole, or -1 when s < 1/2 */
    if (m >= 1.0) {
        n = (int)m - 1;
        double e = m - s, G = -e * lz + lgamma1p(e), h = 0.0, zn = 1.0;
        for (int j = 1; j <= n; j++) {
            G -= log1p(-e / (double)j);
            h += 1.0 / (double)j;
            zn *= -z / (double)j; /* (-z)^n / n! */
        }
        /* expm1(G) / e; below 1e-9 its first order e g0 suffices (the next is ~e^2). */
        double g0 = -lz - 0.57721566490153286061 + h;
        pole = zn * (e == 0.0 ? g0 : fabs(e) < 1e-9 ? expm1(e * g0) / e : expm1(G) / e);
    }
    double sum = 0.0, t = 1.0; /* t = (-z)^k / k! */
    for (int k = 0; k < 400; k++) {
        if (k != n) {
            double term = t / ((double)k + 1.0 - s);
            sum += term;
            if ((double)k > s && fabs(term) <= 1e-17 * fabs(sum))
                break;
        }
        t *= -z / ((double)k + 1.0);
    }
    if (n >= 0)
        return z * exp(z) * (pole - sum);
    int sg;
    double lg = lgamma_r(1.0 - s, &sg);
    return (double)sg * exp(s * lz + z + lg) - z * exp(z) * sum;
}

double rt_gamma_stieltjes(double s, double z)
{
    if (!(s > 0) || !isfinite(s) || !(z >= 0))
        return (double)NAN;
    if (z == 0.0)
        return 0.0;
    if (z == HUGE_VAL)
        return 1.0;
    if (z >= 1.0 || s >= SERIES_S_MAX) {
        double p[2] = {s, z};
        return cf_eval(gamma_coef, p);
    }
    return gamma_series(s, z);
}

/* ---- 2F1(1, b; c; -y) ---- */

/* Gauss's fraction for F(a, 1; c' + 1; z) = 1 / (1 + k_1 z / (1 + k_2 z / ...)) with
 * k_{2j+1} = -(a+j)(c'+j) / ((c'+2j)(c'+2j+1)), k_{2j+2} = -(j+1)(c'-a+j+1) / ((c'+2j+1)
 * (c'+2j+2)), from the contiguous relations F(a, b+1; c+1) - F(a, b; c) = a (c-b) / (c (c+1))
 * z F(a+1, b+1; c+2) and F(a+1, b; c+1) - F(a, b; c) = b (c-a) / (c (c+1)) z F(a+1, b+1; c+2)
 * at b = 0. Here a = b_, c' = c_ - 1 and z = -y, so every partial numerator is positive;
 * the first, b_ y / c_, is written without the factor c' / c' that is 0/0 at c_ = 1.
 * p = (b_, c_, y). */
static double hyp_coef(int k, const double *p)
{
    double b = p[0], c = p[1], y = p[2];
    if (k == 1)
        return b * y / c;
    if (k & 1) {
        double j = (double)((k - 1) / 2), cp = c - 1.0;
        return (b + j) * (cp + j) * y / ((cp + 2.0 * j) * (cp + 2.0 * j + 1.0));
    }
    double j = (double)((k - 2) / 2);
    return (j + 1.0) * (c - b + j) * y / ((c + 2.0 * j) * (c + 2.0 * j + 1.0));
}

double rt_hyp2f1_one_neg(double b, double c, double y)
{
    if (!(b > 0) || !(c > b) || !isfinite(c) || !(y >= 0) || !isfinite(y))
        return (double)NAN;
    if (y == 0.0)
        return 1.0;
    double p[3] = {b, c, y};
    return cf_eval(hyp_coef, p);
}

/* ---- log Gamma(y + e) - log Gamma(y) ---- */

#define SHIFT_Y0 30.0 /* Stirling's series is used from here up */
#define SHIFT_K 10    /* its terms: with |e| < 1 the first omitted is < 1e-17 at y = 30 */
#define SHIFT_E_MAX 1000.0

/* log Gamma(y + f) - log Gamma(y) for |f| < 1, y > 0, y + f > 0: the recurrence
 * g(y) = g(y + 1) - log(1 + f / y) up to y >= SHIFT_Y0, then the difference of Stirling
 * series (DLMF 5.11.8): f log y + sum_k (-1)^(k+1) D_{k+1}(f) / (k (k+1) y^k), with
 * D_n(f) = B_n(f) - B_n = sum_{j=1..n} C(n, j) B_{n-j} f^j (Bernoulli polynomials and numbers),
 * every term carrying a factor f. Its terms shrink like |f| / y < 1/30. */
static double shift_frac(double y, double f)
{
    static const double bern[SHIFT_K + 2] = {1.0,      -0.5, 1.0 / 6,   0.0, -1.0 / 30, 0.0,
                                             1.0 / 42, 0.0,  -1.0 / 30, 0.0, 5.0 / 66,  0.0};
    if (f == 0.0)
        return 0.0;
    double back = 0.0;
    while (y < SHIFT_Y0) {
        back += log1p(f / y);
        y += 1.0;
    }
    double sum = f * log(y), yk = 1.0;
    for (int k = 1; k <= SHIFT_K; k++) {
        int n = k + 1;
        double d = 0.0, c = 1.0, fj = 1.0; /* c = C(n, j), fj = f^j */
        for (int j = 1; j <= n; j++) {
            c = c * (double)(n - j + 1) / (double)j;
            fj *= f;
            d += c * bern[n - j] * fj;
        }
        yk *= y;
        sum += ((k & 1) ? 1.0 : -1.0) * d / ((double)(k * (k + 1)) * yk);
    }
    return sum - back;
}

/* log of prod_{j=0}^{n-1} (y + j), n >= 0, as few logs of partial products as overflow
 * allows. */
static double log_rising(double y, double n)
{
    double sum = 0.0, prod = 1.0;
    for (double j = 0; j < n; j += 1.0) {
        prod *= y + j;
        if (prod > 1e250) {
            sum += log(prod);
            prod = 1.0;
        }
    }
    return sum + log(prod);
}

double rt_lgamma_shift(double y, double e)
{
    if (!(y > 0) || !isfinite(y) || !(y + e > 0) || !(fabs(e) <= SHIFT_E_MAX))
        return (double)NAN;
    /* e = n + f with n the integer toward zero, so y + n > 0 and |f| < 1:
     * Gamma(y + n) / Gamma(y) is a rising product (or the inverse of one below y). */
    double n = e >= 0 ? floor(e) : ceil(e), f = e - n;
    double whole = n >= 0 ? log_rising(y, n) : -log_rising(y + n, -n);
    return whole + shift_frac(y + n, f);
}

double rt_lbeta_acc(double a, double b)
{
    double m = fmin(a, b), M = fmax(a, b);
    if (m <= SHIFT_Y0 && M >= SHIFT_Y0)
        return rt_lgamma(m) - rt_lgamma_shift(M, m);
    return rt_lbeta(a, b);
}

double rt_lgamma_diff(double y, double e)
{
    if (y >= SHIFT_Y0 && fabs(e) <= SHIFT_E_MAX)
        return rt_lgamma_shift(y, e);
    return rt_lgamma(y + e) - rt_lgamma(y);
}

double rt_lbeta_ratio(double a, double b, double k)
{
    return rt_lgamma_diff(b, k) - rt_lgamma_diff(a + b, k);
}
