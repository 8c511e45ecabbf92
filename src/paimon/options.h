/*
 * src/paimon/options.h
 *
 * An ordered string -> string map for table options, snapshot properties and
 * --*_conf arguments, with typed getters that parse Paimon's value syntax:
 * memory sizes ("256 mb", "64kb", "1gb", plain bytes) and durations ("1 h",
 * "30 s", "500 ms", "10min", "1d"; plain number = milliseconds).
 */
#ifndef PMN_PAIMON_OPTIONS_H
#define PMN_PAIMON_OPTIONS_H

#include "pmn/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_options {
    char **keys;   /* owned */
    char **values; /* owned */
    size_t n;
    size_t cap;
} pmn_options;

void pmn_options_init(pmn_options *o);
void pmn_options_dispose(pmn_options *o);
void pmn_options_copy(pmn_options *dst, const pmn_options *src);
/* pmn_options_get: value or NULL (borrowed). */
const char *pmn_options_get(const pmn_options *o, const char *key);
/* pmn_options_set: insert or replace (keeps insertion order of first set). */
void pmn_options_set(pmn_options *o, const char *key, const char *value);
bool pmn_options_remove(pmn_options *o, const char *key);
/* Typed getters: def if absent; PMN_EINVALID (message names key and value) if malformed. */
int pmn_options_get_int64(const pmn_options *o, const char *key, int64_t def, int64_t *out);
int pmn_options_get_bool(const pmn_options *o, const char *key, bool def, bool *out);
int pmn_options_get_memory(const pmn_options *o, const char *key, int64_t def_bytes,
                           int64_t *bytes);
int pmn_options_get_duration(const pmn_options *o, const char *key, int64_t def_ms, int64_t *ms);
/* pmn_parse_memory_size / pmn_parse_duration_ms: the parsers behind the getters. */
int pmn_parse_memory_size(const char *s, int64_t *bytes);
int pmn_parse_duration_ms(const char *s, int64_t *ms);

#endif
