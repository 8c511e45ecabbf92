/*
 * tests/unit/test_avro.c
 *
 * format/avro: every Avro file of the Java-written fixtures decodes (generic skip
 * and read plans, zstd and snappy codecs); values of fixture rows match their
 * READMEs; generated schemas equal the ones Java wrote; write -> read round trips
 * for every codec and Paimon type; corrupt input yields errors, never crashes.
 */
#include "testutil.h"

#include "format/avro.h"
#include "format/avro_internal.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* ---------- helpers ---------- */

static char *read_all(const char *path, size_t *len)
{
    char *data = NULL;
    assert_pmn_ok(pmn_fs_read_file(path, &data, len));
    return data;
}

static bool is_avro_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char m[4] = {0};
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    return n == 4 && memcmp(m, "Obj\x01", 4) == 0;
}

static void collect_avro(const char *dir, char ***paths, size_t *n, size_t *cap)
{
    char **names;
    size_t count;
    assert_pmn_ok(pmn_fs_list(dir, &names, &count));
    for (size_t i = 0; i < count; i++) {
        char *p = pmn_path_join(dir, names[i]);
        if (pmn_fs_is_dir(p)) {
            collect_avro(p, paths, n, cap);
            free(p);
        } else if (is_avro_file(p)) {
            PMN_GROW(*paths, *cap, *n + 1);
            (*paths)[(*n)++] = p;
        } else {
            free(p);
        }
    }
    pmn_fs_list_free(names, count);
}

/* The schema JSON in a fixture file's header. Caller frees. */
static char *fixture_schema_json(const char *rel)
{
    char *path = pmn_test_fixture(rel);
    pmn_avro_reader *r;
    assert_pmn_ok(pmn_avro_reader_open(path, &r));
    char *json = pmn_xstrdup(pmn_avro_reader_schema_json(r));
    pmn_avro_reader_free(r);
    free(path);
    return json;
}

static pmn_type *nn(pmn_type *t)
{
    return pmn_type_not_null(t);
}

static pmn_type *ty(pmn_type_root root)
{
    return pmn_type_new(root);
}

/* Structural equality of two schema graphs: kinds, names, logical types, fields, unions. */
static void assert_schema_same(const pmn_avro_schema *a, const pmn_avro_schema *b, int depth)
{
    assert_true(depth < 64);
    assert_int_equal(a->kind, b->kind);
    if (a->name || b->name)
        assert_string_equal(a->name ? a->name : "", b->name ? b->name : "");
    assert_string_equal(a->logical_type ? a->logical_type : "",
                        b->logical_type ? b->logical_type : "");
    assert_int_equal(a->precision, b->precision);
    assert_int_equal(a->scale, b->scale);
    assert_int_equal(a->nchildren, b->nchildren);
    for (int32_t i = 0; i < a->nchildren; i++) {
        if (a->kind == PMN_AVRO_RECORD)
            assert_string_equal(a->field_names[i], b->field_names[i]);
        assert_schema_same(a->children[i], b->children[i], depth + 1);
    }
}

static void assert_schema_json_same(const char *generated, const char *expected)
{
    pmn_avro_schema *a, *b;
    assert_pmn_ok(pmn_avro_schema_parse(generated, strlen(generated), &a));
    assert_pmn_ok(pmn_avro_schema_parse(expected, strlen(expected), &b));
    assert_schema_same(a, b, 0);
    pmn_avro_schema_free(a);
    pmn_avro_schema_free(b);
    /* Java's Avro prints compact JSON in a fixed key order: we match it byte for byte. */
    assert_string_equal(generated, expected);
}

/* ROW<f0 MAP<STRING,INT>, f1 ARRAY<INT>> as in the fixtures' nested column */
static pmn_type *fixture_nested_row(void)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 100, "f0", pmn_type_map(ty(PMN_TYPE_VARCHAR), ty(PMN_TYPE_INT)));
    pmn_type_row_add(r, 101, "f1", pmn_type_array(ty(PMN_TYPE_INT)));
    return r;
}

static pmn_type *append_multiple_type(void)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 0, "f0", ty(PMN_TYPE_TINYINT));
    pmn_type_row_add(r, 1, "f1", ty(PMN_TYPE_SMALLINT));
    pmn_type_row_add(r, 2, "f2", ty(PMN_TYPE_INT));
    pmn_type_row_add(r, 3, "f3", ty(PMN_TYPE_BIGINT));
    pmn_type_row_add(r, 4, "f4", ty(PMN_TYPE_FLOAT));
    pmn_type_row_add(r, 5, "f5", ty(PMN_TYPE_DOUBLE));
    pmn_type_row_add(r, 6, "f6", ty(PMN_TYPE_VARCHAR));
    pmn_type_row_add(r, 7, "f7", ty(PMN_TYPE_VARBINARY));
    pmn_type_row_add(r, 8, "f8", ty(PMN_TYPE_DATE));
    pmn_type_row_add(r, 9, "f9", pmn_type_decimal(5, 2));
    pmn_type_row_add(r, 10, "f10", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 0));
    pmn_type_row_add(r, 11, "f11", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3));
    pmn_type_row_add(r, 12, "f12", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6));
    pmn_type_row_add(r, 13, "f13", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 0));
    pmn_type_row_add(r, 14, "f14", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3));
    pmn_type_row_add(r, 15, "f15", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6));
    pmn_type_row_add(r, 16, "f16", fixture_nested_row());
    return r;
}

/* The PK data-file layout of avro_pk_with_multiple_type (paimon-format.md §5.1). */
static pmn_type *pk_data_file_type(void)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 1073741825, "_KEY_f2", nn(ty(PMN_TYPE_SMALLINT)));
    pmn_type_row_add(r, 1073741830, "_KEY_f7", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, 2147483646, "_SEQUENCE_NUMBER", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 2147483645, "_VALUE_KIND", nn(ty(PMN_TYPE_TINYINT)));
    pmn_type_row_add(r, 0, "f0", ty(PMN_TYPE_BOOLEAN));
    pmn_type_row_add(r, 1, "f1", ty(PMN_TYPE_TINYINT));
    pmn_type_row_add(r, 2, "f2", nn(ty(PMN_TYPE_SMALLINT)));
    pmn_type_row_add(r, 3, "f3", ty(PMN_TYPE_INT));
    pmn_type_row_add(r, 4, "f4", ty(PMN_TYPE_BIGINT));
    pmn_type_row_add(r, 5, "f5", ty(PMN_TYPE_FLOAT));
    pmn_type_row_add(r, 6, "f6", ty(PMN_TYPE_DOUBLE));
    pmn_type_row_add(r, 7, "f7", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, 8, "f8", ty(PMN_TYPE_VARBINARY));
    pmn_type_row_add(r, 9, "f9", ty(PMN_TYPE_DATE));
    pmn_type_row_add(r, 10, "f10", pmn_type_decimal(5, 2));
    pmn_type_row_add(r, 11, "f11", fixture_nested_row());
    return r;
}

static pmn_type *manifest_list_11_type(void)
{
    pmn_type *stats = nn(pmn_type_row());
    pmn_type_row_add(stats, 0, "_MIN_VALUES", nn(ty(PMN_TYPE_VARBINARY)));
    pmn_type_row_add(stats, 1, "_MAX_VALUES", nn(ty(PMN_TYPE_VARBINARY)));
    pmn_type_row_add(stats, 2, "_NULL_COUNTS", pmn_type_array(ty(PMN_TYPE_BIGINT)));
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 0, "_VERSION", nn(ty(PMN_TYPE_INT)));
    pmn_type_row_add(r, 1, "_FILE_NAME", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, 2, "_FILE_SIZE", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 3, "_NUM_ADDED_FILES", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 4, "_NUM_DELETED_FILES", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 5, "_PARTITION_STATS", stats);
    pmn_type_row_add(r, 6, "_SCHEMA_ID", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 7, "_MIN_BUCKET", ty(PMN_TYPE_INT));
    pmn_type_row_add(r, 8, "_MAX_BUCKET", ty(PMN_TYPE_INT));
    pmn_type_row_add(r, 9, "_MIN_LEVEL", ty(PMN_TYPE_INT));
    pmn_type_row_add(r, 10, "_MAX_LEVEL", ty(PMN_TYPE_INT));
    return r;
}

#define APPEND_MULTIPLE "avro_append_multiple/append_multiple.db/append_multiple/"
#define PK_TABLE "avro_pk_with_multiple_type/pk_with_multiple_type.db/pk_with_multiple_type/"
#define APPEND_SIMPLE "avro_append_simple/append_simple.db/append_simple/"

static const struct {
    const char *rel;
    int64_t rows;
} fixture_counts[] = {
    {APPEND_MULTIPLE "f1=10/bucket-0/data-3c670e9a-cc3a-4c29-9ba2-775908cb5650-0.avro", 1},
    {APPEND_MULTIPLE "f1=10/bucket-0/data-3c670e9a-cc3a-4c29-9ba2-775908cb5650-1.avro", 1},
    {APPEND_MULTIPLE "f1=10/bucket-1/data-155f9742-6651-4b8e-9ba6-95e8b74b0549-0.avro", 1},
    {APPEND_MULTIPLE "f1=10/bucket-1/data-155f9742-6651-4b8e-9ba6-95e8b74b0549-1.avro", 1},
    {APPEND_MULTIPLE "f1=11/bucket-1/data-3fbfe712-94fa-4b8a-870c-c500dec838a5-0.avro", 2},
    {APPEND_MULTIPLE "f1=11/bucket-1/data-3fbfe712-94fa-4b8a-870c-c500dec838a5-1.avro", 1},
    /* one manifest per snapshot, 3 data files each */
    {APPEND_MULTIPLE "manifest/manifest-39146ee7-fda8-42a9-894d-5395bc44e8a2-0", 3},
    {APPEND_MULTIPLE "manifest/manifest-b91f4949-0601-4535-8b29-84b79666b306-0", 3},
    {APPEND_MULTIPLE "manifest/manifest-list-21081c8d-4a00-4e90-a265-84f4487d1ec0-0", 0},
    {APPEND_MULTIPLE "manifest/manifest-list-21081c8d-4a00-4e90-a265-84f4487d1ec0-1", 1},
    {APPEND_MULTIPLE "manifest/manifest-list-6f4689de-a277-459f-955a-e91a9b52b4ad-0", 1},
    {APPEND_MULTIPLE "manifest/manifest-list-6f4689de-a277-459f-955a-e91a9b52b4ad-1", 1},
    {APPEND_SIMPLE "bucket-0/data-d7d1c416-6e34-4834-af87-341d09418f0c-0.avro", 4},
    {APPEND_SIMPLE "manifest/manifest-f77f2a65-c6be-4e7c-accd-c8dc75578c9a-0", 1},
    {APPEND_SIMPLE "manifest/manifest-list-3602dcaf-7dc8-4879-9dce-9215f674e866-0", 0},
    {APPEND_SIMPLE "manifest/manifest-list-3602dcaf-7dc8-4879-9dce-9215f674e866-1", 1},
    /* snapshot 1: Alice, Bob, Emily, Tony; snapshot 2: -D Emily, +I Lucy */
    {PK_TABLE "f1=10/bucket-0/data-0dbda3f3-c4d4-4e2e-b771-c48fc89f30a7-0.avro", 4},
    {PK_TABLE "f1=10/bucket-0/data-0dbda3f3-c4d4-4e2e-b771-c48fc89f30a7-1.avro", 2},
    {PK_TABLE "manifest/manifest-4cd8b157-3a02-4a9b-8b65-4976410cb4a9-0", 1},
    {PK_TABLE "manifest/manifest-4cd8b157-3a02-4a9b-8b65-4976410cb4a9-1", 1},
    {PK_TABLE "manifest/manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-0", 0},
    {PK_TABLE "manifest/manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-1", 1},
    {PK_TABLE "manifest/manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-2", 1},
    {PK_TABLE "manifest/manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-3", 1},
    {"avro_single_manifests/avro_manifest_09", 1},
    {"avro_single_manifests/avro_manifest_11", 1},
    {"avro_single_manifests/avro_manifest_list_09", 1},
    {"avro_single_manifests/avro_manifest_list_11", 1},
    {"avro_single_manifests/manifest", 30},
    {"rust_synthetic_manifests/manifest-8ded1f09-fcda-489e-9167-582ac0f9f846-0", 2},
    {"rust_synthetic_manifests/manifest-list-5c7399a0-46ae-4a5e-9c13-3ab07212cdb6-0", 2},
};
#define NFIXTURES (sizeof fixture_counts / sizeof fixture_counts[0])

/* Decode a whole file twice per block: generically (skip) and with a plan for `row`
 * (the row type derived from the writer schema if NULL). Returns the object count. */
static int64_t decode_file(pmn_avro_reader *r, const pmn_type *row_in)
{
    pmn_type *derived = NULL;
    const pmn_type *row = row_in;
    if (!row) {
        assert_pmn_ok(pmn_avro_schema_to_row(pmn_avro_reader_schema(r), &derived));
        row = derived;
    }
    pmn_avro_read_plan *plan;
    assert_pmn_ok(pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan));
    pmn_datum *vals = pmn_xcalloc((size_t)row->nfields + 1, sizeof *vals);
    pmn_arena arena = PMN_ARENA_INIT;
    int64_t total = 0;
    pmn_avro_cursor c;
    int64_t count;
    int rc;
    while ((rc = pmn_avro_reader_next_block(r, &c, &count)) == 0) {
        pmn_avro_cursor generic = c;
        for (int64_t i = 0; i < count; i++)
            pmn_avro_skip(&generic, pmn_avro_reader_schema(r));
        assert_false(generic.overflow);
        assert_ptr_equal(generic.p, generic.end);
        for (int64_t i = 0; i < count; i++)
            assert_pmn_ok(pmn_avro_read_row(plan, &c, &arena, vals));
        assert_ptr_equal(c.p, c.end);
        pmn_arena_reset(&arena);
        total += count;
    }
    if (rc != PMN_ITEROVER)
        fail_msg("next_block: %s", pmn_error_last());
    pmn_arena_free(&arena);
    free(vals);
    pmn_avro_read_plan_free(plan);
    pmn_type_free(derived);
    return total;
}

/* ---------- (a) every fixture file ---------- */

static void test_avro__every_fixture_file_decodes(void **state)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    collect_avro(PMN_FIXTURES_DIR, &paths, &n, &cap);
    assert_int_equal(n, NFIXTURES);
    int zstd = 0, snappy = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rel = paths[i] + strlen(PMN_FIXTURES_DIR) + 1;
        size_t k = 0;
        while (k < NFIXTURES && strcmp(fixture_counts[k].rel, rel) != 0)
            k++;
        if (k == NFIXTURES)
            fail_msg("unexpected avro fixture %s", rel);
        pmn_avro_reader *r;
        assert_pmn_ok(pmn_avro_reader_open(paths[i], &r));
        zstd += pmn_avro_reader_codec(r) == PMN_AVRO_CODEC_ZSTD;
        snappy += pmn_avro_reader_codec(r) == PMN_AVRO_CODEC_SNAPPY;
        int64_t rows = decode_file(r, NULL);
        if (rows != fixture_counts[k].rows)
            fail_msg("%s: %lld objects, expected %lld", rel, (long long)rows,
                     (long long)fixture_counts[k].rows);
        pmn_avro_reader_free(r);

        /* the same bytes through the in-memory reader */
        size_t len;
        char *data = read_all(paths[i], &len);
        assert_pmn_ok(pmn_avro_reader_open_memory((const uint8_t *)data, len, rel, &r));
        assert_int_equal(decode_file(r, NULL), fixture_counts[k].rows);
        pmn_avro_reader_free(r);
        free(data);
        free(paths[i]);
    }
    free(paths);
    assert_int_equal(zstd, NFIXTURES - 2);
    assert_int_equal(snappy, 2);
}

/* Java's 1.x schemas survive parse -> Paimon type -> generate unchanged. */
static void test_avro__fixture_schemas_regenerate(void **state)
{
    int compared = 0;
    for (size_t k = 0; k < NFIXTURES; k++) {
        char *json = fixture_schema_json(fixture_counts[k].rel);
        pmn_avro_schema *s;
        assert_pmn_ok(pmn_avro_schema_parse(json, strlen(json), &s));
        if (s->kind == PMN_AVRO_RECORD) { /* 0.9-era ["null", record] files are read-only */
            pmn_type *row;
            assert_pmn_ok(pmn_avro_schema_to_row(s, &row));
            char *gen = pmn_avro_schema_for_row(row);
            assert_non_null(gen);
            if (strcmp(gen, json) != 0)
                fail_msg("%s:\n generated %s\n java      %s", fixture_counts[k].rel, gen, json);
            free(gen);
            pmn_type_free(row);
            compared++;
        }
        pmn_avro_schema_free(s);
        free(json);
    }
    assert_true(compared >= 25);
}

/* ---------- schema generation against hand-built types ---------- */

static void test_avro__schema_for_row_matches_java(void **state)
{
    static const struct {
        const char *rel;
        pmn_type *(*make)(void);
    } cases[] = {
        {APPEND_MULTIPLE "f1=10/bucket-0/data-3c670e9a-cc3a-4c29-9ba2-775908cb5650-0.avro",
         append_multiple_type},
        {PK_TABLE "f1=10/bucket-0/data-0dbda3f3-c4d4-4e2e-b771-c48fc89f30a7-0.avro",
         pk_data_file_type},
        {"avro_single_manifests/avro_manifest_list_11", manifest_list_11_type},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_type *row = cases[i].make();
        char *gen = pmn_avro_schema_for_row(row);
        assert_non_null(gen);
        char *java = fixture_schema_json(cases[i].rel);
        assert_schema_json_same(gen, java);
        free(java);
        free(gen);
        pmn_type_free(row);
    }
}

static void test_avro__schema_for_row_maps_and_multisets(void **state)
{
    pmn_type *value = pmn_type_row();
    pmn_type_row_add(value, 2, "a", ty(PMN_TYPE_INT));
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "m", pmn_type_map(nn(ty(PMN_TYPE_INT)), value));
    pmn_type *ms = ty(PMN_TYPE_MULTISET);
    ms->elem = nn(ty(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 1, "s", ms);
    pmn_type *ms2 = nn(ty(PMN_TYPE_MULTISET));
    ms2->elem = ty(PMN_TYPE_BIGINT);
    pmn_type_row_add(row, 2, "t", ms2);
    pmn_type *inner = pmn_type_row();
    pmn_type_row_add(inner, 4, "x", nn(ty(PMN_TYPE_DOUBLE)));
    pmn_type_row_add(row, 3, "a", pmn_type_array(inner));
    pmn_type_row_add(row, 5, "tm", pmn_type_timestamp(PMN_TYPE_TIME, 6));
    char *gen = pmn_avro_schema_for_row(row);
    assert_non_null(gen);
    const char *want =
        "{\"type\":\"record\",\"name\":\"record\",\"namespace\":\"org.apache.paimon.avro."
        "generated\",\"fields\":["
        "{\"name\":\"m\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
        "\"name\":\"record_m\",\"fields\":[{\"name\":\"key\",\"type\":\"int\"},{\"name\":"
        "\"value\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"record_m_value\","
        "\"fields\":[{\"name\":\"a\",\"type\":[\"null\",\"int\"],\"default\":null}]}],"
        "\"default\":null}]},\"logicalType\":\"map\"}],\"default\":null},"
        "{\"name\":\"s\",\"type\":[\"null\",{\"type\":\"map\",\"values\":[\"null\",\"int\"]}],"
        "\"default\":null},"
        "{\"name\":\"t\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":"
        "\"record_t\",\"fields\":[{\"name\":\"key\",\"type\":[\"null\",\"long\"]},{\"name\":"
        "\"value\",\"type\":[\"null\",\"int\"],\"default\":null}]},\"logicalType\":\"map\"}},"
        "{\"name\":\"a\",\"type\":[\"null\",{\"type\":\"array\",\"items\":[\"null\",{\"type\":"
        "\"record\",\"name\":\"record_a\",\"fields\":[{\"name\":\"x\",\"type\":\"double\"}]}]}],"
        "\"default\":null},"
        "{\"name\":\"tm\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"time-millis\"}],"
        "\"default\":null}]}";
    assert_string_equal(gen, want);
    /* and our parser accepts it, map-as-array coming back as a MAP */
    pmn_avro_schema *s;
    assert_pmn_ok(pmn_avro_schema_parse(gen, strlen(gen), &s));
    pmn_type *back;
    assert_pmn_ok(pmn_avro_schema_to_row(s, &back));
    assert_int_equal(back->fields[0].type->root, PMN_TYPE_MAP);
    assert_int_equal(back->fields[0].type->key->root, PMN_TYPE_INT);
    assert_int_equal(back->fields[3].type->elem->root, PMN_TYPE_ROW);
    pmn_type_free(back);
    pmn_avro_schema_free(s);
    free(gen);

    /* TIMESTAMP(9) has no Avro form */
    pmn_type_row_add(row, 6, "ts9", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9));
    assert_null(pmn_avro_schema_for_row(row));
    assert_int_equal(pmn_error_code(), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "ts9"));
    pmn_type_free(row);
}

static void test_avro__schema_parse_named_types(void **state)
{
    const char *json =
        "{\"type\":\"record\",\"name\":\"a.b.Outer\",\"fields\":["
        "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"F16\",\"size\":16,"
        "\"logicalType\":\"decimal\",\"precision\":30,\"scale\":3}},"
        "{\"name\":\"y\",\"type\":\"F16\"},"
        "{\"name\":\"z\",\"type\":\"a.b.F16\"},"
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"namespace\":\"q\","
        "\"symbols\":[\"A\",\"B\",\"C\"]}},"
        "{\"name\":\"e2\",\"type\":[\"null\",\"q.E\"]},"
        "{\"name\":\"next\",\"type\":[\"null\",\"Outer\"]},"
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":"
        "\"string\"}}}]}";
    pmn_avro_schema *s;
    assert_pmn_ok(pmn_avro_schema_parse(json, strlen(json), &s));
    assert_string_equal(s->name, "a.b.Outer");
    assert_int_equal(s->nchildren, 7);
    assert_int_equal(s->children[0]->kind, PMN_AVRO_FIXED);
    assert_string_equal(s->children[0]->name, "a.b.F16");
    assert_int_equal(s->children[0]->fixed_size, 16);
    assert_int_equal(s->children[0]->precision, 30);
    assert_int_equal(s->children[0]->scale, 3);
    assert_ptr_equal(s->children[1], s->children[0]);
    assert_ptr_equal(s->children[2], s->children[0]);
    assert_string_equal(s->children[3]->name, "q.E");
    assert_int_equal(s->children[3]->nsymbols, 3);
    assert_ptr_equal(s->children[4]->children[1], s->children[3]);
    assert_string_equal(s->children[5]->children[1]->name, "a.b.Outer"); /* recursive */
    assert_int_equal(s->children[6]->children[0]->kind, PMN_AVRO_ARRAY);

    /* skipping a recursive record: x, y, z fixed(16); e=2; e2=null; next -> one more level */
    pmn_buf b = PMN_BUF_INIT;
    for (int level = 0; level < 2; level++) {
        for (int i = 0; i < 48; i++)
            pmn_buf_putc(&b, (uint8_t)i);
        pmn_avro_put_long(&b, 2);
        pmn_avro_put_long(&b, 0);
        pmn_avro_put_long(&b, level == 0 ? 1 : 0);
        if (level == 1) {
            pmn_avro_put_long(&b, 1); /* one map entry */
            pmn_avro_put_bytes(&b, "k", 1);
            pmn_avro_put_long(&b, 2);
            pmn_avro_put_bytes(&b, "s1", 2);
            pmn_avro_put_bytes(&b, "s2", 2);
            pmn_avro_put_long(&b, 0);
            pmn_avro_put_long(&b, 0);
        }
    }
    pmn_avro_put_long(&b, 0); /* outer map: empty */
    pmn_avro_cursor c = {b.data, b.data + b.len, false};
    pmn_avro_skip(&c, s);
    assert_false(c.overflow);
    assert_ptr_equal(c.p, c.end);
    pmn_buf_dispose(&b);
    pmn_avro_schema_free(s);

    static const char *bad[] = {
        "",
        "{",
        "{\"type\":\"nosuch\"}",
        "[]",
        "[\"null\",[\"int\"]]",
        "{\"type\":\"record\",\"fields\":[]}",
        "{\"type\":\"record\",\"name\":\"r\"}",
        "{\"type\":\"array\"}",
        "{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}",
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"r2\"}]}",
        "42",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pmn_avro_schema *x = NULL;
        assert_int_equal(pmn_avro_schema_parse(bad[i], strlen(bad[i]), &x), PMN_ECORRUPT);
        assert_null(x);
    }
    /* nesting bomb */
    pmn_buf deep = PMN_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        pmn_buf_puts(&deep, "{\"type\":\"array\",\"items\":");
    pmn_buf_puts(&deep, "\"int\"");
    for (int i = 0; i < 1000; i++)
        pmn_buf_putc(&deep, '}');
    pmn_avro_schema *x = NULL;
    assert_int_equal(pmn_avro_schema_parse((char *)deep.data, deep.len, &x), PMN_ECORRUPT);
    pmn_buf_dispose(&deep);
}

/* ---------- (b) values of fixture rows ---------- */

typedef struct fixture_rows {
    pmn_datum rows[16][17];
    int n;
    pmn_arena arena;
    char *blocks[16]; /* copies of decoded blocks, which the datums point into */
    int nblocks;
} fixture_rows;

/* Decode the rows of a fixture file into fr. With `reencode`, `row` must be the exact type Java
 * wrote: each decoded row is encoded again and must reproduce Java's bytes. */
static void load_rows(fixture_rows *fr, const char *rel, const pmn_type *row, bool reencode)
{
    pmn_buf again = PMN_BUF_INIT;
    char *path = pmn_test_fixture(rel);
    pmn_avro_reader *r;
    assert_pmn_ok(pmn_avro_reader_open(path, &r));
    pmn_avro_read_plan *plan;
    assert_pmn_ok(pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan));
    pmn_avro_cursor c;
    int64_t count;
    while (pmn_avro_reader_next_block(r, &c, &count) == 0) {
        /* keep the block alive after the reader moves on */
        size_t len = (size_t)(c.end - c.p);
        char *copy = pmn_xmalloc(len + 1);
        memcpy(copy, c.p, len);
        fr->blocks[fr->nblocks++] = copy;
        c.p = (const uint8_t *)copy;
        c.end = c.p + len;
        for (int64_t i = 0; i < count; i++) {
            assert_true(fr->n < 16);
            const uint8_t *start = c.p;
            pmn_datum *vals = fr->rows[fr->n++];
            assert_pmn_ok(pmn_avro_read_row(plan, &c, &fr->arena, vals));
            if (reencode) {
                pmn_buf_reset(&again);
                pmn_avro_write_row(&again, row, vals);
                assert_int_equal(again.len, (size_t)(c.p - start));
                assert_memory_equal(again.data, start, again.len);
            }
        }
    }
    pmn_buf_dispose(&again);
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    free(path);
}

static void free_rows(fixture_rows *fr)
{
    for (int i = 0; i < fr->nblocks; i++)
        free(fr->blocks[i]);
    pmn_arena_free(&fr->arena);
}

static void assert_str(const pmn_datum *d, const char *s)
{
    assert_false(d->is_null);
    assert_int_equal(d->v.bin.len, strlen(s));
    assert_memory_equal(d->v.bin.ptr, s, strlen(s));
}

/* f16/f11: ROW<MAP<STRING,INT>, ARRAY<INT>> = [[["key",123]],[1,2,3]] */
static void assert_nested_fixture_value(const pmn_datum *d)
{
    assert_false(d->is_null);
    assert_int_equal(d->v.list.n, 2);
    const pmn_datum *map = &d->v.list.items[0];
    assert_false(map->is_null);
    assert_int_equal(map->v.list.n, 1);
    assert_str(&map->v.list.items[0], "key");
    assert_int_equal(map->v.list.items[1].v.i, 123);
    const pmn_datum *arr = &d->v.list.items[1];
    assert_int_equal(arr->v.list.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_false(arr->v.list.items[i].is_null);
        assert_int_equal(arr->v.list.items[i].v.i, i + 1);
    }
}

static void test_avro__append_multiple_values(void **state)
{
    static const char *files[] = {
        APPEND_MULTIPLE "f1=10/bucket-0/data-3c670e9a-cc3a-4c29-9ba2-775908cb5650-0.avro",
        APPEND_MULTIPLE "f1=10/bucket-0/data-3c670e9a-cc3a-4c29-9ba2-775908cb5650-1.avro",
        APPEND_MULTIPLE "f1=10/bucket-1/data-155f9742-6651-4b8e-9ba6-95e8b74b0549-0.avro",
        APPEND_MULTIPLE "f1=10/bucket-1/data-155f9742-6651-4b8e-9ba6-95e8b74b0549-1.avro",
        APPEND_MULTIPLE "f1=11/bucket-1/data-3fbfe712-94fa-4b8a-870c-c500dec838a5-0.avro",
        APPEND_MULTIPLE "f1=11/bucket-1/data-3fbfe712-94fa-4b8a-870c-c500dec838a5-1.avro",
    };
    pmn_type *row = append_multiple_type();
    fixture_rows *fr = pmn_xcalloc(1, sizeof *fr);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        load_rows(fr, files[i], row, true);
    assert_int_equal(fr->n, 7);
    static const char *f6[] = {"one", "two", "three", "four", NULL, "six", "seven"};
    static const int f1[] = {10, 10, 11, 11, 10, 10, 11};
    static const int f2[] = {0, 1, 0, 0, 0, 1, 0};
    static const double f4[] = {1, 2, -1, 4, 5, 6, 7}; /* -1: null */
    static const double f5[] = {1, 2, 3, -1, 2, 4, 6};
    int seen = 0;
    for (int i = 0; i < fr->n; i++) {
        const pmn_datum *d = fr->rows[i];
        int k = (int)d[0].v.i; /* f0 = 1..7 identifies the README row */
        assert_true(k >= 1 && k <= 7);
        seen |= 1 << k;
        k--;
        assert_int_equal(d[1].v.i, f1[k]);
        assert_int_equal(d[2].v.i, f2[k]);
        assert_int_equal(d[3].v.i, 100);
        if (f4[k] < 0)
            assert_true(d[4].is_null);
        else
            assert_true(!d[4].is_null && d[4].v.f4 == (float)f4[k]);
        if (f5[k] < 0)
            assert_true(d[5].is_null);
        else
            assert_true(!d[5].is_null && d[5].v.f8 == f5[k]);
        if (f6[k])
            assert_str(&d[6], f6[k]);
        else
            assert_true(d[6].is_null);
        char bytes[4] = {(char)('a' + k), (char)('a' + k), (char)('a' + k), 0};
        assert_str(&d[7], bytes);
        assert_int_equal(d[8].v.i, 123);
        assert_false(d[9].is_null);
        assert_true(d[9].v.dec == 12345);       /* "123.45" as DECIMAL(5,2) */
        int64_t day_ms = (int64_t)k * 86400000; /* 1970-01-0<k+1> 00:00:00 */
        for (int f = 10; f <= 15; f++) {
            assert_false(d[f].is_null);
            assert_int_equal(d[f].v.ts.millis, day_ms);
            assert_int_equal(d[f].v.ts.nanos, 0);
        }
        assert_nested_fixture_value(&d[16]);
    }
    assert_int_equal(seen, 0xfe);
    free_rows(fr);
    free(fr);
    pmn_type_free(row);
}

static void test_avro__pk_file_values(void **state)
{
    pmn_type *row = pk_data_file_type();
    fixture_rows *fr = pmn_xcalloc(1, sizeof *fr);
    load_rows(fr, PK_TABLE "f1=10/bucket-0/data-0dbda3f3-c4d4-4e2e-b771-c48fc89f30a7-0.avro", row,
              true);
    load_rows(fr, PK_TABLE "f1=10/bucket-0/data-0dbda3f3-c4d4-4e2e-b771-c48fc89f30a7-1.avro", row,
              true);
    assert_int_equal(fr->n, 6);
    static const char *names[] = {"Alice", "Bob", "Emily", "Tony", "Emily", "Lucy"};
    static const int kinds[] = {0, 0, 0, 0, 3, 0}; /* the -D row of snapshot 2 */
    for (int i = 0; i < 6; i++) {
        const pmn_datum *d = fr->rows[i];
        assert_int_equal(d[0].v.i, 1); /* _KEY_f2 */
        assert_str(&d[1], names[i]);   /* _KEY_f7: sorted by key within a file */
        assert_int_equal(d[3].v.i, kinds[i]);
        assert_int_equal(d[4].v.b, i >= 2);
        assert_int_equal(d[5].v.i, 10);
        assert_int_equal(d[6].v.i, 1);
        assert_int_equal(d[7].v.i, 1);
        assert_int_equal(d[8].v.i, 1000);
        assert_true(d[9].v.f4 == 1.5f);
        assert_true(d[10].v.f8 == 2.5);
        assert_str(&d[11], names[i]);
        assert_str(&d[12], "abcdef");
        assert_int_equal(d[13].v.i, 100);
        assert_true(d[14].v.dec == 12345);
        assert_nested_fixture_value(&d[15]);
    }
    /* sequence numbers increase across the two writes */
    assert_true(fr->rows[4][2].v.i > fr->rows[3][2].v.i);
    free_rows(fr);
    free(fr);
    pmn_type_free(row);

    /* a 1.1 manifest list: metadata rows re-encode to Java's bytes too */
    row = manifest_list_11_type();
    fr = pmn_xcalloc(1, sizeof *fr);
    load_rows(fr, "avro_single_manifests/avro_manifest_list_11", row, true);
    assert_int_equal(fr->n, 1);
    assert_int_equal(fr->rows[0][0].v.i, 2); /* _VERSION */
    assert_memory_equal(fr->rows[0][1].v.bin.ptr, "manifest-", 9);
    free_rows(fr);
    free(fr);
    pmn_type_free(row);
}

/* Reading a subset, a renamed/missing field and 0.9-era union-wrapped records. */
static void test_avro__projection_and_union_records(void **state)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "_NO_SUCH", ty(PMN_TYPE_INT));
    pmn_type *file = nn(pmn_type_row());
    pmn_type_row_add(file, 1, "_ROW_COUNT", nn(ty(PMN_TYPE_BIGINT)));
    pmn_type_row_add(file, 2, "_FILE_NAME", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(file, 3, "_EXTRA_FILES", nn(pmn_type_array(nn(ty(PMN_TYPE_VARCHAR)))));
    pmn_type_row_add(file, 4, "_CREATION_TIME", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3));
    pmn_type_row_add(row, 5, "_FILE", file);
    pmn_type_row_add(row, 6, "_VERSION", nn(ty(PMN_TYPE_INT)));
    static const char *files[] = {"avro_single_manifests/avro_manifest_09",
                                  "avro_single_manifests/avro_manifest_11"};
    for (int f = 0; f < 2; f++) {
        fixture_rows *fr = pmn_xcalloc(1, sizeof *fr);
        load_rows(fr, files[f], row, false);
        assert_int_equal(fr->n, 1);
        const pmn_datum *d = fr->rows[0];
        assert_true(d[0].is_null);
        assert_int_equal(d[2].v.i, 2);
        assert_false(d[1].is_null);
        const pmn_datum *fd = d[1].v.list.items;
        assert_int_equal(d[1].v.list.n, 4);
        assert_true(fd[0].v.i > 0);
        assert_true(fd[1].v.bin.len > 10);
        assert_memory_equal(fd[1].v.bin.ptr, "data-", 5);
        assert_false(fd[2].is_null);
        assert_int_equal(fd[2].v.list.n, 0);
        assert_false(fd[3].is_null);
        assert_true(fd[3].v.ts.millis > 1600000000000LL); /* a real creation time */
        free_rows(fr);
        free(fr);
    }
    /* incompatible request: a string column read as INT */
    pmn_type *bad = pmn_type_row();
    pmn_type_row_add(bad, 0, "_PARTITION", ty(PMN_TYPE_INT));
    char *path = pmn_test_fixture("avro_single_manifests/avro_manifest_11");
    pmn_avro_reader *r;
    assert_pmn_ok(pmn_avro_reader_open(path, &r));
    pmn_avro_read_plan *plan = NULL;
    assert_int_equal(pmn_avro_read_plan_new(pmn_avro_reader_schema(r), bad, &plan), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "_PARTITION"));
    assert_null(plan);
    pmn_avro_reader_free(r);
    free(path);
    pmn_type_free(bad);
    pmn_type_free(row);
}

/* ---------- (c) round trips ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static pmn_type *all_types_row(void)
{
    pmn_type *r = pmn_type_row();
    int id = 0;
    pmn_type_row_add(r, id++, "b", ty(PMN_TYPE_BOOLEAN));
    pmn_type_row_add(r, id++, "ti", ty(PMN_TYPE_TINYINT));
    pmn_type_row_add(r, id++, "si", ty(PMN_TYPE_SMALLINT));
    pmn_type_row_add(r, id++, "i", nn(ty(PMN_TYPE_INT)));
    pmn_type_row_add(r, id++, "bi", ty(PMN_TYPE_BIGINT));
    pmn_type_row_add(r, id++, "f", ty(PMN_TYPE_FLOAT));
    pmn_type_row_add(r, id++, "d", ty(PMN_TYPE_DOUBLE));
    pmn_type_row_add(r, id++, "dec", pmn_type_decimal(10, 2));
    pmn_type_row_add(r, id++, "dec38", pmn_type_decimal(38, 10));
    pmn_type *c = ty(PMN_TYPE_CHAR);
    c->length = 5;
    pmn_type_row_add(r, id++, "c", c);
    pmn_type_row_add(r, id++, "s", ty(PMN_TYPE_VARCHAR));
    pmn_type *bin = ty(PMN_TYPE_BINARY);
    bin->length = 4;
    pmn_type_row_add(r, id++, "bin", bin);
    pmn_type_row_add(r, id++, "vb", ty(PMN_TYPE_VARBINARY));
    pmn_type_row_add(r, id++, "dt", ty(PMN_TYPE_DATE));
    pmn_type_row_add(r, id++, "tm", pmn_type_timestamp(PMN_TYPE_TIME, 3));
    pmn_type_row_add(r, id++, "ts3", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3));
    pmn_type_row_add(r, id++, "ts6", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6));
    pmn_type_row_add(r, id++, "ltz3", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3));
    pmn_type_row_add(r, id++, "ltz6", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6));
    pmn_type_row_add(r, id++, "arr", pmn_type_array(ty(PMN_TYPE_INT)));
    pmn_type *elem = pmn_type_row();
    pmn_type_row_add(elem, id++, "a", nn(ty(PMN_TYPE_INT)));
    pmn_type_row_add(elem, id++, "b", ty(PMN_TYPE_VARCHAR));
    pmn_type_row_add(r, id++, "arr_row", pmn_type_array(elem));
    pmn_type_row_add(r, id++, "m", pmn_type_map(nn(ty(PMN_TYPE_VARCHAR)), ty(PMN_TYPE_VARCHAR)));
    pmn_type *mv = pmn_type_row();
    pmn_type_row_add(mv, id++, "x", ty(PMN_TYPE_BIGINT));
    pmn_type_row_add(mv, id++, "y", pmn_type_array(ty(PMN_TYPE_DOUBLE)));
    pmn_type_row_add(r, id++, "m_int", pmn_type_map(nn(ty(PMN_TYPE_INT)), mv));
    pmn_type *ms = ty(PMN_TYPE_MULTISET);
    ms->elem = nn(ty(PMN_TYPE_VARCHAR));
    pmn_type_row_add(r, id++, "ms_str", ms);
    pmn_type *ms2 = ty(PMN_TYPE_MULTISET);
    ms2->elem = ty(PMN_TYPE_INT);
    pmn_type_row_add(r, id++, "ms_int", ms2);
    pmn_type *inner = pmn_type_row();
    pmn_type_row_add(inner, id++, "z", pmn_type_decimal(20, 0));
    pmn_type_row_add(inner, id++, "w", nn(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6)));
    pmn_type *outer = pmn_type_row();
    pmn_type_row_add(outer, id++, "inner", inner);
    pmn_type_row_add(outer, id++, "s", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, id++, "nested", outer);
    pmn_type_row_add(r, id++, "s_nn", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, id++, "ts6_nn", nn(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6)));
    pmn_type_row_add(r, id++, "dec_nn", nn(pmn_type_decimal(18, 4)));
    return r;
}

static pmn_i128 rnd_decimal(int precision)
{
    pmn_i128 limit = 1;
    for (int i = 0; i < precision; i++)
        limit *= 10;
    unsigned __int128 u = ((unsigned __int128)rnd() << 64) | rnd();
    pmn_i128 v = (pmn_i128)(u % (unsigned __int128)limit);
    switch (rnd() % 6) {
    case 0:
        return -v;
    case 1:
        return limit - 1; /* the largest magnitude the precision allows */
    case 2:
        return -(limit - 1);
    case 3:
        return (pmn_i128)(rnd() % 3) - 1; /* -1, 0, 1 */
    default:
        return v;
    }
}

static void gen_value(const pmn_type *t, pmn_datum *d, pmn_arena *a, int depth)
{
    if (t->nullable && rnd() % 5 == 0) {
        d->is_null = true;
        return;
    }
    d->is_null = false;
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        d->v.b = rnd() & 1;
        return;
    case PMN_TYPE_TINYINT:
        d->v.i = (int8_t)rnd();
        return;
    case PMN_TYPE_SMALLINT:
        d->v.i = (int16_t)rnd();
        return;
    case PMN_TYPE_INT:
    case PMN_TYPE_DATE:
        d->v.i = (int32_t)rnd();
        return;
    case PMN_TYPE_TIME:
        d->v.i = (int64_t)(rnd() % 86400000);
        return;
    case PMN_TYPE_BIGINT:
        d->v.i = rnd() % 4 == 0 ? (rnd() % 2 ? INT64_MIN : INT64_MAX) : (int64_t)rnd();
        return;
    case PMN_TYPE_FLOAT:
        d->v.f4 = (float)(int32_t)rnd() / 7.0f;
        return;
    case PMN_TYPE_DOUBLE:
        d->v.f8 = (double)(int64_t)rnd() / 3.0;
        return;
    case PMN_TYPE_DECIMAL:
        d->v.dec = rnd_decimal(t->precision);
        return;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY: {
        uint32_t len = (uint32_t)(rnd() % 40);
        if (t->length != PMN_MAX_LENGTH)
            len = (uint32_t)t->length;
        uint8_t *p = pmn_arena_alloc(a, len + 1);
        for (uint32_t i = 0; i < len; i++)
            p[i] = pmn_type_is_string(t) ? (uint8_t)('a' + rnd() % 26) : (uint8_t)rnd();
        d->v.bin.ptr = p;
        d->v.bin.len = len;
        return;
    }
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        /* +-95 years around 1970, including before the epoch */
        d->v.ts.millis = (int64_t)(rnd() % 6000000000000ULL) - 3000000000000LL;
        d->v.ts.nanos = t->precision <= 3 ? 0 : (int32_t)(rnd() % 1000) * 1000;
        return;
    case PMN_TYPE_ROW: {
        d->v.list.n = (uint32_t)t->nfields;
        d->v.list.items = pmn_arena_alloc(a, (size_t)t->nfields * sizeof(pmn_datum));
        for (int32_t i = 0; i < t->nfields; i++)
            gen_value(t->fields[i].type, &d->v.list.items[i], a, depth + 1);
        return;
    }
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET: {
        uint32_t n = depth > 2 ? 0 : (uint32_t)(rnd() % 5);
        uint32_t per = t->root == PMN_TYPE_ARRAY ? 1 : 2;
        d->v.list.n = n;
        d->v.list.items = n ? pmn_arena_alloc(a, (size_t)n * per * sizeof(pmn_datum)) : NULL;
        static const pmn_type count_type = {.root = PMN_TYPE_INT, .nullable = true};
        for (uint32_t i = 0; i < n; i++) {
            if (t->root == PMN_TYPE_ARRAY) {
                gen_value(t->elem, &d->v.list.items[i], a, depth + 1);
            } else {
                gen_value(t->root == PMN_TYPE_MAP ? t->key : t->elem, &d->v.list.items[2 * i], a,
                          depth + 1);
                gen_value(t->root == PMN_TYPE_MAP ? t->value : &count_type,
                          &d->v.list.items[2 * i + 1], a, depth + 1);
            }
        }
        return;
    }
    }
}

static void assert_datum_eq(const pmn_type *t, const pmn_datum *a, const pmn_datum *b,
                            const char *what)
{
    if (a->is_null || b->is_null) {
        if (a->is_null != b->is_null)
            fail_msg("%s: null mismatch", what);
        return;
    }
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        assert_int_equal(a->v.b, b->v.b);
        return;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        if (a->v.i != b->v.i)
            fail_msg("%s: %lld != %lld", what, (long long)a->v.i, (long long)b->v.i);
        return;
    case PMN_TYPE_FLOAT:
        assert_memory_equal(&a->v.f4, &b->v.f4, sizeof(float));
        return;
    case PMN_TYPE_DOUBLE:
        assert_memory_equal(&a->v.f8, &b->v.f8, sizeof(double));
        return;
    case PMN_TYPE_DECIMAL:
        if (a->v.dec != b->v.dec)
            fail_msg("%s: decimal mismatch (%lld vs %lld low bits)", what, (long long)a->v.dec,
                     (long long)b->v.dec);
        return;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        assert_int_equal(a->v.bin.len, b->v.bin.len);
        if (a->v.bin.len)
            assert_memory_equal(a->v.bin.ptr, b->v.bin.ptr, a->v.bin.len);
        return;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        if (a->v.ts.millis != b->v.ts.millis || a->v.ts.nanos != b->v.ts.nanos)
            fail_msg("%s: ts %lld.%06d != %lld.%06d", what, (long long)a->v.ts.millis,
                     a->v.ts.nanos, (long long)b->v.ts.millis, b->v.ts.nanos);
        return;
    case PMN_TYPE_ROW:
        assert_int_equal(a->v.list.n, b->v.list.n);
        for (int32_t i = 0; i < t->nfields; i++)
            assert_datum_eq(t->fields[i].type, &a->v.list.items[i], &b->v.list.items[i],
                            t->fields[i].name);
        return;
    case PMN_TYPE_ARRAY:
        assert_int_equal(a->v.list.n, b->v.list.n);
        for (uint32_t i = 0; i < a->v.list.n; i++)
            assert_datum_eq(t->elem, &a->v.list.items[i], &b->v.list.items[i], what);
        return;
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET: {
        static const pmn_type count_type = {.root = PMN_TYPE_INT, .nullable = true};
        assert_int_equal(a->v.list.n, b->v.list.n);
        for (uint32_t i = 0; i < a->v.list.n; i++) {
            assert_datum_eq(t->root == PMN_TYPE_MAP ? t->key : t->elem, &a->v.list.items[2 * i],
                            &b->v.list.items[2 * i], what);
            assert_datum_eq(t->root == PMN_TYPE_MAP ? t->value : &count_type,
                            &a->v.list.items[2 * i + 1], &b->v.list.items[2 * i + 1], what);
        }
        return;
    }
    }
}

/* Write `nrows` generated rows of `row` with `codec` to `path`; returns the rows. */
static pmn_datum *write_rows(const char *path, const pmn_type *row, pmn_avro_codec codec, int nrows,
                             pmn_arena *a, uint64_t *size)
{
    char *schema = pmn_avro_schema_for_row(row);
    assert_non_null(schema);
    pmn_avro_writer *w;
    assert_pmn_ok(
        pmn_avro_writer_open(path, schema, codec, codec == PMN_AVRO_CODEC_ZSTD ? 1 : 6, &w));
    pmn_datum *rows =
        pmn_arena_alloc(a, ((size_t)nrows + 1) * (size_t)row->nfields * sizeof(pmn_datum));
    for (int i = 0; i < nrows; i++) {
        pmn_datum *vals = rows + (size_t)i * (size_t)row->nfields;
        for (int32_t f = 0; f < row->nfields; f++)
            gen_value(row->fields[f].type, &vals[f], a, 0);
        pmn_avro_write_row(pmn_avro_writer_buf(w), row, vals);
        assert_pmn_ok(pmn_avro_writer_end_object(w));
    }
    assert_pmn_ok(pmn_avro_writer_close(w, size));
    free(schema);
    return rows;
}

static void test_avro__round_trip_every_codec(void **state)
{
    char *dir = pmn_test_tmpdir("avro-roundtrip");
    pmn_type *row = all_types_row();
    char *schema = pmn_avro_schema_for_row(row);
    assert_non_null(schema);
    static const pmn_avro_codec codecs[] = {PMN_AVRO_CODEC_NULL, PMN_AVRO_CODEC_DEFLATE,
                                            PMN_AVRO_CODEC_SNAPPY, PMN_AVRO_CODEC_ZSTD};
    const int nrows = 3000;
    for (size_t ci = 0; ci < 4; ci++) {
        pmn_arena a = PMN_ARENA_INIT;
        char *path = pmn_xasprintf("%s/rt-%zu.avro", dir, ci);
        uint64_t size = 0;
        pmn_datum *rows = write_rows(path, row, codecs[ci], nrows, &a, &size);
        uint64_t real;
        assert_pmn_ok(pmn_fs_file_size(path, &real));
        assert_int_equal(size, real);
        /* the file cannot be created twice */
        pmn_avro_writer *w2 = NULL;
        assert_int_equal(pmn_avro_writer_open(path, schema, codecs[ci], 1, &w2), PMN_EEXISTS);
        assert_null(w2);

        pmn_avro_reader *r;
        assert_pmn_ok(pmn_avro_reader_open(path, &r));
        assert_int_equal(pmn_avro_reader_codec(r), codecs[ci]);
        assert_string_equal(pmn_avro_reader_schema_json(r), schema);
        pmn_avro_read_plan *plan;
        assert_pmn_ok(pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan));
        pmn_arena ra = PMN_ARENA_INIT;
        pmn_datum *got = pmn_xcalloc((size_t)row->nfields, sizeof *got);
        pmn_avro_cursor c;
        int64_t count;
        int i = 0, blocks = 0, rc;
        while ((rc = pmn_avro_reader_next_block(r, &c, &count)) == 0) {
            blocks++;
            for (int64_t k = 0; k < count; k++, i++) {
                assert_true(i < nrows);
                assert_pmn_ok(pmn_avro_read_row(plan, &c, &ra, got));
                const pmn_datum *want = rows + (size_t)i * (size_t)row->nfields;
                for (int32_t f = 0; f < row->nfields; f++)
                    assert_datum_eq(row->fields[f].type, &want[f], &got[f], row->fields[f].name);
            }
            assert_ptr_equal(c.p, c.end);
            pmn_arena_reset(&ra);
        }
        assert_int_equal(rc, PMN_ITEROVER);
        assert_int_equal(i, nrows);
        assert_true(blocks > 1); /* 64000-byte blocks */
        /* and the derived-type + generic paths agree on the count */
        pmn_avro_reader_free(r);
        assert_pmn_ok(pmn_avro_reader_open(path, &r));
        assert_int_equal(decode_file(r, NULL), nrows);
        pmn_avro_reader_free(r);
        free(got);
        pmn_arena_free(&ra);
        pmn_avro_read_plan_free(plan);
        pmn_arena_free(&a);
        free(path);
    }
    free(schema);
    pmn_type_free(row);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_avro__empty_file_and_discard(void **state)
{
    char *dir = pmn_test_tmpdir("avro-empty");
    char *path = pmn_xasprintf("%s/empty.avro", dir);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "x", ty(PMN_TYPE_INT));
    char *schema = pmn_avro_schema_for_row(row);
    pmn_avro_writer *w;
    assert_pmn_ok(pmn_avro_writer_open(path, schema, PMN_AVRO_CODEC_ZSTD, 1, &w));
    uint64_t size;
    assert_pmn_ok(pmn_avro_writer_close(w, &size));
    pmn_avro_reader *r;
    assert_pmn_ok(pmn_avro_reader_open(path, &r));
    pmn_avro_cursor c;
    int64_t count;
    assert_int_equal(pmn_avro_reader_next_block(r, &c, &count), PMN_ITEROVER);
    pmn_avro_reader_free(r);
    /* header: magic, 2 entries (schema, codec), end, sync */
    assert_int_equal(size, 4 + 1 + 1 + 11 + 2 + strlen(schema) + 1 + 10 + 1 + 9 + 1 + 16);

    char *path2 = pmn_xasprintf("%s/discarded.avro", dir);
    assert_pmn_ok(pmn_avro_writer_open(path2, schema, PMN_AVRO_CODEC_NULL, 0, &w));
    pmn_avro_put_long(pmn_avro_writer_buf(w), 1);
    assert_pmn_ok(pmn_avro_writer_end_object(w));
    pmn_avro_writer_discard(w);
    assert_int_equal(pmn_fs_exists(path2), 0);

    assert_int_equal(pmn_avro_reader_open(path2, &r), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "discarded.avro"));
    free(path2);
    free(schema);
    pmn_type_free(row);
    free(path);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_avro__codec_names(void **state)
{
    pmn_avro_codec c;
    assert_pmn_ok(pmn_avro_codec_from_name("zstd", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_ZSTD);
    assert_pmn_ok(pmn_avro_codec_from_name("zstandard", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_ZSTD);
    assert_pmn_ok(pmn_avro_codec_from_name("none", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_NULL);
    assert_pmn_ok(pmn_avro_codec_from_name("uncompressed", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_NULL);
    assert_pmn_ok(pmn_avro_codec_from_name("snappy", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_SNAPPY);
    assert_pmn_ok(pmn_avro_codec_from_name("deflate", &c));
    assert_int_equal(c, PMN_AVRO_CODEC_DEFLATE);
    assert_int_equal(pmn_avro_codec_from_name("lz4", &c), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "lz4"));
}

/* Java's ZstdOutputStream frames carry no content size: decode them by streaming. */
static void test_avro__zstd_frames_without_content_size(void **state)
{
    uint8_t src[200000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i % 251 ^ (i >> 9));
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(sizeof src) + 64;
    uint8_t *dst = malloc(cap * 2);
    ZSTD_outBuffer out = {dst, cap, 0};
    /* two frames back to back, streamed, no pledged size */
    for (int f = 0; f < 2; f++) {
        ZSTD_inBuffer in = {src + f * (sizeof src / 2), sizeof src / 2, 0};
        ZSTD_CCtx_reset(cc, ZSTD_reset_session_only);
        /* feeding the input before ending the frame leaves the size out of the header */
        assert_false(ZSTD_isError(ZSTD_compressStream2(cc, &out, &in, ZSTD_e_continue)));
        ZSTD_inBuffer none = {NULL, 0, 0};
        size_t left;
        do {
            left = ZSTD_compressStream2(cc, &out, &none, ZSTD_e_end);
            assert_false(ZSTD_isError(left));
        } while (left != 0);
    }
    assert_int_equal(ZSTD_getFrameContentSize(dst, out.pos), ZSTD_CONTENTSIZE_UNKNOWN);
    pmn_avro_codec_state *st = pmn_avro__codec_new(PMN_AVRO_CODEC_ZSTD, 1);
    pmn_buf got = PMN_BUF_INIT;
    assert_pmn_ok(pmn_avro__decompress(st, dst, out.pos, &got, 1 << 30));
    assert_int_equal(got.len, sizeof src);
    assert_memory_equal(got.data, src, sizeof src);
    /* the limit holds */
    assert_int_equal(pmn_avro__decompress(st, dst, out.pos, &got, 1000), PMN_ECORRUPT);
    /* truncated streams fail */
    assert_int_equal(pmn_avro__decompress(st, dst, out.pos / 3, &got, 1 << 30), PMN_ECORRUPT);
    pmn_buf_dispose(&got);
    pmn_avro__codec_free(st);
    ZSTD_freeCCtx(cc);
    free(dst);
}

/* timestamp-micros -> millis + nanos-of-milli floors (Paimon's Timestamp.fromMicros). */
static void test_avro__timestamp_micros_floor(void **state)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "ts", nn(pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6)));
    pmn_type_row_add(row, 1, "t", nn(pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3)));
    char *json = pmn_avro_schema_for_row(row);
    pmn_avro_schema *s;
    assert_pmn_ok(pmn_avro_schema_parse(json, strlen(json), &s));
    pmn_avro_read_plan *plan;
    assert_pmn_ok(pmn_avro_read_plan_new(s, row, &plan));
    static const struct {
        int64_t micros, millis;
        int32_t nanos;
    } cases[] = {
        {0, 0, 0},
        {1, 0, 1000},
        {-1, -1, 999000},
        {-999, -1, 1000},
        {-1000, -1, 0},
        {-1001, -2, 999000},
        {INT64_MAX, INT64_MAX / 1000, 807000},
        {INT64_MIN, INT64_MIN / 1000 - 1, 192000},
    };
    pmn_buf b = PMN_BUF_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_buf_reset(&b);
        pmn_avro_put_long(&b, cases[i].micros);
        pmn_avro_put_long(&b, -5); /* 5 ms before the epoch */
        pmn_avro_cursor c = {b.data, b.data + b.len, false};
        pmn_datum d[2];
        assert_pmn_ok(pmn_avro_read_row(plan, &c, NULL, d));
        assert_true(d[0].v.ts.millis == cases[i].millis);
        assert_int_equal(d[0].v.ts.nanos, cases[i].nanos);
        assert_true(d[1].v.ts.millis == -5);
        /* and back to the same micros when in range */
        if (cases[i].micros != INT64_MIN) {
            pmn_buf again = PMN_BUF_INIT;
            pmn_avro_write_row(&again, row, d);
            assert_int_equal(again.len, b.len);
            assert_memory_equal(again.data, b.data, b.len);
            pmn_buf_dispose(&again);
        }
    }
    pmn_buf_dispose(&b);
    pmn_avro_read_plan_free(plan);
    pmn_avro_schema_free(s);
    free(json);
    pmn_type_free(row);
}

/* ---------- (d) corruption ---------- */

/* Decode everything; returns 0, or the first error code. Never crashes (run under ASan). */
static int decode_all(const uint8_t *data, size_t len, const pmn_type *row, int64_t *rows)
{
    *rows = 0;
    pmn_avro_reader *r;
    int rc = pmn_avro_reader_open_memory(data, len, "corrupt.avro", &r);
    if (rc)
        return rc;
    pmn_avro_read_plan *plan = NULL;
    rc = pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan);
    pmn_datum vals[64];
    pmn_arena arena = PMN_ARENA_INIT;
    pmn_avro_cursor c;
    int64_t count;
    while (rc == 0 && (rc = pmn_avro_reader_next_block(r, &c, &count)) == 0) {
        pmn_avro_cursor g = c;
        for (int64_t i = 0; i < count && !g.overflow; i++)
            pmn_avro_skip(&g, pmn_avro_reader_schema(r));
        for (int64_t i = 0; i < count && rc == 0; i++, (*rows)++)
            rc = pmn_avro_read_row(plan, &c, &arena, vals);
        pmn_arena_reset(&arena);
    }
    pmn_arena_free(&arena);
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    return rc == PMN_ITEROVER ? 0 : rc;
}

static void test_avro__corrupt_files_fail_cleanly(void **state)
{
    char *dir = pmn_test_tmpdir("avro-corrupt");
    pmn_type *row = all_types_row();
    static const pmn_avro_codec codecs[] = {PMN_AVRO_CODEC_NULL, PMN_AVRO_CODEC_DEFLATE,
                                            PMN_AVRO_CODEC_SNAPPY, PMN_AVRO_CODEC_ZSTD};
    for (size_t ci = 0; ci < 4; ci++) {
        pmn_arena a = PMN_ARENA_INIT;
        char *path = pmn_xasprintf("%s/c-%zu.avro", dir, ci);
        uint64_t size;
        const int nrows = 6;
        write_rows(path, row, codecs[ci], nrows, &a, &size);
        size_t len;
        uint8_t *orig = (uint8_t *)read_all(path, &len);
        int64_t rows;
        assert_int_equal(decode_all(orig, len, row, &rows), 0);
        assert_int_equal(rows, nrows);

        /* every truncation: an error, or (cut right after the header) no rows */
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *copy = pmn_xmalloc(cut ? cut : 1); /* exact size: ASan sees over-reads */
            memcpy(copy, orig, cut);
            int rc = decode_all(copy, cut, row, &rows);
            if (rc == 0 && rows == nrows)
                fail_msg("codec %zu: file cut at %zu of %zu decoded fully", ci, cut, len);
            if (rc != 0)
                assert_true(rc == PMN_ECORRUPT || rc == PMN_EINVALID);
            free(copy);
        }
        /* every single-byte flip: whatever happens, no crash and a clean error code */
        for (size_t pos = 0; pos < len; pos++) {
            uint8_t *copy = pmn_xmalloc(len);
            memcpy(copy, orig, len);
            copy[pos] ^= (uint8_t)(0x5a + pos);
            int rc = decode_all(copy, len, row, &rows);
            if (rc != 0) {
                assert_true(rc == PMN_ECORRUPT || rc == PMN_EINVALID);
                assert_true(strlen(pmn_error_last()) > 0);
            }
            free(copy);
        }
        uint8_t *copy = pmn_xmalloc(len);
        /* bad magic */
        memcpy(copy, orig, len);
        copy[0] = 'X';
        assert_int_equal(decode_all(copy, len, row, &rows), PMN_ECORRUPT);
        assert_non_null(strstr(pmn_error_last(), "bad magic"));
        assert_non_null(strstr(pmn_error_last(), "corrupt.avro"));
        /* bad sync marker after the last block */
        memcpy(copy, orig, len);
        copy[len - 1] ^= 1;
        assert_int_equal(decode_all(copy, len, row, &rows), PMN_ECORRUPT);
        assert_non_null(strstr(pmn_error_last(), "sync marker"));
        if (codecs[ci] == PMN_AVRO_CODEC_SNAPPY) { /* CRC = the 4 bytes before the sync */
            memcpy(copy, orig, len);
            copy[len - 17] ^= 1;
            assert_int_equal(decode_all(copy, len, row, &rows), PMN_ECORRUPT);
            assert_non_null(strstr(pmn_error_last(), "crc mismatch"));
        }
        free(copy);
        free(orig);

        /* a truncated file on disk names the file */
        assert_int_equal(truncate(path, (off_t)(size - 20)), 0);
        pmn_avro_reader *r;
        assert_pmn_ok(pmn_avro_reader_open(path, &r));
        pmn_avro_cursor c;
        int64_t count;
        assert_int_equal(pmn_avro_reader_next_block(r, &c, &count), PMN_ECORRUPT);
        assert_non_null(strstr(pmn_error_last(), path));
        assert_non_null(strstr(pmn_error_last(), "truncated"));
        pmn_avro_reader_free(r);
        pmn_arena_free(&a);
        free(path);
    }
    pmn_type_free(row);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* Random object bytes inside a valid null-codec container: errors or rows, never a crash. */
static void test_avro__random_block_bodies(void **state)
{
    char *dir = pmn_test_tmpdir("avro-random");
    char *path = pmn_xasprintf("%s/r.avro", dir);
    pmn_type *row = all_types_row();
    pmn_arena a = PMN_ARENA_INIT;
    uint64_t size;
    write_rows(path, row, PMN_AVRO_CODEC_NULL, 0, &a, &size); /* header only */
    size_t hlen;
    char *header = read_all(path, &hlen);
    assert_int_equal(hlen, size);
    pmn_buf f = PMN_BUF_INIT;
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        pmn_buf_reset(&f);
        pmn_buf_put(&f, header, hlen);
        size_t body = (size_t)(rnd() % 400);
        pmn_avro_put_long(&f, (int64_t)(1 + rnd() % 4));
        pmn_avro_put_long(&f, (int64_t)body);
        for (size_t i = 0; i < body; i++) /* mostly small varints, like real data */
            pmn_buf_putc(&f, (uint8_t)(rnd() % 3 ? rnd() % 8 : rnd()));
        pmn_buf_put(&f, header + hlen - 16, 16);
        uint8_t *exact = pmn_xmalloc(f.len);
        memcpy(exact, f.data, f.len);
        int64_t rows;
        int rc = decode_all(exact, f.len, row, &rows);
        assert_true(rc == 0 || rc == PMN_ECORRUPT);
        rc == 0 ? ok++ : bad++;
        free(exact);
    }
    assert_true(bad > 0);
    pmn_buf_dispose(&f);
    free(header);
    pmn_arena_free(&a);
    pmn_type_free(row);
    free(path);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_avro__bad_headers_and_records(void **state)
{
    /* unknown codec */
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_put(&b, "Obj\x01", 4);
    pmn_avro_put_long(&b, 2);
    pmn_avro_put_bytes(&b, "avro.schema", 11);
    pmn_avro_put_bytes(&b, "\"long\"", 6);
    pmn_avro_put_bytes(&b, "avro.codec", 10);
    pmn_avro_put_bytes(&b, "lzma", 4);
    pmn_avro_put_long(&b, 0);
    pmn_buf_put(&b, "0123456789abcdef", 16);
    pmn_avro_reader *r = NULL;
    assert_int_equal(pmn_avro_reader_open_memory(b.data, b.len, "x.avro", &r), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "codec \"lzma\""));
    assert_null(r);

    /* valid container, record claims a string longer than the block */
    pmn_buf_reset(&b);
    const char *schema = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"s\","
                         "\"type\":\"string\"},{\"name\":\"a\",\"type\":{\"type\":\"array\","
                         "\"items\":\"long\"}}]}";
    pmn_buf_put(&b, "Obj\x01", 4);
    pmn_avro_put_long(&b, 1);
    pmn_avro_put_bytes(&b, "avro.schema", 11);
    pmn_avro_put_bytes(&b, schema, strlen(schema));
    pmn_avro_put_long(&b, 0);
    pmn_buf_put(&b, "0123456789abcdef", 16);
    pmn_avro_put_long(&b, 3); /* 3 objects */
    pmn_buf body = PMN_BUF_INIT;
    pmn_avro_put_bytes(&body, "ok", 2); /* good record */
    pmn_avro_put_long(&body, 0);
    pmn_avro_put_long(&body, 1000);                  /* string length beyond the block */
    pmn_avro_put_long(&body, 4611686018427387903LL); /* absurd array count */
    pmn_avro_put_long(&b, (int64_t)body.len);
    pmn_buf_put(&b, body.data, body.len);
    pmn_buf_put(&b, "0123456789abcdef", 16);
    assert_pmn_ok(pmn_avro_reader_open_memory(b.data, b.len, "y.avro", &r));
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "s", nn(ty(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(row, 1, "a", nn(pmn_type_array(nn(ty(PMN_TYPE_BIGINT)))));
    pmn_avro_read_plan *plan;
    assert_pmn_ok(pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan));
    pmn_avro_cursor c;
    int64_t count;
    assert_pmn_ok(pmn_avro_reader_next_block(r, &c, &count));
    assert_int_equal(count, 3);
    pmn_datum vals[2];
    pmn_arena arena = PMN_ARENA_INIT;
    assert_pmn_ok(pmn_avro_read_row(plan, &c, &arena, vals));
    assert_str(&vals[0], "ok");
    assert_int_equal(pmn_avro_read_row(plan, &c, &arena, vals), PMN_ECORRUPT);
    assert_true(c.overflow);
    pmn_arena_free(&arena);
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    pmn_type_free(row);
    pmn_buf_dispose(&body);
    pmn_buf_dispose(&b);
}

static void test_avro__varints_and_cursor(void **state)
{
    static const int64_t vals[] = {0,         -1,        1,         -64,         63,
                                   64,        -65,       8191,      INT32_MAX,   INT32_MIN,
                                   INT64_MAX, INT64_MIN, 1LL << 56, -(1LL << 56)};
    pmn_buf b = PMN_BUF_INIT;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        pmn_avro_put_long(&b, vals[i]);
    pmn_avro_put_float(&b, -1.5f);
    pmn_avro_put_double(&b, 3.25);
    pmn_avro_put_bool(&b, true);
    pmn_avro_put_bytes(&b, "hey", 3);
    /* spec examples: 0 -> 00, -1 -> 01, 1 -> 02, -64 -> 7f, 64 -> 80 01 */
    assert_int_equal(b.data[0], 0x00);
    assert_int_equal(b.data[1], 0x01);
    assert_int_equal(b.data[2], 0x02);
    assert_int_equal(b.data[3], 0x7f);
    pmn_avro_cursor c = {b.data, b.data + b.len, false};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        assert_true(pmn_avro_get_long(&c) == vals[i]);
    assert_true(pmn_avro_get_float(&c) == -1.5f);
    assert_true(pmn_avro_get_double(&c) == 3.25);
    assert_true(pmn_avro_get_bool(&c));
    uint32_t len;
    const uint8_t *p = pmn_avro_get_bytes(&c, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "hey", 3);
    assert_false(c.overflow);
    assert_ptr_equal(c.p, c.end);
    /* reading past the end is sticky */
    assert_int_equal(pmn_avro_get_long(&c), 0);
    assert_true(c.overflow);
    assert_true(pmn_avro_get_double(&c) == 0);
    assert_true(c.overflow);

    /* an 11-byte varint, a 10th byte carrying more than one bit, a cut varint */
    static const uint8_t too_long[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t too_wide[10] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0x02};
    static const uint8_t cut[2] = {0x80, 0x80};
    pmn_avro_cursor c1 = {too_long, too_long + 11, false};
    pmn_avro_get_long(&c1);
    assert_true(c1.overflow);
    pmn_avro_cursor c2 = {too_wide, too_wide + 10, false};
    pmn_avro_get_long(&c2);
    assert_true(c2.overflow);
    pmn_avro_cursor c3 = {cut, cut + 2, false};
    pmn_avro_get_long(&c3);
    assert_true(c3.overflow);
    /* a length beyond the data, and a negative one */
    pmn_buf_reset(&b);
    pmn_avro_put_long(&b, 5);
    pmn_buf_put(&b, "abc", 3);
    pmn_avro_cursor c4 = {b.data, b.data + b.len, false};
    pmn_avro_get_bytes(&c4, &len);
    assert_true(c4.overflow);
    assert_int_equal(len, 0);
    pmn_buf_reset(&b);
    pmn_avro_put_long(&b, -2);
    pmn_avro_cursor c5 = {b.data, b.data + b.len, false};
    pmn_avro_get_bytes(&c5, &len);
    assert_true(c5.overflow);
    pmn_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avro__varints_and_cursor),
        cmocka_unit_test(test_avro__schema_parse_named_types),
        cmocka_unit_test(test_avro__every_fixture_file_decodes),
        cmocka_unit_test(test_avro__fixture_schemas_regenerate),
        cmocka_unit_test(test_avro__schema_for_row_matches_java),
        cmocka_unit_test(test_avro__schema_for_row_maps_and_multisets),
        cmocka_unit_test(test_avro__append_multiple_values),
        cmocka_unit_test(test_avro__pk_file_values),
        cmocka_unit_test(test_avro__projection_and_union_records),
        cmocka_unit_test(test_avro__codec_names),
        cmocka_unit_test(test_avro__zstd_frames_without_content_size),
        cmocka_unit_test(test_avro__timestamp_micros_floor),
        cmocka_unit_test(test_avro__round_trip_every_codec),
        cmocka_unit_test(test_avro__empty_file_and_discard),
        cmocka_unit_test(test_avro__corrupt_files_fail_cleanly),
        cmocka_unit_test(test_avro__bad_headers_and_records),
        cmocka_unit_test(test_avro__random_block_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
