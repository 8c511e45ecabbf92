/*
 * tests/unit/test_scan_parallel.c
 *
 * Parallel batch reads (pmn_scan_options.threads, src/table/scan_parallel.c)
 * and the scan's row filters and count: on a multi-bucket primary-key table
 * with updates and deletes across commits, a scan with 2, 3 or 8 threads
 * returns exactly the rows of a one-thread scan and of a model (each key once,
 * same values), row filters drop exactly the rows that fail them (in one
 * thread and in many), pmn_scan_count equals the model's live count with and
 * without columns, a scan freed after a few rows stops its threads, a data
 * file missing under a part surfaces as that part's error, and AUTO keeps a
 * small table in one thread (rows in plan order), and an append table of one
 * bucket is split between threads file by file.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NKEYS 20000
#define BUCKETS 6

typedef struct model_row {
    bool live;
    bool v_null;
    int32_t n;
} model_row;

typedef struct fixture {
    char *dir;
    pmn_catalog *cat;
    pmn_table *t;
    model_row *model;
} fixture;

static void put(pmn_writer *w, model_row *m, int64_t k, int32_t n, bool v_null, bool del)
{
    char v[64];
    int len = snprintf(v, sizeof v, "value-%lld-%d", (long long)k, n);
    pmn_datum row[3] = {pmn_datum_int(k),
                        v_null ? pmn_datum_null() : pmn_datum_str(v, (uint32_t)len),
                        pmn_datum_int(n)};
    assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
    m[k].live = !del;
    m[k].n = n;
    m[k].v_null = v_null;
}

static int setup(void **state)
{
    fixture *f = pmn_xcalloc(1, sizeof *f);
    f->dir = pmn_test_tmpdir("scan_parallel");
    assert_pmn_ok(pmn_catalog_open(f->dir, true, &f->cat));
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "k", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "v", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 0, "n", pmn_type_new(PMN_TYPE_INT));
    const char *pk[] = {"k"};
    char buckets[8];
    snprintf(buckets, sizeof buckets, "%d", BUCKETS);
    pmn_kv opts[] = {{"bucket", buckets}, {"write-only", "true"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = pk, .nprimary_keys = 1, .options = opts, .noptions = 2};
    pmn_catalog_create_database(f->cat, "db", true);
    assert_pmn_ok(pmn_catalog_create_table(f->cat, "db", "t", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(f->cat, "db", "t", &f->t));
    f->model = pmn_xcalloc(NKEYS, sizeof *f->model);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(f->t, NULL, &w));
    srand(42);
    for (int64_t commit = 1; commit <= 4; commit++) {
        for (int i = 0; i < NKEYS / 2; i++) {
            int64_t k = rand() % NKEYS;
            bool del = commit > 1 && rand() % 5 == 0;
            put(w, f->model, k, (int32_t)(rand() % 20), rand() % 10 == 0, del);
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, commit, NULL, 0, &snap));
    }
    pmn_writer_free(w);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pmn_table_free(f->t);
    pmn_catalog_free(f->cat);
    pmn_fs_remove_tree(f->dir);
    free(f->dir);
    free(f->model);
    free(f);
    return 0;
}

/* read_all: every row of a scan with these options, checked against the model (each key
 * once, values equal) and against `keep` (the rows the filter lets through); returns the
 * row count. */
static int64_t read_all(fixture *f, pmn_scan_options *o, bool (*keep)(const model_row *))
{
    bool *seen = pmn_xcalloc(NKEYS, sizeof *seen);
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(f->t, o, &s));
    const pmn_datum *r;
    int rc;
    int64_t n = 0;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        int64_t k = r[0].v.i;
        assert_true(k >= 0 && k < NKEYS);
        assert_false(seen[k]);
        seen[k] = true;
        const model_row *m = &f->model[k];
        assert_true(m->live);
        assert_int_equal(r[2].v.i, m->n);
        assert_int_equal(r[1].is_null, m->v_null);
        if (!m->v_null) {
            char v[64];
            int len = snprintf(v, sizeof v, "value-%lld-%d", (long long)k, m->n);
            assert_int_equal(r[1].v.bin.len, len);
            assert_memory_equal(r[1].v.bin.ptr, v, (size_t)len);
        }
        n++;
    }
    assert_int_equal(rc, PMN_ITEROVER);
    for (int64_t k = 0; k < NKEYS; k++)
        assert_int_equal(seen[k], f->model[k].live && (!keep || keep(&f->model[k])));
    pmn_scan_free(s);
    free(seen);
    return n;
}

static bool n_is_7(const model_row *m)
{
    return m->n == 7;
}

static bool v_is_null(const model_row *m)
{
    return m->v_null;
}

static void test_threads_read_the_same_rows(void **state)
{
    fixture *f = *state;
    int64_t live = 0;
    for (int64_t k = 0; k < NKEYS; k++)
        live += f->model[k].live;
    const int threads[] = {0, 1, 2, 3, 8};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        pmn_scan_options o = {.threads = threads[i]};
        assert_int_equal(read_all(f, &o, NULL), live);
    }
}

static void test_row_filters(void **state)
{
    fixture *f = *state;
    pmn_filter eq7 = {.field = 2, .op = PMN_FILTER_EQ, .value = pmn_datum_int(7)};
    pmn_filter isnull = {.field = 1, .op = PMN_FILTER_IS_NULL};
    for (int threads = 1; threads <= 4; threads += 3) {
        pmn_scan_options o = {.row_filters = &eq7, .nrow_filters = 1, .threads = threads};
        read_all(f, &o, n_is_7);
        /* a row filter's column is decoded even when the projection leaves it out */
        int proj[] = {0, 1};
        pmn_scan_options p = {.projection = proj,
                              .nprojection = 2,
                              .row_filters = &isnull,
                              .nrow_filters = 1,
                              .threads = threads};
        pmn_scan *s;
        assert_pmn_ok(pmn_scan_open(f->t, &p, &s));
        int64_t n = 0, want = 0;
        const pmn_datum *r;
        while (pmn_scan_next(s, &r) == 0) {
            assert_true(r[1].is_null);
            assert_true(f->model[r[0].v.i].v_null && f->model[r[0].v.i].live);
            n++;
        }
        pmn_scan_free(s);
        for (int64_t k = 0; k < NKEYS; k++)
            want += f->model[k].live && v_is_null(&f->model[k]);
        assert_int_equal(n, want);
    }
    pmn_filter bad = {.field = 9, .op = PMN_FILTER_IS_NULL};
    pmn_scan_options o = {.row_filters = &bad, .nrow_filters = 1};
    pmn_scan *s = NULL;
    assert_int_equal(pmn_scan_open(f->t, &o, &s), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "column 9"));
}

static void test_count(void **state)
{
    fixture *f = *state;
    int64_t live = 0, sevens = 0;
    for (int64_t k = 0; k < NKEYS; k++) {
        live += f->model[k].live;
        sevens += f->model[k].live && f->model[k].n == 7;
    }
    int none[1];
    pmn_filter eq7 = {.field = 2, .op = PMN_FILTER_EQ, .value = pmn_datum_int(7)};
    for (int threads = 0; threads <= 4; threads += 4) {
        pmn_scan_options keys_only = {.projection = none, .nprojection = 0, .threads = threads};
        pmn_scan_options all = {.threads = threads};
        pmn_scan_options filtered = {.row_filters = &eq7, .nrow_filters = 1, .threads = threads};
        int64_t n;
        pmn_scan *s;
        assert_pmn_ok(pmn_scan_open(f->t, &keys_only, &s));
        assert_pmn_ok(pmn_scan_count(s, &n));
        assert_int_equal(n, live);
        pmn_scan_free(s);
        assert_pmn_ok(pmn_scan_open(f->t, &all, &s));
        assert_pmn_ok(pmn_scan_count(s, &n));
        assert_int_equal(n, live);
        uint64_t files, rows;
        pmn_scan_stats(s, &files, &rows);
        assert_true(files >= BUCKETS && rows >= (uint64_t)live);
        pmn_scan_free(s);
        assert_pmn_ok(pmn_scan_open(f->t, &filtered, &s));
        assert_pmn_ok(pmn_scan_count(s, &n));
        assert_int_equal(n, sevens);
        pmn_scan_free(s);
        /* rows taken first, then the rest counted */
        assert_pmn_ok(pmn_scan_open(f->t, &all, &s));
        const pmn_datum *r;
        for (int i = 0; i < 5; i++)
            assert_pmn_ok(pmn_scan_next(s, &r));
        assert_pmn_ok(pmn_scan_count(s, &n));
        assert_int_equal(n, live - 5);
        pmn_scan_free(s);
    }
}

static void test_early_free_and_auto(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < 20; round++) {
        pmn_scan_options o = {.threads = 4};
        pmn_scan *s;
        assert_pmn_ok(pmn_scan_open(f->t, &o, &s));
        const pmn_datum *r;
        for (int i = 0; i < round * 50; i++)
            assert_pmn_ok(pmn_scan_next(s, &r));
        pmn_scan_free(s); /* threads still filling batches: stopped and joined */
    }
    /* AUTO on a table far below the threshold: one thread, rows in the same order */
    pmn_scan_options serial = {0}, automatic = {.threads = PMN_SCAN_THREADS_AUTO};
    pmn_scan *a, *b;
    assert_pmn_ok(pmn_scan_open(f->t, &serial, &a));
    assert_pmn_ok(pmn_scan_open(f->t, &automatic, &b));
    const pmn_datum *ra, *rb;
    int rca, rcb;
    while ((rca = pmn_scan_next(a, &ra)) == 0) {
        rcb = pmn_scan_next(b, &rb);
        assert_int_equal(rcb, 0);
        assert_int_equal(ra[0].v.i, rb[0].v.i);
    }
    assert_int_equal(rca, PMN_ITEROVER);
    assert_int_equal(pmn_scan_next(b, &rb), PMN_ITEROVER);
    pmn_scan_free(a);
    pmn_scan_free(b);
}

static void test_part_error(void **state)
{
    fixture *f = *state;
    /* a data file vanishes after planning (an expiry racing the read) */
    pmn_scan_options o = {.threads = 3};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(f->t, &o, &s));
    char *bucket = pmn_xasprintf("%s/db.db/t/bucket-2", f->dir);
    char **names = NULL;
    size_t n = 0;
    assert_pmn_ok(pmn_fs_list(bucket, &names, &n));
    assert_true(n > 0);
    char *victim = pmn_xasprintf("%s/%s", bucket, names[0]);
    char *saved = pmn_xasprintf("%s.saved", victim);
    assert_int_equal(rename(victim, saved), 0);
    const pmn_datum *r;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0)
        ;
    assert_true(rc < 0 && rc != PMN_ITEROVER);
    assert_non_null(strstr(pmn_error_last(), "db.t"));
    pmn_scan_free(s);
    assert_int_equal(rename(saved, victim), 0);
    pmn_fs_list_free(names, n);
    free(victim);
    free(saved);
    free(bucket);
}

/* An append table of one bucket (bucket-unaware): its files are split between threads. */
static void test_append_table(void **state)
{
    fixture *f = *state;
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "s", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_kv opts[] = {{"write-only", "true"}}; /* seven files: no small-file merging */
    pmn_table_def def = {.row_type = row, .options = opts, .noptions = 1};
    assert_pmn_ok(pmn_catalog_create_table(f->cat, "db", "log", &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(f->cat, "db", "log", &t));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    const int64_t per = 3000, commits = 7;
    for (int64_t c = 0; c < commits; c++) {
        for (int64_t i = 0; i < per; i++) {
            char v[32];
            int len = snprintf(v, sizeof v, "row-%lld", (long long)(c * per + i));
            pmn_datum r[2] = {pmn_datum_int(c * per + i), pmn_datum_str(v, (uint32_t)len)};
            assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, r));
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c + 1, NULL, 0, &snap));
    }
    pmn_writer_free(w);
    pmn_filter odd_half = {.field = 0, .op = PMN_FILTER_GE, .value = pmn_datum_int(per * 3)};
    for (int threads = 0; threads <= 4; threads += 2) {
        pmn_scan_options o = {.threads = threads, .row_filters = &odd_half, .nrow_filters = 1};
        pmn_scan *s;
        assert_pmn_ok(pmn_scan_open(t, &o, &s));
        bool *seen = pmn_xcalloc((size_t)(per * commits), sizeof *seen);
        const pmn_datum *r;
        int64_t n = 0;
        int rc;
        while ((rc = pmn_scan_next(s, &r)) == 0) {
            int64_t a = r[0].v.i;
            assert_true(a >= per * 3 && a < per * commits);
            assert_false(seen[a]);
            seen[a] = true;
            char v[32];
            int len = snprintf(v, sizeof v, "row-%lld", (long long)a);
            assert_int_equal(r[1].v.bin.len, len);
            assert_memory_equal(r[1].v.bin.ptr, v, (size_t)len);
            n++;
        }
        assert_int_equal(rc, PMN_ITEROVER);
        assert_int_equal(n, per * (commits - 3));
        pmn_scan_free(s);
        free(seen);
        pmn_scan_options c = {.threads = threads};
        assert_pmn_ok(pmn_scan_open(t, &c, &s));
        assert_pmn_ok(pmn_scan_count(s, &n));
        assert_int_equal(n, per * commits);
        uint64_t files;
        pmn_scan_stats(s, &files, NULL);
        assert_int_equal(files, commits);
        pmn_scan_free(s);
    }
    pmn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_read_the_same_rows),
        cmocka_unit_test(test_row_filters),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_early_free_and_auto),
        cmocka_unit_test(test_part_error),
        cmocka_unit_test(test_append_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
