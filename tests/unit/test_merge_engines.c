/*
 * tests/unit/test_merge_engines.c
 *
 * Merge engines other than plain deduplicate (paimon-format.md §5.4), in the
 * writer (the versions of a key in one commit) and the reader (across files):
 * first-row keeps the first version (deletes ignored), partial-update keeps
 * each column's newest non-null value (deletes refused, ignored with
 * ignore-delete, starting the row over with
 * partial-update.remove-record-on-delete), deduplicate with ignore-delete
 * skips deletes; aggregation and sequence.field are refused with a clear
 * error instead of being read as deduplicate.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct env {
    char *dir;
    pmn_catalog *cat;
    pmn_table *t;
} env;

static void open_env(env *e, const char *name, const pmn_kv *opts, size_t nopts)
{
    e->dir = pmn_test_tmpdir(name);
    assert_pmn_ok(pmn_catalog_open(e->dir, true, &e->cat));
    pmn_catalog_create_database(e->cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "c", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv all[8] = {{"bucket", "1"}};
    size_t n = 1;
    for (size_t i = 0; i < nopts; i++)
        all[n++] = opts[i];
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = all, .noptions = n};
    assert_pmn_ok(pmn_catalog_create_table(e->cat, "db", "t", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(e->cat, "db", "t", &e->t));
}

static void close_env(env *e)
{
    pmn_table_free(e->t);
    pmn_catalog_free(e->cat);
    pmn_fs_remove_tree(e->dir);
    free(e->dir);
}

enum { NUL = -1 };

static pmn_datum iv(int v)
{
    return v == NUL ? pmn_datum_null() : pmn_datum_int(v);
}

/* write: one record (kind, id, a, b, c) */
static int put(pmn_writer *w, pmn_row_kind kind, int id, int a, int b, int c)
{
    pmn_datum row[4] = {pmn_datum_int(id), iv(a), iv(b), iv(c)};
    return pmn_writer_write(w, kind, row);
}

static void commit(pmn_writer *w, int64_t ident)
{
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ident, NULL, 0, &snap));
}

/* rows: "id:a,b,c " of every row (NULL as -) */
static char *rows(pmn_table *t)
{
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    char *out = pmn_xstrdup("");
    const pmn_datum *r;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        char f[3][16];
        for (int i = 0; i < 3; i++) {
            if (r[i + 1].is_null)
                snprintf(f[i], sizeof f[i], "-");
            else
                snprintf(f[i], sizeof f[i], "%lld", (long long)r[i + 1].v.i);
        }
        char *next = pmn_xasprintf("%s%lld:%s,%s,%s ", out, (long long)r[0].v.i, f[0], f[1], f[2]);
        free(out);
        out = next;
    }
    if (rc != PMN_ITEROVER)
        fail_msg("scan: %s", pmn_error_last());
    pmn_scan_free(s);
    return out;
}

static void expect_rows(pmn_table *t, const char *want)
{
    char *got = rows(t);
    if (strcmp(got, want))
        fail_msg("got '%s', expected '%s'", got, want);
    free(got);
}

static void test_engines__first_row(void **state)
{
    (void)state;
    env e;
    pmn_kv o[] = {{"merge-engine", "first-row"}};
    open_env(&e, "eng-first", o, 1);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(e.t, NULL, &w));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 10, 11, 12));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 3, 30, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 3, 31, NUL, NUL)); /* same commit: the first stays */
    commit(w, 1);
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 19, 19, 19));    /* later commit: ignored */
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 3, NUL, NUL, NUL)); /* deletes are ignored */
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 4, NUL, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 4, 40, 41, 42)); /* first non-delete version */
    commit(w, 2);
    pmn_writer_free(w);
    expect_rows(e.t, "1:10,11,12 3:30,-,- 4:40,41,42 ");
    close_env(&e);
}

static void test_engines__partial_update(void **state)
{
    (void)state;
    env e;
    pmn_kv o[] = {{"merge-engine", "partial-update"}};
    open_env(&e, "eng-partial", o, 1);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(e.t, NULL, &w));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 10, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 2, 20, 21, NUL));
    commit(w, 1);
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, NUL, 11, NUL));
    commit(w, 2);
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, NUL, NUL, 12)); /* one commit, merged at flush */
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 13, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_UPDATE_AFTER, 2, NUL, 22, 23));
    commit(w, 3);
    expect_rows(e.t, "1:13,11,12 2:20,22,23 ");
    /* a delete is refused by default, as Java's partial-update does */
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 2, NUL, NUL, NUL));
    int64_t snap;
    assert_int_equal(pmn_writer_commit(w, 4, NULL, 0, &snap), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "partial-update"));
    pmn_writer_free(w);
    close_env(&e);
}

static void test_engines__partial_update_deletes(void **state)
{
    (void)state;
    env e;
    pmn_kv o[] = {{"merge-engine", "partial-update"},
                  {"partial-update.remove-record-on-delete", "true"}};
    open_env(&e, "eng-partial-del", o, 2);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(e.t, NULL, &w));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 10, 11, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 2, 20, 21, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 3, 30, NUL, NUL));
    commit(w, 1);
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 1, NUL, NUL, NUL));        /* removed */
    assert_pmn_ok(put(w, PMN_ROW_UPDATE_BEFORE, 3, NUL, NUL, NUL)); /* -U: no effect */
    assert_pmn_ok(put(w, PMN_ROW_UPDATE_AFTER, 3, NUL, 31, NUL));
    commit(w, 2);
    expect_rows(e.t, "2:20,21,- 3:30,31,- ");
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, NUL, NUL, 12)); /* starts over */
    commit(w, 3);
    pmn_writer_free(w);
    expect_rows(e.t, "1:-,-,12 2:20,21,- 3:30,31,- ");
    close_env(&e);
    /* ignore-delete: deletes are dropped */
    pmn_kv o2[] = {{"merge-engine", "partial-update"}, {"ignore-delete", "true"}};
    open_env(&e, "eng-partial-ign", o2, 2);
    assert_pmn_ok(pmn_writer_open(e.t, NULL, &w));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 10, NUL, NUL));
    commit(w, 1);
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 1, NUL, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, NUL, 11, NUL));
    commit(w, 2);
    pmn_writer_free(w);
    expect_rows(e.t, "1:10,11,- ");
    close_env(&e);
}

static void test_engines__deduplicate_ignore_delete(void **state)
{
    (void)state;
    env e;
    pmn_kv o[] = {{"ignore-delete", "true"}};
    open_env(&e, "eng-dedup-ign", o, 1);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(e.t, NULL, &w));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 1, 10, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 2, 20, NUL, NUL));
    commit(w, 1);
    assert_pmn_ok(put(w, PMN_ROW_DELETE, 1, NUL, NUL, NUL));
    assert_pmn_ok(put(w, PMN_ROW_INSERT, 2, 22, NUL, NUL));
    commit(w, 2);
    pmn_writer_free(w);
    expect_rows(e.t, "1:10,-,- 2:22,-,- ");
    close_env(&e);
}

static void test_engines__refused(void **state)
{
    (void)state;
    const char *what[][2] = {
        {"merge-engine", "aggregation"}, {"sequence.field", "a"}, {"fields.b.sequence-group", "c"}};
    for (int i = 0; i < 3; i++) {
        env e;
        pmn_kv o[] = {{what[i][0], what[i][1]}, {"merge-engine", "partial-update"}};
        open_env(&e, "eng-refused", o, i == 2 ? 2 : 1);
        pmn_scan *s;
        assert_int_equal(pmn_scan_open(e.t, NULL, &s), PMN_EINVALID);
        assert_non_null(strstr(pmn_error_last(), what[i][0]));
        assert_non_null(strstr(pmn_error_last(), "Java Paimon"));
        close_env(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engines__first_row),
        cmocka_unit_test(test_engines__partial_update),
        cmocka_unit_test(test_engines__partial_update_deletes),
        cmocka_unit_test(test_engines__deduplicate_ignore_delete),
        cmocka_unit_test(test_engines__refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
