/*
 * src/format/avro_schema.c
 *
 * Parsing Avro schema JSON (Avro 1.11 spec, "Schema Declaration") into a
 * pmn_avro_schema graph: primitives, records/errors, enums, arrays, maps,
 * unions, fixed, with logicalType/precision/scale attributes. Named types get
 * full names (explicit dotted name, else `namespace`, else the enclosing
 * namespace) and may be referenced by name after their definition, so the
 * result is a graph; every node lives in one arena owned by the root.
 */
#include "format/avro_internal.h"

#include "util/alloc.h"
#include "util/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The root handed out is the first member, so pmn_avro_schema_free can find the arena. */
typedef struct schema_root {
    pmn_avro_schema s;
    pmn_arena arena;
} schema_root;

typedef struct named_type {
    const char *fullname;
    pmn_avro_schema *node;
} named_type;

typedef struct parse_ctx {
    pmn_arena *arena;
    named_type *named;
    size_t nnamed, capnamed;
} parse_ctx;

static const struct {
    const char *name;
    pmn_avro_kind kind;
} primitives[] = {
    {"null", PMN_AVRO_NULL},   {"boolean", PMN_AVRO_BOOLEAN}, {"int", PMN_AVRO_INT},
    {"long", PMN_AVRO_LONG},   {"float", PMN_AVRO_FLOAT},     {"double", PMN_AVRO_DOUBLE},
    {"bytes", PMN_AVRO_BYTES}, {"string", PMN_AVRO_STRING},
};

static int primitive_kind(const char *name, pmn_avro_kind *kind)
{
    for (size_t i = 0; i < sizeof primitives / sizeof primitives[0]; i++) {
        if (strcmp(primitives[i].name, name) == 0) {
            *kind = primitives[i].kind;
            return 1;
        }
    }
    return 0;
}

static pmn_avro_schema *new_node(parse_ctx *ctx, pmn_avro_kind kind)
{
    pmn_avro_schema *s = pmn_arena_alloc(ctx->arena, sizeof *s);
    s->kind = kind;
    return s;
}

static pmn_avro_schema *lookup(parse_ctx *ctx, const char *name, const char *ns)
{
    char *qualified = NULL;
    if (!strchr(name, '.') && ns && *ns)
        qualified = pmn_xasprintf("%s.%s", ns, name);
    pmn_avro_schema *found = NULL;
    for (size_t i = 0; i < ctx->nnamed && !found; i++) {
        if (qualified && strcmp(ctx->named[i].fullname, qualified) == 0)
            found = ctx->named[i].node;
    }
    for (size_t i = 0; i < ctx->nnamed && !found; i++) {
        if (strcmp(ctx->named[i].fullname, name) == 0)
            found = ctx->named[i].node;
    }
    free(qualified);
    return found;
}

/* Full name and namespace of a named type per the spec's resolution rules. */
static int name_type(parse_ctx *ctx, json_t *obj, const char *enclosing_ns, pmn_avro_schema *node,
                     const char **ns_out)
{
    const char *name = json_string_value(json_object_get(obj, "name"));
    if (!name || !*name)
        return pmn_error_set(PMN_ECORRUPT, "avro schema: named type without a name");
    const char *dot = strrchr(name, '.');
    const char *fullname;
    const char *ns;
    if (dot) {
        fullname = pmn_arena_strdup(ctx->arena, name);
        ns = pmn_arena_strndup(ctx->arena, name, (size_t)(dot - name));
    } else {
        json_t *nsj = json_object_get(obj, "namespace");
        ns = nsj && json_is_string(nsj) ? json_string_value(nsj) : enclosing_ns;
        if (ns && *ns) {
            char *tmp = pmn_xasprintf("%s.%s", ns, name);
            fullname = pmn_arena_strdup(ctx->arena, tmp);
            free(tmp);
            ns = pmn_arena_strdup(ctx->arena, ns);
        } else {
            fullname = pmn_arena_strdup(ctx->arena, name);
            ns = NULL;
        }
    }
    for (size_t i = 0; i < ctx->nnamed; i++) {
        if (strcmp(ctx->named[i].fullname, fullname) == 0)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: type %s defined twice", fullname);
    }
    PMN_GROW(ctx->named, ctx->capnamed, ctx->nnamed + 1);
    ctx->named[ctx->nnamed].fullname = fullname;
    ctx->named[ctx->nnamed].node = node;
    ctx->nnamed++;
    node->name = (char *)fullname;
    *ns_out = ns;
    return 0;
}

static int parse_node(parse_ctx *ctx, json_t *j, const char *ns, int depth, pmn_avro_schema **out);

static int parse_object(parse_ctx *ctx, json_t *j, const char *ns, int depth, pmn_avro_schema **out)
{
    json_t *typej = json_object_get(j, "type");
    if (!typej)
        return pmn_error_set(PMN_ECORRUPT, "avro schema: object without \"type\"");
    if (!json_is_string(typej)) /* {"type": {...}} or {"type": [...]} */
        return parse_node(ctx, typej, ns, depth + 1, out);
    const char *type = json_string_value(typej);
    pmn_avro_kind kind;
    pmn_avro_schema *s;

    if (primitive_kind(type, &kind)) {
        s = new_node(ctx, kind);
    } else if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
        s = new_node(ctx, PMN_AVRO_RECORD);
        const char *inner_ns;
        int rc = name_type(ctx, j, ns, s, &inner_ns);
        if (rc)
            return rc;
        json_t *fields = json_object_get(j, "fields");
        if (!json_is_array(fields))
            return pmn_error_set(PMN_ECORRUPT, "avro schema: record %s without fields", s->name);
        size_t n = json_array_size(fields);
        s->children = pmn_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *s->children);
        s->field_names = pmn_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *s->field_names);
        for (size_t i = 0; i < n; i++) {
            json_t *f = json_array_get(fields, i);
            const char *fname = json_string_value(json_object_get(f, "name"));
            json_t *ftype = json_object_get(f, "type");
            if (!fname || !ftype)
                return pmn_error_set(PMN_ECORRUPT,
                                     "avro schema: field %zu of record %s lacks name or type", i,
                                     s->name);
            s->field_names[i] = pmn_arena_strdup(ctx->arena, fname);
            rc = parse_node(ctx, ftype, inner_ns, depth + 1, &s->children[i]);
            if (rc)
                return pmn_error_wrap("field %s: ", fname);
            s->nchildren = (int32_t)i + 1;
        }
    } else if (strcmp(type, "enum") == 0) {
        s = new_node(ctx, PMN_AVRO_ENUM);
        const char *inner_ns;
        int rc = name_type(ctx, j, ns, s, &inner_ns);
        if (rc)
            return rc;
        json_t *symbols = json_object_get(j, "symbols");
        if (!json_is_array(symbols))
            return pmn_error_set(PMN_ECORRUPT, "avro schema: enum %s without symbols", s->name);
        s->nsymbols = (int32_t)json_array_size(symbols);
    } else if (strcmp(type, "fixed") == 0) {
        s = new_node(ctx, PMN_AVRO_FIXED);
        const char *inner_ns;
        int rc = name_type(ctx, j, ns, s, &inner_ns);
        if (rc)
            return rc;
        json_t *size = json_object_get(j, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0 ||
            json_integer_value(size) > INT32_MAX)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: fixed %s without a valid size",
                                 s->name);
        s->fixed_size = (int32_t)json_integer_value(size);
    } else if (strcmp(type, "array") == 0 || strcmp(type, "map") == 0) {
        bool is_array = type[0] == 'a';
        s = new_node(ctx, is_array ? PMN_AVRO_ARRAY : PMN_AVRO_MAP);
        json_t *item = json_object_get(j, is_array ? "items" : "values");
        if (!item)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: %s without \"%s\"", type,
                                 is_array ? "items" : "values");
        s->children = pmn_arena_alloc(ctx->arena, sizeof *s->children);
        s->nchildren = 1;
        int rc = parse_node(ctx, item, ns, depth + 1, &s->children[0]);
        if (rc)
            return rc;
    } else {
        /* {"type": "SomeName"}: a reference with (ignored) attributes */
        pmn_avro_schema *ref = lookup(ctx, type, ns);
        if (!ref)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: unknown type \"%s\"", type);
        *out = ref;
        return 0;
    }

    json_t *lt = json_object_get(j, "logicalType");
    if (json_is_string(lt))
        s->logical_type = pmn_arena_strdup(ctx->arena, json_string_value(lt));
    json_t *prec = json_object_get(j, "precision");
    if (json_is_integer(prec))
        s->precision = (int32_t)json_integer_value(prec);
    json_t *scale = json_object_get(j, "scale");
    if (json_is_integer(scale))
        s->scale = (int32_t)json_integer_value(scale);
    *out = s;
    return 0;
}

static int parse_node(parse_ctx *ctx, json_t *j, const char *ns, int depth, pmn_avro_schema **out)
{
    if (depth > PMN_AVRO_MAX_DEPTH)
        return pmn_error_set(PMN_ECORRUPT, "avro schema: nested deeper than %d levels",
                             PMN_AVRO_MAX_DEPTH);
    if (json_is_string(j)) {
        const char *name = json_string_value(j);
        pmn_avro_kind kind;
        if (primitive_kind(name, &kind)) {
            *out = new_node(ctx, kind);
            return 0;
        }
        pmn_avro_schema *ref = lookup(ctx, name, ns);
        if (!ref)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: unknown type \"%s\"", name);
        *out = ref;
        return 0;
    }
    if (json_is_array(j)) {
        size_t n = json_array_size(j);
        if (n == 0)
            return pmn_error_set(PMN_ECORRUPT, "avro schema: empty union");
        pmn_avro_schema *s = new_node(ctx, PMN_AVRO_UNION);
        s->children = pmn_arena_alloc(ctx->arena, n * sizeof *s->children);
        for (size_t i = 0; i < n; i++) {
            int rc = parse_node(ctx, json_array_get(j, i), ns, depth + 1, &s->children[i]);
            if (rc)
                return rc;
            if (s->children[i]->kind == PMN_AVRO_UNION)
                return pmn_error_set(PMN_ECORRUPT, "avro schema: union directly inside a union");
            s->nchildren = (int32_t)i + 1;
        }
        *out = s;
        return 0;
    }
    if (json_is_object(j))
        return parse_object(ctx, j, ns, depth, out);
    return pmn_error_set(PMN_ECORRUPT, "avro schema: unexpected JSON value");
}

int pmn_avro_schema_parse(const char *json, size_t len, pmn_avro_schema **out)
{
    *out = NULL;
    json_error_t jerr;
    json_t *j = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    if (!j)
        return pmn_error_set(PMN_ECORRUPT, "avro schema: invalid JSON at line %d: %s", jerr.line,
                             jerr.text);
    schema_root *root = pmn_xcalloc(1, sizeof *root);
    pmn_arena_init(&root->arena);
    parse_ctx ctx = {.arena = &root->arena};
    pmn_avro_schema *top = NULL;
    int rc = parse_node(&ctx, j, NULL, 0, &top);
    json_decref(j);
    free(ctx.named);
    if (rc) {
        pmn_arena_free(&root->arena);
        free(root);
        return rc;
    }
    /* The root struct is a copy of the top node; nodes referring back to the top (a recursive
     * record) keep pointing at the arena copy, which stays alive as long as the root. */
    root->s = *top;
    *out = &root->s;
    return 0;
}

void pmn_avro_schema_free(pmn_avro_schema *s)
{
    if (!s)
        return;
    schema_root *root = (schema_root *)s;
    pmn_arena_free(&root->arena);
    free(root);
}

/* ---- Avro schema -> Paimon type ---- */

static bool lt_is(const pmn_avro_schema *s, const char *name)
{
    return s->logical_type && strcmp(s->logical_type, name) == 0;
}

static int to_type(const pmn_avro_schema *s, int depth, int32_t *next_id, pmn_type **out);

static int record_to_row(const pmn_avro_schema *s, int depth, int32_t *next_id, pmn_type **out)
{
    pmn_type *row = pmn_type_row();
    for (int32_t i = 0; i < s->nchildren; i++) {
        pmn_type *ft = NULL;
        int32_t id = (*next_id)++;
        int rc = to_type(s->children[i], depth + 1, next_id, &ft);
        if (rc) {
            pmn_type_free(row);
            return pmn_error_wrap("field %s: ", s->field_names[i]);
        }
        pmn_type_row_add(row, id, s->field_names[i], ft);
    }
    *out = row;
    return 0;
}

static int to_type(const pmn_avro_schema *s, int depth, int32_t *next_id, pmn_type **out)
{
    if (depth > PMN_AVRO_MAX_DEPTH)
        return pmn_error_set(PMN_EINVALID, "avro schema: nested too deeply (recursive type?)");
    bool nullable = false;
    if (s->kind == PMN_AVRO_UNION) {
        const pmn_avro_schema *value = NULL;
        for (int32_t i = 0; i < s->nchildren; i++) {
            if (s->children[i]->kind == PMN_AVRO_NULL)
                nullable = true;
            else if (value)
                return pmn_error_set(PMN_EINVALID,
                                     "avro schema: union of several non-null types unsupported");
            else
                value = s->children[i];
        }
        if (!value)
            return pmn_error_set(PMN_EINVALID, "avro schema: union of only null unsupported");
        s = value;
    }
    pmn_type *t = NULL;
    switch (s->kind) {
    case PMN_AVRO_BOOLEAN:
        t = pmn_type_new(PMN_TYPE_BOOLEAN);
        break;
    case PMN_AVRO_INT:
        if (lt_is(s, "date"))
            t = pmn_type_new(PMN_TYPE_DATE);
        else if (lt_is(s, "time-millis"))
            t = pmn_type_timestamp(PMN_TYPE_TIME, 3);
        else
            t = pmn_type_new(PMN_TYPE_INT);
        break;
    case PMN_AVRO_LONG:
        if (lt_is(s, "timestamp-millis"))
            t = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3);
        else if (lt_is(s, "timestamp-micros"))
            t = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6);
        else if (lt_is(s, "local-timestamp-millis"))
            t = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3);
        else if (lt_is(s, "local-timestamp-micros"))
            t = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6);
        else if (lt_is(s, "time-micros"))
            t = pmn_type_timestamp(PMN_TYPE_TIME, 6);
        else
            t = pmn_type_new(PMN_TYPE_BIGINT);
        break;
    case PMN_AVRO_FLOAT:
        t = pmn_type_new(PMN_TYPE_FLOAT);
        break;
    case PMN_AVRO_DOUBLE:
        t = pmn_type_new(PMN_TYPE_DOUBLE);
        break;
    case PMN_AVRO_BYTES:
    case PMN_AVRO_FIXED:
        if (lt_is(s, "decimal")) {
            if (s->precision < 1 || s->precision > 38 || s->scale < 0 || s->scale > s->precision)
                return pmn_error_set(PMN_EINVALID, "avro schema: decimal(%d,%d) unsupported",
                                     s->precision, s->scale);
            t = pmn_type_decimal(s->precision, s->scale);
        } else if (s->kind == PMN_AVRO_FIXED) {
            t = pmn_type_new(PMN_TYPE_BINARY);
            t->length = s->fixed_size;
        } else {
            t = pmn_type_new(PMN_TYPE_VARBINARY);
        }
        break;
    case PMN_AVRO_STRING:
        t = pmn_type_new(PMN_TYPE_VARCHAR);
        break;
    case PMN_AVRO_RECORD: {
        int rc = record_to_row(s, depth, next_id, &t);
        if (rc)
            return rc;
        break;
    }
    case PMN_AVRO_ARRAY: {
        const pmn_avro_schema *item = s->children[0];
        if (lt_is(s, "map") && item->kind == PMN_AVRO_RECORD && item->nchildren == 2 &&
            strcmp(item->field_names[0], "key") == 0 &&
            strcmp(item->field_names[1], "value") == 0) {
            pmn_type *k = NULL, *v = NULL;
            int rc = to_type(item->children[0], depth + 1, next_id, &k);
            if (rc == 0)
                rc = to_type(item->children[1], depth + 1, next_id, &v);
            if (rc) {
                pmn_type_free(k);
                return rc;
            }
            t = pmn_type_map(k, v);
        } else {
            pmn_type *e = NULL;
            int rc = to_type(item, depth + 1, next_id, &e);
            if (rc)
                return rc;
            t = pmn_type_array(e);
        }
        break;
    }
    case PMN_AVRO_MAP: {
        pmn_type *v = NULL;
        int rc = to_type(s->children[0], depth + 1, next_id, &v);
        if (rc)
            return rc;
        t = pmn_type_map(pmn_type_not_null(pmn_type_new(PMN_TYPE_VARCHAR)), v);
        break;
    }
    case PMN_AVRO_NULL:
    case PMN_AVRO_ENUM:
    case PMN_AVRO_UNION:
        return pmn_error_set(PMN_EINVALID, "avro schema: %s has no Paimon type",
                             s->kind == PMN_AVRO_ENUM ? "enum" : "null");
    }
    t->nullable = nullable;
    *out = t;
    return 0;
}

int pmn_avro_schema_to_row(const pmn_avro_schema *s, pmn_type **out)
{
    *out = NULL;
    if (s->kind == PMN_AVRO_UNION) {
        for (int32_t i = 0; i < s->nchildren; i++) {
            if (s->children[i]->kind == PMN_AVRO_RECORD)
                s = s->children[i];
        }
    }
    if (s->kind != PMN_AVRO_RECORD)
        return pmn_error_set(PMN_EINVALID, "avro schema: top level is not a record");
    int32_t next_id = 0;
    int rc = record_to_row(s, 0, &next_id, out);
    if (rc == 0)
        (*out)->nullable = false;
    return rc;
}
