/*
 * src/pg/conn.h
 *
 * libpq wrapper for the PostgreSQL source (style.md §3.3: only conn.c and
 * repl.c include libpq-fe.h). Opens normal and replication connections with
 * the fixed session settings of shared/pgoutput.md §0 (client_encoding=UTF8,
 * DateStyle=ISO, IntervalStyle=postgres, extra_float_digits=3, TimeZone=UTC,
 * bytea_output=hex, lc_monetary=C) so that text values parse exactly; runs
 * queries returning rows as strings; reads COPY TO STDOUT row by row; and
 * turns every server error into a pmn error classified by SQLSTATE (class 08
 * and 57P0x → PMN_ECONN, anything else → PMN_EPG), with a message that names
 * the cause and the fix (pgoutput.md §9). The password never appears in a
 * message or a log line.
 */
#ifndef PMN_PG_CONN_H
#define PMN_PG_CONN_H

#include <stdbool.h>
#include <stddef.h>

/* Connection parameters (the --postgres_conf keys hostname, port, username, password,
 * database-name). All strings owned; NULL = libpq default (PGHOST ...). password NULL:
 * libpq takes PGPASSWORD or ~/.pgpass. */
typedef struct pmn_pg_connparams {
    char *host;
    char *port;
    char *user;
    char *password;
    char *dbname;
    char *application_name; /* NULL = "pgpaimon" */
    int connect_timeout_s;  /* 0 = 10 */
} pmn_pg_connparams;

/* pmn_pg_connparams_from_conninfo: fill *out from a libpq conninfo string ("host=.. port=..")
 * or URI; keys other than the six above are ignored. Errors: PMN_EINVALID. */
int pmn_pg_connparams_from_conninfo(pmn_pg_connparams *out, const char *conninfo);
/* pmn_pg_connparams_copy: deep copy; dispose both. */
void pmn_pg_connparams_copy(pmn_pg_connparams *out, const pmn_pg_connparams *in);
void pmn_pg_connparams_dispose(pmn_pg_connparams *p);

typedef struct pmn_pgconn pmn_pgconn;

/* pmn_pgconn_open: connect (replication=database when `replication`). Caller owns *out
 * (pmn_pgconn_free). Errors: PMN_ECONN (unreachable, class 08), PMN_EPG with SQLSTATE
 * (28P01 wrong password, 28000 pg_hba, 3D000 missing database, 42501 no REPLICATION ...). */
int pmn_pgconn_open(pmn_pgconn **out, const pmn_pg_connparams *p, bool replication);
void pmn_pgconn_free(pmn_pgconn *c);
/* pmn_pgconn_server_version: e.g. 150018. */
int pmn_pgconn_server_version(const pmn_pgconn *c);
/* pmn_pgconn_params: the parameters the connection was opened with (borrowed). */
const pmn_pg_connparams *pmn_pgconn_params(const pmn_pgconn *c);
/* pmn_pgconn_backend_pid: the server process id of this connection. */
int pmn_pgconn_backend_pid(const pmn_pgconn *c);

/* A query result copied out of libpq: rows × cols strings, NULL for SQL NULL. */
typedef struct pmn_pgresult {
    int nrows;
    int ncols;
    char **names; /* ncols */
    char **vals;  /* nrows * ncols, row-major */
} pmn_pgresult;

const char *pmn_pgresult_get(const pmn_pgresult *r, int row, int col);
/* pmn_pgresult_col: index of the column named `name`, or -1. */
int pmn_pgresult_col(const pmn_pgresult *r, const char *name);
void pmn_pgresult_free(pmn_pgresult *r);

/* pmn_pgconn_query: run sql with text parameters $1..$n (none allowed on a replication
 * connection: simple query protocol only) and copy the result. out may be NULL to drop
 * the rows. `what` names the operation for messages ("listing tables"). */
int pmn_pgconn_query(pmn_pgconn *c, pmn_pgresult **out, const char *what, const char *sql,
                     int nparams, const char *const *params);
/* pmn_pgconn_exec: run a statement that returns no rows of interest. */
int pmn_pgconn_exec(pmn_pgconn *c, const char *what, const char *sql);

/* pmn_pgconn_quote_literal / _quote_ident: SQL-quoted copies (caller frees). */
char *pmn_pgconn_quote_literal(pmn_pgconn *c, const char *s);
char *pmn_pgconn_quote_ident(pmn_pgconn *c, const char *s);

/* COPY ... TO STDOUT: start, then next() until PMN_ITEROVER. Each row is returned without
 * its trailing newline, valid until the next call. */
int pmn_pgconn_copy_start(pmn_pgconn *c, const char *what, const char *sql);
int pmn_pgconn_copy_next(pmn_pgconn *c, const char **row, size_t *len);

/* Error helpers shared with repl.c. */
struct pg_conn;
struct pg_result;
/* pmn_pgconn_pq: the libpq handle (for repl.c only). */
struct pg_conn *pmn_pgconn_pq(pmn_pgconn *c);
/* pmn_pgconn_fail_result: record the error carried by res (or the connection's error when
 * res is NULL or has no SQLSTATE) with the cause-and-fix message for its SQLSTATE; returns
 * PMN_ECONN or PMN_EPG. */
int pmn_pgconn_fail_result(pmn_pgconn *c, const struct pg_result *res, const char *what);
/* pmn_pgconn_set_context: names used in fix hints (slot, publication); borrowed strings
 * copied. NULL leaves a value unchanged. */
void pmn_pgconn_set_context(pmn_pgconn *c, const char *slot, const char *publication);
/* pmn_pg_error_code_for_sqlstate: PMN_ECONN for class 08 and 57P01-57P03, else PMN_EPG. */
int pmn_pg_error_code_for_sqlstate(const char *sqlstate);

#endif
