/* source.h - the bytes of an input: a file, stdin ("-"), or gzip data (recognised by its
 * magic bytes, not its name), read in large blocks through zlib. First stage of the pipeline.
 * SPDX-License-Identifier: MIT */
#ifndef RT_SOURCE_H
#define RT_SOURCE_H

#include "retain.h"

typedef struct rt_source rt_source;

/* Open 'path' ("-" = stdin). 'name' is used in messages. On failure returns RT_EIO with the
 * system's reason; '*out' is NULL. */
rt_status rt_source_open(const char *path, const char *name, const rt_allocator *a, rt_source **out,
                         rt_error *err);

/* Read up to 'cap' bytes into 'buf'; '*got' = 0 means end of input. Errors: RT_EIO (read
 * failed), RT_EPARSE (corrupt gzip data). */
rt_status rt_source_read(rt_source *s, char *buf, size_t cap, size_t *got, rt_error *err);

/* Close the source (stdin is left open). NULL is a no-op. */
void rt_source_close(rt_source *s);

#endif
