/*
 * src/pg/decoder.c
 *
 * pgoutput → change events; see decoder.h.
 */
#include "pg/decoder.h"

#include "pg/pgoutput.h"
#include "util/alloc.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmn_pgdecoder {
    pmn_pgdecoder_options opts;
    pmn_relcache *rc;
    pmn_arena msg_arena;    /* decoded message arrays; reset per message */
    pmn_arena change_arena; /* datums of one change; reset per change */
    bool in_txn;
    bool skipping; /* current transaction is dropped (already in the lake) */
    pmn_txn_begin begin;
    uint64_t nchanges;
    uint64_t last_commit_lsn;
    uint64_t last_end_lsn;
    struct typeslot {
        uint32_t oid;   /* the column's type OID */
        int32_t typmod; /* the column's typmod */
        pmn_pg_type t;  /* resolved (a domain carries its base type's typmod) */
    } * types;
    size_t ntypes, cap_types;
    uint32_t *skipped; /* relids of unwanted relations */
    size_t nskipped, cap_skipped;
    /* every value asks for its column's type: a direct-mapped cache of recent answers keeps
     * the built-in table search and the catalog out of the per-value path */
    struct typecache {
        bool used;
        uint32_t oid;
        int32_t typmod;
        pmn_pg_type t;
    } recent[64];
};

void pmn_pgdecoder_new(pmn_pgdecoder **out, const pmn_pgdecoder_options *opts)
{
    pmn_pgdecoder *d = pmn_xcalloc(1, sizeof *d);
    if (opts)
        d->opts = *opts;
    d->rc = pmn_relcache_new();
    pmn_arena_init(&d->msg_arena);
    pmn_arena_init(&d->change_arena);
    *out = d;
}

void pmn_pgdecoder_free(pmn_pgdecoder *d)
{
    if (!d)
        return;
    pmn_relcache_free(d->rc);
    pmn_arena_free(&d->msg_arena);
    pmn_arena_free(&d->change_arena);
    free(d->types);
    free(d->skipped);
    free(d);
}

bool pmn_pgdecoder_in_txn(const pmn_pgdecoder *d)
{
    return d->in_txn;
}

uint64_t pmn_pgdecoder_last_end_lsn(const pmn_pgdecoder *d)
{
    return d->last_end_lsn;
}

const pmn_relcache *pmn_pgdecoder_relcache(const pmn_pgdecoder *d)
{
    return d->rc;
}

static int resolve_type_uncached(pmn_pgdecoder *d, uint32_t oid, int32_t typmod,
                                 pmn_pg_type *out);

static int resolve_type(pmn_pgdecoder *d, uint32_t oid, int32_t typmod, pmn_pg_type *out)
{
    struct typecache *slot = &d->recent[(oid * 31u + (uint32_t)typmod) & 63u];
    if (slot->used && slot->oid == oid && slot->typmod == typmod) {
        *out = slot->t;
        return 0;
    }
    int rc = resolve_type_uncached(d, oid, typmod, out);
    if (rc >= 0) {
        slot->used = true;
        slot->oid = oid;
        slot->typmod = typmod;
        slot->t = *out;
    }
    return rc;
}

static int resolve_type_uncached(pmn_pgdecoder *d, uint32_t oid, int32_t typmod,
                                 pmn_pg_type *out)
{
    if (pmn_pgtypes_builtin(out, oid, typmod))
        return 0;
    for (size_t i = 0; i < d->ntypes; i++)
        if (d->types[i].oid == oid && d->types[i].typmod == typmod) {
            *out = d->types[i].t;
            return 0;
        }
    if (d->opts.resolve) {
        int rc = d->opts.resolve(d->opts.resolve_ctx, oid, typmod, out);
        if (rc < 0)
            return rc;
        PMN_GROW(d->types, d->cap_types, d->ntypes + 1);
        d->types[d->ntypes].t = *out;
        d->types[d->ntypes].oid = oid;
        d->types[d->ntypes].typmod = typmod;
        d->ntypes++;
        return 0;
    }
    /* Without a catalog: a Type message names a domain's base type (pgoutput.md §3.2) */
    memset(out, 0, sizeof *out);
    out->oid = oid;
    out->typmod = -1;
    out->elem_typmod = -1;
    const char *name = pmn_relcache_type_name(d->rc, oid);
    snprintf(out->name, sizeof out->name, "%s", name ? name : "unknown");
    out->kind = name ? pmn_pgtypes_kind_by_name(name) : PMN_PG_OTHER;
    return 0;
}

static bool is_skipped(const pmn_pgdecoder *d, uint32_t relid)
{
    for (size_t i = 0; i < d->nskipped; i++)
        if (d->skipped[i] == relid)
            return true;
    return false;
}

static void set_skipped(pmn_pgdecoder *d, uint32_t relid, bool skip)
{
    for (size_t i = 0; i < d->nskipped; i++)
        if (d->skipped[i] == relid) {
            if (!skip)
                d->skipped[i] = d->skipped[--d->nskipped];
            return;
        }
    if (skip) {
        PMN_GROW(d->skipped, d->cap_skipped, d->nskipped + 1);
        d->skipped[d->nskipped++] = relid;
    }
}

static int on_relation(pmn_pgdecoder *d, const pmn_pgo_msg *m, const pmn_change_sink *sink)
{
    if (d->opts.filter) {
        const char *nsp = *m->u.relation.nspname ? m->u.relation.nspname : "pg_catalog";
        bool want = d->opts.filter(d->opts.filter_ctx, nsp, m->u.relation.relname);
        set_skipped(d, m->u.relation.relid, !want);
        if (!want)
            return 0;
    }
    pmn_change_relation *rel = pmn_xcalloc(1, sizeof *rel);
    rel->relid = m->u.relation.relid;
    rel->schema = pmn_xstrdup(*m->u.relation.nspname ? m->u.relation.nspname : "pg_catalog");
    rel->name = pmn_xstrdup(m->u.relation.relname);
    rel->replident = m->u.relation.replident;
    rel->ncols = m->u.relation.ncols;
    rel->cols = pmn_xcalloc((size_t)(rel->ncols ? rel->ncols : 1), sizeof *rel->cols);
    int rc = 0;
    char table[160];
    snprintf(table, sizeof table, "%s.%s", rel->schema, rel->name);
    for (int i = 0; i < rel->ncols; i++) {
        const pmn_pgo_column *src = &m->u.relation.cols[i];
        pmn_change_column *c = &rel->cols[i];
        c->name = pmn_xstrdup(src->name);
        c->is_key = (src->flags & 1) != 0;
        c->pg_type_oid = src->type_oid;
        c->pg_typmod = src->typmod;
        pmn_pg_type pt;
        rc = resolve_type(d, src->type_oid, src->typmod, &pt);
        if (rc < 0)
            goto fail;
        /* nullability is not on the wire: values are produced for the nullable type */
        rc = pmn_pgtypes_map(&c->type, &pt, &d->opts.mapping, false, false, table, c->name);
        if (rc < 0)
            goto fail;
    }
    bool changed;
    const pmn_change_relation *cur = pmn_relcache_put(d->rc, rel, &changed);
    if (changed && sink->relation)
        return sink->relation(sink->payload, cur);
    return 0;
fail:
    pmn_change_relation_free(rel);
    return rc;
}

/* tuple → datums (+ unchanged flags) for rel */
static int convert_tuple(pmn_pgdecoder *d, const pmn_change_relation *rel, const pmn_pgo_tuple *t,
                         pmn_datum **vals_out, bool **unchanged_out, char what)
{
    if (t->ncols != rel->ncols)
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput: %s.%s tuple has %u columns but its Relation has %d",
                             rel->schema, rel->name, t->ncols, rel->ncols);
    pmn_datum *vals = pmn_arena_alloc(&d->change_arena, sizeof *vals * (size_t)(rel->ncols + 1));
    bool *unchanged = NULL;
    for (int i = 0; i < rel->ncols; i++) {
        const pmn_pgo_value *v = &t->cols[i];
        const pmn_change_column *c = &rel->cols[i];
        if (v->kind == 'n') {
            vals[i].is_null = true;
        } else if (v->kind == 'u') {
            if (!unchanged_out)
                return pmn_error_set(PMN_ECORRUPT,
                                     "pgoutput: unchanged-TOAST marker in the old %s tuple of "
                                     "%s.%s column \"%s\"",
                                     what == 'K' ? "key" : "row", rel->schema, rel->name, c->name);
            if (!unchanged)
                unchanged = pmn_arena_alloc(&d->change_arena, sizeof(bool) * (size_t)rel->ncols);
            unchanged[i] = true;
            vals[i].is_null = true;
        } else {
            pmn_pg_type pt;
            int rc = resolve_type(d, c->pg_type_oid, c->pg_typmod, &pt);
            if (rc >= 0)
                rc = pmn_pgtypes_parse(&vals[i], &pt, c->type, (const char *)v->data, v->len,
                                       &d->change_arena);
            if (rc < 0)
                return pmn_error_wrap("table %s.%s column \"%s\": ", rel->schema, rel->name,
                                      c->name);
        }
    }
    *vals_out = vals;
    if (unchanged_out)
        *unchanged_out = unchanged;
    return 0;
}

static int on_change(pmn_pgdecoder *d, const pmn_pgo_msg *m, const pmn_change_sink *sink)
{
    if (!d->in_txn)
        return pmn_error_set(PMN_ECORRUPT, "pgoutput: '%c' message outside a transaction", m->type);
    if (d->skipping)
        return 0;
    pmn_arena_reset(&d->change_arena);
    pmn_change c;
    memset(&c, 0, sizeof c);
    int rc = 0;
    if (m->type == PMN_PGO_TRUNCATE) {
        c.kind = PMN_CHANGE_TRUNCATE;
        uint32_t nwanted = 0;
        for (uint32_t i = 0; i < m->u.truncate.nrelids; i++)
            nwanted += !is_skipped(d, m->u.truncate.relids[i]);
        if (nwanted == 0)
            return 0;
        c.cascade = (m->u.truncate.options & PMN_PGO_TRUNCATE_CASCADE) != 0;
        c.restart_identity = (m->u.truncate.options & PMN_PGO_TRUNCATE_RESTART_IDENTITY) != 0;
        c.ntruncated = 0;
        const pmn_change_relation **rels =
            pmn_arena_alloc(&d->change_arena, sizeof *rels * nwanted);
        for (uint32_t i = 0; i < m->u.truncate.nrelids; i++) {
            if (is_skipped(d, m->u.truncate.relids[i]))
                continue;
            const pmn_change_relation *tr = pmn_relcache_get(d->rc, m->u.truncate.relids[i]);
            rels[c.ntruncated++] = tr;
            if (!tr)
                return pmn_error_set(PMN_ECORRUPT,
                                     "pgoutput: TRUNCATE of relation %" PRIu32
                                     " that no Relation message described",
                                     m->u.truncate.relids[i]);
        }
        c.truncated = rels;
    } else {
        if (is_skipped(d, m->u.change.relid))
            return 0;
        const pmn_change_relation *rel = pmn_relcache_get(d->rc, m->u.change.relid);
        if (!rel)
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput: '%c' for relation %" PRIu32
                                 " that no Relation message described",
                                 m->type, m->u.change.relid);
        c.rel = rel;
        c.kind = m->type == PMN_PGO_INSERT   ? PMN_CHANGE_INSERT
                 : m->type == PMN_PGO_UPDATE ? PMN_CHANGE_UPDATE
                                             : PMN_CHANGE_DELETE;
        pmn_datum *oldv = NULL, *newv = NULL;
        bool *unchanged = NULL;
        if (m->u.change.old_kind) {
            rc = convert_tuple(d, rel, &m->u.change.old_tuple, &oldv, NULL, m->u.change.old_kind);
            if (rc < 0)
                return rc;
            c.old_kind = m->u.change.old_kind;
        }
        if (m->type != PMN_PGO_DELETE) {
            rc = convert_tuple(d, rel, &m->u.change.new_tuple, &newv, &unchanged, 'N');
            if (rc < 0)
                return rc;
            if (unchanged && c.old_kind == 'O') {
                /* REPLICA IDENTITY FULL: the old row carries the unchanged value */
                bool left = false;
                for (int i = 0; i < rel->ncols; i++) {
                    if (unchanged[i]) {
                        newv[i] = oldv[i];
                        unchanged[i] = false;
                    }
                }
                for (int i = 0; i < rel->ncols; i++)
                    left |= unchanged[i];
                if (!left)
                    unchanged = NULL;
            }
        }
        c.old_vals = oldv;
        c.new_vals = newv;
        c.unchanged = unchanged;
    }
    d->nchanges++;
    if (sink->change)
        rc = sink->change(sink->payload, &c);
    return rc;
}

int pmn_pgdecoder_feed(pmn_pgdecoder *d, const uint8_t *data, size_t len,
                       const pmn_change_sink *sink)
{
    static const pmn_change_sink none = {0};
    if (!sink)
        sink = &none;
    pmn_arena_reset(&d->msg_arena);
    pmn_pgo_msg m;
    int rc = pmn_pgoutput_decode(&m, data, len, &d->msg_arena);
    if (rc < 0)
        return rc;
    switch (m.type) {
    case PMN_PGO_BEGIN:
        if (d->in_txn)
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput: Begin of xid %" PRIu32 " inside xid %" PRIu32,
                                 m.u.begin.xid, d->begin.xid);
        d->in_txn = true;
        d->nchanges = 0;
        d->begin.xid = m.u.begin.xid;
        d->begin.final_lsn = m.u.begin.final_lsn;
        d->begin.commit_time_us = m.u.begin.commit_ts + PMN_PG_EPOCH_OFFSET_US;
        d->skipping = d->opts.skip_before_lsn && m.u.begin.final_lsn < d->opts.skip_before_lsn;
        if (!d->skipping && sink->begin)
            return sink->begin(sink->payload, &d->begin);
        return 0;
    case PMN_PGO_COMMIT: {
        if (!d->in_txn)
            return pmn_error_set(PMN_ECORRUPT, "pgoutput: Commit without Begin");
        d->in_txn = false;
        uint64_t lsn = m.u.commit.commit_lsn;
        if (lsn != d->begin.final_lsn)
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput: Commit lsn %" PRIX64 " differs from Begin final lsn "
                                 "%" PRIX64,
                                 lsn, d->begin.final_lsn);
        if (d->last_commit_lsn && lsn <= d->last_commit_lsn)
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput: commit lsn %" PRIX64 " not after the previous one "
                                 "%" PRIX64,
                                 lsn, d->last_commit_lsn);
        d->last_commit_lsn = lsn;
        d->last_end_lsn = m.u.commit.end_lsn;
        if (d->skipping) {
            d->skipping = false;
            return 0;
        }
        pmn_txn_commit c = {
            .xid = d->begin.xid,
            .commit_lsn = lsn,
            .end_lsn = m.u.commit.end_lsn,
            .commit_time_us = m.u.commit.commit_ts + PMN_PG_EPOCH_OFFSET_US,
            .nchanges = d->nchanges,
        };
        return sink->commit ? sink->commit(sink->payload, &c) : 0;
    }
    case PMN_PGO_ORIGIN:
    case PMN_PGO_MESSAGE:
        return 0; /* replication origins and logical messages carry no row data */
    case PMN_PGO_TYPE:
        pmn_relcache_put_type(d->rc, m.u.type.oid, m.u.type.nspname, m.u.type.name);
        return 0;
    case PMN_PGO_RELATION:
        return on_relation(d, &m, sink);
    default:
        return on_change(d, &m, sink);
    }
}
