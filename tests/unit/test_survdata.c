/* test_survdata.c - the survival table (src/survival/survdata.c, survdata_read.c, tenure.c):
 * the shared data sets read back against values parsed here with sscanf and the counts in
 * shared/data/README.md; tenure from simulated event logs against a brute-force
 * computation from the log's text (own date arithmetic, own per-customer scan) for several
 * active windows and observation ends; attributes joined; tenure from a hand-made
 * subscriptions table worked out by hand; the result and its CSV round trip; and the exact
 * error messages.
 * Durations are whole days and event flags integers: every comparison is exact.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tmpfiles.h"

#define DATA "../shared/data/"

/* ---- helpers ---- */

static rt_survdata *read_table(const char *path, const rt_survdata_read_options *o)
{
    rt_survdata *d = NULL;
    rt_error err;
    if (rt_survdata_read(path, o, &d, &err) != RT_OK)
        fprintf(stderr, "%s\n", err.msg);
    return d;
}

static long column(const rt_survdata *d, const char *name)
{
    for (size_t c = 0; c < d->ncols; c++)
        if (strcmp(d->col_name[c], name) == 0)
            return (long)c;
    return -1;
}

static size_t events_of(const rt_survdata *d)
{
    size_t e = 0;
    for (size_t i = 0; i < d->n; i++)
        e += d->event[i];
    return e;
}

/* The error message of reading 'text' as a table with options 'o' (RT_OK: ""). */
static rt_status read_error(const char *text, const rt_survdata_read_options *o, char *msg)
{
    const char *path = write_text("t.csv", text);
    rt_survdata_read_options oo = {0};
    if (o)
        oo = *o;
    oo.name = "t.csv";
    rt_survdata *d = NULL;
    rt_error err;
    rt_status st = rt_survdata_read(path, &oo, &d, &err);
    strcpy(msg, st == RT_OK ? "" : err.msg);
    CHECK((st == RT_OK) == (d != NULL));
    rt_survdata_free(d);
    return st;
}

/* ---- reading tables ---- */

/* rossi.csv row by row against sscanf; README: 432 rows, 114 events. */
static void survdata_reads_rossi_row_by_row(void)
{
    rt_survdata *d = read_table(DATA "rossi.csv", NULL);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK(d->n == 432 && events_of(d) == 114);
    CHECK(d->id == NULL && d->entry == NULL && d->start == NULL);
    const char *names[7] = {"fin", "age", "race", "wexp", "mar", "paro", "prio"};
    CHECK(d->ncols == 7);
    for (size_t c = 0; c < 7 && c < d->ncols; c++)
        CHECK_STREQ(d->col_name[c], names[c]);
    FILE *f = fopen(DATA "rossi.csv", "r");
    char line[256];
    CHECK(f && fgets(line, sizeof line, f));
    size_t i = 0, bad = 0;
    int v[9];
    while (f && i < d->n && fgets(line, sizeof line, f) &&
           sscanf(line, "%d,%d,%d,%d,%d,%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &v[6], &v[7], &v[8]) == 9) {
        bad += d->time[i] != v[0] || d->event[i] != v[1];
        for (size_t c = 0; c < 7; c++) {
            char txt[16];
            snprintf(txt, sizeof txt, "%d", v[c + 2]);
            bad += d->num[c][i] != v[c + 2] || strcmp(d->text[c][i], txt) != 0;
        }
        i++;
    }
    CHECK(i == 432 && bad == 0);
    if (f)
        fclose(f);
    rt_survdata_free(d);
}

/* lung.csv: time/status recognised; empty cells are "" and NaN (README: meal.cal 47 missing,
 * wt.loss 14). */
static void survdata_keeps_empty_cells_as_nan(void)
{
    rt_survdata *d = read_table(DATA "lung.csv", NULL);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK(d->n == 228 && events_of(d) == 165 && d->ncols == 8);
    long meal = column(d, "meal.cal"), wt = column(d, "wt.loss");
    CHECK(meal >= 0 && wt >= 0);
    size_t nm = 0, nw = 0, bad = 0;
    for (size_t i = 0; meal >= 0 && wt >= 0 && i < d->n; i++) {
        nm += isnan(d->num[meal][i]) != 0;
        nw += isnan(d->num[wt][i]) != 0;
        bad += isnan(d->num[meal][i]) != (d->text[meal][i][0] == '\0');
    }
    CHECK(nm == 47 && nw == 14 && bad == 0);
    CHECK(d->time[0] == 306 && d->num[column(d, "inst")][0] == 3);
    CHECK_STREQ(d->text[column(d, "inst")][0], "3.0");
    rt_survdata_free(d);
}

/* Telco: tenure and Churn (Yes/No) recognised; README: 7043 customers, 1869 churned. dd.csv
 * (quoted fields with commas): duration/observed, 1808 rows, 1468 observed. */
static void survdata_recognises_yes_no_and_quoted_fields(void)
{
    rt_survdata *d = read_table(DATA "Telco-Customer-Churn.csv", NULL);
    CHECK(d != NULL);
    if (d) {
        CHECK(d->n == 7043 && events_of(d) == 1869);
        CHECK(d->time[0] == 1 && column(d, "customerID") == 0 && column(d, "tenure") < 0);
        rt_survdata_free(d);
    }
    d = read_table(DATA "dd.csv", NULL);
    CHECK(d != NULL);
    if (d) {
        CHECK(d->n == 1808 && events_of(d) == 1468);
        rt_survdata_free(d);
    }
}

/* stanford_heart.csv with entry 'start': stop is the time, id recognised (not a further
 * column), the quoted transplant values read as numbers. */
static void survdata_reads_entries_ids_and_quoted_numbers(void)
{
    rt_survdata_read_options o = {.entry_col = "start"};
    rt_survdata *d = read_table(DATA "stanford_heart.csv", &o);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK(d->n == 172 && events_of(d) == 75);
    CHECK(d->entry && d->id && column(d, "id") < 0 && column(d, "start") < 0);
    /* line 2: 0,50,1,-17.1553730321697,0.123203285420945,0,"0",1 */
    CHECK(d->entry[0] == 0 && d->time[0] == 50 && d->event[0] == 1);
    CHECK_STREQ(d->id[0], "1");
    long tr = column(d, "transplant");
    CHECK(tr >= 0 && d->num[tr][0] == 0);
    CHECK_STREQ(d->text[tr][0], "0");
    CHECK(d->num[column(d, "age")][0] == -17.1553730321697);
    rt_survdata_free(d);
    rt_survdata_read_options named = {.time_col = "stop", .event_col = "event", .id_col = ""};
    d = read_table(DATA "stanford_heart.csv", &named);
    CHECK(d && d->id == NULL && column(d, "id") >= 0 && column(d, "start") >= 0);
    rt_survdata_free(d);
}

static void survdata_accepts_event_words_and_numbers(void)
{
    const char *path = write_text("words.csv", "T,E,g\n1,yes,a\n2,No,b\n3,TRUE,\n4,false,c\n"
                                               "5,1.0,\"x,y\"\n6,0e0,\"q\"\"r\"\n-0,1,z\n");
    rt_survdata *d = read_table(path, NULL);
    CHECK(d != NULL);
    if (!d)
        return;
    const unsigned char ev[7] = {1, 0, 1, 0, 1, 0, 1};
    CHECK(d->n == 7);
    for (size_t i = 0; i < 7 && i < d->n; i++)
        CHECK(d->event[i] == ev[i]);
    CHECK(d->time[6] == 0 && !signbit(d->time[6])); /* -0 reads as 0 */
    CHECK_STREQ(d->text[0][2], "");
    CHECK(isnan(d->num[0][2]));
    CHECK_STREQ(d->text[0][4], "x,y");
    CHECK_STREQ(d->text[0][5], "q\"r");
    rt_survdata_free(d);
}

static void survdata_reports_bad_input_exactly(void)
{
    char msg[512];
    CHECK(read_error("week,status\n1,1\n", NULL, msg) == RT_OK);
    CHECK(read_error("week,arrest\n1,2\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "t.csv:2:3: column 'arrest': expected 0 or 1, got \"2\"");
    CHECK(read_error("week,arrest\n1,1\n-1,0\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv:3:1: column 'week': expected a number >= 0, got \"-1\"");
    CHECK(read_error("week,arrest\n,1\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "t.csv:2:1: column 'week': expected a number, got \"\"");
    CHECK(read_error("week,arrest\n1x,1\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "t.csv:2:1: column 'week': expected a number, got \"1x\"");
    CHECK(read_error("week,fin\n1,1\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: no event column (looked for event, status, E, churn, churned, "
                     "arrest, observed, death); the columns are: week, fin");
    CHECK(read_error("days,arrest\n1,1\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: no time column (looked for duration, time, tenure, T, week, "
                     "stop); the columns are: days, arrest");
    rt_survdata_read_options o = {.time_col = "days"};
    CHECK(read_error("week,arrest\n1,1\n", &o, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: column 'days' (time) not found; the columns are: week, arrest");
    o = (rt_survdata_read_options){.entry_col = "from"};
    CHECK(read_error("from,week,arrest\n0,1,1\n3,3,1\n", &o, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv:3:1: column 'from': expected an entry time below the time (3), got "
                     "\"3\"");
    o = (rt_survdata_read_options){.time_col = "week", .event_col = "week"};
    CHECK(read_error("week,arrest\n1,1\n", &o, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: column 'week' is named for both the time and the event");
    CHECK(read_error("week,arrest,x\n1,1\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "t.csv:2: expected 3 fields (as in the header), found 2");
    CHECK(read_error("week,arrest\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: no data rows after the header");
    CHECK(read_error("", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "t.csv: empty input: no header line");
    CHECK(read_error("id,week,arrest\n,1,1\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "t.csv:2:1: column 'id': expected an id, got \"\"");
    rt_survdata *d = (rt_survdata *)1;
    rt_error err;
    CHECK(rt_survdata_read("/nonexistent/x.csv", NULL, &d, &err) == RT_EIO && d == NULL);
    o = (rt_survdata_read_options){.time_col = ""};
    CHECK(rt_survdata_read("x", &o, &d, &err) == RT_EMISUSE);
    CHECK_STREQ(err.msg, "the time and event columns need a name");
}

/* ---- tenure from events, against brute force ---- */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of "YYYY-MM-DD" (y >= 1970), by counting years and months: not the
 * library's civil-from-days formula. */
static long day_of(const char *s)
{
    static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return -1;
    long n = 0;
    for (int yy = 1970; yy < y; yy++)
        n += leap(yy) ? 366 : 365;
    return n + cum[m - 1] + (m > 2 && leap(y)) + d - 1;
}

/* One customer as the brute force sees it. */
typedef struct bcust {
    char id[32];
    long first, last; /* last purchase on or before the end; -1 = none */
} bcust;

/* Scan the log's text: customers in order of first appearance, their first purchase and
 * last purchase on or before 'end'. Returns the number of customers. */
static size_t brute_scan(const char *log, long end, bcust *c, size_t cap)
{
    size_t n = 0;
    const char *p = strchr(log, '\n') + 1;
    while (*p) {
        char id[32], date[16];
        if (sscanf(p, "%31[^,],%15[^,\n]", id, date) != 2)
            break;
        long day = day_of(date);
        size_t k = 0;
        while (k < n && strcmp(c[k].id, id) != 0)
            k++;
        if (k == n && n < cap) {
            snprintf(c[n].id, sizeof c[n].id, "%s", id);
            c[n].first = day;
            c[n].last = -1;
            n++;
        }
        if (k < n) {
            if (day < c[k].first)
                c[k].first = day;
            if (day <= end && day > c[k].last)
                c[k].last = day;
        }
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return n;
}

static char *simulate_log(uint64_t customers, uint64_t seed, int days, char **cust)
{
    rt_sim_options o = {.customers = customers, .seed = seed, .days = days};
    char *log = NULL, *cs = NULL;
    size_t len = 0, clen = 0;
    FILE *f = open_memstream(&log, &len), *cf = cust ? open_memstream(&cs, &clen) : NULL;
    rt_error err;
    CHECK(rt_simulate(&o, f, NULL, cf, &err) == RT_OK);
    fclose(f);
    if (cf)
        fclose(cf);
    if (cust)
        *cust = cs;
    return log;
}

static void tenure_from_events_matches_brute_force(void)
{
    enum { CAP = 2000 };
    static bcust bc[CAP];
    char *log = simulate_log(600, 5, 500, NULL);
    const char *path = write_text("sim.csv", log);
    rt_events *ev = NULL;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &ev, &err) == RT_OK);
    if (!ev) {
        free(log);
        return;
    }
    long last_day = -1, first_day = -1;
    size_t all = brute_scan(log, 1L << 30, bc, CAP);
    for (size_t k = 0; k < all; k++) {
        if (bc[k].last > last_day)
            last_day = bc[k].last;
        if (first_day < 0 || bc[k].first < first_day)
            first_day = bc[k].first;
    }
    /* windows from one day to more than the log; ends: the default (the last day), inside the
     * log (customers not yet acquired are left out, later events ignored), after the log */
    const int32_t windows[4] = {1, 30, 90, 400};
    const long ends[3] = {-1, first_day + 60, last_day + 45};
    size_t checked = 0;
    for (int wi = 0; wi < 4; wi++)
        for (int ei = 0; ei < 3; ei++) {
            long end = ends[ei] < 0 ? last_day : ends[ei];
            rt_tenure_options o = {.active_window = windows[wi],
                                   .has_observed_end = ends[ei] >= 0,
                                   .observed_end = (int32_t)end};
            rt_survdata *s = NULL;
            CHECK(rt_tenure_from_events(ev, &o, &s, &err) == RT_OK);
            if (!s)
                continue;
            size_t n = brute_scan(log, end, bc, CAP), row = 0, bad = 0, excluded = 0;
            for (size_t k = 0; k < n; k++) {
                if (bc[k].first > end) {
                    excluded++;
                    continue;
                }
                long w = windows[wi], f = bc[k].first, l = bc[k].last;
                int churned =
                    l + w <= end; /* not active at the end: no purchase in (end - W, end] */
                long dur = churned ? l + w - f : end - f;
                bad += row >= s->n || strcmp(s->id[row], bc[k].id) != 0 ||
                       s->time[row] != (double)dur || s->event[row] != churned ||
                       s->start[row] != f;
                row++;
            }
            CHECK(bad == 0 && row == s->n);
            CHECK(ei != 1 || excluded > 0); /* the early end leaves customers out */
            rt_result *r = NULL;
            CHECK(rt_survdata_result(s, &r, &err) == RT_OK);
            int found;
            CHECK(rt_result_get(r, "excluded", &found).i == (int64_t)excluded);
            CHECK(rt_result_get(r, "active_window", &found).i == windows[wi]);
            CHECK(rt_result_get(r, "observed_end", &found).i == end);
            rt_result_free(r);
            checked += row;
            rt_survdata_free(s);
        }
    CHECK(checked > 5000);
    rt_events_free(ev);
    free(log);
}

/* The boundary of the churn rule, by hand: W = 10, end = day 100 of the log. */
static void tenure_churns_when_the_window_ends_on_or_before_the_end(void)
{
    /* a: last purchase 10 days before the end: inactive at the end (retention's definition)
     * -> churned, duration 90 - 0 + 10 = 100 - 0 = 100; b: 9 days before -> censored at the
     * end; c: one purchase after the end (ignored) -> the last one on or before counts;
     * d: first purchase after the end -> excluded. */
    const char *path = write_text("edge.csv", "customer_id,date\n"
                                              "a,2024-01-01\na,2024-03-31\n"
                                              "b,2024-01-02\nb,2024-04-01\n"
                                              "c,2024-01-03\nc,2024-02-01\nc,2024-04-20\n"
                                              "d,2024-04-15\n");
    rt_events *ev = NULL;
    rt_error err;
    rt_load_options lo = {.name = "edge.csv"};
    CHECK(rt_events_read(path, &lo, &ev, &err) == RT_OK);
    rt_tenure_options o = {.active_window = 10, .has_observed_end = 1};
    CHECK(rt_date_parse("2024-04-10", &o.observed_end) == 0); /* day 100 from 2024-01-01 */
    rt_survdata *s = NULL;
    CHECK(rt_tenure_from_events(ev, &o, &s, &err) == RT_OK);
    if (s) {
        CHECK(s->n == 3);
        CHECK_STREQ(s->id[0], "a");
        CHECK(s->time[0] == 100 && s->event[0] == 1); /* 2024-03-31 + 10 - 2024-01-01 */
        CHECK(s->time[1] == 99 && s->event[1] == 0);  /* 2024-04-10 - 2024-01-02 */
        CHECK(s->time[2] == 39 && s->event[2] == 1);  /* 2024-02-01 + 10 - 2024-01-03 */
    }
    rt_survdata_free(s);
    o.observed_end = 0; /* 1970-01-01: before the first event */
    CHECK(rt_tenure_from_events(ev, &o, &s, &err) == RT_EDOMAIN && s == NULL);
    CHECK_STREQ(err.msg, "edge.csv: the observation end 1970-01-01 is before the first event "
                         "(2024-01-01)");
    o.active_window = -1;
    CHECK(rt_tenure_from_events(ev, &o, &s, &err) == RT_EMISUSE);
    rt_events_free(ev);
}

static void tenure_joins_attributes_by_customer(void)
{
    char *cust = NULL;
    char *log = simulate_log(50, 9, 200, &cust);
    /* keep every attribute row but the first customer's (line 2), moved columns: the id last */
    char *p = strchr(cust, '\n') + 1;
    p = strchr(p, '\n') + 1;
    char *kept = malloc(strlen(cust) + 64);
    size_t klen = 0;
    klen += (size_t)sprintf(kept, "tier,satisfaction,customer_id\n");
    char id[32], signup[16], tier[16], loyal[8], sat[8];
    while (*p &&
           sscanf(p, "%31[^,],%15[^,],%15[^,],%7[^,],%7[^\n]", id, signup, tier, loyal, sat) == 5) {
        klen += (size_t)sprintf(kept + klen, "%s,%s,%s\n", tier, sat, id);
        p = strchr(p, '\n') + 1;
    }
    const char *lpath = write_text("j.csv", log), *cpath = write_text("jc.csv", kept);
    rt_events *ev = NULL;
    rt_attrs *a = NULL;
    rt_error err;
    CHECK(rt_events_read(lpath, NULL, &ev, &err) == RT_OK);
    CHECK(rt_attrs_read(cpath, NULL, &a, &err) == RT_OK);
    rt_tenure_options o = {.attrs = a};
    rt_survdata *s = NULL;
    CHECK(ev && a && rt_tenure_from_events(ev, &o, &s, &err) == RT_OK);
    if (s) {
        CHECK(s->ncols == 2); /* tier, satisfaction: the id column is not repeated */
        CHECK_STREQ(s->col_name[0], "tier");
        CHECK_STREQ(s->col_name[1], "satisfaction");
        size_t bad = 0, empty = 0;
        for (size_t i = 0; i < s->n; i++) {
            long row = rt_attrs_find(a, s->id[i], strlen(s->id[i]));
            if (row < 0) {
                empty += s->text[0][i][0] == '\0' && isnan(s->num[1][i]);
                continue;
            }
            bad += strcmp(s->text[0][i], rt_attrs_value(a, (size_t)row, 0)) != 0 ||
                   s->num[1][i] != atof(rt_attrs_value(a, (size_t)row, 1));
        }
        CHECK(bad == 0 && empty == 1);
        rt_result *r = NULL;
        CHECK(rt_survdata_result(s, &r, &err) == RT_OK);
        int found;
        CHECK(rt_result_get(r, "unmatched", &found).i == 1);
        rt_result_free(r);
    }
    rt_survdata_free(s);
    rt_attrs_free(a);
    rt_events_free(ev);
    free(kept);
    free(log);
    free(cust);
}

/* ---- tenure from subscriptions ---- */

static void tenure_from_subscriptions_by_hand(void)
{
    /* E = 2024-12-31 (the latest date: x's end). Per customer (first appearance order):
     *  u: 2024-01-01..2024-03-01 and 2024-06-01..2024-09-30 (a gap, not churn): churned at
     *     the latest end: 2024-09-30 - 2024-01-01 = 273 days; plan from the earliest row;
     *  v: 2024-02-01.. (no end): censored at E: 2024-12-31 - 2024-02-01 = 334;
     *  w: 2024-05-01..2024-05-01: churned the same day: 0;
     *  x: 2024-03-15..2024-12-31: churned at E: 291;
     *  y: two rows starting 2024-07-01 (tie: the first in the file gives the plan "b"),
     *     ends 2024-08-01 and 2024-10-01: churned, 92 days. */
    const char *text = "customer_id,start,end,plan\n"
                       "u,2024-06-01,2024-09-30,pro\n"
                       "v,2024-02-01,,basic\n"
                       "u,2024-01-01,2024-03-01,basic\n"
                       "w,2024-05-01,2024-05-01,pro\n"
                       "x,2024-03-15,2024-12-31,basic\n"
                       "y,2024-07-01,2024-08-01,b\n"
                       "y,2024-07-01T10:00:00,2024-10-01,c\n";
    const char *path = write_text("subs.csv", text);
    rt_survdata *s = NULL;
    rt_error err;
    CHECK(rt_tenure_from_subscriptions(path, NULL, &s, &err) == RT_OK);
    if (s) {
        const char *ids[5] = {"u", "v", "w", "x", "y"},
                   *plan[5] = {"basic", "basic", "pro", "basic", "b"};
        const double dur[5] = {273, 334, 0, 291, 92};
        const unsigned char ev[5] = {1, 0, 1, 1, 1};
        CHECK(s->n == 5 && s->ncols == 1);
        for (size_t i = 0; i < 5 && i < s->n; i++) {
            CHECK_STREQ(s->id[i], ids[i]);
            CHECK(s->time[i] == dur[i] && s->event[i] == ev[i]);
            CHECK_STREQ(s->text[0][i], plan[i]);
        }
        CHECK(s->start[0] == (int32_t)day_of("2024-01-01"));
        rt_survdata_free(s);
    }
    /* E = 2024-06-15: y starts later (excluded); u's second row (from 2024-06-01) ends after
     * E: censored, 2024-06-15 - 2024-01-01 = 166 days; x's end is after E: censored, 92. */
    rt_tenure_options o = {.has_observed_end = 1, .observed_end = (int32_t)day_of("2024-06-15")};
    CHECK(rt_tenure_from_subscriptions(path, &o, &s, &err) == RT_OK);
    if (s) {
        CHECK(s->n == 4);
        CHECK(s->time[0] == 166 && s->event[0] == 0);
        CHECK(s->time[1] == 135 && s->event[1] == 0); /* 2024-06-15 - 2024-02-01 */
        CHECK(s->time[3] == 92 && s->event[3] == 0);  /* 2024-06-15 - 2024-03-15 */
        rt_result *r = NULL;
        CHECK(rt_survdata_result(s, &r, &err) == RT_OK);
        int found;
        CHECK(rt_result_get(r, "excluded", &found).i == 1);
        CHECK_STREQ(rt_result_get(r, "source", &found).s, "subscriptions");
        rt_result_free(r);
        rt_survdata_free(s);
    }
    /* E = 2024-05-15: u's second row starts after E and is ignored; its first ended on
     * 2024-03-01: churned, 60 days (the later subscription is not known yet). */
    o.observed_end = (int32_t)day_of("2024-05-15");
    CHECK(rt_tenure_from_subscriptions(path, &o, &s, &err) == RT_OK);
    if (s) {
        CHECK(s->n == 4 && s->time[0] == 60 && s->event[0] == 1);
        CHECK(s->time[2] == 0 && s->event[2] == 1); /* w */
        rt_survdata_free(s);
    }
}

/* Read 'text' as subscriptions and return the error message. */
static rt_status subs_error(const char *text, const rt_tenure_options *o, char *msg)
{
    const char *path = write_text("se.csv", text);
    rt_tenure_options oo = {0};
    if (o)
        oo = *o;
    oo.name = "se.csv";
    rt_survdata *s = NULL;
    rt_error err;
    rt_status st = rt_tenure_from_subscriptions(path, &oo, &s, &err);
    strcpy(msg, st == RT_OK ? "" : err.msg);
    rt_survdata_free(s);
    return st;
}

static void tenure_from_subscriptions_reports_bad_input(void)
{
    char msg[512];
    CHECK(subs_error("customer_id,start,end\na,2024-02-01,2024-01-01\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "se.csv:2:14: column 'end': expected an end on or after the start, got "
                     "\"2024-01-01\"");
    CHECK(subs_error("customer_id,start,end\na,2024-13-01,\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "se.csv:2:3: column 'start': expected a date YYYY-MM-DD, got \"2024-13-01\"");
    CHECK(subs_error("customer_id,begin,end\na,2024-01-01,\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "se.csv: no start column (looked for start, start_date); the columns are: "
                     "customer_id, begin, end");
    CHECK(subs_error("who,start,end\na,2024-01-01,\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "se.csv: no customer id column (looked for customer_id, customer, cust_id, "
                     "user_id, client_id, customerid, userid, customer id); the columns are: "
                     "who, start, end");
    rt_tenure_options o = {.customer_col = "who"};
    CHECK(subs_error("who,start,end\na,2024-01-01,\n", &o, msg) == RT_OK);
    o.customer_col = "whom";
    CHECK(subs_error("who,start,end\na,2024-01-01,\n", &o, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "se.csv: column 'whom' (customer id) not found; the columns are: who, "
                     "start, end");
    o = (rt_tenure_options){.has_observed_end = 1, .observed_end = 0};
    CHECK(subs_error("customer_id,start,end\na,2024-01-01,\n", &o, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg,
                "se.csv: the observation end 1970-01-01 is before the first start (2024-01-01)");
    CHECK(subs_error("customer_id,start,end\n", NULL, msg) == RT_EDOMAIN);
    CHECK_STREQ(msg, "se.csv: no data rows after the header");
    CHECK(subs_error("customer_id,start,end\n,2024-01-01,\n", NULL, msg) == RT_EPARSE);
    CHECK_STREQ(msg, "se.csv:2:1: column 'customer_id': expected a customer id, got \"\"");
}

/* ---- the result ---- */

/* The tenure result written as CSV reads back as the same table. */
static void tenure_result_round_trips_through_csv(void)
{
    char *log = simulate_log(200, 3, 300, NULL);
    const char *path = write_text("rt.csv", log);
    rt_events *ev = NULL;
    rt_survdata *s = NULL, *back = NULL;
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_events_read(path, NULL, &ev, &err) == RT_OK);
    CHECK(ev && rt_tenure_from_events(ev, NULL, &s, &err) == RT_OK);
    CHECK(s && rt_survdata_result(s, &r, &err) == RT_OK);
    if (!r) {
        rt_survdata_free(s);
        rt_events_free(ev);
        free(log);
        return;
    }
    CHECK_STREQ(rt_result_kind(r), "tenure");
    long t = rt_result_main_table(r);
    CHECK(t >= 0 && rt_result_table_cols(r, (size_t)t) == 4);
    CHECK_STREQ(rt_result_table_col_name(r, (size_t)t, 1), "start");
    const char *out = tmp_path("tenure.csv");
    FILE *f = fopen(out, "w");
    CHECK(f && rt_result_write(r, f, RT_FORMAT_CSV, &err) == RT_OK);
    if (f)
        fclose(f);
    CHECK(rt_survdata_read(out, NULL, &back, &err) == RT_OK);
    if (back) {
        size_t bad = back->n != s->n;
        for (size_t i = 0; !bad && i < s->n; i++)
            bad += back->time[i] != s->time[i] || back->event[i] != s->event[i] ||
                   strcmp(back->id[i], s->id[i]) != 0;
        CHECK(bad == 0);
        CHECK(back->ncols == 1 && strcmp(back->col_name[0], "start") == 0);
        char day[16];
        rt_date_format(s->start[0], day);
        CHECK_STREQ(back->text[0][0], day);
    }
    int found;
    CHECK(rt_result_get(r, "rows", &found).i == (int64_t)s->n);
    CHECK(rt_result_get(r, "events", &found).i == (int64_t)events_of(s));
    CHECK(rt_result_get(r, "active_window", &found).i == 90);
    CHECK(rt_result_get(r, "unmatched", &found).type == RT_VAL_NULL);
    rt_result_free(r);
    rt_survdata_free(back);
    rt_survdata_free(s);
    rt_events_free(ev);
    free(log);
}

/* A caller-filled table (priv_ NULL) prints as source "table". */
static void survdata_result_takes_a_caller_filled_table(void)
{
    const double time[2] = {3, 5}, entry[2] = {0, 1};
    const unsigned char event[2] = {1, 0};
    const char *ids[2] = {"p", "q"}, *tier[2] = {"gold", ""}, *names[1] = {"tier"};
    const char *const *cols[1] = {tier};
    rt_survdata d = {.n = 2,
                     .id = ids,
                     .time = time,
                     .event = event,
                     .entry = entry,
                     .ncols = 1,
                     .col_name = names,
                     .text = cols};
    rt_result *r = NULL;
    CHECK(rt_survdata_result(&d, &r, NULL) == RT_OK);
    if (!r)
        return;
    int found;
    CHECK_STREQ(rt_result_get(r, "source", &found).s, "table");
    CHECK(rt_result_get(r, "observed_end", &found).type == RT_VAL_NULL);
    CHECK(rt_result_table_cols(r, 0) == 5); /* customer_id, entry, duration, event, tier */
    CHECK_STREQ(rt_result_table_col_name(r, 0, 1), "entry");
    CHECK(rt_result_table_cell(r, 0, 1, 3).i == 0);
    CHECK_STREQ(rt_result_table_cell(r, 0, 0, 4).s, "gold");
    rt_result_free(r);
    CHECK(rt_survdata_result(NULL, &r, NULL) == RT_EMISUSE && r == NULL);
    rt_survdata_free(NULL);
}

int main(void)
{
    TEST(survdata_reads_rossi_row_by_row);
    TEST(survdata_keeps_empty_cells_as_nan);
    TEST(survdata_recognises_yes_no_and_quoted_fields);
    TEST(survdata_reads_entries_ids_and_quoted_numbers);
    TEST(survdata_accepts_event_words_and_numbers);
    TEST(survdata_reports_bad_input_exactly);
    TEST(tenure_from_events_matches_brute_force);
    TEST(tenure_churns_when_the_window_ends_on_or_before_the_end);
    TEST(tenure_joins_attributes_by_customer);
    TEST(tenure_from_subscriptions_by_hand);
    TEST(tenure_from_subscriptions_reports_bad_input);
    TEST(tenure_result_round_trips_through_csv);
    TEST(survdata_result_takes_a_caller_filled_table);
    remove_files();
    return test_report();
}
