/* cmd_cohort.c - `retain cohort FILE`: the acquisition-cohort matrix. CSV and JSON come from
 * the generic writer (long form); the table format is a triangle of percentages, cohorts down
 * and offsets across, cut to the terminal's width with a note saying what was left out. The
 * triangle only lays out the result the library computed.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "events_opts.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum { OPT_METRIC = OPT_FIRST_FREE, OPT_MODE, OPT_PERIOD, OPT_WINDOW, OPT_WIDTH };

static const char usage[] =
    "Usage: retain cohort [options] FILE\n"
    "\n"
    "Acquisition-cohort matrix: customers grouped by the period of their first event\n"
    "(the cohort), and for each later period offset k the customers still active, their\n"
    "orders or their revenue. Cells not yet complete at the data's last day are censored:\n"
    "left out, never shown as 0. The average row weights cohorts by size over complete\n"
    "cells only. FILE may be '-' (stdin) or gzip.\n"
    "\n"
    "  --metric M         customers (default), orders (events after refund netting, not\n"
    "                     distinct --order ids) or revenue (needs an amount column)\n"
    "  --mode M           on (default): activity in period c + k exactly; on-or-after:\n"
    "                     in any period >= c + k\n"
    "  --period P         day, week (ISO, Monday start), month (default), quarter, year\n"
    "  --window W         calendar (default): offsets are calendar periods; rolling:\n"
    "                     whole windows since each customer's first event (1, 7, 30, 91\n"
    "                     or 365 days)\n"
    "  --width N          width of the table view (default: $COLUMNS, the terminal's\n"
    "                     width, or 100)\n"
    "\n"
    "Output: csv and json give one row per complete cell (cohort, offset, cohort_size,\n"
    "value, rate = value / the cohort's value at offset 0, and per_customer for orders\n"
    "and revenue), the weighted average per offset and the cohort sizes. The table view\n"
    "shows the rates as percentages.\n";

static const char example[] =
    "\nExample:\n"
    "  retain cohort orders.csv\n"
    "  retain cohort --period week --window rolling orders.csv\n"
    "  retain cohort --metric revenue --mode on-or-after --format csv -o cells.csv orders.csv\n"
    "\nExit status: 0 ok, 1 usage, 2 bad input, 4 I/O error.\n";

/* ---- reading the result ---- */

/* The index of the table called 'name', or -1. */
static long table_index(const rt_result *r, const char *name)
{
    for (size_t t = 0; t < rt_result_table_count(r); t++)
        if (strcmp(rt_result_table_name(r, t), name) == 0)
            return (long)t;
    return -1;
}

/* The index of column 'name' of table 't', or -1. */
static long col_index(const rt_result *r, size_t t, const char *name)
{
    for (size_t c = 0; c < rt_result_table_cols(r, t); c++)
        if (strcmp(rt_result_table_col_name(r, t, c), name) == 0)
            return (long)c;
    return -1;
}

/* The string field 'name' of 'r', or "" when it is absent or not a string. */
static const char *field_str(const rt_result *r, const char *name)
{
    int found;
    rt_value v = rt_result_get(r, name, &found);
    return found && v.type == RT_VAL_STRING && v.s ? v.s : "";
}

/* A date field as YYYY-MM-DD into 'buf' (16 bytes), or "-" when absent. */
static const char *field_date(const rt_result *r, const char *name, char *buf)
{
    int found;
    rt_value v = rt_result_get(r, name, &found);
    if (!found || v.type != RT_VAL_DATE)
        return "-";
    rt_date_format((int32_t)v.i, buf);
    return buf;
}

/* ---- formatting ---- */

/* The label of the cohort starting on 'day' into 'buf' ('cap' bytes): 2024-03 (month),
 * 2024-Q1, 2024, or the date (day, week). */
static void cohort_label(int32_t day, const char *period, char *buf, size_t cap)
{
    char date[16];
    rt_date_format(day, date);
    if (strcmp(period, "month") == 0)
        snprintf(buf, cap, "%.7s", date);
    else if (strcmp(period, "quarter") == 0)
        snprintf(buf, cap, "%.4s-Q%d", date, (atoi(date + 5) - 1) / 3 + 1);
    else if (strcmp(period, "year") == 0)
        snprintf(buf, cap, "%.4s", date);
    else
        snprintf(buf, cap, "%s", date);
}

/* A rate as a percentage with one decimal ("12.3%"), none from 1000% on, "-" when it is
 * null (the offset-0 value was 0). */
static void pct(rt_value v, char *buf, size_t cap)
{
    if (v.type != RT_VAL_DOUBLE || !isfinite(v.d))
        snprintf(buf, cap, "-");
    else if (fabs(v.d * 100) < 999.95)
        snprintf(buf, cap, "%.1f%%", v.d * 100);
    else
        snprintf(buf, cap, "%.0f%%", v.d * 100);
}

/* A line being built: text is appended, and put_line prints it without trailing blanks. */
typedef struct line {
    char *p;
    size_t len, cap;
} line;

static void add(line *l, const char *s, size_t width, int right)
{
    size_t n = strlen(s), pad = width > n ? width - n : 0;
    if (l->len + n + pad + 2 >= l->cap)
        return; /* cannot happen: the buffer is sized for the widest line */
    if (l->len) {
        memcpy(l->p + l->len, "  ", 2);
        l->len += 2;
    }
    if (right) {
        memset(l->p + l->len, ' ', pad);
        l->len += pad;
    }
    memcpy(l->p + l->len, s, n);
    l->len += n;
    if (!right) {
        memset(l->p + l->len, ' ', pad);
        l->len += pad;
    }
}

static void put_line(FILE *f, line *l)
{
    while (l->len && l->p[l->len - 1] == ' ')
        l->len--;
    fwrite(l->p, 1, l->len, f);
    putc('\n', f);
    l->len = 0;
}

/* Print 's' wrapped at spaces to lines of at most 'width' characters (a longer word stands
 * alone on its line). */
static void put_wrapped(FILE *f, const char *s, size_t width)
{
    size_t at = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n == 0)
            break;
        if (at && at + 1 + n > width) {
            putc('\n', f);
            at = 0;
        } else if (at) {
            putc(' ', f);
            at++;
        }
        fwrite(s, 1, n, f);
        at += n;
        s += n;
    }
    putc('\n', f);
}

/* ---- the triangle ---- */

typedef struct tri {
    const rt_result *r;
    size_t tc, ta, tk;     /* the cells, average and cohorts tables */
    size_t c_rate, a_rate; /* their rate columns */
    size_t offsets;        /* the longest row of complete cells */
    size_t label_w, size_w, cell_w;
} tri;

/* Measure every column of the triangle: labels, sizes, and the widest percentage. */
static void measure(tri *t, const char *period)
{
    const rt_result *r = t->r;
    char buf[64];
    t->label_w = strlen("average");
    t->size_w = strlen("customers");
    t->cell_w = 1;
    for (size_t i = 0; i < rt_result_table_rows(r, t->tk); i++) {
        cohort_label((int32_t)rt_result_table_cell(r, t->tk, i, 0).i, period, buf, sizeof buf);
        t->label_w = strlen(buf) > t->label_w ? strlen(buf) : t->label_w;
        snprintf(buf, sizeof buf, "%lld", (long long)rt_result_table_cell(r, t->tk, i, 1).i);
        t->size_w = strlen(buf) > t->size_w ? strlen(buf) : t->size_w;
    }
    for (size_t i = 0; i < rt_result_table_rows(r, t->tc); i++) {
        pct(rt_result_table_cell(r, t->tc, i, t->c_rate), buf, sizeof buf);
        t->cell_w = strlen(buf) > t->cell_w ? strlen(buf) : t->cell_w;
    }
    for (size_t i = 0; i < rt_result_table_rows(r, t->ta); i++) {
        pct(rt_result_table_cell(r, t->ta, i, t->a_rate), buf, sizeof buf);
        t->cell_w = strlen(buf) > t->cell_w ? strlen(buf) : t->cell_w;
    }
    snprintf(buf, sizeof buf, "%zu", t->offsets ? t->offsets - 1 : 0);
    t->cell_w = strlen(buf) > t->cell_w ? strlen(buf) : t->cell_w;
}

/* The header and its rule: cohort, customers, then the offsets 0 .. shown-1. */
static void put_header(FILE *f, const tri *t, line *l, size_t shown)
{
    char buf[32];
    add(l, "cohort", t->label_w, 0);
    add(l, "customers", t->size_w, 1);
    for (size_t k = 0; k < shown; k++) {
        snprintf(buf, sizeof buf, "%zu", k);
        add(l, buf, t->cell_w, 1);
    }
    put_line(f, l);
    size_t widths[3] = {t->label_w, t->size_w, t->cell_w};
    char dash[256];
    for (size_t k = 0; k < shown + 2; k++) {
        size_t w = widths[k < 2 ? k : 2];
        memset(dash, '-', w < sizeof dash ? w : sizeof dash - 1);
        dash[w < sizeof dash ? w : sizeof dash - 1] = '\0';
        add(l, dash, w, 0);
    }
    put_line(f, l);
}

/* One row per cohort (its complete cells, then blanks for censored ones), a rule, and the
 * weighted average row. */
static void put_rows(FILE *f, const tri *t, line *l, size_t shown, const char *period)
{
    const rt_result *r = t->r;
    char buf[64];
    size_t x = 0; /* next row of the cells table: cohorts come in the same order */
    for (size_t i = 0; i < rt_result_table_rows(r, t->tk); i++) {
        rt_value start = rt_result_table_cell(r, t->tk, i, 0);
        size_t n = (size_t)rt_result_table_cell(r, t->tk, i, 2).i;
        cohort_label((int32_t)start.i, period, buf, sizeof buf);
        add(l, buf, t->label_w, 0);
        snprintf(buf, sizeof buf, "%lld", (long long)rt_result_table_cell(r, t->tk, i, 1).i);
        add(l, buf, t->size_w, 1);
        for (size_t k = 0; k < n && x + k < rt_result_table_rows(r, t->tc); k++) {
            if (k >= shown)
                continue;
            pct(rt_result_table_cell(r, t->tc, x + k, t->c_rate), buf, sizeof buf);
            add(l, buf, t->cell_w, 1);
        }
        x += n;
        put_line(f, l);
    }
    if (rt_result_table_rows(r, t->ta) == 0)
        return;
    add(l, "", t->label_w, 0);
    add(l, "", t->size_w, 1);
    put_line(f, l);
    add(l, "average", t->label_w, 0);
    snprintf(buf, sizeof buf, "%lld", (long long)rt_result_table_cell(r, t->ta, 0, 2).i);
    add(l, buf, t->size_w, 1);
    for (size_t k = 0; k < shown && k < rt_result_table_rows(r, t->ta); k++) {
        pct(rt_result_table_cell(r, t->ta, k, t->a_rate), buf, sizeof buf);
        add(l, buf, t->cell_w, 1);
    }
    put_line(f, l);
}

/* Print the triangle of 'r' to 'f' within 'width' columns. Returns 0, or -1 when the result
 * lacks a table it should have or memory runs out (reported). */
static int put_triangle(FILE *f, const rt_result *r, size_t width)
{
    long tc = table_index(r, "cells"), ta = table_index(r, "average"),
         tk = table_index(r, "cohorts");
    if (tc < 0 || ta < 0 || tk < 0)
        return cli_error(EXIT_IO, "cohort: the result has no cells table"), -1;
    long cr = col_index(r, (size_t)tc, "rate"), ar = col_index(r, (size_t)ta, "rate");
    if (cr < 0 || ar < 0)
        return cli_error(EXIT_IO, "cohort: the result has no rate column"), -1;
    tri t = {.r = r,
             .tc = (size_t)tc,
             .ta = (size_t)ta,
             .tk = (size_t)tk,
             .c_rate = (size_t)cr,
             .a_rate = (size_t)ar,
             .offsets = rt_result_table_rows(r, (size_t)ta)};
    const char *period = field_str(r, "period"), *metric = field_str(r, "metric");
    measure(&t, period);
    /* As many offsets as fit, and at least offset 0. */
    size_t fixed = t.label_w + 2 + t.size_w, shown = t.offsets;
    size_t fit = width > fixed ? (width - fixed) / (t.cell_w + 2) : 0;
    if (fit < 1)
        fit = 1;
    if (shown > fit)
        shown = fit;

    char d0[16], d1[16], text[600];
    int found;
    rt_value wd = rt_result_get(r, "window_days", &found);
    char win[64];
    if (wd.type == RT_VAL_INT)
        snprintf(win, sizeof win, "rolling %lld-day windows", (long long)wd.i);
    else
        snprintf(win, sizeof win, "calendar %ss", period);
    snprintf(text, sizeof text, "Cohorts by %s of first event: %s, %s, %s. Data %s to %s (%s).",
             period, metric, field_str(r, "mode"), win, field_date(r, "first_date", d0),
             field_date(r, "last_date", d1), field_str(r, "source"));
    put_wrapped(f, text, width);
    int customers = strcmp(metric, "customers") == 0;
    snprintf(text, sizeof text,
             "Cells: %% of the cohort's offset-0 %s%s; blank = censored (not complete by %s). "
             "Average: %s.",
             metric, customers ? " (retention)" : "", d1,
             customers ? "weighted by cohort size over complete cells"
                       : "total over complete cells / those cohorts' offset-0 total");
    put_wrapped(f, text, width);
    putc('\n', f);

    line l = {.cap = fixed + (shown + 1) * (t.cell_w + 2) + 16};
    l.p = malloc(l.cap);
    if (!l.p)
        return cli_error(EXIT_IO, "out of memory"), -1;
    put_header(f, &t, &l, shown);
    put_rows(f, &t, &l, shown, period);
    free(l.p);
    if (shown < t.offsets) {
        putc('\n', f);
        snprintf(text, sizeof text,
                 "Offsets %zu-%zu not shown (width %zu); widen the terminal, use --width N, or "
                 "--format csv for every cell.",
                 shown, t.offsets - 1, width);
        put_wrapped(f, text, width);
    }
    return 0;
}

/* The table view's width: --width, else $COLUMNS, else the terminal's (when writing to
 * one), else 100. */
static size_t view_width(long opt_width, FILE *f)
{
    if (opt_width > 0)
        return (size_t)opt_width;
    const char *env = getenv("COLUMNS");
    long n;
    if (env && cli_parse_long(env, 1, 100000, &n) == 0)
        return (size_t)n;
    struct winsize ws;
    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 100;
}

/* Write 'r' as the triangle to the chosen output; returns the exit status. */
static int write_triangle(cli_events *ce, const rt_result *r, long opt_width)
{
    FILE *f = cli_open_out(ce->output);
    if (!f)
        return EXIT_IO;
    if (put_triangle(f, r, view_width(opt_width, f)) != 0) {
        if (f != stdout)
            fclose(f);
        return EXIT_IO;
    }
    return cli_close_out(f, ce->output);
}

/* Parse a choice among 'names'; returns its index or -1. */
static int choice(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* rt_cohort_run as a cli_analysis. */
static rt_status run(const rt_events *ev, const void *opt, rt_result **out, rt_error *err)
{
    return rt_cohort_run(ev, opt, out, err);
}

int cmd_cohort(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_EVENTS_LONGOPTS,
                                             {"metric", required_argument, NULL, OPT_METRIC},
                                             {"mode", required_argument, NULL, OPT_MODE},
                                             {"period", required_argument, NULL, OPT_PERIOD},
                                             {"window", required_argument, NULL, OPT_WINDOW},
                                             {"width", required_argument, NULL, OPT_WIDTH},
                                             {NULL, 0, NULL, 0}};
    static const char *const metrics[] = {"customers", "orders", "revenue"};
    static const char *const modes[] = {"on", "on-or-after"};
    static const char *const windows[] = {"calendar", "rolling"};
    cli_events ce = {.format = -1};
    rt_cohort_options co = {0};
    long width = 0;
    int c, v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int r = cli_events_option(&ce, "cohort", c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            printf("%s\n%s%s", usage, cli_events_help, example);
            return EXIT_OK;
        case OPT_METRIC:
            if ((v = choice(optarg, metrics, 3)) < 0)
                return cli_usage("cohort",
                                 "--metric must be customers, orders or revenue, got '%s'", optarg);
            co.metric = (rt_cohort_metric)v;
            break;
        case OPT_MODE:
            if ((v = choice(optarg, modes, 2)) < 0)
                return cli_usage("cohort", "--mode must be on or on-or-after, got '%s'", optarg);
            co.mode = (rt_cohort_mode)v;
            break;
        case OPT_PERIOD:
            if (rt_period_parse(optarg, &co.period) != 0)
                return cli_usage("cohort",
                                 "--period must be day, week, month, quarter or year, got '%s'",
                                 optarg);
            break;
        case OPT_WINDOW:
            if ((v = choice(optarg, windows, 2)) < 0)
                return cli_usage("cohort", "--window must be calendar or rolling, got '%s'",
                                 optarg);
            co.window = (rt_cohort_window)v;
            break;
        case OPT_WIDTH:
            if (cli_parse_long(optarg, 20, 100000, &width) != 0)
                return cli_usage("cohort", "--width must be an integer from 20 to 100000, got '%s'",
                                 optarg);
            break;
        default:
            return cli_bad_option("cohort", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("cohort", optind == argc ? "missing FILE" : "one FILE expected");
    co.threads = ce.load.threads;
    rt_result *res;
    cli_events_unused(&ce.load.channel_col); /* not used by this analysis */
    cli_events_unused(&ce.load.product_col);
    cli_events_unused(&ce.load.order_col);
    int rc = cli_events_analyse(&ce, argv[optind], run, &co, &res);
    if (rc != EXIT_OK)
        return rc;
    int table =
        ce.format == RT_FORMAT_TABLE ||
        (ce.format < 0 && (!ce.output || strcmp(ce.output, "-") == 0) && isatty(STDOUT_FILENO));
    rc = table ? write_triangle(&ce, res, width) : cli_events_write(&ce, res);
    rt_result_free(res);
    return rc;
}
