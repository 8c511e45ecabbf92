/*
 * src/sync/snapcopy.c
 *
 * Parallel copy of an initial snapshot; see snapcopy.h. Work units (a table,
 * or one range of it) are taken round by round (first ranges of all tables,
 * largest table first, then second ranges, ...) by one thread per
 * connection; the calling thread is worker 0. Each row is handed to the sink
 * under its lake table's lock; the shared counters are updated every 4096
 * rows.
 */
#include "sync/snapcopy.h"

#include "pg/snapshot_copy.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct unit {
    size_t table;
    char *where; /* range predicate, NULL = whole table */
    int64_t size;
    int range; /* its position among the table's ranges */
} unit;

typedef struct table_state {
    uint64_t rows;
    int units;     /* units (block or key ranges) of this table */
    int remaining; /* units not finished */
    int64_t started_ms;
} table_state;

typedef struct shared {
    const pmn_snapcopy_request *req;
    pthread_mutex_t *group_mu; /* per lock group: guards the sink's calls for its tables */
    size_t ngroups;
    atomic_bool failed; /* set under mu; read anywhere to stop early */
    pthread_mutex_t mu; /* guards everything below */
    unit *units;
    size_t nunits, next;
    table_state *ts;
    size_t tables_done;
    uint64_t rows;
    int rc;
    char msg[1024];
    bool tty;
    int64_t started_ms, shown_ms;
} shared;

typedef struct worker {
    shared *sh;
    pmn_snapshot_copy *copy;
    size_t table;         /* the unit's table */
    pthread_mutex_t *gmu; /* its group's lock */
    uint64_t unpublished; /* rows delivered, not yet added to the shared counts */
    pthread_t thread;
    bool running;
} worker;

/* record_failure: the first error wins; later ones are its consequences. Under mu. */
static void record_failure(shared *sh, int rc)
{
    if (atomic_load(&sh->failed))
        return;
    atomic_store(&sh->failed, true);
    sh->rc = rc;
    snprintf(sh->msg, sizeof sh->msg, "%s", pmn_error_last());
}

static bool stop_raised(const shared *sh)
{
    return sh->req->stop && *sh->req->stop;
}

static void draw_progress(shared *sh)
{
    int64_t now = pmn_monotonic_millis();
    if (now - sh->shown_ms < 250)
        return;
    double secs = (double)(now - sh->started_ms) / 1000.0;
    fprintf(stderr, "\r  initial snapshot: %zu/%zu tables, %llu rows, %.0f rows/s   ",
            sh->tables_done, sh->req->ntables, (unsigned long long)sh->rows,
            secs > 0 ? (double)sh->rows / secs : 0.0);
    sh->shown_ms = now;
}

/* publish: add a worker's delivered rows to the shared counts. Under mu. */
static void publish(worker *w)
{
    shared *sh = w->sh;
    sh->ts[w->table].rows += w->unpublished;
    sh->rows += w->unpublished;
    w->unpublished = 0;
    if (sh->tty)
        draw_progress(sh);
}

static int locked_change(void *payload, const pmn_change *c)
{
    worker *w = payload;
    shared *sh = w->sh;
    if (atomic_load(&sh->failed) || stop_raised(sh))
        return pmn_error_set(PMN_ERROR, "snapshot copy stopped");
    pthread_mutex_lock(w->gmu);
    int rc = sh->req->sink->change(sh->req->sink->payload, c);
    pthread_mutex_unlock(w->gmu);
    if (rc) {
        pthread_mutex_lock(&sh->mu);
        record_failure(sh, rc);
        pthread_mutex_unlock(&sh->mu);
        return rc;
    }
    if (++w->unpublished == 4096) {
        pthread_mutex_lock(&sh->mu);
        publish(w);
        pthread_mutex_unlock(&sh->mu);
    }
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    const pmn_snapcopy_request *req = sh->req;
    pmn_change_sink counted = {.change = locked_change, .payload = w};
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        if (atomic_load(&sh->failed) || stop_raised(sh) || sh->next >= sh->nunits) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        unit *u = &sh->units[sh->next++];
        table_state *ts = &sh->ts[u->table];
        if (!ts->started_ms)
            ts->started_ms = pmn_monotonic_millis();
        w->table = u->table;
        w->gmu = &sh->group_mu[req->lock_group ? req->lock_group[u->table] : 0];
        pthread_mutex_unlock(&sh->mu);

        const pmn_pg_table *t = req->tables[u->table];
        int rc = pmn_snapshot_copy_table(w->copy, t, req->rels[u->table], u->where, &counted, NULL);
        bool table_complete = false;
        pthread_mutex_lock(&sh->mu);
        publish(w);
        if (rc) {
            if (!stop_raised(sh))
                record_failure(sh, rc);
        } else if (--ts->remaining == 0) {
            table_complete = true;
            sh->tables_done++;
            if (sh->tty && sh->shown_ms)
                fputs("\r\033[K", stderr);
            double secs = (double)(pmn_monotonic_millis() - ts->started_ms) / 1000.0;
            char ranges[48] = "";
            if (ts->units > 1)
                snprintf(ranges, sizeof ranges, " (%d ranges)", ts->units);
            pmn_log_info("snapshot of %s.%s: %llu rows in %.1f s%s", t->schema, t->name,
                         (unsigned long long)ts->rows, secs, ranges);
            sh->shown_ms = 0;
        }
        pthread_mutex_unlock(&sh->mu);
        if (table_complete && req->table_done) {
            pthread_mutex_lock(w->gmu);
            rc = req->table_done(req->table_done_ctx, u->table);
            pthread_mutex_unlock(w->gmu);
            if (rc) {
                pthread_mutex_lock(&sh->mu);
                record_failure(sh, rc);
                pthread_mutex_unlock(&sh->mu);
            }
        }
    }
    return NULL;
}

static int table_size(pmn_pgconn *c, const pmn_pg_table *t, int64_t *size)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_catalog.pg_table_size(%u)", t->relid);
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_query(c, &r, "sizing a table for the snapshot copy", sql, 0, NULL);
    *size = rc == 0 && r->nrows == 1 && pmn_pgresult_get(r, 0, 0)
                ? strtoll(pmn_pgresult_get(r, 0, 0), NULL, 10)
                : 0;
    pmn_pgresult_free(r);
    return rc;
}

/* by_round_then_size: the first range of every table (largest table first), then the second
 * of every table, ...: connections working at the same time mostly feed different lake
 * tables, which are written in parallel, instead of queueing on one table's lock. */
static int by_round_then_size(const void *a, const void *b)
{
    const unit *x = a, *y = b;
    if (x->range != y->range)
        return x->range < y->range ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->table < y->table ? -1 : x->table > y->table; /* stable: table order */
}

/* plan_units: one unit per table, or one per key range for tables worth splitting. */
static int plan_units(shared *sh, pmn_pgconn *c)
{
    const pmn_snapcopy_request *req = sh->req;
    int64_t min = req->split_min_bytes > 0 ? req->split_min_bytes : PMN_SNAPCOPY_SPLIT_MIN_BYTES;
    size_t cap = 0;
    for (size_t i = 0; i < req->ntables; i++) {
        const pmn_pg_table *t = req->tables[i];
        int64_t size = 0;
        int rc = table_size(c, t, &size);
        if (rc)
            return rc;
        char **wheres = NULL;
        int n = 1;
        if (req->parallelism > 1 && (t->relkind == 'p' || size >= min)) {
            rc = pmn_snapshot_split_blocks(&wheres, &n, c, t, req->parallelism);
            if (rc)
                return rc;
        }
        for (int k = 0; k < n; k++) {
            PMN_GROW(sh->units, cap, sh->nunits + 1);
            unit *u = &sh->units[sh->nunits++];
            u->table = i;
            u->where = wheres ? wheres[k] : NULL;
            u->size = size;
            u->range = k;
        }
        free(wheres); /* the predicates now belong to the units */
        sh->ts[i].units = n;
        sh->ts[i].remaining = n;
    }
    qsort(sh->units, sh->nunits, sizeof *sh->units, by_round_then_size);
    return 0;
}

int pmn_snapcopy_run(const pmn_snapcopy_request *req, uint64_t *rows_out)
{
    *rows_out = 0;
    if (req->ntables == 0)
        return 0;
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.req = req;
    pthread_mutex_init(&sh.mu, NULL);
    sh.ts = pmn_xcalloc(req->ntables, sizeof *sh.ts);
    sh.tty = isatty(2) == 1;
    sh.started_ms = pmn_monotonic_millis();
    atomic_init(&sh.failed, false);
    sh.ngroups = 1;
    for (size_t i = 0; req->lock_group && i < req->ntables; i++)
        if (req->lock_group[i] + 1 > sh.ngroups)
            sh.ngroups = req->lock_group[i] + 1;
    sh.group_mu = pmn_xcalloc(sh.ngroups, sizeof *sh.group_mu);
    for (size_t g = 0; g < sh.ngroups; g++)
        pthread_mutex_init(&sh.group_mu[g], NULL);
    int want = req->parallelism > 1 ? req->parallelism : 1;
    if (want > 64)
        want = 64; /* each is a server backend; more would only queue on the lake lock */
    worker *w = pmn_xcalloc((size_t)want, sizeof *w);
    size_t nw = 0;
    int rc = pmn_snapshot_copy_open(&w[0].copy, req->conn, req->snapshot_name);
    if (rc == 0) {
        nw = 1;
        rc = plan_units(&sh, pmn_snapshot_copy_conn(w[0].copy));
    }
    /* more connections than units would only wait */
    size_t nconn = (size_t)want < sh.nunits ? (size_t)want : sh.nunits;
    for (; rc == 0 && nw < nconn; nw++) {
        if (pmn_snapshot_copy_open(&w[nw].copy, req->conn, req->snapshot_name) != 0) {
            pmn_log_warn("snapshot copy: connection %zu of %zu failed (%s); copying with %zu",
                         nw + 1, nconn, pmn_error_last(), nw);
            pmn_error_clear();
            break;
        }
    }
    if (rc == 0) {
        if (nw > 1 || req->parallelism > 1)
            pmn_log_info("initial snapshot: %zu table%s in %zu unit%s over %zu connection%s",
                         req->ntables, req->ntables == 1 ? "" : "s", sh.nunits,
                         sh.nunits == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
        for (size_t k = 0; k < nw; k++)
            w[k].sh = &sh;
        for (size_t k = 1; k < nw; k++)
            w[k].running = pthread_create(&w[k].thread, NULL, worker_main, &w[k]) == 0;
        worker_main(&w[0]);
        for (size_t k = 1; k < nw; k++)
            if (w[k].running)
                pthread_join(w[k].thread, NULL);
        if (atomic_load(&sh.failed)) {
            rc = pmn_error_set(sh.rc, "%s", sh.msg);
        } else if (stop_raised(&sh)) {
            rc = pmn_error_set(PMN_ERROR, "initial snapshot interrupted");
        } else if (sh.next < sh.nunits) {
            rc = pmn_error_set(PMN_ERROR, "internal: snapshot units left uncopied");
        }
    }
    if (sh.tty && sh.shown_ms)
        fputs("\r\033[K", stderr);
    for (size_t k = 0; k < nw; k++) {
        if (rc == 0)
            rc = pmn_snapshot_copy_finish(w[k].copy);
        pmn_snapshot_copy_free(w[k].copy);
    }
    for (size_t i = 0; i < sh.nunits; i++)
        free(sh.units[i].where);
    free(sh.units);
    free(sh.ts);
    free(w);
    pthread_mutex_destroy(&sh.mu);
    for (size_t g = 0; g < sh.ngroups; g++)
        pthread_mutex_destroy(&sh.group_mu[g]);
    free(sh.group_mu);
    *rows_out = sh.rows;
    return rc;
}
