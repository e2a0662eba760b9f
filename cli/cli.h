/* cli.h - what the `retain` subcommands share: exit codes, messages, output files.
 * The CLI is thin: parse options with getopt_long, call rt_*, print. Diagnostics go to
 * stderr as "retain: <msg>"; results to stdout or -o FILE.
 * SPDX-License-Identifier: MIT */
#ifndef RT_CLI_H
#define RT_CLI_H

#include "retain.h"

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_INPUT = 2, EXIT_MODEL = 3, EXIT_IO = 4 };

/* One subcommand: its name, handler (argv[0] is the command name) and a one-line summary. */
typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

int cmd_summary(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_cohort(int argc, char **argv);
int cmd_rfm(int argc, char **argv);
int cmd_rfm_summary(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_loyalty(int argc, char **argv);
int cmd_satisfaction(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_tenure(int argc, char **argv);
int cmd_survival(int argc, char **argv);
int cmd_cox(int argc, char **argv);

/* The exit status for a library status: 2 bad input, 3 model/domain failure... */
int cli_exit_code(rt_status s);

/* Print "retain: <msg>" (for 'err', its message) to stderr and return the exit status. */
int cli_fail(const rt_error *err);
int cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "retain <cmd>: <msg>" and "Try 'retain <cmd> --help'." to stderr; returns 1. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open 'path' for writing ("-" or NULL = stdout). On failure prints the reason, returns NULL. */
FILE *cli_open_out(const char *path);
/* Flush and close a file from cli_open_out (stdout is flushed, not closed); checks ferror
 * first. Returns EXIT_OK or, after printing the system's reason, EXIT_IO. */
int cli_close_out(FILE *f, const char *path);

/* A write to 'f' (opened by cli_open_out for 'path') failed with errno 'e': close it
 * quietly, print "cannot write 'path': reason" and return EXIT_IO. */
int cli_write_failed(FILE *f, const char *path, int e);

struct option;
/* Report the option getopt_long just rejected ('c' is ':' for a missing value, '?' else;
 * the option string must start with ':' and opterr be 0). Returns EXIT_USAGE. */
int cli_bad_option(const char *cmd, int c, char **argv, const struct option *longopts);

/* Parse a whole decimal integer/number option value; returns 0 or -1. */
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *s, double *out);

#endif
