/*
 * tests/unit/test_pgoutput.c
 *
 * pg/pgoutput.c (byte-level decoder) and pg/decoder.c (messages → change
 * events) on messages built here per the "Logical Replication Message
 * Formats" layouts (shared/pgoutput.md §3, §12.1 hex dumps).
 */
#include "testutil.h"

#include "change/change.h"
#include "pg/decoder.h"
#include "pg/msgbuf.h"
#include "pg/pgoutput.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* ---- message builder --------------------------------------------------- */

static void u8(pmn_buf *b, uint8_t v)
{
    pmn_buf_putc(b, v);
}
static void u16(pmn_buf *b, uint16_t v)
{
    u8(b, (uint8_t)(v >> 8));
    u8(b, (uint8_t)v);
}
static void u32(pmn_buf *b, uint32_t v)
{
    u16(b, (uint16_t)(v >> 16));
    u16(b, (uint16_t)v);
}
static void u64(pmn_buf *b, uint64_t v)
{
    u32(b, (uint32_t)(v >> 32));
    u32(b, (uint32_t)v);
}
static void cstr(pmn_buf *b, const char *s)
{
    pmn_buf_put(b, s, strlen(s) + 1);
}
static void tval(pmn_buf *b, const char *s)
{
    u8(b, 't');
    u32(b, (uint32_t)strlen(s));
    pmn_buf_put(b, s, strlen(s));
}

static void msg_begin(pmn_buf *b, uint64_t final_lsn, int64_t ts, uint32_t xid)
{
    pmn_buf_reset(b);
    u8(b, 'B');
    u64(b, final_lsn);
    u64(b, (uint64_t)ts);
    u32(b, xid);
}

static void msg_commit(pmn_buf *b, uint64_t commit_lsn, uint64_t end_lsn, int64_t ts)
{
    pmn_buf_reset(b);
    u8(b, 'C');
    u8(b, 0);
    u64(b, commit_lsn);
    u64(b, end_lsn);
    u64(b, (uint64_t)ts);
}

/* relation public.t (id int4 key, name text, big text, val numeric(10,2)) */
static void msg_relation_t(pmn_buf *b, char replident)
{
    pmn_buf_reset(b);
    u8(b, 'R');
    u32(b, 0x4000);
    cstr(b, "public");
    cstr(b, "t");
    u8(b, (uint8_t)replident);
    u16(b, 4);
    u8(b, 1);
    cstr(b, "id");
    u32(b, 23);
    u32(b, 0xffffffff);
    u8(b, replident == 'f');
    cstr(b, "name");
    u32(b, 25);
    u32(b, 0xffffffff);
    u8(b, replident == 'f');
    cstr(b, "big");
    u32(b, 25);
    u32(b, 0xffffffff);
    u8(b, replident == 'f');
    cstr(b, "val");
    u32(b, 1700);
    u32(b, 655366); /* numeric(10,2) */
}

static pmn_arena arena;

static int setup(void **state)
{
    pmn_arena_init(&arena);
    return 0;
}
static int teardown(void **state)
{
    pmn_arena_free(&arena);
    return 0;
}

static void decode_ok(pmn_pgo_msg *m, const pmn_buf *b)
{
    int rc = pmn_pgoutput_decode(m, b->data, b->len, &arena);
    if (rc != 0)
        fail_msg("decode: %s", pmn_error_last());
}

/* ---- pure decoder ------------------------------------------------------ */

static void test_pgoutput__begin_commit(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_pgo_msg m;
    msg_begin(&b, 0x1542748, 0x30442caf8f5b5, 727);
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'B');
    assert_int_equal(m.u.begin.final_lsn, 0x1542748);
    assert_int_equal(m.u.begin.commit_ts, 0x30442caf8f5b5);
    assert_int_equal(m.u.begin.xid, 727);

    msg_commit(&b, 0x1542748, 0x1542778, 0x30442caf8f5b5);
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'C');
    assert_int_equal(m.u.commit.commit_lsn, 0x1542748);
    assert_int_equal(m.u.commit.end_lsn, 0x1542778);
    pmn_buf_dispose(&b);
}

static void test_pgoutput__relation_and_type(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_pgo_msg m;
    msg_relation_t(&b, 'd');
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'R');
    assert_int_equal(m.u.relation.relid, 0x4000);
    assert_string_equal(m.u.relation.nspname, "public");
    assert_string_equal(m.u.relation.relname, "t");
    assert_int_equal(m.u.relation.replident, 'd');
    assert_int_equal(m.u.relation.ncols, 4);
    assert_string_equal(m.u.relation.cols[0].name, "id");
    assert_int_equal(m.u.relation.cols[0].flags, 1);
    assert_int_equal(m.u.relation.cols[0].type_oid, 23);
    assert_int_equal(m.u.relation.cols[0].typmod, -1);
    assert_int_equal(m.u.relation.cols[3].typmod, 655366);

    pmn_buf_reset(&b);
    u8(&b, 'Y');
    u32(&b, 16432);
    cstr(&b, "");
    cstr(&b, "int4");
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'Y');
    assert_int_equal(m.u.type.oid, 16432);
    assert_string_equal(m.u.type.nspname, "");
    assert_string_equal(m.u.type.name, "int4");

    pmn_buf_reset(&b);
    u8(&b, 'O');
    u64(&b, 0xABCDEF);
    cstr(&b, "upstream_a");
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'O');
    assert_int_equal(m.u.origin.commit_lsn, 0xABCDEF);
    assert_string_equal(m.u.origin.name, "upstream_a");
    pmn_buf_dispose(&b);
}

static void test_pgoutput__insert_update_delete_tuples(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_pgo_msg m;
    /* U relid 'K' [t"1" n n n] 'N' [t"10" t"uno" 'u' t"1.5"] (§12.1 offset 00fb55) */
    u8(&b, 'U');
    u32(&b, 0x4000);
    u8(&b, 'K');
    u16(&b, 4);
    tval(&b, "1");
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'N');
    u16(&b, 4);
    tval(&b, "10");
    tval(&b, "uno");
    u8(&b, 'u');
    tval(&b, "1.5");
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'U');
    assert_int_equal(m.u.change.old_kind, 'K');
    assert_int_equal(m.u.change.old_tuple.ncols, 4);
    assert_int_equal(m.u.change.old_tuple.cols[0].kind, 't');
    assert_memory_equal(m.u.change.old_tuple.cols[0].data, "1", 1);
    assert_int_equal(m.u.change.old_tuple.cols[1].kind, 'n');
    assert_int_equal(m.u.change.new_tuple.cols[2].kind, 'u');
    assert_int_equal(m.u.change.new_tuple.cols[1].len, 3);
    assert_memory_equal(m.u.change.new_tuple.cols[1].data, "uno", 3);

    /* U without old tuple */
    pmn_buf_reset(&b);
    u8(&b, 'U');
    u32(&b, 0x4000);
    u8(&b, 'N');
    u16(&b, 1);
    tval(&b, "");
    decode_ok(&m, &b);
    assert_int_equal(m.u.change.old_kind, 0);
    assert_int_equal(m.u.change.new_tuple.cols[0].len, 0);

    /* I */
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 0x4000);
    u8(&b, 'N');
    u16(&b, 2);
    tval(&b, "2");
    u8(&b, 'n');
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'I');
    assert_int_equal(m.u.change.new_tuple.ncols, 2);

    /* D with 'O' */
    pmn_buf_reset(&b);
    u8(&b, 'D');
    u32(&b, 0x4000);
    u8(&b, 'O');
    u16(&b, 1);
    tval(&b, "2");
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'D');
    assert_int_equal(m.u.change.old_kind, 'O');

    /* T nrels=2 flags=3 */
    pmn_buf_reset(&b);
    u8(&b, 'T');
    u32(&b, 2);
    u8(&b, 3);
    u32(&b, 0x4000);
    u32(&b, 0x4001);
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'T');
    assert_int_equal(m.u.truncate.nrelids, 2);
    assert_int_equal(m.u.truncate.options, 3);
    assert_int_equal(m.u.truncate.relids[1], 0x4001);

    /* M transactional message */
    pmn_buf_reset(&b);
    u8(&b, 'M');
    u8(&b, 1);
    u64(&b, 0x1562C60);
    cstr(&b, "pfx");
    u32(&b, 5);
    pmn_buf_put(&b, "hello", 5);
    decode_ok(&m, &b);
    assert_int_equal(m.type, 'M');
    assert_string_equal(m.u.message.prefix, "pfx");
    assert_int_equal(m.u.message.len, 5);
    pmn_buf_dispose(&b);
}

static void expect_corrupt(const pmn_buf *b, size_t len, const char *needle)
{
    pmn_pgo_msg m;
    int rc = pmn_pgoutput_decode(&m, b->data, len, &arena);
    assert_int_equal(rc, PMN_ECORRUPT);
    if (needle && !strstr(pmn_error_last(), needle))
        fail_msg("error \"%s\" lacks \"%s\"", pmn_error_last(), needle);
}

static void test_pgoutput__truncated_and_bad_input(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    /* every proper prefix of every message is corrupt */
    msg_relation_t(&b, 'd');
    for (size_t n = 1; n < b.len; n++)
        expect_corrupt(&b, n, NULL);
    msg_begin(&b, 1, 2, 3);
    for (size_t n = 1; n < b.len; n++)
        expect_corrupt(&b, n, "truncated");
    msg_commit(&b, 1, 2, 3);
    expect_corrupt(&b, b.len - 1, "'C' message truncated");

    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 1);
    u8(&b, 'N');
    u16(&b, 1);
    tval(&b, "hello");
    for (size_t n = 1; n < b.len; n++)
        expect_corrupt(&b, n, NULL);
    /* trailing byte */
    u8(&b, 0);
    expect_corrupt(&b, b.len, "trailing");

    /* unknown message type names byte and offset */
    pmn_buf_reset(&b);
    u8(&b, 'S');
    u32(&b, 1);
    expect_corrupt(&b, b.len, "0x53");
    expect_corrupt(&b, b.len, "offset 0");

    /* bad tuple kind */
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 1);
    u8(&b, 'N');
    u16(&b, 1);
    u8(&b, 'x');
    expect_corrupt(&b, b.len, "offset 8");

    /* text length beyond the message */
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 1);
    u8(&b, 'N');
    u16(&b, 1);
    u8(&b, 't');
    u32(&b, 0x7fffffff);
    expect_corrupt(&b, b.len, "truncated");

    /* huge column count */
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 1);
    u8(&b, 'N');
    u16(&b, 60000);
    expect_corrupt(&b, b.len, "60000");

    /* truncate count mismatch */
    pmn_buf_reset(&b);
    u8(&b, 'T');
    u32(&b, 3);
    u8(&b, 0);
    u32(&b, 1);
    expect_corrupt(&b, b.len, NULL);

    /* D without K/O */
    pmn_buf_reset(&b);
    u8(&b, 'D');
    u32(&b, 1);
    u8(&b, 'N');
    expect_corrupt(&b, b.len, "'D'");
    pmn_buf_dispose(&b);
}

static void test_pgoutput__msgbuf_and_lsn(void **state)
{
    uint8_t bytes[] = {0x12, 0x34, 'a', 0};
    pmn_msgbuf m;
    pmn_msgbuf_init(&m, bytes, sizeof bytes);
    assert_int_equal(pmn_msgbuf_u16(&m), 0x1234);
    assert_string_equal(pmn_msgbuf_cstr(&m), "a");
    assert_false(m.overflow);
    assert_int_equal(pmn_msgbuf_u8(&m), 0);
    assert_true(m.overflow);
    assert_int_equal(m.overflow_at, 4);
    assert_int_equal(pmn_msgbuf_u32(&m), 0); /* sticky */

    uint64_t lsn;
    assert_pmn_ok(pmn_pgoutput_lsn_parse(&lsn, "1/A06C430"));
    assert_int_equal(lsn, 0x10A06C430ULL);
    char buf[32];
    assert_string_equal(pmn_pgoutput_lsn_format(buf, sizeof buf, lsn), "1/A06C430");
    assert_int_equal(pmn_pgoutput_lsn_parse(&lsn, "zz"), PMN_EINVALID);
    assert_int_equal(pmn_pgoutput_lsn_parse(&lsn, "1/"), PMN_EINVALID);
}

/* ---- decoder: messages → change events ---------------------------------- */

static void feed_ok(pmn_pgdecoder *d, const pmn_buf *b, const pmn_change_sink *s)
{
    int rc = pmn_pgdecoder_feed(d, b->data, b->len, s);
    if (rc != 0)
        fail_msg("feed '%c': %s", b->data[0], pmn_error_last());
}

static void test_pgoutput__decoder_transaction(void **state)
{
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, NULL);
    pmn_change_log log;
    pmn_change_log_init(&log);
    pmn_change_sink sink = pmn_change_log_sink(&log);
    pmn_buf b = PMN_BUF_INIT;

    msg_begin(&b, 0x100, 0, 727);
    feed_ok(d, &b, &sink);
    msg_relation_t(&b, 'd');
    feed_ok(d, &b, &sink);
    /* INSERT (1, 'one', 'big', 1.5) */
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 0x4000);
    u8(&b, 'N');
    u16(&b, 4);
    tval(&b, "1");
    tval(&b, "one");
    tval(&b, "big");
    tval(&b, "1.5");
    feed_ok(d, &b, &sink);
    /* UPDATE K [1 n n n] N [10 uno u 1.50] */
    pmn_buf_reset(&b);
    u8(&b, 'U');
    u32(&b, 0x4000);
    u8(&b, 'K');
    u16(&b, 4);
    tval(&b, "1");
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'N');
    u16(&b, 4);
    tval(&b, "10");
    tval(&b, "uno");
    u8(&b, 'u');
    u8(&b, 'n');
    feed_ok(d, &b, &sink);
    /* DELETE K [10 n n n] */
    pmn_buf_reset(&b);
    u8(&b, 'D');
    u32(&b, 0x4000);
    u8(&b, 'K');
    u16(&b, 4);
    tval(&b, "10");
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'n');
    feed_ok(d, &b, &sink);
    /* a re-sent identical Relation is not a new version */
    msg_relation_t(&b, 'd');
    feed_ok(d, &b, &sink);
    /* TRUNCATE */
    pmn_buf_reset(&b);
    u8(&b, 'T');
    u32(&b, 1);
    u8(&b, 1);
    u32(&b, 0x4000);
    feed_ok(d, &b, &sink);
    assert_true(pmn_pgdecoder_in_txn(d));
    msg_commit(&b, 0x100, 0x130, 5);
    feed_ok(d, &b, &sink);
    assert_false(pmn_pgdecoder_in_txn(d));
    assert_int_equal(pmn_pgdecoder_last_end_lsn(d), 0x130);

    assert_int_equal(log.ntxns, 1);
    pmn_change_log_txn *t = &log.txns[0];
    assert_int_equal(t->begin.xid, 727);
    assert_int_equal(t->begin.final_lsn, 0x100);
    assert_int_equal(t->commit.commit_lsn, 0x100);
    assert_int_equal(t->commit.end_lsn, 0x130);
    assert_int_equal(t->commit.commit_time_us, 5 + PMN_PG_EPOCH_OFFSET_US);
    assert_int_equal(t->commit.nchanges, 4);
    assert_int_equal(t->nchanges, 4);

    pmn_change *c = &t->changes[0];
    assert_int_equal(c->kind, PMN_CHANGE_INSERT);
    assert_string_equal(c->rel->name, "t");
    assert_int_equal(c->rel->version, 1);
    assert_true(c->rel->cols[0].is_key);
    assert_int_equal(c->rel->cols[0].type->root, PMN_TYPE_INT);
    assert_int_equal(c->rel->cols[3].type->root, PMN_TYPE_DECIMAL);
    assert_int_equal(c->rel->cols[3].type->precision, 10);
    assert_int_equal(c->rel->cols[3].type->scale, 2);
    assert_int_equal(c->new_vals[0].v.i, 1);
    assert_memory_equal(c->new_vals[1].v.bin.ptr, "one", 3);
    assert_true(c->new_vals[3].v.dec == 150);
    assert_null(c->old_vals);
    assert_null(c->unchanged);

    c = &t->changes[1];
    assert_int_equal(c->kind, PMN_CHANGE_UPDATE);
    assert_int_equal(c->old_kind, 'K');
    assert_int_equal(c->old_vals[0].v.i, 1);
    assert_true(c->old_vals[1].is_null);
    assert_int_equal(c->new_vals[0].v.i, 10);
    assert_non_null(c->unchanged);
    assert_false(c->unchanged[1]);
    assert_true(c->unchanged[2]);
    assert_false(c->unchanged[3]);
    assert_true(c->new_vals[3].is_null);

    c = &t->changes[2];
    assert_int_equal(c->kind, PMN_CHANGE_DELETE);
    assert_null(c->new_vals);
    assert_int_equal(c->old_vals[0].v.i, 10);

    c = &t->changes[3];
    assert_int_equal(c->kind, PMN_CHANGE_TRUNCATE);
    assert_int_equal(c->ntruncated, 1);
    assert_true(c->cascade);
    assert_false(c->restart_identity);
    assert_int_equal(c->truncated[0]->relid, 0x4000);
    assert_int_equal(c->truncated[0]->version, 1);

    pmn_buf_dispose(&b);
    pmn_change_log_dispose(&log);
    pmn_pgdecoder_free(d);
}

static void test_pgoutput__decoder_full_identity_fills_toast(void **state)
{
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, NULL);
    pmn_change_log log;
    pmn_change_log_init(&log);
    pmn_change_sink sink = pmn_change_log_sink(&log);
    pmn_buf b = PMN_BUF_INIT;
    msg_begin(&b, 0x200, 0, 1);
    feed_ok(d, &b, &sink);
    msg_relation_t(&b, 'f');
    feed_ok(d, &b, &sink);
    pmn_buf_reset(&b);
    u8(&b, 'U');
    u32(&b, 0x4000);
    u8(&b, 'O');
    u16(&b, 4);
    tval(&b, "10");
    tval(&b, "uno");
    tval(&b, "BIGVALUE");
    tval(&b, "1.5");
    u8(&b, 'N');
    u16(&b, 4);
    tval(&b, "10");
    tval(&b, "full");
    u8(&b, 'u');
    tval(&b, "1.5");
    feed_ok(d, &b, &sink);
    msg_commit(&b, 0x200, 0x230, 0);
    feed_ok(d, &b, &sink);
    pmn_change *c = &log.txns[0].changes[0];
    assert_int_equal(c->old_kind, 'O');
    assert_null(c->unchanged); /* filled from the old row */
    assert_int_equal(c->new_vals[2].v.bin.len, 8);
    assert_memory_equal(c->new_vals[2].v.bin.ptr, "BIGVALUE", 8);
    assert_memory_equal(c->new_vals[1].v.bin.ptr, "full", 4);
    pmn_buf_dispose(&b);
    pmn_change_log_dispose(&log);
    pmn_pgdecoder_free(d);
}

static int count_relations(void *payload, const pmn_change_relation *rel)
{
    (*(int *)payload)++;
    return 0;
}

static void test_pgoutput__decoder_skip_and_order(void **state)
{
    pmn_pgdecoder_options o = {.skip_before_lsn = 0x200};
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, &o);
    int nrel = 0;
    pmn_change_sink sink = {.relation = count_relations, .payload = &nrel};
    pmn_buf b = PMN_BUF_INIT;
    /* transaction with commit 0x100 < 0x200 is dropped silently */
    msg_begin(&b, 0x100, 0, 1);
    feed_ok(d, &b, &sink);
    msg_relation_t(&b, 'd');
    feed_ok(d, &b, &sink);
    assert_int_equal(nrel, 1); /* relations are still cached and announced */
    msg_commit(&b, 0x100, 0x130, 0);
    feed_ok(d, &b, &sink);
    /* replident change → new version */
    msg_begin(&b, 0x300, 0, 2);
    feed_ok(d, &b, &sink);
    msg_relation_t(&b, 'f');
    feed_ok(d, &b, &sink);
    assert_int_equal(nrel, 2);
    assert_int_equal(pmn_relcache_get(pmn_pgdecoder_relcache(d), 0x4000)->version, 2);
    msg_commit(&b, 0x300, 0x330, 0);
    feed_ok(d, &b, &sink);
    /* commit lsn going backwards is a protocol error */
    msg_begin(&b, 0x250, 0, 3);
    feed_ok(d, &b, &sink);
    msg_commit(&b, 0x250, 0x260, 0);
    assert_int_equal(pmn_pgdecoder_feed(d, b.data, b.len, &sink), PMN_ECORRUPT);
    /* change outside a transaction */
    pmn_buf_reset(&b);
    u8(&b, 'D');
    u32(&b, 0x4000);
    u8(&b, 'K');
    u16(&b, 4);
    tval(&b, "1");
    u8(&b, 'n');
    u8(&b, 'n');
    u8(&b, 'n');
    assert_int_equal(pmn_pgdecoder_feed(d, b.data, b.len, &sink), PMN_ECORRUPT);
    pmn_buf_dispose(&b);
    pmn_pgdecoder_free(d);
}

static void test_pgoutput__decoder_errors_name_column(void **state)
{
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, NULL);
    pmn_buf b = PMN_BUF_INIT;
    msg_begin(&b, 0x100, 0, 1);
    feed_ok(d, &b, NULL);
    msg_relation_t(&b, 'd');
    feed_ok(d, &b, NULL);
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 0x4000);
    u8(&b, 'N');
    u16(&b, 4);
    tval(&b, "1");
    u8(&b, 'n');
    u8(&b, 'n');
    tval(&b, "NaN");
    assert_int_equal(pmn_pgdecoder_feed(d, b.data, b.len, NULL), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "public.t column \"val\""));
    assert_non_null(strstr(pmn_error_last(), "to-string"));
    /* an unmapped type in a Relation names table, column, type and the fix */
    pmn_buf_reset(&b);
    u8(&b, 'R');
    u32(&b, 0x5000);
    cstr(&b, "public");
    cstr(&b, "net");
    u8(&b, 'd');
    u16(&b, 1);
    u8(&b, 1);
    cstr(&b, "addr");
    u32(&b, 869);
    u32(&b, 0xffffffff);
    assert_int_equal(pmn_pgdecoder_feed(d, b.data, b.len, NULL), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "public.net column \"addr\""));
    assert_non_null(strstr(pmn_error_last(), "inet"));
    assert_non_null(strstr(pmn_error_last(), "--type_mapping to-string"));
    pmn_buf_dispose(&b);
    pmn_pgdecoder_free(d);
}

/* mutated messages never crash the decoders: they decode or report PMN_ECORRUPT/EINVALID */
static void test_pgoutput__mutations_never_crash(void **state)
{
    pmn_buf msgs[6];
    for (int i = 0; i < 6; i++)
        pmn_buf_init(&msgs[i]);
    msg_relation_t(&msgs[0], 'd');
    msg_begin(&msgs[1], 0x100, 1, 2);
    msg_commit(&msgs[2], 0x100, 0x130, 3);
    u8(&msgs[3], 'U');
    u32(&msgs[3], 0x4000);
    u8(&msgs[3], 'K');
    u16(&msgs[3], 4);
    tval(&msgs[3], "1");
    u8(&msgs[3], 'n');
    u8(&msgs[3], 'n');
    u8(&msgs[3], 'n');
    u8(&msgs[3], 'N');
    u16(&msgs[3], 4);
    tval(&msgs[3], "10");
    tval(&msgs[3], "uno");
    u8(&msgs[3], 'u');
    tval(&msgs[3], "1.50");
    u8(&msgs[4], 'T');
    u32(&msgs[4], 1);
    u8(&msgs[4], 3);
    u32(&msgs[4], 0x4000);
    u8(&msgs[5], 'I');
    u32(&msgs[5], 0x4000);
    u8(&msgs[5], 'N');
    u16(&msgs[5], 4);
    tval(&msgs[5], "7");
    tval(&msgs[5], "{\"a\"}");
    u8(&msgs[5], 'n');
    tval(&msgs[5], "-0.5");
    unsigned seed = 12345;
    pmn_arena a = PMN_ARENA_INIT;
    for (int round = 0; round < 20000; round++) {
        pmn_pgdecoder *d;
        pmn_pgdecoder_new(&d, NULL);
        const pmn_buf *base = &msgs[round % 6];
        uint8_t buf[256];
        size_t len = base->len;
        memcpy(buf, base->data, len);
        int flips = 1 + (int)(rand_r(&seed) % 4);
        for (int f = 0; f < flips; f++)
            buf[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
        if (rand_r(&seed) % 3 == 0)
            len = rand_r(&seed) % len;
        pmn_pgo_msg m;
        int rc = pmn_pgoutput_decode(&m, buf, len, &a);
        assert_true(rc == 0 || rc == PMN_ECORRUPT);
        /* through the full decoder, after a valid Begin and Relation */
        assert_int_equal(pmn_pgdecoder_feed(d, msgs[1].data, msgs[1].len, NULL), 0);
        assert_int_equal(pmn_pgdecoder_feed(d, msgs[0].data, msgs[0].len, NULL), 0);
        rc = pmn_pgdecoder_feed(d, buf, len, NULL);
        assert_true(rc == 0 || rc == PMN_ECORRUPT || rc == PMN_EINVALID);
        pmn_arena_reset(&a);
        pmn_pgdecoder_free(d);
    }
    pmn_arena_free(&a);
    for (int i = 0; i < 6; i++)
        pmn_buf_dispose(&msgs[i]);
}

static bool only_t(void *ctx, const char *schema, const char *name)
{
    return strcmp(schema, "public") == 0 && strcmp(name, "t") == 0;
}

static void test_pgoutput__decoder_filters_relations(void **state)
{
    pmn_pgdecoder_options o = {.filter = only_t};
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, &o);
    pmn_change_log log;
    pmn_change_log_init(&log);
    pmn_change_sink sink = pmn_change_log_sink(&log);
    pmn_buf b = PMN_BUF_INIT;
    msg_begin(&b, 0x100, 0, 1);
    feed_ok(d, &b, &sink);
    msg_relation_t(&b, 'd');
    feed_ok(d, &b, &sink);
    /* an unselected table with an unmapped type: no error, its changes are dropped */
    pmn_buf_reset(&b);
    u8(&b, 'R');
    u32(&b, 0x5000);
    cstr(&b, "public");
    cstr(&b, "net");
    u8(&b, 'd');
    u16(&b, 1);
    u8(&b, 1);
    cstr(&b, "addr");
    u32(&b, 869);
    u32(&b, 0xffffffff);
    feed_ok(d, &b, &sink);
    pmn_buf_reset(&b);
    u8(&b, 'I');
    u32(&b, 0x5000);
    u8(&b, 'N');
    u16(&b, 1);
    tval(&b, "10.0.0.1");
    feed_ok(d, &b, &sink);
    pmn_buf_reset(&b);
    u8(&b, 'T');
    u32(&b, 2);
    u8(&b, 0);
    u32(&b, 0x5000);
    u32(&b, 0x4000);
    feed_ok(d, &b, &sink);
    pmn_buf_reset(&b);
    u8(&b, 'T');
    u32(&b, 1);
    u8(&b, 0);
    u32(&b, 0x5000);
    feed_ok(d, &b, &sink);
    msg_commit(&b, 0x100, 0x130, 0);
    feed_ok(d, &b, &sink);
    assert_int_equal(log.ntxns, 1);
    assert_int_equal(log.txns[0].nchanges, 1); /* only the TRUNCATE naming t */
    assert_int_equal(log.txns[0].changes[0].kind, PMN_CHANGE_TRUNCATE);
    assert_int_equal(log.txns[0].changes[0].ntruncated, 1);
    assert_string_equal(log.txns[0].changes[0].truncated[0]->name, "t");
    pmn_buf_dispose(&b);
    pmn_change_log_dispose(&log);
    pmn_pgdecoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pgoutput__begin_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgoutput__relation_and_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgoutput__insert_update_delete_tuples, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pgoutput__truncated_and_bad_input, setup, teardown),
        cmocka_unit_test(test_pgoutput__msgbuf_and_lsn),
        cmocka_unit_test(test_pgoutput__decoder_transaction),
        cmocka_unit_test(test_pgoutput__decoder_full_identity_fills_toast),
        cmocka_unit_test(test_pgoutput__decoder_skip_and_order),
        cmocka_unit_test(test_pgoutput__decoder_errors_name_column),
        cmocka_unit_test(test_pgoutput__decoder_filters_relations),
        cmocka_unit_test(test_pgoutput__mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
