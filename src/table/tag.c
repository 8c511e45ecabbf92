/*
 * src/table/tag.c
 *
 * Tags (paimon-format.md §9; Java's TagManager): tag/tag-NAME holds the JSON
 * of the tagged snapshot plus tagCreateTime (a Java LocalDateTime as
 * [year, month, day, hour, minute, second, nanos]). A tag keeps its snapshot's
 * files alive through expiry (expire.c) and is read with pmn_scan_options.tag.
 */
#include "table/compact.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int check_name(const pmn_table *t, const char *name)
{
    if (!name || !name[0] || strchr(name, '/') || name[0] == '.' || strlen(name) > 200)
        return pmn_error_set(PMN_EINVALID, "table %s: invalid tag name '%s'", t->full_name,
                             name ? name : "");
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20)
            return pmn_error_set(PMN_EINVALID, "table %s: invalid tag name '%s'",
                                 t->full_name, name);
    return 0;
}

int pmn_table_create_tag(pmn_table *t, const char *name, int64_t snapshot_id)
{
    int rc = check_name(t, name);
    if (rc)
        return rc;
    if (snapshot_id <= 0) {
        rc = pmn_snapshot_latest_id(t->path, &snapshot_id);
        if (rc)
            return rc;
        if (snapshot_id == 0)
            return pmn_error_set(PMN_ENOTFOUND, "table %s has no snapshot to tag",
                                 t->full_name);
    }
    pmn_snapshot *s;
    rc = pmn_snapshot_read(t->path, snapshot_id, &s);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "table %s has no snapshot %lld to tag",
                             t->full_name, (long long)snapshot_id);
    if (rc)
        return rc;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    localtime_r(&secs, &tm);
    free(s->tag_create_time);
    s->tag_create_time = pmn_xasprintf("[%d,%d,%d,%d,%d,%d,%ld]", tm.tm_year + 1900,
                                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                       tm.tm_sec, (long)tv.tv_usec * 1000L);
    char *json = pmn_snapshot_to_json(s);
    pmn_snapshot_free(s);
    char *dir = pmn_path_join(t->path, "tag");
    rc = pmn_fs_mkdir_p(dir);
    if (rc == 0) {
        char *path = pmn_xasprintf("%s/tag-%s", dir, name);
        rc = pmn_fs_create_file(path, json, strlen(json));
        free(path);
        if (rc == PMN_EEXISTS)
            rc = pmn_error_set(PMN_EEXISTS, "table %s already has a tag named %s",
                               t->full_name, name);
    }
    free(dir);
    free(json);
    return rc;
}

int pmn_table_delete_tag(pmn_table *t, const char *name)
{
    int rc = check_name(t, name);
    if (rc)
        return rc;
    pmn_snapshot *tag;
    rc = pmn_tag_read(t->path, name, &tag);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "table %s has no tag named %s", t->full_name, name);
    if (rc)
        return rc;
    char *path = pmn_xasprintf("%s/tag/tag-%s", t->path, name);
    rc = pmn_fs_remove(path);
    free(path);
    if (rc == 0) {
        char *dir = pmn_path_join(t->path, "tag");
        rc = pmn_fs_fsync_dir(dir);
        free(dir);
    }
    /* like Java's tag deletion: free what only this tag kept (a failure only leaves
     * orphans) */
    if (rc == 0 && pmn_table_clean_after_tag(t, tag) != 0) {
        pmn_log_warn("deleting tag %s of %s: %s", name, t->full_name, pmn_error_last());
        pmn_error_clear();
    }
    pmn_snapshot_free(tag);
    return rc;
}

int pmn_table_tags(pmn_table *t, char ***names, int64_t **snapshot_ids, size_t *count)
{
    *names = NULL;
    *snapshot_ids = NULL;
    *count = 0;
    char **v;
    size_t n;
    int rc = pmn_tag_list(t->path, &v, &n);
    if (rc)
        return rc;
    int64_t *ids = pmn_xcalloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n && rc == 0; i++) {
        pmn_snapshot *s;
        rc = pmn_tag_read(t->path, v[i], &s);
        if (rc == 0) {
            ids[i] = s->id;
            pmn_snapshot_free(s);
        }
    }
    if (rc) {
        pmn_strings_free(v, n);
        free(ids);
        return rc;
    }
    *names = v;
    *snapshot_ids = ids;
    *count = n;
    return 0;
}
