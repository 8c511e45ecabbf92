/*
 * tests/unit/test_datum.c
 *
 * change/datum: ordering (Java semantics for floats, unsigned bytes, nested
 * values), deep copy, and the JSON form of every type.
 */
#include "testutil.h"

#include "change/datum.h"
#include "util/arena.h"
#include "util/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void check_json(const pmn_type *t, pmn_datum d, const char *want)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_datum_to_json(t, &d, &b);
    const char *got = pmn_buf_cstr(&b);
    if (strcmp(got, want) != 0)
        fail_msg("json: got '%s', want '%s'", got, want);
    pmn_buf_dispose(&b);
}

/* a < b strictly, both ways round, and each equal to itself */
static void check_less(const pmn_type *t, pmn_datum a, pmn_datum b)
{
    if (pmn_datum_compare(t, &a, &b) >= 0 || pmn_datum_compare(t, &b, &a) <= 0)
        fail_msg("ordering wrong for type root %d", (int)t->root);
    assert_int_equal(pmn_datum_compare(t, &a, &a), 0);
    assert_true(pmn_datum_equal(t, &b, &b));
    assert_false(pmn_datum_equal(t, &a, &b));
}

/* ---- ordering ------------------------------------------------------------------ */

static void test_datum__compare_atomic(void **state)
{
    pmn_type *i = pmn_type_new(PMN_TYPE_BIGINT);
    check_less(i, pmn_datum_null(), pmn_datum_int(INT64_MIN));
    check_less(i, pmn_datum_int(INT64_MIN), pmn_datum_int(-1));
    check_less(i, pmn_datum_int(-1), pmn_datum_int(INT64_MAX));
    pmn_datum n1 = pmn_datum_null(), n2 = pmn_datum_null();
    assert_int_equal(pmn_datum_compare(i, &n1, &n2), 0);

    pmn_type *b = pmn_type_new(PMN_TYPE_BOOLEAN);
    check_less(b, d_bool(false), d_bool(true));

    pmn_type *f8 = pmn_type_new(PMN_TYPE_DOUBLE);
    check_less(f8, pmn_datum_null(), d_f8(-INFINITY));
    check_less(f8, d_f8(-INFINITY), d_f8(-1e300));
    check_less(f8, d_f8(-0.0), d_f8(0.0)); /* Double.compare */
    check_less(f8, d_f8(0.0), d_f8(5e-324));
    check_less(f8, d_f8(INFINITY), d_f8(NAN)); /* NaN greatest */
    pmn_datum nan1 = d_f8(NAN), nan2 = d_f8(-NAN);
    assert_int_equal(pmn_datum_compare(f8, &nan1, &nan2), 0);

    pmn_type *f4 = pmn_type_new(PMN_TYPE_FLOAT);
    check_less(f4, d_f4(-0.0f), d_f4(0.0f));
    check_less(f4, d_f4(1.0f), d_f4(1.0000001f));
    check_less(f4, d_f4(INFINITY), d_f4(NAN));

    pmn_type *dec = pmn_type_decimal(38, 2);
    pmn_i128 big = (pmn_i128)1 << 120;
    check_less(dec, d_dec(-big), d_dec(-1));
    check_less(dec, d_dec(-1), d_dec(0));
    check_less(dec, d_dec(0), d_dec(big));

    pmn_type *s = pmn_type_new(PMN_TYPE_VARCHAR);
    check_less(s, pmn_datum_null(), d_s(""));
    check_less(s, d_s(""), d_s("a"));
    check_less(s, d_s("a"), d_s("ab")); /* prefix first */
    check_less(s, d_s("ab"), d_s("b"));
    check_less(s, d_s("Z"), d_s("a"));
    check_less(s, d_s("z"), d_s("\xc3\xa9")); /* unsigned bytes: 0xc3 > 'z' */
    check_less(s, pmn_datum_str("a\0", 2), pmn_datum_str("a\x01", 2));

    pmn_type *bin = pmn_type_new(PMN_TYPE_VARBINARY);
    check_less(bin, pmn_datum_str("\x7f", 1), pmn_datum_str("\x80", 1));
    check_less(bin, pmn_datum_str("\xff", 1), pmn_datum_str("\xff\x00", 2));

    pmn_type *ts = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9);
    check_less(ts, d_ts(-2, 999999), d_ts(-1, 0));
    check_less(ts, d_ts(-1, 0), d_ts(-1, 1));
    check_less(ts, d_ts(5, 999999), d_ts(6, 0));

    pmn_type *date = pmn_type_new(PMN_TYPE_DATE);
    check_less(date, pmn_datum_int(-719528), pmn_datum_int(0));

    pmn_type_free(i);
    pmn_type_free(b);
    pmn_type_free(f8);
    pmn_type_free(f4);
    pmn_type_free(dec);
    pmn_type_free(s);
    pmn_type_free(bin);
    pmn_type_free(ts);
    pmn_type_free(date);
}

static void test_datum__compare_nested(void **state)
{
    pmn_type *arr = pmn_type_array(pmn_type_new(PMN_TYPE_INT));
    pmn_datum a1[] = {pmn_datum_int(1), pmn_datum_int(2)};
    pmn_datum a2[] = {pmn_datum_int(1), pmn_datum_int(2), pmn_datum_int(0)};
    pmn_datum a3[] = {pmn_datum_int(1), pmn_datum_int(3)};
    pmn_datum a4[] = {pmn_datum_null(), pmn_datum_int(9)};
    check_less(arr, d_list(NULL, 0), d_list(a1, 2));
    check_less(arr, d_list(a1, 2), d_list(a2, 3));
    check_less(arr, d_list(a2, 3), d_list(a3, 2));
    check_less(arr, d_list(a4, 2), d_list(a1, 2));

    pmn_type *map = pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT));
    pmn_datum m1[] = {d_s("a"), pmn_datum_int(1)};
    pmn_datum m2[] = {d_s("a"), pmn_datum_int(2)};
    pmn_datum m3[] = {d_s("b"), pmn_datum_int(0)};
    check_less(map, d_list(m1, 1), d_list(m2, 1));
    check_less(map, d_list(m2, 1), d_list(m3, 1));

    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 1, "x", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(row, 2, "y", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_datum r1[] = {pmn_datum_int(1), d_s("b")};
    pmn_datum r2[] = {pmn_datum_int(2), d_s("a")};
    pmn_datum r3[] = {pmn_datum_int(2), d_s("b")};
    check_less(row, d_list(r1, 2), d_list(r2, 2));
    check_less(row, d_list(r2, 2), d_list(r3, 2));
    pmn_type_free(arr);
    pmn_type_free(map);
    pmn_type_free(row);
}

/* ---- copy ---------------------------------------------------------------------- */

static void test_datum__copy_is_deep(void **state)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 1, "s", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(row, 2, "m",
                     pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR),
                                  pmn_type_array(pmn_type_new(PMN_TYPE_VARCHAR))));
    char s1[] = "hello", k1[] = "key", e1[] = "elem";
    pmn_datum elems[] = {pmn_datum_str(e1, 4), pmn_datum_null()};
    pmn_datum m[] = {pmn_datum_str(k1, 3), d_list(elems, 2)};
    pmn_datum fields[] = {pmn_datum_str(s1, 5), d_list(m, 1)};
    pmn_datum orig = d_list(fields, 2);

    pmn_arena a = PMN_ARENA_INIT;
    pmn_datum copy;
    pmn_datum_copy(row, &orig, &copy, &a);
    assert_true(pmn_datum_equal(row, &orig, &copy));
    /* scribble over every source buffer: the copy must not change */
    s1[0] = 'J';
    k1[0] = 'X';
    e1[0] = 'Y';
    elems[1] = d_s("new");
    assert_false(pmn_datum_equal(row, &orig, &copy));
    pmn_buf b = PMN_BUF_INIT;
    pmn_datum_to_json(row, &copy, &b);
    assert_string_equal(pmn_buf_cstr(&b), "{\"s\":\"hello\",\"m\":{\"key\":[\"elem\",null]}}");
    pmn_buf_dispose(&b);

    pmn_datum n = pmn_datum_null(), nc;
    pmn_datum_copy(row, &n, &nc, &a);
    assert_true(nc.is_null);
    pmn_type *i = pmn_type_new(PMN_TYPE_INT);
    pmn_datum x = pmn_datum_int(42), xc;
    pmn_datum_copy(i, &x, &xc, &a);
    assert_int_equal(xc.v.i, 42);
    pmn_arena_free(&a);
    pmn_type_free(i);
    pmn_type_free(row);
}

/* ---- JSON ---------------------------------------------------------------------- */

static void test_datum__json_numbers(void **state)
{
    pmn_type *i = pmn_type_new(PMN_TYPE_BIGINT);
    check_json(i, pmn_datum_null(), "null");
    check_json(i, pmn_datum_int(0), "0");
    check_json(i, pmn_datum_int(INT64_MIN), "-9223372036854775808");
    check_json(i, pmn_datum_int(INT64_MAX), "9223372036854775807");
    pmn_type *b = pmn_type_new(PMN_TYPE_BOOLEAN);
    check_json(b, d_bool(true), "true");
    check_json(b, d_bool(false), "false");

    pmn_type *f8 = pmn_type_new(PMN_TYPE_DOUBLE);
    check_json(f8, d_f8(1.0), "1");
    check_json(f8, d_f8(-2.5), "-2.5");
    check_json(f8, d_f8(0.1), "0.1");
    check_json(f8, d_f8(0.1 + 0.2), "0.30000000000000004");
    check_json(f8, d_f8(100.0), "100");
    check_json(f8, d_f8(1e20), "100000000000000000000");
    check_json(f8, d_f8(1e21), "1e+21");
    check_json(f8, d_f8(1.5e-7), "1.5e-7");
    check_json(f8, d_f8(0.000001), "0.000001");
    check_json(f8, d_f8(1.7976931348623157e308), "1.7976931348623157e+308");
    check_json(f8, d_f8(5e-324), "5e-324");
    check_json(f8, d_f8(-0.0), "-0");
    check_json(f8, d_f8(NAN), "\"NaN\"");
    check_json(f8, d_f8(INFINITY), "\"Infinity\"");
    check_json(f8, d_f8(-INFINITY), "\"-Infinity\"");

    pmn_type *f4 = pmn_type_new(PMN_TYPE_FLOAT);
    check_json(f4, d_f4(0.1f), "0.1");
    check_json(f4, d_f4(1.5f), "1.5");
    check_json(f4, d_f4(3.4028235e38f), "3.4028235e+38");
    check_json(f4, d_f4(16777216.0f), "16777216");
    check_json(f4, d_f4(1.0000001f), "1.0000001");
    check_json(f4, d_f4(NAN), "\"NaN\"");

    /* every double printed reads back exactly */
    double vals[] = {M_PI, 1.0 / 3.0, 2.2250738585072014e-308, 123456.789e-300, 9007199254740993.0};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        pmn_buf out = PMN_BUF_INIT;
        pmn_datum d = d_f8(vals[k]);
        pmn_datum_to_json(f8, &d, &out);
        assert_true(strtod(pmn_buf_cstr(&out), NULL) == vals[k]);
        pmn_buf_dispose(&out);
    }

    /* every power of two reads back, and 2^-1017 needs 16 digits, not the 17 that the
     * nearest-decimal search alone would give */
    for (int k = -1074; k <= 1023; k++) {
        pmn_buf out = PMN_BUF_INIT;
        pmn_datum d = d_f8(ldexp(1.0, k));
        pmn_datum_to_json(f8, &d, &out);
        if (strtod(pmn_buf_cstr(&out), NULL) != d.v.f8)
            fail_msg("2^%d printed as %s", k, pmn_buf_cstr(&out));
        if (k == -1017) {
            const char *e = strchr(pmn_buf_cstr(&out), 'e');
            assert_non_null(e);
            assert_int_equal(e - pmn_buf_cstr(&out), 17); /* d.ddddddddddddddd */
        }
        pmn_buf_dispose(&out);
    }
    for (int k = -149; k <= 127; k++) {
        pmn_buf out = PMN_BUF_INIT;
        pmn_datum d = d_f4(ldexpf(1.0f, k));
        pmn_datum_to_json(f4, &d, &out);
        if (strtof(pmn_buf_cstr(&out), NULL) != d.v.f4)
            fail_msg("float 2^%d printed as %s", k, pmn_buf_cstr(&out));
        pmn_buf_dispose(&out);
    }

    pmn_type *d52 = pmn_type_decimal(5, 2);
    check_json(d52, d_dec(12345), "\"123.45\"");
    check_json(d52, d_dec(-50), "\"-0.50\"");
    check_json(d52, d_dec(5), "\"0.05\"");
    check_json(d52, d_dec(0), "\"0.00\"");
    check_json(d52, d_dec(-12345), "\"-123.45\"");
    pmn_type *d10 = pmn_type_decimal(10, 0);
    check_json(d10, d_dec(7), "\"7\"");
    check_json(d10, d_dec(-7), "\"-7\"");
    check_json(d10, d_dec(0), "\"0\"");
    pmn_type *d38 = pmn_type_decimal(38, 10);
    pmn_i128 big = 0;
    for (int k = 0; k < 38; k++)
        big = big * 10 + 9;
    check_json(d38, d_dec(big), "\"9999999999999999999999999999.9999999999\"");
    check_json(d38, d_dec(-big), "\"-9999999999999999999999999999.9999999999\"");
    check_json(d38, d_dec(1), "\"0.0000000001\"");

    pmn_type_free(i);
    pmn_type_free(b);
    pmn_type_free(f8);
    pmn_type_free(f4);
    pmn_type_free(d52);
    pmn_type_free(d10);
    pmn_type_free(d38);
}

static void test_datum__json_strings_and_bytes(void **state)
{
    pmn_type *s = pmn_type_new(PMN_TYPE_VARCHAR);
    check_json(s, d_s(""), "\"\"");
    check_json(s, d_s("Alice"), "\"Alice\"");
    check_json(s, d_s("say \"hi\" \\ back/slash"), "\"say \\\"hi\\\" \\\\ back/slash\"");
    check_json(s, d_s("a\nb\rc\td\be\ff"), "\"a\\nb\\rc\\td\\be\\ff\"");
    check_json(s, pmn_datum_str("\x01\x1f\0\x7f", 4), "\"\\u0001\\u001f\\u0000\x7f\"");
    check_json(s, d_s("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
               "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate */
    check_json(s, pmn_datum_str("a\x80z", 3), "\"a\xef\xbf\xbdz\"");
    check_json(s, pmn_datum_str("\xe2\x82", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    check_json(s, pmn_datum_str("\xc0\xaf", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    check_json(s, pmn_datum_str("\xed\xa0\x80", 3), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    pmn_type *c = pmn_type_new(PMN_TYPE_CHAR);
    check_json(c, d_s("x"), "\"x\"");

    pmn_type *bin = pmn_type_new(PMN_TYPE_VARBINARY);
    check_json(bin, pmn_datum_str("", 0), "\"\"");
    check_json(bin, d_s("f"), "\"Zg==\"");
    check_json(bin, d_s("fo"), "\"Zm8=\"");
    check_json(bin, d_s("foo"), "\"Zm9v\"");
    check_json(bin, d_s("foobar"), "\"Zm9vYmFy\"");
    check_json(bin, pmn_datum_str("\xff\xfe\x00\x3e\x3f", 5), "\"//4APj8=\"");
    pmn_type *fixed = pmn_type_new(PMN_TYPE_BINARY);
    check_json(fixed, d_s("abcdef"), "\"YWJjZGVm\"");
    pmn_type_free(s);
    pmn_type_free(c);
    pmn_type_free(bin);
    pmn_type_free(fixed);
}

static void test_datum__json_dates_and_times(void **state)
{
    pmn_type *date = pmn_type_new(PMN_TYPE_DATE);
    check_json(date, pmn_datum_int(0), "\"1970-01-01\"");
    check_json(date, pmn_datum_int(100), "\"1970-04-11\"");
    check_json(date, pmn_datum_int(-1), "\"1969-12-31\"");
    check_json(date, pmn_datum_int(19723), "\"2024-01-01\"");
    check_json(date, pmn_datum_int(11016), "\"2000-02-29\"");
    check_json(date, pmn_datum_int(-25509), "\"1900-02-28\"");
    check_json(date, pmn_datum_int(-25508), "\"1900-03-01\"");
    check_json(date, pmn_datum_int(-719162), "\"0001-01-01\"");
    check_json(date, pmn_datum_int(-719528), "\"0000-01-01\"");
    check_json(date, pmn_datum_int(-719529), "\"-0001-12-31\"");
    check_json(date, pmn_datum_int(2932896), "\"9999-12-31\"");
    check_json(date, pmn_datum_int(2932897), "\"+10000-01-01\"");
    check_json(date, pmn_datum_int(INT32_MAX), "\"+5881580-07-11\"");
    check_json(date, pmn_datum_int(INT32_MIN), "\"-5877641-06-23\"");

    pmn_type *time = pmn_type_new(PMN_TYPE_TIME);
    check_json(time, pmn_datum_int(0), "\"00:00:00\"");
    check_json(time, pmn_datum_int(45296789), "\"12:34:56.789\"");
    check_json(time, pmn_datum_int(45296700), "\"12:34:56.700\"");
    check_json(time, pmn_datum_int(86399999), "\"23:59:59.999\"");
    check_json(time, pmn_datum_int(3600000), "\"01:00:00\"");

    pmn_type *ts = pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 9);
    check_json(ts, d_ts(0, 0), "\"1970-01-01T00:00:00\"");
    check_json(ts, d_ts(518400000, 0), "\"1970-01-07T00:00:00\"");
    check_json(ts, d_ts(1704110405123LL, 0), "\"2024-01-01T12:00:05.123\"");
    check_json(ts, d_ts(1704110405100LL, 0), "\"2024-01-01T12:00:05.100\"");
    check_json(ts, d_ts(1704110405123LL, 456000), "\"2024-01-01T12:00:05.123456\"");
    check_json(ts, d_ts(1704110405000LL, 1000), "\"2024-01-01T12:00:05.000001\"");
    check_json(ts, d_ts(1704110405123LL, 456789), "\"2024-01-01T12:00:05.123456789\"");
    check_json(ts, d_ts(1704110405000LL, 1), "\"2024-01-01T12:00:05.000000001\"");
    /* before 1970: millis floored, nanos of milli non-negative */
    check_json(ts, d_ts(-1, 999000), "\"1969-12-31T23:59:59.999999\"");
    check_json(ts, d_ts(-1000, 0), "\"1969-12-31T23:59:59\"");
    check_json(ts, d_ts(-86400000, 0), "\"1969-12-31T00:00:00\"");
    check_json(ts, d_ts(-62135596800000LL, 0), "\"0001-01-01T00:00:00\"");
    check_json(ts, d_ts(253402300799999LL, 999999), "\"9999-12-31T23:59:59.999999999\"");
    check_json(ts, d_ts(4102444800000LL, 0), "\"2100-01-01T00:00:00\"");

    pmn_type *ltz = pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6);
    check_json(ltz, d_ts(0, 0), "\"1970-01-01T00:00:00Z\"");
    check_json(ltz, d_ts(1704110405123LL, 456000), "\"2024-01-01T12:00:05.123456Z\"");
    check_json(ltz, pmn_datum_null(), "null");
    pmn_type_free(date);
    pmn_type_free(time);
    pmn_type_free(ts);
    pmn_type_free(ltz);
}

static void test_datum__json_nested(void **state)
{
    pmn_type *arr = pmn_type_array(pmn_type_new(PMN_TYPE_INT));
    pmn_datum a[] = {pmn_datum_int(1), pmn_datum_int(2), pmn_datum_int(3)};
    check_json(arr, d_list(a, 3), "[1,2,3]");
    check_json(arr, d_list(NULL, 0), "[]");
    pmn_datum an[] = {pmn_datum_null(), pmn_datum_int(-1)};
    check_json(arr, d_list(an, 2), "[null,-1]");

    pmn_type *smap = pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT));
    pmn_datum m[] = {d_s("key"), pmn_datum_int(123), d_s("q\"uote"), pmn_datum_null()};
    check_json(smap, d_list(m, 2), "{\"key\":123,\"q\\\"uote\":null}");
    check_json(smap, d_list(NULL, 0), "{}");

    pmn_type *imap = pmn_type_map(pmn_type_new(PMN_TYPE_INT), pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_datum im[] = {pmn_datum_int(1), d_s("a"), pmn_datum_int(2), pmn_datum_null()};
    check_json(imap, d_list(im, 2), "[[1,\"a\"],[2,null]]");
    check_json(imap, d_list(NULL, 0), "[]");

    pmn_type *ms = pmn_type_new(PMN_TYPE_MULTISET);
    ms->elem = pmn_type_new(PMN_TYPE_VARCHAR);
    pmn_datum mv[] = {d_s("x"), pmn_datum_int(2)};
    check_json(ms, d_list(mv, 1), "{\"x\":2}");
    pmn_type *ims = pmn_type_new(PMN_TYPE_MULTISET);
    ims->elem = pmn_type_new(PMN_TYPE_BIGINT);
    pmn_datum imv[] = {pmn_datum_int(7), pmn_datum_int(3)};
    check_json(ims, d_list(imv, 1), "[[7,3]]");

    /* the fixture's f16: ROW<f0 MAP<STRING,INT>, f1 ARRAY<INT>> */
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 17, "f0",
                     pmn_type_map(pmn_type_new(PMN_TYPE_VARCHAR), pmn_type_new(PMN_TYPE_INT)));
    pmn_type_row_add(row, 18, "f1", pmn_type_array(pmn_type_new(PMN_TYPE_INT)));
    pmn_datum rv[] = {d_list(m, 1), d_list(a, 3)};
    check_json(row, d_list(rv, 2), "{\"f0\":{\"key\":123},\"f1\":[1,2,3]}");
    pmn_datum rn[] = {pmn_datum_null(), pmn_datum_null()};
    check_json(row, d_list(rn, 2), "{\"f0\":null,\"f1\":null}");

    /* a whole table row */
    pmn_type *t = pmn_type_row();
    pmn_type_row_add(t, 0, "id", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(t, 1, "na\"me", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 2, "price", pmn_type_decimal(10, 2));
    pmn_type_row_add(t, 3, "nested", pmn_type_copy(row));
    pmn_datum vals[] = {pmn_datum_int(1), d_s("Alice"), d_dec(1999), d_list(rv, 2)};
    pmn_buf b = PMN_BUF_INIT;
    pmn_row_to_json(t, vals, &b);
    assert_string_equal(pmn_buf_cstr(&b), "{\"id\":1,\"na\\\"me\":\"Alice\",\"price\":\"19.99\","
                                          "\"nested\":{\"f0\":{\"key\":123},\"f1\":[1,2,3]}}");
    pmn_buf_reset(&b);
    pmn_type *empty = pmn_type_row();
    pmn_row_to_json(empty, NULL, &b);
    assert_string_equal(pmn_buf_cstr(&b), "{}");
    pmn_buf_dispose(&b);

    pmn_type_free(arr);
    pmn_type_free(smap);
    pmn_type_free(imap);
    pmn_type_free(ms);
    pmn_type_free(ims);
    pmn_type_free(row);
    pmn_type_free(t);
    pmn_type_free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datum__compare_atomic),
        cmocka_unit_test(test_datum__compare_nested),
        cmocka_unit_test(test_datum__copy_is_deep),
        cmocka_unit_test(test_datum__json_numbers),
        cmocka_unit_test(test_datum__json_strings_and_bytes),
        cmocka_unit_test(test_datum__json_dates_and_times),
        cmocka_unit_test(test_datum__json_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
