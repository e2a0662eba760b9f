/* cmd_cox.c - `retain cox --covariates a,b,c FILE`: Cox proportional hazards on a table with
 * a duration and an event column (rossi.csv, or `retain tenure`'s output).
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_TIME = OPT_FIRST_FREE,
    OPT_EVENT,
    OPT_COVARIATES,
    OPT_TIES,
    OPT_STRATA,
    OPT_REF,
    OPT_ROBUST
};

#define MAX_COV 256

static const char usage[] =
    "Usage: retain cox --covariates COL[,COL...] [options] FILE\n"
    "\n"
    "Cox proportional hazards regression, as R's coxph: which customer attributes shorten or\n"
    "lengthen tenure. FILE is a table with a duration and an event column (1 = churned, 0 =\n"
    "censored) and the covariates, e.g. the output of `retain tenure --customers`. FILE may be\n"
    "'-' (stdin) or gzip.\n"
    "\n"
    "  --covariates LIST  comma-separated columns; a column with non-numeric values is\n"
    "                     categorical and dummy-coded against its most frequent level\n"
    "  --ref COL=LEVEL    reference level of a categorical covariate (repeatable)\n"
    "  --ties T           efron (default) or breslow\n"
    "  --strata COL       a separate baseline hazard per value of COL\n"
    "  --robust           also robust (sandwich) standard errors\n"
    "  --time COL         duration column (default: duration, time, tenure, T, week, stop)\n"
    "  --event COL        event column, 0/1 (default: event, status, E, churn, churned,\n"
    "                     arrest, observed, death)\n"
    "  --delim C          field separator (default ',')\n"
    "  --format FMT       table (default on a terminal), csv (default otherwise), json\n"
    "  -o, --output FILE  write the result to FILE instead of stdout\n"
    "  --threads N        threads to use (default: all cores)\n"
    "\n"
    "Output: per coefficient coef, se, hazard ratio exp(coef) with its 95% interval, z, p\n"
    "(CSV prints this table); the fields give the log partial likelihood (null and final),\n"
    "the likelihood-ratio, Wald and score tests, the concordance and the iterations.\n"
    "\nExample:\n"
    "  retain cox --time week --event arrest --covariates fin,age,race,wexp,mar,paro,prio "
    "rossi.csv\n"
    "  retain cox --covariates tier,satisfaction --strata region --ref tier=basic tenure.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 3 no convergence or a singular design, 4 I/O "
    "error.\n";

/* Split 'list' (modified in place) at commas into 'out'; returns the count or -1. */
static int split(char *list, const char **out, int max)
{
    int n = 0;
    for (char *p = strtok(list, ","); p; p = strtok(NULL, ",")) {
        if (n == max || !*p)
            return -1;
        out[n++] = p;
    }
    return n;
}

int cmd_cox(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"time", required_argument, NULL, OPT_TIME},
        {"event", required_argument, NULL, OPT_EVENT},
        {"covariates", required_argument, NULL, OPT_COVARIATES},
        {"ties", required_argument, NULL, OPT_TIES},
        {"strata", required_argument, NULL, OPT_STRATA},
        {"ref", required_argument, NULL, OPT_REF},
        {"robust", no_argument, NULL, OPT_ROBUST},
        {"delim", required_argument, NULL, OPT_DELIM},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rt_survdata_read_options ro = {0};
    rt_cox_options co = {0};
    static const char *cov[MAX_COV], *refcol[MAX_COV], *reflev[MAX_COV];
    static const char *ref[MAX_COV];
    int ncov = -1, nref = 0, c;
    cli_events ce = {.format = -1};
    char *covlist = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = c == OPT_DELIM || c == OPT_FORMAT || c == OPT_THREADS || c == 'o'
                    ? cli_events_option(&ce, "cox", c, optarg)
                    : 0;
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s", usage);
            return EXIT_OK;
        case OPT_TIME:
            ro.time_col = optarg;
            break;
        case OPT_EVENT:
            ro.event_col = optarg;
            break;
        case OPT_COVARIATES:
            covlist = optarg;
            ncov = split(covlist, cov, MAX_COV);
            if (ncov <= 0)
                return cli_usage("cox",
                                 "--covariates takes 1 to %d column names separated by "
                                 "commas",
                                 MAX_COV);
            break;
        case OPT_TIES:
            if (strcmp(optarg, "efron") == 0)
                co.ties = RT_TIES_EFRON;
            else if (strcmp(optarg, "breslow") == 0)
                co.ties = RT_TIES_BRESLOW;
            else
                return cli_usage("cox", "--ties must be efron or breslow, got '%s'", optarg);
            break;
        case OPT_STRATA:
            co.strata = optarg;
            break;
        case OPT_REF: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || nref == MAX_COV)
                return cli_usage("cox", "--ref takes COLUMN=LEVEL, got '%s'", optarg);
            *eq = '\0';
            refcol[nref] = optarg;
            reflev[nref++] = eq + 1;
            break;
        }
        case OPT_ROBUST:
            co.robust = 1;
            break;
        default:
            return cli_bad_option("cox", c, argv, longopts);
        }
    }
    if (ncov < 0)
        return cli_usage("cox", "--covariates is required");
    if (optind + 1 != argc)
        return cli_usage("cox", optind == argc ? "missing FILE" : "one FILE expected");
    for (int r = 0; r < nref; r++) {
        int found = 0;
        for (int k = 0; k < ncov; k++)
            if (strcmp(cov[k], refcol[r]) == 0) {
                ref[k] = reflev[r];
                found = 1;
            }
        if (!found)
            return cli_usage("cox", "--ref %s=%s: '%s' is not one of the covariates", refcol[r],
                             reflev[r], refcol[r]);
    }
    ro.delim = ce.load.delim;
    co.threads = ce.load.threads;
    co.covariates = cov;
    co.ncov = (size_t)ncov;
    co.ref = ref;
    rt_error err;
    rt_survdata *d;
    if (rt_survdata_read(argv[optind], &ro, &d, &err) != RT_OK)
        return cli_fail(&err);
    rt_result *res;
    rt_status st = rt_cox_run(d, &co, &res, &err);
    rt_survdata_free(d);
    if (st == RT_EDOMAIN) { /* the message has no file name: name the file */
        const char *name = strcmp(argv[optind], "-") == 0 ? "<stdin>" : argv[optind];
        return cli_error(cli_exit_code(st), "%s: %s", name, err.msg);
    }
    if (st != RT_OK)
        return cli_fail(&err);
    int rc = cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
