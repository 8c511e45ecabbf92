/*
 * src/pg/snapshot_copy.h
 *
 * Consistent initial snapshot (shared/pgoutput.md §1.4, §11.3): a normal
 * connection opens BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY and
 * imports the slot's exported snapshot, then reads tables with
 * COPY (SELECT <columns> FROM t [WHERE <range>]) TO STDOUT, one row at a
 * time in bounded memory, parsing the COPY text format (\N, \t, \n, \\,
 * \ooo, \xhh escapes) and converting each field with pgtypes. Several
 * connections may import the same snapshot and copy disjoint key ranges of
 * one table in parallel (pmn_snapshot_split).
 *
 * Rows are delivered to a pmn_change_sink as INSERT changes outside any
 * transaction (no begin/commit): the consumer writes them as the table's
 * state at the slot's consistent point.
 */
#ifndef PMN_PG_SNAPSHOT_COPY_H
#define PMN_PG_SNAPSHOT_COPY_H

#include "change/change.h"
#include "pg/catalog.h"
#include "pg/conn.h"

#include <stdint.h>

typedef struct pmn_snapshot_copy pmn_snapshot_copy;

/* pmn_snapshot_copy_open: connect and import snapshot_name (from pmn_repl_create_slot;
 * NULL or "" = a fresh REPEATABLE READ snapshot). Caller owns *out. Errors: as
 * pmn_pgconn_open; 22023 "invalid snapshot identifier" when a command was sent on the
 * replication connection before the import (message explains the ordering). */
int pmn_snapshot_copy_open(pmn_snapshot_copy **out, const pmn_pg_connparams *p,
                           const char *snapshot_name);
/* pmn_snapshot_copy_conn: the connection (borrowed), e.g. for pmn_snapshot_split. */
pmn_pgconn *pmn_snapshot_copy_conn(pmn_snapshot_copy *s);

/* pmn_snapshot_copy_table: copy table t (described, with mapped types) restricted by
 * `where` (an SQL predicate from pmn_snapshot_split, or NULL for all rows); every row goes
 * to sink->change as an INSERT of rel (rel must have t's columns in t's order, e.g.
 * pmn_pg_table_relation(t)). Memory: one row at a time. *rows_out (may be NULL) = rows
 * delivered. Errors: PMN_ECORRUPT for malformed COPY data, PMN_EINVALID for a value that
 * does not fit its mapped type (names table and column), PMN_EPG/PMN_ECONN, or the sink's. */
int pmn_snapshot_copy_table(pmn_snapshot_copy *s, const pmn_pg_table *t,
                            const pmn_change_relation *rel, const char *where,
                            const pmn_change_sink *sink, uint64_t *rows_out);
/* pmn_snapshot_copy_finish: COMMIT the read-only transaction. */
int pmn_snapshot_copy_finish(pmn_snapshot_copy *s);
void pmn_snapshot_copy_free(pmn_snapshot_copy *s);

/* pmn_snapshot_split: up to `parts` disjoint predicates covering every row of t, split on
 * the first primary-key column: integer keys by equal-width ranges of [min, max], other
 * keys by quantiles (percentile_disc) of the key. *wheres_out (caller frees each and the
 * array) gets n ≥ 1 predicates; a table without primary key, or with ≤ 1 part, gets one
 * NULL predicate (whole table). A key range the planner does not read through an index
 * costs a whole-table scan on the server: prefer pmn_snapshot_split_blocks. */
int pmn_snapshot_split(char ***wheres_out, int *n_out, pmn_pgconn *c, const pmn_pg_table *t,
                       int parts);
/* pmn_snapshot_split_blocks: the same for a plain table on PostgreSQL 14+ by ranges of its
 * blocks (`ctid >= '(b,0)' AND ctid < '(e,0)'`, read by TID Range Scans: each part reads
 * only its own blocks, with or without a primary key); other tables and servers fall back
 * to pmn_snapshot_split. */
int pmn_snapshot_split_blocks(char ***wheres_out, int *n_out, pmn_pgconn *c,
                              const pmn_pg_table *t, int parts);
void pmn_snapshot_split_free(char **wheres, int n);

/* pmn_copy_text_unescape: decode one COPY text-format field in place semantics:
 * src[0..len) → dst (at least len bytes); returns the decoded length, or -1 when the
 * field is the NULL marker \N. Exposed for tests. */
long pmn_copy_text_unescape(char *dst, const char *src, size_t len);

#endif
