/*
 * tests/unit/test_changelog_producer.c
 *
 * changelog-producer = full-compaction (paimon-format.md §5.5, §12): every
 * compaction to the max level writes changelog files into its COMPACT
 * snapshot (changelogManifestList, changelogRecordCount) that turn the
 * previous full compaction's rows into the new ones with exact before/after
 * images: a follower that applies each change to its own copy (+I of an
 * absent key, -U/-D of exactly the row it holds, +U right after its -U) ends
 * with exactly the table's rows, while a writer upserts and deletes at random
 * and compacts in the background.
 */
#include "testutil.h"

#include "change/datum.h"
#include "paimon/snapshot.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NKEYS = 60 };

/* model: qty per key, -1 = absent */
typedef struct model {
    int32_t qty[NKEYS];
} model;

static void model_clear(model *m)
{
    for (int i = 0; i < NKEYS; i++)
        m->qty[i] = -1;
}

static pmn_table *create_table(pmn_catalog *cat, const char *name, const char *producer,
                               const pmn_kv *extra, size_t nextra)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[8] = {{"bucket", "2"},
                      {"changelog-producer", producer},
                      {"snapshot.num-retained.min", "3"},
                      {"snapshot.time-retained", "1 ms"}};
    size_t n = 4;
    for (size_t i = 0; i < nextra && n < 8; i++)
        opts[n++] = extra[i];
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = n};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

/* follower: applies changes, checking each against what it holds */
typedef struct follower {
    model m;
    int64_t pending_ub; /* key of a -U waiting for its +U, or -1 */
    size_t changes;
    size_t kinds[4];
} follower;

static void apply(follower *f, pmn_row_kind kind, int64_t key, int32_t qty, int64_t snap)
{
    assert_true(key >= 0 && key < NKEYS);
    f->changes++;
    f->kinds[kind]++;
    if (f->pending_ub >= 0 && (kind != PMN_ROW_UPDATE_AFTER || key != f->pending_ub))
        fail_msg("snapshot %lld: -U of key %lld not followed by its +U", (long long)snap,
                 (long long)f->pending_ub);
    switch (kind) {
    case PMN_ROW_INSERT:
        if (f->m.qty[key] != -1)
            fail_msg("snapshot %lld: +I of key %lld, which the follower holds (qty %d)",
                     (long long)snap, (long long)key, f->m.qty[key]);
        f->m.qty[key] = qty;
        break;
    case PMN_ROW_UPDATE_BEFORE:
    case PMN_ROW_DELETE:
        if (f->m.qty[key] != qty)
            fail_msg("snapshot %lld: %s of key %lld qty %d, but the follower holds qty %d",
                     (long long)snap, kind == PMN_ROW_DELETE ? "-D" : "-U", (long long)key, qty,
                     f->m.qty[key]);
        f->m.qty[key] = -1;
        f->pending_ub = kind == PMN_ROW_UPDATE_BEFORE ? key : -1;
        break;
    case PMN_ROW_UPDATE_AFTER:
        if (f->pending_ub != key)
            fail_msg("snapshot %lld: +U of key %lld without its -U", (long long)snap,
                     (long long)key);
        f->m.qty[key] = qty;
        f->pending_ub = -1;
        break;
    }
}

static void follow(pmn_stream *s, follower *f)
{
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc;
    while ((rc = pmn_stream_next(s, &kind, &row, &snap)) == 0)
        apply(f, kind, row[0].v.i, (int32_t)row[1].v.i, snap);
    if (rc != PMN_ITEROVER)
        fail_msg("stream: %s", pmn_error_last());
    assert_pmn_ok(pmn_stream_checkpoint(s));
}

static void scan_model(pmn_table *t, model *m)
{
    model_clear(m);
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0)
        m->qty[row[0].v.i] = (int32_t)row[1].v.i;
    assert_int_equal(rc, PMN_ITEROVER);
    pmn_scan_free(s);
}

static void assert_models_equal(const model *a, const model *b, const char *what)
{
    for (int k = 0; k < NKEYS; k++)
        if (a->qty[k] != b->qty[k])
            fail_msg("%s: key %d: %d vs %d", what, k, a->qty[k], b->qty[k]);
}

/* check_snapshots: COMPACT snapshots with changelog files name them in changelogManifestList
 * and count their rows in changelogRecordCount; APPEND snapshots have none. Returns the
 * number of changelog rows in the retained snapshots. */
static int64_t check_snapshots(pmn_table *t, const char *path)
{
    int64_t earliest = 0, latest = 0, rows = 0;
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
    for (int64_t id = earliest; id <= latest; id++) {
        pmn_snapshot *s;
        assert_pmn_ok(pmn_snapshot_read(path, id, &s));
        if (!strcmp(s->commit_kind, "APPEND"))
            assert_null(s->changelog_manifest_list);
        if (s->changelog_manifest_list) {
            assert_string_equal(s->commit_kind, "COMPACT");
            assert_true(s->has_changelog_record_count);
            assert_true(s->changelog_record_count > 0);
        }
        if (s->has_changelog_record_count)
            rows += s->changelog_record_count;
        pmn_snapshot_free(s);
    }
    return rows;
}

static void run(const char *name, const char *producer, const pmn_kv *extra, size_t nextra,
                int rounds, bool wait_each)
{
    char *dir = pmn_test_tmpdir(name);
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "cl", producer, extra, nextra);
    pmn_table *ft;
    assert_pmn_ok(pmn_table_open(cat, "db", "cl", &ft));
    pmn_stream_options so = {.consumer_id = "f", .mode = "latest"};
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(ft, &so, &s));
    assert_pmn_ok(pmn_stream_checkpoint(s));
    follower f = {.pending_ub = -1};
    model_clear(&f.m);
    model truth;
    model_clear(&truth);
    /* followers that join half-way: from the latest compacted snapshot and from the latest
     * one (their full phase is the max level: the state the later changelogs start from) */
    static const char *late_modes[2] = {"compacted-full", "latest-full"};
    static const char *late_ids[2] = {"g", "h"};
    pmn_stream *late[2] = {NULL, NULL};
    follower lf[2];
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    srand(7);
    for (int c = 1; c <= rounds; c++) {
        if (c == rounds / 2) {
            /* the full phase is not protected from expiry (no progress is recorded until it
             * ends): read it while the writer is idle */
            assert_pmn_ok(pmn_writer_wait_maintenance(w));
            for (int i = 0; i < 2; i++) {
                pmn_stream_options lo = {.consumer_id = late_ids[i], .mode = late_modes[i]};
                assert_pmn_ok(pmn_stream_open(ft, &lo, &late[i]));
                lf[i] = (follower){.pending_ub = -1};
                model_clear(&lf[i].m);
                follow(late[i], &lf[i]);
            }
        }
        int nops = 1 + rand() % 40;
        for (int i = 0; i < nops; i++) {
            int64_t key = rand() % NKEYS;
            bool del = rand() % 5 == 0;
            int32_t q = rand() % 4; /* few values: updates to an equal row happen */
            pmn_datum row[2] = {pmn_datum_int(key), del ? pmn_datum_null() : pmn_datum_int(q)};
            assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
            truth.qty[key] = del ? -1 : q;
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        if (wait_each)
            assert_pmn_ok(pmn_writer_wait_maintenance(w));
        if (c % 3 == 0) {
            follow(s, &f);
            for (int i = 0; i < 2; i++)
                if (late[i])
                    follow(late[i], &lf[i]);
        }
        if (wait_each) {
            /* a full compaction after every commit: the follower is level with the table */
            follow(s, &f);
            model cur;
            scan_model(t, &cur);
            assert_models_equal(&cur, &truth, "table vs writer");
            assert_models_equal(&f.m, &truth, "follower vs writer");
        }
    }
    assert_pmn_ok(pmn_writer_wait_maintenance(w));
    pmn_writer_free(w);
    /* whatever the background compactions left: one last full compaction */
    int64_t snap = 0;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    follow(s, &f);
    model cur;
    scan_model(t, &cur);
    assert_models_equal(&cur, &truth, "table vs writer");
    assert_models_equal(&f.m, &truth, "follower vs writer");
    assert_int_equal(f.pending_ub, -1);
    for (int i = 0; i < 2; i++) {
        follow(late[i], &lf[i]);
        assert_models_equal(&lf[i].m, &truth, late_modes[i]);
        pmn_stream_free(late[i]);
    }
    assert_true(f.kinds[PMN_ROW_INSERT] > 0 && f.kinds[PMN_ROW_UPDATE_BEFORE] > 0 &&
                f.kinds[PMN_ROW_UPDATE_AFTER] > 0 && f.kinds[PMN_ROW_DELETE] > 0);
    char *path = pmn_xasprintf("%s/db.db/cl", dir);
    int64_t retained_rows = check_snapshots(t, path);
    free(path);
    print_message("%s: %zu changes (+I %zu, -U %zu, +U %zu, -D %zu); %lld changelog rows in "
                  "retained snapshots\n",
                  name, f.changes, f.kinds[0], f.kinds[1], f.kinds[2], f.kinds[3],
                  (long long)retained_rows);
    /* orphan removal keeps the changelog files of retained snapshots: they read again */
    int64_t removed = 0, earliest = 0;
    assert_pmn_ok(pmn_table_remove_orphans(t, 0, &removed));
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    pmn_stream_options again = {.mode = "from-snapshot", .snapshot_id = earliest};
    pmn_stream *rs;
    assert_pmn_ok(pmn_stream_open(t, &again, &rs));
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t rsnap;
    int rc;
    size_t reread = 0;
    while ((rc = pmn_stream_next(rs, &kind, &row, &rsnap)) == 0)
        reread++;
    if (rc != PMN_ITEROVER)
        fail_msg("re-reading from snapshot %lld: %s", (long long)earliest, pmn_error_last());
    assert_int_equal((int64_t)reread, retained_rows);
    pmn_stream_free(rs);
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("%zu violations:\n%s", violations, report);
    free(report);
    pmn_stream_free(s);
    pmn_table_free(ft);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* the default: a full compaction after every commit (full-compaction.delta-commits = 1) */
static void test_changelog__full_compaction_every_commit(void **state)
{
    (void)state;
    run("cl-full-each", "full-compaction", NULL, 0, 40, true);
}

/* full compactions every 4th commit, universal compactions in between (which write no
 * changelog unless they reach the max level), in the background while the follower reads;
 * small files so that outputs roll */
static void test_changelog__full_compaction_background(void **state)
{
    (void)state;
    pmn_kv extra[] = {{"full-compaction.delta-commits", "4"},
                      {"num-sorted-run.compaction-trigger", "3"},
                      {"target-file-size", "1 kb"}};
    run("cl-full-bg", "full-compaction", extra, 3, 120, false);
}

/* changelog-producer.row-deduplicate: an update to an equal row is no change */
static void test_changelog__row_deduplicate(void **state)
{
    (void)state;
    pmn_kv extra[] = {{"changelog-producer.row-deduplicate", "true"}};
    run("cl-dedup", "full-compaction", extra, 1, 30, true);
}

/* changelog-producer lookup: every compaction of level-0 files (which the writer runs after
 * every commit) compares each key with its newest version at a level >= 1, looked up in the
 * levels the compaction does not touch when needed */
static void test_changelog__lookup_every_commit(void **state)
{
    (void)state;
    run("cl-lookup-each", "lookup", NULL, 0, 40, true);
}

static void test_changelog__lookup_background(void **state)
{
    (void)state;
    pmn_kv extra[] = {{"num-sorted-run.compaction-trigger", "3"}, {"target-file-size", "1 kb"}};
    run("cl-lookup-bg", "lookup", extra, 2, 120, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changelog__full_compaction_every_commit),
        cmocka_unit_test(test_changelog__full_compaction_background),
        cmocka_unit_test(test_changelog__row_deduplicate),
        cmocka_unit_test(test_changelog__lookup_every_commit),
        cmocka_unit_test(test_changelog__lookup_background),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
