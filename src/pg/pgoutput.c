/*
 * src/pg/pgoutput.c
 *
 * pgoutput protocol v1 decoder; see pgoutput.h. Layouts follow
 * src/backend/replication/logical/proto.c (shared/pgoutput.md §3).
 */
#include "pg/pgoutput.h"

#include "pg/msgbuf.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int read_tuple(pmn_msgbuf *m, pmn_pgo_tuple *t, pmn_arena *arena, char msgtype)
{
    t->ncols = pmn_msgbuf_u16(m);
    t->cols = NULL;
    if (m->overflow)
        return 0;
    /* each column needs at least its kind byte: reject absurd counts before allocating */
    if (t->ncols > pmn_msgbuf_remaining(m))
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput '%c' message: tuple claims %u columns but only %zu bytes "
                             "remain at offset %zu",
                             msgtype, t->ncols, pmn_msgbuf_remaining(m), m->pos);
    t->cols = pmn_arena_alloc(arena, sizeof *t->cols * (t->ncols ? t->ncols : 1));
    for (uint16_t i = 0; i < t->ncols; i++) {
        size_t at = m->pos;
        uint8_t kind = pmn_msgbuf_u8(m);
        if (m->overflow)
            return 0;
        pmn_pgo_value *v = &t->cols[i];
        v->kind = (char)kind;
        switch (kind) {
        case 'n':
        case 'u':
            break;
        case 't':
            v->len = pmn_msgbuf_u32(m);
            v->data = pmn_msgbuf_bytes(m, v->len);
            break;
        case 'b':
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput '%c' message: binary column value at offset %zu "
                                 "(binary mode is not requested by this client)",
                                 msgtype, at);
        default:
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput '%c' message: unknown tuple column kind 0x%02x at "
                                 "offset %zu",
                                 msgtype, kind, at);
        }
        if (m->overflow)
            return 0;
    }
    return 0;
}

static int read_change(pmn_msgbuf *m, pmn_pgo_msg *out, pmn_arena *arena)
{
    char type = out->type;
    out->u.change.relid = pmn_msgbuf_u32(m);
    out->u.change.old_kind = 0;
    size_t at = m->pos;
    uint8_t k = pmn_msgbuf_u8(m);
    if (m->overflow)
        return 0;
    if (type == PMN_PGO_INSERT) {
        if (k != 'N')
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput 'I' message: expected 'N' at offset %zu, got 0x%02x", at,
                                 k);
        return read_tuple(m, &out->u.change.new_tuple, arena, type);
    }
    if (k == 'K' || k == 'O') {
        out->u.change.old_kind = (char)k;
        int rc = read_tuple(m, &out->u.change.old_tuple, arena, type);
        if (rc < 0 || m->overflow)
            return rc;
        if (type == PMN_PGO_DELETE)
            return 0;
        at = m->pos;
        k = pmn_msgbuf_u8(m);
        if (m->overflow)
            return 0;
    } else if (type == PMN_PGO_DELETE) {
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput 'D' message: expected 'K' or 'O' at offset %zu, got 0x%02x",
                             at, k);
    }
    if (k != 'N')
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput 'U' message: expected 'N' at offset %zu, got 0x%02x", at, k);
    return read_tuple(m, &out->u.change.new_tuple, arena, type);
}

int pmn_pgoutput_decode(pmn_pgo_msg *out, const uint8_t *data, size_t len, pmn_arena *arena)
{
    pmn_msgbuf m;
    pmn_msgbuf_init(&m, data, len);
    int rc = 0;
    if (len == 0)
        return pmn_error_set(PMN_ECORRUPT, "pgoutput: empty message");
    uint8_t type = pmn_msgbuf_u8(&m);
    out->type = (char)type;
    switch (type) {
    case PMN_PGO_BEGIN:
        out->u.begin.final_lsn = pmn_msgbuf_u64(&m);
        out->u.begin.commit_ts = (int64_t)pmn_msgbuf_u64(&m);
        out->u.begin.xid = pmn_msgbuf_u32(&m);
        break;
    case PMN_PGO_COMMIT:
        out->u.commit.flags = pmn_msgbuf_u8(&m);
        out->u.commit.commit_lsn = pmn_msgbuf_u64(&m);
        out->u.commit.end_lsn = pmn_msgbuf_u64(&m);
        out->u.commit.commit_ts = (int64_t)pmn_msgbuf_u64(&m);
        break;
    case PMN_PGO_ORIGIN:
        out->u.origin.commit_lsn = pmn_msgbuf_u64(&m);
        out->u.origin.name = pmn_msgbuf_cstr(&m);
        break;
    case PMN_PGO_RELATION: {
        out->u.relation.relid = pmn_msgbuf_u32(&m);
        out->u.relation.nspname = pmn_msgbuf_cstr(&m);
        out->u.relation.relname = pmn_msgbuf_cstr(&m);
        out->u.relation.replident = (char)pmn_msgbuf_u8(&m);
        uint16_t n = pmn_msgbuf_u16(&m);
        out->u.relation.ncols = n;
        out->u.relation.cols = NULL;
        if (m.overflow)
            break;
        /* a column takes at least 10 bytes */
        if ((size_t)n * 10 > pmn_msgbuf_remaining(&m))
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput 'R' message: %u columns do not fit in the %zu bytes "
                                 "left at offset %zu",
                                 n, pmn_msgbuf_remaining(&m), m.pos);
        out->u.relation.cols = pmn_arena_alloc(arena, sizeof(pmn_pgo_column) * (n ? n : 1));
        for (uint16_t i = 0; i < n && !m.overflow; i++) {
            pmn_pgo_column *c = &out->u.relation.cols[i];
            c->flags = pmn_msgbuf_u8(&m);
            c->name = pmn_msgbuf_cstr(&m);
            c->type_oid = pmn_msgbuf_u32(&m);
            c->typmod = (int32_t)pmn_msgbuf_u32(&m);
        }
        break;
    }
    case PMN_PGO_TYPE:
        out->u.type.oid = pmn_msgbuf_u32(&m);
        out->u.type.nspname = pmn_msgbuf_cstr(&m);
        out->u.type.name = pmn_msgbuf_cstr(&m);
        break;
    case PMN_PGO_INSERT:
    case PMN_PGO_UPDATE:
    case PMN_PGO_DELETE:
        rc = read_change(&m, out, arena);
        break;
    case PMN_PGO_TRUNCATE: {
        uint32_t n = pmn_msgbuf_u32(&m);
        out->u.truncate.nrelids = n;
        out->u.truncate.options = pmn_msgbuf_u8(&m);
        out->u.truncate.relids = NULL;
        if (m.overflow)
            break;
        if ((uint64_t)n * 4 != pmn_msgbuf_remaining(&m))
            return pmn_error_set(PMN_ECORRUPT,
                                 "pgoutput 'T' message: %" PRIu32 " relation ids but %zu bytes "
                                 "left at offset %zu",
                                 n, pmn_msgbuf_remaining(&m), m.pos);
        out->u.truncate.relids = pmn_arena_alloc(arena, sizeof(uint32_t) * (n ? n : 1));
        for (uint32_t i = 0; i < n; i++)
            out->u.truncate.relids[i] = pmn_msgbuf_u32(&m);
        break;
    }
    case PMN_PGO_MESSAGE:
        out->u.message.flags = pmn_msgbuf_u8(&m);
        out->u.message.lsn = pmn_msgbuf_u64(&m);
        out->u.message.prefix = pmn_msgbuf_cstr(&m);
        out->u.message.len = pmn_msgbuf_u32(&m);
        out->u.message.content = pmn_msgbuf_bytes(&m, out->u.message.len);
        break;
    default:
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput: unknown message type 0x%02x ('%c') at offset 0 of a "
                             "%zu-byte message",
                             type, (type >= 0x20 && type < 0x7f) ? type : '?', len);
    }
    if (rc < 0)
        return rc;
    if (m.overflow)
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput '%c' message truncated: read past the end at offset %zu of "
                             "%zu bytes",
                             type, m.overflow_at, len);
    if (pmn_msgbuf_remaining(&m) != 0)
        return pmn_error_set(PMN_ECORRUPT,
                             "pgoutput '%c' message: %zu trailing bytes at offset %zu", type,
                             pmn_msgbuf_remaining(&m), m.pos);
    return 0;
}

char *pmn_pgoutput_lsn_format(char *buf, size_t size, uint64_t lsn)
{
    snprintf(buf, size, "%" PRIX32 "/%" PRIX32, (uint32_t)(lsn >> 32), (uint32_t)lsn);
    return buf;
}

int pmn_pgoutput_lsn_parse(uint64_t *out, const char *text)
{
    char *end;
    if (!text || !*text)
        return pmn_error_set(PMN_EINVALID, "empty lsn");
    unsigned long long hi = strtoull(text, &end, 16);
    if (*end != '/' || end == text || hi > UINT32_MAX)
        return pmn_error_set(PMN_EINVALID, "malformed lsn \"%s\" (expected X/X)", text);
    const char *lo_s = end + 1;
    unsigned long long lo = strtoull(lo_s, &end, 16);
    if (*end != '\0' || end == lo_s || lo > UINT32_MAX)
        return pmn_error_set(PMN_EINVALID, "malformed lsn \"%s\" (expected X/X)", text);
    *out = ((uint64_t)hi << 32) | (uint64_t)lo;
    return 0;
}
