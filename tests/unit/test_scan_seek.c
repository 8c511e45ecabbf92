/*
 * tests/unit/test_scan_seek.c
 *
 * Key-bounded reads of primary-key tables (src/table/scan.c, the block
 * binary search of src/format/data_file.c): a scan filtered by the first key
 * column must return exactly the rows a full scan returns for that key or
 * range, for keys present, absent, deleted by a later -D, re-inserted, first
 * and last of the table, and first/last of an Avro block, across
 * non-overlapping files of the top level and overlapping level-0 files; a
 * compound key whose first column spans many blocks; and the block counter
 * shows that a point lookup reads one file and O(log blocks) blocks; the
 * writer's lookup in its spilled, uncommitted files.
 */
#include "testutil.h"

#include "change/datum.h"
#include "format/data_file.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NKEYS 24000

/* A table row: k BIGINT key, v STRING (long, so a block holds a few hundred rows), n INT. */
typedef struct ref_row {
    bool live;
    int32_t n;
    char v[192];
} ref_row;

static pmn_table *create_table(pmn_catalog *cat, const char *name, const char *compression)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "k", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "v", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 0, "n", pmn_type_new(PMN_TYPE_INT));
    const char *pk[] = {"k"};
    pmn_kv opts[] = {{"bucket", "1"},
                     {"write-only", "true"},
                     {"file.compression", compression},
                     {"target-file-size", "400kb"}};
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 1,
                         .options = opts, .noptions = 4};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

static void put(pmn_writer *w, int64_t k, int32_t n, bool del)
{
    char v[192];
    int len = snprintf(v, sizeof v,
                       "value-%lld-%d-padding-padding-padding-padding-padding-padding-padding-"
                       "padding-padding-padding-padding-padding-padding-%d",
                       (long long)k, n, (int)(k * 7919 % 1000));
    pmn_datum row[3] = {pmn_datum_int(k), pmn_datum_str(v, (uint32_t)len), pmn_datum_int(n)};
    assert_pmn_ok(pmn_writer_write(w, del ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
}

static void commit(pmn_writer *w, int64_t id)
{
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, id, NULL, 0, &snap));
    assert_true(snap > 0);
}

/* full_scan: the table's merged rows by key (index = key; keys outside [0, NKEYS) fail). */
static ref_row *full_scan(pmn_table *t)
{
    ref_row *ref = pmn_xcalloc(NKEYS, sizeof *ref);
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *r;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        assert_true(r[0].v.i >= 0 && r[0].v.i < NKEYS);
        ref_row *x = &ref[r[0].v.i];
        assert_false(x->live);
        x->live = true;
        x->n = (int32_t)r[2].v.i;
        assert_true(r[1].v.bin.len < sizeof x->v);
        memcpy(x->v, r[1].v.bin.ptr, r[1].v.bin.len);
    }
    assert_int_equal(rc, PMN_ITEROVER);
    pmn_scan_free(s);
    return ref;
}

static bool in_range(int64_t k, int64_t lo, bool lo_inc, int64_t hi, bool hi_inc)
{
    return (k > lo || (lo_inc && k == lo)) && (k < hi || (hi_inc && k == hi));
}

/* check_range: the rows of a scan filtered by lo </<= k </<= hi (each bound optional via
 * INT64_MIN / INT64_MAX) that satisfy the bounds are exactly the full scan's rows in range. */
static void check_range(pmn_table *t, const ref_row *ref, int64_t lo, bool lo_inc, int64_t hi,
                        bool hi_inc, bool as_eq)
{
    pmn_filter f[2];
    size_t nf = 0;
    if (as_eq) {
        f[nf++] = (pmn_filter){.field = 0, .op = PMN_FILTER_EQ, .value = pmn_datum_int(lo)};
    } else {
        if (lo != INT64_MIN)
            f[nf++] = (pmn_filter){.field = 0, .op = lo_inc ? PMN_FILTER_GE : PMN_FILTER_GT,
                                   .value = pmn_datum_int(lo)};
        if (hi != INT64_MAX)
            f[nf++] = (pmn_filter){.field = 0, .op = hi_inc ? PMN_FILTER_LE : PMN_FILTER_LT,
                                   .value = pmn_datum_int(hi)};
    }
    pmn_scan_options o = {.filters = f, .nfilters = nf};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    bool *seen = pmn_xcalloc(NKEYS, sizeof *seen);
    const pmn_datum *r;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        int64_t k = r[0].v.i;
        if (!in_range(k, lo, lo_inc, hi, hi_inc))
            continue; /* filters only prune; callers re-check */
        assert_true(k >= 0 && k < NKEYS);
        const ref_row *x = &ref[k];
        if (!x->live)
            fail_msg("range [%lld %lld]: key %lld returned, full scan has none", (long long)lo,
                     (long long)hi, (long long)k);
        assert_false(seen[k]);
        seen[k] = true;
        assert_int_equal(r[2].v.i, x->n);
        assert_int_equal(r[1].v.bin.len, strlen(x->v));
        assert_memory_equal(r[1].v.bin.ptr, x->v, r[1].v.bin.len);
    }
    assert_int_equal(rc, PMN_ITEROVER);
    for (int64_t k = 0; k < NKEYS; k++)
        if (ref[k].live && in_range(k, lo, lo_inc, hi, hi_inc) && !seen[k])
            fail_msg("range [%lld %lld]: key %lld missing (full scan has it)", (long long)lo,
                     (long long)hi, (long long)k);
    free(seen);
    pmn_scan_free(s);
}

static void check_key(pmn_table *t, const ref_row *ref, int64_t k)
{
    check_range(t, ref, k, true, k, true, true);
}

/* block_edges: keys that open and close an Avro block in the table's live data files. */
static size_t block_edges(pmn_table *t, int64_t *out, size_t max)
{
    pmn_plan *plan;
    assert_pmn_ok(pmn_plan_open(t, 0, &plan));
    size_t n = 0;
    for (size_t i = 0; i < plan->nfiles; i++) {
        const pmn_manifest_entry *e = &plan->files[i];
        char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
        char *path = pmn_xasprintf("%s/%s", dir, e->file.file_name);
        pmn_data_file_reader *r;
        assert_pmn_ok(pmn_data_file_reader_open(path, pmn_table_row_type(t), true, &r));
        const pmn_datum *vals;
        int64_t seq, prev = -1;
        int32_t kind;
        uint64_t blocks = 0;
        while (pmn_data_file_reader_next(r, &vals, &seq, &kind) == 0) {
            if (pmn_data_file_reader_blocks(r) != blocks) {
                blocks = pmn_data_file_reader_blocks(r);
                if (n + 2 <= max) {
                    out[n++] = vals[0].v.i;
                    if (prev >= 0)
                        out[n++] = prev;
                }
            }
            prev = vals[0].v.i;
        }
        if (prev >= 0 && n < max)
            out[n++] = prev;
        pmn_data_file_reader_free(r);
        free(path);
        free(dir);
    }
    pmn_plan_free(plan);
    return n;
}

static void run_layout(const char *compression)
{
    char *dir = pmn_test_tmpdir(compression);
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "seek", compression);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "test", &w));
    /* 1: even keys, fully compacted into several non-overlapping top-level files */
    for (int64_t k = 0; k < NKEYS; k += 2)
        put(w, k, 1, false);
    commit(w, 1);
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    /* 2: odd keys below 2000 and an update of every sixth key: a level-0 file */
    for (int64_t k = 0; k < NKEYS; k++)
        if ((k % 2 == 1 && k < 2000) || k % 6 == 0)
            put(w, k, 2, false);
    commit(w, 2);
    /* 3: deletes of every tenth key (some never existed) and of the first and last */
    for (int64_t k = 0; k < NKEYS; k += 10)
        put(w, k, 3, true);
    put(w, NKEYS - 2, 3, true);
    commit(w, 3);
    /* 4: some deleted keys come back */
    for (int64_t k = 0; k < NKEYS; k += 1000)
        put(w, k, 4, false);
    commit(w, 4);
    pmn_writer_free(w);
    assert_pmn_ok(pmn_table_reload(t));

    /* the layout the test is about: several top-level files and overlapping level-0 files */
    pmn_plan *plan;
    assert_pmn_ok(pmn_plan_open(t, 0, &plan));
    size_t top = 0, l0 = 0;
    for (size_t i = 0; i < plan->nfiles; i++) {
        if (plan->files[i].file.level == 0)
            l0++;
        else
            top++;
    }
    pmn_plan_free(plan);
    assert_true(top >= 3);
    assert_true(l0 >= 3);

    ref_row *ref = full_scan(t);
    assert_true(ref[1000].live && ref[1000].n == 4); /* deleted, then re-inserted */
    assert_false(ref[10].live);                      /* a -D above hides level-max's row */
    assert_false(ref[NKEYS - 2].live);
    assert_true(ref[12].live && ref[12].n == 2);

    int64_t probes[] = {0, 1, 2, 3, 4, 6, 10, 12, 20, 999, 1000, 1001, 1999, 2000, 2001, 2002,
                        5000, 5001, 12345, 12346, 20000, NKEYS - 4, NKEYS - 3, NKEYS - 2,
                        NKEYS - 1, -1, NKEYS + 5};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        check_key(t, ref, probes[i]);
    int64_t *edges = pmn_xcalloc(4096, sizeof *edges);
    size_t nedges = block_edges(t, edges, 4096);
    assert_true(nedges > 40); /* many blocks: the search has something to bisect */
    for (size_t i = 0; i < nedges; i++) {
        check_key(t, ref, edges[i]);
        check_key(t, ref, edges[i] + 1);
        check_key(t, ref, edges[i] - 1);
    }
    /* narrow and open ranges, bounds inclusive and exclusive, on block edges too */
    for (size_t i = 0; i < nedges; i += 37) {
        int64_t e = edges[i];
        check_range(t, ref, e, true, e + 30, false, false);
        check_range(t, ref, e, false, e + 3, true, false);
        check_range(t, ref, e - 5, false, e, true, false);
    }
    check_range(t, ref, 23000, true, INT64_MAX, false, false);
    check_range(t, ref, INT64_MIN, false, 40, true, false);
    check_range(t, ref, NKEYS - 10, false, INT64_MAX, false, false);
    check_range(t, ref, -100, true, 3, true, false);
    free(edges);
    free(ref);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_seek__same_rows_as_full_scan_zstd(void **state)
{
    (void)state;
    run_layout("zstd");
}

static void test_seek__same_rows_as_full_scan_uncompressed(void **state)
{
    (void)state;
    run_layout("none");
}

/* One file of many blocks: a lookup opens it alone and decodes O(log blocks) blocks. */
static void test_seek__lookup_reads_few_blocks(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("seek-count");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "count", "zstd");
    const pmn_kv big = {"target-file-size", "128mb"};
    pmn_schema_change ch = {.kind = PMN_SCHEMA_SET_OPTION, .key = big.key, .value = big.value};
    assert_pmn_ok(pmn_table_alter(t, &ch, 1));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "test", &w));
    for (int64_t k = 0; k < NKEYS; k++)
        put(w, k, 1, false);
    commit(w, 1);
    pmn_writer_free(w);

    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *r;
    while (pmn_scan_next(s, &r) == 0)
        ;
    uint64_t all_blocks = pmn_scan_blocks_read(s), files, rows;
    pmn_scan_stats(s, &files, &rows);
    pmn_scan_free(s);
    assert_int_equal(files, 1);
    assert_int_equal(rows, NKEYS);
    assert_true(all_blocks >= 40);
    unsigned log2 = 0;
    while ((1ull << log2) < all_blocks)
        log2++;

    int64_t keys[] = {0, 1, 7777, 12000, NKEYS / 2 + 1, NKEYS - 1};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        pmn_filter f = {.field = 0, .op = PMN_FILTER_EQ, .value = pmn_datum_int(keys[i])};
        pmn_scan_options o = {.filters = &f, .nfilters = 1};
        assert_pmn_ok(pmn_scan_open(t, &o, &s));
        int found = 0, rc;
        while ((rc = pmn_scan_next(s, &r)) == 0)
            found += r[0].v.i == keys[i];
        assert_int_equal(rc, PMN_ITEROVER);
        assert_int_equal(found, 1);
        uint64_t blocks = pmn_scan_blocks_read(s);
        pmn_scan_stats(s, &files, &rows);
        pmn_scan_free(s);
        assert_int_equal(files, 1);
        /* probes of the search, then the block holding the key (and the next at most) */
        if (blocks > log2 + 3)
            fail_msg("lookup of %lld decoded %llu of %llu blocks", (long long)keys[i],
                     (unsigned long long)blocks, (unsigned long long)all_blocks);
        assert_true(rows * 8 < NKEYS);
    }
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* Compound key (a, b): a bound on a alone must not skip earlier blocks holding the same a. */
static void test_seek__compound_key_first_column(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("seek-compound");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "v", pmn_type_new(PMN_TYPE_VARCHAR));
    const char *pk[] = {"a", "b"};
    pmn_kv opts[] = {{"bucket", "1"}, {"write-only", "true"}};
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 2,
                         .options = opts, .noptions = 2};
    pmn_catalog_create_database(cat, "db", true);
    assert_pmn_ok(pmn_catalog_create_table(cat, "db", "c", &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "db", "c", &t));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "test", &w));
    const int per_a = 3000, na = 6;
    for (int i = 0; i < per_a * na; i++) {
        char v[128];
        int len = snprintf(v, sizeof v, "compound-%d-padding-padding-padding-padding-padding", i);
        pmn_datum r[3] = {pmn_datum_int(i / per_a), pmn_datum_int(i % per_a),
                          pmn_datum_str(v, (uint32_t)len)};
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, r));
    }
    commit(w, 1);
    pmn_writer_free(w);
    struct {
        pmn_filter_op op;
        int32_t a;
        int expect;
    } cases[] = {{PMN_FILTER_EQ, 2, per_a},       {PMN_FILTER_GE, 2, 4 * per_a},
                 {PMN_FILTER_GT, 2, 3 * per_a},   {PMN_FILTER_LE, 2, 3 * per_a},
                 {PMN_FILTER_LT, 2, 2 * per_a},   {PMN_FILTER_EQ, 0, per_a},
                 {PMN_FILTER_EQ, na - 1, per_a},  {PMN_FILTER_EQ, na, 0},
                 {PMN_FILTER_GT, -1, na * per_a}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_filter f = {.field = 0, .op = cases[i].op, .value = pmn_datum_int(cases[i].a)};
        pmn_scan_options o = {.filters = &f, .nfilters = 1};
        pmn_scan *s;
        assert_pmn_ok(pmn_scan_open(t, &o, &s));
        const pmn_datum *r;
        int n = 0, rc;
        int64_t prev_b = -1, prev_a = -1;
        while ((rc = pmn_scan_next(s, &r)) == 0) {
            pmn_datum want = pmn_datum_int(cases[i].a);
            int c = pmn_datum_compare(pmn_table_row_type(t)->fields[0].type, &r[0], &want);
            bool match = cases[i].op == PMN_FILTER_EQ   ? c == 0
                         : cases[i].op == PMN_FILTER_GE ? c >= 0
                         : cases[i].op == PMN_FILTER_GT ? c > 0
                         : cases[i].op == PMN_FILTER_LE ? c <= 0
                                                        : c < 0;
            if (!match)
                continue;
            if (r[0].v.i == prev_a)
                assert_int_equal(r[1].v.i, prev_b + 1);
            else
                assert_int_equal(r[1].v.i, 0); /* every a starts at b = 0: nothing skipped */
            prev_a = r[0].v.i;
            prev_b = r[1].v.i;
            n++;
        }
        assert_int_equal(rc, PMN_ITEROVER);
        if (n != cases[i].expect)
            fail_msg("case %zu: %d rows, expected %d", i, n, cases[i].expect);
        pmn_scan_free(s);
    }
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* pmn_writer_lookup searches the writer's spilled, uncommitted files by block too. */
static void test_seek__writer_lookup_in_spilled_files(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("seek-writer");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "wl", "zstd");
    pmn_schema_change ch = {.kind = PMN_SCHEMA_SET_OPTION, .key = "write-buffer-size",
                            .value = "1mb"};
    assert_pmn_ok(pmn_table_alter(t, &ch, 1));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "test", &w));
    for (int64_t k = 0; k < NKEYS; k += 2) /* committed: even keys */
        put(w, k, 1, false);
    commit(w, 1);
    char *bucket = pmn_xasprintf("%s/bucket-0", pmn_table_path(t));
    char **names;
    size_t committed, spilled;
    assert_pmn_ok(pmn_fs_list(bucket, &names, &committed));
    pmn_fs_list_free(names, committed);
    for (int64_t k = 0; k < NKEYS; k += 3) /* spilled, uncommitted: multiples of 3 */
        put(w, k, 2, k % 9 == 0);
    assert_pmn_ok(pmn_fs_list(bucket, &names, &spilled));
    pmn_fs_list_free(names, spilled);
    free(bucket);
    assert_true(spilled >= committed + 2); /* the lookups below search several spilled files */
    int64_t keys[] = {0, 2, 3, 4, 5, 6, 9, 12, 18, 21, 2999, 3000, 3003, 9000, 9001,
                      NKEYS - 1, NKEYS - 2, NKEYS - 3, NKEYS + 3};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int64_t k = keys[i];
        pmn_datum key[3] = {pmn_datum_int(k), pmn_datum_null(), pmn_datum_null()};
        const pmn_datum *row;
        assert_pmn_ok(pmn_writer_lookup(w, key, &row));
        int want = k >= NKEYS        ? 0
                   : k % 3 == 0      ? (k % 9 == 0 ? 0 : 2)
                   : k % 2 == 0      ? 1
                                     : 0;
        if (want == 0) {
            if (row)
                fail_msg("key %lld: found n=%lld, expected none", (long long)k,
                         (long long)row[2].v.i);
        } else {
            if (!row)
                fail_msg("key %lld: not found, expected n=%d", (long long)k, want);
            assert_int_equal(row[0].v.i, k);
            assert_int_equal(row[2].v.i, want);
        }
    }
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* A table Java Paimon wrote: every row is found again by a filter on its first key column. */
static void test_seek__java_fixture_rows_found_by_key(void **state)
{
    (void)state;
    char *wh = pmn_test_fixture("avro_pk_with_multiple_type");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(wh, false, &cat));
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, "pk_with_multiple_type", "pk_with_multiple_type", &t));
    const pmn_type *rt = pmn_table_row_type(t);
    const char *const *pk, *const *part;
    size_t npk = pmn_table_primary_keys(t, &pk), npart = pmn_table_partition_keys(t, &part);
    int field = -1;
    for (size_t i = 0; i < npk && field < 0; i++) {
        bool is_part = false;
        for (size_t j = 0; j < npart; j++)
            is_part |= strcmp(pk[i], part[j]) == 0;
        for (int32_t f = 0; f < rt->nfields && !is_part; f++)
            if (strcmp(rt->fields[f].name, pk[i]) == 0)
                field = f;
    }
    assert_true(field >= 0);
    /* the full scan's rows, deep-copied */
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *rows[16];
    size_t nrows = 0;
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *r;
    while (pmn_scan_next(s, &r) == 0) {
        assert_true(nrows < 16);
        rows[nrows] = pmn_arena_alloc(&a, sizeof(pmn_datum) * (size_t)rt->nfields);
        for (int32_t f = 0; f < rt->nfields; f++)
            pmn_datum_copy(rt->fields[f].type, &r[f], &rows[nrows][f], &a);
        nrows++;
    }
    pmn_scan_free(s);
    assert_int_equal(nrows, 4);
    /* the key is compound: a value of its first column may hold several rows */
    for (size_t i = 0; i < nrows; i++) {
        pmn_filter f = {.field = field, .op = PMN_FILTER_EQ, .value = rows[i][field]};
        pmn_scan_options o = {.filters = &f, .nfilters = 1};
        assert_pmn_ok(pmn_scan_open(t, &o, &s));
        size_t expected = 0, found = 0;
        for (size_t j = 0; j < nrows; j++)
            expected += pmn_datum_compare(rt->fields[field].type, &rows[j][field],
                                          &rows[i][field]) == 0;
        while (pmn_scan_next(s, &r) == 0) {
            if (pmn_datum_compare(rt->fields[field].type, &r[field], &rows[i][field]) != 0)
                continue;
            found++;
            bool same_as_one = false;
            for (size_t j = 0; j < nrows && !same_as_one; j++) {
                bool eq = true;
                for (int32_t c = 0; c < rt->nfields && eq; c++)
                    eq = pmn_datum_compare(rt->fields[c].type, &r[c], &rows[j][c]) == 0;
                same_as_one = eq;
            }
            if (!same_as_one)
                fail_msg("key of row %zu: a returned row is not a row of the full scan", i);
        }
        pmn_scan_free(s);
        assert_int_equal(found, expected);
    }
    pmn_arena_free(&a);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    free(wh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seek__same_rows_as_full_scan_zstd),
        cmocka_unit_test(test_seek__same_rows_as_full_scan_uncompressed),
        cmocka_unit_test(test_seek__lookup_reads_few_blocks),
        cmocka_unit_test(test_seek__compound_key_first_column),
        cmocka_unit_test(test_seek__writer_lookup_in_spilled_files),
        cmocka_unit_test(test_seek__java_fixture_rows_found_by_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
