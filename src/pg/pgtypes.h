/*
 * src/pg/pgtypes.h
 *
 * PostgreSQL types on the source side: classification of a column type
 * (built-in OID, enum, domain → base type, array → element), the mapping to
 * Paimon types (shared/peers.md §1.5, the JDBC path of Paimon's
 * PostgresTypeUtils, with the --type_mapping options), and the parser of
 * text-format values (pgoutput text mode and COPY text format under the
 * session settings of shared/pgoutput.md §0: DateStyle=ISO, TimeZone=UTC,
 * IntervalStyle=postgres, extra_float_digits=3, bytea_output=hex).
 *
 * Value decisions (documented for users, see pmn_pgtypes_parse):
 *  - numeric NaN / ±Infinity cannot be a DECIMAL: error naming the value,
 *    unless the column is mapped to STRING (to-string);
 *  - numeric with more fractional digits than the DECIMAL scale (only possible
 *    for unconstrained numeric → DECIMAL(38,18)) is rounded half-up, as Java
 *    Paimon's DecimalData.fromBigDecimal does; more integer digits than the
 *    precision allows is an error;
 *  - date/timestamp ±infinity saturate to the range every reader accepts:
 *    -infinity = 0001-01-01 00:00:00, infinity = 9999-12-31 23:59:59.999999
 *    (an error would stop the job on a change it could never get past);
 *    BC dates are converted (proleptic Gregorian, year 1 BC = year 0);
 *  - TIME keeps milliseconds (pmn_datum TIME is ms of the day); 24:00:00 is
 *    23:59:59.999 (Java's LocalTime has no 24:00);
 *  - timestamptz is converted to the UTC instant (any ±HH[:MM[:SS]] offset);
 *  - arrays: one dimension only for ARRAY<T> (a multi-dimensional value is an
 *    error naming to-string); explicit lower bounds ("[0:1]={..}") are dropped.
 */
#ifndef PMN_PG_PGTYPES_H
#define PMN_PG_PGTYPES_H

#include "pmn/types.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a PostgreSQL type is, after resolving domains to their base type. */
typedef enum pmn_pg_kind {
    PMN_PG_OTHER = 0, /* no mapping (ranges, composites, geometry, extension types ...) */
    PMN_PG_BOOL,
    PMN_PG_INT2,
    PMN_PG_INT4,
    PMN_PG_INT8,
    PMN_PG_OID,
    PMN_PG_FLOAT4,
    PMN_PG_FLOAT8,
    PMN_PG_NUMERIC,
    PMN_PG_MONEY,
    PMN_PG_TEXT,
    PMN_PG_NAME,
    PMN_PG_CHAR1, /* "char" */
    PMN_PG_BPCHAR,
    PMN_PG_VARCHAR,
    PMN_PG_BYTEA,
    PMN_PG_BIT,
    PMN_PG_VARBIT,
    PMN_PG_DATE,
    PMN_PG_TIME,
    PMN_PG_TIMETZ,
    PMN_PG_TIMESTAMP,
    PMN_PG_TIMESTAMPTZ,
    PMN_PG_INTERVAL,
    PMN_PG_UUID,
    PMN_PG_JSON,
    PMN_PG_JSONB,
    PMN_PG_XML,
    PMN_PG_ENUM,
    PMN_PG_INET,
    PMN_PG_CIDR,
    PMN_PG_MACADDR,
    PMN_PG_MACADDR8,
    PMN_PG_ARRAY,
} pmn_pg_kind;

/* A column's type: kind and modifier of the (base) type, and of the element for arrays. */
typedef struct pmn_pg_type {
    uint32_t oid;  /* the column's declared type (domain or array OID as declared) */
    char name[64]; /* its name as in pg_type (for messages) */
    pmn_pg_kind kind;
    int32_t typmod;        /* of the base type; -1 if none */
    pmn_pg_kind elem_kind; /* ARRAY only */
    int32_t elem_typmod;
    char elem_name[64];
} pmn_pg_type;

/* --type_mapping options (Paimon TypeMapping.TypeMappingMode, spelled with '-'). */
typedef struct pmn_type_mapping {
    bool to_string;                  /* every column STRING */
    bool to_nullable;                /* ignore NOT NULL except on primary-key columns */
    bool char_to_string;             /* CHAR(n)/VARCHAR(n) → STRING */
    bool allow_non_string_to_string; /* schema evolution may turn X into STRING */
    bool decimal_no_change;          /* accepted; no effect for PostgreSQL */
} pmn_type_mapping;

/* pmn_type_mapping_parse: comma-separated option list ("to-string,to-nullable").
 * Accepts every Paimon TypeMappingMode spelling; MySQL-only ones are accepted and ignored.
 * Errors: PMN_EINVALID naming the unknown option. */
int pmn_type_mapping_parse(pmn_type_mapping *out, const char *list);

/* pmn_pgtypes_builtin: classify a built-in type OID (not domains/enums, which need the
 * catalog); fills kind/typmod/elem for known OIDs and returns true; false if unknown. */
bool pmn_pgtypes_builtin(pmn_pg_type *out, uint32_t oid, int32_t typmod);
/* pmn_pgtypes_kind_by_name: the kind of a built-in base type by its pg_type name (OTHER if none).
 */
pmn_pg_kind pmn_pgtypes_kind_by_name(const char *typname);

/* pmn_pgtypes_map: the Paimon type of a column; caller owns *out (pmn_type_free).
 * not_null and is_pk shape nullability (PK columns are always NOT NULL; to-nullable drops
 * NOT NULL elsewhere). Errors: PMN_EINVALID naming table, column and type, suggesting
 * --type_mapping to-string. */
int pmn_pgtypes_map(pmn_type **out, const pmn_pg_type *pt, const pmn_type_mapping *tm,
                    bool not_null, bool is_pk, const char *table, const char *column);

/* pmn_pgtypes_parse: convert one text-format value (not NUL-terminated, text[0..len)) of
 * PostgreSQL type pt into *out for the mapped Paimon type `type`. Strings, bytes and array
 * items are allocated in arena (valid until it is reset). Errors: PMN_EINVALID for a value
 * that cannot be represented (NaN into DECIMAL, overflow), PMN_ECORRUPT
 * for malformed text; the message quotes the value (shortened). */
int pmn_pgtypes_parse(pmn_datum *out, const pmn_pg_type *pt, const pmn_type *type, const char *text,
                      size_t len, pmn_arena *arena);

/* pmn_pgtypes_kind_name: short name of a kind for messages ("numeric", "int4", ...). */
const char *pmn_pgtypes_kind_name(pmn_pg_kind k);

#endif
