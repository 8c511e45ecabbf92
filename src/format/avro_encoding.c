/*
 * src/format/avro_encoding.c
 *
 * Avro binary encoding (Avro 1.11 spec, "Binary Encoding"): zig-zag varints for
 * int/long, little-endian IEEE 754 float/double, one byte per boolean, length-
 * prefixed bytes/strings, blocked arrays and maps (a negative count is followed by
 * the block's byte size), unions as branch index + value. Decoding goes through a
 * bounds-checked cursor whose overflow flag is sticky, so a caller checks it once
 * after decoding a whole object.
 */
#include "format/avro_internal.h"

#include <string.h>

void pmn_avro_put_long(pmn_buf *b, int64_t v)
{
    pmn_avro__put_long(b, v);
}

void pmn_avro_put_float(pmn_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    uint8_t le[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    pmn_avro__put_raw(b, le, 4);
}

void pmn_avro_put_double(pmn_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(u >> (8 * i));
    pmn_avro__put_raw(b, le, 8);
}

void pmn_avro_put_bool(pmn_buf *b, bool v)
{
    uint8_t c = v ? 1 : 0;
    pmn_avro__put_raw(b, &c, 1);
}

void pmn_avro_put_bytes(pmn_buf *b, const void *p, size_t n)
{
    pmn_avro__put_long(b, (int64_t)n);
    pmn_avro__put_raw(b, p, n);
}

int64_t pmn_avro_get_long(pmn_avro_cursor *c)
{
    return pmn_avro__get_long(c);
}

float pmn_avro_get_float(pmn_avro_cursor *c)
{
    const uint8_t *p = pmn_avro__take(c, 4);
    if (!p)
        return 0;
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

double pmn_avro_get_double(pmn_avro_cursor *c)
{
    const uint8_t *p = pmn_avro__take(c, 8);
    if (!p)
        return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

bool pmn_avro_get_bool(pmn_avro_cursor *c)
{
    const uint8_t *p = pmn_avro__take(c, 1);
    if (!p)
        return false;
    if (*p > 1)
        pmn_avro__fail(c);
    return *p == 1;
}

const uint8_t *pmn_avro_get_bytes(pmn_avro_cursor *c, uint32_t *len)
{
    return pmn_avro__get_bytes(c, len);
}

bool pmn_avro__zero_width(const pmn_avro_schema *s)
{
    /* Recursive named types could loop; a bounded walk answers conservatively (false). */
    const pmn_avro_schema *stack[PMN_AVRO_MAX_DEPTH];
    int depth = 0;
    stack[depth++] = s;
    int visited = 0;
    while (depth > 0) {
        const pmn_avro_schema *t = stack[--depth];
        if (++visited > 4096)
            return false;
        switch (t->kind) {
        case PMN_AVRO_NULL:
            break;
        case PMN_AVRO_FIXED:
            if (t->fixed_size != 0)
                return false;
            break;
        case PMN_AVRO_RECORD:
            for (int32_t i = 0; i < t->nchildren; i++) {
                if (depth >= PMN_AVRO_MAX_DEPTH)
                    return false;
                stack[depth++] = t->children[i];
            }
            break;
        default:
            return false;
        }
    }
    return true;
}

/* Skip the items of a blocked array (nvalues 1) or map (nvalues 2: key string, value). */
static void skip_blocks(pmn_avro_cursor *c, const pmn_avro_schema *item, bool is_map, int depth);

static void skip_value(pmn_avro_cursor *c, const pmn_avro_schema *s, int depth)
{
    if (depth > PMN_AVRO_MAX_DEPTH) {
        pmn_avro__fail(c);
        return;
    }
    switch (s->kind) {
    case PMN_AVRO_NULL:
        return;
    case PMN_AVRO_BOOLEAN:
        pmn_avro__take(c, 1);
        return;
    case PMN_AVRO_INT:
        pmn_avro__get_int(c);
        return;
    case PMN_AVRO_LONG:
    case PMN_AVRO_ENUM:
        pmn_avro__get_long(c);
        return;
    case PMN_AVRO_FLOAT:
        pmn_avro__take(c, 4);
        return;
    case PMN_AVRO_DOUBLE:
        pmn_avro__take(c, 8);
        return;
    case PMN_AVRO_BYTES:
    case PMN_AVRO_STRING: {
        uint32_t len;
        pmn_avro__get_bytes(c, &len);
        return;
    }
    case PMN_AVRO_FIXED:
        pmn_avro__take(c, (size_t)s->fixed_size);
        return;
    case PMN_AVRO_RECORD:
        for (int32_t i = 0; i < s->nchildren && !c->overflow; i++)
            skip_value(c, s->children[i], depth + 1);
        return;
    case PMN_AVRO_ARRAY:
        skip_blocks(c, s->children[0], false, depth + 1);
        return;
    case PMN_AVRO_MAP:
        skip_blocks(c, s->children[0], true, depth + 1);
        return;
    case PMN_AVRO_UNION: {
        int64_t idx = pmn_avro__get_long(c);
        if (idx < 0 || idx >= s->nchildren) {
            pmn_avro__fail(c);
            return;
        }
        skip_value(c, s->children[idx], depth + 1);
        return;
    }
    }
    pmn_avro__fail(c);
}

static void skip_blocks(pmn_avro_cursor *c, const pmn_avro_schema *item, bool is_map, int depth)
{
    bool zero = !is_map && pmn_avro__zero_width(item);
    for (;;) {
        int64_t count = pmn_avro__get_long(c);
        if (count == 0 || c->overflow)
            return;
        if (count < 0) {
            if (count == INT64_MIN) {
                pmn_avro__fail(c);
                return;
            }
            count = -count;
            int64_t size = pmn_avro__get_long(c);
            if (size < 0 || (uint64_t)size > (uint64_t)(c->end - c->p)) {
                pmn_avro__fail(c);
                return;
            }
            c->p += size; /* the writer told us the block's byte size */
            continue;
        }
        if (zero)
            continue; /* nothing to read, however many items */
        if ((uint64_t)count > (uint64_t)(c->end - c->p)) {
            pmn_avro__fail(c);
            return;
        }
        for (int64_t i = 0; i < count && !c->overflow; i++) {
            if (is_map) {
                uint32_t len;
                pmn_avro__get_bytes(c, &len);
            }
            skip_value(c, item, depth);
        }
    }
}

void pmn_avro_skip(pmn_avro_cursor *c, const pmn_avro_schema *s)
{
    skip_value(c, s, 0);
}

static uint8_t flat_skip(const pmn_avro_schema *s, int32_t *fixed)
{
    switch (s->kind) {
    case PMN_AVRO_NULL:
        return PMN_AVRO_SK_NONE;
    case PMN_AVRO_INT:
    case PMN_AVRO_LONG:
    case PMN_AVRO_ENUM:
        return PMN_AVRO_SK_VARINT;
    case PMN_AVRO_BYTES:
    case PMN_AVRO_STRING:
        return PMN_AVRO_SK_BYTES;
    case PMN_AVRO_BOOLEAN:
        *fixed = 1;
        return PMN_AVRO_SK_FIXED;
    case PMN_AVRO_FLOAT:
        *fixed = 4;
        return PMN_AVRO_SK_FIXED;
    case PMN_AVRO_DOUBLE:
        *fixed = 8;
        return PMN_AVRO_SK_FIXED;
    case PMN_AVRO_FIXED:
        *fixed = s->fixed_size;
        return PMN_AVRO_SK_FIXED;
    default:
        return PMN_AVRO_SK_GENERIC;
    }
}

void pmn_avro__skipper_init(pmn_avro_skipper *k, const pmn_avro_schema *s)
{
    memset(k, 0, sizeof *k);
    k->schema = s;
    k->union_value = -1;
    if (s->kind == PMN_AVRO_UNION && s->nchildren == 2 &&
        (s->children[0]->kind == PMN_AVRO_NULL) != (s->children[1]->kind == PMN_AVRO_NULL)) {
        int v = s->children[0]->kind == PMN_AVRO_NULL ? 1 : 0;
        k->op = flat_skip(s->children[v], &k->fixed);
        if (k->op != PMN_AVRO_SK_GENERIC) { /* else the generic skip reads the branch itself */
            k->union_value = (int8_t)v;
            k->union_null = (int8_t)(1 - v);
        }
    } else {
        k->op = flat_skip(s, &k->fixed);
    }
}
