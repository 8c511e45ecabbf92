/*
 * src/paimon/partition_path.c
 *
 * The partition directory string Java Paimon computes from a partition row
 * (paimon-format.md §1; InternalRowPartitionComputer with
 * partition.legacy-name=true, PartitionPathUtils.generatePartitionPath):
 * each value is the Java toString() of its internal representation (DATE is
 * the day number, TIMESTAMP is LocalDateTime.toString(), DECIMAL a plain
 * string), NULL / empty / whitespace-only becomes the default partition name,
 * and the column name and value are %XX-escaped. Unlike Java we return the
 * path without the trailing '/'.
 */
#include "paimon/binary_row.h"

#include "change/textfmt.h"
#include "util/alloc.h"

#include <string.h>

/* PartitionPathUtils.CHAR_TO_ESCAPE */
static bool needs_escape(uint8_t c)
{
    if (c < 0x20 || c == 0x7f)
        return true;
    return strchr("\"#%'*/:=?\\{}[]^", c) != NULL && c != 0;
}

static void put_escaped(pmn_buf *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (needs_escape(p[i]))
            pmn_buf_printf(out, "%%%02X", p[i]);
        else
            pmn_buf_putc(out, p[i]);
    }
}

/* Decode one UTF-8 sequence at p (n bytes left); returns its length, or 1 for bad bytes
 * with *cp = 0xFFFD. */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2;
        v = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        v = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        v = c & 0x07;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    if (len > n) {
        *cp = 0xfffd;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        v = v << 6 | (p[i] & 0x3f);
    }
    *cp = v;
    return len;
}

/* Java Character.isWhitespace. */
static bool java_is_whitespace(uint32_t c)
{
    if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20))
        return true;
    switch (c) {
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x205f:
    case 0x3000:
        return true;
    default:
        /* Zs without the no-break spaces U+00A0, U+2007, U+202F */
        return c >= 0x2000 && c <= 0x200a && c != 0x2007;
    }
}

/* StringUtils.isNullOrWhitespaceOnly (the NULL case is handled by the caller). */
static bool blank(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        i += utf8_next(p + i, n - i, &cp);
        if (!java_is_whitespace(cp))
            return false;
    }
    return true;
}

/* Append the Java toString() of the internal value d of type t. */
static void java_to_string(pmn_buf *out, const pmn_type *t, const pmn_datum *d)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        pmn_buf_puts(out, d->v.b ? "true" : "false");
        break;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE: /* Integer day number */
    case PMN_TYPE_TIME: /* Integer millis of day */
        pmn_buf_printf(out, "%lld", (long long)d->v.i);
        break;
    case PMN_TYPE_FLOAT:
        pmn_fmt_java_float(out, d->v.f4);
        break;
    case PMN_TYPE_DOUBLE:
        pmn_fmt_java_double(out, d->v.f8);
        break;
    case PMN_TYPE_DECIMAL:
        pmn_fmt_decimal(out, d->v.dec, t->scale);
        break;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        pmn_fmt_java_timestamp(out, d->v.ts.millis, d->v.ts.nanos);
        break;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        pmn_buf_put(out, d->v.bin.ptr, d->v.bin.len);
        break;
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        /* Java would print byte[]'s identity ("[B@1b6d3586"), which no writer can
         * reproduce; hex keeps the path deterministic. */
        for (uint32_t i = 0; i < d->v.bin.len; i++)
            pmn_buf_printf(out, "%02x", d->v.bin.ptr[i]);
        break;
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_MAP:
    case PMN_TYPE_ROW:
        /* Paimon rejects complex partition columns; should a schema declare one anyway,
         * its JSON form keeps the path deterministic. */
        pmn_datum_to_json(t, d, out);
        break;
    }
}

char *pmn_partition_path(const char *const *names, const pmn_type *const *types,
                         const pmn_datum *vals, int32_t n, const char *default_name)
{
    pmn_buf out = PMN_BUF_INIT;
    pmn_buf val = PMN_BUF_INIT;
    if (!default_name)
        default_name = "__DEFAULT_PARTITION__";
    for (int32_t i = 0; i < n; i++) {
        if (i > 0)
            pmn_buf_putc(&out, '/');
        put_escaped(&out, (const uint8_t *)names[i], strlen(names[i]));
        pmn_buf_putc(&out, '=');
        pmn_buf_reset(&val);
        if (!vals[i].is_null)
            java_to_string(&val, types[i], &vals[i]);
        if (vals[i].is_null || blank(val.data, val.len)) {
            pmn_buf_reset(&val);
            pmn_buf_puts(&val, default_name);
        }
        put_escaped(&out, val.data, val.len);
    }
    pmn_buf_dispose(&val);
    if (!out.data)
        return pmn_xstrdup("");
    size_t len;
    return (char *)pmn_buf_detach(&out, &len);
}
