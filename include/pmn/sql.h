/*
 * include/pmn/sql.h
 *
 * Running Flink-style SQL on the lake from C: the statements `pgpaimon sql`
 * accepts (CREATE CATALOG, USE, CREATE TABLE, INSERT, SELECT with joins, time
 * travel and system tables ...), with query results handed back as rows
 * instead of printed.
 *
 *     pmn_sql *s;
 *     pmn_sql_open(&s);
 *     pmn_sql_exec(s, "CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', "
 *                     "'warehouse' = '/tmp/paimon'); USE CATALOG paimon_catalog;");
 *     pmn_sql_rows *r;
 *     pmn_sql_query(s, "SELECT product_id, price FROM lakehouse.products", &r);
 *     while (pmn_sql_rows_next(r) == 0)
 *         printf("%s %.2f\n", pmn_sql_rows_text(r, 0), pmn_sql_rows_double(r, 1));
 *     pmn_sql_rows_free(r);
 *     pmn_sql_close(s);
 *
 * Ownership: handles are freed with their _free/_close function; values returned
 * by the pmn_sql_rows_* getters are borrowed until the next pmn_sql_rows_next.
 * A pmn_sql_rows must be freed before the next statement on its session.
 * Errors: negative PMN_E* codes with pmn_error_last() naming what is wrong.
 */
#ifndef PMN_SQL_H
#define PMN_SQL_H

#include "pmn/common.h"

typedef struct pmn_sql pmn_sql;
typedef struct pmn_sql_rows pmn_sql_rows;

/* pmn_sql_open: a session (nothing is printed). */
int pmn_sql_open(pmn_sql **out);
void pmn_sql_close(pmn_sql *s);
/* pmn_sql_exec: run `;`-separated statements; stops at the first failure and returns it. A
 * SELECT among them is run and its rows discarded. */
int pmn_sql_exec(pmn_sql *s, const char *statements);
/* pmn_sql_query: run one SELECT and iterate its rows. */
int pmn_sql_query(pmn_sql *s, const char *select, pmn_sql_rows **out);
/* pmn_sql_rows_next: 0 when a row is available, PMN_ITEROVER after the last, or an error. */
int pmn_sql_rows_next(pmn_sql_rows *r);
int pmn_sql_rows_columns(const pmn_sql_rows *r);
const char *pmn_sql_rows_name(const pmn_sql_rows *r, int col);
bool pmn_sql_rows_is_null(const pmn_sql_rows *r, int col);
int64_t pmn_sql_rows_int(const pmn_sql_rows *r, int col);
double pmn_sql_rows_double(const pmn_sql_rows *r, int col);
/* pmn_sql_rows_text: the value as text (NULL for SQL NULL); DECIMAL columns read straight
 * from a table keep their exact scale ("79.99"). */
const char *pmn_sql_rows_text(pmn_sql_rows *r, int col);
void pmn_sql_rows_free(pmn_sql_rows *r);

#endif
