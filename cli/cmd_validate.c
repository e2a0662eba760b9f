/* cmd_validate.c - `retain validate --model M --calibration-end DATE FILE`: fit on the
 * calibration period and compare the model's holdout predictions with what happened.
 * SPDX-License-Identifier: MIT */
#include "btyd_input.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_MODEL = OPT_BTYD_FIRST_FREE, OPT_PARAMS, OPT_TABLE };

static const char usage[] =
    "Usage: retain validate [--model MODEL | --params FILE] --calibration-end DATE [options] "
    "FILE\n"
    "\n"
    "Calibration/holdout validation: fit the model on the purchases up to DATE, predict each\n"
    "customer's purchases after it (to the last day of the data), and compare:\n"
    "  by_frequency  per calibration frequency x = 0..6 and 7+: customers, mean actual and\n"
    "                mean expected holdout purchases (the CSV output);\n"
    "  tracking      per period (--unit) from the first purchase: actual and expected\n"
    "                incremental and cumulative repeat purchases of the whole cohort\n"
    "                (--table tracking for CSV);\n"
    "  mae           mean absolute error per customer; total_pct_error = 100 (expected -\n"
    "                actual) / actual over the holdout.\n"
    "With --input summary, FILE needs a holdout_frequency (x.star) column and\n"
    "--holdout-length; there is no tracking table then.\n"
    "\n"
    "  --model MODEL      bgnbd (default), mbgnbd, pnbd, or bgbb (summary input)\n"
    "  --params FILE      validate a saved fit instead of fitting one\n"
    "  --table NAME       the table CSV prints: by_frequency (default) or tracking\n";

static const char example[] =
    "\nExample:\n"
    "  retain validate --model bgnbd --calibration-end 1997-09-30 orders.csv\n"
    "  retain validate --model pnbd --calibration-end 1997-09-30 --table tracking orders.csv\n"
    "  retain validate --model bgbb --input summary --holdout-length 5 donations.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 3 no convergence, 4 I/O error.\n";

int cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_BTYD_LONGOPTS,
                                             {"model", required_argument, NULL, OPT_MODEL},
                                             {"params", required_argument, NULL, OPT_PARAMS},
                                             {"table", required_argument, NULL, OPT_TABLE},
                                             {NULL, 0, NULL, 0}};
    cli_btyd b = cli_btyd_init();
    rt_validate_options vo = {0};
    const char *params = NULL, *table = NULL;
    int has_model = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_btyd_option(&b, "validate", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s\n%s%s", usage, cli_btyd_help, cli_events_help, example);
            return EXIT_OK;
        case OPT_MODEL:
            if (rt_model_parse(optarg, &vo.kind) != 0 || vo.kind == RT_MODEL_SBG ||
                vo.kind == RT_MODEL_GG)
                return cli_usage("validate",
                                 "--model must be bgnbd, mbgnbd, pnbd or bgbb, got '%s'", optarg);
            has_model = 1;
            break;
        case OPT_PARAMS:
            params = optarg;
            break;
        case OPT_TABLE:
            table = optarg;
            break;
        default:
            return cli_bad_option("validate", c, argv, longopts);
        }
    }
    if (has_model && params)
        return cli_usage("validate", "give --model or --params, not both");
    if (optind + 1 != argc)
        return cli_usage("validate", optind == argc ? "missing FILE" : "one FILE expected");
    if (!b.summary && !b.has_cal_end)
        return cli_usage("validate", "--calibration-end DATE is required with an event log");
    if (vo.kind == RT_MODEL_BGBB && !b.summary)
        return cli_usage("validate", "--model bgbb needs --input summary");
    rt_model m;
    rt_error err;
    if (params) {
        if (rt_model_load(params, &m, &err) != RT_OK)
            return cli_fail(&err);
        vo.model = &m;
        if (m.unit_days > 0.0 && !b.unit_set)
            b.unit = m.unit_days;
    }
    rt_cbs *cbs;
    rt_events *ev;
    int rc = cli_btyd_load(&b, "validate", argv[optind], &cbs, &ev);
    if (rc != EXIT_OK)
        return rc;
    rt_result *r = NULL;
    vo.threads = b.ce.load.threads;
    if (rt_validate_run(cbs, ev, &vo, &r, &err) != RT_OK)
        rc = cli_fail(&err);
    rt_cbs_free(cbs);
    rt_events_free(ev);
    if (rc != EXIT_OK)
        return rc;
    if (table && rt_result_select(r, table) != 0) {
        rt_result_free(r);
        return cli_usage("validate",
                         "--table must be by_frequency or tracking (event input), "
                         "got '%s'",
                         table);
    }
    rc = cli_events_write(&b.ce, r);
    rt_result_free(r);
    return rc;
}
