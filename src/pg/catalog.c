/*
 * src/pg/catalog.c
 *
 * Catalog queries for the source schema; see catalog.h. Works on
 * PostgreSQL 12+ (attgenerated, relispartition).
 */
#include "pg/catalog.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_LIST[] =
    "SELECT c.oid, n.nspname, c.relname, c.relreplident, c.relkind, c.relhassubclass "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "AND n.nspname ~ ('^(?:' || $1 || ')$') AND c.relname ~ ('^(?:' || $2 || ')$') "
    "ORDER BY n.nspname, c.relname";

static const char SQL_FIND[] =
    "SELECT c.oid, n.nspname, c.relname, c.relreplident, c.relkind, c.relhassubclass "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = $1 "
    "AND c.relname = $2";

static const char SQL_COLUMNS[] =
    "SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, "
    "pg_catalog.format_type(a.atttypid, a.atttypmod) "
    "FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
    "ORDER BY a.attnum";

static const char SQL_PK[] =
    "SELECT k.attnum FROM pg_catalog.pg_index i "
    "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
    "WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord";

static const char SQL_TYPE[] =
    "SELECT t.typname, t.typtype, t.typbasetype, t.typtypmod, t.typelem, t.typcategory "
    "FROM pg_catalog.pg_type t WHERE t.oid = $1";

static pmn_pg_table *table_from_row(const pmn_pgresult *r, int row)
{
    pmn_pg_table *t = pmn_xcalloc(1, sizeof *t);
    t->relid = (uint32_t)strtoul(pmn_pgresult_get(r, row, 0), NULL, 10);
    t->schema = pmn_xstrdup(pmn_pgresult_get(r, row, 1));
    t->name = pmn_xstrdup(pmn_pgresult_get(r, row, 2));
    t->replident = pmn_pgresult_get(r, row, 3)[0];
    t->relkind = pmn_pgresult_get(r, row, 4)[0];
    t->has_children = !strcmp(pmn_pgresult_get(r, row, 5), "t");
    return t;
}

int pmn_pg_catalog_list_tables(pmn_pg_table ***out, size_t *n, pmn_pgconn *c, const char *schema_re,
                               const char *table_re)
{
    const char *params[2] = {schema_re, table_re};
    pmn_pgresult *r = NULL;
    *out = NULL;
    *n = 0;
    int rc = pmn_pgconn_query(c, &r, "listing source tables", SQL_LIST, 2, params);
    if (rc < 0) {
        if (strcmp(pmn_error_sqlstate(), "2201B") == 0) {
            char why[512];
            snprintf(why, sizeof why, "%s", pmn_error_last());
            return pmn_error_set(PMN_EINVALID,
                                 "invalid schema-name or table-name pattern \"%s\" / \"%s\" "
                                 "(PostgreSQL regular expression syntax): %s",
                                 schema_re, table_re, why);
        }
        return rc;
    }
    if (r->nrows == 0) {
        const char *db = pmn_pgconn_params(c)->dbname;
        pmn_pgresult_free(r);
        return pmn_error_set(PMN_ENOTFOUND,
                             "no table in database \"%s\" matches schema-name \"%s\" and "
                             "table-name \"%s\"; check --postgres_conf schema-name / table-name "
                             "(full-match regular expressions)",
                             db ? db : "?", schema_re, table_re);
    }
    pmn_pg_table **tables = pmn_xcalloc((size_t)r->nrows, sizeof *tables);
    for (int i = 0; i < r->nrows; i++)
        tables[i] = table_from_row(r, i);
    *out = tables;
    *n = (size_t)r->nrows;
    pmn_pgresult_free(r);
    return 0;
}

int pmn_pg_catalog_find_table(pmn_pg_table **out, pmn_pgconn *c, const char *schema,
                              const char *name)
{
    const char *params[2] = {schema, name};
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_query(c, &r, "looking up a source table", SQL_FIND, 2, params);
    if (rc < 0)
        return rc;
    if (r->nrows == 0) {
        const char *db = pmn_pgconn_params(c)->dbname;
        pmn_pgresult_free(r);
        return pmn_error_set(PMN_ENOTFOUND,
                             "table %s.%s does not exist in database \"%s\"; check "
                             "--postgres_conf schema-name / table-name",
                             schema, name, db ? db : "?");
    }
    *out = table_from_row(r, 0);
    pmn_pgresult_free(r);
    return 0;
}

int pmn_pg_catalog_resolve_type(pmn_pgconn *c, uint32_t oid, int32_t typmod, pmn_pg_type *out)
{
    if (pmn_pgtypes_builtin(out, oid, typmod))
        return 0;
    char oid_s[16];
    snprintf(oid_s, sizeof oid_s, "%" PRIu32, oid);
    const char *params[1] = {oid_s};
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_query(c, &r, "looking up a column type", SQL_TYPE, 1, params);
    if (rc < 0)
        return rc;
    if (r->nrows == 0) {
        pmn_pgresult_free(r);
        return pmn_error_set(PMN_ENOTFOUND, "type oid %" PRIu32 " does not exist", oid);
    }
    char name[64];
    snprintf(name, sizeof name, "%s", pmn_pgresult_get(r, 0, 0));
    char typtype = pmn_pgresult_get(r, 0, 1)[0];
    uint32_t base = (uint32_t)strtoul(pmn_pgresult_get(r, 0, 2), NULL, 10);
    int32_t base_typmod = (int32_t)strtol(pmn_pgresult_get(r, 0, 3), NULL, 10);
    uint32_t elem = (uint32_t)strtoul(pmn_pgresult_get(r, 0, 4), NULL, 10);
    char category = pmn_pgresult_get(r, 0, 5)[0];
    pmn_pgresult_free(r);

    if (typtype == 'd') {
        /* a domain behaves like its base type; its own typmod lives in typtypmod */
        rc = pmn_pg_catalog_resolve_type(c, base, base_typmod, out);
        if (rc < 0)
            return rc;
        out->oid = oid;
        snprintf(out->name, sizeof out->name, "%s", name);
        return 0;
    }
    memset(out, 0, sizeof *out);
    out->oid = oid;
    out->typmod = typmod;
    out->elem_typmod = -1;
    snprintf(out->name, sizeof out->name, "%s", name);
    if (typtype == 'e') {
        out->kind = PMN_PG_ENUM;
    } else if (category == 'A' && elem != 0) {
        pmn_pg_type et;
        rc = pmn_pg_catalog_resolve_type(c, elem, typmod, &et);
        if (rc < 0)
            return rc;
        out->kind = PMN_PG_ARRAY;
        out->typmod = -1;
        out->elem_kind = et.kind == PMN_PG_ARRAY ? PMN_PG_OTHER : et.kind;
        out->elem_typmod = et.typmod;
        snprintf(out->elem_name, sizeof out->elem_name, "%s", et.name);
    } else if (typtype == 'b') {
        out->kind = pmn_pgtypes_kind_by_name(name);
    } else {
        out->kind = PMN_PG_OTHER; /* composite, range, multirange, pseudo */
    }
    return 0;
}

int pmn_pg_catalog_resolver(void *ctx, uint32_t oid, int32_t typmod, pmn_pg_type *out)
{
    return pmn_pg_catalog_resolve_type(ctx, oid, typmod, out);
}

static void free_columns(pmn_pg_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].type_name);
        pmn_type_free(t->cols[i].type);
    }
    free(t->cols);
    free(t->pk);
    t->cols = NULL;
    t->pk = NULL;
    t->ncols = t->npk = 0;
}

int pmn_pg_catalog_describe(pmn_pgconn *c, pmn_pg_table *t, const pmn_type_mapping *tm)
{
    char oid_s[16];
    snprintf(oid_s, sizeof oid_s, "%" PRIu32, t->relid);
    const char *params[1] = {oid_s};
    pmn_pgresult *cols = NULL, *pk = NULL;
    free_columns(t);
    int rc = pmn_pgconn_query(c, &cols, "reading source columns", SQL_COLUMNS, 1, params);
    if (rc < 0)
        goto done;
    rc = pmn_pgconn_query(c, &pk, "reading the primary key", SQL_PK, 1, params);
    if (rc < 0)
        goto done;
    t->ncols = cols->nrows;
    t->cols = pmn_xcalloc((size_t)(t->ncols ? t->ncols : 1), sizeof *t->cols);
    for (int i = 0; i < t->ncols; i++) {
        pmn_pg_column *col = &t->cols[i];
        col->attnum = (int)strtol(pmn_pgresult_get(cols, i, 0), NULL, 10);
        col->name = pmn_xstrdup(pmn_pgresult_get(cols, i, 1));
        col->type_oid = (uint32_t)strtoul(pmn_pgresult_get(cols, i, 2), NULL, 10);
        col->typmod = (int32_t)strtol(pmn_pgresult_get(cols, i, 3), NULL, 10);
        col->not_null = pmn_pgresult_get(cols, i, 4)[0] == 't';
        col->type_name = pmn_xstrdup(pmn_pgresult_get(cols, i, 5));
        col->pk_pos = -1;
    }
    t->npk = pk->nrows;
    t->pk = pmn_xcalloc((size_t)(t->npk ? t->npk : 1), sizeof *t->pk);
    for (int k = 0; k < t->npk; k++) {
        int attnum = (int)strtol(pmn_pgresult_get(pk, k, 0), NULL, 10);
        t->pk[k] = -1;
        for (int i = 0; i < t->ncols; i++)
            if (t->cols[i].attnum == attnum) {
                t->pk[k] = i;
                t->cols[i].pk_pos = k;
            }
        if (t->pk[k] < 0) {
            rc = pmn_error_set(PMN_EPG,
                               "table %s.%s: primary-key column %d is not a visible "
                               "column",
                               t->schema, t->name, attnum);
            goto done;
        }
    }
    char qualified[160];
    snprintf(qualified, sizeof qualified, "%s.%s", t->schema, t->name);
    /* every column without a mapping is named at once, so one restart fixes them all */
    pmn_buf unmapped = PMN_BUF_INIT;
    int nunmapped = 0;
    for (int i = 0; i < t->ncols; i++) {
        pmn_pg_column *col = &t->cols[i];
        rc = pmn_pg_catalog_resolve_type(c, col->type_oid, col->typmod, &col->pgtype);
        if (rc < 0)
            break;
        snprintf(col->pgtype.name, sizeof col->pgtype.name, "%s", col->type_name);
        rc = pmn_pgtypes_map(&col->type, &col->pgtype, tm, col->not_null, col->pk_pos >= 0,
                             qualified, col->name);
        if (rc == PMN_EINVALID) {
            pmn_buf_printf(&unmapped, "%s%s", nunmapped++ ? "; " : "", pmn_error_last());
            pmn_error_clear();
            rc = 0;
        } else if (rc < 0) {
            break;
        }
    }
    if (rc == 0 && nunmapped > 1)
        rc = pmn_error_set(PMN_EINVALID, "%d columns cannot be synced: %s", nunmapped,
                           pmn_buf_cstr(&unmapped));
    else if (rc == 0 && nunmapped == 1)
        rc = pmn_error_set(PMN_EINVALID, "%s", pmn_buf_cstr(&unmapped));
    pmn_buf_dispose(&unmapped);
done:
    pmn_pgresult_free(cols);
    pmn_pgresult_free(pk);
    return rc;
}

pmn_change_relation *pmn_pg_table_relation(const pmn_pg_table *t)
{
    pmn_change_relation *rel = pmn_xcalloc(1, sizeof *rel);
    rel->relid = t->relid;
    rel->schema = pmn_xstrdup(t->schema);
    rel->name = pmn_xstrdup(t->name);
    rel->replident = t->replident;
    rel->ncols = t->ncols;
    rel->version = 1;
    rel->cols = pmn_xcalloc((size_t)(t->ncols ? t->ncols : 1), sizeof *rel->cols);
    for (int i = 0; i < t->ncols; i++) {
        rel->cols[i].name = pmn_xstrdup(t->cols[i].name);
        rel->cols[i].type = t->cols[i].type ? pmn_type_copy(t->cols[i].type) : NULL;
        rel->cols[i].is_key = t->cols[i].pk_pos >= 0;
        rel->cols[i].pg_type_oid = t->cols[i].type_oid;
        rel->cols[i].pg_typmod = t->cols[i].typmod;
    }
    return rel;
}

char *pmn_pg_table_qualified(pmn_pgconn *c, const pmn_pg_table *t)
{
    char *s = pmn_pgconn_quote_ident(c, t->schema);
    char *n = pmn_pgconn_quote_ident(c, t->name);
    char *q = pmn_xasprintf("%s.%s", s, n);
    free(s);
    free(n);
    return q;
}

void pmn_pg_table_free(pmn_pg_table *t)
{
    if (!t)
        return;
    free_columns(t);
    free(t->schema);
    free(t->name);
    free(t);
}

void pmn_pg_tables_free(pmn_pg_table **tables, size_t n)
{
    if (!tables)
        return;
    for (size_t i = 0; i < n; i++)
        pmn_pg_table_free(tables[i]);
    free(tables);
}
