/*
 * src/paimon/table_schema.c
 *
 * schema/schema-N files (paimon-format.md §2): the JSON model of
 * org.apache.paimon.schema.TableSchema as SchemaSerializer reads and writes it
 * (identical in 0.9 and 1.x; version 3), and the SchemaManager operations we
 * need: list, load, latest, create-if-absent commit.
 */
#include "paimon/table_schema.h"

#include "paimon/data_type_json.h"
#include "paimon/json_writer.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* missing / bad: PMN_ECORRUPT for a malformed schema document. */
static int missing(const char *key)
{
    return pmn_error_set(PMN_ECORRUPT, "missing \"%s\"", key);
}

static int bad(const char *key, const char *what)
{
    return pmn_error_set(PMN_ECORRUPT, "\"%s\" %s", key, what);
}

static int get_long(const json_t *root, const char *key, bool required, int64_t def, int64_t *out)
{
    const json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        if (required)
            return missing(key);
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return bad(key, "must be an integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int get_string_array(const json_t *root, const char *key, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const json_t *a = json_object_get(root, key);
    if (!a)
        return missing(key);
    if (!json_is_array(a))
        return bad(key, "must be an array of strings");
    size_t cnt = json_array_size(a);
    char **v = pmn_xcalloc(cnt ? cnt : 1, sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
        const json_t *s = json_array_get(a, i);
        if (!json_is_string(s)) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return bad(key, "must be an array of strings");
        }
        v[i] = pmn_xstrdup(json_string_value(s));
    }
    *out = v;
    *n = cnt;
    return 0;
}

/* get_options: values are strings; numbers and booleans are kept as their text (Jackson asText). */
static int get_options(const json_t *root, pmn_options *o)
{
    const json_t *obj = json_object_get(root, "options");
    if (!obj)
        return missing("options");
    if (!json_is_object(obj))
        return bad("options", "must be an object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (json_is_string(v)) {
            pmn_options_set(o, k, json_string_value(v));
        } else if (json_is_integer(v) || json_is_boolean(v)) {
            char *text = json_dumps(v, JSON_ENCODE_ANY);
            pmn_options_set(o, k, text);
            free(text);
        } else {
            return pmn_error_set(PMN_ECORRUPT, "option \"%s\" must be a string", k);
        }
    }
    return 0;
}

int pmn_schema_from_json(const char *json, size_t len, pmn_schema **out)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        return pmn_error_set(PMN_ECORRUPT, "invalid JSON at line %d: %s", jerr.line, jerr.text);
    pmn_schema *s = pmn_xcalloc(1, sizeof *s);
    pmn_options_init(&s->options);
    int rc = 0;
    int64_t v;
    if (!json_is_object(root)) {
        rc = pmn_error_set(PMN_ECORRUPT, "a schema must be a JSON object");
        goto done;
    }
    if ((rc = get_long(root, "version", false, 1, &v)))
        goto done;
    if (v < INT32_MIN || v > INT32_MAX) {
        rc = bad("version", "out of range");
        goto done;
    }
    s->version = (int32_t)v;
    if ((rc = get_long(root, "id", true, 0, &s->id)))
        goto done;
    const json_t *fields = json_object_get(root, "fields");
    if (!fields) {
        rc = missing("fields");
        goto done;
    }
    if ((rc = pmn_row_from_fields_json(fields, &s->row)))
        goto done;
    if ((rc = get_long(root, "highestFieldId", true, 0, &v)))
        goto done;
    if (v < INT32_MIN || v > INT32_MAX) {
        rc = bad("highestFieldId", "out of range");
        goto done;
    }
    s->highest_field_id = (int32_t)v;
    if ((rc = get_string_array(root, "partitionKeys", &s->partition_keys, &s->npartition_keys)))
        goto done;
    if ((rc = get_string_array(root, "primaryKeys", &s->primary_keys, &s->nprimary_keys)))
        goto done;
    if ((rc = get_options(root, &s->options)))
        goto done;
    /* SchemaSerializer's legacy defaults for files written by old versions */
    if (s->version <= 1 && !pmn_options_get(&s->options, "bucket"))
        pmn_options_set(&s->options, "bucket", "1");
    if (s->version <= 2 && !pmn_options_get(&s->options, "file.format"))
        pmn_options_set(&s->options, "file.format", "orc");
    const json_t *c = json_object_get(root, "comment");
    if (c && !json_is_null(c)) {
        if (!json_is_string(c)) {
            rc = bad("comment", "must be a string");
            goto done;
        }
        s->comment = pmn_xstrdup(json_string_value(c));
    }
    if ((rc = get_long(root, "timeMillis", false, 0, &s->time_millis)))
        goto done;
    for (size_t i = 0; i < s->npartition_keys; i++)
        if (pmn_type_find_field(s->row, s->partition_keys[i]) < 0) {
            rc = pmn_error_set(PMN_ECORRUPT, "partition key \"%s\" is not a field",
                               s->partition_keys[i]);
            goto done;
        }
    for (size_t i = 0; i < s->nprimary_keys; i++)
        if (pmn_type_find_field(s->row, s->primary_keys[i]) < 0) {
            rc = pmn_error_set(PMN_ECORRUPT, "primary key \"%s\" is not a field",
                               s->primary_keys[i]);
            goto done;
        }
done:
    json_decref(root);
    if (rc) {
        pmn_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static void put_string_array(pmn_jw *w, char *const *v, size_t n)
{
    pmn_jw_begin_array(w);
    for (size_t i = 0; i < n; i++)
        pmn_jw_string(w, v[i]);
    pmn_jw_end_array(w);
}

char *pmn_schema_to_json(const pmn_schema *s)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_jw w;
    pmn_jw_init(&w, &b);
    pmn_jw_begin_object(&w);
    pmn_jw_key(&w, "version");
    pmn_jw_int(&w, s->version);
    pmn_jw_key(&w, "id");
    pmn_jw_int(&w, s->id);
    pmn_jw_key(&w, "fields");
    json_t *fields = pmn_row_to_fields_json(s->row);
    pmn_jw_json(&w, fields);
    json_decref(fields);
    pmn_jw_key(&w, "highestFieldId");
    pmn_jw_int(&w, s->highest_field_id);
    pmn_jw_key(&w, "partitionKeys");
    put_string_array(&w, s->partition_keys, s->npartition_keys);
    pmn_jw_key(&w, "primaryKeys");
    put_string_array(&w, s->primary_keys, s->nprimary_keys);
    pmn_jw_key(&w, "options");
    pmn_jw_begin_object(&w);
    for (size_t i = 0; i < s->options.n; i++) {
        pmn_jw_key(&w, s->options.keys[i]);
        pmn_jw_string(&w, s->options.values[i]);
    }
    pmn_jw_end_object(&w);
    if (s->comment) {
        pmn_jw_key(&w, "comment");
        pmn_jw_string(&w, s->comment);
    }
    pmn_jw_key(&w, "timeMillis");
    pmn_jw_int(&w, s->time_millis);
    pmn_jw_end_object(&w);
    pmn_jw_dispose(&w);
    return (char *)pmn_buf_detach(&b, NULL);
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void pmn_schema_free(pmn_schema *s)
{
    if (!s)
        return;
    pmn_type_free(s->row);
    free_strings(s->partition_keys, s->npartition_keys);
    free_strings(s->primary_keys, s->nprimary_keys);
    pmn_options_dispose(&s->options);
    free(s->comment);
    free(s);
}

static char **copy_strings(char *const *v, size_t n)
{
    char **c = pmn_xcalloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = pmn_xstrdup(v[i]);
    return c;
}

pmn_schema *pmn_schema_copy(const pmn_schema *s)
{
    pmn_schema *c = pmn_xcalloc(1, sizeof *c);
    c->version = s->version;
    c->id = s->id;
    c->row = pmn_type_copy(s->row);
    c->highest_field_id = s->highest_field_id;
    c->partition_keys = copy_strings(s->partition_keys, s->npartition_keys);
    c->npartition_keys = s->npartition_keys;
    c->primary_keys = copy_strings(s->primary_keys, s->nprimary_keys);
    c->nprimary_keys = s->nprimary_keys;
    pmn_options_copy(&c->options, &s->options);
    c->comment = s->comment ? pmn_xstrdup(s->comment) : NULL;
    c->time_millis = s->time_millis;
    return c;
}

int pmn_schema_list_ids(const char *table_path, int64_t **ids, size_t *count)
{
    char *dir = pmn_path_join(table_path, "schema");
    int rc = pmn_fs_list_numbered(dir, "schema-", ids, count);
    free(dir);
    return rc;
}

int pmn_schema_load(const char *table_path, int64_t id, pmn_schema **out)
{
    *out = NULL;
    char *path = pmn_xasprintf("%s/schema/schema-%" PRId64, table_path, id);
    char *data;
    size_t len;
    int rc = pmn_fs_read_file(path, &data, &len);
    free(path);
    if (rc == PMN_ENOTFOUND)
        return pmn_error_set(PMN_ENOTFOUND, "schema/schema-%" PRId64 " of %s: not found", id,
                             table_path);
    if (rc)
        return rc;
    rc = pmn_schema_from_json(data, len, out);
    free(data);
    if (rc)
        return pmn_error_wrap("schema/schema-%" PRId64 " of %s: ", id, table_path);
    return 0;
}

int pmn_schema_load_latest(const char *table_path, pmn_schema **out)
{
    *out = NULL;
    int64_t *ids;
    size_t n;
    int rc = pmn_schema_list_ids(table_path, &ids, &n);
    if (rc)
        return rc;
    if (n == 0) {
        free(ids);
        return pmn_error_set(PMN_ENOTFOUND, "%s: not a table (no schema/schema-N file)",
                             table_path);
    }
    int64_t latest = ids[n - 1];
    free(ids);
    return pmn_schema_load(table_path, latest, out);
}

int pmn_schema_commit(const char *table_path, const pmn_schema *s)
{
    char *dir = pmn_path_join(table_path, "schema");
    int rc = pmn_fs_mkdir_p(dir);
    free(dir);
    if (rc)
        return rc;
    char *path = pmn_xasprintf("%s/schema/schema-%" PRId64, table_path, s->id);
    char *json = pmn_schema_to_json(s);
    rc = pmn_fs_create_file(path, json, strlen(json));
    free(json);
    free(path);
    if (rc == PMN_EEXISTS)
        return pmn_error_set(PMN_EEXISTS, "schema/schema-%" PRId64 " of %s already exists", s->id,
                             table_path);
    return rc;
}

int pmn_schema_field_index(const pmn_schema *s, const char *name)
{
    return pmn_type_find_field(s->row, name);
}
