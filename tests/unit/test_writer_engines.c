/*
 * tests/unit/test_writer_engines.c
 *
 * The writer merges the versions of a key within one commit by the table's
 * merge engine (mergetree/merge_engine.h, shared with reads and
 * compactions): each commit holds many versions of a few keys (updates,
 * deletes between updates, -U/+U pairs, NULL columns), and after every commit
 * the read must equal a model that applies the engine's rules (paimon-format.md
 * §5.4) to the whole history, for deduplicate (with and without
 * ignore-delete), first-row and partial-update (ignore-delete,
 * remove-record-on-delete; without either a delete is refused).
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NKEYS = 6, NCOLS = 3, NUL = -1 };
enum { M_DEDUP, M_FIRST_ROW, M_PARTIAL };

typedef struct model_key {
    bool have;       /* the key is visible */
    bool deleted;    /* a retraction removed it (what a commit writes: a -D) */
    int vals[NCOLS]; /* NUL for NULL */
} model_key;

typedef struct engine_case {
    const char *name;
    pmn_kv opts[3];
    size_t nopts;
    int engine;
    bool ignore_delete;
    bool remove_on_delete;
} engine_case;

static pmn_table *open_table(const char *dir, pmn_catalog **cat, const engine_case *c)
{
    assert_pmn_ok(pmn_catalog_open(dir, true, cat));
    pmn_catalog_create_database(*cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "a", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "b", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 0, "c", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv all[8] = {{"bucket", "2"}, {"write-only", "true"}};
    size_t n = 2;
    for (size_t i = 0; i < c->nopts; i++)
        all[n++] = c->opts[i];
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = all, .noptions = n};
    assert_pmn_ok(pmn_catalog_create_table(*cat, "db", c->name, &def, false));
    pmn_type_free(row);
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(*cat, "db", c->name, &t));
    return t;
}

static pmn_datum iv(int v)
{
    return v == NUL ? pmn_datum_null() : pmn_datum_int(v);
}

/* model_apply: one version of a key, by the engine's rules */
static void model_apply(const engine_case *c, model_key *k, int32_t kind, const int *vals)
{
    bool retract = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
    switch (c->engine) {
    case M_DEDUP:
        if (retract && c->ignore_delete)
            return;
        k->have = !retract;
        k->deleted = retract;
        memcpy(k->vals, vals, sizeof k->vals);
        return;
    case M_FIRST_ROW:
        if (!retract && !k->have) {
            k->have = true;
            memcpy(k->vals, vals, sizeof k->vals);
        }
        return;
    default:
        if (retract) {
            if (!c->ignore_delete && c->remove_on_delete && kind == PMN_ROW_DELETE) {
                k->have = false;
                k->deleted = true;
            }
            return;
        }
        for (int i = 0; i < NCOLS; i++) {
            if (!k->have)
                k->vals[i] = NUL;
            if (vals[i] != NUL)
                k->vals[i] = vals[i];
        }
        k->have = true;
        k->deleted = false;
    }
}

/* model_commit: what a commit's merged versions (cm) do to the table's rows (m): each key's
 * merge result is one version that merges with the older ones on read. (So with
 * remove-record-on-delete a -D followed by +I in one commit becomes one +I whose NULL columns
 * still read the older values, as in Java, whose write buffer merges the same way.) */
static void model_commit(const engine_case *c, model_key *m, model_key *cm)
{
    for (int id = 0; id < NKEYS; id++) {
        if (cm[id].have)
            model_apply(c, &m[id], PMN_ROW_INSERT, cm[id].vals);
        else if (cm[id].deleted)
            model_apply(c, &m[id], PMN_ROW_DELETE, cm[id].vals);
    }
    memset(cm, 0, sizeof(model_key) * NKEYS);
}

/* expect_model: the read of t, keyed by id, equals the model */
static void expect_model(pmn_table *t, const model_key *m, const char *what)
{
    bool seen[NKEYS] = {0};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *r;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0) {
        int64_t id = r[0].v.i;
        if (id < 0 || id >= NKEYS || seen[id] || !m[id].have)
            fail_msg("%s: unexpected row id %lld", what, (long long)id);
        seen[id] = true;
        for (int i = 0; i < NCOLS; i++) {
            int got = r[i + 1].is_null ? NUL : (int)r[i + 1].v.i;
            if (got != m[id].vals[i])
                fail_msg("%s: id %lld column %d: got %d, expected %d", what, (long long)id, i, got,
                         m[id].vals[i]);
        }
    }
    if (rc != PMN_ITEROVER)
        fail_msg("%s: scan: %s", what, pmn_error_last());
    pmn_scan_free(s);
    for (int id = 0; id < NKEYS; id++)
        if (m[id].have && !seen[id])
            fail_msg("%s: row id %d missing", what, id);
}

static void run_case(const engine_case *c, unsigned seed)
{
    char *dir = pmn_test_tmpdir(c->name);
    pmn_catalog *cat;
    pmn_table *t = open_table(dir, &cat, c);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "u", &w));
    model_key m[NKEYS], cm[NKEYS];
    memset(m, 0, sizeof m);
    memset(cm, 0, sizeof cm);
    srand(seed);
    for (int commit = 1; commit <= 6; commit++) {
        for (int op = 0; op < 60; op++) {
            int id = rand() % NKEYS;
            int vals[NCOLS];
            for (int i = 0; i < NCOLS; i++)
                vals[i] = rand() % 3 == 0 ? NUL : commit * 1000 + op * 10 + i;
            int32_t kinds[2];
            int nk = 1;
            switch (rand() % 6) {
            case 0:
                kinds[0] = PMN_ROW_DELETE;
                break;
            case 1: /* an update as its -U/+U pair */
                kinds[0] = PMN_ROW_UPDATE_BEFORE;
                kinds[1] = PMN_ROW_UPDATE_AFTER;
                nk = 2;
                break;
            case 2:
                kinds[0] = PMN_ROW_UPDATE_AFTER;
                break;
            default:
                kinds[0] = PMN_ROW_INSERT;
            }
            for (int k = 0; k < nk; k++) {
                pmn_datum row[4] = {pmn_datum_int(id), iv(vals[0]), iv(vals[1]), iv(vals[2])};
                assert_pmn_ok(pmn_writer_write(w, kinds[k], row));
                model_apply(c, &cm[id], kinds[k], vals);
            }
        }
        int64_t snap;
        assert_pmn_ok(pmn_writer_commit(w, commit, NULL, 0, &snap));
        model_commit(c, m, cm);
        char what[64];
        snprintf(what, sizeof what, "%s commit %d", c->name, commit);
        expect_model(t, m, what);
    }
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_writer_engines__dedup(void **state)
{
    (void)state;
    engine_case c = {"wdedup", {{"merge-engine", "deduplicate"}}, 1, M_DEDUP, false, false};
    run_case(&c, 11);
}

static void test_writer_engines__dedup_ignore_delete(void **state)
{
    (void)state;
    engine_case c = {"wdedupign", {{"ignore-delete", "true"}}, 1, M_DEDUP, true, false};
    run_case(&c, 12);
    engine_case d = {"wdedupign2", {{"deduplicate.ignore-delete", "true"}}, 1, M_DEDUP, true,
                     false};
    run_case(&d, 13);
}

static void test_writer_engines__first_row(void **state)
{
    (void)state;
    engine_case c = {"wfirst", {{"merge-engine", "first-row"}}, 1, M_FIRST_ROW, false, false};
    run_case(&c, 14);
}

static void test_writer_engines__partial_ignore_delete(void **state)
{
    (void)state;
    engine_case c = {"wpartign", {{"merge-engine", "partial-update"}, {"ignore-delete", "true"}},
                     2,          M_PARTIAL,
                     true,       false};
    run_case(&c, 15);
    engine_case d = {
        "wpartign2", {{"merge-engine", "partial-update"}, {"partial-update.ignore-delete", "true"}},
        2,           M_PARTIAL,
        true,        false};
    run_case(&d, 16);
}

static void test_writer_engines__partial_remove_on_delete(void **state)
{
    (void)state;
    engine_case c = {
        "wpartrm",
        {{"merge-engine", "partial-update"}, {"partial-update.remove-record-on-delete", "true"}},
        2,
        M_PARTIAL,
        false,
        true};
    run_case(&c, 17);
}

/* partial-update without either option: a commit holding a delete between updates of a key
 * fails and writes nothing */
static void test_writer_engines__partial_delete_refused(void **state)
{
    (void)state;
    engine_case c = {"wpartno", {{"merge-engine", "partial-update"}}, 1, M_PARTIAL, false, false};
    char *dir = pmn_test_tmpdir(c.name);
    pmn_catalog *cat;
    pmn_table *t = open_table(dir, &cat, &c);
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, "u", &w));
    pmn_datum row[4] = {pmn_datum_int(1), iv(1), iv(NUL), iv(3)};
    assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    assert_pmn_ok(pmn_writer_write(w, PMN_ROW_DELETE, row));
    assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    int64_t snap = -1;
    assert_int_equal(pmn_writer_commit(w, 1, NULL, 0, &snap), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "remove-record-on-delete"));
    pmn_writer_free(w);
    model_key none[NKEYS];
    memset(none, 0, sizeof none);
    expect_model(t, none, c.name);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_engines__dedup),
        cmocka_unit_test(test_writer_engines__dedup_ignore_delete),
        cmocka_unit_test(test_writer_engines__first_row),
        cmocka_unit_test(test_writer_engines__partial_ignore_delete),
        cmocka_unit_test(test_writer_engines__partial_remove_on_delete),
        cmocka_unit_test(test_writer_engines__partial_delete_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
