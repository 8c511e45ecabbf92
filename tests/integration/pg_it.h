/*
 * tests/integration/pg_it.h
 *
 * Helpers for the PostgreSQL integration tests (header-only, static inline):
 * connection parameters from $PMN_PG_DIR/conninfo (the harness,
 * scripts/pg-local.sh) or $PMN_TEST_CONNINFO; a private database per test
 * file; running SQL; pumping the replication stream into a change log.
 */
#ifndef PMN_PG_IT_H
#define PMN_PG_IT_H

#include "testutil.h"

#include "change/change.h"
#include "pg/conn.h"
#include "pg/decoder.h"
#include "pg/repl.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* it_conninfo: the server's conninfo, or NULL when no server is configured (caller frees). */
static inline char *it_conninfo(void)
{
    const char *dir = getenv("PMN_PG_DIR");
    if (dir && *dir) {
        char *path = pmn_xasprintf("%s/conninfo", dir);
        FILE *f = fopen(path, "r");
        free(path);
        if (f) {
            char line[1024];
            char *r = fgets(line, sizeof line, f);
            fclose(f);
            if (r) {
                line[strcspn(line, "\n")] = '\0';
                return pmn_xstrdup(line);
            }
        }
    }
    const char *ci = getenv("PMN_TEST_CONNINFO");
    return ci && *ci ? pmn_xstrdup(ci) : NULL;
}

/* it_params: parameters for database `db` (NULL = the conninfo's own); false = no server. */
static inline bool it_params(pmn_pg_connparams *p, const char *db)
{
    char *ci = it_conninfo();
    if (!ci)
        return false;
    int rc = pmn_pg_connparams_from_conninfo(p, ci);
    free(ci);
    if (rc != 0)
        fail_msg("conninfo: %s", pmn_error_last());
    if (db) {
        free(p->dbname);
        p->dbname = pmn_xstrdup(db);
    }
    return true;
}

static inline void it_exec(const pmn_pg_connparams *p, const char *sql)
{
    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, p, false));
    if (pmn_pgconn_exec(c, "test sql", sql) != 0)
        fail_msg("%s: %s", sql, pmn_error_last());
    pmn_pgconn_free(c);
}

/* it_query1: first column of the first row of sql (caller frees; NULL for SQL NULL). */
static inline char *it_query1(const pmn_pg_connparams *p, const char *sql)
{
    pmn_pgconn *c;
    pmn_pgresult *r;
    assert_pmn_ok(pmn_pgconn_open(&c, p, false));
    if (pmn_pgconn_query(c, &r, "test sql", sql, 0, NULL) != 0)
        fail_msg("%s: %s", sql, pmn_error_last());
    char *v =
        r->nrows > 0 && pmn_pgresult_get(r, 0, 0) ? pmn_xstrdup(pmn_pgresult_get(r, 0, 0)) : NULL;
    pmn_pgresult_free(r);
    pmn_pgconn_free(c);
    return v;
}

/* it_create_db: a fresh database named prefix_<pid>; fills *p for it. false = no server. */
static inline bool it_create_db(pmn_pg_connparams *p, const char *prefix, char *name, size_t cap)
{
    pmn_pg_connparams admin;
    if (!it_params(&admin, NULL))
        return false;
    snprintf(name, cap, "%s_%ld", prefix, (long)getpid());
    char *sql = pmn_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    it_exec(&admin, sql);
    free(sql);
    sql = pmn_xasprintf("CREATE DATABASE %s", name);
    it_exec(&admin, sql);
    free(sql);
    pmn_pg_connparams_dispose(&admin);
    return it_params(p, name);
}

/* it_drop_db: drop the test database and every slot that belongs to it. */
static inline void it_drop_db(const char *name)
{
    pmn_pg_connparams admin;
    if (!it_params(&admin, NULL))
        return;
    /* a failed test can leave a walsender streaming: stop it, then drop its slots */
    char *sql = pmn_xasprintf("SELECT count(pg_terminate_backend(active_pid)) FROM "
                              "pg_replication_slots WHERE database = '%s' AND active",
                              name);
    free(it_query1(&admin, sql));
    free(sql);
    for (int i = 0; i < 50; i++) {
        sql = pmn_xasprintf("SELECT count(*) FROM pg_replication_slots WHERE database = '%s' "
                            "AND active",
                            name);
        char *n = it_query1(&admin, sql);
        free(sql);
        bool idle = n && strcmp(n, "0") == 0;
        free(n);
        if (idle)
            break;
        usleep(100000);
    }
    sql = pmn_xasprintf("SELECT count(pg_drop_replication_slot(slot_name)) FROM "
                        "pg_replication_slots WHERE database = '%s' AND NOT active",
                        name);
    free(it_query1(&admin, sql));
    free(sql);
    sql = pmn_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    it_exec(&admin, sql);
    free(sql);
    pmn_pg_connparams_dispose(&admin);
}

/* it_stream: feed the stream into the decoder until `ntxns` transactions are in log (or
 * 20 s pass: fail). Confirms each commit's end_lsn as durable. */
static inline void it_stream(pmn_repl *r, pmn_pgdecoder *d, pmn_change_log *log, size_t ntxns)
{
    pmn_change_sink sink = pmn_change_log_sink(log);
    time_t deadline = time(NULL) + 20;
    while ((log->ntxns < ntxns || log->open) && time(NULL) < deadline) {
        pmn_repl_msg m;
        if (pmn_repl_next(r, &m, 50) != 0)
            fail_msg("repl_next: %s", pmn_error_last());
        if (m.kind == PMN_REPL_XLOGDATA) {
            if (pmn_pgdecoder_feed(d, m.data, m.len, &sink) != 0)
                fail_msg("decode: %s", pmn_error_last());
            if (!pmn_pgdecoder_in_txn(d))
                pmn_repl_set_flushed(r, pmn_pgdecoder_last_end_lsn(d));
        }
    }
    if (log->ntxns < ntxns || log->open)
        fail_msg("stream: %zu transactions after 20 s, want %zu", log->ntxns, ntxns);
}

/* it_str: the STRING datum as a NUL-terminated heap copy. */
static inline char *it_str(const pmn_datum *d)
{
    if (d->is_null)
        return NULL;
    return pmn_xstrndup((const char *)d->v.bin.ptr, d->v.bin.len);
}

#endif
