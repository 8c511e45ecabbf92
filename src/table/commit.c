/*
 * src/table/commit.c
 *
 * Snapshot commits; see commit.h. One attempt:
 *   1. read the latest snapshot L (none for the first commit);
 *   2. for DELETE entries, check their files are still live in L (else a
 *      concurrent commit removed them: conflict, not retryable);
 *   3. write the manifest of this commit, the delta list [it], and the base
 *      list = L.base ++ L.delta, merged into one manifest of live files once
 *      it holds manifest.merge-min-count manifests;
 *   4. publish snapshot-(L+1) with create-if-absent. If the id is taken,
 *      delete the lists of this attempt and start again from 1.
 * Every file is fsync'd (and its directory) before the snapshot appears, so a
 * crash leaves the table at its last snapshot plus unreferenced files.
 */
#include "table/commit.h"

#include "paimon/binary_row.h"
#include "table/dv.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

typedef struct attempt {
    pmn_table *t;
    const pmn_commit_request *req;
    char uuid[37];
    int counter;
    char **written; /* manifest files written by this attempt (removed on failure) */
    size_t nwritten, capwritten;
    pmn_arena arena;
} attempt;

static char *new_manifest_name(attempt *a, const char *prefix)
{
    return pmn_xasprintf("%s-%s-%d", prefix, a->uuid, a->counter++);
}

static char *manifest_path(attempt *a, const char *name)
{
    char *p = pmn_xasprintf("%s/manifest/%s", a->t->path, name);
    PMN_GROW(a->written, a->capwritten, a->nwritten + 1);
    a->written[a->nwritten++] = pmn_xstrdup(p);
    return p;
}

static void remove_written(attempt *a)
{
    for (size_t i = 0; i < a->nwritten; i++) {
        pmn_fs_remove(a->written[i]);
        free(a->written[i]);
    }
    a->nwritten = 0;
}

/* partition_stats: min/max/null counts over the partition values of entries. */
static void partition_stats(attempt *a, const pmn_manifest_entry *e, size_t n,
                            pmn_simple_stats *out)
{
    const pmn_key_layout *k = &a->t->keys;
    if (k->npartition == 0 || n == 0) {
        *out = pmn_simple_stats_empty();
        return;
    }
    int32_t np = k->npartition;
    pmn_datum *mins = pmn_arena_alloc(&a->arena, sizeof *mins * (size_t)np);
    pmn_datum *maxs = pmn_arena_alloc(&a->arena, sizeof *maxs * (size_t)np);
    pmn_datum *vals = pmn_arena_alloc(&a->arena, sizeof *vals * (size_t)np);
    out->null_counts = pmn_arena_alloc(&a->arena, sizeof(int64_t) * (size_t)np);
    for (int32_t j = 0; j < np; j++)
        mins[j] = maxs[j] = pmn_datum_null();
    for (size_t i = 0; i < n; i++) {
        if (pmn_binary_row_deserialize(e[i].partition.ptr, e[i].partition.len,
                                       k->partition_types, np, &a->arena, vals) != 0) {
            pmn_error_clear();
            continue;
        }
        for (int32_t j = 0; j < np; j++) {
            if (vals[j].is_null) {
                out->null_counts[j]++;
                continue;
            }
            if (mins[j].is_null || pmn_datum_compare(k->partition_types[j], &vals[j], &mins[j]) < 0)
                mins[j] = vals[j];
            if (maxs[j].is_null || pmn_datum_compare(k->partition_types[j], &vals[j], &maxs[j]) > 0)
                maxs[j] = vals[j];
        }
    }
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b, k->partition_types, mins, np);
    out->min_values.ptr = pmn_arena_memdup(&a->arena, b.data, b.len);
    out->min_values.len = (uint32_t)b.len;
    pmn_buf_reset(&b);
    pmn_binary_row_serialize(&b, k->partition_types, maxs, np);
    out->max_values.ptr = pmn_arena_memdup(&a->arena, b.data, b.len);
    out->max_values.len = (uint32_t)b.len;
    pmn_buf_dispose(&b);
    out->has_null_counts = true;
    out->nnull_counts = np;
}

/* write_manifest: one manifest file of entries; fills its meta. */
static int write_manifest(attempt *a, const pmn_manifest_entry *e, size_t n,
                          pmn_manifest_file_meta *meta)
{
    char *name = new_manifest_name(a, "manifest");
    char *path = manifest_path(a, name);
    uint64_t size = 0;
    int rc = pmn_manifest_write(path, pmn_table_manifest_codec(a->t), e, n, &size);
    free(path);
    if (rc) {
        free(name);
        return rc;
    }
    memset(meta, 0, sizeof *meta);
    meta->file_name = pmn_arena_strdup(&a->arena, name);
    free(name);
    meta->file_size = (int64_t)size;
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == PMN_FILE_ADD)
            meta->num_added_files++;
        else
            meta->num_deleted_files++;
    }
    partition_stats(a, e, n, &meta->partition_stats);
    meta->schema_id = a->t->schema->id;
    return 0;
}

static int write_list(attempt *a, const pmn_manifest_file_meta *metas, size_t n, char **name,
                      int64_t *size)
{
    *name = new_manifest_name(a, "manifest-list");
    char *path = manifest_path(a, *name);
    uint64_t sz = 0;
    int rc = pmn_manifest_list_write(path, pmn_table_manifest_codec(a->t), metas, n, &sz);
    free(path);
    *size = (int64_t)sz;
    return rc;
}

static bool entry_is_live(const pmn_plan *p, const pmn_manifest_entry *d)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        const pmn_manifest_entry *e = &p->files[i];
        if (e->bucket == d->bucket && e->file.level == d->file.level &&
            pmn_bytes_equal(e->partition, d->partition) &&
            strcmp(e->file.file_name, d->file.file_name) == 0)
            return true;
    }
    return false;
}

static int try_commit(attempt *a, int64_t *snapshot_id)
{
    pmn_table *t = a->t;
    const pmn_commit_request *req = a->req;
    int64_t latest_id = 0;
    int rc = pmn_snapshot_latest_id(t->path, &latest_id);
    if (rc)
        return rc;
    pmn_plan *latest = NULL;
    rc = pmn_plan_open(t, latest_id, &latest);
    if (rc)
        return rc;
    pmn_snapshot *prev = latest->snapshot;

    /* the entries of this commit */
    size_t n = req->nentries + (req->delete_all ? latest->nfiles : 0);
    pmn_manifest_entry *entries = pmn_arena_alloc(&a->arena, sizeof *entries * (n + 1));
    size_t k = 0;
    if (req->delete_all) {
        for (size_t i = 0; i < latest->nfiles; i++) {
            if (req->delete_partition &&
                !req->delete_partition(req->delete_arg, latest->files[i].partition))
                continue;
            entries[k] = latest->files[i];
            entries[k++].kind = PMN_FILE_DELETE;
        }
    }
    for (size_t i = 0; i < req->nentries; i++) {
        if (req->entries[i].kind == PMN_FILE_DELETE && !entry_is_live(latest, &req->entries[i])) {
            rc = pmn_error_set(PMN_ECONFLICT,
                               "commit to %s: file %s was removed by a concurrent commit "
                               "(snapshot %lld)",
                               t->full_name, req->entries[i].file.file_name, (long long)latest_id);
            goto done;
        }
        entries[k++] = req->entries[i];
    }
    int64_t delta_rows = 0;
    for (size_t i = 0; i < k; i++)
        delta_rows += entries[i].kind == PMN_FILE_ADD ? entries[i].file.row_count
                                                      : -entries[i].file.row_count;

    /* manifests */
    pmn_manifest_file_meta delta_meta;
    size_t ndelta = 0;
    if (k > 0) {
        rc = write_manifest(a, entries, k, &delta_meta);
        if (rc)
            goto done;
        ndelta = 1;
    }
    int64_t merge_min = 30;
    pmn_options_get_int64(&t->schema->options, "manifest.merge-min-count", 30, &merge_min);
    pmn_manifest_file_meta *base = latest->base;
    size_t nbase = latest->nbase;
    pmn_manifest_file_meta merged;
    if (nbase >= (size_t)(merge_min > 1 ? merge_min : 2)) {
        /* full merge: the live files of the latest snapshot as one manifest of ADD entries */
        rc = write_manifest(a, latest->files, latest->nfiles, &merged);
        if (rc)
            goto done;
        base = &merged;
        nbase = latest->nfiles ? 1 : 0;
    }
    char *base_name = NULL, *delta_name = NULL, *changelog_name = NULL;
    int64_t base_size = 0, delta_size = 0, changelog_size = -1, changelog_rows = 0;
    rc = write_list(a, base, nbase, &base_name, &base_size);
    if (rc == 0)
        rc = write_list(a, &delta_meta, ndelta, &delta_name, &delta_size);
    if (rc == 0 && req->nchangelog > 0) {
        /* changelog files are not part of base/delta: their own manifest and list */
        pmn_manifest_file_meta changelog_meta;
        rc = write_manifest(a, req->changelog, req->nchangelog, &changelog_meta);
        if (rc == 0)
            rc = write_list(a, &changelog_meta, 1, &changelog_name, &changelog_size);
        for (size_t i = 0; i < req->nchangelog; i++)
            changelog_rows += req->changelog[i].file.row_count;
    }
    if (rc == 0) {
        char *mdir = pmn_path_join(t->path, "manifest");
        rc = pmn_fs_fsync_dir(mdir);
        free(mdir);
    }
    if (rc) {
        free(base_name);
        free(delta_name);
        free(changelog_name);
        goto done;
    }

    /* the snapshot */
    pmn_snapshot s;
    memset(&s, 0, sizeof s);
    s.version = 3;
    s.id = latest_id + 1;
    s.schema_id = t->schema->id;
    s.base_manifest_list = base_name;
    s.base_manifest_list_size = base_size;
    s.delta_manifest_list = delta_name;
    s.delta_manifest_list_size = delta_size;
    s.changelog_manifest_list = changelog_name;
    s.changelog_manifest_list_size = changelog_size;
    s.index_manifest = prev ? prev->index_manifest : NULL;
    s.commit_user = (char *)req->commit_user;
    /* < 0 (compaction): the identifier of the snapshot it follows, so the latest snapshot
     * always carries the identifier of the last data committed */
    s.commit_identifier = req->commit_identifier >= 0 ? req->commit_identifier
                          : prev                      ? prev->commit_identifier
                                                      : 0;
    s.commit_kind = (char *)req->commit_kind;
    s.time_millis = pmn_now_millis();
    if (prev && s.time_millis < prev->time_millis)
        s.time_millis = prev->time_millis; /* time travel needs non-decreasing times */
    int64_t prev_total = 0;
    if (prev && prev->has_total_record_count) {
        prev_total = prev->total_record_count;
    } else {
        for (size_t i = 0; i < latest->nfiles; i++)
            prev_total += latest->files[i].file.row_count;
    }
    s.has_total_record_count = true;
    s.total_record_count = prev_total + delta_rows;
    s.has_delta_record_count = true;
    s.delta_record_count = delta_rows;
    s.has_changelog_record_count = true;
    s.changelog_record_count = changelog_rows;
    s.has_watermark = prev && prev->has_watermark;
    s.watermark = prev ? prev->watermark : 0;
    s.statistics = prev && prev->schema_id == t->schema->id ? prev->statistics : NULL;
    pmn_options_init(&s.properties);
    if (prev)
        pmn_options_copy(&s.properties, &prev->properties);
    for (size_t i = 0; i < req->nproperties; i++)
        pmn_options_set(&s.properties, req->properties[i].key, req->properties[i].value);
    rc = pmn_snapshot_publish(t->path, &s);
    pmn_options_dispose(&s.properties);
    free(base_name);
    free(delta_name);
    free(changelog_name);
    if (rc == 0)
        *snapshot_id = s.id;
done:
    pmn_plan_free(latest);
    return rc;
}

int pmn_commit(pmn_table *t, const pmn_commit_request *req, int64_t *snapshot_id)
{
    int rc = pmn_table_dv_refuse_write(t);
    if (rc)
        return rc;
    int64_t max_retries = 10;
    pmn_options_get_int64(&t->schema->options, "commit.max-retries", 10, &max_retries);
    attempt a;
    memset(&a, 0, sizeof a);
    a.t = t;
    a.req = req;
    pmn_uuid4(a.uuid);
    pmn_arena_init(&a.arena);
    char *mdir = pmn_path_join(t->path, "manifest");
    char *sdir = pmn_path_join(t->path, "snapshot");
    rc = pmn_fs_mkdir_p(mdir);
    if (rc == 0)
        rc = pmn_fs_mkdir_p(sdir);
    free(mdir);
    free(sdir);
    for (int64_t attempt_no = 0; rc == 0; attempt_no++) {
        rc = try_commit(&a, snapshot_id);
        if (rc == 0) {
            for (size_t i = 0; i < a.nwritten; i++)
                free(a.written[i]);
            a.nwritten = 0;
            break;
        }
        remove_written(&a);
        pmn_arena_reset(&a.arena);
        /* only a taken snapshot id is worth another attempt */
        if (rc != PMN_ECONFLICT || strstr(pmn_error_last(), "concurrent commit"))
            break;
        if (attempt_no >= max_retries) {
            rc = pmn_error_set(PMN_ECONFLICT,
                               "commit to %s failed after %lld attempts: other writers keep "
                               "committing; stop the other writer of this table",
                               t->full_name, (long long)attempt_no + 1);
            break;
        }
        pmn_log_debug("commit to %s lost a race; retrying", t->full_name);
        rc = 0;
    }
    free(a.written);
    pmn_arena_free(&a.arena);
    return rc;
}
