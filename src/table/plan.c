/*
 * src/table/plan.c
 *
 * Planning a read: resolve which snapshot to read (id, timestamp or tag),
 * read its base and delta manifest lists and their manifests, and replay the
 * entries into the set of live data files (paimon-format.md §3.2, §4.6):
 * ADD of an identifier already present is corruption, DELETE of a present one
 * removes both, a DELETE whose ADD is not seen stays a tombstone.
 *
 * scan.mode from-file-creation-time (Java's FileCreationTimeStartingScanner):
 * the latest snapshot's live files whose creation time is at or after
 * scan.file-creation-time-millis (epoch milliseconds). Files record their
 * creation time as local wall-clock time (_CREATION_TIME, §4.5), which Java
 * turns into epoch milliseconds in the system time zone before comparing; so
 * does pmn_plan_filter_mode. Files without a creation time are kept.
 */
#include "table/compact.h"
#include "table/table_internal.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_bytes(pmn_bytes a, pmn_bytes b)
{
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return (a.len > b.len) - (a.len < b.len);
}

typedef struct ordered_entry {
    pmn_manifest_entry *e;
    size_t order; /* position in replay order */
} ordered_entry;

/* identifier order: partition, bucket, level, file name; then replay order */
static int cmp_identifier(const void *pa, const void *pb)
{
    const ordered_entry *a = pa, *b = pb;
    int c = cmp_bytes(a->e->partition, b->e->partition);
    if (c)
        return c;
    if (a->e->bucket != b->e->bucket)
        return a->e->bucket < b->e->bucket ? -1 : 1;
    if (a->e->file.level != b->e->file.level)
        return a->e->file.level < b->e->file.level ? -1 : 1;
    c = strcmp(a->e->file.file_name, b->e->file.file_name);
    if (c)
        return c;
    return (a->order > b->order) - (a->order < b->order);
}

static bool same_identifier(const pmn_manifest_entry *a, const pmn_manifest_entry *b)
{
    return a->bucket == b->bucket && a->file.level == b->file.level &&
           pmn_bytes_equal(a->partition, b->partition) &&
           strcmp(a->file.file_name, b->file.file_name) == 0;
}

/* grouping order for readers: partition, bucket, level, min sequence, name */
static int cmp_live(const void *pa, const void *pb)
{
    const pmn_manifest_entry *a = pa, *b = pb;
    int c = cmp_bytes(a->partition, b->partition);
    if (c)
        return c;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if (a->file.level != b->file.level)
        return a->file.level < b->file.level ? -1 : 1;
    if (a->file.min_sequence_number != b->file.min_sequence_number)
        return a->file.min_sequence_number < b->file.min_sequence_number ? -1 : 1;
    return strcmp(a->file.file_name, b->file.file_name);
}

static int read_list(pmn_plan *p, const char *table_path, const char *name,
                     pmn_manifest_file_meta **metas, size_t *n)
{
    char *path = pmn_xasprintf("%s/manifest/%s", table_path, name);
    int rc = pmn_manifest_list_read(path, &p->arena, metas, n);
    free(path);
    return rc;
}

int pmn_plan_open_snapshot(pmn_table *t, pmn_snapshot *snap, pmn_plan **out)
{
    pmn_plan *p = pmn_xcalloc(1, sizeof *p);
    pmn_arena_init(&p->arena);
    p->snapshot = snap;
    if (!snap) {
        *out = p;
        return 0;
    }
    pmn_manifest_file_meta *base = NULL, *delta = NULL;
    size_t nbase = 0, ndelta = 0;
    int rc = read_list(p, t->path, snap->base_manifest_list, &base, &nbase);
    if (rc == 0)
        rc = read_list(p, t->path, snap->delta_manifest_list, &delta, &ndelta);
    if (rc) {
        pmn_error_wrap("snapshot %lld of %s: ", (long long)snap->id, t->full_name);
        rc = pmn_table_expired_error(t, snap->id, rc);
        p->snapshot = NULL; /* the caller keeps it on failure */
        pmn_plan_free(p);
        return rc;
    }
    p->nbase = nbase + ndelta;
    p->ndelta = ndelta;
    p->base = pmn_arena_alloc(&p->arena, sizeof *p->base * (p->nbase + 1));
    memcpy(p->base, base, sizeof *base * nbase);
    memcpy(p->base + nbase, delta, sizeof *delta * ndelta);

    ordered_entry *all = NULL;
    size_t nall = 0, cap = 0;
    for (size_t m = 0; m < p->nbase && rc == 0; m++) {
        char *path = pmn_xasprintf("%s/manifest/%s", t->path, p->base[m].file_name);
        pmn_manifest_entry *entries;
        size_t n;
        rc = pmn_manifest_read(path, &p->arena, &entries, &n);
        free(path);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            PMN_GROW(all, cap, nall + 1);
            all[nall].e = &entries[i];
            all[nall].order = nall;
            nall++;
        }
    }
    if (rc) {
        free(all);
        pmn_error_wrap("snapshot %lld of %s: ", (long long)snap->id, t->full_name);
        rc = pmn_table_expired_error(t, snap->id, rc);
        p->snapshot = NULL;
        pmn_plan_free(p);
        return rc;
    }
    if (nall)
        qsort(all, nall, sizeof *all, cmp_identifier);
    p->files = pmn_arena_alloc(&p->arena, sizeof *p->files * (nall + 1));
    for (size_t i = 0; i < nall && rc == 0;) {
        size_t j = i;
        bool live = false;
        for (; j < nall && same_identifier(all[j].e, all[i].e); j++) {
            if (all[j].e->kind == PMN_FILE_ADD) {
                if (live)
                    rc = pmn_error_set(PMN_ECORRUPT,
                                       "snapshot %lld of %s: trying to add file %s which is "
                                       "already added",
                                       (long long)snap->id, t->full_name, all[j].e->file.file_name);
                live = true;
            } else {
                live = false;
            }
        }
        if (live)
            p->files[p->nfiles++] = *all[j - 1].e;
        i = j;
    }
    free(all);
    if (rc) {
        p->snapshot = NULL;
        pmn_plan_free(p);
        return rc;
    }
    if (p->nfiles)
        qsort(p->files, p->nfiles, sizeof *p->files, cmp_live);
    *out = p;
    return 0;
}

int pmn_plan_open(pmn_table *t, int64_t snapshot_id, pmn_plan **out)
{
    int rc = 0;
    if (snapshot_id == 0) {
        rc = pmn_snapshot_latest_id(t->path, &snapshot_id);
        if (rc)
            return rc;
    }
    pmn_snapshot *snap = NULL;
    if (snapshot_id > 0) {
        rc = pmn_snapshot_read(t->path, snapshot_id, &snap);
        if (rc)
            return rc;
    }
    rc = pmn_plan_open_snapshot(t, snap, out);
    if (rc)
        pmn_snapshot_free(snap);
    return rc;
}

void pmn_plan_free(pmn_plan *p)
{
    if (!p)
        return;
    pmn_snapshot_free(p->snapshot);
    pmn_arena_free(&p->arena);
    free(p);
}

int pmn_plan_latest_compacted(pmn_table *t, int64_t *snapshot_id)
{
    *snapshot_id = 0;
    int64_t earliest = 0, latest = 0;
    int rc = pmn_snapshot_earliest_id(t->path, &earliest);
    if (rc == 0)
        rc = pmn_snapshot_latest_id(t->path, &latest);
    const char *producer = pmn_table_option(t, "changelog-producer");
    bool full = producer && !strcmp(producer, "full-compaction");
    for (int64_t id = latest; rc == 0 && id >= earliest && id > 0; id--) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(t->path, id, &s);
        if (rc == PMN_ENOTFOUND) { /* expired meanwhile: nothing older is left either */
            pmn_error_clear();
            return 0;
        }
        if (rc)
            return rc;
        bool hit = !strcmp(s->commit_kind, "COMPACT") && (!full || s->changelog_manifest_list);
        pmn_snapshot_free(s);
        if (hit) {
            *snapshot_id = id;
            return 0;
        }
    }
    return rc;
}

/* option_int: a numeric table option (0 when unset). */
static int option_int(pmn_table *t, const char *key, int64_t *v)
{
    int rc = pmn_options_get_int64(&t->schema->options, key, 0, v);
    return rc ? pmn_error_wrap("table %s: ", t->full_name) : 0;
}

int pmn_plan_creation_bound(pmn_table *t, const pmn_scan_options *o, int64_t *bound)
{
    *bound = 0;
    if (!o || !o->mode)
        return 0;
    int64_t opt = 0;
    int rc = option_int(t, "scan.file-creation-time-millis", &opt);
    if (rc)
        return rc;
    if (!strcmp(o->mode, "from-file-creation-time")) {
        *bound = o->timestamp_millis > 0 ? o->timestamp_millis : opt;
        if (*bound <= 0)
            return pmn_error_set(PMN_EINVALID,
                                 "table %s: scan.mode from-file-creation-time needs "
                                 "scan.file-creation-time-millis",
                                 t->full_name);
        return 0;
    }
    if (strcmp(o->mode, "default") || opt <= 0 || o->snapshot_id > 0 || o->tag ||
        o->timestamp_millis > 0)
        return 0;
    /* default: Java's CoreOptions.startupMode takes this mode when the only scan.* start
     * option is the file creation time */
    int64_t snap = 0, ts = 0;
    rc = option_int(t, "scan.snapshot-id", &snap);
    if (rc == 0)
        rc = option_int(t, "scan.timestamp-millis", &ts);
    if (rc == 0 && snap <= 0 && ts <= 0 && !pmn_options_get(&t->schema->options, "scan.tag-name"))
        *bound = opt;
    return rc;
}

/* local_to_epoch_millis: a local wall-clock time (as _CREATION_TIME holds it) in epoch
 * milliseconds, through the system time zone as Java's creationTimeEpochMillis does. */
static int64_t local_to_epoch_millis(int64_t local_ms)
{
    int64_t secs = local_ms / 1000, ms = local_ms % 1000;
    if (ms < 0) {
        secs--;
        ms += 1000;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    gmtime_r(&tt, &tm);
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000 + ms;
}

int pmn_plan_filter_mode(pmn_table *t, const pmn_scan_options *o, pmn_plan *p)
{
    int64_t bound = 0;
    int rc = pmn_plan_creation_bound(t, o, &bound);
    if (rc || bound <= 0)
        return rc;
    size_t keep = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        const pmn_data_file_meta *f = &p->files[i].file;
        if (!f->has_creation_time || local_to_epoch_millis(f->creation_time) >= bound)
            p->files[keep++] = p->files[i];
    }
    p->nfiles = keep;
    return 0;
}

/* resolve_mode: a batch read with a scan.mode (Java's static starting scanners): the
 * snapshot, time or tag of the read's options, else of the table's scan.snapshot-id,
 * scan.timestamp-millis, scan.tag-name. *compacted: read the latest compacted snapshot. */
static int resolve_mode(pmn_table *t, const pmn_scan_options *o, pmn_scan_options *out,
                        bool *compacted)
{
    const pmn_options *opts = &t->schema->options;
    const char *mode = o->mode;
    *out = *o;
    *compacted = false;
    int64_t bound = 0;
    int rc = pmn_plan_creation_bound(t, o, &bound);
    if (rc)
        return rc;
    if (bound > 0) {
        /* the latest snapshot (or the one the caller names: a stream's full phase), its files
         * filtered by pmn_plan_filter_mode */
        out->tag = NULL;
        out->timestamp_millis = 0;
        out->snapshot_id = o->snapshot_id > 0 ? o->snapshot_id : 0;
        return 0;
    }
    if (!out->tag && out->snapshot_id <= 0 && out->timestamp_millis <= 0) {
        out->tag = pmn_options_get(opts, "scan.tag-name");
        rc = pmn_options_get_int64(opts, "scan.snapshot-id", 0, &out->snapshot_id);
        if (rc == 0)
            rc = pmn_options_get_int64(opts, "scan.timestamp-millis", 0, &out->timestamp_millis);
        if (rc)
            return pmn_error_wrap("table %s: ", t->full_name);
    }
    if (!strcmp(mode, "default"))
        return 0;
    bool has_snapshot = out->snapshot_id > 0 || out->tag, has_time = out->timestamp_millis > 0;
    pmn_scan_options only = *o;
    only.tag = NULL;
    only.snapshot_id = only.timestamp_millis = 0;
    if (!strcmp(mode, "latest") || !strcmp(mode, "latest-full") || !strcmp(mode, "full")) {
        *out = only;
    } else if (!strcmp(mode, "compacted-full")) {
        *out = only;
        *compacted = true;
    } else if (!strcmp(mode, "from-snapshot") || !strcmp(mode, "from-snapshot-full")) {
        if (!has_snapshot)
            return pmn_error_set(PMN_EINVALID, "table %s: scan.mode %s needs a snapshot id",
                                 t->full_name, mode);
        out->timestamp_millis = 0;
    } else if (!strcmp(mode, "from-timestamp")) {
        if (!has_time)
            return pmn_error_set(PMN_EINVALID, "table %s: scan.mode from-timestamp needs a time",
                                 t->full_name);
        out->snapshot_id = 0;
        out->tag = NULL;
    } else if (!strcmp(mode, "incremental")) {
        return pmn_error_set(PMN_EINVALID,
                             "table %s: scan.mode incremental reads changes, not rows: read it as "
                             "a stream (pgpaimon tail --mode incremental)",
                             t->full_name);
    } else {
        return pmn_error_set(PMN_EINVALID,
                             "table %s: unsupported scan.mode '%s' for a batch read (default, "
                             "latest, latest-full, compacted-full, from-snapshot, "
                             "from-snapshot-full, from-timestamp, from-file-creation-time)",
                             t->full_name, mode);
    }
    return 0;
}

int pmn_plan_resolve(pmn_table *t, const pmn_scan_options *o, int64_t *snapshot_id,
                     pmn_snapshot **tag_snapshot)
{
    *snapshot_id = 0;
    *tag_snapshot = NULL;
    pmn_scan_options resolved;
    if (o && o->mode) {
        bool compacted = false;
        int rc = resolve_mode(t, o, &resolved, &compacted);
        if (rc)
            return rc;
        if (compacted) {
            rc = pmn_plan_latest_compacted(t, snapshot_id);
            if (rc == 0 && *snapshot_id == 0) /* never compacted: the latest (as Java) */
                rc = pmn_snapshot_latest_id(t->path, snapshot_id);
            return rc;
        }
        o = &resolved;
    }
    if (o && o->tag) {
        int rc = pmn_tag_read(t->path, o->tag, tag_snapshot);
        if (rc == PMN_ENOTFOUND)
            return pmn_error_set(PMN_ENOTFOUND, "table %s has no tag named %s", t->full_name,
                                 o->tag);
        return rc;
    }
    if (o && o->timestamp_millis > 0)
        return pmn_snapshot_id_at_time(t->path, o->timestamp_millis, snapshot_id);
    if (o && o->snapshot_id > 0) {
        char *path = pmn_xasprintf("%s/snapshot/snapshot-%lld", t->path, (long long)o->snapshot_id);
        int exists = pmn_fs_exists(path);
        free(path);
        if (!exists) {
            int64_t earliest = 0, latest = 0;
            pmn_snapshot_earliest_id(t->path, &earliest);
            pmn_snapshot_latest_id(t->path, &latest);
            if (earliest > 0 && o->snapshot_id < earliest)
                return pmn_error_set(PMN_ENOTFOUND,
                                     "snapshot %lld of %s has expired; the earliest snapshot is "
                                     "%lld",
                                     (long long)o->snapshot_id, t->full_name, (long long)earliest);
            return pmn_error_set(PMN_ENOTFOUND,
                                 "snapshot %lld of %s does not exist; the latest snapshot is %lld",
                                 (long long)o->snapshot_id, t->full_name, (long long)latest);
        }
        *snapshot_id = o->snapshot_id;
        return 0;
    }
    return pmn_snapshot_latest_id(t->path, snapshot_id);
}

int pmn_plan_open_read(pmn_table *t, const pmn_scan_options *o, pmn_plan **out)
{
    *out = NULL;
    int64_t snapshot_id = 0;
    pmn_snapshot *tag = NULL;
    int rc = pmn_plan_resolve(t, o, &snapshot_id, &tag);
    if (rc)
        return rc;
    pmn_plan *plan = NULL;
    rc = tag ? pmn_plan_open_snapshot(t, tag, &plan) : pmn_plan_open(t, snapshot_id, &plan);
    if (rc) {
        if (tag && !plan)
            pmn_snapshot_free(tag);
        return rc;
    }
    rc = pmn_plan_filter_mode(t, o, plan); /* scan.mode from-file-creation-time */
    if (rc) {
        pmn_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

const char *pmn_table_batch_mode(const pmn_table *t)
{
    const pmn_options *o = &t->schema->options;
    const char *mode = pmn_options_get(o, "scan.mode");
    if (mode && !strcmp(mode, "from-file-creation-time"))
        return mode;
    bool other = pmn_options_get(o, "scan.snapshot-id") ||
                 pmn_options_get(o, "scan.timestamp-millis") ||
                 pmn_options_get(o, "scan.timestamp") || pmn_options_get(o, "scan.tag-name");
    if ((!mode || !strcmp(mode, "default")) && !other &&
        pmn_options_get(o, "scan.file-creation-time-millis"))
        return "from-file-creation-time";
    return NULL;
}
