/*
 * src/sql/tableopt.h
 *
 * Value checks for the Paimon table options users set with CREATE TABLE ...
 * WITH and ALTER TABLE ... SET (paimon-format.md §13, Java CoreOptions): a
 * value Java Paimon could not parse ("abc" for snapshot.num-retained.min) is
 * refused before a schema is written. Keys Paimon does not know are kept as
 * Paimon keeps them.
 */
#ifndef PMN_SQL_TABLEOPT_H
#define PMN_SQL_TABLEOPT_H

/* pmn_sql_check_table_option: 0, or PMN_EINVALID "Could not parse value 'v' for key 'k'
 * (expected ...)". */
int pmn_sql_check_table_option(const char *key, const char *value);

#endif
