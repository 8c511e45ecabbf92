/*
 * src/mergetree/merge_engine.h
 *
 * The merge engine of a primary-key table (paimon-format.md §5.4): how the
 * versions of one key, taken oldest (lowest sequence) first, merge into what
 * a read returns, what a compaction writes and what a commit writes. Shared
 * by the reader (table/scan.c), the compaction rewriter
 * (mergetree/compact_rewriter.c) and the writer (table/write.c):
 *
 *   deduplicate      the newest version; with ignore-delete (or
 *                    deduplicate.ignore-delete) -D/-U versions are skipped;
 *   first-row        the first version that is not a retraction;
 *   partial-update   each column's newest non-null value; a -D is an error
 *                    unless ignore-delete / partial-update.ignore-delete skips
 *                    it or partial-update.remove-record-on-delete starts the
 *                    row over (-U then has no effect), as Java's
 *                    PartialUpdateMergeFunction.
 *
 * aggregation, sequence.field and partial-update sequence groups or
 * aggregate functions are refused: merging them as anything else would give
 * wrong rows.
 */
#ifndef PMN_MERGETREE_MERGE_ENGINE_H
#define PMN_MERGETREE_MERGE_ENGINE_H

#include "pmn/pmn.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdint.h>

enum { PMN_ENGINE_DEDUP, PMN_ENGINE_FIRST_ROW, PMN_ENGINE_PARTIAL };

typedef struct pmn_merge_engine {
    int engine;            /* PMN_ENGINE_* */
    bool ignore_delete;    /* -D/-U versions are skipped */
    bool remove_on_delete; /* partial-update.remove-record-on-delete */
} pmn_merge_engine;

/* pmn_merge_engine_load: the merge engine of t from its options. PMN_EINVALID names an option
 * pgpaimon cannot merge by; the message ends "<what> it with Java Paimon" (what: "read",
 * "compact"). Even then *e holds the nearest engine it can merge by (an unknown merge-engine:
 * deduplicate; sequence.field and sequence groups ignored), for a caller that must merge
 * anyway (the writer keeps accepting rows for such tables). */
int pmn_merge_engine_load(const pmn_table *t, const char *what, pmn_merge_engine *e);

/* pmn_merge_engine_simple: deduplicate without ignore-delete (the newest version wins as is,
 * its kind deciding whether the key lives): callers may skip the general merge. */
bool pmn_merge_engine_simple(const pmn_merge_engine *e);

/* The merge of one key's versions so far. */
typedef struct pmn_merge_state {
    bool have;     /* acc holds a row */
    bool deleted;  /* the key was removed (partial-update remove-record-on-delete) */
    int32_t kind;  /* row kind to write for the result */
    int64_t seq;   /* sequence of the result */
} pmn_merge_state;

/* What pmn_merge_engine_step asks of the caller. */
enum {
    PMN_MERGE_SKIP = 0,  /* the version changes nothing more: no values needed */
    PMN_MERGE_FOLD = 1,  /* decode the version's values and pass them to pmn_merge_engine_fold */
    PMN_MERGE_RESET = 2, /* the key was removed; a caller that writes the removal may fold the
                            delete's values (they become the -D record) */
};

/* pmn_merge_engine_begin: a fresh state for the next key. */
void pmn_merge_engine_begin(pmn_merge_state *st);

/* pmn_merge_engine_step: the next version (kind, seq) of the key, oldest first. Returns a
 * PMN_MERGE_* action, or PMN_EINVALID for a delete partial-update cannot take (table_name
 * names the table in the message). */
int pmn_merge_engine_step(const pmn_merge_engine *e, const char *table_name, pmn_merge_state *st,
                          int32_t kind, int64_t seq);

/* pmn_merge_engine_fold: fold the values of the version just stepped (current-schema
 * positions, row type `row`) into acc, deep-copying into arena (the source moves on); with
 * arena NULL acc refers to vals' storage (the caller keeps it alive until acc is used). */
void pmn_merge_engine_fold(const pmn_merge_engine *e, const pmn_type *row, pmn_merge_state *st,
                           const pmn_datum *vals, int32_t kind, int64_t seq, pmn_datum *acc,
                           pmn_arena *arena);

#endif
