/*
 * src/pg/source.h
 *
 * The PostgreSQL CDC source as one object for the sync loop: it selects and
 * describes the tables, checks/creates the publication, creates or reuses
 * the slot (exported snapshot for the initial copy), and streams changes
 * with a reader thread so that lake I/O never blocks the socket
 * (shared/pgoutput.md §2.4, §13.10): the thread reads CopyData frames into a
 * bounded in-memory queue, answers keepalives and sends status updates on
 * its timer even while the queue is full; the caller's pmn_pgsource_poll()
 * decodes queued frames and delivers change events (change/change.h).
 *
 * Typical sync loop:
 *   pmn_pgsource_open(&src, &cfg);                 tables, publication, system id
 *   pmn_pgsource_prepare_slot(src, want_snapshot, &slot);
 *   if (slot.created && want_snapshot) {          initial snapshot
 *       pmn_pgsource_snapshot_open(&copy, src);    (before any other slot command)
 *       for each table i: pmn_snapshot_copy_table(copy, table(i), relation(i), NULL, sink);
 *       ... commit the lake with last_end_lsn = slot.consistent_point
 *   }
 *   pmn_pgsource_start(src, stored_end_lsn or 0);
 *   loop: pmn_pgsource_poll(src, sink, 200);       begin/relation/change/commit callbacks
 *         after a durable lake commit: pmn_pgsource_confirm(src, its end_lsn);
 *         when nothing is pending in the sink: pmn_pgsource_confirm(src,
 *                                                   pmn_pgsource_quiet_lsn(src));
 *   pmn_pgsource_close(src);
 */
#ifndef PMN_PG_SOURCE_H
#define PMN_PG_SOURCE_H

#include "change/change.h"
#include "pg/catalog.h"
#include "pg/conn.h"
#include "pg/pgtypes.h"
#include "pg/snapshot_copy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_pgsource_config {
    const pmn_pg_connparams *conn; /* borrowed for open() */
    const char *slot;              /* slot.name (required) */
    const char *publication;       /* publication.name; NULL = PMN_PG_PUBLICATION_DEFAULT */
    const char *schema_re;         /* schema-name (full-match regex) */
    const char *table_re;          /* table-name (full-match regex) */
    pmn_type_mapping mapping;      /* --type_mapping */
    bool publication_create;       /* may CREATE the publication / ADD missing tables */
    int status_interval_ms;        /* 0 = 5000 (must stay < wal_sender_timeout / 2) */
    size_t queue_bytes;            /* 0 = 32 MiB: stream bytes buffered ahead of poll() */
    bool discover_new_tables;      /* a table created while streaming that matches the patterns
                                      joins the selection when its first change arrives;
                                      pmn_pgsource_ntables() grows (with a publication FOR ALL
                                      TABLES its whole life is in the stream; otherwise it was
                                      published after its creation and needs a snapshot) */
} pmn_pgsource_config;

typedef struct pmn_pgsource pmn_pgsource;

/* pmn_pgsource_open: connect, IDENTIFY_SYSTEM, select and describe tables (mapped types),
 * ensure the publication. Caller owns *out (pmn_pgsource_close). Errors: every error of
 * conn/catalog/publication/repl (cause and fix in the message). */
int pmn_pgsource_open(pmn_pgsource **out, const pmn_pgsource_config *cfg);

size_t pmn_pgsource_ntables(const pmn_pgsource *s);
/* pmn_pgsource_table / _relation: i-th selected table and its relation for snapshot rows
 * (borrowed, valid until close). */
const pmn_pg_table *pmn_pgsource_table(const pmn_pgsource *s, size_t i);
const pmn_change_relation *pmn_pgsource_relation(const pmn_pgsource *s, size_t i);
/* pmn_pgsource_system_id: IDENTIFY_SYSTEM systemid (store it with the lake state). */
const char *pmn_pgsource_system_id(const pmn_pgsource *s);

typedef struct pmn_pgsource_slot {
    bool created;              /* false: the slot existed (a resume) */
    uint64_t consistent_point; /* created: the snapshot/stream boundary; else confirmed_flush */
    char snapshot_name[64];    /* created with want_snapshot: importable until start() */
} pmn_pgsource_slot;

/* pmn_pgsource_slot_exists: whether the slot exists now (before prepare_slot). */
int pmn_pgsource_slot_exists(pmn_pgsource *s, bool *exists);
/* pmn_pgsource_prepare_slot: reuse or create the slot (see pmn_repl_ensure_slot). */
int pmn_pgsource_prepare_slot(pmn_pgsource *s, bool want_snapshot, pmn_pgsource_slot *out);
/* pmn_pgsource_snapshot_open: a copy connection importing the slot's exported snapshot;
 * call it (once per parallel connection) before pmn_pgsource_start. Caller owns *out. */
int pmn_pgsource_snapshot_open(pmn_snapshot_copy **out, pmn_pgsource *s);

/* pmn_pgsource_start: START_REPLICATION at start_lsn (the stored end_lsn; 0 = the slot's
 * confirmed position) and start the reader thread; transactions with commit_lsn <
 * start_lsn are dropped (pgoutput.md §8.5 step 3). */
int pmn_pgsource_start(pmn_pgsource *s, uint64_t start_lsn);
/* pmn_pgsource_poll: wait up to timeout_ms for stream data, then decode everything queued
 * and deliver it to sink. Returns the number of pgoutput messages processed (≥ 0) or a
 * negative code: the reader's error (PMN_ECONN on connection loss: reconnect by closing
 * and reopening; PMN_EPG e.g. missing publication), PMN_ECORRUPT, or the sink's. */
int pmn_pgsource_poll(pmn_pgsource *s, const pmn_change_sink *sink, int timeout_ms);
/* pmn_pgsource_confirm: lsn (a commit's end_lsn) is durable in the lake; reported to the
 * server by the reader at its next status update (never beyond what was received). */
void pmn_pgsource_confirm(pmn_pgsource *s, uint64_t lsn);
/* pmn_pgsource_quiet_lsn: the latest keepalive position seen while no transaction was open
 * in the decoder (0 if none): confirm it only when the sink holds nothing uncommitted. */
uint64_t pmn_pgsource_quiet_lsn(const pmn_pgsource *s);
/* pmn_pgsource_recheck: re-read table i's columns from the catalog (DDL arrives in the stream
 * only with the next row change); *changed when they differ, and pmn_pgsource_relation(i) is
 * then the new shape. Caller's thread, between polls. */
int pmn_pgsource_recheck(pmn_pgsource *s, size_t i, bool *changed);
/* pmn_pgsource_drop_slot: stop streaming and drop the slot (slot.drop.on.stop). */
int pmn_pgsource_drop_slot(pmn_pgsource *s);
/* pmn_pgsource_publication_all_tables: the publication is FOR ALL TABLES, so a table created
 * while streaming is in the stream from its first row. */
bool pmn_pgsource_publication_all_tables(const pmn_pgsource *s);
/* pmn_pgsource_conn / _params: the catalog connection (caller's thread, between polls) and the
 * connection parameters (borrowed, valid until close). */
pmn_pgconn *pmn_pgsource_conn(pmn_pgsource *s);
const pmn_pg_connparams *pmn_pgsource_params(const pmn_pgsource *s);
/* pmn_pgsource_select: add table schema.name (described, mapped types) to the selection, or
 * find it there; *index is its position for pmn_pgsource_table/_relation. Its changes are
 * delivered from its next Relation message on. Errors: PMN_ENOTFOUND, catalog errors. */
int pmn_pgsource_select(pmn_pgsource *s, const char *schema, const char *name, size_t *index);
/* pmn_pgsource_close: stop the reader (final status update with the confirmed position),
 * close connections, free. NULL-safe. Returns the reader's stop error, if any. */
int pmn_pgsource_close(pmn_pgsource *s);

#endif
