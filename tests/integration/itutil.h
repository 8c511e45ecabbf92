/*
 * tests/integration/itutil.h
 *
 * Helpers for the cmocka integration programs (tests/integration/test_*.c):
 * connections to the fixture cluster that tests.cmake starts (its conninfo
 * is in $PMN_PG_DIR/conninfo) and a private database per test. Every helper
 * fails the running cmocka test on error, with the server's message.
 */
#ifndef PMN_ITUTIL_H
#define PMN_ITUTIL_H

#include <libpq-fe.h>

/* pmn_it_conninfo: the fixture cluster's conninfo for database db (caller frees). */
char *pmn_it_conninfo(const char *db);
/* pmn_it_connect: an open connection to database db (caller PQfinish-es). */
PGconn *pmn_it_connect(const char *db);
/* pmn_it_exec: runs sql, which must succeed; returns the result (caller PQclear-s). */
PGresult *pmn_it_exec(PGconn *conn, const char *sql);
/* pmn_it_value: first column of the first row of sql on the heap (caller
 * frees); NULL for SQL NULL; fails the test when there is no row. */
char *pmn_it_value(PGconn *conn, const char *sql);
/* pmn_it_fresh_db: drops database name with its replication slots and
 * creates it again, as a copy of template_db when that is not NULL. */
void pmn_it_fresh_db(const char *name, const char *template_db);
/* pmn_it_drop_db: drops database name and its replication slots, if present. */
void pmn_it_drop_db(const char *name);

#endif
