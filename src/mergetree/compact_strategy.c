/*
 * src/mergetree/compact_strategy.c
 *
 * Which files of a bucket to compact (paimon-format.md §8): Java's
 * UniversalCompaction.pick for primary-key buckets and a small-file window for
 * append buckets. See compact.h.
 */
#include "mergetree/compact.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int get_int32(const pmn_table *t, const char *key, int64_t def, int64_t min, int32_t *out)
{
    int64_t v = def;
    int rc = pmn_options_get_int64(&t->schema->options, key, def, &v);
    if (rc)
        return pmn_error_wrap("table %s: ", t->full_name);
    if (v < min || v > INT32_MAX)
        return pmn_error_set(PMN_EINVALID, "table %s: option %s = %lld is out of range",
                             t->full_name, key, (long long)v);
    *out = (int32_t)v;
    return 0;
}

int pmn_compact_options_load(const pmn_table *t, pmn_compact_options *o)
{
    memset(o, 0, sizeof *o);
    int rc = get_int32(t, "num-sorted-run.compaction-trigger", 5, 1, &o->trigger);
    if (rc == 0)
        rc = get_int32(t, "num-sorted-run.stop-trigger", (int64_t)o->trigger + 3, 1,
                       &o->stop_trigger);
    if (rc == 0)
        rc = get_int32(t, "num-levels", (int64_t)o->trigger + 1, 2, &o->num_levels);
    if (rc == 0)
        rc = get_int32(t, "compaction.max-size-amplification-percent", 200, 0, &o->max_size_amp);
    if (rc == 0)
        rc = get_int32(t, "compaction.size-ratio", 1, 0, &o->size_ratio);
    if (rc == 0)
        rc = get_int32(t, "compaction.min.file-num", 5, 1, &o->min_file_num);
    if (rc == 0)
        rc = get_int32(t, "compaction.max.file-num", 50, 2, &o->max_file_num);
    if (rc == 0)
        rc = get_int32(t, "full-compaction.delta-commits", 0, 0, &o->full_delta_commits);
    if (rc == 0) {
        rc = pmn_options_get_memory(&t->schema->options, "target-file-size",
                                    pmn_table_is_pk(t) ? 128LL << 20 : 256LL << 20,
                                    &o->target_file_size);
        if (rc)
            rc = pmn_error_wrap("table %s: ", t->full_name);
    }
    if (rc == 0)
        rc = pmn_options_get_memory(&t->schema->options, "compaction.total-size-threshold", 0,
                                    &o->total_size_threshold);
    if (rc == 0)
        rc = pmn_options_get_memory(&t->schema->options, "compaction.incremental-size-threshold",
                                    0, &o->incremental_size_threshold);
    if (rc)
        rc = pmn_error_wrap("table %s: ", t->full_name);
    if (rc == 0) {
        rc = pmn_options_get_bool(&t->schema->options, "write-only", false, &o->write_only);
        if (rc)
            rc = pmn_error_wrap("table %s: ", t->full_name);
    }
    if (rc == 0) {
        rc = pmn_options_get_bool(&t->schema->options, "changelog-producer.row-deduplicate",
                                  false, &o->row_deduplicate);
        if (rc)
            rc = pmn_error_wrap("table %s: ", t->full_name);
    }
    const char *producer = pmn_options_get(&t->schema->options, "changelog-producer");
    if (producer && !strcmp(producer, "full-compaction") && pmn_table_is_pk(t))
        o->changelog = PMN_COMPACT_CHANGELOG_FULL;
    if (producer && !strcmp(producer, "lookup") && pmn_table_is_pk(t))
        o->changelog = PMN_COMPACT_CHANGELOG_LOOKUP;
    if (o->stop_trigger < o->trigger)
        o->stop_trigger = o->trigger;
    if (o->target_file_size <= 0)
        o->target_file_size = 1;
    return rc;
}

/* ---- sorted runs ---- */

static int cmp_level0_newest_first(const void *pa, const void *pb)
{
    const pmn_manifest_entry *a = *(const pmn_manifest_entry *const *)pa;
    const pmn_manifest_entry *b = *(const pmn_manifest_entry *const *)pb;
    if (a->file.max_sequence_number != b->file.max_sequence_number)
        return a->file.max_sequence_number > b->file.max_sequence_number ? -1 : 1;
    return strcmp(b->file.file_name, a->file.file_name);
}

/* level >= 1 files in key order: min keys of one level never overlap, so the serialized min
 * key compared as a sort key is not enough in general; the rewriter re-sorts by decoded key. */
void pmn_sorted_runs_build(const pmn_manifest_entry *files, size_t n, pmn_sorted_run **runs,
                           size_t *nruns)
{
    pmn_sorted_run *r = pmn_xcalloc(n + 1, sizeof *r);
    size_t k = 0;
    /* level 0: one run per file, newest first */
    const pmn_manifest_entry **l0 = pmn_xcalloc(n + 1, sizeof *l0);
    size_t nl0 = 0;
    for (size_t i = 0; i < n; i++)
        if (files[i].file.level == 0)
            l0[nl0++] = &files[i];
    qsort(l0, nl0, sizeof *l0, cmp_level0_newest_first);
    for (size_t i = 0; i < nl0; i++) {
        r[k].level = 0;
        r[k].files = pmn_xmalloc(sizeof *r[k].files);
        r[k].files[0] = l0[i];
        r[k].nfiles = 1;
        r[k].size = l0[i]->file.file_size;
        k++;
    }
    free(l0);
    /* levels >= 1 ascending: one run each */
    int32_t max_level = 0;
    for (size_t i = 0; i < n; i++)
        if (files[i].file.level > max_level)
            max_level = files[i].file.level;
    for (int32_t level = 1; level <= max_level; level++) {
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++)
            cnt += files[i].file.level == level;
        if (cnt == 0)
            continue;
        r[k].level = level;
        r[k].files = pmn_xcalloc(cnt, sizeof *r[k].files);
        for (size_t i = 0; i < n; i++) {
            if (files[i].file.level == level) {
                r[k].files[r[k].nfiles++] = &files[i];
                r[k].size += files[i].file.file_size;
            }
        }
        k++;
    }
    *runs = r;
    *nruns = k;
}

void pmn_sorted_runs_free(pmn_sorted_run *runs, size_t nruns)
{
    for (size_t i = 0; i < nruns; i++)
        free(runs[i].files);
    free(runs);
}

/* ---- universal compaction ---- */

/* create_unit: the first run_count runs; output to the level below the next run, never 0. */
static void create_unit(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                        size_t run_count, pmn_compact_unit *unit)
{
    int32_t max_level = o->num_levels - 1;
    int32_t out;
    if (run_count == nruns) {
        out = max_level;
    } else {
        out = runs[run_count].level - 1;
        if (out < 0)
            out = 0;
    }
    if (out == 0) {
        /* level 0 is never an output: take runs up to and including the next level >= 1 */
        for (size_t i = run_count; i < nruns; i++) {
            run_count++;
            if (runs[i].level != 0) {
                out = runs[i].level;
                break;
            }
        }
    }
    if (run_count == nruns)
        out = max_level;
    unit->nruns = run_count;
    unit->output_level = out;
}

static bool pick_size_amp(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                          pmn_compact_unit *unit)
{
    if (nruns < (size_t)o->trigger || nruns == 0)
        return false;
    int64_t candidate = 0;
    for (size_t i = 0; i + 1 < nruns; i++)
        candidate += runs[i].size;
    int64_t earliest = runs[nruns - 1].size;
    /* size amplification = (all but the oldest run) / oldest run */
    if ((double)candidate * 100.0 > (double)o->max_size_amp * (double)earliest) {
        unit->nruns = nruns;
        unit->output_level = o->num_levels - 1;
        return true;
    }
    return false;
}

/* pick_size_ratio: gather runs newest first while they are not much bigger than what is
 * gathered; once a compaction is due, runs at levels 0 and 1 join regardless (as Java 1.x
 * does: they are small and would otherwise stay behind as extra runs). */
static bool pick_size_ratio(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                            size_t candidate_count, bool force, pmn_compact_unit *unit)
{
    if (candidate_count > nruns)
        candidate_count = nruns;
    double candidate = 0;
    for (size_t i = 0; i < candidate_count; i++)
        candidate += (double)runs[i].size;
    bool triggered = force || candidate_count > 1;
    for (size_t i = candidate_count; i < nruns; i++) {
        if (candidate * (100.0 + o->size_ratio) / 100.0 < (double)runs[i].size &&
            (!triggered || runs[i].level > 1))
            break;
        candidate += (double)runs[i].size;
        candidate_count++;
        triggered = true;
    }
    if (triggered) {
        create_unit(o, runs, nruns, candidate_count, unit);
        return true;
    }
    return false;
}

bool pmn_compact_pick(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                      pmn_compact_unit *unit)
{
    if (nruns == 0)
        return false;
    /* 0. early full compaction (Java's EarlyFullCompaction): a small bucket, or enough new
     * data above the max level */
    if (nruns > 1 && (o->total_size_threshold > 0 || o->incremental_size_threshold > 0)) {
        int64_t total = 0, incremental = 0;
        for (size_t i = 0; i < nruns; i++) {
            total += runs[i].size;
            if (runs[i].level != o->num_levels - 1)
                incremental += runs[i].size;
        }
        if ((o->total_size_threshold > 0 && total < o->total_size_threshold) ||
            (o->incremental_size_threshold > 0 && incremental > o->incremental_size_threshold)) {
            unit->nruns = nruns;
            unit->output_level = o->num_levels - 1;
            return true;
        }
    }
    /* 1. size amplification */
    if (pick_size_amp(o, runs, nruns, unit))
        return true;
    /* 2. size ratio */
    if (nruns >= (size_t)o->trigger && pick_size_ratio(o, runs, nruns, 1, false, unit))
        return true;
    /* 3. too many runs: force-pick the newest runs - trigger + 1 */
    if (nruns > (size_t)o->trigger)
        return pick_size_ratio(o, runs, nruns, nruns - (size_t)o->trigger + 1, true, unit);
    /* changelog-producer lookup (Java's ForceUpLevel0Compaction): level-0 files never wait,
     * their changelog comes from compacting them */
    if (o->changelog == PMN_COMPACT_CHANGELOG_LOOKUP) {
        size_t l0 = 0;
        while (l0 < nruns && runs[l0].level == 0)
            l0++;
        if (l0 > 0)
            return pick_size_ratio(o, runs, nruns, l0, true, unit);
    }
    return false;
}

bool pmn_compact_pick_full(const pmn_compact_options *o, const pmn_sorted_run *runs, size_t nruns,
                           pmn_compact_unit *unit)
{
    int32_t max_level = o->num_levels - 1;
    if (nruns == 0 || (nruns == 1 && runs[0].level == max_level))
        return false;
    unit->nruns = nruns;
    unit->output_level = max_level;
    return true;
}

/* ---- append tables ---- */

bool pmn_compact_pick_append(const pmn_compact_options *o, const pmn_manifest_entry *files,
                             size_t n, bool full, size_t *from, size_t *count)
{
    /* the oldest window of consecutive small files; big files are left alone */
    int64_t small = o->target_file_size / 10 * 7;
    if (small <= 0)
        small = o->target_file_size;
    size_t min = full ? 2 : (size_t)(o->min_file_num > 1 ? o->min_file_num : 2);
    for (size_t i = 0; i < n;) {
        if (files[i].file.file_size >= small) {
            i++;
            continue;
        }
        size_t j = i;
        int64_t total = 0;
        while (j < n && files[j].file.file_size < small && j - i < (size_t)o->max_file_num &&
               (j == i || total < o->target_file_size)) {
            total += files[j].file.file_size;
            j++;
        }
        if (j - i >= min) {
            *from = i;
            *count = j - i;
            return true;
        }
        i = j > i ? j : i + 1;
    }
    return false;
}
