/* cmd_satisfaction.c - `retain satisfaction FILE --customers FILE --score COL`: retention,
 * future purchases and spend per satisfaction level after a survey date, their rank
 * correlation, spend per score point, per segment, and stated intent against behaviour.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_CUSTOMERS = OPT_FIRST_FREE,
    OPT_CUSTOMERS_ID,
    OPT_SCORE,
    OPT_NPS,
    OPT_AS_OF,
    OPT_DATE_COL,
    OPT_HORIZON,
    OPT_BY,
    OPT_INTENT
};

static const char usage[] =
    "Usage: retain satisfaction [options] --customers FILE --score COL\n"
    "                           (--as-of DATE | --date-col COL) FILE\n"
    "\n"
    "What satisfaction is worth: joins a customer table holding a survey score to the event\n"
    "log FILE and, for the customers observed for the whole horizon after their survey,\n"
    "reports per score level: customers, retained, retention with Wilson's 95% interval,\n"
    "mean future purchases and spend, and lift against the lowest level; overall: Spearman's\n"
    "correlation of score and future purchases with its 95% interval, spend_per_point (the\n"
    "least-squares slope of future spend on the score, with its standard error) and\n"
    "retention_per_point. FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "Definitions: a row of the customer table is eligible when it has a score (and a survey\n"
    "date), its customer has events, the first on or before the survey date, and the survey\n"
    "date + horizon is on or before the data's last day; the others are counted by reason\n"
    "(rows_without_score, rows_without_survey_date, rows_without_events,\n"
    "first_purchase_after_survey, censored) and noted on stderr. Future purchases = distinct\n"
    "purchase days in (survey date, survey date + horizon]; future spend = their amounts;\n"
    "retained = at least one future purchase. The CSV output is the per-level table (per\n"
    "segment with --by); the table and JSON formats show everything.\n"
    "\n"
    "  --customers FILE   customer table (CSV with a header, one row per customer, read with\n"
    "                     the same --delim); required\n"
    "  --customers-id COL its customer id column (default: customer_id, customer, cust_id,\n"
    "                     user_id, client_id)\n"
    "  --score COL        the score column: any numbers, one level per distinct value\n"
    "                     (CSAT 1-5, ...); required\n"
    "  --nps              the score is NPS 0-10: levels detractor (0-6), passive (7-8),\n"
    "                     promoter (9-10), and the NPS with its 95% interval\n"
    "  --as-of DATE       survey date YYYY-MM-DD for everyone, or\n"
    "  --date-col COL     each customer's survey date, a column of the customer table\n"
    "  --horizon DAYS     days after the survey in which a purchase counts (default 365)\n"
    "  --by COL           repeat the analysis per segment (a column of the customer table)\n"
    "  --intent COL       stated intent (1/0, yes/no, y/n, true/false; empty = unknown): the\n"
    "                     2x2 table of intent against buying in the horizon, phi, and the\n"
    "                     share of each who bought\n";

static const char example[] =
    "\nExample:\n"
    "  retain simulate --customers 5000 --days 730 --customers-out customers.csv -o orders.csv\n"
    "  retain satisfaction --customers customers.csv --score satisfaction --as-of 2024-12-31 \\\n"
    "      --horizon 180 --format table orders.csv\n"
    "  retain satisfaction --customers customers.csv --score satisfaction --as-of 2024-12-31 \\\n"
    "      --horizon 180 --by tier orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input (also: no eligible customer), 4 I/O error.\n";

/* The note on stderr about rows left out, so that none is dropped silently. */
static void note_left_out(const rt_result *res, const char *cname)
{
    static const char *const why[][2] = {
        {"rows_without_score", "without a score"},
        {"rows_without_survey_date", "without a survey date"},
        {"rows_without_events", "without events"},
        {"first_purchase_after_survey", "with the first purchase after the survey date"},
        {"censored", "censored (the horizon ends after the data's last day)"}};
    int found;
    char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof why / sizeof why[0]; i++) {
        int64_t k = rt_result_get(res, why[i][0], &found).i;
        if (k <= 0)
            continue;
        int w = snprintf(buf + len, sizeof buf - len, "%s%lld %s", len ? ", " : "", (long long)k,
                         why[i][1]);
        if (w > 0 && (size_t)w < sizeof buf - len)
            len += (size_t)w;
    }
    int64_t rows = rt_result_get(res, "rows", &found).i;
    int64_t eligible = rt_result_get(res, "eligible", &found).i;
    if (len)
        fprintf(stderr, "retain: note: %lld of %lld rows of %s are eligible; left out: %s\n",
                (long long)eligible, (long long)rows, cname, buf);
    int64_t without = rt_result_get(res, "customers_without_row", &found).i;
    if (without > 0)
        fprintf(stderr, "retain: note: %lld of %lld customers of the event log have no row in %s\n",
                (long long)without, (long long)rt_result_get(res, "customers", &found).i, cname);
}

int cmd_satisfaction(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_EVENTS_LONGOPTS,
        {"customers", required_argument, NULL, OPT_CUSTOMERS},
        {"customers-id", required_argument, NULL, OPT_CUSTOMERS_ID},
        {"score", required_argument, NULL, OPT_SCORE},
        {"nps", no_argument, NULL, OPT_NPS},
        {"as-of", required_argument, NULL, OPT_AS_OF},
        {"date-col", required_argument, NULL, OPT_DATE_COL},
        {"horizon", required_argument, NULL, OPT_HORIZON},
        {"by", required_argument, NULL, OPT_BY},
        {"intent", required_argument, NULL, OPT_INTENT},
        {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    const char *customers = NULL, *customers_id = NULL;
    rt_satisfaction_options so = {0};
    long horizon = 365;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "satisfaction", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_CUSTOMERS:
            customers = optarg;
            break;
        case OPT_CUSTOMERS_ID:
            customers_id = optarg;
            break;
        case OPT_SCORE:
            so.score_col = optarg;
            break;
        case OPT_NPS:
            so.kind = RT_SCORE_NPS;
            break;
        case OPT_AS_OF:
            if (rt_date_parse(optarg, &so.as_of) != 0)
                return cli_usage("satisfaction", "--as-of must be a date YYYY-MM-DD, got '%s'",
                                 optarg);
            so.has_as_of = 1;
            break;
        case OPT_DATE_COL:
            so.date_col = optarg;
            break;
        case OPT_HORIZON:
            if (cli_parse_long(optarg, 1, 100000, &horizon) != 0)
                return cli_usage("satisfaction",
                                 "--horizon must be a whole number of days from 1 to 100000, "
                                 "got '%s'",
                                 optarg);
            break;
        case OPT_BY:
            so.by = optarg;
            break;
        case OPT_INTENT:
            so.intent_col = optarg;
            break;
        default:
            return cli_bad_option("satisfaction", c, argv, longopts);
        }
    }
    if (!customers)
        return cli_usage("satisfaction", "missing --customers FILE (the table with the scores)");
    if (!so.score_col)
        return cli_usage("satisfaction", "missing --score COL");
    if (!so.has_as_of && !so.date_col)
        return cli_usage("satisfaction", "missing the survey date: --as-of DATE or --date-col COL");
    if (so.has_as_of && so.date_col)
        return cli_usage("satisfaction", "--as-of and --date-col cannot be used together");
    const char *named[][2] = {{"--score", so.score_col},
                              {"--date-col", so.date_col},
                              {"--by", so.by},
                              {"--intent", so.intent_col},
                              {"--customers-id", customers_id}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i][1] && !*named[i][1])
            return cli_usage("satisfaction", "%s needs a column name", named[i][0]);
    if (optind + 1 != argc)
        return cli_usage("satisfaction", optind == argc ? "missing FILE" : "one FILE expected");
    if (strcmp(customers, "-") == 0 && strcmp(argv[optind], "-") == 0)
        return cli_usage("satisfaction", "FILE and --customers cannot both be standard input");
    so.horizon = (int32_t)horizon;
    so.threads = ce.load.threads;

    const char *cname = strcmp(customers, "-") == 0 ? "<stdin>" : customers;
    so.attrs_name = cname;
    rt_attrs *attrs = NULL;
    rt_error err;
    rt_attrs_options ao = {.delim = ce.load.delim, .customer_col = customers_id};
    if (rt_attrs_read(customers, &ao, &attrs, &err) != RT_OK)
        return cli_fail(&err);
    so.attrs = attrs;
    cli_events_unused(&ce.load.channel_col);
    cli_events_unused(&ce.load.product_col);
    cli_events_unused(&ce.load.order_col);
    rt_events *ev;
    int rc = cli_events_load(&ce, argv[optind], &ev);
    if (rc != EXIT_OK) {
        rt_attrs_free(attrs);
        return rc;
    }
    rt_result *res;
    if (rt_satisfaction_run(ev, &so, &res, &err) != RT_OK) {
        rt_events_free(ev);
        rt_attrs_free(attrs);
        return cli_fail(&err);
    }
    note_left_out(res, cname);
    rc = cli_events_write(&ce, res);
    rt_result_free(res);
    rt_events_free(ev);
    rt_attrs_free(attrs);
    return rc;
}
