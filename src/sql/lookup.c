/*
 * src/sql/lookup.c
 *
 * Primary-key hash of a table's rows; see lookup.h. Open addressing with
 * linear probing over row indexes; the hash is FNV-1a over each key field's
 * value bytes, or a multiply-xorshift step for integer-like fields.
 */
#include "sql/lookup.h"

#include "change/datum.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* Rows are stored compactly: only the kept fields, nkept datums per row, in chunks of
 * CHUNK_ROWS rows (no per-row pointer, no reallocation of what is stored). */
#define CHUNK_SHIFT 16
#define CHUNK_ROWS ((size_t)1 << CHUNK_SHIFT)

struct pmn_lookup {
    const pmn_type *row; /* the table's row type (borrowed from the table) */
    int nfields;         /* fields per row */
    int *key;            /* field index of each primary-key column (owned) */
    int nkey;            /* primary-key columns */
    bool *kept;          /* per field: copied (owned) */
    int *pos;            /* per field: its index in a stored row, -1 if not kept (owned) */
    int nkept;           /* datums per stored row */
    pmn_arena arena;     /* strings and nested values of the stored rows */
    pmn_datum **chunks;  /* stored rows (owned) */
    size_t nchunks, capchunks;
    size_t nrows;
    uint32_t *slots; /* nslots entries: row index + 1, 0 = empty (owned) */
    size_t nslots;   /* a power of two, > 2 * nrows */
};

static const pmn_datum *stored(const pmn_lookup *l, size_t idx)
{
    return l->chunks[idx >> CHUNK_SHIFT] + (idx & (CHUNK_ROWS - 1)) * (size_t)l->nkept;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_key(const pmn_lookup *l, const pmn_datum *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (int k = 0; k < l->nkey; k++) {
        const pmn_datum *d = &key[k];
        const pmn_type *t = l->row->fields[l->key[k]].type;
        if (d->is_null) {
            h = fnv(h, "\0", 1);
            continue;
        }
        switch (t->root) {
        case PMN_TYPE_BOOLEAN:
            h = fnv(h, &d->v.b, sizeof d->v.b);
            break;
        case PMN_TYPE_FLOAT:
            h = fnv(h, &d->v.f4, sizeof d->v.f4);
            break;
        case PMN_TYPE_DOUBLE:
            h = fnv(h, &d->v.f8, sizeof d->v.f8);
            break;
        case PMN_TYPE_DECIMAL:
            h = fnv(h, &d->v.dec, sizeof d->v.dec);
            break;
        case PMN_TYPE_CHAR:
        case PMN_TYPE_VARCHAR:
        case PMN_TYPE_BINARY:
        case PMN_TYPE_VARBINARY:
            h = fnv(h, d->v.bin.ptr, d->v.bin.len);
            break;
        case PMN_TYPE_TIMESTAMP:
        case PMN_TYPE_TIMESTAMP_LTZ:
            h = fnv(h, &d->v.ts.millis, sizeof d->v.ts.millis);
            h = fnv(h, &d->v.ts.nanos, sizeof d->v.ts.nanos);
            break;
        default: {
            /* integers, dates, times: one multiply-xorshift round instead of 8 FNV steps */
            uint64_t x = (h ^ (uint64_t)d->v.i) * 0x9E3779B97F4A7C15ULL;
            h = x ^ (x >> 29);
            continue;
        }
        }
        h = fnv(h, "|", 1);
    }
    return h;
}

/* key fields of a stored row vs a probe key (one datum per key column) */
static bool key_equal(const pmn_lookup *l, const pmn_datum *row, const pmn_datum *key)
{
    for (int k = 0; k < l->nkey; k++) {
        const pmn_type *t = l->row->fields[l->key[k]].type;
        if (!pmn_datum_equal(t, &row[l->pos[l->key[k]]], &key[k]))
            return false;
    }
    return true;
}

static void insert(pmn_lookup *l, size_t idx)
{
    const pmn_datum *row = stored(l, idx);
    /* a stored row holds key column k at l->pos[l->key[k]]; gather them like a probe key */
    pmn_datum tmp[64];
    for (int k = 0; k < l->nkey; k++)
        tmp[k] = row[l->pos[l->key[k]]];
    uint64_t h = hash_key(l, tmp);
    size_t mask = l->nslots - 1;
    for (size_t s = h & mask;; s = (s + 1) & mask)
        if (!l->slots[s]) {
            l->slots[s] = (uint32_t)(idx + 1);
            return;
        }
}

static void rehash(pmn_lookup *l, size_t nslots)
{
    free(l->slots);
    l->slots = pmn_xcalloc(nslots, sizeof *l->slots);
    l->nslots = nslots;
    for (size_t i = 0; i < l->nrows; i++)
        insert(l, i);
}

int pmn_lookup_build(pmn_table *t, const pmn_scan_options *opts, const bool *cols, size_t max_bytes,
                     pmn_lookup **out)
{
    const pmn_type *row = pmn_table_row_type(t);
    const char *const *keys;
    size_t nk = pmn_table_primary_keys(t, &keys);
    if (nk == 0 || nk > 64)
        return pmn_error_set(PMN_EINVALID, "table %s: no primary key to look rows up by",
                             pmn_table_name(t));
    pmn_lookup *l = pmn_xcalloc(1, sizeof *l);
    l->row = row;
    l->nfields = row->nfields;
    l->key = pmn_xcalloc(nk, sizeof(int));
    l->nkey = (int)nk;
    l->kept = pmn_xcalloc((size_t)row->nfields + 1, sizeof(bool));
    l->pos = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
    pmn_arena_init(&l->arena);
    for (int i = 0; i < row->nfields; i++)
        l->kept[i] = cols[i];
    for (size_t k = 0; k < nk; k++) {
        l->key[k] = pmn_type_find_field(row, keys[k]);
        if (l->key[k] < 0) {
            pmn_lookup_free(l);
            return pmn_error_set(PMN_ECORRUPT, "table %s: key column %s is missing",
                                 pmn_table_name(t), keys[k]);
        }
        l->kept[l->key[k]] = true;
    }
    int *proj = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
    size_t nproj = 0;
    for (int i = 0; i < row->nfields; i++) {
        l->pos[i] = l->kept[i] ? l->nkept++ : -1;
        if (l->kept[i])
            proj[nproj++] = i;
    }
    pmn_scan_options o = *opts;
    o.projection = proj;
    o.nprojection = nproj;
    o.filters = NULL; /* every row: the filters were one lookup's key */
    o.nfilters = 0;
    o.row_filters = NULL;
    o.nrow_filters = 0;
    pmn_scan *scan = NULL;
    int rc = pmn_scan_open(t, &o, &scan);
    const pmn_datum *r;
    size_t chunk_bytes = CHUNK_ROWS * (size_t)l->nkept * sizeof(pmn_datum);
    while (rc == 0 && (rc = pmn_scan_next(scan, &r)) == 0) {
        if (l->nrows >= UINT32_MAX - 1 ||
            l->arena.used_bytes + l->nchunks * chunk_bytes + l->nrows * 2 * sizeof(uint32_t) >
                max_bytes) {
            rc = pmn_error_set(PMN_EINVALID, "table %s: too large to hold in memory for lookups",
                               pmn_table_name(t));
            break;
        }
        if ((l->nrows & (CHUNK_ROWS - 1)) == 0) {
            PMN_GROW(l->chunks, l->capchunks, l->nchunks + 1);
            l->chunks[l->nchunks++] = pmn_xmalloc(chunk_bytes);
        }
        pmn_datum *copy = (pmn_datum *)stored(l, l->nrows);
        for (int i = 0; i < l->nfields; i++)
            if (l->kept[i])
                pmn_datum_copy(row->fields[i].type, &r[i], &copy[l->pos[i]], &l->arena);
        l->nrows++;
    }
    if (rc == PMN_ITEROVER)
        rc = 0;
    pmn_scan_free(scan);
    free(proj);
    if (rc) {
        pmn_lookup_free(l);
        return rc;
    }
    size_t nslots = 16;
    while (nslots < 2 * l->nrows + 2)
        nslots <<= 1;
    rehash(l, nslots);
    *out = l;
    return 0;
}

bool pmn_lookup_covers(const pmn_lookup *l, const bool *cols, int ncols)
{
    for (int i = 0; i < ncols && i < l->nfields; i++)
        if (cols[i] && !l->kept[i])
            return false;
    return true;
}

bool pmn_lookup_find(const pmn_lookup *l, const pmn_datum *key, pmn_datum *out)
{
    uint64_t h = hash_key(l, key);
    size_t mask = l->nslots - 1;
    for (size_t s = h & mask; l->slots[s]; s = (s + 1) & mask) {
        const pmn_datum *row = stored(l, l->slots[s] - 1);
        if (!key_equal(l, row, key))
            continue;
        for (int i = 0; i < l->nfields; i++)
            out[i] = l->pos[i] >= 0 ? row[l->pos[i]] : pmn_datum_null();
        return true;
    }
    return false;
}

size_t pmn_lookup_rows(const pmn_lookup *l)
{
    return l->nrows;
}

void pmn_lookup_free(pmn_lookup *l)
{
    if (!l)
        return;
    free(l->key);
    free(l->kept);
    free(l->pos);
    for (size_t i = 0; i < l->nchunks; i++)
        free(l->chunks[i]);
    free(l->chunks);
    free(l->slots);
    pmn_arena_free(&l->arena);
    free(l);
}
