/*
 * tests/unit/test_pgtypes.c
 *
 * pg/pgtypes.c: PG → Paimon type mapping (peers.md §1.5) and parsing of
 * every text output format of shared/pgoutput.md §7.2.
 */
#include "testutil.h"

#include "pg/pgtypes.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static pmn_pg_type builtin(uint32_t oid, int32_t typmod)
{
    pmn_pg_type t;
    assert_true(pmn_pgtypes_builtin(&t, oid, typmod));
    return t;
}

static pmn_type *map(const pmn_pg_type *pt, const char *opts)
{
    pmn_type_mapping tm;
    assert_pmn_ok(pmn_type_mapping_parse(&tm, opts));
    pmn_type *t = NULL;
    assert_pmn_ok(pmn_pgtypes_map(&t, pt, &tm, false, false, "public.t", "c"));
    return t;
}

/* parse text of builtin oid/typmod with the default mapping */
static int parse(pmn_datum *out, uint32_t oid, int32_t typmod, const char *text)
{
    pmn_pg_type pt = builtin(oid, typmod);
    pmn_type *t = map(&pt, NULL);
    int rc = pmn_pgtypes_parse(out, &pt, t, text, strlen(text), &arena);
    pmn_type_free(t);
    return rc;
}

static pmn_datum ok(uint32_t oid, int32_t typmod, const char *text)
{
    pmn_datum d;
    int rc = parse(&d, oid, typmod, text);
    if (rc != 0)
        fail_msg("parse %s: %s", text, pmn_error_last());
    assert_false(d.is_null);
    return d;
}

static void bad(uint32_t oid, int32_t typmod, const char *text, int code, const char *needle)
{
    pmn_datum d;
    int rc = parse(&d, oid, typmod, text);
    if (rc != code)
        fail_msg("parse %s: got %d (%s), want %d", text, rc, pmn_error_last(), code);
    if (needle && !strstr(pmn_error_last(), needle))
        fail_msg("error \"%s\" lacks \"%s\"", pmn_error_last(), needle);
}

#define NUMERIC_TYPMOD(p, s) ((((p) << 16) | (s)) + 4)

static void test_pgtypes__mapping_table(void **state)
{
    struct {
        uint32_t oid;
        int32_t typmod;
        pmn_type_root root;
        int32_t len_or_prec;
        int32_t scale;
    } cases[] = {
        {16, -1, PMN_TYPE_BOOLEAN, 0, 0},
        {1560, 1, PMN_TYPE_BOOLEAN, 0, 0},
        {1560, 12, PMN_TYPE_BINARY, 2, 0},
        {21, -1, PMN_TYPE_SMALLINT, 0, 0},
        {23, -1, PMN_TYPE_INT, 0, 0},
        {20, -1, PMN_TYPE_BIGINT, 0, 0},
        {700, -1, PMN_TYPE_FLOAT, 0, 0},
        {701, -1, PMN_TYPE_DOUBLE, 0, 0},
        {1700, NUMERIC_TYPMOD(10, 2), PMN_TYPE_DECIMAL, 10, 2},
        {1700, -1, PMN_TYPE_DECIMAL, 38, 18},
        {1700, NUMERIC_TYPMOD(50, 2), PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {1042, 9, PMN_TYPE_CHAR, 5, 0},
        {1043, 24, PMN_TYPE_VARCHAR, 20, 0},
        {1043, -1, PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {25, -1, PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {114, -1, PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {3802, -1, PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {2950, -1, PMN_TYPE_VARCHAR, PMN_MAX_LENGTH, 0},
        {17, -1, PMN_TYPE_VARBINARY, PMN_MAX_LENGTH, 0},
        {1082, -1, PMN_TYPE_DATE, 0, 0},
        {1083, -1, PMN_TYPE_TIME, 6, 0},
        {1083, 3, PMN_TYPE_TIME, 3, 0},
        {1114, 3, PMN_TYPE_TIMESTAMP, 3, 0},
        {1114, -1, PMN_TYPE_TIMESTAMP, 6, 0},
        {1184, -1, PMN_TYPE_TIMESTAMP_LTZ, 6, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_pg_type pt = builtin(cases[i].oid, cases[i].typmod);
        pmn_type *t = map(&pt, NULL);
        if (t->root != cases[i].root)
            fail_msg("oid %u: root %d want %d", cases[i].oid, t->root, cases[i].root);
        if (t->root == PMN_TYPE_DECIMAL) {
            assert_int_equal(t->precision, cases[i].len_or_prec);
            assert_int_equal(t->scale, cases[i].scale);
        } else if (t->root == PMN_TYPE_CHAR || t->root == PMN_TYPE_VARCHAR ||
                   t->root == PMN_TYPE_BINARY || t->root == PMN_TYPE_VARBINARY) {
            assert_int_equal(t->length, cases[i].len_or_prec);
        } else if (t->root == PMN_TYPE_TIME || t->root == PMN_TYPE_TIMESTAMP ||
                   t->root == PMN_TYPE_TIMESTAMP_LTZ) {
            assert_int_equal(t->precision, cases[i].len_or_prec);
        }
        assert_true(t->nullable);
        pmn_type_free(t);
    }
    /* arrays */
    pmn_pg_type pt = builtin(1007, -1);
    pmn_type *t = map(&pt, NULL);
    assert_int_equal(t->root, PMN_TYPE_ARRAY);
    assert_int_equal(t->elem->root, PMN_TYPE_INT);
    pmn_type_free(t);
    pt = builtin(1015, 24); /* varchar(20)[] → ARRAY<STRING> */
    t = map(&pt, NULL);
    assert_int_equal(t->elem->root, PMN_TYPE_VARCHAR);
    assert_int_equal(t->elem->length, PMN_MAX_LENGTH);
    pmn_type_free(t);
    /* char-to-string, to-string */
    pt = builtin(1042, 9);
    t = map(&pt, "char-to-string");
    assert_int_equal(t->root, PMN_TYPE_VARCHAR);
    assert_int_equal(t->length, PMN_MAX_LENGTH);
    pmn_type_free(t);
    pt = builtin(869, -1); /* inet */
    t = map(&pt, "to-string");
    assert_int_equal(t->root, PMN_TYPE_VARCHAR);
    pmn_type_free(t);
}

static void test_pgtypes__unmapped_and_nullability(void **state)
{
    uint32_t unmapped[] = {869, 650, 829, 1186, 790, 1266, 142};
    for (size_t i = 0; i < sizeof unmapped / sizeof unmapped[0]; i++) {
        pmn_pg_type pt = builtin(unmapped[i], -1);
        pmn_type *t = NULL;
        assert_int_equal(pmn_pgtypes_map(&t, &pt, NULL, false, false, "public.orders", "x"),
                         PMN_EINVALID);
        assert_non_null(strstr(pmn_error_last(), "public.orders"));
        assert_non_null(strstr(pmn_error_last(), "\"x\""));
        assert_non_null(strstr(pmn_error_last(), pt.name));
        assert_non_null(strstr(pmn_error_last(), "--type_mapping to-string"));
    }
    pmn_pg_type pt = builtin(23, -1);
    pmn_type_mapping tm;
    assert_pmn_ok(pmn_type_mapping_parse(&tm, "to-nullable"));
    pmn_type *t;
    assert_pmn_ok(pmn_pgtypes_map(&t, &pt, NULL, true, false, "t", "c"));
    assert_false(t->nullable);
    pmn_type_free(t);
    assert_pmn_ok(pmn_pgtypes_map(&t, &pt, &tm, true, false, "t", "c"));
    assert_true(t->nullable);
    pmn_type_free(t);
    assert_pmn_ok(pmn_pgtypes_map(&t, &pt, &tm, false, true, "t", "c")); /* PK */
    assert_false(t->nullable);
    pmn_type_free(t);

    assert_pmn_ok(pmn_type_mapping_parse(&tm, " to-string , allow-non-string-to-string,"));
    assert_true(tm.to_string);
    assert_true(tm.allow_non_string_to_string);
    assert_int_equal(pmn_type_mapping_parse(&tm, "to_string"), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "to_string"));
}

static void test_pgtypes__bool_int_float(void **state)
{
    assert_true(ok(16, -1, "t").v.b);
    assert_false(ok(16, -1, "f").v.b);
    bad(16, -1, "true", PMN_ECORRUPT, NULL);
    assert_int_equal(ok(21, -1, "-32768").v.i, -32768);
    bad(21, -1, "32768", PMN_EINVALID, "out of range");
    assert_int_equal(ok(23, -1, "2147483647").v.i, 2147483647);
    assert_true(ok(20, -1, "-9223372036854775808").v.i == INT64_MIN);
    bad(20, -1, "9223372036854775808", PMN_EINVALID, NULL);
    bad(23, -1, "12a", PMN_ECORRUPT, NULL);
    bad(23, -1, "", PMN_ECORRUPT, NULL);

    assert_true(ok(701, -1, "0.30000000000000004").v.f8 == 0.30000000000000004);
    assert_true(ok(701, -1, "1e+300").v.f8 == 1e300);
    assert_true(isnan(ok(701, -1, "NaN").v.f8));
    assert_true(ok(701, -1, "Infinity").v.f8 == INFINITY);
    assert_true(ok(701, -1, "-Infinity").v.f8 == -INFINITY);
    pmn_datum z = ok(701, -1, "-0");
    assert_true(z.v.f8 == 0 && signbit(z.v.f8));
    assert_true(ok(700, -1, "1.1").v.f4 == 1.1f);
    assert_true(ok(700, -1, "3.4e+38").v.f4 == 3.4e38f);
    assert_true(isnan(ok(700, -1, "NaN").v.f4));
    assert_true(ok(700, -1, "-Infinity").v.f4 == -INFINITY);
    bad(701, -1, "1.0x", PMN_ECORRUPT, NULL);
}

static void test_pgtypes__numeric(void **state)
{
    int32_t m102 = NUMERIC_TYPMOD(10, 2);
    assert_true(ok(1700, m102, "3.14").v.dec == 314);
    assert_true(ok(1700, m102, "-3.14").v.dec == -314);
    assert_true(ok(1700, m102, "12345678.9").v.dec == 1234567890);
    assert_true(ok(1700, m102, "0").v.dec == 0);
    assert_true(ok(1700, m102, "-0.05").v.dec == -5);
    bad(1700, m102, "123456789.00", PMN_EINVALID, "precision");
    bad(1700, m102, "NaN", PMN_EINVALID, "to-string");
    bad(1700, m102, "Infinity", PMN_EINVALID, "to-string");
    bad(1700, m102, "-Infinity", PMN_EINVALID, "infinity");
    bad(1700, m102, "1.2.3", PMN_ECORRUPT, NULL);
    bad(1700, m102, "1e5", PMN_ECORRUPT, NULL);
    /* unconstrained numeric → DECIMAL(38,18): exact, rounded half-up past 18 digits */
    pmn_datum d = ok(1700, -1, "12345678901234567890.123456789");
    pmn_i128 want = (pmn_i128)1234567890123456789LL * 10 * 1000000000000000000LL +
                    (pmn_i128)123456789000000000LL;
    assert_true(d.v.dec == want);
    assert_true(ok(1700, -1, "0.000000000000000000001").v.dec == 0);
    assert_true(ok(1700, -1, "0.0000000000000000005").v.dec == 1);
    assert_true(ok(1700, -1, "-0.0000000000000000015").v.dec == -2);
    bad(1700, -1, "123456789012345678901.5", PMN_EINVALID, "precision");
    /* 38 digits at scale 0 */
    int32_t m380 = NUMERIC_TYPMOD(38, 0);
    d = ok(1700, m380, "99999999999999999999999999999999999999");
    pmn_i128 nines = 0;
    for (int i = 0; i < 38; i++)
        nines = nines * 10 + 9;
    assert_true(d.v.dec == nines);
    assert_true(ok(1700, m380, "-99999999999999999999999999999999999999").v.dec == -nines);
    /* NaN into a to-string column is just text */
    pmn_pg_type pt = builtin(1700, m102);
    pmn_type *t = map(&pt, "to-string");
    assert_pmn_ok(pmn_pgtypes_parse(&d, &pt, t, "NaN", 3, &arena));
    assert_memory_equal(d.v.bin.ptr, "NaN", 3);
    pmn_type_free(t);
    /* numeric(50,2) maps to STRING and keeps the text */
    d = ok(1700, NUMERIC_TYPMOD(50, 2), "123456789012345678901234567890123456789012345.67");
    assert_int_equal(d.v.bin.len, 48);
}

static void test_pgtypes__strings_and_bytes(void **state)
{
    const char *raw = "a\tb\"c'd\\e\nline2 \xc3\xbc";
    pmn_datum d = ok(25, -1, raw);
    assert_int_equal(d.v.bin.len, strlen(raw));
    assert_memory_equal(d.v.bin.ptr, raw, strlen(raw));
    d = ok(1042, 9, "ab   ");
    assert_int_equal(d.v.bin.len, 5);
    assert_int_equal(ok(25, -1, "").v.bin.len, 0);
    d = ok(2950, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_int_equal(d.v.bin.len, 36);
    d = ok(3802, -1, "{\"a\": null, \"k\": [1, 2.50, \"x\"]}");
    assert_memory_equal(d.v.bin.ptr, "{\"a\": null", 10);

    d = ok(17, -1, "\\x00ff10");
    assert_int_equal(d.v.bin.len, 3);
    assert_memory_equal(d.v.bin.ptr, "\x00\xff\x10", 3);
    d = ok(17, -1, "\\x");
    assert_int_equal(d.v.bin.len, 0);
    d = ok(17, -1, "\\xDEADbeef");
    assert_memory_equal(d.v.bin.ptr, "\xde\xad\xbe\xef", 4);
    bad(17, -1, "\\x0", PMN_ECORRUPT, "hex");
    bad(17, -1, "\\xzz", PMN_ECORRUPT, "hex");
    bad(17, -1, "abc", PMN_ECORRUPT, "bytea_output=hex");

    assert_true(ok(1560, 1, "1").v.b);
    d = ok(1560, 12, "101000000001");
    assert_int_equal(d.v.bin.len, 2);
    assert_memory_equal(d.v.bin.ptr, "\xa0\x10", 2);
}

static void test_pgtypes__dates_and_times(void **state)
{
    assert_int_equal(ok(1082, -1, "1970-01-01").v.i, 0);
    assert_int_equal(ok(1082, -1, "2024-02-29").v.i, 19782);
    assert_int_equal(ok(1082, -1, "1969-12-31").v.i, -1);
    assert_int_equal(ok(1082, -1, "0001-01-01").v.i, -719162);
    /* 0044-03-15 BC = astronomical year -43 */
    assert_int_equal(ok(1082, -1, "0044-03-15 BC").v.i, -735160);
    assert_int_equal(ok(1082, -1, "0001-12-31 BC").v.i, -719163);
    assert_int_equal(ok(1082, -1, "10000-01-01").v.i, 2932897);
    /* ±infinity saturate to the DATE range readers accept: 9999-12-31 and 0001-01-01 (a
     * stopped job could never pass the change in its slot otherwise) */
    assert_int_equal(ok(1082, -1, "infinity").v.i, 2932896);
    assert_int_equal(ok(1082, -1, "-infinity").v.i, -719162);
    bad(1082, -1, "29.02.2024", PMN_ECORRUPT, "ISO");

    assert_int_equal(ok(1083, -1, "13:45:06.123456").v.i, 49506123);
    assert_int_equal(ok(1083, -1, "00:00:00").v.i, 0);
    /* 24:00:00 is the last millisecond of the day: a TIME holds at most 23:59:59.999 */
    assert_int_equal(ok(1083, -1, "24:00:00").v.i, 86399999);
    bad(1083, -1, "13:45", PMN_ECORRUPT, NULL);

    pmn_datum d = ok(1114, -1, "2024-02-29 13:45:06.5");
    assert_true(d.v.ts.millis == 1709214306500LL);
    assert_int_equal(d.v.ts.nanos, 0);
    d = ok(1114, -1, "2024-02-29 13:45:06.123456");
    assert_true(d.v.ts.millis == 1709214306123LL);
    assert_int_equal(d.v.ts.nanos, 456000);
    d = ok(1114, -1, "1969-12-31 23:59:59.999999");
    assert_true(d.v.ts.millis == -1);
    assert_int_equal(d.v.ts.nanos, 999000);
    d = ok(1114, -1, "0044-03-15 10:00:00 BC");
    assert_true(d.v.ts.millis == -735160LL * 86400000 + 36000000);
    d = ok(1114, -1, "infinity"); /* 9999-12-31 23:59:59.999999 */
    assert_true(d.v.ts.millis == 2932896LL * 86400000 + 86399999);
    assert_int_equal(d.v.ts.nanos, 999000);
    d = ok(1114, -1, "-infinity"); /* 0001-01-01 00:00:00 */
    assert_true(d.v.ts.millis == -719162LL * 86400000);
    assert_int_equal(d.v.ts.nanos, 0);
    bad(1114, -1, "2024-02-29T13:45:06", PMN_ECORRUPT, NULL);

    d = ok(1184, -1, "2024-02-29 11:45:06.123456+00");
    assert_true(d.v.ts.millis == 1709207106123LL);
    assert_int_equal(d.v.ts.nanos, 456000);
    d = ok(1184, -1, "2024-02-29 17:15:06.123456+05:30");
    assert_true(d.v.ts.millis == 1709207106123LL);
    d = ok(1184, -1, "2024-02-29 08:45:06.123456-03");
    assert_true(d.v.ts.millis == 1709207106123LL);
    d = ok(1184, -1, "1900-01-01 00:00:00-00:01:15");
    assert_true(d.v.ts.millis == (-2208988800LL + 75) * 1000);
    d = ok(1184, -1, "0044-03-15 10:00:00+00 BC");
    assert_true(d.v.ts.millis == -735160LL * 86400000 + 36000000);
    bad(1184, -1, "2024-02-29 11:45:06", PMN_ECORRUPT, "offset");
    d = ok(1184, -1, "-infinity");
    assert_true(d.v.ts.millis == -719162LL * 86400000);
    d = ok(1184, -1, "infinity");
    assert_true(d.v.ts.millis == 2932896LL * 86400000 + 86399999);

    /* timetz and interval have no mapping; under to-string they are text */
    pmn_pg_type pt = builtin(1266, -1);
    pmn_type *t = map(&pt, "to-string");
    assert_pmn_ok(pmn_pgtypes_parse(&d, &pt, t, "13:45:06+05:30", 14, &arena));
    assert_memory_equal(d.v.bin.ptr, "13:45:06+05:30", 14);
    pmn_type_free(t);
    pt = builtin(1186, -1);
    t = map(&pt, "to-string");
    const char *iv = "1 year 2 mons 3 days 04:05:06.7";
    assert_pmn_ok(pmn_pgtypes_parse(&d, &pt, t, iv, strlen(iv), &arena));
    assert_int_equal(d.v.bin.len, strlen(iv));
    pmn_type_free(t);
}

static void test_pgtypes__arrays(void **state)
{
    pmn_datum d = ok(1007, -1, "{1,NULL,3}");
    assert_int_equal(d.v.list.n, 3);
    assert_int_equal(d.v.list.items[0].v.i, 1);
    assert_true(d.v.list.items[1].is_null);
    assert_int_equal(d.v.list.items[2].v.i, 3);
    d = ok(1007, -1, "{}");
    assert_int_equal(d.v.list.n, 0);
    d = ok(1009, -1, "{\"a b\",\"c,d\",\"e\\\"f\",NULL,\"NULL\",\"\",plain,\"back\\\\slash\"}");
    assert_int_equal(d.v.list.n, 8);
    assert_memory_equal(d.v.list.items[0].v.bin.ptr, "a b", 3);
    assert_memory_equal(d.v.list.items[1].v.bin.ptr, "c,d", 3);
    assert_int_equal(d.v.list.items[2].v.bin.len, 3);
    assert_memory_equal(d.v.list.items[2].v.bin.ptr, "e\"f", 3);
    assert_true(d.v.list.items[3].is_null);
    assert_false(d.v.list.items[4].is_null);
    assert_memory_equal(d.v.list.items[4].v.bin.ptr, "NULL", 4);
    assert_int_equal(d.v.list.items[5].v.bin.len, 0);
    assert_memory_equal(d.v.list.items[6].v.bin.ptr, "plain", 5);
    assert_int_equal(d.v.list.items[7].v.bin.len, 10);
    assert_memory_equal(d.v.list.items[7].v.bin.ptr, "back\\slash", 10);
    d = ok(1007, -1, "[0:1]={7,8}");
    assert_int_equal(d.v.list.n, 2);
    assert_int_equal(d.v.list.items[1].v.i, 8);
    bad(1231, NUMERIC_TYPMOD(5, 1), "{-1.5,NaN}", PMN_EINVALID, "element 2");
    d = ok(1231, NUMERIC_TYPMOD(5, 1), "{-1.5,2}");
    assert_true(d.v.list.items[0].v.dec == -15);
    assert_true(d.v.list.items[1].v.dec == 20);
    d = ok(1185, -1, "{\"2024-02-29 11:45:06+00\",NULL}");
    assert_true(d.v.list.items[0].v.ts.millis == 1709207106000LL);
    bad(1007, -1, "{{1,2},{3,4}}", PMN_EINVALID, "multi-dimensional");
    bad(1007, -1, "{1,2", PMN_ECORRUPT, NULL);
    bad(1009, -1, "{\"abc}", PMN_ECORRUPT, NULL);
    bad(1007, -1, "{1,x}", PMN_ECORRUPT, "element 2");
}

/* random text in every type never crashes the parser: it parses or reports an error */
static void test_pgtypes__random_text_never_crashes(void **state)
{
    static const uint32_t oids[] = {16,   21,   23,   20,   700,  701,  1700, 17,   1082,
                                    1083, 1114, 1184, 1007, 1009, 1231, 1185, 1560, 25};
    static const char alphabet[] = "0123456789-+.:eE \\x{}\",NULLafinityBC/\t";
    unsigned seed = 777;
    for (int round = 0; round < 50000; round++) {
        uint32_t oid = oids[round % (sizeof oids / sizeof oids[0])];
        int32_t typmod = oid == 1700 || oid == 1231 ? NUMERIC_TYPMOD(12, 3) : -1;
        if (oid == 1560)
            typmod = 9;
        char text[48];
        size_t len = rand_r(&seed) % sizeof text;
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        pmn_pg_type pt = builtin(oid, typmod);
        pmn_type *t = NULL;
        assert_pmn_ok(pmn_pgtypes_map(&t, &pt, NULL, false, false, "t", "c"));
        pmn_datum d;
        int rc = pmn_pgtypes_parse(&d, &pt, t, text, len, &arena);
        assert_true(rc == 0 || rc == PMN_ECORRUPT || rc == PMN_EINVALID);
        pmn_type_free(t);
        if (round % 1000 == 0)
            pmn_arena_reset(&arena);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgtypes__mapping_table),
        cmocka_unit_test(test_pgtypes__unmapped_and_nullability),
        cmocka_unit_test_setup_teardown(test_pgtypes__bool_int_float, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgtypes__numeric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgtypes__strings_and_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgtypes__dates_and_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgtypes__arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgtypes__random_text_never_crashes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
