/*
 * tests/unit/test_optimization_interval.c
 *
 * compaction.optimization-interval (Java's EarlyFullCompaction time trigger)
 * in the writer's maintenance: the first commit that leaves a bucket with more
 * than one sorted run is followed by a full compaction (one run at the max
 * level); within the interval later commits are compacted by the universal
 * rules only (level-0 files stay below the trigger); once the interval has
 * passed the next commit is fully compacted again; without the option nothing
 * is compacted below the trigger.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pmn_table *create_table(pmn_catalog *cat, const char *name, const char *interval)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "k", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "v", pmn_type_new(PMN_TYPE_INT));
    const char *pk[] = {"k"};
    pmn_kv opts[] = {{"bucket", "1"}, {"compaction.optimization-interval", interval}};
    pmn_table_def def = {.row_type = row,
                         .primary_keys = pk,
                         .nprimary_keys = 1,
                         .options = opts,
                         .noptions = interval ? 2 : 1};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

/* commit_rows: upsert keys [from, from + n) with value v, commit, wait for maintenance. */
static void commit_rows(pmn_writer *w, int64_t id, int64_t from, int64_t n, int32_t v)
{
    for (int64_t k = from; k < from + n; k++) {
        pmn_datum row[2] = {pmn_datum_int(k), pmn_datum_int(v)};
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, id, NULL, 0, &snap));
    assert_pmn_ok(pmn_writer_wait_maintenance(w));
}

/* levels: count of live files at level 0 and at the max level (5 with the default trigger). */
static void levels(pmn_table *t, size_t *l0, size_t *top, size_t *all)
{
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    *l0 = *top = 0;
    *all = p->nfiles;
    for (size_t i = 0; i < p->nfiles; i++) {
        *l0 += p->files[i].file.level == 0;
        *top += p->files[i].file.level == 5;
    }
    pmn_plan_free(p);
}

static void test_interval(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("optimization_interval");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    size_t l0, top, all;

    /* without the option: two runs stay (the trigger is 5) */
    pmn_table *plain = create_table(cat, "plain", NULL);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(plain, NULL, &w));
    commit_rows(w, 1, 0, 100, 1);
    commit_rows(w, 2, 50, 100, 2);
    pmn_writer_free(w);
    levels(plain, &l0, &top, &all);
    assert_int_equal(l0, 2);
    assert_int_equal(top, 0);
    pmn_table_free(plain);

    /* an hour: the first chance of a full compaction is taken, then only universal rules */
    pmn_table *hour = create_table(cat, "hour", "1 h");
    assert_pmn_ok(pmn_writer_open(hour, NULL, &w));
    commit_rows(w, 1, 0, 100, 1); /* one run: nothing to do, and it does not count */
    levels(hour, &l0, &top, &all);
    assert_int_equal(l0, 1);
    commit_rows(w, 2, 50, 100, 2); /* two runs: fully compacted */
    levels(hour, &l0, &top, &all);
    assert_int_equal(l0, 0);
    assert_int_equal(top, all);
    commit_rows(w, 3, 0, 10, 3);
    commit_rows(w, 4, 10, 10, 4);
    levels(hour, &l0, &top, &all);
    assert_int_equal(l0, 2);
    pmn_writer_free(w);
    pmn_table_free(hour);

    /* a few milliseconds: every commit after the interval compacts fully again */
    pmn_table *fast = create_table(cat, "fast", "5 ms");
    assert_pmn_ok(pmn_writer_open(fast, NULL, &w));
    for (int64_t id = 1; id <= 4; id++) {
        usleep(20000);
        commit_rows(w, id, id * 10, 100, (int32_t)id);
        levels(fast, &l0, &top, &all);
        assert_int_equal(l0, id == 1 ? 1 : 0); /* the first commit is a single run */
        assert_int_equal(top, id == 1 ? 0 : all);
    }
    pmn_writer_free(w);
    /* the merged rows: keys 10..139, each the newest value */
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(fast, NULL, &s));
    const pmn_datum *r;
    int64_t n = 0;
    while (pmn_scan_next(s, &r) == 0) {
        int64_t k = r[0].v.i;
        int64_t newest = k >= 40 ? 4 : k >= 30 ? 3 : k >= 20 ? 2 : 1;
        assert_int_equal(r[1].v.i, newest);
        n++;
    }
    assert_int_equal(n, 130);
    pmn_scan_free(s);
    pmn_table_free(fast);

    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_interval)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
