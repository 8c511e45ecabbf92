/*
 * tests/unit/test_compaction.c
 *
 * Lake engine part 2: the universal-compaction strategy on hand-made runs;
 * a long model-based run of upserts and deletes with compaction, expiry and
 * tags on, checked against an in-memory model after every commit (table check
 * after every compaction, every file of every retained snapshot and tag on
 * disk after every expiry, bounds on runs and snapshots at the end, no deleted
 * key on disk after a full compaction); append-table file merging; consumers;
 * a reader scanning a snapshot that expires under it; orphan removal; and
 * writers killed with SIGKILL while compacting and expiring.
 */
#include "testutil.h"

#include "change/datum.h"
#include "mergetree/compact.h"
#include "pmn/pmn.h"
#include "table/compact.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- strategy ---- */

static pmn_compact_options strategy_options(int32_t trigger, int32_t levels)
{
    pmn_compact_options o;
    memset(&o, 0, sizeof o);
    o.trigger = trigger;
    o.stop_trigger = trigger + 3;
    o.num_levels = levels;
    o.max_size_amp = 200;
    o.size_ratio = 1;
    o.target_file_size = 1 << 20;
    return o;
}

/* make_runs: runs from "level:size" pairs, newest first. */
static pmn_sorted_run *make_runs(const int32_t *levels, const int64_t *sizes, size_t n)
{
    pmn_sorted_run *r = pmn_xcalloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].level = levels[i];
        r[i].size = sizes[i];
    }
    return r;
}

static void test_compaction__strategy(void **state)
{
    pmn_compact_options o = strategy_options(3, 4); /* levels 0..3 */
    pmn_compact_unit u;
    /* fewer runs than the trigger: nothing */
    {
        int32_t lv[] = {0, 0};
        int64_t sz[] = {10, 10};
        pmn_sorted_run *r = make_runs(lv, sz, 2);
        assert_false(pmn_compact_pick(&o, r, 2, &u));
        free(r);
    }
    /* size amplification: newer runs 30 > 200% of the oldest 10 -> all to the max level */
    {
        int32_t lv[] = {0, 0, 0, 3};
        int64_t sz[] = {10, 10, 10, 10};
        pmn_sorted_run *r = make_runs(lv, sz, 4);
        assert_true(pmn_compact_pick(&o, r, 4, &u));
        assert_int_equal(u.nruns, 4);
        assert_int_equal(u.output_level, 3);
        free(r);
    }
    /* size ratio: 1, 1 accumulate (2 >= 1*1.01? no: 1*1.01 >= 1 yes), then 2*1.01 >= 2 yes,
     * then 4*1.01 < 100 stops: 3 runs, output = level of run 3 (3) - 1 = 2 */
    {
        int32_t lv[] = {0, 0, 0, 3};
        int64_t sz[] = {1, 1, 2, 100};
        pmn_sorted_run *r = make_runs(lv, sz, 4);
        assert_true(pmn_compact_pick(&o, r, 4, &u));
        assert_int_equal(u.nruns, 3);
        assert_int_equal(u.output_level, 2);
        free(r);
    }
    /* output level 0 is never used: the next run at level >= 1 joins and is the output */
    {
        int32_t lv[] = {0, 0, 0, 0, 1, 3};
        int64_t sz[] = {1, 1, 10, 10, 10, 1000};
        pmn_sorted_run *r = make_runs(lv, sz, 6);
        /* size amp: 32 <= 2000; ratio: 1 -> 2, then 2*1.01 < 10 but a triggered pick takes
         * the level-0 and level-1 runs anyway (Java 1.x): 5 runs, output = level(L3) - 1 */
        assert_true(pmn_compact_pick(&o, r, 6, &u));
        assert_int_equal(u.nruns, 5);
        assert_int_equal(u.output_level, 2);
        free(r);
    }
    /* a forced pick gathers by ratio past its forced runs */
    {
        int32_t lv[] = {0, 0, 2, 3};
        int64_t sz[] = {1, 10, 10, 1000};
        pmn_sorted_run *r = make_runs(lv, sz, 4);
        /* size amp: 21 <= 2000; ratio: 1*1.01 < 10 stops at 1 run (not triggered); force pick
         * (4 > 3 runs): 2 runs, then 11*1.01 >= 10 takes L2, 21 < 1000 stops: 3 runs -> L2 */
        assert_true(pmn_compact_pick(&o, r, 4, &u));
        assert_int_equal(u.nruns, 3);
        assert_int_equal(u.output_level, 2);
        free(r);
    }
    /* too many runs and no ratio: force-pick runs - trigger + 1 newest */
    {
        int32_t lv[] = {0, 0, 0, 1, 2, 3};
        int64_t sz[] = {1, 10, 100, 1000, 10000, 100000};
        pmn_sorted_run *r = make_runs(lv, sz, 6);
        assert_true(pmn_compact_pick(&o, r, 6, &u));
        /* 6 - 3 + 1 = 4 runs: sizes 1+10+100+1000; next run L2 -> output 1 */
        assert_int_equal(u.nruns, 4);
        assert_int_equal(u.output_level, 1);
        free(r);
    }
    /* full compaction: nothing when the bucket is one run at the max level */
    {
        int32_t lv[] = {3};
        int64_t sz[] = {10};
        pmn_sorted_run *r = make_runs(lv, sz, 1);
        assert_false(pmn_compact_pick_full(&o, r, 1, &u));
        free(r);
        int32_t lv2[] = {0, 3};
        int64_t sz2[] = {1, 10};
        r = make_runs(lv2, sz2, 2);
        assert_true(pmn_compact_pick_full(&o, r, 2, &u));
        assert_int_equal(u.nruns, 2);
        assert_int_equal(u.output_level, 3);
        free(r);
    }
    /* append windows: the oldest run of >= min small files, at most max */
    {
        pmn_compact_options ao = strategy_options(5, 6);
        ao.min_file_num = 3;
        ao.max_file_num = 4;
        ao.target_file_size = 1000;
        pmn_manifest_entry f[8];
        memset(f, 0, sizeof f);
        int64_t sizes[] = {900, 10, 10, 900, 10, 10, 10, 10};
        for (int i = 0; i < 8; i++)
            f[i].file.file_size = sizes[i];
        size_t from, count;
        assert_true(pmn_compact_pick_append(&ao, f, 8, false, &from, &count));
        assert_int_equal(from, 4);
        assert_int_equal(count, 4);
        assert_true(pmn_compact_pick_append(&ao, f, 4, true, &from, &count));
        assert_int_equal(from, 1);
        assert_int_equal(count, 2);
        assert_false(pmn_compact_pick_append(&ao, f, 4, false, &from, &count));
    }
}

/* ---- table helpers ---- */

static pmn_table *create_table(pmn_catalog *cat, const char *name, bool pk, const pmn_kv *extra,
                               size_t nextra)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "name", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[32];
    size_t n = 0;
    opts[n++] = (pmn_kv){"bucket", pk ? "2" : "-1"};
    for (size_t i = 0; i < nextra && n < 32; i++)
        opts[n++] = extra[i];
    pmn_table_def def = {.row_type = row,
                         .primary_keys = pk ? keys : NULL,
                         .nprimary_keys = pk ? 1 : 0,
                         .options = opts,
                         .noptions = n};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

static void put(pmn_writer *w, int64_t key, int32_t qty, bool del)
{
    char name[48];
    int len = snprintf(name, sizeof name, "name-%lld-padding-to-make-rows-bigger", (long long)key);
    pmn_datum row[3];
    row[0] = pmn_datum_int(key);
    row[1] = pmn_datum_str(name, (uint32_t)len);
    row[2] = pmn_datum_int(qty);
    assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
}

/* check_model: the table at snap (0 latest; tag if non-NULL) equals qty[] (-1 = absent). */
static void check_model(pmn_table *t, const int32_t *qty, int nkeys, int64_t snap, const char *tag)
{
    pmn_scan_options o = {.snapshot_id = snap, .tag = tag};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    char *seen = pmn_xcalloc((size_t)nkeys, 1);
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < nkeys);
        if (seen[k])
            fail_msg("key %lld returned twice", (long long)k);
        seen[k] = 1;
        if (qty[k] != (int32_t)row[2].v.i)
            fail_msg("snapshot %lld%s%s key %lld: lake %lld, model %d",
                     (long long)pmn_scan_snapshot_id(s), tag ? " tag " : "", tag ? tag : "",
                     (long long)k, (long long)row[2].v.i, qty[k]);
    }
    if (rc != PMN_ITEROVER)
        fail_msg("scan failed: %s", pmn_error_last());
    for (int k = 0; k < nkeys; k++)
        if (!seen[k] && qty[k] >= 0)
            fail_msg("key %d missing", k);
    free(seen);
    pmn_scan_free(s);
}

static void assert_checks(pmn_table *t)
{
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("%s: %zu violations:\n%s", pmn_table_name(t), violations, report);
    free(report);
}

/* assert_plan_files_exist: every data file of plan p is on disk. snapshot_id > 0: unless that
 * snapshot is gone by now (a background expiry removes the snapshot file before any data
 * file, so a missing file of a still-present snapshot is always a bug). */
static void assert_plan_files_exist(pmn_table *t, pmn_plan *p, const char *what,
                                    int64_t snapshot_id)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        char *dir = pmn_table_bucket_dir(t, p->files[i].partition, p->files[i].bucket);
        char *path = pmn_path_join(dir, p->files[i].file.file_name);
        char *snap =
            pmn_xasprintf("%s/snapshot/snapshot-%lld", pmn_table_path(t), (long long)snapshot_id);
        bool gone = snapshot_id > 0 && !pmn_fs_exists(snap);
        free(snap);
        if (!pmn_fs_exists(path) && !gone)
            fail_msg("%s: data file %s is gone", what, path);
        free(path);
        free(dir);
    }
}

/* assert_referenced_exist: every file of every snapshot present and of every tag exists. */
static void assert_referenced_exist(pmn_table *t)
{
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_snapshot_list_ids(pmn_table_path(t), &ids, &n));
    for (size_t i = 0; i < n; i++) {
        pmn_plan *p;
        int rc = pmn_plan_open(t, ids[i], &p);
        char *sp = pmn_xasprintf("%s/snapshot/snapshot-%lld", pmn_table_path(t), (long long)ids[i]);
        bool expired = rc == PMN_ENOTFOUND && !pmn_fs_exists(sp);
        free(sp);
        if (expired)
            continue; /* expired by the writer's background job since the listing */
        if (rc != 0)
            fail_msg("snapshot %lld unreadable: %s", (long long)ids[i], pmn_error_last());
        char what[64];
        snprintf(what, sizeof what, "snapshot %lld", (long long)ids[i]);
        assert_plan_files_exist(t, p, what, ids[i]);
        pmn_plan_free(p);
    }
    free(ids);
    char **names;
    int64_t *tag_ids;
    assert_pmn_ok(pmn_table_tags(t, &names, &tag_ids, &n));
    for (size_t i = 0; i < n; i++) {
        pmn_scan_options o = {.tag = names[i]};
        int64_t id;
        pmn_snapshot *tag;
        assert_pmn_ok(pmn_plan_resolve(t, &o, &id, &tag));
        pmn_plan *p;
        if (pmn_plan_open_snapshot(t, tag, &p) != 0)
            fail_msg("tag %s unreadable: %s", names[i], pmn_error_last());
        assert_plan_files_exist(t, p, names[i], 0);
        pmn_plan_free(p);
    }
    pmn_strings_free(names, n);
    free(tag_ids);
}

/* bucket_runs: the largest number of sorted runs in any bucket of the latest snapshot, and
 * the number of live files. */
static void bucket_stats(pmn_table *t, size_t *max_runs, size_t *nfiles)
{
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    *max_runs = 0;
    *nfiles = p->nfiles;
    for (size_t i = 0; i < p->nfiles;) {
        size_t j = i;
        while (j < p->nfiles && p->files[j].bucket == p->files[i].bucket &&
               pmn_bytes_equal(p->files[j].partition, p->files[i].partition))
            j++;
        pmn_sorted_run *runs;
        size_t nruns;
        pmn_sorted_runs_build(p->files + i, j - i, &runs, &nruns);
        if (nruns > *max_runs)
            *max_runs = nruns;
        pmn_sorted_runs_free(runs, nruns);
        i = j;
    }
    pmn_plan_free(p);
}

static size_t count_snapshots(pmn_table *t)
{
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_snapshot_list_ids(pmn_table_path(t), &ids, &n));
    free(ids);
    return n;
}

/* ---- the long model-based run ---- */

/* model_run: async = compaction and expiry in the writer's background thread (checked for
 * correctness while they race with commits and reads); otherwise inside each commit
 * (commit.force-compact), which also pins down when COMPACT snapshots appear. */
static void model_run(bool async, int commits)
{
    char *dir = pmn_test_tmpdir(async ? "compaction-model-async" : "compaction-model");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {
        {"num-sorted-run.compaction-trigger", "3"},
        {"target-file-size", "24 kb"},
        {"snapshot.num-retained.min", "4"},
        {"snapshot.num-retained.max", "12"},
        {"snapshot.time-retained", "1 ms"},
        {"full-compaction.delta-commits", "97"},
        {"manifest.merge-min-count", "8"},
        {"commit.force-compact", async ? "false" : "true"},
    };
    pmn_table *t = create_table(cat, "kv", true, opts, 8);
    enum { NKEYS = 3000, NTAGS = 6 };
    const int COMMITS = commits;
    int32_t *qty = pmn_xmalloc(sizeof *qty * NKEYS);
    for (int k = 0; k < NKEYS; k++)
        qty[k] = -1;
    int32_t *tag_model[NTAGS] = {0};
    int ntags = 0;
    srand(1234);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "model", &w));
    long rows = 0;
    int64_t compactions = 0, prev_snap = 0;
    for (int c = 1; c <= COMMITS; c++) {
        int batch = 1 + rand() % 600;
        for (int i = 0; i < batch; i++) {
            int64_t key = rand() % NKEYS;
            bool del = rand() % 5 == 0;
            int32_t q = rand() % 100000;
            put(w, key, q, del);
            qty[key] = del ? -1 : q;
        }
        rows += batch;
        int64_t before = 0, snap = 0, after = 0;
        assert_pmn_ok(pmn_table_latest_snapshot(t, &before));
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        assert_true(snap > before);
        assert_pmn_ok(pmn_table_latest_snapshot(t, &after));
        check_model(t, qty, NKEYS, 0, NULL);
        if (async) {
            /* background snapshots committed between the previous commit and this one */
            compactions += before > prev_snap;
            prev_snap = snap;
        } else if (after > snap) {
            /* the writer compacted: a COMPACT snapshot right after the APPEND */
            pmn_snapshot_info info;
            assert_pmn_ok(pmn_table_snapshot(t, after, &info));
            assert_string_equal(info.commit_kind, "COMPACT");
            assert_int_equal(info.commit_identifier, c);
            compactions++;
            if (compactions % 5 == 0)
                assert_checks(t);
        }
        assert_referenced_exist(t); /* expiry ran in (or after) this commit */
        if (c % 120 == 0 && ntags < NTAGS) {
            char name[16];
            snprintf(name, sizeof name, "t%d", ntags);
            assert_pmn_ok(pmn_table_create_tag(t, name, 0));
            tag_model[ntags] = pmn_xmalloc(sizeof(int32_t) * NKEYS);
            memcpy(tag_model[ntags], qty, sizeof(int32_t) * NKEYS);
            ntags++;
        }
    }
    pmn_writer_free(w); /* waits for the background job */
    if (!async) {
        assert_true(rows > 200000);
        assert_true(compactions > 50);
    }
    assert_checks(t);
    assert_referenced_exist(t);
    /* bounds: runs per bucket <= trigger, snapshots <= num-retained.max */
    size_t max_runs, nfiles;
    bucket_stats(t, &max_runs, &nfiles);
    /* synchronous: compaction leaves at most `trigger` runs; background: commits may add up
     * to stop-trigger - trigger more before the writer waits */
    if (max_runs > (async ? 6u : 3u))
        fail_msg("a bucket has %zu sorted runs (trigger 3)", max_runs);
    size_t nsnap = count_snapshots(t);
    print_message("%s: %ld rows, %d commits, %lld compactions; at the end %zu files, at most %zu "
                  "runs per bucket, %zu snapshots\n",
                  async ? "background" : "in commit", rows, COMMITS, (long long)compactions, nfiles,
                  max_runs, nsnap);
    if (nsnap > 12 || nsnap < 4)
        fail_msg("%zu snapshots retained (min 4, max 12)", nsnap);
    /* tags survive expiry and read as they were */
    for (int i = 0; i < ntags; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        check_model(t, tag_model[i], NKEYS, 0, name);
    }
    /* full compaction: every file at the max level, no -D row on disk */
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    if (!async) /* in the background the last job may have compacted everything already */
        assert_true(snap > 0);
    check_model(t, qty, NKEYS, 0, NULL);
    assert_checks(t);
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    int64_t live = 0, on_disk = 0;
    for (int k = 0; k < NKEYS; k++)
        live += qty[k] >= 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        assert_int_equal(p->files[i].file.level, 3); /* num-levels = trigger + 1 */
        assert_int_equal(p->files[i].file.delete_row_count, 0);
        on_disk += p->files[i].file.row_count;
    }
    assert_int_equal(on_disk, live);
    pmn_plan_free(p);
    /* a second full compaction has nothing to do */
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    assert_int_equal(snap, 0);
    /* delete the tags; expiry then frees what only they kept */
    for (int i = 0; i < ntags; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        assert_pmn_ok(pmn_table_delete_tag(t, name));
        free(tag_model[i]);
    }
    pmn_expire_result er;
    assert_pmn_ok(pmn_table_expire(t, &er));
    assert_referenced_exist(t);
    int64_t removed = 0;
    assert_pmn_ok(pmn_table_remove_orphans(t, 0, &removed));
    assert_referenced_exist(t);
    check_model(t, qty, NKEYS, 0, NULL);
    assert_checks(t);
    free(qty);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_compaction__model_with_compaction_and_expiry(void **state)
{
    model_run(false, 700);
}

static void test_compaction__model_with_background_compaction(void **state)
{
    model_run(true, 300);
}

/* ---- append tables ---- */

static void test_compaction__append_small_files_merge(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-append");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"compaction.min.file-num", "4"},
                     {"compaction.max.file-num", "6"},
                     {"target-file-size", "64 kb"}};
    pmn_table *t = create_table(cat, "log", false, opts, 3);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    enum { COMMITS = 60, PER = 50 };
    size_t max_files = 0;
    for (int c = 0; c < COMMITS; c++) {
        for (int i = 0; i < PER; i++)
            put(w, c * PER + i, c, false);
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c + 1, NULL, 0, &snap));
        size_t runs, nfiles;
        bucket_stats(t, &runs, &nfiles);
        if (nfiles > max_files)
            max_files = nfiles;
    }
    pmn_writer_free(w);
    /* merging keeps the small-file count under min.file-num + the big files */
    size_t runs, nfiles;
    bucket_stats(t, &runs, &nfiles);
    print_message("append table: at most %zu files during the run, %zu at the end\n", max_files,
                  nfiles);
    assert_true(nfiles < 12);
    /* every row exactly once */
    char *seen = pmn_xcalloc(COMMITS * PER, 1);
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    size_t n = 0;
    while (pmn_scan_next(s, &row) == 0) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < COMMITS * PER);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
        assert_int_equal(row[2].v.i, k / PER);
        n++;
    }
    assert_int_equal(n, COMMITS * PER);
    pmn_scan_free(s);
    free(seen);
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    assert_checks(t);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- expiry: consumers, readers, orphans ---- */

static void commit_batch(pmn_writer *w, int32_t *qty, int nkeys, int c, unsigned *seed)
{
    int batch = 1 + (int)(rand_r(seed) % 200);
    for (int i = 0; i < batch; i++) {
        int64_t key = rand_r(seed) % (unsigned)nkeys;
        bool del = rand_r(seed) % 5 == 0;
        int32_t q = (int32_t)(rand_r(seed) % 1000);
        put(w, key, q, del);
        if (qty)
            qty[key] = del ? -1 : q;
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
}

static void test_compaction__consumer_and_reader_during_expiry(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-expire");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"num-sorted-run.compaction-trigger", "2"},
                     {"snapshot.num-retained.min", "3"},
                     {"snapshot.time-retained", "1 ms"},
                     {"write-only", "true"}};
    pmn_table *t = create_table(cat, "kv", true, opts, 4);
    enum { NKEYS = 400 };
    int32_t qty[NKEYS], at5[NKEYS];
    for (int k = 0; k < NKEYS; k++)
        qty[k] = -1;
    unsigned seed = 99;
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    for (int c = 1; c <= 5; c++)
        commit_batch(w, qty, NKEYS, c, &seed);
    memcpy(at5, qty, sizeof qty);
    /* a consumer that has read up to snapshot 4 protects 4 and later */
    char *cdir = pmn_xasprintf("%s/db.db/kv/consumer", dir);
    assert_pmn_ok(pmn_fs_mkdir_p(cdir));
    char *cpath = pmn_xasprintf("%s/consumer-job1", cdir);
    assert_pmn_ok(pmn_fs_write_file(cpath, "{\"nextSnapshot\":4}", 18));
    for (int c = 6; c <= 20; c++) {
        commit_batch(w, qty, NKEYS, c, &seed);
        int64_t snap;
        assert_pmn_ok(pmn_table_compact(t, false, &snap));
    }
    usleep(2000);
    pmn_expire_result er;
    assert_pmn_ok(pmn_table_expire(t, &er));
    int64_t earliest;
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    assert_int_equal(earliest, 4);
    assert_referenced_exist(t);
    check_model(t, at5, NKEYS, 5, NULL);
    /* an idle consumer expires (consumer.expiration-time): expiry proceeds (10 per run) */
    pmn_schema_change ce = {
        .kind = PMN_SCHEMA_SET_OPTION, .key = "consumer.expiration-time", .value = "1 h"};
    assert_pmn_ok(pmn_table_alter(t, &ce, 1));
    struct timeval idle[2] = {{.tv_sec = 1000000}, {.tv_sec = 1000000}};
    utimes(cpath, idle);
    for (int i = 0; i < 5; i++)
        assert_pmn_ok(pmn_table_expire(t, &er));
    assert_false(pmn_fs_exists(cpath));
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    int64_t latest;
    assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
    assert_int_equal(earliest, latest - 2);
    assert_referenced_exist(t);
    assert_checks(t);
    /* an expired snapshot is a clear error */
    pmn_scan_options o = {.snapshot_id = 5};
    pmn_scan *s = NULL;
    assert_int_equal(pmn_scan_open(t, &o, &s), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "expired"));

    /* a reader in the middle of snapshot S when S expires: it finishes correctly or reports
     * the expiry; it never returns wrong rows */
    int64_t reader_snap = latest;
    int32_t at_reader[NKEYS];
    memcpy(at_reader, qty, sizeof qty);
    o.snapshot_id = reader_snap;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    const pmn_datum *row;
    assert_pmn_ok(pmn_scan_next(s, &row)); /* bucket 0's files are open now */
    int64_t k0 = row[0].v.i;
    assert_int_equal(row[2].v.i, at_reader[k0]);
    for (int c = 21; c <= 40; c++) {
        commit_batch(w, qty, NKEYS, c, &seed);
        int64_t snap;
        assert_pmn_ok(pmn_table_compact(t, c % 5 == 0, &snap));
    }
    usleep(2000);
    for (int i = 0; i < 4; i++)
        assert_pmn_ok(pmn_table_expire(t, &er));
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    assert_true(earliest > reader_snap);
    int rc;
    size_t nrows = 1;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int64_t k = row[0].v.i;
        if (row[2].v.i != at_reader[k])
            fail_msg("reader of expired snapshot got a wrong row for key %lld", (long long)k);
        nrows++;
    }
    print_message("reader of expired snapshot %lld: %s after %zu rows\n", (long long)reader_snap,
                  rc == PMN_ITEROVER ? "completed" : pmn_error_last(), nrows);
    if (rc != PMN_ITEROVER) {
        assert_int_equal(rc, PMN_ENOTFOUND);
        if (!strstr(pmn_error_last(), "has expired while being read"))
            fail_msg("unclear error: %s", pmn_error_last());
    } else {
        size_t live = 0;
        for (int k = 0; k < NKEYS; k++)
            live += at_reader[k] >= 0;
        assert_int_equal(nrows, live);
    }
    pmn_scan_free(s);
    pmn_writer_free(w);
    check_model(t, qty, NKEYS, 0, NULL);

    /* orphans: junk and files of a crashed writer go once old enough; young ones stay */
    char *bdir = pmn_xasprintf("%s/db.db/kv/bucket-0", dir);
    char *junk = pmn_xasprintf("%s/data-crashed-0.avro", bdir);
    char *young = pmn_xasprintf("%s/data-inflight-0.avro", bdir);
    char *mjunk = pmn_xasprintf("%s/db.db/kv/manifest/manifest-crashed-0", dir);
    char *tmp = pmn_xasprintf("%s/db.db/kv/snapshot/.snapshot-99.123.tmp", dir);
    assert_pmn_ok(pmn_fs_write_file(junk, "x", 1));
    assert_pmn_ok(pmn_fs_write_file(young, "x", 1));
    assert_pmn_ok(pmn_fs_write_file(mjunk, "x", 1));
    assert_pmn_ok(pmn_fs_write_file(tmp, "x", 1));
    struct timeval old[2] = {{.tv_sec = 1000000}, {.tv_sec = 1000000}};
    utimes(junk, old);
    utimes(mjunk, old);
    utimes(tmp, old);
    int64_t removed = 0;
    assert_pmn_ok(pmn_table_remove_orphans(t, 3600 * 1000LL, &removed));
    assert_true(removed >= 3);
    assert_false(pmn_fs_exists(junk));
    assert_false(pmn_fs_exists(mjunk));
    assert_false(pmn_fs_exists(tmp));
    assert_true(pmn_fs_exists(young));
    assert_referenced_exist(t);
    check_model(t, qty, NKEYS, 0, NULL);
    assert_checks(t);
    free(bdir);
    free(junk);
    free(young);
    free(mjunk);
    free(tmp);
    free(cpath);
    free(cdir);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- crash safety ---- */

static void test_compaction__sigkill_during_compaction_and_expiry(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-crash");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"num-sorted-run.compaction-trigger", "2"},
                     {"target-file-size", "8 kb"},
                     {"snapshot.num-retained.min", "2"},
                     {"snapshot.time-retained", "1 ms"},
                     {"full-compaction.delta-commits", "4"}};
    pmn_table *t = create_table(cat, "kv", true, opts, 5);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    enum { NKEYS = 300 };
    srand(77);
    for (int round = 0; round < 40; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            pmn_catalog *c2;
            pmn_table *t2;
            pmn_writer *w;
            if (pmn_catalog_open(dir, false, &c2) || pmn_table_open(c2, "db", "kv", &t2))
                _exit(3);
            int64_t latest = 0;
            pmn_table_latest_snapshot(t2, &latest);
            int next = 1;
            if (latest > 0) {
                pmn_snapshot_info info;
                if (pmn_table_snapshot(t2, latest, &info))
                    _exit(4);
                next = (int)info.commit_identifier + 1;
            }
            if (pmn_writer_open(t2, "crash", &w))
                _exit(5);
            for (int c = next;; c++) {
                unsigned seed = (unsigned)c * 2654435761u;
                commit_batch(w, NULL, NKEYS, c, &seed);
                int64_t snap;
                int rc = pmn_table_compact(t2, c % 3 == 0, &snap);
                if (rc && rc != PMN_ECONFLICT)
                    _exit(6);
                /* with a zero age bound nothing may be writing meanwhile */
                if (c % 7 == 0 &&
                    (pmn_writer_wait_maintenance(w) || pmn_table_remove_orphans(t2, 0, NULL)))
                    _exit(7);
            }
        }
        usleep((useconds_t)(2000 + rand() % 150000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status))
            fail_msg("round %d: writer exited with %d", round, WEXITSTATUS(status));
        assert_pmn_ok(pmn_catalog_open(dir, false, &cat));
        assert_pmn_ok(pmn_table_open(cat, "db", "kv", &t));
        int64_t latest = 0;
        assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
        int32_t qty[NKEYS];
        for (int k = 0; k < NKEYS; k++)
            qty[k] = -1;
        if (latest > 0) {
            pmn_snapshot_info info;
            assert_pmn_ok(pmn_table_snapshot(t, latest, &info));
            /* replay the batches into a throwaway writer-less model */
            for (int c = 1; c <= info.commit_identifier; c++) {
                unsigned seed = (unsigned)c * 2654435761u;
                int batch = 1 + (int)(rand_r(&seed) % 200);
                for (int i = 0; i < batch; i++) {
                    int64_t key = rand_r(&seed) % (unsigned)NKEYS;
                    bool del = rand_r(&seed) % 5 == 0;
                    int32_t q = (int32_t)(rand_r(&seed) % 1000);
                    qty[key] = del ? -1 : q;
                }
            }
        }
        check_model(t, qty, NKEYS, 0, NULL);
        assert_referenced_exist(t);
        if (round % 10 == 9) {
            int64_t earliest = 0;
            pmn_table_earliest_snapshot(t, &earliest);
            print_message("round %d: snapshots %lld..%lld\n", round, (long long)earliest,
                          (long long)latest);
        }
        if (round % 8 == 7)
            assert_checks(t);
        pmn_table_free(t);
        pmn_catalog_free(cat);
    }
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- options changed while a writer runs ---- */

static int count_compact_snapshots(pmn_table *t, int64_t from, int64_t to)
{
    int n = 0;
    for (int64_t id = from; id <= to; id++) {
        pmn_snapshot_info info;
        if (pmn_table_snapshot(t, id, &info) == 0 && !strcmp(info.commit_kind, "COMPACT"))
            n++;
    }
    return n;
}

static void test_compaction__set_option_reaches_running_writer(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-options");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"num-sorted-run.compaction-trigger", "2"}, {"commit.force-compact", "true"}};
    pmn_table *t = create_table(cat, "kv", true, opts, 2);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    pmn_table *admin;
    assert_pmn_ok(pmn_table_open(cat, "db", "kv", &admin));
    pmn_schema_change off = {.kind = PMN_SCHEMA_SET_OPTION, .key = "write-only", .value = "true"};
    pmn_schema_change on = {.kind = PMN_SCHEMA_SET_OPTION, .key = "write-only", .value = "false"};
    int64_t snap = 0, first = 0;
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1)
            assert_pmn_ok(pmn_table_alter(admin, &off, 1));
        if (phase == 2)
            assert_pmn_ok(pmn_table_alter(admin, &on, 1));
        assert_pmn_ok(pmn_table_latest_snapshot(t, &first));
        for (int c = 0; c < 10; c++) {
            for (int k = 0; k < 20; k++)
                put(w, k * 7 + c, c, false);
            assert_pmn_ok(pmn_writer_commit(w, phase * 10 + c + 1, NULL, 0, &snap));
        }
        int64_t latest;
        assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
        int compacts = count_compact_snapshots(t, first + 1, latest);
        if (phase == 1)
            assert_int_equal(compacts, 0);
        else
            assert_true(compacts > 0);
    }
    pmn_writer_free(w);
    assert_checks(t);
    pmn_table_free(admin);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- a Java-written table ---- */

static void test_compaction__java_fixture_compacts_and_expires(void **state)
{
    char *src = pmn_test_fixture("avro_pk_with_multiple_type");
    char *dir = pmn_test_tmpdir("compaction-fixture");
    char *cmd = pmn_xasprintf("cp -r '%s'/. '%s' && chmod -R u+w '%s'", src, dir, dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    pmn_catalog *cat;
    pmn_table *t;
    assert_pmn_ok(pmn_catalog_open(dir, false, &cat));
    assert_pmn_ok(pmn_table_open(cat, "pk_with_multiple_type", "pk_with_multiple_type", &t));
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    assert_int_equal(snap, 3);
    pmn_snapshot_info info;
    assert_pmn_ok(pmn_table_snapshot(t, 3, &info));
    assert_string_equal(info.commit_kind, "COMPACT");
    assert_int_equal(info.total_record_count, 4); /* Emily's -D row is gone */
    /* README: Alice, Bob, Lucy, Tony remain */
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    int n = 0;
    while (pmn_scan_next(s, &row) == 0)
        n++;
    pmn_scan_free(s);
    assert_int_equal(n, 4);
    assert_checks(t);
    /* tag the original, expire everything else: the tag still reads the Java files */
    assert_pmn_ok(pmn_table_create_tag(t, "orig", 2));
    pmn_schema_change ch[] = {
        {.kind = PMN_SCHEMA_SET_OPTION, .key = "snapshot.num-retained.min", .value = "1"},
        {.kind = PMN_SCHEMA_SET_OPTION, .key = "snapshot.time-retained", .value = "1 ms"}};
    assert_pmn_ok(pmn_table_alter(t, ch, 2));
    usleep(2000);
    pmn_expire_result er;
    assert_pmn_ok(pmn_table_expire(t, &er));
    assert_int_equal(er.snapshots_expired, 2);
    assert_int_equal(er.earliest, 3);
    assert_referenced_exist(t);
    pmn_scan_options o = {.tag = "orig"};
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    n = 0;
    while (pmn_scan_next(s, &row) == 0)
        n++;
    pmn_scan_free(s);
    assert_int_equal(n, 4);
    /* deleting the tag frees the Java files; the compacted table is untouched */
    assert_pmn_ok(pmn_table_delete_tag(t, "orig"));
    assert_referenced_exist(t);
    int64_t removed = -1;
    assert_pmn_ok(pmn_table_remove_orphans(t, 0, &removed));
    assert_int_equal(removed, 0);
    assert_checks(t);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
    free(src);
}

/* ---- automatic tags ---- */

static void test_compaction__automatic_tags(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-autotag");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"tag.automatic-creation", "process-time"},
                     {"tag.creation-period", "hourly"},
                     {"tag.num-retained-max", "2"}};
    pmn_table *t = create_table(cat, "kv", true, opts, 3);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    put(w, 1, 1, false);
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, 1, NULL, 0, &snap));
    pmn_writer_free(w);
    char **names;
    int64_t *ids;
    size_t n;
    /* the hour that has not ended yet gets no tag */
    int64_t now = (int64_t)time(NULL) * 1000;
    assert_pmn_ok(pmn_table_auto_tag(t, now));
    assert_pmn_ok(pmn_table_tags(t, &names, &ids, &n));
    assert_int_equal(n, 0);
    pmn_strings_free(names, n);
    free(ids);
    /* one, two, three hours later: a tag per ended hour, at most two kept */
    for (int h = 1; h <= 3; h++)
        assert_pmn_ok(pmn_table_auto_tag(t, now + h * 3600 * 1000LL));
    assert_pmn_ok(pmn_table_tags(t, &names, &ids, &n));
    assert_int_equal(n, 2);
    int64_t latest;
    assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(names[i]), 13); /* "YYYY-MM-DD HH" */
        assert_int_equal(ids[i], latest);
    }
    assert_true(strcmp(names[0], names[1]) < 0);
    pmn_strings_free(names, n);
    free(ids);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- tables the rewriter must not touch ---- */

static void test_compaction__refuses_other_merge_engines(void **state)
{
    char *dir = pmn_test_tmpdir("compaction-refuse");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"merge-engine", "aggregation"}};
    pmn_table *t = create_table(cat, "agg", true, opts, 1);
    int64_t snap = -1;
    assert_int_equal(pmn_table_compact(t, true, &snap), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "merge-engine aggregation"));
    assert_int_equal(snap, 0);
    pmn_table_free(t);
    pmn_kv dv[] = {{"deletion-vectors.enabled", "true"}};
    t = create_table(cat, "dv", true, dv, 1);
    assert_int_equal(pmn_table_compact(t, false, &snap), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "deletion vectors"));
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compaction__strategy),
        cmocka_unit_test(test_compaction__append_small_files_merge),
        cmocka_unit_test(test_compaction__consumer_and_reader_during_expiry),
        cmocka_unit_test(test_compaction__sigkill_during_compaction_and_expiry),
        cmocka_unit_test(test_compaction__model_with_compaction_and_expiry),
        cmocka_unit_test(test_compaction__model_with_background_compaction),
        cmocka_unit_test(test_compaction__set_option_reaches_running_writer),
        cmocka_unit_test(test_compaction__java_fixture_compacts_and_expires),
        cmocka_unit_test(test_compaction__automatic_tags),
        cmocka_unit_test(test_compaction__refuses_other_merge_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
