/* cmd_retention.c - `retain retention FILE`: customer retention rate (CRR) per period, with
 * the identity-based counts beside it.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>

enum { OPT_PERIOD = OPT_FIRST_FREE, OPT_WINDOW, OPT_ANNUALIZE };

static const char usage[] =
    "Usage: retain retention [options] FILE\n"
    "\n"
    "Customer retention rate per calendar period, from the period holding the first event to\n"
    "the last one that ends on or before the last event's day (a last period that ends later\n"
    "is left out: its end lies in the future of the data). FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "Definitions: a customer is active at day t if they have an event in (t - W, t]. For a\n"
    "period [a, b) (period_end = b - 1, inclusive): S = active at a - 1, E = active at b - 1,\n"
    "N = first event in [a, b); crr = (E - N) / S (empty when S = 0), churn_rate = 1 - crr;\n"
    "retained = active at a - 1 and b - 1, reactivated = active at b - 1, not at a - 1, not\n"
    "new; lost = active at a - 1, not at b - 1; identity_retention = retained / S;\n"
    "full_history = 0 when a is less than W days after the first event (S understated).\n"
    "\n"
    "  --period P          day, week (ISO, Monday start), month, quarter or year\n"
    "                      (default month)\n"
    "  --active-window W   days a purchase keeps a customer active, 1-100000 (default 90)\n"
    "  --annualize         add days, daily_churn = 1 - crr^(1/days) and\n"
    "                      annualized_churn = 1 - crr^(365/days), so periods of different\n"
    "                      lengths compare\n";

static const char example[] =
    "\nExample:\n"
    "  retain retention orders.csv\n"
    "  retain retention --period quarter --active-window 180 --format json orders.csv\n"
    "  retain retention --period week --active-window 28 --annualize orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* rt_retention_run as a cli_analysis. */
static rt_status run(const rt_events *ev, const void *opt, rt_result **out, rt_error *err)
{
    return rt_retention_run(ev, opt, out, err);
}

int cmd_retention(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_EVENTS_LONGOPTS,
                                             {"period", required_argument, NULL, OPT_PERIOD},
                                             {"active-window", required_argument, NULL, OPT_WINDOW},
                                             {"annualize", no_argument, NULL, OPT_ANNUALIZE},
                                             {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_retention_options ro = {0};
    long n;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "retention", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_PERIOD:
            if (rt_period_parse(optarg, &ro.period) != 0)
                return cli_usage("retention",
                                 "--period must be day, week, month, quarter or year, got '%s'",
                                 optarg);
            break;
        case OPT_WINDOW:
            if (cli_parse_long(optarg, 1, 100000, &n) != 0)
                return cli_usage("retention",
                                 "--active-window must be a whole number of days from 1 to "
                                 "100000, got '%s'",
                                 optarg);
            ro.active_window = (int32_t)n;
            break;
        case OPT_ANNUALIZE:
            ro.annualize = 1;
            break;
        default:
            return cli_bad_option("retention", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("retention", optind == argc ? "missing FILE" : "one FILE expected");
    ro.threads = ce.load.threads;
    rt_result *res;
    cli_events_unused(&ce.load.channel_col); /* not used by this analysis */
    cli_events_unused(&ce.load.product_col);
    cli_events_unused(&ce.load.order_col);
    int rc = cli_events_analyse(&ce, argv[optind], run, &ro, &res);
    if (rc == EXIT_OK)
        rc = cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
