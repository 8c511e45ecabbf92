/*
 * src/table/alter.c
 *
 * Schema evolution (Java SchemaManager.commitChanges): apply changes to the
 * latest schema and write them as schema-(N+1) with create-if-absent; a
 * concurrent writer of the same id makes us reload and retry. Data files keep
 * their own schema id; readers map them by field id (scan.c).
 */
#include "table/table_internal.h"

#include "paimon/data_type_json.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int int_rank(pmn_type_root r)
{
    switch (r) {
    case PMN_TYPE_TINYINT:
        return 1;
    case PMN_TYPE_SMALLINT:
        return 2;
    case PMN_TYPE_INT:
        return 3;
    case PMN_TYPE_BIGINT:
        return 4;
    default:
        return 0;
    }
}

/* widening: `to` can hold every value of `from` (nullability aside). */
static bool widening(const pmn_type *from, const pmn_type *to)
{
    if (from->root == to->root) {
        switch (from->root) {
        case PMN_TYPE_CHAR:
        case PMN_TYPE_VARCHAR:
        case PMN_TYPE_BINARY:
        case PMN_TYPE_VARBINARY:
            return to->length >= from->length;
        case PMN_TYPE_DECIMAL:
            return to->scale >= from->scale &&
                   to->precision - to->scale >= from->precision - from->scale;
        case PMN_TYPE_TIME:
        case PMN_TYPE_TIMESTAMP:
        case PMN_TYPE_TIMESTAMP_LTZ:
            return to->precision >= from->precision;
        case PMN_TYPE_ARRAY:
        case PMN_TYPE_MAP:
        case PMN_TYPE_MULTISET:
        case PMN_TYPE_ROW: {
            pmn_type a = *from, b = *to;
            a.nullable = b.nullable = true;
            return pmn_type_equal(&a, &b);
        }
        default:
            return true;
        }
    }
    int rf = int_rank(from->root), rt = int_rank(to->root);
    if (rf && rt)
        return rt >= rf;
    if (rf && to->root == PMN_TYPE_DOUBLE)
        return true;
    if (from->root == PMN_TYPE_FLOAT && to->root == PMN_TYPE_DOUBLE)
        return true;
    if (from->root == PMN_TYPE_CHAR && to->root == PMN_TYPE_VARCHAR)
        return to->length >= from->length;
    if (from->root == PMN_TYPE_BINARY && to->root == PMN_TYPE_VARBINARY)
        return to->length >= from->length;
    return false;
}

static bool is_key_column(const pmn_schema *s, const char *name)
{
    for (size_t i = 0; i < s->nprimary_keys; i++)
        if (!strcmp(s->primary_keys[i], name))
            return true;
    for (size_t i = 0; i < s->npartition_keys; i++)
        if (!strcmp(s->partition_keys[i], name))
            return true;
    return false;
}

static void remove_field(pmn_type *row, int idx)
{
    free(row->fields[idx].name);
    free(row->fields[idx].description);
    pmn_type_free(row->fields[idx].type);
    memmove(&row->fields[idx], &row->fields[idx + 1],
            sizeof *row->fields * (size_t)(row->nfields - idx - 1));
    row->nfields--;
}

static int assign_nested_ids(pmn_type *t, int32_t *next)
{
    if (!t)
        return 0;
    if (t->root == PMN_TYPE_ROW)
        for (int32_t i = 0; i < t->nfields; i++) {
            t->fields[i].id = ++*next;
            assign_nested_ids(t->fields[i].type, next);
        }
    assign_nested_ids(t->elem, next);
    assign_nested_ids(t->key, next);
    assign_nested_ids(t->value, next);
    return 0;
}

static int apply(const char *table, pmn_schema *s, const pmn_schema_change *c)
{
    int idx = c->name ? pmn_schema_field_index(s, c->name) : -1;
    switch (c->kind) {
    case PMN_SCHEMA_ADD_COLUMN: {
        if (!c->name || !c->type)
            return pmn_error_set(PMN_EINVALID, "table %s: add column needs a name and a type",
                                 table);
        if (idx >= 0)
            return pmn_error_set(PMN_EEXISTS, "table %s: column %s already exists", table,
                                 c->name);
        pmn_type *t = pmn_type_copy(c->type);
        t->nullable = true; /* existing rows have no value for it */
        int32_t id = ++s->highest_field_id;
        assign_nested_ids(t, &s->highest_field_id);
        pmn_field *f = pmn_type_row_add(s->row, id, c->name, t);
        if (c->value)
            f->description = pmn_xstrdup(c->value);
        return 0;
    }
    case PMN_SCHEMA_UPDATE_COLUMN_TYPE: {
        if (idx < 0)
            return pmn_error_set(PMN_EINVALID, "table %s: column %s does not exist", table,
                                 c->name);
        pmn_field *f = &s->row->fields[idx];
        if (pmn_type_equal(f->type, c->type))
            return 0;
        char *old = pmn_type_to_sql(f->type), *new = pmn_type_to_sql(c->type);
        int rc = 0;
        if (is_key_column(s, c->name))
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s: cannot change the type of key column %s from %s to %s",
                               table, c->name, old, new);
        else if (!widening(f->type, c->type) || (f->type->nullable && !c->type->nullable))
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s: cannot change column %s from %s to %s (only widening "
                               "changes are allowed)",
                               table, c->name, old, new);
        free(old);
        free(new);
        if (rc)
            return rc;
        int32_t keep_id = f->id;
        pmn_type_free(f->type);
        f->type = pmn_type_copy(c->type);
        f->id = keep_id;
        return 0;
    }
    case PMN_SCHEMA_RENAME_COLUMN:
        if (idx < 0)
            return pmn_error_set(PMN_EINVALID, "table %s: column %s does not exist", table,
                                 c->name);
        if (is_key_column(s, c->name))
            return pmn_error_set(PMN_EINVALID, "table %s: cannot rename key column %s", table,
                                 c->name);
        if (pmn_schema_field_index(s, c->new_name) >= 0)
            return pmn_error_set(PMN_EEXISTS, "table %s: column %s already exists", table,
                                 c->new_name);
        free(s->row->fields[idx].name);
        s->row->fields[idx].name = pmn_xstrdup(c->new_name);
        return 0;
    case PMN_SCHEMA_DROP_COLUMN:
        if (idx < 0)
            return pmn_error_set(PMN_EINVALID, "table %s: column %s does not exist", table,
                                 c->name);
        if (is_key_column(s, c->name))
            return pmn_error_set(PMN_EINVALID, "table %s: cannot drop key column %s", table,
                                 c->name);
        if (s->row->nfields == 1)
            return pmn_error_set(PMN_EINVALID, "table %s: cannot drop its last column", table);
        remove_field(s->row, idx);
        return 0;
    case PMN_SCHEMA_SET_OPTION:
        if (!strcmp(c->key, "bucket") && pmn_options_get(&s->options, "bucket") &&
            strcmp(pmn_options_get(&s->options, "bucket"), c->value) != 0)
            return pmn_error_set(PMN_EINVALID,
                                 "table %s: the bucket option cannot change (%s -> %s); create a "
                                 "new table and copy the rows",
                                 table, pmn_options_get(&s->options, "bucket"), c->value);
        if (!strcmp(c->key, "merge-engine") || !strcmp(c->key, "primary-key") ||
            !strcmp(c->key, "partition"))
            return pmn_error_set(PMN_EINVALID, "table %s: option %s cannot be changed", table,
                                 c->key);
        pmn_options_set(&s->options, c->key, c->value);
        return 0;
    case PMN_SCHEMA_REMOVE_OPTION:
        if (!strcmp(c->key, "bucket") || !strcmp(c->key, "file.format"))
            return pmn_error_set(PMN_EINVALID, "table %s: option %s cannot be reset", table,
                                 c->key);
        pmn_options_remove(&s->options, c->key);
        return 0;
    case PMN_SCHEMA_UPDATE_COMMENT:
        free(s->comment);
        s->comment = c->value ? pmn_xstrdup(c->value) : NULL;
        return 0;
    }
    return pmn_error_set(PMN_EINVALID, "table %s: unknown schema change", table);
}

int pmn_table_alter(pmn_table *t, const pmn_schema_change *changes, size_t n)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        int rc = pmn_table_reload(t);
        if (rc)
            return rc;
        pmn_schema *s = pmn_schema_copy(t->schema);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = apply(t->full_name, s, &changes[i]);
        if (rc == 0) {
            s->id = t->schema->id + 1;
            s->version = 3;
            s->time_millis = pmn_now_millis();
            rc = pmn_schema_commit(t->path, s);
        }
        pmn_schema_free(s);
        if (rc == PMN_EEXISTS && strstr(pmn_error_last(), "schema-"))
            continue; /* another process wrote that schema id first: re-read and retry */
        if (rc)
            return rc;
        return pmn_table_reload(t);
    }
    return pmn_error_set(PMN_ECONFLICT, "table %s: schema changed concurrently too many times",
                         t->full_name);
}
