/*
 * tests/unit/test_sql_scan_options.c
 *
 * ALTER TABLE ... SET / CREATE TABLE ... WITH check scan.mode and
 * scan.file-creation-time-millis (sql/tableopt.c) before they reach the
 * schema, and a stream of a table given them by SQL starts from the files
 * created since that time.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/catalog.h"
#include "pmn/common.h"
#include "pmn/table.h"
#include "sql/session.h"
#include "util/alloc.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exec(pmn_sql_session *s, const char *sql)
{
    return pmn_sql_session_execute(s, sql, strlen(sql));
}

static void test_sql_scan_options__alter_set(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("sql-scan-options");
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    pmn_sql_session *s;
    assert_pmn_ok(pmn_sql_session_new(f, f, &s));
    assert_pmn_ok(pmn_sql_session_attach(s, "c", dir));
    assert_pmn_ok(exec(s, "CREATE TABLE t (id BIGINT NOT NULL, v INT, PRIMARY KEY (id) NOT "
                          "ENFORCED) WITH ('bucket' = '1', 'write-only' = 'true')"));
    assert_pmn_ok(exec(s, "INSERT INTO t VALUES (1, 10), (2, 20)"));
    assert_int_not_equal(exec(s, "ALTER TABLE t SET ('scan.mode' = 'from-file-time')"), 0);
    assert_int_not_equal(exec(s, "ALTER TABLE t SET ('scan.file-creation-time-millis' = 'soon')"),
                         0);
    assert_int_not_equal(exec(s, "CREATE TABLE u (id INT) WITH ('scan.mode' = 'earliest')"), 0);
    usleep(5000);
    int64_t bound = pmn_now_millis();
    usleep(5000);
    assert_pmn_ok(exec(s, "INSERT INTO t VALUES (3, 30)"));
    char sql[256];
    snprintf(sql, sizeof sql,
             "ALTER TABLE t SET ('scan.mode' = 'from-file-creation-time', "
             "'scan.file-creation-time-millis' = '%lld')",
             (long long)bound);
    assert_pmn_ok(exec(s, sql));
    fflush(f);

    /* the options reached the table: its stream reads the files created since the bound */
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, false, &cat));
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "default", "t", &t));
    assert_string_equal(pmn_table_option(t, "scan.mode"), "from-file-creation-time");
    pmn_stream *st;
    assert_pmn_ok(pmn_stream_open(t, NULL, &st));
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    assert_pmn_ok(pmn_stream_next(st, &kind, &row, &snap));
    assert_int_equal(row[0].v.i, 3);
    assert_int_equal(pmn_stream_next(st, &kind, &row, &snap), PMN_ITEROVER);
    pmn_stream_free(st);
    pmn_table_free(t);
    pmn_catalog_free(cat);

    pmn_sql_session_free(s);
    fclose(f);
    free(out);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_scan_options__alter_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
