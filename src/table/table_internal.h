/*
 * src/table/table_internal.h
 *
 * The structs behind the public handles of include/pmn/catalog.h and
 * table.h, shared by the table/ module's files (catalog, plan, write, commit,
 * scan). Nothing outside src/table includes this.
 */
#ifndef PMN_TABLE_INTERNAL_H
#define PMN_TABLE_INTERNAL_H

#include "format/avro.h"
#include "paimon/manifest.h"
#include "paimon/snapshot.h"
#include "paimon/table_schema.h"
#include "pmn/table.h"

struct pmn_catalog {
    char *warehouse; /* directory, no trailing slash */
};

/* Column index lists derived from a schema. */
typedef struct pmn_key_layout {
    int32_t *pk;          /* primary-key columns, in primaryKeys order */
    int32_t npk;
    int32_t *trimmed_pk;  /* PK minus partition columns (the _KEY_* columns, min/max key) */
    int32_t ntrimmed_pk;
    int32_t *partition;   /* partition columns in partitionKeys order */
    int32_t npartition;
    int32_t *bucket_key;  /* bucket-key columns (default trimmed PK) */
    int32_t nbucket_key;
    const pmn_type **trimmed_pk_types;
    const pmn_type **partition_types;
    const char **partition_names;
    const pmn_type **bucket_key_types;
} pmn_key_layout;

struct pmn_table {
    pmn_catalog *catalog; /* borrowed */
    char *db;
    char *name;
    char *full_name;      /* db.table */
    char *path;           /* <warehouse>/<db>.db/<table> */
    pmn_schema *schema;   /* latest schema */
    pmn_key_layout keys;
    int32_t num_buckets;  /* option bucket (-1 dynamic/unaware) */
    pmn_kv *option_view;  /* pmn_table_options() view of schema->options */
    pmn_snapshot *info_snapshot; /* backs the strings of the last pmn_table_snapshot() */
    pmn_kv *info_props;
};

/* pmn_key_layout_build: derive the column lists of schema s. */
int pmn_key_layout_build(const pmn_schema *s, pmn_key_layout *k);
void pmn_key_layout_dispose(pmn_key_layout *k);

/* Codec of manifest files from the table options (manifest.compression, default zstd). */
pmn_avro_codec pmn_table_manifest_codec(const pmn_table *t);
/* Codec of data files (file.compression, default zstd). */
pmn_avro_codec pmn_table_file_codec(const pmn_table *t);
/* pmn_table_bucket_dir: "<table>/<partition path>/bucket-N" for a serialized partition. */
char *pmn_table_bucket_dir(const pmn_table *t, pmn_bytes partition, int32_t bucket);
/* pmn_table_is_pk: the table has a primary key. */
bool pmn_table_is_pk(const pmn_table *t);

/* ---- plan: the live files of a snapshot (plan.c) ---- */

typedef struct pmn_plan {
    pmn_arena arena;              /* owns everything below */
    pmn_snapshot *snapshot;       /* NULL for a table without snapshots */
    pmn_manifest_entry *files;    /* live ADD entries, grouped: sorted by (partition, bucket,
                                     level, min sequence) */
    size_t nfiles;
    pmn_manifest_file_meta *base; /* base + delta metas of the snapshot */
    size_t nbase;
    size_t ndelta;                /* the last ndelta of base[] came from the delta list */
} pmn_plan;

/* pmn_plan_open: replay snapshot `snapshot_id` (0 = latest; table without snapshots gives an
 * empty plan). */
int pmn_plan_open(pmn_table *t, int64_t snapshot_id, pmn_plan **out);
void pmn_plan_free(pmn_plan *p);
/* pmn_plan_resolve_snapshot: snapshot id for scan options (id, timestamp or tag). */
int pmn_plan_resolve(pmn_table *t, const pmn_scan_options *o, int64_t *snapshot_id,
                     pmn_snapshot **tag_snapshot);
/* pmn_scan_open_level: pmn_scan_open reading only the files at `level` (-1: all;
 * PMN_SCAN_ABOVE_LEVEL_0: every level but 0); the full phase of a stream over a
 * changelog-producer full-compaction (lookup) table reads the max level (levels >= 1), the
 * state its later changelogs start from. */
#define PMN_SCAN_ABOVE_LEVEL_0 (-2)
int pmn_scan_open_level(pmn_table *t, const pmn_scan_options *o, int32_t level, pmn_scan **out);
/* pmn_plan_latest_compacted: the latest COMPACT snapshot (scan.mode compacted-full); with
 * changelog-producer full-compaction the latest one that wrote changelog files (a compaction
 * to the max level, the state its followers' changelogs start from). 0 if there is none. */
int pmn_plan_latest_compacted(pmn_table *t, int64_t *snapshot_id);
/* pmn_plan_creation_bound: *bound = the file creation time (epoch ms) a read with scan
 * options o starts from when its mode is from-file-creation-time (also "default" with only
 * the table's scan.file-creation-time-millis set), else 0. PMN_EINVALID: the mode without a
 * time (o->timestamp_millis, else the table option). */
int pmn_plan_creation_bound(pmn_table *t, const pmn_scan_options *o, int64_t *bound);
/* pmn_plan_filter_mode: drop from p the files a read with options o leaves out by its mode
 * (from-file-creation-time: files created before the bound). */
int pmn_plan_filter_mode(pmn_table *t, const pmn_scan_options *o, pmn_plan *p);
/* pmn_plan_open_read: the plan a batch read with options o sees: the snapshot (id, time, tag
 * or mode) resolved, replayed, and its files filtered by the mode. */
int pmn_plan_open_read(pmn_table *t, const pmn_scan_options *o, pmn_plan **out);
/* pmn_plan_open_snapshot: replay `snap`; the plan owns snap on success only. */
int pmn_plan_open_snapshot(pmn_table *t, pmn_snapshot *snap, pmn_plan **out);

#endif
