/* guard.h - put a test input right against a PROT_NONE page, so that a parser reading one
 * byte past its end crashes (picohttpparser's trick). For the tokenizer and number tests.
 * SPDX-License-Identifier: MIT */
#ifndef RT_GUARD_H
#define RT_GUARD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARD_SPACE 65536 /* readable bytes before the guard page */

static char *guard_base;  /* GUARD_SPACE readable bytes, then one PROT_NONE page */
static size_t guard_page; /* page size */

/* Copy 'n' bytes of 'text' so that the last is the last readable byte before the guard page;
 * returns the copy. The bytes before the copy are filled with 'Z' so that a read before the
 * start would not find a quote, a digit or a line end by chance. */
static char *at_guard(const char *text, size_t n)
{
    if (!guard_base) {
        guard_page = (size_t)sysconf(_SC_PAGESIZE);
        void *p = mmap(NULL, GUARD_SPACE + guard_page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || mprotect((char *)p + GUARD_SPACE, guard_page, PROT_NONE) != 0) {
            perror("guard page");
            exit(2);
        }
        guard_base = p;
    }
    if (n > GUARD_SPACE) {
        fprintf(stderr, "test input too long for the guard buffer\n");
        exit(2);
    }
    memset(guard_base, 'Z', GUARD_SPACE - n);
    char *dst = guard_base + GUARD_SPACE - n;
    memcpy(dst, text, n);
    return dst;
}

/* Unmap the guard buffer (at the end of a test program). */
static void guard_release(void)
{
    if (guard_base)
        munmap(guard_base, GUARD_SPACE + guard_page);
    guard_base = NULL;
}

#endif
