/* source.c - input bytes through zlib's gz* reader, which passes plain files through
 * unchanged (reading large requests straight into the caller's buffer) and inflates gzip.
 * SPDX-License-Identifier: MIT */
#include "io/source.h"

#include "core/error.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct rt_source {
    const rt_allocator *alloc;
    gzFile gz;
    int fd;
    int is_stdin;
    const char *name; /* borrowed from the caller */
};

rt_status rt_source_open(const char *path, const char *name, const rt_allocator *a, rt_source **out,
                         rt_error *err)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rt_fail_errno(err, errno, "cannot open '%s'", name);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return rt_fail_errno(err, EISDIR, "cannot read '%s'", name);
    }
    rt_source *s = rt_mem_alloc(a, sizeof *s);
    if (!s) {
        close(fd);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    s->gz = gzdopen(fd, "rb");
    if (!s->gz) {
        close(fd);
        rt_mem_free(a, s);
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    }
    gzbuffer(s->gz, 1u << 17);
    s->alloc = a;
    s->fd = fd;
    s->is_stdin = is_stdin;
    s->name = name;
    *out = s;
    return RT_OK;
}

/* zlib's message without the "<fd:N>: " it puts in front. */
static const char *zmessage(const char *msg)
{
    const char *colon = msg && msg[0] == '<' ? strstr(msg, ">: ") : NULL;
    return colon ? colon + 3 : msg ? msg : "unknown error";
}

/* Turn zlib's error state into an rt_status (RT_OK when there is none). A gzip stream cut
 * short is bad input, as is corrupt data: nothing read from it may pass silently. */
static rt_status zstate(rt_source *s, rt_error *err)
{
    int zerr;
    const char *msg = gzerror(s->gz, &zerr);
    switch (zerr) {
    case Z_OK:
        return RT_OK;
    case Z_ERRNO:
        return rt_fail_errno(err, errno ? errno : EIO, "cannot read '%s'", s->name);
    case Z_MEM_ERROR:
        return rt_fail(err, RT_ENOMEM, NULL, 0, 0, "out of memory");
    case Z_BUF_ERROR:
        return rt_fail(err, RT_EPARSE, s->name, 0, 0, "truncated gzip data (%s)", zmessage(msg));
    default:
        return rt_fail(err, RT_EPARSE, s->name, 0, 0, "corrupt gzip data: %s", zmessage(msg));
    }
}

rt_status rt_source_read(rt_source *s, char *buf, size_t cap, size_t *got, rt_error *err)
{
    size_t total = 0;
    *got = 0;
    while (total < cap) {
        size_t want = cap - total;
        if (want > (size_t)INT_MAX / 2)
            want = (size_t)INT_MAX / 2;
        errno = 0;
        int n = gzread(s->gz, buf + total, (unsigned)want);
        rt_status st = zstate(s, err);
        if (st != RT_OK)
            return st;
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    *got = total;
    return RT_OK;
}

void rt_source_close(rt_source *s)
{
    if (!s)
        return;
    gzclose_r(s->gz); /* closes the fd (a dup for stdin) */
    rt_mem_free(s->alloc, s);
}
