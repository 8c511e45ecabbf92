/*
 * src/table/scan_parallel.c
 *
 * Threads reading the parts of a scan; see scan_parallel.h. Memory stays
 * bounded: a part waits for a free batch once BATCHES_PER_PART batches per
 * part are filled and not yet handed out.
 */
#include "table/scan_parallel.h"

#include "change/datum.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A batch holds up to BATCH_DATUMS datums (2 MiB) of rows, at most BATCH_ROWS rows. */
#define BATCH_ROWS 1024
#define BATCH_DATUMS ((size_t)1 << 16)
#define BATCH_BYTES ((size_t)1 << 20)
#define BATCHES_PER_PART 3

typedef struct batch {
    pmn_datum *rows; /* n rows of ncols datums */
    size_t n;
    pmn_arena arena; /* their strings and nested values */
    struct batch *next;
} batch;

typedef struct part {
    pmn_scan_par *owner;
    pmn_scan *scan;
    pthread_t thread;
    bool started;
    int64_t counted; /* count mode: rows this part counted */
    _Atomic uint64_t files, rows, blocks;
} part;

struct pmn_scan_par {
    part *parts;
    size_t nparts;
    const pmn_type *row;
    const bool *projected;
    int32_t ncols;
    size_t batch_rows; /* rows per batch: fewer for wide rows */
    pthread_mutex_t mu;
    pthread_cond_t filled; /* a batch is ready or a part ended */
    pthread_cond_t freed;  /* a batch was handed back, or stop */
    batch *ready_head, *ready_tail;
    batch *free_list;
    size_t nbatches, max_batches;
    size_t running; /* parts started and not finished */
    bool started, stop;
    int rc;    /* first error of a part */
    char *msg; /* its message */
    batch *current;
    size_t pos;
};

static void publish_stats(part *pt)
{
    uint64_t files, rows;
    pmn_scan_stats(pt->scan, &files, &rows);
    atomic_store(&pt->files, files);
    atomic_store(&pt->rows, rows);
    atomic_store(&pt->blocks, pmn_scan_blocks_read(pt->scan));
}

/* take_free: a batch to fill, or NULL once the reader is stopping. */
static batch *take_free(pmn_scan_par *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->stop && !p->free_list && p->nbatches >= p->max_batches)
        pthread_cond_wait(&p->freed, &p->mu);
    batch *b = NULL;
    if (!p->stop) {
        if (p->free_list) {
            b = p->free_list;
            p->free_list = b->next;
        } else {
            b = pmn_xcalloc(1, sizeof *b);
            b->rows = pmn_xcalloc(p->batch_rows * (size_t)p->ncols + 1, sizeof *b->rows);
            pmn_arena_init(&b->arena);
            p->nbatches++;
        }
        b->next = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

/* give_back: b (handed out or unused) returns to the free list. Called with mu held. */
static void give_back(pmn_scan_par *p, batch *b)
{
    b->n = 0;
    pmn_arena_recycle(&b->arena);
    b->next = p->free_list;
    p->free_list = b;
    pthread_cond_signal(&p->freed);
}

static void publish(pmn_scan_par *p, batch *b)
{
    pthread_mutex_lock(&p->mu);
    if (p->ready_tail)
        p->ready_tail->next = b;
    else
        p->ready_head = b;
    p->ready_tail = b;
    pthread_cond_signal(&p->filled);
    pthread_mutex_unlock(&p->mu);
}

/* finish: part pt ended with rc (0 or PMN_ITEROVER: done; else an error with its message). */
static void finish(pmn_scan_par *p, part *pt, int rc)
{
    publish_stats(pt);
    pthread_mutex_lock(&p->mu);
    if (rc && rc != PMN_ITEROVER && !p->rc) {
        p->rc = rc;
        p->msg = pmn_xstrdup(pmn_error_last());
        p->stop = true; /* the caller gets the error: the others need not go on */
        pthread_cond_broadcast(&p->freed);
    }
    p->running--;
    pthread_cond_broadcast(&p->filled);
    pthread_mutex_unlock(&p->mu);
}

static void copy_row(const pmn_scan_par *p, const pmn_datum *row, pmn_datum *out, pmn_arena *a)
{
    for (int32_t i = 0; i < p->ncols; i++) {
        if (p->projected[i] && !row[i].is_null)
            pmn_datum_copy(p->row->fields[i].type, &row[i], &out[i], a);
        else
            out[i] = pmn_datum_null();
    }
}

static void *read_rows(void *arg)
{
    part *pt = arg;
    pmn_scan_par *p = pt->owner;
    batch *b = NULL;
    int rc = 0;
    for (;;) {
        if (!b && !(b = take_free(p)))
            break; /* stopping */
        const pmn_datum *row;
        rc = pmn_scan_next_local(pt->scan, &row);
        if (rc)
            break;
        copy_row(p, row, &b->rows[b->n * (size_t)p->ncols], &b->arena);
        if (++b->n == p->batch_rows || b->arena.used_bytes >= BATCH_BYTES) {
            publish_stats(pt);
            publish(p, b);
            b = NULL;
        }
    }
    if (b && b->n && rc == PMN_ITEROVER) {
        publish(p, b);
    } else if (b) {
        pthread_mutex_lock(&p->mu);
        give_back(p, b);
        pthread_mutex_unlock(&p->mu);
    }
    finish(p, pt, rc);
    return NULL;
}

static void *count_rows(void *arg)
{
    part *pt = arg;
    int rc = pmn_scan_count(pt->scan, &pt->counted);
    finish(pt->owner, pt, rc);
    return NULL;
}

pmn_scan_par *pmn_scan_par_new(pmn_scan **parts, size_t nparts, const pmn_type *row,
                               const bool *projected)
{
    pmn_scan_par *p = pmn_xcalloc(1, sizeof *p);
    p->parts = pmn_xcalloc(nparts, sizeof *p->parts);
    for (size_t i = 0; i < nparts; i++) {
        p->parts[i].owner = p;
        p->parts[i].scan = parts[i];
    }
    free(parts);
    p->nparts = nparts;
    p->row = row;
    p->projected = projected;
    p->ncols = row->nfields;
    p->batch_rows = BATCH_DATUMS / (size_t)(p->ncols > 0 ? p->ncols : 1);
    if (p->batch_rows > BATCH_ROWS)
        p->batch_rows = BATCH_ROWS;
    if (p->batch_rows < 8)
        p->batch_rows = 8;
    p->max_batches = nparts * BATCHES_PER_PART + 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->filled, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

/* start: one thread per part running fn. */
static int start(pmn_scan_par *p, void *(*fn)(void *))
{
    p->started = true;
    for (size_t i = 0; i < p->nparts; i++) {
        part *pt = &p->parts[i];
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        int err = pthread_create(&pt->thread, NULL, fn, pt);
        if (err) {
            pthread_mutex_lock(&p->mu);
            p->running--;
            p->stop = true;
            pthread_cond_broadcast(&p->freed);
            pthread_mutex_unlock(&p->mu);
            return pmn_error_set(PMN_EIO, "cannot start a scan thread: %s", strerror(err));
        }
        pt->started = true;
    }
    return 0;
}

/* fail: the first part error, raised in the caller's thread. Called with mu held. */
static int fail(pmn_scan_par *p)
{
    int rc = p->rc;
    char *msg = pmn_xstrdup(p->msg);
    pthread_mutex_unlock(&p->mu);
    pmn_error_set(rc, "%s", msg);
    free(msg);
    return rc;
}

int pmn_scan_par_next(pmn_scan_par *p, const pmn_datum **row)
{
    if (!p->started) {
        int rc = start(p, read_rows);
        if (rc)
            return rc;
    }
    for (;;) {
        if (p->current && p->pos < p->current->n) {
            *row = &p->current->rows[p->pos++ * (size_t)p->ncols];
            return 0;
        }
        pthread_mutex_lock(&p->mu);
        if (p->current) {
            give_back(p, p->current);
            p->current = NULL;
        }
        while (!p->ready_head && p->running > 0 && !p->rc)
            pthread_cond_wait(&p->filled, &p->mu);
        if (p->rc)
            return fail(p);
        if (!p->ready_head) {
            pthread_mutex_unlock(&p->mu);
            return PMN_ITEROVER;
        }
        p->current = p->ready_head;
        p->ready_head = p->current->next;
        if (!p->ready_head)
            p->ready_tail = NULL;
        p->pos = 0;
        pthread_mutex_unlock(&p->mu);
    }
}

int pmn_scan_par_count(pmn_scan_par *p, int64_t *count)
{
    *count = 0;
    if (p->started) { /* rows were asked for already: count the rest of them */
        const pmn_datum *row;
        int rc;
        while ((rc = pmn_scan_par_next(p, &row)) == 0)
            (*count)++;
        return rc == PMN_ITEROVER ? 0 : rc;
    }
    int rc = start(p, count_rows);
    pthread_mutex_lock(&p->mu);
    while (p->running > 0)
        pthread_cond_wait(&p->filled, &p->mu);
    if (p->rc)
        return fail(p);
    pthread_mutex_unlock(&p->mu);
    if (rc)
        return rc;
    for (size_t i = 0; i < p->nparts; i++)
        *count += p->parts[i].counted;
    return 0;
}

void pmn_scan_par_stats(const pmn_scan_par *p, uint64_t *files, uint64_t *rows, uint64_t *blocks)
{
    *files = *rows = *blocks = 0;
    for (size_t i = 0; i < p->nparts; i++) {
        *files += atomic_load(&p->parts[i].files);
        *rows += atomic_load(&p->parts[i].rows);
        *blocks += atomic_load(&p->parts[i].blocks);
    }
}

static void free_batches(batch *b)
{
    while (b) {
        batch *next = b->next;
        pmn_arena_free(&b->arena);
        free(b->rows);
        free(b);
        b = next;
    }
}

void pmn_scan_par_free(pmn_scan_par *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->freed);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nparts; i++) {
        if (p->parts[i].started)
            pthread_join(p->parts[i].thread, NULL);
        pmn_scan_free(p->parts[i].scan);
    }
    free(p->parts);
    if (p->current) {
        p->current->next = p->ready_head;
        p->ready_head = p->current;
    }
    free_batches(p->ready_head);
    free_batches(p->free_list);
    free(p->msg);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->filled);
    pthread_cond_destroy(&p->freed);
    free(p);
}
