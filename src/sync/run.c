/*
 * src/sync/run.c
 *
 * The sync job (pgoutput.md §8.5, style.md §3.5 durability rule):
 *
 *   1. connect; list the selected source tables (schema-name / table-name
 *      regexes, or every table for postgres_sync_database), describe them
 *      and map their types;
 *   2. open the lake side (sync/sink.c): create or evolve one Paimon table
 *      per target and read the source position each stored;
 *   3. make sure the publication covers the tables;
 *   4. replication slot: if missing, create it with an exported snapshot,
 *      copy every table under that snapshot and commit each lake table at
 *      the slot's consistent point (startup mode `initial`), or just record
 *      the consistent point (`latest-offset`). A slot this job created whose
 *      snapshot never finished (crash) is dropped and made again;
 *   5. stream from the smallest stored position: decode pgoutput, apply
 *      whole transactions, commit the lake every commit interval, and only
 *      then confirm the committed end LSN to PostgreSQL;
 *   6. on SIGINT/SIGTERM finish the open transaction, commit, confirm, exit 0;
 *      on a lost connection start again from step 1 with backoff.
 */
#include "sync/run.h"

#include "pg/source.h"
#include "sync/sink.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PUBLICATION "paimon_cdc"
#define PROGRESS_INTERVAL_MS 10000
#define DDL_CHECK_INTERVAL_MS 2000

typedef struct job {
    const pmn_sync_config *cfg;
    volatile sig_atomic_t *stop;
    pmn_pg_connparams params;
    pmn_type_mapping mapping;
    const char *slot;
    const char *publication;
    char *table_re;         /* the tables to select, exclusions folded in */
    pmn_pgsource *src;      /* tables, slot, stream with a reader thread */
    pmn_sync_sink *sink;
    char *marker;           /* file saying this job created the slot */
} job;

static const char *conf(const job *j, const char *key)
{
    return pmn_options_get(&j->cfg->postgres_conf, key);
}

static char *join_list(char **items, size_t n)
{
    pmn_buf b = PMN_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        pmn_buf_printf(&b, "%s%s", i ? "," : "", items[i]);
    return (char *)pmn_buf_detach(&b, NULL);
}

static int setup_params(job *j)
{
    memset(&j->params, 0, sizeof j->params);
    j->params.host = pmn_xstrdup(conf(j, "hostname"));
    j->params.port = pmn_xstrdup(conf(j, "port") ? conf(j, "port") : "5432");
    j->params.user = pmn_xstrdup(conf(j, "username"));
    j->params.password = conf(j, "password") ? pmn_xstrdup(conf(j, "password")) : NULL;
    j->params.dbname = pmn_xstrdup(conf(j, "database-name"));
    const char *timeout = conf(j, "connect.timeout");
    if (timeout) {
        int64_t ms;
        if (pmn_parse_duration_ms(timeout, &ms) == 0)
            j->params.connect_timeout_s = (int)((ms + 999) / 1000);
    }
    char *list = join_list(j->cfg->type_mapping, j->cfg->ntype_mapping);
    int rc = pmn_type_mapping_parse(&j->mapping, list);
    free(list);
    j->slot = conf(j, "slot.name");
    j->publication = conf(j, "publication.name")            ? conf(j, "publication.name")
                     : conf(j, "debezium.publication.name") ? conf(j, "debezium.publication.name")
                                                             : DEFAULT_PUBLICATION;
    /* keys that mean nothing without Flink's source: say so once */
    static const char *ignored[] = {"scan.incremental.snapshot.chunk.size",
                                    "scan.snapshot.fetch.size", "chunk-meta.group.size",
                                    "connection.pool.size", "connect.max-retries",
                                    "scan.incremental.close-idle-reader.enabled",
                                    "server-time-zone"};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        if (conf(j, ignored[i]))
            pmn_log_warn("--postgres_conf %s has no effect in pgpaimon", ignored[i]);
    return rc;
}

/* startup_mode: "initial" or "latest-offset" from scan.startup.mode / debezium.snapshot.mode. */
static int startup_mode(const job *j, bool *initial)
{
    const char *m = conf(j, "scan.startup.mode");
    const char *dm = conf(j, "debezium.snapshot.mode");
    *initial = true;
    if (m) {
        if (!strcmp(m, "latest-offset"))
            *initial = false;
        else if (strcmp(m, "initial") && strcmp(m, "snapshot"))
            return pmn_error_set(PMN_EINVALID,
                                 "--postgres_conf scan.startup.mode=%s is not supported; use "
                                 "initial or latest-offset",
                                 m);
    } else if (dm) {
        if (!strcmp(dm, "never") || !strcmp(dm, "no_data"))
            *initial = false;
        else if (strcmp(dm, "initial") && strcmp(dm, "always"))
            return pmn_error_set(PMN_EINVALID,
                                 "--postgres_conf debezium.snapshot.mode=%s is not supported; use "
                                 "initial, always or never",
                                 dm);
    }
    return 0;
}

/* selection_regex: the table-name regex of the source (PostgreSQL ARE, matched in full);
 * postgres_sync_database's --excluding_tables wins over --including_tables through a
 * negative lookahead. */
static char *selection_regex(const job *j)
{
    const pmn_sync_config *cfg = j->cfg;
    if (cfg->kind == PMN_SYNC_TABLE)
        return pmn_xstrdup(conf(j, "table-name"));
    const char *inc = cfg->including_tables ? cfg->including_tables : ".*";
    if (!cfg->excluding_tables)
        return pmn_xstrdup(inc);
    return pmn_xasprintf("(?!(?:%s)$)(?:%s)", cfg->excluding_tables, inc);
}

static int register_source(job *j, size_t i)
{
    const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
    if (t->npk == 0 && j->cfg->kind == PMN_SYNC_DATABASE && !j->cfg->nprimary_keys)
        pmn_log_warn("%s.%s has no primary key: it becomes an append table, and its UPDATE "
                     "and DELETE changes are not applied",
                     t->schema, t->name);
    const char **pk = pmn_xcalloc((size_t)t->npk + 1, sizeof *pk);
    for (int k = 0; k < t->npk; k++)
        pk[k] = t->cols[t->pk[k]].name;
    int rc = pmn_sync_sink_add_source(j->sink, pmn_pgsource_relation(j->src, i), pk,
                                      (size_t)t->npk);
    free(pk);
    return rc;
}

/* discover: the source added a table created while streaming; register it with the sink */
static int discover(void *ctx, pmn_sync_sink *sink, const pmn_change_relation *rel)
{
    job *j = ctx;
    size_t n = pmn_pgsource_ntables(j->src);
    for (size_t i = 0; i < n; i++) {
        const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
        if (!strcmp(t->schema, rel->schema) && !strcmp(t->name, rel->name))
            return register_source(j, i);
    }
    return 0;
}

/* register_sources: each selected table becomes a source of the sink (creating or evolving
 * its lake table). */
static int register_sources(job *j)
{
    size_t n = pmn_pgsource_ntables(j->src);
    for (size_t i = 0; i < n; i++) {
        int rc = register_source(j, i);
        if (rc)
            return rc;
    }
    pmn_sync_sink_set_discover(j->sink, discover, j);
    return 0;
}

/* A progress line for the initial snapshot on a terminal: the copy's change callback is
 * wrapped to count rows. */
typedef struct copy_progress {
    pmn_change_sink inner;
    const char *schema, *name;
    uint64_t rows;
    int64_t started_ms, shown_ms;
    bool tty;
} copy_progress;

static int progress_change(void *payload, const pmn_change *c)
{
    copy_progress *p = payload;
    int rc = p->inner.change(p->inner.payload, c);
    if (++p->rows % 4096 == 0 && p->tty) {
        int64_t now = pmn_monotonic_millis();
        if (now - p->shown_ms >= 250) {
            double secs = (double)(now - p->started_ms) / 1000.0;
            fprintf(stderr, "\r  snapshot of %s.%s: %llu rows, %.0f rows/s   ", p->schema, p->name,
                    (unsigned long long)p->rows, secs > 0 ? (double)p->rows / secs : 0.0);
            p->shown_ms = now;
        }
    }
    return rc;
}

/* copy_snapshot: copy the selected tables and commit each lake table as soon as its copy is
 * complete, at `consistent_point`. A new slot's copy imports its exported snapshot; a resumed
 * one (`resume`: the slot's exported snapshot died with the interrupted run) copies only the
 * tables whose copy is not in the lake, in a fresh snapshot, and the stream then replays from
 * `consistent_point` the changes that copy already holds (see prepare_slot). */
static int copy_snapshot(job *j, uint64_t consistent_point, bool resume)
{
    pmn_snapshot_copy *sc;
    int rc = resume ? pmn_snapshot_copy_open(&sc, &j->params, NULL)
                    : pmn_pgsource_snapshot_open(&sc, j->src);
    if (rc)
        return rc;
    /* a resumed copy's position: every transaction its snapshot sees committed before it */
    uint64_t copy_lsn = 0;
    if (rc == 0 && resume) {
        pmn_pgresult *r = NULL;
        rc = pmn_pgconn_query(pmn_snapshot_copy_conn(sc), &r, "reading the copy's WAL position",
                              "SELECT pg_catalog.pg_current_wal_lsn()::text", 0, NULL);
        if (rc == 0)
            rc = pmn_parse_lsn(pmn_pgresult_get(r, 0, 0), &copy_lsn);
        pmn_pgresult_free(r);
    }
    if (rc == 0)
        rc = pmn_sync_sink_begin_snapshot(j->sink, !resume);
    pmn_change_sink cb = pmn_sync_sink_callbacks(j->sink);
    int64_t t0 = pmn_monotonic_millis();
    uint64_t total = 0;
    size_t n = pmn_pgsource_ntables(j->src);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
        const pmn_change_relation *rel = pmn_pgsource_relation(j->src, i);
        if (resume && pmn_sync_sink_source_done(j->sink, rel)) {
            pmn_log_info("snapshot of %s.%s: already in the lake", t->schema, t->name);
            continue;
        }
        uint64_t rows = 0;
        int64_t t1 = pmn_monotonic_millis();
        copy_progress prog = {.inner = cb, .schema = t->schema, .name = t->name,
                              .started_ms = t1, .tty = isatty(2) == 1};
        /* snapshot rows arrive only through `change` */
        pmn_change_sink counted = {.change = progress_change, .payload = &prog};
        rc = pmn_snapshot_copy_table(sc, t, rel, NULL, &counted, &rows);
        if (rc == 0)
            rc = pmn_sync_sink_source_copied(j->sink, rel, consistent_point, copy_lsn, j->slot);
        if (prog.tty && prog.shown_ms)
            fputs("\r\033[K", stderr);
        if (rc == 0) {
            double secs = (double)(pmn_monotonic_millis() - t1) / 1000.0;
            pmn_log_info("snapshot of %s.%s: %llu rows in %.1f s", t->schema, t->name,
                         (unsigned long long)rows, secs);
            total += rows;
        }
    }
    if (rc == 0)
        rc = pmn_snapshot_copy_finish(sc);
    pmn_snapshot_copy_free(sc);
    if (rc == 0)
        rc = pmn_sync_sink_finish_snapshot(j->sink, consistent_point, j->slot);
    if (rc == 0) {
        char lsn[24];
        pmn_format_lsn(consistent_point, lsn);
        pmn_log_info("initial snapshot committed: %zu table%s, %llu rows in %.1f s; streaming "
                     "from %s",
                     n, n == 1 ? "" : "s", (unsigned long long)total,
                     (double)(pmn_monotonic_millis() - t0) / 1000.0, lsn);
    }
    return rc;
}

/* prepare_slot: create the slot (and take the initial snapshot) or reuse it; returns the LSN
 * to start streaming from. */
static int prepare_slot(job *j, uint64_t *start_lsn)
{
    bool initial;
    int rc = startup_mode(j, &initial);
    if (rc)
        return rc;
    /* the marker is written before the slot is created, so a crash between the two still
     * lets the next start recognise the slot as its own */
    bool exists = false;
    rc = pmn_pgsource_slot_exists(j->src, &exists);
    if (rc == 0 && !exists)
        rc = pmn_fs_write_file(j->marker, j->slot, strlen(j->slot));
    pmn_pgsource_slot slot;
    if (rc == 0)
        rc = pmn_pgsource_prepare_slot(j->src, initial, &slot);
    if (rc)
        return rc;
    bool needs_snapshot = pmn_sync_sink_needs_snapshot(j->sink);
    const char *dm = conf(j, "debezium.snapshot.mode");
    bool again = false;
    if (!slot.created && needs_snapshot) {
        uint64_t done_lsn = 0;
        if (pmn_fs_exists(j->marker) && initial && !(dm && !strcmp(dm, "always")) &&
            pmn_sync_sink_can_resume_snapshot(j->sink, &done_lsn) &&
            done_lsn >= slot.consistent_point) {
            /* our own slot whose initial snapshot was interrupted after some tables were
             * committed: those stay (the slot still streams from the point they hold), the
             * others are copied now and the stream replays onto them what changed since */
            char lsn[24];
            pmn_format_lsn(done_lsn, lsn);
            pmn_log_info("resuming the interrupted initial snapshot of slot \"%s\": tables "
                         "already in the lake are kept, the others are copied now; streaming "
                         "from %s",
                         j->slot, lsn);
            rc = copy_snapshot(j, done_lsn, true);
            *start_lsn = done_lsn;
            return rc;
        } else if (pmn_fs_exists(j->marker)) {
            /* our own slot whose initial snapshot never committed a table: start it over */
            pmn_log_info("replication slot \"%s\" was created by an interrupted run; creating "
                         "it again",
                         j->slot);
            again = true;
        } else if (pmn_sync_sink_resume_lsn(j->sink) == 0) {
            return pmn_error_set(PMN_EINVALID,
                                 "replication slot \"%s\" already exists but the lake has no "
                                 "position for it (it belongs to another job, or to a run that "
                                 "lost its warehouse); drop it with `pgpaimon drop_slot %s` or "
                                 "pick another --postgres_conf slot.name",
                                 j->slot, j->slot);
        } else {
            return pmn_error_set(PMN_EINVALID,
                                 "a selected table has no initial snapshot in the lake while slot "
                                 "\"%s\" already streams the others; sync the new table with its "
                                 "own slot.name, or drop the slot and the lake tables to start "
                                 "over",
                                 j->slot);
        }
    } else if (!slot.created && dm && !strcmp(dm, "always")) {
        again = true; /* debezium.snapshot.mode=always: a new snapshot on every start */
    }
    if (again) {
        rc = pmn_pgsource_drop_slot(j->src);
        if (rc == 0)
            rc = pmn_pgsource_prepare_slot(j->src, initial, &slot);
        if (rc)
            return rc;
    }
    if (!slot.created) {
        *start_lsn = pmn_sync_sink_resume_lsn(j->sink);
        char a[24], b[24];
        pmn_format_lsn(*start_lsn, a);
        pmn_format_lsn(slot.consistent_point, b);
        pmn_log_info("resuming slot \"%s\" at %s (slot confirmed %s)", j->slot, a, b);
        return 0;
    }
    rc = pmn_fs_write_file(j->marker, j->slot, strlen(j->slot));
    if (rc)
        return rc;
    char lsn[24];
    pmn_format_lsn(slot.consistent_point, lsn);
    pmn_log_info("created replication slot \"%s\" at %s", j->slot, lsn);
    if (initial && slot.snapshot_name[0])
        rc = copy_snapshot(j, slot.consistent_point, false);
    else
        rc = pmn_sync_sink_finish_snapshot(j->sink, slot.consistent_point, j->slot);
    *start_lsn = slot.consistent_point;
    return rc;
}

static void log_progress(job *j, pmn_sync_stats *last)
{
    pmn_sync_stats now;
    pmn_sync_sink_stats(j->sink, &now);
    if (now.txns == last->txns && now.commits == last->commits)
        return; /* quiet when idle */
    char lsn[24];
    pmn_format_lsn(now.last_end_lsn, lsn);
    double lag_s = now.last_commit_time_us
                       ? (double)(pmn_now_millis() * 1000 - now.last_commit_time_us) / 1e6
                       : 0;
    pmn_log_info("streamed %llu transactions, %llu changes, %llu lake commits; at %s, "
                 "lag %.1f s",
                 (unsigned long long)(now.txns - last->txns),
                 (unsigned long long)(now.rows - last->rows),
                 (unsigned long long)(now.commits - last->commits), lsn, lag_s);
    *last = now;
}

static int commit_and_confirm(job *j)
{
    uint64_t durable = 0;
    int rc = pmn_sync_sink_commit(j->sink, &durable);
    if (rc == 0 && durable)
        pmn_pgsource_confirm(j->src, durable);
    return rc;
}

static int stream(job *j)
{
    pmn_change_sink cb = pmn_sync_sink_callbacks(j->sink);
    pmn_sync_stats last;
    pmn_sync_sink_stats(j->sink, &last);
    int64_t next_progress = pmn_monotonic_millis() + PROGRESS_INTERVAL_MS;
    int64_t next_ddl_check = pmn_monotonic_millis() + DDL_CHECK_INTERVAL_MS;
    int64_t stop_deadline = 0;
    for (;;) {
        if (*j->stop) {
            if (!pmn_sync_sink_in_txn(j->sink))
                break;
            if (!stop_deadline) {
                stop_deadline = pmn_monotonic_millis() + 30000;
            } else if (pmn_monotonic_millis() > stop_deadline) {
                pmn_log_warn("stopping inside a source transaction; it will be streamed again "
                             "on the next start");
                return 0;
            }
        }
        int rc = pmn_pgsource_poll(j->src, &cb, 100);
        if (rc < 0)
            return rc;
        if (pmn_sync_sink_commit_due(j->sink)) {
            rc = commit_and_confirm(j);
            if (rc)
                return rc;
        }
        if (!pmn_sync_sink_has_pending(j->sink)) {
            /* nothing received waits for the lake: an idle slot may advance to the server's
             * position, so it does not hold WAL back (pgoutput.md §8.4) */
            uint64_t quiet = pmn_pgsource_quiet_lsn(j->src);
            if (quiet)
                pmn_pgsource_confirm(j->src, quiet);
        }
        if (pmn_monotonic_millis() >= next_ddl_check && !pmn_sync_sink_in_txn(j->sink)) {
            /* ALTER TABLE ... ADD COLUMN reaches the lake before any row uses it, and option
             * changes made to the lake tables reach this job's writers */
            rc = pmn_sync_sink_refresh(j->sink);
            if (rc)
                return rc;
            size_t n = pmn_pgsource_ntables(j->src);
            for (size_t i = 0; i < n; i++) {
                bool changed = false;
                rc = pmn_pgsource_recheck(j->src, i, &changed);
                if (rc == 0 && changed)
                    rc = cb.relation(cb.payload, pmn_pgsource_relation(j->src, i));
                if (rc)
                    return rc;
            }
            next_ddl_check = pmn_monotonic_millis() + DDL_CHECK_INTERVAL_MS;
        }
        if (pmn_monotonic_millis() >= next_progress) {
            log_progress(j, &last);
            next_progress = pmn_monotonic_millis() + PROGRESS_INTERVAL_MS;
        }
    }
    int rc = commit_and_confirm(j);
    log_progress(j, &last);
    return rc;
}

static void job_dispose(job *j)
{
    int rc = pmn_pgsource_close(j->src);
    (void)rc; /* a stop error after the last commit changes nothing in the lake */
    pmn_sync_sink_free(j->sink);
    pmn_pg_connparams_dispose(&j->params);
    free(j->table_re);
    free(j->marker);
    memset(j, 0, sizeof *j);
}

static int run_once(const pmn_sync_config *cfg, volatile sig_atomic_t *stop)
{
    job j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg;
    j.stop = stop;
    int rc = setup_params(&j);
    if (rc == 0) {
        j.table_re = selection_regex(&j);
        pmn_pgsource_config pc = {
            .conn = &j.params,
            .slot = j.slot,
            .publication = j.publication,
            .schema_re = conf(&j, "schema-name"),
            .table_re = j.table_re,
            .mapping = j.mapping,
            .publication_create = true,
            .discover_new_tables = cfg->kind == PMN_SYNC_DATABASE,
        };
        /* heartbeat.interval.ms: how often the server hears from us while idle (our status
         * updates also advance an idle slot, so it does not hold WAL back) */
        const char *hb = conf(&j, "heartbeat.interval.ms");
        if (hb && atoi(hb) > 0)
            pc.status_interval_ms = atoi(hb) < 10000 ? atoi(hb) : 10000;
        rc = pmn_pgsource_open(&j.src, &pc);
    }
    if (rc == 0)
        rc = pmn_sync_sink_open(cfg, &j.sink);
    if (rc == 0)
        rc = register_sources(&j);
    if (rc == 0)
        j.marker = pmn_xasprintf("%s/%s.db/.pgpaimon-slot-%s", cfg->warehouse, cfg->database,
                                 j.slot);
    uint64_t start_lsn = 0;
    if (rc == 0)
        rc = prepare_slot(&j, &start_lsn);
    if (rc == 0) {
        pmn_sync_sink_set_position(j.sink, start_lsn);
        rc = pmn_pgsource_start(j.src, start_lsn);
    }
    if (rc == 0)
        rc = stream(&j);
    job_dispose(&j);
    return rc;
}

int pmn_sync_run(const pmn_sync_config *cfg, volatile sig_atomic_t *stop)
{
    int64_t backoff_ms = 1000;
    for (;;) {
        int rc = run_once(cfg, stop);
        if (rc != PMN_ECONN || *stop)
            return rc;
        pmn_log_warn("%s; reconnecting in %.0f s", pmn_error_last(), (double)backoff_ms / 1000);
        for (int64_t waited = 0; waited < backoff_ms && !*stop; waited += 100)
            usleep(100000);
        if (*stop)
            return 0;
        backoff_ms = backoff_ms * 2 > 30000 ? 30000 : backoff_ms * 2;
    }
}
