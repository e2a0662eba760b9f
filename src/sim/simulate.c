/* simulate.c - rt_simulate: a synthetic purchase log drawn from a buy-till-you-die model
 * (BG/NBD, Fader, Hardie & Lee 2005; MBG/NBD, Batislam, Denizel & Filiztekin 2007; Pareto/NBD,
 * Schmittlein, Morrison & Colombo 1987; BG/BB, Fader, Hardie & Shang 2010) with Gamma-Gamma
 * spend (Fader, Hardie & Lee 2005b / Colombo & Jiang 1999). Upstream of nothing: it only
 * writes CSV that the rest of retain reads back. The one thing to know: rows stream out in
 * time order through a radix heap of the customers still active, and every customer draws
 * from its own RNG stream, so the bytes depend only on the options.
 * SPDX-License-Identifier: MIT */
#include "core/date.h"
#include "core/error.h"
#include "core/mem.h"
#include "sim/rng.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OUT_CAP (1u << 20) /* event-log buffer; flushed with one fwrite when nearly full */
#define ROW_MAX 256        /* longest row we can format: ids of 20 digits, "channel1000" */
/* A small bucket spread into bucket 0 and its neighbours holds the next few customers to
 * buy: prefetching their state hides the one cache miss per row that otherwise dominates
 * (3M customers: 4.2 s -> 3.0 s for 10.7M rows). */
#define PREFETCH_MAX 32

#define P_FAVOURITE_CHANNEL 0.8 /* a purchase uses the customer's favourite channel */
#define P_FAVOURITE_PRODUCT 0.6 /* a purchase takes one of the customer's favourite products */
#define SIGNUP_MAX_DAYS 30      /* signup is 0..30 days before the first purchase */

/* The tier score is rho * z(lambda) + sqrt(1 - rho^2) * N(0,1); cut at the standard normal's
 * 60% and 90% points, so about 60/30/10% of customers are basic/plus/premium. */
#define TIER_RHO 0.6
#define TIER_CUT_PLUS 0.2533471031357997    /* Phi^-1(0.60) */
#define TIER_CUT_PREMIUM 1.2815515655446004 /* Phi^-1(0.90) */

static const char *const tier_names[3] = {"basic", "plus", "premium"};
static const double loyalty_prob[3] = {0.25, 0.45, 0.70}; /* P(loyalty member | tier) */

static const char *const base_channels[6] = {"web",   "app",         "store",
                                             "phone", "marketplace", "partner"};

/* One active customer. Everything it does later comes from 'rng'. */
typedef struct cust {
    rt_rng rng;
    uint64_t id;     /* customer number, 1..N in order of arrival */
    double rate;     /* purchases per day while alive (lambda / 7); BG/BB: unused */
    double p;        /* BG/NBD: dropout probability after each repeat purchase; MBG/NBD: after
                        each purchase; BG/BB: at each opportunity (theta); Pareto/NBD: unused */
    double buy;      /* BG/BB: purchase probability at each opportunity */
    double death;    /* Pareto/NBD: dropout time, days since the start (inf = never) */
    double nu;       /* Gamma-Gamma scale: spend per purchase ~ Gamma(p_shape, rate nu) */
    uint32_t fav[3]; /* favourite products (0-based) */
    uint16_t chan;   /* favourite channel (0-based) */
    uint8_t nfav;    /* favourites in use, 1..3 */
    uint8_t repeat;  /* 1 once the first purchase has been written */
} cust;

/* What only the truth and customer files need (see customer_draw for the rules). */
typedef struct attrs {
    double par[2]; /* the truth file's two latent parameters (see truth_params) */
    int signup_offset;
    int tier;
    int loyal;
    int satisfaction;
} attrs;

/* A queue entry: a customer's next purchase time and its slot. The key is the bit pattern of
 * the time (days since the start, a double >= 0), which orders exactly as the time does. */
typedef struct q_ent {
    uint64_t key;
    uint32_t slot;
} q_ent;

/* One bucket of the radix heap: a growable array. */
typedef struct q_bucket {
    q_ent *e;
    size_t len, cap;
} q_bucket;

/* Arrival times as ascending uniform order statistics on [0, acq), generated one at a time
 * (the k-th minimum given the (k-1)-th), so they never need sorting or storing. */
typedef struct arrivals {
    rt_rng rng;
    uint64_t n, k;  /* customers in all, customers produced */
    double log_rem; /* log(1 - U_(k)) */
    double acq;
} arrivals;

typedef struct sim {
    rt_sim_options o; /* the caller's options with defaults filled in */
    double lg_mean;   /* mean of the tier score's log-propensity (see customer_draw) */
    double lg_sd;     /* its standard deviation */
    double *chan_cdf; /* cumulative channel popularity, 1/(k+1) */
    double *prod_cdf; /* cumulative product popularity, Zipf 1/(k+1) */
    char (*chan_name)[16];
    uint8_t *chan_len;
    int id_width, prod_width;
    int64_t min_day; /* 0001-01-01 */

    cust *slots; /* active customers; a slot is reused once its customer leaves */
    size_t nslots, cap;
    uint32_t *free_slots; /* stack of unused slots; capacity 'cap' */
    size_t nfree;
    /* The event queue, a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990): times only grow,
     * so bucket b > 0 holds the keys whose highest bit differing from 'q_last' (the last key
     * popped) is bit b - 1, and bucket 0 the keys equal to it. */
    q_bucket q[64];
    uint64_t q_last;
    uint64_t q_mask; /* bit b set when bucket b is not empty */
    size_t q_count;
    int32_t *dropout; /* per customer: day (since start) of dropping out, or -1; truth only */

    FILE *out;
    char *buf; /* OUT_CAP bytes */
    size_t len;
    int64_t cur_day; /* the day whose text is in 'day_str' */
    char day_str[16];
    uint64_t order_seq;
} sim;

/* ---- small numeric helpers ---- */

/* errno after a failed stdio call, or EIO when the library left it 0. */
static int write_errno(void)
{
    return errno ? errno : EIO;
}

/* Digamma for x > 0: recurrence up to x >= 6, then the asymptotic series. */
static double digamma(double x)
{
    double acc = 0.0;
    while (x < 6.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double tail = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    return acc + log(x) - 0.5 / x - tail;
}

/* Trigamma for x > 0: recurrence up to x >= 6, then the asymptotic series. */
static double trigamma(double x)
{
    double acc = 0.0;
    while (x < 6.0) {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double tail = 1.0 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
    return acc + tail;
}

/* Number of decimal digits of 'v'. */
static int digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Write 'v' in decimal, zero-padded to at least 'width' digits; returns the end. */
static char *put_padded(char *p, uint64_t v, int width)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = n; i < width; i++)
        *p++ = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Write "C00000042" for customer 'id' into 'buf' (at least 24 bytes), NUL-terminated. */
static void format_id(const sim *s, uint64_t id, char *buf)
{
    buf[0] = 'C';
    *put_padded(buf + 1, id, s->id_width) = '\0';
}

/* ---- options ---- */

/* Fill a positive model parameter: 0 means 'def'; otherwise it must be finite and > 0. */
static rt_status check_param(double *v, double def, const char *name, rt_error *err)
{
    if (*v == 0.0) {
        *v = def;
        return RT_OK;
    }
    if (!(*v > 0.0))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "simulate: %s must be > 0, got %g", name, *v);
    if (!isfinite(*v))
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "simulate: %s must be finite, got %g", name,
                       *v);
    return RT_OK;
}

/* A mean purchase rate r / alpha above 10000 a week (over 1400 a day) is not a customer
 * base: refuse it rather than write an endless log. */
static rt_status rate_ok(const rt_sim_options *o, rt_error *err)
{
    if (o->r / o->alpha > 1e4)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "simulate: r / alpha = %g purchases per week per customer on average; at "
                       "most 10000",
                       o->r / o->alpha);
    return RT_OK;
}

/* The model's name for messages. */
static const char *model_name(rt_model_kind k)
{
    switch (k) {
    case RT_MODEL_BGNBD:
        return "bgnbd";
    case RT_MODEL_MBGNBD:
        return "mbgnbd";
    case RT_MODEL_PNBD:
        return "pnbd";
    case RT_MODEL_BGBB:
        return "bgbb";
    case RT_MODEL_SBG:
        return "sbg";
    case RT_MODEL_GG:
        return "gg";
    }
    return NULL;
}

/* Check 'o->model' and fill the parameters it uses (the others are ignored and left as
 * given). Defaults: BG/NBD and MBG/NBD the CDNOW BG/NBD estimates (FHL 2005), Pareto/NBD the
 * CDNOW Pareto/NBD estimates (FHL 2005 "A note on deriving the Pareto/NBD model"), BG/BB the
 * FHS 2010 donation estimates. */
static rt_status model_options(rt_sim_options *o, rt_error *err)
{
    rt_status st = RT_OK;
    switch (o->model) {
    case RT_MODEL_BGNBD:
    case RT_MODEL_MBGNBD:
        if ((st = check_param(&o->r, 0.243, "r", err)) != RT_OK ||
            (st = check_param(&o->alpha, 4.414, "alpha", err)) != RT_OK ||
            (st = check_param(&o->a, 0.793, "a", err)) != RT_OK ||
            (st = check_param(&o->b, 2.426, "b", err)) != RT_OK)
            return st;
        return rate_ok(o, err);
    case RT_MODEL_PNBD:
        if ((st = check_param(&o->r, 0.553, "r", err)) != RT_OK ||
            (st = check_param(&o->alpha, 10.578, "alpha", err)) != RT_OK ||
            (st = check_param(&o->s, 0.606, "s", err)) != RT_OK ||
            (st = check_param(&o->beta, 11.669, "beta", err)) != RT_OK)
            return st;
        return rate_ok(o, err);
    case RT_MODEL_BGBB:
        if ((st = check_param(&o->bb_alpha, 1.204, "bb_alpha", err)) != RT_OK ||
            (st = check_param(&o->bb_beta, 0.750, "bb_beta", err)) != RT_OK ||
            (st = check_param(&o->bb_gamma, 0.657, "bb_gamma", err)) != RT_OK ||
            (st = check_param(&o->bb_delta, 2.783, "bb_delta", err)) != RT_OK)
            return st;
        if (o->opportunity_days == 0)
            o->opportunity_days = 7;
        if (o->opportunity_days < 1)
            return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                           "simulate: opportunity_days must be >= 1, got %ld",
                           (long)o->opportunity_days);
        return RT_OK;
    case RT_MODEL_SBG:
    case RT_MODEL_GG:
        break;
    }
    const char *name = model_name(o->model);
    if (name)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "simulate: model must be bgnbd, mbgnbd, pnbd or bgbb, got %s", name);
    return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                   "simulate: model must be bgnbd, mbgnbd, pnbd or bgbb, got %d", (int)o->model);
}

/* Copy 'in' (may be NULL) into 's->o' with every zero field replaced by its default (see
 * retain.h), and reject impossible values with RT_EDOMAIN naming the option. */
static rt_status fill_options(sim *s, const rt_sim_options *in, rt_error *err)
{
    rt_sim_options *o = &s->o;
    rt_status st;
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if (o->customers == 0)
        o->customers = 1000;
    if (o->seed == 0)
        o->seed = 1;
    if (o->start_day == 0)
        o->start_day = (int32_t)rt_days_from_civil(2024, 1, 1);
    if (o->days == 0)
        o->days = 365;
    if (o->days < 1)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "simulate: days must be >= 1, got %ld",
                       (long)o->days);
    if (o->acquisition_days == 0)
        o->acquisition_days = o->days / 4 > 0 ? o->days / 4 : 1;
    if (o->acquisition_days < 1)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "simulate: acquisition_days must be >= 1, got %ld",
                       (long)o->acquisition_days);
    if (o->acquisition_days > o->days)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "simulate: acquisition_days must be <= days (%ld), got %ld", (long)o->days,
                       (long)o->acquisition_days);
    if ((st = model_options(o, err)) != RT_OK ||
        (st = check_param(&o->p_shape, 6.25, "p_shape", err)) != RT_OK ||
        (st = check_param(&o->q, 3.74, "q", err)) != RT_OK ||
        (st = check_param(&o->gamma_gg, 15.44, "gamma_gg", err)) != RT_OK)
        return st;
    if (o->channels == 0)
        o->channels = 4;
    if (o->channels < 1 || o->channels > 1000)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "simulate: channels must be 1..1000, got %d",
                       o->channels);
    if (o->products == 0)
        o->products = 200;
    if (o->products < 1 || o->products > 1000000)
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0, "simulate: products must be 1..1000000, got %d",
                       o->products);
    /* Every date written (signup dates are clamped separately) must print as YYYY-MM-DD. */
    s->min_day = rt_days_from_civil(1, 1, 1);
    int64_t max_day = rt_days_from_civil(9999, 12, 31);
    int64_t last = (int64_t)o->start_day + o->days - 1;
    if (o->start_day < s->min_day || last > max_day) {
        int64_t y;
        unsigned m, d;
        rt_civil_from_days(o->start_day, &y, &m, &d);
        return rt_fail(err, RT_EDOMAIN, NULL, 0, 0,
                       "simulate: the log must lie within 0001-01-01..9999-12-31, got %ld "
                       "days from %04lld-%02u-%02u",
                       (long)o->days, (long long)y, m, d);
    }
    o->with_times = o->with_times != 0;
    o->with_orders = o->with_orders != 0;
    return RT_OK;
}

/* Build the popularity tables and channel names. Returns RT_ENOMEM on failure. */
static rt_status build_tables(sim *s, rt_error *err)
{
    size_t nc = (size_t)s->o.channels, np = (size_t)s->o.products;
    s->chan_cdf = rt_mem_array(NULL, nc, sizeof *s->chan_cdf);
    s->prod_cdf = rt_mem_array(NULL, np, sizeof *s->prod_cdf);
    s->chan_name = rt_mem_array(NULL, nc, sizeof *s->chan_name);
    s->chan_len = rt_mem_array(NULL, nc, sizeof *s->chan_len);
    s->buf = rt_mem_alloc(NULL, OUT_CAP);
    if (!s->chan_cdf || !s->prod_cdf || !s->chan_name || !s->chan_len || !s->buf)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
    double acc = 0.0;
    for (size_t k = 0; k < nc; k++) {
        s->chan_cdf[k] = (acc += 1.0 / (double)(k + 1));
        int n = k < 6 ? snprintf(s->chan_name[k], 16, "%s", base_channels[k])
                      : snprintf(s->chan_name[k], 16, "channel%zu", k + 1);
        s->chan_len[k] = (uint8_t)n;
    }
    acc = 0.0;
    for (size_t k = 0; k < np; k++)
        s->prod_cdf[k] = (acc += 1.0 / (double)(k + 1));
    int w = digits(s->o.customers);
    s->id_width = w > 8 ? w : 8;
    w = digits((uint64_t)s->o.products);
    s->prod_width = w > 4 ? w : 4;
    if (s->o.model == RT_MODEL_BGBB) { /* log p, p ~ Beta(bb_alpha, bb_beta) */
        double a = s->o.bb_alpha, b = s->o.bb_beta;
        s->lg_mean = digamma(a) - digamma(a + b);
        s->lg_sd = sqrt(trigamma(a) - trigamma(a + b));
    } else { /* log(lambda alpha), lambda alpha ~ Gamma(r, 1) */
        s->lg_mean = digamma(s->o.r);
        s->lg_sd = sqrt(trigamma(s->o.r));
    }
    s->cur_day = -1;
    return RT_OK;
}

/* ---- customers ---- */

/* Start the arrival sequence over: the same options give the same sequence. */
static void arrivals_init(arrivals *a, const sim *s)
{
    rt_rng_seed(&a->rng, s->o.seed, 0); /* stream 0; customers use streams 1..N */
    a->n = s->o.customers;
    a->k = 0;
    a->log_rem = 0.0;
    a->acq = (double)s->o.acquisition_days;
}

/* The arrival time (days since the start) of the next customer. Given U_(k), the next order
 * statistic is 1 - (1 - U_(k)) V^(1/(n-k)) with V uniform, i.e. log(1 - U) drops by E/(n-k)
 * with E ~ Exp(1). */
static double arrivals_next(arrivals *a)
{
    a->log_rem -= rt_rng_exp(&a->rng) / (double)(a->n - a->k);
    a->k++;
    double t = -expm1(a->log_rem) * a->acq;
    if (t >= a->acq) /* U rounded to 1: keep the interval half-open */
        t = nextafter(a->acq, 0.0);
    return t;
}

/* Draw customer 'id' into 'c' from its own stream (seed, id), in this fixed order:
 *   the model's two latent parameters: BG/NBD and MBG/NBD lambda ~ Gamma(r, rate alpha) per
 *   week, p ~ Beta(a, b); Pareto/NBD lambda as above, mu ~ Gamma(s, rate beta) per week;
 *   BG/BB p ~ Beta(bb_alpha, bb_beta), theta ~ Beta(bb_gamma, bb_delta);
 *   nu ~ Gamma(q, rate gamma); favourite channel ~ weights 1/(k+1); 1-3 favourite products,
 *   each Zipf-weighted (up to 8 redraws to avoid repeating one); then the attribute draws:
 *   signup offset U{0..30}, tier noise N(0,1), loyalty U(0,1), satisfaction noise N(0,1);
 *   last, Pareto/NBD only: the lifetime ~ Exp(mu) weeks.
 * The attribute draws are made whether or not 'at' is wanted, so the event log is the same
 * with or without the truth and customer files. When 'at' is not NULL it receives:
 *   tier: score = 0.6 z + 0.8 e, with z the log purchase propensity standardised by its exact
 *         mean and sd: (log(lambda alpha) - digamma(r)) / sqrt(trigamma(r)), or for BG/BB
 *         (log p - digamma(bb_alpha) + digamma(bb_alpha + bb_beta)) / sqrt(trigamma(bb_alpha)
 *         - trigamma(bb_alpha + bb_beta)); e the tier noise; premium if score > Phi^-1(0.9),
 *         plus if > Phi^-1(0.6), else basic.
 *   loyalty member: uniform < 0.25 / 0.45 / 0.70 for basic / plus / premium.
 *   satisfaction: clamp(floor(5 - 4d + 0.75 n + 0.5), 1, 5), n the satisfaction noise and d
 *         the dropout propensity: p (BG/NBD, MBG/NBD), theta (BG/BB), or mu / (lambda + mu),
 *         the chance of leaving before the next purchase (Pareto/NBD). Satisfaction falls as
 *         d rises; the parameters keep their exact marginals. */
static void customer_draw(const sim *s, uint64_t id, cust *c, attrs *at)
{
    const rt_sim_options *o = &s->o;
    rt_rng *g = &c->rng;
    rt_rng_seed(g, o->seed, id);
    c->id = id;
    double lg, par1, par2, drop; /* log-propensity for the tier, truth parameters, dropout */
    c->rate = 0.0;
    c->p = 0.0;
    c->buy = 0.0;
    c->death = (double)INFINITY;
    if (o->model == RT_MODEL_BGBB) {
        par1 = c->buy = rt_rng_beta(g, o->bb_alpha, o->bb_beta);
        par2 = c->p = drop = rt_rng_beta(g, o->bb_gamma, o->bb_delta);
        lg = log(par1); /* -inf when p is 0: the lowest tier */
    } else {
        lg = rt_rng_log_gamma(g, o->r); /* log of a Gamma(r, 1) draw */
        par1 = exp(lg) / o->alpha;
        c->rate = par1 / 7.0;
        if (o->model == RT_MODEL_PNBD) {
            par2 = rt_rng_gamma(g, o->s) / o->beta;
            drop = par2 > 0.0 ? par2 / (par1 + par2) : 0.0;
        } else {
            par2 = c->p = drop = rt_rng_beta(g, o->a, o->b);
        }
    }
    c->nu = rt_rng_gamma(g, o->q) / o->gamma_gg;
    c->chan = (uint16_t)rt_rng_discrete(g, s->chan_cdf, (size_t)o->channels);
    c->nfav = (uint8_t)(1 + rt_rng_below(g, 3));
    for (int j = 0; j < c->nfav; j++) {
        uint32_t pick = 0;
        for (int tries = 0; tries < 8; tries++) {
            pick = (uint32_t)rt_rng_discrete(g, s->prod_cdf, (size_t)o->products);
            int dup = 0;
            for (int i = 0; i < j; i++)
                dup |= c->fav[i] == pick;
            if (!dup)
                break;
        }
        c->fav[j] = pick;
    }
    c->repeat = 0;
    int offset = (int)rt_rng_below(g, SIGNUP_MAX_DAYS + 1);
    double tier_noise = rt_rng_normal(g);
    double loyal_u = rt_rng_uniform(g);
    double sat_noise = rt_rng_normal(g);
    if (o->model == RT_MODEL_PNBD) /* days from the first purchase; mu = 0 gives +inf */
        c->death = rt_rng_exp(g) / par2 * 7.0;
    if (!at)
        return;
    at->par[0] = par1;
    at->par[1] = par2;
    at->signup_offset = offset;
    double score =
        TIER_RHO * (lg - s->lg_mean) / s->lg_sd + sqrt(1.0 - TIER_RHO * TIER_RHO) * tier_noise;
    at->tier = score > TIER_CUT_PREMIUM ? 2 : score > TIER_CUT_PLUS ? 1 : 0;
    at->loyal = loyal_u < loyalty_prob[at->tier];
    double sat = floor(5.0 - 4.0 * drop + 0.75 * sat_noise + 0.5);
    at->satisfaction = sat < 1.0 ? 1 : sat > 5.0 ? 5 : (int)sat;
}

/* ---- the event log ---- */

/* Write the buffer out. Returns 0, or the errno of the failed write. */
static int flush_out(sim *s)
{
    if (s->len == 0)
        return 0;
    errno = 0;
    size_t n = fwrite(s->buf, 1, s->len, s->out);
    if (n != s->len)
        return write_errno();
    s->len = 0;
    return 0;
}

/* Draw one purchase of 'c' at time 't' (days since the start) and format its row. */
static void emit_row(sim *s, cust *c, double t)
{
    rt_rng *g = &c->rng;
    double amount = rt_rng_gamma(g, s->o.p_shape) / c->nu;
    double cents = floor(amount * 100.0 + 0.5);
    if (!(cents >= 1.0)) /* also catches NaN from 0/0 with absurd parameters */
        cents = 1.0;
    if (cents > 1e15) /* nu underflowed to 0: cap instead of overflowing the integer */
        cents = 1e15;
    uint32_t ch = rt_rng_uniform(g) < P_FAVOURITE_CHANNEL
                      ? c->chan
                      : rt_rng_below(g, (uint32_t)s->o.channels);
    uint32_t prod = rt_rng_uniform(g) < P_FAVOURITE_PRODUCT
                        ? c->fav[rt_rng_below(g, c->nfav)]
                        : (uint32_t)rt_rng_discrete(g, s->prod_cdf, (size_t)s->o.products);

    int64_t day = (int64_t)t; /* t >= 0, so this is floor */
    if (day != s->cur_day) {
        rt_date_format((int32_t)(s->o.start_day + day), s->day_str);
        s->cur_day = day;
    }
    char *p = s->buf + s->len;
    *p++ = 'C';
    p = put_padded(p, c->id, s->id_width);
    *p++ = ',';
    memcpy(p, s->day_str, 10);
    p += 10;
    if (s->o.with_times) {
        int sec = (int)((t - (double)day) * 86400.0);
        if (sec > 86399)
            sec = 86399;
        *p++ = ' ';
        *p++ = (char)('0' + sec / 36000);
        *p++ = (char)('0' + sec / 3600 % 10);
        *p++ = ':';
        *p++ = (char)('0' + sec / 600 % 6);
        *p++ = (char)('0' + sec / 60 % 10);
        *p++ = ':';
        *p++ = (char)('0' + sec % 60 / 10);
        *p++ = (char)('0' + sec % 10);
    }
    *p++ = ',';
    uint64_t ci = (uint64_t)cents;
    p = put_padded(p, ci / 100, 1);
    *p++ = '.';
    *p++ = (char)('0' + ci % 100 / 10);
    *p++ = (char)('0' + ci % 10);
    *p++ = ',';
    memcpy(p, s->chan_name[ch], s->chan_len[ch]);
    p += s->chan_len[ch];
    *p++ = ',';
    *p++ = 'P';
    p = put_padded(p, (uint64_t)prod + 1, s->prod_width);
    if (s->o.with_orders) {
        *p++ = ',';
        *p++ = 'O';
        p = put_padded(p, ++s->order_seq, 10);
    }
    *p++ = '\n';
    s->len = (size_t)(p - s->buf);
}

/* BG/NBD and MBG/NBD: after a purchase the customer drops out with probability p (BG/NBD:
 * only after a repeat purchase, 'first' = 0; MBG/NBD: after every purchase, the first one
 * included); otherwise its next purchase comes Exp(lambda) weeks later. */
static int next_bgnbd(sim *s, cust *c, double *t, int first)
{
    if ((!first || s->o.model == RT_MODEL_MBGNBD) && rt_rng_uniform(&c->rng) < c->p) {
        if (s->dropout)
            s->dropout[c->id - 1] = (int32_t)*t;
        return 0;
    }
    double next = *t + rt_rng_exp(&c->rng) / c->rate; /* rate 0 gives +inf */
    if (!(next < (double)s->o.days) || !(next > *t))  /* time must move on */
        return 0;
    *t = next;
    return 1;
}

/* Pareto/NBD: the next purchase comes Exp(lambda) weeks later unless the customer's
 * lifetime (drawn with it, Exp(mu) weeks from the first purchase) ends first. */
static int next_pnbd(sim *s, cust *c, double *t)
{
    double next = *t + rt_rng_exp(&c->rng) / c->rate;
    if (!(next < c->death)) {
        if (s->dropout && c->death < (double)s->o.days)
            s->dropout[c->id - 1] = (int32_t)c->death;
        return 0;
    }
    if (!(next < (double)s->o.days) || !(next > *t)) /* time must move on */
        return 0;
    *t = next;
    return 1;
}

/* BG/BB (FHS 2010): opportunities come every 'opportunity_days' days after the first
 * purchase. At each one a living customer first dies with probability theta, and if it
 * survives buys with probability p. Rather than visit every opportunity, jump to the next
 * one where something happens: each does with probability q = theta + (1 - theta) p, so the
 * wait is Geometric(q) opportunities, and the event is a death with probability theta / q.
 * The dropout date is the day of the opportunity the customer no longer lives to see. */
static int next_bgbb(sim *s, cust *c, double *t)
{
    double q = c->p + (1.0 - c->p) * c->buy;
    if (!(q > 0.0))
        return 0; /* never buys again and never dies */
    double u = rt_rng_uniform(&c->rng);
    double k = q < 1.0 ? floor(log(u) / log1p(-q)) + 1.0 : 1.0;
    double step = k * (double)s->o.opportunity_days;
    double next = *t + step;
    if (!(next < (double)s->o.days))
        return 0;
    /* Keep the opportunity on its exact day: t + step could round up across midnight. */
    int64_t day = (int64_t)*t + (int64_t)step;
    if ((int64_t)next != day)
        next = nextafter((double)(day + 1), 0.0);
    if (rt_rng_uniform(&c->rng) * q < c->p) {
        if (s->dropout)
            s->dropout[c->id - 1] = (int32_t)day;
        return 0;
    }
    *t = next;
    return 1;
}

/* Write the purchase of 'c' at '*t' and move it on to its next one by the model's rules.
 * Returns 1 with the next time in '*t' while that is inside the log, else 0 (the customer
 * leaves the queue). */
static int purchase(sim *s, cust *c, double *t)
{
    emit_row(s, c, *t);
    int first = !c->repeat;
    c->repeat = 1;
    switch (s->o.model) {
    case RT_MODEL_PNBD:
        return next_pnbd(s, c, t);
    case RT_MODEL_BGBB:
        return next_bgbb(s, c, t);
    default:
        return next_bgnbd(s, c, t, first);
    }
}

/* ---- the event queue ---- */

/* The bucket of 'key' relative to the last key popped. Keys are doubles >= 0, so bit 63 is
 * always clear and buckets 0..63 suffice. */
static int q_index(uint64_t key, uint64_t last)
{
    uint64_t x = key ^ last;
    return x ? 64 - __builtin_clzll(x) : 0;
}

/* Append 'e' to bucket 'b'. Returns 0, or -1 when out of memory. */
static int q_append(sim *s, int b, q_ent e)
{
    q_bucket *bk = &s->q[b];
    if (bk->len == bk->cap &&
        rt_mem_grow(NULL, (void **)&bk->e, &bk->cap, bk->len + 1, sizeof *bk->e) != 0)
        return -1;
    bk->e[bk->len++] = e;
    s->q_mask |= (uint64_t)1 << b;
    return 0;
}

/* Queue customer 'slot' at time 't', which is never before the last time popped. Returns 0, or
 * -1 when out of memory. */
static int q_push(sim *s, double t, uint32_t slot)
{
    q_ent e;
    memcpy(&e.key, &t, sizeof e.key);
    e.slot = slot;
    s->q_count++;
    return q_append(s, q_index(e.key, s->q_last), e);
}

/* Pop the earliest (time, customer number) into '*t' and '*slot'. Returns 1, 0 when the queue
 * is empty, or -1 when out of memory. */
static int q_pop(sim *s, double *t, uint32_t *slot)
{
    if (s->q_count == 0)
        return 0;
    if (s->q[0].len == 0) {
        /* Refill bucket 0: the lowest non-empty bucket holds the minimum; make it the new
         * 'q_last' and spread that bucket over the buckets below it. */
        int b = __builtin_ctzll(s->q_mask);
        q_bucket *bk = &s->q[b];
        uint64_t min = bk->e[0].key;
        for (size_t i = 1; i < bk->len; i++)
            if (bk->e[i].key < min)
                min = bk->e[i].key;
        s->q_last = min;
        size_t n = bk->len;
        bk->len = 0;
        s->q_mask &= ~((uint64_t)1 << b);
        for (size_t i = 0; i < n; i++) {
            if (n <= PREFETCH_MAX) {
                const char *cp = (const char *)&s->slots[bk->e[i].slot];
                __builtin_prefetch(cp);
                __builtin_prefetch(cp + 64);
            }
            if (q_append(s, q_index(bk->e[i].key, min), bk->e[i]) != 0)
                return -1;
        }
    }
    /* Equal times (almost never) go by customer number. */
    q_bucket *z = &s->q[0];
    size_t j = 0;
    for (size_t i = 1; i < z->len; i++)
        if (s->slots[z->e[i].slot].id < s->slots[z->e[j].slot].id)
            j = i;
    memcpy(t, &z->e[j].key, sizeof *t);
    *slot = z->e[j].slot;
    z->e[j] = z->e[--z->len];
    if (z->len == 0)
        s->q_mask &= ~(uint64_t)1;
    s->q_count--;
    return 1;
}

/* Take a free slot, growing the slot and free-list arrays together. Returns 0 with the slot in
 * '*slot', or -1 when out of memory. */
static int take_slot(sim *s, uint32_t *slot)
{
    if (s->nfree) {
        *slot = s->free_slots[--s->nfree];
        return 0;
    }
    if (s->nslots == s->cap) {
        if (s->nslots >= UINT32_MAX)
            return -1;
        size_t cap = s->cap, need = s->nslots + 1;
        if (rt_mem_grow(NULL, (void **)&s->slots, &cap, need, sizeof *s->slots) != 0)
            return -1;
        size_t cap2 = s->cap;
        if (rt_mem_grow(NULL, (void **)&s->free_slots, &cap2, cap, sizeof *s->free_slots) != 0)
            return -1;
        s->cap = cap;
    }
    *slot = (uint32_t)s->nslots++;
    return 0;
}

/* Draw the next customer and queue its arrival (its first purchase). Returns 0, or -1 when
 * out of memory. */
static int add_arrival(sim *s, arrivals *arr, uint64_t id)
{
    uint32_t slot;
    if (take_slot(s, &slot) != 0)
        return -1;
    cust *c = &s->slots[slot];
    customer_draw(s, id, c, NULL);
    double t = arrivals_next(arr);
    c->death += t; /* Pareto/NBD: from the first purchase to days since the start */
    return q_push(s, t, slot);
}

/* Stream the whole event log: pop the earliest (time, customer) from the queue, write the
 * purchase, queue the customer's next one. */
static rt_status write_log(sim *s, rt_error *err)
{
    static const char header[] = "customer_id,date,amount,channel,product";
    memcpy(s->buf, header, sizeof header - 1);
    s->len = sizeof header - 1;
    if (s->o.with_orders) {
        memcpy(s->buf + s->len, ",order_id", 9);
        s->len += 9;
    }
    s->buf[s->len++] = '\n';

    /* Only the next customer to arrive is queued: customer k + 1 is added once customer k has
     * made its first purchase, so the queue holds the active customers plus one. */
    arrivals arr;
    arrivals_init(&arr, s);
    uint64_t next_id = 1;
    if (add_arrival(s, &arr, next_id++) != 0)
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
    for (;;) {
        double t;
        uint32_t slot;
        int got = q_pop(s, &t, &slot);
        if (got == 0)
            break;
        if (got < 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
        cust *c = &s->slots[slot];
        int first = !c->repeat;
        if (purchase(s, c, &t)) {
            if (q_push(s, t, slot) != 0)
                return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
        } else {
            s->free_slots[s->nfree++] = slot;
        }
        if (first && next_id <= s->o.customers && add_arrival(s, &arr, next_id++) != 0)
            return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
        if (s->len > OUT_CAP - ROW_MAX) {
            int e = flush_out(s);
            if (e)
                return rt_fail_errno(err, e, "simulate: cannot write the event log");
        }
    }
    int e = flush_out(s);
    if (!e) {
        errno = 0;
        if (fflush(s->out) != 0 || ferror(s->out))
            e = write_errno();
    }
    if (e)
        return rt_fail_errno(err, e, "simulate: cannot write the event log");
    return RT_OK;
}

/* ---- truth and customer files ---- */

/* The truth file's two parameter columns for 'model'. */
static const char *truth_params(rt_model_kind model)
{
    switch (model) {
    case RT_MODEL_PNBD:
        return "lambda,mu";
    case RT_MODEL_BGBB:
        return "p,theta";
    default:
        return "lambda,p";
    }
}

/* Replay every customer's draws (they depend only on seed and number) and write the truth
 * and customer-attribute files, either of which may be NULL. */
static rt_status write_customers(sim *s, FILE *truth, FILE *cf, rt_error *err)
{
    errno = 0;
    if (truth && fprintf(truth, "customer_id,first_date,%s,dropout_date,alive,nu\n",
                         truth_params(s->o.model)) < 0)
        return rt_fail_errno(err, write_errno(), "simulate: cannot write the truth file");
    if (cf && fputs("customer_id,signup_date,tier,loyalty_member,satisfaction\n", cf) < 0)
        return rt_fail_errno(err, write_errno(), "simulate: cannot write the customer file");
    arrivals arr;
    arrivals_init(&arr, s);
    for (uint64_t id = 1; id <= s->o.customers; id++) {
        double t = arrivals_next(&arr);
        cust c;
        attrs at;
        customer_draw(s, id, &c, &at);
        char idbuf[24], first[16], other[16];
        format_id(s, id, idbuf);
        int64_t first_day = s->o.start_day + (int64_t)t;
        rt_date_format((int32_t)first_day, first);
        if (truth) {
            int32_t d = s->dropout[id - 1];
            other[0] = '\0';
            if (d >= 0)
                rt_date_format((int32_t)(s->o.start_day + d), other);
            if (fprintf(truth, "%s,%s,%.17g,%.17g,%s,%d,%.17g\n", idbuf, first, at.par[0],
                        at.par[1], other, d < 0, c.nu) < 0)
                return rt_fail_errno(err, write_errno(), "simulate: cannot write the truth file");
        }
        if (cf) {
            int64_t signup = first_day - at.signup_offset;
            if (signup < s->min_day) /* only for logs starting in January of year 1 */
                signup = s->min_day;
            rt_date_format((int32_t)signup, other);
            if (fprintf(cf, "%s,%s,%s,%d,%d\n", idbuf, other, tier_names[at.tier], at.loyal,
                        at.satisfaction) < 0)
                return rt_fail_errno(err, write_errno(),
                                     "simulate: cannot write the customer file");
        }
    }
    if (truth && (fflush(truth) != 0 || ferror(truth)))
        return rt_fail_errno(err, write_errno(), "simulate: cannot write the truth file");
    if (cf && (fflush(cf) != 0 || ferror(cf)))
        return rt_fail_errno(err, write_errno(), "simulate: cannot write the customer file");
    return RT_OK;
}

/* ---- entry point ---- */

rt_status rt_simulate(const rt_sim_options *opt, FILE *out, FILE *truth, FILE *customers_out,
                      rt_error *err)
{
    rt_error_clear(err);
    if (!out)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "simulate: the output file is NULL");
    sim s;
    memset(&s, 0, sizeof s);
    s.out = out;
    rt_status st = fill_options(&s, opt, err);
    if (st != RT_OK)
        return st;
    st = build_tables(&s, err);
    if (st != RT_OK)
        goto fail;
    if (truth) {
        s.dropout = rt_mem_array(NULL, s.o.customers, sizeof *s.dropout);
        if (!s.dropout) {
            st = rt_fail(err, RT_ENOMEM, NULL, 0, 0, "simulate: out of memory");
            goto fail;
        }
        memset(s.dropout, 0xff, s.o.customers * sizeof *s.dropout); /* all -1: alive */
    }
    st = write_log(&s, err);
    if (st == RT_OK && (truth || customers_out))
        st = write_customers(&s, truth, customers_out, err);
fail:
    rt_mem_free(NULL, s.dropout);
    rt_mem_free(NULL, s.free_slots);
    for (int b = 0; b < 64; b++)
        rt_mem_free(NULL, s.q[b].e);
    rt_mem_free(NULL, s.slots);
    rt_mem_free(NULL, s.buf);
    rt_mem_free(NULL, s.chan_len);
    rt_mem_free(NULL, s.chan_name);
    rt_mem_free(NULL, s.prod_cdf);
    rt_mem_free(NULL, s.chan_cdf);
    return st;
}
