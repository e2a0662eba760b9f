/* mem.c - allocation hooks and the checked grow helper.
 * SPDX-License-Identifier: MIT */
#include "core/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *rt_mem_alloc(const rt_allocator *a, size_t n)
{
    if (n == 0)
        n = 1;
    return a ? a->alloc(a->ud, n) : malloc(n);
}

void *rt_mem_array(const rt_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return rt_mem_alloc(a, n * size);
}

void *rt_mem_calloc(const rt_allocator *a, size_t n, size_t size)
{
    void *p = rt_mem_array(a, n, size);
    size_t bytes = n * size;
    if (p)
        memset(p, 0, bytes > 0 ? bytes : 1);
    return p;
}

void *rt_mem_resize(const rt_allocator *a, void *p, size_t n)
{
    if (n == 0)
        n = 1;
    return a ? a->resize(a->ud, p, n) : realloc(p, n);
}

void rt_mem_free(const rt_allocator *a, void *p)
{
    if (!p)
        return;
    if (a)
        a->release(a->ud, p);
    else
        free(p);
}

char *rt_mem_strdup(const rt_allocator *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = rt_mem_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int rt_mem_grow(const rt_allocator *a, void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return -1;
        n *= 2;
    }
    if (size && n > SIZE_MAX / size)
        return -1;
    void *q = rt_mem_resize(a, *p, n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}
