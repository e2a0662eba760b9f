/* dict.h - string interning for the loader: a dictionary split into shards by hash, so that
 * each loader thread owns one shard and no locks are needed. Codes pack (local index, shard);
 * the loader renumbers them in order of first appearance in the input and rt_dict_finish
 * lays the strings out in that order, so final codes never depend on the thread count.
 * SPDX-License-Identifier: MIT */
#ifndef RT_DICT_H
#define RT_DICT_H

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

#define RT_DICT_MAX_SHARDS 64

typedef struct rt_dict_shard {
    uint64_t *slots; /* (hash >> 32) << 32 | (arena offset / 8 + 1); 0 = empty */
    size_t mask;     /* slots - 1 (a power of two) */
    size_t n;        /* entries */
    char *arena; /* records: u32 length, u32 local index, u32 first row, bytes, NUL; 8-aligned */
    size_t arena_len, arena_cap;
} rt_dict_shard;

typedef struct rt_dict {
    const rt_allocator *alloc;
    int nshards;
    rt_dict_shard shard[RT_DICT_MAX_SHARDS];
} rt_dict;

/* The final form: strings numbered 0..n-1, each NUL-terminated at data + off[i]. */
typedef struct rt_strtab {
    char *data;
    uint32_t *off; /* n + 1 entries; the length of i is off[i+1] - off[i] - 1 (< 4 GiB) */
    size_t n;
} rt_strtab;

uint64_t rt_hash(const char *p, size_t len);

/* The shard that owns strings with hash 'h'. */
static inline int rt_dict_shard_of(const rt_dict *d, uint64_t h)
{
    return (int)(((h >> 32) * (uint64_t)d->nshards) >> 32);
}

/* Prepare an empty dictionary with 'nshards' shards (1..RT_DICT_MAX_SHARDS). No allocation. */
void rt_dict_init(rt_dict *d, int nshards, const rt_allocator *a);
void rt_dict_release(rt_dict *d);

/* Find or add the string in shard 's' (which must be rt_dict_shard_of(h)); 'row' is the input
 * row, kept for a new entry: each shard must see its new strings in increasing row order
 * (rt_dict_number relies on it). '*code' receives
 * the packed code local_index * nshards + s. Returns 0, or -1 on allocation failure or when
 * the codes no longer fit in 32 bits. */
int rt_dict_intern(rt_dict *d, int s, uint64_t h, const char *p, size_t len, uint32_t row,
                   uint32_t *code);

/* Look a string up without adding it (safe while other threads only look up too). Returns
 * 1 with '*code' set when found, else 0. */
int rt_dict_find(const rt_dict *d, uint64_t h, const char *p, size_t len, uint32_t *code);

/* Number of strings in all shards. */
size_t rt_dict_size(const rt_dict *d);

/* Hints that the string with hash 'h' will be looked up in shard 's' soon: first fetch its
 * slot, a little later (the slot now cached) the entry of the first slot with its tag (at a
 * load of 3/4 the string is often a few slots along). Inline: they run once per row. */
static inline void rt_dict_prefetch(const rt_dict *d, int s, uint64_t h)
{
    const rt_dict_shard *sh = &d->shard[s];
    if (sh->slots)
        __builtin_prefetch(&sh->slots[(size_t)h & sh->mask]);
}

static inline void rt_dict_prefetch_entry(const rt_dict *d, int s, uint64_t h)
{
    const rt_dict_shard *sh = &d->shard[s];
    if (!sh->slots)
        return;
    uint64_t tag = h >> 32 << 32, slot;
    for (size_t i = (size_t)h & sh->mask; (slot = sh->slots[i]) != 0; i = (i + 1) & sh->mask)
        if ((slot & 0xffffffff00000000ULL) == tag) {
            __builtin_prefetch(sh->arena + (((slot & 0xffffffffu) - 1) << 3));
            return;
        }
}

/* Free the hash index (no more lookups or inserts); the strings stay for rt_dict_finish. */
void rt_dict_drop_index(rt_dict *d);

/* Size of the packed code space: every packed code is below this. */
size_t rt_dict_code_space(const rt_dict *d);

/* Number the strings by first appearance: 'map' (rt_dict_code_space entries) receives
 * packed code -> number, UINT32_MAX for unused codes. Returns the number of strings. */
size_t rt_dict_number(const rt_dict *d, uint32_t *map);

/* Lay the strings out in 'out' as numbered by 'map' (packed code -> final number below 'n';
 * entries >= n are left out). The dictionary is left intact. Returns 0, or -1 on allocation
 * failure or when the strings need 4 GiB or more. */
int rt_dict_finish(const rt_dict *d, const uint32_t *map, size_t n, rt_strtab *out);

void rt_strtab_release(rt_strtab *t, const rt_allocator *a);

#endif
