/*
 * src/table/compact.c
 *
 * Compacting a table (paimon-format.md §8): plan the latest snapshot, run the
 * compaction strategy on every (partition, bucket) (mergetree/compact.h),
 * rewrite what it picks and publish the DELETE + ADD entries as one COMPACT
 * snapshot, never mixed with new data; with changelog-producer =
 * full-compaction the changelog files of compactions to the max level go to
 * that snapshot's changelog manifest list. pmn_commit re-checks that every input
 * is still live; if a concurrent compaction removed one (PMN_ECONFLICT) this
 * compaction is given up and its new files removed: nothing is lost, the
 * next compaction starts from the new state.
 */
#include "table/compact.h"

#include "mergetree/compact.h"
#include "mergetree/merge_engine.h"
#include "table/commit.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

#include <string.h>

static int32_t highest_level(const pmn_manifest_entry *files, size_t n)
{
    int32_t h = 0;
    for (size_t i = 0; i < n; i++)
        if (files[i].file.level > h)
            h = files[i].file.level;
    return h;
}

/* compact_bucket: pick and rewrite one bucket's files. */
static int compact_bucket(pmn_table *t, const pmn_compact_options *o,
                          const pmn_manifest_entry *files, size_t n, pmn_compact_mode mode,
                          pmn_arena *a, pmn_compact_result *res)
{
    if (!pmn_table_is_pk(t)) {
        size_t from = 0, count = 0;
        if (!pmn_compact_pick_append(o, files, n, mode == PMN_COMPACT_FULL, &from, &count))
            return 0;
        return pmn_compact_rewrite_append(t, o, files + from, count, a, res);
    }
    pmn_sorted_run *runs = NULL;
    size_t nruns = 0;
    pmn_sorted_runs_build(files, n, &runs, &nruns);
    pmn_compact_unit unit;
    bool full = mode == PMN_COMPACT_FULL || (mode == PMN_COMPACT_EARLY_FULL && nruns > 1);
    bool picked = full ? pmn_compact_pick_full(o, runs, nruns, &unit)
                       : pmn_compact_pick(o, runs, nruns, &unit);
    int rc = 0;
    if (picked) {
        /* -U/-D rows can go when nothing older lies at or below the output level */
        bool drop_delete = unit.output_level != 0 && unit.output_level >= highest_level(files, n);
        rc = pmn_compact_rewrite(t, o, runs, nruns, &unit, drop_delete, a, res);
    }
    pmn_sorted_runs_free(runs, nruns);
    return rc;
}

int pmn_table_compact_supported(const pmn_table *t)
{
    const pmn_options *opts = &t->schema->options;
    const char *dv = pmn_options_get(opts, "deletion-vectors.enabled");
    /* checked before the append-table exit: rewriting append files without applying their
     * vectors would bring deleted rows back */
    if (dv && strcmp(dv, "true") == 0)
        return pmn_error_set(PMN_EINVALID,
                             "table %s: compaction with deletion vectors is not supported; "
                             "compact it with Java Paimon",
                             t->full_name);
    if (!pmn_table_is_pk(t))
        return 0;
    /* the rewriter merges by the same engine as reads (mergetree/merge_engine.h) */
    pmn_merge_engine engine;
    int rc = pmn_merge_engine_load(t, "compact", &engine);
    if (rc)
        return rc;
    const char *producer = pmn_options_get(opts, "changelog-producer");
    /* Java refuses this combination (first-row takes changelog-producer none or lookup) */
    if (engine.engine == PMN_ENGINE_FIRST_ROW && producer && !strcmp(producer, "full-compaction"))
        return pmn_error_set(PMN_EINVALID,
                             "table %s: merge-engine first-row does not support "
                             "changelog-producer full-compaction (Java refuses it too); use "
                             "lookup, and compact it with Java Paimon",
                             t->full_name);
    return 0;
}

int pmn_table_compact_run(pmn_table *t, const char *commit_user, int64_t commit_identifier,
                          pmn_compact_mode mode, int64_t *snapshot_id)
{
    *snapshot_id = 0;
    int rc = pmn_table_compact_supported(t);
    if (rc)
        return rc;
    pmn_compact_options o;
    rc = pmn_compact_options_load(t, &o);
    if (rc)
        return rc;
    pmn_plan *plan = NULL;
    rc = pmn_plan_open(t, 0, &plan);
    if (rc)
        return rc;
    pmn_arena a = PMN_ARENA_INIT;
    pmn_compact_result res;
    memset(&res, 0, sizeof res);
    for (size_t i = 0; i < plan->nfiles && rc == 0;) {
        size_t j = i;
        while (j < plan->nfiles && plan->files[j].bucket == plan->files[i].bucket &&
               pmn_bytes_equal(plan->files[j].partition, plan->files[i].partition))
            j++;
        rc = compact_bucket(t, &o, plan->files + i, j - i, mode, &a, &res);
        i = j;
    }
    if (rc == 0 && res.n > 0) {
        char uuid[37];
        if (!commit_user) {
            pmn_uuid4(uuid);
            commit_user = uuid;
        }
        pmn_commit_request req = {
            .entries = res.entries,
            .nentries = res.n,
            .commit_kind = "COMPACT",
            .commit_user = commit_user,
            .commit_identifier = commit_identifier,
            .changelog = res.changelog,
            .nchangelog = res.nchangelog,
        };
        rc = pmn_commit(t, &req, snapshot_id);
        if (rc)
            pmn_error_wrap("compaction of %s: ", t->full_name);
    }
    if (rc)
        pmn_compact_result_discard(&res);
    pmn_compact_result_dispose(&res);
    pmn_arena_free(&a);
    pmn_plan_free(plan);
    return rc;
}

int pmn_table_compact(pmn_table *t, bool full, int64_t *snapshot_id)
{
    return pmn_table_compact_run(t, NULL, -1, full ? PMN_COMPACT_FULL : PMN_COMPACT_PICK,
                                 snapshot_id);
}
