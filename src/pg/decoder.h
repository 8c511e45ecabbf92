/*
 * src/pg/decoder.h
 *
 * pgoutput messages → change events (change/change.h). Feeds each XLogData
 * payload through the pure decoder (pgoutput.h), keeps the relation cache,
 * maps column types (pgtypes.h, same rules as the catalog path), converts
 * tuple text to pmn_datum, and calls the sink's begin / relation / change /
 * commit. Implements the consumer rules of shared/pgoutput.md §13: strict
 * Begin…Commit bracketing, strictly increasing commit LSNs, 'u' kept as a
 * third state (filled from a full old row when REPLICA IDENTITY FULL sent
 * one), and the resume filter (§8.5 step 3: drop transactions whose
 * commit_lsn is below the stored end LSN).
 *
 * Pure: no I/O except through the optional type resolver.
 */
#ifndef PMN_PG_DECODER_H
#define PMN_PG_DECODER_H

#include "change/change.h"
#include "pg/pgtypes.h"
#include "pg/relcache.h"

#include <stddef.h>
#include <stdint.h>

/* Resolves a type OID that is not built in (enum, domain, array of those, extension
 * types) into *out. Returns 0 or a negative PMN_E* code. */
typedef int (*pmn_pg_type_resolver)(void *ctx, uint32_t oid, int32_t typmod, pmn_pg_type *out);

/* Decides whether a relation's changes are wanted (a publication FOR ALL TABLES sends every
 * table). Unwanted relations are never type-mapped and their changes are dropped. */
typedef bool (*pmn_pg_relation_filter)(void *ctx, const char *schema, const char *name);

typedef struct pmn_pgdecoder_options {
    pmn_type_mapping mapping;
    pmn_pg_relation_filter filter; /* NULL: every relation is wanted */
    void *filter_ctx;
    /* Drop whole transactions whose commit_lsn < skip_before_lsn (the lake already has
     * them); 0 disables. Relation messages inside them are still cached. */
    uint64_t skip_before_lsn;
    pmn_pg_type_resolver resolve; /* may be NULL: then only built-in types and domains of
                                     them (through Type messages) are known */
    void *resolve_ctx;
} pmn_pgdecoder_options;

typedef struct pmn_pgdecoder pmn_pgdecoder;

/* pmn_pgdecoder_new: caller owns *out (pmn_pgdecoder_free). opts is copied. */
void pmn_pgdecoder_new(pmn_pgdecoder **out, const pmn_pgdecoder_options *opts);
void pmn_pgdecoder_free(pmn_pgdecoder *d);
/* pmn_pgdecoder_feed: decode one pgoutput message (one XLogData payload, data borrowed for
 * the call only) and deliver its events to sink. Errors: PMN_ECORRUPT (protocol), PMN_EINVALID
 * (unmapped type, unrepresentable value: the message names table and column), or whatever
 * a sink callback returned. */
int pmn_pgdecoder_feed(pmn_pgdecoder *d, const uint8_t *data, size_t len,
                       const pmn_change_sink *sink);
/* pmn_pgdecoder_in_txn: a Begin was seen and its Commit not yet. */
bool pmn_pgdecoder_in_txn(const pmn_pgdecoder *d);
/* pmn_pgdecoder_last_end_lsn: end_lsn of the last Commit fed (0 if none). */
uint64_t pmn_pgdecoder_last_end_lsn(const pmn_pgdecoder *d);
/* pmn_pgdecoder_relcache: the decoder's relation cache (borrowed). */
const pmn_relcache *pmn_pgdecoder_relcache(const pmn_pgdecoder *d);

#endif
