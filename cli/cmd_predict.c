/* cmd_predict.c - `retain predict`: per-customer P(alive), expected purchases, P(k purchases),
 * expected spend and CLV from a fitted (or freshly fitted) model; sBG projections.
 * SPDX-License-Identifier: MIT */
#include "btyd_input.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_MODEL = OPT_BTYD_FIRST_FREE,
    OPT_PARAMS,
    OPT_SPEND_PARAMS,
    OPT_NO_SPEND,
    OPT_MEAN_SPEND,
    OPT_T,
    OPT_MAX_K,
    OPT_MARGIN,
    OPT_DISCOUNT,
    OPT_HORIZON,
    OPT_PERIODS,
    OPT_TABLE,
    OPT_COHORT_SIZE
};

static const char usage[] =
    "Usage: retain predict (--params FILE | --model MODEL) [options] FILE\n"
    "\n"
    "Per-customer predictions of a buy-till-you-die model, with customer lifetime value.\n"
    "FILE is an event log or (--input summary) a per-customer summary; the model comes from\n"
    "`retain fit --params-out` (--params) or is fitted on FILE first (--model).\n"
    "\n"
    "  --params FILE      a saved fit (bgnbd, mbgnbd, pnbd, bgbb or sbg)\n"
    "  --model MODEL      fit bgnbd, mbgnbd or pnbd on FILE instead\n"
    "  --spend-params FILE  a saved Gamma-Gamma fit for the expected spend; without it, a\n"
    "                     Gamma-Gamma model is fitted on FILE when it has amounts\n"
    "  --no-spend         no spend model: no expected spend and no CLV\n"
    "  --mean-spend S     use S as every customer's expected spend per purchase instead\n"
    "  --t T              horizon of 'expected' and p_k, in units (default: the holdout length\n"
    "                     if there is one, else one year: 52 weeks, 365 days, 12 months;\n"
    "                     bgbb: 1 opportunity)\n"
    "  --max-k K          columns p_0..p_K (default 2; -1 = none)\n"
    "  --margin M         share of spend that is profit (default 1)\n"
    "  --discount D       discount rate per year (bgbb and sbg: per period; default 0.1)\n"
    "  --horizon H        CLV horizon in units (default as --t)\n"
    "  --table NAME       the table CSV prints: customers (default), new_customer (E[X(t)],\n"
    "                     P(X(t) = k) for a new customer), tracking (expected cumulative\n"
    "                     repeat purchases of the whole cohort per period; event input)\n"
    "sBG (--params of an sbg fit; FILE, optional, holds the survivors as for `retain fit`):\n"
    "  --periods N        project periods 0..N (default: the longest cohort + 5)\n"
    "  --cohort-size N    the survivor counts are percentages of N customers\n"
    "\n"
    "Columns: p_alive = P(still a customer at the end of the calibration period); expected =\n"
    "E[purchases in the next t units]; p_k = P(exactly k purchases in them); expected_spend =\n"
    "Gamma-Gamma conditional mean spend; clv = sum over the months of the horizon of the\n"
    "expected purchases in the month x expected_spend x margin / (1 + D)^(month/12); pnbd and\n"
    "bgbb add dert (closed-form discounted expected residual transactions, infinite horizon)\n"
    "and clv_dert = dert x expected_spend x margin.\n";

static const char example[] =
    "\nExample:\n"
    "  retain fit --model bgnbd --params-out m.json orders.csv\n"
    "  retain predict --params m.json --margin 0.3 --horizon 104 orders.csv\n"
    "  retain predict --model pnbd --format json orders.csv\n"
    "  retain predict --params sbg.json --periods 12 renewals.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 3 no convergence, 4 I/O error.\n";

typedef struct popts {
    const char *params, *spend_params, *table;
    int has_model, no_spend, periods;
    rt_model_kind kind;
    double cohort_size;
    rt_predict_options po;
} popts;

static int load_model(const char *path, rt_model *m)
{
    rt_error err;
    if (rt_model_load(path, m, &err) != RT_OK)
        return cli_fail(&err);
    return EXIT_OK;
}

static int write_result(cli_btyd *b, rt_result *r, const char *table)
{
    if (table && rt_result_select(r, table) != 0) {
        rt_result_free(r);
        return cli_error(EXIT_USAGE, "predict: this result has no table '%s'", table);
    }
    int rc = cli_events_write(&b->ce, r);
    rt_result_free(r);
    return rc;
}

static int predict_sbg(cli_btyd *b, popts *p, const rt_model *m, const char *path)
{
    rt_error err;
    rt_survivors *s = NULL;
    if (path) {
        rt_survivors_options so = {.delim = b->ce.load.delim, .cohort_size = p->cohort_size};
        if (rt_survivors_read(path, &so, &s, &err) != RT_OK)
            return cli_fail(&err);
    }
    rt_result *r;
    rt_status st = rt_predict_sbg(m, s, p->periods, p->po.discount, p->po.margin, &r, &err);
    rt_survivors_free(s);
    if (st != RT_OK)
        return cli_fail(&err);
    return write_result(b, r, p->table);
}

/* The transaction model and the spend model, loaded or fitted on 'cbs'. */
static int get_models(popts *p, const rt_cbs *cbs, rt_model *m, rt_model *spend)
{
    rt_error err;
    if (!p->has_model) {
        int rc = load_model(p->params, m);
        if (rc != EXIT_OK)
            return rc;
    } else if (rt_model_fit(p->kind, cbs, m, &err) != RT_OK) {
        return cli_fail(&err);
    }
    p->po.spend = NULL;
    if (p->spend_params) {
        int rc = load_model(p->spend_params, spend);
        if (rc != EXIT_OK)
            return rc;
        if (spend->kind != RT_MODEL_GG)
            return cli_error(EXIT_USAGE, "predict: --spend-params must be a gg fit, '%s' is %s",
                             p->spend_params, rt_model_name(spend->kind));
        p->po.spend = spend;
    } else if (!p->no_spend && !(p->po.mean_spend > 0.0) && cbs->mbar) {
        if (rt_model_fit(RT_MODEL_GG, cbs, spend, &err) != RT_OK) {
            fprintf(stderr, "retain: %s\n(use --no-spend, --mean-spend or --spend-params)\n",
                    err.msg);
            return cli_exit_code(err.code);
        }
        p->po.spend = spend;
    }
    return EXIT_OK;
}

static int parse_number(const char *opt, const char *arg, double lo, double *out)
{
    double v;
    if (cli_parse_double(arg, &v) != 0 || !isfinite(v) || v < lo)
        return cli_usage("predict", "--%s must be a number >= %g, got '%s'", opt, lo, arg);
    *out = v;
    return EXIT_OK;
}

static int parse_option(popts *p, int c, const char *arg)
{
    long n;
    double v = 0.0;
    switch (c) {
    case OPT_MODEL:
        if (rt_model_parse(arg, &p->kind) != 0 ||
            (p->kind != RT_MODEL_BGNBD && p->kind != RT_MODEL_MBGNBD && p->kind != RT_MODEL_PNBD))
            return cli_usage("predict",
                             "--model must be bgnbd, mbgnbd or pnbd (fit others with `retain "
                             "fit --params-out`), got '%s'",
                             arg);
        p->has_model = 1;
        return EXIT_OK;
    case OPT_PARAMS:
        p->params = arg;
        return EXIT_OK;
    case OPT_SPEND_PARAMS:
        p->spend_params = arg;
        return EXIT_OK;
    case OPT_NO_SPEND:
        p->no_spend = 1;
        return EXIT_OK;
    case OPT_MEAN_SPEND:
        return parse_number("mean-spend", arg, 0.0, &p->po.mean_spend);
    case OPT_T:
        if (parse_number("t", arg, 0.0, &v) != EXIT_OK)
            return EXIT_USAGE;
        if (!(v > 0.0))
            return cli_usage("predict", "--t must be > 0, got '%s'", arg);
        p->po.t = v;
        return EXIT_OK;
    case OPT_MAX_K:
        if (cli_parse_long(arg, -1, 20, &n) != 0)
            return cli_usage("predict", "--max-k must be a whole number from -1 to 20, got '%s'",
                             arg);
        p->po.pk_count = n < 0 ? -1 : (int)n + 1;
        return EXIT_OK;
    case OPT_MARGIN:
        if (parse_number("margin", arg, 0.0, &v) != EXIT_OK)
            return EXIT_USAGE;
        if (!(v > 0.0))
            return cli_usage("predict", "--margin must be > 0, got '%s'", arg);
        p->po.margin = v;
        return EXIT_OK;
    case OPT_DISCOUNT:
        if (parse_number("discount", arg, 0.0, &v) != EXIT_OK)
            return EXIT_USAGE;
        if (!(v > 0.0))
            return cli_usage("predict", "--discount must be > 0, got '%s'", arg);
        p->po.discount = v;
        return EXIT_OK;
    case OPT_HORIZON:
        if (parse_number("horizon", arg, 0.0, &v) != EXIT_OK)
            return EXIT_USAGE;
        if (!(v > 0.0))
            return cli_usage("predict", "--horizon must be > 0, got '%s'", arg);
        p->po.horizon = v;
        return EXIT_OK;
    case OPT_PERIODS:
        if (cli_parse_long(arg, 1, 100000, &n) != 0)
            return cli_usage("predict",
                             "--periods must be a whole number from 1 to 100000, got "
                             "'%s'",
                             arg);
        p->periods = (int)n;
        return EXIT_OK;
    case OPT_TABLE:
        p->table = arg;
        return EXIT_OK;
    case OPT_COHORT_SIZE:
        if (parse_number("cohort-size", arg, 0.0, &p->cohort_size) != EXIT_OK)
            return EXIT_USAGE;
        if (!(p->cohort_size > 0.0))
            return cli_usage("predict", "--cohort-size must be > 0, got '%s'", arg);
        return EXIT_OK;
    }
    return -1;
}

int cmd_predict(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_BTYD_LONGOPTS,
        {"model", required_argument, NULL, OPT_MODEL},
        {"params", required_argument, NULL, OPT_PARAMS},
        {"spend-params", required_argument, NULL, OPT_SPEND_PARAMS},
        {"no-spend", no_argument, NULL, OPT_NO_SPEND},
        {"mean-spend", required_argument, NULL, OPT_MEAN_SPEND},
        {"t", required_argument, NULL, OPT_T},
        {"max-k", required_argument, NULL, OPT_MAX_K},
        {"margin", required_argument, NULL, OPT_MARGIN},
        {"discount", required_argument, NULL, OPT_DISCOUNT},
        {"horizon", required_argument, NULL, OPT_HORIZON},
        {"periods", required_argument, NULL, OPT_PERIODS},
        {"table", required_argument, NULL, OPT_TABLE},
        {"cohort-size", required_argument, NULL, OPT_COHORT_SIZE},
        {NULL, 0, NULL, 0}};
    cli_btyd b = cli_btyd_init();
    popts p;
    memset(&p, 0, sizeof p);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_btyd_option(&b, "predict", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (c == 'h') {
            printf("%s\n%s\n%s%s", usage, cli_btyd_help, cli_events_help, example);
            return EXIT_OK;
        }
        r = parse_option(&p, c, optarg);
        if (r < 0)
            return cli_bad_option("predict", c, argv, longopts);
        if (r != EXIT_OK)
            return r;
    }
    if (!p.params == !p.has_model)
        return cli_usage("predict", "give either --params FILE or --model MODEL");
    if (p.spend_params && (p.no_spend || p.po.mean_spend > 0.0))
        return cli_usage("predict",
                         "--spend-params, --no-spend and --mean-spend exclude each other");
    rt_model m, spend;
    if (p.params) {
        int rc = load_model(p.params, &m);
        if (rc != EXIT_OK)
            return rc;
        if (m.kind == RT_MODEL_SBG) {
            if (p.po.t > 0.0 || p.po.horizon > 0.0 || p.po.pk_count != 0 || p.no_spend ||
                p.spend_params || p.po.mean_spend > 0.0 || b.summary || b.unit_set || b.has_cal_end)
                return cli_usage("predict", "an sbg projection takes --periods, --discount, "
                                            "--margin and --cohort-size; the other model "
                                            "options do not apply");
            if (optind + 1 < argc)
                return cli_usage("predict", "at most one FILE expected");
            return predict_sbg(&b, &p, &m, optind < argc ? argv[optind] : NULL);
        }
        if (m.kind == RT_MODEL_GG)
            return cli_usage("predict",
                             "'%s' is a gg (spend) fit: pass it as --spend-params "
                             "with a transaction model",
                             p.params);
        if (m.unit_days > 0.0 && b.unit_set && m.unit_days != b.unit)
            return cli_usage("predict", "--unit %s differs from the model's unit (%g days)",
                             rt_unit_name(b.unit), m.unit_days);
        if (m.unit_days > 0.0)
            b.unit = m.unit_days;
    }
    if (optind + 1 != argc)
        return cli_usage("predict", optind == argc ? "missing FILE" : "one FILE expected");
    rt_cbs *cbs;
    int rc = cli_btyd_load(&b, "predict", argv[optind], &cbs, NULL);
    if (rc != EXIT_OK)
        return rc;
    rc = get_models(&p, cbs, &m, &spend);
    if (rc == EXIT_OK) {
        rt_result *r;
        rt_error err;
        p.po.threads = b.ce.load.threads;
        if (rt_predict_run(&m, cbs, &p.po, &r, &err) != RT_OK)
            rc = cli_fail(&err);
        else
            rc = write_result(&b, r, p.table);
    }
    rt_cbs_free(cbs);
    return rc;
}
