/*
 * src/pg/conn.c
 *
 * libpq wrapper; see conn.h. Connection-time failures carry no PGresult, so
 * the connection is started asynchronously with PQERRORS_VERBOSE set before
 * the first packet: libpq then renders the server's SQLSTATE field into the
 * error text ("FATAL:  28P01: ..."), which is parsed structurally (the code
 * field, never the wording).
 */
#include "pg/conn.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"

#include <libpq-fe.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_OPTIONS                                                                            \
    "-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c TimeZone=UTC "          \
    "-c bytea_output=hex -c lc_monetary=C"

struct pmn_pgconn {
    PGconn *pq;
    pmn_pg_connparams params;
    bool replication;
    bool connected;
    char *slot;        /* context for hints */
    char *publication; /* context for hints */
    char *copy_row;    /* current COPY row (PQfreemem) */
};

/* ---- parameters -------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? pmn_xstrdup(s) : NULL;
}

void pmn_pg_connparams_copy(pmn_pg_connparams *out, const pmn_pg_connparams *in)
{
    out->host = dup_or_null(in->host);
    out->port = dup_or_null(in->port);
    out->user = dup_or_null(in->user);
    out->password = dup_or_null(in->password);
    out->dbname = dup_or_null(in->dbname);
    out->application_name = dup_or_null(in->application_name);
    out->connect_timeout_s = in->connect_timeout_s;
}

void pmn_pg_connparams_dispose(pmn_pg_connparams *p)
{
    free(p->host);
    free(p->port);
    free(p->user);
    if (p->password) {
        memset(p->password, 0, strlen(p->password));
        free(p->password);
    }
    free(p->dbname);
    free(p->application_name);
    memset(p, 0, sizeof *p);
}

int pmn_pg_connparams_from_conninfo(pmn_pg_connparams *out, const char *conninfo)
{
    memset(out, 0, sizeof *out);
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        int rc = pmn_error_set(PMN_EINVALID, "bad PostgreSQL connection string: %s",
                               err ? err : "out of memory");
        if (err)
            PQfreemem(err);
        return rc;
    }
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0)
            out->host = out->host ? out->host : pmn_xstrdup(o->val);
        else if (strcmp(o->keyword, "port") == 0)
            out->port = pmn_xstrdup(o->val);
        else if (strcmp(o->keyword, "user") == 0)
            out->user = pmn_xstrdup(o->val);
        else if (strcmp(o->keyword, "password") == 0)
            out->password = pmn_xstrdup(o->val);
        else if (strcmp(o->keyword, "dbname") == 0)
            out->dbname = pmn_xstrdup(o->val);
        else if (strcmp(o->keyword, "application_name") == 0)
            out->application_name = pmn_xstrdup(o->val);
    }
    PQconninfoFree(opts);
    return 0;
}

/* ---- error messages ------------------------------------------------------ */

int pmn_pg_error_code_for_sqlstate(const char *sqlstate)
{
    if (!sqlstate || !*sqlstate)
        return PMN_EPG;
    if (strncmp(sqlstate, "08", 2) == 0)
        return PMN_ECONN;
    /* admin/crash shutdown or "cannot connect now": the server went away, reconnect */
    if (strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P02") == 0 ||
        strcmp(sqlstate, "57P03") == 0)
        return PMN_ECONN;
    return PMN_EPG;
}

/* replace every occurrence of the password by "***", newlines by spaces */
static void scrub(pmn_buf *out, const char *msg, const char *password)
{
    size_t plen = password ? strlen(password) : 0;
    for (const char *p = msg; *p;) {
        if (plen >= 3 && strncmp(p, password, plen) == 0) {
            pmn_buf_puts(out, "***");
            p += plen;
            continue;
        }
        pmn_buf_putc(out, (uint8_t)(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p));
        p++;
    }
    while (out->len > 0 && out->data[out->len - 1] == ' ')
        out->len--;
    pmn_buf_putc(out, 0);
    out->len--;
}

static const char *nz(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

/* the cause-and-fix sentence for a SQLSTATE, or NULL to show the server text only */
static char *explain(const pmn_pgconn *c, const char *st, const char *primary)
{
    const pmn_pg_connparams *p = &c->params;
    const char *user = nz(p->user, "(default user)");
    const char *db = nz(p->dbname, "(default database)");
    const char *host = nz(p->host, "localhost");
    const char *port = nz(p->port, "5432");
    if (strcmp(st, "28P01") == 0)
        return pmn_xasprintf("password authentication failed for user \"%s\" at %s:%s; fix "
                             "--postgres_conf password (or PGPASSWORD / ~/.pgpass)",
                             user, host, port);
    if (strcmp(st, "28000") == 0)
        return pmn_xasprintf("PostgreSQL at %s:%s rejected user \"%s\" for database \"%s\" "
                             "(no matching pg_hba.conf entry, or the role may not log in); add "
                             "a pg_hba.conf line for this user and database (logical replication "
                             "matches the database name, not the 'replication' keyword)",
                             host, port, user, db);
    if (strcmp(st, "3D000") == 0)
        return pmn_xasprintf("database \"%s\" does not exist at %s:%s; fix --postgres_conf "
                             "database-name",
                             db, host, port);
    if (strcmp(st, "42501") == 0 && c->replication && !c->connected)
        return pmn_xasprintf("role \"%s\" lacks the REPLICATION attribute needed for logical "
                             "replication; run ALTER ROLE \"%s\" REPLICATION as a superuser, or "
                             "connect as a role that has it",
                             user, user);
    if (strcmp(st, "42501") == 0)
        return pmn_xasprintf("permission denied for role \"%s\" (%s); grant it the privilege "
                             "or connect as the table owner",
                             user, primary);
    if (strcmp(st, "53400") == 0)
        return pmn_xstrdup("all replication slots are in use (max_replication_slots); drop "
                           "unused slots (see SELECT slot_name, active FROM "
                           "pg_replication_slots) or raise max_replication_slots and restart "
                           "PostgreSQL");
    if (strcmp(st, "53300") == 0)
        return pmn_xstrdup("PostgreSQL has no free connection or WAL sender (max_connections / "
                           "max_wal_senders); retry later or raise the limit");
    if (strcmp(st, "55006") == 0 && c->slot)
        return pmn_xasprintf("replication slot \"%s\" is in use by another process; stop that "
                             "job or pick another --postgres_conf slot.name",
                             nz(c->slot, "?"));
    if (strcmp(st, "42710") == 0 && c->slot)
        return pmn_xasprintf("replication slot \"%s\" already exists", c->slot);
    if (strcmp(st, "42602") == 0 || (strcmp(st, "42601") == 0 && c->slot))
        return pmn_xasprintf("invalid replication slot name \"%s\"; use lower-case letters, "
                             "digits and '_' only (at most 63 bytes) in --postgres_conf "
                             "slot.name",
                             nz(c->slot, "?"));
    if (strncmp(st, "08", 2) == 0 || pmn_pg_error_code_for_sqlstate(st) == PMN_ECONN)
        return pmn_xasprintf("connection to PostgreSQL at %s:%s lost (%s); it will be "
                             "re-established",
                             host, port, primary);
    return NULL;
}

/* record the error; code: from the SQLSTATE, else no_state_code */
static int fail_as(pmn_pgconn *c, int no_state_code, const char *what, const char *sqlstate,
                   const char *primary, const char *detail, const char *hint)
{
    const char *pw = c->params.password ? c->params.password : getenv("PGPASSWORD");
    char *why = sqlstate && *sqlstate ? explain(c, sqlstate, nz(primary, "")) : NULL;
    pmn_buf raw = PMN_BUF_INIT;
    pmn_buf_puts(&raw, nz(primary, "unknown error"));
    if (detail && *detail)
        pmn_buf_printf(&raw, " DETAIL: %s", detail);
    if (hint && *hint)
        pmn_buf_printf(&raw, " HINT: %s", hint);
    /* only the server's / libpq's text can echo a password: scrub that part */
    pmn_buf clean = PMN_BUF_INIT;
    scrub(&clean, pmn_buf_cstr(&raw), pw);
    pmn_buf msg = PMN_BUF_INIT;
    if (why)
        pmn_buf_printf(&msg, "%s: %s [server: %s %s]", what, why, sqlstate, pmn_buf_cstr(&clean));
    else if (sqlstate && *sqlstate)
        pmn_buf_printf(&msg, "%s: %s (SQLSTATE %s)", what, pmn_buf_cstr(&clean), sqlstate);
    else
        pmn_buf_printf(&msg, "%s: %s", what, pmn_buf_cstr(&clean));
    int code = sqlstate && *sqlstate ? pmn_pg_error_code_for_sqlstate(sqlstate) : no_state_code;
    pmn_error_set(code, "%s", pmn_buf_cstr(&msg));
    if (sqlstate && *sqlstate)
        pmn_error_set_sqlstate(sqlstate);
    free(why);
    pmn_buf_dispose(&raw);
    pmn_buf_dispose(&msg);
    pmn_buf_dispose(&clean);
    return code;
}

/* a failure without SQLSTATE is the connection's (libpq could not talk to the server) */
static int fail(pmn_pgconn *c, const char *what, const char *sqlstate, const char *primary,
                const char *detail, const char *hint)
{
    return fail_as(c, PMN_ECONN, what, sqlstate, primary, detail, hint);
}

/* "...FATAL:  28P01: text\nLOCATION: ..." → sqlstate + primary text (in place copies) */
static void parse_verbose(const char *msg, char sqlstate[6], char *primary, size_t cap)
{
    sqlstate[0] = '\0';
    snprintf(primary, cap, "%s", msg);
    for (const char *p = msg; (p = strstr(p, ":  ")) != NULL; p++) {
        const char *code = p + 3;
        bool ok = true;
        for (int i = 0; i < 5; i++)
            if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z')))
                ok = false;
        if (ok && code[5] == ':' && code[6] == ' ') {
            memcpy(sqlstate, code, 5);
            sqlstate[5] = '\0';
            const char *text = code + 7;
            size_t n = strcspn(text, "\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(primary, text, n);
            primary[n] = '\0';
            return;
        }
    }
    /* no SQLSTATE: keep libpq's text without its trailing newline */
    size_t n = strlen(primary);
    while (n > 0 && primary[n - 1] == '\n')
        primary[--n] = '\0';
}

int pmn_pgconn_fail_result(pmn_pgconn *c, const struct pg_result *res, const char *what)
{
    const PGresult *r = (const PGresult *)res;
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (st && *st)
        return fail(c, what, st, PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY),
                    PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL),
                    PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
    char sqlstate[6], primary[1024];
    parse_verbose(PQerrorMessage(c->pq), sqlstate, primary, sizeof primary);
    if (!sqlstate[0] && PQstatus(c->pq) == CONNECTION_BAD)
        return fail(c, what, "08006", primary, NULL, NULL);
    if (!sqlstate[0] && r && PQresultStatus(r) != PGRES_FATAL_ERROR &&
        PQresultStatus(r) != PGRES_NONFATAL_ERROR)
        return fail_as(c, PMN_EPG, what, NULL, PQresStatus(PQresultStatus(r)), NULL, NULL);
    if (!sqlstate[0]) /* no SQLSTATE on a live connection: a client-side failure */
        return fail_as(c, PMN_EPG, what, NULL, primary, NULL, NULL);
    return fail(c, what, sqlstate, primary, NULL, NULL);
}

void pmn_pgconn_set_context(pmn_pgconn *c, const char *slot, const char *publication)
{
    if (slot) {
        free(c->slot);
        c->slot = pmn_xstrdup(slot);
    }
    if (publication) {
        free(c->publication);
        c->publication = pmn_xstrdup(publication);
    }
}

/* ---- connect ------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* server NOTICE/WARNING messages go to the library log, never to stderr */
static void notice_to_log(void *arg, const char *message)
{
    size_t n = strlen(message);
    while (n > 0 && message[n - 1] == '\n')
        n--;
    pmn_log_debug("postgres: %.*s", (int)n, message);
}

static void add_kv(const char **kw, const char **val, int *n, const char *k, const char *v)
{
    if (!v)
        return;
    kw[*n] = k;
    val[*n] = v;
    (*n)++;
}

int pmn_pgconn_open(pmn_pgconn **out, const pmn_pg_connparams *p, bool replication)
{
    pmn_pgconn *c = pmn_xcalloc(1, sizeof *c);
    pmn_pg_connparams_copy(&c->params, p);
    c->replication = replication;
    int timeout = p->connect_timeout_s > 0 ? p->connect_timeout_s : 10;
    char timeout_s[16];
    snprintf(timeout_s, sizeof timeout_s, "%d", timeout);
    const char *kw[24], *val[24];
    int n = 0;
    add_kv(kw, val, &n, "host", p->host);
    add_kv(kw, val, &n, "port", p->port);
    add_kv(kw, val, &n, "user", p->user);
    add_kv(kw, val, &n, "password", p->password);
    add_kv(kw, val, &n, "dbname", p->dbname);
    add_kv(kw, val, &n, "application_name", p->application_name ? p->application_name : "pgpaimon");
    add_kv(kw, val, &n, "client_encoding", "UTF8");
    add_kv(kw, val, &n, "options", SESSION_OPTIONS);
    add_kv(kw, val, &n, "connect_timeout", timeout_s);
    add_kv(kw, val, &n, "keepalives", "1");
    add_kv(kw, val, &n, "keepalives_idle", "30");
    add_kv(kw, val, &n, "keepalives_interval", "10");
    add_kv(kw, val, &n, "keepalives_count", "3");
    add_kv(kw, val, &n, "tcp_user_timeout", "60000");
    if (replication)
        add_kv(kw, val, &n, "replication", "database");
    kw[n] = NULL;
    val[n] = NULL;
    c->pq = PQconnectStartParams(kw, val, 0);
    if (!c->pq)
        pmn_assert_fail("PQconnectStartParams returned NULL (out of memory)", __FILE__, __LINE__);
    PQsetErrorVerbosity(c->pq, PQERRORS_VERBOSE);
    int64_t deadline = now_ms() + (int64_t)timeout * 1000;
    PostgresPollingStatusType st =
        PQstatus(c->pq) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            int rc = fail(c, "connecting to PostgreSQL", "08001", "timeout expired", NULL, NULL);
            pmn_pgconn_free(c);
            return rc;
        }
        struct pollfd pfd = {PQsocket(c->pq), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
        int pr = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno != EINTR) {
            int rc = pmn_error_set_errno("connecting to PostgreSQL: poll");
            pmn_pgconn_free(c);
            return rc;
        }
        if (pr == 0)
            continue;
        st = PQconnectPoll(c->pq);
    }
    if (st == PGRES_POLLING_FAILED) {
        char sqlstate[6], primary[1024];
        parse_verbose(PQerrorMessage(c->pq), sqlstate, primary, sizeof primary);
        int rc =
            fail(c, replication ? "opening a replication connection" : "connecting to PostgreSQL",
                 sqlstate[0] ? sqlstate : NULL, primary, NULL, NULL);
        pmn_pgconn_free(c);
        return rc;
    }
    PQsetErrorVerbosity(c->pq, PQERRORS_DEFAULT);
    PQsetNoticeProcessor(c->pq, notice_to_log, NULL);
    c->connected = true;
    *out = c;
    return 0;
}

void pmn_pgconn_free(pmn_pgconn *c)
{
    if (!c)
        return;
    if (c->copy_row)
        PQfreemem(c->copy_row);
    if (c->pq)
        PQfinish(c->pq);
    pmn_pg_connparams_dispose(&c->params);
    free(c->slot);
    free(c->publication);
    free(c);
}

int pmn_pgconn_server_version(const pmn_pgconn *c)
{
    return PQserverVersion(c->pq);
}

const pmn_pg_connparams *pmn_pgconn_params(const pmn_pgconn *c)
{
    return &c->params;
}

int pmn_pgconn_backend_pid(const pmn_pgconn *c)
{
    return PQbackendPID(c->pq);
}

struct pg_conn *pmn_pgconn_pq(pmn_pgconn *c)
{
    return c->pq;
}

/* ---- queries ------------------------------------------------------------- */

const char *pmn_pgresult_get(const pmn_pgresult *r, int row, int col)
{
    PMN_ASSERT(row >= 0 && row < r->nrows && col >= 0 && col < r->ncols);
    return r->vals[(size_t)row * (size_t)r->ncols + (size_t)col];
}

int pmn_pgresult_col(const pmn_pgresult *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcmp(r->names[i], name) == 0)
            return i;
    return -1;
}

void pmn_pgresult_free(pmn_pgresult *r)
{
    if (!r)
        return;
    size_t n = (size_t)r->nrows * (size_t)r->ncols;
    for (size_t i = 0; i < n; i++)
        free(r->vals[i]);
    for (int i = 0; i < r->ncols; i++)
        free(r->names[i]);
    free(r->vals);
    free(r->names);
    free(r);
}

static pmn_pgresult *copy_result(const PGresult *res)
{
    pmn_pgresult *r = pmn_xcalloc(1, sizeof *r);
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    r->names = pmn_xcalloc((size_t)(r->ncols ? r->ncols : 1), sizeof(char *));
    for (int i = 0; i < r->ncols; i++)
        r->names[i] = pmn_xstrdup(PQfname(res, i));
    size_t n = (size_t)r->nrows * (size_t)r->ncols;
    r->vals = pmn_xcalloc(n ? n : 1, sizeof(char *));
    for (int i = 0; i < r->nrows; i++)
        for (int j = 0; j < r->ncols; j++)
            if (!PQgetisnull(res, i, j))
                r->vals[(size_t)i * (size_t)r->ncols + (size_t)j] =
                    pmn_xstrdup(PQgetvalue(res, i, j));
    return r;
}

int pmn_pgconn_query(pmn_pgconn *c, pmn_pgresult **out, const char *what, const char *sql,
                     int nparams, const char *const *params)
{
    PMN_ASSERT(!(c->replication && nparams > 0));
    if (out)
        *out = NULL;
    PGresult *res = nparams > 0 ? PQexecParams(c->pq, sql, nparams, NULL, params, NULL, NULL, 0)
                                : PQexec(c->pq, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = pmn_pgconn_fail_result(c, res, what);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = copy_result(res);
    PQclear(res);
    return 0;
}

int pmn_pgconn_exec(pmn_pgconn *c, const char *what, const char *sql)
{
    return pmn_pgconn_query(c, NULL, what, sql, 0, NULL);
}

char *pmn_pgconn_quote_literal(pmn_pgconn *c, const char *s)
{
    char *q = PQescapeLiteral(c->pq, s, strlen(s));
    if (!q)
        pmn_assert_fail("PQescapeLiteral failed", __FILE__, __LINE__);
    char *r = pmn_xstrdup(q);
    PQfreemem(q);
    return r;
}

char *pmn_pgconn_quote_ident(pmn_pgconn *c, const char *s)
{
    char *q = PQescapeIdentifier(c->pq, s, strlen(s));
    if (!q)
        pmn_assert_fail("PQescapeIdentifier failed", __FILE__, __LINE__);
    char *r = pmn_xstrdup(q);
    PQfreemem(q);
    return r;
}

/* ---- COPY TO STDOUT -------------------------------------------------------- */

int pmn_pgconn_copy_start(pmn_pgconn *c, const char *what, const char *sql)
{
    PGresult *res = PQexec(c->pq, sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
        int rc = pmn_pgconn_fail_result(c, res, what);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    return 0;
}

int pmn_pgconn_copy_next(pmn_pgconn *c, const char **row, size_t *len)
{
    if (c->copy_row) {
        PQfreemem(c->copy_row);
        c->copy_row = NULL;
    }
    char *buf = NULL;
    int n = PQgetCopyData(c->pq, &buf, 0);
    if (n > 0) {
        c->copy_row = buf;
        size_t l = (size_t)n;
        if (l > 0 && buf[l - 1] == '\n')
            l--;
        *row = buf;
        *len = l;
        return 0;
    }
    if (n == -1) {
        int rc = PMN_ITEROVER;
        PGresult *res;
        while ((res = PQgetResult(c->pq)) != NULL) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == PMN_ITEROVER)
                rc = pmn_pgconn_fail_result(c, res, "reading COPY data");
            PQclear(res);
        }
        return rc;
    }
    return pmn_pgconn_fail_result(c, NULL, "reading COPY data");
}
