/*
 * src/paimon/binary_row.c
 *
 * Encode and decode Java Paimon's BinaryRow, BinaryArray and BinaryMap bytes
 * (paimon-format.md §4.7; org.apache.paimon.data.BinaryRowWriter,
 * BinaryArrayWriter, AbstractBinaryWriter, BinaryMap, MemorySegmentUtils).
 *
 *   BinaryRow   header byte (RowKind) | null bits (bit i+8 = field i), padded to
 *               8 bytes | n 8-byte slots | variable part (8-byte padded items)
 *   BinaryArray int32 count | null bits in 4-byte words | count fixed-size
 *               elements (1/2/4/8 bytes by type), padded to 8 | variable part
 *   BinaryMap   int32 size of key array | key BinaryArray | value BinaryArray
 *
 * All integers are little-endian; offsets in slots are relative to the start
 * of the enclosing row or array. Variable-length values are 8-byte slots
 * holding (offset << 32 | length), or inline (0x80 | len) << 56 | data when a
 * string or binary is at most 7 bytes long.
 *
 * The encoder produces the bytes Java produces: every unused byte zero, and a
 * NULL non-compact DECIMAL (p > 18) or TIMESTAMP (p > 3) field of a row keeps
 * its reserved 16/8 zero bytes in the variable part with the slot pointing at
 * them (RowHelper / generated projections write them via writeDecimal(null)),
 * while NULL array elements have a zero slot (BinaryArrayWriter.setNullAt).
 */
#include "paimon/binary_row.h"

#include "util/error.h"

#include <string.h>

#define MAX_INLINE 7 /* BinarySection.MAX_FIX_PART_DATA_SIZE */

static const pmn_type multiset_count_type = {.root = PMN_TYPE_INT, .nullable = false};

/* ---- little-endian access ------------------------------------------------ */

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void append_zeros(pmn_buf *out, size_t n)
{
    pmn_buf_reserve(out, n);
    memset(out->data + out->len, 0, n);
    out->len += n;
    out->data[out->len] = 0;
}

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static size_t row_null_bytes(int32_t n)
{
    return (size_t)(((int64_t)n + 63 + 8) / 64) * 8;
}

static size_t array_header_bytes(int64_t n)
{
    return (size_t)(4 + ((n + 31) / 32) * 4);
}

static bool decimal_compact(const pmn_type *t)
{
    return t->precision <= 18;
}

static bool timestamp_compact(const pmn_type *t)
{
    return t->precision <= 3;
}

/* Element width inside a BinaryArray (BinaryArray.calculateFixLengthPartSize). */
static int array_elem_size(const pmn_type *t)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
    case PMN_TYPE_TINYINT:
        return 1;
    case PMN_TYPE_SMALLINT:
        return 2;
    case PMN_TYPE_INT:
    case PMN_TYPE_FLOAT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        return 4;
    default:
        return 8;
    }
}

/* ---- encoding ----------------------------------------------------------- */

static void encode_row_at(pmn_buf *out, const pmn_type *const *types, const pmn_type *rowtype,
                          const pmn_datum *vals, int32_t n);
static void encode_array_at(pmn_buf *out, const pmn_type *et, const pmn_datum *items, uint32_t n,
                            uint32_t stride);

static const pmn_type *field_type(const pmn_type *const *types, const pmn_type *rowtype, int32_t i)
{
    return types ? types[i] : rowtype->fields[i].type;
}

/* Append data + zero padding to the variable part; return its offset relative to base. */
static uint64_t append_var(pmn_buf *out, size_t base, const uint8_t *p, size_t n)
{
    size_t off = out->len - base;
    if (n)
        pmn_buf_put(out, p, n);
    append_zeros(out, round8(n) - n);
    return off;
}

/* BigInteger.toByteArray(): minimal big-endian two's complement (at least one byte). */
static size_t decimal_bytes(pmn_i128 v, uint8_t be[16])
{
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = 15; i >= 0; i--) {
        be[i] = (uint8_t)u;
        u >>= 8;
    }
    size_t start = 0;
    while (start < 15) {
        uint8_t b0 = be[start], b1 = be[start + 1];
        if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xff && (b1 & 0x80)))
            start++;
        else
            break;
    }
    memmove(be, be + start, 16 - start);
    return 16 - start;
}

static void set_slot(pmn_buf *out, size_t slot, uint64_t v)
{
    put_le(out->data + slot, v, 8);
}

/*
 * Write the non-null value d of type t into the slot/element at absolute position
 * `slot` of out (width bytes wide), appending any variable-length data to out;
 * `base` is the absolute start of the enclosing row or array. in_array selects the
 * array writer's NaN canonicalisation.
 */
static void encode_value(pmn_buf *out, size_t base, size_t slot, const pmn_type *t,
                         const pmn_datum *d, bool in_array)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        out->data[slot] = d->v.b ? 1 : 0;
        break;
    case PMN_TYPE_TINYINT:
        put_le(out->data + slot, (uint64_t)d->v.i, 1);
        break;
    case PMN_TYPE_SMALLINT:
        put_le(out->data + slot, (uint64_t)d->v.i, 2);
        break;
    case PMN_TYPE_INT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        put_le(out->data + slot, (uint64_t)d->v.i, 4);
        break;
    case PMN_TYPE_BIGINT:
        put_le(out->data + slot, (uint64_t)d->v.i, 8);
        break;
    case PMN_TYPE_FLOAT: {
        uint32_t bits;
        float f = d->v.f4;
        memcpy(&bits, &f, 4);
        if (in_array && f != f)
            bits = 0x7fc00000u; /* Float.NaN */
        put_le(out->data + slot, bits, 4);
        break;
    }
    case PMN_TYPE_DOUBLE: {
        uint64_t bits;
        double f = d->v.f8;
        memcpy(&bits, &f, 8);
        if (in_array && f != f)
            bits = 0x7ff8000000000000ull; /* Double.NaN */
        put_le(out->data + slot, bits, 8);
        break;
    }
    case PMN_TYPE_DECIMAL:
        if (decimal_compact(t)) {
            put_le(out->data + slot, (uint64_t)(int64_t)d->v.dec, 8);
        } else {
            uint8_t be[16];
            size_t len = decimal_bytes(d->v.dec, be);
            size_t off = out->len - base;
            append_zeros(out, 16);
            memcpy(out->data + out->len - 16, be, len);
            set_slot(out, slot, (uint64_t)off << 32 | len);
        }
        break;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        if (timestamp_compact(t)) {
            put_le(out->data + slot, (uint64_t)d->v.ts.millis, 8);
        } else {
            size_t off = out->len - base;
            append_zeros(out, 8);
            put_le(out->data + out->len - 8, (uint64_t)d->v.ts.millis, 8);
            set_slot(out, slot, (uint64_t)off << 32 | (uint32_t)d->v.ts.nanos);
        }
        break;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY: {
        uint32_t len = d->v.bin.len;
        if (len <= MAX_INLINE) {
            uint8_t *p = out->data + slot;
            memset(p, 0, 8);
            if (len)
                memcpy(p, d->v.bin.ptr, len);
            p[7] = (uint8_t)(0x80 | len);
        } else {
            uint64_t off = append_var(out, base, d->v.bin.ptr, len);
            set_slot(out, slot, off << 32 | len);
        }
        break;
    }
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_ROW: {
        size_t start = out->len;
        if (t->root == PMN_TYPE_ARRAY) {
            encode_array_at(out, t->elem, d->v.list.items, d->v.list.n, 1);
        } else if (t->root == PMN_TYPE_ROW) {
            PMN_ASSERT(d->v.list.n == (uint32_t)t->nfields);
            encode_row_at(out, NULL, t, d->v.list.items, t->nfields);
        } else {
            const pmn_type *kt = t->root == PMN_TYPE_MAP ? t->key : t->elem;
            const pmn_type *vt = t->root == PMN_TYPE_MAP ? t->value : &multiset_count_type;
            uint32_t n = d->v.list.n;
            append_zeros(out, 4);
            size_t kstart = out->len;
            encode_array_at(out, kt, d->v.list.items, n, 2);
            put_le(out->data + start, (uint64_t)(out->len - kstart), 4);
            encode_array_at(out, vt, d->v.list.items + (n ? 1 : 0), n, 2);
        }
        size_t size = out->len - start;
        append_zeros(out, round8(size) - size);
        set_slot(out, slot, (uint64_t)(start - base) << 32 | size);
        break;
    }
    }
}

static void encode_row_at(pmn_buf *out, const pmn_type *const *types, const pmn_type *rowtype,
                          const pmn_datum *vals, int32_t n)
{
    size_t base = out->len;
    size_t nullb = row_null_bytes(n);
    append_zeros(out, nullb + 8 * (size_t)n); /* header byte 0 = +I */
    for (int32_t i = 0; i < n; i++) {
        const pmn_type *t = field_type(types, rowtype, i);
        size_t slot = base + nullb + 8 * (size_t)i;
        if (vals[i].is_null) {
            int32_t bit = i + 8;
            out->data[base + (size_t)(bit / 8)] |= (uint8_t)(1u << (bit % 8));
            size_t reserve = 0;
            if (t->root == PMN_TYPE_DECIMAL && !decimal_compact(t))
                reserve = 16;
            else if ((t->root == PMN_TYPE_TIMESTAMP || t->root == PMN_TYPE_TIMESTAMP_LTZ) &&
                     !timestamp_compact(t))
                reserve = 8;
            if (reserve) {
                size_t off = out->len - base;
                append_zeros(out, reserve);
                set_slot(out, slot, (uint64_t)off << 32);
            }
            continue;
        }
        encode_value(out, base, slot, t, &vals[i], false);
    }
}

static void encode_array_at(pmn_buf *out, const pmn_type *et, const pmn_datum *items, uint32_t n,
                            uint32_t stride)
{
    size_t base = out->len;
    size_t header = array_header_bytes(n);
    int w = array_elem_size(et);
    append_zeros(out, round8(header + (size_t)w * n));
    put_le(out->data + base, n, 4);
    for (uint32_t i = 0; i < n; i++) {
        const pmn_datum *d = &items[(size_t)i * stride];
        if (d->is_null) {
            out->data[base + 4 + i / 8] |= (uint8_t)(1u << (i % 8));
            continue;
        }
        encode_value(out, base, base + header + (size_t)w * i, et, d, true);
    }
}

void pmn_binary_row_encode(pmn_buf *out, const pmn_type *const *types, const pmn_datum *vals,
                           int32_t n)
{
    PMN_ASSERT(n >= 0);
    encode_row_at(out, types, NULL, vals, n);
}

void pmn_binary_row_serialize(pmn_buf *out, const pmn_type *const *types, const pmn_datum *vals,
                              int32_t n)
{
    uint8_t arity[4] = {(uint8_t)((uint32_t)n >> 24), (uint8_t)((uint32_t)n >> 16),
                        (uint8_t)((uint32_t)n >> 8), (uint8_t)n};
    pmn_buf_put(out, arity, 4);
    pmn_binary_row_encode(out, types, vals, n);
}

int32_t pmn_binary_row_arity(const uint8_t *bytes, size_t len)
{
    if (!bytes || len < 4)
        return -1;
    return (int32_t)((uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
                     (uint32_t)bytes[3]);
}

/* ---- decoding ----------------------------------------------------------- */

static int decode_row_at(const uint8_t *sec, size_t len, const pmn_type *const *types,
                         const pmn_type *rowtype, int32_t n, pmn_arena *a, pmn_datum *out);
static int decode_array_at(const uint8_t *sec, size_t len, const pmn_type *et, pmn_arena *a,
                           pmn_datum **items, uint32_t *count);

/* The variable-length region (offset, length) of a slot, bounds-checked against the section. */
static int var_region(uint64_t slot, size_t seclen, size_t *off, size_t *len)
{
    uint64_t o = slot >> 32, l = slot & 0xffffffffu;
    if (o > seclen || l > seclen - o)
        return pmn_error_set(
            PMN_ECORRUPT, "binary row: variable part at offset %llu length %llu beyond %zu bytes",
            (unsigned long long)o, (unsigned long long)l, seclen);
    *off = (size_t)o;
    *len = (size_t)l;
    return 0;
}

static int decode_value(const uint8_t *sec, size_t seclen, size_t slotoff, const pmn_type *t,
                        pmn_arena *a, pmn_datum *d)
{
    const uint8_t *p = sec + slotoff;
    d->is_null = false;
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        d->v.b = p[0] != 0;
        return 0;
    case PMN_TYPE_TINYINT:
        d->v.i = (int8_t)p[0];
        return 0;
    case PMN_TYPE_SMALLINT:
        d->v.i = (int16_t)get_le(p, 2);
        return 0;
    case PMN_TYPE_INT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        d->v.i = (int32_t)get_le(p, 4);
        return 0;
    case PMN_TYPE_BIGINT:
        d->v.i = (int64_t)get_le(p, 8);
        return 0;
    case PMN_TYPE_FLOAT: {
        uint32_t bits = (uint32_t)get_le(p, 4);
        memcpy(&d->v.f4, &bits, 4);
        return 0;
    }
    case PMN_TYPE_DOUBLE: {
        uint64_t bits = get_le(p, 8);
        memcpy(&d->v.f8, &bits, 8);
        return 0;
    }
    case PMN_TYPE_DECIMAL: {
        if (decimal_compact(t)) {
            d->v.dec = (int64_t)get_le(p, 8);
            return 0;
        }
        size_t off = 0, len = 0;
        if (var_region(get_le(p, 8), seclen, &off, &len) < 0)
            return PMN_ECORRUPT;
        if (len < 1 || len > 16)
            return pmn_error_set(PMN_ECORRUPT, "binary row: decimal of %zu bytes (1..16 expected)",
                                 len);
        const uint8_t *b = sec + off;
        unsigned __int128 u = (b[0] & 0x80) ? ~(unsigned __int128)0 : 0;
        for (size_t i = 0; i < len; i++)
            u = u << 8 | b[i];
        d->v.dec = (pmn_i128)u;
        return 0;
    }
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ: {
        uint64_t slot = get_le(p, 8);
        if (timestamp_compact(t)) {
            d->v.ts.millis = (int64_t)slot;
            d->v.ts.nanos = 0;
            return 0;
        }
        uint64_t o = slot >> 32;
        int64_t nanos = (int32_t)(uint32_t)slot;
        if (o > seclen || seclen - o < 8)
            return pmn_error_set(PMN_ECORRUPT,
                                 "binary row: timestamp millis at offset %llu beyond %zu bytes",
                                 (unsigned long long)o, seclen);
        if (nanos < 0 || nanos > 999999)
            return pmn_error_set(PMN_ECORRUPT,
                                 "binary row: timestamp nano-of-millisecond %lld out of range",
                                 (long long)nanos);
        d->v.ts.millis = (int64_t)get_le(sec + o, 8);
        d->v.ts.nanos = (int32_t)nanos;
        return 0;
    }
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY: {
        uint64_t slot = get_le(p, 8);
        const uint8_t *src;
        size_t len = 0;
        if (slot >> 63) {
            len = (size_t)((slot >> 56) & 0x7f);
            if (len > MAX_INLINE)
                return pmn_error_set(PMN_ECORRUPT, "binary row: inline length %zu > 7", len);
            src = p;
        } else {
            size_t off = 0;
            if (var_region(slot, seclen, &off, &len) < 0)
                return PMN_ECORRUPT;
            src = sec + off;
        }
        d->v.bin.ptr = pmn_arena_memdup(a, src, len);
        d->v.bin.len = (uint32_t)len;
        return 0;
    }
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_ROW: {
        size_t off = 0, len = 0;
        if (var_region(get_le(p, 8), seclen, &off, &len) < 0)
            return PMN_ECORRUPT;
        const uint8_t *s = sec + off;
        if (t->root == PMN_TYPE_ARRAY)
            return decode_array_at(s, len, t->elem, a, &d->v.list.items, &d->v.list.n);
        if (t->root == PMN_TYPE_ROW) {
            d->v.list.n = (uint32_t)t->nfields;
            d->v.list.items = pmn_arena_alloc(a, sizeof(pmn_datum) * (size_t)t->nfields);
            return decode_row_at(s, len, NULL, t, t->nfields, a, d->v.list.items);
        }
        const pmn_type *kt = t->root == PMN_TYPE_MAP ? t->key : t->elem;
        const pmn_type *vt = t->root == PMN_TYPE_MAP ? t->value : &multiset_count_type;
        if (len < 4)
            return pmn_error_set(PMN_ECORRUPT, "binary map: %zu bytes, shorter than its header",
                                 len);
        uint64_t klen = get_le(s, 4);
        if (klen > len - 4)
            return pmn_error_set(PMN_ECORRUPT, "binary map: key array of %llu bytes beyond %zu",
                                 (unsigned long long)klen, len);
        pmn_datum *keys, *vals;
        uint32_t nk, nv;
        if (decode_array_at(s + 4, (size_t)klen, kt, a, &keys, &nk) < 0 ||
            decode_array_at(s + 4 + klen, len - 4 - (size_t)klen, vt, a, &vals, &nv) < 0)
            return PMN_ECORRUPT;
        if (nk != nv)
            return pmn_error_set(PMN_ECORRUPT, "binary map: %u keys but %u values", nk, nv);
        pmn_datum *items = pmn_arena_alloc(a, sizeof(pmn_datum) * 2 * (size_t)nk + 1);
        for (uint32_t i = 0; i < nk; i++) {
            items[2 * i] = keys[i];
            items[2 * i + 1] = vals[i];
        }
        d->v.list.items = items;
        d->v.list.n = nk;
        return 0;
    }
    }
    return pmn_error_set(PMN_EINVALID, "binary row: unknown type root %d", (int)t->root);
}

static int decode_row_at(const uint8_t *sec, size_t len, const pmn_type *const *types,
                         const pmn_type *rowtype, int32_t n, pmn_arena *a, pmn_datum *out)
{
    size_t nullb = row_null_bytes(n);
    size_t fixed = nullb + 8 * (size_t)n;
    if (len < fixed)
        return pmn_error_set(PMN_ECORRUPT,
                             "binary row: %zu bytes, shorter than the %zu-byte fixed part of %d "
                             "fields",
                             len, fixed, n);
    for (int32_t i = 0; i < n; i++) {
        int32_t bit = i + 8;
        if (sec[bit / 8] & (1u << (bit % 8))) {
            out[i] = pmn_datum_null();
            continue;
        }
        if (decode_value(sec, len, nullb + 8 * (size_t)i, field_type(types, rowtype, i), a,
                         &out[i]) < 0)
            return pmn_error_wrap("field %d: ", i);
    }
    return 0;
}

static int decode_array_at(const uint8_t *sec, size_t len, const pmn_type *et, pmn_arena *a,
                           pmn_datum **items, uint32_t *count)
{
    if (len < 4)
        return pmn_error_set(PMN_ECORRUPT, "binary array: %zu bytes, shorter than its header", len);
    int32_t n = (int32_t)get_le(sec, 4);
    int w = array_elem_size(et);
    if (n < 0)
        return pmn_error_set(PMN_ECORRUPT, "binary array: negative size %d", n);
    size_t header = array_header_bytes(n);
    if ((uint64_t)header + (uint64_t)w * (uint64_t)n > len)
        return pmn_error_set(PMN_ECORRUPT, "binary array: %d elements do not fit in %zu bytes", n,
                             len);
    pmn_datum *out = pmn_arena_alloc(a, sizeof(pmn_datum) * (size_t)n + 1);
    for (int32_t i = 0; i < n; i++) {
        if (sec[4 + i / 8] & (1u << (i % 8))) {
            out[i] = pmn_datum_null();
            continue;
        }
        if (decode_value(sec, len, header + (size_t)w * (size_t)i, et, a, &out[i]) < 0)
            return pmn_error_wrap("element %d: ", i);
    }
    *items = out;
    *count = (uint32_t)n;
    return 0;
}

int pmn_binary_row_deserialize(const uint8_t *bytes, size_t len, const pmn_type *const *types,
                               int32_t n, pmn_arena *a, pmn_datum *out)
{
    int32_t arity = pmn_binary_row_arity(bytes, len);
    if (arity < 0)
        return pmn_error_set(PMN_ECORRUPT, "binary row: %zu bytes, too short for the arity", len);
    if (arity != n)
        return pmn_error_set(PMN_ECORRUPT, "binary row: arity %d, expected %d", arity, n);
    return decode_row_at(bytes + 4, len - 4, types, NULL, n, a, out);
}
