/*
 * src/mergetree/compact.h
 *
 * Compaction of one (partition, bucket) of a table (paimon-format.md §8,
 * §5.3, §5.4, §17.10):
 *
 *   strategy   (compact_strategy.c) Java's UniversalCompaction.pick for
 *              primary-key buckets: sorted runs = level-0 files newest first,
 *              then one run per non-empty level; early full compaction by
 *              total or incremental size (1.x options), size amplification,
 *              size ratio, force-pick past num-sorted-run.compaction-trigger;
 *              the output level rules; full compaction to the max level. For
 *              append buckets, a window of small files in sequence order
 *              (compaction.min.file-num .. compaction.max.file-num).
 *   rewriter   (compact_rewriter.c) the files of a picked unit k-way merged
 *              by (key, sequence) into new files at the output level,
 *              deduplicate keeping the highest sequence, or the versions of
 *              each key folded oldest first by the table's merge engine
 *              (first-row, partial-update, ignore-delete: merge_engine.h, the
 *              same rules as reads); -U/-D rows dropped
 *              only when nothing older can lie below the output level; files
 *              rolled at target-file-size; a file that needs no merging only
 *              moves level (DELETE@old + ADD@new of the same file name). With
 *              changelog-producer = full-compaction a compaction to the max
 *              level also writes changelog files (Java's
 *              FullChangelogMergeFunctionWrapper): per key the version read
 *              from the max level is the before image, the merged one the
 *              after image: +I (no before), -D (merged is a delete), -U/+U
 *              (changed; equal rows too unless row-deduplicate).
 *
 * The result is a list of DELETE and ADD manifest entries that the caller
 * commits as one COMPACT snapshot (table/compact.c).
 */
#ifndef PMN_MERGETREE_COMPACT_H
#define PMN_MERGETREE_COMPACT_H

#include "table/table_internal.h"

/* Compaction options of a table (defaults of Paimon 0.9/1.x). */
typedef struct pmn_compact_options {
    int32_t trigger;                    /* num-sorted-run.compaction-trigger (5) */
    int32_t stop_trigger;               /* num-sorted-run.stop-trigger (trigger + 3) */
    int32_t num_levels;                 /* num-levels (trigger + 1) */
    int32_t max_size_amp;               /* compaction.max-size-amplification-percent (200) */
    int32_t size_ratio;                 /* compaction.size-ratio (1) */
    int64_t target_file_size;           /* target-file-size (128 MB PK, 256 MB append) */
    int32_t min_file_num;               /* compaction.min.file-num (5), append tables */
    int32_t max_file_num;               /* compaction.max.file-num (50), append tables */
    int32_t full_delta_commits;         /* full-compaction.delta-commits (0 = off) */
    bool write_only;                    /* write-only: the writer never compacts or expires */
    int64_t total_size_threshold;       /* compaction.total-size-threshold (0 = unset): a bucket
                                           smaller than this is fully compacted */
    int64_t incremental_size_threshold; /* compaction.incremental-size-threshold (0 = unset):
                                     runs above the max level larger than this together are
                                     fully compacted */
    int changelog;                      /* changelog-producer: PMN_COMPACT_CHANGELOG_* */
    bool row_deduplicate;               /* changelog-producer.row-deduplicate (false) */
} pmn_compact_options;

/* What a compaction adds to the changelog (changelog-producer, paimon-format.md §5.5). */
enum {
    PMN_COMPACT_CHANGELOG_NONE, /* none / input: compaction writes no changelog */
    PMN_COMPACT_CHANGELOG_FULL, /* full-compaction: a compaction to the max level compares each
                                   key's max-level version (before) with the merged one (after) */
    PMN_COMPACT_CHANGELOG_LOOKUP, /* lookup: a compaction of level-0 files compares each key's
                                     newest version at a level >= 1 (looked up in the levels
                                     not compacted if need be) with the merged one */
};

/* pmn_compact_options_load: read the options of t (PMN_EINVALID names a malformed one). */
int pmn_compact_options_load(const pmn_table *t, pmn_compact_options *o);

/* A sorted run: level-0 file (one each) or all files of one level >= 1. */
typedef struct pmn_sorted_run {
    int32_t level;
    const pmn_manifest_entry **files; /* borrowed, ascending key order for level >= 1 */
    size_t nfiles;
    int64_t size; /* total bytes */
} pmn_sorted_run;

/* A picked unit: the first nruns runs, to be written to output_level. */
typedef struct pmn_compact_unit {
    size_t nruns;
    int32_t output_level;
} pmn_compact_unit;

/* pmn_sorted_runs_build: the runs of one bucket's live files (`files`, n of them, all of one
 * partition and bucket): level 0 newest first (by max sequence), then levels ascending.
 * *runs and each run's files array are heap-allocated: free with pmn_sorted_runs_free. */
void pmn_sorted_runs_build(const pmn_manifest_entry *files, size_t n, pmn_sorted_run **runs,
                           size_t *nruns);
void pmn_sorted_runs_free(pmn_sorted_run *runs, size_t nruns);

/* pmn_compact_pick: UniversalCompaction.pick. true and *unit filled when something should be
 * compacted. */
bool pmn_compact_pick(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                      pmn_compact_unit *unit);
/* pmn_compact_pick_full: every run to the max level, unless the bucket is already a single
 * run there. */
bool pmn_compact_pick_full(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                           pmn_compact_unit *unit);
/* pmn_compact_pick_append: a window [*from, *from + *count) of the append bucket's files
 * (sorted by sequence) to merge into fewer files; full = merge every small file. */
bool pmn_compact_pick_append(const pmn_compact_options *o, const pmn_manifest_entry *files,
                             size_t n, bool full, size_t *from, size_t *count);

/* Output of a rewrite: DELETE entries for inputs, ADD entries for outputs (arena-owned). */
typedef struct pmn_compact_result {
    pmn_manifest_entry *entries;
    size_t n, cap;
    pmn_manifest_entry *changelog; /* ADD entries of changelog files (arena-owned) */
    size_t nchangelog, capchangelog;
    char **written; /* paths of new files (removed by pmn_compact_result_discard) */
    size_t nwritten, capwritten;
} pmn_compact_result;

/* pmn_compact_rewrite: carry out `unit` on `runs` of one primary-key bucket. Entries are
 * appended to *res (allocated in a); new files are written in the bucket directory.
 * `max_level` = num-levels - 1; drop_delete: -U/-D rows may be dropped (nothing older lies at
 * or below the output level). On error the files written are removed. */
int pmn_compact_rewrite(pmn_table *t, const pmn_compact_options *o, const pmn_sorted_run *runs,
                        size_t nruns, const pmn_compact_unit *unit, bool drop_delete,
                        pmn_arena *a, pmn_compact_result *res);
/* pmn_compact_rewrite_append: concatenate the files of an append bucket into files of up to
 * target-file-size (level 0, file source COMPACT). */
int pmn_compact_rewrite_append(pmn_table *t, const pmn_compact_options *o,
                               const pmn_manifest_entry *files, size_t n, pmn_arena *a,
                               pmn_compact_result *res);
/* pmn_compact_result_discard: remove the files written (after a failed commit). */
void pmn_compact_result_discard(pmn_compact_result *res);
void pmn_compact_result_dispose(pmn_compact_result *res);

#endif
