/* parallel.h - run one function on k = 0..n-1 in parallel threads (the caller's thread
 * takes k = 0). The loader and the analyses use it for their per-thread passes.
 * SPDX-License-Identifier: MIT */
#ifndef RT_PARALLEL_H
#define RT_PARALLEL_H

/* Call fn(arg, k) for k = 0..n-1, each in its own thread, and wait for all. If a thread
 * cannot be started its share runs in the caller's thread, so this never fails. */
void rt_parallel(int n, void (*fn)(void *arg, int k), void *arg);

/* Threads to use when the caller asked for 'want' (0 = one per online core), at most 64. */
int rt_thread_count(int want);

#endif
