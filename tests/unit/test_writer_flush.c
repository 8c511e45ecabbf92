/*
 * tests/unit/test_writer_flush.c
 *
 * The writer's background flush (src/table/write.c): a write buffer small
 * enough to be flushed many times in the background during one commit; every
 * new file lands at level 0 (paimon-format.md §17.10), whatever the key order;
 * the table reads back exactly what was written (last write per key wins
 * across background flushes); a lookup sees rows a background flush is
 * writing.
 */
#include "testutil.h"

#include "change/datum.h"
#include "mergetree/compact.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pmn_table *create_table(pmn_catalog *cat, const char *name, bool two_keys)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(row, 0, "k2", pmn_type_not_null(pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(row, 0, "name", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id", "k2"};
    pmn_kv opts[] = {{"bucket", "2"}, {"write-buffer-size", "64 kb"}, {"write-only", "true"}};
    pmn_table_def def = {.row_type = row,
                         .primary_keys = keys,
                         .nprimary_keys = two_keys ? 2 : 1,
                         .options = opts,
                         .noptions = sizeof opts / sizeof opts[0]};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

static void put(pmn_writer *w, int64_t key, int32_t qty, pmn_row_kind kind)
{
    char name[64];
    int len = snprintf(name, sizeof name, "name-%lld-padding-to-make-rows-bigger", (long long)key);
    pmn_datum row[4];
    row[0] = pmn_datum_int(key);
    row[1] = pmn_datum_int(7);
    row[2] = pmn_datum_str(name, (uint32_t)len);
    row[3] = pmn_datum_int(qty);
    assert_pmn_ok(pmn_writer_write(w, kind, row));
}

static void commit(pmn_writer *w, int64_t id)
{
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, id, NULL, 0, &snap));
    assert_true(snap > 0);
}

/* levels: how many live files are at the top level and how many at level 0 */
static void levels(pmn_table *t, size_t *top, size_t *zero)
{
    pmn_compact_options o;
    assert_pmn_ok(pmn_compact_options_load(t, &o));
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    *top = *zero = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        if (p->files[i].file.level == o.num_levels - 1)
            (*top)++;
        else if (p->files[i].file.level == 0)
            (*zero)++;
    }
    pmn_plan_free(p);
}

/* check: the table holds exactly qty[k] for every k with qty[k] >= 0 */
static void check(pmn_table *t, const int32_t *qty, int n)
{
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    char *seen = pmn_xcalloc((size_t)n, 1);
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < n);
        if (seen[k])
            fail_msg("key %lld returned twice", (long long)k);
        seen[k] = 1;
        if (qty[k] != (int32_t)row[3].v.i)
            fail_msg("key %lld: lake %lld, want %d", (long long)k, (long long)row[3].v.i, qty[k]);
    }
    assert_int_equal(rc, PMN_ITEROVER);
    for (int k = 0; k < n; k++)
        if (!seen[k] && qty[k] >= 0)
            fail_msg("key %d missing", k);
    free(seen);
    pmn_scan_free(s);
}

#define N 20000

static void test_writer_flush__ascending_snapshot_at_level_zero(void **state)
{
    char *dir = pmn_test_tmpdir("writer-one-run");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "t", false);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    int32_t *qty = pmn_xcalloc(N, sizeof *qty);
    for (int k = 0; k < N; k++) {
        qty[k] = k % 100;
        put(w, k, qty[k], PMN_ROW_INSERT); /* ~2 MB of rows through a 64 kB buffer */
    }
    commit(w, 1);
    size_t top, zero;
    levels(t, &top, &zero);
    assert_int_equal(top, 0); /* new files are written at level 0, never promoted */
    assert_true(zero > 4);    /* many background flushes */
    check(t, qty, N);

    /* the next commit adds more level-0 files, and its rows win */
    for (int k = 0; k < N; k += 7) {
        qty[k] = 1000 + k % 50;
        put(w, k, qty[k], PMN_ROW_INSERT);
    }
    commit(w, 2);
    size_t top2, zero2;
    levels(t, &top2, &zero2);
    assert_int_equal(top2, 0);
    assert_true(zero2 > zero);
    check(t, qty, N);
    free(qty);
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_writer_flush__out_of_order_stays_at_level_zero(void **state)
{
    char *dir = pmn_test_tmpdir("writer-level0");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    int32_t *qty = pmn_xcalloc(N, sizeof *qty);
    for (int variant = 0; variant < 3; variant++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", variant);
        pmn_table *t = create_table(cat, name, variant == 2);
        pmn_writer *w;
        assert_pmn_ok(pmn_writer_open(t, NULL, &w));
        for (int k = 0; k < N; k++) {
            /* variant 0: descending keys, so later flushes overlap earlier ones */
            int64_t key = variant == 0 ? N - 1 - k : k;
            qty[key] = (int32_t)(key % 100);
            put(w, key, qty[key], PMN_ROW_INSERT);
        }
        /* variants 0 and 2 also write some keys twice: the last write wins across flushes;
         * variant 1 stays ascending but ends with a delete (of a key above all others) */
        for (int k = 0; variant != 1 && k < N; k += 11) {
            qty[k] = 500;
            put(w, k, qty[k], PMN_ROW_INSERT);
        }
        if (variant == 1)
            put(w, N + 5, 0, PMN_ROW_DELETE);
        commit(w, 1);
        size_t top, zero;
        levels(t, &top, &zero);
        assert_int_equal(top, 0);
        assert_true(zero > 4);
        check(t, qty, N);
        pmn_writer_free(w);
        pmn_table_free(t);
    }
    free(qty);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_writer_flush__lookup_sees_rows_being_flushed(void **state)
{
    char *dir = pmn_test_tmpdir("writer-lookup");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "t", false);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    for (int k = 0; k < N; k++) {
        put(w, k, k % 100, PMN_ROW_INSERT);
        if (k % 997 == 0) {
            /* key 0 left the buffer in an earlier (maybe still running) background flush */
            pmn_datum key[4] = {pmn_datum_int(0), pmn_datum_int(7)};
            const pmn_datum *row;
            assert_pmn_ok(pmn_writer_lookup(w, key, &row));
            assert_non_null(row);
            assert_int_equal(row[3].v.i, 0);
        }
    }
    commit(w, 1);
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_flush__ascending_snapshot_at_level_zero),
        cmocka_unit_test(test_writer_flush__out_of_order_stays_at_level_zero),
        cmocka_unit_test(test_writer_flush__lookup_sees_rows_being_flushed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
