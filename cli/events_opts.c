/* events_opts.c - shared option parsing and loading for commands that read an event log.
 * SPDX-License-Identifier: MIT */
#include "events_opts.h"

#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

const char cli_events_help[] =
    "Input columns (found by header name, case-insensitive, unless named):\n"
    "  --customer COL     customer id (default: customer_id, customer, cust_id, user_id,\n"
    "                     client_id)\n"
    "  --date COL         event date (default: date, order_date, purchase_date, timestamp,\n"
    "                     created_at, event_time, time)\n"
    "  --amount COL       amount; negative = refund (default: amount, revenue, total, price,\n"
    "                     value, sales; \"\" = none)\n"
    "  --channel COL      channel (default: channel)\n"
    "  --product COL      product (default: product, product_id, sku, item)\n"
    "  --order COL        order id; orders = distinct ids (default: order_id, order,\n"
    "                     transaction_id)\n"
    "  --date-format FMT  iso (default: YYYY-MM-DD[ HH:MM[:SS]][Z|+HH:MM]), epoch (integer\n"
    "                     seconds), or strptime-style such as %d/%m/%Y or %Y%m%d\n"
    "  --delim C          field separator (default ','; '\\t' for tab)\n"
    "Bad input:\n"
    "  --skip-bad-rows    skip bad rows instead of stopping at the first one\n"
    "  --rejects FILE     write each skipped row, after a '# line:col: reason' line\n"
    "  --refunds POLICY   net (default: subtract from the same customer's same-day purchase)\n"
    "                     or drop\n"
    "Output:\n"
    "  --format FMT       table (default on a terminal), csv (default otherwise), json\n"
    "  -o, --output FILE  write the result to FILE instead of stdout\n"
    "  --threads N        threads to use (default: all cores)\n";

int cli_events_option(cli_events *ce, const char *cmd, int c, const char *arg)
{
    long n;
    switch (c) {
    case OPT_CUSTOMER:
        ce->load.customer_col = arg;
        return 1;
    case OPT_DATE:
        ce->load.date_col = arg;
        return 1;
    case OPT_AMOUNT:
        ce->load.amount_col = arg;
        return 1;
    case OPT_CHANNEL:
        ce->load.channel_col = arg;
        return 1;
    case OPT_PRODUCT:
        ce->load.product_col = arg;
        return 1;
    case OPT_ORDER:
        ce->load.order_col = arg;
        return 1;
    case OPT_DATE_FORMAT:
        ce->load.date_format = arg;
        return 1;
    case OPT_DELIM:
        if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
            ce->load.delim = '\t';
        else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r')
            ce->load.delim = arg[0];
        else
            return cli_usage(cmd, "--delim takes one character (or '\\t'), got '%s'", arg), -1;
        return 1;
    case OPT_SKIP_BAD:
        ce->load.skip_bad_rows = 1;
        return 1;
    case OPT_REJECTS:
        ce->rejects_path = arg;
        ce->load.skip_bad_rows = 1;
        return 1;
    case OPT_REFUNDS:
        if (strcmp(arg, "net") == 0)
            ce->load.refunds = RT_REFUNDS_NET;
        else if (strcmp(arg, "drop") == 0)
            ce->load.refunds = RT_REFUNDS_DROP;
        else
            return cli_usage(cmd, "--refunds must be net or drop, got '%s'", arg), -1;
        return 1;
    case OPT_THREADS:
        if (cli_parse_long(arg, 1, 64, &n) != 0)
            return cli_usage(cmd, "--threads must be 1-64, got '%s'", arg), -1;
        ce->load.threads = (int)n;
        return 1;
    case OPT_FORMAT:
        if (strcmp(arg, "table") == 0)
            ce->format = RT_FORMAT_TABLE;
        else if (strcmp(arg, "csv") == 0)
            ce->format = RT_FORMAT_CSV;
        else if (strcmp(arg, "json") == 0)
            ce->format = RT_FORMAT_JSON;
        else
            return cli_usage(cmd, "--format must be table, csv or json, got '%s'", arg), -1;
        return 1;
    case 'o':
        ce->output = arg;
        return 1;
    default:
        return 0;
    }
}

/* The load's reject callback: one '# reason' line, then the row verbatim. */
static int on_reject(void *ud, long line, const char *row, size_t len, const char *reason)
{
    cli_events *ce = ud;
    (void)line;
    if (ce->rejected_seen++ == 0)
        snprintf(ce->first_reason, sizeof ce->first_reason, "%s", reason);
    if (!ce->rejects)
        return 0;
    errno = 0;
    fprintf(ce->rejects, "# %s\n", reason);
    fwrite(row, 1, len, ce->rejects);
    fputc('\n', ce->rejects);
    if (!ferror(ce->rejects))
        return 0;
    ce->rejects_errno = errno ? errno : EIO;
    return -1;
}

int cli_events_load(cli_events *ce, const char *path, rt_events **out)
{
    *out = NULL;
    if (ce->rejects_path) {
        ce->rejects = cli_open_out(ce->rejects_path);
        if (!ce->rejects)
            return EXIT_IO;
    }
    ce->load.on_reject = on_reject;
    ce->load.reject_ud = ce;
    rt_error err;
    rt_status st = rt_events_read(path, &ce->load, out, &err);
    FILE *rej = ce->rejects;
    ce->rejects = NULL;
    if (ce->rejects_errno) /* the load stopped because the rejects file could not be written */
        return cli_write_failed(rej, ce->rejects_path, ce->rejects_errno);
    int rc = rej ? cli_close_out(rej, ce->rejects_path) : EXIT_OK;
    if (rc != EXIT_OK) { /* already reported; an incomplete rejects file outranks the rest */
        rt_events_free(*out);
        *out = NULL;
        return rc;
    }
    if (st != RT_OK)
        return cli_fail(&err);
    if (ce->rejected_seen) {
        const char *name = rt_events_source(*out);
        if (ce->rejects_path)
            fprintf(stderr, "retain: skipped %lu bad row%s (written to %s); first: %s:%s\n",
                    ce->rejected_seen, ce->rejected_seen == 1 ? "" : "s", ce->rejects_path, name,
                    ce->first_reason);
        else
            fprintf(stderr,
                    "retain: skipped %lu bad row%s (list them with --rejects FILE); "
                    "first: %s:%s\n",
                    ce->rejected_seen, ce->rejected_seen == 1 ? "" : "s", name, ce->first_reason);
    }
    return EXIT_OK;
}

void cli_events_unused(const char **col)
{
    if (!*col)
        *col = "";
}

int cli_events_analyse(cli_events *ce, const char *path, cli_analysis run, const void *opt,
                       rt_result **out)
{
    *out = NULL;
    rt_events *ev;
    int rc = cli_events_load(ce, path, &ev);
    if (rc != EXIT_OK)
        return rc;
    rt_error err;
    rt_status st = run(ev, opt, out, &err);
    rt_events_free(ev); /* before the write: a result holds its own copies */
    return st == RT_OK ? EXIT_OK : cli_fail(&err);
}

int cli_events_write(cli_events *ce, const rt_result *r)
{
    FILE *f = cli_open_out(ce->output);
    if (!f)
        return EXIT_IO;
    rt_format fmt = (rt_format)ce->format;
    if (ce->format < 0)
        fmt = f == stdout && isatty(STDOUT_FILENO) ? RT_FORMAT_TABLE : RT_FORMAT_CSV;
    rt_error err;
    rt_status st = rt_result_write(r, f, fmt, &err);
    if (st == RT_EIO)
        return cli_write_failed(f, ce->output, err.sys_errno);
    int rc = cli_close_out(f, ce->output);
    if (st != RT_OK && rc == EXIT_OK)
        return cli_fail(&err);
    return rc;
}
