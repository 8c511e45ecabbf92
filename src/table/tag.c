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
            return pmn_error_set(PMN_EINVALID, "table %s: invalid tag name '%s'", t->full_name,
                                 name);
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
            return pmn_error_set(PMN_ENOTFOUND, "table %s has no snapshot to tag", t->full_name);
    }
    pmn_snapshot *s;
    rc = pmn_snapshot_read(t->path, snapshot_id, &s);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "table %s has no snapshot %lld to tag", t->full_name,
                             (long long)snapshot_id);
    if (rc)
        return rc;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    localtime_r(&secs, &tm);
    free(s->tag_create_time);
    s->tag_create_time =
        pmn_xasprintf("[%d,%d,%d,%d,%d,%d,%ld]", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec * 1000L);
    char *json = pmn_snapshot_to_json(s);
    pmn_snapshot_free(s);
    char *dir = pmn_path_join(t->path, "tag");
    rc = pmn_fs_mkdir_p(dir);
    if (rc == 0) {
        char *path = pmn_xasprintf("%s/tag-%s", dir, name);
        rc = pmn_fs_create_file(path, json, strlen(json));
        free(path);
        if (rc == PMN_EEXISTS)
            rc = pmn_error_set(PMN_EEXISTS, "table %s already has a tag named %s", t->full_name,
                               name);
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

/* ---- automatic tags (tag.automatic-creation = process-time) ---- */

/* period_ms: tag.creation-period in milliseconds, or 0 if unsupported. */
static int64_t period_ms(const char *period)
{
    if (!period || !strcmp(period, "daily"))
        return 24LL * 3600 * 1000;
    if (!strcmp(period, "hourly"))
        return 3600LL * 1000;
    if (!strcmp(period, "two-hours"))
        return 2 * 3600LL * 1000;
    return 0;
}

/* auto_tag_name: Java's with_dashes formatter of the period starting at local time `start`. */
static void auto_tag_name(int64_t start_local_ms, bool daily, char *out, size_t cap)
{
    time_t secs = (time_t)(start_local_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm); /* start_local_ms is local wall-clock time encoded as UTC */
    if (daily)
        strftime(out, cap, "%Y-%m-%d", &tm);
    else
        strftime(out, cap, "%Y-%m-%d %H", &tm);
}

static bool is_auto_tag_name(const char *name, bool daily)
{
    size_t n = strlen(name);
    if (n != (daily ? 10u : 13u))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool digit = c >= '0' && c <= '9';
        if ((i == 4 || i == 7) ? c != '-' : i == 10 ? c != ' ' : !digit)
            return false;
    }
    return true;
}

int pmn_table_auto_tag(pmn_table *t, int64_t now_ms)
{
    const char *mode = pmn_options_get(&t->schema->options, "tag.automatic-creation");
    if (!mode || !strcmp(mode, "none"))
        return 0;
    if (strcmp(mode, "process-time") != 0)
        return pmn_error_set(PMN_EINVALID,
                             "table %s: tag.automatic-creation = %s is not supported (none, "
                             "process-time)",
                             t->full_name, mode);
    const char *period_opt = pmn_options_get(&t->schema->options, "tag.creation-period");
    int64_t period = period_ms(period_opt);
    if (period == 0)
        return pmn_error_set(PMN_EINVALID,
                             "table %s: tag.creation-period = %s is not supported (daily, "
                             "hourly, two-hours)",
                             t->full_name, period_opt);
    bool daily = period == 24LL * 3600 * 1000;
    int64_t delay = 0, retain = 0;
    int rc = pmn_options_get_duration(&t->schema->options, "tag.creation-delay", 0, &delay);
    if (rc == 0)
        rc = pmn_options_get_int64(&t->schema->options, "tag.num-retained-max", 0, &retain);
    if (rc)
        return pmn_error_wrap("table %s: ", t->full_name);
    /* periods are in local wall-clock time, like Java's LocalDateTime */
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    int64_t local_now = now_ms + (int64_t)tm.tm_gmtoff * 1000 - delay;
    int64_t cur_start = local_now - ((local_now % period) + period) % period;
    int64_t done_start = cur_start - period; /* the last period that has ended */
    char name[32];
    auto_tag_name(done_start, daily, name, sizeof name);
    char *path = pmn_xasprintf("%s/tag/tag-%s", t->path, name);
    int exists = pmn_fs_exists(path);
    free(path);
    if (!exists) {
        /* tag it only if the table had data before that period ended */
        int64_t earliest = 0;
        rc = pmn_snapshot_earliest_id(t->path, &earliest);
        pmn_snapshot *first = NULL;
        if (rc == 0 && earliest > 0)
            rc = pmn_snapshot_read(t->path, earliest, &first);
        if (rc)
            return rc;
        if (first) {
            int64_t first_local = first->time_millis + (int64_t)tm.tm_gmtoff * 1000;
            pmn_snapshot_free(first);
            if (first_local < cur_start) {
                rc = pmn_table_create_tag(t, name, 0);
                if (rc == PMN_EEXISTS) { /* another writer was first */
                    pmn_error_clear();
                    rc = 0;
                }
                if (rc)
                    return rc;
            }
        }
    }
    if (retain > 0) {
        char **names;
        int64_t *ids;
        size_t n;
        rc = pmn_table_tags(t, &names, &ids, &n);
        if (rc)
            return rc;
        size_t nauto = 0;
        for (size_t i = 0; i < n; i++)
            nauto += is_auto_tag_name(names[i], daily);
        /* names sort by time: drop the oldest automatic tags beyond the limit */
        for (size_t i = 0; i < n && rc == 0 && nauto > (size_t)retain; i++) {
            if (!is_auto_tag_name(names[i], daily))
                continue;
            rc = pmn_table_delete_tag(t, names[i]);
            nauto--;
        }
        pmn_strings_free(names, n);
        free(ids);
    }
    return rc;
}
