/* optim.c - the model fitters' minimiser: L-BFGS (liblbfgs) from each starting point, a few
 * Newton steps on the numerical Hessian to polish, and the inverse Hessian at the optimum.
 * Parameters are log-scale; the caller turns the inverse Hessian into standard errors.
 * SPDX-License-Identifier: MIT */
#include "models/optim.h"

#include "core/error.h"

#include <lbfgs.h>
#include <math.h>
#include <string.h>

/* liblbfgs always sees 8 variables: the unused ones have a zero gradient and never move.
 * That keeps us clear of its SSE builds' "n must be a multiple of 8" rule. */
#define NPAD 8

typedef struct eval_ctx {
    rt_optim_fn fn;
    void *ctx;
    int k;
    int evaluations;
    int iterations; /* last iteration number liblbfgs reported */
    /* The last point evaluated, its f (as call() returns it) and gradient: liblbfgs evaluates
     * the start again and we evaluate its end point again; those repeats come from here. */
    int have_last;
    double last_theta[RT_OPTIM_MAXPAR], last_f, last_grad[RT_OPTIM_MAXPAR];
} eval_ctx;

/* Call the objective, mapping NaN to +inf so that line searches back off from it. */
static double call(eval_ctx *e, const double *theta, double *grad)
{
    size_t bytes = (size_t)e->k * sizeof *theta;
    if (e->have_last && memcmp(theta, e->last_theta, bytes) == 0) {
        memcpy(grad, e->last_grad, bytes);
        return e->last_f;
    }
    e->evaluations++;
    double f = e->fn(theta, grad, e->ctx);
    if (!isfinite(f))
        f = HUGE_VAL;
    for (int i = 0; i < e->k; i++)
        if (!isfinite(grad[i]))
            f = HUGE_VAL;
    memcpy(e->last_theta, theta, bytes);
    memcpy(e->last_grad, grad, bytes);
    e->last_f = f;
    e->have_last = 1;
    return f;
}

static double norm2(int k, const double *v)
{
    double s = 0.0;
    for (int i = 0; i < k; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

/* liblbfgs evaluate callback: f and gradient for the first 'k' of the padded variables. */
static lbfgsfloatval_t lb_evaluate(void *instance, const lbfgsfloatval_t *x, lbfgsfloatval_t *g,
                                   const int n, const lbfgsfloatval_t step)
{
    eval_ctx *e = instance;
    (void)step;
    for (int i = 0; i < n; i++)
        g[i] = 0.0;
    return call(e, x, g);
}

/* liblbfgs progress callback: only counts iterations; returning 0 continues. */
static int lb_progress(void *instance, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                       const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm,
                       const lbfgsfloatval_t gnorm, const lbfgsfloatval_t step, int n, int k,
                       int ls)
{
    eval_ctx *e = instance;
    (void)x, (void)g, (void)fx, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)ls;
    e->iterations = k;
    return 0;
}

int rt_optim_spd_inverse(int k, const double *a, double *inv)
{
    double l[RT_OPTIM_MAXPAR * RT_OPTIM_MAXPAR] = {0};
    double dmax = 0.0;
    if (k < 1 || k > RT_OPTIM_MAXPAR)
        return -1;
    for (int i = 0; i < k; i++)
        if (fabs(a[i * k + i]) > dmax)
            dmax = fabs(a[i * k + i]);
    if (!(dmax > 0.0) || !isfinite(dmax))
        return -1;
    /* Cholesky a = L L^T, lower triangle of 'l'. */
    for (int j = 0; j < k; j++) {
        double d = a[j * k + j];
        for (int p = 0; p < j; p++)
            d -= l[j * k + p] * l[j * k + p];
        if (!(d > 1e-8 * dmax) || !isfinite(d))
            return -1;
        l[j * k + j] = sqrt(d);
        for (int i = j + 1; i < k; i++) {
            double s = a[i * k + j];
            for (int p = 0; p < j; p++)
                s -= l[i * k + p] * l[j * k + p];
            l[i * k + j] = s / l[j * k + j];
        }
    }
    /* Solve L L^T x = e_c column by column. */
    for (int c = 0; c < k; c++) {
        double y[RT_OPTIM_MAXPAR];
        for (int i = 0; i < k; i++) {
            double s = (i == c) ? 1.0 : 0.0;
            for (int p = 0; p < i; p++)
                s -= l[i * k + p] * y[p];
            y[i] = s / l[i * k + i];
        }
        for (int i = k - 1; i >= 0; i--) {
            double s = y[i];
            for (int p = i + 1; p < k; p++)
                s -= l[p * k + i] * inv[p * k + c];
            inv[i * k + c] = s / l[i * k + i];
        }
    }
    /* Make it exactly symmetric. */
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++)
            inv[i * k + j] = inv[j * k + i] = 0.5 * (inv[i * k + j] + inv[j * k + i]);
    return 0;
}

int rt_optim_hessian(rt_optim_fn fn, void *ctx, int k, const double *theta, double *h)
{
    eval_ctx e = {.fn = fn, .ctx = ctx, .k = k};
    double tp[RT_OPTIM_MAXPAR], gp[RT_OPTIM_MAXPAR], gm[RT_OPTIM_MAXPAR];
    for (int j = 0; j < k; j++) {
        /* Step near the cube root of DBL_EPSILON, the optimum for central differences. */
        double step = 1e-5 * fmax(1.0, fabs(theta[j]));
        memcpy(tp, theta, (size_t)k * sizeof *tp);
        tp[j] = theta[j] + step;
        if (!isfinite(call(&e, tp, gp)))
            return -1;
        tp[j] = theta[j] - step;
        if (!isfinite(call(&e, tp, gm)))
            return -1;
        for (int i = 0; i < k; i++)
            h[i * k + j] = (gp[i] - gm[i]) / (2.0 * step);
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++)
            h[i * k + j] = h[j * k + i] = 0.5 * (h[i * k + j] + h[j * k + i]);
    return e.evaluations;
}

/* Hessian by forward differences of the gradient 'g' at 'theta' (k calls), symmetrised: for
 * Newton steps, which need only a few correct digits. Step 1e-6 (times |theta| beyond 1):
 * truncation ~1e-6 relative, rounding ~1e-16 |g| / 1e-6. Returns -1 if a gradient is not
 * finite. */
static int hessian_forward(eval_ctx *e, const double *theta, const double *g, double *h)
{
    double tp[RT_OPTIM_MAXPAR], gp[RT_OPTIM_MAXPAR];
    int k = e->k;
    for (int j = 0; j < k; j++) {
        double step = 1e-6 * fmax(1.0, fabs(theta[j]));
        memcpy(tp, theta, (size_t)k * sizeof *tp);
        tp[j] = theta[j] + step;
        if (!isfinite(call(e, tp, gp)))
            return -1;
        for (int i = 0; i < k; i++)
            h[i * k + j] = (gp[i] - g[i]) / step;
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++)
            h[i * k + j] = h[j * k + i] = 0.5 * (h[i * k + j] + h[j * k + i]);
    return 0;
}

/* Newton steps theta -= H^{-1} g from 'theta' (f 'f', gradient 'g') until |grad| < 'stop',
 * kept while they shrink |grad| without raising f beyond rounding. L-BFGS's line search
 * stalls on f differences near DBL_EPSILON * |f|; Newton steps need only gradients, so they
 * reach |grad| ~ 1e-12, and from |grad| ~ 1e-6 they get there in one step of k + 1 calls
 * (the forward-difference Hessian's ~1e-6 relative error leaves ~1e-12). */
static int polish(eval_ctx *e, double *theta, double *f, double *g, double stop)
{
    int steps = 0;
    for (int it = 0; it < 8; it++) {
        double h[RT_OPTIM_MAXPAR * RT_OPTIM_MAXPAR], hinv[RT_OPTIM_MAXPAR * RT_OPTIM_MAXPAR];
        double tn[RT_OPTIM_MAXPAR], gn[RT_OPTIM_MAXPAR];
        double gnorm = norm2(e->k, g);
        if (gnorm < stop)
            break;
        if (hessian_forward(e, theta, g, h) != 0 || rt_optim_spd_inverse(e->k, h, hinv) != 0)
            break;
        for (int i = 0; i < e->k; i++) {
            double d = 0.0;
            for (int j = 0; j < e->k; j++)
                d -= hinv[i * e->k + j] * g[j];
            tn[i] = theta[i] + d;
        }
        double fn = call(e, tn, gn);
        if (!isfinite(fn) || norm2(e->k, gn) >= gnorm || fn > *f + 1e-13 * fmax(1.0, fabs(*f)))
            break;
        memcpy(theta, tn, (size_t)e->k * sizeof *theta);
        memcpy(g, gn, (size_t)e->k * sizeof *g);
        *f = fn;
        steps++;
    }
    return steps;
}

/* L-BFGS from 'start' until |grad| / max(1, |theta|) <= 'eps' or 'max_iter' iterations. Writes
 * the end point, f and gradient into 'r' and 'g' and adds its iterations to r->iterations.
 * Returns RT_OK, RT_ENOMEM, or RT_EDOMAIN when f is not finite at the start or the end. */
static rt_status run_lbfgs(eval_ctx *e, const double *start, double eps, int max_iter,
                           rt_optim_result *r, double *g)
{
    lbfgs_parameter_t param;
    lbfgsfloatval_t fx = 0.0;
    double g0[NPAD] = {0};
    lbfgsfloatval_t *x = lbfgs_malloc(NPAD);
    if (!x)
        return RT_ENOMEM;
    for (int i = 0; i < NPAD; i++)
        x[i] = i < e->k ? start[i] : 0.0;
    if (!isfinite(call(e, x, g0))) {
        lbfgs_free(x);
        return RT_EDOMAIN;
    }
    lbfgs_parameter_init(&param);
    param.max_iterations = max_iter;
    param.epsilon = eps;
    /* Backtracking copes with +inf outside the domain; More-Thuente's cubic fits do not. */
    param.linesearch = LBFGS_LINESEARCH_BACKTRACKING_WOLFE;
    e->iterations = 0;
    int ret = lbfgs(NPAD, x, &fx, lb_evaluate, lb_progress, e, &param);
    if (ret == LBFGSERR_OUTOFMEMORY) {
        lbfgs_free(x);
        return RT_ENOMEM;
    }
    /* Any other stop (success, rounding error, iteration limit) leaves liblbfgs's best point
     * in x: judge it by its gradient, not by liblbfgs's return code. */
    memcpy(r->theta, x, (size_t)e->k * sizeof *x);
    lbfgs_free(x);
    r->f = call(e, r->theta, g);
    r->iterations += e->iterations;
    return isfinite(r->f) ? RT_OK : RT_EDOMAIN;
}

rt_status rt_optim_minimize(const char *what, rt_optim_fn fn, void *ctx, int k,
                            const double *starts, int nstarts, const rt_optim_options *opt,
                            rt_optim_result *out, rt_error *err)
{
    rt_optim_options o = {0};
    rt_optim_result best, cur;
    eval_ctx e = {.fn = fn, .ctx = ctx, .k = k};
    int have = 0;
    double h[RT_OPTIM_MAXPAR * RT_OPTIM_MAXPAR], g[NPAD] = {0}, gbest[NPAD] = {0};

    if (out)
        memset(out, 0, sizeof *out);
    if (!what || !fn || !starts || !out || k < 1 || k > RT_OPTIM_MAXPAR || nstarts < 1)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "optim: bad arguments");
    if (opt)
        o = *opt;
    if (o.max_iter <= 0)
        o.max_iter = 200;
    if (!(o.tol > 0.0))
        o.tol = 1e-8;

    /* Every start goes by L-BFGS to |grad| ~ 1e-6 (relative to max(1, |theta|)), where the
     * lowest f tells the optima apart to ~1e-12 / curvature; only the best goes on, by Newton
     * steps, which take it to |grad| ~ 1e-12 in a step or two. Taking every start to tol
     * instead would cost most of the calls: L-BFGS's last digits need many line-search
     * trials on f differences near rounding. */
    const double eps_start = fmax(1e-6, 0.1 * o.tol);
    memset(&best, 0, sizeof best);
    for (int s = 0; s < nstarts; s++) {
        memset(&cur, 0, sizeof cur);
        rt_status st =
            run_lbfgs(&e, starts + (size_t)s * (size_t)k, eps_start, o.max_iter, &cur, g);
        if (st == RT_ENOMEM)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "%s: out of memory", what);
        if (st != RT_OK)
            continue;
        cur.start = s;
        if (!have || cur.f < best.f) {
            best = cur;
            memcpy(gbest, g, sizeof g);
            have = 1;
        }
    }
    if (!have)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "%s: the log-likelihood is not finite at any of %d starting points", what,
                       nstarts);
    /* Newton to 1e-3 tol (1e-11 by default): the optimum's position is then known to
     * ~1e-11 / curvature, far inside the standard errors. */
    best.iterations += polish(&e, best.theta, &best.f, gbest, 1e-3 * o.tol);
    best.grad_norm = norm2(k, gbest);
    if (best.grad_norm > o.tol && best.iterations < o.max_iter) {
        /* Newton did not get there (an indefinite Hessian on the way, say): L-BFGS on to the
         * tolerance itself, then Newton again, as for a single start. */
        double g2[NPAD] = {0};
        memset(&cur, 0, sizeof cur);
        cur.iterations = best.iterations;
        rt_status st =
            run_lbfgs(&e, best.theta, 0.1 * o.tol, o.max_iter - best.iterations, &cur, g2);
        if (st == RT_ENOMEM)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "%s: out of memory", what);
        if (st == RT_OK && cur.f <= best.f) {
            cur.start = best.start;
            cur.iterations += polish(&e, cur.theta, &cur.f, g2, 1e-3 * o.tol);
            cur.grad_norm = norm2(k, g2);
            best = cur;
        }
    }
    if (best.grad_norm > o.tol)
        return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                       "%s: no convergence after %d iterations (|grad| = %.1e, tol %.0e)", what,
                       best.iterations, best.grad_norm, o.tol);
    int calls = rt_optim_hessian(fn, ctx, k, best.theta, h);
    if (calls < 0 || rt_optim_spd_inverse(k, h, best.hinv) != 0)
        return rt_fail(err, RT_ENOCONV, NULL, 0, 0,
                       "%s: flat likelihood at the optimum after %d iterations (Hessian not "
                       "positive definite; |grad| = %.1e)",
                       what, best.iterations, best.grad_norm);
    best.k = k;
    best.converged = 1;
    best.evaluations = e.evaluations + calls;
    *out = best;
    return RT_OK;
}

void rt_optim_fill_fit(const rt_optim_result *r, double wsum, size_t patterns, rt_fit *out)
{
    out->npar = r->k;
    for (int j = 0; j < r->k; j++) {
        out->par[j] = exp(r->theta[j]);
        out->se[j] = out->par[j] * sqrt(r->hinv[j * r->k + j] / wsum);
    }
    out->loglik = -r->f * wsum;
    out->iterations = r->iterations;
    out->evaluations = r->evaluations;
    out->converged = r->converged;
    out->grad_norm = r->grad_norm;
    out->n = (size_t)llround(wsum);
    out->patterns = patterns;
}
