/* events_opts.h - the options every command that reads an event log shares: column names,
 * date format, delimiter, bad-row policy, refunds, threads, and the output format.
 * SPDX-License-Identifier: MIT */
#ifndef RT_CLI_EVENTS_OPTS_H
#define RT_CLI_EVENTS_OPTS_H

#include "retain.h"

#include <getopt.h>
#include <stdio.h>

/* getopt_long codes of the shared options (above the ASCII range). */
enum {
    OPT_CUSTOMER = 256,
    OPT_DATE,
    OPT_AMOUNT,
    OPT_CHANNEL,
    OPT_PRODUCT,
    OPT_ORDER,
    OPT_DATE_FORMAT,
    OPT_DELIM,
    OPT_SKIP_BAD,
    OPT_REJECTS,
    OPT_REFUNDS,
    OPT_THREADS,
    OPT_FORMAT,
    OPT_FIRST_FREE /* commands number their own options from here */
};

/* The shared entries of a getopt_long table; a command's table starts with these. */
#define CLI_EVENTS_LONGOPTS                                                                        \
    {"customer", required_argument, NULL, OPT_CUSTOMER},                                           \
        {"date", required_argument, NULL, OPT_DATE},                                               \
        {"amount", required_argument, NULL, OPT_AMOUNT},                                           \
        {"channel", required_argument, NULL, OPT_CHANNEL},                                         \
        {"product", required_argument, NULL, OPT_PRODUCT},                                         \
        {"order", required_argument, NULL, OPT_ORDER},                                             \
        {"date-format", required_argument, NULL, OPT_DATE_FORMAT},                                 \
        {"delim", required_argument, NULL, OPT_DELIM},                                             \
        {"skip-bad-rows", no_argument, NULL, OPT_SKIP_BAD},                                        \
        {"rejects", required_argument, NULL, OPT_REJECTS},                                         \
        {"refunds", required_argument, NULL, OPT_REFUNDS},                                         \
        {"threads", required_argument, NULL, OPT_THREADS},                                         \
        {"format", required_argument, NULL, OPT_FORMAT}, {"output", required_argument, NULL, 'o'}, \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* The help text of the shared options, for a command's --help. */
extern const char cli_events_help[];

typedef struct cli_events {
    rt_load_options load;
    const char *rejects_path;
    FILE *rejects;
    int format; /* rt_format, or -1 = table on a terminal, CSV otherwise */
    const char *output;
    int rejects_errno; /* why writing the rejects file failed, 0 = it did not */
    unsigned long rejected_seen;
    char first_reason[512];
} cli_events;

/* Handle one shared option 'c' with argument 'arg'. Returns 1 if it was one (and valid),
 * 0 if 'c' is not a shared option, -1 after printing a usage error. */
int cli_events_option(cli_events *ce, const char *cmd, int c, const char *arg);

/* Read the event log 'path' with the options gathered. Prints errors and returns the exit
 * status (0 = '*out' holds the table). Reports skipped rows on stderr. */
int cli_events_load(cli_events *ce, const char *path, rt_events **out);

/* Leave out an optional column ('&ce->load.channel_col', ...) the command does not use,
 * unless the user named it: it then costs no loading time or memory and cannot clash with
 * another column. */
void cli_events_unused(const char **col);

/* An analysis as the CLI runs it: 'opt' points to the analysis' own options struct. */
typedef rt_status (*cli_analysis)(const rt_events *ev, const void *opt, rt_result **out,
                                  rt_error *err);

/* Load the event log 'path', run 'run' with 'opt' on it and free the events. Returns the exit
 * status after printing any error; on EXIT_OK '*out' owns the result (rt_result_free). */
int cli_events_analyse(cli_events *ce, const char *path, cli_analysis run, const void *opt,
                       rt_result **out);

/* Write result 'r' in the chosen format to the chosen output; returns the exit status. */
int cli_events_write(cli_events *ce, const rt_result *r);

#endif
