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
typedef enum { RT_FIELD_CUSTOMER = 0, RT_FIELD_CHANNEL, RT_FIELD_PRODUCT, RT_FIELD_ORDER } rt_field;

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

/* ---- simulation ---- */

/* Parameters of the synthetic log (zero means default, shown in brackets). Purchases follow
 * BG/NBD: lambda ~ Gamma(r, alpha) per week, after each repeat purchase the customer drops
 * out with probability p ~ Beta(a, b); spend per purchase ~ Gamma(p_shape, nu) with
 * nu ~ Gamma(q, gamma) (Gamma-Gamma). */
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
} rt_sim_options;

/* Stream a synthetic transaction log as CSV to 'out' (header customer_id,date,amount,channel,
 * product[,order_id]), rows in time order. Memory is O(customers), never O(rows). If 'truth'
 * is not NULL, also write one CSV row per customer: customer_id,first_date,lambda,p,
 * dropout_date (empty if alive at the end),alive,nu. If 'customers_out' is not NULL, write
 * customer attributes: customer_id,signup_date,tier,loyalty_member,satisfaction (1-5; higher
 * satisfaction lowers the dropout probability). Returns RT_EDOMAIN for impossible options,
 * RT_EIO when a write fails, RT_ENOMEM. */
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
