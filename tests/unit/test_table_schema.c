/*
 * tests/unit/test_table_schema.c
 *
 * paimon/table_schema: the Java-written fixture schemas parse to the expected
 * model and print back byte for byte; legacy defaults; list/load/commit;
 * errors name the file.
 */
#include "testutil.h"

#include "paimon/data_type_json.h"
#include "paimon/table_schema.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

#define PK_TABLE "avro_pk_with_multiple_type/pk_with_multiple_type.db/pk_with_multiple_type"
#define APPEND_SIMPLE "avro_append_simple/append_simple.db/append_simple"
#define APPEND_MULTI "avro_append_multiple/append_multiple.db/append_multiple"

static char *read_text(const char *path)
{
    char *data;
    size_t len;
    if (pmn_fs_read_file(path, &data, &len) != 0)
        fail_msg("%s", pmn_error_last());
    return data;
}

/* field_sql: SQL form of field i (caller frees). */
static char *field_sql(const pmn_schema *s, int i)
{
    return pmn_type_to_sql(s->row->fields[i].type);
}

static void assert_same_schema(const pmn_schema *a, const pmn_schema *b)
{
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->id, b->id);
    assert_true(pmn_type_equal(a->row, b->row));
    for (int32_t i = 0; i < a->row->nfields; i++) {
        const char *da = a->row->fields[i].description, *db = b->row->fields[i].description;
        assert_true((da == NULL) == (db == NULL));
        if (da)
            assert_string_equal(da, db);
    }
    assert_int_equal(a->highest_field_id, b->highest_field_id);
    assert_int_equal(a->npartition_keys, b->npartition_keys);
    for (size_t i = 0; i < a->npartition_keys; i++)
        assert_string_equal(a->partition_keys[i], b->partition_keys[i]);
    assert_int_equal(a->nprimary_keys, b->nprimary_keys);
    for (size_t i = 0; i < a->nprimary_keys; i++)
        assert_string_equal(a->primary_keys[i], b->primary_keys[i]);
    assert_int_equal(a->options.n, b->options.n);
    for (size_t i = 0; i < a->options.n; i++) {
        assert_string_equal(a->options.keys[i], b->options.keys[i]);
        assert_string_equal(a->options.values[i], b->options.values[i]);
    }
    assert_true((a->comment == NULL) == (b->comment == NULL));
    if (a->comment)
        assert_string_equal(a->comment, b->comment);
    assert_int_equal(a->time_millis, b->time_millis);
}

/* reparse: to_json -> from_json gives the same model; returns the printed text. */
static char *reparse(const pmn_schema *s)
{
    char *json = pmn_schema_to_json(s);
    pmn_schema *back;
    if (pmn_schema_from_json(json, strlen(json), &back) != 0)
        fail_msg("reparse: %s\n%s", pmn_error_last(), json);
    assert_same_schema(s, back);
    pmn_schema_free(back);
    return json;
}

static void test_schema__pk_fixture(void **state)
{
    char *table = pmn_test_fixture(PK_TABLE);
    pmn_schema *s;
    assert_pmn_ok(pmn_schema_load(table, 0, &s));
    assert_int_equal(s->version, 3);
    assert_int_equal(s->id, 0);
    assert_int_equal(s->row->nfields, 12);
    static const char *const types[] = {
        "BOOLEAN", "TINYINT",         "SMALLINT NOT NULL",
        "INT",     "BIGINT",          "FLOAT",
        "DOUBLE",  "STRING NOT NULL", "BYTES",
        "DATE",    "DECIMAL(5, 2)",   "ROW<`f0` MAP<STRING, INT>, `f1` ARRAY<INT>>"};
    for (int i = 0; i < 12; i++) {
        char *name = pmn_xasprintf("f%d", i);
        assert_string_equal(s->row->fields[i].name, name);
        assert_int_equal(s->row->fields[i].id, i);
        char *sql = field_sql(s, i);
        assert_string_equal(sql, types[i]);
        free(sql);
        free(name);
    }
    const pmn_type *nested = s->row->fields[11].type;
    assert_int_equal(nested->fields[0].id, 12);
    assert_int_equal(nested->fields[1].id, 13);
    assert_int_equal(s->highest_field_id, 13);
    assert_int_equal(pmn_type_highest_field_id(s->row), 13);
    assert_int_equal(s->npartition_keys, 1);
    assert_string_equal(s->partition_keys[0], "f1");
    assert_int_equal(s->nprimary_keys, 2);
    assert_string_equal(s->primary_keys[0], "f2");
    assert_string_equal(s->primary_keys[1], "f7");
    assert_int_equal(s->options.n, 4);
    assert_string_equal(s->options.keys[0], "bucket");
    assert_string_equal(pmn_options_get(&s->options, "bucket"), "1");
    assert_string_equal(pmn_options_get(&s->options, "bucket-key"), "f2");
    assert_string_equal(pmn_options_get(&s->options, "file.format"), "avro");
    assert_string_equal(pmn_options_get(&s->options, "manifest.format"), "avro");
    assert_null(s->comment);
    assert_true(s->time_millis == 1768206714821LL);
    assert_int_equal(pmn_schema_field_index(s, "f7"), 7);
    assert_int_equal(pmn_schema_field_index(s, "nope"), -1);

    /* Java wrote this file with Jackson's pretty printer: we print the same bytes */
    char *path = pmn_xasprintf("%s/schema/schema-0", table);
    char *orig = read_text(path);
    char *json = reparse(s);
    assert_string_equal(json, orig);
    free(json);
    free(orig);
    free(path);
    pmn_schema_free(s);
    free(table);
}

static void test_schema__append_fixtures(void **state)
{
    char *table = pmn_test_fixture(APPEND_SIMPLE);
    pmn_schema *s;
    assert_pmn_ok(pmn_schema_load_latest(table, &s));
    assert_int_equal(s->id, 0);
    assert_int_equal(s->row->nfields, 4);
    assert_int_equal(s->highest_field_id, 5);
    assert_int_equal(s->npartition_keys, 0);
    assert_int_equal(s->nprimary_keys, 0);
    assert_string_equal(pmn_options_get(&s->options, "bucket"), "-1");
    char *sql = field_sql(s, 3);
    assert_string_equal(sql, "ROW<`f0` MAP<STRING, INT>, `f1` ARRAY<INT>>");
    free(sql);
    assert_true(s->time_millis == 1767779394352LL);
    char *path = pmn_xasprintf("%s/schema/schema-0", table);
    char *orig = read_text(path);
    char *json = reparse(s);
    assert_string_equal(json, orig);
    free(json);
    free(orig);
    free(path);
    pmn_schema_free(s);
    free(table);

    /* this one was re-formatted by hand upstream ("key": value); the model must still match */
    table = pmn_test_fixture(APPEND_MULTI);
    assert_pmn_ok(pmn_schema_load(table, 0, &s));
    assert_int_equal(s->row->nfields, 17);
    static const char *const types[] = {"TINYINT",
                                        "SMALLINT",
                                        "INT",
                                        "BIGINT",
                                        "FLOAT",
                                        "DOUBLE",
                                        "STRING",
                                        "BYTES",
                                        "DATE",
                                        "DECIMAL(5, 2)",
                                        "TIMESTAMP(0)",
                                        "TIMESTAMP(3)",
                                        "TIMESTAMP(6)",
                                        "TIMESTAMP(0) WITH LOCAL TIME ZONE",
                                        "TIMESTAMP(3) WITH LOCAL TIME ZONE",
                                        "TIMESTAMP(6) WITH LOCAL TIME ZONE"};
    for (int i = 0; i < 16; i++) {
        sql = field_sql(s, i);
        assert_string_equal(sql, types[i]);
        free(sql);
        assert_int_equal(s->row->fields[i].id, i);
    }
    assert_int_equal(s->row->fields[16].type->fields[1].id, 18);
    assert_int_equal(s->highest_field_id, 18);
    assert_string_equal(s->partition_keys[0], "f1");
    assert_string_equal(pmn_options_get(&s->options, "bucket"), "2");
    free(reparse(s));
    pmn_schema_free(s);
    free(table);
}

static pmn_schema *make_schema(int64_t id)
{
    pmn_schema *s = pmn_xcalloc(1, sizeof *s);
    s->version = 3;
    s->id = id;
    s->row = pmn_type_row();
    pmn_type_row_add(s->row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_field *f = pmn_type_row_add(s->row, 1, "name", pmn_type_varchar(100));
    f->description = pmn_xstrdup("the \"name\"\n");
    pmn_type_row_add(s->row, 2, "dt", pmn_type_new(PMN_TYPE_DATE));
    s->highest_field_id = 2;
    s->partition_keys = pmn_xcalloc(1, sizeof(char *));
    s->partition_keys[0] = pmn_xstrdup("dt");
    s->npartition_keys = 1;
    s->primary_keys = pmn_xcalloc(2, sizeof(char *));
    s->primary_keys[0] = pmn_xstrdup("id");
    s->primary_keys[1] = pmn_xstrdup("dt");
    s->nprimary_keys = 2;
    pmn_options_init(&s->options);
    pmn_options_set(&s->options, "bucket", "4");
    pmn_options_set(&s->options, "file.format", "avro");
    s->comment = pmn_xstrdup("orders\tfrom pg");
    s->time_millis = 1700000000123LL;
    return s;
}

static void test_schema__writes_jackson_layout(void **state)
{
    pmn_schema *s = make_schema(7);
    char *json = reparse(s);
    assert_string_equal(json, "{\n"
                              "  \"version\" : 3,\n"
                              "  \"id\" : 7,\n"
                              "  \"fields\" : [ {\n"
                              "    \"id\" : 0,\n"
                              "    \"name\" : \"id\",\n"
                              "    \"type\" : \"BIGINT NOT NULL\"\n"
                              "  }, {\n"
                              "    \"id\" : 1,\n"
                              "    \"name\" : \"name\",\n"
                              "    \"type\" : \"VARCHAR(100)\",\n"
                              "    \"description\" : \"the \\\"name\\\"\\n\"\n"
                              "  }, {\n"
                              "    \"id\" : 2,\n"
                              "    \"name\" : \"dt\",\n"
                              "    \"type\" : \"DATE\"\n"
                              "  } ],\n"
                              "  \"highestFieldId\" : 2,\n"
                              "  \"partitionKeys\" : [ \"dt\" ],\n"
                              "  \"primaryKeys\" : [ \"id\", \"dt\" ],\n"
                              "  \"options\" : {\n"
                              "    \"bucket\" : \"4\",\n"
                              "    \"file.format\" : \"avro\"\n"
                              "  },\n"
                              "  \"comment\" : \"orders\\tfrom pg\",\n"
                              "  \"timeMillis\" : 1700000000123\n"
                              "}");
    free(json);
    /* empty collections print as Jackson does */
    pmn_options_dispose(&s->options);
    free(s->partition_keys[0]);
    s->npartition_keys = 0;
    free(s->comment);
    s->comment = NULL;
    json = reparse(s);
    assert_non_null(strstr(json, "\"partitionKeys\" : [ ],\n"));
    assert_non_null(strstr(json, "\"options\" : { },\n  \"timeMillis\""));
    free(json);
    pmn_schema *c = pmn_schema_copy(s);
    assert_same_schema(s, c);
    pmn_schema_free(c);
    pmn_schema_free(s);
}

static pmn_schema *parse_ok(const char *json)
{
    pmn_schema *s;
    if (pmn_schema_from_json(json, strlen(json), &s) != 0)
        fail_msg("%s", pmn_error_last());
    return s;
}

static void test_schema__legacy_defaults(void **state)
{
    const char *fields = "\"id\":0,\"fields\":[{\"id\":0,\"name\":\"a\",\"type\":\"INT\"}],"
                         "\"highestFieldId\":0,\"partitionKeys\":[],\"primaryKeys\":[]";
    char *v1 = pmn_xasprintf("{%s,\"options\":{}}", fields);
    pmn_schema *s = parse_ok(v1);
    assert_int_equal(s->version, 1);
    assert_string_equal(pmn_options_get(&s->options, "bucket"), "1");
    assert_string_equal(pmn_options_get(&s->options, "file.format"), "orc");
    assert_int_equal(s->time_millis, 0);
    pmn_schema_free(s);
    free(v1);

    char *v2 = pmn_xasprintf("{\"version\":2,%s,\"options\":{\"bucket\":\"3\"}}", fields);
    s = parse_ok(v2);
    assert_string_equal(pmn_options_get(&s->options, "bucket"), "3");
    assert_string_equal(pmn_options_get(&s->options, "file.format"), "orc");
    pmn_schema_free(s);
    free(v2);

    char *v2b = pmn_xasprintf("{\"version\":2,%s,\"options\":{}}", fields);
    s = parse_ok(v2b);
    assert_null(pmn_options_get(&s->options, "bucket"));
    pmn_schema_free(s);
    free(v2b);

    char *v3 = pmn_xasprintf("{\"version\":3,%s,\"options\":{\"x\":5}}", fields);
    s = parse_ok(v3);
    assert_int_equal(s->options.n, 1);
    assert_string_equal(pmn_options_get(&s->options, "x"), "5");
    pmn_schema_free(s);
    free(v3);
}

static void write_file(const char *path, const char *text)
{
    char *dir = pmn_path_dirname(path);
    assert_pmn_ok(pmn_fs_mkdir_p(dir));
    free(dir);
    assert_pmn_ok(pmn_fs_write_file(path, text, strlen(text)));
}

static void test_schema__commit_list_load(void **state)
{
    char *table = pmn_test_tmpdir("schema-commit");
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_schema_list_ids(table, &ids, &n));
    assert_int_equal(n, 0);
    free(ids);
    pmn_schema *s;
    assert_int_equal(pmn_schema_load_latest(table, &s), PMN_ENOTFOUND);
    assert_int_equal(pmn_schema_load(table, 0, &s), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "schema/schema-0 of "));

    pmn_schema *s0 = make_schema(0);
    assert_pmn_ok(pmn_schema_commit(table, s0));
    char *path0 = pmn_xasprintf("%s/schema/schema-0", table);
    char *before = read_text(path0);
    s0->time_millis = 1;
    assert_int_equal(pmn_schema_commit(table, s0), PMN_EEXISTS);
    assert_non_null(strstr(pmn_error_last(), "schema-0"));
    char *after = read_text(path0);
    assert_string_equal(before, after);
    pmn_schema *s1 = make_schema(1);
    pmn_type_row_add(s1->row, 3, "extra", pmn_type_new(PMN_TYPE_INT));
    s1->highest_field_id = 3;
    assert_pmn_ok(pmn_schema_commit(table, s1));
    char *p12 = pmn_xasprintf("%s/schema/schema-12", table);
    char *junk = pmn_xasprintf("%s/schema/.schema-13.tmp", table);
    char *junk2 = pmn_xasprintf("%s/schema/schema-x", table);
    write_file(junk, "x");
    write_file(junk2, "x");
    pmn_schema *s12 = make_schema(12);
    assert_pmn_ok(pmn_schema_commit(table, s12));
    assert_pmn_ok(pmn_schema_list_ids(table, &ids, &n));
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    assert_int_equal(ids[2], 12); /* numeric, not lexical, order */
    free(ids);
    assert_pmn_ok(pmn_schema_load_latest(table, &s));
    assert_int_equal(s->id, 12);
    pmn_schema_free(s);
    assert_pmn_ok(pmn_schema_load(table, 1, &s));
    assert_same_schema(s, s1);
    pmn_schema_free(s);

    pmn_schema_free(s0);
    pmn_schema_free(s1);
    pmn_schema_free(s12);
    free(before);
    free(after);
    free(path0);
    free(p12);
    free(junk);
    free(junk2);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_schema__corrupt_files_name_the_file(void **state)
{
    char *table = pmn_test_tmpdir("schema-corrupt");
    char *path = pmn_xasprintf("%s/schema/schema-3", table);
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"{\n  \"version\" : 3,\n  \"id\" : 3,\n  \"fields\" : [ {\n    oops",
         "invalid JSON at line 5"},
        {"", "invalid JSON at line"},
        {"[1,2]", "must be a JSON object"},
        {"{\"version\":3,\"id\":3,\"highestFieldId\":0,\"partitionKeys\":[],\"primaryKeys\":[],"
         "\"options\":{}}",
         "missing \"fields\""},
        {"{\"version\":3,\"id\":3,\"fields\":[],\"partitionKeys\":[],\"primaryKeys\":[],"
         "\"options\":{}}",
         "missing \"highestFieldId\""},
        {"{\"version\":3,\"id\":3,\"fields\":[{\"id\":0,\"name\":\"a\",\"type\":\"ARRAY<INT>\"}],"
         "\"highestFieldId\":0,\"partitionKeys\":[],\"primaryKeys\":[],\"options\":{}}",
         "ARRAY<INT>"},
        {"{\"version\":3,\"id\":3,\"fields\":[],\"highestFieldId\":0,\"partitionKeys\":[1],"
         "\"primaryKeys\":[],\"options\":{}}",
         "\"partitionKeys\" must be an array of strings"},
        {"{\"version\":3,\"id\":3,\"fields\":[],\"highestFieldId\":0,\"partitionKeys\":[],"
         "\"primaryKeys\":[\"k\"],\"options\":{}}",
         "primary key \"k\" is not a field"},
        {"{\"version\":3,\"id\":3,\"fields\":[],\"highestFieldId\":0,\"partitionKeys\":[],"
         "\"primaryKeys\":[],\"options\":{\"a\":[1]}}",
         "option \"a\""},
        {"{\"version\":\"3\",\"id\":3}", "\"version\" must be an integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(path, cases[i].text);
        pmn_schema *s = (pmn_schema *)1;
        int rc = pmn_schema_load(table, 3, &s);
        if (rc != PMN_ECORRUPT)
            fail_msg("case %zu: rc %d (%s)", i, rc, pmn_error_last());
        assert_null(s);
        char *prefix = pmn_xasprintf("schema/schema-3 of %s: ", table);
        if (strncmp(pmn_error_last(), prefix, strlen(prefix)) != 0 ||
            !strstr(pmn_error_last(), cases[i].needle))
            fail_msg("case %zu: message '%s'", i, pmn_error_last());
        free(prefix);
    }
    free(path);
    pmn_fs_remove_tree(table);
    free(table);
}

/* every truncation and many single-byte edits of a real schema: an error or a schema, never a
 * crash (run under ASan in CI) */
static void test_schema__mutations_never_crash(void **state)
{
    char *path = pmn_test_fixture(PK_TABLE "/schema/schema-0");
    char *orig = read_text(path);
    size_t len = strlen(orig);
    char *buf = pmn_xmalloc(len + 1);
    static const char repl[] = "\"{}[],:0a-\\ ";
    size_t accepted = 0;
    for (size_t i = 0; i < len; i++) {
        pmn_schema *s = NULL;
        int rc = pmn_schema_from_json(orig, i, &s);
        assert_true(rc == 0 || rc == PMN_ECORRUPT);
        pmn_schema_free(s);
        for (size_t r = 0; r < sizeof repl - 1; r++) {
            memcpy(buf, orig, len + 1);
            buf[i] = repl[r];
            s = NULL;
            rc = pmn_schema_from_json(buf, len, &s);
            assert_true(rc == 0 || rc == PMN_ECORRUPT);
            if (rc == 0) {
                accepted++;
                char *json = pmn_schema_to_json(s);
                pmn_schema *again;
                assert_pmn_ok(pmn_schema_from_json(json, strlen(json), &again));
                pmn_schema_free(again);
                free(json);
            } else {
                assert_true(strlen(pmn_error_last()) > 0);
            }
            pmn_schema_free(s);
        }
    }
    assert_true(accepted > 0); /* e.g. edits inside names and option values */
    free(buf);
    free(orig);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema__pk_fixture),
        cmocka_unit_test(test_schema__append_fixtures),
        cmocka_unit_test(test_schema__writes_jackson_layout),
        cmocka_unit_test(test_schema__legacy_defaults),
        cmocka_unit_test(test_schema__commit_list_load),
        cmocka_unit_test(test_schema__corrupt_files_name_the_file),
        cmocka_unit_test(test_schema__mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
