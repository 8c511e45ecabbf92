/*
 * src/table/write.c
 *
 * The table writer (Java's TableWriteImpl + MergeTreeWriter / AppendOnlyWriter,
 * reduced to what a CDC sink needs). Rows are routed to (partition, bucket)
 * groups and copied into one arena; when the arena passes 3/8 of
 * write-buffer-size a background thread takes it over while a second arena
 * fills (so parsing and encoding overlap), and at commit the rest is flushed:
 * each group is sorted by key, collapsed to one row per key (deduplicate: the
 * highest sequence number wins) and written as level-0 files. Those files
 * become one APPEND snapshot at commit, so a huge source transaction spills to
 * disk in bounded memory and still commits atomically. On a table with no
 * live files, files of ascending single-integer-key inserts (an initial
 * snapshot) are committed at the top level as one sorted run, the state a
 * full compaction would produce, so no compaction rewrites them right away.
 *
 * Sequence numbers continue after the largest one in the table's live files.
 *
 * After each APPEND commit, unless write-only is set, the writer compacts what
 * the strategy picks (a full compaction every full-compaction.delta-commits)
 * and expires snapshots. This runs in a background thread with its own table
 * handle, so a CDC stream keeps committing meanwhile (pmn_commit resolves the
 * race between the APPEND and COMPACT snapshots; a compaction whose inputs
 * vanished is dropped). At most one such job is in flight; when
 * num-sorted-run.stop-trigger - num-sorted-run.compaction-trigger commits
 * have happened since it started, the next commit waits for it (the level-0
 * backlog is bounded as in Java). With commit.force-compact = true it runs
 * synchronously inside pmn_writer_commit. A failure there is logged, never
 * fails the commit whose data is already safe.
 */
#include "table/commit.h"
#include "table/compact.h"
#include "table/dv.h"
#include "table/table_internal.h"

#include "format/data_file.h"
#include "mergetree/compact.h"
#include "mergetree/merge_engine.h"
#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct record {
    pmn_datum *row;  /* in the buffer arena */
    int64_t seq;
    int64_t ikey;    /* a single integer key's value (see int_key_col): sorting and
                      * deduplicating then stay in the record array, off the rows */
    int32_t kind;
    bool knull;      /* that key is NULL */
} record;

/* A background compaction + expiry job. */
typedef struct maint_job {
    pmn_table *t;          /* own handle (the writer's may be reloaded meanwhile) */
    char *commit_user;
    int64_t commit_identifier;
    pmn_compact_mode mode;
    bool fully_compacted; /* set by the job: its full compaction committed */
    atomic_bool done;
} maint_job;

typedef struct group {
    pmn_bytes partition; /* serialized partition row (buffer arena) */
    int32_t bucket;
    record *recs;
    size_t nrecs, cap;
} group;

struct pmn_writer {
    pmn_table *t;
    char *commit_user;
    pmn_arena buffer;      /* row copies of unflushed records */
    group *groups;
    size_t ngroups, capgroups;
    int64_t buffer_limit;  /* write-buffer-size */
    int64_t target_file_size;
    int64_t next_seq;      /* -1 until restored from the table */
    char uuid[37];
    int file_counter;
    pmn_arena pending_arena;     /* metas of files written but not committed */
    pmn_manifest_entry *pending; /* ADD entries */
    size_t npending, cappending;
    pmn_buf scratch;
    pmn_buf part_scratch;  /* serialized partition of the row being written */
    pmn_datum *key_vals;
    pmn_arena lookup_arena; /* the row returned by pmn_writer_lookup */
    pmn_datum *lookup_row;
    bool truncate_pending; /* next commit removes every previously committed row */
    bool overwrite_some;   /* ... only of some partitions (pmn_writer_overwrite): */
    bool overwrite_dynamic; /*   those the commit writes to, or */
    pmn_filter *overwrite_spec; /*   those matching these (owned; values in overwrite_arena) */
    size_t noverwrite_spec;
    pmn_arena overwrite_arena;
    bool changelog_input;  /* changelog-producer = input: also write every input record */
    pmn_merge_engine merge; /* how a commit's versions of a key merge */
    bool merge_simple;      /* ... the newest one as is (pmn_merge_engine_simple) */
    pmn_datum *merged;      /* the merged row being written (refers to buffer rows) */
    pmn_manifest_entry *changelog; /* ADD entries of changelog files not committed yet */
    size_t nchangelog, capchangelog;
    bool write_only;       /* option write-only: no compaction or expiry after commits */
    int64_t full_delta_commits; /* full-compaction.delta-commits (0 = off) */
    int64_t delta_commits;      /* APPEND commits by this writer */
    int64_t optimize_interval_ms; /* compaction.optimization-interval (0 = unset) */
    int64_t last_full_ms;       /* monotonic time of this writer's last full compaction (0:
                                   none yet, so the first maintenance is a full one, as Java's
                                   EarlyFullCompaction does) */
    bool force_compact;         /* commit.force-compact: maintenance inside the commit */
    int64_t backlog_limit;      /* stop-trigger - compaction-trigger */
    pthread_t maint_thread;
    maint_job *maint;           /* in-flight job, or NULL */
    int64_t commits_since_maint; /* commits since the in-flight job started */
    bool full_pending;          /* a full compaction is due once the current job ends */
    /* Background flush: when the buffer passes 3/8 of write-buffer-size, its groups move to
     * bg_* and a thread sorts and writes them while rows keep arriving in a fresh buffer (the
     * two stay within write-buffer-size). Only that thread touches the pending lists
     * and file_counter while it runs; every other use joins it first (bg_join). */
    pmn_arena bg_buffer;
    group *bg_groups;
    size_t bg_ngroups, bg_capgroups;
    bool bg_running;
    pthread_t bg_thread;
    int bg_rc;
    char *bg_msg;
};

/* load_maint_options: the options that steer maintenance after commits and the sizes of
 * buffers and files, from t (read again after every commit, so `pgpaimon table set-option`
 * reaches a running writer). */
static int load_maint_options(pmn_writer *w, const pmn_table *t)
{
    const pmn_options *o = &t->schema->options;
    bool write_only = false, force = false;
    int64_t full = 0, trigger = 5, stop = 8;
    int rc = pmn_options_get_bool(o, "write-only", false, &write_only);
    /* changelog-producer full-compaction: Java's sink fully compacts after every commit
     * unless full-compaction.delta-commits says otherwise (the changelog comes from it) */
    const char *producer = pmn_options_get(o, "changelog-producer");
    int64_t full_default = producer && !strcmp(producer, "full-compaction") ? 1 : 0;
    if (rc == 0)
        rc = pmn_options_get_int64(o, "full-compaction.delta-commits", full_default, &full);
    int64_t optimize = 0;
    if (rc == 0)
        rc = pmn_options_get_duration(o, "compaction.optimization-interval", 0, &optimize);
    if (rc == 0)
        rc = pmn_options_get_bool(o, "commit.force-compact", false, &force);
    if (rc == 0)
        rc = pmn_options_get_int64(o, "num-sorted-run.compaction-trigger", 5, &trigger);
    if (rc == 0)
        rc = pmn_options_get_int64(o, "num-sorted-run.stop-trigger", trigger + 3, &stop);
    if (rc)
        return rc;
    int64_t buffer = w->buffer_limit, target = w->target_file_size;
    rc = pmn_options_get_memory(o, "write-buffer-size", 256LL << 20, &buffer);
    if (rc == 0)
        rc = pmn_options_get_memory(o, "target-file-size",
                                    pmn_table_is_pk(t) ? 128LL << 20 : 256LL << 20, &target);
    if (rc)
        return rc;
    w->buffer_limit = buffer;
    w->target_file_size = target;
    w->write_only = write_only;
    w->full_delta_commits = full;
    w->optimize_interval_ms = optimize;
    w->force_compact = force;
    w->backlog_limit = stop > trigger ? stop - trigger : 1;
    return 0;
}

int pmn_writer_open(pmn_table *t, const char *commit_user, pmn_writer **out)
{
    int rc0 = pmn_table_dv_refuse_write(t);
    if (rc0)
        return rc0;
    pmn_writer *w = pmn_xcalloc(1, sizeof *w);
    w->t = t;
    pmn_uuid4(w->uuid);
    w->commit_user = pmn_xstrdup(commit_user ? commit_user : w->uuid);
    pmn_arena_init(&w->buffer);
    pmn_arena_init(&w->bg_buffer);
    pmn_arena_init(&w->overwrite_arena);
    pmn_arena_init(&w->pending_arena);
    w->next_seq = -1;
    int rc = pmn_options_get_memory(&t->schema->options, "write-buffer-size", 256LL << 20,
                                    &w->buffer_limit);
    if (rc == 0)
        rc = pmn_options_get_memory(&t->schema->options, "target-file-size",
                                    pmn_table_is_pk(t) ? 128LL << 20 : 256LL << 20,
                                    &w->target_file_size);
    if (rc) {
        pmn_writer_free(w);
        return pmn_error_wrap("table %s: ", t->full_name);
    }
    if (rc == 0)
        rc = load_maint_options(w, t);
    const char *producer = pmn_options_get(&t->schema->options, "changelog-producer");
    w->changelog_input = producer && !strcmp(producer, "input") && pmn_table_is_pk(t);
    /* a table whose merge pgpaimon refuses to read or compact (aggregation, sequence.field,
     * sequence groups) still takes rows: a commit's versions of a key merge by the nearest
     * engine, as they always did */
    if (pmn_merge_engine_load(t, "write", &w->merge))
        pmn_error_clear();
    w->merge_simple = pmn_merge_engine_simple(&w->merge);
    w->merged = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *w->merged);
    if (rc) {
        pmn_writer_free(w);
        return pmn_error_wrap("table %s: ", t->full_name);
    }
    int32_t nkeys = t->keys.nbucket_key > t->keys.npartition ? t->keys.nbucket_key
                                                             : t->keys.npartition;
    w->key_vals = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->key_vals);
    *out = w;
    return 0;
}

/* restore_sequence: continue after the largest sequence number of the live files. */
static int restore_sequence(pmn_writer *w)
{
    pmn_plan *p;
    int rc = pmn_plan_open(w->t, 0, &p);
    if (rc)
        return rc;
    int64_t max = -1;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].file.max_sequence_number > max)
            max = p->files[i].file.max_sequence_number;
    pmn_plan_free(p);
    w->next_seq = max + 1;
    return 0;
}

static group *find_group(pmn_writer *w, const pmn_buf *partition, int32_t bucket)
{
    for (size_t i = 0; i < w->ngroups; i++) {
        group *g = &w->groups[i];
        if (g->bucket == bucket && g->partition.len == partition->len &&
            memcmp(g->partition.ptr, partition->data, partition->len) == 0)
            return g;
    }
    PMN_GROW(w->groups, w->capgroups, w->ngroups + 1);
    group *g = &w->groups[w->ngroups++];
    memset(g, 0, sizeof *g);
    g->partition.ptr = pmn_arena_memdup(&w->buffer, partition->data, partition->len);
    g->partition.len = (uint32_t)partition->len;
    g->bucket = bucket;
    return g;
}

static int32_t bucket_of_row(pmn_writer *w, const pmn_datum *row)
{
    const pmn_table *t = w->t;
    if (t->num_buckets <= 0)
        return 0;
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->nbucket_key; i++)
        w->key_vals[i] = row[k->bucket_key[i]];
    pmn_buf_reset(&w->scratch);
    pmn_binary_row_encode(&w->scratch, k->bucket_key_types, w->key_vals, k->nbucket_key);
    int32_t h = pmn_binary_row_hash(w->scratch.data, w->scratch.len);
    return pmn_bucket_of(h, t->num_buckets);
}

/* ---- flushing ---- */

/* int_key_col: the column of a single integer-like trimmed key (compared as int64 without
 * the generic datum comparison: the common CDC key, and the sort's hot loop), or -1 */
static int int_key_col(const pmn_table *t)
{
    const pmn_key_layout *k = &t->keys;
    if (k->ntrimmed_pk != 1)
        return -1;
    switch (k->trimmed_pk_types[0]->root) {
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME:
        return k->trimmed_pk[0];
    default:
        return -1;
    }
}

static int cmp_key(const pmn_table *t, const record *a, const record *b)
{
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int idx = k->trimmed_pk[i];
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a->row[idx], &b->row[idx]);
        if (c)
            return c;
    }
    return 0;
}

/* key order, then sequence order (qsort_r comparator; ctx is the table) */
static int cmp_record(const void *pa, const void *pb, void *ctx)
{
    const record *a = pa, *b = pb;
    int c = cmp_key(ctx, a, b);
    if (c)
        return c;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* the same order for a single integer key, from the records' copies of it (a NULL sorts
 * first, as in pmn_datum_compare) */
static int cmp_record_int(const void *pa, const void *pb, void *ctx)
{
    const record *a = pa, *b = pb;
    (void)ctx;
    if (a->knull | b->knull) {
        if (a->knull != b->knull)
            return a->knull ? -1 : 1;
    } else if (a->ikey != b->ikey) {
        return a->ikey < b->ikey ? -1 : 1;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static bool same_key_int(const record *a, const record *b)
{
    return a->knull == b->knull && (a->knull || a->ikey == b->ikey);
}

static int open_file(pmn_writer *w, group *g, const char *prefix, pmn_data_file_writer **fw)
{
    char *dir = pmn_table_bucket_dir(w->t, g->partition, g->bucket);
    int rc = pmn_fs_mkdir_p(dir);
    if (rc == 0) {
        char *path =
            pmn_xasprintf("%s/%s-%s-%d.avro", dir, prefix, w->uuid, w->file_counter++);
        const pmn_key_layout *k = &w->t->keys;
        rc = pmn_data_file_writer_open(path, w->t->schema->row, k->trimmed_pk,
                                       pmn_table_is_pk(w->t) ? k->ntrimmed_pk : 0,
                                       pmn_table_file_codec(w->t), fw);
        free(path);
    }
    free(dir);
    return rc;
}

static int close_file(pmn_writer *w, group *g, pmn_data_file_writer *fw, bool changelog)
{
    pmn_manifest_entry *e;
    if (changelog) {
        PMN_GROW(w->changelog, w->capchangelog, w->nchangelog + 1);
        e = &w->changelog[w->nchangelog];
    } else {
        PMN_GROW(w->pending, w->cappending, w->npending + 1);
        e = &w->pending[w->npending];
    }
    memset(e, 0, sizeof *e);
    int rc = pmn_data_file_writer_close(fw, &w->pending_arena, &e->file);
    if (rc)
        return rc;
    e->kind = PMN_FILE_ADD;
    e->partition.ptr = pmn_arena_memdup(&w->pending_arena, g->partition.ptr, g->partition.len);
    e->partition.len = g->partition.len;
    e->bucket = g->bucket;
    e->total_buckets = w->t->num_buckets;
    e->file.schema_id = w->t->schema->id;
    e->file.level = 0;
    e->file.has_creation_time = true;
    e->file.creation_time = pmn_local_now_millis();
    e->file.file_source = 0;
    if (changelog)
        w->nchangelog++;
    else
        w->npending++;
    return 0;
}

/* write_changelog: every record of the group, in key and sequence order, into changelog
 * files (changelog-producer = input: followers see each change as it came in). */
static int write_changelog(pmn_writer *w, group *g)
{
    pmn_data_file_writer *fw = NULL;
    int rc = 0;
    for (size_t i = 0; i < g->nrecs && rc == 0; i++) {
        if (!fw)
            rc = open_file(w, g, "changelog", &fw);
        if (rc == 0)
            rc = pmn_data_file_writer_add(fw, g->recs[i].row, g->recs[i].seq, g->recs[i].kind);
        if (rc == 0 && (int64_t)pmn_data_file_writer_bytes(fw) >= w->target_file_size) {
            rc = close_file(w, g, fw, true);
            fw = NULL;
        }
    }
    if (rc == 0 && fw) {
        rc = close_file(w, g, fw, true);
        fw = NULL;
    }
    if (fw)
        pmn_data_file_writer_discard(fw);
    return rc;
}

/* merge_versions: what to write for the records [from, to) of one key (in sequence order):
 * they merge by the table's merge engine (mergetree/merge_engine.h) as Java's write buffer
 * merges them. *out = NULL: nothing (every version was skipped). */
static int merge_versions(pmn_writer *w, record *recs, size_t from, size_t to, record *tmp,
                          const record **out)
{
    *out = NULL;
    if (w->merge_simple) {
        *out = &recs[to - 1];
        return 0;
    }
    const pmn_type *row = w->t->schema->row;
    pmn_merge_state st;
    pmn_merge_engine_begin(&st);
    for (size_t i = from; i < to; i++) {
        const record *r = &recs[i];
        int act = pmn_merge_engine_step(&w->merge, w->t->full_name, &st, r->kind, r->seq);
        if (act < 0)
            return act;
        /* a removal (RESET) is written as a -D carrying the delete's values */
        if (act != PMN_MERGE_SKIP)
            pmn_merge_engine_fold(&w->merge, row, &st, r->row, r->kind, r->seq, w->merged,
                                  NULL);
    }
    if (!st.have && !st.deleted)
        return 0;
    tmp->row = w->merged;
    tmp->seq = st.seq;
    tmp->kind = st.kind;
    *out = tmp;
    return 0;
}

static int flush_group(pmn_writer *w, group *g)
{
    if (g->nrecs == 0)
        return 0;
    bool pk = pmn_table_is_pk(w->t);
    int icol = pk ? int_key_col(w->t) : -1;
    if (pk) {
        /* CDC and snapshot input often arrives in key order already: check before sorting */
        bool sorted = true;
        if (icol >= 0) {
            for (size_t i = 1; i < g->nrecs && sorted; i++)
                sorted = cmp_record_int(&g->recs[i - 1], &g->recs[i], NULL) <= 0;
            if (!sorted)
                qsort_r(g->recs, g->nrecs, sizeof *g->recs, cmp_record_int, NULL);
        } else {
            for (size_t i = 1; i < g->nrecs && sorted; i++)
                sorted = cmp_record(&g->recs[i - 1], &g->recs[i], w->t) <= 0;
            if (!sorted)
                qsort_r(g->recs, g->nrecs, sizeof *g->recs, cmp_record, w->t);
        }
    }
    int rc = w->changelog_input ? write_changelog(w, g) : 0;
    pmn_data_file_writer *fw = NULL;
    size_t rowbytes = sizeof(pmn_datum) * (size_t)w->t->schema->row->nfields;
    for (size_t i = 0, from = 0; i < g->nrecs && rc == 0; i++) {
        if (i + 8 < g->nrecs) {
            /* the rows are cold (the buffer is far larger than the caches): fetch ahead */
            const char *ahead = (const char *)g->recs[i + 8].row;
            for (size_t off = 0; off < rowbytes; off += 64)
                __builtin_prefetch(ahead + off);
        }
        /* one record per key: the versions of a key merge by the table's merge engine */
        if (pk && i + 1 < g->nrecs &&
            (icol >= 0 ? same_key_int(&g->recs[i], &g->recs[i + 1])
                       : cmp_key(w->t, &g->recs[i], &g->recs[i + 1]) == 0))
            continue;
        const record *r = &g->recs[i];
        record tmp;
        if (pk) {
            rc = merge_versions(w, g->recs, from, i + 1, &tmp, &r);
            from = i + 1;
            if (rc)
                break;
            if (!r)
                continue;
        }
        if (!fw)
            rc = open_file(w, g, "data", &fw);
        if (rc == 0)
            rc = pmn_data_file_writer_add(fw, r->row, r->seq, r->kind);
        if (rc == 0 && (int64_t)pmn_data_file_writer_bytes(fw) >= w->target_file_size) {
            rc = close_file(w, g, fw, false);
            fw = NULL;
        }
    }
    if (rc == 0 && fw) {
        rc = close_file(w, g, fw, false);
        fw = NULL;
    }
    if (fw)
        pmn_data_file_writer_discard(fw);
    g->nrecs = 0;
    return rc;
}

static void *bg_main(void *arg)
{
    pmn_writer *w = arg;
    int rc = 0;
    for (size_t i = 0; i < w->bg_ngroups && rc == 0; i++)
        rc = flush_group(w, &w->bg_groups[i]);
    if (rc) {
        w->bg_rc = rc;
        w->bg_msg = pmn_xstrdup(pmn_error_last());
    }
    return NULL;
}

/* bg_reap: after the background flush ended: recycle its buffer; its error becomes this
 * thread's. */
static int bg_reap(pmn_writer *w)
{
    for (size_t i = 0; i < w->bg_ngroups; i++)
        free(w->bg_groups[i].recs);
    w->bg_ngroups = 0;
    pmn_arena_recycle(&w->bg_buffer); /* refilled right away: keep its pages */
    if (!w->bg_rc)
        return 0;
    int rc = pmn_error_set(w->bg_rc, "writing %s: %s", w->t->full_name, w->bg_msg);
    free(w->bg_msg);
    w->bg_msg = NULL;
    w->bg_rc = 0;
    return rc;
}

/* bg_join: wait for the background flush, if any. */
static int bg_join(pmn_writer *w)
{
    if (!w->bg_running)
        return 0;
    pthread_join(w->bg_thread, NULL);
    w->bg_running = false;
    return bg_reap(w);
}

/* bg_start: hand the buffered groups to the background flush (after the previous one). */
static int bg_start(pmn_writer *w)
{
    int rc = bg_join(w);
    if (rc)
        return rc;
    pmn_arena a = w->bg_buffer;
    w->bg_buffer = w->buffer;
    w->buffer = a;
    group *g = w->bg_groups;
    size_t cap = w->bg_capgroups;
    w->bg_groups = w->groups;
    w->bg_ngroups = w->ngroups;
    w->bg_capgroups = w->capgroups;
    w->groups = g;
    w->capgroups = cap;
    w->ngroups = 0;
    if (pthread_create(&w->bg_thread, NULL, bg_main, w) == 0) {
        w->bg_running = true;
        return 0;
    }
    bg_main(w); /* no thread: flush here */
    return bg_reap(w);
}

static int flush_all(pmn_writer *w)
{
    int rc = bg_join(w);
    if (rc)
        return rc;
    for (size_t i = 0; i < w->ngroups && rc == 0; i++)
        rc = flush_group(w, &w->groups[i]);
    if (rc)
        return pmn_error_wrap("writing %s: ", w->t->full_name);
    for (size_t i = 0; i < w->ngroups; i++)
        free(w->groups[i].recs);
    w->ngroups = 0;
    pmn_arena_recycle(&w->buffer); /* the next round of a similar size reuses the pages */
    /* make the new files' directory entries durable before any snapshot names them */
    for (size_t i = 0; i < w->npending && rc == 0; i++) {
        char *dir = pmn_table_bucket_dir(w->t, w->pending[i].partition, w->pending[i].bucket);
        rc = pmn_fs_fsync_dir(dir);
        free(dir);
    }
    return rc;
}

/* points_outside: a datum of this type refers to bytes or items outside itself. */
static bool points_outside(const pmn_type *t)
{
    switch (t->root) {
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_ROW:
        return true;
    default:
        return false;
    }
}

int pmn_writer_write(pmn_writer *w, pmn_row_kind kind, const pmn_datum *row)
{
    pmn_table *t = w->t;
    const pmn_type *rt = t->schema->row;
    if (w->next_seq < 0) {
        int rc = restore_sequence(w);
        if (rc)
            return rc;
    }
    bool pk = pmn_table_is_pk(t);
    if (!pk && (kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE))
        return pmn_error_set(PMN_EINVALID,
                             "table %s has no primary key, so rows cannot be deleted or updated; "
                             "give it a primary key (--primary_keys)",
                             t->full_name);
    /* a delete needs only its key: other NOT NULL columns may be unknown (they are written
     * as the type's zero value) */
    bool is_delete = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
    for (int32_t i = 0; i < rt->nfields; i++) {
        if (row[i].is_null && !rt->fields[i].type->nullable) {
            bool is_key = false;
            for (int32_t k = 0; k < t->keys.npk; k++)
                is_key |= t->keys.pk[k] == i;
            if (!is_delete || is_key)
                return pmn_error_set(PMN_EINVALID, "table %s: column %s is NOT NULL but got NULL",
                                     t->full_name, rt->fields[i].name);
        }
    }
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->npartition; i++)
        w->key_vals[i] = row[k->partition[i]];
    pmn_buf_reset(&w->part_scratch);
    pmn_binary_row_serialize(&w->part_scratch, k->partition_types, w->key_vals, k->npartition);
    int32_t bucket = bucket_of_row(w, row);
    group *g = find_group(w, &w->part_scratch, bucket);

    /* not cleared: pmn_datum_copy assigns each datum whole */
    pmn_datum *copy = pmn_arena_memdup(&w->buffer, row, sizeof *copy * (size_t)rt->nfields);
    for (int32_t i = 0; i < rt->nfields; i++)
        if (!row[i].is_null && points_outside(rt->fields[i].type))
            pmn_datum_copy(rt->fields[i].type, &row[i], &copy[i], &w->buffer);
    PMN_GROW(g->recs, g->cap, g->nrecs + 1);
    g->recs[g->nrecs].row = copy;
    g->recs[g->nrecs].seq = w->next_seq++;
    g->recs[g->nrecs].kind = (int32_t)kind;
    int icol = int_key_col(t);
    g->recs[g->nrecs].knull = icol >= 0 && row[icol].is_null;
    g->recs[g->nrecs].ikey = icol >= 0 ? row[icol].v.i : 0;
    g->nrecs++;
    /* 3/8 each: the filling and the flushing buffer, with their record arrays and the
     * flush's file buffers, stay within write-buffer-size */
    if ((int64_t)w->buffer.used_bytes >= w->buffer_limit / 8 * 3)
        return bg_start(w);
    return 0;
}

static void clear_pending(pmn_writer *w)
{
    w->npending = 0;
    w->nchangelog = 0;
    pmn_arena_reset(&w->pending_arena);
}

/* maintain: compaction and expiry of t (failures are logged: the data is committed). */
/* maintain: compact as `mode` says, tag and expire after a commit. Returns true when a full
 * compaction committed something. */
static bool maintain(pmn_table *t, const char *commit_user, int64_t commit_identifier,
                     pmn_compact_mode mode)
{
    int64_t snap = 0;
    (void)commit_identifier; /* a COMPACT snapshot takes the identifier of the one it follows */
    int rc = 0;
    /* tables whose options rule compaction out are only expired (the CLI's compact says why) */
    if (pmn_table_compact_supported(t) == 0)
        rc = pmn_table_compact_run(t, commit_user, -1, mode, &snap);
    if (rc)
        pmn_log_warn("%s", pmn_error_last());
    pmn_error_clear();
    rc = pmn_table_auto_tag(t, pmn_now_millis()); /* before expiry: the tag protects */
    if (rc)
        pmn_log_warn("%s", pmn_error_last());
    rc = pmn_table_expire(t, NULL);
    if (rc)
        pmn_log_warn("%s", pmn_error_last());
    pmn_error_clear();
    return mode != PMN_COMPACT_PICK && snap > 0;
}

static void *maint_main(void *arg)
{
    maint_job *job = arg;
    job->fully_compacted = maintain(job->t, job->commit_user, job->commit_identifier, job->mode);
    atomic_store(&job->done, true);
    return NULL;
}

/* maint_join: wait for the in-flight job, if any. */
static void maint_join(pmn_writer *w)
{
    if (!w->maint)
        return;
    pthread_join(w->maint_thread, NULL);
    if (w->maint->fully_compacted)
        w->last_full_ms = pmn_monotonic_millis();
    pmn_table_free(w->maint->t);
    free(w->maint->commit_user);
    free(w->maint);
    w->maint = NULL;
}

/* maintenance_mode: full (full-compaction.delta-commits, a pending full one), else an early
 * full compaction when compaction.optimization-interval asks for one: none by this writer yet,
 * or the last is older than the interval (Java's EarlyFullCompaction; only buckets of more
 * than one sorted run are compacted, and a run that compacted nothing does not count). */
static pmn_compact_mode maintenance_mode(const pmn_writer *w, bool full)
{
    if (full)
        return PMN_COMPACT_FULL;
    if (w->optimize_interval_ms > 0 &&
        (w->last_full_ms == 0 ||
         pmn_monotonic_millis() - w->last_full_ms > w->optimize_interval_ms))
        return PMN_COMPACT_EARLY_FULL;
    return PMN_COMPACT_PICK;
}

int pmn_writer_wait_maintenance(pmn_writer *w)
{
    maint_join(w);
    return 0;
}

/* after_commit: the compaction and expiry the table's latest options ask for. */
static void after_commit(pmn_writer *w, int64_t commit_identifier)
{
    /* a fresh handle: the latest schema's options, and the job's own table */
    pmn_table *fresh = NULL;
    if (pmn_table_open(w->t->catalog, w->t->db, w->t->name, &fresh) != 0 ||
        load_maint_options(w, fresh) != 0) {
        pmn_log_warn("%s", pmn_error_last());
        pmn_error_clear();
        if (!fresh)
            return;
    }
    if (w->write_only) {
        pmn_table_free(fresh);
        return;
    }
    w->delta_commits++;
    bool full = w->full_pending ||
                (w->full_delta_commits > 0 && w->delta_commits % w->full_delta_commits == 0);
    if (w->force_compact) {
        maint_join(w);
        if (maintain(fresh, w->commit_user, commit_identifier, maintenance_mode(w, full)))
            w->last_full_ms = pmn_monotonic_millis();
        pmn_table_free(fresh);
        w->full_pending = false;
        return;
    }
    if (w->maint) {
        w->commits_since_maint++;
        if (!atomic_load(&w->maint->done) && w->commits_since_maint < w->backlog_limit) {
            w->full_pending = full; /* one job at a time: this one starts later */
            pmn_table_free(fresh);
            return;
        }
        /* finished, or the level-0 backlog reached the stop trigger: wait */
        maint_join(w);
    }
    maint_job *job = pmn_xcalloc(1, sizeof *job);
    job->t = fresh;
    job->commit_user = pmn_xstrdup(w->commit_user);
    job->commit_identifier = commit_identifier;
    job->mode = maintenance_mode(w, full);
    atomic_init(&job->done, false);
    if (pthread_create(&w->maint_thread, NULL, maint_main, job) != 0) {
        /* no thread: do it here */
        if (maintain(job->t, job->commit_user, commit_identifier, job->mode))
            w->last_full_ms = pmn_monotonic_millis();
        pmn_table_free(job->t);
        free(job->commit_user);
        free(job);
    } else {
        w->maint = job;
    }
    w->full_pending = false;
    w->commits_since_maint = 0;
}

/* overwritten_partition: whether a partition overwrite removes the committed files of
 * `partition`: dynamic, if this commit writes to it; static, if it matches the spec. */
static bool overwritten_partition(void *arg, pmn_bytes partition)
{
    pmn_writer *w = arg;
    if (w->overwrite_dynamic) {
        for (size_t i = 0; i < w->npending; i++)
            if (pmn_bytes_equal(w->pending[i].partition, partition))
                return true;
        return false;
    }
    const pmn_key_layout *k = &w->t->keys;
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *vals = pmn_arena_alloc(&a, sizeof *vals * ((size_t)k->npartition + 1));
    bool match = pmn_binary_row_deserialize(partition.ptr, partition.len, k->partition_types,
                                            k->npartition, &a, vals) == 0;
    pmn_error_clear();
    for (size_t i = 0; match && i < w->noverwrite_spec; i++) {
        const pmn_filter *f = &w->overwrite_spec[i];
        for (int32_t p = 0; p < k->npartition; p++)
            if (k->partition[p] == f->field)
                match = pmn_datum_compare(k->partition_types[p], &vals[p], &f->value) == 0 &&
                        vals[p].is_null == f->value.is_null;
    }
    pmn_arena_free(&a);
    return match;
}

static void clear_overwrite(pmn_writer *w)
{
    free(w->overwrite_spec);
    w->overwrite_spec = NULL;
    w->noverwrite_spec = 0;
    w->overwrite_some = w->overwrite_dynamic = false;
    pmn_arena_free(&w->overwrite_arena);
}

int pmn_writer_commit(pmn_writer *w, int64_t commit_identifier, const pmn_kv *properties,
                      size_t nproperties, int64_t *snapshot_id)
{
    *snapshot_id = 0;
    int rc = flush_all(w);
    if (rc)
        return rc;
    if (w->truncate_pending && w->overwrite_some && w->overwrite_dynamic && w->npending == 0)
        w->truncate_pending = false; /* dynamic overwrite without rows replaces nothing */
    if (w->npending == 0 && w->nchangelog == 0 && nproperties == 0 && !w->truncate_pending)
        return 0;
    pmn_commit_request req = {
        .entries = w->pending,
        .nentries = w->npending,
        .delete_all = w->truncate_pending,
        .delete_partition = w->truncate_pending && w->overwrite_some ? overwritten_partition : NULL,
        .delete_arg = w,
        .changelog = w->changelog,
        .nchangelog = w->nchangelog,
        .commit_kind = w->truncate_pending ? "OVERWRITE" : "APPEND",
        .commit_user = w->commit_user,
        .commit_identifier = commit_identifier,
        .properties = properties,
        .nproperties = nproperties,
    };
    rc = pmn_commit(w->t, &req, snapshot_id);
    if (rc)
        return pmn_error_wrap("committing %s: ", w->t->full_name);
    clear_pending(w);
    w->truncate_pending = false;
    clear_overwrite(w);
    after_commit(w, commit_identifier);
    return 0;
}

int pmn_writer_truncate(pmn_writer *w)
{
    pmn_writer_abort(w);
    clear_overwrite(w); /* every partition */
    w->truncate_pending = true;
    return 0;
}

int pmn_writer_overwrite(pmn_writer *w, const pmn_filter *spec, size_t nspec, bool dynamic)
{
    const pmn_key_layout *k = &w->t->keys;
    for (size_t i = 0; i < nspec; i++) {
        bool part = false;
        for (int32_t p = 0; p < k->npartition; p++)
            part |= k->partition[p] == spec[i].field;
        if (!part || spec[i].op != PMN_FILTER_EQ)
            return pmn_error_set(PMN_EINVALID,
                                 "overwriting %s: a partition spec takes only equalities on "
                                 "partition columns",
                                 w->t->full_name);
    }
    pmn_writer_abort(w);
    clear_overwrite(w);
    w->truncate_pending = true;
    if (k->npartition == 0)
        return 0; /* an unpartitioned table is replaced whole */
    w->overwrite_some = dynamic || nspec > 0;
    w->overwrite_dynamic = dynamic;
    if (nspec > 0) {
        w->overwrite_spec = pmn_xcalloc(nspec, sizeof *w->overwrite_spec);
        w->noverwrite_spec = nspec;
        for (size_t i = 0; i < nspec; i++) {
            const pmn_type *type = w->t->schema->row->fields[spec[i].field].type;
            w->overwrite_spec[i] = spec[i];
            pmn_datum_copy(type, &spec[i].value, &w->overwrite_spec[i].value,
                           &w->overwrite_arena);
        }
    }
    return 0;
}

int pmn_writer_flush(pmn_writer *w)
{
    return flush_all(w);
}

/* key_equal: the primary-key columns of two full rows are equal. */
static bool key_equal(const pmn_table *t, const pmn_datum *a, const pmn_datum *b)
{
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->npk; i++) {
        int idx = k->pk[i];
        if (pmn_datum_compare(t->schema->row->fields[idx].type, &a[idx], &b[idx]) != 0)
            return false;
    }
    return true;
}

/* cmp_trimmed: order of two full rows by the trimmed primary key (a data file's sort order). */
static int cmp_trimmed(const pmn_table *t, const pmn_datum *a, const pmn_datum *b)
{
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int idx = k->trimmed_pk[i];
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a[idx], &b[idx]);
        if (c)
            return c;
    }
    return 0;
}

typedef struct key_target {
    const pmn_table *t;
    const pmn_datum *key_row;
} key_target;

static bool at_or_before_key(void *ctx, const pmn_datum *vals)
{
    const key_target *kt = ctx;
    return cmp_trimmed(kt->t, vals, kt->key_row) <= 0;
}

/* lookup_file: the record of the key in one uncommitted data file, if any (files are sorted
 * by key with one record per key: a block search finds it). */
static int lookup_file(pmn_writer *w, const pmn_manifest_entry *e, const pmn_datum *key_row,
                       bool *found, bool *deleted)
{
    if (w->t->num_buckets > 0 && e->bucket != bucket_of_row(w, key_row))
        return 0;
    char *dir = pmn_table_bucket_dir(w->t, e->partition, e->bucket);
    char *path = pmn_path_join(dir, e->file.file_name);
    free(dir);
    pmn_data_file_reader *r;
    int rc = pmn_data_file_reader_open(path, w->t->schema->row, true, &r);
    free(path);
    if (rc)
        return rc;
    key_target kt = {w->t, key_row};
    rc = pmn_data_file_reader_seek(r, at_or_before_key, &kt);
    const pmn_datum *vals;
    int64_t seq;
    int32_t kind;
    while (rc == 0 && (rc = pmn_data_file_reader_next(r, &vals, &seq, &kind)) == 0) {
        int c = cmp_trimmed(w->t, vals, key_row);
        if (c < 0)
            continue;
        if (c > 0 || !key_equal(w->t, vals, key_row))
            break; /* past the key, or the key of another partition */
        *found = true;
        *deleted = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
        int32_t n = w->t->schema->row->nfields;
        pmn_arena_reset(&w->lookup_arena);
        w->lookup_row = pmn_arena_alloc(&w->lookup_arena, sizeof *w->lookup_row * (size_t)n);
        for (int32_t i = 0; i < n; i++)
            pmn_datum_copy(w->t->schema->row->fields[i].type, &vals[i], &w->lookup_row[i],
                           &w->lookup_arena);
        break;
    }
    pmn_data_file_reader_free(r);
    return rc == PMN_ITEROVER || rc == 0 ? 0 : rc;
}

int pmn_writer_lookup(pmn_writer *w, const pmn_datum *key_row, const pmn_datum **row)
{
    pmn_table *t = w->t;
    *row = NULL;
    if (!pmn_table_is_pk(t))
        return pmn_error_set(PMN_EINVALID, "table %s has no primary key to look up",
                             t->full_name);
    int jrc = bg_join(w); /* its rows are then in the pending files */
    if (jrc)
        return jrc;
    /* 1. the buffer: the last record of this key */
    for (size_t g = 0; g < w->ngroups; g++) {
        group *grp = &w->groups[g];
        for (size_t i = grp->nrecs; i-- > 0;) {
            if (key_equal(t, grp->recs[i].row, key_row)) {
                int32_t kind = grp->recs[i].kind;
                *row = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE
                           ? NULL
                           : grp->recs[i].row;
                return 0;
            }
        }
    }
    /* 2. files spilled by this writer but not committed yet, newest first */
    for (size_t i = w->npending; i-- > 0;) {
        bool found = false, deleted = false;
        int rc = lookup_file(w, &w->pending[i], key_row, &found, &deleted);
        if (rc)
            return rc;
        if (found) {
            *row = deleted ? NULL : w->lookup_row;
            return 0;
        }
    }
    /* 3. the table's latest snapshot */
    const pmn_key_layout *k = &t->keys;
    pmn_filter *filters = pmn_xcalloc((size_t)k->npk + 1, sizeof *filters);
    for (int32_t i = 0; i < k->npk; i++) {
        filters[i].field = k->pk[i];
        filters[i].op = PMN_FILTER_EQ;
        filters[i].value = key_row[k->pk[i]];
    }
    pmn_scan_options o = {.filters = filters, .nfilters = (size_t)k->npk};
    pmn_scan *s = NULL;
    int rc = pmn_scan_open(t, &o, &s);
    const pmn_datum *vals;
    while (rc == 0 && (rc = pmn_scan_next(s, &vals)) == 0) {
        if (key_equal(t, vals, key_row)) {
            int32_t n = t->schema->row->nfields;
            pmn_arena_reset(&w->lookup_arena);
            w->lookup_row = pmn_arena_alloc(&w->lookup_arena, sizeof *w->lookup_row * (size_t)n);
            for (int32_t i = 0; i < n; i++)
                pmn_datum_copy(t->schema->row->fields[i].type, &vals[i], &w->lookup_row[i],
                               &w->lookup_arena);
            *row = w->lookup_row;
            break;
        }
    }
    if (rc == PMN_ITEROVER)
        rc = 0;
    pmn_scan_free(s);
    free(filters);
    return rc;
}

void pmn_writer_abort(pmn_writer *w)
{
    if (bg_join(w))
        pmn_error_clear(); /* its files are removed below */
    for (size_t i = 0; i < w->npending + w->nchangelog; i++) {
        const pmn_manifest_entry *e =
            i < w->npending ? &w->pending[i] : &w->changelog[i - w->npending];
        char *dir = pmn_table_bucket_dir(w->t, e->partition, e->bucket);
        char *path = pmn_path_join(dir, e->file.file_name);
        pmn_fs_remove(path);
        free(path);
        free(dir);
    }
    clear_pending(w);
    for (size_t i = 0; i < w->ngroups; i++)
        free(w->groups[i].recs);
    w->ngroups = 0;
    pmn_arena_reset(&w->buffer);
}

void pmn_writer_free(pmn_writer *w)
{
    if (!w)
        return;
    maint_join(w);
    if (bg_join(w))
        pmn_error_clear();
    for (size_t i = 0; i < w->ngroups; i++)
        free(w->groups[i].recs);
    free(w->groups);
    free(w->bg_groups);
    pmn_arena_free(&w->bg_buffer);
    free(w->pending);
    free(w->changelog);
    free(w->merged);
    pmn_arena_free(&w->buffer);
    clear_overwrite(w);
    pmn_arena_free(&w->pending_arena);
    pmn_arena_free(&w->lookup_arena);
    pmn_buf_dispose(&w->scratch);
    pmn_buf_dispose(&w->part_scratch);
    free(w->key_vals);
    free(w->commit_user);
    free(w);
}
