/*
 * src/sync/sink.h
 *
 * The lake side of a sync: source relations mapped to Paimon tables (created
 * or evolved as needed), change events applied to table writers, and lake
 * commits that carry the source position (sync/checkpoint rule below).
 *
 * Durability rule: a position is reported durable (and may be confirmed to
 * PostgreSQL) only after every table with changes up to it has published its
 * snapshot. Each table's snapshots store the end LSN of the last source
 * transaction they contain; on restart a transaction is skipped for a table
 * when its commit LSN is below the LSN that table stored (pgoutput.md §8.5).
 */
#ifndef PMN_SYNC_SINK_H
#define PMN_SYNC_SINK_H

#include "change/change.h"
#include "sync/config.h"

typedef struct pmn_sync_sink pmn_sync_sink;

/* Snapshot property keys written with every lake commit of a sync. */
#define PMN_PROP_END_LSN "pgpaimon.source.end-lsn"
#define PMN_PROP_COMMIT_LSN "pgpaimon.source.commit-lsn"
#define PMN_PROP_COMMIT_TIME "pgpaimon.source.commit-time"
#define PMN_PROP_SLOT "pgpaimon.source.slot"
#define PMN_PROP_SNAPSHOT_DONE "pgpaimon.source.snapshot-done"
/* WAL position of a copy taken outside the slot's snapshot (a resumed initial snapshot): until
 * the stream passes it, replayed changes may find the copy ahead of them */
#define PMN_PROP_COPY_LSN "pgpaimon.source.copy-lsn"

/* pmn_sync_sink_open: open (create) the warehouse and database of cfg. */
int pmn_sync_sink_open(const pmn_sync_config *cfg, pmn_sync_sink **out);
void pmn_sync_sink_free(pmn_sync_sink *s);

/* pmn_sync_sink_add_source: declare a selected source table (its columns with mapped types, and
 * its primary key from the source catalog). Creates the Paimon table if missing, or checks and
 * evolves it. PMN_EINVALID for a table without a primary key when one is needed. */
int pmn_sync_sink_add_source(pmn_sync_sink *s, const pmn_change_relation *rel,
                             const char *const *pk, size_t npk);
/* pmn_sync_sink_change_sink: callbacks to hand to the pgoutput decoder / snapshot copier. */
pmn_change_sink pmn_sync_sink_callbacks(pmn_sync_sink *s);

/* A hook for relations of tables not declared with add_source (a table created while the job
 * streams): it may call pmn_sync_sink_add_source for it, or do nothing to ignore it. */
typedef int (*pmn_sync_discover_fn)(void *ctx, pmn_sync_sink *s, const pmn_change_relation *rel);
void pmn_sync_sink_set_discover(pmn_sync_sink *s, pmn_sync_discover_fn fn, void *ctx);
/* pmn_sync_sink_set_position: the stream starts after `lsn` (resume point). */
void pmn_sync_sink_set_position(pmn_sync_sink *s, uint64_t lsn);

/* pmn_sync_sink_refresh: pick up schema versions written by others (ALTER TABLE ... SET in
 * pgpaimon sql, pgpaimon table set-option): buffered rows are flushed under the old schema, then
 * the table handle and the derived columns are reloaded. Call outside a source transaction. */
int pmn_sync_sink_refresh(pmn_sync_sink *s);

/* pmn_sync_sink_needs_snapshot: some target has no completed initial snapshot. */
bool pmn_sync_sink_needs_snapshot(const pmn_sync_sink *s);
/* pmn_sync_sink_resume_lsn: smallest end LSN stored by the targets (where replication must
 * start); 0 if none stored. */
uint64_t pmn_sync_sink_resume_lsn(const pmn_sync_sink *s);
/* pmn_sync_sink_begin_snapshot: the rows that follow (INSERT changes outside a transaction)
 * replace the contents of each target whose initial snapshot is not in the lake (of every
 * target when `all`: a new slot, so no stored copy matches it). */
int pmn_sync_sink_begin_snapshot(pmn_sync_sink *s, bool all);
/* pmn_sync_sink_source_done: the target of this source table holds a completed initial
 * snapshot (so a resumed snapshot skips the table). */
bool pmn_sync_sink_source_done(const pmn_sync_sink *s, const pmn_change_relation *rel);
/* pmn_sync_sink_source_copied: the copy of this source table is complete; once every source
 * of its target is, the target is committed with position `consistent_lsn` and
 * snapshot-done = true, so an interrupted snapshot need not copy it again. copy_lsn: the WAL
 * position of a copy not taken under the slot's snapshot (a resumed one), else 0; until the
 * stream passes it, an UPDATE whose unchanged TOAST values need a row the copy no longer has
 * (deleted later in that window) is skipped instead of failing. */
int pmn_sync_sink_source_copied(pmn_sync_sink *s, const pmn_change_relation *rel,
                                uint64_t consistent_lsn, uint64_t copy_lsn, const char *slot);
/* pmn_sync_sink_can_resume_snapshot: some targets hold a completed initial snapshot and every
 * other target has a primary key (changes replayed over a newer copy converge by key); *lsn is
 * the smallest position the completed ones stored. */
bool pmn_sync_sink_can_resume_snapshot(const pmn_sync_sink *s, uint64_t *lsn);
/* pmn_sync_sink_finish_snapshot: commit with position `consistent_lsn` every target the
 * snapshot did not commit table by table. */
int pmn_sync_sink_finish_snapshot(pmn_sync_sink *s, uint64_t consistent_lsn, const char *slot);

/* pmn_sync_sink_commit_due: a lake commit is due (interval passed or buffers large). */
bool pmn_sync_sink_commit_due(const pmn_sync_sink *s);
/* pmn_sync_sink_commit: commit every table with changes; *durable_lsn = end LSN of the last
 * whole source transaction now in the lake (0 if nothing was received yet). */
int pmn_sync_sink_commit(pmn_sync_sink *s, uint64_t *durable_lsn);
/* pmn_sync_sink_has_pending: a transaction is open or received rows are not committed yet. */
bool pmn_sync_sink_has_pending(const pmn_sync_sink *s);
/* pmn_sync_sink_in_txn: a source transaction is open (its changes are not committable). */
bool pmn_sync_sink_in_txn(const pmn_sync_sink *s);

/* Counters for progress lines and status. */
typedef struct pmn_sync_stats {
    uint64_t txns;        /* source transactions applied */
    uint64_t skipped_txns; /* already in the lake (resume) */
    uint64_t rows;        /* changes applied */
    uint64_t commits;     /* lake commits */
    uint64_t last_end_lsn;
    int64_t last_commit_time_us;
} pmn_sync_stats;

void pmn_sync_sink_stats(const pmn_sync_sink *s, pmn_sync_stats *out);
/* pmn_format_lsn: "X/Y" into out[24]. pmn_parse_lsn: the reverse (0 on success). */
void pmn_format_lsn(uint64_t lsn, char out[24]);
int pmn_parse_lsn(const char *s, uint64_t *lsn);

#endif
