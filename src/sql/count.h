/*
 * src/sql/count.h
 *
 * COUNT(*) of a table from its manifests, without reading data files, when
 * the metadata proves the answer. An append table's rows are its files' row
 * counts. A primary-key table's merged rows equal its files' row counts only
 * if no key is in two files and no file holds a retraction: in every
 * (partition, bucket) the files' [min_key, max_key] ranges must not overlap
 * and every file must record deleteRowCount = 0 (paimon-format.md §4, Java
 * Paimon counts -U and -D there). Level-0 files just written by a sync
 * usually overlap, so this holds mostly after a full compaction; otherwise
 * the caller scans.
 */
#ifndef PMN_SQL_COUNT_H
#define PMN_SQL_COUNT_H

#include "pmn/table.h"

#include <stdbool.h>
#include <stdint.h>

/* pmn_sql_count_from_metadata: *exact = true and *count = the rows a full scan of t at the
 * snapshot opts picks would return, or *exact = false when the metadata cannot prove it (then
 * scan). Errors as pmn_scan_open's. */
int pmn_sql_count_from_metadata(pmn_table *t, const pmn_scan_options *opts, int64_t *count,
                                bool *exact);

/* The hidden column of every lake table's virtual table that holds its row count: a scan
 * using only it (and no constraint) yields one row, the count (sql/vtab.c). */
#define PMN_SQL_COUNT_COLUMN "__pmn_row_count"

/* pmn_sql_count_rewrite: for a rewritten statement (sql/rewrite.h) that is exactly
 * `SELECT COUNT(*) [AS alias] FROM "<lake table>" [AS "a"]`, the same statement reading the
 * count column instead (one row from the virtual table, not one per table row through SQLite's
 * aggregate loop); NULL for anything else. Caller frees. */
struct pmn_sql_rewrite;
char *pmn_sql_count_rewrite(const struct pmn_sql_rewrite *rw);

#endif
