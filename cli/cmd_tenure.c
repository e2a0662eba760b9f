/* cmd_tenure.c - `retain tenure FILE`: one row per customer with start, duration and churn
 * flag, from an event log (churned after --active-window days without a purchase) or a
 * subscriptions table, joined with customer attributes: the input of `retain survival`.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_WINDOW = OPT_FIRST_FREE,
    OPT_OBSERVED_END,
    OPT_CUSTOMERS,
    OPT_CUSTOMERS_ID,
    OPT_SUBSCRIPTIONS
};

static const char usage[] =
    "Usage: retain tenure [options] FILE\n"
    "\n"
    "Tenure per customer, for survival analysis: customer_id, start (first purchase or\n"
    "subscription start), duration (days) and event (1 = churned, 0 = still a customer at\n"
    "the observation end: censored), then the customer attributes of --customers. The CSV\n"
    "output is the input of `retain survival` (and of `retain cox`). FILE may be '-' (stdin)\n"
    "or gzip.\n"
    "\n"
    "Definitions, event log (non-contractual): E = the observation end, W = the active\n"
    "window, f = first purchase, l = last purchase on or before E (later events are\n"
    "ignored). Churned when l + W <= E (no purchase in the W days up to E, so not active at E\n"
    "as `retain retention` counts it): duration = l + W - f; otherwise censored at E:\n"
    "duration = E - f. Customers whose first purchase is after E are left out (excluded).\n"
    "Subscriptions (--subscriptions; contractual): FILE has customer_id, start and end (or\n"
    "start_date, end_date; empty end = active); start = the customer's earliest start;\n"
    "censored at E (duration E - start) while any subscription is active (no end or an end\n"
    "after E), else churned at the latest end (duration = latest end - start); gaps between\n"
    "subscriptions are not churn; subscriptions starting after E are ignored; the file's\n"
    "other columns come from the customer's earliest subscription.\n"
    "\n"
    "  --active-window W   days without a purchase after which a customer has churned,\n"
    "                      1-100000 (default 90)\n"
    "  --observed-end DATE the observation end E, YYYY-MM-DD (default: the last event's\n"
    "                      day; with --subscriptions the latest start or end date)\n"
    "  --customers FILE    customer attribute table (CSV with a header, one row per\n"
    "                      customer, read with the same --delim) joined by customer id;\n"
    "                      customers without a row get empty values (counted as unmatched)\n"
    "  --customers-id COL  its customer id column (default: customer_id, customer, cust_id,\n"
    "                      user_id, client_id)\n"
    "  --subscriptions     FILE is a subscriptions table, not an event log (of the input\n"
    "                      options only --customer and --delim apply)\n";

static const char example[] =
    "\nExample:\n"
    "  retain tenure orders.csv\n"
    "  retain tenure --active-window 180 --customers customers.csv -o tenure.csv orders.csv\n"
    "  retain survival --by tier tenure.csv\n"
    "  retain tenure --subscriptions --observed-end 2024-12-31 subscriptions.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* Tenure from the log or the subscriptions; prints errors, returns the exit status. */
static int make_tenure(cli_events *ce, const char *path, int subs, rt_tenure_options *to,
                       rt_survdata **out)
{
    rt_error err;
    if (subs) {
        const rt_load_options *l = &ce->load;
        if (l->date_col || l->amount_col || l->channel_col || l->product_col || l->order_col ||
            l->date_format || l->skip_bad_rows || ce->rejects_path || l->refunds)
            return cli_usage("tenure", "--subscriptions reads customer_id, start and end: the "
                                       "event-log options (--date, --amount, --date-format, "
                                       "--skip-bad-rows, --refunds ...) do not apply");
        to->delim = ce->load.delim;
        to->customer_col = ce->load.customer_col;
        return rt_tenure_from_subscriptions(path, to, out, &err) == RT_OK ? EXIT_OK
                                                                          : cli_fail(&err);
    }
    cli_events_unused(&ce->load.amount_col); /* not used by this analysis */
    cli_events_unused(&ce->load.channel_col);
    cli_events_unused(&ce->load.product_col);
    cli_events_unused(&ce->load.order_col);
    rt_events *ev;
    int rc = cli_events_load(ce, path, &ev);
    if (rc != EXIT_OK)
        return rc;
    rt_status st = rt_tenure_from_events(ev, to, out, &err);
    rt_events_free(ev);
    return st == RT_OK ? EXIT_OK : cli_fail(&err);
}

int cmd_tenure(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_EVENTS_LONGOPTS,
        {"active-window", required_argument, NULL, OPT_WINDOW},
        {"observed-end", required_argument, NULL, OPT_OBSERVED_END},
        {"customers", required_argument, NULL, OPT_CUSTOMERS},
        {"customers-id", required_argument, NULL, OPT_CUSTOMERS_ID},
        {"subscriptions", no_argument, NULL, OPT_SUBSCRIPTIONS},
        {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_tenure_options to = {0};
    const char *customers = NULL, *customers_id = NULL;
    int subs = 0, window_set = 0, c;
    long n;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "tenure", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_WINDOW:
            if (cli_parse_long(optarg, 1, 100000, &n) != 0)
                return cli_usage("tenure",
                                 "--active-window must be a whole number of days from 1 to "
                                 "100000, got '%s'",
                                 optarg);
            to.active_window = (int32_t)n;
            window_set = 1;
            break;
        case OPT_OBSERVED_END:
            if (rt_date_parse(optarg, &to.observed_end) != 0)
                return cli_usage("tenure", "--observed-end must be a date YYYY-MM-DD, got '%s'",
                                 optarg);
            to.has_observed_end = 1;
            break;
        case OPT_CUSTOMERS:
            customers = optarg;
            break;
        case OPT_CUSTOMERS_ID:
            customers_id = optarg;
            break;
        case OPT_SUBSCRIPTIONS:
            subs = 1;
            break;
        default:
            return cli_bad_option("tenure", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("tenure", optind == argc ? "missing FILE" : "one FILE expected");
    if (customers_id && !customers)
        return cli_usage("tenure", "--customers-id needs --customers FILE");
    if (customers_id && !*customers_id)
        return cli_usage("tenure", "--customers-id needs a column name");
    if (customers && strcmp(customers, "-") == 0 && strcmp(argv[optind], "-") == 0)
        return cli_usage("tenure", "FILE and --customers cannot both be standard input");
    if (subs && window_set)
        return cli_usage("tenure", "--active-window is for event logs, not --subscriptions");
    rt_attrs *attrs = NULL;
    rt_error err;
    if (customers) {
        rt_attrs_options ao = {.delim = ce.load.delim, .customer_col = customers_id};
        if (rt_attrs_read(customers, &ao, &attrs, &err) != RT_OK)
            return cli_fail(&err);
        to.attrs = attrs;
    }
    rt_survdata *s;
    int rc = make_tenure(&ce, argv[optind], subs, &to, &s);
    rt_result *res = NULL;
    if (rc == EXIT_OK) {
        rt_status st = rt_survdata_result(s, &res, &err);
        rt_survdata_free(s);
        if (st != RT_OK)
            rc = cli_fail(&err);
    }
    rt_attrs_free(attrs);
    if (rc != EXIT_OK)
        return rc;
    int found;
    long long unmatched = (long long)rt_result_get(res, "unmatched", &found).i;
    long long rows = (long long)rt_result_get(res, "rows", &found).i;
    if (customers && unmatched > 0)
        fprintf(stderr,
                "retain: note: %lld of %lld customers have no row in %s; their attributes are "
                "empty (unmatched)\n",
                unmatched, rows, strcmp(customers, "-") == 0 ? "<stdin>" : customers);
    rc = cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
