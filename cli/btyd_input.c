/* btyd_input.c - input options of fit, predict and validate.
 * SPDX-License-Identifier: MIT */
#include "btyd_input.h"

#include "cli.h"

#include <math.h>
#include <string.h>

const char cli_btyd_help[] =
    "Model input:\n"
    "  --input KIND       events (default: an event log, summarised per customer) or summary\n"
    "                     (a table with frequency, recency, T[, monetary_value,\n"
    "                     holdout_frequency, weight] as `retain rfm-summary` writes, or\n"
    "                     lifetimes'/BTYD's column names: x, t_x/t.x, T.cal, m.x, x.star ...)\n"
    "  --unit U           day, week (default) or month (365.25/12 days): the time unit of\n"
    "                     recency and T\n"
    "  --calibration-end DATE\n"
    "                     YYYY-MM-DD: fit on purchases up to and including DATE; later\n"
    "                     purchases form the holdout (default: the last day of the data)\n"
    "  --weight COL       summary input: customers per row (default: weight, weights, count,\n"
    "                     custs)\n"
    "  --holdout-length L summary input: length of the holdout period, in units\n";

cli_btyd cli_btyd_init(void)
{
    cli_btyd b;
    memset(&b, 0, sizeof b);
    b.ce.format = -1;
    b.unit = RT_UNIT_WEEK;
    return b;
}

int cli_btyd_option(cli_btyd *b, const char *cmd, int c, const char *arg)
{
    int r = cli_events_option(&b->ce, cmd, c, arg);
    if (r != 0)
        return r;
    double v;
    switch (c) {
    case OPT_INPUT:
        if (strcmp(arg, "events") == 0)
            b->summary = 0;
        else if (strcmp(arg, "summary") == 0)
            b->summary = 1;
        else
            return cli_usage(cmd, "--input must be events or summary, got '%s'", arg), -1;
        return 1;
    case OPT_UNIT:
        if (rt_unit_parse(arg, &b->unit) != 0)
            return cli_usage(cmd, "--unit must be day, week or month, got '%s'", arg), -1;
        b->unit_set = 1;
        return 1;
    case OPT_CAL_END:
        if (rt_date_parse(arg, &b->cal_end) != 0)
            return cli_usage(cmd, "--calibration-end must be a date YYYY-MM-DD, got '%s'", arg), -1;
        b->has_cal_end = 1;
        return 1;
    case OPT_WEIGHT_COL:
        b->weight_col = arg;
        return 1;
    case OPT_HOLDOUT_LENGTH:
        if (cli_parse_double(arg, &v) != 0 || !(v > 0.0) || !isfinite(v))
            return cli_usage(cmd, "--holdout-length must be a number > 0, got '%s'", arg), -1;
        b->holdout_length = v;
        return 1;
    }
    return 0;
}

int cli_btyd_load(cli_btyd *b, const char *cmd, const char *path, rt_cbs **cbs, rt_events **ev)
{
    rt_error err;
    *cbs = NULL;
    if (ev)
        *ev = NULL;
    if (b->summary) {
        if (b->has_cal_end)
            return cli_usage(cmd, "--calibration-end needs an event log, not --input summary");
        rt_cbs_read_options ro = {.delim = b->ce.load.delim,
                                  .weight_col = b->weight_col,
                                  .unit_days = b->unit_set ? b->unit : 0.0,
                                  .holdout_length = b->holdout_length};
        if (rt_cbs_read(path, &ro, cbs, &err) != RT_OK)
            return cli_fail(&err);
        return EXIT_OK;
    }
    if (b->weight_col || b->holdout_length > 0.0)
        return cli_usage(cmd, "--%s needs --input summary",
                         b->weight_col ? "weight" : "holdout-length");
    cli_events_unused(&b->ce.load.channel_col);
    cli_events_unused(&b->ce.load.product_col);
    cli_events_unused(&b->ce.load.order_col);
    rt_events *e;
    int rc = cli_events_load(&b->ce, path, &e);
    if (rc != EXIT_OK)
        return rc;
    rt_cbs_options co = {
        .unit_days = b->unit, .has_calibration_end = b->has_cal_end, .calibration_end = b->cal_end};
    if (rt_cbs_from_events(e, &co, cbs, &err) != RT_OK) {
        rt_events_free(e);
        return cli_fail(&err);
    }
    if (ev)
        *ev = e;
    else
        rt_events_free(e);
    return EXIT_OK;
}
