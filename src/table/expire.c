/*
 * src/table/expire.c
 *
 * Snapshot expiry and orphan-file removal (paimon-format.md §9; Java's
 * ExpireSnapshotsImpl, LocalOrphanFilesClean).
 *
 * Expiry. With E = earliest and L = latest snapshot, snapshots in
 * [E, end) are expired where end = min(L - num-retained.min + 1,
 * E + snapshot.expire.limit, the smallest nextSnapshot of any consumer) and,
 * from max(E, L - num-retained.max + 1) on, the first snapshot younger than
 * snapshot.time-retained stops the range (older ones beyond num-retained.max
 * always go). Then:
 *   1. the protected sets are computed: data files live in snapshot `end`,
 *      added by the deltas of (end, L], or live in a tag; manifest lists,
 *      manifests, index manifests and the index files those name of every
 *      retained snapshot and tag;
 *   2. the candidates: data files named by DELETE entries of the deltas of
 *      (E, end], changelog files of [E, end) (changelogs live as long as their
 *      snapshot), the manifest lists/manifests/index manifests of [E, end) and
 *      the index files (deletion vectors, hash indexes: index/, or the bucket
 *      directory with index-file-in-data-file-dir) their index manifests name
 *      (Java's cleanUnusedIndexManifests);
 *   3. snapshot-E .. snapshot-(end-1) are deleted in ascending order and
 *      EARLIEST rewritten - before any file is, so a crash at any point
 *      leaves every remaining snapshot complete, plus at worst unreferenced
 *      files that pmn_table_remove_orphans collects;
 *   4. unprotected candidates are deleted: data files, index files, then
 *      manifests.
 *
 * Guarantee to readers: a snapshot's files are only deleted after its
 * snapshot file is, and only when it is older than snapshot.time-retained and
 * at least num-retained.min newer snapshots exist (a tag or consumer keeps it
 * indefinitely). A reader still scanning such a snapshot keeps every file it
 * already opened (POSIX unlink); opening one that is gone fails with
 * "snapshot N of T has expired while being read; the earliest snapshot is M"
 * (pmn_table_expired_error, used by the scan), never with wrong rows.
 */
#include "table/compact.h"
#include "table/dv.h"

#include "paimon/index_manifest.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- a set of strings: sorted vector ---- */

typedef struct strset {
    char **v;
    size_t n, cap;
    bool sorted;
} strset;

static void set_add(strset *s, const char *str)
{
    PMN_GROW(s->v, s->cap, s->n + 1);
    s->v[s->n++] = pmn_xstrdup(str);
    s->sorted = false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_seal(strset *s)
{
    if (s->sorted)
        return;
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0) {
            free(s->v[i]);
            continue;
        }
        s->v[k++] = s->v[i];
    }
    s->n = k;
    s->sorted = true;
}

static bool set_has(strset *s, const char *str)
{
    set_seal(s);
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void set_dispose(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- what snapshots reference ---- */

static char *data_path(const pmn_table *t, const pmn_manifest_entry *e)
{
    if (e->file.external_path)
        return pmn_xstrdup(e->file.external_path);
    char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
    char *p = pmn_path_join(dir, e->file.file_name);
    free(dir);
    return p;
}

static int read_list(const pmn_table *t, const char *name, pmn_arena *a,
                     pmn_manifest_file_meta **metas, size_t *n)
{
    char *path = pmn_xasprintf("%s/manifest/%s", t->path, name);
    int rc = pmn_manifest_list_read(path, a, metas, n);
    free(path);
    return rc;
}

static int read_manifest(const pmn_table *t, const char *name, pmn_arena *a,
                         pmn_manifest_entry **entries, size_t *n)
{
    char *path = pmn_xasprintf("%s/manifest/%s", t->path, name);
    int rc = pmn_manifest_read(path, a, entries, n);
    free(path);
    return rc;
}

/* add_metadata_refs: the names of the manifest lists, manifests and index manifest snapshot s
 * uses. */
static int add_metadata_refs(const pmn_table *t, const pmn_snapshot *s, strset *files)
{
    const char *lists[] = {s->base_manifest_list, s->delta_manifest_list,
                           s->changelog_manifest_list};
    if (s->index_manifest)
        set_add(files, s->index_manifest);
    pmn_arena a = PMN_ARENA_INIT;
    int rc = 0;
    for (size_t l = 0; l < 3 && rc == 0; l++) {
        if (!lists[l])
            continue;
        set_add(files, lists[l]);
        pmn_manifest_file_meta *metas;
        size_t n;
        rc = read_list(t, lists[l], &a, &metas, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            set_add(files, metas[i].file_name);
    }
    pmn_arena_free(&a);
    return rc;
}

/* add_live_files: the data files live in snapshot s (paths). */
static int add_live_files(pmn_table *t, pmn_snapshot *s, strset *files)
{
    pmn_snapshot *copy = NULL;
    char *json = pmn_snapshot_to_json(s);
    int rc = pmn_snapshot_from_json(json, strlen(json), &copy);
    free(json);
    if (rc)
        return rc;
    pmn_plan *p;
    rc = pmn_plan_open_snapshot(t, copy, &p);
    if (rc) {
        pmn_snapshot_free(copy);
        return rc;
    }
    for (size_t i = 0; i < p->nfiles; i++) {
        char *path = data_path(t, &p->files[i]);
        set_add(files, path);
        free(path);
    }
    pmn_plan_free(p);
    return 0;
}

/* add_list_entries: paths of the files with `kind` entries in manifest list `list`. */
static int add_list_entries(const pmn_table *t, const char *list, int32_t kind, strset *files)
{
    pmn_arena a = PMN_ARENA_INIT;
    pmn_manifest_file_meta *metas;
    size_t n;
    int rc = read_list(t, list, &a, &metas, &n);
    for (size_t m = 0; rc == 0 && m < n; m++) {
        pmn_manifest_entry *e;
        size_t ne;
        rc = read_manifest(t, metas[m].file_name, &a, &e, &ne);
        for (size_t i = 0; rc == 0 && i < ne; i++) {
            if (e[i].kind != kind)
                continue;
            char *path = data_path(t, &e[i]);
            set_add(files, path);
            free(path);
        }
    }
    pmn_arena_free(&a);
    return rc;
}

/* add_delta_entries: paths of the data files with `kind` entries in snapshot s's delta. */
static int add_delta_entries(const pmn_table *t, const pmn_snapshot *s, int32_t kind, strset *files)
{
    return add_list_entries(t, s->delta_manifest_list, kind, files);
}

/* add_changelog_files: paths of snapshot s's changelog files (changelog-producer input). */
static int add_changelog_files(const pmn_table *t, const pmn_snapshot *s, strset *files)
{
    if (!s->changelog_manifest_list)
        return 0;
    return add_list_entries(t, s->changelog_manifest_list, PMN_FILE_ADD, files);
}

/* add_index_files: paths of the index files snapshot s's index manifest names (any kind: a
 * name still listed is in use). missing_ok: an index manifest a crashed expiry already
 * removed names nothing. */
static int add_index_files(const pmn_table *t, const pmn_snapshot *s, bool missing_ok,
                           strset *files)
{
    if (!s->index_manifest)
        return 0;
    char *path = pmn_xasprintf("%s/manifest/%s", t->path, s->index_manifest);
    if (missing_ok && !pmn_fs_exists(path)) {
        free(path);
        return 0;
    }
    pmn_arena a = PMN_ARENA_INIT;
    pmn_index_entry *e;
    size_t n;
    int rc = pmn_index_manifest_read(path, &a, &e, &n);
    free(path);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *p = pmn_dv_index_file_path(t, &e[i]);
        set_add(files, p);
        free(p);
    }
    pmn_arena_free(&a);
    return rc;
}

/* consumer_min: smallest nextSnapshot of consumer/consumer-*, or INT64_MAX. Consumers not
 * updated for consumer.expiration-time (if set) are removed first, as Java does. */
static int consumer_min(const pmn_table *t, int64_t *min)
{
    *min = INT64_MAX;
    int64_t expiration = 0;
    int erc =
        pmn_options_get_duration(&t->schema->options, "consumer.expiration-time", 0, &expiration);
    if (erc)
        return pmn_error_wrap("table %s: ", t->full_name);
    char *dir = pmn_path_join(t->path, "consumer");
    char **names;
    size_t n;
    int rc = pmn_fs_list(dir, &names, &n);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        free(dir);
        return 0;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strncmp(names[i], "consumer-", 9) != 0)
            continue;
        char *path = pmn_path_join(dir, names[i]);
        struct stat st;
        if (expiration > 0 && stat(path, &st) == 0 &&
            (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 <
                pmn_now_millis() - expiration) {
            pmn_log_info("%s: consumer %s expired (consumer.expiration-time)", t->full_name,
                         names[i] + 9);
            pmn_fs_remove(path);
            free(path);
            continue;
        }
        char *data;
        size_t len;
        if (pmn_fs_read_file(path, &data, &len) == 0) {
            json_t *root = json_loadb(data, len, 0, NULL);
            json_t *next = root ? json_object_get(root, "nextSnapshot") : NULL;
            if (json_is_integer(next) && json_integer_value(next) < *min)
                *min = json_integer_value(next);
            else if (!json_is_integer(next))
                pmn_log_warn("%s: no nextSnapshot; ignored", path);
            json_decref(root);
            free(data);
        } else {
            pmn_error_clear();
        }
        free(path);
    }
    pmn_fs_list_free(names, n);
    free(dir);
    return rc;
}

static int load_tags(const pmn_table *t, pmn_snapshot ***tags, size_t *ntags)
{
    char **names;
    size_t n;
    *tags = NULL;
    *ntags = 0;
    int rc = pmn_tag_list(t->path, &names, &n);
    if (rc)
        return rc;
    pmn_snapshot **v = pmn_xcalloc(n + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = pmn_tag_read(t->path, names[i], &v[k]);
        if (rc == 0)
            k++;
    }
    pmn_strings_free(names, n);
    *tags = v;
    *ntags = k;
    if (rc) {
        for (size_t i = 0; i < k; i++)
            pmn_snapshot_free(v[i]);
        free(v);
        *tags = NULL;
        *ntags = 0;
    }
    return rc;
}

static void free_tags(pmn_snapshot **tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pmn_snapshot_free(tags[i]);
    free(tags);
}

/* ---- expiry ---- */

static int expire_until(pmn_table *t, int64_t begin, int64_t end, int64_t latest,
                        pmn_expire_result *res)
{
    strset keep_data = {0}, keep_meta = {0}, del_data = {0}, del_meta = {0};
    strset keep_index = {0}, del_index = {0};
    pmn_snapshot **tags = NULL;
    size_t ntags = 0;
    int rc = load_tags(t, &tags, &ntags);
    /* 1. protected */
    for (int64_t id = end; rc == 0 && id <= latest; id++) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(t->path, id, &s);
        if (rc == PMN_ENOTFOUND && id > end) {
            pmn_error_clear(); /* a later snapshot being expired concurrently */
            rc = 0;
            continue;
        }
        if (rc)
            break;
        rc = add_metadata_refs(t, s, &keep_meta);
        if (rc == 0)
            rc = add_index_files(t, s, false, &keep_index);
        if (rc == 0)
            rc = id == end ? add_live_files(t, s, &keep_data)
                           : add_delta_entries(t, s, PMN_FILE_ADD, &keep_data);
        pmn_snapshot_free(s);
    }
    for (size_t i = 0; rc == 0 && i < ntags; i++) {
        rc = add_metadata_refs(t, tags[i], &keep_meta);
        if (rc == 0)
            rc = add_index_files(t, tags[i], false, &keep_index);
        if (rc == 0)
            rc = add_live_files(t, tags[i], &keep_data);
    }
    /* 2. candidates */
    for (int64_t id = begin; rc == 0 && id <= end; id++) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(t->path, id, &s);
        if (rc == PMN_ENOTFOUND) {
            pmn_error_clear(); /* a crashed expiry already removed it */
            rc = 0;
            continue;
        }
        if (rc)
            break;
        if (id > begin)
            rc = add_delta_entries(t, s, PMN_FILE_DELETE, &del_data);
        if (rc == 0 && id < end)
            rc = add_metadata_refs(t, s, &del_meta);
        if (rc == 0 && id < end)
            rc = add_index_files(t, s, true, &del_index);
        if (rc == 0 && id < end)
            rc = add_changelog_files(t, s, &del_data);
        pmn_snapshot_free(s);
    }
    if (rc) {
        pmn_error_wrap("expiring snapshots %lld..%lld of %s: ", (long long)begin,
                       (long long)end - 1, t->full_name);
        goto done;
    }
    /* 3. snapshot files, oldest first, then the hint */
    for (int64_t id = begin; id < end; id++) {
        char *path = pmn_xasprintf("%s/snapshot/snapshot-%lld", t->path, (long long)id);
        int exists = pmn_fs_exists(path);
        rc = pmn_fs_remove(path);
        free(path);
        if (rc)
            goto done;
        if (exists && res)
            res->snapshots_expired++;
    }
    rc = pmn_snapshot_write_hint(t->path, "EARLIEST", end);
    if (rc)
        goto done;
    /* 4. files nothing retained uses */
    set_seal(&del_data);
    for (size_t i = 0; i < del_data.n; i++) {
        if (set_has(&keep_data, del_data.v[i]))
            continue;
        if (pmn_fs_exists(del_data.v[i]) && pmn_fs_remove(del_data.v[i]) == 0 && res)
            res->data_files_deleted++;
    }
    set_seal(&del_index);
    for (size_t i = 0; i < del_index.n; i++) {
        if (set_has(&keep_index, del_index.v[i]))
            continue;
        if (pmn_fs_exists(del_index.v[i]) && pmn_fs_remove(del_index.v[i]) == 0 && res)
            res->index_files_deleted++;
    }
    set_seal(&del_meta);
    for (size_t i = 0; i < del_meta.n; i++) {
        if (set_has(&keep_meta, del_meta.v[i]))
            continue;
        char *path = pmn_xasprintf("%s/manifest/%s", t->path, del_meta.v[i]);
        if (pmn_fs_exists(path) && pmn_fs_remove(path) == 0 && res)
            res->manifests_deleted++;
        free(path);
    }
done:
    free_tags(tags, ntags);
    set_dispose(&keep_data);
    set_dispose(&keep_meta);
    set_dispose(&del_data);
    set_dispose(&del_meta);
    set_dispose(&keep_index);
    set_dispose(&del_index);
    return rc;
}

/* expire: pmn_table_expire with the retention options taken from o. */
static int expire(pmn_table *t, const pmn_options *o, pmn_expire_result *res)
{
    pmn_expire_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    int64_t retain_min = 10, retain_max = INT32_MAX, time_retained = 3600 * 1000LL, limit = 10;
    int rc = pmn_options_get_int64(o, "snapshot.num-retained.min", 10, &retain_min);
    if (rc == 0)
        rc = pmn_options_get_int64(o, "snapshot.num-retained.max", INT32_MAX, &retain_max);
    if (rc == 0)
        rc = pmn_options_get_duration(o, "snapshot.time-retained", 3600 * 1000LL, &time_retained);
    if (rc == 0)
        rc = pmn_options_get_int64(o, "snapshot.expire.limit", 10, &limit);
    if (rc)
        return pmn_error_wrap("table %s: ", t->full_name);
    if (retain_min < 1)
        retain_min = 1;
    if (retain_max < retain_min)
        retain_max = retain_min;
    if (limit < 1)
        limit = 1;
    int64_t earliest = 0, latest = 0;
    rc = pmn_snapshot_earliest_id(t->path, &earliest);
    if (rc == 0)
        rc = pmn_snapshot_latest_id(t->path, &latest);
    if (rc)
        return rc;
    res->earliest = earliest;
    if (latest == 0 || earliest == 0)
        return 0;
    int64_t cmin;
    rc = consumer_min(t, &cmin);
    if (rc)
        return rc;
    int64_t min_id = latest - retain_max + 1 > earliest ? latest - retain_max + 1 : earliest;
    int64_t max_excl = latest - retain_min + 1;
    if (cmin < max_excl)
        max_excl = cmin;
    if (earliest + limit < max_excl)
        max_excl = earliest + limit;
    int64_t end = max_excl;
    int64_t older_than = pmn_now_millis() - time_retained;
    for (int64_t id = min_id; id < max_excl; id++) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(t->path, id, &s);
        if (rc == PMN_ENOTFOUND) {
            pmn_error_clear();
            continue;
        }
        if (rc)
            return rc;
        bool young = older_than <= s->time_millis;
        pmn_snapshot_free(s);
        if (young) {
            end = id;
            break;
        }
    }
    if (end <= earliest)
        return 0;
    rc = expire_until(t, earliest, end, latest, res);
    if (rc == 0) {
        res->earliest = end;
        pmn_log_debug("%s: expired snapshots %lld..%lld", t->full_name, (long long)earliest,
                      (long long)end - 1);
    }
    return rc;
}

int pmn_table_expire(pmn_table *t, pmn_expire_result *res)
{
    return expire(t, &t->schema->options, res);
}

int pmn_table_expire_with(pmn_table *t, const pmn_kv *overrides, size_t n, pmn_expire_result *res)
{
    pmn_options o;
    pmn_options_init(&o);
    pmn_options_copy(&o, &t->schema->options);
    for (size_t i = 0; i < n; i++)
        pmn_options_set(&o, overrides[i].key, overrides[i].value);
    int rc = expire(t, &o, res);
    pmn_options_dispose(&o);
    return rc;
}

/* ---- a reader that finds a file gone ---- */

int pmn_table_expired_error(pmn_table *t, int64_t snapshot_id, int rc)
{
    if (rc != PMN_ENOTFOUND || snapshot_id <= 0)
        return rc;
    char *path = pmn_xasprintf("%s/snapshot/snapshot-%lld", t->path, (long long)snapshot_id);
    int exists = pmn_fs_exists(path);
    free(path);
    if (exists)
        return rc;
    int64_t earliest = 0;
    pmn_snapshot_earliest_id(t->path, &earliest);
    return pmn_error_set(PMN_ENOTFOUND,
                         "snapshot %lld of %s has expired while being read; the earliest "
                         "snapshot is %lld",
                         (long long)snapshot_id, t->full_name, (long long)earliest);
}

/* ---- orphan files ---- */

typedef struct orphan_walk {
    pmn_table *t;
    strset *refs_data; /* full paths */
    strset *refs_meta; /* names in manifest/ */
    int64_t cutoff_ms; /* mtime older than this */
    int64_t removed;
} orphan_walk;

static bool old_enough(const char *path, int64_t cutoff_ms)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    return mtime < cutoff_ms;
}

static bool is_tmp(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' && n > 4 && strcmp(name + n - 4, ".tmp") == 0;
}

static void remove_if_old(orphan_walk *w, const char *path)
{
    if (old_enough(path, w->cutoff_ms) && pmn_fs_remove(path) == 0) {
        pmn_log_info("removed orphan file %s", path);
        w->removed++;
    }
}

/* walk_data: partition directories and bucket-N directories under dir. */
static int walk_data(orphan_walk *w, const char *dir, int depth)
{
    char **names;
    size_t n;
    int rc = pmn_fs_list(dir, &names, &n);
    if (rc)
        return rc;
    bool bucket_dir = strncmp(strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir, "bucket-", 7) == 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = pmn_path_join(dir, names[i]);
        if (pmn_fs_is_dir(path)) {
            bool skip =
                depth == 0 && (!strcmp(names[i], "snapshot") || !strcmp(names[i], "manifest") ||
                               !strcmp(names[i], "schema") || !strcmp(names[i], "tag") ||
                               !strcmp(names[i], "consumer") || !strcmp(names[i], "index") ||
                               !strcmp(names[i], "statistics") || !strcmp(names[i], "branch") ||
                               !strcmp(names[i], "changelog"));
            if (!skip && depth < 64)
                rc = walk_data(w, path, depth + 1);
        } else if (bucket_dir && !set_has(w->refs_data, path)) {
            remove_if_old(w, path);
        }
        free(path);
    }
    pmn_fs_list_free(names, n);
    return rc;
}

/* remove_tmp_in: leftover .*.tmp files of interrupted atomic writes in table/sub. */
static void remove_tmp_in(orphan_walk *w, const char *sub)
{
    char *dir = pmn_path_join(w->t->path, sub);
    char **names;
    size_t n;
    if (pmn_fs_list(dir, &names, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (is_tmp(names[i])) {
                char *path = pmn_path_join(dir, names[i]);
                remove_if_old(w, path);
                free(path);
            }
        }
        pmn_fs_list_free(names, n);
    } else {
        pmn_error_clear();
    }
    free(dir);
}

/* remove_unreferenced_in: files in table/sub that nothing references (index/: index files
 * no retained index manifest names, as Java's orphan clean). */
static void remove_unreferenced_in(orphan_walk *w, const char *sub)
{
    char *dir = pmn_path_join(w->t->path, sub);
    char **names;
    size_t n;
    if (pmn_fs_list(dir, &names, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            char *path = pmn_path_join(dir, names[i]);
            if (!pmn_fs_is_dir(path) && !set_has(w->refs_data, path))
                remove_if_old(w, path);
            free(path);
        }
        pmn_fs_list_free(names, n);
    } else {
        pmn_error_clear();
    }
    free(dir);
}

/* collect_refs: every data file live in some existing snapshot or tag and every index file
 * their index manifests name (paths), and every manifest list / manifest / index manifest
 * they use (names). Live sets of consecutive
 * snapshots differ by their deltas, so only the first of a run of ids is planned in full. */
static int collect_refs(pmn_table *t, strset *data, strset *meta)
{
    int64_t *ids = NULL;
    size_t nids = 0;
    pmn_snapshot **tags = NULL;
    size_t ntags = 0;
    int rc = pmn_snapshot_list_ids(t->path, &ids, &nids);
    if (rc == 0)
        rc = load_tags(t, &tags, &ntags);
    int64_t prev = -1;
    for (size_t i = 0; rc == 0 && i < nids; i++) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(t->path, ids[i], &s);
        if (rc == PMN_ENOTFOUND) { /* expired meanwhile */
            pmn_error_clear();
            rc = 0;
            continue;
        }
        if (rc)
            break;
        rc = add_metadata_refs(t, s, meta);
        if (rc == 0)
            rc = add_index_files(t, s, false, data);
        if (rc == 0)
            rc = add_changelog_files(t, s, data);
        if (rc == 0)
            rc = ids[i] == prev + 1 ? add_delta_entries(t, s, PMN_FILE_ADD, data)
                                    : add_live_files(t, s, data);
        prev = ids[i];
        pmn_snapshot_free(s);
    }
    for (size_t i = 0; rc == 0 && i < ntags; i++) {
        rc = add_metadata_refs(t, tags[i], meta);
        if (rc == 0)
            rc = add_index_files(t, tags[i], false, data);
        if (rc == 0)
            rc = add_live_files(t, tags[i], data);
    }
    free(ids);
    free_tags(tags, ntags);
    set_seal(data);
    set_seal(meta);
    return rc;
}

int pmn_table_clean_after_tag(pmn_table *t, pmn_snapshot *gone)
{
    strset keep_data = {0}, keep_meta = {0}, data = {0}, meta = {0};
    int rc = collect_refs(t, &keep_data, &keep_meta);
    if (rc == 0)
        rc = add_live_files(t, gone, &data);
    if (rc == 0)
        rc = add_index_files(t, gone, true, &data);
    if (rc == 0)
        rc = add_metadata_refs(t, gone, &meta);
    if (rc == 0) {
        set_seal(&data);
        set_seal(&meta);
        for (size_t i = 0; i < data.n; i++)
            if (!set_has(&keep_data, data.v[i]))
                pmn_fs_remove(data.v[i]);
        for (size_t i = 0; i < meta.n; i++) {
            if (set_has(&keep_meta, meta.v[i]))
                continue;
            char *path = pmn_xasprintf("%s/manifest/%s", t->path, meta.v[i]);
            pmn_fs_remove(path);
            free(path);
        }
    }
    set_dispose(&keep_data);
    set_dispose(&keep_meta);
    set_dispose(&data);
    set_dispose(&meta);
    return rc;
}

int pmn_table_remove_orphans(pmn_table *t, int64_t older_than_ms, int64_t *removed)
{
    if (removed)
        *removed = 0;
    strset meta = {0}, data = {0};
    /* the cutoff is taken before anything is read: files written after it are young */
    orphan_walk w = {.t = t,
                     .refs_data = &data,
                     .refs_meta = &meta,
                     .cutoff_ms = pmn_now_millis() - (older_than_ms > 0 ? older_than_ms : 0)};
    int rc = collect_refs(t, &data, &meta);
    if (rc == 0) {
        set_seal(&data);
        char *mdir = pmn_path_join(t->path, "manifest");
        char **names;
        size_t n;
        if (pmn_fs_list(mdir, &names, &n) == 0) {
            for (size_t i = 0; i < n; i++) {
                if (set_has(&meta, names[i]))
                    continue;
                char *path = pmn_path_join(mdir, names[i]);
                remove_if_old(&w, path);
                free(path);
            }
            pmn_fs_list_free(names, n);
        } else {
            pmn_error_clear();
        }
        free(mdir);
        const char *subs[] = {"snapshot", "tag", "schema", "consumer"};
        for (size_t i = 0; i < 4; i++)
            remove_tmp_in(&w, subs[i]);
        remove_unreferenced_in(&w, "index");
        rc = walk_data(&w, t->path, 0);
    }
    if (rc)
        pmn_error_wrap("removing orphan files of %s: ", t->full_name);
    if (removed)
        *removed = w.removed;
    set_dispose(&meta);
    set_dispose(&data);
    return rc;
}
