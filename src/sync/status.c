/*
 * src/sync/status.c
 *
 * `pgpaimon status` and `pgpaimon drop_slot`; see status.h. The slot query is
 * the guide's monitoring query plus what PostgreSQL 13+ adds (wal_status).
 */
#include "sync/status.h"

#include "pg/conn.h"
#include "pg/repl.h"
#include "pmn/pmn.h"
#include "sync/sink.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void params_from_conf(const pmn_options *c, pmn_pg_connparams *p)
{
    memset(p, 0, sizeof *p);
    const char *v;
    if ((v = pmn_options_get(c, "hostname")))
        p->host = pmn_xstrdup(v);
    p->port = pmn_xstrdup((v = pmn_options_get(c, "port")) ? v : "5432");
    if ((v = pmn_options_get(c, "username")))
        p->user = pmn_xstrdup(v);
    if ((v = pmn_options_get(c, "password")))
        p->password = pmn_xstrdup(v);
    if ((v = pmn_options_get(c, "database-name")))
        p->dbname = pmn_xstrdup(v);
}

static const char SLOTS_SQL[] =
    "SELECT slot_name, coalesce(plugin, ''), slot_type, active, coalesce(active_pid::text, ''), "
    "coalesce(restart_lsn::text, ''), coalesce(confirmed_flush_lsn::text, ''), "
    "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text, ''), "
    "coalesce(wal_status, ''), pg_current_wal_lsn()::text "
    "FROM pg_replication_slots ORDER BY slot_name";

/* slot_confirmed: the confirmed_flush_lsn of slot `name` in the slots result, 0 if none. */
static uint64_t slot_confirmed(const pmn_pgresult *slots, const char *name)
{
    uint64_t lsn = 0;
    for (int i = 0; slots && name && i < slots->nrows; i++)
        if (!strcmp(pmn_pgresult_get(slots, i, 0), name) &&
            pmn_parse_lsn(pmn_pgresult_get(slots, i, 6), &lsn) != 0)
            lsn = 0;
    return lsn;
}

static void format_utc_millis(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* live_rows: the rows a read of snapshot `id` returns. A primary-key table's record count
 * also counts versions and deletes not merged by a compaction yet, so it is read (its key
 * columns only); an append table's record count is its row count. */
static int live_rows(pmn_table *t, int64_t id, int64_t records, int64_t *rows)
{
    const char *const *pk;
    size_t npk = pmn_table_primary_keys(t, &pk);
    *rows = records;
    if (npk == 0)
        return 0;
    const pmn_type *row = pmn_table_row_type(t);
    int *proj = pmn_xcalloc(npk, sizeof *proj);
    for (size_t i = 0; i < npk; i++)
        proj[i] = pmn_type_find_field(row, pk[i]);
    pmn_scan_options o = {.snapshot_id = id, .projection = proj, .nprojection = npk};
    pmn_scan *sc = NULL;
    int rc = pmn_scan_open(t, &o, &sc);
    int64_t n = 0;
    const pmn_datum *r;
    while (rc == 0 && (rc = pmn_scan_next(sc, &r)) == 0)
        n++;
    if (rc == PMN_ITEROVER)
        rc = 0;
    pmn_scan_free(sc);
    free(proj);
    if (rc == 0)
        *rows = n;
    return rc;
}

/* table_status: one line per lake table. A sync confirms to its slot only what is in the lake,
 * so a table is current up to the later of its stored source LSN and its slot's confirmed LSN
 * (an idle table's stored LSN stays behind while the slot moves on). */
static void table_status(pmn_catalog *cat, const char *db, const char *name, uint64_t current,
                         const pmn_pgresult *slots, pmn_buf *out)
{
    pmn_table *t;
    if (pmn_table_open(cat, db, name, &t) != 0) {
        pmn_buf_printf(out, "  %s.%s: %s\n", db, name, pmn_error_last());
        return;
    }
    int64_t latest = 0;
    pmn_snapshot_info info;
    if (pmn_table_latest_snapshot(t, &latest) != 0 || latest == 0 ||
        pmn_table_snapshot(t, latest, &info) != 0) {
        pmn_buf_printf(out, "  %-32s no snapshot yet\n", pmn_table_name(t));
        pmn_table_free(t);
        return;
    }
    const char *lsn = NULL, *when = NULL, *slot = NULL;
    for (size_t i = 0; i < info.nproperties; i++) {
        if (!strcmp(info.properties[i].key, PMN_PROP_END_LSN))
            lsn = info.properties[i].value;
        else if (!strcmp(info.properties[i].key, PMN_PROP_COMMIT_TIME))
            when = info.properties[i].value;
        else if (!strcmp(info.properties[i].key, PMN_PROP_SLOT))
            slot = info.properties[i].value;
    }
    char at[32];
    format_utc_millis(info.time_millis, at);
    int64_t rows;
    if (live_rows(t, info.id, info.total_record_count, &rows) != 0) {
        pmn_buf_printf(out, "  %-32s reading snapshot %" PRId64 ": %s\n", pmn_table_name(t),
                       info.id, pmn_error_last());
        pmn_table_free(t);
        return;
    }
    pmn_buf_printf(out,
                   "  %-32s snapshot %-6" PRId64 " time %s rows %-10" PRId64 " records %-10" PRId64,
                   pmn_table_name(t), info.id, at, rows, info.total_record_count);
    uint64_t stored = 0;
    if (lsn && pmn_parse_lsn(lsn, &stored) == 0) {
        uint64_t confirmed = slot_confirmed(slots, slot);
        uint64_t at_lsn = confirmed > stored ? confirmed : stored;
        uint64_t lag = current > at_lsn ? current - at_lsn : 0;
        double lag_s = 0;
        /* timed from the newest source commit the table holds, when that is its frontier;
         * behind a slot that moved on without it (idle table) only the bytes are known */
        if (lag && when && stored >= confirmed)
            lag_s = (double)(pmn_now_millis() - strtoll(when, NULL, 10)) / 1000.0;
        pmn_buf_printf(out, " slot %s source LSN %s lag %" PRIu64 " bytes, %.1f s", slot ? slot : "",
                       lsn, lag, lag_s);
    } else {
        pmn_buf_puts(out, " (not written by a sync)");
    }
    pmn_buf_putc(out, '\n');
    pmn_table_free(t);
}

int pmn_sync_status(const pmn_options *conf, const char *warehouse, pmn_buf *out)
{
    pmn_pg_connparams p;
    params_from_conf(conf, &p);
    pmn_pgconn *c = NULL;
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_open(&c, &p, false);
    if (rc == 0)
        rc = pmn_pgconn_query(c, &r, "reading replication slots", SLOTS_SQL, 0, NULL);
    uint64_t current = 0;
    if (rc == 0) {
        pmn_buf_printf(out, "replication slots:\n  %-24s %-9s %-6s %-7s %-12s %-12s %-14s %s\n",
                       "slot", "plugin", "active", "pid", "restart_lsn", "confirmed", "wal_retained",
                       "wal_status");
        for (int i = 0; i < r->nrows; i++) {
            const char *name = pmn_pgresult_get(r, i, 0);
            pmn_buf_printf(out, "  %-24s %-9s %-6s %-7s %-12s %-12s %-14s %s\n", name,
                           pmn_pgresult_get(r, i, 1),
                           !strcmp(pmn_pgresult_get(r, i, 3), "t") ? "yes" : "no",
                           pmn_pgresult_get(r, i, 4), pmn_pgresult_get(r, i, 5),
                           pmn_pgresult_get(r, i, 6), pmn_pgresult_get(r, i, 7),
                           pmn_pgresult_get(r, i, 8));
        }
        if (r->nrows == 0)
            pmn_buf_puts(out, "  (none)\n");
        pmn_pgresult *w = NULL;
        if (pmn_pgconn_query(c, &w, "reading the WAL position",
                             "SELECT pg_current_wal_lsn()::text", 0, NULL) == 0)
            pmn_parse_lsn(pmn_pgresult_get(w, 0, 0), &current);
        pmn_pgresult_free(w);
    }
    pmn_pgconn_free(c);
    pmn_pg_connparams_dispose(&p);
    if (rc || !warehouse) {
        pmn_pgresult_free(r);
        return rc;
    }
    pmn_catalog *cat;
    rc = pmn_catalog_open(warehouse, false, &cat);
    if (rc) {
        pmn_pgresult_free(r);
        return rc;
    }
    char **dbs;
    size_t ndb;
    rc = pmn_catalog_list_databases(cat, &dbs, &ndb);
    pmn_buf_printf(out, "lake tables in %s:\n", warehouse);
    for (size_t d = 0; rc == 0 && d < ndb; d++) {
        char **tables;
        size_t nt;
        if (pmn_catalog_list_tables(cat, dbs[d], &tables, &nt) != 0)
            continue;
        for (size_t i = 0; i < nt; i++)
            table_status(cat, dbs[d], tables[i], current, r, out);
        pmn_strings_free(tables, nt);
    }
    if (rc == 0)
        pmn_strings_free(dbs, ndb);
    pmn_catalog_free(cat);
    pmn_pgresult_free(r);
    return rc;
}

int pmn_sync_drop_slot(const pmn_options *conf, const char *slot)
{
    pmn_pg_connparams p;
    params_from_conf(conf, &p);
    pmn_repl *r = NULL;
    int rc = pmn_repl_open(&r, &p, slot);
    if (rc == 0)
        rc = pmn_repl_drop_slot(r);
    pmn_repl_free(r);
    pmn_pg_connparams_dispose(&p);
    return rc;
}
