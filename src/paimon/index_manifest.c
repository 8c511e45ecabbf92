/*
 * src/paimon/index_manifest.c
 *
 * Reading index manifests; see index_manifest.h. The requested ROW type lists
 * the union of the fields of every Java version; the Avro layer reads fields
 * a file lacks as NULL and skips fields it has but we do not request.
 */
#include "paimon/index_manifest.h"

#include "util/alloc.h"
#include "util/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    I_VERSION,
    I_KIND,
    I_PARTITION,
    I_BUCKET,
    I_INDEX_TYPE,
    I_FILE_NAME,
    I_FILE_SIZE,
    I_ROW_COUNT,
    I_RANGES,
    I_EXTERNAL_PATH,
    I_NFIELDS
};
enum { R_FILE, R_OFFSET, R_LENGTH, R_CARDINALITY };

static pthread_once_t type_once = PTHREAD_ONCE_INIT;
static pmn_type *entry_type;

static pmn_type *nn(pmn_type_root root)
{
    return pmn_type_not_null(pmn_type_new(root));
}

static void build_type(void)
{
    pmn_type *range = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(range, 0, "f0", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(range, 1, "f1", nn(PMN_TYPE_INT));
    pmn_type_row_add(range, 2, "f2", nn(PMN_TYPE_INT));
    pmn_type_row_add(range, 3, "_CARDINALITY", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_VERSION", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 1, "_KIND", nn(PMN_TYPE_TINYINT));
    pmn_type_row_add(t, 2, "_PARTITION", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 3, "_BUCKET", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 4, "_INDEX_TYPE", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 5, "_FILE_NAME", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 6, "_FILE_SIZE", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 7, "_ROW_COUNT", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 8, "_DELETIONS_VECTORS_RANGES", pmn_type_array(range));
    pmn_type_row_add(t, 9, "_EXTERNAL_PATH", pmn_type_new(PMN_TYPE_VARCHAR));
    entry_type = t;
}

const pmn_type *pmn_index_manifest_row_type(void)
{
    pthread_once(&type_once, build_type);
    return entry_type;
}

static const char *to_str(const pmn_datum *d, pmn_arena *a)
{
    if (d->is_null)
        return NULL;
    return pmn_arena_strndup(a, (const char *)d->v.bin.ptr, d->v.bin.len);
}

/* take: convert one decoded row into e; PMN_ECORRUPT if it is invalid. */
static int take(const char *path, int64_t record, const pmn_datum *row, pmn_arena *a,
                pmn_index_entry *e)
{
    memset(e, 0, sizeof *e);
    if (row[I_VERSION].is_null || row[I_VERSION].v.i != 1)
        return pmn_error_set(PMN_ECORRUPT,
                             "%s: record %lld: index manifest entry version %lld is not "
                             "supported (expected 1)",
                             path, (long long)record,
                             row[I_VERSION].is_null ? -1LL : (long long)row[I_VERSION].v.i);
    for (int f = I_KIND; f <= I_ROW_COUNT; f++)
        if (row[f].is_null)
            return pmn_error_set(PMN_ECORRUPT, "%s: record %lld: required field %s is missing",
                                 path, (long long)record, entry_type->fields[f].name);
    e->kind = (int32_t)row[I_KIND].v.i;
    if (e->kind != PMN_FILE_ADD && e->kind != PMN_FILE_DELETE)
        return pmn_error_set(PMN_ECORRUPT, "%s: record %lld: invalid kind %d", path,
                             (long long)record, e->kind);
    e->partition.len = row[I_PARTITION].v.bin.len;
    e->partition.ptr = pmn_arena_memdup(a, row[I_PARTITION].v.bin.ptr, e->partition.len);
    e->bucket = (int32_t)row[I_BUCKET].v.i;
    e->index_type = to_str(&row[I_INDEX_TYPE], a);
    e->file_name = to_str(&row[I_FILE_NAME], a);
    e->file_size = row[I_FILE_SIZE].v.i;
    e->row_count = row[I_ROW_COUNT].v.i;
    e->external_path = to_str(&row[I_EXTERNAL_PATH], a);
    if (!row[I_RANGES].is_null) {
        uint32_t n = row[I_RANGES].v.list.n;
        e->ranges = pmn_arena_alloc(a, sizeof *e->ranges * ((size_t)n + 1));
        for (uint32_t i = 0; i < n; i++) {
            const pmn_datum *item = &row[I_RANGES].v.list.items[i];
            if (item->is_null || item->v.list.items[R_FILE].is_null ||
                item->v.list.items[R_OFFSET].is_null || item->v.list.items[R_LENGTH].is_null)
                return pmn_error_set(PMN_ECORRUPT,
                                     "%s: record %lld: deletion vector range %u is incomplete",
                                     path, (long long)record, i);
            const pmn_datum *f = item->v.list.items;
            pmn_dv_range *r = &e->ranges[i];
            r->data_file = to_str(&f[R_FILE], a);
            r->offset = (int32_t)f[R_OFFSET].v.i;
            r->length = (int32_t)f[R_LENGTH].v.i;
            r->cardinality = f[R_CARDINALITY].is_null ? -1 : f[R_CARDINALITY].v.i;
        }
        e->nranges = (int32_t)n;
    }
    return 0;
}

int pmn_index_manifest_read(const char *path, pmn_arena *a, pmn_index_entry **entries, size_t *n)
{
    pthread_once(&type_once, build_type);
    pmn_avro_reader *r = NULL;
    pmn_avro_read_plan *plan = NULL;
    pmn_arena scratch = PMN_ARENA_INIT;
    pmn_datum row[I_NFIELDS];
    pmn_index_entry *items = NULL;
    size_t count = 0, cap = 0;
    int64_t record = 0;
    int rc = pmn_avro_reader_open(path, &r);
    if (rc)
        goto done;
    rc = pmn_avro_read_plan_new(pmn_avro_reader_schema(r), entry_type, &plan);
    if (rc) {
        pmn_error_wrap("%s: ", path);
        goto done;
    }
    for (;;) {
        pmn_avro_cursor c;
        int64_t nobj;
        rc = pmn_avro_reader_next_block(r, &c, &nobj);
        if (rc == PMN_ITEROVER) {
            rc = 0;
            break;
        }
        if (rc)
            goto done;
        for (int64_t i = 0; i < nobj; i++, record++) {
            pmn_arena_reset(&scratch);
            rc = pmn_avro_read_row(plan, &c, &scratch, row);
            if (rc) {
                pmn_error_wrap("%s: record %lld: ", path, (long long)record);
                goto done;
            }
            PMN_GROW(items, cap, count + 1);
            rc = take(path, record, row, a, &items[count]);
            if (rc)
                goto done;
            count++;
        }
    }
    *entries = pmn_arena_memdup(a, items, sizeof *items * count);
    *n = count;
done:
    free(items);
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    pmn_arena_free(&scratch);
    return rc;
}
