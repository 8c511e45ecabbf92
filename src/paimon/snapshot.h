/*
 * src/paimon/snapshot.h
 *
 * snapshot/snapshot-N files and the LATEST/EARLIEST hints (paimon-format.md §3;
 * org.apache.paimon.Snapshot, SnapshotManager), tags (tag/tag-NAME, §9) and
 * time travel by timestamp.
 */
#ifndef PMN_PAIMON_SNAPSHOT_H
#define PMN_PAIMON_SNAPSHOT_H

#include "paimon/options.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pmn_snapshot {
    int32_t version; /* 3 */
    int64_t id;
    int64_t schema_id;
    char *base_manifest_list;      /* owned */
    int64_t base_manifest_list_size;   /* -1 = absent */
    char *delta_manifest_list;     /* owned */
    int64_t delta_manifest_list_size;  /* -1 = absent */
    char *changelog_manifest_list; /* owned; NULL = absent/null */
    int64_t changelog_manifest_list_size; /* -1 = absent */
    char *index_manifest;          /* owned; NULL = absent */
    char *commit_user;             /* owned */
    int64_t commit_identifier;
    char *commit_kind;             /* owned: APPEND, COMPACT, OVERWRITE, ANALYZE */
    int64_t time_millis;
    bool has_total_record_count;
    int64_t total_record_count;
    bool has_delta_record_count;
    int64_t delta_record_count;
    bool has_changelog_record_count;
    int64_t changelog_record_count;
    bool has_watermark;
    int64_t watermark;
    char *statistics;              /* owned; NULL = absent */
    pmn_options properties;        /* empty = omitted */
    /* tag files only */
    char *tag_create_time;         /* owned raw JSON text of tagCreateTime; NULL if absent */
    char *tag_time_retained;       /* owned; NULL if absent */
} pmn_snapshot;

int pmn_snapshot_from_json(const char *json, size_t len, pmn_snapshot **out);
/* pmn_snapshot_to_json: the 0.9 key set (+ properties when non-empty), Jackson pretty style. */
char *pmn_snapshot_to_json(const pmn_snapshot *s);
void pmn_snapshot_free(pmn_snapshot *s);

/* pmn_snapshot_read: <table>/snapshot/snapshot-<id>. PMN_ENOTFOUND if absent. */
int pmn_snapshot_read(const char *table_path, int64_t id, pmn_snapshot **out);
/* pmn_snapshot_latest_id: LATEST hint h; if snapshot-(h+1) absent -> h, else list dir for max.
 * *id = 0 when the table has no snapshot. */
int pmn_snapshot_latest_id(const char *table_path, int64_t *id);
/* pmn_snapshot_earliest_id: EARLIEST trusted only if that snapshot exists, else listing. 0 if none. */
int pmn_snapshot_earliest_id(const char *table_path, int64_t *id);
/* pmn_snapshot_list_ids: ascending ids present (caller frees). */
int pmn_snapshot_list_ids(const char *table_path, int64_t **ids, size_t *count);
/* pmn_snapshot_publish: create snapshot-<s->id> atomically only if absent (PMN_ECONFLICT if it
 * exists), durable; then rewrite the LATEST hint (best effort). */
int pmn_snapshot_publish(const char *table_path, const pmn_snapshot *s);
/* pmn_snapshot_write_hint: rewrite snapshot/LATEST or snapshot/EARLIEST (decimal, no newline). */
int pmn_snapshot_write_hint(const char *table_path, const char *hint, int64_t id);
/* pmn_snapshot_id_at_time: latest snapshot with timeMillis <= t (binary search over existing
 * ids). PMN_ENOTFOUND (message names the earliest snapshot's time) if t precedes all. */
int pmn_snapshot_id_at_time(const char *table_path, int64_t t, int64_t *id);

/* pmn_tag_read: <table>/tag/tag-<name> as a snapshot (with tag fields). PMN_ENOTFOUND. */
int pmn_tag_read(const char *table_path, const char *name, pmn_snapshot **out);
/* pmn_tag_list: names of tags, sorted (caller frees with pmn_strings_free). */
int pmn_tag_list(const char *table_path, char ***names, size_t *count);

#endif
