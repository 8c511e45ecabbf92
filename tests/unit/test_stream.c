/*
 * tests/unit/test_stream.c
 *
 * Streaming read (pmn_stream): a follower reading a table while a writer
 * commits, compacts and expires in the background sees every committed change
 * exactly once and in commit order, also across restarts with a consumer id
 * (progress is checkpointed at snapshot boundaries; a restarted follower
 * continues at the first snapshot it had not finished); the consumer keeps
 * unread snapshots from expiring; start modes.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NKEYS = 500, COMMITS = 150 };

typedef struct change {
    int64_t snapshot;
    int64_t key;
    int32_t kind;
    int32_t qty;
} change;

typedef struct changes {
    change *v;
    size_t n, cap;
} changes;

static void add_change(changes *c, int64_t snap, int64_t key, int32_t kind, int32_t qty)
{
    PMN_GROW(c->v, c->cap, c->n + 1);
    c->v[c->n++] = (change){snap, key, kind, qty};
}

static int cmp_change(const void *pa, const void *pb)
{
    const change *a = pa, *b = pb;
    if (a->snapshot != b->snapshot)
        return a->snapshot < b->snapshot ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return (a->qty > b->qty) - (a->qty < b->qty);
}

static pmn_table *create_kv_opts(pmn_catalog *cat, const char *name, const pmn_kv *extra,
                                 size_t nextra);

static pmn_table *create_kv(pmn_catalog *cat)
{
    return create_kv_opts(cat, "kv", NULL, 0);
}

static pmn_table *create_kv_opts(pmn_catalog *cat, const char *name, const pmn_kv *extra,
                                 size_t nextra)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[8] = {{"bucket", "2"},
                      {"num-sorted-run.compaction-trigger", "2"},
                      {"snapshot.num-retained.min", "2"},
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

/* follow: read up to `max` changes (or until caught up), checkpointing at snapshot
 * boundaries like `pgpaimon tail`. Returns the number read. */
static size_t follow(pmn_stream *s, changes *got, size_t max, int64_t *last_snap)
{
    size_t n = 0;
    while (n < max) {
        pmn_row_kind kind;
        const pmn_datum *row;
        int64_t snap;
        int rc = pmn_stream_next(s, &kind, &row, &snap);
        if (rc == PMN_ITEROVER) {
            assert_pmn_ok(pmn_stream_checkpoint(s));
            break;
        }
        if (rc)
            fail_msg("stream: %s", pmn_error_last());
        if (*last_snap >= 0 && snap != *last_snap)
            assert_pmn_ok(pmn_stream_checkpoint(s));
        assert_true(snap >= *last_snap); /* commit order */
        *last_snap = snap;
        add_change(got, snap, row[0].v.i, (int32_t)kind, row[1].is_null ? -1 : (int32_t)row[1].v.i);
        n++;
    }
    return n;
}

static void test_stream__follower_exactly_once_across_restarts(void **state)
{
    char *dir = pmn_test_tmpdir("stream-follow");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_kv(cat);
    pmn_table *ft; /* the follower's own handle */
    assert_pmn_ok(pmn_table_open(cat, "db", "kv", &ft));
    pmn_stream_options so = {.consumer_id = "follower"};
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(ft, &so, &s));
    assert_pmn_ok(pmn_stream_checkpoint(s)); /* protect everything from the start */
    changes expected = {0}, got = {0};
    int64_t last_snap = -1;
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "writer", &w));
    srand(5);
    int restarts = 0;
    for (int c = 1; c <= COMMITS; c++) {
        int32_t last_kind[NKEYS], last_qty[NKEYS];
        memset(last_kind, 0xff, sizeof last_kind);
        int batch = 1 + rand() % 80;
        for (int i = 0; i < batch; i++) {
            int64_t key = rand() % NKEYS;
            bool del = rand() % 4 == 0;
            int32_t q = rand() % 1000;
            pmn_datum row[2] = {pmn_datum_int(key), pmn_datum_int(q)};
            assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
            last_kind[key] = del ? PMN_ROW_DELETE : PMN_ROW_INSERT;
            last_qty[key] = q;
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        for (int k = 0; k < NKEYS; k++)
            if (last_kind[k] >= 0)
                add_change(&expected, snap, k, last_kind[k], last_qty[k]);
        /* the follower reads a random amount, sometimes restarting */
        follow(s, &got, (size_t)(rand() % 120), &last_snap);
        if (rand() % 10 == 0) {
            /* what it read of an unfinished snapshot will come again */
            int64_t pos = pmn_stream_position(s);
            pmn_stream_free(s);
            pmn_table_free(ft);
            while (got.n > 0 && got.v[got.n - 1].snapshot >= pos)
                got.n--;
            last_snap = got.n ? got.v[got.n - 1].snapshot : -1;
            assert_pmn_ok(pmn_table_open(cat, "db", "kv", &ft));
            pmn_stream_options ro = {.consumer_id = "follower", .mode = "latest"};
            assert_pmn_ok(pmn_stream_open(ft, &ro, &s));
            assert_int_equal(pmn_stream_position(s), pos);
            restarts++;
        }
    }
    assert_pmn_ok(pmn_writer_wait_maintenance(w));
    while (follow(s, &got, 1000000, &last_snap) > 0)
        ;
    /* every change exactly once: per snapshot the same set */
    qsort(expected.v, expected.n, sizeof *expected.v, cmp_change);
    qsort(got.v, got.n, sizeof *got.v, cmp_change);
    size_t m = expected.n < got.n ? expected.n : got.n;
    for (size_t i = 0; i < m; i++)
        if (cmp_change(&expected.v[i], &got.v[i]) != 0)
            fail_msg("change %zu: expected snapshot %lld key %lld kind %d qty %d, got snapshot "
                     "%lld key %lld kind %d qty %d",
                     i, (long long)expected.v[i].snapshot, (long long)expected.v[i].key,
                     expected.v[i].kind, expected.v[i].qty, (long long)got.v[i].snapshot,
                     (long long)got.v[i].key, got.v[i].kind, got.v[i].qty);
    assert_int_equal(expected.n, got.n);
    /* compactions and expiry happened meanwhile */
    int64_t earliest = 0, latest = 0;
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
    print_message("%zu changes over %d commits, %d restarts; snapshots %lld..%lld\n", got.n,
                  COMMITS, restarts, (long long)earliest, (long long)latest);
    assert_true(latest > COMMITS);
    assert_true(earliest > 1);
    pmn_writer_free(w);
    pmn_stream_free(s);
    free(expected.v);
    free(got.v);
    pmn_table_free(ft);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_stream__modes(void **state)
{
    char *dir = pmn_test_tmpdir("stream-modes");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_kv(cat);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    int64_t snaps[4];
    for (int c = 0; c < 4; c++) {
        pmn_datum row[2] = {pmn_datum_int(c), pmn_datum_int(c * 10)};
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
        assert_pmn_ok(pmn_writer_commit(w, c + 1, NULL, 0, &snaps[c]));
        assert_pmn_ok(pmn_writer_wait_maintenance(w));
    }
    pmn_writer_free(w);
    pmn_stream *s;
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    /* latest-full: the four rows as +I from the latest snapshot */
    assert_pmn_ok(pmn_stream_open(t, NULL, &s));
    int n = 0;
    while (pmn_stream_next(s, &kind, &row, &snap) == 0) {
        assert_int_equal(kind, PMN_ROW_INSERT);
        n++;
    }
    assert_int_equal(n, 4);
    pmn_stream_free(s);
    /* latest: nothing until a new commit */
    pmn_stream_options lo = {.mode = "latest"};
    assert_pmn_ok(pmn_stream_open(t, &lo, &s));
    assert_int_equal(pmn_stream_next(s, &kind, &row, &snap), PMN_ITEROVER);
    usleep(3000); /* the delete's commit time is after every earlier snapshot's */
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    pmn_datum del[2] = {pmn_datum_int(2), pmn_datum_null()};
    assert_pmn_ok(pmn_writer_write(w, PMN_ROW_DELETE, del));
    int64_t dsnap;
    assert_pmn_ok(pmn_writer_commit(w, 9, NULL, 0, &dsnap));
    pmn_writer_free(w);
    assert_pmn_ok(pmn_stream_next(s, &kind, &row, &snap));
    assert_int_equal(kind, PMN_ROW_DELETE);
    assert_int_equal(row[0].v.i, 2);
    assert_int_equal(snap, dsnap);
    assert_int_equal(pmn_stream_next(s, &kind, &row, &snap), PMN_ITEROVER);
    pmn_stream_free(s);
    /* from a snapshot that has expired: a clear error */
    pmn_stream_options fo = {.mode = "from-snapshot", .snapshot_id = 1};
    assert_pmn_ok(pmn_stream_open(t, &fo, &s));
    int rc = pmn_stream_next(s, &kind, &row, &snap);
    int64_t earliest = 0;
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    if (earliest > 1) {
        assert_int_equal(rc, PMN_ENOTFOUND);
        assert_non_null(strstr(pmn_error_last(), "has expired"));
    }
    pmn_stream_free(s);
    /* from-timestamp: the changes committed after a point in time */
    pmn_snapshot_info di;
    assert_pmn_ok(pmn_table_snapshot(t, dsnap, &di));
    pmn_stream_options to = {.mode = "from-timestamp", .timestamp_millis = di.time_millis};
    assert_pmn_ok(pmn_stream_open(t, &to, &s));
    n = 0;
    while ((rc = pmn_stream_next(s, &kind, &row, &snap)) == 0) {
        assert_true(snap >= dsnap);
        n++;
    }
    assert_int_equal(rc, PMN_ITEROVER);
    assert_int_equal(n, 1); /* the delete of key 2 */
    pmn_stream_free(s);
    /* an unknown mode is refused */
    pmn_stream_options bad = {.mode = "sideways"};
    assert_int_equal(pmn_stream_open(t, &bad, &s), PMN_EINVALID);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* stable order by (snapshot, key), keeping the order of changes of one key */
typedef struct ordered {
    change c;
    size_t pos;
} ordered;

static int cmp_ordered(const void *pa, const void *pb)
{
    const ordered *a = pa, *b = pb;
    if (a->c.snapshot != b->c.snapshot)
        return a->c.snapshot < b->c.snapshot ? -1 : 1;
    if (a->c.key != b->c.key)
        return a->c.key < b->c.key ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static ordered *stable(const changes *c)
{
    ordered *o = pmn_xcalloc(c->n + 1, sizeof *o);
    for (size_t i = 0; i < c->n; i++)
        o[i] = (ordered){c->v[i], i};
    qsort(o, c->n, sizeof *o, cmp_ordered);
    return o;
}

static void test_stream__changelog_input_has_every_change(void **state)
{
    char *dir = pmn_test_tmpdir("stream-changelog");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv extra[] = {{"changelog-producer", "input"}, {"target-file-size", "4 kb"}};
    pmn_table *t = create_kv_opts(cat, "cl", extra, 2);
    pmn_stream_options so = {.consumer_id = "c", .mode = "latest"};
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(t, &so, &s));
    assert_pmn_ok(pmn_stream_checkpoint(s));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    changes expected = {0}, got = {0};
    int64_t last = -1;
    srand(11);
    for (int c = 1; c <= 60; c++) {
        changes batch = {0};
        int nops = 1 + rand() % 150;
        for (int i = 0; i < nops; i++) {
            int64_t key = rand() % 40; /* few keys: many changes per key per commit */
            int kind = rand() % 4;
            int32_t q = rand() % 1000;
            pmn_datum row[2] = {pmn_datum_int(key), pmn_datum_int(q)};
            assert_pmn_ok(pmn_writer_write(w, (pmn_row_kind)kind, row));
            add_change(&batch, 0, key, kind, q);
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        for (size_t i = 0; i < batch.n; i++)
            add_change(&expected, snap, batch.v[i].key, batch.v[i].kind, batch.v[i].qty);
        free(batch.v);
        follow(s, &got, (size_t)(rand() % 200), &last);
    }
    assert_pmn_ok(pmn_writer_wait_maintenance(w));
    while (follow(s, &got, 1000000, &last) > 0)
        ;
    assert_int_equal(got.n, expected.n);
    ordered *e = stable(&expected), *g = stable(&got);
    for (size_t i = 0; i < got.n; i++)
        if (cmp_change(&e[i].c, &g[i].c) != 0)
            fail_msg("change %zu: expected snapshot %lld key %lld kind %d qty %d, got kind %d "
                     "qty %d",
                     i, (long long)e[i].c.snapshot, (long long)e[i].c.key, e[i].c.kind, e[i].c.qty,
                     g[i].c.kind, g[i].c.qty);
    free(e);
    free(g);
    /* changelog files of expired snapshots are removed with them; orphan removal keeps the
     * live ones */
    int64_t removed = 0;
    assert_pmn_ok(pmn_table_remove_orphans(t, 0, &removed));
    pmn_stream_free(s);
    /* the last snapshot read may have expired meanwhile (it was read, so no consumer keeps
     * it): re-read from the earliest one still there if so */
    int64_t earliest = 0;
    assert_pmn_ok(pmn_table_earliest_snapshot(t, &earliest));
    if (last < earliest)
        last = earliest;
    pmn_stream_options again = {.mode = "from-snapshot", .snapshot_id = last};
    assert_pmn_ok(pmn_stream_open(t, &again, &s));
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc;
    while ((rc = pmn_stream_next(s, &kind, &row, &snap)) == 0)
        ;
    if (rc != PMN_ITEROVER)
        fail_msg("re-reading snapshot %lld: %s", (long long)last, pmn_error_last());
    pmn_stream_free(s);
    pmn_writer_free(w);
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("%zu violations:\n%s", violations, report);
    free(report);
    /* only the retained snapshots' changelog files are left, once an expiry has run after
     * the follower's last checkpoint (the writer's last one may have raced with it) */
    assert_pmn_ok(pmn_table_expire(t, NULL));
    char *bdir = pmn_xasprintf("%s/db.db/cl/bucket-0", dir);
    char **names;
    size_t n, ncl = 0;
    assert_pmn_ok(pmn_fs_list(bdir, &names, &n));
    for (size_t i = 0; i < n; i++)
        ncl += strncmp(names[i], "changelog-", 10) == 0;
    pmn_fs_list_free(names, n);
    free(bdir);
    print_message("%zu changes; %zu changelog files left in bucket-0 after expiry\n", got.n, ncl);
    assert_true(ncl <= 4);
    free(expected.v);
    free(got.v);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream__follower_exactly_once_across_restarts),
        cmocka_unit_test(test_stream__modes),
        cmocka_unit_test(test_stream__changelog_input_has_every_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
