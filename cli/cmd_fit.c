/* cmd_fit.c - `retain fit --model M FILE`: fit a buy-till-you-die model by maximum likelihood
 * and print its parameters, standard errors, intervals and fit statistics.
 * SPDX-License-Identifier: MIT */
#include "btyd_input.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_MODEL = OPT_BTYD_FIRST_FREE,
    OPT_PARAMS_OUT,
    OPT_COHORT_SIZE,
    OPT_PERIOD_DAYS,
    OPT_COHORTS
};

static const char usage[] =
    "Usage: retain fit --model MODEL [options] FILE\n"
    "\n"
    "Fit a customer-base model by maximum likelihood on compressed sufficient statistics\n"
    "(customers with the same frequency, recency and T are one likelihood term), from\n"
    "several starting points, with standard errors from the observed information.\n"
    "FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "  --model MODEL      bgnbd   BG/NBD (r, alpha, a, b), Fader, Hardie & Lee 2005\n"
    "                     mbgnbd  MBG/NBD (r, alpha, a, b), Batislam et al. 2007\n"
    "                     pnbd    Pareto/NBD (r, alpha, s, beta), Schmittlein et al. 1987\n"
    "                     bgbb    BG/BB (alpha, beta, gamma, delta) for discrete\n"
    "                             opportunities; needs --input summary with x, t_x, n\n"
    "                     gg      Gamma-Gamma spend (p, q, gamma) on customers with x > 0\n"
    "                     sbg     shifted beta-geometric (alpha, beta) for contract renewals;\n"
    "                             FILE holds survivors per period (see below)\n"
    "  --params-out FILE  also save the fit as JSON, for `retain predict --params FILE`\n"
    "\n"
    "sBG input (FILE): wide (period, then one column per cohort with the customers or % still\n"
    "active at the start of each period), long (cohort, period, alive), per customer\n"
    "(customer_id, recency, T, cohorts) or subscriptions (customer_id, start, end; empty end =\n"
    "still active).\n"
    "  --cohort-size N    the counts are percentages: rescale so period 0 holds N customers\n"
    "  --cohorts LIST     the cohorts to use, comma-separated (wide input: column names)\n"
    "  --period-days D    subscriptions: days per period (default 365.25/12)\n"
    "\n"
    "Output: model, params, se, ci95 (exp(log p -/+ 1.96 se/p)), loglik, aic, bic, n\n"
    "(customers), patterns (distinct likelihood terms), iterations, converged; for gg also\n"
    "the correlation of frequency and spend (the model assumes none). CSV prints the fields as\n"
    "one header line and one value line; JSON nests params, se and ci95.\n";

static const char example[] =
    "\nExample:\n"
    "  retain fit --model bgnbd --calibration-end 1997-09-30 orders.csv\n"
    "  retain fit --model pnbd --input summary --format json cdnow_summary.csv\n"
    "  retain fit --model gg --params-out gg.json orders.csv\n"
    "  retain fit --model sbg --cohort-size 1000 renewals.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 3 no convergence (the numbers are printed),\n"
    "4 I/O error.\n";

static int save_params(const rt_model *m, const char *path)
{
    FILE *f = cli_open_out(path);
    if (!f)
        return EXIT_IO;
    rt_error err;
    if (rt_model_save(m, f, &err) != RT_OK) {
        int e = err.sys_errno;
        return cli_write_failed(f, path, e);
    }
    return cli_close_out(f, path);
}

static int write_fit(cli_btyd *b, const rt_model *m, const char *params_out)
{
    rt_result *r;
    rt_error err;
    if (rt_model_result(m, &r, &err) != RT_OK)
        return cli_fail(&err);
    int rc = cli_events_write(&b->ce, r);
    rt_result_free(r);
    if (rc == EXIT_OK && params_out)
        rc = save_params(m, params_out);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_BTYD_LONGOPTS,
        {"model", required_argument, NULL, OPT_MODEL},
        {"params-out", required_argument, NULL, OPT_PARAMS_OUT},
        {"cohort-size", required_argument, NULL, OPT_COHORT_SIZE},
        {"period-days", required_argument, NULL, OPT_PERIOD_DAYS},
        {"cohorts", required_argument, NULL, OPT_COHORTS},
        {NULL, 0, NULL, 0}};
    cli_btyd b = cli_btyd_init();
    rt_survivors_options so = {0};
    const char *params_out = NULL;
    rt_model_kind kind = RT_MODEL_BGNBD;
    int has_model = 0, sbg_opt = 0, c;
    double v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_btyd_option(&b, "fit", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s\n%s%s", usage, cli_btyd_help, cli_events_help, example);
            return EXIT_OK;
        case OPT_MODEL:
            if (rt_model_parse(optarg, &kind) != 0)
                return cli_usage("fit",
                                 "--model must be bgnbd, mbgnbd, pnbd, bgbb, gg or sbg, got '%s'",
                                 optarg);
            has_model = 1;
            break;
        case OPT_PARAMS_OUT:
            params_out = optarg;
            break;
        case OPT_COHORT_SIZE:
            if (cli_parse_double(optarg, &v) != 0 || !(v > 0.0) || !isfinite(v))
                return cli_usage("fit", "--cohort-size must be a number > 0, got '%s'", optarg);
            so.cohort_size = v;
            sbg_opt = 1;
            break;
        case OPT_PERIOD_DAYS:
            if (cli_parse_double(optarg, &v) != 0 || !(v > 0.0) || !isfinite(v))
                return cli_usage("fit", "--period-days must be a number > 0, got '%s'", optarg);
            so.period_days = v;
            sbg_opt = 1;
            break;
        case OPT_COHORTS:
            so.cohorts = optarg;
            sbg_opt = 1;
            break;
        default:
            return cli_bad_option("fit", c, argv, longopts);
        }
    }
    if (!has_model)
        return cli_usage("fit", "--model is required (bgnbd, mbgnbd, pnbd, bgbb, gg or sbg)");
    if (optind + 1 != argc)
        return cli_usage("fit", optind == argc ? "missing FILE" : "one FILE expected");
    if (sbg_opt && kind != RT_MODEL_SBG)
        return cli_usage("fit", "--cohort-size, --cohorts and --period-days are for --model sbg");
    rt_model m;
    rt_error err;
    if (kind == RT_MODEL_SBG) {
        if (b.summary || b.unit_set || b.has_cal_end || b.weight_col || b.holdout_length > 0.0)
            return cli_usage("fit", "--model sbg reads survivor counts: --input, --unit, "
                                    "--calibration-end, --weight and --holdout-length do not "
                                    "apply");
        rt_survivors *s;
        so.delim = b.ce.load.delim;
        if (rt_survivors_read(argv[optind], &so, &s, &err) != RT_OK)
            return cli_fail(&err);
        rt_status st = rt_model_fit_sbg(s, &m, &err);
        rt_survivors_free(s);
        if (st != RT_OK)
            return cli_fail(&err);
        return write_fit(&b, &m, params_out);
    }
    if (kind == RT_MODEL_BGBB && !b.summary)
        return cli_usage("fit", "--model bgbb needs --input summary (x, t_x and n opportunities "
                                "per customer or pattern)");
    rt_cbs *cbs;
    int rc = cli_btyd_load(&b, "fit", argv[optind], &cbs, NULL);
    if (rc != EXIT_OK)
        return rc;
    rt_status st = rt_model_fit(kind, cbs, &m, &err);
    rt_cbs_free(cbs);
    if (st != RT_OK)
        return cli_fail(&err);
    return write_fit(&b, &m, params_out);
}
