/*
 * src/sql/systab.c
 *
 * System tables computed from table metadata; see systab.h. Column sets follow
 * Java Paimon 0.9 (org.apache.paimon.table.system.SnapshotsTable, SchemasTable,
 * OptionsTable, TagsTable, ConsumersTable). Times are TIMESTAMP(3) in the local
 * time zone, as Java converts timeMillis with ZoneId.systemDefault().
 */
#include "sql/systab.h"

#include "change/datum.h"
#include "paimon/binary_row.h"
#include "paimon/data_type_json.h"
#include "table/table_internal.h"
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

static const pmn_systab_col files_cols[] = {
    {"partition", "TEXT STRING"},
    {"bucket", "INTEGER INT"},
    {"file_path", "TEXT STRING"},
    {"file_format", "TEXT STRING"},
    {"schema_id", "INTEGER BIGINT"},
    {"level", "INTEGER INT"},
    {"record_count", "INTEGER BIGINT"},
    {"file_size_in_bytes", "INTEGER BIGINT"},
    {"min_key", "TEXT STRING"},
    {"max_key", "TEXT STRING"},
    {"null_value_counts", "TEXT STRING"},
    {"min_value_stats", "TEXT STRING"},
    {"max_value_stats", "TEXT STRING"},
    {"min_sequence_number", "INTEGER BIGINT"},
    {"max_sequence_number", "INTEGER BIGINT"},
    {"creation_time", "TEXT TIMESTAMP(3)"},
};

static const pmn_systab_col manifests_cols[] = {
    {"file_name", "TEXT STRING"},           {"file_size", "INTEGER BIGINT"},
    {"num_added_files", "INTEGER BIGINT"},  {"num_deleted_files", "INTEGER BIGINT"},
    {"schema_id", "INTEGER BIGINT"},
};

/* t$audit_log: rowkind, then the table's own columns (sql/auditlog.h reads it). */
static const pmn_systab_col audit_log_cols[] = {
    {"rowkind", "TEXT STRING"},
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
    } else if (!strcmp(kind, "files")) {
        *cols = files_cols;
        *ncols = NCOLS(files_cols);
    } else if (!strcmp(kind, "manifests")) {
        *cols = manifests_cols;
        *ncols = NCOLS(manifests_cols);
    } else if (!strcmp(kind, "audit_log")) {
        *cols = audit_log_cols;
        *ncols = NCOLS(audit_log_cols);
    } else if (!strcmp(kind, "partitions") || !strcmp(kind, "buckets") || !strcmp(kind, "binlog") ||
               !strcmp(kind, "ro") || !strcmp(kind, "branches") || !strcmp(kind, "statistics")) {
        return pmn_error_set(PMN_EINVALID,
                             "system table $%s is not supported by pgpaimon sql yet (supported: "
                             "$snapshots, $schemas, $options, $tags, $consumers, $files, "
                             "$manifests, $audit_log)",
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

/* utc_time_text: "YYYY-MM-DD HH:MM:SS.mmm" of millis taken as UTC (local times stored as UTC). */
static char *utc_time_text(int64_t millis)
{
    time_t secs = (time_t)(millis / 1000 - (millis % 1000 < 0));
    int ms = (int)(millis - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return pmn_xasprintf("%s.%03d", buf, ms);
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

/* row_text: a serialized BinaryRow of `types` as Java prints an object array ("[1, Alice]"),
 * or with names as Java prints a stats map ("{a=1, b=x}"). */
static char *row_text(pmn_bytes bytes, const pmn_type *const *types, const char *const *names,
                      int32_t n, const int64_t *counts)
{
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *vals = pmn_arena_alloc(&a, sizeof *vals * ((size_t)n + 1));
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_putc(&b, names ? '{' : '[');
    bool ok = counts || pmn_binary_row_deserialize(bytes.ptr, bytes.len, types, n, &a, vals) == 0;
    pmn_error_clear();
    for (int32_t i = 0; ok && i < n; i++) {
        if (i)
            pmn_buf_puts(&b, ", ");
        if (names)
            pmn_buf_printf(&b, "%s=", names[i]);
        if (counts) {
            if (counts[i] < 0)
                pmn_buf_puts(&b, "null");
            else
                pmn_buf_printf(&b, "%lld", (long long)counts[i]);
        } else if (vals[i].is_null) {
            pmn_buf_puts(&b, "null");
        } else if (pmn_type_is_string(types[i])) {
            pmn_buf_put(&b, vals[i].v.bin.ptr, vals[i].v.bin.len);
        } else {
            pmn_buf json = PMN_BUF_INIT;
            pmn_datum_to_json(types[i], &vals[i], &json);
            const char *j = pmn_buf_cstr(&json);
            size_t len = json.len;
            if (len >= 2 && j[0] == '"' && j[len - 1] == '"')
                pmn_buf_put(&b, j + 1, len - 2);
            else
                pmn_buf_put(&b, j, len);
            pmn_buf_dispose(&json);
        }
    }
    pmn_buf_putc(&b, names ? '}' : ']');
    pmn_arena_free(&a);
    return (char *)pmn_buf_detach(&b, NULL);
}

/* load_files: the live data files of the latest snapshot (Java FilesTable). */
static int load_files(pmn_table *t, builder *b)
{
    pmn_plan *p;
    int rc = pmn_plan_open(t, 0, &p);
    if (rc)
        return rc;
    const pmn_key_layout *k = &t->keys;
    for (size_t i = 0; i < p->nfiles; i++) {
        const pmn_manifest_entry *e = &p->files[i];
        pmn_schema *fs = NULL;
        if (pmn_schema_load(t->path, e->file.schema_id, &fs) != 0) {
            pmn_error_clear();
            continue;
        }
        int32_t ncols = fs->row->nfields;
        const pmn_type **types = pmn_xcalloc((size_t)ncols + 1, sizeof *types);
        const char **names = pmn_xcalloc((size_t)ncols + 1, sizeof *names);
        for (int32_t c = 0; c < ncols; c++) {
            types[c] = fs->row->fields[c].type;
            names[c] = fs->row->fields[c].name;
        }
        put_text_owned(b, row_text(e->partition, k->partition_types, NULL, k->npartition, NULL));
        put_int(b, e->bucket);
        char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
        put_text_owned(b, e->file.external_path ? pmn_xstrdup(e->file.external_path)
                                                : pmn_xasprintf("%s/%s", dir, e->file.file_name));
        free(dir);
        const char *dot = strrchr(e->file.file_name, '.');
        put_text(b, dot ? dot + 1 : "");
        put_int(b, e->file.schema_id);
        put_int(b, e->file.level);
        put_int(b, e->file.row_count);
        put_int(b, e->file.file_size);
        bool pk = k->ntrimmed_pk > 0;
        if (pk) {
            put_text_owned(b, row_text(e->file.min_key, k->trimmed_pk_types, NULL, k->ntrimmed_pk,
                                       NULL));
            put_text_owned(b, row_text(e->file.max_key, k->trimmed_pk_types, NULL, k->ntrimmed_pk,
                                       NULL));
        } else {
            put_null(b);
            put_null(b);
        }
        const pmn_simple_stats *vs = &e->file.value_stats;
        if (vs->has_null_counts && vs->nnull_counts == ncols)
            put_text_owned(b, row_text(vs->min_values, types, names, ncols, vs->null_counts));
        else
            put_null(b);
        put_text_owned(b, row_text(vs->min_values, types, names, ncols, NULL));
        put_text_owned(b, row_text(vs->max_values, types, names, ncols, NULL));
        put_int(b, e->file.min_sequence_number);
        put_int(b, e->file.max_sequence_number);
        if (e->file.has_creation_time) /* local wall time stored as if UTC */
            put_text_owned(b, utc_time_text(e->file.creation_time));
        else
            put_null(b);
        free(types);
        free(names);
        pmn_schema_free(fs);
    }
    pmn_plan_free(p);
    return 0;
}

/* load_manifests: the manifest files of the latest snapshot (Java ManifestsTable). */
static int load_manifests(pmn_table *t, builder *b)
{
    pmn_plan *p;
    int rc = pmn_plan_open(t, 0, &p);
    if (rc)
        return rc;
    for (size_t i = 0; i < p->nbase; i++) {
        put_text(b, p->base[i].file_name);
        put_int(b, p->base[i].file_size);
        put_int(b, p->base[i].num_added_files);
        put_int(b, p->base[i].num_deleted_files);
        put_int(b, p->base[i].schema_id);
    }
    pmn_plan_free(p);
    return 0;
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
    else if (!strcmp(kind, "files"))
        rc = load_files(t, &b);
    else if (!strcmp(kind, "manifests"))
        rc = load_manifests(t, &b);
    else if (!strcmp(kind, "audit_log"))
        rc = pmn_error_set(PMN_EINVALID, "$audit_log is read by sql/auditlog.h");
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
