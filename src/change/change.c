/*
 * src/change/change.c
 *
 * Helpers of the source → sink seam; see change.h.
 */
#include "change/change.h"

#include "change/datum.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

const char *pmn_change_kind_name(pmn_change_kind k)
{
    switch (k) {
    case PMN_CHANGE_INSERT:
        return "insert";
    case PMN_CHANGE_UPDATE:
        return "update";
    case PMN_CHANGE_DELETE:
        return "delete";
    case PMN_CHANGE_TRUNCATE:
        return "truncate";
    }
    return "?";
}

void pmn_change_relation_free(pmn_change_relation *rel)
{
    if (!rel)
        return;
    for (int i = 0; i < rel->ncols; i++) {
        free(rel->cols[i].name);
        pmn_type_free(rel->cols[i].type);
    }
    free(rel->cols);
    free(rel->schema);
    free(rel->name);
    free(rel);
}

bool pmn_change_relation_same_shape(const pmn_change_relation *a, const pmn_change_relation *b)
{
    if (a->relid != b->relid || a->replident != b->replident || a->ncols != b->ncols ||
        strcmp(a->schema, b->schema) != 0 || strcmp(a->name, b->name) != 0)
        return false;
    for (int i = 0; i < a->ncols; i++) {
        const pmn_change_column *x = &a->cols[i], *y = &b->cols[i];
        if (strcmp(x->name, y->name) != 0 || x->pg_type_oid != y->pg_type_oid ||
            x->pg_typmod != y->pg_typmod || x->is_key != y->is_key)
            return false;
    }
    return true;
}

int pmn_change_relation_find(const pmn_change_relation *rel, const char *name)
{
    for (int i = 0; i < rel->ncols; i++)
        if (strcmp(rel->cols[i].name, name) == 0)
            return i;
    return -1;
}


static const pmn_datum *copy_vals(const pmn_change_relation *rel, const pmn_datum *vals,
                                  pmn_arena *arena)
{
    if (!vals)
        return NULL;
    pmn_datum *out = pmn_arena_alloc(arena, sizeof *out * (size_t)(rel->ncols ? rel->ncols : 1));
    for (int i = 0; i < rel->ncols; i++)
        pmn_datum_copy(rel->cols[i].type, &vals[i], &out[i], arena);
    return out;
}

void pmn_change_copy(pmn_change *out, const pmn_change *c, pmn_arena *arena)
{
    *out = *c;
    if (c->kind == PMN_CHANGE_TRUNCATE) {
        if (c->ntruncated) {
            out->truncated =
                pmn_arena_memdup(arena, c->truncated, sizeof(c->truncated[0]) * c->ntruncated);
        }
        return;
    }
    out->old_vals = copy_vals(c->rel, c->old_vals, arena);
    out->new_vals = copy_vals(c->rel, c->new_vals, arena);
    if (c->unchanged)
        out->unchanged =
            pmn_arena_memdup(arena, c->unchanged, sizeof(bool) * (size_t)c->rel->ncols);
}

/* ---- in-memory log sink ------------------------------------------------ */

void pmn_change_log_init(pmn_change_log *log)
{
    memset(log, 0, sizeof *log);
    pmn_arena_init(&log->arena);
}

void pmn_change_log_dispose(pmn_change_log *log)
{
    for (size_t i = 0; i < log->ntxns; i++)
        free(log->txns[i].changes);
    free(log->txns);
    free(log->loose);
    pmn_arena_free(&log->arena);
    memset(log, 0, sizeof *log);
}

static int log_begin(void *payload, const pmn_txn_begin *b)
{
    pmn_change_log *log = payload;
    PMN_GROW(log->txns, log->cap, log->ntxns + 1);
    pmn_change_log_txn *t = &log->txns[log->ntxns++];
    memset(t, 0, sizeof *t);
    t->begin = *b;
    log->open = true;
    return 0;
}

static int log_change(void *payload, const pmn_change *c)
{
    pmn_change_log *log = payload;
    if (log->open) {
        pmn_change_log_txn *t = &log->txns[log->ntxns - 1];
        PMN_GROW(t->changes, t->cap, t->nchanges + 1);
        pmn_change_copy(&t->changes[t->nchanges++], c, &log->arena);
    } else {
        PMN_GROW(log->loose, log->loose_cap, log->nloose + 1);
        pmn_change_copy(&log->loose[log->nloose++], c, &log->arena);
    }
    return 0;
}

static int log_commit(void *payload, const pmn_txn_commit *c)
{
    pmn_change_log *log = payload;
    log->txns[log->ntxns - 1].commit = *c;
    log->open = false;
    return 0;
}

pmn_change_sink pmn_change_log_sink(pmn_change_log *log)
{
    pmn_change_sink s = {log_begin, NULL, log_change, log_commit, log};
    return s;
}
