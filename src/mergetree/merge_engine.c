/*
 * src/mergetree/merge_engine.c
 *
 * The merge engines of primary-key tables (paimon-format.md §5.4; Java's
 * DeduplicateMergeFunction, FirstRowMergeFunction,
 * PartialUpdateMergeFunction): see merge_engine.h. Moved out of
 * table/scan.c so that reads, compactions and the writer (the versions of a
 * key within one commit) merge by the same rules.
 */
#include "mergetree/merge_engine.h"

#include "change/datum.h"
#include "util/error.h"

#include <string.h>

static bool option_true(const pmn_table *t, const char *key)
{
    const char *v = pmn_table_option(t, key);
    return v && !strcmp(v, "true");
}

int pmn_merge_engine_load(const pmn_table *t, const char *what, pmn_merge_engine *e)
{
    memset(e, 0, sizeof *e);
    const char *name = pmn_table_name(t);
    const char *engine = pmn_table_option(t, "merge-engine");
    /* the nearest engine first, then the refusals: a refused e still holds it */
    e->ignore_delete = option_true(t, "ignore-delete");
    bool known = true;
    if (!engine || !strcmp(engine, "deduplicate")) {
        e->engine = PMN_ENGINE_DEDUP;
        e->ignore_delete |= option_true(t, "deduplicate.ignore-delete");
    } else if (!strcmp(engine, "first-row")) {
        e->engine = PMN_ENGINE_FIRST_ROW;
    } else if (!strcmp(engine, "partial-update")) {
        e->engine = PMN_ENGINE_PARTIAL;
        e->ignore_delete |= option_true(t, "partial-update.ignore-delete");
        e->remove_on_delete = option_true(t, "partial-update.remove-record-on-delete");
    } else {
        e->engine = PMN_ENGINE_DEDUP;
        known = false;
    }
    if (pmn_table_option(t, "sequence.field"))
        return pmn_error_set(PMN_EINVALID,
                             "table %s orders versions by sequence.field, which pgpaimon cannot "
                             "%s yet; %s it with Java Paimon",
                             name, what, what);
    if (!known)
        return pmn_error_set(PMN_EINVALID,
                             "table %s: merge-engine %s is not supported by pgpaimon; %s it "
                             "with Java Paimon",
                             name, engine, what);
    if (e->engine == PMN_ENGINE_PARTIAL) {
        const pmn_kv *o = NULL;
        size_t n = pmn_table_options(t, &o);
        for (size_t i = 0; i < n; i++) {
            const char *key = o[i].key;
            size_t len = strlen(key);
            if (!strncmp(key, "fields.", 7) &&
                ((len > 15 && !strcmp(key + len - 15, ".sequence-group")) ||
                 (len > 19 && !strcmp(key + len - 19, ".aggregate-function"))))
                return pmn_error_set(PMN_EINVALID,
                                     "table %s: partial-update with %s is not supported by "
                                     "pgpaimon; %s it with Java Paimon",
                                     name, key, what);
        }
    }
    return 0;
}

bool pmn_merge_engine_simple(const pmn_merge_engine *e)
{
    return e->engine == PMN_ENGINE_DEDUP && !e->ignore_delete;
}

void pmn_merge_engine_begin(pmn_merge_state *st)
{
    memset(st, 0, sizeof *st);
}

int pmn_merge_engine_step(const pmn_merge_engine *e, const char *table_name, pmn_merge_state *st,
                          int32_t kind, int64_t seq)
{
    bool retract = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
    if (e->engine == PMN_ENGINE_FIRST_ROW && st->have)
        return PMN_MERGE_SKIP; /* the first version stays */
    if (!retract)
        return PMN_MERGE_FOLD;
    if (e->ignore_delete || e->engine == PMN_ENGINE_FIRST_ROW)
        return PMN_MERGE_SKIP;
    if (e->engine == PMN_ENGINE_PARTIAL) {
        if (!e->remove_on_delete)
            return pmn_error_set(PMN_EINVALID,
                                 "table %s: partial-update cannot merge a delete record unless "
                                 "ignore-delete or partial-update.remove-record-on-delete is "
                                 "set",
                                 table_name);
        if (kind != PMN_ROW_DELETE)
            return PMN_MERGE_SKIP; /* -U: the next +U updates the row */
        st->have = false; /* the record starts over */
        st->deleted = true;
        st->kind = PMN_ROW_DELETE;
        st->seq = seq;
        return PMN_MERGE_RESET;
    }
    /* deduplicate: the retraction is the newest version so far */
    return PMN_MERGE_FOLD;
}

void pmn_merge_engine_fold(const pmn_merge_engine *e, const pmn_type *row, pmn_merge_state *st,
                           const pmn_datum *vals, int32_t kind, int64_t seq, pmn_datum *acc,
                           pmn_arena *arena)
{
    bool retract = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
    bool fresh = !st->have || e->engine != PMN_ENGINE_PARTIAL;
    for (int32_t i = 0; i < row->nfields; i++) {
        if (fresh)
            acc[i] = pmn_datum_null();
        if (vals[i].is_null)
            continue;
        if (arena)
            pmn_datum_copy(row->fields[i].type, &vals[i], &acc[i], arena);
        else
            acc[i] = vals[i];
    }
    if (retract && e->engine == PMN_ENGINE_PARTIAL)
        return; /* the removed row's image: state set by the step */
    /* partial-update's merged row is an insert (Java's getResult); the others keep the kind
     * of the version they keep */
    st->kind = e->engine == PMN_ENGINE_PARTIAL ? PMN_ROW_INSERT : kind;
    st->have = !retract;
    st->deleted = retract;
    st->seq = seq;
}
