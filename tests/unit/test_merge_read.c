/*
 * tests/unit/test_merge_read.c
 *
 * The k-way merge of a primary-key bucket's sorted runs (mergetree/merge_heap,
 * key-first decoding in format/data_file): with many overlapping level-0
 * files (write-only, no compaction) a scan returns exactly the newest version
 * of every live key, for composite keys whose first column is a string with
 * long shared prefixes (the 8-byte prefix ties), integer keys including
 * negative ones, and values of every common shape (nullable strings,
 * decimals, doubles, booleans, arrays) that losers skip undecoded; the same
 * rows after a full compaction; and through an older schema's files (a column
 * added later reads as NULL).
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NA = 7, NB = 9 };

/* model of (a, b) -> value, a in 0..NA-1, b in -4..NB-5 */
typedef struct version {
    bool live;
    int64_t n;
    bool s_null;
    int32_t pick;
} version;

static version model[NA][NB];

static const char *a_name(int a, char *buf, size_t cap)
{
    /* shared 12-byte prefix: the merge's 8-byte prefixes tie and the full compare decides */
    snprintf(buf, cap, "customer-000%d%s", a, a % 2 ? "x" : "");
    return buf;
}

static pmn_type *row_type(bool with_extra)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "a", pmn_type_varchar(INT32_MAX));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "n", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "s", pmn_type_varchar(INT32_MAX));
    pmn_type_row_add(row, 0, "d", pmn_type_decimal(12, 3));
    pmn_type_row_add(row, 0, "f", pmn_type_new(PMN_TYPE_DOUBLE));
    pmn_type_row_add(row, 0, "ok", pmn_type_new(PMN_TYPE_BOOLEAN));
    pmn_type_row_add(row, 0, "tags", pmn_type_array(pmn_type_new(PMN_TYPE_INT)));
    if (with_extra)
        pmn_type_row_add(row, 0, "extra", pmn_type_varchar(INT32_MAX));
    return row;
}

static void fill(pmn_datum *v, int a, int b, const version *x, char *abuf, char *sbuf,
                 pmn_datum *items, int nfields)
{
    a_name(a, abuf, 32);
    v[0] = pmn_datum_str(abuf, (uint32_t)strlen(abuf));
    v[1] = pmn_datum_int(b);
    v[2] = pmn_datum_int(x->n);
    snprintf(sbuf, 32, "s%lld", (long long)x->n);
    v[3] = x->s_null ? pmn_datum_null() : pmn_datum_str(sbuf, (uint32_t)strlen(sbuf));
    v[4].is_null = false;
    v[4].v.dec = (pmn_i128)x->n * 1000 + 7;
    v[5].is_null = false;
    v[5].v.f8 = (double)x->n / 4.0;
    v[6].is_null = false;
    v[6].v.b = x->n % 2 == 0;
    for (int i = 0; i < x->pick; i++)
        items[i] = pmn_datum_int(x->n + i);
    v[7].is_null = false;
    v[7].v.list.items = items;
    v[7].v.list.n = (uint32_t)x->pick;
    if (nfields > 8)
        v[8] = pmn_datum_null();
}

static void write_rounds(pmn_table *t, int rounds, int nfields, int64_t *counter)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    for (int r = 0; r < rounds; r++) {
        int nops = 5 + rand() % 30;
        for (int i = 0; i < nops; i++) {
            int a = rand() % NA, bi = rand() % NB;
            version x = {.live = rand() % 6 != 0,
                         .n = (*counter)++,
                         .s_null = rand() % 3 == 0,
                         .pick = rand() % 4};
            pmn_datum v[9], items[4];
            char abuf[32], sbuf[32];
            fill(v, a, bi - 4, &x, abuf, sbuf, items, nfields);
            assert_pmn_ok(pmn_writer_write(w, x.live ? PMN_ROW_INSERT : PMN_ROW_DELETE, v));
            model[a][bi] = x;
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, r + 1, NULL, 0, &snap));
    }
    pmn_writer_free(w);
}

static void check_scan(pmn_table *t, int nfields, size_t *files)
{
    bool seen[NA][NB];
    memset(seen, 0, sizeof seen);
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    int rc;
    size_t n = 0;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int a = -1;
        for (int i = 0; i < NA; i++) {
            char buf[32];
            a_name(i, buf, sizeof buf);
            if (row[0].v.bin.len == strlen(buf) && !memcmp(row[0].v.bin.ptr, buf, strlen(buf)))
                a = i;
        }
        assert_true(a >= 0);
        int bi = (int)row[1].v.i + 4;
        assert_true(bi >= 0 && bi < NB);
        assert_false(seen[a][bi]);
        seen[a][bi] = true;
        const version *x = &model[a][bi];
        if (!x->live)
            fail_msg("key (%d, %d) is deleted but read with n = %lld", a, bi - 4,
                     (long long)row[2].v.i);
        pmn_datum v[9], items[4];
        char abuf[32], sbuf[32];
        fill(v, a, bi - 4, x, abuf, sbuf, items, nfields);
        const pmn_type *rt = pmn_table_row_type(t);
        for (int f = 0; f < nfields; f++)
            if (!pmn_datum_equal(rt->fields[f].type, &row[f], &v[f]))
                fail_msg("key (%d, %d): field %s differs (n = %lld, expected %lld)", a, bi - 4,
                         rt->fields[f].name, (long long)row[2].v.i, (long long)x->n);
        n++;
    }
    assert_int_equal(rc, PMN_ITEROVER);
    size_t live = 0;
    for (int a = 0; a < NA; a++)
        for (int b = 0; b < NB; b++)
            live += model[a][b].live;
    assert_int_equal(n, live);
    uint64_t nf = 0;
    pmn_scan_stats(s, &nf, NULL);
    if (files)
        *files = (size_t)nf;
    pmn_scan_free(s);
}

static void test_merge__overlapping_runs(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("merge-read");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_catalog_create_database(cat, "db", true);
    pmn_type *row = row_type(false);
    const char *keys[] = {"a", "b"};
    pmn_kv opts[] = {{"bucket", "2"}, {"write-only", "true"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 2, .options = opts, .noptions = 2};
    assert_pmn_ok(pmn_catalog_create_table(cat, "db", "m", &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "db", "m", &t));
    memset(model, 0, sizeof model);
    srand(5);
    int64_t counter = -1000; /* negative values too */
    write_rounds(t, 25, 8, &counter);
    size_t files = 0;
    check_scan(t, 8, &files);
    assert_true(files > 20); /* many overlapping runs were merged */
    /* a column added later: the old files read it as NULL, new rows carry NULL too */
    pmn_type *extra = pmn_type_varchar(INT32_MAX);
    pmn_schema_change add = {.kind = PMN_SCHEMA_ADD_COLUMN, .name = "extra", .type = extra};
    assert_pmn_ok(pmn_table_alter(t, &add, 1));
    pmn_type_free(extra);
    write_rounds(t, 10, 9, &counter);
    check_scan(t, 9, NULL);
    /* the same rows after a full compaction */
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    assert_true(snap > 0);
    check_scan(t, 9, &files);
    assert_int_equal(files, 2);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge__overlapping_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
