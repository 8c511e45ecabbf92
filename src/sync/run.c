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
 *      copy every table under that snapshot (over --parallelism connections,
 *      sync/snapcopy.c) and commit each lake table at the slot's consistent
 *      point (startup mode `initial`), or just record the consistent point
 *      (`latest-offset`). A slot this job created whose snapshot never
 *      finished (crash) is dropped and made again; tables without a snapshot
 *      next to tables that have one (new since the last run) get a snapshot
 *      of their own under a temporary slot (snapshot_late);
 *   5. stream from the smallest stored position: decode pgoutput, apply
 *      whole transactions, commit the lake every commit interval, and only
 *      then confirm the committed end LSN to PostgreSQL; every 2 s look for
 *      DDL and, for postgres_sync_database, for new tables (--mode combined
 *      takes them in, poll_new_tables);
 *   6. on SIGINT/SIGTERM finish the open transaction, commit, confirm, exit 0;
 *      on a lost connection start again from step 1 with backoff.
 */
#include "sync/run.h"

#include "pg/publication.h"
#include "pg/repl.h"
#include "pg/source.h"
#include "sync/sink.h"
#include "sync/snapcopy.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PUBLICATION "paimon_cdc"
#define PROGRESS_INTERVAL_MS 10000
#define DDL_CHECK_INTERVAL_MS 2000

typedef struct names {
    char **v; /* "schema.name" */
    size_t n;
} names;

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
    bool combined;          /* --mode combined: tables created while running join the sync */
    bool pub_managed;       /* pgpaimon may create the publication and ADD tables to it */
    names noted;            /* new tables already reported (not synced yet) */
    names left_out;         /* new tables --ignore_incompatible left out */
    unsigned temp_slots;    /* temporary slots made so far (their names must differ) */
    int64_t join_retry_ms;  /* no new table joins before this time (monotonic) */
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

/* check_sources: refuse what the lake side would refuse (no primary key under
 * postgres_sync_table, a computed column that does not parse, ...) before the warehouse is
 * touched. */
static int check_sources(job *j)
{
    size_t n = pmn_pgsource_ntables(j->src);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
        const char **pk = pmn_xcalloc((size_t)t->npk + 1, sizeof *pk);
        for (int k = 0; k < t->npk; k++)
            pk[k] = t->cols[t->pk[k]].name;
        rc = pmn_sync_sink_check_source(j->cfg, pmn_pgsource_relation(j->src, i), pk,
                                        (size_t)t->npk);
        free(pk);
    }
    return rc;
}

/* discover: a table created while streaming reached the stream (the decoder took it because
 * --mode combined selects new tables). With a publication FOR ALL TABLES its whole life is in
 * the stream: it joins now, without a snapshot. Otherwise it was published only after it was
 * created, so it joins through poll_new_tables with a snapshot; until then its changes are
 * ignored (they are older than that snapshot). */
static int discover(void *ctx, pmn_sync_sink *sink, const pmn_change_relation *rel)
{
    job *j = ctx;
    (void)sink;
    if (!pmn_pgsource_publication_all_tables(j->src))
        return 0;
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

/* copy_tables: the rows of the selected tables idx[0..n) under an exported snapshot, over
 * --parallelism connections (sync/snapcopy.h). */
static int copy_tables(job *j, const char *snapshot_name, const size_t *idx, size_t n,
                       uint64_t *rows, int (*table_done)(void *, size_t), void *done_ctx)
{
    const pmn_pg_table **tables = pmn_xcalloc(n + 1, sizeof *tables);
    const pmn_change_relation **rels = pmn_xcalloc(n + 1, sizeof *rels);
    size_t *group = pmn_xcalloc(n + 1, sizeof *group);
    for (size_t k = 0; k < n; k++) {
        tables[k] = pmn_pgsource_table(j->src, idx[k]);
        rels[k] = pmn_pgsource_relation(j->src, idx[k]);
        /* one writer per lake table: sources merged into one table take turns */
        size_t g = pmn_sync_sink_target_index(j->sink, tables[k]->schema, tables[k]->name);
        group[k] = g == SIZE_MAX ? 0 : g;
    }
    pmn_change_sink cb = pmn_sync_sink_callbacks(j->sink);
    /* snapshot rows arrive only through `change` */
    pmn_snapcopy_request req = {
        .conn = &j->params,
        .snapshot_name = snapshot_name,
        .parallelism = (int)j->cfg->parallelism,
        .tables = tables,
        .rels = rels,
        .ntables = n,
        .sink = &cb,
        .lock_group = group,
        .stop = j->stop,
        .table_done = table_done,
        .table_done_ctx = done_ctx,
    };
    const char *split = pmn_options_get(&j->cfg->flink_conf, "pgpaimon.snapshot.split-min-bytes");
    if (split)
        req.split_min_bytes = strtoll(split, NULL, 10);
    int rc = pmn_snapcopy_run(&req, rows);
    free(tables);
    free(rels);
    free(group);
    return rc;
}

/* The initial snapshot commits each lake table as soon as every source table feeding it is
 * copied, at the slot's consistent point: a run cut short keeps those tables, and the next
 * start takes the rest as late tables (prepare_slot) instead of copying everything again. */
typedef struct initial_commits {
    job *j;
    size_t *left; /* per lake table (sink target index): its source tables not copied yet */
    uint64_t lsn;
} initial_commits;

/* commit_copied_table: snapcopy's table_done; runs under source table i's lock group (its
 * lake table), which also guards left[] of that lake table. */
static int commit_copied_table(void *ctx, size_t i)
{
    initial_commits *ic = ctx;
    const pmn_pg_table *t = pmn_pgsource_table(ic->j->src, i);
    size_t g = pmn_sync_sink_target_index(ic->j->sink, t->schema, t->name);
    if (g == SIZE_MAX || --ic->left[g] > 0)
        return 0;
    return pmn_sync_sink_commit_snapshot_target(ic->j->sink, g, ic->lsn, ic->j->slot);
}

static int copy_snapshot(job *j, const char *snapshot_name, uint64_t consistent_point)
{
    int64_t t0 = pmn_monotonic_millis();
    size_t n = pmn_pgsource_ntables(j->src);
    size_t *idx = pmn_xcalloc(n + 1, sizeof *idx);
    initial_commits ic = {.j = j, .left = pmn_xcalloc(n + 1, sizeof *ic.left),
                          .lsn = consistent_point};
    for (size_t i = 0; i < n; i++) {
        idx[i] = i;
        const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
        size_t g = pmn_sync_sink_target_index(j->sink, t->schema, t->name);
        if (g < n)
            ic.left[g]++;
    }
    uint64_t total = 0;
    int rc = pmn_sync_sink_begin_snapshot(j->sink);
    if (rc == 0)
        rc = copy_tables(j, snapshot_name, idx, n, &total, commit_copied_table, &ic);
    free(idx);
    free(ic.left);
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

/* temp_slot_open: a temporary slot exporting a snapshot, on a replication connection of its
 * own (the slot goes away when *r is freed). Nothing is written: on failure (e.g. no free
 * slot or WAL sender) the caller may try again later. */
static int temp_slot_open(job *j, pmn_repl **r, pmn_repl_slot_created *sc)
{
    char name[64];
    snprintf(name, sizeof name, "%.40s_tmp_%ld_%u", j->slot, (long)getpid(), j->temp_slots++);
    *r = NULL;
    int rc = pmn_repl_open(r, &j->params, name);
    if (rc == 0)
        rc = pmn_repl_create_temp_slot(*r, sc);
    if (rc) {
        pmn_repl_free(*r);
        *r = NULL;
    }
    return rc;
}

/* snapshot_late: a snapshot of some tables while the job's slot streams the others (a table
 * that joins a running job, or one whose lake table has no snapshot at a restart), under the
 * snapshot of the temporary slot r (temp_slot_open), which is freed. Its consistent point C
 * splits the work: the copy holds every transaction that committed before C, each lake table
 * is committed at C, and the sink skips the stream's transactions below C for it, so nothing
 * is applied twice or lost. copy_rows false (scan.startup.mode latest-offset): the tables
 * just start at C. */
static int snapshot_late(job *j, pmn_repl *r, const pmn_repl_slot_created *sc, const size_t *idx,
                         size_t n, bool copy_rows)
{
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const pmn_pg_table *t = pmn_pgsource_table(j->src, idx[k]);
        rc = pmn_sync_sink_begin_table_snapshot(j->sink, t->schema, t->name);
    }
    uint64_t rows = 0;
    if (rc == 0 && copy_rows)
        rc = copy_tables(j, sc->snapshot_name, idx, n, &rows, NULL, NULL);
    for (size_t k = 0; k < n && rc == 0; k++) {
        const pmn_pg_table *t = pmn_pgsource_table(j->src, idx[k]);
        rc = pmn_sync_sink_finish_table_snapshot(j->sink, t->schema, t->name,
                                                 sc->consistent_point);
    }
    pmn_repl_free(r);
    if (rc == 0) {
        char lsn[24];
        pmn_format_lsn(sc->consistent_point, lsn);
        pmn_log_info("snapshot of %zu table%s taken while streaming: %llu rows, consistent at %s",
                     n, n == 1 ? "" : "s", (unsigned long long)rows, lsn);
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
        if (pmn_sync_sink_resume_lsn(j->sink) != 0) {
            /* tables that joined since the last run (or whose snapshot a crash cut short) get
             * a snapshot of their own; the others resume where they were */
            size_t n = pmn_pgsource_ntables(j->src), nlate = 0;
            size_t *late = pmn_xcalloc(n + 1, sizeof *late);
            for (size_t i = 0; i < n; i++) {
                const pmn_pg_table *t = pmn_pgsource_table(j->src, i);
                if (pmn_sync_sink_source_needs_snapshot(j->sink, t->schema, t->name)) {
                    pmn_log_info("%s.%s has no snapshot in the lake yet: taking one", t->schema,
                                 t->name);
                    late[nlate++] = i;
                }
            }
            pmn_repl *r;
            pmn_repl_slot_created sc;
            rc = temp_slot_open(j, &r, &sc);
            if (rc == 0)
                rc = snapshot_late(j, r, &sc, late, nlate, initial);
            free(late);
            if (rc)
                return rc;
        } else if (pmn_fs_exists(j->marker)) {
            /* our own slot whose initial snapshot never committed: start it over */
            pmn_log_info("replication slot \"%s\" was created by an interrupted run; creating "
                         "it again",
                         j->slot);
            again = true;
        } else {
            return pmn_error_set(PMN_EINVALID,
                                 "replication slot \"%s\" already exists but the lake has no "
                                 "position for it (it belongs to another job, or to a run that "
                                 "lost its warehouse); drop it with `pgpaimon drop_slot %s` or "
                                 "pick another --postgres_conf slot.name",
                                 j->slot, j->slot);
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
        rc = copy_snapshot(j, slot.snapshot_name, slot.consistent_point);
    else
        rc = pmn_sync_sink_finish_snapshot(j->sink, slot.consistent_point, j->slot);
    *start_lsn = slot.consistent_point;
    return rc;
}

/* listed: schema.name is in l; added to it when `add`. */
static bool listed(names *l, const char *schema, const char *name, bool add)
{
    char *key = pmn_xasprintf("%s.%s", schema, name);
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], key)) {
            free(key);
            return true;
        }
    if (add) {
        l->v = pmn_xrealloc(l->v, sizeof *l->v * (l->n + 1));
        l->v[l->n++] = key;
    } else {
        free(key);
    }
    return false;
}

/* join_new_table: --mode combined, table t (matching, not synced yet) was created while the
 * job runs. With a publication FOR ALL TABLES the stream brings it (discover above). Otherwise
 * it must be in the publication first — pgpaimon adds it when it manages the publication —
 * and then gets a snapshot taken after that (snapshot_late): rows written before it was
 * published are in that snapshot, everything after it in the stream. */
static int join_new_table(job *j, const pmn_pg_table *t)
{
    if (pmn_pgsource_publication_all_tables(j->src))
        return 0;
    pmn_pg_table *const one[1] = {(pmn_pg_table *)t};
    pmn_pg_publication_result pr;
    int rc = pmn_pg_publication_ensure(&pr, pmn_pgsource_conn(j->src), j->publication, one, 1,
                                       false, j->pub_managed);
    if (rc == PMN_ECONN)
        return rc;
    if (rc) {
        /* a publication pgpaimon may not change: say once what to run; checked again on
         * every poll, so the table joins as soon as someone publishes it */
        if (!listed(&j->noted, t->schema, t->name, true))
            pmn_log_warn("new table %s.%s matches the sync but publication \"%s\" does not "
                         "include it, and pgpaimon may not add it (%s); run ALTER PUBLICATION "
                         "%s ADD TABLE %s.%s and it joins with a snapshot",
                         t->schema, t->name, j->publication, pmn_error_last(), j->publication,
                         t->schema, t->name);
        pmn_error_clear();
        return 0;
    }
    /* the temporary slot first: its consistent point is after the table was published, and
     * if no slot is free nothing has been registered yet */
    pmn_repl *r;
    pmn_repl_slot_created sc;
    rc = temp_slot_open(j, &r, &sc);
    if (rc && rc != PMN_ECONN) {
        pmn_log_warn("cannot take a snapshot of new table %s.%s yet: %s; trying again in 30 s",
                     t->schema, t->name, pmn_error_last());
        pmn_error_clear();
        j->join_retry_ms = pmn_monotonic_millis() + 30000;
        return 0;
    }
    if (rc)
        return rc;
    size_t i;
    rc = pmn_pgsource_select(j->src, t->schema, t->name, &i);
    if (rc == PMN_ENOTFOUND) { /* dropped again meanwhile */
        pmn_error_clear();
        pmn_repl_free(r);
        return 0;
    }
    if (rc == 0)
        rc = register_source(j, i);
    if (rc) {
        pmn_repl_free(r);
        return rc;
    }
    if (!pmn_sync_sink_has_source(j->sink, t->schema, t->name)) {
        listed(&j->left_out, t->schema, t->name, true); /* --ignore_incompatible */
        pmn_repl_free(r);
        return 0;
    }
    pmn_log_info("new table %s.%s joins the sync", t->schema, t->name);
    return snapshot_late(j, r, &sc, &i, 1, true);
}

/* poll_new_tables: tables created in PostgreSQL since the job started that match its selection
 * (postgres_sync_database). --mode combined takes them in; --mode divided, like Paimon's,
 * syncs the tables found at start and says once that a restart picks the new one up. */
static int poll_new_tables(job *j)
{
    pmn_pg_table **found = NULL;
    size_t n = 0;
    int rc = pmn_pg_catalog_list_tables(&found, &n, pmn_pgsource_conn(j->src),
                                        conf(j, "schema-name"), j->table_re);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        return 0;
    }
    for (size_t k = 0; k < n && rc == 0; k++) {
        const pmn_pg_table *t = found[k];
        if (pmn_sync_sink_has_source(j->sink, t->schema, t->name) ||
            listed(&j->left_out, t->schema, t->name, false))
            continue;
        if (j->combined) {
            if (pmn_monotonic_millis() < j->join_retry_ms)
                continue;
            rc = join_new_table(j, t);
        } else if (!listed(&j->noted, t->schema, t->name, true)) {
            pmn_log_info("new table %s.%s matches the sync; --mode divided syncs the tables "
                         "found at start, so it joins (with a snapshot) at the next start; "
                         "--mode combined picks new tables up while running",
                         t->schema, t->name);
        }
    }
    pmn_pg_tables_free(found, n);
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
            if (j->cfg->kind == PMN_SYNC_DATABASE) {
                rc = poll_new_tables(j);
                if (rc)
                    return rc;
            }
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
    for (size_t i = 0; i < j->noted.n; i++)
        free(j->noted.v[i]);
    free(j->noted.v);
    for (size_t i = 0; i < j->left_out.n; i++)
        free(j->left_out.v[i]);
    free(j->left_out.v);
    memset(j, 0, sizeof *j);
}

static int run_once(const pmn_sync_config *cfg, volatile sig_atomic_t *stop)
{
    job j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg;
    j.stop = stop;
    int rc = setup_params(&j);
    /* without --mode new tables join while running (the promise, and what a user of
     * one long-running process expects); an explicit --mode divided keeps Paimon's meaning */
    j.combined = cfg->kind == PMN_SYNC_DATABASE && !(cfg->mode && !strcmp(cfg->mode, "divided"));
    /* Debezium's publication.autocreate.mode: `disabled` leaves the publication to its owner */
    const char *autocreate = conf(&j, "debezium.publication.autocreate.mode");
    j.pub_managed = !autocreate || strcmp(autocreate, "disabled") != 0;
    if (rc == 0) {
        j.table_re = selection_regex(&j);
        pmn_pgsource_config pc = {
            .conn = &j.params,
            .slot = j.slot,
            .publication = j.publication,
            .schema_re = conf(&j, "schema-name"),
            .table_re = j.table_re,
            .mapping = j.mapping,
            .publication_create = j.pub_managed,
            .discover_new_tables = j.combined,
        };
        /* heartbeat.interval.ms: how often the server hears from us while idle (our status
         * updates also advance an idle slot, so it does not hold WAL back) */
        const char *hb = conf(&j, "heartbeat.interval.ms");
        if (hb && atoi(hb) > 0)
            pc.status_interval_ms = atoi(hb) < 10000 ? atoi(hb) : 10000;
        rc = pmn_pgsource_open(&j.src, &pc);
    }
    if (rc == 0)
        rc = check_sources(&j);
    if (rc == 0)
        rc = pmn_sync_sink_open(cfg, &j.sink);
    if (rc == 0)
        rc = register_sources(&j);
    if (rc == 0)
        j.marker = pmn_xasprintf("%s/%s.db/.pgpaimon-slot-%s", cfg->warehouse, cfg->database,
                                 j.slot);
    uint64_t start_lsn = 0;
    if (rc == 0) {
        rc = prepare_slot(&j, &start_lsn);
        if (rc && *stop) {
            /* SIGINT/SIGTERM during the initial snapshot: nothing of it was committed */
            pmn_log_info("stopped during the initial snapshot (%s); the next start takes it "
                         "again",
                         pmn_error_last());
            pmn_error_clear();
            job_dispose(&j);
            return 0;
        }
    }
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
