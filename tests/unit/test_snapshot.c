/*
 * tests/unit/test_snapshot.c
 *
 * paimon/snapshot: fixture snapshots, the written key set, LATEST/EARLIEST
 * hint handling, create-if-absent publish (also across processes), time
 * travel and tags; corrupt files give errors that name the file.
 */
#include "testutil.h"

#include "paimon/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void write_file(const char *path, const char *text)
{
    char *dir = pmn_path_dirname(path);
    assert_pmn_ok(pmn_fs_mkdir_p(dir));
    free(dir);
    assert_pmn_ok(pmn_fs_write_file(path, text, strlen(text)));
}

static void test_snapshot__pk_fixture(void **state)
{
    char *table = pmn_test_fixture(PK_TABLE);
    int64_t id;
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 2);
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 1);
    pmn_snapshot *s;
    assert_pmn_ok(pmn_snapshot_read(table, 2, &s));
    assert_int_equal(s->version, 3);
    assert_int_equal(s->id, 2);
    assert_int_equal(s->schema_id, 0);
    assert_string_equal(s->base_manifest_list,
                        "manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-2");
    assert_int_equal(s->base_manifest_list_size, 1119);
    assert_string_equal(s->delta_manifest_list,
                        "manifest-list-bc16121e-12e3-4ba0-a499-bf054e158852-3");
    assert_int_equal(s->delta_manifest_list_size, 1119);
    assert_null(s->changelog_manifest_list);
    assert_int_equal(s->changelog_manifest_list_size, -1);
    assert_null(s->index_manifest);
    assert_string_equal(s->commit_user, "65d24992-0149-4bd8-92bf-715e6e4804ca");
    assert_int_equal(s->commit_identifier, 2);
    assert_string_equal(s->commit_kind, "APPEND");
    assert_true(s->time_millis == 1768211240667LL);
    assert_true(s->has_total_record_count);
    assert_int_equal(s->total_record_count, 6);
    assert_true(s->has_delta_record_count);
    assert_int_equal(s->delta_record_count, 2);
    assert_true(s->has_changelog_record_count);
    assert_int_equal(s->changelog_record_count, 0);
    assert_false(s->has_watermark);
    assert_null(s->statistics);
    assert_int_equal(s->properties.n, 0);
    assert_null(s->tag_create_time);

    /* we write the same text minus the 1.3+ "nextRowId" */
    char *path = pmn_xasprintf("%s/snapshot/snapshot-2", table);
    char *orig;
    size_t olen;
    assert_pmn_ok(pmn_fs_read_file(path, &orig, &olen));
    const char *drop = ",\n  \"nextRowId\" : 0";
    const char *at = strstr(orig, drop);
    assert_non_null(at);
    size_t off = (size_t)(at - orig), dl = strlen(drop);
    memmove(orig + off, orig + off + dl, olen - off - dl + 1);
    char *json = pmn_snapshot_to_json(s);
    assert_string_equal(json, orig);
    free(json);
    free(orig);
    free(path);
    pmn_snapshot_free(s);
    free(table);
}

static void test_snapshot__other_fixtures(void **state)
{
    char *table = pmn_test_fixture(APPEND_SIMPLE);
    int64_t id;
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 1);
    pmn_snapshot *s;
    assert_pmn_ok(pmn_snapshot_read(table, 1, &s));
    assert_true(s->commit_identifier == INT64_MAX); /* batch write */
    assert_int_equal(s->base_manifest_list_size, 1006);
    assert_int_equal(s->delta_manifest_list_size, 1108);
    assert_int_equal(s->total_record_count, 4);
    pmn_snapshot_free(s);
    free(table);

    table = pmn_test_fixture(APPEND_MULTI);
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_snapshot_list_ids(table, &ids, &n));
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    free(ids);
    assert_pmn_ok(pmn_snapshot_read(table, 1, &s));
    assert_string_equal(s->delta_manifest_list,
                        "manifest-list-21081c8d-4a00-4e90-a265-84f4487d1ec0-1");
    assert_int_equal(s->total_record_count, 4);
    pmn_snapshot_free(s);
    assert_pmn_ok(pmn_snapshot_read(table, 2, &s));
    assert_int_equal(s->total_record_count, 7);
    assert_int_equal(s->delta_record_count, 3);
    assert_int_equal(s->base_manifest_list_size, 1125);
    pmn_snapshot_free(s);
    /* time travel on real files: 1767864229282 (s1) and 1767864229369 (s2) */
    assert_pmn_ok(pmn_snapshot_id_at_time(table, 1767864229300LL, &id));
    assert_int_equal(id, 1);
    assert_pmn_ok(pmn_snapshot_id_at_time(table, 1767864229369LL, &id));
    assert_int_equal(id, 2);
    free(table);

    /* paimon-rust's synthetic snapshot: non-null changelog list and statistics */
    char *path = pmn_test_fixture("rust_synthetic_manifests/snapshot-v3.json");
    char *text = read_text(path);
    assert_pmn_ok(pmn_snapshot_from_json(text, strlen(text), &s));
    assert_string_equal(s->changelog_manifest_list,
                        "manifest-list-ea4b892d-edc8-4ee7-9eee-7068b83a947b-2");
    assert_int_equal(s->changelog_record_count, 2);
    assert_string_equal(s->statistics, "statistics_string");
    assert_int_equal(s->base_manifest_list_size, -1);
    char *json = pmn_snapshot_to_json(s);
    assert_non_null(strstr(json, "\"changelogManifestList\" : "
                                 "\"manifest-list-ea4b892d-edc8-4ee7-9eee-7068b83a947b-2\",\n"
                                 "  \"commitUser\""));
    assert_non_null(strstr(json, "\"statistics\" : \"statistics_string\"\n}"));
    assert_null(strstr(json, "ManifestListSize"));
    free(json);
    pmn_snapshot_free(s);
    free(text);
    free(path);
}

static pmn_snapshot *make_snapshot(int64_t id, int64_t time_millis)
{
    pmn_snapshot *s = pmn_xcalloc(1, sizeof *s);
    s->version = 3;
    s->id = id;
    s->schema_id = 0;
    s->base_manifest_list = pmn_xasprintf("manifest-list-base-%lld", (long long)id);
    s->base_manifest_list_size = -1;
    s->delta_manifest_list = pmn_xasprintf("manifest-list-delta-%lld", (long long)id);
    s->delta_manifest_list_size = -1;
    s->changelog_manifest_list_size = -1;
    s->commit_user = pmn_xstrdup("user-1");
    s->commit_identifier = id;
    s->commit_kind = pmn_xstrdup("APPEND");
    s->time_millis = time_millis;
    s->has_total_record_count = true;
    s->total_record_count = id * 10;
    s->has_delta_record_count = true;
    s->delta_record_count = 10;
    s->has_changelog_record_count = true;
    s->changelog_record_count = 0;
    pmn_options_init(&s->properties);
    return s;
}

static void test_snapshot__writes_09_key_set(void **state)
{
    pmn_snapshot *s = make_snapshot(5, 1700000000000LL);
    char *json = pmn_snapshot_to_json(s);
    assert_string_equal(json, "{\n"
                              "  \"version\" : 3,\n"
                              "  \"id\" : 5,\n"
                              "  \"schemaId\" : 0,\n"
                              "  \"baseManifestList\" : \"manifest-list-base-5\",\n"
                              "  \"deltaManifestList\" : \"manifest-list-delta-5\",\n"
                              "  \"changelogManifestList\" : null,\n"
                              "  \"commitUser\" : \"user-1\",\n"
                              "  \"commitIdentifier\" : 5,\n"
                              "  \"commitKind\" : \"APPEND\",\n"
                              "  \"timeMillis\" : 1700000000000,\n"
                              "  \"logOffsets\" : { },\n"
                              "  \"totalRecordCount\" : 50,\n"
                              "  \"deltaRecordCount\" : 10,\n"
                              "  \"changelogRecordCount\" : 0\n"
                              "}");
    free(json);

    /* every optional field */
    s->base_manifest_list_size = 1006;
    s->delta_manifest_list_size = 1119;
    s->changelog_manifest_list = pmn_xstrdup("manifest-list-cl-5");
    s->changelog_manifest_list_size = 900;
    s->index_manifest = pmn_xstrdup("index-manifest-x-0");
    s->has_watermark = true;
    s->watermark = -9223372036854775807LL - 1;
    s->statistics = pmn_xstrdup("stats-1");
    pmn_options_set(&s->properties, "pgpaimon.lsn", "0/16B3748");
    pmn_options_set(&s->properties, "pgpaimon.slot", "s1");
    free(s->commit_kind);
    s->commit_kind = pmn_xstrdup("COMPACT");
    json = pmn_snapshot_to_json(s);
    assert_string_equal(json, "{\n"
                              "  \"version\" : 3,\n"
                              "  \"id\" : 5,\n"
                              "  \"schemaId\" : 0,\n"
                              "  \"baseManifestList\" : \"manifest-list-base-5\",\n"
                              "  \"baseManifestListSize\" : 1006,\n"
                              "  \"deltaManifestList\" : \"manifest-list-delta-5\",\n"
                              "  \"deltaManifestListSize\" : 1119,\n"
                              "  \"changelogManifestList\" : \"manifest-list-cl-5\",\n"
                              "  \"changelogManifestListSize\" : 900,\n"
                              "  \"indexManifest\" : \"index-manifest-x-0\",\n"
                              "  \"commitUser\" : \"user-1\",\n"
                              "  \"commitIdentifier\" : 5,\n"
                              "  \"commitKind\" : \"COMPACT\",\n"
                              "  \"timeMillis\" : 1700000000000,\n"
                              "  \"logOffsets\" : { },\n"
                              "  \"totalRecordCount\" : 50,\n"
                              "  \"deltaRecordCount\" : 10,\n"
                              "  \"changelogRecordCount\" : 0,\n"
                              "  \"watermark\" : -9223372036854775808,\n"
                              "  \"statistics\" : \"stats-1\",\n"
                              "  \"properties\" : {\n"
                              "    \"pgpaimon.lsn\" : \"0/16B3748\",\n"
                              "    \"pgpaimon.slot\" : \"s1\"\n"
                              "  }\n"
                              "}");
    pmn_snapshot *back;
    assert_pmn_ok(pmn_snapshot_from_json(json, strlen(json), &back));
    char *again = pmn_snapshot_to_json(back);
    assert_string_equal(json, again);
    assert_true(back->watermark == INT64_MIN);
    assert_string_equal(pmn_options_get(&back->properties, "pgpaimon.lsn"), "0/16B3748");
    free(again);
    pmn_snapshot_free(back);
    free(json);

    /* unknown counts: 0.9 writes null for the two nullable Longs, omits changelogRecordCount */
    s->has_total_record_count = s->has_delta_record_count = false;
    s->has_changelog_record_count = false;
    json = pmn_snapshot_to_json(s);
    assert_non_null(strstr(json, "\"totalRecordCount\" : null,\n  \"deltaRecordCount\" : null,\n"
                                 "  \"watermark\""));
    assert_pmn_ok(pmn_snapshot_from_json(json, strlen(json), &back));
    assert_false(back->has_total_record_count);
    assert_false(back->has_changelog_record_count);
    pmn_snapshot_free(back);
    free(json);
    pmn_snapshot_free(s);
}

static void test_snapshot__reads_newer_and_older_keys(void **state)
{
    /* 2.0-style extra keys are ignored; a missing version means 1 */
    const char *text = "{\"uuid\":\"u\",\"id\":4,\"schemaId\":1,\"baseManifestList\":\"b\","
                       "\"deltaManifestList\":\"d\",\"commitUser\":\"cu\",\"commitIdentifier\":-1,"
                       "\"commitKind\":\"OVERWRITE\",\"timeMillis\":7,\"logOffsets\":{\"0\":5},"
                       "\"nextRowId\":3,\"operation\":{\"x\":[1,2]},\"properties\":null}";
    pmn_snapshot *s;
    assert_pmn_ok(pmn_snapshot_from_json(text, strlen(text), &s));
    assert_int_equal(s->version, 1);
    assert_int_equal(s->id, 4);
    assert_int_equal(s->commit_identifier, -1);
    assert_string_equal(s->commit_kind, "OVERWRITE");
    assert_false(s->has_total_record_count);
    assert_int_equal(s->properties.n, 0);
    pmn_snapshot_free(s);
}

static void test_snapshot__hints(void **state)
{
    char *table = pmn_test_tmpdir("snapshot-hints");
    int64_t id = -1;
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 0);
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 0);
    for (int64_t i = 1; i <= 12; i++) {
        pmn_snapshot *s = make_snapshot(i, 1000 * i);
        assert_pmn_ok(pmn_snapshot_publish(table, s));
        pmn_snapshot_free(s);
    }
    char *latest = pmn_xasprintf("%s/snapshot/LATEST", table);
    char *earliest = pmn_xasprintf("%s/snapshot/EARLIEST", table);
    char *text = read_text(latest);
    assert_string_equal(text, "12"); /* no newline */
    free(text);
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 12);

    static const char *const bad_latest[] = {
        "3", "0", "-4", "abc", "", "12\n", " 12", "999", "99999999999999999999999", "1.5"};
    for (size_t i = 0; i < sizeof bad_latest / sizeof bad_latest[0]; i++) {
        write_file(latest, bad_latest[i]);
        id = -1;
        assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
        if (id != 12)
            fail_msg("LATEST '%s' -> %lld", bad_latest[i], (long long)id);
    }
    assert_pmn_ok(pmn_fs_remove(latest));
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 12);

    /* EARLIEST: missing -> listing; trusted when that snapshot exists */
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 1);
    for (int64_t i = 1; i <= 3; i++) { /* "expire" 1..3 */
        char *p = pmn_xasprintf("%s/snapshot/snapshot-%lld", table, (long long)i);
        assert_pmn_ok(pmn_fs_remove(p));
        free(p);
    }
    write_file(earliest, "1"); /* stale */
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 4);
    assert_pmn_ok(pmn_snapshot_write_hint(table, "EARLIEST", 6));
    text = read_text(earliest);
    assert_string_equal(text, "6");
    free(text);
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 6); /* trusted: snapshot-6 exists (Java does the same) */
    write_file(earliest, "garbage");
    assert_pmn_ok(pmn_snapshot_earliest_id(table, &id));
    assert_int_equal(id, 4);
    assert_int_equal(pmn_snapshot_write_hint(table, "MIDDLE", 1), PMN_EINVALID);

    /* a stray temp file and non-numeric names are ignored by listing */
    char *tmp = pmn_xasprintf("%s/snapshot/.snapshot-13.123.tmp", table);
    char *odd = pmn_xasprintf("%s/snapshot/snapshot-13x", table);
    write_file(tmp, "{");
    write_file(odd, "{");
    assert_pmn_ok(pmn_snapshot_latest_id(table, &id));
    assert_int_equal(id, 12);
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_snapshot_list_ids(table, &ids, &n));
    assert_int_equal(n, 9);
    assert_int_equal(ids[0], 4);
    assert_int_equal(ids[8], 12);
    free(ids);
    free(tmp);
    free(odd);
    free(latest);
    free(earliest);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_snapshot__publish_conflict_keeps_file(void **state)
{
    char *table = pmn_test_tmpdir("snapshot-conflict");
    pmn_snapshot *s = make_snapshot(1, 5000);
    assert_pmn_ok(pmn_snapshot_publish(table, s));
    char *path = pmn_xasprintf("%s/snapshot/snapshot-1", table);
    char *before = read_text(path);
    free(s->commit_user);
    s->commit_user = pmn_xstrdup("someone-else");
    assert_int_equal(pmn_snapshot_publish(table, s), PMN_ECONFLICT);
    assert_non_null(strstr(pmn_error_last(), "snapshot-1"));
    char *after = read_text(path);
    assert_string_equal(before, after);
    /* the directory holds only snapshot-1 and LATEST: no temp file left behind */
    char *dir = pmn_xasprintf("%s/snapshot", table);
    char **names;
    size_t n;
    assert_pmn_ok(pmn_fs_list(dir, &names, &n));
    assert_int_equal(n, 2);
    pmn_fs_list_free(names, n);
    s->id = 0;
    assert_int_equal(pmn_snapshot_publish(table, s), PMN_EINVALID);
    pmn_snapshot *back;
    assert_pmn_ok(pmn_snapshot_read(table, 1, &back));
    assert_string_equal(back->commit_user, "user-1");
    pmn_snapshot_free(back);
    pmn_snapshot_free(s);
    free(before);
    free(after);
    free(dir);
    free(path);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_snapshot__processes_race_one_wins(void **state)
{
    enum { WRITERS = 8, ROUNDS = 10 };
    char *table = pmn_test_tmpdir("snapshot-race");
    for (int64_t id = 1; id <= ROUNDS; id++) {
        pid_t pids[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                pmn_snapshot *s = make_snapshot(id, 1000 * id);
                free(s->commit_user);
                s->commit_user = pmn_xasprintf("writer-%d", w);
                int rc = pmn_snapshot_publish(table, s);
                _exit(rc == 0 ? 0 : rc == PMN_ECONFLICT ? 1 : 2);
            }
            pids[w] = pid;
        }
        int winners = 0, losers = 0, winner = -1;
        for (int w = 0; w < WRITERS; w++) {
            int st;
            assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
            assert_true(WIFEXITED(st));
            if (WEXITSTATUS(st) == 0) {
                winners++;
                winner = w;
            } else if (WEXITSTATUS(st) == 1) {
                losers++;
            }
        }
        assert_int_equal(winners, 1);
        assert_int_equal(losers, WRITERS - 1);
        pmn_snapshot *s;
        assert_pmn_ok(pmn_snapshot_read(table, id, &s));
        char *who = pmn_xasprintf("writer-%d", winner);
        assert_string_equal(s->commit_user, who);
        free(who);
        pmn_snapshot_free(s);
    }
    int64_t latest;
    assert_pmn_ok(pmn_snapshot_latest_id(table, &latest));
    assert_int_equal(latest, ROUNDS);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_snapshot__time_travel(void **state)
{
    char *table = pmn_test_tmpdir("snapshot-time");
    int64_t id;
    assert_int_equal(pmn_snapshot_id_at_time(table, 5, &id), PMN_ENOTFOUND);
    /* times: 1:1000 2:2000 3:2000 4:3000 5:5000 6:5000 7:9000 */
    static const int64_t times[] = {1000, 2000, 2000, 3000, 5000, 5000, 9000};
    for (int i = 0; i < 7; i++) {
        pmn_snapshot *s = make_snapshot(i + 1, times[i]);
        assert_pmn_ok(pmn_snapshot_publish(table, s));
        pmn_snapshot_free(s);
    }
    static const struct {
        int64_t t, id;
    } cases[] = {{1000, 1}, {1500, 1}, {1999, 1}, {2000, 3}, {2999, 3},     {3000, 4},
                 {4999, 4}, {5000, 6}, {8999, 6}, {9000, 7}, {INT64_MAX, 7}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        id = -1;
        assert_pmn_ok(pmn_snapshot_id_at_time(table, cases[i].t, &id));
        if (id != cases[i].id)
            fail_msg("t=%lld -> %lld, expected %lld", (long long)cases[i].t, (long long)id,
                     (long long)cases[i].id);
    }
    assert_int_equal(pmn_snapshot_id_at_time(table, 999, &id), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "earliest snapshot 1"));
    assert_non_null(strstr(pmn_error_last(), "1000"));
    assert_non_null(strstr(pmn_error_last(), "1970-01-01 00:00:01.000 UTC"));
    /* after expiring 1..2 the earliest is 3 */
    for (int i = 1; i <= 2; i++) {
        char *p = pmn_xasprintf("%s/snapshot/snapshot-%d", table, i);
        pmn_fs_remove(p);
        free(p);
    }
    assert_int_equal(pmn_snapshot_id_at_time(table, 1500, &id), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "earliest snapshot 3"));
    assert_pmn_ok(pmn_snapshot_id_at_time(table, 2000, &id));
    assert_int_equal(id, 3);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_snapshot__corrupt_files_name_the_file(void **state)
{
    char *table = pmn_test_tmpdir("snapshot-corrupt");
    char *path = pmn_xasprintf("%s/snapshot/snapshot-6", table);
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"{\n  \"version\" : 3,\n  \"id\" : ", "invalid JSON at line"},
        {"", "invalid JSON"},
        {"\"x\"", "invalid JSON"},
        {"[]", "must be a JSON object"},
        {"{\"id\":\"6\"}", "\"id\" must be an integer"},
        {"{\"id\":6,\"schemaId\":0}", "missing \"baseManifestList\""},
        {"{\"id\":6,\"schemaId\":0,\"baseManifestList\":\"b\",\"deltaManifestList\":\"d\","
         "\"commitUser\":\"u\",\"commitIdentifier\":1,\"commitKind\":\"MERGE\",\"timeMillis\":1}",
         "unknown commitKind \"MERGE\""},
        {"{\"id\":6,\"schemaId\":0,\"baseManifestList\":\"b\",\"deltaManifestList\":\"d\","
         "\"commitUser\":\"u\",\"commitIdentifier\":1,\"commitKind\":\"APPEND\",\"timeMillis\":1,"
         "\"properties\":{\"a\":1}}",
         "property \"a\""},
        {"{\"id\":6,\"schemaId\":0,\"baseManifestList\":7}",
         "\"baseManifestList\" must be a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(path, cases[i].text);
        pmn_snapshot *s = (pmn_snapshot *)1;
        int rc = pmn_snapshot_read(table, 6, &s);
        if (rc != PMN_ECORRUPT)
            fail_msg("case %zu: rc %d (%s)", i, rc, pmn_error_last());
        assert_null(s);
        char *prefix = pmn_xasprintf("snapshot/snapshot-6 of %s: ", table);
        if (strncmp(pmn_error_last(), prefix, strlen(prefix)) != 0 ||
            !strstr(pmn_error_last(), cases[i].needle))
            fail_msg("case %zu: message '%s'", i, pmn_error_last());
        free(prefix);
    }
    /* time travel over a corrupt snapshot reports it instead of guessing */
    int64_t id;
    assert_int_equal(pmn_snapshot_id_at_time(table, 10, &id), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "snapshot-6"));
    pmn_snapshot *s;
    assert_int_equal(pmn_snapshot_read(table, 7, &s), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "snapshot/snapshot-7 of "));
    free(path);
    pmn_fs_remove_tree(table);
    free(table);
}

static void test_snapshot__tags(void **state)
{
    char *table = pmn_test_tmpdir("snapshot-tags");
    char **names;
    size_t n;
    assert_pmn_ok(pmn_tag_list(table, &names, &n));
    assert_int_equal(n, 0);
    free(names);
    pmn_snapshot *s = make_snapshot(3, 3000);
    char *json = pmn_snapshot_to_json(s);
    /* a Java tag file = snapshot JSON + tagCreateTime (LocalDateTime array) + tagTimeRetained */
    json[strlen(json) - 2] = '\0'; /* drop "\n}" */
    char *tag = pmn_xasprintf("%s,\n  \"tagCreateTime\" : [ 2024, 1, 2, 3, 4, 5, 6000000 ],\n"
                              "  \"tagTimeRetained\" : 86400.000000000\n}",
                              json);
    char *p1 = pmn_xasprintf("%s/tag/tag-v1", table);
    write_file(p1, tag);
    char *p2 = pmn_xasprintf("%s/tag/tag-a", table);
    char *plain = pmn_snapshot_to_json(s);
    write_file(p2, plain);
    char *p3 = pmn_xasprintf("%s/tag/.tag-b.tmp", table);
    write_file(p3, "{");
    assert_pmn_ok(pmn_tag_list(table, &names, &n));
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "v1");
    pmn_fs_list_free(names, n);

    pmn_snapshot *t;
    assert_pmn_ok(pmn_tag_read(table, "v1", &t));
    assert_int_equal(t->id, 3);
    assert_string_equal(t->tag_create_time, "[2024,1,2,3,4,5,6000000]");
    assert_non_null(t->tag_time_retained);
    assert_string_equal(t->tag_time_retained, "86400.000000000");
    char *out = pmn_snapshot_to_json(t);
    assert_non_null(strstr(out, "\"tagCreateTime\" : [ 2024, 1, 2, 3, 4, 5, 6000000 ],\n"
                                "  \"tagTimeRetained\" : 86400.000000000\n}"));
    pmn_snapshot *back;
    assert_pmn_ok(pmn_snapshot_from_json(out, strlen(out), &back));
    assert_string_equal(back->tag_create_time, t->tag_create_time);
    pmn_snapshot_free(back);
    free(out);
    pmn_snapshot_free(t);
    assert_pmn_ok(pmn_tag_read(table, "a", &t));
    assert_null(t->tag_create_time);
    assert_null(t->tag_time_retained);
    pmn_snapshot_free(t);
    assert_int_equal(pmn_tag_read(table, "missing", &t), PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "missing"));
    assert_int_equal(pmn_tag_read(table, "../snapshot/x", &t), PMN_EINVALID);
    write_file(p2, "{ broken");
    assert_int_equal(pmn_tag_read(table, "a", &t), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "tag/tag-a of "));

    free(plain);
    free(p1);
    free(p2);
    free(p3);
    free(tag);
    free(json);
    pmn_snapshot_free(s);
    pmn_fs_remove_tree(table);
    free(table);
}

/* every truncation and many single-byte edits of a real snapshot: an error or a snapshot */
static void test_snapshot__mutations_never_crash(void **state)
{
    char *path = pmn_test_fixture(PK_TABLE "/snapshot/snapshot-1");
    char *orig = read_text(path);
    size_t len = strlen(orig);
    char *buf = pmn_xmalloc(len + 1);
    static const char repl[] = "\"{}[],:0a-\\ n";
    for (size_t i = 0; i < len; i++) {
        pmn_snapshot *s = NULL;
        int rc = pmn_snapshot_from_json(orig, i, &s);
        assert_true(rc == 0 || rc == PMN_ECORRUPT);
        pmn_snapshot_free(s);
        for (size_t r = 0; r < sizeof repl - 1; r++) {
            memcpy(buf, orig, len + 1);
            buf[i] = repl[r];
            s = NULL;
            rc = pmn_snapshot_from_json(buf, len, &s);
            assert_true(rc == 0 || rc == PMN_ECORRUPT);
            if (rc == 0) {
                char *json = pmn_snapshot_to_json(s);
                pmn_snapshot *again;
                assert_pmn_ok(pmn_snapshot_from_json(json, strlen(json), &again));
                pmn_snapshot_free(again);
                free(json);
            }
            pmn_snapshot_free(s);
        }
    }
    free(buf);
    free(orig);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot__pk_fixture),
        cmocka_unit_test(test_snapshot__other_fixtures),
        cmocka_unit_test(test_snapshot__writes_09_key_set),
        cmocka_unit_test(test_snapshot__reads_newer_and_older_keys),
        cmocka_unit_test(test_snapshot__hints),
        cmocka_unit_test(test_snapshot__publish_conflict_keeps_file),
        cmocka_unit_test(test_snapshot__processes_race_one_wins),
        cmocka_unit_test(test_snapshot__time_travel),
        cmocka_unit_test(test_snapshot__corrupt_files_name_the_file),
        cmocka_unit_test(test_snapshot__tags),
        cmocka_unit_test(test_snapshot__mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
