/*
 * src/change/change.h
 *
 * The seam between the PostgreSQL source (pg/) and the lake sink (sync/,
 * table/): source transactions as a stream of events, delivered one by one
 * through a pmn_change_sink so that a transaction of any size never has to
 * be held in memory whole (the sink spills).
 *
 * Order of calls for one source transaction:
 *     begin → (relation | change)* → commit
 * `relation` announces the (new) shape of a table before the first change
 * that uses it; it can come mid-transaction after DDL (pgoutput.md §3.6).
 * Initial-snapshot rows use the same pmn_change (kind INSERT) outside any
 * transaction.
 *
 * Memory: a pmn_change and the datums it points to are valid only during the
 * `change` callback (the producer reuses a per-change arena); a sink that
 * keeps a change copies it (pmn_change_copy). Relations stay valid until the
 * producer is freed.
 *
 * Knows neither libpq nor Paimon; depends on util/ and the type model only.
 */
#ifndef PMN_CHANGE_CHANGE_H
#define PMN_CHANGE_CHANGE_H

#include "pmn/types.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum pmn_change_kind {
    PMN_CHANGE_INSERT = 1,
    PMN_CHANGE_UPDATE = 2,
    PMN_CHANGE_DELETE = 3,
    PMN_CHANGE_TRUNCATE = 4,
} pmn_change_kind;

/* Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
#define PMN_PG_EPOCH_OFFSET_US INT64_C(946684800000000)

typedef struct pmn_change_column {
    char *name;           /* owned */
    pmn_type *type;       /* owned: the mapped Paimon type of the values */
    bool is_key;          /* part of the replica identity (the PK with REPLICA IDENTITY DEFAULT) */
    uint32_t pg_type_oid; /* source type, for messages and schema diffs */
    int32_t pg_typmod;
} pmn_change_column;

typedef struct pmn_change_relation {
    uint32_t relid; /* PostgreSQL table OID */
    char *schema;   /* owned */
    char *name;     /* owned */
    char replident; /* 'd' default, 'f' full, 'i' index, 'n' nothing */
    int ncols;
    pmn_change_column *cols; /* owned; in the order of the values of a change */
    uint32_t version;        /* bumped each time the shape of this relid changes */
} pmn_change_relation;

typedef struct pmn_change {
    pmn_change_kind kind;
    const pmn_change_relation *rel; /* NULL for TRUNCATE */
    /* Old image: DELETE always; UPDATE when the key changed or REPLICA IDENTITY FULL.
     * old_kind 'K': only the key columns (is_key) are meaningful, the others are NULL;
     * 'O': the full old row. old_vals NULL and old_kind 0 when absent. */
    const pmn_datum *old_vals;
    char old_kind;
    /* New image: INSERT and UPDATE; NULL for DELETE. */
    const pmn_datum *new_vals;
    /* Per column of new_vals: true = unchanged TOASTed value that PostgreSQL did not send;
     * new_vals[i] is then NULL and the sink must carry the lake's current value (never
     * write NULL). NULL pointer when no column is unchanged. When the old image is a full
     * row ('O') the producer has already filled these columns from it. */
    const bool *unchanged;
    /* TRUNCATE: the relations truncated by one command. */
    uint32_t ntruncated;
    const pmn_change_relation *const *truncated;
    bool cascade;
    bool restart_identity;
} pmn_change;

typedef struct pmn_txn_begin {
    uint32_t xid;
    uint64_t final_lsn;     /* LSN of the commit record (= commit.commit_lsn) */
    int64_t commit_time_us; /* Unix epoch µs */
} pmn_txn_begin;

typedef struct pmn_txn_commit {
    uint32_t xid;
    uint64_t commit_lsn; /* start of the commit record */
    uint64_t end_lsn;    /* end of the commit record: store it and confirm it (pgoutput.md §8.5) */
    int64_t commit_time_us; /* Unix epoch µs */
    uint64_t nchanges;      /* changes delivered between begin and commit */
} pmn_txn_commit;

/* The consumer's callbacks. Any of them may be NULL (ignored). A negative return stops
 * the producer, which returns that code. */
typedef struct pmn_change_sink {
    int (*begin)(void *payload, const pmn_txn_begin *b);
    int (*relation)(void *payload, const pmn_change_relation *rel);
    int (*change)(void *payload, const pmn_change *c);
    int (*commit)(void *payload, const pmn_txn_commit *c);
    void *payload;
} pmn_change_sink;

/* pmn_change_kind_name: "insert", "update", "delete", "truncate". */
const char *pmn_change_kind_name(pmn_change_kind k);

/* pmn_change_relation_free: release a relation built by a producer (NULL-safe). */
void pmn_change_relation_free(pmn_change_relation *rel);
/* pmn_change_relation_same_shape: same schema, name, replident and columns (name, source
 * type, typmod, key flag) — a re-sent Relation message that changes nothing. */
bool pmn_change_relation_same_shape(const pmn_change_relation *a, const pmn_change_relation *b);
/* pmn_change_relation_find: index of the column named `name`, or -1. */
int pmn_change_relation_find(const pmn_change_relation *rel, const char *name);

/* pmn_change_copy: deep copy of c (values, flags, truncate list) into arena; the relation
 * pointers are shared, not copied. */
void pmn_change_copy(pmn_change *out, const pmn_change *c, pmn_arena *arena);

/* A sink that records whole transactions in memory: for tests and small consumers. */
typedef struct pmn_change_log_txn {
    pmn_txn_begin begin;
    pmn_txn_commit commit;
    pmn_change *changes; /* in the log's arena */
    size_t nchanges;
    size_t cap;
} pmn_change_log_txn;

typedef struct pmn_change_log {
    pmn_arena arena;
    pmn_change_log_txn *txns; /* heap */
    size_t ntxns;
    size_t cap;
    bool open;         /* inside begin..commit */
    pmn_change *loose; /* changes delivered outside a transaction (snapshot rows) */
    size_t nloose;
    size_t loose_cap;
} pmn_change_log;

void pmn_change_log_init(pmn_change_log *log);
void pmn_change_log_dispose(pmn_change_log *log);
/* pmn_change_log_sink: a sink that appends to log. */
pmn_change_sink pmn_change_log_sink(pmn_change_log *log);

#endif
