/*
 * src/sync/sink.c
 *
 * The lake side of a sync; see sink.h. Each selected source table (a
 * "source", keyed by schema and name) feeds one Paimon table (a "target");
 * with --table several sources merge into one target. A target's columns are
 * the sources' columns (by name), then computed columns, then metadata
 * columns. Changes are turned into rows of the target and handed to its
 * writer; a commit publishes one snapshot per changed target.
 */
#include "sync/sink.h"

#include "change/datum.h"
#include "change/widen.h"
#include "paimon/data_type_json.h"
#include "paimon/table_schema.h"
#include "pmn/pmn.h"
#include "sql/rowexpr.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum meta_kind {
    META_TABLE_NAME,
    META_DATABASE_NAME,
    META_SCHEMA_NAME,
    META_OP_TS,
    META_OP_TYPE,
    META_EVENT_TIMESTAMP,
} meta_kind;

static const struct {
    const char *name;
    meta_kind kind;
} meta_names[] = {
    {"table_name", META_TABLE_NAME},     {"database_name", META_DATABASE_NAME},
    {"schema_name", META_SCHEMA_NAME},   {"op_ts", META_OP_TS},
    {"_op_type", META_OP_TYPE},          {"_event_timestamp", META_EVENT_TIMESTAMP},
};

typedef struct target {
    char *name;            /* Paimon table name */
    pmn_table *table;
    pmn_writer *writer;
    uint64_t stored_end_lsn; /* end LSN in the latest snapshot's properties (0 = none) */
    bool snapshot_done;
    bool snapshot_pending; /* a table snapshot (begin_table_snapshot) is being copied */
    bool dirty;            /* rows written since the last commit */
    pmn_rowexpr **computed; /* per --computed_column, compiled over the target row */
    int32_t *computed_col;  /* its column in the target row */
    int32_t *meta_col;      /* per metadata column: its column in the target row */
    meta_kind *meta_kinds;
    size_t nmeta;
    int32_t *pk_cols;       /* primary-key columns in the target row */
    int32_t npk;
    pmn_datum *row;         /* scratch: one target row */
    pmn_datum *old_row;     /* scratch */
    pmn_arena arena;        /* per change */
} target;

typedef struct source {
    char *schema;
    char *name;
    uint32_t relid;
    target *t;
    int ncols;
    char **col_names;       /* source columns */
    pmn_type **col_types;   /* mapped Paimon types */
    int32_t *colmap;        /* per target column: source column index or -1 */
} source;

struct pmn_sync_sink {
    const pmn_sync_config *cfg;
    pmn_catalog *cat;
    target **targets;
    size_t ntargets;
    source **sources;
    size_t nsources;
    bool in_txn;
    pmn_txn_begin txn;
    uint64_t last_end_lsn;    /* end LSN of the last whole transaction received */
    uint64_t last_commit_lsn;
    int64_t last_commit_time_us;
    int64_t last_lake_commit_ms; /* monotonic */
    bool snapshot_mode;
    pmn_sync_stats stats;
    pmn_sync_discover_fn discover;
    void *discover_ctx;
};

/* ------------------------------------------------------------------------ */
/* LSN text                                                                  */
/* ------------------------------------------------------------------------ */

void pmn_format_lsn(uint64_t lsn, char out[24])
{
    snprintf(out, 24, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xFFFFFFFFu));
}

int pmn_parse_lsn(const char *s, uint64_t *lsn)
{
    unsigned hi, lo;
    char tail;
    if (!s || sscanf(s, "%X/%X%c", &hi, &lo, &tail) != 2)
        return pmn_error_set(PMN_ECORRUPT, "\"%s\" is not an LSN", s ? s : "");
    *lsn = ((uint64_t)hi << 32) | lo;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Targets                                                                   */
/* ------------------------------------------------------------------------ */

static char *meta_column_name(const pmn_sync_config *cfg, const char *name)
{
    return pmn_xasprintf("%s%s", cfg->metadata_column_prefix ? cfg->metadata_column_prefix : "",
                         name);
}

static int meta_lookup(const char *name, meta_kind *kind)
{
    for (size_t i = 0; i < sizeof meta_names / sizeof meta_names[0]; i++)
        if (!strcmp(meta_names[i].name, name)) {
            *kind = meta_names[i].kind;
            return 0;
        }
    return pmn_error_set(PMN_EINVALID,
                         "--metadata_column %s is not known; use table_name, database_name, "
                         "schema_name, op_ts, _op_type or _event_timestamp",
                         name);
}

static pmn_type *meta_type(meta_kind k)
{
    switch (k) {
    case META_OP_TS:
        return pmn_type_not_null(pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3));
    case META_EVENT_TIMESTAMP:
        return pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3);
    case META_OP_TYPE:
        return pmn_type_new(PMN_TYPE_VARCHAR);
    default:
        return pmn_type_not_null(pmn_type_new(PMN_TYPE_VARCHAR));
    }
}

/* computed_split: "name=expr" into its parts. */
static int computed_split(const char *spec, char **name, const char **expr)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return pmn_error_set(PMN_EINVALID,
                             "--computed_column \"%s\" must look like name=expression", spec);
    *name = pmn_xstrndup(spec, (size_t)(eq - spec));
    *expr = eq + 1;
    return 0;
}

/* release_compiled: what compile_target derived from the target's schema. */
static void release_compiled(target *t, size_t ncomputed)
{
    for (size_t i = 0; t->computed && i < ncomputed; i++)
        pmn_rowexpr_free(t->computed[i]);
    free(t->computed);
    free(t->computed_col);
    free(t->meta_col);
    free(t->meta_kinds);
    free(t->pk_cols);
    free(t->row);
    free(t->old_row);
    t->computed = NULL;
}

/* compile_target: resolve the computed, metadata and key columns of t's current schema. */
static int compile_target(pmn_sync_sink *s, target *t)
{
    const pmn_sync_config *cfg = s->cfg;
    const pmn_type *row = pmn_table_row_type(t->table);
    release_compiled(t, cfg->ncomputed_columns);
    t->computed = pmn_xcalloc(cfg->ncomputed_columns + 1, sizeof *t->computed);
    t->computed_col = pmn_xcalloc(cfg->ncomputed_columns + 1, sizeof *t->computed_col);
    int rc = 0;
    for (size_t i = 0; i < cfg->ncomputed_columns && rc == 0; i++) {
        char *name;
        const char *expr;
        rc = computed_split(cfg->computed_columns[i], &name, &expr);
        if (rc)
            break;
        rc = pmn_rowexpr_compile(name, expr, row, &t->computed[i]);
        t->computed_col[i] = pmn_type_find_field(row, name);
        free(name);
    }
    t->nmeta = cfg->nmetadata_columns;
    t->meta_col = pmn_xcalloc(t->nmeta + 1, sizeof *t->meta_col);
    t->meta_kinds = pmn_xcalloc(t->nmeta + 1, sizeof *t->meta_kinds);
    for (size_t i = 0; i < t->nmeta && rc == 0; i++) {
        rc = meta_lookup(cfg->metadata_columns[i], &t->meta_kinds[i]);
        char *name = meta_column_name(cfg, cfg->metadata_columns[i]);
        t->meta_col[i] = pmn_type_find_field(row, name);
        free(name);
    }
    const char *const *pk;
    size_t npk = pmn_table_primary_keys(t->table, &pk);
    t->npk = (int32_t)npk;
    t->pk_cols = pmn_xcalloc(npk + 1, sizeof *t->pk_cols);
    for (size_t i = 0; i < npk; i++)
        t->pk_cols[i] = pmn_type_find_field(row, pk[i]);
    t->row = pmn_xcalloc((size_t)row->nfields + 1, sizeof *t->row);
    t->old_row = pmn_xcalloc((size_t)row->nfields + 1, sizeof *t->old_row);
    return rc;
}

/* read_checkpoint: the source position stored in the target's latest snapshot. */
static int read_checkpoint(target *t)
{
    int64_t latest = 0;
    int rc = pmn_table_latest_snapshot(t->table, &latest);
    if (rc || latest == 0)
        return rc;
    pmn_snapshot_info info;
    rc = pmn_table_snapshot(t->table, latest, &info);
    if (rc)
        return rc;
    for (size_t i = 0; i < info.nproperties; i++) {
        if (!strcmp(info.properties[i].key, PMN_PROP_END_LSN))
            rc = pmn_parse_lsn(info.properties[i].value, &t->stored_end_lsn);
        else if (!strcmp(info.properties[i].key, PMN_PROP_SNAPSHOT_DONE))
            t->snapshot_done = !strcmp(info.properties[i].value, "true");
    }
    return rc;
}

static target *find_target(pmn_sync_sink *s, const char *name)
{
    for (size_t i = 0; i < s->ntargets; i++)
        if (!strcmp(s->targets[i]->name, name))
            return s->targets[i];
    return NULL;
}

static char *target_name_for(const pmn_sync_sink *s, const pmn_change_relation *rel)
{
    const pmn_sync_config *cfg = s->cfg;
    if (cfg->table)
        return pmn_xstrdup(cfg->table);
    return pmn_xasprintf("%s%s%s", cfg->table_prefix ? cfg->table_prefix : "", rel->name,
                         cfg->table_suffix ? cfg->table_suffix : "");
}

/* build_row_type: a target's row for a source's columns + computed + metadata columns. Fails
 * (and *out is NULL) on a computed column that does not parse or an unknown metadata column. */
static int build_row_type(const pmn_sync_config *cfg, const pmn_change_relation *rel,
                          pmn_type **out)
{
    pmn_type *row = pmn_type_row();
    for (int i = 0; i < rel->ncols; i++)
        pmn_type_row_add(row, 0, rel->cols[i].name, pmn_type_copy(rel->cols[i].type));
    int rc = 0;
    for (size_t i = 0; i < cfg->ncomputed_columns && rc == 0; i++) {
        char *cname;
        const char *expr;
        pmn_rowexpr *e;
        rc = computed_split(cfg->computed_columns[i], &cname, &expr);
        if (rc)
            break;
        rc = pmn_rowexpr_compile(cname, expr, row, &e);
        if (rc == 0) {
            pmn_type_row_add(row, 0, cname, pmn_type_copy(pmn_rowexpr_type(e)));
            pmn_rowexpr_free(e);
        }
        free(cname);
    }
    for (size_t i = 0; i < cfg->nmetadata_columns && rc == 0; i++) {
        meta_kind k;
        rc = meta_lookup(cfg->metadata_columns[i], &k);
        if (rc == 0) {
            char *mname = meta_column_name(cfg, cfg->metadata_columns[i]);
            pmn_type_row_add(row, 0, mname, meta_type(k));
            free(mname);
        }
    }
    if (rc) {
        pmn_type_free(row);
        row = NULL;
    }
    *out = row;
    return rc;
}

/* create_target_table: the Paimon table for a source's columns + computed + metadata columns. */
static int create_target_table(pmn_sync_sink *s, const char *name, const pmn_change_relation *rel,
                               const char *const *pk, size_t npk)
{
    const pmn_sync_config *cfg = s->cfg;
    pmn_type *row;
    int rc = build_row_type(cfg, rel, &row);
    if (rc)
        return rc;
    pmn_kv *opts = pmn_xcalloc(cfg->table_conf.n + 2, sizeof *opts);
    size_t nopts = 0;
    for (size_t i = 0; i < cfg->table_conf.n; i++) {
        opts[nopts].key = cfg->table_conf.keys[i];
        opts[nopts++].value = cfg->table_conf.values[i];
    }
    /* A sync keeps one buffer per table: 64 MB (not Paimon's 256 MB) keeps a job's memory
     * bounded near 100 MB during an initial snapshot; larger writes spill to more files. */
    if (!pmn_options_get(&cfg->table_conf, "write-buffer-size")) {
        opts[nopts].key = "write-buffer-size";
        opts[nopts++].value = "64 mb";
    }
    pmn_table_def def = {
        .row_type = row,
        .primary_keys = pk,
        .nprimary_keys = npk,
        .partition_keys = (const char *const *)cfg->partition_keys,
        .npartition_keys = cfg->npartition_keys,
        .options = opts,
        .noptions = nopts,
    };
    rc = pmn_catalog_create_table(s->cat, cfg->database, name, &def, false);
    if (rc == 0)
        pmn_log_info("created lake table %s.%s (%d columns)", cfg->database, name, row->nfields);
    else if (rc == PMN_EEXISTS)
        rc = 0; /* an existing table is checked and evolved by the caller */
    free(opts);
    pmn_type_free(row);
    return rc;
}

/* evolve_target: add source columns the target lacks and widen changed types. */
static int evolve_target(pmn_sync_sink *s, target *t, const pmn_change_relation *rel)
{
    const pmn_type *row = pmn_table_row_type(t->table);
    pmn_schema_change *changes = pmn_xcalloc((size_t)rel->ncols + 1, sizeof *changes);
    pmn_type **owned = pmn_xcalloc((size_t)rel->ncols + 1, sizeof *owned);
    size_t n = 0;
    bool to_string = false;
    for (size_t i = 0; i < s->cfg->ntype_mapping; i++)
        to_string |= !strcmp(s->cfg->type_mapping[i], "allow-non-string-to-string");
    for (int i = 0; i < rel->ncols; i++) {
        const pmn_change_column *c = &rel->cols[i];
        int idx = pmn_type_find_field(row, c->name);
        if (idx < 0) {
            changes[n].kind = PMN_SCHEMA_ADD_COLUMN;
            changes[n].name = c->name;
            changes[n].type = c->type;
            n++;
            continue;
        }
        const pmn_type *cur = row->fields[idx].type;
        pmn_type a = *cur, b = *c->type;
        a.nullable = b.nullable = true;
        if (pmn_type_equal(&a, &b))
            continue;
        /* a target that is STRING takes any source type only with allow-non-string-to-string */
        if (cur->root == PMN_TYPE_VARCHAR && cur->length == PMN_MAX_LENGTH && to_string)
            continue;
        owned[n] = pmn_type_copy(c->type);
        owned[n]->nullable = cur->nullable || c->type->nullable;
        changes[n].kind = PMN_SCHEMA_UPDATE_COLUMN_TYPE;
        changes[n].name = c->name;
        changes[n].type = owned[n];
        n++;
    }
    int rc = 0;
    if (n) {
        rc = pmn_writer_flush(t->writer);
        if (rc == 0)
            rc = pmn_table_alter(t->table, changes, n);
        if (rc) {
            pmn_error_wrap("source table %s.%s changed in a way lake table %s cannot follow "
                           "(use --type_mapping to-string, or alter the lake table by hand): ",
                           rel->schema, rel->name, t->name);
        } else {
            pmn_log_info("lake table %s.%s evolved to schema %lld (%zu change%s)",
                         s->cfg->database, t->name, (long long)pmn_table_schema_id(t->table), n,
                         n == 1 ? "" : "s");
            rc = compile_target(s, t);
        }
    }
    for (size_t i = 0; i < n; i++)
        pmn_type_free(owned[i]);
    free(owned);
    free(changes);
    return rc;
}

static void source_free(source *src)
{
    for (int j = 0; j < src->ncols; j++) {
        free(src->col_names[j]);
        pmn_type_free(src->col_types[j]);
    }
    free(src->col_names);
    free(src->col_types);
    free(src->colmap);
    free(src->schema);
    free(src->name);
    free(src);
}

static void source_set_columns(source *src, const pmn_change_relation *rel)
{
    for (int i = 0; i < src->ncols; i++) {
        free(src->col_names[i]);
        pmn_type_free(src->col_types[i]);
    }
    free(src->col_names);
    free(src->col_types);
    src->ncols = rel->ncols;
    src->col_names = pmn_xcalloc((size_t)rel->ncols + 1, sizeof *src->col_names);
    src->col_types = pmn_xcalloc((size_t)rel->ncols + 1, sizeof *src->col_types);
    for (int i = 0; i < rel->ncols; i++) {
        src->col_names[i] = pmn_xstrdup(rel->cols[i].name);
        src->col_types[i] = pmn_type_copy(rel->cols[i].type);
    }
    src->relid = rel->relid;
}

/* map_source: colmap of every source feeding target t, against t's current schema. */
static void map_sources(pmn_sync_sink *s, target *t)
{
    const pmn_type *row = pmn_table_row_type(t->table);
    for (size_t i = 0; i < s->nsources; i++) {
        source *src = s->sources[i];
        if (src->t != t)
            continue;
        free(src->colmap);
        src->colmap = pmn_xcalloc((size_t)row->nfields + 1, sizeof *src->colmap);
        for (int32_t c = 0; c < row->nfields; c++) {
            src->colmap[c] = -1;
            for (int j = 0; j < src->ncols; j++)
                if (!strcmp(src->col_names[j], row->fields[c].name))
                    src->colmap[c] = j;
        }
    }
}

/* target_keys: the lake primary key for a source (--primary_keys, else the source's unless
 * --sync_primary_keys_from_source_schema false); checked against the source's columns. */
static int target_keys(const pmn_sync_config *cfg, const pmn_change_relation *rel,
                       const char *const *pk, size_t npk, const char *const **keys_out,
                       size_t *nkeys_out)
{
    const char *const *keys = pk;
    size_t nkeys = npk;
    if (cfg->nprimary_keys) {
        keys = (const char *const *)cfg->primary_keys;
        nkeys = cfg->nprimary_keys;
    } else if (!cfg->sync_primary_keys_from_source_schema) {
        nkeys = 0;
    }
    if (nkeys == 0 && cfg->kind == PMN_SYNC_TABLE)
        return pmn_error_set(PMN_EINVALID,
                             "source table %s.%s has no primary key; add one in PostgreSQL or "
                             "name the key columns with --primary_keys",
                             rel->schema, rel->name);
    for (size_t i = 0; i < nkeys; i++)
        if (pmn_change_relation_find(rel, keys[i]) < 0)
            return pmn_error_set(PMN_EINVALID,
                                 "--primary_keys column %s is not a column of %s.%s", keys[i],
                                 rel->schema, rel->name);
    *keys_out = keys;
    *nkeys_out = nkeys;
    return 0;
}

int pmn_sync_sink_check_source(const pmn_sync_config *cfg, const pmn_change_relation *rel,
                               const char *const *pk, size_t npk)
{
    const char *const *keys;
    size_t nkeys;
    int rc = target_keys(cfg, rel, pk, npk, &keys, &nkeys);
    pmn_type *row = NULL;
    if (rc == 0)
        rc = build_row_type(cfg, rel, &row);
    pmn_type_free(row);
    return rc;
}

int pmn_sync_sink_add_source(pmn_sync_sink *s, const pmn_change_relation *rel,
                             const char *const *pk, size_t npk)
{
    const pmn_sync_config *cfg = s->cfg;
    const char *const *keys;
    size_t nkeys;
    int rc0 = target_keys(cfg, rel, pk, npk, &keys, &nkeys);
    if (rc0)
        return rc0;
    char *tname = target_name_for(s, rel);
    target *t = find_target(s, tname);
    int rc = 0;
    if (!t) {
        rc = create_target_table(s, tname, rel, keys, nkeys);
        t = pmn_xcalloc(1, sizeof *t);
        t->name = tname;
        pmn_arena_init(&t->arena);
        s->targets = pmn_xrealloc(s->targets, sizeof *s->targets * (s->ntargets + 1));
        s->targets[s->ntargets++] = t;
        if (rc == 0)
            rc = pmn_table_open(s->cat, cfg->database, tname, &t->table);
        if (rc == 0) {
            const char *const *tpk;
            size_t ntpk = pmn_table_primary_keys(t->table, &tpk);
            if (ntpk != nkeys)
                rc = pmn_error_set(PMN_EINVALID,
                                   "lake table %s.%s exists with a different primary key; drop it "
                                   "or sync into another --table",
                                   cfg->database, tname);
        }
        if (rc == 0)
            rc = pmn_writer_open(t->table, NULL, &t->writer);
        if (rc == 0)
            rc = read_checkpoint(t);
        if (rc == 0) {
            /* mutable --table_conf options on an existing table are altered */
            for (size_t i = 0; i < cfg->table_conf.n && rc == 0; i++) {
                const char *k = cfg->table_conf.keys[i], *v = cfg->table_conf.values[i];
                const char *cur = pmn_table_option(t->table, k);
                if (cur && !strcmp(cur, v))
                    continue;
                if (!strcmp(k, "bucket") || !strcmp(k, "merge-engine")) {
                    pmn_log_warn("--table_conf %s=%s is ignored: lake table %s.%s already "
                                 "exists with %s=%s",
                                 k, v, cfg->database, tname, k, cur ? cur : "(default)");
                    continue;
                }
                pmn_schema_change ch = {.kind = PMN_SCHEMA_SET_OPTION, .key = k, .value = v};
                rc = pmn_table_alter(t->table, &ch, 1);
            }
        }
    } else {
        free(tname);
    }
    if (rc)
        return rc;
    source *src = pmn_xcalloc(1, sizeof *src);
    src->schema = pmn_xstrdup(rel->schema);
    src->name = pmn_xstrdup(rel->name);
    src->t = t;
    source_set_columns(src, rel);
    s->sources = pmn_xrealloc(s->sources, sizeof *s->sources * (s->nsources + 1));
    s->sources[s->nsources++] = src;
    rc = evolve_target(s, t, rel);
    if (rc == PMN_EINVALID && cfg->ignore_incompatible) {
        /* --ignore_incompatible: this source is left out of the sync instead of failing it */
        pmn_log_warn("%s; --ignore_incompatible: %s.%s is not synced", pmn_error_last(),
                     rel->schema, rel->name);
        pmn_error_clear();
        s->nsources--;
        source_free(src);
        return 0;
    }
    if (rc == 0)
        rc = compile_target(s, t);
    map_sources(s, t);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Applying changes                                                          */
/* ------------------------------------------------------------------------ */

static source *find_source(pmn_sync_sink *s, const pmn_change_relation *rel)
{
    for (size_t i = 0; i < s->nsources; i++) {
        source *src = s->sources[i];
        if ((rel->relid && src->relid == rel->relid) ||
            (!strcmp(src->schema, rel->schema) && !strcmp(src->name, rel->name)))
            return src;
    }
    return NULL;
}

static int commit_target(pmn_sync_sink *s, target *t, uint64_t end_lsn, uint64_t commit_lsn,
                         int64_t commit_time_us, const char *slot, bool snapshot_done);

/* discover_source: a relation of a table created while streaming; if the job takes it, its lake
 * table gets a first (empty) snapshot at the position before this transaction, so a restart
 * resumes it from there instead of asking for an initial snapshot. */
static source *discover_source(pmn_sync_sink *s, const pmn_change_relation *rel, int *rc)
{
    *rc = 0;
    if (!s->discover)
        return NULL;
    size_t before = s->ntargets;
    *rc = s->discover(s->discover_ctx, s, rel);
    source *src = *rc ? NULL : find_source(s, rel);
    if (src && s->ntargets > before) {
        int64_t latest = 0;
        *rc = pmn_table_latest_snapshot(src->t->table, &latest);
        if (*rc == 0 && latest == 0)
            *rc = commit_target(s, src->t, s->last_end_lsn, s->last_commit_lsn,
                                s->last_commit_time_us, NULL, true);
    }
    return src;
}

static int on_relation(void *payload, const pmn_change_relation *rel)
{
    pmn_sync_sink *s = payload;
    source *src = find_source(s, rel);
    if (!src) {
        int rc;
        src = discover_source(s, rel, &rc);
        if (rc || !src)
            return rc; /* a table we do not sync (the publication may hold more) */
    }
    source_set_columns(src, rel);
    int rc = evolve_target(s, src->t, rel);
    map_sources(s, src->t);
    return rc;
}

static int on_begin(void *payload, const pmn_txn_begin *b)
{
    pmn_sync_sink *s = payload;
    s->in_txn = true;
    s->txn = *b;
    return 0;
}

static pmn_datum ts_datum(int64_t epoch_us)
{
    pmn_datum d = {.is_null = false};
    d.v.ts.millis = epoch_us / 1000 - (epoch_us % 1000 < 0);
    d.v.ts.nanos = 0;
    return d;
}

/* fill_row: t->row from source values; returns whether unchanged-TOAST columns need a lookup. */
static bool fill_row(target *t, const source *src, const pmn_datum *vals, const bool *unchanged)
{
    const pmn_type *row = pmn_table_row_type(t->table);
    bool need = false;
    for (int32_t c = 0; c < row->nfields; c++) {
        int j = src->colmap[c];
        if (j < 0 || !vals) {
            t->row[c] = pmn_datum_null();
            continue;
        }
        t->row[c] = vals[j];
        if (unchanged && unchanged[j])
            need = true;
        pmn_datum_widen(src->col_types[j], row->fields[c].type, &t->row[c]);
    }
    return need;
}

static int finish_row(pmn_sync_sink *s, target *t, const source *src, const char *op)
{
    /* the clock is read only when a time column needs it (the snapshot's rows have no commit
     * time; reading it per row cost ~2 % of a copy) */
    int64_t when = s->in_txn ? s->txn.commit_time_us : -1;
    for (size_t i = 0; i < t->nmeta; i++) {
        int32_t c = t->meta_col[i];
        if (c < 0)
            continue;
        const char *text = NULL;
        switch (t->meta_kinds[i]) {
        case META_TABLE_NAME:
            text = src->name;
            break;
        case META_DATABASE_NAME:
            text = pmn_options_get(&s->cfg->postgres_conf, "database-name");
            break;
        case META_SCHEMA_NAME:
            text = src->schema;
            break;
        case META_OP_TYPE:
            text = op;
            break;
        case META_OP_TS:
        case META_EVENT_TIMESTAMP:
            if (when < 0)
                when = pmn_now_millis() * 1000;
            t->row[c] = ts_datum(when);
            continue;
        }
        t->row[c] = text ? pmn_datum_str(text, (uint32_t)strlen(text)) : pmn_datum_null();
    }
    for (size_t i = 0; i < s->cfg->ncomputed_columns; i++) {
        if (t->computed_col[i] < 0)
            continue;
        int rc = pmn_rowexpr_eval(t->computed[i], t->row, &t->arena, &t->row[t->computed_col[i]]);
        if (rc)
            return rc;
    }
    return 0;
}

/* carry_unchanged: TOASTed columns PostgreSQL did not send keep the lake's current value. */
static int carry_unchanged(target *t, const source *src, const bool *unchanged)
{
    const pmn_datum *cur;
    int rc = pmn_writer_lookup(t->writer, t->row, &cur);
    if (rc)
        return rc;
    if (!cur)
        return pmn_error_set(PMN_ECORRUPT,
                             "%s.%s: an UPDATE left a TOASTed column unchanged, but the row is "
                             "not in the lake; set REPLICA IDENTITY FULL on the source table "
                             "and resync",
                             src->schema, src->name);
    const pmn_type *row = pmn_table_row_type(t->table);
    for (int32_t c = 0; c < row->nfields; c++) {
        int j = src->colmap[c];
        if (j >= 0 && unchanged[j])
            pmn_datum_copy(row->fields[c].type, &cur[c], &t->row[c], &t->arena);
    }
    return 0;
}

static bool key_changed(const target *t, const pmn_datum *a, const pmn_datum *b)
{
    const pmn_type *row = pmn_table_row_type(t->table);
    for (int32_t i = 0; i < t->npk; i++) {
        int32_t c = t->pk_cols[i];
        if (pmn_datum_compare(row->fields[c].type, &a[c], &b[c]) != 0)
            return true;
    }
    return false;
}

static int write_delete(pmn_sync_sink *s, target *t, const source *src, const pmn_change *c)
{
    fill_row(t, src, c->old_vals, NULL);
    /* with only the key known, the lake's row supplies partition and computed values */
    if (c->old_kind != 'O' && (s->cfg->npartition_keys || s->cfg->ncomputed_columns)) {
        const pmn_datum *cur;
        int rc = pmn_writer_lookup(t->writer, t->row, &cur);
        if (rc)
            return rc;
        if (!cur)
            return 0; /* not in the lake: nothing to delete */
        const pmn_type *row = pmn_table_row_type(t->table);
        for (int32_t i = 0; i < row->nfields; i++)
            pmn_datum_copy(row->fields[i].type, &cur[i], &t->row[i], &t->arena);
    }
    int rc = finish_row(s, t, src, "DELETE");
    if (rc == 0)
        rc = pmn_writer_write(t->writer, PMN_ROW_DELETE, t->row);
    return rc;
}

/* truncates_all_sources: whether the TRUNCATE `c` names every source table that feeds t (a
 * lake table merging several source tables keeps the rows of those not truncated) */
static bool truncates_all_sources(pmn_sync_sink *s, const target *t, const pmn_change *c)
{
    for (size_t i = 0; i < s->nsources; i++) {
        if (s->sources[i]->t != t)
            continue;
        bool named = false;
        for (uint32_t j = 0; j < c->ntruncated && !named; j++)
            named = find_source(s, c->truncated[j]) == s->sources[i];
        if (!named)
            return false;
    }
    return true;
}

static int on_change(void *payload, const pmn_change *c)
{
    pmn_sync_sink *s = payload;
    if (c->kind == PMN_CHANGE_TRUNCATE) {
        for (uint32_t i = 0; i < c->ntruncated; i++) {
            source *src = find_source(s, c->truncated[i]);
            if (!src || (s->in_txn && s->txn.final_lsn < src->t->stored_end_lsn))
                continue;
            if (!truncates_all_sources(s, src->t, c)) {
                pmn_log_warn("TRUNCATE of %s.%s ignored: lake table %s also holds the rows of "
                             "other source tables",
                             src->schema, src->name, src->t->name);
                continue;
            }
            int rc = pmn_writer_truncate(src->t->writer);
            if (rc)
                return rc;
            src->t->dirty = true;
        }
        return 0;
    }
    source *src = find_source(s, c->rel);
    if (!src)
        return 0;
    target *t = src->t;
    if (s->in_txn && s->txn.final_lsn < t->stored_end_lsn)
        return 0; /* this transaction is in the lake already (restart after a crash) */
    pmn_arena_reset(&t->arena);
    int rc = 0;
    switch (c->kind) {
    case PMN_CHANGE_INSERT:
        fill_row(t, src, c->new_vals, NULL);
        rc = finish_row(s, t, src, "INSERT");
        if (rc == 0)
            rc = pmn_writer_write(t->writer, PMN_ROW_INSERT, t->row);
        break;
    case PMN_CHANGE_UPDATE: {
        if (c->old_vals && t->npk) {
            const pmn_type *row = pmn_table_row_type(t->table);
            fill_row(t, src, c->old_vals, NULL);
            memcpy(t->old_row, t->row, sizeof *t->row * (size_t)row->nfields);
            fill_row(t, src, c->new_vals, NULL);
            if (key_changed(t, t->old_row, t->row)) {
                /* the key moved: delete the old key; unchanged TOAST values come from it */
                const pmn_datum *cur = NULL;
                if (c->unchanged) {
                    memcpy(t->row, t->old_row, sizeof *t->row * (size_t)row->nfields);
                    rc = pmn_writer_lookup(t->writer, t->row, &cur);
                    if (rc)
                        break;
                    pmn_datum *saved = pmn_arena_alloc(&t->arena, sizeof *saved *
                                                                      (size_t)row->nfields);
                    for (int32_t i = 0; cur && i < row->nfields; i++)
                        pmn_datum_copy(row->fields[i].type, &cur[i], &saved[i], &t->arena);
                    cur = cur ? saved : NULL;
                }
                pmn_change del = *c;
                del.kind = PMN_CHANGE_DELETE;
                rc = write_delete(s, t, src, &del);
                if (rc)
                    break;
                fill_row(t, src, c->new_vals, NULL);
                for (int32_t i = 0; c->unchanged && i < row->nfields; i++) {
                    int j = src->colmap[i];
                    if (j >= 0 && c->unchanged[j])
                        t->row[i] = cur ? cur[i] : pmn_datum_null();
                }
                rc = finish_row(s, t, src, "UPDATE");
                if (rc == 0)
                    rc = pmn_writer_write(t->writer, PMN_ROW_INSERT, t->row);
                break;
            }
        }
        bool need = fill_row(t, src, c->new_vals, c->unchanged);
        if (need)
            rc = carry_unchanged(t, src, c->unchanged);
        if (rc == 0)
            rc = finish_row(s, t, src, "UPDATE");
        if (rc == 0)
            rc = pmn_writer_write(t->writer, PMN_ROW_UPDATE_AFTER, t->row);
        break;
    }
    case PMN_CHANGE_DELETE:
        if (!t->npk) {
            pmn_log_warn("%s.%s: DELETE ignored: lake table %s has no primary key", src->schema,
                         src->name, t->name);
            return 0;
        }
        rc = write_delete(s, t, src, c);
        break;
    default:
        break;
    }
    if (rc)
        return pmn_error_wrap("%s.%s: ", src->schema, src->name);
    t->dirty = true;
    if (s->in_txn)
        s->stats.rows++; /* streamed changes; snapshot rows may arrive from several threads */
    return 0;
}

static int on_commit(void *payload, const pmn_txn_commit *c)
{
    pmn_sync_sink *s = payload;
    s->in_txn = false;
    if (c->end_lsn <= s->last_end_lsn && s->last_end_lsn) {
        s->stats.skipped_txns++;
        return 0;
    }
    s->last_end_lsn = c->end_lsn;
    s->last_commit_lsn = c->commit_lsn;
    s->last_commit_time_us = c->commit_time_us;
    s->stats.txns++;
    s->stats.last_end_lsn = c->end_lsn;
    s->stats.last_commit_time_us = c->commit_time_us;
    return 0;
}

pmn_change_sink pmn_sync_sink_callbacks(pmn_sync_sink *s)
{
    pmn_change_sink cb = {
        .begin = on_begin,
        .relation = on_relation,
        .change = on_change,
        .commit = on_commit,
        .payload = s,
    };
    return cb;
}

/* ------------------------------------------------------------------------ */
/* Commits                                                                   */
/* ------------------------------------------------------------------------ */

static int commit_target(pmn_sync_sink *s, target *t, uint64_t end_lsn, uint64_t commit_lsn,
                         int64_t commit_time_us, const char *slot, bool snapshot_done)
{
    char end[24], cl[24], when[32];
    pmn_format_lsn(end_lsn, end);
    pmn_format_lsn(commit_lsn, cl);
    snprintf(when, sizeof when, "%" PRId64, commit_time_us / 1000);
    const char *slot_name = slot ? slot : pmn_options_get(&s->cfg->postgres_conf, "slot.name");
    pmn_kv props[] = {
        {PMN_PROP_END_LSN, end},
        {PMN_PROP_COMMIT_LSN, cl},
        {PMN_PROP_COMMIT_TIME, when},
        {PMN_PROP_SLOT, slot_name ? slot_name : ""},
        {PMN_PROP_SNAPSHOT_DONE, snapshot_done ? "true" : "false"},
    };
    int64_t snap = 0;
    int rc = pmn_writer_commit(t->writer, (int64_t)end_lsn, props, sizeof props / sizeof props[0],
                               &snap);
    if (rc)
        return rc;
    t->dirty = false;
    t->stored_end_lsn = end_lsn;
    t->snapshot_done = snapshot_done;
    /* initial-snapshot commits run in the copy threads */
    __atomic_fetch_add(&s->stats.commits, 1, __ATOMIC_RELAXED);
    return 0;
}

int pmn_sync_sink_commit(pmn_sync_sink *s, uint64_t *durable_lsn)
{
    *durable_lsn = s->last_end_lsn;
    if (s->in_txn)
        return pmn_error_set(PMN_ERROR, "internal: lake commit inside a source transaction");
    for (size_t i = 0; i < s->ntargets; i++) {
        target *t = s->targets[i];
        if (!t->dirty)
            continue;
        int rc = commit_target(s, t, s->last_end_lsn, s->last_commit_lsn,
                               s->last_commit_time_us, NULL, true);
        if (rc)
            return rc;
    }
    s->last_lake_commit_ms = pmn_monotonic_millis();
    return 0;
}

bool pmn_sync_sink_commit_due(const pmn_sync_sink *s)
{
    if (s->in_txn)
        return false;
    bool dirty = false;
    for (size_t i = 0; i < s->ntargets; i++)
        dirty |= s->targets[i]->dirty;
    return dirty && pmn_monotonic_millis() - s->last_lake_commit_ms >= s->cfg->commit_interval_ms;
}

bool pmn_sync_sink_has_pending(const pmn_sync_sink *s)
{
    if (s->in_txn)
        return true;
    for (size_t i = 0; i < s->ntargets; i++)
        if (s->targets[i]->dirty)
            return true;
    return false;
}

bool pmn_sync_sink_in_txn(const pmn_sync_sink *s)
{
    return s->in_txn;
}

bool pmn_sync_sink_needs_snapshot(const pmn_sync_sink *s)
{
    for (size_t i = 0; i < s->ntargets; i++)
        if (!s->targets[i]->snapshot_done)
            return true;
    return false;
}

uint64_t pmn_sync_sink_resume_lsn(const pmn_sync_sink *s)
{
    uint64_t min = 0;
    for (size_t i = 0; i < s->ntargets; i++) {
        uint64_t l = s->targets[i]->stored_end_lsn;
        if (l && (!min || l < min))
            min = l;
    }
    return min;
}

int pmn_sync_sink_begin_snapshot(pmn_sync_sink *s)
{
    s->snapshot_mode = true;
    for (size_t i = 0; i < s->ntargets; i++) {
        /* a table with rows from an earlier run is replaced in one OVERWRITE snapshot; a new
         * one just gets an APPEND */
        int64_t latest = 0;
        int rc = pmn_table_latest_snapshot(s->targets[i]->table, &latest);
        if (rc == 0 && latest > 0)
            rc = pmn_writer_truncate(s->targets[i]->writer);
        if (rc)
            return rc;
        s->targets[i]->dirty = true;
    }
    return 0;
}

int pmn_sync_sink_commit_snapshot_target(pmn_sync_sink *s, size_t i, uint64_t consistent_lsn,
                                         const char *slot)
{
    return commit_target(s, s->targets[i], consistent_lsn, consistent_lsn,
                         pmn_now_millis() * 1000, slot, true);
}

int pmn_sync_sink_finish_snapshot(pmn_sync_sink *s, uint64_t consistent_lsn, const char *slot)
{
    int64_t now_us = pmn_now_millis() * 1000;
    for (size_t i = 0; i < s->ntargets; i++) {
        if (s->targets[i]->snapshot_done && !s->targets[i]->dirty)
            continue; /* committed as soon as its copy was complete */
        int rc = commit_target(s, s->targets[i], consistent_lsn, consistent_lsn, now_us, slot,
                               true);
        if (rc)
            return rc;
    }
    s->snapshot_mode = false;
    s->last_end_lsn = consistent_lsn;
    s->last_lake_commit_ms = pmn_monotonic_millis();
    return 0;
}

/* find_named_source: the source schema.name, or NULL. */
static source *find_named_source(const pmn_sync_sink *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->nsources; i++)
        if (!strcmp(s->sources[i]->schema, schema) && !strcmp(s->sources[i]->name, name))
            return s->sources[i];
    return NULL;
}

size_t pmn_sync_sink_target_index(const pmn_sync_sink *s, const char *schema, const char *name)
{
    const source *src = find_named_source(s, schema, name);
    for (size_t i = 0; src && i < s->ntargets; i++)
        if (s->targets[i] == src->t)
            return i;
    return SIZE_MAX;
}

bool pmn_sync_sink_has_source(const pmn_sync_sink *s, const char *schema, const char *name)
{
    return find_named_source(s, schema, name) != NULL;
}

bool pmn_sync_sink_source_needs_snapshot(const pmn_sync_sink *s, const char *schema,
                                         const char *name)
{
    const source *src = find_named_source(s, schema, name);
    return src && !src->t->snapshot_done;
}

int pmn_sync_sink_begin_table_snapshot(pmn_sync_sink *s, const char *schema, const char *name)
{
    source *src = find_named_source(s, schema, name);
    if (!src)
        return pmn_error_set(PMN_ERROR, "internal: %s.%s is not a source of this sync", schema,
                             name);
    target *t = src->t;
    if (t->snapshot_pending)
        return 0; /* another source of the same lake table began it */
    int64_t latest = 0;
    int rc = pmn_table_latest_snapshot(t->table, &latest);
    if (rc == 0 && latest > 0)
        rc = pmn_writer_truncate(t->writer); /* replaced in one OVERWRITE snapshot */
    if (rc)
        return rc;
    t->snapshot_pending = true;
    t->dirty = true;
    return 0;
}

int pmn_sync_sink_finish_table_snapshot(pmn_sync_sink *s, const char *schema, const char *name,
                                        uint64_t lsn)
{
    source *src = find_named_source(s, schema, name);
    if (!src || !src->t->snapshot_pending)
        return 0;
    int rc = commit_target(s, src->t, lsn, lsn, pmn_now_millis() * 1000, NULL, true);
    if (rc == 0)
        src->t->snapshot_pending = false;
    return rc;
}

int pmn_sync_sink_refresh(pmn_sync_sink *s)
{
    for (size_t i = 0; i < s->ntargets; i++) {
        target *t = s->targets[i];
        int64_t *ids = NULL;
        size_t n = 0;
        int rc = pmn_schema_list_ids(pmn_table_path(t->table), &ids, &n);
        int64_t latest = rc == 0 && n ? ids[n - 1] : -1;
        free(ids);
        if (rc)
            return rc;
        if (latest <= pmn_table_schema_id(t->table))
            continue;
        rc = pmn_writer_flush(t->writer);
        if (rc == 0)
            rc = pmn_table_reload(t->table);
        if (rc == 0)
            rc = compile_target(s, t);
        if (rc)
            return rc;
        map_sources(s, t);
        pmn_log_info("lake table %s.%s: now at schema %lld (changed outside the sync)",
                     s->cfg->database, t->name, (long long)latest);
    }
    return 0;
}

void pmn_sync_sink_set_discover(pmn_sync_sink *s, pmn_sync_discover_fn fn, void *ctx)
{
    s->discover = fn;
    s->discover_ctx = ctx;
}

void pmn_sync_sink_set_position(pmn_sync_sink *s, uint64_t lsn)
{
    if (lsn > s->last_end_lsn)
        s->last_end_lsn = lsn;
}

void pmn_sync_sink_stats(const pmn_sync_sink *s, pmn_sync_stats *out)
{
    *out = s->stats;
}

/* ------------------------------------------------------------------------ */
/* Open / free                                                               */
/* ------------------------------------------------------------------------ */

int pmn_sync_sink_open(const pmn_sync_config *cfg, pmn_sync_sink **out)
{
    pmn_sync_sink *s = pmn_xcalloc(1, sizeof *s);
    s->cfg = cfg;
    int rc = pmn_catalog_open(cfg->warehouse, true, &s->cat);
    if (rc == 0)
        rc = pmn_catalog_create_database(s->cat, cfg->database, true);
    if (rc) {
        pmn_sync_sink_free(s);
        return rc;
    }
    s->last_lake_commit_ms = pmn_monotonic_millis();
    *out = s;
    return 0;
}

void pmn_sync_sink_free(pmn_sync_sink *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsources; i++)
        source_free(s->sources[i]);
    free(s->sources);
    for (size_t i = 0; i < s->ntargets; i++) {
        target *t = s->targets[i];
        release_compiled(t, s->cfg->ncomputed_columns);
        pmn_arena_free(&t->arena);
        pmn_writer_free(t->writer);
        pmn_table_free(t->table);
        free(t->name);
        free(t);
    }
    free(s->targets);
    pmn_catalog_free(s->cat);
    free(s);
}
