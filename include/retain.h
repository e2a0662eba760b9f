/* retain.h - the whole public API of libretain, a customer-retention analytics engine.
 *
 * Memory rule for every call below: a function named _read, _create, _run or _fit gives the
 * caller an owned object that the matching _free releases; _free(NULL) is a no-op. Getters
 * return const borrowed pointers, valid until the owner is freed. Calls that can fail return
 * rt_status, take 'rt_error *err' last (NULL allowed), and leave their out-params NULL/0 on
 * failure. The library never prints, exits or aborts.
 * SPDX-License-Identifier: MIT */
#ifndef RETAIN_H
#define RETAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(RT_BUILDING) && defined(__GNUC__)
#define RT_API __attribute__((visibility("default")))
#else
#define RT_API
#endif

#define RT_VERSION "0.1.0"

/* ---- errors ---- */

typedef enum {
    RT_OK = 0,
    RT_ENOMEM,  /* out of memory */
    RT_EIO,     /* read or write failed; sys_errno says why */
    RT_EPARSE,  /* bad input: line and column say where */
    RT_EDOMAIN, /* input well-formed but unusable (no rows, impossible option) */
    RT_ENOCONV, /* a model did not converge */
    RT_EMISUSE  /* the caller broke an API contract */
} rt_status;

typedef struct rt_error {
    rt_status code;
    int sys_errno;     /* errno, for RT_EIO; else 0 */
    long line, column; /* 1-based position in the input; 0 = not applicable */
    char msg[512];     /* complete message, e.g. "orders.csv:17:4: column 'amount': ..." */
} rt_error;

/* A short constant name for 'code' ("out of memory", "parse error", ...). */
RT_API const char *rt_status_name(rt_status code);

/* ---- allocation hooks ---- */

/* Optional allocator. All three must be set; 'ud' is passed through. Used by the tests to fail
 * the k-th allocation; NULL wherever an rt_allocator pointer is taken means malloc/free. */
typedef struct rt_allocator {
    void *(*alloc)(void *ud, size_t size);
    void *(*resize)(void *ud, void *ptr, size_t size);
    void (*release)(void *ud, void *ptr);
    void *ud;
} rt_allocator;

/* ---- reading an event log ---- */

typedef enum { RT_REFUNDS_NET = 0, RT_REFUNDS_DROP } rt_refund_policy;

/* Called once per rejected row (only with skip_bad_rows), in input order, from the calling
 * thread. 'row' is the row's text verbatim (without its line end); 'reason' the message
 * without the "path:" prefix, e.g. "17:4: column 'amount': expected a number, got \"x\"".
 * A non-zero return stops the load with RT_EIO (the callback could not write). */
typedef int (*rt_reject_fn)(void *ud, long line, const char *row, size_t len, const char *reason);

/* Options for rt_events_read; zero means default for every field. */
typedef struct rt_load_options {
    char delim;               /* field separator; 0 = ',' */
    const char *customer_col; /* column names; NULL = recognise common names (see README) */
    const char *date_col;
    const char *amount_col; /* optional columns: NULL = auto, "" = do not use */
    const char *channel_col;
    const char *product_col;
    const char *order_col;
    const char *date_format; /* NULL = ISO 8601 forms, "epoch" = integer seconds, else a
                                strptime-style format such as "%d/%m/%Y" */
    int skip_bad_rows;       /* 0 = stop at the first bad row with RT_EPARSE */
    rt_reject_fn on_reject;  /* optional, see above */
    void *reject_ud;
    rt_refund_policy refunds;      /* negative amounts: net within the customer's day, or drop */
    int threads;                   /* 0 = one per online core */
    const char *name;              /* name used in messages; NULL = the path ("<stdin>" for "-") */
    const rt_allocator *allocator; /* NULL = malloc */
    const char *extra_col; /* NULL = none: one more string column kept as RT_FIELD_EXTRA (for
                              `loyalty --by FIELD`); an empty value is kept as "" */
} rt_load_options;

/* Counts kept by a load. rows_read = rows_used + rows_rejected + rows_dropped, always. */
typedef struct rt_load_stats {
    uint64_t rows_read;     /* data rows seen (the header and blank lines excluded) */
    uint64_t rows_used;     /* rows that became events, or refunds netted into one */
    uint64_t rows_rejected; /* bad rows skipped under skip_bad_rows */
    uint64_t rows_dropped;  /* refund rows dropped by policy or left without a same-day
                               purchase to net against */
    uint64_t refund_rows;   /* rows with a negative amount (netted or dropped) */
    double refund_amount;   /* sum of their amounts (negative) */
    double refund_netted;   /* part of refund_amount netted into same-day purchases */
} rt_load_stats;

/* The event table: one row per purchase event, sorted by (customer, day, second), columnar.
 * Customers are numbered 0..n-1 in order of first appearance in the input; customer c owns
 * rows offsets[c] .. offsets[c+1]-1. */
typedef struct rt_events rt_events;

/* Which optional column a dictionary or code array belongs to. */
typedef enum {
    RT_FIELD_CUSTOMER = 0,
    RT_FIELD_CHANNEL,
    RT_FIELD_PRODUCT,
    RT_FIELD_ORDER,
    RT_FIELD_EXTRA /* one more string column of the events, named by rt_load_options.extra_col */
} rt_field;

/* Read a CSV event log ('path' may be "-" for stdin; gzip input is recognised by its magic
 * bytes) into a new table. On success '*out' owns the table (free with rt_events_free). On
 * failure '*out' is NULL and 'err' says where: RT_EPARSE for bad rows (message
 * "name:line:col: ..."; also a truncated or corrupt gzip stream), RT_EDOMAIN for an empty
 * or header-only input or a missing column, RT_EMISUSE for invalid options (delimiter, date
 * format, an empty required column name), RT_EIO when reading fails or the reject callback
 * fails. 'opt' may be NULL. */
RT_API rt_status rt_events_read(const char *path, const rt_load_options *opt, rt_events **out,
                                rt_error *err);

/* Release the table and everything it owns. NULL is a no-op. */
RT_API void rt_events_free(rt_events *ev);

/* Getters; 'ev' must not be NULL. Arrays are borrowed, valid until rt_events_free. */
RT_API size_t rt_events_count(const rt_events *ev);            /* events (rows of the table) */
RT_API size_t rt_events_customers(const rt_events *ev);        /* distinct customers */
RT_API const uint64_t *rt_events_offsets(const rt_events *ev); /* customers + 1 entries */
RT_API const int32_t *rt_events_days(const rt_events *ev);     /* days since 1970-01-01 */
/* The first and the last day with an event (the data's span), days since 1970-01-01. */
RT_API int32_t rt_events_first_day(const rt_events *ev);
RT_API int32_t rt_events_last_day(const rt_events *ev);
/* Seconds since midnight UTC, or NULL when the input had no times of day. */
RT_API const int32_t *rt_events_seconds(const rt_events *ev);
/* Amounts, or NULL when the input has no amount column. */
RT_API const double *rt_events_amounts(const rt_events *ev);
/* Dictionary codes of a per-event string column (channel, product, order), or NULL when the
 * input has no such column. RT_FIELD_CUSTOMER gives NULL: use the offsets. */
RT_API const uint32_t *rt_events_codes(const rt_events *ev, rt_field f);
/* Number of distinct strings of a field (0 when absent). For channels, products and orders
 * this may include strings seen only on refund rows that were netted or dropped. */
RT_API size_t rt_events_dict_size(const rt_events *ev, rt_field f);
/* The string with code 'code' of field 'f' (for customers: the customer's id). '*len' (if not
 * NULL) receives its length; the string is also NUL-terminated. NULL when out of range. */
RT_API const char *rt_events_string(const rt_events *ev, rt_field f, uint32_t code, size_t *len);
/* The header name of the input column used for 'f', or NULL when none was used. */
RT_API const char *rt_events_column(const rt_events *ev, rt_field f);
/* Name of the amount column, or NULL. */
RT_API const char *rt_events_amount_column(const rt_events *ev);
RT_API const char *rt_events_date_column(const rt_events *ev);
RT_API const rt_load_stats *rt_events_stats(const rt_events *ev);
/* The name used for the input in messages. */
RT_API const char *rt_events_source(const rt_events *ev);

/* ---- results ---- */

/* Every analysis returns a result: ordered scalar fields (the answer and its metadata:
 * definitions, counts) plus zero or more named tables. Writers print any result. */
typedef struct rt_result rt_result;

typedef enum { RT_VAL_NULL = 0, RT_VAL_INT, RT_VAL_DOUBLE, RT_VAL_STRING, RT_VAL_DATE } rt_val_type;

typedef struct rt_value {
    rt_val_type type;
    int64_t i;     /* RT_VAL_INT; RT_VAL_DATE (days since 1970-01-01) */
    double d;      /* RT_VAL_DOUBLE (NaN/Inf are written as null/empty) */
    const char *s; /* RT_VAL_STRING, borrowed from the result (copied in when added) */
} rt_value;

RT_API void rt_result_free(rt_result *r);
RT_API const char *rt_result_kind(const rt_result *r); /* e.g. "summary" */
RT_API size_t rt_result_field_count(const rt_result *r);
RT_API const char *rt_result_field_name(const rt_result *r, size_t i);
RT_API rt_value rt_result_field(const rt_result *r, size_t i);
/* Find a field by name; returns an RT_VAL_NULL value with '*found' 0 when absent. */
RT_API rt_value rt_result_get(const rt_result *r, const char *name, int *found);
RT_API size_t rt_result_table_count(const rt_result *r);
RT_API const char *rt_result_table_name(const rt_result *r, size_t t);
RT_API size_t rt_result_table_rows(const rt_result *r, size_t t);
RT_API size_t rt_result_table_cols(const rt_result *r, size_t t);
RT_API const char *rt_result_table_col_name(const rt_result *r, size_t t, size_t c);
RT_API rt_value rt_result_table_cell(const rt_result *r, size_t t, size_t row, size_t c);

typedef enum { RT_FORMAT_TABLE = 0, RT_FORMAT_CSV, RT_FORMAT_JSON } rt_format;

/* The index of the result's main table (the per-period or per-customer rows of an analysis),
 * or -1 when its fields are the answer (as for the summary). */
RT_API long rt_result_main_table(const rt_result *r);
/* Make the table named 'name' the main table (the one CSV prints). Returns 0, or -1 when the
 * result has no such table. */
RT_API int rt_result_select(rt_result *r, const char *name);

/* Write 'r' to 'f' as an aligned human table, CSV or JSON. CSV holds the result's main table
 * or, when it has none, its fields as one header line and one value line. JSON is one
 * object: the fields, then each table as an array of row objects. The table format shows
 * everything. Returns RT_EIO if a write fails (the stream is flushed and checked with ferror;
 * 'f' is not closed; err->sys_errno says why), RT_EMISUSE for a NULL result or file. */
RT_API rt_status rt_result_write(const rt_result *r, FILE *f, rt_format fmt, rt_error *err);

/* ---- summary ---- */

typedef struct rt_summary_options {
    int top;     /* channels/products listed; 0 = 10 */
    int threads; /* 0 = one per online core */
} rt_summary_options;

/* First look at an event log: counts, dates, revenue, AOV, purchase frequency, repeat rate,
 * one-time customers, median inter-purchase days, load counts, top channels and products by
 * revenue. Definitions are in the README and in the result's "definitions" field. '*out'
 * owns the result (rt_result_free). Errors: RT_ENOMEM. */
RT_API rt_status rt_summary_run(const rt_events *ev, const rt_summary_options *opt, rt_result **out,
                                rt_error *err);

/* ---- periods ---- */

/* Calendar periods. Weeks are ISO weeks (Monday to Sunday). Zero is the default (month). */
typedef enum {
    RT_PERIOD_MONTH = 0,
    RT_PERIOD_WEEK,
    RT_PERIOD_QUARTER,
    RT_PERIOD_YEAR,
    RT_PERIOD_DAY
} rt_period;

/* The first day of the period of kind 'p' that holds 'day' (days since 1970-01-01). */
RT_API int32_t rt_period_floor(rt_period p, int32_t day);
/* The first day of the period 'k' periods after (k < 0: before) the one holding 'day'. */
RT_API int32_t rt_period_add(rt_period p, int32_t day, int32_t k);
/* Whole periods from the one holding 'from' to the one holding 'to' (negative if earlier). */
RT_API int32_t rt_period_diff(rt_period p, int32_t from, int32_t to);
/* "month", "week", "quarter", "year", "day" <-> rt_period. rt_period_parse returns 0 or -1. */
RT_API const char *rt_period_name(rt_period p);
RT_API int rt_period_parse(const char *s, rt_period *out);

/* ---- retention rate per period (CRR) ---- */

typedef struct rt_retention_options {
    rt_period period;      /* [month] */
    int32_t active_window; /* W in days: active at day t = an event in (t - W, t] [90] */
    int annualize;         /* 1 = add days, daily_churn and annualized_churn columns */
    int threads;           /* 0 = one per online core */
} rt_retention_options;

/* Customer retention rate for every period [a, b) of the data (DESIGN.md 4.2): S = active at
 * day a - 1, E = active at day b - 1, N = acquired in [a, b), crr = (E - N) / S, churn_rate
 * = 1 - crr, with the identity-based retained = |S and E|, reactivated (in E, not in S, not
 * new), lost (in S, not in E) and identity_retention = retained / S. The main table has one
 * row per period: period_start, period_end, S, N, E, crr, churn_rate, retained, reactivated,
 * lost, identity_retention, full_history (0 when the period starts less than W days after
 * the first event, so that S is understated). '*out' owns the result. Errors: RT_EMISUSE for
 * bad options, RT_ENOMEM. */
RT_API rt_status rt_retention_run(const rt_events *ev, const rt_retention_options *opt,
                                  rt_result **out, rt_error *err);

/* ---- acquisition cohorts ---- */

typedef enum { RT_COHORT_CUSTOMERS = 0, RT_COHORT_ORDERS, RT_COHORT_REVENUE } rt_cohort_metric;
typedef enum { RT_COHORT_ON = 0, RT_COHORT_ON_OR_AFTER } rt_cohort_mode;
typedef enum { RT_WINDOW_CALENDAR = 0, RT_WINDOW_ROLLING } rt_cohort_window;

typedef struct rt_cohort_options {
    rt_period period;        /* [month] */
    rt_cohort_metric metric; /* [customers] */
    rt_cohort_mode mode;     /* [on] */
    rt_cohort_window window; /* [calendar]; rolling: 7-day weeks, 30-day months, ... */
    int threads;             /* 0 = one per online core */
} rt_cohort_options;

/* Acquisition-cohort matrix (DESIGN.md 4.4) in long form: the main table has one row per
 * complete cell (cohort, offset, cohort_size, value, rate, ...); cells past the end of the
 * data are censored (absent, never 0); a second table holds the average over cohorts,
 * weighted by cohort size over complete cells only. '*out' owns the result. Errors:
 * RT_EMISUSE for bad options, RT_EDOMAIN (revenue without an amount column), RT_ENOMEM. */
RT_API rt_status rt_cohort_run(const rt_events *ev, const rt_cohort_options *opt, rt_result **out,
                               rt_error *err);

/* ---- RFM ---- */

/* A segment rule: the customer's scores must lie in [lo, hi] (1-5) for each of R, F, M. */
typedef struct rt_rfm_rule {
    const char *segment;
    int r_lo, r_hi, f_lo, f_hi, m_lo, m_hi;
} rt_rfm_rule;

typedef enum {
    RT_RFM_RULES_RFM = 0, /* the R rfm package's segment table [default] */
    RT_RFM_RULES_RF_GRID, /* the recency x frequency grid */
    RT_RFM_RULES_CUSTOM   /* 'rules' below */
} rt_rfm_ruleset;

typedef struct rt_rfm_options {
    int has_as_of; /* 1 = use 'as_of'; 0 = the day after the last event */
    int32_t as_of; /* analysis date, days since 1970-01-01 */
    rt_rfm_ruleset ruleset;
    const rt_rfm_rule *rules; /* RT_RFM_RULES_CUSTOM: first matching rule wins */
    size_t nrules;
    int summary; /* 1 = one row per segment instead of one per customer */
    int threads; /* 0 = one per online core */
} rt_rfm_options;

/* RFM scores and segments (DESIGN.md 4.5): per customer recency_days, frequency, monetary,
 * r, f, m (1-5 by quintile, equal values always get equal scores), score and segment; with
 * 'summary', per segment customers, share, revenue_share and mean recency, frequency and
 * monetary. The cut points and the tie rule are in the result's fields. '*out' owns the
 * result. Errors: RT_EDOMAIN (no amount column), RT_EMISUSE for bad options or rules,
 * RT_ENOMEM. */
RT_API rt_status rt_rfm_run(const rt_events *ev, const rt_rfm_options *opt, rt_result **out,
                            rt_error *err);

/* Read segment rules from a CSV file with the header segment,r_lo,r_hi,f_lo,f_hi,m_lo,m_hi.
 * '*rules' ('*n' of them) is owned by the caller: free with rt_rfm_rules_free. Errors:
 * RT_EPARSE (pointing at the line), RT_EDOMAIN, RT_EIO. */
RT_API rt_status rt_rfm_rules_read(const char *path, rt_rfm_rule **rules, size_t *n, rt_error *err);
RT_API void rt_rfm_rules_free(rt_rfm_rule *rules, size_t n);

/* ---- customer attributes ---- */

/* A table of customer attributes (tier, loyalty member, region, satisfaction ...): one row
 * per customer id, every column kept as text. */
typedef struct rt_attrs rt_attrs;

typedef struct rt_attrs_options {
    char delim;               /* 0 = ',' */
    const char *customer_col; /* NULL = recognised as for the events' customer column */
    const char *name;         /* name used in messages; NULL = the path */
    const rt_allocator *allocator;
} rt_attrs_options;

/* Read a customer attribute CSV ('path' may be "-" or gzip). '*out' owns the table
 * (rt_attrs_free). Errors: RT_EPARSE (bad row, duplicate customer id: "name:line: ..."),
 * RT_EDOMAIN (no customer column, empty input), RT_EIO. */
RT_API rt_status rt_attrs_read(const char *path, const rt_attrs_options *opt, rt_attrs **out,
                               rt_error *err);
RT_API void rt_attrs_free(rt_attrs *a);
RT_API size_t rt_attrs_rows(const rt_attrs *a);
RT_API size_t rt_attrs_columns(const rt_attrs *a);
RT_API const char *rt_attrs_column_name(const rt_attrs *a, size_t col);
/* The index of the column named 'name' (case-insensitive), or -1. */
RT_API long rt_attrs_column(const rt_attrs *a, const char *name);
/* The row of customer 'id' ('len' bytes), or -1 when the id is not in the table. */
RT_API long rt_attrs_find(const rt_attrs *a, const char *id, size_t len);
/* The text of a cell, borrowed (valid until rt_attrs_free). */
RT_API const char *rt_attrs_value(const rt_attrs *a, size_t row, size_t col);

/* ---- loyalty by dimension ---- */

typedef struct rt_loyalty_options {
    rt_field by;           /* RT_FIELD_CHANNEL, RT_FIELD_PRODUCT or RT_FIELD_EXTRA; ignored
                              when 'attrs' is set */
    const rt_attrs *attrs; /* group by a customer attribute instead: */
    const char *attr_col;  /* this column of 'attrs' */
    int threads;           /* 0 = one per online core */
} rt_loyalty_options;

/* Loyalty by channel, product or any field, with cohort-entry semantics: for each value v,
 * over the customers whose first purchase was in v (or whose attribute is v): customers,
 * repeat_rate, retention at 30/90/365 days (among customers observed that long), orders and
 * revenue per customer, same_value_repeat_share. '*out' owns the result. Errors: RT_EDOMAIN
 * (the field is not in the data), RT_EMISUSE, RT_ENOMEM. */
RT_API rt_status rt_loyalty_run(const rt_events *ev, const rt_loyalty_options *opt, rt_result **out,
                                rt_error *err);

/* ---- buy-till-you-die models: the per-customer summary ---- */

/* Time units of the models, as days per unit (--unit day|week|month). A month is the mean
 * Julian month, 365.25 / 12 days: times are day differences divided by the unit. */
#define RT_UNIT_DAY 1.0
#define RT_UNIT_WEEK 7.0
#define RT_UNIT_MONTH (365.25 / 12.0)
/* "day", "week", "month" -> days per unit; returns 0 or -1. */
RT_API int rt_unit_parse(const char *s, double *unit_days);
/* The name of a unit ("week"), or NULL when 'unit_days' is not one of the three. */
RT_API const char *rt_unit_name(double unit_days);

/* The customer-by-sufficient-statistic table every BTYD model is fitted on (DESIGN.md 4.6),
 * one row per customer (or per pattern, with a weight). Arrays have 'n' entries; optional
 * ones are NULL when absent. For BG/BB (discrete opportunities) x, t_x and T are counts:
 * transactions, the opportunity of the last one and the number of opportunities n. */
typedef struct rt_cbs {
    size_t n;              /* rows */
    const char *const *id; /* customer ids; NULL when the input had no id column */
    const double *x;       /* repeat purchases (same-day purchases count once) */
    const double *t_x;     /* time of the last purchase since the first, in units (0 when x = 0) */
    const double *T;       /* time from the first purchase to the calibration end, in units */
    const double *mbar;    /* mean value of the x repeat purchases (0 when x = 0); NULL when
                              there are no amounts */
    const double *w;       /* customers per row; NULL = 1 each */
    const double *x_star;  /* holdout purchases after the calibration end; NULL = no holdout.
                              For a weighted row: the total of its w customers (as in BTYD's
                              rf matrix), not a per-customer value */
    const double *holdout_amount; /* their total value; NULL when no holdout or no amounts */
    const int32_t *first_day;     /* first purchase, days since 1970-01-01; NULL when read from a
                                     summary file */
    double unit_days;             /* days per unit; 0 when unknown (a summary file) */
    double holdout_length;        /* length of the holdout period in units; 0 = none */
    int32_t calibration_end;      /* last day of the calibration period (from events; else 0) */
    int32_t data_end;             /* last day of the data (from events; else 0) */
    size_t excluded;              /* customers left out: first purchase after the calibration end */
    void *priv_;                  /* owned memory; do not touch */
} rt_cbs;

typedef struct rt_cbs_options {
    double unit_days;        /* days per unit; 0 = RT_UNIT_WEEK */
    int has_calibration_end; /* 1 = use 'calibration_end'; 0 = the data's last day (no holdout) */
    int32_t calibration_end; /* inclusive, days since 1970-01-01 */
} rt_cbs_options;

/* Summarise an event log: same-day events merge into one purchase (amounts summed); x, t_x,
 * T and mbar over the calibration period (up to and including the calibration end); x_star
 * and holdout_amount after it, up to the data's last day, when the calibration end is before
 * it (holdout_length = (data_end - calibration_end) / unit_days); otherwise x_star is NULL
 * and holdout_length 0 (a calibration end after the last day is allowed: T is measured to
 * it). mbar and holdout_amount are NULL when the log has no amounts; w is NULL. Customers
 * whose first purchase is after the calibration end are left out and counted in 'excluded'.
 * Rows are in the table's customer order. The table holds copies of the customer ids and
 * first purchase days, so it stays valid after rt_events_free(ev). '*out' owns the table
 * (rt_cbs_free). Errors: RT_EMISUSE (NULL, a unit that is not a positive finite number),
 * RT_EDOMAIN (calibration end before the first event), RT_ENOMEM. */
RT_API rt_status rt_cbs_from_events(const rt_events *ev, const rt_cbs_options *opt, rt_cbs **out,
                                    rt_error *err);

typedef struct rt_cbs_read_options {
    char delim;       /* 0 = ',' */
    const char *name; /* name used in messages; NULL = the path */
    /* Column names (exact, else case-insensitive); NULL = recognise (case-insensitive, the
     * first name of the list that a column has); "" = do not use (optional columns only):
     *   id:       customer_id, customer, cust, id
     *   x:        frequency, x
     *   t_x:      recency, t_x, t.x
     *   T:        T, T.cal, T_cal, n.cal, n_cal, periods, n
     *   mbar:     monetary_value, m.x, zbar, mbar           (optional)
     *   w:        weight, weights, count, custs             (optional)
     *   x_star:   holdout_frequency, x.star                 (optional)
     *   holdout:  holdout_monetary                          (optional) */
    const char *id_col, *x_col, *t_x_col, *T_col, *mbar_col, *weight_col, *x_star_col, *holdout_col;
    double unit_days;      /* stored in the table (0 = unknown) */
    double holdout_length; /* stored in the table when it has an x_star column (0 = unknown) */
} rt_cbs_read_options;

/* Read a summary table (CSV, may be "-" or gzip), such as `retain rfm-summary` writes or
 * lifetimes'/BTYD's CDNOW summaries. Values must be numbers with x >= 0 a whole number,
 * T >= 0, 0 <= t_x <= T, t_x = 0 when x = 0, w >= 0, x_star >= 0; ids must not be empty.
 * Numbers read back exactly as written (our CSV writer's round-trip form gives the same
 * doubles). first_day is NULL; calibration_end, data_end and excluded are 0. '*out' owns the
 * table (rt_cbs_free). Errors: RT_EPARSE ("name:line:col: column 'recency': expected a
 * number, got \"x\"", a value out of range, a row with the wrong number of fields),
 * RT_EDOMAIN (a required column missing: the message names the columns that exist; a named
 * column not found; holdout_monetary without a holdout frequency; no rows), RT_EMISUSE (bad
 * options), RT_EIO, RT_ENOMEM. */
RT_API rt_status rt_cbs_read(const char *path, const rt_cbs_read_options *opt, rt_cbs **out,
                             rt_error *err);

/* The table as a result (kind "rfm-summary"). Main table "summary", one row per table row,
 * columns in this order: customer_id (when ids), frequency, recency, T, monetary_value (when
 * mbar), weight (when w), holdout_frequency (when x_star), holdout_monetary (when x_star and
 * holdout_amount), first_purchase (a date, when first_day). Fields: unit ("day", "week",
 * "month" or null), unit_days (null when unknown), calibration_end and data_end (dates from
 * events, else null), holdout_length (units; 0 = none), holdout_days (null when the unit is
 * unknown), rows, customers (rows, or the sum of the weights), excluded, repeat_purchases
 * (sum of w x), holdout_purchases (sum of x_star, null without a holdout), definitions.
 * '*out' owns the result. Errors: RT_EMISUSE (NULL), RT_ENOMEM. */
RT_API rt_status rt_cbs_result(const rt_cbs *c, rt_result **out, rt_error *err);
RT_API void rt_cbs_free(rt_cbs *c);

/* ---- sBG input: survivors per period of one or several cohorts ---- */

typedef struct rt_survivors {
    size_t ncohorts;
    const char *const *name;    /* cohort names */
    const size_t *len;          /* periods observed per cohort (alive[0..len-1], len >= 2) */
    const double *const *alive; /* customers active at the start of period 0, 1, ... */
    void *priv_;
} rt_survivors;

/* The layouts rt_survivors_read takes. With RT_SURVIVORS_AUTO the header decides, in this
 * order (names case-insensitive): columns cohort, period and alive -> long; start and end ->
 * subscriptions; recency and T -> customers; a first column named period, year or t ->
 * wide; anything else is RT_EDOMAIN. */
typedef enum {
    RT_SURVIVORS_AUTO = 0,
    /* wide: a first column period/year/t (0, 1, 2, ... in order), then one column per cohort
     * with the count (or percentage, see cohort_size) still active at the start of the
     * period; empty = not observed (only at the end of a column). */
    RT_SURVIVORS_WIDE,
    /* long: columns cohort, period, alive; one row per cohort and period, in any order;
     * each cohort's periods must run 0, 1, 2, ... without gaps. */
    RT_SURVIVORS_LONG,
    /* customers (pymc-marketing's ShiftedBetaGeoModel input): one row per customer with
     * recency (the last period the customer was subscribed, a whole number 1..T; recency = T
     * means still subscribed), T (periods observed, the same within a cohort) and an optional
     * cohort (or cohorts) column (without one, all rows are one cohort named "all"). A
     * cohort's alive[t] = its customers with recency > t, t = 0..T-1. */
    RT_SURVIVORS_CUSTOMERS,
    /* subscriptions: one row per subscription with start and end (or start_date and
     * end_date; ISO 8601 dates, a time of day ignored; empty end = still active; an end
     * after observed_end counts as still active). Periods are 'period_days' long; cohort k
     * holds the subscriptions with floor((start - s0) / period_days) = k, s0 = the earliest
     * start, and is named by the date of its first day, s0 + k period_days rounded down.
     * A subscription lasted floor((end - start) / period_days) whole periods (an active one:
     * all periods observed); alive[t] = the cohort's subscriptions that lasted t periods or
     * more. A cohort is observed for floor((observed_end - s) / period_days) + 1 periods, s =
     * its latest start, so every member was observable for every period counted; cohorts
     * observed for fewer than 2 periods are left out. */
    RT_SURVIVORS_SUBSCRIPTIONS
} rt_survivors_layout;

typedef struct rt_survivors_options {
    char delim;                 /* 0 = ',' */
    const char *name;           /* name used in messages; NULL = the path */
    double period_days;         /* subscriptions only: period length in days; 0 = 365.25 / 12 */
    int32_t observed_end;       /* subscriptions only: last day observed; 0 = the latest date seen
                                   (a start after it is an error) */
    const char *cohorts;        /* comma-separated cohorts to keep (wide: column names; else cohort
                                   names), in file order; NULL = all */
    double cohort_size;         /* wide/long layouts: when > 0 the values are percentages of the
                                   cohort's initial size and are rescaled so that period 0 holds
                                   cohort_size customers (value * cohort_size / value at period 0);
                                   0 = values are counts */
    rt_survivors_layout layout; /* RT_SURVIVORS_AUTO = recognise from the header */
} rt_survivors_options;

/* Read survivor counts per cohort and period from a CSV file ('path' may be "-" or gzip) in
 * one of the layouts above. Counts must be >= 0 and never increase within a cohort, period 0
 * must hold customers, and each cohort needs 2 periods or more. '*out' owns the table
 * (rt_survivors_free). Errors: RT_EPARSE (a bad value: "name:line:col: column 'alive': ..."),
 * RT_EDOMAIN (no recognisable layout, a column or cohort missing, a cohort too short, no
 * rows), RT_EMISUSE (bad options), RT_EIO, RT_ENOMEM. */
RT_API rt_status rt_survivors_read(const char *path, const rt_survivors_options *opt,
                                   rt_survivors **out, rt_error *err);
RT_API void rt_survivors_free(rt_survivors *s);

/* ---- buy-till-you-die models: fit ---- */

typedef enum {
    RT_MODEL_BGNBD = 0, /* BG/NBD (r, alpha, a, b), Fader, Hardie & Lee 2005 */
    RT_MODEL_MBGNBD,    /* MBG/NBD (r, alpha, a, b), Batislam et al. 2007 */
    RT_MODEL_PNBD,      /* Pareto/NBD (r, alpha, s, beta), Schmittlein et al. 1987 */
    RT_MODEL_BGBB,      /* BG/BB (alpha, beta, gamma, delta), Fader, Hardie & Shang 2010 */
    RT_MODEL_SBG,       /* sBG (alpha, beta), Fader & Hardie 2007 */
    RT_MODEL_GG         /* Gamma-Gamma spend (p, q, gamma), Fader, Hardie & Lee 2005 */
} rt_model_kind;

/* "bgnbd", "mbgnbd", "pnbd", "bgbb", "sbg", "gg" <-> kind. rt_model_parse returns 0 or -1. */
RT_API const char *rt_model_name(rt_model_kind k);
RT_API int rt_model_parse(const char *s, rt_model_kind *out);
/* Number of parameters, and the name of parameter i ("r", "alpha", ...; NULL out of range). */
RT_API int rt_model_npar(rt_model_kind k);
RT_API const char *rt_model_param_name(rt_model_kind k, int i);

/* A fitted model: plain data, safe to copy. */
typedef struct rt_model {
    rt_model_kind kind;
    int npar;
    double par[4];             /* natural parameters, in the order of rt_model_param_name */
    double se[4];              /* standard errors from the observed information (delta method) */
    double ci_lo[4], ci_hi[4]; /* 95% intervals: exp(log par -/+ 1.959964 se / par) */
    double loglik;
    double n;        /* customers (weights summed); sBG: customers at period 0 */
    size_t patterns; /* distinct patterns the likelihood was summed over */
    int iterations;
    int converged;      /* 1 always for a returned fit (failures are RT_ENOCONV) */
    double grad_norm;   /* |gradient| of -loglik / n over the log-parameters at the optimum */
    double unit_days;   /* the data's time unit (0 unknown; BG/BB and sBG: 0) */
    double correlation; /* Gamma-Gamma: weighted correlation of x and mbar (x > 0); else NaN */
} rt_model;

/* AIC = 2 k - 2 LL and BIC = k log(n) - 2 LL. */
RT_API double rt_model_aic(const rt_model *m);
RT_API double rt_model_bic(const rt_model *m);

/* Fit a transaction model (bgnbd, mbgnbd, pnbd, bgbb) or Gamma-Gamma (gg: rows with x > 0
 * and mbar) by maximum likelihood on the compressed patterns of 'cbs'. Customers with T = 0
 * (first purchase on the calibration end) have likelihood 1 under every model and are left out
 * (and out of n). Errors: RT_EMISUSE
 * (sbg, NULL), RT_EDOMAIN (data the model cannot use: the message says why, e.g. gg without
 * amounts, bgbb with non-integer counts), RT_ENOCONV (no convergence or a flat likelihood; the
 * message gives the numbers), RT_ENOMEM. '*out' is zeroed on failure. */
RT_API rt_status rt_model_fit(rt_model_kind kind, const rt_cbs *cbs, rt_model *out, rt_error *err);

/* Fit sBG on the survivor counts of all cohorts of 's' (one shared (alpha, beta); cohorts may
 * be observed for different numbers of periods): n = customers at period 0 of all cohorts,
 * patterns = (cohort, period) cells. Errors: RT_EMISUSE (NULL, a cohort with len < 2),
 * RT_EDOMAIN (no cohorts, counts negative or increasing: the message names the cohort by
 * number; nobody lost at all), RT_ENOCONV (e.g. a single period: a flat likelihood). */
RT_API rt_status rt_model_fit_sbg(const rt_survivors *s, rt_model *out, rt_error *err);

/* The fit as a result (kind "fit"): fields model, unit ("day", "week", "month"; days per unit
 * as a number for another length; null when unknown), params.<name>, se.<name>,
 * ci95.<name>.low/.high, loglik, aic, bic, n, patterns, iterations, converged (0/1),
 * grad_norm (and correlation for gg); JSON nests the dotted names ({"params": {"r": ...}}).
 * Also a table "parameters" (parameter, estimate, se, ci95_low, ci95_high) for the human
 * view. It is not the main table: the fields are the answer, so CSV writes them as one
 * header line and one value line (one record per fit). Errors: RT_EMISUSE (NULL, or 'm'
 * not a model), RT_ENOMEM. */
RT_API rt_status rt_model_result(const rt_model *m, rt_result **out, rt_error *err);

/* Save a fit as the JSON of rt_model_result, and read it back ('path' may be "-" for stdin)
 * bit for bit: any JSON object with "model" and "params" (all of the model's parameters,
 * numbers > 0); everything else is optional and unknown keys are ignored. Missing SEs,
 * loglik, grad_norm and correlation read as NaN, missing intervals are recomputed from the
 * SEs, missing n, patterns, iterations and converged read as 0, a missing unit as unknown.
 * Errors: RT_EIO, RT_EPARSE (not JSON, or not such an object, or a value of the wrong type:
 * "name:line:col: ..."), RT_EDOMAIN (unknown model or unit, a parameter missing or <= 0, a
 * negative SE or count). '*out' is zeroed on failure. */
RT_API rt_status rt_model_save(const rt_model *m, FILE *f, rt_error *err);
RT_API rt_status rt_model_load(const char *path, rt_model *out, rt_error *err);

/* ---- buy-till-you-die models: predict, CLV, validate ---- */

typedef struct rt_predict_options {
    double t;              /* horizon of the expected transactions and P(Y(t) = k), in the model's
                              units (BG/BB: opportunities); 0 = the table's holdout length, else
                              one year (52 weeks, 365 days, 12 months; BG/BB: 1) */
    int pk_count;          /* columns p_0 .. p_{pk_count - 1} of P(Y(t) = k); 0 = 3 (k = 0, 1, 2);
                                -1 = none; at most 21 */
    const rt_model *spend; /* Gamma-Gamma fit for the expected spend; NULL = no spend and no
                              CLV (unless 'mean_spend' > 0) */
    double mean_spend;     /* without 'spend': one expected spend per transaction for all
                              customers (0 = none) */
    double margin;         /* share of spend that is profit [1] */
    double discount;       /* discount rate per year (BG/BB and sBG: per period) [0.1] */
    double horizon;        /* CLV horizon in the model's units; 0 = as 't' */
    int threads;           /* 0 = one per online core */
} rt_predict_options;

/* Per-customer predictions of a fitted transaction model 'm' (bgnbd, mbgnbd, pnbd, bgbb) for
 * every row of 'cbs': p_alive, expected (E[Y(t) | x, t_x, T]), p_<k> (P(Y(t) = k | ...)),
 * and with a spend model: expected_spend (Gamma-Gamma conditional mean), clv (expected
 * transactions in each month of the horizon x expected spend x margin, discounted at
 * (1 + discount)^(-month / 12)); for pnbd also dert (closed-form discounted expected
 * residual transactions, continuous discounting, infinite horizon) and clv_dert. Rows are
 * computed once per distinct pattern. Tables: "customers" (main), "new_customer" (E[X(t)] and
 * P(X(t) = k) for a customer who just made a first purchase, t = 1..horizon) and, when 'cbs'
 * has first purchase days, "tracking" (expected cumulative repeat transactions of the whole
 * cohort per unit period, staggered first purchases included). Fields name the model, the
 * horizons, the discounting method. Errors: RT_EMISUSE (sbg/gg as 'm', bad options),
 * RT_EDOMAIN (rows the model cannot use), RT_ENOMEM. */
RT_API rt_status rt_predict_run(const rt_model *m, const rt_cbs *cbs, const rt_predict_options *opt,
                                rt_result **out, rt_error *err);

/* sBG projection: for periods 0..'periods' (0 = the longest cohort + 5) survival S(t),
 * retention r(t) and, per cohort of 's' (may be NULL), expected and actual customers active;
 * and DERL (discounted expected residual lifetime, in periods, at 'discount' per period; 0 =
 * 0.1) for customers with 0..len renewals, times 'margin' when > 0. Tables "projection"
 * (main) and "derl". Errors: RT_EMISUSE (not an sBG fit), RT_ENOCONV (DERL series), RT_ENOMEM. */
RT_API rt_status rt_predict_sbg(const rt_model *m, const rt_survivors *s, int periods,
                                double discount, double margin, rt_result **out, rt_error *err);

typedef struct rt_validate_options {
    rt_model_kind kind;    /* bgnbd, mbgnbd or pnbd [bgnbd] */
    const rt_model *model; /* a fit to validate instead of fitting 'kind' on 'cbs' (NULL) */
    int threads;           /* 0 = one per online core */
} rt_validate_options;

/* Calibration/holdout validation. 'cbs' must have a holdout (x_star, holdout_length > 0):
 * the model is fitted on its calibration columns (or 'opt->model' is used), then compared
 * with the holdout: table "by_frequency" (main; x = 0..6 and 7+: customers, mean actual and
 * mean expected holdout purchases), fields mae (mean |actual - expected| per customer),
 * actual and expected totals and total_pct_error. With 'ev' (the log 'cbs' was built from,
 * NULL = none) also table "tracking": per unit period from the first purchase day,
 * actual and expected incremental and cumulative repeat transactions. Errors: RT_EDOMAIN
 * (no holdout), RT_ENOCONV (the fit), RT_EMISUSE, RT_ENOMEM. */
RT_API rt_status rt_validate_run(const rt_cbs *cbs, const rt_events *ev,
                                 const rt_validate_options *opt, rt_result **out, rt_error *err);

/* ---- survival data: tenure tables ---- */

/* One row per customer (or subject): a duration, an event flag, optionally an entry time
 * (left truncation), and any number of further columns (attributes, covariates), kept both
 * as text and as numbers. The input of rt_km_run and rt_cox_run. A plain struct: a caller may
 * also fill one with its own arrays (priv_ = NULL) and pass it to rt_km_run or rt_cox_run;
 * such a struct is never given to rt_survdata_free. */
typedef struct rt_survdata {
    size_t n;                   /* rows */
    const char *const *id;      /* row ids (customer ids); NULL when the input had none */
    const double *time;         /* duration >= 0 (tenure, in days for tables from events) */
    const unsigned char *event; /* 1 = the event (churn) happened at 'time', 0 = censored */
    const double *entry;        /* entry time < time (left truncation: the row is at risk
                                   at times t with entry < t <= time); NULL = from the start */
    const int32_t *start;       /* start day (days since 1970-01-01); NULL unless from events
                                   or subscriptions */
    size_t ncols;               /* further columns */
    const char *const *col_name;
    const char *const *const *text; /* text[c][i]; "" when empty */
    const double *const *num;       /* num[c][i]: the value as a number; NaN when empty or not
                                       a number */
    void *priv_;                    /* owned memory; do not touch */
} rt_survdata;

typedef struct rt_survdata_read_options {
    char delim;            /* 0 = ',' */
    const char *name;      /* name used in messages; NULL = the path */
    const char *time_col;  /* NULL = recognise: duration, time, tenure, T, week, stop */
    const char *event_col; /* NULL = recognise: event, status, E, churn, churned, arrest,
                              observed, death; values 0/1 (also true/false, yes/no) */
    const char *entry_col; /* NULL = none */
    const char *id_col;    /* NULL = recognise customer_id, id; "" = none */
} rt_survdata_read_options;

/* Read a table with a duration and an event column (e.g. rossi.csv; 'path' may be "-" or
 * gzip), keeping every other column, in file order, as further columns (the id column
 * excepted). Column names match exactly, else ignoring case; a recognised name is the first
 * of its list that a column has. Times are numbers >= 0; events 0 or 1 (a number equal to 0
 * or 1, or true/false, yes/no in any case); entries numbers below the row's time; ids not
 * empty. Errors: RT_EPARSE ("name:line:col: column 'arrest': expected 0 or 1, got \"2\"";
 * "column 'week': expected a number, got \"\""; a row with the wrong number of fields),
 * RT_EDOMAIN ("name: no event column (looked for event, status, ...); the columns are: ...";
 * "name: column 'x' (time) not found; the columns are: ..."; no data rows;
 * "name:line:col: column 'week': expected a number >= 0, got \"-1\""; "name:line:col: column
 * 'start': expected an entry time below the time (12), got \"12\""), RT_EMISUSE (NULL, a
 * quote or line end as delimiter, an empty name for the time or event column), RT_EIO,
 * RT_ENOMEM. '*out' owns the table (rt_survdata_free). */
RT_API rt_status rt_survdata_read(const char *path, const rt_survdata_read_options *opt,
                                  rt_survdata **out, rt_error *err);

typedef struct rt_tenure_options {
    int32_t active_window; /* W, days: a customer churned when no purchase followed the last one
                              for this long before the observation end [90] */
    int has_observed_end;  /* 1 = 'observed_end'; 0 = the data's last day */
    int32_t observed_end;
    const rt_attrs *attrs; /* optional: customer attributes joined as further columns */
    /* subscriptions only: */
    char delim;               /* 0 = ',' */
    const char *name;         /* name used in messages; NULL = the path */
    const char *customer_col; /* NULL = recognise as for the events' customer column */
} rt_tenure_options;

/* Tenure from an event log (DESIGN.md 4.8), one row per customer in the table's customer
 * order, in days. With E = the observation end, W = active_window, f = the customer's first
 * purchase day and l = their last purchase day on or before E (events after E are ignored):
 *  - churned (event 1) when l + W <= E, i.e. the customer is no longer active at E under
 *    DESIGN.md 4.1 (active at t = a purchase in (t - W, t]): duration = l + W - f;
 *  - otherwise censored (event 0) at E: duration = E - f.
 * start = f; customers whose first purchase is after E are left out (counted as excluded in
 * rt_survdata_result). With 'attrs', every attribute column but the customer id is joined as
 * a further column by customer id ("" for customers without a row: counted as unmatched).
 * Errors: RT_EMISUSE (NULL, W < 0), RT_EDOMAIN (E before the first event), RT_ENOMEM.
 * '*out' owns the table (rt_survdata_free). */
RT_API rt_status rt_tenure_from_events(const rt_events *ev, const rt_tenure_options *opt,
                                       rt_survdata **out, rt_error *err);

/* Tenure from a subscriptions table ('path' may be "-" or gzip): columns customer id (named as
 * for events, or 'customer_col'), start (or start_date) and end (or end_date), dates
 * YYYY-MM-DD (a time of day is ignored), empty end = still active. E = 'observed_end', else
 * the latest start or end date in the table. Subscriptions starting after E are ignored; an
 * end after E counts as still active. One row per customer, in order of first appearance:
 * start = their earliest start; censored (event 0) at E when any subscription is still active
 * (duration = E - start), else churned (event 1) at their latest end (duration = latest end -
 * start): gaps between subscriptions are not churn. Further columns: the table's other
 * columns from the customer's earliest-starting subscription (the first in the file on a
 * tie), then the attributes as for rt_tenure_from_events. Errors: RT_EPARSE (a bad date, an
 * end before its start: "name:line:col: column 'end': ..."), RT_EDOMAIN (a column missing,
 * no rows, E before every start), RT_EMISUSE, RT_EIO, RT_ENOMEM. */
RT_API rt_status rt_tenure_from_subscriptions(const char *path, const rt_tenure_options *opt,
                                              rt_survdata **out, rt_error *err);

/* The table as a result (kind "tenure"). Main table "tenure", one row per row of 's':
 * customer_id (when ids), start (a date, when start days), entry (when entries), duration,
 * event, then the further columns as text. Fields: source ("table", "events" or
 * "subscriptions"), observed_end (a date) and active_window (days; events only) or null,
 * rows, events, censored, excluded (customers left out: first purchase or every subscription
 * after the observation end; 0 for a table), unmatched (customers without an attribute row;
 * null without attributes), definitions. Works on a caller-filled struct too (source
 * "table"). Errors: RT_EMISUSE (NULL), RT_ENOMEM. */
RT_API rt_status rt_survdata_result(const rt_survdata *s, rt_result **out, rt_error *err);
/* Release a table made by rt_survdata_read or rt_tenure_*; NULL is a no-op. */
RT_API void rt_survdata_free(rt_survdata *s);

/* ---- survival curves and the log-rank test ---- */

typedef enum { RT_CI_LOGLOG = 0, RT_CI_LOG, RT_CI_PLAIN } rt_ci_type;

typedef struct rt_km_options {
    rt_ci_type ci;    /* confidence interval [log-log] */
    double level;     /* [0.95] */
    const char *by;   /* column of 'data' to group by: one curve per value and the log-rank
                         test; NULL = one curve */
    const double *at; /* survival at these times (NULL = none) */
    size_t nat;
    int threads; /* 0 = one per online core (the computation is one linear pass; unused) */
} rt_km_options;

/* Kaplan-Meier (R survival's survfit conventions). Times are equal when their doubles are
 * equal; at a time, events count before censorings (a row censored at t is at risk at t);
 * with entries, a row is at risk at t when entry < t <= time. The result (kind "survival"):
 *  - table "curve" (main): [group,] time, at_risk, events, censored, survival, std_err
 *    (Greenwood standard error of the survival, S sqrt(sum d / (n (n - d)))), lower, upper
 *    (the interval at 'level': log-log exp(-exp(log(-log S) -/+ z se / log S)), log
 *    S exp(-/+ z se), plain S -/+ z S se, clipped to [0, 1]; null where R gives NA: S = 0,
 *    and S = 1 for log-log), std_err_log (R's std.err, se = sqrt(sum d / (n (n - d))); null
 *    where infinite), one row per group and distinct time (censoring times included);
 *  - table "medians": [group,] n, events, median, lower, upper (R's print.survfit: the first
 *    time the curve is at or below 0.5, or midway to the next time when it equals 0.5 within
 *    1.5e-8; the interval likewise on the lower and upper curves; null when not reached);
 *  - with 'at', table "at": [group,] time, at_risk (at the first curve time >= t), events
 *    and censored (since the previous requested time), survival, std_err, lower, upper at
 *    each requested time in increasing order (R's summary(fit, times = ...)); for a time
 *    after a group's last time at_risk is 0 and the estimates null (R leaves the row out);
 *  - with 'by', table "logrank": group, n, observed, expected, variance (diagonal of V),
 *    oe2_e ((O - E)^2 / E) and oe2_v ((O - E)^2 / V), and fields chisq, df (groups with
 *    expected > 0, minus 1) and p (R's survdiff; with entries, the same test over the
 *    left-truncated risk sets, which survdiff does not offer);
 *  - fields: n, events, censored, groups, excluded (rows with an empty or NA 'by' value, left out
 *    as R's na.omit does), by, ci, level, definitions.
 * Groups are the distinct texts of column 'by', ordered as numbers when all are numbers,
 * else bytewise. Errors: RT_EMISUSE (NULL, a level outside (0, 1), a non-finite 'at'),
 * RT_EDOMAIN (no rows, the 'by' column missing: the message names those that exist; a time
 * < 0 or an entry >= time in a caller-filled table), RT_ENOMEM. */
RT_API rt_status rt_km_run(const rt_survdata *data, const rt_km_options *opt, rt_result **out,
                           rt_error *err);

/* ---- Cox proportional hazards ---- */

typedef enum { RT_TIES_EFRON = 0, RT_TIES_BRESLOW } rt_ties;

typedef struct rt_cox_options {
    const char *const *covariates; /* column names of 'data' */
    size_t ncov;
    const char *const *ref; /* per covariate: reference level of a categorical column
                               (NULL or NULL entries = the most frequent level, the first in
                               level order among equals); one given for a numeric column
                               makes it categorical */
    rt_ties ties;           /* [efron] */
    const char *strata;     /* column to stratify by (NULL = none) */
    int robust;             /* 1 = robust (sandwich) standard errors as well */
    int max_iter;           /* [20] */
    double tol;             /* convergence on the relative change of the log partial
                               likelihood [1e-9], as R's coxph.control(eps) */
    int threads;            /* 0 = one per online core */
} rt_cox_options;

/* Cox model by Newton-Raphson with step halving on the exact log partial likelihood, step
 * for step as R's coxph (start at 0, same convergence rule and iteration count; Efron or
 * Breslow ties; strata; near-equal times merged as R's aeqSurv). Rows with a missing
 * covariate or stratum (text empty, blank or "NA") are left out, as R's na.omit, and counted.
 * A covariate whose values are all numbers is used as it is; one with no numbers, or with a
 * reference level in 'ref', is categorical: one 0/1 column "name=level" per level other than
 * the reference, levels compared as text and ordered numerically when all are numbers, else
 * bytewise; a column mixing numbers and text is an error. Left truncation ('entry') is not
 * supported. On success '*out' owns a result of kind "cox": fields n, events,
 * dropped_missing, ties, strata, n_strata, references ("col=level, ..."), variance (model or
 * robust), iterations, tol, loglik_null, loglik, aic, lr_/wald_/score_ chisq, df, p
 * (robust_score_* with robust; the Wald test then uses the robust variance), concordance,
 * concordance_se, concordant, discordant, tied_risk, tied_time, tied_risk_time (Harrell's C
 * of the linear predictor with R's concordance() rules and infinitesimal-jackknife se),
 * definitions; main table "coefficients": term, coef, hr, se, [robust_se,] z, p, hr_lower95,
 * hr_upper95 (z, p and the interval from robust_se when robust, as R's summary). Results do
 * not depend on 'threads'. Errors: RT_EDOMAIN (a missing column, naming those that exist; a
 * mixed column, naming the row; a single level; an unknown reference level; more than 1000
 * levels; no rows or no events left; a time that is not a finite number >= 0; entry times),
 * RT_ENOCONV (no convergence; a singular design or a coefficient that may be infinite -
 * perfect separation - naming the covariates), RT_EMISUSE, RT_ENOMEM. */
RT_API rt_status rt_cox_run(const rt_survdata *data, const rt_cox_options *opt, rt_result **out,
                            rt_error *err);

/* ---- satisfaction linkage ---- */

typedef enum { RT_SCORE_ORDINAL = 0, RT_SCORE_NPS } rt_score_kind;

typedef struct rt_satisfaction_options {
    const rt_attrs *attrs; /* customer table with the score (required) */
    const char *score_col; /* required; any number, one level per distinct value */
    rt_score_kind kind;    /* ordinal levels as they are, or NPS 0-10 grouped as detractor
                              (0-6), passive (7-8), promoter (9-10) */
    int has_as_of;         /* 1 = survey date 'as_of' for everyone ... */
    int32_t as_of;
    const char *date_col;   /* ... or a survey-date column of 'attrs' (YYYY-MM-DD) */
    int32_t horizon;        /* days after the survey [365] */
    const char *by;         /* attribute column: repeat per segment (NULL = none) */
    const char *intent_col; /* attribute column of stated intent (0/1, yes/no) (NULL = none) */
    int threads;            /* 0 = one per online core */
    const char *attrs_name; /* name of 'attrs' in messages [NULL = "customer table"] */
} rt_satisfaction_options;

/* What satisfaction is worth: per score level, customers, retention over the horizon (a
 * purchase in (survey, survey + horizon]) with a Wilson 95% interval, mean future purchases
 * and spend, lift against the lowest level; the Spearman correlation of score and future
 * purchases with its interval; per segment with 'by'; with 'intent_col', the 2x2 table of
 * intent vs purchase, their correlation and the share of intending customers who bought.
 * A row of 'attrs' is eligible when it has a score (and a survey date), its customer has
 * events, the first on or before the survey date, and survey + horizon <= the data's last
 * day; the others are counted by reason in the result's fields, never dropped silently.
 * '*out' owns the result (rt_result_free); its definitions field spells everything out.
 * Errors: RT_EPARSE (a score, date or intent cell that is not one, naming the customer and
 * column), RT_EDOMAIN (a column not in 'attrs', no eligible customer), RT_EMISUSE (missing
 * or contradictory options), RT_ENOMEM. */
RT_API rt_status rt_satisfaction_run(const rt_events *ev, const rt_satisfaction_options *opt,
                                     rt_result **out, rt_error *err);

/* ---- simulation ---- */

/* Parameters of the synthetic log (zero means default, shown in brackets). Every customer
 * makes a first purchase on arrival; later purchases follow 'model':
 *  - BG/NBD: lambda ~ Gamma(r, alpha) per week; after each repeat purchase the customer drops
 *    out with probability p ~ Beta(a, b);
 *  - MBG/NBD: the same, but p applies after every purchase, the first one included, so a
 *    customer may drop out right after the first purchase (Batislam et al. 2007);
 *  - Pareto/NBD: purchases at rate lambda ~ Gamma(r, alpha) per week during a lifetime
 *    ~ Exponential(mu) weeks from the first purchase, mu ~ Gamma(s, beta);
 *  - BG/BB: opportunities every 'opportunity_days' days after the first purchase; at each,
 *    a living customer drops out with probability theta ~ Beta(bb_gamma, bb_delta), and if
 *    still alive buys with probability p ~ Beta(bb_alpha, bb_beta), so it is alive at
 *    opportunity t with probability (1 - theta)^t (Fader, Hardie & Shang 2010).
 * Spend per purchase ~ Gamma(p_shape, nu) with nu ~ Gamma(q, gamma) (Gamma-Gamma). Fields
 * of the other models are ignored. */
typedef struct rt_sim_options {
    uint64_t customers;          /* [1000] */
    uint64_t seed;               /* [1]; the same seed gives the same bytes */
    int32_t start_day;           /* first day of the log, days since 1970-01-01 [2024-01-01] */
    int32_t days;                /* length of the log in days [365] */
    int32_t acquisition_days;    /* customers arrive uniformly over the first this many days
                                    [days / 4, at least 1] */
    double r, alpha, a, b;       /* BG/NBD [0.243, 4.414, 0.793, 2.426] */
    double p_shape, q, gamma_gg; /* Gamma-Gamma [6.25, 3.74, 15.44] */
    int channels;                /* number of channels [4] */
    int products;                /* number of products [200] */
    int with_times;              /* 1 = timestamps "YYYY-MM-DD HH:MM:SS" instead of dates */
    int with_orders;             /* 1 = add an order_id column */
    rt_model_kind model;         /* transaction model [RT_MODEL_BGNBD]: bgnbd, mbgnbd, pnbd or
                                    bgbb (sbg and gg are not transaction models) */
    double s, beta;              /* Pareto/NBD dropout rate mu ~ Gamma(s, beta) per week
                                    [0.606, 11.669]; r and alpha as above [0.553, 10.578 for
                                    pnbd] (the CDNOW Pareto/NBD estimates) */
    double bb_alpha, bb_beta, bb_gamma, bb_delta; /* BG/BB: purchase probability per
                                    opportunity ~ Beta(alpha, beta), dropout probability per
                                    opportunity ~ Beta(gamma, delta) [1.204, 0.750, 0.657,
                                    2.783] (FHS 2010's donation data estimates) */
    int32_t opportunity_days;                     /* BG/BB: days between opportunities, >= 1
                                                     [7] */
} rt_sim_options;

/* Stream a synthetic transaction log as CSV to 'out' (header customer_id,date,amount,channel,
 * product[,order_id]), rows in time order. Memory is O(customers), never O(rows). If 'truth'
 * is not NULL, also write one CSV row per customer: customer_id,first_date,<two latent
 * parameters>,dropout_date (empty if alive at the end),alive,nu, the parameters being
 * lambda,p (BG/NBD, MBG/NBD), lambda,mu (Pareto/NBD) or p,theta (BG/BB); the dropout date is
 * that of the purchase after which the customer left (BG/NBD, MBG/NBD), of the end of its
 * lifetime (Pareto/NBD) or of the opportunity it did not live to see (BG/BB). If
 * 'customers_out' is not NULL, write customer attributes: customer_id,signup_date,tier,
 * loyalty_member,satisfaction (1-5; higher satisfaction lowers the dropout probability).
 * Returns RT_EDOMAIN for impossible options (the message names the field), RT_EIO when a
 * write fails, RT_ENOMEM. */
RT_API rt_status rt_simulate(const rt_sim_options *opt, FILE *out, FILE *truth, FILE *customers_out,
                             rt_error *err);

/* ---- dates ---- */

/* Format days since 1970-01-01 as YYYY-MM-DD into 'buf' (at least 16 bytes). */
RT_API void rt_date_format(int32_t day, char *buf);
/* Parse a strict YYYY-MM-DD date into days since 1970-01-01. Returns 0, or -1 if invalid. */
RT_API int rt_date_parse(const char *s, int32_t *day);

#ifdef __cplusplus
}
#endif
#endif
