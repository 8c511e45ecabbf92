/*
 * src/sql/systab.h
 *
 * Paimon's system tables (paimon-format.md §10), computed at query time from
 * a table's metadata, with Java Paimon's column names and types:
 *
 *   t$snapshots  snapshot_id, schema_id, commit_user, commit_identifier, commit_kind,
 *                commit_time, base_manifest_list, delta_manifest_list,
 *                changelog_manifest_list, total_record_count, delta_record_count,
 *                changelog_record_count, watermark
 *   t$schemas    schema_id, fields (JSON), partition_keys, primary_keys, options (JSON),
 *                comment, update_time
 *   t$options    key, value
 *   t$tags       tag_name, snapshot_id, schema_id, commit_time, record_count, create_time,
 *                time_retained
 *   t$consumers  consumer_id, next_snapshot_id
 *
 *   t$files      partition, bucket, file_path, file_format, schema_id, level, record_count,
 *                file_size_in_bytes, min_key, max_key, null_value_counts, min_value_stats,
 *                max_value_stats, min_sequence_number, max_sequence_number, creation_time
 *   t$manifests  file_name, file_size, num_added_files, num_deleted_files, schema_id
 *   t$audit_log  rowkind, then the table's columns: pmn_systab_columns gives rowkind only,
 *                the rows come from sql/auditlog.h (the virtual table reads it like data)
 *
 * (All checked against Java Paimon 0.9's SnapshotsTable, SchemasTable, OptionsTable,
 * TagsTable, ConsumersTable, FilesTable, ManifestsTable and AuditLogTable.) Other Paimon
 * system tables ($partitions, $buckets, ...) give a clear error.
 */
#ifndef PMN_SQL_SYSTAB_H
#define PMN_SQL_SYSTAB_H

#include "pmn/table.h"

#include <stdint.h>

/* One column of a system table. */
typedef struct pmn_systab_col {
    const char *name;     /* Java Paimon's column name */
    const char *decltype; /* SQLite declared type, as sql/value.h describes */
} pmn_systab_col;

/* One value: SQLITE_INTEGER, SQLITE_TEXT or SQLITE_NULL (sqlite3.h codes). */
typedef struct pmn_systab_val {
    int kind;  /* SQLITE_* storage class */
    int64_t i; /* SQLITE_INTEGER */
    char *s;   /* SQLITE_TEXT (owned) */
} pmn_systab_val;

typedef struct pmn_systab_rows {
    int ncols;            /* columns per row */
    pmn_systab_val *vals; /* nrows * ncols values (owned) */
    size_t nrows;
} pmn_systab_rows;

/* pmn_systab_columns: the columns of system table `kind` ("snapshots", ...). PMN_EINVALID
 * names the unknown or unsupported system table. */
int pmn_systab_columns(const char *kind, const pmn_systab_col **cols, int *ncols);
/* pmn_systab_load: compute the rows of `kind` for table t. Free with pmn_systab_rows_dispose. */
int pmn_systab_load(pmn_table *t, const char *kind, pmn_systab_rows *out);
/* pmn_systab_rows_dispose: free the rows' values; r is zeroed. */
void pmn_systab_rows_dispose(pmn_systab_rows *r);

#endif
