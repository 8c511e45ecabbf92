/*
 * src/table/table.c
 *
 * The table handle: current schema, derived key layout, options and snapshot
 * inspection.
 */
#include "table/table_internal.h"

#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

static int32_t *index_list(const pmn_schema *s, char *const *names, size_t n, const char *what,
                           int *rc)
{
    int32_t *out = pmn_xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n && *rc == 0; i++) {
        out[i] = pmn_schema_field_index(s, names[i]);
        if (out[i] < 0)
            *rc = pmn_error_set(PMN_ECORRUPT, "schema %lld: %s column %s does not exist",
                                (long long)s->id, what, names[i]);
    }
    return out;
}

int pmn_key_layout_build(const pmn_schema *s, pmn_key_layout *k)
{
    int rc = 0;
    memset(k, 0, sizeof *k);
    k->pk = index_list(s, s->primary_keys, s->nprimary_keys, "primary key", &rc);
    k->npk = (int32_t)s->nprimary_keys;
    k->partition = index_list(s, s->partition_keys, s->npartition_keys, "partition", &rc);
    k->npartition = (int32_t)s->npartition_keys;
    if (rc)
        return rc;
    k->trimmed_pk = pmn_xcalloc((size_t)k->npk + 1, sizeof *k->trimmed_pk);
    for (int32_t i = 0; i < k->npk; i++) {
        bool is_part = false;
        for (int32_t j = 0; j < k->npartition; j++)
            is_part |= k->pk[i] == k->partition[j];
        if (!is_part)
            k->trimmed_pk[k->ntrimmed_pk++] = k->pk[i];
    }
    /* A PK made only of partition columns keeps the whole PK (Java's trimmedPrimaryKeys). */
    if (k->npk && k->ntrimmed_pk == 0) {
        memcpy(k->trimmed_pk, k->pk, sizeof *k->pk * (size_t)k->npk);
        k->ntrimmed_pk = k->npk;
    }
    const char *bk = pmn_options_get(&s->options, "bucket-key");
    if (bk && *bk) {
        char *copy = pmn_xstrdup(bk);
        k->bucket_key = pmn_xcalloc(strlen(bk) + 1, sizeof *k->bucket_key);
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            int idx = pmn_schema_field_index(s, tok);
            if (idx < 0) {
                rc = pmn_error_set(PMN_EINVALID, "bucket-key column %s does not exist", tok);
                break;
            }
            k->bucket_key[k->nbucket_key++] = idx;
        }
        free(copy);
    } else {
        k->bucket_key = pmn_xcalloc((size_t)k->ntrimmed_pk + 1, sizeof *k->bucket_key);
        memcpy(k->bucket_key, k->trimmed_pk, sizeof *k->bucket_key * (size_t)k->ntrimmed_pk);
        k->nbucket_key = k->ntrimmed_pk;
    }
    k->trimmed_pk_types = pmn_xcalloc((size_t)k->ntrimmed_pk + 1, sizeof(pmn_type *));
    for (int32_t i = 0; i < k->ntrimmed_pk; i++)
        k->trimmed_pk_types[i] = s->row->fields[k->trimmed_pk[i]].type;
    k->partition_types = pmn_xcalloc((size_t)k->npartition + 1, sizeof(pmn_type *));
    k->partition_names = pmn_xcalloc((size_t)k->npartition + 1, sizeof(char *));
    for (int32_t i = 0; i < k->npartition; i++) {
        k->partition_types[i] = s->row->fields[k->partition[i]].type;
        k->partition_names[i] = s->row->fields[k->partition[i]].name;
    }
    k->bucket_key_types = pmn_xcalloc((size_t)k->nbucket_key + 1, sizeof(pmn_type *));
    for (int32_t i = 0; i < k->nbucket_key; i++)
        k->bucket_key_types[i] = s->row->fields[k->bucket_key[i]].type;
    return rc;
}

void pmn_key_layout_dispose(pmn_key_layout *k)
{
    free(k->pk);
    free(k->trimmed_pk);
    free(k->partition);
    free(k->bucket_key);
    free(k->trimmed_pk_types);
    free(k->partition_types);
    free(k->partition_names);
    free(k->bucket_key_types);
    memset(k, 0, sizeof *k);
}

int pmn_table_reload(pmn_table *t)
{
    pmn_schema *s;
    int rc = pmn_schema_load_latest(t->path, &s);
    if (rc)
        return rc;
    pmn_key_layout keys;
    rc = pmn_key_layout_build(s, &keys);
    int64_t bucket = -1;
    if (rc == 0)
        rc = pmn_options_get_int64(&s->options, "bucket", -1, &bucket);
    if (rc) {
        pmn_key_layout_dispose(&keys);
        pmn_schema_free(s);
        return pmn_error_wrap("table %s: ", t->full_name);
    }
    pmn_key_layout_dispose(&t->keys);
    pmn_schema_free(t->schema);
    t->schema = s;
    t->keys = keys;
    t->num_buckets = (int32_t)bucket;
    free(t->option_view);
    t->option_view = pmn_xcalloc(s->options.n + 1, sizeof *t->option_view);
    for (size_t i = 0; i < s->options.n; i++) {
        t->option_view[i].key = s->options.keys[i];
        t->option_view[i].value = s->options.values[i];
    }
    return 0;
}

void pmn_table_free(pmn_table *t)
{
    if (!t)
        return;
    pmn_key_layout_dispose(&t->keys);
    pmn_schema_free(t->schema);
    pmn_snapshot_free(t->info_snapshot);
    free(t->info_props);
    free(t->option_view);
    free(t->db);
    free(t->name);
    free(t->full_name);
    free(t->path);
    free(t);
}

const char *pmn_table_name(const pmn_table *t)
{
    return t->full_name;
}

const char *pmn_table_path(const pmn_table *t)
{
    return t->path;
}

const pmn_type *pmn_table_row_type(const pmn_table *t)
{
    return t->schema->row;
}

int64_t pmn_table_schema_id(const pmn_table *t)
{
    return t->schema->id;
}

size_t pmn_table_primary_keys(const pmn_table *t, const char *const **keys)
{
    *keys = (const char *const *)t->schema->primary_keys;
    return t->schema->nprimary_keys;
}

size_t pmn_table_partition_keys(const pmn_table *t, const char *const **keys)
{
    *keys = (const char *const *)t->schema->partition_keys;
    return t->schema->npartition_keys;
}

const char *pmn_table_option(const pmn_table *t, const char *key)
{
    return pmn_options_get(&t->schema->options, key);
}

size_t pmn_table_options(const pmn_table *t, const pmn_kv **options)
{
    *options = t->option_view;
    return t->schema->options.n;
}

bool pmn_table_is_pk(const pmn_table *t)
{
    return t->schema->nprimary_keys > 0;
}

static pmn_avro_codec codec_option(const pmn_table *t, const char *key)
{
    const char *v = pmn_options_get(&t->schema->options, key);
    pmn_avro_codec c = PMN_AVRO_CODEC_ZSTD;
    if (v && pmn_avro_codec_from_name(v, &c) != 0) {
        pmn_error_clear();
        c = PMN_AVRO_CODEC_ZSTD;
    }
    return c;
}

pmn_avro_codec pmn_table_manifest_codec(const pmn_table *t)
{
    return codec_option(t, "manifest.compression");
}

pmn_avro_codec pmn_table_file_codec(const pmn_table *t)
{
    return codec_option(t, "file.compression");
}

char *pmn_table_bucket_dir(const pmn_table *t, pmn_bytes partition, int32_t bucket)
{
    const pmn_key_layout *k = &t->keys;
    if (k->npartition == 0)
        return pmn_xasprintf("%s/bucket-%d", t->path, bucket);
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *vals = pmn_arena_alloc(&a, sizeof *vals * (size_t)k->npartition);
    char *dir;
    const char *def = pmn_options_get(&t->schema->options, "partition.default-name");
    if (pmn_binary_row_deserialize(partition.ptr, partition.len, k->partition_types,
                                   k->npartition, &a, vals) != 0) {
        /* Unreadable partition bytes: the manifest is corrupt; name it in the path so the
         * open error says what happened. */
        dir = pmn_xasprintf("%s/<corrupt partition>/bucket-%d", t->path, bucket);
    } else {
        char *pp = pmn_partition_path(k->partition_names, k->partition_types, vals, k->npartition,
                                      def ? def : "__DEFAULT_PARTITION__");
        dir = pmn_xasprintf("%s/%s/bucket-%d", t->path, pp, bucket);
        free(pp);
    }
    pmn_arena_free(&a);
    return dir;
}

int pmn_table_latest_snapshot(pmn_table *t, int64_t *id)
{
    return pmn_snapshot_latest_id(t->path, id);
}

int pmn_table_earliest_snapshot(pmn_table *t, int64_t *id)
{
    return pmn_snapshot_earliest_id(t->path, id);
}

int pmn_table_snapshot(pmn_table *t, int64_t id, pmn_snapshot_info *info)
{
    pmn_snapshot *s;
    int rc = pmn_snapshot_read(t->path, id, &s);
    if (rc)
        return rc;
    pmn_snapshot_free(t->info_snapshot);
    free(t->info_props);
    t->info_snapshot = s;
    t->info_props = pmn_xcalloc(s->properties.n + 1, sizeof *t->info_props);
    for (size_t i = 0; i < s->properties.n; i++) {
        t->info_props[i].key = s->properties.keys[i];
        t->info_props[i].value = s->properties.values[i];
    }
    memset(info, 0, sizeof *info);
    info->id = s->id;
    info->schema_id = s->schema_id;
    info->commit_user = s->commit_user;
    info->commit_identifier = s->commit_identifier;
    info->commit_kind = s->commit_kind;
    info->time_millis = s->time_millis;
    info->total_record_count = s->has_total_record_count ? s->total_record_count : -1;
    info->delta_record_count = s->has_delta_record_count ? s->delta_record_count : -1;
    info->properties = t->info_props;
    info->nproperties = s->properties.n;
    return 0;
}
