/*
 * tests/unit/test_compact_engines.c
 *
 * Compaction of primary-key tables whose merge engine is not plain
 * deduplicate (paimon-format.md §5.4, §8; mergetree/merge_engine.h):
 * first-row, partial-update (with remove-record-on-delete and with
 * ignore-delete) and deduplicate with ignore-delete. Model-based: random
 * inserts, updates (-U/+U), deletes and null columns over many commits,
 * compactions and full compactions, the table read back after each compared
 * with an in-memory model of the engine; after a full compaction every file
 * is at the max level and holds exactly the live keys (no -D row). The same
 * with the writer's background compaction. Combinations Java refuses or we
 * do not do (first-row + full-compaction changelog, lookup changelog) are
 * refused; partial-update's full-compaction changelog and every engine's
 * lookup changelog (first-row: +I of new keys only) are followed by a strict
 * follower that must end each round with exactly the table's rows.
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NKEYS = 400, NCOLS = 3, NUL = -1 };

typedef enum { M_FIRST_ROW, M_PARTIAL_REMOVE, M_PARTIAL_IGNORE, M_DEDUP_IGNORE } model_kind;

/* The model: per key, live and its three columns (NUL = NULL). */
typedef struct model {
    model_kind kind;
    bool live[NKEYS];
    bool full_next[NKEYS]; /* partial-update remove-on-delete: the key was deleted */
    int32_t col[NKEYS][NCOLS];
} model;

static pmn_table *create_table(pmn_catalog *cat, const char *name, const pmn_kv *extra,
                               size_t nextra)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "c", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[16] = {{"bucket", "2"},
                       {"num-sorted-run.compaction-trigger", "3"},
                       {"target-file-size", "4 kb"}};
    size_t n = 3;
    for (size_t i = 0; i < nextra && n < 16; i++)
        opts[n++] = extra[i];
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = n};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

static pmn_datum iv(int32_t v)
{
    return v == NUL ? pmn_datum_null() : pmn_datum_int(v);
}

/* apply: one record to the model by its engine's rules. */
static void apply(model *m, pmn_row_kind kind, int k, const int32_t *c)
{
    bool retract = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
    switch (m->kind) {
    case M_FIRST_ROW:
        if (!retract && !m->live[k]) {
            m->live[k] = true;
            memcpy(m->col[k], c, sizeof m->col[k]);
        }
        break;
    case M_PARTIAL_REMOVE:
    case M_PARTIAL_IGNORE:
        if (retract) {
            if (m->kind == M_PARTIAL_REMOVE && kind == PMN_ROW_DELETE)
                m->live[k] = false;
            break;
        }
        if (!m->live[k])
            for (int i = 0; i < NCOLS; i++)
                m->col[k][i] = NUL;
        m->live[k] = true;
        for (int i = 0; i < NCOLS; i++)
            if (c[i] != NUL)
                m->col[k][i] = c[i];
        break;
    case M_DEDUP_IGNORE:
        if (!retract) {
            m->live[k] = true;
            memcpy(m->col[k], c, sizeof m->col[k]);
        }
        break;
    }
}

/* batch: a commit's worth of random records, written and applied to the model. */
static void batch(pmn_writer *w, model *m, int n)
{
    for (int i = 0; i < n; i++) {
        int k = rand() % NKEYS;
        int r = rand() % 10;
        pmn_row_kind kind = r < 2 ? PMN_ROW_DELETE : r < 3 ? PMN_ROW_UPDATE_BEFORE
                                                  : r < 5 ? PMN_ROW_UPDATE_AFTER
                                                          : PMN_ROW_INSERT;
        int32_t c[NCOLS];
        for (int j = 0; j < NCOLS; j++)
            c[j] = rand() % 3 == 0 && !m->full_next[k] ? NUL : rand() % 1000;
        /* as in Java, a delete starts the row over only within one merge: a later partial
         * row merged in another (write buffer, compaction of newer runs) sees the values
         * older files hold again. After a delete the model writes whole rows, whose result
         * is the same either way. */
        if (m->kind == M_PARTIAL_REMOVE)
            m->full_next[k] = (m->full_next[k] && (kind == PMN_ROW_UPDATE_BEFORE)) ||
                              kind == PMN_ROW_DELETE;
        pmn_datum row[4] = {pmn_datum_int(k), iv(c[0]), iv(c[1]), iv(c[2])};
        assert_pmn_ok(pmn_writer_write(w, kind, row));
        apply(m, kind, k, c);
    }
}

/* check: the table's latest snapshot equals the model. */
static void check(pmn_table *t, const model *m, const char *when)
{
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    bool seen[NKEYS] = {0};
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < NKEYS);
        if (seen[k] || !m->live[k])
            fail_msg("%s: key %lld %s", when, (long long)k, seen[k] ? "twice" : "not in model");
        seen[k] = true;
        for (int i = 0; i < NCOLS; i++) {
            int32_t got = row[i + 1].is_null ? NUL : (int32_t)row[i + 1].v.i;
            if (got != m->col[k][i])
                fail_msg("%s: key %lld column %d: lake %d, model %d", when, (long long)k, i, got,
                         m->col[k][i]);
        }
    }
    if (rc != PMN_ITEROVER)
        fail_msg("%s: scan: %s", when, pmn_error_last());
    for (int k = 0; k < NKEYS; k++)
        if (m->live[k] && !seen[k])
            fail_msg("%s: key %d missing", when, k);
    pmn_scan_free(s);
}

static void assert_checks(pmn_table *t)
{
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("%zu violations:\n%s", violations, report);
    free(report);
}

/* after_full: every file at the max level (3), no -D row, exactly the live keys on disk. */
static void after_full(pmn_table *t, const model *m)
{
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    int64_t live = 0, on_disk = 0;
    for (int k = 0; k < NKEYS; k++)
        live += m->live[k];
    for (size_t i = 0; i < p->nfiles; i++) {
        assert_int_equal(p->files[i].file.level, 3);
        assert_int_equal(p->files[i].file.delete_row_count, 0);
        on_disk += p->files[i].file.row_count;
    }
    assert_int_equal(on_disk, live);
    pmn_plan_free(p);
}

static int count_kind(pmn_table *t, const char *kind)
{
    int64_t *ids;
    size_t n;
    assert_pmn_ok(pmn_snapshot_list_ids(pmn_table_path(t), &ids, &n));
    int c = 0;
    for (size_t i = 0; i < n; i++) {
        pmn_snapshot_info info;
        assert_pmn_ok(pmn_table_snapshot(t, ids[i], &info));
        c += !strcmp(info.commit_kind, kind);
    }
    free(ids);
    return c;
}

static const char *kind_name(model_kind k)
{
    return k == M_FIRST_ROW        ? "first-row"
           : k == M_PARTIAL_REMOVE ? "partial-remove"
           : k == M_PARTIAL_IGNORE ? "partial-ignore"
                                   : "dedup-ignore";
}

static size_t engine_options(model_kind k, pmn_kv *o)
{
    switch (k) {
    case M_FIRST_ROW:
        o[0] = (pmn_kv){"merge-engine", "first-row"};
        return 1;
    case M_PARTIAL_REMOVE:
        o[0] = (pmn_kv){"merge-engine", "partial-update"};
        o[1] = (pmn_kv){"partial-update.remove-record-on-delete", "true"};
        return 2;
    case M_PARTIAL_IGNORE:
        o[0] = (pmn_kv){"merge-engine", "partial-update"};
        o[1] = (pmn_kv){"ignore-delete", "true"};
        return 2;
    case M_DEDUP_IGNORE:
        o[0] = (pmn_kv){"ignore-delete", "true"};
        return 1;
    }
    return 0;
}

/* explicit_run: write-only writer; compaction called between commits, full every 7th. */
static void explicit_run(model_kind kind)
{
    char *dir = pmn_test_tmpdir("compact-engines");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[4];
    size_t n = engine_options(kind, opts);
    opts[n++] = (pmn_kv){"write-only", "true"};
    pmn_table *t = create_table(cat, kind_name(kind), opts, n);
    model *m = pmn_xcalloc(1, sizeof *m);
    m->kind = kind;
    srand(42 + (unsigned)kind);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "model", &w));
    int compactions = 0, full = 0;
    for (int c = 1; c <= 60; c++) {
        batch(w, m, 1 + rand() % 150);
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        char when[64];
        snprintf(when, sizeof when, "%s commit %d", kind_name(kind), c);
        check(t, m, when);
        bool is_full = c % 7 == 0;
        assert_pmn_ok(pmn_table_compact(t, is_full, &snap));
        compactions += snap > 0;
        snprintf(when, sizeof when, "%s %scompaction after commit %d", kind_name(kind),
                 is_full ? "full " : "", c);
        check(t, m, when);
        if (is_full) {
            full++;
            after_full(t, m);
        }
        if (c % 10 == 0)
            assert_checks(t);
    }
    pmn_writer_free(w);
    assert_true(compactions > 20);
    print_message("%s: %d compactions (%d full)\n", kind_name(kind), compactions, full);
    free(m);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_compact_engines__first_row(void **state)
{
    (void)state;
    explicit_run(M_FIRST_ROW);
}

static void test_compact_engines__partial_update_remove_on_delete(void **state)
{
    (void)state;
    explicit_run(M_PARTIAL_REMOVE);
}

static void test_compact_engines__partial_update_ignore_delete(void **state)
{
    (void)state;
    explicit_run(M_PARTIAL_IGNORE);
}

static void test_compact_engines__deduplicate_ignore_delete(void **state)
{
    (void)state;
    explicit_run(M_DEDUP_IGNORE);
}

/* background_run: the writer compacts after its commits (background thread). */
static void background_run(model_kind kind)
{
    char *dir = pmn_test_tmpdir("compact-engines-bg");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[4];
    size_t n = engine_options(kind, opts);
    opts[n++] = (pmn_kv){"full-compaction.delta-commits", "9"};
    pmn_table *t = create_table(cat, kind_name(kind), opts, n);
    model *m = pmn_xcalloc(1, sizeof *m);
    m->kind = kind;
    srand(7 + (unsigned)kind);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "bg", &w));
    for (int c = 1; c <= 40; c++) {
        batch(w, m, 1 + rand() % 150);
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        char when[64];
        snprintf(when, sizeof when, "%s background, commit %d", kind_name(kind), c);
        check(t, m, when);
    }
    pmn_writer_free(w); /* waits for the last job */
    check(t, m, "background, at the end");
    int compacts = count_kind(t, "COMPACT");
    print_message("%s background: %d COMPACT snapshots retained\n", kind_name(kind), compacts);
    assert_true(compacts > 0);
    assert_checks(t);
    int64_t snap;
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    check(t, m, "background, full compaction");
    after_full(t, m);
    free(m);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_compact_engines__background(void **state)
{
    (void)state;
    background_run(M_FIRST_ROW);
    background_run(M_PARTIAL_REMOVE);
}

/* follow: apply a stream's changes to f, each -U/-D of exactly the row f holds, +I of an
 * absent key, +U after its -U. */
static void follow(pmn_stream *st, model *f)
{
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc;
    int64_t pending = -1;
    while ((rc = pmn_stream_next(st, &kind, &row, &snap)) == 0) {
        int64_t k = row[0].v.i;
        assert_true(k >= 0 && k < NKEYS);
        int32_t c[NCOLS];
        for (int i = 0; i < NCOLS; i++)
            c[i] = row[i + 1].is_null ? NUL : (int32_t)row[i + 1].v.i;
        if (pending >= 0 && (kind != PMN_ROW_UPDATE_AFTER || k != pending))
            fail_msg("snapshot %lld: -U of key %lld without its +U", (long long)snap,
                     (long long)pending);
        if (kind == PMN_ROW_INSERT && f->live[k])
            fail_msg("snapshot %lld: +I of held key %lld", (long long)snap, (long long)k);
        if ((kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE) &&
            (!f->live[k] || memcmp(f->col[k], c, sizeof c)))
            fail_msg("snapshot %lld: retraction of key %lld is not the row held",
                     (long long)snap, (long long)k);
        if (kind == PMN_ROW_UPDATE_AFTER && pending != k)
            fail_msg("snapshot %lld: +U of key %lld without -U", (long long)snap, (long long)k);
        pending = kind == PMN_ROW_UPDATE_BEFORE ? k : -1;
        f->live[k] = kind == PMN_ROW_INSERT || kind == PMN_ROW_UPDATE_AFTER;
        memcpy(f->col[k], c, sizeof c);
    }
    if (rc != PMN_ITEROVER)
        fail_msg("stream: %s", pmn_error_last());
}

/* partial-update with changelog-producer = full-compaction: a follower applying the
 * changelog of each full compaction holds exactly the table's rows. */
static void test_compact_engines__partial_update_full_changelog(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("compact-engines-cl");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[] = {{"merge-engine", "partial-update"},
                     {"partial-update.remove-record-on-delete", "true"},
                     {"changelog-producer", "full-compaction"},
                     {"write-only", "true"}};
    pmn_table *t = create_table(cat, "cl", opts, 4);
    model *m = pmn_xcalloc(1, sizeof *m);
    model *f = pmn_xcalloc(1, sizeof *f);
    m->kind = f->kind = M_PARTIAL_REMOVE;
    srand(99);
    pmn_stream_options so = {.mode = "latest"};
    pmn_stream *st;
    assert_pmn_ok(pmn_stream_open(t, &so, &st));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "cl", &w));
    for (int round = 0; round < 5; round++) {
        for (int c = 0; c < 3; c++) {
            batch(w, m, 1 + rand() % 100);
            int64_t snap;
            assert_pmn_ok(pmn_writer_commit(w, round * 3 + c + 1, NULL, 0, &snap));
            assert_pmn_ok(pmn_table_compact(t, false, &snap));
        }
        int64_t snap;
        assert_pmn_ok(pmn_table_compact(t, true, &snap));
        check(t, m, "changelog round");
        follow(st, f);
        for (int k = 0; k < NKEYS; k++)
            if (f->live[k] != m->live[k] ||
                (m->live[k] && memcmp(f->col[k], m->col[k], sizeof m->col[k])))
                fail_msg("round %d: follower differs at key %d", round, k);
    }
    pmn_writer_free(w);
    pmn_stream_free(st);
    free(m);
    free(f);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* lookup_run: changelog-producer = lookup: every compaction of level-0 files writes the
 * changelog of their keys; a follower streaming it holds the table after each compaction
 * (which leaves no level-0 file). */
static void lookup_run(model_kind kind)
{
    char *dir = pmn_test_tmpdir("compact-engines-lookup");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_kv opts[5];
    size_t n = engine_options(kind, opts);
    opts[n++] = (pmn_kv){"changelog-producer", "lookup"};
    opts[n++] = (pmn_kv){"write-only", "true"};
    pmn_table *t = create_table(cat, kind_name(kind), opts, n);
    model *m = pmn_xcalloc(1, sizeof *m);
    model *f = pmn_xcalloc(1, sizeof *f);
    m->kind = f->kind = kind;
    srand(123 + (unsigned)kind);
    pmn_stream_options so = {.mode = "latest"};
    pmn_stream *st;
    assert_pmn_ok(pmn_stream_open(t, &so, &st));
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "lk", &w));
    for (int c = 1; c <= 40; c++) {
        batch(w, m, 1 + rand() % 120);
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, c, NULL, 0, &snap));
        assert_pmn_ok(pmn_table_compact(t, c % 9 == 0, &snap));
        char when[64];
        snprintf(when, sizeof when, "%s lookup, commit %d", kind_name(kind), c);
        check(t, m, when);
        follow(st, f);
        for (int k = 0; k < NKEYS; k++)
            if (f->live[k] != m->live[k] ||
                (m->live[k] && memcmp(f->col[k], m->col[k], sizeof m->col[k])))
                fail_msg("%s: follower differs at key %d (%s)", when, k,
                         f->live[k] ? "held" : "absent");
    }
    pmn_writer_free(w);
    pmn_stream_free(st);
    free(m);
    free(f);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_compact_engines__lookup_changelog(void **state)
{
    (void)state;
    lookup_run(M_FIRST_ROW);
    lookup_run(M_PARTIAL_REMOVE);
    lookup_run(M_PARTIAL_IGNORE);
    lookup_run(M_DEDUP_IGNORE);
}

static void test_compact_engines__refused(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("compact-engines-refused");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    const pmn_kv cases[][2] = {
        {{"merge-engine", "aggregation"}, {"bucket", "2"}},
        {{"merge-engine", "first-row"}, {"changelog-producer", "full-compaction"}},
        {{"merge-engine", "partial-update"}, {"sequence.field", "b"}},
        {{"merge-engine", "partial-update"}, {"fields.a.sequence-group", "b"}},
    };
    const char *want[] = {"aggregation", "full-compaction", "sequence.field", "sequence-group"};
    for (size_t i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "r%zu", i);
        pmn_table *t = create_table(cat, name, cases[i], 2);
        int64_t snap = -1;
        assert_int_equal(pmn_table_compact(t, true, &snap), PMN_EINVALID);
        if (!strstr(pmn_error_last(), want[i]) || !strstr(pmn_error_last(), "compact it"))
            fail_msg("case %zu: %s", i, pmn_error_last());
        assert_int_equal(snap, 0);
        pmn_table_free(t);
    }
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_engines__first_row),
        cmocka_unit_test(test_compact_engines__partial_update_remove_on_delete),
        cmocka_unit_test(test_compact_engines__partial_update_ignore_delete),
        cmocka_unit_test(test_compact_engines__deduplicate_ignore_delete),
        cmocka_unit_test(test_compact_engines__background),
        cmocka_unit_test(test_compact_engines__partial_update_full_changelog),
        cmocka_unit_test(test_compact_engines__lookup_changelog),
        cmocka_unit_test(test_compact_engines__refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
