/*
 * src/table/dv.c
 *
 * A snapshot's deletion vectors; see dv.h. Java looks vectors up by data file
 * name per (partition, bucket); data file names are unique within a
 * partition (each writer names its files with its own UUID), so the lookup
 * key here is (data file, partition), which also covers bucket-unaware append
 * tables whose vectors Java files under bucket 0.
 */
#include "table/dv.h"

#include "paimon/deletion_vector.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    const pmn_index_entry *e;
    const pmn_dv_range *r;
    pmn_roaring *dv; /* decoded on first use */
} slot;

struct pmn_dv_index {
    pmn_table *t;
    pmn_arena arena;
    pmn_index_entry *live;
    size_t nlive;
    slot *slots; /* sorted by (data file, partition) */
    size_t nslots;
    char *cached_path; /* the index file read last */
    char *cached;
    size_t cached_len;
};

bool pmn_table_dv_enabled(const pmn_table *t)
{
    const char *v = pmn_table_option(t, "deletion-vectors.enabled");
    return v && strcmp(v, "true") == 0;
}

int pmn_table_dv_refuse_write(const pmn_table *t)
{
    if (!pmn_table_dv_enabled(t))
        return 0;
    return pmn_error_set(PMN_EINVALID,
                         "table %s has deletion-vectors.enabled: pgpaimon reads such tables but "
                         "does not write, compact or truncate them (it cannot maintain deletion "
                         "vectors); write to it with Java Paimon",
                         t->full_name);
}

static int cmp_bytes(pmn_bytes a, pmn_bytes b)
{
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return (a.len > b.len) - (a.len < b.len);
}

static int cmp_slot(const void *pa, const void *pb)
{
    const slot *a = pa, *b = pb;
    int c = strcmp(a->r->data_file, b->r->data_file);
    return c ? c : cmp_bytes(a->e->partition, b->e->partition);
}

static bool same_index_file(const pmn_index_entry *a, const pmn_index_entry *b)
{
    return a->bucket == b->bucket && strcmp(a->index_type, b->index_type) == 0 &&
           strcmp(a->file_name, b->file_name) == 0 && pmn_bytes_equal(a->partition, b->partition);
}

int pmn_dv_index_open(pmn_table *t, const pmn_snapshot *snap, pmn_dv_index **out)
{
    pmn_dv_index *x = pmn_xcalloc(1, sizeof *x);
    x->t = t;
    pmn_arena_init(&x->arena);
    *out = x;
    if (!snap || !snap->index_manifest)
        return 0;
    char *path = pmn_xasprintf("%s/manifest/%s", t->path, snap->index_manifest);
    pmn_index_entry *all;
    size_t n;
    int rc = pmn_index_manifest_read(path, &x->arena, &all, &n);
    free(path);
    if (rc) {
        pmn_dv_index_free(x);
        *out = NULL;
        return pmn_error_wrap("table %s: snapshot %lld: ", t->full_name, (long long)snap->id);
    }
    /* replay: a DELETE removes the ADD of the same index file seen before it */
    bool *dead = pmn_xcalloc(n + 1, sizeof *dead);
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != PMN_FILE_DELETE)
            continue;
        dead[i] = true;
        for (size_t j = 0; j < i; j++)
            if (!dead[j] && same_index_file(&all[i], &all[j]))
                dead[j] = true;
    }
    x->live = pmn_arena_alloc(&x->arena, sizeof *x->live * (n + 1));
    size_t nslots = 0;
    for (size_t i = 0; i < n; i++) {
        if (dead[i])
            continue;
        x->live[x->nlive++] = all[i];
        if (strcmp(all[i].index_type, PMN_INDEX_DELETION_VECTORS) == 0)
            nslots += (size_t)all[i].nranges;
    }
    free(dead);
    x->slots = pmn_xcalloc(nslots + 1, sizeof *x->slots);
    for (size_t i = 0; i < x->nlive; i++) {
        const pmn_index_entry *e = &x->live[i];
        if (strcmp(e->index_type, PMN_INDEX_DELETION_VECTORS) != 0)
            continue;
        for (int32_t r = 0; r < e->nranges; r++) {
            x->slots[x->nslots].e = e;
            x->slots[x->nslots].r = &e->ranges[r];
            x->nslots++;
        }
    }
    if (x->nslots)
        qsort(x->slots, x->nslots, sizeof *x->slots, cmp_slot);
    for (size_t i = 1; i < x->nslots; i++) {
        if (cmp_slot(&x->slots[i - 1], &x->slots[i]) == 0) {
            rc = pmn_error_set(PMN_ECORRUPT,
                               "table %s: snapshot %lld: index manifest %s gives data file %s two "
                               "deletion vectors (index files %s and %s)",
                               t->full_name, (long long)snap->id, snap->index_manifest,
                               x->slots[i].r->data_file, x->slots[i - 1].e->file_name,
                               x->slots[i].e->file_name);
            pmn_dv_index_free(x);
            *out = NULL;
            return rc;
        }
    }
    return 0;
}

void pmn_dv_index_free(pmn_dv_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->nslots; i++)
        pmn_roaring_free(x->slots[i].dv);
    free(x->slots);
    free(x->cached_path);
    free(x->cached);
    pmn_arena_free(&x->arena);
    free(x);
}

char *pmn_dv_index_file_path(const pmn_table *t, const pmn_index_entry *e)
{
    if (e->external_path)
        return pmn_xstrdup(e->external_path);
    const char *in_data_dir = pmn_table_option(t, "index-file-in-data-file-dir");
    if (in_data_dir && strcmp(in_data_dir, "true") == 0) {
        char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
        char *p = pmn_xasprintf("%s/%s", dir, e->file_name);
        free(dir);
        return p;
    }
    return pmn_xasprintf("%s/index/%s", t->path, e->file_name);
}

static int load(pmn_dv_index *x, slot *s)
{
    char *path = pmn_dv_index_file_path(x->t, s->e);
    int rc = 0;
    if (!x->cached_path || strcmp(x->cached_path, path) != 0) {
        free(x->cached_path);
        free(x->cached);
        x->cached_path = NULL;
        x->cached = NULL;
        rc = pmn_fs_read_file(path, &x->cached, &x->cached_len);
        if (rc) {
            free(path);
            return rc;
        }
        x->cached_path = path;
        path = NULL;
    }
    free(path);
    return pmn_dv_decode((const uint8_t *)x->cached, x->cached_len, s->r->offset, s->r->length,
                         &s->dv);
}

int pmn_dv_index_get(pmn_dv_index *x, pmn_bytes partition, const char *data_file,
                     const pmn_roaring **dv)
{
    *dv = NULL;
    size_t lo = 0, hi = x->nslots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(x->slots[mid].r->data_file, data_file);
        if (c == 0)
            c = cmp_bytes(x->slots[mid].e->partition, partition);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == x->nslots || strcmp(x->slots[lo].r->data_file, data_file) != 0 ||
        !pmn_bytes_equal(x->slots[lo].e->partition, partition))
        return 0;
    slot *s = &x->slots[lo];
    if (!s->dv) {
        int rc = load(x, s);
        if (rc)
            return pmn_error_wrap("table %s: index file %s, deletion vector of data file %s: ",
                                  x->t->full_name, s->e->file_name, data_file);
    }
    *dv = s->dv;
    return 0;
}

size_t pmn_dv_index_count(const pmn_dv_index *x)
{
    return x->nslots;
}

void pmn_dv_index_at(const pmn_dv_index *x, size_t i, const pmn_index_entry **entry,
                     const pmn_dv_range **range)
{
    *entry = x->slots[i].e;
    *range = x->slots[i].r;
}

void pmn_dv_index_entries(const pmn_dv_index *x, const pmn_index_entry **entries, size_t *n)
{
    *entries = x->live;
    *n = x->nlive;
}
