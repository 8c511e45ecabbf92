/*
 * src/pg/repl.h
 *
 * The replication connection (replication=database) of the CDC source:
 * IDENTIFY_SYSTEM, logical slot inspection / creation with an exported
 * snapshot / drop, START_REPLICATION with pgoutput protocol 1, and the
 * CopyBoth loop (shared/pgoutput.md §1, §2). The loop answers keepalives
 * that ask for a reply at once and sends standby status updates on a timer
 * (default 5 s, so wal_sender_timeout ≥ 10 s never fires), always reporting
 * as flushed only the position the caller declared durable, clamped to what
 * was received (§2.2, §8.5).
 *
 * Errors classify by SQLSTATE and, where one code covers several causes
 * (55000, 42704), by the slot's state read back from pg_replication_slots —
 * never by message text.
 */
#ifndef PMN_PG_REPL_H
#define PMN_PG_REPL_H

#include "pg/conn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_repl pmn_repl;

/* pmn_repl_open: open a replication connection for slot `slot`. Caller owns *out
 * (pmn_repl_free). Errors: as pmn_pgconn_open (42501 → the REPLICATION attribute fix). */
int pmn_repl_open(pmn_repl **out, const pmn_pg_connparams *p, const char *slot);
void pmn_repl_free(pmn_repl *r);
/* pmn_repl_conn: the underlying connection (borrowed). */
pmn_pgconn *pmn_repl_conn(pmn_repl *r);

typedef struct pmn_repl_system {
    char systemid[32];
    int timeline;
    uint64_t xlogpos;
    char dbname[64];
} pmn_repl_system;

/* pmn_repl_identify_system: IDENTIFY_SYSTEM. Do not call between slot creation with an
 * exported snapshot and its import (the snapshot would be released). */
int pmn_repl_identify_system(pmn_repl *r, pmn_repl_system *out);

typedef struct pmn_repl_slot_state {
    bool exists;
    char slot_type[16]; /* "logical" / "physical" */
    char plugin[64];
    char database[64];
    bool temporary;
    bool active;
    int active_pid; /* 0 if none */
    uint64_t restart_lsn;
    uint64_t confirmed_flush_lsn;
    char wal_status[16]; /* "reserved", "extended", "unreserved", "lost", "" */
} pmn_repl_slot_state;

/* pmn_repl_read_slot: the slot's row of pg_replication_slots (exists=false if none). */
int pmn_repl_read_slot(pmn_repl *r, pmn_repl_slot_state *out);

typedef struct pmn_repl_slot_created {
    uint64_t consistent_point;
    char snapshot_name[64]; /* "" unless exported */
} pmn_repl_slot_created;

/* pmn_repl_create_slot: CREATE_REPLICATION_SLOT "slot" LOGICAL pgoutput, exporting a
 * snapshot when asked (new syntax on ≥ 15, EXPORT_SNAPSHOT on 12–14). The snapshot stays
 * importable until the next command on this connection. Errors: PMN_EPG with the fix for
 * wal_level (55000), max_replication_slots (53400), existing slot (42710), bad name. */
int pmn_repl_create_slot(pmn_repl *r, bool export_snapshot, pmn_repl_slot_created *out);
/* pmn_repl_create_temp_slot: a TEMPORARY slot of this connection's slot name exporting a
 * snapshot, for copying one table consistently while the job's own slot streams: the
 * snapshot holds every transaction that committed before out->consistent_point. The server
 * drops the slot when the connection closes. Errors: as pmn_repl_create_slot. */
int pmn_repl_create_temp_slot(pmn_repl *r, pmn_repl_slot_created *out);

/* pmn_repl_ensure_slot: reuse the slot when it exists (checks: logical, plugin pgoutput,
 * this database, not active — else PMN_EPG naming the PID —, not invalidated), else create
 * it (*created = true, *out filled). */
int pmn_repl_ensure_slot(pmn_repl *r, bool export_snapshot, bool *created,
                         pmn_repl_slot_created *out);

/* pmn_repl_drop_slot: DROP_REPLICATION_SLOT for this connection's slot. Refuses an active
 * slot (PMN_EPG, SQLSTATE 55006, names the PID). A missing slot is PMN_ENOTFOUND. */
int pmn_repl_drop_slot(pmn_repl *r);

/* pmn_repl_start: START_REPLICATION SLOT "slot" LOGICAL start_lsn (proto_version '1',
 * publication_names 'publication'). start_lsn 0 = the slot's confirmed position. The
 * durable position starts at start_lsn. Once per connection: PostgreSQL's walsender
 * ends a second logical START_REPLICATION on the same session immediately, so resuming
 * needs a new pmn_repl (PMN_EINVALID otherwise). */
int pmn_repl_start(pmn_repl *r, uint64_t start_lsn, const char *publication);

typedef enum pmn_repl_msg_kind {
    PMN_REPL_TIMEOUT = 0, /* nothing arrived within the timeout */
    PMN_REPL_XLOGDATA = 1,
    PMN_REPL_KEEPALIVE = 2,
} pmn_repl_msg_kind;

typedef struct pmn_repl_msg {
    pmn_repl_msg_kind kind;
    uint64_t wal_start;   /* XLogData only */
    uint64_t wal_end;     /* server's sent position */
    int64_t send_time;    /* µs since 2000-01-01 */
    bool reply_requested; /* keepalive only (already answered) */
    const uint8_t *data;  /* XLogData payload: one pgoutput message; valid until next call */
    size_t len;
} pmn_repl_msg;

/* pmn_repl_next: wait up to timeout_ms for the next XLogData or keepalive, sending status
 * updates when due. Errors: PMN_ECONN (connection lost / server stopped the stream),
 * PMN_EPG (server error during streaming, e.g. publication missing: names the fix),
 * PMN_ECORRUPT (malformed CopyData frame). */
int pmn_repl_next(pmn_repl *r, pmn_repl_msg *out, int timeout_ms);

/* pmn_repl_set_flushed: the caller's durable position (the end_lsn of the last transaction
 * committed to the lake, or a keepalive wal_end when nothing is pending). Reported at the
 * next status update, never beyond the received position, never moving backwards. */
void pmn_repl_set_flushed(pmn_repl *r, uint64_t lsn);
/* pmn_repl_received_lsn: highest position seen from the server in this stream. */
uint64_t pmn_repl_received_lsn(const pmn_repl *r);
/* pmn_repl_flushed_lsn: the position the next status update will report. */
uint64_t pmn_repl_flushed_lsn(const pmn_repl *r);
/* pmn_repl_set_status_interval: status cadence in ms (default 5000; clamp 100..10000). */
void pmn_repl_set_status_interval(pmn_repl *r, int ms);
/* pmn_repl_tick: send a status update if one is due (for a caller that is not reading,
 * e.g. while its queue is full). */
int pmn_repl_tick(pmn_repl *r);
/* pmn_repl_send_status: send a standby status update now. */
int pmn_repl_send_status(pmn_repl *r, bool reply_requested);
/* pmn_repl_stop: final status update, end the COPY, drain the results; the connection
 * accepts commands again (queries, DROP_REPLICATION_SLOT), but not another START. */
int pmn_repl_stop(pmn_repl *r);

#endif
