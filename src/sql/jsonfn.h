/*
 * src/sql/jsonfn.h
 *
 * Flink's SQL/JSON query functions on the client's SQLite connection:
 * JSON_VALUE, JSON_QUERY and JSON_EXISTS, with the semantics of Flink's
 * runtime (Calcite's JsonFunctions over Jayway JsonPath):
 *
 *  - the path is '[lax|strict] $<steps>' with steps .name, ['name'] / ["name"]
 *    (also .['name']), [index] (negative counts from the end), [*] and .*;
 *    no mode means strict. In strict mode a missing member or index is an
 *    error; in lax mode it is an empty result. Wildcards make the result the
 *    list of what they matched (a JSON array);
 *  - JSON_VALUE(json, path [RETURNING type] [{NULL|ERROR|DEFAULT x} ON EMPTY]
 *    [{NULL|ERROR|DEFAULT x} ON ERROR]) gives a scalar, as STRING unless
 *    RETURNING says INT, BIGINT, DOUBLE, BOOLEAN, ...; defaults NULL ON EMPTY
 *    and NULL ON ERROR (invalid JSON, a bad path, a strict-mode miss, a
 *    non-scalar in strict mode, a value RETURNING cannot convert are errors);
 *  - JSON_QUERY(json, path [WITHOUT|WITH [CONDITIONAL|UNCONDITIONAL] [ARRAY]
 *    WRAPPER] [{NULL|ERROR|EMPTY ARRAY|EMPTY OBJECT} ON EMPTY|ERROR]) gives
 *    the JSON text of an array or object (compact, as Jackson writes it);
 *  - JSON_EXISTS(json, path [{TRUE|FALSE|UNKNOWN|ERROR} ON ERROR]) tells
 *    whether the path finds a non-null value; default FALSE ON ERROR.
 *
 * sql/rewrite.c turns the calls into pmn_json_value(json, path, clause...)
 * etc., each clause a string such as 'RETURNING INT' or 'NULL ON EMPTY';
 * 'DEFAULT ON EMPTY' and 'DEFAULT ON ERROR' are followed by the default value.
 * A JSON argument that is not a string (a number) is an error, as Flink's
 * validator rejects it.
 */
#ifndef PMN_SQL_JSONFN_H
#define PMN_SQL_JSONFN_H

#include <sqlite3.h>

/* pmn_sql_json_functions_register: add pmn_json_value, pmn_json_query and pmn_json_exists to
 * db. Returns SQLITE_OK or an SQLite error code. */
int pmn_sql_json_functions_register(sqlite3 *db);

#endif
