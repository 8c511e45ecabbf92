/*
 * src/paimon/data_type_json.h
 *
 * Paimon's JSON form of data types and fields in schema files
 * (paimon-format.md §2.1; org.apache.paimon.types.DataTypeJsonParser):
 * atomic types as SQL strings ("DECIMAL(10, 2) NOT NULL", "STRING",
 * "TIMESTAMP(6) WITH LOCAL TIME ZONE"), ARRAY/MULTISET/MAP/ROW as objects.
 */
#ifndef PMN_PAIMON_DATA_TYPE_JSON_H
#define PMN_PAIMON_DATA_TYPE_JSON_H

#include "pmn/types.h"

#include <jansson.h>

/* pmn_type_from_json: parse a type node (string or object). Caller owns *out. PMN_ECORRUPT
 * with the offending text on error. Nested ROW fields keep their ids. */
int pmn_type_from_json(const json_t *node, pmn_type **out);
/* pmn_type_to_json: new reference, exactly as Java writes it. */
json_t *pmn_type_to_json(const pmn_type *t);
/* pmn_type_parse_sql: parse an atomic or nested SQL type string as users write it
 * ("INT NOT NULL", "VARCHAR(50)", "ARRAY<INT>", "MAP<STRING, INT>", "ROW<a INT, b STRING>",
 * "TIMESTAMP_LTZ(3)", "NUMERIC(10,2)", ...). Nested ROW fields get ids from 0; caller renumbers. */
int pmn_type_parse_sql(const char *sql, pmn_type **out);
/* pmn_type_to_sql: the SQL string Java prints (DataType.asSQLString), e.g. "DECIMAL(10, 2)",
 * "ARRAY<INT NOT NULL>", "ROW<`a` INT>". Caller frees. */
char *pmn_type_to_sql(const pmn_type *t);
/* pmn_field_from_json / pmn_fields_to_json: a DataField {"id","name","type","description"}. */
int pmn_row_from_fields_json(const json_t *fields, pmn_type **row_out);
json_t *pmn_row_to_fields_json(const pmn_type *row);
/* pmn_type_highest_field_id: max field id in a ROW, counting nested ROW fields. */
int32_t pmn_type_highest_field_id(const pmn_type *row);

#endif
