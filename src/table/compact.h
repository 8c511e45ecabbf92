/*
 * src/table/compact.h
 *
 * Table-level compaction and snapshot maintenance used by the writer and the
 * public API (include/pmn/table.h): compaction commits (compact.c), snapshot
 * expiry (expire.c), orphan-file removal (orphans.c) and tags (tag.c).
 */
#ifndef PMN_TABLE_COMPACT_H
#define PMN_TABLE_COMPACT_H

#include "table/table_internal.h"

/* What a compaction run picks in each bucket. */
typedef enum pmn_compact_mode {
    PMN_COMPACT_PICK,       /* what the universal strategy picks */
    PMN_COMPACT_FULL,       /* everything to the max level */
    PMN_COMPACT_EARLY_FULL, /* compaction.optimization-interval (Java's EarlyFullCompaction):
                               primary-key buckets of more than one sorted run go to the max
                               level, the others as the strategy picks */
} pmn_compact_mode;

/* pmn_table_compact_run: compact every bucket of the latest snapshot as `mode` says and commit
 * one COMPACT snapshot as commit_user with commit_identifier (< 0: that of the snapshot it
 * follows, resolved at commit time). *snapshot_id = 0 when nothing was picked. PMN_ECONFLICT
 * when a concurrent commit removed an input: the compaction is dropped. */
int pmn_table_compact_run(pmn_table *t, const char *commit_user, int64_t commit_identifier,
                          pmn_compact_mode mode, int64_t *snapshot_id);

/* pmn_table_compact_supported: 0, or PMN_EINVALID naming the option that rules compaction
 * out (merge-engine other than deduplicate, sequence.field, deletion vectors, a changelog
 * producer that needs compaction changelogs). */
int pmn_table_compact_supported(const pmn_table *t);

/* pmn_table_expired_error: turn a PMN_ENOTFOUND met while reading snapshot `snapshot_id` into
 * "snapshot N of T has expired while being read; the earliest snapshot is M" when that
 * snapshot no longer exists (expiry removed it); returns rc otherwise. */
int pmn_table_expired_error(pmn_table *t, int64_t snapshot_id, int rc);

/* pmn_table_clean_after_tag: after tag `gone` was deleted, remove its data files and
 * manifests that no snapshot or other tag uses. */
int pmn_table_clean_after_tag(pmn_table *t, pmn_snapshot *gone);

/* pmn_table_auto_tag: tag.automatic-creation = process-time: when the table had snapshots
 * before the last tag.creation-period (daily, hourly, two-hours; minus tag.creation-delay)
 * ended at local time now_ms, tag the latest snapshot with that period's name
 * ("2024-07-18", "2024-07-18 11"), and keep at most tag.num-retained-max such tags. */
int pmn_table_auto_tag(pmn_table *t, int64_t now_ms);

#endif
