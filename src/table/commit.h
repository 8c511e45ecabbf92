/*
 * src/table/commit.h
 *
 * Committing file changes as a new snapshot (paimon-format.md §3.3, §16):
 * manifest, delta and base manifest lists, snapshot-N published with
 * create-if-absent, retried against the new latest snapshot when another
 * writer won the race.
 */
#ifndef PMN_TABLE_COMMIT_H
#define PMN_TABLE_COMMIT_H

#include "table/table_internal.h"

typedef struct pmn_commit_request {
    const pmn_manifest_entry *entries; /* ADD / DELETE entries (borrowed) */
    size_t nentries;
    bool delete_all;         /* OVERWRITE: also DELETE every file live in the latest snapshot */
    /* with delete_all: when set, only the files whose partition it accepts (partition
     * overwrite); arg is its first argument */
    bool (*delete_partition)(void *arg, pmn_bytes partition);
    void *delete_arg;
    const char *commit_kind; /* APPEND, COMPACT, OVERWRITE */
    const char *commit_user;
    int64_t commit_identifier; /* < 0: the latest snapshot's (compaction commits) */
    const pmn_manifest_entry *changelog; /* ADD entries of changelog files (changelog-producer
                                            input), or NULL: the changelog manifest list */
    size_t nchangelog;
    const pmn_kv *properties; /* set on top of the previous snapshot's properties */
    size_t nproperties;
} pmn_commit_request;

/* pmn_commit: publish one snapshot; *snapshot_id = its id. PMN_ECONFLICT only when retries
 * (commit.max-retries, default 10) could not resolve a race. */
int pmn_commit(pmn_table *t, const pmn_commit_request *req, int64_t *snapshot_id);

#endif
