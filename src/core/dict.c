/* dict.c - sharded open-addressing string dictionary (linear probing). A slot holds the high
 * half of the hash and the entry's arena offset, so a lookup touches the slot and then the
 * entry's record, which holds the bytes: two cache misses at most, prefetchable.
 * SPDX-License-Identifier: MIT */
#include "core/dict.h"

#include "core/mem.h"

#include <string.h>

#define REC_HEAD 12 /* u32 length, u32 local index, u32 row of first appearance */

uint64_t rt_hash(const char *p, size_t len)
{
    const uint64_t m = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0x243f6a8885a308d3ULL ^ ((uint64_t)len * m);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(unsigned char)p[i] << (8 * i);
    h = (h ^ w) * m;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

void rt_dict_init(rt_dict *d, int nshards, const rt_allocator *a)
{
    memset(d, 0, sizeof *d);
    d->alloc = a;
    d->nshards = nshards;
}

void rt_dict_release(rt_dict *d)
{
    for (int s = 0; s < d->nshards; s++) {
        rt_mem_free(d->alloc, d->shard[s].slots);
        rt_mem_free(d->alloc, d->shard[s].arena);
    }
    memset(d->shard, 0, sizeof d->shard);
}

static const char *rec_at(const rt_dict_shard *sh, uint64_t slot)
{
    return sh->arena + (((slot & 0xffffffffu) - 1) << 3);
}

static uint32_t rec_len(const char *rec)
{
    uint32_t len;
    memcpy(&len, rec, 4);
    return len;
}

/* Double the slot array of 'sh' and reinsert every entry. Hashes are recomputed from the
 * stored bytes (which keeps records small); the entries are taken in batches so the slots
 * they go to can be prefetched, since these writes land at random in a large array. */
static int grow_slots(const rt_dict *d, rt_dict_shard *sh)
{
    size_t ncap = sh->slots ? (sh->mask + 1) * 2 : 1024;
    uint64_t *ns = rt_mem_calloc(d->alloc, ncap, sizeof *ns);
    if (!ns)
        return -1;
    size_t nmask = ncap - 1;
    uint64_t hb[32], ob[32];
    for (size_t off = 0; off < sh->arena_len;) {
        int nb = 0;
        for (; nb < 32 && off < sh->arena_len; nb++) {
            const char *rec = sh->arena + off;
            uint32_t len = rec_len(rec);
            hb[nb] = rt_hash(rec + REC_HEAD, len);
            ob[nb] = off;
            __builtin_prefetch(&ns[(size_t)hb[nb] & nmask], 1);
            off += (REC_HEAD + len + 1 + 7) & ~(size_t)7;
        }
        for (int b = 0; b < nb; b++) {
            size_t i = (size_t)hb[b] & nmask;
            while (ns[i])
                i = (i + 1) & nmask;
            ns[i] = (hb[b] >> 32 << 32) | ((ob[b] >> 3) + 1);
        }
    }
    rt_mem_free(d->alloc, sh->slots);
    sh->slots = ns;
    sh->mask = nmask;
    return 0;
}

/* Equal bytes? An inline loop: the strings are short and a memcmp call costs more. */
static int same_bytes(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return 0;
    }
    for (; n; a++, b++, n--)
        if (*a != *b)
            return 0;
    return 1;
}

/* Pack shard 's' and local index 'local' into a code, or fail when it does not fit. */
static int pack(const rt_dict *d, int s, uint64_t local, uint32_t *code)
{
    uint64_t c = local * (uint64_t)d->nshards + (uint64_t)s;
    if (c >= UINT32_MAX)
        return -1;
    *code = (uint32_t)c;
    return 0;
}

/* Look 'p' up in shard 'sh'; returns its local index or -1. */
static int64_t find(const rt_dict_shard *sh, uint64_t h, const char *p, size_t len)
{
    if (!sh->slots)
        return -1;
    uint64_t tag = h >> 32 << 32;
    size_t i = (size_t)h & sh->mask;
    for (uint64_t slot; (slot = sh->slots[i]) != 0; i = (i + 1) & sh->mask) {
        if ((slot & 0xffffffff00000000ULL) != tag)
            continue;
        const char *rec = rec_at(sh, slot);
        if (rec_len(rec) == len && same_bytes(rec + REC_HEAD, p, len)) {
            uint32_t local;
            memcpy(&local, rec + 4, 4);
            return local;
        }
    }
    return -1;
}

int rt_dict_find(const rt_dict *d, uint64_t h, const char *p, size_t len, uint32_t *code)
{
    int s = rt_dict_shard_of(d, h);
    int64_t local = find(&d->shard[s], h, p, len);
    return local >= 0 && pack(d, s, (uint64_t)local, code) == 0;
}

size_t rt_dict_size(const rt_dict *d)
{
    size_t n = 0;
    for (int s = 0; s < d->nshards; s++)
        n += d->shard[s].n;
    return n;
}

int rt_dict_intern(rt_dict *d, int s, uint64_t h, const char *p, size_t len, uint32_t row,
                   uint32_t *code)
{
    rt_dict_shard *sh = &d->shard[s];
    int64_t found = find(sh, h, p, len);
    if (found >= 0)
        return pack(d, s, (uint64_t)found, code);
    uint64_t tag = h >> 32 << 32;
    /* A new entry: keep the load factor at most 3/4. */
    if (len > UINT32_MAX - 64 || pack(d, s, sh->n, code) != 0)
        return -1;
    if ((sh->n + 1) * 4 > (sh->slots ? sh->mask + 1 : 0) * 3 && grow_slots(d, sh) != 0)
        return -1;
    size_t need = (REC_HEAD + len + 1 + 7) & ~(size_t)7;
    if ((sh->arena_len + need) >> 3 >= 0xffffffffu)
        return -1;
    if (rt_mem_grow(d->alloc, (void **)&sh->arena, &sh->arena_cap, sh->arena_len + need, 1))
        return -1;
    char *rec = sh->arena + sh->arena_len;
    uint32_t len32 = (uint32_t)len, local = (uint32_t)sh->n;
    memcpy(rec, &len32, 4);
    memcpy(rec + 4, &local, 4);
    memcpy(rec + 8, &row, 4);
    memcpy(rec + REC_HEAD, p, len);
    memset(rec + REC_HEAD + len, 0, need - REC_HEAD - len);
    size_t i = (size_t)h & sh->mask;
    while (sh->slots[i])
        i = (i + 1) & sh->mask;
    sh->slots[i] = tag | ((sh->arena_len >> 3) + 1);
    sh->arena_len += need;
    sh->n++;
    return 0;
}

void rt_dict_drop_index(rt_dict *d)
{
    for (int s = 0; s < d->nshards; s++) {
        rt_mem_free(d->alloc, d->shard[s].slots);
        d->shard[s].slots = NULL;
    }
}

size_t rt_dict_code_space(const rt_dict *d)
{
    size_t most = 0;
    for (int s = 0; s < d->nshards; s++)
        if (d->shard[s].n > most)
            most = d->shard[s].n;
    return most * (size_t)d->nshards;
}

static size_t rec_size(const char *rec)
{
    return (REC_HEAD + rec_len(rec) + 1 + 7) & ~(size_t)7;
}

size_t rt_dict_number(const rt_dict *d, uint32_t *map)
{
    size_t space = rt_dict_code_space(d), n = rt_dict_size(d);
    for (size_t i = 0; i < space; i++)
        map[i] = UINT32_MAX;
    /* Within a shard entries were added in row order: merge the shards by first row. */
    size_t pos[RT_DICT_MAX_SHARDS] = {0};
    for (size_t k = 0; k < n; k++) {
        int best = -1;
        uint32_t best_row = 0;
        for (int s = 0; s < d->nshards; s++) {
            const rt_dict_shard *sh = &d->shard[s];
            if (pos[s] >= sh->arena_len)
                continue;
            uint32_t row;
            memcpy(&row, sh->arena + pos[s] + 8, 4);
            if (best < 0 || row < best_row) {
                best = s;
                best_row = row;
            }
        }
        const char *rec = d->shard[best].arena + pos[best];
        uint32_t local;
        memcpy(&local, rec + 4, 4);
        map[(size_t)local * (size_t)d->nshards + (size_t)best] = (uint32_t)k;
        pos[best] += rec_size(rec);
    }
    return n;
}

/* The number 'map' gives the entry 'rec' of shard 's'. */
static uint32_t final_number(const rt_dict *d, const uint32_t *map, int s, const char *rec)
{
    uint32_t local;
    memcpy(&local, rec + 4, 4);
    return map[(size_t)local * (size_t)d->nshards + (size_t)s];
}

int rt_dict_finish(const rt_dict *d, const uint32_t *map, size_t n, rt_strtab *out)
{
    memset(out, 0, sizeof *out);
    out->off = rt_mem_calloc(d->alloc, n + 1, sizeof *out->off);
    if (!out->off)
        return -1;
    /* First the length of each final string (stored shifted by one), then offsets. */
    for (int s = 0; s < d->nshards; s++) {
        const rt_dict_shard *sh = &d->shard[s];
        for (size_t pos = 0; pos < sh->arena_len; pos += rec_size(sh->arena + pos)) {
            uint32_t k = final_number(d, map, s, sh->arena + pos);
            if (k < n)
                out->off[k + 1] = rec_len(sh->arena + pos) + 1;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (out->off[k + 1] > UINT32_MAX - out->off[k]) { /* 4 GiB of strings in one field */
            rt_strtab_release(out, d->alloc);
            return -1;
        }
        out->off[k + 1] += out->off[k];
    }
    out->data = rt_mem_alloc(d->alloc, out->off[n] + 1);
    if (!out->data) {
        rt_strtab_release(out, d->alloc);
        return -1;
    }
    out->data[out->off[n]] = '\0';
    for (int s = 0; s < d->nshards; s++) {
        const rt_dict_shard *sh = &d->shard[s];
        for (size_t pos = 0; pos < sh->arena_len; pos += rec_size(sh->arena + pos)) {
            const char *rec = sh->arena + pos;
            uint32_t k = final_number(d, map, s, rec);
            if (k < n)
                memcpy(out->data + out->off[k], rec + REC_HEAD, (size_t)rec_len(rec) + 1);
        }
    }
    out->n = n;
    return 0;
}

void rt_strtab_release(rt_strtab *t, const rt_allocator *a)
{
    rt_mem_free(a, t->data);
    rt_mem_free(a, t->off);
    memset(t, 0, sizeof *t);
}
