/*
 * src/change/datum.c
 *
 * Ordering, equality, deep copy and the JSON form of pmn_datum values
 * (include/pmn/types.h gives the representation of each type).
 *
 * Ordering is Paimon's key order: NULL first; numbers naturally, FLOAT/DOUBLE
 * as Java's Float/Double.compare (-0.0 < 0.0, NaN greatest and equal to
 * itself); DECIMAL by unscaled value (one scale per type); strings and bytes
 * unsigned-lexicographic, a prefix first; timestamps by (millis, nanos);
 * ARRAY/MAP/MULTISET/ROW element by element, then by length.
 *
 * JSON (`pgpaimon table scan`, compact, one object per row): numbers as JSON
 * numbers with shortest round-trip digits (NaN/Infinity as the strings "NaN",
 * "Infinity", "-Infinity"), DECIMAL as a string with exactly its scale, BYTES
 * base64, DATE "YYYY-MM-DD", TIME "HH:MM:SS[.fff]", TIMESTAMP
 * "YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]" (the shortest of the three
 * that is exact; nothing when whole seconds), TIMESTAMP_LTZ the same plus "Z",
 * MAP/MULTISET with string keys as an object, other maps as [[key, value], ...],
 * ROW as an object keyed by field name.
 */
#include "change/datum.h"

#include "change/textfmt.h"
#include "util/error.h"

#include <math.h>
#include <string.h>

static const pmn_type multiset_count_type = {.root = PMN_TYPE_INT, .nullable = false};

/* ---- ordering ----------------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

/* Java Double.compare: numeric order, then -0.0 < 0.0 and NaN above everything. */
static int cmp_double(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na == nb ? 0 : (na ? 1 : -1);
    /* equal numerically: only the sign of zero can differ */
    bool sa = signbit(a), sb = signbit(b);
    return sa == sb ? 0 : (sa ? -1 : 1);
}

static int cmp_bytes(const uint8_t *a, uint32_t la, const uint8_t *b, uint32_t lb)
{
    uint32_t n = la < lb ? la : lb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

static int cmp_items(const pmn_type *et, const pmn_datum *a, uint32_t na, const pmn_datum *b,
                     uint32_t nb)
{
    uint32_t n = na < nb ? na : nb;
    for (uint32_t i = 0; i < n; i++) {
        int c = pmn_datum_compare(et, &a[i], &b[i]);
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb;
}

int pmn_datum_compare(const pmn_type *type, const pmn_datum *a, const pmn_datum *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null ? 0 : (a->is_null ? -1 : 1);
    switch (type->root) {
    case PMN_TYPE_BOOLEAN:
        return (int)a->v.b - (int)b->v.b;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        return cmp_i64(a->v.i, b->v.i);
    case PMN_TYPE_FLOAT:
        return cmp_double((double)a->v.f4, (double)b->v.f4);
    case PMN_TYPE_DOUBLE:
        return cmp_double(a->v.f8, b->v.f8);
    case PMN_TYPE_DECIMAL:
        return a->v.dec < b->v.dec ? -1 : a->v.dec > b->v.dec;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        return cmp_bytes(a->v.bin.ptr, a->v.bin.len, b->v.bin.ptr, b->v.bin.len);
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ: {
        int c = cmp_i64(a->v.ts.millis, b->v.ts.millis);
        return c ? c : cmp_i64(a->v.ts.nanos, b->v.ts.nanos);
    }
    case PMN_TYPE_ARRAY:
        return cmp_items(type->elem, a->v.list.items, a->v.list.n, b->v.list.items, b->v.list.n);
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET: {
        const pmn_type *kt = type->root == PMN_TYPE_MAP ? type->key : type->elem;
        const pmn_type *vt = type->root == PMN_TYPE_MAP ? type->value : &multiset_count_type;
        uint32_t n = a->v.list.n < b->v.list.n ? a->v.list.n : b->v.list.n;
        for (uint32_t i = 0; i < n; i++) {
            int c = pmn_datum_compare(kt, &a->v.list.items[2 * i], &b->v.list.items[2 * i]);
            if (!c)
                c = pmn_datum_compare(vt, &a->v.list.items[2 * i + 1], &b->v.list.items[2 * i + 1]);
            if (c)
                return c;
        }
        return a->v.list.n < b->v.list.n ? -1 : a->v.list.n > b->v.list.n;
    }
    case PMN_TYPE_ROW:
        for (int32_t i = 0; i < type->nfields; i++) {
            int c =
                pmn_datum_compare(type->fields[i].type, &a->v.list.items[i], &b->v.list.items[i]);
            if (c)
                return c;
        }
        return 0;
    }
    return 0;
}

bool pmn_datum_equal(const pmn_type *type, const pmn_datum *a, const pmn_datum *b)
{
    return pmn_datum_compare(type, a, b) == 0;
}

/* ---- copy --------------------------------------------------------------- */

static uint32_t item_count(const pmn_type *type, const pmn_datum *d)
{
    switch (type->root) {
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
        return 2 * d->v.list.n;
    case PMN_TYPE_ROW:
        return (uint32_t)type->nfields;
    default:
        return d->v.list.n;
    }
}

static const pmn_type *item_type(const pmn_type *type, uint32_t i)
{
    switch (type->root) {
    case PMN_TYPE_ARRAY:
        return type->elem;
    case PMN_TYPE_MAP:
        return i % 2 ? type->value : type->key;
    case PMN_TYPE_MULTISET:
        return i % 2 ? &multiset_count_type : type->elem;
    default:
        return type->fields[i].type;
    }
}

void pmn_datum_copy(const pmn_type *type, const pmn_datum *d, pmn_datum *out, pmn_arena *a)
{
    *out = *d;
    if (d->is_null)
        return;
    switch (type->root) {
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        out->v.bin.ptr = pmn_arena_memdup(a, d->v.bin.ptr, d->v.bin.len);
        break;
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_ROW: {
        uint32_t n = item_count(type, d);
        pmn_datum *items = pmn_arena_alloc(a, sizeof(pmn_datum) * (size_t)n + 1);
        for (uint32_t i = 0; i < n; i++)
            pmn_datum_copy(item_type(type, i), &d->v.list.items[i], &items[i], a);
        out->v.list.items = items;
        break;
    }
    default:
        break;
    }
}

/* ---- JSON --------------------------------------------------------------- */

/* A JSON string of the bytes p..p+n: valid UTF-8 kept, control characters escaped,
 * invalid bytes replaced by U+FFFD. */
static void json_string(pmn_buf *out, const uint8_t *p, size_t n)
{
    pmn_buf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            switch (c) {
            case '"':
                pmn_buf_puts(out, "\\\"");
                break;
            case '\\':
                pmn_buf_puts(out, "\\\\");
                break;
            case '\n':
                pmn_buf_puts(out, "\\n");
                break;
            case '\r':
                pmn_buf_puts(out, "\\r");
                break;
            case '\t':
                pmn_buf_puts(out, "\\t");
                break;
            case '\b':
                pmn_buf_puts(out, "\\b");
                break;
            case '\f':
                pmn_buf_puts(out, "\\f");
                break;
            default:
                if (c < 0x20)
                    pmn_buf_printf(out, "\\u%04x", c);
                else
                    pmn_buf_putc(out, c);
            }
            i++;
            continue;
        }
        /* validate one multi-byte sequence (no overlongs, surrogates or > U+10FFFF) */
        size_t len = 0;
        uint32_t cp = 0, min = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        }
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                ok = false;
            else
                cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
            ok = false;
        if (ok) {
            pmn_buf_put(out, p + i, len);
            i += len;
        } else {
            pmn_buf_puts(out, "\xef\xbf\xbd");
            i++;
        }
    }
    pmn_buf_putc(out, '"');
}

static void json_float(pmn_buf *out, double v, bool is_float)
{
    if (isnan(v))
        pmn_buf_puts(out, "\"NaN\"");
    else if (isinf(v))
        pmn_buf_puts(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    else
        pmn_fmt_json_number(out, v, is_float);
}

/* "YYYY-MM-DDTHH:MM:SS" plus the shortest exact fraction of 3, 6 or 9 digits. */
static void json_timestamp(pmn_buf *out, int64_t millis, int32_t nanos)
{
    int64_t day, ms;
    pmn_split_millis(millis, &day, &ms);
    pmn_fmt_date(out, day);
    int64_t s = ms / 1000;
    pmn_buf_printf(out, "T%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    int64_t frac = (ms % 1000) * 1000000 + nanos; /* nanoseconds within the second */
    if (frac == 0)
        return;
    if (frac % 1000000 == 0)
        pmn_buf_printf(out, ".%03lld", (long long)(frac / 1000000));
    else if (frac % 1000 == 0)
        pmn_buf_printf(out, ".%06lld", (long long)(frac / 1000));
    else
        pmn_buf_printf(out, ".%09lld", (long long)frac);
}

static void json_time(pmn_buf *out, int64_t ms_of_day)
{
    bool neg = ms_of_day < 0;
    uint64_t ms = neg ? (uint64_t)0 - (uint64_t)ms_of_day : (uint64_t)ms_of_day;
    uint64_t s = ms / 1000;
    pmn_buf_printf(out, "\"%s%02llu:%02llu:%02llu", neg ? "-" : "", (unsigned long long)(s / 3600),
                   (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    if (ms % 1000)
        pmn_buf_printf(out, ".%03llu", (unsigned long long)(ms % 1000));
    pmn_buf_putc(out, '"');
}

/* A map key as an object member name: the key's own JSON string, "null" for a NULL key. */
static void json_map(pmn_buf *out, const pmn_type *kt, const pmn_type *vt, const pmn_datum *items,
                     uint32_t n)
{
    bool object = kt->root == PMN_TYPE_CHAR || kt->root == PMN_TYPE_VARCHAR;
    pmn_buf_putc(out, object ? '{' : '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            pmn_buf_putc(out, ',');
        const pmn_datum *k = &items[2 * i], *v = &items[2 * i + 1];
        if (object) {
            if (k->is_null)
                pmn_buf_puts(out, "\"null\"");
            else
                json_string(out, k->v.bin.ptr, k->v.bin.len);
            pmn_buf_putc(out, ':');
            pmn_datum_to_json(vt, v, out);
        } else {
            pmn_buf_putc(out, '[');
            pmn_datum_to_json(kt, k, out);
            pmn_buf_putc(out, ',');
            pmn_datum_to_json(vt, v, out);
            pmn_buf_putc(out, ']');
        }
    }
    pmn_buf_putc(out, object ? '}' : ']');
}

void pmn_datum_to_json(const pmn_type *type, const pmn_datum *d, pmn_buf *out)
{
    if (d->is_null) {
        pmn_buf_puts(out, "null");
        return;
    }
    switch (type->root) {
    case PMN_TYPE_BOOLEAN:
        pmn_buf_puts(out, d->v.b ? "true" : "false");
        break;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
        pmn_buf_printf(out, "%lld", (long long)d->v.i);
        break;
    case PMN_TYPE_FLOAT:
        json_float(out, (double)d->v.f4, true);
        break;
    case PMN_TYPE_DOUBLE:
        json_float(out, d->v.f8, false);
        break;
    case PMN_TYPE_DECIMAL:
        pmn_buf_putc(out, '"');
        pmn_fmt_decimal(out, d->v.dec, type->scale);
        pmn_buf_putc(out, '"');
        break;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        json_string(out, d->v.bin.ptr, d->v.bin.len);
        break;
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        pmn_buf_putc(out, '"');
        pmn_fmt_base64(out, d->v.bin.ptr, d->v.bin.len);
        pmn_buf_putc(out, '"');
        break;
    case PMN_TYPE_DATE:
        pmn_buf_putc(out, '"');
        pmn_fmt_date(out, d->v.i);
        pmn_buf_putc(out, '"');
        break;
    case PMN_TYPE_TIME:
        json_time(out, d->v.i);
        break;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        pmn_buf_putc(out, '"');
        json_timestamp(out, d->v.ts.millis, d->v.ts.nanos);
        if (type->root == PMN_TYPE_TIMESTAMP_LTZ)
            pmn_buf_putc(out, 'Z');
        pmn_buf_putc(out, '"');
        break;
    case PMN_TYPE_ARRAY:
        pmn_buf_putc(out, '[');
        for (uint32_t i = 0; i < d->v.list.n; i++) {
            if (i)
                pmn_buf_putc(out, ',');
            pmn_datum_to_json(type->elem, &d->v.list.items[i], out);
        }
        pmn_buf_putc(out, ']');
        break;
    case PMN_TYPE_MAP:
        json_map(out, type->key, type->value, d->v.list.items, d->v.list.n);
        break;
    case PMN_TYPE_MULTISET:
        json_map(out, type->elem, &multiset_count_type, d->v.list.items, d->v.list.n);
        break;
    case PMN_TYPE_ROW:
        pmn_row_to_json(type, d->v.list.items, out);
        break;
    }
}

void pmn_row_to_json(const pmn_type *row, const pmn_datum *vals, pmn_buf *out)
{
    pmn_buf_putc(out, '{');
    for (int32_t i = 0; i < row->nfields; i++) {
        if (i)
            pmn_buf_putc(out, ',');
        const char *name = row->fields[i].name;
        json_string(out, (const uint8_t *)name, strlen(name));
        pmn_buf_putc(out, ':');
        pmn_datum_to_json(row->fields[i].type, &vals[i], out);
    }
    pmn_buf_putc(out, '}');
}
