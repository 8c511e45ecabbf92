/*
 * src/sql/value.h
 *
 * Conversions between lake values (pmn_datum of a pmn_type) and SQLite values,
 * shared by the virtual table (reads, filter pushdown) and the INSERT/DELETE
 * path (writes).
 *
 * How each Paimon type appears in SQL, and the declared type the virtual table
 * gives the column (first word = SQLite affinity, the rest = the Paimon type
 * that sql/output.c uses to print the value):
 *
 *   BOOLEAN                 INTEGER 0/1            "INTEGER BOOLEAN"
 *   TINYINT..BIGINT         INTEGER                "INTEGER INT" ...
 *   FLOAT, DOUBLE           REAL                   "REAL DOUBLE"
 *   DECIMAL(p,s)            REAL                   "REAL DECIMAL(p, s)"
 *   CHAR/VARCHAR/STRING     TEXT                   "TEXT VARCHAR(n)", "TEXT STRING"
 *   BINARY/VARBINARY/BYTES  BLOB                   "BLOB BYTES" ...
 *   DATE                    TEXT 'YYYY-MM-DD'      "TEXT DATE"
 *   TIME(p)                 TEXT 'HH:MM:SS[.f]'    "TEXT TIME(p)"
 *   TIMESTAMP(p)            TEXT 'YYYY-MM-DD HH:MM:SS[.f]' (p fraction digits)
 *   TIMESTAMP_LTZ(p)        the same text in the session time zone (TZ)
 *   ARRAY, MAP, MULTISET, ROW  TEXT holding JSON   "TEXT ARRAY" ...
 *
 * DECIMAL is REAL so that `price < 50`, SUM(price) and ORDER BY price behave
 * numerically (a TEXT decimal would compare as a string); the declared type
 * keeps the scale, so a column read straight from a table prints with exactly
 * its scale (99.90). A double holds 15 significant digits: for a DECIMAL with
 * more, the value produced remembers its exact digits in the statement's
 * pmn_sql_exact registry (keyed by the double's bits), from which sql/output.c
 * prints a plain DECIMAL column exactly and INSERT ... SELECT / VALUES writes
 * it exactly. Arithmetic on such values (SUM, *, ...) stays double.
 * Text forms of dates and times sort and compare like the values themselves,
 * and the typed literals TIMESTAMP '...' / DATE '...' are rewritten to plain
 * strings (sql/rewrite.c) so comparisons with them work.
 */
#ifndef PMN_SQL_VALUE_H
#define PMN_SQL_VALUE_H

#include "pmn/types.h"
#include "util/arena.h"

#include <sqlite3.h>

/* SQLite subtype of an ARRAY / MAP column value (JSON text) whose innermost element or map
 * value is one of these types, so that element access (sql/functions.c, pmn_item) returns
 * the element as a column of that type would be: DECIMAL as REAL, TIMESTAMP, TIMESTAMP_LTZ
 * and TIME in the canonical text above (the JSON holds `pgpaimon table scan`'s forms). The
 * subtype lives as long as the value is not stored (a sorter drops it). */
enum {
    PMN_SQL_SUBTYPE_DECIMAL = 'D',
    PMN_SQL_SUBTYPE_TIMESTAMP = 'S',
    PMN_SQL_SUBTYPE_TIMESTAMP_LTZ = 'Z',
    PMN_SQL_SUBTYPE_TIME = 'H',
    /* added to the above: the value is a MAP whose keys are not strings, held as a JSON list
     * of [key, value] pairs (an integer in m[1] is a key, not a position) */
    PMN_SQL_SUBTYPE_PAIRS = 0x80,
};
/* pmn_sql_nested_element: the canonical SQL value of a JSON string element of subtype `sub`
 * (above): sets the function result and returns true, or false to leave it to the caller. */
bool pmn_sql_nested_element(sqlite3_context *ctx, unsigned sub, const char *s);

/* pmn_sql_decltype: the declared column type described above (caller frees). */
char *pmn_sql_decltype(const pmn_type *t);
/* pmn_sql_result_datum: set the SQL function/column result to d of type t. */
void pmn_sql_result_datum(sqlite3_context *ctx, const pmn_type *t, const pmn_datum *d);
/* pmn_sql_value_to_datum: convert a SQL value to type t; strings land in arena a. NULL stays
 * NULL (the caller checks NOT NULL). PMN_EINVALID "cannot convert 'x' to INT" when the value
 * does not fit; with exact=true a DECIMAL or integer that would need rounding also fails. */
int pmn_sql_value_to_datum(sqlite3_value *v, const pmn_type *t, bool exact, pmn_arena *a,
                           pmn_datum *out);

/* Exact digits of the DECIMAL values of more than 15 significant digits that a statement
 * handed to SQLite as doubles. One registry per session; the thread's current registry
 * (pmn_sql_exact_use) is the one pmn_sql_result_datum and the lookups below use. Two
 * different decimals with the same double are both forgotten (lookups then fail). At most
 * PMN_SQL_EXACT_MAX values are kept per statement (32 bytes each; until the first lookup a
 * repeated value counts each time); values past that print from their double. */
typedef struct pmn_sql_exact pmn_sql_exact;
#define PMN_SQL_EXACT_MAX (1u << 20)
/* pmn_sql_exact_new / _free: an empty registry; free accepts NULL. */
pmn_sql_exact *pmn_sql_exact_new(void);
void pmn_sql_exact_free(pmn_sql_exact *x);
/* pmn_sql_exact_reset: forget every value (after a statement). */
void pmn_sql_exact_reset(pmn_sql_exact *x);
/* pmn_sql_exact_use: make x (or NULL: none) the thread's current registry; returns the
 * previous one. */
pmn_sql_exact *pmn_sql_exact_use(pmn_sql_exact *x);
/* pmn_sql_exact_note: remember that double f stands for unscaled / 10^scale (no-op without a
 * current registry or when f holds the value's digits anyway). */
void pmn_sql_exact_note(double f, pmn_i128 unscaled, int scale);
/* pmn_sql_exact_lookup: the exact decimal that f stands for, as an unscaled value of exactly
 * `scale` fraction digits. False if unknown, ambiguous or not representable at that scale. */
bool pmn_sql_exact_lookup(double f, int scale, pmn_i128 *unscaled);
/* pmn_sql_exact_find: the same at the scale it was noted with (its column's), for a value
 * whose column type is unknown (MIN(d), COALESCE(d, 0), a UNION arm). */
bool pmn_sql_exact_find(double f, pmn_i128 *unscaled, int *scale);
/* pmn_sql_exact_literal: the double of the decimal literal `text` ("12345678901234567.891"),
 * its digits noted in the current registry. */
double pmn_sql_exact_literal(const char *text);

/* pmn_sql_date_to_days: proleptic Gregorian days since 1970-01-01 (the inverse of
 * change/textfmt.h's pmn_civil_from_days). */
int64_t pmn_sql_date_to_days(int y, int m, int d);
/* pmn_sql_local_to_millis: "YYYY-MM-DD[ HH:MM:SS[.fff]]" in the process time zone (TZ) as
 * epoch milliseconds. PMN_EINVALID names the text when it does not parse. */
int pmn_sql_local_to_millis(const char *text, int64_t *millis);

#endif
