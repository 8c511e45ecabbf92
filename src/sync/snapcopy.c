/*
 * src/sync/snapcopy.c
 *
 * Parallel copy of an initial snapshot; see snapcopy.h. Work units (a table,
 * or one key range of it) are taken in order of table size, largest first,
 * by one thread per connection; the calling thread is worker 0.
 */
#include "sync/snapcopy.h"

#include "pg/snapshot_copy.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct unit {
    size_t table;
    char *where; /* key-range predicate, NULL = whole table */
    int64_t size;
} unit;

typedef struct table_state {
    uint64_t rows;
    int units;     /* units of this table */
    int remaining; /* units not finished */
    int64_t started_ms;
} table_state;

typedef struct shared {
    const pmn_snapcopy_request *req;
    pthread_mutex_t mu; /* guards everything below, and every call into req->sink */
    unit *units;
    size_t nunits, next;
    table_state *ts;
    size_t tables_done;
    uint64_t rows;
    bool failed;
    int rc;
    char msg[1024];
    bool tty;
    int64_t started_ms, shown_ms;
} shared;

typedef struct worker {
    shared *sh;
    pmn_snapshot_copy *copy;
    size_t table; /* the unit's table, for row counts */
    pthread_t thread;
    bool running;
} worker;

/* record_failure: the first error wins; later ones are its consequences. Under mu. */
static void record_failure(shared *sh, int rc)
{
    if (sh->failed)
        return;
    sh->failed = true;
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

static int locked_change(void *payload, const pmn_change *c)
{
    worker *w = payload;
    shared *sh = w->sh;
    pthread_mutex_lock(&sh->mu);
    int rc;
    if (sh->failed || stop_raised(sh)) {
        rc = pmn_error_set(PMN_ERROR, "snapshot copy stopped");
    } else {
        rc = sh->req->sink->change(sh->req->sink->payload, c);
        if (rc == 0) {
            sh->ts[w->table].rows++;
            if (++sh->rows % 4096 == 0 && sh->tty)
                draw_progress(sh);
        } else {
            record_failure(sh, rc);
        }
    }
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    const pmn_snapcopy_request *req = sh->req;
    pmn_change_sink counted = {.change = locked_change, .payload = w};
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        if (sh->failed || stop_raised(sh) || sh->next >= sh->nunits) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        unit *u = &sh->units[sh->next++];
        table_state *ts = &sh->ts[u->table];
        if (!ts->started_ms)
            ts->started_ms = pmn_monotonic_millis();
        w->table = u->table;
        pthread_mutex_unlock(&sh->mu);

        const pmn_pg_table *t = req->tables[u->table];
        int rc = pmn_snapshot_copy_table(w->copy, t, req->rels[u->table], u->where, &counted,
                                         NULL);
        pthread_mutex_lock(&sh->mu);
        if (rc) {
            if (!stop_raised(sh))
                record_failure(sh, rc);
        } else if (--ts->remaining == 0) {
            sh->tables_done++;
            if (sh->tty && sh->shown_ms)
                fputs("\r\033[K", stderr);
            double secs = (double)(pmn_monotonic_millis() - ts->started_ms) / 1000.0;
            char ranges[48] = "";
            if (ts->units > 1)
                snprintf(ranges, sizeof ranges, " (%d key ranges)", ts->units);
            pmn_log_info("snapshot of %s.%s: %llu rows in %.1f s%s", t->schema, t->name,
                         (unsigned long long)ts->rows, secs, ranges);
            sh->shown_ms = 0;
        }
        pthread_mutex_unlock(&sh->mu);
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

static int by_size_desc(const void *a, const void *b)
{
    const unit *x = a, *y = b;
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
        if (req->parallelism > 1 && t->npk > 0 && (t->relkind == 'p' || size >= min)) {
            rc = pmn_snapshot_split(&wheres, &n, c, t, req->parallelism);
            if (rc)
                return rc;
        }
        for (int k = 0; k < n; k++) {
            PMN_GROW(sh->units, cap, sh->nunits + 1);
            unit *u = &sh->units[sh->nunits++];
            u->table = i;
            u->where = wheres ? wheres[k] : NULL;
            u->size = size;
        }
        free(wheres); /* the predicates now belong to the units */
        sh->ts[i].units = n;
        sh->ts[i].remaining = n;
    }
    qsort(sh->units, sh->nunits, sizeof *sh->units, by_size_desc);
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
        if (sh.failed) {
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
    *rows_out = sh.rows;
    return rc;
}
