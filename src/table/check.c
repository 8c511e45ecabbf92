/*
 * src/table/check.c
 *
 * The interoperability checker behind pmn_table_check and `pgpaimon table
 * check`: it re-reads a table's metadata and data files and reports every
 * violation of the rules in paimon-format.md §17 that would make Java Paimon
 * misread the table. Tests run it on every table they produce and on the
 * Java-written fixtures.
 *
 * Index manifests (§4.8) are checked too: every snapshot's must be a
 * readable Avro file; for the latest snapshot each index file must exist
 * with the size its entry records (HASH: 4 bytes per row), and each deletion
 * vector must decode with a matching CRC32 and cardinality, belong to a live
 * data file and name only positions below that file's row count.
 */
#include "table/dv.h"
#include "table/table_internal.h"

#include "format/data_file.h"
#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct checker {
    pmn_table *t;
    pmn_buf report;
    size_t violations;
} checker;

static void violation(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void violation(checker *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pmn_buf_printf(&c->report, "%s\n", msg);
    c->violations++;
}

/* check_unions: every union in an Avro schema is exactly ["null", T] (pitfall 1). */
static void check_unions(checker *c, const char *file, const json_t *node)
{
    if (json_is_array(node)) {
        if (json_array_size(node) != 2 || !json_is_string(json_array_get(node, 0)) ||
            strcmp(json_string_value(json_array_get(node, 0)), "null") != 0)
            violation(c, "%s: an Avro union is not [\"null\", T]", file);
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v) check_unions(c, file, v);
    } else if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)node, k, v)
        {
            if (!strcmp(k, "fields") && json_is_array(v)) {
                size_t i;
                json_t *f;
                json_array_foreach(v, i, f)
                {
                    json_t *type = json_object_get(f, "type");
                    check_unions(c, file, type);
                    if (json_is_array(type) && !json_object_get(f, "default"))
                        violation(c, "%s: nullable field %s has no default null", file,
                                  json_string_value(json_object_get(f, "name")));
                }
            } else if (!strcmp(k, "items") || !strcmp(k, "values") || !strcmp(k, "type")) {
                check_unions(c, file, v);
            }
        }
    }
}

static void check_avro_file(checker *c, const char *path, int64_t expected_size)
{
    uint64_t size = 0;
    if (pmn_fs_file_size(path, &size) != 0) {
        violation(c, "%s: missing", path);
        pmn_error_clear();
        return;
    }
    if (expected_size >= 0 && (int64_t)size != expected_size)
        violation(c, "%s: size %llu but metadata says %lld", path, (unsigned long long)size,
                  (long long)expected_size);
    pmn_avro_reader *r;
    if (pmn_avro_reader_open(path, &r) != 0) {
        violation(c, "%s: %s", path, pmn_error_last());
        pmn_error_clear();
        return;
    }
    json_error_t err;
    json_t *schema = json_loads(pmn_avro_reader_schema_json(r), 0, &err);
    if (!schema)
        violation(c, "%s: Avro schema is not JSON", path);
    else
        check_unions(c, path, schema);
    json_decref(schema);
    pmn_avro_reader_free(r);
}

static int cmp_keys(const pmn_key_layout *k, const pmn_datum *a, const pmn_datum *b)
{
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

/* check_data_file: size, row count, sort order, min/max key, delete count, stats arity. */
static void check_data_file(checker *c, const pmn_manifest_entry *e)
{
    pmn_table *t = c->t;
    const pmn_key_layout *k = &t->keys;
    char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
    char *path = pmn_xasprintf("%s/%s", dir, e->file.file_name);
    free(dir);
    check_avro_file(c, path, e->file.file_size);
    pmn_schema *fs = NULL;
    if (pmn_schema_load(t->path, e->file.schema_id, &fs) != 0) {
        violation(c, "%s: schema %lld missing", path, (long long)e->file.schema_id);
        pmn_error_clear();
        free(path);
        return;
    }
    int32_t ncols = fs->row->nfields;
    if (pmn_binary_row_arity(e->file.value_stats.min_values.ptr,
                             e->file.value_stats.min_values.len) != ncols &&
        !e->file.has_value_stats_cols)
        violation(c, "%s: value stats arity %d, the file's schema has %d columns", path,
                  pmn_binary_row_arity(e->file.value_stats.min_values.ptr,
                                       e->file.value_stats.min_values.len),
                  ncols);
    bool pk = pmn_table_is_pk(t);
    if (pk && pmn_binary_row_arity(e->file.key_stats.min_values.ptr,
                                   e->file.key_stats.min_values.len) != k->ntrimmed_pk)
        violation(c, "%s: key stats arity is not %d", path, k->ntrimmed_pk);
    pmn_data_file_reader *r;
    if (pmn_data_file_reader_open(path, fs->row, pk, &r) != 0) {
        violation(c, "%s: %s", path, pmn_error_last());
        pmn_error_clear();
        pmn_schema_free(fs);
        free(path);
        return;
    }
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *prev = NULL, *first = NULL;
    pmn_datum *cur = pmn_arena_alloc(&a, sizeof *cur * ((size_t)k->ntrimmed_pk + 1));
    int64_t rows = 0, deletes = 0;
    const pmn_datum *vals;
    int64_t seq;
    int32_t kind;
    int rc;
    /* key columns by name in the file's schema */
    int32_t *kidx = pmn_xcalloc((size_t)k->ntrimmed_pk + 1, sizeof *kidx);
    for (int32_t i = 0; i < k->ntrimmed_pk; i++)
        kidx[i] = pmn_type_find_field(fs->row, t->schema->row->fields[k->trimmed_pk[i]].name);
    while ((rc = pmn_data_file_reader_next(r, &vals, &seq, &kind)) == 0) {
        rows++;
        if (kind == 1 || kind == 3)
            deletes++;
        if (!pk)
            continue;
        if (seq < e->file.min_sequence_number || seq > e->file.max_sequence_number)
            violation(c, "%s: sequence %lld outside [%lld, %lld]", path, (long long)seq,
                      (long long)e->file.min_sequence_number,
                      (long long)e->file.max_sequence_number);
        for (int32_t i = 0; i < k->ntrimmed_pk; i++)
            pmn_datum_copy(k->trimmed_pk_types[i], &vals[kidx[i]], &cur[i], &a);
        if (prev && cmp_keys(k, prev, cur) >= 0) {
            violation(c, "%s: row %lld: keys not strictly ascending", path, (long long)rows);
            break;
        }
        if (!first)
            first = cur;
        prev = cur;
        cur = pmn_arena_alloc(&a, sizeof *cur * ((size_t)k->ntrimmed_pk + 1));
    }
    if (rc != 0 && rc != PMN_ITEROVER) {
        violation(c, "%s: %s", path, pmn_error_last());
        pmn_error_clear();
    }
    if (rows != e->file.row_count)
        violation(c, "%s: %lld rows but _ROW_COUNT says %lld", path, (long long)rows,
                  (long long)e->file.row_count);
    if (pk && (!e->file.has_delete_row_count || e->file.delete_row_count != deletes))
        violation(c, "%s: %lld -U/-D rows but _DELETE_ROW_COUNT says %lld", path,
                  (long long)deletes, (long long)e->file.delete_row_count);
    if (pk && first) {
        pmn_buf b = PMN_BUF_INIT;
        pmn_binary_row_serialize(&b, k->trimmed_pk_types, first, k->ntrimmed_pk);
        if (b.len != e->file.min_key.len || memcmp(b.data, e->file.min_key.ptr, b.len))
            violation(c, "%s: _MIN_KEY differs from the first key", path);
        pmn_buf_reset(&b);
        pmn_binary_row_serialize(&b, k->trimmed_pk_types, prev, k->ntrimmed_pk);
        if (b.len != e->file.max_key.len || memcmp(b.data, e->file.max_key.ptr, b.len))
            violation(c, "%s: _MAX_KEY differs from the last key", path);
        pmn_buf_dispose(&b);
    }
    free(kidx);
    pmn_arena_free(&a);
    pmn_data_file_reader_free(r);
    pmn_schema_free(fs);
    free(path);
}

/* check_levels: files at one level >= 1 of a bucket must not overlap (pitfall 10). */
static void check_levels(checker *c, const pmn_plan *p)
{
    const pmn_key_layout *k = &c->t->keys;
    if (!pmn_table_is_pk(c->t))
        return;
    pmn_arena a = PMN_ARENA_INIT;
    int32_t n = k->ntrimmed_pk;
    for (size_t i = 0; i < p->nfiles; i++) {
        const pmn_manifest_entry *x = &p->files[i];
        if (x->file.level == 0)
            continue;
        for (size_t j = i + 1; j < p->nfiles; j++) {
            const pmn_manifest_entry *y = &p->files[j];
            if (y->bucket != x->bucket || y->file.level != x->file.level ||
                !pmn_bytes_equal(x->partition, y->partition))
                continue;
            pmn_datum *xmin = pmn_arena_alloc(&a, sizeof *xmin * (size_t)n * 4);
            pmn_datum *xmax = xmin + n, *ymin = xmin + 2 * n, *ymax = xmin + 3 * n;
            if (pmn_binary_row_deserialize(x->file.min_key.ptr, x->file.min_key.len,
                                           k->trimmed_pk_types, n, &a, xmin) ||
                pmn_binary_row_deserialize(x->file.max_key.ptr, x->file.max_key.len,
                                           k->trimmed_pk_types, n, &a, xmax) ||
                pmn_binary_row_deserialize(y->file.min_key.ptr, y->file.min_key.len,
                                           k->trimmed_pk_types, n, &a, ymin) ||
                pmn_binary_row_deserialize(y->file.max_key.ptr, y->file.max_key.len,
                                           k->trimmed_pk_types, n, &a, ymax)) {
                violation(c, "%s: unreadable min/max key", x->file.file_name);
                pmn_error_clear();
                continue;
            }
            if (cmp_keys(k, xmin, ymax) <= 0 && cmp_keys(k, ymin, xmax) <= 0)
                violation(c, "level %d of bucket %d: files %s and %s overlap", x->file.level,
                          x->bucket, x->file.file_name, y->file.file_name);
        }
    }
    pmn_arena_free(&a);
}

/* find_live: the live entry of data file `name` in `partition`, or NULL. */
static const pmn_manifest_entry *find_live(const pmn_plan *p, pmn_bytes partition,
                                           const char *name)
{
    for (size_t i = 0; i < p->nfiles; i++)
        if (strcmp(p->files[i].file.file_name, name) == 0 &&
            pmn_bytes_equal(p->files[i].partition, partition))
            return &p->files[i];
    return NULL;
}

/* check_index_files: the latest snapshot's index files and deletion vectors. */
static void check_index_files(checker *c, const pmn_snapshot *s, const pmn_plan *p)
{
    pmn_table *t = c->t;
    pmn_dv_index *x;
    if (pmn_dv_index_open(t, s, &x) != 0) {
        violation(c, "%s", pmn_error_last());
        pmn_error_clear();
        return;
    }
    const pmn_index_entry *entries;
    size_t n;
    pmn_dv_index_entries(x, &entries, &n);
    for (size_t i = 0; i < n; i++) {
        const pmn_index_entry *e = &entries[i];
        char *path = pmn_dv_index_file_path(t, e);
        uint64_t size = 0;
        if (pmn_fs_file_size(path, &size) != 0) {
            violation(c, "%s: missing (%s index file of bucket %d)", path, e->index_type,
                      e->bucket);
            pmn_error_clear();
        } else if ((int64_t)size != e->file_size) {
            violation(c, "%s: size %llu but the index manifest says %lld", path,
                      (unsigned long long)size, (long long)e->file_size);
        }
        if (strcmp(e->index_type, PMN_INDEX_HASH) == 0 && e->file_size != e->row_count * 4)
            violation(c, "%s: HASH index of %lld bytes records %lld hashes", path,
                      (long long)e->file_size, (long long)e->row_count);
        if (strcmp(e->index_type, PMN_INDEX_DELETION_VECTORS) == 0 &&
            e->row_count != e->nranges)
            violation(c, "%s: _ROW_COUNT %lld but %d deletion vector ranges", path,
                      (long long)e->row_count, e->nranges);
        free(path);
    }
    size_t ndv = pmn_dv_index_count(x);
    if (ndv > 0 && !pmn_table_dv_enabled(t))
        violation(c, "index manifest %s holds %zu deletion vectors but deletion-vectors.enabled "
                     "is off, so readers ignore them and deleted rows reappear",
                  s->index_manifest, ndv);
    for (size_t i = 0; i < ndv; i++) {
        const pmn_index_entry *e;
        const pmn_dv_range *r;
        pmn_dv_index_at(x, i, &e, &r);
        const pmn_roaring *dv;
        if (pmn_dv_index_get(x, e->partition, r->data_file, &dv) != 0) {
            violation(c, "%s", pmn_error_last());
            pmn_error_clear();
            continue;
        }
        uint64_t card = pmn_roaring_cardinality(dv);
        if (r->cardinality >= 0 && (uint64_t)r->cardinality != card)
            violation(c, "index file %s: deletion vector of %s holds %llu positions but "
                         "_CARDINALITY says %lld",
                      e->file_name, r->data_file, (unsigned long long)card,
                      (long long)r->cardinality);
        const pmn_manifest_entry *f = find_live(p, e->partition, r->data_file);
        uint64_t max = 0;
        if (!f)
            violation(c, "index file %s: deletion vector of data file %s, which is not live",
                      e->file_name, r->data_file);
        else if (pmn_roaring_max(dv, &max) && max >= (uint64_t)f->file.row_count)
            violation(c, "index file %s: deletion vector of %s deletes position %llu but the "
                         "file has %lld rows",
                      e->file_name, r->data_file, (unsigned long long)max,
                      (long long)f->file.row_count);
    }
    pmn_dv_index_free(x);
}

int pmn_table_check(pmn_table *t, char **report, size_t *violations)
{
    checker c = {.t = t};
    pmn_buf_init(&c.report);
    int64_t earliest = 0, latest = 0;
    int rc = pmn_snapshot_earliest_id(t->path, &earliest);
    if (rc == 0)
        rc = pmn_snapshot_latest_id(t->path, &latest);
    if (rc) {
        pmn_buf_dispose(&c.report);
        return rc;
    }
    int64_t prev_time = 0;
    for (int64_t id = earliest; id > 0 && id <= latest; id++) {
        pmn_snapshot *s;
        if (pmn_snapshot_read(t->path, id, &s) != 0) {
            violation(&c, "snapshot %lld: %s (ids must be contiguous)", (long long)id,
                      pmn_error_last());
            pmn_error_clear();
            continue;
        }
        if (s->version != 3)
            violation(&c, "snapshot %lld: version %d, expected 3", (long long)id, s->version);
        if (s->time_millis < prev_time)
            violation(&c, "snapshot %lld: timeMillis goes backwards", (long long)id);
        prev_time = s->time_millis;
        char *base = pmn_xasprintf("%s/manifest/%s", t->path, s->base_manifest_list);
        char *delta = pmn_xasprintf("%s/manifest/%s", t->path, s->delta_manifest_list);
        check_avro_file(&c, base, s->base_manifest_list_size);
        check_avro_file(&c, delta, s->delta_manifest_list_size);
        free(base);
        free(delta);
        if (s->index_manifest) {
            char *index = pmn_xasprintf("%s/manifest/%s", t->path, s->index_manifest);
            check_avro_file(&c, index, -1);
            free(index);
        }
        pmn_plan *p;
        if (pmn_plan_open_snapshot(t, s, &p) != 0) {
            violation(&c, "snapshot %lld: %s", (long long)id, pmn_error_last());
            pmn_error_clear();
            pmn_snapshot_free(s);
            continue;
        }
        for (size_t m = 0; m < p->nbase; m++) {
            char *path = pmn_xasprintf("%s/manifest/%s", t->path, p->base[m].file_name);
            check_avro_file(&c, path, p->base[m].file_size);
            free(path);
        }
        if (id == latest) {
            for (size_t i = 0; i < p->nfiles; i++)
                check_data_file(&c, &p->files[i]);
            check_levels(&c, p);
            check_index_files(&c, p->snapshot, p);
        }
        pmn_plan_free(p);
    }
    *violations = c.violations;
    *report = (char *)pmn_buf_detach(&c.report, NULL);
    return 0;
}
