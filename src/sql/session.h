/*
 * src/sql/session.h
 *
 * One `pgpaimon sql` session: the catalogs it created, the current catalog and
 * database, SET options, and an SQLite connection on which lake tables appear
 * as `paimon` virtual tables (sql/vtab.c). Statements are parsed by
 * sql/stmt.c; DDL, SHOW, DESCRIBE and SET run here against the lake API;
 * queries are rewritten (sql/rewrite.c) and run by SQLite; INSERT, INSERT
 * OVERWRITE, UPDATE and DELETE run a query in SQLite and write its rows with
 * pmn_writer, committing one snapshot per statement (none if it fails); ALTER
 * TABLE goes through pmn_table_alter.
 *
 * Printing follows the Flink SQL client: results through sql/output.c, DDL
 * as "[INFO] Execute statement succeed.", writes as "[INFO] Complete
 * execution of the SQL update statement.", and failures as
 *   [ERROR] Could not execute SQL statement. Reason:
 *   <what is wrong>
 * on the error stream. With csv or json output the [INFO] lines also go to
 * the error stream, so standard output holds only data.
 *
 * Built in: catalog `default_catalog` with the empty database
 * `default_database` (Flink's in-memory catalog; it cannot hold tables).
 * Session options (SET 'k' = 'v'): any key is kept and listed by SET;
 * these have an effect:
 *   table.local-time-zone                time zone of TIMESTAMP_LTZ values and of
 *                                        FOR SYSTEM_TIME AS OF / scan.timestamp
 *                                        ('default' = the process TZ)
 *   sql-client.display.max-column-width  tableau column width (default 30)
 *   sql-client.output-format             tableau | csv | json (pgpaimon's own key)
 */
#ifndef PMN_SQL_SESSION_H
#define PMN_SQL_SESSION_H

#include "sql/output.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pmn_sql_session pmn_sql_session;

/* pmn_sql_session_new: a session printing results to out and messages to err (both
 * borrowed). Free with pmn_sql_session_free. */
int pmn_sql_session_new(FILE *out, FILE *err, pmn_sql_session **session);
/* pmn_sql_session_free: close the catalogs and SQLite, restore TZ (NULL is fine). */
void pmn_sql_session_free(pmn_sql_session *s);
/* pmn_sql_session_set_format: output format of results. */
void pmn_sql_session_set_format(pmn_sql_session *s, pmn_sql_format format);
/* pmn_sql_session_attach: CREATE CATALOG name WITH ('type' = 'paimon', 'warehouse' = w) and
 * USE CATALOG name, printing nothing. Returns 0 or the error (message in pmn_error_last). */
int pmn_sql_session_attach(pmn_sql_session *s, const char *name, const char *warehouse);
/* pmn_sql_session_scan_stats: lake scans the last statement opened, and the data files and
 * rows they read (to check pushdown). */
void pmn_sql_session_scan_stats(const pmn_sql_session *s, uint64_t *scans, uint64_t *files,
                                uint64_t *rows);
/* pmn_sql_session_execute: run one statement (no trailing `;`), printing its result or its
 * error. Returns 0 or the PMN_E* code of the failure. */
int pmn_sql_session_execute(pmn_sql_session *s, const char *text, size_t len);
/* pmn_sql_session_run_script: split text into statements and run each; a failed statement is
 * reported and skipped. The last statement may lack its `;`. Returns the number of failed
 * statements; *first_error gets the code of the first failure (0 if none). */
int pmn_sql_session_run_script(pmn_sql_session *s, const char *text, size_t len, int *first_error);

/* Queries for the C API (include/pmn/sql.h, sql/api.c): prepare one Flink SELECT on the
 * session's SQLite connection, and release it with the lake tables it opened. */
struct sqlite3_stmt;
typedef struct pmn_sql_prepared pmn_sql_prepared;
int pmn_sql_session_prepare(pmn_sql_session *s, const char *select, struct sqlite3_stmt **stmt,
                            pmn_sql_prepared **handle);
void pmn_sql_session_release(pmn_sql_session *s, struct sqlite3_stmt *stmt,
                             pmn_sql_prepared *handle);

#endif
