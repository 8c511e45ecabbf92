/*
 * src/table/stream.c
 *
 * Streaming read of a table (paimon-format.md §12; Java's
 * DataTableStreamScan): an optional full phase (the merged rows of a starting
 * snapshot as +I), then snapshot after snapshot: APPEND snapshots hand out
 * the records of the data files their delta manifest list ADDs
 * (changelog-producer none: the last change of each key per commit) or, with
 * changelog-producer = input, of their changelog manifest list (every change
 * as written, e.g. -U and +U of an update), with their _VALUE_KIND; COMPACT
 * snapshots only rearrange data (with changelog-producer lookup or
 * full-compaction their changelog files are read instead, and the full
 * phase reads only the levels those changelogs start from: >= 1, resp. the
 * max level) and OVERWRITE snapshots are skipped. Modes (scan.mode): latest-full,
 * latest, compacted-full, from-snapshot[-full], from-timestamp, incremental
 * (a bounded range of snapshots), from-file-creation-time (the full phase
 * reads the latest snapshot's files created at or after
 * scan.file-creation-time-millis, then every later snapshot follows; on a
 * table without a snapshot it waits, as Java's FileCreationTimeStartingScanner
 * does, for the first one and starts from the latest snapshot then, filtered
 * the same way, recording no consumer position meanwhile). Files of one snapshot
 * are read by (partition, bucket, sequence), so the changes of a key come in
 * commit order. A consumer id stores the next unread snapshot in
 * consumer/consumer-<id> ({"nextSnapshot": N}, as Java does), which resumes
 * the stream and stops expiry from removing unread snapshots.
 *
 * A consumer without a position gets one when the stream opens, before
 * anything is read: with a full phase over snapshot N it is N, so expiry
 * keeps snapshot N and every file it uses until the full phase is done and a
 * checkpoint moves past it. Since Java reads "nextSnapshot": N as "changes
 * from N on", the pending full phase is also noted in
 * consumer/full-phase-<id> ({"snapshot": N, "fileCreationTimeMillis": B},
 * a name Java's consumer listing skips): a stream reopened while it names
 * the consumer's position redoes the full phase of N instead of reading N's
 * changes; the first checkpoint after the full phase removes it.
 */
#include "table/file_layout.h"

#include "mergetree/compact.h"
#include "table/compact.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct pmn_stream {
    pmn_table *t;
    char *consumer_id;
    pmn_scan *full; /* full phase, or NULL */
    int64_t full_snapshot;
    int64_t next;    /* next snapshot to read incrementally */
    int64_t end;     /* incremental: the last snapshot to read (0 = follow forever) */
    int64_t cur;     /* snapshot whose files are being read (0 = none) */
    pmn_arena arena; /* entries of cur */
    pmn_manifest_entry *files;
    size_t nfiles, fi;
    pmn_data_file_reader *reader;
    const pmn_file_layout *layout;
    pmn_file_layouts layouts;
    pmn_datum *out;
    bool full_marker;               /* consumer/full-phase-<id> names the full phase */
    bool wait_start;                /* from-file-creation-time on a table without a snapshot:
                                       the start waits for one */
    int64_t wait_bound;             /* ... and filters its files from this creation time */
    bool changelog_input;           /* changelog-producer = input */
    bool changelog_from_compaction; /* changelog-producer = lookup / full-compaction */
};

static int cmp_entry(const void *pa, const void *pb)
{
    const pmn_manifest_entry *a = pa, *b = pb;
    uint32_t n = a->partition.len < b->partition.len ? a->partition.len : b->partition.len;
    int c = n ? memcmp(a->partition.ptr, b->partition.ptr, n) : 0;
    if (c)
        return c;
    if (a->partition.len != b->partition.len)
        return a->partition.len < b->partition.len ? -1 : 1;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if (a->file.min_sequence_number != b->file.min_sequence_number)
        return a->file.min_sequence_number < b->file.min_sequence_number ? -1 : 1;
    return strcmp(a->file.file_name, b->file.file_name);
}

static char *consumer_path(const pmn_stream *s)
{
    return pmn_xasprintf("%s/consumer/consumer-%s", s->t->path, s->consumer_id);
}

/* read_json_object: the JSON object in file `path` (*root NULL when the file does not exist);
 * the caller json_decrefs it. PMN_ECORRUPT for anything but a JSON object. */
static int read_json_object(const char *path, json_t **root)
{
    *root = NULL;
    char *data;
    size_t len;
    int rc = pmn_fs_read_file(path, &data, &len);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        return 0;
    }
    if (rc)
        return rc;
    *root = json_loadb(data, len, 0, NULL);
    free(data);
    if (!json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return pmn_error_set(PMN_ECORRUPT, "%s: not a JSON object", path);
    }
    return 0;
}

/* read_consumer: nextSnapshot of the consumer, 0 if it has none yet. */
static int read_consumer(pmn_stream *s, int64_t *next)
{
    *next = 0;
    char *path = consumer_path(s);
    json_t *root;
    int rc = read_json_object(path, &root);
    if (rc == 0 && root) {
        json_t *n = json_object_get(root, "nextSnapshot");
        if (json_is_integer(n))
            *next = json_integer_value(n);
        else
            rc = pmn_error_set(PMN_ECORRUPT, "%s: no \"nextSnapshot\" number", path);
    }
    json_decref(root);
    free(path);
    return rc;
}

static char *marker_path(const pmn_stream *s)
{
    return pmn_xasprintf("%s/consumer/full-phase-%s", s->t->path, s->consumer_id);
}

/* read_marker: the full phase consumer/full-phase-<id> names (*snapshot 0: none). */
static int read_marker(pmn_stream *s, int64_t *snapshot, int64_t *bound)
{
    *snapshot = *bound = 0;
    char *path = marker_path(s);
    json_t *root;
    int rc = read_json_object(path, &root);
    if (rc == 0 && root) {
        json_t *n = json_object_get(root, "snapshot");
        json_t *b = json_object_get(root, "fileCreationTimeMillis");
        if (json_is_integer(n))
            *snapshot = json_integer_value(n);
        else
            rc = pmn_error_set(PMN_ECORRUPT, "%s: no \"snapshot\" number", path);
        if (json_is_integer(b))
            *bound = json_integer_value(b);
    }
    json_decref(root);
    free(path);
    return rc;
}

/* write_position: consumer/consumer-<id> = {"nextSnapshot": next}. */
static int write_position(pmn_stream *s, int64_t next)
{
    char *dir = pmn_path_join(s->t->path, "consumer");
    int rc = pmn_fs_mkdir_p(dir);
    free(dir);
    if (rc)
        return rc;
    char json[64];
    int n = snprintf(json, sizeof json, "{\n  \"nextSnapshot\" : %lld\n}", (long long)next);
    char *path = consumer_path(s);
    rc = pmn_fs_write_file(path, json, (size_t)n);
    free(path);
    return rc;
}

/* record_start: a consumer's first position, before the stream reads anything: the full
 * phase's snapshot (noted in the marker first, so a crash in between leaves no position),
 * else the first snapshot whose changes it reads. */
static int record_start(pmn_stream *s, bool full, int64_t bound)
{
    if (full) {
        char json[128];
        int n = snprintf(json, sizeof json,
                         "{\n  \"snapshot\" : %lld,\n  \"fileCreationTimeMillis\" : %lld\n}",
                         (long long)s->full_snapshot, (long long)bound);
        char *dir = pmn_path_join(s->t->path, "consumer");
        int rc = pmn_fs_mkdir_p(dir);
        free(dir);
        char *path = marker_path(s);
        if (rc == 0)
            rc = pmn_fs_write_file(path, json, (size_t)n);
        free(path);
        if (rc)
            return rc;
        s->full_marker = true;
    } else {
        /* a note left by an earlier consumer of this id (expired by
         * consumer.expiration-time) must not apply to this one */
        char *path = marker_path(s);
        int rc = pmn_fs_remove(path);
        free(path);
        if (rc)
            return rc;
    }
    return write_position(s, full ? s->full_snapshot : s->next);
}

/* open_full: the full phase over s->full_snapshot (bound > 0: only files created since). */
static int open_full(pmn_stream *s, int64_t bound)
{
    pmn_table *t = s->t;
    const char *producer = pmn_options_get(&t->schema->options, "changelog-producer");
    /* changelog-producer full-compaction: the changelogs that follow describe changes of
     * the max level, so the full phase reads that level only (rows written since the last
     * full compaction arrive with the next one's changelog, once) */
    int32_t level = -1;
    int rc = 0;
    if (producer && !strcmp(producer, "full-compaction")) {
        pmn_compact_options co;
        rc = pmn_compact_options_load(t, &co);
        level = co.num_levels - 1;
    } else if (producer && !strcmp(producer, "lookup")) {
        level = PMN_SCAN_ABOVE_LEVEL_0; /* lookup: level 0 is not in a changelog yet */
    }
    pmn_scan_options so = {.snapshot_id = s->full_snapshot};
    if (bound > 0) {
        so.mode = "from-file-creation-time";
        so.timestamp_millis = bound;
    }
    if (rc == 0)
        rc = pmn_scan_open_level(t, &so, level, &s->full);
    return rc;
}

/* start_waiting: once the table has a snapshot, the start a from-file-creation-time stream
 * waited for: the full phase over the latest snapshot's files created since the bound (the
 * consumer's position recorded first), then the snapshots after it. */
static int start_waiting(pmn_stream *s)
{
    int64_t latest = 0;
    int rc = pmn_snapshot_latest_id(s->t->path, &latest);
    if (rc || latest == 0)
        return rc;
    s->full_snapshot = latest;
    s->next = latest + 1;
    if (s->consumer_id)
        rc = record_start(s, true, s->wait_bound);
    if (rc == 0)
        rc = open_full(s, s->wait_bound);
    if (rc == 0)
        s->wait_start = false;
    return rc;
}

static const char *option(const pmn_table *t, const char *key)
{
    return pmn_options_get(&t->schema->options, key);
}

/* parse_pair: "A,B" into two numbers. */
static bool parse_pair(const char *v, int64_t *a, int64_t *b)
{
    char *endp;
    long long x = strtoll(v, &endp, 10);
    if (endp == v || *endp != ',')
        return false;
    const char *w = endp + 1;
    long long y = strtoll(w, &endp, 10);
    if (endp == w || *endp)
        return false;
    *a = x;
    *b = y;
    return true;
}

/* incremental_from_options: the snapshot range of incremental-between, or of
 * incremental-between-timestamp (the snapshots committed at or before each time). */
static int incremental_from_options(pmn_table *t, int64_t *start, int64_t *end)
{
    const char *between = pmn_options_get(&t->schema->options, "incremental-between");
    const char *by_time = pmn_options_get(&t->schema->options, "incremental-between-timestamp");
    if (between) {
        if (!parse_pair(between, start, end))
            return pmn_error_set(PMN_EINVALID,
                                 "table %s: incremental-between '%s' is not START,END",
                                 t->full_name, between);
        return 0;
    }
    if (!by_time)
        return 0;
    int64_t t1, t2;
    if (!parse_pair(by_time, &t1, &t2))
        return pmn_error_set(PMN_EINVALID,
                             "table %s: incremental-between-timestamp '%s' is not T1,T2",
                             t->full_name, by_time);
    int rc = 0;
    int64_t *ids[2] = {start, end};
    int64_t times[2] = {t1, t2};
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = pmn_snapshot_id_at_time(t->path, times[i], ids[i]);
        if (rc == PMN_ENOTFOUND) { /* before every snapshot */
            pmn_error_clear();
            *ids[i] = 0;
            rc = 0;
        }
    }
    return rc;
}

int pmn_stream_open(pmn_table *t, const pmn_stream_options *o, pmn_stream **out)
{
    pmn_stream_options def = {0};
    if (!o)
        o = &def;
    pmn_stream *s = pmn_xcalloc(1, sizeof *s);
    s->t = t;
    pmn_arena_init(&s->arena);
    s->out = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *s->out);
    const char *producer = option(t, "changelog-producer");
    s->changelog_input = producer && !strcmp(producer, "input");
    s->changelog_from_compaction =
        producer && (!strcmp(producer, "lookup") || !strcmp(producer, "full-compaction"));
    const char *cid = o->consumer_id ? o->consumer_id : option(t, "consumer-id");
    int rc = 0;
    if (cid) {
        if (!cid[0] || strchr(cid, '/')) {
            pmn_stream_free(s);
            return pmn_error_set(PMN_EINVALID, "table %s: invalid consumer id '%s'", t->full_name,
                                 cid);
        }
        s->consumer_id = pmn_xstrdup(cid);
        rc = read_consumer(s, &s->next);
        if (rc) {
            pmn_stream_free(s);
            return rc;
        }
        int64_t marked = 0, marked_bound = 0;
        if (rc == 0 && s->next > 0)
            rc = read_marker(s, &marked, &marked_bound);
        if (rc == 0 && s->next > 0 && marked == s->next) {
            /* its full phase of snapshot N was not finished: again, then changes after N */
            s->full_marker = true;
            s->full_snapshot = marked;
            s->next = marked + 1;
            rc = open_full(s, marked_bound);
        } else if (rc == 0 && s->next > 0) { /* resume where the consumer stopped */
            if (marked) {
                char *mp = marker_path(s); /* a full phase finished long ago */
                pmn_fs_remove(mp);
                free(mp);
            }
        }
        if (rc) {
            pmn_stream_free(s);
            return rc;
        }
        if (s->next > 0) {
            *out = s;
            return 0;
        }
    }
    const char *mode = o->mode ? o->mode : option(t, "scan.mode");
    int64_t snap = o->snapshot_id, ts = o->timestamp_millis, end = o->end_snapshot_id;
    if (!o->mode) {
        if (snap <= 0)
            rc = pmn_options_get_int64(&t->schema->options, "scan.snapshot-id", 0, &snap);
        if (rc == 0 && ts <= 0)
            rc = pmn_options_get_int64(&t->schema->options, "scan.timestamp-millis", 0, &ts);
    }
    int64_t created = 0; /* scan.file-creation-time-millis */
    if (rc == 0)
        rc = pmn_options_get_int64(&t->schema->options, "scan.file-creation-time-millis", 0,
                                   &created);
    if (!mode || !strcmp(mode, "default"))
        mode = snap > 0                                     ? "from-snapshot"
               : ts > 0                                     ? "from-timestamp"
               : created > 0 && !option(t, "scan.tag-name") ? "from-file-creation-time"
                                                            : "latest-full";
    int64_t latest = 0, earliest = 0;
    if (rc == 0)
        rc = pmn_snapshot_latest_id(t->path, &latest);
    if (rc == 0)
        rc = pmn_snapshot_earliest_id(t->path, &earliest);
    if (rc) {
        pmn_stream_free(s);
        return rc;
    }
    bool full = false;
    int64_t bound = 0; /* from-file-creation-time: files created from then on */
    if (!strcmp(mode, "latest-full") || !strcmp(mode, "full")) {
        full = latest > 0;
        s->full_snapshot = latest;
        s->next = latest + 1;
    } else if (!strcmp(mode, "latest")) {
        s->next = latest + 1;
    } else if (!strcmp(mode, "from-snapshot") || !strcmp(mode, "from-snapshot-full")) {
        if (snap <= 0) {
            pmn_stream_free(s);
            return pmn_error_set(PMN_EINVALID, "table %s: scan.mode %s needs a snapshot id",
                                 t->full_name, mode);
        }
        full = !strcmp(mode, "from-snapshot-full");
        s->full_snapshot = snap;
        s->next = full ? snap + 1 : snap;
    } else if (!strcmp(mode, "compacted-full")) {
        int64_t id = 0;
        rc = pmn_plan_latest_compacted(t, &id);
        if (rc == 0 && id == 0)
            id = latest; /* never compacted: from the latest, as Java does */
        full = id > 0;
        s->full_snapshot = id;
        s->next = id + 1;
    } else if (!strcmp(mode, "incremental")) {
        if (snap <= 0 && end <= 0)
            rc = incremental_from_options(t, &snap, &end);
        if (rc == 0 && (snap < 0 || end <= snap))
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s: scan.mode incremental needs a start and a later end "
                               "snapshot (incremental-between = \"START,END\")",
                               t->full_name);
        s->next = snap + 1;
        s->end = end;
    } else if (!strcmp(mode, "from-file-creation-time")) {
        /* as Java's FileCreationTimeStartingScanner: the latest snapshot's files created
         * since the bound, then what follows */
        pmn_scan_options bo = {.mode = mode, .timestamp_millis = o->timestamp_millis};
        rc = pmn_plan_creation_bound(t, &bo, &bound);
        full = latest > 0;
        s->full_snapshot = latest;
        s->next = latest + 1;
        s->wait_start = latest == 0; /* not "everything from snapshot 1": see start_waiting */
        s->wait_bound = bound;
    } else if (!strcmp(mode, "from-timestamp")) {
        int64_t id = 0;
        rc = pmn_snapshot_id_at_time(t->path, ts > 0 ? ts - 1 : 0, &id);
        if (rc == PMN_ENOTFOUND) { /* before every snapshot: from the earliest */
            pmn_error_clear();
            rc = 0;
            id = earliest > 0 ? earliest - 1 : 0;
        }
        s->next = id + 1;
    } else {
        pmn_stream_free(s);
        return pmn_error_set(PMN_EINVALID,
                             "table %s: unsupported scan.mode '%s' for a streaming read "
                             "(latest-full, latest, compacted-full, from-snapshot, "
                             "from-snapshot-full, from-timestamp, incremental, "
                             "from-file-creation-time)",
                             t->full_name, mode);
    }
    /* a consumer's position is on disk before anything is read: expiry keeps the full
     * phase's snapshot (a snapshot expired before this point fails the scan cleanly) */
    if (rc == 0 && s->consumer_id && !s->wait_start)
        rc = record_start(s, full, bound);
    if (rc == 0 && full)
        rc = open_full(s, bound);
    if (rc) {
        pmn_stream_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* load_snapshot: the ADD entries of snapshot s->next's delta if it is an APPEND snapshot.
 * *more = false when that snapshot does not exist yet. */
static int load_snapshot(pmn_stream *s, bool *more)
{
    pmn_table *t = s->t;
    *more = true;
    pmn_snapshot *snap;
    int rc = pmn_snapshot_read(t->path, s->next, &snap);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        int64_t earliest = 0;
        rc = pmn_snapshot_earliest_id(t->path, &earliest);
        if (rc)
            return rc;
        if (earliest > s->next)
            return pmn_error_set(PMN_ENOTFOUND,
                                 "table %s: snapshot %lld, the next one this stream would read, "
                                 "has expired; the earliest snapshot is %lld (use a consumer-id "
                                 "so that expiry keeps unread snapshots)",
                                 t->full_name, (long long)s->next, (long long)earliest);
        *more = false;
        return 0;
    }
    if (rc)
        return rc;
    pmn_arena_reset(&s->arena);
    s->files = NULL;
    s->nfiles = s->fi = 0;
    /* changelog-producer input: an APPEND snapshot's changelog files hold every change as it
     * came in; lookup / full-compaction (tables Java writes): COMPACT snapshots' changelog
     * files; none: APPEND snapshots' new data files (the last change of each key) */
    const char *list = NULL;
    bool append = strcmp(snap->commit_kind, "APPEND") == 0;
    if (s->changelog_from_compaction)
        list = strcmp(snap->commit_kind, "COMPACT") == 0 ? snap->changelog_manifest_list : NULL;
    else if (s->changelog_input)
        list = append ? snap->changelog_manifest_list : NULL;
    else
        list = append ? snap->delta_manifest_list : NULL;
    if (list) {
        char *path = pmn_xasprintf("%s/manifest/%s", t->path, list);
        pmn_manifest_file_meta *metas;
        size_t nmetas;
        rc = pmn_manifest_list_read(path, &s->arena, &metas, &nmetas);
        free(path);
        size_t cap = 0;
        for (size_t m = 0; rc == 0 && m < nmetas; m++) {
            pmn_manifest_entry *e;
            size_t ne;
            path = pmn_xasprintf("%s/manifest/%s", t->path, metas[m].file_name);
            rc = pmn_manifest_read(path, &s->arena, &e, &ne);
            free(path);
            for (size_t i = 0; rc == 0 && i < ne; i++) {
                if (e[i].kind != PMN_FILE_ADD)
                    continue;
                if (s->nfiles == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    pmn_manifest_entry *nf = pmn_arena_alloc(&s->arena, sizeof *nf * ncap);
                    if (s->nfiles)
                        memcpy(nf, s->files, sizeof *nf * s->nfiles);
                    s->files = nf;
                    cap = ncap;
                }
                s->files[s->nfiles++] = e[i];
            }
        }
        if (rc == 0 && s->nfiles > 1)
            qsort(s->files, s->nfiles, sizeof *s->files, cmp_entry);
    }
    int64_t id = snap->id;
    pmn_snapshot_free(snap);
    if (rc)
        return pmn_table_expired_error(t, id, rc);
    s->cur = id;
    return 0;
}

int pmn_stream_next(pmn_stream *s, pmn_row_kind *kind, const pmn_datum **row, int64_t *snapshot_id)
{
    if (s->wait_start) {
        int rc = start_waiting(s);
        if (rc)
            return rc;
        if (s->wait_start)
            return PMN_ITEROVER; /* still no snapshot */
    }
    if (s->full) {
        int rc = pmn_scan_next(s->full, row);
        if (rc == 0) {
            *kind = PMN_ROW_INSERT;
            *snapshot_id = s->full_snapshot;
            return 0;
        }
        if (rc != PMN_ITEROVER)
            return rc;
        pmn_scan_free(s->full);
        s->full = NULL;
    }
    bool pk = pmn_table_is_pk(s->t);
    for (;;) {
        if (s->reader) {
            const pmn_datum *vals;
            int64_t seq;
            int32_t k;
            int rc = pmn_data_file_reader_next(s->reader, &vals, &seq, &k);
            if (rc == 0) {
                pmn_file_layout_convert(s->layout, s->t, vals, s->out);
                *row = s->out;
                *kind = (pmn_row_kind)k;
                *snapshot_id = s->cur;
                return 0;
            }
            if (rc != PMN_ITEROVER)
                return rc;
            pmn_data_file_reader_free(s->reader);
            s->reader = NULL;
            s->fi++;
        }
        if (s->cur && s->fi < s->nfiles) {
            const pmn_manifest_entry *e = &s->files[s->fi];
            int rc = pmn_file_layout_get(&s->layouts, s->t, e->file.schema_id, &s->layout);
            if (rc == 0)
                rc = pmn_file_open(s->t, e, s->layout, pk, &s->reader);
            if (rc) {
                pmn_error_wrap("table %s: ", s->t->full_name);
                return pmn_table_expired_error(s->t, s->cur, rc);
            }
            continue;
        }
        if (s->cur) { /* snapshot done */
            s->cur = 0;
            s->next++;
            continue;
        }
        if (s->end > 0 && s->next > s->end)
            return PMN_ITEROVER; /* incremental: the range is read */
        bool more;
        int rc = load_snapshot(s, &more);
        if (rc)
            return rc;
        if (!more)
            return PMN_ITEROVER;
    }
}

int64_t pmn_stream_position(const pmn_stream *s)
{
    return s->full ? s->full_snapshot : s->cur ? s->cur : s->next;
}

int pmn_stream_checkpoint(pmn_stream *s)
{
    if (!s->consumer_id || s->wait_start)
        return 0; /* waiting for a start: no position yet (reopening waits again) */
    /* inside the full phase the position stays its snapshot (recorded at open; a full phase
     * cut short is redone): rewritten only to keep consumer.expiration-time from removing
     * the consumer while a long full phase is read */
    int rc = write_position(s, pmn_stream_position(s));
    if (s->full)
        return rc;
    if (rc == 0 && s->full_marker) {
        /* past the full phase: the position alone says where to resume */
        char *path = marker_path(s);
        rc = pmn_fs_remove(path);
        free(path);
        s->full_marker = false;
    }
    return rc;
}

void pmn_stream_free(pmn_stream *s)
{
    if (!s)
        return;
    pmn_scan_free(s->full);
    pmn_data_file_reader_free(s->reader);
    pmn_file_layouts_dispose(&s->layouts);
    pmn_arena_free(&s->arena);
    free(s->out);
    free(s->consumer_id);
    free(s);
}
