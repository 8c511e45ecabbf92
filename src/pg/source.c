/*
 * src/pg/source.c
 *
 * The CDC source facade and its reader thread; see source.h. The reader owns
 * the replication connection once streaming starts; the caller's thread owns
 * the decoder and the normal (catalog) connection. They share only the
 * queue, the confirmed position and the reader's error, under one mutex.
 */
#include "pg/source.h"

#include "pg/decoder.h"
#include "pg/publication.h"
#include "pg/repl.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

typedef struct qitem {
    struct qitem *next;
    bool keepalive;
    uint64_t wal_end;
    size_t len;
    uint8_t data[];
} qitem;

struct pmn_pgsource {
    pmn_pg_connparams params;
    char *slot;
    char *publication;
    pmn_type_mapping mapping;
    int status_interval_ms;
    size_t queue_limit;

    pmn_pgconn *conn; /* catalog, type resolution, caller's thread */
    pmn_repl *repl;   /* reader thread's once started */
    char system_id[32];
    pmn_pg_table **tables;
    size_t ntables;
    pmn_change_relation **rels;
    char snapshot_name[64];
    char *schema_re;        /* selection patterns, kept for discovery */
    char *table_re;
    bool discover;          /* pick up tables created while streaming */
    bool pub_all_tables;    /* the publication is FOR ALL TABLES */
    char **rejected;        /* schema.name of relations seen and not selected */
    size_t nrejected;

    pmn_pgdecoder *decoder;
    uint64_t quiet_lsn;

    pthread_t thread;
    bool thread_running;
    pthread_mutex_t mu;
    pthread_cond_t nonempty;
    pthread_cond_t space;
    qitem *head, *tail;
    size_t queued_bytes;
    bool stop;        /* caller asks the reader to stop */
    bool reader_done; /* reader exited */
    int reader_rc;    /* its error */
    char reader_msg[1024];
    char reader_sqlstate[6];
    uint64_t confirmed;
};

static void timespec_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

int pmn_pgsource_open(pmn_pgsource **out, const pmn_pgsource_config *cfg)
{
    PMN_ASSERT(cfg && cfg->conn && cfg->slot);
    pmn_pgsource *s = pmn_xcalloc(1, sizeof *s);
    pmn_pg_connparams_copy(&s->params, cfg->conn);
    s->slot = pmn_xstrdup(cfg->slot);
    s->publication = pmn_xstrdup(cfg->publication ? cfg->publication : PMN_PG_PUBLICATION_DEFAULT);
    s->mapping = cfg->mapping;
    s->status_interval_ms = cfg->status_interval_ms > 0 ? cfg->status_interval_ms : 5000;
    s->queue_limit = cfg->queue_bytes ? cfg->queue_bytes : (size_t)32 << 20;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->nonempty, NULL);
    pthread_cond_init(&s->space, NULL);

    int rc = pmn_pgconn_open(&s->conn, &s->params, false);
    if (rc < 0)
        goto fail;
    rc = pmn_repl_open(&s->repl, &s->params, s->slot);
    if (rc < 0)
        goto fail;
    pmn_repl_system sys;
    rc = pmn_repl_identify_system(s->repl, &sys);
    if (rc < 0)
        goto fail;
    snprintf(s->system_id, sizeof s->system_id, "%s", sys.systemid);
    s->schema_re = pmn_xstrdup(cfg->schema_re ? cfg->schema_re : ".*");
    s->table_re = pmn_xstrdup(cfg->table_re ? cfg->table_re : ".*");
    s->discover = cfg->discover_new_tables;
    rc = pmn_pg_catalog_list_tables(&s->tables, &s->ntables, s->conn,
                                    cfg->schema_re ? cfg->schema_re : "public",
                                    cfg->table_re ? cfg->table_re : ".*");
    if (rc < 0)
        goto fail;
    s->rels = pmn_xcalloc(s->ntables, sizeof *s->rels);
    for (size_t i = 0; i < s->ntables; i++) {
        rc = pmn_pg_catalog_describe(s->conn, s->tables[i], &s->mapping);
        if (rc < 0)
            goto fail;
        s->rels[i] = pmn_pg_table_relation(s->tables[i]);
    }
    pmn_pg_publication_result pr;
    rc = pmn_pg_publication_ensure(&pr, s->conn, s->publication, s->tables, s->ntables,
                                   cfg->publication_create, cfg->publication_create);
    if (rc < 0)
        goto fail;
    s->pub_all_tables = pr.all_tables;
    *out = s;
    return 0;
fail:
    pmn_pgsource_close(s);
    return rc;
}

size_t pmn_pgsource_ntables(const pmn_pgsource *s)
{
    return s->ntables;
}

const pmn_pg_table *pmn_pgsource_table(const pmn_pgsource *s, size_t i)
{
    PMN_ASSERT(i < s->ntables);
    return s->tables[i];
}

const pmn_change_relation *pmn_pgsource_relation(const pmn_pgsource *s, size_t i)
{
    PMN_ASSERT(i < s->ntables);
    return s->rels[i];
}

const char *pmn_pgsource_system_id(const pmn_pgsource *s)
{
    return s->system_id;
}

int pmn_pgsource_slot_exists(pmn_pgsource *s, bool *exists)
{
    pmn_repl_slot_state st;
    int rc = pmn_repl_read_slot(s->repl, &st);
    *exists = rc == 0 && st.exists;
    return rc;
}

int pmn_pgsource_prepare_slot(pmn_pgsource *s, bool want_snapshot, pmn_pgsource_slot *out)
{
    memset(out, 0, sizeof *out);
    pmn_repl_slot_created sc;
    int rc = pmn_repl_ensure_slot(s->repl, want_snapshot, &out->created, &sc);
    if (rc < 0)
        return rc;
    out->consistent_point = sc.consistent_point;
    snprintf(out->snapshot_name, sizeof out->snapshot_name, "%s", sc.snapshot_name);
    snprintf(s->snapshot_name, sizeof s->snapshot_name, "%s", sc.snapshot_name);
    return 0;
}

int pmn_pgsource_snapshot_open(pmn_snapshot_copy **out, pmn_pgsource *s)
{
    if (!s->snapshot_name[0])
        return pmn_error_set(PMN_EINVALID,
                             "slot \"%s\": no exported snapshot to import (the "
                             "slot was reused, or created without one)",
                             s->slot);
    return pmn_snapshot_copy_open(out, &s->params, s->snapshot_name);
}

/* ---- reader thread -------------------------------------------------------- */

/* A batch of frames the reader collected without blocking, handed over under one lock. */
typedef struct qbatch {
    qitem *head, *tail;
    size_t bytes, n;
} qbatch;

#define BATCH_MAX_FRAMES 512
#define POLL_SLICE_MS 100
#define BATCH_MAX_BYTES ((size_t)1 << 20)

/* enqueue: append a batch (lock held); the consumer waits only on an empty queue, so only
 * then is it woken */
static void enqueue(pmn_pgsource *s, qbatch *b)
{
    if (!b->head)
        return;
    bool was_empty = s->head == NULL;
    if (s->tail)
        s->tail->next = b->head;
    else
        s->head = b->head;
    s->tail = b->tail;
    s->queued_bytes += b->bytes;
    if (was_empty)
        pthread_cond_signal(&s->nonempty);
    memset(b, 0, sizeof *b);
}

static void *reader_main(void *arg)
{
    pmn_pgsource *s = arg;
    int rc = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        /* backpressure: keep the server happy with status updates, read nothing */
        while (!s->stop && s->queued_bytes >= s->queue_limit) {
            struct timespec ts;
            timespec_in(&ts, 200);
            pthread_cond_timedwait(&s->space, &s->mu, &ts);
            uint64_t c = s->confirmed;
            pthread_mutex_unlock(&s->mu);
            pmn_repl_set_flushed(s->repl, c);
            rc = pmn_repl_tick(s->repl);
            pthread_mutex_lock(&s->mu);
            if (rc < 0)
                break;
        }
        bool stop = s->stop;
        uint64_t confirmed = s->confirmed;
        pthread_mutex_unlock(&s->mu);
        if (rc < 0 || stop)
            break;
        pmn_repl_set_flushed(s->repl, confirmed);
        /* the first frame may wait; then whatever libpq has buffered already joins the batch,
         * so the queue's lock and the consumer's wake-up are paid per batch, not per frame */
        qbatch b = {0};
        while (b.n < BATCH_MAX_FRAMES && b.bytes < BATCH_MAX_BYTES) {
            pmn_repl_msg m;
            rc = pmn_repl_next(s->repl, &m, b.n ? 0 : 200);
            if (rc < 0 || m.kind == PMN_REPL_TIMEOUT)
                break;
            size_t len = m.kind == PMN_REPL_XLOGDATA ? m.len : 0;
            qitem *it = pmn_xmalloc(sizeof *it + len);
            it->next = NULL;
            it->keepalive = m.kind == PMN_REPL_KEEPALIVE;
            it->wal_end = m.wal_end;
            it->len = len;
            if (len)
                memcpy(it->data, m.data, len);
            if (b.tail)
                b.tail->next = it;
            else
                b.head = it;
            b.tail = it;
            b.bytes += it->len + sizeof *it;
            b.n++;
        }
        pthread_mutex_lock(&s->mu);
        enqueue(s, &b); /* frames read before an error still count */
        pthread_mutex_unlock(&s->mu);
        if (rc < 0)
            break;
    }
    if (rc == 0) {
        /* clean stop: report the final durable position and end the COPY */
        pthread_mutex_lock(&s->mu);
        uint64_t c = s->confirmed;
        pthread_mutex_unlock(&s->mu);
        pmn_repl_set_flushed(s->repl, c);
        rc = pmn_repl_stop(s->repl);
    }
    pthread_mutex_lock(&s->mu);
    s->reader_done = true;
    s->reader_rc = rc;
    if (rc < 0) {
        snprintf(s->reader_msg, sizeof s->reader_msg, "%s", pmn_error_last());
        snprintf(s->reader_sqlstate, sizeof s->reader_sqlstate, "%s", pmn_error_sqlstate());
    }
    pthread_cond_broadcast(&s->nonempty);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* discover_table: a relation the stream names that was not selected at open: if it matches
 * the patterns (a table created since), describe it and add it to the selection. Runs on the
 * caller's thread (inside poll), so the catalog connection is free. */
static bool discover_table(pmn_pgsource *s, const char *schema, const char *name)
{
    char *key = pmn_xasprintf("%s.%s", schema, name);
    for (size_t i = 0; i < s->nrejected; i++)
        if (!strcmp(s->rejected[i], key)) {
            free(key);
            return false;
        }
    const char *params[] = {schema, s->schema_re, name, s->table_re};
    pmn_pgresult *r = NULL;
    /* a partition is never a table of its own: PostgreSQL 15 sends its Relation message
     * next to its root's even when the publication publishes via the root */
    int rc = pmn_pgconn_query(s->conn, &r, "matching a new table",
                              "SELECT $1 ~ ('^(?:' || $2 || ')$') AND $3 ~ ('^(?:' || $4 || ')$') "
                              "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN "
                              "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
                              "n.nspname = $1 AND c.relname = $3 AND c.relispartition)",
                              4, params);
    bool match = rc == 0 && r->nrows == 1 && !strcmp(pmn_pgresult_get(r, 0, 0), "t");
    pmn_pgresult_free(r);
    pmn_pg_table *t = NULL;
    /* the walsender can decode a commit a moment before the creating transaction is visible
     * to other sessions: a table that is "not found" yet is asked for again, briefly */
    rc = match ? pmn_pg_catalog_find_table(&t, s->conn, schema, name) : PMN_ENOTFOUND;
    for (int tries = 0; match && rc == PMN_ENOTFOUND && tries < 40; tries++) {
        usleep(25000);
        rc = pmn_pg_catalog_find_table(&t, s->conn, schema, name);
    }
    if (match && rc == 0 && pmn_pg_catalog_describe(s->conn, t, &s->mapping) == 0) {
        s->tables = pmn_xrealloc(s->tables, sizeof *s->tables * (s->ntables + 1));
        s->rels = pmn_xrealloc(s->rels, sizeof *s->rels * (s->ntables + 1));
        s->tables[s->ntables] = t;
        s->rels[s->ntables] = pmn_pg_table_relation(t);
        s->ntables++;
        pmn_log_info("new table %s.%s joins the sync", schema, name);
        free(key);
        return true;
    }
    if (match)
        pmn_log_warn("new table %s.%s matches but cannot be synced: %s", schema, name,
                     pmn_error_last());
    pmn_pg_table_free(t);
    pmn_error_clear();
    s->rejected = pmn_xrealloc(s->rejected, sizeof *s->rejected * (s->nrejected + 1));
    s->rejected[s->nrejected++] = key;
    return false;
}

int pmn_pgsource_recheck(pmn_pgsource *s, size_t i, bool *changed)
{
    *changed = false;
    pmn_pg_table *t = NULL;
    int rc = pmn_pg_catalog_find_table(&t, s->conn, s->tables[i]->schema, s->tables[i]->name);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        return 0; /* dropped: its lake table keeps what it has */
    }
    if (rc == 0)
        rc = pmn_pg_catalog_describe(s->conn, t, &s->mapping);
    if (rc) {
        pmn_pg_table_free(t);
        return rc;
    }
    pmn_change_relation *rel = pmn_pg_table_relation(t);
    if (pmn_change_relation_same_shape(rel, s->rels[i])) {
        pmn_change_relation_free(rel);
        pmn_pg_table_free(t);
        return 0;
    }
    pmn_change_relation_free(s->rels[i]);
    pmn_pg_table_free(s->tables[i]);
    s->rels[i] = rel;
    s->tables[i] = t;
    *changed = true;
    return 0;
}

/* only the selected tables: a publication FOR ALL TABLES also sends the others */
static bool selected(void *ctx, const char *schema, const char *name)
{
    pmn_pgsource *s = ctx;
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i]->schema, schema) == 0 && strcmp(s->tables[i]->name, name) == 0)
            return true;
    return s->discover && discover_table(s, schema, name);
}

int pmn_pgsource_start(pmn_pgsource *s, uint64_t start_lsn)
{
    PMN_ASSERT(!s->thread_running);
    int rc = pmn_repl_start(s->repl, start_lsn, s->publication);
    if (rc < 0)
        return rc;
    pmn_repl_set_status_interval(s->repl, s->status_interval_ms);
    s->snapshot_name[0] = '\0'; /* START released it */
    s->confirmed = start_lsn;
    pmn_pgdecoder_options o = {
        .mapping = s->mapping,
        .filter = selected,
        .filter_ctx = s,
        .skip_before_lsn = start_lsn,
        .resolve = pmn_pg_catalog_resolver,
        .resolve_ctx = s->conn,
    };
    pmn_pgdecoder_new(&s->decoder, &o);
    s->stop = false;
    s->reader_done = false;
    if (pthread_create(&s->thread, NULL, reader_main, s) != 0)
        return pmn_error_set(PMN_ERROR, "cannot start the replication reader thread");
    s->thread_running = true;
    return 0;
}

static int reader_error(pmn_pgsource *s)
{
    int rc = pmn_error_set(s->reader_rc, "%s", s->reader_msg);
    if (s->reader_sqlstate[0])
        pmn_error_set_sqlstate(s->reader_sqlstate);
    return rc;
}

int pmn_pgsource_poll(pmn_pgsource *s, const pmn_change_sink *sink, int timeout_ms)
{
    PMN_ASSERT(s->thread_running);
    int processed = 0;
    pthread_mutex_lock(&s->mu);
    if (!s->head && !s->reader_done && timeout_ms > 0) {
        struct timespec ts;
        timespec_in(&ts, timeout_ms);
        while (!s->head && !s->reader_done) {
            if (pthread_cond_timedwait(&s->nonempty, &s->mu, &ts) != 0)
                break;
        }
    }
    /* take the whole queue at once and decode it unlocked; return to the caller at least
     * every POLL_SLICE_MS so its commit timer runs while a backlog drains */
    int64_t started = pmn_monotonic_millis();
    while (s->head) {
        qitem *it = s->head;
        size_t bytes = s->queued_bytes; /* still counted against the limit until decoded */
        s->head = s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        int rc = 0;
        while (it) {
            qitem *next = it->next;
            if (rc == 0 && it->keepalive) {
                if (!pmn_pgdecoder_in_txn(s->decoder) && it->wal_end > s->quiet_lsn)
                    s->quiet_lsn = it->wal_end;
            } else if (rc == 0) {
                rc = pmn_pgdecoder_feed(s->decoder, it->data, it->len, sink);
                processed++;
            }
            free(it);
            it = next;
        }
        pthread_mutex_lock(&s->mu);
        s->queued_bytes -= bytes;
        pthread_cond_signal(&s->space);
        if (rc < 0) {
            pthread_mutex_unlock(&s->mu);
            return rc;
        }
        if (pmn_monotonic_millis() - started >= POLL_SLICE_MS)
            break;
    }
    bool failed = s->reader_done && s->reader_rc < 0;
    bool ended = s->reader_done && !s->stop;
    pthread_mutex_unlock(&s->mu);
    if (failed)
        return reader_error(s);
    if (ended)
        return pmn_error_set(PMN_ECONN, "replication reader stopped");
    return processed;
}

void pmn_pgsource_confirm(pmn_pgsource *s, uint64_t lsn)
{
    pthread_mutex_lock(&s->mu);
    if (lsn > s->confirmed)
        s->confirmed = lsn;
    pthread_mutex_unlock(&s->mu);
}

uint64_t pmn_pgsource_quiet_lsn(const pmn_pgsource *s)
{
    return s->quiet_lsn;
}

static int stop_reader(pmn_pgsource *s)
{
    if (!s->thread_running)
        return 0;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->thread_running = false;
    while (s->head) {
        qitem *it = s->head;
        s->head = it->next;
        free(it);
    }
    s->tail = NULL;
    s->queued_bytes = 0;
    return s->reader_rc < 0 ? reader_error(s) : 0;
}

int pmn_pgsource_drop_slot(pmn_pgsource *s)
{
    int rc = stop_reader(s);
    if (rc < 0 && rc != PMN_ECONN)
        return rc;
    if (rc == PMN_ECONN || !s->repl) {
        /* the old connection is gone: drop from a new one */
        pmn_repl_free(s->repl);
        s->repl = NULL;
        rc = pmn_repl_open(&s->repl, &s->params, s->slot);
        if (rc < 0)
            return rc;
    }
    return pmn_repl_drop_slot(s->repl);
}

int pmn_pgsource_close(pmn_pgsource *s)
{
    if (!s)
        return 0;
    int rc = stop_reader(s);
    pmn_pgdecoder_free(s->decoder);
    pmn_repl_free(s->repl);
    pmn_pgconn_free(s->conn);
    for (size_t i = 0; s->rels && i < s->ntables; i++)
        pmn_change_relation_free(s->rels[i]);
    free(s->rels);
    for (size_t i = 0; i < s->nrejected; i++)
        free(s->rejected[i]);
    free(s->rejected);
    free(s->schema_re);
    free(s->table_re);
    pmn_pg_tables_free(s->tables, s->ntables);
    pmn_pg_connparams_dispose(&s->params);
    free(s->slot);
    free(s->publication);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->nonempty);
    pthread_cond_destroy(&s->space);
    free(s);
    return rc;
}

/* ---- tables joining a running job ----------------------------------------- */

bool pmn_pgsource_publication_all_tables(const pmn_pgsource *s)
{
    return s->pub_all_tables;
}

pmn_pgconn *pmn_pgsource_conn(pmn_pgsource *s)
{
    return s->conn;
}

const pmn_pg_connparams *pmn_pgsource_params(const pmn_pgsource *s)
{
    return &s->params;
}

int pmn_pgsource_select(pmn_pgsource *s, const char *schema, const char *name, size_t *index)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i]->schema, schema) && !strcmp(s->tables[i]->name, name)) {
            *index = i;
            return 0;
        }
    pmn_pg_table *t = NULL;
    int rc = pmn_pg_catalog_find_table(&t, s->conn, schema, name);
    if (rc == 0)
        rc = pmn_pg_catalog_describe(s->conn, t, &s->mapping);
    if (rc) {
        pmn_pg_table_free(t);
        return rc;
    }
    s->tables = pmn_xrealloc(s->tables, sizeof *s->tables * (s->ntables + 1));
    s->rels = pmn_xrealloc(s->rels, sizeof *s->rels * (s->ntables + 1));
    s->tables[s->ntables] = t;
    s->rels[s->ntables] = pmn_pg_table_relation(t);
    *index = s->ntables++;
    return 0;
}
