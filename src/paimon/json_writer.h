/*
 * src/paimon/json_writer.h
 *
 * A streaming JSON writer that reproduces Jackson's DefaultPrettyPrinter, the
 * layout Java Paimon uses for schema, snapshot and tag files
 * (JsonSerdeUtil.toJson, paimon-format.md §2): objects open with "{", one
 * entry per line indented by two spaces per open object, "key" : value,
 * empty objects "{ }"; arrays stay on the line as "[ a, b ]" or "[ ]", so an
 * array of objects prints "[ {" ... "}, {" ... "} ]". No trailing newline.
 * Strings are escaped as Jackson does (\" \\ \b \t \n \f \r, other control
 * characters as \u00XX with upper-case hex, everything else raw UTF-8).
 */
#ifndef PMN_PAIMON_JSON_WRITER_H
#define PMN_PAIMON_JSON_WRITER_H

#include "util/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_jw {
    pmn_buf *out; /* borrowed */
    int nesting;  /* open objects (arrays do not indent) */
    size_t depth; /* open containers */
    size_t cap;
    bool *is_object; /* per open container */
    size_t *count;   /* entries written so far per open container */
} pmn_jw;

/* pmn_jw_init: write into out (appends). Dispose with pmn_jw_dispose. */
void pmn_jw_init(pmn_jw *w, pmn_buf *out);
/* pmn_jw_dispose: free the writer's stack; the output buffer stays with the caller. */
void pmn_jw_dispose(pmn_jw *w);
/* pmn_jw_begin_object .. pmn_jw_end_array: open/close containers; calls must nest properly
 * (the writer trusts its caller: it formats our own models, never untrusted input). */
void pmn_jw_begin_object(pmn_jw *w);
void pmn_jw_end_object(pmn_jw *w);
void pmn_jw_begin_array(pmn_jw *w);
void pmn_jw_end_array(pmn_jw *w);
/* pmn_jw_key: the next object entry's name; a value call must follow. */
void pmn_jw_key(pmn_jw *w, const char *key);
/* pmn_jw_string .. pmn_jw_null: scalar values (strings are NUL-terminated UTF-8). */
void pmn_jw_string(pmn_jw *w, const char *s);
void pmn_jw_int(pmn_jw *w, int64_t v);
void pmn_jw_bool(pmn_jw *w, bool v);
void pmn_jw_null(pmn_jw *w);
/* pmn_jw_raw: a value whose JSON text the caller guarantees to be valid. */
void pmn_jw_raw(pmn_jw *w, const char *json_text);
/* pmn_jw_json: any jansson value, objects in their insertion order. */
void pmn_jw_json(pmn_jw *w, const json_t *v);

/* pmn_json_pretty: a jansson value as Jackson would pretty-print it. Caller frees. */
char *pmn_json_pretty(const json_t *v);

#endif
