/* json.h - a small strict JSON reader (RFC 8259) for the files the library reads back, such as
 * a saved model (rt_model_load). The whole text becomes a tree of rt_json nodes in one arena;
 * errors point at the byte: "name:line:col: what". Internal: not installed.
 * SPDX-License-Identifier: MIT */
#ifndef RT_JSON_H
#define RT_JSON_H

#include "retain.h"

#include <stddef.h>

/* Containers may nest this deep (the root counts as depth 1); deeper input is an error, so
 * the recursive-descent parser's stack stays bounded. */
#define RT_JSON_MAX_DEPTH 64

typedef enum {
    RT_JSON_NULL = 0,
    RT_JSON_FALSE,
    RT_JSON_TRUE,
    RT_JSON_NUMBER,
    RT_JSON_STRING,
    RT_JSON_ARRAY,
    RT_JSON_OBJECT
} rt_json_type;

/* One value. Everything it points to lives in its document (borrowed, valid until
 * rt_json_free). */
typedef struct rt_json {
    rt_json_type type;
    long line, column;           /* where the value starts: 1-based line, byte column */
    const char *key;             /* member name inside an object (unescaped, NUL-terminated), or
                                    NULL for array items and the root */
    size_t key_len;              /* its length in bytes (a "\u0000" escape can put a NUL in it) */
    double num;                  /* RT_JSON_NUMBER: the correctly rounded value */
    const char *str;             /* RT_JSON_STRING: unescaped UTF-8, NUL-terminated */
    size_t len;                  /* its length in bytes */
    const struct rt_json *items; /* RT_JSON_ARRAY, RT_JSON_OBJECT: 'n' values in input order */
    size_t n;
} rt_json;

typedef struct rt_json_doc rt_json_doc;

/* Parse 'len' bytes of 'text' (need not be NUL-terminated) as one JSON value, optionally
 * preceded by a UTF-8 byte order mark, with only whitespace around it. Strict: no comments,
 * trailing commas, single quotes, NaN or leading zeros; strings must be valid UTF-8 without
 * raw control characters, and \u escapes must pair surrogates; a number outside the double
 * range is an error (one that underflows becomes its correctly rounded denormal or zero); an
 * object may not repeat a key. 'name' names the input in messages (NULL = "<json>");
 * allocation goes through 'a' (NULL = malloc). On success '*out' owns the tree (rt_json_free).
 * Errors: RT_EPARSE ("name:line:col: what", line and column in 'err'), RT_ENOMEM, RT_EMISUSE
 * (NULL 'text' with len > 0, or NULL 'out'). '*out' is NULL on failure. */
rt_status rt_json_parse(const char *text, size_t len, const char *name, const rt_allocator *a,
                        rt_json_doc **out, rt_error *err);

/* Read the file 'path' ("-" = stdin) and parse it as rt_json_parse does; 'name' as there
 * (NULL = the path, "<stdin>" for "-"). Errors: those of rt_json_parse, and RT_EIO when the
 * file cannot be opened or read ("cannot open 'path': reason"). */
rt_status rt_json_read(const char *path, const char *name, const rt_allocator *a, rt_json_doc **out,
                       rt_error *err);

/* The root value (never NULL for a document from the calls above). */
const rt_json *rt_json_root(const rt_json_doc *d);

/* The name the document uses in messages. */
const char *rt_json_name(const rt_json_doc *d);

/* Release the document and every node and string in it. NULL is a no-op. */
void rt_json_free(rt_json_doc *d);

/* The member of object 'obj' whose key is 'key' (compared byte for byte), or NULL when 'obj'
 * is NULL, not an object, or has no such member. */
const rt_json *rt_json_get(const rt_json *obj, const char *key);

/* A short name for a type, for messages: "null", "false", "true", "number", "string",
 * "array", "object". */
const char *rt_json_type_name(rt_json_type t);

#endif
