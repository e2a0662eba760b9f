/* parallel.c - a fork-join helper over pthreads; no pool, since the loader calls it a few
 * dozen times per load and thread start-up is microseconds.
 * SPDX-License-Identifier: MIT */
#include "core/parallel.h"

#include <pthread.h>
#include <unistd.h>

typedef struct job {
    void (*fn)(void *arg, int k);
    void *arg;
    int k;
} job;

static void *trampoline(void *p)
{
    job *j = p;
    j->fn(j->arg, j->k);
    return NULL;
}

void rt_parallel(int n, void (*fn)(void *arg, int k), void *arg)
{
    pthread_t tid[64];
    job jobs[64];
    int started[64] = {0};
    if (n > 64)
        n = 64;
    for (int k = 1; k < n; k++) {
        jobs[k] = (job){fn, arg, k};
        started[k] = pthread_create(&tid[k], NULL, trampoline, &jobs[k]) == 0;
    }
    fn(arg, 0);
    for (int k = 1; k < n; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            fn(arg, k);
    }
}

int rt_thread_count(int want)
{
    if (want <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        want = c > 0 ? (int)c : 1;
    }
    return want > 64 ? 64 : want;
}
