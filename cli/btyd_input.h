/* btyd_input.h - the input options of the model commands (fit, predict, validate): an event
 * log summarised per customer (--unit, --calibration-end) or a ready summary table
 * (--input summary), loaded into an rt_cbs.
 * SPDX-License-Identifier: MIT */
#ifndef RT_CLI_BTYD_INPUT_H
#define RT_CLI_BTYD_INPUT_H

#include "events_opts.h"
#include "retain.h"

enum {
    OPT_INPUT = OPT_FIRST_FREE,
    OPT_UNIT,
    OPT_CAL_END,
    OPT_WEIGHT_COL,
    OPT_HOLDOUT_LENGTH,
    OPT_BTYD_FIRST_FREE /* commands number their own options from here */
};

#define CLI_BTYD_LONGOPTS                                                                          \
    CLI_EVENTS_LONGOPTS, {"input", required_argument, NULL, OPT_INPUT},                            \
        {"unit", required_argument, NULL, OPT_UNIT},                                               \
        {"calibration-end", required_argument, NULL, OPT_CAL_END},                                 \
        {"weight", required_argument, NULL, OPT_WEIGHT_COL},                                       \
    {                                                                                              \
        "holdout-length", required_argument, NULL, OPT_HOLDOUT_LENGTH                              \
    }

extern const char cli_btyd_help[];

typedef struct cli_btyd {
    cli_events ce;
    int summary;  /* 1 = --input summary */
    int unit_set; /* --unit given */
    double unit;  /* days per unit [7] */
    int has_cal_end;
    int32_t cal_end;
    const char *weight_col; /* summary input: the weight column */
    double holdout_length;  /* summary input: length of the holdout, in units */
} cli_btyd;

/* A cli_btyd with the defaults. */
cli_btyd cli_btyd_init(void);

/* Handle one option (shared event options included). Returns 1 if it was one (and valid), 0
 * if not, -1 after printing a usage error. */
int cli_btyd_option(cli_btyd *b, const char *cmd, int c, const char *arg);

/* Load 'path' into '*cbs'. For event input, '*ev' (if 'ev' is not NULL) receives the event
 * table, which the caller frees; for summary input it is NULL. Prints errors and returns the
 * exit status. */
int cli_btyd_load(cli_btyd *b, const char *cmd, const char *path, rt_cbs **cbs, rt_events **ev);

#endif
