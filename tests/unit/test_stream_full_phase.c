/*
 * tests/unit/test_stream_full_phase.c
 *
 * A stream's full phase under expiry (paimon-format.md §9, §12): with a
 * consumer id the position (the full phase's snapshot) is on disk before
 * anything is read, so an expiry that runs while the full phase is being read
 * keeps that snapshot and its files (four buckets: the files of later buckets
 * are opened after the expiry); the follower ends with exactly the table's
 * rows. A stream killed mid-full-phase and reopened with the same consumer
 * redoes the full phase of the same snapshot (consumer/full-phase-<id>); once
 * a checkpoint moves past it the note is gone and expiry may proceed.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NKEYS = 400 };

typedef struct env {
    char *dir;
    pmn_catalog *cat;
    pmn_table *t;
    pmn_writer *w;
    int32_t qty[NKEYS]; /* the table, -1 = absent */
    int64_t ident;
} env;

static void open_env(env *e, const char *name)
{
    memset(e, 0, sizeof *e);
    e->dir = pmn_test_tmpdir(name);
    assert_pmn_ok(pmn_catalog_open(e->dir, true, &e->cat));
    pmn_catalog_create_database(e->cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(row, 1, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "4"}, {"write-only", "true"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = 2};
    assert_pmn_ok(pmn_catalog_create_table(e->cat, "db", "t", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(e->cat, "db", "t", &e->t));
    assert_pmn_ok(pmn_writer_open(e->t, "w", &e->w));
    for (int k = 0; k < NKEYS; k++)
        e->qty[k] = -1;
}

static void close_env(env *e)
{
    pmn_writer_free(e->w);
    pmn_table_free(e->t);
    pmn_catalog_free(e->cat);
    pmn_fs_remove_tree(e->dir);
    free(e->dir);
}

/* commit: n random upserts and deletes. */
static void commit(env *e, int n)
{
    for (int i = 0; i < n; i++) {
        int k = rand() % NKEYS;
        bool del = rand() % 6 == 0;
        int32_t q = rand() % 10000;
        pmn_datum row[2] = {pmn_datum_int(k), pmn_datum_int(q)};
        assert_pmn_ok(pmn_writer_write(e->w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
        e->qty[k] = del ? -1 : q;
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(e->w, ++e->ident, NULL, 0, &snap));
}

/* churn: commits and a full compaction (which deletes every file of the earlier snapshots),
 * then an aggressive expiry. Returns the earliest snapshot after it. */
static int64_t churn_and_expire(env *e)
{
    commit(e, 300);
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(e->t, true, &snap));
    assert_true(snap > 0);
    commit(e, 300);
    usleep(3000);
    pmn_kv o[] = {{"snapshot.num-retained.min", "1"},
                  {"snapshot.time-retained", "1 ms"},
                  {"snapshot.expire.limit", "100"}};
    pmn_expire_result r;
    assert_pmn_ok(pmn_table_expire_with(e->t, o, 3, &r));
    return r.earliest;
}

typedef struct follower {
    int32_t qty[NKEYS];
    size_t full_rows;
} follower;

/* follow: read s to its end; full-phase rows (at full_snap) counted. */
static void follow(pmn_stream *s, follower *f, size_t limit, int64_t full_snap)
{
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc = 0;
    for (size_t i = 0; i < limit && (rc = pmn_stream_next(s, &kind, &row, &snap)) == 0; i++) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < NKEYS);
        if (snap == full_snap)
            f->full_rows++;
        f->qty[k] = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE
                        ? -1
                        : (int32_t)row[1].v.i;
    }
    if (rc != 0 && rc != PMN_ITEROVER)
        fail_msg("stream: %s", pmn_error_last());
}

static bool file_has(env *e, const char *name, const char *text)
{
    char *path = pmn_xasprintf("%s/consumer/%s", pmn_table_path(e->t), name);
    char *data = NULL;
    size_t len = 0;
    bool r = pmn_fs_read_file(path, &data, &len) == 0 && strstr(data, text) != NULL;
    pmn_error_clear();
    free(data);
    free(path);
    return r;
}

static bool file_exists(env *e, const char *name)
{
    char *path = pmn_xasprintf("%s/consumer/%s", pmn_table_path(e->t), name);
    bool r = pmn_fs_exists(path);
    free(path);
    return r;
}

static void assert_follower_is_table(env *e, const follower *f)
{
    for (int k = 0; k < NKEYS; k++)
        if (f->qty[k] != e->qty[k])
            fail_msg("key %d: follower %d, table %d", k, f->qty[k], e->qty[k]);
}

static int count_live(const int32_t *qty)
{
    int n = 0;
    for (int k = 0; k < NKEYS; k++)
        n += qty[k] >= 0;
    return n;
}

static void test_full_phase__expiry_keeps_its_snapshot(void **state)
{
    (void)state;
    env e;
    open_env(&e, "full-phase-expiry");
    srand(3);
    for (int i = 0; i < 3; i++)
        commit(&e, 300);
    int32_t at3[NKEYS];
    memcpy(at3, e.qty, sizeof at3);
    pmn_stream_options so = {.consumer_id = "c"}; /* default: latest-full */
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(e.t, &so, &s));
    /* the position is recorded before the first row */
    assert_true(file_has(&e, "consumer-c", "\"nextSnapshot\" : 3"));
    assert_true(file_has(&e, "full-phase-c", "\"snapshot\" : 3"));
    follower f;
    memset(f.qty, 0xff, sizeof f.qty);
    f.full_rows = 0;
    follow(s, &f, 5, 3); /* the first bucket's files are open */
    assert_int_equal(f.full_rows, 5);
    /* a checkpoint inside the full phase records nothing new */
    assert_pmn_ok(pmn_stream_checkpoint(s));
    assert_true(file_has(&e, "full-phase-c", "\"snapshot\" : 3"));
    /* the full compaction deleted every file of snapshot 3; expiry keeps them for the
     * consumer */
    assert_int_equal(churn_and_expire(&e), 3);
    follow(s, &f, (size_t)-1, 3);
    assert_int_equal(f.full_rows, (size_t)count_live(at3));
    assert_follower_is_table(&e, &f);
    /* past the full phase: the position moves on, the note goes, expiry proceeds */
    assert_pmn_ok(pmn_stream_checkpoint(s));
    assert_false(file_exists(&e, "full-phase-c"));
    assert_true(file_has(&e, "consumer-c", "\"nextSnapshot\" : 7"));
    pmn_stream_free(s);
    pmn_expire_result r;
    pmn_kv o[] = {{"snapshot.num-retained.min", "1"}, {"snapshot.time-retained", "1 ms"}};
    assert_pmn_ok(pmn_table_expire_with(e.t, o, 2, &r));
    assert_int_equal(r.earliest, 6);
    close_env(&e);
}

static void test_full_phase__restart_redoes_it(void **state)
{
    (void)state;
    env e;
    open_env(&e, "full-phase-restart");
    srand(4);
    for (int i = 0; i < 3; i++)
        commit(&e, 300);
    int32_t at3[NKEYS];
    memcpy(at3, e.qty, sizeof at3);
    pmn_stream_options so = {.consumer_id = "r", .mode = "latest-full"};
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(e.t, &so, &s));
    follower f;
    memset(f.qty, 0xff, sizeof f.qty);
    f.full_rows = 0;
    follow(s, &f, 7, 3);
    pmn_stream_free(s); /* killed mid-full-phase */
    assert_int_equal(churn_and_expire(&e), 3);
    /* reopened (its mode is ignored: the consumer has a position): the full phase of 3 from
     * its start, then the changes after it */
    pmn_stream_options again = {.consumer_id = "r", .mode = "latest"};
    assert_pmn_ok(pmn_stream_open(e.t, &again, &s));
    assert_int_equal(pmn_stream_position(s), 3);
    memset(f.qty, 0xff, sizeof f.qty);
    f.full_rows = 0;
    follow(s, &f, (size_t)-1, 3);
    assert_int_equal(f.full_rows, (size_t)count_live(at3));
    assert_follower_is_table(&e, &f);
    assert_pmn_ok(pmn_stream_checkpoint(s));
    pmn_stream_free(s);
    assert_false(file_exists(&e, "full-phase-r"));
    /* a third open resumes after what was read: nothing new */
    assert_pmn_ok(pmn_stream_open(e.t, &again, &s));
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    assert_int_equal(pmn_stream_next(s, &kind, &row, &snap), PMN_ITEROVER);
    pmn_stream_free(s);
    /* a consumer starting without a full phase records where its changes start */
    pmn_stream_options latest = {.consumer_id = "l", .mode = "latest"};
    assert_pmn_ok(pmn_stream_open(e.t, &latest, &s));
    assert_true(file_has(&e, "consumer-l", "\"nextSnapshot\" : 7"));
    assert_false(file_exists(&e, "full-phase-l"));
    pmn_stream_free(s);
    close_env(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_phase__expiry_keeps_its_snapshot),
        cmocka_unit_test(test_full_phase__restart_redoes_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
