/*
 * tests/integration/itutil.c
 *
 * Helpers for the cmocka integration programs; see itutil.h.
 */
#include "itutil.h"

#include "testutil.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *pmn_it_conninfo(const char *db)
{
    const char *dir = getenv("PMN_PG_DIR");
    if (!dir)
        fail_msg("PMN_PG_DIR is not set (run through ctest)");
    char *path = pmn_xasprintf("%s/conninfo", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s: is the fixture cluster running?", path);
    char line[512];
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    free(path);
    line[strcspn(line, "\n")] = '\0';
    /* libpq keeps the last value of a repeated keyword: this dbname wins. */
    return pmn_xasprintf("%s dbname=%s connect_timeout=10", line, db);
}

PGconn *pmn_it_connect(const char *db)
{
    char *ci = pmn_it_conninfo(db);
    PGconn *conn = PQconnectdb(ci);
    free(ci);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("connecting to database %s: %s", db, PQerrorMessage(conn));
    return conn;
}

PGresult *pmn_it_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    return res;
}

char *pmn_it_value(PGconn *conn, const char *sql)
{
    PGresult *res = pmn_it_exec(conn, sql);
    if (PQntuples(res) < 1 || PQnfields(res) < 1)
        fail_msg("%s: no row", sql);
    char *v = PQgetisnull(res, 0, 0) ? NULL : pmn_xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static void drop_db(PGconn *conn, const char *name)
{
    char *lit = PQescapeLiteral(conn, name, strlen(name));
    char *ident = PQescapeIdentifier(conn, name, strlen(name));
    PQclear(pmn_it_exec(conn, "SET client_min_messages = warning"));
    char *sql =
        pmn_xasprintf("SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots"
                      " WHERE database = %s AND active_pid IS NOT NULL",
                      lit);
    PQclear(pmn_it_exec(conn, sql));
    free(sql);
    sql = pmn_xasprintf("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                        " WHERE database = %s",
                        lit);
    PQclear(pmn_it_exec(conn, sql));
    free(sql);
    sql = pmn_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident);
    PQclear(pmn_it_exec(conn, sql));
    free(sql);
    PQfreemem(lit);
    PQfreemem(ident);
}

void pmn_it_drop_db(const char *name)
{
    PGconn *conn = pmn_it_connect("postgres");
    drop_db(conn, name);
    PQfinish(conn);
}

void pmn_it_fresh_db(const char *name, const char *template_db)
{
    PGconn *conn = pmn_it_connect("postgres");
    drop_db(conn, name);
    char *ident = PQescapeIdentifier(conn, name, strlen(name));
    char *tmpl = template_db ? PQescapeIdentifier(conn, template_db, strlen(template_db)) : NULL;
    char *sql =
        pmn_xasprintf("CREATE DATABASE %s%s%s", ident, tmpl ? " TEMPLATE " : "", tmpl ? tmpl : "");
    /* A copy fails while anyone is connected to the template; another
     * test's session may be, for a moment. */
    for (int attempt = 0;; attempt++) {
        PGresult *res = PQexec(conn, sql);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        int busy = !ok && state && strcmp(state, "55006") == 0; /* object_in_use */
        PQclear(res);
        if (ok)
            break;
        if (!busy || attempt >= 40)
            fail_msg("%s: %s", sql, PQerrorMessage(conn));
        usleep(250 * 1000);
    }
    free(sql);
    PQfreemem(ident);
    if (tmpl)
        PQfreemem(tmpl);
    PQfinish(conn);
}
