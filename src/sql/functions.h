/*
 * src/sql/functions.h
 *
 * Flink SQL functions that SQLite lacks, registered on the client's SQLite
 * connection: CONCAT(a, ...) (NULL if any argument is NULL), CONCAT_WS(sep, ...)
 * (skips NULLs), NOW() / LOCALTIMESTAMP() (local time, TIMESTAMP(3) text),
 * DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') (Java pattern letters y M d H m s S),
 * YEAR, QUARTER, MONTH, DAYOFMONTH, HOUR, MINUTE, SECOND of a date/timestamp
 * text, SPLIT_INDEX(s, sep, i), INITCAP(s), LOCATE(needle, s), REVERSE(s),
 * and the helpers sql/rewrite.c calls: pmn_item(x, i) for element access
 * x[i] / m['k'], pmn_to_double(x) for CAST(x AS DOUBLE | FLOAT) ('NaN',
 * 'Infinity', '-Infinity' as Flink parses them), pmn_decimal('digits') for a
 * decimal literal of more than 15 digits (sql/value.h, pmn_sql_exact), and
 * JSON_VALUE / JSON_QUERY / JSON_EXISTS (sql/jsonfn.h).
 * SQLite already has the usual others (UPPER, LOWER, TRIM, ABS, ROUND, FLOOR,
 * CEIL, POWER, MOD, SQRT, LN, COALESCE, NULLIF, REPLACE, SUBSTR, SUBSTRING).
 */
#ifndef PMN_SQL_FUNCTIONS_H
#define PMN_SQL_FUNCTIONS_H

#include <sqlite3.h>

/* pmn_sql_functions_register: add the functions above to db. Returns 0 or PMN_ERROR. */
int pmn_sql_functions_register(sqlite3 *db);

#endif
