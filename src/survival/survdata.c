/* survdata.c - the survival table (rt_survdata) as public API: its memory while a builder fills
 * it and once published, freeing, and the table as a result (`retain tenure`). Builders live
 * in survdata_read.c (any table with a duration and an event) and tenure.c (event logs and
 * subscriptions); rt_km_run and rt_cox_run only read the public fields.
 * SPDX-License-Identifier: MIT */
#include "survival/survdata.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/number.h"
#include "core/result.h"

#include <math.h>
#include <string.h>

/* ---- memory ---- */

/* The table and its memory record in one allocation. */
typedef struct sv_box {
    rt_survdata s;
    rt_sv_mem m;
} sv_box;

rt_survdata *rt_survdata_new(rt_sv_mem **mem)
{
    sv_box *b = rt_mem_calloc(NULL, 1, sizeof *b);
    if (!b)
        return NULL;
    b->s.priv_ = &b->m;
    size_t off;
    if (rt_sv_text(&b->m, "", 0, &off) != 0) { /* offset 0 is the empty string */
        rt_mem_free(NULL, b);
        return NULL;
    }
    *mem = &b->m;
    return &b->s;
}

void rt_survdata_free(rt_survdata *s)
{
    if (!s)
        return;
    rt_sv_mem *m = s->priv_;
    if (m) {
        rt_mem_free(NULL, m->time);
        rt_mem_free(NULL, m->entry);
        rt_mem_free(NULL, m->event);
        rt_mem_free(NULL, m->start);
        rt_mem_free(NULL, m->idoff);
        rt_mem_free(NULL, (void *)m->id);
        for (size_t c = 0; m->col_name && c < m->ncols; c++)
            rt_mem_free(NULL, m->col_name[c]);
        rt_mem_free(NULL, m->col_name);
        rt_mem_free(NULL, m->celloff);
        rt_mem_free(NULL, (void *)m->cells);
        rt_mem_free(NULL, (void *)m->colptr);
        rt_mem_free(NULL, m->nums);
        rt_mem_free(NULL, (void *)m->numptr);
        rt_mem_free(NULL, m->text);
    }
    rt_mem_free(NULL, s); /* the box: 's' is its first member */
}

int rt_sv_set_columns(rt_sv_mem *m, size_t ncols, const char *const *names)
{
    if (ncols == 0)
        return 0;
    m->col_name = rt_mem_calloc(NULL, ncols, sizeof *m->col_name);
    if (!m->col_name)
        return -1;
    m->ncols = ncols;
    for (size_t c = 0; c < ncols; c++)
        if (!(m->col_name[c] = rt_mem_strdup(NULL, names[c])))
            return -1;
    return 0;
}

/* Grow '*p' (items of 'size' bytes, 'cap' of them) to 'cap2' items. Returns 0 or -1. */
static int regrow(void **p, size_t cap2, size_t size)
{
    if (cap2 > SIZE_MAX / size)
        return -1;
    void *q = rt_mem_resize(NULL, *p, cap2 * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int rt_sv_reserve(rt_sv_mem *m, int with_entry, int with_start, int with_id)
{
    if (m->n < m->cap)
        return 0;
    size_t cap = m->cap ? m->cap * 2 : 1024;
    if (m->ncols > 0 && cap > SIZE_MAX / m->ncols)
        return -1;
    if (regrow((void **)&m->time, cap, sizeof *m->time) != 0 ||
        regrow((void **)&m->event, cap, sizeof *m->event) != 0 ||
        (with_entry && regrow((void **)&m->entry, cap, sizeof *m->entry) != 0) ||
        (with_start && regrow((void **)&m->start, cap, sizeof *m->start) != 0) ||
        (with_id && regrow((void **)&m->idoff, cap, sizeof *m->idoff) != 0) ||
        (m->ncols > 0 && regrow((void **)&m->celloff, cap * m->ncols, sizeof *m->celloff) != 0))
        return -1;
    m->cap = cap;
    return 0;
}

int rt_sv_text(rt_sv_mem *m, const char *s, size_t len, size_t *off)
{
    if (len == 0 && m->text) {
        *off = 0;
        return 0;
    }
    if (len > SIZE_MAX - m->text_len - 1)
        return -1;
    size_t need = m->text_len + len + 1;
    if (need > m->text_cap && rt_mem_grow(NULL, (void **)&m->text, &m->text_cap, need, 1) != 0)
        return -1;
    *off = m->text_len;
    memcpy(m->text + m->text_len, s, len);
    m->text[m->text_len + len] = '\0';
    m->text_len = need;
    return 0;
}

int rt_survdata_publish(rt_survdata *s)
{
    rt_sv_mem *m = s->priv_;
    size_t n = m->n, nc = m->ncols;
    if (m->idoff) {
        if (!(m->id = rt_mem_array(NULL, n ? n : 1, sizeof *m->id)))
            return -1;
        for (size_t i = 0; i < n; i++)
            m->id[i] = m->text + m->idoff[i];
        rt_mem_free(NULL, m->idoff);
        m->idoff = NULL;
    }
    if (nc > 0) {
        size_t cells = n ? n * nc : 1; /* n * nc was checked by rt_sv_reserve */
        m->cells = rt_mem_array(NULL, cells, sizeof *m->cells);
        m->nums = rt_mem_array(NULL, cells, sizeof *m->nums);
        m->colptr = rt_mem_array(NULL, nc, sizeof *m->colptr);
        m->numptr = rt_mem_array(NULL, nc, sizeof *m->numptr);
        if (!m->cells || !m->nums || !m->colptr || !m->numptr)
            return -1;
        for (size_t c = 0; c < nc; c++) {
            for (size_t i = 0; i < n; i++) {
                const char *t = m->text + m->celloff[i * nc + c];
                double v;
                m->cells[c * n + i] = t;
                m->nums[c * n + i] = *t && rt_parse_double(t, strlen(t), &v) == 0 ? v : (double)NAN;
            }
            m->colptr[c] = m->cells + c * n;
            m->numptr[c] = m->nums + c * n;
        }
        rt_mem_free(NULL, m->celloff);
        m->celloff = NULL;
    }
    s->n = n;
    s->id = m->id;
    s->time = m->time;
    s->event = m->event;
    s->entry = m->entry;
    s->start = m->start;
    s->ncols = nc;
    s->col_name = (const char *const *)m->col_name;
    s->text = (const char *const *const *)m->colptr;
    s->num = m->numptr;
    return 0;
}

/* ---- as a result ---- */

static const char def_table[] =
    "duration and event as read: event 1 = the event happened at the duration, 0 = censored "
    "there; entry (when present) = the time the row came under observation";
static const char def_events[] =
    "tenure from an event log, in days: start = first purchase; with l = the last purchase on "
    "or before observed_end and W = active_window, churned (event 1) when l + W <= "
    "observed_end (no purchase in the W days up to observed_end: not active there), duration "
    "= l + W - start; otherwise censored (event 0), duration = observed_end - start; "
    "customers whose first purchase is after observed_end are excluded";
static const char def_subs[] =
    "tenure from subscriptions, in days: start = the customer's earliest subscription start; "
    "censored (event 0) at observed_end when a subscription is still active (no end, or an "
    "end after observed_end), duration = observed_end - start; otherwise churned (event 1) at "
    "the latest end, duration = latest end - start; subscriptions starting after "
    "observed_end are ignored (customers with no other are excluded)";

/* The main table: one row per table row. */
static int add_rows(rt_result *r, const rt_survdata *s)
{
    size_t nc = 2 + (size_t)(s->id != NULL) + (size_t)(s->start != NULL) +
                (size_t)(s->entry != NULL) + s->ncols;
    const char **names = rt_mem_array(NULL, nc, sizeof *names);
    int *dec = rt_mem_array(NULL, nc, sizeof *dec);
    rt_value *cell = rt_mem_array(NULL, nc, sizeof *cell);
    int bad = !names || !dec || !cell;
    size_t k = 0;
    if (!bad) {
        if (s->id)
            names[k] = "customer_id", dec[k++] = RT_DECIMALS_AUTO;
        if (s->start)
            names[k] = "start", dec[k++] = RT_DECIMALS_AUTO;
        if (s->entry)
            names[k] = "entry", dec[k++] = RT_DECIMALS_AUTO;
        names[k] = "duration", dec[k++] = RT_DECIMALS_AUTO;
        names[k] = "event", dec[k++] = 0;
        for (size_t c = 0; c < s->ncols; c++)
            names[k] = s->col_name[c], dec[k++] = RT_DECIMALS_AUTO;
    }
    int t = bad ? -1 : rt_result_add_table(r, "tenure", k, names, dec);
    bad = t < 0 || rt_result_set_main(r, (size_t)t) != 0;
    for (size_t i = 0; !bad && i < s->n; i++) {
        k = 0;
        if (s->id)
            cell[k++] = (rt_value){.type = RT_VAL_STRING, .s = s->id[i]};
        if (s->start)
            cell[k++] = (rt_value){.type = RT_VAL_DATE, .i = s->start[i]};
        if (s->entry)
            cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = s->entry[i]};
        cell[k++] = (rt_value){.type = RT_VAL_DOUBLE, .d = s->time[i]};
        cell[k++] = (rt_value){.type = RT_VAL_INT, .i = s->event[i]};
        for (size_t c = 0; c < s->ncols; c++)
            cell[k++] = (rt_value){.type = RT_VAL_STRING, .s = s->text[c][i]};
        bad = rt_result_table_add_row(r, (size_t)t, cell) != 0;
    }
    rt_mem_free(NULL, (void *)names);
    rt_mem_free(NULL, dec);
    rt_mem_free(NULL, cell);
    return bad ? -1 : 0;
}

/* The fields: where the table came from, the counts, the definitions. */
static int add_fields(rt_result *r, const rt_survdata *s)
{
    const rt_sv_mem *m = s->priv_;
    rt_sv_source src = m ? m->source : SV_TABLE;
    static const char *const src_name[] = {"table", "events", "subscriptions"};
    static const char *const defs[] = {def_table, def_events, def_subs};
    size_t events = 0;
    for (size_t i = 0; i < s->n; i++)
        events += s->event[i] != 0;
    int bad = rt_result_add_string(r, "source", src_name[src]);
    if (src == SV_TABLE) {
        bad |= rt_result_add_null(r, "observed_end");
        bad |= rt_result_add_null(r, "active_window");
    } else {
        bad |= rt_result_add_date(r, "observed_end", m->observed_end);
        if (src == SV_EVENTS)
            bad |= rt_result_add_int(r, "active_window", m->active_window);
        else
            bad |= rt_result_add_null(r, "active_window");
    }
    bad |= rt_result_add_int(r, "rows", (int64_t)s->n);
    bad |= rt_result_add_int(r, "events", (int64_t)events);
    bad |= rt_result_add_int(r, "censored", (int64_t)(s->n - events));
    bad |= rt_result_add_int(r, "excluded", m ? (int64_t)m->excluded : 0);
    if (m && m->has_attrs)
        bad |= rt_result_add_int(r, "unmatched", (int64_t)m->unmatched);
    else
        bad |= rt_result_add_null(r, "unmatched");
    bad |= rt_result_add_string(r, "definitions", defs[src]);
    return bad;
}

rt_status rt_survdata_result(const rt_survdata *s, rt_result **out, rt_error *err)
{
    if (out)
        *out = NULL;
    if (!s || !out || (s->n > 0 && (!s->time || !s->event)) ||
        (s->ncols > 0 && (!s->col_name || !s->text)))
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_survdata_result: NULL argument");
    rt_result *r = rt_result_new(NULL, "tenure");
    if (!r || add_fields(r, s) != 0 || add_rows(r, s) != 0) {
        rt_result_free(r);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = r;
    return RT_OK;
}

/* Is the text 's' a missing value: empty, blank or NA? */
int rt_sv_missing(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 1;
    if (s[0] == 'N' && s[1] == 'A') {
        s += 2;
        while (*s == ' ' || *s == '\t')
            s++;
        return !*s;
    }
    return 0;
}
