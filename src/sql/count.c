/*
 * src/sql/count.c
 *
 * COUNT(*) from manifest row counts when provably equal to a scan; see count.h.
 */
#include "sql/count.h"

#include "change/datum.h"
#include "paimon/binary_row.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct key_range {
    pmn_datum *min, *max;
} key_range;

/* the key layout range_cmp compares by (qsort has no context argument) */
static _Thread_local const pmn_key_layout *sort_keys;

static int key_cmp(const pmn_key_layout *k, const pmn_datum *a, const pmn_datum *b)
{
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    return key_cmp(sort_keys, ((const key_range *)a)->min, ((const key_range *)b)->min);
}

/* group_disjoint: the files [from, to) of one bucket have no retractions and disjoint keys. */
static bool group_disjoint(pmn_table *t, const pmn_manifest_entry *files, size_t from, size_t to,
                           pmn_arena *a)
{
    const pmn_key_layout *k = &t->keys;
    size_t n = to - from;
    key_range *r = pmn_arena_alloc(a, sizeof *r * n);
    for (size_t i = 0; i < n; i++) {
        const pmn_data_file_meta *f = &files[from + i].file;
        if (!f->has_delete_row_count || f->delete_row_count != 0 ||
            f->schema_id != t->schema->id)
            return false;
        r[i].min = pmn_arena_alloc(a, sizeof(pmn_datum) * ((size_t)k->ntrimmed_pk + 1));
        r[i].max = pmn_arena_alloc(a, sizeof(pmn_datum) * ((size_t)k->ntrimmed_pk + 1));
        if (pmn_binary_row_deserialize(f->min_key.ptr, f->min_key.len, k->trimmed_pk_types,
                                       k->ntrimmed_pk, a, r[i].min) != 0 ||
            pmn_binary_row_deserialize(f->max_key.ptr, f->max_key.len, k->trimmed_pk_types,
                                       k->ntrimmed_pk, a, r[i].max) != 0) {
            pmn_error_clear();
            return false;
        }
    }
    sort_keys = k;
    qsort(r, n, sizeof *r, range_cmp);
    for (size_t i = 1; i < n; i++)
        if (key_cmp(k, r[i - 1].max, r[i].min) >= 0)
            return false;
    return true;
}

int pmn_sql_count_from_metadata(pmn_table *t, const pmn_scan_options *opts, int64_t *count,
                                bool *exact)
{
    *count = 0;
    *exact = false;
    const char *dv = pmn_table_option(t, "deletion-vectors.enabled");
    if (dv && strcmp(dv, "true") == 0)
        return 0;
    int64_t snapshot_id = 0;
    pmn_snapshot *tag = NULL;
    int rc = pmn_plan_resolve(t, opts, &snapshot_id, &tag);
    if (rc)
        return rc;
    pmn_plan *p = NULL;
    rc = tag ? pmn_plan_open_snapshot(t, tag, &p) : pmn_plan_open(t, snapshot_id, &p);
    if (rc) {
        if (tag && !p)
            pmn_snapshot_free(tag);
        return rc;
    }
    bool pk = pmn_table_is_pk(t);
    bool ok = true;
    int64_t n = 0;
    pmn_arena a = PMN_ARENA_INIT;
    for (size_t i = 0; ok && i < p->nfiles;) {
        size_t j = i;
        while (j < p->nfiles && p->files[j].bucket == p->files[i].bucket &&
               pmn_bytes_equal(p->files[j].partition, p->files[i].partition))
            n += p->files[j++].file.row_count;
        if (pk)
            ok = group_disjoint(t, p->files, i, j, &a);
        pmn_arena_reset(&a);
        i = j;
    }
    pmn_arena_free(&a);
    pmn_plan_free(p);
    if (ok) {
        *count = n;
        *exact = true;
    }
    return 0;
}
