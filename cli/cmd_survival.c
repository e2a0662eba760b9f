/* cmd_survival.c - `retain survival FILE`: Kaplan-Meier retention curves with Greenwood
 * standard errors and intervals, medians, survival at chosen times and, with --by, one curve
 * per group and the log-rank test. FILE is any table with a duration and an event column,
 * such as `retain tenure` writes.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_TIME = OPT_FIRST_FREE,
    OPT_EVENT,
    OPT_ENTRY,
    OPT_ID,
    OPT_BY,
    OPT_CI,
    OPT_LEVEL,
    OPT_AT,
    OPT_TABLE
};

#define MAX_AT 1000

static const char usage[] =
    "Usage: retain survival [options] FILE\n"
    "\n"
    "Kaplan-Meier survival (retention) curves, as R's survival package computes them. FILE\n"
    "(CSV, '-' for stdin, or gzip) has one row per customer or subject with a duration and\n"
    "an event flag (1 = churned/died at that time, 0 = still there: censored), such as\n"
    "`retain tenure` writes; every other column can group the rows (--by).\n"
    "\n"
    "Output tables: curve (the main one: at each distinct time, censoring times included,\n"
    "at_risk, events, censored, survival, std_err = Greenwood standard error of the\n"
    "survival, lower and upper interval, std_err_log = R's std.err, of log S); medians (per\n"
    "group n, events, median survival time and its interval: the first time the survival\n"
    "is at or below 0.5, the interval from where the lower and upper curves get there; empty\n"
    "when not reached); at (with --at); logrank (with --by). At tied times events count\n"
    "before censorings. Empty numbers mean not defined (R's NA).\n"
    "\n"
    "  --time COL       duration column (default: duration, time, tenure, T, week, stop),\n"
    "                   numbers >= 0\n"
    "  --event COL      event column (default: event, status, E, churn, churned, arrest,\n"
    "                   observed, death), 0 or 1 (also true/false, yes/no)\n"
    "  --entry COL      entry time (left truncation): a row is at risk at t when\n"
    "                   entry < t <= time (customers observed from a later date)\n"
    "  --id COL         id column (default: customer_id, id); not a group column\n"
    "  --by COL         one curve per value of COL (rows with an empty or NA value are left\n"
    "                   out and counted as excluded) and the log-rank test: chisq, df, p, and\n"
    "                   per group n, observed, expected, variance, (O-E)^2/E, (O-E)^2/V\n"
    "  --ci TYPE        interval: log-log (default), log (R's default) or plain\n"
    "  --level L        confidence level, between 0 and 1 (default 0.95)\n"
    "  --at T1,T2,...   survival at these times (table 'at', R's summary(fit, times = ...));\n"
    "                   at_risk there, events and censored since the previous time; empty\n"
    "                   estimates after a group's last time\n"
    "  --table NAME     the table CSV prints: curve (default), medians, at (default with\n"
    "                   --at) or logrank\n"
    "  --delim C        field separator (default ','; '\\t' for tab)\n"
    "  --format FMT     table (default on a terminal), csv (default otherwise), json\n"
    "  -o, --output FILE  write the result to FILE instead of stdout\n";

static const char example[] =
    "\nExample:\n"
    "  retain tenure --customers customers.csv -o tenure.csv orders.csv\n"
    "  retain survival --by tier --at 30,90,365 tenure.csv\n"
    "  retain survival --time week --event arrest --by fin --format table rossi.csv\n"
    "  retain survival --entry start --time stop --ci log stanford_heart.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* Parse "30,90,365" into 'at' (at most MAX_AT numbers). Returns the count, or -1. */
static long parse_at(const char *s, double *at)
{
    long n = 0;
    const char *p = s;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char buf[64];
        if (len == 0 || len >= sizeof buf || n == MAX_AT)
            return -1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (cli_parse_double(buf, &at[n]) != 0 || !isfinite(at[n]))
            return -1;
        n++;
        if (!q)
            return n;
        p = q + 1;
    }
}

int cmd_survival(int argc, char **argv)
{
    static const struct option longopts[] = {{"time", required_argument, NULL, OPT_TIME},
                                             {"event", required_argument, NULL, OPT_EVENT},
                                             {"entry", required_argument, NULL, OPT_ENTRY},
                                             {"id", required_argument, NULL, OPT_ID},
                                             {"by", required_argument, NULL, OPT_BY},
                                             {"ci", required_argument, NULL, OPT_CI},
                                             {"level", required_argument, NULL, OPT_LEVEL},
                                             {"at", required_argument, NULL, OPT_AT},
                                             {"table", required_argument, NULL, OPT_TABLE},
                                             {"delim", required_argument, NULL, OPT_DELIM},
                                             {"format", required_argument, NULL, OPT_FORMAT},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    cli_events ce = {.format = -1};
    rt_survdata_read_options ro = {0};
    rt_km_options ko = {0};
    static double at[MAX_AT];
    const char *table = NULL;
    long nat;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        if (c == OPT_DELIM || c == OPT_FORMAT || c == 'o') {
            if (cli_events_option(&ce, "survival", c, optarg) < 0)
                return EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'h':
            printf("%s%s", usage, example);
            return EXIT_OK;
        case OPT_TIME:
        case OPT_EVENT:
        case OPT_BY:
            if (!*optarg)
                return cli_usage("survival", "--%s needs a column name",
                                 c == OPT_TIME    ? "time"
                                 : c == OPT_EVENT ? "event"
                                                  : "by");
            if (c == OPT_TIME)
                ro.time_col = optarg;
            else if (c == OPT_EVENT)
                ro.event_col = optarg;
            else
                ko.by = optarg;
            break;
        case OPT_ENTRY:
            if (!*optarg)
                return cli_usage("survival", "--entry needs a column name");
            ro.entry_col = optarg;
            break;
        case OPT_ID:
            ro.id_col = optarg;
            break;
        case OPT_CI:
            if (strcmp(optarg, "log-log") == 0)
                ko.ci = RT_CI_LOGLOG;
            else if (strcmp(optarg, "log") == 0)
                ko.ci = RT_CI_LOG;
            else if (strcmp(optarg, "plain") == 0)
                ko.ci = RT_CI_PLAIN;
            else
                return cli_usage("survival", "--ci must be log-log, log or plain, got '%s'",
                                 optarg);
            break;
        case OPT_LEVEL:
            if (cli_parse_double(optarg, &ko.level) != 0 || !(ko.level > 0 && ko.level < 1))
                return cli_usage("survival",
                                 "--level must be a number between 0 and 1 (0.95), got '%s'",
                                 optarg);
            break;
        case OPT_AT:
            if ((nat = parse_at(optarg, at)) < 0)
                return cli_usage("survival",
                                 "--at takes comma-separated times such as 30,90,365 (at most "
                                 "%d), got '%s'",
                                 MAX_AT, optarg);
            ko.at = at;
            ko.nat = (size_t)nat;
            break;
        case OPT_TABLE:
            if (strcmp(optarg, "curve") && strcmp(optarg, "medians") && strcmp(optarg, "at") &&
                strcmp(optarg, "logrank"))
                return cli_usage("survival",
                                 "--table must be curve, medians, at or logrank, got '%s'", optarg);
            table = optarg;
            break;
        default:
            return cli_bad_option("survival", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("survival", optind == argc ? "missing FILE" : "one FILE expected");
    if (table && strcmp(table, "at") == 0 && !ko.at)
        return cli_usage("survival", "--table at needs --at");
    if (table && strcmp(table, "logrank") == 0 && !ko.by)
        return cli_usage("survival", "--table logrank needs --by");
    if (!table && ko.at)
        table = "at";
    ro.delim = ce.load.delim;
    rt_survdata *d;
    rt_error err;
    if (rt_survdata_read(argv[optind], &ro, &d, &err) != RT_OK)
        return cli_fail(&err);
    rt_result *r;
    rt_status st = rt_km_run(d, &ko, &r, &err);
    if (st != RT_OK) {
        rt_survdata_free(d);
        if (st == RT_EDOMAIN) { /* the message has no file name: name the file */
            const char *name = strcmp(argv[optind], "-") == 0 ? "<stdin>" : argv[optind];
            return cli_error(cli_exit_code(st), "%s: %s", name, err.msg);
        }
        return cli_fail(&err);
    }
    rt_survdata_free(d);
    if (table)
        rt_result_select(r, table);
    long long excluded = (long long)rt_result_get(r, "excluded", &c).i;
    if (excluded > 0)
        fprintf(stderr, "retain: note: %lld row%s with an empty or NA '%s' left out (excluded)\n",
                excluded, excluded == 1 ? "" : "s", ko.by);
    int rc = cli_events_write(&ce, r);
    rt_result_free(r);
    return rc;
}
