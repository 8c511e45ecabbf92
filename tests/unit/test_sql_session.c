/*
 * tests/unit/test_sql_session.c
 *
 * sql/session.c end to end on a warehouse the test creates: time travel to every snapshot
 * (by id, by timestamp-millis and by FOR SYSTEM_TIME AS OF local time) checked against what
 * each commit wrote, pushdown checked by the files and rows the scans read, and the CSV output
 * of a query.
 */
#include "testutil.h"

#include "pmn/catalog.h"
#include "pmn/common.h"
#include "pmn/table.h"
#include "sql/session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
    char *dir; /* warehouse */
    char *out; /* captured output */
    size_t outlen;
    FILE *outf; /* memstream for results */
    pmn_sql_session *s;
} fixture;

static void fixture_open(fixture *f, const char *name)
{
    memset(f, 0, sizeof *f);
    f->dir = pmn_test_tmpdir(name);
    f->outf = open_memstream(&f->out, &f->outlen);
    assert_pmn_ok(pmn_sql_session_new(f->outf, f->outf, &f->s));
    pmn_sql_session_set_format(f->s, PMN_SQL_CSV);
    assert_pmn_ok(pmn_sql_session_attach(f->s, "c", f->dir));
}

static void fixture_close(fixture *f)
{
    pmn_sql_session_free(f->s);
    fclose(f->outf);
    free(f->out);
    free(f->dir);
}

/* Run one statement; return what it printed (valid until the next call). */
static const char *run(fixture *f, const char *sql)
{
    fflush(f->outf);
    size_t before = f->outlen;
    int rc = pmn_sql_session_execute(f->s, sql, strlen(sql));
    fflush(f->outf);
    if (rc)
        fail_msg("%s failed: %s", sql, f->out + before);
    return f->out + before;
}

static const char *run_fail(fixture *f, const char *sql)
{
    fflush(f->outf);
    size_t before = f->outlen;
    int rc = pmn_sql_session_execute(f->s, sql, strlen(sql));
    fflush(f->outf);
    assert_int_not_equal(rc, 0);
    return f->out + before;
}

static void test_sql_session__time_travel_every_snapshot(void **state)
{
    fixture f;
    fixture_open(&f, "sql_time_travel");
    run(&f, "CREATE TABLE t (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED) "
            "WITH ('bucket' = '2')");
    /* snapshot k holds ids 1..k with v = 'k', except that snapshot 4 deletes id 2 */
    char sql[256];
    for (int k = 1; k <= 3; k++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO t SELECT id, '%d' FROM (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL "
                 "SELECT 3) WHERE id <= %d",
                 k, k);
        run(&f, sql);
        usleep(20000);
    }
    run(&f, "DELETE FROM t WHERE id = 2");
    const char *expect[] = {
        "", "id,v\n1,1\n", "id,v\n1,2\n2,2\n", "id,v\n1,3\n2,3\n3,3\n", "id,v\n1,3\n3,3\n",
    };
    pmn_catalog *cat;
    pmn_table *t;
    assert_pmn_ok(pmn_catalog_open(f.dir, false, &cat));
    assert_pmn_ok(pmn_table_open(cat, "default", "t", &t));
    for (int k = 1; k <= 4; k++) {
        snprintf(sql, sizeof sql,
                 "SELECT id, v FROM t /*+ OPTIONS('scan.snapshot-id' = '%d') */ ORDER BY id", k);
        assert_string_equal(run(&f, sql), expect[k]);
        pmn_snapshot_info info;
        assert_pmn_ok(pmn_table_snapshot(t, k, &info));
        snprintf(sql, sizeof sql,
                 "SELECT id, v FROM t /*+ OPTIONS('scan.timestamp-millis' = '%lld') */ ORDER BY id",
                 (long long)info.time_millis);
        assert_string_equal(run(&f, sql), expect[k]);
        /* the same instant as local wall-clock text, as Flink's FOR SYSTEM_TIME AS OF takes it */
        time_t secs = (time_t)(info.time_millis / 1000);
        struct tm tm;
        localtime_r(&secs, &tm);
        char when[64];
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(sql, sizeof sql,
                 "SELECT id, v FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '%s.%03d' ORDER BY id", when,
                 (int)(info.time_millis % 1000));
        assert_string_equal(run(&f, sql), expect[k]);
    }
    /* the latest snapshot without time travel */
    assert_string_equal(run(&f, "SELECT id, v FROM t ORDER BY id"), expect[4]);
    assert_non_null(strstr(run_fail(&f, "SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '9') */"),
                           "snapshot 9 of default.t does not exist; the latest snapshot is 4"));
    pmn_table_free(t);
    pmn_catalog_free(cat);
    fixture_close(&f);
}

static void test_sql_session__pushdown_reads_less(void **state)
{
    fixture f;
    fixture_open(&f, "sql_pushdown");
    run(&f, "CREATE TABLE big (id BIGINT NOT NULL, grp INT, v STRING, PRIMARY KEY (id) NOT "
            "ENFORCED) WITH ('bucket' = '4', 'write-only' = 'true')");
    /* 8 commits of 500 keys each: 8 files per bucket (write-only: no compaction merges them) */
    for (int c = 0; c < 8; c++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO big WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                 "WHERE i < 499) SELECT %d * 500 + i, i %% 10, 'row' FROM n",
                 c);
        run(&f, sql);
    }
    uint64_t scans, files, rows;
    assert_string_equal(run(&f, "SELECT COUNT(v) AS n FROM big"), "n\n4000\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    uint64_t all_files = files, all_rows = rows;
    assert_int_equal(all_rows, 4000);
    assert_true(all_files >= 8);

    /* COUNT(*) reads no file when the manifests prove the count: no retractions, and the
     * files of each bucket hold disjoint key ranges (here: one key range per commit) */
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n FROM big"), "n\n4000\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_int_equal(scans, 1);
    assert_int_equal(files, 0);

    /* a point lookup by key reads one file */
    assert_string_equal(run(&f, "SELECT id, grp FROM big WHERE id = 1234"), "id,grp\n1234,4\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_int_equal(scans, 1);
    assert_int_equal(files, 1);
    assert_true(rows < all_rows / 4);

    /* a key range prunes files of other commits */
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n FROM big WHERE id >= 3000 AND id < 3010"),
                        "n\n10\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(files < all_files);

    /* LIMIT stops the scan early */
    assert_string_equal(run(&f, "SELECT 1 AS one FROM big LIMIT 1"), "one\n1\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(rows < all_rows);

    /* a join on the key looks up the inner table per outer row */
    run(&f, "CREATE TABLE pick (id BIGINT NOT NULL, PRIMARY KEY (id) NOT ENFORCED)");
    run(&f, "INSERT INTO pick VALUES (7), (1500), (3999)");
    assert_string_equal(
        run(&f, "SELECT b.id, b.grp FROM pick p JOIN big b ON p.id = b.id ORDER BY b.id"),
        "id,grp\n7,7\n1500,0\n3999,9\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(rows < all_rows / 2);

    /* many key lookups switch to one scan into a hash: same answer, bounded work */
    run(&f, "CREATE TABLE many (id BIGINT NOT NULL, PRIMARY KEY (id) NOT ENFORCED)");
    run(&f, "INSERT INTO many WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 999) SELECT i * 7 FROM n");
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n, SUM(b.grp) AS g, MIN(b.id) AS lo, "
                                "MAX(b.v) AS v FROM many m JOIN big b ON m.id = b.id"),
                        "n,g,lo,v\n572,2572,0,row\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(scans < 100); /* not one scan per outer row */
    /* keys absent from the table find nothing */
    assert_string_equal(
        run(&f, "SELECT COUNT(*) AS n FROM many m JOIN big b ON m.id + 4000 = b.id"), "n\n0\n");

    /* once a file holds a delete, or two files share a key, COUNT(*) must merge: it scans */
    run(&f, "DELETE FROM big WHERE id = 5");
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n FROM big"), "n\n3999\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(files > 0);
    run(&f, "INSERT INTO big VALUES (6, 0, 'again')");
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n FROM big"), "n\n3999\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_true(files > 0);
    /* after a full compaction the files are disjoint again */
    run(&f, "CALL sys.compact('default.big')");
    assert_string_equal(run(&f, "SELECT COUNT(*) AS n FROM big"), "n\n3999\n");
    pmn_sql_session_scan_stats(f.s, &scans, &files, &rows);
    assert_int_equal(files, 0);
    fixture_close(&f);
}

/* What a PostgreSQL `numeric` column (DECIMAL(38,18)) and float columns hold: decimals print
 * without binary noise, and NaN prints as NaN (SQLite turns a NaN double into NULL). */
static void test_sql_session__decimal_and_nan_values(void **state)
{
    fixture f;
    fixture_open(&f, "sql_values");
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(row, 1, "n", pmn_type_decimal(38, 18));
    pmn_type_row_add(row, 2, "f", pmn_type_new(PMN_TYPE_FLOAT));
    pmn_type_row_add(row, 3, "d", pmn_type_new(PMN_TYPE_DOUBLE));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "1"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = 1};
    pmn_catalog *cat;
    pmn_table *t;
    pmn_writer *w;
    assert_pmn_ok(pmn_catalog_open(f.dir, false, &cat));
    assert_pmn_ok(pmn_catalog_create_table(cat, "default", "v", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(cat, "default", "v", &t));
    assert_pmn_ok(pmn_writer_open(t, "test", &w));
    const pmn_i128 e18 = (pmn_i128)1000000000000000000LL;
    struct {
        pmn_i128 n;
        float f;
        double d;
    } v[] = {
        {123456 * (e18 / 1000), NAN, NAN},
        {11 * (e18 / 10), 1.5f, -INFINITY},
        {-(e18 / 1000000), INFINITY, 0.25},
    };
    for (int i = 0; i < 3; i++) {
        pmn_datum r[4] = {{0}};
        r[0].v.i = i + 1;
        r[1].v.dec = v[i].n;
        r[2].v.f4 = v[i].f;
        r[3].v.f8 = v[i].d;
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, r));
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, 1, NULL, 0, &snap));
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    run(&f, "USE CATALOG c");
    assert_string_equal(run(&f, "SELECT * FROM v ORDER BY id"),
                        "id,n,f,d\n"
                        "1,123.456000000000000000,NaN,NaN\n"
                        "2,1.100000000000000000,1.5,-Infinity\n"
                        "3,-0.000001000000000000,Infinity,0.25\n");
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_session__time_travel_every_snapshot),
        cmocka_unit_test(test_sql_session__pushdown_reads_less),
        cmocka_unit_test(test_sql_session__decimal_and_nan_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
