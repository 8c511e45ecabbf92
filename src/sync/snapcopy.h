/*
 * src/sync/snapcopy.h
 *
 * The copy phase of an initial snapshot with `--parallelism N`: up to N
 * connections import the same exported snapshot (pgoutput.md §1.4) and copy
 * work units concurrently — whole tables, and block ranges of large tables
 * (pmn_snapshot_split_blocks; key ranges on servers before 14) — so several
 * tables, and parts of one large table,
 * are read and parsed at once. Every connection sees the same snapshot, so
 * the union of the units is exactly the tables' contents at the slot's
 * consistent point. Rows reach the lake sink under one lock per lake table
 * (its writer is single-threaded): different lake tables are written at
 * once, and the ranges of one table are read and parsed at once but
 * written one row at a time.
 */
#ifndef PMN_SYNC_SNAPCOPY_H
#define PMN_SYNC_SNAPCOPY_H

#include "change/change.h"
#include "pg/catalog.h"
#include "pg/conn.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* A table is split into ranges when it has at least this many bytes (pg_table_size), or is
 * partitioned (then by key ranges of its primary key). */
#define PMN_SNAPCOPY_SPLIT_MIN_BYTES ((int64_t)4 << 20)

typedef struct pmn_snapcopy_request {
    const pmn_pg_connparams *conn;
    const char *snapshot_name;              /* exported snapshot every connection imports */
    int parallelism;                        /* connections (≥ 1) */
    int64_t split_min_bytes;                /* 0 = PMN_SNAPCOPY_SPLIT_MIN_BYTES */
    const pmn_pg_table *const *tables;      /* described, mapped types */
    const pmn_change_relation *const *rels; /* per table: pmn_pg_table_relation(table) */
    size_t ntables;
    const pmn_change_sink *sink; /* rows arrive through sink->change */
    const size_t *lock_group;    /* per table: tables of one group never deliver rows at
                                    the same time (tables feeding one lake table); NULL:
                                    every row is delivered under one lock */
    volatile sig_atomic_t *stop; /* may be NULL: when it becomes non-zero, stop early */
    /* may be NULL: called once every unit of table i is copied, holding its lock group's lock
     * (so no row of that group is being delivered); a failure stops the copy */
    int (*table_done)(void *ctx, size_t table);
    void *table_done_ctx;
} pmn_snapcopy_request;

/* pmn_snapcopy_run: copy every table of req under its snapshot; logs one line per table
 * (rows, seconds) and draws a progress line on a terminal. *rows_out = rows delivered.
 * Errors: the first failure of any connection (its message, which names the table), or
 * PMN_ERROR "interrupted" when *stop was raised; the other connections stop at their next
 * row. Every connection is closed on return. */
int pmn_snapcopy_run(const pmn_snapcopy_request *req, uint64_t *rows_out);

#endif
