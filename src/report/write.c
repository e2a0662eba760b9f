/* write.c - rt_result_write: pick the writer for a format, then check the stream. Writers
 * ignore stdio's return values; one ferror after a flush catches any failed write.
 * SPDX-License-Identifier: MIT */
#include "report/format.h"

#include "core/error.h"

#include <errno.h>

rt_status rt_result_write(const rt_result *r, FILE *f, rt_format fmt, rt_error *err)
{
    if (!r || !f)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_result_write: NULL %s",
                       !r ? "result" : "file");
    if (fmt != RT_FORMAT_TABLE && fmt != RT_FORMAT_CSV && fmt != RT_FORMAT_JSON)
        return rt_fail(err, RT_EMISUSE, NULL, 0, 0, "rt_result_write: unknown format %d", (int)fmt);
    /* A failing write leaves its errno; clear it so a stale one is not blamed. */
    errno = 0;
    rt_status st = RT_OK;
    switch (fmt) {
    case RT_FORMAT_TABLE:
        st = rt_report_write_table(r, f, err);
        break;
    case RT_FORMAT_CSV:
        st = rt_report_write_csv(r, f, err);
        break;
    case RT_FORMAT_JSON:
        rt_report_write_json(r, f);
        break;
    }
    if (st != RT_OK)
        return st;
    /* Flush so that errors of a buffered stream show now rather than at the caller's fclose. */
    int flushed = fflush(f);
    int e = errno;
    if (flushed != 0 || ferror(f))
        return rt_fail_errno(err, e ? e : EIO, "writing the %s result",
                             rt_result_kind(r)[0] ? rt_result_kind(r) : "analysis");
    return RT_OK;
}
