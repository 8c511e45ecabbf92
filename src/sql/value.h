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
 * its scale (99.90). DECIMALs of more than 15 significant digits lose
 * precision in arithmetic; printing a plain column rounds back to the scale.
 * Text forms of dates and times sort and compare like the values themselves,
 * and the typed literals TIMESTAMP '...' / DATE '...' are rewritten to plain
 * strings (sql/rewrite.c) so comparisons with them work.
 */
#ifndef PMN_SQL_VALUE_H
#define PMN_SQL_VALUE_H

#include "pmn/types.h"
#include "util/arena.h"

#include <sqlite3.h>

/* pmn_sql_decltype: the declared column type described above (caller frees). */
char *pmn_sql_decltype(const pmn_type *t);
/* pmn_sql_result_datum: set the SQL function/column result to d of type t. */
void pmn_sql_result_datum(sqlite3_context *ctx, const pmn_type *t, const pmn_datum *d);
/* pmn_sql_value_to_datum: convert a SQL value to type t; strings land in arena a. NULL stays
 * NULL (the caller checks NOT NULL). PMN_EINVALID "cannot convert 'x' to INT" when the value
 * does not fit; with exact=true a DECIMAL or integer that would need rounding also fails. */
int pmn_sql_value_to_datum(sqlite3_value *v, const pmn_type *t, bool exact, pmn_arena *a,
                           pmn_datum *out);

/* pmn_sql_date_to_days: proleptic Gregorian days since 1970-01-01 (the inverse of
 * change/textfmt.h's pmn_civil_from_days). */
int64_t pmn_sql_date_to_days(int y, int m, int d);
/* pmn_sql_local_to_millis: "YYYY-MM-DD[ HH:MM:SS[.fff]]" in the process time zone (TZ) as
 * epoch milliseconds. PMN_EINVALID names the text when it does not parse. */
int pmn_sql_local_to_millis(const char *text, int64_t *millis);

#endif
