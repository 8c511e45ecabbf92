/*
 * src/sql/systab.c
 *
 * System tables computed from table metadata; see systab.h. Column sets follow
 * Java Paimon 0.9 (org.apache.paimon.table.system.SnapshotsTable, SchemasTable,
 * OptionsTable, TagsTable, ConsumersTable). Times are TIMESTAMP(3) in the local
 * time zone, as Java converts timeMillis with ZoneId.systemDefault().
 */
#include "sql/systab.h"

#include "paimon/data_type_json.h"
#include "paimon/snapshot.h"
#include "paimon/table_schema.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const pmn_systab_col snapshots_cols[] = {
    {"snapshot_id", "INTEGER BIGINT"},
    {"schema_id", "INTEGER BIGINT"},
    {"commit_user", "TEXT STRING"},
    {"commit_identifier", "INTEGER BIGINT"},
    {"commit_kind", "TEXT STRING"},
    {"commit_time", "TEXT TIMESTAMP(3)"},
    {"base_manifest_list", "TEXT STRING"},
    {"delta_manifest_list", "TEXT STRING"},
    {"changelog_manifest_list", "TEXT STRING"},
    {"total_record_count", "INTEGER BIGINT"},
    {"delta_record_count", "INTEGER BIGINT"},
    {"changelog_record_count", "INTEGER BIGINT"},
    {"watermark", "INTEGER BIGINT"},
};

static const pmn_systab_col schemas_cols[] = {
    {"schema_id", "INTEGER BIGINT"},      {"fields", "TEXT STRING"},
    {"partition_keys", "TEXT STRING"},    {"primary_keys", "TEXT STRING"},
    {"options", "TEXT STRING"},           {"comment", "TEXT STRING"},
    {"update_time", "TEXT TIMESTAMP(3)"},
};

static const pmn_systab_col options_cols[] = {
    {"key", "TEXT STRING"},
    {"value", "TEXT STRING"},
};

static const pmn_systab_col tags_cols[] = {
    {"tag_name", "TEXT STRING"},        {"snapshot_id", "INTEGER BIGINT"},
    {"schema_id", "INTEGER BIGINT"},    {"commit_time", "TEXT TIMESTAMP(3)"},
    {"record_count", "INTEGER BIGINT"}, {"create_time", "TEXT TIMESTAMP(3)"},
    {"time_retained", "TEXT STRING"},
};

static const pmn_systab_col consumers_cols[] = {
    {"consumer_id", "TEXT STRING"},
    {"next_snapshot_id", "INTEGER BIGINT"},
};

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

int pmn_systab_columns(const char *kind, const pmn_systab_col **cols, int *ncols)
{
    if (!strcmp(kind, "snapshots")) {
        *cols = snapshots_cols;
        *ncols = NCOLS(snapshots_cols);
    } else if (!strcmp(kind, "schemas")) {
        *cols = schemas_cols;
        *ncols = NCOLS(schemas_cols);
    } else if (!strcmp(kind, "options")) {
        *cols = options_cols;
        *ncols = NCOLS(options_cols);
    } else if (!strcmp(kind, "tags")) {
        *cols = tags_cols;
        *ncols = NCOLS(tags_cols);
    } else if (!strcmp(kind, "consumers")) {
        *cols = consumers_cols;
        *ncols = NCOLS(consumers_cols);
    } else if (!strcmp(kind, "files") || !strcmp(kind, "manifests") || !strcmp(kind, "audit_log") ||
               !strcmp(kind, "partitions") || !strcmp(kind, "buckets") || !strcmp(kind, "binlog") ||
               !strcmp(kind, "ro") || !strcmp(kind, "branches") || !strcmp(kind, "statistics")) {
        return pmn_error_set(PMN_EINVALID,
                             "system table $%s is not supported by pgpaimon sql yet (supported: "
                             "$snapshots, $schemas, $options, $tags, $consumers)",
                             kind);
    } else {
        return pmn_error_set(PMN_EINVALID,
                             "unknown system table $%s (Paimon system tables: $snapshots, "
                             "$schemas, $options, $tags, $consumers, $files, $manifests, "
                             "$audit_log, ...)",
                             kind);
    }
    return 0;
}

/* ---- building rows ---- */

typedef struct builder {
    pmn_systab_rows *rows; /* destination */
    size_t cap;            /* capacity of rows->vals */
    int col;               /* next column of the current row */
} builder;

static pmn_systab_val *next_val(builder *b)
{
    pmn_systab_rows *r = b->rows;
    if (b->col == 0)
        PMN_GROW(r->vals, b->cap, (r->nrows + 1) * (size_t)r->ncols);
    pmn_systab_val *v = &r->vals[r->nrows * (size_t)r->ncols + (size_t)b->col];
    memset(v, 0, sizeof *v);
    if (++b->col == r->ncols) {
        b->col = 0;
        r->nrows++;
    }
    return v;
}

static void put_int(builder *b, int64_t i)
{
    pmn_systab_val *v = next_val(b);
    v->kind = SQLITE_INTEGER;
    v->i = i;
}

static void put_null(builder *b)
{
    next_val(b)->kind = SQLITE_NULL;
}

/* put_text: takes ownership of s; NULL puts SQL NULL. */
static void put_text_owned(builder *b, char *s)
{
    pmn_systab_val *v = next_val(b);
    v->kind = s ? SQLITE_TEXT : SQLITE_NULL;
    v->s = s;
}

static void put_text(builder *b, const char *s)
{
    put_text_owned(b, s ? pmn_xstrdup(s) : NULL);
}

static char *local_time_text(int64_t millis)
{
    time_t secs = (time_t)(millis >= 0 ? millis / 1000 : (millis - 999) / 1000);
    int ms = (int)(millis - (int64_t)secs * 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    /* the canonical text of sql/value.h: no trailing zeros (printing pads to 3 digits) */
    char frac[8] = "";
    if (ms) {
        snprintf(frac, sizeof frac, ".%03d", ms);
        for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
            frac[n - 1] = '\0';
    }
    return pmn_xasprintf("%04d-%02d-%02d %02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static char *json_compact(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    json_decref(j);
    char *out = pmn_xstrdup(s ? s : "null");
    free(s);
    return out;
}

static json_t *string_array(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int load_snapshots(pmn_table *t, builder *b)
{
    const char *path = pmn_table_path(t);
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = pmn_snapshot_list_ids(path, &ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pmn_snapshot *s;
        rc = pmn_snapshot_read(path, ids[i], &s);
        if (rc == PMN_ENOTFOUND) { /* expired while we listed */
            rc = 0;
            continue;
        }
        if (rc)
            break;
        put_int(b, s->id);
        put_int(b, s->schema_id);
        put_text(b, s->commit_user);
        put_int(b, s->commit_identifier);
        put_text(b, s->commit_kind);
        put_text_owned(b, local_time_text(s->time_millis));
        put_text(b, s->base_manifest_list);
        put_text(b, s->delta_manifest_list);
        put_text(b, s->changelog_manifest_list);
        if (s->has_total_record_count)
            put_int(b, s->total_record_count);
        else
            put_null(b);
        if (s->has_delta_record_count)
            put_int(b, s->delta_record_count);
        else
            put_null(b);
        if (s->has_changelog_record_count)
            put_int(b, s->changelog_record_count);
        else
            put_null(b);
        if (s->has_watermark)
            put_int(b, s->watermark);
        else
            put_null(b);
        pmn_snapshot_free(s);
    }
    free(ids);
    return rc;
}

static int load_schemas(pmn_table *t, builder *b)
{
    const char *path = pmn_table_path(t);
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = pmn_schema_list_ids(path, &ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pmn_schema *s;
        if ((rc = pmn_schema_load(path, ids[i], &s)))
            break;
        put_int(b, s->id);
        put_text_owned(b, json_compact(pmn_row_to_fields_json(s->row)));
        put_text_owned(b, json_compact(string_array(s->partition_keys, s->npartition_keys)));
        put_text_owned(b, json_compact(string_array(s->primary_keys, s->nprimary_keys)));
        json_t *o = json_object();
        for (size_t k = 0; k < s->options.n; k++)
            json_object_set_new(o, s->options.keys[k], json_string(s->options.values[k]));
        put_text_owned(b, json_compact(o));
        put_text(b, s->comment);
        put_text_owned(b, local_time_text(s->time_millis));
        pmn_schema_free(s);
    }
    free(ids);
    return rc;
}

static int load_options(pmn_table *t, builder *b)
{
    const pmn_kv *opts;
    size_t n = pmn_table_options(t, &opts);
    for (size_t i = 0; i < n; i++) {
        put_text(b, opts[i].key);
        put_text(b, opts[i].value);
    }
    return 0;
}

/* tagCreateTime is a Java LocalDateTime array [y, M, d, h, m, s, nanos]. */
static char *tag_create_time(const char *raw)
{
    if (!raw)
        return NULL;
    json_t *j = json_loads(raw, JSON_DECODE_ANY, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return pmn_xstrdup(raw);
    }
    int64_t f[7] = {0, 1, 1, 0, 0, 0, 0};
    for (size_t i = 0; i < 7 && i < json_array_size(j); i++)
        f[i] = json_integer_value(json_array_get(j, i));
    json_decref(j);
    char *t = pmn_xasprintf("%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%03lld", (long long)f[0],
                            (long long)f[1], (long long)f[2], (long long)f[3], (long long)f[4],
                            (long long)f[5], (long long)(f[6] / 1000000));
    size_t n = strlen(t);
    while (t[n - 1] == '0')
        t[--n] = '\0';
    if (t[n - 1] == '.')
        t[--n] = '\0';
    return t;
}

static int load_tags(pmn_table *t, builder *b)
{
    const char *path = pmn_table_path(t);
    char **names = NULL;
    size_t n = 0;
    int rc = pmn_tag_list(path, &names, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pmn_snapshot *s;
        if ((rc = pmn_tag_read(path, names[i], &s)))
            break;
        put_text(b, names[i]);
        put_int(b, s->id);
        put_int(b, s->schema_id);
        put_text_owned(b, local_time_text(s->time_millis));
        if (s->has_total_record_count)
            put_int(b, s->total_record_count);
        else
            put_null(b);
        put_text_owned(b, tag_create_time(s->tag_create_time));
        put_text(b, s->tag_time_retained);
        pmn_snapshot_free(s);
    }
    pmn_strings_free(names, n);
    return rc;
}

static int load_consumers(pmn_table *t, builder *b)
{
    char *dir = pmn_path_join(pmn_table_path(t), "consumer");
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    if (pmn_fs_is_dir(dir) > 0)
        rc = pmn_fs_list(dir, &names, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strncmp(names[i], "consumer-", 9) != 0)
            continue;
        char *file = pmn_path_join(dir, names[i]);
        char *data = NULL;
        size_t len = 0;
        rc = pmn_fs_read_file(file, &data, &len);
        if (rc == 0) {
            json_error_t jerr;
            json_t *j = json_loadb(data, len, 0, &jerr);
            json_t *next = json_object_get(j, "nextSnapshot");
            if (!json_is_integer(next))
                rc = pmn_error_set(PMN_ECORRUPT, "consumer file %s: no nextSnapshot number", file);
            else {
                put_text(b, names[i] + 9);
                put_int(b, json_integer_value(next));
            }
            json_decref(j);
        }
        free(data);
        free(file);
    }
    pmn_fs_list_free(names, n);
    free(dir);
    return rc;
}

int pmn_systab_load(pmn_table *t, const char *kind, pmn_systab_rows *out)
{
    memset(out, 0, sizeof *out);
    const pmn_systab_col *cols;
    int rc = pmn_systab_columns(kind, &cols, &out->ncols);
    if (rc)
        return rc;
    builder b = {out, 0, 0};
    if (!strcmp(kind, "snapshots"))
        rc = load_snapshots(t, &b);
    else if (!strcmp(kind, "schemas"))
        rc = load_schemas(t, &b);
    else if (!strcmp(kind, "options"))
        rc = load_options(t, &b);
    else if (!strcmp(kind, "tags"))
        rc = load_tags(t, &b);
    else
        rc = load_consumers(t, &b);
    if (rc) {
        pmn_error_wrap("%s$%s: ", pmn_table_name(t), kind);
        pmn_systab_rows_dispose(out);
    }
    return rc;
}

void pmn_systab_rows_dispose(pmn_systab_rows *r)
{
    if (r->vals) {
        for (size_t i = 0; i < r->nrows * (size_t)r->ncols; i++)
            free(r->vals[i].s);
        free(r->vals);
    }
    memset(r, 0, sizeof *r);
}
