/*
 * tests/unit/test_binary_row.c
 *
 * paimon/binary_row: BinaryRow bytes against rows Java Paimon wrote (the
 * _PARTITION, _MIN_KEY and stats rows of the avro_append_multiple and
 * avro_pk_with_multiple_type fixture manifests, extracted once with a small
 * Avro dumper), round trips of every type, nested ARRAY/MAP/ROW, corrupt
 * input, MurmurHash3 and bucket ids, and partition paths.
 */
#include "testutil.h"

#include "change/datum.h"
#include "paimon/binary_row.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- helpers ------------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = hex; p[0] && p[1]; p += 2) {
        unsigned v;
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        assert_true(n < cap);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want_hex)
{
    uint8_t want[1024];
    size_t n = unhex(want_hex, want, sizeof want);
    if (got_len != n || memcmp(got, want, n) != 0) {
        char buf[2100];
        size_t k = 0;
        for (size_t i = 0; i < got_len && k + 3 < sizeof buf; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%02x", got[i]);
        fail_msg("bytes differ:\n got  %s\n want %s", buf, want_hex);
    }
}

static pmn_datum d_f4(float f)
{
    pmn_datum d = {.is_null = false};
    d.v.f4 = f;
    return d;
}

static pmn_datum d_f8(double f)
{
    pmn_datum d = {.is_null = false};
    d.v.f8 = f;
    return d;
}

static pmn_datum d_dec(pmn_i128 v)
{
    pmn_datum d = {.is_null = false};
    d.v.dec = v;
    return d;
}

static pmn_datum d_ts(int64_t millis, int32_t nanos)
{
    pmn_datum d = {.is_null = false};
    d.v.ts.millis = millis;
    d.v.ts.nanos = nanos;
    return d;
}

static pmn_datum d_bool(bool b)
{
    pmn_datum d = {.is_null = false};
    d.v.b = b;
    return d;
}

static pmn_datum d_s(const char *s)
{
    return pmn_datum_str(s, (uint32_t)strlen(s));
}

static pmn_datum d_list(pmn_datum *items, uint32_t n)
{
    pmn_datum d = {.is_null = false};
    d.v.list.items = items;
    d.v.list.n = n;
    return d;
}

/* serialize, compare with Java's bytes, deserialize and compare the values */
static void check_java_row(const pmn_type *const *types, const pmn_datum *vals, int32_t n,
                           const char *java_hex)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b, types, vals, n);
    assert_bytes(b.data, b.len, java_hex);

    uint8_t java[1024];
    size_t jl = unhex(java_hex, java, sizeof java);
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum back[32];
    assert_true(n <= 32);
    assert_pmn_ok(pmn_binary_row_deserialize(java, jl, types, n, &a, back));
    for (int32_t i = 0; i < n; i++)
        if (!pmn_datum_equal(types[i], &vals[i], &back[i]))
            fail_msg("field %d differs after decoding", i);
    pmn_arena_free(&a);
    pmn_buf_dispose(&b);
}

static void roundtrip(const pmn_type *const *types, const pmn_datum *vals, int32_t n)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b, types, vals, n);
    assert_int_equal((b.len - 4) % 8, 0);
    assert_int_equal(pmn_binary_row_arity(b.data, b.len), n);
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum *back = pmn_arena_alloc(&a, sizeof(pmn_datum) * (size_t)n + 1);
    assert_pmn_ok(pmn_binary_row_deserialize(b.data, b.len, types, n, &a, back));
    for (int32_t i = 0; i < n; i++)
        if (!pmn_datum_equal(types[i], &vals[i], &back[i]))
            fail_msg("field %d differs after a round trip", i);
    /* re-encoding the decoded values gives the same bytes (canonical form) */
    pmn_buf b2 = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b2, types, back, n);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    pmn_buf_dispose(&b2);
    pmn_arena_free(&a);
    pmn_buf_dispose(&b);
}

/* ---- Java-written bytes ------------------------------------------------------- */

static void test_binary_row__spec_min_key_example(void **state)
{
    pmn_type *t0 = pmn_type_not_null(pmn_type_new(PMN_TYPE_SMALLINT));
    pmn_type *t1 = pmn_type_not_null(pmn_type_new(PMN_TYPE_VARCHAR));
    const pmn_type *types[] = {t0, t1};
    pmn_datum v[] = {pmn_datum_int(1), d_s("Alice")};
    check_java_row(types, v, 2,
                   "00000002"
                   "0000000000000000"
                   "0100000000000000"
                   "416c696365000085");
    pmn_datum v2[] = {pmn_datum_int(1), d_s("Tony")};
    check_java_row(types, v2, 2, "0000000200000000000000000100000000000000546f6e7900000084");
    pmn_type_free(t0);
    pmn_type_free(t1);
}

static void test_binary_row__partition_and_empty_rows(void **state)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_SMALLINT);
    const pmn_type *types[] = {t};
    pmn_datum v10[] = {pmn_datum_int(10)};
    check_java_row(types, v10, 1, "0000000100000000000000000a00000000000000");
    pmn_datum v11[] = {pmn_datum_int(11)};
    check_java_row(types, v11, 1, "0000000100000000000000000b00000000000000");
    /* the unpartitioned partition / empty stats row: arity 0 + 8 zero bytes */
    check_java_row(NULL, NULL, 0, "000000000000000000000000");
    pmn_type_free(t);
}

/* _MIN_KEY/_MAX_KEY of avro_single_manifests/manifest (Java 1.0): two STRING key columns in
 * the variable part, and an all-NULL 4-column stats row. */
static void test_binary_row__single_manifest_keys(void **state)
{
    pmn_type *t = pmn_type_not_null(pmn_type_new(PMN_TYPE_VARCHAR));
    const pmn_type *types[] = {t, t};
    pmn_datum k1[] = {d_s("10000002"), d_s("20240906")};
    check_java_row(types, k1, 2,
                   "00000002000000000000000008000000180000000800000020000000"
                   "31303030303030323230323430393036");
    pmn_datum k2[] = {d_s("2201473814098"), d_s("20240906")};
    check_java_row(types, k2, 2,
                   "0000000200000000000000000d000000180000000800000028000000"
                   "323230313437333831343039380000003230323430393036");
    pmn_type *i = pmn_type_new(PMN_TYPE_INT);
    const pmn_type *st[] = {i, t, i, t};
    pmn_datum nulls[] = {pmn_datum_null(), pmn_datum_null(), pmn_datum_null(), pmn_datum_null()};
    check_java_row(st, nulls, 4,
                   "00000004000f0000000000000000000000000000000000000000000000000000000000000000"
                   "000000000000");
    pmn_type_free(t);
    pmn_type_free(i);
}

/* The value-stats rows of avro_append_multiple (17 columns, nested f16 = null). */
static void test_binary_row__append_multiple_value_stats(void **state)
{
    pmn_type *ts[17];
    ts[0] = pmn_type_new(PMN_TYPE_TINYINT);
    ts[1] = pmn_type_new(PMN_TYPE_SMALLINT);
    ts[2] = pmn_type_new(PMN_TYPE_INT);
    ts[3] = pmn_type_new(PMN_TYPE_BIGINT);
    ts[4] = pmn_type_new(PMN_TYPE_FLOAT);
    ts[5] = pmn_type_new(PMN_TYPE_DOUBLE);
    ts[6] = pmn_type_new(PMN_TYPE_VARCHAR);
    ts[7] = pmn_type_new(PMN_TYPE_VARBINARY);
    ts[8] = pmn_type_new(PMN_TYPE_DATE);
    ts[9] = pmn_type_decimal(5, 2);
    ts[10] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 0);
    ts[11] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3);
    ts[12] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6);
    ts[13] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 0);
    ts[14] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3);
    ts[15] = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6);
    ts[16] = pmn_type_row();
    pmn_type_row_add(ts[16], 17, "f0",
                     pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(ts[16], 18, "f1", pmn_type_array(pmn_type_new(PMN_TYPE_INT)));
    const pmn_type *types[17];
    for (int i = 0; i < 17; i++)
        types[i] = ts[i];

    /* row "two": 2, 10, 1, 100, 2.0, 2.0, "two", bytes stats null, 123, 123.45, day 1 x6 */
    int64_t day = 86400000;
    pmn_datum two[17] = {
        pmn_datum_int(2), pmn_datum_int(10), pmn_datum_int(1), pmn_datum_int(100), d_f4(2.0f),
        d_f8(2.0),        d_s("two"),        pmn_datum_null(), pmn_datum_int(123), d_dec(12345),
        d_ts(day, 0),     d_ts(day, 0),      d_ts(day, 0),     d_ts(day, 0),       d_ts(day, 0),
        d_ts(day, 0),     pmn_datum_null()};
    check_java_row(types, two, 17,
                   "00000011008000010000000002000000000000000a000000000000000100000000000000"
                   "64000000000000000000004000000000000000000000004074776f000000008300000000"
                   "000000007b000000000000003930000000000000005c260500000000005c260500000000"
                   "0000000090000000005c260500000000005c260500000000000000009800000000000000"
                   "00000000005c260500000000005c260500000000");
    pmn_datum one[17] = {
        pmn_datum_int(1), pmn_datum_int(10), pmn_datum_int(0), pmn_datum_int(100), d_f4(1.0f),
        d_f8(1.0),        d_s("one"),        pmn_datum_null(), pmn_datum_int(123), d_dec(12345),
        d_ts(0, 0),       d_ts(0, 0),        d_ts(0, 0),       d_ts(0, 0),         d_ts(0, 0),
        d_ts(0, 0),       pmn_datum_null()};
    check_java_row(types, one, 17,
                   "00000011008000010000000001000000000000000a000000000000000000000000000000"
                   "64000000000000000000803f00000000000000000000f03f6f6e65000000008300000000"
                   "000000007b00000000000000393000000000000000000000000000000000000000000000"
                   "000000009000000000000000000000000000000000000000000000009800000000000000"
                   "0000000000000000000000000000000000000000");
    /* row "five": f6 (string) is null as well */
    int64_t d4 = 4 * day;
    pmn_datum five[17] = {
        pmn_datum_int(5), pmn_datum_int(10), pmn_datum_int(0), pmn_datum_int(100), d_f4(5.0f),
        d_f8(2.0),        pmn_datum_null(),  pmn_datum_null(), pmn_datum_int(123), d_dec(12345),
        d_ts(d4, 0),      d_ts(d4, 0),       d_ts(d4, 0),      d_ts(d4, 0),        d_ts(d4, 0),
        d_ts(d4, 0),      pmn_datum_null()};
    check_java_row(types, five, 17,
                   "0000001100c000010000000005000000000000000a000000000000000000000000000000"
                   "64000000000000000000a040000000000000000000000040000000000000000000000000"
                   "000000007b00000000000000393000000000000000709914000000000070991400000000"
                   "000000009000000000709914000000000070991400000000000000009800000000000000"
                   "0000000000709914000000000070991400000000");
    for (int i = 0; i < 17; i++)
        pmn_type_free(ts[i]);
}

/* The value-stats rows of avro_pk_with_multiple_type (BOOLEAN, 5-byte inline string). */
static void test_binary_row__pk_value_stats(void **state)
{
    pmn_type *ts[12];
    ts[0] = pmn_type_new(PMN_TYPE_BOOLEAN);
    ts[1] = pmn_type_new(PMN_TYPE_TINYINT);
    ts[2] = pmn_type_not_null(pmn_type_new(PMN_TYPE_SMALLINT));
    ts[3] = pmn_type_new(PMN_TYPE_INT);
    ts[4] = pmn_type_new(PMN_TYPE_BIGINT);
    ts[5] = pmn_type_new(PMN_TYPE_FLOAT);
    ts[6] = pmn_type_new(PMN_TYPE_DOUBLE);
    ts[7] = pmn_type_not_null(pmn_type_new(PMN_TYPE_VARCHAR));
    ts[8] = pmn_type_new(PMN_TYPE_VARBINARY);
    ts[9] = pmn_type_new(PMN_TYPE_DATE);
    ts[10] = pmn_type_decimal(5, 2);
    ts[11] = pmn_type_row();
    pmn_type_row_add(ts[11], 13, "f1", pmn_type_array(pmn_type_new(PMN_TYPE_INT)));
    const pmn_type *types[12];
    for (int i = 0; i < 12; i++)
        types[i] = ts[i];
    pmn_datum min[12] = {d_bool(false),      pmn_datum_int(10),   pmn_datum_int(1),
                         pmn_datum_int(1),   pmn_datum_int(1000), d_f4(1.5f),
                         d_f8(2.5),          d_s("Alice"),        pmn_datum_null(),
                         pmn_datum_int(100), d_dec(12345),        pmn_datum_null()};
    check_java_row(types, min, 12,
                   "0000000c000009000000000000000000000000000a000000000000000100000000000000"
                   "0100000000000000e8030000000000000000c03f000000000000000000000440416c6963"
                   "650000850000000000000000640000000000000039300000000000000000000000000000");
    pmn_datum max[12] = {d_bool(true),       pmn_datum_int(10),   pmn_datum_int(1),
                         pmn_datum_int(1),   pmn_datum_int(1000), d_f4(1.5f),
                         d_f8(2.5),          d_s("Tony"),         pmn_datum_null(),
                         pmn_datum_int(100), d_dec(12345),        pmn_datum_null()};
    check_java_row(types, max, 12,
                   "0000000c000009000000000001000000000000000a000000000000000100000000000000"
                   "0100000000000000e8030000000000000000c03f000000000000000000000440546f6e79"
                   "000000840000000000000000640000000000000039300000000000000000000000000000");
    for (int i = 0; i < 12; i++)
        pmn_type_free(ts[i]);
}

/* ---- layouts from the spec ---------------------------------------------------- */

static void test_binary_row__long_string_in_var_part(void **state)
{
    pmn_type *t = pmn_type_new(PMN_TYPE_VARCHAR);
    const pmn_type *types[] = {t};
    char s[105];
    memset(s, 'x', 104);
    s[104] = 0;
    pmn_datum v[] = {d_s(s)};
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_encode(&b, types, v, 1);
    /* slot = offset 0x10 << 32 | 104; data at 16, padded to 120 */
    assert_int_equal(b.len, 16 + 104);
    const uint8_t slot[8] = {0x68, 0, 0, 0, 0x10, 0, 0, 0};
    assert_memory_equal(b.data + 8, slot, 8);
    assert_memory_equal(b.data + 16, s, 104);
    pmn_buf_reset(&b);
    /* 8 bytes exactly: var part; 9 bytes: padded to 16 */
    pmn_datum v8[] = {d_s("12345678")};
    pmn_binary_row_encode(&b, types, v8, 1);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "0800000010000000"
                 "3132333435363738");
    pmn_buf_reset(&b);
    pmn_datum v9[] = {d_s("123456789")};
    pmn_binary_row_encode(&b, types, v9, 1);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "0900000010000000"
                 "3132333435363738"
                 "3900000000000000");
    pmn_buf_reset(&b);
    pmn_datum v0[] = {d_s("")};
    pmn_binary_row_encode(&b, types, v0, 1);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "0000000000000080");
    pmn_buf_dispose(&b);
    roundtrip(types, v, 1);
    roundtrip(types, v9, 1);
    roundtrip(types, v0, 1);
    pmn_type_free(t);
}

static void test_binary_row__decimal_wide(void **state)
{
    pmn_type *t = pmn_type_decimal(38, 4);
    const pmn_type *types[] = {t};
    pmn_buf b = PMN_BUF_INIT;
    struct {
        pmn_i128 v;
        const char *hex;
    } cases[] = {
        {0, "0000000000000000"
            "0100000010000000"
            "00000000000000000000000000000000"},
        {-1, "0000000000000000"
             "0100000010000000"
             "ff000000000000000000000000000000"},
        {127, "0000000000000000"
              "0100000010000000"
              "7f000000000000000000000000000000"},
        {128, "0000000000000000"
              "0200000010000000"
              "00800000000000000000000000000000"},
        {-128, "0000000000000000"
               "0100000010000000"
               "80000000000000000000000000000000"},
        {-129, "0000000000000000"
               "0200000010000000"
               "ff7f0000000000000000000000000000"},
        {(pmn_i128)1 << 100, "0000000000000000"
                             "0d00000010000000"
                             "10000000000000000000000000000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_buf_reset(&b);
        pmn_datum v[] = {d_dec(cases[i].v)};
        pmn_binary_row_encode(&b, types, v, 1);
        assert_bytes(b.data, b.len, cases[i].hex);
        roundtrip(types, v, 1);
    }
    /* 38 nines, positive and negative, take 16 bytes */
    pmn_i128 big = 0;
    for (int i = 0; i < 38; i++)
        big = big * 10 + 9;
    pmn_datum v[] = {d_dec(big)};
    pmn_buf_reset(&b);
    pmn_binary_row_encode(&b, types, v, 1);
    assert_int_equal(b.data[8], 16);
    roundtrip(types, v, 1);
    v[0] = d_dec(-big);
    roundtrip(types, v, 1);
    /* NULL keeps its 16 reserved bytes, like Java's writeDecimal(pos, null, p) */
    pmn_buf_reset(&b);
    pmn_datum n[] = {pmn_datum_null()};
    pmn_binary_row_encode(&b, types, n, 1);
    assert_bytes(b.data, b.len,
                 "0001000000000000"
                 "0000000010000000"
                 "00000000000000000000000000000000");
    roundtrip(types, n, 1);
    pmn_buf_dispose(&b);
    pmn_type_free(t);
}

static void test_binary_row__timestamp_precise(void **state)
{
    pmn_type *t6 = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6);
    pmn_type *t9 = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 9);
    pmn_type *t3 = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3);
    const pmn_type *types[] = {t6, t9, t3};
    /* 1969-12-31T23:59:59.999999: millis floored to -1, nanos of milli 999000 */
    pmn_datum v[] = {d_ts(-1, 999000), d_ts(-86400001, 123456), d_ts(-5, 0)};
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_encode(&b, types, v, 3);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "583e0f0020000000" /* offset 32, nanos 999000 */
                 "40e2010028000000" /* offset 40, nanos 123456 */
                 "fbffffffffffffff" /* -5 compact */
                 "ffffffffffffffff" /* -1 */
                 "ffa3d9faffffffff" /* -86400001 */);
    roundtrip(types, v, 3);
    pmn_buf_reset(&b);
    pmn_datum n[] = {pmn_datum_null(), pmn_datum_null(), pmn_datum_null()};
    pmn_binary_row_encode(&b, types, n, 3);
    assert_bytes(b.data, b.len,
                 "0007000000000000"
                 "0000000020000000"
                 "0000000028000000"
                 "0000000000000000"
                 "0000000000000000"
                 "0000000000000000");
    roundtrip(types, n, 3);
    pmn_buf_dispose(&b);
    pmn_type_free(t6);
    pmn_type_free(t9);
    pmn_type_free(t3);
}

static void test_binary_row__every_atomic_type_roundtrips(void **state)
{
    pmn_type *ts[] = {
        pmn_type_new(PMN_TYPE_BOOLEAN),
        pmn_type_new(PMN_TYPE_TINYINT),
        pmn_type_new(PMN_TYPE_SMALLINT),
        pmn_type_new(PMN_TYPE_INT),
        pmn_type_new(PMN_TYPE_BIGINT),
        pmn_type_new(PMN_TYPE_FLOAT),
        pmn_type_new(PMN_TYPE_DOUBLE),
        pmn_type_decimal(18, 3),
        pmn_type_decimal(19, 0),
        pmn_type_new(PMN_TYPE_CHAR),
        pmn_type_varchar(20),
        pmn_type_new(PMN_TYPE_BINARY),
        pmn_type_new(PMN_TYPE_VARBINARY),
        pmn_type_new(PMN_TYPE_DATE),
        pmn_type_new(PMN_TYPE_TIME),
        pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 0),
        pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9),
        pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3),
        pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6),
    };
    enum { N = sizeof ts / sizeof ts[0] };
    const pmn_type *types[N];
    for (int i = 0; i < N; i++)
        types[i] = ts[i];
    const uint8_t bin[] = {0, 1, 2, 0xff, 0x80, 0, 7, 8, 9};
    pmn_datum v[N] = {
        d_bool(true),
        pmn_datum_int(-128),
        pmn_datum_int(-32768),
        pmn_datum_int(INT32_MIN),
        pmn_datum_int(INT64_MIN),
        d_f4(-0.0f),
        d_f8(1e300),
        d_dec(-999999999999999999LL),
        d_dec((pmn_i128)INT64_MIN * 10),
        d_s("x"),
        d_s("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac"),
        pmn_datum_str((const char *)bin, 1),
        pmn_datum_str((const char *)bin, sizeof bin),
        pmn_datum_int(-719528),
        pmn_datum_int(86399999),
        d_ts(-62135596800000LL, 0),
        d_ts(253402300799999LL, 999999),
        d_ts(1700000000123LL, 0),
        d_ts(-1, 1000),
    };
    roundtrip(types, v, N);
    /* the same with every field NULL, and with alternating NULLs */
    pmn_datum nv[N];
    for (int i = 0; i < N; i++)
        nv[i] = pmn_datum_null();
    roundtrip(types, nv, N);
    for (int i = 0; i < N; i += 2)
        v[i] = pmn_datum_null();
    roundtrip(types, v, N);
    /* NaN survives (bit pattern kept in rows) */
    pmn_datum nan[N];
    memcpy(nan, nv, sizeof nan);
    nan[5] = d_f4(NAN);
    nan[6] = d_f8(-INFINITY);
    roundtrip(types, nan, N);
    for (int i = 0; i < N; i++)
        pmn_type_free(ts[i]);
}

static void test_binary_row__many_fields_null_bits(void **state)
{
    /* 57 fields need a 16-byte null region; field 56 is bit 64 = byte 8 */
    enum { N = 120 };
    pmn_type *t = pmn_type_new(PMN_TYPE_INT);
    const pmn_type *types[N];
    pmn_datum v[N];
    for (int i = 0; i < N; i++) {
        types[i] = t;
        v[i] = i % 3 && i != 56 ? pmn_datum_int(i) : pmn_datum_null();
    }
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_encode(&b, types, v, 57);
    assert_int_equal(b.len, 16 + 57 * 8);
    assert_int_equal(b.data[8], 1);    /* field 56: bit 64 */
    assert_int_equal(b.data[7], 0x49); /* fields 48, 51, 54: bits 56, 59, 62 */
    pmn_buf_dispose(&b);
    roundtrip(types, v, 56);
    roundtrip(types, v, 57);
    roundtrip(types, v, N);
    pmn_type_free(t);
}

/* ---- nested types ------------------------------------------------------------- */

static void test_binary_row__nested_roundtrip(void **state)
{
    /* ROW<m MAP<STRING,INT>, a ARRAY<INT>, s ARRAY<STRING>, d ARRAY<DECIMAL(20,2)>,
     *     ms MULTISET<STRING>, mb MAP<INT, ARRAY<BIGINT>>> */
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 1, "m",
                     pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(r, 2, "a", pmn_type_array(pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(r, 3, "s", pmn_type_array(pmn_type_new(PMN_TYPE_VARCHAR)));
    pmn_type_row_add(r, 4, "d", pmn_type_array(pmn_type_decimal(20, 2)));
    pmn_type *ms = pmn_type_new(PMN_TYPE_MULTISET);
    ms->elem = pmn_type_new(PMN_TYPE_VARCHAR);
    pmn_type_row_add(r, 5, "ms", ms);
    pmn_type_row_add(
        r, 6, "mb",
        pmn_type_map(pmn_type_new(PMN_TYPE_INT), pmn_type_array(pmn_type_new(PMN_TYPE_BIGINT))));
    pmn_datum m[] = {d_s("key"), pmn_datum_int(123), d_s("a long key of many bytes"),
                     pmn_datum_null()};
    pmn_datum a[] = {pmn_datum_int(1), pmn_datum_int(2), pmn_datum_int(3)};
    pmn_datum s[] = {d_s("short"), pmn_datum_null(), d_s("0123456789abcdef")};
    pmn_datum d[] = {d_dec(-5), pmn_datum_null(), d_dec((pmn_i128)1 << 90)};
    pmn_datum msv[] = {d_s("x"), pmn_datum_int(2)};
    pmn_datum inner1[] = {pmn_datum_int(7), pmn_datum_null()};
    pmn_datum mb[] = {pmn_datum_int(1), d_list(inner1, 2), pmn_datum_int(2), pmn_datum_null()};
    pmn_datum fields[] = {d_list(m, 2), d_list(a, 3),   d_list(s, 3),
                          d_list(d, 3), d_list(msv, 1), d_list(mb, 2)};
    const pmn_type *types[] = {r, r->fields[1].type};
    pmn_datum v[] = {d_list(fields, 6), d_list(a, 3)};
    roundtrip(types, v, 2);
    /* empty collections */
    pmn_datum fields2[] = {d_list(NULL, 0), d_list(NULL, 0), d_list(NULL, 0),
                           d_list(NULL, 0), d_list(NULL, 0), d_list(NULL, 0)};
    pmn_datum v2[] = {d_list(fields2, 6), pmn_datum_null()};
    roundtrip(types, v2, 2);

    /* ARRAY<INT> [1,2,3] as Java lays it out: count 3, one null word, 3 ints, padded to 24 */
    const pmn_type *at[] = {r->fields[1].type};
    pmn_datum av[] = {d_list(a, 3)};
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_encode(&b, at, av, 1);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "1800000010000000"
                 "03000000"
                 "00000000"
                 "01000000"
                 "02000000"
                 "03000000"
                 "00000000");
    /* MAP<STRING,INT> {"key":123}: key array size 16, then both arrays */
    pmn_buf_reset(&b);
    const pmn_type *mt[] = {r->fields[0].type};
    pmn_datum mv[] = {d_list(m, 1)};
    pmn_binary_row_encode(&b, mt, mv, 1);
    assert_bytes(b.data, b.len,
                 "0000000000000000"
                 "2400000010000000"
                 "10000000"
                 "0100000000000000"
                 "6b65790000000083"
                 "0100000000000000"
                 "7b00000000000000"
                 "00000000");
    pmn_buf_dispose(&b);
    pmn_type_free(r);
}

/* ---- corrupt input ------------------------------------------------------------ */

static void expect_corrupt(const pmn_type *const *types, int32_t n, const char *hex)
{
    uint8_t bytes[256];
    size_t len = unhex(hex, bytes, sizeof bytes);
    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum out[8];
    int rc = pmn_binary_row_deserialize(bytes, len, types, n, &a, out);
    if (rc != PMN_ECORRUPT)
        fail_msg("expected PMN_ECORRUPT for %s, got %d", hex, rc);
    assert_true(strlen(pmn_error_last()) > 0);
    pmn_arena_free(&a);
}

static void test_binary_row__corrupt_bytes_rejected(void **state)
{
    pmn_type *s = pmn_type_new(PMN_TYPE_VARCHAR);
    pmn_type *d = pmn_type_decimal(30, 2);
    pmn_type *ts = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6);
    pmn_type *arr = pmn_type_array(pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type *map = pmn_type_map(pmn_type_new(PMN_TYPE_INT), pmn_type_new(PMN_TYPE_INT));
    const pmn_type *ts_s[] = {s}, *ts_d[] = {d}, *ts_t[] = {ts}, *ts_a[] = {arr}, *ts_m[] = {map};
    expect_corrupt(ts_s, 1, "");
    expect_corrupt(ts_s, 1, "000001");
    expect_corrupt(ts_s, 1,
                   "00000002"
                   "0000000000000000"
                   "0000000000000080"); /* arity */
    expect_corrupt(ts_s, 1,
                   "00000001"
                   "0000000000000000"); /* short */
    expect_corrupt(ts_s, 1,
                   "00000001"
                   "0000000000000000"
                   "0900000010000000"
                   "3132333435363738");
    expect_corrupt(ts_s, 1,
                   "00000001"
                   "0000000000000000"
                   "01000000ffffffff");
    expect_corrupt(ts_s, 1,
                   "00000001"
                   "0000000000000000"
                   "0000000000000088"); /* inline 8 */
    expect_corrupt(ts_d, 1,
                   "00000001"
                   "0000000000000000"
                   "0000000010000000"
                   "00000000000000000000000000000000"); /* decimal length 0 */
    expect_corrupt(ts_d, 1,
                   "00000001"
                   "0000000000000000"
                   "1100000010000000"
                   "0000000000000000000000000000000000000000000000"); /* 17 */
    expect_corrupt(ts_t, 1,
                   "00000001"
                   "0000000000000000"
                   "0000000018000000"
                   "0000000000000000");
    expect_corrupt(ts_t, 1,
                   "00000001"
                   "0000000000000000"
                   "40420f0010000000"
                   "0000000000000000"); /* nanos 1000000 */
    expect_corrupt(ts_a, 1,
                   "00000001"
                   "0000000000000000"
                   "1000000010000000"
                   "ffffff7f00000000"
                   "0000000000000000"); /* huge count */
    expect_corrupt(ts_a, 1,
                   "00000001"
                   "0000000000000000"
                   "1000000010000000"
                   "ffffffff00000000"
                   "0000000000000000"); /* negative count */
    expect_corrupt(ts_m, 1,
                   "00000001"
                   "0000000000000000"
                   "0800000010000000"
                   "ff00000000000000"); /* key array beyond */
    /* null input pointer and arity helper */
    assert_int_equal(pmn_binary_row_arity(NULL, 0), -1);
    assert_int_equal(pmn_binary_row_arity((const uint8_t *)"\0\0\0", 3), -1);
    pmn_type_free(s);
    pmn_type_free(d);
    pmn_type_free(ts);
    pmn_type_free(arr);
    pmn_type_free(map);
}

/* Mutated and truncated images of a row with every kind of variable-length field decode
 * to a value or PMN_ECORRUPT, never anything else (run under ASan to catch overreads). */
static void test_binary_row__mutations_never_overread(void **state)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 1, "m",
                     pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(r, 2, "a", pmn_type_array(pmn_type_decimal(25, 3)));
    pmn_type *ts[] = {pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_decimal(30, 2),
                      pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6),
                      pmn_type_array(pmn_type_array(pmn_type_new(PMN_TYPE_VARCHAR))), r};
    const pmn_type *types[] = {ts[0], ts[1], ts[2], ts[3], ts[4]};
    pmn_datum inner[] = {d_s("0123456789"), d_s("ab"), pmn_datum_null()};
    pmn_datum outer[] = {d_list(inner, 3), d_list(NULL, 0)};
    pmn_datum m[] = {d_s("a key longer than 8"), pmn_datum_int(5)};
    pmn_datum decs[] = {d_dec(-123456789), pmn_datum_null()};
    pmn_datum fields[] = {d_list(m, 1), d_list(decs, 2)};
    pmn_datum v[] = {d_s("a string in the var part"), d_dec(-1), d_ts(-1, 999000), d_list(outer, 2),
                     d_list(fields, 2)};
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b, types, v, 5);
    roundtrip(types, v, 5);

    uint32_t seed = 12345;
    pmn_arena a = PMN_ARENA_INIT;
    int corrupt = 0, ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = b.len;
        uint8_t *copy = malloc(len);
        memcpy(copy, b.data, len);
        int nmut = 1 + iter % 4;
        for (int k = 0; k < nmut; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = 4 + (seed >> 8) % (len - 4);
            seed = seed * 1103515245u + 12345u;
            copy[pos] = (uint8_t)(seed >> 16);
        }
        if (iter % 5 == 0) {
            seed = seed * 1103515245u + 12345u;
            len = (seed >> 8) % (len + 1);
        }
        /* a right-sized heap block so ASan sees any read past the end */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, copy, len);
        pmn_datum out[5];
        int rc = pmn_binary_row_deserialize(exact, len, types, 5, &a, out);
        if (rc == 0)
            ok++;
        else if (rc == PMN_ECORRUPT)
            corrupt++;
        else
            fail_msg("iteration %d: unexpected rc %d", iter, rc);
        free(exact);
        free(copy);
        pmn_arena_reset(&a);
    }
    assert_true(corrupt > 1000);
    assert_true(ok > 1000);
    pmn_arena_free(&a);
    pmn_buf_dispose(&b);
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        pmn_type_free(ts[i]);
}

/* ---- hashing and buckets ---------------------------------------------------- */

static void test_binary_row__murmur_and_buckets(void **state)
{
    pmn_type *t = pmn_type_not_null(pmn_type_new(PMN_TYPE_INT));
    const pmn_type *types[] = {t};
    pmn_buf b = PMN_BUF_INIT;
    pmn_datum v0[] = {pmn_datum_int(0)};
    pmn_binary_row_encode(&b, types, v0, 1);
    int32_t h0 = pmn_binary_row_hash(b.data, b.len);
    assert_int_equal(h0, -300363099);
    assert_int_equal(pmn_bucket_of(h0, 2), 1); /* avro_append_multiple: f2=0 -> bucket-1 */
    pmn_buf_reset(&b);
    pmn_datum v1[] = {pmn_datum_int(1)};
    pmn_binary_row_encode(&b, types, v1, 1);
    int32_t h1 = pmn_binary_row_hash(b.data, b.len);
    assert_int_equal(h1, 1465514398);
    assert_int_equal(pmn_bucket_of(h1, 2), 0); /* f2=1 -> bucket-0 */
    pmn_buf_dispose(&b);

    /* the fixture's directory layout agrees: f2=1 ("two", "six") only in bucket-0 */
    char *dir =
        pmn_test_fixture("avro_append_multiple/append_multiple.db/append_multiple/f1=10/bucket-0");
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(dir);

    /* standard MurmurHash3_x86_32 vectors (4-byte multiples) */
    assert_int_equal(pmn_murmur3_32(NULL, 0, 0), 0);
    assert_int_equal(pmn_murmur3_32(NULL, 0, 1), 0x514e28b7);
    assert_int_equal(pmn_murmur3_32((const uint8_t *)"\xff\xff\xff\xff", 4, 0),
                     (int32_t)0x76293b50);
    assert_int_equal(pmn_murmur3_32((const uint8_t *)"\x21\x43\x65\x87", 4, 0),
                     (int32_t)0xf55b516b);
    assert_int_equal(pmn_murmur3_32((const uint8_t *)"\x21\x43\x65\x87", 4, 0x5082edee),
                     (int32_t)0x2362f9de);
    assert_int_equal(pmn_murmur3_32((const uint8_t *)"\0\0\0\0", 4, 0), 0x2362f9de);

    /* Java's truncating remainder, then abs */
    assert_int_equal(pmn_bucket_of(-7, 3), 1);
    assert_int_equal(pmn_bucket_of(7, 3), 1);
    assert_int_equal(pmn_bucket_of(INT32_MIN, 3), 2);
    assert_int_equal(pmn_bucket_of(INT32_MIN, 1), 0);
    assert_int_equal(pmn_bucket_of(INT32_MAX, 10), 7);
    pmn_type_free(t);
}

/* ---- partition paths ---------------------------------------------------------- */

static void check_path(const pmn_type *t, pmn_datum v, const char *want)
{
    const char *names[] = {"p"};
    const pmn_type *types[] = {t};
    char *got = pmn_partition_path(names, types, &v, 1, "__DEFAULT_PARTITION__");
    if (strcmp(got, want) != 0)
        fail_msg("partition path: got '%s', want '%s'", got, want);
    free(got);
}

static void test_binary_row__partition_paths(void **state)
{
    pmn_type *i16 = pmn_type_new(PMN_TYPE_SMALLINT);
    pmn_type *str = pmn_type_new(PMN_TYPE_VARCHAR);
    pmn_type *date = pmn_type_new(PMN_TYPE_DATE);
    pmn_type *ts = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9);
    pmn_type *dec = pmn_type_decimal(10, 2);
    pmn_type *b = pmn_type_new(PMN_TYPE_BOOLEAN);
    pmn_type *f4 = pmn_type_new(PMN_TYPE_FLOAT);
    pmn_type *f8 = pmn_type_new(PMN_TYPE_DOUBLE);
    pmn_type *big = pmn_type_new(PMN_TYPE_BIGINT);

    /* the fixture's partition directory */
    const char *names[] = {"f1"};
    const pmn_type *types[] = {i16};
    pmn_datum v10 = pmn_datum_int(10);
    char *p = pmn_partition_path(names, types, &v10, 1, "__DEFAULT_PARTITION__");
    assert_string_equal(p, "f1=10");
    char *full = pmn_test_fixture("avro_append_multiple/append_multiple.db/append_multiple");
    char *dir = malloc(strlen(full) + strlen(p) + 2);
    sprintf(dir, "%s/%s", full, p);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(dir);
    free(full);
    free(p);

    check_path(i16, pmn_datum_int(-3), "p=-3");
    check_path(big, pmn_datum_int(INT64_MIN), "p=-9223372036854775808");
    check_path(str, d_s("2024-01-01"), "p=2024-01-01");
    check_path(str, d_s("a/b:c=d%e"), "p=a%2Fb%3Ac%3Dd%25e");
    check_path(str, d_s("\"#'*?\\{}[]^"), "p=%22%23%27%2A%3F%5C%7B%7D%5B%5D%5E");
    check_path(str, pmn_datum_str("\x01\n\x1f\x7f", 4), "p=%01%0A%1F%7F");
    check_path(str, pmn_datum_str("a\0b", 3), "p=a%00b");
    check_path(str, d_s("sp ace,+~!@$&()-_.<>|"), "p=sp ace,+~!@$&()-_.<>|");
    check_path(str, d_s("\xc3\xa9t\xc3\xa9"), "p=\xc3\xa9t\xc3\xa9");
    check_path(str, pmn_datum_null(), "p=__DEFAULT_PARTITION__");
    check_path(str, d_s(""), "p=__DEFAULT_PARTITION__");
    check_path(str, d_s(" \t\n"), "p=__DEFAULT_PARTITION__");
    check_path(str, d_s("\xe3\x80\x80"), "p=__DEFAULT_PARTITION__"); /* U+3000 */
    check_path(str, d_s("\xc2\xa0"), "p=\xc2\xa0");                  /* NBSP is not */
    check_path(date, pmn_datum_int(19723), "p=19723");
    check_path(date, pmn_datum_int(-1), "p=-1");
    /* LocalDateTime.toString, then ':' escaped like every other value */
    check_path(ts, d_ts(1704110400000LL, 0), "p=2024-01-01T12%3A00");
    check_path(ts, d_ts(1704110405000LL, 0), "p=2024-01-01T12%3A00%3A05");
    check_path(ts, d_ts(1704110405123LL, 0), "p=2024-01-01T12%3A00%3A05.123");
    check_path(ts, d_ts(1704110405123LL, 456000), "p=2024-01-01T12%3A00%3A05.123456");
    check_path(ts, d_ts(1704110405123LL, 456789), "p=2024-01-01T12%3A00%3A05.123456789");
    check_path(ts, d_ts(0, 0), "p=1970-01-01T00%3A00");
    check_path(ts, d_ts(-1, 999000), "p=1969-12-31T23%3A59%3A59.999999");
    check_path(ts, d_ts(-62135596800000LL, 0), "p=0001-01-01T00%3A00");
    check_path(ts, d_ts(253402300800000LL, 0), "p=+10000-01-01T00%3A00");
    check_path(ts, d_ts(-62198755200000LL, 0), "p=-0001-01-01T00%3A00");
    check_path(dec, d_dec(12345), "p=123.45");
    check_path(dec, d_dec(-50), "p=-0.50");
    check_path(dec, d_dec(0), "p=0.00");
    check_path(b, d_bool(true), "p=true");
    check_path(b, d_bool(false), "p=false");
    check_path(f8, d_f8(1.0), "p=1.0");
    check_path(f8, d_f8(1e10), "p=1.0E10");
    check_path(f8, d_f8(1e7), "p=1.0E7");
    check_path(f8, d_f8(9999999.0), "p=9999999.0");
    check_path(f8, d_f8(0.001), "p=0.001");
    check_path(f8, d_f8(0.0001), "p=1.0E-4");
    check_path(f8, d_f8(-0.0), "p=-0.0");
    check_path(f8, d_f8(0.1 + 0.2), "p=0.30000000000000004");
    check_path(f8, d_f8(123.456), "p=123.456");
    check_path(f8, d_f8(100.0), "p=100.0");
    check_path(f8, d_f8(12345678.9), "p=1.23456789E7");
    check_path(f8, d_f8(0.00001), "p=1.0E-5");
    check_path(f8, d_f8(-1234567.25), "p=-1234567.25");
    check_path(f8, d_f8(2.2250738585072014e-308), "p=2.2250738585072014E-308");
    check_path(f8, d_f8(1e23), "p=1.0E23");
    check_path(f4, d_f4(1.1f), "p=1.1");
    check_path(f4, d_f4(0.3f), "p=0.3");
    check_path(f4, d_f4(-2.5e-5f), "p=-2.5E-5");
    check_path(f8, d_f8(1.2345678e-7), "p=1.2345678E-7");
    check_path(f8, d_f8(4.9e-324), "p=4.9E-324");
    check_path(f8, d_f8(1.7976931348623157e308), "p=1.7976931348623157E308");
    check_path(f8, d_f8(NAN), "p=NaN");
    check_path(f8, d_f8(-INFINITY), "p=-Infinity");
    check_path(f4, d_f4(1.0f), "p=1.0");
    check_path(f4, d_f4(0.1f), "p=0.1");
    check_path(f4, d_f4(1e10f), "p=1.0E10");
    check_path(f4, d_f4(3.4028235e38f), "p=3.4028235E38");
    check_path(f4, d_f4(1.4e-45f), "p=1.4E-45");
    check_path(f4, d_f4(16777216.0f), "p=1.6777216E7");

    /* two columns, escaped names, custom default name; zero columns */
    const char *names2[] = {"dt", "we=ird"};
    const pmn_type *types2[] = {str, i16};
    pmn_datum v2[] = {d_s("x"), pmn_datum_null()};
    p = pmn_partition_path(names2, types2, v2, 2, "none");
    assert_string_equal(p, "dt=x/we%3Dird=none");
    free(p);
    p = pmn_partition_path(NULL, NULL, NULL, 0, "__DEFAULT_PARTITION__");
    assert_string_equal(p, "");
    free(p);

    pmn_type_free(i16);
    pmn_type_free(str);
    pmn_type_free(date);
    pmn_type_free(ts);
    pmn_type_free(dec);
    pmn_type_free(b);
    pmn_type_free(f4);
    pmn_type_free(f8);
    pmn_type_free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_row__spec_min_key_example),
        cmocka_unit_test(test_binary_row__partition_and_empty_rows),
        cmocka_unit_test(test_binary_row__single_manifest_keys),
        cmocka_unit_test(test_binary_row__append_multiple_value_stats),
        cmocka_unit_test(test_binary_row__pk_value_stats),
        cmocka_unit_test(test_binary_row__long_string_in_var_part),
        cmocka_unit_test(test_binary_row__decimal_wide),
        cmocka_unit_test(test_binary_row__timestamp_precise),
        cmocka_unit_test(test_binary_row__every_atomic_type_roundtrips),
        cmocka_unit_test(test_binary_row__many_fields_null_bits),
        cmocka_unit_test(test_binary_row__nested_roundtrip),
        cmocka_unit_test(test_binary_row__corrupt_bytes_rejected),
        cmocka_unit_test(test_binary_row__mutations_never_overread),
        cmocka_unit_test(test_binary_row__murmur_and_buckets),
        cmocka_unit_test(test_binary_row__partition_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
