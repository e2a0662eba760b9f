/* main.c - the `retain` tool: the command table and dispatch. Each command lives in
 * cli/cmd_<name>.c and uses only include/retain.h.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const cli_command commands[] = {
    {"summary", cmd_summary, "a first look at an event log: counts, revenue, repeat rate"},
    {"retention", cmd_retention, "customer retention rate (CRR) and churn per period"},
    {"cohort", cmd_cohort, "acquisition-cohort matrix: customers, orders or revenue"},
    {"rfm", cmd_rfm, "RFM scores and segments per customer"},
    {"rfm-summary", cmd_rfm_summary, "frequency, recency, T per customer (the BTYD models' input)"},
    {"fit", cmd_fit, "fit BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, sBG or Gamma-Gamma"},
    {"predict", cmd_predict, "per-customer P(alive), expected purchases and CLV"},
    {"validate", cmd_validate, "calibration/holdout check of a model: by frequency and over time"},
    {"loyalty", cmd_loyalty, "loyalty by channel, product or any field"},
    {"tenure", cmd_tenure, "tenure per customer (start, duration, churned) for survival analysis"},
    {"survival", cmd_survival, "Kaplan-Meier retention curves, medians and the log-rank test"},
    {"cox", cmd_cox, "Cox proportional hazards: what shortens or lengthens tenure"},
    {"satisfaction", cmd_satisfaction, "retention and spend by satisfaction score (CSAT, NPS)"},
    {"simulate", cmd_simulate,
     "generate a realistic synthetic transaction log (any purchase model)"},
};

static void help(FILE *f)
{
    fprintf(f,
            "retain %s - customer-retention analytics\n\n"
            "Usage: retain COMMAND [options] FILE...\n"
            "       retain COMMAND --help\n\nCommands:\n",
            RT_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-13s %s\n", "help", "this list");
    fprintf(f, "\nExit status: 0 ok, 1 usage, 2 bad input, 3 model failure, 4 I/O error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("retain %s\n", RT_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "retain: unknown command '%s'\nTry 'retain help'.\n", name);
    return EXIT_USAGE;
}
