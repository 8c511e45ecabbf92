/*
 * src/format/avro_datum.c
 *
 * Records of a writer schema <-> pmn_datums of a Paimon ROW type
 * (paimon-format.md §4.1, §14; the value table in include/pmn/types.h).
 * Reading follows Java Paimon's FieldReaderFactory: walk the writer schema,
 * match record fields by name (missing -> NULL, extra -> skipped), unions as
 * null-or-value. A read plan resolves all of that once per file, so decoding a
 * row is a loop over precomputed field ops. Strings and bytes point into the
 * block; only nested rows, arrays and maps take memory, from the caller's arena.
 * Writing is the exact inverse of pmn_avro_schema_for_row.
 */
#include "format/avro_internal.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef enum rp_op {
    RP_SKIP, /* writer field not requested: skip its whole schema */
    RP_NULL, /* writer type null: always NULL */
    RP_BOOL,
    RP_INT,     /* int -> v.i */
    RP_INT_I8,  /* int -> TINYINT, truncated like Java's (byte) cast */
    RP_INT_I16, /* int -> SMALLINT */
    RP_LONG,    /* long -> v.i */
    RP_F4,      /* float -> FLOAT */
    RP_F4_F8,   /* float -> DOUBLE */
    RP_F8,      /* double -> DOUBLE */
    RP_F8_F4,   /* double -> FLOAT */
    RP_BYTES,   /* string/bytes -> v.bin */
    RP_FIXED,   /* fixed -> v.bin */
    RP_DECIMAL, /* bytes + decimal -> v.dec */
    RP_DECIMAL_FIXED,
    RP_TS_MILLIS,   /* long millis -> v.ts */
    RP_TS_MICROS,   /* long micros -> v.ts (millis + nanos of milli) */
    RP_TIME_MICROS, /* long time-micros -> TIME millis */
    RP_RECORD,      /* record -> ROW: kids = one node per writer field */
    RP_ARRAY,       /* array -> ARRAY: kids[0] = element */
    RP_MAP,         /* map -> MAP/MULTISET: kids[0] = value */
    RP_ARRAY_MAP,   /* array of {key, value} -> MAP/MULTISET: kids[0] = entry record */
} rp_op;

typedef struct rp_node rp_node;
struct rp_node {
    uint8_t op;
    bool is_union;               /* the writer value is a union: read a branch index first */
    int32_t null_branch;         /* union branch meaning NULL, -1 if none */
    int32_t value_branch;        /* union branch holding the value */
    int32_t target;              /* RECORD kids: index of the requested field */
    int32_t fixed_size;          /* RP_FIXED, RP_DECIMAL_FIXED */
    pmn_i128 dec_mul;            /* decimal rescale factor (10^(target scale - writer scale)) */
    pmn_avro_skipper skip;       /* RP_SKIP */
    rp_node *kids;
    int32_t nkids;
    int32_t nout;     /* RECORD: fields of the requested ROW */
    int32_t *missing; /* RECORD: requested fields absent from the writer */
    int32_t nmissing;
};

struct pmn_avro_read_plan {
    pmn_arena arena; /* every node */
    rp_node top;
};

static const pmn_type multiset_count = {.root = PMN_TYPE_INT, .nullable = true};

static const char *type_name(const pmn_type *t)
{
    static const char *names[] = {
        "BOOLEAN",   "TINYINT",       "SMALLINT", "INT",      "BIGINT",    "FLOAT", "DOUBLE",
        "DECIMAL",   "CHAR",          "VARCHAR",  "BINARY",   "VARBINARY", "DATE",  "TIME",
        "TIMESTAMP", "TIMESTAMP_LTZ", "ARRAY",    "MULTISET", "MAP",       "ROW",
    };
    return (size_t)t->root < sizeof names / sizeof names[0] ? names[t->root] : "?";
}

static const char *kind_name(const pmn_avro_schema *s)
{
    static const char *names[] = {"null",   "boolean", "int",  "long",  "float", "double", "bytes",
                                  "string", "record",  "enum", "array", "map",   "union",  "fixed"};
    return (size_t)s->kind < sizeof names / sizeof names[0] ? names[s->kind] : "?";
}

static bool lt_is(const pmn_avro_schema *s, const char *name)
{
    return s->logical_type && strcmp(s->logical_type, name) == 0;
}

static int mismatch(const pmn_avro_schema *w, const pmn_type *t)
{
    return pmn_error_set(PMN_EINVALID, "avro %s%s%s cannot be read as %s", kind_name(w),
                         w->logical_type ? "/" : "", w->logical_type ? w->logical_type : "",
                         type_name(t));
}

static int build(pmn_avro_read_plan *plan, const pmn_avro_schema *w, const pmn_type *t, rp_node *n,
                 int depth);

static int build_record(pmn_avro_read_plan *plan, const pmn_avro_schema *w, const pmn_type *t,
                        rp_node *n, int depth)
{
    n->op = RP_RECORD;
    n->nkids = w->nchildren;
    n->kids =
        pmn_arena_alloc(&plan->arena, (size_t)(w->nchildren ? w->nchildren : 1) * sizeof *n->kids);
    n->nout = t->nfields;
    bool *seen = pmn_xcalloc((size_t)(t->nfields ? t->nfields : 1), sizeof *seen);
    int rc = 0;
    for (int32_t i = 0; i < w->nchildren && rc == 0; i++) {
        rp_node *k = &n->kids[i];
        int target = pmn_type_find_field(t, w->field_names[i]);
        if (target < 0 || seen[target]) {
            k->op = RP_SKIP;
            pmn_avro__skipper_init(&k->skip, w->children[i]);
            k->target = -1;
            continue;
        }
        seen[target] = true;
        k->target = target;
        rc = build(plan, w->children[i], t->fields[target].type, k, depth + 1);
        if (rc)
            pmn_error_wrap("field %s: ", w->field_names[i]);
    }
    if (rc == 0) {
        n->missing = pmn_arena_alloc(&plan->arena,
                                     (size_t)(t->nfields ? t->nfields : 1) * sizeof *n->missing);
        for (int32_t i = 0; i < t->nfields; i++) {
            if (!seen[i])
                n->missing[n->nmissing++] = i;
        }
    }
    free(seen);
    return rc;
}

static int build_map(pmn_avro_read_plan *plan, const pmn_avro_schema *w, const pmn_type *t,
                     rp_node *n, int depth)
{
    const pmn_type *key = t->root == PMN_TYPE_MAP ? t->key : t->elem;
    const pmn_type *value = t->root == PMN_TYPE_MAP ? t->value : &multiset_count;
    n->nkids = 1;
    n->kids = pmn_arena_alloc(&plan->arena, sizeof *n->kids);
    if (w->kind == PMN_AVRO_MAP) {
        if (key->root != PMN_TYPE_CHAR && key->root != PMN_TYPE_VARCHAR)
            return pmn_error_set(PMN_EINVALID,
                                 "avro map (string keys) cannot be read as %s "
                                 "with %s keys",
                                 type_name(t), type_name(key));
        n->op = RP_MAP;
        return build(plan, w->children[0], value, &n->kids[0], depth + 1);
    }
    /* array of {key, value} records, possibly union-wrapped */
    n->op = RP_ARRAY_MAP;
    const pmn_avro_schema *entry = w->children[0];
    rp_node *e = &n->kids[0];
    if (entry->kind == PMN_AVRO_UNION) {
        int rc = build(plan, entry, NULL, e, depth + 1); /* only sets the union fields */
        if (rc)
            return rc;
        entry = entry->children[e->value_branch];
    }
    if (entry->kind != PMN_AVRO_RECORD)
        return mismatch(w, t);
    pmn_type *kv = pmn_type_row();
    pmn_type_row_add(kv, 0, "key", pmn_type_copy(key));
    pmn_type_row_add(kv, 1, "value", pmn_type_copy(value));
    int rc = build_record(plan, entry, kv, e, depth + 1);
    pmn_type_free(kv);
    return rc;
}

static int build(pmn_avro_read_plan *plan, const pmn_avro_schema *w, const pmn_type *t, rp_node *n,
                 int depth)
{
    if (depth > PMN_AVRO_MAX_DEPTH)
        return pmn_error_set(PMN_EINVALID, "avro: type nested too deeply");
    n->null_branch = -1;
    n->dec_mul = 1;
    if (w->kind == PMN_AVRO_UNION) {
        n->is_union = true;
        n->value_branch = -1;
        for (int32_t i = 0; i < w->nchildren; i++) {
            if (w->children[i]->kind == PMN_AVRO_NULL && n->null_branch < 0)
                n->null_branch = i;
            else if (n->value_branch < 0)
                n->value_branch = i;
            else
                return pmn_error_set(PMN_EINVALID, "avro union with more than one non-null branch");
        }
        if (n->value_branch < 0) {
            n->op = RP_NULL;
            n->value_branch = n->null_branch;
            return 0;
        }
        w = w->children[n->value_branch];
    }
    if (!t) /* build_map: union analysis only */
        return 0;
    if (w->kind == PMN_AVRO_NULL) {
        n->op = RP_NULL;
        return 0;
    }
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        if (w->kind != PMN_AVRO_BOOLEAN)
            return mismatch(w, t);
        n->op = RP_BOOL;
        return 0;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE:
        if (w->kind == PMN_AVRO_INT) {
            n->op = t->root == PMN_TYPE_TINYINT    ? RP_INT_I8
                    : t->root == PMN_TYPE_SMALLINT ? RP_INT_I16
                                                   : RP_INT;
            return 0;
        }
        if (w->kind == PMN_AVRO_LONG && t->root == PMN_TYPE_BIGINT) {
            n->op = RP_LONG;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_TIME:
        if (w->kind == PMN_AVRO_INT) {
            n->op = RP_INT;
            return 0;
        }
        if (w->kind == PMN_AVRO_LONG && lt_is(w, "time-micros")) {
            n->op = RP_TIME_MICROS;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_FLOAT:
        if (w->kind == PMN_AVRO_FLOAT || w->kind == PMN_AVRO_DOUBLE) {
            n->op = w->kind == PMN_AVRO_FLOAT ? RP_F4 : RP_F8_F4;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_DOUBLE:
        if (w->kind == PMN_AVRO_FLOAT || w->kind == PMN_AVRO_DOUBLE) {
            n->op = w->kind == PMN_AVRO_FLOAT ? RP_F4_F8 : RP_F8;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        if (w->kind == PMN_AVRO_STRING || w->kind == PMN_AVRO_BYTES) {
            n->op = RP_BYTES;
            return 0;
        }
        if (w->kind == PMN_AVRO_FIXED) {
            n->op = RP_FIXED;
            n->fixed_size = w->fixed_size;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_DECIMAL:
        if ((w->kind == PMN_AVRO_BYTES || w->kind == PMN_AVRO_FIXED) && lt_is(w, "decimal")) {
            if (w->scale > t->scale || t->scale - w->scale > 38)
                return pmn_error_set(PMN_EINVALID,
                                     "avro decimal(%d,%d) cannot be read as DECIMAL(%d,%d)",
                                     w->precision, w->scale, t->precision, t->scale);
            for (int32_t i = w->scale; i < t->scale; i++)
                n->dec_mul *= 10;
            n->op = w->kind == PMN_AVRO_BYTES ? RP_DECIMAL : RP_DECIMAL_FIXED;
            n->fixed_size = w->fixed_size;
            return 0;
        }
        return mismatch(w, t);
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        if (w->kind != PMN_AVRO_LONG)
            return mismatch(w, t);
        if (lt_is(w, "timestamp-millis") || lt_is(w, "local-timestamp-millis"))
            n->op = RP_TS_MILLIS;
        else if (lt_is(w, "timestamp-micros") || lt_is(w, "local-timestamp-micros"))
            n->op = RP_TS_MICROS;
        else if (!w->logical_type) /* plain long: the unit Paimon would have written */
            n->op = t->precision <= 3 ? RP_TS_MILLIS : RP_TS_MICROS;
        else
            return mismatch(w, t);
        return 0;
    case PMN_TYPE_ROW:
        if (w->kind != PMN_AVRO_RECORD)
            return mismatch(w, t);
        return build_record(plan, w, t, n, depth);
    case PMN_TYPE_ARRAY:
        if (w->kind != PMN_AVRO_ARRAY)
            return mismatch(w, t);
        n->op = RP_ARRAY;
        n->nkids = 1;
        n->kids = pmn_arena_alloc(&plan->arena, sizeof *n->kids);
        return build(plan, w->children[0], t->elem, &n->kids[0], depth + 1);
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
        if (w->kind != PMN_AVRO_MAP && w->kind != PMN_AVRO_ARRAY)
            return mismatch(w, t);
        return build_map(plan, w, t, n, depth);
    }
    return mismatch(w, t);
}

int pmn_avro_read_plan_new(const pmn_avro_schema *writer, const pmn_type *row,
                           pmn_avro_read_plan **out)
{
    *out = NULL;
    if (!row || row->root != PMN_TYPE_ROW)
        return pmn_error_set(PMN_EINVALID, "avro read plan: the requested type must be a ROW");
    pmn_avro_read_plan *plan = pmn_xcalloc(1, sizeof *plan);
    pmn_arena_init(&plan->arena);
    const pmn_avro_schema *w = writer;
    int rc = 0;
    if (w->kind == PMN_AVRO_UNION) { /* 0.9-era ["null", record] */
        rc = build(plan, w, NULL, &plan->top, 0);
        if (rc == 0)
            w = w->children[plan->top.value_branch];
    } else {
        plan->top.null_branch = -1;
    }
    if (rc == 0 && w->kind != PMN_AVRO_RECORD)
        rc = pmn_error_set(PMN_EINVALID, "avro read plan: the file's schema is not a record");
    if (rc == 0) {
        plan->top.dec_mul = 1;
        rc = build_record(plan, w, row, &plan->top, 0);
    }
    if (rc) {
        pmn_avro_read_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

void pmn_avro_read_plan_free(pmn_avro_read_plan *plan)
{
    if (!plan)
        return;
    pmn_arena_free(&plan->arena);
    free(plan);
}

/* ---- decoding ---- */

static pmn_i128 decode_decimal(pmn_avro_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len == 0)
        return 0;
    if (len > 16) { /* only sign-extension bytes may precede the last 16 */
        uint8_t ext = (p[len - 16] & 0x80) ? 0xff : 0x00;
        for (uint32_t i = 0; i < len - 16; i++) {
            if (p[i] != ext) {
                pmn_avro__fail(c);
                return 0;
            }
        }
        p += len - 16;
        len = 16;
    }
    unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (uint32_t i = 0; i < len; i++)
        u = (u << 8) | p[i];
    return (pmn_i128)u;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0)) ? q - 1 : q;
}

static void read_value(const rp_node *n, pmn_avro_cursor *c, pmn_arena *a, pmn_datum *out);

static void read_record(const rp_node *n, pmn_avro_cursor *c, pmn_arena *a, pmn_datum *out)
{
    for (int32_t i = 0; i < n->nmissing; i++)
        out[n->missing[i]].is_null = true;
    const rp_node *k = n->kids, *end = n->kids + n->nkids;
    for (; k < end; k++) {
        if (k->op == RP_SKIP)
            pmn_avro__skip_with(c, &k->skip);
        else
            read_value(k, c, a, &out[k->target]);
    }
}

/* Blocked array/map items into one arena array; per = datums per item (1, or 2 for maps). */
static void read_blocks(const rp_node *n, pmn_avro_cursor *c, pmn_arena *a, pmn_datum *out,
                        uint32_t per)
{
    pmn_datum *items = NULL;
    uint64_t len = 0, cap = 0;
    const rp_node *k = &n->kids[0];
    for (;;) {
        int64_t cnt = pmn_avro__get_long(c);
        if (cnt == 0 || c->overflow)
            break;
        if (cnt < 0) {
            if (cnt == INT64_MIN) {
                pmn_avro__fail(c);
                break;
            }
            cnt = -cnt;
            pmn_avro__get_long(c); /* byte size of the block, not needed */
        }
        /* every item takes at least one byte, which bounds the allocation */
        if ((uint64_t)cnt > (uint64_t)(c->end - c->p) || len + (uint64_t)cnt > UINT32_MAX / 2) {
            pmn_avro__fail(c);
            break;
        }
        if (len + (uint64_t)cnt > cap) { /* geometric growth: many tiny blocks stay linear */
            uint64_t ncap = cap * 2 > len + (uint64_t)cnt ? cap * 2 : len + (uint64_t)cnt;
            pmn_datum *grown = pmn_arena_alloc(a, (size_t)ncap * per * sizeof *grown);
            if (len)
                memcpy(grown, items, (size_t)len * per * sizeof *grown);
            items = grown;
            cap = ncap;
        }
        pmn_datum *d = items + len * per;
        for (int64_t i = 0; i < cnt; i++, d += per) {
            switch (n->op) {
            case RP_ARRAY:
                read_value(k, c, a, d);
                break;
            case RP_MAP: {
                uint32_t klen;
                d[0].is_null = false;
                d[0].v.bin.ptr = pmn_avro__get_bytes(c, &klen);
                d[0].v.bin.len = klen;
                read_value(k, c, a, &d[1]);
                break;
            }
            default: /* RP_ARRAY_MAP: the entry record's fields land in d[0], d[1] */
                if (k->is_union) {
                    int64_t idx = pmn_avro__get_long(c);
                    if (idx != k->value_branch) {
                        if (idx != k->null_branch)
                            pmn_avro__fail(c);
                        d[0].is_null = d[1].is_null = true;
                        break;
                    }
                }
                read_record(k, c, a, d);
                break;
            }
        }
        len += (uint64_t)cnt;
        if (c->overflow)
            break;
    }
    out->v.list.items = items;
    out->v.list.n = (uint32_t)len;
}

static void read_value(const rp_node *n, pmn_avro_cursor *c, pmn_arena *a, pmn_datum *out)
{
    if (n->is_union) {
        int64_t idx = pmn_avro__get_long(c);
        if (idx != n->value_branch) {
            if (idx != n->null_branch)
                pmn_avro__fail(c);
            out->is_null = true;
            return;
        }
    }
    out->is_null = false;
    switch ((rp_op)n->op) {
    case RP_SKIP: /* not reached: records skip these themselves */
        pmn_avro__skip_with(c, &n->skip);
        out->is_null = true;
        return;
    case RP_NULL:
        out->is_null = true;
        return;
    case RP_BOOL: {
        const uint8_t *p = pmn_avro__take(c, 1);
        out->v.b = p && *p == 1;
        if (p && *p > 1)
            pmn_avro__fail(c);
        return;
    }
    case RP_INT:
        out->v.i = pmn_avro__get_int(c);
        return;
    case RP_INT_I8:
        out->v.i = (int8_t)pmn_avro__get_int(c);
        return;
    case RP_INT_I16:
        out->v.i = (int16_t)pmn_avro__get_int(c);
        return;
    case RP_LONG:
        out->v.i = pmn_avro__get_long(c);
        return;
    case RP_F4:
        out->v.f4 = pmn_avro_get_float(c);
        return;
    case RP_F4_F8:
        out->v.f8 = pmn_avro_get_float(c);
        return;
    case RP_F8:
        out->v.f8 = pmn_avro_get_double(c);
        return;
    case RP_F8_F4:
        out->v.f4 = (float)pmn_avro_get_double(c);
        return;
    case RP_BYTES: {
        uint32_t len;
        out->v.bin.ptr = pmn_avro__get_bytes(c, &len);
        out->v.bin.len = len;
        return;
    }
    case RP_FIXED: {
        const uint8_t *p = pmn_avro__take(c, (size_t)n->fixed_size);
        out->v.bin.ptr = p ? p : c->end;
        out->v.bin.len = p ? (uint32_t)n->fixed_size : 0;
        return;
    }
    case RP_DECIMAL:
    case RP_DECIMAL_FIXED: {
        uint32_t len = (uint32_t)n->fixed_size;
        const uint8_t *p = n->op == RP_DECIMAL ? pmn_avro__get_bytes(c, &len)
                                               : pmn_avro__take(c, (size_t)n->fixed_size);
        /* unsigned: a hostile value may overflow when rescaled, which must not be UB */
        out->v.dec = p ? (pmn_i128)((unsigned __int128)decode_decimal(c, p, len) *
                                    (unsigned __int128)n->dec_mul)
                       : 0;
        return;
    }
    case RP_TS_MILLIS:
        out->v.ts.millis = pmn_avro__get_long(c);
        out->v.ts.nanos = 0;
        return;
    case RP_TS_MICROS: {
        int64_t us = pmn_avro__get_long(c);
        int64_t ms = us / 1000, rem = us % 1000; /* floor division without overflow */
        if (rem < 0) {
            rem += 1000;
            ms--;
        }
        out->v.ts.millis = ms;
        out->v.ts.nanos = (int32_t)rem * 1000;
        return;
    }
    case RP_TIME_MICROS:
        out->v.i = floor_div(pmn_avro__get_long(c), 1000);
        return;
    case RP_RECORD: {
        pmn_datum *items = pmn_arena_alloc(a, (size_t)(n->nout ? n->nout : 1) * sizeof *items);
        read_record(n, c, a, items);
        out->v.list.items = items;
        out->v.list.n = (uint32_t)n->nout;
        return;
    }
    case RP_ARRAY:
        read_blocks(n, c, a, out, 1);
        return;
    case RP_MAP:
    case RP_ARRAY_MAP:
        read_blocks(n, c, a, out, 2);
        return;
    }
}

int pmn_avro_read_row(const pmn_avro_read_plan *plan, pmn_avro_cursor *c, pmn_arena *arena,
                      pmn_datum *out)
{
    const rp_node *top = &plan->top;
    bool null_row = false;
    if (top->is_union) {
        int64_t idx = pmn_avro__get_long(c);
        if (idx != top->value_branch) {
            if (idx != top->null_branch)
                pmn_avro__fail(c);
            null_row = true;
        }
    }
    if (null_row) {
        for (int32_t i = 0; i < top->nout; i++)
            out[i].is_null = true;
    } else {
        read_record(top, c, arena, out);
    }
    if (c->overflow)
        return pmn_error_set(PMN_ECORRUPT, "avro: malformed or truncated record");
    return 0;
}

/* ---- encoding ---- */

static const pmn_datum null_datum = {.is_null = true};

static void write_value(pmn_buf *b, const pmn_type *t, const pmn_datum *d);

static void write_decimal(pmn_buf *b, pmn_i128 v)
{
    uint8_t be[16];
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = 15; i >= 0; i--) {
        be[i] = (uint8_t)u;
        u >>= 8;
    }
    /* minimal two's complement, like Java's BigInteger.toByteArray() */
    int start = 0;
    while (start < 15 && ((be[start] == 0x00 && !(be[start + 1] & 0x80)) ||
                          (be[start] == 0xff && (be[start + 1] & 0x80))))
        start++;
    pmn_avro_put_bytes(b, be + start, (size_t)(16 - start));
}

static void write_fields(pmn_buf *b, const pmn_type *row, const pmn_datum *vals, uint32_t n)
{
    for (int32_t i = 0; i < row->nfields; i++)
        write_value(b, row->fields[i].type, (uint32_t)i < n ? &vals[i] : &null_datum);
}

static void write_value(pmn_buf *b, const pmn_type *t, const pmn_datum *d)
{
    static const pmn_datum zero = {.is_null = false};
    if (t->nullable) {
        pmn_avro__put_long(b, d->is_null ? 0 : 1);
        if (d->is_null)
            return;
    } else if (d->is_null) {
        d = &zero; /* callers enforce NOT NULL; keep the file decodable regardless */
    }
    switch (t->root) {
    case PMN_TYPE_BOOLEAN: {
        uint8_t v = d->v.b ? 1 : 0;
        pmn_avro__put_raw(b, &v, 1);
        return;
    }
    case PMN_TYPE_TINYINT:
        pmn_avro__put_long(b, (int8_t)d->v.i);
        return;
    case PMN_TYPE_SMALLINT:
        pmn_avro__put_long(b, (int16_t)d->v.i);
        return;
    case PMN_TYPE_INT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME: /* an Avro int must stay within 32 bits, as Java's (int) would */
        pmn_avro__put_long(b, (int32_t)d->v.i);
        return;
    case PMN_TYPE_BIGINT:
        pmn_avro__put_long(b, d->v.i);
        return;
    case PMN_TYPE_FLOAT:
        pmn_avro_put_float(b, d->v.f4);
        return;
    case PMN_TYPE_DOUBLE:
        pmn_avro_put_double(b, d->v.f8);
        return;
    case PMN_TYPE_DECIMAL:
        write_decimal(b, d->v.dec);
        return;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        pmn_avro__put_long(b, d->v.bin.len);
        pmn_avro__put_raw(b, d->v.bin.ptr, d->v.bin.len);
        return;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        if (t->precision <= 3)
            pmn_avro__put_long(b, d->v.ts.millis);
        else
            /* wraps like Java's long arithmetic instead of overflowing */
            pmn_avro__put_long(b, (int64_t)((uint64_t)d->v.ts.millis * 1000u +
                                            (uint64_t)(int64_t)(d->v.ts.nanos / 1000)));
        return;
    case PMN_TYPE_ROW:
        write_fields(b, t, d->v.list.items, d->v.list.n);
        return;
    case PMN_TYPE_ARRAY:
        if (d->v.list.n) {
            pmn_avro__put_long(b, d->v.list.n);
            for (uint32_t i = 0; i < d->v.list.n; i++)
                write_value(b, t->elem, &d->v.list.items[i]);
        }
        pmn_avro__put_long(b, 0);
        return;
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET: {
        const pmn_type *key = t->root == PMN_TYPE_MAP ? t->key : t->elem;
        const pmn_type *value = t->root == PMN_TYPE_MAP ? t->value : &multiset_count;
        bool avro_map = key->root == PMN_TYPE_CHAR || key->root == PMN_TYPE_VARCHAR;
        if (d->v.list.n) {
            pmn_avro__put_long(b, d->v.list.n);
            for (uint32_t i = 0; i < d->v.list.n; i++) {
                const pmn_datum *k = &d->v.list.items[2 * i];
                if (avro_map) /* Avro map keys are plain strings, never null */
                    pmn_avro_put_bytes(b, k->is_null ? NULL : k->v.bin.ptr,
                                       k->is_null ? 0 : k->v.bin.len);
                else
                    write_value(b, key, k);
                write_value(b, value, &d->v.list.items[2 * i + 1]);
            }
        }
        pmn_avro__put_long(b, 0);
        return;
    }
    }
}

/* ---- flat rows: one capacity check per row, values written through a pointer ---- */

static bool flat_type(const pmn_type *t)
{
    return t->root != PMN_TYPE_ROW && t->root != PMN_TYPE_ARRAY && t->root != PMN_TYPE_MAP &&
           t->root != PMN_TYPE_MULTISET;
}

static inline uint8_t *put_le(uint8_t *p, uint64_t u, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(u >> (8 * i));
    return p + n;
}

/* put_decimal: the unscaled value as Avro bytes: minimal big-endian two's complement (as Java's
 * BigInteger.toByteArray()), the same bytes as write_decimal. */
static inline uint8_t *put_decimal(uint8_t *p, pmn_i128 v)
{
    unsigned __int128 mag = (unsigned __int128)(v < 0 ? ~v : v); /* bits besides the sign */
    int n = 1;
    while (n < 16 && (mag >> (8 * n - 1)) != 0)
        n++;
    *p++ = (uint8_t)(n << 1); /* zig-zag length, n <= 16 */
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = n - 1; i >= 0; i--)
        *p++ = (uint8_t)(u >> (8 * i));
    return p;
}

static uint8_t *put_flat(uint8_t *p, const pmn_type *t, const pmn_datum *d)
{
    static const pmn_datum zero = {.is_null = false};
    if (t->nullable) {
        *p++ = d->is_null ? 0 : 2; /* union branch 0 (null) or 1 */
        if (d->is_null)
            return p;
    } else if (d->is_null) {
        d = &zero;
    }
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        *p++ = d->v.b ? 1 : 0;
        return p;
    case PMN_TYPE_TINYINT:
        return p + pmn_avro__encode_long(p, (int8_t)d->v.i);
    case PMN_TYPE_SMALLINT:
        return p + pmn_avro__encode_long(p, (int16_t)d->v.i);
    case PMN_TYPE_INT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        return p + pmn_avro__encode_long(p, (int32_t)d->v.i);
    case PMN_TYPE_BIGINT:
        return p + pmn_avro__encode_long(p, d->v.i);
    case PMN_TYPE_FLOAT: {
        uint32_t u;
        memcpy(&u, &d->v.f4, 4);
        return put_le(p, u, 4);
    }
    case PMN_TYPE_DOUBLE: {
        uint64_t u;
        memcpy(&u, &d->v.f8, 8);
        return put_le(p, u, 8);
    }
    case PMN_TYPE_DECIMAL:
        return put_decimal(p, d->v.dec);
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        p += pmn_avro__encode_long(p, d->v.bin.len);
        if (d->v.bin.len)
            memcpy(p, d->v.bin.ptr, d->v.bin.len);
        return p + d->v.bin.len;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        if (t->precision <= 3)
            return p + pmn_avro__encode_long(p, d->v.ts.millis);
        return p + pmn_avro__encode_long(p, (int64_t)((uint64_t)d->v.ts.millis * 1000u +
                                                      (uint64_t)(int64_t)(d->v.ts.nanos / 1000)));
    default:
        return p; /* not flat: never called */
    }
}

void pmn_avro_write_row(pmn_buf *b, const pmn_type *row, const pmn_datum *vals)
{
    /* bound: union index 1 + the largest fixed encoding (a 16-byte decimal and its length,
     * a 10-byte varint, a double) per field, plus string bytes and their length */
    size_t need = 0;
    for (int32_t i = 0; i < row->nfields; i++) {
        const pmn_type *t = row->fields[i].type;
        if (!flat_type(t)) {
            for (int32_t j = 0; j < row->nfields; j++)
                write_value(b, row->fields[j].type, &vals[j]);
            return;
        }
        need += 18;
        if (!vals[i].is_null && (t->root == PMN_TYPE_CHAR || t->root == PMN_TYPE_VARCHAR ||
                                 t->root == PMN_TYPE_BINARY || t->root == PMN_TYPE_VARBINARY))
            need += 10 + (size_t)vals[i].v.bin.len;
    }
    pmn_buf_reserve(b, need);
    uint8_t *p = b->data + b->len;
    for (int32_t i = 0; i < row->nfields; i++)
        p = put_flat(p, row->fields[i].type, &vals[i]);
    b->len = (size_t)(p - b->data);
    b->data[b->len] = 0;
}
