/*
 * tests/unit/test_data_type_json.c
 *
 * paimon/data_type_json: the type grammar of paimon-format.md §2.1 in both
 * directions, the SQL type strings, and the errors for malformed input.
 */
#include "testutil.h"

#include "paimon/data_type_json.h"
#include "pmn/types.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* dump: compact JSON text of a type (caller frees). */
static char *dump(const pmn_type *t)
{
    json_t *j = pmn_type_to_json(t);
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return s;
}

/* round_trip: to_json -> from_json gives an equal type; to_sql -> parse_sql -> to_sql is
 * stable (field ids are not part of the SQL form). */
static void round_trip(const pmn_type *t)
{
    json_t *j = pmn_type_to_json(t);
    pmn_type *back;
    int rc = pmn_type_from_json(j, &back);
    if (rc)
        fail_msg("from_json: %s", pmn_error_last());
    assert_true(pmn_type_equal(t, back));
    pmn_type_free(back);
    json_decref(j);
    char *sql = pmn_type_to_sql(t);
    rc = pmn_type_parse_sql(sql, &back);
    if (rc)
        fail_msg("parse_sql(%s): %s", sql, pmn_error_last());
    char *again = pmn_type_to_sql(back);
    assert_string_equal(sql, again);
    free(again);
    pmn_type_free(back);
    free(sql);
}

/* check_atomic: t prints as "sql" and "sql NOT NULL", and both round-trip. Frees t. */
static void check_atomic(pmn_type *t, const char *sql)
{
    char *s = dump(t);
    char *want = pmn_xasprintf("\"%s\"", sql);
    assert_string_equal(s, want);
    free(want);
    free(s);
    round_trip(t);
    pmn_type_not_null(t);
    s = dump(t);
    want = pmn_xasprintf("\"%s NOT NULL\"", sql);
    assert_string_equal(s, want);
    free(want);
    free(s);
    round_trip(t);
    pmn_type_free(t);
}

static pmn_type *with(pmn_type_root root, int32_t length, int32_t precision, int32_t scale)
{
    pmn_type *t = pmn_type_new(root);
    if (length)
        t->length = length;
    if (precision >= 0)
        t->precision = precision;
    if (scale >= 0)
        t->scale = scale;
    return t;
}

static void test_type__atomic_types_print_as_java(void **state)
{
    check_atomic(pmn_type_new(PMN_TYPE_BOOLEAN), "BOOLEAN");
    check_atomic(pmn_type_new(PMN_TYPE_TINYINT), "TINYINT");
    check_atomic(pmn_type_new(PMN_TYPE_SMALLINT), "SMALLINT");
    check_atomic(pmn_type_new(PMN_TYPE_INT), "INT");
    check_atomic(pmn_type_new(PMN_TYPE_BIGINT), "BIGINT");
    check_atomic(pmn_type_new(PMN_TYPE_FLOAT), "FLOAT");
    check_atomic(pmn_type_new(PMN_TYPE_DOUBLE), "DOUBLE");
    check_atomic(pmn_type_decimal(10, 2), "DECIMAL(10, 2)");
    check_atomic(pmn_type_decimal(38, 0), "DECIMAL(38, 0)");
    check_atomic(pmn_type_new(PMN_TYPE_DECIMAL), "DECIMAL(10, 0)");
    check_atomic(with(PMN_TYPE_CHAR, 5, -1, -1), "CHAR(5)");
    check_atomic(pmn_type_varchar(255), "VARCHAR(255)");
    check_atomic(pmn_type_varchar(PMN_MAX_LENGTH), "STRING");
    check_atomic(pmn_type_new(PMN_TYPE_VARCHAR), "STRING");
    check_atomic(with(PMN_TYPE_BINARY, 16, -1, -1), "BINARY(16)");
    check_atomic(with(PMN_TYPE_VARBINARY, 16, -1, -1), "VARBINARY(16)");
    check_atomic(pmn_type_new(PMN_TYPE_VARBINARY), "BYTES");
    check_atomic(pmn_type_new(PMN_TYPE_DATE), "DATE");
    check_atomic(pmn_type_new(PMN_TYPE_TIME), "TIME(0)");
    check_atomic(with(PMN_TYPE_TIME, 0, 3, -1), "TIME(3)");
    check_atomic(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6), "TIMESTAMP(6)");
    check_atomic(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 0), "TIMESTAMP(0)");
    check_atomic(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9), "TIMESTAMP(9)");
    check_atomic(pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6),
                 "TIMESTAMP(6) WITH LOCAL TIME ZONE");
    check_atomic(pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3),
                 "TIMESTAMP(3) WITH LOCAL TIME ZONE");
}

/* parse_as: the JSON string `text` parses to a type printed as `canonical`. */
static void parse_as(const char *text, const char *canonical)
{
    json_t *j = json_string(text);
    pmn_type *t;
    int rc = pmn_type_from_json(j, &t);
    json_decref(j);
    if (rc)
        fail_msg("'%s': %s", text, pmn_error_last());
    char *sql = pmn_type_to_sql(t);
    if (strcmp(sql, canonical) != 0)
        fail_msg("'%s' parsed as '%s', expected '%s'", text, sql, canonical);
    free(sql);
    pmn_type_free(t);
}

static void test_type__parser_accepts_synonyms_and_whitespace(void **state)
{
    parse_as("INTEGER", "INT");
    parse_as("integer not null", "INT NOT NULL");
    parse_as("INT NULL", "INT");
    parse_as("NUMERIC(10,2)", "DECIMAL(10, 2)");
    parse_as("DEC", "DECIMAL(10, 0)");
    parse_as("dec(7)", "DECIMAL(7, 0)");
    parse_as("Decimal ( 12 , 4 )  NOT   NULL", "DECIMAL(12, 4) NOT NULL");
    parse_as("DOUBLE PRECISION", "DOUBLE");
    parse_as("TIMESTAMP_LTZ(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE");
    parse_as("timestamp_ltz", "TIMESTAMP(6) WITH LOCAL TIME ZONE");
    parse_as("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP(6)");
    parse_as("TIMESTAMP(3) WITHOUT TIME ZONE NOT NULL", "TIMESTAMP(3) NOT NULL");
    parse_as("timestamp(0) with local time zone", "TIMESTAMP(0) WITH LOCAL TIME ZONE");
    parse_as("TIMESTAMP", "TIMESTAMP(6)");
    parse_as("TIME", "TIME(0)");
    parse_as("TIME(3) WITHOUT TIME ZONE", "TIME(3)");
    parse_as("VARCHAR(2147483647)", "STRING");
    parse_as("VARBINARY(2147483647)", "BYTES");
    parse_as("VARCHAR", "VARCHAR(1)");
    parse_as("CHAR", "CHAR(1)");
    parse_as("BINARY", "BINARY(1)");
    parse_as("\t string \n", "STRING");
    parse_as("bytes", "BYTES");
    parse_as("INT ARRAY", "ARRAY<INT>"); /* Java's suffix notation */
    parse_as("INT NOT NULL MULTISET NOT NULL", "MULTISET<INT NOT NULL> NOT NULL");
}

static void reject_json_string(const char *text)
{
    json_t *j = json_string(text);
    pmn_type *t = (pmn_type *)1;
    int rc = pmn_type_from_json(j, &t);
    json_decref(j);
    if (rc != PMN_ECORRUPT)
        fail_msg("'%s' was accepted (rc %d)", text, rc);
    assert_null(t);
    if (text[0] && !strstr(pmn_error_last(), text))
        fail_msg("message does not quote the input: %s", pmn_error_last());
}

static void test_type__parser_rejects_bad_strings(void **state)
{
    reject_json_string("ARRAY<INT>");
    reject_json_string("MAP<STRING, INT>");
    reject_json_string("ROW<a INT>");
    reject_json_string("MULTISET<INT>");
    reject_json_string("DECIMAL(39, 0)");
    reject_json_string("DECIMAL(0, 0)");
    reject_json_string("DECIMAL(5, 6)");
    reject_json_string("TIMESTAMP(10)");
    reject_json_string("TIME(10)");
    reject_json_string("VARCHAR(0)");
    reject_json_string("CHAR(2147483648)");
    reject_json_string("FOO");
    reject_json_string("INT INT");
    reject_json_string("INT NOT");
    reject_json_string("DECIMAL(10, 2");
    reject_json_string("TIMESTAMP WITH TIME ZONE");
    reject_json_string("VARIANT");
    reject_json_string("");
    reject_json_string("`INT`");
}

static void test_type__complex_json_exactly_as_java(void **state)
{
    /* ROW<a ARRAY<INT NOT NULL> NOT NULL, m MAP<STRING NOT NULL, MULTISET<BIGINT>>,
     *     r ROW<x DECIMAL(5, 2), y BYTES> NOT NULL> */
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(
        row, 0, "a",
        pmn_type_not_null(pmn_type_array(pmn_type_not_null(pmn_type_new(PMN_TYPE_INT)))));
    pmn_type *ms = pmn_type_new(PMN_TYPE_MULTISET);
    ms->elem = pmn_type_new(PMN_TYPE_BIGINT);
    pmn_type_row_add(row, 1, "m",
                     pmn_type_map(pmn_type_not_null(pmn_type_varchar(PMN_MAX_LENGTH)), ms));
    pmn_type *inner = pmn_type_row();
    pmn_type_row_add(inner, 3, "x", pmn_type_decimal(5, 2));
    pmn_field *y = pmn_type_row_add(inner, 4, "y", pmn_type_new(PMN_TYPE_VARBINARY));
    y->description = pmn_xstrdup("raw 'bytes'");
    pmn_type_row_add(row, 2, "r", pmn_type_not_null(inner));

    char *s = dump(row);
    assert_string_equal(
        s, "{\"type\":\"ROW\",\"fields\":["
           "{\"id\":0,\"name\":\"a\",\"type\":{\"type\":\"ARRAY NOT NULL\",\"element\":\"INT NOT "
           "NULL\"}},"
           "{\"id\":1,\"name\":\"m\",\"type\":{\"type\":\"MAP\",\"key\":\"STRING NOT NULL\","
           "\"value\":{\"type\":\"MULTISET\",\"element\":\"BIGINT\"}}},"
           "{\"id\":2,\"name\":\"r\",\"type\":{\"type\":\"ROW NOT NULL\",\"fields\":["
           "{\"id\":3,\"name\":\"x\",\"type\":\"DECIMAL(5, 2)\"},"
           "{\"id\":4,\"name\":\"y\",\"type\":\"BYTES\",\"description\":\"raw 'bytes'\"}]}}]}");
    free(s);
    char *sql = pmn_type_to_sql(row);
    assert_string_equal(sql, "ROW<`a` ARRAY<INT NOT NULL> NOT NULL, `m` MAP<STRING NOT NULL, "
                             "MULTISET<BIGINT>>, `r` ROW<`x` DECIMAL(5, 2), `y` BYTES COMMENT "
                             "'raw ''bytes'''> NOT NULL>");
    free(sql);
    assert_int_equal(pmn_type_highest_field_id(row), 4);
    round_trip(row);

    /* the fields array alone, as in a schema file */
    json_t *fields = pmn_row_to_fields_json(row);
    pmn_type *back;
    assert_pmn_ok(pmn_row_from_fields_json(fields, &back));
    assert_true(pmn_type_equal(row, back));
    assert_string_equal(back->fields[2].type->fields[1].description, "raw 'bytes'");
    pmn_type_free(back);
    json_decref(fields);
    pmn_type_free(row);
}

static void test_type__nested_round_trips(void **state)
{
    /* every complex kind, nullable and NOT NULL, nested three deep */
    for (int nn = 0; nn < 2; nn++) {
        pmn_type *leaf = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3);
        pmn_type *arr = pmn_type_array(leaf);
        pmn_type *map = pmn_type_map(pmn_type_not_null(pmn_type_new(PMN_TYPE_INT)), arr);
        pmn_type *ms = pmn_type_new(PMN_TYPE_MULTISET);
        ms->elem = map;
        pmn_type *row = pmn_type_row();
        pmn_type_row_add(row, 7, "deep", ms);
        pmn_type_row_add(row, 8, "c", with(PMN_TYPE_CHAR, 3, -1, -1));
        pmn_type *outer = pmn_type_array(row);
        if (nn) {
            pmn_type_not_null(outer);
            pmn_type_not_null(row);
            pmn_type_not_null(ms);
            pmn_type_not_null(map);
            pmn_type_not_null(arr);
            pmn_type_not_null(leaf);
        }
        round_trip(outer);
        pmn_type_free(outer);
    }
}

static void test_type__object_json_parsing(void **state)
{
    json_error_t e;
    json_t *j = json_loads("{\"type\":\"ARRAY NOT NULL\",\"element\":\"INTEGER\"}", 0, &e);
    pmn_type *t;
    assert_pmn_ok(pmn_type_from_json(j, &t));
    assert_int_equal(t->root, PMN_TYPE_ARRAY);
    assert_false(t->nullable);
    assert_int_equal(t->elem->root, PMN_TYPE_INT);
    assert_true(t->elem->nullable);
    pmn_type_free(t);
    json_decref(j);

    /* nested fields without ids get ids from 0 (Java's AtomicInteger(-1)) */
    j = json_loads("{\"type\":\"ROW\",\"fields\":[{\"name\":\"a\",\"type\":\"INT\"},"
                   "{\"name\":\"b\",\"type\":{\"type\":\"ROW\",\"fields\":[{\"name\":\"c\","
                   "\"type\":\"STRING\"}]}}]}",
                   0, &e);
    assert_pmn_ok(pmn_type_from_json(j, &t));
    assert_int_equal(t->fields[0].id, 0);
    assert_int_equal(t->fields[1].id, 1);
    assert_int_equal(t->fields[1].type->fields[0].id, 2);
    pmn_type_free(t);
    json_decref(j);

    static const char *const bad[] = {
        "{\"type\":\"ARRAY\"}",
        "{\"type\":\"MAP\",\"key\":\"INT\"}",
        "{\"type\":\"ROW\",\"fields\":{}}",
        "{\"type\":\"ROW\",\"fields\":[{\"id\":0,\"type\":\"INT\"}]}",
        "{\"type\":\"ROW\",\"fields\":[{\"id\":\"0\",\"name\":\"a\",\"type\":\"INT\"}]}",
        "{\"type\":\"ROW\",\"fields\":[{\"name\":\"a\",\"type\":\"INT\"},"
        "{\"id\":5,\"name\":\"b\",\"type\":\"INT\"}]}",
        "{\"type\":\"STRUCT\",\"fields\":[]}",
        "{\"element\":\"INT\"}",
        "{\"type\":\"ARRAY\",\"element\":\"ARRAY<INT>\"}",
        "42",
        "null",
        "[\"INT\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = json_loads(bad[i], JSON_DECODE_ANY, &e);
        assert_non_null(j);
        if (pmn_type_from_json(j, &t) != PMN_ECORRUPT)
            fail_msg("accepted %s", bad[i]);
        assert_true(strlen(pmn_error_last()) > 0);
        json_decref(j);
    }
    /* top-level schema fields must carry ids */
    j = json_loads("[{\"name\":\"a\",\"type\":\"INT\"}]", 0, &e);
    assert_int_equal(pmn_row_from_fields_json(j, &t), PMN_ECORRUPT);
    json_decref(j);
}

static void test_type__deep_nesting_is_rejected_not_crashing(void **state)
{
    char *s = malloc(20000 * 7 + 16);
    size_t n = 0;
    for (int i = 0; i < 20000; i++) {
        memcpy(s + n, "ARRAY<", 6);
        n += 6;
    }
    memcpy(s + n, "INT", 3);
    n += 3;
    memset(s + n, '>', 20000);
    n += 20000;
    s[n] = '\0';
    pmn_type *t;
    assert_int_equal(pmn_type_parse_sql(s, &t), PMN_EINVALID);
    free(s);
}

static void test_type__sql_strings(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"INT NOT NULL", "INT NOT NULL"},
        {"varchar(50)", "VARCHAR(50)"},
        {"ARRAY<INT>", "ARRAY<INT>"},
        {"array<int not null> not null", "ARRAY<INT NOT NULL> NOT NULL"},
        {"MAP<STRING, INT>", "MAP<STRING, INT>"},
        {"MULTISET<DATE>", "MULTISET<DATE>"},
        {"ROW<a INT, b STRING>", "ROW<`a` INT, `b` STRING>"},
        {"ROW(a INT, b STRING)", "ROW<`a` INT, `b` STRING>"},
        {"ROW<>", "ROW<>"},
        {"ROW<`a b` INT 'first', `c``d` STRING COMMENT 'it''s'>",
         "ROW<`a b` INT COMMENT 'first', `c``d` STRING COMMENT 'it''s'>"},
        {"ROW<date DATE, value ROW<x INT>>", "ROW<`date` DATE, `value` ROW<`x` INT>>"},
        {"MAP<STRING, ROW<a INT, b ARRAY<BIGINT>>> NOT NULL",
         "MAP<STRING, ROW<`a` INT, `b` ARRAY<BIGINT>>> NOT NULL"},
        {"TIMESTAMP_LTZ(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE"},
        {"NUMERIC(10,2)", "DECIMAL(10, 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_type *t;
        if (pmn_type_parse_sql(cases[i].in, &t) != 0)
            fail_msg("'%s': %s", cases[i].in, pmn_error_last());
        char *s = pmn_type_to_sql(t);
        if (strcmp(s, cases[i].out) != 0)
            fail_msg("'%s' printed as '%s', expected '%s'", cases[i].in, s, cases[i].out);
        free(s);
        pmn_type_free(t);
    }
    /* nested ROW field ids are assigned depth-first from 0 */
    pmn_type *t;
    assert_pmn_ok(pmn_type_parse_sql("ROW<a ROW<x INT, y INT>, b INT>", &t));
    assert_int_equal(t->fields[0].id, 0);
    assert_int_equal(t->fields[0].type->fields[0].id, 1);
    assert_int_equal(t->fields[0].type->fields[1].id, 2);
    assert_int_equal(t->fields[1].id, 3);
    assert_int_equal(pmn_type_highest_field_id(t), 3);
    pmn_type_free(t);

    static const char *const bad[] = {"MAP<INT>", "ARRAY<>",     "ARRAY<INT",
                                      "ROW<a>",   "ROW<a INT,>", "MAP<INT, INT, INT>",
                                      "TEXT",     "ARRAY"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = (pmn_type *)1;
        if (pmn_type_parse_sql(bad[i], &t) != PMN_EINVALID)
            fail_msg("'%s' was accepted", bad[i]);
        assert_null(t);
        assert_non_null(strstr(pmn_error_last(), bad[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type__atomic_types_print_as_java),
        cmocka_unit_test(test_type__parser_accepts_synonyms_and_whitespace),
        cmocka_unit_test(test_type__parser_rejects_bad_strings),
        cmocka_unit_test(test_type__complex_json_exactly_as_java),
        cmocka_unit_test(test_type__nested_round_trips),
        cmocka_unit_test(test_type__object_json_parsing),
        cmocka_unit_test(test_type__deep_nesting_is_rejected_not_crashing),
        cmocka_unit_test(test_type__sql_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
