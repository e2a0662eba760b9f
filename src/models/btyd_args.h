/* btyd_args.h - the argument checks and the log-sum the prediction formulas of BG/NBD,
 * MBG/NBD, Pareto/NBD and BG/BB share (bgnbd_predict.c, pnbd_predict.c, bgbb_predict.c).
 * Internal to src/models.
 * SPDX-License-Identifier: MIT */
#ifndef RT_BTYD_ARGS_H
#define RT_BTYD_ARGS_H

#include <math.h>

/* All four parameters finite and > 0. */
static inline int rt_btyd_params_ok(const double par[4])
{
    for (int j = 0; j < 4; j++)
        if (!(par[j] > 0) || !isfinite(par[j]))
            return 0;
    return 1;
}

/* A continuous-time history: x, T finite and >= 0, 0 <= t_x <= T, t_x = 0 when x = 0. */
static inline int rt_btyd_history_ok(double x, double t_x, double T)
{
    return x >= 0 && isfinite(x) && T >= 0 && isfinite(T) && t_x >= 0 && t_x <= T &&
           (x > 0 || t_x == 0);
}

/* log(e^u + e^v) without overflow; -inf when both are. */
static inline double rt_logaddexp(double u, double v)
{
    double m = fmax(u, v);
    if (m == -HUGE_VAL)
        return m;
    return m + log1p(exp(-fabs(u - v)));
}

#endif
