/*
 * tests/unit/test_json_writer.c
 *
 * paimon/json_writer: Jackson DefaultPrettyPrinter layout and string escaping.
 */
#include "testutil.h"

#include "paimon/json_writer.h"

#include <stdlib.h>
#include <string.h>

static void expect_pretty(const char *json_in, const char *want)
{
    json_error_t e;
    json_t *v = json_loads(json_in, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("bad test input %s: %s", json_in, e.text);
    char *s = pmn_json_pretty(v);
    assert_string_equal(s, want);
    free(s);
    json_decref(v);
}

static void test_json_writer__layout(void **state)
{
    expect_pretty("{}", "{ }");
    expect_pretty("[]", "[ ]");
    expect_pretty("{\"a\":1}", "{\n  \"a\" : 1\n}");
    expect_pretty("[1,\"x\",null,true,false]", "[ 1, \"x\", null, true, false ]");
    expect_pretty("{\"a\":{\"b\":{}},\"c\":[]}",
                  "{\n  \"a\" : {\n    \"b\" : { }\n  },\n  \"c\" : [ ]\n}");
    expect_pretty("[{\"a\":1},{\"b\":[{\"c\":2}]}]",
                  "[ {\n  \"a\" : 1\n}, {\n  \"b\" : [ {\n    \"c\" : 2\n  } ]\n} ]");
    expect_pretty("{\"x\":[[1,2],[]]}", "{\n  \"x\" : [ [ 1, 2 ], [ ] ]\n}");
    expect_pretty("-9223372036854775808", "-9223372036854775808");
}

static void test_json_writer__escaping(void **state)
{
    expect_pretty("\"q\\\" b\\\\ \\b\\t\\n\\f\\r \\u0001\\u001f\\u007f / \\u00e9\\u20ac\"",
                  "\"q\\\" b\\\\ \\b\\t\\n\\f\\r \\u0001\\u001F\x7f / \xc3\xa9\xe2\x82\xac\"");
    expect_pretty("{\"k\\u0002ey\":\"v\"}", "{\n  \"k\\u0002ey\" : \"v\"\n}");
}

static void test_json_writer__streaming_raw(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_jw w;
    pmn_jw_init(&w, &b);
    pmn_jw_begin_object(&w);
    pmn_jw_key(&w, "d");
    pmn_jw_raw(&w, "86400.000000000");
    pmn_jw_key(&w, "a");
    pmn_jw_begin_array(&w);
    pmn_jw_int(&w, 1);
    pmn_jw_raw(&w, "2.5");
    pmn_jw_end_array(&w);
    pmn_jw_end_object(&w);
    pmn_jw_dispose(&w);
    assert_string_equal(pmn_buf_cstr(&b), "{\n  \"d\" : 86400.000000000,\n  \"a\" : [ 1, 2.5 ]\n}");
    pmn_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_writer__layout),
        cmocka_unit_test(test_json_writer__escaping),
        cmocka_unit_test(test_json_writer__streaming_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
