/*
 * tests/unit/test_lake.c
 *
 * The lake engine end to end through the public API (include/pmn/): tables
 * written by Java Paimon read back with the rows their READMEs list; our own
 * tables round-tripped; a model-based run of random upserts, deletes,
 * commits and re-opens checked against an in-memory map after every commit,
 * with time travel to earlier snapshots; and a writer killed with SIGKILL at
 * random points that always leaves a readable table equal to its last commit.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* scan_json: every row of db.table (at snapshot `snap`, 0 = latest) as sorted JSON lines. */
static char *scan_json(const char *warehouse, const char *db, const char *table, int64_t snap)
{
    pmn_catalog *cat;
    pmn_table *t;
    assert_pmn_ok(pmn_catalog_open(warehouse, false, &cat));
    assert_pmn_ok(pmn_table_open(cat, db, table, &t));
    pmn_scan_options o = {.snapshot_id = snap};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    char **lines = NULL;
    size_t n = 0, cap = 0;
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        pmn_buf b = PMN_BUF_INIT;
        pmn_row_to_json(pmn_table_row_type(t), row, &b);
        PMN_GROW(lines, cap, n + 1);
        lines[n++] = (char *)pmn_buf_detach(&b, NULL);
    }
    if (rc != PMN_ITEROVER)
        fail_msg("scan of %s.%s failed: %s", db, table, pmn_error_last());
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *tmp = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = tmp;
        }
    pmn_buf out = PMN_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        pmn_buf_puts(&out, lines[i]);
        pmn_buf_putc(&out, '\n');
        free(lines[i]);
    }
    free(lines);
    pmn_scan_free(s);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return (char *)pmn_buf_detach(&out, NULL);
}

/* assert_table_checks: pmn_table_check finds no violation in db.table. */
static void assert_table_checks(const char *warehouse, const char *db, const char *table)
{
    pmn_catalog *cat;
    pmn_table *t;
    assert_pmn_ok(pmn_catalog_open(warehouse, false, &cat));
    assert_pmn_ok(pmn_table_open(cat, db, table, &t));
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("%s.%s: %zu violations:\n%s", db, table, violations, report);
    free(report);
    pmn_table_free(t);
    pmn_catalog_free(cat);
}

/* ---- Java-written fixtures ---- */

static void test_lake__fixture_pk_with_multiple_type(void **state)
{
    char *wh = pmn_test_fixture("avro_pk_with_multiple_type");
    char *got = scan_json(wh, "pk_with_multiple_type", "pk_with_multiple_type", 0);
    /* README: snapshot 1 adds Alice, Bob, Emily, Tony; snapshot 2 deletes Emily, adds Lucy */
    const char *names[] = {"\"Alice\"", "\"Bob\"", "\"Lucy\"", "\"Tony\""};
    for (size_t i = 0; i < 4; i++)
        assert_non_null(strstr(got, names[i]));
    assert_null(strstr(got, "Emily"));
    size_t lines = 0;
    for (const char *p = got; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    assert_non_null(strstr(got, "\"f10\":\"123.45\""));
    assert_non_null(strstr(got, "\"f9\":\"1970-04-11\"")); /* date 100 */
    free(got);
    /* time travel: snapshot 1 still has Emily and not Lucy */
    got = scan_json(wh, "pk_with_multiple_type", "pk_with_multiple_type", 1);
    assert_non_null(strstr(got, "Emily"));
    assert_null(strstr(got, "Lucy"));
    free(got);
    assert_table_checks(wh, "pk_with_multiple_type", "pk_with_multiple_type");
    free(wh);
}

static void test_lake__fixture_append_multiple(void **state)
{
    char *wh = pmn_test_fixture("avro_append_multiple");
    char *got = scan_json(wh, "append_multiple", "append_multiple", 0);
    size_t lines = 0;
    for (const char *p = got; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    const char *words[] = {"\"one\"", "\"two\"", "\"three\"", "\"four\"", "\"six\"", "\"seven\""};
    for (size_t i = 0; i < 6; i++)
        assert_non_null(strstr(got, words[i]));
    assert_non_null(strstr(got, "\"f9\":\"123.45\""));
    assert_non_null(strstr(got, "\"f10\":\"1970-01-07T00:00:00\""));
    assert_non_null(strstr(got, "\"f15\":\"1970-01-01T00:00:00Z\""));
    free(got);
    got = scan_json(wh, "append_multiple", "append_multiple", 1);
    lines = 0;
    for (const char *p = got; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    free(got);
    assert_table_checks(wh, "append_multiple", "append_multiple");
    free(wh);
}

static void test_lake__fixture_append_simple(void **state)
{
    char *wh = pmn_test_fixture("avro_append_simple");
    char *got = scan_json(wh, "append_simple", "append_simple", 0);
    size_t lines = 0;
    for (const char *p = got; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    assert_non_null(strstr(got, "\"test\""));
    assert_non_null(strstr(got, "{\"key\":123}"));
    assert_non_null(strstr(got, "[1,2,3]"));
    free(got);
    free(wh);
}

/* ---- our own tables ---- */

static pmn_type *orders_type(void)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "order_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "customer", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 0, "amount", pmn_type_decimal(10, 2));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    return row;
}

static pmn_table *create_orders(pmn_catalog *cat, const char *name, const char *bucket)
{
    pmn_type *row = orders_type();
    const char *pk[] = {"order_id"};
    pmn_kv opts[] = {{"bucket", bucket}, {"manifest.merge-min-count", "5"}};
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 1,
                         .options = opts, .noptions = 2};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

/* The model: value per key, or absent. */
typedef struct model {
    int nkeys;
    int32_t *qty;  /* -1 = absent */
} model;

static void put_row(pmn_writer *w, int64_t key, int32_t qty, bool del)
{
    char customer[32];
    int len = snprintf(customer, sizeof customer, "customer-%lld-with-long-name", (long long)key);
    pmn_datum row[4];
    row[0] = pmn_datum_int(key);
    row[1] = pmn_datum_str(customer, (uint32_t)(key % 3 == 0 ? 5 : len));
    row[2].is_null = false;
    row[2].v.dec = (pmn_i128)qty * 125;
    row[3] = qty % 7 == 0 ? pmn_datum_null() : pmn_datum_int(qty);
    assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
}

/* check_model: scan equals the model (key -> qty via amount = qty * 1.25). */
static void check_model(pmn_table *t, const model *m, int64_t snap)
{
    pmn_scan_options o = {.snapshot_id = snap};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    int32_t *seen = pmn_xcalloc((size_t)m->nkeys, sizeof *seen);
    const pmn_datum *row;
    int rc;
    size_t rows = 0;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int64_t key = row[0].v.i;
        assert_true(key >= 0 && key < m->nkeys);
        assert_int_equal(seen[key], 0);
        seen[key] = 1;
        int32_t qty = (int32_t)(row[2].v.dec / 125);
        if (m->qty[key] != qty)
            fail_msg("snapshot %lld key %lld: lake has qty %d, model %d", (long long)snap,
                     (long long)key, qty, m->qty[key]);
        assert_int_equal(row[3].is_null, qty % 7 == 0);
        rows++;
    }
    if (rc != PMN_ITEROVER)
        fail_msg("scan failed: %s", pmn_error_last());
    for (int k = 0; k < m->nkeys; k++)
        if (!seen[k] && m->qty[k] >= 0)
            fail_msg("snapshot %lld: key %d missing from the lake", (long long)snap, k);
    free(seen);
    pmn_scan_free(s);
}

static void test_lake__roundtrip_and_model(void **state)
{
    char *dir = pmn_test_tmpdir("lake-model");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_orders(cat, "orders", "3");
    model m = {.nkeys = 500};
    m.qty = pmn_xmalloc(sizeof *m.qty * (size_t)m.nkeys);
    for (int k = 0; k < m.nkeys; k++)
        m.qty[k] = -1;
    enum { COMMITS = 60 };
    int32_t *history[COMMITS + 1] = {0};
    int64_t snap_of_commit[COMMITS + 1] = {0};
    srand(42);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "model-user", &w));
    for (int c = 1; c <= COMMITS; c++) {
        int batch = 1 + rand() % 200;
        for (int i = 0; i < batch; i++) {
            int64_t key = rand() % m.nkeys;
            bool del = rand() % 4 == 0;
            int32_t qty = rand() % 1000;
            put_row(w, key, qty, del);
            m.qty[key] = del ? -1 : qty;
        }
        int64_t snap;
        char lsn[32];
        snprintf(lsn, sizeof lsn, "%d", c);
        pmn_kv props[] = {{"test.commit", lsn}};
        assert_pmn_ok(pmn_writer_commit(w, c, props, 1, &snap));
        assert_true(snap > 0);
        snap_of_commit[c] = snap;
        history[c] = pmn_xmalloc(sizeof(int32_t) * (size_t)m.nkeys);
        memcpy(history[c], m.qty, sizeof(int32_t) * (size_t)m.nkeys);
        check_model(t, &m, 0);
        if (rand() % 5 == 0) { /* re-open writer, table and catalog */
            pmn_writer_free(w);
            pmn_table_free(t);
            pmn_catalog_free(cat);
            assert_pmn_ok(pmn_catalog_open(dir, false, &cat));
            assert_pmn_ok(pmn_table_open(cat, "db", "orders", &t));
            assert_pmn_ok(pmn_writer_open(t, "model-user", &w));
        }
    }
    /* time travel to random earlier snapshots */
    for (int i = 0; i < 20; i++) {
        int c = 1 + rand() % COMMITS;
        model old = {.nkeys = m.nkeys, .qty = history[c]};
        check_model(t, &old, snap_of_commit[c]);
    }
    pmn_snapshot_info info;
    assert_pmn_ok(pmn_table_snapshot(t, snap_of_commit[COMMITS], &info));
    assert_int_equal(info.commit_identifier, COMMITS);
    assert_string_equal(info.commit_kind, "APPEND");
    assert_int_equal(info.nproperties, 1);
    assert_string_equal(info.properties[0].value, "60");
    pmn_writer_free(w);
    assert_table_checks(dir, "db", "orders");
    for (int c = 1; c <= COMMITS; c++)
        free(history[c]);
    free(m.qty);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- crash safety ---- */

/* The child commits batch c (c = 1, 2, ...) derived from seed c, forever, until killed. */
static void apply_batch(int c, model *m, pmn_writer *w)
{
    unsigned seed = (unsigned)c * 2654435761u;
    int batch = 1 + (int)(rand_r(&seed) % 300);
    for (int i = 0; i < batch; i++) {
        int64_t key = rand_r(&seed) % m->nkeys;
        bool del = rand_r(&seed) % 4 == 0;
        int32_t qty = (int32_t)(rand_r(&seed) % 1000);
        if (w)
            put_row(w, key, qty, del);
        m->qty[key] = del ? -1 : qty;
    }
}

static void test_lake__sigkill_leaves_last_commit(void **state)
{
    char *dir = pmn_test_tmpdir("lake-crash");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_orders(cat, "orders", "2");
    pmn_table_free(t);
    pmn_catalog_free(cat);
    srand(7);
    for (int round = 0; round < 50; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            pmn_catalog *c2;
            pmn_table *t2;
            pmn_writer *w;
            if (pmn_catalog_open(dir, false, &c2) || pmn_table_open(c2, "db", "orders", &t2))
                _exit(3);
            int64_t latest = 0;
            pmn_table_latest_snapshot(t2, &latest);
            int next = 1;
            if (latest > 0) {
                pmn_snapshot_info info;
                if (pmn_table_snapshot(t2, latest, &info))
                    _exit(4);
                next = (int)info.commit_identifier + 1;
            }
            model dummy = {.nkeys = 300};
            dummy.qty = calloc(300, sizeof(int32_t));
            if (pmn_writer_open(t2, "crash-user", &w))
                _exit(5);
            for (int c = next;; c++) {
                apply_batch(c, &dummy, w);
                int64_t snap;
                if (pmn_writer_commit(w, c, NULL, 0, &snap))
                    _exit(6);
            }
        }
        usleep((useconds_t)(1000 + rand() % 40000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status))
            fail_msg("round %d: writer exited with %d: not killed", round, WEXITSTATUS(status));
        /* the table must be readable and equal the model at its last commit */
        assert_pmn_ok(pmn_catalog_open(dir, false, &cat));
        assert_pmn_ok(pmn_table_open(cat, "db", "orders", &t));
        int64_t latest = 0;
        assert_pmn_ok(pmn_table_latest_snapshot(t, &latest));
        model m = {.nkeys = 300};
        m.qty = pmn_xmalloc(sizeof(int32_t) * 300);
        for (int k = 0; k < 300; k++)
            m.qty[k] = -1;
        if (latest > 0) {
            pmn_snapshot_info info;
            assert_pmn_ok(pmn_table_snapshot(t, latest, &info));
            for (int c = 1; c <= info.commit_identifier; c++)
                apply_batch(c, &m, NULL);
        }
        check_model(t, &m, 0);
        free(m.qty);
        pmn_table_free(t);
        pmn_catalog_free(cat);
    }
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* ---- errors ---- */

static void test_lake__missing_manifest_is_a_clear_error(void **state)
{
    char *dir = pmn_test_tmpdir("lake-corrupt");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_orders(cat, "orders", "1");
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    put_row(w, 1, 10, false);
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, 1, NULL, 0, &snap));
    pmn_writer_free(w);
    /* remove the manifests: the scan must name a missing file */
    char *mdir = pmn_xasprintf("%s/db.db/orders/manifest", dir);
    char **names;
    size_t n;
    assert_pmn_ok(pmn_fs_list(mdir, &names, &n));
    for (size_t i = 0; i < n; i++) {
        if (strncmp(names[i], "manifest-list", 13) != 0) {
            char *p = pmn_path_join(mdir, names[i]);
            pmn_fs_remove(p);
            free(p);
        }
    }
    pmn_fs_list_free(names, n);
    pmn_scan *s = NULL;
    int rc = pmn_scan_open(t, NULL, &s);
    assert_int_equal(rc, PMN_ENOTFOUND);
    assert_non_null(strstr(pmn_error_last(), "manifest-"));
    free(mdir);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lake__fixture_pk_with_multiple_type),
        cmocka_unit_test(test_lake__fixture_append_multiple),
        cmocka_unit_test(test_lake__fixture_append_simple),
        cmocka_unit_test(test_lake__roundtrip_and_model),
        cmocka_unit_test(test_lake__sigkill_leaves_last_commit),
        cmocka_unit_test(test_lake__missing_manifest_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
