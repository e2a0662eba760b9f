/* optim.h - minimise a smooth function of at most 8 log-scale parameters (L-BFGS from
 * liblbfgs, then a few Newton steps), and the observed-information covariance at the optimum.
 * Internal to the model code: positive model parameters are passed as their logs.
 * SPDX-License-Identifier: MIT */
#ifndef RT_OPTIM_H
#define RT_OPTIM_H

#include "retain.h"

#define RT_OPTIM_MAXPAR 8

/* The objective: return f(theta) and write its gradient to 'grad' (k values). Outside the
 * domain return +inf or NaN (the optimiser treats both as +inf). */
typedef double (*rt_optim_fn)(const double *theta, double *grad, void *ctx);

/* Zero means default. */
typedef struct rt_optim_options {
    int max_iter; /* L-BFGS iterations per start; 0 = 200 */
    double tol;   /* converged when the Euclidean norm of the gradient <= tol; 0 = 1e-8 */
} rt_optim_options;

typedef struct rt_optim_result {
    int k;
    double theta[RT_OPTIM_MAXPAR];
    double f;         /* objective at theta */
    double grad_norm; /* Euclidean norm of the gradient at theta */
    int iterations;   /* L-BFGS iterations + Newton steps of the winning start */
    int evaluations;  /* objective calls over all starts, Hessian included */
    int converged;    /* grad_norm <= tol and the Hessian is positive definite */
    int start;        /* index of the winning start */
    /* Inverse of the Hessian of f at theta (row-major k x k, central differences of the
     * analytic gradient). For f = -loglik / W it is W times the covariance of theta. */
    double hinv[RT_OPTIM_MAXPAR * RT_OPTIM_MAXPAR];
} rt_optim_result;

/* Minimise 'fn' over k <= 8 parameters from each of the 'nstarts' starting points in
 * 'starts' (nstarts rows of k values) and keep the lowest f: every start goes by L-BFGS to
 * |grad| <= max(1e-6, tol / 10) relative to max(1, |theta|); the lowest f among them goes on
 * by Newton steps on a forward-difference Hessian (by L-BFGS to tol / 10 first when those do
 * not reach tol). 'what' names the fit in messages ("bgnbd fit"). RT_ENOCONV, with the numbers
 * in 'err', when the best start has |grad| > tol or a Hessian that is not positive definite (a
 * flat likelihood); RT_EDOMAIN when no start gives a finite f; RT_ENOMEM; RT_EMISUSE for bad
 * arguments. '*out' is zeroed on failure. */
rt_status rt_optim_minimize(const char *what, rt_optim_fn fn, void *ctx, int k,
                            const double *starts, int nstarts, const rt_optim_options *opt,
                            rt_optim_result *out, rt_error *err);

/* Hessian of 'fn' at 'theta' by central differences of its gradient, symmetrised, into 'h'
 * (k x k, row-major). Returns the number of objective calls, or -1 if a gradient was not
 * finite. */
int rt_optim_hessian(rt_optim_fn fn, void *ctx, int k, const double *theta, double *h);

/* Invert the symmetric k x k matrix 'a' (k <= 8) by Cholesky into 'inv'. Returns 0, or -1
 * if 'a' is not numerically positive definite (a pivot <= 1e-8 times the largest diagonal
 * entry, or not finite: the Hessians here come from differences of gradients, with errors
 * near 1e-10 of their largest entries, so a smaller pivot cannot be told from 0). */
int rt_optim_spd_inverse(int k, const double *a, double *inv);

/* A fitted model. par/se are natural parameters (BG/NBD: r, alpha, a, b); se comes from the
 * observed information on the log scale by the delta method, se(p) = p * se(log p). */
typedef struct rt_fit {
    int npar;
    double par[8], se[8];
    double loglik;
    int iterations, converged;
    double grad_norm; /* |gradient| of -loglik / sum(w) w.r.t. the log-parameters */
    size_t n;         /* customers: sum of the weights */
    size_t patterns;  /* rows (patterns) given */
    int evaluations;  /* objective (likelihood and gradient) evaluations, Hessians included */
} rt_fit;

/* Fill 'out' from the optimum 'r' of an objective f = -loglik / 'wsum' over log-parameters:
 * par = exp(theta), se by the delta method from r.hinv (wsum times the covariance of the
 * log-parameters), loglik = -f * wsum; 'n' = wsum rounded, 'patterns' as given. */
void rt_optim_fill_fit(const rt_optim_result *r, double wsum, size_t patterns, rt_fit *out);

#endif
