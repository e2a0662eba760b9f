/* common.c - helpers every subcommand uses: exit codes, messages, output files.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_code(rt_status s)
{
    switch (s) {
    case RT_OK:
        return EXIT_OK;
    case RT_EPARSE:
        return EXIT_INPUT;
    case RT_EDOMAIN:
        return EXIT_INPUT;
    case RT_ENOCONV:
        return EXIT_MODEL;
    case RT_EIO:
        return EXIT_IO;
    case RT_ENOMEM:
        return EXIT_IO;
    case RT_EMISUSE:
        return EXIT_USAGE;
    }
    return EXIT_IO;
}

int cli_fail(const rt_error *err)
{
    fprintf(stderr, "retain: %s\n", err->msg[0] ? err->msg : rt_status_name(err->code));
    return cli_exit_code(err->code);
}

int cli_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("retain: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return status;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "retain %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'retain %s --help'.\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}

FILE *cli_open_out(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        cli_error(EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
    return f;
}

int cli_close_out(FILE *f, const char *path)
{
    if (!f)
        return EXIT_OK;
    int bad = ferror(f);
    int e = bad ? EIO : 0;
    if (f == stdout) {
        if (fflush(f) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
    } else if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad)
        return cli_error(EXIT_IO, "cannot write '%s': %s",
                         path && strcmp(path, "-") != 0 ? path : "<stdout>", strerror(e));
    return EXIT_OK;
}

int cli_write_failed(FILE *f, const char *path, int e)
{
    if (f && f != stdout)
        fclose(f);
    return cli_error(EXIT_IO, "cannot write '%s': %s",
                     path && strcmp(path, "-") != 0 ? path : "<stdout>", strerror(e ? e : EIO));
}

/* How many long options start with 'name' (up to any '='): getopt_long accepts unique
 * abbreviations, so more than one means the user's text was ambiguous. */
static int prefix_matches(const struct option *longopts, const char *name)
{
    size_t n = strcspn(name, "=");
    int count = 0;
    for (const struct option *lo = longopts; lo->name; lo++)
        count += strncmp(lo->name, name, n) == 0;
    return count;
}

int cli_bad_option(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *text = argv[optind - 1];
    if (c == ':')
        return cli_usage(cmd, "option '%s' needs a value", text);
    if (strncmp(text, "--", 2) != 0)
        return cli_usage(cmd, "unknown option '-%c'", optopt);
    if (optopt) /* a flag such as --times given "=value" */
        return cli_usage(cmd, "option '%.*s' takes no value", (int)strcspn(text, "="), text);
    if (prefix_matches(longopts, text + 2) > 1)
        return cli_usage(cmd, "option '%s' is ambiguous", text);
    return cli_usage(cmd, "unknown option '%s'", text);
}

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
