/*
 * src/mergetree/merge_heap.c
 *
 * The (key, sequence) min-heap of k-way merges; see merge_heap.h.
 */
#include "mergetree/merge_heap.h"

#include "change/datum.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

enum { PREFIX_NONE, PREFIX_INT, PREFIX_BYTES };

void pmn_merge_heap_init(pmn_merge_heap *m, const pmn_type *const *key_types, int32_t nkeys,
                         size_t cap)
{
    memset(m, 0, sizeof *m);
    m->key_types = key_types;
    m->nkeys = nkeys;
    m->h = pmn_xcalloc(cap + 1, sizeof *m->h);
    if (nkeys > 0) {
        switch (key_types[0]->root) {
        case PMN_TYPE_TINYINT:
        case PMN_TYPE_SMALLINT:
        case PMN_TYPE_INT:
        case PMN_TYPE_BIGINT:
        case PMN_TYPE_DATE:
        case PMN_TYPE_TIME:
            m->prefix_kind = PREFIX_INT;
            break;
        case PMN_TYPE_CHAR:
        case PMN_TYPE_VARCHAR:
        case PMN_TYPE_BINARY:
        case PMN_TYPE_VARBINARY:
            m->prefix_kind = PREFIX_BYTES;
            break;
        default:
            m->prefix_kind = PREFIX_NONE;
        }
    }
}

void pmn_merge_heap_dispose(pmn_merge_heap *m)
{
    free(m->h);
    m->h = NULL;
    m->n = 0;
}

/* The prefix never contradicts pmn_datum_compare: a < b implies prefix(a) <= prefix(b); equal
 * prefixes are settled by the typed comparison (NULL, INT64_MIN, "" and "\0" all map to 0). */
void pmn_merge_input_keyed(const pmn_merge_heap *m, pmn_merge_input *in)
{
    if (in->done || m->prefix_kind == PREFIX_NONE || in->key[0].is_null) {
        in->prefix = 0;
        return;
    }
    if (m->prefix_kind == PREFIX_INT) {
        in->prefix = (uint64_t)in->key[0].v.i ^ (UINT64_C(1) << 63);
        return;
    }
    const uint8_t *p = in->key[0].v.bin.ptr;
    uint32_t len = in->key[0].v.bin.len;
    uint64_t v = 0;
    for (uint32_t i = 0; i < 8; i++)
        v = (v << 8) | (i < len ? p[i] : 0);
    in->prefix = v;
}

int pmn_merge_key_compare(const pmn_merge_heap *m, const pmn_merge_input *a,
                          const pmn_merge_input *b)
{
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    /* a single integer key is its prefix (NULL aside, which shares 0 with INT64_MIN) */
    if (m->prefix_kind == PREFIX_INT && m->nkeys == 1 && !a->key[0].is_null && !b->key[0].is_null)
        return 0;
    for (int32_t i = 0; i < m->nkeys; i++) {
        int c = pmn_datum_compare(m->key_types[i], &a->key[i], &b->key[i]);
        if (c)
            return c;
    }
    return 0;
}

static inline bool less(const pmn_merge_heap *m, const pmn_merge_input *a, const pmn_merge_input *b)
{
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix;
    int c = pmn_merge_key_compare(m, a, b);
    return c ? c < 0 : a->seq < b->seq;
}

static void sift_down(pmn_merge_heap *m, size_t i)
{
    pmn_merge_input *x = m->h[i];
    size_t n = m->n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t c = l;
        if (l + 1 < n && less(m, m->h[l + 1], m->h[l]))
            c = l + 1;
        if (!less(m, m->h[c], x))
            break;
        m->h[i] = m->h[c];
        i = c;
    }
    m->h[i] = x;
}

void pmn_merge_heap_push(pmn_merge_heap *m, pmn_merge_input *in)
{
    size_t i = m->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(m, in, m->h[p]))
            break;
        m->h[i] = m->h[p];
        i = p;
    }
    m->h[i] = in;
}

void pmn_merge_heap_top_moved(pmn_merge_heap *m)
{
    if (m->n == 0)
        return;
    if (m->h[0]->done) {
        m->h[0] = m->h[--m->n];
        if (m->n == 0)
            return;
    }
    sift_down(m, 0);
}

bool pmn_merge_heap_top_shadowed(const pmn_merge_heap *m)
{
    /* the second smallest (key, seq) is one of the top's children */
    if (m->n < 2)
        return false;
    const pmn_merge_input *c = m->h[1];
    if (m->n > 2 && less(m, m->h[2], c))
        c = m->h[2];
    return pmn_merge_key_compare(m, m->h[0], c) == 0;
}
