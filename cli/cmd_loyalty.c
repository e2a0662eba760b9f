/* cmd_loyalty.c - `retain loyalty FILE --by channel|product|FIELD [--customers FILE]`:
 * repeat rate, retention and spend by the value of a channel, product, events column or
 * customer attribute, each customer counted in the group of its first purchase.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_BY = OPT_FIRST_FREE, OPT_CUSTOMERS, OPT_CUSTOMERS_ID };

static const char usage[] =
    "Usage: retain loyalty [options] --by channel|product|FIELD FILE\n"
    "\n"
    "Loyalty by dimension: for each value v of the channel, the product, any other column of\n"
    "the event log, or a customer attribute (--customers), over the customers whose first\n"
    "purchase was in v (or whose attribute is v): customers, repeat_rate, retention_30/90/365\n"
    "with the customers observed that long, orders_per_customer, revenue_per_customer and\n"
    "same_value_repeat_share. FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "Definitions: a customer's group is the value of their first purchase event (earliest\n"
    "day and time, then input order); repeat_rate = share with >= 2 purchase days;\n"
    "retention_D = share of the observed_D customers (first day + D <= the data's last day)\n"
    "with another purchase day in (first day, first day + D]; orders = events (rows after\n"
    "refund netting); same_value_repeat_share = share of the group's repeat purchases (events\n"
    "on days after the first purchase day) made in v again (null for attributes, which are\n"
    "constant per customer). Rows by customers descending, then value.\n"
    "\n"
    "  --by DIM           channel or product (always the events' columns, see --channel and\n"
    "                     --product); any other name is a column of the --customers table if\n"
    "                     it has one, else a column of the event log\n"
    "  --customers FILE   customer attribute table (CSV with a header, one row per customer,\n"
    "                     read with the same --delim); customers missing from it are in no\n"
    "                     group and counted as unmatched_customers (and noted on stderr)\n"
    "  --customers-id COL its customer id column (default: customer_id, customer, cust_id,\n"
    "                     user_id, client_id)\n";

static const char example[] =
    "\nExample:\n"
    "  retain simulate --customers 5000 --customers-out customers.csv -o orders.csv\n"
    "  retain loyalty --by channel orders.csv\n"
    "  retain loyalty --by product --format json orders.csv\n"
    "  retain loyalty --by tier --customers customers.csv orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* "a, b, c": the columns of 'a', cut with "..." to fit 'cap' bytes. */
static void attr_columns(const rt_attrs *a, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < rt_attrs_columns(a); c++) {
        int w = snprintf(buf + len, cap - len, "%s%s", c ? ", " : "", rt_attrs_column_name(a, c));
        if (w < 0 || (size_t)w >= cap - len) {
            snprintf(buf + cap - 5, 5, "...");
            return;
        }
        len += (size_t)w;
    }
}

int cmd_loyalty(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_EVENTS_LONGOPTS,
        {"by", required_argument, NULL, OPT_BY},
        {"customers", required_argument, NULL, OPT_CUSTOMERS},
        {"customers-id", required_argument, NULL, OPT_CUSTOMERS_ID},
        {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    const char *by = NULL, *customers = NULL, *customers_id = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "loyalty", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_BY:
            by = optarg;
            break;
        case OPT_CUSTOMERS:
            customers = optarg;
            break;
        case OPT_CUSTOMERS_ID:
            customers_id = optarg;
            break;
        default:
            return cli_bad_option("loyalty", c, argv, longopts);
        }
    }
    if (!by)
        return cli_usage("loyalty", "missing --by (channel, product or a column name)");
    if (!*by)
        return cli_usage("loyalty", "--by needs a column name");
    if (customers_id && !customers)
        return cli_usage("loyalty", "--customers-id needs --customers FILE");
    if (customers_id && !*customers_id)
        return cli_usage("loyalty", "--customers-id needs a column name");
    int keyword = strcmp(by, "channel") == 0 || strcmp(by, "product") == 0;
    if (optind + 1 != argc)
        return cli_usage("loyalty", optind == argc ? "missing FILE" : "one FILE expected");
    if (customers && !keyword && strcmp(customers, "-") == 0 && strcmp(argv[optind], "-") == 0)
        return cli_usage("loyalty", "FILE and --customers cannot both be standard input");

    const char *cname = customers && strcmp(customers, "-") == 0 ? "<stdin>" : customers;
    rt_loyalty_options lo = {.threads = ce.load.threads};
    rt_attrs *attrs = NULL;
    rt_error err;
    if (customers && !keyword) { /* channel and product are always the events' columns */
        rt_attrs_options ao = {.delim = ce.load.delim, .customer_col = customers_id};
        if (rt_attrs_read(customers, &ao, &attrs, &err) != RT_OK)
            return cli_fail(&err);
    }
    cli_events_unused(&ce.load.order_col);
    if (strcmp(by, "channel") == 0) {
        lo.by = RT_FIELD_CHANNEL;
        cli_events_unused(&ce.load.product_col);
    } else if (strcmp(by, "product") == 0) {
        lo.by = RT_FIELD_PRODUCT;
        cli_events_unused(&ce.load.channel_col);
    } else {
        cli_events_unused(&ce.load.channel_col);
        cli_events_unused(&ce.load.product_col);
        if (attrs && rt_attrs_column(attrs, by) >= 0) {
            lo.attrs = attrs;
            lo.attr_col = by;
        } else {
            lo.by = RT_FIELD_EXTRA;
            ce.load.extra_col = by;
        }
    }
    rt_events *ev;
    int rc = cli_events_load(&ce, argv[optind], &ev);
    if (rc != EXIT_OK) {
        if (attrs && lo.by == RT_FIELD_EXTRA && rc == EXIT_INPUT) {
            /* True whatever the load's error was; it explains a missing --by column. */
            char cols[300];
            attr_columns(attrs, cols, sizeof cols);
            cli_error(rc,
                      "--by '%s' was looked for in the event log because %s has no such "
                      "column (its columns are: %s)",
                      by, cname, cols);
        }
        rt_attrs_free(attrs);
        return rc;
    }
    rt_result *res;
    if (rt_loyalty_run(ev, &lo, &res, &err) != RT_OK) {
        rt_events_free(ev);
        rt_attrs_free(attrs);
        return cli_fail(&err);
    }
    if (lo.attrs) {
        int found;
        int64_t unmatched = rt_result_get(res, "unmatched_customers", &found).i;
        int64_t all = rt_result_get(res, "customers", &found).i;
        if (unmatched > 0)
            fprintf(stderr,
                    "retain: note: %lld of %lld customers have no row in %s; they are in no "
                    "group (unmatched_customers)\n",
                    (long long)unmatched, (long long)all, cname);
    }
    rc = cli_events_write(&ce, res);
    rt_result_free(res);
    rt_events_free(ev);
    rt_attrs_free(attrs);
    return rc;
}
