/* rng.h - seeded random numbers for the simulator: xoshiro256** seeded through splitmix64,
 * with uniform, exponential, normal, gamma, beta and discrete draws.
 * There is no global state: every stream is an rt_rng value owned by its caller, and
 * rt_rng_seed derives independent streams from (seed, stream number).
 * SPDX-License-Identifier: MIT */
#ifndef RT_RNG_H
#define RT_RNG_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** state (Blackman & Vigna 2018). Never all zero once seeded. */
typedef struct rt_rng {
    uint64_t s[4];
} rt_rng;

/* Seed 'g' as stream 'stream' of 'seed': both are mixed through splitmix64, so nearby seeds
 * and stream numbers give unrelated sequences. */
void rt_rng_seed(rt_rng *g, uint64_t seed, uint64_t stream);

static inline uint64_t rt_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t rt_rng_next(rt_rng *g)
{
    uint64_t *s = g->s;
    uint64_t out = rt_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rt_rng_rotl(s[3], 45);
    return out;
}

/* Uniform on the open interval (0, 1): the top 53 bits plus one half, so never 0 or 1 and
 * safe to pass to log(). */
static inline double rt_rng_uniform(rt_rng *g)
{
    return ((double)(rt_rng_next(g) >> 11) + 0.5) * 0x1.0p-53;
}

/* Uniform integer in 0 .. n-1 ('n' >= 1), by a 32x32-bit multiply (Lemire); the bias is at
 * most n / 2^32, far below anything the simulator can see. */
static inline uint32_t rt_rng_below(rt_rng *g, uint32_t n)
{
    return (uint32_t)(((rt_rng_next(g) >> 32) * (uint64_t)n) >> 32);
}

/* Exponential with rate 1. */
double rt_rng_exp(rt_rng *g);

/* Standard normal, by the ziggurat method (constant tables, no hidden state). */
double rt_rng_normal(rt_rng *g);

/* Gamma with shape 'shape' (> 0) and scale 1: Marsaglia & Tsang (2000); for shape < 1 the
 * boosting identity Gamma(a) = Gamma(a + 1) * U^(1/a). A tiny shape can underflow to 0. */
double rt_rng_gamma(rt_rng *g, double shape);

/* The logarithm of a Gamma('shape', 1) draw, computed in log space so that it stays finite
 * for shapes far below 1 where the draw itself underflows. */
double rt_rng_log_gamma(rt_rng *g, double shape);

/* Beta('a', 'b') as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b); computed from the logs when
 * a shape is below 1, so the result is never NaN (it may be exactly 0 or 1). */
double rt_rng_beta(rt_rng *g, double a, double b);

/* An index in 0 .. n-1 drawn with probability proportional to its weight, given the
 * cumulative weights 'cdf' (nondecreasing, cdf[n-1] > 0, 'n' >= 1); binary search. */
size_t rt_rng_discrete(rt_rng *g, const double *cdf, size_t n);

#endif
