/* test_km.c - Kaplan-Meier curves, medians, survival at times and the log-rank test
 * (src/survival/km.c, logrank.c, riskset.c) against R 4.x with survival 3.5.3 on lung,
 * waltons, rossi and stanford_heart (shared/data) and on small hand-made sets (ties, left
 * truncation, a median at exactly 0.5), the left-truncated log-rank test (which survdiff does
 * not offer) against a brute-force computation, and the error messages.
 *
 * Every reference value below was printed by R with options(digits = 17); the R commands are
 * given beside each block. lung.csv codes status 1 = dead (R's own lung uses 2 = dead, which
 * Surv() reads the same way), so Surv(time, status) gives the same curve as R's lung.
 *
 * Tolerance: REL = 1e-12 relative. Our sums and products run in the same order as R's C code
 * and agree to about 5e-16 (measured on every row of lung, waltons and stanford_heart); 1e-12
 * leaves room for another libm's exp/log while being six orders tighter than the 6
 * significant digits the issue asks for. Counts are compared exactly.
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define REL 1e-12
#define DATA "../shared/data/"

/* ---- result access ---- */

static long table_of(const rt_result *r, const char *name)
{
    for (size_t t = 0; t < rt_result_table_count(r); t++)
        if (strcmp(rt_result_table_name(r, t), name) == 0)
            return (long)t;
    return -1;
}

static long col_of(const rt_result *r, long t, const char *name)
{
    for (size_t c = 0; t >= 0 && c < rt_result_table_cols(r, (size_t)t); c++)
        if (strcmp(rt_result_table_col_name(r, (size_t)t, c), name) == 0)
            return (long)c;
    return -1;
}

/* Cell (row, col) of table 'tab' as a number: NaN for null (R's NA/NaN) or a missing cell. */
static double cell(const rt_result *r, const char *tab, size_t row, const char *col)
{
    long t = table_of(r, tab), c = col_of(r, t, col);
    if (t < 0 || c < 0 || row >= rt_result_table_rows(r, (size_t)t))
        return (double)(double)NAN;
    rt_value v = rt_result_table_cell(r, (size_t)t, row, (size_t)c);
    return v.type == RT_VAL_INT ? (double)v.i : v.type == RT_VAL_DOUBLE ? v.d : (double)(double)NAN;
}

static const char *cell_str(const rt_result *r, const char *tab, size_t row, const char *col)
{
    long t = table_of(r, tab), c = col_of(r, t, col);
    if (t < 0 || c < 0 || row >= rt_result_table_rows(r, (size_t)t))
        return NULL;
    rt_value v = rt_result_table_cell(r, (size_t)t, row, (size_t)c);
    return v.type == RT_VAL_STRING ? v.s : NULL;
}

static size_t rows_of(const rt_result *r, const char *tab)
{
    long t = table_of(r, tab);
    return t < 0 ? 0 : rt_result_table_rows(r, (size_t)t);
}

static double field(const rt_result *r, const char *name)
{
    int found;
    rt_value v = rt_result_get(r, name, &found);
    return v.type == RT_VAL_INT ? (double)v.i : v.type == RT_VAL_DOUBLE ? v.d : (double)(double)NAN;
}

/* Kaplan-Meier of the file 'path' (read with the given time, event, entry columns). */
static rt_result *km_file(const char *path, const char *time, const char *event, const char *entry,
                          const rt_km_options *ko)
{
    rt_survdata_read_options ro = {.time_col = time, .event_col = event, .entry_col = entry};
    rt_survdata *d = NULL;
    rt_error err;
    rt_result *r = NULL;
    if (rt_survdata_read(path, &ro, &d, &err) != RT_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    if (rt_km_run(d, ko, &r, &err) != RT_OK)
        fprintf(stderr, "%s\n", err.msg);
    rt_survdata_free(d);
    return r;
}

/* Check 'n' rows 'idx' (1-based, as in R) of column 'col' of table 'tab' against 'want'
 * (NaN = R's NA/NaN/Inf, which we write as null). */
static void check_rows(const rt_result *r, const char *tab, const char *col, const int *idx,
                       const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double got = cell(r, tab, (size_t)idx[i] - 1, col);
        if (isnan(want[i]))
            CHECK(isnan(got));
        else
            CHECK_NEAR(got, want[i], REL);
    }
}

/* ---- lung: one curve, three interval types ---- */

/* R: lung <- read.csv("lung.csv"); idx <- c(1, 3, 17, 50, 91, 120, 150, 170, 185, 186)
 *    f <- survfit(Surv(time, status) ~ 1, data = lung, conf.type = ct)
 *    f$time[idx]; f$n.risk[idx]; ...; f$lower[idx]; f$upper[idx] */
static const int lung_idx[10] = {1, 3, 17, 50, 91, 120, 150, 170, 185, 186};
static const double lung_time[10] = {5, 12, 79, 182, 269, 351, 520, 689, 1010, 1022};
static const double lung_risk[10] = {228, 224, 206, 157, 110, 74, 38, 17, 2, 1};
static const double lung_event[10] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
static const double lung_cens[10] = {0, 0, 0, 0, 1, 0, 0, 0, 1, 1};
static const double lung_surv[10] = {
    0.995614035087719285, 0.978070175438596423, 0.899122807017543768, 0.708054225986936348,
    0.580686970067247454, 0.446270742849109892, 0.278229747880206324, 0.142391505654817480,
    0.050345568070810462, 0.050345568070810462};
static const double lung_se[10] = {
    0.0043956150117626372, 0.0099166536923865727, 0.0221829634676501929, 0.0427491260485737268,
    0.0579382909630104387, 0.0800686341729650031, 0.1252695651536849808, 0.2130837124650211134,
    0.4538244336412747826, 0.4538244336412747826};
static const double lung_lo[3][10] = {
    {0.969277036218888610, 0.948119884092587739, 0.852102867668781627, 0.643995454844778159,
     0.511793708715354012, 0.375287612887199362, 0.212253343964977276, 0.089373801688007334,
     0.017866171092852667, 0.017866171092852667},
    {0.987073416740514520, 0.959243676910091270, 0.860868548484260088, 0.651146030144838739,
     0.518352166926932090, 0.381455490929129781, 0.217657639551047555, 0.093779280720779595,
     0.020685460198979953, 0.020685460198979953},
    {0.9870365741463089648, 0.9590601256544554198, 0.8600309169266348031, 0.6487286653904216216,
     0.5147459209366018751, 0.3762367436154137046, 0.2099177128745912668, 0.0829236295401872547,
     0.0055642150782767921, 0.0055642150782767921}};
static const double lung_hi[3][10] = {
    {0.99938101143873870, 0.99081324795855852, 0.93178867336431259, 0.76273835277391822,
     0.64335156076092204, 0.51467659347733419, 0.34787675610404534, 0.20737031011372872,
     0.10866217603091873, 0.10866217603091873},
    {1.00000000000000000, 0.99726617032696863, 0.93907696305377131, 0.76993602621894652,
     0.65051788864888127, 0.52209911944903076, 0.35565851382545971, 0.21620277663478932,
     0.12253419551659767, 0.12253419551659767},
    {1.000000000000000000, 0.997080225222737426, 0.938214697108452733, 0.767379786583451073,
     0.646628019197893034, 0.516304742082806079, 0.346541782885821381, 0.201859381769447704,
     0.095126921063344139, 0.095126921063344139}};

static void km_lung_matches_survfit_for_every_interval_type(void)
{
    const rt_ci_type types[3] = {RT_CI_LOGLOG, RT_CI_LOG, RT_CI_PLAIN};
    /* R: print(survfit(...)) for each conf.type: median 310, 0.95LCL/UCL 284/361 (log-log),
     * 285/363 (log), 284/361 (plain). */
    const double med_lo[3] = {284, 285, 284}, med_hi[3] = {361, 363, 361};
    for (int k = 0; k < 3; k++) {
        rt_km_options ko = {.ci = types[k]};
        rt_result *r = km_file(DATA "lung.csv", NULL, NULL, NULL, &ko);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK(rows_of(r, "curve") == 186); /* R: length(f$time) */
        CHECK(field(r, "n") == 228 && field(r, "events") == 165 && field(r, "censored") == 63);
        check_rows(r, "curve", "time", lung_idx, lung_time, 10);
        check_rows(r, "curve", "at_risk", lung_idx, lung_risk, 10);
        check_rows(r, "curve", "events", lung_idx, lung_event, 10);
        check_rows(r, "curve", "censored", lung_idx, lung_cens, 10);
        check_rows(r, "curve", "survival", lung_idx, lung_surv, 10);
        check_rows(r, "curve", "std_err_log", lung_idx, lung_se, 10);
        check_rows(r, "curve", "lower", lung_idx, lung_lo[k], 10);
        check_rows(r, "curve", "upper", lung_idx, lung_hi[k], 10);
        /* std_err is Greenwood's SE of S itself: S * R's std.err (summary.survfit's std.err) */
        for (int i = 0; i < 10; i++)
            CHECK_NEAR(cell(r, "curve", (size_t)lung_idx[i] - 1, "std_err"),
                       lung_surv[i] * lung_se[i], REL);
        CHECK(cell(r, "medians", 0, "median") == 310);
        CHECK(cell(r, "medians", 0, "lower") == med_lo[k]);
        CHECK(cell(r, "medians", 0, "upper") == med_hi[k]);
        CHECK_STREQ(rt_result_get(r, "ci", NULL).s, k == 0 ? "log-log" : k == 1 ? "log" : "plain");
        rt_result_free(r);
    }
}

/* R: s <- summary(survfit(Surv(time, status) ~ 1, data = lung, conf.type = "log-log"),
 *                 times = c(0, 5, 30, 90, 365, 1022, 2000))
 *    (2000 is after the last time, 1022: R leaves it out; we give a row with at_risk 0) */
static void km_lung_survival_at_times_matches_summary(void)
{
    const double at[7] = {365, 0, 5, 30, 90, 1022, 2000}; /* any order: sorted as R does */
    rt_km_options ko = {.at = at, .nat = 7};
    rt_result *r = km_file(DATA "lung.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    const double time[6] = {0, 5, 30, 90, 365, 1022};
    const double risk[6] = {228, 228, 219, 201, 65, 1}, ev[6] = {0, 1, 9, 17, 94, 44};
    const double cens[6] = {0, 0, 0, 0, 42, 21};
    const double surv[6] = {1,
                            0.995614035087719285,
                            0.956140350877192846,
                            0.881578947368420907,
                            0.409241624460064402,
                            0.050345568070810462};
    const double se[6] = {0,
                          0.0043763359985531519,
                          0.0135620698333642764,
                          0.0213982196059284910,
                          0.0358236381720377708,
                          0.0228480489160838053};
    const double lo[6] = {1,
                          0.969277036218888610,
                          0.920018759486473270,
                          0.832071342210920273,
                          0.338714269088323305,
                          0.017866171092852667};
    const double hi[6] = {1,
                          0.99938101143873870,
                          0.97615801529671775,
                          0.91721360417964393,
                          0.47838076764691440,
                          0.10866217603091873};
    CHECK(rows_of(r, "at") == 7);
    for (size_t i = 0; i < 6; i++) {
        CHECK(cell(r, "at", i, "time") == time[i]);
        CHECK(cell(r, "at", i, "at_risk") == risk[i]);
        CHECK(cell(r, "at", i, "events") == ev[i]);
        CHECK(cell(r, "at", i, "censored") == cens[i]);
        CHECK_NEAR(cell(r, "at", i, "survival"), surv[i], REL);
        CHECK_NEAR(cell(r, "at", i, "std_err"), se[i], REL);
        CHECK_NEAR(cell(r, "at", i, "lower"), lo[i], REL);
        CHECK_NEAR(cell(r, "at", i, "upper"), hi[i], REL);
    }
    CHECK(cell(r, "at", 6, "time") == 2000 && cell(r, "at", 6, "at_risk") == 0);
    CHECK(cell(r, "at", 6, "events") == 0 && isnan(cell(r, "at", 6, "survival")));
    rt_result_free(r);
}

/* ---- waltons: two groups ---- */

/* R: w <- read.csv("waltons_dataset.csv"); idx <- c(1, 10, 21, 22, 23, 24, 33)
 *    f <- survfit(Surv(T, E) ~ group, data = w, conf.type = ct); rows 1-20 are control's,
 *    21-33 miR-137's (f$strata); row 33 is miR-137's last time, where S reaches 0 */
static void km_waltons_by_group_matches_survfit(void)
{
    static const int idx[7] = {1, 10, 21, 22, 23, 24, 33};
    static const double time[7] = {7, 53, 6, 9, 13, 15, 62};
    static const double risk[7] = {129, 94, 34, 33, 30, 27, 2}, ev[7] = {1, 7, 1, 3, 3, 2, 2};
    static const double cens[7] = {1, 0, 0, 0, 0, 0, 0};
    static const double surv[7] = {0.99224806201550386,
                                   0.68620259676842721,
                                   0.97058823529411764,
                                   0.88235294117647056,
                                   0.79411764705882348,
                                   0.73529411764705876,
                                   0};
    static const double se[7] = {0.0077821600795586294,
                                 0.0599245515742672652,
                                 0.0298540717013266038,
                                 0.0626224291085149543,
                                 0.0873228053325973003,
                                 0.1028991510855053054,
                                 (double)NAN /* Inf */};
    static const double lo[3][7] = {
        {0.94625211058913605, 0.59785321245886169, 0.80901021015273533, 0.71626924310971374,
         0.61610235246339906, 0.55295218863511897, (double)NAN},
        {0.97722838384937560, 0.61016105799355935, 0.91542588997111707, 0.78043732087062245,
         0.66919939623246871, 0.60099820573618967, (double)NAN},
        {0.97711354693669672, 0.60560812725305690, 0.91379629777136095, 0.77405496557902764,
         0.65820476635340852, 0.58700100722990001, (double)NAN}};
    static const double hi[3][7] = {{0.99890438655061731, 0.75905324735391666, 0.99580394150542051,
                                     0.95413899890206100, 0.89608660617595637, 0.85250423152744959,
                                     (double)NAN},
                                    {1, 0.77172083934714675, 1, 0.99757750171949078,
                                     0.94235416367765856, 0.89959909078944944, (double)NAN},
                                    {1, 0.76679706628379751, 1, 0.99065091677391348,
                                     0.93003052776423845, 0.88358722806421752, (double)NAN}};
    /* R: print(f): control 58 (56, 60) for all three; miR-137 26 (19, 29) log-log and plain,
     * 26 (22, 29) log. */
    const double mir_lo[3] = {19, 22, 19};
    const rt_ci_type types[3] = {RT_CI_LOGLOG, RT_CI_LOG, RT_CI_PLAIN};
    for (int k = 0; k < 3; k++) {
        rt_km_options ko = {.ci = types[k], .by = "group"};
        rt_result *r = km_file(DATA "waltons_dataset.csv", NULL, NULL, NULL, &ko);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK(rows_of(r, "curve") == 33);
        CHECK_STREQ(cell_str(r, "curve", 0, "group"), "control");
        CHECK_STREQ(cell_str(r, "curve", 19, "group"), "control");
        CHECK_STREQ(cell_str(r, "curve", 20, "group"), "miR-137");
        check_rows(r, "curve", "time", idx, time, 7);
        check_rows(r, "curve", "at_risk", idx, risk, 7);
        check_rows(r, "curve", "events", idx, ev, 7);
        check_rows(r, "curve", "censored", idx, cens, 7);
        check_rows(r, "curve", "survival", idx, surv, 7);
        check_rows(r, "curve", "std_err_log", idx, se, 7);
        check_rows(r, "curve", "lower", idx, lo[k], 7);
        check_rows(r, "curve", "upper", idx, hi[k], 7);
        CHECK(isnan(cell(r, "curve", 32, "std_err"))); /* S = 0: 0 * Inf, R's NaN */
        CHECK(rows_of(r, "medians") == 2);
        CHECK(cell(r, "medians", 0, "n") == 129 && cell(r, "medians", 0, "events") == 122);
        CHECK(cell(r, "medians", 0, "median") == 58 && cell(r, "medians", 0, "lower") == 56 &&
              cell(r, "medians", 0, "upper") == 60);
        CHECK(cell(r, "medians", 1, "n") == 34 && cell(r, "medians", 1, "events") == 34);
        CHECK(cell(r, "medians", 1, "median") == 26 &&
              cell(r, "medians", 1, "lower") == mir_lo[k] && cell(r, "medians", 1, "upper") == 29);
        rt_result_free(r);
    }
}

/* R: sd <- survdiff(Surv(T, E) ~ group, data = w); sd$chisq; sd$obs; sd$exp; sd$var;
 *    pchisq(sd$chisq, 1, lower.tail = FALSE) */
static void logrank_waltons_matches_survdiff(void)
{
    rt_km_options ko = {.by = "group"};
    rt_result *r = km_file(DATA "waltons_dataset.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(field(r, "chisq"), 122.2491255730062, REL);
    CHECK(field(r, "df") == 1);
    /* The tail probability moves by chisq/2 times the relative change of chisq: 1e-12 on
     * chisq is 6e-11 on p; 1e-10 allows for that. */
    CHECK_NEAR(field(r, "p"), 2.0359832222854995e-28, 1e-10);
    CHECK(cell(r, "logrank", 0, "n") == 129 && cell(r, "logrank", 1, "n") == 34);
    CHECK(cell(r, "logrank", 0, "observed") == 122 && cell(r, "logrank", 1, "observed") == 34);
    CHECK_NEAR(cell(r, "logrank", 0, "expected"), 148.924489728689, 1e-12);
    CHECK_NEAR(cell(r, "logrank", 1, "expected"), 7.075510271311, 1e-11); /* 13 digits shown */
    CHECK_NEAR(cell(r, "logrank", 0, "variance"), 5.9299250097078691, REL);
    CHECK_NEAR(cell(r, "logrank", 0, "oe2_e"), 4.867756461486, 1e-11);
    CHECK_NEAR(cell(r, "logrank", 1, "oe2_e"), 102.455952906981, 1e-12);
    CHECK_NEAR(cell(r, "logrank", 1, "oe2_v"), 122.249125573, 1e-11);
    rt_result_free(r);
}

/* R: survdiff(Surv(time, status) ~ sex, data = lung) and ~ ph.ecog (one NA: left out, as
 *    R's na.omit; four groups, df 3). */
static void logrank_lung_sex_and_ecog_match_survdiff(void)
{
    rt_km_options ko = {.by = "sex"};
    rt_result *r = km_file(DATA "lung.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (r) {
        CHECK_NEAR(field(r, "chisq"), 10.326741954885632, REL);
        CHECK(field(r, "df") == 1);
        CHECK_NEAR(field(r, "p"), 0.0013111645203554882, 1e-11);
        CHECK(cell(r, "logrank", 0, "observed") == 112 && cell(r, "logrank", 1, "observed") == 53);
        CHECK_NEAR(cell(r, "logrank", 0, "expected"), 91.581739029572802, REL);
        CHECK_NEAR(cell(r, "logrank", 1, "expected"), 73.418260970427212, REL);
        CHECK_NEAR(cell(r, "logrank", 1, "variance"), 40.371433979642653, REL);
        CHECK_STREQ(cell_str(r, "logrank", 0, "group"), "1");
        rt_result_free(r);
    }
    ko.by = "ph.ecog";
    r = km_file(DATA "lung.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    const double obs[4] = {37, 82, 44, 1};
    const double exp[4] = {54.1526970189229289, 83.5275645750818825, 26.1473530653302113,
                           0.1723853406649615};
    CHECK(field(r, "excluded") == 1 && field(r, "n") == 227 && field(r, "groups") == 4);
    CHECK_NEAR(field(r, "chisq"), 21.962131682476006, REL);
    CHECK(field(r, "df") == 3);
    CHECK_NEAR(field(r, "p"), 6.6425353558001711e-05, 1e-11);
    for (size_t g = 0; g < 4; g++) {
        CHECK(cell(r, "logrank", g, "observed") == obs[g]);
        CHECK_NEAR(cell(r, "logrank", g, "expected"), exp[g], REL);
    }
    CHECK_STREQ(cell_str(r, "logrank", 0, "group"), "0.0"); /* the file's text */
    CHECK_STREQ(cell_str(r, "logrank", 3, "group"), "3.0");
    rt_result_free(r);
}

/* ---- rossi ---- */

/* R: r <- read.csv("rossi.csv"); fr <- survfit(Surv(week, arrest) ~ 1, data = r)
 *    length(fr$time) = 49; rows 1, 20, 49; print(fr): median NA (S stays above 0.5);
 *    summary(survfit(..., conf.type = "log-log"), times = c(13, 26, 52));
 *    survdiff(Surv(week, arrest) ~ fin, data = r) */
static void km_rossi_matches_survfit(void)
{
    const double at[3] = {13, 26, 52};
    rt_km_options ko = {.at = at, .nat = 3};
    rt_result *r = km_file(DATA "rossi.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    static const int idx[3] = {1, 20, 49};
    static const double time[3] = {1, 20, 52}, risk[3] = {432, 397, 322}, ev[3] = {1, 5, 4};
    static const double cens[3] = {0, 0, 318};
    static const double surv[3] = {0.99768518518518523, 0.90740740740740722, 0.73611111111111083};
    static const double se[3] = {0.002317498658979789, 0.015368981532569114, 0.028806930993000617};
    CHECK(rows_of(r, "curve") == 49);
    check_rows(r, "curve", "time", idx, time, 3);
    check_rows(r, "curve", "at_risk", idx, risk, 3);
    check_rows(r, "curve", "events", idx, ev, 3);
    check_rows(r, "curve", "censored", idx, cens, 3);
    check_rows(r, "curve", "survival", idx, surv, 3);
    check_rows(r, "curve", "std_err_log", idx, se, 3);
    CHECK(isnan(cell(r, "medians", 0, "median")) && isnan(cell(r, "medians", 0, "lower")) &&
          isnan(cell(r, "medians", 0, "upper")));
    const double as[3] = {0.95370370370370350, 0.87500000000000000, 0.73611111111111083};
    const double ase[3] = {0.010109693419255937, 0.015911721163041112, 0.021205101980958780};
    const double alo[3] = {0.92915756172519559, 0.83997540584281216, 0.69185971579648720};
    const double ahi[3] = {0.96988221673637720, 0.90280379566100877, 0.77506318337467417};
    const double arisk[3] = {413, 381, 322}, aev[3] = {20, 34, 60};
    for (size_t i = 0; i < 3; i++) {
        CHECK_NEAR(cell(r, "at", i, "survival"), as[i], REL);
        CHECK_NEAR(cell(r, "at", i, "std_err"), ase[i], REL);
        CHECK_NEAR(cell(r, "at", i, "lower"), alo[i], REL);
        CHECK_NEAR(cell(r, "at", i, "upper"), ahi[i], REL);
        CHECK(cell(r, "at", i, "at_risk") == arisk[i] && cell(r, "at", i, "events") == aev[i]);
    }
    rt_result_free(r);
    ko = (rt_km_options){.by = "fin"};
    r = km_file(DATA "rossi.csv", "week", "arrest", NULL, &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(field(r, "chisq"), 3.837569576549055, REL);
    CHECK_NEAR(cell(r, "logrank", 0, "expected"), 55.574442768409554, REL);
    CHECK_NEAR(cell(r, "logrank", 1, "expected"), 58.425557231590446, REL);
    rt_result_free(r);
}

/* ---- left truncation ---- */

/* R: h <- read.csv("stanford_heart.csv")
 *    fh <- survfit(Surv(start, stop, event) ~ 1, data = h, conf.type = "log-log")
 *    length(fh$time) = 111; rows c(1, 2, 30, 60, 100, 111); print(fh): median 100 (69, 219) */
static void km_stanford_heart_left_truncated_matches_survfit(void)
{
    rt_km_options ko = {0};
    rt_result *r = km_file(DATA "stanford_heart.csv", NULL, NULL, "start", &ko);
    CHECK(r != NULL);
    if (!r)
        return;
    static const int idx[6] = {1, 2, 30, 60, 100, 111};
    static const double time[6] = {1, 2, 36, 100, 942, 1800};
    static const double risk[6] = {103, 102, 76, 50, 12, 1}, ev[6] = {1, 3, 1, 1, 0, 0};
    static const double cens[6] = {2, 3, 2, 0, 1, 1};
    static const double surv[6] = {0.99029126213592233, 0.96116504854368934, 0.74577707663777282,
                                   0.49400825983950242, 0.25065499364616706, 0.15191211736131335};
    static const double se[6] = {0.0097562136379735487, 0.0198058637007435534,
                                 0.0577708105514839129, 0.1011040935464318641,
                                 0.1944134896000676294, 0.3243776307989162389};
    static const double lo[6] = {0.933083747405601516, 0.899836970589450114, 0.649523117248512860,
                                 0.392976095516571200, 0.161644651028509778, 0.071317134027783682};
    static const double hi[6] = {0.99862666567857106, 0.98524487512893910, 0.81922749805955286,
                                 0.58716492177695501, 0.34972818183573195, 0.26058594937269469};
    CHECK(rows_of(r, "curve") == 111);
    check_rows(r, "curve", "time", idx, time, 6);
    check_rows(r, "curve", "at_risk", idx, risk, 6);
    check_rows(r, "curve", "events", idx, ev, 6);
    check_rows(r, "curve", "censored", idx, cens, 6);
    check_rows(r, "curve", "survival", idx, surv, 6);
    check_rows(r, "curve", "std_err_log", idx, se, 6);
    check_rows(r, "curve", "lower", idx, lo, 6);
    check_rows(r, "curve", "upper", idx, hi, 6);
    CHECK(cell(r, "medians", 0, "median") == 100 && cell(r, "medians", 0, "lower") == 69 &&
          cell(r, "medians", 0, "upper") == 219);
    CHECK(cell(r, "medians", 0, "n") == 172); /* rows (R's "records") */
    rt_result_free(r);
}

/* A caller-filled table: no priv_, the arrays are the test's. */
static rt_survdata table(size_t n, const double *time, const unsigned char *event,
                         const double *entry)
{
    rt_survdata d = {.n = n, .time = time, .event = event, .entry = entry};
    return d;
}

/* R: d <- data.frame(entry = c(0, 0, 2, 3, 1, 5, 0, 4), time = c(4, 6, 5, 8, 3, 9, 2, 7),
 *                    event = c(1, 0, 1, 1, 0, 1, 1, 0))
 *    fs <- survfit(Surv(entry, time, event) ~ 1, data = d, conf.type = "log"): every row */
static void km_small_left_truncated_set_matches_survfit(void)
{
    const double entry[8] = {0, 0, 2, 3, 1, 5, 0, 4}, time[8] = {4, 6, 5, 8, 3, 9, 2, 7};
    const unsigned char event[8] = {1, 0, 1, 1, 0, 1, 1, 0};
    rt_survdata d = table(8, time, event, entry);
    rt_km_options ko = {.ci = RT_CI_LOG};
    rt_result *r = NULL;
    rt_error err;
    CHECK(rt_km_run(&d, &ko, &r, &err) == RT_OK);
    if (!r)
        return;
    const double t[8] = {2, 3, 4, 5, 6, 7, 8, 9}, risk[8] = {4, 4, 4, 4, 4, 3, 2, 1};
    const double ev[8] = {1, 0, 1, 1, 0, 0, 1, 1};
    const double surv[8] = {0.75, 0.75, 0.5625, 0.421875, 0.421875, 0.421875, 0.2109375, 0};
    const double se[8] = {
        0.28867513459481287, 0.28867513459481287, 0.40824829046386302, 0.5, 0.5, 0.5,
        0.86602540378443860, (double)NAN};
    const double lo[8] = {0.425932268497982047, 0.425932268497982047, 0.252709141240425095,
                          0.158337221096183867, 0.158337221096183867, 0.158337221096183867,
                          0.038635953468202831, (double)NAN};
    const double hi[8] = {1, 1, 1, 1, 1, 1, 1, (double)NAN};
    CHECK(rows_of(r, "curve") == 8);
    for (size_t i = 0; i < 8; i++) {
        CHECK(cell(r, "curve", i, "time") == t[i]);
        CHECK(cell(r, "curve", i, "at_risk") == risk[i]);
        CHECK(cell(r, "curve", i, "events") == ev[i]);
        CHECK_NEAR(cell(r, "curve", i, "survival"), surv[i], REL);
        if (isnan(se[i])) {
            CHECK(isnan(cell(r, "curve", i, "std_err_log")));
            CHECK(isnan(cell(r, "curve", i, "lower")) && isnan(cell(r, "curve", i, "upper")));
        } else {
            CHECK_NEAR(cell(r, "curve", i, "std_err_log"), se[i], REL);
            CHECK_NEAR(cell(r, "curve", i, "lower"), lo[i], REL);
            CHECK_NEAR(cell(r, "curve", i, "upper"), hi[i], REL);
        }
    }
    rt_result_free(r);
}

/* ---- ties and medians ---- */

/* R: t2 <- data.frame(time = c(1, 2, 2, 2, 3, 3, 4), event = c(1, 1, 0, 1, 0, 1, 0))
 *    survfit(Surv(time, event) ~ 1, data = t2, conf.type = "log-log"): the row censored at 2
 *    is at risk at 2 (n.risk 6: events before censorings). */
static void km_counts_events_before_censorings_at_ties(void)
{
    const double time[7] = {2, 1, 3, 2, 4, 2, 3}; /* shuffled: the order must not matter */
    const unsigned char event[7] = {1, 1, 1, 0, 0, 1, 0};
    rt_survdata d = table(7, time, event, NULL);
    rt_result *r = NULL;
    CHECK(rt_km_run(&d, NULL, &r, NULL) == RT_OK);
    if (!r)
        return;
    const double risk[4] = {7, 6, 3, 1}, ev[4] = {1, 2, 1, 0}, cens[4] = {0, 1, 1, 1};
    const double surv[4] = {0.85714285714285710, 0.57142857142857140, 0.38095238095238093,
                            0.38095238095238093};
    const double se[4] = {0.15430334996209191, 0.32732683535398854, 0.52326811847228361,
                          0.52326811847228361};
    const double lo[4] = {0.334053879292222189, 0.171866015528775173, 0.061231174238430747,
                          0.061231174238430747};
    const double hi[4] = {0.97856105852617548, 0.83708278034918049, 0.71644199262558139,
                          0.71644199262558139};
    CHECK(rows_of(r, "curve") == 4);
    for (size_t i = 0; i < 4; i++) {
        CHECK(cell(r, "curve", i, "time") == (double)(i + 1));
        CHECK(cell(r, "curve", i, "at_risk") == risk[i] && cell(r, "curve", i, "events") == ev[i] &&
              cell(r, "curve", i, "censored") == cens[i]);
        CHECK_NEAR(cell(r, "curve", i, "survival"), surv[i], REL);
        CHECK_NEAR(cell(r, "curve", i, "std_err_log"), se[i], REL);
        CHECK_NEAR(cell(r, "curve", i, "lower"), lo[i], REL);
        CHECK_NEAR(cell(r, "curve", i, "upper"), hi[i], REL);
    }
    rt_result_free(r);
}

/* R: m <- data.frame(time = 1:6, event = c(1, 1, 1, 0, 1, 1)): S = 0.5 exactly from 3 to 5,
 *    print(survfit(Surv(time, event) ~ 1, data = m, conf.type = ct)): median (3 + 5) / 2 = 4,
 *    lower 1 (log-log), 2 (log, plain), upper NA. m2 <- data.frame(time = 1:4, event = 1):
 *    median 2.5, lower 1, upper NA for all three. */
static void km_median_at_exactly_one_half_is_midway(void)
{
    const double t6[6] = {1, 2, 3, 4, 5, 6}, t4[4] = {1, 2, 3, 4};
    const unsigned char e6[6] = {1, 1, 1, 0, 1, 1}, e4[4] = {1, 1, 1, 1};
    const rt_ci_type types[3] = {RT_CI_LOGLOG, RT_CI_LOG, RT_CI_PLAIN};
    const double lo6[3] = {1, 2, 2};
    for (int k = 0; k < 3; k++) {
        rt_km_options ko = {.ci = types[k]};
        rt_survdata d = table(6, t6, e6, NULL);
        rt_result *r = NULL;
        CHECK(rt_km_run(&d, &ko, &r, NULL) == RT_OK);
        CHECK(cell(r, "medians", 0, "median") == 4);
        CHECK(cell(r, "medians", 0, "lower") == lo6[k]);
        CHECK(isnan(cell(r, "medians", 0, "upper")));
        rt_result_free(r);
        d = table(4, t4, e4, NULL);
        CHECK(rt_km_run(&d, &ko, &r, NULL) == RT_OK);
        CHECK(cell(r, "medians", 0, "median") == 2.5);
        CHECK(cell(r, "medians", 0, "lower") == 1);
        CHECK(isnan(cell(r, "medians", 0, "upper")));
        rt_result_free(r);
    }
}

/* ---- the left-truncated log-rank test against brute force ---- */

/* A deterministic pseudo-random number in [0, 1) (a 64-bit LCG, top 53 bits). */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* The log-rank statistic of 'n' rows in 3 groups, straight from its definition: for every
 * distinct event time t, count who is at risk (entry < t <= time) and who has the event in
 * each group by scanning all rows; chisq = u' V^-1 u over groups 1 and 2 by Cramer's rule.
 * O(n^2); shares no code with logrank.c. */
static double brute_logrank(size_t n, const double *entry, const double *time,
                            const unsigned char *event, const int *grp, double *obs, double *ex)
{
    double v11 = 0, v12 = 0, v22 = 0;
    for (int g = 0; g < 3; g++)
        obs[g] = ex[g] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!event[i])
            continue;
        double t = time[i];
        int first = 1; /* handle each distinct event time once: at its first event row */
        for (size_t j = 0; j < i; j++)
            if (event[j] && time[j] == t)
                first = 0;
        if (!first)
            continue;
        double nk[3] = {0, 0, 0}, dk[3] = {0, 0, 0}, nn = 0, d = 0;
        for (size_t j = 0; j < n; j++) {
            if ((entry ? entry[j] : 0) < t && t <= time[j]) {
                nk[grp[j]]++;
                nn++;
            }
            if (time[j] == t && event[j]) {
                dk[grp[j]]++;
                d++;
            }
        }
        double w = nn > 1 ? d * (nn - d) / (nn - 1) : 0;
        for (int g = 0; g < 3; g++) {
            obs[g] += dk[g];
            ex[g] += d * nk[g] / nn;
        }
        v11 += w * nk[1] / nn * (1 - nk[1] / nn);
        v22 += w * nk[2] / nn * (1 - nk[2] / nn);
        v12 -= w * nk[1] / nn * nk[2] / nn;
    }
    double u1 = obs[1] - ex[1], u2 = obs[2] - ex[2], det = v11 * v22 - v12 * v12;
    return (u1 * (v22 * u1 - v12 * u2) + u2 * (v11 * u2 - v12 * u1)) / det;
}

static void logrank_left_truncated_matches_brute_force(void)
{
    enum { N = 300 };
    static double entry[N], time[N];
    static unsigned char event[N];
    static int grp[N];
    static const char *labels[3] = {"a", "b", "c"};
    static const char *text[N];
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) {
        grp[i] = (int)(lcg(&seed) * 3);
        entry[i] = floor(lcg(&seed) * 20);                               /* ties in entries */
        time[i] = entry[i] + 1 + floor(lcg(&seed) * (30 + 10 * grp[i])); /* and in times */
        event[i] = lcg(&seed) < 0.6;
        text[i] = labels[grp[i]];
    }
    const char *const *cols[1] = {text};
    const char *names[1] = {"g"};
    for (int with_entry = 0; with_entry < 2; with_entry++) {
        rt_survdata d = table(N, time, event, with_entry ? entry : NULL);
        d.ncols = 1;
        d.col_name = names;
        d.text = cols;
        rt_km_options ko = {.by = "g"};
        rt_result *r = NULL;
        rt_error err;
        CHECK(rt_km_run(&d, &ko, &r, &err) == RT_OK);
        if (!r)
            continue;
        double obs[3], ex[3];
        double chi = brute_logrank(N, with_entry ? entry : NULL, time, event, grp, obs, ex);
        /* The brute force sums the same terms in another order (and solves by Cramer's rule):
         * rounding differences of a few 1e-15 relative; 1e-10 is ample and still tight. */
        CHECK_NEAR(field(r, "chisq"), chi, 1e-10);
        CHECK(field(r, "df") == 2);
        for (size_t g = 0; g < 3; g++) {
            CHECK(cell(r, "logrank", g, "observed") == obs[g]);
            CHECK_NEAR(cell(r, "logrank", g, "expected"), ex[g], 1e-10);
        }
        rt_result_free(r);
    }
}

/* The chi-square tail itself, through df = 2 (exp(-x/2)) and df = 4 ((1 + x/2) exp(-x/2)),
 * which have closed forms: a 3-group test reports df = 2. */
static void chisq_tail_matches_closed_forms(void)
{
    /* Two groups whose statistic we know from R: the tail with df = 1 is erfc(sqrt(x/2)). */
    rt_km_options ko = {.by = "sex"};
    rt_result *r = km_file(DATA "lung.csv", NULL, NULL, NULL, &ko);
    CHECK(r != NULL);
    if (r)
        CHECK_NEAR(field(r, "p"), erfc(sqrt(field(r, "chisq") / 2)), 1e-14);
    rt_result_free(r);
    /* df = 2: the same random set as above, three groups. */
    enum { N = 60 };
    double time[N];
    unsigned char event[N];
    const char *text[N];
    static const char *labels[3] = {"x", "y", "z"};
    uint64_t seed = 7;
    for (size_t i = 0; i < N; i++) {
        size_t g = (size_t)(lcg(&seed) * 3);
        time[i] = 1 + floor(lcg(&seed) * (5 + 20 * (double)g));
        event[i] = lcg(&seed) < 0.8;
        text[i] = labels[g];
    }
    const char *const *cols[1] = {text};
    const char *names[1] = {"grp"};
    rt_survdata d = table(N, time, event, NULL);
    d.ncols = 1;
    d.col_name = names;
    d.text = cols;
    ko.by = "GRP"; /* found ignoring case */
    CHECK(rt_km_run(&d, &ko, &r, NULL) == RT_OK);
    if (!r)
        return;
    double x = field(r, "chisq");
    CHECK(field(r, "df") == 2 && x > 5); /* far enough in the tail to test the fraction */
    /* 1e-13: the continued fraction converges to 1e-16; lgamma(1) = 0 exactly. */
    CHECK_NEAR(field(r, "p"), exp(-x / 2), 1e-13);
    rt_result_free(r);
}

/* ---- groups, checks, errors ---- */

static void km_orders_groups_as_numbers_when_all_are(void)
{
    const double time[6] = {1, 2, 3, 4, 5, 6};
    const unsigned char event[6] = {1, 1, 1, 1, 1, 1};
    const char *num[6] = {"10", "9", "2", "10", "", "9"};
    const char *txt[6] = {"b", "B", "a", "10", "9", "a"};
    const char *names[2] = {"n", "t"};
    const char *const *cols[2] = {num, txt};
    rt_survdata d = table(6, time, event, NULL);
    d.ncols = 2;
    d.col_name = names;
    d.text = cols;
    rt_km_options ko = {.by = "n"};
    rt_result *r = NULL;
    CHECK(rt_km_run(&d, &ko, &r, NULL) == RT_OK);
    CHECK(field(r, "excluded") == 1 && field(r, "groups") == 3);
    CHECK_STREQ(cell_str(r, "medians", 0, "group"), "2");
    CHECK_STREQ(cell_str(r, "medians", 1, "group"), "9");
    CHECK_STREQ(cell_str(r, "medians", 2, "group"), "10");
    CHECK(cell(r, "medians", 2, "n") == 2);
    rt_result_free(r);
    ko.by = "t"; /* not all numbers: bytewise */
    CHECK(rt_km_run(&d, &ko, &r, NULL) == RT_OK);
    const char *want[5] = {"10", "9", "B", "a", "b"};
    CHECK(rows_of(r, "medians") == 5);
    for (size_t g = 0; g < 5; g++)
        CHECK_STREQ(cell_str(r, "medians", g, "group"), want[g]);
    rt_result_free(r);
}

static void km_reports_bad_tables_and_options(void)
{
    double time[3] = {1, 2, 3};
    unsigned char event[3] = {1, 0, 1};
    double entry[3] = {0, 2, 1};
    const char *names[1] = {"tier"};
    const char *tier[3] = {"a", "b", "a"};
    const char *const *cols[1] = {tier};
    rt_survdata d = table(3, time, event, NULL);
    d.ncols = 1;
    d.col_name = names;
    d.text = cols;
    rt_result *r = (rt_result *)1;
    rt_error err;
    rt_km_options ko = {.by = "segment"};
    CHECK(rt_km_run(&d, &ko, &r, &err) == RT_EDOMAIN && r == NULL);
    CHECK_STREQ(err.msg, "no column 'segment' to group by; the columns are: tier");
    ko = (rt_km_options){.level = 1.5};
    CHECK(rt_km_run(&d, &ko, &r, &err) == RT_EMISUSE);
    CHECK_STREQ(err.msg, "rt_km_run: the confidence level must be between 0 and 1, got 1.5");
    double at[1] = {(double)NAN};
    ko = (rt_km_options){.at = at, .nat = 1};
    CHECK(rt_km_run(&d, &ko, &r, &err) == RT_EMISUSE);
    CHECK_STREQ(err.msg, "rt_km_run: a requested time is not finite");
    event[1] = 2;
    CHECK(rt_km_run(&d, NULL, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "row 2: the event must be 0 or 1, got 2");
    event[1] = 0;
    time[2] = -1;
    CHECK(rt_km_run(&d, NULL, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "row 3: the time must be a finite number >= 0, got -1");
    time[2] = 3;
    d.entry = entry;
    CHECK(rt_km_run(&d, NULL, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "row 2: the entry time must be below the time (2), got 2");
    d.entry = NULL;
    d.n = 0;
    CHECK(rt_km_run(&d, NULL, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "no rows");
    CHECK(rt_km_run(NULL, NULL, &r, &err) == RT_EMISUSE);
    tier[0] = tier[1] = tier[2] = "";
    d.n = 3;
    ko = (rt_km_options){.by = "tier"};
    CHECK(rt_km_run(&d, &ko, &r, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "no rows with a value in the group column (all 3 empty)");
}

/* A curve of one group from a large integer-time set: the radix sort and the counting must
 * agree with a direct count for every time (n at risk = rows with time >= t). */
static void km_large_integer_times_count_risk_sets_exactly(void)
{
    enum { N = 200000 };
    double *time = malloc(N * sizeof *time);
    unsigned char *event = malloc(N);
    size_t *hist = calloc(1001, sizeof *hist), *hev = calloc(1001, sizeof *hev);
    CHECK(time && event && hist && hev);
    if (!time || !event || !hist || !hev)
        return;
    uint64_t seed = 1;
    for (size_t i = 0; i < N; i++) {
        int t = (int)(lcg(&seed) * 1001);
        time[i] = t;
        event[i] = lcg(&seed) < 0.55;
        hist[t]++;
        hev[t] += event[i];
    }
    rt_survdata d = table(N, time, event, NULL);
    rt_result *r = NULL;
    CHECK(rt_km_run(&d, NULL, &r, NULL) == RT_OK);
    size_t rows = rows_of(r, "curve"), left = N, bad = 0, row = 0;
    double s = 1;
    for (int t = 0; t <= 1000; t++) {
        if (!hist[t])
            continue;
        bad += cell(r, "curve", row, "time") != t ||
               cell(r, "curve", row, "at_risk") != (double)left ||
               cell(r, "curve", row, "events") != (double)hev[t];
        s *= 1 - (double)hev[t] / (double)left;
        /* the same product in the same order: equal up to the last bits */
        bad += !(fabs(cell(r, "curve", row, "survival") - s) <= 1e-12 * s);
        left -= hist[t];
        row++;
    }
    CHECK(rows == row && bad == 0);
    rt_result_free(r);
    free(time);
    free(event);
    free(hist);
    free(hev);
}

int main(void)
{
    TEST(km_lung_matches_survfit_for_every_interval_type);
    TEST(km_lung_survival_at_times_matches_summary);
    TEST(km_waltons_by_group_matches_survfit);
    TEST(logrank_waltons_matches_survdiff);
    TEST(logrank_lung_sex_and_ecog_match_survdiff);
    TEST(km_rossi_matches_survfit);
    TEST(km_stanford_heart_left_truncated_matches_survfit);
    TEST(km_small_left_truncated_set_matches_survfit);
    TEST(km_counts_events_before_censorings_at_ties);
    TEST(km_median_at_exactly_one_half_is_midway);
    TEST(logrank_left_truncated_matches_brute_force);
    TEST(chisq_tail_matches_closed_forms);
    TEST(km_orders_groups_as_numbers_when_all_are);
    TEST(km_reports_bad_tables_and_options);
    TEST(km_large_integer_times_count_risk_sets_exactly);
    return test_report();
}
