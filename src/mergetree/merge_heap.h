/*
 * src/mergetree/merge_heap.h
 *
 * The k-way merge of sorted runs by (key, sequence) shared by reads and
 * compaction of primary-key buckets (paimon-format.md §5.3, §5.4; Java's
 * SortMergeReader). A binary min-heap of inputs that is advanced in place
 * ("replace top": one sift-down per record, not a pop and a push), with keys
 * compared through a 64-bit order-preserving prefix of the first key column
 * (integers, dates, strings, bytes) before the typed comparison, so most
 * comparisons are one integer compare. Of several inputs positioned on the
 * same key the one with the lowest sequence is on top;
 * pmn_merge_heap_top_shadowed tells whether a newer version of the top's key
 * exists, so callers skip (and never decode the values of) shadowed records.
 */
#ifndef PMN_MERGETREE_MERGE_HEAP_H
#define PMN_MERGETREE_MERGE_HEAP_H

#include "pmn/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One input's current record. Callers embed it (first member) in their own run struct and,
 * after positioning the input on a new record, call pmn_merge_input_keyed. */
typedef struct pmn_merge_input {
    const pmn_datum *key; /* nkeys datums (trimmed primary key) */
    uint64_t prefix;      /* order-preserving image of key[0] */
    int64_t seq;
    int32_t kind;
    bool done;
} pmn_merge_input;

typedef struct pmn_merge_heap {
    const pmn_type *const *key_types; /* borrowed */
    int32_t nkeys;
    int prefix_kind; /* how key[0] maps to a prefix (0: none) */
    pmn_merge_input **h;
    size_t n;
} pmn_merge_heap;

/* pmn_merge_heap_init: an empty heap for up to cap inputs of keys of these types. */
void pmn_merge_heap_init(pmn_merge_heap *m, const pmn_type *const *key_types, int32_t nkeys,
                         size_t cap);
void pmn_merge_heap_dispose(pmn_merge_heap *m);
/* pmn_merge_input_keyed: compute in->prefix from in->key (after every move of the input). */
void pmn_merge_input_keyed(const pmn_merge_heap *m, pmn_merge_input *in);
/* pmn_merge_key_compare: order of the keys of a and b (sequence not considered). */
int pmn_merge_key_compare(const pmn_merge_heap *m, const pmn_merge_input *a,
                          const pmn_merge_input *b);
/* pmn_merge_heap_push: add a positioned (not done) input. */
void pmn_merge_heap_push(pmn_merge_heap *m, pmn_merge_input *in);
/* pmn_merge_heap_top: the input with the smallest (key, sequence), or NULL when empty. */
static inline pmn_merge_input *pmn_merge_heap_top(const pmn_merge_heap *m)
{
    return m->n ? m->h[0] : NULL;
}
/* pmn_merge_heap_top_moved: the top input was advanced (pmn_merge_input_keyed called) or is
 * done: restore the heap order. */
void pmn_merge_heap_top_moved(pmn_merge_heap *m);
/* pmn_merge_heap_top_shadowed: another input holds the top's key with a higher sequence. */
bool pmn_merge_heap_top_shadowed(const pmn_merge_heap *m);

#endif
