/*
 * src/paimon/manifest.c
 *
 * Manifest and manifest-list files; see manifest.h. The Avro shape is built
 * as a Paimon ROW type (the same way Java derives it from its RowType) and
 * read/written through format/avro.h's datum layer.
 */
#include "paimon/manifest.h"

#include "util/alloc.h"
#include "util/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Row types                                                                 */
/* ------------------------------------------------------------------------ */

/* Field positions in the row types below (read and write share them). */
enum { ST_MIN, ST_MAX, ST_NULLS };
enum {
    F_FILE_NAME,
    F_FILE_SIZE,
    F_ROW_COUNT,
    F_MIN_KEY,
    F_MAX_KEY,
    F_KEY_STATS,
    F_VALUE_STATS,
    F_MIN_SEQ,
    F_MAX_SEQ,
    F_SCHEMA_ID,
    F_LEVEL,
    F_EXTRA_FILES,
    F_CREATION_TIME,
    F_DELETE_ROW_COUNT,
    F_EMBEDDED_INDEX,
    F_FILE_SOURCE,
    F_NFIELDS_09, /* the 0.9 shape we write ends here */
    F_VALUE_STATS_COLS = F_NFIELDS_09,
    F_EXTERNAL_PATH,
    F_NFIELDS_READ,
};
enum { E_VERSION, E_KIND, E_PARTITION, E_BUCKET, E_TOTAL_BUCKETS, E_FILE, E_NFIELDS };
enum {
    M_VERSION,
    M_FILE_NAME,
    M_FILE_SIZE,
    M_NUM_ADDED,
    M_NUM_DELETED,
    M_PARTITION_STATS,
    M_SCHEMA_ID,
    M_NFIELDS
};

static pmn_type *nn(pmn_type_root root)
{
    return pmn_type_not_null(pmn_type_new(root));
}

static pmn_type *stats_type(void)
{
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_MIN_VALUES", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 1, "_MAX_VALUES", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 2, "_NULL_COUNTS", pmn_type_array(pmn_type_new(PMN_TYPE_BIGINT)));
    return t;
}

static pmn_type *file_meta_type(int nfields)
{
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_FILE_NAME", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 1, "_FILE_SIZE", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 2, "_ROW_COUNT", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 3, "_MIN_KEY", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 4, "_MAX_KEY", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 5, "_KEY_STATS", stats_type());
    pmn_type_row_add(t, 6, "_VALUE_STATS", stats_type());
    pmn_type_row_add(t, 7, "_MIN_SEQUENCE_NUMBER", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 8, "_MAX_SEQUENCE_NUMBER", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 9, "_SCHEMA_ID", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 10, "_LEVEL", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 11, "_EXTRA_FILES",
                     pmn_type_not_null(pmn_type_array(nn(PMN_TYPE_VARCHAR))));
    pmn_type_row_add(t, 12, "_CREATION_TIME", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3));
    pmn_type_row_add(t, 13, "_DELETE_ROW_COUNT", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 14, "_EMBEDDED_FILE_INDEX", pmn_type_new(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 15, "_FILE_SOURCE", pmn_type_new(PMN_TYPE_TINYINT));
    if (nfields > F_NFIELDS_09) {
        pmn_type_row_add(t, 16, "_VALUE_STATS_COLS", pmn_type_array(nn(PMN_TYPE_VARCHAR)));
        pmn_type_row_add(t, 17, "_EXTERNAL_PATH", pmn_type_new(PMN_TYPE_VARCHAR));
    }
    return t;
}

static pmn_type *entry_type(int file_fields)
{
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_VERSION", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 1, "_KIND", nn(PMN_TYPE_TINYINT));
    pmn_type_row_add(t, 2, "_PARTITION", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 3, "_BUCKET", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 4, "_TOTAL_BUCKETS", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 5, "_FILE", file_meta_type(file_fields));
    return t;
}

static pmn_type *file_meta_list_type(void)
{
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_VERSION", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 1, "_FILE_NAME", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 2, "_FILE_SIZE", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 3, "_NUM_ADDED_FILES", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 4, "_NUM_DELETED_FILES", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 5, "_PARTITION_STATS", stats_type());
    pmn_type_row_add(t, 6, "_SCHEMA_ID", nn(PMN_TYPE_BIGINT));
    return t;
}

/* The types are immutable once built; build them once per process. */
static pthread_once_t types_once = PTHREAD_ONCE_INIT;
static pmn_type *entry_read_type, *entry_write_type, *meta_type;
static char *entry_schema_json, *meta_schema_json;

static void build_types(void)
{
    entry_read_type = entry_type(F_NFIELDS_READ);
    entry_write_type = entry_type(F_NFIELDS_09);
    meta_type = file_meta_list_type();
    entry_schema_json = pmn_avro_schema_for_row(entry_write_type);
    meta_schema_json = pmn_avro_schema_for_row(meta_type);
}

/* ------------------------------------------------------------------------ */
/* Datum <-> struct                                                          */
/* ------------------------------------------------------------------------ */

static pmn_bytes to_bytes(const pmn_datum *d)
{
    pmn_bytes b = {NULL, 0};
    if (!d->is_null) {
        b.ptr = d->v.bin.ptr;
        b.len = d->v.bin.len;
    }
    return b;
}

static const char *to_str(const pmn_datum *d, pmn_arena *a)
{
    if (d->is_null)
        return NULL;
    return pmn_arena_strndup(a, (const char *)d->v.bin.ptr, d->v.bin.len);
}

static const char **to_str_array(const pmn_datum *d, pmn_arena *a, int32_t *n)
{
    *n = 0;
    if (d->is_null)
        return NULL;
    const char **out = pmn_arena_alloc(a, sizeof *out * (d->v.list.n + 1));
    for (uint32_t i = 0; i < d->v.list.n; i++)
        out[i] = to_str(&d->v.list.items[i], a);
    *n = (int32_t)d->v.list.n;
    return out;
}

/* Bytes read from a block must outlive it: copy them into the arena. */
static pmn_bytes copy_bytes(const pmn_datum *d, pmn_arena *a)
{
    pmn_bytes b = to_bytes(d);
    if (b.ptr)
        b.ptr = pmn_arena_memdup(a, b.ptr, b.len);
    return b;
}

static void stats_from_datum(const pmn_datum *d, pmn_arena *a, pmn_simple_stats *s)
{
    memset(s, 0, sizeof *s);
    if (d->is_null)
        return;
    const pmn_datum *f = d->v.list.items;
    s->min_values = copy_bytes(&f[ST_MIN], a);
    s->max_values = copy_bytes(&f[ST_MAX], a);
    s->has_null_counts = !f[ST_NULLS].is_null;
    if (s->has_null_counts) {
        uint32_t n = f[ST_NULLS].v.list.n;
        s->null_counts = pmn_arena_alloc(a, sizeof(int64_t) * (n + 1));
        for (uint32_t i = 0; i < n; i++) {
            const pmn_datum *e = &f[ST_NULLS].v.list.items[i];
            s->null_counts[i] = e->is_null ? -1 : e->v.i;
        }
        s->nnull_counts = (int32_t)n;
    }
}

static void file_from_datum(const pmn_datum *d, pmn_arena *a, pmn_data_file_meta *m)
{
    const pmn_datum *f = d->v.list.items;
    memset(m, 0, sizeof *m);
    m->file_name = to_str(&f[F_FILE_NAME], a);
    m->file_size = f[F_FILE_SIZE].v.i;
    m->row_count = f[F_ROW_COUNT].v.i;
    m->min_key = copy_bytes(&f[F_MIN_KEY], a);
    m->max_key = copy_bytes(&f[F_MAX_KEY], a);
    stats_from_datum(&f[F_KEY_STATS], a, &m->key_stats);
    stats_from_datum(&f[F_VALUE_STATS], a, &m->value_stats);
    m->min_sequence_number = f[F_MIN_SEQ].v.i;
    m->max_sequence_number = f[F_MAX_SEQ].v.i;
    m->schema_id = f[F_SCHEMA_ID].v.i;
    m->level = (int32_t)f[F_LEVEL].v.i;
    m->extra_files = to_str_array(&f[F_EXTRA_FILES], a, &m->nextra_files);
    m->has_creation_time = !f[F_CREATION_TIME].is_null;
    m->creation_time = m->has_creation_time ? f[F_CREATION_TIME].v.ts.millis : 0;
    m->has_delete_row_count = !f[F_DELETE_ROW_COUNT].is_null;
    m->delete_row_count = m->has_delete_row_count ? f[F_DELETE_ROW_COUNT].v.i : 0;
    m->file_source = f[F_FILE_SOURCE].is_null ? -1 : (int32_t)f[F_FILE_SOURCE].v.i;
    m->has_value_stats_cols = !f[F_VALUE_STATS_COLS].is_null;
    m->value_stats_cols = to_str_array(&f[F_VALUE_STATS_COLS], a, &m->nvalue_stats_cols);
    m->external_path = to_str(&f[F_EXTERNAL_PATH], a);
}

static pmn_datum bytes_datum(pmn_bytes b)
{
    pmn_datum d = {.is_null = false};
    d.v.bin.ptr = b.ptr;
    d.v.bin.len = b.len;
    return d;
}

static pmn_datum str_datum(const char *s)
{
    if (!s)
        return pmn_datum_null();
    return pmn_datum_str(s, (uint32_t)strlen(s));
}

static pmn_datum list_datum(pmn_datum *items, uint32_t n)
{
    pmn_datum d = {.is_null = false};
    d.v.list.items = items;
    d.v.list.n = n;
    return d;
}

/* Writing builds datums in a scratch arena that lives for one row. */
static pmn_datum stats_to_datum(const pmn_simple_stats *s, pmn_arena *a)
{
    pmn_datum *f = pmn_arena_alloc(a, 3 * sizeof *f);
    f[ST_MIN] = bytes_datum(s->min_values);
    f[ST_MAX] = bytes_datum(s->max_values);
    if (s->has_null_counts) {
        pmn_datum *items = pmn_arena_alloc(a, sizeof *items * ((size_t)s->nnull_counts + 1));
        for (int32_t i = 0; i < s->nnull_counts; i++)
            items[i] = s->null_counts[i] < 0 ? pmn_datum_null() : pmn_datum_int(s->null_counts[i]);
        f[ST_NULLS] = list_datum(items, (uint32_t)s->nnull_counts);
    } else {
        f[ST_NULLS] = pmn_datum_null();
    }
    return list_datum(f, 3);
}

static pmn_datum file_to_datum(const pmn_data_file_meta *m, pmn_arena *a)
{
    pmn_datum *f = pmn_arena_alloc(a, F_NFIELDS_09 * sizeof *f);
    f[F_FILE_NAME] = str_datum(m->file_name);
    f[F_FILE_SIZE] = pmn_datum_int(m->file_size);
    f[F_ROW_COUNT] = pmn_datum_int(m->row_count);
    f[F_MIN_KEY] = bytes_datum(m->min_key);
    f[F_MAX_KEY] = bytes_datum(m->max_key);
    f[F_KEY_STATS] = stats_to_datum(&m->key_stats, a);
    f[F_VALUE_STATS] = stats_to_datum(&m->value_stats, a);
    f[F_MIN_SEQ] = pmn_datum_int(m->min_sequence_number);
    f[F_MAX_SEQ] = pmn_datum_int(m->max_sequence_number);
    f[F_SCHEMA_ID] = pmn_datum_int(m->schema_id);
    f[F_LEVEL] = pmn_datum_int(m->level);
    pmn_datum *extra = pmn_arena_alloc(a, sizeof *extra * ((size_t)m->nextra_files + 1));
    for (int32_t i = 0; i < m->nextra_files; i++)
        extra[i] = str_datum(m->extra_files[i]);
    f[F_EXTRA_FILES] = list_datum(extra, (uint32_t)m->nextra_files);
    f[F_CREATION_TIME] = pmn_datum_null();
    if (m->has_creation_time) {
        f[F_CREATION_TIME].is_null = false;
        f[F_CREATION_TIME].v.ts.millis = m->creation_time;
        f[F_CREATION_TIME].v.ts.nanos = 0;
    }
    f[F_DELETE_ROW_COUNT] =
        m->has_delete_row_count ? pmn_datum_int(m->delete_row_count) : pmn_datum_null();
    f[F_EMBEDDED_INDEX] = pmn_datum_null();
    f[F_FILE_SOURCE] = m->file_source < 0 ? pmn_datum_null() : pmn_datum_int(m->file_source);
    return list_datum(f, F_NFIELDS_09);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

/* read_rows: decode every record of an Avro file as `type`, calling `take` for each. */
static int read_rows(const char *path, const pmn_type *type, pmn_arena *a,
                     void (*take)(const pmn_datum *row, pmn_arena *a, void *ctx), void *ctx)
{
    pmn_avro_reader *r = NULL;
    pmn_avro_read_plan *plan = NULL;
    pmn_arena scratch = PMN_ARENA_INIT;
    pmn_datum *row = pmn_xcalloc((size_t)type->nfields, sizeof *row);
    int rc = pmn_avro_reader_open(path, &r);
    if (rc)
        goto done;
    rc = pmn_avro_read_plan_new(pmn_avro_reader_schema(r), type, &plan);
    if (rc) {
        pmn_error_wrap("%s: ", path);
        goto done;
    }
    for (;;) {
        pmn_avro_cursor c;
        int64_t count;
        rc = pmn_avro_reader_next_block(r, &c, &count);
        if (rc == PMN_ITEROVER) {
            rc = 0;
            break;
        }
        if (rc)
            goto done;
        for (int64_t i = 0; i < count; i++) {
            pmn_arena_reset(&scratch);
            rc = pmn_avro_read_row(plan, &c, &scratch, row);
            if (rc) {
                pmn_error_wrap("%s: record %lld: ", path, (long long)i);
                goto done;
            }
            take(row, a, ctx);
        }
    }
done:
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    pmn_arena_free(&scratch);
    free(row);
    return rc;
}

typedef struct entry_sink {
    pmn_manifest_entry *items;
    size_t n, cap;
    const char *path;
    int error;
} entry_sink;

static void take_entry(const pmn_datum *row, pmn_arena *a, void *ctx)
{
    entry_sink *s = ctx;
    if (s->error)
        return;
    if (row[E_VERSION].v.i != 2 || row[E_FILE].is_null) {
        s->error = pmn_error_set(PMN_ECORRUPT,
                                 "%s: manifest entry version %lld is not supported (expected 2)",
                                 s->path, (long long)row[E_VERSION].v.i);
        return;
    }
    PMN_GROW(s->items, s->cap, s->n + 1);
    pmn_manifest_entry *e = &s->items[s->n++];
    e->kind = (int32_t)row[E_KIND].v.i;
    e->partition = copy_bytes(&row[E_PARTITION], a);
    e->bucket = (int32_t)row[E_BUCKET].v.i;
    e->total_buckets = (int32_t)row[E_TOTAL_BUCKETS].v.i;
    file_from_datum(&row[E_FILE], a, &e->file);
    if ((e->kind != PMN_FILE_ADD && e->kind != PMN_FILE_DELETE) || !e->file.file_name)
        s->error = pmn_error_set(PMN_ECORRUPT, "%s: invalid manifest entry (kind %d)", s->path,
                                 e->kind);
}

int pmn_manifest_read(const char *path, pmn_arena *a, pmn_manifest_entry **entries, size_t *n)
{
    pthread_once(&types_once, build_types);
    entry_sink sink = {.path = path};
    int rc = read_rows(path, entry_read_type, a, take_entry, &sink);
    if (!rc)
        rc = sink.error;
    if (rc) {
        free(sink.items);
        return rc;
    }
    *entries = pmn_arena_memdup(a, sink.items, sink.n * sizeof *sink.items);
    *n = sink.n;
    free(sink.items);
    return 0;
}

typedef struct meta_sink {
    pmn_manifest_file_meta *items;
    size_t n, cap;
    const char *path;
    int error;
} meta_sink;

static void take_meta(const pmn_datum *row, pmn_arena *a, void *ctx)
{
    meta_sink *s = ctx;
    if (s->error)
        return;
    if (row[M_VERSION].v.i != 2 || row[M_FILE_NAME].is_null) {
        s->error = pmn_error_set(PMN_ECORRUPT, "%s: manifest file meta version %lld is not "
                                               "supported (expected 2)",
                                 s->path, (long long)row[M_VERSION].v.i);
        return;
    }
    PMN_GROW(s->items, s->cap, s->n + 1);
    pmn_manifest_file_meta *m = &s->items[s->n++];
    m->file_name = to_str(&row[M_FILE_NAME], a);
    m->file_size = row[M_FILE_SIZE].v.i;
    m->num_added_files = row[M_NUM_ADDED].v.i;
    m->num_deleted_files = row[M_NUM_DELETED].v.i;
    stats_from_datum(&row[M_PARTITION_STATS], a, &m->partition_stats);
    m->schema_id = row[M_SCHEMA_ID].v.i;
}

int pmn_manifest_list_read(const char *path, pmn_arena *a, pmn_manifest_file_meta **metas,
                           size_t *n)
{
    pthread_once(&types_once, build_types);
    meta_sink sink = {.path = path};
    int rc = read_rows(path, meta_type, a, take_meta, &sink);
    if (!rc)
        rc = sink.error;
    if (rc) {
        free(sink.items);
        return rc;
    }
    *metas = pmn_arena_memdup(a, sink.items, sink.n * sizeof *sink.items);
    *n = sink.n;
    free(sink.items);
    return 0;
}

int pmn_manifest_write(const char *path, pmn_avro_codec codec, const pmn_manifest_entry *entries,
                       size_t n, uint64_t *size)
{
    pthread_once(&types_once, build_types);
    pmn_avro_writer *w;
    int rc = pmn_avro_writer_open(path, entry_schema_json, codec, 1, &w);
    if (rc)
        return rc;
    pmn_arena scratch = PMN_ARENA_INIT;
    for (size_t i = 0; i < n; i++) {
        const pmn_manifest_entry *e = &entries[i];
        pmn_datum row[E_NFIELDS];
        pmn_arena_reset(&scratch);
        row[E_VERSION] = pmn_datum_int(2);
        row[E_KIND] = pmn_datum_int(e->kind);
        row[E_PARTITION] = bytes_datum(e->partition);
        row[E_BUCKET] = pmn_datum_int(e->bucket);
        row[E_TOTAL_BUCKETS] = pmn_datum_int(e->total_buckets);
        row[E_FILE] = file_to_datum(&e->file, &scratch);
        pmn_avro_write_row(pmn_avro_writer_buf(w), entry_write_type, row);
        rc = pmn_avro_writer_end_object(w);
        if (rc)
            break;
    }
    pmn_arena_free(&scratch);
    if (rc) {
        pmn_avro_writer_discard(w);
        return rc;
    }
    return pmn_avro_writer_close(w, size);
}

int pmn_manifest_list_write(const char *path, pmn_avro_codec codec,
                            const pmn_manifest_file_meta *metas, size_t n, uint64_t *size)
{
    pthread_once(&types_once, build_types);
    pmn_avro_writer *w;
    int rc = pmn_avro_writer_open(path, meta_schema_json, codec, 1, &w);
    if (rc)
        return rc;
    pmn_arena scratch = PMN_ARENA_INIT;
    for (size_t i = 0; i < n; i++) {
        const pmn_manifest_file_meta *m = &metas[i];
        pmn_datum row[M_NFIELDS];
        pmn_arena_reset(&scratch);
        row[M_VERSION] = pmn_datum_int(2);
        row[M_FILE_NAME] = str_datum(m->file_name);
        row[M_FILE_SIZE] = pmn_datum_int(m->file_size);
        row[M_NUM_ADDED] = pmn_datum_int(m->num_added_files);
        row[M_NUM_DELETED] = pmn_datum_int(m->num_deleted_files);
        row[M_PARTITION_STATS] = stats_to_datum(&m->partition_stats, &scratch);
        row[M_SCHEMA_ID] = pmn_datum_int(m->schema_id);
        pmn_avro_write_row(pmn_avro_writer_buf(w), meta_type, row);
        rc = pmn_avro_writer_end_object(w);
        if (rc)
            break;
    }
    pmn_arena_free(&scratch);
    if (rc) {
        pmn_avro_writer_discard(w);
        return rc;
    }
    return pmn_avro_writer_close(w, size);
}

bool pmn_bytes_equal(pmn_bytes a, pmn_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

pmn_simple_stats pmn_simple_stats_empty(void)
{
    /* arity 0 (big-endian) followed by an 8-byte empty null-bit region */
    static const uint8_t empty_row[12] = {0};
    pmn_simple_stats s = {{empty_row, 12}, {empty_row, 12}, true, NULL, 0};
    return s;
}
