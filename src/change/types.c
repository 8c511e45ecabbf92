/*
 * src/change/types.c
 *
 * Construction, copy and comparison of the type model; see types.h.
 */
#include "change/types.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

pmn_type *pmn_type_new(pmn_type_root root)
{
    pmn_type *t = pmn_xcalloc(1, sizeof *t);
    t->root = root;
    t->nullable = true;
    switch (root) {
    case PMN_TYPE_DECIMAL:
        t->precision = 10;
        t->scale = 0;
        break;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_BINARY:
        t->length = 1;
        break;
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_VARBINARY:
        t->length = PMN_MAX_LENGTH;
        break;
    case PMN_TYPE_TIME:
        t->precision = 0;
        break;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        t->precision = 6;
        break;
    default:
        break;
    }
    return t;
}

pmn_type *pmn_type_decimal(int32_t precision, int32_t scale)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_DECIMAL);
    t->precision = precision;
    t->scale = scale;
    return t;
}

pmn_type *pmn_type_varchar(int32_t length)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_VARCHAR);
    t->length = length;
    return t;
}

pmn_type *pmn_type_timestamp(pmn_type_root root, int32_t precision)
{
    pmn_type *t = pmn_type_new(root);
    t->precision = precision;
    return t;
}

pmn_type *pmn_type_array(pmn_type *elem)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_ARRAY);
    t->elem = elem;
    return t;
}

pmn_type *pmn_type_map(pmn_type *key, pmn_type *value)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_MAP);
    t->key = key;
    t->value = value;
    return t;
}

pmn_type *pmn_type_row(void)
{
    return pmn_type_new(PMN_TYPE_ROW);
}

pmn_field *pmn_type_row_add(pmn_type *row, int32_t id, const char *name, pmn_type *type)
{
    row->fields = pmn_xrealloc(row->fields, (size_t)(row->nfields + 1) * sizeof *row->fields);
    pmn_field *f = &row->fields[row->nfields++];
    f->id = id;
    f->name = pmn_xstrdup(name);
    f->type = type;
    f->description = NULL;
    return f;
}

pmn_type *pmn_type_not_null(pmn_type *t)
{
    t->nullable = false;
    return t;
}

pmn_type *pmn_type_copy(const pmn_type *t)
{
    if (!t)
        return NULL;
    pmn_type *c = pmn_xmalloc(sizeof *c);
    *c = *t;
    c->elem = pmn_type_copy(t->elem);
    c->key = pmn_type_copy(t->key);
    c->value = pmn_type_copy(t->value);
    c->fields = NULL;
    if (t->nfields) {
        c->fields = pmn_xcalloc((size_t)t->nfields, sizeof *c->fields);
        for (int32_t i = 0; i < t->nfields; i++) {
            c->fields[i].id = t->fields[i].id;
            c->fields[i].name = pmn_xstrdup(t->fields[i].name);
            c->fields[i].type = pmn_type_copy(t->fields[i].type);
            c->fields[i].description =
                t->fields[i].description ? pmn_xstrdup(t->fields[i].description) : NULL;
        }
    }
    return c;
}

void pmn_type_free(pmn_type *t)
{
    if (!t)
        return;
    pmn_type_free(t->elem);
    pmn_type_free(t->key);
    pmn_type_free(t->value);
    for (int32_t i = 0; i < t->nfields; i++) {
        free(t->fields[i].name);
        free(t->fields[i].description);
        pmn_type_free(t->fields[i].type);
    }
    free(t->fields);
    free(t);
}

bool pmn_type_equal(const pmn_type *a, const pmn_type *b)
{
    if (!a || !b)
        return a == b;
    if (a->root != b->root || a->nullable != b->nullable || a->length != b->length ||
        a->precision != b->precision || a->scale != b->scale || a->nfields != b->nfields)
        return false;
    if (!pmn_type_equal(a->elem, b->elem) || !pmn_type_equal(a->key, b->key) ||
        !pmn_type_equal(a->value, b->value))
        return false;
    for (int32_t i = 0; i < a->nfields; i++) {
        if (a->fields[i].id != b->fields[i].id || strcmp(a->fields[i].name, b->fields[i].name) ||
            !pmn_type_equal(a->fields[i].type, b->fields[i].type))
            return false;
    }
    return true;
}

int pmn_type_find_field(const pmn_type *row, const char *name)
{
    for (int32_t i = 0; i < row->nfields; i++)
        if (strcmp(row->fields[i].name, name) == 0)
            return i;
    return -1;
}

bool pmn_type_is_string(const pmn_type *t)
{
    return t->root == PMN_TYPE_CHAR || t->root == PMN_TYPE_VARCHAR;
}

bool pmn_type_is_binary(const pmn_type *t)
{
    return t->root == PMN_TYPE_BINARY || t->root == PMN_TYPE_VARBINARY;
}
