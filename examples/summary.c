/* summary.c - the smallest useful retain program: load an event log, summarise it, print JSON.
 * Uses only include/retain.h. Build: cc summary.c $(pkg-config --cflags --libs retain)
 * Usage: summary FILE   (FILE may be "-" for stdin, or gzip-compressed)
 * SPDX-License-Identifier: MIT */
#include <retain.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    rt_error err = {0};
    rt_events *ev = NULL;
    rt_result *res = NULL;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 1;
    }
    if (rt_events_read(argv[1], NULL, &ev, &err) != RT_OK)
        goto fail;
    if (rt_summary_run(ev, NULL, &res, &err) != RT_OK)
        goto fail;
    if (rt_result_write(res, stdout, RT_FORMAT_JSON, &err) != RT_OK)
        goto fail;
    rc = 0;
fail:
    if (rc != 0)
        fprintf(stderr, "summary: %s\n", err.msg);
    rt_result_free(res);
    rt_events_free(ev);
    return rc;
}
