/*
 * include/pmn/table.h
 *
 * A table handle: its current schema, options and snapshots, and reading rows
 * (batch scan at a snapshot, timestamp or tag) and writing rows (upserts,
 * deletes, commits that carry a caller's checkpoint in snapshot properties).
 *
 * Ownership: handles are freed with their _free function; rows returned by
 * pmn_scan_next are borrowed until the next call.
 */
#ifndef PMN_TABLE_H
#define PMN_TABLE_H

#include "pmn/catalog.h"

/* Row kinds as Paimon stores them in _VALUE_KIND. */
typedef enum pmn_row_kind {
    PMN_ROW_INSERT = 0,        /* +I */
    PMN_ROW_UPDATE_BEFORE = 1, /* -U */
    PMN_ROW_UPDATE_AFTER = 2,  /* +U */
    PMN_ROW_DELETE = 3,        /* -D */
} pmn_row_kind;

/* ---- the table handle ---- */

void pmn_table_free(pmn_table *t);
const char *pmn_table_name(const pmn_table *t);     /* "db.table" */
const char *pmn_table_path(const pmn_table *t);     /* directory of the table */
const pmn_type *pmn_table_row_type(const pmn_table *t); /* ROW of the current schema */
int64_t pmn_table_schema_id(const pmn_table *t);
size_t pmn_table_primary_keys(const pmn_table *t, const char *const **keys);
size_t pmn_table_partition_keys(const pmn_table *t, const char *const **keys);
/* pmn_table_option: value of a table option, or NULL if unset (defaults not applied). */
const char *pmn_table_option(const pmn_table *t, const char *key);
size_t pmn_table_options(const pmn_table *t, const pmn_kv **options);
/* pmn_table_reload: re-read the latest schema (after another process evolved it). */
int pmn_table_reload(pmn_table *t);

/* ---- snapshots ---- */

typedef struct pmn_snapshot_info {
    int64_t id;
    int64_t schema_id;
    const char *commit_user;
    int64_t commit_identifier;
    const char *commit_kind; /* APPEND, COMPACT, OVERWRITE, ANALYZE */
    int64_t time_millis;
    int64_t total_record_count;
    int64_t delta_record_count;
    const pmn_kv *properties; /* caller checkpoint (e.g. source LSN) */
    size_t nproperties;
} pmn_snapshot_info;

/* pmn_table_latest_snapshot: id of the latest snapshot, 0 if the table has none. */
int pmn_table_latest_snapshot(pmn_table *t, int64_t *id);
int pmn_table_earliest_snapshot(pmn_table *t, int64_t *id);
/* pmn_table_snapshot: details of snapshot `id`; strings borrowed until the next call on t. */
int pmn_table_snapshot(pmn_table *t, int64_t id, pmn_snapshot_info *info);

/* ---- batch read ---- */

typedef enum pmn_filter_op {
    PMN_FILTER_EQ,
    PMN_FILTER_LT,
    PMN_FILTER_LE,
    PMN_FILTER_GT,
    PMN_FILTER_GE,
    PMN_FILTER_IS_NULL,
    PMN_FILTER_IS_NOT_NULL,
} pmn_filter_op;

/* A filter on one column. Filters only prune (partitions, buckets, files by min/max key and
 * stats); a scan may still return rows that do not match, so callers apply them again. */
typedef struct pmn_filter {
    int field;         /* index into the table's row type */
    pmn_filter_op op;
    pmn_datum value;   /* borrowed for the lifetime of the scan */
} pmn_filter;

typedef struct pmn_scan_options {
    int64_t snapshot_id;      /* > 0: read this snapshot */
    int64_t timestamp_millis; /* > 0: latest snapshot with timeMillis <= this */
    const char *tag;          /* non-NULL: read the snapshot of this tag */
    /* Paimon's scan.mode for a batch read, or NULL (the fields above, else the latest):
     * "latest"/"latest-full", "compacted-full" (the latest COMPACT snapshot), "from-snapshot",
     * "from-timestamp" or "default" (snapshot_id / timestamp_millis / tag, else the table's
     * scan.snapshot-id / scan.timestamp-millis / scan.tag-name, else
     * scan.file-creation-time-millis as below). "from-file-creation-time": the latest
     * snapshot's files created at or after timestamp_millis (else the table's
     * scan.file-creation-time-millis). "incremental" is refused (it reads changes:
     * pmn_stream_open). */
    const char *mode;
    const int *projection;    /* field indexes to decode; NULL = all */
    size_t nprojection;
    const pmn_filter *filters; /* conjunction; may be NULL */
    size_t nfilters;
    /* Filters applied exactly to every row (pmn_datum_compare against the column's value; a
     * NULL value fails all but IS NULL): rows failing one are never returned. Unlike
     * `filters` they do not prune by themselves (pass them in both to get both). */
    const pmn_filter *row_filters;
    size_t nrow_filters;
    /* Threads reading buckets: 0 or 1 = the calling thread only; N > 1 = up to N threads,
     * one (partition, bucket) at a time each; PMN_SCAN_THREADS_AUTO = one per online CPU (at
     * most 16) when the scan reads at least 32 MiB of data files and more than one bucket. With more than
     * one thread, rows of different buckets interleave in no fixed order. */
    int threads;
} pmn_scan_options;

#define PMN_SCAN_THREADS_AUTO (-1)

typedef struct pmn_scan pmn_scan;

/* pmn_table_batch_mode: the scan.mode a batch read of t takes from the table's options when the
 * read names no snapshot, time or tag: "from-file-creation-time" when scan.mode says so, or
 * when the mode is default and scan.file-creation-time-millis is the only start option (Java's
 * CoreOptions.startupMode); NULL otherwise (read the latest snapshot). Pass it as
 * pmn_scan_options.mode to read as Java's batch scan does. */
const char *pmn_table_batch_mode(const pmn_table *t);

/* pmn_scan_open: plan a read of the table's merged rows at the chosen snapshot. */
int pmn_scan_open(pmn_table *t, const pmn_scan_options *opts, pmn_scan **out);
/* pmn_scan_next: next row, one datum per field of the table's row type (fields left out of the
 * projection are NULL). Borrowed until the next call. Returns PMN_ITEROVER at the end. */
int pmn_scan_next(pmn_scan *s, const pmn_datum **row);
/* pmn_scan_snapshot_id: the snapshot being read (0 for an empty table). */
int64_t pmn_scan_snapshot_id(const pmn_scan *s);
/* pmn_scan_stats: data files opened and rows decoded so far (for pushdown tests). */
void pmn_scan_stats(const pmn_scan *s, uint64_t *files_read, uint64_t *rows_read);
/* pmn_scan_count: read the rest of the scan, counting its rows instead of returning them
 * (COUNT(*)); with only key columns projected no value is decoded. */
int pmn_scan_count(pmn_scan *s, int64_t *count);
/* pmn_scan_blocks_read: Avro blocks of data files decoded so far. A filter on the first
 * primary-key column (=, <, <=, >, >=) makes a primary-key scan binary-search each file's
 * blocks for the bound instead of decoding the blocks before it. */
uint64_t pmn_scan_blocks_read(const pmn_scan *s);
void pmn_scan_free(pmn_scan *s);

/* ---- write ---- */

typedef struct pmn_writer pmn_writer;

/* pmn_writer_open: a writer for the table's current schema. commit_user identifies the writer
 * across restarts (exactly-once recovery); NULL picks a random one. */
int pmn_writer_open(pmn_table *t, const char *commit_user, pmn_writer **out);
/* pmn_writer_write: one row (a datum per field of the current row type). For primary-key
 * tables INSERT/UPDATE_AFTER upsert and DELETE/UPDATE_BEFORE delete by key. */
int pmn_writer_write(pmn_writer *w, pmn_row_kind kind, const pmn_datum *row);
/* pmn_writer_commit: flush buffered rows and commit one snapshot carrying `properties`.
 * Writes nothing if there is nothing to commit and no properties changed (snapshot_id = 0).
 * Unless the table is write-only, compaction (as COMPACT snapshots) and snapshot expiry then
 * run in a background thread (synchronously with commit.force-compact = true). */
int pmn_writer_commit(pmn_writer *w, int64_t commit_identifier, const pmn_kv *properties,
                      size_t nproperties, int64_t *snapshot_id);
/* pmn_writer_truncate: drop every row written so far (buffered or spilled) and make the next
 * commit an OVERWRITE snapshot that also removes every row committed before, so a source
 * TRUNCATE and the rows written after it become visible together. */
int pmn_writer_truncate(pmn_writer *w);
/* pmn_writer_overwrite: like pmn_writer_truncate, but on a partitioned table the next commit
 * (an OVERWRITE snapshot) removes the committed rows of some partitions only: with dynamic
 * (option dynamic-partition-overwrite), those the commit writes rows to, and nothing if it
 * writes none; otherwise those matching every PMN_FILTER_EQ in spec (partition columns only;
 * none = every partition). spec is copied. PMN_EINVALID for a non-partition column. */
int pmn_writer_overwrite(pmn_writer *w, const pmn_filter *spec, size_t nspec, bool dynamic);
/* pmn_writer_flush: write buffered rows to data files now (not committed), e.g. before the
 * table's schema changes under the writer. */
int pmn_writer_flush(pmn_writer *w);
/* pmn_writer_lookup: the current row of the primary key held by `key_row` (a full row of which
 * only the primary-key columns are read) as this writer sees it: its own uncommitted writes
 * first, then the table's latest snapshot. *row = NULL when the key is absent or deleted.
 * The row is borrowed until the next call on w. Primary-key tables only. */
int pmn_writer_lookup(pmn_writer *w, const pmn_datum *key_row, const pmn_datum **row);
/* pmn_writer_wait_maintenance: wait until the compaction and expiry that pmn_writer_commit
 * started in the background (unless write-only or commit.force-compact) have finished.
 * pmn_writer_free waits too. */
int pmn_writer_wait_maintenance(pmn_writer *w);
/* pmn_writer_abort: drop buffered rows and remove files written but not committed. */
void pmn_writer_abort(pmn_writer *w);
void pmn_writer_free(pmn_writer *w);

/* ---- schema evolution ---- */

typedef enum pmn_schema_change_kind {
    PMN_SCHEMA_ADD_COLUMN,         /* name, type (made nullable), description optional */
    PMN_SCHEMA_UPDATE_COLUMN_TYPE, /* name, type: widening only (see pmn_table_alter) */
    PMN_SCHEMA_RENAME_COLUMN,      /* name -> new_name */
    PMN_SCHEMA_DROP_COLUMN,        /* name */
    PMN_SCHEMA_SET_OPTION,         /* key = value */
    PMN_SCHEMA_REMOVE_OPTION,      /* key */
    PMN_SCHEMA_UPDATE_COMMENT,     /* value (NULL removes) */
} pmn_schema_change_kind;

typedef struct pmn_schema_change {
    pmn_schema_change_kind kind;
    const char *name;
    const char *new_name;
    const pmn_type *type;
    const char *key;
    const char *value;
} pmn_schema_change;

/* pmn_table_alter: write schema-(latest+1) with the changes applied (all or nothing), then
 * reload t. Allowed type changes widen: TINYINT->SMALLINT->INT->BIGINT, FLOAT->DOUBLE, integers
 * to DOUBLE, CHAR/VARCHAR(n) to longer VARCHAR/STRING, DECIMAL(p,s) to DECIMAL(p2>=p,s2>=s) with
 * p2-s2 >= p-s, TIME/TIMESTAMP precision up, NOT NULL -> nullable. Primary-key and partition
 * columns cannot be dropped, renamed or retyped; `bucket` cannot change. PMN_EINVALID names the
 * table, column, old and new type. Running writers keep their schema until reopened. */
int pmn_table_alter(pmn_table *t, const pmn_schema_change *changes, size_t n);

/* ---- maintenance: compaction, expiry, orphan files, tags ---- */

/* pmn_table_compact: compact the latest snapshot as Java Paimon's universal compaction would
 * (primary-key tables: num-sorted-run.compaction-trigger, compaction.size-ratio,
 * compaction.max-size-amplification-percent, num-levels; append tables: small files merged by
 * compaction.min.file-num / compaction.max.file-num / target-file-size); full = every bucket
 * rewritten to the max level, dropping deleted keys. Commits one COMPACT snapshot;
 * *snapshot_id = its id, or 0 if there was nothing to compact. PMN_ECONFLICT when a concurrent
 * commit removed one of the inputs (nothing is lost; run it again). */
int pmn_table_compact(pmn_table *t, bool full, int64_t *snapshot_id);

/* Result of pmn_table_expire. */
typedef struct pmn_expire_result {
    int64_t snapshots_expired;
    int64_t earliest;       /* EARLIEST after the run */
    int64_t data_files_deleted;
    int64_t manifests_deleted; /* manifests and manifest lists */
    int64_t index_files_deleted; /* deletion-vector and hash index files */
} pmn_expire_result;

/* pmn_table_expire: expire snapshots by the table's options (snapshot.num-retained.min 10,
 * snapshot.num-retained.max, snapshot.time-retained 1 h, snapshot.expire.limit 10): removes
 * the snapshot files, then the data files their deltas deleted, the index files their index
 * manifests name and the manifests nothing retained uses; snapshots of tags and of a consumer's unread range and every file they use
 * are kept. A reader scanning an expired snapshot either finishes (files it already opened
 * stay readable) or fails with "snapshot N ... has expired; the earliest snapshot is M",
 * never returns wrong rows. A crash mid-way leaves only unreferenced files
 * (pmn_table_remove_orphans). `res` may be NULL. */
int pmn_table_expire(pmn_table *t, pmn_expire_result *res);
/* pmn_table_expire_with: pmn_table_expire with some options replaced for this run only (e.g.
 * snapshot.num-retained.min, snapshot.time-retained, snapshot.expire.limit). */
int pmn_table_expire_with(pmn_table *t, const pmn_kv *overrides, size_t n,
                          pmn_expire_result *res);

/* pmn_table_remove_orphans: delete files under the table directory that no snapshot or tag
 * references (data files, manifests, manifest lists, index manifests, index files in index/
 * or, with index-file-in-data-file-dir, in bucket directories, leftover *.tmp files) and that were
 * last modified more than older_than_ms ago (files of a commit still in progress are young).
 * *removed counts them (may be NULL). */
int pmn_table_remove_orphans(pmn_table *t, int64_t older_than_ms, int64_t *removed);

/* pmn_table_create_tag: tag/tag-NAME = snapshot `snapshot_id` (0 = latest) with its creation
 * time. PMN_EEXISTS if the tag exists; PMN_ENOTFOUND if the snapshot does not. */
int pmn_table_create_tag(pmn_table *t, const char *name, int64_t snapshot_id);
/* pmn_table_delete_tag: remove the tag and the data files and manifests that only it kept
 * (as Java's tag deletion does). PMN_ENOTFOUND if absent. */
int pmn_table_delete_tag(pmn_table *t, const char *name);
/* pmn_table_tags: tag names, sorted, and each tag's snapshot id (caller frees both arrays and
 * the names with free()). */
int pmn_table_tags(pmn_table *t, char ***names, int64_t **snapshot_ids, size_t *count);

/* ---- streaming read ---- */

/* Where a stream starts (Paimon's scan.mode). */
typedef struct pmn_stream_options {
    /* "latest-full" (default, also "default"/"full": every row of the latest snapshot as +I,
     * then its changes), "latest" (only changes committed after opening), "from-snapshot"
     * (changes from snapshot_id on), "from-snapshot-full" (rows of snapshot_id, then changes),
     * "from-timestamp" (changes committed after timestamp_millis), "from-file-creation-time"
     * (rows of the latest snapshot's files created at or after timestamp_millis, else the
     * table's scan.file-creation-time-millis, as +I, then changes; with no snapshot yet it waits
     * for the first and reads the latest then, filtered the same way). NULL: the table's
     * scan.mode option (scan.snapshot-id, scan.timestamp-millis,
     * scan.file-creation-time-millis supply the numbers). */
    const char *mode;
    int64_t snapshot_id;
    int64_t timestamp_millis;
    /* "compacted-full": the rows of the latest COMPACT snapshot (with changelog-producer
     * full-compaction: of the latest compaction that wrote a changelog) as +I, then changes.
     * "incremental": only the changes of snapshots (snapshot_id, end_snapshot_id], then
     * PMN_ITEROVER for good; NULL mode takes them from the table's incremental-between
     * ("START,END") or incremental-between-timestamp ("T1,T2", milliseconds). */
    int64_t end_snapshot_id;
    /* consumer id (NULL: the table's consumer-id option): progress is kept in
     * consumer/consumer-<id> by pmn_stream_checkpoint, a stream reopened with the same id
     * resumes there (ignoring mode), and expiry keeps the snapshots it has not read yet. A
     * consumer without a position gets one at pmn_stream_open, before anything is read (the
     * full phase's snapshot: expiry keeps it until a checkpoint moves past the full phase;
     * reopened before that, the stream redoes the full phase). */
    const char *consumer_id;
} pmn_stream_options;

typedef struct pmn_stream pmn_stream;

/* pmn_stream_open: follow a table's changes. Changes are the rows of the APPEND snapshots'
 * new files with their row kind (changelog-producer none: per commit the last change of each
 * key; changelog-producer input: every change as written, from the changelog files the writer
 * adds), in commit order; COMPACT snapshots change no data and OVERWRITE snapshots are skipped
 * (as Java's streaming read does). */
int pmn_stream_open(pmn_table *t, const pmn_stream_options *o, pmn_stream **out);
/* pmn_stream_next: the next change: *kind, *row (borrowed until the next call, one datum per
 * field of the table's current row type) and the snapshot that committed it. PMN_ITEROVER when
 * caught up with the latest snapshot: call again later to see new commits. PMN_ENOTFOUND if
 * the next snapshot to read has expired. */
int pmn_stream_next(pmn_stream *s, pmn_row_kind *kind, const pmn_datum **row,
                    int64_t *snapshot_id);
/* pmn_stream_checkpoint: store the consumer's progress (no-op without a consumer id): the
 * first snapshot not yet completely returned. */
int pmn_stream_checkpoint(pmn_stream *s);
/* pmn_stream_position: the next snapshot the stream will read. */
int64_t pmn_stream_position(const pmn_stream *s);
void pmn_stream_free(pmn_stream *s);

/* ---- verification ---- */

/* pmn_table_check: verify the rules that make a table readable by Java Paimon
 * (paimon-format.md §17) on every snapshot and live file: contiguous snapshot ids, version 3,
 * non-decreasing times, exact file sizes, null-first unions, _VERSION, sorted unique keys per
 * file with exact min/max key and delete counts, stats arity, non-overlapping levels >= 1.
 * *report (caller frees) lists each violation on its own line; *violations counts them.
 * Returns an error only when the table cannot be read at all. */
int pmn_table_check(pmn_table *t, char **report, size_t *violations);

#endif
