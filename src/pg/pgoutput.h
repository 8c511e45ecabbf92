/*
 * src/pg/pgoutput.h
 *
 * Pure decoder of pgoutput logical replication messages, protocol version 1
 * (PostgreSQL "Logical Replication Message Formats"; shared/pgoutput.md §3):
 * Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate and
 * Message. One XLogData payload is exactly one message. Streaming (S/E/c/A)
 * and two-phase messages (b/P/K/r) are not enabled by this client and are
 * rejected like any unknown type.
 *
 * Zero copy: strings and tuple values point into the input bytes, which must
 * outlive the decoded message; arrays (columns, tuple values, relids) are
 * allocated in the caller's arena.
 */
#ifndef PMN_PG_PGOUTPUT_H
#define PMN_PG_PGOUTPUT_H

#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>

/* Message types (first byte of an XLogData payload). */
enum {
    PMN_PGO_BEGIN = 'B',
    PMN_PGO_COMMIT = 'C',
    PMN_PGO_ORIGIN = 'O',
    PMN_PGO_RELATION = 'R',
    PMN_PGO_TYPE = 'Y',
    PMN_PGO_INSERT = 'I',
    PMN_PGO_UPDATE = 'U',
    PMN_PGO_DELETE = 'D',
    PMN_PGO_TRUNCATE = 'T',
    PMN_PGO_MESSAGE = 'M',
};

/* Truncate option bits. */
#define PMN_PGO_TRUNCATE_CASCADE 1
#define PMN_PGO_TRUNCATE_RESTART_IDENTITY 2

/* One column of a TupleData. kind: 'n' NULL, 'u' unchanged TOAST (no data), 't' text. */
typedef struct pmn_pgo_value {
    char kind;
    uint32_t len;
    const uint8_t *data; /* 't' only; not NUL-terminated */
} pmn_pgo_value;

typedef struct pmn_pgo_tuple {
    uint16_t ncols;
    pmn_pgo_value *cols;
} pmn_pgo_tuple;

typedef struct pmn_pgo_column {
    uint8_t flags; /* 1 = part of the replica identity */
    const char *name;
    uint32_t type_oid;
    int32_t typmod;
} pmn_pgo_column;

typedef struct pmn_pgo_msg {
    char type; /* PMN_PGO_* */
    union {
        struct {
            uint64_t final_lsn;
            int64_t commit_ts; /* µs since 2000-01-01 UTC */
            uint32_t xid;
        } begin;
        struct {
            uint8_t flags;
            uint64_t commit_lsn;
            uint64_t end_lsn;
            int64_t commit_ts;
        } commit;
        struct {
            uint64_t commit_lsn;
            const char *name;
        } origin;
        struct {
            uint32_t relid;
            const char *nspname; /* "" means pg_catalog */
            const char *relname;
            char replident; /* 'd', 'n', 'f', 'i' */
            uint16_t ncols;
            pmn_pgo_column *cols;
        } relation;
        struct {
            uint32_t oid;
            const char *nspname;
            const char *name;
        } type;
        struct {
            uint32_t relid;
            char old_kind;           /* 'K' key, 'O' full old row, 0 none */
            pmn_pgo_tuple old_tuple; /* valid when old_kind != 0 */
            pmn_pgo_tuple new_tuple; /* INSERT, UPDATE */
        } change;                    /* INSERT, UPDATE, DELETE */
        struct {
            uint32_t nrelids;
            uint8_t options; /* PMN_PGO_TRUNCATE_* */
            uint32_t *relids;
        } truncate;
        struct {
            uint8_t flags; /* 1 = transactional */
            uint64_t lsn;
            const char *prefix;
            uint32_t len;
            const uint8_t *content;
        } message;
    } u;
} pmn_pgo_msg;

/* pmn_pgoutput_decode: decode one pgoutput message data[0..len) into *out.
 * Strings and values borrow from data; arrays are allocated in arena.
 * Errors: PMN_ECORRUPT for an unknown message type, a truncated message,
 * a bad tuple kind or trailing bytes (message names the type and offset). */
int pmn_pgoutput_decode(pmn_pgo_msg *out, const uint8_t *data, size_t len, pmn_arena *arena);

/* pmn_pgoutput_lsn_format: "X/X" form of an LSN into buf (at least 20 bytes); returns buf. */
char *pmn_pgoutput_lsn_format(char *buf, size_t size, uint64_t lsn);
/* pmn_pgoutput_lsn_parse: parse "X/X"; PMN_EINVALID if malformed. */
int pmn_pgoutput_lsn_parse(uint64_t *out, const char *text);

#endif
