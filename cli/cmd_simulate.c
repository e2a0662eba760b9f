/* cmd_simulate.c - `retain simulate`: parse options, call rt_simulate, close the outputs.
 * Options that the library would read as "use the default" (0, 1970-01-01) are rejected here,
 * so what the user typed is what they get.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: retain simulate [options]\n"
    "\n"
    "Write a synthetic purchase log as CSV (customer_id,date,amount,channel,product), rows in\n"
    "time order. Customers arrive uniformly over the acquisition period, make a first\n"
    "purchase, then buy following a buy-till-you-die model (--model):\n"
    "  bgnbd   BG/NBD (default): purchases at rate lambda ~ Gamma(r, alpha) per week; after\n"
    "          every repeat purchase the customer drops out with probability p ~ Beta(a, b)\n"
    "  mbgnbd  MBG/NBD: the same, but the customer may also drop out right after the first\n"
    "          purchase (p applies after every purchase)\n"
    "  pnbd    Pareto/NBD: purchases at rate lambda ~ Gamma(r, alpha) per week during a\n"
    "          lifetime ~ Exponential(mu) weeks, mu ~ Gamma(s, beta)\n"
    "  bgbb    BG/BB: a purchase opportunity every --opportunity-days days after the first\n"
    "          purchase; at each, a living customer drops out with probability theta ~\n"
    "          Beta(bb-gamma, bb-delta), else buys with probability p ~ Beta(bb-alpha, bb-beta)\n"
    "Spend per purchase is Gamma(p, nu) with nu ~ Gamma(q, gamma) (Gamma-Gamma). The same\n"
    "options give the same bytes.\n"
    "\n"
    "Options:\n"
    "  --customers N          number of customers (default 1000)\n"
    "  --seed S               random seed, 1 or more (default 1)\n"
    "  --start DATE           first day of the log, YYYY-MM-DD (default 2024-01-01)\n"
    "  --days D               length of the log in days (default 365)\n"
    "  --acquisition-days D   customers arrive over the first D days (default days/4)\n"
    "  --model M              bgnbd, mbgnbd, pnbd or bgbb (default bgnbd)\n"
    "  --r X, --alpha X       purchase rate lambda: Gamma shape and rate per week\n"
    "                         (bgnbd, mbgnbd: 0.243, 4.414; pnbd: 0.553, 10.578)\n"
    "  --a X, --b X           dropout probability p: Beta shapes (bgnbd, mbgnbd: 0.793, 2.426)\n"
    "  --s X, --beta X        dropout rate mu: Gamma shape and rate per week (pnbd: 0.606,\n"
    "                         11.669)\n"
    "  --bb-alpha X, --bb-beta X\n"
    "                         purchase probability p: Beta shapes (bgbb: 1.204, 0.750)\n"
    "  --bb-gamma X, --bb-delta X\n"
    "                         dropout probability theta: Beta shapes (bgbb: 0.657, 2.783)\n"
    "  --opportunity-days D   days between purchase opportunities (bgbb: default 7)\n"
    "  --p X                  Gamma-Gamma spend shape per purchase (6.25)\n"
    "  --q X, --gamma X       Gamma-Gamma: shape and rate of nu (3.74, 15.44)\n"
    "  --channels K           number of channels, 1-1000 (default 4: web, app, store, phone)\n"
    "  --products K           number of products, 1-1000000 (default 200)\n"
    "  --times                write timestamps (YYYY-MM-DD HH:MM:SS) instead of dates\n"
    "  --orders               add an order_id column\n"
    "  -o, --output FILE      write the log to FILE (default standard output)\n"
    "  --truth FILE           also write each customer's true parameters:\n"
    "                         customer_id,first_date,P1,P2,dropout_date,alive,nu where P1,P2\n"
    "                         are lambda,p (bgnbd, mbgnbd), lambda,mu (pnbd) or p,theta\n"
    "                         (bgbb); dropout_date is empty and alive 1 for a customer still\n"
    "                         alive at the end of the log\n"
    "  --customers-out FILE   also write customer attributes:\n"
    "                         customer_id,signup_date,tier,loyalty_member,satisfaction\n"
    "  -h, --help             show this help and exit\n"
    "\n"
    "Options that do not belong to the chosen model are rejected.\n"
    "\n"
    "Examples:\n"
    "  retain simulate --customers 20000 --days 730 --seed 42 -o orders.csv\n"
    "  retain simulate --model pnbd --customers 5000 --truth truth.csv -o orders.csv\n"
    "\n"
    "Exit status: 0 ok, 1 usage error, 2 bad input, 4 I/O error.\n";

enum {
    OPT_CUSTOMERS = 256,
    OPT_SEED,
    OPT_START,
    OPT_DAYS,
    OPT_ACQ,
    OPT_MODEL,
    OPT_R,
    OPT_ALPHA,
    OPT_A,
    OPT_B,
    OPT_S,
    OPT_BETA,
    OPT_BB_ALPHA,
    OPT_BB_BETA,
    OPT_BB_GAMMA,
    OPT_BB_DELTA,
    OPT_OPP_DAYS,
    OPT_P,
    OPT_Q,
    OPT_GAMMA,
    OPT_CHANNELS,
    OPT_PRODUCTS,
    OPT_TIMES,
    OPT_ORDERS,
    OPT_TRUTH,
    OPT_CUSTOMERS_OUT
};

static const struct option long_options[] = {
    {"customers", required_argument, NULL, OPT_CUSTOMERS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"start", required_argument, NULL, OPT_START},
    {"days", required_argument, NULL, OPT_DAYS},
    {"acquisition-days", required_argument, NULL, OPT_ACQ},
    {"model", required_argument, NULL, OPT_MODEL},
    {"r", required_argument, NULL, OPT_R},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"a", required_argument, NULL, OPT_A},
    {"b", required_argument, NULL, OPT_B},
    {"s", required_argument, NULL, OPT_S},
    {"beta", required_argument, NULL, OPT_BETA},
    {"bb-alpha", required_argument, NULL, OPT_BB_ALPHA},
    {"bb-beta", required_argument, NULL, OPT_BB_BETA},
    {"bb-gamma", required_argument, NULL, OPT_BB_GAMMA},
    {"bb-delta", required_argument, NULL, OPT_BB_DELTA},
    {"opportunity-days", required_argument, NULL, OPT_OPP_DAYS},
    {"p", required_argument, NULL, OPT_P},
    {"q", required_argument, NULL, OPT_Q},
    {"gamma", required_argument, NULL, OPT_GAMMA},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"products", required_argument, NULL, OPT_PRODUCTS},
    {"times", no_argument, NULL, OPT_TIMES},
    {"orders", no_argument, NULL, OPT_ORDERS},
    {"output", required_argument, NULL, 'o'},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"customers-out", required_argument, NULL, OPT_CUSTOMERS_OUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* The transaction models, as --model names them, in rt_model_kind order. */
static const struct {
    const char *name;
    rt_model_kind kind;
} models[] = {{"bgnbd", RT_MODEL_BGNBD},
              {"mbgnbd", RT_MODEL_MBGNBD},
              {"pnbd", RT_MODEL_PNBD},
              {"bgbb", RT_MODEL_BGBB}};
#define NMODELS (sizeof models / sizeof models[0])

/* The model options and the models (bit i = models[i]) each applies to. */
#define FOR_NBD (1u << 0 | 1u << 1 | 1u << 2)
#define FOR_BG (1u << 0 | 1u << 1)
#define FOR_PNBD (1u << 2)
#define FOR_BGBB (1u << 3)
static const struct {
    int opt;
    const char *name;
    unsigned models;
} model_opts[] = {{OPT_R, "r", FOR_NBD},
                  {OPT_ALPHA, "alpha", FOR_NBD},
                  {OPT_A, "a", FOR_BG},
                  {OPT_B, "b", FOR_BG},
                  {OPT_S, "s", FOR_PNBD},
                  {OPT_BETA, "beta", FOR_PNBD},
                  {OPT_BB_ALPHA, "bb-alpha", FOR_BGBB},
                  {OPT_BB_BETA, "bb-beta", FOR_BGBB},
                  {OPT_BB_GAMMA, "bb-gamma", FOR_BGBB},
                  {OPT_BB_DELTA, "bb-delta", FOR_BGBB},
                  {OPT_OPP_DAYS, "opportunity-days", FOR_BGBB}};
#define NMODEL_OPTS (sizeof model_opts / sizeof model_opts[0])

/* Parse a whole unsigned decimal 'lo'..UINT64_MAX (no sign, no spaces). Returns 0 or -1. */
static int parse_u64(const char *s, uint64_t lo, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v < lo)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Parse an int option in 'lo'..'hi' into '*out'; on failure print the usage error. */
static int int_option(const char *name, const char *s, long lo, long hi, int32_t *out)
{
    long v;
    if (cli_parse_long(s, lo, hi, &v) != 0)
        return cli_usage("simulate", "--%s must be a whole number from %ld to %ld, got '%s'", name,
                         lo, hi, s);
    *out = (int32_t)v;
    return 0;
}

/* Parse a model parameter (> 0, finite) into '*out'; on failure print the usage error. */
static int param_option(const char *name, const char *s, double *out)
{
    double v;
    if (cli_parse_double(s, &v) != 0 || !(v > 0.0))
        return cli_usage("simulate", "--%s must be a number > 0, got '%s'", name, s);
    *out = v;
    return 0;
}

/* Parse a --model name into 'o->model' and its index in 'models' into '*m'; on failure
 * print the usage error. */
static int model_option(const char *s, rt_sim_options *o, size_t *m)
{
    for (size_t i = 0; i < NMODELS; i++) {
        if (strcmp(s, models[i].name) == 0) {
            o->model = models[i].kind;
            *m = i;
            return 0;
        }
    }
    return cli_usage("simulate", "--model must be bgnbd, mbgnbd, pnbd or bgbb, got '%s'", s);
}

/* After parsing: reject a model option ('given' has bit j set for model_opts[j]) that does
 * not apply to models[m]. */
static int check_model_options(unsigned given, size_t m)
{
    for (size_t j = 0; j < NMODEL_OPTS; j++)
        if ((given >> j & 1u) && !(model_opts[j].models >> m & 1u))
            return cli_usage("simulate", "--%s does not apply to --model %s", model_opts[j].name,
                             models[m].name);
    return 0;
}

/* Parse argv into 'o' and the three output paths. Returns 0, -1 for --help (already
 * printed), or the usage exit status after printing the error. */
static int parse_args(int argc, char **argv, rt_sim_options *o, const char **out_path,
                      const char **truth_path, const char **cust_path)
{
    int32_t v = 0;
    int c, rc = 0;
    unsigned given = 0; /* bit j: model_opts[j] was given */
    size_t model = 0;   /* index in 'models' */
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":ho:", long_options, NULL)) != -1) {
        for (size_t j = 0; j < NMODEL_OPTS; j++)
            if (model_opts[j].opt == c)
                given |= 1u << j;
        switch (c) {
        case OPT_CUSTOMERS:
            if (parse_u64(optarg, 1, &o->customers) != 0)
                rc = cli_usage("simulate", "--customers must be a whole number >= 1, got '%s'",
                               optarg);
            break;
        case OPT_SEED:
            if (parse_u64(optarg, 1, &o->seed) != 0)
                rc = cli_usage("simulate", "--seed must be a whole number >= 1, got '%s'", optarg);
            break;
        case OPT_START:
            if (rt_date_parse(optarg, &o->start_day) != 0)
                rc = cli_usage("simulate", "--start must be a date YYYY-MM-DD, got '%s'", optarg);
            else if (o->start_day == 0) /* day 0 means "default" to rt_simulate */
                rc = cli_usage("simulate", "--start 1970-01-01 is not supported (day 0 "
                                           "means the default start)");
            break;
        case OPT_DAYS:
            rc = int_option("days", optarg, 1, INT32_MAX, &o->days);
            break;
        case OPT_ACQ:
            rc = int_option("acquisition-days", optarg, 1, INT32_MAX, &o->acquisition_days);
            break;
        case OPT_MODEL:
            rc = model_option(optarg, o, &model);
            break;
        case OPT_R:
            rc = param_option("r", optarg, &o->r);
            break;
        case OPT_ALPHA:
            rc = param_option("alpha", optarg, &o->alpha);
            break;
        case OPT_A:
            rc = param_option("a", optarg, &o->a);
            break;
        case OPT_B:
            rc = param_option("b", optarg, &o->b);
            break;
        case OPT_S:
            rc = param_option("s", optarg, &o->s);
            break;
        case OPT_BETA:
            rc = param_option("beta", optarg, &o->beta);
            break;
        case OPT_BB_ALPHA:
            rc = param_option("bb-alpha", optarg, &o->bb_alpha);
            break;
        case OPT_BB_BETA:
            rc = param_option("bb-beta", optarg, &o->bb_beta);
            break;
        case OPT_BB_GAMMA:
            rc = param_option("bb-gamma", optarg, &o->bb_gamma);
            break;
        case OPT_BB_DELTA:
            rc = param_option("bb-delta", optarg, &o->bb_delta);
            break;
        case OPT_OPP_DAYS:
            rc = int_option("opportunity-days", optarg, 1, INT32_MAX, &o->opportunity_days);
            break;
        case OPT_P:
            rc = param_option("p", optarg, &o->p_shape);
            break;
        case OPT_Q:
            rc = param_option("q", optarg, &o->q);
            break;
        case OPT_GAMMA:
            rc = param_option("gamma", optarg, &o->gamma_gg);
            break;
        case OPT_CHANNELS:
            if ((rc = int_option("channels", optarg, 1, 1000, &v)) == 0)
                o->channels = (int)v;
            break;
        case OPT_PRODUCTS:
            if ((rc = int_option("products", optarg, 1, 1000000, &v)) == 0)
                o->products = (int)v;
            break;
        case OPT_TIMES:
            o->with_times = 1;
            break;
        case OPT_ORDERS:
            o->with_orders = 1;
            break;
        case 'o':
            *out_path = optarg;
            break;
        case OPT_TRUTH:
            *truth_path = optarg;
            break;
        case OPT_CUSTOMERS_OUT:
            *cust_path = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        default:
            rc = cli_bad_option("simulate", c, argv, long_options);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = cli_usage("simulate", "unexpected argument '%s'", argv[optind]);
    if (rc == 0)
        rc = check_model_options(given, model);
    int32_t days = o->days ? o->days : 365;
    if (rc == 0 && o->acquisition_days > days)
        rc = cli_usage("simulate",
                       "--acquisition-days must be at most the length of the log "
                       "(%ld days), got %ld",
                       (long)days, (long)o->acquisition_days);
    return rc;
}

/* The name cli_close_out would print for 'path'. */
static const char *shown(const char *path)
{
    return path && strcmp(path, "-") != 0 ? path : "<stdout>";
}

int cmd_simulate(int argc, char **argv)
{
    rt_sim_options o;
    memset(&o, 0, sizeof o);
    const char *out_path = NULL, *truth_path = NULL, *cust_path = NULL;
    int rc = parse_args(argc, argv, &o, &out_path, &truth_path, &cust_path);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;

    FILE *files[3] = {NULL, NULL, NULL};
    const char *paths[3] = {out_path, truth_path, cust_path};
    files[0] = cli_open_out(out_path);
    if (!files[0])
        return EXIT_IO;
    for (int i = 1; i < 3; i++) {
        if (paths[i] && !(files[i] = cli_open_out(paths[i]))) {
            rc = EXIT_IO;
            break;
        }
    }
    rt_error err;
    rt_status st = RT_OK;
    int reported = -1; /* the file whose write error we already printed */
    if (rc == 0) {
        st = rt_simulate(&o, files[0], files[1], files[2], &err);
        if (st == RT_EIO) {
            /* Name the file that failed, as cli_close_out would, with the real errno
             * (ferror alone no longer knows it). */
            for (int i = 0; i < 3 && reported < 0; i++)
                if (files[i] && ferror(files[i]))
                    reported = i;
            if (reported >= 0)
                rc = cli_error(EXIT_IO, "cannot write '%s': %s", shown(paths[reported]),
                               strerror(err.sys_errno));
        }
        if (st != RT_OK && rc == 0)
            rc = cli_fail(&err);
    }
    for (int i = 0; i < 3; i++) {
        if (reported >= 0 && files[i] == files[reported]) {
            if (files[i] != stdout && i == reported)
                fclose(files[i]);
            continue;
        }
        int r = cli_close_out(files[i], paths[i]);
        if (rc == 0)
            rc = r;
    }
    return rc;
}
