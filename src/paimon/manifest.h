/*
 * src/paimon/manifest.h
 *
 * Manifest files (manifest-*: ManifestEntry rows) and manifest lists
 * (manifest-list-*: ManifestFileMeta rows), Avro, paimon-format.md §4.2–§4.6;
 * Java classes org.apache.paimon.manifest.{ManifestEntry, ManifestFileMeta},
 * org.apache.paimon.io.DataFileMeta, org.apache.paimon.stats.SimpleStats.
 *
 * We read every shape Java 0.9–1.4 writes (fields are matched by name; the
 * 0.9-SNAPSHOT union-wrapped records too) and write the 0.9 shape: 16
 * DataFileMeta fields, _VERSION 2, plain records. BinaryRow-valued fields
 * (partition, keys, stats rows) stay serialized bytes here; paimon/binary_row.h
 * decodes them.
 *
 * Memory: everything read is allocated in the caller's arena.
 */
#ifndef PMN_PAIMON_MANIFEST_H
#define PMN_PAIMON_MANIFEST_H

#include "format/avro.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pmn_bytes {
    const uint8_t *ptr;
    uint32_t len;
} pmn_bytes;

typedef struct pmn_simple_stats {
    pmn_bytes min_values;  /* serialized BinaryRow, one slot per column (null = unknown) */
    pmn_bytes max_values;
    bool has_null_counts;  /* false: _NULL_COUNTS is null */
    int64_t *null_counts;  /* per column; -1 = unknown (null element) */
    int32_t nnull_counts;
} pmn_simple_stats;

typedef struct pmn_data_file_meta {
    const char *file_name;     /* relative to the bucket directory */
    int64_t file_size;         /* exact bytes */
    int64_t row_count;         /* incl. -U/-D rows */
    pmn_bytes min_key;         /* serialized BinaryRow of the first key (arity 0 for append) */
    pmn_bytes max_key;
    pmn_simple_stats key_stats;
    pmn_simple_stats value_stats;
    int64_t min_sequence_number;
    int64_t max_sequence_number;
    int64_t schema_id;
    int32_t level;
    const char **extra_files;
    int32_t nextra_files;
    bool has_creation_time;
    int64_t creation_time;     /* local wall-clock millis encoded as UTC */
    bool has_delete_row_count;
    int64_t delete_row_count;
    int32_t file_source;       /* 0 APPEND, 1 COMPACT, -1 null */
    bool has_value_stats_cols; /* 1.0+: stats cover only these columns */
    const char **value_stats_cols;
    int32_t nvalue_stats_cols;
    const char *external_path; /* NULL if inside the table */
} pmn_data_file_meta;

enum { PMN_FILE_ADD = 0, PMN_FILE_DELETE = 1 };

typedef struct pmn_manifest_entry {
    int32_t kind;          /* PMN_FILE_ADD / PMN_FILE_DELETE */
    pmn_bytes partition;   /* serialized BinaryRow */
    int32_t bucket;
    int32_t total_buckets;
    pmn_data_file_meta file;
} pmn_manifest_entry;

typedef struct pmn_manifest_file_meta {
    const char *file_name; /* relative to manifest/ */
    int64_t file_size;
    int64_t num_added_files;
    int64_t num_deleted_files;
    pmn_simple_stats partition_stats;
    int64_t schema_id;
} pmn_manifest_file_meta;

/* pmn_manifest_read: all entries of a manifest file. Errors name the file. */
int pmn_manifest_read(const char *path, pmn_arena *a, pmn_manifest_entry **entries, size_t *n);
/* pmn_manifest_write: create `path` with the entries; *size = exact file size. */
int pmn_manifest_write(const char *path, pmn_avro_codec codec, const pmn_manifest_entry *entries,
                       size_t n, uint64_t *size);
/* pmn_manifest_list_read: all metas of a manifest-list file. */
int pmn_manifest_list_read(const char *path, pmn_arena *a, pmn_manifest_file_meta **metas,
                           size_t *n);
int pmn_manifest_list_write(const char *path, pmn_avro_codec codec,
                            const pmn_manifest_file_meta *metas, size_t n, uint64_t *size);

/* pmn_bytes_equal: byte equality (partition and identifier comparison). */
bool pmn_bytes_equal(pmn_bytes a, pmn_bytes b);
/* pmn_simple_stats_empty: arity-0 min/max rows and an empty null-count array (append keys,
 * unpartitioned partition stats). Static storage. */
pmn_simple_stats pmn_simple_stats_empty(void);

#endif
