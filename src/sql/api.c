/*
 * src/sql/api.c
 *
 * The SQL C API (include/pmn/sql.h) over a pgpaimon sql session whose output
 * goes nowhere: statements run as in `pgpaimon sql`, queries hand their rows to
 * the caller through a prepared SQLite statement.
 */
#include "pmn/sql.h"

#include "sql/session.h"
#include "util/alloc.h"
#include "util/error.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmn_sql {
    pmn_sql_session *session;
    FILE *sink; /* /dev/null: the session's printed results and messages */
};

struct pmn_sql_rows {
    pmn_sql *sql;
    sqlite3_stmt *stmt;
    pmn_sql_prepared *handle;
    char text[64]; /* a number rendered by pmn_sql_rows_text */
};

int pmn_sql_open(pmn_sql **out)
{
    pmn_sql *s = pmn_xcalloc(1, sizeof *s);
    s->sink = fopen("/dev/null", "w");
    if (!s->sink) {
        free(s);
        return pmn_error_set_errno("opening /dev/null");
    }
    int rc = pmn_sql_session_new(s->sink, s->sink, &s->session);
    if (rc) {
        fclose(s->sink);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void pmn_sql_close(pmn_sql *s)
{
    if (!s)
        return;
    pmn_sql_session_free(s->session);
    fclose(s->sink);
    free(s);
}

int pmn_sql_exec(pmn_sql *s, const char *statements)
{
    int first = 0;
    pmn_error_clear();
    /* the session reports a failed statement and goes on; the API stops at the first */
    int failed = pmn_sql_session_run_script(s->session, statements, strlen(statements), &first);
    if (failed)
        return first ? first : PMN_ERROR;
    return 0;
}

int pmn_sql_query(pmn_sql *s, const char *select, pmn_sql_rows **out)
{
    pmn_sql_rows *r = pmn_xcalloc(1, sizeof *r);
    r->sql = s;
    int rc = pmn_sql_session_prepare(s->session, select, &r->stmt, &r->handle);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pmn_sql_rows_next(pmn_sql_rows *r)
{
    int rc = sqlite3_step(r->stmt);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return PMN_ITEROVER;
    return pmn_error_set(PMN_EINVALID, "%s", sqlite3_errmsg(sqlite3_db_handle(r->stmt)));
}

int pmn_sql_rows_columns(const pmn_sql_rows *r)
{
    return sqlite3_column_count(r->stmt);
}

const char *pmn_sql_rows_name(const pmn_sql_rows *r, int col)
{
    return sqlite3_column_name(r->stmt, col);
}

bool pmn_sql_rows_is_null(const pmn_sql_rows *r, int col)
{
    return sqlite3_column_type(r->stmt, col) == SQLITE_NULL;
}

int64_t pmn_sql_rows_int(const pmn_sql_rows *r, int col)
{
    return sqlite3_column_int64(r->stmt, col);
}

double pmn_sql_rows_double(const pmn_sql_rows *r, int col)
{
    return sqlite3_column_double(r->stmt, col);
}

/* decimal_scale: the scale of a result column declared DECIMAL(p, s) by the lake vtab. */
static int decimal_scale(sqlite3_stmt *st, int col)
{
    const char *d = sqlite3_column_decltype(st, col);
    const char *dec = d ? strstr(d, "DECIMAL(") : NULL;
    int p, sc;
    if (dec && sscanf(dec, "DECIMAL(%d, %d)", &p, &sc) == 2)
        return sc;
    return -1;
}

const char *pmn_sql_rows_text(pmn_sql_rows *r, int col)
{
    int type = sqlite3_column_type(r->stmt, col);
    if (type == SQLITE_NULL)
        return NULL;
    int scale = decimal_scale(r->stmt, col);
    if (type == SQLITE_FLOAT && scale >= 0) {
        snprintf(r->text, sizeof r->text, "%.*f", scale, sqlite3_column_double(r->stmt, col));
        return r->text;
    }
    return (const char *)sqlite3_column_text(r->stmt, col);
}

void pmn_sql_rows_free(pmn_sql_rows *r)
{
    if (!r)
        return;
    pmn_sql_session_release(r->sql->session, r->stmt, r->handle);
    free(r);
}
