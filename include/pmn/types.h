/*
 * include/pmn/types.h
 *
 * The logical type model (Paimon's DataType / DataField, org.apache.paimon.types)
 * and one value of such a type (pmn_datum, Paimon's internal representation).
 * Every public API that hands out rows uses these.
 *
 * Ownership: a pmn_type owns its children (element, key, value, fields, and
 * each field's name, description and type); pmn_type_free releases the tree.
 * A pmn_datum does not carry its type and owns nothing: strings, bytes and
 * nested items point into memory owned by whoever produced the datum.
 *
 *   BOOLEAN                  v.b
 *   TINYINT..BIGINT          v.i
 *   DATE                     v.i   days since 1970-01-01
 *   TIME                     v.i   milliseconds of the day (Paimon stores ms)
 *   FLOAT                    v.f4
 *   DOUBLE                   v.f8
 *   DECIMAL(p,s)             v.dec unscaled value (value = dec / 10^s)
 *   CHAR/VARCHAR             v.bin UTF-8 bytes (not NUL-terminated)
 *   BINARY/VARBINARY         v.bin
 *   TIMESTAMP[_LTZ]          v.ts  epoch millis + nanos within the milli (0..999999);
 *                                  TIMESTAMP is wall-clock encoded as if UTC
 *   ARRAY                    v.list items[0..n)
 *   MAP                      v.list items[0..2n) alternating key, value; n = entries
 *   MULTISET                 like MAP: element, count (INT)
 *   ROW                      v.list items[0..n)  one per field
 */
#ifndef PMN_TYPES_H
#define PMN_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef enum pmn_type_root {
    PMN_TYPE_BOOLEAN,
    PMN_TYPE_TINYINT,
    PMN_TYPE_SMALLINT,
    PMN_TYPE_INT,
    PMN_TYPE_BIGINT,
    PMN_TYPE_FLOAT,
    PMN_TYPE_DOUBLE,
    PMN_TYPE_DECIMAL,
    PMN_TYPE_CHAR,
    PMN_TYPE_VARCHAR, /* length INT32_MAX is STRING */
    PMN_TYPE_BINARY,
    PMN_TYPE_VARBINARY, /* length INT32_MAX is BYTES */
    PMN_TYPE_DATE,
    PMN_TYPE_TIME,
    PMN_TYPE_TIMESTAMP,
    PMN_TYPE_TIMESTAMP_LTZ,
    PMN_TYPE_ARRAY,
    PMN_TYPE_MULTISET,
    PMN_TYPE_MAP,
    PMN_TYPE_ROW,
} pmn_type_root;

#define PMN_MAX_LENGTH INT32_MAX

typedef struct pmn_type pmn_type;

typedef struct pmn_field {
    int32_t id;        /* Paimon field id, stable across schema versions */
    char *name;        /* owned */
    pmn_type *type;    /* owned */
    char *description; /* owned; NULL if none */
} pmn_field;

struct pmn_type {
    pmn_type_root root;
    bool nullable;
    int32_t length;    /* CHAR/VARCHAR/BINARY/VARBINARY; PMN_MAX_LENGTH = STRING/BYTES */
    int32_t precision; /* DECIMAL (1..38), TIME/TIMESTAMP/TIMESTAMP_LTZ (0..9) */
    int32_t scale;     /* DECIMAL */
    pmn_type *elem;    /* ARRAY, MULTISET */
    pmn_type *key;     /* MAP */
    pmn_type *value;   /* MAP */
    pmn_field *fields; /* ROW */
    int32_t nfields;   /* ROW */
};

/* pmn_type_new: a nullable atomic type with Paimon's default parameters. Caller owns. */
pmn_type *pmn_type_new(pmn_type_root root);
pmn_type *pmn_type_decimal(int32_t precision, int32_t scale);
pmn_type *pmn_type_varchar(int32_t length);
pmn_type *pmn_type_timestamp(pmn_type_root root, int32_t precision);
pmn_type *pmn_type_array(pmn_type *elem);               /* takes ownership of elem */
pmn_type *pmn_type_map(pmn_type *key, pmn_type *value); /* takes ownership */
/* pmn_type_row: an empty ROW; add fields with pmn_type_row_add (takes ownership of type). */
pmn_type *pmn_type_row(void);
pmn_field *pmn_type_row_add(pmn_type *row, int32_t id, const char *name, pmn_type *type);
pmn_type *pmn_type_not_null(pmn_type *t); /* sets nullable=false, returns t */
pmn_type *pmn_type_copy(const pmn_type *t);
void pmn_type_free(pmn_type *t);
bool pmn_type_equal(const pmn_type *a, const pmn_type *b);
/* pmn_type_find_field: index of the field named `name` in a ROW, or -1. */
int pmn_type_find_field(const pmn_type *row, const char *name);
bool pmn_type_is_string(const pmn_type *t); /* CHAR or VARCHAR */
bool pmn_type_is_binary(const pmn_type *t); /* BINARY or VARBINARY */

__extension__ typedef __int128 pmn_i128;

typedef struct pmn_datum pmn_datum;
struct pmn_datum {
    bool is_null;
    union {
        bool b;
        int64_t i;
        float f4;
        double f8;
        pmn_i128 dec;
        struct {
            int64_t millis;
            int32_t nanos;
        } ts;
        struct {
            const uint8_t *ptr;
            uint32_t len;
        } bin;
        struct {
            pmn_datum *items;
            uint32_t n;
        } list;
    } v;
};

#endif
