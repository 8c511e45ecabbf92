/*
 * src/table/dv.h
 *
 * The deletion vectors of one snapshot (paimon-format.md §4.8): the
 * DELETION_VECTORS entries of its index manifest, looked up by data file and
 * decoded on first use. Used by the batch scan (scan.c) and the checker.
 */
#ifndef PMN_TABLE_DV_H
#define PMN_TABLE_DV_H

#include "paimon/index_manifest.h"
#include "paimon/roaring.h"
#include "table/table_internal.h"

typedef struct pmn_dv_index pmn_dv_index;

/* pmn_table_dv_enabled: option deletion-vectors.enabled is true. */
bool pmn_table_dv_enabled(const pmn_table *t);
/* pmn_table_dv_refuse_write: 0, or PMN_EINVALID naming the table when deletion vectors are
 * enabled: pgpaimon does not maintain them, and Java does not read the level-0 files our
 * writer produces in such a table, so every write path (writer, commit, compaction) calls
 * this first. */
int pmn_table_dv_refuse_write(const pmn_table *t);

/* pmn_dv_index_open: read snapshot snap's index manifest (none: an empty index). The live set
 * is the ADD entries minus those a DELETE entry names. PMN_ECORRUPT when one data file of a
 * partition has two vectors. Errors name the table and the file. Free with pmn_dv_index_free. */
int pmn_dv_index_open(pmn_table *t, const pmn_snapshot *snap, pmn_dv_index **out);
/* pmn_dv_index_free: release x and every vector it decoded (NULL is fine). */
void pmn_dv_index_free(pmn_dv_index *x);

/* pmn_dv_index_get: the deletion vector of data file `data_file` in `partition` (NULL if it has
 * none), owned by x. Reads and checks (CRC32) the index file on first use; errors name the
 * table, the index file and the data file. */
int pmn_dv_index_get(pmn_dv_index *x, pmn_bytes partition, const char *data_file,
                     const pmn_roaring **dv);

/* pmn_dv_index_count: number of vectors; pmn_dv_index_at: vector i's range and index entry (for
 * the checker). */
size_t pmn_dv_index_count(const pmn_dv_index *x);
void pmn_dv_index_at(const pmn_dv_index *x, size_t i, const pmn_index_entry **entry,
                     const pmn_dv_range **range);
/* pmn_dv_index_file_path: where index entry e's file lives (caller frees): its external path,
 * the bucket directory with index-file-in-data-file-dir = true (1.3+), else <table>/index/. */
char *pmn_dv_index_file_path(const pmn_table *t, const pmn_index_entry *e);
/* pmn_dv_index_entries: every live entry of the index manifest (any index type). */
void pmn_dv_index_entries(const pmn_dv_index *x, const pmn_index_entry **entries, size_t *n);

#endif
