/*
 * tests/unit/test_options.c
 *
 * paimon/options: the ordered map and Paimon's value syntax (MemorySize,
 * TimeUtils.parseDuration, booleans, longs).
 */
#include "testutil.h"

#include "paimon/options.h"
#include "util/error.h"

#include <string.h>

static void test_options__ordered_set_get_remove(void **state)
{
    pmn_options o;
    pmn_options_init(&o);
    pmn_options_set(&o, "bucket", "4");
    pmn_options_set(&o, "file.format", "avro");
    pmn_options_set(&o, "merge-engine", "deduplicate");
    pmn_options_set(&o, "bucket", "8"); /* replace keeps the position */
    assert_int_equal(o.n, 3);
    assert_string_equal(o.keys[0], "bucket");
    assert_string_equal(o.values[0], "8");
    assert_string_equal(o.keys[2], "merge-engine");
    assert_string_equal(pmn_options_get(&o, "file.format"), "avro");
    assert_null(pmn_options_get(&o, "absent"));

    pmn_options c;
    pmn_options_copy(&c, &o);
    assert_true(pmn_options_remove(&o, "file.format"));
    assert_false(pmn_options_remove(&o, "file.format"));
    assert_int_equal(o.n, 2);
    assert_string_equal(o.keys[1], "merge-engine");
    assert_int_equal(c.n, 3);
    assert_string_equal(pmn_options_get(&c, "file.format"), "avro");
    pmn_options_dispose(&c);
    pmn_options_dispose(&o);
    assert_int_equal(o.n, 0);
}

static void test_options__int64_and_bool(void **state)
{
    pmn_options o;
    pmn_options_init(&o);
    pmn_options_set(&o, "n", " -42 ");
    pmn_options_set(&o, "big", "9223372036854775807");
    pmn_options_set(&o, "bad", "12x");
    pmn_options_set(&o, "over", "9223372036854775808");
    pmn_options_set(&o, "t", "TRUE");
    pmn_options_set(&o, "f", "False");
    pmn_options_set(&o, "yes", "yes");
    int64_t v;
    assert_pmn_ok(pmn_options_get_int64(&o, "n", 0, &v));
    assert_int_equal(v, -42);
    assert_pmn_ok(pmn_options_get_int64(&o, "big", 0, &v));
    assert_true(v == INT64_MAX);
    assert_pmn_ok(pmn_options_get_int64(&o, "absent", 7, &v));
    assert_int_equal(v, 7);
    assert_int_equal(pmn_options_get_int64(&o, "bad", 0, &v), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "'bad'"));
    assert_non_null(strstr(pmn_error_last(), "12x"));
    assert_int_equal(pmn_options_get_int64(&o, "over", 0, &v), PMN_EINVALID);
    bool b;
    assert_pmn_ok(pmn_options_get_bool(&o, "t", false, &b));
    assert_true(b);
    assert_pmn_ok(pmn_options_get_bool(&o, "f", true, &b));
    assert_false(b);
    assert_pmn_ok(pmn_options_get_bool(&o, "absent", true, &b));
    assert_true(b);
    assert_int_equal(pmn_options_get_bool(&o, "yes", false, &b), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "yes"));
    pmn_options_dispose(&o);
}

static void test_options__memory_sizes(void **state)
{
    static const struct {
        const char *text;
        int64_t bytes;
    } ok[] = {
        {"256 mb", 256LL << 20},
        {"64kb", 64LL << 10},
        {"1 gb", 1LL << 30},
        {"128MB", 128LL << 20},
        {"100", 100},
        {"  7  ", 7},
        {"1b", 1},
        {"2 bytes", 2},
        {"3 kibibytes", 3LL << 10},
        {"5k", 5LL << 10},
        {"6 m", 6LL << 20},
        {"2g", 2LL << 30},
        {"1t", 1LL << 40},
        {"2 TB", 2LL << 40},
        {"1 tebibytes", 1LL << 40},
        {"4 Mebibytes", 4LL << 20},
        {"0", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        int rc = pmn_parse_memory_size(ok[i].text, &v);
        if (rc != 0 || v != ok[i].bytes)
            fail_msg("'%s': rc %d value %lld (%s)", ok[i].text, rc, (long long)v, pmn_error_last());
    }
    static const char *const bad[] = {"",
                                      "   ",
                                      "mb",
                                      "-1 mb",
                                      "1.5 gb",
                                      "12 xb",
                                      "1 kbb",
                                      "9999999999999 tb",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        if (pmn_parse_memory_size(bad[i], &v) != PMN_EINVALID)
            fail_msg("'%s' was accepted", bad[i]);
    }
    pmn_options o;
    pmn_options_init(&o);
    pmn_options_set(&o, "write-buffer-size", "256 mb");
    pmn_options_set(&o, "target-file-size", "lots");
    int64_t v;
    assert_pmn_ok(pmn_options_get_memory(&o, "write-buffer-size", 0, &v));
    assert_int_equal(v, 256LL << 20);
    assert_pmn_ok(pmn_options_get_memory(&o, "absent", 123, &v));
    assert_int_equal(v, 123);
    assert_int_equal(pmn_options_get_memory(&o, "target-file-size", 0, &v), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "target-file-size"));
    assert_non_null(strstr(pmn_error_last(), "lots"));
    pmn_options_dispose(&o);
}

static void test_options__durations(void **state)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {
        {"1 h", 3600000},
        {"30 s", 30000},
        {"500 ms", 500},
        {"10 min", 600000},
        {"1d", 86400000},
        {"2 hours", 7200000},
        {"100", 100},
        {"5 m", 300000},
        {"3 minutes", 180000},
        {"2 secs", 2000},
        {"1 second", 1000},
        {"7 days", 604800000},
        {"4 millis", 4},
        {"1 HOUR", 3600000},
        {"2500 micros", 2},
        {"3000000 ns", 3},
        {"0", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        int rc = pmn_parse_duration_ms(ok[i].text, &v);
        if (rc != 0 || v != ok[i].ms)
            fail_msg("'%s': rc %d value %lld (%s)", ok[i].text, rc, (long long)v, pmn_error_last());
    }
    static const char *const bad[] = {
        "", "h", "1 week", "1.5 h", "-3 s", "1 hr", "9223372036854775807 d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        if (pmn_parse_duration_ms(bad[i], &v) != PMN_EINVALID)
            fail_msg("'%s' was accepted", bad[i]);
    }
    pmn_options o;
    pmn_options_init(&o);
    pmn_options_set(&o, "snapshot.time-retained", "1 h");
    pmn_options_set(&o, "broken", "soon");
    int64_t v;
    assert_pmn_ok(pmn_options_get_duration(&o, "snapshot.time-retained", 0, &v));
    assert_int_equal(v, 3600000);
    assert_pmn_ok(pmn_options_get_duration(&o, "absent", 42, &v));
    assert_int_equal(v, 42);
    assert_int_equal(pmn_options_get_duration(&o, "broken", 0, &v), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "broken"));
    pmn_options_dispose(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options__ordered_set_get_remove),
        cmocka_unit_test(test_options__int64_and_bool),
        cmocka_unit_test(test_options__memory_sizes),
        cmocka_unit_test(test_options__durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
