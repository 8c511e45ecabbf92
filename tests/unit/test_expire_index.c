/*
 * tests/unit/test_expire_index.c
 *
 * Index files (paimon-format.md §4.8, §9) under snapshot expiry, tag deletion
 * and orphan removal, as Java's cleanUnusedIndexManifests and orphan clean
 * treat them: the index files named by an expired snapshot's index manifest
 * are deleted unless a retained snapshot's or a tag's index manifest still
 * names them; deleting a tag frees what only it kept; remove-orphans deletes
 * index files nothing names and keeps those something names, in index/ and,
 * with index-file-in-data-file-dir, in bucket directories. Index manifests
 * (HASH entries) are written here with the 1.x IndexManifestEntry schema.
 */
#include "testutil.h"

#include "change/datum.h"
#include "format/avro.h"
#include "paimon/index_manifest.h"
#include "paimon/snapshot.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct env {
    char *dir;
    pmn_catalog *cat;
    pmn_table *t;
    bool in_bucket_dir; /* index-file-in-data-file-dir */
    pmn_bytes partition;
    uint8_t partition_buf[64];
} env;

static void commit_rows(env *e, int from, int to)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(e->t, NULL, &w));
    for (int id = from; id < to; id++) {
        pmn_datum row[2] = {pmn_datum_int(id), pmn_datum_int(id * 10)};
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    }
    static int64_t ident;
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ++ident, NULL, 0, &snap));
    pmn_writer_free(w);
}

static void open_env(env *e, const char *name, bool in_bucket_dir)
{
    memset(e, 0, sizeof *e);
    e->in_bucket_dir = in_bucket_dir;
    e->dir = pmn_test_tmpdir(name);
    assert_pmn_ok(pmn_catalog_open(e->dir, true, &e->cat));
    pmn_catalog_create_database(e->cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(row, 1, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "1"},
                     {"write-only", "true"},
                     {"index-file-in-data-file-dir", in_bucket_dir ? "true" : "false"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = 3};
    assert_pmn_ok(pmn_catalog_create_table(e->cat, "db", "t", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(e->cat, "db", "t", &e->t));
    commit_rows(e, 0, 10);
    /* the (empty) partition the data files carry */
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(e->t, 0, &p));
    assert_true(p->nfiles > 0 && p->files[0].partition.len <= sizeof e->partition_buf);
    memcpy(e->partition_buf, p->files[0].partition.ptr, p->files[0].partition.len);
    e->partition.ptr = e->partition_buf;
    e->partition.len = p->files[0].partition.len;
    pmn_plan_free(p);
}

static void close_env(env *e)
{
    pmn_table_free(e->t);
    pmn_catalog_free(e->cat);
    pmn_fs_remove_tree(e->dir);
    free(e->dir);
}

/* index_path: where index file `name` lives in this table. */
static char *index_path(env *e, const char *name)
{
    if (e->in_bucket_dir) {
        char *dir = pmn_table_bucket_dir(e->t, e->partition, 0);
        char *p = pmn_xasprintf("%s/%s", dir, name);
        free(dir);
        return p;
    }
    return pmn_xasprintf("%s/index/%s", pmn_table_path(e->t), name);
}

static void write_index_file(env *e, const char *name)
{
    char *path = index_path(e, name);
    char *dir = pmn_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    assert_pmn_ok(pmn_fs_mkdir_p(dir));
    assert_pmn_ok(pmn_fs_write_file(path, "\0\0\0\1\0\0\0\2", 8)); /* two hash ints */
    free(dir);
    free(path);
}

static bool index_exists(env *e, const char *name)
{
    char *path = index_path(e, name);
    bool r = pmn_fs_exists(path);
    free(path);
    return r;
}

static bool manifest_exists(env *e, const char *name)
{
    char *path = pmn_xasprintf("%s/manifest/%s", pmn_table_path(e->t), name);
    bool r = pmn_fs_exists(path);
    free(path);
    return r;
}

/* install_index: index manifest `mname` with a HASH ADD entry per file (the files are written
 * when absent), published as snapshot latest + 1. */
static void install_index(env *e, const char *mname, const char *const *files, size_t n)
{
    const pmn_type *type = pmn_index_manifest_row_type();
    char *schema = pmn_avro_schema_for_row(type);
    char *mpath = pmn_xasprintf("%s/manifest/%s", pmn_table_path(e->t), mname);
    pmn_avro_writer *w;
    assert_pmn_ok(pmn_avro_writer_open(mpath, schema, PMN_AVRO_CODEC_ZSTD, 1, &w));
    for (size_t i = 0; i < n; i++) {
        if (!index_exists(e, files[i]))
            write_index_file(e, files[i]);
        pmn_datum row[10];
        row[0] = pmn_datum_int(1);
        row[1] = pmn_datum_int(0);
        row[2] = (pmn_datum){.is_null = false};
        row[2].v.bin.ptr = e->partition.ptr;
        row[2].v.bin.len = e->partition.len;
        row[3] = pmn_datum_int(0);
        row[4] = pmn_datum_str("HASH", 4);
        row[5] = pmn_datum_str(files[i], (uint32_t)strlen(files[i]));
        row[6] = pmn_datum_int(8);
        row[7] = pmn_datum_int(2);
        row[8] = pmn_datum_null();
        row[9] = pmn_datum_null();
        pmn_avro_write_row(pmn_avro_writer_buf(w), type, row);
        assert_pmn_ok(pmn_avro_writer_end_object(w));
    }
    uint64_t size;
    assert_pmn_ok(pmn_avro_writer_close(w, &size));
    int64_t latest;
    assert_pmn_ok(pmn_snapshot_latest_id(pmn_table_path(e->t), &latest));
    pmn_snapshot *s;
    assert_pmn_ok(pmn_snapshot_read(pmn_table_path(e->t), latest, &s));
    s->id = latest + 1;
    free(s->index_manifest);
    s->index_manifest = pmn_xstrdup(mname);
    assert_pmn_ok(pmn_snapshot_publish(pmn_table_path(e->t), s));
    pmn_snapshot_free(s);
    free(mpath);
    free(schema);
}

/* history: snapshot 1 data; 2 index {A}; 3 index {A, B}; 4 index {B, C}; 5, 6 data (they keep
 * the index manifest of 4); D: an index file nothing names. */
static void history(env *e)
{
    const char *m1[] = {"index-A"}, *m2[] = {"index-A", "index-B"},
               *m3[] = {"index-B", "index-C"};
    install_index(e, "index-manifest-1", m1, 1);
    install_index(e, "index-manifest-2", m2, 2);
    install_index(e, "index-manifest-3", m3, 2);
    commit_rows(e, 10, 20);
    commit_rows(e, 20, 30);
    write_index_file(e, "index-D");
    int64_t latest;
    assert_pmn_ok(pmn_table_latest_snapshot(e->t, &latest));
    assert_int_equal(latest, 6);
}

static void expire_to_5(env *e, pmn_expire_result *r)
{
    pmn_kv o[] = {{"snapshot.num-retained.min", "2"},
                  {"snapshot.time-retained", "1 ms"},
                  {"snapshot.expire.limit", "100"}};
    usleep(3000);
    assert_pmn_ok(pmn_table_expire_with(e->t, o, 3, r));
    assert_int_equal(r->earliest, 5);
}

static size_t count_rows(pmn_table *t)
{
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    size_t n = 0;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0)
        n++;
    assert_int_equal(rc, PMN_ITEROVER);
    pmn_scan_free(s);
    return n;
}

static void test_expire_index__expiry_and_orphans(void **state)
{
    (void)state;
    for (int placement = 0; placement < 2; placement++) {
        env e;
        open_env(&e, "expire-index", placement == 1);
        history(&e);
        pmn_expire_result r;
        expire_to_5(&e, &r);
        /* A was named only by the expired 2 and 3; B and C by the retained 5 and 6 */
        assert_false(index_exists(&e, "index-A"));
        assert_int_equal(r.index_files_deleted, 1);
        assert_true(index_exists(&e, "index-B"));
        assert_true(index_exists(&e, "index-C"));
        assert_false(manifest_exists(&e, "index-manifest-1"));
        assert_false(manifest_exists(&e, "index-manifest-2"));
        assert_true(manifest_exists(&e, "index-manifest-3"));
        /* expiry leaves D (no expired snapshot names it); orphan removal takes it and keeps
         * every index file a snapshot names, in index/ or in the bucket directory */
        assert_true(index_exists(&e, "index-D"));
        usleep(3000);
        int64_t removed = 0;
        assert_pmn_ok(pmn_table_remove_orphans(e.t, 0, &removed));
        assert_false(index_exists(&e, "index-D"));
        assert_int_equal(removed, 1);
        assert_true(index_exists(&e, "index-B"));
        assert_true(index_exists(&e, "index-C"));
        assert_true(manifest_exists(&e, "index-manifest-3"));
        assert_int_equal(count_rows(e.t), 30);
        close_env(&e);
    }
}

static void test_expire_index__tag_keeps_and_frees(void **state)
{
    (void)state;
    for (int placement = 0; placement < 2; placement++) {
        env e;
        open_env(&e, "expire-index-tag", placement == 1);
        history(&e);
        assert_pmn_ok(pmn_table_create_tag(e.t, "keep", 3)); /* index {A, B} */
        pmn_expire_result r;
        expire_to_5(&e, &r);
        assert_true(index_exists(&e, "index-A"));
        assert_int_equal(r.index_files_deleted, 0);
        assert_false(manifest_exists(&e, "index-manifest-1"));
        assert_true(manifest_exists(&e, "index-manifest-2"));
        /* orphan removal keeps what the tag names */
        usleep(3000);
        int64_t removed = 0;
        assert_pmn_ok(pmn_table_remove_orphans(e.t, 0, &removed));
        assert_true(index_exists(&e, "index-A"));
        assert_false(index_exists(&e, "index-D"));
        /* deleting the tag frees A and its index manifest; B stays (snapshots 5, 6) */
        assert_pmn_ok(pmn_table_delete_tag(e.t, "keep"));
        assert_false(index_exists(&e, "index-A"));
        assert_false(manifest_exists(&e, "index-manifest-2"));
        assert_true(index_exists(&e, "index-B"));
        assert_true(index_exists(&e, "index-C"));
        assert_int_equal(count_rows(e.t), 30);
        close_env(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expire_index__expiry_and_orphans),
        cmocka_unit_test(test_expire_index__tag_keeps_and_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
