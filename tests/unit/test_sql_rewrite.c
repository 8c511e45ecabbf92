/*
 * tests/unit/test_sql_rewrite.c
 *
 * sql/: statement splitting, the statement front end and the Flink → SQLite
 * query rewriter.
 */
#include "testutil.h"

#include "pmn/common.h"
#include "sql/count.h"
#include "sql/lexer.h"
#include "sql/rewrite.h"
#include "sql/stmt.h"

#include <stdlib.h>
#include <string.h>

/* Split `script` and return the statements joined by "|". */
static char *split_all(const char *script, int *last_rc)
{
    static char out[4096];
    out[0] = '\0';
    size_t pos = 0, s, e;
    int rc;
    while ((rc = pmn_sql_split_next(script, strlen(script), &pos, &s, &e)) == 1) {
        strncat(out, script + s, e - s);
        strcat(out, "|");
    }
    if (rc == -1) {
        strcat(out, "INCOMPLETE:");
        strncat(out, script + s, e - s);
    }
    *last_rc = rc;
    return out;
}

static void test_sql__split_statements(void **state)
{
    int rc;
    assert_string_equal(split_all("SELECT 1;\n  SELECT ';' ;-- c;\n", &rc), "SELECT 1|SELECT ';'|");
    assert_int_equal(rc, 0);
    assert_string_equal(split_all("-- only comment;\nUSE x; /* ; */ SHOW TABLES", &rc),
                        "USE x|INCOMPLETE:SHOW TABLES");
    assert_int_equal(rc, -1);
    assert_string_equal(split_all("SELECT 'open;", &rc), "INCOMPLETE:SELECT 'open;");
    assert_string_equal(split_all("SELECT a /*+ OPTIONS('a'='b') */ FROM t;", &rc),
                        "SELECT a /*+ OPTIONS('a'='b') */ FROM t|");
    assert_string_equal(split_all("SELECT `a;b` FROM t;", &rc), "SELECT `a;b` FROM t|");
}

static void test_sql__parse_catalog_and_show(void **state)
{
    pmn_sql_stmt s;
    const char *q = "CREATE CATALOG paimon_catalog WITH (\n  'type' = 'paimon',\n  'warehouse' = "
                    "'/tmp/paimon'\n)";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_CREATE_CATALOG);
    assert_string_equal(s.name.parts[0], "paimon_catalog");
    assert_int_equal(s.noptions, 2);
    assert_string_equal(s.options[1].key, "warehouse");
    assert_string_equal(s.options[1].value, "/tmp/paimon");
    pmn_sql_stmt_dispose(&s);

    q = "show current database";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_SHOW_CURRENT_DATABASE);
    pmn_sql_stmt_dispose(&s);

    q = "SHOW CREATE TABLE lakehouse.products";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_SHOW_CREATE_TABLE);
    assert_int_equal(s.name.nparts, 2);
    assert_string_equal(s.name.parts[1], "products");
    pmn_sql_stmt_dispose(&s);

    q = "USE `lake house`";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_USE_DATABASE);
    assert_string_equal(s.name.parts[0], "lake house");
    pmn_sql_stmt_dispose(&s);

    q = "SET 'sql-client.execution.result-mode' = 'tableau'";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_SET);
    assert_string_equal(s.options[0].value, "tableau");
    pmn_sql_stmt_dispose(&s);
}

static void test_sql__parse_create_table(void **state)
{
    pmn_sql_stmt s;
    const char *q = "CREATE TABLE IF NOT EXISTS basket_analysis.basket_patterns (\n"
                    "  antecedents ARRAY<STRING> COMMENT 'items',\n"
                    "  consequent VARCHAR(50) NOT NULL,\n"
                    "  confidence DECIMAL(5, 4),\n"
                    "  support DOUBLE,\n"
                    "  m MAP<STRING, ROW<a INT, b STRING>>,\n"
                    "  PRIMARY KEY (consequent) NOT ENFORCED\n"
                    ") PARTITIONED BY (support) WITH ('bucket' = '2')";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_CREATE_TABLE);
    assert_true(s.if_not_exists);
    assert_int_equal(s.ncolumns, 5);
    assert_string_equal(s.columns[0].type_sql, "ARRAY<STRING>");
    assert_string_equal(s.columns[0].comment, "items");
    assert_string_equal(s.columns[1].type_sql, "VARCHAR(50) NOT NULL");
    assert_string_equal(s.columns[2].type_sql, "DECIMAL(5, 4)");
    assert_string_equal(s.columns[4].type_sql, "MAP<STRING, ROW<a INT, b STRING>>");
    assert_int_equal(s.nprimary_keys, 1);
    assert_string_equal(s.primary_keys[0], "consequent");
    assert_int_equal(s.npartition_keys, 1);
    assert_string_equal(s.options[0].key, "bucket");
    pmn_sql_stmt_dispose(&s);

    q = "CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING)";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.nprimary_keys, 1);
    assert_string_equal(s.primary_keys[0], "id");
    assert_string_equal(s.columns[0].type_sql, "INT");
    pmn_sql_stmt_dispose(&s);
}

static void test_sql__parse_dml_and_alter(void **state)
{
    pmn_sql_stmt s;
    const char *q = "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_INSERT);
    assert_int_equal(s.ninsert_columns, 2);
    assert_string_equal(q + s.body_off, "VALUES (1, 'x'), (2, 'y')");
    pmn_sql_stmt_dispose(&s);

    q = "DELETE FROM lakehouse.products WHERE product_id = 'p1'";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_DELETE);
    assert_string_equal(q + s.body_off, "product_id = 'p1'");
    pmn_sql_stmt_dispose(&s);

    q = "ALTER TABLE lakehouse.products SET (\n    'compaction.min.file-num' = '3',\n"
        "    'compaction.max.file-num' = '20',\n    'snapshot.num-retained.min' = '5'\n)";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_ALTER_TABLE_SET);
    assert_int_equal(s.noptions, 3);
    assert_string_equal(s.options[2].key, "snapshot.num-retained.min");
    assert_string_equal(s.options[2].value, "5");
    pmn_sql_stmt_dispose(&s);

    q = "ALTER TABLE t RESET ('a', 'b')";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_ALTER_TABLE_RESET);
    assert_int_equal(s.noptions, 2);
    assert_null(s.options[1].value);
    pmn_sql_stmt_dispose(&s);
}

static void test_sql__parse_call(void **state)
{
    pmn_sql_stmt s;
    const char *q = "CALL sys.create_tag('lakehouse.products', 'v1', 3)";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.kind, PMN_STMT_CALL);
    assert_int_equal(s.name.nparts, 2);
    assert_string_equal(s.name.parts[1], "create_tag");
    assert_int_equal(s.noptions, 3);
    assert_null(s.options[0].key);
    assert_string_equal(s.options[0].value, "lakehouse.products");
    assert_string_equal(s.options[2].value, "3");
    pmn_sql_stmt_dispose(&s);
    q = "CALL sys.compact(`table` => 'db.t', compact_strategy => 'full')";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_int_equal(s.noptions, 2);
    assert_string_equal(s.options[0].key, "table");
    assert_string_equal(s.options[1].key, "compact_strategy");
    assert_string_equal(s.options[1].value, "full");
    pmn_sql_stmt_dispose(&s);
    q = "CALL sys.expire_snapshots('db.t', -1)";
    assert_pmn_ok(pmn_sql_stmt_parse(q, strlen(q), &s));
    assert_string_equal(s.options[1].value, "-1");
    pmn_sql_stmt_dispose(&s);
    q = "CALL sys.compact(db.t)";
    assert_int_equal(pmn_sql_stmt_parse(q, strlen(q), &s), PMN_EINVALID);
}

static void test_sql__parse_errors_have_positions(void **state)
{
    pmn_sql_stmt s;
    const char *q = "CREATE CATALOG c WITH\n  ('type' 'paimon')";
    assert_int_equal(pmn_sql_stmt_parse(q, strlen(q), &s), PMN_EINVALID);
    assert_string_equal(pmn_error_last(),
                        "syntax error at line 2, column 11: expected \"=\", found \"'paimon'\"");
    q = "SHOW TABLEZ";
    assert_int_equal(pmn_sql_stmt_parse(q, strlen(q), &s), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "line 1, column 6"));
    q = "FROBNICATE";
    assert_int_equal(pmn_sql_stmt_parse(q, strlen(q), &s), PMN_EINVALID);
}

static void rewrite_ok(const char *q, const char *cat, const char *db, bool names,
                       const char *expect, pmn_sql_rewrite *rw)
{
    assert_pmn_ok(pmn_sql_rewrite_query(q, strlen(q), cat, db, names, rw));
    if (expect)
        assert_string_equal(rw->sql, expect);
}

static void test_sql__rewrite_table_names(void **state)
{
    pmn_sql_rewrite rw;
    rewrite_ok("SELECT product_id, price FROM products ORDER BY price DESC LIMIT 10", "pc",
               "lakehouse", true,
               "SELECT product_id, price FROM \"pc.lakehouse.products\" AS \"products\" ORDER BY "
               "price DESC LIMIT 10",
               &rw);
    assert_int_equal(rw.nrefs, 1);
    assert_string_equal(rw.refs[0].catalog, "pc");
    assert_string_equal(rw.refs[0].database, "lakehouse");
    assert_string_equal(rw.refs[0].table, "products");
    assert_null(rw.refs[0].system);
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT p.product_name, i.quantity_available\nFROM products p\nJOIN "
               "other.inventory i ON p.product_id = i.product_id\nWHERE i.quantity_available < 20",
               "pc", "lakehouse", true,
               "SELECT p.product_name, i.quantity_available\nFROM \"pc.lakehouse.products\" AS "
               "\"p\"\nJOIN \"pc.other.inventory\" AS \"i\" ON p.product_id = i.product_id\nWHERE "
               "i.quantity_available < 20",
               &rw);
    assert_int_equal(rw.nrefs, 2);
    assert_string_equal(rw.refs[1].database, "other");
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT * FROM c2.db.t AS x, `lakehouse`.`products`", "pc", "d", true,
               "SELECT * FROM \"c2.db.t\" AS \"x\", \"pc.lakehouse.products\" AS \"products\"",
               &rw);
    assert_int_equal(rw.nrefs, 2);
    assert_string_equal(rw.refs[0].catalog, "c2");
    pmn_sql_rewrite_dispose(&rw);
}

static void test_sql__rewrite_system_tables_and_time_travel(void **state)
{
    pmn_sql_rewrite rw;
    rewrite_ok("SELECT * FROM lakehouse.products$snapshots", "pc", NULL, true,
               "SELECT * FROM \"pc.lakehouse.products$snapshots\" AS \"products$snapshots\"", &rw);
    assert_string_equal(rw.refs[0].system, "snapshots");
    assert_string_equal(rw.refs[0].table, "products");
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT * FROM lakehouse.products\\$snapshots", "pc", NULL, true, NULL, &rw);
    assert_string_equal(rw.refs[0].system, "snapshots");
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok(
        "SELECT COUNT(*) as product_count\nFROM products\nFOR SYSTEM_TIME AS OF "
        "TIMESTAMP '2025-01-20 10:00:00';",
        "pc", "lakehouse", true,
        "SELECT COUNT(*) as product_count\nFROM \"pc.lakehouse.products@timestamp=2025-01-20 "
        "10:00:00\" AS \"products\";",
        &rw);
    assert_string_equal(rw.refs[0].timestamp_text, "2025-01-20 10:00:00");
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '3') */ WHERE a > 1", "c", "d",
               true, "SELECT * FROM \"c.d.t@snapshot=3\" AS \"t\" WHERE a > 1", &rw);
    assert_int_equal(rw.refs[0].snapshot_id, 3);
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT * FROM t /*+ OPTIONS('scan.tag-name'='v1') */ x JOIN t y ON x.a = y.a", "c",
               "d", true,
               "SELECT * FROM \"c.d.t@tag=v1\" AS \"x\" JOIN \"c.d.t\" AS \"y\" ON x.a = y.a", &rw);
    assert_int_equal(rw.nrefs, 2);
    pmn_sql_rewrite_dispose(&rw);

    const char *bad = "SELECT * FROM t /*+ OPTIONS('consumer-id'='x') */";
    assert_int_equal(pmn_sql_rewrite_query(bad, strlen(bad), "c", "d", true, &rw), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "unsupported table option 'consumer-id'"));
    bad = "SELECT * FROM t /*+ OPTIONS('scan.mode'='incremental') */";
    assert_int_equal(pmn_sql_rewrite_query(bad, strlen(bad), "c", "d", true, &rw), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "cannot be read in batch"));
    rewrite_ok("SELECT * FROM t /*+ OPTIONS('scan.mode'='from-file-creation-time', "
               "'scan.file-creation-time-millis'='1700000000000') */",
               "c", "d", true,
               "SELECT * FROM \"c.d.t@file-creation-time=1700000000000@mode=from-file-creation-"
               "time\" AS \"t\"",
               &rw);
    assert_int_equal(rw.refs[0].file_creation_millis, 1700000000000LL);
    pmn_sql_rewrite_dispose(&rw);
    bad = "SELECT * FROM t FOR SYSTEM_TIME AS OF NOW()";
    assert_int_equal(pmn_sql_rewrite_query(bad, strlen(bad), "c", "d", true, &rw), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "line 1, column 39"));
}

static void test_sql__rewrite_expressions(void **state)
{
    pmn_sql_rewrite rw;
    rewrite_ok("SELECT COUNT(*) FROM t WHERE product_id = 'x'", "c", "d", true,
               "SELECT COUNT(*) AS \"EXPR$0\" FROM \"c.d.t\" AS \"t\" WHERE product_id = 'x'", &rw);
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT a, b AS bb, c cc, t.d, price * 2, CASE WHEN a THEN 1 END, COUNT(*) n "
               "FROM t GROUP BY a",
               "c", "d", true,
               "SELECT a, b AS bb, c cc, t.d, price * 2 AS \"EXPR$4\", CASE WHEN a THEN 1 END AS "
               "\"EXPR$5\", COUNT(*) n FROM \"c.d.t\" AS \"t\" GROUP BY a",
               &rw);
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("SELECT IF(a > 1, 'x', 'y') AS k, CAST(price AS DECIMAL(10, 2)) AS p, "
               "CHAR_LENGTH(`name`) AS l FROM t WHERE ts > TIMESTAMP '2025-01-01 00:00:00'",
               "c", "d", true,
               "SELECT iif(a > 1, 'x', 'y') AS k, CAST(price AS REAL) AS p, length(\"name\") AS l "
               "FROM \"c.d.t\" AS \"t\" WHERE ts > '2025-01-01 00:00:00'",
               &rw);
    pmn_sql_rewrite_dispose(&rw);
    /* typed literals take the vtab's canonical text */
    rewrite_ok(
        "SELECT 1 AS x WHERE TIMESTAMP '2025-01-01T10:00:00.500' = t AND TIME '10:00:00.000' "
        "= u AND DATE '2025-01-01' = v",
        "c", "d", true,
        "SELECT 1 AS x WHERE '2025-01-01 10:00:00.5' = t AND '10:00:00' = u AND  '2025-01-01' "
        "= v",
        &rw);
    pmn_sql_rewrite_dispose(&rw);

    rewrite_ok("WITH x AS (SELECT a FROM t) SELECT a FROM x, (SELECT b FROM u) v", "c", "d", true,
               "WITH x AS (SELECT a FROM \"c.d.t\" AS \"t\") SELECT a FROM x, (SELECT b FROM "
               "\"c.d.u\" AS \"u\") v",
               &rw);
    assert_int_equal(rw.nrefs, 2);
    pmn_sql_rewrite_dispose(&rw);
}

static void test_sql__rewrite_keyword_functions(void **state)
{
    pmn_sql_rewrite rw;
    rewrite_ok("SELECT EXTRACT(YEAR FROM created_at) AS y, SUBSTRING(name FROM 2 FOR 3) AS s, "
               "POSITION('a' IN name) AS p FROM t WHERE EXTRACT(DAY FROM created_at) = 1",
               "c", "d", true,
               "SELECT year( created_at) AS y, SUBSTRING(name , 2 , 3) AS s, locate('a' , name) AS "
               "p FROM \"c.d.t\" AS \"t\" WHERE dayofmonth( created_at) = 1",
               &rw);
    assert_int_equal(rw.nrefs, 1);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok("SELECT x.a, b FROM (VALUES (1, 'p'), (2, 'q')) AS x(a, b) JOIN t ON t.id = x.a",
               "c", "d", true,
               "SELECT x.a, b FROM (SELECT column1 AS \"a\", column2 AS \"b\" FROM (VALUES (1, "
               "'p'), (2, 'q'))) AS \"x\" JOIN \"c.d.t\" AS \"t\" ON t.id = x.a",
               &rw);
    assert_int_equal(rw.nrefs, 1);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok("SELECT ARRAY['a', 'b'] AS x, MAP['k', ARRAY[1]] AS m, ROW(1, 'z') AS r, v[1] AS f",
               "c", "d", true,
               "SELECT json_array('a', 'b') AS x, json_object('k', json_array(1)) AS m, "
               "json_array(1, 'z') AS r, pmn_item(v, 1) AS f",
               &rw);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok("SELECT a FROM t WHERE a IN (SELECT b FROM u) AND TRIM(BOTH ' ' FROM a) = 'x'", "c",
               "d", true, NULL, &rw);
    assert_int_equal(rw.nrefs, 2);
    assert_string_equal(rw.refs[1].table, "u");
    pmn_sql_rewrite_dispose(&rw);
}

/* Random token soups never crash the parser or the rewriter; they succeed or say why. */
/* Element access, JSON_VALUE/QUERY/EXISTS clauses, CAST to DOUBLE, long decimal literals. */
static void test_sql__rewrite_items_json_casts(void **state)
{
    pmn_sql_rewrite rw;
    rewrite_ok("SELECT t.arr[1], m['k'], aa[1][2], ARRAY[5, 6][2], f(x)[1], (v)[3] FROM t", "c",
               "d", true,
               "SELECT pmn_item(t.arr, 1) AS \"EXPR$0\", pmn_item(m, 'k') AS \"EXPR$1\", "
               "pmn_item(pmn_item(aa, 1), 2) AS \"EXPR$2\", pmn_item(json_array(5, 6), 2) AS "
               "\"EXPR$3\", pmn_item(f(x), 1) AS \"EXPR$4\", pmn_item((v), 3) AS \"EXPR$5\" "
               "FROM \"c.d.t\" AS \"t\"",
               &rw);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok("SELECT a FROM t WHERE arr[i + 1] > 2", "c", "d", false,
               "SELECT a FROM \"c.d.t\" AS \"t\" WHERE pmn_item(arr, i + 1) > 2", &rw);
    pmn_sql_rewrite_dispose(&rw);
    const char *q = "SELECT [1] FROM t";
    assert_int_equal(pmn_sql_rewrite_query(q, strlen(q), "c", "d", false, &rw), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "column 8"));
    rewrite_ok("SELECT JSON_VALUE(j, '$.a' RETURNING DECIMAL(10, 2) DEFAULT -1 ON EMPTY "
               "ERROR ON ERROR), JSON_QUERY(j, 'lax $' WITH CONDITIONAL ARRAY WRAPPER EMPTY "
               "ARRAY ON EMPTY), JSON_EXISTS(j, '$.b' UNKNOWN ON ERROR), JSON_VALUE(NULL, '$')",
               "c", "d", false,
               "SELECT pmn_json_value(j, '$.a' , 'RETURNING DECIMAL', 'DEFAULT ON EMPTY', -1   , "
               "'ERROR ON ERROR'), pmn_json_query(j, 'lax $' , 'WITH CONDITIONAL ARRAY WRAPPER', "
               "'EMPTY ARRAY ON EMPTY'), pmn_json_exists(j, '$.b' , 'UNKNOWN ON ERROR'), "
               "pmn_json_value(NULL, '$')",
               &rw);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok("SELECT CAST(s AS DOUBLE), CAST('1' AS FLOAT), CAST(x AS DECIMAL(38, 18)), "
               "12345678901234567.5, 1.5, 1e300",
               "c", "d", false,
               "SELECT pmn_to_double(s ), pmn_to_double('1' ), CAST(x AS REAL), "
               "pmn_decimal('12345678901234567.5'), 1.5, 1e300",
               &rw);
    pmn_sql_rewrite_dispose(&rw);
    rewrite_ok(
        "SELECT ARRAY[1, -12345678901234567.5, f(12345678901234567.5)], "
        "MAP['k', 12345678901234567.5]",
        "c", "d", false,
        "SELECT json_array(1,  '-12345678901234567.5', f(pmn_decimal('12345678901234567.5'))), "
        "json_object('k', '12345678901234567.5')",
        &rw);
    pmn_sql_rewrite_dispose(&rw);
}

/* count_rewrite: what pmn_sql_count_rewrite makes of query q (NULL: left alone). */
static char *count_rewrite(const char *q)
{
    pmn_sql_rewrite rw;
    rewrite_ok(q, "c", "d", true, NULL, &rw);
    char *out = pmn_sql_count_rewrite(&rw);
    pmn_sql_rewrite_dispose(&rw);
    return out;
}

static void test_sql__count_column_rewrite(void **state)
{
    (void)state;
    char *r = count_rewrite("SELECT COUNT(*) FROM t");
    assert_string_equal(r, "SELECT +\"t\".\"__pmn_row_count\" AS \"EXPR$0\" FROM \"c.d.t\" "
                           "AS \"t\"");
    free(r);
    r = count_rewrite("select count ( * ) as n from t /*+ OPTIONS('scan.snapshot-id' = '2') */;");
    assert_string_equal(r, "SELECT +\"t\".\"__pmn_row_count\" AS n FROM "
                           "\"c.d.t@snapshot=2\" AS \"t\"");
    free(r);
    const char *left[] = {"SELECT COUNT(*) FROM t WHERE a = 1", "SELECT COUNT(*), 1 FROM t",
                          "SELECT COUNT(a) FROM t", "SELECT COUNT(*) FROM `t$snapshots`",
                          "SELECT COUNT(*) FROM t JOIN u ON t.a = u.a",
                          "SELECT COUNT(*) + 1 FROM t"};
    for (size_t i = 0; i < sizeof left / sizeof left[0]; i++)
        assert_null(count_rewrite(left[i]));
}

static void test_sql__garbage_never_crashes(void **state)
{
    static const char *const words[] = {"SELECT",
                                        "FROM",
                                        "WHERE",
                                        "JOIN",
                                        "ON",
                                        "(",
                                        ")",
                                        ",",
                                        "t",
                                        "db.t",
                                        "c.d.t",
                                        "t$snapshots",
                                        "FOR",
                                        "SYSTEM_TIME",
                                        "AS",
                                        "OF",
                                        "TIMESTAMP",
                                        "'2025-01-01 00:00:00'",
                                        "/*+ OPTIONS('scan.snapshot-id'='1') */",
                                        "/*+",
                                        "*/",
                                        "'",
                                        "`",
                                        "\"",
                                        "--",
                                        "\n",
                                        "CAST",
                                        "ARRAY",
                                        "[",
                                        "]",
                                        "MAP",
                                        "ROW",
                                        "EXTRACT",
                                        "YEAR",
                                        "SUBSTRING",
                                        "FOR",
                                        "POSITION",
                                        "IN",
                                        "VALUES",
                                        "WITH",
                                        "x",
                                        "1",
                                        "2.5",
                                        "=",
                                        "<",
                                        "*",
                                        ";",
                                        "CREATE",
                                        "TABLE",
                                        "CATALOG",
                                        "INSERT",
                                        "INTO",
                                        "UPDATE",
                                        "SET",
                                        "DELETE",
                                        "ALTER",
                                        "ADD",
                                        "DROP",
                                        "RENAME",
                                        "TO",
                                        "PRIMARY",
                                        "KEY",
                                        "NOT",
                                        "ENFORCED",
                                        "PARTITIONED",
                                        "BY",
                                        "USE",
                                        "SHOW",
                                        "DESCRIBE",
                                        "RESET",
                                        "INT",
                                        "DECIMAL(10, 2)",
                                        "<",
                                        ">",
                                        "IF",
                                        "EXISTS",
                                        "\\$"};
    const size_t nwords = sizeof words / sizeof words[0];
    unsigned seed = 12345;
    char text[1024];
    for (int iter = 0; iter < 5000; iter++) {
        size_t len = 0;
        int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 24;
        for (int k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *w = words[(seed >> 16) % nwords];
            size_t wl = strlen(w);
            if (len + wl + 2 >= sizeof text)
                break;
            memcpy(text + len, w, wl);
            len += wl;
            text[len++] = ((seed >> 8) & 3) ? ' ' : '\n';
        }
        text[len] = '\0';
        pmn_sql_stmt st;
        int rc = pmn_sql_stmt_parse(text, len, &st);
        assert_true(rc == 0 || rc == PMN_EINVALID);
        if (rc == 0)
            pmn_sql_stmt_dispose(&st);
        pmn_sql_rewrite rw;
        rc = pmn_sql_rewrite_query(text, len, "c", iter % 2 ? "d" : NULL, true, &rw);
        assert_true(rc == 0 || rc == PMN_EINVALID);
        if (rc == 0) {
            assert_non_null(rw.sql);
            pmn_sql_rewrite_dispose(&rw);
        }
        size_t pos = 0, a, b;
        while (pmn_sql_split_next(text, len, &pos, &a, &b) == 1)
            assert_true(a <= b && b <= len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql__split_statements),
        cmocka_unit_test(test_sql__parse_catalog_and_show),
        cmocka_unit_test(test_sql__parse_create_table),
        cmocka_unit_test(test_sql__parse_dml_and_alter),
        cmocka_unit_test(test_sql__parse_call),
        cmocka_unit_test(test_sql__parse_errors_have_positions),
        cmocka_unit_test(test_sql__rewrite_table_names),
        cmocka_unit_test(test_sql__rewrite_system_tables_and_time_travel),
        cmocka_unit_test(test_sql__rewrite_expressions),
        cmocka_unit_test(test_sql__rewrite_keyword_functions),
        cmocka_unit_test(test_sql__rewrite_items_json_casts),
        cmocka_unit_test(test_sql__count_column_rewrite),
        cmocka_unit_test(test_sql__garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
