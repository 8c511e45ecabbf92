/*
 * src/paimon/snapshot.c
 *
 * snapshot/snapshot-N JSON (paimon-format.md §3.1; org.apache.paimon.Snapshot,
 * read as written by 0.9 and 1.0-1.4, unknown keys ignored like Java's
 * @JsonIgnoreProperties(ignoreUnknown = true); written with the 0.9 key set
 * plus the 1.1+ *ManifestListSize keys and 1.2+ "properties" when known),
 * SnapshotManager's LATEST/EARLIEST hint logic and create-if-absent publish
 * (§3.3), time travel by timestamp and tag files (§9; org.apache.paimon.tag.Tag).
 */
#include "paimon/snapshot.h"

#include "paimon/json_writer.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------------------------------- */
/* JSON model                                                                               */

static int get_long(const json_t *root, const char *key, bool required, bool *present, int64_t *out)
{
    const json_t *v = json_object_get(root, key);
    if (present)
        *present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return pmn_error_set(PMN_ECORRUPT, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_integer(v))
        return pmn_error_set(PMN_ECORRUPT, "\"%s\" must be an integer", key);
    *out = (int64_t)json_integer_value(v);
    if (present)
        *present = true;
    return 0;
}

/* get_string: *out = copy, or NULL when absent/null (an error if required). */
static int get_string(const json_t *root, const char *key, bool required, char **out)
{
    const json_t *v = json_object_get(root, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return pmn_error_set(PMN_ECORRUPT, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_string(v))
        return pmn_error_set(PMN_ECORRUPT, "\"%s\" must be a string", key);
    *out = pmn_xstrdup(json_string_value(v));
    return 0;
}

static bool valid_commit_kind(const char *k)
{
    return !strcmp(k, "APPEND") || !strcmp(k, "COMPACT") || !strcmp(k, "OVERWRITE") ||
           !strcmp(k, "ANALYZE");
}

/* raw_number: the number text that follows the key "name" in the JSON source, so that
 * 86400.000000000 survives a read/write cycle as written; NULL if not found. The
 * document has been parsed already, so a bare-quoted key followed by ':' is a real key. */
static char *raw_number(const char *json, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 2 <= len; i++) {
        if (json[i] != '"' || (i > 0 && json[i - 1] == '\\') ||
            memcmp(json + i + 1, name, nl) != 0 || json[i + 1 + nl] != '"')
            continue;
        size_t j = i + nl + 2;
        while (j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
            j++;
        if (j >= len || json[j] != ':')
            continue;
        for (j++;
             j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r');
             j++)
            ;
        size_t k = j;
        while (k < len && strchr("+-0123456789.eE", json[k]) && json[k])
            k++;
        if (k > j)
            return pmn_xstrndup(json + j, k - j);
    }
    return NULL;
}

static int parse_root(const json_t *root, const char *json, size_t len, pmn_snapshot *s)
{
    int rc;
    int64_t v = 1;
    if (!json_is_object(root))
        return pmn_error_set(PMN_ECORRUPT, "a snapshot must be a JSON object");
    if ((rc = get_long(root, "version", false, NULL, &v)))
        return rc;
    if (v < INT32_MIN || v > INT32_MAX)
        return pmn_error_set(PMN_ECORRUPT, "\"version\" out of range");
    s->version = (int32_t)v;
    if ((rc = get_long(root, "id", true, NULL, &s->id)) ||
        (rc = get_long(root, "schemaId", true, NULL, &s->schema_id)) ||
        (rc = get_string(root, "baseManifestList", true, &s->base_manifest_list)) ||
        (rc = get_long(root, "baseManifestListSize", false, NULL, &s->base_manifest_list_size)) ||
        (rc = get_string(root, "deltaManifestList", true, &s->delta_manifest_list)) ||
        (rc = get_long(root, "deltaManifestListSize", false, NULL, &s->delta_manifest_list_size)) ||
        (rc = get_string(root, "changelogManifestList", false, &s->changelog_manifest_list)) ||
        (rc = get_long(root, "changelogManifestListSize", false, NULL,
                       &s->changelog_manifest_list_size)) ||
        (rc = get_string(root, "indexManifest", false, &s->index_manifest)) ||
        (rc = get_string(root, "commitUser", true, &s->commit_user)) ||
        (rc = get_long(root, "commitIdentifier", true, NULL, &s->commit_identifier)) ||
        (rc = get_string(root, "commitKind", true, &s->commit_kind)) ||
        (rc = get_long(root, "timeMillis", true, NULL, &s->time_millis)) ||
        (rc = get_long(root, "totalRecordCount", false, &s->has_total_record_count,
                       &s->total_record_count)) ||
        (rc = get_long(root, "deltaRecordCount", false, &s->has_delta_record_count,
                       &s->delta_record_count)) ||
        (rc = get_long(root, "changelogRecordCount", false, &s->has_changelog_record_count,
                       &s->changelog_record_count)) ||
        (rc = get_long(root, "watermark", false, &s->has_watermark, &s->watermark)) ||
        (rc = get_string(root, "statistics", false, &s->statistics)))
        return rc;
    if (!valid_commit_kind(s->commit_kind))
        return pmn_error_set(PMN_ECORRUPT, "unknown commitKind \"%s\"", s->commit_kind);
    const json_t *props = json_object_get(root, "properties");
    if (props && !json_is_null(props)) {
        if (!json_is_object(props))
            return pmn_error_set(PMN_ECORRUPT, "\"properties\" must be an object");
        const char *k;
        json_t *pv;
        json_object_foreach((json_t *)props, k, pv)
        {
            if (!json_is_string(pv))
                return pmn_error_set(PMN_ECORRUPT, "property \"%s\" must be a string", k);
            pmn_options_set(&s->properties, k, json_string_value(pv));
        }
    }
    /* tag files: keep the raw JSON (LocalDateTime array, Duration seconds) */
    const json_t *tct = json_object_get(root, "tagCreateTime");
    if (tct && !json_is_null(tct))
        s->tag_create_time = json_dumps(tct, JSON_COMPACT | JSON_ENCODE_ANY);
    const json_t *ttr = json_object_get(root, "tagTimeRetained");
    if (ttr && !json_is_null(ttr)) {
        if (!json_is_number(ttr) && !json_is_string(ttr))
            return pmn_error_set(PMN_ECORRUPT, "\"tagTimeRetained\" must be a number");
        if (json_is_number(ttr))
            s->tag_time_retained = raw_number(json, len, "tagTimeRetained");
        if (!s->tag_time_retained)
            s->tag_time_retained =
                json_dumps(ttr, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    }
    return 0;
}

static pmn_snapshot *snapshot_new(void)
{
    pmn_snapshot *s = pmn_xcalloc(1, sizeof *s);
    s->version = 1;
    s->base_manifest_list_size = -1;
    s->delta_manifest_list_size = -1;
    s->changelog_manifest_list_size = -1;
    pmn_options_init(&s->properties);
    return s;
}

int pmn_snapshot_from_json(const char *json, size_t len, pmn_snapshot **out)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        return pmn_error_set(PMN_ECORRUPT, "invalid JSON at line %d: %s", jerr.line, jerr.text);
    pmn_snapshot *s = snapshot_new();
    int rc = parse_root(root, json, len, s);
    json_decref(root);
    if (rc) {
        pmn_snapshot_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static void put_opt_string(pmn_jw *w, const char *key, const char *v)
{
    pmn_jw_key(w, key);
    if (v)
        pmn_jw_string(w, v);
    else
        pmn_jw_null(w);
}

char *pmn_snapshot_to_json(const pmn_snapshot *s)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_jw w;
    pmn_jw_init(&w, &b);
    pmn_jw_begin_object(&w);
    pmn_jw_key(&w, "version");
    pmn_jw_int(&w, s->version);
    pmn_jw_key(&w, "id");
    pmn_jw_int(&w, s->id);
    pmn_jw_key(&w, "schemaId");
    pmn_jw_int(&w, s->schema_id);
    put_opt_string(&w, "baseManifestList", s->base_manifest_list);
    if (s->base_manifest_list_size >= 0) {
        pmn_jw_key(&w, "baseManifestListSize");
        pmn_jw_int(&w, s->base_manifest_list_size);
    }
    put_opt_string(&w, "deltaManifestList", s->delta_manifest_list);
    if (s->delta_manifest_list_size >= 0) {
        pmn_jw_key(&w, "deltaManifestListSize");
        pmn_jw_int(&w, s->delta_manifest_list_size);
    }
    put_opt_string(&w, "changelogManifestList", s->changelog_manifest_list);
    if (s->changelog_manifest_list && s->changelog_manifest_list_size >= 0) {
        pmn_jw_key(&w, "changelogManifestListSize");
        pmn_jw_int(&w, s->changelog_manifest_list_size);
    }
    if (s->index_manifest) {
        pmn_jw_key(&w, "indexManifest");
        pmn_jw_string(&w, s->index_manifest);
    }
    put_opt_string(&w, "commitUser", s->commit_user);
    pmn_jw_key(&w, "commitIdentifier");
    pmn_jw_int(&w, s->commit_identifier);
    put_opt_string(&w, "commitKind", s->commit_kind);
    pmn_jw_key(&w, "timeMillis");
    pmn_jw_int(&w, s->time_millis);
    pmn_jw_key(&w, "logOffsets");
    pmn_jw_begin_object(&w);
    pmn_jw_end_object(&w);
    /* 0.9 declares these two as nullable Long and writes null */
    pmn_jw_key(&w, "totalRecordCount");
    if (s->has_total_record_count)
        pmn_jw_int(&w, s->total_record_count);
    else
        pmn_jw_null(&w);
    pmn_jw_key(&w, "deltaRecordCount");
    if (s->has_delta_record_count)
        pmn_jw_int(&w, s->delta_record_count);
    else
        pmn_jw_null(&w);
    if (s->has_changelog_record_count) {
        pmn_jw_key(&w, "changelogRecordCount");
        pmn_jw_int(&w, s->changelog_record_count);
    }
    if (s->has_watermark) {
        pmn_jw_key(&w, "watermark");
        pmn_jw_int(&w, s->watermark);
    }
    if (s->statistics) {
        pmn_jw_key(&w, "statistics");
        pmn_jw_string(&w, s->statistics);
    }
    if (s->properties.n) {
        pmn_jw_key(&w, "properties");
        pmn_jw_begin_object(&w);
        for (size_t i = 0; i < s->properties.n; i++) {
            pmn_jw_key(&w, s->properties.keys[i]);
            pmn_jw_string(&w, s->properties.values[i]);
        }
        pmn_jw_end_object(&w);
    }
    if (s->tag_create_time) {
        json_t *v = json_loads(s->tag_create_time, JSON_DECODE_ANY, NULL);
        pmn_jw_key(&w, "tagCreateTime");
        if (v)
            pmn_jw_json(&w, v);
        else
            pmn_jw_null(&w);
        json_decref(v);
    }
    if (s->tag_time_retained) {
        pmn_jw_key(&w, "tagTimeRetained");
        pmn_jw_raw(&w, s->tag_time_retained);
    }
    pmn_jw_end_object(&w);
    pmn_jw_dispose(&w);
    return (char *)pmn_buf_detach(&b, NULL);
}

void pmn_snapshot_free(pmn_snapshot *s)
{
    if (!s)
        return;
    free(s->base_manifest_list);
    free(s->delta_manifest_list);
    free(s->changelog_manifest_list);
    free(s->index_manifest);
    free(s->commit_user);
    free(s->commit_kind);
    free(s->statistics);
    pmn_options_dispose(&s->properties);
    free(s->tag_create_time);
    free(s->tag_time_retained);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Files and hints (SnapshotManager)                                                        */

static char *snapshot_path(const char *table_path, int64_t id)
{
    return pmn_xasprintf("%s/snapshot/snapshot-%" PRId64, table_path, id);
}

static bool snapshot_exists(const char *table_path, int64_t id)
{
    char *p = snapshot_path(table_path, id);
    bool e = pmn_fs_exists(p) == 1;
    free(p);
    return e;
}

int pmn_snapshot_read(const char *table_path, int64_t id, pmn_snapshot **out)
{
    *out = NULL;
    char *path = snapshot_path(table_path, id);
    char *data;
    size_t len;
    int rc = pmn_fs_read_file(path, &data, &len);
    free(path);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "snapshot/snapshot-%" PRId64 " of %s: not found", id,
                             table_path);
    if (rc)
        return rc;
    rc = pmn_snapshot_from_json(data, len, out);
    free(data);
    if (rc)
        return pmn_error_wrap("snapshot/snapshot-%" PRId64 " of %s: ", id, table_path);
    return 0;
}

int pmn_snapshot_list_ids(const char *table_path, int64_t **ids, size_t *count)
{
    char *dir = pmn_path_join(table_path, "snapshot");
    int rc = pmn_fs_list_numbered(dir, "snapshot-", ids, count);
    free(dir);
    return rc;
}

/* read_hint: the id in snapshot/<name>, or -1 if the file is absent or not a plain decimal
 * (SnapshotManager.readHint returns null then and the caller lists the directory). */
static int64_t read_hint(const char *table_path, const char *name)
{
    char *path = pmn_xasprintf("%s/snapshot/%s", table_path, name);
    char *data;
    size_t len;
    int rc = pmn_fs_read_file(path, &data, &len);
    free(path);
    if (rc) {
        pmn_error_clear();
        return -1;
    }
    int64_t id = len > 0 && len < 20 && strlen(data) == len ? pmn_fs_numbered_id(data, "") : -1;
    free(data);
    return id;
}

/* list_extreme: min or max listed id, 0 when there is none. */
static int list_extreme(const char *table_path, bool want_max, int64_t *id)
{
    int64_t *ids;
    size_t n;
    int rc = pmn_snapshot_list_ids(table_path, &ids, &n);
    if (rc)
        return rc;
    *id = n == 0 ? 0 : want_max ? ids[n - 1] : ids[0];
    free(ids);
    return 0;
}

int pmn_snapshot_latest_id(const char *table_path, int64_t *id)
{
    int64_t h = read_hint(table_path, "LATEST");
    /* Java trusts h when snapshot-(h+1) is absent; we also require snapshot-h itself, so a
     * hint pointing past the end (garbage, or a table restored from backup) is not trusted. */
    if (h > 0 && h < INT64_MAX && !snapshot_exists(table_path, h + 1) &&
        snapshot_exists(table_path, h)) {
        *id = h;
        return 0;
    }
    return list_extreme(table_path, true, id);
}

int pmn_snapshot_earliest_id(const char *table_path, int64_t *id)
{
    int64_t e = read_hint(table_path, "EARLIEST");
    if (e > 0 && snapshot_exists(table_path, e)) {
        *id = e;
        return 0;
    }
    return list_extreme(table_path, false, id);
}

int pmn_snapshot_write_hint(const char *table_path, const char *hint, int64_t id)
{
    if (strcmp(hint, "LATEST") != 0 && strcmp(hint, "EARLIEST") != 0)
        return pmn_error_set(PMN_EINVALID, "unknown snapshot hint '%s' (LATEST or EARLIEST)", hint);
    char *path = pmn_xasprintf("%s/snapshot/%s", table_path, hint);
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRId64, id);
    int rc = pmn_fs_write_file(path, text, (size_t)n);
    free(path);
    return rc;
}

int pmn_snapshot_publish(const char *table_path, const pmn_snapshot *s)
{
    if (s->id < 1)
        return pmn_error_set(PMN_EINVALID, "snapshot id %" PRId64 " is invalid (ids start at 1)",
                             s->id);
    char *dir = pmn_path_join(table_path, "snapshot");
    int rc = pmn_fs_mkdir_p(dir);
    free(dir);
    if (rc)
        return rc;
    char *path = snapshot_path(table_path, s->id);
    char *json = pmn_snapshot_to_json(s);
    rc = pmn_fs_create_file(path, json, strlen(json));
    free(json);
    free(path);
    if (rc == PMN_EEXISTS)
        return pmn_error_set(PMN_ECONFLICT,
                             "snapshot/snapshot-%" PRId64 " of %s already exists: another writer "
                             "committed first",
                             s->id, table_path);
    if (rc)
        return pmn_error_wrap("publishing snapshot %" PRId64 " of %s: ", s->id, table_path);
    /* the hint is an optimisation; readers verify it, so a failure is only logged */
    if (pmn_snapshot_write_hint(table_path, "LATEST", s->id) != 0) {
        pmn_log_warn("cannot update snapshot/LATEST of %s: %s", table_path, pmn_error_last());
        pmn_error_clear();
    }
    return 0;
}

/* format_millis: "2024-01-01 12:00:00.123 UTC" for messages. */
static void format_millis(int64_t ms, char *out, size_t cap)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(out, cap, "%" PRId64 " ms", ms);
        return;
    }
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03d UTC", date, (int)(ms - (int64_t)secs * 1000));
}

static int snapshot_time(const char *table_path, int64_t id, int64_t *t)
{
    pmn_snapshot *s;
    int rc = pmn_snapshot_read(table_path, id, &s);
    if (rc)
        return rc;
    *t = s->time_millis;
    pmn_snapshot_free(s);
    return 0;
}

int pmn_snapshot_id_at_time(const char *table_path, int64_t t, int64_t *id)
{
    int64_t *ids;
    size_t n;
    int rc = pmn_snapshot_list_ids(table_path, &ids, &n);
    if (rc)
        return rc;
    if (n == 0) {
        free(ids);
        return pmn_error_set(PMN_ENOTFOUND, "%s has no snapshot", table_path);
    }
    int64_t first_time;
    if ((rc = snapshot_time(table_path, ids[0], &first_time))) {
        free(ids);
        return rc;
    }
    if (first_time > t) {
        char want[64], first[64];
        format_millis(t, want, sizeof want);
        format_millis(first_time, first, sizeof first);
        rc = pmn_error_set(PMN_ENOTFOUND,
                           "%s has no snapshot at or before %" PRId64 " (%s): the earliest "
                           "snapshot %" PRId64 " was committed at %" PRId64 " (%s)",
                           table_path, t, want, ids[0], first_time, first);
        free(ids);
        return rc;
    }
    /* timeMillis is non-decreasing in id: find the last index whose time is <= t */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        int64_t mt;
        if ((rc = snapshot_time(table_path, ids[mid], &mt))) {
            free(ids);
            return rc;
        }
        if (mt <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    *id = ids[lo];
    free(ids);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tags                                                                                     */

int pmn_tag_read(const char *table_path, const char *name, pmn_snapshot **out)
{
    *out = NULL;
    if (!name[0] || strchr(name, '/'))
        return pmn_error_set(PMN_EINVALID, "invalid tag name '%s'", name);
    char *path = pmn_xasprintf("%s/tag/tag-%s", table_path, name);
    char *data;
    size_t len;
    int rc = pmn_fs_read_file(path, &data, &len);
    free(path);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "tag '%s' of %s not found", name, table_path);
    if (rc)
        return rc;
    rc = pmn_snapshot_from_json(data, len, out);
    free(data);
    if (rc)
        return pmn_error_wrap("tag/tag-%s of %s: ", name, table_path);
    return 0;
}

int pmn_tag_list(const char *table_path, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    char *dir = pmn_path_join(table_path, "tag");
    char **entries;
    size_t n;
    int rc = pmn_fs_list(dir, &entries, &n);
    free(dir);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        return 0;
    }
    if (rc)
        return rc;
    char **v = pmn_xcalloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(entries[i], "tag-", 4) == 0 && entries[i][4])
            v[k++] = pmn_xstrdup(entries[i] + 4);
    pmn_fs_list_free(entries, n);
    *names = v;
    *count = k;
    return 0;
}
