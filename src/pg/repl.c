/*
 * src/pg/repl.c
 *
 * Replication connection, slots and the CopyBoth loop; see repl.h.
 * Frame layouts: shared/pgoutput.md §2.1 ('w', 'k') and §2.2 ('r').
 */
#include "pg/repl.h"

#include "pg/msgbuf.h"
#include "pg/pgoutput.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/log.h"

#include <libpq-fe.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* After the durable position moves, a status update goes out at most this long after the
 * previous one (otherwise every status_interval_ms). */
#define CONFIRM_DELAY_MS 1000

struct pmn_repl {
    pmn_pgconn *conn;
    PGconn *pq; /* borrowed from conn */
    char *slot;
    char *slot_quoted; /* "slot" as an identifier */
    char *publication;
    bool streaming;
    bool started; /* START_REPLICATION was run once on this connection */
    char *frame;  /* last CopyData buffer (PQfreemem) */
    uint64_t received;
    uint64_t flushed;
    int status_interval_ms;
    int64_t next_status_ms;
    int64_t last_status_ms; /* when the last status update went out */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* µs since 2000-01-01 */
static int64_t pg_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - INT64_C(946684800000000);
}

int pmn_repl_open(pmn_repl **out, const pmn_pg_connparams *p, const char *slot)
{
    pmn_pgconn *c;
    int rc = pmn_pgconn_open(&c, p, true);
    if (rc < 0)
        return rc;
    pmn_repl *r = pmn_xcalloc(1, sizeof *r);
    r->conn = c;
    r->pq = pmn_pgconn_pq(c);
    r->slot = pmn_xstrdup(slot);
    r->slot_quoted = pmn_pgconn_quote_ident(c, slot);
    r->status_interval_ms = 5000;
    pmn_pgconn_set_context(c, slot, NULL);
    *out = r;
    return 0;
}

void pmn_repl_free(pmn_repl *r)
{
    if (!r)
        return;
    if (r->frame)
        PQfreemem(r->frame);
    pmn_pgconn_free(r->conn);
    free(r->slot);
    free(r->slot_quoted);
    free(r->publication);
    free(r);
}

pmn_pgconn *pmn_repl_conn(pmn_repl *r)
{
    return r->conn;
}

int pmn_repl_identify_system(pmn_repl *r, pmn_repl_system *out)
{
    pmn_pgresult *res;
    int rc = pmn_pgconn_query(r->conn, &res, "IDENTIFY_SYSTEM", "IDENTIFY_SYSTEM", 0, NULL);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    if (res->nrows != 1 || res->ncols < 4) {
        pmn_pgresult_free(res);
        return pmn_error_set(PMN_EPG, "IDENTIFY_SYSTEM returned %d rows, %d columns", res->nrows,
                             res->ncols);
    }
    snprintf(out->systemid, sizeof out->systemid, "%s", pmn_pgresult_get(res, 0, 0));
    out->timeline = (int)strtol(pmn_pgresult_get(res, 0, 1), NULL, 10);
    rc = pmn_pgoutput_lsn_parse(&out->xlogpos, pmn_pgresult_get(res, 0, 2));
    const char *db = pmn_pgresult_get(res, 0, 3);
    snprintf(out->dbname, sizeof out->dbname, "%s", db ? db : "");
    pmn_pgresult_free(res);
    return rc;
}

static uint64_t lsn_or_zero(const char *s)
{
    uint64_t v = 0;
    if (s && pmn_pgoutput_lsn_parse(&v, s) < 0) {
        pmn_error_clear();
        v = 0;
    }
    return v;
}

int pmn_repl_read_slot(pmn_repl *r, pmn_repl_slot_state *out)
{
    memset(out, 0, sizeof *out);
    char *lit = pmn_pgconn_quote_literal(r->conn, r->slot);
    bool has_wal_status = pmn_pgconn_server_version(r->conn) >= 130000;
    char *sql = pmn_xasprintf(
        "SELECT slot_type, plugin, database, temporary, active, active_pid, restart_lsn, "
        "confirmed_flush_lsn, %s FROM pg_catalog.pg_replication_slots WHERE slot_name = %s",
        has_wal_status ? "wal_status" : "NULL", lit);
    pmn_pgresult *res;
    int rc = pmn_pgconn_query(r->conn, &res, "reading the replication slot", sql, 0, NULL);
    free(sql);
    free(lit);
    if (rc < 0)
        return rc;
    if (res->nrows == 1) {
        const char *v;
        out->exists = true;
        snprintf(out->slot_type, sizeof out->slot_type, "%s", pmn_pgresult_get(res, 0, 0));
        v = pmn_pgresult_get(res, 0, 1);
        snprintf(out->plugin, sizeof out->plugin, "%s", v ? v : "");
        v = pmn_pgresult_get(res, 0, 2);
        snprintf(out->database, sizeof out->database, "%s", v ? v : "");
        out->temporary = pmn_pgresult_get(res, 0, 3)[0] == 't';
        out->active = pmn_pgresult_get(res, 0, 4)[0] == 't';
        v = pmn_pgresult_get(res, 0, 5);
        out->active_pid = v ? (int)strtol(v, NULL, 10) : 0;
        out->restart_lsn = lsn_or_zero(pmn_pgresult_get(res, 0, 6));
        out->confirmed_flush_lsn = lsn_or_zero(pmn_pgresult_get(res, 0, 7));
        v = pmn_pgresult_get(res, 0, 8);
        snprintf(out->wal_status, sizeof out->wal_status, "%s", v ? v : "");
    }
    pmn_pgresult_free(res);
    return 0;
}

static int slot_in_use(pmn_repl *r, int pid)
{
    int rc;
    if (pid > 0)
        rc = pmn_error_set(PMN_EPG,
                           "replication slot \"%s\" is in use by PID %d; stop that job or pick "
                           "another --postgres_conf slot.name",
                           r->slot, pid);
    else
        rc = pmn_error_set(PMN_EPG,
                           "replication slot \"%s\" is in use by another process; stop that "
                           "job or pick another --postgres_conf slot.name",
                           r->slot);
    pmn_error_set_sqlstate("55006");
    return rc;
}

static int slot_lost(pmn_repl *r)
{
    int rc = pmn_error_set(PMN_EPG,
                           "replication slot \"%s\" was invalidated (the WAL it needed was "
                           "removed, wal_status = lost): changes are missing; drop the slot and "
                           "sync again from a new initial snapshot",
                           r->slot);
    pmn_error_set_sqlstate("55000");
    return rc;
}

/* A 55000 (object not in prerequisite state) has several causes: find which from state. */
static int diagnose_55000(pmn_repl *r, const char *what)
{
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", pmn_error_last());
    pmn_pgresult *res = NULL;
    if (pmn_pgconn_query(r->conn, &res, "reading wal_level", "SHOW wal_level", 0, NULL) == 0 &&
        res->nrows == 1 && strcmp(pmn_pgresult_get(res, 0, 0), "logical") != 0) {
        int rc = pmn_error_set(PMN_EPG,
                               "%s: the server runs with wal_level = %s; set wal_level = logical "
                               "in postgresql.conf and restart PostgreSQL",
                               what, pmn_pgresult_get(res, 0, 0));
        pmn_error_set_sqlstate("55000");
        pmn_pgresult_free(res);
        return rc;
    }
    pmn_pgresult_free(res);
    pmn_repl_slot_state st;
    if (pmn_repl_read_slot(r, &st) == 0 && st.exists) {
        if (strcmp(st.wal_status, "lost") == 0)
            return slot_lost(r);
        const char *db = pmn_pgconn_params(r->conn)->dbname;
        if (db && strcmp(st.database, db) != 0) {
            int rc = pmn_error_set(PMN_EPG,
                                   "replication slot \"%s\" belongs to database \"%s\", not "
                                   "\"%s\"; pick another --postgres_conf slot.name",
                                   r->slot, st.database, db);
            pmn_error_set_sqlstate("55000");
            return rc;
        }
    }
    int rc = pmn_error_set(PMN_EPG, "%s", saved);
    pmn_error_set_sqlstate("55000");
    return rc;
}

static int create_slot(pmn_repl *r, bool export_snapshot, bool temporary,
                       pmn_repl_slot_created *out)
{
    memset(out, 0, sizeof *out);
    char *sql;
    const char *temp = temporary ? " TEMPORARY" : "";
    if (pmn_pgconn_server_version(r->conn) >= 150000)
        sql = pmn_xasprintf("CREATE_REPLICATION_SLOT %s%s LOGICAL pgoutput (SNAPSHOT '%s')",
                            r->slot_quoted, temp, export_snapshot ? "export" : "nothing");
    else
        sql = pmn_xasprintf("CREATE_REPLICATION_SLOT %s%s LOGICAL pgoutput %s", r->slot_quoted,
                            temp, export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
    pmn_pgresult *res;
    char what[160];
    snprintf(what, sizeof what, "creating replication slot \"%s\"", r->slot);
    int rc = pmn_pgconn_query(r->conn, &res, what, sql, 0, NULL);
    free(sql);
    if (rc < 0) {
        if (strcmp(pmn_error_sqlstate(), "55000") == 0)
            return diagnose_55000(r, what);
        return rc;
    }
    if (res->nrows != 1 || res->ncols < 3) {
        pmn_pgresult_free(res);
        return pmn_error_set(PMN_EPG, "%s: unexpected result shape", what);
    }
    rc = pmn_pgoutput_lsn_parse(&out->consistent_point, pmn_pgresult_get(res, 0, 1));
    const char *snap = pmn_pgresult_get(res, 0, 2);
    snprintf(out->snapshot_name, sizeof out->snapshot_name, "%s", snap ? snap : "");
    pmn_pgresult_free(res);
    if (rc == 0) {
        char lsn[32];
        pmn_log_info("created %sreplication slot \"%s\" at %s%s%s", temporary ? "temporary " : "",
                     r->slot, pmn_pgoutput_lsn_format(lsn, sizeof lsn, out->consistent_point),
                     *out->snapshot_name ? ", snapshot " : "", out->snapshot_name);
    }
    return rc;
}

int pmn_repl_create_slot(pmn_repl *r, bool export_snapshot, pmn_repl_slot_created *out)
{
    return create_slot(r, export_snapshot, false, out);
}

int pmn_repl_create_temp_slot(pmn_repl *r, pmn_repl_slot_created *out)
{
    return create_slot(r, true, true, out);
}

int pmn_repl_ensure_slot(pmn_repl *r, bool export_snapshot, bool *created,
                         pmn_repl_slot_created *out)
{
    pmn_repl_slot_state st;
    *created = false;
    memset(out, 0, sizeof *out);
    int rc = pmn_repl_read_slot(r, &st);
    if (rc < 0)
        return rc;
    if (!st.exists) {
        rc = pmn_repl_create_slot(r, export_snapshot, out);
        if (rc == 0)
            *created = true;
        return rc;
    }
    const char *db = pmn_pgconn_params(r->conn)->dbname;
    if (strcmp(st.slot_type, "logical") != 0 || strcmp(st.plugin, "pgoutput") != 0) {
        rc = pmn_error_set(PMN_EPG,
                           "replication slot \"%s\" exists but is a %s slot with plugin \"%s\", "
                           "not a logical pgoutput slot; pick another --postgres_conf slot.name "
                           "or drop that slot",
                           r->slot, st.slot_type, st.plugin);
        pmn_error_set_sqlstate("55000");
        return rc;
    }
    if (db && strcmp(st.database, db) != 0) {
        rc = pmn_error_set(PMN_EPG,
                           "replication slot \"%s\" belongs to database \"%s\", not \"%s\"; "
                           "pick another --postgres_conf slot.name",
                           r->slot, st.database, db);
        pmn_error_set_sqlstate("55000");
        return rc;
    }
    if (st.active)
        return slot_in_use(r, st.active_pid);
    if (strcmp(st.wal_status, "lost") == 0)
        return slot_lost(r);
    out->consistent_point = st.confirmed_flush_lsn;
    return 0;
}

int pmn_repl_drop_slot(pmn_repl *r)
{
    pmn_repl_slot_state st;
    int rc = pmn_repl_read_slot(r, &st);
    if (rc < 0)
        return rc;
    if (!st.exists)
        return pmn_error_set(PMN_ENOTFOUND, "replication slot \"%s\" does not exist", r->slot);
    if (st.active)
        return slot_in_use(r, st.active_pid);
    char *sql = pmn_xasprintf("DROP_REPLICATION_SLOT %s", r->slot_quoted);
    char what[160];
    snprintf(what, sizeof what, "dropping replication slot \"%s\"", r->slot);
    rc = pmn_pgconn_exec(r->conn, what, sql);
    free(sql);
    if (rc < 0 && strcmp(pmn_error_sqlstate(), "55006") == 0) {
        if (pmn_repl_read_slot(r, &st) == 0)
            return slot_in_use(r, st.active_pid);
    }
    if (rc == 0)
        pmn_log_info("dropped replication slot \"%s\"", r->slot);
    return rc;
}

int pmn_repl_start(pmn_repl *r, uint64_t start_lsn, const char *publication)
{
    PMN_ASSERT(!r->streaming);
    if (r->started)
        return pmn_error_set(PMN_EINVALID,
                             "replication slot \"%s\": a replication connection streams only "
                             "once (the walsender ends a second START_REPLICATION at once); open "
                             "a new connection to resume",
                             r->slot);
    free(r->publication);
    r->publication = pmn_xstrdup(publication);
    pmn_pgconn_set_context(r->conn, NULL, publication);
    /* publication_names is a comma list of identifiers inside a string literal */
    char *ident = pmn_pgconn_quote_ident(r->conn, publication);
    char *lit = pmn_pgconn_quote_literal(r->conn, ident);
    char lsn[32];
    pmn_pgoutput_lsn_format(lsn, sizeof lsn, start_lsn);
    char *sql = pmn_xasprintf("START_REPLICATION SLOT %s LOGICAL %s (proto_version '1', "
                              "publication_names %s)",
                              r->slot_quoted, lsn, lit);
    free(ident);
    free(lit);
    PGresult *res = PQexec(r->pq, sql);
    free(sql);
    char what[160];
    snprintf(what, sizeof what, "starting replication from slot \"%s\"", r->slot);
    if (!res || PQresultStatus(res) != PGRES_COPY_BOTH) {
        int rc = pmn_pgconn_fail_result(r->conn, res, what);
        PQclear(res);
        const char *st = pmn_error_sqlstate();
        pmn_repl_slot_state ss;
        if (strcmp(st, "55006") == 0)
            return slot_in_use(r, pmn_repl_read_slot(r, &ss) == 0 ? ss.active_pid : 0);
        if (strcmp(st, "55000") == 0)
            return diagnose_55000(r, what);
        if (strcmp(st, "42704") == 0) {
            rc = pmn_error_set(PMN_EPG,
                               "%s: replication slot \"%s\" does not exist (was it dropped?); a "
                               "new slot and a full initial snapshot are required",
                               what, r->slot);
            pmn_error_set_sqlstate("42704");
        }
        return rc;
    }
    PQclear(res);
    r->streaming = true;
    r->started = true;
    r->received = start_lsn;
    r->flushed = start_lsn;
    r->last_status_ms = now_ms();
    r->next_status_ms = r->last_status_ms + r->status_interval_ms;
    return 0;
}

void pmn_repl_set_flushed(pmn_repl *r, uint64_t lsn)
{
    if (lsn > r->received)
        lsn = r->received; /* the server would accept it and skip data (§2.2) */
    if (lsn > r->flushed) {
        r->flushed = lsn;
        /* a durable position moved: tell the server within a second (not only at the next
         * heartbeat), so a job stopped or killed soon after retains less WAL */
        if (r->last_status_ms + CONFIRM_DELAY_MS < r->next_status_ms)
            r->next_status_ms = r->last_status_ms + CONFIRM_DELAY_MS;
    }
}

uint64_t pmn_repl_received_lsn(const pmn_repl *r)
{
    return r->received;
}

uint64_t pmn_repl_flushed_lsn(const pmn_repl *r)
{
    return r->flushed;
}

void pmn_repl_set_status_interval(pmn_repl *r, int ms)
{
    r->status_interval_ms = ms < 100 ? 100 : ms > 10000 ? 10000 : ms;
}

int pmn_repl_send_status(pmn_repl *r, bool reply_requested)
{
    uint8_t buf[34], *p = buf;
    *p++ = 'r';
    p = pmn_msgbuf_put_u64(p, r->flushed); /* written */
    p = pmn_msgbuf_put_u64(p, r->flushed); /* flushed: advances confirmed_flush_lsn */
    p = pmn_msgbuf_put_u64(p, r->flushed); /* applied: keeps replay_lsn visible */
    p = pmn_msgbuf_put_u64(p, (uint64_t)pg_now_us());
    *p++ = reply_requested ? 1 : 0;
    if (PQputCopyData(r->pq, (const char *)buf, (int)sizeof buf) != 1 || PQflush(r->pq) != 0)
        return pmn_pgconn_fail_result(r->conn, NULL, "sending a replication status update");
    r->last_status_ms = now_ms();
    r->next_status_ms = r->last_status_ms + r->status_interval_ms;
    return 0;
}

int pmn_repl_tick(pmn_repl *r)
{
    if (!r->streaming || now_ms() < r->next_status_ms)
        return 0;
    return pmn_repl_send_status(r, false);
}

/* the COPY stream ended: collect the server's reason */
static int stream_ended(pmn_repl *r)
{
    r->streaming = false;
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(r->pq)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_COPY_OUT && st != PGRES_COPY_BOTH) {
            const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            char server[512];
            snprintf(server, sizeof server, "%s %s", code ? code : "", primary ? primary : "");
            rc = pmn_pgconn_fail_result(r->conn, res, "streaming changes");
            if (code && strcmp(code, "42704") == 0) {
                rc = pmn_error_set(PMN_EPG,
                                   "streaming changes: publication \"%s\" does not exist at the "
                                   "slot's position; create it before the slot (CREATE "
                                   "PUBLICATION ... FOR TABLE ...) and recreate slot \"%s\", as a "
                                   "publication created later is not seen at this position "
                                   "[server: %s]",
                                   r->publication ? r->publication : "?", r->slot, server);
                pmn_error_set_sqlstate("42704");
            } else if (code && strcmp(code, "58P01") == 0) {
                rc = pmn_error_set(PMN_EPG,
                                   "streaming changes: WAL needed by slot \"%s\" was removed; "
                                   "drop the slot and sync again from a new initial snapshot "
                                   "[server: %s]",
                                   r->slot, server);
                pmn_error_set_sqlstate("58P01");
            }
        }
        if (st == PGRES_COPY_BOTH || st == PGRES_COPY_OUT) {
            PQclear(res);
            break; /* never spin on a COPY result */
        }
        PQclear(res);
    }
    if (rc == 0)
        rc = pmn_error_set(PMN_ECONN, "streaming changes: the server ended the replication "
                                      "stream");
    return rc;
}

int pmn_repl_next(pmn_repl *r, pmn_repl_msg *out, int timeout_ms)
{
    PMN_ASSERT(r->streaming);
    memset(out, 0, sizeof *out);
    if (r->frame) {
        PQfreemem(r->frame);
        r->frame = NULL;
    }
    int64_t deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        if (now_ms() >= r->next_status_ms) {
            int rc = pmn_repl_send_status(r, false);
            if (rc < 0)
                return rc;
        }
        char *buf = NULL;
        int n = PQgetCopyData(r->pq, &buf, 1);
        if (n > 0) {
            r->frame = buf;
            pmn_msgbuf m;
            pmn_msgbuf_init(&m, buf, (size_t)n);
            uint8_t type = pmn_msgbuf_u8(&m);
            if (type == 'w') {
                out->kind = PMN_REPL_XLOGDATA;
                out->wal_start = pmn_msgbuf_u64(&m);
                out->wal_end = pmn_msgbuf_u64(&m);
                out->send_time = (int64_t)pmn_msgbuf_u64(&m);
                if (m.overflow)
                    return pmn_error_set(PMN_ECORRUPT,
                                         "XLogData frame of %d bytes is shorter "
                                         "than its 25-byte header",
                                         n);
                out->data = (const uint8_t *)buf + m.pos;
                out->len = pmn_msgbuf_remaining(&m);
                if (out->wal_start > r->received)
                    r->received = out->wal_start;
                if (out->wal_end > r->received)
                    r->received = out->wal_end;
                return 0;
            }
            if (type == 'k') {
                out->kind = PMN_REPL_KEEPALIVE;
                out->wal_end = pmn_msgbuf_u64(&m);
                out->send_time = (int64_t)pmn_msgbuf_u64(&m);
                out->reply_requested = pmn_msgbuf_u8(&m) != 0;
                if (m.overflow || pmn_msgbuf_remaining(&m) != 0)
                    return pmn_error_set(PMN_ECORRUPT, "keepalive frame of %d bytes (want 18)", n);
                if (out->wal_end > r->received)
                    r->received = out->wal_end;
                if (out->reply_requested) {
                    int rc = pmn_repl_send_status(r, false);
                    if (rc < 0)
                        return rc;
                }
                return 0;
            }
            return pmn_error_set(PMN_ECORRUPT,
                                 "replication stream: unknown CopyData message type 0x%02x at "
                                 "offset 0 of a %d-byte frame",
                                 type, n);
        }
        if (n == -1)
            return stream_ended(r);
        if (n == -2)
            return pmn_pgconn_fail_result(r->conn, NULL, "streaming changes");
        /* nothing buffered: wait for the socket, the status timer or the deadline */
        int64_t now = now_ms();
        if (now >= deadline) {
            out->kind = PMN_REPL_TIMEOUT;
            return 0;
        }
        int64_t wait = deadline - now;
        if (r->next_status_ms - now < wait)
            wait = r->next_status_ms - now;
        if (wait < 0)
            wait = 0;
        struct pollfd pfd = {PQsocket(r->pq), POLLIN, 0};
        int pr = poll(&pfd, 1, (int)wait);
        if (pr < 0 && errno != EINTR)
            return pmn_error_set_errno("streaming changes: poll");
        if (pr > 0 && PQconsumeInput(r->pq) == 0)
            return pmn_pgconn_fail_result(r->conn, NULL, "streaming changes");
    }
}

int pmn_repl_stop(pmn_repl *r)
{
    if (!r->streaming)
        return 0;
    int rc = pmn_repl_send_status(r, false);
    if (rc < 0)
        return rc;
    if (PQputCopyEnd(r->pq, NULL) != 1 || PQflush(r->pq) != 0)
        return pmn_pgconn_fail_result(r->conn, NULL, "ending the replication stream");
    /* drain remaining CopyData until the server's CopyDone, then the results */
    for (;;) {
        char *buf = NULL;
        int n = PQgetCopyData(r->pq, &buf, 0);
        if (buf)
            PQfreemem(buf);
        if (n == -1)
            break;
        if (n == -2)
            return pmn_pgconn_fail_result(r->conn, NULL, "ending the replication stream");
    }
    r->streaming = false;
    PGresult *res;
    rc = 0;
    while ((res = PQgetResult(r->pq)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_BOTH &&
            st != PGRES_COPY_OUT)
            rc = pmn_pgconn_fail_result(r->conn, res, "ending the replication stream");
        PQclear(res);
        if (st == PGRES_COPY_BOTH || st == PGRES_COPY_OUT)
            break;
    }
    return rc;
}
