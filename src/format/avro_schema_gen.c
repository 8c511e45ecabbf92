/*
 * src/format/avro_schema_gen.c
 *
 * The Avro schema JSON Java Paimon writes for a Paimon ROW type
 * (paimon-format.md §4.1, §14; Java AvroSchemaConverter), byte for byte:
 * compact JSON with Avro's key order, top record `record` in namespace
 * `org.apache.paimon.avro.generated`, nested records named <parent>_<field>
 * (array items and map values reuse the parent's name), nullable types as
 * ["null", T] with "default": null on their fields, maps with non-string keys
 * (and multisets) as arrays of {key, value} records tagged "logicalType":"map".
 */
#include "format/avro_internal.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static void put_json_string(pmn_buf *b, const char *s)
{
    pmn_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            pmn_buf_putc(b, '\\');
            pmn_buf_putc(b, *p);
        } else if (*p < 0x20) {
            pmn_buf_printf(b, "\\u%04x", *p);
        } else {
            pmn_buf_putc(b, *p);
        }
    }
    pmn_buf_putc(b, '"');
}

static bool is_string_root(pmn_type_root r)
{
    return r == PMN_TYPE_CHAR || r == PMN_TYPE_VARCHAR;
}

static int gen(pmn_buf *b, const pmn_type *t, const char *row_name, bool top);

static int gen_record_field(pmn_buf *b, const char *name, const pmn_type *t, const char *type_name,
                            bool with_default)
{
    pmn_buf_puts(b, "{\"name\":");
    put_json_string(b, name);
    pmn_buf_puts(b, ",\"type\":");
    int rc = gen(b, t, type_name, false);
    if (rc)
        return rc;
    if (with_default)
        pmn_buf_puts(b, ",\"default\":null");
    pmn_buf_putc(b, '}');
    return 0;
}

static int gen_logical(pmn_buf *b, const char *type, const char *logical)
{
    pmn_buf_printf(b, "{\"type\":\"%s\",\"logicalType\":\"%s\"}", type, logical);
    return 0;
}

static int gen_value(pmn_buf *b, const pmn_type *t, const char *row_name, bool top)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        pmn_buf_puts(b, "\"boolean\"");
        return 0;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
        pmn_buf_puts(b, "\"int\"");
        return 0;
    case PMN_TYPE_BIGINT:
        pmn_buf_puts(b, "\"long\"");
        return 0;
    case PMN_TYPE_FLOAT:
        pmn_buf_puts(b, "\"float\"");
        return 0;
    case PMN_TYPE_DOUBLE:
        pmn_buf_puts(b, "\"double\"");
        return 0;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        pmn_buf_puts(b, "\"string\"");
        return 0;
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        pmn_buf_puts(b, "\"bytes\"");
        return 0;
    case PMN_TYPE_DECIMAL:
        pmn_buf_printf(b,
                       "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":%d,"
                       "\"scale\":%d}",
                       t->precision, t->scale);
        return 0;
    case PMN_TYPE_DATE:
        return gen_logical(b, "int", "date");
    case PMN_TYPE_TIME:
        /* Paimon keeps TIME as milliseconds whatever the precision, so time-millis loses
         * nothing; Java's converter only accepts precision <= 3 here. */
        return gen_logical(b, "int", "time-millis");
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ: {
        bool ltz = t->root == PMN_TYPE_TIMESTAMP_LTZ;
        if (t->precision > 6)
            return pmn_error_set(PMN_EINVALID,
                                 "avro cannot store %s(%d): precision above 6 (microseconds)",
                                 ltz ? "TIMESTAMP_LTZ" : "TIMESTAMP", t->precision);
        const char *unit = t->precision <= 3 ? "millis" : "micros";
        pmn_buf_printf(b, "{\"type\":\"long\",\"logicalType\":\"%stimestamp-%s\"}",
                       ltz ? "local-" : "", unit);
        return 0;
    }
    case PMN_TYPE_ROW: {
        pmn_buf_puts(b, "{\"type\":\"record\",\"name\":");
        put_json_string(b, row_name);
        if (top)
            pmn_buf_puts(b, ",\"namespace\":\"org.apache.paimon.avro.generated\"");
        pmn_buf_puts(b, ",\"fields\":[");
        for (int32_t i = 0; i < t->nfields; i++) {
            const pmn_field *f = &t->fields[i];
            if (i)
                pmn_buf_putc(b, ',');
            char *child = pmn_xasprintf("%s_%s", row_name, f->name);
            int rc = gen_record_field(b, f->name, f->type, child, f->type->nullable);
            free(child);
            if (rc)
                return pmn_error_wrap("field %s: ", f->name);
        }
        pmn_buf_puts(b, "]}");
        return 0;
    }
    case PMN_TYPE_ARRAY: {
        pmn_buf_puts(b, "{\"type\":\"array\",\"items\":");
        int rc = gen(b, t->elem, row_name, false);
        if (rc)
            return rc;
        pmn_buf_putc(b, '}');
        return 0;
    }
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET: {
        bool multiset = t->root == PMN_TYPE_MULTISET;
        const pmn_type *key = multiset ? t->elem : t->key;
        pmn_type *count = multiset ? pmn_type_new(PMN_TYPE_INT) : NULL;
        const pmn_type *value = multiset ? count : t->value;
        int rc;
        if (is_string_root(key->root)) {
            pmn_buf_puts(b, "{\"type\":\"map\",\"values\":");
            rc = gen(b, value, row_name, false);
            if (rc == 0)
                pmn_buf_putc(b, '}');
        } else {
            pmn_buf_puts(b, "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":");
            put_json_string(b, row_name);
            pmn_buf_puts(b, ",\"fields\":[");
            char *kname = pmn_xasprintf("%s_key", row_name);
            char *vname = pmn_xasprintf("%s_value", row_name);
            rc = gen_record_field(b, "key", key, kname, false);
            if (rc == 0) {
                pmn_buf_putc(b, ',');
                rc = gen_record_field(b, "value", value, vname, value->nullable);
            }
            if (rc == 0)
                pmn_buf_puts(b, "]},\"logicalType\":\"map\"}");
            free(kname);
            free(vname);
        }
        pmn_type_free(count);
        return rc;
    }
    }
    return pmn_error_set(PMN_EINVALID, "avro: unsupported type root %d", (int)t->root);
}

static int gen(pmn_buf *b, const pmn_type *t, const char *row_name, bool top)
{
    if (t->nullable && !top) {
        pmn_buf_puts(b, "[\"null\",");
        int rc = gen_value(b, t, row_name, false);
        pmn_buf_putc(b, ']');
        return rc;
    }
    return gen_value(b, t, row_name, top);
}

char *pmn_avro_schema_for_row(const pmn_type *row)
{
    if (!row || row->root != PMN_TYPE_ROW) {
        pmn_error_set(PMN_EINVALID, "avro: the file schema must be a ROW type");
        return NULL;
    }
    pmn_buf b = PMN_BUF_INIT;
    if (gen(&b, row, "record", true) != 0) {
        pmn_buf_dispose(&b);
        return NULL;
    }
    size_t len;
    return (char *)pmn_buf_detach(&b, &len);
}
