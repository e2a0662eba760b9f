/* cmd_rfm_summary.c - `retain rfm-summary FILE`: the per-customer frequency/recency/T summary
 * that buy-till-you-die models are fitted on, with a holdout after --calibration-end.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>

enum { OPT_UNIT = OPT_FIRST_FREE, OPT_CALIBRATION_END };

static const char usage[] =
    "Usage: retain rfm-summary [options] FILE\n"
    "\n"
    "The customer-by-sufficient-statistic table of the buy-till-you-die models (BG/NBD,\n"
    "Pareto/NBD, Gamma-Gamma), as BTYD's elog2cbs computes it (for CDNOW it matches BTYD's\n"
    "cbs and lifetimes' published summary). Events on the same day are one purchase\n"
    "(amounts summed). The calibration period runs to --calibration-end (inclusive;\n"
    "default: the last day of the data); later events form the holdout period, up to the\n"
    "last day of the data.\n"
    "Columns, one row per customer in order of first appearance (times in --unit units):\n"
    "  frequency          repeat purchases in the calibration period (purchase days after\n"
    "                     the first)\n"
    "  recency            time from the first purchase to the last one in the calibration\n"
    "                     period (0 when frequency = 0)\n"
    "  T                  time from the first purchase to the calibration end\n"
    "  monetary_value     mean value of the repeat purchases, 0 when frequency = 0 (with an\n"
    "                     amount column)\n"
    "  holdout_frequency  purchases after the calibration end (with --calibration-end before\n"
    "                     the last day)\n"
    "  holdout_monetary   their total value (with an amount column)\n"
    "  first_purchase     the day of the first purchase\n"
    "Customers whose first purchase is after the calibration end are left out (the field\n"
    "'excluded' counts them). The fields (shown by --format table or json) give the unit,\n"
    "the calibration end, the holdout length and the totals.\n"
    "\n"
    "  --unit U              day, week (default) or month (365.25 / 12 days)\n"
    "  --calibration-end D   last day of the calibration period, YYYY-MM-DD\n";

static const char example[] =
    "\nExample:\n"
    "  retain rfm-summary orders.csv > summary.csv\n"
    "  retain rfm-summary --calibration-end 1997-09-30 --date-format %Y%m%d cdnow.csv\n"
    "  retain rfm-summary --unit day --format json orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input (also a calibration end before the first\n"
    "event), 4 I/O error.\n";

/* rt_cbs_from_events and rt_cbs_result as a cli_analysis. */
static rt_status run(const rt_events *ev, const void *opt, rt_result **out, rt_error *err)
{
    rt_cbs *c = NULL;
    rt_status st = rt_cbs_from_events(ev, opt, &c, err);
    if (st == RT_OK)
        st = rt_cbs_result(c, out, err);
    rt_cbs_free(c);
    return st;
}

int cmd_rfm_summary(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_EVENTS_LONGOPTS,
        {"unit", required_argument, NULL, OPT_UNIT},
        {"calibration-end", required_argument, NULL, OPT_CALIBRATION_END},
        {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_cbs_options co = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "rfm-summary", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_UNIT:
            if (rt_unit_parse(optarg, &co.unit_days) != 0)
                return cli_usage("rfm-summary", "--unit must be day, week or month, got '%s'",
                                 optarg);
            break;
        case OPT_CALIBRATION_END:
            if (rt_date_parse(optarg, &co.calibration_end) != 0)
                return cli_usage("rfm-summary",
                                 "--calibration-end must be a date YYYY-MM-DD, got '%s'", optarg);
            co.has_calibration_end = 1;
            break;
        default:
            return cli_bad_option("rfm-summary", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("rfm-summary", optind == argc ? "missing FILE" : "one FILE expected");
    rt_result *res;
    cli_events_unused(&ce.load.channel_col); /* not used by this analysis */
    cli_events_unused(&ce.load.product_col);
    cli_events_unused(&ce.load.order_col);
    int rc = cli_events_analyse(&ce, argv[optind], run, &co, &res);
    if (rc == EXIT_OK)
        rc = cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
