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
#include <string.h>

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

/* The confirmed_flush_lsn of each slot: the job confirms only positions its lake tables
 * hold, so every table it syncs is complete up to there, even one with no changes since. */
typedef struct slot_pos {
    char **names;
    uint64_t *confirmed;
    size_t n;
} slot_pos;

static void slot_pos_free(slot_pos *sp)
{
    pmn_strings_free(sp->names, sp->n);
    free(sp->confirmed);
}

static uint64_t slot_confirmed(const slot_pos *sp, const char *slot)
{
    for (size_t i = 0; slot && i < sp->n; i++)
        if (!strcmp(sp->names[i], slot))
            return sp->confirmed[i];
    return 0;
}

static void table_status(pmn_catalog *cat, const char *db, const char *name, uint64_t current,
                         const slot_pos *sp, pmn_buf *out)
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
    pmn_buf_printf(out, "  %-32s snapshot %-6" PRId64 " records %-10" PRId64, pmn_table_name(t),
                   info.id, info.total_record_count);
    uint64_t stored = 0;
    if (lsn && pmn_parse_lsn(lsn, &stored) == 0) {
        uint64_t confirmed = slot_confirmed(sp, slot), pos = stored;
        if (confirmed > pos)
            pos = confirmed; /* an idle table is as current as the job */
        uint64_t lag = current > pos ? current - pos : 0;
        double lag_s = 0;
        if (lag && when && pos == stored)
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
    slot_pos sp = {0};
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
            uint64_t confirmed = 0;
            if (pmn_parse_lsn(pmn_pgresult_get(r, i, 6), &confirmed) == 0) {
                sp.names = pmn_xrealloc(sp.names, (sp.n + 1) * sizeof *sp.names);
                sp.confirmed = pmn_xrealloc(sp.confirmed, (sp.n + 1) * sizeof *sp.confirmed);
                sp.names[sp.n] = pmn_xstrdup(name);
                sp.confirmed[sp.n++] = confirmed;
            }
        }
        if (r->nrows == 0)
            pmn_buf_puts(out, "  (none)\n");
        pmn_pgresult *w = NULL;
        if (pmn_pgconn_query(c, &w, "reading the WAL position",
                             "SELECT pg_current_wal_lsn()::text", 0, NULL) == 0)
            pmn_parse_lsn(pmn_pgresult_get(w, 0, 0), &current);
        pmn_pgresult_free(w);
    }
    pmn_pgresult_free(r);
    pmn_pgconn_free(c);
    pmn_pg_connparams_dispose(&p);
    pmn_catalog *cat = NULL;
    if (rc == 0 && warehouse)
        rc = pmn_catalog_open(warehouse, false, &cat);
    if (rc || !warehouse) {
        slot_pos_free(&sp);
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
            table_status(cat, dbs[d], tables[i], current, &sp, out);
        pmn_strings_free(tables, nt);
    }
    if (rc == 0)
        pmn_strings_free(dbs, ndb);
    pmn_catalog_free(cat);
    slot_pos_free(&sp);
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
