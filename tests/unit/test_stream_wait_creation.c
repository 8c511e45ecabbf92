/*
 * tests/unit/test_stream_wait_creation.c
 *
 * A from-file-creation-time stream opened on a table without a snapshot
 * waits for one (Java's FileCreationTimeStartingScanner returns NoSnapshot
 * and the stream asks again): it reads nothing and records no consumer
 * position meanwhile; once snapshots exist it starts from the latest one,
 * reading only its files created at or after the bound, then follows.
 * Before, it read every snapshot from 1 unfiltered.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void commit(pmn_table *t, int64_t ident, int64_t key, int32_t qty)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    pmn_datum row[2] = {pmn_datum_int(key), pmn_datum_int(qty)};
    assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ident, NULL, 0, &snap));
    assert_int_equal(snap, ident);
    pmn_writer_free(w);
}

/* read_all: "kind:key=qty@snap " for every change until caught up */
static char *read_all(pmn_stream *s)
{
    char *out = pmn_xstrdup("");
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc;
    static const char *names[] = {"+I", "-U", "+U", "-D"};
    while ((rc = pmn_stream_next(s, &kind, &row, &snap)) == 0) {
        char *next = pmn_xasprintf("%s%s:%lld=%d@%lld ", out, names[kind], (long long)row[0].v.i,
                                   (int)row[1].v.i, (long long)snap);
        free(out);
        out = next;
    }
    if (rc != PMN_ITEROVER)
        fail_msg("stream: %s", pmn_error_last());
    return out;
}

static void expect_read(pmn_stream *s, const char *want)
{
    char *got = read_all(s);
    if (strcmp(got, want))
        fail_msg("got '%s', expected '%s'", got, want);
    free(got);
}

static void test_stream_wait__first_snapshot_filtered(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("stream-wait-creation");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_catalog_create_database(cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "1"}, {"write-only", "true"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = 2};
    assert_pmn_ok(pmn_catalog_create_table(cat, "db", "t", &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "db", "t", &t));

    /* the bound lies after the first commit and before the second */
    int64_t bound = pmn_now_millis() + 1500;
    pmn_stream_options o = {.mode = "from-file-creation-time", .timestamp_millis = bound};
    pmn_stream *plain, *cons;
    assert_pmn_ok(pmn_stream_open(t, &o, &plain));
    o.consumer_id = "c1";
    assert_pmn_ok(pmn_stream_open(t, &o, &cons));
    expect_read(plain, "");
    expect_read(cons, "");
    assert_pmn_ok(pmn_stream_checkpoint(cons));
    char *consumer = pmn_xasprintf("%s/consumer/consumer-c1", pmn_table_path(t));
    assert_int_equal(pmn_fs_exists(consumer), 0); /* no position while waiting */

    commit(t, 1, 1, 10);
    commit(t, 2, 2, 20);
    if (pmn_now_millis() >= bound)
        skip(); /* the machine is too slow for the bound to separate the commits */
    while (pmn_now_millis() <= bound + 5)
        usleep(10000);
    commit(t, 3, 3, 30);
    commit(t, 4, 1, 11);

    /* the start is the latest snapshot (4), its files created since the bound */
    expect_read(plain, "+I:1=11@4 +I:3=30@4 ");
    expect_read(cons, "+I:1=11@4 +I:3=30@4 ");
    assert_pmn_ok(pmn_stream_checkpoint(cons));
    assert_int_equal(pmn_fs_exists(consumer), 1);
    commit(t, 5, 5, 50);
    expect_read(plain, "+I:5=50@5 ");
    pmn_stream_free(plain);
    pmn_stream_free(cons);

    /* the consumer resumes after the full phase it finished */
    o = (pmn_stream_options){.consumer_id = "c1"};
    assert_pmn_ok(pmn_stream_open(t, &o, &cons));
    expect_read(cons, "+I:5=50@5 ");
    pmn_stream_free(cons);

    /* the same wait from the table's options on an empty table */
    pmn_table_def def2 = def;
    row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    def2.row_type = row;
    char *b = pmn_xasprintf("%lld", (long long)(pmn_now_millis() + 1500));
    pmn_kv opts2[] = {{"bucket", "1"},
                      {"write-only", "true"},
                      {"scan.mode", "from-file-creation-time"},
                      {"scan.file-creation-time-millis", b}};
    def2.options = opts2;
    def2.noptions = 4;
    assert_pmn_ok(pmn_catalog_create_table(cat, "db", "t2", &def2, false));
    pmn_type_free(row);
    pmn_table *t2;
    assert_pmn_ok(pmn_table_open(cat, "db", "t2", &t2));
    assert_pmn_ok(pmn_stream_open(t2, NULL, &plain));
    expect_read(plain, "");
    commit(t2, 1, 1, 10);
    int64_t bound2 = strtoll(b, NULL, 10);
    if (pmn_now_millis() >= bound2)
        skip();
    while (pmn_now_millis() <= bound2 + 5)
        usleep(10000);
    commit(t2, 2, 2, 20);
    expect_read(plain, "+I:2=20@2 ");
    pmn_stream_free(plain);
    pmn_table_free(t2);
    free(b);

    free(consumer);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_wait__first_snapshot_filtered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
