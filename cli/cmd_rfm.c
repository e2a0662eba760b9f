/* cmd_rfm.c - `retain rfm FILE`: RFM scores (1-5 by quintile) and segments per customer, or
 * per segment with --summary.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_AS_OF = OPT_FIRST_FREE, OPT_SEGMENTS, OPT_SUMMARY };

static const char usage[] =
    "Usage: retain rfm [options] FILE\n"
    "\n"
    "RFM scores and segments as of a date. recency_days = days from the customer's last\n"
    "purchase day to the as-of date; frequency = purchase days (distinct days with an\n"
    "event); monetary = net spend per purchase day (needs an amount column). Only events on\n"
    "or before the as-of date count; customers with none are left out (and counted).\n"
    "Scores r, f, m are 1-5 by quintile of the customers (5 = most recent, most frequent,\n"
    "highest spend): score = 1 + floor(5 k / n), k = customers with a strictly smaller value\n"
    "(for r: a larger recency), so equal values always get equal scores; a run of equal\n"
    "values across a quintile edge takes the lower score. The cut points are in the output's\n"
    "r_cut_1..5, f_cut_1..5 and m_cut_1..5 fields. score = 100 r + 10 f + m; segment = the\n"
    "first rule whose r, f and m ranges hold the scores, else Others.\n"
    "Output: one row per customer (customer_id, recency_days, frequency, monetary, r, f, m,\n"
    "score, segment) in order of first appearance; with --summary one row per segment\n"
    "(customers, share, revenue, revenue_share, mean recency, frequency and monetary).\n"
    "\n"
    "  --as-of DATE       analysis date YYYY-MM-DD (default: the day after the last event)\n"
    "  --segments RULES   rfm (default: the R rfm package's table: Champions, Loyal\n"
    "                     Customers, Potential Loyalist, New Customers, Promising, Need\n"
    "                     Attention, About To Sleep, At Risk, Can't Lose Them, Lost),\n"
    "                     rf-grid (the recency x frequency grid), or a CSV file with the\n"
    "                     header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi and one rule per line\n"
    "                     (scores 1-5; the first matching rule wins)\n"
    "  --summary          one row per segment instead of one per customer\n";

static const char example[] =
    "\nExample:\n"
    "  retain rfm orders.csv > rfm.csv\n"
    "  retain rfm --summary --format table orders.csv\n"
    "  retain rfm --as-of 2025-01-01 --segments rf-grid orders.csv\n"
    "  retain rfm --segments my-rules.csv --format json orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input (also a bad rules file), 4 I/O error.\n";

/* rt_rfm_run as a cli_analysis. */
static rt_status run(const rt_events *ev, const void *opt, rt_result **out, rt_error *err)
{
    return rt_rfm_run(ev, opt, out, err);
}

int cmd_rfm(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_EVENTS_LONGOPTS,
                                             {"as-of", required_argument, NULL, OPT_AS_OF},
                                             {"segments", required_argument, NULL, OPT_SEGMENTS},
                                             {"summary", no_argument, NULL, OPT_SUMMARY},
                                             {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_rfm_options ro = {0};
    const char *rules_path = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "rfm", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_AS_OF:
            if (rt_date_parse(optarg, &ro.as_of) != 0)
                return cli_usage("rfm", "--as-of must be a date YYYY-MM-DD, got '%s'", optarg);
            ro.has_as_of = 1;
            break;
        case OPT_SEGMENTS:
            rules_path = NULL;
            if (strcmp(optarg, "rfm") == 0) {
                ro.ruleset = RT_RFM_RULES_RFM;
            } else if (strcmp(optarg, "rf-grid") == 0) {
                ro.ruleset = RT_RFM_RULES_RF_GRID;
            } else if (optarg[0]) {
                ro.ruleset = RT_RFM_RULES_CUSTOM;
                rules_path = optarg;
            } else {
                return cli_usage("rfm", "--segments must be rfm, rf-grid or a rules file");
            }
            break;
        case OPT_SUMMARY:
            ro.summary = 1;
            break;
        default:
            return cli_bad_option("rfm", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("rfm", optind == argc ? "missing FILE" : "one FILE expected");
    ro.threads = ce.load.threads;
    rt_error err;
    rt_rfm_rule *rules = NULL;
    size_t nrules = 0;
    if (rules_path) {
        if (rt_rfm_rules_read(rules_path, &rules, &nrules, &err) != RT_OK)
            return cli_fail(&err);
        ro.rules = rules;
        ro.nrules = nrules;
    }
    rt_result *res;
    cli_events_unused(&ce.load.channel_col); /* not used by this analysis */
    cli_events_unused(&ce.load.product_col);
    cli_events_unused(&ce.load.order_col);
    int rc = cli_events_analyse(&ce, argv[optind], run, &ro, &res);
    if (rc == EXIT_OK)
        rc = cli_events_write(&ce, res);
    rt_result_free(res);
    rt_rfm_rules_free(rules, nrules);
    return rc;
}
