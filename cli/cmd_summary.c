/* cmd_summary.c - `retain summary FILE`: a first look at an event log.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>

enum { OPT_TOP = OPT_FIRST_FREE };

static const char usage[] =
    "Usage: retain summary [options] FILE\n"
    "\n"
    "A first look at an event log (one row per purchase): rows read, used and rejected;\n"
    "customers, orders, purchase days, first and last date, revenue, average order value,\n"
    "purchase frequency, repeat rate, one-time customers, median days between purchases,\n"
    "and the top channels and products by revenue. FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "Definitions: orders = distinct order ids with --order, else rows; purchase days =\n"
    "distinct (customer, day); aov = revenue / orders; purchase_frequency = orders /\n"
    "customers; repeat_rate = customers with >= 2 purchase days / customers;\n"
    "median_interpurchase_days = median gap between a customer's consecutive purchase days.\n"
    "\n"
    "  --top N            channels and products listed (default 10)\n";

static const char example[] =
    "\nExample:\n"
    "  retain simulate --customers 1000 -o orders.csv\n"
    "  retain summary orders.csv\n"
    "  retain summary --format json --customer user --date ts --date-format epoch log.csv.gz\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* rt_summary_run as a cli_analysis. */
static rt_status run(const rt_events *ev, const void *opt, rt_result **out, rt_error *err)
{
    return rt_summary_run(ev, opt, out, err);
}

int cmd_summary(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_EVENTS_LONGOPTS, {"top", required_argument, NULL, OPT_TOP}, {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_summary_options so = {0};
    long n;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "summary", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_TOP:
            if (cli_parse_long(optarg, 1, 1000000, &n) != 0)
                return cli_usage("summary", "--top must be a positive integer, got '%s'", optarg);
            so.top = (int)n;
            break;
        default:
            return cli_bad_option("summary", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("summary", optind == argc ? "missing FILE" : "one FILE expected");
    so.threads = ce.load.threads;
    rt_result *res;
    int rc = cli_events_analyse(&ce, argv[optind], run, &so, &res);
    if (rc == EXIT_OK)
        rc = cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
