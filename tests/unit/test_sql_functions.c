/*
 * tests/unit/test_sql_functions.c
 *
 * sql/functions.c, sql/jsonfn.c and the exact-DECIMAL registry of sql/value.c
 * on a bare SQLite connection: element access, CAST to DOUBLE, JSON path
 * corner cases, and which doubles keep their exact digits.
 */
#include "testutil.h"

#include "sql/functions.h"
#include "sql/value.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(pmn_sql_functions_register(db), 0);
    return db;
}

/* The text of the one value `sql` selects ("NULL" for NULL, "ERROR: msg" on failure). */
static const char *one(sqlite3 *db, const char *sql)
{
    static char out[512];
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(out, sizeof out, "NULL");
    else
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_sql__item_access(void **state)
{
    sqlite3 *db = open_db();
    assert_string_equal(one(db, "SELECT pmn_item('[10,20]', 1)"), "10");
    assert_string_equal(one(db, "SELECT pmn_item('[10,20]', 2.0)"), "20");
    assert_string_equal(one(db, "SELECT pmn_item('[10,20]', 3)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[10,20]', 0)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[10,20]', -1)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[[1,2]]', 1)"), "[1,2]");
    assert_string_equal(one(db, "SELECT pmn_item('{\"k\":\"v\"}', 'k')"), "v");
    assert_string_equal(one(db, "SELECT pmn_item('{\"k\":\"v\"}', 'x')"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[[1,\"one\"],[2,\"two\"]]', '2')"), "two");
    assert_string_equal(one(db, "SELECT pmn_item(NULL, 1)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[1]', NULL)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_item('[true,null]', 1)"), "1");
    assert_string_equal(one(db, "SELECT pmn_item('abc', 1)"),
                        "ERROR: element access [...] needs an ARRAY or MAP value");
    assert_string_equal(one(db, "SELECT pmn_item(5, 1)"),
                        "ERROR: element access [...] needs an ARRAY or MAP value");
    assert_string_equal(one(db, "SELECT pmn_item('[1]', 1.5)"),
                        "ERROR: an ARRAY index must be an integer");
    sqlite3_close(db);
}

static void test_sql__to_double(void **state)
{
    sqlite3 *db = open_db();
    assert_string_equal(one(db, "SELECT pmn_to_double('NaN')"), "NaN");
    assert_string_equal(one(db, "SELECT pmn_to_double('-NaN')"), "NaN");
    assert_string_equal(one(db, "SELECT pmn_to_double(' Infinity ') > 1e308"), "1");
    assert_string_equal(one(db, "SELECT pmn_to_double('-Infinity') < -1e308"), "1");
    assert_string_equal(one(db, "SELECT pmn_to_double('2.5e1')"), "25.0");
    assert_string_equal(one(db, "SELECT pmn_to_double(3)"), "3.0");
    assert_string_equal(one(db, "SELECT pmn_to_double(NULL)"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_to_double('inf')"),
                        "ERROR: cannot cast 'inf' to DOUBLE: not a number");
    assert_string_equal(one(db, "SELECT pmn_to_double('0x10')"),
                        "ERROR: cannot cast '0x10' to DOUBLE: not a number");
    assert_string_equal(one(db, "SELECT pmn_to_double('1.5 x')"),
                        "ERROR: cannot cast '1.5 x' to DOUBLE: not a number");
    sqlite3_close(db);
}

static void test_sql__json_paths(void **state)
{
    sqlite3 *db = open_db();
    const char *doc = "'{\"a\":{\"b\":[1,2.5,{\"c\":\"x\"}]},\"k.k\":7,\"n\":null,\"e\":\"\"}'";
    char sql[512];
#define JV(path, extra, expect)                                                                    \
    do {                                                                                           \
        snprintf(sql, sizeof sql, "SELECT pmn_json_value(%s, '%s'%s)", doc, path, extra);          \
        assert_string_equal(one(db, sql), expect);                                                 \
    } while (0)
    JV("$.a.b[0]", "", "1");
    JV("$.a.b[1]", "", "2.5");
    JV("$.a.b[-1].c", "", "x");
    JV("$[''a''][\"b\"][2][''c'']", "", "x");
    JV("$.[\"k.k\"]", "", "7");
    JV("  lax   $.a.zz", "", "NULL");
    JV("$.e", "", "");
    JV("$.n", "", "NULL");
    JV("$.n", ", 'DEFAULT ON EMPTY', 'd'", "d");
    JV("$.a", "", "NULL");
    JV("lax $.a", ", 'ERROR ON EMPTY'",
       "ERROR: JSON_VALUE: empty result of JSON_VALUE function is not allowed");
    JV("$.a.b[9]", ", 'ERROR ON ERROR'", "ERROR: JSON_VALUE: no results for path: $[9]");
    JV("$.a.b[*]", ", 'ERROR ON ERROR'",
       "ERROR: JSON_VALUE: strict jsonpath mode requires a scalar value, and the actual value "
       "is: '[1,2.5,{\"c\":\"x\"}]'");
    JV("$.a.b[", ", 'ERROR ON ERROR'",
       "ERROR: JSON_VALUE: could not parse JSON path '$.a.b[' at position 7");
    JV("$.a.", ", 'ERROR ON ERROR'", "ERROR: JSON_VALUE: JSON path '$.a.' must not end with a '.'");
    JV("$.a.b[1]", ", 'RETURNING INT'", "2");
    JV("$.a.b[2].c", ", 'RETURNING DOUBLE', 'DEFAULT ON ERROR', -1", "-1");
#undef JV
    assert_string_equal(one(db, "SELECT pmn_json_query('{\"a\":[1,{\"b\":1.0}]}', '$.a')"),
                        "[1,{\"b\":1.0}]");
    assert_string_equal(one(db, "SELECT pmn_json_query('[1,2]', '$[0]', 'WITH WRAPPER')"), "[1]");
    assert_string_equal(one(db, "SELECT pmn_json_query('[1,2]', 'lax $[0]', 'EMPTY OBJECT ON "
                                "EMPTY')"),
                        "{}");
    assert_string_equal(one(db, "SELECT pmn_json_query('x', '$', 'EMPTY ARRAY ON ERROR')"), "[]");
    assert_string_equal(one(db, "SELECT pmn_json_exists('{\"a\":[]}', '$.a')"), "1");
    assert_string_equal(one(db, "SELECT pmn_json_exists('{\"a\":[]}', '$.a[0]')"), "0");
    assert_string_equal(one(db, "SELECT pmn_json_exists('{\"a\":[]}', '$.a[0]', 'TRUE ON ERROR')"),
                        "1");
    assert_string_equal(one(db, "SELECT pmn_json_exists('{', 'lax $')"), "0");
    assert_string_equal(one(db, "SELECT pmn_json_exists(NULL, '$')"), "NULL");
    assert_string_equal(one(db, "SELECT pmn_json_value(1.5, '$')"),
                        "ERROR: JSON_VALUE needs a STRING holding JSON as its first argument, "
                        "got a number");
    sqlite3_close(db);
}

static void test_sql__exact_registry(void **state)
{
    pmn_sql_exact *x = pmn_sql_exact_new();
    pmn_i128 v;
    int scale;
    /* without a current registry nothing is noted */
    pmn_sql_exact_note(1.2345678901234567e19, (pmn_i128)1234567890123456789 * 10 + 1, 0);
    assert_false(pmn_sql_exact_lookup(1.2345678901234567e19, 0, &v));
    assert_null(pmn_sql_exact_use(x));
    /* 12345678901234567.891 noted at scale 5 (two trailing zeros) */
    pmn_i128 big = (pmn_i128)12345678901234567 * 1000 + 891;
    double f = 12345678901234567.891;
    pmn_sql_exact_note(f, big * 100, 5);
    assert_true(pmn_sql_exact_find(f, &v, &scale)); /* at the scale it was noted with */
    assert_true(v == big * 100 && scale == 5);
    assert_true(pmn_sql_exact_lookup(f, 4, &v) && v == big * 10);
    assert_false(pmn_sql_exact_lookup(f, 2, &v)); /* would need rounding */
    assert_true(pmn_sql_exact_lookup(-f, 3, &v) && v == -big);
    /* 15 digits or fewer: the double is enough, nothing kept */
    pmn_sql_exact_note(123.456, 123456, 3);
    assert_false(pmn_sql_exact_find(123.456, &v, &scale));
    /* another decimal with the same double: neither is known any more */
    pmn_sql_exact_note(f, big + 1, 3);
    assert_false(pmn_sql_exact_find(f, &v, &scale));
    /* literals */
    double lit = pmn_sql_exact_literal("98765432109876543210.5");
    assert_true(pmn_sql_exact_lookup(lit, 1, &v));
    assert_true(v == (pmn_i128)98765432109876543 * 10000 + 2105);
    /* growth keeps every entry */
    for (int i = 0; i < 5000; i++)
        pmn_sql_exact_note(1e17 + 16.0 * i, (pmn_i128)100000000000000000 + 16 * i + 1, 0);
    for (int i = 0; i < 5000; i += 499)
        assert_true(pmn_sql_exact_lookup(1e17 + 16.0 * i, 0, &v) &&
                    v == (pmn_i128)100000000000000000 + 16 * i + 1);
    pmn_sql_exact_reset(x);
    assert_false(pmn_sql_exact_lookup(lit, 1, &v));
    /* before the first lookup notes are only appended: repeats and clashes are sorted out
     * when the index is built */
    double g = 22345678901234567.0;
    pmn_sql_exact_note(g, (pmn_i128)22345678901234567, 0);
    pmn_sql_exact_note(g, (pmn_i128)22345678901234567, 0);
    pmn_sql_exact_note(f, big, 3);
    pmn_sql_exact_note(f, big + 1, 3);
    assert_true(pmn_sql_exact_lookup(g, 0, &v) && v == (pmn_i128)22345678901234567);
    assert_false(pmn_sql_exact_find(f, &v, &scale));
    pmn_sql_exact_reset(x);
    assert_ptr_equal(pmn_sql_exact_use(NULL), x);
    pmn_sql_exact_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql__item_access),
        cmocka_unit_test(test_sql__to_double),
        cmocka_unit_test(test_sql__json_paths),
        cmocka_unit_test(test_sql__exact_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
