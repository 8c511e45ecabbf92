/*
 * src/sql/lookup.h
 *
 * An in-memory copy of a table's rows at one snapshot, hashed by primary key,
 * built by a single scan. The virtual table switches to it when a statement
 * looks keys up many times (a join on the key with a large outer side), so the
 * join costs one scan instead of one lake lookup per outer row — SQLite has no
 * hash join, and builds no automatic index over a virtual table.
 */
#ifndef PMN_SQL_LOOKUP_H
#define PMN_SQL_LOOKUP_H

#include "pmn/table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_lookup pmn_lookup;

/* pmn_lookup_build: scan t at `opts`' snapshot (its projection and filters are ignored),
 * keeping the fields with cols[i] true plus the primary key. Gives up with PMN_EINVALID when
 * the copy would exceed max_bytes. Caller frees *out with pmn_lookup_free. */
/* Rows keep only the fields asked for, nkept datums each, so a two-column copy of a
 * 10,000,000-row table takes ~0.7 GB. */
int pmn_lookup_build(pmn_table *t, const pmn_scan_options *opts, const bool *cols, size_t max_bytes,
                     pmn_lookup **out);
/* pmn_lookup_covers: true if every field with cols[i] true was kept. */
bool pmn_lookup_covers(const pmn_lookup *l, const bool *cols, int ncols);
/* pmn_lookup_find: whether a row's primary key equals key[0..nkeys) (in the table's key
 * order); if so out (a datum per field) receives it, fields not kept NULL, values borrowed
 * from l. */
bool pmn_lookup_find(const pmn_lookup *l, const pmn_datum *key, pmn_datum *out);
/* pmn_lookup_rows: rows held. */
size_t pmn_lookup_rows(const pmn_lookup *l);
void pmn_lookup_free(pmn_lookup *l);

#endif
