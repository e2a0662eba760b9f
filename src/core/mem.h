/* mem.h - allocation through the optional rt_allocator hook, and checked growable arrays.
 * Every allocation in the library goes through here so tests can fail the k-th one.
 * SPDX-License-Identifier: MIT */
#ifndef RT_MEM_H
#define RT_MEM_H

#include "retain.h"

#include <stddef.h>

/* 'a' may be NULL (malloc). rt_mem_alloc returns NULL on failure or when n == 0 is asked as
 * an overflowing product; rt_mem_array checks 'n * size' for overflow. */
void *rt_mem_alloc(const rt_allocator *a, size_t n);
void *rt_mem_calloc(const rt_allocator *a, size_t n, size_t size);
void *rt_mem_array(const rt_allocator *a, size_t n, size_t size);
void *rt_mem_resize(const rt_allocator *a, void *p, size_t n);
void rt_mem_free(const rt_allocator *a, void *p);
char *rt_mem_strdup(const rt_allocator *a, const char *s);

/* Grow '*p' (an array of 'size'-byte items with capacity '*cap') to hold at least 'need'
 * items, doubling. Returns 0, or -1 on overflow or allocation failure ('*p' unchanged). */
int rt_mem_grow(const rt_allocator *a, void **p, size_t *cap, size_t need, size_t size);

#endif
