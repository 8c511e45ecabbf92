/*
 * tests/unit/test_scan_evolution.c
 *
 * The batch reader through table/file_layout.c: files of an older schema
 * (a column widened INT -> BIGINT, one renamed, one added later) read through
 * the current one under every projection (all columns, one value column, two,
 * none: keys only), with one thread and with parallel parts (each part keeps
 * its own layout cache), for a primary-key and an append table. Unprojected
 * columns read as NULL; the rest equal a model.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NROWS = 150, NCOL = 5 }; /* id, a, bb (was b), s, c (added) */

typedef struct model_row {
    bool present; /* written in this version */
    int64_t a, bb;
    char s[16];
    bool c_null;
    int64_t c;
} model_row;

static void write_version(pmn_table *t, model_row *m, int from, int to, int version, int64_t ident)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "u", &w));
    for (int i = from; i < to; i++) {
        model_row *r = &m[i];
        r->present = true;
        r->a = version ? i + 3000000000LL : i; /* after widening: beyond INT */
        r->bb = (int64_t)i * (version + 2);
        snprintf(r->s, sizeof r->s, "v%d-%d", version, i);
        r->c_null = version == 0;
        r->c = version ? i * 7 : 0;
        if (version == 0) {
            pmn_datum row[4] = {pmn_datum_int(i), pmn_datum_int(r->a), pmn_datum_int(r->bb),
                                pmn_datum_str(r->s, (uint32_t)strlen(r->s))};
            assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
        } else {
            pmn_datum row[NCOL] = {pmn_datum_int(i), pmn_datum_int(r->a), pmn_datum_int(r->bb),
                                   pmn_datum_str(r->s, (uint32_t)strlen(r->s)),
                                   pmn_datum_int(r->c)};
            assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
        }
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ident, NULL, 0, &snap));
    pmn_writer_free(w);
}

/* matches: the projected columns of r equal model row x */
static bool matches(const pmn_datum *r, const bool *projected, const model_row *x)
{
    if (!x->present)
        return false;
    for (int c = 1; c <= 3; c++)
        if (projected[c] && r[c].is_null)
            return false;
    if (projected[1] && r[1].v.i != x->a)
        return false;
    if (projected[2] && r[2].v.i != x->bb)
        return false;
    if (projected[3] &&
        (r[3].v.bin.len != strlen(x->s) || memcmp(r[3].v.bin.ptr, x->s, strlen(x->s))))
        return false;
    if (projected[4] && (r[4].is_null != x->c_null || (!x->c_null && r[4].v.i != x->c)))
        return false;
    return true;
}

/* check: a scan with the projection proj (n columns; NULL = all) and threads equals the model:
 * m[1] holds the rows written after the schema change, m[0] those before (a primary-key
 * table reads the newest version of a key; an append table every version) */
static void check(pmn_table *t, model_row (*m)[NROWS], const int *proj, size_t nproj, int threads,
                  bool pk, int64_t want_rows)
{
    bool projected[NCOL] = {0};
    for (int i = 0; i < NCOL; i++)
        projected[i] = proj == NULL;
    for (size_t i = 0; i < nproj; i++)
        projected[proj[i]] = true;
    projected[0] = projected[0] || pk;
    pmn_scan_options o = {.projection = proj, .nprojection = nproj, .threads = threads};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    const pmn_datum *r;
    int rc;
    int64_t rows = 0;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        rows++;
        for (int c = 0; c < NCOL; c++)
            if (!projected[c] && !r[c].is_null)
                fail_msg("column %d is not projected but reads a value", c);
        if (!projected[0])
            continue; /* the append table's keys-only case: the count says enough */
        int64_t id = r[0].v.i;
        assert_false(r[0].is_null);
        assert_true(id >= 0 && id < NROWS);
        bool newest = matches(r, projected, m[1][id].present ? &m[1][id] : &m[0][id]);
        if (!newest && (pk || !matches(r, projected, &m[0][id])))
            fail_msg("row id %lld differs from the model", (long long)id);
    }
    if (rc != PMN_ITEROVER)
        fail_msg("scan: %s", pmn_error_last());
    pmn_scan_free(s);
    assert_int_equal(rows, want_rows);
}

static void run(bool pk)
{
    char *dir = pmn_test_tmpdir(pk ? "scan-evo-pk" : "scan-evo-append");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_catalog_create_database(cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "s", pmn_type_varchar(INT32_MAX));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "4"}, {"write-only", "true"}, {"bucket-key", "id"}};
    pmn_table_def def = {.row_type = row,
                         .primary_keys = pk ? keys : NULL,
                         .nprimary_keys = pk ? 1 : 0,
                         .options = opts,
                         .noptions = pk ? 2 : 3};
    assert_pmn_ok(pmn_catalog_create_table(cat, "db", "t", &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "db", "t", &t));
    model_row m[2][NROWS];
    memset(m, 0, sizeof m);
    write_version(t, m[0], 0, 100, 0, 1);

    pmn_type *big = pmn_type_new(PMN_TYPE_BIGINT);
    pmn_schema_change ch[] = {
        {.kind = PMN_SCHEMA_UPDATE_COLUMN_TYPE, .name = "a", .type = big},
        {.kind = PMN_SCHEMA_RENAME_COLUMN, .name = "b", .new_name = "bb"},
        {.kind = PMN_SCHEMA_ADD_COLUMN, .name = "c", .type = big},
    };
    assert_pmn_ok(pmn_table_alter(t, ch, 3));
    pmn_type_free(big);
    write_version(t, m[1], 50, NROWS, 1, 2);

    int64_t want = pk ? NROWS : 100 + (NROWS - 50);
    const int one[] = {1}, two[] = {2, 4}, keys_only[] = {0}, strs[] = {3, 4};
    int threads[] = {1, 4};
    for (int k = 0; k < 2; k++) {
        check(t, m, NULL, 0, threads[k], pk, want);
        check(t, m, one, 1, threads[k], pk, want);
        check(t, m, two, 2, threads[k], pk, want);
        check(t, m, keys_only, 1, threads[k], pk, want);
        check(t, m, strs, 2, threads[k], pk, want);
    }
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_scan_evolution__pk(void **state)
{
    (void)state;
    run(true);
}

static void test_scan_evolution__append(void **state)
{
    (void)state;
    run(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_evolution__pk),
        cmocka_unit_test(test_scan_evolution__append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
